/**
 * Register layouts of the ITS (IHI 0069 §12.19) and of the redistributors' LPI registers (GICR_PROPBASER,
 * GICR_PENDBASER), with the values and sanitising KVM applies: its ITS reports 16 DeviceID and 16 EventID bits,
 * 8-byte table entries (its save/restore ABI 0), PTA = 0 (collections target a vCPU index), no CIL (16-bit
 * collection IDs), 64 KiB table pages only; cacheability and shareability fields are sanitised as KVM does
 * (no Outer Shareable, no inner Non-cacheable).
 */
import { iidr } from './constants.js';

/** ITS control frame offsets (frame 0); GITS_TRANSLATER is in the second 64 KiB frame. */
export const GITS = {
  CTLR: 0x0000,
  IIDR: 0x0004,
  TYPER: 0x0008,
  CBASER: 0x0080,
  CWRITER: 0x0088,
  CREADR: 0x0090,
  BASER: 0x0100,
  /** PIDR4..CIDR3, 0xFFD0..0xFFFC. */
  IDREGS: 0xffd0,
  PIDR2: 0xffe8,
  TRANSLATER: 0x1_0040,
} as const;
/** The ITS's two 64 KiB frames (KVM_VGIC_V3_ITS_SIZE). */
export const GITS_FRAME_SIZE = 0x2_0000;
/** GITS_BASER<n>: eight registers, 0x100..0x13F. */
export const GITS_BASER_COUNT = 8;

/** GITS_CTLR.Enabled (bit 0) and Quiescent (bit 31). */
export const GITS_CTLR_ENABLED = 1;
export const GITS_CTLR_QUIESCENT = 0x8000_0000;

/** DeviceID and EventID bits of KVM's ITS (VITS_TYPER_DEVBITS, VITS_TYPER_IDBITS). */
export const ITS_DEVICE_ID_BITS = 16;
export const ITS_EVENT_ID_BITS = 16;
/** Collection IDs: 16 bits (GITS_TYPER.CIL = 0). */
export const ITS_COLLECTION_ID_BITS = 16;
/** Table entry size of save/restore ABI 0: 8 bytes for device, collection and translation tables. */
export const ITS_ABI0_ENTRY_SIZE = 8;
/** The save/restore ABI revisions KVM knows: 0 only (GITS_IIDR.Revision). */
export const ITS_ABI_REVISIONS = 1;

/** GITS_TYPER as KVM reports it: PLPIS, ITT_entry_size - 1, ID_bits - 1, Devbits - 1; PTA, CIL, VLPIS 0. */
export const GITS_TYPER_VALUE = 1n | (BigInt(ITS_ABI0_ENTRY_SIZE - 1) << 4n) | (BigInt(ITS_EVENT_ID_BITS - 1) << 8n) |
  (BigInt(ITS_DEVICE_ID_BITS - 1) << 13n);

/** GITS_IIDR: KVM's ProductID and Implementer with the table ABI revision in Revision [15:12]. */
export function gitsIidr(abiRevision: number): number {
  return iidr(abiRevision);
}
/** GITS_IIDR.Revision of a written IIDR value. */
export const gitsIidrRevision = (value: number): number => (value >>> 12) & 0xf;

/** The ITS identification registers KVM reports (PIDR0-2, PIDR4, CIDR0-3), by frame offset. */
export const GITS_IDREG_VALUES: ReadonlyMap<number, number> = new Map([
  [0xffe0, 0x92], [0xffe4, 0xb4], [0xffe8, 0x3b], [0xffd0, 0x40],
  [0xfff0, 0x0d], [0xfff4, 0xf0], [0xfff8, 0x05], [0xfffc, 0xb1],
]);

/** GITS_BASER<n> fields. */
export const BASER = {
  VALID: 1n << 63n,
  INDIRECT: 1n << 62n,
  TYPE_SHIFT: 56n,
  ENTRY_SIZE_SHIFT: 48n,
  /** Read-only: Type [58:56] and Entry_Size [52:48]. */
  RO_MASK: (0x7n << 56n) | (0x1fn << 48n),
  PAGE_SIZE_MASK: 0x3n << 8n,
  PAGE_SIZE_64K: 0x2n << 8n,
  TYPE_DEVICE: 1n,
  TYPE_COLLECTION: 4n,
} as const;

/** GIC_BASER cacheability and shareability encodings (IHI 0069 GITS_BASER, GICR_PROPBASER). */
const CACHE_nCnB = 0n;
const CACHE_nC = 1n;
const CACHE_RaWb = 3n;
const CACHE_SAME_AS_INNER = 0n;
const INNER_SHAREABLE = 1n;
const OUTER_SHAREABLE = 2n;

type Sanitise = (field: bigint) => bigint;
/** No Outer Shareable: Inner Shareable instead. */
const shareability: Sanitise = (f) => (f === OUTER_SHAREABLE ? INNER_SHAREABLE : f);
/** No inner non-cacheable mapping: RaWb instead. */
const innerCache: Sanitise = (f) => (f === CACHE_nCnB || f === CACHE_nC ? CACHE_RaWb : f);
/** Outer: Non-cacheable or same as inner; anything else becomes same as inner. */
const outerCache: Sanitise = (f) => (f === CACHE_SAME_AS_INNER || f === CACHE_nC ? f : CACHE_SAME_AS_INNER);

function field(reg: bigint, shift: bigint, bits: bigint, fn: Sanitise): bigint {
  const mask = ((1n << bits) - 1n) << shift;
  return (reg & ~mask) | (fn((reg & mask) >> shift) << shift);
}

