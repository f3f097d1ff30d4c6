/**
 * The system register file: one table that names every register the model implements, with its MRS/MSR encoding,
 * the lowest exception level that may access it, its reset value and the access rules MRS/MSR enforce (traps to
 * EL1 and EL2, the feature it belongs to). Values live in one BigUint64Array indexed by the `SysReg` ids, so hot
 * paths read `cpu.sys[SysReg.SCTLR_EL1]` without a lookup.
 *
 * EL2 registers are state of the (host) hypervisor: guest code at EL1/EL0 cannot reach them (UNDEF), the hypervisor
 * reads and writes them directly.
 *
 * Rules that are not per register (implemented by the MRS/MSR handler, insn/branches-exceptions-system-sysreg.ts):
 * - An encoding not in this table is UNDEFINED, except the ID register space op0=3, op1=0, CRn=0, CRm=1..7, which
 *   reads as zero at EL1 when unassigned (Arm ARM: reserved ID encodings are RAZ); MSR there is UNDEFINED.
 * - HCR_EL2.TID3 traps reads of the whole ID space to EL2; HCR_EL2.TIDCP traps EL1 accesses to the
 *   IMPLEMENTATION DEFINED encodings (op0=3, CRn=11 or 15), which are otherwise UNDEFINED (none is implemented).
 * - `live` registers are not held in `cpu.sys`: their value is CPU state (PSTATE fields, SP_EL0) or computed on
 *   access (counters, CCSIDR_EL1, DCZID_EL0.DZP, MIDR/MPIDR from VPIDR_EL2/VMPIDR_EL2). Their slot is unused.
 *
 * Decisions for registers Linux touches that the model has no hardware for:
 * - PMU: not in this table. Without `cpu.pmuPort` ID_AA64DFR0_EL1.PMUVer = 0 and every PMU register is UNDEFINED
 *   (Linux checks PMUVer before touching them); with one (kvm-core's PMU, which also sets PMUVer) MRS/MSR of the
 *   PMU's encodings go to the port, EL0 accesses after PMUSERENR_EL0's checks (pmu-regs.ts).
 * - Debug: the OS lock (OSLAR/OSLSR/OSDLR), MDSCR_EL1, six breakpoint and four watchpoint register pairs, the
 *   claim tags, MDRAR and DBGAUTHSTATUS exist with their architectural read/write behaviour; breakpoints,
 *   watchpoints and software step fire as debug exceptions to EL1 (debug.ts), or to EL2 with `cpu.hostDebug` (the
 *   model of MDCR_EL2.TDE); MDCR_EL2's register access traps (TDA, TDOSA) are not modelled.
 * - Generic timer: the registers exist and CTL.ISTATUS is computed; the count comes from `cpu.counterPort`
 *   (ports.ts CounterPort: kvm-core's VM clock at CNTFRQ_EL0, 1 GHz) or, without one, is `cpu.insnCount` (one tick
 *   per retired instruction, see `counterTicks`). The CPU raises no timer interrupt itself: the port's owner
 *   (kvm-core's timer.ts) computes the timers' outputs and drives the interrupt controller; an MSR to a timer's
 *   CTL/CVAL/TVAL tells the port (`timerWritten`), which may end the run there (Stop.TimerWrite).
 * - GIC system registers (ICC_*): not in this table. ID_AA64PFR0_EL1.GIC = 0 here and they are UNDEFINED, unless
 *   the layer above implements them through `cpu.sysRegPort` (ports.ts): kvm-core does for a VM with a vGICv3,
 *   and sets GIC = 1 then.
 * - FEAT_LOR with no LORegions (LORID_EL1 = 0): LORSA/LOREA/LORN/LORC_EL1 read as zero and ignore writes, as QEMU
 *   implements them; HCR_EL2.TLOR traps all five to EL2.
 * - FPCR and FPSR live in the state block (cpu.fpcr, cpu.fpsr); MRS/MSR of them check CPACR_EL1.FPEN as every
 *   SIMD&FP instruction does (fpsimd/access.ts). FPCR stores AHP, DN, FZ, RMode, FZ16 and the AArch32-only Len and
 *   Stride (bits [26:16], as QEMU 10 `-cpu max` keeps them); FPSR stores NZCV, QC, IDC and the five cumulative flags.
 * - SVE, SME, PAuth keys, RAS error records, AMU, SPE, trace: not implemented, so
 *   UNDEFINED.
 */
