import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { IMPL } from './impl-defined.js';
import {
  logicalTag, MTE_BITS, mteLevel, recordAsyncTagFault, setMteLevel, TagCheck, tagAccessEnabled, tagCheckMode,
} from './mte.js';
import { Acc } from './ports.js';
import { SysReg } from './sysregs.js';
import { FlatMemory } from './testing/flat-memory.js';

const ATA_ALL = MTE_BITS.SCTLR_ATA | MTE_BITS.SCTLR_ATA0;
const TBI = MTE_BITS.TCR_TBI0 | MTE_BITS.TCR_TBI1;
const tcf = (el1: number, el0: number) => (BigInt(el1) << 40n) | (BigInt(el0) << 38n);
const LO = 0x0300_0000_0000_1000n; // bit 55 = 0, tag 3
const HI = 0xf3ff_ffff_ffff_1000n; // bit 55 = 1, tag 3
const C = Acc.TagChecked;

/** A CPU with tag checks on for both halves and both ELs (sync at EL1, async at EL0) unless overridden. */
function checkedCpu(o: { mte?: number; sctlr?: bigint; tcr?: bigint; hcr?: bigint } = {}): Cpu {
  const cpu = new Cpu(new FlatMemory(), o.mte === undefined ? {} : { mte: o.mte });
  cpu.sys[SysReg.HCR_EL2] = o.hcr ?? MTE_BITS.HCR_ATA;
  cpu.sys[SysReg.SCTLR_EL1] = o.sctlr ?? (ATA_ALL | tcf(1, 2));
  cpu.sys[SysReg.TCR_EL1] = o.tcr ?? TBI;
  return cpu;
}

describe('mteLevel / setMteLevel', () => {
  it('defaults to 3 (FEAT_MTE3) with MTE_frac = 0; per CPU through the option, setMteLevel or the ID register', () => {
    expect(mteLevel(new Cpu(new FlatMemory()))).toBe(3);
    expect((IMPL.ID_AA64PFR1_EL1 >> 40n) & 0xfn).toBe(0n);
    for (const level of [0, 1, 2, 3]) {
      const cpu = new Cpu(new FlatMemory(), { mte: level });
      expect(mteLevel(cpu)).toBe(level);
      expect(cpu.sys[SysReg.ID_AA64PFR1_EL1]).toBe(0x20n | (BigInt(level) << 8n)); // SSBS = 2 kept
    }
    const cpu = new Cpu(new FlatMemory());
    setMteLevel(cpu, 1);
    expect(mteLevel(cpu)).toBe(1);
    cpu.sys[SysReg.ID_AA64PFR1_EL1] = cpu.sys[SysReg.ID_AA64PFR1_EL1]! & ~0xf00n; // as a hypervisor does
    expect(mteLevel(cpu)).toBe(0);
    expect(() => setMteLevel(cpu, 4)).toThrow(RangeError);
    expect(() => new Cpu(new FlatMemory(), { mte: -1 })).toThrow(RangeError);
  });
});

describe('tagAccessEnabled (AllocationTagAccessIsEnabled)', () => {
  it('needs MTE >= 2, HCR_EL2.ATA and SCTLR_EL1.ATA (EL1) / ATA0 (EL0)', () => {
    const table: [number, bigint, bigint, boolean, boolean][] = [
      [3, MTE_BITS.HCR_ATA, ATA_ALL, true, true],
      [2, MTE_BITS.HCR_ATA, ATA_ALL, true, true],
      [1, MTE_BITS.HCR_ATA, ATA_ALL, false, false],
      [0, MTE_BITS.HCR_ATA, ATA_ALL, false, false],
      [3, 0n, ATA_ALL, false, false],
      [3, MTE_BITS.HCR_ATA, MTE_BITS.SCTLR_ATA, false, true],
      [3, MTE_BITS.HCR_ATA, MTE_BITS.SCTLR_ATA0, true, false],
      [3, MTE_BITS.HCR_ATA, 0n, false, false],
    ];
    for (const [mte, hcr, sctlr, el0, el1] of table) {
      const cpu = checkedCpu({ mte, hcr, sctlr });
      expect([tagAccessEnabled(cpu, 0), tagAccessEnabled(cpu, 1)], `${mte} ${hcr} ${sctlr}`).toEqual([el0, el1]);
    }
  });
});

