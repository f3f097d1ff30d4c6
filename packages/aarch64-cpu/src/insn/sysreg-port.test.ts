/**
 * MRS/MSR of encodings the CPU's table does not have reach `cpu.sysRegPort` (the layer above's registers: kvm-core's
 * ICC_* of a vGICv3) at EL1; at EL0, or when the port has no such register, they stay UNDEFINED.
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import type { SysRegPort } from '../ports.js';
import { SysReg, sysRegKey } from '../sysregs.js';
import { BlockMemory } from '../testing/block-loop.js';
import { BASE, run, VBAR, vector } from '../testing/vector-stop.js';

/** ICC_PMR_EL1 (3, 0, 4, 6, 0) and ICC_SGI1R_EL1 (3, 0, 12, 11, 5): not in the CPU's table. */
const PMR = sysRegKey(3, 0, 4, 6, 0);
const SGI1R = sysRegKey(3, 0, 12, 11, 5);
const mrs = (rt: number, key: number) => (0xd5300000 | (key << 5) | rt) >>> 0;
const msr = (rt: number, key: number) => (0xd5100000 | (key << 5) | rt) >>> 0;
const MOV_X1_0X5A = 0xd2800b41; // mov x1, #0x5a
const NOP = 0xd503201f;
const HVC_STOP = 0xd41fffe2; // hvc #0xffff

/** A port with PMR (read/write) and SGI1R (write only), recording what reaches it. */
class FakePort implements SysRegPort {
  pmr = 0xf0n;
  readonly calls: string[] = [];
  onSgi: ((value: bigint) => void) | undefined;
  read(key: number): bigint | undefined {
    this.calls.push(`read ${key}`);
    return key === PMR ? this.pmr : undefined;
  }
  write(key: number, value: bigint): boolean {
    this.calls.push(`write ${key} 0x${value.toString(16)}`);
    if (key === PMR) {
      this.pmr = value & 0xffn;
      return true;
    }
    if (key === SGI1R) {
      this.onSgi?.(value);
      return true;
    }
    return false;
  }
}

function withPort(words: number[], el0 = false) {
  const port = new FakePort();
  const r = run(words, { el0, setup: (c) => (c.sysRegPort = port) });
  return { ...r, port };
}

describe('the system-register port', () => {
  it('MRS and MSR at EL1 of an encoding outside the table reach the port', () => {
    const r = withPort([mrs(2, PMR), MOV_X1_0X5A, msr(1, PMR), mrs(3, PMR)]);
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.x[2]).toBe(0xf0n);
    expect(r.cpu.x[3]).toBe(0x5an);
    expect(r.port.calls).toEqual([`read ${PMR}`, `write ${PMR} 0x5a`, `read ${PMR}`]);
  });

  it('at EL0 the port is not asked: UNDEFINED', () => {
    for (const w of [mrs(2, PMR), msr(1, PMR)]) {
      const r = withPort([w], true);
      expect(vector(r)).toBe(0x400); // synchronous, from a lower EL
      expect(r.cpu.sys[SysReg.ESR_EL1]).toBe(0x0200_0000n); // EC 0 (unknown), IL
      expect(r.port.calls).toEqual([]);
    }
  });

  it('an encoding the port does not have stays UNDEFINED (a read of a write-only one, an unknown one)', () => {
    const unknown = sysRegKey(3, 0, 12, 13, 7);
    for (const w of [mrs(2, SGI1R), mrs(2, unknown), msr(1, unknown)]) {
      const r = withPort([w]);
      expect(vector(r)).toBe(0x200); // synchronous, current EL with SP_ELx
      expect(r.cpu.sys[SysReg.ESR_EL1]).toBe(0x0200_0000n);
      expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(BASE);
      expect(r.port.calls).toHaveLength(1);
    }
  });

  it('without a port the encoding is UNDEFINED, and encodings in the table never reach the port', () => {
    const r = run([mrs(2, PMR)]);
    expect(vector(r)).toBe(0x200);
    const sctlr = sysRegKey(3, 0, 1, 0, 0);
    const t = withPort([mrs(2, sctlr), msr(2, sctlr)]);
    expect(t.stop).toBe(Stop.Budget);
    expect(t.port.calls).toEqual([]);
  });

  it('an IRQ a port write raises is taken right after the MSR, in translated blocks too', () => {
    for (const blocks of [false, true]) {
      const { cpu, port } = blockMachine(blocks, [msr(1, SGI1R), NOP, NOP, NOP, 0x14000000 /* b . */]);
      port.onSgi = () => (cpu.irqLine = true);
      cpu.daif = 0; // IRQs unmasked
      expect(cpu.run(50)).toBe(Stop.TrapEl2); // the IRQ vector's hvc
      expect(cpu.pc - 4n - VBAR).toBe(0x280n); // IRQ, current EL with SP_ELx
      expect(cpu.sys[SysReg.ELR_EL1]).toBe(BASE + 4n); // the instruction after the MSR
    }
  });
});

function blockMachine(blocks: boolean, words: number[]): { cpu: Cpu; port: FakePort } {
  const mem = new BlockMemory(blocks);
  mem.load(mem.base, words);
  for (let off = 0; off < 0x800; off += 0x80) mem.load(Number(VBAR) + off, [HVC_STOP]);
  const cpu = new Cpu(mem);
  mem.cpu = cpu;
  cpu.translate = blocks;
  cpu.pc = BASE;
  cpu.sys[SysReg.VBAR_EL1] = VBAR;
  const port = new FakePort();
  cpu.sysRegPort = port;
  return { cpu, port };
}
