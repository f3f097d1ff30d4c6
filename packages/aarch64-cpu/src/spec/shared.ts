/**
 * The Arm ARM's shared pseudocode functions the integer instructions use (ShiftReg, ExtendReg, AddWithCarry's
 * flags, the bit and byte reversals), written once over {@link Sem} for every backend.
 */
import type { Sem, ShiftType, Width } from './sem.js';

/** ShiftReg(m, type, amount) of the `w`-bit value v (0 <= amount < w). */
export function shiftReg<V, B>(s: Sem<V, B>, v: V, type: number, amount: number, w: Width): V {
  return amount === 0 ? v : s.shift(type as ShiftType, v, amount, w);
}

/**
 * ExtendReg(m, option, shift) for a `w`-bit result: option 0 UXTB, 1 UXTH, 2 UXTW, 3 UXTX, 4 SXTB, 5 SXTH, 6 SXTW,
 * 7 SXTX; `v` is the register's 64-bit value.
 */
export function extendReg<V, B>(s: Sem<V, B>, v: V, option: number, shift: number, w: Width): V {
  const len = (8 << (option & 3)) as 8 | 16 | 32 | 64;
  const ext = (option & 4) !== 0 ? s.sext(v, len) : s.zext(v, len);
  // LSL commutes with the truncation to w bits.
  const val = s.zext(ext, w);
  return shift === 0 ? val : s.shift(0, val, shift, w);
}

/**
 * AND (opc 0), ORR (1), EOR (2) or ANDS (3, which sets N and Z) of two `w`-bit operands into Rd; `spDest`: Rd 31 is
 * the stack pointer for the forms without flags (the immediate ones), else XZR.
 */
export function logical<V, B>(s: Sem<V, B>, opc: number, op1: V, op2: V, d: number, w: Width, spDest: boolean): void {
  const r = opc === 1 ? s.or(op1, op2) : opc === 2 ? s.xor(op1, op2) : s.and(op1, op2);
  if (opc !== 3) {
    if (spDest) s.setXsp(d, r, w);
    else s.setX(d, r, w);
    return;
  }
  const t = s.let(r);
  s.flagsLogic(t, w);
  s.setX(d, t, w);
}

/**
 * NZCV = the flags of AddWithCarry(a, b, carryIn) on `w` bits (a, b: `w`-bit values, carryIn 0 or 1). For ADCS and
 * SBCS; ADDS and SUBS use the backends' lazy `flagsAdd`/`flagsSub` (their agreement with this is tested).
 */
export function addWithCarryFlags<V, B>(s: Sem<V, B>, a: V, b: V, carryIn: V, w: Width): void {
  const r = s.let(s.add(s.add(a, b, w), carryIn, w));
  const top = w - 1;
  const n = s.shift(1, r, top, 64);
  const z = s.bit(s.eq(r, s.c(0n)));
  // The sum wrapped iff r < a, or r == a with b + carryIn = 2^w (then carryIn is 1).
  const c = s.or(s.bit(s.ltu(r, a)), s.and(carryIn, s.bit(s.eq(r, a))));
  // Signed overflow: a and b have the same sign and r the other.
  const v = s.and(s.shift(1, s.and(s.xor(a, r), s.xor(b, r)), top, 64), s.c(1n));
  s.setNzcvV(s.or(s.or(s.shift(0, n, 3, 64), s.shift(0, z, 2, 64)), s.or(s.shift(0, c, 1, 64), v)));
}

const BIT_STEPS: ReadonlyArray<readonly [number, bigint]> = [
  [1, 0x5555_5555_5555_5555n], [2, 0x3333_3333_3333_3333n], [4, 0x0f0f_0f0f_0f0f_0f0fn],
  [8, 0x00ff_00ff_00ff_00ffn], [16, 0x0000_ffff_0000_ffffn], [32, 0x0000_0000_ffff_ffffn],
];

/**
 * Swap the adjacent `2^k`-bit groups of v for each step from `from` bits up to half of `container`, within `w`
 * bits: from 1 to container = w reverses the bits (RBIT); from 8 reverses the bytes within each container (REV16,
 * REV32, REV).
 */
export function swapGroups<V, B>(s: Sem<V, B>, v: V, from: number, container: number, w: Width): V {
  let r = v;
  for (const [sh, mask] of BIT_STEPS) {
    if (sh < from) continue;
    if (sh >= container) break;
    const t = s.let(r);
    r = s.or(s.and(s.shift(1, t, sh, 64), s.c(mask)), s.shift(0, s.and(t, s.c(mask)), sh, 64));
  }
  return s.zext(r, w);
}
