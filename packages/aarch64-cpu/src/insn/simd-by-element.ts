/**
 * AdvSIMD vector x indexed element and AdvSIMD scalar x indexed element, integer forms (Arm ARM C4.1.96):
 * `0 Q U 01111 size L M Rm opcode H 0 Rn Rd` and `01 U 11111 size L M Rm opcode H 0 Rn Rd`. The second operand is
 * one lane of Vm: for H lanes (size 01) index H:L:M of V0-V15 (Rm<3:0>), for S lanes (size 10) index H:L of M:Rm.
 * MUL, MLA, MLS, SQDMULH, SQRDMULH, SQRDMLAH/SQRDMLSH (FEAT_RDM), the long forms S/UMULL, S/UMLAL, S/UMLSL,
 * SQDMULL, SQDMLAL, SQDMLSL, and the dot products SDOT/UDOT (FEAT_DotProd) and SUDOT/USDOT (FEAT_I8MM), whose index
 * H:L selects a 32-bit group of four bytes. Sizes other than those listed match no row (UNDEFINED); the FP forms
 * (FMLA, FMUL, FMLAL, FCMLA, BFDOT, ...) are not here.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { bits, commit, dmulh, flushQc, lanes, rd, rn, TMP } from './simd-int-common.js';
import type { NumOp } from './simd-int-lane-ops.js';
import { LONG, type LongOp } from './simd-three-different.js';

/** Vm's register number for element size `size` (1: V0-V15, 2: V0-V31). */
const mReg = (insn: number, size: number): number => (insn >>> 16) & (size === 1 ? 15 : 31);
/** The element index for size 1 (H:L:M) or 2 (H:L). */
const index = (insn: number, size: number): number => {
  const hl = (((insn >>> 11) & 1) << 1) | ((insn >>> 21) & 1);
  return size === 1 ? (hl << 1) | ((insn >>> 20) & 1) : hl;
};

/** Vd[e] = op(Vn[e], Vm[index], Vd[e]) over `count` lanes (q = -1: a scalar, one lane). */
function elementwise(size: number, q: number, op: NumOp): Handler {
  const count = q < 0 ? 1 : (q ? 16 : 8) >> size;
  const bytes = q < 0 ? 1 << size : q ? 16 : 8;
  const per = 16 >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, true);
    const b = v[mReg(insn, size) * per + index(insn, size)]!;
    const d = rd(insn) * per;
    const n = rn(insn) * per;
    for (let e = 0; e < count; e++) v[d + e] = op(v[n + e]!, b, v[d + e]!);
    if (bytes < 16) clearAbove(vr, rd(insn), bytes);
    flushQc(cpu);
  };
}

/** A long form: the half of Vn q selects (q = -1: lane 0, a scalar result) with Vm[index], into wide lanes. */
function long(op: LongOp, size: number, unsigned: boolean, q: number): Handler {
  const count = q < 0 ? 1 : 8 >> size;
  const per = 16 >> size;
  const off = q < 0 ? 0 : q * count;
  const bytes = q < 0 ? 2 << size : 16;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const bNum = v[mReg(insn, size) * per + index(insn, size)]!;
    const n = rn(insn) * per + off;
    const d = rd(insn);
    if (size === 2) {
      const w = unsigned ? vr.u64 : vr.i64;
      const t = unsigned ? TMP.u64 : TMP.i64;
      const b = BigInt(bNum);
      for (let e = 0; e < count; e++) t[e] = op.big(BigInt(v[n + e]!), b, w[d * 2 + e]!);
    } else {
      const w = lanes(vr, size + 1, !unsigned);
      const t = lanes(TMP, size + 1, !unsigned);
      for (let e = 0; e < count; e++) t[e] = op.num(v[n + e]!, bNum, w[d * (per >> 1) + e]!, size);
    }
    commit(vr, d, 0, 0, bytes < 4 ? 4 : bytes, true);
    flushQc(cpu);
  };
}

/** SDOT/UDOT/SUDOT/USDOT (by element): each 32-bit lane of Vd += the dot product of its four bytes of Vn with the
 * four bytes of Vm's 32-bit element H:L. */
