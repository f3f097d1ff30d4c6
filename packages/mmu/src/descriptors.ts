/**
 * VMSAv8-64 translation table descriptors (the 64-bit formats, without FEAT_LPA/LPA2/D128): bit positions, granule
 * geometry, and builders for page tables (used by tests and by kvm-core for its stage-2 tables).
 */

/** Descriptor bits, as BigInt masks. */
export const Desc = {
  Valid: 1n << 0n,
  /** Set: table (levels 0-2) or page (level 3); clear: block. */
  Table: 1n << 1n,
  Page: 1n << 1n,
  /** Stage 1: AttrIndx[2:0] at bits [4:2]. */
  AttrIndxShift: 2n,
  /** Stage 1: AP[2:1] at bits [7:6]: AP[1] (bit 6) EL0 access, AP[2] (bit 7) read-only. */
  ApShift: 6n,
  ApEl0: 1n << 6n,
  ApRo: 1n << 7n,
  /** SH[1:0] at bits [9:8]. */
  ShShift: 8n,
  Af: 1n << 10n,
  NG: 1n << 11n,
  Contiguous: 1n << 52n,
  Pxn: 1n << 53n,
  /** UXN (stage 1, EL1&0) / XN (stage 2). */
  Uxn: 1n << 54n,
  Xn: 1n << 54n,
  /** Table descriptor hierarchical controls (stage 1). */
  PxnTable: 1n << 59n,
  UxnTable: 1n << 60n,
  /** APTable[0]: no EL0 access at lower levels. */
  ApTableNoEl0: 1n << 61n,
  /** APTable[1]: no write access at lower levels. */
  ApTableRo: 1n << 62n,
  NsTable: 1n << 63n,
  /** Stage 2: MemAttr[3:0] at bits [5:2], S2AP at bits [7:6] (bit 6 read, bit 7 write). */
  S2MemAttrShift: 2n,
  S2ApRead: 1n << 6n,
  S2ApWrite: 1n << 7n,
} as const;

/** AP[2:1] values. */
export const Ap = {
  /** EL1 read/write, EL0 none. */
  RwEl1: 0,
  /** EL1 and EL0 read/write. */
  RwAll: 1,
  /** EL1 read-only, EL0 none. */
  RoEl1: 2,
  /** EL1 and EL0 read-only. */
  RoAll: 3,
} as const;

/** A translation granule: 12 (4 KiB), 14 (16 KiB) or 16 (64 KiB) address bits per page. */
export type GranuleBits = 12 | 14 | 16;

/** TCR_EL1.TG0 / VTCR_EL2.TG0 encoding → granule bits. The reserved value 0b11 behaves as 4 KiB. */
export function granuleFromTg0(tg0: number): GranuleBits {
  return tg0 === 1 ? 16 : tg0 === 2 ? 14 : 12;
}

/** TCR_EL1.TG1 encoding → granule bits. The reserved value 0b00 behaves as 4 KiB. */
export function granuleFromTg1(tg1: number): GranuleBits {
  return tg1 === 1 ? 14 : tg1 === 3 ? 16 : 12;
}

/** The lowest input-address bit a level resolves: the size of a block or page at that level is 2^levelShift. */
export function levelShift(granule: GranuleBits, level: number): number {
  return granule + (3 - level) * (granule - 3);
}

/** The stage-1 starting level for an input address size (AArch64 without FEAT_LPA2). */
export function startLevel(granule: GranuleBits, inputSize: number): number {
  const stride = granule - 3;
  return 4 - Math.ceil((inputSize - granule) / stride);
}

/** Whether a block descriptor is allowed at `level` (48-bit OA: 4K at levels 1 and 2; 16K and 64K at level 2). */
export function blockAllowed(granule: GranuleBits, level: number): boolean {
  return granule === 12 ? level === 1 || level === 2 : level === 2;
}

/** TCR_ELx.IPS / VTCR_EL2.PS encoding → address bits (the reserved 0b111 reads as 48). */
export function decodePs(ps: number): number {
  return [32, 36, 40, 42, 44, 48, 52, 48][ps & 7]!;
}

export interface S1LeafOptions {
  /** MAIR index, 0-7. */
  attrIndx?: number;
  /** AP[2:1] (see {@link Ap}); default EL1 read/write. */
  ap?: number;
  /** SH[1:0]; default 3 (Inner Shareable). */
  sh?: number;
  /** Access flag; default true. */
  af?: boolean;
  pxn?: boolean;
  uxn?: boolean;
  ng?: boolean;
}

function s1LeafBits(o: S1LeafOptions): bigint {
  let d = Desc.Valid | (BigInt(o.attrIndx ?? 0) << Desc.AttrIndxShift) | (BigInt(o.ap ?? 0) << Desc.ApShift) |
    (BigInt(o.sh ?? 3) << Desc.ShShift);
  if (o.af ?? true) d |= Desc.Af;
  if (o.pxn) d |= Desc.Pxn;
  if (o.uxn) d |= Desc.Uxn;
  if (o.ng) d |= Desc.NG;
  return d;
}

