/* mte-insn: every MTE instruction's forms at EL1, on Tagged Normal memory (MAIR 0xf0) mapped by the guest, with
 * tag checks off (TCF = 0) so only the instructions' own effects show:
 *  - STG, STZG, ST2G, STZ2G in post-index, pre-index and signed-offset forms: which granules get which tag, the
 *    base register written back (its own tag bits kept), the Z forms zeroing exactly their granules; an STG to an
 *    address that is not 16-byte aligned (Alignment fault, the tags untouched);
 *  - STGP post, pre and offset: data, the tag taken from the base register, writeback;
 *  - LDG with positive and negative offsets: only Xt[59:56] replaced;
 *  - LDGM/STGM (block of 4 << GMID_EL1.BS bytes, printed, the address aligned down, one nibble per granule),
 *    STZGM (block of 4 << DCZID_EL0.BS bytes, tag from Xt[3:0], data zeroed), DC GVA and DC GZVA (DCZID block, tag
 *    from the address): the sizes come from the ID registers the guest reads, printed with the results;
 *  - IRG with GCR_EL1.Exclude and Xm (RRND = 0), ADDG/SUBG with tag offsets 0..15 and exclusions, GMI, SUBP,
 *    SUBPS and CMPP with the flags (including addresses with bit 55 set: 56-bit sign extension);
 *  - SCTLR_EL1.ATA = 0: IRG/ADDG/SUBG give tag 0, LDG and LDGM read 0, STG/ST2G/STGM/DC GVA are ignored, STZG,
 *    STGP, STZGM and DC GZVA still write their data;
 *  - Normal (untagged, MAIR 0xff) memory: LDG/LDGM read 0, STG/STGM/DC GVA ignored, STZGM/DC GZVA zero the data.
 * Every granule read was written first: nothing depends on the reset value of tag storage. */
#include "guest.h"
#include "mmu.h"
#include "mte.h"

#define SCTLR_ATA    (1UL << 43)
#define TCR_TBI0     (1UL << 37)

#define TAGGED_VA    0x80000000UL /* four pages of tagged_mem, Tagged Normal */
#define UNTAGGED_VA  0x80100000UL /* the same four pages, Normal (untagged) */
#define MEM_SIZE     16384UL

#define READ_SYSREG(name) ({ u64 _v; __asm__ volatile("mrs %0, " #name : "=r"(_v)); _v; })

static u8 tagged_mem[MEM_SIZE] __attribute__((aligned(4096)));
static const u64 t = TAGGED_VA, u = UNTAGGED_VA;

static u64 ldg(u64 p)
{
    u64 v = p & ~(0xfUL << 56);
    __asm__ volatile("ldg %0, [%1]" : "+r"(v) : "r"(p) : "memory");
    return tag_of(v);
}

/* The tags of the 16 granules from p (through the tagged view), granule i in nibble i. */
static u64 tags16(u64 p)
{
    u64 r = 0;
    for (u64 g = 0; g < 16; g++)
        r |= ldg(t + (p - t) + 16 * g) << (4 * g);
    return r;
}

/* Bit i set when both doublewords of granule i from p read zero. */
static u64 zeroed16(u64 p)
{
    u64 r = 0;
    for (u64 g = 0; g < 16; g++)
        if (ld64(p + 16 * g) == 0 && ld64(p + 16 * g + 8) == 0)
            r |= 1UL << g;
    return r;
}

/* All tags 0, every doubleword a distinct non-zero pattern. */
static void reset(void)
{
    for (u64 off = 0; off < MEM_SIZE; off += 16)
        stg(t + off);
    for (u64 off = 0; off < MEM_SIZE; off += 8)
        st64(t + off, 0x1000000000000000UL | off);
}

static void show(const char *what, u64 region)
{
    print_str("  ");
    print_str(what);
    print_str(": tags ");
    print_hex64(tags16(region));
    print_str(" zeroed ");
    print_hex(zeroed16(region), 4);
    newline();
}

