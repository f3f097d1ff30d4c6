/**
 * AdvSIMD across lanes (FP) and AdvSIMD scalar pairwise (FP), Arm ARM C4.1.96:
 * - FMAXNMV, FMINNMV, FMAXV, FMINV: `0 Q U 01110 a sz 11000 opcode 10 Rn Rd`, single precision as U = 1, sz = 0,
 *   Q = 1 (4S only), half precision as U = 0, sz = 0 (4H, 8H); the lanes combine in the Arm ARM's Reduce order (a
 *   tree of adjacent pairs, simd-fp-lanes.ts reduceLoop);
 * - FADDP, FMAXP, FMINP, FMAXNMP, FMINNMP (scalar): `01 U 11110 a sz 11000 opcode 10 Rn Rd`, single and double as
 *   U = 1, half as U = 0, sz = 0.
 * Other sizes and Q match no row (UNDEFINED).
 */
import type { EncodingRow } from '../decode.js';
import { D, H, S, fpAdd, fpMax, fpMaxNum, fpMin, fpMinNum } from '../fp/index.js';
import { fpRow } from '../fpsimd/access.js';
import { type Bin, pattern, reduceLoop, scalarPairwise } from './simd-fp-lanes.js';

const MASK = 0xffff_fc00;
const across = (q: number, u: number, a: number, opcode: number): number =>
  (q << 30) | (u << 29) | (0b01110 << 24) | (a << 23) | (0b11000 << 17) | (opcode << 12) | (0b10 << 10);
const pairwise = (u: number, a: number, sz: number, opcode: number): number =>
  (1 << 30) | (u << 29) | (0b11110 << 24) | (a << 23) | (sz << 22) | (0b11000 << 17) | (opcode << 12) | (0b10 << 10);

/** name, a, opcode, operation. */
const REDUCTIONS: readonly [string, number, number, Bin][] = [
  ['FMAXNMV', 0, 0b01100, fpMaxNum], ['FMINNMV', 1, 0b01100, fpMinNum],
  ['FMAXV', 0, 0b01111, fpMax], ['FMINV', 1, 0b01111, fpMin],
];
const PAIRWISE: readonly [string, number, number, Bin][] = [
  ['FMAXNMP (scalar)', 0, 0b01100, fpMaxNum], ['FADDP (scalar)', 0, 0b01101, fpAdd], ['FMAXP (scalar)', 0, 0b01111, fpMax],
  ['FMINNMP (scalar)', 1, 0b01100, fpMinNum], ['FMINP (scalar)', 1, 0b01111, fpMin],
];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [name, a, opcode, op] of REDUCTIONS) {
    rows.push(fpRow(`${name} (single)`, pattern(across(1, 1, a, opcode), MASK), reduceLoop(S, 1, op)));
    for (const q of [0, 1]) rows.push(fpRow(`${name} (half)`, pattern(across(q, 0, a, opcode), MASK), reduceLoop(H, q, op)));
  }
  for (const [name, a, opcode, op] of PAIRWISE) {
    rows.push(fpRow(name, pattern(pairwise(1, a, 0, opcode), MASK), scalarPairwise(S, op)));
    rows.push(fpRow(name, pattern(pairwise(1, a, 1, opcode), MASK), scalarPairwise(D, op)));
    rows.push(fpRow(name, pattern(pairwise(0, a, 0, opcode), MASK), scalarPairwise(H, op)));
  }
  return rows;
}

/** The rows of AdvSIMD across lanes (FP) and scalar pairwise (FP). */
export const SIMD_FP_ACROSS_LANES: readonly EncodingRow[] = buildRows();
