/**
 * Lane-level fast paths: an operation on lanes of the SIMD&FP register file, read and written through its float
 * views (`vr.f64[i]`, `vr.f32[i]`) or, for half precision, its 16-bit view, with no trip through raw 32-bit halves.
 * Lanes are indices into the view of the lane's size (`2 * reg + e` for doubles, `4 * reg + e` singles, `8 * reg + e`
 * halves). Each function does the whole operation and returns true, or does nothing (no write, no flag) and returns
 * false, and then the caller runs the exact library (fp/index.ts) on the lane's bits.
 *
 * When a fast path applies (fast.ts has the arithmetic and its proofs):
 * - arithmetic (add, sub, mul, div, FABD, fused multiply-add): FPCR.RMode = RN and every operand zero or normal inside
 *   fast.ts's windows, and the result normal inside them. Reading such a lane as a float is exact, and writing a
 *   normal (or zero) float back gives exactly its encoding: no NaN payload can be lost since none is involved. IXC,
 *   the only flag, comes from the error-free transforms.
 * - max/min (FMAX, FMIN, FMAXNM, FMINNM: the same without NaNs) and the compares: no NaN and no denormal operand
 *   (a denormal may be flushed, raising IDC), any rounding mode. They raise nothing.
 * - half precision: operands are exact doubles; sums, differences and products of two halves are exact in float64,
 *   a quotient is rounded once to float64 (harmless: 53 >= 2 * 11 + 2), and so is a fused sum, harmlessly too (see
 *   fmaLaneH); then {@link roundToHalf} rounds once to a normal half.
 *
 * Hot path: called per lane by the monomorphic loops of insn/simd-fp-lanes.ts and the scalar handlers; the `op`
 * switch is on a constant of the calling closure. No allocation.
 */
import type { VRegs } from '../fpsimd/vregs.js';
import type { FpCtx } from './ctx.js';
import {
  addVD, addVS, divVD, divVS, fmaVD, fmaVS, isDOperand, isSOperand, mulVD, mulVS, productIs,
} from './fast.js';
import { FPCR_RMODE_SHIFT, IXC } from './format.js';

/** The two-operand lane operations (`LaneOp`); MAX/MIN stand for FMAXNM/FMINNM too (they differ only on NaNs). */
export const enum LaneOp {
  Add = 0, Sub = 1, Mul = 2, Div = 3, Abd = 4, NMul = 5,
  // No rounding from here on.
  Max = 8, Min = 9, CmEq = 10, CmGe = 11, CmGt = 12, AcGe = 13, AcGt = 14,
}

const RMODE_MASK = 3 << FPCR_RMODE_SHIFT;
const MIN_NORMAL_D = 2 ** -1022;
const MIN_NORMAL_S = 2 ** -126;

/** Zero, normal or infinite (not NaN, not denormal): what max, min and the compares take. */
const plainD = (x: number): boolean => Math.abs(x) >= MIN_NORMAL_D || x === 0;
const plainS = (x: number): boolean => Math.abs(x) >= MIN_NORMAL_S || x === 0;

/** The result of a compare or max/min on plain values (op >= LaneOp.Max): a mask (0 or -1) or the chosen value. */
function noRound(op: LaneOp, x: number, y: number): number {
  switch (op) {
    case LaneOp.Max: return Math.max(x, y); // Math.max(-0, +0) = +0, as FPMax
    case LaneOp.Min: return Math.min(x, y);
    case LaneOp.CmEq: return x === y ? -1 : 0;
    case LaneOp.CmGe: return x >= y ? -1 : 0;
    case LaneOp.CmGt: return x > y ? -1 : 0;
    case LaneOp.AcGe: return Math.abs(x) >= Math.abs(y) ? -1 : 0;
    default: return Math.abs(x) > Math.abs(y) ? -1 : 0; // AcGt
  }
}

