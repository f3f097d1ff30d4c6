/**
 * The host side of guest memory: the VMM's mappings (what `mmap` gives a real VMM) and the host-physical address
 * space the MMU walks. Every mapping, and every page of stage-2 tables kvm-core allocates, gets its own page-aligned
 * host-physical range, with an unmapped guard page after it, so a model bug that runs off the end of one region
 * faults instead of silently reaching its neighbour.
 */
import { ARENA_LIMIT_BYTES, ArenaFullError, GuestArena, WASM_PAGE_BYTES } from '@kvm-mte/aarch64-cpu';

/** Arena room beyond the mapped memory: vCPU state blocks, data TLBs, arena jump caches, the code-page map, compiled blocks' words. */
const ARENA_OVERHEAD_BYTES = 128 * 1024 * 1024;
import { compressTags, decompressTags, TagCompressionStats, TagStorage, type CompressedTags } from '@kvm-mte/mte-tags';
import { fail } from './errors.js';
import type { PhysicalMemory, PhysRegion } from '@kvm-mte/mmu';

type TagStore = NonNullable<PhysRegion['tags']>;

export const HOST_PAGE_SIZE = 4096;

/**
 * What kind of memory a mapping is, in the terms KVM cares about:
 * - 'anonymous': private anonymous memory (MAP_PRIVATE | MAP_ANONYMOUS); tag-capable.
 * - 'shared': shared memory (memfd / MAP_SHARED), backed by a SharedArrayBuffer so other threads can see it;
 *   tag-capable.
 * - 'device': a device or PFN mapping (VM_PFNMAP, e.g. a framebuffer or a PCI BAR): not tag-capable; stage 2 maps
 *   it as Device memory.
 */
export type MappingKind = 'anonymous' | 'shared' | 'device';

export interface MmapOptions {
  /** Bytes, a non-zero multiple of 4096. */
  size: number;
  /** Default 'anonymous'. */
  kind?: MappingKind;
  /** Map with PROT_MTE (the VMM itself may use tags through this mapping). Not allowed for 'device'. */
  protMte?: boolean;
}

/** One swapped-out page: its data and, if it was tagged, its compressed tags. */
interface SwapEntry {
  readonly data: Uint8Array;
  readonly tags: CompressedTags | undefined;
}

/**
 * The host's swap: where swapped-out pages of every mapping of one `Kvm` go, with counters. Tags of tagged pages
 * are stored compressed (`@kvm-mte/mte-tags`' run-length form when the page has few runs).
 */
export class SwapDevice {
  /** Compression counters for the tagged pages currently in swap. */
  readonly current = new TagCompressionStats();
  /** The same, over every swap-out so far. */
  readonly total = new TagCompressionStats();
  /** Pages currently swapped out. */
  pages = 0;
  swapOuts = 0;
  swapIns = 0;

  /** A snapshot of the counters. */
  stats(): SwapStats {
    return {
      pagesSwapped: this.pages, swapOuts: this.swapOuts, swapIns: this.swapIns,
      tags: this.current.snapshot(), tagsTotal: this.total.snapshot(),
    };
  }
}

export interface SwapStats {
  /** Pages in swap now. */
  pagesSwapped: number;
  swapOuts: number;
  swapIns: number;
  /** Tagged pages in swap now: count, RLE vs raw, bytes raw (128 each) vs stored, ratio. */
  tags: ReturnType<TagCompressionStats['snapshot']>;
  /** The same, cumulative over every swap-out. */
  tagsTotal: ReturnType<TagCompressionStats['snapshot']>;
}

/**
 * One VMM mapping: a buffer the VMM reads and writes directly (`bytes`, `view`), which memslots refer to at an
 * offset. `base` is its host-physical address (the MMU's view of the same bytes).
 *
 * Tags: the guest-visible allocation tags of tag-capable memory live in `tagStorage` (by offset), whether or not the
 * VMM mapped it with PROT_MTE; `tags` is the same storage by host-physical address, which the MMU uses. The VMM's
 * own tag access (`readTags`/`writeTags`, what a user-space LDG/STG through this mapping would do) is RAZ/WI without
 * PROT_MTE, as in Linux.
 */
