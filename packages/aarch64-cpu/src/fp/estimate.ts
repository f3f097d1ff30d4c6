/**
 * The reciprocal estimates and steps: FPRecipEstimate (FRECPE), FPRSqrtEstimate (FRSQRTE), FPRecipStepFused
 * (FRECPS), FPRSqrtStepFused (FRSQRTS) and FPRecpX (FRECPX). Operands and results as in ops.ts.
 */
import { exactSum } from './arith.js';
import type { FpCtx } from './ctx.js';
import {
  DZC, type FpFormat, IOC, IXC, OFC, Rounding, UFC, defaultNaN, flushes, infinity, maxNormal, onePointFive, pack, two, zero,
} from './format.js';
import { fpNeg } from './ops.js';
import { roundBig } from './round.js';
import { FpType, NOT_NAN, type Unpacked, processNaN, processNaNs, unpack } from './unpack.js';
import { valueOf } from './value.js';

const TWO32 = 4294967296;
const TWO44 = 2 ** 44;
const TWO51 = 2 ** 51;
const TWO52 = 2 ** 52;

/** RecipEstimate(a) for a in 256..511: the 8.x-bit reciprocal estimate (256..511). */
function recipEstimate(a: number): number {
  const b = Math.floor((1 << 19) / (a * 2 + 1));
  return (b + 1) >> 1;
}

/**
 * RecipSqrtEstimate(a) for a in 128..511. The Arm ARM counts b up from 512 while a' * (b+1)^2 < 2^28, so b + 1 is the
 * least k >= 513 with a' * k^2 >= 2^28; the float estimate 2^14 / sqrt(a') is within one of it, and exact integer
 * checks (all below 2^31) settle it.
 */
export function recipSqrtEstimate(a0: number): number {
  const a = a0 < 256 ? a0 * 2 + 1 : ((a0 >> 1) << 1) * 2 + 2;
  let k = Math.max(513, Math.ceil(16384 / Math.sqrt(a)));
  while (k > 513 && a * (k - 1) * (k - 1) >= 2 ** 28) k--;
  while (a * k * k < 2 ** 28) k++;
  return k >> 1; // (b + 1) DIV 2
}

/** An operand's fraction as 52 bits (the top of a double's fraction field) and its biased exponent. */
function fraction52(f: FpFormat, u: Unpacked): number {
  if (f.n === 64) return (u.hi & 0xfffff) * TWO32 + u.lo;
  return (u.lo & (2 ** f.f - 1)) * 2 ** (52 - f.f);
}
function biasedExp(f: FpFormat, u: Unpacked): number {
  return f.n === 64 ? (u.hi >>> 20) & 0x7ff : (u.lo >>> f.f) & ((1 << f.e) - 1);
}

/** FPRecipEstimate. */
export function fpRecipEstimate(ctx: FpCtx, f: FpFormat, hi: number, lo: number): number {
  const u = unpack(ctx, f, hi, lo, ctx.u1);
  if (u.isNaN) return processNaN(ctx, f, u);
  if (u.type === FpType.Infinity) return zero(ctx, f, u.sign);
  if (u.type === FpType.Zero) {
    ctx.flags |= DZC;
    return infinity(ctx, f, u.sign);
  }
  const bias = (1 << (f.e - 1)) - 1;
  const mag = Math.abs(valueOf(u));
  if (mag < 2 ** -(bias + 1)) {
    // The reciprocal overflows.
    const rm = ctx.rmode;
    const toInf = rm === Rounding.TieEven || (rm === Rounding.PosInf ? u.sign === 0 : rm === Rounding.NegInf && u.sign === 1);
    ctx.flags |= OFC | IXC;
    return toInf ? infinity(ctx, f, u.sign) : maxNormal(ctx, f, u.sign);
  }
  if (flushes(f, ctx.fpcr) && mag >= 2 ** (bias - 1)) {
    ctx.flags |= UFC;
    return zero(ctx, f, u.sign);
  }
  let frac = fraction52(f, u);
  let exp = biasedExp(f, u);
  if (exp === 0) {
    if (frac < TWO51) {
      exp = -1;
      frac = (frac * 4) % TWO52;
    } else frac = (frac * 2) % TWO52;
  }
  const scaled = 256 + Math.floor(frac / TWO44);
  let resultExp = 2 * bias - 1 - exp;
  const estimate = recipEstimate(scaled);
  frac = (estimate & 0xff) * TWO44;
  if (resultExp === 0) frac = TWO51 + Math.floor(frac / 2);
  else if (resultExp === -1) {
    frac = TWO51 / 2 + Math.floor(frac / 4);
    resultExp = 0;
  }
  return pack(ctx, f, u.sign, resultExp, Math.floor(frac / 2 ** (52 - f.f)));
}

