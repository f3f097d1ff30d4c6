/**
 * The scalar FP rows in both backends: a loop of FP arithmetic, compares feeding conditional branches and selects,
 * conversions and FMOVs, run interpreted and as translated blocks (jit.ts), must leave the same state.
 */
import { describe, expect, it } from 'vitest';
import { runLoop } from '../testing/block-loop.js';

/**
 * loop (300 times; the block turns WebAssembly after wasm-jit/tier.ts HOT_RUNS): fadd d0, d0, d1; fmul d2, d0, d1; fmadd d3, d2, d1, d0; fcmp d3, d0; b.gt; add; fcsel d4;
 * fcvtzs x3, d3; scvtf s5, x3; fjcvtzs w4, d3; cset x5, eq; add; frintx s6, s5; fsqrt d7, d3; fdiv d7, d7, d0;
 * fcmpe s5, s6; csinc; fccmp d7, d1, #4, ne; cinc x6, x6, mi; fmov x7, d7; fcvt h5, d7; fmov w8, h5; subs; b.ne;
 * then b . (where the run stops)
 */
const PROGRAM = [
  0xd2802589, 0x1e6e1000, 0x1e6c1001, 0xd2800002, 0xd2800006, 0x1e612800, 0x1e610802, 0x1f410043, 0x1e602060,
  0x5400004c, 0x91000442, 0x1e62ac64, 0x9e780063, 0x9e220065, 0x1e7e0064, 0x9a9f17e5, 0x8b050042, 0x1e2740a6,
  0x1e61c067, 0x1e6018e7, 0x1e2620b0, 0x9a8614c6, 0x1e6114e4, 0x9a8654c6, 0x9e6600e7, 0x1e63c0e5, 0x1ee600a8,
  0xf1000529, 0x54fffd21,
  0x14000000, // b . (the end)
];


function state(blocks: boolean): string {
  const { cpu } = runLoop(PROGRAM, blocks, (c) => { c.fpcr = 1 << 24; }); // FZ, to exercise FPCR reads
  const regs = [...cpu.x.slice(0, 10)].map((v) => v.toString(16));
  const vs = [...cpu.vr.u64.slice(0, 16)].map((v) => v.toString(16));
  return [...regs, ...vs, cpu.nzcv.toString(16), cpu.fpsr.toString(16)].join(' ');
}

describe('scalar FP in both backends', () => {
  it('translated blocks leave the state the interpreter leaves', () => {
    const interpreted = state(false);
    expect(state(true)).toBe(interpreted);
    // The loop really ran: 300 iterations counted down, FP compares counted in x2 and x6, flags raised.
    expect(interpreted.split(' ')[9]).toBe('0');
    expect(interpreted.split(' ')[2]).not.toBe('0');
    expect(interpreted.split(' ').at(-1)).not.toBe('0');
  });
});
