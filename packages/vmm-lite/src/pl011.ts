/**
 * The Arm PrimeCell UART (PL011) of the virt board, at 0x0900_0000, as QEMU 10 models it (values measured on
 * qemu-system-aarch64 10.0.2; written from the PL011 Technical Reference Manual, DDI 0183):
 *
 * - Transmission is immediate: a write to UARTDR sends its low 8 bits to the serial sink at once, whatever
 *   UARTCR.UARTEN/TXE say (QEMU only logs a guest error), and raises the TX interrupt (RIS bit 5). The TX FIFO is
 *   therefore always empty: UARTFR.TXFE = 1, TXFF = 0, BUSY = 0.
 * - Reception: bytes given to {@link Pl011.receive} enter a FIFO of 16 entries (1 with UARTLCR_H.FEN = 0);
 *   UARTFR.RXFE / RXFF follow it; the RX interrupt (RIS bit 4) is raised as soon as one byte is waiting (QEMU's
 *   trigger level is fixed at 1, whatever UARTIFLS says). Reading UARTDR with nothing waiting returns the stale
 *   FIFO slot (0 after reset).
 * - Registers are 32 bits and decoded by offset >> 2, so a byte or halfword access anywhere in a register reads or
 *   writes that register (masked to the access size); 64-bit accesses are two 32-bit ones (see MmioBus).
 * - Reset: UARTFR 0x90 (TXFE | RXFE), UARTCR 0x300 (TXE | RXE), UARTIFLS 0x12, everything else 0.
 * - Peripheral ID 0x11 0x10 0x14 0x00, PrimeCell ID 0x0d 0xf0 0x05 0xb1 at 0xFE0..0xFFC.
 * - Not modelled: loopback (UARTCR.LBE) and the modem status bits it drives, break, DMA (UARTDMACR is stored
 *   only), receive errors (UARTRSR is always 0 for received bytes), the receive timeout interrupt.
 */
import type { AccessSize, MmioDevice } from './bus.js';

export const PL011_BASE = 0x0900_0000;
export const PL011_SIZE = 0x1000;

/** Register offsets. */
export const UART = {
  DR: 0x000, RSR: 0x004, FR: 0x018, ILPR: 0x020, IBRD: 0x024, FBRD: 0x028, LCR_H: 0x02c, CR: 0x030, IFLS: 0x034,
  IMSC: 0x038, RIS: 0x03c, MIS: 0x040, ICR: 0x044, DMACR: 0x048, PERIPH_ID0: 0xfe0, PCELL_ID0: 0xff0,
} as const;

/** UARTFR bits. */
export const FR = { CTS: 0x01, DSR: 0x02, DCD: 0x04, BUSY: 0x08, RXFE: 0x10, TXFF: 0x20, RXFF: 0x40, TXFE: 0x80, RI: 0x100 } as const;
/** Interrupt bits (UARTIMSC, UARTRIS, UARTMIS, UARTICR). */
export const INT = { RI: 0x01, CTS: 0x02, DCD: 0x04, DSR: 0x08, RX: 0x10, TX: 0x20, RT: 0x40, FE: 0x80, PE: 0x100, BE: 0x200, OE: 0x400 } as const;
const LCR_FEN = 0x10;
const FIFO_DEPTH = 16;
const ID = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1] as const;

export interface Pl011Options {
  /** Called with every byte the guest transmits, in order, as it is written. */
  onTransmit?: (byte: number) => void;
  /** Called when the interrupt output (any bit of UARTMIS set) changes: the machine drives SPI 1 of the vGIC with it. */
  onInterrupt?: (level: boolean) => void;
}

/** A PL011's state as {@link Pl011.saveState} gives it (plain numbers, JSON-safe). */
export interface Pl011State {
  flags: number; lcr: number; rsr: number; cr: number; dmacr: number; intEnabled: number; intLevel: number;
  ilpr: number; ibrd: number; fbrd: number; ifl: number; fifo: number[]; readPos: number; readCount: number;
}

