/**
 * The MMU of the EL1&0 translation regime: stage 1 (SCTLR_EL1, TCR_EL1, TTBR0/1_EL1, MAIR_EL1) and stage 2
 * (HCR_EL2, VTCR_EL2, VTTBR_EL2), VMSAv8-64 with 4 KiB, 16 KiB and 64 KiB granules and 48-bit addresses, in front of
 * a {@link PhysicalMemory}. It implements the CPU's {@link MemoryPort}.
 *
 * Two paths give the same results:
 *  - the hot path: a direct-mapped software TLB of 4 KiB pages (typed arrays) holding, per page, the host region and
 *    offset, the permissions for both exception levels with both stages folded in, and the attributes. A hit needs
 *    no walk and allocates nothing beyond the BigInt a load returns.
 *  - the slow path (every access when constructed with `{ tlb: false }`, and every TLB miss or denied hit): has the
 *    walker (walk.ts: the translation registers, the table walks of both stages, the checks in the architecture's
 *    priority order) translate the access or throw the fault the architecture reports, and, when the TLB is on and
 *    the access succeeded, fills the TLB.
 * A TLB entry only says "this access succeeds"; anything it does not allow goes to the slow path, which decides. So
 * the TLB can change speed but not outcomes.
 *
 * Stage-2 walk cache (walk.ts). Behind the TLB, a small direct-mapped table of successful stage-2 walks (IPA page ->
 * output page, leaf level, MemAttr, SH, S2AP, XN) serves the slow path's stage-2 lookups: the final IPA's and each
 * stage-1 table read's. It survives the flushes that cannot change stage 2 (stage-1 TLBIs, stage-1 register writes,
 * EL changes), so refilling the TLB after a guest's TLBI VAE1 walks stage 1 only. It is dropped by TLBI VMALLS12E1,
 * ALLE1 and anything not known to be stage-1 only, by TLBI IPAS2E1/IPAS2LE1 (the one IPA page, or everything when an
 * entry came from a leaf larger than 4 KiB), by flush(), and by any change of VTTBR_EL2, VTCR_EL2, HCR_EL2.{VM, DC,
 * PTW, FWB} or the PA size, which the walker's load() notices (refresh()). Faults are never cached: a faulting walk
 * walks again and reports as before. Only with the TLB on; `{ tlb: false }` walks both stages on every access.
 *
 * MTE. The CPU marks the accesses the architecture tag-checks with Acc.TagChecked; whether a check is enabled (TCF,
 * TCO, TBI, TCMA, tag access enable, MTE level, asymmetric mode) is the CPU's `tagCheckMode`. A check compares the
 * pointer's logical tag with the allocation tag of every 16-byte granule the access touches, when the final
 * attributes are Tagged Normal and the region has tag storage; it comes after translation, permission and alignment
 * faults and before the memory is touched. A TLB entry keeps the region's TagStore for Tagged pages, so the hot
 * path compares tags itself: it first asks the CPU's `tagCheckFieldOff` (the EL's check field, read without BigInts)
 * and reads no tags at an EL that checks none, and needs the rest of the CPU's controls only on a mismatch (a
 * matching tag is never a fault, whatever the mode); NoTagAccess pages (FEAT_MTE_PERM) send enabled checks to the
 * slow path, which faults.
 */
import {
  Acc, ARENA_NO_TLB, Dtlb, DTLB_CLASSES, DTLB_ENTRY_BYTES, DTLB_NORMAL, Fsc, St, MemoryFault, recordAsyncTagFault,
  SysReg, tagCheckFieldOff, tagCheckMode, type CodePage, type CodeRegion, type Cpu, type MemoryPort,
} from '@kvm-mte/aarch64-cpu';
import { attrByte, MemAttr, shareability } from './attrs.js';
import type { PhysicalMemory, PhysRegion, TagStore } from './ports.js';
import { accessNeed, memoryFault, Perm } from './access.js';
import { TagUse, Walker } from './walk.js';

/** What a TLB entry says about tags ({@link Mmu.tlbEntry}). */
export const TlbTags = {
  /** Not Tagged Normal memory with tag storage: no tag checks, tag reads 0, tag writes ignored. */
  None: 0,
  /** Tagged Normal memory with tag storage: checked accesses compare tags on the hot path. */
  Tagged: 1,
  /** Stage-1 Tagged memory that stage 2 makes NoTagAccess: enabled checks and tag accesses fault (slow path). */
  NoTagAccess: 2,
} as const;

export interface MmuOptions {
  /** Use the software TLB (default true). `false` walks on every access: the reference path for debugging. */
  tlb?: boolean;
  /** TLB entries, a power of two up to 2^20 (default 2048). */
  tlbEntries?: number;
}

/** What {@link Mmu.translate} returns. */
export type Translation =
  | {
      ok: true;
      /** Output physical address. */
      pa: bigint;
      /** Intermediate physical address (equals `pa` without stage 2). */
      ipa: bigint;
      /** Attributes of this access after both stages (see attrs.ts for the encoding). */
      attr: number;
      /** Stage-1 attributes of this access. */
      s1Attr: number;
      /** {@link Perm} bits, both stages folded in. */
      perms: number;
      /** Level of the stage-1 leaf descriptor (0 with stage 1 disabled). */
      level: number;
      /** Level of the stage-2 leaf descriptor, or -1 without stage 2. */
      s2Level: number;
    }
  | { ok: false; fault: MemoryFault };

const TWO53 = 9007199254740992;
const PAGE = 4096;

const W = Acc.Write;
const F = Acc.Fetch;
const UNPRIV = Acc.Unpriv;
const ALIGNED = Acc.Aligned;
const CM = Acc.CacheMaint;
const TC = Acc.TagChecked;

const EMPTY = new Uint8Array(0);
const EMPTY_VIEW = new DataView(EMPTY.buffer);

/** The system registers refresh() reads: controlWritten() and runStarting() reload and flush only when one of them changed. */
const CONTROL_REGS = [
  SysReg.SCTLR_EL1, SysReg.HCR_EL2, SysReg.TCR_EL1, SysReg.MAIR_EL1, SysReg.TTBR0_EL1, SysReg.TTBR1_EL1,
  SysReg.VTCR_EL2, SysReg.VTTBR_EL2, SysReg.ID_AA64MMFR0_EL1, SysReg.ID_AA64ISAR1_EL1, SysReg.ID_AA64PFR1_EL1,
  SysReg.ID_AA64MMFR2_EL1,
];

/**
 * The 32-bit words of CONTROL_REGS in the CPU's state block (cpu.st32: St.SYS + 8 * id, low then high half): the
 * slow path compares them with what the controls were loaded from without reading BigInts.
 */
const CONTROL_WORDS: readonly number[] = CONTROL_REGS.flatMap((r) => [(St.SYS >> 2) + 2 * r, (St.SYS >> 2) + 2 * r + 1]);

/**
 * The bits of each CONTROL_WORDS word that refresh() uses: all of them, except in SCTLR_EL1, of which only M, A, I
 * and WXN (bits 0, 1, 12 and 19) are read. Linux rewrites SCTLR_EL1's other bits (TCF0 for each thread's tag check
 * mode, the pointer authentication enables) on context switches: those writes need not flush the TLB.
 */
const CONTROL_MASKS: readonly number[] = CONTROL_REGS.flatMap((r) => (r === SysReg.SCTLR_EL1 ? [0x0008_1003, 0] : [-1, -1]));

/**
 * Whether each CONTROL_WORDS word is a word of TTBR0_EL1 or TTBR1_EL1: when only those changed (a context switch,
 * a new ASID or table), global TLB entries stay (Mmu.controlsMoved).
 */
const CONTROL_TTBR: readonly boolean[] = CONTROL_REGS.flatMap((r) => {
  const ttbr = r === SysReg.TTBR0_EL1 || r === SysReg.TTBR1_EL1;
  return [ttbr, ttbr];
});

/** Mmu.atlbListed: a listed arena entry of a non-global translation, of a global one. */
const ARENA_NON_GLOBAL = 1;
const ARENA_GLOBAL = 2;

/** The live-code bytes of an entry that maps no region: one page, never live. */
const NO_CODE = new Uint8Array(1);

/**
 * Whether TLBI `op` (lower case, with its IS/OS/nXS suffixes) invalidates stage-1 translations only: VMALLE1, VAE1,
 * VALE1, VAAE1, VAALE1, ASIDE1 and their range forms (RVAE1, ...). Those need not touch stage-2-only entries.
 */
function isStage1Tlbi(op: string): boolean {
  const b = op.startsWith('r') ? op.slice(1) : op;
  return b.startsWith('vmalle1') || b.startsWith('vae1') || b.startsWith('vale1') || b.startsWith('vaae1') ||
    b.startsWith('vaale1') || b.startsWith('aside1');
}

/**
 * TLBI by VA at EL1 that invalidates the one VA's translation (VAE1, VALE1, VAAE1, VAALE1 and their IS/OS/nXS
 * forms; not the range forms): Xt[43:0] is VA[55:12], the TLB's key.
 */
