/**
 * Scalar FP arithmetic (Arm ARM C4.1.96): "Floating-point data-processing (1 source)" (FMOV register, FABS, FNEG,
 * FSQRT, FCVT between precisions, BFCVT, FRINTN/P/M/Z/A/X/I, FRINT32Z/32X/64Z/64X), "(2 source)" (FMUL, FDIV, FADD,
 * FSUB, FMAX, FMIN, FMAXNM, FMINNM, FNMUL) and "(3 source)" (FMADD, FMSUB, FNMADD, FNMSUB), for single, double and
 * half precision (FEAT_FP16). One row per instruction and ftype, with every fixed field exact, so an unallocated
 * encoding matches no row (UNDEFINED before the FPEN check).
 */
import type { EncodingRow, Handler } from '../decode.js';
import {
  BF16, D, type FpCtx, type FpFormat, H, Rounding, S, fpAdd, fpConvert, fpConvertBF, fpDiv, fpMax, fpMaxNum, fpMin,
  fpMinNum, fpMul, fpMulAdd, fpNeg, fpRoundInt, fpRoundIntN, fpSqrt, fpSub,
} from '../fp/index.js';
import { LaneOp } from '../fp/lanes.js';
import { fpRow } from '../fpsimd/access.js';
import { fastScalarBinary, fastScalarFused } from './fp-fast.js';
import { FTYPES, begin, commit, pat, ra, rd, regHi, regLo, rm, rn, writeReg } from './fp-common.js';

// ---------------------------------------------------------------------------------------------------------------
// 1 source
// ---------------------------------------------------------------------------------------------------------------

const ONE_SOURCE = '0 0 0 11110 tt 1 oooooo 10000 xxxxx xxxxx';

/** A 1-source handler: Vd = op(Vn) in format f. */
type Unary = (ctx: FpCtx, f: FpFormat, hi: number, lo: number) => number;

function unary(f: FpFormat, op: Unary): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const ctx = begin(cpu);
    const lo = op(ctx, f, regHi(vr, f, n), regLo(vr, f, n));
    writeReg(vr, f, rd(insn), lo, ctx.hi);
    commit(cpu, ctx);
  };
}

const fmovReg: Unary = (ctx, _f, hi, lo) => {
  ctx.hi = hi;
  return lo;
};
const fabs: Unary = (ctx, f, hi, lo) => {
  if (f.n === 64) {
    ctx.hi = hi & 0x7fff_ffff;
    return lo;
  }
  ctx.hi = 0;
  return lo & (2 ** (f.n - 1) - 1);
};

/** FRINT<x> under a fixed rounding mode, or FPCR's (`fpcr`). */
const frint = (mode: Rounding | 'fpcr', exact: boolean): Unary => (ctx, f, hi, lo) =>
  fpRoundInt(ctx, f, hi, lo, mode === 'fpcr' ? ctx.rmode : mode, exact);
const frintN = (zero: boolean, intsize: number): Unary => (ctx, f, hi, lo) =>
  fpRoundIntN(ctx, f, hi, lo, zero ? Rounding.Zero : ctx.rmode, intsize);

const UNARY_OPS: readonly [string, string, Unary, boolean][] = [
  // name, opcode, operation, allowed for half precision
  ['FMOV (register)', '000000', fmovReg, true],
  ['FABS (scalar)', '000001', fabs, true],
  ['FNEG (scalar)', '000010', fpNeg, true],
  ['FSQRT (scalar)', '000011', fpSqrt, true],
  ['FRINTN (scalar)', '001000', frint(Rounding.TieEven, false), true],
  ['FRINTP (scalar)', '001001', frint(Rounding.PosInf, false), true],
  ['FRINTM (scalar)', '001010', frint(Rounding.NegInf, false), true],
  ['FRINTZ (scalar)', '001011', frint(Rounding.Zero, false), true],
  ['FRINTA (scalar)', '001100', frint(Rounding.TieAway, false), true],
  ['FRINTX (scalar)', '001110', frint('fpcr', true), true],
  ['FRINTI (scalar)', '001111', frint('fpcr', false), true],
  ['FRINT32Z (scalar)', '010000', frintN(true, 32), false],
  ['FRINT32X (scalar)', '010001', frintN(false, 32), false],
  ['FRINT64Z (scalar)', '010010', frintN(true, 64), false],
  ['FRINT64X (scalar)', '010011', frintN(false, 64), false],
];

/** FCVT from `from` to `to` (FPCR rounding; the rest of Vd cleared). */
function fcvt(from: FpFormat, to: FpFormat): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const ctx = begin(cpu);
    const lo = fpConvert(ctx, from, to, regHi(vr, from, n), regLo(vr, from, n), ctx.rmode);
    writeReg(vr, to, rd(insn), lo, ctx.hi);
    commit(cpu, ctx);
  };
}

/** BFCVT Hd, Sn (FEAT_BF16). */
const bfcvt: Handler = (cpu, insn) => {
  const vr = cpu.vr;
  const ctx = begin(cpu);
  const r = fpConvertBF(ctx, vr.u32[rn(insn) * 4]!, ctx.rmode);
  writeReg(vr, BF16, rd(insn), r, 0);
  commit(cpu, ctx);
};

