/**
 * AdvSIMD two-register miscellaneous (FP), its FP16 form, and the scalar forms, Arm ARM C4.1.96:
 * - vector `0 Q U 01110 a sz 10000 opcode 10 Rn Rd` (sz = 1 with Q = 0 reserved), FP16 `0 Q U 01110 a 1111 00
 *   opcode 10 Rn Rd`; scalar `01 U 11110 a sz 10000 opcode 10 Rn Rd`, FP16 `01 U 11110 a 1111 00 opcode 10 Rn Rd`;
 * - the rounding (FRINTN/M/P/Z/A/X/I, FRINT32Z/32X/64Z/64X of FEAT_FRINTTS), conversions to and from integers
 *   (FCVT[NMPZA][SU], SCVTF, UCVTF), compares with zero, FABS, FNEG, FSQRT, the estimates (FRECPE, FRSQRTE, FRECPX,
 *   URECPE, URSQRTE);
 * - the narrowing and widening conversions FCVTN/FCVTN2, FCVTL/FCVTL2, FCVTXN/FCVTXN2 (and scalar FCVTXN), and
 *   BFCVTN/BFCVTN2 (FEAT_BF16).
 * One row per instruction, format and Q; unallocated combinations match no row (UNDEFINED).
 */
import type { EncodingRow, Handler } from '../decode.js';
import {
  BF16, D, type FpFormat, H, Rounding, S, fpAbs, fpConvert, fpConvertBF, fpNeg, fpRecipEstimate, fpRecpX,
  fpRSqrtEstimate, fpSqrt,
} from '../fp/index.js';
import { unsignedRecipEstimate, unsignedRSqrtEstimate } from '../fp/vector-extra.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { begin, commit } from './fp-common.js';
import { commit as commitTmp, rd, rn, TMP } from './simd-int-common.js';
import { laneHi, laneLo, pattern, setLane, type Un, unaryLoop } from './simd-fp-lanes.js';
import { fcmeq0, fcmge0, fcmgt0, fcmle0, fcmlt0, frint, frintN, fromInt, toInt } from './simd-fp-ops.js';

/**
 * A two-register misc FP instruction: U, a (size<1>), opcode; its operation; which forms exist: `h` the FP16 vector
 * form, `s` the scalar forms (single, double, and half), `v` the single/double vector forms (false: scalar only).
 */
interface Misc {
  readonly name: string;
  readonly u: number;
  readonly a: number;
  readonly opcode: number;
  readonly op: Un;
  readonly v: boolean;
  readonly h: boolean;
  readonly s: boolean;
}

const m = (name: string, u: number, a: number, opcode: number, op: Un, v: boolean, h: boolean, s: boolean): Misc =>
  ({ name, u, a, opcode, op, v, h, s });
const fpcr = 'fpcr';

