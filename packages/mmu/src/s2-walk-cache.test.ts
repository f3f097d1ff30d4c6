// The stage-2 walk cache (mmu.ts): successful stage-2 walks are kept across the flushes that cannot change stage 2
// (stage-1 TLBIs, stage-1 register writes) and dropped by every stage-2 invalidation; faults are never cached.
import { Acc, Fsc, MemoryFault, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { s1PageDesc, s2BlockDesc, s2PageDesc, tableDesc } from './descriptors.js';
import { Hcr } from './access.js';
import { Attr, enableS1, faultOf, makeEnv, RAM_BASE, RAM_SIZE, rng, type Env } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000;
/** VTCR_EL2: 40-bit IPA (T0SZ 24), start level 1, 4 KiB granule, PS 40 bits. */
const VTCR = 24n | (1n << 6n) | (2n << 16n);
/** IPAs outside the identity-mapped RAM window, mapped page by page. */
const IPA = 0x8010_0000n; // cache index 256: no conflict with the table pages at the start of RAM
const VA = 0x1000n;
const S2 = { start: 1, inputSize: 40 };

interface S2Env extends Env {
  s2root: number;
  /** Write a stage-2 page descriptor, with no TLB maintenance. */
  s2write(ipa: bigint, desc: bigint): void;
}

/**
 * RAM identity mapped at stage 2 with 2 MiB blocks (or 4 KiB pages: `pages`); stage 1 on, VA 0x1000 + k pages ->
 * IPA + k pages (k < 4).
 */
function s2Env(o: { tlb?: boolean; hcr?: bigint; s1?: boolean; pages?: boolean } = {}): S2Env {
  const e = makeEnv({ tlb: o.tlb ?? true });
  const s2root = e.t.alloc(8192);
  if (o.pages === true) {
    for (let off = 0; off < RAM_SIZE; off += 0x1000) e.t.map(s2root, BigInt(RAM_BASE + off), s2PageDesc(RAM_BASE + off), S2);
  } else {
    for (let off = 0; off < RAM_SIZE; off += 0x20_0000) {
      e.t.map(s2root, BigInt(RAM_BASE + off), s2BlockDesc(RAM_BASE + off), { ...S2, leafLevel: 2 });
    }
  }
  e.cpu.sys[SysReg.VTCR_EL2] = VTCR;
  e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(s2root) | (5n << 48n);
  e.set('HCR_EL2', o.hcr ?? Hcr.VM);
  const env = Object.assign(e, {
    s2root,
    s2write(ipa: bigint, desc: bigint) {
      e.t.map(s2root, ipa, desc, S2);
    },
  });
  for (let k = 0; k < 4; k++) {
    e.ram.view.setUint32(DATA + k * 0x1000 - RAM_BASE, 0xd0 + k, true);
    e.t.map(e.root0, VA + BigInt(k * 0x1000), s1PageDesc(IPA + BigInt(k * 0x1000), { attrIndx: Attr.WB }));
  }
  env.s2write(IPA, s2PageDesc(DATA));
  env.s2write(IPA + 0x1000n, s2PageDesc(DATA + 0x1000));
  if (o.s1 ?? true) enableS1(e);
  return env;
}

/** Point IPA at DATA + 0x3000 (no maintenance): what the next walk of it sees. */
function remap(e: S2Env): void {
  e.s2write(IPA, s2PageDesc(DATA + 0x3000));
}

const STAGE1_TLBIS = [
  'vmalle1', 'vmalle1is', 'vmalle1os', 'vmalle1nxs', 'vmalle1isnxs', 'vae1', 'vae1is', 'vae1os', 'vae1nxs',
  'vale1', 'vale1is', 'vale1os', 'vaae1', 'vaae1is', 'vaale1', 'vaale1is', 'aside1', 'aside1is', 'aside1os',
  'rvae1', 'rvae1is', 'rvale1os', 'rvaae1', 'rvaale1is',
];

describe('stage-2 walk cache', () => {
  it('is used: after a stage-1 TLBI, refilling the TLB walks stage 1 only', () => {
    const e = s2Env();
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
    const { s2Walks, s2Hits, walks } = e.mmu.stats;
    expect(s2Walks).toBeGreaterThan(0);
    e.mmu.tlbi('vae1is', VA >> 12n);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
    expect(e.mmu.stats.walks).toBe(walks + 1); // the TLB missed
    expect(e.mmu.stats.s2Walks).toBe(s2Walks); // stage 2 of the four table reads and of the final IPA: cached
    expect(e.mmu.stats.s2Hits).toBe(s2Hits + 5);
  });

  it('is not used with the TLB off (the reference path walks both stages every time)', () => {
    const e = s2Env({ tlb: false });
    e.mmu.read(VA, 4, 0);
    const s2Walks = e.mmu.stats.s2Walks;
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
    expect(e.mmu.stats.s2Walks).toBe(s2Walks + 5);
    expect(e.mmu.stats.s2Hits).toBe(0);
    remap(e);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd3n);
  });

  for (const op of STAGE1_TLBIS) {
    it(`TLBI ${op} keeps it (a changed stage-2 descriptor is not seen yet)`, () => {
      const e = s2Env();
      expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
      remap(e);
      const s2Walks = e.mmu.stats.s2Walks;
      e.mmu.tlbi(op, op.includes('vmall') || op.includes('asid') ? 0n : VA >> 12n);
      // The TLB itself was flushed; by ASID only its non-global entries (this page's is global: it stays, and the
      // read below comes from it).
      if (op.includes('asid')) expect(e.mmu.tlbEntry(VA)).toBeDefined();
      else expect(e.mmu.tlbEntry(VA)).toBeUndefined();
      expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n); // stale, as a real TLB's stage-2 entry may be
      expect(e.mmu.stats.s2Walks).toBe(s2Walks);
    });
  }

  it('stage-1 register writes (TTBR0, TCR, SCTLR, MAIR) and EL changes keep it', () => {
    const e = s2Env();
    e.mmu.read(VA, 4, 0);
    remap(e);
    e.set('TTBR0_EL1', BigInt(e.root0) | (1n << 48n)); // a new ASID
    e.set('MAIR_EL1', e.cpu.sys[SysReg.MAIR_EL1]!);
    e.cpu.el = 0;
    e.mmu.controlChanged();
    e.cpu.el = 1;
    e.mmu.controlChanged();
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
  });

  for (const [what, invalidate] of [
    ['tlbi ipas2e1 of the IPA', (e: S2Env) => e.mmu.tlbi('ipas2e1', IPA >> 12n)],
    ['tlbi ipas2e1is of the IPA (NS and TTL bits set)', (e: S2Env) => e.mmu.tlbi('ipas2e1is', (1n << 63n) | (3n << 44n) | (IPA >> 12n))],
    ['tlbi ipas2le1 of the IPA', (e: S2Env) => e.mmu.tlbi('ipas2le1', IPA >> 12n)],
    ['tlbi ipas2le1os of the IPA', (e: S2Env) => e.mmu.tlbi('ipas2le1os', IPA >> 12n)],
    ['tlbi ipas2e1nxs of the IPA', (e: S2Env) => e.mmu.tlbi('ipas2e1nxs', IPA >> 12n)],
    ['tlbi ripas2e1 (range)', (e: S2Env) => e.mmu.tlbi('ripas2e1', 0n)],
    ['tlbi vmalls12e1', (e: S2Env) => e.mmu.tlbi('vmalls12e1', 0n)],
    ['tlbi vmalls12e1is', (e: S2Env) => e.mmu.tlbi('vmalls12e1is', 0n)],
    ['tlbi alle1', (e: S2Env) => e.mmu.tlbi('alle1', 0n)],
    ['tlbi alle1is', (e: S2Env) => e.mmu.tlbi('alle1is', 0n)],
    ['tlbi alle1osnxs', (e: S2Env) => e.mmu.tlbi('alle1osnxs', 0n)],
    ['an unknown tlbi', (e: S2Env) => e.mmu.tlbi('alle2', 0n)],
    ['flush()', (e: S2Env) => e.mmu.flush()],
    ['a VMID change (VTTBR_EL2[63:48])', (e: S2Env) => e.set('VTTBR_EL2', BigInt(e.s2root) | (6n << 48n))],
    ['a VTCR_EL2 change (SH0)', (e: S2Env) => e.set('VTCR_EL2', VTCR | (3n << 12n))],
    ['HCR_EL2.PTW', (e: S2Env) => e.set('HCR_EL2', Hcr.VM | Hcr.PTW)],
    ['HCR_EL2.FWB', (e: S2Env) => e.set('HCR_EL2', Hcr.VM | Hcr.FWB)],
    ['HCR_EL2.VM off and on', (e: S2Env) => {
      e.set('HCR_EL2', 0n);
      e.set('HCR_EL2', Hcr.VM);
    }],
    ['a PARange change (ID_AA64MMFR0_EL1)', (e: S2Env) => e.set('ID_AA64MMFR0_EL1', (e.cpu.sys[SysReg.ID_AA64MMFR0_EL1]! & ~0xfn) | 2n)],
    // Written without controlChanged: the slow path re-reads the registers, and drops the cache on a change.
    ['a VTTBR_EL2 write without controlChanged, then a stage-1 TLBI', (e: S2Env) => {
      e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(e.s2root) | (7n << 48n);
      e.mmu.tlbi('vmalle1', 0n);
    }],
  ] as const) {
    it(`${what} drops it: the next access sees the changed descriptor`, () => {
      const e = s2Env();
      expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
      remap(e);
      e.mmu.tlbi('vmalle1', 0n);
      expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n); // cached
      invalidate(e);
      expect(e.mmu.read(VA, 4, 0)).toBe(0xd3n);
      expect(e.mmu.translate(VA)).toMatchObject({ ok: true, ipa: IPA, pa: BigInt(DATA + 0x3000) });
    });
  }

  it('IPAS2E1 of another IPA page keeps this one when every entry is a 4 KiB page', () => {
    const e = s2Env({ s1: false }); // VA = IPA: no stage-1 table reads, only the final IPAs
    e.s2write(IPA + 0x40_0000n, s2PageDesc(DATA + 0x2000)); // same cache index as IPA (1024 entries apart)
    expect(e.mmu.read(IPA, 4, 0)).toBe(0xd0n);
    expect(e.mmu.read(IPA + 0x1000n, 4, 0)).toBe(0xd1n);
    remap(e);
    e.s2write(IPA + 0x1000n, s2PageDesc(DATA + 0x2000));
    e.mmu.tlbi('ipas2e1is', (IPA + 0x1000n) >> 12n);
    expect(e.mmu.read(IPA, 4, 0)).toBe(0xd0n); // kept (stale)
    expect(e.mmu.read(IPA + 0x1000n, 4, 0)).toBe(0xd2n); // dropped
    // An IPAS2E1 of an IPA that shares the entry's index but not its page leaves the entry alone.
    e.mmu.tlbi('ipas2e1', (IPA + 0x40_0000n) >> 12n);
    expect(e.mmu.read(IPA, 4, 0)).toBe(0xd0n);
    // Conflicting IPAs evict each other and stay correct.
    expect(e.mmu.read(IPA + 0x40_0000n, 4, 0)).toBe(0xd2n);
    e.mmu.tlbi('vmalle1', 0n);
    expect(e.mmu.read(IPA, 4, 0)).toBe(0xd3n); // walked again: the new descriptor
  });

  it('IPAS2E1 drops the whole cache once an entry came from a block (the TLBI covers the whole block)', () => {
    const e = s2Env({ s1: false });
    const blockIpa = 0x8040_0000n; // a 2 MiB block mapping to RAM_BASE + 0x20_0000
    e.t.map(e.s2root, blockIpa, s2BlockDesc(RAM_BASE + 0x20_0000), { ...S2, leafLevel: 2 });
    e.ram.view.setUint32(0x20_5000, 0xb1, true);
    e.ram.view.setUint32(0x40_5000, 0xb2, true);
    expect(e.mmu.read(blockIpa + 0x5000n, 4, 0)).toBe(0xb1n);
    e.mmu.read(IPA, 4, 0);
    // The block moves; the TLBI names another page of it.
    e.t.map(e.s2root, blockIpa, s2BlockDesc(RAM_BASE + 0x40_0000), { ...S2, leafLevel: 2 });
    e.mmu.tlbi('ipas2e1', blockIpa >> 12n);
    expect(e.mmu.read(blockIpa + 0x5000n, 4, 0)).toBe(0xb2n);
  });

  it('faults are not cached: a stage-2 fault walks again each time, and a new mapping is seen without a TLBI', () => {
    const e = s2Env({ s1: false });
    const ipa = IPA + 0x2000n;
    for (let n = 0; n < 2; n++) {
      const s2Walks = e.mmu.stats.s2Walks;
      expect(faultOf(() => e.mmu.write(ipa + 8n, 4, 0n, 0))).toMatchObject({
        stage: 2, fsc: Fsc.Translation + 3, ipa: ipa + 8n, write: true, s1ptw: false,
      });
      expect(e.mmu.stats.s2Walks).toBe(s2Walks + 1);
    }
    e.s2write(ipa, s2PageDesc(DATA + 0x2000, { af: false }));
    expect(faultOf(() => e.mmu.read(ipa, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.AccessFlag + 3 });
    e.s2write(ipa, s2PageDesc(DATA + 0x2000));
    expect(e.mmu.read(ipa, 4, 0)).toBe(0xd2n);
  });

  it('S1PTW faults on stage-1 table reads are not cached either, and report as before', () => {
    const e = s2Env();
    const l1 = e.t.alloc();
    e.t.write(e.root0 + 8, tableDesc(0x8020_0000)); // VA 0x80_0000_0000: level-1 table at IPA 0x8020_0000
    const va = 0x80_0000_0000n;
    for (let n = 0; n < 2; n++) {
      expect(faultOf(() => e.mmu.read(va, 8, 0))).toMatchObject({
        stage: 2, fsc: Fsc.Translation + 2, ipa: 0x8020_0000n, va, s1ptw: true, write: false,
      });
    }
    e.s2write(0x8020_0000n, s2PageDesc(l1, { s2ap: 2 })); // write-only: the walk's read faults
    expect(faultOf(() => e.mmu.read(va, 8, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, s1ptw: true, write: false });
    e.s2write(0x8020_0000n, s2PageDesc(l1));
    e.mmu.tlbi('ipas2e1', 0x8020_0000n >> 12n); // the permission fault came from a successful, cached walk
    expect(faultOf(() => e.mmu.read(va, 8, 0))).toMatchObject({ stage: 1, fsc: Fsc.Translation + 1, s1ptw: false });
  });

  it('a cached entry gives the same attributes, permissions and faults as a walk', () => {
    const e = s2Env();
    const ref = s2Env({ tlb: false });
    for (const x of [e, ref]) {
      x.s2write(IPA + 0x2000n, s2PageDesc(DATA + 0x2000, { s2ap: 1, xn: true, memAttr: 0b0001, sh: 2 }));
    }
    const probe = (x: S2Env): string[] => [0n, 0x1000n, 0x2000n].flatMap((o) => [Acc.Fetch, 0, Acc.Write, Acc.ReadWrite].map((f) => {
      const t = x.mmu.translate(VA + o + 4n, f);
      return t.ok ? `ok ${t.pa} ${t.attr} ${t.perms} ${t.s2Level}` : `fault ${t.fault.stage} ${t.fault.fsc} ${t.fault.write} ${t.fault.ipa}`;
    }));
    const first = probe(e);
    const hits = e.mmu.stats.s2Hits;
    expect(probe(e)).toEqual(first);
    expect(e.mmu.stats.s2Hits).toBeGreaterThan(hits); // the second round came from the cache
    expect(first).toEqual(probe(ref));
    expect(faultOf(() => e.mmu.write(VA + 0x2000n, 4, 0n, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, write: true, ipa: IPA + 0x2000n });
    expect(faultOf(() => e.mmu.read(VA + 0x2001n, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.Alignment, ipa: IPA + 0x2001n });
    expect(faultOf(() => e.mmu.fetch(VA + 0x2000n))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, write: false });
  });
});

// ---------------------------------------------------------------- with and without the cache

const N_IPA = 8;
/** Where the stage-1 level-3 table for VA 0x1000.. lives (an IPA stage 2 maps, or not, like the data pages). */
const TABLE_IPA = IPA + BigInt(N_IPA * 0x1000);

function randomS2(r: (n: number) => number, k: number): bigint {
  if (r(10) === 0) return 0n;
  return s2PageDesc(DATA + (k % 4) * 0x1000, {
    s2ap: [3, 3, 3, 1, 2, 0][r(6)]!, xn: r(5) === 0, af: r(12) !== 0,
    memAttr: [0xf, 0xf, 0xf, 0b0101, 0b0001][r(5)]!,
  });
}

function outcome(fn: () => bigint | number | string | void): string {
  try {
    return `ok ${String(fn())}`;
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    return `fault s${e.stage} fsc=${e.fsc.toString(16)} va=${e.va.toString(16)} w=${e.write} ipa=${e.ipa.toString(16)} ` +
      `ptw=${e.s1ptw} cm=${e.cm}`;
  }
}

describe('with the stage-2 walk cache (TLB on) and without (TLB off): identical results', () => {
  for (const [seed, pages] of [[1, false], [2, true], [3, false], [4, true]] as const) {
    it(`random stage-2 changes with stage-2 TLBIs, stage-1 TLBIs between them, seed ${seed}${pages ? ', RAM in 4 KiB stage-2 pages' : ''}`, () => {
      const r = rng(seed * 104729);
      const envs = [s2Env({ s1: false, pages }), s2Env({ s1: false, tlb: false, pages })] as const;
      const l3 = envs[0].t.alloc();
      expect(envs[1].t.alloc()).toBe(l3); // the same address in both (same allocation order)
      for (const e of envs) {
        // VA 0x1000 + k pages -> IPA + k pages through a level-3 table at TABLE_IPA (identity-mapped RAM `l3`).
        e.t.map(e.root0, VA, tableDesc(TABLE_IPA), { leafLevel: 2 });
        for (let k = 0; k < N_IPA; k++) e.t.write(l3 + (1 + k) * 8, s1PageDesc(IPA + BigInt(k * 0x1000), { attrIndx: Attr.WB }));
        e.s2write(TABLE_IPA, s2PageDesc(l3));
        for (let k = 0; k < N_IPA; k++) e.s2write(IPA + BigInt(k * 0x1000), s2PageDesc(DATA + (k % 4) * 0x1000));
        enableS1(e);
      }
      const log: string[][] = [[], []];
      for (let step = 0; step < 3000; step++) {
        const kind = r(100);
        if (kind < 4) {
          // Change a stage-2 descriptor (a data page or the stage-1 table's page), then invalidate it at stage 2.
          const k = r(N_IPA + 1);
          const ipa = k === N_IPA ? TABLE_IPA : IPA + BigInt(k * 0x1000);
          const d = k === N_IPA ? [s2PageDesc(l3), s2PageDesc(l3, { s2ap: 1 }), s2PageDesc(l3, { s2ap: 2 }), 0n][r(4)]!
            : randomS2(r, k);
          const op = ['ipas2e1is', 'ipas2le1', 'vmalls12e1is', 'alle1'][r(4)]!;
          for (const e of envs) {
            e.s2write(ipa, d);
            e.mmu.tlbi(op, op.startsWith('ipas2') ? ipa >> 12n : 0n);
          }
          continue;
        }
        if (kind < 14) {
          for (const e of envs) e.mmu.tlbi(['vae1is', 'vmalle1', 'vale1', 'aside1is'][r(4)]!, VA >> 12n);
          continue;
        }
        const k = r(N_IPA + 1);
        const va = VA + BigInt(k * 0x1000 + r(0x200) * 8);
        const flags = [0, 0, Acc.ReadWrite, Acc.CacheMaint, Acc.Unpriv][r(5)]!;
        const op = r(4);
        for (let i = 0; i < 2; i++) {
          const m = envs[i]!.mmu;
          log[i]!.push(outcome(() =>
            op === 0 ? m.read(va, 8, flags) : op === 1 ? m.write(va, 8, BigInt(step), flags) : op === 2 ? m.fetch(va & ~3n)
              : (() => {
                const t = m.translate(va, flags);
                return t.ok ? `${t.pa} ${t.ipa} ${t.attr} ${t.perms} ${t.s2Level}` : `fsc=${t.fault.fsc} ptw=${t.fault.s1ptw}`;
              })()));
        }
        expect(log[0]![log[0]!.length - 1], `step ${step}`).toBe(log[1]![log[1]!.length - 1]);
      }
      expect(Buffer.from(envs[0].ram.bytes).equals(Buffer.from(envs[1].ram.bytes))).toBe(true);
      const oks = log[0]!.filter((s) => s.startsWith('ok')).length;
      expect(oks).toBeGreaterThan(300);
      expect(log[0]!.length - oks).toBeGreaterThan(100);
      expect(log[0]!.some((s) => s.includes('ptw=true'))).toBe(true);
      expect(envs[0].mmu.stats.s2Hits).toBeGreaterThan(500);
    });
  }
});

describe('MemoryPort.stage2Relaxed (a dirty-logging write fault made the page writable)', () => {
  it('drops the walk cache entry of that IPA page and nothing else (no flush); stores through every alias then succeed', () => {
    const e = s2Env({ pages: true }); // 4 KiB stage-2 pages only: the targeted path
    const ALIAS = 0x8000n; // a second VA for IPA
    e.t.map(e.root0, ALIAS, s1PageDesc(IPA, { attrIndx: Attr.WB }));
    e.s2write(IPA, s2PageDesc(DATA, { s2ap: 1 })); // read-only at stage 2
    e.mmu.tlbi('vmalls12e1', 0n);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
    expect(e.mmu.read(ALIAS, 4, 0)).toBe(0xd0n);
    expect(e.mmu.read(VA + 0x1000n, 4, 0)).toBe(0xd1n);
    const write = (va: bigint): MemoryFault | undefined => tryWrite(e, va);
    expect(write(VA)).toBeInstanceOf(MemoryFault);
    // The hypervisor makes the page writable and says so.
    e.s2write(IPA, s2PageDesc(DATA));
    // Another page's descriptor changes without maintenance: a flush would make the next access see it.
    e.s2write(IPA + 0x1000n, s2PageDesc(DATA + 0x2000));
    const { flushes } = e.mmu.stats;
    const gen = e.mmu.tlbGeneration;
    e.mmu.stage2Relaxed(Number(IPA));
    expect(e.mmu.stats.flushes).toBe(flushes);
    expect(e.mmu.tlbGeneration).toBe(gen);
    expect(write(VA)).toBeUndefined();
    expect(write(ALIAS)).toBeUndefined();
    expect(e.mmu.read(VA, 4, 0)).toBe(0x77n);
    expect(e.mmu.read(VA + 0x1000n, 4, 0)).toBe(0xd1n); // still the cached translation of the other page
  });

  it('with a stage-2 leaf larger than a page cached, is tlbi("ipas2e1"): a flush', () => {
    const e = s2Env(); // RAM (the stage-1 tables) in 2 MiB stage-2 blocks
    e.s2write(IPA, s2PageDesc(DATA, { s2ap: 1 }));
    e.mmu.tlbi('vmalls12e1', 0n);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xd0n);
    e.s2write(IPA, s2PageDesc(DATA));
    const { flushes } = e.mmu.stats;
    e.mmu.stage2Relaxed(Number(IPA));
    expect(e.mmu.stats.flushes).toBe(flushes + 1);
    expect(tryWrite(e, VA)).toBeUndefined();
  });
});

/** A 4-byte store of 0x77 at `va`: the MemoryFault it raised, or undefined. */
function tryWrite(e: Env, va: bigint): MemoryFault | undefined {
  try {
    e.mmu.write(va, 4, 0x77n, 0);
    return undefined;
  } catch (err) {
    if (err instanceof MemoryFault) return err;
    throw err;
  }
}
