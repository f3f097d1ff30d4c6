/**
 * A split virtqueue in guest memory, as the legacy virtio-mmio transport lays it out (virtio 1.x, 2.7 and 4.2.4):
 * the descriptor table at the queue's address, the available ring right after it, the used ring at the next
 * `align` boundary. The device takes descriptor chains off the available ring (`pop`) and returns them on the used
 * ring (`push`), and decides whether the driver wants an interrupt (`needsInterrupt`, with or without
 * VIRTIO_RING_F_EVENT_IDX).
 *
 * The descriptor walk trusts nothing the guest wrote: an available index that moves by more than the ring size, a
 * head or `next` outside the table, a loop, a zero-length or out-of-RAM buffer, a readable descriptor after a
 * writable one, an indirect table that is empty, misaligned, nested or too large, or more than MAX_SEGMENTS
 * buffers: each is a `VirtqueueError`, which the transport answers as QEMU does (virtio_error: the device stops
 * processing until the driver resets it). Work per `pop` is bounded by the ring size and MAX_SEGMENTS.
 */
import type { GuestMemory } from './virtio-dma.js';

/** The most descriptors one chain may have, indirect ones included (QEMU's VIRTQUEUE_MAX_SIZE). */
export const MAX_SEGMENTS = 1024;

const DESC_F_NEXT = 1;
const DESC_F_WRITE = 2;
const DESC_F_INDIRECT = 4;
const AVAIL_F_NO_INTERRUPT = 1;

/** The guest broke the virtqueue protocol; the message says how. */
export class VirtqueueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VirtqueueError';
  }
}

/** One buffer of a chain: guest RAM [addr, addr + len), which the device reads, or writes when `write`. */
export interface Segment {
  addr: number;
  len: number;
  write: boolean;
}

/** A descriptor chain taken off the available ring: its head index (for `push`) and its buffers, in order. */
export interface Chain {
  head: number;
  segments: Segment[];
}

/** Where a queue lives and what the driver negotiated for it. */
export interface VirtqueueLayout {
  /** Entries (the ring size); 0: the queue is not set up. */
  num: number;
  /** Guest physical address of the descriptor table. */
  desc: number;
  /** Guest physical address of the available ring. */
  avail: number;
  /** Guest physical address of the used ring. */
  used: number;
  /** VIRTIO_F_RING_INDIRECT_DESC negotiated. */
  indirect: boolean;
  /** VIRTIO_F_RING_EVENT_IDX negotiated. */
  eventIdx: boolean;
}

/** The device's position in a queue: the next available entry to take, the next used entry to fill. */
export interface VirtqueueCursor {
  lastAvail: number;
  usedIdx: number;
}

/** The legacy layout (virtio 1.x 2.7.2 "Legacy Interfaces"): desc | avail | padding to `align` | used. */
export function legacyLayout(addr: number, num: number, align: number): { desc: number; avail: number; used: number } {
  const avail = addr + 16 * num;
  const availEnd = avail + 4 + 2 * num + 2;
  const a = align > 0 ? align : 1;
  return { desc: addr, avail, used: Math.ceil(availEnd / a) * a };
}

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}
function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  put16(b, o, v & 0xffff);
  put16(b, o + 2, v >>> 16);
}

/** A split virtqueue: `layout` in guest memory `mem`, the device's `cursor` (saved in snapshots). */
export class Virtqueue {
  constructor(
    private readonly mem: GuestMemory,
    readonly layout: VirtqueueLayout,
    readonly cursor: VirtqueueCursor,
  ) {}

  private bytes(gpa: number, len: number, what: string): Uint8Array {
    const b = this.mem.range(gpa, len);
    if (b === undefined) throw new VirtqueueError(`${what} at 0x${gpa.toString(16)} (${len} bytes) is outside guest RAM`);
    return b;
  }

  /** The available ring's index, as the driver last wrote it. */
  private availIdx(): number {
    return u16(this.bytes(this.layout.avail + 2, 2, 'the available ring'), 0);
  }

  /**
   * The next chain the driver made available, or undefined when there is none. Throws VirtqueueError on anything
   * malformed (see the module comment); nothing is consumed then.
   */
  pop(): Chain | undefined {
    const { num, avail } = this.layout;
    const idx = this.availIdx();
    const pending = (idx - this.cursor.lastAvail) & 0xffff;
    if (pending === 0) return undefined;
    if (pending > num) throw new VirtqueueError(`the driver moved the available index from ${this.cursor.lastAvail} to ${idx}, more than the ${num} entries of the ring`);
    const head = u16(this.bytes(avail + 4 + 2 * (this.cursor.lastAvail % num), 2, 'the available ring'), 0);
    if (head >= num) throw new VirtqueueError(`descriptor head ${head} is outside the ${num}-entry table`);
    const segments = this.walk(head);
    this.cursor.lastAvail = (this.cursor.lastAvail + 1) & 0xffff;
    return { head, segments };
  }

