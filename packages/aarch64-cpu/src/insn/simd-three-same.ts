/**
 * AdvSIMD three same (integer) and AdvSIMD scalar three same (integer), Arm ARM C4.1.96: the vector forms
 * `0 Q U 01110 size 1 Rm opcode 1 Rn Rd` with opcode 00000-10111 (11xxx is floating point, not here), and the scalar
 * forms `01 U 11110 size 1 Rm opcode 1 Rn Rd`. Also the integer ops of "AdvSIMD three same extra" are in
 * simd-three-same-extra.ts.
 *
 * One row per (instruction, size, Q) with the opcode fixed, so reserved sizes (size = 11 with Q = 0 for the forms
 * that allow 64-bit lanes, size = 11 for the others, PMUL other than bytes, SQDMULH other than H and S) and the
 * unallocated opcodes match no row and are UNDEFINED.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { bits, commit, dmulh, lanes, rd, rm, rn, TMP } from './simd-int-common.js';
import { BIG3, NUM3 } from './simd-int-lane-ops.js';
import { loop3, loop3Big } from './simd-int-loops.js';

/** An element-wise three-same instruction: U, opcode, the allowed sizes, the lane op's name (simd-int-lane-ops). */
interface Same3 {
  readonly name: string;
  readonly u: number;
  readonly opcode: number;
  readonly sizes: readonly number[];
  readonly op: string;
}

const BHS = [0, 1, 2];
const ALL = [0, 1, 2, 3];

/** The element-wise vector forms. */
const VECTOR: readonly Same3[] = [
  { name: 'SHADD', u: 0, opcode: 0b00000, sizes: BHS, op: 'hadd' },
  { name: 'UHADD', u: 1, opcode: 0b00000, sizes: BHS, op: 'hadd' },
  { name: 'SQADD', u: 0, opcode: 0b00001, sizes: ALL, op: 'qadd' },
  { name: 'UQADD', u: 1, opcode: 0b00001, sizes: ALL, op: 'qadd' },
  { name: 'SRHADD', u: 0, opcode: 0b00010, sizes: BHS, op: 'rhadd' },
  { name: 'URHADD', u: 1, opcode: 0b00010, sizes: BHS, op: 'rhadd' },
  { name: 'SHSUB', u: 0, opcode: 0b00100, sizes: BHS, op: 'hsub' },
  { name: 'UHSUB', u: 1, opcode: 0b00100, sizes: BHS, op: 'hsub' },
  { name: 'SQSUB', u: 0, opcode: 0b00101, sizes: ALL, op: 'qsub' },
  { name: 'UQSUB', u: 1, opcode: 0b00101, sizes: ALL, op: 'qsub' },
  { name: 'CMGT', u: 0, opcode: 0b00110, sizes: ALL, op: 'cmgt' },
  { name: 'CMHI', u: 1, opcode: 0b00110, sizes: ALL, op: 'cmgt' },
  { name: 'CMGE', u: 0, opcode: 0b00111, sizes: ALL, op: 'cmge' },
  { name: 'CMHS', u: 1, opcode: 0b00111, sizes: ALL, op: 'cmge' },
  { name: 'SSHL', u: 0, opcode: 0b01000, sizes: ALL, op: 'shl' },
  { name: 'USHL', u: 1, opcode: 0b01000, sizes: ALL, op: 'shl' },
  { name: 'SQSHL', u: 0, opcode: 0b01001, sizes: ALL, op: 'qshl' },
  { name: 'UQSHL', u: 1, opcode: 0b01001, sizes: ALL, op: 'qshl' },
  { name: 'SRSHL', u: 0, opcode: 0b01010, sizes: ALL, op: 'rshl' },
  { name: 'URSHL', u: 1, opcode: 0b01010, sizes: ALL, op: 'rshl' },
  { name: 'SQRSHL', u: 0, opcode: 0b01011, sizes: ALL, op: 'qrshl' },
  { name: 'UQRSHL', u: 1, opcode: 0b01011, sizes: ALL, op: 'qrshl' },
  { name: 'SMAX', u: 0, opcode: 0b01100, sizes: BHS, op: 'max' },
  { name: 'UMAX', u: 1, opcode: 0b01100, sizes: BHS, op: 'max' },
  { name: 'SMIN', u: 0, opcode: 0b01101, sizes: BHS, op: 'min' },
  { name: 'UMIN', u: 1, opcode: 0b01101, sizes: BHS, op: 'min' },
  { name: 'SABD', u: 0, opcode: 0b01110, sizes: BHS, op: 'abd' },
  { name: 'UABD', u: 1, opcode: 0b01110, sizes: BHS, op: 'abd' },
  { name: 'SABA', u: 0, opcode: 0b01111, sizes: BHS, op: 'aba' },
  { name: 'UABA', u: 1, opcode: 0b01111, sizes: BHS, op: 'aba' },
  { name: 'ADD', u: 0, opcode: 0b10000, sizes: ALL, op: 'add' },
  { name: 'SUB', u: 1, opcode: 0b10000, sizes: ALL, op: 'sub' },
  { name: 'CMTST', u: 0, opcode: 0b10001, sizes: ALL, op: 'cmtst' },
  { name: 'CMEQ', u: 1, opcode: 0b10001, sizes: ALL, op: 'cmeq' },
  { name: 'MLA', u: 0, opcode: 0b10010, sizes: BHS, op: 'mla' },
  { name: 'MLS', u: 1, opcode: 0b10010, sizes: BHS, op: 'mls' },
  { name: 'MUL', u: 0, opcode: 0b10011, sizes: BHS, op: 'mul' },
  { name: 'PMUL', u: 1, opcode: 0b10011, sizes: [0], op: 'pmul' },
];

