/* bench-bignum: a benchmark guest for `pnpm bench` (not an oracle test) in the shape of the hot spot of the Linux boot
 * (linux-boot): about half of that boot's instructions are multi-precision arithmetic on 64-bit limbs, in loops that
 * multiply limbs through 32-bit halves (portable C without a 64x64->128 multiply), add with carry and compare.
 * Written for this benchmark: 2048-bit modular exponentiation by Montgomery multiplication, once with the usual
 * additive reduction (t + m*n) and once with a subtractive one (t - m*n), which must agree; and a schoolbook square
 * checked against the product. GCC -O2, MMU on. Prints the results, powers off. */
// cflags: -O2
#include "guest.h"
#include "mmu.h"
#include "xorshift.h"

#define N 32 /* limbs: 2048 bits */

typedef u64 limb;

/* (hi, lo) = a * b, through 32-bit halves. */
#define MUL_PP(hi, lo, a, b)                                                   \
    do {                                                                       \
        limb a0_ = (a) & 0xffffffffUL, a1_ = (a) >> 32;                        \
        limb b0_ = (b) & 0xffffffffUL, b1_ = (b) >> 32;                        \
        limb p00_ = a0_ * b0_, p01_ = a0_ * b1_, p10_ = a1_ * b0_;             \
        limb p11_ = a1_ * b1_;                                                 \
        limb mid_ = p01_ + (p00_ >> 32);                                       \
        mid_ += p10_;                                                          \
        if (mid_ < p10_)                                                       \
            p11_ += 1UL << 32;                                                 \
        (hi) = p11_ + (mid_ >> 32);                                            \
        (lo) = (mid_ << 32) | (p00_ & 0xffffffffUL);                           \
    } while (0)

/* r[0..n) = a[0..n) * b; returns the high limb. */
__attribute__((noinline)) static limb mul_1(limb *r, const limb *a, long n, limb b)
{
    limb carry = 0;
    for (long i = 0; i < n; i++) {
        limb hi, lo;
        MUL_PP(hi, lo, a[i], b);
        lo += carry;
        carry = hi + (lo < carry);
        r[i] = lo;
    }
    return carry;
}

/* r[0..n) += a[0..n) * b; returns the carry limb. */
__attribute__((noinline)) static limb addmul_1(limb *r, const limb *a, long n, limb b)
{
    limb carry = 0;
    for (long i = 0; i < n; i++) {
        limb hi, lo;
        MUL_PP(hi, lo, a[i], b);
        lo += carry;
        hi += lo < carry;
        limb x = r[i] + lo;
        hi += x < lo;
        r[i] = x;
        carry = hi;
    }
    return carry;
}

/* r[0..n) -= a[0..n) * b; returns the borrow limb. */
__attribute__((noinline)) static limb submul_1(limb *r, const limb *a, long n, limb b)
{
    limb borrow = 0;
    for (long i = 0; i < n; i++) {
        limb hi, lo;
        MUL_PP(hi, lo, a[i], b);
        lo += borrow;
        hi += lo < borrow;
        limb x = r[i];
        r[i] = x - lo;
        borrow = hi + (x < lo);
    }
    return borrow;
}

/* r = a + b over n limbs; returns the carry. */
__attribute__((noinline)) static limb add_n(limb *r, const limb *a, const limb *b, long n)
{
    limb c = 0;
    for (long i = 0; i < n; i++) {
        limb s = a[i] + c;
        c = s < c;
        limb t = s + b[i];
        c += t < s;
        r[i] = t;
    }
    return c;
}

/* r = a - b over n limbs; returns the borrow. */
__attribute__((noinline)) static limb sub_n(limb *r, const limb *a, const limb *b, long n)
{
    limb c = 0;
    for (long i = 0; i < n; i++) {
        limb x = a[i], d = x - b[i];
        limb c1 = d > x;
        r[i] = d - c;
        c = c1 + (d < c);
    }
    return c;
}

