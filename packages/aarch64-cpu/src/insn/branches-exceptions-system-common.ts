/**
 * Helpers shared by the "Branches, exception generating and system instructions" class files: UNDEFINED, the
 * branch-target rule (AArch64.BranchAddr), the EC 0x18 syndrome of a trapped MSR/MRS/SYS, and the event register.
 *
 * This file must not import decode-a64.ts (that module imports the class tables, so importing it back would make
 * the table undefined while decode-a64 initialises).
 */
import type { Cpu } from '../cpu.js';
import { El2Trap, GuestException } from '../exceptions.js';
import { Ec } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { St } from '../state-layout.js';

/** UNDEFINED: an Unknown-reason exception (EC 0x00) taken to EL1. */
export { undefinedInstruction as undef } from '../undefined.js';

/**
 * AArch64.BranchAddr at EL0/EL1: when top-byte-ignore applies to the target (TCR_EL1.TBI0 for bit 55 = 0, TBI1 for
 * bit 55 = 1; without pointer authentication TBID does not exist, so TBI covers instruction addresses too), bits
 * [63:56] of the new PC are a copy of bit 55. `target` is a 64-bit value.
 */
export function branchAddr(cpu: Cpu, target: bigint): bigint {
  // Bits [63:55] through the state block's scratch word: `target >> 55n` and BigInt compares allocate in V8 (this
  // was a fifth of an SVC round trip in bench-exc).
  cpu.stU64[St.SCRATCH >> 3] = target;
  const top9 = cpu.st32[(St.SCRATCH >> 2) + 1]! >>> 23;
  if (top9 === 0 || top9 === 0x1ff) return target; // already canonical: the common case
  const top = target >> 55n;
  const tcr = cpu.sys[SysReg.TCR_EL1]!;
  if ((top & 1n) === 0n) return (tcr & (1n << 37n)) !== 0n ? target & 0x00ff_ffff_ffff_ffffn : target;
  return (tcr & (1n << 38n)) !== 0n ? target | 0xff00_0000_0000_0000n : target;
}

/**
 * The ISS of an EC 0x18 exception (trapped MSR, MRS or system instruction) from the encoding key
 * (op0:op1:CRn:CRm:op2, as instruction bits [20:5]), Rt, and the direction (read: MRS or SYSL).
 */
export function sysTrapIss(key: number, rt: number, read: boolean): number {
  const op0 = (key >> 14) & 3;
  const op1 = (key >> 11) & 7;
  const crn = (key >> 7) & 0xf;
  const crm = (key >> 3) & 0xf;
  const op2 = key & 7;
  return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | (read ? 1 : 0);
}

/** Trap the current MSR/MRS/system instruction to EL1 with EC 0x18 (from EL0). */
export function trapSysToEl1(key: number, rt: number, read: boolean): never {
  throw new GuestException(Ec.SysReg, sysTrapIss(key, rt, read));
}

/** Trap the current MSR/MRS/system instruction to EL2 with EC 0x18; the hypervisor resumes at the instruction. */
export function trapSysToEl2(key: number, rt: number, read: boolean): never {
  throw new El2Trap(Ec.SysReg, sysTrapIss(key, rt, read), false);
}

/**
 * The event register (WFE/SEV/SEVL) is CPU state, `cpu.eventRegister`: set means an event is pending and the next
 * WFE completes at once, clearing it. SEV sets it on every PE of the domain (`cpu.smp.sendEvent`).
 */

/** SendEventLocal: set this PE's event register (SEVL, exception return). */
export function sendEventLocal(cpu: Cpu): void {
  cpu.eventRegister = true;
}

/** Test and clear the event register; true if it was set. */
export function consumeEvent(cpu: Cpu): boolean {
  const set = cpu.eventRegister;
  cpu.eventRegister = false;
  return set;
}

/** Whether the event register is set (for tests and tools). */
export function eventRegisterSet(cpu: Cpu): boolean {
  return cpu.eventRegister;
}
