/**
 * The Arm PrimeCell real-time clock (PL031) of the virt board, at 0x0901_0000, as QEMU 10 models it (written from
 * the PL031 Technical Reference Manual, DDI 0224, and QEMU's observable behaviour):
 *
 * - RTCDR (0x00, read-only) counts seconds: the VM clock (clock.ts) plus an offset, modulo 2^32. It starts at the
 *   clock's time: host UTC seconds since the Unix epoch, or 0 in deterministic mode.
 * - RTCLR (0x08): a write loads the counter (RTCDR reads the value from then on, counting on from it, the sub-second
 *   phase kept); reads give the last value written.
 * - RTCMR (0x04): the match value. Writing it or RTCLR arms the alarm: when the counter reaches RTCMR (the wrapping
 *   distance RTCMR - RTCDR, in whole seconds from the moment of the write), RTCRIS bit 0 is set; a distance of 0
 *   sets it at once. Evaluated when the guest next touches the device (nothing else can observe it).
 * - RTCCR (0x0c): the RTC is always running: reads give 1 (RTCStart), writes are ignored.
 * - RTCIMSC (0x10) bit 0 masks the interrupt; RTCRIS (0x14) is the raw status, RTCMIS (0x18) RIS & IMSC; a write to
 *   RTCICR (0x1c, write-only, reads 0) clears the RIS bits it sets.
 * - Peripheral ID 0x31 0x10 0x14 0x00, PrimeCell ID 0x0d 0xf0 0x05 0xb1 at 0xFE0..0xFFC (any byte of each word
 *   reads that word's value).
 * - Accesses of 1, 2 or 4 bytes are decoded by their exact offset (a byte read of RTCDR gives its low byte; a read
 *   at 0x01 hits no register); 64-bit ones are two 32-bit ones (MmioBus). Reserved offsets, reads of RTCICR and
 *   writes to the read-only registers are ignored and read as 0 (QEMU logs a guest error).
 * - The interrupt output is RTCMIS bit 0, a level (SPI 2 on QEMU's virt: machine.ts drives it through the vGIC). It
 *   is re-evaluated after every guest access and whenever the machine calls {@link Pl031.update} (between rounds of
 *   the run loop, and after an idle wait for the alarm, {@link Pl031.nsUntilAlarm}), so an alarm that comes due while
 *   the guest waits in WFI raises the line.
 */
import type { AccessSize, MmioDevice } from './bus.js';
import type { VmClock } from './clock.js';

export const PL031_BASE = 0x0901_0000;
export const PL031_SIZE = 0x1000;

/** Register offsets. */
export const RTC = {
  DR: 0x00, MR: 0x04, LR: 0x08, CR: 0x0c, IMSC: 0x10, RIS: 0x14, MIS: 0x18, ICR: 0x1c, PERIPH_ID0: 0xfe0,
} as const;

const ID = [0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;
const NS_PER_S = 1_000_000_000n;
/** The counter's period in ns: 2^32 seconds. Offsets and times are kept modulo it. */
const PERIOD_NS = (1n << 32n) * NS_PER_S;

const mod = (v: bigint): bigint => ((v % PERIOD_NS) + PERIOD_NS) % PERIOD_NS;

/**
 * A PL031's state as {@link Pl031.saveState} gives it (JSON-safe; ns values as decimal strings).
 * - `offsetNs`: RTC time minus the clock's, modulo 2^32 s (what a host-clock restore keeps: the guest's RTC goes
 *   on following host time, with any offset the guest loaded).
 * - `timeNs`: the RTC time when saved (what a deterministic restore keeps: the guest's time goes on from there).
 * - `alarmNs`: ns from the save to the pending alarm, or null when none is pending.
 */
export interface Pl031State {
  mr: number; lr: number; im: number; is: number; offsetNs: string; timeNs: string; alarmNs: string | null;
}

const DECIMAL = /^(0|[1-9][0-9]{0,30})$/;

/** Throws a RangeError unless `s` is a well-formed {@link Pl031State}. */
export function checkPl031State(s: unknown): asserts s is Pl031State {
  const o = s as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new RangeError('PL031 state is not an object');
  for (const k of ['mr', 'lr']) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`PL031 state: bad ${k}`);
  }
  for (const k of ['im', 'is']) if (o[k] !== 0 && o[k] !== 1) throw new RangeError(`PL031 state: bad ${k}`);
  for (const k of ['offsetNs', 'timeNs']) {
    const v = o[k];
    if (typeof v !== 'string' || !DECIMAL.test(v) || BigInt(v) >= PERIOD_NS) throw new RangeError(`PL031 state: bad ${k}`);
  }
  const a = o.alarmNs;
  if (a !== null && (typeof a !== 'string' || !DECIMAL.test(a) || BigInt(a) > PERIOD_NS)) throw new RangeError('PL031 state: bad alarmNs');
}

export class Pl031 implements MmioDevice {
  readonly name = 'pl031';
  readonly maxAccessSize = 4;
  private offsetNs = 0n;
  private mr = 0;
  private lr = 0;
  private im = 0;
  private is = 0;
  /** Clock time (ns) at which the armed alarm sets RIS; undefined when none is armed. */
  private alarmAt: bigint | undefined;
  private accesses = 0;
  /** The interrupt output's level as last reported. */
  private level = false;

