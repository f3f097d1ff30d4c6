/**
 * Native fast paths: single and double precision add, subtract, multiply, divide, square root and fused
 * multiply-add with the host's float64 arithmetic (correctly rounded, round to nearest even), used only where that gives exactly the Arm ARM's
 * result and flags: FPCR.RMode = RN, every operand normal or zero and the result normal, all well inside the
 * exponent range (so no NaN, infinity, denormal, flushing, underflow or overflow is involved and error-free
 * transforms cannot overflow or underflow). Then the only flag is IXC, found exactly: by TwoSum for sums, by Dekker's
 * exact product for products, quotients and roots (double), by exact float64 products for single precision.
 * Single precision is computed in float64 and rounded once more with Math.fround: double rounding is harmless for
 * these operations since 53 >= 2 * 24 + 2.
 *
 * Two levels: the value level (addVD, mulVS, fmaVD, ...) takes operands that are already host floats (zero or inside
 * the window, which the caller checks with isDOperand/isSOperand) and returns the result as a float, or NaN when the
 * fast path does not apply (a fast result is never NaN); fp/lanes.ts uses it on the register file's float views.
 * The bit level (addD, mulS, ...) takes the library's raw bits and returns the result's low word (ctx.hi the high
 * word) or {@link NO_FAST} to send the operation to the exact path; its values cross to floats through the context's
 * scratch views. Hot path: no allocation.
 */
import type { FpCtx } from './ctx.js';
import { IXC } from './format.js';

/** The fast path does not apply. */
export const NO_FAST = -1;


/** Double exponent window (biased) for operands and results: |x| in [2^-900, 2^900). */
const D_LO = 1023 - 900;
const D_HI = 1023 + 900;
/** The double window's bounds (exported for the WebAssembly tier's emitted fast paths, spec-wasm.ts). */
export const D_MIN = 2 ** -900;
export const D_MAX = 2 ** 900;
/** Single exponent window: |x| in [2^-100, 2^100). */
const S_LO = 127 - 100;
const S_HI = 127 + 100;
/** The single window's bounds (exported as D_MIN). */
export const S_MIN = 2 ** -100;
export const S_MAX = 2 ** 100;

/** A double operand's value when it is zero or normal inside the window, else NaN. */
function dval(ctx: FpCtx, hi: number, lo: number): number {
  const be = (hi >>> 20) & 0x7ff;
  if (be === 0) return (hi & 0xfffff) === 0 && lo === 0 ? (hi >>> 31 === 0 ? 0 : -0) : NaN;
  if (be < D_LO || be >= D_HI) return NaN;
  ctx.u64w[0] = lo;
  ctx.u64w[1] = hi;
  return ctx.f64[0]!;
}

/** A single operand's value when it is zero or normal inside the window, else NaN. */
function sval(ctx: FpCtx, bits: number): number {
  const be = (bits >>> 23) & 0xff;
  if (be === 0) return (bits & 0x7fffff) === 0 ? (bits >>> 31 === 0 ? 0 : -0) : NaN;
  if (be < S_LO || be >= S_HI) return NaN;
  ctx.u32w[0] = bits;
  return ctx.f32[0]!;
}

function dbits(ctx: FpCtx, r: number): number {
  ctx.f64[0] = r;
  ctx.hi = ctx.u64w[1]!;
  return ctx.u64w[0]!;
}

function sbits(ctx: FpCtx, r: number): number {
  ctx.f32[0] = r;
  ctx.hi = 0;
  return ctx.u32w[0]!;
}

/** Whether a double value may be a value-level operand: zero, or normal inside the window (false for NaN). */
export const isDOperand = (x: number): boolean => {
  const a = Math.abs(x);
  return (a >= D_MIN && a < D_MAX) || a === 0;
};
/** Whether a single value (as a double) may be a value-level operand. */
export const isSOperand = (x: number): boolean => {
  const a = Math.abs(x);
  return (a >= S_MIN && a < S_MAX) || a === 0;
};

