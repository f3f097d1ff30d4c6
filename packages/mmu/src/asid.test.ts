// A change of ASID: TTBR0_EL1 or TTBR1_EL1 written and no other translation control (Mmu.controlsMoved). The MMU
// drops its non-global entries (a stage-1 leaf with nG 1) and keeps the global ones, which match every ASID, with
// their arena twins and the run loop's links, jump cache entries and arena jump cache entries to blocks on global
// pages: Linux switches ASIDs on every context switch, and its kernel's translations are global. Anything else
// flushes everything. Keeping a global entry across a change of table base is what a real TLB may do too: software
// changes a global mapping with TLB maintenance.
import { Dtlb, DTLB_ENTRY_BYTES, St, Stop, SysReg, type Cpu } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import type { Mmu } from './mmu.js';
import { Attr, enableS1, makeEnv, RAM_BASE, SCTLR, TCR, TCR_48_4K, type Tables } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000;
/** A non-global page, a global page (both TTBR0), a global page in the TTBR1 half. */
const VA_NG = 0x1000_0000n;
const VA_G = 0x1000_1000n;
const VA_K = 0xffff_8000_0000_4000n;

interface Setup {
  cpu: Cpu;
  mmu: Mmu;
  t: Tables;
  root0: number;
  root1: number;
  set(reg: keyof typeof SysReg, v: bigint): void;
}

function mapThree(e: Setup): void {
  e.t.map(e.root0, VA_NG, s1PageDesc(DATA, { attrIndx: Attr.WB, ng: true }));
  e.t.map(e.root0, VA_G, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.WB }));
  e.t.map(e.root1, VA_K, s1PageDesc(DATA + 0x2000, { attrIndx: Attr.WB }));
}

/** A context switch as the CPU reports it: TTBR0_EL1 gets another ASID (bits 63:48), then controlWritten. */
function switchAsid(e: Setup, asid: bigint, reg: 'TTBR0_EL1' | 'TTBR1_EL1' = 'TTBR0_EL1'): void {
  const r = SysReg[reg];
  e.cpu.sys[r] = (e.cpu.sys[r]! & 0xffff_ffff_ffffn) | (asid << 48n);
  e.mmu.controlWritten();
}

