/**
 * A virtio-mmio transport with a device plugged in (virtio-device.ts: the transport knows nothing of device types),
 * in either of the register interfaces of the virtio 1.x specification, 4.2.2:
 *
 * - 'modern' (Version 2; vmm-lite's default, QEMU 10's with `-global virtio-mmio.force-legacy=false`): 64-bit
 *   features through DeviceFeaturesSel/DriverFeaturesSel 0 and 1; VIRTIO_F_VERSION_1 is offered and required (a
 *   driver that sets FEATURES_OK without it reads FEATURES_OK back clear, and its device stays unusable); the driver's
 *   features take effect at FEATURES_OK and are fixed from then on (later DriverFeatures writes are ignored); each
 *   queue has its own descriptor, driver (available) and device (used) ring addresses, QueueDesc/Driver/Device
 *   Low/High, and QueueReady (the queue registers are ignored while the queue is ready, as the driver must not write
 *   them then); VIRTIO_F_RING_RESET is offered, as QEMU offers it, with QueueReset (0x0c0) resetting the selected
 *   queue; ConfigGeneration counts configuration changes; no shared memory regions (SHMLen and SHMBase read
 *   0xffffffff: "none", as the specification asks). The legacy-only features NOTIFY_ON_EMPTY and ANY_LAYOUT are hidden,
 *   as QEMU hides them. Write-only registers read 0.
 * - 'legacy' (Version 1; QEMU 10's default, `virtio-mmio.force-legacy=true`): 32 feature bits (DeviceFeatures with a
 *   selector other than 0 reads 0, DriverFeatures with one is ignored), split virtqueues laid out by page frame number
 *   (QueuePFN << log2(GuestPageSize), QueueAlign), QueuePFN 0 resets the device.
 *
 * Both: 32-bit registers (an access of another size reads 0 and writes nothing, as QEMU), the device's configuration
 * space from offset 0x100 (any access size); QueueNumMax reads 1024 (QEMU's VIRTQUEUE_MAX_SIZE) for an existing queue
 * and 0 for another; QueueNum takes 1..1024 for an existing queue; Status 0 resets the device (everything but the
 * legacy guest page size); the driver's features are masked by the device's; an interrupt line that is high while
 * InterruptStatus is non-zero (bit 0: used buffers, bit 1: configuration change; QEMU raises it level-style though
 * the device tree says edge).
 *
 * A protocol error in a queue (virtqueue.ts) or a malformed request breaks the device, as QEMU's virtio_error: it
 * processes no queue until the driver resets it, and `broken` says why. A modern device also sets NEEDS_RESET (0x40)
 * in Status and, once the driver is ready (DRIVER_OK), signals a configuration change (as QEMU does).
 */
import type { AccessSize, MmioDevice } from './bus.js';
import type { GuestMemory } from './virtio-dma.js';
import {
  featureBit, VIRTIO_F_ANY_LAYOUT, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_RING_RESET, VIRTIO_F_VERSION_1,
  VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC, type VirtioDevice, type VirtioMmioVersion,
} from './virtio-device.js';
import { legacyLayout, Virtqueue, VirtqueueError, type VirtqueueLayout } from './virtqueue.js';

export {
  VIRTIO_F_ANY_LAYOUT, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_F_RING_RESET, VIRTIO_F_VERSION_1, VIRTIO_RING_F_EVENT_IDX,
  VIRTIO_RING_F_INDIRECT_DESC, type VirtioDevice, type VirtioMmioVersion,
};

/** QEMU's VIRTQUEUE_MAX_SIZE: what QueueNumMax reads, the largest QueueNum. */
export const VIRTQUEUE_MAX_SIZE = 1024;

