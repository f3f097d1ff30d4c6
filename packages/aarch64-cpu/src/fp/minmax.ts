/**
 * FPMax, FPMin, FPMaxNum, FPMinNum (FMAX, FMIN, FMAXNM, FMINNM). Operands and results as in ops.ts.
 */
import type { FpCtx } from './ctx.js';
import { type FpFormat, infinity, zero } from './format.js';
import { FpType, NOT_NAN, type Unpacked, processNaNs, unpack } from './unpack.js';
import { valueOf } from './value.js';

/** FPMax (`max`) or FPMin of unpacked operands. */
function maxMin(ctx: FpCtx, f: FpFormat, a: Unpacked, b: Unpacked, max: boolean): number {
  const nan = processNaNs(ctx, f, a, b);
  if (nan !== NOT_NAN) return nan;
  const va = valueOf(a);
  const vb = valueOf(b);
  const p = (max ? va > vb : va < vb) ? a : b;
  if (p.type === FpType.Infinity) return infinity(ctx, f, p.sign);
  if (p.type === FpType.Zero) return zero(ctx, f, max ? a.sign & b.sign : a.sign | b.sign);
  // A nonzero operand that survived unpacking is exact in its format: FPRound gives it back unchanged.
  ctx.hi = p.hi;
  return p.lo;
}

/** FPMax. */
export function fpMax(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number {
  return maxMin(ctx, f, unpack(ctx, f, ahi, alo, ctx.u1), unpack(ctx, f, bhi, blo, ctx.u2), true);
}

/** FPMin. */
export function fpMin(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number {
  return maxMin(ctx, f, unpack(ctx, f, ahi, alo, ctx.u1), unpack(ctx, f, bhi, blo, ctx.u2), false);
}

/** FPMaxNum (`max`) or FPMinNum: a single quiet NaN operand loses to a number. */
function maxMinNum(
  ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number, max: boolean,
): number {
  const a = unpack(ctx, f, ahi, alo, ctx.u1);
  const b = unpack(ctx, f, bhi, blo, ctx.u2);
  const qa = a.type === FpType.QNaN;
  const qb = b.type === FpType.QNaN;
  // The quiet NaN becomes -infinity for max, +infinity for min.
  const replace = (u: Unpacked): void => {
    u.type = FpType.Infinity;
    u.sign = max ? 1 : 0;
  };
  if (qa && !qb) replace(a);
  else if (!qa && qb) replace(b);
  return maxMin(ctx, f, a, b, max);
}

/** FPMaxNum. */
export const fpMaxNum = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number =>
  maxMinNum(ctx, f, ahi, alo, bhi, blo, true);
/** FPMinNum. */
export const fpMinNum = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number =>
  maxMinNum(ctx, f, ahi, alo, bhi, blo, false);