export class HostMapping implements PhysRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /**
   * The allocation tags of this memory by offset in the mapping, for tag-capable kinds ('anonymous', 'shared');
   * undefined for 'device'. Storage is allocated per page only when a page is first tagged.
   */
  readonly tagStorage: TagStorage | undefined;
  /** `tagStorage` addressed by host-physical address: the region's tags as the MMU sees them (PhysRegion.tags). */
  readonly tags: TagStore | undefined;
  /** @internal Called with a page offset before the host takes the page away (swap-out): KVM's MMU notifiers. */
  readonly invalidators = new Set<(mapping: HostMapping, offset: number) => void>();
  private readonly swapped = new Map<number, SwapEntry>();

  /** @internal Created by `Kvm.mmap`. */
  constructor(
    /** The mapping's memory (a range of the host's guest arena, or a buffer of its own). */
    bytes: Uint8Array,
    readonly kind: MappingKind,
    readonly protMte: boolean,
    /** Host-physical address of `bytes[0]`. */
    readonly base: number,
    /** @internal the host this mapping belongs to */
    readonly owner: object,
    /** @internal the host's swap */
    private readonly swap: SwapDevice = new SwapDevice(),
    /** Where `bytes` (and the dense tag storage) live in the host's guest arena (PhysRegion.arena), when they do. */
    readonly arena?: { readonly arena: GuestArena; readonly offset: number; readonly tagOffset?: number },
  ) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const tagBacking = arena?.tagOffset === undefined ? undefined : arena.arena.bytes(arena.tagOffset, bytes.byteLength / 32);
    const storage = kind === 'device' ? undefined : new TagStorage(bytes.byteLength, tagBacking);
    this.tagStorage = storage;
    this.tags = storage === undefined ? undefined : {
      getTag: (pa) => storage.getTag(pa - base),
      setTag: (pa, tag) => storage.setTag(pa - base, tag),
    };
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Whether KVM may give this memory to an MTE guest (Linux's VM_MTE_ALLOWED). */
  get tagCapable(): boolean {
    return this.kind !== 'device';
  }

  /**
   * The VMM reading tags through this mapping (one tag a byte, `count` granules from the granule-aligned `offset`):
   * the guest's tags with PROT_MTE, zeros without (RAZ). Swapped-out pages are swapped in first.
   * EINVAL: unaligned offset or bad count; EFAULT: outside the mapping.
   */
  readTags(offset: number, count: number): Uint8Array {
    this.checkTagRange(offset, count);
    const out = new Uint8Array(count);
    if (!this.protMte || this.tagStorage === undefined || count === 0) return out;
    this.swapIn(offset, count * 16);
    return this.tagStorage.readTags(offset, count, out);
  }

  /**
   * The VMM writing tags through this mapping (one tag a byte, low nibble used): with PROT_MTE they become the
   * guest's tags (the pages become tagged); without, the writes are ignored (WI). Errors as {@link readTags}.
   */
  writeTags(offset: number, tags: Uint8Array): void {
    this.checkTagRange(offset, tags.length);
    if (!this.protMte || this.tagStorage === undefined || tags.length === 0) return;
    this.swapIn(offset, tags.length * 16);
    const t = new Uint8Array(tags.length);
    for (let i = 0; i < t.length; i++) t[i] = tags[i]! & 0xf;
    this.tagStorage.writeTags(offset, t);
  }

  /** Whether the page holding `offset` is swapped out (its frame holds zeros until it is swapped in). */
  isSwapped(offset: number): boolean {
    return this.swapped.has(Math.floor(offset / HOST_PAGE_SIZE));
  }

  /** Pages of this mapping in swap. */
  get swappedPages(): number {
    return this.swapped.size;
  }

  /**
   * Swap in every swapped-out page of [offset, offset + length): what the VMM touching that memory would do in
   * Linux. A VMM that reads or writes `bytes` directly must call this for pages a VM may have swapped out.
   * Returns the number of pages swapped in.
   */
  swapIn(offset: number, length: number): number {
    if (this.swapped.size === 0) return 0;
    let n = 0;
    const first = Math.floor(offset / HOST_PAGE_SIZE);
    const last = Math.ceil((offset + length) / HOST_PAGE_SIZE);
    for (let p = first; p < last; p++) if (this.swapInPage(p * HOST_PAGE_SIZE)) n++;
    return n;
  }

  /**
   * @internal Swap out the page at `offset` (page aligned): every stage-2 user is told to unmap it, its data is
   * saved and the frame zeroed, its tags (if tagged) saved compressed and the page untagged. False if it was already
   * out or cannot be swapped (device memory).
   */
  swapOutPage(offset: number): boolean {
    const p = offset / HOST_PAGE_SIZE;
    if (this.kind === 'device' || this.swapped.has(p)) return false;
    for (const f of this.invalidators) f(this, offset);
    const frame = this.bytes.subarray(offset, offset + HOST_PAGE_SIZE);
    const data = frame.slice();
    frame.fill(0);
    const packed = this.tagStorage?.dropPage(offset);
    const tags = packed === undefined ? undefined : compressTags(packed);
    this.swapped.set(p, { data, tags });
    const d = this.swap;
    d.pages++;
    d.swapOuts++;
    if (tags !== undefined) {
      d.current.add(tags);
      d.total.add(tags);
    }
    return true;
  }

  /** @internal Swap in the page at `offset`: its data back, and its tags (the page tagged again) if it had any. */
  swapInPage(offset: number): boolean {
    const p = Math.floor(offset / HOST_PAGE_SIZE);
    const e = this.swapped.get(p);
    if (e === undefined) return false;
    this.swapped.delete(p);
    this.bytes.set(e.data, p * HOST_PAGE_SIZE);
    const d = this.swap;
    d.pages--;
    d.swapIns++;
    if (e.tags !== undefined) {
      this.tagStorage!.loadPage(p * HOST_PAGE_SIZE, decompressTags(e.tags));
      d.current.add(e.tags, -1);
    }
    return true;
  }

  private checkTagRange(offset: number, count: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % 16 !== 0) fail('EINVAL', `tag offset ${offset} is not a granule-aligned offset`);
    if (!Number.isSafeInteger(count) || count < 0) fail('EINVAL', `bad tag count ${count}`);
    if (offset + count * 16 > this.size) fail('EFAULT', `tags [0x${offset.toString(16)}, +${count} granules) outside the mapping`);
  }
}

