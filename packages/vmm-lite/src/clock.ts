/**
 * The VM clock that time-keeping devices (the PL031 RTC, pl031.ts) read. Two modes:
 *
 * - 'host' (default): host wall-clock time, from an injected `now()` (milliseconds since the Unix epoch, default
 *   `Date.now`), so tests can fix it. Like QEMU's default `-rtc clock=host`.
 * - 'deterministic': time derived only from the guest instructions retired, at a fixed rate: every instruction is
 *   2^shift ns (as QEMU's `-icount shift=N`; default shift 3, 8 ns, a 125 MHz guest), starting at 0 (the Unix
 *   epoch, 1970-01-01T00:00:00Z) when the machine is built. The machine reads it from kvm-core's VM clock
 *   (`counterClock`), which also jumps to the next timer deadline when every vCPU waits in WFI. Two runs of the
 *   same guest read the same times, and a snapshot restores the time it was taken at (pl031.ts), so a round trip
 *   reads the same times as a straight run.
 *
 * The same option picks the clock of kvm-core's generic timers (machine.ts): host monotonic time or the
 * deterministic count.
 *
 * Readings are in nanoseconds as bigints (host time in ns overflows a double's exact range).
 */

import { COUNTER_HZ } from '@kvm-mte/kvm-core';

export type ClockMode = 'host' | 'deterministic';

/** Default `shift` of the deterministic clock: 2^3 = 8 ns per instruction retired. */
export const DEFAULT_ICOUNT_SHIFT = 3;

/** A source of VM time. */
export interface VmClock {
  readonly mode: ClockMode;
  /** The current time in ns: host time since the Unix epoch, or time derived from instructions retired. */
  nowNs(): bigint;
}

/** Host time from `now()` (ms since the Unix epoch; fractions kept to the ns). */
export function hostClock(now: () => number = Date.now): VmClock {
  return {
    mode: 'host',
    nowNs: () => {
      const ms = now();
      const whole = Math.floor(ms);
      return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
    },
  };
}

/**
 * Time from the count of guest instructions retired (`instructions()`, a non-decreasing count): each is
 * 2^shift ns. `shift` is an integer in 0..30.
 */
export function deterministicClock(instructions: () => number, shift = DEFAULT_ICOUNT_SHIFT): VmClock {
  if (!Number.isInteger(shift) || shift < 0 || shift > 30) throw new RangeError(`invalid clock shift ${shift}: must be an integer 0..30`);
  const s = BigInt(shift);
  return { mode: 'deterministic', nowNs: () => BigInt(instructions()) << s };
}

/**
 * Deterministic time from a kvm-core VM clock (its counter counts instructions retired, 2^shift ticks of 1 ns each,
 * plus the jumps to a timer deadline while every vCPU is idle): what the machine gives the PL031 in deterministic
 * mode, so the RTC and the generic timer agree.
 */
export function counterClock(counter: { now(): bigint }): VmClock {
  return { mode: 'deterministic', nowNs: () => counter.now() * 1_000_000_000n / COUNTER_HZ };
}
