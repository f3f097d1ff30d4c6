/**
 * The VM clock: the system counter every vCPU of a VM reads (CNTPCT_EL0 before KVM's offsets), in ticks of
 * CNTFRQ_EL0 (1 GHz, QEMU 10's virt with `-cpu max`: one tick per ns), starting at 0 when the VM is created.
 * Two modes:
 *
 * - 'host' (default): the counter follows the host's monotonic clock (`performance.now()`, or an injected
 *   `nowNs`), as a hardware counter would under real KVM. Never decreases, even if the injected clock does.
 * - 'deterministic': the counter is derived from the guest alone: every instruction retired by any vCPU of the VM
 *   advances it by 2^shift ticks (shift 3: 8 ns, a 125 MHz guest, as QEMU's `-icount shift=3`), plus the jumps a
 *   VMM makes with {@link VmClock.advanceTo} while every vCPU is idle (the documented rule: when all vCPUs wait in
 *   WFI, the clock jumps to the earliest timer deadline). Two runs of the same guest read the same counts.
 *
 * The counter is the VM's, shared by its vCPUs (which run one at a time), so a count one vCPU reads is never
 * larger than one another vCPU reads later. Snapshots keep it continuous through KVM's counter registers
 * (timer.ts: writing KVM_REG_ARM_TIMER_CNT sets the VM's virtual offset), not through this clock.
 */
import { IMPL } from '@kvm-mte/aarch64-cpu';
import { fail } from './errors.js';

export type VmClockMode = 'host' | 'deterministic';

/** How a VM's clock runs (VmOptions.clock, Vm.setClock). */
export type VmClockOptions =
  | { readonly mode: 'host'; /** Host monotonic time in ns (default from `performance.now()`). */ readonly nowNs?: () => bigint }
  | { readonly mode: 'deterministic'; /** Each instruction retired is 2^shift ticks (0..30, default 3). */ readonly shift?: number };

/** The counter's frequency: CNTFRQ_EL0 (1 GHz). */
export const COUNTER_HZ = IMPL.CNTFRQ_EL0;
/** Default `shift` of the deterministic clock: 2^3 = 8 ticks (8 ns) per instruction retired. */
export const DEFAULT_CLOCK_SHIFT = 3;

const NS_PER_S = 1_000_000_000n;

function performanceNowNs(): bigint {
  return BigInt(Math.round(performance.now() * 1e6));
}

export class VmClock {
  readonly mode: VmClockMode;
  /**
   * Deterministic mode: ticks per instruction retired (2^shift). Host mode: 0.
   */
  readonly ticksPerInstruction: bigint;
  private readonly hostNs: (() => bigint) | undefined;
  /** Host mode: the host time at tick 0. */
  private readonly startNs: bigint;
  /** Deterministic mode: ticks added by advanceTo. */
  private skipped = 0n;
  /** The last value read: the counter never goes back (host mode with an injected clock that does). */
  private last = 0n;

  /**
   * `instructions`: the instructions the VM's vCPUs have retired so far, all together (a non-decreasing count;
   * read by the deterministic mode). EINVAL for an unknown mode or a bad shift.
   */
  constructor(options: VmClockOptions, private readonly instructions: () => number) {
    if (options.mode === 'host') {
      this.mode = 'host';
      this.ticksPerInstruction = 0n;
      this.hostNs = options.nowNs ?? performanceNowNs;
      this.startNs = this.hostNs();
    } else if (options.mode === 'deterministic') {
      const shift = options.shift ?? DEFAULT_CLOCK_SHIFT;
      if (!Number.isInteger(shift) || shift < 0 || shift > 30) fail('EINVAL', `clock shift ${String(shift)} is not an integer 0..30`);
      this.mode = 'deterministic';
      this.ticksPerInstruction = (1n << BigInt(shift)) * COUNTER_HZ / NS_PER_S;
      this.hostNs = undefined;
      this.startNs = 0n;
    } else {
      fail('EINVAL', `unknown clock mode ${String((options as { mode: unknown }).mode)}: host or deterministic`);
    }
  }

  /** The counter now, in ticks since the VM was created. */
  now(): bigint {
    const t = this.hostNs !== undefined
      ? (this.hostNs() - this.startNs) * COUNTER_HZ / NS_PER_S
      : BigInt(this.instructions()) * this.ticksPerInstruction + this.skipped;
    if (t > this.last) this.last = t;
    return this.last;
  }

  /**
   * Deterministic mode: the counter as `base + own × ticksPerInstruction`, where `own` is a part of the instructions
   * retired (one vCPU's count, now `own`) that alone advances while that vCPU runs: `base` counts the rest. Valid
   * until anything else moves the counter (another vCPU's instructions, {@link advanceTo}). Undefined in host mode,
   * and while the counter reads a value it reached before (its count went back: a restored vCPU), which only
   * {@link now} keeps.
   */
  linearIn(own: number): { readonly base: bigint; readonly ticksPerInstruction: bigint } | undefined {
    if (this.hostNs !== undefined) return undefined;
    const t = BigInt(this.instructions()) * this.ticksPerInstruction + this.skipped;
    if (t < this.last) return undefined;
    return { base: t - BigInt(own) * this.ticksPerInstruction, ticksPerInstruction: this.ticksPerInstruction };
  }

  /**
   * Deterministic mode: move the counter forward to `ticks` (nothing when it is already there), as time passing
   * while every vCPU is idle. EINVAL in host mode, where only the host's time moves it.
   */
  advanceTo(ticks: bigint): void {
    if (this.hostNs !== undefined) fail('EINVAL', 'the host clock cannot be advanced: it follows host time');
    const now = this.now();
    if (ticks > now) {
      this.skipped += ticks - now;
      this.last = ticks;
    }
  }

  /** Host mode: how many ns of host time until the counter reaches `ticks` (0 when it has). */
  nsUntil(ticks: bigint): bigint {
    const d = ticks - this.now();
    return d <= 0n ? 0n : (d * NS_PER_S + COUNTER_HZ - 1n) / COUNTER_HZ;
  }
}
