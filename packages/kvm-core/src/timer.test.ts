import { Cpu, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import {
  arm64SysReg, CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_REG_ARM_PTIMER_CNT, KVM_REG_ARM_PTIMER_CTL,
  KVM_REG_ARM_PTIMER_CVAL, KVM_REG_ARM_TIMER_CNT, KVM_REG_ARM_TIMER_CTL, KVM_REG_ARM_TIMER_CVAL,
} from './uapi.js';
import { ticksUntilLevel, timerCondition, timerLevel, TIMER_REG_IDS, VcpuTimers, VmTimers } from './timer.js';
import { VmClock } from './vm-clock.js';
import { testKvm } from './testing/setup.js';
import { A64 } from './testing/a64.js';
import { errnoOf } from './testing/setup.js';

const MAX = (1n << 64n) - 1n;

describe('timer logic', () => {
  it('the output is ENABLE && !IMASK && count >= CVAL; ISTATUS ignores IMASK', () => {
    expect(timerLevel(1n, 100n, 99n)).toBe(false);
    expect(timerLevel(1n, 100n, 100n)).toBe(true);
    expect(timerLevel(3n, 100n, 200n)).toBe(false); // masked
    expect(timerCondition(3n, 100n, 200n)).toBe(true); // but the condition holds
    expect(timerLevel(0n, 100n, 200n)).toBe(false); // disabled
    expect(timerCondition(0n, 100n, 200n)).toBe(false);
    expect(timerLevel(1n, MAX, MAX - 1n)).toBe(false); // the comparison is unsigned 64-bit
    expect(timerLevel(1n, 0n, MAX)).toBe(true);
  });

  it('ticks until the output rises: 0 when high, undefined when disabled or masked', () => {
    expect(ticksUntilLevel(1n, 1000n, 400n)).toBe(600n);
    expect(ticksUntilLevel(1n, 1000n, 1000n)).toBe(0n);
    expect(ticksUntilLevel(1n, 1000n, 5000n)).toBe(0n);
    expect(ticksUntilLevel(3n, 1000n, 400n)).toBeUndefined();
    expect(ticksUntilLevel(0n, 1000n, 400n)).toBeUndefined();
  });
});

describe('the VM clock', () => {
  it('deterministic: 2^shift ticks per instruction retired, plus advanceTo jumps', () => {
    let n = 0;
    const c = new VmClock({ mode: 'deterministic', shift: 3 }, () => n);
    expect(c.now()).toBe(0n);
    n = 10;
    expect(c.now()).toBe(80n);
    c.advanceTo(1000n);
    expect(c.now()).toBe(1000n);
    c.advanceTo(500n); // never back
    expect(c.now()).toBe(1000n);
    n = 11;
    expect(c.now()).toBe(1008n);
    expect(c.ticksPerInstruction).toBe(8n);
  });

  it('host: follows host ns at 1 GHz from 0, never decreases, cannot be advanced', () => {
    let t = 5_000_000n;
    const c = new VmClock({ mode: 'host', nowNs: () => t }, () => 0);
    expect(c.now()).toBe(0n);
    t += 1234n;
    expect(c.now()).toBe(1234n);
    t -= 1000n; // a host clock going back
    expect(c.now()).toBe(1234n);
    expect(c.nsUntil(2000n)).toBe(766n);
    expect(errnoOf(() => c.advanceTo(10n))).toBe('EINVAL');
  });

  it('linearIn: deterministic, the count less `own` instructions\' ticks; undefined in host mode or while held back', () => {
    let n = 10;
    const c = new VmClock({ mode: 'deterministic', shift: 3 }, () => n);
    expect(c.linearIn(4)).toEqual({ base: 48n, ticksPerInstruction: 8n }); // 80 = 48 + 4 x 8
    c.advanceTo(1000n);
    expect(c.linearIn(4)).toEqual({ base: 968n, ticksPerInstruction: 8n });
    n = 5; // the count went back (a restored vCPU): now() holds 1000, which no linear form gives
    expect(c.now()).toBe(1000n);
    expect(c.linearIn(0)).toBeUndefined();
    expect(new VmClock({ mode: 'host', nowNs: () => 0n }, () => 0).linearIn(0)).toBeUndefined();
  });

  it('a vCPU\'s counter port: its linear form gives what count() gives, whatever the CPU retires in the run', () => {
    const others = { n: 1234 };
    let cpu: Cpu | undefined;
    const timers = new VmTimers(new VmClock({ mode: 'deterministic', shift: 3 }, () => others.n + (cpu?.insnCount ?? 0)));
    const port = new VcpuTimers({ timers, vgic: undefined }, 0);
    cpu = new Cpu({} as MemoryPort);
    port.attach(cpu);
    for (const [poffset, skip] of [[0n, 0n], [5000n, 0n], [MAX - 3n, 77n], [123_456_789n, 1n << 40n]] as const) {
      timers.poffset = poffset;
      timers.clock.advanceTo(timers.clock.now() + skip);
      others.n += 17; // another vCPU ran between this CPU's runs
      const form = port.linear()!;
      expect(form.ticksPerInstruction).toBe(8n);
      for (const retired of [0, 1, 99, 2 ** 33]) {
        cpu.insnCount += retired;
        expect(BigInt.asUintN(64, form.base + BigInt(cpu.insnCount) * form.ticksPerInstruction)).toBe(port.count());
      }
    }
    // No form while the clock holds a count it reached before; none on a host clock.
    others.n -= 10_000;
    expect(port.linear()).toBeUndefined();
    const host = new VcpuTimers({ timers: new VmTimers(new VmClock({ mode: 'host' }, () => 0)), vgic: undefined }, 0);
    host.attach(new Cpu({} as MemoryPort));
    expect(host.linear()).toBeUndefined();
  });

  it('refuses a bad shift or mode (EINVAL)', () => {
    expect(errnoOf(() => new VmClock({ mode: 'deterministic', shift: 31 }, () => 0))).toBe('EINVAL');
    expect(errnoOf(() => new VmClock({ mode: 'sundial' } as never, () => 0))).toBe('EINVAL');
    const vm = testKvm().createVm();
    vm.hasRun = true;
    expect(errnoOf(() => vm.setClock({ mode: 'deterministic' }))).toBe('EBUSY');
  });
});

/** A VM with `n` initialised vCPUs on a host clock the test sets. */
function timerVm(n = 1) {
  const host = { t: 0n };
  const vm = testKvm().createVm(0, { clock: { mode: 'host', nowNs: () => host.t } });
  const vcpus = [];
  for (let i = 0; i < n; i++) {
    const v = vm.createVcpu(i);
    v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8 });
    vcpus.push(v);
  }
  return { vm, vcpus, host };
}

