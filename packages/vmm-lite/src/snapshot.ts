/**
 * Snapshots of a stopped VirtMachine: take every vCPU's registers (KVM_GET_REG_LIST + ONE_REG) and mp_state, the
 * devices, RAM (zero pages left out) and MTE tags (KVM_ARM_MTE_COPY_TAGS, or the VMM's own mapping to show the 2020
 * RFC's warning), into the file format of snapshot-format.ts; and put them back into a fresh machine after
 * validating everything.
 *
 * The exclusive monitor and the event register of each vCPU are not ONE_REG state (real KVM has no register for
 * them: a migration there loses an open reservation, so the guest's next store-exclusive fails and retries, which the
 * architecture allows). vmm-lite saves them anyway, through kvm-core's model-specific `getMonitorState`, in the
 * devices section's `machine.monitors` (one entry per vCPU, addresses as hex strings), so that a round trip is exact:
 * a reservation open at the snapshot is open, and global, after the restore. A snapshot without them restores with
 * every monitor open and no event pending.
 *
 * The vGIC's state is saved through its device attributes (gic-state.ts) in `machine.gic`, with its version: a
 * restore builds the machine with that GIC (a snapshot without one, from before vmm-lite had a GIC, restores on a
 * machine without one). A GICv3's ITS writes its tables and the LPI pending tables into guest RAM before RAM is
 * saved, and is restored after RAM (it reads them back).
 *
 * The PMU's registers are ONE_REG state too (kvm-core's PMU registers in the register list); `machine.pmu` says
 * the vCPUs have one, and a restore builds the machine with or without it (a snapshot from before vmm-lite had a
 * PMU restores without).
 *
 * A pending virtual SError (kvm-core's vCPU events: HCR_EL2.VSE, which no ONE_REG holds) is `machine.serrorPending`,
 * one boolean per vCPU, present only when one is pending; a restore makes it pending again (KVM_SET_VCPU_EVENTS).
 *
 * The virtio devices (virtio-blk, virtio-rng, virtio-console) are devices like the others, each its transport's state
 * with the device's own inside (`<name>@<base>`); `machine.virtioMmio` is 'modern' when the transports (the empty
 * ones too) have the version 2 interface, absent for legacy ones (and in snapshots from before there were modern
 * ones). A restore builds the machine with the same interface and devices (the devices' places follow from which
 * there are). What the disk holds is not in the snapshot (the image file is); a virtio-console's input still
 * waiting for a guest buffer is, its output is not (written out as the guest wrote it).
 *
 * The generic timers are ONE_REG state (KVM_REG_ARM_TIMER_* and PTIMER_*, in the register list): CTL and CVAL per
 * vCPU, and the counts, whose write sets the VM's counter offsets, so a restored guest's counters go on from the
 * values saved (continuous, in either clock mode). A snapshot from before vmm-lite had timers, without those
 * registers, restores with the timers off and the counts restarting at 0.
 *
 * A virtio-blk disk is not copied into the snapshot (it may be far larger than RAM): the devices section has the
 * device's state and names the image, and `machine.drive.sha256` is the SHA-256 of the whole disk at the snapshot
 * (drive-digest.ts). A restore hashes the disk it is given and refuses one that differs (written or replaced since
 * the snapshot), since the guest's page cache and file systems would disagree with it. A snapshot from before the
 * hash was recorded restores without the check.
 */
import {
  enforceProtMte, KVM_ARM_TAGS_FROM_GUEST, KVM_ARM_TAGS_TO_GUEST, KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_STOPPED,
  KVM_REG_ARM_PTIMER_CNT, KVM_REG_ARM_TIMER_CNT, mteAllowed, noTagAccess, TIMER_REG_IDS, transparentUpgrade,
  type PageUpgradePolicy, type Vcpu, type VcpuMonitorState,
} from '@kvm-mte/kvm-core';
import { SYSREG_DEFS, sysRegByKey } from '@kvm-mte/aarch64-cpu';
import { compressTags, decodeRleWord } from '@kvm-mte/mte-tags';
import { VirtMachine, type VirtMachineOptions } from './machine.js';
import { checkPl011State } from './pl011.js';
import { checkPl031State } from './pl031.js';
import { checkPcieHostState, pcieStateHasTestdev } from './pcie-host.js';
import { checkVirtioMmioState } from './virtio-mmio.js';
import { checkVirtioBlkState } from './virtio-blk.js';
import { checkVirtioRngState, type VirtioRngState } from './virtio-rng.js';
import { checkVirtioConsoleState } from './virtio-console.js';
import type { VirtioMmioVersion } from './virtio-device.js';
import {
  decodeContainer, encodeSnapshotParts, joinParts, SNAPSHOT_PAGE, SnapshotError, type MemBackend, type PolicyName,
  type Section, type SnapshotHeader, type SnapshotLayout, type StoredSection, type TagsVia,
} from './snapshot-format.js';
import type { SnapshotSource } from './snapshot-source.js';
import type { Platform } from './platform.js';
import { checkSavedGic, restoreGic, restoreIts, saveGic, type SavedGic } from './gic-state.js';
import { virtIts } from './gic.js';
import { driveSha256 } from './drive-digest.js';

export const TAGS_PER_PAGE = SNAPSHOT_PAGE / 16;
const PACKED = TAGS_PER_PAGE / 2;

export function policyByName(name: PolicyName): PageUpgradePolicy {
  switch (name) {
    case 'transparent-upgrade': return transparentUpgrade;
    case 'enforce-prot-mte': return enforceProtMte;
    case 'mte-allowed': return mteAllowed;
    case 'no-tag-access': return noTagAccess;
  }
}

/** Progress of a long step (pages done of total), for a terminal. */
export type Progress = (what: string, done: number, total: number) => void;