/** Register offsets (virtio 1.x 4.2.2, and 4.2.4 for the legacy ones). */
export const VIRTIO_MMIO_REG = {
  magic: 0x000, version: 0x004, deviceId: 0x008, vendorId: 0x00c, deviceFeatures: 0x010, deviceFeaturesSel: 0x014,
  driverFeatures: 0x020, driverFeaturesSel: 0x024, guestPageSize: 0x028, queueSel: 0x030, queueNumMax: 0x034,
  queueNum: 0x038, queueAlign: 0x03c, queuePfn: 0x040, queueReady: 0x044, queueNotify: 0x050, interruptStatus: 0x060,
  interruptAck: 0x064, status: 0x070, queueDescLow: 0x080, queueDescHigh: 0x084, queueDriverLow: 0x090,
  queueDriverHigh: 0x094, queueDeviceLow: 0x0a0, queueDeviceHigh: 0x0a4, shmSel: 0x0ac, shmLenLow: 0x0b0,
  shmLenHigh: 0x0b4, shmBaseLow: 0x0b8, shmBaseHigh: 0x0bc, queueReset: 0x0c0, configGeneration: 0x0fc, config: 0x100,
} as const;
const REG = VIRTIO_MMIO_REG;
/** Device status bits (virtio 1.x 2.1). */
export const VIRTIO_STATUS = { ACKNOWLEDGE: 1, DRIVER: 2, DRIVER_OK: 4, FEATURES_OK: 8, NEEDS_RESET: 0x40, FAILED: 0x80 } as const;
const MAGIC_VALUE = 0x7472_6976; // "virt"
const QEMU_VENDOR_ID = 0x554d_4551; // "QEMU"
const INT_VRING = 1;
const INT_CONFIG = 2;
/** Features only a legacy interface has: a modern transport does not offer them (QEMU's legacy_features). */
const LEGACY_ONLY = featureBit(VIRTIO_F_NOTIFY_ON_EMPTY) | featureBit(VIRTIO_F_ANY_LAYOUT);
const U32 = 0xffff_ffffn;

/** The register interface's Version value. */
export function virtioMmioVersionNumber(v: VirtioMmioVersion): number {
  return v === 'modern' ? 2 : 1;
}

/** A queue's registers and the device's position in it. Addresses of the modern interface as 32-bit halves. */
interface QueueState {
  num: number;
  /** Modern: QueueReady. */
  ready: boolean;
  /** Legacy: QueueAlign and QueuePFN. */
  align: number;
  pfn: number;
  /** Modern: the descriptor table, driver (available) and device (used) rings, [low, high]. */
  desc: [number, number];
  driver: [number, number];
  device: [number, number];
  lastAvail: number;
  usedIdx: number;
}

/** The transport's state as a snapshot keeps it (JSON-safe: features as hex strings). */
export interface VirtioMmioState {
  /** Absent in snapshots from before the modern interface: 'legacy'. */
  version?: VirtioMmioVersion;
  status: number;
  hostFeaturesSel: number;
  /** The features in effect (legacy: as written; modern: fixed at FEATURES_OK). */
  guestFeatures: string;
  guestFeaturesSel: number;
  /** Modern: DriverFeatures as written, before FEATURES_OK. */
  driverFeatures?: string;
  /** Modern: ConfigGeneration. */
  generation?: number;
  guestPageShift: number;
  queueSel: number;
  isr: number;
  broken: string | null;
  queues: Partial<QueueState>[];
  /** The device's own state (VirtioDevice.saveState). */
  device: unknown;
}

export class VirtioMmioTransport implements MmioDevice {
  readonly maxAccessSize = 4 as const;
  /** The features the transport offers the driver. */
  readonly offered: bigint;
  private status = 0;
  private hostFeaturesSel = 0;
  private guestFeatures = 0n;
  private guestFeaturesSel = 0;
  private driverFeatures = 0n;
  private generation = 0;
  private guestPageShift = 0;
  private queueSel = 0;
  private isr = 0;
  private queues: QueueState[];
  /** Why the device stopped (a protocol error), until the driver resets it; undefined while it works. */
  broken: string | undefined;

  constructor(
    readonly device: VirtioDevice,
    private readonly mem: GuestMemory,
    /** The transport's interrupt line: true while InterruptStatus is non-zero. */
    private readonly irq: (level: boolean) => void,
    /** The register interface (default 'modern', vmm-lite's default). */
    readonly version: VirtioMmioVersion = 'modern',
  ) {
    if (version !== 'modern' && version !== 'legacy') throw new RangeError(`invalid virtio-mmio version ${String(version)}: must be legacy or modern`);
    const own = device.features(version);
    this.offered = version === 'modern'
      ? (own & ~LEGACY_ONLY) | featureBit(VIRTIO_F_VERSION_1) | featureBit(VIRTIO_F_RING_RESET)
      : own & U32;
    this.queues = device.queueSizes.map((n) => freshQueue(n));
    device.attach?.({
      kick: (q) => { if ((this.status & VIRTIO_STATUS.DRIVER_OK) !== 0) this.kick(q); },
      negotiated: () => this.guestFeatures,
    });
  }

  get name(): string {
    return this.device.name;
  }

  /** The features the driver accepted (a subset of `offered`; modern: those fixed at FEATURES_OK). */
  get negotiated(): bigint {
    return this.guestFeatures;
  }

  private get modern(): boolean {
    return this.version === 'modern';
  }

