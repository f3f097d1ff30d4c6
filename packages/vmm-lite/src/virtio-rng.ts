/**
 * virtio-rng (device ID 4, virtio 1.x 5.4), as QEMU 10's `-device virtio-rng-device` offers it: one request queue
 * (QEMU's size 8), no configuration space, no feature bits of its own (the ring's: INDIRECT_DESC, EVENT_IDX, and the
 * legacy NOTIFY_ON_EMPTY and ANY_LAYOUT; QEMU's `info virtio-status` lists the same). Each request is a chain of
 * device-writable buffers, filled with random bytes: all of them up to MAX_BYTES_PER_REQUEST (64 KiB) a chain (the
 * specification lets the device fill less than the whole buffer; the used length says how much), so that a guest
 * offering huge buffers costs the host a bounded amount of work per request. Device-readable buffers in a chain are
 * ignored.
 *
 * Where the bytes come from (`VirtioRngSource`):
 * - 'host': the platform's random bytes (platform.ts `randomFill`: Web Crypto's getRandomValues unless the platform
 *   has its own), as QEMU's default backend reads /dev/urandom. Nothing to save in a snapshot.
 * - 'seeded': a deterministic stream from a 32-bit seed, the default with the deterministic VM clock (`--clock
 *   deterministic`), so that such runs repeat instruction for instruction: the same seed, the same bytes, in the same
 *   order. NOT entropy: only for reproducible runs and tests. The stream's position is saved in snapshots, so a
 *   restored guest reads the bytes a straight run would have read.
 */
import type { AccessSize } from './bus.js';
import type { GuestMemory } from './virtio-dma.js';
import {
  featureBit, VIRTIO_F_ANY_LAYOUT, VIRTIO_F_NOTIFY_ON_EMPTY, VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC,
  type VirtioDevice,
} from './virtio-device.js';
import type { Chain } from './virtqueue.js';

export const VIRTIO_ID_RNG = 4;
/** The ring size QEMU gives the request queue. */
export const RNG_QUEUE_SIZE = 8;
/** The most bytes one request is given. */
export const MAX_BYTES_PER_REQUEST = 64 * 1024;
/** The seed of the 'seeded' source when none is given (the deterministic clock's default). */
export const DEFAULT_RNG_SEED = 0x6b76_6d72;

/** Where the random bytes come from (see the module comment). */
export type VirtioRngSource = { kind: 'host'; fill: (dest: Uint8Array) => void } | { kind: 'seeded'; seed: number };

/** A virtio-rng device's state as a snapshot keeps it: the source, and the seeded stream's position. */
export interface VirtioRngState {
  source: 'host' | 'seeded';
  seed?: number;
  /** Words (4 bytes each) of the seeded stream already given out. */
  position?: number;
}

/**
 * Word `i` of the seeded stream of `seed`: a counter mixed by multiply-xorshift rounds (an integer hash: every bit
 * of the counter and the seed reaches every bit of the word).
 */
function seededWord(seed: number, i: number): number {
  let x = (Math.imul(i >>> 0, 0x9e37_79b1) ^ Math.imul(Math.floor(i / 2 ** 32), 0x85eb_ca77) ^ seed) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb_352d);
  x = Math.imul(x ^ (x >>> 15), 0x846c_a68b);
  return (x ^ (x >>> 16)) >>> 0;
}

export class VirtioRng implements VirtioDevice {
  readonly name = 'virtio-rng';
  readonly deviceId = VIRTIO_ID_RNG;
  readonly queueSizes = [RNG_QUEUE_SIZE];
  /** Words of the seeded stream given out so far. */
  private position = 0;
  /**
   * The host source fills this, then it is copied to guest RAM: RAM may be a SharedArrayBuffer ('shared' backend),
   * whose views a browser's getRandomValues refuses.
   */
  private scratch: Uint8Array | undefined;

  constructor(readonly source: VirtioRngSource) {
    if (source.kind === 'seeded' && !(Number.isInteger(source.seed) && source.seed >= 0 && source.seed <= 0xffff_ffff)) {
      throw new RangeError(`virtio-rng: invalid seed ${String(source.seed)}: must be an integer 0..2^32-1`);
    }
  }

  features(): bigint {
    return featureBit(VIRTIO_F_NOTIFY_ON_EMPTY) | featureBit(VIRTIO_F_ANY_LAYOUT) | featureBit(VIRTIO_RING_F_INDIRECT_DESC)
      | featureBit(VIRTIO_RING_F_EVENT_IDX);
  }

  /** No configuration space: reads are all ones (as QEMU's beyond a device's configuration), writes do nothing. */
  configRead(_offset: number, _size: AccessSize): number {
    return -1;
  }

  configWrite(): void {}

  handle(_queue: number, chain: Chain, mem: GuestMemory): number {
    let left = MAX_BYTES_PER_REQUEST;
    let written = 0;
    for (const s of chain.segments) {
      if (!s.write || left === 0) continue;
      const n = Math.min(s.len, left);
      this.fill(mem.range(s.addr, n)!);
      mem.wrote(s.addr, n);
      written += n;
      left -= n;
    }
    return written;
  }

  /** Fill `dest` from the source. */
  private fill(dest: Uint8Array): void {
    const src = this.source;
    if (src.kind === 'host') {
      const scratch = (this.scratch ??= new Uint8Array(MAX_BYTES_PER_REQUEST)).subarray(0, dest.length);
      src.fill(scratch);
      dest.set(scratch);
      return;
    }
    // Whole words of the stream; the unused bytes of a word's tail are dropped (the next request starts a new word).
    for (let p = 0; p < dest.length; p += 4) {
      const w = seededWord(src.seed, this.position++);
      for (let b = 0; b < 4 && p + b < dest.length; b++) dest[p + b] = (w >>> (8 * b)) & 0xff;
    }
  }

  reset(): void {}

  saveState(): VirtioRngState {
    return this.source.kind === 'host' ? { source: 'host' } : { source: 'seeded', seed: this.source.seed, position: this.position };
  }

  /** Throw a TypeError if `loadState(s)` would: a bad state, or another source than this device's. */
  checkState(s: unknown): asserts s is VirtioRngState {
    checkVirtioRngState(s);
    if (s.source !== this.source.kind) throw new TypeError(`virtio-rng: the snapshot's source is ${s.source}, this device's ${this.source.kind}`);
    if (this.source.kind === 'seeded' && s.seed !== this.source.seed) throw new TypeError(`virtio-rng: the snapshot's seed is ${s.seed}, this device's ${this.source.seed}`);
  }

  loadState(s: unknown): void {
    this.checkState(s);
    this.position = s.position ?? 0;
  }
}

/** Check a saved virtio-rng state; a TypeError naming the bad field. */
export function checkVirtioRngState(s: unknown): asserts s is VirtioRngState {
  const o = s as Partial<VirtioRngState> | null;
  if (typeof o !== 'object' || o === null) throw new TypeError('virtio-rng state: bad state');
  if (o.source === 'host') return;
  if (o.source !== 'seeded') throw new TypeError('virtio-rng state: bad source');
  if (!Number.isInteger(o.seed) || o.seed! < 0 || o.seed! > 0xffff_ffff) throw new TypeError('virtio-rng state: bad seed');
  if (!Number.isSafeInteger(o.position) || o.position! < 0) throw new TypeError('virtio-rng state: bad position');
}
