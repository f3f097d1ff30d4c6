/**
 * LEB128 encoding and decoding, as the WebAssembly binary format uses it: unsigned and signed, 32- and 64-bit.
 *
 * The writers store into a caller-provided `Uint8Array` at `pos` and return the position after the last byte; the
 * caller guarantees room (at most `MAX_LEB32_BYTES` or `MAX_LEB64_BYTES`). They are the emitter's hot path, so they
 * work on Numbers only: a 64-bit value is two 32-bit halves, and BigInt is accepted only at the outer entry points
 * (`writeS64BigInt`, `writeU64BigInt`), which split it once. The readers are for tests and diagnostics and return
 * BigInt for 64-bit values.
 */

import { WasmBuildError } from './types.js';

/** The most bytes a 32-bit LEB128 value takes. */
export const MAX_LEB32_BYTES = 5;
/** The most bytes a 64-bit LEB128 value takes. */
export const MAX_LEB64_BYTES = 10;

const TWO_32 = 4294967296;

/** Writes `value` (an integer in [0, 2^32-1]) as unsigned LEB128. */
export function writeU32(out: Uint8Array, pos: number, value: number): number {
  if (value !== value >>> 0) throw new WasmBuildError(`u32 LEB128: ${value} is not an integer in [0, 2^32-1]`);
  while (value >= 0x80) {
    out[pos++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[pos++] = value;
  return pos;
}

/** Writes `value` (an integer in [-2^31, 2^31-1]) as signed LEB128. */
export function writeS32(out: Uint8Array, pos: number, value: number): number {
  if (value !== (value | 0)) throw new WasmBuildError(`s32 LEB128: ${value} is not an integer in [-2^31, 2^31-1]`);
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) {
      out[pos++] = byte;
      return pos;
    }
    out[pos++] = byte | 0x80;
  }
}

/**
 * Writes the 64-bit two's-complement value `hi * 2^32 + lo` as signed LEB128. `lo` is taken modulo 2^32 and `hi`
 * as a signed 32-bit integer, so either signed or unsigned halves work.
 */
export function writeS64Parts(out: Uint8Array, pos: number, lo: number, hi: number): number {
  lo >>>= 0;
  hi |= 0;
  if (hi === (lo | 0) >> 31) return writeS32(out, pos, lo | 0); // fits in 32 bits: the common case
  for (;;) {
    const byte = lo & 0x7f;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>= 7;
    if ((hi === 0 && lo === 0 && (byte & 0x40) === 0) || (hi === -1 && lo === 0xffffffff && (byte & 0x40) !== 0)) {
      out[pos++] = byte;
      return pos;
    }
    out[pos++] = byte | 0x80;
  }
}

/** Writes the unsigned 64-bit value `hi * 2^32 + lo` (both halves taken modulo 2^32) as unsigned LEB128. */
export function writeU64Parts(out: Uint8Array, pos: number, lo: number, hi: number): number {
  lo >>>= 0;
  hi >>>= 0;
  while (hi !== 0 || lo >= 0x80) {
    out[pos++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  out[pos++] = lo;
  return pos;
}

/** Writes a safe integer (|value| <= 2^53-1) as signed 64-bit LEB128, without BigInt. */
export function writeS64Number(out: Uint8Array, pos: number, value: number): number {
  if (value === (value | 0)) return writeS32(out, pos, value);
  if (!Number.isSafeInteger(value)) throw new WasmBuildError(`s64 LEB128: ${value} is not a safe integer (use a bigint)`);
  const hi = Math.floor(value / TWO_32);
  return writeS64Parts(out, pos, value - hi * TWO_32, hi);
}

/**
 * Writes a bigint in [-2^63, 2^64-1] as signed 64-bit LEB128; values from 2^63 up are taken as their two's-complement
 * bit pattern (so a `BigUint64Array` element can be passed as is).
 */
export function writeS64BigInt(out: Uint8Array, pos: number, value: bigint): number {
  if (value < -(1n << 63n) || value >= 1n << 64n) throw new WasmBuildError(`s64 LEB128: ${value} is outside [-2^63, 2^64-1]`);
  return writeS64Parts(out, pos, Number(BigInt.asUintN(32, value)), Number(BigInt.asIntN(32, value >> 32n)));
}

/** Writes a bigint in [0, 2^64-1] as unsigned LEB128. */
export function writeU64BigInt(out: Uint8Array, pos: number, value: bigint): number {
  if (value < 0n || value >= 1n << 64n) throw new WasmBuildError(`u64 LEB128: ${value} is outside [0, 2^64-1]`);
  return writeU64Parts(out, pos, Number(BigInt.asUintN(32, value)), Number(BigInt.asUintN(32, value >> 32n)));
}

/** The number of bytes `writeU32(value)` writes. */
export function sizeU32(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** A decoded value and the position after its last byte. */
export interface Decoded<T> {
  value: T;
  next: number;
}

function readRaw(bytes: Uint8Array, pos: number, bits: number, signed: boolean): Decoded<bigint> {
  const maxBytes = Math.ceil(bits / 7);
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < maxBytes; i++) {
    const byte = bytes[pos + i];
    if (byte === undefined) throw new WasmBuildError(`LEB128 at ${pos}: truncated`);
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if ((byte & 0x80) === 0) {
      if (signed && (byte & 0x40) !== 0) result -= 1n << shift; // sign-extend from the last byte
      const value = signed ? BigInt.asIntN(bits, result) : BigInt.asUintN(bits, result);
      if (value !== result) throw new WasmBuildError(`LEB128 at ${pos}: value does not fit in ${bits} bits`);
      return { value, next: pos + i + 1 };
    }
  }
  throw new WasmBuildError(`LEB128 at ${pos}: longer than ${maxBytes} bytes`);
}

/** Reads an unsigned 32-bit LEB128 value; throws on truncation, over-long encodings and values over 32 bits. */
export function readU32(bytes: Uint8Array, pos: number): Decoded<number> {
  const r = readRaw(bytes, pos, 32, false);
  return { value: Number(r.value), next: r.next };
}

/** Reads a signed 32-bit LEB128 value. */
export function readS32(bytes: Uint8Array, pos: number): Decoded<number> {
  const r = readRaw(bytes, pos, 32, true);
  return { value: Number(r.value), next: r.next };
}

/** Reads an unsigned 64-bit LEB128 value. */
export function readU64(bytes: Uint8Array, pos: number): Decoded<bigint> {
  return readRaw(bytes, pos, 64, false);
}

/** Reads a signed 64-bit LEB128 value. */
export function readS64(bytes: Uint8Array, pos: number): Decoded<bigint> {
  return readRaw(bytes, pos, 64, true);
}
