// virtio-rng behind the modern transport (testing/virtio-driver.ts) and the legacy one: device-writable buffers
// filled from its source, the used length, the 64 KiB cap, the seeded stream's determinism and its snapshot.
import { describe, expect, it } from 'vitest';
import { VirtioRng, MAX_BYTES_PER_REQUEST } from './virtio-rng.js';
import { VirtioMmioTransport } from './virtio-mmio.js';
import { bytesGuestMemory } from './virtio-dma.js';
import { BASE, BUFFERS, ModernDriver } from './testing/virtio-driver.js';

describe('virtio-rng', () => {
  it('fills each device-writable buffer from the host source and puts it on the used ring with its length', () => {
    let calls = 0;
    const d = new ModernDriver(new VirtioRng({ kind: 'host', fill: (b) => { calls++; b.fill(0xa5); } }));
    d.offer(0, 0, BUFFERS, 64, true);
    d.offer(0, 1, BUFFERS + 0x100, 7, true);
    d.notify(0);
    expect(d.takeUsed(0)).toEqual([{ id: 0, len: 64 }, { id: 1, len: 7 }]);
    expect(d.bytes(BUFFERS, 64).every((x) => x === 0xa5)).toBe(true);
    expect(d.bytes(BUFFERS + 0x100, 8)).toEqual(Uint8Array.of(0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0));
    expect(calls).toBe(2);
    expect(d.irq).toBe(true);
  });

  it('gives a huge buffer at most 64 KiB a request, and ignores device-readable buffers', () => {
    const d = new ModernDriver(new VirtioRng({ kind: 'host', fill: (b) => b.fill(1) }));
    d.offer(0, 0, BUFFERS, 0x8_0000, true);
    d.offer(0, 1, BUFFERS, 16, false);
    d.notify(0);
    expect(d.takeUsed(0)).toEqual([{ id: 0, len: MAX_BYTES_PER_REQUEST }, { id: 1, len: 0 }]);
    expect(d.mem[d.at(BUFFERS) + MAX_BYTES_PER_REQUEST - 1]).toBe(1);
    expect(d.mem[d.at(BUFFERS) + MAX_BYTES_PER_REQUEST]).toBe(0);
  });

  it('seeded: the same seed gives the same bytes, another seed others; not constant', () => {
    const read = (seed: number): Uint8Array => {
      const d = new ModernDriver(new VirtioRng({ kind: 'seeded', seed }));
      d.offer(0, 0, BUFFERS, 256, true);
      d.notify(0);
      return d.bytes(BUFFERS, 256);
    };
    expect(read(5)).toEqual(read(5));
    expect(read(5)).not.toEqual(read(6));
    expect(new Set(read(5)).size).toBeGreaterThan(100);
    expect(() => new VirtioRng({ kind: 'seeded', seed: -1 })).toThrow(/invalid seed/);
  });

  it('seeded: a snapshot keeps the stream position, so a restored device goes on with the bytes a straight run reads', () => {
    const straight = new ModernDriver(new VirtioRng({ kind: 'seeded', seed: 9 }));
    straight.offer(0, 0, BUFFERS, 32, true);
    straight.notify(0);
    const saved = straight.t.device.saveState();
    expect(saved).toEqual({ source: 'seeded', seed: 9, position: 8 });
    straight.offer(0, 1, BUFFERS + 0x100, 32, true);
    straight.notify(0);
    const restored = new VirtioRng({ kind: 'seeded', seed: 9 });
    restored.loadState(JSON.parse(JSON.stringify(saved)));
    const d = new ModernDriver(restored);
    d.offer(0, 0, BUFFERS + 0x100, 32, true);
    d.notify(0);
    expect(d.bytes(BUFFERS + 0x100, 32)).toEqual(straight.bytes(BUFFERS + 0x100, 32));
    expect(() => restored.checkState({ source: 'seeded', seed: 8, position: 0 })).toThrow(/seed is 8/);
    expect(() => restored.checkState({ source: 'host' })).toThrow(/source is host/);
    expect(() => restored.checkState({ source: 'seeded', seed: 9, position: -1 })).toThrow(/bad position/);
  });

  it('works behind the legacy transport too (device ID 4, no configuration space: all ones)', () => {
    const mem = new Uint8Array(0x3_0000);
    const t = new VirtioMmioTransport(new VirtioRng({ kind: 'seeded', seed: 1 }), bytesGuestMemory(mem, BASE), () => {}, 'legacy');
    const set = (o: number, v: number): void => t.write(o, 4, BigInt(v));
    expect([t.read(0x4, 4), t.read(0x8, 4), t.read(0x100, 4)]).toEqual([1n, 4n, 0xffff_ffffn]);
    set(0x28, 4096);
    set(0x70, 3);
    set(0x30, 0);
    set(0x38, 8);
    set(0x40, (BASE + 0x1_0000) / 4096);
    const v = new DataView(mem.buffer);
    v.setBigUint64(0x1_0000, BigInt(BASE + 0x2_0000), true);
    v.setUint32(0x1_0008, 16, true);
    v.setUint16(0x1_000c, 2, true);
    v.setUint16(0x1_0000 + 16 * 8 + 4, 0, true);
    v.setUint16(0x1_0000 + 16 * 8 + 2, 1, true);
    set(0x70, 7);
    set(0x50, 0);
    // The used ring at the next 4 KiB boundary: one entry, 16 bytes.
    expect([v.getUint16(0x1_1000 + 2, true), v.getUint32(0x1_1000 + 8, true)]).toEqual([1, 16]);
    expect(mem.subarray(0x2_0000, 0x2_0010).some((x) => x !== 0)).toBe(true);
  });
});
