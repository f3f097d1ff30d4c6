// TLBI by VA (VAE1, VALE1, VAAE1, VAALE1 and their IS/OS/nXS forms): the MMU invalidates that page's entry alone
// when no other entry can hold its translation, and flushes everything when one can (a stage-1 leaf larger than
// 4 KiB, held as several 4 KiB entries) or when the CPU's blocks rely on the page (fetchPage handed it out: block
// links and the jump cache follow MemoryPort.tlbGeneration). mmu.ts invalidateVa.
import { describe, expect, it } from 'vitest';
import { s1BlockDesc, s1PageDesc } from './descriptors.js';
import { Attr, enableS1, makeEnv, RAM_BASE, TCR_48_4K, type Env } from './test-env.js';

const PA1 = RAM_BASE + 0x40_0000; // 2 MiB aligned, as is PA2
const PA2 = RAM_BASE + 0x60_0000;

/** Fill the 64 KiB at `pa` with 32-bit words `tag + offset`. */
function fill(e: Env, pa: number, tag: number): void {
  for (let o = 0; o < 0x1_0000; o += 4) e.ram.view.setUint32(pa - RAM_BASE + o, tag + o, true);
}

function env(): Env {
  const e = makeEnv();
  fill(e, PA1, 0x1000_0000);
  fill(e, PA2, 0x2000_0000);
  return e;
}

const read = (e: Env, va: bigint): number => Number(e.mmu.read(va, 4, 0));

