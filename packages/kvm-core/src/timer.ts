/**
 * The EL1 generic timers of a vCPU as KVM provides them: the virtual timer (PPI 27) and the physical timer
 * (PPI 30), over the VM clock (vm-clock.ts), with KVM's VM-wide counter offsets.
 *
 * - Counts: the guest's physical count is the VM clock less `poffset`, its virtual count the VM clock less
 *   `voffset` (both VM-wide, 0 at creation). The CPU reads its physical count through this file's
 *   {@link VcpuTimers} (aarch64-cpu ports.ts CounterPort) and subtracts CNTVOFF_EL2, which is kept at
 *   voffset - poffset in every vCPU's CPU.
 * - Output: a timer's interrupt line is ENABLE && !IMASK && ISTATUS (count >= CVAL, unsigned), level-sensitive,
 *   fed to the in-kernel vGIC with setLevel for the vCPU's PPI. Without a vGIC (or before it is initialised) the
 *   timers count and report ISTATUS but signal nothing. The lines are re-evaluated at every entry to the guest and
 *   every return from the CPU, when the guest writes a timer's CTL/CVAL/TVAL (the CPU's `timerWritten`, which ends
 *   the run so the next deadline bounds the following one), at WFI, and whenever the VMM asks whether an IRQ is
 *   pending.
 * - ONE_REG: KVM_REG_ARM_TIMER_CTL/CVAL/CNT and KVM_REG_ARM_PTIMER_CTL/CVAL/CNT (uapi.ts; Linux's ids, whose
 *   TIMER_CVAL and TIMER_CNT encodings are swapped). CTL reads with ISTATUS computed and is written without it;
 *   writing CNT sets the VM's offset so the count reads the value written (TIMER_CNT: voffset, PTIMER_CNT: poffset),
 *   as Linux does without KVM_ARM_SET_COUNTER_OFFSET.
 */
import { type CounterLinear, type Cpu, type CounterPort, SysReg } from '@kvm-mte/aarch64-cpu';
import {
  KVM_REG_ARM_PTIMER_CNT, KVM_REG_ARM_PTIMER_CTL, KVM_REG_ARM_PTIMER_CVAL, KVM_REG_ARM_TIMER_CNT,
  KVM_REG_ARM_TIMER_CTL, KVM_REG_ARM_TIMER_CVAL,
} from './uapi.js';
import type { VgicDevice } from './vgic-device.js';
import type { VmClock } from './vm-clock.js';

/** CNTx_CTL_EL0 bits. */
export const CTL_ENABLE = 1n;
export const CTL_IMASK = 2n;
export const CTL_ISTATUS = 4n;
/** The PPIs of the EL1 virtual and physical timers (QEMU virt, and KVM's defaults). */
export const VTIMER_PPI = 27;
export const PTIMER_PPI = 30;
/** The ONE_REG ids of the timers, in KVM_GET_REG_LIST's order. */
export const TIMER_REG_IDS: readonly bigint[] = [
  KVM_REG_ARM_TIMER_CTL, KVM_REG_ARM_TIMER_CNT, KVM_REG_ARM_TIMER_CVAL,
  KVM_REG_ARM_PTIMER_CTL, KVM_REG_ARM_PTIMER_CNT, KVM_REG_ARM_PTIMER_CVAL,
];
/**
 * Host clock: the most instructions one CPU run may take while a timer is armed, so its deadline is seen within
 * about this many instructions (tens of microseconds) of host time.
 */
export const HOST_TIMER_SLICE = 16_384;

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** ISTATUS: the timer is enabled and its condition is met (count >= CVAL, unsigned 64-bit). */
export function timerCondition(ctl: bigint, cval: bigint, count: bigint): boolean {
  return (ctl & CTL_ENABLE) !== 0n && count >= cval;
}

/** The timer's interrupt output: ENABLE && !IMASK && ISTATUS. */
export function timerLevel(ctl: bigint, cval: bigint, count: bigint): boolean {
  return (ctl & (CTL_ENABLE | CTL_IMASK)) === CTL_ENABLE && count >= cval;
}

/**
 * Ticks until the timer's output rises: 0 when it is high now, undefined when it cannot rise by the count
 * advancing (disabled or masked).
 */
export function ticksUntilLevel(ctl: bigint, cval: bigint, count: bigint): bigint | undefined {
  if ((ctl & (CTL_ENABLE | CTL_IMASK)) !== CTL_ENABLE) return undefined;
  return count >= cval ? 0n : cval - count;
}

