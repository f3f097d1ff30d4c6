// A test's virtio driver for the modern (version 2) virtio-mmio transport, on guest memory of plain bytes, doing what
// Linux's virtio_mmio driver does: reset, ACKNOWLEDGE | DRIVER, read the 64 feature bits, write the accepted ones,
// FEATURES_OK, set up each queue (QueueNum, QueueDesc/Driver/Device, QueueReady), DRIVER_OK. Each queue has its own
// rings; buffers are one descriptor each, made available one at a time.
import { VirtioMmioTransport, VIRTIO_MMIO_REG as R, VIRTIO_STATUS as S } from '../virtio-mmio.js';
import type { VirtioDevice } from '../virtio-device.js';
import { bytesGuestMemory } from '../virtio-dma.js';

export const BASE = 0x4000_0000;
/** Queue q's rings at BASE + 0x1_0000 * (q + 1): descriptors, then the available ring at +0x800, used ring at +0xc00. */
const ringAt = (q: number): number => BASE + 0x1_0000 * (q + 1);
/** Buffers from BASE + 0x10_0000. */
export const BUFFERS = BASE + 0x10_0000;
export const QNUM = 16;

export class ModernDriver {
  readonly mem = new Uint8Array(0x20_0000);
  readonly view = new DataView(this.mem.buffer);
  readonly t: VirtioMmioTransport;
  irq = false;
  private readonly avail: number[] = [];
  private readonly seenUsed: number[] = [];

  constructor(readonly device: VirtioDevice, opts: { features?: bigint; queues?: number; driverOk?: boolean } = {}) {
    this.t = new VirtioMmioTransport(device, bytesGuestMemory(this.mem, BASE), (l) => { this.irq = l; }, 'modern');
    this.set(R.status, 0);
    this.set(R.status, S.ACKNOWLEDGE | S.DRIVER);
    const offered = this.deviceFeatures();
    const accept = (opts.features ?? offered) & offered;
    this.set(R.driverFeaturesSel, 1);
    this.set(R.driverFeatures, Number(accept >> 32n));
    this.set(R.driverFeaturesSel, 0);
    this.set(R.driverFeatures, Number(accept & 0xffff_ffffn));
    this.set(R.status, S.ACKNOWLEDGE | S.DRIVER | S.FEATURES_OK);
    for (let q = 0; q < (opts.queues ?? device.queueSizes.length); q++) this.setupQueue(q);
    if (opts.driverOk ?? true) this.set(R.status, S.ACKNOWLEDGE | S.DRIVER | S.FEATURES_OK | S.DRIVER_OK);
  }

  reg(off: number): number {
    return Number(this.t.read(off, 4));
  }
  set(off: number, v: number): void {
    this.t.write(off, 4, BigInt(v >>> 0));
  }
  at(gpa: number): number {
    return gpa - BASE;
  }

  deviceFeatures(): bigint {
    this.set(R.deviceFeaturesSel, 1);
    const hi = BigInt(this.reg(R.deviceFeatures));
    this.set(R.deviceFeaturesSel, 0);
    return (hi << 32n) | BigInt(this.reg(R.deviceFeatures));
  }

  setupQueue(q: number): void {
    this.set(R.queueSel, q);
    this.set(R.queueNum, QNUM);
    const at = ringAt(q);
    this.set(R.queueDescLow, at);
    this.set(R.queueDescHigh, 0);
    this.set(R.queueDriverLow, at + 0x800);
    this.set(R.queueDriverHigh, 0);
    this.set(R.queueDeviceLow, at + 0xc00);
    this.set(R.queueDeviceHigh, 0);
    this.set(R.queueReady, 1);
    this.avail[q] = 0;
    this.seenUsed[q] = 0;
  }

  /** Make one buffer available on queue `q` in descriptor `d` (device-writable or readable), without notifying. */
  offer(q: number, d: number, addr: number, len: number, write: boolean): void {
    const o = this.at(ringAt(q)) + 16 * d;
    this.view.setBigUint64(o, BigInt(addr), true);
    this.view.setUint32(o + 8, len, true);
    this.view.setUint16(o + 12, write ? 2 : 0, true);
    this.view.setUint16(o + 14, 0, true);
    const av = this.at(ringAt(q) + 0x800);
    this.view.setUint16(av + 4 + 2 * (this.avail[q]! % QNUM), d, true);
    this.avail[q] = (this.avail[q]! + 1) & 0xffff;
    this.view.setUint16(av + 2, this.avail[q]!, true);
  }

  notify(q: number): void {
    this.set(R.queueNotify, q);
  }

  usedIdx(q: number): number {
    return this.view.getUint16(this.at(ringAt(q) + 0xc00) + 2, true);
  }

  /** The used entries that appeared on queue `q` since the last call. */
  takeUsed(q: number): { id: number; len: number }[] {
    const out: { id: number; len: number }[] = [];
    const u = this.at(ringAt(q) + 0xc00);
    while (this.seenUsed[q] !== this.usedIdx(q)) {
      const o = u + 4 + 8 * (this.seenUsed[q]! % QNUM);
      out.push({ id: this.view.getUint32(o, true), len: this.view.getUint32(o + 4, true) });
      this.seenUsed[q] = (this.seenUsed[q]! + 1) & 0xffff;
    }
    return out;
  }

  bytes(gpa: number, len: number): Uint8Array {
    return this.mem.slice(this.at(gpa), this.at(gpa) + len);
  }
}