const TLBI_BY_VA = /^vaa?l?e1(is|os)?(nxs)?$/;

/** TLBI ASIDE1 and its IS/OS/nXS forms: Xt[63:48] is the ASID whose non-global translations go. */
const TLBI_BY_ASID = /^aside1(is|os)?(nxs)?$/;

export class Mmu implements MemoryPort {
  readonly tlbEnabled: boolean;
  /**
   * Counters for tests and profiling: slow-path accesses, translations (walks), full TLB flushes, flushes of the
   * non-global entries alone (`asidFlushes`: a change of ASID, a TLBI of one ASID, a TLBI by VA of a page code was
   * fetched from through a non-global translation), TLBIs by VA of one entry, stage-2 walks of tables
   * (`s2Walks`), stage-2 lookups answered by the stage-2 walk cache (`s2Hits`) and drops of that cache (`s2Flushes`).
   */
  readonly stats = { slow: 0, walks: 0, flushes: 0, asidFlushes: 0, vaFlushes: 0, s2Walks: 0, s2Hits: 0, s2Flushes: 0 };
  /**
   * Scratch for splitting a 64-bit address into 32-bit halves without Number(bigint) (see read()): a field, not
   * module state, so nothing is shared between MMUs. The halves are read as int32 (see {@link dataHit}).
   */
  private readonly split64: BigUint64Array = new BigUint64Array(1);
  private readonly split32: Int32Array = new Int32Array(this.split64.buffer);

  // ---- the TLB: direct mapped, indexed by VA[55:12] ----
  private readonly tlbMask: number;
  /** VA[55:12] of the entry. */
  private readonly tlbKey: Float64Array;
  /**
   * The entry generation the entry was filled in: `entryGlobalGen` for a global translation (a stage-1 leaf with
   * nG 0, or stage 1 off), `entryGen` for a non-global one. An entry is live while its generation equals either
   * (`live`): a full flush bumps both, invalidating every entry at once, a change of ASID or an ASID's TLBI
   * (`dropNonGlobal`) only `entryGen` (entries are not tagged with their ASID).
   */
  private readonly tlbGen: Int32Array;
  private readonly tlbPerm: Uint8Array;
  /** Offset of the page in its region. */
  private readonly tlbOff: Float64Array;
  /** Physical address of the page (tag stores are keyed by it; also `tlbEntry`). */
  private readonly tlbPa: Float64Array;
  /** Data attributes after both stages. */
  private readonly tlbAttr: Uint16Array;
  /** {@link TlbTags} of the entry. */
  private readonly tlbTagKind: Uint8Array;
  /** The region's tag storage for a {@link TlbTags}.Tagged entry, else null. */
  private readonly tlbTags: (TagStore | null)[];
  private readonly tlbView: DataView[];
  private readonly tlbBytes: Uint8Array[];
  /** Translated code (aarch64-cpu code-cache.ts): the region's code registry, the page number, its CodePage. */
  private readonly tlbCodeRegion: (CodeRegion | null)[];
  /** The region's live-code bytes (one per page): a store to a page with blocks drops them. */
  private readonly tlbLive: Uint8Array[];
  private readonly tlbPageNo: Int32Array;
  private readonly tlbCode: (CodePage | null)[];
  /** Whether fetchPage handed out the entry's page since it was filled (then its key is in a fetched-keys set). */
  private readonly tlbFetched: Uint8Array;
  /**
   * Keys (VA[55:12]) of the pages fetchPage handed out from live global entries since the last full flush, and from
   * non-global entries since the last flush of either kind: the CPU's block links and jump caches rely on their
   * translations (MemoryPort.tlbGeneration, tlbGlobalGeneration), so a TLBI by VA of one of them is a full flush.
   */
  private readonly fetchedGlobalKeys = new Set<number>();
  private readonly fetchedKeys = new Set<number>();
  /**
   * The keys covered by the stage-1 leaves larger than 4 KiB that entries were filled from since the last flush
   * (largeLo..largeHi; empty when largeLo > largeHi): such a leaf is held as several 4 KiB entries, which a TLBI of any
   * VA in it must all invalidate, so a TLBI by VA in that range is a full flush.
   */
  private largeLo = Infinity;
  private largeHi = -1;
  /**
   * The same TLB for translated WebAssembly code, in the CPU's arena (aarch64-cpu's Dtlb layout): 32-bit words over
   * its entries, and the arena offset of the block (0 without a TLB). Filled with the entries above.
   */
  private readonly atlb32: Int32Array;
  private readonly atlbOffset: number;
  /**
   * The arena entries filled since the last flush (`atlbUsedCount` of them; `atlbListed` marks them, 1 when the
   * entry's translation is non-global, 2 when global), whose keys a flush sets to -1 (`dropNonGlobal`: those of
   * non-global entries): a flush costs what was filled since the one before, not the TLB's size.
   */
  private readonly atlbUsed: Int32Array;
  private atlbUsedCount = 0;
  private readonly atlbListed: Uint8Array;
  /** The permission bits a plain load (0..2) and store (3..5) needs in the arena TLB's classes 0..2 (needFor). */
  private readonly arenaNeed: readonly number[];
  /**
   * MemoryPort.tlbGeneration: the generation of the current ASID's (non-global) translations, which the run loop's
   * links and jump caches are keyed with. Each ASID keeps its generation ({@link asidGenerations}) until TLB
   * maintenance may have changed its translations (a full flush, a TLBI of the ASID, a TLBI by VA of a page code was
   * fetched from), so that a context switch back to a process finds the links among its blocks still good. New
   * values come from the code cache's counter (CodeCache.newGeneration), which the CPUs sharing the blocks share, so
   * no value is ever another ASID's, the global one's or another CPU's.
   */
  tlbGeneration = 0;
  /** MemoryPort.tlbGlobalGeneration: the generation of global translations, new only at a full flush. */
  tlbGlobalGeneration = 0;
  /**
   * MemoryPort.fetchGeneration: the generation (tlbGeneration or tlbGlobalGeneration) of the translation fetchPage
   * last handed a page out from.
   */
  fetchGeneration = 0;
  /** The generation of each ASID whose translations may still be linked (see tlbGeneration). */
  private readonly asidGenerations = new Map<number, number>();
  /**
   * The current ASID (refresh(): TTBR1_EL1's with TCR_EL1.A1 set, else TTBR0_EL1's; its low 8 bits unless TCR_EL1.AS
   * selects 16-bit ASIDs, which ID_AA64MMFR0_EL1.ASIDBits must offer).
   */
  private asid = 0;
  /** The ASID of the controls refresh() last loaded (the current one once followed: refresh, flushTlb). */
  private loadedAsid = 0;
  /** The mask of the ASID field's bits in use (0xff or 0xffff), for TLBI ASIDE1's operand too. */
  private asidMask = 0xff;
  /**
   * The TLB entries' own generations (tlbGen, live): this MMU's alone, from its own counter (entryCounter, the
   * highest handed out).
   */
  private entryGen = 2;
  private entryGlobalGen = 1;

  /** MemoryPort.arenaTlb: the MMU fills the CPU's arena data TLB when its TLB is on. */
  readonly arenaTlb: boolean;
  /** The values of CONTROL_REGS the controls were last loaded from (by refresh()). */
  private readonly controlWords = new Int32Array(CONTROL_WORDS.length);
  private wideOff = 0;
  /** The logical tag (VA[59:56]) wideKey() saw. */
  private wideTag = 0;
  /** The page offset of dataHit's hit. */
  private hitOff = 0;

  private alignCheck = 0;
  /** The page-table walks, their controls and the stage-2 walk cache (walk.ts). */
  private readonly walk: Walker;

