/**
 * The translation table walks of the EL1&0 regime, stage 1 and stage 2 (VMSAv8-64, 4 KiB, 16 KiB and 64 KiB granules,
 * 48-bit addresses), and what they need: the translation controls, loaded from the CPU's system registers by
 * {@link Walker.load}, and the stage-2 walk cache (mmu.ts's header comment says when it is dropped). `resolve`
 * translates one access, checks it in the architecture's priority order and throws the fault the architecture
 * reports, or leaves the result in its `r*` fields, which the MMU (mmu.ts) reads and caches in its TLB. No TLB here.
 */
import { Acc, Fsc, mteLevel, SysReg, type Cpu, type MemoryFault } from '@kvm-mte/aarch64-cpu';
import { combineS1S2, decodeMair, isDevice, isS2NoTagAccess, MemAttr, withShareability } from './attrs.js';
import { blockAllowed, decodePs, granuleFromTg0, granuleFromTg1, type GranuleBits } from './descriptors.js';
import { accessNeed, Hcr, ISS2_TAG_ACCESS, isUnprivileged, isWnr, memoryFault, Perm } from './access.js';
import type { PhysRegion } from './ports.js';

const TWO32 = 4294967296;
const PAGE = 4096;

const W = Acc.Write;
const F = Acc.Fetch;
const RW = Acc.ReadWrite;
const CM = Acc.CacheMaint;

/** How an access touches allocation tags, for the NoTagAccess check in resolve(). */
export const TagUse = {
  None: 0,
  /** A data access whose tag check is enabled. */
  Check: 1,
  /** A tag read or write (LDG, STG, ...). */
  Access: 2,
} as const;
const NO_TAGS = MemAttr.Tagged | MemAttr.NoTagAccess;

const ALL_RWX = 63;
const READS = Perm.ReadEl1 | Perm.ReadEl0;
const WRITES = Perm.WriteEl1 | Perm.WriteEl0;
const EXECS = Perm.ExecEl1 | Perm.ExecEl0;

const OSH = MemAttr.ShOuter << MemAttr.ShShift;
const ATTR_DEVICE = MemAttr.DeviceNGnRnE | OSH;

/** Entries of the stage-2 walk cache (a power of two). */
const S2C_ENTRIES = 1024;
/** The HCR_EL2 bits whose change drops the stage-2 walk cache: VM, PTW, DC (bits 0, 2, 12). FWB is kept apart. */
const HCR_S2_LO = 0x1005;

/**
 * 2^k - 1 as an int32 mask, for k in 0..32 (-1 for 32). The walks take bit fields of addresses up to 52 bits with
 * these instead of `Math.floor(x / 2 ** lsb) % 2 ** n`: V8 computes a variable `2 **` and a float `%` by calling
 * out, which was a third of a Linux boot's walk time.
 */
const LOW_MASK = Array.from({ length: 33 }, (_, k) => (k === 32 ? -1 : (2 ** k - 1) | 0));
/** 2^k for k in 0..63. */
const POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** k);

/** Bits [n-1:0] of `x`, a non-negative integer below 2^53; n at most 52. */
function lowBits(x: number, n: number): number {
  const lo = x >>> 0; // (ToUint32: x modulo 2^32)
  if (n <= 32) return (lo & LOW_MASK[n]!) >>> 0;
  return (Math.floor(x / TWO32) & LOW_MASK[n - 32]!) * TWO32 + lo;
}

