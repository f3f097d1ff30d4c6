/* bench-neon-string: an AdvSIMD benchmark guest for `pnpm bench` (issue 12; not an oracle test). memcpy, memset and
 * strlen written with AdvSIMD the way an optimized libc does it (written here, in assembly below): memcpy moves 32
 * bytes a step with LD1/ST1 of two registers, then 16 with LDR/STR Q, and finishes with one overlapping unaligned
 * LDUR/STUR Q (sizes under 16: X/W/H/B pieces chosen by TBZ); memset DUPs the byte and stores STP Q; strlen reads
 * aligned 16-byte chunks, CMEQ against zero, UMAXV to test a chunk, SHRN #4 to make a nibble mask of it, RBIT/CLZ
 * for the index. Sizes 0..300, source and destination alignments 0..15, as bench-string does with general
 * registers. The MMU is on (Normal memory: unaligned Q accesses are allowed). Prints checksums. */
// cflags: -O2 +simd
#include "bench-fp.h"

#define BUF     1024
#define MAXLEN  300
#define ROUNDS  30

static u8 src[BUF] __attribute__((aligned(16)));
static u8 dst[BUF] __attribute__((aligned(16)));

void *neon_memcpy(void *d, const void *s, u64 n);
void *neon_memset(void *d, int c, u64 n);
u64 neon_strlen(const char *s);

__asm__(
    "    .section .text.neon_memcpy, \"ax\"\n"
    "    .global neon_memcpy\n"
    "    .type neon_memcpy, %function\n"
    "neon_memcpy:\n"
    "    mov     x3, x0\n"
    "    cmp     x2, #16\n"
    "    b.lo    5f\n"
    "1:  cmp     x2, #32\n"
    "    b.lo    2f\n"
    "    ld1     {v0.16b, v1.16b}, [x1], #32\n"
    "    st1     {v0.16b, v1.16b}, [x3], #32\n"
    "    sub     x2, x2, #32\n"
    "    b       1b\n"
    "2:  cmp     x2, #16\n"
    "    b.lo    3f\n"
    "    ldr     q0, [x1], #16\n"
    "    str     q0, [x3], #16\n"
    "    sub     x2, x2, #16\n"
    "3:  cbz     x2, 4f\n"                /* 1..15 left of >= 16: the last 16 bytes, overlapping */
    "    add     x1, x1, x2\n"
    "    add     x3, x3, x2\n"
    "    ldur    q0, [x1, #-16]\n"
    "    stur    q0, [x3, #-16]\n"
    "4:  ret\n"
    "5:  tbz     x2, #3, 6f\n"            /* under 16 bytes */
    "    ldr     x4, [x1], #8\n"
    "    str     x4, [x3], #8\n"
    "6:  tbz     x2, #2, 7f\n"
    "    ldr     w4, [x1], #4\n"
    "    str     w4, [x3], #4\n"
    "7:  tbz     x2, #1, 8f\n"
    "    ldrh    w4, [x1], #2\n"
    "    strh    w4, [x3], #2\n"
    "8:  tbz     x2, #0, 9f\n"
    "    ldrb    w4, [x1]\n"
    "    strb    w4, [x3]\n"
    "9:  ret\n"
    "    .size neon_memcpy, . - neon_memcpy\n"

    "    .section .text.neon_memset, \"ax\"\n"
    "    .global neon_memset\n"
    "    .type neon_memset, %function\n"
    "neon_memset:\n"
    "    dup     v0.16b, w1\n"
    "    mov     x3, x0\n"
    "    cmp     x2, #16\n"
    "    b.lo    5f\n"
    "1:  cmp     x2, #32\n"
    "    b.lo    2f\n"
    "    stp     q0, q0, [x3], #32\n"
    "    sub     x2, x2, #32\n"
    "    b       1b\n"
    "2:  cmp     x2, #16\n"
    "    b.lo    3f\n"
    "    str     q0, [x3], #16\n"
    "    sub     x2, x2, #16\n"
    "3:  cbz     x2, 4f\n"
    "    add     x3, x3, x2\n"
    "    stur    q0, [x3, #-16]\n"
    "4:  ret\n"
    "5:  fmov    x4, d0\n"
    "    tbz     x2, #3, 6f\n"
    "    str     x4, [x3], #8\n"
    "6:  tbz     x2, #2, 7f\n"
    "    str     w4, [x3], #4\n"
    "7:  tbz     x2, #1, 8f\n"
    "    strh    w4, [x3], #2\n"
    "8:  tbz     x2, #0, 9f\n"
    "    strb    w4, [x3]\n"
    "9:  ret\n"
    "    .size neon_memset, . - neon_memset\n"

    "    .section .text.neon_strlen, \"ax\"\n"
    "    .global neon_strlen\n"
    "    .type neon_strlen, %function\n"
    "neon_strlen:\n"
    "    bic     x1, x0, #15\n"           /* the aligned chunk holding s[0] */
    "    ld1     {v0.16b}, [x1]\n"
    "    cmeq    v0.16b, v0.16b, #0\n"
    "    shrn    v0.8b, v0.8h, #4\n"      /* 4 bits per byte */
    "    fmov    x2, d0\n"
    "    lsl     x3, x0, #2\n"
    "    lsr     x2, x2, x3\n"            /* drop the bytes before s ((s & 15) * 4 bits) */
    "    cbz     x2, 1f\n"
    "    rbit    x2, x2\n"
    "    clz     x2, x2\n"
    "    lsr     x0, x2, #2\n"
    "    ret\n"
    "1:  ldr     q0, [x1, #16]!\n"
    "    cmeq    v0.16b, v0.16b, #0\n"
    "    umaxv   b1, v0.16b\n"
    "    fmov    w2, s1\n"
    "    cbz     w2, 1b\n"
    "    shrn    v0.8b, v0.8h, #4\n"
    "    fmov    x2, d0\n"
    "    rbit    x2, x2\n"
    "    clz     x2, x2\n"
    "    sub     x0, x1, x0\n"
    "    add     x0, x0, x2, lsr #2\n"
    "    ret\n"
    "    .size neon_strlen, . - neon_strlen\n"
    "    .text\n");

__attribute__((noinline)) static int run(void)
{
    print_line("bench-neon-string: AdvSIMD memcpy/memset/strlen, sizes 0..300, alignments 0..15");
    for (u32 i = 0; i < BUF; i++)
        src[i] = (u8)(i * 37 + 11) | 1;     /* no zero bytes */
    u64 h = 0, calls = 0, errors = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        for (u32 sa = 0; sa < 16; sa++) {
            for (u32 da = 0; da < 16; da++) {
                for (u32 n = 0; n <= MAXLEN; n++) {
                    neon_memset(dst + da, (int)(n + r), n + 16);
                    neon_memcpy(dst + da, src + sa + r, n);
                    dst[da + n] = 0;
                    u64 len = neon_strlen((const char *)dst + da);
                    if (len != n || (n && (dst[da] != src[sa + r] || dst[da + n - 1] != src[sa + r + n - 1])) ||
                        dst[da + n + 1] != (u8)(n + r))
                        errors++;
                    h = mix64(h, len ^ dst[da + n / 2] ^ (u64)dst[da + n + 5] << 40);
                    calls += 3;
                }
            }
        }
    }
    print_kv("calls", calls);
    print_kv("errors", errors);
    print_kv("checksum", h);
    return 0;
}

int main(void)
{
    bench_fp_setup();
    return run();
}