/** A page-aligned host-physical region that is not a VMM mapping (stage-2 table pages). */
class RawRegion implements PhysRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(readonly base: number, size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
}

/** First host-physical address handed out; below it is nothing (a stray PA 0 faults). */
const HOST_PHYS_START = 0x1_0000_0000;
const HOST_PHYS_LIMIT = 2 ** 48;

/**
 * The host-physical address space of one `Kvm` (one host): every mapping and table region, found by address.
 * Mappings are ranges of the host's guest arena (`@kvm-mte/aarch64-cpu`'s GuestArena, one WebAssembly.Memory of at
 * most 4 GiB, which also holds the vCPUs' state and TLBs), each followed by an unused guard page there too; a mapping
 * the arena cannot hold is ENOMEM. When the arena is not shared (a host without SharedArrayBuffer) 'shared' mappings
 * get a buffer of their own outside it (never reached inline by translated code).
 */
export class HostPhysicalMemory implements PhysicalMemory {
  private readonly regions: PhysRegion[] = [];
  private next = HOST_PHYS_START;
  private last: PhysRegion | undefined;
  /** Bytes of all VMM mappings. */
  mappedBytes = 0;

  /** The host's swap. */
  readonly swap = new SwapDevice();
  /** The host's guest arena: every mapping's memory and the vCPUs' state blocks. */
  readonly arena: GuestArena;

