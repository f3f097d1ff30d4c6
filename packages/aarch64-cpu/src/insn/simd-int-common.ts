/**
 * Shared pieces of the AdvSIMD integer instruction classes (insn/simd-*.ts): lane views by size and signedness,
 * saturation with the FPSR.QC sticky bit, a scratch register file for results that read lanes they overwrite, and
 * the bit-pattern helpers the class files build their rows with.
 *
 * Conventions of every class file:
 * - Rows are generated per (instruction, size, Q) with exact patterns, so a reserved size/Q combination matches no
 *   row and is UNDEFINED before the SIMD&FP access check (fpsimd/access.ts), as the Arm ARM decodes. Each row's
 *   handler is a closure with its element size, signedness and lane count fixed at table-build time.
 * - Lanes of up to 32 bits are Numbers (exact: every intermediate below stays within 2^53, or is computed with
 *   Math.imul / the split product {@link mul32}); 64-bit lanes are BigInts from the u64/i64 views.
 * - A store to a typed-array lane truncates modulo 2^esize, which is the Arm ARM's `Elem[...] = value<esize-1:0>`.
 */
import type { Cpu } from '../cpu.js';
import { vregsOver, type VRegs } from '../fpsimd/vregs.js';

/** FPSR.QC, the cumulative saturation bit. */
export const FPSR_QC = 1 << 27;

/** A lane view of 8, 16 or 32-bit elements. */
export type Lanes = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/**
 * 2^n for n = 0..128, the powers of two that shift Number lanes (shift counts reach 128 in SSHL's family): with a
 * variable n, `2 ** n` is a call of Math.pow, about seven times slower than this load (SHRN spent most of its time
 * there).
 */
export const POW2: Float64Array = new Float64Array(129).map((_, n) => 2 ** n);

/** The view of `vr` for elements of 2^size bytes (size 0..2), signed or unsigned. */
export function lanes(vr: VRegs, size: number, signed: boolean): Lanes {
  switch (size) {
    case 0: return signed ? vr.i8 : vr.u8;
    case 1: return signed ? vr.i16 : vr.u16;
    default: return signed ? vr.i32 : vr.u32;
  }
}

/**
 * A scratch register file (never guest state): results that read lanes of registers they also write (pairwise,
 * permutes, narrowing and widening, table lookup) are built in T0 and then copied to Vd with {@link commit}.
 */
export const TMP: VRegs = vregsOver(new ArrayBuffer(512), 0);

/** Copy `bytes` (8 or 16) of scratch register `t` to Vd at byte offset `at` (0 or 8); bytes past at+bytes cleared
 * when `clear` (a 64-bit result), else kept (the upper-half write of a "2" narrowing instruction). */
