/**
 * FPUnpack / FPUnpackCV and NaN processing (FPProcessNaN, FPProcessNaNs, FPProcessNaNs3) of the Arm ARM.
 */
import type { FpCtx } from './ctx.js';
import { type FpFormat, FPCR_AHP, FPCR_DN, IDC, IOC, defaultNaN, flushes } from './format.js';

/** FPType. */
export const enum FpType {
  Zero = 0,
  /** Normal or denormal (the Arm ARM's FPType_Nonzero and FPType_Denormal). */
  Nonzero = 1,
  Infinity = 2,
  QNaN = 3,
  SNaN = 4,
}

/**
 * An unpacked operand: its type and sign, its value `mant * 2^exp` (mant an integer < 2^53, 0 for zeros, infinities
 * and NaNs) and its raw bits (for NaN propagation). Reused: the library owns a few and refills them per operation.
 */
export class Unpacked {
  type: FpType = FpType.Zero;
  sign = 0;
  mant = 0;
  exp = 0;
  hi = 0;
  lo = 0;
  get isNaN(): boolean {
    return this.type >= FpType.QNaN;
  }
}

/**
 * Unpack the value `hi:lo` of format `f` (hi is ignored below 64 bits) into `u`, flushing a denormal to zero under
 * FPCR.FZ (raising IDC) or FPCR.FZ16 (half precision, no IDC), as FPUnpack. With `cv` (FPUnpackCV, for FCVT) half
 * precision is never flushed and FPCR.AHP selects the alternative half-precision format.
 */
export function unpack(ctx: FpCtx, f: FpFormat, hi: number, lo: number, u: Unpacked, cv = false): Unpacked {
  let sign: number;
  let bexp: number;
  let frac: number;
  if (f.n === 64) {
    sign = hi >>> 31;
    bexp = (hi >>> 20) & 0x7ff;
    frac = (hi & 0xfffff) * 4294967296 + (lo >>> 0);
  } else {
    sign = (lo >>> (f.n - 1)) & 1;
    bexp = (lo >>> f.f) & ((1 << f.e) - 1);
    frac = lo & ((1 << f.f) - 1);
  }
  u.sign = sign;
  u.hi = hi >>> 0;
  u.lo = lo >>> 0;
  u.mant = 0;
  u.exp = 0;
  const ones = (1 << f.e) - 1;
  if (bexp === 0) {
    if (frac === 0) {
      u.type = FpType.Zero;
    } else if (f.half ? !cv && flushes(f, ctx.fpcr) : flushes(f, ctx.fpcr)) {
      u.type = FpType.Zero;
      if (!f.half) ctx.flags |= IDC;
    } else {
      u.type = FpType.Nonzero;
      u.mant = frac;
      u.exp = f.minExp - f.f;
    }
  } else if (bexp === ones && !(f.half && cv && (ctx.fpcr & FPCR_AHP) !== 0)) {
    if (frac === 0) u.type = FpType.Infinity;
    else u.type = frac >= 2 ** (f.f - 1) ? FpType.QNaN : FpType.SNaN;
  } else {
    u.type = FpType.Nonzero;
    u.mant = frac + 2 ** f.f;
    u.exp = bexp - (ones >> 1) - f.f;
  }
  return u;
}

/** FPProcessNaN: `u` (a NaN) quieted (IOC if it was signalling), or the default NaN under FPCR.DN. */
export function processNaN(ctx: FpCtx, f: FpFormat, u: Unpacked): number {
  if (u.type === FpType.SNaN) ctx.flags |= IOC;
  if ((ctx.fpcr & FPCR_DN) !== 0) return defaultNaN(ctx, f);
  if (f.n === 64) {
    ctx.hi = (u.hi | 0x80000) >>> 0;
    return u.lo;
  }
  ctx.hi = 0;
  return (u.lo | (1 << (f.f - 1))) >>> 0;
}

/** No NaN operand: what {@link processNaNs} and {@link processNaNs3} return when the operation goes on. */
export const NOT_NAN = -1;

/**
 * FPProcessNaNs: when either operand is a NaN, the NaN result (the first signalling NaN, else the first quiet one;
 * low word returned, high word in ctx.hi); else {@link NOT_NAN}.
 */
export function processNaNs(ctx: FpCtx, f: FpFormat, a: Unpacked, b: Unpacked): number {
  if (a.type === FpType.SNaN) return processNaN(ctx, f, a);
  if (b.type === FpType.SNaN) return processNaN(ctx, f, b);
  if (a.type === FpType.QNaN) return processNaN(ctx, f, a);
  if (b.type === FpType.QNaN) return processNaN(ctx, f, b);
  return NOT_NAN;
}

/** FPProcessNaNs3: as {@link processNaNs} for three operands, in the order a, b, c. */
export function processNaNs3(ctx: FpCtx, f: FpFormat, a: Unpacked, b: Unpacked, c: Unpacked): number {
  if (a.type === FpType.SNaN) return processNaN(ctx, f, a);
  if (b.type === FpType.SNaN) return processNaN(ctx, f, b);
  if (c.type === FpType.SNaN) return processNaN(ctx, f, c);
  if (a.type === FpType.QNaN) return processNaN(ctx, f, a);
  if (b.type === FpType.QNaN) return processNaN(ctx, f, b);
  if (c.type === FpType.QNaN) return processNaN(ctx, f, c);
  return NOT_NAN;
}
