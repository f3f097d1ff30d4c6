// The serial log stays bounded however much the guest prints; RunResult.serial keeps the most recent bytes.
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { SerialLog } from './serial-log.js';
import { A64, PSCI_SYSTEM_OFF, psciCode, UART_BASE } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

/** SUBS Xd, Xn, #imm12 */
const subsi = (d: number, n: number, imm: number) => (0xf1000000 | (imm << 10) | (n << 5) | d) >>> 0;

/** Print `count` bytes cycling through 'a'..'z' (x1 = the byte), then power off. */
function printer(count: number): Uint8Array {
  return codeElf([
    ...A64.mov64(0, UART_BASE), ...A64.mov64(2, count), A64.movz(1, 0x61), A64.movz(3, 0x7a),
    // loop: strb w1; x1 = x1 == 'z' ? 'a' : x1 + 1 (via: cmp, add, b.ne skip, movz); x2 -= 1; b.ne loop
    A64.strb(1, 0), A64.cmp(1, 3), A64.addi(1, 1, 1), A64.bne(8), A64.movz(1, 0x61), subsi(2, 2, 1), A64.bne(-24),
    ...psciCode(PSCI_SYSTEM_OFF),
  ]);
}
const expected = (from: number, to: number) => Buffer.from(Array.from({ length: to - from }, (_, i) => 0x61 + ((from + i) % 26)));

describe('SerialLog', () => {
  it('keeps everything up to its capacity, then the most recent bytes; never allocates more', () => {
    const log = new SerialLog(10_000);
    for (let i = 0; i < 9_000; i++) log.push(i & 0xff);
    expect(log.dropped).toBe(0);
    expect([...log.bytes()]).toEqual(Array.from({ length: 9_000 }, (_, i) => i & 0xff));
    for (let i = 9_000; i < 123_457; i++) log.push(i & 0xff);
    expect(log.written).toBe(123_457);
    expect(log.dropped).toBe(113_457);
    expect(log.allocated).toBe(10_000);
    expect([...log.bytes()]).toEqual(Array.from({ length: 10_000 }, (_, i) => (113_457 + i) & 0xff));
  });

  it('rejects a size that is not a positive integer', () => {
    expect(() => new SerialLog(0)).toThrow('invalid serial log size 0');
    expect(() => new VirtMachine({ serialLogBytes: 1.5 })).toThrow('invalid serial log size 1.5');
  });
});

describe('a guest printing a lot', () => {
  it('while onSerial streams it: every byte is delivered, RunResult.serial holds the last 64 KiB', async () => {
    const total = 300_000;
    let streamed = 0;
    let tail = Buffer.alloc(0);
    const m = new VirtMachine({
      memory: 4 * 2 ** 20,
      onSerial: (b) => {
        streamed += b.length;
        if (streamed > total - 16) tail = Buffer.concat([tail, b]);
      },
    });
    m.load({ kernel: printer(total) });
    const r = await m.run();
    expect(r.outcome).toBe('shutdown');
    expect(streamed).toBe(total);
    expect(tail.toString('latin1')).toBe(expected(total - 16, total).toString('latin1'));
    expect(r.serial.length).toBe(64 * 1024);
    expect(r.serialDropped).toBe(total - 64 * 1024);
    expect(Buffer.from(r.serial).equals(expected(total - 64 * 1024, total))).toBe(true);
  }, 120_000);

  it('without onSerial: everything up to serialLogBytes, then the tail', async () => {
    const m = new VirtMachine({ memory: 4 * 2 ** 20, serialLogBytes: 1000 });
    m.load({ kernel: printer(5000) });
    const r = await m.run();
    expect(r.serialDropped).toBe(4000);
    expect(Buffer.from(r.serial).equals(expected(4000, 5000))).toBe(true);
    const all = new VirtMachine({ memory: 4 * 2 ** 20 });
    all.load({ kernel: printer(5000) });
    const everything = await all.run();
    expect(everything.serialDropped).toBeUndefined();
    expect(Buffer.from(everything.serial).equals(expected(0, 5000))).toBe(true);
  }, 60_000);
});
