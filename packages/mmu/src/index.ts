export type { PhysicalMemory, PhysRegion, TagStore } from './ports.js';
export { Mmu, TlbTags, type MmuOptions, type Translation } from './mmu.js';
export { Perm, Hcr, ISS2_TAG_ACCESS } from './access.js';
export {
  MemAttr, decodeMair, mairAttr, decodeS2MemAttr, combineS1S2, withShareability, isDevice, isNormalWriteBack,
  isTagged, isNoTagAccess, isS2NoTagAccess, shareability, attrByte, attrToString,
} from './attrs.js';
export {
  Desc, Ap, type GranuleBits, granuleFromTg0, granuleFromTg1, levelShift, startLevel, blockAllowed, decodePs,
  s1PageDesc, s1BlockDesc, tableDesc, s2PageDesc, s2BlockDesc, S2MemAttr, type S1LeafOptions, type S2LeafOptions,
  type TableOptions,
} from './descriptors.js';
export { RegionList, makeRegion } from './phys.js';
