/**
 * Test support (not exported from the package): run instruction words on a fresh CPU over FlatMemory and check
 * their results, or that a word is UNDEFINED without side effects. Shared by the instruction-class tests.
 */
import { describe, expect, it } from 'vitest';
import type { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { runProgram } from './flat-memory.js';
export const BASE = 0x4000_0000n;
export const VBAR = 0x4000_0800n;
export const SP0 = BASE + 0x10_0000n - 16n; // runProgram's initial SP_EL1

export interface Init {
  x?: Record<number, bigint>;
  nzcv?: number;
  sp?: bigint;
}

export function setup(init: Init): (cpu: Cpu) => void {
  return (c) => {
    c.sys[SysReg.VBAR_EL1] = VBAR;
    for (const [r, v] of Object.entries(init.x ?? {})) c.x[Number(r)] = BigInt.asUintN(64, v);
    if (init.nzcv !== undefined) c.nzcv = init.nzcv;
    if (init.sp !== undefined) c.spEl[1] = init.sp;
  };
}

/** Run `words` and check that they all retired without an exception. */
export function run(words: number[], init: Init = {}): Cpu {
  const { cpu, stop } = runProgram(words, setup(init), words.length);
  expect(stop).toBe(Stop.Budget);
  expect(cpu.pc).toBe(BASE + BigInt(4 * words.length));
  return cpu;
}

/** Run one word and check that it took an Unknown-reason (UNDEFINED) exception, changing no register or flag. */
export function expectUndef(word: number): void {
  const x = { 0: 0x1111n, 1: 0x2222n, 2: 0x3333n, 3: -1n };
  const { cpu, stop } = runProgram([word], setup({ x, nzcv: 0b1010 }), 1);
  expect(stop, word.toString(16)).toBe(Stop.Budget);
  expect(cpu.pc, word.toString(16)).toBe(VBAR + 0x200n);
  const esr = cpu.sys[SysReg.ESR_EL1]!;
  expect(esr >> 26n, word.toString(16)).toBe(0n); // EC = Unknown
  expect(esr).toBe(1n << 25n); // IL = 1, ISS = 0
  expect(cpu.sys[SysReg.ELR_EL1]).toBe(BASE);
  expect([cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3]]).toEqual([0x1111n, 0x2222n, 0x3333n, 2n ** 64n - 1n]);
  expect(cpu.sys[SysReg.SPSR_EL1]! >> 28n).toBe(0b1010n);
  expect(cpu.spEl[1]).toBe(SP0);
}

export const N = 8;
export const Z = 4;
export const C = 2;
export const V = 1;
export const u64 = (v: bigint) => BigInt.asUintN(64, v);

/**
 * Vectors recorded from QEMU 10 linux-user: one per line, `WORD X0 X1 X2 X3 NZCV > X0 X1 X2 X3 NZCV` in hex (the
 * result after running WORD with those inputs), or `WORD ... > UNDEF`. Each line becomes a test.
 */
export function describeQemuVectors(table: string): void {
  describe('differential vectors from QEMU', () => {
    const lines = table.trim().split('\n').filter((l) => l !== '');
    it('has vectors', () => expect(lines.length).toBeGreaterThan(100));
    it.each(lines)('%s', (line) => {
      const [input, output] = line.split(' > ') as [string, string];
      const [w, ...ins] = input.split(' ');
      const word = parseInt(w!, 16);
      const v = ins.map((s) => BigInt(`0x${s}`));
      if (output === 'UNDEF') {
        expectUndef(word);
        return;
      }
      const cpu = run([word], { x: { 0: v[0]!, 1: v[1]!, 2: v[2]!, 3: v[3]! }, nzcv: Number(v[4]) });
      const got = [cpu.x[0], cpu.x[1], cpu.x[2], cpu.x[3], BigInt(cpu.nzcv)].map((r) => r!.toString(16)).join(' ');
      expect(got).toBe(output);
    });
  });
}
