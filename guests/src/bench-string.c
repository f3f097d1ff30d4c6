/* bench-string: an untuned benchmark guest for `pnpm bench` (issue 11; not an oracle test). C versions of memcpy,
 * memset, strlen and strcmp as a small libc writes them (byte loops to align, then 64-bit words; the word-at-a-time
 * zero-byte test for strlen), over every size 0..300 and every source/destination alignment 0..7. General registers
 * only (the modelled CPU has no FP/SIMD). GCC -O2, MMU on. Prints checksums, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"

#define BUF     1024
#define MAXLEN  300
#define ROUNDS  48

static u8 src[BUF] __attribute__((aligned(16)));
static u8 dst[BUF] __attribute__((aligned(16)));

#define ONES  0x0101010101010101UL
#define HIGHS 0x8080808080808080UL

/* Word accesses to byte buffers: may_alias, so -O2's strict aliasing cannot reorder them against byte accesses. */
typedef u64 __attribute__((may_alias)) word;

/* noinline: each is a function a program calls, as a libc's are. */
__attribute__((noinline)) static void *k_memcpy(void *d, const void *s, u64 n)
{
    u8 *dp = d;
    const u8 *sp = s;
    while (n && ((u64)dp & 7)) {
        *dp++ = *sp++;
        n--;
    }
    if (((u64)sp & 7) == 0) {
        for (; n >= 8; n -= 8, dp += 8, sp += 8)
            *(word *)dp = *(const word *)sp;
    } else {
        /* Source misaligned: aligned loads combined with shifts (the architecture allows unaligned loads to Normal
         * memory, but a small libc written for strict alignment does this). */
        u64 off = (u64)sp & 7;
        const word *ws = (const word *)(sp - off);
        u64 lo = *ws++;
        for (; n >= 8; n -= 8, dp += 8, sp += 8) {
            u64 hi = *ws++;
            *(word *)dp = (lo >> (8 * off)) | (hi << (64 - 8 * off));
            lo = hi;
        }
    }
    while (n--)
        *dp++ = *sp++;
    return d;
}

__attribute__((noinline)) static void *k_memset(void *d, int c, u64 n)
{
    u8 *dp = d;
    while (n && ((u64)dp & 7)) {
        *dp++ = (u8)c;
        n--;
    }
    u64 w = (u8)c * ONES;
    for (; n >= 8; n -= 8, dp += 8)
        *(word *)dp = w;
    while (n--)
        *dp++ = (u8)c;
    return d;
}

__attribute__((noinline)) static u64 k_strlen(const char *s)
{
    const char *p = s;
    while ((u64)p & 7) {
        if (!*p)
            return p - s;
        p++;
    }
    const word *w = (const word *)p;
    for (;;) {
        u64 v = *w;
        if ((v - ONES) & ~v & HIGHS)
            break;
        w++;
    }
    p = (const char *)w;
    while (*p)
        p++;
    return p - s;
}

__attribute__((noinline)) static int k_strcmp(const char *a, const char *b)
{
    const u8 *x = (const u8 *)a, *y = (const u8 *)b;
    while (*x && *x == *y) {
        x++;
        y++;
    }
    return (int)*x - (int)*y;
}

static u64 mix(u64 h, u64 v)
{
    h ^= v;
    h *= 0x9e3779b97f4a7c15UL;
    return h ^ (h >> 29);
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-string: memcpy/memset/strlen/strcmp, sizes 0..300, alignments 0..7 (GCC -O2)");
    for (u32 i = 0; i < BUF; i++)
        src[i] = (u8)(i * 37 + 11) | 1;     /* no zero bytes */
    u64 h = 0, calls = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        for (u32 sa = 0; sa < 8; sa++) {
            for (u32 da = 0; da < 8; da++) {
                for (u32 n = 0; n <= MAXLEN; n++) {
                    k_memset(dst + da, (int)(n + r), n + 16);
                    k_memcpy(dst + da, src + sa + r, n);
                    dst[da + n] = 0;
                    u64 len = k_strlen((const char *)dst + da);
                    src[sa + n + 200] = 0;
                    int c = k_strcmp((const char *)dst + da, (const char *)src + sa + r);
                    src[sa + n + 200] = (u8)((sa + n + 200) * 37 + 11) | 1;
                    h = mix(h, len ^ (u64)(u32)c << 20 ^ dst[da + n / 2] ^ (u64)dst[da + n + 5] << 40);
                    calls += 4;
                }
            }
        }
    }
    print_kv("calls", calls);
    print_kv("checksum", h);
    return 0;
}
