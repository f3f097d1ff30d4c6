// `cpu.stopOnYield`: a YIELD, or a WFE that would wait, ends the run with Stop.Yield after it completed (a host
// running several PEs in turns gives way there); without it both are NOPs, and a WFE with an event pending never
// stops.
import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { Stop } from './exits.js';
import { FlatMemory } from './testing/flat-memory.js';

const W = { yield: 0xd503203f, wfe: 0xd503205f, sevl: 0xd50320bf, add1: 0x91000400 /* add x0, x0, #1 */ };

function cpuWith(words: readonly number[], stopOnYield: boolean): Cpu {
  const mem = new FlatMemory();
  mem.load(mem.base, words);
  const cpu = new Cpu(mem);
  cpu.pc = BigInt(mem.base);
  cpu.stopOnYield = stopOnYield;
  return cpu;
}

describe('Cpu.stopOnYield', () => {
  for (const [name, w] of [['YIELD', W.yield], ['WFE (no event)', W.wfe]] as const) {
    it(`${name} ends the run after it completed: Stop.Yield, the PC on the next instruction, counted`, () => {
      const cpu = cpuWith([W.add1, w, W.add1, W.add1], true);
      const base = cpu.pc;
      expect(cpu.run(100)).toBe(Stop.Yield);
      expect(cpu.pc).toBe(base + 8n);
      expect(cpu.insnCount).toBe(2);
      expect(cpu.x[0]).toBe(1n);
    });

    it(`${name} is a NOP without it`, () => {
      const cpu = cpuWith([W.add1, w, W.add1, W.add1], false);
      expect(cpu.run(4)).toBe(Stop.Budget);
      expect(cpu.x[0]).toBe(3n);
    });
  }

  it('a WFE that finds an event pending consumes it and does not stop', () => {
    const cpu = cpuWith([W.sevl, W.wfe, W.add1], true);
    expect(cpu.run(3)).toBe(Stop.Budget);
    expect(cpu.x[0]).toBe(1n);
    expect(cpu.eventRegister).toBe(false);
  });
});
