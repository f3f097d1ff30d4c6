/* bench-fp-matmul: an FP benchmark guest for `pnpm bench` (issue 12; not an oracle test). Double-precision matrix
 * multiply, 96x96, in the i-k-j order a C programmer writes (GCC 12 -O2 vectorizes the inner loop: LD1R, LDR/STR Q,
 * FMLA .2D), 72 rounds: each round C = A * B, then A = C scaled by 1/(max |c|) (FABS, FCMPE/FCSEL, FDIV, FMUL) so
 * the values stay bounded; the data from SCVTF of random integers. Prints the checksum of every result's bit pattern and a few
 * entries' bits, so QEMU and vmm-lite must agree to the bit. */
// cflags: -O2 +simd
#include "bench-fp.h"
#include "xorshift.h"

#define N       96
#define ROUNDS  72

static double a[N][N] __attribute__((aligned(16)));
static double b[N][N] __attribute__((aligned(16)));
static double c[N][N] __attribute__((aligned(16)));

/* A value in [-1, 1) from 53 random bits (UCVTF/SCVTF and an FMUL by 2^-52). */
static double random_unit(void)
{
    return (double)(s64)(rng() >> 11) * 0x1p-52 - 1.0;
}

__attribute__((noinline)) static void matmul(double (*dst)[N], double (*x)[N], double (*y)[N])
{
    for (u32 i = 0; i < N; i++) {
        for (u32 j = 0; j < N; j++)
            dst[i][j] = 0.0;
        for (u32 k = 0; k < N; k++) {
            double xik = x[i][k];
            for (u32 j = 0; j < N; j++)
                dst[i][j] += xik * y[k][j];
        }
    }
}

/* dst = src / max |src|; returns the maximum. */
__attribute__((noinline)) static double normalize(double (*dst)[N], double (*src)[N])
{
    double m = 0.0;
    for (u32 i = 0; i < N; i++)
        for (u32 j = 0; j < N; j++) {
            double v = __builtin_fabs(src[i][j]);
            if (v > m)
                m = v;
        }
    double inv = 1.0 / m;
    for (u32 i = 0; i < N; i++)
        for (u32 j = 0; j < N; j++)
            dst[i][j] = src[i][j] * inv;
    return m;
}

__attribute__((noinline)) static int run(void)
{
    print_line("bench-fp-matmul: 96x96 double matrix multiply, 72 rounds (GCC -O2, FP/SIMD)");
    rng_state = 0x2545f4914f6cdd1dUL;
    for (u32 i = 0; i < N; i++)
        for (u32 j = 0; j < N; j++) {
            a[i][j] = random_unit();
            b[i][j] = random_unit();
        }
    u64 h = 0;
    for (u32 r = 0; r < ROUNDS; r++) {
        matmul(c, a, b);
        double m = normalize(a, c);
        h = mix64(h, bits_of(m));
        for (u32 i = 0; i < N; i++)
            for (u32 j = 0; j < N; j++)
                h = mix64(h, bits_of(c[i][j]));
    }
    print_kv("c[0][0]", bits_of(c[0][0]));
    print_kv("c[95][17]", bits_of(c[95][17]));
    print_kv("checksum", h);
    return 0;
}

int main(void)
{
    bench_fp_setup();
    return run();
}
