/* mte: the Memory Tagging Extension at EL1, on Tagged Normal memory (MAIR 0xf0) mapped by the guest.
 * Allocation tags: STG/LDG per granule (six granules with six tags read back as six tags: QEMU 7.2's issue 1416
 * would give 5 6 5 6 5 6), ST2G, STZG (zeroes data), STGP (data and tag); tag checks with SCTLR_EL1.TCF = 1
 * (synchronous: EC 0x25, DFSC 0x11, WnR for stores), PSTATE.TCO and TCF = 0 suppressing them, accesses across two
 * granules with matching tags, asynchronous checks (TCF = 2) recorded in TFSR_EL1.TF0 and made visible by exception
 * entry with SCTLR_EL1.ITFSB = 1; IRG from a seeded RGSR_EL1 with GCR_EL1.Exclude (RRND = 0: the architecture's
 * pseudo-random sequence), ADDG/SUBG, GMI, SUBP/SUBPS; Normal (untagged) memory: LDG reads 0, STG is ignored,
 * no checks. Nothing depends on the reset value of tag storage: every granule read is written first. */
#include "guest.h"
#include "mmu.h"
#include "mte.h"

#define SCTLR_ATA    (1UL << 43)
#define SCTLR_TCF(x) ((u64)(x) << 40)
#define SCTLR_ITFSB  (1UL << 37)
#define TCR_TBI0     (1UL << 37)

#define TAGGED_VA    0x80000000UL /* two pages of tagged_mem, Tagged Normal */
#define UNTAGGED_VA  0x80010000UL /* the same two pages, Normal (untagged) */

static u8 tagged_mem[8192] __attribute__((aligned(4096)));

static void st2g(u64 p)
{
    __asm__ volatile("st2g %0, [%0]" ::"r"(p) : "memory");
}

static void stzg(u64 p)
{
    __asm__ volatile("stzg %0, [%0]" ::"r"(p) : "memory");
}

static void stgp(u64 p, u64 a, u64 b)
{
    __asm__ volatile("stgp %1, %2, [%0]" ::"r"(p), "r"(a), "r"(b) : "memory");
}

static u64 ldg(u64 p)
{
    u64 t = p & ~(0xfUL << 56); /* LDG replaces bits 59:56 of Xt: start from tag 0 */
    __asm__ volatile("ldg %0, [%1]" : "+r"(t) : "r"(p) : "memory");
    return tag_of(t);
}

static void try_ld64(u64 p)
{
    (void)ld64(p);
}

static u64 read_rgsr(void)
{
    u64 v;
    __asm__ volatile("mrs %0, rgsr_el1" : "=r"(v));
    return v;
}

static u64 read_tfsr(void)
{
    u64 v;
    __asm__ volatile("mrs %0, tfsr_el1" : "=r"(v));
    return v;
}

