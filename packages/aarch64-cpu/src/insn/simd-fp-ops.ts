/**
 * Lane operations of the AdvSIMD floating-point instructions that the FP library (fp/index.ts) does not provide as
 * one call: compares producing lane masks, absolute difference and absolute compares, the negated fused
 * multiply-add, conversions to and from integers of the lane's own size (16-bit lanes included) and the rounding
 * instructions. Each has the signature of simd-fp-lanes.ts (`Un`, `Bin`, `Acc`).
 */
import {
  type FpCtx, type FpFormat, H, Rounding, fixedToFp, fpCompareEQ, fpCompareGE, fpCompareGT, fpMulAdd, fpRoundInt,
  fpRoundIntN, fpSub, fpToFixed, IOC,
} from '../fp/index.js';
import type { Acc, Bin, Un } from './simd-fp-lanes.js';

/** A lane mask: all ones when `t`, else zero (the result of the FP compares). */
export function mask(ctx: FpCtx, f: FpFormat, t: boolean): number {
  if (!t) {
    ctx.hi = 0;
    return 0;
  }
  ctx.hi = f.n === 64 ? 0xffff_ffff : 0;
  return f.n === 16 ? 0xffff : 0xffff_ffff;
}

/** The sign bit of a lane's low word (0 for doubles, whose sign is in hi). */
const signLo = (f: FpFormat): number => (f.n === 64 ? 0 : f.n === 32 ? 0x8000_0000 : 0x8000);
/** hi with the sign cleared (doubles). */
const absHi = (f: FpFormat, hi: number): number => (f.n === 64 ? hi & 0x7fff_ffff : hi);
/** lo with the sign cleared (half, single). */
const absLo = (f: FpFormat, lo: number): number => (f.n === 64 ? lo : (lo & ~signLo(f)) >>> 0);

export const fcmeq: Bin = (ctx, f, ahi, alo, bhi, blo) => mask(ctx, f, fpCompareEQ(ctx, f, ahi, alo, bhi, blo));
export const fcmge: Bin = (ctx, f, ahi, alo, bhi, blo) => mask(ctx, f, fpCompareGE(ctx, f, ahi, alo, bhi, blo));
export const fcmgt: Bin = (ctx, f, ahi, alo, bhi, blo) => mask(ctx, f, fpCompareGT(ctx, f, ahi, alo, bhi, blo));
/** FACGE: |a| >= |b| (the signs are cleared first, NaNs included). */
export const facge: Bin = (ctx, f, ahi, alo, bhi, blo) =>
  mask(ctx, f, fpCompareGE(ctx, f, absHi(f, ahi), absLo(f, alo), absHi(f, bhi), absLo(f, blo)));
export const facgt: Bin = (ctx, f, ahi, alo, bhi, blo) =>
  mask(ctx, f, fpCompareGT(ctx, f, absHi(f, ahi), absLo(f, alo), absHi(f, bhi), absLo(f, blo)));

/** FABD: FPAbs(FPSub(a, b)) (a NaN result loses its sign too). */
export const fabd: Bin = (ctx, f, ahi, alo, bhi, blo) => {
  const lo = fpSub(ctx, f, ahi, alo, bhi, blo);
  ctx.hi = absHi(f, ctx.hi);
  return absLo(f, lo);
};

/** Compares with zero (FCMGT, FCMEQ, FCMLT, FCMGE, FCMLE #0.0). */
export const fcmgt0: Un = (ctx, f, hi, lo) => mask(ctx, f, fpCompareGT(ctx, f, hi, lo, 0, 0));
export const fcmge0: Un = (ctx, f, hi, lo) => mask(ctx, f, fpCompareGE(ctx, f, hi, lo, 0, 0));
export const fcmeq0: Un = (ctx, f, hi, lo) => mask(ctx, f, fpCompareEQ(ctx, f, hi, lo, 0, 0));
export const fcmlt0: Un = (ctx, f, hi, lo) => mask(ctx, f, fpCompareGT(ctx, f, 0, 0, hi, lo));
export const fcmle0: Un = (ctx, f, hi, lo) => mask(ctx, f, fpCompareGE(ctx, f, 0, 0, hi, lo));

