// The hypervisor's debug of the guest (debug.ts HostDebug, `cpu.hostDebug`: MDCR_EL2.TDE with the hypervisor's own
// MDSCR_EL1.SS/MDE and breakpoint/watchpoint registers): debug exceptions and BRK become traps to EL2 with the
// lower-EL classes, whatever the guest's KDE, PSTATE.D and OS lock, and the guest's own debug registers are neither
// used (with `hardware`) nor changed.
import { describe, expect, it } from 'vitest';
import type { Cpu } from './cpu.js';
import { HostDebug } from './debug.js';
import { Stop } from './exits.js';
import { SysReg } from './sysregs.js';
import { BASE, run } from './testing/vector-stop.js';

const W = {
  add1: 0x91000400 /* add x0, x0, #1 */, strx: 0xf9000022 /* str x2, [x1] */, brk7: 0xd42000e0 /* brk #7 */,
  eret: 0xd69f03e0, msrMdscr: 0xd5100241 /* msr mdscr_el1, x1 */, mrsMdscr: 0xd5300243 /* mrs x3, mdscr_el1 */,
};
const at = (k: number): bigint => BASE + BigInt(4 * k);
const DATA = BASE + 0x4000n;
const MDE = 1n << 15n;
/** DBGBCR: enabled, PMC = EL1 and EL0, BAS = 0b1111. */
const BCR_EL1_EL0 = BigInt(1 | (3 << 1) | (0xf << 5));
/** DBGWCR: enabled, PAC = EL1 and EL0, LSC = store, BAS = all 8 bytes. */
const WCR_STORE = BigInt(1 | (3 << 1) | (2 << 3) | (0xff << 5));

/** Run `words` at EL1 with PSTATE.D set, the guest's OS lock set (reset) and `host` debugging. */
function go(words: readonly number[], host: HostDebug | undefined, setup?: (cpu: Cpu) => void) {
  return run(words, {
    setup: (cpu) => {
      cpu.x[1] = DATA;
      cpu.x[2] = 0x55n;
      cpu.hostDebug = host;
      setup?.(cpu);
    },
  });
}

const ec = (cpu: Cpu): number => Number((cpu.el2.esr >> 26n) & 0x3fn);
const iss = (cpu: Cpu): number => Number(cpu.el2.esr & 0x1ff_ffffn);
const guestEsr = (cpu: Cpu): bigint => cpu.sys[SysReg.ESR_EL1]!;

