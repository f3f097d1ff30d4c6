import { describe, expect, it } from 'vitest';
import {
  compressTags, decodeRleWord, decompressTags, MAX_RLE_RUNS, PACKED_TAG_BYTES_PER_PAGE, PAGE_SIZE, TagCompressionStats,
  TagStorage, TAGS_PER_PAGE, type CompressedTags,
} from './index.js';

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

/** 256 tags → 128 packed bytes. */
function pack(tags: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(PACKED_TAG_BYTES_PER_PAGE);
  for (let g = 0; g < TAGS_PER_PAGE; g++) out[g >>> 1]! |= tags[g]! << ((g & 1) << 2);
  return out;
}

/** A page of `runs` runs with random boundaries and tags (adjacent runs differ). */
function pageWithRuns(r: () => number, runs: number): Uint8Array {
  const cuts = new Set<number>();
  while (cuts.size < runs - 1) cuts.add(1 + Math.floor(r() * (TAGS_PER_PAGE - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const tags = new Uint8Array(TAGS_PER_PAGE);
  let tag = Math.floor(r() * 16);
  let next = 0;
  for (let g = 0; g < TAGS_PER_PAGE; g++) {
    if (next < sorted.length && g === sorted[next]) {
      tag = (tag + 1 + Math.floor(r() * 15)) % 16;
      next++;
    }
    tags[g] = tag;
  }
  return pack(tags);
}

describe('tag compression', () => {
  it('encodes an all-zero page as the word 0, and a single-tag page in 9 bits', () => {
    expect(compressTags(new Uint8Array(128))).toEqual({ kind: 'rle', word: 0n });
    const c = compressTags(new Uint8Array(128).fill(0xaa));
    expect(c).toEqual({ kind: 'rle', word: 0xan << 5n });
  });

  it('lays out header, tags and non-longest lengths as documented', () => {
    // Runs: 16 granules of tag 3, 200 of tag 7 (the longest), 40 of tag 1.
    const tags = [...new Array(16).fill(3), ...new Array(200).fill(7), ...new Array(40).fill(1)];
    const c = compressTags(pack(tags)) as { kind: 'rle'; word: bigint };
    expect(c.kind).toBe('rle');
    const n = 3n;
    const L = 1n;
    const expected = (n * (n - 1n)) / 2n + L | (3n << 5n) | (7n << 9n) | (1n << 13n) | (15n << 17n) | (39n << 24n);
    expect(c.word).toBe(expected);
  });

  it('uses the raw form from the seventh run on', () => {
    const r = rng(1);
    for (let runs = 1; runs <= 12; runs++) {
      const c = compressTags(pageWithRuns(r, runs));
      expect(c.kind).toBe(runs <= MAX_RLE_RUNS ? 'rle' : 'raw');
    }
  });

  it('the worst case, six runs with the longest one last, fits 64 bits', () => {
    const tags = [...new Array(1).fill(1), ...new Array(127).fill(2), 3, 4, 5, ...new Array(125).fill(6)];
    const c = compressTags(pack(tags));
    expect(c.kind).toBe('rle');
    expect((c as { word: bigint }).word < 1n << 64n).toBe(true);
    expect(decompressTags(c)).toEqual(pack(tags));
    // Two runs of exactly 128: the non-longest length 128 still fits 7 bits.
    const half = [...new Array(128).fill(9), ...new Array(128).fill(4)];
    expect(decompressTags(compressTags(pack(half)))).toEqual(pack(half));
  });

  it('property: decompress(compress(page)) === page, over random pages of 1..256 runs', () => {
    const r = rng(0xc0ffee);
    for (let i = 0; i < 3000; i++) {
      const runs = i % 3 === 0 ? 1 + Math.floor(r() * 8) : 1 + Math.floor(r() * 256);
      const page = runs > 200 ? pack(Array.from({ length: 256 }, () => Math.floor(r() * 16))) : pageWithRuns(r, runs);
      const c = compressTags(page);
      const back = decompressTags(c);
      expect(back).toEqual(page);
      expect(back).not.toBe(page);
    }
  });

  it('rejects malformed words and wrong sizes', () => {
    expect(() => decodeRleWord(21n)).toThrow(RangeError); // header beyond 6 runs
    expect(() => decodeRleWord(1n | (5n << 5n) | (5n << 9n))).toThrow(RangeError); // adjacent equal tags
    expect(() => decodeRleWord(1n << 63n)).toThrow(RangeError); // stray high bits
    expect(() => decodeRleWord(1n << 64n)).toThrow(RangeError);
    expect(() => compressTags(new Uint8Array(64))).toThrow(RangeError);
  });

  it('measured ratios: sparse allocator-like tagging compresses 16x, random tags not at all', () => {
    const r = rng(7);
    const measure = (gen: () => Uint8Array, pages = 512) => {
      const s = new TagCompressionStats();
      for (let i = 0; i < pages; i++) s.add(compressTags(gen()));
      return s.snapshot();
    };
    // Freshly sanitised pages (all zero) — most of a guest's RAM soon after boot.
    const zero = measure(() => new Uint8Array(128));
    expect(zero.ratio).toBe(16);
    // Pages holding a few tagged objects (2..6 runs).
    const few = measure(() => pageWithRuns(r, 1 + Math.floor(r() * 6)));
    expect(few.ratio).toBe(16);
    // A slab of 16-byte objects, each with its own random tag: incompressible.
    const slab = measure(() => pack(Array.from({ length: 256 }, () => Math.floor(r() * 16))));
    expect(slab.ratio).toBe(1);
    // A mix: 70 % zero, 20 % few objects, 10 % slab.
    const mixed = measure(() => {
      const x = r();
      return x < 0.7 ? new Uint8Array(128) : x < 0.9 ? pageWithRuns(r, 2 + Math.floor(r() * 10)) : pack(Array.from({ length: 256 }, () => Math.floor(r() * 16)));
    }, 2000);
    expect(mixed.ratio).toBeGreaterThan(3.5); // measured 3.90 with this seed
    expect(mixed.pages).toBe(2000);
    expect(mixed.rawBytes).toBe(2000 * 128);
    console.log(`tag compression ratios: zero ${zero.ratio}x, few-runs ${few.ratio}x, slab ${slab.ratio}x, mixed ${mixed.ratio.toFixed(2)}x (${mixed.rlePages} rle / ${mixed.rawPages} raw)`);
  });

  it('stats count pages in and out', () => {
    const s = new TagCompressionStats();
    const a: CompressedTags = compressTags(new Uint8Array(128));
    const b: CompressedTags = { kind: 'raw', bytes: new Uint8Array(128) };
    s.add(a);
    s.add(b);
    expect(s.snapshot()).toMatchObject({ pages: 2, rlePages: 1, rawPages: 1, rawBytes: 256, storedBytes: 136 });
    s.add(b, -1);
    expect(s.snapshot()).toMatchObject({ pages: 1, rawBytes: 128, storedBytes: 8, ratio: 16 });
  });
});

describe('TagStorage page transfer (swap support)', () => {
  it('dropPage takes a tagged page out; loadPage puts tags back; pageTags copies', () => {
    const s = new TagStorage(4 * PAGE_SIZE);
    s.setTag(PAGE_SIZE + 0x20, 5);
    expect(s.pageTags(PAGE_SIZE)![1]).toBe(0x05 >> 0);
    const taken = s.dropPage(PAGE_SIZE + 0x800)!;
    expect(taken.length).toBe(128);
    expect(taken[1]).toBe(0x05);
    expect(s.isTagged(PAGE_SIZE)).toBe(false);
    expect(s.taggedPageCount).toBe(0);
    expect(s.getTag(PAGE_SIZE + 0x20)).toBe(0);
    expect(s.dropPage(PAGE_SIZE)).toBeUndefined();
    expect(s.pageTags(PAGE_SIZE)).toBeUndefined();
    s.loadPage(3 * PAGE_SIZE, taken);
    expect(s.isTagged(3 * PAGE_SIZE)).toBe(true);
    expect(s.getTag(3 * PAGE_SIZE + 0x20)).toBe(5);
    taken[1] = 0;
    expect(s.getTag(3 * PAGE_SIZE + 0x20)).toBe(5); // copied
    expect(() => s.loadPage(0, new Uint8Array(3))).toThrow(RangeError);
    expect(() => s.dropPage(4 * PAGE_SIZE)).toThrow(RangeError);
  });
});
