/**
 * Lane arithmetic on a 64-bit half of a SIMD&FP register for the AdvSIMD specifications (spec/simd-*.ts): lanes of
 * 2^size bytes (size 0-3) packed in one Sem value, computed all at once with 64-bit operations whose carries cannot
 * cross a lane (SWAR), so both backends compute a half in a few operations.
 */
import type { Sem } from './sem.js';

const ALL = 0xffff_ffff_ffff_ffffn;

/** The number of bits of a lane of 2^size bytes. */
export const laneBits = (size: number): number => 8 << size;

/** A constant with `lane` (< 2^laneBits) in every lane of the half. */
export function replicate(size: number, lane: bigint): bigint {
  const e = BigInt(laneBits(size));
  let r = 0n;
  for (let i = 0n; i < 64n; i += e) r |= lane << i;
  return r;
}

/** The top bit of every lane. */
const high = (size: number): bigint => replicate(size, 1n << BigInt(laneBits(size) - 1));

/** Lane i (0-based) of a half, zero-extended. */
export function laneOf<V, B>(s: Sem<V, B>, half: V, size: number, i: number): V {
  const e = laneBits(size);
  return e === 64 ? half : s.zext(s.shift(1, half, e * i, 64), e as 8 | 16 | 32);
}

/** Each lane all ones where the lane of x is zero, else zero. */
export function zeroLanes<V, B>(s: Sem<V, B>, x: V, size: number): V {
  if (size === 3) return s.select(s.eq(x, s.c(0n)), s.c(ALL), s.c(0n));
  const h = high(size);
  const low = s.c(~h & ALL);
  const v = s.let(x);
  // (x & low) + low sets a lane's top bit when its low bits are not all zero (no carry leaves the lane); | x adds its top bit.
  const nonzero = s.or(s.add(s.and(v, low), low, 64), v);
  const zeroTop = s.and(s.not(nonzero, 64), s.c(h));
  // One bit at the bottom of each zero lane, times 2^e - 1: the lane all ones (no carry reaches the next lane).
  return s.mul(s.shift(1, zeroTop, laneBits(size) - 1, 64), s.c((1n << BigInt(laneBits(size))) - 1n), 64);
}

/** Lane-wise a + b modulo 2^e: the low bits added without their top bits, the top bits added by XOR. */
export function addLanes<V, B>(s: Sem<V, B>, a: V, b: V, size: number): V {
  if (size === 3) return s.add(a, b, 64);
  const h = s.c(high(size));
  const low = s.c(~high(size) & ALL);
  const x = s.let(a);
  const y = s.let(b);
  return s.xor(s.add(s.and(x, low), s.and(y, low), 64), s.and(s.xor(x, y), h));
}

/** Lane-wise a - b modulo 2^e: each lane's top bit set in a so no borrow leaves it, then the top bits fixed by XOR. */
export function subLanes<V, B>(s: Sem<V, B>, a: V, b: V, size: number): V {
  if (size === 3) return s.sub(a, b, 64);
  const h = s.c(high(size));
  const low = s.c(~high(size) & ALL);
  const x = s.let(a);
  const y = s.let(b);
  return s.xor(s.sub(s.or(x, h), s.and(y, low), 64), s.and(s.xor(s.xor(x, y), h), h));
}
