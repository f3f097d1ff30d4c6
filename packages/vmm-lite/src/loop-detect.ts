/**
 * Detecting a guest that can never make progress: the whole machine state repeats.
 *
 * The machine is deterministic, and while loop detection is on nothing outside it can change guest-visible state
 * (interrupts come only from the vCPUs and devices themselves, through the vGIC; no DMA; UART input either absent
 * or ended: see MachineRunOptions.detectLoops). The vGIC's own state is not compared: it changes only through the
 * guest's accesses and the devices' lines, which are. So if
 * the machine is in exactly the same state at two round boundaries, it is in a cycle it cannot leave: `b .`, a fault
 * taken on its own exception vector (VBAR_EL1 unset, or an access without a syndrome that is aborted every time), a
 * loop polling a device register whose value cannot change, a loop on memory nothing else writes.
 *
 * "The same state" means: every vCPU has exactly the same registers (every ONE_REG register: general purpose, PC,
 * PSTATE, SPs, ELR/SPSR and every system register KVM lists), mp_state and WFI idleness; the devices (`devices()`:
 * the UART's registers and receive FIFO, the input queue, how many bytes the guest has written) are the same; and
 * RAM holds the same bytes. A boundary is first keyed by the cheap part of that (the devices, each vCPU's PC,
 * mp_state and idleness); only when that key repeats one of the last {@link HISTORY} boundaries' are all the
 * registers read (every ONE_REG of every vCPU, the costly part) and compared exactly (one string) with the full
 * states taken so far, so a loop is found one recurrence later than a full comparison at every boundary would find
 * it, and a guest that never comes back to the same PC at a boundary costs one register read per vCPU. A cycle
 * longer than one round whose phase drifts against the round length is still found. RAM is never hashed whole: the detector turns on KVM dirty-page logging for the RAM memslot
 * (KVM_MEM_LOG_DIRTY_PAGES) and, only when registers and devices match an earlier boundary, reads the log
 * (KVM_GET_DIRTY_LOG): no page written since then means RAM is unchanged; otherwise the written pages are compared
 * with copies taken when the log was last read, so a loop that keeps storing the same values is found too. The cost
 * is O(pages written), not O(RAM): a 4 GiB guest stalls as fast as a small one.
 *
 * Not covered by the comparison: MTE allocation tags, the exclusive monitor, TLB contents and framebuffer memory
 * (state a loop would have to change while leaving every register and RAM byte as it was). Must be reset or
 * disabled while something outside the machine can change it (live UART input).
 */
import {
  CoreReg, KVM_MEM_LOG_DIRTY_PAGES, KVM_REG_ARM_PTIMER_CNT, KVM_REG_ARM_TIMER_CNT, type Memslot, type Vcpu, type Vm,
} from '@kvm-mte/kvm-core';

/** Earlier round boundaries a state is compared with. */
export const HISTORY = 64;
/** Written pages copied for the comparison at most (16 MiB); a loop writing more is not examined (the limit stops it). */
const MAX_COPIED_PAGES = 4096;
const PAGE = 4096;

export interface LoopDetectorOptions {
  readonly vcpus: readonly Vcpu[];
  /** The VM and the memslot that holds guest RAM (dirty-logged while the detector is started). */
  readonly vm: Vm;
  readonly ramSlot: number;
  /** The VMM's mapping of that memslot. */
  readonly ram: Uint8Array;
  /** Everything else guest-visible that could change: device state, pending input, output count (one string). */
  readonly devices: () => string;
  /**
   * A count that only grows, and grows whenever the guest does something no later state can undo (bytes written
   * to or read from the UART). While it changes between boundaries no state can repeat an earlier one, so the
   * comparison is skipped: a guest that prints costs the detector nothing.
   */
  readonly progress?: () => number;
}

export class LoopDetector {
  /** Register + device state of recent boundaries (since the dirty log was last read) → boundary number. */
  private readonly history = new Map<string, number>();
  /** The cheap keys (quickKey) of recent boundaries: a full state is taken only when one repeats. */
  private readonly quick = new Set<string>();
  private boundary = 0;
  /** The boundary at which the dirty log was last read, and copies of the pages it reported then. */
  private readAt = -1;
  private copies: Map<number, Uint8Array> | undefined;
  private regIds: bigint[][] | undefined;
  private savedFlags: number | undefined;
  private lastProgress = -1;

  constructor(private readonly o: LoopDetectorOptions) {}

