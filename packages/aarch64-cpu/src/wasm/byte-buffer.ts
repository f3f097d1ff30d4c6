/**
 * A growable byte buffer for the emitter: a `Uint8Array` that doubles when full, with LEB128 and little-endian
 * writers. One buffer is meant to be reset and reused for many functions, so after warm-up writing allocates nothing.
 */

import {
  MAX_LEB32_BYTES, MAX_LEB64_BYTES, writeS32, writeS64BigInt, writeS64Number, writeS64Parts, writeU32, writeU64BigInt,
  writeU64Parts,
} from './leb128.js';

/** A growable byte buffer. `bytes[0, length)` is the content; `bytes` is replaced when it grows. */
export class ByteBuffer {
  /** The backing store; only `[0, length)` is meaningful. */
  bytes: Uint8Array;
  /** The number of bytes written. */
  length = 0;
  /** Scratch for float bit patterns (per buffer: no module state). */
  private readonly scratch = new DataView(new ArrayBuffer(8));

  constructor(initialCapacity = 256) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Forgets the content, keeping the backing store. */
  reset(): void {
    this.length = 0;
  }

  /** Makes room for `n` more bytes, doubling the backing store as often as needed. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  /** Appends one byte (its low 8 bits). */
  byte(b: number): void {
    if (this.length === this.bytes.length) this.reserve(1);
    this.bytes[this.length++] = b;
  }

  /** Appends two bytes (a prefix and a one-byte opcode, say). */
  byte2(a: number, b: number): void {
    if (this.length + 2 > this.bytes.length) this.reserve(2);
    const bytes = this.bytes;
    bytes[this.length] = a;
    bytes[this.length + 1] = b;
    this.length += 2;
  }

  /** Appends `src[start, end)`. */
  append(src: Uint8Array, start = 0, end = src.length): void {
    this.reserve(end - start);
    this.bytes.set(src.subarray(start, end), this.length);
    this.length += end - start;
  }

  /** Appends an unsigned 32-bit LEB128 value. */
  u32(value: number): void {
    if (this.length + MAX_LEB32_BYTES > this.bytes.length) this.reserve(MAX_LEB32_BYTES);
    this.length = writeU32(this.bytes, this.length, value);
  }

  /** Appends a signed 32-bit LEB128 value. */
  s32(value: number): void {
    if (this.length + MAX_LEB32_BYTES > this.bytes.length) this.reserve(MAX_LEB32_BYTES);
    this.length = writeS32(this.bytes, this.length, value);
  }

  /** Appends the signed 64-bit LEB128 value `hi * 2^32 + lo`. */
  s64Parts(lo: number, hi: number): void {
    if (this.length + MAX_LEB64_BYTES > this.bytes.length) this.reserve(MAX_LEB64_BYTES);
    this.length = writeS64Parts(this.bytes, this.length, lo, hi);
  }

  /** Appends a safe integer as signed 64-bit LEB128. */
  s64Number(value: number): void {
    if (this.length + MAX_LEB64_BYTES > this.bytes.length) this.reserve(MAX_LEB64_BYTES);
    this.length = writeS64Number(this.bytes, this.length, value);
  }

  /** Appends a bigint in [-2^63, 2^64-1] as signed 64-bit LEB128 (two's complement). */
  s64BigInt(value: bigint): void {
    if (this.length + MAX_LEB64_BYTES > this.bytes.length) this.reserve(MAX_LEB64_BYTES);
    this.length = writeS64BigInt(this.bytes, this.length, value);
  }

  /** Appends the unsigned 64-bit LEB128 value `hi * 2^32 + lo`. */
  u64Parts(lo: number, hi: number): void {
    if (this.length + MAX_LEB64_BYTES > this.bytes.length) this.reserve(MAX_LEB64_BYTES);
    this.length = writeU64Parts(this.bytes, this.length, lo, hi);
  }

  /** Appends a bigint in [0, 2^64-1] as unsigned LEB128. */
  u64BigInt(value: bigint): void {
    if (this.length + MAX_LEB64_BYTES > this.bytes.length) this.reserve(MAX_LEB64_BYTES);
    this.length = writeU64BigInt(this.bytes, this.length, value);
  }

  /** Appends a 32-bit value little-endian (the low 32 bits of `value`). */
  u32le(value: number): void {
    if (this.length + 4 > this.bytes.length) this.reserve(4);
    const bytes = this.bytes;
    const p = this.length;
    bytes[p] = value;
    bytes[p + 1] = value >>> 8;
    bytes[p + 2] = value >>> 16;
    bytes[p + 3] = value >>> 24;
    this.length = p + 4;
  }

  /** Appends the IEEE 754 single-precision encoding of `value`, little-endian. */
  f32(value: number): void {
    this.scratch.setFloat32(0, value, true);
    this.u32le(this.scratch.getUint32(0, true));
  }

  /** Appends the IEEE 754 double-precision encoding of `value`, little-endian. */
  f64(value: number): void {
    this.scratch.setFloat64(0, value, true);
    this.u32le(this.scratch.getUint32(0, true));
    this.u32le(this.scratch.getUint32(4, true));
  }

  /** Appends a name: its UTF-8 length as u32 LEB128, then the UTF-8 bytes. */
  name(text: string): void {
    // ASCII (every name a JIT makes) is written directly; anything else goes through TextEncoder.
    const n = text.length;
    let ascii = n < 0x80;
    for (let i = 0; ascii && i < n; i++) ascii = text.charCodeAt(i) < 0x80;
    if (!ascii) {
      const utf8 = encoder.encode(text);
      this.u32(utf8.length);
      this.append(utf8);
      return;
    }
    this.reserve(n + 1);
    const bytes = this.bytes;
    let p = this.length;
    bytes[p++] = n;
    for (let i = 0; i < n; i++) bytes[p++] = text.charCodeAt(i);
    this.length = p;
  }

  /** A copy of the content, exactly `length` bytes long. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

const encoder = new TextEncoder();
