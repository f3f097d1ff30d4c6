/**
 * The system register file: one table that names every register the model implements, with its MRS/MSR encoding,
 * the lowest exception level that may access it, and its reset value. Values live in one BigUint64Array indexed by
 * the `SysReg` ids, so hot paths read `cpu.sys[SysReg.SCTLR_EL1]` without a lookup.
 *
 * EL2 registers are state of the (host) hypervisor: guest code at EL1/EL0 cannot reach them (UNDEF), the hypervisor
 * reads and writes them directly.
 */
import { IMPL } from './impl-defined.js';

export interface SysRegDef {
  readonly name: string;
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  /** Lowest EL allowed to access: 0 (EL0 too), 1, or 2 (host only). */
  readonly minEl: 0 | 1 | 2;
  readonly reset: bigint;
  /** MSR is UNDEF (an ID register, for example). */
  readonly readOnly?: boolean;
  /** MRS is UNDEF. */
  readonly writeOnly?: boolean;
}

const d = <N extends string>(name: N, op0: number, op1: number, crn: number, crm: number, op2: number,
  minEl: 0 | 1 | 2, reset = 0n, extra: Partial<Pick<SysRegDef, 'readOnly' | 'writeOnly'>> = {}): SysRegDef & { name: N } =>
  ({ name, op0, op1, crn, crm, op2, minEl, reset, ...extra });

/** Every implemented system register. The position in this list is its id. */
export const SYSREG_DEFS = [
  // Identification (read-only at EL1).
  d('MIDR_EL1', 3, 0, 0, 0, 0, 1, IMPL.MIDR_EL1, { readOnly: true }),
  d('MPIDR_EL1', 3, 0, 0, 0, 5, 1, 0x8000_0000n, { readOnly: true }),
  d('REVIDR_EL1', 3, 0, 0, 0, 6, 1, 0n, { readOnly: true }),
  d('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 1, IMPL.ID_AA64PFR0_EL1, { readOnly: true }),
  d('ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, 1, IMPL.ID_AA64PFR1_EL1, { readOnly: true }),
  d('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 1, IMPL.ID_AA64DFR0_EL1, { readOnly: true }),
  d('ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, 1, IMPL.ID_AA64ISAR0_EL1, { readOnly: true }),
  d('ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, 1, IMPL.ID_AA64ISAR1_EL1, { readOnly: true }),
  d('ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, 1, IMPL.ID_AA64MMFR0_EL1, { readOnly: true }),
  d('ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, 1, IMPL.ID_AA64MMFR1_EL1, { readOnly: true }),
  d('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 1, IMPL.ID_AA64MMFR2_EL1, { readOnly: true }),
  d('CTR_EL0', 3, 3, 0, 0, 1, 0, IMPL.CTR_EL0, { readOnly: true }),
  d('DCZID_EL0', 3, 3, 0, 0, 7, 0, IMPL.DCZID_EL0, { readOnly: true }),
  d('GMID_EL1', 3, 1, 0, 0, 4, 1, IMPL.GMID_EL1, { readOnly: true }),
  // EL1 control and translation.
  d('SCTLR_EL1', 3, 0, 1, 0, 0, 1, IMPL.SCTLR_EL1_RESET),
  d('ACTLR_EL1', 3, 0, 1, 0, 1, 1),
  d('CPACR_EL1', 3, 0, 1, 0, 2, 1),
  d('TTBR0_EL1', 3, 0, 2, 0, 0, 1),
  d('TTBR1_EL1', 3, 0, 2, 0, 1, 1),
  d('TCR_EL1', 3, 0, 2, 0, 2, 1),
  d('MAIR_EL1', 3, 0, 10, 2, 0, 1),
  d('AMAIR_EL1', 3, 0, 10, 3, 0, 1),
  d('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 1),
  // Exception handling.
  d('VBAR_EL1', 3, 0, 12, 0, 0, 1),
  d('ESR_EL1', 3, 0, 5, 2, 0, 1),
  d('FAR_EL1', 3, 0, 6, 0, 0, 1),
  d('AFSR0_EL1', 3, 0, 5, 1, 0, 1),
  d('AFSR1_EL1', 3, 0, 5, 1, 1, 1),
  d('PAR_EL1', 3, 0, 7, 4, 0, 1),
  d('ELR_EL1', 3, 0, 4, 0, 1, 1),
  d('SPSR_EL1', 3, 0, 4, 0, 0, 1),
  d('SP_EL0', 3, 0, 4, 1, 0, 1),
  // Thread and software registers.
  d('TPIDR_EL0', 3, 3, 13, 0, 2, 0),
  d('TPIDRRO_EL0', 3, 3, 13, 0, 3, 0),
  d('TPIDR_EL1', 3, 0, 13, 0, 4, 1),
  d('CNTKCTL_EL1', 3, 0, 14, 1, 0, 1),
  d('MDSCR_EL1', 2, 0, 0, 2, 2, 1),
  // MTE (behaviour gated by the MTE issue).
  d('GCR_EL1', 3, 0, 1, 0, 6, 1),
  d('RGSR_EL1', 3, 0, 1, 0, 5, 1),
  d('TFSR_EL1', 3, 0, 5, 6, 0, 1),
  d('TFSRE0_EL1', 3, 0, 5, 6, 1, 1),
  // EL2: the hypervisor's controls. Not reachable from the guest.
  d('HCR_EL2', 3, 4, 1, 1, 0, 2),
  d('VTCR_EL2', 3, 4, 2, 1, 2, 2),
  d('VTTBR_EL2', 3, 4, 2, 1, 0, 2),
  d('VMPIDR_EL2', 3, 4, 0, 0, 5, 2),
  d('VPIDR_EL2', 3, 4, 0, 0, 0, 2),
  d('TFSR_EL2', 3, 4, 5, 6, 0, 2),
] as const satisfies readonly SysRegDef[];

type Names = (typeof SYSREG_DEFS)[number]['name'];

/** Register ids: `cpu.sys[SysReg.SCTLR_EL1]`. */
export const SysReg = Object.fromEntries(SYSREG_DEFS.map((r, i) => [r.name, i])) as { readonly [K in Names]: number };

/** The key MRS/MSR use to find a register: op0:op1:CRn:CRm:op2 packed as in the instruction's bits [20:5]. */
export function sysRegKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

const byKey = new Map<number, number>(SYSREG_DEFS.map((r, i) => [sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2), i]));

/** The id of the register with this encoding key, or -1 if the model does not implement it. */
export function sysRegByKey(key: number): number {
  return byKey.get(key) ?? -1;
}

export function newSysRegFile(): BigUint64Array {
  const regs = new BigUint64Array(SYSREG_DEFS.length);
  SYSREG_DEFS.forEach((r, i) => (regs[i] = r.reset));
  return regs;
}