  /** Turn on dirty logging of the RAM memslot (a no-op when it is already on). Call before running. */
  start(): void {
    const slot = this.slot();
    if ((slot.flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0) return;
    this.savedFlags = slot.flags;
    this.o.vm.setUserMemoryRegion({ ...slot, flags: slot.flags | KVM_MEM_LOG_DIRTY_PAGES });
    this.forget();
  }

  /** Put the memslot's flags back as `start` found them. */
  stop(): void {
    if (this.savedFlags === undefined) return;
    this.o.vm.setUserMemoryRegion({ ...this.slot(), flags: this.savedFlags });
    this.savedFlags = undefined;
  }

  /** Forget the history: the state may have been changed from outside (input arrived, detection was off). */
  reset(): void {
    this.history.clear();
    this.quick.clear();
    this.lastProgress = -1;
  }

  /** At a round boundary: true when the machine is in exactly the state it was in at an earlier one. */
  repeats(idle: ReadonlySet<number>): boolean {
    const k = this.boundary++;
    const progress = this.o.progress?.() ?? 0;
    if (progress !== this.lastProgress) {
      this.lastProgress = progress;
      this.history.clear();
      this.quick.clear();
      return false;
    }
    const quick = this.quickKey(idle);
    if (!this.quick.has(quick)) {
      if (this.quick.size >= HISTORY) this.quick.delete(this.quick.values().next().value!);
      this.quick.add(quick);
      return false;
    }
    const state = this.snapshot(idle);
    const j = this.history.get(state);
    if (j === undefined) {
      if (this.history.size >= HISTORY) this.history.delete(this.history.keys().next().value!);
      this.history.set(state, k);
      return false;
    }
    // Registers and devices match boundary j, and the log has not been read since j: it lists every page written
    // between j and now.
    const dirty = this.readDirtyLog();
    let same = dirty.length === 0;
    if (!same && this.readAt === j && this.copies !== undefined) {
      const copies = this.copies;
      same = dirty.every((p) => {
        const c = copies.get(p);
        return c !== undefined && equalBytes(c, this.o.ram.subarray(p * PAGE, (p + 1) * PAGE));
      });
    }
    if (dirty.length > 0) {
      // RAM may differ from every earlier boundary's: start again from this one, with copies of what was written.
      this.readAt = k;
      this.copies = dirty.length > MAX_COPIED_PAGES ? undefined : new Map(dirty.map((p) => [p, this.o.ram.slice(p * PAGE, (p + 1) * PAGE)]));
      this.history.clear();
      this.history.set(state, k);
    }
    return same;
  }

  /** Read and reset the dirty log (KVM_GET_DIRTY_LOG, plus KVM_CLEAR_DIRTY_LOG under manual protect): page indexes. */
  private readDirtyLog(): number[] {
    const { vm, ramSlot } = this.o;
    const bitmap = vm.getDirtyLog(ramSlot);
    if (vm.manualDirtyLogProtect !== 0) vm.clearDirtyLog(ramSlot, 0, this.o.ram.length / PAGE, bitmap);
    const pages: number[] = [];
    const words = new Uint32Array(bitmap.buffer, bitmap.byteOffset, bitmap.length >>> 2);
    for (let w = 0; w < words.length; w++) {
      let bits = words[w]!;
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        pages.push(w * 32 + b);
        bits &= bits - 1;
      }
    }
    return pages;
  }

  /** The log is read once now so that it starts empty (KVM_DIRTY_LOG_INITIALLY_SET marks every page dirty). */
  private forget(): void {
    this.readDirtyLog();
    this.readAt = -1;
    this.copies = undefined;
    this.history.clear();
    this.quick.clear();
  }

  private slot(): Memslot {
    const s = this.o.vm.memslots().find((m) => m.slot === this.o.ramSlot);
    if (s === undefined) throw new Error(`loop detection: no memslot ${this.o.ramSlot}`);
    return s;
  }

  /** The devices and each vCPU's PC, mp_state and idleness: equal whenever the full states are. */
  private quickKey(idle: ReadonlySet<number>): string {
    const parts: string[] = [this.o.devices()];
    this.o.vcpus.forEach((v, i) => parts.push(`${v.getMpState()}${idle.has(i) ? 'w' : 'r'}${v.getOneReg(CoreReg.PC).toString(16)}`));
    return parts.join(',');
  }

  private snapshot(idle: ReadonlySet<number>): string {
    const vcpus = this.o.vcpus;
    // The timers' counts are time, not state: a guest that never reads them repeats whatever they say.
    this.regIds ??= vcpus.map((v) => v.getRegList().filter((id) => id !== KVM_REG_ARM_TIMER_CNT && id !== KVM_REG_ARM_PTIMER_CNT));
    const parts: string[] = [this.o.devices()];
    vcpus.forEach((v, i) => {
      parts.push(`${v.getMpState()}${idle.has(i) ? 'w' : 'r'}`);
      for (const id of this.regIds![i]!) parts.push(v.getOneReg(id).toString(16));
    });
    return parts.join(',');
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Two independent 32-bit FNV-1a-style lanes over 32-bit words (and the tail bytes): a 64-bit digest. No longer used
 * by the detector (it compares written pages exactly); kept for callers of the package.
 */
export function hashBytes(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  const words = bytes.length >>> 2;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteOffset % 4 === 0 ? words : 0);
  if (w.length === words) {
    for (let i = 0; i < words; i++) {
      const x = w[i]!;
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x ^ (b >>> 15), 0x2c1b3c6d);
    }
  }
  for (let i = w.length * 4; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]! ^ (b >>> 15), 0x2c1b3c6d);
  }
  return `${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}
