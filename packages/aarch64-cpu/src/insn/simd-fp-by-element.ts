/**
 * AdvSIMD vector x indexed element and scalar x indexed element, FP forms (Arm ARM C4.1.96):
 * `0 Q U 01111 size L M Rm opcode H 0 Rn Rd` and `01 U 11111 size L M Rm opcode H 0 Rn Rd`.
 * - FMLA (opcode 0001), FMLS (0101), FMUL (1001), FMULX (U = 1, 1001), vector and scalar: size 00 half (Vm in
 *   V0-V15, lane H:L:M), 10 single (Vm = M:Rm, lane H:L), 11 double (Vm = M:Rm, lane H; L = 1 is reserved, and so is
 *   the vector form with Q = 0);
 * - FEAT_FHM FMLAL (0000), FMLSL (0100), FMLAL2 (U = 1, 1000), FMLSL2 (U = 1, 1100): size 10, half lanes, Vm in
 *   V0-V15, lane H:L:M;
 * - FEAT_FCMA FCMLA (U = 1, opcode 0 rot 1): size 01 (pair H:L; H = 1 with Q = 0 is reserved), size 10 (Q = 1,
 *   pair H; L = 1 reserved);
 * - FEAT_BF16 BFDOT (size 01, opcode 1111, pair H:L of Vm = M:Rm) and BFMLALB/T (size 11, opcode 1111, lane H:L:M
 *   of V0-V15).
 * Everything else matches no row (UNDEFINED).
 */
import type { EncodingRow, Handler } from '../decode.js';
import { D, type FpCtx, type FpFormat, H, S, fpMul, fpMulX } from '../fp/index.js';
import { binLaneD, binLaneH, binLaneS, fmaLaneD, fmaLaneH, fmaLaneS, LaneOp } from '../fp/lanes.js';
import type { VRegs } from '../fpsimd/vregs.js';
import { fpRow } from '../fpsimd/access.js';
import { begin, commit } from './fp-common.js';
import { rd, rn } from './simd-int-common.js';
import { type Acc, type Bin, finish, laneHi, laneLo, lanesOf, pattern, setLane } from './simd-fp-lanes.js';
import { fmla, fmls } from './simd-fp-ops.js';
import { fmlal } from './simd-fp-three-same.js';
import { fcmla } from './simd-fp-complex.js';
import { bfdot, bfmlal } from './simd-fp-bf16.js';

/** Vm's register and lane for format f. */
const mReg = (insn: number, f: FpFormat): number => (insn >>> 16) & (f.n === 16 ? 15 : 31);
function mIndex(insn: number, f: FpFormat): number {
  const h = (insn >>> 11) & 1;
  if (f.n === 64) return h;
  const hl = (h << 1) | ((insn >>> 21) & 1);
  return f.n === 32 ? hl : (hl << 1) | ((insn >>> 20) & 1);
}

