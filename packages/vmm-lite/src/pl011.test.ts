import { describe, expect, it } from 'vitest';
import { MmioBus, type AccessSize, type MmioDevice } from './bus.js';
import { FR, INT, Pl011, PL011_BASE, PL011_SIZE, UART } from './pl011.js';

function uart() {
  const out: number[] = [];
  const irqs: boolean[] = [];
  const dev = new Pl011({ onTransmit: (b) => out.push(b), onInterrupt: (l) => irqs.push(l) });
  const bus = new MmioBus();
  bus.map(PL011_BASE, PL011_SIZE, dev);
  const r = (off: number, size: AccessSize = 4) => Number(bus.read(PL011_BASE + off, size));
  const w = (off: number, v: number | bigint, size: AccessSize = 4) => bus.write(PL011_BASE + off, size, BigInt(v));
  return { dev, out, irqs, r, w };
}

// Reset values and behaviour measured on qemu-system-aarch64 10.0.2 (README.md, "PL011").
describe('PL011', () => {
  it('reset values: FR 0x90, CR 0x300, IFLS 0x12, the rest 0', () => {
    const { r } = uart();
    expect(r(UART.FR)).toBe(0x90);
    expect(r(UART.CR)).toBe(0x300);
    expect(r(UART.IFLS)).toBe(0x12);
    for (const off of [UART.DR, UART.RSR, UART.ILPR, UART.IBRD, UART.FBRD, UART.LCR_H, UART.IMSC, UART.RIS, UART.MIS, UART.DMACR, 0x50, 0xfc0]) {
      expect(r(off), `offset ${off.toString(16)}`).toBe(0);
    }
  });

  it('has the PrimeCell and peripheral ID registers of QEMU', () => {
    const { r } = uart();
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => r(o))).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it('sends every byte written to UARTDR at once, even with the UART disabled, and raises TX', () => {
    const { r, w, out } = uart();
    w(UART.DR, 0x41);
    w(UART.DR, 0x1ff); // only the low 8 bits go out
    w(UART.DR, 0x0a, 1);
    expect(out).toEqual([0x41, 0xff, 0x0a]);
    expect(r(UART.FR)).toBe(FR.TXFE | FR.RXFE); // the TX FIFO never fills
    expect(r(UART.RIS)).toBe(INT.TX);
  });

  it('interrupt mask, masked status and clear', () => {
    const { r, w, irqs } = uart();
    w(UART.DR, 0x41);
    expect(r(UART.MIS)).toBe(0);
    w(UART.IMSC, 0x7ff);
    expect(r(UART.IMSC)).toBe(0x7ff);
    expect(r(UART.MIS)).toBe(INT.TX);
    expect(irqs).toEqual([true]);
    w(UART.ICR, 0x7ff);
    expect(r(UART.RIS)).toBe(0);
    expect(r(UART.MIS)).toBe(0);
    expect(irqs).toEqual([true, false]);
  });

  it('stores the control registers with QEMU\'s masks', () => {
    const { r, w } = uart();
    w(UART.IBRD, 0x12345);
    w(UART.FBRD, 0xff);
    w(UART.LCR_H, 0xffff_ffff);
    w(UART.CR, 0x301);
    w(UART.IFLS, 0xffff_ffff);
    w(UART.ILPR, 0xffff_ffff);
    w(UART.DMACR, 0x70);
    expect([UART.IBRD, UART.FBRD, UART.LCR_H, UART.CR, UART.IFLS, UART.ILPR, UART.DMACR].map((o) => r(o)))
      .toEqual([0x2345, 0x3f, 0xffff_ffff, 0x301, 0xffff_ffff, 0xffff_ffff, 0x70]);
    w(UART.FR, 0); // read-only
    w(UART.RIS, 0xff);
    expect(r(UART.FR)).toBe(0x90);
  });

  it('decodes registers by offset >> 2: byte and halfword accesses anywhere in a register', () => {
    const { r, w } = uart();
    expect(r(0x19, 1)).toBe(0x90); // FR
    expect(r(0x1a, 2)).toBe(0x90);
    expect(r(0xfe1, 1)).toBe(0x11); // PeriphID0
    expect(r(0xfe3, 1)).toBe(0x11);
    w(0x25, 0x33, 1); // a byte written at IBRD + 1 sets IBRD
    expect(r(UART.IBRD)).toBe(0x33);
    w(UART.IBRD, 0x1234);
    expect(r(UART.IBRD, 1)).toBe(0x34); // masked to the access size
  });

  it('64-bit accesses are two 32-bit ones', () => {
    const { r, w, out } = uart();
    w(UART.IMSC, 0x7ff);
    w(UART.DR, 0x41);
    expect(BigInt(r(UART.IMSC, 8))).toBe(0x20_0000_07ffn); // IMSC | RIS << 32
    w(UART.DR, 0x4645_4443_4241n, 8); // DR gets 'A', UARTRSR/ECR the high half
    expect(out).toEqual([0x41, 0x41]);
  });

  it('receives into a FIFO (16 with FEN, 1 without) and raises RX', () => {
    const { dev, r, w } = uart();
    expect(dev.receive(0x61)).toBe(true);
    expect(r(UART.FR) & (FR.RXFE | FR.RXFF)).toBe(FR.RXFF); // depth 1 without FEN: full
    expect(dev.canReceive()).toBe(false);
    expect(dev.receive(0x62)).toBe(false);
    expect(r(UART.RIS)).toBe(INT.RX);
    expect(r(UART.DR)).toBe(0x61);
    expect(r(UART.FR) & (FR.RXFE | FR.RXFF)).toBe(FR.RXFE);
    expect(r(UART.RIS)).toBe(0);
    expect(r(UART.DR)).toBe(0x61); // empty: the stale slot, as QEMU

    w(UART.LCR_H, 0x70); // FEN, 8 bits
    for (let i = 0; i < 16; i++) expect(dev.receive(0x30 + i)).toBe(true);
    expect(dev.receive(0x99)).toBe(false);
    expect(r(UART.FR) & FR.RXFF).toBe(FR.RXFF);
    const got = Array.from({ length: 16 }, () => r(UART.DR));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => 0x30 + i));
    expect(r(UART.FR)).toBe(0x90);

    dev.receive(1);
    w(UART.LCR_H, 0x60); // turning the FIFOs off flushes them
    expect(r(UART.FR)).toBe(0x90);
  });

  it('reset() returns to the reset state', () => {
    const { dev, r, w } = uart();
    w(UART.CR, 0x301);
    w(UART.DR, 0x41);
    dev.reset();
    expect([r(UART.CR), r(UART.RIS), r(UART.FR)]).toEqual([0x300, 0, 0x90]);
  });
});

describe('MmioBus', () => {
  const log: string[] = [];
  const dev = (name: string): MmioDevice => ({
    name,
    read: (o, s) => { log.push(`${name} r ${o} ${s}`); return 0xabn; },
    write: (o, s, v) => { log.push(`${name} w ${o} ${s} ${v}`); },
  });
  it('dispatches by address and leaves unclaimed addresses to the caller', () => {
    const bus = new MmioBus();
    bus.map(0x1000, 0x100, dev('a'));
    bus.map(0x2000, 0x100, dev('b'));
    expect(() => bus.map(0x10f0, 0x20, dev('c'))).toThrow(/overlaps a/);
    expect(bus.read(0x1010, 4)).toBe(0xabn);
    expect(bus.write(0x2004, 2, 7n)).toBe(true);
    expect(log).toEqual(['a r 16 4', 'b w 4 2 7']);
    expect(bus.read(0x3000, 4)).toBeUndefined();
    expect(bus.write(0x0fff, 1, 0n)).toBe(false);
    expect(bus.read(0x10fe, 4)).toBeUndefined(); // straddles the end of a's window
    expect(bus.list().map((m) => m.device.name)).toEqual(['a', 'b']);
  });
});
