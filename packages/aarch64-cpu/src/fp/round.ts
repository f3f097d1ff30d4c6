/**
 * FPRound (the Arm ARM's FPRoundBase): round an exact nonzero value to a format under a rounding mode, with FPCR.FZ /
 * FZ16 output flushing, Arm's underflow rule (tininess before rounding; UFC only when the result is inexact, or when
 * flushed), OFC/IXC on overflow, round to odd, and alternative half precision.
 *
 * The value arrives as `m * 2^exp` with m an integer Number (< 2^53) and a `tail` telling where the rest of the exact
 * value lies within one unit of m's bit 0 (exact, below half, half, above half): any exact value reduces to that
 * without losing how it rounds, so rounding needs no BigInt ({@link roundBig} reduces a BigInt mantissa first).
 */
import type { FpCtx } from './ctx.js';
import { type FpFormat, IOC, IXC, OFC, Rounding, UFC, flushes, infinity, maxNormal, pack, zero } from './format.js';

/** Where the rest of an exact value lies within one unit of the last bit kept. */
export const enum Tail {
  Exact = 0,
  BelowHalf = 1,
  Half = 2,
  AboveHalf = 3,
}

const TWO32 = 4294967296;

/** The number of bits of a positive integer Number below 2^53. */
export function bitLength(m: number): number {
  if (m >= TWO32) return 64 - Math.clz32(Math.floor(m / TWO32));
  return 32 - Math.clz32(m);
}

/**
 * Round `(m + tail) * 2^exp` (m >= 1 an integer below 2^53; a nonzero tail needs m to have at least F + 1 bits) to
 * `f`. Returns the low word (ctx.hi the high word of a 64-bit result) and raises UFC, OFC, IXC (IOC for an
 * alternative half-precision overflow, `ahp`) in ctx.flags.
 */
export function roundNum(
  ctx: FpCtx, f: FpFormat, sign: number, m: number, exp: number, tail: Tail, rounding: Rounding, ahp = false,
): number {
  const e = bitLength(m) - 1 + exp;
  if (e < f.minExp && flushes(f, ctx.fpcr)) {
    ctx.flags |= UFC;
    return zero(ctx, f, sign);
  }
  let bexp = e - f.minExp + 1;
  if (bexp < 0) bexp = 0;
  const shift = (bexp > 0 ? e - f.f : f.minExp - f.f) - exp;
  let int: number;
  let err: Tail;
  if (shift > 0) {
    if (shift > 54) {
      int = 0;
      err = Tail.BelowHalf;
    } else {
      const p = 2 ** shift;
      int = Math.floor(m / p);
      const rem = m - int * p;
      const half = p / 2;
      err = rem > half ? Tail.AboveHalf
        : rem === half ? (tail !== Tail.Exact ? Tail.AboveHalf : Tail.Half)
          : rem !== 0 || tail !== Tail.Exact ? Tail.BelowHalf : Tail.Exact;
    }
  } else {
    int = shift === 0 ? m : m * 2 ** -shift;
    err = tail;
  }
  if (bexp === 0 && err !== Tail.Exact) ctx.flags |= UFC;
  let up: boolean;
  let overflowToInf: boolean;
  switch (rounding) {
    case Rounding.TieEven:
      up = err === Tail.AboveHalf || (err === Tail.Half && int % 2 === 1);
      overflowToInf = true;
      break;
    case Rounding.PosInf:
      up = err !== Tail.Exact && sign === 0;
      overflowToInf = sign === 0;
      break;
    case Rounding.NegInf:
      up = err !== Tail.Exact && sign === 1;
      overflowToInf = sign === 1;
      break;
    case Rounding.TieAway:
      up = err >= Tail.Half;
      overflowToInf = true;
      break;
    default: // Zero, Odd
      up = false;
      overflowToInf = false;
  }
  const one = 2 ** f.f;
  if (up) {
    int++;
    if (int === one) bexp = 1; // a denormal rounded up to the smallest normal
    if (int === one * 2) {
      bexp++;
      int = one;
    }
  }
  if (rounding === Rounding.Odd && err !== Tail.Exact && int % 2 === 0) int++;
  if (!ahp) {
    if (bexp >= (1 << f.e) - 1) {
      ctx.flags |= OFC | IXC;
      return overflowToInf ? infinity(ctx, f, sign) : maxNormal(ctx, f, sign);
    }
  } else if (bexp >= 1 << f.e) {
    ctx.flags |= IOC;
    return pack(ctx, f, sign, (1 << f.e) - 1, one - 1);
  }
  if (err !== Tail.Exact) ctx.flags |= IXC;
  return pack(ctx, f, sign, bexp, int % one);
}

/** The number of bits of a positive BigInt. */
export function bitLengthBig(x: bigint): number {
  if (x < 0x20000000000000n) return bitLength(Number(x));
  const s = x.toString(16);
  return (s.length - 1) * 4 + (32 - Math.clz32(parseInt(s[0]!, 16)));
}

/** {@link roundNum} of `mant * 2^exp` for an exact BigInt mantissa (> 0) with an optional sticky bit below it. */
export function roundBig(
  ctx: FpCtx, f: FpFormat, sign: number, mant: bigint, exp: number, rounding: Rounding, sticky = false, ahp = false,
): number {
  const len = bitLengthBig(mant);
  if (len <= 53 && !sticky) return roundNum(ctx, f, sign, Number(mant), exp, Tail.Exact, rounding, ahp);
  // Keep 53 bits (at least F + 1 for every format) and classify the rest.
  const drop = len > 53 ? len - 53 : 0;
  const d = BigInt(drop);
  const m = Number(mant >> d);
  let tail: Tail;
  if (drop === 0) tail = Tail.BelowHalf; // only the sticky bit (len <= 53 here only with sticky)
  else {
    const rest = mant & ((1n << d) - 1n);
    const half = 1n << (d - 1n);
    tail = rest > half ? Tail.AboveHalf : rest === half ? (sticky ? Tail.AboveHalf : Tail.Half)
      : rest !== 0n || sticky ? Tail.BelowHalf : Tail.Exact;
  }
  if (len < 53 && sticky) {
    // Widen so that the sticky bit lies below every bit FPRound keeps.
    const w = 53 - len;
    return roundNum(ctx, f, sign, m * 2 ** w, exp - w, Tail.BelowHalf, rounding, ahp);
  }
  return roundNum(ctx, f, sign, m, exp + drop, tail, rounding, ahp);
}