  /**
   * `maxMappedBytes`: the host memory limit (KvmOptions.maxHostMemory). The arena's maximum is that, its tag
   * storage (1/32 of it) and 128 MiB for vCPU state, TLBs, arena jump caches (2 MiB a vCPU) and the like, at most 4 GiB: a plain (unshared) arena, on a host without SharedArrayBuffer,
   * is allocated at that size up front, so a browser page that is not cross-origin isolated gives kvm-core a
   * smaller limit.
   */
  constructor(private readonly maxMappedBytes: number, arena?: GuestArena) {
    this.arena = arena ?? new GuestArena({
      maxBytes: Math.min(ARENA_LIMIT_BYTES,
        Math.ceil((maxMappedBytes + maxMappedBytes / 32 + ARENA_OVERHEAD_BYTES) / WASM_PAGE_BYTES) * WASM_PAGE_BYTES),
    });
  }

  region(pa: number): PhysRegion | undefined {
    const l = this.last;
    if (l !== undefined && pa >= l.base && pa < l.base + l.bytes.length) return l;
    const rs = this.regions;
    let lo = 0;
    let hi = rs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const r = rs[mid]!;
      if (pa < r.base) hi = mid - 1;
      else if (pa >= r.base + r.bytes.length) lo = mid + 1;
      else return (this.last = r);
    }
    return undefined;
  }

  mmap(opts: MmapOptions, owner: object): HostMapping {
    const { size } = opts;
    const kind = opts.kind ?? 'anonymous';
    const protMte = opts.protMte ?? false;
    if (!Number.isSafeInteger(size) || size <= 0 || size % HOST_PAGE_SIZE !== 0) fail('EINVAL', `mmap size ${size} is not a positive multiple of ${HOST_PAGE_SIZE}`);
    if (kind !== 'anonymous' && kind !== 'shared' && kind !== 'device') fail('EINVAL', `unknown mapping kind ${String(kind)}`);
    if (protMte && kind === 'device') fail('EINVAL', 'PROT_MTE on a device mapping');
    if (this.mappedBytes + size > this.maxMappedBytes) fail('ENOMEM', `host memory limit ${this.maxMappedBytes} bytes reached`);
    let bytes: Uint8Array;
    let where: { arena: GuestArena; offset: number; tagOffset?: number } | undefined;
    try {
      if (kind === 'shared' && !this.arena.shared) {
        bytes = new Uint8Array(new SharedArrayBuffer(size));
      } else {
        // The mapping and a guard page after it; the guard is never handed out again.
        const offset = this.arena.alloc(size + HOST_PAGE_SIZE, HOST_PAGE_SIZE);
        bytes = this.arena.bytes(offset, size);
        // Tag-capable memory: its allocation tags dense in the arena too (4 bits per 16 bytes: size / 32).
        where = kind === 'device' ? { arena: this.arena, offset }
          : { arena: this.arena, offset, tagOffset: this.arena.alloc(size / 32, 16) };
      }
    } catch (e) {
      if (e instanceof ArenaFullError) fail('ENOMEM', `cannot map ${size} bytes: ${e.message}`);
      fail('ENOMEM', `cannot allocate ${size} bytes`);
    }
    const base = this.reserve(size);
    const m = new HostMapping(bytes, kind, protMte, base, owner, this.swap, where);
    this.insert(m);
    this.mappedBytes += size;
    return m;
  }

  /** A zeroed host-physical region for hypervisor data (stage-2 tables). */
  allocRaw(size: number): PhysRegion {
    const r = new RawRegion(this.reserve(size), size);
    this.insert(r);
    return r;
  }

  private reserve(size: number): number {
    const base = this.next;
    if (base + size > HOST_PHYS_LIMIT) fail('ENOMEM', 'host physical address space exhausted');
    this.next = base + size + HOST_PAGE_SIZE; // guard page
    return base;
  }

  private insert(r: PhysRegion): void {
    this.regions.push(r); // addresses only grow, so the list stays sorted
  }
}
