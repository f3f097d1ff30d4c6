export { TagStorage, TAG_GRANULE, PAGE_SIZE, TAGS_PER_PAGE, PACKED_TAG_BYTES_PER_PAGE } from './tag-storage.js';
