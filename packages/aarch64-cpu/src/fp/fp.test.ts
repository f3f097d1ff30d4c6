/**
 * The FP library: the native fast paths against the exact path (randomized differential), and hand-written cases
 * of the Arm ARM's rules that differ from a plain IEEE 754 implementation.
 */
import { describe, expect, it } from 'vitest';
import { rng } from '../testing/rng.js';
import { addGeneric, divGeneric, mulAddGeneric, mulGeneric, sqrtGeneric } from './arith.js';
import { NO_FAST, addD, addS, divD, divS, fmaD, fmaS, mulD, mulS, sqrtD, sqrtS } from './fast.js';
import {
  D, FPCR_AHP, FPCR_DN, FPCR_FZ, FPCR_FZ16, FpCtx, H, IDC, IOC, IXC, OFC, Rounding, S, UFC, fpAdd, fpCompare,
  fpConvert, fpMul, fpMulAdd, fpRoundIntN, fpToFixed, fpToFixedJS,
} from './index.js';
import { recipSqrtEstimate } from './estimate.js';
import { Unpacked, unpack } from './unpack.js';

const ctx = new FpCtx();
/** Run `f` with FPCR = fpcr; [result bits as hex (hi:lo for doubles), flags]. */
function run(fpcr: number, f: () => number, wide = false): [string, number] {
  ctx.fpcr = fpcr;
  ctx.flags = 0;
  const lo = f();
  const hex = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
  return [wide ? hex(ctx.hi) + hex(lo) : (lo >>> 0).toString(16), ctx.flags];
}

describe('fast paths agree with the exact path', () => {
  const next = rng(0x5eed_f00d);
  /** Random operands biased towards the fast path's window, with some edge exponents. */
  const single = (): number => {
    const r = next();
    const e = (next() & 7) === 0 ? next() & 0xff : 127 + ((next() % 60) - 30);
    return ((r & 0x807f_ffff) | (e << 23)) >>> 0;
  };
  const dbl = (): [number, number] => {
    const e = (next() & 7) === 0 ? next() & 0x7ff : 1023 + ((next() % 120) - 60);
    return [((next() & 0x800f_ffff) | (e << 20)) >>> 0, next()];
  };
  const a = new Unpacked();
  const b = new Unpacked();
  const c = new Unpacked();
  type Pair = [string, number];
  /** Compare fast (when it applies) with exact; count the fast ones. */
  function check(fast: () => number, exact: () => number, wide: boolean, what: string, fails: string[]): boolean {
    let fastLo = 0;
    const [fr, ff] = run(0, () => (fastLo = fast()), wide);
    if (fastLo === NO_FAST) return false;
    const [er, ef]: Pair = run(0, exact, wide);
    if (fr !== er || ff !== ef) fails.push(`${what}: fast ${fr}/${ff} exact ${er}/${ef}`);
    return true;
  }
  it('single precision add, sub, mul, div, sqrt', () => {
    const fails: string[] = [];
    let fast = 0;
    for (let i = 0; i < 20000; i++) {
      const x = single();
      const y = (next() & 3) === 0 ? (x + (next() % 5) - 2) ^ 0x8000_0000 : single();
      const what = `${x.toString(16)} ${y.toString(16)}`;
      const ua = (): Unpacked => unpack(ctx, S, 0, x, a);
      const ub = (): Unpacked => unpack(ctx, S, 0, y, b);
      if (check(() => addS(ctx, x, y, false), () => addGeneric(ctx, S, ua(), ub(), false, 0), false, `add ${what}`, fails)) fast++;
      if (check(() => addS(ctx, x, y, true), () => addGeneric(ctx, S, ua(), ub(), true, 0), false, `sub ${what}`, fails)) fast++;
      if (check(() => mulS(ctx, x, y), () => mulGeneric(ctx, S, ua(), ub(), false, 0), false, `mul ${what}`, fails)) fast++;
      if (check(() => divS(ctx, x, y), () => divGeneric(ctx, S, ua(), ub(), 0), false, `div ${what}`, fails)) fast++;
      if (check(() => sqrtS(ctx, x), () => sqrtGeneric(ctx, S, ua(), 0), false, `sqrt ${what}`, fails)) fast++;
    }
    expect(fails.slice(0, 10)).toEqual([]);
    expect(fast).toBeGreaterThan(50000);
  });
  it('double precision add, sub, mul, div, sqrt', () => {
    const fails: string[] = [];
    let fast = 0;
    for (let i = 0; i < 20000; i++) {
      const [xh, xl] = dbl();
      let [yh, yl] = dbl();
      if ((next() & 3) === 0) {
        yh = (xh ^ 0x8000_0000) >>> 0;
        yl = (xl + (next() % 5) - 2) >>> 0;
      }
      const what = `${xh.toString(16)}:${xl.toString(16)} ${yh.toString(16)}:${yl.toString(16)}`;
      const ua = (): Unpacked => unpack(ctx, D, xh, xl, a);
      const ub = (): Unpacked => unpack(ctx, D, yh, yl, b);
      if (check(() => addD(ctx, xh, xl, yh, yl, false), () => addGeneric(ctx, D, ua(), ub(), false, 0), true, `add ${what}`, fails)) fast++;
      if (check(() => addD(ctx, xh, xl, yh, yl, true), () => addGeneric(ctx, D, ua(), ub(), true, 0), true, `sub ${what}`, fails)) fast++;
      if (check(() => mulD(ctx, xh, xl, yh, yl), () => mulGeneric(ctx, D, ua(), ub(), false, 0), true, `mul ${what}`, fails)) fast++;
      if (check(() => divD(ctx, xh, xl, yh, yl), () => divGeneric(ctx, D, ua(), ub(), 0), true, `div ${what}`, fails)) fast++;
      if (check(() => sqrtD(ctx, xh, xl), () => sqrtGeneric(ctx, D, ua(), 0), true, `sqrt ${what}`, fails)) fast++;
    }
    expect(fails.slice(0, 10)).toEqual([]);
    expect(fast).toBeGreaterThan(50000);
  });
  it('fused multiply-add, single and double, with cancelling addends', () => {
    const fails: string[] = [];
    let fast = 0;
    for (let i = 0; i < 30000; i++) {
      // Single: the addend is sometimes minus the rounded product (plus a few ulps), to cancel.
      const x = single();
      const y = single();
      ctx.fpcr = 0;
      let z = (next() & 1) === 0 ? single() : (fpMul(ctx, S, 0, x, 0, y) ^ 0x8000_0000) + (next() % 5) - 2;
      z >>>= 0;
      const us = (v: number, u: Unpacked): Unpacked => unpack(ctx, S, 0, v, u);
      if (check(() => fmaS(ctx, z, x, y), () => mulAddGeneric(ctx, S, us(z, c), us(x, a), us(y, b), 0), false,
        `fmadd ${z.toString(16)} ${x.toString(16)} ${y.toString(16)}`, fails)) fast++;
      const [xh, xl] = dbl();
      const [yh, yl] = dbl();
      let [zh, zl] = dbl();
      if ((next() & 1) === 1) {
        ctx.fpcr = 0;
        zl = (fpMul(ctx, D, xh, xl, yh, yl) + (next() % 5) - 2) >>> 0;
        zh = (ctx.hi ^ 0x8000_0000) >>> 0;
      }
      const ud = (h: number, l: number, u: Unpacked): Unpacked => unpack(ctx, D, h, l, u);
      if (check(() => fmaD(ctx, zh, zl, xh, xl, yh, yl), () => mulAddGeneric(ctx, D, ud(zh, zl, c), ud(xh, xl, a), ud(yh, yl, b), 0), true,
        `fmadd ${zh.toString(16)}:${zl.toString(16)} ${xh.toString(16)}:${xl.toString(16)} ${yh.toString(16)}:${yl.toString(16)}`, fails)) fast++;
    }
    expect(fails.slice(0, 10)).toEqual([]);
    expect(fast).toBeGreaterThan(30000);
  });
});

