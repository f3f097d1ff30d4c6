/**
 * The guest arena: one WebAssembly.Memory that holds everything translated code must reach inline: the CPU state
 * blocks (state-layout.ts), guest RAM (kvm-core allocates its mappings here) and the soft TLBs the MMU fills. One
 * arena per host (kvm-core's `Kvm`); a CPU made without one gets a small arena of its own.
 *
 * Growth without detaching: the arena is a *shared* memory where the host allows it (SharedArrayBuffer; Node always,
 * a browser only when cross-origin isolated). Growing a shared memory never detaches the buffers handed out before,
 * so every typed-array view over arena memory stays valid for the arena's lifetime: a view is made once and kept.
 * Where shared memory is unavailable the arena is a plain memory of its full size from the start and never grows.
 *
 * Limits: a wasm32 memory addresses at most 4 GiB, so everything a host holds in its arena (RAM, state, TLBs) fits
 * in 4 GiB; an allocation beyond `maxBytes` throws {@link ArenaFullError}, which kvm-core turns into ENOMEM.
 *
 * Allocation is a bump pointer with a free list of exact sizes (CPU state blocks and TLBs are freed and reused when a
 * vCPU is reset). Memory is zero when first handed out; a block reused from the free list is zeroed again.
 */

import { byteTablesImage } from './spec/byte-tables.js';
import { DTLB_CLASSES, DTLB_ENTRY_BYTES } from './state-layout.js';
import { wasmApi, type WasmMemory } from './wasm/host-api.js';

/** Bytes in a WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
/** The most a wasm32 memory can hold: 65536 pages, 4 GiB. */
export const ARENA_LIMIT_BYTES = 65536 * WASM_PAGE_BYTES;
/**
 * The arena header: the first 4 KiB are never handed out (so offset 0 is never a valid allocation) and hold words
 * translated code reads at fixed offsets:
 * - {@link ARENA_CODE_KILLS}: an i32 bumped whenever a translated block of a code cache over this arena is dropped,
 *   so that the WebAssembly tier notices that a handler it called dropped one (the loop that called it may be that
 *   block: it then leaves at its back edge, state-layout.ts IRQ_LINE_LEAVE).
 * - {@link ARENA_RUN_EPOCH}: an i32 the run loop bumps at the start of each run (and an instruction-cache
 *   invalidation bumps): a WebAssembly block chains into another only if that one's validity word holds it.
 * - {@link ARENA_NO_TLB}: a data TLB of one entry per permission class that never hits: every key -1
 *   (state-layout.ts Dtlb), for CPUs whose memory port has no TLB in the arena.
 * - {@link ARENA_BYTE_TABLES}: the constant tables of the instruction specification's `bytes` (spec/byte-tables.ts;
 *   the AES S-boxes), table t at ARENA_BYTE_TABLES + 256 * t, written once here and only read.
 * After the header comes the code-page map ({@link GuestArena.codeMap}), then allocations.
 */
const HEADER_BYTES = 4096;
export const ARENA_CODE_KILLS = 0;
export const ARENA_RUN_EPOCH = 1;
export const ARENA_NO_TLB = 64;
export const ARENA_BYTE_TABLES = 1024;
/** Where the code-page map starts. */
export const ARENA_CODE_MAP = HEADER_BYTES;

/** An allocation would take the arena past its maximum size. */
export class ArenaFullError extends RangeError {
  constructor(readonly requested: number, readonly maxBytes: number) {
    super(`guest arena full: ${requested} more bytes would exceed its ${maxBytes}-byte maximum` +
      ' (guest memory lives in one WebAssembly.Memory of at most 4 GiB)');
    this.name = 'ArenaFullError';
  }
}

export interface GuestArenaOptions {
  /**
   * The most the arena may hold, in bytes (rounded up to whole wasm pages, at most {@link ARENA_LIMIT_BYTES}, the
   * default). A plain (unshared) arena is this size from the start.
   */
  readonly maxBytes?: number;
  /** Force a plain, fixed-size memory even where shared memory is available (tests of the browser fallback). */
  readonly unshared?: boolean;
}

/** Whether this host can make shared WebAssembly memories. */
function canShare(): boolean {
  return typeof SharedArrayBuffer === 'function';
}