describe('hostDebug (MDCR_EL2.TDE): debug exceptions are traps to EL2', () => {
  it('BRK traps to EL2 with EC 0x3C and its comment, the PC on the BRK, nothing taken at EL1', () => {
    const r = go([W.add1, W.brk7, W.add1], new HostDebug());
    expect(r.stop).toBe(Stop.TrapEl2);
    expect([ec(r.cpu), iss(r.cpu)]).toEqual([0x3c, 7]);
    expect((r.cpu.el2.esr >> 25n) & 1n).toBe(1n); // IL
    expect(r.cpu.pc).toBe(at(1));
    expect(r.cpu.x[0]).toBe(1n);
    expect(guestEsr(r.cpu)).toBe(0n);
    expect(r.cpu.daif).toBe(0xf);
  });

  it('without hostDebug BRK is the guest\'s Breakpoint instruction exception (EC 0x3C at EL1)', () => {
    const r = go([W.brk7], undefined);
    expect(Number(guestEsr(r.cpu) >> 26n)).toBe(0x3c);
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(at(0));
  });

  it('software step: one instruction, then EC 0x32 with ISV, the PC on the next; from EL1 with D masked and the OS lock set', () => {
    const h = new HostDebug();
    h.step = true;
    const r = go([W.add1, W.add1, W.add1], h, (cpu) => (cpu.pstateSs = 1));
    expect(r.stop).toBe(Stop.TrapEl2);
    expect([ec(r.cpu), iss(r.cpu)]).toEqual([0x32, (1 << 24) | 0x22]);
    expect(r.cpu.pc).toBe(at(1));
    expect(r.cpu.x[0]).toBe(1n);
    expect(r.cpu.pstateSs).toBe(0);
    expect(r.cpu.sys[SysReg.MDSCR_EL1]).toBe(0n); // the guest's MDSCR_EL1 is not the one in use
  });

  it('software step active-pending (PSTATE.SS = 0): the trap is taken before any instruction, ISV = 0', () => {
    const h = new HostDebug();
    h.step = true;
    const r = go([W.add1, W.add1], h);
    expect([ec(r.cpu), iss(r.cpu)]).toEqual([0x32, 0x22]);
    expect(r.cpu.pc).toBe(at(0));
    expect(r.cpu.x[0]).toBe(0n);
  });

  it('the guest reads and writes its own MDSCR_EL1 while stepped; its SS bit does not step it', () => {
    const h = new HostDebug();
    h.step = true;
    const r = go([W.msrMdscr, W.mrsMdscr], h, (cpu) => {
      cpu.pstateSs = 1;
      cpu.x[1] = MDE | 1n;
    });
    expect(ec(r.cpu)).toBe(0x32);
    expect(r.cpu.sys[SysReg.MDSCR_EL1]).toBe(MDE | 1n);
    r.cpu.pstateSs = 1;
    expect(r.cpu.run(10)).toBe(Stop.TrapEl2);
    expect(r.cpu.x[3]).toBe(MDE | 1n);
    expect(r.cpu.pc).toBe(at(2));
  });

  it('stepping an ERET traps at its target (PSTATE.SS from the return is 0: active-pending there)', () => {
    const h = new HostDebug();
    h.step = true;
    const r = go([W.eret, W.add1, W.add1], h, (cpu) => {
      cpu.pstateSs = 1;
      cpu.sys[SysReg.ELR_EL1] = at(2);
      cpu.sys[SysReg.SPSR_EL1] = 0x3c5n | (1n << 21n);
    });
    expect([ec(r.cpu), iss(r.cpu)]).toEqual([0x32, 0x22]);
    expect(r.cpu.pc).toBe(at(2));
    expect(r.cpu.x[0]).toBe(0n);
  });

  it('a hypervisor breakpoint (hardware) traps with EC 0x30 before its instruction; the guest\'s registers are unused and unchanged', () => {
    const h = new HostDebug();
    h.hardware = true;
    h.bcrs[3] = BCR_EL1_EL0;
    h.bvrs[3] = at(2);
    const r = go([W.add1, W.add1, W.add1, W.add1], h, (cpu) => {
      // The guest's own breakpoint at at(1), enabled with MDE: not the registers in use.
      cpu.sys[SysReg.MDSCR_EL1] = MDE;
      cpu.sys[SysReg.OSLSR_EL1] = cpu.sys[SysReg.OSLSR_EL1]! & ~2n;
      cpu.sys[SysReg.DBGBCR0_EL1] = BCR_EL1_EL0;
      cpu.sys[SysReg.DBGBVR0_EL1] = at(1);
    });
    expect([ec(r.cpu), iss(r.cpu)]).toEqual([0x30, 0x22]);
    expect(r.cpu.pc).toBe(at(2));
    expect(r.cpu.x[0]).toBe(2n);
    expect(r.cpu.sys[SysReg.DBGBVR0_EL1]).toBe(at(1));
    expect(r.cpu.sys[SysReg.MDSCR_EL1]).toBe(MDE);
  });

  it('without hardware the guest\'s enabled breakpoints (MDE, no OS lock) trap to EL2 too, as under Linux', () => {
    const r = go([W.add1, W.add1, W.add1], new HostDebug(), (cpu) => {
      cpu.sys[SysReg.MDSCR_EL1] = MDE;
      cpu.sys[SysReg.OSLSR_EL1] = cpu.sys[SysReg.OSLSR_EL1]! & ~2n;
      cpu.sys[SysReg.DBGBCR0_EL1] = BCR_EL1_EL0;
      cpu.sys[SysReg.DBGBVR0_EL1] = at(1);
    });
    expect(ec(r.cpu)).toBe(0x30);
    expect(r.cpu.pc).toBe(at(1));
  });

  it('a hypervisor watchpoint traps with EC 0x34, WnR and FAR_EL2, before the store', () => {
    const h = new HostDebug();
    h.hardware = true;
    h.wcrs[2] = WCR_STORE;
    h.wvrs[2] = DATA;
    const r = go([W.add1, W.strx, W.add1], h);
    expect([ec(r.cpu), iss(r.cpu)]).toEqual([0x34, (1 << 6) | 0x22]);
    expect(r.cpu.el2.far).toBe(DATA);
    expect(r.cpu.pc).toBe(at(1));
    expect(r.mem.view.getBigUint64(Number(DATA) - r.mem.base, true)).toBe(0n);
  });

  it('clearing hostDebug gives debug back to the guest (a later BRK is its own again)', () => {
    const r = go([W.brk7], new HostDebug());
    expect(r.stop).toBe(Stop.TrapEl2);
    r.cpu.hostDebug = undefined;
    r.cpu.debugChanged();
    r.cpu.run(1);
    expect(Number(guestEsr(r.cpu) >> 26n)).toBe(0x3c);
  });
});
