/**
 * Hand-written cases of the AdvSIMD integer instructions where the arithmetic is easy to get wrong; the bulk of the
 * coverage is the QEMU vectors (simd-int-vectors.test.ts). Words from aarch64-linux-gnu-as.
 */
import { describe, expect, it } from 'vitest';
import type { Cpu } from '../cpu.js';
import { Ec, Stop } from '../exits.js';
import { readQ, writeQ } from '../fpsimd/vregs.js';
import { SysReg } from '../sysregs.js';
import { runProgram } from '../testing/flat-memory.js';
import { BASE, VBAR } from '../testing/insn-harness.js';
import { FPSR_QC } from './simd-int-common.js';

const FPEN_ON = 3n << 20n;

/** Run `word` with V registers set (`[lo, hi]` 64-bit halves) and SIMD&FP enabled unless `cpacr` says otherwise. */
function run(word: number, v: Record<number, [bigint, bigint]>, cpacr = FPEN_ON): Cpu {
  const { cpu, stop } = runProgram([word], (c) => {
    c.sys[SysReg.VBAR_EL1] = VBAR;
    c.sys[SysReg.CPACR_EL1] = cpacr;
    for (const [r, [lo, hi]] of Object.entries(v)) writeQ(c.vr, Number(r), lo, hi);
  }, 1);
  expect(stop).toBe(Stop.Budget);
  return cpu;
}

const ec = (cpu: Cpu): number => Number(cpu.sys[SysReg.ESR_EL1]! >> 26n);

describe('AdvSIMD integer, hand-written cases', () => {
  it('SQXTN saturates a negative halfword to the signed byte minimum and sets FPSR.QC', () => {
    // sqxtn v0.8b, v1.8h: lanes -32768, 200, -1, 127 (then zeros)
    const cpu = run(0x0e214820, { 0: [-1n, -1n], 1: [0x007f_ffff_00c8_8000n, 0n] });
    expect(cpu.pc).toBe(BASE + 4n);
    const lanes = [...new Int8Array(cpu.v.buffer, cpu.v.byteOffset, 8)];
    expect(lanes.slice(0, 4)).toEqual([-128, 127, -1, 127]);
    expect(readQ(cpu.vr, 0).hi).toBe(0n); // the 64-bit form clears the upper half
    expect(cpu.fpsr & FPSR_QC).toBe(FPSR_QC);
  });

  it('SQRDMULH of 32-bit lanes: the exact rounded doubling high half, and -2^31 * -2^31 saturates', () => {
    // sqrdmulh v0.4s, v1.4s, v2.4s: lane 0 = 0x7fffffff * 0x7fffffff, lane 1 = min * min, lane 2 = 3 * -5
    const cpu = run(0x6ea2b420, {
      1: [0x8000_0000_7fff_ffffn, 0x0000_0003n],
      2: [0x8000_0000_7fff_ffffn, 0xffff_fffbn],
    });
    const s = cpu.vr.i32;
    // (2 * (2^31-1)^2 + 2^31) >> 32 = 2^31 - 2 (needs all 62 bits of the product)
    expect([s[0], s[1], s[2], s[3]]).toEqual([0x7fff_fffe, 0x7fff_ffff, 0, 0]);
    expect(cpu.fpsr & FPSR_QC).toBe(FPSR_QC);
  });

  it('SQRDMLAH (by element) accumulates before rounding: ((0x4000 << 16) + 2 * 0x4000 * 0x4000 + 0x8000) >> 16', () => {
    // sqrdmlah v0.8h, v1.8h, v2.h[7]
    const cpu = run(0x6f72d820, { 0: [0x4000n, 0n], 1: [0x4000n, 0n], 2: [0n, 0x4000n << 48n] });
    expect(cpu.vr.i16[0]).toBe(0x6000);
    expect(cpu.fpsr & FPSR_QC).toBe(0);
  });

  it('a reserved size/Q (ADD .1D) is UNDEFINED before the SIMD&FP access check; ADD .2D traps', () => {
    const undef = run(0x0ee28420, {}, 0n);
    expect(undef.pc).toBe(VBAR + 0x200n);
    expect(ec(undef)).toBe(Ec.Unknown);
    const trapped = run(0x4ee28420, {}, 0n);
    expect(ec(trapped)).toBe(Ec.FpAccess);
  });

  it('USHL (scalar) by a negative count shifts right; by 64 or more gives 0', () => {
    // ushl d0, d1, d2
    expect(run(0x7ee24420, { 1: [0x8000_0000_0000_0000n, 0n], 2: [0xffn, 0n] }).vr.u64[0]).toBe(0x4000_0000_0000_0000n);
    expect(run(0x7ee24420, { 1: [1n, 0n], 2: [64n, 0n] }).vr.u64[0]).toBe(0n);
    expect(run(0x7ee24420, { 1: [1n, 0n], 2: [63n, 7n] }).vr.u64.slice(0, 2)).toEqual(new BigUint64Array([1n << 63n, 0n]));
  });

  it('TBL with a two-register table wraps from V31 to V0', () => {
    // tbl v0.16b, {v31.16b, v0.16b}, v1.16b: indices 0, 15, 16, 31, 32 (out of range)
    const cpu = run(0x4e0123e0, {
      31: [0x0706_0504_0302_0100n, 0x0f0e_0d0c_0b0a_0908n],
      0: [0x1716_1514_1312_1110n, 0x1f1e_1d1c_1b1a_1918n],
      1: [0x20_1f_10_0f_00n, 0n],
    });
    expect([...cpu.v.subarray(0, 6)]).toEqual([0x00, 0x0f, 0x10, 0x1f, 0x00, 0x00]);
  });

  it('FMOV (vector, immediate) of a double and PMULL2 of 64-bit lanes', () => {
    expect(readQ(run(0x6f07f700, {}).vr, 0)).toEqual({ lo: 0xbff8_0000_0000_0000n, hi: 0xbff8_0000_0000_0000n });
    // pmull2 v0.1q, v1.2d, v2.2d: (x^63 + 1) * (x^63 + x) = x^126 + x^64 + x^63 + x
    const cpu = run(0x4ee2e020, { 1: [0n, (1n << 63n) | 1n], 2: [0n, (1n << 63n) | 2n] });
    expect(readQ(cpu.vr, 0)).toEqual({ lo: (1n << 63n) | 2n, hi: (1n << 62n) | 1n });
  });
});