/** A VM's counter offsets (KVM's voffset and poffset) over its clock. */
export class VmTimers {
  /** The virtual offset: virtual count = clock - voffset. */
  voffset = 0n;
  /** The physical offset: physical count = clock - poffset. */
  poffset = 0n;

  constructor(readonly clock: VmClock) {}

  physicalCount(): bigint {
    return U64(this.clock.now() - this.poffset);
  }

  virtualCount(): bigint {
    return U64(this.clock.now() - this.voffset);
  }
}

/** What a vCPU's timers need of their VM. */
export interface TimerHost {
  readonly timers: VmTimers;
  readonly vgic: VgicDevice | undefined;
}

/** One vCPU's two EL1 timers; also its CPU's counter port. */
export class VcpuTimers implements CounterPort {
  private cpu: Cpu | undefined;

  constructor(private readonly host: TimerHost, private readonly index: number) {}

  /** Give a (new) CPU of the vCPU its counter: the port and CNTVOFF_EL2. */
  attach(cpu: Cpu): void {
    this.cpu = cpu;
    cpu.counterPort = this;
    this.syncOffset();
  }

  /** Put the VM's offsets into the CPU's CNTVOFF_EL2 (after either changed). */
  syncOffset(): void {
    const t = this.host.timers;
    if (this.cpu !== undefined) this.cpu.sys[SysReg.CNTVOFF_EL2] = U64(t.voffset - t.poffset);
  }

  /** CounterPort: the guest's physical count. */
  count(): bigint {
    return this.host.timers.physicalCount();
  }

  /**
   * CounterPort: with the deterministic clock, the physical count as a linear function of the CPU's retired count for
   * the run starting now (nothing else moves the VM clock while one vCPU runs; the offsets change only between runs).
   */
  linear(): CounterLinear | undefined {
    const cpu = this.cpu;
    if (cpu === undefined) return undefined;
    const timers = this.host.timers;
    const form = timers.clock.linearIn(cpu.insnCount);
    return form === undefined ? undefined : { base: U64(form.base - timers.poffset), ticksPerInstruction: form.ticksPerInstruction };
  }

  /**
   * CounterPort: the guest wrote a timer's CTL, CVAL or TVAL. The outputs follow at once; the run ends when a timer
   * now waits for a deadline, so the caller bounds the next run by it.
   */
  timerWritten(): boolean {
    this.update();
    const t = this.ticksUntilNext();
    return t !== undefined && t > 0n;
  }

  /** Re-evaluate both timers' outputs and drive the vGIC's PPIs where they changed. */
  update(): void {
    const cpu = this.cpu;
    const model = this.host.vgic?.model;
    if (cpu === undefined || model === undefined) return;
    const s = cpu.sys;
    const vctl = s[SysReg.CNTV_CTL_EL0]!;
    const pctl = s[SysReg.CNTP_CTL_EL0]!;
    const v = this.index;
    const vIrq = model.irqs.get(v, VTIMER_PPI);
    const pIrq = model.irqs.get(v, PTIMER_PPI);
    // Fast path: both timers off and both lines low.
    if ((vctl & CTL_ENABLE) === 0n && (pctl & CTL_ENABLE) === 0n && vIrq?.lineLevel !== true && pIrq?.lineLevel !== true) return;
    const timers = this.host.timers;
    const now = timers.clock.now();
    const vLevel = timerLevel(vctl, s[SysReg.CNTV_CVAL_EL0]!, U64(now - timers.voffset));
    const pLevel = timerLevel(pctl, s[SysReg.CNTP_CVAL_EL0]!, U64(now - timers.poffset));
    if (vIrq !== undefined && vIrq.lineLevel !== vLevel) model.setLevel(VTIMER_PPI, v, vLevel);
    if (pIrq !== undefined && pIrq.lineLevel !== pLevel) model.setLevel(PTIMER_PPI, v, pLevel);
  }

  /**
   * VM clock ticks until the first of this vCPU's timers raises its output: 0 when one is high now, undefined when
   * neither is enabled and unmasked.
   */
  ticksUntilNext(now = this.host.timers.clock.now()): bigint | undefined {
    const cpu = this.cpu;
    if (cpu === undefined) return undefined;
    const s = cpu.sys;
    const timers = this.host.timers;
    const vctl = s[SysReg.CNTV_CTL_EL0]!;
    const pctl = s[SysReg.CNTP_CTL_EL0]!;
    if ((vctl & CTL_ENABLE) === 0n && (pctl & CTL_ENABLE) === 0n) return undefined;
    const a = ticksUntilLevel(vctl, s[SysReg.CNTV_CVAL_EL0]!, U64(now - timers.voffset));
    const b = ticksUntilLevel(pctl, s[SysReg.CNTP_CVAL_EL0]!, U64(now - timers.poffset));
    return a === undefined ? b : b === undefined || a < b ? a : b;
  }

