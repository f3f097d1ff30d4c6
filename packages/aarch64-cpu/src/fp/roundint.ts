/**
 * FPRoundInt (FRINTN/P/M/Z/A/X/I) and FPRoundIntN (FRINT32Z/32X/64Z/64X, FEAT_FRINTTS). Operands and results as in
 * ops.ts.
 */
import type { FpCtx } from './ctx.js';
import { type FpFormat, IOC, IXC, Rounding, infinity, pack, zero } from './format.js';
import { roundsUp, splitInt } from './integer.js';
import { Tail, roundNum } from './round.js';
import { FpType, processNaN, unpack } from './unpack.js';

/** FPRoundInt: `hi:lo` rounded to an integral value under `rounding`; IXC when `exact` (FRINTX) and inexact. */
export function fpRoundInt(ctx: FpCtx, f: FpFormat, hi: number, lo: number, rounding: Rounding, exact: boolean): number {
  const u = unpack(ctx, f, hi, lo, ctx.u1);
  if (u.isNaN) return processNaN(ctx, f, u);
  if (u.type === FpType.Infinity) return infinity(ctx, f, u.sign);
  if (u.type === FpType.Zero) return zero(ctx, f, u.sign);
  if (u.exp >= 0) {
    // Already integral (and not denormal, so not flushed): itself.
    ctx.hi = u.hi;
    return u.lo;
  }
  splitInt(ctx, u.mant, u.exp);
  let mag = ctx.int;
  const tail = ctx.tail;
  if (roundsUp(mag, tail, u.sign, rounding)) mag++;
  const r = mag === 0 ? zero(ctx, f, u.sign) : roundNum(ctx, f, u.sign, mag, 0, Tail.Exact, Rounding.Zero);
  if (tail !== Tail.Exact && exact) ctx.flags |= IXC;
  return r;
}

/** -2^(intsize-1) in `f`: FPRoundIntN's result for NaNs, infinities and out-of-range values. */
function mostNegative(ctx: FpCtx, f: FpFormat, intsize: number): number {
  return pack(ctx, f, 1, (1 << (f.e - 1)) - 1 + intsize - 1, 0);
}

/**
 * FPRoundIntN: `hi:lo` rounded to an integral value under `rounding` that must fit an `intsize`-bit (32 or 64)
 * signed integer; else -2^(intsize-1) and IOC. IXC when inexact.
 */
export function fpRoundIntN(
  ctx: FpCtx, f: FpFormat, hi: number, lo: number, rounding: Rounding, intsize: number,
): number {
  const u = unpack(ctx, f, hi, lo, ctx.u1);
  if (u.isNaN || u.type === FpType.Infinity) {
    ctx.flags |= IOC;
    return mostNegative(ctx, f, intsize);
  }
  if (u.type === FpType.Zero) return zero(ctx, f, u.sign);
  splitInt(ctx, u.mant, u.exp);
  let mag = ctx.int;
  const tail = ctx.tail;
  if (roundsUp(mag, tail, u.sign, rounding)) mag++;
  const bound = 2 ** (intsize - 1);
  if (u.sign === 1 ? mag > bound : mag >= bound) {
    ctx.flags |= IOC;
    return mostNegative(ctx, f, intsize);
  }
  let r: number;
  if (mag === 0) r = zero(ctx, f, u.sign);
  else if (u.exp >= 0) {
    ctx.hi = u.hi;
    r = u.lo;
  } else r = roundNum(ctx, f, u.sign, mag, 0, Tail.Exact, Rounding.Zero);
  if (tail !== Tail.Exact) ctx.flags |= IXC;
  return r;
}
