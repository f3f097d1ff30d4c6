/**
 * FEAT_MTE, FEAT_MTE2, FEAT_MTE3: the CPU-side controls of the Memory Tagging Extension.
 *
 * The feature level is ID_AA64PFR1_EL1.MTE of each CPU (`cpu.sys[SysReg.ID_AA64PFR1_EL1]` bits [11:8]): 0 none,
 * 1 FEAT_MTE (the EL0 instructions only, no tag storage, PSTATE.TCO RAZ/WI), 2 FEAT_MTE2 (tag storage, tag checks,
 * GCR/RGSR/TFSR/TFSRE0/GMID, LDGM/STGM/STZGM, DC GVA/GZVA), 3 FEAT_MTE3 (adds the asymmetric mode TCF = 3).
 * The default is 3 (impl-defined.ts); `new Cpu(mem, { mte })` or {@link setMteLevel} change it per CPU, and a
 * hypervisor may write the ID register directly (kvm-core clears the field for VMs without MTE): every MTE
 * behaviour reads the level from the register, never from a global.
 *
 * Functions here are called by the MMU on every tag-checked access ({@link tagCheckMode}), so the control bits they
 * need are cached per CPU and revalidated against the raw register values (ID_AA64PFR1_EL1, SCTLR_EL1, TCR_EL1,
 * HCR_EL2) with four BigInt comparisons: no caller has to remember to invalidate anything.
 *
 * Model simplifications:
 * - There is no EL3 (SCR_EL3.ATA does not exist) and EL2 is always enabled with E2H = TGE = 0, so HCR_EL2.ATA
 *   always participates in AllocationTagAccessIsEnabled.
 * - Asynchronous tag check faults are recorded in TFSR_EL1/TFSRE0_EL1 at the moment of the access
 *   ({@link recordAsyncTagFault}), so they are already visible at every synchronisation point the architecture
 *   defines (DSB, exception entry with SCTLR_EL1.ITFSB = 1): ITFSB needs no action in this model.
 */
import type { Cpu } from './cpu.js';
import { Acc } from './ports.js';
import { sysWord } from './state-layout.js';
import { SysReg } from './sysregs.js';

/** ID_AA64PFR1_EL1.MTE [11:8] and MTE_frac [43:40]. */
export const PFR1_MTE_SHIFT = 8n;
export const PFR1_MTE_FRAC_SHIFT = 40n;
const PFR1_MTE_FIELDS = (0xfn << PFR1_MTE_SHIFT) | (0xfn << PFR1_MTE_FRAC_SHIFT);

/** HCR_EL2.ATA, SCTLR_EL1 and TCR_EL1 bits MTE uses. */
export const MTE_BITS = {
  HCR_ATA: 1n << 56n,
  SCTLR_ITFSB: 1n << 37n,
  SCTLR_ATA0: 1n << 42n,
  SCTLR_ATA: 1n << 43n,
  TCR_TBI0: 1n << 37n,
  TCR_TBI1: 1n << 38n,
  TCR_TCMA0: 1n << 57n,
  TCR_TCMA1: 1n << 58n,
} as const;

/** Tag check modes returned by {@link tagCheckMode}. */
export const TagCheck = {
  /** The access is not tag checked. */
  None: 0,
  /** A mismatch is a synchronous Data Abort (DFSC 0x11). */
  Sync: 1,
  /** A mismatch is recorded with {@link recordAsyncTagFault}; no exception. */
  Async: 2,
} as const;

/** ID_AA64PFR1_EL1.MTE of this CPU: 0..3. */
export function mteLevel(cpu: Cpu): number {
  return (cpu.st32[W_PFR1_LO]! >>> 8) & 0xf; // PFR1_MTE_SHIFT, in the low half in the state block: no BigInt
}

/**
 * Set this CPU's MTE level (0..3) in ID_AA64PFR1_EL1. MTE_frac [43:40] is 0 (asynchronous tag check faults are
 * supported; the field is RES0 below FEAT_MTE2). Call before running the CPU: the level is an ID register value.
 */