/** Bits [lsb+n-1:lsb] of `x`, a non-negative integer below 2^53; n at most 32. */
function bitField(x: number, lsb: number, n: number): number {
  const hi = Math.floor(x / TWO32);
  const lo = x >>> 0;
  const v = lsb >= 32 ? hi >>> (lsb - 32) : lsb === 0 ? lo : (lo >>> lsb) | (hi << (32 - lsb));
  return (v & LOW_MASK[n]!) >>> 0;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The MMU's counters the walks count in (Mmu.stats). */
export interface WalkStats {
  walks: number;
  s2Walks: number;
  s2Hits: number;
  s2Flushes: number;
}

/** The walks, their controls, the stage-2 walk cache and the last translation (see the file comment). */
export class Walker {
  // ---- translation controls, loaded by load() (the MMU reads tbiMask, tcrLo and tcrHi) ----
  private s1On = false;
  private s2On = false;
  private wxn = 0;
  private icache = 0;
  /** TBI applies: bit 0 data TTBR0 half, bit 1 data TTBR1 half, bit 2 fetch TTBR0 half, bit 3 fetch TTBR1 half. */
  tbiMask = 0;
  tcrLo = 0;
  tcrHi = 0;
  private mairLo = 0;
  private mairHi = 0;
  private ttbr0 = 0;
  private ttbr1 = 0;
  private dc = 0;
  private ptw = 0;
  private fwb = false;
  private vtcr = 0;
  private vttbr = 0;
  private paMax = 48;
  /** FEAT_MTE2 (tag storage exists): otherwise no memory is Tagged. */
  private mte2 = false;
  /**
   * TCR_EL1.E0PD0 (bit 0) and E0PD1 (bit 1) with FEAT_E0PD: unprivileged accesses to that half of the address space
   * take a level 0 Translation fault (walkS1), whatever the TLB holds; 0 without the feature.
   */
  private e0pd = 0;

  // ---- the stage-2 walk cache: direct mapped, indexed by IPA[47:12] (mmu.ts's header comment) ----
  /** Whether the cache is used (the MMU's TLB is on). */
  private readonly s2cOn: boolean;
  /** IPA[47:12] of the entry. */
  private readonly s2cKey: Float64Array;
  /** The cache generation the entry belongs to: dropping the cache bumps `s2cGeneration`. */
  private readonly s2cGen: Int32Array;
  /** Output address of the entry's 4 KiB page. */
  private readonly s2cOut: Float64Array;
  /** Level [1:0], MemAttr [5:2], SH [7:6], S2AP [9:8], XN [10] of the leaf descriptor. */
  private readonly s2cInfo: Int32Array;
  private s2cGeneration = 1;
  /** A valid entry may come from a leaf larger than 4 KiB (a block, or a 16/64 KiB granule page). */
  s2cLarge = false;
  /** The stage-2 controls the cached walks were made with (load() drops the cache when one changes). */
  private s2cVtcr = -1n;
  private s2cVttbr = -1n;
  private s2cHcr = -1;
  private s2cPaMax = -1;

  // ---- outputs of resolve() (read by the MMU) and of the walkers (fields, so the slow path allocates little) ----
  rPa = 0;
  rIpa = 0;
  rAttr = 0;
  rDataAttr = 0;
  rS1Attr = 0;
  rPerm = 0;
  rLevel = 0;
  rS2Level = -1;
  /** The translation is global: stage 1 off, or a stage-1 leaf with nG 0 (walkS1's wGlobal). */
  rGlobal = true;
  private wOut = 0;
  private wLevel = 0;
  /** The stage-1 leaf's nG bit is 0. */
  private wGlobal = true;
  /** log2 of the bytes the stage-1 leaf walkS1 found maps (12 for a 4 KiB page). */
  private wLeafShift = 12;
  /** log2 of the bytes resolve()'s stage-1 translation maps as one leaf (12 with stage 1 off: a flat 4 KiB page). */
  rLeafShift = 12;
  private wPerm = 0;
  private wAttr = 0;
  private s2Out = 0;
  private s2Level = 0;
  private s2MemAttr = 0;
  private s2Sh = 0;
  private s2Ap = 0;
  private s2Xn = 0;
  private dLo = 0;
  private dHi = 0;

  /**
   * `regionFor`: the physical memory region holding [pa, pa + n) (descriptor reads); `cache`: whether the stage-2
   * walk cache is used (the MMU's TLB is on).
   */
  constructor(
    private readonly cpu: Cpu,
    private readonly stats: WalkStats,
    private readonly regionFor: (pa: number, n: number) => PhysRegion | undefined,
    cache: boolean,
  ) {
    this.s2cOn = cache;
    const s2n = cache ? S2C_ENTRIES : 1;
    this.s2cKey = new Float64Array(s2n).fill(-1);
    this.s2cGen = new Int32Array(s2n);
    this.s2cOut = new Float64Array(s2n);
    this.s2cInfo = new Int32Array(s2n);
  }

  /**
   * Load the translation controls from the CPU's system registers; drop the stage-2 walk cache when a control its
   * walks depend on changed.
   */
  load(): void {
    const s = this.cpu.sys;
    const sctlr = Number(s[SysReg.SCTLR_EL1]! & 0xffff_ffffn);
    const hcr = s[SysReg.HCR_EL2]!;
    const hcrLo = Number(hcr & 0xffff_ffffn);
    this.dc = (hcrLo >>> 12) & 1;
    this.ptw = (hcrLo >>> 2) & 1;
    this.fwb = (hcr & Hcr.FWB) !== 0n;
    this.s1On = (sctlr & 1) !== 0 && this.dc === 0;
    this.s2On = (hcrLo & 1) !== 0 || this.dc !== 0;
    this.icache = (sctlr >>> 12) & 1;
    this.wxn = (sctlr >>> 19) & 1;
    const tcr = s[SysReg.TCR_EL1]!;
    this.tcrLo = Number(tcr & 0xffff_ffffn);
    this.tcrHi = Number(tcr >> 32n);
    const tbi0 = (this.tcrHi >>> 5) & 1;
    const tbi1 = (this.tcrHi >>> 6) & 1;
    // TBID0/1 (TCR bits 51/52) exist with FEAT_PAuth: then TBI does not apply to instruction fetches.
    const isar1 = s[SysReg.ID_AA64ISAR1_EL1]!;
    const pauth = (isar1 & 0xff00_0ff0n) !== 0n; // APA, API, GPA, GPI
    const tbid0 = pauth ? (this.tcrHi >>> 19) & 1 : 0;
    const tbid1 = pauth ? (this.tcrHi >>> 20) & 1 : 0;
    this.tbiMask = tbi0 | (tbi1 << 1) | ((tbi0 & (tbid0 ^ 1)) << 2) | ((tbi1 & (tbid1 ^ 1)) << 3);
    const mair = s[SysReg.MAIR_EL1]!;
    this.mairLo = Number(mair & 0xffff_ffffn);
    this.mairHi = Number(mair >> 32n);
    this.ttbr0 = Number(s[SysReg.TTBR0_EL1]! & 0xffff_ffff_fffen);
    this.ttbr1 = Number(s[SysReg.TTBR1_EL1]! & 0xffff_ffff_fffen);
    this.vtcr = Number(s[SysReg.VTCR_EL2]! & 0xffff_ffffn);
    this.vttbr = Number(s[SysReg.VTTBR_EL2]! & 0xffff_ffff_fffen);
    // PARange from ID_AA64MMFR0_EL1; 52-bit (FEAT_LPA) is not modelled, so at most 48.
    this.paMax = Math.min(decodePs(Number(s[SysReg.ID_AA64MMFR0_EL1]! & 0xfn)), 48);
    this.mte2 = mteLevel(this.cpu) >= 2;
    // E0PD [63:60] of ID_AA64MMFR2_EL1; TCR_EL1.E0PD0/E0PD1 are bits 55 and 56.
    this.e0pd = (s[SysReg.ID_AA64MMFR2_EL1]! >> 60n) !== 0n ? (this.tcrHi >>> 23) & 3 : 0;
    // The stage-2 walk cache holds walks made with these controls: any change drops it. VTTBR_EL2 is compared
    // whole (VMID included: entries are not tagged with it).
    const vtcr = s[SysReg.VTCR_EL2]!;
    const vttbr = s[SysReg.VTTBR_EL2]!;
    const hcrS2 = (hcrLo & HCR_S2_LO) | (this.fwb ? 2 : 0);
    if (vtcr !== this.s2cVtcr || vttbr !== this.s2cVttbr || hcrS2 !== this.s2cHcr || this.paMax !== this.s2cPaMax) {
      this.s2cVtcr = vtcr;
      this.s2cVttbr = vttbr;
      this.s2cHcr = hcrS2;
      this.s2cPaMax = this.paMax;
      this.dropS2Cache();
    }
  }

  /**
   * A TLBI may have changed stage 2: of IPA page number `page` (IPA[47:12]; IPAS2E1, IPAS2LE1), or of anything
   * (undefined). Drops the page's entry, or the whole cache when there is no page or an entry may come from a leaf
   * larger than 4 KiB (the TLBI removes every entry that translates the IPA, a block's other pages included).
   */
  stage2Invalidated(page: number | undefined): void {
    if (!this.s2cOn) return;
    if (page !== undefined && !this.s2cLarge) this.dropS2Entry(page);
    else this.dropS2Cache();
  }

  /** Drop the stage-2 walk cache's entry for IPA page number `page` (IPA[47:12]), if it holds that page. */
  dropS2Entry(page: number): void {
    const i = page % S2C_ENTRIES;
    if (this.s2cKey[i] === page) this.s2cKey[i] = -1;
  }

  /** Drop every entry of the stage-2 walk cache (O(1), a generation bump). */
  dropS2Cache(): void {
    this.stats.s2Flushes++;
    this.s2cLarge = false;
    if (++this.s2cGeneration === 0x7fff_ffff) {
      this.s2cGen.fill(0);
      this.s2cGeneration = 1;
    }
  }

  resolve(va: bigint, flags: number, unaligned: boolean, dczva: boolean, s1Only = false,
    tagUse: number = TagUse.None): void {
    this.stats.walks++;
    const fetch = (flags & F) !== 0;
    const hi = Number(va >> 32n);
    const lo = Number(va & 0xffff_ffffn);
    const b55 = (hi >>> 23) & 1;
    const tbi = ((this.tbiMask >> ((fetch ? 2 : 0) + b55)) & 1) !== 0;
    const need = accessNeed(this.cpu, flags);
    let s1Attr: number;
    let s1DataAttr: number;
    let s1Perm: number;
    let ipa: number;
    let level: number;
    if (!this.s1On) {
      // Stage 1 disabled: flat map, VA[top:PAMax] must be zero (top is 55 with TBI).
      const va48 = (hi & 0xffff) * TWO32 + lo;
      if ((tbi ? (hi & 0x00ff_0000) !== 0 : hi >= 0x1_0000) || va48 >= 2 ** this.paMax) {
        throw memoryFault(1, Fsc.AddressSize, va, flags);
      }
      ipa = va48;
      if (this.dc !== 0) {
        // HCR_EL2.DC: Normal, Inner/Outer Write-Back, Non-shareable, for data and instructions.
        s1DataAttr = s1Attr = MemAttr.NormalWB;
      } else {
        s1DataAttr = ATTR_DEVICE;
        s1Attr = fetch ? (this.icache !== 0 ? MemAttr.NormalWT : MemAttr.NormalNC) | OSH : ATTR_DEVICE;
      }
      s1Perm = ALL_RWX | Perm.PanOk;
      level = 0;
      this.rLeafShift = 12;
      this.rGlobal = true;
    } else {
      this.walkS1(va, hi, lo, b55, tbi, flags);
      ipa = this.wOut;
      s1Attr = s1DataAttr = this.wAttr;
      s1Perm = this.wPerm;
      level = this.wLevel;
      this.rLeafShift = this.wLeafShift;
      this.rGlobal = this.wGlobal;
      // A fetch from Device memory that is not execute-never: CONSTRAINED UNPREDICTABLE; modelled as Normal NC.
      if (fetch && isDevice(s1Attr)) s1Attr = MemAttr.NormalNC | OSH;
    }
    const typeAligned = !fetch && (unaligned || dczva) && (flags & CM) === 0;
    if (typeAligned && isDevice(s1DataAttr)) throw memoryFault(1, Fsc.Alignment, va, flags);
    if ((s1Perm & need) !== need) throw this.permissionFault(1, level, va, flags, s1Perm, need, 0);

    let pa = ipa;
    let attr = s1Attr;
    let dataAttr = s1DataAttr;
    let s2Mask = 0xff;
    let s2Level = -1;
    if (this.s2On && !s1Only) {
      this.walkS2(ipa, va, flags, false);
      pa = this.s2Out;
      s2Level = this.s2Level;
      attr = combineS1S2(s1Attr, this.s2MemAttr, this.s2Sh, this.fwb);
      dataAttr = fetch ? combineS1S2(s1DataAttr, this.s2MemAttr, this.s2Sh, this.fwb) : attr;
      // Device memory from the stage-2 attributes: a stage-2 Alignment fault (the stage-1 check above covers
      // stage-1 Device memory).
      if (typeAligned && isDevice(dataAttr)) throw memoryFault(2, Fsc.Alignment, va, flags, ipa);
      const r = this.s2Ap & 1;
      const w = this.s2Ap >> 1;
      s2Mask = (r !== 0 ? READS : 0) | (w !== 0 ? WRITES : 0) | (this.s2Xn === 0 ? EXECS : 0) | Perm.PanOk | Perm.Normal;
      let fail: boolean;
      let write = isWnr(flags);
      if (fetch) fail = this.s2Xn !== 0;
      else if ((flags & CM) !== 0 && this.cpu.el !== 0) fail = false; // DC by VA at EL1: no stage-2 permission fault
      else if ((flags & RW) !== 0) {
        fail = r === 0 || w === 0;
        write = r !== 0;
      } else if ((flags & W) !== 0) fail = w === 0;
      else fail = r === 0;
      if (fail) throw memoryFault(2, Fsc.Permission + s2Level, va, flags, ipa, false, write);
      // NoTagAccess: only for stage-1 Tagged memory; WnR is set only for a tag write (a checked store reports 0).
      if (tagUse !== TagUse.None && this.mte2 && (s1DataAttr & MemAttr.Tagged) !== 0 &&
        isS2NoTagAccess(this.s2MemAttr, this.fwb)) {
        throw memoryFault(2, Fsc.Permission + s2Level, va, flags, ipa, false,
          tagUse === TagUse.Access && (flags & W) !== 0, ISS2_TAG_ACCESS);
      }
    }
    if (!this.mte2) {
      // Without FEAT_MTE2 there is no tag storage: nothing is Tagged (S2MemTagType/S1DecodeMemAttrs).
      attr &= ~NO_TAGS;
      dataAttr &= ~NO_TAGS;
      s1Attr &= ~NO_TAGS;
    }
    this.rPa = pa;
    this.rIpa = ipa;
    this.rAttr = attr;
    this.rDataAttr = dataAttr;
    this.rS1Attr = s1Attr;
    this.rPerm = (s1Perm & s2Mask & ALL_RWX) | (s1Perm & Perm.PanOk) | (isDevice(dataAttr) ? 0 : Perm.Normal);
    this.rLevel = level;
    this.rS2Level = s2Level;
  }

  /** A permission fault; for a read-modify-write access WnR says whether the read was allowed. */
  private permissionFault(stage: 1 | 2, level: number, va: bigint, flags: number, perm: number, need: number,
    ipa: number): MemoryFault {
    let write = isWnr(flags);
    if ((flags & RW) !== 0) {
      const readNeed = need & ~WRITES;
      write = (perm & readNeed) === readNeed;
    }
    return memoryFault(stage, Fsc.Permission + level, va, flags, ipa, false, write);
  }

  /** Read the 64-bit descriptor at `pa` into dLo/dHi; no memory there is a synchronous external abort on the walk. */
  private readDesc(pa: number, stage: 1 | 2, level: number, va: bigint, flags: number, ipa: number,
    s1ptw: boolean): void {
    const r = this.regionFor(pa, 8);
    if (r === undefined) {
      throw memoryFault(stage, Fsc.SyncExternalOnWalk + level, va, flags, ipa, s1ptw, s1ptw ? false : isWnr(flags));
    }
    const o = pa - r.base;
    this.dLo = r.view.getUint32(o, true);
    this.dHi = r.view.getUint32(o + 4, true);
  }

  /** Read a stage-1 descriptor at IPA `ipa`: through stage 2 when it is enabled (faults there have S1PTW set). */
  private readDescS1(ipa: number, level: number, va: bigint, flags: number): void {
    let pa = ipa;
    if (this.s2On) {
      this.walkS2(ipa, va, flags, true);
      const device = this.fwb ? (this.s2MemAttr & 4) === 0 : (this.s2MemAttr & 0xc) === 0;
      // The walk is a read: it needs stage-2 read permission; HCR_EL2.PTW makes walks to stage-2 Device faults.
      if ((this.s2Ap & 1) === 0 || (this.ptw !== 0 && device)) {
        throw memoryFault(2, Fsc.Permission + this.s2Level, va, flags, ipa, true, false);
      }
      pa = this.s2Out;
    }
    this.readDesc(pa, 1, level, va, flags, 0, false);
  }

  /** The stage-1 walk for the EL1&0 regime. Output in wOut/wLevel/wPerm/wAttr. */
  private walkS1(va: bigint, hi: number, lo: number, b55: number, tbi: boolean, flags: number): void {
    const tcr = this.tcrLo;
    let tsz: number;
    let epd: number;
    let granule: GranuleBits;
    let ttbr: number;
    if (b55 === 0) {
      tsz = tcr & 0x3f;
      epd = (tcr >>> 7) & 1;
      granule = granuleFromTg0((tcr >>> 14) & 3);
      ttbr = this.ttbr0;
    } else {
      tsz = (tcr >>> 16) & 0x3f;
      epd = (tcr >>> 23) & 1;
      granule = granuleFromTg1((tcr >>> 30) & 3);
      ttbr = this.ttbr1;
    }
    // T0SZ/T1SZ outside 16..39 (no FEAT_LVA, no FEAT_TTST): CONSTRAINED UNPREDICTABLE, modelled as the limit.
    const inputSize = 64 - clamp(tsz, 16, 39);
    // VA[top:inputSize] must all equal VA[55] (top is 55 with TBI, else 63); EPDx = 1 disables the walk.
    const width = (tbi ? 56 : 64) - inputSize;
    const ones = (1n << BigInt(width)) - 1n;
    const field = (va >> BigInt(inputSize)) & ones;
    if (field !== (b55 === 0 ? 0n : ones) || epd !== 0) throw memoryFault(1, Fsc.Translation, va, flags);
    // E0PDx = 1: an unprivileged access to this half is a level 0 Translation fault. Privileged walks leave the
    // EL0 permissions out of the result (below), so that no TLB entry lets an unprivileged access through.
    const e0pd = (this.e0pd >> b55) & 1;
    if (e0pd !== 0 && isUnprivileged(this.cpu, flags)) throw memoryFault(1, Fsc.Translation, va, flags);

    const outBits = Math.min(decodePs(this.tcrHi & 7), this.paMax);
    const stride = granule - 3;
    let level = 4 - Math.ceil((inputSize - granule) / stride);
    let lsb = granule + (3 - level) * stride;
    let nbits = inputSize - lsb;
    const va48 = (hi & 0xffff) * TWO32 + lo;
    let table = ttbr - lowBits(ttbr, Math.max(nbits + 3, 6));
    if (table >= POW2[outBits]!) throw memoryFault(1, Fsc.AddressSize, va, flags);
    let apTable = 0;
    let pxnTable = 0;
    let uxnTable = 0;
    for (;;) {
      const index = bitField(va48, lsb, nbits);
      this.readDescS1(table + index * 8, level, va, flags);
      const dlo = this.dLo;
      const dhi = this.dHi;
      if ((dlo & 1) === 0) throw memoryFault(1, Fsc.Translation + level, va, flags);
      const isTable = (dlo & 2) !== 0 && level < 3;
      if ((dlo & 2) === 0 && !blockAllowed(granule, level)) throw memoryFault(1, Fsc.Translation + level, va, flags);
      const shift = isTable ? granule : lsb;
      const desc = (dhi & 0xffff) * TWO32 + dlo;
      const oa = desc - lowBits(desc, shift);
      // OA bits above the configured size, or (64 KiB granule) OA[51:48] in bits [15:12]: Address size fault.
      if (oa >= POW2[outBits]! || (granule === 16 && ((dlo >>> 12) & 0xf) !== 0)) {
        throw memoryFault(1, Fsc.AddressSize + level, va, flags);
      }
      if (isTable) {
        apTable |= (dhi >>> 29) & 3;
        pxnTable |= (dhi >>> 27) & 1;
        uxnTable |= (dhi >>> 28) & 1;
        table = oa;
        level++;
        lsb -= stride;
        nbits = stride;
        continue;
      }
      if ((dlo & 0x400) === 0) throw memoryFault(1, Fsc.AccessFlag + level, va, flags);
      const ap = (dlo >>> 6) & 3;
      const readOnly = ((ap >> 1) | (apTable >> 1)) & 1;
      const el0 = ap & 1 & ~apTable;
      const uw = el0 & (readOnly ^ 1);
      const pw = readOnly ^ 1;
      let ux = (((dhi >>> 22) & 1) | uxnTable) ^ 1;
      // EL1 never executes from EL0-writable memory.
      let px = (((dhi >>> 21) & 1) | pxnTable | uw) ^ 1;
      if (this.wxn !== 0) {
        if (pw !== 0) px = 0;
        if (uw !== 0) ux = 0;
      }
      // PSTATE.PAN follows the descriptor's EL0 access (AP[1]) whatever E0PD says.
      const el0Perm = e0pd !== 0 ? 0 : (el0 !== 0 ? Perm.ReadEl0 : 0) | (uw !== 0 ? Perm.WriteEl0 : 0) |
        (ux !== 0 ? Perm.ExecEl0 : 0);
      this.wPerm = Perm.ReadEl1 | (pw !== 0 ? Perm.WriteEl1 : 0) | (px !== 0 ? Perm.ExecEl1 : 0) |
        (el0 !== 0 ? 0 : Perm.PanOk) | el0Perm;
      const idx = (dlo >>> 2) & 7;
      const byte = idx < 4 ? (this.mairLo >>> (8 * idx)) & 0xff : (this.mairHi >>> (8 * (idx - 4))) & 0xff;
      this.wAttr = withShareability(decodeMair(byte), (dlo >>> 8) & 3);
      this.wOut = oa + lowBits(va48, lsb);
      this.wLevel = level;
      this.wLeafShift = lsb;
      this.wGlobal = (dlo & 0x800) === 0; // nG
      return;
    }
  }

  /**
   * The stage-2 walk of `ipa`. Output in s2Out/s2Level/s2MemAttr/s2Sh/s2Ap/s2Xn. `s1ptw`: the IPA is a stage-1
   * descriptor address; faults then have S1PTW set and report a read.
   */
  private walkS2(ipa: number, va: bigint, flags: number, s1ptw: boolean): void {
    const inPage = ipa % PAGE;
    const key = (ipa - inPage) / PAGE;
    const c = key % S2C_ENTRIES;
    if (this.s2cOn && this.s2cKey[c] === key && this.s2cGen[c] === this.s2cGeneration) {
      const info = this.s2cInfo[c]!;
      this.stats.s2Hits++;
      this.s2Out = this.s2cOut[c]! + inPage;
      this.s2Level = info & 3;
      this.s2MemAttr = (info >>> 2) & 0xf;
      this.s2Sh = (info >>> 6) & 3;
      this.s2Ap = (info >>> 8) & 3;
      this.s2Xn = (info >>> 10) & 1;
      return;
    }
    this.stats.s2Walks++;
    const vtcr = this.vtcr;
    const write = s1ptw ? false : isWnr(flags);
    const inputSize = 64 - clamp(vtcr & 0x3f, 16, 39);
    if (ipa >= POW2[inputSize]!) throw memoryFault(2, Fsc.Translation, va, flags, ipa, s1ptw, write);
    const granule = granuleFromTg0((vtcr >>> 14) & 3);
    const stride = granule - 3;
    const sl0 = (vtcr >>> 6) & 3;
    // Starting level from SL0, and the architecture's validity and consistency checks (S2ValidSL and
    // S2InconsistentSL: the input size must fit the start level with at most 16 concatenated tables).
    let level: number;
    let valid: boolean;
    if (granule === 12) {
      level = sl0 === 3 ? 3 : 2 - sl0;
      valid = sl0 !== 3 && (sl0 !== 2 || this.paMax >= 44);
    } else {
      level = 3 - sl0;
      valid = sl0 !== 3 && (sl0 !== 2 || this.paMax >= (granule === 14 ? 42 : 44));
    }
    const minSize = (3 - level) * stride + granule + 1;
    if (!valid || inputSize < minSize || inputSize > minSize + stride + 3) {
      throw memoryFault(2, Fsc.Translation + 1, va, flags, ipa, s1ptw, write);
    }
    const outBits = Math.min(decodePs((vtcr >>> 16) & 7), this.paMax);
    let lsb = granule + (3 - level) * stride;
    let nbits = inputSize - lsb;
    let table = this.vttbr - lowBits(this.vttbr, Math.max(nbits + 3, 6));
    if (table >= POW2[outBits]!) throw memoryFault(2, Fsc.AddressSize, va, flags, ipa, s1ptw, write);
    for (;;) {
      const index = bitField(ipa, lsb, nbits);
      this.readDesc(table + index * 8, 2, level, va, flags, ipa, s1ptw);
      const dlo = this.dLo;
      const dhi = this.dHi;
      if ((dlo & 1) === 0) throw memoryFault(2, Fsc.Translation + level, va, flags, ipa, s1ptw, write);
      const isTable = (dlo & 2) !== 0 && level < 3;
      if ((dlo & 2) === 0 && !blockAllowed(granule, level)) {
        throw memoryFault(2, Fsc.Translation + level, va, flags, ipa, s1ptw, write);
      }
      const shift = isTable ? granule : lsb;
      const desc = (dhi & 0xffff) * TWO32 + dlo;
      const oa = desc - lowBits(desc, shift);
      if (oa >= POW2[outBits]! || (granule === 16 && ((dlo >>> 12) & 0xf) !== 0)) {
        throw memoryFault(2, Fsc.AddressSize + level, va, flags, ipa, s1ptw, write);
      }
      if (isTable) {
        table = oa;
        level++;
        lsb -= stride;
        nbits = stride;
        continue;
      }
      if ((dlo & 0x400) === 0) throw memoryFault(2, Fsc.AccessFlag + level, va, flags, ipa, s1ptw, write);
      this.s2Out = oa + lowBits(ipa, lsb);
      this.s2Level = level;
      this.s2MemAttr = (dlo >>> 2) & 0xf;
      this.s2Sh = (dlo >>> 8) & 3;
      this.s2Ap = (dlo >>> 6) & 3;
      this.s2Xn = (dhi >>> 22) & 1;
      if (this.s2cOn) {
        // Only a successful walk is cached, as the 4 KiB page of `ipa` (a larger leaf fills one entry per page used).
        this.s2cKey[c] = key;
        this.s2cGen[c] = this.s2cGeneration;
        this.s2cOut[c] = this.s2Out - inPage;
        this.s2cInfo[c] = level | (this.s2MemAttr << 2) | (this.s2Sh << 6) | (this.s2Ap << 8) | (this.s2Xn << 10);
        if (lsb > 12) this.s2cLarge = true;
      }
      return;
    }
  }
}