export interface SnapshotSizes {
  /** RAM bytes, and what the MEM section stores. */
  memoryRaw: number;
  memoryStored: number;
  nonZeroPages: number;
  /** Tag bytes of all RAM (one nibble a granule: pages × 128), and what the TAGS section stores. */
  tagsRaw: number;
  tagsStored: number;
  taggedPages: number;
  /** The whole file. */
  file: number;
}

/**
 * Complete the MMIO access a vCPU may still have pending after an `mmio` exit (kvm-core finishes it on the next
 * run()): with the vCPU marked stopped, run() completes it and returns before executing anything. After this no
 * state lives outside ONE_REG, mp_state, the devices and memory.
 */
export function quiesce(machine: VirtMachine): void {
  for (const vcpu of machine.vcpus) {
    const state = vcpu.getMpState();
    vcpu.setMpState(KVM_MP_STATE_STOPPED);
    try {
      const exit = vcpu.run();
      if (exit.reason !== 'intr' || exit.cause !== 'stopped') throw new Error(`quiesce: expected a 'stopped' exit on vCPU ${vcpu.id}, got '${exit.reason}'`);
    } finally {
      vcpu.setMpState(state);
    }
  }
}

function u32(v: DataView, p: number, x: number): void {
  v.setUint32(p, x >>> 0, true);
}

/** Bytes of a ONE_REG value in a VCPU section: the id's KVM_REG_SIZE, at least 8 (32-bit values take 8). */
function valueBytes(id: bigint): number {
  return Math.max(8, 1 << Number((id >> 52n) & 0xfn));
}

function saveVcpu(vcpu: Vcpu): Uint8Array {
  const ids = vcpu.getRegList();
  const size = ids.reduce((n, id) => n + 8 + valueBytes(id), 12);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  u32(v, 0, vcpu.id);
  u32(v, 4, vcpu.getMpState());
  u32(v, 8, ids.length);
  let p = 12;
  for (const id of ids) {
    v.setBigUint64(p, id, true);
    const value = vcpu.getOneReg(id);
    for (let b = 0; b < valueBytes(id); b += 8) v.setBigUint64(p + 8 + b, BigInt.asUintN(64, value >> BigInt(8 * b)), true);
    p += 8 + valueBytes(id);
  }
  return out;
}

/** Whether 4 KiB at `off` are all zero. */
function isZeroPage(words: Uint32Array, off: number): boolean {
  const w = off >>> 2;
  for (let i = w, end = w + SNAPSHOT_PAGE / 4; i < end; i++) if (words[i] !== 0) return false;
  return true;
}

/**
 * The MEM payload as parts: the page bitmap, then runs of consecutive non-zero pages as views of guest RAM (not
 * copied: a 4 GiB guest's RAM does not fit in a second buffer). Valid until the guest runs again.
 */
function saveMemory(machine: VirtMachine, progress?: Progress): { parts: Uint8Array[]; length: number; nonZero: number } {
  const ram = machine.ram;
  if (ram.swappedPages > 0) ram.swapIn(0, ram.size);
  const pages = ram.size / SNAPSHOT_PAGE;
  const bytes = ram.bytes;
  // Not `byteLength >>> 2`: 4 GiB >>> 2 is 0.
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4));
  const head = new Uint8Array(8 + Math.ceil(pages / 8));
  const v = new DataView(head.buffer);
  u32(v, 0, SNAPSHOT_PAGE);
  u32(v, 4, pages);
  const parts: Uint8Array[] = [head];
  let nonZero = 0;
  let runStart = -1;
  for (let p = 0; p <= pages; p++) {
    const used = p < pages && !isZeroPage(words, p * SNAPSHOT_PAGE);
    if (used) {
      head[8 + (p >>> 3)]! |= 1 << (p & 7);
      nonZero++;
      if (runStart < 0) runStart = p;
    } else if (runStart >= 0) {
      parts.push(bytes.subarray(runStart * SNAPSHOT_PAGE, p * SNAPSHOT_PAGE));
      runStart = -1;
    }
    if ((p & 0xfff) === 0) progress?.('scanning memory', Math.min(p, pages), pages);
  }
  progress?.('scanning memory', pages, pages);
  return { parts, length: head.length + nonZero * SNAPSHOT_PAGE, nonZero };
}

/** Tags of RAM pages [first, first + count), one a byte, read the chosen way. */
function readTags(machine: VirtMachine, via: TagsVia, first: number, count: number, buf: Uint8Array): void {
  if (via === 'mapping') {
    buf.set(machine.ram.readTags(first * SNAPSHOT_PAGE, count * TAGS_PER_PAGE));
    return;
  }
  const done = machine.vm.armMteCopyTags({
    guestIpa: BigInt(machine.ramBase + first * SNAPSHOT_PAGE), length: count * SNAPSHOT_PAGE, buffer: buf, flags: KVM_ARM_TAGS_FROM_GUEST,
  });
  if (done !== count * SNAPSHOT_PAGE) throw new Error(`KVM_ARM_MTE_COPY_TAGS copied ${done} of ${count * SNAPSHOT_PAGE} bytes`);
}

