/**
 * AdvSIMD three same (FP), AdvSIMD three same (FP16), AdvSIMD scalar three same (FP and FP16) and FEAT_FHM's
 * FMLAL/FMLSL/FMLAL2/FMLSL2 (vector), Arm ARM C4.1.96:
 * - vector `0 Q U 01110 a sz 1 Rm 11 opc 1 Rn Rd` (sz = 0 single, 1 double; sz = 1 with Q = 0 is reserved) and
 *   FP16 `0 Q U 01110 a 10 Rm 00 opc 1 Rn Rd`;
 * - scalar `01 U 11110 a sz 1 Rm 11 opc 1 Rn Rd` and FP16 `01 U 11110 a 10 Rm 00 opc 1 Rn Rd` (FMULX, FCMEQ,
 *   FRECPS, FRSQRTS, FCMGE, FACGE, FABD, FCMGT, FACGT only);
 * - FMLAL `0 Q 0 01110 0 0 1 Rm 11101 1`, FMLSL (bit 23 = 1), FMLAL2/FMLSL2 (U = 1, opcode 11001).
 * One row per instruction, format and Q; unallocated (U, a, opc) and reserved sz/Q match no row (UNDEFINED).
 */
import type { EncodingRow, Handler } from '../decode.js';
import {
  D, type FpFormat, H, S, fpAdd, fpDiv, fpMax, fpMaxNum, fpMin, fpMinNum, fpMul, fpMulAdd, fpMulX, fpRecipStepFused,
  fpRSqrtStepFused, fpSub,
} from '../fp/index.js';
import { LaneOp } from '../fp/lanes.js';
import { halfToSingle } from '../fp/vector-extra.js';
import { fpRow } from '../fpsimd/access.js';
import { begin, commit } from './fp-common.js';
import { commit as commitTmp, rd, rm, rn, TMP } from './simd-int-common.js';
import { type Acc, type Bin, binaryLoop, fastAccLoop, fastBinaryLoop, pairwiseLoop, pattern } from './simd-fp-lanes.js';
import { fabd, facge, facgt, fcmeq, fcmge, fcmgt, fmla, fmls } from './simd-fp-ops.js';

const enum Kind { Elementwise, Accumulate, Pairwise }

/** A three-same FP instruction: U, a (bit 23), the low three opcode bits, its operation, and whether it has a
 * scalar form. */
interface Same3 {
  readonly name: string;
  readonly u: number;
  readonly a: number;
  readonly opc: number;
  readonly kind: Kind;
  readonly op: Bin | Acc;
  readonly scalar: boolean;
  /**
   * The lane fast path (fp/lanes.ts) of an element-wise operation, if it has one (FMULX takes FMUL's, FMAXNM FMAX's:
   * they differ only on infinity times zero and on NaNs, which the fast paths decline).
   */
  readonly fast?: LaneOp;
}

