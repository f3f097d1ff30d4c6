/**
 * The AdvSIMD FP rows in both backends: a loop of vector and scalar AdvSIMD FP instructions (arithmetic, by element,
 * pairwise, across lanes, fixed-point and integer conversions, compares, rounding, narrowing and widening, FMLAL,
 * BFDOT, FCMLA, FP16, estimates), run interpreted and as translated blocks (jit.ts), must leave the same state.
 */
import { describe, expect, it } from 'vitest';
import { runLoop } from '../testing/block-loop.js';

/**
 * mov x9, #300; loop: fadd v0.4s, v0.4s, v1.4s; fmla v2.4s, v0.4s, v1.s[1]; faddp v3.4s, v2.4s, v0.4s;
 * fmaxnmv s4, v3.4s; fcvtzs v5.4s, v3.4s, #4; scvtf v6.2d, v5.2d; fmul v6.2d, v6.2d, v1.2d; fcmge v7.4s, v2.4s,
 * v0.4s; frintx v16.4s, v2.4s; fcvtn v17.4h, v2.4s; fcvtl2 v18.2d, v2.4s; fmlal v19.4s, v17.4h, v17.4h;
 * bfdot v20.4s, v17.8h, v1.8h; fcmla v21.4s, v2.4s, v1.4s, #90; fadd v22.8h, v17.8h, v17.8h; frecpe v23.2d, v6.2d;
 * fabd s24, s2, s4; subs x9, x9, #1; b.ne loop; b .
 */
const PROGRAM = [
  0xd2802589, 0x4e21d400, 0x4fa11002, 0x6e20d443, 0x6e30c864, 0x4f3cfc65, 0x4e61d8a6, 0x6e61dcc6, 0x6e20e447,
  0x6e219850, 0x0e216851, 0x4e617852, 0x4e31ee33, 0x6e41fe34, 0x6e81cc55, 0x4e511636, 0x4ee1d8d7, 0x7ea4d458,
  0xf1000529, 0x54fffdc1,
  0x14000000, // b . (the end)
];


function state(blocks: boolean): string {
  const { cpu } = runLoop(PROGRAM, blocks, (c) => {
    c.vr.f32.set([0.5, -1.25, 3, 1e-3], 4); // V1.4S
    c.fpcr = 2 << 22; // round towards minus infinity, to exercise FPCR reads
  });
  const vs = [...cpu.vr.u64.slice(0, 50)].map((v) => v.toString(16));
  return [cpu.x[9]!.toString(16), ...vs, cpu.fpsr.toString(16)].join(' ');
}

describe('AdvSIMD FP in both backends', () => {
  it('translated blocks leave the state the interpreter leaves', () => {
    const interpreted = state(false);
    expect(state(true)).toBe(interpreted);
    // The loop ran to the end and computed something: V0 grew, flags were raised.
    const parts = interpreted.split(' ');
    expect(parts[0]).toBe('0');
    expect(parts[1]).not.toBe('0');
    expect(parts.at(-1)).not.toBe('0');
  });
});
