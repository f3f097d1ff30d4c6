/**
 * The lane fast paths (lanes.ts) against the exact library: random operands (biased towards the fast paths'
 * windows, with zeros, denormals, infinities, NaNs, cancelling pairs and, for half precision, results near the
 * overflow and underflow thresholds) under several FPCR values. Whenever a fast path accepts a lane, its result bits
 * and flags must be the exact path's; it must decline without writing or raising anything; and it must accept most
 * ordinary lanes (else the hot instructions would silently be slow).
 */
import { describe, expect, it } from 'vitest';
import { vregsOver } from '../fpsimd/vregs.js';
import { rng } from '../testing/rng.js';
import {
  D, type FpFormat, FPCR_DN, FPCR_FZ, FPCR_FZ16, FpCtx, H, S, fpAdd, fpCompareEQ, fpCompareGE, fpCompareGT, fpDiv,
  fpMax, fpMaxNum, fpMin, fpMinNum, fpMul, fpMulAdd, fpNeg, fpSub,
} from './index.js';
import { binLaneD, binLaneH, binLaneS, fmaLaneD, fmaLaneH, fmaLaneS, halfValue, LaneOp } from './lanes.js';

const next = rng(0x1a2e_5eed);
const ctx = new FpCtx();
const vr = vregsOver(new ArrayBuffer(512), 0);

/** A random operand of `bits` bits: mostly normal and moderate, sometimes any encoding or a special value. */
function operand(bits: number): number {
  const k = next() & 15;
  if (bits === 16) {
    if (k === 0) return next() & 0xffff; // anything: denormals, infinities, NaNs
    if (k === 1) return (next() & 0x8000) | (next() & 1 ? 0 : 0x7c00); // zero or infinity
    if (k === 2) return (next() & 0x83ff) | ((next() & 1 ? 1 : 30) << 10); // extreme exponents
    return (next() & 0x83ff) | ((8 + (next() % 14)) << 10);
  }
  if (bits === 32) {
    if (k === 0) return next() >>> 0;
    if (k === 1) return ((next() & 0x8000_0000) | (next() & 1 ? 0 : 0x7f80_0000)) >>> 0;
    if (k === 2) return ((next() & 0x807f_ffff) | ((next() & 1 ? next() & 3 : 254 - (next() & 3)) << 23)) >>> 0;
    return ((next() & 0x807f_ffff) | ((127 + (next() % 60) - 30) << 23)) >>> 0;
  }
  // Doubles: the high word (the low word is drawn separately).
  if (k === 0) return next() >>> 0;
  if (k === 1) return ((next() & 0x8000_0000) | (next() & 1 ? 0 : 0x7ff0_0000)) >>> 0;
  if (k === 2) return ((next() & 0x800f_ffff) | ((next() & 1 ? next() & 3 : 2046 - (next() & 3)) << 20)) >>> 0;
  return ((next() & 0x800f_ffff) | ((1023 + (next() % 120) - 60) << 20)) >>> 0;
}

/** Lane `i` (0..2) of the format's view set to random bits; sometimes minus lane 0 plus a few ulps (to cancel). */
function fill(f: FpFormat): void {
  for (let i = 0; i < 3; i++) {
    if (f.n === 64) {
      vr.u32[2 * i + 1] = operand(64);
      vr.u32[2 * i] = next() & 1 ? next() : next() & 0xffff_0000;
    } else if (f.n === 32) {
      vr.u32[i] = operand(32);
    } else {
      vr.u16[i] = operand(16);
    }
  }
  if ((next() & 3) === 0) {
    if (f.n === 64) {
      vr.u32[3] = (vr.u32[1]! ^ 0x8000_0000) >>> 0;
      vr.u32[2] = (vr.u32[0]! + (next() % 5) - 2) >>> 0;
    } else if (f.n === 32) {
      vr.u32[1] = ((vr.u32[0]! ^ 0x8000_0000) + (next() % 5) - 2) >>> 0;
    } else {
      vr.u16[1] = ((vr.u16[0]! ^ 0x8000) + (next() % 5) - 2) & 0xffff;
    }
  }
}

/** Lane i's bits as (hi, lo). */
function bitsOf(f: FpFormat, i: number): [number, number] {
  if (f.n === 64) return [vr.u32[2 * i + 1]!, vr.u32[2 * i]!];
  return [0, f.n === 32 ? vr.u32[i]! : vr.u16[i]!];
}

const hex = (f: FpFormat, hi: number, lo: number): string =>
  (f.n === 64 ? (hi >>> 0).toString(16).padStart(8, '0') : '') + (lo >>> 0).toString(16).padStart(f.n === 16 ? 4 : 8, '0');

