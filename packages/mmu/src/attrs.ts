/**
 * Memory attributes: decoding MAIR_EL1 bytes (stage 1) and stage-2 MemAttr fields, and combining the two stages.
 *
 * An attribute value is one Number:
 *   bits [7:0]   a canonical MAIR-format byte: Device `0b0000_dd00`, or Normal `oooo_iiii` where each nibble is
 *                0x4 (Non-cacheable), 0xB (Write-Through) or 0xF (Write-Back). Allocation and transient hints are not
 *                modelled (they change no behaviour here) and are normalised away.
 *   bit  8       Tagged: stage 1 said Tagged Normal (MAIR 0xF0) and the combination with stage 2 kept it.
 *   bits [10:9]  shareability, in the descriptor SH encoding (0 Non-shareable, 2 Outer, 3 Inner).
 *   bit  11      NoTagAccess (FEAT_MTE_PERM): stage 1 said Tagged Normal and stage 2 kept the memory Normal Write-Back
 *                but marked it NoTagAccess. Tagged is then clear: the data is ordinary Normal WB memory, and any tag
 *                access (a tag check that is enabled, a tag read or a tag write) is a stage-2 Permission fault.
 */

export const MemAttr = {
  DeviceNGnRnE: 0x00,
  DeviceNGnRE: 0x04,
  DeviceNGRE: 0x08,
  DeviceGRE: 0x0c,
  /** Normal, Inner and Outer Non-cacheable. */
  NormalNC: 0x44,
  /** Normal, Inner and Outer Write-Through. */
  NormalWT: 0xbb,
  /** Normal, Inner and Outer Write-Back. */
  NormalWB: 0xff,
  /** Flag: Allocation-Tagged (MTE). */
  Tagged: 0x100,
  /** Flag: stage 1 Tagged, stage 2 NoTagAccess (FEAT_MTE_PERM); Tagged is clear when this is set. */
  NoTagAccess: 0x800,
  /** Shareability field shift and values. */
  ShShift: 9,
  ShNon: 0,
  ShOuter: 2,
  ShInner: 3,
} as const;

const SH_MASK = 3 << MemAttr.ShShift;
const OUTER_SHAREABLE = MemAttr.ShOuter << MemAttr.ShShift;

/** Cacheability class of a Normal nibble: 1 NC, 2 WT, 3 WB. */
const NIBBLE_OF_CLASS = [0, 0x4, 0xb, 0xf] as const;

/** Cacheability class (1 NC, 2 WT, 3 WB) of a raw MAIR Normal nibble (non-zero). */
function nibbleClass(n: number): number {
  if (n === 0x4) return 1; // Non-cacheable
  switch (n >> 2) {
    case 0: return 2; // 0b00RW, RW != 00: Write-Through transient
    case 1: return 3; // 0b01RW, RW != 00: Write-Back transient
    case 2: return 2; // 0b10RW: Write-Through non-transient
    default: return 3; // 0b11RW: Write-Back non-transient
  }
}

/** Canonical class (1 NC, 2 WT, 3 WB) of a canonical nibble. */
function classOf(nibble: number): number {
  return nibble === 0xf ? 3 : nibble === 0xb ? 2 : 1;
}

/**
 * Decode one MAIR_ELx attribute byte. Device bytes keep their `dd` field (the FEAT_XS low bits are ignored);
 * 0xF0 is Tagged Normal Write-Back (FEAT_MTE2). Other bytes with a zero inner nibble and a non-zero outer nibble are
 * reserved (CONSTRAINED UNPREDICTABLE): they decode with the inner cacheability equal to the outer one, which is
 * also what FEAT_XS gives 0x40 (Non-cacheable) and 0xA0 (Write-Through).
 */
