import { Acc, Fsc, IMPL, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { attrByte, isDevice, isTagged, MemAttr } from './attrs.js';
import { Ap, s1BlockDesc, s1PageDesc, tableDesc } from './descriptors.js';
import { Perm } from './access.js';
import { Attr, enableS1, faultOf, makeEnv, RAM_BASE, SCTLR, TCR, TCR_48_4K, type Env } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000; // data pages live here (tables are allocated from RAM_BASE up)

for (const tlb of [true, false]) {
  describe(`stage 1 (tlb ${tlb ? 'on' : 'off'})`, () => {
    const env = (): Env => makeEnv({ tlb });

    /** Map one 4 KiB page VA → PA with the given options and enable the MMU. */
    const mapped = (o: Parameters<typeof s1PageDesc>[1] = {}, va = 0x1000_0000n, pa = DATA, sctlr = 0n): Env => {
      const e = env();
      e.t.map(e.root0, va, s1PageDesc(pa, { attrIndx: Attr.WB, ...o }));
      enableS1(e, sctlr);
      return e;
    };

    describe('MMU off', () => {
      it('is a flat map: reads, writes and fetches reach RAM at VA = PA', () => {
        const e = env();
        e.mmu.write(BigInt(DATA), 8, 0x1122_3344_5566_7788n, 0);
        expect(e.mmu.read(BigInt(DATA), 8, 0)).toBe(0x1122_3344_5566_7788n);
        expect(e.mmu.read(BigInt(DATA + 1), 1, 0)).toBe(0x77n);
        expect(e.mmu.read(BigInt(DATA + 4), 4, 0)).toBe(0x1122_3344n);
        expect(e.mmu.read(BigInt(DATA + 2), 2, 0)).toBe(0x5566n);
        expect(e.mmu.fetch(BigInt(DATA))).toBe(0x5566_7788);
        e.mmu.write(BigInt(DATA + 8), 4, 0xffff_ffff_dead_beefn, 0);
        expect(e.mmu.read(BigInt(DATA + 8), 8, 0)).toBe(0xdead_beefn);
      });
      it('data accesses are Device-nGnRnE: an unaligned access is an Alignment fault; fetches are Normal', () => {
        const e = env();
        const f = faultOf(() => e.mmu.read(BigInt(DATA + 2), 4, 0));
        expect(f).toMatchObject({ stage: 1, fsc: Fsc.Alignment, va: BigInt(DATA + 2), write: false });
        expect(faultOf(() => e.mmu.write(BigInt(DATA + 1), 2, 0n, 0))).toMatchObject({ fsc: Fsc.Alignment, write: true });
        const d = e.mmu.translate(BigInt(DATA));
        const i = e.mmu.translate(BigInt(DATA), Acc.Fetch);
        expect(d.ok && attrByte(d.attr)).toBe(MemAttr.DeviceNGnRnE);
        expect(i.ok && isDevice(i.attr)).toBe(false);
        expect(e.mmu.read(BigInt(DATA + 4), 4, 0)).toBe(0n); // aligned is fine
      });
      it('DC ZVA to Device memory (MMU off) is an Alignment fault', () => {
        const e = env();
        expect(faultOf(() => e.mmu.zeroBlock(BigInt(DATA), 64))).toMatchObject({ stage: 1, fsc: Fsc.Alignment, write: true });
      });
      it('VA bits above PARange (48) give an Address size fault at level 0; TBI ignores the top byte', () => {
        const e = env();
        expect(faultOf(() => e.mmu.read(1n << 48n, 8, 0))).toMatchObject({ stage: 1, fsc: Fsc.AddressSize + 0 });
        const tagged = (0x5an << 56n) | BigInt(DATA);
        expect(faultOf(() => e.mmu.read(tagged, 8, 0)).fsc).toBe(Fsc.AddressSize);
        e.set('TCR_EL1', TCR_48_4K | TCR.TBI0);
        e.mmu.write(BigInt(DATA), 4, 0xabcdn, 0);
        expect(e.mmu.read(tagged, 4, 0)).toBe(0xabcdn);
        expect(faultOf(() => e.mmu.read((0x5an << 56n) | (1n << 48n), 8, 0)).fsc).toBe(Fsc.AddressSize);
      });
      it('a PA with no memory is a synchronous external abort taken at stage 1', () => {
        const e = env();
        expect(faultOf(() => e.mmu.read(0x1000n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.SyncExternal, va: 0x1000n });
        expect(faultOf(() => e.mmu.write(0x1000n, 4, 1n, 0))).toMatchObject({ fsc: Fsc.SyncExternal, write: true });
        expect(faultOf(() => e.mmu.fetch(0x1000n))).toMatchObject({ fsc: Fsc.SyncExternal, write: false });
      });
    });

    describe('translation', () => {
      it('maps 4 KiB pages with TTBR0, little-endian values of every size', () => {
        const e = mapped();
        const va = 0x1000_0000n;
        e.mmu.write(va + 0x10n, 8, 0x0102_0304_0506_0708n, 0);
        expect(e.ram.view.getBigUint64(DATA - RAM_BASE + 0x10, true)).toBe(0x0102_0304_0506_0708n);
        expect(e.mmu.read(va + 0x10n, 1, 0)).toBe(0x08n);
        expect(e.mmu.read(va + 0x12n, 2, 0)).toBe(0x0506n);
        expect(e.mmu.read(va + 0x14n, 4, 0)).toBe(0x0102_0304n);
        expect(e.mmu.fetch(va + 0x10n)).toBe(0x0506_0708);
        const r = e.mmu.translate(va + 0x123n);
        expect(r).toMatchObject({ ok: true, pa: BigInt(DATA + 0x123), ipa: BigInt(DATA + 0x123), level: 3, s2Level: -1 });
        expect(faultOf(() => e.mmu.read(va + 0x1000n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.Translation + 3 });
      });
      it('maps 2 MiB blocks at level 2 and 1 GiB blocks at level 1', () => {
        const e = env();
        e.t.map(e.root0, 0x8000_0000n, s1BlockDesc(RAM_BASE, { attrIndx: Attr.WB }), { leafLevel: 1 });
        e.t.map(e.root0, 0x2_0020_0000n, s1BlockDesc(RAM_BASE + 0x20_0000, { attrIndx: Attr.WB }), { leafLevel: 2 });
        enableS1(e);
        expect(e.mmu.translate(0x8012_3456n)).toMatchObject({ ok: true, pa: BigInt(RAM_BASE + 0x12_3456), level: 1 });
        expect(e.mmu.translate(0x2_0021_2345n)).toMatchObject({ ok: true, pa: BigInt(RAM_BASE + 0x21_2345), level: 2 });
        e.mmu.write(0x2_0021_2345n, 1, 0x5an, 0);
        expect(e.mmu.read(0x8021_2345n, 1, 0)).toBe(0x5an);
        // Output bits below the block size are ignored (RES0).
        e.t.map(e.root0, 0x2_0040_0000n, s1BlockDesc(RAM_BASE + 0x40_0000 + 0x5000, { attrIndx: Attr.WB }), { leafLevel: 2 });
        e.mmu.tlbi('vmalle1', 0n);
        expect(e.mmu.translate(0x2_0040_0010n)).toMatchObject({ ok: true, pa: BigInt(RAM_BASE + 0x40_0010) });
      });
      it('selects TTBR1 for VA[55] = 1 (high addresses)', () => {
        const e = env();
        const va = 0xffff_8000_1234_5000n;
        e.t.map(e.root1, va, s1PageDesc(DATA, { attrIndx: Attr.WB }));
        enableS1(e);
        e.mmu.write(va + 8n, 8, 0x77n, 0);
        expect(e.mmu.read(va + 8n, 8, 0)).toBe(0x77n);
        expect(e.mmu.read(BigInt(DATA + 8) - BigInt(DATA) + va, 8, 0)).toBe(0x77n);
        expect(e.mmu.translate(va + 8n)).toMatchObject({ ok: true, pa: BigInt(DATA + 8) });
        // The same low bits through TTBR0 are not mapped.
        expect(faultOf(() => e.mmu.read(0x8000_1234_5008n, 8, 0)).fsc).toBe(Fsc.Translation + 0);
      });
      it('VAs outside the T0SZ/T1SZ ranges and EPDx = 1 are Translation faults at level 0', () => {
        const e = env();
        // 39-bit ranges: T0SZ = T1SZ = 25; the walk starts at level 1.
        const tcr = 25n | (25n << 16n) | (2n << 30n) | (5n << 32n);
        e.t.map(e.root0, 0x40_0000_0000n, s1PageDesc(DATA), { start: 1, inputSize: 39 });
        e.t.map(e.root1, 0xffff_ffc0_0000_0000n, s1PageDesc(DATA), { start: 1, inputSize: 39 });
        e.set('TCR_EL1', tcr);
        enableS1(e);
        expect(e.mmu.translate(0x40_0000_0000n).ok).toBe(true);
        expect(e.mmu.translate(0xffff_ffc0_0000_0000n).ok).toBe(true);
        expect(faultOf(() => e.mmu.read(0x80_0000_0000n, 8, 0))).toMatchObject({ stage: 1, fsc: Fsc.Translation + 0 });
        expect(faultOf(() => e.mmu.read(0xffff_ff00_0000_0000n, 8, 0)).fsc).toBe(Fsc.Translation + 0);
        expect(faultOf(() => e.mmu.read(0x0100_0000_0000_0000n, 8, 0)).fsc).toBe(Fsc.Translation + 0);
        e.set('TCR_EL1', tcr | TCR.EPD0);
        expect(faultOf(() => e.mmu.read(0x40_0000_0000n, 8, 0)).fsc).toBe(Fsc.Translation + 0);
        expect(e.mmu.translate(0xffff_ffc0_0000_0000n).ok).toBe(true);
        e.set('TCR_EL1', tcr | TCR.EPD1);
        expect(faultOf(() => e.mmu.read(0xffff_ffc0_0000_0000n, 8, 0)).fsc).toBe(Fsc.Translation + 0);
      });
      it('E0PDx = 1 (FEAT_E0PD): unprivileged accesses to that half are level 0 Translation faults, TLB or not', () => {
        const e = env();
        const lo = 0x1000_0000n;
        const hi = 0xffff_8000_1234_5000n;
        e.t.map(e.root0, lo, s1PageDesc(DATA, { attrIndx: Attr.WB, ap: Ap.RwAll }));
        e.t.map(e.root1, hi, s1PageDesc(DATA, { attrIndx: Attr.WB, ap: Ap.RoAll }));
        enableS1(e);
        expect(IMPL.ID_AA64MMFR2_EL1 >> 60n).toBe(1n); // advertised
        e.set('TCR_EL1', TCR_48_4K | TCR.E0PD1);
        // EL1 fills the TLB with the TTBR1 page; EL0 still faults at level 0 (not a Permission fault).
        expect(e.mmu.read(hi, 8, 0)).toBe(0n);
        expect(e.mmu.fetch(hi)).toBe(0);
        e.cpu.el = 0;
        expect(faultOf(() => e.mmu.read(hi, 8, 0))).toMatchObject({ stage: 1, fsc: Fsc.Translation + 0, va: hi, write: false });
        expect(faultOf(() => e.mmu.write(hi, 8, 1n, 0))).toMatchObject({ fsc: Fsc.Translation + 0, write: true });
        expect(faultOf(() => e.mmu.fetch(hi)).fsc).toBe(Fsc.Translation + 0);
        expect(e.mmu.read(lo, 8, 0)).toBe(0n); // E0PD0 = 0: the TTBR0 half is as before
        // LDTR/STTR at EL1 are unprivileged unless PSTATE.UAO; PAN still follows the descriptor's AP[1].
        e.cpu.el = 1;
        expect(faultOf(() => e.mmu.read(hi, 8, Acc.Unpriv)).fsc).toBe(Fsc.Translation + 0);
        e.cpu.uao = 1;
        expect(e.mmu.read(hi, 8, Acc.Unpriv)).toBe(0n);
        e.cpu.uao = 0;
        e.cpu.pan = 1;
        expect(faultOf(() => e.mmu.read(hi, 8, 0)).fsc).toBe(Fsc.Permission + 3);
        e.cpu.pan = 0;
        // E0PD0 covers the TTBR0 half; clearing both gives EL0 its access back.
        e.set('TCR_EL1', TCR_48_4K | TCR.E0PD0);
        e.cpu.el = 0;
        expect(faultOf(() => e.mmu.read(lo, 8, 0)).fsc).toBe(Fsc.Translation + 0);
        expect(e.mmu.read(hi, 8, 0)).toBe(0n);
        e.set('TCR_EL1', TCR_48_4K);
        expect(e.mmu.read(lo, 8, 0)).toBe(0n);
        // Without FEAT_E0PD in ID_AA64MMFR2_EL1 the bits are ignored.
        e.set('ID_AA64MMFR2_EL1', IMPL.ID_AA64MMFR2_EL1 & ~(0xfn << 60n));
        e.set('TCR_EL1', TCR_48_4K | TCR.E0PD0 | TCR.E0PD1);
        expect(e.mmu.read(lo, 8, 0)).toBe(0n);
        expect(e.mmu.read(hi, 8, 0)).toBe(0n);
      });
      it('an invalid descriptor is a Translation fault at its level', () => {
        for (const level of [0, 1, 2, 3]) {
          const e = mapped();
          const at = e.t.slot(e.root0, 0x1000_0000n, { leafLevel: level });
          e.t.write(at, 0n);
          e.mmu.tlbi('vmalle1', 0n);
          expect(faultOf(() => e.mmu.write(0x1000_0000n, 4, 0n, 0))).toMatchObject({
            stage: 1, fsc: Fsc.Translation + level, va: 0x1000_0000n, write: true,
          });
        }
      });
      it('a block at level 0 and a 0b01 descriptor at level 3 are Translation faults', () => {
        const e = env();
        e.t.write(e.root0, s1BlockDesc(0, { attrIndx: Attr.WB }));
        e.t.map(e.root0, 0x80_0000_0000n, s1PageDesc(DATA) & ~2n);
        enableS1(e);
        expect(faultOf(() => e.mmu.read(0x1000n, 1, 0)).fsc).toBe(Fsc.Translation + 0);
        expect(faultOf(() => e.mmu.read(0x80_0000_0000n, 1, 0)).fsc).toBe(Fsc.Translation + 3);
      });
      it('AF = 0 is an Access flag fault at the leaf level (no hardware AF update)', () => {
        const e = mapped({ af: false });
        expect(faultOf(() => e.mmu.read(0x1000_0000n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.AccessFlag + 3 });
        const b = env();
        b.t.map(b.root0, 0x20_0000n, s1BlockDesc(DATA & ~0x1f_ffff, { af: false }), { leafLevel: 2 });
        enableS1(b);
        expect(faultOf(() => b.mmu.fetch(0x20_0000n))).toMatchObject({ fsc: Fsc.AccessFlag + 2, write: false });
        expect(b.t.read(b.t.slot(b.root0, 0x20_0000n, { leafLevel: 2 })) & (1n << 10n)).toBe(0n);
      });
      it('Address size faults: TTBR (level 0), table descriptor (its level) and output address (leaf level)', () => {
        const ips32 = (TCR_48_4K & ~(7n << 32n)) | (0n << 32n);
        const e = env();
        e.t.map(e.root0, 0x1000n, s1PageDesc(0x1_0000_0000n));
        e.set('TCR_EL1', ips32);
        enableS1(e);
        expect(faultOf(() => e.mmu.read(0x1000n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.AddressSize + 3 });
        const t = env();
        t.t.write(t.root0, tableDesc(0x2_0000_0000n));
        t.set('TCR_EL1', ips32);
        enableS1(t);
        expect(faultOf(() => t.mmu.read(0x1000n, 4, 0)).fsc).toBe(Fsc.AddressSize + 0);
        t.t.write(t.root0, tableDesc(t.t.alloc()));
        const l1 = Number(t.t.read(t.root0) & 0xffff_ffff_f000n);
        t.t.write(l1, tableDesc(0x2_0000_0000n));
        t.mmu.tlbi('vmalle1', 0n);
        expect(faultOf(() => t.mmu.read(0x1000n, 4, 0)).fsc).toBe(Fsc.AddressSize + 1);
        const b = env();
        b.set('TCR_EL1', ips32);
        b.set('TTBR0_EL1', 0x1_0000_0000n);
        enableS1(b);
        expect(faultOf(() => b.mmu.read(0x1000n, 4, 0)).fsc).toBe(Fsc.AddressSize + 0);
      });
      it('a walk that reaches no memory is a synchronous external abort on the walk (0x14 + level)', () => {
        const e = env();
        e.set('TTBR0_EL1', 0x1000_0000n);
        enableS1(e);
        expect(faultOf(() => e.mmu.read(0x1000n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.SyncExternalOnWalk + 0 });
        const t = env();
        t.t.write(t.root0, tableDesc(0x1000_0000n));
        enableS1(t);
        expect(faultOf(() => t.mmu.write(0x1000n, 4, 0n, 0))).toMatchObject({ fsc: Fsc.SyncExternalOnWalk + 1, write: true });
        const p = mapped({}, 0x1000n, 0x2000_0000);
        expect(faultOf(() => p.mmu.read(0x1008n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.SyncExternal, va: 0x1008n });
      });
    });

    describe('permissions', () => {
      const va = 0x1000_0000n;
      it('AP[2:1]: read-only pages, EL1-only pages, EL0 access', () => {
        const ro = mapped({ ap: Ap.RoEl1 });
        expect(ro.mmu.read(va, 4, 0)).toBe(0n);
        expect(faultOf(() => ro.mmu.write(va, 4, 0n, 0))).toMatchObject({ stage: 1, fsc: Fsc.Permission + 3, write: true });
        ro.cpu.el = 0;
        expect(faultOf(() => ro.mmu.read(va, 4, 0))).toMatchObject({ fsc: Fsc.Permission + 3, write: false });
        const rw1 = mapped({ ap: Ap.RwEl1 });
        rw1.cpu.el = 0;
        expect(faultOf(() => rw1.mmu.read(va, 4, 0)).fsc).toBe(Fsc.Permission + 3);
        const all = mapped({ ap: Ap.RoAll });
        all.cpu.el = 0;
        expect(all.mmu.read(va, 4, 0)).toBe(0n);
        expect(faultOf(() => all.mmu.write(va, 4, 0n, 0)).fsc).toBe(Fsc.Permission + 3);
        const rw = mapped({ ap: Ap.RwAll, pxn: true });
        rw.cpu.el = 0;
        rw.mmu.write(va, 4, 7n, 0);
        expect(rw.mmu.read(va, 4, 0)).toBe(7n);
      });
      it('read-modify-write accesses need both; WnR says whether the read was allowed', () => {
        const ro = mapped({ ap: Ap.RoAll });
        expect(faultOf(() => ro.mmu.read(va, 8, Acc.ReadWrite))).toMatchObject({ fsc: Fsc.Permission + 3, write: true });
        const priv = mapped({ ap: Ap.RwEl1 });
        priv.cpu.el = 0;
        expect(faultOf(() => priv.mmu.read(va, 8, Acc.ReadWrite))).toMatchObject({ fsc: Fsc.Permission + 3, write: false });
        const none = mapped({ af: false });
        expect(faultOf(() => none.mmu.read(va, 8, Acc.ReadWrite))).toMatchObject({ fsc: Fsc.AccessFlag + 3, write: false });
      });
      it('Acc.Unpriv (LDTR/STTR) at EL1 checks EL0 permissions, unless PSTATE.UAO', () => {
        const e = mapped({ ap: Ap.RwEl1 });
        expect(faultOf(() => e.mmu.read(va, 4, Acc.Unpriv)).fsc).toBe(Fsc.Permission + 3);
        e.cpu.uao = 1;
        expect(e.mmu.read(va, 4, Acc.Unpriv)).toBe(0n);
      });
      it('UXN, PXN, and no EL1 execution from EL0-writable memory', () => {
        const u = mapped({ ap: Ap.RoAll, uxn: true });
        expect(u.mmu.fetch(va)).toBe(0);
        u.cpu.el = 0;
        expect(faultOf(() => u.mmu.fetch(va))).toMatchObject({ stage: 1, fsc: Fsc.Permission + 3, write: false });
        expect(u.mmu.read(va, 4, 0)).toBe(0n);
        const p = mapped({ ap: Ap.RoAll, pxn: true });
        expect(faultOf(() => p.mmu.fetch(va)).fsc).toBe(Fsc.Permission + 3);
        p.cpu.el = 0;
        expect(p.mmu.fetch(va)).toBe(0);
        const w = mapped({ ap: Ap.RwAll });
        expect(faultOf(() => w.mmu.fetch(va)).fsc).toBe(Fsc.Permission + 3);
        w.cpu.el = 0;
        expect(w.mmu.fetch(va)).toBe(0);
        // Execute-only at EL0: AP = 0b00 (no EL0 data access) with UXN = 0.
        const x = mapped({ ap: Ap.RwEl1, pxn: true });
        x.cpu.el = 0;
        expect(x.mmu.fetch(va)).toBe(0);
        expect(faultOf(() => x.mmu.read(va, 4, 0)).fsc).toBe(Fsc.Permission + 3);
      });
      it('SCTLR_EL1.WXN makes writable memory execute-never at that EL', () => {
        const w = mapped({ ap: Ap.RwEl1 }, va, DATA, SCTLR.WXN);
        expect(faultOf(() => w.mmu.fetch(va)).fsc).toBe(Fsc.Permission + 3);
        const r = mapped({ ap: Ap.RoEl1 }, va, DATA, SCTLR.WXN);
        expect(r.mmu.fetch(va)).toBe(0);
        const u = mapped({ ap: Ap.RwAll }, va, DATA, SCTLR.WXN);
        u.cpu.el = 0;
        expect(faultOf(() => u.mmu.fetch(va)).fsc).toBe(Fsc.Permission + 3);
        const ur = mapped({ ap: Ap.RoAll }, va, DATA, SCTLR.WXN);
        ur.cpu.el = 0;
        expect(ur.mmu.fetch(va)).toBe(0);
      });
      it('PAN: EL1 data accesses to EL0-readable memory fault; fetches, LDTR/STTR and EL1-only pages do not', () => {
        const e = mapped({ ap: Ap.RwAll, pxn: false, uxn: true });
        e.cpu.pan = 1;
        expect(faultOf(() => e.mmu.read(va, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.Permission + 3, write: false });
        expect(faultOf(() => e.mmu.write(va, 4, 0n, 0))).toMatchObject({ fsc: Fsc.Permission + 3, write: true });
        expect(faultOf(() => e.mmu.zeroBlock(va, 64)).fsc).toBe(Fsc.Permission + 3);
        expect(e.mmu.read(va, 4, Acc.Unpriv)).toBe(0n);
        expect(e.mmu.read(va, 4, Acc.CacheMaint)).toBe(0n);
        e.cpu.pan = 0;
        expect(e.mmu.read(va, 4, 0)).toBe(0n);
        const x = mapped({ ap: Ap.RoAll });
        x.cpu.pan = 1;
        expect(x.mmu.fetch(va)).toBe(0); // RoAll is not EL0-writable, so EL1 may execute it
        const p = mapped({ ap: Ap.RwEl1 });
        p.cpu.pan = 1;
        expect(p.mmu.read(va, 4, 0)).toBe(0n);
      });
      it('hierarchical controls: APTable, UXNTable, PXNTable', () => {
        const mk = (tableOpts: Parameters<typeof tableDesc>[1]): Env => {
          const e = env();
          e.t.map(e.root0, va, s1PageDesc(DATA, { attrIndx: Attr.WB, ap: Ap.RwAll }), { tableOpts });
          enableS1(e);
          return e;
        };
        const noEl0 = mk({ apTable: 1 });
        noEl0.cpu.el = 0;
        expect(faultOf(() => noEl0.mmu.read(va, 4, 0)).fsc).toBe(Fsc.Permission + 3);
        noEl0.cpu.el = 1;
        noEl0.cpu.pan = 1;
        expect(noEl0.mmu.read(va, 4, 0)).toBe(0n); // no longer EL0-accessible, so PAN does not apply
        expect(noEl0.mmu.fetch(va)).toBe(0); // and no longer EL0-writable, so EL1 may execute it
        const ro = mk({ apTable: 2 });
        expect(faultOf(() => ro.mmu.write(va, 4, 0n, 0)).fsc).toBe(Fsc.Permission + 3);
        ro.cpu.el = 0;
        expect(ro.mmu.read(va, 4, 0)).toBe(0n);
        expect(faultOf(() => ro.mmu.write(va, 4, 0n, 0)).fsc).toBe(Fsc.Permission + 3);
        const ux = mk({ uxnTable: true, apTable: 2 });
        ux.cpu.el = 0;
        expect(faultOf(() => ux.mmu.fetch(va)).fsc).toBe(Fsc.Permission + 3);
        const px = mk({ pxnTable: true, apTable: 2 });
        expect(faultOf(() => px.mmu.fetch(va)).fsc).toBe(Fsc.Permission + 3);
        px.cpu.el = 0;
        expect(px.mmu.fetch(va)).toBe(0);
      });
      it('translate() reports the permission bits', () => {
        const e = mapped({ ap: Ap.RoAll, pxn: true });
        const r = e.mmu.translate(va);
        expect(r.ok && r.perms).toBe(Perm.ReadEl1 | Perm.ReadEl0 | Perm.ExecEl0 | Perm.Normal);
      });
    });

    describe('attributes and alignment', () => {
      const va = 0x1000_0000n;
      it('AttrIndx selects the MAIR_EL1 attribute', () => {
        const expected: Array<[number, number]> = [
          [Attr.Device, MemAttr.DeviceNGnRnE], [Attr.WB, MemAttr.NormalWB], [Attr.NC, MemAttr.NormalNC],
          [Attr.Tagged, MemAttr.NormalWB], [Attr.DeviceNGnRE, MemAttr.DeviceNGnRE], [Attr.WT, MemAttr.NormalWT],
        ];
        for (const [idx, byte] of expected) {
          const e = mapped({ attrIndx: idx });
          const r = e.mmu.translate(va);
          expect(r.ok && attrByte(r.attr)).toBe(byte);
          expect(r.ok && isTagged(r.attr)).toBe(idx === Attr.Tagged);
        }
      });
      it('Device memory needs natural alignment for every access; Normal memory does not', () => {
        const d = mapped({ attrIndx: Attr.DeviceNGnRE });
        expect(faultOf(() => d.mmu.read(va + 2n, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.Alignment, va: va + 2n });
        expect(faultOf(() => d.mmu.write(va + 1n, 2, 0n, 0))).toMatchObject({ fsc: Fsc.Alignment, write: true });
        expect(d.mmu.read(va + 4n, 4, 0)).toBe(0n);
        expect(faultOf(() => d.mmu.zeroBlock(va, 64)).fsc).toBe(Fsc.Alignment);
        const n = mapped({ attrIndx: Attr.NC });
        n.mmu.write(va + 3n, 8, 0x0102_0304_0506_0708n, 0);
        expect(n.mmu.read(va + 3n, 8, 0)).toBe(0x0102_0304_0506_0708n);
        expect(n.mmu.read(va + 5n, 2, 0)).toBe(0x0506n);
      });
      it('Acc.Aligned and SCTLR_EL1.A require alignment on Normal memory, before translation', () => {
        const e = mapped();
        expect(faultOf(() => e.mmu.read(va + 4n, 8, Acc.Aligned))).toMatchObject({ stage: 1, fsc: Fsc.Alignment });
        expect(faultOf(() => e.mmu.read(0x7000_0004n, 8, Acc.Aligned)).fsc).toBe(Fsc.Alignment); // unmapped: alignment first
        expect(e.mmu.read(va + 8n, 8, Acc.Aligned)).toBe(0n);
        const a = mapped({}, va, DATA, SCTLR.A);
        expect(faultOf(() => a.mmu.read(va + 1n, 2, 0)).fsc).toBe(Fsc.Alignment);
        expect(faultOf(() => a.mmu.write(va + 4n, 8, 0n, 0))).toMatchObject({ fsc: Fsc.Alignment, write: true });
        expect(a.mmu.read(va + 2n, 2, 0)).toBe(0n);
      });
      it('an unaligned access across a page boundary is split, each page translated', () => {
        const e = env();
        e.t.map(e.root0, va, s1PageDesc(DATA + 0x5000, { attrIndx: Attr.WB }));
        e.t.map(e.root0, va + 0x1000n, s1PageDesc(DATA + 0x2000, { attrIndx: Attr.WB }));
        enableS1(e);
        e.mmu.write(va + 0xffdn, 8, 0x8877_6655_4433_2211n, 0);
        expect(e.ram.bytes[DATA + 0x5ffd - RAM_BASE]).toBe(0x11);
        expect(e.ram.bytes[DATA + 0x5fff - RAM_BASE]).toBe(0x33);
        expect(e.ram.bytes[DATA + 0x2000 - RAM_BASE]).toBe(0x44);
        expect(e.ram.bytes[DATA + 0x2004 - RAM_BASE]).toBe(0x88);
        expect(e.mmu.read(va + 0xffdn, 8, 0)).toBe(0x8877_6655_4433_2211n);
        expect(e.mmu.read(va + 0xfffn, 2, 0)).toBe(0x4433n);
      });
      it('a fault on the second page reports its first byte, and a faulting store writes nothing', () => {
        const e = mapped();
        e.mmu.write(va + 0xff8n, 8, 0n, 0);
        const f = faultOf(() => e.mmu.write(va + 0xffcn, 8, 0xffff_ffff_ffff_ffffn, 0));
        expect(f).toMatchObject({ stage: 1, fsc: Fsc.Translation + 3, va: va + 0x1000n, write: true });
        expect(e.mmu.read(va + 0xff8n, 8, 0)).toBe(0n);
        expect(faultOf(() => e.mmu.read(va + 0xfffn, 4, 0)).va).toBe(va + 0x1000n);
        // The second page is Device: the unaligned access faults there.
        e.t.map(e.root0, va + 0x1000n, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.Device }));
        expect(faultOf(() => e.mmu.read(va + 0xffen, 4, 0))).toMatchObject({ fsc: Fsc.Alignment, va: va + 0x1000n });
      });
    });

    describe('TBI', () => {
      it('ignores the top byte for data and (without FEAT_PAuth) instruction fetches when TBIx = 1', () => {
        const e = mapped();
        const tagged = (0xa5n << 56n) | 0x1000_0010n;
        expect(faultOf(() => e.mmu.read(tagged, 4, 0))).toMatchObject({ stage: 1, fsc: Fsc.Translation + 0, va: tagged });
        e.set('TCR_EL1', TCR_48_4K | TCR.TBI0 | (1n << 51n)); // TBID0 has no effect without FEAT_PAuth
        e.mmu.write(0x1000_0010n, 4, 0xd503_201fn, 0);
        expect(e.mmu.read(tagged, 4, 0)).toBe(0xd503_201fn);
        expect(e.mmu.fetch(tagged)).toBe(0xd503_201f);
        expect(e.mmu.translate(tagged)).toMatchObject({ ok: true, pa: BigInt(DATA + 0x10) });
      });
      it('TBI1 for the TTBR1 half', () => {
        const e = env();
        const va = 0xffff_0000_0000_2000n;
        e.t.map(e.root1, va, s1PageDesc(DATA, { attrIndx: Attr.WB }));
        enableS1(e);
        const tagged = (va & ~(0xffn << 56n)) | (0x3cn << 56n);
        expect(faultOf(() => e.mmu.read(tagged, 4, 0)).fsc).toBe(Fsc.Translation + 0);
        e.set('TCR_EL1', TCR_48_4K | TCR.TBI1);
        e.mmu.write(va, 4, 99n, 0);
        expect(e.mmu.read(tagged, 4, 0)).toBe(99n);
        // The TTBR0 half still checks its top byte (TBI0 = 0).
        expect(faultOf(() => e.mmu.read(0x3cn << 56n, 4, 0)).fsc).toBe(Fsc.Translation + 0);
      });
      it('TBID0 stops TBI for fetches when FEAT_PAuth is advertised', () => {
        const e = mapped();
        e.cpu.sys[SysReg.ID_AA64ISAR1_EL1] = 0x10n; // APA
        e.set('TCR_EL1', TCR_48_4K | TCR.TBI0 | (1n << 51n));
        const tagged = (0xa5n << 56n) | 0x1000_0010n;
        expect(e.mmu.read(tagged, 4, 0)).toBe(0n);
        expect(faultOf(() => e.mmu.fetch(tagged))).toMatchObject({ fsc: Fsc.Translation + 0, write: false });
      });
    });

    it('zeroBlock zeroes after a store permission check', () => {
      const e = mapped();
      e.ram.bytes.fill(0xee, DATA - RAM_BASE, DATA - RAM_BASE + 0x1000);
      e.mmu.zeroBlock(0x1000_0040n, 64);
      expect(e.mmu.read(0x1000_0040n, 8, 0)).toBe(0n);
      expect(e.mmu.read(0x1000_0078n, 8, 0)).toBe(0n);
      expect(e.mmu.read(0x1000_0080n, 1, 0)).toBe(0xeen);
      expect(e.mmu.read(0x1000_003fn, 1, 0)).toBe(0xeen);
      const ro = mapped({ ap: Ap.RoEl1 });
      expect(faultOf(() => ro.mmu.zeroBlock(0x1000_0040n, 64))).toMatchObject({ fsc: Fsc.Permission + 3, write: true, cm: false });
    });

    it('16 KiB and 64 KiB granules (TG0 and TG1)', () => {
      for (const [g, tg0, tg1] of [[14, 2n, 1n], [16, 1n, 3n]] as const) {
        const e = env();
        const root0 = e.t.alloc(1 << g);
        const root1 = e.t.alloc(1 << g);
        const start = g === 14 ? 0 : 1;
        const lo = 0x12_3456_0000n & ~((1n << BigInt(g)) - 1n);
        const hi = 0xffff_9876_5430_0000n & ~((1n << BigInt(g)) - 1n);
        const pa = RAM_BASE + 0x40_0000;
        e.t.map(root0, lo, s1PageDesc(pa, { attrIndx: Attr.WB }), { granule: g, start });
        e.t.map(root1, hi, s1PageDesc(pa, { attrIndx: Attr.WB }), { granule: g, start });
        e.set('TTBR0_EL1', BigInt(root0));
        e.set('TTBR1_EL1', BigInt(root1));
        e.set('TCR_EL1', 16n | (16n << 16n) | (tg0 << 14n) | (tg1 << 30n) | (5n << 32n));
        enableS1(e);
        const off = BigInt((1 << g) - 8);
        e.mmu.write(lo + off, 8, 0x1234n, 0);
        expect(e.mmu.read(hi + off, 8, 0)).toBe(0x1234n);
        expect(e.mmu.translate(lo + off)).toMatchObject({ ok: true, pa: BigInt(pa) + off, level: 3 });
        expect(faultOf(() => e.mmu.read(lo + BigInt(1 << g), 8, 0)).fsc).toBe(Fsc.Translation + 3);
        // A level-2 block: 32 MiB (16K) or 512 MiB (64K).
        const blockVa = 1n << 40n;
        e.t.map(root0, blockVa, s1BlockDesc(RAM_BASE, { attrIndx: Attr.WB }), { granule: g, start, leafLevel: 2 });
        e.mmu.tlbi('vmalle1', 0n);
        expect(e.mmu.translate(blockVa + 0x40_0000n)).toMatchObject({ ok: true, pa: BigInt(pa), level: 2 });
        expect(e.mmu.read(blockVa + 0x40_0000n + off, 8, 0)).toBe(0x1234n);
      }
    });

    it('SCTLR_EL1 reset value leaves the MMU off', () => {
      const e = env();
      expect(e.cpu.sys[SysReg.SCTLR_EL1]).toBe(IMPL.SCTLR_EL1_RESET);
      expect(e.mmu.translate(BigInt(DATA))).toMatchObject({ ok: true, pa: BigInt(DATA), level: 0 });
    });
  });
}