describe('tagCheckMode', () => {
  it('is synchronous at EL1 and asynchronous at EL0 with TCF = 1, TCF0 = 2, for both halves', () => {
    const cpu = checkedCpu();
    expect(tagCheckMode(cpu, LO, C)).toBe(TagCheck.Sync);
    expect(tagCheckMode(cpu, HI, C | Acc.Write)).toBe(TagCheck.Sync);
    expect(tagCheckMode(cpu, LO, C | Acc.Unpriv)).toBe(TagCheck.Async); // LDTR/STTR at EL1: EL0 rules
    cpu.el = 0;
    expect(tagCheckMode(cpu, HI, C)).toBe(TagCheck.Async);
  });

  it('needs Acc.TagChecked, PSTATE.TCO = 0, MTE >= 2, tag access, TBI for the half, non-zero TCF', () => {
    expect(tagCheckMode(checkedCpu(), LO, 0)).toBe(0);
    expect(tagCheckMode(checkedCpu(), LO, Acc.Write)).toBe(0);
    const tco = checkedCpu();
    tco.tco = 1;
    expect(tagCheckMode(tco, LO, C)).toBe(0);
    expect(tagCheckMode(tco, LO, C | Acc.Unpriv)).toBe(0);
    expect(tagCheckMode(checkedCpu({ mte: 1 }), LO, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ mte: 0 }), LO, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ mte: 2 }), LO, C)).toBe(TagCheck.Sync);
    expect(tagCheckMode(checkedCpu({ hcr: 0n }), LO, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ sctlr: MTE_BITS.SCTLR_ATA0 | tcf(1, 1) }), LO, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ sctlr: MTE_BITS.SCTLR_ATA0 | tcf(1, 1) }), LO, C | Acc.Unpriv)).toBe(1);
    expect(tagCheckMode(checkedCpu({ tcr: MTE_BITS.TCR_TBI1 }), LO, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ tcr: MTE_BITS.TCR_TBI1 }), HI, C)).toBe(1);
    expect(tagCheckMode(checkedCpu({ tcr: MTE_BITS.TCR_TBI0 }), HI, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ sctlr: ATA_ALL | tcf(0, 1) }), LO, C)).toBe(0);
    expect(tagCheckMode(checkedCpu({ sctlr: ATA_ALL | tcf(1, 0) }), LO, C | Acc.Unpriv)).toBe(0);
  });

  it('TCF = 3 is asymmetric with MTE3 (reads sync, writes and read-writes async) and no checks with MTE2', () => {
    const cpu = checkedCpu({ sctlr: ATA_ALL | tcf(3, 3) });
    expect(tagCheckMode(cpu, LO, C)).toBe(TagCheck.Sync);
    expect(tagCheckMode(cpu, LO, C | Acc.Write)).toBe(TagCheck.Async);
    expect(tagCheckMode(cpu, LO, C | Acc.ReadWrite | Acc.Write)).toBe(TagCheck.Async);
    expect(tagCheckMode(cpu, LO, C | Acc.ReadWrite)).toBe(TagCheck.Sync);
    expect(tagCheckMode(cpu, LO, C | Acc.Unpriv | Acc.Write)).toBe(TagCheck.Async);
    const mte2 = checkedCpu({ mte: 2, sctlr: ATA_ALL | tcf(3, 3) });
    expect(tagCheckMode(mte2, LO, C)).toBe(0);
    expect(tagCheckMode(mte2, LO, C | Acc.Write)).toBe(0);
  });

  it('TCMA0/TCMA1 exempt pointers whose bits [59:55] are all 0 / all 1', () => {
    const cpu = checkedCpu({ tcr: TBI | MTE_BITS.TCR_TCMA0 | MTE_BITS.TCR_TCMA1 });
    expect(tagCheckMode(cpu, 0x0000_0000_0000_1000n, C)).toBe(0); // [59:55] = 00000
    expect(tagCheckMode(cpu, 0xff80_0000_0000_1000n, C)).toBe(0); // 11111
    expect(tagCheckMode(cpu, 0xf000_0000_0000_1000n, C)).toBe(0); // tag 0, bits 63:60 ignored: 00000
    expect(tagCheckMode(cpu, 0x0100_0000_0000_1000n, C)).toBe(1); // tag 1
    expect(tagCheckMode(cpu, 0xfe80_0000_0000_1000n, C)).toBe(1); // tag 14, bit 55 = 1
    expect(tagCheckMode(cpu, 0x0f00_0000_0000_1000n, C)).toBe(1); // tag 15, bit 55 = 0: 11110
    const only0 = checkedCpu({ tcr: TBI | MTE_BITS.TCR_TCMA0 });
    expect(tagCheckMode(only0, 0x0000_0000_0000_1000n, C)).toBe(0);
    expect(tagCheckMode(only0, 0xff80_0000_0000_1000n, C)).toBe(1);
    const only1 = checkedCpu({ tcr: TBI | MTE_BITS.TCR_TCMA1 });
    expect(tagCheckMode(only1, 0x0000_0000_0000_1000n, C)).toBe(1);
    expect(tagCheckMode(only1, 0xff80_0000_0000_1000n, C)).toBe(0);
  });

  it('follows register changes without any invalidation call', () => {
    const cpu = checkedCpu();
    expect(tagCheckMode(cpu, LO, C)).toBe(1);
    cpu.sys[SysReg.SCTLR_EL1] = ATA_ALL | tcf(2, 2);
    expect(tagCheckMode(cpu, LO, C)).toBe(2);
    cpu.sys[SysReg.TCR_EL1] = 0n;
    expect(tagCheckMode(cpu, LO, C)).toBe(0);
    cpu.sys[SysReg.TCR_EL1] = TBI;
    cpu.sys[SysReg.HCR_EL2] = 0n;
    expect(tagCheckMode(cpu, LO, C)).toBe(0);
    cpu.sys[SysReg.HCR_EL2] = MTE_BITS.HCR_ATA;
    setMteLevel(cpu, 1);
    expect(tagCheckMode(cpu, LO, C)).toBe(0);
    setMteLevel(cpu, 3);
    expect(tagCheckMode(cpu, LO, C)).toBe(2);
  });
});

