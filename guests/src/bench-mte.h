/* The tagged-memory benchmark shared by bench-mte-sync.c (TCF = 1, synchronous checks) and bench-mte-none.c
 * (TCF = 0, no checks): the same load/add/store loop as bench-mem, over 4 MiB of Tagged Normal memory whose
 * granules all carry tag 3, accessed through a pointer with tag 3 (every check passes). `pnpm bench` shows the cost
 * of checking as the ratio of the two. Define BENCH_TCF (0 or 1) and BENCH_NAME before including this file. */
#include "guest.h"
#include "mmu.h"
/* Fewer passes than bench-mem's 320: QEMU checks tags about 10x slower than it runs the unchecked loop. */
#define BENCH_PASSES 128
#include "bench-mem-loop.h"

#define BUF_VA     0x40400000UL   /* just past the 4 MiB identity map */
#define BUF_BYTES  0x00400000UL
#define WORDS      (BUF_BYTES / 8)
#define TAG        3UL
#define TCR_TBI0   (1UL << 37)
#define SCTLR_ATA  (1UL << 43)
#define SCTLR_TCF(m) ((u64)(m) << 40)

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_map_block(BUF_VA, BUF_VA, PTE_ATTR(MT_NORMAL_TAGGED) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN, 2);
    mmu_map_block(BUF_VA + 0x200000, BUF_VA + 0x200000, PTE_ATTR(MT_NORMAL_TAGGED) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN, 2);
    mmu_enable();
    __asm__ volatile("msr tcr_el1, %0\n\tisb\n\ttlbi vmalle1is\n\tdsb ish\n\tisb" ::"r"(TCR_VALUE | TCR_TBI0) : "memory");
    __asm__ volatile("msr tco, #0\n\tisb");
    __asm__ volatile("msr sctlr_el1, %0\n\tisb"
                     ::"r"((u64)(SCTLR_BASE | SCTLR_M | SCTLR_C | SCTLR_I) | SCTLR_ATA | SCTLR_TCF(BENCH_TCF)) : "memory");
    print_line(BENCH_NAME ": load/add/store over 4 MiB of tagged memory");
    const u64 tagged = BUF_VA | (TAG << 56);
    for (u64 g = 0; g < BUF_BYTES; g += 32)
        __asm__ volatile("st2g %0, [%0]" ::"r"(tagged + g) : "memory");
    u64 *const buf = (u64 *)tagged;
    const u64 sum = bench_mem_loop(buf, WORDS);
    print_kv("checksum", sum);
    return 0;
}
