/**
 * Packed MTE allocation-tag storage for one contiguous range of RAM (a host mapping, a physical region).
 *
 * Layout: 4 bits per 16-byte granule, two tags a byte, the even granule in the low nibble; a 4 KiB page's 256 tags
 * are 128 bytes. Storage is allocated per page, the first time a page is tagged; a page never tagged costs nothing
 * but its slot in a sparse index. A page's "tagged" flag (Linux's PG_mte_tagged) is never cleared: once tagged, a
 * page stays tagged until the storage is dropped.
 *
 * Tagging a page for the first time "sanitises" it: its tags start as zero, whatever the page held before.
 *
 * Addresses are byte offsets from the start of the range (Numbers); granule and page arithmetic is done here so
 * callers never see the packing. Reading the tags of an untagged page gives zeros and allocates nothing.
 *
 * Dense backing (optional): given a `backing` array of `size / 32` bytes, page p's packed tags live at
 * `backing[128 p .. 128 p + 128)` (the same packing) and an untagged page's bytes there are kept zero, so code that
 * reads the backing directly (translated WebAssembly, through the guest arena) sees exactly what {@link getTag}
 * returns. The tagged flags stay per page here.
 */

/** Bytes per tag granule. */
export const TAG_GRANULE = 16;
/** Bytes per page: the unit of allocation and of the tagged flag. */
export const PAGE_SIZE = 4096;
/** Tags (granules) in a page. */
export const TAGS_PER_PAGE = PAGE_SIZE / TAG_GRANULE;
/** Bytes of packed tags for one page. */
export const PACKED_TAG_BYTES_PER_PAGE = TAGS_PER_PAGE / 2;

const GRANULE_SHIFT = 4;

export class TagStorage {
  /** Bytes of RAM covered, a multiple of {@link PAGE_SIZE}. */
  readonly size: number;
  /** Pages covered. */
  readonly pageCount: number;
  /** Per page: its packed tags, or undefined while the page has never been tagged. Sparse. */
  private readonly pages: (Uint8Array | undefined)[] = [];
  private tagged = 0;

  /** The dense backing (see the class comment), if any. */
  private readonly backing: Uint8Array | undefined;

  constructor(size: number, backing?: Uint8Array) {
    if (!Number.isSafeInteger(size) || size < 0 || size % PAGE_SIZE !== 0) {
      throw new RangeError(`tag storage size must be a non-negative multiple of ${PAGE_SIZE}, got ${size}`);
    }
    this.size = size;
    this.pageCount = size / PAGE_SIZE;
    if (backing !== undefined && backing.length !== this.pageCount * PACKED_TAG_BYTES_PER_PAGE) {
      throw new RangeError(`tag storage backing must be ${this.pageCount * PACKED_TAG_BYTES_PER_PAGE} bytes, got ${backing.length}`);
    }
    this.backing = backing;
  }

  /** Pages that have been tagged. */
  get taggedPageCount(): number {
    return this.tagged;
  }

  /** Bytes of tag storage allocated (packed tags of tagged pages). */
  get allocatedBytes(): number {
    return this.tagged * PACKED_TAG_BYTES_PER_PAGE;
  }

  /** Whether the page containing `addr` has been tagged. */
  isTagged(addr: number): boolean {
    return this.pages[this.pageIndex(addr, 1)] !== undefined;
  }

  /**
   * Mark the page containing `addr` tagged. The first time, this allocates its storage and sanitises it (all tags
   * zero) and returns true; afterwards it does nothing and returns false.
   */
  markTagged(addr: number): boolean {
    const p = this.pageIndex(addr, 1);
    if (this.pages[p] !== undefined) return false;
    this.pageFor(p);
    return true;
  }