  private walk(head: number): Segment[] {
    const segments: Segment[] = [];
    let table = this.layout.desc;
    let size = this.layout.num;
    let i = head;
    let indirect = false;
    let seen = 0;
    let sawWrite = false;
    for (;;) {
      if (++seen > size) throw new VirtqueueError(`descriptor chain from ${head} loops or is longer than its ${size}-entry table`);
      const d = this.bytes(table + 16 * i, 16, 'a descriptor');
      const addr = u32(d, 0) + u32(d, 4) * 2 ** 32;
      const len = u32(d, 8);
      const flags = u16(d, 12);
      const next = u16(d, 14);
      if ((flags & DESC_F_INDIRECT) !== 0) {
        if (indirect) throw new VirtqueueError('an indirect descriptor inside an indirect table');
        if (!this.layout.indirect) throw new VirtqueueError('an indirect descriptor, but VIRTIO_RING_F_INDIRECT_DESC was not negotiated');
        if ((flags & DESC_F_NEXT) !== 0) throw new VirtqueueError('an indirect descriptor with VIRTQ_DESC_F_NEXT set');
        if (len === 0 || len % 16 !== 0) throw new VirtqueueError(`an indirect table of ${len} bytes (must be a non-zero multiple of 16)`);
        if (len / 16 > MAX_SEGMENTS) throw new VirtqueueError(`an indirect table of ${len / 16} descriptors (at most ${MAX_SEGMENTS})`);
        this.bytes(addr, len, 'an indirect table');
        table = addr;
        size = len / 16;
        i = 0;
        seen = 0;
        indirect = true;
        continue;
      }
      if (len === 0) throw new VirtqueueError(`descriptor ${i} has a zero-length buffer`);
      this.bytes(addr, len, `the buffer of descriptor ${i}`);
      const write = (flags & DESC_F_WRITE) !== 0;
      if (!write && sawWrite) throw new VirtqueueError(`descriptor ${i} is device-readable after a device-writable one`);
      sawWrite ||= write;
      if (segments.length >= MAX_SEGMENTS) throw new VirtqueueError(`a descriptor chain of more than ${MAX_SEGMENTS} buffers`);
      segments.push({ addr, len, write });
      if ((flags & DESC_F_NEXT) === 0) return segments;
      if (next >= size) throw new VirtqueueError(`descriptor ${i} links to ${next}, outside the ${size}-entry table`);
      i = next;
    }
  }

  /** Put chain `head` on the used ring with `len` bytes written by the device. */
  push(head: number, len: number): void {
    const { num, used } = this.layout;
    const slot = used + 4 + 8 * (this.cursor.usedIdx % num);
    const e = this.bytes(slot, 8, 'the used ring');
    put32(e, 0, head);
    put32(e, 4, len);
    this.mem.wrote(slot, 8);
    this.cursor.usedIdx = (this.cursor.usedIdx + 1) & 0xffff;
    const idx = this.bytes(used + 2, 2, 'the used ring');
    put16(idx, 0, this.cursor.usedIdx);
    this.mem.wrote(used + 2, 2);
  }

  /**
   * With VIRTIO_RING_F_EVENT_IDX, tell the driver where to notify next (the used ring's avail_event): at the next
   * entry the device will take.
   */
  publishAvailEvent(): void {
    if (!this.layout.eventIdx) return;
    const at = this.layout.used + 4 + 8 * this.layout.num;
    put16(this.bytes(at, 2, 'the used ring'), 0, this.cursor.lastAvail);
    this.mem.wrote(at, 2);
  }

  /**
   * Whether the driver wants an interrupt after the used index moved from `oldUsed` to the current one: with
   * EVENT_IDX, when the move passed its used_event; without, unless it set VIRTQ_AVAIL_F_NO_INTERRUPT. With
   * `notifyOnEmpty` (VIRTIO_F_NOTIFY_ON_EMPTY), always when the available ring is empty.
   */
  needsInterrupt(oldUsed: number, notifyOnEmpty: boolean): boolean {
    const { num, avail, eventIdx } = this.layout;
    if (notifyOnEmpty && this.availIdx() === this.cursor.lastAvail) return true;
    if (eventIdx) {
      const event = u16(this.bytes(avail + 4 + 2 * num, 2, 'the available ring'), 0);
      const now = this.cursor.usedIdx;
      return ((now - event - 1) & 0xffff) < ((now - oldUsed) & 0xffff);
    }
    return (u16(this.bytes(avail, 2, 'the available ring'), 0) & AVAIL_F_NO_INTERRUPT) === 0;
  }
}