export function commit(vr: VRegs, d: number, t: number, at: number, bytes: number, clear: boolean): void {
  const src = TMP.u32;
  const dst = vr.u32;
  const dw = d * 4 + (at >> 2);
  const sw = t * 4;
  for (let w = 0; w < bytes >> 2; w++) dst[dw + w] = src[sw + w]!;
  if (clear && at + bytes < 16) {
    for (let w = (at + bytes) >> 2; w < 4; w++) dst[d * 4 + w] = 0;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Saturation and FPSR.QC
// ---------------------------------------------------------------------------------------------------------------

let saturated = false;

/** Signed limits by size (0..2). */
const S_MIN = [-0x80, -0x8000, -0x8000_0000];
const S_MAX = [0x7f, 0x7fff, 0x7fff_ffff];
/** Unsigned maximum by size (0..2). */
const U_MAX = [0xff, 0xffff, 0xffff_ffff];

/** SignedSatQ(v, 8 << size) for size 0..2, noting saturation for {@link flushQc}. */
export function satS(v: number, size: number): number {
  if (v > S_MAX[size]!) { saturated = true; return S_MAX[size]!; }
  if (v < S_MIN[size]!) { saturated = true; return S_MIN[size]!; }
  return v;
}

/** UnsignedSatQ(v, 8 << size) for size 0..2. */
export function satU(v: number, size: number): number {
  if (v > U_MAX[size]!) { saturated = true; return U_MAX[size]!; }
  if (v < 0) { saturated = true; return 0; }
  return v;
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const U64_MAX = (1n << 64n) - 1n;

/** SignedSatQ(v, 64). */
export function satS64(v: bigint): bigint {
  if (v > I64_MAX) { saturated = true; return I64_MAX; }
  if (v < I64_MIN) { saturated = true; return I64_MIN; }
  return v;
}

/** UnsignedSatQ(v, 64). */
export function satU64(v: bigint): bigint {
  if (v > U64_MAX) { saturated = true; return U64_MAX; }
  if (v < 0n) { saturated = true; return 0n; }
  return v;
}

/** Saturate to 64 bits signed or unsigned. */
export const sat64 = (v: bigint, unsigned: boolean): bigint => (unsigned ? satU64(v) : satS64(v));
/** Saturate to 8 << size bits signed or unsigned. */
export const sat = (v: number, size: number, unsigned: boolean): number => (unsigned ? satU(v, size) : satS(v, size));

/** Note a saturation found outside the helpers above. */
export function noteSaturation(): void {
  saturated = true;
}

/** Set FPSR.QC if any lane of the instruction just run saturated (call once, after all lanes). */
export function flushQc(cpu: Cpu): void {
  if (saturated) {
    saturated = false;
    cpu.fpsr = cpu.fpsr | FPSR_QC;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Arithmetic helpers
// ---------------------------------------------------------------------------------------------------------------

/** The high word of the last {@link mul32} (a signed Number). */
export let mulHi = 0;

/**
 * The exact product of two 32-bit integers (signed or unsigned, as Numbers) as hi * 2^32 + lo: returns lo (0..2^32-1)
 * and leaves hi in {@link mulHi}. Split into 16-bit halves so every partial product is exact in a double.
 */
export function mul32(a: number, b: number): number {
  const ah = Math.floor(a / 65536);
  const al = a - ah * 65536;
  const bh = Math.floor(b / 65536);
  const bl = b - bh * 65536;
  const mid = ah * bl + al * bh;
  const midHi = Math.floor(mid / 65536);
  const lo = al * bl + (mid - midHi * 65536) * 65536;
  const carry = Math.floor(lo / 4294967296);
  mulHi = ah * bh + midHi + carry;
  return lo - carry * 4294967296;
}

/**
 * floor((2 * a * b + round + (acc << esize)) / 2^esize) for esize = 8 << size (size 1 or 2): the doubling multiply
 * high half of SQDMULH, SQRDMULH (round = 1 << (esize - 1)) and SQRDMLAH/SQRDMLSH (acc, and `neg` to subtract the
 * product), saturated to the element.
 */
export function dmulh(a: number, b: number, acc: number, size: number, rounding: boolean, neg: boolean): number {
  if (size === 1) {
    const p = 2 * a * b;
    const v = (neg ? -p : p) + acc * 65536 + (rounding ? 0x8000 : 0);
    return satS(Math.floor(v / 65536), 1);
  }
  const lo = mul32(neg ? -a : a, b);
  const lo2 = 2 * lo + (rounding ? 0x8000_0000 : 0);
  const carry = Math.floor(lo2 / 4294967296);
  return satS(acc + 2 * mulHi + carry, 2);
}

/** Polynomial (carry-less) multiply of two values of up to 32 bits: the low 32 bits; high bits in {@link mulHi}. */
export function pmul32(a: number, b: number): number {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 32; i++) {
    if (((b >>> i) & 1) !== 0) {
      lo ^= a << i;
      if (i !== 0) hi ^= a >>> (32 - i);
    }
  }
  mulHi = hi >>> 0;
  return lo >>> 0;
}

/** Two's-complement sign extension of the low 8 bits (the shift count of SSHL and friends). */
export const sext8 = (v: number): number => (v << 24) >> 24;

// ---------------------------------------------------------------------------------------------------------------
// Patterns
// ---------------------------------------------------------------------------------------------------------------

/** `v` as `n` binary digits. */
export function bits(v: number, n: number): string {
  return v.toString(2).padStart(n, '0');
}

/** Register fields of a handler: Rd, Rn, Rm (bits 4:0, 9:5, 20:16). */
export const rd = (insn: number): number => insn & 31;
export const rn = (insn: number): number => (insn >>> 5) & 31;
export const rm = (insn: number): number => (insn >>> 16) & 31;