/** The TAGS payload. Tags are read 256 pages at a time (not all of RAM's tags at once: 256 MiB for 4 GiB). */
function saveTags(machine: VirtMachine, via: TagsVia, progress?: Progress): { payload: Uint8Array; tagged: number } {
  const pages = machine.ramSize / SNAPSHOT_PAGE;
  const parts: Uint8Array[] = [];
  let size = 8;
  let tagged = 0;
  const CHUNK = 256; // pages
  const chunk = new Uint8Array(CHUNK * TAGS_PER_PAGE);
  for (let p = 0; machine.mte && p < pages; p++) {
    if (p % CHUNK === 0) {
      const n = Math.min(CHUNK, pages - p);
      chunk.fill(0);
      readTags(machine, via, p, n, chunk.subarray(0, n * TAGS_PER_PAGE));
      progress?.('reading tags', p + n, pages);
    }
    const t = chunk.subarray((p % CHUNK) * TAGS_PER_PAGE, (p % CHUNK + 1) * TAGS_PER_PAGE);
    if (t.every((x) => x === 0)) continue;
    const packed = new Uint8Array(PACKED);
    for (let g = 0; g < TAGS_PER_PAGE; g++) packed[g >>> 1]! |= (t[g]! & 0xf) << ((g & 1) << 2);
    const c = compressTags(packed);
    const e = new Uint8Array(5 + (c.kind === 'rle' ? 8 : PACKED));
    const v = new DataView(e.buffer);
    u32(v, 0, p);
    if (c.kind === 'rle') {
      e[4] = 0;
      v.setBigUint64(5, c.word, true);
    } else {
      e[4] = 1;
      e.set(c.bytes, 5);
    }
    parts.push(e);
    size += e.length;
    tagged++;
  }
  const payload = new Uint8Array(size);
  const v = new DataView(payload.buffer);
  u32(v, 0, pages);
  u32(v, 4, tagged);
  let q = 8;
  for (const e of parts) {
    payload.set(e, q);
    q += e.length;
  }
  return { payload, tagged };
}

/** A device that can be snapshotted; with `checkState`, it can say beforehand whether loadState would throw. */
interface Snapshottable {
  saveState(): unknown;
  loadState(s: unknown): void;
  checkState?(s: unknown): void;
}

function snapshottable(d: unknown): d is Snapshottable {
  return typeof (d as Snapshottable).saveState === 'function' && typeof (d as Snapshottable).loadState === 'function';
}

function deviceKey(m: { base: number; device: { name: string } }): string {
  return `${m.device.name}@${m.base.toString(16)}`;
}

export interface SaveOptions {
  /** What the machine was built with (the header). */
  config: { policy: PolicyName; memBackend: MemBackend; protMte: boolean; kernelSha256: string };
  /** How to read tags. Default 'copy-tags'. */
  tagsVia?: TagsVia;
  progress?: Progress;
  /** Instructions retired before this machine existed (it was restored from a snapshot): added to the header's count. */
  instructionsBase?: number;
}

/**
 * Take a snapshot of a machine that is not running (between run() calls). Pending MMIO completions are finished
 * first ({@link quiesce}).
 */
export function saveSnapshot(machine: VirtMachine, opts: SaveOptions): SavedSnapshot {
  quiesce(machine);
  const tagsVia = opts.tagsVia ?? 'copy-tags';
  const header: SnapshotHeader = {
    memory: machine.ramSize, smp: machine.vcpus.length, mte: machine.mte, policy: opts.config.policy,
    memBackend: opts.config.memBackend, protMte: opts.config.protMte, kernelSha256: opts.config.kernelSha256,
    tagsVia, instructions: (opts.instructionsBase ?? 0) + machine.instructions, ramBase: machine.ramBase,
  };
  const sections: Section[] = machine.vcpus.map((vcpu) => ({ kind: 'VCPU', index: vcpu.id, payload: saveVcpu(vcpu) }));
  const devices: Record<string, unknown> = {};
  for (const m of machine.bus.list()) {
    if (snapshottable(m.device)) devices[deviceKey(m)] = m.device.saveState();
  }
  const monitors = machine.vcpus.map((vcpu) => saveMonitor(vcpu.getMonitorState()));
  // Before RAM: with an ITS this writes the LPI pending tables and the ITS tables into guest memory.
  const gic = saveGic(machine.gicVersion, machine.gic, machine.vcpus.length, virtIts(machine.vm));
  // A pending virtual SError (KVM_GET_VCPU_EVENTS), which no ONE_REG holds: listed only when a vCPU has one.
  const serrorPending = machine.vcpus.map((v) => v.getVcpuEvents().exception.serrorPending);
  const machineState = {
    instructions: machine.instructions, monitors, ...(gic !== undefined && { gic }), ...(machine.pmu && { pmu: true }),
    ...(serrorPending.some((p) => p) && { serrorPending }), ...(machine.virtioMmio === 'modern' && { virtioMmio: 'modern' }),
    ...(machine.drive !== undefined && { drive: { sha256: driveSha256(machine.drive, machine.platform) } }),
  };
  sections.push({ kind: 'DEVS', index: 0, payload: new TextEncoder().encode(JSON.stringify({ devices, machine: machineState })) });
  const mem = saveMemory(machine, opts.progress);
  sections.push({ kind: 'MEM ', index: 0, payload: mem.parts });
  const tags = saveTags(machine, tagsVia, opts.progress);
  sections.push({ kind: 'TAGS', index: 0, payload: tags.payload });
  const { parts, size } = encodeSnapshotParts(header, sections, machine.platform);
  const pages = machine.ramSize / SNAPSHOT_PAGE;
  let joined: Uint8Array | undefined;
  return {
    parts, header,
    get file() {
      return (joined ??= joinParts(parts, size));
    },
    sizes: {
      memoryRaw: machine.ramSize, memoryStored: mem.length, nonZeroPages: mem.nonZero,
      tagsRaw: machine.mte ? pages * PACKED : 0, tagsStored: tags.payload.length, taggedPages: tags.tagged, file: size,
    },
  };
}

/**
 * A snapshot taken: the file as `parts` (write them in order, e.g. with writeSnapshotFile; they view guest RAM, so
 * before the guest runs again), or as one buffer, `file`, joined on first use — a SnapshotError if the file is
 * larger than one buffer holds (possible with more than 4 GiB of non-zero RAM and tags).
 */
export interface SavedSnapshot {
  parts: Uint8Array[];
  readonly file: Uint8Array;
  sizes: SnapshotSizes;
  header: SnapshotHeader;
}