/** Double lanes: f64[d] = op(f64[a], f64[b]), or false. */
export function binLaneD(op: LaneOp, ctx: FpCtx, vr: VRegs, d: number, a: number, b: number): boolean {
  const f64 = vr.f64;
  const x = f64[a]!;
  const y = f64[b]!;
  if (op >= LaneOp.Max) {
    if (!plainD(x) || !plainD(y)) return false;
    const r = noRound(op, x, y);
    if (op <= LaneOp.Min) f64[d] = r;
    else vr.u32[2 * d] = vr.u32[2 * d + 1] = r;
    return true;
  }
  if ((ctx.fpcr & RMODE_MASK) !== 0 || !isDOperand(x) || !isDOperand(y)) return false;
  let r: number;
  switch (op) {
    case LaneOp.Add: r = addVD(ctx, x, y); break;
    case LaneOp.Sub: r = addVD(ctx, x, -y); break;
    case LaneOp.Mul: r = mulVD(ctx, x, y); break;
    case LaneOp.Div: r = divVD(ctx, x, y); break;
    case LaneOp.NMul: r = -mulVD(ctx, x, y); break;
    default: r = Math.abs(addVD(ctx, x, -y)); // Abd
  }
  if (r !== r) return false;
  f64[d] = r;
  return true;
}

/** Single lanes: f32[d] = op(f32[a], f32[b]), or false. */
export function binLaneS(op: LaneOp, ctx: FpCtx, vr: VRegs, d: number, a: number, b: number): boolean {
  const f32 = vr.f32;
  const x = f32[a]!;
  const y = f32[b]!;
  if (op >= LaneOp.Max) {
    if (!plainS(x) || !plainS(y)) return false;
    const r = noRound(op, x, y);
    if (op <= LaneOp.Min) f32[d] = r;
    else vr.u32[d] = r;
    return true;
  }
  if ((ctx.fpcr & RMODE_MASK) !== 0 || !isSOperand(x) || !isSOperand(y)) return false;
  let r: number;
  switch (op) {
    case LaneOp.Add: r = addVS(ctx, x, y); break;
    case LaneOp.Sub: r = addVS(ctx, x, -y); break;
    case LaneOp.Mul: r = mulVS(ctx, x, y); break;
    case LaneOp.Div: r = divVS(ctx, x, y); break;
    case LaneOp.NMul: r = -mulVS(ctx, x, y); break;
    default: r = Math.abs(addVS(ctx, x, -y)); // Abd
  }
  if (r !== r) return false;
  f32[d] = r;
  return true;
}

/** Double lanes: f64[d] = (negC ? -c : c) + (negA ? -a : a) * b, fused (FMLA, FMLS, FMADD family), or false. */
export function fmaLaneD(
  ctx: FpCtx, vr: VRegs, d: number, c: number, a: number, b: number, negC: boolean, negA: boolean,
): boolean {
  if ((ctx.fpcr & RMODE_MASK) !== 0) return false;
  const f64 = vr.f64;
  const z = f64[c]!;
  const x = f64[a]!;
  const r = fmaVD(ctx, negC ? -z : z, negA ? -x : x, f64[b]!);
  if (r !== r) return false;
  f64[d] = r;
  return true;
}

/** Single lanes: as {@link fmaLaneD}. */
export function fmaLaneS(
  ctx: FpCtx, vr: VRegs, d: number, c: number, a: number, b: number, negC: boolean, negA: boolean,
): boolean {
  if ((ctx.fpcr & RMODE_MASK) !== 0) return false;
  const f32 = vr.f32;
  const z = f32[c]!;
  const x = f32[a]!;
  const y = f32[b]!;
  if (!isSOperand(z) || !isSOperand(x) || !isSOperand(y)) return false;
  const r = fmaVS(ctx, negC ? -z : z, negA ? -x : x, y);
  if (r !== r) return false;
  f32[d] = r;
  return true;
}

// ---- half precision

/** 2^(e - 25) for a half's biased exponent e: a normal half is (1024 + fraction) * HALF_SCALE[e]. */
const HALF_SCALE = new Float64Array(32).map((_, e) => 2 ** (e - 25));

/** The value of a zero or normal half, else NaN (denormals, infinities, NaNs). */
export function halfValue(h: number): number {
  const e = (h >>> 10) & 31;
  if (e === 0 || e === 31) return (h & 0x7fff) === 0 ? ((h & 0x8000) === 0 ? 0 : -0) : NaN;
  const v = (1024 + (h & 0x3ff)) * HALF_SCALE[e]!;
  return (h & 0x8000) === 0 ? v : -v;
}

