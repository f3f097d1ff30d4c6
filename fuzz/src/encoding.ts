/**
 * Building instruction words from encoding diagrams: "the class's fixed bits, every other bit random" patterns and
 * field access. Shared by the integer classes (generator.ts) and the SIMD&FP classes (fp-classes.ts).
 */
import type { Prng } from './prng.js';

/** A word from a 32-character pattern (spaces ignored): '0'/'1' fixed, anything else a random bit. */
export function fill(r: Prng, pattern: string): number {
  const p = pattern.replace(/ /g, '');
  if (p.length !== 32) throw new Error(`pattern ${pattern} has ${p.length} bits`);
  let w = 0;
  for (let i = 0; i < 32; i++) {
    const c = p[i]!;
    const bit = c === '0' ? 0 : c === '1' ? 1 : r.bits(1);
    w = (w << 1) | bit;
  }
  return w >>> 0;
}

export const setField = (w: number, lsb: number, width: number, v: number): number =>
  ((w & ~(((2 ** width - 1) << lsb) >>> 0)) | ((v & (2 ** width - 1)) << lsb)) >>> 0;
export const field = (w: number, lsb: number, width: number): number => (w >>> lsb) & (2 ** width - 1);

/** Sign-extends the low `bits` bits of v. */
export const sext = (v: number, bits: number): number => (v << (32 - bits)) >> (32 - bits);