type Exact = (f: FpFormat, a: [number, number], b: [number, number]) => number;
const mask = (f: FpFormat, t: boolean): number => {
  ctx.hi = t && f.n === 64 ? 0xffff_ffff : 0;
  return t ? (f.n === 16 ? 0xffff : 0xffff_ffff) : 0;
};
const abs = (f: FpFormat, [hi, lo]: [number, number]): [number, number] =>
  f.n === 64 ? [hi & 0x7fff_ffff, lo] : [0, lo & (f.n === 32 ? 0x7fff_ffff : 0x7fff)];

/** The exact library's version of each lane operation (max/min: FMAX and FMAXNM must both agree). */
const EXACT: [LaneOp, string, Exact[]][] = [
  [LaneOp.Add, 'add', [(f, a, b) => fpAdd(ctx, f, a[0], a[1], b[0], b[1])]],
  [LaneOp.Sub, 'sub', [(f, a, b) => fpSub(ctx, f, a[0], a[1], b[0], b[1])]],
  [LaneOp.Mul, 'mul', [(f, a, b) => fpMul(ctx, f, a[0], a[1], b[0], b[1])]],
  [LaneOp.Div, 'div', [(f, a, b) => fpDiv(ctx, f, a[0], a[1], b[0], b[1])]],
  [LaneOp.NMul, 'nmul', [(f, a, b) => {
    const lo = fpMul(ctx, f, a[0], a[1], b[0], b[1]);
    return fpNeg(ctx, f, ctx.hi, lo);
  }]],
  [LaneOp.Abd, 'abd', [(f, a, b) => {
    const lo = fpSub(ctx, f, a[0], a[1], b[0], b[1]);
    const [hi, l] = abs(f, [ctx.hi, lo]);
    ctx.hi = hi;
    return l;
  }]],
  [LaneOp.Max, 'max', [(f, a, b) => fpMax(ctx, f, a[0], a[1], b[0], b[1]), (f, a, b) => fpMaxNum(ctx, f, a[0], a[1], b[0], b[1])]],
  [LaneOp.Min, 'min', [(f, a, b) => fpMin(ctx, f, a[0], a[1], b[0], b[1]), (f, a, b) => fpMinNum(ctx, f, a[0], a[1], b[0], b[1])]],
  [LaneOp.CmEq, 'cmeq', [(f, a, b) => mask(f, fpCompareEQ(ctx, f, a[0], a[1], b[0], b[1]))]],
  [LaneOp.CmGe, 'cmge', [(f, a, b) => mask(f, fpCompareGE(ctx, f, a[0], a[1], b[0], b[1]))]],
  [LaneOp.CmGt, 'cmgt', [(f, a, b) => mask(f, fpCompareGT(ctx, f, a[0], a[1], b[0], b[1]))]],
  [LaneOp.AcGe, 'acge', [(f, a, b) => { const x = abs(f, a); const y = abs(f, b); return mask(f, fpCompareGE(ctx, f, x[0], x[1], y[0], y[1])); }]],
  [LaneOp.AcGt, 'acgt', [(f, a, b) => { const x = abs(f, a); const y = abs(f, b); return mask(f, fpCompareGT(ctx, f, x[0], x[1], y[0], y[1])); }]],
];

const FPCRS = [0, 0, 0, FPCR_FZ | FPCR_FZ16, FPCR_DN, 1 << 22, 3 << 22];
const FORMATS: [FpFormat, typeof binLaneD, typeof fmaLaneD][] = [[D, binLaneD, fmaLaneD], [S, binLaneS, fmaLaneS], [H, binLaneH, fmaLaneH]];

