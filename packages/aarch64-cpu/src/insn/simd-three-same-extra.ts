/**
 * AdvSIMD (scalar) three same extra, integer forms (Arm ARM C4.1.96, `0 Q U 01110 size 0 Rm 1 opcode 1 Rn Rd`):
 * SQRDMLAH/SQRDMLSH (FEAT_RDM, vector and scalar), SDOT/UDOT (FEAT_DotProd), USDOT and the 8-bit integer matrix
 * multiplies SMMLA/UMMLA/USMMLA (FEAT_I8MM). The FCMLA/FCADD/BFloat16 encodings of the same class are floating point
 * and not here; every other size/Q matches no row (UNDEFINED).
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { bits, commit, dmulh, rd, rm, rn, TMP } from './simd-int-common.js';
import { loop3 } from './simd-int-loops.js';

/** SQRDMLAH (sub = false) / SQRDMLSH: Vd = sat((Vd << esize) +- 2 * Vn * Vm + round) >> esize). */
export function sqrdmlah(size: number, q: number, sub: boolean): Handler {
  return loop3(size, false, q, (a, b, d) => dmulh(a, b, d, size, true, sub));
}

/**
 * The byte views a dot product or matrix multiply reads its operands through: signed (i8) or unsigned (u8).
 * `nSigned`/`mSigned` select them; the 32-bit accumulator wraps.
 */
function dot(q: number, nSigned: boolean, mSigned: boolean): Handler {
  const count = q ? 4 : 2;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const nv = nSigned ? vr.i8 : vr.u8;
    const mv = mSigned ? vr.i8 : vr.u8;
    const n = rn(insn) * 16;
    const m = rm(insn) * 16;
    const d = rd(insn) * 4;
    for (let e = 0; e < count; e++) {
      let sum = vr.i32[d + e]!;
      for (let k = 0; k < 4; k++) sum += nv[n + 4 * e + k]! * mv[m + 4 * e + k]!;
      TMP.i32[e] = sum;
    }
    commit(vr, rd(insn), 0, 0, q ? 16 : 8, true);
  };
}

/** SMMLA/UMMLA/USMMLA: Vd (2x2 of 32 bits) += Vn (2x8 bytes) times the transpose of Vm (2x8 bytes). */
function mmla(nSigned: boolean, mSigned: boolean): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const nv = nSigned ? vr.i8 : vr.u8;
    const mv = mSigned ? vr.i8 : vr.u8;
    const n = rn(insn) * 16;
    const m = rm(insn) * 16;
    const d = rd(insn) * 4;
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        let sum = vr.i32[d + 2 * i + j]!;
        for (let k = 0; k < 8; k++) sum += nv[n + 8 * i + k]! * mv[m + 8 * j + k]!;
        TMP.i32[2 * i + j] = sum;
      }
    }
    commit(vr, rd(insn), 0, 0, 16, false);
  };
}

const vec = (q: number | 'x', u: number, size: number, opcode: number): string =>
  `0${q}${u}01110 ${bits(size, 2)}0 xxxxx 1${bits(opcode, 4)}1 xxxxx xxxxx`;
const scalar = (u: number, size: number, opcode: number): string =>
  `01${u}11110 ${bits(size, 2)}0 xxxxx 1${bits(opcode, 4)}1 xxxxx xxxxx`;

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const size of [1, 2]) {
    for (const q of [0, 1]) {
      rows.push(fpRow('SQRDMLAH (vector)', vec(q, 1, size, 0b0000), sqrdmlah(size, q, false)));
      rows.push(fpRow('SQRDMLSH (vector)', vec(q, 1, size, 0b0001), sqrdmlah(size, q, true)));
    }
    rows.push(fpRow('SQRDMLAH (scalar)', scalar(1, size, 0b0000), sqrdmlah(size, -1, false)));
    rows.push(fpRow('SQRDMLSH (scalar)', scalar(1, size, 0b0001), sqrdmlah(size, -1, true)));
  }
  for (const q of [0, 1]) {
    rows.push(fpRow('SDOT (vector)', vec(q, 0, 2, 0b0010), dot(q, true, true)));
    rows.push(fpRow('UDOT (vector)', vec(q, 1, 2, 0b0010), dot(q, false, false)));
    rows.push(fpRow('USDOT (vector)', vec(q, 0, 2, 0b0011), dot(q, false, true)));
  }
  rows.push(fpRow('SMMLA', vec(1, 0, 2, 0b0100), mmla(true, true)));
  rows.push(fpRow('UMMLA', vec(1, 1, 2, 0b0100), mmla(false, false)));
  rows.push(fpRow('USMMLA', vec(1, 0, 2, 0b0101), mmla(false, true)));
  return rows;
}

/** The rows of AdvSIMD (scalar) three same extra, integer. */
export const SIMD_THREE_SAME_EXTRA: readonly EncodingRow[] = buildRows();
