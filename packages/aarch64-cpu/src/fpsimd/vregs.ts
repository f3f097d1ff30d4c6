/**
 * The SIMD&FP register file V0-V31 as typed-array views over the CPU state block (state-layout.ts St.V), one per
 * element type, so that an instruction reads and writes lanes directly, without copies or BigInts for lanes of up to
 * 32 bits. Lane `e` of register `n` for elements of `b` bytes is index `n * (16 / b) + e` of the view of that size
 * (the host is little-endian, as the guest's register file is defined: lane 0 in the low bytes).
 *
 * Writes of a scalar or a 64-bit vector result clear the rest of the 128-bit register, as the Arm ARM's
 * `V[n, width] = value` does: {@link clearAbove}.
 */

/** Views over V0..V31 (512 bytes). */
export interface VRegs {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly u64: BigUint64Array;
  readonly i64: BigInt64Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

/** The views of the 512 bytes at `byteOffset` of `buf` (16-byte aligned). */
export function vregsOver(buf: ArrayBufferLike, byteOffset: number): VRegs {
  if (byteOffset % 16 !== 0) throw new RangeError(`V registers must be 16-byte aligned, not at ${byteOffset}`);
  return {
    u8: new Uint8Array(buf, byteOffset, 512),
    i8: new Int8Array(buf, byteOffset, 512),
    u16: new Uint16Array(buf, byteOffset, 256),
    i16: new Int16Array(buf, byteOffset, 256),
    u32: new Uint32Array(buf, byteOffset, 128),
    i32: new Int32Array(buf, byteOffset, 128),
    u64: new BigUint64Array(buf, byteOffset, 64),
    i64: new BigInt64Array(buf, byteOffset, 64),
    f32: new Float32Array(buf, byteOffset, 128),
    f64: new Float64Array(buf, byteOffset, 64),
  };
}

/** Clear bytes [bytes, 16) of Vn: what writing a `bytes * 8`-bit value to Vn does to the rest of it. */
export function clearAbove(vr: VRegs, n: number, bytes: number): void {
  const u32 = vr.u32;
  for (let w = n * 4 + ((bytes + 3) >> 2), end = n * 4 + 4; w < end; w++) u32[w] = 0;
  if ((bytes & 3) !== 0) {
    // B and H scalars: clear the rest of their 32-bit word too.
    const u8 = vr.u8;
    for (let b = n * 16 + bytes, end = n * 16 + ((bytes + 3) & ~3); b < end; b++) u8[b] = 0;
  }
}

/** Vn's low 64 bits and high 64 bits (for tests, tools and one-reg). */
export function readQ(vr: VRegs, n: number): { lo: bigint; hi: bigint } {
  return { lo: vr.u64[n * 2]!, hi: vr.u64[n * 2 + 1]! };
}

/** Set Vn to hi:lo (each taken modulo 2^64). */
export function writeQ(vr: VRegs, n: number, lo: bigint, hi: bigint): void {
  vr.u64[n * 2] = BigInt.asUintN(64, lo);
  vr.u64[n * 2 + 1] = BigInt.asUintN(64, hi);
}
