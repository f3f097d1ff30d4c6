/**
 * A conventional PCI function's configuration space (a type 0 header, 256 bytes), as QEMU presents its PCI devices:
 * identity registers read-only, the writable bits QEMU allows (Command: I/O, Memory, Bus Master, Parity, SERR#,
 * INTx Disable; Cache Line Size; Interrupt Line; the BARs' address bits), everything else read-only. Offsets past the
 * 256 bytes (the PCIe extended space of a conventional function) read all ones and ignore writes.
 *
 * BARs are 32-bit memory or I/O BARs of a power-of-two size: writing all ones and reading back gives the size (the
 * low bits read as the BAR's type). A BAR decodes accesses only while its Command enable bit is set.
 */
import type { AccessSize } from './bus.js';

export const PCI_CONFIG_SIZE = 256;
/** Header offsets used here. */
export const PCI_CFG = {
  VENDOR_ID: 0x00, DEVICE_ID: 0x02, COMMAND: 0x04, STATUS: 0x06, REVISION: 0x08, CLASS_PROG: 0x09,
  CACHE_LINE_SIZE: 0x0c, HEADER_TYPE: 0x0e, BAR0: 0x10, SUBSYSTEM_VENDOR_ID: 0x2c, SUBSYSTEM_ID: 0x2e,
  INTERRUPT_LINE: 0x3c, INTERRUPT_PIN: 0x3d,
} as const;
/** Command register bits. */
export const PCI_COMMAND = { IO: 0x1, MEMORY: 0x2, MASTER: 0x4, PARITY: 0x40, SERR: 0x100, INTX_DISABLE: 0x400 } as const;
const COMMAND_WRITABLE = PCI_COMMAND.IO | PCI_COMMAND.MEMORY | PCI_COMMAND.MASTER | PCI_COMMAND.PARITY | PCI_COMMAND.SERR | PCI_COMMAND.INTX_DISABLE;
const BAR_COUNT = 6;

/** A region a BAR maps: offsets from the BAR's address, little-endian values of 1, 2 or 4 bytes. */
export interface PciBarRegion {
  read(offset: number, size: AccessSize): number;
  write(offset: number, size: AccessSize, value: number): void;
}

export interface PciBar {
  readonly kind: 'mem32' | 'io';
  /** A power of two: at least 16 for memory, 4 for I/O. */
  readonly size: number;
  readonly region: PciBarRegion;
}

export interface PciIdentity {
  vendorId: number;
  deviceId: number;
  revision: number;
  /** Class code, 24 bits: base class, subclass, programming interface. */
  classCode: number;
  subsystemVendorId: number;
  subsystemId: number;
  /** 0: none, 1..4: INTA#..INTD#. */
  interruptPin: number;
}

/** The guest-writable state of a function, for snapshots (JSON-safe). */
export interface PciFunctionState {
  command: number;
  cacheLineSize: number;
  interruptLine: number;
  bars: number[];
}

/** Throws a RangeError unless `s` is a well-formed {@link PciFunctionState}. */
export function checkPciFunctionState(s: unknown, where: string): asserts s is PciFunctionState {
  const o = s as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new RangeError(`${where}: not an object`);
  const u = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
  if (!u(o.command, 0xffff)) throw new RangeError(`${where}: bad command`);
  if (!u(o.cacheLineSize, 0xff) || !u(o.interruptLine, 0xff)) throw new RangeError(`${where}: bad cacheLineSize or interruptLine`);
  if (!Array.isArray(o.bars) || o.bars.length !== BAR_COUNT || !o.bars.every((b) => u(b, 0xffff_ffff))) throw new RangeError(`${where}: bad bars`);
}

export class PciFunction {
  private command = 0;
  private cacheLineSize = 0;
  private interruptLine = 0;
  /** The address bits written to each BAR (already masked to its size). */
  private readonly barAddr: number[] = new Array<number>(BAR_COUNT).fill(0);

  constructor(readonly name: string, private readonly id: PciIdentity, private readonly bars: readonly (PciBar | undefined)[] = []) {
    if (bars.length > BAR_COUNT) throw new RangeError(`${name}: at most ${BAR_COUNT} BARs`);
  }