function dot(q: number, nSigned: boolean, mSigned: boolean): Handler {
  const count = q ? 4 : 2;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const nv = nSigned ? vr.i8 : vr.u8;
    const mv = mSigned ? vr.i8 : vr.u8;
    const m = ((insn >>> 16) & 31) * 16 + index(insn, 2) * 4;
    const n = rn(insn) * 16;
    const d = rd(insn) * 4;
    const [b0, b1, b2, b3] = [mv[m]!, mv[m + 1]!, mv[m + 2]!, mv[m + 3]!];
    for (let e = 0; e < count; e++) {
      const k = n + 4 * e;
      TMP.i32[e] = vr.i32[d + e]! + nv[k]! * b0 + nv[k + 1]! * b1 + nv[k + 2]! * b2 + nv[k + 3]! * b3;
    }
    commit(vr, rd(insn), 0, 0, q ? 16 : 8, true);
  };
}

const vec = (q: number, u: number, size: number, opcode: number): string =>
  `0${q}${u}01111 ${bits(size, 2)}xx xxxx ${bits(opcode, 4)}x0 xxxxx xxxxx`;
const scalar = (u: number, size: number, opcode: number): string =>
  `01${u}11111 ${bits(size, 2)}xx xxxx ${bits(opcode, 4)}x0 xxxxx xxxxx`;

const mla = (a: number, b: number, d: number): number => d + Math.imul(a, b);
const mls = (a: number, b: number, d: number): number => d - Math.imul(a, b);

/** [name, U, opcode, op, unsigned] of the long forms; the saturating ones also have scalar forms. */
const LONG_FORMS: readonly [string, number, number, string, boolean][] = [
  ['SMLAL', 0, 0b0010, 'mlal', false], ['UMLAL', 1, 0b0010, 'mlal', true],
  ['SMLSL', 0, 0b0110, 'mlsl', false], ['UMLSL', 1, 0b0110, 'mlsl', true],
  ['SMULL', 0, 0b1010, 'mull', false], ['UMULL', 1, 0b1010, 'mull', true],
  ['SQDMLAL', 0, 0b0011, 'qdmlal', false], ['SQDMLSL', 0, 0b0111, 'qdmlsl', false], ['SQDMULL', 0, 0b1011, 'qdmull', false],
];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const size of [1, 2]) {
    const qdmulh = (a: number, b: number): number => dmulh(a, b, 0, size, false, false);
    const qrdmulh = (a: number, b: number): number => dmulh(a, b, 0, size, true, false);
    const qrdmlah = (a: number, b: number, d: number): number => dmulh(a, b, d, size, true, false);
    const qrdmlsh = (a: number, b: number, d: number): number => dmulh(a, b, d, size, true, true);
    const same: [string, number, number, NumOp, boolean][] = [
      ['MUL', 0, 0b1000, Math.imul, false], ['MLA', 1, 0b0000, mla, false], ['MLS', 1, 0b0100, mls, false],
      ['SQDMULH', 0, 0b1100, qdmulh, true], ['SQRDMULH', 0, 0b1101, qrdmulh, true],
      ['SQRDMLAH', 1, 0b1101, qrdmlah, true], ['SQRDMLSH', 1, 0b1111, qrdmlsh, true],
    ];
    for (const [name, u, opcode, op, hasScalar] of same) {
      for (const q of [0, 1]) rows.push(fpRow(`${name} (by element)`, vec(q, u, size, opcode), elementwise(size, q, op)));
      if (hasScalar) rows.push(fpRow(`${name} (scalar, by element)`, scalar(u, size, opcode), elementwise(size, -1, op)));
    }
    for (const [name, u, opcode, op, unsigned] of LONG_FORMS) {
      for (const q of [0, 1]) rows.push(fpRow(`${name} (by element)`, vec(q, u, size, opcode), long(LONG[op]!, size, unsigned, q)));
      if (name.startsWith('SQ')) rows.push(fpRow(`${name} (scalar, by element)`, scalar(u, size, opcode), long(LONG[op]!, size, false, -1)));
    }
  }
  for (const q of [0, 1]) {
    rows.push(fpRow('SDOT (by element)', vec(q, 0, 2, 0b1110), dot(q, true, true)));
    rows.push(fpRow('UDOT (by element)', vec(q, 1, 2, 0b1110), dot(q, false, false)));
    rows.push(fpRow('SUDOT (by element)', vec(q, 0, 0, 0b1111), dot(q, true, false)));
    rows.push(fpRow('USDOT (by element)', vec(q, 0, 2, 0b1111), dot(q, false, true)));
  }
  return rows;
}

/** The rows of AdvSIMD (scalar) x indexed element, integer. */
export const SIMD_BY_ELEMENT: readonly EncodingRow[] = buildRows();
