/**
 * virtio-blk (device ID 2) on a `BlockDisk` (virtio-blk-disk.ts), as QEMU 10's `-device virtio-blk-device` offers it:
 * one request queue, the same feature bits (SEG_MAX, GEOMETRY, BLK_SIZE, SCSI, FLUSH, TOPOLOGY, CONFIG_WCE, DISCARD,
 * WRITE_ZEROES, RO for a read-only disk, and the ring's NOTIFY_ON_EMPTY, INDIRECT_DESC, EVENT_IDX; measured on QEMU 10
 * behind the legacy transport: DeviceFeatures 0x31006ed4, 0x31006ef4 read-only; behind the modern one the same
 * without SCSI and NOTIFY_ON_EMPTY, with VERSION_1 and RING_RESET, as QEMU's `info virtio-status` lists them)
 * and the same 56-byte configuration space (capacity, seg_max 254, geometry 16/16/63, blk_size 512, writeback 1,
 * num_queues 1, discard and write-zeroes limits of 0x3fffff sectors and one segment).
 *
 * Requests: IN (read), OUT (write), FLUSH, GET_ID (an empty serial: zeros), DISCARD, WRITE_ZEROES; anything else,
 * SCSI commands included, is UNSUPP. A request outside the disk or not a whole number of 512-byte sectors is IOERR,
 * as is a write, discard or write-zeroes on a read-only disk, and any I/O error of the disk. A chain without a
 * readable 16-byte header or a writable status byte breaks the device (VirtqueueError), as QEMU's virtio_error.
 *
 * Durability: a request is put on the used ring (the guest sees it complete) only after the disk call returned: a
 * write after pwrite, a FLUSH after fdatasync. With the write cache turned off by the driver (CONFIG_WCE, writeback
 * 0) every write is also flushed before it completes. DISCARD is accepted and does nothing (a hint: the data stays,
 * which the specification allows; QEMU punches a hole instead); WRITE_ZEROES writes zeros.
 */
import type { AccessSize } from './bus.js';
import type { BlockDisk } from './virtio-blk-disk.js';
import type { GuestMemory } from './virtio-dma.js';
import {
  VIRTIO_F_ANY_LAYOUT, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC, readConfigSpace, type VirtioDevice,
  type VirtioMmioVersion,
} from './virtio-device.js';
import { VirtqueueError, type Chain, type Segment } from './virtqueue.js';

export const VIRTIO_ID_BLOCK = 2;
export const SECTOR = 512;
/** The ring size QEMU gives the request queue (`queue-size`, 256). */
export const BLK_QUEUE_SIZE = 256;

/** Feature bits (virtio 1.x 5.2.3). */
export const VIRTIO_BLK_F = {
  SEG_MAX: 2, GEOMETRY: 4, RO: 5, BLK_SIZE: 6, SCSI: 7, FLUSH: 9, TOPOLOGY: 10, CONFIG_WCE: 11, DISCARD: 13,
  WRITE_ZEROES: 14,
} as const;
/** Request types (virtio 1.x 5.2.6). */
export const VIRTIO_BLK_T = { IN: 0, OUT: 1, SCSI_CMD: 2, FLUSH: 4, GET_ID: 8, DISCARD: 11, WRITE_ZEROES: 13 } as const;
/** Request status. */
export const VIRTIO_BLK_S = { OK: 0, IOERR: 1, UNSUPP: 2 } as const;
const T_BARRIER = 0x8000_0000;
const ID_BYTES = 20;
const WRITE_ZEROES_UNMAP = 1;
/** QEMU's default max-discard-sectors and max-write-zeroes-sectors. */
const MAX_DWZ_SECTORS = 0x3f_ffff;
const CONFIG_BYTES = 56;
const CONFIG_WRITEBACK = 32;
/** Zeros for WRITE_ZEROES, written at most this many bytes at a time. */
const ZERO_CHUNK = 1 << 20;

const bit = (n: number): bigint => 1n << BigInt(n);

/** A virtio-blk device's own state as a snapshot keeps it: the write cache mode, and which disk it had. */
export interface VirtioBlkState {
  writeback: number;
  disk: { name: string; size: number; readOnly: boolean };
}

export class VirtioBlk implements VirtioDevice {
  readonly name = 'virtio-blk';
  readonly deviceId = VIRTIO_ID_BLOCK;
  private readonly offered: bigint;
  readonly queueSizes = [BLK_QUEUE_SIZE];
  private readonly config = new Uint8Array(CONFIG_BYTES);
  private zeros: Uint8Array | undefined;