export function setMteLevel(cpu: Cpu, level: number): void {
  if (!Number.isInteger(level) || level < 0 || level > 3) throw new RangeError(`MTE level must be 0..3, got ${level}`);
  const v = cpu.sys[SysReg.ID_AA64PFR1_EL1]! & ~PFR1_MTE_FIELDS;
  cpu.sys[SysReg.ID_AA64PFR1_EL1] = v | (BigInt(level) << PFR1_MTE_SHIFT);
  cpu.mem.controlChanged();
}

/**
 * The cached control bits of one CPU (`cpu.mteControls`), derived from the raw register values in the key fields.
 * @internal (cpu.ts creates one per CPU)
 */
export class MteControls {
  pfr1 = -1n;
  sctlr = -1n;
  tcr = -1n;
  hcr = -1n;
  level = 0;
  /** AllocationTagAccessIsEnabled(EL0), (EL1). */
  ata0 = false;
  ata1 = false;
  /** Effective TCF for EL0 / EL1 accesses: 0 when checks cannot happen at all (no MTE2, tag access disabled). */
  tcf0 = 0;
  tcf1 = 0;
  tbi0 = false;
  tbi1 = false;
  tcma0 = false;
  tcma1 = false;

  /** Forget the derived bits: the next use recomputes them (no register value equals the key -1n). */
  invalidate(): void {
    this.pfr1 = -1n;
  }
}

/** The CPU's MTE controls, recomputed when any of the four source registers changed. */
function controls(cpu: Cpu): MteControls {
  const c = cpu.mteControls;
  const s = cpu.sys;
  const pfr1 = s[SysReg.ID_AA64PFR1_EL1]!;
  const sctlr = s[SysReg.SCTLR_EL1]!;
  const tcr = s[SysReg.TCR_EL1]!;
  const hcr = s[SysReg.HCR_EL2]!;
  if (c.pfr1 === pfr1 && c.sctlr === sctlr && c.tcr === tcr && c.hcr === hcr) return c;
  c.pfr1 = pfr1;
  c.sctlr = sctlr;
  c.tcr = tcr;
  c.hcr = hcr;
  const level = Number((pfr1 >> PFR1_MTE_SHIFT) & 0xfn);
  c.level = level;
  const hcrAta = (hcr & MTE_BITS.HCR_ATA) !== 0n;
  c.ata0 = level >= 2 && hcrAta && (sctlr & MTE_BITS.SCTLR_ATA0) !== 0n;
  c.ata1 = level >= 2 && hcrAta && (sctlr & MTE_BITS.SCTLR_ATA) !== 0n;
  c.tcf0 = c.ata0 ? effectiveTcf(Number((sctlr >> 38n) & 3n), level) : 0;
  c.tcf1 = c.ata1 ? effectiveTcf(Number((sctlr >> 40n) & 3n), level) : 0;
  c.tbi0 = (tcr & MTE_BITS.TCR_TBI0) !== 0n;
  c.tbi1 = (tcr & MTE_BITS.TCR_TBI1) !== 0n;
  c.tcma0 = (tcr & MTE_BITS.TCR_TCMA0) !== 0n;
  c.tcma1 = (tcr & MTE_BITS.TCR_TCMA1) !== 0n;
  return c;
}

/**
 * The TCF/TCF0 value as the checks use it. TCF = 3 is the asymmetric mode with FEAT_MTE3; with FEAT_MTE2 only it
 * is a reserved value, which the model treats as 0 (no tag check faults): the Arm ARM's rule for a reserved field
 * value is that it behaves as one of the defined values (CONSTRAINED UNPREDICTABLE); "no effect" is the choice that
 * cannot raise an exception software did not ask for.
 */
function effectiveTcf(tcf: number, level: number): number {
  return tcf === 3 && level < 3 ? 0 : tcf;
}

/**
 * AllocationTagAccessIsEnabled(el) for el = 0 or 1: FEAT_MTE2, HCR_EL2.ATA = 1 (EL2 enabled, E2H = TGE = 0, no EL3),
 * and SCTLR_EL1.ATA (EL1) or ATA0 (EL0).
 */
export function tagAccessEnabled(cpu: Cpu, el: number): boolean {
  const c = controls(cpu);
  return el === 0 ? c.ata0 : c.ata1;
}

