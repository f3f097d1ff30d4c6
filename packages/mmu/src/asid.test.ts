// A change of ASID: TTBR0_EL1 or TTBR1_EL1 written and no other translation control (Mmu.controlsMoved). The MMU
// drops its non-global entries (a stage-1 leaf with nG 1) and keeps the global ones, which match every ASID, with
// their arena twins and the run loop's links, jump cache entries and arena jump cache entries to blocks on global
// pages: Linux switches ASIDs on every context switch, and its kernel's translations are global. Anything else
// flushes everything. Keeping a global entry across a change of table base is what a real TLB may do too: software
// changes a global mapping with TLB maintenance.
import { Cpu, Dtlb, DTLB_ENTRY_BYTES, St, Stop, SysReg, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { Mmu } from './mmu.js';
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
    for (const asid of [3n, 4n]) {
      switchAsid(e, asid);
      expect(e.mmu.tlbEntry(VA_NG)).toBeUndefined();
      expect(e.mmu.tlbEntry(VA_G)).toMatchObject({ pa: DATA + 0x1000 });
      expect(e.mmu.tlbEntry(VA_K)).toMatchObject({ pa: DATA + 0x2000 });
      for (const va of [VA_NG, VA_G, VA_K]) e.mmu.read(va, 8, 0);
    }
    expect(e.mmu.stats.walks - walks).toBe(2); // the non-global page, once per switch
    expect(e.mmu.stats).toMatchObject({ flushes, asidFlushes: 2 });
    expect(e.mmu.tlbGlobalGeneration).toBe(global);
    expect(e.mmu.tlbGeneration).toBe(gen + 2);
    // Writing the same values again changes nothing; nor does TTBR1_EL1's ASID field while TCR_EL1.A1 is 0.
    switchAsid(e, 4n);
    switchAsid(e, 9n, 'TTBR1_EL1');
    expect(e.mmu.stats.asidFlushes).toBe(2);
    expect(e.mmu.tlbEntry(VA_NG)).toBeDefined();
  });

  it('each ASID keeps its generation until TLB maintenance drops it; the non-global entries go at every change', () => {
    const e = makeEnv();
    mapThree(e);
    enableS1(e);
    e.mmu.read(VA_G, 8, 0);
    const global = e.mmu.tlbGlobalGeneration;
    const gen0 = e.mmu.tlbGeneration;
    switchAsid(e, 1n);
    const gen1 = e.mmu.tlbGeneration;
    expect(new Set([gen0, gen1, global]).size).toBe(3);
    for (const [asid, gen] of [[0n, gen0], [1n, gen1], [0n, gen0]] as const) {
      e.mmu.read(VA_NG, 8, 0);
      switchAsid(e, asid);
      expect(e.mmu.tlbGeneration).toBe(gen);
      expect(e.mmu.tlbEntry(VA_NG)).toBeUndefined(); // (entries are not tagged with their ASID)
    }
    // TLBI ASIDE1 of another ASID: that ASID's generation goes, the current one's stays; of the current ASID: a new
    // one. Global entries and their generation stay; neither is a full flush.
    const { flushes } = e.mmu.stats;
    e.mmu.tlbi('aside1is', 1n << 48n);
    expect(e.mmu.tlbGeneration).toBe(gen0);
    switchAsid(e, 1n);
    const gen1b = e.mmu.tlbGeneration;
    expect([gen0, gen1, global]).not.toContain(gen1b);
    e.mmu.read(VA_NG, 8, 0);
    e.mmu.tlbi('aside1', 1n << 48n);
    expect([gen0, gen1, gen1b, global]).not.toContain(e.mmu.tlbGeneration);
    expect(e.mmu.tlbEntry(VA_NG)).toBeUndefined();
    expect(e.mmu.tlbEntry(VA_G)).toMatchObject({ pa: DATA + 0x1000 });
    expect(e.mmu.tlbGlobalGeneration).toBe(global);
    expect(e.mmu.stats.flushes).toBe(flushes);
    // A full flush: every ASID's generation is new.
    switchAsid(e, 0n);
    expect(e.mmu.tlbGeneration).toBe(gen0);
    e.mmu.tlbi('vmalle1', 0n);
    expect(e.mmu.tlbGeneration).not.toBe(gen0);
    expect(e.mmu.tlbGlobalGeneration).not.toBe(global);
  });

  it('the ASID: TTBR1_EL1\'s with TCR_EL1.A1, 8 bits unless TCR_EL1.AS; TLBI ASIDE1 masks its operand alike', () => {
    const e = makeEnv();
    mapThree(e);
    enableS1(e);
    e.cpu.sys[SysReg.TCR_EL1] = TCR_48_4K | (1n << 22n); // A1
    e.mmu.controlChanged();
    const gen0 = e.mmu.tlbGeneration;
    switchAsid(e, 5n); // TTBR0_EL1's field: ignored now
    expect(e.mmu.tlbGeneration).toBe(gen0);
    switchAsid(e, 0x305n, 'TTBR1_EL1');
    const gen5 = e.mmu.tlbGeneration;
    expect(gen5).not.toBe(gen0);
    switchAsid(e, 0x105n, 'TTBR1_EL1'); // the same 8-bit ASID
    expect(e.mmu.tlbGeneration).toBe(gen5);
    e.mmu.tlbi('aside1', 0x705n << 48n);
    const gen5b = e.mmu.tlbGeneration;
    expect(gen5b).not.toBe(gen5);
    // 16-bit ASIDs (AS, bit 36; ID_AA64MMFR0_EL1.ASIDBits says 16): 0x105 and 0x305 differ. (A TCR change flushes.)
    e.cpu.sys[SysReg.TCR_EL1] = TCR_48_4K | (1n << 22n) | (1n << 36n);
    e.mmu.controlWritten();
    const gen105 = e.mmu.tlbGeneration; // (TTBR1_EL1 holds 0x105)
    switchAsid(e, 0x305n, 'TTBR1_EL1');
    const gen305 = e.mmu.tlbGeneration;
    expect(gen305).not.toBe(gen105);
    e.mmu.tlbi('aside1', 0x105n << 48n); // another ASID: the current generation stays
    expect(e.mmu.tlbGeneration).toBe(gen305);
    e.mmu.tlbi('aside1', 0x305n << 48n);
    expect(e.mmu.tlbGeneration).not.toBe(gen305);
  });

  it('a new table base under the same ASID invalidates nothing (as QEMU 10: entries are tagged with the ASID)', () => {
    const e = makeEnv();
    mapThree(e);
    enableS1(e);
    for (const va of [VA_NG, VA_G, VA_K]) e.mmu.read(va, 8, 0);
    const { flushes, asidFlushes } = e.mmu.stats;
    const gens = [e.mmu.tlbGeneration, e.mmu.tlbGlobalGeneration];
    e.cpu.sys[SysReg.TTBR0_EL1] = BigInt(e.t.alloc());
    e.mmu.controlWritten();
    expect(e.mmu.stats).toMatchObject({ flushes, asidFlushes });
    expect([e.mmu.tlbGeneration, e.mmu.tlbGlobalGeneration]).toEqual(gens);
    expect(e.mmu.tlbEntry(VA_NG)).toMatchObject({ pa: DATA });
  });

  it('the CPUs sharing a code cache never hand out the same generation', () => {
    const a = makeEnv();
    const cpu2 = new Cpu({} as MemoryPort, { wasm: false, codeCache: a.cpu.codeCache });
    const mmu2 = new Mmu(cpu2, a.mmu.phys);
    cpu2.mem = mmu2;
    const seen = new Set<number>();
    const note = (m: Mmu): void => {
      seen.add(m.tlbGeneration);
      seen.add(m.tlbGlobalGeneration);
    };
    note(a.mmu);
    note(mmu2);
    for (let k = 1n; k <= 3n; k++) {
      for (const [cpu, m] of [[a.cpu, a.mmu], [cpu2, mmu2]] as const) {
        cpu.sys[SysReg.TTBR0_EL1] = k << 48n;
        m.controlWritten();
        note(m);
        m.tlbi('vmalle1', 0n);
        note(m);
      }
    }
    // Two at the start per CPU; then per round and CPU one for the new ASID and two for the flush.
    expect(seen.size).toBe(2 * 2 + 3 * 2 * 3);
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
    // A page fetched from a non-global entry, under any ASID still holding its generation: every ASID's generation
    // goes (links may lead into it under each), not the global one; a page never fetched drops its entry alone.
    e.mmu.read(VA_G, 8, 0);
    e.mmu.fetchPage(VA_NG);
    const gen2 = e.mmu.tlbGeneration;
    switchAsid(e, 5n);
    const gen5 = e.mmu.tlbGeneration;
    const { asidFlushes } = e.mmu.stats;
    e.mmu.tlbi('vae1', VA_NG >> 12n);
    expect(e.mmu.stats).toMatchObject({ flushes: flushes + 1, vaFlushes, asidFlushes: asidFlushes + 1 });
    expect(e.mmu.tlbGeneration).not.toBe(gen5);
    expect(e.mmu.tlbEntry(VA_G)).toMatchObject({ pa: DATA + 0x1000 });
    switchAsid(e, 2n);
    expect(e.mmu.tlbGeneration).not.toBe(gen2);
    e.mmu.tlbi('vae1', VA_NG >> 12n); // (no longer fetched)
    expect(e.mmu.stats).toMatchObject({ flushes: flushes + 1, vaFlushes: vaFlushes + 1 });
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