#define STORE_TAG_FORMS(insn, region, t1, t2, t3)                                                                    \
    do {                                                                                                             \
        u64 a = with_tag(region, 0x5);                                                                               \
        __asm__ volatile(insn " %1, [%0], #32" : "+r"(a) : "r"(with_tag(0, t1)) : "memory");                         \
        print_kv("  " insn " [a], #32: a", a);                                                                       \
        __asm__ volatile(insn " %1, [%0, #64]!" : "+r"(a) : "r"(with_tag(0, t2)) : "memory");                        \
        print_kv("  " insn " [a, #64]!: a", a);                                                                      \
        __asm__ volatile(insn " %1, [%0, #-32]" : "+r"(a) : "r"(with_tag(0, t3)) : "memory");                        \
        print_kv("  " insn " [a, #-32]: a", a);                                                                      \
        __asm__ volatile(insn " %1, [%0, #4080]" : "+r"(a) : "r"(with_tag(0, t3)) : "memory");                       \
        __asm__ volatile(insn " %1, [%0, #-4096]" : "+r"(a) : "r"(with_tag(0, t1)) : "memory");                      \
        show(insn, region);                                                                                          \
        print_kv("  " insn " tags at a+4080 and a-4096", ldg(a + 4080) * 16 + ldg(a - 4096));                       \
    } while (0)

#define ADDG(p, uimm6, uimm4) ({ u64 _r; __asm__ volatile("addg %0, %1, #" #uimm6 ", #" #uimm4 : "=r"(_r) : "r"(p)); _r; })
#define SUBG(p, uimm6, uimm4) ({ u64 _r; __asm__ volatile("subg %0, %1, #" #uimm6 ", #" #uimm4 : "=r"(_r) : "r"(p)); _r; })

static void subps(const char *label, u64 a, u64 b)
{
    u64 r, nzcv, c;
    __asm__ volatile("msr nzcv, xzr\n\tsubps %0, %3, %4\n\tmrs %1, nzcv\n\tmsr nzcv, xzr\n\tcmpp %3, %4\n\tmrs %2, nzcv"
                     : "=&r"(r), "=&r"(nzcv), "=&r"(c)
                     : "r"(a), "r"(b)
                     : "cc");
    print_kvf(label, r, nzcv);
    print_flags("    cmpp", 0, c);
}

static void gcr(u64 v)
{
    __asm__ volatile("msr gcr_el1, %0\n\tisb" ::"r"(v));
}