/** A stage-1 level-3 page descriptor for output address `oa` (granule aligned). */
export function s1PageDesc(oa: bigint | number, o: S1LeafOptions = {}): bigint {
  return BigInt(oa) | s1LeafBits(o) | Desc.Page;
}

/** A stage-1 block descriptor (level 1 or 2) for output address `oa` (block aligned). */
export function s1BlockDesc(oa: bigint | number, o: S1LeafOptions = {}): bigint {
  return BigInt(oa) | s1LeafBits(o);
}

export interface TableOptions {
  /** APTable[1:0]: bit 0 no EL0 access, bit 1 no write. */
  apTable?: number;
  pxnTable?: boolean;
  uxnTable?: boolean;
}

/** A table descriptor pointing at the next-level table at `next`. Hierarchical controls apply to stage 1 only. */
export function tableDesc(next: bigint | number, o: TableOptions = {}): bigint {
  let d = BigInt(next) | Desc.Valid | Desc.Table | (BigInt(o.apTable ?? 0) << 61n);
  if (o.pxnTable) d |= Desc.PxnTable;
  if (o.uxnTable) d |= Desc.UxnTable;
  return d;
}

/**
 * Stage-2 MemAttr[3:0] values. With HCR_EL2.FWB = 0: `Device*`, `NormalNC`, `NormalWB`, `NoTagAccess`. With
 * FWB = 1: `Device*`, `Fwb*`.
 */
export const S2MemAttr = {
  DeviceNGnRnE: 0b0000,
  DeviceNGnRE: 0b0001,
  /** FWB = 0: Normal, Inner and Outer Non-cacheable (untagged). */
  NormalNC: 0b0101,
  /** FWB = 0: Normal, Inner and Outer Write-Back (stage-1 Tagged memory stays Tagged). */
  NormalWB: 0b1111,
  /** FWB = 0, FEAT_MTE_PERM: Normal Write-Back, NoTagAccess. */
  NoTagAccess: 0b0100,
  /** FWB = 1: Normal Non-cacheable unless stage 1 is Device. */
  FwbNormalNC: 0b0101,
  /** FWB = 1: Normal Write-Back whatever stage 1 says (Tagged survives). */
  FwbNormalWB: 0b0110,
  /** FWB = 1: the stage-1 attributes. */
  FwbUseStage1: 0b0111,
  /** FWB = 1, FEAT_MTE_PERM: Normal Write-Back, NoTagAccess. */
  FwbNoTagAccessWB: 0b1110,
  /** FWB = 1, FEAT_MTE_PERM: the stage-1 attributes, NoTagAccess. */
  FwbNoTagAccessUseStage1: 0b1111,
} as const;

export interface S2LeafOptions {
  /**
   * MemAttr[3:0] (see {@link S2MemAttr}); default 0b1111 (Normal Write-Back with FWB = 0; stage-1 attributes with
   * FWB = 1). Ignored when `noTagAccess` is set.
   */
  memAttr?: number;
  /**
   * FEAT_MTE_PERM: Normal Write-Back memory where every tag access (an enabled tag check, a tag read, a tag write) of
   * stage-1 Tagged memory is a stage-2 Permission fault with ISS2.TagAccess, taken to EL2. The MemAttr encoding
   * depends on HCR_EL2.FWB: 0b0100 without `fwb`, 0b1110 with `fwb: true`.
   */
  noTagAccess?: boolean;
  /** The descriptor is for HCR_EL2.FWB = 1 (only changes the `noTagAccess` encoding). */
  fwb?: boolean;
  /** S2AP[1:0]: bit 0 read, bit 1 write; default 3 (read/write). */
  s2ap?: number;
  /** SH[1:0]; default 3. */
  sh?: number;
  af?: boolean;
  xn?: boolean;
}

function s2LeafBits(o: S2LeafOptions): bigint {
  const memAttr = o.noTagAccess ? (o.fwb ? S2MemAttr.FwbNoTagAccessWB : S2MemAttr.NoTagAccess) : (o.memAttr ?? 0xf);
  let d = Desc.Valid | (BigInt(memAttr & 0xf) << Desc.S2MemAttrShift) | (BigInt(o.s2ap ?? 3) << 6n) |
    (BigInt(o.sh ?? 3) << Desc.ShShift);
  if (o.af ?? true) d |= Desc.Af;
  if (o.xn) d |= Desc.Xn;
  return d;
}

/** A stage-2 level-3 page descriptor. */
export function s2PageDesc(oa: bigint | number, o: S2LeafOptions = {}): bigint {
  return BigInt(oa) | s2LeafBits(o) | Desc.Page;
}

/** A stage-2 block descriptor. */
export function s2BlockDesc(oa: bigint | number, o: S2LeafOptions = {}): bigint {
  return BigInt(oa) | s2LeafBits(o);
}
