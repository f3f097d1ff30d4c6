/**
 * AdvSIMD across lanes (Arm ARM C4.1.96, `0 Q U 01110 size 11000 opcode 10 Rn Rd`), integer forms: ADDV, SADDLV,
 * UADDLV, SMAXV, UMAXV, SMINV, UMINV; and AdvSIMD scalar pairwise ADDP (`01 0 11110 11 11000 11011 10 Rn Rd`). The
 * result is a scalar (the element size, twice it for the long sums) with the rest of Vd cleared. Sizes: B and H
 * with either Q, S only with Q = 1; the rest match no row (UNDEFINED). The FP reductions (FMAXV, ...) are not here.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { bits, lanes, rd, rn } from './simd-int-common.js';

const enum Reduce { Add, AddLong, Max, Min }

/** A reduction over the lanes of Vn into lane 0 of Vd. */
function reduce(size: number, unsigned: boolean, q: number, kind: Reduce): Handler {
  const count = (q ? 16 : 8) >> size;
  const per = 16 >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const n = rn(insn) * per;
    let acc = v[n]!;
    for (let e = 1; e < count; e++) {
      const x = v[n + e]!;
      if (kind === Reduce.Max) acc = x > acc ? x : acc;
      else if (kind === Reduce.Min) acc = x < acc ? x : acc;
      else acc += x;
    }
    const d = rd(insn);
    if (kind === Reduce.AddLong) {
      if (size === 2) vr.i64[d * 2] = BigInt(acc); // |sum of 4 words| < 2^34: exact
      else lanes(vr, size + 1, false)[d * (per >> 1)] = acc;
      clearAbove(vr, d, 2 << size);
    } else {
      v[d * per] = acc;
      clearAbove(vr, d, 1 << size);
    }
  };
}

const vec = (q: number, u: number, size: number, opcode: number): string =>
  `0${q}${u}01110 ${bits(size, 2)}11000 ${bits(opcode, 5)}10 xxxxx xxxxx`;

/** ADDP (scalar): the two 64-bit lanes of Vn summed into Dd. */
const addpScalar: Handler = (cpu, insn) => {
  const vr = cpu.vr;
  const n = rn(insn) * 2;
  const d = rd(insn);
  vr.u64[d * 2] = vr.u64[n]! + vr.u64[n + 1]!;
  clearAbove(vr, d, 8);
};

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const q of [0, 1]) {
    for (const size of q ? [0, 1, 2] : [0, 1]) {
      rows.push(fpRow('ADDV', vec(q, 0, size, 0b11011), reduce(size, false, q, Reduce.Add)));
      rows.push(fpRow('SADDLV', vec(q, 0, size, 0b00011), reduce(size, false, q, Reduce.AddLong)));
      rows.push(fpRow('UADDLV', vec(q, 1, size, 0b00011), reduce(size, true, q, Reduce.AddLong)));
      rows.push(fpRow('SMAXV', vec(q, 0, size, 0b01010), reduce(size, false, q, Reduce.Max)));
      rows.push(fpRow('UMAXV', vec(q, 1, size, 0b01010), reduce(size, true, q, Reduce.Max)));
      rows.push(fpRow('SMINV', vec(q, 0, size, 0b11010), reduce(size, false, q, Reduce.Min)));
      rows.push(fpRow('UMINV', vec(q, 1, size, 0b11010), reduce(size, true, q, Reduce.Min)));
    }
  }
  rows.push(fpRow('ADDP (scalar)', '01011110 11110001 101110xx xxxxxxxx', addpScalar));
  return rows;
}

/** The rows of AdvSIMD across lanes and scalar pairwise ADDP. */
export const SIMD_ACROSS_LANES: readonly EncodingRow[] = buildRows();