  /** `onInterrupt(level)` is called when the interrupt output (RTCMIS bit 0) changes. */
  constructor(private readonly clock: VmClock, private readonly onInterrupt?: (level: boolean) => void) {}

  /** The counter (RTCDR) now. */
  count(): number {
    return Number(this.timeNs() / NS_PER_S);
  }

  /** The interrupt output (RTCMIS bit 0). */
  get interrupt(): boolean {
    this.poll();
    return (this.is & this.im) !== 0;
  }

  /** Let an alarm that has come due set RTCRIS, and report the interrupt output if it changed. */
  update(): void {
    this.poll();
    this.signal();
  }

  /**
   * Ns of the VM clock until the armed alarm raises the interrupt output, when one is armed and unmasked (RTCIMSC);
   * undefined otherwise (nothing to wait for).
   */
  nsUntilAlarm(): bigint | undefined {
    this.poll();
    if (this.alarmAt === undefined || this.im === 0) return undefined;
    const d = this.alarmAt - this.clock.nowNs();
    return d > 0n ? d : 0n;
  }

  /** Every register, the clock offset and the pending alarm, for snapshots (snapshot.ts). */
  saveState(): Pl031State {
    this.poll();
    const now = this.clock.nowNs();
    return {
      mr: this.mr, lr: this.lr, im: this.im, is: this.is, offsetNs: this.offsetNs.toString(),
      timeNs: mod(this.offsetNs + now).toString(), alarmNs: this.alarmAt === undefined ? null : (this.alarmAt > now ? this.alarmAt - now : 0n).toString(),
    };
  }

  /**
   * Put back a state from {@link saveState}. On a deterministic clock the RTC goes on from the saved time (the
   * guest sees no jump); on the host clock it keeps the saved offset from host time (as QEMU migrates it), so the
   * guest's RTC shows the host's time of the restore. A pending alarm stays the same distance ahead.
   */
  loadState(s: Pl031State): void {
    checkPl031State(s);
    const now = this.clock.nowNs();
    this.mr = s.mr; this.lr = s.lr; this.im = s.im; this.is = s.is;
    this.offsetNs = this.clock.mode === 'host' ? BigInt(s.offsetNs) : mod(BigInt(s.timeNs) - now);
    this.alarmAt = s.alarmNs === null ? undefined : now + BigInt(s.alarmNs);
    // The vGIC's line level is restored with the vGIC; this only resynchronises what was last reported.
    this.level = (this.is & this.im) !== 0;
  }

  /**
   * For the loop detector (loop-detect.ts): the registers and a count of guest accesses. A guest polling the RTC
   * changes the count, so it is never taken for a guest that repeats its state forever (time moves on).
   */
  loopState(): string {
    return `${this.mr},${this.lr},${this.im},${this.is},${this.offsetNs},${this.alarmAt ?? '-'},${this.accesses}`;
  }

  read(offset: number, size: AccessSize): bigint {
    this.accesses++;
    this.poll();
    const v = this.readReg(offset);
    this.signal();
    return BigInt(size >= 4 ? v >>> 0 : v & ((1 << (8 * size)) - 1));
  }

  write(offset: number, _size: AccessSize, value: bigint): void {
    this.accesses++;
    this.poll();
    const v = Number(value & 0xffff_ffffn);
    switch (offset) {
      case RTC.LR:
        this.lr = v;
        this.offsetNs = mod(this.offsetNs + BigInt(v - this.count()) * NS_PER_S);
        this.armAlarm();
        break;
      case RTC.MR:
        this.mr = v;
        this.armAlarm();
        break;
      case RTC.IMSC: this.im = v & 1; break;
      case RTC.ICR: this.is &= ~v; break;
      default: break; // RTCCR (always running), read-only registers, reserved offsets: ignored
    }
    this.signal();
  }

  // ---- internals ----

  private timeNs(): bigint {
    return mod(this.offsetNs + this.clock.nowNs());
  }

  private readReg(offset: number): number {
    switch (offset) {
      case RTC.DR: return this.count();
      case RTC.MR: return this.mr;
      case RTC.LR: return this.lr;
      case RTC.CR: return 1;
      case RTC.IMSC: return this.im;
      case RTC.RIS: return this.is;
      case RTC.MIS: return this.is & this.im;
      default:
        if (offset >= RTC.PERIPH_ID0 && offset < PL031_SIZE) return ID[(offset - RTC.PERIPH_ID0) >> 2]!;
        return 0; // RTCICR (write-only) and reserved offsets read as zero
    }
  }

  /** Arm the alarm for RTCMR after a write to RTCMR or RTCLR: the wrapping distance in whole seconds from now. */
  private armAlarm(): void {
    const ticks = (this.mr - this.count()) >>> 0;
    if (ticks === 0) {
      this.alarmAt = undefined;
      this.is = 1;
    } else {
      this.alarmAt = this.clock.nowNs() + BigInt(ticks) * NS_PER_S;
    }
  }

  /** Report the interrupt output to `onInterrupt` when it differs from what was last reported. */
  private signal(): void {
    const level = (this.is & this.im) !== 0;
    if (level !== this.level) {
      this.level = level;
      this.onInterrupt?.(level);
    }
  }

  /** Raise RIS if the armed alarm's time has come. */
  private poll(): void {
    if (this.alarmAt !== undefined && this.clock.nowNs() >= this.alarmAt) {
      this.alarmAt = undefined;
      this.is = 1;
    }
  }
}
