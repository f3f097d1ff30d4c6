/**
 * Helpers shared by the hand-written handlers (the instruction specification has its own, over Sem: spec/shared.ts):
 * the Arm ARM's ExtendReg and AddWithCarry over BigInt register values, and a load/store's base register. `datasize` is 32 or 64; results are
 * zero-extended to 64 bits.
 */
import type { Cpu } from '../cpu.js';
import { GuestException } from '../exceptions.js';
import { Ec } from '../exits.js';
import { SysReg } from '../sysregs.js';

const MASK32 = 0xffff_ffffn;

/** Zero-extend the low `datasize` bits. */
export function trunc(v: bigint, datasize: number): bigint {
  return datasize === 64 ? BigInt.asUintN(64, v) : v & MASK32;
}

/** Sign-extend the low `bits` bits of `v` to a 64-bit unsigned value. */
export function sext64(v: bigint, bits: number): bigint {
  return BigInt.asUintN(64, BigInt.asIntN(bits, v));
}

/**
 * ExtendReg(m, option, shift) for a `datasize`-bit result: option 0 UXTB, 1 UXTH, 2 UXTW, 3 UXTX, 4 SXTB, 5 SXTH,
 * 6 SXTW, 7 SXTX; the value is register m with 31 as XZR.
 */
export function extendValue(v: bigint, option: number, shift: number, datasize: number): bigint {
  const len = 8 << (option & 3);
  let r = len >= 64 ? v : (option & 4) !== 0 ? BigInt.asUintN(64, BigInt.asIntN(len, v)) : BigInt.asUintN(len, v);
  if (shift !== 0) r = r << BigInt(shift);
  return trunc(r, datasize);
}

/**
 * AddWithCarry(x, y, carry) on `datasize` bits. Returns the result; when `setFlags` is true, writes NZCV.
 * x and y must already be `datasize`-bit values.
 */
export function addWithCarry(cpu: Cpu, x: bigint, y: bigint, carry: number, datasize: number, setFlags: boolean): bigint {
  const unsignedSum = x + y + BigInt(carry);
  const result = trunc(unsignedSum, datasize);
  if (setFlags) {
    const top = BigInt(datasize - 1);
    const n = Number((result >> top) & 1n);
    const z = result === 0n ? 1 : 0;
    const c = unsignedSum !== result ? 1 : 0;
    const sx = (x >> top) & 1n;
    const sy = (y >> top) & 1n;
    const sr = (result >> top) & 1n;
    const v = sx === sy && sr !== sx ? 1 : 0;
    cpu.nzcv = (n << 3) | (z << 2) | (c << 1) | v;
  }
  return result;
}

/**
 * The base register of a load or store: Xn, or for n = 31 the stack pointer after CheckSPAlignment (SCTLR_EL1.SA at
 * EL1, SA0 at EL0, enable the check: an SP alignment fault, EC 0x26).
 */
export function baseReg(cpu: Cpu, n: number): bigint {
  if (n !== 31) return cpu.x[n]!;
  const sp = cpu.xs(31);
  if ((sp & 15n) !== 0n && (cpu.sys[SysReg.SCTLR_EL1]! & (cpu.el === 0 ? 16n : 8n)) !== 0n) {
    throw new GuestException(Ec.SpAlign, 0);
  }
  return sp;
}
