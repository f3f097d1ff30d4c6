// virtio-console (single port, no MULTIPORT) behind the modern transport: output on transmitq reaches the host before
// the used ring says so, input fills receiveq buffers with the used-buffer interrupt, input waits for buffers and for
// DRIVER_OK, emergency writes, the configuration, and the snapshot of waiting input.
import { describe, expect, it } from 'vitest';
import { CONSOLE_RX, CONSOLE_TX, VirtioConsole } from './virtio-console.js';
import { VIRTIO_MMIO_REG as R, VIRTIO_STATUS as S } from './virtio-mmio.js';
import { BUFFERS, ModernDriver } from './testing/virtio-driver.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('virtio-console', () => {
  it('sends what the guest writes on transmitq to the host, before the write is on the used ring', () => {
    const out: string[] = [];
    let d: ModernDriver | undefined;
    const c = new VirtioConsole((b) => out.push(`${text(b)}@${d?.usedIdx(CONSOLE_TX)}`));
    d = new ModernDriver(c);
    d.mem.set(new TextEncoder().encode('hello\n'), d.at(BUFFERS));
    d.offer(CONSOLE_TX, 0, BUFFERS, 6, false);
    d.notify(CONSOLE_TX);
    expect(out).toEqual(['hello\n@0']);
    expect(d.takeUsed(CONSOLE_TX)).toEqual([{ id: 0, len: 0 }]);
    expect(c.written).toBe(6);
  });

  it('fills receiveq buffers with input and raises the used-buffer interrupt; input waits for a buffer', () => {
    const c = new VirtioConsole();
    const d = new ModernDriver(c, { features: ~(1n << 29n) }); // no EVENT_IDX: an interrupt for every used buffer
    c.input(new TextEncoder().encode('abc'));
    expect([d.irq, c.pendingInput]).toEqual([false, 3]); // no buffer yet
    d.offer(CONSOLE_RX, 0, BUFFERS, 2, true);
    d.offer(CONSOLE_RX, 1, BUFFERS + 0x100, 64, true);
    d.notify(CONSOLE_RX);
    expect(d.takeUsed(CONSOLE_RX)).toEqual([{ id: 0, len: 2 }, { id: 1, len: 1 }]);
    expect([text(d.bytes(BUFFERS, 2)), text(d.bytes(BUFFERS + 0x100, 1))]).toEqual(['ab', 'c']);
    expect([d.irq, d.reg(R.interruptStatus)]).toEqual([true, 1]);
    d.set(R.interruptAck, 1);
    // A buffer is taken only when there is input for it: the next input goes into the one still available.
    d.offer(CONSOLE_RX, 2, BUFFERS + 0x200, 64, true);
    d.notify(CONSOLE_RX);
    expect(d.takeUsed(CONSOLE_RX)).toEqual([]);
    expect(d.irq).toBe(false);
    c.input(new TextEncoder().encode('xyz'));
    expect(d.takeUsed(CONSOLE_RX)).toEqual([{ id: 2, len: 3 }]);
    expect(text(d.bytes(BUFFERS + 0x200, 3))).toBe('xyz');
    expect([d.irq, c.delivered]).toEqual([true, 6]);
  });

  it('holds input until the driver sets DRIVER_OK, then delivers it', () => {
    const c = new VirtioConsole();
    const d = new ModernDriver(c, { driverOk: false });
    d.offer(CONSOLE_RX, 0, BUFFERS, 16, true);
    c.input(Uint8Array.of(0x41));
    expect(d.usedIdx(CONSOLE_RX)).toBe(0);
    d.set(R.status, S.ACKNOWLEDGE | S.DRIVER | S.FEATURES_OK | S.DRIVER_OK);
    expect(d.takeUsed(CONSOLE_RX)).toEqual([{ id: 0, len: 1 }]);
    expect(d.irq).toBe(true);
  });

  it('has the configuration QEMU gives one port (cols 0, rows 0, max_nr_ports 1) and emergency writes once EMERG_WRITE is accepted', () => {
    const out: number[] = [];
    const c = new VirtioConsole((b) => out.push(...b));
    const d = new ModernDriver(c);
    expect([d.t.read(0x100, 2), d.t.read(0x102, 2), d.t.read(0x104, 4), d.t.read(0x108, 4), d.t.read(0x10c, 4)]).toEqual([0n, 0n, 1n, 0n, 0xffff_ffffn]);
    d.t.write(0x108, 4, 0x4142n);
    expect(out).toEqual([0x42]);
    const without = new VirtioConsole((b) => out.push(...b));
    const w = new ModernDriver(without, { features: 1n << 32n });
    w.t.write(0x108, 4, 0x43n);
    expect(out).toEqual([0x42]);
  });

  it('keeps waiting input across a reset and in a snapshot', () => {
    const c = new VirtioConsole();
    const d = new ModernDriver(c);
    c.input(new TextEncoder().encode('keep'));
    d.set(R.status, 0);
    const saved = JSON.parse(JSON.stringify(c.saveState())) as unknown;
    expect(saved).toEqual({ pendingInput: btoa('keep') });
    const r = new VirtioConsole();
    r.loadState(saved);
    const e = new ModernDriver(r);
    e.offer(CONSOLE_RX, 0, BUFFERS, 16, true);
    e.notify(CONSOLE_RX);
    expect(text(e.bytes(BUFFERS, 4))).toBe('keep');
    for (const n of [0, 1, 2, 5]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => 250 + i);
      const x = new VirtioConsole();
      x.input(bytes);
      const y = new VirtioConsole();
      y.loadState(x.saveState());
      expect(y.saveState()).toEqual(x.saveState());
      expect(x.saveState().pendingInput).toBe(btoa(String.fromCharCode(...bytes)));
    }
    expect(() => r.checkState({ pendingInput: 'abc' })).toThrow(/bad pendingInput/);
  });
});
