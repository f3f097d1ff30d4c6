/**
 * The PMUv3 system registers as the CPU sees them: their MRS/MSR encodings (keys as `sysRegKey` packs them) and the
 * EL0 access rules of PMUSERENR_EL0. The registers themselves are a layer above's ({@link PmuPort}, ports.ts:
 * kvm-core's per-vCPU PMU); without a port every encoding here is UNDEFINED, as KVM makes them for a vCPU without
 * KVM_ARM_VCPU_PMU_V3 (and ID_AA64DFR0_EL1.PMUVer reads 0).
 */
import type { PmuPort } from './ports.js';
import { sysRegKey } from './sysregs.js';

/** PMEVCNTR<n>_EL0: op0 3, op1 3, CRn 14, CRm 0b10:n[4:3], op2 n[2:0] (n = 0..30). */
export const pmevcntrKey = (n: number): number => sysRegKey(3, 3, 14, 8 | (n >> 3), n & 7);
/** PMEVTYPER<n>_EL0: CRm 0b11:n[4:3] (n = 0..30; n = 31 is PMCCFILTR_EL0). */
export const pmevtyperKey = (n: number): number => sysRegKey(3, 3, 14, 12 | (n >> 3), n & 7);

/** The fixed PMU register encodings. */
export const PmuKey = {
  PMCR_EL0: sysRegKey(3, 3, 9, 12, 0),
  PMCNTENSET_EL0: sysRegKey(3, 3, 9, 12, 1),
  PMCNTENCLR_EL0: sysRegKey(3, 3, 9, 12, 2),
  PMOVSCLR_EL0: sysRegKey(3, 3, 9, 12, 3),
  PMSWINC_EL0: sysRegKey(3, 3, 9, 12, 4),
  PMSELR_EL0: sysRegKey(3, 3, 9, 12, 5),
  PMCEID0_EL0: sysRegKey(3, 3, 9, 12, 6),
  PMCEID1_EL0: sysRegKey(3, 3, 9, 12, 7),
  PMCCNTR_EL0: sysRegKey(3, 3, 9, 13, 0),
  PMXEVTYPER_EL0: sysRegKey(3, 3, 9, 13, 1),
  PMXEVCNTR_EL0: sysRegKey(3, 3, 9, 13, 2),
  PMUSERENR_EL0: sysRegKey(3, 3, 9, 14, 0),
  PMOVSSET_EL0: sysRegKey(3, 3, 9, 14, 3),
  PMINTENSET_EL1: sysRegKey(3, 0, 9, 14, 1),
  PMINTENCLR_EL1: sysRegKey(3, 0, 9, 14, 2),
  PMMIR_EL1: sysRegKey(3, 0, 9, 14, 6),
  PMCCFILTR_EL0: pmevtyperKey(31),
} as const;

/** PMUSERENR_EL0 bits: EN (all EL0 access), SW (PMSWINC), CR (cycle counter read), ER (event counter read, PMSELR). */
export const PMUSERENR = { EN: 1, SW: 2, CR: 4, ER: 8 } as const;

/** Whether `key` lies in the PMU's encoding space (op0 3 with CRn 9, CRm 12-14, or CRn 14, CRm 8-15, op1 3). */
export function isPmuKey(key: number): boolean {
  const op1 = (key >> 11) & 7;
  const crn = (key >> 7) & 0xf;
  const crm = (key >> 3) & 0xf;
  if (key >> 14 !== 3) return false;
  if (op1 === 3) return (crn === 9 && crm >= 12 && crm <= 14) || (crn === 14 && crm >= 8);
  return key === PmuKey.PMINTENSET_EL1 || key === PmuKey.PMINTENCLR_EL1 || key === PmuKey.PMMIR_EL1;
}

/** An event counter (PMEVCNTR<n>_EL0 or PMXEVCNTR_EL0) or the cycle counter's value register. */
function isEventCounter(key: number): boolean {
  const crm = (key >> 3) & 0xf;
  return key === PmuKey.PMXEVCNTR_EL0 || (((key >> 7) & 0xf) === 14 && (crm & 0xc) === 8);
}

/**
 * What an EL0 MRS (`read`) or MSR of PMU register `key` does under PMUSERENR_EL0 = `userenr`: 'ok', 'trap' (to
 * EL1, EC 0x18) or 'undef'. EL1-only registers (PMINTENSET/CLR_EL1, PMMIR_EL1) and an MSR of PMUSERENR_EL0 are
 * UNDEFINED at EL0; PMUSERENR_EL0 is always readable; otherwise EN allows everything, SW also PMSWINC_EL0, CR
 * reads of PMCCNTR_EL0, ER reads of the event counters and accesses to PMSELR_EL0.
 */
export function pmuEl0Access(key: number, read: boolean, userenr: number): 'ok' | 'trap' | 'undef' {
  if (key === PmuKey.PMINTENSET_EL1 || key === PmuKey.PMINTENCLR_EL1 || key === PmuKey.PMMIR_EL1) return 'undef';
  if (key === PmuKey.PMUSERENR_EL0) return read ? 'ok' : 'undef';
  if ((userenr & PMUSERENR.EN) !== 0) return 'ok';
  if (key === PmuKey.PMSWINC_EL0 && !read) return (userenr & PMUSERENR.SW) !== 0 ? 'ok' : 'trap';
  if (key === PmuKey.PMCCNTR_EL0 && read) return (userenr & PMUSERENR.CR) !== 0 ? 'ok' : 'trap';
  if (key === PmuKey.PMSELR_EL0 || (read && isEventCounter(key))) return (userenr & PMUSERENR.ER) !== 0 ? 'ok' : 'trap';
  return 'trap';
}

/** The value {@link PmuPort.write} returns. */
export const PmuWrite = {
  /** The port has no such writable register: the MSR is UNDEFINED. */
  Undefined: 0,
  /** Done. */
  Done: 1,
  /** Done, and the run ends after this MSR (the counting set-up changed: the caller bounds the next run anew). */
  EndRun: 2,
} as const;
export type PmuWriteResult = (typeof PmuWrite)[keyof typeof PmuWrite];

/** Read PMUSERENR_EL0 through the port (0 when the port does not have it). */
export function pmuUserEnable(port: PmuPort): number {
  return Number(port.read(PmuKey.PMUSERENR_EL0) ?? 0n);
}