describe('Arm ARM rules', () => {
  it('RecipSqrtEstimate equals the Arm ARM\'s search loop for every input', () => {
    for (let a0 = 128; a0 < 512; a0++) {
      const a = a0 < 256 ? a0 * 2 + 1 : (((a0 >> 1) << 1) + 1) * 2;
      let b = 512;
      while (a * (b + 1) * (b + 1) < 2 ** 28) b++;
      expect(recipSqrtEstimate(a0), `a = ${a0}`).toBe((b + 1) >> 1);
    }
  });
  it('underflow: tininess before rounding, UFC only when inexact', () => {
    // 2^-126 * (1 - 2^-24): tiny before rounding, rounds up to the smallest normal: UFC and IXC.
    expect(run(0, () => fpMul(ctx, S, 0, 0x0080_0000, 0, 0x3f7f_ffff))).toEqual(['800000', UFC | IXC]);
    // An exact denormal result raises nothing.
    expect(run(0, () => fpMul(ctx, S, 0, 0x0080_0000, 0, 0x3f00_0000))).toEqual(['400000', 0]);
    // FZ flushes a tiny result to +0 with UFC alone.
    expect(run(FPCR_FZ, () => fpMul(ctx, S, 0, 0x0080_0000, 0, 0x3f00_0000))).toEqual(['0', UFC]);
  });
  it('input flushing: IDC for single and double under FZ, nothing for half under FZ16', () => {
    expect(run(FPCR_FZ, () => fpAdd(ctx, S, 0, 1, 0, 0x3f80_0000))).toEqual(['3f800000', IDC]);
    expect(run(FPCR_FZ16, () => fpAdd(ctx, H, 0, 1, 0, 0x3c00))).toEqual(['3c00', 0]);
    expect(run(FPCR_FZ16, () => fpAdd(ctx, H, 0, 0x0200, 0, 0x0200))).toEqual(['0', 0]);
  });
  it('NaN propagation order, quieting and default NaN', () => {
    // Signalling NaNs first, then quiet ones, each operand in order.
    expect(run(0, () => fpAdd(ctx, S, 0, 0x7fc0_0001, 0, 0xff80_0002))).toEqual(['ffc00002', IOC]);
    expect(run(FPCR_DN, () => fpAdd(ctx, S, 0, 0x7fc0_0001, 0, 0x3f80_0000))).toEqual(['7fc00000', 0]);
    // FMADD: addend first; a quiet NaN addend with infinity times zero is the default NaN and IOC.
    expect(run(0, () => fpMulAdd(ctx, S, 0, 0x7fc0_0003, 0, 0x7f80_0000, 0, 0))).toEqual(['7fc00000', IOC]);
    expect(run(0, () => fpMulAdd(ctx, S, 0, 0x7fc0_0003, 0, 0x7f80_0001, 0, 0))).toEqual(['7fc00001', IOC]);
  });
  it('fused multiply-add rounds once, where rounding the sum twice would land on a tie', () => {
    // (1 + 2^-23) + 2^-24 (1 + 2^-18) (1 - 2^-18): just below the tie between 1 + 2^-23 and 1 + 2^-22.
    expect(run(0, () => fpMulAdd(ctx, S, 0, 0x3f80_0001, 0, 0x3380_0020, 0, 0x3f7f_ffc0))).toEqual(['3f800001', IXC]);
    // (1 + 2^-52) + 2^-53 (1 + 2^-30) (1 - 2^-30): the same in double precision.
    expect(run(0, () => fpMulAdd(ctx, D, 0x3ff0_0000, 1, 0x3ca0_0000, 0x0040_0000, 0x3fef_ffff, 0xff80_0000), true))
      .toEqual(['3ff0000000000001', IXC]);
  });
  it('round to odd (FCVTXN) and alternative half precision', () => {
    expect(run(0, () => fpConvert(ctx, D, S, 0x3ff0_0000, 0x0400_0000, Rounding.Odd))).toEqual(['3f800001', IXC]);
    expect(run(0, () => fpConvert(ctx, S, H, 0, 0x4780_0000, 0))).toEqual(['7c00', OFC | IXC]); // 65536: IEEE overflow
    expect(run(FPCR_AHP, () => fpConvert(ctx, S, H, 0, 0x4780_0000, 0))).toEqual(['7c00', 0]); // AHP: 2^16
    expect(run(FPCR_AHP, () => fpConvert(ctx, S, H, 0, 0x7f80_0000, 0))).toEqual(['7fff', IOC]); // infinity
  });
  it('overflow under round towards zero gives the largest normal', () => {
    expect(run(3 << 22, () => fpMul(ctx, S, 0, 0x7f00_0000, 0, 0x4000_0000))).toEqual(['7f7fffff', OFC | IXC]);
  });
  it('conversions to integers saturate with IOC and no IXC', () => {
    expect(run(0, () => fpToFixed(ctx, D, 0x43e0_0000, 0, 0, false, Rounding.Zero, 64), true)).toEqual(['7fffffffffffffff', IOC]);
    expect(run(0, () => fpToFixed(ctx, S, 0, 0xbf00_0000, 0, true, Rounding.Zero, 32))).toEqual(['0', IXC]); // -0.5 -> 0
    expect(run(0, () => fpToFixed(ctx, S, 0, 0xbf40_0000, 0, true, Rounding.TieEven, 32))).toEqual(['0', IOC]); // -0.75 -> -1
    expect(run(0, () => fpRoundIntN(ctx, S, 0, 0x4f00_0000, Rounding.Zero, 32))).toEqual(['cf000000', IOC]); // 2^31
  });
  it('FJCVTZS: modulo 2^32, Z only when exact', () => {
    expect(run(0, () => fpToFixedJS(ctx, 0x41f0_0000, 0x0050_0000))).toEqual(['5', IOC]); // 2^32 + 5
    expect(ctx.hi).toBe(0);
    expect(run(0, () => fpToFixedJS(ctx, 0x8000_0000, 0))).toEqual(['0', 0]); // -0.0
    expect(ctx.hi).toBe(0);
    expect(run(0, () => fpToFixedJS(ctx, 0xc000_0000, 0))).toEqual(['fffffffe', 0]); // -2.0
    expect(ctx.hi).toBe(1);
  });
  it('FCMPE signals on quiet NaNs, FCMP only on signalling ones', () => {
    expect(run(0, () => fpCompare(ctx, S, 0, 0x7fc0_0000, 0, 0, false))).toEqual(['3', 0]);
    expect(run(0, () => fpCompare(ctx, S, 0, 0x7fc0_0000, 0, 0, true))).toEqual(['3', IOC]);
    expect(run(0, () => fpCompare(ctx, S, 0, 0x7f80_0001, 0, 0, false))).toEqual(['3', IOC]);
    expect(run(0, () => fpCompare(ctx, S, 0, 0x8000_0000, 0, 0, false))).toEqual(['6', 0]); // -0 == +0
  });
});
