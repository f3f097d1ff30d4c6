/* Shared by the FP/SIMD benchmark guests (bench-fp-*, bench-neon-*, bench-aes-*; `// cflags: -O2 +simd`): enabling
 * SIMD&FP at EL1, the MMU (Normal memory, so that SIMD loads and stores of any alignment are allowed) and a checksum
 * over the bit patterns of results, so that QEMU and vmm-lite must agree to the bit. */
#ifndef BENCH_FP_H
#define BENCH_FP_H
#include "guest.h"
#include "mmu.h"

/* CPACR_EL1.FPEN = 0b11 (start.S leaves SIMD&FP trapping). Called first thing in main, before any FP/SIMD code:
 * main itself does nothing else, so the compiler has no FP/SIMD work to place before it. */
static inline void fp_enable(void)
{
    __asm__ volatile("msr cpacr_el1, %0\n\tisb" : : "r"(3UL << 20) : "memory");
}

/* The identity map of the first 4 MiB of RAM as Normal memory, MMU on. */
static inline void bench_fp_setup(void)
{
    fp_enable();
    mmu_init();
    mmu_identity_map();
    mmu_enable();
}

/* A 64-bit mixing step for checksums (a multiply and a shift: the same on every emulator). */
static inline u64 mix64(u64 h, u64 v)
{
    h ^= v;
    h *= 0x9e3779b97f4a7c15UL;
    return h ^ (h >> 29);
}

/* The bit pattern of a double. */
static inline u64 bits_of(double d)
{
    union { double d; u64 u; } c = { .d = d };
    return c.u;
}

#endif
