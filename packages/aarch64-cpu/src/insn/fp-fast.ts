/**
 * Fast handlers of the hot scalar FP instructions (FADD, FSUB, FMUL, FDIV, FMAX/FMIN(NM), FMADD family, FCMP/FCMPE,
 * FCVTZS/FCVTZU to an integer register): the lane fast paths of fp/lanes.ts on lane 0, reading and writing the
 * register file's float views, and the generic handler (`slow`, built from the exact library) for whatever they
 * decline. A declined fast path has written nothing and raised nothing, so `slow` simply runs the instruction.
 *
 * Hot path: one closure literal per format, so each call to a lane function is monomorphic and can be inlined.
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../decode.js';
import type { FpFormat } from '../fp/index.js';
import { IXC } from '../fp/format.js';
import { binLaneD, binLaneH, binLaneS, fmaLaneD, fmaLaneH, fmaLaneS, halfValue, type LaneOp } from '../fp/lanes.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { St } from '../state-layout.js';
import { begin, commit, ra, rd, rm, rn } from './fp-common.js';

/** Vd = op(Vn, Vm) (scalar; the rest of Vd cleared), the lane fast path first. */
export function fastScalarBinary(f: FpFormat, fast: LaneOp, slow: Handler): Handler {
  if (f.n === 64) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const ctx = begin(cpu);
      if (!binLaneD(fast, ctx, vr, d * 2, rn(insn) * 2, rm(insn) * 2)) return slow(cpu, insn);
      clearAbove(vr, d, 8);
      commit(cpu, ctx);
    };
  }
  if (f.n === 32) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const ctx = begin(cpu);
      if (!binLaneS(fast, ctx, vr, d * 4, rn(insn) * 4, rm(insn) * 4)) return slow(cpu, insn);
      clearAbove(vr, d, 4);
      commit(cpu, ctx);
    };
  }
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const ctx = begin(cpu);
    if (!binLaneH(fast, ctx, vr, d * 8, rn(insn) * 8, rm(insn) * 8)) return slow(cpu, insn);
    clearAbove(vr, d, 2);
    commit(cpu, ctx);
  };
}

/** FMADD family: Vd = (negA ? -Va : Va) + (negN ? -Vn : Vn) * Vm, fused, the lane fast path first. */
export function fastScalarFused(f: FpFormat, negA: boolean, negN: boolean, slow: Handler): Handler {
  if (f.n === 64) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const ctx = begin(cpu);
      if (!fmaLaneD(ctx, vr, d * 2, ra(insn) * 2, rn(insn) * 2, rm(insn) * 2, negA, negN)) return slow(cpu, insn);
      clearAbove(vr, d, 8);
      commit(cpu, ctx);
    };
  }
  if (f.n === 32) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const ctx = begin(cpu);
      if (!fmaLaneS(ctx, vr, d * 4, ra(insn) * 4, rn(insn) * 4, rm(insn) * 4, negA, negN)) return slow(cpu, insn);
      clearAbove(vr, d, 4);
      commit(cpu, ctx);
    };
  }
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const ctx = begin(cpu);
    if (!fmaLaneH(ctx, vr, d * 8, ra(insn) * 8, rn(insn) * 8, rm(insn) * 8, negA, negN)) return slow(cpu, insn);
    clearAbove(vr, d, 2);
    commit(cpu, ctx);
  };
}

const MIN_NORMAL_D = 2 ** -1022;
const MIN_NORMAL_S = 2 ** -126;

/**
 * Scalar Vr of format f as a number when it is zero, normal or (single, double) infinite, else NaN: operands whose
 * comparison needs no NaN rules and no denormal flushing.
 */
function plainScalar(cpu: Cpu, f: FpFormat, r: number): number {
  const vr = cpu.vr;
  if (f.n === 64) {
    const x = vr.f64[r * 2]!;
    return Math.abs(x) >= MIN_NORMAL_D || x === 0 ? x : NaN;
  }
  if (f.n === 32) {
    const x = vr.f32[r * 4]!;
    return Math.abs(x) >= MIN_NORMAL_S || x === 0 ? x : NaN;
  }
  return halfValue(vr.u16[r * 8]!);
}

/** FCMP/FCMPE (register or #0.0): NZCV from a plain comparison when neither operand is a NaN or denormal. */
export function fastCompare(f: FpFormat, withZero: boolean, slow: Handler): Handler {
  return (cpu, insn) => {
    const x = plainScalar(cpu, f, rn(insn));
    const y = withZero ? 0 : plainScalar(cpu, f, rm(insn));
    if (x !== x || y !== y) return slow(cpu, insn);
    cpu.nzcv = x === y ? 0b0110 : x < y ? 0b1000 : 0b0010;
  };
}

const X_WORD = St.X >> 2;

/**
 * FCVTZS/FCVTZU (integer, or fixed point with `fixed`) to Wd/Xd: truncation of a plain operand whose result fits in
 * the destination with room to spare (|result| < 2^31 for W, < 2^53 for X: exact in a double), IXC when the
 * operand had a fraction; anything else (saturation, NaN, denormal) takes `slow`.
 */
export function fastToIntZero(f: FpFormat, sf: boolean, unsigned: boolean, fixed: boolean, slow: Handler): Handler {
  const limit = sf ? 2 ** 53 : 2 ** 31;
  return (cpu, insn) => {
    const x = plainScalar(cpu, f, rn(insn));
    const scaled = fixed ? x * 2 ** (64 - ((insn >>> 10) & 63)) : x; // exact: a power of two, far from overflow
    const t = Math.trunc(scaled);
    if (!(t > -limit && t < limit) || (unsigned && t < 0)) return slow(cpu, insn);
    if (t !== scaled) {
      const ctx = begin(cpu);
      ctx.flags |= IXC;
      commit(cpu, ctx);
    }
    const d = rd(insn);
    if (d === 31) return;
    const w = cpu.st32;
    const hi = Math.floor(t / 2 ** 32);
    w[X_WORD + d * 2] = t - hi * 2 ** 32;
    w[X_WORD + d * 2 + 1] = sf ? hi : 0;
  };
}
