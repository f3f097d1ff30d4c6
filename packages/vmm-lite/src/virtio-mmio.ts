/**
 * A virtio-mmio transport with a device plugged in, as QEMU 10's virt board presents it by default: the legacy
 * register interface (version 1; QEMU's `virtio-mmio.force-legacy` is true unless changed), 32-bit registers, the
 * device's configuration space from offset 0x100 (any access size), split virtqueues laid out by page frame number
 * (QueuePFN << log2(GuestPageSize), QueueAlign), and an interrupt line that is high while InterruptStatus is non-zero
 * (bit 0: used buffers; QEMU raises it level-style though the device tree says edge).
 *
 * What QEMU's legacy transport does and this one does too: reading DeviceFeatures with a selector other than 0 gives
 * 0, and writing DriverFeatures with one is ignored; the driver's features are masked by the device's; QueueNumMax
 * reads 1024 (VIRTQUEUE_MAX_SIZE) for an existing queue and 0 for another; QueueNum takes 1..1024 for an existing
 * queue; QueuePFN 0 resets the device; Status 0 resets it; an access of a register that is not 32 bits wide reads 0
 * and writes nothing. A protocol error in a queue (virtqueue.ts) or a malformed request breaks the device, as QEMU's
 * virtio_error: it processes no queue until the driver resets it (a legacy device shows no NEEDS_RESET status bit),
 * and `broken` says why.
 */
import type { AccessSize, MmioDevice } from './bus.js';
import type { GuestMemory } from './virtio-dma.js';
import { legacyLayout, Virtqueue, VirtqueueError, type Chain } from './virtqueue.js';

/** Ring feature bits the transport implements (a device lists those it offers in `features`). */
export const VIRTIO_F_NOTIFY_ON_EMPTY = 24;
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
export const VIRTIO_RING_F_EVENT_IDX = 29;

/** QEMU's VIRTQUEUE_MAX_SIZE: what QueueNumMax reads, the largest QueueNum. */
export const VIRTQUEUE_MAX_SIZE = 1024;

const REG = {
  magic: 0x000, version: 0x004, deviceId: 0x008, vendorId: 0x00c, hostFeatures: 0x010, hostFeaturesSel: 0x014,
  guestFeatures: 0x020, guestFeaturesSel: 0x024, guestPageSize: 0x028, queueSel: 0x030, queueNumMax: 0x034,
  queueNum: 0x038, queueAlign: 0x03c, queuePfn: 0x040, queueNotify: 0x050, interruptStatus: 0x060,
  interruptAck: 0x064, status: 0x070, config: 0x100,
} as const;
const MAGIC_VALUE = 0x7472_6976; // "virt"
const LEGACY_VERSION = 1;
const QEMU_VENDOR_ID = 0x554d_4551; // "QEMU"
const INT_VRING = 1;

/** A virtio device behind the transport (virtio-blk.ts). */
export interface VirtioDevice {
  readonly name: string;
  /** The virtio device ID (2: block). */
  readonly deviceId: number;
  /** Feature bits offered (device and ring bits). */
  readonly features: bigint;
  /** Virtqueues, each with this default size. */
  readonly queueSizes: readonly number[];
  /** Configuration space read at `offset` (`size` bytes, little-endian); -1 bits beyond its end, as QEMU. */
  configRead(offset: number, size: AccessSize): number;
  configWrite(offset: number, size: AccessSize, value: number): void;
  /**
   * Handle one request taken off queue `queue`; return the bytes written into its device-writable buffers (the used
   * length). Throw VirtqueueError for a request the device cannot parse (the transport breaks the device).
   */
  handle(queue: number, chain: Chain, mem: GuestMemory, features: bigint): number;
  /** The driver reset the device. */
  reset(): void;
  /** The device's own state for a snapshot (JSON-safe), and putting it back (throw on a state it cannot take). */
  saveState(): unknown;
  loadState(s: unknown): void;
}

/** A queue's registers and the device's position in it. */
interface QueueState {
  num: number;
  align: number;
  pfn: number;
  lastAvail: number;
  usedIdx: number;
}

