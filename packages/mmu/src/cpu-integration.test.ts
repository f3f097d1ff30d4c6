import { Ec, Fsc, Stop, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { s1PageDesc, s2BlockDesc } from './descriptors.js';
import { Hcr } from './access.js';
import { DATA, IPA, mteEnv, s2MteEnv, TAGGED } from './mte-test-env.js';
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

describe('FEAT_UAO with the CPU run loop', () => {
  it('LDTR at EL1 checks EL0 permissions, unless PSTATE.UAO = 1 makes it a privileged access', () => {
    for (const uao of [0, 1]) {
      const e = makeEnv();
      const code = RAM_BASE + 0x10_0000;
      e.t.map(e.root0, 0x0n, s1PageDesc(code, { attrIndx: Attr.WB })); // code and vectors (VBAR_EL1 = 0)
      e.t.map(e.root0, 0x5000n, s1PageDesc(RAM_BASE + 0x11_0000, { attrIndx: Attr.WB })); // EL1-only read/write
      e.ram.view.setUint32(code - RAM_BASE, uao === 1 ? 0xd500_417f : 0xd503_201f, true); // msr uao, #1 (or nop)
      e.ram.view.setUint32(code - RAM_BASE + 4, 0xf840_0801, true); // ldtr x1, [x0]
      e.ram.view.setBigUint64(0x11_0000, 0x1234n, true);
      enableS1(e);
      e.cpu.x[0] = 0x5000n;
      e.cpu.pc = 0n;
      e.cpu.run(2);
      if (uao === 1) {
        expect([e.cpu.x[1], e.cpu.pc]).toEqual([0x1234n, 8n]);
      } else {
        expect(e.cpu.pc).toBe(0x200n);
        expect(Number(e.cpu.sys[SysReg.ESR_EL1]! & 0x3fn)).toBe(Fsc.Permission + 3);
        expect(e.cpu.sys[SysReg.FAR_EL1]).toBe(0x5000n);
      }
    }
  });
});

describe('FEAT_UAO and MTE with the CPU run loop', () => {
  it('LDTR at EL1 is checked with TCF0 (as at EL0), or with TCF when PSTATE.UAO = 1', () => {
    for (const uao of [0, 1]) {
      const e = mteEnv({}, 1, 0); // EL1: synchronous checks; EL0: none
      const code = RAM_BASE + 0x20_0000;
      e.t.map(e.root0, 0x0n, s1PageDesc(code, { attrIndx: Attr.WB }));
      e.mmu.tlbi('vmalle1', 0n);
      e.ram.view.setUint32(code - RAM_BASE, uao === 1 ? 0xd500_417f : 0xd503_201f, true); // msr uao, #1 (or nop)
      e.ram.view.setUint32(code - RAM_BASE + 4, 0xf840_0801, true); // ldtr x1, [x0]
      e.tags.fill(DATA, 0x100, 3);
      e.ram.view.setBigUint64(DATA + 0x20 - RAM_BASE, 0x99n, true);
      e.cpu.x[0] = (0x05n << 56n) | (TAGGED + 0x20n); // logical tag 5, allocation tag 3
      e.cpu.pc = 0n;
      e.cpu.run(2);
      if (uao === 0) expect([e.cpu.x[1], e.cpu.pc]).toEqual([0x99n, 8n]);
      else expect([e.cpu.pc, e.cpu.sys[SysReg.ESR_EL1]]).toEqual([0x200n, 0x9600_0011n]);
    }
  });
});

describe('MTE with the CPU run loop', () => {
  const LDR_X1_X0 = 0xf940_0001; // ldr x1, [x0]
  const STR_X1_X0 = 0xf900_0001; // str x1, [x0]
  const CODE = RAM_BASE + 0x20_0000;

  it('a synchronous tag check fault is a Data Abort at EL1: ESR 0x96000011 / 0x96000051, FAR the whole pointer', () => {
    for (const [insn, esr] of [[LDR_X1_X0, 0x9600_0011n], [STR_X1_X0, 0x9600_0051n]] as const) {
      const e = mteEnv();
      e.t.map(e.root0, 0x0n, s1PageDesc(CODE, { attrIndx: Attr.WB }));
      e.mmu.tlbi('vmalle1', 0n);
      e.ram.view.setUint32(CODE - RAM_BASE, insn, true);
      e.tags.fill(DATA, 0x100, 3);
      e.cpu.pc = 0n;
      e.cpu.x[0] = (0xa5n << 56n) | (TAGGED + 0x18n);
      e.cpu.x[1] = 0x77n;
      expect(e.cpu.run(1)).toBe(Stop.Budget);
      expect(e.cpu.sys[SysReg.ESR_EL1]).toBe(esr);
      expect(e.cpu.sys[SysReg.FAR_EL1]).toBe(0xa500_0000_1000_0018n);
      expect(e.cpu.sys[SysReg.ELR_EL1]).toBe(0n);
      expect(e.ram.view.getBigUint64(DATA + 0x18 - RAM_BASE, true)).toBe(0n);
    }
  });

  it('NoTagAccess: a checked load with checks enabled traps to EL2 with ISS2.TagAccess (ESR_EL2 bit 41)', () => {
    const e = s2MteEnv();
    e.t.map(e.root0, 0x0n, s1PageDesc(CODE, { attrIndx: Attr.WB }));
    e.ram.view.setUint32(CODE - RAM_BASE, LDR_X1_X0, true);
    e.s2map(IPA, DATA, { noTagAccess: true });
    e.s1map(TAGGED, IPA);
    e.cpu.pc = 0n;
    e.cpu.x[0] = TAGGED + 0x20n;
    expect(e.cpu.run(1)).toBe(Stop.TrapEl2);
    const esr = e.cpu.el2.esr;
    expect((esr >> 41n) & 1n).toBe(1n);
    expect(Number(esr >> 26n) & 0x3f).toBe(Ec.DataAbortLower);
    expect(Number(esr & 0x3fn)).toBe(Fsc.Permission + 3);
    expect(e.cpu.el2.hpfar).toBe((IPA >> 12n) << 4n);
    expect(e.cpu.el2.far).toBe(TAGGED + 0x20n);
    // With PSTATE.TCO = 1 the load is not tag checked, so it is an ordinary load.
    e.cpu.tco = 1;
    e.cpu.pc = 0n;
    expect(e.cpu.run(1)).toBe(Stop.Budget);
    expect(e.cpu.pc).toBe(4n);
  });
});
