/**
 * DecodeBitMasks (Arm ARM, shared pseudocode) for the logical (immediate) and bitfield instructions. Computed when
 * an instruction word is decoded (the decode cache keeps the result), so it is plain BigInt arithmetic with no memo.
 */

/** wmask and tmask on `w` bits, or undefined for the reserved encodings (element size below 2). */
export function decodeBitMasks(
  n: number, imms: number, immr: number, immediate: boolean, w: 32 | 64,
): { readonly wmask: bigint; readonly tmask: bigint } | undefined {
  const len = 31 - Math.clz32((n << 6) | (~imms & 0x3f)); // HighestSetBit(N:NOT(imms))
  if (len < 1) return undefined;
  const levels = (1 << len) - 1;
  if (immediate && (imms & levels) === levels) return undefined;
  const esize = 1 << len;
  const s = imms & levels;
  const r = immr & levels;
  const d = (s - r) & levels;
  const emask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(s + 1)) - 1n;
  let wm = r === 0 ? welem : ((welem >> BigInt(r)) | (welem << BigInt(esize - r))) & emask; // ROR(welem, r)
  let tm = (1n << BigInt(d + 1)) - 1n;
  for (let size = esize; size < 64; size *= 2) {
    wm |= wm << BigInt(size);
    tm |= tm << BigInt(size);
  }
  const lim = w === 64 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn;
  return { wmask: wm & lim, tmask: tm & lim };
}
