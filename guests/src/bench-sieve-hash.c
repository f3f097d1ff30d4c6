/* bench-sieve-hash: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test: see guests/README.md).
 * GCC -O2 code as a distribution would build it: a sieve over a byte array (STRB/LDRB with register offsets,
 * CMP/B.cond) and a multiply/rotate hash of the result (MUL, EXTR/ROR, CSEL), MMU on (Normal write-back).
 * A fixed amount of work; prints the checksums and powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"

#define SIEVE_N  600000
#define ROUNDS   48       /* at most 75: n = SIEVE_N - r * 7919 must stay positive */

static u8 sieve[SIEVE_N] __attribute__((aligned(16)));

static inline u64 rotl(u64 x, unsigned r)
{
    return (x << r) | (x >> (64 - r));
}

/* Marks composites in [0, n), with the sieve's stride chosen per round so the rounds differ. */
static void run_sieve(u32 n)
{
    for (u32 i = 0; i < n; i++)
        sieve[i] = 1;
    sieve[0] = sieve[1] = 0;
    for (u32 p = 2; p * p < n; p++)
        if (sieve[p])
            for (u32 m = p * p; m < n; m += p)
                sieve[m] = 0;
}

/* A multiply/rotate hash over the sieve bytes (every byte; primes also mix in their index). */
static u64 hash_sieve(u32 n, u64 h)
{
    u64 lo = 0, hi = 0;
    for (u32 i = 0; i < n; i++) {
        u64 v = sieve[i];
        u64 k = (v ? i : (u64)i * 0x9e3779b1u) ^ v;
        h = rotl(h ^ (k * 0xff51afd7ed558ccdUL), 31) * 5 + 0xe6546b64;
        lo = (h < lo) ? h : lo + 1;     /* CSEL */
        hi = (h > hi) ? h : hi;
    }
    return h ^ rotl(lo, 17) ^ rotl(hi, 43);
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-sieve-hash: byte-array sieve + multiply/rotate hash (GCC -O2)");
    u64 h = 0x243f6a8885a308d3UL, primes = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        u32 n = SIEVE_N - r * 7919;
        run_sieve(n);
        for (u32 i = 0; i < n; i++)
            primes += sieve[i];
        h = hash_sieve(n, h);
    }
    print_kv("primes", primes);
    print_kv("hash", h);
    print_kv("checksum", h ^ (primes << 32));
    return 0;
}