  constructor(readonly disk: BlockDisk) {
    if (disk.size <= 0 || disk.size % SECTOR !== 0) throw new RangeError(`virtio-blk: disk ${disk.name} is ${disk.size} bytes, not a positive multiple of ${SECTOR}`);
    const F = VIRTIO_BLK_F;
    this.offered = [F.SEG_MAX, F.GEOMETRY, F.BLK_SIZE, F.SCSI, F.FLUSH, F.TOPOLOGY, F.CONFIG_WCE, F.DISCARD, F.WRITE_ZEROES,
      VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_RING_F_EVENT_IDX, ...(disk.readOnly ? [F.RO] : [])]
      .reduce((a, n) => a | bit(n), 0n);
    const v = new DataView(this.config.buffer);
    v.setBigUint64(0, BigInt(disk.size / SECTOR), true); // capacity
    v.setUint32(12, BLK_QUEUE_SIZE - 2, true); // seg_max (QEMU's seg-max-adjust: queue size - 2)
    v.setUint16(16, 16, true); // geometry: cylinders, heads, sectors (QEMU's defaults for this transport)
    this.config[18] = 16;
    this.config[19] = 63;
    v.setUint32(20, SECTOR, true); // blk_size
    this.config[CONFIG_WRITEBACK] = 1;
    v.setUint16(34, 1, true); // num_queues
    v.setUint32(36, MAX_DWZ_SECTORS, true); // max_discard_sectors
    v.setUint32(40, 1, true); // max_discard_seg
    v.setUint32(44, 1, true); // discard_sector_alignment
    v.setUint32(48, MAX_DWZ_SECTORS, true); // max_write_zeroes_sectors
    v.setUint32(52, 1, true); // max_write_zeroes_seg
  }

  /**
   * Legacy: the bits above. Modern: without SCSI (a virtio 1.x device has no SCSI passthrough) and with ANY_LAYOUT, as
   * QEMU's virtio-blk offers them when VERSION_1 is (the transport then hides ANY_LAYOUT and NOTIFY_ON_EMPTY).
   */
  features(version: VirtioMmioVersion): bigint {
    if (version === 'legacy') return this.offered;
    return (this.offered & ~bit(VIRTIO_BLK_F.SCSI)) | bit(VIRTIO_F_ANY_LAYOUT);
  }

  configRead(offset: number, size: AccessSize): number {
    return readConfigSpace(this.config, offset, size);
  }

  /** Only the write cache mode (`writeback`, with CONFIG_WCE) is writable, as in QEMU. */
  configWrite(offset: number, size: AccessSize, value: number): void {
    if (offset <= CONFIG_WRITEBACK && CONFIG_WRITEBACK < offset + size && offset + size <= CONFIG_BYTES) {
      this.config[CONFIG_WRITEBACK] = (value >>> (8 * (CONFIG_WRITEBACK - offset))) & 1;
    }
  }

  reset(): void {
    this.config[CONFIG_WRITEBACK] = 1;
  }

  handle(_queue: number, chain: Chain, mem: GuestMemory, features: bigint): number {
    const out = chain.segments.filter((s) => !s.write);
    const inn = chain.segments.filter((s) => s.write);
    if (out.length === 0 || inn.length === 0) throw new VirtqueueError('virtio-blk request without a header or a status buffer');
    const outLen = out.reduce((n, s) => n + s.len, 0);
    const inLen = inn.reduce((n, s) => n + s.len, 0);
    if (outLen < 16) throw new VirtqueueError('virtio-blk request header shorter than 16 bytes');
    const header = gather(mem, out, 0, 16);
    const h = new DataView(header.buffer);
    const type = h.getUint32(0, true) & ~T_BARRIER;
    const sector = h.getBigUint64(8, true);
    const dataOut = slice(out, 16, outLen - 16);
    const dataIn = slice(inn, 0, inLen - 1);
    const status = this.request(type, sector, dataOut, dataIn, mem, features);
    const last = inn[inn.length - 1]!;
    const at = last.addr + last.len - 1;
    mem.range(at, 1)![0] = status;
    mem.wrote(at, 1);
    return inLen;
  }

  private request(type: number, sector: bigint, dataOut: Segment[], dataIn: Segment[], mem: GuestMemory, features: bigint): number {
    const S = VIRTIO_BLK_S;
    const disk = this.disk;
    try {
      switch (type) {
        case VIRTIO_BLK_T.IN: {
          const off = this.range(sector, total(dataIn));
          if (off === undefined) return S.IOERR;
          let p = off;
          for (const s of dataIn) {
            disk.read(p, mem.range(s.addr, s.len)!);
            mem.wrote(s.addr, s.len);
            p += s.len;
          }
          return S.OK;
        }
        case VIRTIO_BLK_T.OUT: {
          const off = this.range(sector, total(dataOut));
          if (off === undefined || disk.readOnly) return S.IOERR;
          let p = off;
          for (const s of dataOut) {
            disk.write(p, mem.range(s.addr, s.len)!);
            p += s.len;
          }
          if (!this.writeback(features)) disk.flush();
          return S.OK;
        }
        case VIRTIO_BLK_T.FLUSH:
          if (!disk.readOnly) disk.flush();
          return S.OK;
        case VIRTIO_BLK_T.GET_ID: {
          // An empty serial: zeros, in at most ID_BYTES bytes of the data buffers.
          let left = ID_BYTES;
          for (const s of dataIn) {
            const n = Math.min(left, s.len);
            mem.range(s.addr, n)!.fill(0);
            mem.wrote(s.addr, n);
            left -= n;
            if (left === 0) break;
          }
          return S.OK;
        }
        case VIRTIO_BLK_T.DISCARD:
        case VIRTIO_BLK_T.WRITE_ZEROES:
          return this.discardOrZero(type, dataOut, mem);
        default:
          return S.UNSUPP;
      }
    } catch (e) {
      if (e instanceof VirtqueueError) throw e;
      return S.IOERR; // the disk's I/O error: the guest sees IOERR, the VMM goes on
    }
  }