/** The transport's state as a snapshot keeps it (JSON-safe: the features as a hex string). */
export interface VirtioMmioState {
  status: number;
  hostFeaturesSel: number;
  guestFeatures: string;
  guestFeaturesSel: number;
  guestPageShift: number;
  queueSel: number;
  isr: number;
  broken: string | null;
  queues: QueueState[];
  /** The device's own state (VirtioDevice.saveState). */
  device: unknown;
}

export class VirtioMmioTransport implements MmioDevice {
  readonly maxAccessSize = 4 as const;
  private status = 0;
  private hostFeaturesSel = 0;
  private guestFeatures = 0n;
  private guestFeaturesSel = 0;
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
  ) {
    this.queues = device.queueSizes.map((n) => freshQueue(n));
  }

  get name(): string {
    return this.device.name;
  }

  /** The features the driver accepted (a subset of the device's). */
  get negotiated(): bigint {
    return this.guestFeatures;
  }

  read(offset: number, size: AccessSize): bigint {
    if (offset >= REG.config) return BigInt(this.device.configRead(offset - REG.config, size) >>> 0) & ((1n << BigInt(8 * size)) - 1n);
    if (size !== 4) return 0n;
    const q = this.queues[this.queueSel];
    switch (offset) {
      case REG.magic: return BigInt(MAGIC_VALUE);
      case REG.version: return BigInt(LEGACY_VERSION);
      case REG.deviceId: return BigInt(this.device.deviceId);
      case REG.vendorId: return BigInt(QEMU_VENDOR_ID);
      case REG.hostFeatures: return this.hostFeaturesSel === 0 ? this.device.features & 0xffff_ffffn : 0n;
      case REG.queueNumMax: return q !== undefined && q.num !== 0 ? BigInt(VIRTQUEUE_MAX_SIZE) : 0n;
      case REG.queuePfn: return q === undefined ? 0n : BigInt(q.pfn);
      case REG.interruptStatus: return BigInt(this.isr);
      case REG.status: return BigInt(this.status);
      default: return 0n;
    }
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    if (offset >= REG.config) {
      this.device.configWrite(offset - REG.config, size, Number(value));
      return;
    }
    if (size !== 4) return;
    const v = Number(value);
    const q = this.queues[this.queueSel];
    switch (offset) {
      case REG.hostFeaturesSel: this.hostFeaturesSel = v; return;
      case REG.guestFeatures:
        if (this.guestFeaturesSel === 0) this.guestFeatures = BigInt(v) & this.device.features & 0xffff_ffffn;
        return;
      case REG.guestFeaturesSel: this.guestFeaturesSel = v; return;
      case REG.guestPageSize: {
        // log2 of the page size (its lowest set bit, as QEMU's ctz32); 0 for a value of 0.
        const shift = v === 0 ? 32 : 31 - Math.clz32(v & -v);
        this.guestPageShift = shift > 31 ? 0 : shift;
        return;
      }
      case REG.queueSel: if (v < VIRTQUEUE_MAX_SIZE) this.queueSel = v; return;
      case REG.queueNum:
        // An existing queue takes 1..1024 entries; a queue the device does not have stays without.
        if (q !== undefined && q.num !== 0 && v !== 0 && v <= VIRTQUEUE_MAX_SIZE) q.num = v;
        return;
      case REG.queueAlign: if (q !== undefined) q.align = v; return;
      case REG.queuePfn:
        if (v === 0) this.reset();
        else if (q !== undefined && q.num !== 0) q.pfn = v;
        return;
      case REG.queueNotify: this.notify(v); return;
      case REG.interruptAck:
        this.isr &= ~v;
        this.irq(this.isr !== 0);
        return;
      case REG.status:
        this.status = v & 0xff;
        if (this.status === 0) this.reset();
        return;
      default:
    }
  }

  /** The driver reset the device: everything but the guest page size (Linux writes it once, before the reset). */
  private reset(): void {
    this.status = 0;
    this.hostFeaturesSel = 0;
    this.guestFeatures = 0n;
    this.guestFeaturesSel = 0;
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
    return (this.guestFeatures & (1n << BigInt(bit))) !== 0n;
  }

  /** Queue `index` was notified: handle every request the driver made available, then interrupt if it wants one. */
  private notify(index: number): void {
    const q = this.queues[index];
    if (q === undefined || q.num === 0 || q.pfn === 0 || this.broken !== undefined) return;
    const addr = q.pfn * 2 ** this.guestPageShift;
    const vq = new Virtqueue(this.mem, {
      num: q.num, ...legacyLayout(addr, q.num, q.align),
      indirect: this.has(VIRTIO_RING_F_INDIRECT_DESC), eventIdx: this.has(VIRTIO_RING_F_EVENT_IDX),
    }, q);
    const oldUsed = q.usedIdx;
    try {
      for (let chain = vq.pop(); chain !== undefined; chain = vq.pop()) {
        const len = this.device.handle(index, chain, this.mem, this.guestFeatures);
        vq.push(chain.head, len);
      }
      vq.publishAvailEvent();
      if (q.usedIdx !== oldUsed && vq.needsInterrupt(oldUsed, this.has(VIRTIO_F_NOTIFY_ON_EMPTY))) this.interrupt();
    } catch (e) {
      if (!(e instanceof VirtqueueError)) throw e;
      this.broken = `${this.device.name}: ${e.message}`;
    }
  }

  private interrupt(): void {
    this.isr |= INT_VRING;
    this.irq(true);
  }

  saveState(): VirtioMmioState {
    return {
      status: this.status, hostFeaturesSel: this.hostFeaturesSel, guestFeatures: this.guestFeatures.toString(16),
      guestFeaturesSel: this.guestFeaturesSel, guestPageShift: this.guestPageShift, queueSel: this.queueSel,
      isr: this.isr, broken: this.broken ?? null, queues: this.queues.map((q) => ({ ...q })), device: this.device.saveState(),
    };
  }

  /** Put back a state from {@link saveState} (checked: a TypeError naming the bad field). */
  loadState(s: unknown): void {
    checkVirtioMmioState(s, this.device.queueSizes.length);
    this.device.loadState(s.device);
    this.status = s.status;
    this.hostFeaturesSel = s.hostFeaturesSel;
    this.guestFeatures = BigInt(`0x${s.guestFeatures}`) & this.device.features;
    this.guestFeaturesSel = s.guestFeaturesSel;
    this.guestPageShift = s.guestPageShift;
    this.queueSel = s.queueSel;
    this.isr = s.isr;
    this.broken = s.broken ?? undefined;
    this.queues = s.queues.map((q) => ({ ...q }));
  }
}