/** FMLA: Vd + Vn * Vm, fused. */
export const fmla: Acc = (ctx, f, dhi, dlo, ahi, alo, bhi, blo) => fpMulAdd(ctx, f, dhi, dlo, ahi, alo, bhi, blo);
/** FMLS: Vd + (-Vn) * Vm, fused (FPNeg of Vn first, a NaN's sign included). */
export const fmls: Acc = (ctx, f, dhi, dlo, ahi, alo, bhi, blo) =>
  fpMulAdd(ctx, f, dhi, dlo, f.n === 64 ? (ahi ^ 0x8000_0000) >>> 0 : ahi, (alo ^ signLo(f)) >>> 0, bhi, blo);

/**
 * FPToFixed of a lane to an integer of the lane's size (FCVT<r>S/U vector and scalar, FCVTZS/U by immediate):
 * 16-bit lanes convert through 32 bits and saturate to 16, raising IOC (and not IXC) when they do, as FPToFixed's
 * saturation does.
 */
export function toFixed(
  ctx: FpCtx, f: FpFormat, hi: number, lo: number, fbits: number, unsigned: boolean, rounding: Rounding,
): number {
  if (f.n !== 16) return fpToFixed(ctx, f, hi, lo, fbits, unsigned, rounding, f.n);
  const before = ctx.flags;
  const r = fpToFixed(ctx, H, 0, lo, fbits, unsigned, rounding, 32);
  ctx.hi = 0;
  if (unsigned) {
    if (r <= 0xffff) return r;
    ctx.flags = before | IOC;
    return 0xffff;
  }
  const s = r | 0;
  if (s >= -0x8000 && s <= 0x7fff) return s & 0xffff;
  ctx.flags = before | IOC;
  return s < 0 ? 0x8000 : 0x7fff;
}

/** FixedToFP of a lane-sized integer (SCVTF/UCVTF vector and scalar, and by immediate), FPCR rounding. */
export function fromFixed(ctx: FpCtx, f: FpFormat, hi: number, lo: number, fbits: number, unsigned: boolean): number {
  if (f.n === 16) {
    const v = unsigned ? lo & 0xffff : ((lo << 16) >> 16) >>> 0;
    return fixedToFp(ctx, H, 0, v, 32, fbits, unsigned, ctx.rmode);
  }
  return fixedToFp(ctx, f, hi, lo, f.n, fbits, unsigned, ctx.rmode);
}

/** FCVT<r>S / FCVT<r>U (vector and scalar, integer), rounding as `mode`. */
export const toInt = (mode: Rounding, unsigned: boolean): Un => (ctx, f, hi, lo) =>
  toFixed(ctx, f, hi, lo, 0, unsigned, mode);
/** SCVTF / UCVTF (vector and scalar, integer). */
export const fromInt = (unsigned: boolean): Un => (ctx, f, hi, lo) => fromFixed(ctx, f, hi, lo, 0, unsigned);

/** FRINT<x>: a fixed rounding mode, or FPCR's (`'fpcr'`); `exact` for FRINTX. */
export const frint = (mode: Rounding | 'fpcr', exact: boolean): Un => (ctx, f, hi, lo) =>
  fpRoundInt(ctx, f, hi, lo, mode === 'fpcr' ? ctx.rmode : mode, exact);
/** FRINT32Z/32X/64Z/64X (FEAT_FRINTTS): towards zero (`zero`) or FPCR's mode, into an `intsize`-bit range. */
export const frintN = (zero: boolean, intsize: number): Un => (ctx, f, hi, lo) =>
  fpRoundIntN(ctx, f, hi, lo, zero ? Rounding.Zero : ctx.rmode, intsize);