const FCVT_TARGETS: readonly [string, FpFormat][] = [['00', S], ['01', D], ['11', H]];

function oneSourceRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const t of FTYPES) {
    for (const [name, opcode, op, half] of UNARY_OPS) {
      if (t.f === H && !half) continue;
      rows.push(fpRow(name, pat(ONE_SOURCE, { t: t.bits, o: opcode }), unary(t.f, op)));
    }
    for (const [opc, to] of FCVT_TARGETS) {
      if (to === t.f) continue;
      rows.push(fpRow('FCVT', pat(ONE_SOURCE, { t: t.bits, o: `0001${opc}` }), fcvt(t.f, to)));
    }
  }
  rows.push(fpRow('BFCVT', pat(ONE_SOURCE, { t: '01', o: '000110' }), bfcvt));
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// 2 source
// ---------------------------------------------------------------------------------------------------------------

const TWO_SOURCE = '0 0 0 11110 tt 1 xxxxx oooo 10 xxxxx xxxxx';

type Binary = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number) => number;

function binary(f: FpFormat, op: Binary): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    const lo = op(ctx, f, regHi(vr, f, n), regLo(vr, f, n), regHi(vr, f, m), regLo(vr, f, m));
    writeReg(vr, f, rd(insn), lo, ctx.hi);
    commit(cpu, ctx);
  };
}

/** FNMUL: the product negated (a NaN product too). */
const fnmul: Binary = (ctx, f, ahi, alo, bhi, blo) => {
  const lo = fpMul(ctx, f, ahi, alo, bhi, blo);
  return fpNeg(ctx, f, ctx.hi, lo);
};

/** name, opcode, operation, its lane fast path (fp/lanes.ts; FMAX and FMAXNM agree without NaNs). */
const BINARY_OPS: readonly [string, string, Binary, LaneOp | undefined][] = [
  ['FMUL (scalar)', '0000', fpMul, LaneOp.Mul],
  ['FDIV (scalar)', '0001', fpDiv, LaneOp.Div],
  ['FADD (scalar)', '0010', fpAdd, LaneOp.Add],
  ['FSUB (scalar)', '0011', fpSub, LaneOp.Sub],
  ['FMAX (scalar)', '0100', fpMax, LaneOp.Max],
  ['FMIN (scalar)', '0101', fpMin, LaneOp.Min],
  ['FMAXNM (scalar)', '0110', fpMaxNum, LaneOp.Max],
  ['FMINNM (scalar)', '0111', fpMinNum, LaneOp.Min],
  ['FNMUL (scalar)', '1000', fnmul, LaneOp.NMul],
];

function twoSourceRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const t of FTYPES) {
    for (const [name, opcode, op, fast] of BINARY_OPS) {
      const exact = binary(t.f, op);
      const h = fast === undefined ? exact : fastScalarBinary(t.f, fast, exact);
      rows.push(fpRow(name, pat(TWO_SOURCE, { t: t.bits, o: opcode }), h));
    }
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------
// 3 source
// ---------------------------------------------------------------------------------------------------------------

const THREE_SOURCE = '0 0 0 11111 tt a xxxxx b xxxxx xxxxx xxxxx';

/** FMADD family: Vd = (negA ? -Va : Va) + (negN ? -Vn : Vn) * Vm, fused; negations flip NaN signs too. */
function fused(f: FpFormat, negA: boolean, negN: boolean): Handler {
  const signHi = f.n === 64 ? 0x8000_0000 : 0;
  const signLo = f.n === 64 ? 0 : 2 ** (f.n - 1);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const m = rm(insn);
    const a = ra(insn);
    let ahi = regHi(vr, f, a);
    let alo = regLo(vr, f, a);
    let nhi = regHi(vr, f, n);
    let nlo = regLo(vr, f, n);
    if (negA) {
      ahi = (ahi ^ signHi) >>> 0;
      alo = (alo ^ signLo) >>> 0;
    }
    if (negN) {
      nhi = (nhi ^ signHi) >>> 0;
      nlo = (nlo ^ signLo) >>> 0;
    }
    const ctx = begin(cpu);
    const lo = fpMulAdd(ctx, f, ahi, alo, nhi, nlo, regHi(vr, f, m), regLo(vr, f, m));
    writeReg(vr, f, rd(insn), lo, ctx.hi);
    commit(cpu, ctx);
  };
}

const FUSED_OPS: readonly [string, string, string, boolean, boolean][] = [
  ['FMADD', '0', '0', false, false],
  ['FMSUB', '0', '1', false, true],
  ['FNMADD', '1', '0', true, true],
  ['FNMSUB', '1', '1', true, false],
];

function threeSourceRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const t of FTYPES) {
    for (const [name, o1, o0, negA, negN] of FUSED_OPS) {
      const h = fastScalarFused(t.f, negA, negN, fused(t.f, negA, negN));
      rows.push(fpRow(name, pat(THREE_SOURCE, { t: t.bits, a: o1, b: o0 }), h));
    }
  }
  return rows;
}

/** The rows of the scalar FP data-processing classes (1, 2 and 3 source). */
export const FP_ARITH_ROWS: readonly EncodingRow[] = [...oneSourceRows(), ...twoSourceRows(), ...threeSourceRows()];
