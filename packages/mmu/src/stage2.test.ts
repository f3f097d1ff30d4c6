import { Acc, Fsc, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { attrByte, isNoTagAccess, isTagged, MemAttr } from './attrs.js';
import { s1PageDesc, s2BlockDesc, s2PageDesc } from './descriptors.js';
import { Hcr } from './access.js';
import { Attr, enableS1, faultOf, makeEnv, RAM_BASE, RAM_SIZE, type Env } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000;
/** VTCR_EL2: 40-bit IPA (T0SZ 24), start level 1 (SL0 1, two concatenated tables), 4 KiB, PS 40 bits. */
const VTCR = 24n | (1n << 6n) | (2n << 16n);
/** IPAs outside the identity-mapped RAM window, mapped page by page. */
const IPA = 0x8000_0000n;

interface S2Env extends Env {
  s2root: number;
  /** Map one stage-2 page. */
  s2map(ipa: bigint, desc: bigint): void;
}

function s2Env(tlb: boolean, hcr = Hcr.VM): S2Env {
  const e = makeEnv({ tlb });
  const s2root = e.t.alloc(8192);
  const o = { start: 1, inputSize: 40 };
  // RAM is identity mapped (IPA = PA) with 2 MiB blocks, so stage-1 tables in RAM are reachable.
  for (let off = 0; off < RAM_SIZE; off += 0x20_0000) {
    e.t.map(s2root, BigInt(RAM_BASE + off), s2BlockDesc(RAM_BASE + off), { ...o, leafLevel: 2 });
  }
  e.cpu.sys[SysReg.VTCR_EL2] = VTCR;
  e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(s2root) | (5n << 48n);
  e.set('HCR_EL2', hcr);
  return Object.assign(e, {
    s2root,
    s2map(ipa: bigint, desc: bigint) {
      e.t.map(s2root, ipa, desc, o);
      e.mmu.tlbi('vmalls12e1', 0n);
    },
  });
}

for (const tlb of [true, false]) {
  describe(`stage 2 (tlb ${tlb ? 'on' : 'off'})`, () => {
    it('translates IPA to PA with stage 1 off (VA = IPA)', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(DATA));
      e.mmu.write(IPA + 8n, 8, 0xfeedn, 0);
      expect(e.ram.view.getBigUint64(DATA + 8 - RAM_BASE, true)).toBe(0xfeedn);
      expect(e.mmu.read(IPA + 8n, 8, 0)).toBe(0xfeedn);
      expect(e.mmu.translate(IPA + 8n)).toMatchObject({ ok: true, ipa: IPA + 8n, pa: BigInt(DATA + 8), level: 0, s2Level: 3 });
    });
    it('both stages: VA → IPA → PA, stage-1 tables read through stage 2', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(DATA + 0x3000));
      e.t.map(e.root0, 0x1000n, s1PageDesc(IPA, { attrIndx: Attr.WB }));
      enableS1(e);
      e.mmu.write(0x1010n, 4, 0xcafen, 0);
      expect(e.ram.view.getUint32(DATA + 0x3010 - RAM_BASE, true)).toBe(0xcafe);
      expect(e.mmu.translate(0x1010n)).toMatchObject({ ok: true, ipa: IPA + 0x10n, pa: BigInt(DATA + 0x3010), level: 3, s2Level: 3 });
    });
    it('an unmapped IPA is a stage-2 Translation fault with the IPA, VA and WnR', () => {
      const e = s2Env(tlb);
      e.t.map(e.root0, 0x1000n, s1PageDesc(0x9000_0000, { attrIndx: Attr.WB }));
      enableS1(e);
      expect(faultOf(() => e.mmu.write(0x1024n, 4, 0n, 0))).toMatchObject({
        stage: 2, fsc: Fsc.Translation + 1, va: 0x1024n, ipa: 0x9000_0024n, write: true, s1ptw: false,
      });
      e.s2map(0x9000_0000n, s2PageDesc(DATA, { af: true }) & ~1n);
      expect(faultOf(() => e.mmu.read(0x1024n, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.Translation + 3, write: false });
    });
    it('stage-2 permissions (S2AP, XN) and Access flag', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(DATA, { s2ap: 1 }));
      e.s2map(IPA + 0x1000n, s2PageDesc(DATA, { xn: true }));
      e.s2map(IPA + 0x2000n, s2PageDesc(DATA, { af: false }));
      e.s2map(IPA + 0x3000n, s2PageDesc(DATA, { s2ap: 2 }));
      expect(e.mmu.read(IPA, 4, 0)).toBe(0n);
      expect(faultOf(() => e.mmu.write(IPA + 4n, 4, 0n, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, ipa: IPA + 4n, write: true });
      expect(e.mmu.fetch(IPA)).toBe(0); // stage-2 execute needs only XN = 0
      expect(faultOf(() => e.mmu.fetch(IPA + 0x1000n))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, write: false });
      expect(e.mmu.read(IPA + 0x1000n, 4, 0)).toBe(0n);
      expect(faultOf(() => e.mmu.read(IPA + 0x2000n, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.AccessFlag + 3 });
      expect(faultOf(() => e.mmu.read(IPA + 0x3000n, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, write: false });
      e.mmu.write(IPA + 0x3000n, 4, 1n, 0); // write-only at stage 2
      expect(faultOf(() => e.mmu.read(IPA + 0x3000n, 4, Acc.ReadWrite))).toMatchObject({ stage: 2, write: false });
      expect(faultOf(() => e.mmu.read(IPA, 4, Acc.ReadWrite))).toMatchObject({ stage: 2, write: true });
      expect(e.mmu.read(IPA + 0x3000n, 4, Acc.CacheMaint)).toBe(1n); // DC by VA at EL1: no stage-2 permission fault
    });
    it('a stage-1 walk that faults at stage 2 has S1PTW set, the table IPA, and reports a read', () => {
      const e = s2Env(tlb);
      e.set('TTBR0_EL1', 0x8010_0000n);
      enableS1(e);
      expect(faultOf(() => e.mmu.write(0x1000n, 8, 0n, 0))).toMatchObject({
        stage: 2, fsc: Fsc.Translation + 1, ipa: 0x8010_0000n, va: 0x1000n, s1ptw: true, write: false,
      });
      // The level-1 table is in an IPA page stage 2 maps without read permission.
      const l1 = e.t.alloc();
      e.s2map(0x8020_0000n, s2PageDesc(l1, { s2ap: 2 }));
      e.t.write(e.root0, 0x8020_0003n);
      e.set('TTBR0_EL1', BigInt(e.root0));
      expect(faultOf(() => e.mmu.read(0x1000n, 8, 0))).toMatchObject({
        stage: 2, fsc: Fsc.Permission + 3, ipa: 0x8020_0000n, s1ptw: true, write: false,
      });
      // The level-1 table IPA maps to a PA with no memory: an external abort on the stage-1 walk.
      e.s2map(0x8020_0000n, s2PageDesc(0x3000_0000));
      expect(faultOf(() => e.mmu.read(0x1000n, 8, 0))).toMatchObject({ stage: 1, fsc: Fsc.SyncExternalOnWalk + 1, s1ptw: false });
    });
    it('HCR_EL2.PTW: stage-1 walks to stage-2 Device memory are stage-2 Permission faults', () => {
      const e = s2Env(tlb);
      const l1 = e.t.alloc();
      e.s2map(0x8020_0000n, s2PageDesc(l1, { memAttr: 0b0001 }));
      e.t.write(e.root0, 0x8020_0003n);
      enableS1(e);
      expect(faultOf(() => e.mmu.read(0x1000n, 8, 0)).fsc).toBe(Fsc.Translation + 1); // walk proceeds, l1 empty
      e.set('HCR_EL2', Hcr.VM | Hcr.PTW);
      expect(faultOf(() => e.mmu.read(0x1000n, 8, 0))).toMatchObject({ stage: 2, fsc: Fsc.Permission + 3, s1ptw: true });
    });
    it('Device from stage 2 makes unaligned accesses stage-2 Alignment faults; stage-1 Device ones are stage 1', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(DATA, { memAttr: 0b0001 }));
      e.t.map(e.root0, 0x1000n, s1PageDesc(IPA, { attrIndx: Attr.WB }));
      e.t.map(e.root0, 0x2000n, s1PageDesc(DATA, { attrIndx: Attr.Device }));
      enableS1(e);
      expect(faultOf(() => e.mmu.read(0x1001n, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.Alignment, ipa: IPA + 1n, va: 0x1001n });
      expect(faultOf(() => e.mmu.zeroBlock(0x1000n, 64))).toMatchObject({ stage: 2, fsc: Fsc.Alignment, write: true });
      expect(e.mmu.read(0x1004n, 4, 0)).toBe(0n);
      const t = e.mmu.translate(0x1004n);
      expect(t.ok && attrByte(t.attr)).toBe(MemAttr.DeviceNGnRE);
      expect(faultOf(() => e.mmu.read(0x2001n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.Alignment });
    });
    it('IPA out of the VTCR_EL2 range: stage-2 Translation fault level 0; inconsistent SL0: level 1', () => {
      const e = s2Env(tlb);
      expect(faultOf(() => e.mmu.read(1n << 40n, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.Translation + 0, ipa: 1n << 40n });
      e.set('VTCR_EL2', (VTCR & ~(3n << 6n)) | (0n << 6n)); // start level 2 cannot resolve a 40-bit IPA
      expect(faultOf(() => e.mmu.read(BigInt(DATA), 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.Translation + 1 });
      e.set('VTCR_EL2', VTCR | (3n << 6n)); // SL0 = 3 with 4 KiB: reserved without FEAT_TTST
      expect(faultOf(() => e.mmu.read(BigInt(DATA), 4, 0)).fsc).toBe(Fsc.Translation + 1);
    });
    it('stage-2 Address size faults and external aborts on the stage-2 walk', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(1n << 41n));
      expect(faultOf(() => e.mmu.read(IPA, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.AddressSize + 3, ipa: IPA });
      e.set('VTTBR_EL2', 1n << 41n);
      expect(faultOf(() => e.mmu.read(IPA, 4, 0))).toMatchObject({ stage: 2, fsc: Fsc.AddressSize + 0 });
      e.set('VTTBR_EL2', 0x1000_0000n);
      expect(faultOf(() => e.mmu.write(IPA, 4, 0n, 0))).toMatchObject({ stage: 2, fsc: Fsc.SyncExternalOnWalk + 1, write: true, ipa: IPA });
    });
    it('combines stage-1 and stage-2 attributes (FWB = 0 and FWB = 1)', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(DATA, { memAttr: 0b0101 })); // Normal NC
      e.s2map(IPA + 0x1000n, s2PageDesc(DATA, { memAttr: 0b1111 })); // Normal WB
      e.s2map(IPA + 0x2000n, s2PageDesc(DATA, { memAttr: 0b0110 })); // FWB: force WB; FWB=0: outer NC, inner WT
      e.t.map(e.root0, 0x1000n, s1PageDesc(IPA, { attrIndx: Attr.Tagged }));
      e.t.map(e.root0, 0x2000n, s1PageDesc(IPA + 0x1000n, { attrIndx: Attr.Tagged }));
      e.t.map(e.root0, 0x3000n, s1PageDesc(IPA + 0x2000n, { attrIndx: Attr.NC }));
      enableS1(e);
      const at = (va: bigint): number => {
        const r = e.mmu.translate(va);
        if (!r.ok) throw new Error('fault');
        return r.attr;
      };
      expect(attrByte(at(0x1000n))).toBe(MemAttr.NormalNC);
      expect(isTagged(at(0x1000n))).toBe(false);
      expect(attrByte(at(0x2000n))).toBe(MemAttr.NormalWB);
      expect(isTagged(at(0x2000n))).toBe(true);
      expect(attrByte(at(0x3000n))).toBe(MemAttr.NormalNC); // outer NC from stage 2, inner NC from stage 1
      e.set('HCR_EL2', Hcr.VM | Hcr.FWB);
      expect(attrByte(at(0x3000n))).toBe(MemAttr.NormalWB); // FWB 0b110: forced Write-Back
      expect(attrByte(at(0x1000n))).toBe(MemAttr.NormalNC); // FWB 0b101: Non-cacheable
      // FWB 0b1111 is the stage-1 attributes with NoTagAccess (FEAT_MTE_PERM); 0b0111 the stage-1 attributes.
      expect(isTagged(at(0x2000n))).toBe(false);
      expect(isNoTagAccess(at(0x2000n))).toBe(true);
      e.s2map(IPA + 0x1000n, s2PageDesc(DATA, { memAttr: 0b0111 }));
      expect(isTagged(at(0x2000n))).toBe(true);
    });
    it('HCR_EL2.DC: stage 1 behaves as disabled with Normal Write-Back memory, and stage 2 is on', () => {
      const e = s2Env(tlb, Hcr.DC);
      e.s2map(IPA, s2PageDesc(DATA));
      enableS1(e);
      e.mmu.write(IPA + 1n, 4, 0x1234_5678n, 0); // unaligned: fine, Normal memory
      expect(e.mmu.read(IPA + 1n, 4, 0)).toBe(0x1234_5678n);
      const r = e.mmu.translate(IPA);
      expect(r).toMatchObject({ ok: true, pa: BigInt(DATA), level: 0, s2Level: 3 });
    });
    it('the CPU register state is read at controlChanged: a VTTBR change takes effect', () => {
      const e = s2Env(tlb);
      e.s2map(IPA, s2PageDesc(DATA));
      expect(e.mmu.read(IPA, 4, 0)).toBe(0n);
      e.set('HCR_EL2', 0n);
      expect(faultOf(() => e.mmu.read(IPA, 4, 0)).fsc).toBe(Fsc.SyncExternal); // IPA = PA now: no memory there
    });
  });
}
