/**
 * The real value of an unpacked operand as a Number: exact, since every half, single and double value is a double
 * (infinities are ±Infinity). For comparisons (FPCompare, FPMax, ...).
 */
import { FpType, type Unpacked } from './unpack.js';

/** The value of a non-NaN operand. */
export function valueOf(u: Unpacked): number {
  const mag = u.type === FpType.Infinity ? Infinity : u.mant * 2 ** u.exp;
  return u.sign === 1 ? -mag : mag;
}
