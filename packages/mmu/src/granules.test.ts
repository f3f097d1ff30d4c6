// 16 KiB and 64 KiB granules at stage 2 (stage 1 has its own test in stage1.test.ts), and MTE on both stages with
// those granules: the TLB caches 4 KiB pieces of the larger pages, so tags, faults and page-crossing rules must not
// depend on the granule.
import { Acc, Fsc, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { s1PageDesc, s2BlockDesc, s2PageDesc, type GranuleBits } from './descriptors.js';
import { Hcr, ISS2_TAG_ACCESS } from './access.js';
import { DATA, HCR_ATA, mteEnv, TAGGED, withTag, type MteEnv } from './mte-test-env.js';
import { Attr, faultOf, RAM_BASE, TCR } from './test-env.js';

const C = Acc.TagChecked;
const IPA = 0x8000_0000n;

/** Stage 2 with granule `g`: 40-bit IPA; 16K starts at level 1 (SL0 2), 64K at level 2 (SL0 1). */
function s2Granule(tlb: boolean, g: GranuleBits): MteEnv & { s2map(ipa: bigint, desc: bigint, leafLevel?: number): void } {
  const e = mteEnv({ tlb });
  const root = e.t.alloc(1 << g);
  const start = g === 14 ? 1 : 2;
  const o = { granule: g, start, inputSize: 40 };
  const s2map = (ipa: bigint, desc: bigint, leafLevel = 3): void => {
    e.t.map(root, ipa, desc, { ...o, leafLevel });
    e.mmu.tlbi('vmalls12e1', 0n);
  };
  // RAM identity mapped with one level-2 block (32 MiB for 16K, 512 MiB for 64K), so stage-1 tables are reachable.
  s2map(BigInt(RAM_BASE), s2BlockDesc(RAM_BASE), 2);
  const tg0 = g === 14 ? 2n : 1n;
  const sl0 = g === 14 ? 2n : 1n;
  e.cpu.sys[SysReg.VTCR_EL2] = 24n | (sl0 << 6n) | (tg0 << 14n) | (2n << 16n);
  e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(root);
  e.set('HCR_EL2', Hcr.VM | HCR_ATA);
  return Object.assign(e, { s2map });
}

for (const tlb of [true, false]) {
  for (const g of [14, 16] as const) {
    const size = 1 << g;
    describe(`${size >> 10} KiB granule (tlb ${tlb ? 'on' : 'off'})`, () => {
      it('stage 2: pages at level 3, blocks at level 2, faults with the level and IPA', () => {
        const e = s2Granule(tlb, g);
        e.s2map(IPA, s2PageDesc(DATA));
        // Stage 1 (4 KiB) maps VA pages to different 4 KiB pieces of the one stage-2 page.
        const last = BigInt(size - 0x1000);
        e.t.map(e.root0, TAGGED, s1PageDesc(IPA + last, { attrIndx: Attr.WB, ap: 1 }));
        e.t.map(e.root0, TAGGED + 0x1000n, s1PageDesc(IPA + BigInt(size), { attrIndx: Attr.WB, ap: 1 }));
        e.mmu.tlbi('vmalle1', 0n);
        e.mmu.write(TAGGED + 0xff8n, 8, 0x1234n, 0);
        expect(e.ram.view.getBigUint64(DATA + size - 8 - RAM_BASE, true)).toBe(0x1234n);
        expect(e.mmu.translate(TAGGED + 0xff8n)).toMatchObject({ ok: true, pa: BigInt(DATA + size - 8), s2Level: 3 });
        // The next IPA granule is unmapped: a stage-2 Translation fault at level 3 (its table exists).
        expect(faultOf(() => e.mmu.read(TAGGED + 0x1000n, 8, 0))).toMatchObject({
          stage: 2, fsc: Fsc.Translation + 3, ipa: IPA + BigInt(size),
        });
        // Crossing from the mapped piece into it: the second page's fault, nothing written.
        expect(faultOf(() => e.mmu.write(TAGGED + 0xffcn, 8, -1n & 0xffff_ffff_ffff_ffffn, 0))).toMatchObject({
          stage: 2, fsc: Fsc.Translation + 3, va: TAGGED + 0x1000n,
        });
        expect(e.ram.view.getBigUint64(DATA + size - 8 - RAM_BASE, true)).toBe(0x1234n);
        // Read-only and Access flag at stage 2.
        e.s2map(IPA, s2PageDesc(DATA, { s2ap: 1 }));
        expect(faultOf(() => e.mmu.write(TAGGED, 8, 0n, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, write: true });
        e.s2map(IPA, s2PageDesc(DATA, { af: false }));
        expect(faultOf(() => e.mmu.read(TAGGED, 8, 0))).toMatchObject({ stage: 2, fsc: Fsc.AccessFlag + 3 });
        // A level-2 block (32 MiB / 512 MiB) at a higher IPA.
        const blockIpa = 0x40_0000_0000n >> 2n; // 0x10_0000_0000, aligned for both block sizes
        e.s2map(blockIpa, s2BlockDesc(RAM_BASE), 2);
        e.t.map(e.root0, TAGGED, s1PageDesc(blockIpa + BigInt(DATA - RAM_BASE) + last, { attrIndx: Attr.WB, ap: 1 }));
        e.mmu.tlbi('vmalle1', 0n);
        expect(e.mmu.read(TAGGED + 0xff8n, 8, 0)).toBe(0x1234n);
        expect(e.mmu.translate(TAGGED)).toMatchObject({ ok: true, s2Level: 2 });
      });

      it('MTE through a stage-2 page of this granule: checks, tags, NoTagAccess at level 3 and 2', () => {
        const e = s2Granule(tlb, g);
        e.s2map(IPA, s2PageDesc(DATA));
        const piece = BigInt(size - 0x1000);
        e.t.map(e.root0, TAGGED, s1PageDesc(IPA + piece, { attrIndx: Attr.Tagged, ap: 1 }));
        e.mmu.tlbi('vmalle1', 0n);
        const pa = DATA + size - 0x1000;
        e.tags.fill(pa, 0x1000, 4);
        e.tags.fill(pa + 0x7f0, 16, 5);
        expect(e.mmu.read(withTag(TAGGED + 0x7e8n, 4), 8, C)).toBe(0n);
        expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x7ecn, 4), 8, C))).toMatchObject({
          stage: 1, fsc: Fsc.TagCheck, va: withTag(TAGGED + 0x7f0n, 4),
        });
        e.mmu.writeTag(TAGGED + 0x7f0n, 4, 0);
        expect(e.mmu.read(withTag(TAGGED + 0x7ecn, 4), 8, C)).toBe(0n);
        expect(e.mmu.readTag(TAGGED + 0x100n, 0)).toBe(4);
        e.s2map(IPA, s2PageDesc(DATA, { noTagAccess: true }));
        expect(faultOf(() => e.mmu.readTag(TAGGED + 0x100n, 0))).toMatchObject({
          stage: 2, fsc: Fsc.Permission + 3, ipa: IPA + piece + 0x100n, iss2: ISS2_TAG_ACCESS,
        });
        const blockIpa = 0x10_0000_0000n;
        e.s2map(blockIpa, s2BlockDesc(RAM_BASE, { noTagAccess: true }), 2);
        e.t.map(e.root0, TAGGED, s1PageDesc(blockIpa + 0x1000n, { attrIndx: Attr.Tagged, ap: 1 }));
        e.mmu.tlbi('vmalle1', 0n);
        expect(faultOf(() => e.mmu.write(withTag(TAGGED + 8n, 3), 8, 0n, C))).toMatchObject({
          stage: 2, fsc: Fsc.Permission + 2, iss2: ISS2_TAG_ACCESS, write: false,
        });
      });

      it('MTE with a stage-1 page of this granule: granules across the 4 KiB pieces the TLB caches', () => {
        const e = mteEnv({ tlb });
        const root0 = e.t.alloc(size);
        const start = g === 14 ? 0 : 1;
        const va = 0x12_0000_0000n;
        e.t.map(root0, va, s1PageDesc(DATA, { attrIndx: Attr.Tagged, ap: 1 }), { granule: g, start });
        e.set('TTBR0_EL1', BigInt(root0));
        e.set('TCR_EL1', 16n | (16n << 16n) | ((g === 14 ? 2n : 1n) << 14n) | (2n << 30n) | (5n << 32n) | TCR.TBI0);
        e.tags.fill(DATA, size, 6);
        e.tags.fill(DATA + 0x3000, 16, 7);
        // An access crossing the 4 KiB boundary at +0x3000 inside one granule-sized page.
        const x = va + 0x2ffcn;
        expect(faultOf(() => e.mmu.read(withTag(x, 6), 8, C)).va).toBe(withTag(va + 0x3000n, 6));
        expect(faultOf(() => e.mmu.write(withTag(x, 7), 8, 1n, C)).va).toBe(withTag(x, 7));
        e.tags.fill(DATA + 0x3000, 16, 6);
        e.mmu.write(withTag(x, 6), 8, 0x55n, C);
        expect(e.mmu.read(withTag(x, 6), 8, C)).toBe(0x55n);
        const end = va + BigInt(size - 8);
        e.mmu.write(withTag(end, 6), 8, 0x66n, C);
        expect(e.ram.view.getBigUint64(DATA + size - 8 - RAM_BASE, true)).toBe(0x66n);
        expect(e.mmu.translate(end)).toMatchObject({ ok: true, level: 3 });
      });
    });
  }
}
