/**
 * A VM's stage-2 translation tables: VMSAv8-64, 4 KiB granule, built lazily one page at a time by the fault path.
 * Table pages come from host-physical regions this VM owns. Only level-3 page descriptors are written (no blocks),
 * so tag set-up and dirty tracking can later work per page.
 *
 * Start level: IPA sizes 32..39 bits start at level 1 (VTCR_EL2.SL0 = 1); 40..48 bits at level 0 (SL0 = 2),
 * which avoids concatenated root tables.
 */
import type { HostPhysicalMemory } from './host-memory.js';
import { S2MemAttr, s2PageDesc, tableDesc, type PhysRegion } from '@kvm-mte/mmu';

const PAGE = 4096;
/** What one level-3 table maps (512 pages of 4 KiB). */
const L3_SPAN = 512 * PAGE;
const POOL_PAGES = 16;
/** S2AP[1]: write access. */
const S2AP_WRITE = 1n << 7n;

/** Stage-2 MemAttr[3:0] with HCR_EL2.FWB = 0. */
export const S2_MEMATTR_NORMAL_WB = 0b1111;
export const S2_MEMATTR_DEVICE_nGnRE = 0b0001;
/** FEAT_MTE_PERM (FWB = 0): Normal, NoTagAccess, write-back. */
export const S2_MEMATTR_NOTAGACCESS: number = S2MemAttr.NoTagAccess;

export interface S2PageAttrs {
  readOnly: boolean;
  /** MemAttr[3:0] (FWB = 0). */
  memAttr: number;
}

export class Stage2 {
  readonly startLevel: number;
  /** Host-physical address of the root table. */
  readonly root: number;
  private readonly pools: PhysRegion[] = [];
  private poolUsed = POOL_PAGES;
  /** Table pages allocated (including the root). */
  tablePages = 0;

  constructor(private readonly phys: HostPhysicalMemory, readonly ipaBits: number) {
    this.startLevel = ipaBits >= 40 ? 0 : 1;
    this.root = this.allocTable();
  }

  /** VTCR_EL2 for this table: T0SZ, SL0, inner/outer write-back, inner shareable, 4 KiB, PS = 48 bits, RES1 bit 31. */
  get vtcr(): bigint {
    const t0sz = BigInt(64 - this.ipaBits);
    const sl0 = this.startLevel === 0 ? 2n : 1n;
    return (1n << 31n) | (5n << 16n) | (0n << 14n) | (3n << 12n) | (1n << 10n) | (1n << 8n) | (sl0 << 6n) | t0sz;
  }

  /** VTTBR_EL2 for this table and VMID (8-bit VMIDs: bits [55:48]). */
  vttbr(vmid: number): bigint {
    return (BigInt(vmid & 0xff) << 48n) | BigInt(this.root);
  }

  /** Map the page at `ipa` (page aligned) to host-physical `pa` as a level-3 page, replacing what was there. */
  map(ipa: number, pa: number, attrs: S2PageAttrs): void {
    const { region, offset } = this.leafSlot(ipa, true)!;
    const desc = s2PageDesc(pa, {
      memAttr: attrs.memAttr,
      s2ap: attrs.readOnly ? 0b01 : 0b11,
      sh: 3,
      af: true,
    });
    region.view.setBigUint64(offset, desc, true);
  }

  /** The level-3 descriptor for `ipa`, or 0n when no table reaches it. */
  lookup(ipa: number): bigint {
    const slot = this.leafSlot(ipa, false);
    return slot === undefined ? 0n : slot.region.view.getBigUint64(slot.offset, true);
  }

  /**
   * Set or clear the write permission (S2AP[1]) of the valid page descriptors in [ipa, ipa + size).
   * Returns how many descriptors changed.
   */
  setWritable(ipa: number, size: number, writable: boolean): number {
    let n = 0;
    this.forEachLeaf(ipa, size, (slot) => {
      const d = slot.region.view.getBigUint64(slot.offset, true);
      if ((d & 1n) === 0n) return;
      const nd = writable ? d | S2AP_WRITE : d & ~S2AP_WRITE;
      if (nd !== d) {
        slot.region.view.setBigUint64(slot.offset, nd, true);
        n++;
      }
    });
    return n;
  }

  /** Invalidate the page descriptors of [ipa, ipa + size). Returns how many valid ones were cleared. */
  unmapRange(ipa: number, size: number): number {
    let n = 0;
    this.forEachLeaf(ipa, size, (slot) => {
      if ((slot.region.view.getBigUint64(slot.offset, true) & 1n) !== 0n) n++;
      slot.region.view.setBigUint64(slot.offset, 0n, true);
    });
    return n;
  }

  /**
   * Call `fn` with the level-3 descriptor slot of each page of [ipa, ipa + size) that has one. Where a walk finds no
   * level-3 table, none of the 2 MiB that table would map has a slot, so the loop moves on to the next 2 MiB: marking
   * 256 MiB of mostly untouched RAM read-only (dirty logging) walks 128 ranges, not 65,536 pages.
   */
  private forEachLeaf(ipa: number, size: number, fn: (slot: { region: PhysRegion; offset: number }) => void): void {
    const end = ipa + size;
    for (let a = ipa; a < end;) {
      const slot = this.leafSlot(a, false);
      if (slot === undefined) {
        a = (Math.floor(a / L3_SPAN) + 1) * L3_SPAN;
        continue;
      }
      fn(slot);
      a += PAGE;
    }
  }

  private leafSlot(ipa: number, create: boolean): { region: PhysRegion; offset: number } | undefined {
    let table = this.root;
    for (let level = this.startLevel; ; level++) {
      const shift = 12 + 9 * (3 - level);
      const index = Math.floor(ipa / 2 ** shift) % 512;
      const region = this.phys.region(table)!;
      const offset = table - region.base + index * 8;
      if (level === 3) return { region, offset };
      const desc = region.view.getBigUint64(offset, true);
      if ((desc & 3n) === 3n) {
        table = Number(desc & 0x0000_ffff_ffff_f000n);
      } else {
        if (!create) return undefined;
        const next = this.allocTable();
        region.view.setBigUint64(offset, tableDesc(next), true);
        table = next;
      }
    }
  }

  private allocTable(): number {
    if (this.poolUsed === POOL_PAGES) {
      this.pools.push(this.phys.allocRaw(POOL_PAGES * PAGE));
      this.poolUsed = 0;
    }
    const pool = this.pools[this.pools.length - 1]!;
    this.tablePages++;
    return pool.base + PAGE * this.poolUsed++;
  }
}
