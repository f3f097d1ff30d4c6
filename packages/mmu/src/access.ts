/**
 * What a memory access asks of a translation and what it raises when refused, shared by the MMU's TLB paths (mmu.ts)
 * and the table walks (walk.ts): the permission bits translations and TLB entries carry, the permission an access
 * needs at the CPU's current EL and PSTATE, and the {@link MemoryFault} of a refused access.
 */
import { Acc, MemoryFault, type Cpu } from '@kvm-mte/aarch64-cpu';

/** Permission bits of a translation and of a TLB entry. */
export const Perm = {
  ReadEl1: 1,
  WriteEl1: 2,
  ExecEl1: 4,
  ReadEl0: 8,
  WriteEl0: 16,
  ExecEl0: 32,
  /** The page is not EL0-readable, so a privileged data access is allowed while PSTATE.PAN is 1. */
  PanOk: 64,
  /** The data attributes are Normal: unaligned accesses and DC ZVA raise no memory-type alignment fault. */
  Normal: 128,
} as const;

/** ESR_EL2.ISS2 bit 9 (ESR bit 41), TagAccess: a stage-2 Permission fault caused by NoTagAccess (FEAT_MTE_PERM). */
export const ISS2_TAG_ACCESS = 1 << 9;

/** HCR_EL2 bits the MMU reads. */
export const Hcr = {
  VM: 1n << 0n,
  PTW: 1n << 2n,
  DC: 1n << 12n,
  FWB: 1n << 46n,
} as const;

const W = Acc.Write;
const F = Acc.Fetch;
const UNPRIV = Acc.Unpriv;
const RW = Acc.ReadWrite;
const CM = Acc.CacheMaint;

/**
 * Whether an access is unprivileged (checked against the EL0 permissions): any access at EL0, and LDTR/STTR and
 * the like (Acc.Unpriv) at EL1 while PSTATE.UAO = 0.
 */
export function isUnprivileged(cpu: Cpu, flags: number): boolean {
  return cpu.el === 0 || ((flags & (UNPRIV | F)) === UNPRIV && cpu.uao === 0);
}

/** The permission bits an access needs, for the current EL, PSTATE.PAN and PSTATE.UAO. */
export function accessNeed(cpu: Cpu, flags: number): number {
  if ((flags & F) !== 0) return cpu.el === 0 ? Perm.ExecEl0 : Perm.ExecEl1;
  if (isUnprivileged(cpu, flags)) {
    return (flags & RW) !== 0 ? Perm.ReadEl0 | Perm.WriteEl0 : (flags & W) !== 0 ? Perm.WriteEl0 : Perm.ReadEl0;
  }
  const n = (flags & RW) !== 0 ? Perm.ReadEl1 | Perm.WriteEl1 : (flags & W) !== 0 ? Perm.WriteEl1 : Perm.ReadEl1;
  return cpu.pan !== 0 && (flags & CM) === 0 ? n | Perm.PanOk : n;
}

/** The WnR a fault of the access reports: a write, or a cache maintenance operation (not a read-modify-write's). */
export function isWnr(flags: number): boolean {
  return (flags & CM) !== 0 || ((flags & W) !== 0 && (flags & RW) === 0);
}

/** The fault of an access at `va` (`ipa` reported for stage 2 only; CM from the flags). */
export function memoryFault(stage: 1 | 2, fsc: number, va: bigint, flags: number, ipa = 0, s1ptw = false,
  write = isWnr(flags), iss2 = 0): MemoryFault {
  return new MemoryFault(stage, fsc, va, write, stage === 2 ? BigInt(ipa) : 0n, s1ptw, (flags & CM) !== 0, iss2);
}
