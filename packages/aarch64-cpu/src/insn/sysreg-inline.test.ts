/**
 * The data the WebAssembly tier's inline MRS and MSR rely on (wasm-jit/translate-sys.ts): COMPUTED_READS names every
 * register readSysReg does not read from its slot, mrsChecks describes checkAccess's rules for the registers it
 * answers, and msrChecks the same for writes that only store the value, masked, in the slot (the differential tests
 * in packages/mmu/src/wasm-sys.test.ts run the inline code against the handler).
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { HCR, SYSREG_DEFS, SysReg } from '../sysregs.js';
import type { MemoryPort } from '../ports.js';
import { COMPUTED_READS, mrsChecks, msrChecks, readSysReg, writeSysReg } from './branches-exceptions-system-sysreg.js';

describe('the inline MRS data', () => {
  it('every register outside COMPUTED_READS reads as its slot, whatever the rest of the state', () => {
    const cpu = new Cpu({} as MemoryPort);
    let seed = 0x1234_5678n;
    const next = (): bigint => (seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn);
    for (let round = 0; round < 4; round++) {
      for (let id = 0; id < SYSREG_DEFS.length; id++) cpu.sys[id] = next();
      cpu.spEl[0] = next();
      cpu.daif = round;
      cpu.nzcv = 15 - round;
      for (let id = 0; id < SYSREG_DEFS.length; id++) {
        if (COMPUTED_READS.has(id)) continue;
        expect(readSysReg(cpu, id), SYSREG_DEFS[id]!.name).toBe(cpu.sys[id]);
      }
    }
    // And the computed ones are not all slots by accident (the set is not over-inclusive for these).
    for (const id of [SysReg.SP_EL0, SysReg.DAIF, SysReg.MIDR_EL1, SysReg.CurrentEL]) {
      expect(readSysReg(cpu, id), SYSREG_DEFS[id]!.name).not.toBe(cpu.sys[id]);
    }
  });

  it('mrsChecks: the EL, SPSel, EL0 gate, HCR_EL2, CNTHCTL_EL2 and MTE rules of the registers the Linux boot reads most, none for the others', () => {
    const none = { el0Gate: undefined, cnthctlGate: 0n, mteMin: 0, ataTrap: false };
    expect(mrsChecks(SysReg.TPIDR_EL1)).toEqual({ minEl: 1, spSel: false, hcrMask: 0n, ...none });
    expect(mrsChecks(SysReg.TPIDR_EL0)).toEqual({ minEl: 0, spSel: false, hcrMask: 0n, ...none });
    expect(mrsChecks(SysReg.TPIDRRO_EL0)).toEqual({ minEl: 0, spSel: false, hcrMask: 0n, ...none });
    expect(mrsChecks(SysReg.SP_EL0)).toEqual({ minEl: 1, spSel: true, hcrMask: 0n, ...none });
    expect(mrsChecks(SysReg.CTR_EL0)).toEqual({
      minEl: 0, spSel: false, hcrMask: HCR.TID2, el0Gate: { id: SysReg.SCTLR_EL1, mask: 1n << 15n }, cnthctlGate: 0n, // UCT
      mteMin: 0, ataTrap: false,
    });
    expect(mrsChecks(SysReg.DAIF)?.el0Gate).toEqual({ id: SysReg.SCTLR_EL1, mask: 1n << 9n }); // UMA
    expect(mrsChecks(SysReg.SCTLR_EL1)?.hcrMask).toBe(HCR.TRVM);
    // The generic timer's gates: CNTKCTL_EL1 at EL0, CNTHCTL_EL2's EL1PCTEN/EL1PCEN for the physical counter and timer.
    expect(mrsChecks(SysReg.CNTVCT_EL0)).toEqual({
      minEl: 0, spSel: false, hcrMask: 0n, el0Gate: { id: SysReg.CNTKCTL_EL1, mask: 2n }, cnthctlGate: 0n, mteMin: 0,
      ataTrap: false,
    });
    expect(mrsChecks(SysReg.CNTPCT_EL0)).toMatchObject({ el0Gate: { id: SysReg.CNTKCTL_EL1, mask: 1n }, cnthctlGate: 1n });
    expect(mrsChecks(SysReg.CNTP_CTL_EL0)).toMatchObject({ el0Gate: { id: SysReg.CNTKCTL_EL1, mask: 1n << 9n }, cnthctlGate: 2n });
    // The MTE registers: their MTE level and, but for GMID_EL1, HCR_EL2.ATA (a kernel reads TFSRE0_EL1 on every entry
    // from EL0).
    expect(mrsChecks(SysReg.TFSRE0_EL1)).toEqual({ minEl: 1, spSel: false, hcrMask: 0n, ...none, mteMin: 2, ataTrap: true });
    expect(mrsChecks(SysReg.GCR_EL1)).toMatchObject({ mteMin: 2, ataTrap: true });
    expect(mrsChecks(SysReg.GMID_EL1)).toMatchObject({ mteMin: 2, ataTrap: false, hcrMask: 1n << 58n }); // TID5
    // FP access and EL2-only registers: always the handler.
    for (const name of ['FPCR', 'HCR_EL2', 'VTTBR_EL2'] as const) {
      expect(SysReg[name], name).toBeGreaterThanOrEqual(0);
      expect(mrsChecks(SysReg[name]), name).toBeUndefined();
    }
  });

  it('every register msrChecks answers: writeSysReg stores the value, masked, in its slot and changes nothing else', () => {
    const cpu = new Cpu({} as MemoryPort);
    let seed = 0x9abc_def0n;
    const next = (): bigint => (seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffff_ffff_ffff_ffffn);
    let answered = 0;
    for (let id = 0; id < SYSREG_DEFS.length; id++) {
      const checks = msrChecks(id);
      if (checks === undefined) continue;
      answered++;
      for (let round = 0; round < 3; round++) {
        for (let j = 0; j < SYSREG_DEFS.length; j++) cpu.sys[j] = next();
        cpu.spEl[0] = next();
        cpu.spEl[1] = next();
        const before = { sys: [...cpu.sys], sp: [...cpu.spEl], pstate: [cpu.daif, cpu.nzcv, cpu.pan, cpu.tco, cpu.fpcr] };
        const v = next();
        writeSysReg(cpu, id, v);
        const name = SYSREG_DEFS[id]!.name;
        const sys = [...before.sys];
        const sp = [...before.sp];
        if (id === SysReg.SP_EL0) sp[0] = v;
        else sys[id] = v & checks.mask;
        expect({ sys: [...cpu.sys], sp: [...cpu.spEl] }, name).toEqual({ sys, sp });
        expect([cpu.daif, cpu.nzcv, cpu.pan, cpu.tco, cpu.fpcr], name).toEqual(before.pstate);
      }
    }
    expect(answered).toBeGreaterThan(20);
    expect(msrChecks(SysReg.ELR_EL1)).toEqual({ minEl: 1, spSel: false, hcrMask: 0n, mteMin: 0, ataTrap: false, mask: -1n });
    expect(msrChecks(SysReg.SP_EL0)).toEqual({ minEl: 1, spSel: true, hcrMask: 0n, mteMin: 0, ataTrap: false, mask: -1n });
    expect(msrChecks(SysReg.TPIDR_EL0)?.minEl).toBe(0);
    expect(msrChecks(SysReg.TPIDRRO_EL0)?.minEl).toBe(1); // read-only at EL0
    expect(msrChecks(SysReg.ESR_EL1)?.hcrMask).toBe(HCR.TVM);
    expect(msrChecks(SysReg.GCR_EL1)).toEqual({ minEl: 1, spSel: false, hcrMask: 0n, mteMin: 2, ataTrap: true, mask: 0x1_ffffn });
    // PSTATE and FP registers (cached by the CPU), translation controls (the TLB), timers (a deadline), debug
    // registers, read-only and EL2 registers: always the handler.
    for (const name of ['DAIF', 'NZCV', 'SPSel', 'TCO', 'FPCR', 'CPACR_EL1', 'SCTLR_EL1', 'TTBR0_EL1', 'TCR_EL1', 'MAIR_EL1',
      'CNTV_CVAL_EL0', 'CNTP_CTL_EL0', 'MDSCR_EL1', 'OSLAR_EL1', 'MIDR_EL1', 'HCR_EL2', 'VTTBR_EL2'] as const) {
      expect(SysReg[name], name).toBeGreaterThanOrEqual(0);
      expect(msrChecks(SysReg[name]), name).toBeUndefined();
    }
  });
});