import { IMPL } from './impl-defined.js';

/** Features a register can depend on: keys of `FEAT` in impl-defined.ts. */
export type SysRegFeature = 'PAN' | 'UAO' | 'LOR' | 'DIT' | 'SSBS2' | 'MTE' | 'MTE2';

/** An EL0 access is trapped to EL1 (EC 0x18) unless `reg & mask` is non-zero. */
export interface El0Gate {
  readonly reg: 'SCTLR_EL1' | 'CNTKCTL_EL1';
  readonly mask: bigint;
}

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
  /** MSR at EL0 is UNDEF (TPIDRRO_EL0). */
  readonly el0ReadOnly?: boolean;
  /** The register exists only when the ID registers advertise this feature; otherwise its encoding is UNDEFINED. */
  readonly feat?: SysRegFeature;
  /** EL0 accesses are trapped to EL1 unless this control allows them (SCTLR_EL1.UCT, CNTKCTL_EL1.EL0VCTEN, ...). */
  readonly el0Gate?: El0Gate;
  /** EL0/EL1 accesses are trapped to EL2 unless `CNTHCTL_EL2 & mask` is non-zero (EL1PCTEN, EL1PCEN). */
  readonly cnthctlGate?: bigint;
  /** HCR_EL2 bits that trap an MRS of this register from EL0/EL1 to EL2 (EC 0x18). */
  readonly hcrRead?: bigint;
  /** HCR_EL2 bits that trap an MSR of this register from EL0/EL1 to EL2 (EC 0x18). */
  readonly hcrWrite?: bigint;
  /** A write changes translation controls: the handler calls `cpu.mem.controlChanged()`. */
  readonly ctl?: boolean;
  /** The value is not held in `cpu.sys` (see the file comment). */
  readonly live?: boolean;
}

/** HCR_EL2 trap controls the MRS/MSR and system instruction handlers honour. */
export const HCR = {
  /** A virtual SError is pending (taken at EL1/EL0 when PSTATE.A = 0: Cpu.virtualSError). */
  VSE: 1n << 8n,
  TWI: 1n << 13n,
  TWE: 1n << 14n,
  FB: 1n << 9n,
  TID1: 1n << 16n,
  TID2: 1n << 17n,
  TID3: 1n << 18n,
  TSC: 1n << 19n,
  TIDCP: 1n << 20n,
  TACR: 1n << 21n,
  TSW: 1n << 22n,
  TPCP: 1n << 23n,
  TPU: 1n << 24n,
  TTLB: 1n << 25n,
  TVM: 1n << 26n,
  TGE: 1n << 27n,
  TDZ: 1n << 28n,
  HCD: 1n << 29n,
  TRVM: 1n << 30n,
  TLOR: 1n << 35n,
} as const;

/** CPTR_EL2 bits the CPU acts on (HCR_EL2.E2H = 0 format). */
export const CPTR = {
  /** Trap SIMD&FP at EL0 and EL1 to EL2 (EC 0x07), after CPACR_EL1.FPEN's trap to EL1. */
  TFP: 1n << 10n,
} as const;

/** SCTLR_EL1 bits the CPU (not the MMU) acts on. */
export const SCTLR = {
  UMA: 1n << 9n,
  DZE: 1n << 14n,
  UCT: 1n << 15n,
  nTWI: 1n << 16n,
  nTWE: 1n << 18n,
  UCI: 1n << 26n,
} as const;

type Extra = Omit<Partial<SysRegDef>, 'name' | 'op0' | 'op1' | 'crn' | 'crm' | 'op2' | 'minEl' | 'reset'>;

const d = <N extends string>(name: N, op0: number, op1: number, crn: number, crm: number, op2: number,
  minEl: 0 | 1 | 2, reset = 0n, extra: Extra = {}): SysRegDef & { name: N } =>
  ({ name, op0, op1, crn, crm, op2, minEl, reset, ...extra });

const RO = { readOnly: true } as const;
const ID = { readOnly: true, hcrRead: HCR.TID3 } as const;
/** The EL1 virtual memory controls HCR_EL2.TVM (writes) and TRVM (reads) trap. */
const VM = { hcrRead: HCR.TRVM, hcrWrite: HCR.TVM } as const;
const VMCTL = { ...VM, ctl: true } as const;
const LIVE = { live: true } as const;
const LOR_RAZ_WI = { live: true, feat: 'LOR', hcrRead: HCR.TLOR, hcrWrite: HCR.TLOR } as const;
const cntk = (mask: bigint): El0Gate => ({ reg: 'CNTKCTL_EL1', mask });