/** Vd[e] = op(Vn[e], Vm[index]) or, `acc`, op(Vd[e], Vn[e], Vm[index]); q = -1 for the scalar form. */
function byElement(f: FpFormat, q: number, op: Bin | Acc, acc: boolean): Handler {
  const { count, bytes } = lanesOf(f, q);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = mReg(insn, f);
    const index = mIndex(insn, f);
    const bh = laneHi(vr, f, m, index);
    const bl = laneLo(vr, f, m, index);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const lo = acc
        ? (op as Acc)(ctx, f, laneHi(vr, f, d, e), laneLo(vr, f, d, e), laneHi(vr, f, n, e), laneLo(vr, f, n, e), bh, bl)
        : (op as Bin)(ctx, f, laneHi(vr, f, n, e), laneLo(vr, f, n, e), bh, bl);
      setLane(vr, f, d, e, lo, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** Fixed bits: everything but L (21), M (20), Rm (19:16), H (11), Rn, Rd; per-row extras are added to it. */
/** Lane e of Vd = op(Vn[e], b) or op(Vd[e], Vn[e], b) (`acc`) through the exact library: the fast loop's fallback. */
function slowLane(
  ctx: FpCtx, f: FpFormat, vr: VRegs, d: number, n: number, e: number, bh: number, bl: number, op: Bin | Acc, acc: boolean,
): void {
  const lo = acc
    ? (op as Acc)(ctx, f, laneHi(vr, f, d, e), laneLo(vr, f, d, e), laneHi(vr, f, n, e), laneLo(vr, f, n, e), bh, bl)
    : (op as Bin)(ctx, f, laneHi(vr, f, n, e), laneLo(vr, f, n, e), bh, bl);
  setLane(vr, f, d, e, lo, ctx.hi);
}

/**
 * {@link byElement} for FMLA/FMLS (`acc`, `negN` for FMLS) and FMUL/FMULX (the same without infinities) with the lane
 * fast paths of fp/lanes.ts first, one closure literal per format (simd-fp-lanes.ts fastBinaryLoop). The fast paths
 * read the element from Vm on every lane, so Vd = Vm (whose lanes change under the loop) takes `slow`.
 */
function fastByElement(f: FpFormat, q: number, op: Bin | Acc, acc: boolean, negN: boolean, slow: Handler): Handler {
  const { count, bytes } = lanesOf(f, q);
  if (f.n === 64) {
    return (cpu, insn) => {
      const d = rd(insn);
      const m = mReg(insn, f);
      if (d === m) return slow(cpu, insn);
      const vr = cpu.vr;
      const n = rn(insn);
      const index = mIndex(insn, f);
      const b = m * 2 + index;
      const ctx = begin(cpu);
      for (let e = 0; e < count; e++) {
        const i = d * 2 + e;
        const ok = acc ? fmaLaneD(ctx, vr, i, i, n * 2 + e, b, false, negN) : binLaneD(LaneOp.Mul, ctx, vr, i, n * 2 + e, b);
        if (!ok) slowLane(ctx, f, vr, d, n, e, laneHi(vr, f, m, index), laneLo(vr, f, m, index), op, acc);
      }
      finish(vr, d, bytes);
      commit(cpu, ctx);
    };
  }
  if (f.n === 32) {
    return (cpu, insn) => {
      const d = rd(insn);
      const m = mReg(insn, f);
      if (d === m) return slow(cpu, insn);
      const vr = cpu.vr;
      const n = rn(insn);
      const index = mIndex(insn, f);
      const b = m * 4 + index;
      const ctx = begin(cpu);
      for (let e = 0; e < count; e++) {
        const i = d * 4 + e;
        const ok = acc ? fmaLaneS(ctx, vr, i, i, n * 4 + e, b, false, negN) : binLaneS(LaneOp.Mul, ctx, vr, i, n * 4 + e, b);
        if (!ok) slowLane(ctx, f, vr, d, n, e, 0, laneLo(vr, f, m, index), op, acc);
      }
      finish(vr, d, bytes);
      commit(cpu, ctx);
    };
  }
  return (cpu, insn) => {
    const d = rd(insn);
    const m = mReg(insn, f);
    if (d === m) return slow(cpu, insn);
    const vr = cpu.vr;
    const n = rn(insn);
    const index = mIndex(insn, f);
    const b = m * 8 + index;
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const i = d * 8 + e;
      const ok = acc ? fmaLaneH(ctx, vr, i, i, n * 8 + e, b, false, negN) : binLaneH(LaneOp.Mul, ctx, vr, i, n * 8 + e, b);
      if (!ok) slowLane(ctx, f, vr, d, n, e, 0, laneLo(vr, f, m, index), op, acc);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

const BASE_MASK = 0xffc0_f400;
const L_BIT = 1 << 21;
const H_BIT = 1 << 11;
const vector = (q: number, u: number, size: number, opcode: number): number =>
  (q << 30) | (u << 29) | (0b01111 << 24) | (size << 22) | (opcode << 12);
const scalar = (u: number, size: number, opcode: number): number =>
  (1 << 30) | (u << 29) | (0b11111 << 24) | (size << 22) | (opcode << 12);

/** name, U, opcode, operation, accumulates. */
const ARITH: readonly [string, number, number, Bin | Acc, boolean][] = [
  ['FMLA (by element)', 0, 0b0001, fmla, true],
  ['FMLS (by element)', 0, 0b0101, fmls, true],
  ['FMUL (by element)', 0, 0b1001, fpMul, false],
  ['FMULX (by element)', 1, 0b1001, fpMulX, false],
];
const FORMATS: readonly [number, FpFormat][] = [[0, H], [2, S], [3, D]];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [name, u, opcode, op, acc] of ARITH) {
    for (const [size, f] of FORMATS) {
      // Double: L must be 0.
      const mask = f === D ? BASE_MASK | L_BIT : BASE_MASK;
      for (const q of f === D ? [1] : [0, 1]) {
        const h = fastByElement(f, q, op, acc, op === fmls, byElement(f, q, op, acc));
        rows.push(fpRow(name, pattern(vector(q, u, size, opcode), mask), h));
      }
      rows.push(fpRow(name.replace('by element', 'scalar, by element'), pattern(scalar(u, size, opcode), mask),
        fastByElement(f, -1, op, acc, op === fmls, byElement(f, -1, op, acc))));
    }
  }
  const fhm: readonly [string, number, number, number, boolean][] = [
    ['FMLAL (by element)', 0, 0b0000, 0, false], ['FMLSL (by element)', 0, 0b0100, 0, true],
    ['FMLAL2 (by element)', 1, 0b1000, 1, false], ['FMLSL2 (by element)', 1, 0b1100, 1, true],
  ];
  for (const [name, u, opcode, part, sub] of fhm) {
    for (const q of [0, 1]) rows.push(fpRow(name, pattern(vector(q, u, 2, opcode), BASE_MASK), fmlal(q, part, sub, true)));
  }
  for (let rot = 0; rot < 4; rot++) {
    const opcode = (rot << 1) | 1;
    rows.push(fpRow('FCMLA (by element)', pattern(vector(0, 1, 1, opcode), BASE_MASK | H_BIT), fcmla(H, 0, rot, true)));
    rows.push(fpRow('FCMLA (by element)', pattern(vector(1, 1, 1, opcode), BASE_MASK), fcmla(H, 1, rot, true)));
    rows.push(fpRow('FCMLA (by element)', pattern(vector(1, 1, 2, opcode), BASE_MASK | L_BIT), fcmla(S, 1, rot, true)));
  }
  for (const q of [0, 1]) {
    rows.push(fpRow('BFDOT (by element)', pattern(vector(q, 0, 1, 0b1111), BASE_MASK), bfdot(q, true)));
  }
  rows.push(fpRow('BFMLALB (by element)', pattern(vector(0, 0, 3, 0b1111), BASE_MASK), bfmlal(false, true)));
  rows.push(fpRow('BFMLALT (by element)', pattern(vector(1, 0, 3, 0b1111), BASE_MASK), bfmlal(true, true)));
  return rows;
}

/** The rows of AdvSIMD (scalar) x indexed element, FP forms. */
export const SIMD_FP_BY_ELEMENT: readonly EncodingRow[] = buildRows();