describe('recordAsyncTagFault', () => {
  it('sets TF0/TF1 by bit 55 in TFSR_EL1 (EL1) or TFSRE0_EL1 (EL0 and unprivileged accesses)', () => {
    const cpu = checkedCpu();
    recordAsyncTagFault(cpu, LO, false);
    expect([cpu.sys[SysReg.TFSR_EL1], cpu.sys[SysReg.TFSRE0_EL1]]).toEqual([1n, 0n]);
    recordAsyncTagFault(cpu, HI, false);
    expect([cpu.sys[SysReg.TFSR_EL1], cpu.sys[SysReg.TFSRE0_EL1]]).toEqual([3n, 0n]);
    recordAsyncTagFault(cpu, HI, true);
    expect([cpu.sys[SysReg.TFSR_EL1], cpu.sys[SysReg.TFSRE0_EL1]]).toEqual([3n, 2n]);
    cpu.el = 0;
    recordAsyncTagFault(cpu, LO, false);
    expect([cpu.sys[SysReg.TFSR_EL1], cpu.sys[SysReg.TFSRE0_EL1]]).toEqual([3n, 3n]);
  });
});

describe('logicalTag', () => {
  it('is bits [59:56]', () => {
    expect(logicalTag(0x0a00_0000_0000_0000n)).toBe(0xa);
    expect(logicalTag(0xf5ff_ffff_ffff_ffffn)).toBe(5);
    expect(logicalTag(0x00ff_ffff_ffff_ffffn)).toBe(0);
  });
});
