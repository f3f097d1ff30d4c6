/**
 * What vmm-lite needs from the host it runs on, so the whole machine (CPU, MMU, tags, kvm-core, this VMM) runs in
 * Node or in a browser worker alike. The machine itself is plain JavaScript; only these few things differ:
 *
 * - `yield`: let the host run other work between rounds of the run loop (Node: setImmediate, so stdin, signals
 *   and timers get through; a browser: a MessageChannel message, so a worker's `onmessage` does).
 * - `createSha256`: the hash of snapshot files and of the kernel named in a snapshot (Node: node:crypto; a browser:
 *   sha256.ts, in JavaScript, since Web Crypto's is asynchronous).
 * - `randomBytes`: entropy for the boot seeds (/chosen/rng-seed, kaslr-seed) and virtio-rng: optional; without it,
 *   Web Crypto's `crypto.getRandomValues`, which Node and browsers both have (`randomFill`).
 * - `gunzip` (a gzip-compressed kernel) and `deflate` (PNG screenshots): optional. Node has them (node:zlib); the web
 *   platform does not (a browser's CompressionStream is asynchronous only), so there loading a gzipped kernel or
 *   taking a screenshot is a {@link PlatformError} naming what is missing, unless you add your own:
 *   `{ ...webPlatform(), gunzip: (bytes, max) => ..., deflate: (bytes) => ... }`.
 *
 * Files (`FileSource`, `writeSnapshotFile`) are not part of it: they are Node-only helpers for snapshots larger than
 * a buffer; everywhere else a snapshot is bytes in memory (`bytesSource`, `saved.file`). UART input is not either:
 * `machine.input.push(bytes)` works anywhere, `attachStdin` takes any stream-like object.
 *
 * Which platform: `VirtMachineOptions.platform` / `RunVirtOptions.platform`, and the optional last argument of the
 * free functions that need one (`encodePng`, `gunzipKernel`, `decodeSnapshot`, ...). The default,
 * `defaultPlatform()`, is Node's when the host has Node's built-in modules (`process.getBuiltinModule`, Node 20.16
 * and later) and the web platform otherwise. No module of the library imports a `node:` module: the Node platform
 * looks its modules up when it is made (platform-node.ts), so the library bundles for a browser as it is.
 */
import { nodePlatform, hasNodeBuiltins } from './platform-node.js';
import { PlatformError } from './errors.js';
import { Sha256Js, type Sha256Hash } from './sha256.js';

export type { Sha256Hash };

export interface Platform {
  /** A short name for messages: 'node', 'web', or one of your own. */
  readonly name: string;
  /**
   * Resolve after the host has had a chance to run other work (I/O callbacks, messages, timers). The run loop awaits
   * it between rounds; it must not wait for long (no fixed delay).
   */
  yield(): Promise<void>;
  /**
   * Resolve after about `ms` milliseconds: the run loop waits so while every vCPU is idle until a timer's deadline
   * (host clock). Optional: without it the loop uses the global `setTimeout`.
   */
  sleep?(ms: number): Promise<void>;
  /** A new SHA-256 computation. */
  createSha256(): Sha256Hash;
  /**
   * Fill `dest` with cryptographically strong random bytes, synchronously. Absent: Web Crypto's getRandomValues
   * (see `randomFill`).
   */
  randomBytes?(dest: Uint8Array): void;
  /**
   * Decompress a whole gzip file (RFC 1952), synchronously. Throw if it is invalid or would expand beyond
   * `maxOutputLength` bytes. Absent: gzip-compressed kernels are refused with a PlatformError.
   */
  gunzip?(bytes: Uint8Array, maxOutputLength: number): Uint8Array;
  /** Compress into a zlib stream (RFC 1950), synchronously. Absent: PNG screenshots fail with a PlatformError. */
  deflate?(bytes: Uint8Array): Uint8Array;
}

/** Resolve on a later task: a MessageChannel message where there is one (not clamped like nested timers), else a timer. */
function webYield(): Promise<void> {
  const g = globalThis as unknown as {
    MessageChannel?: new () => { port1: { onmessage: (() => void) | null; close(): void }; port2: { postMessage(m: unknown): void; close(): void } };
    setTimeout?: (f: () => void, ms: number) => unknown;
  };
  const Channel = g.MessageChannel;
  if (Channel !== undefined) {
    return new Promise((resolve) => {
      // A channel per yield, closed at once: no port stays open (an open one would keep a Node process alive).
      const ch = new Channel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        ch.port2.close();
        resolve();
      };
      ch.port2.postMessage(undefined);
    });
  }
  if (g.setTimeout !== undefined) {
    const setTimeout = g.setTimeout;
    return new Promise((resolve) => { setTimeout(resolve, 0); });
  }
  return Promise.resolve();
}

/**
 * The platform of a browser (a worker or a page) or any host with only web-standard globals: yields through a
 * MessageChannel (or setTimeout), SHA-256 in JavaScript, no gunzip and no deflate (add your own, see above).
 */
export function webPlatform(): Platform {
  return { name: 'web', yield: webYield, createSha256: () => new Sha256Js() };
}

/** Node's platform when the host has Node's built-in modules, else the web platform. */
export function defaultPlatform(): Platform {
  return hasNodeBuiltins() ? nodePlatform() : webPlatform();
}

/** The most bytes Web Crypto's getRandomValues fills in one call. */
const GET_RANDOM_VALUES_MAX = 65_536;

/**
 * Fill `dest` with random bytes from the platform: its `randomBytes`, else Web Crypto's getRandomValues (in pieces of
 * at most 64 KiB, its limit). A PlatformError when the host has neither.
 */
export function randomFill(platform: Platform, dest: Uint8Array): void {
  if (platform.randomBytes !== undefined) {
    platform.randomBytes(dest);
    return;
  }
  const crypto = (globalThis as { crypto?: { getRandomValues?(a: Uint8Array): Uint8Array } }).crypto;
  if (crypto?.getRandomValues === undefined) {
    throw new PlatformError('randomBytes', platform.name, 'random bytes (boot seeds, virtio-rng) need it: give the machine a platform with randomBytes');
  }
  for (let p = 0; p < dest.length; p += GET_RANDOM_VALUES_MAX) crypto.getRandomValues(dest.subarray(p, p + GET_RANDOM_VALUES_MAX));
}

/** `platform.gunzip`, or a PlatformError saying that a gzip-compressed kernel needs it. */
export function gunzipOf(platform: Platform): NonNullable<Platform['gunzip']> {
  const f = platform.gunzip;
  if (f === undefined) {
    throw new PlatformError('gunzip', platform.name, 'a gzip-compressed kernel needs it: decompress the kernel first, or give the machine a platform with gunzip');
  }
  return f.bind(platform);
}

/** `platform.deflate`, or a PlatformError saying that a PNG needs it. */
export function deflateOf(platform: Platform): NonNullable<Platform['deflate']> {
  const f = platform.deflate;
  if (f === undefined) {
    throw new PlatformError('deflate', platform.name, 'a PNG screenshot needs it: give the machine a platform with deflate, or use framebuffer.toRgba()');
  }
  return f.bind(platform);
}

export { nodePlatform };
