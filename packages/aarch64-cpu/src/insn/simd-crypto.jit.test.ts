/**
 * The cryptographic rows in both backends: a loop of every crypto instruction (with Vd also a source), run
 * interpreted and as translated blocks that turn WebAssembly once hot (jit.ts, wasm-jit/tier.ts), must leave the
 * same V registers.
 */
import { describe, expect, it } from 'vitest';
import { runLoop } from '../testing/block-loop.js';

/**
 * mov x9, #1000 (enough runs for the loop to turn WebAssembly: wasm-jit/tier.ts HOT_RUNS); loop: aese v0, v1;
 * aesmc v0, v0; sha256h q2, q3, v3; sha256h2 q2, q3, v3; sha512h q5, q6, v7; sha512h2 q5, q6, v7;
 * sha512su1 v5, v6, v7; sha512su0 v5, v6; xar v8, v0, v2, #7; eor3 v1, v2, v3, v4; bcax v9, v2, v3, v4;
 * rax1 v10, v3, v7; sha1c q1, s2, v3; sha1h s2, s3; sha1su0 v3, v4, v3; sha1su1 v4, v5;
 * sha256su0 v2, v3; sha256su1 v3, v4, v3; aesd v1, v2; aesimc v1, v1; sha1p q11, s1, v2; sha1m q12, s11, v9;
 * subs x9, x9, #1; b.ne loop; then b . (where the run stops)
 */
const PROGRAM = [
  0xd2807d09,
  0x4e284820, 0x4e286800, 0x5e034062, 0x5e035062, 0xce6780c5, 0xce6784c5, 0xce6788c5, 0xcec080c5, 0xce821c08,
  0xce031041, 0xce231049, 0xce678c6a, 0x5e030041, 0x5e280862, 0x5e033083, 0x5e2818a4, 0x5e282862, 0x5e036083,
  0x4e285841, 0x4e287821, 0x5e02102b, 0x5e09216c,
  0xf1000529, 0x54fffd21,
  0x14000000, // b . (the end)
];


function state(blocks: boolean): { state: string; wasmBlocks: number } {
  const { cpu, wasmBlocks } = runLoop(PROGRAM, blocks, (c) => {
    for (let i = 0; i < 512; i++) c.vr.u8[i] = (i * 131 + 7) & 0xff;
  });
  expect(cpu.x[9]).toBe(0n);
  return { state: Buffer.from(cpu.vr.u8).toString('hex'), wasmBlocks };
}

describe('crypto instructions in both backends', () => {
  it('translated blocks (WebAssembly once hot) leave the V registers the interpreter leaves', () => {
    const interpreted = state(false);
    const translated = state(true);
    expect(translated.wasmBlocks).toBeGreaterThan(0);
    expect(translated.state).toBe(interpreted.state);
  });
});
