// A PC that is not a multiple of 4 takes a PC alignment fault when the instruction is fetched, whatever put it there:
// here the host (a loader's entry point, a register write between runs), for run() and interpret() alike.
import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { Ec, Stop } from './exits.js';
import { SysReg } from './sysregs.js';
import { FlatMemory } from './testing/flat-memory.js';
import { BASE } from './testing/insn-harness.js';

const NOP = 0xd503201f;

function cpuAt(pc: bigint): { cpu: Cpu; mem: FlatMemory } {
  const mem = new FlatMemory();
  mem.load(mem.base, [NOP, NOP, NOP, NOP]);
  const cpu = new Cpu(mem);
  cpu.sys[SysReg.VBAR_EL1] = BigInt(mem.base + 0x800);
  cpu.pc = pc;
  return { cpu, mem };
}

describe('a misaligned PC set by the host', () => {
  for (const how of ['run', 'interpret'] as const) {
    for (const low of [1n, 2n, 3n]) {
      it(`${how}: PC = base + ${low} takes EC 0x22 with FAR = ELR = the PC, nothing retired`, () => {
        const { cpu, mem } = cpuAt(BASE + low);
        const stop = how === 'run' ? cpu.run(1) : cpu.interpret(1);
        expect(stop).toBe(Stop.Budget);
        expect(cpu.sys[SysReg.ESR_EL1]).toBe((BigInt(Ec.PcAlign) << 26n) | (1n << 25n));
        expect(cpu.sys[SysReg.FAR_EL1]).toBe(BigInt(mem.base) + low);
        expect(cpu.sys[SysReg.ELR_EL1]).toBe(BigInt(mem.base) + low);
        expect(cpu.pc).toBe(BigInt(mem.base + 0x800 + 0x200));
        expect(cpu.insnCount).toBe(0);
      });
    }
  }

  it('an aligned PC runs', () => {
    const { cpu, mem } = cpuAt(BASE);
    cpu.run(3);
    expect([cpu.pc, cpu.insnCount]).toEqual([BigInt(mem.base + 12), 3]);
  });
});
