import { Ec, Fsc, Stop, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { s1PageDesc, s2BlockDesc } from './descriptors.js';
import { Hcr } from './mmu.js';
import { Attr, enableS1, makeEnv, RAM_BASE, RAM_SIZE } from './test-env.js';

describe('with the CPU run loop', () => {
  it('a stage-1 fetch fault becomes an instruction abort taken to EL1', () => {
    const e = makeEnv();
    e.t.map(e.root0, 0x0n, s1PageDesc(RAM_BASE + 0x10_0000, { attrIndx: Attr.WB })); // VBAR_EL1 = 0 is mapped
    enableS1(e);
    e.cpu.pc = 0x7000_0000n;
    expect(e.cpu.run(1)).toBe(Stop.Budget);
    const esr = e.cpu.sys[SysReg.ESR_EL1]!;
    expect(Number(esr >> 26n) & 0x3f).toBe(Ec.InsnAbortSame);
    expect(Number(esr & 0x3fn)).toBe(Fsc.Translation + 1);
    expect(e.cpu.sys[SysReg.FAR_EL1]).toBe(0x7000_0000n);
    expect(e.cpu.sys[SysReg.ELR_EL1]).toBe(0x7000_0000n);
    expect(e.cpu.pc).toBe(0x200n);
  });
  it('a stage-2 fetch fault stops the run loop with the syndrome for EL2 (HPFAR from the IPA)', () => {
    const e = makeEnv();
    const s2root = e.t.alloc(8192);
    for (let off = 0; off < RAM_SIZE; off += 0x20_0000) {
      e.t.map(s2root, BigInt(RAM_BASE + off), s2BlockDesc(RAM_BASE + off), { start: 1, inputSize: 40, leafLevel: 2 });
    }
    e.cpu.sys[SysReg.VTCR_EL2] = 24n | (1n << 6n) | (2n << 16n);
    e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(s2root);
    e.set('HCR_EL2', Hcr.VM);
    e.cpu.pc = 0x9000_1234n & ~3n;
    expect(e.cpu.run(1)).toBe(Stop.TrapEl2);
    expect(Number(e.cpu.el2.esr >> 26n) & 0x3f).toBe(Ec.InsnAbortLower);
    expect(Number(e.cpu.el2.esr & 0x3fn)).toBe(Fsc.Translation + 1);
    expect(e.cpu.el2.far).toBe(0x9000_1234n);
    expect(e.cpu.el2.hpfar).toBe((0x9000_1234n >> 12n) << 4n);
  });
});
