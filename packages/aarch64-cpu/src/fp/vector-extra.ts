/**
 * Additions to the FP library for the AdvSIMD floating-point instructions (insn/simd-fp-*.ts), built beside the
 * library rather than inside it:
 * - {@link halfToSingle}: a half-precision value widened to single precision exactly (FEAT_FHM's FMLAL operands);
 * - {@link unsignedRecipEstimate}, {@link unsignedRSqrtEstimate}: URECPE and URSQRTE;
 * - {@link bfMul}, {@link bfAdd}: the Arm ARM's BFMulH and FPAdd_BF16 ("standard" BFloat16 arithmetic with
 *   FPCR.EBF = 0, used by BFDOT and BFMMLA): every NaN input gives the default NaN, denormal inputs and tiny results
 *   are flushed to zero, results are rounded to odd, FPCR is not read and no FPSR flag is raised.
 *
 * Values are raw bit patterns as everywhere in the library; none of these allocates.
 */
import { FPCR_FZ16 } from './format.js';

/**
 * Half-precision `h` as single-precision bits, exactly: NaNs keep their signalling bit and payload (shifted into
 * the top of the single fraction), so a later single-precision operation processes them as the half NaN would be
 * processed and then converted. A denormal becomes a normal single, or a zero of its sign when FPCR.FZ16 is set
 * (FPUnpack of half precision: no IDC).
 */
export function halfToSingle(h: number, fpcr: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let frac = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f80_0000 | (frac << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (frac << 13)) >>> 0;
  if (frac === 0 || (fpcr & FPCR_FZ16) !== 0) return sign >>> 0;
  // frac * 2^-24: shift the leading one up to bit 10, lowering the exponent of 2^-14 (biased 113) as it goes.
  let e = 113;
  while ((frac & 0x400) === 0) {
    frac <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((frac & 0x3ff) << 13)) >>> 0;
}

/** RecipEstimate(a) for a in 256..511 (the 9-bit estimate, 256..511). */
function recipEstimate9(a: number): number {
  const b = Math.floor((1 << 19) / (a * 2 + 1));
  return (b + 1) >> 1;
}

/** RecipSqrtEstimate(a) for a in 128..511, tabulated when the module loads (the Arm ARM's search loop). */
const RSQRT9 = new Uint16Array(512);
for (let a0 = 128; a0 < 512; a0++) {
  const a = a0 < 256 ? a0 * 2 + 1 : ((a0 >> 1) + 1) * 4 - 2;
  let b = 512;
  while (a * (b + 1) * (b + 1) < 2 ** 28) b++;
  RSQRT9[a0] = (b + 1) >> 1;
}

/** UnsignedRecipEstimate (URECPE) of the 32-bit unsigned `v`. */
export function unsignedRecipEstimate(v: number): number {
  if (v >>> 31 === 0) return 0xffff_ffff;
  return (recipEstimate9(v >>> 23) << 23) >>> 0;
}

/** UnsignedRSqrtEstimate (URSQRTE) of the 32-bit unsigned `v`. */
export function unsignedRSqrtEstimate(v: number): number {
  if (v >>> 30 === 0) return 0xffff_ffff;
  return (RSQRT9[v >>> 23]! << 23) >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// BFloat16 arithmetic (FPCR.EBF = 0)
// ---------------------------------------------------------------------------------------------------------------

const DEFAULT_NAN = 0x7fc0_0000;
const TWO23 = 2 ** 23;
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Single-precision bits as a number for BFUnpack: denormals are ±0; NaN or infinity is NaN/±Infinity. */
function bfValue(bits: number): number {
  const exp = (bits >>> 23) & 0xff;
  const neg = bits >>> 31 === 1;
  if (exp === 0) return neg ? -0 : 0;
  if (exp === 0xff) return (bits & 0x7f_ffff) !== 0 ? NaN : neg ? -Infinity : Infinity;
  const m = ((bits & 0x7f_ffff) + TWO23) * 2 ** (exp - 150);
  return neg ? -m : m;
}

/**
 * BFRound of a nonzero finite double `x` that holds the exact result, or the exact result rounded to odd at 53
 * bits (which rounds to odd at 24 bits the same way): single-precision bits, rounded to odd, a result below 2^-126
 * flushed to a zero of its sign, one above the single range infinite.
 */
function bfRound(x: number): number {
  F64[0] = x;
  const hi = U32[1]!;
  const lo = U32[0]!;
  const sign = hi & 0x8000_0000;
  const exp = ((hi >>> 20) & 0x7ff) - 1023;
  if (exp < -126) return sign >>> 0;
  if (exp > 127) return (sign | 0x7f80_0000) >>> 0;
  // 52 fraction bits = hi<19:0>:lo; keep 23, the lowest kept bit is set when any of the 29 dropped bits is.
  let frac = ((hi & 0xf_ffff) << 3) | (lo >>> 29);
  if ((lo & 0x1fff_ffff) !== 0) frac |= 1;
  return (sign | ((exp + 127) << 23) | frac) >>> 0;
}

/** BFMulH: the single-precision product of the BFloat16 values `a` and `b` (16 bits each). */
export function bfMul(a: number, b: number): number {
  const va = bfValue(a << 16);
  const vb = bfValue(b << 16);
  if (va !== va || vb !== vb) return DEFAULT_NAN;
  const p = va * vb; // exact: 8-bit significands
  if (p !== p) return DEFAULT_NAN; // infinity times zero
  if (p === 0) return ((a ^ b) & 0x8000) << 16 >>> 0;
  if (p === Infinity || p === -Infinity) return p > 0 ? 0x7f80_0000 : 0xff80_0000;
  return bfRound(p);
}

/** FPAdd_BF16: the single-precision sum of the single-precision values `a` and `b`, rounded to odd. */
export function bfAdd(a: number, b: number): number {
  const va = bfValue(a);
  const vb = bfValue(b);
  if (va !== va || vb !== vb) return DEFAULT_NAN;
  const infA = va === Infinity || va === -Infinity;
  const infB = vb === Infinity || vb === -Infinity;
  if (infA || infB) {
    if (infA && infB && va !== vb) return DEFAULT_NAN;
    return (infA ? va : vb) > 0 ? 0x7f80_0000 : 0xff80_0000;
  }
  if (va === 0 && vb === 0) return (a & b & 0x8000_0000) >>> 0 === 0 ? 0 : 0x8000_0000;
  const s = va + vb;
  if (s === 0) return 0; // an exact zero sum is +0 under round to odd
  // TwoSum: s + err is the exact sum; when inexact and s is even at 53 bits, step s one unit towards the exact value
  // (round to odd at 53 bits), which then rounds to odd at 24 bits exactly as the exact sum would.
  const t = s - va;
  const err = (va - (s - t)) + (vb - t);
  if (err === 0) return bfRound(s);
  F64[0] = s;
  if ((U32[0]! & 1) === 0) {
    const away = (err > 0) === (s > 0);
    const lo = U32[0]!;
    if (away) {
      U32[0] = lo + 1;
    } else {
      U32[0] = lo - 1;
      if (lo === 0) U32[1] = U32[1]! - 1;
    }
  }
  return bfRound(F64[0]!);
}

/** BFDotAdd: addend + (a1 * b1 + a2 * b2), BFloat16 products and single sums as {@link bfMul} and {@link bfAdd}. */
export function bfDotAdd(addend: number, a1: number, a2: number, b1: number, b2: number): number {
  return bfAdd(addend, bfAdd(bfMul(a1, b1), bfMul(a2, b2)));
}
