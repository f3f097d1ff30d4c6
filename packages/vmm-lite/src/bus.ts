/**
 * The MMIO bus: guest physical address ranges claimed by device models. An access no device claims is for the
 * caller to answer; on the virt board vmm-lite answers it as QEMU does (a synchronous External abort, see
 * machine.ts).
 */
import { hex } from './errors.js';

export type AccessSize = 1 | 2 | 4 | 8;

/** A device's register window. Offsets are relative to where it is mapped; values are little-endian. */
export interface MmioDevice {
  readonly name: string;
  /**
   * The widest access the device implements; wider accesses are split into little-endian pieces of this size at
   * increasing offsets (as QEMU's memory core does for a device whose registers are 32 bits). Default 8.
   */
  readonly maxAccessSize?: AccessSize;
  read(offset: number, size: AccessSize): bigint;
  write(offset: number, size: AccessSize, value: bigint): void;
}

export interface MmioMapping {
  readonly base: number;
  readonly size: number;
  readonly device: MmioDevice;
}

export class MmioBus {
  private readonly mappings: MmioMapping[] = [];

  /** Map `device` at [base, base + size). Throws on an overlap with another device. */
  map(base: number, size: number, device: MmioDevice): void {
    for (const m of this.mappings) {
      if (base < m.base + m.size && m.base < base + size) {
        throw new Error(`MMIO range ${hex(base)}+${hex(size)} (${device.name}) overlaps ${m.device.name} at ${hex(m.base)}`);
      }
    }
    this.mappings.push({ base, size, device });
    this.mappings.sort((a, b) => a.base - b.base);
  }

  /** Every mapping, by address. */
  list(): readonly MmioMapping[] {
    return this.mappings;
  }

  /** The mapping whose window holds all of [addr, addr + len), if any. */
  find(addr: number, len: number): MmioMapping | undefined {
    for (const m of this.mappings) {
      if (addr >= m.base && addr + len <= m.base + m.size) return m;
    }
    return undefined;
  }

  /** Read `len` bytes at `addr`; undefined when no device claims the whole access. */
  read(addr: number, len: AccessSize): bigint | undefined {
    const m = this.find(addr, len);
    if (m === undefined) return undefined;
    const step = Math.min(len, m.device.maxAccessSize ?? 8) as AccessSize;
    let v = 0n;
    for (let i = 0; i < len; i += step) v |= m.device.read(addr - m.base + i, step) << BigInt(8 * i);
    return v & ((1n << BigInt(8 * len)) - 1n);
  }

  /** Write `len` bytes at `addr`; false when no device claims the whole access. */
  write(addr: number, len: AccessSize, value: bigint): boolean {
    const m = this.find(addr, len);
    if (m === undefined) return false;
    const step = Math.min(len, m.device.maxAccessSize ?? 8) as AccessSize;
    const mask = (1n << BigInt(8 * step)) - 1n;
    for (let i = 0; i < len; i += step) m.device.write(addr - m.base + i, step, (value >> BigInt(8 * i)) & mask);
    return true;
  }
}