describe('lane fast paths agree with the exact library', () => {
  for (const [f, bin, fma] of FORMATS) {
    it(`${f.n}-bit two-operand operations`, () => {
      const fails: string[] = [];
      let fast = 0;
      let tries = 0;
      for (let i = 0; i < 6000; i++) {
        fill(f);
        const fpcr = FPCRS[next() % FPCRS.length]!;
        const a = bitsOf(f, 0);
        const b = bitsOf(f, 1);
        for (const [op, name, exacts] of EXACT) {
          const before = bitsOf(f, 2);
          ctx.fpcr = fpcr;
          ctx.flags = 0;
          tries++;
          const took = bin(op, ctx, vr, 2, 0, 1);
          const [rhi, rlo] = bitsOf(f, 2);
          const flags = ctx.flags;
          // Put lane 2 back for the next operation.
          if (f.n === 64) [vr.u32[5], vr.u32[4]] = before;
          else if (f.n === 32) vr.u32[2] = before[1];
          else vr.u16[2] = before[1];
          const what = `${name} ${hex(f, ...a)} ${hex(f, ...b)} fpcr ${fpcr.toString(16)}`;
          if (!took) {
            if (rhi !== before[0] || rlo !== before[1] || flags !== 0) fails.push(`${what}: declined but wrote or raised`);
            continue;
          }
          fast++;
          for (const exact of exacts) {
            ctx.fpcr = fpcr;
            ctx.flags = 0;
            const lo = exact(f, a, b);
            const want = `${hex(f, f.n === 64 ? ctx.hi : 0, lo)}/${ctx.flags}`;
            const got = `${hex(f, rhi, rlo)}/${flags}`;
            if (got !== want) fails.push(`${what}: fast ${got} exact ${want}`);
          }
        }
      }
      expect(fails.slice(0, 10)).toEqual([]);
      expect(fast / tries).toBeGreaterThan(0.5);
    });

    it(`${f.n}-bit fused multiply-add (FMLA, FMLS, FMADD family)`, () => {
      const fails: string[] = [];
      let fast = 0;
      const neg = (x: [number, number], on: boolean): [number, number] =>
        !on ? x : f.n === 64 ? [(x[0] ^ 0x8000_0000) >>> 0, x[1]] : [0, (x[1] ^ (f.n === 32 ? 0x8000_0000 : 0x8000)) >>> 0];
      for (let i = 0; i < 12000; i++) {
        fill(f);
        const fpcr = FPCRS[next() % FPCRS.length]!;
        const negC = (next() & 1) === 1;
        const negA = (next() & 1) === 1;
        // Lane 2 is the addend; half the time minus the product (plus a few ulps), to cancel.
        ctx.fpcr = 0;
        if ((next() & 1) === 0) {
          const [ahi, alo] = bitsOf(f, 0);
          const [bhi, blo] = bitsOf(f, 1);
          const lo = fpMul(ctx, f, ahi, alo, bhi, blo);
          const p = neg(neg([ctx.hi, lo], true), negA !== negC);
          if (f.n === 64) [vr.u32[5], vr.u32[4]] = [p[0], (p[1] + (next() % 5) - 2) >>> 0];
          else if (f.n === 32) vr.u32[2] = (p[1] + (next() % 5) - 2) >>> 0;
          else vr.u16[2] = (p[1] + (next() % 5) - 2) & 0xffff;
        }
        const a = bitsOf(f, 0);
        const b = bitsOf(f, 1);
        const c = bitsOf(f, 2);
        ctx.fpcr = fpcr;
        ctx.flags = 0;
        const took = fma(ctx, vr, 3, 2, 0, 1, negC, negA);
        const r = bitsOf(f, 3);
        const flags = ctx.flags;
        const what = `fma ${hex(f, ...c)}${negC ? '(-)' : ''} ${hex(f, ...a)}${negA ? '(-)' : ''} ${hex(f, ...b)} fpcr ${fpcr.toString(16)}`;
        if (!took) {
          if (flags !== 0) fails.push(`${what}: declined but raised`);
          continue;
        }
        fast++;
        const nc = neg(c, negC);
        const na = neg(a, negA);
        ctx.fpcr = fpcr;
        ctx.flags = 0;
        const lo = fpMulAdd(ctx, f, nc[0], nc[1], na[0], na[1], b[0], b[1]);
        const want = `${hex(f, f.n === 64 ? ctx.hi : 0, lo)}/${ctx.flags}`;
        const got = `${hex(f, ...r)}/${flags}`;
        if (got !== want) fails.push(`${what}: fast ${got} exact ${want}`);
      }
      expect(fails.slice(0, 10)).toEqual([]);
      expect(fast).toBeGreaterThan(3000);
    });
  }

  it('half fused multiply-add: a product far below the addend raises IXC', () => {
    // 32768 + 2^-14 * 2^-14 rounds to 32768: exact in float64, inexact in half precision.
    vr.u16[0] = 0x0400;
    vr.u16[1] = 0x0400;
    vr.u16[2] = 0x7800;
    ctx.fpcr = 0;
    ctx.flags = 0;
    expect(fmaLaneH(ctx, vr, 3, 2, 0, 1, false, false)).toBe(true);
    expect([vr.u16[3], ctx.flags]).toEqual([0x7800, 16]);
    ctx.flags = 0;
    expect(fpMulAdd(ctx, H, 0, 0x7800, 0, 0x0400, 0, 0x0400)).toBe(0x7800);
    expect(ctx.flags).toBe(16);
  });

  it('half values: every zero and normal exactly, NaN for the rest', () => {
    for (let h = 0; h < 0x10000; h++) {
      const e = (h >>> 10) & 31;
      const v = halfValue(h);
      if ((e === 0 && (h & 0x3ff) !== 0) || e === 31) expect(v, h.toString(16)).toBeNaN();
      else if (e === 0) expect(Object.is(v, h & 0x8000 ? -0 : 0)).toBe(true);
      else expect(v).toBe((h & 0x8000 ? -1 : 1) * (1 + (h & 0x3ff) / 1024) * 2 ** (e - 15));
    }
  });
});
