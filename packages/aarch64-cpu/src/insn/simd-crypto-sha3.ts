/**
 * FEAT_SHA3 (Arm ARM C4.1.96 "Cryptographic four-register" Op0 = 00/01, "Cryptographic three-register, imm6"
 * Op0 = 00, and "Cryptographic three-register SHA512" O = 0 opcode 3): EOR3, BCAX, XAR, RAX1.
 *
 * EOR3 and BCAX are bitwise, done on 32-bit words; XAR and RAX1 rotate 64-bit lanes, done on 32-bit halves
 * (simd-crypto-u64.ts). Every lane of the result depends only on the same lane of the sources, so each lane is
 * read before it is written and Vd may be any source.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { rorHi } from './simd-crypto-u64.js';

/** EOR3 Vd.16B, Vn.16B, Vm.16B, Va.16B: Vd = Vn EOR Vm EOR Va. */
function eor3(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const a = ((insn >>> 10) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  for (let w = 0; w < 4; w++) u32[d + w] = u32[n + w]! ^ u32[m + w]! ^ u32[a + w]!;
}

/** BCAX Vd.16B, Vn.16B, Vm.16B, Va.16B: Vd = Vn EOR (Vm AND NOT Va). */
function bcax(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const a = ((insn >>> 10) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  for (let w = 0; w < 4; w++) u32[d + w] = u32[n + w]! ^ (u32[m + w]! & ~u32[a + w]!);
}

/** XAR Vd.2D, Vn.2D, Vm.2D, #imm6: each 64-bit lane, Vd = ROR(Vn EOR Vm, imm6). */
function xar(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const s = (insn >>> 10) & 63;
  const m = ((insn >>> 16) & 31) << 2;
  for (let k = 0; k < 4; k += 2) {
    const l = u32[n + k]! ^ u32[m + k]!;
    const h = u32[n + k + 1]! ^ u32[m + k + 1]!;
    u32[d + k] = rorHi(l, h, s);
    u32[d + k + 1] = rorHi(h, l, s);
  }
}

/** RAX1 Vd.2D, Vn.2D, Vm.2D: each 64-bit lane, Vd = Vn EOR ROL(Vm, 1) (ROL by 1 is ROR by 63). */
function rax1(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  for (let k = 0; k < 4; k += 2) {
    const l = u32[m + k]!;
    const h = u32[m + k + 1]!;
    const nl = u32[n + k]!;
    const nh = u32[n + k + 1]!;
    u32[d + k] = nl ^ rorHi(l, h, 63);
    u32[d + k + 1] = nh ^ rorHi(h, l, 63);
  }
}

/**
 * EOR3 and BCAX ("Cryptographic four-register": Op0 = 10 is SM3SS1, not implemented; 11 unallocated), XAR
 * ("Cryptographic three-register, imm6": other Op0 unallocated) and RAX1 ("Cryptographic three-register SHA512").
 */
export const SIMD_CRYPTO_SHA3_ROWS: readonly EncodingRow[] = [
  fpRow('EOR3', '110011100 00 mmmmm 0 aaaaa nnnnn ddddd', eor3),
  fpRow('BCAX', '110011100 01 mmmmm 0 aaaaa nnnnn ddddd', bcax),
  fpRow('XAR', '110011101 00 mmmmm iiiiii nnnnn ddddd', xar),
  fpRow('RAX1', '11001110 011 mmmmm 1 0 00 11 nnnnn ddddd', rax1),
];
