/**
 * FP mode's initial SIMD&FP state: V register values from an FP-aware distribution (lanes of half, single or double
 * precision: NaNs with payloads, infinities, zeros, denormals, extreme normals, small integers, values next to
 * rounding and integer-conversion boundaries), and FPCR/FPSR values.
 *
 * Values are raw bit patterns (bigint), never host floats, so NaN payloads and signs are exact.
 */
import type { FpInit } from './harness.js';
import type { Prng } from './prng.js';

/** An IEEE binary format: exponent and fraction widths. */
export interface FpFormat {
  readonly bits: number;
  readonly ebits: number;
  readonly fbits: number;
}

export const HALF: FpFormat = { bits: 16, ebits: 5, fbits: 10 };
export const SINGLE: FpFormat = { bits: 32, ebits: 8, fbits: 23 };
export const DOUBLE: FpFormat = { bits: 64, ebits: 11, fbits: 52 };

/**
 * The FPCR bits FP mode sets: AHP [26], DN [25], FZ [24], RMode [23:22], Stride [21:20], FZ16 [19], Len [18:16] —
 * what the model implements (aarch64-cpu fpsimd/fp-status.ts FPCR_IMPLEMENTED). QEMU `-cpu max` would also keep
 * FIZ/AH/NEP [2:0] (FEAT_AFP) and EBF [13] (FEAT_EBF16), which the model does not have: never set.
 */
export const FPCR_FUZZ_MASK = 0x07ff_0000;
/** The FPSR bits FP mode sets: NZCV [31:28], QC [27], IDC [7], IXC, UFC, OFC, DZC, IOC [4:0] (as the model stores). */
export const FPSR_FUZZ_MASK = 0xf800_009f | 0;

/** Sign, biased exponent and fraction to a bit pattern. */
export function pack(f: FpFormat, sign: number, exp: bigint, frac: bigint): bigint {
  return (BigInt(sign & 1) << BigInt(f.ebits + f.fbits)) | (exp << BigInt(f.fbits)) | (frac & ((1n << BigInt(f.fbits)) - 1n));
}

const maxExp = (f: FpFormat): bigint => (1n << BigInt(f.ebits)) - 1n;
const bias = (f: FpFormat): number => (1 << (f.ebits - 1)) - 1;

/**
 * The bit pattern of sign * m * 2^e (m a non-negative integer of at most fbits + 1 significant bits, result a normal
 * number of the format, or 0), exactly: no rounding is ever needed for the values this module builds.
 */
export function exactValue(f: FpFormat, sign: number, m: bigint, e: number): bigint {
  if (m === 0n) return pack(f, sign, 0n, 0n);
  let top = 0;
  while (m >> BigInt(top + 1) !== 0n) top++;
  const exp = top + e + bias(f);
  if (exp <= 0) return pack(f, sign, 0n, 0n); // below the normal range: not built by the callers
  if (BigInt(exp) >= maxExp(f)) return pack(f, sign, maxExp(f), 0n); // beyond it (half precision): infinity
  const frac = top <= f.fbits ? (m << BigInt(f.fbits - top)) : (m >> BigInt(top - f.fbits));
  return pack(f, sign, BigInt(exp), frac);
}

