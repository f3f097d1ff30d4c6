/**
 * The exact (generic) arithmetic of the Arm ARM: FPAdd/FPSub, FPMul, FPMulX, FPDiv, FPSqrt and FPMulAdd on unpacked
 * operands. Values are computed exactly with BigInt mantissas and rounded once by FPRound. ops.ts tries native fast
 * paths first and falls back to these.
 */
import type { FpCtx } from './ctx.js';
import { type FpFormat, DZC, IOC, Rounding, defaultNaN, infinity, two, zero } from './format.js';
import { roundBig } from './round.js';
import { FpType, NOT_NAN, type Unpacked, processNaN, processNaNs, processNaNs3 } from './unpack.js';

/** The exact sum of two signed values m*2^e as [sign, magnitude, exponent]; magnitude 0n for an exact zero. */
export function exactSum(s1: number, m1: bigint, e1: number, s2: number, m2: bigint, e2: number): [number, bigint, number] {
  const e = Math.min(e1, e2);
  const a = m1 << BigInt(e1 - e);
  const b = m2 << BigInt(e2 - e);
  if (s1 === s2) return [s1, a + b, e];
  if (a >= b) return [s1, a - b, e];
  return [s2, b - a, e];
}

/** A zero result of an exact addition of nonzero values: +0, or -0 when rounding towards minus infinity. */
const exactZero = (ctx: FpCtx, f: FpFormat, rounding: Rounding): number =>
  zero(ctx, f, rounding === Rounding.NegInf ? 1 : 0);