describe('a change of ASID', () => {
  it('keeps the global entries and drops the non-global ones: walks, generations, stats', () => {
    const e = makeEnv();
    mapThree(e);
    enableS1(e);
    for (const va of [VA_NG, VA_G, VA_K]) e.mmu.read(va, 8, 0);
    const { walks, flushes } = e.mmu.stats;
    const gen = e.mmu.tlbGeneration;
    const global = e.mmu.tlbGlobalGeneration;
    expect(global).not.toBe(gen);
    for (const [reg, asid] of [['TTBR0_EL1', 3n], ['TTBR1_EL1', 4n]] as const) {
      switchAsid(e, asid, reg);
      expect(e.mmu.tlbEntry(VA_NG)).toBeUndefined();
      expect(e.mmu.tlbEntry(VA_G)).toMatchObject({ pa: DATA + 0x1000 });
      expect(e.mmu.tlbEntry(VA_K)).toMatchObject({ pa: DATA + 0x2000 });
      for (const va of [VA_NG, VA_G, VA_K]) e.mmu.read(va, 8, 0);
    }
    expect(e.mmu.stats.walks - walks).toBe(2); // the non-global page, once per switch
    expect(e.mmu.stats).toMatchObject({ flushes, asidFlushes: 2 });
    expect(e.mmu.tlbGlobalGeneration).toBe(global);
    expect(e.mmu.tlbGeneration).toBe(gen + 2);
    // Writing the same values again changes nothing.
    switchAsid(e, 4n, 'TTBR1_EL1');
    expect(e.mmu.stats.asidFlushes).toBe(2);
  });

  it('a remapped non-global page is translated anew after it; a remapped global page only after a TLBI', () => {
    const e = makeEnv();
    mapThree(e);
    enableS1(e);
    const view = new DataView(e.ram.bytes.buffer, e.ram.bytes.byteOffset);
    for (let k = 0; k < 4; k++) view.setUint32(DATA - RAM_BASE + 0x1000 * k, 0xa0 + k, true);
    expect([e.mmu.read(VA_NG, 4, 0), e.mmu.read(VA_G, 4, 0)]).toEqual([0xa0n, 0xa1n]);
    e.t.map(e.root0, VA_NG, s1PageDesc(DATA + 0x3000, { attrIndx: Attr.WB, ng: true }));
    e.t.map(e.root0, VA_G, s1PageDesc(DATA + 0x3000, { attrIndx: Attr.WB }));
    switchAsid(e, 9n);
    expect([e.mmu.read(VA_NG, 4, 0), e.mmu.read(VA_G, 4, 0)]).toEqual([0xa3n, 0xa1n]);
    e.mmu.tlbi('vmalle1', 0n);
    expect(e.mmu.read(VA_G, 4, 0)).toBe(0xa3n);
  });

  it('with any other control changed too, and at controlChanged, everything is flushed', () => {
    for (const other of ['tcr', 'wxn', 'controlChanged'] as const) {
      const e = makeEnv();
      mapThree(e);
      enableS1(e);
      for (const va of [VA_NG, VA_G, VA_K]) e.mmu.read(va, 8, 0);
      const global = e.mmu.tlbGlobalGeneration;
      const { flushes, asidFlushes } = e.mmu.stats;
      e.cpu.sys[SysReg.TTBR0_EL1] = e.cpu.sys[SysReg.TTBR0_EL1]! | (7n << 48n);
      if (other === 'tcr') e.cpu.sys[SysReg.TCR_EL1] = TCR_48_4K | TCR.TBI0;
      if (other === 'wxn') e.cpu.sys[SysReg.SCTLR_EL1] = e.cpu.sys[SysReg.SCTLR_EL1]! | SCTLR.WXN;
      if (other === 'controlChanged') e.mmu.controlChanged();
      else e.mmu.controlWritten();
      expect(e.mmu.stats.flushes, other).toBe(flushes + 1);
      expect(e.mmu.stats.asidFlushes, other).toBe(asidFlushes);
      expect(e.mmu.tlbGlobalGeneration, other).not.toBe(global);
      for (const va of [VA_NG, VA_G, VA_K]) expect(e.mmu.tlbEntry(va), other).toBeUndefined();
    }
  });

  it('fetchGeneration is the generation of the entry fetchPage handed out; a TLBI by VA of a fetched global page stays a full flush', () => {
    const e = makeEnv();
    mapThree(e);
    enableS1(e);
    e.mmu.fetchPage(VA_NG);
    expect(e.mmu.fetchGeneration).toBe(e.mmu.tlbGeneration);
    e.mmu.fetchPage(VA_G);
    expect(e.mmu.fetchGeneration).toBe(e.mmu.tlbGlobalGeneration);
    switchAsid(e, 2n);
    // The run loop's links to blocks on VA_G's page rely on its translation: invalidating it alone would leave them.
    const global = e.mmu.tlbGlobalGeneration;
    const { flushes, vaFlushes } = e.mmu.stats;
    e.mmu.tlbi('vae1', VA_G >> 12n);
    expect(e.mmu.stats).toMatchObject({ flushes: flushes + 1, vaFlushes });
    expect(e.mmu.tlbGlobalGeneration).not.toBe(global);
    // A page fetched from a non-global entry before the switch no longer counts: its links died with the switch.
    e.mmu.read(VA_G, 8, 0);
    e.mmu.fetchPage(VA_NG);
    switchAsid(e, 5n);
    e.mmu.tlbi('vae1', VA_NG >> 12n);
    expect(e.mmu.stats).toMatchObject({ flushes: flushes + 1, vaFlushes: vaFlushes + 1 });
    expect(e.mmu.tlbEntry(VA_G)).toMatchObject({ pa: DATA + 0x1000 });
  });

  it('the arena TLB keeps the global entries\' keys and drops the non-global ones\'; the state block mirrors both generations', () => {
    const e = arenaEnv('wasm');
    mapThree(e);
    e.set('SCTLR_EL1', SCTLR.M);
    for (const va of [VA_NG, VA_G, VA_K]) e.mmu.read(va, 8, 0);
    /** The load key of `va`'s entry in the EL1 table (class 1), or -1n. */
    const key = (va: bigint): bigint => {
      const st = e.cpu.st32;
      const entries = st[St.TLB_MASK >> 2]! + 1;
      const at = st[St.TLB_BASE >> 2]! + DTLB_ENTRY_BYTES * (entries + (Number((va >> 12n) & 0xfffffn) & (entries - 1)));
      return new DataView(e.cpu.arena.memory.buffer).getBigInt64(at + Dtlb.KEY_R, true);
    };
    for (const va of [VA_NG, VA_G, VA_K]) expect(key(va)).not.toBe(-1n);
    const kept = [key(VA_G), key(VA_K)];
    switchAsid(e, 6n);
    expect([key(VA_NG), key(VA_G), key(VA_K)]).toEqual([-1n, ...kept]);
    const mirrors = (): number[] => [e.cpu.st32[St.TLB_GEN >> 2]!, e.cpu.st32[St.TLB_GEN_GLOBAL >> 2]!];
    expect(mirrors()).toEqual([e.mmu.tlbGeneration, e.mmu.tlbGlobalGeneration]);
    // Refilled after the switch, flushed by the next; a full flush drops the global ones too.
    e.mmu.read(VA_NG, 8, 0);
    expect(key(VA_NG)).not.toBe(-1n);
    switchAsid(e, 7n);
    expect([key(VA_NG), key(VA_G), key(VA_K)]).toEqual([-1n, ...kept]);
    e.mmu.tlbi('vmalle1', 0n);
    expect([key(VA_NG), key(VA_G), key(VA_K)]).toEqual([-1n, -1n, -1n]);
    expect(mirrors()).toEqual([e.mmu.tlbGeneration, e.mmu.tlbGlobalGeneration]);
  });
});

