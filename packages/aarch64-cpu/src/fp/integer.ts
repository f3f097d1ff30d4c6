/**
 * Rounding a value to an integer, shared by FPToFixed, FPRoundInt and FPRoundIntN: the integer part of a magnitude
 * `mant * 2^exp` and where the fraction lies, then whether a rounding mode rounds the magnitude up.
 */
import type { FpCtx } from './ctx.js';
import { Rounding } from './format.js';
import { Tail } from './round.js';

/**
 * Split the magnitude `mant * 2^exp` (mant an integer < 2^53) into ctx.int, its integer part (exact; may exceed 2^53
 * when exp >= 0), and ctx.tail, where its fraction lies.
 */
export function splitInt(ctx: FpCtx, mant: number, exp: number): void {
  if (exp >= 0) {
    ctx.int = mant * 2 ** exp;
    ctx.tail = Tail.Exact;
  } else if (exp < -54) {
    ctx.int = 0;
    ctx.tail = mant === 0 ? Tail.Exact : Tail.BelowHalf;
  } else {
    const p = 2 ** -exp;
    const int = Math.floor(mant / p);
    const rem = mant - int * p;
    const half = p / 2;
    ctx.int = int;
    ctx.tail = rem === 0 ? Tail.Exact : rem < half ? Tail.BelowHalf : rem === half ? Tail.Half : Tail.AboveHalf;
  }
}

/** Whether the magnitude `int + tail` of sign `sign` rounds up (away from zero) to an integer under `rounding`. */
export function roundsUp(int: number, tail: Tail, sign: number, rounding: Rounding): boolean {
  if (tail === Tail.Exact) return false;
  switch (rounding) {
    case Rounding.TieEven: return tail === Tail.AboveHalf || (tail === Tail.Half && int % 2 === 1);
    case Rounding.TieAway: return tail !== Tail.BelowHalf;
    case Rounding.PosInf: return sign === 0;
    case Rounding.NegInf: return sign === 1;
    default: return false; // Zero
  }
}