const E = Kind.Elementwise;
const P = Kind.Pairwise;
const OPS: readonly Same3[] = [
  { name: 'FMAXNM', u: 0, a: 0, opc: 0b000, kind: E, op: fpMaxNum, scalar: false, fast: LaneOp.Max },
  { name: 'FMLA', u: 0, a: 0, opc: 0b001, kind: Kind.Accumulate, op: fmla, scalar: false },
  { name: 'FADD', u: 0, a: 0, opc: 0b010, kind: E, op: fpAdd, scalar: false, fast: LaneOp.Add },
  { name: 'FMULX', u: 0, a: 0, opc: 0b011, kind: E, op: fpMulX, scalar: true, fast: LaneOp.Mul },
  { name: 'FCMEQ', u: 0, a: 0, opc: 0b100, kind: E, op: fcmeq, scalar: true, fast: LaneOp.CmEq },
  { name: 'FMAX', u: 0, a: 0, opc: 0b110, kind: E, op: fpMax, scalar: false, fast: LaneOp.Max },
  { name: 'FRECPS', u: 0, a: 0, opc: 0b111, kind: E, op: fpRecipStepFused, scalar: true },
  { name: 'FMINNM', u: 0, a: 1, opc: 0b000, kind: E, op: fpMinNum, scalar: false, fast: LaneOp.Min },
  { name: 'FMLS', u: 0, a: 1, opc: 0b001, kind: Kind.Accumulate, op: fmls, scalar: false },
  { name: 'FSUB', u: 0, a: 1, opc: 0b010, kind: E, op: fpSub, scalar: false, fast: LaneOp.Sub },
  { name: 'FMIN', u: 0, a: 1, opc: 0b110, kind: E, op: fpMin, scalar: false, fast: LaneOp.Min },
  { name: 'FRSQRTS', u: 0, a: 1, opc: 0b111, kind: E, op: fpRSqrtStepFused, scalar: true },
  { name: 'FMAXNMP', u: 1, a: 0, opc: 0b000, kind: P, op: fpMaxNum, scalar: false },
  { name: 'FADDP', u: 1, a: 0, opc: 0b010, kind: P, op: fpAdd, scalar: false },
  { name: 'FMUL', u: 1, a: 0, opc: 0b011, kind: E, op: fpMul, scalar: false, fast: LaneOp.Mul },
  { name: 'FCMGE', u: 1, a: 0, opc: 0b100, kind: E, op: fcmge, scalar: true, fast: LaneOp.CmGe },
  { name: 'FACGE', u: 1, a: 0, opc: 0b101, kind: E, op: facge, scalar: true, fast: LaneOp.AcGe },
  { name: 'FMAXP', u: 1, a: 0, opc: 0b110, kind: P, op: fpMax, scalar: false },
  { name: 'FDIV', u: 1, a: 0, opc: 0b111, kind: E, op: fpDiv, scalar: false, fast: LaneOp.Div },
  { name: 'FMINNMP', u: 1, a: 1, opc: 0b000, kind: P, op: fpMinNum, scalar: false },
  { name: 'FABD', u: 1, a: 1, opc: 0b010, kind: E, op: fabd, scalar: true, fast: LaneOp.Abd },
  { name: 'FCMGT', u: 1, a: 1, opc: 0b100, kind: E, op: fcmgt, scalar: true, fast: LaneOp.CmGt },
  { name: 'FACGT', u: 1, a: 1, opc: 0b101, kind: E, op: facgt, scalar: true, fast: LaneOp.AcGt },
  { name: 'FMINP', u: 1, a: 1, opc: 0b110, kind: P, op: fpMin, scalar: false },
];

function handler(s: Same3, f: FpFormat, q: number): Handler {
  if (s.kind === Kind.Accumulate) return fastAccLoop(f, q, s.op === fmls, s.op as Acc);
  if (s.kind === Kind.Pairwise) return pairwiseLoop(f, q, s.op as Bin);
  return s.fast === undefined ? binaryLoop(f, q, s.op as Bin) : fastBinaryLoop(f, q, s.fast, s.op as Bin);
}

/** Fixed bits of the four encodings (Rm, Rn, Rd free). */
const MASK = 0xffe0_fc00;
const vector = (q: number, s: Same3, sz: number): number =>
  (q << 30) | (s.u << 29) | (0b01110 << 24) | (s.a << 23) | (sz << 22) | (1 << 21) | (0b11 << 14) | (s.opc << 11) | (1 << 10);
const vectorH = (q: number, s: Same3): number =>
  (q << 30) | (s.u << 29) | (0b01110 << 24) | (s.a << 23) | (0b10 << 21) | (s.opc << 11) | (1 << 10);
const scalarOf = (s: Same3, sz: number): number =>
  (1 << 30) | (s.u << 29) | (0b11110 << 24) | (s.a << 23) | (sz << 22) | (1 << 21) | (0b11 << 14) | (s.opc << 11) | (1 << 10);
