/**
 * What a virtio device (virtio-blk.ts, virtio-rng.ts, virtio-console.ts) gives the virtio-mmio transport
 * (virtio-mmio.ts), which knows nothing of device types: its ID, the feature bits it offers, its configuration space,
 * what it does with a descriptor chain taken off one of its queues, its reset, and its state for snapshots. The
 * transport owns the registers, the queues' addresses and positions, feature negotiation and the interrupt.
 */
import type { AccessSize } from './bus.js';
import type { GuestMemory } from './virtio-dma.js';
import type { Chain } from './virtqueue.js';

/** Which register interface a virtio-mmio transport presents: version 1 (legacy) or 2 (virtio 1.x, "modern"). */
export type VirtioMmioVersion = 'legacy' | 'modern';

/** Feature bits the transport implements (a device lists the ring bits it offers in `features`). */
export const VIRTIO_F_NOTIFY_ON_EMPTY = 24;
export const VIRTIO_F_ANY_LAYOUT = 27;
export const VIRTIO_RING_F_INDIRECT_DESC = 28;
export const VIRTIO_RING_F_EVENT_IDX = 29;
export const VIRTIO_F_VERSION_1 = 32;
export const VIRTIO_F_RING_RESET = 40;

/**
 * A little-endian read of `size` bytes at `offset` of a device's configuration space `config`; -1 (all ones) for a
 * read beyond its end, as QEMU answers one.
 */
export function readConfigSpace(config: Uint8Array, offset: number, size: AccessSize): number {
  if (offset + size > config.length) return -1;
  let x = 0;
  for (let i = size - 1; i >= 0; i--) x = x * 256 + config[offset + i]!;
  return x;
}

/** The bit of feature `n`. */
export const featureBit = (n: number): bigint => 1n << BigInt(n);

/** What the transport lets a device do outside a queue notification. */
export interface VirtioDeviceHost {
  /**
   * Take what the driver made available on `queue` now (the device has new data for it: console input). Does
   * nothing while the queue is not set up, the driver has not set DRIVER_OK (the transport kicks every queue the
   * device is `ready` for when it does), or the device is broken.
   */
  kick(queue: number): void;
  /** The features the driver accepted (0 until it has). */
  negotiated(): bigint;
}

export interface VirtioDevice {
  readonly name: string;
  /** The virtio device ID (2: block, 3: console, 4: entropy source). */
  readonly deviceId: number;
  /**
   * The feature bits the device offers behind a transport of `version`, its own and the ring's (INDIRECT_DESC,
   * EVENT_IDX; NOTIFY_ON_EMPTY and ANY_LAYOUT, which a modern transport hides). The transport adds VERSION_1 and
   * RING_RESET for a modern one.
   */
  features(version: VirtioMmioVersion): bigint;
  /** Virtqueues, each with this default size. */
  readonly queueSizes: readonly number[];
  /** Configuration space read at `offset` (`size` bytes, little-endian); -1 bits beyond its end, as QEMU. */
  configRead(offset: number, size: AccessSize): number;
  configWrite(offset: number, size: AccessSize, value: number): void;
  /**
   * Whether the device takes a chain off `queue` now. Absent: always. A device waiting for data from the host to fill
   * the driver's buffers with (console input) says no while it has none, and calls `host.kick(queue)` when it has.
   */
  ready?(queue: number): boolean;
  /**
   * Handle one request taken off queue `queue`; return the bytes written into its device-writable buffers (the used
   * length). Throw VirtqueueError for a request the device cannot parse (the transport breaks the device).
   */
  handle(queue: number, chain: Chain, mem: GuestMemory, features: bigint): number;
  /** The transport the device is plugged into (called once, by the transport's constructor). */
  attach?(host: VirtioDeviceHost): void;
  /** The driver reset the device. */
  reset(): void;
  /** The device's own state for a snapshot (JSON-safe), and putting it back (throw on a state it cannot take). */
  saveState(): unknown;
  loadState(s: unknown): void;
  /** Throw (a TypeError naming the problem) if `loadState(s)` would; nothing changes. */
  checkState(s: unknown): void;
}
