import { describe, expect, it } from 'vitest';
import { ByteBuffer } from './byte-buffer.js';

describe('ByteBuffer', () => {
  it('grows by doubling and keeps its content', () => {
    const b = new ByteBuffer(16);
    const capacities = new Set<number>();
    for (let k = 0; k < 1000; k++) {
      b.byte(k);
      capacities.add(b.bytes.length);
    }
    expect([...capacities]).toEqual([16, 32, 64, 128, 256, 512, 1024]);
    expect(b.length).toBe(1000);
    expect([...b.toBytes()].every((v, k) => v === (k & 0xff))).toBe(true);
  });

  it('grows straight to a large append', () => {
    const b = new ByteBuffer(16);
    b.byte(1);
    b.append(new Uint8Array(100).fill(7), 10, 90);
    expect(b.length).toBe(81);
    expect(b.bytes.length).toBe(128);
    expect(b.toBytes()[80]).toBe(7);
  });

  it('reset keeps the backing store, so reuse does not allocate', () => {
    const b = new ByteBuffer(16);
    for (let k = 0; k < 100; k++) b.u32(0xffff_ffff);
    const store = b.bytes;
    b.reset();
    for (let k = 0; k < 100; k++) b.u32(0xffff_ffff);
    expect(b.bytes).toBe(store);
    expect(b.length).toBe(500);
  });

  it('writes little-endian words and IEEE floats, and UTF-8 names with their length', () => {
    const b = new ByteBuffer();
    b.u32le(0x1234_5678);
    b.f32(1.5); // 0x3fc00000
    b.f64(-2); // 0xc000000000000000
    b.name('mé');
    expect([...b.toBytes()]).toEqual([
      0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0xc0, 0x3f, 0, 0, 0, 0, 0, 0, 0x00, 0xc0, 3, 0x6d, 0xc3, 0xa9,
    ]);
  });

  it('toBytes returns an exact-length copy', () => {
    const b = new ByteBuffer();
    b.byte2(1, 2);
    const copy = b.toBytes();
    b.reset();
    b.byte(9);
    expect([...copy]).toEqual([1, 2]);
    expect(copy.buffer.byteLength).toBe(2);
  });
});
