/**
 * AdvSIMD permute (ZIP1/ZIP2, UZP1/UZP2, TRN1/TRN2: `0 Q 001110 size 0 Rm 0 opcode 10 Rn Rd`), extract (EXT:
 * `0 Q 101110 00 0 Rm 0 imm4 0 Rn Rd`) and table lookup (TBL/TBX with 1-4 table registers:
 * `0 Q 001110 00 0 Rm 0 len op 00 Rn Rd`), Arm ARM C4.1.96. Results are built in the scratch register and then
 * written to Vd, since Vd may be a source. Reserved encodings (permute of D lanes with Q = 0, EXT with Q = 0 and
 * imm4<3> = 1, op2 != 00) match no row.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { bits, commit, rd, rm, rn, TMP } from './simd-int-common.js';

const enum Perm { Uzp = 1, Trn = 2, Zip = 3 }

/** ZIP/UZP/TRN (part 0 or 1) on elements of 2^size bytes, moved byte by byte. */
function permute(size: number, q: number, kind: Perm, part: number): Handler {
  const bytes = q ? 16 : 8;
  const esize = 1 << size;
  const count = bytes / esize;
  const half = count / 2;
  return (cpu, insn) => {
    const v = cpu.vr.u8;
    const n = rn(insn) * 16;
    const m = rm(insn) * 16;
    const t = TMP.u8;
    for (let e = 0; e < count; e++) {
      let src: number; // byte offset of the source element within Vn (< bytes) or Vm (>= bytes, minus bytes)
      if (kind === Perm.Uzp) {
        src = (2 * e + part) * esize; // of the concatenation Vm:Vn
      } else if (kind === Perm.Trn) {
        src = ((e & ~1) + part) * esize + ((e & 1) !== 0 ? bytes : 0);
      } else {
        src = (part * half + (e >> 1)) * esize + ((e & 1) !== 0 ? bytes : 0);
      }
      const base = src < bytes ? n + src : m + src - bytes;
      for (let k = 0; k < esize; k++) t[e * esize + k] = v[base + k]!;
    }
    commit(cpu.vr, rd(insn), 0, 0, bytes, true);
  };
}

/** EXT: bytes imm4.. of the concatenation Vm:Vn. */
function ext(q: number): Handler {
  const bytes = q ? 16 : 8;
  return (cpu, insn) => {
    const v = cpu.vr.u8;
    const pos = (insn >>> 11) & 15;
    const n = rn(insn) * 16;
    const m = rm(insn) * 16;
    const t = TMP.u8;
    for (let i = 0; i < bytes; i++) {
      const s = i + pos;
      t[i] = s < bytes ? v[n + s]! : v[m + s - bytes]!;
    }
    commit(cpu.vr, rd(insn), 0, 0, bytes, true);
  };
}

/** TBL (tbx = false: out-of-range indices give 0) / TBX (they keep Vd's byte), tables Vn..Vn+len (modulo 32). */
function tbl(q: number, len: number, tbx: boolean): Handler {
  const bytes = q ? 16 : 8;
  const tableBytes = 16 * (len + 1);
  return (cpu, insn) => {
    const v = cpu.vr.u8;
    const n = rn(insn);
    const m = rm(insn) * 16;
    const d = rd(insn) * 16;
    const t = TMP.u8;
    for (let i = 0; i < bytes; i++) {
      const idx = v[m + i]!;
      if (idx < tableBytes) t[i] = v[((n + (idx >> 4)) & 31) * 16 + (idx & 15)]!;
      else t[i] = tbx ? v[d + i]! : 0;
    }
    commit(cpu.vr, rd(insn), 0, 0, bytes, true);
  };
}

const PERMUTES: readonly [string, number, Perm, number][] = [
  ['UZP1', 0b001, Perm.Uzp, 0], ['TRN1', 0b010, Perm.Trn, 0], ['ZIP1', 0b011, Perm.Zip, 0],
  ['UZP2', 0b101, Perm.Uzp, 1], ['TRN2', 0b110, Perm.Trn, 1], ['ZIP2', 0b111, Perm.Zip, 1],
];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const q of [0, 1]) {
    for (const [name, opcode, kind, part] of PERMUTES) {
      for (const size of q ? [0, 1, 2, 3] : [0, 1, 2]) {
        rows.push(fpRow(name, `0${q}001110 ${bits(size, 2)}0 xxxxx 0${bits(opcode, 3)}10 xxxxx xxxxx`, permute(size, q, kind, part)));
      }
    }
    rows.push(fpRow('EXT', `0${q}101110 000 xxxxx 0${q ? 'x' : '0'}xxx0 xxxxx xxxxx`, ext(q)));
    for (let len = 0; len < 4; len++) {
      rows.push(fpRow('TBL', `0${q}001110 000 xxxxx 0${bits(len, 2)}000 xxxxx xxxxx`, tbl(q, len, false)));
      rows.push(fpRow('TBX', `0${q}001110 000 xxxxx 0${bits(len, 2)}100 xxxxx xxxxx`, tbl(q, len, true)));
    }
  }
  return rows;
}

/** The rows of AdvSIMD permute, extract and table lookup. */
export const SIMD_PERMUTE: readonly EncodingRow[] = buildRows();
