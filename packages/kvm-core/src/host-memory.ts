/**
 * The host side of guest memory: the VMM's mappings (what `mmap` gives a real VMM) and the host-physical address
 * space the MMU walks. Every mapping, and every page of stage-2 tables kvm-core allocates, gets its own page-aligned
 * host-physical range, with an unmapped guard page after it, so a model bug that runs off the end of one region
 * faults instead of silently reaching its neighbour.
 */
import { TagStorage } from '@kvm-mte/mte-tags';
import { fail } from './errors.js';
import type { PhysicalMemory, PhysRegion } from '@kvm-mte/mmu';

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

/**
 * One VMM mapping: a buffer the VMM reads and writes directly (`bytes`, `view`), which memslots refer to at an
 * offset. `base` is its host-physical address (the MMU's view of the same bytes).
 */
export class HostMapping implements PhysRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /**
   * The allocation tags of this memory, for tag-capable kinds ('anonymous', 'shared'); undefined for 'device'.
   * Storage is allocated per page only when a page is first tagged.
   */
  readonly tags: TagStorage | undefined;

  /** @internal Created by `Kvm.mmap`. */
  constructor(
    readonly buffer: ArrayBuffer | SharedArrayBuffer,
    readonly kind: MappingKind,
    readonly protMte: boolean,
    /** Host-physical address of `bytes[0]`. */
    readonly base: number,
    /** @internal the host this mapping belongs to */
    readonly owner: object,
  ) {
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.tags = kind === 'device' ? undefined : new TagStorage(buffer.byteLength);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Whether KVM may give this memory to an MTE guest (Linux's VM_MTE_ALLOWED). */
  get tagCapable(): boolean {
    return this.kind !== 'device';
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

/** The host-physical address space of one `Kvm` (one host): every mapping and table region, found by address. */
export class HostPhysicalMemory implements PhysicalMemory {
  private readonly regions: PhysRegion[] = [];
  private next = HOST_PHYS_START;
  private last: PhysRegion | undefined;
  /** Bytes of all VMM mappings. */
  mappedBytes = 0;

  constructor(private readonly maxMappedBytes: number) {}

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
    const base = this.reserve(size);
    let buffer: ArrayBuffer | SharedArrayBuffer;
    try {
      buffer = kind === 'shared' ? new SharedArrayBuffer(size) : new ArrayBuffer(size);
    } catch {
      fail('ENOMEM', `cannot allocate ${size} bytes`);
    }
    const m = new HostMapping(buffer, kind, protMte, base, owner);
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
