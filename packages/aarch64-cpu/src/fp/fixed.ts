/**
 * FPToFixed (FCVT[NPMZA][SU], fixed-point FCVTZ[SU]), FixedToFP (SCVTF, UCVTF) and FPToFixedJS (FJCVTZS, FEAT_JSCVT).
 * Integers are `size` (32 or 64) bits as hi:lo 32-bit halves (hi = 0 for 32 bits); results likewise (the low word
 * returned, the high word in ctx.hi). FP operands and results as in ops.ts.
 */
import type { FpCtx } from './ctx.js';
import { D, type FpFormat, IOC, IXC, Rounding, zero } from './format.js';
import { roundsUp, splitInt } from './integer.js';
import { Tail, roundBig, roundNum } from './round.js';
import { FpType, unpack } from './unpack.js';

const TWO32 = 4294967296;

/** Set ctx.hi and return the low word of the integer `v` (|v| < 2^64, exact) in two's complement. */
function words(ctx: FpCtx, v: number): number {
  const hi = Math.floor(v / TWO32);
  ctx.hi = hi >>> 0;
  return (v - hi * TWO32) >>> 0;
}

/** The saturation bound of a `size`-bit result: the most negative or most positive value. */
function saturate(ctx: FpCtx, size: number, unsigned: boolean, negative: boolean): number {
  ctx.flags |= IOC;
  if (unsigned) {
    if (negative) return words(ctx, 0);
    ctx.hi = size === 64 ? 0xffff_ffff : 0;
    return 0xffff_ffff;
  }
  if (size === 32) {
    ctx.hi = 0;
    return negative ? 0x8000_0000 : 0x7fff_ffff;
  }
  ctx.hi = negative ? 0x8000_0000 : 0x7fff_ffff;
  return negative ? 0 : 0xffff_ffff;
}

/** FPToFixed: `hi:lo` of `f` times 2^fbits, rounded under `rounding`, saturated to a `size`-bit integer. */
export function fpToFixed(
  ctx: FpCtx, f: FpFormat, hi: number, lo: number, fbits: number, unsigned: boolean, rounding: Rounding, size: number,
): number {
  const u = unpack(ctx, f, hi, lo, ctx.u1);
  if (u.isNaN) {
    ctx.flags |= IOC;
    return words(ctx, 0);
  }
  if (u.type === FpType.Zero) return words(ctx, 0);
  const negative = u.sign === 1;
  if (u.type === FpType.Infinity) return saturate(ctx, size, unsigned, negative);
  splitInt(ctx, u.mant, u.exp + fbits);
  let mag = ctx.int;
  const tail = ctx.tail;
  if (roundsUp(mag, tail, u.sign, rounding)) mag++;
  // In range: magnitude below 2^(size-1) (up to 2^(size-1) when negative) signed, below 2^size (0 when negative)
  // unsigned. The bounds are powers of two, exact as Numbers; mag is exact (an incremented mag is below 2^54).
  const bound = unsigned ? 2 ** size : 2 ** (size - 1);
  if (negative ? (unsigned ? mag > 0 : mag > bound) : mag >= bound) return saturate(ctx, size, unsigned, negative);
  if (tail !== Tail.Exact) ctx.flags |= IXC;
  if (mag === 0) return words(ctx, 0);
  const v = negative ? -mag : mag;
  if (size === 32) {
    ctx.hi = 0;
    return v >>> 0;
  }
  if (mag < 2 ** 53) return words(ctx, v);
  const b = BigInt.asUintN(64, BigInt(v));
  ctx.hi = Number(b >> 32n);
  return Number(b & 0xffff_ffffn);
}

/** FixedToFP: the `size`-bit integer hi:lo divided by 2^fbits, rounded to `f` under `rounding`. */
export function fixedToFp(
  ctx: FpCtx, f: FpFormat, hi: number, lo: number, size: number, fbits: number, unsigned: boolean, rounding: Rounding,
): number {
  let sign = 0;
  let h = size === 64 ? hi >>> 0 : 0;
  let l = lo >>> 0;
  if (!unsigned && (size === 64 ? h >>> 31 : l >>> 31) === 1) {
    sign = 1;
    // Negate: two's complement of the size-bit value.
    if (size === 32) l = (0x1_0000_0000 - l);
    else {
      l = (~l + 1) >>> 0;
      h = (~h + (l === 0 ? 1 : 0)) >>> 0;
    }
  }
  // FPRound does not use FPCR.AHP for these.
  if (size === 64 && h >= 0x20_0000) {
    return roundBig(ctx, f, sign, (BigInt(h) << 32n) | BigInt(l), -fbits, rounding);
  }
  const m = size === 64 ? h * TWO32 + l : l;
  if (m === 0) return zero(ctx, f, 0);
  return roundNum(ctx, f, sign, m, -fbits, Tail.Exact, rounding);
}

/**
 * FPToFixedJS (FJCVTZS): double `hi:lo` to a 32-bit integer the JavaScript way (truncated, modulo 2^32). Returns the
 * result; ctx.hi is the Z flag: 1 when the conversion was exact and in range (not -0, not a flushed denormal).
 */
export function fpToFixedJS(ctx: FpCtx, hi: number, lo: number): number {
  const u = unpack(ctx, D, hi, lo, ctx.u1);
  let z = 1;
  let result = 0;
  if (u.isNaN) {
    ctx.flags |= IOC;
    z = 0;
  } else if (u.type === FpType.Infinity) {
    ctx.flags |= IOC;
    z = 0;
  } else if (u.type === FpType.Zero) {
    // -0, or a denormal flushed to zero by FPCR.FZ.
    if (u.sign === 1 || (hi & 0xfffff) !== 0 || lo !== 0) z = 0;
  } else {
    splitInt(ctx, u.mant, u.exp);
    const int = ctx.int; // truncated magnitude (round towards zero)
    if (u.exp >= 0) {
      // A whole number, possibly beyond 2^53: its residue modulo 2^32 from the exact mantissa.
      result = Number((BigInt(u.mant) << BigInt(u.exp)) & 0xffff_ffffn);
    } else {
      result = int % TWO32;
    }
    if (u.sign === 1) result = (TWO32 - result) % TWO32;
    if (u.sign === 1 ? int > 2 ** 31 : int > 2 ** 31 - 1) {
      ctx.flags |= IOC;
      z = 0;
    } else if (ctx.tail !== Tail.Exact) {
      ctx.flags |= IXC;
      z = 0;
    }
  }
  ctx.hi = z;
  return result >>> 0;
}
