/**
 * FPCompare (FCMP, FCMPE, FCCMP, FCCMPE: NZCV) and FPCompareEQ/GE/GT (the vector compares). Operands as in ops.ts.
 */
import type { FpCtx } from './ctx.js';
import { type FpFormat, IOC } from './format.js';
import { FpType, unpack } from './unpack.js';
import { valueOf } from './value.js';

/**
 * FPCompare: NZCV (N=8, Z=4, C=2, V=1) of comparing a with b: 0b0011 unordered, 0b0110 equal, 0b1000 less,
 * 0b0010 greater. IOC for a signalling NaN operand, or any NaN when `signalNaNs` (FCMPE).
 */
export function fpCompare(
  ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number, signalNaNs: boolean,
): number {
  const a = unpack(ctx, f, ahi, alo, ctx.u1);
  const b = unpack(ctx, f, bhi, blo, ctx.u2);
  if (a.isNaN || b.isNaN) {
    if (signalNaNs || a.type === FpType.SNaN || b.type === FpType.SNaN) ctx.flags |= IOC;
    return 0b0011;
  }
  const va = valueOf(a);
  const vb = valueOf(b);
  return va === vb ? 0b0110 : va < vb ? 0b1000 : 0b0010;
}

/** FPCompareEQ: a == b; false for NaNs, IOC only for a signalling NaN. */
export function fpCompareEQ(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): boolean {
  const a = unpack(ctx, f, ahi, alo, ctx.u1);
  const b = unpack(ctx, f, bhi, blo, ctx.u2);
  if (a.isNaN || b.isNaN) {
    if (a.type === FpType.SNaN || b.type === FpType.SNaN) ctx.flags |= IOC;
    return false;
  }
  return valueOf(a) === valueOf(b);
}

/** FPCompareGE: a >= b; false and IOC for any NaN. */
export function fpCompareGE(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): boolean {
  const a = unpack(ctx, f, ahi, alo, ctx.u1);
  const b = unpack(ctx, f, bhi, blo, ctx.u2);
  if (a.isNaN || b.isNaN) {
    ctx.flags |= IOC;
    return false;
  }
  return valueOf(a) >= valueOf(b);
}

/** FPCompareGT: a > b; false and IOC for any NaN. */
export function fpCompareGT(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): boolean {
  const a = unpack(ctx, f, ahi, alo, ctx.u1);
  const b = unpack(ctx, f, bhi, blo, ctx.u2);
  if (a.isNaN || b.isNaN) {
    ctx.flags |= IOC;
    return false;
  }
  return valueOf(a) > valueOf(b);
}