const OPS: readonly Misc[] = [
  m('FRINTN', 0, 0, 0b11000, frint(Rounding.TieEven, false), true, true, false),
  m('FRINTM', 0, 0, 0b11001, frint(Rounding.NegInf, false), true, true, false),
  m('FCVTNS', 0, 0, 0b11010, toInt(Rounding.TieEven, false), true, true, true),
  m('FCVTMS', 0, 0, 0b11011, toInt(Rounding.NegInf, false), true, true, true),
  m('FCVTAS', 0, 0, 0b11100, toInt(Rounding.TieAway, false), true, true, true),
  m('SCVTF', 0, 0, 0b11101, fromInt(false), true, true, true),
  m('FRINT32Z', 0, 0, 0b11110, frintN(true, 32), true, false, false),
  m('FRINT64Z', 0, 0, 0b11111, frintN(true, 64), true, false, false),
  m('FCMGT (zero)', 0, 1, 0b01100, fcmgt0, true, true, true),
  m('FCMEQ (zero)', 0, 1, 0b01101, fcmeq0, true, true, true),
  m('FCMLT (zero)', 0, 1, 0b01110, fcmlt0, true, true, true),
  m('FABS (vector)', 0, 1, 0b01111, fpAbs, true, true, false),
  m('FRINTP', 0, 1, 0b11000, frint(Rounding.PosInf, false), true, true, false),
  m('FRINTZ', 0, 1, 0b11001, frint(Rounding.Zero, false), true, true, false),
  m('FCVTPS', 0, 1, 0b11010, toInt(Rounding.PosInf, false), true, true, true),
  m('FCVTZS', 0, 1, 0b11011, toInt(Rounding.Zero, false), true, true, true),
  m('FRECPE', 0, 1, 0b11101, fpRecipEstimate, true, true, true),
  m('FRECPX', 0, 1, 0b11111, fpRecpX, false, false, true),
  m('FRINTA', 1, 0, 0b11000, frint(Rounding.TieAway, false), true, true, false),
  m('FRINTX', 1, 0, 0b11001, frint(fpcr, true), true, true, false),
  m('FCVTNU', 1, 0, 0b11010, toInt(Rounding.TieEven, true), true, true, true),
  m('FCVTMU', 1, 0, 0b11011, toInt(Rounding.NegInf, true), true, true, true),
  m('FCVTAU', 1, 0, 0b11100, toInt(Rounding.TieAway, true), true, true, true),
  m('UCVTF', 1, 0, 0b11101, fromInt(true), true, true, true),
  m('FRINT32X', 1, 0, 0b11110, frintN(false, 32), true, false, false),
  m('FRINT64X', 1, 0, 0b11111, frintN(false, 64), true, false, false),
  m('FCMGE (zero)', 1, 1, 0b01100, fcmge0, true, true, true),
  m('FCMLE (zero)', 1, 1, 0b01101, fcmle0, true, true, true),
  m('FNEG (vector)', 1, 1, 0b01111, fpNeg, true, true, false),
  m('FRINTI', 1, 1, 0b11001, frint(fpcr, false), true, true, false),
  m('FCVTPU', 1, 1, 0b11010, toInt(Rounding.PosInf, true), true, true, true),
  m('FCVTZU', 1, 1, 0b11011, toInt(Rounding.Zero, true), true, true, true),
  m('FRSQRTE', 1, 1, 0b11101, fpRSqrtEstimate, true, true, true),
  m('FSQRT (vector)', 1, 1, 0b11111, fpSqrt, true, true, false),
];

/** Fixed bits of every encoding here (Rn, Rd free). */
const MASK = 0xffff_fc00;
const vector = (q: number, u: number, a: number, sz: number, opcode: number): number =>
  (q << 30) | (u << 29) | (0b01110 << 24) | (a << 23) | (sz << 22) | (0b10000 << 17) | (opcode << 12) | (0b10 << 10);
const vectorH = (q: number, u: number, a: number, opcode: number): number =>
  (q << 30) | (u << 29) | (0b01110 << 24) | (a << 23) | (0b1111 << 19) | (opcode << 12) | (0b10 << 10);
const scalar = (u: number, a: number, sz: number, opcode: number): number =>
  (1 << 30) | (u << 29) | (0b11110 << 24) | (a << 23) | (sz << 22) | (0b10000 << 17) | (opcode << 12) | (0b10 << 10);
const scalarH = (u: number, a: number, opcode: number): number =>
  (1 << 30) | (u << 29) | (0b11110 << 24) | (a << 23) | (0b1111 << 19) | (opcode << 12) | (0b10 << 10);

/** URECPE / URSQRTE: 32-bit unsigned lanes (2S or 4S). */
function unsignedEstimate(q: number, rsqrt: boolean): Handler {
  const count = q ? 4 : 2;
  return (cpu, insn) => {
    const u32 = cpu.vr.u32;
    const d = rd(insn) * 4;
    const n = rn(insn) * 4;
    for (let e = 0; e < count; e++) {
      u32[d + e] = rsqrt ? unsignedRSqrtEstimate(u32[n + e]!) : unsignedRecipEstimate(u32[n + e]!);
    }
    if (!q) clearAbove(cpu.vr, rd(insn), 8);
  };
}

/**
 * FCVTN/FCVTN2, FCVTXN/FCVTXN2 and BFCVTN/BFCVTN2: Vn's `count` wide lanes converted to `to` (under `rounding`, or
 * FPCR's), into the lower half of Vd (the upper half cleared) or, for the "2" forms (`upper`), its upper half (the
 * lower half kept).
 */
function narrow(from: FpFormat, to: FpFormat, upper: boolean, rounding: Rounding | 'fpcr'): Handler {
  const count = 64 / to.n;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const ctx = begin(cpu);
    const mode = rounding === 'fpcr' ? ctx.rmode : rounding;
    for (let e = 0; e < count; e++) {
      const lo = laneLo(vr, from, n, e);
      const r = to === BF16 ? fpConvertBF(ctx, lo, mode) : fpConvert(ctx, from, to, laneHi(vr, from, n, e), lo, mode);
      setLane(TMP, to === BF16 ? H : to, 0, e, r, 0);
    }
    commitTmp(vr, rd(insn), 0, upper ? 8 : 0, 8, !upper);
    commit(cpu, ctx);
  };
}

