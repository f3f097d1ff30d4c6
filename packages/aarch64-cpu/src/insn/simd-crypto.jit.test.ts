/**
 * The cryptographic rows in both backends: a loop of every crypto instruction (with Vd also a source), run
 * interpreted and as translated blocks that turn WebAssembly once hot (jit.ts, wasm-jit/tier.ts), must leave the
 * same V registers.
 */
import { describe, expect, it } from 'vitest';
import type { CodePage } from '../code-cache.js';
import { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { FlatMemory } from '../testing/flat-memory.js';

/**
 * mov x9, #300; loop: aese v0, v1; aesmc v0, v0; sha256h q2, q3, v3; sha256h2 q2, q3, v3; sha512h q5, q6, v7;
 * sha512h2 q5, q6, v7; sha512su1 v5, v6, v7; sha512su0 v5, v6; xar v8, v0, v2, #7; eor3 v1, v2, v3, v4;
 * bcax v9, v2, v3, v4; rax1 v10, v3, v7; sha1c q1, s2, v3; sha1h s2, s3; sha1su0 v3, v4, v3; sha1su1 v4, v5;
 * sha256su0 v2, v3; sha256su1 v3, v4, v3; aesd v1, v2; aesimc v1, v1; sha1p q11, s1, v2; sha1m q12, s11, v9;
 * subs x9, x9, #1; b.ne loop; then b . (where the run stops)
 */
const PROGRAM = [
  0xd2802589,
  0x4e284820, 0x4e286800, 0x5e034062, 0x5e035062, 0xce6780c5, 0xce6784c5, 0xce6788c5, 0xcec080c5, 0xce821c08,
  0xce031041, 0xce231049, 0xce678c6a, 0x5e030041, 0x5e280862, 0x5e033083, 0x5e2818a4, 0x5e282862, 0x5e036083,
  0x4e285841, 0x4e287821, 0x5e02102b, 0x5e09216c,
  0xf1000529, 0x54fffd21,
  0x14000000, // b . (the end)
];

/** Flat memory that names code pages when `blocks`, so `run` executes translated blocks. */
class BlockMemory extends FlatMemory {
  cpu: Cpu | undefined;
  constructor(readonly blocks: boolean) {
    super();
  }
  fetchPage(va: bigint): CodePage | undefined {
    if (!this.blocks) return undefined;
    this.fetch(va);
    const off = Number(va) - this.base;
    return this.cpu!.codeCache.region(this.bytes).page(off >>> 12, this.view, off & ~0xfff);
  }
}

function runLoop(blocks: boolean): { state: string; wasmBlocks: number } {
  const mem = new BlockMemory(blocks);
  mem.load(mem.base, PROGRAM);
  const cpu = new Cpu(mem);
  mem.cpu = cpu;
  cpu.translate = blocks;
  cpu.pc = BigInt(mem.base);
  cpu.sys[SysReg.CPACR_EL1] = 3n << 20n;
  for (let i = 0; i < 512; i++) cpu.vr.u8[i] = (i * 131 + 7) & 0xff;
  const end = BigInt(mem.base + 4 * (PROGRAM.length - 1));
  for (let i = 0; i < 10_000 && cpu.pc !== end; i++) expect(cpu.run(50)).toBe(Stop.Budget);
  expect(cpu.pc).toBe(end);
  expect(cpu.x[9]).toBe(0n);
  const wasmBlocks = cpu.codeCache.wasmTier(cpu.arena)?.stats().blocks ?? 0;
  return { state: Buffer.from(cpu.vr.u8).toString('hex'), wasmBlocks };
}

describe('crypto instructions in both backends', () => {
  it('translated blocks (WebAssembly once hot) leave the V registers the interpreter leaves', () => {
    const interpreted = runLoop(false);
    const translated = runLoop(true);
    expect(translated.wasmBlocks).toBeGreaterThan(0);
    expect(translated.state).toBe(interpreted.state);
  });
});