/** Every implemented system register (and PSTATE access). The position in this list is its id. */
export const SYSREG_DEFS = [
  // Identification (read-only). MIDR/MPIDR read VPIDR_EL2/VMPIDR_EL2 at EL0/EL1 (EL2 is implemented and enabled).
  d('MIDR_EL1', 3, 0, 0, 0, 0, 1, IMPL.MIDR_EL1, { ...RO, live: true }),
  d('MPIDR_EL1', 3, 0, 0, 0, 5, 1, IMPL.MPIDR_EL1, { ...RO, live: true }),
  d('REVIDR_EL1', 3, 0, 0, 0, 6, 1, IMPL.REVIDR_EL1, { ...RO, hcrRead: HCR.TID1 }),
  d('AIDR_EL1', 3, 1, 0, 0, 7, 1, IMPL.AIDR_EL1, { ...RO, hcrRead: HCR.TID1 }),
  d('ID_AA64PFR0_EL1', 3, 0, 0, 4, 0, 1, IMPL.ID_AA64PFR0_EL1, ID),
  d('ID_AA64PFR1_EL1', 3, 0, 0, 4, 1, 1, IMPL.ID_AA64PFR1_EL1, ID),
  d('ID_AA64DFR0_EL1', 3, 0, 0, 5, 0, 1, IMPL.ID_AA64DFR0_EL1, ID),
  d('ID_AA64ISAR0_EL1', 3, 0, 0, 6, 0, 1, IMPL.ID_AA64ISAR0_EL1, ID),
  d('ID_AA64ISAR1_EL1', 3, 0, 0, 6, 1, 1, IMPL.ID_AA64ISAR1_EL1, ID),
  d('ID_AA64ISAR2_EL1', 3, 0, 0, 6, 2, 1, IMPL.ID_AA64ISAR2_EL1, ID),
  d('ID_AA64MMFR0_EL1', 3, 0, 0, 7, 0, 1, IMPL.ID_AA64MMFR0_EL1, ID),
  d('ID_AA64MMFR1_EL1', 3, 0, 0, 7, 1, 1, IMPL.ID_AA64MMFR1_EL1, ID),
  d('ID_AA64MMFR2_EL1', 3, 0, 0, 7, 2, 1, IMPL.ID_AA64MMFR2_EL1, ID),
  d('CTR_EL0', 3, 3, 0, 0, 1, 0, IMPL.CTR_EL0, { ...RO, hcrRead: HCR.TID2, el0Gate: { reg: 'SCTLR_EL1', mask: SCTLR.UCT } }),
  d('DCZID_EL0', 3, 3, 0, 0, 7, 0, IMPL.DCZID_EL0, { ...RO, live: true }),
  /** HCR_EL2.TID5 (bit 58) traps reads to EL2. */
  d('GMID_EL1', 3, 1, 0, 0, 4, 1, IMPL.GMID_EL1, { ...RO, feat: 'MTE2', hcrRead: 1n << 58n }),
  d('CLIDR_EL1', 3, 1, 0, 0, 1, 1, IMPL.CLIDR_EL1, { ...RO, hcrRead: HCR.TID2 }),
  d('CCSIDR_EL1', 3, 1, 0, 0, 0, 1, 0n, { ...RO, hcrRead: HCR.TID2, live: true }),
  d('CSSELR_EL1', 3, 2, 0, 0, 0, 1, 0n, { hcrRead: HCR.TID2, hcrWrite: HCR.TID2 }),
  // EL1 control and translation.
  d('SCTLR_EL1', 3, 0, 1, 0, 0, 1, IMPL.SCTLR_EL1_RESET, VMCTL),
  d('ACTLR_EL1', 3, 0, 1, 0, 1, 1, 0n, { hcrRead: HCR.TACR, hcrWrite: HCR.TACR }),
  d('CPACR_EL1', 3, 0, 1, 0, 2, 1),
  d('TTBR0_EL1', 3, 0, 2, 0, 0, 1, 0n, VMCTL),
  d('TTBR1_EL1', 3, 0, 2, 0, 1, 1, 0n, VMCTL),
  d('TCR_EL1', 3, 0, 2, 0, 2, 1, 0n, VMCTL),
  d('MAIR_EL1', 3, 0, 10, 2, 0, 1, 0n, VMCTL),
  d('AMAIR_EL1', 3, 0, 10, 3, 0, 1, 0n, VM),
  d('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 1, 0n, VM),
  // LORegions (FEAT_LOR), none implemented: the four controls read as zero and ignore writes (live: no state).
  d('LORSA_EL1', 3, 0, 10, 4, 0, 1, 0n, LOR_RAZ_WI),
  d('LOREA_EL1', 3, 0, 10, 4, 1, 1, 0n, LOR_RAZ_WI),
  d('LORN_EL1', 3, 0, 10, 4, 2, 1, 0n, LOR_RAZ_WI),
  d('LORC_EL1', 3, 0, 10, 4, 3, 1, 0n, LOR_RAZ_WI),
  d('LORID_EL1', 3, 0, 10, 4, 7, 1, 0n, { ...RO, feat: 'LOR', hcrRead: HCR.TLOR }),
  // Exception handling.
  d('VBAR_EL1', 3, 0, 12, 0, 0, 1),
  d('ESR_EL1', 3, 0, 5, 2, 0, 1, 0n, VM),
  d('FAR_EL1', 3, 0, 6, 0, 0, 1, 0n, VM),
  d('AFSR0_EL1', 3, 0, 5, 1, 0, 1, 0n, VM),
  d('AFSR1_EL1', 3, 0, 5, 1, 1, 1, 0n, VM),
  d('PAR_EL1', 3, 0, 7, 4, 0, 1),
  d('ELR_EL1', 3, 0, 4, 0, 1, 1),
  d('SPSR_EL1', 3, 0, 4, 0, 0, 1),
  /** Lives in `cpu.spEl[0]`; UNDEFINED while PSTATE.SP = 0. */
  d('SP_EL0', 3, 0, 4, 1, 0, 1, 0n, LIVE),
  // PSTATE fields (live: the value is in the Cpu's PSTATE members).
  d('NZCV', 3, 3, 4, 2, 0, 0, 0n, LIVE),
  d('DAIF', 3, 3, 4, 2, 1, 0, 0n, { live: true, el0Gate: { reg: 'SCTLR_EL1', mask: SCTLR.UMA } }),
  d('CurrentEL', 3, 0, 4, 2, 2, 1, 0n, { live: true, readOnly: true }),
  d('SPSel', 3, 0, 4, 2, 0, 1, 0n, LIVE),
  d('PAN', 3, 0, 4, 2, 3, 1, 0n, { live: true, feat: 'PAN' }),
  d('UAO', 3, 0, 4, 2, 4, 1, 0n, { live: true, feat: 'UAO' }),
  d('DIT', 3, 3, 4, 2, 5, 0, 0n, { live: true, feat: 'DIT' }),
  d('SSBS', 3, 3, 4, 2, 6, 0, 0n, { live: true, feat: 'SSBS2' }),
  // SIMD&FP control and status (live: in the state block's FPCR/FPSR words); CPACR_EL1.FPEN traps them.
  d('FPCR', 3, 3, 4, 4, 0, 0, 0n, LIVE),
  d('FPSR', 3, 3, 4, 4, 1, 0, 0n, LIVE),
  d('TCO', 3, 3, 4, 2, 7, 0, 0n, { live: true, feat: 'MTE' }),
  // Thread and software registers.
  d('TPIDR_EL0', 3, 3, 13, 0, 2, 0),
  d('TPIDRRO_EL0', 3, 3, 13, 0, 3, 0, 0n, { el0ReadOnly: true }),
  d('TPIDR_EL1', 3, 0, 13, 0, 4, 1),
  // Generic timer. The count is computed (see counterTicks); the interrupts are the counter port owner's.
  d('CNTKCTL_EL1', 3, 0, 14, 1, 0, 1),
  /** Writable only at the highest implemented EL (EL2, the host). */
  d('CNTFRQ_EL0', 3, 3, 14, 0, 0, 0, IMPL.CNTFRQ_EL0, { readOnly: true, el0Gate: cntk(0b11n) }),
  d('CNTPCT_EL0', 3, 3, 14, 0, 1, 0, 0n, { readOnly: true, live: true, el0Gate: cntk(0b01n), cnthctlGate: 0b01n }),
  d('CNTVCT_EL0', 3, 3, 14, 0, 2, 0, 0n, { readOnly: true, live: true, el0Gate: cntk(0b10n) }),
  d('CNTP_TVAL_EL0', 3, 3, 14, 2, 0, 0, 0n, { live: true, el0Gate: cntk(1n << 9n), cnthctlGate: 0b10n }),
  d('CNTP_CTL_EL0', 3, 3, 14, 2, 1, 0, 0n, { live: true, el0Gate: cntk(1n << 9n), cnthctlGate: 0b10n }),
  d('CNTP_CVAL_EL0', 3, 3, 14, 2, 2, 0, 0n, { el0Gate: cntk(1n << 9n), cnthctlGate: 0b10n }),
  d('CNTV_TVAL_EL0', 3, 3, 14, 3, 0, 0, 0n, { live: true, el0Gate: cntk(1n << 8n) }),
  d('CNTV_CTL_EL0', 3, 3, 14, 3, 1, 0, 0n, { live: true, el0Gate: cntk(1n << 8n) }),
  d('CNTV_CVAL_EL0', 3, 3, 14, 3, 2, 0, 0n, { el0Gate: cntk(1n << 8n) }),
  // Self-hosted debug (debug.ts): six breakpoint and four watchpoint register pairs (ID_AA64DFR0_EL1.BRPs/WRPs).
  d('MDSCR_EL1', 2, 0, 0, 2, 2, 1),
  d('MDCCINT_EL1', 2, 0, 0, 2, 0, 1),
  d('MDRAR_EL1', 2, 0, 1, 0, 0, 1, 0n, RO),
  d('OSLAR_EL1', 2, 0, 1, 0, 4, 1, 0n, { writeOnly: true, live: true }),
  d('OSLSR_EL1', 2, 0, 1, 1, 4, 1, IMPL.OSLSR_EL1_RESET, RO),
  d('OSDLR_EL1', 2, 0, 1, 3, 4, 1),
  d('DBGPRCR_EL1', 2, 0, 1, 4, 4, 1),
  d('DBGBVR0_EL1', 2, 0, 0, 0, 4, 1),
  d('DBGBCR0_EL1', 2, 0, 0, 0, 5, 1),
  d('DBGWVR0_EL1', 2, 0, 0, 0, 6, 1),
  d('DBGWCR0_EL1', 2, 0, 0, 0, 7, 1),
  d('DBGBVR1_EL1', 2, 0, 0, 1, 4, 1),
  d('DBGBCR1_EL1', 2, 0, 0, 1, 5, 1),
  d('DBGWVR1_EL1', 2, 0, 0, 1, 6, 1),
  d('DBGWCR1_EL1', 2, 0, 0, 1, 7, 1),
  d('DBGBVR2_EL1', 2, 0, 0, 2, 4, 1),
  d('DBGBCR2_EL1', 2, 0, 0, 2, 5, 1),
  d('DBGWVR2_EL1', 2, 0, 0, 2, 6, 1),
  d('DBGWCR2_EL1', 2, 0, 0, 2, 7, 1),
  d('DBGBVR3_EL1', 2, 0, 0, 3, 4, 1),
  d('DBGBCR3_EL1', 2, 0, 0, 3, 5, 1),
  d('DBGWVR3_EL1', 2, 0, 0, 3, 6, 1),
  d('DBGWCR3_EL1', 2, 0, 0, 3, 7, 1),
  d('DBGBVR4_EL1', 2, 0, 0, 4, 4, 1),
  d('DBGBCR4_EL1', 2, 0, 0, 4, 5, 1),
  d('DBGBVR5_EL1', 2, 0, 0, 5, 4, 1),
  d('DBGBCR5_EL1', 2, 0, 0, 5, 5, 1),
  /** Reads the implemented claim bits (0xff); a write sets claim bits, held in DBGCLAIMCLR_EL1. */
  d('DBGCLAIMSET_EL1', 2, 0, 7, 8, 6, 1, 0n, LIVE),
  /** Reads the claim tag; a write clears claim bits. */
  d('DBGCLAIMCLR_EL1', 2, 0, 7, 9, 6, 1),
  d('DBGAUTHSTATUS_EL1', 2, 0, 7, 14, 6, 1, IMPL.DBGAUTHSTATUS_EL1, RO),
  // MTE: present when this CPU's ID_AA64PFR1_EL1.MTE >= 2 (checked per CPU at run time, see mte.ts); at EL1 an
  // access traps to EL2 when HCR_EL2.ATA = 0 (the MRS/MSR handler's ataTrap rule).
  d('GCR_EL1', 3, 0, 1, 0, 6, 1, 0n, { feat: 'MTE2' }),
  d('RGSR_EL1', 3, 0, 1, 0, 5, 1, 0n, { feat: 'MTE2' }),
  d('TFSR_EL1', 3, 0, 5, 6, 0, 1, 0n, { feat: 'MTE2' }),
  d('TFSRE0_EL1', 3, 0, 5, 6, 1, 1, 0n, { feat: 'MTE2' }),
  // EL2: the hypervisor's controls. Not reachable from the guest.
  d('HCR_EL2', 3, 4, 1, 1, 0, 2),
  d('VTCR_EL2', 3, 4, 2, 1, 2, 2),
  d('VTTBR_EL2', 3, 4, 2, 1, 0, 2),
  /** What MPIDR_EL1 reads at EL0/EL1. Architecturally UNKNOWN at reset; reset to MPIDR_EL1 here. */
  d('VMPIDR_EL2', 3, 4, 0, 0, 5, 2, IMPL.MPIDR_EL1),
  /** What MIDR_EL1 reads at EL0/EL1. Architecturally UNKNOWN at reset; reset to MIDR_EL1 here. */
  d('VPIDR_EL2', 3, 4, 0, 0, 0, 2, IMPL.MIDR_EL1),
  d('TFSR_EL2', 3, 4, 5, 6, 0, 2),
  d('CNTHCTL_EL2', 3, 4, 14, 1, 0, 2, IMPL.CNTHCTL_EL2_RESET),
  d('CNTVOFF_EL2', 3, 4, 14, 0, 3, 2),
  /**
   * The hypervisor's trap of SIMD&FP (HCR_EL2.E2H = 0 format): TFP [10] traps every SIMD&FP instruction and MRS/MSR
   * of FPCR/FPSR at EL0 and EL1 to EL2 (fpsimd/access.ts). Reset: the RES1 bits [13:12], [9:0] (no SVE, no SME).
   */
  d('CPTR_EL2', 3, 4, 1, 1, 2, 2, IMPL.CPTR_EL2_RESET),
] as const satisfies readonly SysRegDef[];

type Names = (typeof SYSREG_DEFS)[number]['name'];

/** Register ids: `cpu.sys[SysReg.SCTLR_EL1]`. */
export const SysReg = Object.fromEntries(SYSREG_DEFS.map((r, i) => [r.name, i])) as { readonly [K in Names]: number };

/** The key MRS/MSR use to find a register: op0:op1:CRn:CRm:op2 packed as in the instruction's bits [20:5]. */
export function sysRegKey(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

/** key → id + 1 (0: not implemented); a flat array because MRS/MSR look registers up on every execution. */
const byKey = new Uint16Array(1 << 16);
SYSREG_DEFS.forEach((r, i) => {
  const k = sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2);
  if (byKey[k] !== 0) throw new Error(`system register ${r.name} reuses the encoding of ${SYSREG_DEFS[byKey[k]! - 1]!.name}`);
  byKey[k] = i + 1;
});

/** The id of the register with this encoding key, or -1 if the model does not implement it. */
export function sysRegByKey(key: number): number {
  return byKey[key & 0xffff]! - 1;
}

/** The key lies in the ID register space op0=3, op1=0, CRn=0, CRm=1..7 (unassigned encodings read as zero). */
export function isIdSpaceKey(key: number): boolean {
  const crm = (key >> 3) & 0xf;
  return key >> 7 === 3 << 7 && crm >= 1 && crm <= 7;
}

/** How many system registers the file holds (the length of `cpu.sys`). */
export const SYSREG_COUNT = SYSREG_DEFS.length;

/** Put every register of `regs` (a file of {@link SYSREG_COUNT} slots, e.g. a CPU state block's) at its reset value. */
export function resetSysRegFile(regs: BigUint64Array): BigUint64Array {
  SYSREG_DEFS.forEach((r, i) => (regs[i] = r.reset));
  return regs;
}

/** A fresh system register file at reset values, outside any CPU (tests, tools). */
export function newSysRegFile(): BigUint64Array {
  return resetSysRegFile(new BigUint64Array(SYSREG_COUNT));
}
