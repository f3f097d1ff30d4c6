import { Acc, Fsc, setMteLevel, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { isNoTagAccess, isTagged } from './attrs.js';
import { S2MemAttr, s1PageDesc } from './descriptors.js';
import { Hcr, ISS2_TAG_ACCESS } from './access.js';
import { TlbTags } from './mmu.js';
import {
  DATA, HCR_ATA, IPA, mteEnv, PLAIN, s2MteEnv, SCTLR_MTE, TAGGED, TAGGED_RO, TCR_MTE, withTag, type MteEnv,
} from './mte-test-env.js';
import { Attr, faultOf, RAM_BASE, TCR, TCR_48_4K } from './test-env.js';

const C = Acc.TagChecked;
const SIZES = [1, 2, 4, 8] as const;
const PAGE = 0x1000;
const ram = (e: MteEnv, pa: number): bigint => e.ram.view.getBigUint64(pa - RAM_BASE, true);

for (const tlb of [true, false]) {
  describe(`MTE tag checks (tlb ${tlb ? 'on' : 'off'})`, () => {
    const env = (tcf = 1, tcf0 = 1): MteEnv => mteEnv({ tlb }, tcf, tcf0);

    it('loads and stores of every size: a matching tag succeeds, a mismatch is a synchronous Tag Check fault', () => {
      const e = env();
      e.tags.fill(DATA, 0x100, 3);
      for (const size of SIZES) {
        const va = withTag(TAGGED + 0x40n, 3);
        e.mmu.write(va, size, 0x1122_3344_5566_7788n, C);
        expect(e.mmu.read(va, size, C)).toBe(0x1122_3344_5566_7788n & ((1n << BigInt(8 * size)) - 1n));
        // Twice: the second time the TLB entry is there, so the hot path decides.
        for (let k = 0; k < 2; k++) {
          const bad = withTag(TAGGED + 0x48n, 5);
          expect(faultOf(() => e.mmu.read(bad, size, C))).toMatchObject({
            stage: 1, fsc: Fsc.TagCheck, va: bad, write: false, iss2: 0,
          });
          expect(faultOf(() => e.mmu.write(bad, size, 0n, C))).toMatchObject({ stage: 1, fsc: Fsc.TagCheck, va: bad, write: true });
        }
      }
      expect(ram(e, DATA + 0x48)).toBe(0n); // no faulting store wrote anything
      // Unchecked accesses (no Acc.TagChecked: SP-based, STGP, ...) are not checked.
      expect(e.mmu.read(withTag(TAGGED + 0x40n, 9), 8, 0)).toBe(0x1122_3344_5566_7788n);
      // A read-modify-write (atomic): WnR 0 on the read half, as for its other faults.
      expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x40n, 1), 8, C | Acc.ReadWrite | Acc.Aligned)))
        .toMatchObject({ fsc: Fsc.TagCheck, write: false });
      // Tag check faults come after Alignment faults.
      expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x44n, 1), 8, C | Acc.Aligned))).toMatchObject({ fsc: Fsc.Alignment });
    });

    it('FAR keeps the whole pointer, bits [63:60] included (as QEMU 10 reports it)', () => {
      const e = env();
      e.tags.fill(DATA, 0x40, 3);
      const p = (0xa5n << 56n) | (TAGGED + 0x24n);
      expect(faultOf(() => e.mmu.read(p, 8, C)).va).toBe(0xa500_0000_1000_0024n);
      const q = (0x7en << 56n) | (TAGGED + 0x28n);
      expect(faultOf(() => e.mmu.write(q, 8, 1n, C))).toMatchObject({ va: 0x7e00_0000_1000_0028n, write: true });
    });

    it('an unaligned access checks both granules: FAR is the first byte, or the start of the failing granule', () => {
      const e = env();
      e.tags.fill(DATA + 0x00, 16, 1);
      e.tags.fill(DATA + 0x10, 16, 2);
      e.ram.view.setBigUint64(DATA + 0x0c - RAM_BASE, 0x0807_0605_0403_0201n, true);
      for (let k = 0; k < 2; k++) {
        expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x0cn, 1), 8, C)).va).toBe(withTag(TAGGED + 0x10n, 1));
        expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x0cn, 2), 8, C)).va).toBe(withTag(TAGGED + 0x0cn, 2));
        expect(faultOf(() => e.mmu.write(withTag(TAGGED + 0x0en, 1), 4, 0n, C))).toMatchObject({
          va: withTag(TAGGED + 0x10n, 1), write: true,
        });
      }
      expect(ram(e, DATA + 0x0c)).toBe(0x0807_0605_0403_0201n);
      e.tags.fill(DATA + 0x10, 16, 1);
      expect(e.mmu.read(withTag(TAGGED + 0x0cn, 1), 8, C)).toBe(0x0807_0605_0403_0201n);
      // An access inside one granule needs only that granule's tag.
      expect(e.mmu.read(withTag(TAGGED + 0x18n, 1), 8, C)).toBe(0n);
    });

    it('an access crossing a page checks the granules of both pages; a faulting store writes neither', () => {
      const e = env();
      e.tags.fill(DATA + PAGE - 16, 16, 1);
      e.tags.fill(DATA + PAGE, 16, 2);
      const va = TAGGED + BigInt(PAGE - 4);
      for (let k = 0; k < 2; k++) {
        expect(faultOf(() => e.mmu.read(withTag(va, 1), 8, C)).va).toBe(withTag(TAGGED + BigInt(PAGE), 1));
        expect(faultOf(() => e.mmu.read(withTag(va, 2), 8, C)).va).toBe(withTag(va, 2));
        expect(faultOf(() => e.mmu.write(withTag(va, 1), 8, -1n & 0xffff_ffff_ffff_ffffn, C))).toMatchObject({
          fsc: Fsc.TagCheck, va: withTag(TAGGED + BigInt(PAGE), 1), write: true,
        });
      }
      expect(ram(e, DATA + PAGE - 8)).toBe(0n);
      expect(ram(e, DATA + PAGE)).toBe(0n);
      e.tags.fill(DATA + PAGE, 16, 1);
      e.mmu.write(withTag(va, 1), 8, 0x8877_6655_4433_2211n, C);
      expect(e.mmu.read(withTag(va, 1), 8, C)).toBe(0x8877_6655_4433_2211n);
    });

    it('translation and permission faults come before tag check faults, also on the second page', () => {
      const e = env();
      e.tags.fill(DATA, 0x1000, 7);
      // Read-only page: a mismatching store is a Permission fault.
      expect(faultOf(() => e.mmu.write(withTag(TAGGED_RO + 0x10n, 1), 8, 0n, C))).toMatchObject({
        fsc: Fsc.Permission + 3, write: true,
      });
      // Page crossing into an unmapped page with a mismatch on the first page: the Translation fault on the second.
      const last = 0x4000_0000n + BigInt(PAGE - 4);
      e.t.map(e.root0, 0x4000_0000n, s1PageDesc(DATA, { attrIndx: Attr.Tagged }));
      e.mmu.tlbi('vmalle1', 0n);
      expect(faultOf(() => e.mmu.read(withTag(last, 1), 8, C))).toMatchObject({
        fsc: Fsc.Translation + 3, va: withTag(0x4000_0000n + BigInt(PAGE), 1),
      });
    });

    it('untagged memory is not checked: Normal WB without 0xF0, regions without tag storage, below FEAT_MTE2', () => {
      const e = env();
      e.tags.fill(DATA, 0x100, 3);
      e.ram.view.setBigUint64(DATA + 0x20 - RAM_BASE, 42n, true);
      expect(e.mmu.read(withTag(PLAIN + 0x20n, 6), 8, C)).toBe(42n);
      e.mmu.write(withTag(PLAIN + 0x20n, 6), 8, 43n, C);
      expect(e.mmu.tlbEntry(PLAIN)?.tags).toBe(tlb ? TlbTags.None : undefined);
      expect(e.mmu.tlbEntry(TAGGED)?.tags).toBe(undefined);
      e.mmu.read(withTag(TAGGED + 0x20n, 3), 8, C);
      expect(e.mmu.tlbEntry(TAGGED)?.tags).toBe(tlb ? TlbTags.Tagged : undefined);
      setMteLevel(e.cpu, 1);
      expect(e.mmu.read(withTag(TAGGED + 0x20n, 6), 8, C)).toBe(43n);
      expect(e.mmu.readTag(TAGGED + 0x20n, 0)).toBe(0);
      e.mmu.writeTag(TAGGED + 0x20n, 9, 0);
      expect(e.tags.t[0x20 >> 4 | ((DATA - RAM_BASE) >> 4)]).toBe(3);
      expect(e.mmu.translate(TAGGED).ok && isTagged((e.mmu.translate(TAGGED) as { attr: number }).attr)).toBe(false);
    });

    it('PSTATE.TCO, TCF = 0, tag access disabled, TBI off and TCMA turn checks off (the CPU decides)', () => {
      const e = env();
      e.tags.fill(DATA, 0x100, 3);
      const bad = withTag(TAGGED + 0x30n, 4);
      const checked = (): boolean => {
        try {
          e.mmu.read(bad, 8, C);
          e.mmu.read(TAGGED + 0x30n, 8, C); // pointer tag 0
          return false;
        } catch {
          return true;
        }
      };
      expect(checked()).toBe(true);
      e.cpu.tco = 1;
      expect(checked()).toBe(false);
      e.cpu.tco = 0;
      e.sctlr(SCTLR_MTE.ATA); // TCF = 0
      expect(checked()).toBe(false);
      e.sctlr(SCTLR_MTE.TCF(1)); // ATA = 0
      expect(checked()).toBe(false);
      e.sctlr(SCTLR_MTE.ATA | SCTLR_MTE.TCF(1));
      e.set('HCR_EL2', 0n); // HCR_EL2.ATA = 0
      expect(checked()).toBe(false);
      e.set('HCR_EL2', HCR_ATA);
      expect(checked()).toBe(true);
      // TBI0 off: only pointer tag 0 translates; it is not checked either.
      e.set('TCR_EL1', TCR_48_4K | TCR.TBI1);
      expect(e.mmu.read(TAGGED + 0x30n, 8, C)).toBe(0n);
      // TCMA0: pointers with bits [59:55] all zero are unchecked; others still are.
      e.set('TCR_EL1', TCR_48_4K | TCR.TBI0 | TCR_MTE.TCMA0);
      expect(e.mmu.read(TAGGED + 0x30n, 8, C)).toBe(0n);
      expect(faultOf(() => e.mmu.read(bad, 8, C)).fsc).toBe(Fsc.TagCheck);
    });

    it('EL0 and unprivileged accesses follow TCF0', () => {
      const e = env(0, 1);
      e.tags.fill(DATA, 0x100, 3);
      const bad = withTag(TAGGED + 0x30n, 4);
      expect(e.mmu.read(bad, 8, C)).toBe(0n); // EL1, TCF = 0
      expect(faultOf(() => e.mmu.read(bad, 8, C | Acc.Unpriv)).fsc).toBe(Fsc.TagCheck);
      e.cpu.el = 0;
      expect(faultOf(() => e.mmu.write(bad, 8, 0n, C))).toMatchObject({ fsc: Fsc.TagCheck, write: true });
    });

    it('asynchronous checks record TFSR_EL1/TFSRE0_EL1 (TF0/TF1 by bit 55) and complete the access', () => {
      const e = env(2, 2);
      const hi = 0xffff_8000_0000_0000n;
      e.t.map(e.root1, hi, s1PageDesc(DATA, { attrIndx: Attr.Tagged, ap: 1 }));
      e.tags.fill(DATA, 0x100, 3);
      for (let k = 0; k < 2; k++) {
        e.mmu.write(withTag(TAGGED + 0x48n, 5), 8, 0x4444n, C);
        expect(e.cpu.sys[SysReg.TFSR_EL1]).toBe(1n);
        expect(ram(e, DATA + 0x48)).toBe(0x4444n);
        e.cpu.sys[SysReg.TFSR_EL1] = 0n;
      }
      expect(e.mmu.read(withTag(hi + 0x48n, 5), 8, C)).toBe(0x4444n);
      expect(e.cpu.sys[SysReg.TFSR_EL1]).toBe(2n);
      expect(e.mmu.read(withTag(TAGGED + 0x48n, 5), 8, C | Acc.Unpriv)).toBe(0x4444n);
      expect(e.cpu.sys[SysReg.TFSRE0_EL1]).toBe(1n);
      // A matching tag records nothing.
      e.cpu.sys[SysReg.TFSR_EL1] = 0n;
      e.mmu.read(withTag(TAGGED + 0x48n, 3), 8, C);
      expect(e.cpu.sys[SysReg.TFSR_EL1]).toBe(0n);
      // Asymmetric (TCF = 3, FEAT_MTE3): loads synchronous, stores asynchronous.
      e.sctlr(SCTLR_MTE.ATA | SCTLR_MTE.TCF(3));
      expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x48n, 5), 8, C)).fsc).toBe(Fsc.TagCheck);
      e.mmu.write(withTag(TAGGED + 0x48n, 5), 8, 0x5555n, C);
      expect(e.cpu.sys[SysReg.TFSR_EL1]).toBe(1n);
      expect(ram(e, DATA + 0x48)).toBe(0x5555n);
    });

    it('DC ZVA (zeroBlock) is a Tag Checked store of the whole block: every granule, first mismatch reported, tags kept', () => {
      const e = env();
      const fillData = (): void => {
        for (let o = 0; o < 0x80; o += 8) e.ram.view.setBigUint64(DATA + o - RAM_BASE, 0x1111n * BigInt(o + 1), true);
      };
      e.tags.fill(DATA, 0x40, 3);
      e.tags.fill(DATA + 0x30, 0x10, 6); // the block's last granule differs
      fillData();
      for (let k = 0; k < 2; k++) { // (the second time through the TLB entry the first call filled)
        expect(faultOf(() => e.mmu.zeroBlock(withTag(TAGGED, 3), 64))).toMatchObject({
          stage: 1, fsc: Fsc.TagCheck, va: withTag(TAGGED + 0x30n, 3), write: true,
        });
        expect(ram(e, DATA)).toBe(0x1111n); // nothing written
      }
      e.tags.fill(DATA + 0x30, 0x10, 3);
      e.mmu.zeroBlock(withTag(TAGGED, 3), 64);
      for (let o = 0; o < 0x40; o += 8) expect(ram(e, DATA + o)).toBe(0n);
      expect(ram(e, DATA + 0x40)).toBe(0x1111n * 0x41n); // the next block untouched
      expect(e.tags.getTag(DATA + 0x30)).toBe(3);
      // Unchecked: untagged memory through any tag, and PSTATE.TCO = 1.
      fillData();
      e.mmu.zeroBlock(withTag(PLAIN, 9), 64);
      expect(ram(e, DATA)).toBe(0n);
      fillData();
      e.cpu.tco = 1;
      e.mmu.zeroBlock(withTag(TAGGED, 9), 64);
      expect(ram(e, DATA)).toBe(0n);
      e.cpu.tco = 0;
      // Asynchronous (TCF = 2) and asymmetric (TCF = 3: a store, so asynchronous): TFSR_EL1.TF0, the block zeroed.
      for (const tcf of [2, 3]) {
        fillData();
        e.sctlr(SCTLR_MTE.ATA | SCTLR_MTE.TCF(tcf));
        e.cpu.sys[SysReg.TFSR_EL1] = 0n;
        e.mmu.zeroBlock(withTag(TAGGED, 9), 64);
        expect(e.cpu.sys[SysReg.TFSR_EL1]).toBe(1n);
        expect(ram(e, DATA + 0x38)).toBe(0n);
      }
    });

    it('readTag/writeTag: Tagged memory holds tags; untagged memory reads 0 and ignores writes; writes need write permission', () => {
      const e = env();
      e.mmu.writeTag(withTag(TAGGED + 0x35n, 0xf), 0xb, 0);
      expect(e.tags.t[(DATA - RAM_BASE + 0x30) >> 4]).toBe(0xb);
      expect(e.mmu.readTag(TAGGED + 0x3fn, 0)).toBe(0xb);
      expect(e.mmu.readTag(TAGGED_RO + 0x30n, 0)).toBe(0xb);
      expect(e.mmu.readTag(PLAIN + 0x30n, 0)).toBe(0);
      e.mmu.writeTag(PLAIN + 0x30n, 0x4, 0);
      expect(e.mmu.readTag(TAGGED + 0x30n, 0)).toBe(0xb);
      expect(faultOf(() => e.mmu.writeTag(TAGGED_RO + 0x30n, 1, 0))).toMatchObject({ stage: 1, fsc: Fsc.Permission + 3, write: true });
      expect(faultOf(() => e.mmu.probe(TAGGED_RO + 0x30n, Acc.Write))).toMatchObject({ stage: 1, fsc: Fsc.Permission + 3, write: true });
      e.mmu.probe(TAGGED_RO + 0x30n, 0);
      e.mmu.probe(PLAIN + 0x30n, Acc.Write);
      expect(e.mmu.readTag(TAGGED + 0x30n, 0)).toBe(0xb);
      expect(faultOf(() => e.mmu.readTag(0x5000_0000n, 0))).toMatchObject({ fsc: Fsc.Translation + 1, write: false });
      // EL0 permissions apply to EL0 / unprivileged tag accesses.
      expect(faultOf(() => e.mmu.readTag(TAGGED_RO, Acc.Unpriv))).toMatchObject({ fsc: Fsc.Permission + 3 });
      // Memory without tag storage: a region without `tags`.
      e.phys.add(0x4100_0000, 0x1000);
      e.t.map(e.root0, 0x6000_0000n, s1PageDesc(0x4100_0000, { attrIndx: Attr.Tagged }));
      e.mmu.tlbi('vmalle1', 0n);
      e.mmu.writeTag(0x6000_0000n, 5, 0);
      expect(e.mmu.readTag(0x6000_0000n, 0)).toBe(0);
      expect(e.mmu.read(withTag(0x6000_0000n, 5), 8, C)).toBe(0n);
    });
  });

  describe(`MTE with stage 2 (tlb ${tlb ? 'on' : 'off'})`, () => {
    it('stage-2 Device or Non-cacheable makes stage-1 Tagged memory untagged; Write-Back keeps it Tagged (FWB = 0)', () => {
      const e = s2MteEnv({ tlb });
      e.tags.fill(DATA, 0x1000, 3);
      const cases: [number, boolean][] = [[0b1111, true], [0b0001, false], [0b0000, false], [0b0101, false],
        [0b1010, false], [0b1011, false]];
      for (const [memAttr, tagged] of cases) {
        e.s2map(IPA, DATA, { memAttr });
        e.s1map(TAGGED, IPA);
        const bad = withTag(TAGGED + 0x40n, 6);
        if (tagged) {
          expect(faultOf(() => e.mmu.read(bad, 8, C))).toMatchObject({ stage: 1, fsc: Fsc.TagCheck, va: bad });
          expect(e.mmu.readTag(TAGGED + 0x40n, 0)).toBe(3);
        } else {
          expect(e.mmu.read(bad, 4, C)).toBe(0n);
          expect(e.mmu.readTag(TAGGED + 0x40n, 0)).toBe(0);
          e.mmu.writeTag(TAGGED + 0x40n, 9, 0);
          expect(e.tags.t[(DATA - RAM_BASE + 0x40) >> 4]).toBe(3);
        }
      }
    });

    it('FWB = 1: 0b110 (forced WB) and 0b111 (stage 1) keep Tagged; 0b101 (NC) and Device do not', () => {
      const e = s2MteEnv({ tlb }, Hcr.FWB);
      e.tags.fill(DATA, 0x1000, 3);
      const cases: [number, number, boolean][] = [
        [S2MemAttr.FwbNormalWB, Attr.Tagged, true], [S2MemAttr.FwbUseStage1, Attr.Tagged, true],
        [S2MemAttr.FwbNormalNC, Attr.Tagged, false], [S2MemAttr.DeviceNGnRE, Attr.Tagged, false],
        [S2MemAttr.FwbNormalWB, Attr.WB, false], [S2MemAttr.FwbNormalWB, Attr.NC, false],
      ];
      for (const [memAttr, s1, tagged] of cases) {
        e.s2map(IPA, DATA, { memAttr });
        e.s1map(TAGGED, IPA, s1);
        const bad = withTag(TAGGED + 0x40n, 6);
        if (tagged) expect(faultOf(() => e.mmu.write(bad, 8, 0n, C)).fsc).toBe(Fsc.TagCheck);
        else expect(e.mmu.read(bad, 4, C)).toBe(0n);
        expect(e.mmu.readTag(TAGGED + 0x40n, 0)).toBe(tagged ? 3 : 0);
      }
    });

    for (const fwb of [false, true]) {
      it(`NoTagAccess (FEAT_MTE_PERM, FWB = ${fwb ? 1 : 0}): tag accesses and enabled checks are stage-2 Permission faults with ISS2.TagAccess`, () => {
        const e = s2MteEnv({ tlb }, fwb ? Hcr.FWB : 0n);
        e.tags.fill(DATA, 0x1000, 3);
        e.s2map(IPA, DATA, { noTagAccess: true, fwb });
        e.s1map(TAGGED, IPA);
        const r = e.mmu.translate(TAGGED);
        expect(r.ok && isNoTagAccess(r.attr) && !isTagged(r.attr)).toBe(true);
        const nta = { stage: 2, fsc: Fsc.Permission + 3, ipa: IPA + 0x40n, iss2: ISS2_TAG_ACCESS };
        for (let k = 0; k < 2; k++) {
          expect(faultOf(() => e.mmu.readTag(TAGGED + 0x40n, 0))).toMatchObject({ ...nta, write: false });
          expect(faultOf(() => e.mmu.writeTag(TAGGED + 0x40n, 1, 0))).toMatchObject({ ...nta, write: true });
          // A checked access faults whatever the tags (even a matching one); a checked store reports WnR 0.
          expect(faultOf(() => e.mmu.read(withTag(TAGGED + 0x40n, 3), 8, C))).toMatchObject({ ...nta, write: false });
          expect(faultOf(() => e.mmu.write(withTag(TAGGED + 0x40n, 3), 8, 1n, C))).toMatchObject({ ...nta, write: false });
          // Data is ordinary Normal Write-Back: unchecked accesses, and checked ones whose check is off, work.
          e.mmu.write(TAGGED + 0x48n, 8, 7n, 0);
          expect(e.mmu.read(withTag(TAGGED + 0x48n, 9), 8, 0)).toBe(7n);
          e.cpu.tco = 1;
          expect(e.mmu.read(withTag(TAGGED + 0x48n, 9), 4, C)).toBe(7n);
          e.cpu.tco = 0;
        }
        expect(e.mmu.tlbEntry(TAGGED)?.tags).toBe(tlb ? TlbTags.NoTagAccess : undefined);
        expect(e.tags.t[(DATA - RAM_BASE + 0x40) >> 4]).toBe(3);
        // A page crossing into NoTagAccess memory faults on the second page, before any tag check fault.
        e.s2map(IPA - 0x1000n, DATA + 0x1000, { memAttr: fwb ? S2MemAttr.FwbNormalWB : S2MemAttr.NormalWB });
        e.s1map(TAGGED - 0x1000n, IPA - 0x1000n);
        expect(faultOf(() => e.mmu.read(withTag(TAGGED - 4n, 5), 8, C))).toMatchObject({ ...nta, ipa: IPA, va: withTag(TAGGED, 5) });
        // probe (tag stores with tag access disabled) accesses no tag: no fault.
        e.mmu.probe(TAGGED + 0x40n, Acc.Write);
        // Stage-1 untagged memory: no tag access ever reaches NoTagAccess.
        e.s1map(TAGGED, IPA, Attr.WB);
        expect(e.mmu.readTag(TAGGED + 0x40n, 0)).toBe(0);
        expect(e.mmu.read(withTag(TAGGED + 0x40n, 5), 8, C)).toBe(0n);
        // An ordinary stage-2 permission fault wins and has no TagAccess.
        e.s2map(IPA, DATA, { noTagAccess: true, fwb, s2ap: 1 });
        e.s1map(TAGGED, IPA);
        expect(faultOf(() => e.mmu.writeTag(TAGGED, 1, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, iss2: 0, write: true });
        expect(faultOf(() => e.mmu.readTag(TAGGED, 0))).toMatchObject({ iss2: ISS2_TAG_ACCESS });
      });
    }

    it('NoTagAccess: the fault level is the stage-2 leaf level (a 2 MiB block: level 2); FWB 0b1111 too', () => {
      const e = s2MteEnv({ tlb }, Hcr.FWB);
      const block = 0x10_0000_0000n >> 4n; // 0x1_0000_0000
      e.t.map(e.s2root, block, (BigInt(RAM_BASE + 0x20_0000) | 1n | (1n << 10n) | (3n << 6n) | (3n << 8n) |
        (BigInt(S2MemAttr.FwbNoTagAccessUseStage1) << 2n)), { start: 1, inputSize: 40, leafLevel: 2 });
      e.mmu.tlbi('vmalls12e1', 0n);
      e.s1map(TAGGED, block + 0x1000n);
      expect(faultOf(() => e.mmu.readTag(TAGGED + 0x10n, 0))).toMatchObject({
        stage: 2, fsc: Fsc.Permission + 2, ipa: block + 0x1010n, iss2: ISS2_TAG_ACCESS,
      });
    });
  });
}

