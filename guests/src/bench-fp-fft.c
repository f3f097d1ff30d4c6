/* bench-fp-fft: an FP benchmark guest for `pnpm bench` (issue 12; not an oracle test). An iterative radix-2 complex
 * FFT of 4096 points in double precision (bit-reversal permutation, butterflies: FMUL/FMADD/FMSUB/FADD/FSUB), its
 * inverse, and the round trip's largest error (FABS, FCMP, FMAX-style compares), 200 rounds over fresh data. The
 * twiddle factors come from the guest's own sine and cosine (Taylor series after reduction to [-pi/4, pi/4]: FDIV,
 * FCVTZS, SCVTF, FNEG), so no libm is needed. Prints the checksum of every spectrum's bit pattern, so QEMU and
 * vmm-lite must agree to the bit. */
// cflags: -O2 +simd
#include "bench-fp.h"
#include "xorshift.h"

#define LOG_N   12
#define N       (1 << LOG_N)
#define ROUNDS  200

static const double PI = 3.14159265358979323846;

static double re[N] __attribute__((aligned(16)));
static double im[N] __attribute__((aligned(16)));
static double in_re[N] __attribute__((aligned(16)));
static double in_im[N] __attribute__((aligned(16)));
static double tw_re[N / 2] __attribute__((aligned(16)));
static double tw_im[N / 2] __attribute__((aligned(16)));

/* sin(x) and cos(x) for |x| <= pi/4 by their Taylor series (terms up to x^17 / 17!: below 1e-17 there). */
static double sin_small(double x)
{
    double x2 = x * x, term = x, sum = x;
    for (int k = 1; k <= 8; k++) {
        term *= -x2 / ((2 * k) * (2 * k + 1));
        sum += term;
    }
    return sum;
}

static double cos_small(double x)
{
    double x2 = x * x, term = 1.0, sum = 1.0;
    for (int k = 1; k <= 8; k++) {
        term *= -x2 / ((2 * k - 1) * (2 * k));
        sum += term;
    }
    return sum;
}

/* cos and sin of x (any sign) by reduction to the octant around a multiple of pi/2. */
static void sincos_of(double x, double *s, double *c)
{
    long q = (long)(x / (PI / 2) + (x >= 0 ? 0.5 : -0.5));
    double r = x - (double)q * (PI / 2);
    double sr = sin_small(r), cr = cos_small(r);
    switch (q & 3) {
    case 0: *s = sr; *c = cr; break;
    case 1: *s = cr; *c = -sr; break;
    case 2: *s = -sr; *c = -cr; break;
    default: *s = -cr; *c = sr; break;
    }
}

static u32 reverse_bits(u32 v)
{
    u32 r = 0;
    for (int i = 0; i < LOG_N; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

/* In place; sign = -1 forward, +1 inverse (unscaled). */
__attribute__((noinline)) static void fft(double *xr, double *xi, int sign)
{
    for (u32 i = 0; i < N; i++) {
        u32 j = reverse_bits(i);
        if (j > i) {
            double t = xr[i]; xr[i] = xr[j]; xr[j] = t;
            t = xi[i]; xi[i] = xi[j]; xi[j] = t;
        }
    }
    for (u32 len = 2; len <= N; len <<= 1) {
        u32 half = len >> 1, step = N / len;
        for (u32 start = 0; start < N; start += len) {
            for (u32 k = 0; k < half; k++) {
                double wr = tw_re[k * step], wi = sign * tw_im[k * step];
                u32 p = start + k, q = p + half;
                double tr = xr[q] * wr - xi[q] * wi;
                double ti = xr[q] * wi + xi[q] * wr;
                xr[q] = xr[p] - tr;
                xi[q] = xi[p] - ti;
                xr[p] += tr;
                xi[p] += ti;
            }
        }
    }
}

__attribute__((noinline)) static int run(void)
{
    print_line("bench-fp-fft: 4096-point complex double FFT and inverse, 200 rounds (GCC -O2, FP/SIMD)");
    for (u32 k = 0; k < N / 2; k++)
        sincos_of(-2.0 * PI * (double)k / (double)N, &tw_im[k], &tw_re[k]);
    rng_state = 0x9e3779b97f4a7c15UL;
    u64 h = 0;
    double worst = 0.0;
    for (u32 r = 0; r < ROUNDS; r++) {
        for (u32 i = 0; i < N; i++) {
            in_re[i] = re[i] = (double)((s64)(rng() >> 40) - (1L << 23)) * 0x1p-20;
            in_im[i] = im[i] = (double)((s64)(rng() >> 40) - (1L << 23)) * 0x1p-20;
        }
        fft(re, im, -1);
        for (u32 i = 0; i < N; i++)
            h = mix64(mix64(h, bits_of(re[i])), bits_of(im[i]));
        fft(re, im, 1);
        for (u32 i = 0; i < N; i++) {
            double er = __builtin_fabs(re[i] / N - in_re[i]);
            double ei = __builtin_fabs(im[i] / N - in_im[i]);
            if (er > worst)
                worst = er;
            if (ei > worst)
                worst = ei;
        }
    }
    print_kv("twiddle[N/8].re", bits_of(tw_re[N / 8]));
    print_line(worst < 1e-9 ? "round trip: ok" : "round trip: ERROR");
    print_kv("worst", bits_of(worst));
    print_kv("checksum", h);
    return 0;
}

int main(void)
{
    bench_fp_setup();
    return run();
}