/** The scalar forms: the sizes each allows (64-bit only for most). */
const SCALAR: readonly Same3[] = [
  { name: 'SQADD', u: 0, opcode: 0b00001, sizes: ALL, op: 'qadd' },
  { name: 'UQADD', u: 1, opcode: 0b00001, sizes: ALL, op: 'qadd' },
  { name: 'SQSUB', u: 0, opcode: 0b00101, sizes: ALL, op: 'qsub' },
  { name: 'UQSUB', u: 1, opcode: 0b00101, sizes: ALL, op: 'qsub' },
  { name: 'CMGT', u: 0, opcode: 0b00110, sizes: [3], op: 'cmgt' },
  { name: 'CMHI', u: 1, opcode: 0b00110, sizes: [3], op: 'cmgt' },
  { name: 'CMGE', u: 0, opcode: 0b00111, sizes: [3], op: 'cmge' },
  { name: 'CMHS', u: 1, opcode: 0b00111, sizes: [3], op: 'cmge' },
  { name: 'SSHL', u: 0, opcode: 0b01000, sizes: [3], op: 'shl' },
  { name: 'USHL', u: 1, opcode: 0b01000, sizes: [3], op: 'shl' },
  { name: 'SQSHL', u: 0, opcode: 0b01001, sizes: ALL, op: 'qshl' },
  { name: 'UQSHL', u: 1, opcode: 0b01001, sizes: ALL, op: 'qshl' },
  { name: 'SRSHL', u: 0, opcode: 0b01010, sizes: [3], op: 'rshl' },
  { name: 'URSHL', u: 1, opcode: 0b01010, sizes: [3], op: 'rshl' },
  { name: 'SQRSHL', u: 0, opcode: 0b01011, sizes: ALL, op: 'qrshl' },
  { name: 'UQRSHL', u: 1, opcode: 0b01011, sizes: ALL, op: 'qrshl' },
  { name: 'ADD', u: 0, opcode: 0b10000, sizes: [3], op: 'add' },
  { name: 'SUB', u: 1, opcode: 0b10000, sizes: [3], op: 'sub' },
  { name: 'CMTST', u: 0, opcode: 0b10001, sizes: [3], op: 'cmtst' },
  { name: 'CMEQ', u: 1, opcode: 0b10001, sizes: [3], op: 'cmeq' },
];

/** The handler of an element-wise form; q = -1 for scalar. */
function elementwise(s: Same3, size: number, q: number): Handler {
  const unsigned = s.u === 1 && s.op !== 'sub' && s.op !== 'cmeq' && s.op !== 'mls';
  if (size === 3) return loop3Big(unsigned, q < 0 ? 0 : q, BIG3[s.op]!(unsigned));
  return loop3(size, unsigned, q, NUM3[s.op]!(size, unsigned));
}

/** SQDMULH / SQRDMULH (vector or scalar), H and S lanes. */
function sqdmulh(size: number, q: number, rounding: boolean): Handler {
  return loop3(size, false, q, (a, b) => dmulh(a, b, 0, size, rounding, false));
}

/** Pairwise ADDP, SMAXP, UMAXP, SMINP, UMINP: Vm:Vn's adjacent lane pairs, into the scratch register first. */
function pairwise(size: number, unsigned: boolean, q: number, op: string): Handler {
  const per = 16 >> size;
  const count = (q ? 16 : 8) >> size;
  const half = count >> 1;
  if (size === 3) {
    return (cpu, insn) => {
      const v = cpu.vr.u64;
      const n = rn(insn) * 2;
      const m = rm(insn) * 2;
      TMP.u64[0] = v[n]! + v[n + 1]!;
      TMP.u64[1] = v[m]! + v[m + 1]!;
      commit(cpu.vr, rd(insn), 0, 0, 16, false);
    };
  }
  const f = op === 'add' ? (a: number, b: number) => a + b : op === 'max' ? Math.max : Math.min;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const t = lanes(TMP, size, !unsigned);
    const n = rn(insn) * per;
    const m = rm(insn) * per;
    for (let e = 0; e < half; e++) {
      t[e] = f(v[n + 2 * e]!, v[n + 2 * e + 1]!);
      t[half + e] = f(v[m + 2 * e]!, v[m + 2 * e + 1]!);
    }
    commit(vr, rd(insn), 0, 0, q ? 16 : 8, true);
  };
}

/** AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF on 32-bit words (opc = U:size). */
function logical(opc: number, q: number): Handler {
  const words = q ? 4 : 2;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const w = vr.u32;
    const d = rd(insn) * 4;
    const n = rn(insn) * 4;
    const m = rm(insn) * 4;
    for (let i = 0; i < words; i++) {
      const a = w[n + i]!;
      const b = w[m + i]!;
      const c = w[d + i]!;
      switch (opc) {
        case 0: w[d + i] = a & b; break;
        case 1: w[d + i] = a & ~b; break;
        case 2: w[d + i] = a | b; break;
        case 3: w[d + i] = a | ~b; break;
        case 4: w[d + i] = a ^ b; break;
        case 5: w[d + i] = (c & a) | (~c & b); break; // BSL: Vd selects Vn (1) or Vm (0)
        case 6: w[d + i] = (b & a) | (~b & c); break; // BIT: insert Vn where Vm is 1
        default: w[d + i] = (~b & a) | (b & c); // BIF: insert Vn where Vm is 0
      }
    }
    if (!q) clearAbove(vr, rd(insn), 8);
  };
}

const LOGICAL_NAMES = ['AND', 'BIC', 'ORR', 'ORN', 'EOR', 'BSL', 'BIT', 'BIF'];

const vecPattern = (q: number, u: number, size: number, opcode: number): string =>
  `0${q}${u}01110 ${bits(size, 2)}1 xxxxx ${bits(opcode, 5)}1 xxxxx xxxxx`;
const scalarPattern = (u: number, size: number, opcode: number): string =>
  `01${u}11110 ${bits(size, 2)}1 xxxxx ${bits(opcode, 5)}1 xxxxx xxxxx`;

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const s of VECTOR) {
    for (const size of s.sizes) {
      for (const q of size === 3 ? [1] : [0, 1]) {
        rows.push(fpRow(`${s.name} (vector)`, vecPattern(q, s.u, size, s.opcode), elementwise(s, size, q)));
      }
    }
  }
  for (const q of [0, 1]) {
    for (const size of [1, 2]) {
      rows.push(fpRow('SQDMULH (vector)', vecPattern(q, 0, size, 0b10110), sqdmulh(size, q, false)));
      rows.push(fpRow('SQRDMULH (vector)', vecPattern(q, 1, size, 0b10110), sqdmulh(size, q, true)));
    }
    for (const size of [0, 1, 2, 3]) {
      if (size === 3 && q === 0) continue;
      rows.push(fpRow('ADDP (vector)', vecPattern(q, 0, size, 0b10111), pairwise(size, false, q, 'add')));
      if (size === 3) continue;
      rows.push(fpRow('SMAXP', vecPattern(q, 0, size, 0b10100), pairwise(size, false, q, 'max')));
      rows.push(fpRow('UMAXP', vecPattern(q, 1, size, 0b10100), pairwise(size, true, q, 'max')));
      rows.push(fpRow('SMINP', vecPattern(q, 0, size, 0b10101), pairwise(size, false, q, 'min')));
      rows.push(fpRow('UMINP', vecPattern(q, 1, size, 0b10101), pairwise(size, true, q, 'min')));
    }
    for (let opc = 0; opc < 8; opc++) {
      rows.push(fpRow(LOGICAL_NAMES[opc]!, vecPattern(q, opc >> 2, opc & 3, 0b00011), logical(opc, q)));
    }
  }
  for (const s of SCALAR) {
    for (const size of s.sizes) rows.push(fpRow(`${s.name} (scalar)`, scalarPattern(s.u, size, s.opcode), elementwise(s, size, -1)));
  }
  for (const size of [1, 2]) {
    rows.push(fpRow('SQDMULH (scalar)', scalarPattern(0, size, 0b10110), sqdmulh(size, -1, false)));
    rows.push(fpRow('SQRDMULH (scalar)', scalarPattern(1, size, 0b10110), sqdmulh(size, -1, true)));
  }
  return rows;
}

/** The rows of AdvSIMD (scalar) three same, integer. */
export const SIMD_THREE_SAME: readonly EncodingRow[] = buildRows();