// ---- reading and restoring ----

export interface VcpuState {
  id: number;
  mpState: number;
  regs: [bigint, bigint][];
}

/** A vCPU's exclusive monitor and event register as the devices section stores them (JSON: hex strings). */
interface SavedMonitor {
  event: boolean;
  exclusive?: { va: string; size: number; ipa?: string };
}

function saveMonitor(m: VcpuMonitorState): SavedMonitor {
  const x = m.exclusive;
  if (x === undefined) return { event: m.event };
  return { event: m.event, exclusive: { va: x.va.toString(16), size: x.size, ...(x.ipa !== undefined && { ipa: x.ipa.toString(16) }) } };
}

const HEX64 = /^[0-9a-f]{1,16}$/;

/** The monitors of the devices section (one per vCPU), checked; all open when the snapshot has none. */
function decodeMonitors(raw: unknown, smp: number): VcpuMonitorState[] {
  if (raw === undefined) return Array.from({ length: smp }, () => ({ event: false }));
  if (!Array.isArray(raw) || raw.length !== smp) bad(`snapshot is corrupt: expected ${smp} exclusive monitor states`);
  return raw.map((m: unknown, i): VcpuMonitorState => {
    const what = `snapshot is corrupt: vCPU ${i} exclusive monitor state`;
    if (typeof m !== 'object' || m === null || typeof (m as SavedMonitor).event !== 'boolean') bad(what);
    const { event, exclusive: x } = m as SavedMonitor;
    if (x === undefined) return { event };
    if (typeof x !== 'object' || x === null || typeof x.va !== 'string' || !HEX64.test(x.va) ||
      ![1, 2, 4, 8, 16].includes(x.size) || (x.ipa !== undefined && (typeof x.ipa !== 'string' || !HEX64.test(x.ipa)))) {
      bad(what);
    }
    const va = BigInt(`0x${x.va}`);
    if (va % BigInt(x.size) !== 0n) bad(what);
    return { event, exclusive: { va, size: x.size, ...(x.ipa !== undefined && { ipa: BigInt(`0x${x.ipa}`) }) } };
  });
}

/** A snapshot fully decoded and checked: restoring it cannot fail on the file's account. */
export interface DecodedSnapshot {
  header: SnapshotHeader;
  vcpus: VcpuState[];
  /** Each vCPU's exclusive monitor and event register (model state outside ONE_REG; see the file comment). */
  monitors: VcpuMonitorState[];
  /** The vGIC's version and registers (gic-state.ts); undefined for a snapshot of a machine without one. */
  gic: SavedGic | undefined;
  /** The vCPUs have a PMUv3 (its registers are ONE_REG state); false for a snapshot from before vmm-lite had one. */
  pmu: boolean;
  /** Per vCPU, a virtual SError is pending (KVM_SET_VCPU_EVENTS on restore); all false when the file lists none. */
  serrorPending: boolean[];
  /** The virtio-mmio transports' interface ('legacy' when the file does not say). */
  virtioMmio: VirtioMmioVersion;
  /** SHA-256 of the virtio-blk disk's contents at the snapshot (hex); undefined without a drive or from before. */
  driveSha256: string | undefined;
  devices: Record<string, unknown>;
  /** The non-zero pages: which they are, and their data read from the file on demand. */
  memory: SnapshotPages;
  /** Page index → 256 tags (one a byte), pages with any non-zero tag only. */
  tags: Map<number, Uint8Array>;
  layout: SnapshotLayout;
}

function bad(msg: string): never {
  throw new SnapshotError(msg);
}

function decodeVcpu(s: StoredSection, b: Uint8Array): VcpuState {
  if (b.length < 12) bad(`snapshot is corrupt: vCPU ${s.index} section is too short`);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const id = v.getUint32(0, true);
  const mpState = v.getUint32(4, true);
  const n = v.getUint32(8, true);
  if (id !== s.index) bad(`snapshot is corrupt: vCPU section ${s.index} holds vCPU ${id}`);
  if (mpState !== KVM_MP_STATE_RUNNABLE && mpState !== KVM_MP_STATE_STOPPED) bad(`snapshot is corrupt: vCPU ${id} has mp_state ${mpState}`);
  const regs: [bigint, bigint][] = [];
  let p = 12;
  for (let i = 0; i < n; i++) {
    if (p + 8 > b.length) bad(`snapshot is corrupt: vCPU ${id} section is ${b.length} bytes for ${n} registers`);
    const reg = v.getBigUint64(p, true);
    const bytes = valueBytes(reg);
    if (bytes > 16 || p + 8 + bytes > b.length) bad(`snapshot is corrupt: vCPU ${id} section is ${b.length} bytes for ${n} registers`);
    let value = 0n;
    for (let q = bytes - 8; q >= 0; q -= 8) value = (value << 64n) | v.getBigUint64(p + 8 + q, true);
    regs.push([reg, value]);
    p += 8 + bytes;
  }
  if (p !== b.length) bad(`snapshot is corrupt: vCPU ${id} section is ${b.length} bytes for ${n} registers`);
  return { id, mpState, regs };
}

/**
 * The MEM section of a decoded snapshot: the indices of its non-zero pages (in increasing order) and where their
 * data lies in the file. Nothing is read until asked for, so a snapshot larger than memory can be restored.
 */
export class SnapshotPages {
  /** @internal */
  constructor(
    private readonly src: SnapshotSource,
    /** File offset of the first page's data. */
    private readonly dataOffset: number,
    /** Page indices held, increasing. */
    readonly pageIndices: Uint32Array,
  ) {}

  /** Pages held (the non-zero pages). */
  get size(): number {
    return this.pageIndices.length;
  }