describe('the timers through ONE_REG (Linux ids and semantics)', () => {
  it('are listed (Linux\'s swapped TIMER_CVAL / TIMER_CNT encodings) and read back', () => {
    const { vcpus: [v] } = timerVm();
    expect(KVM_REG_ARM_TIMER_CVAL).toBe(arm64SysReg(3, 3, 14, 0, 2));
    expect(KVM_REG_ARM_TIMER_CNT).toBe(arm64SysReg(3, 3, 14, 3, 2));
    const list = v!.getRegList();
    for (const id of TIMER_REG_IDS) expect(list).toContain(id);
    v!.setOneReg(KVM_REG_ARM_TIMER_CVAL, 0x1234n);
    v!.setOneReg(KVM_REG_ARM_PTIMER_CVAL, 0x5678n);
    expect([v!.getOneReg(KVM_REG_ARM_TIMER_CVAL), v!.getOneReg(KVM_REG_ARM_PTIMER_CVAL)]).toEqual([0x1234n, 0x5678n]);
  });

  it('CTL reads ISTATUS computed from the count, and is written without it', () => {
    const { vcpus: [v], host } = timerVm();
    v!.setOneReg(KVM_REG_ARM_TIMER_CVAL, 500n);
    v!.setOneReg(KVM_REG_ARM_TIMER_CTL, 0x7n); // ISTATUS written: dropped
    expect(v!.getOneReg(KVM_REG_ARM_TIMER_CTL)).toBe(3n);
    host.t = 500n;
    expect(v!.getOneReg(KVM_REG_ARM_TIMER_CTL)).toBe(7n);
    v!.setOneReg(KVM_REG_ARM_PTIMER_CTL, 1n);
    v!.setOneReg(KVM_REG_ARM_PTIMER_CVAL, 501n);
    expect(v!.getOneReg(KVM_REG_ARM_PTIMER_CTL)).toBe(1n);
    host.t = 501n;
    expect(v!.getOneReg(KVM_REG_ARM_PTIMER_CTL)).toBe(5n);
  });

  it('writing TIMER_CNT sets the VM\'s virtual offset: every vCPU\'s count and CNTVOFF_EL2 follow', () => {
    const { vcpus: [a, b], host } = timerVm(2);
    host.t = 1000n;
    a!.setOneReg(KVM_REG_ARM_TIMER_CNT, 10n);
    expect(a!.getOneReg(KVM_REG_ARM_TIMER_CNT)).toBe(10n);
    expect(b!.getOneReg(KVM_REG_ARM_TIMER_CNT)).toBe(10n);
    host.t = 1500n;
    expect(b!.getOneReg(KVM_REG_ARM_TIMER_CNT)).toBe(510n);
    expect(a!.getOneReg(KVM_REG_ARM_PTIMER_CNT)).toBe(1500n); // the physical count is not offset
    // The guest sees the same through CNTVCT_EL0: run `mrs x0, cntvct_el0; mrs x1, cntpct_el0` on vCPU b.
    expect(virtualAndPhysical(b!)).toEqual([510n, 1500n]);
    // A count set beyond the clock: the offset wraps, the count reads as written.
    a!.setOneReg(KVM_REG_ARM_TIMER_CNT, MAX - 5n);
    expect(a!.getOneReg(KVM_REG_ARM_TIMER_CNT)).toBe(MAX - 5n);
  });

  it('writing PTIMER_CNT sets the physical offset; the virtual count keeps its own (CNTVOFF_EL2 = voffset - poffset)', () => {
    const { vcpus: [v], host } = timerVm();
    host.t = 2000n;
    v!.setOneReg(KVM_REG_ARM_TIMER_CNT, 100n); // voffset 1900
    v!.setOneReg(KVM_REG_ARM_PTIMER_CNT, 50n); // poffset 1950
    host.t = 2010n;
    expect([v!.getOneReg(KVM_REG_ARM_TIMER_CNT), v!.getOneReg(KVM_REG_ARM_PTIMER_CNT)]).toEqual([110n, 60n]);
    expect(virtualAndPhysical(v!)).toEqual([110n, 60n]);
    expect([v!.vm.timers.voffset, v!.vm.timers.poffset]).toEqual([1900n, 1950n]);
  });
});

/** Run `mrs x0, cntvct_el0; mrs x1, cntpct_el0` on `v` (no memory: the words go through a tiny slot). */
function virtualAndPhysical(v: ReturnType<typeof timerVm>['vcpus'][number]): [bigint, bigint] {
  const vm = v.vm;
  const kvm = vm.kvm;
  const ram = kvm.mmap({ size: 0x1000 });
  [A64.mrs(0, 3, 3, 14, 0, 2), A64.mrs(1, 3, 3, 14, 0, 1)].forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  vm.setUserMemoryRegion({ slot: 9, flags: 0, guestPhysAddr: 0x7000_0000, memorySize: 0x1000, mapping: ram });
  v.setOneReg(CoreReg.PC, 0x7000_0000n);
  v.runBudget = 2;
  expect(v.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
  vm.setUserMemoryRegion({ slot: 9, flags: 0, guestPhysAddr: 0x7000_0000, memorySize: 0, mapping: ram });
  return [v.getOneReg(CoreReg.x(0)), v.getOneReg(CoreReg.x(1))];
}