/** Throws a RangeError unless `s` is a well-formed {@link Pl011State}. */
export function checkPl011State(s: unknown): asserts s is Pl011State {
  const o = s as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new RangeError('PL011 state is not an object');
  for (const k of ['flags', 'lcr', 'rsr', 'cr', 'dmacr', 'intEnabled', 'intLevel', 'ilpr', 'ibrd', 'fbrd', 'ifl', 'readPos', 'readCount']) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`PL011 state: bad ${k}`);
  }
  const fifo = o.fifo;
  if (!Array.isArray(fifo) || fifo.length !== FIFO_DEPTH || !fifo.every((b) => Number.isInteger(b) && b >= 0 && b <= 0xffff)) throw new RangeError('PL011 state: bad FIFO');
  if ((o.readPos as number) >= FIFO_DEPTH || (o.readCount as number) > FIFO_DEPTH) throw new RangeError('PL011 state: bad FIFO position');
}

export class Pl011 implements MmioDevice {
  readonly name = 'pl011';
  readonly maxAccessSize = 4;
  private flags = 0;
  private lcr = 0;
  private rsr = 0;
  private cr = 0;
  private dmacr = 0;
  private intEnabled = 0;
  private intLevel = 0;
  private ilpr = 0;
  private ibrd = 0;
  private fbrd = 0;
  private ifl = 0;
  private readonly fifo = new Uint16Array(FIFO_DEPTH);
  private readPos = 0;
  private readCount = 0;
  private irq = false;

  constructor(private readonly options: Pl011Options = {}) {
    this.reset();
  }

  /** Back to the reset state (FIFO emptied, interrupts cleared). */
  reset(): void {
    this.lcr = 0;
    this.rsr = 0;
    this.dmacr = 0;
    this.intEnabled = 0;
    this.intLevel = 0;
    this.ilpr = 0;
    this.ibrd = 0;
    this.fbrd = 0;
    this.cr = 0x300;
    this.ifl = 0x12;
    this.fifo.fill(0);
    this.resetFifo();
    this.update();
  }

  /** Every register and the receive FIFO, for snapshots (snapshot.ts). */
  saveState(): Pl011State {
    return {
      flags: this.flags, lcr: this.lcr, rsr: this.rsr, cr: this.cr, dmacr: this.dmacr, intEnabled: this.intEnabled,
      intLevel: this.intLevel, ilpr: this.ilpr, ibrd: this.ibrd, fbrd: this.fbrd, ifl: this.ifl,
      fifo: Array.from(this.fifo), readPos: this.readPos, readCount: this.readCount,
    };
  }

  /** Put back a state from {@link saveState} (validate it first with {@link checkPl011State}). */
  loadState(s: Pl011State): void {
    checkPl011State(s);
    this.flags = s.flags; this.lcr = s.lcr; this.rsr = s.rsr; this.cr = s.cr; this.dmacr = s.dmacr;
    this.intEnabled = s.intEnabled; this.intLevel = s.intLevel; this.ilpr = s.ilpr; this.ibrd = s.ibrd;
    this.fbrd = s.fbrd; this.ifl = s.ifl; this.fifo.set(s.fifo); this.readPos = s.readPos; this.readCount = s.readCount;
    this.update();
  }

  /** The interrupt output: some interrupt is both raised and unmasked. */
  get interrupt(): boolean {
    return this.irq;
  }

  /** Whether the receive FIFO has room for another byte. */
  canReceive(): boolean {
    return this.readCount < this.depth();
  }

  /**
   * Input from the outside (a terminal, a test): queue one received byte. Returns false, dropping nothing, when the
   * FIFO is full; the caller keeps the byte and offers it again after the guest has read UARTDR.
   */
  receive(byte: number): boolean {
    const depth = this.depth();
    if (this.readCount >= depth) return false;
    this.fifo[(this.readPos + this.readCount) & (depth - 1)] = byte & 0xff;
    this.readCount++;
    this.flags &= ~FR.RXFE;
    if (this.readCount === depth) this.flags |= FR.RXFF;
    this.intLevel |= INT.RX;
    this.update();
    return true;
  }

