/**
 * A simple {@link PhysicalMemory}: a list of RAM regions backed by Uint8Arrays. Upper layers may use their own;
 * tests and small tools use this one.
 */
import type { PhysicalMemory, PhysRegion, TagStore } from './ports.js';

/**
 * Make a region over `bytes` (or fresh zeroed memory of `size` bytes) at physical address `base`, with the
 * allocation tag storage `tags` when the memory is tag-capable (MTE).
 */
export function makeRegion(base: number, bytesOrSize: Uint8Array | number, tags?: TagStore): PhysRegion {
  const bytes = typeof bytesOrSize === 'number' ? new Uint8Array(bytesOrSize) : bytesOrSize;
  if (base % 4096 !== 0) throw new RangeError(`region base ${base.toString(16)} is not page aligned`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return tags === undefined ? { base, bytes, view } : { base, bytes, view, tags };
}

export class RegionList implements PhysicalMemory {
  private regions: PhysRegion[] = [];
  private last: PhysRegion | undefined;

  /** Add RAM at `base`: `size` fresh bytes, or the given array, with optional tag storage. Regions must not overlap. */
  add(base: number, bytesOrSize: Uint8Array | number, tags?: TagStore): PhysRegion {
    const r = makeRegion(base, bytesOrSize, tags);
    for (const o of this.regions) {
      if (r.base < o.base + o.bytes.length && o.base < r.base + r.bytes.length) {
        throw new RangeError(`region at ${base.toString(16)} overlaps one at ${o.base.toString(16)}`);
      }
    }
    this.regions.push(r);
    this.regions.sort((a, b) => a.base - b.base);
    return r;
  }

  region(pa: number): PhysRegion | undefined {
    const l = this.last;
    if (l !== undefined && pa >= l.base && pa < l.base + l.bytes.length) return l;
    for (const r of this.regions) {
      if (pa >= r.base && pa < r.base + r.bytes.length) return (this.last = r);
    }
    return undefined;
  }
}