describe('TLBI by VA', () => {
  it.each(['vae1', 'vale1is', 'vaae1os', 'vaale1isnxs'])('%s invalidates the page named and no other', (op) => {
    const e = env();
    const a = e.t.map(e.root0, 0x1000n, s1PageDesc(PA1, { attrIndx: Attr.WB }));
    const b = e.t.map(e.root0, 0x2000n, s1PageDesc(PA1 + 0x1000, { attrIndx: Attr.WB }));
    enableS1(e);
    expect([read(e, 0x1000n), read(e, 0x2008n)]).toEqual([0x1000_0000, 0x1000_1008]);
    const gen = e.mmu.tlbGeneration;
    const walks = e.mmu.stats.walks;
    e.t.write(a, s1PageDesc(PA2, { attrIndx: Attr.WB }));
    e.t.write(b, s1PageDesc(PA2 + 0x1000, { attrIndx: Attr.WB }));
    e.mmu.tlbi(op, 0x1n);
    // The page named is walked again; the other is still the cached translation (no TLBI named it).
    expect([read(e, 0x1000n), read(e, 0x2008n)]).toEqual([0x2000_0000, 0x1000_1008]);
    expect(e.mmu.stats.walks).toBe(walks + 1);
    expect(e.mmu.tlbGeneration).toBe(gen);
    // The ASID in Xt[63:48] and the TTBR1 half's VA bits are part of the argument, not the key.
    e.mmu.tlbi(op, (0x42n << 48n) | 0x2n);
    expect(read(e, 0x2008n)).toBe(0x2000_1008);
  });

  it('a page of a 2 MiB stage-1 block: every page of the block is invalidated', () => {
    const e = env();
    const slot = e.t.map(e.root0, 0x20_0000n, s1BlockDesc(PA1, { attrIndx: Attr.WB }), { leafLevel: 2 });
    enableS1(e);
    expect([read(e, 0x20_0000n), read(e, 0x20_1004n), read(e, 0x20_f000n)]).toEqual([0x1000_0000, 0x1000_1004, 0x1000_f000]);
    e.t.write(slot, s1BlockDesc(PA2, { attrIndx: Attr.WB }));
    e.mmu.tlbi('vale1is', 0x200n);
    expect([read(e, 0x20_1004n), read(e, 0x20_f000n), read(e, 0x20_0000n)]).toEqual([0x2000_1004, 0x2000_f000, 0x2000_0000]);
  });

  it('a page of a 16 KiB granule page: the other 4 KiB entries of the page are invalidated', () => {
    const e = env();
    e.set('TCR_EL1', (TCR_48_4K & ~(3n << 14n)) | (2n << 14n)); // TG0 = 16 KiB
    const slot = e.t.map(e.root0, 0x4000n, s1PageDesc(PA1, { attrIndx: Attr.WB }), { granule: 14 });
    enableS1(e);
    expect([read(e, 0x4000n), read(e, 0x5004n), read(e, 0x7ffcn)]).toEqual([0x1000_0000, 0x1000_1004, 0x1000_3ffc]);
    e.t.write(slot, s1PageDesc(PA2, { attrIndx: Attr.WB }));
    e.mmu.tlbi('vae1', 0x4n);
    expect([read(e, 0x5004n), read(e, 0x7ffcn), read(e, 0x4000n)]).toEqual([0x2000_1004, 0x2000_3ffc, 0x2000_0000]);
  });

  it('a page fetchPage handed out: a full flush (the TLB generation changes), as for a leaf of another page', () => {
    const e = env();
    e.t.map(e.root0, 0x1000n, s1PageDesc(PA1, { attrIndx: Attr.WB }));
    e.t.map(e.root0, 0x2000n, s1PageDesc(PA1 + 0x1000, { attrIndx: Attr.WB }));
    enableS1(e);
    expect(e.mmu.fetchPage(0x1000n)).toBeDefined();
    read(e, 0x2000n);
    const gen = e.mmu.tlbGeneration;
    const flushes = e.mmu.stats.flushes;
    e.mmu.tlbi('vae1is', 0x2n); // a data page: its entry alone
    expect(e.mmu.tlbGeneration).toBe(gen);
    expect(e.mmu.stats.flushes).toBe(flushes);
    e.mmu.tlbi('vae1is', 0x1n); // the code page
    expect(e.mmu.tlbGeneration).not.toBe(gen);
    expect(e.mmu.stats.flushes).toBe(flushes + 1);
    // After the flush nothing was fetched from: a TLBI of that page is its entry alone again.
    const gen2 = e.mmu.tlbGeneration;
    read(e, 0x1000n);
    e.mmu.tlbi('vae1is', 0x1n);
    expect(e.mmu.tlbGeneration).toBe(gen2);
  });

  it('the range forms and the other TLBIs flush everything', () => {
    for (const op of ['rvae1is', 'vmalle1', 'ipas2e1']) {
      const e = env();
      e.t.map(e.root0, 0x1000n, s1PageDesc(PA1, { attrIndx: Attr.WB }));
      const b = e.t.map(e.root0, 0x2000n, s1PageDesc(PA1 + 0x1000, { attrIndx: Attr.WB }));
      enableS1(e);
      read(e, 0x2000n);
      e.t.write(b, s1PageDesc(PA2, { attrIndx: Attr.WB }));
      e.mmu.tlbi(op, 0x1n);
      expect(read(e, 0x2000n), op).toBe(0x2000_0000);
    }
  });

  it('ASIDE1 invalidates the non-global entries only (a global entry matches no ASID: asid.test.ts)', () => {
    const e = env();
    const g = e.t.map(e.root0, 0x1000n, s1PageDesc(PA1, { attrIndx: Attr.WB }));
    const ng = e.t.map(e.root0, 0x2000n, s1PageDesc(PA1 + 0x1000, { attrIndx: Attr.WB, ng: true }));
    enableS1(e);
    const before = [read(e, 0x1000n), read(e, 0x2000n)];
    e.t.write(g, s1PageDesc(PA2, { attrIndx: Attr.WB }));
    e.t.write(ng, s1PageDesc(PA2, { attrIndx: Attr.WB, ng: true }));
    e.mmu.tlbi('aside1', 0n);
    expect([read(e, 0x1000n), read(e, 0x2000n)]).toEqual([before[0], 0x2000_0000]);
    e.mmu.tlbi('vmalle1', 0n);
    expect(read(e, 0x1000n)).toBe(0x2000_0000);
  });
});