/**
 * Whether no privileged data access at the current EL can be tag checked whatever PSTATE.TCO: the effective check
 * field of the EL is 0 (TCF0 at EL0, TCF above), or FEAT_MTE2 or tag access is off (see controls). With PSTATE.TCO = 1
 * no access is checked either; the WebAssembly tier asks both at every block entry (its `mode` argument: checks off,
 * and TCF_OFF, which says a write of TCO cannot turn checking on). The unprivileged forms at EL1 (LDTR, STTR and the
 * like), which TCF0 governs, are not covered: the tier never runs them inline. So a kernel running for a process that
 * checks its tags (TCF0 set, TCF 0) keeps its own accesses to Tagged memory inline whatever their tags. Read from the
 * system registers' 32-bit halves in the state block, without BigInt.
 */
export function tagCheckFieldOff(cpu: Cpu): boolean {
  const st = cpu.st32;
  const level = (st[W_PFR1_LO]! >>> 8) & 0xf; // ID_AA64PFR1_EL1.MTE, bits [11:8]
  if (level < 2 || ((st[W_HCR_HI]! >>> 24) & 1) === 0) return true; // HCR_EL2.ATA, bit 56
  const hi = st[W_SCTLR_HI]!; // SCTLR_EL1[63:32]: ATA 43, ATA0 42, TCF 41:40, TCF0 39:38
  if (cpu.el === 0) return ((hi >>> 10) & 1) === 0 || effectiveTcf((hi >>> 6) & 3, level) === 0;
  return ((hi >>> 11) & 1) === 0 || effectiveTcf((hi >>> 8) & 3, level) === 0;
}

// The 32-bit words of the state block tagCheckFieldOff and mteLevel read (sysWord; + 1 for bits [63:32]).
const W_PFR1_LO = sysWord(SysReg.ID_AA64PFR1_EL1);
const W_HCR_HI = sysWord(SysReg.HCR_EL2) + 1;
const W_SCTLR_HI = sysWord(SysReg.SCTLR_EL1) + 1;

/**
 * How a data access to `va` with these {@link Acc} flags is tag checked: {@link TagCheck}.None (0),
 * Sync (1) or Async (2). The access is checked only if the instruction marks it Acc.TagChecked, FEAT_MTE2, tag
 * access is enabled for the access's EL (EL0 for Acc.Unpriv or when executing at EL0), TBI is on for the address
 * half (TCR_EL1.TBI0/TBI1 by bit 55), PSTATE.TCO = 0, the pointer is not TCMA-exempt (bits [59:55] all 0 with
 * TCMA0, all 1 with TCMA1) and TCF (EL1) / TCF0 (EL0) is non-zero. TCF = 3 (asymmetric, FEAT_MTE3): reads
 * synchronous, writes (including the write half of an atomic) asynchronous.
 */
export function tagCheckMode(cpu: Cpu, va: bigint, flags: number): number {
  if ((flags & Acc.TagChecked) === 0 || cpu.tco !== 0) return 0;
  const c = controls(cpu);
  const tcf = (flags & Acc.Unpriv) !== 0 || cpu.el === 0 ? c.tcf0 : c.tcf1;
  if (tcf === 0) return 0;
  const top = Number((va >> 55n) & 0x1fn);
  if ((top & 1) === 0) {
    if (!c.tbi0 || (top === 0 && c.tcma0)) return 0;
  } else if (!c.tbi1 || (top === 0x1f && c.tcma1)) return 0;
  if (tcf === 3) return (flags & Acc.Write) !== 0 ? TagCheck.Async : TagCheck.Sync;
  return tcf;
}

/**
 * Record an asynchronous tag check fault (AArch64.ReportTagCheckFault): TFSRE0_EL1 for an EL0 access (executing at
 * EL0, or an unprivileged LDTR/STTR-type access at EL1, whose checks follow the EL0 controls), else TFSR_EL1;
 * bit TF0 (bit 0) when address bit 55 is 0, TF1 (bit 1) when it is 1.
 */
export function recordAsyncTagFault(cpu: Cpu, va: bigint, unpriv: boolean): void {
  const id = unpriv || cpu.el === 0 ? SysReg.TFSRE0_EL1 : SysReg.TFSR_EL1;
  cpu.sys[id] = cpu.sys[id]! | (((va >> 55n) & 1n) === 0n ? 1n : 2n);
}

/** The logical (pointer) tag: bits [59:56] of the address. */
export function logicalTag(va: bigint): number {
  return Number((va >> 56n) & 0xfn);
}
