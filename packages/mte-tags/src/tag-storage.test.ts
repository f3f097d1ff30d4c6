import { describe, expect, it } from 'vitest';
import { PACKED_TAG_BYTES_PER_PAGE, PAGE_SIZE, TagStorage, TAGS_PER_PAGE } from './index.js';

/** A small deterministic PRNG (mulberry32) so property runs are reproducible from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TagStorage', () => {
  it('allocates nothing for RAM never tagged, and reads it as zero', () => {
    const s = new TagStorage(1 << 30);
    expect(s.pageCount).toBe((1 << 30) / PAGE_SIZE);
    expect(s.getTag(0x1234_5670)).toBe(0);
    expect(s.readTags(0x1000, 300).every((t) => t === 0)).toBe(true);
    expect(s.readPacked(0x1000, 300).every((t) => t === 0)).toBe(true);
    expect(s.isTagged(0x1000)).toBe(false);
    expect(s.taggedPageCount).toBe(0);
    expect(s.allocatedBytes).toBe(0);
  });

  it('packs two tags a byte, even granule in the low nibble', () => {
    const s = new TagStorage(2 * PAGE_SIZE);
    s.setTag(0x00, 0x3);
    s.setTag(0x10, 0xa);
    s.setTag(0x2f, 0x5); // any byte of the granule names it
    expect(s.getTag(0x0f)).toBe(3);
    expect(s.getTag(0x10)).toBe(0xa);
    expect(s.getTag(0x20)).toBe(5);
    expect([...s.readPacked(0, 4)]).toEqual([0xa3, 0x05]);
    expect([...s.readTags(0, 4)]).toEqual([3, 0xa, 5, 0]);
    expect(s.allocatedBytes).toBe(PACKED_TAG_BYTES_PER_PAGE);
    expect(s.isTagged(PAGE_SIZE)).toBe(false);
  });

  it('sanitises on first tagged use and never clears the tagged flag', () => {
    const s = new TagStorage(PAGE_SIZE);
    expect(s.markTagged(0x80)).toBe(true);
    expect(s.readTags(0, TAGS_PER_PAGE).every((t) => t === 0)).toBe(true);
    s.setTag(0x40, 7);
    expect(s.markTagged(0)).toBe(false); // already tagged: tags kept
    expect(s.getTag(0x40)).toBe(7);
    s.setTag(0x40, 0);
    expect(s.isTagged(0)).toBe(true); // all-zero tags do not untag the page
    expect([...s.taggedPages()]).toEqual([0]);
  });

  it('bulk writes across pages, in both forms, and odd-aligned packed ranges', () => {
    const s = new TagStorage(4 * PAGE_SIZE);
    const start = PAGE_SIZE - 3 * 16;
    s.writeTags(start, Uint8Array.from([1, 2, 3, 4, 5]));
    expect(s.isTagged(0)).toBe(true);
    expect(s.isTagged(PAGE_SIZE)).toBe(true);
    expect([...s.readTags(start, 5)]).toEqual([1, 2, 3, 4, 5]);
    // start is granule 253 (odd): packing is relative to the range start.
    expect([...s.readPacked(start, 5)]).toEqual([0x21, 0x43, 0x05]);
    s.writePacked(start + 16, 3, Uint8Array.from([0xcb, 0x0d]));
    expect([...s.readTags(start, 5)]).toEqual([1, 0xb, 0xc, 0xd, 5]);
    s.writePacked(2 * PAGE_SIZE, 4, Uint8Array.from([0x21, 0x43]));
    expect([...s.readTags(2 * PAGE_SIZE, 4)]).toEqual([1, 2, 3, 4]);
    expect(s.taggedPageCount).toBe(3);
  });

  it('rejects bad input without changing anything', () => {
    const s = new TagStorage(PAGE_SIZE);
    expect(() => new TagStorage(100)).toThrow(RangeError);
    expect(() => s.setTag(0, 16)).toThrow(RangeError);
    expect(() => s.setTag(PAGE_SIZE, 1)).toThrow(RangeError);
    expect(() => s.getTag(-1)).toThrow(RangeError);
    expect(() => s.readTags(8, 1)).toThrow(RangeError); // not granule aligned
    expect(() => s.readTags(0, TAGS_PER_PAGE + 1)).toThrow(RangeError);
    expect(() => s.writeTags(0, Uint8Array.from([1, 0x21]))).toThrow(RangeError); // packed data by mistake
    expect(() => s.readPacked(0, 10, new Uint8Array(4))).toThrow(RangeError);
    expect(s.taggedPageCount).toBe(0);
  });

  it('addresses beyond 4 GiB', () => {
    const s = new TagStorage(8 * 2 ** 30);
    const a = 6 * 2 ** 30 + 0x30;
    s.setTag(a, 9);
    s.writeTags(a + 16, Uint8Array.from([4]));
    expect(s.getTag(a)).toBe(9);
    expect(s.getTag(a - 6 * 2 ** 30)).toBe(0);
    expect([...s.readPacked(a - 16, 4)]).toEqual([0x90, 0x04]);
    expect([...s.taggedPages()]).toEqual([6 * 2 ** 30]);
  });

  it('property: random operations agree with a Map model', () => {
    const bad: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const r = rng(seed);
      const pages = 6;
      const s = new TagStorage(pages * PAGE_SIZE);
      const model = new Map<number, number>(); // granule index -> tag
      const taggedModel = new Set<number>(); // page index
      const granules = pages * TAGS_PER_PAGE;
      const tagPage = (g: number) => taggedModel.add(Math.floor(g / TAGS_PER_PAGE));
      for (let step = 0; step < 400; step++) {
        const g = Math.floor(r() * granules);
        const count = Math.min(granules - g, Math.floor(r() * 600));
        switch (Math.floor(r() * 7)) {
          case 0: {
            const t = Math.floor(r() * 16);
            s.setTag(g * 16 + Math.floor(r() * 16), t);
            tagPage(g);
            model.set(g, t);
            break;
          }
          case 1: {
            const tags = Uint8Array.from({ length: count }, () => Math.floor(r() * 16));
            s.writeTags(g * 16, tags);
            tags.forEach((t, i) => { model.set(g + i, t); tagPage(g + i); });
            break;
          }
          case 2: {
            const packed = Uint8Array.from({ length: (count + 1) >> 1 }, () => Math.floor(r() * 256));
            s.writePacked(g * 16, count, packed);
            for (let i = 0; i < count; i++) { model.set(g + i, (packed[i >> 1]! >> ((i & 1) * 4)) & 15); tagPage(g + i); }
            break;
          }
          case 3: {
            const first = s.markTagged(g * 16);
            const p = Math.floor(g / TAGS_PER_PAGE);
            expect(first).toBe(!taggedModel.has(p));
            taggedModel.add(p);
            break;
          }
          case 4: {
            const got = s.readTags(g * 16, count);
            for (let i = 0; i < count; i++) if (got[i] !== (model.get(g + i) ?? 0)) bad.push(`seed ${seed} step ${step} readTags granule ${g + i}`);
            break;
          }
          case 5: {
            const got = s.readPacked(g * 16, count);
            for (let i = 0; i < count; i++) {
              if (((got[i >> 1]! >> ((i & 1) * 4)) & 15) !== (model.get(g + i) ?? 0)) bad.push(`seed ${seed} step ${step} readPacked granule ${g + i}`);
            }
            if (count & 1 && got[count >> 1]! >> 4 !== 0) bad.push(`seed ${seed} step ${step} readPacked pad nibble`);
            break;
          }
          default:
            if (s.getTag(g * 16) !== (model.get(g) ?? 0)) bad.push(`seed ${seed} step ${step} getTag granule ${g}`);
        }
        if (s.taggedPageCount !== taggedModel.size) bad.push(`seed ${seed} step ${step} taggedPageCount`);
      }
      for (let p = 0; p < pages; p++) expect(s.isTagged(p * PAGE_SIZE)).toBe(taggedModel.has(p));
      expect([...s.taggedPages()]).toEqual([...taggedModel].sort((a, b) => a - b).map((p) => p * PAGE_SIZE));
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });
});

describe('TagStorage with a dense backing', () => {
  it('keeps page p\'s packed tags at backing[128p..] and an untagged page\'s bytes zero', () => {
    const backing = new Uint8Array(4 * PACKED_TAG_BYTES_PER_PAGE);
    const s = new TagStorage(4 * PAGE_SIZE, backing);
    s.setTag(2 * PAGE_SIZE + 16 * 3, 0xa); // page 2, granule 3: high nibble of byte 1
    expect(backing[2 * PACKED_TAG_BYTES_PER_PAGE + 1]).toBe(0xa0);
    expect(s.getTag(2 * PAGE_SIZE + 48)).toBe(0xa);
    expect(s.taggedPageCount).toBe(1);
    // Dropping the page hands out a copy and zeroes the backing (an untagged page reads 0 there as in getTag).
    const dropped = s.dropPage(2 * PAGE_SIZE)!;
    expect(dropped[1]).toBe(0xa0);
    expect(backing.every((b) => b === 0)).toBe(true);
    expect(s.getTag(2 * PAGE_SIZE + 48)).toBe(0);
    s.loadPage(2 * PAGE_SIZE, dropped);
    expect(backing[2 * PACKED_TAG_BYTES_PER_PAGE + 1]).toBe(0xa0);
    s.writeTags(0, new Uint8Array(TAGS_PER_PAGE).fill(5));
    expect(backing.subarray(0, PACKED_TAG_BYTES_PER_PAGE).every((b) => b === 0x55)).toBe(true);
  });

  it('refuses a backing of the wrong size', () => {
    expect(() => new TagStorage(2 * PAGE_SIZE, new Uint8Array(100))).toThrow(RangeError);
  });
});