  /** Read `size` bytes of configuration space at `offset` (any alignment within the dword). */
  readConfig(offset: number, size: AccessSize): number {
    if (offset >= PCI_CONFIG_SIZE) return size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1;
    const dword = this.readDword(offset & ~3);
    const shifted = dword >>> (8 * (offset & 3));
    return size === 4 ? shifted >>> 0 : shifted & ((1 << (8 * size)) - 1);
  }

  /** Write `size` bytes of configuration space at `offset`: only the writable bits change. */
  writeConfig(offset: number, size: AccessSize, value: number): void {
    for (let i = 0; i < size && offset + i < PCI_CONFIG_SIZE; i++) this.writeByte(offset + i, (value >>> (8 * i)) & 0xff);
  }

  /** The BAR decoding `addr` in the given space, and the offset into it, if its Command enable bit is set. */
  decode(space: 'mem' | 'io', addr: number): { region: PciBarRegion; offset: number } | undefined {
    const enable = space === 'mem' ? PCI_COMMAND.MEMORY : PCI_COMMAND.IO;
    if ((this.command & enable) === 0) return undefined;
    for (let i = 0; i < this.bars.length; i++) {
      const bar = this.bars[i];
      if (bar === undefined || (bar.kind === 'io') !== (space === 'io')) continue;
      const base = this.barAddr[i]!;
      if (addr >= base && addr < base + bar.size) return { region: bar.region, offset: addr - base };
    }
    return undefined;
  }

  saveState(): PciFunctionState {
    return { command: this.command, cacheLineSize: this.cacheLineSize, interruptLine: this.interruptLine, bars: [...this.barAddr] };
  }

  loadState(s: PciFunctionState): void {
    checkPciFunctionState(s, this.name);
    this.command = s.command & COMMAND_WRITABLE;
    this.cacheLineSize = s.cacheLineSize;
    this.interruptLine = s.interruptLine;
    s.bars.forEach((b, i) => { this.barAddr[i] = b & this.barMask(i); });
  }

  // ---- internals ----

  /** The writable address bits of BAR i (0 for a BAR the function does not have). */
  private barMask(i: number): number {
    const bar = this.bars[i];
    return bar === undefined ? 0 : (~(bar.size - 1)) >>> 0;
  }

  private readDword(offset: number): number {
    const id = this.id;
    switch (offset) {
      case 0x00: return (id.vendorId | (id.deviceId << 16)) >>> 0;
      case 0x04: return this.command; // Status 0: no capabilities, nothing reported
      case 0x08: return (id.revision | (id.classCode << 8)) >>> 0;
      case 0x0c: return this.cacheLineSize; // Latency Timer, Header Type 0 (single function), BIST: 0
      case 0x2c: return (id.subsystemVendorId | (id.subsystemId << 16)) >>> 0;
      case 0x3c: return this.interruptLine | (id.interruptPin << 8);
      default: {
        const i = (offset - PCI_CFG.BAR0) >> 2;
        if (offset >= PCI_CFG.BAR0 && i < BAR_COUNT) {
          const bar = this.bars[i];
          return bar === undefined ? 0 : (this.barAddr[i]! | (bar.kind === 'io' ? 1 : 0)) >>> 0;
        }
        return 0;
      }
    }
  }

  private writeByte(offset: number, b: number): void {
    if (offset === PCI_CFG.COMMAND || offset === PCI_CFG.COMMAND + 1) {
      const shift = 8 * (offset - PCI_CFG.COMMAND);
      this.command = ((this.command & ~(0xff << shift)) | (b << shift)) & COMMAND_WRITABLE;
    } else if (offset === PCI_CFG.CACHE_LINE_SIZE) {
      this.cacheLineSize = b;
    } else if (offset === PCI_CFG.INTERRUPT_LINE) {
      this.interruptLine = b;
    } else if (offset >= PCI_CFG.BAR0 && offset < PCI_CFG.BAR0 + 4 * BAR_COUNT) {
      const i = (offset - PCI_CFG.BAR0) >> 2;
      const shift = 8 * (offset & 3);
      const merged = (this.barAddr[i]! & ~(0xff << shift)) | (b << shift);
      this.barAddr[i] = (merged & this.barMask(i)) >>> 0;
    }
    // Everything else (identity, Status, the rest of the header) is read-only here.
  }
}