export function decodeMair(byte: number): number {
  const o = (byte >> 4) & 0xf;
  const i = byte & 0xf;
  if (o === 0) return byte & 0x0c;
  if (i === 0) {
    if (o === 0xf) return MemAttr.NormalWB | MemAttr.Tagged;
    const n = NIBBLE_OF_CLASS[nibbleClass(o)]!;
    return (n << 4) | n;
  }
  return (NIBBLE_OF_CLASS[nibbleClass(o)]! << 4) | NIBBLE_OF_CLASS[nibbleClass(i)]!;
}

/** The attribute byte for AttrIndx `index` (0-7) of a MAIR_EL1 value, decoded. */
export function mairAttr(mair: bigint, index: number): number {
  return decodeMair(Number((mair >> BigInt(8 * index)) & 0xffn));
}

/** Add the shareability of a stage-1 descriptor: Device and all-Non-cacheable Normal memory are Outer Shareable. */
export function withShareability(attr: number, sh: number): number {
  const a = attr & ~SH_MASK;
  if (isDevice(a) || (a & 0xff) === MemAttr.NormalNC) return a | OUTER_SHAREABLE;
  return a | ((sh & 3) << MemAttr.ShShift);
}

export function isDevice(attr: number): boolean {
  return (attr & 0xf0) === 0;
}

/** Normal memory, Inner Write-Back and Outer Write-Back cacheable (the condition MTE tag storage needs). */
export function isNormalWriteBack(attr: number): boolean {
  return (attr & 0xff) === 0xff;
}

export function isTagged(attr: number): boolean {
  return (attr & MemAttr.Tagged) !== 0;
}

/** Stage 1 Tagged, stage 2 NoTagAccess (FEAT_MTE_PERM): tag accesses to this memory are stage-2 Permission faults. */
export function isNoTagAccess(attr: number): boolean {
  return (attr & MemAttr.NoTagAccess) !== 0;
}

/**
 * Whether a stage-2 MemAttr[3:0] field is a FEAT_MTE_PERM NoTagAccess encoding: 0b0100 with HCR_EL2.FWB = 0
 * ("Normal, NoTagAccess, Write-Back"); 0b1110 (forced Write-Back) and 0b1111 (stage-1 attributes) with FWB = 1.
 */
export function isS2NoTagAccess(s2MemAttr: number, fwb: boolean): boolean {
  return fwb ? (s2MemAttr & 0xe) === 0xe : (s2MemAttr & 0xf) === 0b0100;
}

/** Shareability field (0 Non-shareable, 2 Outer, 3 Inner). */
export function shareability(attr: number): number {
  return (attr >> MemAttr.ShShift) & 3;
}

/** The canonical MAIR-format byte (what PAR_EL1.ATTR would report). */
export function attrByte(attr: number): number {
  return attr & 0xff;
}

function shareCombine(a: number, b: number): number {
  // Outer beats Inner beats Non-shareable.
  if (a === 2 || b === 2) return 2;
  if (a === 3 || b === 3) return 3;
  return 0;
}

function finish(byte: number, sh: number, tagged: boolean, noTagAccess = false): number {
  let a = byte;
  if (tagged && (byte & 0xff) === 0xff) a |= noTagAccess ? MemAttr.NoTagAccess : MemAttr.Tagged;
  return withShareability(a, sh);
}

/** Device combination: the more restrictive (lower dd) wins. */
function deviceMin(a: number, b: number): number {
  return Math.min(a & 0x0c, b & 0x0c);
}

/**
 * Decode a stage-2 MemAttr[3:0] field with HCR_EL2.FWB = 0 into an attribute value (no shareability).
 * 0b00dd is Device; 0b0100 is Normal Write-Back with NoTagAccess (FEAT_MTE_PERM, which the MMU implements; see
 * {@link isS2NoTagAccess}); otherwise MemAttr[3:2] is the outer and MemAttr[1:0] the inner cacheability (01 NC,
 * 10 WT, 11 WB). Another inner field of 00 is reserved and decodes as Non-cacheable.
 */
