/**
 * AdvSIMD (scalar) shift by immediate, the fixed-point conversions (Arm ARM C4.1.96): SCVTF, UCVTF (opcode 11100)
 * and FCVTZS, FCVTZU (opcode 11111), vector `0 Q U 011110 immh immb opcode 1 Rn Rd` and scalar
 * `01 U 111110 immh immb opcode 1 Rn Rd`. immh selects the lane size: 001x half (FEAT_FP16), 01xx single, 1xxx
 * double (vector: Q = 1 only); fbits = 2 * esize - immh:immb. immh = 0001 (bytes) matches no row (UNDEFINED).
 */
import type { EncodingRow, Handler } from '../decode.js';
import { D, type FpFormat, H, Rounding, S } from '../fp/index.js';
import { fpRow } from '../fpsimd/access.js';
import { begin, commit } from './fp-common.js';
import { rd, rn } from './simd-int-common.js';
import { finish, laneHi, laneLo, lanesOf, pattern, setLane } from './simd-fp-lanes.js';
import { fromFixed, toFixed } from './simd-fp-ops.js';

/** SCVTF/UCVTF (`toFp`) or FCVTZS/FCVTZU by immediate: lanes of f with fbits from immh:immb. */
function convert(f: FpFormat, q: number, toFp: boolean, unsigned: boolean): Handler {
  const { count, bytes } = lanesOf(f, q);
  const twice = 2 * f.n;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const fbits = twice - ((insn >>> 16) & 0x7f);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const hi = laneHi(vr, f, n, e);
      const lo = laneLo(vr, f, n, e);
      const r = toFp ? fromFixed(ctx, f, hi, lo, fbits, unsigned) : toFixed(ctx, f, hi, lo, fbits, unsigned, Rounding.Zero);
      setLane(vr, f, d, e, r, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** Format by immh prefix: [fixed immh bits, how many of immh's bits are fixed, format]. */
const SIZES: readonly [number, number, FpFormat][] = [[0b0010, 3, H], [0b0100, 2, S], [0b1000, 1, D]];
const OPS: readonly [string, number, number, boolean][] = [
  ['SCVTF (fixed-point)', 0, 0b11100, true], ['UCVTF (fixed-point)', 1, 0b11100, true],
  ['FCVTZS (fixed-point)', 0, 0b11111, false], ['FCVTZU (fixed-point)', 1, 0b11111, false],
];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [name, u, opcode, toFp] of OPS) {
    for (const [immh, fixed, f] of SIZES) {
      // immh is bits 22:19; its top `fixed` bits are fixed.
      const immhMask = ((0xf << (4 - fixed)) & 0xf) << 19;
      const mask = 0xff80_fc00 | immhMask;
      const common = (u << 29) | (immh << 19) | (opcode << 11) | (1 << 10);
      for (const q of f === D ? [1] : [0, 1]) {
        rows.push(fpRow(`${name} (vector)`, pattern((q << 30) | common | (0b011110 << 23), mask), convert(f, q, toFp, u === 1)));
      }
      rows.push(fpRow(`${name} (scalar)`, pattern((1 << 30) | common | (0b111110 << 23), mask), convert(f, -1, toFp, u === 1)));
    }
  }
  return rows;
}

/** The rows of the fixed-point conversions by immediate. */
export const SIMD_FP_SHIFT_IMMEDIATE: readonly EncodingRow[] = buildRows();
