/**
 * Test support: a MemoryPort with stage 1 off (VA = IPA) and a stage-2 walk of VTTBR_EL2 / VTCR_EL2 (4 KiB
 * granule) over PhysicalMemory, throwing stage-2 MemoryFaults. It lets kvm-core's own logic be tested apart from
 * the real MMU; it is not the MMU.
 */
import { Acc, type Cpu, Fsc, MemoryFault, type MemoryPort, SysReg } from '@kvm-mte/aarch64-cpu';
import type { PhysicalMemory } from '../phys.js';

export class Stage2OnlyPort implements MemoryPort {
  walks = 0;
  tlbiCount = 0;
  constructor(private readonly cpu: Cpu, private readonly phys: PhysicalMemory) {}

  private translate(va: bigint, size: number, flags: number): { bytes: Uint8Array; off: number } {
    const write = (flags & Acc.Write) !== 0;
    if ((va & 0xfffn) + BigInt(size) > 0x1000n) throw new Error('test port: page-crossing access');
    const sys = this.cpu.sys;
    const vtcr = sys[SysReg.VTCR_EL2]!;
    const t0sz = Number(vtcr & 0x3fn);
    const sl0 = Number((vtcr >> 6n) & 3n);
    let level = sl0 === 2 ? 0 : sl0 === 1 ? 1 : 2;
    if (va >= 1n << BigInt(64 - t0sz)) throw new MemoryFault(2, Fsc.Translation + level, va, write, va);
    let table = Number(sys[SysReg.VTTBR_EL2]! & 0x0000_ffff_ffff_fffen);
    this.walks++;
    for (;;) {
      const shift = 12 + 9 * (3 - level);
      const idx = Number((va >> BigInt(shift)) & 511n);
      const r = this.phys.region(table);
      if (r === undefined) throw new Error(`test port: table at 0x${table.toString(16)} is not memory`);
      const d = r.view.getBigUint64(table - r.base + idx * 8, true);
      if ((d & 3n) !== 3n || level > 3) throw new MemoryFault(2, Fsc.Translation + level, va, write, va);
      const next = Number(d & 0x0000_ffff_ffff_f000n);
      if (level === 3) {
        if ((d & (1n << 10n)) === 0n) throw new MemoryFault(2, Fsc.AccessFlag + 3, va, write, va);
        const ap = Number((d >> 6n) & 3n);
        if ((write && (ap & 2) === 0) || (!write && (ap & 1) === 0)) throw new MemoryFault(2, Fsc.Permission + 3, va, write, va);
        const pa = next + Number(va & 0xfffn);
        const pr = this.phys.region(pa);
        if (pr === undefined) throw new MemoryFault(1, Fsc.SyncExternal, va, write);
        return { bytes: pr.bytes, off: pa - pr.base };
      }
      table = next;
      level++;
    }
  }

  read(va: bigint, size: number, flags: number): bigint {
    const { bytes, off } = this.translate(va, size, flags);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[off + i]!);
    return v;
  }
  write(va: bigint, size: number, value: bigint, flags: number): void {
    const { bytes, off } = this.translate(va, size, flags | Acc.Write);
    for (let i = 0; i < size; i++) bytes[off + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }
  fetch(va: bigint): number {
    return Number(this.read(va, 4, Acc.Fetch));
  }
  controlChanged(): void {}
  tlbi(): void {
    this.tlbiCount++;
  }
  zeroBlock(va: bigint, size: number): void {
    for (let i = 0; i < size; i += 8) this.write(va + BigInt(i), 8, 0n, Acc.Write);
  }
}
