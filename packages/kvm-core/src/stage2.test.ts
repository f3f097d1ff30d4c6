import { describe, expect, it } from 'vitest';
import { Acc, Cpu, MemoryFault, SysReg } from '@kvm-mte/aarch64-cpu';
import { HostPhysicalMemory } from './host-memory.js';
import { S2_MEMATTR_DEVICE_nGnRE, S2_MEMATTR_NORMAL_WB, Stage2 } from './stage2.js';
import { Mmu } from '@kvm-mte/mmu';

function setup(ipaBits: number) {
  const phys = new HostPhysicalMemory(1 << 30);
  const owner = {};
  const ram = phys.mmap({ size: 1 << 20 }, owner);
  const s2 = new Stage2(phys, ipaBits);
  const cpu = new Cpu(undefined as never);
  cpu.sys[SysReg.HCR_EL2] = 1n; // VM
  cpu.sys[SysReg.VTCR_EL2] = s2.vtcr;
  cpu.sys[SysReg.VTTBR_EL2] = s2.vttbr(7);
  const mmu = new Mmu(cpu, phys, { tlb: false }); // walk every access: unmapping needs no TLBI here
  cpu.mem = mmu;
  return { phys, ram, s2, port: mmu };
}

describe('Stage2', () => {
  it('VTCR/VTTBR encodings', () => {
    const { s2 } = setup(40);
    expect(s2.startLevel).toBe(0);
    expect(s2.vtcr & 0x3fn).toBe(24n); // T0SZ
    expect((s2.vtcr >> 6n) & 3n).toBe(2n); // SL0: level 0
    expect((s2.vtcr >> 14n) & 3n).toBe(0n); // 4 KiB
    expect((s2.vtcr >> 16n) & 7n).toBe(5n); // PS 48 bits
    expect(s2.vttbr(7) >> 48n).toBe(7n);
    expect(Number(s2.vttbr(7) & 0xffff_ffff_ffffn)).toBe(s2.root);
    const small = setup(36).s2;
    expect(small.startLevel).toBe(1);
    expect((small.vtcr >> 6n) & 3n).toBe(1n);
  });

  it('maps pages lazily; the walk reaches the host page; unmapping faults again', () => {
    for (const bits of [36, 40, 48]) {
      const { ram, s2, port } = setup(bits);
      const ipa = 0x4000_0000 + 0x3000;
      expect(() => port.read(BigInt(ipa), 4, 0)).toThrow(MemoryFault);
      s2.map(ipa, ram.base + 0x5000, { readOnly: false, memAttr: S2_MEMATTR_NORMAL_WB });
      ram.view.setUint32(0x5010, 0xcafef00d, true);
      expect(port.read(BigInt(ipa + 0x10), 4, 0)).toBe(0xcafef00dn);
      port.write(BigInt(ipa + 0x20), 8, 0x1122334455667788n, Acc.Write);
      expect(ram.view.getBigUint64(0x5020, true)).toBe(0x1122334455667788n);
      const d = s2.lookup(ipa);
      expect(d & 3n).toBe(3n);
      expect((d >> 2n) & 0xfn).toBe(0xfn); // Normal write-back
      expect((d >> 6n) & 3n).toBe(3n); // read/write
      expect((d >> 10n) & 1n).toBe(1n); // AF
      expect(s2.unmapRange(ipa, 4096)).toBe(1);
      expect(() => port.read(BigInt(ipa), 4, 0)).toThrow(MemoryFault);
    }
  });

  it('read-only and device pages', () => {
    const { ram, s2, port } = setup(40);
    s2.map(0x1000, ram.base, { readOnly: true, memAttr: S2_MEMATTR_NORMAL_WB });
    expect(port.read(0x1000n, 1, 0)).toBe(0n);
    let fault: unknown;
    try { port.write(0x1000n, 1, 1n, Acc.Write); } catch (e) { fault = e; }
    expect(fault).toBeInstanceOf(MemoryFault);
    expect((fault as MemoryFault).fsc).toBe(0x0f); // permission, level 3
    s2.map(0x2000, ram.base, { readOnly: false, memAttr: S2_MEMATTR_DEVICE_nGnRE });
    expect((s2.lookup(0x2000) >> 2n) & 0xfn).toBe(1n); // Device-nGnRE
  });

  it('tables take host-physical pages of their own, separate per VM', () => {
    const phys = new HostPhysicalMemory(1 << 30);
    const a = new Stage2(phys, 40);
    const b = new Stage2(phys, 40);
    expect(a.root).not.toBe(b.root);
    a.map(0x10_0000_0000 - 0x1000, 0x1234_5000, { readOnly: false, memAttr: S2_MEMATTR_NORMAL_WB });
    expect(a.tablePages).toBe(4);
    expect(b.lookup(0x10_0000_0000 - 0x1000)).toBe(0n);
    expect(phys.region(a.root)).toBeDefined();
    expect(phys.region(0)).toBeUndefined();
  });
});

describe('Stage2.setWritable and unmapRange over ranges with unmapped 2 MiB stretches', () => {
  it('change exactly the mapped pages, wherever they lie in the range (gaps of whole level-3 tables skipped)', () => {
    const { ram, s2 } = setup(40);
    const BASE = 0x4000_0000;
    // Pages at both ends of a 2 MiB stretch, one after a 4 MiB gap, one past the end of the range.
    const pages = [BASE + 0x1000, BASE + 0x20_0000 - 0x1000, BASE + 0x20_0000, BASE + 0x60_3000, BASE + 0x100_0000];
    pages.forEach((ipa, i) => s2.map(ipa, ram.base + 0x1000 * i, { readOnly: false, memAttr: S2_MEMATTR_NORMAL_WB }));
    const range = 0x100_0000; // [BASE, BASE + 16 MiB): the last page is outside
    expect(s2.setWritable(BASE, range, false)).toBe(4);
    expect(s2.setWritable(BASE, range, false)).toBe(0); // already read-only
    expect(s2.setWritable(BASE + 0x20_0000, 0x1000, true)).toBe(1); // one page, at a 2 MiB boundary
    expect(s2.setWritable(BASE + 0x1000, range, true)).toBe(3); // starts inside a stretch
    expect(s2.unmapRange(BASE, range)).toBe(4);
    expect(s2.unmapRange(BASE, 0x200_0000)).toBe(1); // the page past the first range
  });
});