/** The GITS_BASER/GITS_CBASER layout: InnerCache [61:59], OuterCache [55:53], Shareability [11:10]. */
function sanitiseItsAttrs(reg: bigint): bigint {
  return field(field(field(reg, 10n, 2n, shareability), 59n, 3n, innerCache), 53n, 3n, outerCache);
}

/** The GICR_PROPBASER/PENDBASER layout: Shareability [11:10], InnerCache [9:7], OuterCache [58:56]. */
function sanitiseRdAttrs(reg: bigint): bigint {
  return field(field(field(reg, 10n, 2n, shareability), 7n, 3n, innerCache), 56n, 3n, outerCache);
}

/** A GITS_BASER<n> value as written, made KVM's: attributes sanitised, 64 KiB pages. */
export function sanitiseBaser(reg: bigint): bigint {
  return (sanitiseItsAttrs(reg) & ~BASER.PAGE_SIZE_MASK) | BASER.PAGE_SIZE_64K;
}

/** A GITS_CBASER value as written, made KVM's: attributes sanitised, the address 64 KiB aligned. */
export function sanitiseCbaser(reg: bigint): bigint {
  return sanitiseItsAttrs(reg) & ~(0xfn << 12n);
}

/** GITS_BASER's reset value (KVM's INITIAL_BASER_VALUE) for a table of `type` with 8-byte entries. */
export function initialBaser(type: bigint): bigint {
  return (CACHE_RaWb << 59n) | (type << BASER.TYPE_SHIFT) | (BigInt(ITS_ABI0_ENTRY_SIZE - 1) << BASER.ENTRY_SIZE_SHIFT) |
    (INNER_SHAREABLE << 10n) | BASER.PAGE_SIZE_64K;
}

/** The table's base address: PA [47:16] and, with 64 KiB pages, PA [51:48] from bits [15:12]. */
export function baserAddress(reg: bigint): bigint {
  return (reg & 0xffff_ffff_0000n) | ((reg & 0xf000n) << 36n);
}

/** The table's size in bytes: (Size + 1) 64 KiB pages. */
export function baserBytes(reg: bigint): number {
  return (Number(reg & 0xffn) + 1) * 0x1_0000;
}

/** GITS_CBASER.Valid (bit 63), the queue's address (PA [51:12]) and size ((Size + 1) 4 KiB pages). */
export const CBASER_VALID = 1n << 63n;
export const cbaserAddress = (reg: bigint): bigint => reg & 0x000f_ffff_ffff_f000n;
export const cbaserBytes = (reg: bigint): number => (Number(reg & 0xffn) + 1) * 0x1000;
/** GITS_CWRITER/CREADR offset field [19:5]. */
export const cmdOffset = (reg: bigint): number => Number(reg & 0xf_ffe0n);
/** The target of a collection MAPTI created before any MAPC (KVM's COLLECTION_NOT_MAPPED). */
export const COLLECTION_NOT_MAPPED = 0xffff_ffff;
/** The most translations (ITEs) one ITS holds; a MAPTI beyond fails (ignored, as KVM's out-of-memory). */
export const MAX_ITES = 0x1_0000;
/** One ITS command: 32 bytes. */
export const ITS_CMD_SIZE = 32;

/** GICR_CTLR.EnableLPIs (bit 0). */
export const GICR_CTLR_ENABLE_LPIS = 1;
/** GICR_TYPER.PLPIS (bit 0). */
export const GICR_TYPER_PLPIS = 1;
/** GICD_TYPER.LPIS (bit 17). */
export const GICD_TYPER_LPIS = 1 << 17;
/** GICR_PENDBASER.PTZ (bit 62): the pending table is zero (reads as 0). */
export const PENDBASER_PTZ = 1n << 62n;

/** KVM's reset GICR_PROPBASER (INITIAL_PROPBASER_VALUE): inner RaWb, Inner Shareable. */
export const INITIAL_PROPBASER = (CACHE_RaWb << 7n) | (INNER_SHAREABLE << 10n);

const PROPBASER_RES0 = (0x1fn << 59n) | (0xfn << 52n) | (0x3n << 5n);
const PENDBASER_RES0 = (1n << 63n) | (0x7n << 59n) | (0xfn << 52n) | (0xfn << 12n) | 0x7fn;

/** A GICR_PROPBASER value as written, made KVM's (attributes sanitised, RES0 fields cleared). */
export function sanitisePropbaser(reg: bigint): bigint {
  return sanitiseRdAttrs(reg) & ~PROPBASER_RES0;
}

/** A GICR_PENDBASER value as written, made KVM's. */
export function sanitisePendbaser(reg: bigint): bigint {
  return sanitiseRdAttrs(reg) & ~PENDBASER_RES0;
}

/** The LPI configuration table's address (GICR_PROPBASER PA [51:12]). */
export const propbaserAddress = (reg: bigint): bigint => reg & 0x000f_ffff_ffff_f000n;
/** The LPI pending table's address (GICR_PENDBASER PA [51:16]). */
export const pendbaserAddress = (reg: bigint): bigint => reg & 0x000f_ffff_ffff_0000n;

/** Replace the 32-bit half of 64-bit register `reg` at byte offset `offset & 4` with `value` (update_64bit_reg). */
export function updateHalf(reg: bigint, offset: number, value: number): bigint {
  const shift = (offset & 4) !== 0 ? 32n : 0n;
  return (reg & ~(0xffff_ffffn << shift)) | (BigInt(value >>> 0) << shift);
}

/** The 32-bit half of `reg` at byte offset `offset & 4`. */
export function half(reg: bigint, offset: number): number {
  return Number((reg >> ((offset & 4) !== 0 ? 32n : 0n)) & 0xffff_ffffn);
}