  /**
   * Remove the page containing `addr` from the storage and return its 128 packed tag bytes (the page's storage
   * itself, now owned by the caller), or undefined if it was not tagged. The page is untagged afterwards: what happens
   * when the host frees a page, e.g. on swap-out (the tags go with the swapped data).
   */
  dropPage(addr: number): Uint8Array | undefined {
    const p = this.pageIndex(addr, 1);
    const page = this.pages[p];
    if (page === undefined) return undefined;
    this.pages[p] = undefined;
    this.tagged--;
    if (this.backing === undefined) return page;
    const copy = page.slice();
    page.fill(0); // an untagged page's backing reads as zero tags
    return copy;
  }

  /**
   * Make the page containing `addr` tagged with the given 128 packed tag bytes (copied), whether or not it was
   * tagged before: swap-in restoring a page's tags. RangeError if `packed` is not 128 bytes.
   */
  loadPage(addr: number, packed: Uint8Array): void {
    if (packed.length !== PACKED_TAG_BYTES_PER_PAGE) throw new RangeError(`a page's packed tags are ${PACKED_TAG_BYTES_PER_PAGE} bytes, got ${packed.length}`);
    this.pageFor(this.pageIndex(addr, 1)).set(packed);
  }

  /** A copy of the 128 packed tag bytes of the page containing `addr`, or undefined if it is not tagged. */
  pageTags(addr: number): Uint8Array | undefined {
    return this.pages[this.pageIndex(addr, 1)]?.slice();
  }

  /** The offsets of the tagged pages, ascending. */
  *taggedPages(): IterableIterator<number> {
    for (let p = 0; p < this.pages.length; p++) if (this.pages[p] !== undefined) yield p * PAGE_SIZE;
  }

  /** The tag (0..15) of the granule containing `addr`; 0 for an untagged page. */
  getTag(addr: number): number {
    const page = this.pages[this.pageIndex(addr, 1)];
    if (page === undefined) return 0;
    const g = (addr & (PAGE_SIZE - 1)) >>> GRANULE_SHIFT;
    return (page[g >>> 1]! >>> ((g & 1) << 2)) & 0xf;
  }

  /** Set the tag of the granule containing `addr`, tagging (and sanitising) its page first if needed. */
  setTag(addr: number, tag: number): void {
    checkTag(tag);
    const page = this.pageFor(this.pageIndex(addr, 1));
    const g = (addr & (PAGE_SIZE - 1)) >>> GRANULE_SHIFT;
    const shift = (g & 1) << 2;
    page[g >>> 1] = (page[g >>> 1]! & ~(0xf << shift)) | (tag << shift);
  }

  /**
   * The tags of the `count` granules starting at the granule-aligned `addr`, one tag per byte (the ptrace and
   * KVM_ARM_MTE_COPY_TAGS form), into `out` (allocated when not given). Untagged pages read as zeros.
   */
  readTags(addr: number, count: number, out: Uint8Array = new Uint8Array(count)): Uint8Array {
    this.checkRange(addr, count, out.length);
    for (let i = 0; i < count; ) {
      const a = addr + i * TAG_GRANULE;
      const page = this.pages[Math.floor(a / PAGE_SIZE)];
      const g0 = (a & (PAGE_SIZE - 1)) >>> GRANULE_SHIFT;
      const n = Math.min(count - i, TAGS_PER_PAGE - g0);
      if (page === undefined) out.fill(0, i, i + n);
      else for (let k = 0; k < n; k++) out[i + k] = (page[(g0 + k) >>> 1]! >>> (((g0 + k) & 1) << 2)) & 0xf;
      i += n;
    }
    return out;
  }

  /**
   * Write `tags.length` granules' tags from the one-tag-a-byte form, starting at the granule-aligned `addr`, tagging
   * (and sanitising) each page touched. A byte above 15 is an error (RangeError, nothing written), so a caller
   * passing packed data by mistake finds out.
   */
  writeTags(addr: number, tags: Uint8Array): void {
    const count = tags.length;
    this.checkRange(addr, count, count);
    for (let i = 0; i < count; i++) checkTag(tags[i]!);
    for (let i = 0; i < count; ) {
      const a = addr + i * TAG_GRANULE;
      const page = this.pageFor(Math.floor(a / PAGE_SIZE));
      const g0 = (a & (PAGE_SIZE - 1)) >>> GRANULE_SHIFT;
      const n = Math.min(count - i, TAGS_PER_PAGE - g0);
      for (let k = 0; k < n; k++) {
        const g = g0 + k;
        const shift = (g & 1) << 2;
        page[g >>> 1] = (page[g >>> 1]! & ~(0xf << shift)) | (tags[i + k]! << shift);
      }
      i += n;
    }
  }

