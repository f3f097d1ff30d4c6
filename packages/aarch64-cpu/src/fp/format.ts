/**
 * Floating-point formats, FPCR/FPSR bits, rounding modes and the constants of each format (index.ts describes the
 * API).
 */
import type { FpCtx } from './ctx.js';

/** A binary interchange format: N bits, E exponent bits, F fraction bits. */
export interface FpFormat {
  /** Width in bits: 16, 32 or 64 (BFloat16: 16). */
  readonly n: number;
  readonly e: number;
  readonly f: number;
  /** The smallest normal exponent, 2 - 2^(E-1). */
  readonly minExp: number;
  /** Flushing uses FPCR.FZ16 (IEEE half) rather than FPCR.FZ. */
  readonly half: boolean;
}

const fmt = (n: number, e: number, f: number, half: boolean): FpFormat => ({ n, e, f, minExp: 2 - (1 << (e - 1)), half });

/** IEEE half precision (FEAT_FP16 arithmetic; conversions honour FPCR.AHP). */
export const H: FpFormat = fmt(16, 5, 10, true);
/** Single precision. */
export const S: FpFormat = fmt(32, 8, 23, false);
/** Double precision. */
export const D: FpFormat = fmt(64, 11, 52, false);
/** BFloat16 (FEAT_BF16): single precision's exponent, 7 fraction bits; flushed by FPCR.FZ. */
export const BF16: FpFormat = fmt(16, 8, 7, false);

/** FPCR bits the library reads. */
export const FPCR_AHP = 1 << 26;
export const FPCR_DN = 1 << 25;
export const FPCR_FZ = 1 << 24;
export const FPCR_RMODE_SHIFT = 22;
export const FPCR_FZ16 = 1 << 19;

/** FPSR cumulative exception flags. */
export const IOC = 1;
export const DZC = 2;
export const OFC = 4;
export const UFC = 8;
export const IXC = 16;
export const IDC = 128;

/** The Arm ARM's FPRounding values; 0-3 are FPCR.RMode's encodings. */
export const enum Rounding {
  TieEven = 0,
  PosInf = 1,
  NegInf = 2,
  Zero = 3,
  TieAway = 4,
  Odd = 5,
}

/** True when `f` flushes denormals to zero under `fpcr`. */
export function flushes(f: FpFormat, fpcr: number): boolean {
  return (fpcr & (f.half ? FPCR_FZ16 : FPCR_FZ)) !== 0;
}

/**
 * Bits of a value in `f`, given its sign (0/1), biased exponent and fraction (a Number < 2^F): the low 32 bits are
 * returned, the high 32 bits of a 64-bit value go to ctx.hi.
 */
export function pack(ctx: FpCtx, f: FpFormat, sign: number, bexp: number, frac: number): number {
  if (f.n === 64) {
    const fhi = Math.floor(frac / 4294967296);
    ctx.hi = ((sign << 31) | (bexp << 20) | fhi) >>> 0;
    return (frac - fhi * 4294967296) >>> 0;
  }
  ctx.hi = 0;
  return ((sign << (f.n - 1)) | (bexp << f.f) | frac) >>> 0;
}

/** ±0. */
export const zero = (ctx: FpCtx, f: FpFormat, sign: number): number => pack(ctx, f, sign, 0, 0);
/** ±infinity. */
export const infinity = (ctx: FpCtx, f: FpFormat, sign: number): number => pack(ctx, f, sign, (1 << f.e) - 1, 0);
/** The largest normal number of sign `sign`. */
export const maxNormal = (ctx: FpCtx, f: FpFormat, sign: number): number =>
  pack(ctx, f, sign, (1 << f.e) - 2, 2 ** f.f - 1);
/** The default NaN: positive, quiet, zero payload. */
export const defaultNaN = (ctx: FpCtx, f: FpFormat): number => pack(ctx, f, 0, (1 << f.e) - 1, 2 ** (f.f - 1));
/** ±2.0 (FPTwo). */
export const two = (ctx: FpCtx, f: FpFormat, sign: number): number => pack(ctx, f, sign, (1 << (f.e - 1)), 0);
/** ±1.5 (FPOnePointFive). */
export const onePointFive = (ctx: FpCtx, f: FpFormat, sign: number): number =>
  pack(ctx, f, sign, (1 << (f.e - 1)) - 1, 2 ** (f.f - 1));