export class GuestArena {
  readonly memory: WasmMemory;
  /** Whether the memory is shared (grows in place) or plain (fixed at `maxBytes`). */
  readonly shared: boolean;
  /** The most the arena may hold (a multiple of the wasm page size). */
  readonly maxBytes: number;
  /**
   * One byte per 4 KiB page of the arena: non-zero while translated code of some code cache comes from that page
   * (code-cache.ts keeps a count there), so translated stores check one byte to know whether they must take the slow
   * path that drops overwritten blocks.
   */
  readonly codeMap: Uint8Array;
  /** The header's 32-bit words ({@link ARENA_CODE_KILLS}, ...). */
  readonly header: Int32Array;
  /** Next unallocated byte. */
  private top: number;
  /** Freed blocks by size, reused first. */
  private readonly freeBySize = new Map<number, number[]>();

  constructor(options: GuestArenaOptions = {}) {
    const max = options.maxBytes ?? ARENA_LIMIT_BYTES;
    if (!Number.isSafeInteger(max) || max < WASM_PAGE_BYTES || max > ARENA_LIMIT_BYTES) {
      throw new RangeError(`guest arena maximum must be an integer in [${WASM_PAGE_BYTES}, ${ARENA_LIMIT_BYTES}], got ${max}`);
    }
    const pages = Math.ceil(max / WASM_PAGE_BYTES);
    this.maxBytes = pages * WASM_PAGE_BYTES;
    const wasm = wasmApi();
    if (wasm === undefined) throw new Error('the guest arena needs a host with WebAssembly');
    this.shared = options.unshared !== true && canShare();
    this.memory = this.shared
      ? new wasm.Memory({ initial: 1, maximum: pages, shared: true })
      : new wasm.Memory({ initial: pages, maximum: pages });
    const mapBytes = this.maxBytes / 4096;
    this.top = ARENA_CODE_MAP + mapBytes;
    this.ensure(this.top);
    this.header = new Int32Array(this.memory.buffer, 0, HEADER_BYTES >> 2);
    this.header.fill(-1, ARENA_NO_TLB >> 2, (ARENA_NO_TLB + DTLB_CLASSES * DTLB_ENTRY_BYTES) >> 2); // keys no masked address equals
    this.codeMap = new Uint8Array(this.memory.buffer, ARENA_CODE_MAP, mapBytes);
    const tables = byteTablesImage();
    if (ARENA_BYTE_TABLES + tables.length > HEADER_BYTES) throw new Error('the byte tables do not fit in the arena header');
    new Uint8Array(this.memory.buffer, ARENA_BYTE_TABLES, tables.length).set(tables);
  }

  /** Bytes handed out so far, the reserved head included (freed blocks still count). */
  get used(): number {
    return this.top;
  }

  /**
   * Allocate `size` zeroed bytes aligned to `align` (a power of two) and return their offset. Throws
   * {@link ArenaFullError} past the maximum and RangeError for a bad size or alignment.
   */
  alloc(size: number, align = 16): number {
    if (!Number.isSafeInteger(size) || size <= 0) throw new RangeError(`arena allocation size must be a positive integer, got ${size}`);
    if (!Number.isSafeInteger(align) || align <= 0 || (align & (align - 1)) !== 0) throw new RangeError(`bad arena alignment ${align}`);
    const free = this.freeBySize.get(size);
    if (free !== undefined) {
      const i = free.findIndex((o) => o % align === 0);
      if (i >= 0) {
        const off = free.splice(i, 1)[0]!;
        new Uint8Array(this.memory.buffer, off, size).fill(0);
        return off;
      }
    }
    const off = Math.ceil(this.top / align) * align;
    const end = off + size;
    if (end > this.maxBytes) throw new ArenaFullError(end - this.top, this.maxBytes);
    this.ensure(end);
    this.top = end;
    return off;
  }

  /** Return a block from {@link alloc} (same size) for reuse. Views over it must no longer be used. */
  free(offset: number, size: number): void {
    let list = this.freeBySize.get(size);
    if (list === undefined) this.freeBySize.set(size, (list = []));
    list.push(offset);
  }

  /** A Uint8Array over `length` bytes at `offset` (valid for the arena's lifetime when shared). */
  bytes(offset: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, offset, length);
  }

  /** Make sure the memory covers [0, end). */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / WASM_PAGE_BYTES);
    try {
      this.memory.grow(pages);
    } catch {
      throw new ArenaFullError(end - have, this.maxBytes);
    }
  }
}