  private slot(page: number): number {
    const a = this.pageIndices;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < page) lo = mid + 1;
      else if (a[mid]! > page) hi = mid - 1;
      else return mid;
    }
    return -1;
  }

  has(page: number): boolean {
    return this.slot(page) >= 0;
  }

  /** The 4 KiB of page `page` (a page index in RAM), or undefined if the snapshot does not hold it (all zero). */
  get(page: number): Uint8Array | undefined {
    const i = this.slot(page);
    return i < 0 ? undefined : this.src.read(this.dataOffset + i * SNAPSHOT_PAGE, SNAPSHOT_PAGE);
  }

  keys(): IterableIterator<number> {
    return this.pageIndices.values();
  }

  *[Symbol.iterator](): IterableIterator<[number, Uint8Array]> {
    for (let i = 0; i < this.pageIndices.length; i++) {
      yield [this.pageIndices[i]!, this.src.read(this.dataOffset + i * SNAPSHOT_PAGE, SNAPSHOT_PAGE)];
    }
  }

  /**
   * Copy every held page into `dest` (RAM: page i at i × 4096), each run of consecutive pages with one read, and
   * nothing else: the other pages of `dest` are not touched. Returns the number of pages written.
   */
  copyInto(dest: Uint8Array, progress?: Progress): number {
    const a = this.pageIndices;
    let i = 0;
    while (i < a.length) {
      let j = i + 1;
      while (j < a.length && a[j] === a[j - 1]! + 1 && j - i < 16384) j++; // runs of up to 64 MiB a read
      this.src.readInto(this.dataOffset + i * SNAPSHOT_PAGE, dest.subarray(a[i]! * SNAPSHOT_PAGE, (a[j - 1]! + 1) * SNAPSHOT_PAGE));
      i = j;
      progress?.('restoring memory', i, a.length);
    }
    return a.length;
  }
}

function decodeMemory(src: SnapshotSource, s: StoredSection, header: SnapshotHeader): SnapshotPages {
  const pages = header.memory / SNAPSHOT_PAGE;
  const bitmapLen = Math.ceil(pages / 8);
  if (s.length < 8 + bitmapLen) bad('snapshot is corrupt: memory section is too short');
  const b = src.read(s.offset, 8 + bitmapLen);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, true) !== SNAPSHOT_PAGE) bad(`snapshot is corrupt: memory page size ${v.getUint32(0, true)}`);
  if (v.getUint32(4, true) !== pages) bad(`snapshot is corrupt: memory section has ${v.getUint32(4, true)} pages, the header says ${pages}`);
  let count = 0;
  for (let p = 0; p < pages; p++) if ((b[8 + (p >>> 3)]! & (1 << (p & 7))) !== 0) count++;
  const stored = s.length - 8 - bitmapLen;
  if (stored < count * SNAPSHOT_PAGE) bad('snapshot is corrupt: memory section is shorter than its page bitmap says');
  if (stored > count * SNAPSHOT_PAGE) bad('snapshot is corrupt: memory section is longer than its page bitmap says');
  const indices = new Uint32Array(count);
  let n = 0;
  for (let p = 0; p < pages; p++) if ((b[8 + (p >>> 3)]! & (1 << (p & 7))) !== 0) indices[n++] = p;
  return new SnapshotPages(src, s.offset + 8 + bitmapLen, indices);
}

function decodeTags(b: Uint8Array, header: SnapshotHeader): Map<number, Uint8Array> {
  const pages = header.memory / SNAPSHOT_PAGE;
  if (b.length < 8) bad('snapshot is corrupt: tags section is too short');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (v.getUint32(0, true) !== pages) bad(`snapshot is corrupt: tags section has ${v.getUint32(0, true)} pages, the header says ${pages}`);
  const count = v.getUint32(4, true);
  if (count > 0 && !header.mte) bad('snapshot is corrupt: tags in a snapshot of a VM without MTE');
  const out = new Map<number, Uint8Array>();
  let q = 8;
  let last = -1;
  for (let i = 0; i < count; i++) {
    if (q + 5 > b.length) bad('snapshot is corrupt: tags section is shorter than its page count says');
    const page = v.getUint32(q, true);
    const form = b[q + 4]!;
    if (page <= last || page >= pages) bad(`snapshot is corrupt: tagged page ${page} out of order or beyond RAM`);
    last = page;
    q += 5;
    const tags = new Uint8Array(TAGS_PER_PAGE);
    if (form === 0) {
      if (q + 8 > b.length) bad('snapshot is corrupt: tags section is truncated');
      let packed: Uint8Array;
      try {
        packed = decodeRleWord(v.getBigUint64(q, true));
      } catch {
        bad(`snapshot is corrupt: invalid run-length tag word for page ${page}`);
      }
      for (let g = 0; g < TAGS_PER_PAGE; g++) tags[g] = (packed[g >>> 1]! >>> ((g & 1) << 2)) & 0xf;
      q += 8;
    } else if (form === 1) {
      if (q + PACKED > b.length) bad('snapshot is corrupt: tags section is truncated');
      for (let g = 0; g < TAGS_PER_PAGE; g++) tags[g] = (b[q + (g >>> 1)]! >>> ((g & 1) << 2)) & 0xf;
      q += PACKED;
    } else bad(`snapshot is corrupt: unknown tag form ${form} for page ${page}`);
    out.set(page, tags);
  }
  if (q !== b.length) bad('snapshot is corrupt: tags section is longer than its page count says');
  return out;
}

/**
 * Decode and check a snapshot file completely (container, header, every section). Throws SnapshotError. `file`: the
 * whole file, or a source read by position (FileSource: files of any size); the memory pages are read from it on
 * demand, so keep it open until the snapshot is restored. `platform` computes the file's SHA-256 (default:
 * defaultPlatform(), see platform.ts).
 */
