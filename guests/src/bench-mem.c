/* bench-mem: memory-heavy load/add/store loop for `pnpm bench` (not an oracle test). A 4 MiB buffer of 64-bit
 * words, mapped with two 2 MiB Normal write-back blocks, is filled, then updated in place (load, add, store)
 * 320 times, then summed. Prints the checksum and powers off. */
#include "guest.h"
#include "mmu.h"
#define BENCH_PASSES 320
#include "bench-mem-loop.h"

#define BUF_VA     0x40400000UL   /* just past the 4 MiB identity map */
#define BUF_BYTES  0x00400000UL
#define WORDS      (BUF_BYTES / 8)

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_map_block(BUF_VA, BUF_VA, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN, 2);
    mmu_map_block(BUF_VA + 0x200000, BUF_VA + 0x200000, PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN, 2);
    mmu_enable();
    print_line("bench-mem: load/add/store over 4 MiB");
    volatile u64 *const vbuf = (volatile u64 *)BUF_VA;
    u64 *const buf = (u64 *)vbuf;
    const u64 sum = bench_mem_loop(buf, WORDS);
    print_kv("checksum", sum);
    return 0;
}