/** FPRSqrtEstimate. */
export function fpRSqrtEstimate(ctx: FpCtx, f: FpFormat, hi: number, lo: number): number {
  const u = unpack(ctx, f, hi, lo, ctx.u1);
  if (u.isNaN) return processNaN(ctx, f, u);
  if (u.type === FpType.Zero) {
    ctx.flags |= DZC;
    return infinity(ctx, f, u.sign);
  }
  if (u.sign === 1) {
    ctx.flags |= IOC;
    return defaultNaN(ctx, f);
  }
  if (u.type === FpType.Infinity) return zero(ctx, f, 0);
  let frac = fraction52(f, u);
  let exp = biasedExp(f, u);
  if (exp === 0) {
    while (frac < TWO51) {
      frac *= 2;
      exp--;
    }
    frac = (frac * 2) % TWO52;
  }
  // An even biased exponent is an odd unbiased one: the significand scales to [0.5, 1); else to [0.25, 0.5).
  const scaled = (exp & 1) === 0 ? 256 + Math.floor(frac / TWO44) : 128 + Math.floor(frac / 2 ** 45);
  const bias = (1 << (f.e - 1)) - 1;
  const resultExp = Math.floor((3 * bias - 1 - exp) / 2);
  const estimate = recipSqrtEstimate(scaled);
  return pack(ctx, f, 0, resultExp, (estimate & 0xff) * 2 ** (f.f - 8));
}

/** FRECPS (2 + (-op1) * op2) or FRSQRTS ((3 + (-op1) * op2) / 2), fused; op1 is negated first, NaNs included. */
function stepFused(
  ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number, rsqrt: boolean,
): number {
  const nlo = fpNeg(ctx, f, ahi, alo);
  const a = unpack(ctx, f, ctx.hi, nlo, ctx.u1);
  const b = unpack(ctx, f, bhi, blo, ctx.u2);
  const nan = processNaNs(ctx, f, a, b);
  if (nan !== NOT_NAN) return nan;
  const inf1 = a.type === FpType.Infinity;
  const inf2 = b.type === FpType.Infinity;
  if ((inf1 && b.type === FpType.Zero) || (a.type === FpType.Zero && inf2)) {
    return rsqrt ? onePointFive(ctx, f, 0) : two(ctx, f, 0);
  }
  if (inf1 || inf2) return infinity(ctx, f, a.sign ^ b.sign);
  // 2 + op1*op2, or (3 + op1*op2) / 2, exactly.
  const [sign, mag, e] = rsqrt
    ? exactSum(0, 3n, -1, a.sign ^ b.sign, BigInt(a.mant) * BigInt(b.mant), a.exp + b.exp - 1)
    : exactSum(0, 1n, 1, a.sign ^ b.sign, BigInt(a.mant) * BigInt(b.mant), a.exp + b.exp);
  const rm = ctx.rmode;
  if (mag === 0n) return zero(ctx, f, rm === Rounding.NegInf ? 1 : 0);
  return roundBig(ctx, f, sign, mag, e, rm);
}

/** FPRecipStepFused: 2 - op1 * op2, fused. */
export const fpRecipStepFused = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number =>
  stepFused(ctx, f, ahi, alo, bhi, blo, false);
/** FPRSqrtStepFused: (3 - op1 * op2) / 2, fused. */
export const fpRSqrtStepFused = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number =>
  stepFused(ctx, f, ahi, alo, bhi, blo, true);

/** FPRecpX: the exponent inverted, fraction zero (zeros and denormals give the largest finite exponent). */
export function fpRecpX(ctx: FpCtx, f: FpFormat, hi: number, lo: number): number {
  const u = unpack(ctx, f, hi, lo, ctx.u1);
  if (u.isNaN) return processNaN(ctx, f, u);
  const ones = (1 << f.e) - 1;
  const exp = biasedExp(f, u);
  return pack(ctx, f, u.sign, exp === 0 ? ones - 1 : ~exp & ones, 0);
}