  constructor(
    readonly cpu: Cpu,
    readonly phys: PhysicalMemory,
    options: MmuOptions = {},
  ) {
    this.tlbEnabled = options.tlb ?? true;
    const n = options.tlbEntries ?? 2048;
    if (n <= 0 || (n & (n - 1)) !== 0 || n > 1 << 20) {
      throw new RangeError(`tlbEntries must be a power of two up to 2^20, got ${n}`);
    }
    const size = this.tlbEnabled ? n : 1;
    this.tlbMask = size - 1;
    this.tlbKey = new Float64Array(size).fill(-1);
    this.tlbGen = new Int32Array(size);
    this.tlbPerm = new Uint8Array(size);
    this.tlbOff = new Float64Array(size);
    this.tlbPa = new Float64Array(size);
    this.tlbAttr = new Uint16Array(size);
    this.tlbTagKind = new Uint8Array(size);
    this.tlbTags = new Array<TagStore | null>(size).fill(null);
    this.tlbView = new Array<DataView>(size).fill(EMPTY_VIEW);
    this.tlbBytes = new Array<Uint8Array>(size).fill(EMPTY);
    this.tlbCodeRegion = new Array<CodeRegion | null>(size).fill(null);
    this.tlbLive = new Array<Uint8Array>(size).fill(NO_CODE);
    this.tlbPageNo = new Int32Array(size);
    this.tlbCode = new Array<CodePage | null>(size).fill(null);
    this.tlbFetched = new Uint8Array(size);
    this.walk = new Walker(cpu, this.stats, (pa, n) => this.regionFor(pa, n), this.tlbEnabled);
    if (this.tlbEnabled) {
      const arena = cpu.arena;
      const bytes = DTLB_CLASSES * size * DTLB_ENTRY_BYTES;
      this.atlbOffset = arena.alloc(bytes, DTLB_ENTRY_BYTES);
      this.atlb32 = new Int32Array(arena.memory.buffer, this.atlbOffset, bytes >> 2);
      this.atlb32.fill(-1); // every key -1: no entry hits
      this.atlbUsed = new Int32Array(size);
      this.atlbListed = new Uint8Array(size);
      const st = cpu.st32;
      st[St.TLB_BASE >> 2] = this.atlbOffset;
      st[St.TLB_MASK >> 2] = this.tlbMask;
    } else {
      this.atlbOffset = 0;
      this.atlb32 = new Int32Array(0);
      this.atlbUsed = new Int32Array(0);
      this.atlbListed = new Uint8Array(0);
    }
    this.arenaTlb = this.atlbOffset !== 0;
    this.tlbGlobalGeneration = cpu.codeCache.newGeneration();
    this.newAsidGeneration();
    this.mirrorGenerations(); // (mirrored whenever they change)
    this.arenaNeed = [TC, TC, TC, TC | W, TC | W, TC | W].map((f, j) => this.needFor(f, j % 3));
    this.refresh();
  }

  // ================================================================ MemoryPort: the hot paths

  read(va: bigint, size: number, flags: number): bigint {
    if (this.tlbEnabled) {
      // The address's 32-bit halves through a BigUint64Array: several times cheaper than Number(va) in V8.
      this.split64[0] = va;
      const i = this.dataHit(this.split32[0]!, this.split32[1]!, size, flags);
      if (i >= 0) {
        const o = this.tlbOff[i]! + this.hitOff;
        const v = this.tlbView[i]!;
        switch (size) {
          case 1: return BigInt(v.getUint8(o));
          case 2: return BigInt(v.getUint16(o, true));
          case 4: return BigInt(v.getUint32(o, true));
          default: return v.getBigUint64(o, true);
        }
      }
    }
    return this.readSlow(va, size, flags);
  }

  write(va: bigint, size: number, value: bigint, flags: number): void {
    flags |= W;
    if (this.tlbEnabled) {
      this.split64[0] = va;
      const i = this.dataHit(this.split32[0]!, this.split32[1]!, size, flags);
      if (i >= 0) {
        const o = this.storeHit(i, this.hitOff, size);
        const v = this.tlbView[i]!;
        // BigInt.asUintN, not `& 0xffn`: V8 compiles it without allocating (see docs/performance.md).
        switch (size) {
          case 1: v.setUint8(o, Number(BigInt.asUintN(8, value))); return;
          case 2: v.setUint16(o, Number(BigInt.asUintN(16, value)), true); return;
          case 4: v.setUint32(o, Number(BigInt.asUintN(32, value)), true); return;
          default: v.setBigUint64(o, value, true); return;
        }
      }
    }
    this.writeSlow(va, size, value, flags);
  }

  /**
   * MemoryPort.readHalves: {@link read} with the address and the value as 32-bit halves in `s`, so that a TLB hit
   * makes no BigInt (the fast interpreter's loads, spec/fast-ops.ts). The slow path is read's.
   */
  readHalves(s: Int32Array, d: number, x: number, size: number, flags: number): void {
    const lo = s[x]!;
    const hi = s[x + 1]!;
    if (this.tlbEnabled) {
      const i = this.dataHit(lo, hi, size, flags);
      if (i >= 0) {
        const o = this.tlbOff[i]! + this.hitOff;
        const v = this.tlbView[i]!;
        switch (size) {
          case 1: s[d] = v.getUint8(o); s[d + 1] = 0; return;
          case 2: s[d] = v.getUint16(o, true); s[d + 1] = 0; return;
          case 4: s[d] = v.getInt32(o, true); s[d + 1] = 0; return;
          default: s[d] = v.getInt32(o, true); s[d + 1] = v.getInt32(o + 4, true); return;
        }
      }
    }
    this.split64[0] = this.readSlow(this.bigOf(lo, hi), size, flags);
    s[d] = this.split32[0]!;
    s[d + 1] = this.split32[1]!;
  }

  /**
   * MemoryPort.writeHalves: {@link write} of the `size` low bytes of the value at s[y], s[y + 1] to the address at
   * s[x], s[x + 1], making no BigInt on a TLB hit (the fast interpreter's stores). The slow path is write's.
   */
  writeHalves(s: Int32Array, x: number, y: number, size: number, flags: number): void {
    flags |= W;
    const lo = s[x]!;
    const hi = s[x + 1]!;
    if (this.tlbEnabled) {
      const i = this.dataHit(lo, hi, size, flags);
      if (i >= 0) {
        const o = this.storeHit(i, this.hitOff, size);
        const v = this.tlbView[i]!;
        switch (size) {
          case 1: v.setUint8(o, s[y]!); return;
          case 2: v.setUint16(o, s[y]!, true); return;
          case 4: v.setInt32(o, s[y]!, true); return;
          default: v.setInt32(o, s[y]!, true); v.setInt32(o + 4, s[y + 1]!, true); return;
        }
      }
    }
    const va = this.bigOf(lo, hi);
    const value = BigInt.asUintN(8 * size, this.bigOf(s[y]! >>> 0, s[y + 1]! >>> 0));
    this.writeSlow(va, size, value, flags);
  }

  /** The 64-bit value (an address, or a store's value) of the 32-bit halves (lo, hi), both unsigned. */
  private bigOf(lo: number, hi: number): bigint {
    this.split32[0] = lo;
    this.split32[1] = hi;
    return this.split64[0]!;
  }

  /**
   * The hot path of a data access of `size` bytes at the address whose 32-bit halves are (lo, hi): the TLB entry the
   * access completes through (live, with the permissions, alignment and allocation tags it needs), its page offset
   * left in {@link hitOff}; or -1 for the slow path. The halves are int32, as the state block and split32 hold them:
   * unsigned, a kernel address's halves exceed 2^31 and were boxed as heap numbers at every call (two allocations an
   * access: docs/performance.md, twentieth session).
   */
  private dataHit(lo: number, hi: number, size: number, flags: number): number {
    const key = this.keyOf(hi, lo, (flags & F) !== 0 ? 2 : 0);
    const off = this.wideOff;
    const ltag = this.wideTag;
    const i = key & this.tlbMask;
    if (this.tlbKey[i] === key && this.live(i)) {
      const p = this.tlbPerm[i]!;
      const need = accessNeed(this.cpu, flags);
      if ((p & need) === need && ((off & (size - 1)) === 0 || this.unalignedOk(p, flags, off, size)) &&
        ((flags & TC) === 0 || this.tlbTagKind[i] === TlbTags.None || this.tagsPass(i, off, size, ltag, lo, hi, flags))) {
        this.hitOff = off;
        return i;
      }
    }
    return -1;
  }

  /**
   * A store of `size` bytes at page offset `off` through TLB entry `i`: the translated code of the bytes is
   * invalidated and other vCPUs' exclusive reservations on them cleared. Returns the offset of the bytes in the
   * entry's view.
   */
  private storeHit(i: number, off: number, size: number): number {
    const o = this.tlbOff[i]! + off;
    if (this.tlbLive[i]![this.tlbPageNo[i]!] !== 0) this.tlbCodeRegion[i]!.written(o, size);
    const smp = this.cpu.smp;
    if (smp.openReservations !== 0) smp.stored(this.cpu, this.tlbPa[i]! + off, size);
    return o;
  }

  fetch(va: bigint): number {
    if (this.tlbEnabled) {
      const f = Number(va);
      let key: number;
      let off: number;
      if (f < TWO53) {
        off = f % PAGE;
        key = (f - off) / PAGE;
      } else {
        key = this.wideKey(va, 2);
        off = this.wideOff;
      }
      const i = key & this.tlbMask;
      if (this.tlbKey[i] === key && this.live(i) && (off & 3) === 0) {
        const need = this.cpu.el === 0 ? Perm.ExecEl0 : Perm.ExecEl1;
        if ((this.tlbPerm[i]! & need) !== 0) return this.tlbView[i]!.getUint32(this.tlbOff[i]! + off, true);
      }
    }
    return Number(this.readSlow(va, 4, F));
  }

