/**
 * The lane engine of the AdvSIMD floating-point instructions (insn/simd-fp-*.ts): reading and writing FP lanes of
 * `cpu.vr` as the FP library's raw bits, the lane-operation types, and the loops (element-wise, pairwise, across
 * lanes) that every class file builds its handlers from.
 *
 * Conventions:
 * - A lane of format `f` is `(hi, lo)`: lo is the whole value for half and single precision (hi = 0), a double is
 *   its two 32-bit halves. Operations return lo and leave a double's high word in ctx.hi (fp/index.ts).
 * - `q` is 1 (128-bit vector), 0 (64-bit vector: the upper 64 bits of Vd cleared) or -1 (scalar: one lane, the rest
 *   of Vd cleared).
 * - Hot path: a handler is a closure with its format, lane count and operation fixed when the table is built; at run
 *   time it decodes register numbers from the word and loops over lanes without allocating. The hot operations
 *   (add, sub, mul, div, FABD, max/min, compares, FMLA/FMLS) have loops of their own per format (fastBinaryLoop,
 *   fastAccLoop) whose lane call goes to one fixed function of fp/lanes.ts, which V8 can inline (a call site shared
 *   by every FP row, as in binaryLoop, is megamorphic); the generic operation runs only for lanes that function
 *   declines (NaNs, denormals, other rounding modes, results near the exponent range's ends). Element-wise results are
 *   written in place (lane e of Vd depends only on lane e of the sources); results that read other lanes go through
 *   the scratch register file (simd-int-common.ts TMP).
 */
import type { Handler } from '../decode.js';
import type { FpCtx, FpFormat } from '../fp/index.js';
import { binLaneD, binLaneH, binLaneS, fmaLaneD, fmaLaneH, fmaLaneS, type LaneOp } from '../fp/lanes.js';
import { clearAbove, type VRegs } from '../fpsimd/vregs.js';
import { begin, commit } from './fp-common.js';
import { commit as commitTmp, rd, rm, rn, TMP } from './simd-int-common.js';

/** op(Vn[e]). */
export type Un = (ctx: FpCtx, f: FpFormat, hi: number, lo: number) => number;
/** op(Vn[e], Vm[e]). */
export type Bin = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number) => number;
/** op(Vd[e], Vn[e], Vm[e]) (the accumulating forms: FMLA, FMLS). */
export type Acc = (
  ctx: FpCtx, f: FpFormat, dhi: number, dlo: number, ahi: number, alo: number, bhi: number, blo: number,
) => number;

/** The low word of lane e of Vr. */
export function laneLo(vr: VRegs, f: FpFormat, r: number, e: number): number {
  return f.n === 16 ? vr.u16[r * 8 + e]! : f.n === 32 ? vr.u32[r * 4 + e]! : vr.u32[r * 4 + e * 2]!;
}

/** The high word of lane e of Vr (0 below 64 bits). */
export function laneHi(vr: VRegs, f: FpFormat, r: number, e: number): number {
  return f.n === 64 ? vr.u32[r * 4 + e * 2 + 1]! : 0;
}

/** Lane e of Vr = hi:lo. */
export function setLane(vr: VRegs, f: FpFormat, r: number, e: number, lo: number, hi: number): void {
  if (f.n === 16) vr.u16[r * 8 + e] = lo;
  else if (f.n === 32) vr.u32[r * 4 + e] = lo;
  else {
    vr.u32[r * 4 + e * 2] = lo;
    vr.u32[r * 4 + e * 2 + 1] = hi;
  }
}

/** Lanes and bytes written of a form (q as above). */
export function lanesOf(f: FpFormat, q: number): { count: number; bytes: number } {
  if (q < 0) return { count: 1, bytes: f.n >> 3 };
  return { count: (q ? 128 : 64) / f.n, bytes: q ? 16 : 8 };
}

/** Clear what a result of `bytes` bytes leaves of Vd. */
export function finish(vr: VRegs, d: number, bytes: number): void {
  if (bytes < 16) clearAbove(vr, d, bytes);
}

