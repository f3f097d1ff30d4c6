/**
 * Hand-written cases of the AdvSIMD floating-point instructions whose behaviour is easy to get wrong (the bulk of
 * the checking is simd-fp-vectors.test.ts, against QEMU): pairwise and reduction order, 16-bit saturation, the
 * BFloat16 dot product's round-to-odd and flushing, FMLAL's single rounding, round-to-odd narrowing, the unsigned
 * estimates, complex rotation, and reserved encodings.
 */
import { describe, expect, it } from 'vitest';
import { expectUndef } from '../testing/insn-harness.js';
import { runOracleCase } from '../testing/simd-harness.js';

/** Lanes (lane 0 first) of `bits` bits each as a register's 32 hex digits (most significant first). */
function reg(bits: number, lanes: readonly number[]): string {
  const digits = bits / 4;
  return lanes.map((l) => (l >>> 0).toString(16).padStart(digits, '0')).reverse().join('').padStart(32, '0');
}

const IOC = 1;
const IXC = 16;

/** Run `word` with V0-V2 and return V0 and FPSR. */
function run(word: number, v: string[], fpcr = 0): { v0: string; fpsr: number } {
  const r = runOracleCase({ word, v, fpcr });
  expect(r.undef).toBeUndefined();
  return { v0: r.v![0]!, fpsr: r.fpsr! };
}

describe('AdvSIMD FP: hand-written cases', () => {
  it('FADDP takes adjacent pairs of Vn then of Vm', () => {
    // faddp v0.4s, v1.4s, v2.4s: [1, 2, 3, 4], [10, 20, 30, 40] -> [3, 7, 30, 70]
    const r = run(0x6e22d420, ['0', reg(32, [0x3f800000, 0x40000000, 0x40400000, 0x40800000]),
      reg(32, [0x41200000, 0x41a00000, 0x41f00000, 0x42200000])]);
    expect(r.v0).toBe(reg(32, [0x40400000, 0x40e00000, 0x41f00000, 0x428c0000]));
  });

  it('FMAXV reduces as a tree of pairs (Reduce), which decides which NaN survives', () => {
    // fmaxv s0, v1.4s on [1.0, qNaN:1, sNaN:2, 2.0]: max(max(1, qNaN1), max(sNaN2, 2)) = max(qNaN1, qNaN2) = qNaN1
    // (a left-to-right fold would meet the signalling NaN last and return qNaN2).
    const r = run(0x6e30f820, ['0', reg(32, [0x3f800000, 0x7fc00001, 0x7f800002, 0x40000000])]);
    expect(r.v0).toBe(reg(32, [0x7fc00001]));
    expect(r.fpsr).toBe(IOC);
  });

  it('FCVTZS on half lanes saturates to 16 bits with IOC', () => {
    // fcvtzs v0.4h, v1.4h: [65504, -65504, 1.5, -0] -> [0x7fff, 0x8000, 1, 0]
    const r = run(0x0ef9b820, ['0', reg(16, [0x7bff, 0xfbff, 0x3e00, 0x8000])]);
    expect(r.v0).toBe(reg(16, [0x7fff, 0x8000, 1, 0]));
    expect(r.fpsr).toBe(IOC | IXC);
    // fcvtzs h0, h1, #6: 1000.5 * 64 = 64032 does not fit: 0x7fff, IOC only (the value is exact).
    expect(run(0x5f1afc20, ['0', reg(16, [0x63d1])])).toEqual({ v0: reg(16, [0x7fff]), fpsr: IOC });
  });

  it('BFDOT rounds to odd, flushes denormals and raises no flags, whatever FPCR says', () => {
    // bfdot v0.2s, v1.4h, v2.4h: lane 0 = 1.0 + (1.0 * 2^-24 + 1.0 * denormal) = 1 + 2^-24 rounded to odd;
    // lane 1 = -0 + (0 * 0 + 0 * 0) = +0. Under round-to-nearest lane 0 would be 1.0, with IXC.
    for (const fpcr of [0, 1 << 22, 3 << 22, 1 << 25]) {
      const r = run(0x2e42fc20, [reg(32, [0x3f800000, 0x80000000]), reg(16, [0x3f80, 0x3f80]), reg(16, [0x3380, 0x0001])],
        fpcr);
      expect(r).toEqual({ v0: reg(32, [0x3f800001, 0]), fpsr: 0 });
    }
  });

  it('FMLAL widens the half lanes exactly and rounds once, to single precision', () => {
    // fmlal v0.2s, v1.2h, v2.2h: 1.0 + (1 + 2^-10)^2 = 2 + 2^-9 + 2^-20, exact in single; inf * 0 = default NaN.
    const r = run(0x0e22ec20, [reg(32, [0x3f800000, 0]), reg(16, [0x3c01, 0x7c00]), reg(16, [0x3c01, 0])]);
    expect(r.v0).toBe(reg(32, [0x40002004, 0x7fc00000]));
    expect(r.fpsr).toBe(IOC);
  });

  it('FCVTXN rounds to odd', () => {
    // fcvtxn s0, d1: 1 + 2^-30 -> 1 + 2^-23 (the odd neighbour), inexact.
    const r = run(0x7e616820, ['0', '00000000000000003ff0000004000000']);
    expect(r).toEqual({ v0: reg(32, [0x3f800001]), fpsr: IXC });
  });

  it('URECPE: all ones below 0.5, else the 9-bit estimate', () => {
    // urecpe v0.2s, v1.2s: 0x80000000 (0.5) -> 511 << 23; 0x7fffffff -> all ones.
    expect(run(0x0ea1c820, ['0', reg(32, [0x8000_0000, 0x7fff_ffff])]).v0).toBe(reg(32, [0xff80_0000, 0xffff_ffff]));
  });

  it('FCMLA #90 multiplies the imaginary lane of Vn by Vm rotated', () => {
    // fcmla v0.4s, v1.4s, v2.4s, #90: (1 + 2i), (3 + 4i): re += 2 * -4, im += 2 * 3.
    const r = run(0x6e82cc20, ['0', reg(32, [0x3f800000, 0x40000000]), reg(32, [0x40400000, 0x40800000])]);
    expect(r.v0).toBe(reg(32, [0xc1000000, 0x40c00000, 0, 0]));
  });

  it('reserved sizes are UNDEFINED', () => {
    expectUndef(0x0e62d420); // fadd v0.1d (sz = 1, Q = 0)
    expectUndef(0x2e216820); // fcvtxn with sz = 0
    expectUndef(0x4fe29020); // fmul v0.2d, v1.2d, v2.d[0] with L = 1
    expectUndef(0x6e30f820 | (1 << 22)); // fmaxv with sz = 1
    expectUndef(0x2e02fc20); // three same extra size 00, opcode 1111 (BF16 needs size 01 or 11)
  });
});