const inDWindow = (r: number): boolean => {
  const a = Math.abs(r);
  return a >= D_MIN && a < D_MAX;
};
const inSWindow = (r: number): boolean => {
  const a = Math.abs(r);
  return a >= S_MIN && a < S_MAX;
};

/** The rounding error of a + b = s (TwoSum, exact when nothing overflows). */
export function twoSumErr(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

/** Veltkamp's splitting constant for doubles, 2^27 + 1. */
export const SPLIT = 134217729;
/** Whether a * b is exactly p (Dekker's product: p + error; exact inside the windows). */
export function productIs(a: number, b: number, p: number): boolean {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return err === 0;
}

// ---- value level: operands already host floats (zero or inside the window); NaN when the fast path does not
// apply (a fast result is never NaN). fp/lanes.ts reads operands straight from the register file and calls these.

/** Double a + b of operands zero or inside the window: the sum (IXC when inexact), or NaN. */
export function addVD(ctx: FpCtx, a: number, b: number): number {
  const s = a + b;
  if (s !== 0 && !inDWindow(s)) return NaN;
  if (twoSumErr(a, b, s) !== 0) ctx.flags |= IXC;
  return s;
}

/** Double a * b of operands zero or inside the window, or NaN. */
export function mulVD(ctx: FpCtx, a: number, b: number): number {
  const p = a * b;
  if (p === 0) return a === 0 || b === 0 ? p : NaN;
  if (!inDWindow(p)) return NaN;
  if (!productIs(a, b, p)) ctx.flags |= IXC;
  return p;
}

/** Double a / b of operands inside the window (zeros take the exact path), or NaN. */
export function divVD(ctx: FpCtx, a: number, b: number): number {
  if (a === 0 || b === 0) return NaN;
  const q = a / b;
  if (!inDWindow(q)) return NaN;
  if (!productIs(q, b, a)) ctx.flags |= IXC;
  return q;
}

/** Single a + b of single values zero or inside the single window, or NaN. */
export function addVS(ctx: FpCtx, a: number, b: number): number {
  const d = a + b;
  const r = Math.fround(d);
  if (r !== 0 && !inSWindow(r)) return NaN;
  if (r !== d || twoSumErr(a, b, d) !== 0) ctx.flags |= IXC;
  return r;
}

/** Single a * b, or NaN. */
export function mulVS(ctx: FpCtx, a: number, b: number): number {
  const d = a * b; // exact: 48 significant bits
  if (d === 0) return a === 0 || b === 0 ? d : NaN;
  const r = Math.fround(d);
  if (!inSWindow(r)) return NaN;
  if (r !== d) ctx.flags |= IXC;
  return r;
}

/** Single a / b (zeros take the exact path), or NaN. */
export function divVS(ctx: FpCtx, a: number, b: number): number {
  if (a === 0 || b === 0) return NaN;
  const r = Math.fround(a / b);
  if (!inSWindow(r)) return NaN;
  if (r * b !== a) ctx.flags |= IXC; // r * b is exact in float64
  return r;
}

// ---- bit level (the library API's operands)

/** Double a + b (or a - b): the sum, or NO_FAST. */
export function addD(ctx: FpCtx, ahi: number, alo: number, bhi: number, blo: number, sub: boolean): number {
  const a = dval(ctx, ahi, alo);
  const b = dval(ctx, bhi, blo);
  if (a !== a || b !== b) return NO_FAST;
  const s = addVD(ctx, a, sub ? -b : b);
  return s !== s ? NO_FAST : dbits(ctx, s);
}

/** Double a * b, or NO_FAST. */
export function mulD(ctx: FpCtx, ahi: number, alo: number, bhi: number, blo: number): number {
  const a = dval(ctx, ahi, alo);
  const b = dval(ctx, bhi, blo);
  if (a !== a || b !== b) return NO_FAST;
  const p = mulVD(ctx, a, b);
  return p !== p ? NO_FAST : dbits(ctx, p);
}

/** Double a / b for nonzero operands, or NO_FAST. */
export function divD(ctx: FpCtx, ahi: number, alo: number, bhi: number, blo: number): number {
  const a = dval(ctx, ahi, alo);
  const b = dval(ctx, bhi, blo);
  if (a !== a || b !== b) return NO_FAST;
  const q = divVD(ctx, a, b);
  return q !== q ? NO_FAST : dbits(ctx, q);
}

/** Double square root of a positive normal, or NO_FAST. */
export function sqrtD(ctx: FpCtx, hi: number, lo: number): number {
  const a = dval(ctx, hi, lo);
  if (!(a > 0)) return NO_FAST;
  const r = Math.sqrt(a);
  if (!productIs(r, r, a)) ctx.flags |= IXC;
  return dbits(ctx, r);
}

/** Single a + b (or a - b), or NO_FAST. */
export function addS(ctx: FpCtx, abits: number, bbits: number, sub: boolean): number {
  const a = sval(ctx, abits);
  const b = sval(ctx, bbits);
  if (a !== a || b !== b) return NO_FAST;
  const r = addVS(ctx, a, sub ? -b : b);
  return r !== r ? NO_FAST : sbits(ctx, r);
}

/** Single a * b, or NO_FAST. */
export function mulS(ctx: FpCtx, abits: number, bbits: number): number {
  const a = sval(ctx, abits);
  const b = sval(ctx, bbits);
  if (a !== a || b !== b) return NO_FAST;
  const r = mulVS(ctx, a, b);
  return r !== r ? NO_FAST : sbits(ctx, r);
}

/** Single a / b for nonzero operands, or NO_FAST. */
export function divS(ctx: FpCtx, abits: number, bbits: number): number {
  const a = sval(ctx, abits);
  const b = sval(ctx, bbits);
  if (a !== a || b !== b) return NO_FAST;
  const r = divVS(ctx, a, b);
  return r !== r ? NO_FAST : sbits(ctx, r);
}

/** Single square root of a positive normal, or NO_FAST. */
export function sqrtS(ctx: FpCtx, bits: number): number {
  const a = sval(ctx, bits);
  if (!(a > 0)) return NO_FAST;
  const r = Math.fround(Math.sqrt(a));
  if (r * r !== a) ctx.flags |= IXC;
  return sbits(ctx, r);
}

/** s moved one double ulp towards the sign of `dir` (s nonzero and finite). */
function nudge(ctx: FpCtx, s: number, dir: number): number {
  ctx.f64[0] = s;
  let lo = ctx.u64w[0]!;
  let hi = ctx.u64w[1]!;
  if (s > 0 === dir > 0) {
    lo = (lo + 1) >>> 0;
    if (lo === 0) hi = (hi + 1) >>> 0;
  } else {
    if (lo === 0) hi = (hi - 1) >>> 0;
    lo = (lo - 1) >>> 0;
  }
  ctx.u64w[0] = lo;
  ctx.u64w[1] = hi;
  return ctx.f64[0]!;
}

/** The exact product a * b as p + e (Dekker), for operands inside the window: sets ctx.prodErr, returns p. */
function twoProduct(ctx: FpCtx, a: number, b: number): number {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  ctx.prodErr = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return p;
}

/** The FMA operands' window's bounds (exported as D_MIN). */
export const FMA_MIN = 2 ** -400;
export const FMA_MAX = 2 ** 400;
/** Whether a double value is nonzero and inside the FMA operands' window: |x| in [2^-400, 2^400). */
export const inFmaWindow = (x: number): boolean => {
  const a = Math.abs(x);
  return a >= FMA_MIN && a < FMA_MAX;
};

/** fmaVD with a zero operand (see there): the others zero or inside the FMA window, else NaN. */
function fmaZeroD(ctx: FpCtx, c: number, a: number, b: number): number {
  const ok = (x: number): boolean => x === 0 || inFmaWindow(x);
  if (!ok(a) || !ok(b) || !ok(c)) return NaN;
  if (a === 0 || b === 0) return c + a * b; // an exact zero product: c, or the sum of two zeros
  return mulVD(ctx, a, b); // 0 + a * b, a * b nonzero: the product rounded once (NaN outside the window)
}

/**
 * Double c + a * b with one rounding, for operands zero or inside the FMA window, or NO_FAST. Boldo and Melquiond's
 * emulation: the exact product ph + pl, the exact sum uh + ul = c + ph, v = (ul + pl) rounded to odd, then
 * RN(uh + v) is the correctly rounded result. Inexact exactly when v or the last sum was inexact (v inexact rules
 * out the cancellation that could make the total representable: then c and ph are within a factor of two, so
 * uh = c + ph exactly and ul = 0).
 */
export function fmaD(ctx: FpCtx, chi: number, clo: number, ahi: number, alo: number, bhi: number, blo: number): number {
  const r = fmaVD(ctx, dval(ctx, chi, clo), dval(ctx, ahi, alo), dval(ctx, bhi, blo));
  return r !== r ? NO_FAST : dbits(ctx, r);
}

/**
 * {@link fmaD} on values: c + a * b for operands zero or inside the FMA window, else NaN. A zero operand needs no
 * fused arithmetic: a zero product (the other factor finite) is exact, so the sum is c itself, or a zero whose sign
 * IEEE 754's round-to-nearest sum of two zeros gives (as FPMulAdd: -0 only when both are -0), with no flag; a zero
 * addend leaves the product, rounded once (mulVD).
 */
export function fmaVD(ctx: FpCtx, c: number, a: number, b: number): number {
  if (a === 0 || b === 0 || c === 0) return fmaZeroD(ctx, c, a, b);
  if (!inFmaWindow(c) || !inFmaWindow(a) || !inFmaWindow(b)) return NaN;
  const ph = twoProduct(ctx, a, b);
  const pl = ctx.prodErr;
  const uh = c + ph;
  const ul = twoSumErr(c, ph, uh);
  const s1 = ul + pl;
  const t1 = twoSumErr(ul, pl, s1);
  // Round to odd: an inexact sum with an even last bit moves one ulp towards the exact value.
  let v = s1;
  if (t1 !== 0) {
    ctx.f64[0] = s1;
    if ((ctx.u64w[0]! & 1) === 0) v = nudge(ctx, s1, t1);
  }
  const r = uh + v;
  if (!inDWindow(r)) return NaN;
  if (t1 !== 0 || twoSumErr(uh, v, r) !== 0) ctx.flags |= IXC;
  return r;
}

/**
 * Single c + a * b with one rounding, for operands zero or inside the window, or NO_FAST: the product is exact in
 * float64 and so is TwoSum's s + t = c + p; rounding s to single is right unless t != 0 and s sits exactly on a
 * single-precision tie, which moving s one double ulp towards t resolves (it crosses no other single boundary).
 */
export function fmaS(ctx: FpCtx, cbits: number, abits: number, bbits: number): number {
  const r = fmaVS(ctx, sval(ctx, cbits), sval(ctx, abits), sval(ctx, bbits));
  return r !== r ? NO_FAST : sbits(ctx, r);
}

/**
 * {@link fmaS} on single values (zero or inside the single window; NaN for none): the result, or NaN. Zero operands
 * as {@link fmaVD}.
 */
export function fmaVS(ctx: FpCtx, c: number, a: number, b: number): number {
  if (c !== c || a !== a || b !== b) return NaN;
  if (a === 0 || b === 0) return c + a * b; // an exact zero product: c, or the sum of two zeros
  if (c === 0) return mulVS(ctx, a, b);
  const p = a * b;
  let s = c + p;
  if (s === 0) return NaN;
  const t = twoSumErr(c, p, s);
  if (t !== 0) s = nudge(ctx, s, t);
  const r = Math.fround(s);
  if (!inSWindow(r)) return NaN;
  if (t !== 0 || r !== s) ctx.flags |= IXC;
  return r;
}