int main(void)
{
    u64 t = TAGGED_VA, u = UNTAGGED_VA;

    line("mte: MMU on; two pages mapped as Tagged Normal and as Normal");
    mmu_init();
    mmu_identity_map();
    for (u64 off = 0; off < sizeof tagged_mem; off += 4096) {
        mmu_map_page(TAGGED_VA + off, (u64)tagged_mem + off,
                     PTE_ATTR(MT_NORMAL_TAGGED) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
        mmu_map_page(UNTAGGED_VA + off, (u64)tagged_mem + off, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
    }
    mmu_enable();
    __asm__ volatile("msr tcr_el1, %0\n\tisb\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::"r"(TCR_VALUE | TCR_TBI0) : "memory");
    __asm__ volatile("msr gcr_el1, %0\n\tmsr rgsr_el1, %1\n\tmsr tfsr_el1, xzr\n\tisb" ::"r"(0x0001UL), "r"(0x123400UL));
    __asm__ volatile("msr tco, #0");
    set_sctlr(SCTLR_ATA); /* tag access on, no checks yet (TCF = 0) */
    for (int i = 0; i < 1024; i++)
        st64(t + 8 * (u64)i, 0x1000000000000000UL | (u64)i);

    line("mte: STG tags 1..6 on six granules, LDG reads them back");
    for (u64 g = 0; g < 6; g++)
        stg(with_tag(t + 16 * g, g + 1));
    for (u64 g = 0; g < 6; g++)
        print_kv("  ldg granule", g * 0x10 + ldg(t + 16 * g) * 0x100000000UL);
    print_kv("  ldg at granule 2 + 8 (aligned down)", ldg(t + 0x28));
    print_kv("  data kept by stg", ld64(t + 0x18));

    line("mte: ST2G, STZG, STGP");
    st2g(with_tag(t + 0x100, 0xa));
    print_kv("  st2g granules 0x100/0x110", ldg(t + 0x100) * 0x10 + ldg(t + 0x110));
    print_kv("  st2g keeps data", ld64(t + 0x110));
    stzg(with_tag(t + 0x120, 0xb));
    print_kv("  stzg tag", ldg(t + 0x120));
    print_kv("  stzg zeroed +0", ld64(with_tag(t + 0x120, 0xb)));
    print_kv("  stzg zeroed +8", ld64(with_tag(t + 0x128, 0xb)));
    print_kv("  stzg next granule untouched", ld64(with_tag(t + 0x130, 0)));
    stgp(with_tag(t + 0x140, 0xc), 0x1111111111111111UL, 0x2222222222222222UL);
    print_kv("  stgp tag", ldg(t + 0x140));
    print_kv("  stgp data +0", ld64(with_tag(t + 0x140, 0xc)));
    print_kv("  stgp data +8", ld64(with_tag(t + 0x148, 0xc)));

    line("mte: synchronous tag checks (TCF = 1)");
    set_sctlr(SCTLR_ATA | SCTLR_TCF(1));
    print_kv("  matching tag load", ld64(with_tag(t + 0x20, 3)));
    st64(with_tag(t + 0x28, 3), 0x3333333333333333UL);
    print_kv("  matching tag store, read back", ld64(with_tag(t + 0x28, 3)));
    line("  load with tag 5 from a granule tagged 3");
    try_ld64(with_tag(t + 0x20, 5));
    line("  store with tag 0 to a granule tagged 4");
    st64(with_tag(t + 0x38, 0), 0xdeadUL);
    print_kv("  the store did not happen", ld64(with_tag(t + 0x38, 4)));
    line("  unaligned load across granules tagged 1 and 2 with tag 1");
    try_ld64(with_tag(t + 0x0c, 1));
    stg(with_tag(t + 0x10, 1));
    print_kv("  same load once both granules are tagged 1", ld64(with_tag(t + 0x0c, 1)));
    line("  PSTATE.TCO = 1 suppresses the check");
    __asm__ volatile("msr tco, #1");
    print_kv("  load with tag 9", ld64(with_tag(t + 0x20, 9)));
    __asm__ volatile("msr tco, #0");
    line("  STG and LDG are not checked");
    print_kv("  ldg with a wrong pointer tag", ldg(with_tag(t + 0x20, 7)));
    line("  Normal (untagged) memory is not checked; LDG reads 0 and STG is ignored there");
    print_kv("  load via untagged alias with tag 6", ld64(with_tag(u + 0x20, 6)));
    stg(with_tag(u + 0x200, 0xe));
    print_kv("  ldg via untagged alias", ldg(u + 0x20));
    print_kv("  ldg tagged view of granule 0x200 (stg was ignored)", ldg(t + 0x200) == 0xe);

    line("mte: TCF = 0: no checks");
    set_sctlr(SCTLR_ATA);
    print_kv("  load with tag 5 from a granule tagged 3", ld64(with_tag(t + 0x20, 5)));

    line("mte: asynchronous tag checks (TCF = 2, ITFSB = 1)");
    set_sctlr(SCTLR_ATA | SCTLR_TCF(2) | SCTLR_ITFSB);
    st64(with_tag(t + 0x48, 0xf), 0x4444UL); /* granule 0x40 is tagged 5 */
    __asm__ volatile("svc #0x11" ::: "x0", "x1", "x2", "memory");
    print_kv("  TFSR_EL1 after exception entry", read_tfsr());
    print_kv("  the asynchronous store happened", ld64(with_tag(t + 0x48, 5)));
    __asm__ volatile("msr tfsr_el1, xzr\n\tisb");
    set_sctlr(SCTLR_ATA);

    line("mte: IRG (GCR_EL1.Exclude = 0x0001, RGSR_EL1.SEED = 0x1234)");
    u64 p = t + 0x300;
    for (int i = 0; i < 6; i++)
        print_kv("  irg tag", tag_of(irg(p, 0)));
    print_kv("  irg with Xm excluding 1..7", tag_of(irg(p, 0xfe)));
    print_kv("  irg with everything excluded", tag_of(irg(with_tag(p, 3), 0xffff)));
    print_kv("  RGSR_EL1", read_rgsr());
    u64 q = irg(p, 0);
    print_kv("  irg keeps the address", q & 0x00ffffffffffffffUL);

    line("mte: ADDG, SUBG, GMI, SUBP, SUBPS");
    u64 r;
    __asm__ volatile("addg %0, %1, #32, #3" : "=r"(r) : "r"(with_tag(t, 0xe)));
    print_kv("  addg #32, #3 from tag e", r);
    __asm__ volatile("subg %0, %1, #16, #1" : "=r"(r) : "r"(with_tag(t + 0x40, 0xf)));
    print_kv("  subg #16, #1 from tag f", r);
    __asm__ volatile("gmi %0, %1, %2" : "=r"(r) : "r"(with_tag(t, 0x9)), "r"(0x0101UL));
    print_kv("  gmi", r);
    __asm__ volatile("subp %0, %1, %2" : "=r"(r) : "r"(with_tag(t + 0x50, 0x3)), "r"(with_tag(t + 0x80, 0xc)));
    print_kv("  subp", r);
    u64 nzcv;
    __asm__ volatile("subps %0, %2, %3\n\tmrs %1, nzcv"
                     : "=r"(r), "=r"(nzcv)
                     : "r"(with_tag(t + 0x80, 0x1)), "r"(with_tag(t + 0x80, 0x2))
                     : "cc");
    print_kv("  subps equal", r);
    print_kv("  subps nzcv", nzcv);

    set_sctlr(0);
    mmu_disable();
    print_kv("exceptions taken", exc_count);
    line("mte: done");
    return 0;
}
