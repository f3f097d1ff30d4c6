/**
 * 64-bit lane arithmetic on 32-bit halves, for the SHA-512 and SHA-3 instructions: a 64-bit value is its high word
 * `h` and low word `l` (as stored in the register file's u32 view: low word at the even index), so the handlers
 * need no BigInt and allocate nothing. Each helper returns one half; the other half is the same helper with the
 * halves swapped where that holds (see each).
 */

/**
 * The high word of ROR(h:l, s) for 0 <= s < 64. The low word is `rorHi(l, h, s)`: rotating h:l right by s leaves
 * in the low word what rotating l:h leaves in the high word.
 */
export function rorHi(h: number, l: number, s: number): number {
  if (s === 0) return h;
  if (s < 32) return (h >>> s) | (l << (32 - s));
  if (s === 32) return l;
  return (l >>> (s - 32)) | (h << (64 - s));
}

/** The low word of LSR(h:l, s) for 0 < s < 32 (the high word is `h >>> s`). */
export function lsrLo(h: number, l: number, s: number): number {
  return (l >>> s) | (h << (32 - s));
}

/** 2^32, to take the carry out of a sum of low words. */
const TWO32 = 0x1_0000_0000;

/** The carry out of a sum of unsigned low words (at most a few, so the sum is exact): what goes to the high word. */
export function carry(loSum: number): number {
  return Math.floor(loSum / TWO32);
}