export function decodeSnapshot(file: Uint8Array | SnapshotSource, platform?: Platform): DecodedSnapshot {
  const { header, sections, layout, source } = decodeContainer(file, platform);
  const vcpus: VcpuState[] = [];
  let devs: StoredSection | undefined;
  let mem: StoredSection | undefined;
  let tags: StoredSection | undefined;
  for (const s of sections) {
    if (s.kind === 'VCPU') vcpus.push(decodeVcpu(s, source.read(s.offset, s.length)));
    else {
      const seen = s.kind === 'DEVS' ? devs : s.kind === 'MEM ' ? mem : tags;
      if (seen !== undefined || s.index !== 0) bad(`snapshot is corrupt: unexpected section ${JSON.stringify(s.kind.trimEnd())} ${s.index}`);
      if (s.kind === 'DEVS') devs = s;
      else if (s.kind === 'MEM ') mem = s;
      else tags = s;
    }
  }
  if (vcpus.length !== header.smp || vcpus.some((v, i) => v.id !== i)) bad(`snapshot is corrupt: expected vCPU sections 0..${header.smp - 1}`);
  if (devs === undefined || mem === undefined || tags === undefined) bad('snapshot is corrupt: a devices, memory or tags section is missing');
  let d: { devices?: unknown; machine?: { instructions?: unknown; monitors?: unknown; gic?: unknown; pmu?: unknown; serrorPending?: unknown; virtioMmio?: unknown; drive?: unknown } };
  try {
    d = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(source.read(devs.offset, devs.length))) as typeof d;
  } catch {
    bad('snapshot is corrupt: the devices section is not valid JSON');
  }
  if (typeof d !== 'object' || d === null || typeof d.devices !== 'object' || d.devices === null) bad('snapshot is corrupt: bad devices section');
  const devices = d.devices as Record<string, unknown>;
  for (const [k, s] of Object.entries(devices)) {
    // A snapshot from before the PL031 existed has no pl031 entry: the RTC then keeps the fresh machine's state.
    const check = k.startsWith('pl011@') ? checkPl011State : k.startsWith('pl031@') ? checkPl031State
      : k.startsWith('pcie@') ? checkPcieHostState
      : k.startsWith('virtio-blk@') ? (x: unknown) => { checkVirtioMmioState(x, 1); checkVirtioBlkState(x.device); }
      : k.startsWith('virtio-rng@') ? (x: unknown) => { checkVirtioMmioState(x, 1); checkVirtioRngState(x.device); }
      : k.startsWith('virtio-console@') ? (x: unknown) => { checkVirtioMmioState(x, 2); checkVirtioConsoleState(x.device); } : undefined;
    try {
      check?.(s);
    } catch (e) {
      bad(`snapshot is corrupt: ${(e as Error).message}`);
    }
  }
  const machineState = typeof d.machine === 'object' && d.machine !== null ? d.machine : undefined;
  const monitors = decodeMonitors(machineState?.monitors, header.smp);
  const rawGic = machineState?.gic as { version?: unknown } | undefined;
  let gic: SavedGic | undefined;
  if (rawGic !== undefined) {
    try {
      checkSavedGic(rawGic, rawGic?.version === 'v2' ? 'v2' : 'v3');
    } catch (e) {
      bad(`snapshot is corrupt: ${(e as Error).message}`);
    }
    gic = rawGic;
  }
  const pmu = machineState?.pmu ?? false;
  if (typeof pmu !== 'boolean') bad('snapshot is corrupt: machine.pmu is not a boolean');
  const serrorPending: unknown = machineState?.serrorPending ?? vcpus.map(() => false);
  if (!Array.isArray(serrorPending) || serrorPending.length !== vcpus.length || serrorPending.some((p) => typeof p !== 'boolean')) {
    bad('snapshot is corrupt: machine.serrorPending is not one boolean per vCPU');
  }
  const virtioMmio = machineState?.virtioMmio ?? 'legacy';
  if (virtioMmio !== 'legacy' && virtioMmio !== 'modern') bad('snapshot is corrupt: machine.virtioMmio is neither legacy nor modern');
  const drive = machineState?.drive as { sha256?: unknown } | undefined;
  if (drive !== undefined && (typeof drive !== 'object' || drive === null || typeof drive.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(drive.sha256))) {
    bad('snapshot is corrupt: machine.drive.sha256 is not a SHA-256');
  }
  if (drive !== undefined && !Object.keys(devices).some((k) => k.startsWith('virtio-blk@'))) bad('snapshot is corrupt: a drive hash without a virtio-blk device');
  return { header, vcpus, monitors, gic, pmu, serrorPending: serrorPending as boolean[], virtioMmio, driveSha256: drive?.sha256 as string | undefined, devices, memory: decodeMemory(source, mem, header), tags: decodeTags(source.read(tags.offset, tags.length), header), layout };
}

/** What the restoring process asks for; anything given must agree with the snapshot where it matters. */
export interface RestoreConfig {
  memory?: number;
  smp?: number;
  mte?: boolean;
  policy?: PolicyName;
  memBackend?: MemBackend;
  protMte?: boolean;
  /** SHA-256 of a --kernel given to restore (optional). */
  kernelSha256?: string;
}

