/**
 * Two PEs sharing physical memory and one coherence domain (aarch64-cpu smp.ts): the Inner Shareable TLBI forms
 * reach the other PE's TLB, the local ones do not; stores through the MMU clear the other PE's reservation by
 * physical address, whatever VA they use.
 */
import { Cpu, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { s1PageDesc } from './descriptors.js';
import { Mmu } from './mmu.js';
import { Attr, enableS1, makeEnv, RAM_BASE } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000;
const CODE = RAM_BASE + 0x20_0000;
const VA = 0x1000_0000n;
const ALIAS = 0x1100_0000n;
const CODE_VA = 0x2000_0000n;
const TLBI_VMALLE1IS = 0xd508831f;
const TLBI_VMALLE1 = 0xd508871f;

/** PE 0 (the env's) and PE 1, same registers and memory, one domain; VA and ALIAS map DATA, CODE_VA maps CODE. */
function twoPes() {
  const e = makeEnv();
  e.ram.view.setUint32(DATA - RAM_BASE, 0xaaaa, true);
  e.ram.view.setUint32(DATA + 0x1000 - RAM_BASE, 0xbbbb, true);
  e.t.map(e.root0, VA, s1PageDesc(DATA, { attrIndx: Attr.WB }));
  e.t.map(e.root0, ALIAS, s1PageDesc(DATA, { attrIndx: Attr.WB }));
  e.t.map(e.root0, CODE_VA, s1PageDesc(CODE, { attrIndx: Attr.WB }));
  enableS1(e);
  const cpu1 = new Cpu({} as MemoryPort, { smp: e.cpu.smp, codeCache: e.cpu.codeCache });
  cpu1.sys.set(e.cpu.sys);
  const mmu1 = new Mmu(cpu1, e.phys);
  cpu1.mem = mmu1;
  /** Execute one instruction on PE 1. */
  const exec1 = (insn: number): void => {
    e.ram.view.setUint32(CODE - RAM_BASE, insn, true);
    cpu1.codeCache.invalidateAll();
    cpu1.pc = CODE_VA;
    cpu1.interpret(1);
    expect(cpu1.pc).toBe(CODE_VA + 4n);
  };
  return { e, cpu1, mmu1, exec1 };
}

describe('TLBI broadcast', () => {
  it('TLBI VMALLE1IS on PE 1 drops PE 0\'s stale translation; TLBI VMALLE1 does not', () => {
    const { e, exec1 } = twoPes();
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan); // PE 0 caches VA -> DATA
    e.t.map(e.root0, VA, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.WB }));
    exec1(TLBI_VMALLE1);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan); // the local form leaves PE 0's TLB
    exec1(TLBI_VMALLE1IS);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xbbbbn);
  });
});

describe('the global exclusive monitor in the MMU', () => {
  it('a store through another VA of the same physical address clears the reservation', () => {
    const { e, cpu1, mmu1 } = twoPes();
    e.mmu.read(VA, 8, 0);
    e.cpu.markExclusive(VA, 8, 0);
    expect(e.cpu.exclPa).toBe(DATA);
    expect(e.cpu.smp.openReservations).toBe(1);
    mmu1.write(ALIAS + 8n, 8, 1n, 0); // the next doubleword: no overlap
    expect(e.cpu.exclAddr).toBe(VA);
    e.mmu.write(VA, 8, 5n, 0); // PE 0's own store keeps its reservation
    expect(e.cpu.exclAddr).toBe(VA);
    mmu1.zeroBlock(ALIAS, 64);
    expect([e.cpu.exclAddr, e.cpu.exclPa, e.cpu.eventRegister]).toEqual([-1n, -1, true]);
    expect(cpu1.smp.openReservations).toBe(0);
  });
});