  /** One {sector, num_sectors, flags} segment (max_discard_seg / max_write_zeroes_seg: 1). */
  private discardOrZero(type: number, dataOut: Segment[], mem: GuestMemory): number {
    const S = VIRTIO_BLK_S;
    const len = total(dataOut);
    if (len < 16) throw new VirtqueueError('virtio-blk discard/write-zeroes request without its 16-byte segment');
    if (len > 16) return S.UNSUPP;
    const seg = new DataView(gather(mem, dataOut, 0, 16).buffer);
    const sector = seg.getBigUint64(0, true);
    const sectors = seg.getUint32(8, true);
    const flags = seg.getUint32(12, true);
    const zero = type === VIRTIO_BLK_T.WRITE_ZEROES;
    if ((flags & ~(zero ? WRITE_ZEROES_UNMAP : 0)) !== 0) return S.UNSUPP;
    if (sectors > MAX_DWZ_SECTORS || this.disk.readOnly) return S.IOERR;
    const off = this.range(sector, sectors * SECTOR);
    if (off === undefined) return S.IOERR;
    if (!zero) return S.OK;
    const zeros = (this.zeros ??= new Uint8Array(ZERO_CHUNK));
    for (let p = 0, n = sectors * SECTOR; p < n; p += ZERO_CHUNK) this.disk.write(off + p, zeros.subarray(0, Math.min(ZERO_CHUNK, n - p)));
    return S.OK;
  }

  /** The byte offset of `bytes` at `sector` when they are whole sectors inside the disk, else undefined. */
  private range(sector: bigint, bytes: number): number | undefined {
    if (bytes % SECTOR !== 0) return undefined;
    const sectors = BigInt(this.disk.size / SECTOR);
    if (sector > sectors || BigInt(bytes / SECTOR) > sectors - sector) return undefined;
    return Number(sector) * SECTOR;
  }

  private writeback(features: bigint): boolean {
    return (features & bit(VIRTIO_BLK_F.CONFIG_WCE)) === 0n || this.config[CONFIG_WRITEBACK] !== 0;
  }

  saveState(): VirtioBlkState {
    return { writeback: this.config[CONFIG_WRITEBACK]!, disk: { name: this.disk.name, size: this.disk.size, readOnly: this.disk.readOnly } };
  }

  /** Throw a TypeError if `loadState(s)` would: a bad state, or a disk of another size than the snapshot's. */
  checkState(s: unknown): asserts s is VirtioBlkState {
    checkVirtioBlkState(s);
    if (s.disk.size !== this.disk.size) {
      throw new TypeError(`virtio-blk: the snapshot's disk ${s.disk.name} was ${s.disk.size} bytes, drive ${this.disk.name} is ${this.disk.size}`);
    }
  }

  /** Put back a state from {@link saveState}: the disk must have the size the snapshot names (else a TypeError). */
  loadState(s: unknown): void {
    this.checkState(s);
    this.config[CONFIG_WRITEBACK] = s.writeback;
  }
}

/** Check a saved virtio-blk state; a TypeError naming the bad field. */
export function checkVirtioBlkState(s: unknown): asserts s is VirtioBlkState {
  const o = s as Partial<VirtioBlkState> | null;
  if (typeof o !== 'object' || o === null) throw new TypeError('virtio-blk state: bad state');
  if (o.writeback !== 0 && o.writeback !== 1) throw new TypeError('virtio-blk state: bad writeback');
  const d = o.disk;
  if (typeof d !== 'object' || d === null || typeof d.name !== 'string' || !Number.isSafeInteger(d.size) || d.size <= 0 || typeof d.readOnly !== 'boolean') {
    throw new TypeError('virtio-blk state: bad disk');
  }
}

function total(segs: readonly Segment[]): number {
  return segs.reduce((n, s) => n + s.len, 0);
}

/** The segments' bytes [from, from + len), as a list of segments. */
function slice(segs: readonly Segment[], from: number, len: number): Segment[] {
  const out: Segment[] = [];
  let skip = from;
  let left = len;
  for (const s of segs) {
    if (left <= 0) break;
    if (skip >= s.len) {
      skip -= s.len;
      continue;
    }
    const n = Math.min(s.len - skip, left);
    out.push({ addr: s.addr + skip, len: n, write: s.write });
    left -= n;
    skip = 0;
  }
  return out;
}

/** Copy the segments' bytes [from, from + len) out of guest memory. */
function gather(mem: GuestMemory, segs: readonly Segment[], from: number, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  let p = 0;
  for (const s of slice(segs, from, len)) {
    buf.set(mem.range(s.addr, s.len)!, p);
    p += s.len;
  }
  return buf;
}
