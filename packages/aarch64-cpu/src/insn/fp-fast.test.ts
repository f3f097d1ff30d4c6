/**
 * The fast handlers of the hot FP instructions (fp-fast.ts, the fast loops of simd-fp-lanes.ts and
 * simd-fp-by-element.ts) where they could differ from the exact ones: register aliasing, clearing the rest of a
 * scalar destination, mixed fast and declined lanes, and conversions at the edge of the fast range. (The bulk of the
 * checking is the QEMU vectors and fp/lanes.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { runOracleCase } from '../testing/simd-harness.js';

/** Lanes (lane 0 first) of `bits` bits each as a register's 32 hex digits (most significant first). */
function reg(bits: number, lanes: readonly number[]): string {
  const digits = bits / 4;
  return lanes.map((l) => (l >>> 0).toString(16).padStart(digits, '0')).reverse().join('').padStart(32, '0');
}
const d = (x: number): [number, number] => {
  const v = new DataView(new ArrayBuffer(8));
  v.setFloat64(0, x, true);
  return [v.getUint32(0, true), v.getUint32(4, true)];
};
const f = (x: number): number => {
  const v = new DataView(new ArrayBuffer(4));
  v.setFloat32(0, x, true);
  return v.getUint32(0, true);
};
const IOC = 1;
const IXC = 16;

function run(word: number, v: string[], fpcr = 0, x: bigint[] = []): { v: readonly string[]; x: readonly string[]; fpsr: number; nzcv: number } {
  const r = runOracleCase({ word, v, fpcr, x });
  expect(r.undef).toBeUndefined();
  return { v: r.v!, x: r.x!, fpsr: r.fpsr!, nzcv: r.nzcv! };
}

describe('fast FP handlers', () => {
  it('FMLA by element with Vd = Vm uses the element as it was before the instruction', () => {
    // fmla v1.4s, v2.4s, v1.s[0]: [1, 2, 3, 4] + [1, 1, 1, 1] * 1 = [2, 3, 4, 5] (not [2, 4, 5, 6]).
    const r = run(0x4f811041, ['0', reg(32, [1, 2, 3, 4].map(f)), reg(32, [1, 1, 1, 1].map(f))]);
    expect(r.v[1]).toBe(reg(32, [2, 3, 4, 5].map(f)));
    // fmla v1.2d, v2.2d, v1.d[0]: [1.5, 2] + [2, 2] * 1.5 = [4.5, 5].
    const r2 = run(0x4fc11041, ['0', reg(32, [...d(1.5), ...d(2)]), reg(32, [...d(2), ...d(2)])]);
    expect(r2.v[1]).toBe(reg(32, [...d(4.5), ...d(5)]));
  });

  it('scalar results clear the rest of the register; a declined lane falls back with its flags', () => {
    // fnmul d0, d1, d2: -(3 * 0.5) = -1.5, V0's upper half cleared.
    const r = run(0x1e628820, ['ffffffffffffffffffffffffffffffff', reg(32, [...d(3), 7, 7]), reg(32, [...d(0.5)])]);
    expect(r.v[0]).toBe(reg(32, [...d(-1.5), 0, 0]));
    expect(r.fpsr).toBe(0);
    // fadd v0.8h, v1.8h, v2.8h: normal lanes (fast), a signalling NaN (exact: IOC, quieted), an overflow and an
    // inexact sum: 1 + 2^-11 rounds to even (1.0), 1 + 3 * 2^-11 rounds up.
    const r2 = run(0x4e421420, ['0', reg(16, [0x3c00, 0x7c01, 0x7bff, 0x3c00, 0x3c00, 0xc000, 0, 0x8000]),
      reg(16, [0x3c00, 0x3c00, 0x7bff, 0x1000, 0x1600, 0x4000, 0x8000, 0x8000])]);
    expect(r2.v[0]).toBe(reg(16, [0x4000, 0x7e01, 0x7c00, 0x3c00, 0x3c02, 0, 0, 0x8000]));
    expect(r2.fpsr).toBe(IOC | IXC | 4); // OFC from the overflowing lane
  });

  it('FCVTZS to W: truncation, IXC, and saturation through the exact path', () => {
    const x = [0n];
    expect(run(0x1e780020, ['0', reg(32, [...d(-2.75)])], 0, x)).toMatchObject({ fpsr: IXC });
    expect(run(0x1e780020, ['0', reg(32, [...d(-2.75)])], 0, x).x[0]).toBe('00000000fffffffe');
    expect(run(0x1e780020, ['0', reg(32, [...d(2 ** 31)])], 0, x)).toMatchObject({ fpsr: IOC });
    expect(run(0x1e780020, ['0', reg(32, [...d(2 ** 31)])], 0, x).x[0]).toBe('000000007fffffff');
  });

  it('FCMPE: ordered operands set NZCV without flags, a denormal under FZ takes the exact path (IDC)', () => {
    expect(run(0x1e222030, ['0', reg(32, [f(1)]), reg(32, [f(2)])])).toMatchObject({ nzcv: 8, fpsr: 0 });
    expect(run(0x1e222030, ['0', reg(32, [f(-0)]), reg(32, [f(0)])])).toMatchObject({ nzcv: 6, fpsr: 0 });
    // 1 (denormal) flushed to zero under FZ: equal to +0, IDC.
    expect(run(0x1e222030, ['0', reg(32, [1]), reg(32, [0])], 1 << 24)).toMatchObject({ nzcv: 6, fpsr: 128 });
  });
});