static int cmp_n(const limb *a, const limb *b, long n)
{
    for (long i = n - 1; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

static limb modulus[N], r2[N], one[N];
static limb n_inv;    /* n^-1 mod 2^64 */
static limb n_neginv; /* -n^-1 mod 2^64 */

/* Montgomery product, additive reduction: r = a * b / 2^(64N) mod n (a, b < n). */
static void mont_add(limb *r, const limb *a, const limb *b)
{
    limb t[2 * N + 1];
    for (long i = 0; i < 2 * N + 1; i++)
        t[i] = 0;
    for (long i = 0; i < N; i++)
        t[i + N] = addmul_1(t + i, a, N, b[i]);
    limb top = 0;
    for (long i = 0; i < N; i++) {
        limb m = t[i] * n_neginv;
        limb c = addmul_1(t + i, modulus, N, m);
        for (long j = i + N; c != 0 && j < 2 * N; j++) {
            limb s = t[j] + c;
            c = s < c;
            t[j] = s;
        }
        top += c;
    }
    if (top != 0 || cmp_n(t + N, modulus, N) >= 0)
        sub_n(t + N, t + N, modulus, N);
    for (long i = 0; i < N; i++)
        r[i] = t[i + N];
}

/* Montgomery product, subtractive reduction: t - m*n with m = t[i] * n^-1 clears limb i; a negative result gets n added. */
static void mont_sub(limb *r, const limb *a, const limb *b)
{
    limb t[2 * N + 1];
    for (long i = 0; i < 2 * N + 1; i++)
        t[i] = 0;
    t[N] = mul_1(t, a, N, b[0]);
    for (long i = 1; i < N; i++)
        t[i + N] = addmul_1(t + i, a, N, b[i]);
    for (long i = 0; i < N; i++) {
        limb m = t[i] * n_inv;
        limb c = submul_1(t + i, modulus, N, m);
        for (long j = i + N; c != 0 && j < 2 * N + 1; j++) {
            limb x = t[j];
            t[j] = x - c;
            c = x < c;
        }
    }
    if ((s64)t[2 * N] < 0)
        add_n(t + N, t + N, modulus, N);
    for (long i = 0; i < N; i++)
        r[i] = t[i + N];
}

typedef void (*mont_fn)(limb *, const limb *, const limb *);

/* base^exp mod n, left to right, in and out of Montgomery form. */
static void modexp(limb *r, const limb *base, const limb *exp, long exp_limbs, mont_fn mul)
{
    limb b[N], acc[N];
    mul(b, base, r2);
    mul(acc, one, r2);
    for (long i = exp_limbs - 1; i >= 0; i--)
        for (int bit = 63; bit >= 0; bit--) {
            mul(acc, acc, acc);
            if ((exp[i] >> bit) & 1)
                mul(acc, acc, b);
        }
    mul(r, acc, one);
}

static u64 fold(const limb *a, long n)
{
    u64 h = 0xcbf29ce484222325UL;
    for (long i = 0; i < n; i++)
        h = (h ^ a[i]) * 0x100000001b3UL;
    return h;
}

static void setup(void)
{
    for (long i = 0; i < N; i++)
        modulus[i] = rng();
    modulus[0] |= 1;
    modulus[N - 1] |= 1UL << 63;
    /* n^-1 mod 2^64 by Newton's iteration: each step doubles the correct low bits. */
    limb x = modulus[0];
    for (int i = 0; i < 6; i++)
        x *= 2 - modulus[0] * x;
    n_inv = x;
    n_neginv = -x;
    /* R^2 mod n, R = 2^(64N): from 1, double 2 * 64N times, subtracting n whenever the value reaches it. */
    for (long i = 0; i < N; i++)
        r2[i] = one[i] = 0;
    one[0] = r2[0] = 1;
    for (long k = 0; k < 2 * 64 * N; k++) {
        limb c = add_n(r2, r2, r2, N);
        if (c != 0 || cmp_n(r2, modulus, N) >= 0)
            sub_n(r2, r2, modulus, N);
    }
}

int main(void)
{
    mmu_init();
    mmu_identity_map();
    mmu_enable();
    print_line("bench-bignum: 2048-bit Montgomery modular exponentiation, additive and subtractive reduction (GCC -O2)");
    rng_state = 0x9e3779b97f4a7c15UL;
    setup();
    print_kv("r2", fold(r2, N));
    u64 check = 0;
    limb base[N], exp[N], ra[N], rs[N];
    for (int round = 0; round < 12; round++) {
        for (long i = 0; i < N; i++)
            base[i] = rng();
        base[N - 1] >>= 1; /* below n */
        for (long i = 0; i < 4; i++)
            exp[i] = rng();
        modexp(ra, base, exp, 4, mont_add);
        modexp(rs, base, exp, 4, mont_sub);
        print_kv("modexp", fold(ra, N));
        if (cmp_n(ra, rs, N) != 0)
            print_line("MISMATCH: additive and subtractive reductions differ");
        check = check * 31 + fold(ra, N) + fold(rs, N);
    }
    /* A product two ways: schoolbook by mul_1/addmul_1, and (a+b)^2 - (a-b)^2 = 4ab checked by sub_n. */
    limb p[2 * N], q[2 * N];
    for (long i = 0; i < N; i++)
        base[i] = rng(), exp[i] = rng();
    p[N] = mul_1(p, base, N, exp[0]);
    for (long i = 1; i < N; i++)
        p[i + N] = addmul_1(p + i, base, N, exp[i]);
    q[N] = mul_1(q, exp, N, base[0]);
    for (long i = 1; i < N; i++)
        q[i + N] = addmul_1(q + i, exp, N, base[i]);
    print_kv("product", fold(p, 2 * N));
    if (cmp_n(p, q, 2 * N) != 0)
        print_line("MISMATCH: a*b and b*a differ");
    check ^= fold(p, 2 * N);
    print_kv("checksum", check);
    return 0;
}