/** The machine options a snapshot needs, with `overrides` (policy, backend, PROT_MTE may differ; the rest may not). */
export function restoreMachineOptions(snap: DecodedSnapshot, overrides: RestoreConfig = {}): VirtMachineOptions & { policy: PolicyName; memBackend: MemBackend; protMte: boolean } {
  const h = snap.header;
  const clash = (what: string, want: unknown, got: unknown): never =>
    bad(`snapshot is incompatible: it was taken with ${what} ${String(want)}, this restore asks for ${String(got)}`);
  if (overrides.memory !== undefined && overrides.memory !== h.memory) clash('--memory', `${h.memory} bytes`, `${overrides.memory} bytes`);
  if (overrides.smp !== undefined && overrides.smp !== h.smp) clash('--smp', h.smp, overrides.smp);
  if (overrides.mte !== undefined && overrides.mte !== h.mte) clash('MTE', h.mte ? 'on' : 'off', overrides.mte ? 'on' : 'off');
  if (overrides.kernelSha256 !== undefined && overrides.kernelSha256 !== h.kernelSha256) bad('snapshot is incompatible: it was taken with a different kernel (SHA-256 differs from --kernel)');
  const policy = overrides.policy ?? h.policy;
  const memBackend = overrides.memBackend ?? h.memBackend;
  const protMte = overrides.protMte ?? h.protMte;
  const device = (name: string): unknown => Object.entries(snap.devices).find(([k]) => k.startsWith(`${name}@`))?.[1];
  const rng = (device('virtio-rng') as { device?: VirtioRngState } | undefined)?.device;
  return { memory: h.memory, smp: h.smp, mte: h.mte, gic: snap.gic?.version ?? 'none', pmu: snap.pmu,
    pciTestdev: Object.entries(snap.devices).some(([k, s]) => k.startsWith('pcie@') && pcieStateHasTestdev(s)),
    virtioMmio: snap.virtioMmio,
    // The rng's source as saved: a seeded stream keeps its seed whatever the restoring machine's clock.
    ...(rng !== undefined && { virtioRng: rng.source === 'seeded' ? { seed: rng.seed! } : true }),
    ...(device('virtio-console') !== undefined && { virtioConsole: {} }),
    pagePolicy: policyByName(policy), memBackend, protMte, policy };
}

/** What a restore wrote: pages of RAM and pages of tags (exactly the pages the snapshot holds). */
export interface RestoreCounts {
  memoryPages: number;
  tagPages: number;
}

/**
 * Check that a fresh machine (built, nothing loaded, never run: its RAM is all zero) can take the snapshot (same
 * RAM base and size, vCPUs, MTE, the same ONE_REG ids, read-only registers equal), then put the state in:
 * registers, mp_state, devices, the snapshot's non-zero pages of memory and its tagged pages (COPY_TAGS TO_GUEST,
 * or the mapping's writeTags with `tagsVia: 'mapping'`, ignored without PROT_MTE). Every check comes before the
 * first write. No other page is written, so the host commits only what the snapshot holds.
 */
export function restoreSnapshot(machine: VirtMachine, snap: DecodedSnapshot, opts: { tagsVia?: TagsVia; progress?: Progress } = {}): RestoreCounts {
  const h = snap.header;
  if (machine.boot !== undefined || machine.vm.hasRun) bad('snapshot is incompatible: a restore needs a fresh machine (no kernel loaded, never run)');
  if (machine.ramSize !== h.memory || machine.ramBase !== h.ramBase) bad('snapshot is incompatible: RAM size or base differs from the machine');
  if (machine.vcpus.length !== h.smp) bad('snapshot is incompatible: vCPU count differs from the machine');
  if (machine.mte !== h.mte) bad('snapshot is incompatible: MTE differs from the machine');
  if (machine.gicVersion !== (snap.gic?.version ?? 'none')) bad('snapshot is incompatible: the GIC version differs from the machine');
  if (machine.pmu !== snap.pmu) bad(`snapshot is incompatible: the snapshot's vCPUs ${snap.pmu ? 'have' : 'have no'} PMU, this machine's ${machine.pmu ? 'have' : 'have no'}`);
  if (machine.virtioMmio !== snap.virtioMmio) bad(`snapshot is incompatible: the snapshot's virtio-mmio transports are ${snap.virtioMmio}, this machine's ${machine.virtioMmio}`);
  snap.vcpus.forEach((s, i) => {
    const vcpu = machine.vcpus[i]!;
    if (vcpu.id !== s.id) bad(`snapshot is incompatible: vCPU ${i} has id ${vcpu.id}, the snapshot ${s.id}`);
    const have = new Set(vcpu.getRegList().map((x) => x.toString()));
    const want = new Set(s.regs.map(([id]) => id.toString()));
    for (const id of want) if (!have.has(id)) bad(`snapshot is incompatible: vCPU ${s.id} register 0x${BigInt(id).toString(16)} does not exist here`);
    for (const id of have) if (!want.has(id) && !OPTIONAL_REGS.has(BigInt(id))) bad(`snapshot is incompatible: vCPU ${s.id} register 0x${BigInt(id).toString(16)} is missing from the snapshot`);
    // Read-only registers (ID registers) must match; a write of a different value would fail half-way.
    for (const [id, value] of s.regs) {
      const refused = writeRefusal(vcpu, id, value);
      if (refused !== undefined) {
        bad(`snapshot is incompatible: vCPU ${s.id} register ${regName(id)} is 0x${refused.here.toString(16)} here and cannot be set to the snapshot's 0x${value.toString(16)} (${refused.why})`);
      }
    }
  });
  const byKey = new Map(machine.bus.list().map((m) => [deviceKey(m), m.device] as const));
  for (const [k, d] of byKey) {
    // A virtio device of this machine must be in the snapshot (else it would keep a fresh state the guest never saw).
    if (k.startsWith('virtio-') && snapshottable(d) && !(k in snap.devices)) bad(`snapshot is incompatible: this machine has ${k}, the snapshot does not`);
  }
  for (const k of Object.keys(snap.devices)) {
    const d = byKey.get(k);
    if (d === undefined || !snapshottable(d)) bad(`snapshot is incompatible: device ${k} does not exist on this machine`);
    // A dry run of the device's loadState (a transport checks its device's state too, the PCIe host its functions'):
    // nothing is written yet.
    if (d.checkState !== undefined) {
      try {
        d.checkState(snap.devices[k]);
      } catch (e) {
        bad(`snapshot is incompatible: ${(e as Error).message}`);
      }
    }
  }
  if (snap.driveSha256 !== undefined && machine.drive !== undefined && driveSha256(machine.drive, machine.platform) !== snap.driveSha256) {
    bad(`snapshot is incompatible: drive ${machine.drive.name} is not the disk the snapshot was taken with (its contents' SHA-256 differs: written or replaced since); a restore needs the image as it was at the snapshot`);
  }

  // ---- from here on, writes only ----
  snap.vcpus.forEach((s, i) => {
    const vcpu = machine.vcpus[i]!;
    for (const [id, value] of s.regs) {
      // A count is always written: it sets the VM's counter offset, however close the count is now.
      if (COUNT_REGS.has(id) || vcpu.getOneReg(id) !== value) vcpu.setOneReg(id, value);
    }
    vcpu.setMpState(s.mpState);
  });
  // After the registers: the monitors belong to the vCPUs' state (memslots are in place: the reservation is global).
  machine.vcpus.forEach((vcpu, i) => vcpu.setMonitorState(snap.monitors[i] ?? { event: false }));
  machine.vcpus.forEach((vcpu, i) => {
    if (snap.serrorPending[i] === true) {
      vcpu.setVcpuEvents({ exception: { serrorPending: true, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n } });
    }
  });
  for (const [k, s] of Object.entries(snap.devices)) (byKey.get(k) as unknown as Snapshottable).loadState(s);
  // The vGIC after the vCPUs (its ICC_* registers belong to them) and the devices (line levels come from the GIC's
  // own level info, not from the devices' outputs).
  if (snap.gic !== undefined && machine.gic !== undefined) restoreGic(machine.gic, snap.gic);
  // RAM of a fresh machine is zero: write only the snapshot's pages (writing the rest, even zeros, would make the
  // host commit all of guest RAM).
  const memoryPages = snap.memory.copyInto(machine.ram.bytes, opts.progress);
  // The ITS after RAM: it reads its tables and the LPI configuration and pending tables from guest memory.
  const its = virtIts(machine.vm);
  if (snap.gic !== undefined && its !== undefined) restoreIts(its, snap.gic);
  let n = 0;
  for (const [p, tags] of snap.tags) {
    if (opts.tagsVia === 'mapping') machine.ram.writeTags(p * SNAPSHOT_PAGE, tags);
    else machine.vm.armMteCopyTags({ guestIpa: BigInt(machine.ramBase + p * SNAPSHOT_PAGE), length: SNAPSHOT_PAGE, buffer: tags, flags: KVM_ARM_TAGS_TO_GUEST });
    if ((++n & 0xfff) === 0) opts.progress?.('restoring tags', n, snap.tags.size);
  }
  return { memoryPages, tagPages: n };
}