/** Vd[e] = op(Vn[e]). */
export function unaryLoop(f: FpFormat, q: number, op: Un): Handler {
  const { count, bytes } = lanesOf(f, q);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const lo = op(ctx, f, laneHi(vr, f, n, e), laneLo(vr, f, n, e));
      setLane(vr, f, d, e, lo, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** Vd[e] = op(Vn[e], Vm[e]). */
export function binaryLoop(f: FpFormat, q: number, op: Bin): Handler {
  const { count, bytes } = lanesOf(f, q);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const lo = op(ctx, f, laneHi(vr, f, n, e), laneLo(vr, f, n, e), laneHi(vr, f, m, e), laneLo(vr, f, m, e));
      setLane(vr, f, d, e, lo, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** Vd[e] = op(Vd[e], Vn[e], Vm[e]). */
export function accLoop(f: FpFormat, q: number, op: Acc): Handler {
  const { count, bytes } = lanesOf(f, q);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const lo = op(ctx, f, laneHi(vr, f, d, e), laneLo(vr, f, d, e), laneHi(vr, f, n, e), laneLo(vr, f, n, e),
        laneHi(vr, f, m, e), laneLo(vr, f, m, e));
      setLane(vr, f, d, e, lo, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** Lane e of Vd = op(lane e of Vn, Vm) through the exact library: the fast loops' fallback. */
function slowBinary(ctx: FpCtx, f: FpFormat, vr: VRegs, d: number, n: number, m: number, e: number, op: Bin): void {
  const lo = op(ctx, f, laneHi(vr, f, n, e), laneLo(vr, f, n, e), laneHi(vr, f, m, e), laneLo(vr, f, m, e));
  setLane(vr, f, d, e, lo, ctx.hi);
}

/** Lane e of Vd = op(Vd, Vn, Vm) through the exact library. */
function slowAcc(ctx: FpCtx, f: FpFormat, vr: VRegs, d: number, n: number, m: number, e: number, op: Acc): void {
  const lo = op(ctx, f, laneHi(vr, f, d, e), laneLo(vr, f, d, e), laneHi(vr, f, n, e), laneLo(vr, f, n, e),
    laneHi(vr, f, m, e), laneLo(vr, f, m, e));
  setLane(vr, f, d, e, lo, ctx.hi);
}

/**
 * {@link binaryLoop} with the lane fast path `fast` (fp/lanes.ts) tried first on every lane and `slow`, the same
 * operation in the exact library, for the lanes it declines. One closure literal per format, so each lane call site
 * sees one function.
 */
export function fastBinaryLoop(f: FpFormat, q: number, fast: LaneOp, slow: Bin): Handler {
  const { count, bytes } = lanesOf(f, q);
  if (f.n === 64) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const n = rn(insn);
      const m = rm(insn);
      const ctx = begin(cpu);
      for (let e = 0; e < count; e++) {
        if (!binLaneD(fast, ctx, vr, d * 2 + e, n * 2 + e, m * 2 + e)) slowBinary(ctx, f, vr, d, n, m, e, slow);
      }
      finish(vr, d, bytes);
      commit(cpu, ctx);
    };
  }
  if (f.n === 32) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const n = rn(insn);
      const m = rm(insn);
      const ctx = begin(cpu);
      for (let e = 0; e < count; e++) {
        if (!binLaneS(fast, ctx, vr, d * 4 + e, n * 4 + e, m * 4 + e)) slowBinary(ctx, f, vr, d, n, m, e, slow);
      }
      finish(vr, d, bytes);
      commit(cpu, ctx);
    };
  }
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      if (!binLaneH(fast, ctx, vr, d * 8 + e, n * 8 + e, m * 8 + e)) slowBinary(ctx, f, vr, d, n, m, e, slow);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** {@link accLoop} for FMLA (`negN` false) and FMLS (Vn negated) with the lane fast paths, as fastBinaryLoop. */
export function fastAccLoop(f: FpFormat, q: number, negN: boolean, slow: Acc): Handler {
  const { count, bytes } = lanesOf(f, q);
  if (f.n === 64) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const n = rn(insn);
      const m = rm(insn);
      const ctx = begin(cpu);
      for (let e = 0; e < count; e++) {
        const i = d * 2 + e;
        if (!fmaLaneD(ctx, vr, i, i, n * 2 + e, m * 2 + e, false, negN)) slowAcc(ctx, f, vr, d, n, m, e, slow);
      }
      finish(vr, d, bytes);
      commit(cpu, ctx);
    };
  }
  if (f.n === 32) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      const n = rn(insn);
      const m = rm(insn);
      const ctx = begin(cpu);
      for (let e = 0; e < count; e++) {
        const i = d * 4 + e;
        if (!fmaLaneS(ctx, vr, i, i, n * 4 + e, m * 4 + e, false, negN)) slowAcc(ctx, f, vr, d, n, m, e, slow);
      }
      finish(vr, d, bytes);
      commit(cpu, ctx);
    };
  }
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const i = d * 8 + e;
      if (!fmaLaneH(ctx, vr, i, i, n * 8 + e, m * 8 + e, false, negN)) slowAcc(ctx, f, vr, d, n, m, e, slow);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/**
 * The vector pairwise forms (FADDP, FMAXP, ...): the concatenation Vm:Vn's adjacent pairs, result lane e =
 * op(pair e's low lane, its high lane); built in the scratch register, then copied to Vd.
 */
