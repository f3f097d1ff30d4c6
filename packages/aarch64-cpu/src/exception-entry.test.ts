/**
 * Exception entry (Cpu.enterEl1 / takeGuestException) and the state it writes, which the CPU computes on the system
 * registers' 32-bit halves in the state block (cpu.ts `enter`): the syndrome's two halves, SPSR_EL1 with NZCV's top
 * bit set, ELR_EL1 and FAR_EL1, SCTLR_EL1's SPAN and DSSBS, and the vector from VBAR_EL1 (its cached vectors follow
 * every change of VBAR_EL1, either half).
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { GuestException } from './exceptions.js';
import { SysReg } from './sysregs.js';
import { FlatMemory } from './testing/flat-memory.js';

describe('exception entry', () => {
  it('writes the syndrome, SPSR, ELR, FAR and takes the vector of the current VBAR_EL1', () => {
    const cpu = new Cpu(new FlatMemory());
    cpu.el = 0;
    cpu.spsel = 0;
    cpu.nzcv = 0b1001;
    cpu.daif = 0;
    cpu.sys[SysReg.VBAR_EL1] = 0xffff_8000_1234_5800n;
    cpu.sys[SysReg.SCTLR_EL1] = (1n << 44n) | (1n << 23n); // DSSBS, SPAN (PAN stays)
    // A data abort with ISS2 (ESR[55:32]) and a FAR, from EL0: vector + 0x400.
    cpu.takeGuestException(new GuestException(0x24, 0x1ff_fff0, false, 0xdead_beef_0000_1234n, 1, 0xab_cdef), 0x4000n);
    expect(cpu.sys[SysReg.ESR_EL1]).toBe((0xab_cdefn << 32n) | (0x24n << 26n) | (1n << 25n) | 0x1ff_fff0n);
    expect(cpu.sys[SysReg.FAR_EL1]).toBe(0xdead_beef_0000_1234n);
    expect(cpu.sys[SysReg.ELR_EL1]).toBe(0x4000n);
    expect(cpu.sys[SysReg.SPSR_EL1]).toBe(0x9000_0000n); // N, V; EL0t, DAIF clear
    expect(cpu.pc).toBe(0xffff_8000_1234_5c00n);
    expect([cpu.el, cpu.spsel, cpu.daif, cpu.pan, cpu.ssbs]).toEqual([1, 1, 0xf, 0, 1]);

    // VBAR_EL1 changes (its low half, then only its high half; bits [10:0] are ignored): each entry follows it.
    cpu.sys[SysReg.VBAR_EL1] = 0xffff_8000_0000_07ffn;
    cpu.sys[SysReg.SCTLR_EL1] = 0n; // SPAN = 0 sets PAN; DSSBS = 0
    cpu.takeGuestException(new GuestException(0x15, 7, true), 0x8000n); // SVC from EL1h: + 0x200, ELR the next
    expect(cpu.pc).toBe(0xffff_8000_0000_0200n);
    expect(cpu.sys[SysReg.ELR_EL1]).toBe(0x8004n);
    expect(cpu.sys[SysReg.ESR_EL1]).toBe((0x15n << 26n) | (1n << 25n) | 7n);
    expect(cpu.sys[SysReg.SPSR_EL1]! & 0x3ffn).toBe(0x3c5n); // DAIF masked, EL1h
    expect([cpu.pan, cpu.ssbs]).toEqual([1, 0]);
    cpu.sys[SysReg.VBAR_EL1] = 0x0000_0001_0000_0000n;
    cpu.enterEl1(0x80, 0n, 0x9000n); // an IRQ: ESR unchanged
    expect(cpu.pc).toBe(0x0000_0001_0000_0280n);
    expect(cpu.sys[SysReg.ESR_EL1]).toBe((0x15n << 26n) | (1n << 25n) | 7n);
  });
});