static u64 ldgm(u64 p)
{
    u64 v;
    __asm__ volatile("ldgm %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}

static void stgm(u64 p, u64 v)
{
    __asm__ volatile("stgm %0, [%1]" ::"r"(v), "r"(p) : "memory");
}

static void stzgm(u64 p, u64 v)
{
    __asm__ volatile("stzgm %0, [%1]" ::"r"(v), "r"(p) : "memory");
}

static void dc_gva(u64 p)
{
    __asm__ volatile("dc gva, %0" ::"r"(p) : "memory");
}

static void dc_gzva(u64 p)
{
    __asm__ volatile("dc gzva, %0" ::"r"(p) : "memory");
}

/* The block-sized instructions on view v (tagged or untagged alias) of the region at offset off. */
static void block_ops(u64 v, u64 off, u64 gm_bytes, u64 zva_bytes)
{
    u64 b = v + off;
    stgm(b + 0x30, 0xfedcba9876543210UL);
    print_kv("  stgm 0xfedcba9876543210 at block+0x30, then ldgm at block+0x80", ldgm(b + 0x80));
    show("tags of the block (16 granules)", t + off);
    if (gm_bytes == 256)
        show("the next 16 granules", t + off + 0x100);
    stzgm(b + 0x200 + zva_bytes + 0x10, 0x3);
    show("stzgm #3 at block+0x200+DCZID size+0x10", t + off + 0x200);
    dc_gva(with_tag(b + 0x300 + 0x20, 0x9));
    show("dc gva tag 9 at +0x320", t + off + 0x300);
    dc_gzva(with_tag(b + 0x400 + zva_bytes + 0x8, 0xa));
    show("dc gzva tag a at +0x400+DCZID size+8", t + off + 0x400);
}

int main(void)
{
    line("mte-insn: MMU on; four pages mapped as Tagged Normal and as Normal");
    mmu_init();
    mmu_identity_map();
    for (u64 off = 0; off < MEM_SIZE; off += 4096) {
        mmu_map_page(TAGGED_VA + off, (u64)tagged_mem + off,
                     PTE_ATTR(MT_NORMAL_TAGGED) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
        mmu_map_page(UNTAGGED_VA + off, (u64)tagged_mem + off, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
    }
    mmu_enable();
    __asm__ volatile("msr tcr_el1, %0\n\tisb\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::"r"(TCR_VALUE | TCR_TBI0) : "memory");
    __asm__ volatile("msr gcr_el1, xzr\n\tmsr rgsr_el1, %0\n\tisb" ::"r"(0x00beef00UL));
    __asm__ volatile("msr tco, #0");
    set_sctlr(SCTLR_ATA); /* tag access on, TCF = 0: no checks */
    reset();

    u64 gmid = READ_SYSREG(s3_1_c0_c0_4), dczid = READ_SYSREG(dczid_el0);
    u64 gm_bytes = 4UL << (gmid & 0xf), zva_bytes = 4UL << (dczid & 0xf);
    print_kv("GMID_EL1.BS", gmid & 0xf);
    print_kv("DCZID_EL0.BS", dczid & 0xf);

    line("mte-insn: STG/STZG/ST2G/STZ2G post-index #32, pre-index #64!, offset #-32, offsets #4080 and #-4096");
    STORE_TAG_FORMS("stg", t + 0x1100, 1, 2, 3);
    STORE_TAG_FORMS("stzg", t + 0x1200, 4, 5, 6);
    STORE_TAG_FORMS("st2g", t + 0x1300, 7, 8, 9);
    STORE_TAG_FORMS("stz2g", t + 0x1400, 0xa, 0xb, 0xc);
    line("  stg to an address 8 bytes past a granule: Alignment fault, no tag written");
    stg(with_tag(t + 0x1508, 0));
    stg(with_tag(t + 0x1518, 0xd));
    print_kv("  tags of +0x1500 and +0x1510", ldg(t + 0x1500) * 16 + ldg(t + 0x1510));
    line("  st2g and stzg misaligned");
    __asm__ volatile("st2g %0, [%0]" ::"r"(with_tag(t + 0x1524, 0xe)) : "memory");
    __asm__ volatile("stzg %0, [%0]" ::"r"(with_tag(t + 0x1502, 0xe)) : "memory");
    show("after the faults", t + 0x1500);

    line("mte-insn: STGP post-index #32, pre-index #32!, offset #-16 (tag from the base register)");
    {
        u64 a = with_tag(t + 0x1600, 0xd);
        __asm__ volatile("stgp %1, %2, [%0], #32" : "+r"(a) : "r"(0x1111UL), "r"(0x2222UL) : "memory");
        print_kv("  stgp [a], #32: a", a);
        a = with_tag(a, 0xe);
        __asm__ volatile("stgp %1, %2, [%0, #32]!" : "+r"(a) : "r"(0x3333UL), "r"(0x4444UL) : "memory");
        print_kv("  stgp [a, #32]!: a", a);
        a = with_tag(a, 0xf);
        __asm__ volatile("stgp %1, %2, [%0, #-16]" : "+r"(a) : "r"(0x5555UL), "r"(0x6666UL) : "memory");
        print_kv("  stgp [a, #-16]: a", a);
        __asm__ volatile("stgp xzr, %1, [%0, #1008]" : : "r"(with_tag(t + 0x1600, 0x2)), "r"(0x7777UL) : "memory");
        show("stgp", t + 0x1600);
        for (u64 o = 0; o < 0x60; o += 8)
            print_kv("    data", ld64(t + 0x1600 + o));
        print_kv("  stgp at +1008: tag", ldg(t + 0x19f0));
        print_kv("  stgp at +1008: data", ld64(t + 0x19f0) ^ ld64(t + 0x19f8));
    }

    line("mte-insn: LDG with offsets keeps the other bits of Xt");
    {
        u64 v = 0xa5a5a5a5a5a5a5a5UL;
        __asm__ volatile("ldg %0, [%1, #32]" : "+r"(v) : "r"(t + 0x1100) : "memory");
        print_kv("  ldg [+0x1100, #32]", v);
        v = 0x5a5a5a5a5a5a5a5aUL;
        __asm__ volatile("ldg %0, [%1, #-4096]" : "+r"(v) : "r"(t + 0x1348) : "memory");
        print_kv("  ldg [+0x1348, #-4096]", v);
        v = 0;
        __asm__ volatile("ldg %0, [%1, #4080]" : "+r"(v) : "r"(t + 0x1000) : "memory");
        print_kv("  ldg [+0x1000, #4080]", v);
    }

    line("mte-insn: STGM/LDGM (GMID block), STZGM (DCZID block), DC GVA, DC GZVA (DCZID block)");
    print_kv("  LDGM/STGM block bytes", gm_bytes);
    print_kv("  STZGM/DC GVA/DC GZVA block bytes", zva_bytes);
    reset();
    block_ops(t, 0x2000, gm_bytes, zva_bytes);

    line("mte-insn: IRG (RRND = 0)");
    __asm__ volatile("msr rgsr_el1, %0\n\tisb" ::"r"(0x00beef03UL));
    gcr(0xaaaa); /* odd tags excluded */
    for (int i = 0; i < 4; i++)
        print_kv("  irg GCR 0xaaaa", tag_of(irg(t, 0)));
    for (int i = 0; i < 4; i++)
        print_kv("  irg GCR 0xaaaa Xm 0x0154", tag_of(irg(t, 0x0154)));
    print_kv("  RGSR_EL1", READ_SYSREG(rgsr_el1));
    gcr(0x8001);
    __asm__ volatile("msr rgsr_el1, %0\n\tisb" ::"r"(0x00000000UL));
    for (int i = 0; i < 3; i++)
        print_kv("  irg seed 0, GCR 0x8001", tag_of(irg(with_tag(t, 0xc), 0)));
    print_kv("  RGSR_EL1", READ_SYSREG(rgsr_el1));
    __asm__ volatile("msr rgsr_el1, %0\n\tisb" ::"r"(0x00ffff0eUL));
    for (int i = 0; i < 3; i++)
        print_kv("  irg seed ffff, Xm 0x4000", tag_of(irg(t, 0x4000)));
    print_kv("  RGSR_EL1", READ_SYSREG(rgsr_el1));
    {
        u64 r;
        __asm__ volatile("mov x9, sp\n\tirg sp, sp, xzr\n\tmov %0, sp\n\tmov sp, x9" : "=r"(r) : : "x9");
        print_kv("  irg sp, sp: tag", tag_of(r));
    }

    line("mte-insn: ADDG/SUBG with GCR_EL1.Exclude");
    gcr(0);
    print_kv("  addg #0, #0 tag 7", ADDG(with_tag(t, 7), 0, 0));
    print_kv("  addg #1008, #15 tag 7", ADDG(with_tag(t, 7), 1008, 15));
    print_kv("  subg #1008, #15 tag 7", SUBG(with_tag(t, 7), 1008, 15));
    print_kv("  addg #16, #1 tag f (wraps)", ADDG(with_tag(t, 0xf), 16, 1));
    print_kv("  addg carry into the tag bits", ADDG(0x00fffffffffffff0UL | (3UL << 56), 16, 0));
    print_kv("  subg borrow from the tag bits", SUBG(0x0000000000000000UL | (3UL << 56), 16, 0));
    gcr(0x0180); /* 7 and 8 excluded */
    print_kv("  excl 7,8: addg #0, #0 tag 7", ADDG(with_tag(t, 7), 0, 0));
    print_kv("  excl 7,8: addg #0, #1 tag 6", ADDG(with_tag(t, 6), 0, 1));
    print_kv("  excl 7,8: addg #0, #2 tag 6", ADDG(with_tag(t, 6), 0, 2));
    print_kv("  excl 7,8: subg #0, #1 tag 9", SUBG(with_tag(t, 9), 0, 1));
    gcr(0xffff);
    print_kv("  all excluded: addg #32, #3 tag 5", ADDG(with_tag(t, 5), 32, 3));
    gcr(0x10000 | 0x0001); /* RRND = 1 changes only IRG */
    print_kv("  RRND=1 excl 0: addg #0, #1 tag f", ADDG(with_tag(t, 0xf), 0, 1));
    gcr(0);

    line("mte-insn: GMI, SUBP, SUBPS, CMPP");
    {
        u64 r;
        __asm__ volatile("gmi %0, %1, %2" : "=r"(r) : "r"(with_tag(0, 0xf)), "r"(0x1UL));
        print_kv("  gmi tag f into 1", r);
        __asm__ volatile("gmi %0, %1, xzr" : "=r"(r) : "r"(0xf7UL << 56));
        print_kv("  gmi tag 7, xzr", r);
        __asm__ volatile("gmi %0, sp, %1" : "=r"(r) : "r"(0x8000UL));
        print_kv("  gmi sp (untagged stack), 0x8000", r);
        __asm__ volatile("subp %0, %1, %2" : "=r"(r) : "r"(0xff80000000000000UL), "r"(0x0100000000000001UL));
        print_kv("  subp bit 55 set minus 1", r);
        __asm__ volatile("mov x9, sp\n\tsubp %0, sp, x9" : "=r"(r) : : "x9");
        print_kv("  subp sp, sp", r);
    }
    subps("  subps 0x10 - 0x20", with_tag(0x10, 3), with_tag(0x20, 4));
    subps("  subps 0x20 - 0x10", 0x20, 0xff00000000000010UL);
    subps("  subps equal, different tags", with_tag(0x1234, 1), with_tag(0x1234, 0xe));
    subps("  subps 0x0080000000000000 - 1", 0x0080000000000000UL, 1);
    subps("  subps 0x007fffffffffffff - 0x0080000000000000", 0x007fffffffffffffUL, 0x0080000000000000UL);
    subps("  subps 0 - 0x0080000000000000", 0, 0x0080000000000000UL);

    line("mte-insn: SCTLR_EL1.ATA = 0 (tag access disabled)");
    reset();
    stg(with_tag(t + 0x100, 0x6));
    stg(with_tag(t + 0x2000, 0x6));
    set_sctlr(0);
    __asm__ volatile("msr rgsr_el1, %0\n\tisb" ::"r"(0x00beef03UL));
    print_kv("  irg", irg(with_tag(t, 0x5), 0));
    print_kv("  RGSR_EL1 after irg", READ_SYSREG(rgsr_el1));
    print_kv("  addg #16, #2 tag 5", ADDG(with_tag(t, 5), 16, 2));
    print_kv("  subg #16, #2 tag 5", SUBG(with_tag(t, 5), 16, 2));
    {
        u64 v = 0xffffffffffffffffUL;
        __asm__ volatile("ldg %0, [%1]" : "+r"(v) : "r"(t + 0x100) : "memory");
        print_kv("  ldg of a granule tagged 6", v);
    }
    print_kv("  ldgm", ldgm(t + 0x2000));
    u64 gmi_r;
    __asm__ volatile("gmi %0, %1, xzr" : "=r"(gmi_r) : "r"(with_tag(0, 0x3)));
    print_kv("  gmi unaffected", gmi_r);
    stg(with_tag(t + 0x110, 0x7));
    __asm__ volatile("st2g %0, [%0]" ::"r"(with_tag(t + 0x120, 0x7)) : "memory");
    __asm__ volatile("stzg %0, [%0]" ::"r"(with_tag(t + 0x140, 0x7)) : "memory");
    __asm__ volatile("stz2g %0, [%0]" ::"r"(with_tag(t + 0x160, 0x7)) : "memory");
    __asm__ volatile("stgp %1, %2, [%0]" ::"r"(with_tag(t + 0x180, 0x7)), "r"(0UL), "r"(0UL) : "memory");
    block_ops(t, 0x2000, gm_bytes, zva_bytes);
    set_sctlr(SCTLR_ATA);
    show("stg, st2g, stzg, stz2g, stgp with tag 7 (tags unchanged, data zeroed by stzg/stz2g/stgp)", t + 0x100);
    show("the block region, tag access on again", t + 0x2000);

    line("mte-insn: Normal (untagged) memory");
    reset();
    stg(with_tag(t + 0x2000, 0x6));
    print_kv("  ldg via the untagged alias of a granule tagged 6", ldg(u + 0x2000));
    print_kv("  ldgm via the untagged alias", ldgm(u + 0x2000));
    stg(with_tag(u + 0x100, 0x7));
    __asm__ volatile("stzg %0, [%0]" ::"r"(with_tag(u + 0x140, 0x7)) : "memory");
    __asm__ volatile("stgp %1, %2, [%0]" ::"r"(with_tag(u + 0x180, 0x7)), "r"(0UL), "r"(0UL) : "memory");
    show("stg, stzg, stgp tag 7 via the untagged alias", t + 0x100);
    block_ops(u, 0x2000, gm_bytes, zva_bytes);

    set_sctlr(0);
    mmu_disable();
    print_kv("exceptions taken", exc_count);
    line("mte-insn: done");
    return 0;
}
