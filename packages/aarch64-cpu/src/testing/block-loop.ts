/**
 * Test support (not exported from the package): run a program that loops on FlatMemory until it reaches its last
 * word (a `b .`), interpreted or as translated blocks (jit.ts; they turn WebAssembly once hot, wasm-jit/tier.ts), so
 * a test can check that both backends leave the same state.
 */
import { expect } from 'vitest';
import type { CodePage } from '../code-cache.js';
import { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { FlatMemory } from './flat-memory.js';

/** Flat memory that names code pages when `blocks`, so `run` executes translated blocks. */
export class BlockMemory extends FlatMemory {
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

/**
 * Run `program` (its last word `b .`) from its start at EL1 with SIMD&FP enabled, after `setup`, until the PC is on
 * that last word; returns the CPU and how many blocks the WebAssembly tier compiled.
 */
export function runLoop(program: readonly number[], blocks: boolean, setup: (cpu: Cpu) => void = () => {}):
  { cpu: Cpu; wasmBlocks: number } {
  const mem = new BlockMemory(blocks);
  mem.load(mem.base, program);
  const cpu = new Cpu(mem);
  mem.cpu = cpu;
  cpu.translate = blocks;
  cpu.pc = BigInt(mem.base);
  cpu.sys[SysReg.CPACR_EL1] = 3n << 20n;
  setup(cpu);
  const end = BigInt(mem.base + 4 * (program.length - 1));
  for (let i = 0; i < 10_000 && cpu.pc !== end; i++) expect(cpu.run(50)).toBe(Stop.Budget);
  expect(cpu.pc).toBe(end);
  return { cpu, wasmBlocks: cpu.codeCache.wasmTier(cpu.arena)?.stats().blocks ?? 0 };
}
