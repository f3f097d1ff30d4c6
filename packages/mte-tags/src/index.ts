export { TagStorage, TAG_GRANULE, PAGE_SIZE, TAGS_PER_PAGE, PACKED_TAG_BYTES_PER_PAGE } from './tag-storage.js';
export {
  compressTags, decompressTags, decodeRleWord, compressedSize, TagCompressionStats, MAX_RLE_RUNS, RLE_BYTES,
  type CompressedTags,
} from './compression.js';