const scalarH = (s: Same3): number =>
  (1 << 30) | (s.u << 29) | (0b11110 << 24) | (s.a << 23) | (0b10 << 21) | (s.opc << 11) | (1 << 10);

/**
 * FMLAL/FMLSL (`part` 0) and FMLAL2/FMLSL2 (`part` 1): single lanes of Vd += the half lanes of the lower or upper
 * half of Vn and Vm, widened exactly (FPMulAddH: one rounding, to single precision). FMLSL negates Vn's lane first.
 * Built in the scratch register (the half lanes read overlap the single lanes written when Vd is Vn or Vm).
 */
export function fmlal(q: number, part: number, sub: boolean, byElement: boolean): Handler {
  const count = q ? 4 : 2;
  const off = part ? count : 0;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const u16 = vr.u16;
    const d = rd(insn);
    const n = rn(insn) * 8 + off;
    // By element: Vm is V0-V15 and lane H:L:M; else lane e of the same half as Vn's.
    const m = byElement ? (insn >>> 16) & 15 : rm(insn);
    const index = ((insn >>> 9) & 4) | ((insn >>> 20) & 2) | ((insn >>> 20) & 1);
    const ctx = begin(cpu);
    const fpcr = ctx.fpcr;
    const fixedB = halfToSingle(u16[m * 8 + index]!, fpcr);
    for (let e = 0; e < count; e++) {
      const a = halfToSingle(sub ? u16[n + e]! ^ 0x8000 : u16[n + e]!, fpcr);
      const b = byElement ? fixedB : halfToSingle(u16[m * 8 + off + e]!, fpcr);
      TMP.u32[e] = fpMulAdd(ctx, S, 0, vr.u32[d * 4 + e]!, 0, a, 0, b);
    }
    commitTmp(vr, d, 0, 0, q ? 16 : 8, true);
    commit(cpu, ctx);
  };
}

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const s of OPS) {
    for (const q of [0, 1]) {
      rows.push(fpRow(`${s.name} (vector, single)`, pattern(vector(q, s, 0), MASK), handler(s, S, q)));
      if (q) rows.push(fpRow(`${s.name} (vector, double)`, pattern(vector(q, s, 1), MASK), handler(s, D, q)));
      rows.push(fpRow(`${s.name} (vector, half)`, pattern(vectorH(q, s), MASK), handler(s, H, q)));
    }
    if (s.scalar) {
      rows.push(fpRow(`${s.name} (scalar, single)`, pattern(scalarOf(s, 0), MASK), handler(s, S, -1)));
      rows.push(fpRow(`${s.name} (scalar, double)`, pattern(scalarOf(s, 1), MASK), handler(s, D, -1)));
      rows.push(fpRow(`${s.name} (scalar, half)`, pattern(scalarH(s), MASK), handler(s, H, -1)));
    }
  }
  // FEAT_FHM: U, bit 23 (FMLSL), opcode.
  const fhm: readonly [string, number, number, number, number][] = [
    ['FMLAL (vector)', 0, 0, 0b11101, 0], ['FMLSL (vector)', 0, 1, 0b11101, 0],
    ['FMLAL2 (vector)', 1, 0, 0b11001, 1], ['FMLSL2 (vector)', 1, 1, 0b11001, 1],
  ];
  for (const [name, u, a, opcode, part] of fhm) {
    for (const q of [0, 1]) {
      const value = (q << 30) | (u << 29) | (0b01110 << 24) | (a << 23) | (1 << 21) | (opcode << 11) | (1 << 10);
      rows.push(fpRow(name, pattern(value, MASK), fmlal(q, part, a === 1, false)));
    }
  }
  return rows;
}

/** The rows of AdvSIMD (scalar) three same FP and FP16, and FMLAL/FMLSL (vector). */
export const SIMD_FP_THREE_SAME: readonly EncodingRow[] = buildRows();