/**
 * x rounded to nearest-even half precision, when the result is a normal half (or x is zero): its bits, with IXC
 * raised when `inexact` or the rounding was; else -1 and no flag. x must be exact, or sticky (never on a half
 * rounding boundary unless exactly so), or a correct rounding of a +, -, *, / or sqrt result (no double rounding:
 * 53 >= 2 * 11 + 2).
 */
export function roundToHalf(ctx: FpCtx, x: number, inexact: boolean): number {
  const f64 = ctx.f64;
  f64[0] = x;
  const hi = ctx.u64w[1]!;
  const lo = ctx.u64w[0]!;
  const sign = (hi >>> 16) & 0x8000;
  if (x === 0) {
    if (inexact) ctx.flags |= IXC;
    return sign;
  }
  const e = ((hi >>> 20) & 0x7ff) - 1023 + 15;
  if (e < 1 || e > 30) return -1;
  let m = (e << 10) | ((hi >>> 10) & 0x3ff);
  const half = (hi >>> 9) & 1;
  const sticky = (hi & 0x1ff) | lo;
  if (half !== 0 && (sticky !== 0 || (m & 1) !== 0)) m++; // a carry out of the fraction bumps the exponent
  if (m >= 0x7c00) return -1; // overflow
  if (inexact || half !== 0 || sticky !== 0) ctx.flags |= IXC;
  return sign | m;
}

/** Half lanes: u16[d] = op(u16[a], u16[b]), or false. */
export function binLaneH(op: LaneOp, ctx: FpCtx, vr: VRegs, d: number, a: number, b: number): boolean {
  const u16 = vr.u16;
  const ha = u16[a]!;
  const hb = u16[b]!;
  const x = halfValue(ha);
  const y = halfValue(hb);
  if (x !== x || y !== y) return false;
  if (op >= LaneOp.Max) {
    if (op <= LaneOp.Min) {
      // Equal values have equal bits except ±0: max takes +0 (the signs ANDed), min -0.
      const max = op === LaneOp.Max;
      u16[d] = x === y ? (max ? ha & hb : ha | hb) : (x > y) === max ? ha : hb;
    } else {
      u16[d] = noRound(op, x, y);
    }
    return true;
  }
  if ((ctx.fpcr & RMODE_MASK) !== 0) return false;
  let r: number;
  switch (op) {
    case LaneOp.Add: r = roundToHalf(ctx, x + y, false); break; // exact in float64, as are - and *
    case LaneOp.Sub: r = roundToHalf(ctx, x - y, false); break;
    case LaneOp.Mul: r = roundToHalf(ctx, x * y, false); break;
    case LaneOp.Div: {
      if (x === 0 || y === 0) return false;
      const q = x / y;
      r = roundToHalf(ctx, q, !productIs(q, y, x));
      break;
    }
    case LaneOp.NMul: r = roundToHalf(ctx, -(x * y), false); break;
    default: r = roundToHalf(ctx, x - y, false);
      if (r >= 0) r &= 0x7fff; // Abd
  }
  if (r < 0) return false;
  u16[d] = r;
  return true;
}

/** Half lanes: as {@link fmaLaneD}. */
export function fmaLaneH(
  ctx: FpCtx, vr: VRegs, d: number, c: number, a: number, b: number, negC: boolean, negA: boolean,
): boolean {
  if ((ctx.fpcr & RMODE_MASK) !== 0) return false;
  const u16 = vr.u16;
  const z = halfValue(u16[c]!);
  const x = halfValue(u16[a]!);
  const y = halfValue(u16[b]!);
  if (z !== z || x !== x || y !== y || z === 0 || x === 0 || y === 0) return false;
  const p = (negA ? -x : x) * y; // exact: 22 significant bits
  const s = (negC ? -z : z) + p;
  if (s === 0) return false;
  // When s is inexact (the operands' exponents far apart), it is neither a half nor a midpoint between two, and
  // has bits below a half's precision: its rounding to half and IXC are the exact sum's. (The addend dominating:
  // s - z would be a multiple of the grid of halves and midpoints, larger than |p| < 2^(ez - 31), so s = z and
  // |p| <= ulp(s) / 2 <= 2^-38, below the least product of normal halves, 2^-28. The product dominating: |p| >= 2^29,
  // which overflows.)
  const r = roundToHalf(ctx, s, false);
  if (r < 0) return false;
  u16[d] = r;
  return true;
}
