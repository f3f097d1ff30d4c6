/* tagsum: the policy demo's MTE guest. Reads ID_AA64PFR1_EL1.MTE; without MTE it touches GCR_EL1 (UNDEFINED in a
 * VM without MTE: EC 0x00) and powers off. With MTE it maps 32 pages at 0x4080_0000 as Tagged Normal and:
 *  - if the first doubleword holds MAGIC (the VMM restored a snapshot there): checks every granule's tag with LDG
 *    against the pattern, prints how many are intact and the checksum;
 *  - otherwise writes MAGIC, tags every granule with STG (tag = (granule * 7 + page) & 0xf), prints a line (a stop
 *    point for a VMM's snapshot), reads every tag back and prints the checksum.
 * The region is outside the image, so a restored snapshot survives loading the same ELF again. */
#include "guest.h"
#include "mmu.h"
#include "mte.h"

#define SCTLR_ATA   (1UL << 43)
#define TCR_TBI0    (1UL << 37)
#define BUF         0x40800000UL
#define PAGES       32
#define GRANULES    (PAGES * 4096 / 16)
#define MAGIC       0x74616773756d2121UL /* "!!mustag" */

static u64 read_pfr1(void)
{
    u64 v;
    __asm__ volatile("mrs %0, id_aa64pfr1_el1" : "=r"(v));
    return v;
}

static u64 ldg(u64 p)
{
    u64 t = p & ~(0xfUL << 56);
    __asm__ volatile("ldg %0, [%1]" : "+r"(t) : "r"(p) : "memory");
    return (t >> 56) & 0xf;
}

static u64 pattern(u64 g)
{
    return (g * 7 + g / 256) & 0xf;
}

int main(void)
{
    u64 level = (read_pfr1() >> 8) & 0xf;
    print_kv("tagsum: ID_AA64PFR1_EL1.MTE", level);
    if (level < 2) {
        u64 v = 0;
        print_str("tagsum: no MTE; MRS GCR_EL1, MSR GCR_EL1\n");
        __asm__ volatile("mrs %0, s3_0_c1_c0_6" : "+r"(v));
        __asm__ volatile("msr s3_0_c1_c0_6, %0" ::"r"(v));
        print_str("tagsum: done\n");
        return 0;
    }
    mmu_init();
    mmu_identity_map();
    for (u64 off = 0; off < PAGES * 4096UL; off += 4096)
        mmu_map_page(BUF + off, BUF + off, PTE_ATTR(MT_NORMAL_TAGGED) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN);
    mmu_enable();
    __asm__ volatile("msr tcr_el1, %0\n\tisb\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::"r"(TCR_VALUE | TCR_TBI0) : "memory");
    __asm__ volatile("msr gcr_el1, %0\n\tmsr tco, #0\n\tisb" ::"r"(0x0001UL));
    __asm__ volatile("msr sctlr_el1, %0\n\tisb" ::"r"((u64)(SCTLR_BASE | SCTLR_M | SCTLR_C | SCTLR_I) | SCTLR_ATA)
                     : "memory");

    volatile u64 *magic = (volatile u64 *)BUF;
    int restored = *magic == MAGIC;
    if (!restored) {
        print_str("tagsum: tagging 32 pages\n");
        *magic = MAGIC;
        for (u64 g = 0; g < GRANULES; g++)
            stg((BUF + 16 * g) | (pattern(g) << 56));
        /* A VMM may stop here (the policy demo does) and snapshot the VM: the check below then runs after restore. */
        print_str("tagsum: tagged; checking\n");
    } else {
        print_str("tagsum: found a restored buffer; checking its tags\n");
    }
    u64 sum = 0, intact = 0;
    for (u64 g = 0; g < GRANULES; g++) {
        u64 t = ldg(BUF + 16 * g);
        sum = sum * 31 + t;
        if (t == pattern(g))
            intact++;
    }
    print_kv("tagsum: granules", GRANULES);
    print_kv("tagsum: intact", intact);
    print_kv("tagsum: checksum", sum);
    print_str(intact == GRANULES ? "tagsum: TAGS OK\n" : "tagsum: TAGS LOST\n");
    return 0;
}