  read(offset: number, size: AccessSize): bigint {
    if (offset >= REG.config) return BigInt(this.device.configRead(offset - REG.config, size) >>> 0) & ((1n << BigInt(8 * size)) - 1n);
    if (size !== 4) return 0n;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case REG.magic: return BigInt(MAGIC_VALUE);
      case REG.version: return BigInt(virtioMmioVersionNumber(this.version));
      case REG.deviceId: return BigInt(this.device.deviceId);
      case REG.vendorId: return BigInt(QEMU_VENDOR_ID);
      case REG.deviceFeatures:
        if (this.hostFeaturesSel > (this.modern ? 1 : 0)) return 0n;
        return (this.offered >> BigInt(32 * this.hostFeaturesSel)) & U32;
      case REG.queueNumMax: return q !== undefined && q.num !== 0 ? BigInt(VIRTQUEUE_MAX_SIZE) : 0n;
      case REG.interruptStatus: return BigInt(this.isr);
      case REG.status: return BigInt(this.status);
      default:
    }
    if (!this.modern) return offset === REG.queuePfn && q !== undefined ? BigInt(q.pfn) : 0n;
    switch (offset) {
      case REG.queueReady: return q?.ready === true ? 1n : 0n;
      case REG.configGeneration: return BigInt(this.generation);
      case REG.shmLenLow: case REG.shmLenHigh: case REG.shmBaseLow: case REG.shmBaseHigh: return U32;
      default: return 0n; // QueueReset reads 0: a reset completes at once
    }
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (offset >= REG.config) {
      this.device.configWrite(offset - REG.config, size, Number(value));
      return;
    }
    if (size !== 4) return;
    const v = Number(value);
    switch (offset) {
      case REG.deviceFeaturesSel: this.hostFeaturesSel = v; return;
      case REG.driverFeaturesSel: this.guestFeaturesSel = v; return;
      case REG.queueSel: if (v < VIRTQUEUE_MAX_SIZE) this.queueSel = v; return;
      case REG.queueNotify: this.kick(v); return;
      case REG.interruptAck:
        this.isr &= ~v;
        this.irq(this.isr !== 0);
        return;
      case REG.status: this.setStatus(v & 0xff); return;
      default:
    }
    if (this.modern) this.writeModern(offset, v);
    else this.writeLegacy(offset, v);
  }

  private writeLegacy(offset: number, v: number): void {
    const q = this.queues[this.queueSel];
    switch (offset) {
      case REG.driverFeatures:
        if (this.guestFeaturesSel === 0) this.guestFeatures = BigInt(v) & this.offered;
        return;
      case REG.guestPageSize: {
        // log2 of the page size (its lowest set bit, as QEMU's ctz32); 0 for a value of 0.
        const shift = v === 0 ? 32 : 31 - Math.clz32(v & -v);
        this.guestPageShift = shift > 31 ? 0 : shift;
        return;
      }
      case REG.queueNum:
        // An existing queue takes 1..1024 entries; a queue the device does not have stays without.
        if (q !== undefined && q.num !== 0 && v !== 0 && v <= VIRTQUEUE_MAX_SIZE) q.num = v;
        return;
      case REG.queueAlign: if (q !== undefined) q.align = v; return;
      case REG.queuePfn:
        if (v === 0) this.reset();
        else if (q !== undefined && q.num !== 0) q.pfn = v;
        return;
      default:
    }
  }

  private writeModern(offset: number, v: number): void {
    switch (offset) {
      case REG.driverFeatures: {
        // Fixed once FEATURES_OK is set; selectors other than 0 and 1 name bits no device has.
        if ((this.status & VIRTIO_STATUS.FEATURES_OK) !== 0 || this.guestFeaturesSel > 1) return;
        const shift = BigInt(32 * this.guestFeaturesSel);
        this.driverFeatures = (this.driverFeatures & ~(U32 << shift)) | (BigInt(v) << shift);
        return;
      }
      case REG.queueReset: {
        const q = this.queues[this.queueSel];
        if (v === 1 && q !== undefined && q.num !== 0 && this.has(VIRTIO_F_RING_RESET)) {
          this.queues[this.queueSel] = freshQueue(this.device.queueSizes[this.queueSel]!);
        }
        return;
      }
      case REG.shmSel: return; // no shared memory regions
      default:
    }
    const q = this.queues[this.queueSel];
    // Queue registers of a queue the device does not have, or of a ready one (the driver must not write them).
    if (q === undefined || q.num === 0) return;
    if (offset === REG.queueReady) {
      q.ready = (v & 1) === 1;
      return;
    }
    if (q.ready) return;
    switch (offset) {
      case REG.queueNum: if (v !== 0 && v <= VIRTQUEUE_MAX_SIZE) q.num = v; return;
      case REG.queueDescLow: q.desc[0] = v; return;
      case REG.queueDescHigh: q.desc[1] = v; return;
      case REG.queueDriverLow: q.driver[0] = v; return;
      case REG.queueDriverHigh: q.driver[1] = v; return;
      case REG.queueDeviceLow: q.device[0] = v; return;
      case REG.queueDeviceHigh: q.device[1] = v; return;
      default:
    }
  }

  /** A Status write: 0 resets; modern FEATURES_OK fixes the features (or stays clear without VERSION_1). */
  private setStatus(v: number): void {
    if (v === 0) {
      this.reset();
      return;
    }
    const S = VIRTIO_STATUS;
    // NEEDS_RESET is the device's to set (modern only); the driver's write neither sets nor clears it.
    let next = this.modern ? (v & ~S.NEEDS_RESET) | (this.status & S.NEEDS_RESET) : v;
    if (this.modern && (next & S.FEATURES_OK) !== 0 && (this.status & S.FEATURES_OK) === 0) {
      const accepted = this.driverFeatures & this.offered;
      if ((accepted & featureBit(VIRTIO_F_VERSION_1)) === 0n) next &= ~S.FEATURES_OK;
      else this.guestFeatures = accepted;
    }
    const nowOk = (next & S.DRIVER_OK) !== 0 && (this.status & S.DRIVER_OK) === 0;
    this.status = next;
    // Data the device was holding for the driver (console input) goes out once the driver is ready.
    if (nowOk) this.device.queueSizes.forEach((_, i) => { if (this.device.ready?.(i) === true) this.kick(i); });
  }

  /** The driver reset the device: everything but the legacy guest page size (Linux writes it once, before the reset). */
  private reset(): void {
    this.status = 0;
    this.hostFeaturesSel = 0;
    this.guestFeatures = 0n;
    this.guestFeaturesSel = 0;
    this.driverFeatures = 0n;
    this.queueSel = 0;
    this.queues = this.device.queueSizes.map((n) => freshQueue(n));
    this.broken = undefined;
    this.device.reset();
    if (this.isr !== 0) {
      this.isr = 0;
      this.irq(false);
    }
  }

  private has(bit: number): boolean {
    return (this.guestFeatures & featureBit(bit)) !== 0n;
  }

  /** Where queue `q` is, or undefined while it is not set up (legacy: no PFN; modern: not ready). */
  private layout(q: QueueState): Omit<VirtqueueLayout, 'indirect' | 'eventIdx'> | undefined {
    if (q.num === 0) return undefined;
    if (!this.modern) return q.pfn === 0 ? undefined : { num: q.num, ...legacyLayout(q.pfn * 2 ** this.guestPageShift, q.num, q.align) };
    if (!q.ready) return undefined;
    const addr = (a: [number, number]): number => a[1] * 2 ** 32 + a[0];
    return { num: q.num, desc: addr(q.desc), avail: addr(q.driver), used: addr(q.device) };
  }

  /**
   * Queue `index` was notified (or the device has data for it): handle every request the driver made available
   * that the device takes now, then interrupt if the driver wants one.
   */
  private kick(index: number): void {
    const q = this.queues[index];
    if (q === undefined || this.broken !== undefined) return;
    const at = this.layout(q);
    if (at === undefined) return;
    const vq = new Virtqueue(this.mem, { ...at, indirect: this.has(VIRTIO_RING_F_INDIRECT_DESC), eventIdx: this.has(VIRTIO_RING_F_EVENT_IDX) }, q);
    const oldUsed = q.usedIdx;
    try {
      while (this.device.ready?.(index) ?? true) {
        const chain = vq.pop();
        if (chain === undefined) break;
        const len = this.device.handle(index, chain, this.mem, this.guestFeatures);
        vq.push(chain.head, len);
      }
      vq.publishAvailEvent();
      if (q.usedIdx !== oldUsed && vq.needsInterrupt(oldUsed, this.has(VIRTIO_F_NOTIFY_ON_EMPTY))) this.interrupt(INT_VRING);
    } catch (e) {
      if (!(e instanceof VirtqueueError)) throw e;
      this.break(`${this.device.name}: ${e.message}`);
    }
  }

  /** virtio_error: stop processing; a modern device asks the driver for a reset. */
  private break(why: string): void {
    this.broken = why;
    if (!this.modern) return;
    this.status |= VIRTIO_STATUS.NEEDS_RESET;
    if ((this.status & VIRTIO_STATUS.DRIVER_OK) !== 0) {
      this.generation = (this.generation + 1) >>> 0;
      this.interrupt(INT_CONFIG);
    }
  }

  private interrupt(bit: number): void {
    this.isr |= bit;
    this.irq(true);
  }

  saveState(): VirtioMmioState {
    return {
      version: this.version, status: this.status, hostFeaturesSel: this.hostFeaturesSel,
      guestFeatures: this.guestFeatures.toString(16), guestFeaturesSel: this.guestFeaturesSel,
      ...(this.modern && { driverFeatures: this.driverFeatures.toString(16), generation: this.generation }),
      guestPageShift: this.guestPageShift, queueSel: this.queueSel, isr: this.isr, broken: this.broken ?? null,
      queues: this.queues.map((q) => ({ ...q, desc: [...q.desc], driver: [...q.driver], device: [...q.device] })),
      device: this.device.saveState(),
    };
  }

  /** Throw (a TypeError naming the problem) if `loadState(s)` would; nothing changes. */
  checkState(s: unknown): void {
    checkVirtioMmioState(s, this.device.queueSizes.length);
    const version = s.version ?? 'legacy';
    if (version !== this.version) throw new TypeError(`${this.device.name}: the snapshot's virtio-mmio transport is ${version}, this machine's is ${this.version}`);
    this.device.checkState(s.device);
  }

  /** Put back a state from {@link saveState} (checked first: a TypeError naming the bad field, nothing changed). */
  loadState(s: unknown): void {
    this.checkState(s);
    const st = s as VirtioMmioState;
    this.device.loadState(st.device);
    this.status = st.status;
    this.hostFeaturesSel = st.hostFeaturesSel;
    this.guestFeatures = BigInt(`0x${st.guestFeatures}`) & this.offered;
    this.guestFeaturesSel = st.guestFeaturesSel;
    this.driverFeatures = BigInt(`0x${st.driverFeatures ?? '0'}`);
    this.generation = st.generation ?? 0;
    this.guestPageShift = st.guestPageShift;
    this.queueSel = st.queueSel;
    this.isr = st.isr;
    this.broken = st.broken ?? undefined;
    this.queues = st.queues.map((q) => ({ ...freshQueue(0), ...q, desc: [...(q.desc ?? [0, 0])], driver: [...(q.driver ?? [0, 0])], device: [...(q.device ?? [0, 0])] }) as QueueState);
  }
}

