import { describe, expect, it } from 'vitest';
import {
  readS32, readS64, readU32, readU64, sizeU32, writeS32, writeS64BigInt, writeS64Number, writeS64Parts, writeU32,
  writeU64BigInt, writeU64Parts,
} from './leb128.js';
import { WasmBuildError } from './types.js';

const enc = (write: (out: Uint8Array, pos: number) => number): number[] => {
  const out = new Uint8Array(16);
  return [...out.subarray(0, write(out, 0))];
};

/** Reference encoders written independently of the ones under test: BigInt, 7 bits at a time. */
function refUnsigned(v: bigint): number[] {
  const bytes: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    bytes.push(b);
  } while (v !== 0n);
  return bytes;
}
function refSigned(v: bigint): number[] {
  const bytes: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n; // arithmetic on BigInt
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    bytes.push(done ? b : b | 0x80);
    if (done) return bytes;
  }
}

const halves = (v: bigint): [number, number] => [Number(BigInt.asUintN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];

describe('LEB128 known encodings (from the format definition)', () => {
  it('encodes the classic examples byte for byte', () => {
    expect(enc((o, p) => writeU32(o, p, 624485))).toEqual([0xe5, 0x8e, 0x26]);
    expect(enc((o, p) => writeS32(o, p, -123456))).toEqual([0xc0, 0xbb, 0x78]);
    expect(enc((o, p) => writeU32(o, p, 0))).toEqual([0x00]);
    expect(enc((o, p) => writeS32(o, p, -1))).toEqual([0x7f]);
    expect(enc((o, p) => writeS32(o, p, 63))).toEqual([0x3f]);
    expect(enc((o, p) => writeS32(o, p, 64))).toEqual([0xc0, 0x00]); // bit 6 set needs a sign byte
    expect(enc((o, p) => writeS32(o, p, -64))).toEqual([0x40]);
    expect(enc((o, p) => writeS32(o, p, -65))).toEqual([0xbf, 0x7f]);
  });
});

describe('LEB128 unsigned 32-bit', () => {
  const cases = [0, 1, 0x7f, 0x80, 0x3fff, 0x4000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
  it.each(cases)('round-trips %d and matches the reference and sizeU32', (v) => {
    const bytes = enc((o, p) => writeU32(o, p, v));
    expect(bytes).toEqual(refUnsigned(BigInt(v)));
    expect(bytes.length).toBe(sizeU32(v));
    expect(readU32(Uint8Array.from(bytes), 0)).toEqual({ value: v, next: bytes.length });
  });
  it('rejects values that are not u32', () => {
    for (const bad of [-1, 2 ** 32, 1.5, NaN]) expect(() => writeU32(new Uint8Array(8), 0, bad)).toThrow(WasmBuildError);
  });
});

describe('LEB128 signed 32-bit', () => {
  const cases = [0, 1, -1, 63, 64, -64, -65, 2 ** 31 - 1, -(2 ** 31), 0x12345678, -0x12345678];
  it.each(cases)('round-trips %d and matches the reference', (v) => {
    const bytes = enc((o, p) => writeS32(o, p, v));
    expect(bytes).toEqual(refSigned(BigInt(v)));
    expect(readS32(Uint8Array.from(bytes), 0)).toEqual({ value: v, next: bytes.length });
  });
  it('rejects 2^31 (not an int32: an i32 immediate of 2^31 must be passed as -2^31)', () => {
    expect(() => writeS32(new Uint8Array(8), 0, 2 ** 31)).toThrow(/s32/);
  });
});

describe('LEB128 64-bit', () => {
  const signed = [
    0n, -1n, 1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, 2n ** 32n - 1n, -(2n ** 32n), 2n ** 53n - 1n, -(2n ** 53n),
    2n ** 62n, -(2n ** 62n), 2n ** 63n - 1n, -(2n ** 63n), 0x0123_4567_89ab_cdefn, -0x0123_4567_89ab_cdefn,
  ];
  it.each(signed)('signed %s: parts, bigint and number writers agree with the reference and round-trip', (v) => {
    const ref = refSigned(v);
    const [lo, hi] = halves(v);
    expect(enc((o, p) => writeS64Parts(o, p, lo, hi))).toEqual(ref);
    expect(enc((o, p) => writeS64Parts(o, p, lo | 0, hi >>> 0))).toEqual(ref); // either signedness of halves
    expect(enc((o, p) => writeS64BigInt(o, p, v))).toEqual(ref);
    if (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n) expect(enc((o, p) => writeS64Number(o, p, Number(v)))).toEqual(ref);
    expect(readS64(Uint8Array.from(ref), 0)).toEqual({ value: v, next: ref.length });
  });

  it('takes unsigned bigints from 2^63 up as their two\'s complement (2^64-1 is -1)', () => {
    expect(enc((o, p) => writeS64BigInt(o, p, 2n ** 64n - 1n))).toEqual([0x7f]);
    expect(enc((o, p) => writeS64BigInt(o, p, 2n ** 63n))).toEqual(refSigned(-(2n ** 63n)));
    expect(() => writeS64BigInt(new Uint8Array(16), 0, 2n ** 64n)).toThrow(WasmBuildError);
    expect(() => writeS64BigInt(new Uint8Array(16), 0, -(2n ** 63n) - 1n)).toThrow(WasmBuildError);
  });

  const unsigned = [0n, 1n, 0x7fn, 0x80n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n];
  it.each(unsigned)('unsigned %s round-trips', (v) => {
    const ref = refUnsigned(v);
    const lo = Number(BigInt.asUintN(32, v));
    const hi = Number(v >> 32n);
    expect(enc((o, p) => writeU64Parts(o, p, lo, hi))).toEqual(ref);
    expect(enc((o, p) => writeU64BigInt(o, p, v))).toEqual(ref);
    expect(readU64(Uint8Array.from(ref), 0)).toEqual({ value: v, next: ref.length });
  });

  it('2^64-1 takes the full 10 bytes, -2^63 too', () => {
    expect(enc((o, p) => writeU64BigInt(o, p, 2n ** 64n - 1n))).toHaveLength(10);
    expect(enc((o, p) => writeS64BigInt(o, p, -(2n ** 63n)))).toHaveLength(10);
  });

  it('rejects Numbers that are not safe integers (they would lose bits)', () => {
    expect(() => writeS64Number(new Uint8Array(16), 0, 2 ** 53)).toThrow(/safe integer/);
    expect(() => writeS64Number(new Uint8Array(16), 0, 0.5)).toThrow(/safe integer/);
  });

  it('round-trips random values through every 64-bit writer', () => {
    let seed = 0x9e3779b9n;
    for (let i = 0; i < 500; i++) {
      seed = (seed * 6364136223846793005n + 1442695040888963407n) & (2n ** 64n - 1n);
      const v = BigInt.asIntN(64, seed >> BigInt(i % 60)); // vary the magnitude
      const bytes = Uint8Array.from(enc((o, p) => writeS64BigInt(o, p, v)));
      expect(readS64(bytes, 0).value).toBe(v);
      const u = BigInt.asUintN(64, v);
      expect(readU64(Uint8Array.from(enc((o, p) => writeU64BigInt(o, p, u))), 0).value).toBe(u);
    }
  });
});

describe('LEB128 readers reject malformed input', () => {
  it('truncated, over-long and out-of-range encodings', () => {
    expect(() => readU32(Uint8Array.of(0x80, 0x80), 0)).toThrow(/truncated/);
    expect(() => readU32(Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), 0)).toThrow(/longer than 5/);
    expect(() => readU32(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), 0)).toThrow(/32 bits/); // 2^35-1
    expect(() => readS32(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x4f), 0)).toThrow(/32 bits/);
    expect(readU32(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), 0).value).toBe(2 ** 32 - 1);
  });
  it('reads at an offset and reports the next position', () => {
    expect(readS32(Uint8Array.of(9, 9, 0xc0, 0xbb, 0x78, 9), 2)).toEqual({ value: -123456, next: 5 });
  });
});