// ---- the run loop: links, the jump cache and the arena jump cache across a change of ASID ----

const C = RAM_BASE + 0x20_0000; // the caller's page (global), VA 0x1000
const P1 = RAM_BASE + 0x20_1000; // the target page, VA 0x3000, first
const P2 = RAM_BASE + 0x20_2000; // ... and after the remap
const BR_X2 = 0xd61f_0040; // br x2
const B_SELF = 0x1400_0000;
const B_TARGET = 0x1400_0800; // b .+0x2000 (from VA 0x1000 to 0x3000)

describe('translated code across a change of ASID', () => {
  for (const engine of ['handlers', 'wasm'] as const) {
    for (const [exit, word] of [['register branch', BR_X2], ['direct branch', B_TARGET]] as const) {
      it(`${engine}, ${exit}: a remapped non-global target runs its new code at once, a global one after a TLBI`, () => {
        for (const ng of [true, false]) {
          const e = arenaEnv(engine, { wasmTier: { hotRuns: 0 } });
          loadWords(e, C, [word]);
          loadWords(e, P1, [0xd280_0020, B_SELF]); // mov x0, #1; b .
          loadWords(e, P2, [0xd280_0040, B_SELF]); // mov x0, #2; b .
          e.t.map(e.root0, 0x1000n, s1PageDesc(C, { attrIndx: Attr.WB, ap: Ap.RoAll }));
          const slot = e.t.map(e.root0, 0x3000n, s1PageDesc(P1, { attrIndx: Attr.WB, ap: Ap.RoAll, ng }));
          e.set('SCTLR_EL1', SCTLR.M);
          e.cpu.x[2] = 0x3000n;
          const go = (): bigint => {
            e.cpu.x[0] = 0n;
            e.cpu.pc = 0x1000n;
            expect(e.cpu.run(3)).toBe(Stop.Budget);
            expect(e.cpu.pc).toBe(0x3004n);
            return e.cpu.x[0]!;
          };
          // Several runs: the link, the jump cache entry and (WebAssembly) the arena jump cache entry are made.
          for (let k = 0; k < 3; k++) expect(go()).toBe(1n);
          e.t.write(slot, s1PageDesc(P2, { attrIndx: Attr.WB, ap: Ap.RoAll, ng }));
          switchAsid(e, 1n);
          expect(go(), ng ? 'non-global' : 'global').toBe(ng ? 2n : 1n);
          expect(go()).toBe(ng ? 2n : 1n);
          e.mmu.tlbi('vmalle1', 0n);
          expect(go()).toBe(2n);
        }
      });
    }
  }
});
