import { describe, expect, it } from 'vitest';
import { Stop } from './exits.js';
import type { CounterPort } from './ports.js';
import { SysReg } from './sysregs.js';
import { run } from './testing/vector-stop.js';

// mrs x0, cntpct_el0; mrs x1, cntvct_el0; msr cntv_cval_el0, x2; msr cntv_ctl_el0, x3; nop; msr cntp_tval_el0, x2
const MRS_X0_CNTPCT = 0xd53be020;
const MRS_X1_CNTVCT = 0xd53be041;
const MSR_CNTV_CVAL_X2 = 0xd51be342;
const MSR_CNTV_CTL_X3 = 0xd51be323;
const MSR_CNTP_TVAL_X2 = 0xd51be202;
const MSR_TPIDR_EL1_X2 = 0xd518d082;
const NOP = 0xd503201f;

/** A counter port that reads `now` and records timer writes, asking to end the run when `end` says so. */
function port(now: { t: bigint }, end: boolean): CounterPort & { writes: number } {
  const p = {
    writes: 0,
    count: () => now.t,
    timerWritten: () => {
      p.writes++;
      return end;
    },
  };
  return p;
}

describe('the counter port (ports.ts CounterPort)', () => {
  it('gives CNTPCT_EL0, and CNTVCT_EL0 less CNTVOFF_EL2, instead of the instruction count', () => {
    const now = { t: 1_000_000n };
    const r = run([MRS_X0_CNTPCT, MRS_X1_CNTVCT], { setup: (c) => {
      c.counterPort = port(now, false);
      c.sys[SysReg.CNTVOFF_EL2] = 400n;
    } });
    expect(r.cpu.x[0]).toBe(1_000_000n);
    expect(r.cpu.x[1]).toBe(999_600n);
  });

  it('is told of every timer CTL/CVAL/TVAL write, and a true answer ends the run after the MSR', () => {
    const now = { t: 50n };
    const p = port(now, true);
    const r = run([MSR_CNTV_CVAL_X2, MSR_CNTV_CTL_X3, NOP], { setup: (c) => {
      c.counterPort = p;
      c.x[2] = 70n;
      c.x[3] = 1n;
    }, max: 3 });
    expect(r.stop).toBe(Stop.TimerWrite);
    expect(p.writes).toBe(1);
    expect(r.cpu.sys[SysReg.CNTV_CVAL_EL0]).toBe(70n); // the write completed
    expect(r.cpu.pc).toBe(0x4000_0004n); // and the PC is past it
    expect(r.cpu.insnCount).toBe(1);
    // The next run goes on after it: the CTL write ends that one too.
    expect(r.cpu.run(3)).toBe(Stop.TimerWrite);
    expect(r.cpu.sys[SysReg.CNTV_CTL_EL0]).toBe(1n);
    expect(p.writes).toBe(2);
  });

  it('a false answer, or a write to another register, does not end the run', () => {
    const now = { t: 0n };
    const p = port(now, false);
    const r = run([MSR_CNTP_TVAL_X2, MSR_TPIDR_EL1_X2, NOP], { setup: (c) => {
      c.counterPort = p;
      c.x[2] = 5n;
    }, max: 3 });
    expect(r.stop).toBe(Stop.Budget);
    expect(p.writes).toBe(1);
    expect(r.cpu.sys[SysReg.CNTP_CVAL_EL0]).toBe(5n);
  });
});