describe('MTE: TLB on and off give the same results', () => {
  it('random checked and unchecked accesses, tag reads and writes, sync and async', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const envs = [mteEnv({ tlb: true }), mteEnv({ tlb: false })];
    for (const e of envs) {
      for (let g = 0; g < 0x2000 / 16; g++) e.tags.t[((DATA - RAM_BASE) >> 4) + g] = (g * 7) % 4;
    }
    const outcome = (e: MteEnv, op: number, va: bigint, size: number, v: bigint, flags: number): string => {
      try {
        switch (op) {
          case 0: return `r ${e.mmu.read(va, size, flags)}`;
          case 1: e.mmu.write(va, size, v, flags); return 'w';
          case 2: return `t ${e.mmu.readTag(va, flags & Acc.Unpriv)}`;
          default: e.mmu.writeTag(va, Number(v & 3n), flags & Acc.Unpriv); return 'tw';
        }
      } catch (err) {
        const f = err as { fsc: number; va: bigint; write: boolean; stage: number; iss2: number };
        return `fault ${f.stage} ${f.fsc} ${f.va} ${f.write} ${f.iss2}`;
      }
    };
    for (let n = 0; n < 4000; n++) {
      if (n % 500 === 0) {
        const tcf = rnd(4);
        const tcf0 = rnd(2);
        for (const e of envs) e.sctlr(SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | SCTLR_MTE.TCF(tcf) | SCTLR_MTE.TCF0(tcf0));
      }
      const op = rnd(10) < 8 ? rnd(2) : 2 + rnd(2);
      const size = SIZES[rnd(4)]!;
      const base = [TAGGED, PLAIN, TAGGED_RO][rnd(3)]!;
      const va = withTag(base + BigInt(rnd(0x2000 - 8)), rnd(4));
      const flags = (rnd(4) !== 0 ? C : 0) | (rnd(8) === 0 ? Acc.Unpriv : 0);
      const v = BigInt(rnd(1 << 30)) * 3n;
      const tco = rnd(16) === 0 ? 1 : 0;
      const results = envs.map((e) => {
        e.cpu.tco = tco;
        return outcome(e, op, va, size, v, flags);
      });
      expect(results[0], `access ${n}: op ${op} va ${va.toString(16)} size ${size} flags ${flags}`).toBe(results[1]);
    }
    const [a, b] = envs as [MteEnv, MteEnv];
    expect(a.tags.t).toEqual(b.tags.t);
    expect(a.ram.bytes.subarray(DATA - RAM_BASE, DATA - RAM_BASE + 0x2000))
      .toEqual(b.ram.bytes.subarray(DATA - RAM_BASE, DATA - RAM_BASE + 0x2000));
    expect(a.cpu.sys[SysReg.TFSR_EL1]).toBe(b.cpu.sys[SysReg.TFSR_EL1]);
    expect(a.cpu.sys[SysReg.TFSRE0_EL1]).toBe(b.cpu.sys[SysReg.TFSRE0_EL1]);
    expect(a.mmu.stats.slow).toBeLessThan(b.mmu.stats.slow);
  });

  it('a checked access to Tagged memory on a TLB hit reads the tags without a walk', () => {
    const e = mteEnv({ tlb: true });
    e.tags.fill(DATA, 0x100, 3);
    e.mmu.read(withTag(TAGGED, 3), 8, C);
    const walks = e.mmu.stats.walks;
    const reads = e.tags.reads;
    for (let i = 0; i < 8; i++) e.mmu.write(withTag(TAGGED + BigInt(8 * i), 3), 8, 1n, C);
    e.mmu.read(withTag(TAGGED + 0x0cn, 3), 8, C); // two granules
    expect(e.mmu.stats.walks).toBe(walks);
    expect(e.tags.reads - reads).toBe(10);
  });
});
