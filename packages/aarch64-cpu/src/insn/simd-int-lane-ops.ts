/**
 * Element operations shared by the AdvSIMD integer classes: the per-lane arithmetic of the three-same, shift and
 * two-register forms, for Number lanes (8, 16, 32 bits) and BigInt lanes (64 bits). Each factory takes the element
 * size and whether the operands are unsigned, and returns the lane function its handler calls; the handler reads the
 * lanes with the matching view (simd-int-common.ts `lanes`), so `a`, `b` and `d` arrive already sign- or
 * zero-extended.
 */
import { POW2, sat, sat64, satS, satS64, satU, satU64, sext8 } from './simd-int-common.js';

/** A lane operation: operands a (Vn), b (Vm), d (Vd before, for accumulating forms). */
export type NumOp = (a: number, b: number, d: number) => number;
export type BigOp = (a: bigint, b: bigint, d: bigint) => bigint;

/** 2^n, 0 <= n <= 128. */
const pow2 = (n: number): number => POW2[n]!;

/**
 * a shifted by a signed count `sh` (left when positive, right when negative), rounding right shifts when `round`,
 * saturating left shifts when `saturate` (to the signedness of the operands). The Arm ARM's SSHL family, on an exact
 * integer: shifts by any amount (the low byte of Vm, -128..127) are exact in a double or go to 0 / -1 / saturate.
 */
export function shiftNum(a: number, sh: number, size: number, unsigned: boolean, round: boolean, saturate: boolean): number {
  if (sh >= 0) {
    const v = a * pow2(sh);
    return saturate ? sat(v, size, unsigned) : v;
  }
  const r = round ? pow2(-sh - 1) : 0;
  return Math.floor((a + r) / pow2(-sh));
}

/** {@link shiftNum} for 64-bit lanes. */
export function shiftBig(a: bigint, sh: number, unsigned: boolean, round: boolean, saturate: boolean): bigint {
  if (sh >= 0) {
    if (sh > 64) return saturate ? sat64(a === 0n ? 0n : a * (1n << 65n), unsigned) : 0n;
    const v = a << BigInt(sh);
    return saturate ? sat64(v, unsigned) : v;
  }
  const s = -sh > 65 ? 65n : BigInt(-sh);
  const r = round ? 1n << (s - 1n) : 0n;
  return (a + r) >> s;
}

/** The three-same integer operations by name, for Number lanes. */
export const NUM3: Record<string, (size: number, u: boolean) => NumOp> = {
  hadd: () => (a, b) => Math.floor((a + b) / 2),
  rhadd: () => (a, b) => Math.floor((a + b + 1) / 2),
  hsub: () => (a, b) => Math.floor((a - b) / 2),
  qadd: (s, u) => (u ? (a, b) => satU(a + b, s) : (a, b) => satS(a + b, s)),
  qsub: (s, u) => (u ? (a, b) => satU(a - b, s) : (a, b) => satS(a - b, s)),
  cmgt: () => (a, b) => (a > b ? -1 : 0),
  cmge: () => (a, b) => (a >= b ? -1 : 0),
  cmeq: () => (a, b) => (a === b ? -1 : 0),
  cmtst: () => (a, b) => ((a & b) !== 0 ? -1 : 0),
  shl: (s, u) => (a, b) => shiftNum(a, sext8(b), s, u, false, false),
  qshl: (s, u) => (a, b) => shiftNum(a, sext8(b), s, u, false, true),
  rshl: (s, u) => (a, b) => shiftNum(a, sext8(b), s, u, true, false),
  qrshl: (s, u) => (a, b) => shiftNum(a, sext8(b), s, u, true, true),
  max: () => (a, b) => (a > b ? a : b),
  min: () => (a, b) => (a < b ? a : b),
  abd: () => (a, b) => Math.abs(a - b),
  aba: () => (a, b, d) => d + Math.abs(a - b),
  add: () => (a, b) => a + b,
  sub: () => (a, b) => a - b,
  mla: () => (a, b, d) => d + Math.imul(a, b),
  mls: () => (a, b, d) => d - Math.imul(a, b),
  mul: () => (a, b) => Math.imul(a, b),
  pmul: () => (a, b) => {
    let r = 0;
    for (let i = 0; i < 8; i++) if (((b >> i) & 1) !== 0) r ^= a << i;
    return r;
  },
};

/** The three-same operations allowed on 64-bit lanes. */
export const BIG3: Record<string, (u: boolean) => BigOp> = {
  qadd: (u) => (a, b) => sat64(a + b, u),
  qsub: (u) => (a, b) => sat64(a - b, u),
  cmgt: () => (a, b) => (a > b ? -1n : 0n),
  cmge: () => (a, b) => (a >= b ? -1n : 0n),
  cmeq: () => (a, b) => (a === b ? -1n : 0n),
  cmtst: () => (a, b) => ((a & b) !== 0n ? -1n : 0n),
  shl: (u) => (a, b) => shiftBig(a, sext8(Number(b & 0xffn)), u, false, false),
  qshl: (u) => (a, b) => shiftBig(a, sext8(Number(b & 0xffn)), u, false, true),
  rshl: (u) => (a, b) => shiftBig(a, sext8(Number(b & 0xffn)), u, true, false),
  qrshl: (u) => (a, b) => shiftBig(a, sext8(Number(b & 0xffn)), u, true, true),
  add: () => (a, b) => a + b,
  sub: () => (a, b) => a - b,
};

/** Saturating accumulate of the other signedness (SUQADD: signed d + unsigned a; USQADD: unsigned d + signed a). */
export function accumulateOther(a: number, d: number, size: number, unsignedD: boolean): number {
  return unsignedD ? satU(d + a, size) : satS(d + a, size);
}

/** SQABS / SQNEG / ABS / NEG of 64-bit lanes. */
export const absNeg64 = (a: bigint, neg: boolean, saturate: boolean): bigint => {
  const v = neg ? -a : a < 0n ? -a : a;
  return saturate ? satS64(v) : v;
};

/** USQADD / SUQADD on 64-bit lanes (a and d in the views of their own signedness). */
export const accumulateOther64 = (a: bigint, d: bigint, unsignedD: boolean): bigint =>
  unsignedD ? satU64(d + a) : satS64(d + a);
