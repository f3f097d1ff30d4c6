/**
 * FEAT_SHA512 (Arm ARM C4.1.96 "Cryptographic three-register SHA512" with O = 0, opcodes 0-2, and "Cryptographic
 * two-register SHA512" opcode 0): SHA512H, SHA512H2, SHA512SU1, SHA512SU0, as the Arm ARM's pseudocode defines them.
 * (RAX1, the fourth opcode of the three-register class, is FEAT_SHA3: simd-crypto-sha3.ts.)
 *
 * Lanes are 64-bit, worked on as 32-bit halves (simd-crypto-u64.ts); lane k of Vr is u32[4r + 2k] (low word) and
 * u32[4r + 2k + 1] (high word). Every operand is read into locals before Vd is written.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { carry, lsrLo, rorHi } from './simd-crypto-u64.js';

/** The high word of SHA-512's Sigma1(h:l) (ROR 14, 18, 41); the low word is `bigSigma1Hi(l, h)`. */
const bigSigma1Hi = (h: number, l: number): number => rorHi(h, l, 14) ^ rorHi(h, l, 18) ^ rorHi(h, l, 41);
/** The high word of SHA-512's Sigma0(h:l) (ROR 28, 34, 39); the low word is `bigSigma0Hi(l, h)`. */
const bigSigma0Hi = (h: number, l: number): number => rorHi(h, l, 28) ^ rorHi(h, l, 34) ^ rorHi(h, l, 39);

/**
 * SHA512H Qd, Qn, Vm.2D: the T1 values of two SHA-512 rounds (Vn = g:f, Vm = e:d, Vd = the words W+K+h of the two
 * rounds, high lane first). X = Vn, Y = Vm, W = Vd:
 *   Vtmp<127:64> = Ch(Y<127:64>, X<63:0>, X<127:64>) + Sigma1(Y<127:64>) + W<127:64>
 *   tmp = Vtmp<127:64> + Y<63:0>
 *   Vtmp<63:0> = Ch(tmp, Y<127:64>, X<63:0>) + Sigma1(tmp) + W<63:0>
 * where Ch(e, f, g) = (e AND f) EOR (NOT e AND g).
 */
function sha512h(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  const xLoL = u32[n]!, xLoH = u32[n + 1]!, xHiL = u32[n + 2]!, xHiH = u32[n + 3]!;
  const yLoL = u32[m]!, yLoH = u32[m + 1]!, yHiL = u32[m + 2]!, yHiH = u32[m + 3]!;
  const wLoL = u32[d]!, wLoH = u32[d + 1]!, wHiL = u32[d + 2]!, wHiH = u32[d + 3]!;

  const hiSum = (((yHiL & xLoL) ^ (~yHiL & xHiL)) >>> 0) + (bigSigma1Hi(yHiL, yHiH) >>> 0) + wHiL;
  const hiL = hiSum >>> 0;
  const hiH = (((yHiH & xLoH) ^ (~yHiH & xHiH)) + bigSigma1Hi(yHiH, yHiL) + wHiH + carry(hiSum)) | 0;

  const tSum = hiL + yLoL;
  const tL = tSum >>> 0;
  const tH = (hiH + yLoH + carry(tSum)) | 0;

  const loSum = (((tL & yHiL) ^ (~tL & xLoL)) >>> 0) + (bigSigma1Hi(tL, tH) >>> 0) + wLoL;
  u32[d] = loSum;
  u32[d + 1] = ((tH & yHiH) ^ (~tH & xLoH)) + bigSigma1Hi(tH, tL) + wLoH + carry(loSum);
  u32[d + 2] = hiL;
  u32[d + 3] = hiH;
}

/**
 * SHA512H2 Qd, Qn, Vm.2D: the new a values of two SHA-512 rounds. X = Vn, Y = Vm, W = Vd:
 *   Vtmp<127:64> = Maj(X<63:0>, Y<127:64>, Y<63:0>) + Sigma0(Y<63:0>) + W<127:64>
 *   Vtmp<63:0> = Maj(Vtmp<127:64>, Y<63:0>, Y<127:64>) + Sigma0(Vtmp<127:64>) + W<63:0>
 * where Maj(a, b, c) = (a AND b) EOR (a AND c) EOR (b AND c).
 */