  /**
   * The code page an instruction fetch from `va` reads, for the CPU's translated blocks: translated and checked as
   * {@link fetch} (the same faults are thrown), through the TLB. Undefined when the fetch is misaligned, the TLB is
   * off or the page is not wholly inside one region: the CPU then interprets.
   */
  fetchPage(va: bigint): CodePage | undefined {
    if (!this.tlbEnabled) return undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      this.split64[0] = va;
      const key = this.keyOf(this.split32[1]!, this.split32[0]!, 2);
      const off = this.wideOff;
      if ((off & 3) !== 0) return undefined;
      const i = key & this.tlbMask;
      if (this.tlbKey[i] === key && this.live(i)) {
        const need = this.cpu.el === 0 ? Perm.ExecEl0 : Perm.ExecEl1;
        if ((this.tlbPerm[i]! & need) !== 0) {
          const global = this.tlbGen[i] === this.entryGlobalGen;
          this.fetchGeneration = global ? this.tlbGlobalGeneration : this.tlbGeneration;
          if (this.tlbFetched[i] === 0) {
            this.tlbFetched[i] = 1;
            (global ? this.fetchedGlobalKeys : this.fetchedKeys).add(key);
          }
          const c = this.tlbCode[i]!;
          if (c !== null) return c;
          const r = this.tlbCodeRegion[i]!;
          return (this.tlbCode[i] = r.page(this.tlbPageNo[i]!, this.tlbView[i]!, this.tlbOff[i]!));
        }
      }
      if (attempt === 0) this.readSlow(va, 4, F); // faults as fetch does, and fills the TLB
    }
    return undefined;
  }

  /**
   * MemoryPort.zeroBlock (DC ZVA): a store of `size` zero bytes at `va` (aligned by the CPU), Tag Checked as a store
   * (`tagCheckMode`: TBI, TCMA, TCO, TCF of the EL; asymmetric mode makes it asynchronous): every granule of the
   * block must carry the pointer's tag, else a synchronous Tag Check fault at the first mismatching granule's address
   * (the block's address plus its offset, top byte kept) with nothing written, or TFSR's bit in asynchronous mode
   * and the block zeroed. Allocation tags are unchanged (DC GZVA writes them).
   */
  zeroBlock(va: bigint, size: number): void {
    if (this.tlbEnabled) {
      const f = Number(va);
      let key: number;
      let off: number;
      if (f < TWO53) {
        off = f % PAGE;
        key = (f - off) / PAGE;
      } else {
        key = this.wideKey(va, 0);
        off = this.wideOff;
      }
      const i = key & this.tlbMask;
      if (this.tlbKey[i] === key && this.live(i) && off + size <= PAGE) {
        const p = this.tlbPerm[i]!;
        const need = accessNeed(this.cpu, W) | Perm.Normal;
        // (Tagged memory whose tags this access checks: the slow path compares them.)
        if ((p & need) === need && (this.tlbTagKind[i] !== TlbTags.Tagged || this.checkMode(va, W | TC) === 0)) {
          const o = this.storeHit(i, off, size);
          this.tlbBytes[i]!.fill(0, o, o + size);
          return;
        }
      }
    }
    this.zeroSlow(va, size);
  }

  /**
   * AT S1E1R/S1E1W/S1E0R/S1E0W: a stage-1 translation as the CPU's AT instructions do it, returned as the PAR_EL1
   * value. Success: ATTR (the MAIR encoding) in [63:56], the output IPA's [47:12], SH in [8:7], bit 11 RES1.
   * A stage-1 fault: F = 1, FST in [6:1], bit 11 RES1. A stage-2 fault on the stage-1 walk is not reported in PAR:
   * it is thrown, and the CPU takes it to EL2 as the architecture does. AT S1E1R/W ignore PSTATE.PAN (FEAT_PAN2's
   * S1E1RP/WP, which honour it, are not implemented); S1E0R/W check EL0's permissions whatever PSTATE.UAO says.
   */
  translateForAt(va: bigint, flags: number): bigint {
    const cpu = this.cpu;
    const pan = cpu.pan;
    const uao = cpu.uao;
    if (!this.controlsCurrent()) this.refresh();
    // PSTATE.UAO makes LDTR/STTR privileged, not the S1E0 forms (Acc.Unpriv here), which always check EL0's access.
    cpu.pan = 0;
    cpu.uao = 0;
    try {
      this.walk.resolve(va, flags, false, false, true);
    } catch (e) {
      if (e instanceof MemoryFault && e.stage === 1) return BigInt(1 | ((e.fsc & 0x3f) << 1) | (1 << 11));
      throw e;
    } finally {
      cpu.pan = pan;
      cpu.uao = uao;
    }
    const attr = this.walk.rS1Attr;
    return (BigInt(attrByte(attr)) << 56n) | BigInt(this.walk.rIpa - (this.walk.rIpa % PAGE)) |
      BigInt((shareability(attr) << 7) | (1 << 11));
  }

  /**
   * MTE allocation tag read (LDG, LDGM, and the tag half of anything that reads tags): translated like an unchecked
   * load (read permission), with every fault a load would take; memory that is not Tagged Normal after both stages,
   * or whose region has no tag storage, reads tag 0 (so does everything below FEAT_MTE2). NoTagAccess memory
   * (stage-1 Tagged, FEAT_MTE_PERM at stage 2) is a stage-2 Permission fault with ISS2.TagAccess, WnR 0.
   * The CPU decides whether tag access is enabled (SCTLR_EL1.ATA/ATA0, HCR_EL2.ATA) and aligns the address.
   */
  readTag(va: bigint, flags: number): number {
    flags &= ~(W | TC);
    const i = this.tlbEnabled ? this.tagTlbIndex(va, flags) : -1;
    if (i >= 0) {
      const kind = this.tlbTagKind[i]!;
      if (kind === TlbTags.None) return 0;
      if (kind === TlbTags.Tagged) return this.tlbTags[i]!.getTag(this.tlbPa[i]! + this.wideOff);
    }
    if (!this.controlsCurrent()) this.refresh();
    this.stats.slow++;
    this.walk.resolve(va, flags, false, false, false, TagUse.Access);
    this.fill(va);
    const tags = (this.walk.rAttr & MemAttr.Tagged) !== 0 ? this.regionFor(this.walk.rPa, 1)?.tags : undefined;
    return tags !== undefined ? tags.getTag(this.walk.rPa) & 0xf : 0;
  }

  /**
   * MTE allocation tag write (STG family, STGP, STGM, DC GVA/GZVA): translated like a store (write permission), with
   * every fault a store would take; ignored for memory that is not Tagged Normal or has no tag storage (and below
   * FEAT_MTE2). NoTagAccess memory is a stage-2 Permission fault with ISS2.TagAccess, WnR 1. Alignment (16 bytes for
   * the STG family) and the tag access enable are the CPU's.
   */
  writeTag(va: bigint, tag: number, flags: number): void {
    flags = (flags | W) & ~TC;
    const i = this.tlbEnabled ? this.tagTlbIndex(va, flags) : -1;
    if (i >= 0) {
      const kind = this.tlbTagKind[i]!;
      if (kind === TlbTags.None) return;
      if (kind === TlbTags.Tagged) {
        this.tlbTags[i]!.setTag(this.tlbPa[i]! + this.wideOff, tag & 0xf);
        return;
      }
    }
    if (!this.controlsCurrent()) this.refresh();
    this.stats.slow++;
    this.walk.resolve(va, flags, false, false, false, TagUse.Access);
    this.fill(va);
    const tags = (this.walk.rAttr & MemAttr.Tagged) !== 0 ? this.regionFor(this.walk.rPa, 1)?.tags : undefined;
    tags?.setTag(this.walk.rPa, tag & 0xf);
  }

  /**
   * MTE: translate `va` as the access `flags` describes (Acc.Write for a store) and throw the fault it would take,
   * touching neither data nor tags: the tag stores (STG, ST2G, STGM, DC GVA) with allocation tag access disabled.
   * No tag is accessed, so NoTagAccess memory does not fault; alignment is the CPU's, and no memory behind the PA is
   * not an abort (nothing is accessed).
   */
  probe(va: bigint, flags: number): void {
    flags &= ~TC;
    if (this.tlbEnabled && this.tagTlbIndex(va, flags) >= 0) return;
    if (!this.controlsCurrent()) this.refresh();
    this.stats.slow++;
    this.walk.resolve(va, flags, false, false);
    this.fill(va);
  }

  /**
   * IC IVAU: translate `va` as a read would (both stages, the current EL's regime) without faulting, touching neither
   * memory nor the TLB, and have the code cache re-check the blocks holding any of the `size` bytes at its PA.
   * A VA that does not translate (or maps no RAM) has no translated code to invalidate: QEMU 10 never faults an
   * IC IVAU, and the architecture allows the instruction not to translate at all.
   */
  invalidateCode(va: bigint, size: number): void {
    if (!this.controlsCurrent()) this.refresh();
    try {
      this.walk.resolve(va, 0, false, false);
    } catch (e) {
      if (e instanceof MemoryFault) return;
      throw e;
    }
    const r = this.phys.region(this.walk.rPa);
    if (r !== undefined) this.cpu.codeCache.invalidate(r.bytes, this.walk.rPa - r.base, size);
  }

  /**
   * Translation controls changed: reload the controls and flush the TLB (O(1), a generation bump). An EL change alone
   * comes to elChanged below, which keeps everything. The stage-2 walk cache is kept
   * unless a stage-2 control changed (refresh() checks).
   */
  controlChanged(): void {
    this.refresh(false);
    this.flushTlb();
  }

  /**
   * Exception entry or return: PSTATE changed, maybe the EL. Nothing to do: the entries hold both ELs' permissions,
   * PAN, UAO and the EL are checked per access, and the translation registers change within a run only by MSR
   * (controlWritten), the host's writes between runs being noticed by runStarting. (Every SVC round trip flushed the
   * TLB and re-walked both stages once; then it compared the registers, twice: 15% of bench-exc. docs/performance.md)
   */
  elChanged(): void {}

  /**
   * MemoryPort.runStarting: the host may have written translation registers since the last run (ONE_REG, a restore):
   * as controlWritten, reloaded (and flushed unless only the TTBRs changed) when a bit refresh() uses changed.
   */
  runStarting(): void {
    if (!this.controlsCurrent()) this.controlsMoved();
  }

  /**
   * MemoryPort.controlWritten: an MSR wrote a translation register or PSTATE.PAN/UAO. Reloaded and flushed only when
   * a bit refresh() uses changed (PAN and UAO are checked per access, like the EL).
   */
  controlWritten(): void {
    if (!this.controlsCurrent()) this.controlsMoved();
  }

  /**
   * Some of CONTROL_REGS changed since the controls were loaded: reload them, and flush unless only TTBR0_EL1 and
   * TTBR1_EL1 changed. Those (a context switch) change the current ASID at most, which refresh() notices
   * (switchAsid: the non-global entries go, a global entry matches every ASID); a new table base alone invalidates
   * nothing, since no TLB entry is tied to the table it was walked from (the Arm ARM lets a TLB hold an entry,
   * tagged with its ASID, until a TLBI removes it; software changes tables with TLB maintenance), as QEMU 10's TLB
   * keeps its entries then too. Linux switches ASIDs on every context switch (through a reserved TTBR0_EL1): its
   * kernel's translations (global) and the code links on them stay, and so do each process's links while it is
   * switched out.
   */
  private controlsMoved(): void {
    const st = this.cpu.st32;
    const seen = this.controlWords;
    let ttbrOnly = true;
    for (let k = 0; k < CONTROL_WORDS.length; k++) {
      if (!CONTROL_TTBR[k] && ((seen[k]! ^ st[CONTROL_WORDS[k]!]!) & CONTROL_MASKS[k]!) !== 0) ttbrOnly = false;
    }
    this.refresh(ttbrOnly);
    if (!ttbrOnly) this.flushTlb();
  }

  /** Whether CONTROL_REGS still hold the values the controls were last loaded from (refresh()). */
  private controlsCurrent(): boolean {
    const st = this.cpu.st32;
    const seen = this.controlWords;
    for (let k = 0; k < CONTROL_WORDS.length; k++) {
      if (((seen[k]! ^ st[CONTROL_WORDS[k]!]!) & CONTROL_MASKS[k]!) !== 0) return false;
    }
    return true;
  }

  /** Record the CONTROL_REGS values the fields were loaded from (refresh() calls it). */
  private noteControlRegs(): void {
    const st = this.cpu.st32;
    for (let k = 0; k < CONTROL_WORDS.length; k++) this.controlWords[k] = st[CONTROL_WORDS[k]!]!;
  }

  /**
   * TLB maintenance. Every TLBI (vmalle1, vae1, vale1, vaae1, vaale1, ipas2e1, ipas2le1, vmalls12e1, alle1,
   * their IS/OS/nXS variants, and any other) invalidates the whole TLB, except those by VA (invalidateVa) and ASIDE1
   * (the non-global entries and that ASID's generation: dropAsid): over-invalidation is always architecturally
   * allowed, and a flush costs O(1). Neither ASIDs nor VMIDs tag entries (a change of ASID drops the non-global
   * entries: switchAsid; each ASID keeps its generation for the links). This is one PE's TLB: the CPU sends the
   * Inner Shareable forms to every PE of its domain (`cpu.smp.tlbiBroadcast`), whose ports each get this call.
   *
   * The stage-2 walk cache holds stage-2-only entries (IPA -> PA), which the stage-1 TLBIs (VMALLE1, VAE1, VALE1,
   * VAAE1, VAALE1, ASIDE1 and their IS/OS/nXS and range forms) need not invalidate: they keep it. IPAS2E1/IPAS2LE1
   * (Xt[35:0] = IPA[47:12]) drop the entry of that IPA page, or the whole cache when an entry may come from a larger
   * leaf (the TLBI removes every entry that translates the IPA, a block's other pages included); their range forms,
   * VMALLS12E1, ALLE1 and any other operation drop the whole cache.
   */
  tlbi(op: string, arg: bigint): void {
    if (TLBI_BY_VA.test(op)) {
      this.invalidateVa(Number(BigInt.asUintN(44, arg)));
      return; // stage 1 only: the stage-2 walk cache stays
    }
    if (TLBI_BY_ASID.test(op)) {
      this.dropAsid(Number(arg >> 48n) & this.asidMask);
      return; // stage 1 only
    }
    this.flushTlb();
    if (isStage1Tlbi(op)) return;
    this.walk.stage2Invalidated(op.startsWith('ipas2') ? Number(BigInt.asUintN(36, arg)) : undefined);
  }

  /**
   * MemoryPort.physicalAddress: the PA of a data access at `va` (a load-exclusive's, for the global monitor): from
   * the TLB entry the access just filled when there is one, else by a translation; undefined if it would fault.
   */
  physicalAddress(va: bigint, flags: number): number | undefined {
    const e = this.tlbEntry(va);
    if (e !== undefined) return e.pa + Number(va & 0xfffn);
    const t = this.translate(va, flags & ~W);
    return t.ok ? Number(t.pa) : undefined;
  }

  /** Invalidate every TLB entry and the stage-2 walk cache. */
  flush(): void {
    this.flushTlb();
    this.walk.dropS2Cache();
  }

  /**
   * TLBI by VA: invalidate the translation of the page whose VA[55:12] is `key`. Its entry alone (and its arena
   * twin) when it is the only entry that can hold it: not when the page lies in a stage-1 leaf larger than 4 KiB
   * held as several entries (largeLo..largeHi), nor when fetchPage handed the page out since the last flush (the
   * CPU's block links and jump caches trust MemoryPort.tlbGeneration and tlbGlobalGeneration, which that entry alone
   * would not change). Otherwise, and with the TLB off, a full flush, or for a page fetched only from non-global
   * translations every ASID's generation and the non-global entries (dropAllAsids): over-invalidation is always
   * allowed.
   */
  private invalidateVa(key: number): void {
    if (!this.tlbEnabled || this.fetchedGlobalKeys.has(key) || (key >= this.largeLo && key <= this.largeHi)) {
      this.flushTlb();
      return;
    }
    if (this.fetchedKeys.has(key)) {
      // Code was fetched from a non-global translation of the page, under some ASID's generation: every ASID's goes
      // (the global translations, and the kernel's links, stay).
      this.dropAllAsids();
      return;
    }
    this.stats.vaFlushes++;
    const i = key & this.tlbMask;
    if (this.tlbKey[i] !== key) return; // not cached (another page's entry, or none)
    this.tlbKey[i] = -1;
    if (this.atlbOffset !== 0) this.clearArenaEntry(i);
  }

  /**
   * MemoryPort.stage2Relaxed: the stage-2 mapping of IPA page `ipaPage` became writable, nothing else changed. Drops
   * its stage-2 walk cache entry, which holds the old permission, and nothing else: no flush. No virtual address
   * translates to another page or loses a permission, so the CPU's block links and jump caches, which trust
   * MemoryPort.tlbGeneration and tlbGlobalGeneration, stay right; TLB entries of the page (and their arena twins) that still lack write
   * permission make a store miss and walk again, which refills them. (A full flush here, once per page a
   * dirty-logged guest first writes, was most of a Linux boot's flushes: each made the run loop relearn every link.)
   * With the TLB off, or where a cached walk may hold a stage-2 leaf larger than the page, as `tlbi("ipas2e1")`.
   */
  stage2Relaxed(ipaPage: number): void {
    if (!this.tlbEnabled || this.walk.s2cLarge) {
      this.tlbi('ipas2e1', BigInt(ipaPage) >> 12n);
      return;
    }
    this.walk.dropS2Entry(ipaPage / PAGE);
  }

  /**
   * Invalidate every TLB entry (both entry generations bumped) and every arena entry filled since the last flush
   * (their keys become -1); every ASID's generation and the global one are new. The stage-2 walk cache stays.
   */
  private flushTlb(): void {
    this.stats.flushes++;
    this.fetchedKeys.clear();
    this.fetchedGlobalKeys.clear();
    this.largeLo = Infinity;
    this.largeHi = -1;
    let g = this.entryGen + 1;
    if (g >= 0x7fff_fff0) {
      this.tlbGen.fill(0);
      g = 1;
    }
    this.entryGlobalGen = g;
    this.entryGen = g + 1;
    this.tlbGlobalGeneration = this.cpu.codeCache.newGeneration();
    this.asidGenerations.clear();
    this.asid = this.loadedAsid;
    this.newAsidGeneration();
    this.mirrorGenerations();
    for (let j = 0; j < this.atlbUsedCount; j++) {
      const i = this.atlbUsed[j]!;
      this.atlbListed[i] = 0;
      this.clearArenaEntry(i);
    }
    this.atlbUsedCount = 0;
  }

  /**
   * The current ASID becomes `asid` (refresh()): the non-global TLB entries go (they are not tagged with their ASID),
   * and tlbGeneration becomes `asid`'s, the one it had when it was last current unless TLB maintenance dropped it
   * since (then, and for an ASID not seen before, a new one).
   */
  private switchAsid(asid: number): void {
    this.asid = asid;
    let g = this.asidGenerations.get(asid);
    if (g === undefined) this.asidGenerations.set(asid, (g = this.cpu.codeCache.newGeneration()));
    this.tlbGeneration = g;
    this.dropNonGlobal();
  }

  /** TLBI ASIDE1: `asid`'s translations may have changed. Its generation goes (the current ASID's is new). */
  private dropAsid(asid: number): void {
    this.asidGenerations.delete(asid);
    if (asid === this.asid) this.newAsidGeneration();
    this.dropNonGlobal();
  }

  /** Every ASID's translations may have changed: every ASID's generation goes (the current ASID's is new). */
  private dropAllAsids(): void {
    this.fetchedKeys.clear();
    this.asidGenerations.clear();
    this.newAsidGeneration();
    this.dropNonGlobal();
  }

  /** The current ASID's generation is a new one (the caller mirrors it). */
  private newAsidGeneration(): void {
    this.tlbGeneration = this.cpu.codeCache.newGeneration();
    this.asidGenerations.set(this.asid, this.tlbGeneration);
  }

  /**
   * Invalidate the non-global TLB entries (entryGen bumped) and their arena twins, and mirror the generations (the
   * caller set tlbGeneration); global entries, and the arena entries listed as global, stay. (The keys of stage-1
   * leaves larger than a page stay counted in largeLo..largeHi until the next full flush: over-invalidation for a
   * TLBI by VA there.)
   */
  private dropNonGlobal(): void {
    if (this.entryGen + 1 >= 0x7fff_fff0) {
      this.flushTlb(); // (the entry counter wraps: a full flush)
      return;
    }
    this.stats.asidFlushes++;
    this.entryGen++;
    this.mirrorGenerations();
    let kept = 0;
    for (let j = 0; j < this.atlbUsedCount; j++) {
      const i = this.atlbUsed[j]!;
      if (this.atlbListed[i] === ARENA_GLOBAL) {
        this.atlbUsed[kept++] = i;
        continue;
      }
      this.atlbListed[i] = 0;
      this.clearArenaEntry(i);
    }
    this.atlbUsedCount = kept;
  }

  /** Set the load and store keys of arena entry `i` to -1 in every permission class's table: no access hits it. */
  private clearArenaEntry(i: number): void {
    const a = this.atlb32;
    const table = (this.tlbMask + 1) * (DTLB_ENTRY_BYTES >> 2);
    const w = i * (DTLB_ENTRY_BYTES >> 2);
    for (let k = 0; k < 3; k++) a.fill(-1, w + k * table, w + k * table + 4); // KEY_R, KEY_W
  }

  /**
   * The state block's mirrors of the two generations (state-layout.ts TLB_GEN, TLB_GEN_GLOBAL): their low 32 bits
   * (CodeCache.newGeneration).
   */
  private mirrorGenerations(): void {
    const st = this.cpu.st32;
    st[St.TLB_GEN >> 2] = this.tlbGeneration; // the words translated code keys its jump cache with
    st[St.TLB_GEN_GLOBAL >> 2] = this.tlbGlobalGeneration;
  }

  /** Whether TLB entry `i` belongs to a live generation (its key still has to match). */
  private live(i: number): boolean {
    const g = this.tlbGen[i]!;
    return g === this.entryGen || g === this.entryGlobalGen;
  }


  /** MemoryPort.release: the CPU is released; its arena TLB goes back to the arena. */
  release(): void {
    if (this.atlbOffset === 0) return;
    if (this.cpu.st32[St.TLB_BASE >> 2] === this.atlbOffset) {
      this.cpu.st32[St.TLB_BASE >> 2] = ARENA_NO_TLB;
      this.cpu.st32[St.TLB_MASK >> 2] = 0;
    }
    this.cpu.arena.free(this.atlbOffset, this.atlb32.byteLength);
  }

  /**
   * Translate `va` as an access described by `flags` (Acc bits; `Acc.Fetch` for an instruction fetch) with the
   * current registers, without touching memory or the TLB: the PA and attributes, or the fault the access would
   * take. For debugging, and for an AT implementation (which maps the result to PAR_EL1).
   */
  translate(va: bigint, flags = 0): Translation {
    if (!this.controlsCurrent()) this.refresh();
    try {
      this.walk.resolve(va, flags, false, false);
    } catch (e) {
      if (e instanceof MemoryFault) return { ok: false, fault: e };
      throw e;
    }
    return {
      ok: true,
      pa: BigInt(this.walk.rPa),
      ipa: BigInt(this.walk.rIpa),
      attr: this.walk.rAttr,
      s1Attr: this.walk.rS1Attr,
      perms: this.walk.rPerm,
      level: this.walk.rLevel,
      s2Level: this.walk.rS2Level,
    };
  }

  /**
   * The TLB entry for `va`, if one is valid: PA of the 4 KiB page, data attributes and {@link Perm} bits.
   * For tests and the MTE layer; undefined on a miss.
   */
  tlbEntry(va: bigint): { pa: number; attr: number; perms: number; tags: number } | undefined {
    if (!this.tlbEnabled) return undefined;
    const key = Number((va >> 12n) & 0xfff_ffff_ffffn);
    const i = key & this.tlbMask;
    if (this.tlbKey[i] !== key || !this.live(i)) return undefined;
    return { pa: this.tlbPa[i]!, attr: this.tlbAttr[i]!, perms: this.tlbPerm[i]!, tags: this.tlbTagKind[i]! };
  }

  // ================================================================ hot-path helpers

  /** TLB key VA[55:12] of an address at or above 2^53 (see {@link keyOf}). */
  private wideKey(va: bigint, fetchShift: number): number {
    this.split64[0] = va;
    return this.keyOf(this.split32[1]!, this.split32[0]!, fetchShift);
  }

  /**
   * TLB key VA[55:12] of the address whose 32-bit halves (int32 or unsigned) are (hi, lo), any address; -2 (never a
   * key) when the top byte is not ignorable (TBI off for its half; `fetchShift` 2 selects the instruction TBI bits).
   * The page offset is left in wideOff and the logical tag, VA[59:56], in wideTag.
   */
  private keyOf(hi: number, lo: number, fetchShift: number): number {
    this.wideOff = lo & 0xfff;
    const b55 = (hi >>> 23) & 1;
    this.wideTag = (hi >>> 24) & 0xf;
    if (hi >>> 24 !== (b55 === 1 ? 0xff : 0) && ((this.walk.tbiMask >> (fetchShift + b55)) & 1) === 0) return -2;
    return (hi & 0xff_ffff) * 1048576 + (lo >>> 12);
  }

  /**
   * The hot path's tag check of a TLB hit on a page with tags ({@link TlbTags}.Tagged or NoTagAccess), for a
   * checked access of `size` bytes at page offset `off` that stays inside the page (the address's int32 halves
   * lo, hi): true when the access may go ahead. A privileged or EL0 access at an EL whose check field is 0 (or with
   * PSTATE.TCO set) is not checked, which the CPU's state block says without BigInts (a kernel without in-kernel tag
   * checks touches Tagged memory all the time); otherwise the allocation tags of the one or two granules are
   * compared with the logical tag, and only a mismatch (or NoTagAccess) asks the CPU whether the check is enabled.
   * False sends the access to the slow path, which raises the fault or records the asynchronous one.
   */
  private tagsPass(i: number, off: number, size: number, ltag: number, lo: number, hi: number, flags: number): boolean {
    // (Acc.Unpriv at EL1 is checked with TCF0, which tagCheckFieldOff does not look at: tagCheckMode decides.)
    if (this.cpu.tco !== 0 || ((flags & UNPRIV) === 0 && tagCheckFieldOff(this.cpu))) return true;
    const ts = this.tlbTags[i]!;
    if (ts !== null) {
      const pa = this.tlbPa[i]! + off;
      if (ts.getTag(pa) === ltag && ((off & 15) + size <= 16 || ts.getTag(pa + size - 1) === ltag)) return true;
    }
    return tagCheckMode(this.cpu, this.bigOf(lo, hi), flags) === 0;
  }

  /** The TLB index of a hit that allows a tag read/write at `va` (page offset in wideOff), or -1. */
  private tagTlbIndex(va: bigint, flags: number): number {
    const f = Number(va);
    let key: number;
    if (f < TWO53) {
      this.wideOff = f % PAGE;
      key = (f - this.wideOff) / PAGE;
    } else {
      key = this.wideKey(va, 0);
    }
    const i = key & this.tlbMask;
    if (this.tlbKey[i] !== key || !this.live(i)) return -1;
    const need = accessNeed(this.cpu, flags);
    return (this.tlbPerm[i]! & need) === need ? i : -1;
  }

  /** need() of a data access without Unpriv/Fetch, for state `k` (0: EL0, 1: EL1+ with PAN 0, 2: with PAN 1). */
  private needFor(flags: number, k: number): number {
    if (k === 0) return (flags & W) !== 0 ? Perm.WriteEl0 : Perm.ReadEl0;
    const n = (flags & W) !== 0 ? Perm.WriteEl1 : Perm.ReadEl1;
    return k === 2 ? n | Perm.PanOk : n;
  }

  /** An unaligned access the hot path may perform: Normal memory, no alignment check asked for, inside the page. */
  private unalignedOk(p: number, flags: number, off: number, size: number): boolean {
    return (p & Perm.Normal) !== 0 && (flags & ALIGNED) === 0 && this.alignCheck === 0 && off + size <= PAGE;
  }

  // ================================================================ slow paths

  /**
   * Load the translation controls from the system registers: the walker's (walk.ts) and the MMU's own (SCTLR_EL1.A,
   * the ASID). A change of ASID is followed (switchAsid) unless `followAsid` is false: the caller flushes everything
   * next (flushTlb takes the loaded ASID).
   */
  private refresh(followAsid = true): void {
    const s = this.cpu.sys;
    this.noteControlRegs();
    const w = this.walk;
    w.load();
    this.alignCheck = (Number(s[SysReg.SCTLR_EL1]! & 0xffff_ffffn) >>> 1) & 1;
    // The ASID: TTBR1_EL1's with TCR_EL1.A1 (bit 22), else TTBR0_EL1's; 16 bits with TCR_EL1.AS (bit 36) where
    // ID_AA64MMFR0_EL1.ASIDBits (bits 7:4) is 0b0010, else 8.
    const asid16 = (w.tcrHi & 0x10) !== 0 && (Number(s[SysReg.ID_AA64MMFR0_EL1]! >> 4n) & 0xf) === 2;
    this.asidMask = asid16 ? 0xffff : 0xff;
    const asid = Number(s[(w.tcrLo & 0x40_0000) !== 0 ? SysReg.TTBR1_EL1 : SysReg.TTBR0_EL1]! >> 48n) & this.asidMask;
    this.loadedAsid = asid;
    if (followAsid && asid !== this.asid) this.switchAsid(asid);
  }

  /** Alignment checks that do not depend on the memory type: they come before translation. */
  private beginSlow(va: bigint, size: number, flags: number): void {
    // Translation registers written without controlChanged (a hypervisor's ONE_REG writes, a test) are noticed here.
    if (!this.controlsCurrent()) this.refresh();
    this.stats.slow++;
    if ((flags & (F | CM)) === 0 && (Number(va & 7n) & (size - 1)) !== 0 &&
      ((flags & ALIGNED) !== 0 || this.alignCheck !== 0)) {
      throw memoryFault(1, Fsc.Alignment, va, flags);
    }
  }

  /** The tag check mode of a data access (0 unchecked, 1 synchronous, 2 asynchronous), from the CPU's controls. */
  private checkMode(va: bigint, flags: number): number {
    return (flags & TC) !== 0 ? tagCheckMode(this.cpu, va, flags) : 0;
  }

  private readSlow(va: bigint, size: number, flags: number): bigint {
    this.beginSlow(va, size, flags);
    const mode = this.checkMode(va, flags);
    const use = mode !== 0 ? TagUse.Check : TagUse.None;
    const off = Number(va & 0xfffn);
    if (off + size <= PAGE) {
      this.walk.resolve(va, flags, (off & (size - 1)) !== 0, false, false, use);
      this.fill(va);
      if (mode !== 0) this.checkTags(this.walk.rAttr, this.walk.rPa, size, va, 0, mode, flags);
      return this.physRead(this.walk.rPa, size, va, flags);
    }
    // An unaligned access crossing a page: each page is translated and checked (the second page's faults report
    // its first byte), then the tags of each page are checked and its memory read, in address order.
    const n1 = PAGE - off;
    const va2 = BigInt.asUintN(64, va + BigInt(n1));
    this.walk.resolve(va, flags, true, false, false, use);
    const pa1 = this.walk.rPa;
    const attr1 = this.walk.rAttr;
    this.fill(va);
    this.walk.resolve(va2, flags, true, false, false, use);
    const pa2 = this.walk.rPa;
    this.fill(va2);
    if (mode !== 0) this.checkTags(attr1, pa1, n1, va, 0, mode, flags);
    const lo = this.physRead(pa1, n1, va, flags);
    if (mode !== 0) this.checkTags(this.walk.rAttr, pa2, size - n1, va, n1, mode, flags);
    return lo | (this.physRead(pa2, size - n1, va2, flags) << BigInt(8 * n1));
  }

  private writeSlow(va: bigint, size: number, value: bigint, flags: number): void {
    this.beginSlow(va, size, flags);
    const mode = this.checkMode(va, flags);
    const use = mode !== 0 ? TagUse.Check : TagUse.None;
    const off = Number(va & 0xfffn);
    if (off + size <= PAGE) {
      this.walk.resolve(va, flags, (off & (size - 1)) !== 0, false, false, use);
      this.fill(va);
      if (mode !== 0) this.checkTags(this.walk.rAttr, this.walk.rPa, size, va, 0, mode, flags);
      this.physCheck(this.walk.rPa, size, va, flags);
      this.physWrite(this.walk.rPa, size, value);
      return;
    }
    // Both pages are translated and checked (faults, then tags, then memory) before either is written: a faulting
    // store writes nothing.
    const n1 = PAGE - off;
    const va2 = BigInt.asUintN(64, va + BigInt(n1));
    this.walk.resolve(va, flags, true, false, false, use);
    const pa1 = this.walk.rPa;
    const attr1 = this.walk.rAttr;
    this.fill(va);
    this.walk.resolve(va2, flags, true, false, false, use);
    const pa2 = this.walk.rPa;
    this.fill(va2);
    if (mode !== 0) this.checkTags(attr1, pa1, n1, va, 0, mode, flags);
    this.physCheck(pa1, n1, va, flags);
    if (mode !== 0) this.checkTags(this.walk.rAttr, pa2, size - n1, va, n1, mode, flags);
    this.physCheck(pa2, size - n1, va2, flags);
    this.physWrite(pa1, n1, value);
    this.physWrite(pa2, size - n1, value >> BigInt(8 * n1));
  }

  /**
   * Tag-check `n` bytes at `pa`, bytes [start, start + n) of the access at `va`, whose check is enabled (`mode`
   * 1 synchronous, 2 asynchronous): when `attr` is Tagged Normal and the region has tag storage, compare the logical
   * tag with the allocation tag of every granule touched. The first mismatch is, synchronously, a Tag Check fault
   * (stage 1, DFSC 0x11, WnR as the access) whose FAR is the access's first byte if that granule is the first one,
   * else the start of the failing granule, with the address bits [63:56] of the access as given (QEMU 10 reports
   * the whole pointer, bits [63:60] included); asynchronously it is recorded in TFSR_EL1/TFSRE0_EL1 and the access
   * goes on.
   */
  private checkTags(attr: number, pa: number, n: number, va: bigint, start: number, mode: number, flags: number):
    void {
    if ((attr & MemAttr.Tagged) === 0) return;
    const tags = this.regionFor(pa, 1)?.tags;
    if (tags === undefined) return;
    const ltag = Number((va >> 56n) & 0xfn);
    const end = pa + n;
    for (let g = pa - (pa % 16); g < end; g += 16) {
      if ((tags.getTag(g) & 0xf) === ltag) continue;
      if (mode === 2) {
        recordAsyncTagFault(this.cpu, va, (flags & UNPRIV) !== 0);
        return;
      }
      const at = g <= pa ? start : start + (g - pa);
      throw memoryFault(1, Fsc.TagCheck, at === 0 ? va : BigInt.asUintN(64, va + BigInt(at)), flags);
    }
  }

  private zeroSlow(va: bigint, size: number): void {
    this.beginSlow(va, 1, W); // the CPU aligned va: no flag-driven alignment check applies to DC ZVA
    const mode = this.checkMode(va, W | TC);
    const pieces: Array<[number, number, bigint]> = [];
    for (let done = 0; done < size;) {
      const v = BigInt.asUintN(64, va + BigInt(done));
      const n = Math.min(size - done, PAGE - Number(v & 0xfffn));
      this.walk.resolve(v, W, false, true, false, mode !== 0 ? TagUse.Check : TagUse.None);
      this.fill(v);
      if (mode !== 0) this.checkTags(this.walk.rAttr, this.walk.rPa, n, va, done, mode, W | TC);
      this.physCheck(this.walk.rPa, n, v, W);
      pieces.push([this.walk.rPa, n, v]);
      done += n;
    }
    const smp = this.cpu.smp;
    for (const [pa, n] of pieces) {
      if (smp.openReservations !== 0) smp.stored(this.cpu, pa, n);
      for (let j = 0; j < n;) {
        const r = this.phys.region(pa + j)!;
        const o = pa + j - r.base;
        const m = Math.min(n - j, r.bytes.length - o);
        this.cpu.codeCache.written(r.bytes, o, m);
        r.bytes.fill(0, o, o + m);
        j += m;
      }
    }
  }

  /** Cache the translation the walker's resolve() just produced, when its 4 KiB page lies wholly inside one region. */
  private fill(va: bigint): void {
    if (!this.tlbEnabled) return;
    const page = this.walk.rPa - (this.walk.rPa % PAGE);
    const r = this.phys.region(page);
    if (r === undefined) return;
    const o = page - r.base;
    if (o < 0 || o + PAGE > r.bytes.length) return;
    const key = Number((va >> 12n) & 0xfff_ffff_ffffn);
    const i = key & this.tlbMask;
    this.tlbKey[i] = key;
    this.tlbGen[i] = this.walk.rGlobal ? this.entryGlobalGen : this.entryGen;
    this.tlbPerm[i] = this.walk.rPerm;
    this.tlbOff[i] = o;
    this.tlbPa[i] = page;
    this.tlbAttr[i] = this.walk.rDataAttr;
    this.tlbView[i] = r.view;
    this.tlbBytes[i] = r.bytes;
    const code = this.cpu.codeCache.region(r.bytes, r.arena);
    this.tlbCodeRegion[i] = code;
    this.tlbLive[i] = code.live;
    this.tlbPageNo[i] = o / PAGE;
    this.tlbCode[i] = null;
    this.tlbFetched[i] = 0;
    const leaf = this.walk.rLeafShift;
    if (leaf > 12) {
      // Several entries may hold this leaf: remember the keys it covers (invalidateVa).
      const span = 2 ** (leaf - 12);
      const first = key - (key % span);
      if (first < this.largeLo) this.largeLo = first;
      if (first + span - 1 > this.largeHi) this.largeHi = first + span - 1;
    }
    const a = this.walk.rDataAttr;
    const tags = (a & MemAttr.Tagged) !== 0 ? r.tags : undefined;
    this.tlbTagKind[i] = tags !== undefined ? TlbTags.Tagged : (a & MemAttr.NoTagAccess) !== 0 ? TlbTags.NoTagAccess
      : TlbTags.None;
    this.tlbTags[i] = tags ?? null;
    if (this.atlbOffset !== 0) this.fillArena(i, key, r, o);
  }

  /**
   * The arena twin of TLB entry `i` (aarch64-cpu's Dtlb), for the page at VA[55:12] = `key`, offset `o` in region
   * `r`, in each permission class's table (EL0; EL1 with PAN 0; with PAN 1): a load key and a store key, the page's
   * masked VA when the class may make that access inline, else -1. Memory outside the CPU's arena never hits inline, nor
   * do NoTagAccess pages or Tagged pages whose tags are not in the arena (the inline path compares them).
   */
  private fillArena(i: number, key: number, r: PhysRegion, o: number): void {
    const a = this.atlb32;
    const w = i * (DTLB_ENTRY_BYTES >> 2);
    const table = (this.tlbMask + 1) * (DTLB_ENTRY_BYTES >> 2);
    if (this.atlbListed[i] === 0) this.atlbUsed[this.atlbUsedCount++] = i;
    this.atlbListed[i] = this.walk.rGlobal ? ARENA_GLOBAL : ARENA_NON_GLOBAL;
    const inArena = r.arena !== undefined && r.arena.arena === this.cpu.arena;
    const kind = this.tlbTagKind[i]!;
    const tagOff = r.arena?.tagOffset;
    const hit = inArena && (kind === TlbTags.None || (kind === TlbTags.Tagged && tagOff !== undefined));
    const keyHi = Math.floor(key / 1048576); // VA[55:32]
    const upper = (keyHi >>> 23) & 1; // VA[55]: which half, and the canonical top byte
    const maskHi = ((this.walk.tbiMask >> upper) & 1) !== 0 ? 0x00ff_ffff : -1;
    const kLo = ((key % 1048576) << 12) | 0;
    const kHi = (keyHi | (upper !== 0 ? 0xff00_0000 : 0)) & maskHi;
    const host = inArena ? r.arena!.offset + o : 0;
    const tags = kind === TlbTags.Tagged && tagOff !== undefined ? tagOff + (o / PAGE) * 128 : 0;
    // Normal memory: translated SIMD&FP accesses may be unaligned inline (the tags' offset is 16-byte aligned).
    const tagWord = tags | ((this.walk.rPerm & Perm.Normal) !== 0 ? DTLB_NORMAL : 0);
    for (let k = 0; k < 3; k++) {
      const s = w + k * table;
      const nr = this.arenaNeed[k]!;
      const nw = this.arenaNeed[k + 3]!;
      const rOk = hit && (this.walk.rPerm & nr) === nr;
      const wOk = hit && (this.walk.rPerm & nw) === nw;
      a[s + (Dtlb.KEY_R >> 2)] = rOk ? kLo : -1;
      a[s + (Dtlb.KEY_R >> 2) + 1] = rOk ? kHi : -1;
      a[s + (Dtlb.KEY_W >> 2)] = wOk ? kLo : -1;
      a[s + (Dtlb.KEY_W >> 2) + 1] = wOk ? kHi : -1;
      a[s + (Dtlb.MASK >> 2)] = 0xffff_f000 | 0;
      a[s + (Dtlb.MASK >> 2) + 1] = maskHi;
      a[s + (Dtlb.HOST >> 2)] = host;
      a[s + (Dtlb.TAG_HOST >> 2)] = tagWord;
    }
  }

  // ---- physical accesses (slow path) ----

  private regionFor(pa: number, n: number): PhysRegion | undefined {
    const r = this.phys.region(pa);
    return r !== undefined && pa - r.base + n <= r.bytes.length ? r : undefined;
  }

  private physRead(pa: number, n: number, va: bigint, flags: number): bigint {
    const r = this.regionFor(pa, n);
    if (r !== undefined) {
      const o = pa - r.base;
      switch (n) {
        case 1: return BigInt(r.view.getUint8(o));
        case 2: return BigInt(r.view.getUint16(o, true));
        case 4: return BigInt(r.view.getUint32(o, true));
        case 8: return r.view.getBigUint64(o, true);
      }
    }
    let v = 0n;
    for (let j = 0; j < n; j++) {
      const b = this.regionFor(pa + j, 1);
      if (b === undefined) throw memoryFault(1, Fsc.SyncExternal, BigInt.asUintN(64, va + BigInt(j)), flags);
      v |= BigInt(b.bytes[pa + j - b.base]!) << BigInt(8 * j);
    }
    return v;
  }

  /** Throw the external abort a write of `n` bytes at `pa` would take, if any byte has no memory. */
  private physCheck(pa: number, n: number, va: bigint, flags: number): void {
    if (this.regionFor(pa, n) !== undefined) return;
    for (let j = 0; j < n; j++) {
      if (this.regionFor(pa + j, 1) === undefined) {
        throw memoryFault(1, Fsc.SyncExternal, BigInt.asUintN(64, va + BigInt(j)), flags);
      }
    }
  }

  /** Write `n` bytes (already checked by physCheck). */
  private physWrite(pa: number, n: number, value: bigint): void {
    const smp = this.cpu.smp;
    if (smp.openReservations !== 0) smp.stored(this.cpu, pa, n);
    const r = this.regionFor(pa, n);
    if (r !== undefined) {
      const o = pa - r.base;
      this.cpu.codeCache.written(r.bytes, o, n);
      switch (n) {
        case 1: r.view.setUint8(o, Number(value & 0xffn)); return;
        case 2: r.view.setUint16(o, Number(value & 0xffffn), true); return;
        case 4: r.view.setUint32(o, Number(value & 0xffff_ffffn), true); return;
        case 8: r.view.setBigUint64(o, value, true); return;
      }
    }
    for (let j = 0; j < n; j++) {
      const b = this.regionFor(pa + j, 1)!;
      this.cpu.codeCache.written(b.bytes, pa + j - b.base, 1);
      b.bytes[pa + j - b.base] = Number((value >> BigInt(8 * j)) & 0xffn);
    }
  }

  // ---- translation ----

  /**
   * Translate one access to one page with every check, in the architecture's order: stage 1 (walk faults, then
   * Access flag, then the memory-type alignment fault, then permissions), then stage 2 of the output IPA (walk
   * faults, Access flag, alignment for Device memory, permissions). Leaves the result in the r* fields.
   * `unaligned`: the whole access is not naturally aligned. `dczva`: DC ZVA (Device memory always faults).
   * `tagUse`: the access reads or writes allocation tags, or is a data access whose tag check is enabled: then
   * stage-1 Tagged memory that stage 2 marks NoTagAccess (FEAT_MTE_PERM) is a stage-2 Permission fault with
   * ISS2.TagAccess, checked after the other stage-2 permissions (as AArch64.S2CheckPermissions).
   */
}
