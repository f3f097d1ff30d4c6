/**
 * Compression of one page's allocation tags (256 four-bit tags, 128 packed bytes) for swap: a run-length form that
 * fits one 64-bit word when the page has at most {@link MAX_RLE_RUNS} runs of equal tags, else the raw bytes.
 * The idea is that of an unmerged Linux series (inline "EA0" tag storage); the bit layout below is this project's.
 *
 * ## Layout of the 64-bit word (bit 0 = least significant)
 *
 * A page's tags, granule 0 first, split into maximal runs r0..r(n-1) of equal tags, 1 <= n <= 6; the runs' lengths
 * add up to 256. Let L be the index of the longest run (the first one on a tie).
 *
 * | bits | field |
 * |---|---|
 * | [4:0] | header h = n(n-1)/2 + L, 0..20: the run count and the longest run's index together |
 * | [5+4i+3 : 5+4i], i < n | the tag of run i |
 * | then, from bit 5+4n, 7 bits per run j != L, in run order | length(run j) - 1 |
 *
 * The longest run's length is implied (256 minus the others). Every other run is at most 128 granules long (two runs
 * longer than 128 cannot fit in 256), so 7 bits hold its length - 1. Six runs use 5 + 24 + 35 = 64 bits exactly;
 * unused high bits are 0. Decoding rejects words that do not describe 256 tags (RangeError).
 */
import { PACKED_TAG_BYTES_PER_PAGE, TAGS_PER_PAGE } from './tag-storage.js';

/** Most runs the single-word form holds. */
export const MAX_RLE_RUNS = 6;
/** Bytes a run-length-encoded page's tags take (one 64-bit word). */
export const RLE_BYTES = 8;

/** A page's tags, compressed: one 64-bit word, or the 128 packed bytes when the page has too many runs. */
export type CompressedTags =
  | { readonly kind: 'rle'; readonly word: bigint }
  | { readonly kind: 'raw'; readonly bytes: Uint8Array };

/** Bytes a compressed form occupies: 8 for 'rle', 128 for 'raw'. */
export function compressedSize(c: CompressedTags): number {
  return c.kind === 'rle' ? RLE_BYTES : PACKED_TAG_BYTES_PER_PAGE;
}

/** The tags of a page as 256 values, from its 128 packed bytes (even granule in the low nibble). */
function unpack(packed: Uint8Array): Uint8Array {
  const out = new Uint8Array(TAGS_PER_PAGE);
  for (let g = 0; g < TAGS_PER_PAGE; g++) out[g] = (packed[g >>> 1]! >>> ((g & 1) << 2)) & 0xf;
  return out;
}

/**
 * Compress a page's 128 packed tag bytes. The result never aliases `packed` (the raw form holds a copy).
 * RangeError if `packed` is not 128 bytes.
 */
export function compressTags(packed: Uint8Array): CompressedTags {
  if (packed.length !== PACKED_TAG_BYTES_PER_PAGE) throw new RangeError(`a page's packed tags are ${PACKED_TAG_BYTES_PER_PAGE} bytes, got ${packed.length}`);
  const tags = unpack(packed);
  const runTags: number[] = [];
  const runLens: number[] = [];
  for (let g = 0; g < TAGS_PER_PAGE; g++) {
    const t = tags[g]!;
    if (runTags.length > 0 && runTags[runTags.length - 1] === t) runLens[runLens.length - 1]!++;
    else {
      if (runTags.length === MAX_RLE_RUNS) return { kind: 'raw', bytes: packed.slice() };
      runTags.push(t);
      runLens.push(1);
    }
  }
  const n = runTags.length;
  let longest = 0;
  for (let j = 1; j < n; j++) if (runLens[j]! > runLens[longest]!) longest = j;
  let word = BigInt((n * (n - 1)) / 2 + longest);
  let bit = 5n;
  for (let i = 0; i < n; i++, bit += 4n) word |= BigInt(runTags[i]!) << bit;
  for (let j = 0; j < n; j++) {
    if (j === longest) continue;
    word |= BigInt(runLens[j]! - 1) << bit;
    bit += 7n;
  }
  return { kind: 'rle', word };
}

/** Decode a run-length word into 128 packed tag bytes. RangeError for a word that is not a valid encoding. */
export function decodeRleWord(word: bigint): Uint8Array {
  if (word < 0n || word >= 1n << 64n) throw new RangeError('an RLE tag word is 64 bits');
  const h = Number(word & 0x1fn);
  let n = 1;
  while ((n * (n + 1)) / 2 <= h) n++;
  const longest = h - (n * (n - 1)) / 2;
  if (n > MAX_RLE_RUNS) throw new RangeError(`RLE header ${h} is not valid`);
  const runTags: number[] = [];
  let bit = 5n;
  for (let i = 0; i < n; i++, bit += 4n) runTags.push(Number((word >> bit) & 0xfn));
  const runLens: number[] = new Array<number>(n).fill(0);
  let others = 0;
  for (let j = 0; j < n; j++) {
    if (j === longest) continue;
    runLens[j] = Number((word >> bit) & 0x7fn) + 1;
    others += runLens[j]!;
    bit += 7n;
  }
  runLens[longest] = TAGS_PER_PAGE - others;
  if (runLens[longest]! < 1 || (bit < 64n && (word >> bit) !== 0n)) throw new RangeError('RLE tag word does not describe one page');
  for (let i = 1; i < n; i++) if (runTags[i] === runTags[i - 1]) throw new RangeError('RLE tag word has adjacent runs with equal tags');
  const out = new Uint8Array(PACKED_TAG_BYTES_PER_PAGE);
  let g = 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < runLens[i]!; k++, g++) out[g >>> 1]! |= runTags[i]! << ((g & 1) << 2);
  }
  return out;
}

/** Decompress into 128 packed tag bytes (a fresh array). */
export function decompressTags(c: CompressedTags): Uint8Array {
  return c.kind === 'rle' ? decodeRleWord(c.word) : c.bytes.slice();
}

/** Counters for compressed pages: how many, and bytes raw (128 a page) vs stored. */
export class TagCompressionStats {
  pages = 0;
  rlePages = 0;
  rawPages = 0;
  /** 128 bytes per page: what storing the packed tags uncompressed costs. */
  rawBytes = 0;
  /** Bytes of the compressed forms (8 per RLE page, 128 per raw page). */
  storedBytes = 0;

  /** Count a compressed page in (`sign` 1) or out (`sign` -1). */
  add(c: CompressedTags, sign: 1 | -1 = 1): void {
    this.pages += sign;
    if (c.kind === 'rle') this.rlePages += sign;
    else this.rawPages += sign;
    this.rawBytes += sign * PACKED_TAG_BYTES_PER_PAGE;
    this.storedBytes += sign * compressedSize(c);
  }

  /** rawBytes / storedBytes (1 when empty). */
  get ratio(): number {
    return this.storedBytes === 0 ? 1 : this.rawBytes / this.storedBytes;
  }

  snapshot(): { pages: number; rlePages: number; rawPages: number; rawBytes: number; storedBytes: number; ratio: number } {
    return { pages: this.pages, rlePages: this.rlePages, rawPages: this.rawPages, rawBytes: this.rawBytes, storedBytes: this.storedBytes, ratio: this.ratio };
  }
}