  /** The VM clock value at which the first timer's output rises (at or before now when one is high), if any. */
  deadline(): bigint | undefined {
    const now = this.host.timers.clock.now();
    const t = this.ticksUntilNext(now);
    return t === undefined ? undefined : now + t;
  }

  /**
   * How many steps the next CPU run may take, at most `budget`, so that it ends when a timer's deadline comes:
   * deterministic clock: exactly the instructions until the deadline (each retired one advances the clock); host
   * clock: at most {@link HOST_TIMER_SLICE} while a timer is armed.
   */
  runBound(budget: number): number {
    const t = this.ticksUntilNext();
    if (t === undefined || t === 0n) return budget;
    const per = this.host.timers.clock.ticksPerInstruction;
    if (per === 0n) return Math.min(budget, HOST_TIMER_SLICE);
    const n = (t + per - 1n) / per;
    return n < BigInt(budget) ? Number(n) : budget;
  }

  /** Whether `id` is one of the timers' ONE_REG ids. */
  static isTimerReg(id: bigint): boolean {
    return TIMER_REG_IDS.includes(id);
  }

  /** KVM_GET_ONE_REG of a timer register ({@link isTimerReg}). */
  getReg(id: bigint): bigint {
    const s = this.cpu!.sys;
    const timers = this.host.timers;
    switch (id) {
      case KVM_REG_ARM_TIMER_CTL: {
        const ctl = s[SysReg.CNTV_CTL_EL0]! & 3n;
        return timerCondition(ctl, s[SysReg.CNTV_CVAL_EL0]!, timers.virtualCount()) ? ctl | CTL_ISTATUS : ctl;
      }
      case KVM_REG_ARM_PTIMER_CTL: {
        const ctl = s[SysReg.CNTP_CTL_EL0]! & 3n;
        return timerCondition(ctl, s[SysReg.CNTP_CVAL_EL0]!, timers.physicalCount()) ? ctl | CTL_ISTATUS : ctl;
      }
      case KVM_REG_ARM_TIMER_CVAL: return s[SysReg.CNTV_CVAL_EL0]!;
      case KVM_REG_ARM_PTIMER_CVAL: return s[SysReg.CNTP_CVAL_EL0]!;
      case KVM_REG_ARM_TIMER_CNT: return timers.virtualCount();
      case KVM_REG_ARM_PTIMER_CNT: return timers.physicalCount();
      default: throw new RangeError(`0x${id.toString(16)} is not a timer register`);
    }
  }

  /**
   * KVM_SET_ONE_REG of a timer register: CTL without ISTATUS, CVAL as is, CNT sets the VM-wide offset so the count
   * reads `value` now (every vCPU's: `allVcpus` are re-synchronised). The outputs follow.
   */
  setReg(id: bigint, value: bigint, allVcpus: readonly VcpuTimers[]): void {
    const s = this.cpu!.sys;
    const timers = this.host.timers;
    switch (id) {
      case KVM_REG_ARM_TIMER_CTL: s[SysReg.CNTV_CTL_EL0] = value & 3n; break;
      case KVM_REG_ARM_PTIMER_CTL: s[SysReg.CNTP_CTL_EL0] = value & 3n; break;
      case KVM_REG_ARM_TIMER_CVAL: s[SysReg.CNTV_CVAL_EL0] = value; break;
      case KVM_REG_ARM_PTIMER_CVAL: s[SysReg.CNTP_CVAL_EL0] = value; break;
      case KVM_REG_ARM_TIMER_CNT:
      case KVM_REG_ARM_PTIMER_CNT: {
        const offset = U64(timers.clock.now() - value);
        if (id === KVM_REG_ARM_TIMER_CNT) timers.voffset = offset;
        else timers.poffset = offset;
        for (const t of allVcpus) {
          t.syncOffset();
          t.update();
        }
        return;
      }
      default: throw new RangeError(`0x${id.toString(16)} is not a timer register`);
    }
    this.update();
  }
}
