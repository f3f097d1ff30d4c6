/**
 * The arithmetic operations of the library's API (index.ts): FPAdd, FPSub, FPMul, FPMulX, FPDiv, FPSqrt, FPMulAdd,
 * FPAbs, FPNeg. Operands are raw bits: a Number for half and single precision (pass hi = 0), hi:lo 32-bit halves for
 * double. Results are returned the same way: the low word, with the high word of a double in ctx.hi. Rounding is
 * FPCR.RMode (ctx.fpcr). Single and double precision try the native fast paths (fast.ts) first (FPMulAdd too).
 */
import { addGeneric, divGeneric, mulAddGeneric, mulGeneric, sqrtGeneric } from './arith.js';
import { addD, addS, divD, divS, fmaD, fmaS, mulD, mulS, NO_FAST, sqrtD, sqrtS } from './fast.js';
import type { FpCtx } from './ctx.js';
import type { FpFormat } from './format.js';
import { unpack } from './unpack.js';

/** FPAdd (or FPSub with `sub`). */
export function fpAddSub(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number, sub: boolean): number {
  const rm = ctx.rmode;
  if (rm === 0) {
    const r = f.n === 64 ? addD(ctx, ahi, alo, bhi, blo, sub) : f.n === 32 ? addS(ctx, alo, blo, sub) : NO_FAST;
    if (r !== NO_FAST) return r;
  }
  return addGeneric(ctx, f, unpack(ctx, f, ahi, alo, ctx.u1), unpack(ctx, f, bhi, blo, ctx.u2), sub, rm);
}

/** FPAdd. */
export const fpAdd = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number =>
  fpAddSub(ctx, f, ahi, alo, bhi, blo, false);
/** FPSub. */
export const fpSub = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number =>
  fpAddSub(ctx, f, ahi, alo, bhi, blo, true);

/** FPMul. */
export function fpMul(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number {
  const rm = ctx.rmode;
  if (rm === 0) {
    const r = f.n === 64 ? mulD(ctx, ahi, alo, bhi, blo) : f.n === 32 ? mulS(ctx, alo, blo) : NO_FAST;
    if (r !== NO_FAST) return r;
  }
  return mulGeneric(ctx, f, unpack(ctx, f, ahi, alo, ctx.u1), unpack(ctx, f, bhi, blo, ctx.u2), false, rm);
}

/** FPMulX: FPMul, except that infinity times zero is ±2.0. */
export function fpMulX(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number {
  const rm = ctx.rmode;
  if (rm === 0) {
    // Operands the fast path takes are never infinite, so MULX and MUL agree there.
    const r = f.n === 64 ? mulD(ctx, ahi, alo, bhi, blo) : f.n === 32 ? mulS(ctx, alo, blo) : NO_FAST;
    if (r !== NO_FAST) return r;
  }
  return mulGeneric(ctx, f, unpack(ctx, f, ahi, alo, ctx.u1), unpack(ctx, f, bhi, blo, ctx.u2), true, rm);
}

/** FPDiv. */
export function fpDiv(ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number): number {
  const rm = ctx.rmode;
  if (rm === 0) {
    const r = f.n === 64 ? divD(ctx, ahi, alo, bhi, blo) : f.n === 32 ? divS(ctx, alo, blo) : NO_FAST;
    if (r !== NO_FAST) return r;
  }
  return divGeneric(ctx, f, unpack(ctx, f, ahi, alo, ctx.u1), unpack(ctx, f, bhi, blo, ctx.u2), rm);
}

/** FPSqrt. */
export function fpSqrt(ctx: FpCtx, f: FpFormat, hi: number, lo: number): number {
  const rm = ctx.rmode;
  if (rm === 0) {
    const r = f.n === 64 ? sqrtD(ctx, hi, lo) : f.n === 32 ? sqrtS(ctx, lo) : NO_FAST;
    if (r !== NO_FAST) return r;
  }
  return sqrtGeneric(ctx, f, unpack(ctx, f, hi, lo, ctx.u1), rm);
}

/** FPMulAdd: addend + op1 * op2, fused (one rounding). */
export function fpMulAdd(
  ctx: FpCtx, f: FpFormat, chi: number, clo: number, ahi: number, alo: number, bhi: number, blo: number,
): number {
  const rm = ctx.rmode;
  if (rm === 0) {
    const r = f.n === 64 ? fmaD(ctx, chi, clo, ahi, alo, bhi, blo) : f.n === 32 ? fmaS(ctx, clo, alo, blo) : NO_FAST;
    if (r !== NO_FAST) return r;
  }
  return mulAddGeneric(ctx, f, unpack(ctx, f, chi, clo, ctx.u3), unpack(ctx, f, ahi, alo, ctx.u1),
    unpack(ctx, f, bhi, blo, ctx.u2), rm);
}

/** FPNeg: flip the sign bit (no NaN processing, no flags). */
export function fpNeg(ctx: FpCtx, f: FpFormat, hi: number, lo: number): number {
  if (f.n === 64) {
    ctx.hi = (hi ^ 0x8000_0000) >>> 0;
    return lo >>> 0;
  }
  ctx.hi = 0;
  return (lo ^ (1 << (f.n - 1))) >>> 0;
}

/** FPAbs: clear the sign bit (no NaN processing, no flags). */
export function fpAbs(ctx: FpCtx, f: FpFormat, hi: number, lo: number): number {
  if (f.n === 64) {
    ctx.hi = hi & 0x7fff_ffff;
    return lo >>> 0;
  }
  ctx.hi = 0;
  return (lo & (2 ** (f.n - 1) - 1)) >>> 0;
}