  /**
   * The tags of the `count` granules starting at `addr`, packed two a byte (granule `addr` in the low nibble of
   * `out[0]`), into `out` (allocated as `ceil(count / 2)` bytes when not given). With an odd `count` the last
   * byte's high nibble is 0. Untagged pages read as zeros.
   */
  readPacked(addr: number, count: number, out: Uint8Array = new Uint8Array((count + 1) >>> 1)): Uint8Array {
    this.checkRange(addr, count, out.length * 2);
    const firstG = addr >>> GRANULE_SHIFT;
    if ((firstG & 1) === 0) {
      // Aligned to a byte of packed storage: copy whole bytes page by page.
      for (let i = 0; i < count; ) {
        const a = addr + i * TAG_GRANULE;
        const page = this.pages[Math.floor(a / PAGE_SIZE)];
        const g0 = (a & (PAGE_SIZE - 1)) >>> GRANULE_SHIFT;
        const n = Math.min(count - i, TAGS_PER_PAGE - g0);
        const bytes = (n + 1) >>> 1;
        if (page === undefined) out.fill(0, i >>> 1, (i >>> 1) + bytes);
        else out.set(page.subarray(g0 >>> 1, (g0 >>> 1) + bytes), i >>> 1);
        i += n;
      }
      if ((count & 1) !== 0) out[count >>> 1]! &= 0xf;
      return out;
    }
    const one = this.readTags(addr, count);
    out.fill(0, 0, (count + 1) >>> 1);
    for (let i = 0; i < count; i++) out[i >>> 1]! |= one[i]! << ((i & 1) << 2);
    return out;
  }

  /**
   * Write the `count` granules' tags starting at `addr` from packed form (`packed[0]`'s low nibble is granule
   * `addr`), tagging (and sanitising) each page touched.
   */
  writePacked(addr: number, count: number, packed: Uint8Array): void {
    this.checkRange(addr, count, packed.length * 2);
    const one = new Uint8Array(count);
    for (let i = 0; i < count; i++) one[i] = (packed[i >>> 1]! >>> ((i & 1) << 2)) & 0xf;
    this.writeTags(addr, one);
  }

  private pageFor(p: number): Uint8Array {
    let page = this.pages[p];
    if (page === undefined) {
      const b = this.backing;
      if (b === undefined) page = new Uint8Array(PACKED_TAG_BYTES_PER_PAGE);
      else {
        page = b.subarray(p * PACKED_TAG_BYTES_PER_PAGE, (p + 1) * PACKED_TAG_BYTES_PER_PAGE);
        page.fill(0); // sanitised: zero already (kept so by dropPage), made sure
      }
      this.pages[p] = page;
      this.tagged++;
    }
    return page;
  }

  private pageIndex(addr: number, len: number): number {
    if (!Number.isInteger(addr) || addr < 0 || addr + len > this.size) {
      throw new RangeError(`tag storage offset 0x${addr.toString(16)} outside [0, 0x${this.size.toString(16)})`);
    }
    return Math.floor(addr / PAGE_SIZE);
  }

  private checkRange(addr: number, count: number, capacity: number): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`granule count must be a non-negative integer, got ${count}`);
    if (addr % TAG_GRANULE !== 0) throw new RangeError(`tag range start 0x${addr.toString(16)} is not granule aligned`);
    if (count > capacity) throw new RangeError(`buffer holds ${capacity} tags, ${count} requested`);
    if (count > 0) this.pageIndex(addr, count * TAG_GRANULE);
  }
}

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 15) throw new RangeError(`a tag is 0..15, got ${tag}`);
}