/** FPAdd (or FPSub when `negate2`, which negates the second operand's value, not its NaN). */
export function addGeneric(ctx: FpCtx, f: FpFormat, a: Unpacked, b: Unpacked, negate2: boolean, rounding: Rounding): number {
  const nan = processNaNs(ctx, f, a, b);
  if (nan !== NOT_NAN) return nan;
  const s2 = negate2 ? b.sign ^ 1 : b.sign;
  const inf1 = a.type === FpType.Infinity;
  const inf2 = b.type === FpType.Infinity;
  if (inf1 && inf2 && a.sign !== s2) {
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  if (inf1) return infinity(ctx, f, a.sign);
  if (inf2) return infinity(ctx, f, s2);
  const zero1 = a.type === FpType.Zero;
  const zero2 = b.type === FpType.Zero;
  if (zero1 && zero2 && a.sign === s2) return zero(ctx, f, a.sign);
  const [sign, mag, e] = exactSum(a.sign, BigInt(a.mant), a.exp, s2, BigInt(b.mant), b.exp);
  if (mag === 0n) return exactZero(ctx, f, rounding);
  return roundBig(ctx, f, sign, mag, e, rounding);
}

/** FPMul, or FPMulX (`x`: infinity times zero is ±2.0 instead of the default NaN). */
export function mulGeneric(ctx: FpCtx, f: FpFormat, a: Unpacked, b: Unpacked, x: boolean, rounding: Rounding): number {
  const nan = processNaNs(ctx, f, a, b);
  if (nan !== NOT_NAN) return nan;
  const sign = a.sign ^ b.sign;
  const inf1 = a.type === FpType.Infinity;
  const inf2 = b.type === FpType.Infinity;
  const zero1 = a.type === FpType.Zero;
  const zero2 = b.type === FpType.Zero;
  if ((inf1 && zero2) || (zero1 && inf2)) {
    if (x) return two(ctx, f, sign);
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  if (inf1 || inf2) return infinity(ctx, f, sign);
  if (zero1 || zero2) return zero(ctx, f, sign);
  return roundBig(ctx, f, sign, BigInt(a.mant) * BigInt(b.mant), a.exp + b.exp, rounding);
}

/** Enough quotient or root bits that a sticky bit below them never changes the rounding (F + 3 and some). */
const EXTRA_BITS = 60;

/** FPDiv. */
export function divGeneric(ctx: FpCtx, f: FpFormat, a: Unpacked, b: Unpacked, rounding: Rounding): number {
  const nan = processNaNs(ctx, f, a, b);
  if (nan !== NOT_NAN) return nan;
  const sign = a.sign ^ b.sign;
  const inf1 = a.type === FpType.Infinity;
  const inf2 = b.type === FpType.Infinity;
  const zero1 = a.type === FpType.Zero;
  const zero2 = b.type === FpType.Zero;
  if ((inf1 && inf2) || (zero1 && zero2)) {
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  if (inf1 || zero2) {
    if (!inf1) ctx.flags |= DZC;
    return infinity(ctx, f, sign);
  }
  if (zero1 || inf2) return zero(ctx, f, sign);
  // mant1 / mant2 with at least EXTRA_BITS quotient bits (both mantissas are below 2^53).
  const k = BigInt(EXTRA_BITS + 53);
  const num = BigInt(a.mant) << k;
  const den = BigInt(b.mant);
  const q = num / den;
  return roundBig(ctx, f, sign, q, a.exp - b.exp - EXTRA_BITS - 53, rounding, num - q * den !== 0n);
}

/** The integer square root of n >= 0 (floor). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // One Newton step from the float estimate lands at or above the root; then it decreases to it.
  const est = BigInt(Math.floor(Math.sqrt(Number(n)))) + 1n;
  let x = (est + n / est) >> 1n;
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return x;
}

/** FPSqrt. */
export function sqrtGeneric(ctx: FpCtx, f: FpFormat, a: Unpacked, rounding: Rounding): number {
  if (a.isNaN) return processNaN(ctx, f, a);
  if (a.type === FpType.Zero) return zero(ctx, f, a.sign);
  if (a.type === FpType.Infinity && a.sign === 0) return infinity(ctx, f, 0);
  if (a.sign === 1) {
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  // value = mant * 2^exp with exp even, scaled by 2^(2k) for enough root bits.
  let m = BigInt(a.mant);
  let e = a.exp;
  if ((e & 1) !== 0) {
    m <<= 1n;
    e -= 1;
  }
  const k = EXTRA_BITS + 4;
  m <<= BigInt(2 * k);
  const r = isqrt(m);
  return roundBig(ctx, f, 0, r, e / 2 - k, rounding, r * r !== m);
}

/**
 * FPMulAdd: addend + op1 * op2 with one rounding. NaN order addend, op1, op2; a quiet NaN addend with infinity times
 * zero gives the default NaN and IOC.
 */
export function mulAddGeneric(ctx: FpCtx, f: FpFormat, c: Unpacked, a: Unpacked, b: Unpacked, rounding: Rounding): number {
  const inf1 = a.type === FpType.Infinity;
  const inf2 = b.type === FpType.Infinity;
  const zero1 = a.type === FpType.Zero;
  const zero2 = b.type === FpType.Zero;
  const infTimesZero = (inf1 && zero2) || (zero1 && inf2);
  const nan = processNaNs3(ctx, f, c, a, b);
  if (c.type === FpType.QNaN && infTimesZero) {
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  if (nan !== NOT_NAN) return nan;
  const infA = c.type === FpType.Infinity;
  const zeroA = c.type === FpType.Zero;
  const signP = a.sign ^ b.sign;
  const infP = inf1 || inf2;
  const zeroP = zero1 || zero2;
  if (infTimesZero || (infA && infP && c.sign !== signP)) {
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  if ((infA && c.sign === 0) || (infP && signP === 0)) return infinity(ctx, f, 0);
  if (infA || infP) return infinity(ctx, f, 1);
  if (zeroA && zeroP && c.sign === signP) return zero(ctx, f, c.sign);
  const [sign, mag, e] = exactSum(c.sign, BigInt(c.mant), c.exp, signP, BigInt(a.mant) * BigInt(b.mant), a.exp + b.exp);
  if (mag === 0n) return exactZero(ctx, f, rounding);
  return roundBig(ctx, f, sign, mag, e, rounding);
}