  read(offset: number, size: AccessSize): bigint {
    return BigInt(this.readReg(offset >> 2) & (size >= 4 ? 0xffff_ffff : (1 << (8 * size)) - 1));
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    const v = Number(value & (size >= 4 ? 0xffff_ffffn : (1n << BigInt(8 * size)) - 1n));
    this.writeReg(offset >> 2, v);
  }

  // ---- internals ----

  private depth(): number {
    return (this.lcr & LCR_FEN) !== 0 ? FIFO_DEPTH : 1;
  }

  private resetFifo(): void {
    this.readPos = 0;
    this.readCount = 0;
    this.flags = FR.TXFE | FR.RXFE;
  }

  private readReg(reg: number): number {
    switch (reg) {
      case UART.DR >> 2: return this.readData();
      case UART.RSR >> 2: return this.rsr;
      case UART.FR >> 2: return this.flags;
      case UART.ILPR >> 2: return this.ilpr;
      case UART.IBRD >> 2: return this.ibrd;
      case UART.FBRD >> 2: return this.fbrd;
      case UART.LCR_H >> 2: return this.lcr;
      case UART.CR >> 2: return this.cr;
      case UART.IFLS >> 2: return this.ifl;
      case UART.IMSC >> 2: return this.intEnabled;
      case UART.RIS >> 2: return this.intLevel;
      case UART.MIS >> 2: return this.intLevel & this.intEnabled;
      case UART.DMACR >> 2: return this.dmacr;
      default:
        if (reg >= UART.PERIPH_ID0 >> 2 && reg < (UART.PERIPH_ID0 >> 2) + 8) return ID[reg - (UART.PERIPH_ID0 >> 2)]!;
        return 0; // unassigned offsets read as zero (QEMU logs a guest error)
    }
  }

  private readData(): number {
    this.flags &= ~FR.RXFF;
    const c = this.fifo[this.readPos]!;
    if (this.readCount > 0) {
      this.readCount--;
      this.readPos = (this.readPos + 1) & (this.depth() - 1);
    }
    if (this.readCount === 0) {
      this.flags |= FR.RXFE;
      this.intLevel &= ~INT.RX;
    }
    this.rsr = c >> 8;
    this.update();
    return c;
  }

  private writeReg(reg: number, v: number): void {
    switch (reg) {
      case UART.DR >> 2:
        this.options.onTransmit?.(v & 0xff);
        this.intLevel |= INT.TX;
        break;
      case UART.RSR >> 2: this.rsr = 0; break; // UARTECR: any write clears the error flags
      case UART.ILPR >> 2: this.ilpr = v; break;
      case UART.IBRD >> 2: this.ibrd = v & 0xffff; break;
      case UART.FBRD >> 2: this.fbrd = v & 0x3f; break;
      case UART.LCR_H >> 2:
        if (((this.lcr ^ v) & LCR_FEN) !== 0) this.resetFifo(); // enabling or disabling the FIFOs flushes them
        this.lcr = v >>> 0;
        break;
      case UART.CR >> 2: this.cr = v >>> 0; break;
      case UART.IFLS >> 2: this.ifl = v >>> 0; break;
      case UART.IMSC >> 2: this.intEnabled = v >>> 0; break;
      case UART.ICR >> 2: this.intLevel &= ~v; break;
      case UART.DMACR >> 2: this.dmacr = v >>> 0; break;
      default: break; // read-only or unassigned: ignored
    }
    this.update();
  }

  private update(): void {
    const level = (this.intLevel & this.intEnabled) !== 0;
    if (level !== this.irq) {
      this.irq = level;
      this.options.onInterrupt?.(level);
    }
  }
}
