import { Dtlb, DTLB_CLASSES, DTLB_ENTRY_BYTES, St } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, type ArenaEnv } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { Attr, MAIR, RAM_BASE, SCTLR, TCR, TCR_48_4K } from './test-env.js';

// The arena twin of the MMU's TLB (aarch64-cpu state-layout.ts Dtlb): one table per permission class, keys that fold
// the permission check in, -1 keys after a flush. WebAssembly code trusts these words blindly, so they are checked
// here word for word; wasm-tier.test.ts checks that translated code uses them.

const DATA = RAM_BASE + 0x20_0000;
/** One page per access permission, and one in the TTBR1 half. */
const PAGES = [
  [0x10000n, Ap.RwEl1],
  [0x11000n, Ap.RwAll],
  [0x12000n, Ap.RoEl1],
  [0x13000n, Ap.RoAll],
] as const;
const HIGH = 0xffff_ffff_fff0_0000n;

function setup(tbi: bigint): ArenaEnv {
  const e = arenaEnv('wasm');
  PAGES.forEach(([va, ap], k) => e.t.map(e.root0, va, s1PageDesc(DATA + 0x1000 * k, { attrIndx: Attr.WB, ap })));
  e.t.map(e.root1, HIGH, s1PageDesc(DATA + 0x8000, { attrIndx: Attr.WB }));
  e.set('TCR_EL1', TCR_48_4K | tbi);
  e.set('SCTLR_EL1', SCTLR.M);
  return e;
}

/** The load key, store key and mask of `va`'s entry in class `k`'s table, and its HOST word. */
function entry(e: ArenaEnv, va: bigint, k: number): { r: bigint; w: bigint; mask: bigint; host: number } {
  const st = e.cpu.st32;
  const base = st[St.TLB_BASE >> 2]!;
  const entries = st[St.TLB_MASK >> 2]! + 1;
  const at = base + DTLB_ENTRY_BYTES * (k * entries + (Number((va >> 12n) & 0xfffffn) & (entries - 1)));
  const dv = new DataView(e.cpu.arena.memory.buffer);
  return {
    r: dv.getBigUint64(at + Dtlb.KEY_R, true), w: dv.getBigUint64(at + Dtlb.KEY_W, true),
    mask: dv.getBigUint64(at + Dtlb.MASK, true), host: dv.getInt32(at + Dtlb.HOST, true),
  };
}

const NEVER = 0xffff_ffff_ffff_ffffn;

describe('the arena data TLB', () => {
  it('has one table per permission class, each key the page where the class may access it inline, else -1', () => {
    const e = setup(0n);
    // What the classes (EL0; EL1; EL1 with PAN) may do: [read, write] per page, in PAGES order.
    const may: readonly (readonly [boolean, boolean])[][] = [
      [[false, false], [true, true], [false, false], [true, false]], // EL0
      [[true, true], [true, true], [true, false], [true, false]], // EL1, PAN 0
      [[true, true], [false, false], [true, false], [false, false]], // EL1, PAN 1: no access to EL0 pages
    ];
    PAGES.forEach(([va], p) => {
      e.mmu.read(va + 8n, 8, 0); // an EL1 load fills the entry for every class
      for (let k = 0; k < 3; k++) {
        const x = entry(e, va, k);
        const [r, w] = may[k]![p]!;
        expect([x.r, x.w], `page ${va.toString(16)} class ${k}`).toEqual([r ? va : NEVER, w ? va : NEVER]);
        expect(x.mask).toBe(0xffff_ffff_ffff_f000n);
        expect(x.host).toBe(e.ram.arena!.offset + (DATA - RAM_BASE) + 0x1000 * p);
      }
      // The fourth table never hits.
      expect(entry(e, va, 3)).toMatchObject({ r: NEVER, w: NEVER });
    });
    expect(DTLB_CLASSES).toBe(4);
  });

  it('keys the TTBR1 half with a canonical top byte, and masks the top byte out where TBI applies', () => {
    for (const tbi of [0n, TCR.TBI1, TCR.TBI0 | TCR.TBI1]) {
      const e = setup(tbi);
      e.mmu.read(HIGH, 8, 0);
      e.mmu.read(0x10000n, 8, 0);
      const hi = entry(e, HIGH, 1);
      const lo = entry(e, 0x10000n, 1);
      const top = (on: boolean): bigint => (on ? 0x00ff_ffff_ffff_f000n : 0xffff_ffff_ffff_f000n);
      expect(hi.mask).toBe(top((tbi & TCR.TBI1) !== 0n));
      expect(hi.r).toBe(HIGH & hi.mask);
      expect(lo.mask).toBe(top((tbi & TCR.TBI0) !== 0n));
      expect(lo.r).toBe(0x10000n);
    }
  });

  it('a flush sets every key it filled to -1, by any TLBI or a translation control change', () => {
    const flushes = [(e: ArenaEnv) => e.mmu.tlbi('vmalle1is', 0n), (e: ArenaEnv) => e.set('MAIR_EL1', MAIR)];
    for (const flush of flushes) {
      const e = setup(0n);
      for (const [va] of PAGES) e.mmu.read(va, 8, 0);
      flush(e);
      for (const [va] of PAGES) {
        for (let k = 0; k < 4; k++) {
          expect(entry(e, va, k), `${va.toString(16)} class ${k}`).toMatchObject({ r: NEVER, w: NEVER });
        }
      }
      // Filled again after the flush: the keys come back.
      e.mmu.read(0x11000n, 8, 0);
      expect(entry(e, 0x11000n, 0).w).toBe(0x11000n);
    }
  });

  it('a TLBI by VA sets the keys of that page alone to -1', () => {
    for (const op of ['vae1', 'vale1is', 'vaae1os', 'vaale1isnxs']) {
      const e = setup(0n);
      for (const [va] of PAGES) e.mmu.read(va, 8, 0);
      e.mmu.tlbi(op, 0x11n);
      for (let k = 0; k < 4; k++) expect(entry(e, 0x11000n, k), `${op} class ${k}`).toMatchObject({ r: NEVER, w: NEVER });
      // The other pages stay cached for the classes that may access them.
      expect(entry(e, 0x10000n, 1).w, op).toBe(0x10000n);
      expect(entry(e, 0x13000n, 0).r, op).toBe(0x13000n);
      expect(entry(e, 0x12000n, 2).r, op).toBe(0x12000n);
      e.mmu.read(0x11000n, 8, 0);
      expect(entry(e, 0x11000n, 0).w, op).toBe(0x11000n);
    }
  });
});