function freshQueue(num: number): QueueState {
  return { num, ready: false, align: 4096, pfn: 0, desc: [0, 0], driver: [0, 0], device: [0, 0], lastAvail: 0, usedIdx: 0 };
}

const isU32 = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffff_ffff;

/** Check a saved transport state (a snapshot's) of a device with `queues` queues; a TypeError naming the first bad field. */
export function checkVirtioMmioState(s: unknown, queues: number): asserts s is VirtioMmioState {
  const bad = (what: string): never => { throw new TypeError(`virtio-mmio state: bad ${what}`); };
  if (typeof s !== 'object' || s === null) bad('state');
  const o = s as Record<string, unknown>;
  if (o.version !== undefined && o.version !== 'legacy' && o.version !== 'modern') bad('version');
  for (const k of ['status', 'hostFeaturesSel', 'guestFeaturesSel', 'queueSel', 'isr']) if (!isU32(o[k])) bad(k);
  if (o.generation !== undefined && !isU32(o.generation)) bad('generation');
  if (!isU32(o.guestPageShift) || (o.guestPageShift as number) > 31) bad('guestPageShift');
  for (const k of ['guestFeatures', 'driverFeatures']) {
    if ((k === 'guestFeatures' || o[k] !== undefined) && (typeof o[k] !== 'string' || !/^[0-9a-f]{1,16}$/.test(o[k] as string))) bad(k);
  }
  if (o.broken !== null && typeof o.broken !== 'string') bad('broken');
  if (!Array.isArray(o.queues) || o.queues.length !== queues) bad('queues');
  for (const q of o.queues as unknown[]) {
    if (typeof q !== 'object' || q === null) bad('queue');
    const r = q as Record<string, unknown>;
    if (!isU32(r.num) || (r.num as number) > VIRTQUEUE_MAX_SIZE) bad('queue num');
    for (const k of ['align', 'pfn']) if (!isU32(r[k])) bad(`queue ${k}`);
    for (const k of ['lastAvail', 'usedIdx']) if (!isU32(r[k]) || (r[k] as number) > 0xffff) bad(`queue ${k}`);
    if (r.ready !== undefined && typeof r.ready !== 'boolean') bad('queue ready');
    for (const k of ['desc', 'driver', 'device']) {
      const a = r[k];
      if (a !== undefined && !(Array.isArray(a) && a.length === 2 && a.every(isU32))) bad(`queue ${k}`);
    }
  }
}