/** FCVTL/FCVTL2: the lower (or, `upper`, the upper) half of Vn's narrow lanes widened to `to`, exactly. */
function widen(from: FpFormat, to: FpFormat, upper: boolean): Handler {
  const count = 64 / from.n;
  const off = upper ? count : 0;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const r = fpConvert(ctx, from, to, 0, laneLo(vr, from, n, off + e), ctx.rmode);
      setLane(TMP, to, 0, e, r, ctx.hi);
    }
    commitTmp(vr, rd(insn), 0, 0, 16, false);
    commit(cpu, ctx);
  };
}

/** FCVTXN Sd, Dn: Dn converted with round to odd, the rest of Vd cleared. */
const fcvtxnScalar: Handler = (cpu, insn) => {
  const vr = cpu.vr;
  const n = rn(insn);
  const d = rd(insn);
  const ctx = begin(cpu);
  vr.u32[d * 4] = fpConvert(ctx, D, S, vr.u32[n * 4 + 1]!, vr.u32[n * 4]!, Rounding.Odd);
  clearAbove(vr, d, 4);
  commit(cpu, ctx);
};

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const o of OPS) {
    for (const q of [0, 1]) {
      if (o.v) {
        rows.push(fpRow(`${o.name} (vector, single)`, pattern(vector(q, o.u, o.a, 0, o.opcode), MASK), unaryLoop(S, q, o.op)));
        if (q) rows.push(fpRow(`${o.name} (vector, double)`, pattern(vector(q, o.u, o.a, 1, o.opcode), MASK), unaryLoop(D, q, o.op)));
      }
      if (o.h) rows.push(fpRow(`${o.name} (vector, half)`, pattern(vectorH(q, o.u, o.a, o.opcode), MASK), unaryLoop(H, q, o.op)));
    }
    if (o.s) {
      rows.push(fpRow(`${o.name} (scalar, single)`, pattern(scalar(o.u, o.a, 0, o.opcode), MASK), unaryLoop(S, -1, o.op)));
      rows.push(fpRow(`${o.name} (scalar, double)`, pattern(scalar(o.u, o.a, 1, o.opcode), MASK), unaryLoop(D, -1, o.op)));
      rows.push(fpRow(`${o.name} (scalar, half)`, pattern(scalarH(o.u, o.a, o.opcode), MASK), unaryLoop(H, -1, o.op)));
    }
  }
  for (const q of [0, 1]) {
    const upper = q === 1;
    rows.push(fpRow('URECPE', pattern(vector(q, 0, 1, 0, 0b11100), MASK), unsignedEstimate(q, false)));
    rows.push(fpRow('URSQRTE', pattern(vector(q, 1, 1, 0, 0b11100), MASK), unsignedEstimate(q, true)));
    rows.push(fpRow('FCVTN (single to half)', pattern(vector(q, 0, 0, 0, 0b10110), MASK), narrow(S, H, upper, fpcr)));
    rows.push(fpRow('FCVTN (double to single)', pattern(vector(q, 0, 0, 1, 0b10110), MASK), narrow(D, S, upper, fpcr)));
    rows.push(fpRow('FCVTXN (vector)', pattern(vector(q, 1, 0, 1, 0b10110), MASK), narrow(D, S, upper, Rounding.Odd)));
    rows.push(fpRow('BFCVTN', pattern(vector(q, 0, 1, 0, 0b10110), MASK), narrow(S, BF16, upper, fpcr)));
    rows.push(fpRow('FCVTL (half to single)', pattern(vector(q, 0, 0, 0, 0b10111), MASK), widen(H, S, upper)));
    rows.push(fpRow('FCVTL (single to double)', pattern(vector(q, 0, 0, 1, 0b10111), MASK), widen(S, D, upper)));
  }
  rows.push(fpRow('FCVTXN (scalar)', pattern(scalar(1, 0, 1, 0b10110), MASK), fcvtxnScalar));
  return rows;
}

/** The rows of AdvSIMD (scalar) two-register miscellaneous FP and FP16, and the FP narrowing/widening forms. */
export const SIMD_FP_TWO_MISC: readonly EncodingRow[] = buildRows();