export function pairwiseLoop(f: FpFormat, q: number, op: Bin): Handler {
  const { count, bytes } = lanesOf(f, q);
  const half = count >> 1;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) {
      const src = e < half ? n : m;
      const k = 2 * (e < half ? e : e - half);
      const lo = op(ctx, f, laneHi(vr, f, src, k), laneLo(vr, f, src, k), laneHi(vr, f, src, k + 1),
        laneLo(vr, f, src, k + 1));
      setLane(TMP, f, 0, e, lo, ctx.hi);
    }
    commitTmp(vr, rd(insn), 0, 0, bytes, true);
    commit(cpu, ctx);
  };
}

/** Scalar pairwise (FADDP Sd, Vn.2S, ...): Vd = op(Vn[0], Vn[1]), the rest of Vd cleared. */
export function scalarPairwise(f: FpFormat, op: Bin): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const d = rd(insn);
    const ctx = begin(cpu);
    const lo = op(ctx, f, laneHi(vr, f, n, 0), laneLo(vr, f, n, 0), laneHi(vr, f, n, 1), laneLo(vr, f, n, 1));
    setLane(vr, f, d, 0, lo, ctx.hi);
    finish(vr, d, f.n >> 3);
    commit(cpu, ctx);
  };
}

/**
 * Across lanes (FMAXV, ...): the Arm ARM's Reduce, which halves the vector recursively, so lanes combine as a tree:
 * op(op(e0, e1), op(e2, e3)) for four lanes, op(op(op(e0, e1), op(e2, e3)), op(op(e4, e5), op(e6, e7))) for eight.
 * Half and single precision only (hi = 0): lanes are reduced in the scratch register.
 */
export function reduceLoop(f: FpFormat, q: number, op: Bin): Handler {
  const { count } = lanesOf(f, q);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const d = rd(insn);
    const ctx = begin(cpu);
    for (let e = 0; e < count; e++) setLane(TMP, f, 1, e, laneLo(vr, f, n, e), 0);
    for (let width = count; width > 1; width >>= 1) {
      for (let e = 0; e < width >> 1; e++) {
        setLane(TMP, f, 1, e, op(ctx, f, 0, laneLo(TMP, f, 1, 2 * e), 0, laneLo(TMP, f, 1, 2 * e + 1)), 0);
      }
    }
    setLane(vr, f, d, 0, laneLo(TMP, f, 1, 0), 0);
    finish(vr, d, f.n >> 3);
    commit(cpu, ctx);
  };
}

/**
 * An encoding pattern (decode.ts) from the fixed bits `value` under `mask` (every other bit is a don't-care 'x'), so
 * rows can be built from numeric fields: `pattern(0x0e20_c400 | q << 30, 0xbfe0_fc00)`.
 */
export function pattern(value: number, mask: number): string {
  let s = '';
  for (let b = 31; b >= 0; b--) s += ((mask >>> b) & 1) === 0 ? 'x' : String((value >>> b) & 1);
  return s;
}