export function decodeS2MemAttr(memAttr: number): number {
  const outer = (memAttr >> 2) & 3;
  if (outer === 0) return (memAttr & 3) << 2;
  if ((memAttr & 0xf) === 0b0100) return MemAttr.NormalWB;
  const inner = memAttr & 3;
  return (NIBBLE_OF_CLASS[outer]! << 4) | NIBBLE_OF_CLASS[inner === 0 ? 1 : inner]!;
}

/**
 * Combine stage-1 attributes with a stage-2 descriptor's MemAttr[3:0] and SH[1:0].
 *
 * FWB = 0: Device wins over Normal (the more restrictive Device type wins between two Device types); for Normal,
 * each of inner and outer takes the less cacheable of the two (NC < WT < WB).
 * FWB = 1 (FEAT_S2FWB): MemAttr[2] = 0 forces Device (combined with a stage-1 Device type); 0b111 uses the stage-1
 * attributes; 0b110 forces Normal Write-Back; 0b101 forces Non-cacheable unless stage 1 is Device. 0b100 is reserved
 * and is treated like 0b111. MemAttr[3] is ignored except that, with FEAT_MTE_PERM, 0b1110 and 0b1111 are 0b110 and
 * 0b111 with NoTagAccess.
 *
 * Tagged survives only when stage 1 was Tagged and the result is Normal Inner and Outer Write-Back. When the stage-2
 * encoding is NoTagAccess ({@link isS2NoTagAccess}) such a result has NoTagAccess instead of Tagged.
 */
export function combineS1S2(s1: number, s2MemAttr: number, s2Sh: number, fwb: boolean): number {
  const tagged = isTagged(s1);
  const nta = isS2NoTagAccess(s2MemAttr, fwb);
  const sh = shareCombine(shareability(s1), s2Sh & 3);
  const s1Dev = isDevice(s1);
  if (fwb) {
    const m = s2MemAttr & 7;
    if ((m & 4) === 0) {
      const dd = (m & 3) << 2;
      return finish(s1Dev ? deviceMin(s1, dd) : dd, sh, false);
    }
    switch (m & 3) {
      case 2: return finish(MemAttr.NormalWB, sh, tagged, nta);
      case 1: return s1Dev ? finish(s1 & 0xff, sh, false) : finish(MemAttr.NormalNC, sh, false);
      default: return finish(s1 & 0xff, sh, tagged, nta);
    }
  }
  const s2 = decodeS2MemAttr(s2MemAttr);
  if (s1Dev || isDevice(s2)) {
    const dd = s1Dev && isDevice(s2) ? deviceMin(s1, s2) : s1Dev ? s1 & 0x0c : s2 & 0x0c;
    return finish(dd, sh, false);
  }
  const outer = Math.min(classOf((s1 >> 4) & 0xf), classOf((s2 >> 4) & 0xf));
  const inner = Math.min(classOf(s1 & 0xf), classOf(s2 & 0xf));
  return finish((NIBBLE_OF_CLASS[outer]! << 4) | NIBBLE_OF_CLASS[inner]!, sh, tagged, nta);
}

/** A readable form, for debugging and test messages: "Device-nGnRnE", "Normal-WB/WB tagged OSH". */
export function attrToString(attr: number): string {
  const sh = ['NSH', '?', 'OSH', 'ISH'][shareability(attr)]!;
  if (isDevice(attr)) return `Device-${['nGnRnE', 'nGnRE', 'nGRE', 'GRE'][(attr >> 2) & 3]!} ${sh}`;
  const name = (n: number): string => (n === 0xf ? 'WB' : n === 0xb ? 'WT' : 'NC');
  const tag = isTagged(attr) ? ' tagged' : isNoTagAccess(attr) ? ' notagaccess' : '';
  return `Normal-${name((attr >> 4) & 0xf)}/${name(attr & 0xf)}${tag} ${sh}`;
}