/**
 * The timers' counts (KVM_REG_ARM_TIMER_CNT, PTIMER_CNT): a write sets the VM's counter offset, so any value is
 * taken (no probing) and the value moves with time (written back whatever the current count).
 */
const COUNT_REGS = new Set<bigint>([KVM_REG_ARM_TIMER_CNT, KVM_REG_ARM_PTIMER_CNT]);
/** Registers a snapshot may lack (taken before vmm-lite had them): the timers'. */
const OPTIONAL_REGS = new Set<bigint>(TIMER_REG_IDS);

/**
 * Whether a register write of `value` will succeed (same value already there, or the register takes it): undefined
 * if so, else the value here and kvm-core's reason. Probes by writing `value` and putting the old value back.
 */
function writeRefusal(vcpu: Vcpu, id: bigint, value: bigint): { here: bigint; why: string } | undefined {
  if (COUNT_REGS.has(id)) return undefined;
  const cur = vcpu.getOneReg(id);
  if (cur === value) return undefined;
  try {
    vcpu.setOneReg(id, value);
  } catch (e) {
    return { here: cur, why: e instanceof Error ? e.message : String(e) };
  }
  vcpu.setOneReg(id, cur);
  return undefined;
}

/** The timers' ONE_REG ids by Linux's names (TIMER_CVAL and TIMER_CNT do not name the registers their encodings do). */
const TIMER_REG_NAMES = new Map<bigint, string>(TIMER_REG_IDS.map((id, i) => [id,
  ['KVM_REG_ARM_TIMER_CTL', 'KVM_REG_ARM_TIMER_CNT', 'KVM_REG_ARM_TIMER_CVAL', 'KVM_REG_ARM_PTIMER_CTL', 'KVM_REG_ARM_PTIMER_CNT', 'KVM_REG_ARM_PTIMER_CVAL'][i]!]));

/** A ONE_REG id for messages: the system register's name and the id (`OSLSR_EL1 (0x603000000013808c)`), or the id. */
function regName(id: bigint): string {
  const hex = `0x${id.toString(16)}`;
  const timer = TIMER_REG_NAMES.get(id);
  if (timer !== undefined) return `${timer} (${hex})`;
  if ((id & ~0xffffn) !== 0x6030_0000_0013_0000n) return hex;
  const n = sysRegByKey(Number(id & 0xffffn));
  return n < 0 ? hex : `${SYSREG_DEFS[n]!.name} (${hex})`;
}

/** Tag statistics of a decoded snapshot, for `inspect`. */
export function tagStats(snap: DecodedSnapshot): { taggedPages: number; nonZeroTags: number; histogram: number[] } {
  const histogram = new Array<number>(16).fill(0);
  let nonZero = 0;
  for (const t of snap.tags.values()) {
    for (const x of t) {
      histogram[x]!++;
      if (x !== 0) nonZero++;
    }
  }
  const pages = snap.header.memory / SNAPSHOT_PAGE;
  histogram[0]! += (pages - snap.tags.size) * TAGS_PER_PAGE;
  if (!snap.header.mte) histogram[0] = 0;
  return { taggedPages: snap.tags.size, nonZeroTags: nonZero, histogram };
}

export { SnapshotError };