/** One lane value of format f. */
export function fpValue(r: Prng, f: FpFormat): bigint {
  const sign = r.bits(1);
  const fracBits = (): bigint => {
    let v = 0n;
    for (let left = f.fbits; left > 0; left -= 32) v = (v << BigInt(Math.min(32, left))) | BigInt(r.bits(Math.min(32, left)));
    return v;
  };
  const quietBit = 1n << BigInt(f.fbits - 1);
  /** +-1 ulp (or 0) on the bit pattern: the neighbours of a finite non-zero value. */
  const nudge = (v: bigint): bigint => BigInt.asUintN(f.bits, v + BigInt(r.range(-1, 1)));
  return r.weighted<() => bigint>([
    [14, () => BigInt.asUintN(f.bits, (BigInt(r.u32()) << 32n | BigInt(r.u32())) << 32n | BigInt(r.u32()))],
    [5, () => pack(f, sign, 0n, 0n)],
    [4, () => pack(f, sign, maxExp(f), 0n)],
    [5, () => pack(f, sign, maxExp(f), quietBit | fracBits())], // quiet NaN, random payload
    [5, () => pack(f, sign, maxExp(f), (fracBits() & (quietBit - 1n)) || 1n)], // signalling NaN, payload non-zero
    [3, () => pack(f, sign, maxExp(f), quietBit)], // the default NaN's pattern (either sign)
    [5, () => pack(f, sign, 0n, fracBits() || 1n)], // denormal
    [2, () => pack(f, sign, 0n, r.chance(0.5) ? 1n : quietBit * 2n - 1n)], // smallest / largest denormal
    [3, () => nudge(pack(f, sign, 1n, 0n))], // smallest normal and its neighbours
    [3, () => nudge(pack(f, sign, maxExp(f) - 1n, (1n << BigInt(f.fbits)) - 1n))], // largest normal, neighbours
    [10, () => exactValue(f, sign, BigInt(r.range(0, 16)), 0)], // small integers
    // n + 0.5 and its neighbours: ties for FRINT*, FCVT* and SCVTF-style rounding.
    [8, () => nudge(exactValue(f, sign, BigInt(2 * r.range(0, 20) + 1), -1))],
    // integer-conversion boundaries (2^7, 2^8, 2^15, 2^16, 2^31, 2^32, 2^63, 2^64) and their neighbours
    [8, () => nudge(exactValue(f, sign, 1n, r.pick([7, 8, 15, 16, 31, 32, 63, 64])))],
    // fixed-point boundaries: 2^k for the scales FCVTZS/UCVTF (fixed point) use
    [3, () => nudge(exactValue(f, sign, 1n, -r.range(1, 64)))],
    // ordinary numbers near 1: random fraction, exponent -8..8
    [10, () => pack(f, sign, BigInt(bias(f) + r.range(-8, 8)), fracBits())],
  ])();
}

/** A 128-bit register: lanes of one precision from {@link fpValue}, or random bits. */
export function vregValue(r: Prng): bigint {
  const kind = r.weighted([[25, 'H'], [30, 'S'], [30, 'D'], [15, 'random']] as const);
  if (kind === 'random') return (BigInt(r.u32()) << 96n) | (BigInt(r.u32()) << 64n) | (BigInt(r.u32()) << 32n) | BigInt(r.u32());
  const f = kind === 'H' ? HALF : kind === 'S' ? SINGLE : DOUBLE;
  let v = 0n;
  for (let lane = 0; lane < 128 / f.bits; lane++) v |= fpValue(r, f) << BigInt(lane * f.bits);
  return v;
}

/**
 * An FPCR value: RMode, FZ, DN, FZ16 and AHP uniformly random (every combination comes up), Len/Stride (AArch32
 * fields, kept by both sides) non-zero 10% of the time; nothing outside {@link FPCR_FUZZ_MASK}.
 */
export function fpcrValue(r: Prng): number {
  let v = r.bits(2) << 22 | r.bits(1) << 24 | r.bits(1) << 25 | r.bits(1) << 19 | r.bits(1) << 26;
  if (r.chance(0.1)) v |= r.bits(3) << 16 | r.bits(2) << 20;
  return (v & FPCR_FUZZ_MASK) >>> 0;
}

/** An FPSR value: 0 (70%) or random cumulative flags (and QC, NZCV) within {@link FPSR_FUZZ_MASK}. */
export function fpsrValue(r: Prng): number {
  return r.chance(0.7) ? 0 : (r.u32() & FPSR_FUZZ_MASK) >>> 0;
}

/** FP mode's initial state: V0-V31, FPCR and FPSR. */
export function fpInit(r: Prng): FpInit {
  return { v: Array.from({ length: 32 }, () => vregValue(r)), fpcr: fpcrValue(r), fpsr: fpsrValue(r) };
}
