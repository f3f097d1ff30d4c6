import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { Pl011 } from './pl011.js';
import { runVirt } from './run.js';
import { attachStdin, SerialInput } from './serial-input.js';

const ECHO_ELF = new Uint8Array(readFileSync(new URL('../../../guests/bin/echo.elf', import.meta.url)));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('SerialInput', () => {
  it('moves bytes into the PL011 only while its FIFO has room (1 entry with FEN = 0)', () => {
    const uart = new Pl011({ onTransmit: () => {} });
    const q = new SerialInput();
    q.push(Uint8Array.of(1, 2, 3));
    expect(q.pump(uart)).toBe(1);
    expect(q.pending).toBe(2);
    expect(uart.read(0, 4)).toBe(1n); // UARTDR
    expect(q.pump(uart)).toBe(1);
    expect(uart.read(0, 4)).toBe(2n);
  });

  it('attachStdin: a pipe passes bytes through and EOF closes the queue; a TTY goes raw and is restored, Ctrl-A x escapes', () => {
    const pipe = Object.assign(new EventEmitter(), { isTTY: false });
    const q = new SerialInput();
    const a = attachStdin(pipe, q);
    pipe.emit('data', Uint8Array.of(0x01, 0x78, 0x41));
    pipe.emit('end');
    expect(q.pending).toBe(3);
    expect(q.ended).toBe(true);
    a.detach();

    const modes: boolean[] = [];
    const tty = Object.assign(new EventEmitter(), { isTTY: true, isRaw: false, setRawMode: (r: boolean) => modes.push(r) });
    const q2 = new SerialInput();
    let escaped = 0;
    const t = attachStdin(tty, q2, () => escaped++);
    tty.emit('data', Uint8Array.of(0x41, 0x01, 0x01, 0x03, 0x01, 0x78));
    expect(escaped).toBe(1);
    expect(q2.pending).toBe(3); // 'A', one Ctrl-A, Ctrl-C as a byte
    t.detach();
    t.detach();
    expect(modes).toEqual([true, false]);
    expect(tty.listenerCount('data')).toBe(0);
  });

  it('attachStdin: Ctrl-\\ on a TTY goes to onQuit when one is given, else to the guest as a byte', () => {
    const tty = () => Object.assign(new EventEmitter(), { isTTY: true, isRaw: false, setRawMode: () => {} });
    const a = tty();
    const qa = new SerialInput();
    let quits = 0;
    attachStdin(a, qa, undefined, () => quits++);
    a.emit('data', Uint8Array.of(0x41, 0x1c, 0x42));
    expect(quits).toBe(1);
    expect(qa.pending).toBe(2);
    const b = tty();
    const qb = new SerialInput();
    attachStdin(b, qb);
    b.emit('data', Uint8Array.of(0x41, 0x1c, 0x42));
    expect(qb.pending).toBe(3);
  });
});

describe('stdin to the guest (guests/bin/echo.elf polls UARTFR/UARTDR)', () => {
  it('echoes piped bytes back until EOT', async () => {
    const r = await runVirt({ kernel: ECHO_ELF, memory: 16 << 20, input: new TextEncoder().encode('hello, guest\n\x04ignored'), maxInstructions: 50_000_000 });
    expect(r.outcome).toBe('shutdown');
    expect(text(r.serial)).toBe('echo: type; Ctrl-D ends\nhello, guest\n\necho: EOT\necho: bytes=000000000000000d\n');
  });

  it('reads a stream while the guest runs (bytes arriving later, then EOF: the guest times out)', async () => {
    const stream = Object.assign(new EventEmitter(), { isTTY: false });
    setTimeout(() => stream.emit("data", Buffer.from("ab")), 1);
    setTimeout(() => { stream.emit('data', Buffer.from('c')); stream.emit('end'); }, 20);
    const r = await runVirt({ kernel: ECHO_ELF, memory: 16 << 20, input: stream, maxInstructions: 200_000_000 });
    expect(r.outcome).toBe('shutdown');
    expect(text(r.serial)).toMatch(/^echo: type; Ctrl-D ends\nabc\necho: idle\necho: bytes=0000000000000003\n$/);
    expect(stream.listenerCount('data')).toBe(0);
  });

  it('without input the guest times out, as on QEMU', async () => {
    const m = new VirtMachine({ memory: 16 << 20 });
    m.load({ kernel: ECHO_ELF });
    const r = await m.run({ maxInstructions: 50_000_000 });
    expect(text(r.serial)).toBe('echo: type; Ctrl-D ends\n\necho: idle\necho: bytes=0000000000000000\n');
  });
});