function sha512h2(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  const xLoL = u32[n]!, xLoH = u32[n + 1]!;
  const yLoL = u32[m]!, yLoH = u32[m + 1]!, yHiL = u32[m + 2]!, yHiH = u32[m + 3]!;
  const wLoL = u32[d]!, wLoH = u32[d + 1]!, wHiL = u32[d + 2]!, wHiH = u32[d + 3]!;

  const hiSum = (((xLoL & yHiL) ^ (xLoL & yLoL) ^ (yHiL & yLoL)) >>> 0) + (bigSigma0Hi(yLoL, yLoH) >>> 0) + wHiL;
  const hiL = hiSum >>> 0;
  const hiH = (((xLoH & yHiH) ^ (xLoH & yLoH) ^ (yHiH & yLoH)) + bigSigma0Hi(yLoH, yLoL) + wHiH + carry(hiSum)) | 0;

  const loSum = (((hiL & yLoL) ^ (hiL & yHiL) ^ (yHiL & yLoL)) >>> 0) + (bigSigma0Hi(hiL, hiH) >>> 0) + wLoL;
  u32[d] = loSum;
  u32[d + 1] = ((hiH & yLoH) ^ (hiH & yHiH) ^ (yHiH & yLoH)) + bigSigma0Hi(hiH, hiL) + wLoH + carry(loSum);
  u32[d + 2] = hiL;
  u32[d + 3] = hiH;
}

/** The high word of SHA-512's message schedule sigma0(h:l) (ROR 1, ROR 8, LSR 7). */
const sigma0Hi = (h: number, l: number): number => rorHi(h, l, 1) ^ rorHi(h, l, 8) ^ (h >>> 7);
/** The low word of sigma0(h:l). */
const sigma0Lo = (h: number, l: number): number => rorHi(l, h, 1) ^ rorHi(l, h, 8) ^ lsrLo(h, l, 7);
/** The high word of SHA-512's message schedule sigma1(h:l) (ROR 19, ROR 61, LSR 6). */
const sigma1Hi = (h: number, l: number): number => rorHi(h, l, 19) ^ rorHi(h, l, 61) ^ (h >>> 6);
/** The low word of sigma1(h:l). */
const sigma1Lo = (h: number, l: number): number => rorHi(l, h, 19) ^ rorHi(l, h, 61) ^ lsrLo(h, l, 6);

/** SHA512SU0 Vd.2D, Vn.2D: Vd<63:0> += sigma0(Vd<127:64>); Vd<127:64> += sigma0(Vn<63:0>). */
function sha512su0(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const wLoL = u32[d]!, wLoH = u32[d + 1]!, wHiL = u32[d + 2]!, wHiH = u32[d + 3]!;
  const xLoL = u32[n]!, xLoH = u32[n + 1]!;
  const loSum = wLoL + (sigma0Lo(wHiH, wHiL) >>> 0);
  const hiSum = wHiL + (sigma0Lo(xLoH, xLoL) >>> 0);
  u32[d] = loSum;
  u32[d + 1] = wLoH + sigma0Hi(wHiH, wHiL) + carry(loSum);
  u32[d + 2] = hiSum;
  u32[d + 3] = wHiH + sigma0Hi(xLoH, xLoL) + carry(hiSum);
}

/** SHA512SU1 Vd.2D, Vn.2D, Vm.2D: each lane, Vd += sigma1(Vn) + Vm. */
function sha512su1(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  // Lane by lane: each lane of Vd depends only on the same lane of the sources.
  for (let k = 0; k < 4; k += 2) {
    const xL = u32[n + k]!, xH = u32[n + k + 1]!;
    const loSum = u32[d + k]! + (sigma1Lo(xH, xL) >>> 0) + u32[m + k]!;
    const hi = u32[d + k + 1]! + sigma1Hi(xH, xL) + u32[m + k + 1]! + carry(loSum);
    u32[d + k] = loSum;
    u32[d + k + 1] = hi;
  }
}

/**
 * "Cryptographic three-register SHA512" with O = 0 (opcodes 0-2; opcode 3 is RAX1; O = 1 is SM3/SM4, not
 * implemented) and "Cryptographic two-register SHA512" opcode 0 (opcode 1 is SM4E, not implemented).
 */
export const SIMD_CRYPTO_SHA512_ROWS: readonly EncodingRow[] = [
  fpRow('SHA512H', '11001110 011 mmmmm 1 0 00 00 nnnnn ddddd', sha512h),
  fpRow('SHA512H2', '11001110 011 mmmmm 1 0 00 01 nnnnn ddddd', sha512h2),
  fpRow('SHA512SU1', '11001110 011 mmmmm 1 0 00 10 nnnnn ddddd', sha512su1),
  fpRow('SHA512SU0', '11001110 11000000 1000 00 nnnnn ddddd', sha512su0),
];
