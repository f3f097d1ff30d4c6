/* bench-int: integer compute for `pnpm bench` (not an oracle test: see guests/README.md). A sieve of Eratosthenes
 * over a byte array, then FNV-1a and xorshift64 hash loops over a buffer, with the MMU on (Normal write-back).
 * A fixed amount of work; prints the checksums and powers off. The same ELF runs on vmm-lite and QEMU 10, which
 * must print the same checksums. */
#include "guest.h"
#include "mmu.h"

#define SIEVE_N      1000000   /* bytes: numbers 0..SIEVE_N-1 */
#define SIEVE_ROUNDS 48
#define HASH_BYTES   65536
#define HASH_ROUNDS  384

static u8 composite[SIEVE_N] __attribute__((aligned(16)));
static u64 words[HASH_BYTES / 8] __attribute__((aligned(16)));

static u64 sieve(void)
{
    for (u64 i = 0; i < SIEVE_N; i++)
        composite[i] = 0;
    for (u64 p = 2; p * p < SIEVE_N; p++) {
        if (composite[p])
            continue;
        for (u64 m = p * p; m < SIEVE_N; m += p)
            composite[m] = 1;
    }
    u64 count = 0, sum = 0;
    for (u64 i = 2; i < SIEVE_N; i++) {
        if (!composite[i]) {
            count++;
            sum += i;
        }
    }
    return (count << 40) ^ sum;
}

static u64 xorshift_fill(u64 s)
{
    for (u64 i = 0; i < HASH_BYTES / 8; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        words[i] = s;
    }
    return s;
}

static u64 fnv1a(void)
{
    const u8 *b = (const u8 *)words;
    u64 h = 0xcbf29ce484222325UL;
    for (u64 i = 0; i < HASH_BYTES; i++) {
        h ^= b[i];
        h *= 0x100000001b3UL;
    }
    return h;
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-int: sieve + FNV-1a/xorshift64");
    u64 s = 0;
    for (int r = 0; r < SIEVE_ROUNDS; r++)
        s = (s * 31) ^ sieve();
    print_kv("sieve", s);
    u64 seed = 0x9e3779b97f4a7c15UL, h = 0;
    for (int r = 0; r < HASH_ROUNDS; r++) {
        seed = xorshift_fill(seed);
        h = (h ^ fnv1a()) * 3;
    }
    print_kv("hash", h);
    print_kv("checksum", s ^ h);
    return 0;
}