function freshQueue(num: number): QueueState {
  return { num, align: 4096, pfn: 0, lastAvail: 0, usedIdx: 0 };
}

const isU32 = (x: unknown): x is number => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 0xffff_ffff;

/** Check a saved transport state (a snapshot's); a TypeError naming the first bad field. */
export function checkVirtioMmioState(s: unknown, queues: number): asserts s is VirtioMmioState {
  const bad = (what: string): never => { throw new TypeError(`virtio-mmio state: bad ${what}`); };
  if (typeof s !== 'object' || s === null) bad('state');
  const o = s as Record<string, unknown>;
  for (const k of ['status', 'hostFeaturesSel', 'guestFeaturesSel', 'queueSel', 'isr']) if (!isU32(o[k])) bad(k);
  if (!isU32(o.guestPageShift) || (o.guestPageShift as number) > 31) bad('guestPageShift');
  if (typeof o.guestFeatures !== 'string' || !/^[0-9a-f]{1,16}$/.test(o.guestFeatures)) bad('guestFeatures');
  if (o.broken !== null && typeof o.broken !== 'string') bad('broken');
  if (!Array.isArray(o.queues) || o.queues.length !== queues) bad('queues');
  for (const q of o.queues as unknown[]) {
    const r = q as Record<string, unknown>;
    if (typeof q !== 'object' || q === null) bad('queue');
    if (!isU32(r.num) || (r.num as number) > VIRTQUEUE_MAX_SIZE) bad('queue num');
    for (const k of ['align', 'pfn']) if (!isU32(r[k])) bad(`queue ${k}`);
    for (const k of ['lastAvail', 'usedIdx']) if (!isU32(r[k]) || (r[k] as number) > 0xffff) bad(`queue ${k}`);
  }
}
