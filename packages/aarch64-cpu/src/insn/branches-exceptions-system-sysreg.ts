/**
 * MRS, MSR (register) and MSR (immediate): the system register moves and PSTATE writes of the "System register
 * move" and "PSTATE" classes. The registers, their access levels and trap controls are data in sysregs.ts; this
 * file applies the checks in the Arm ARM's order and reads or writes the value.
 *
 * Access check order (as the per-register pseudocode does it):
 *   1. encoding not implemented → UNDEFINED (the ID space reads as zero at EL1; at EL1 the layer above's
 *      `cpu.sysRegPort` is asked first, kvm-core's ICC_* registers; HCR_EL2.TIDCP traps EL1 accesses to the
 *      IMPLEMENTATION DEFINED encodings); the PMU's encodings go to `cpu.pmuPort` when there is one, at EL0 after
 *      PMUSERENR_EL0's checks (pmu-regs.ts: UNDEFINED or trapped to EL1), else are UNDEFINED;
 *   2. below the register's minimum EL, feature not advertised, MSR of a read-only or MRS of a write-only register,
 *      SP_EL0 while PSTATE.SP = 0 → UNDEFINED;
 *   3. at EL0, an EL0 enable in SCTLR_EL1/CNTKCTL_EL1 clear → trapped to EL1 (EC 0x18);
 *   4. an HCR_EL2 trap bit (TID1/2/3, TACR, TVM, TRVM) or CNTHCTL_EL2 enable → trapped to EL2 (EC 0x18).
 */
import type { Cpu } from '../cpu.js';
import { FEAT, IMPL } from '../impl-defined.js';
import { MTE_BITS, mteLevel } from '../mte.js';
import { HCR, isIdSpaceKey, SCTLR, SYSREG_DEFS, SysReg, sysRegByKey, type SysRegDef } from '../sysregs.js';
import { EndRun } from '../exceptions.js';
import { Stop } from '../exits.js';
import { trapSysToEl1, trapSysToEl2, undef } from './branches-exceptions-system-common.js';
import { BVR, DEBUG_CONTROL_REGS, WVR } from '../debug.js';
import { isPmuKey, pmuEl0Access, pmuUserEnable, PmuWrite } from '../pmu-regs.js';
import { checkFpAccess } from '../fpsimd/access.js';
import { FPCR_IMPLEMENTED, FPSR_IMPLEMENTED } from '../fpsimd/fp-status.js';

/**
 * The system counter (the physical count) in ticks: the CPU's counter port's (kvm-core's VM clock, at CNTFRQ_EL0)
 * or, without one, one tick per retired instruction.
 */
export function counterTicks(cpu: Cpu): bigint {
  const port = cpu.counterPort;
  return port === undefined ? BigInt(cpu.insnCount) : port.count();
}

/**
 * The run ends after a timer write when the counter port asks (ports.ts CounterPort.timerWritten), and after a PMU
 * write when the PMU port asks (PmuWrite.EndRun): either way the caller bounds its next run anew.
 */
const END_RUN_AFTER_TIMER_WRITE = new EndRun(Stop.TimerWrite);

/** Whether register `id` is one of the EL1 timers' CTL, CVAL or TVAL (a write may change a deadline). */
function isTimerControl(id: number): boolean {
  return id === SysReg.CNTP_CTL_EL0 || id === SysReg.CNTP_CVAL_EL0 || id === SysReg.CNTP_TVAL_EL0 ||
    id === SysReg.CNTV_CTL_EL0 || id === SysReg.CNTV_CVAL_EL0 || id === SysReg.CNTV_TVAL_EL0;
}

function virtualCount(cpu: Cpu): bigint {
  return BigInt.asUintN(64, counterTicks(cpu) - cpu.sys[SysReg.CNTVOFF_EL2]!);
}

/** Per-register checks flattened for the hot path. */
interface Rule {
  readonly def: SysRegDef;
  readonly feat: boolean;
  /** MTE registers: the minimum ID_AA64PFR1_EL1.MTE of this CPU (per CPU, so checked at run time); 0 otherwise. */
  readonly mteMin: number;
  /** GCR_EL1, RGSR_EL1, TFSR_EL1, TFSRE0_EL1: trapped to EL2 (EC 0x18) when HCR_EL2.ATA = 0. */
  readonly ataTrap: boolean;
  /** FPCR/FPSR: CPACR_EL1.FPEN may trap the access (EC 0x07). */
  readonly fpTrap: boolean;
  readonly el0GateId: number;
  readonly el0GateMask: bigint;
}
const RULES: Rule[] = SYSREG_DEFS.map((def: SysRegDef) => ({
  def,
  feat: def.feat === undefined || def.feat === 'MTE' || def.feat === 'MTE2' ? true : FEAT[def.feat],
  mteMin: def.feat === 'MTE' ? 1 : def.feat === 'MTE2' ? 2 : 0,
  ataTrap: def.name === 'GCR_EL1' || def.name === 'RGSR_EL1' || def.name === 'TFSR_EL1' || def.name === 'TFSRE0_EL1',
  fpTrap: def.name === 'FPCR' || def.name === 'FPSR',
  el0GateId: def.el0Gate ? SysReg[def.el0Gate.reg] : -1,
  el0GateMask: def.el0Gate?.mask ?? 0n,
}));

/** The IMPLEMENTATION DEFINED register and instruction space: op0 = 3 (or 1 for SYS), CRn = 11 or 15. */
export function isImpDefKey(key: number): boolean {
  const op0 = key >> 14;
  const crn = (key >> 7) & 0xf;
  return (op0 === 3 || op0 === 1) && (crn === 11 || crn === 15);
}

/** Encoding not implemented: UNDEFINED, unless HCR_EL2.TIDCP traps it (IMPLEMENTATION DEFINED space, from EL1). */
export function unimplementedSys(cpu: Cpu, key: number, rt: number, read: boolean): never {
  // From EL0 these are UNDEFINED rather than trapped (the Arm ARM leaves that choice IMPLEMENTATION DEFINED).
  if (cpu.el === 1 && isImpDefKey(key) && (cpu.sys[SysReg.HCR_EL2]! & HCR.TIDCP) !== 0n) trapSysToEl2(key, rt, read);
  undef();
}

/** {@link checkAccess}'s answer for an encoding the CPU's table does not have that `cpu.sysRegPort` may implement. */
const PORT_REG = -2;
/** {@link checkAccess}'s answer for a PMU register (pmu-regs.ts) when the CPU has a `pmuPort`, EL0 checks passed. */
const PMU_REG = -3;

/** A PMU register access at EL0: PMUSERENR_EL0's rules (pmu-regs.ts `pmuEl0Access`); UNDEFINED or trapped to EL1. */
function checkPmuEl0(cpu: Cpu, key: number, rt: number, read: boolean): void {
  const r = pmuEl0Access(key, read, pmuUserEnable(cpu.pmuPort!));
  if (r === 'undef') undef();
  if (r === 'trap') trapSysToEl1(key, rt, read);
}

/**
 * Run the access checks; returns the register id, -1 for an unassigned ID-space encoding (reads as zero), or
 * PORT_REG for an encoding outside the table at EL1 when the CPU has a `sysRegPort` (which the caller asks).
 */
function checkAccess(cpu: Cpu, key: number, rt: number, read: boolean): number {
  const el = cpu.el;
  const sys = cpu.sys;
  const id = sysRegByKey(key);
  if (id < 0) {
    if (cpu.pmuPort !== undefined && isPmuKey(key)) {
      if (el === 0) checkPmuEl0(cpu, key, rt, read);
      return PMU_REG;
    }
    if (read && el !== 0 && isIdSpaceKey(key)) {
      if ((sys[SysReg.HCR_EL2]! & HCR.TID3) !== 0n) trapSysToEl2(key, rt, read);
      return -1;
    }
    if (el !== 0 && cpu.sysRegPort !== undefined) return PORT_REG;
    unimplementedSys(cpu, key, rt, read);
  }
  const rule = RULES[id]!;
  const def = rule.def;
  if (el < def.minEl || !rule.feat || (rule.mteMin !== 0 && mteLevel(cpu) < rule.mteMin)) undef();
  if (read ? def.writeOnly : def.readOnly || (el === 0 && def.el0ReadOnly)) undef();
  if (id === SysReg.SP_EL0 && cpu.spsel === 0) undef();
  if (el === 0 && rule.el0GateId >= 0 && (sys[rule.el0GateId]! & rule.el0GateMask) === 0n) trapSysToEl1(key, rt, read);
  const hcrMask = read ? def.hcrRead : def.hcrWrite;
  if (hcrMask !== undefined && (sys[SysReg.HCR_EL2]! & hcrMask) !== 0n) trapSysToEl2(key, rt, read);
  if (def.cnthctlGate !== undefined && (sys[SysReg.CNTHCTL_EL2]! & def.cnthctlGate) === 0n) trapSysToEl2(key, rt, read);
  if (rule.ataTrap && (sys[SysReg.HCR_EL2]! & MTE_BITS.HCR_ATA) === 0n) trapSysToEl2(key, rt, read);
  if (rule.fpTrap) checkFpAccess(cpu);
  return id;
}

/**
 * What {@link checkAccess} can require of an MRS of table register `id` when its only conditions are the EL, SPSel,
 * an EL0 gate, the MTE level, HCR_EL2.ATA and the HCR_EL2 and CNTHCTL_EL2 bits (no feature, FP or write-only rule
 * applies to it): the lowest EL at which it is defined (0 or 1), whether SP_EL0's SPSel rule applies, the EL0 gate
 * (at EL0, trapped to EL1 when none of the bits `mask` of register `id` is set), the HCR_EL2 bits that trap it to
 * EL2, the MTE level and ATA rules (AccessChecks), and the CNTHCTL_EL2 bits of which at least one must be set for it
 * not to be trapped to EL2 (0n: none). Undefined when another rule can apply: such a read always runs the handler. The WebAssembly tier (wasm-jit/translate-sys.ts)
 * emits these checks inline and calls the handler when one fails, so the two stay one set of rules.
 */
export interface MrsChecks extends AccessChecks {
  readonly el0Gate: { readonly id: number; readonly mask: bigint } | undefined;
  readonly cnthctlGate: bigint;
}

/**
 * The rules MRS and MSR checks share: the lowest EL, SP_EL0's SPSel rule, the HCR_EL2 trap bits, the MTE level the
 * register needs (ID_AA64PFR1_EL1.MTE at least `mteMin`, 0 for none: UNDEFINED below it) and whether HCR_EL2.ATA = 0
 * traps it to EL2 (`ataTrap`).
 */
export interface AccessChecks {
  readonly minEl: 0 | 1;
  readonly spSel: boolean;
  readonly hcrMask: bigint;
  readonly mteMin: number;
  readonly ataTrap: boolean;
}

export function mrsChecks(id: number): MrsChecks | undefined {
  const rule = RULES[id];
  if (rule === undefined) return undefined;
  const def = rule.def;
  if (!rule.feat || rule.fpTrap || def.writeOnly === true || def.minEl > 1) return undefined;
  return {
    minEl: def.minEl as 0 | 1,
    spSel: id === SysReg.SP_EL0,
    el0Gate: rule.el0GateId >= 0 ? { id: rule.el0GateId, mask: rule.el0GateMask } : undefined,
    hcrMask: def.hcrRead ?? 0n,
    mteMin: rule.mteMin,
    ataTrap: rule.ataTrap,
    cnthctlGate: def.cnthctlGate ?? 0n,
  };
}

/**
 * The registers {@link readSysReg} computes (its cases); every other register reads as its `cpu.sys` slot. Keep in
 * step with readSysReg's switch (branches-exceptions-system.test.ts checks every other register reads its slot).
 */
export const COMPUTED_READS: ReadonlySet<number> = new Set([
  SysReg.MIDR_EL1, SysReg.MPIDR_EL1, SysReg.DCZID_EL0, SysReg.CCSIDR_EL1, SysReg.SP_EL0, SysReg.NZCV, SysReg.DAIF,
  SysReg.CurrentEL, SysReg.SPSel, SysReg.PAN, SysReg.UAO, SysReg.DIT, SysReg.SSBS, SysReg.TCO, SysReg.FPCR,
  SysReg.FPSR, SysReg.CNTPCT_EL0, SysReg.CNTVCT_EL0, SysReg.CNTP_TVAL_EL0, SysReg.CNTV_TVAL_EL0, SysReg.CNTP_CTL_EL0,
  SysReg.CNTV_CTL_EL0, SysReg.DBGCLAIMSET_EL1, SysReg.LORSA_EL1, SysReg.LOREA_EL1, SysReg.LORN_EL1, SysReg.LORC_EL1,
]);

/** The breakpoint and watchpoint value registers. */
const DEBUG_VALUE_REGS: ReadonlySet<number> = new Set([...BVR, ...WVR]);

/**
 * The bits MSR keeps of the table registers with fewer than 64 defined bits (RES0 bits are RAZ/WI): writeSysReg
 * stores `v & mask`, and so does the WebAssembly tier's inline MSR.
 */
export const WRITE_MASKS: ReadonlyMap<number, bigint> = new Map([
  [SysReg.CSSELR_EL1, 0xfn], // Level [3:1], InD [0]
  [SysReg.GCR_EL1, 0x1_ffffn], // Exclude [15:0], RRND [16]
  [SysReg.RGSR_EL1, 0xff_ff0fn], // TAG [3:0], SEED [23:8]
  [SysReg.TFSR_EL1, 3n], // TF0 [0], TF1 [1]
  [SysReg.TFSRE0_EL1, 3n],
]);

/**
 * The registers {@link writeSysReg} does something else for than store the value (masked by {@link WRITE_MASKS})
 * in the slot: its own cases. Keep in step with its switch (sysreg-inline.test.ts writes every other register).
 */
export const COMPUTED_WRITES: ReadonlySet<number> = new Set([
  SysReg.SP_EL0, SysReg.NZCV, SysReg.DAIF, SysReg.SPSel, SysReg.PAN, SysReg.UAO, SysReg.DIT, SysReg.SSBS, SysReg.FPCR,
  SysReg.FPSR, SysReg.TCO, SysReg.LORSA_EL1, SysReg.LOREA_EL1, SysReg.LORN_EL1, SysReg.LORC_EL1, SysReg.CNTP_TVAL_EL0,
  SysReg.CNTV_TVAL_EL0, SysReg.CNTP_CTL_EL0, SysReg.CNTV_CTL_EL0, SysReg.OSLAR_EL1, SysReg.OSDLR_EL1,
  SysReg.DBGCLAIMSET_EL1, SysReg.DBGCLAIMCLR_EL1,
]);

/**
 * What {@link checkAccess} can require of an MSR of table register `id` whose write only stores its value (masked by
 * `mask`) in its slot, SP_EL0's included, with nothing else to update: no translation control (`ctl`: the TLB), no
 * debug register, no timer (a write may end the run), no PSTATE field or FP register (the CPU caches those), not
 * CPACR_EL1 (translated code checks its FP enable once per path, and a chain goes on along the path). The lowest
 * EL (an EL0 gate or EL0's read-only rule counts as EL1: only EL1 and above are answered), SPSel and HCR_EL2 rules
 * (AccessChecks, the MTE level and ATA rules included). Undefined for any other register: its MSR always runs the
 * handler. The
 * WebAssembly tier (wasm-jit/translate-sys.ts) emits these checks and the store inline, and calls the handler when
 * a check fails, so the two stay one set of rules.
 */
export interface MsrChecks extends AccessChecks {
  readonly mask: bigint;
}

export function msrChecks(id: number): MsrChecks | undefined {
  const rule = RULES[id];
  if (rule === undefined) return undefined;
  const def = rule.def;
  if (!rule.feat || rule.fpTrap || def.readOnly === true || def.minEl > 1 || def.cnthctlGate !== undefined ||
    def.ctl === true || (COMPUTED_WRITES.has(id) && id !== SysReg.SP_EL0) || DEBUG_CONTROL_REGS.has(id) ||
    DEBUG_VALUE_REGS.has(id) || isTimerControl(id) || id === SysReg.CPACR_EL1) return undefined;
  return {
    minEl: rule.el0GateId >= 0 || def.el0ReadOnly === true ? 1 : def.minEl as 0 | 1,
    spSel: id === SysReg.SP_EL0,
    hcrMask: def.hcrWrite ?? 0n,
    mteMin: rule.mteMin,
    ataTrap: rule.ataTrap,
    mask: WRITE_MASKS.get(id) ?? -1n,
  };
}

/** DC ZVA is prohibited at the current EL (DCZID_EL0.DZP): EL0 with SCTLR_EL1.DZE = 0, or HCR_EL2.TDZ = 1. */
export function dczvaProhibited(cpu: Cpu): boolean {
  return (cpu.el === 0 && (cpu.sys[SysReg.SCTLR_EL1]! & SCTLR.DZE) === 0n) ||
    (cpu.sys[SysReg.HCR_EL2]! & HCR.TDZ) !== 0n;
}

/** CNTx_CTL_EL0 as read: ENABLE and IMASK as written, ISTATUS (bit 2) = enabled and count >= CVAL. */
function timerCtl(ctl: bigint, count: bigint, cval: bigint): bigint {
  const c = ctl & 3n;
  return (c & 1n) !== 0n && count >= cval ? c | 4n : c;
}

/** The value MRS reads from register `id` (after the access checks). */
export function readSysReg(cpu: Cpu, id: number): bigint {
  const sys = cpu.sys;
  switch (id) {
    case SysReg.MIDR_EL1: return sys[SysReg.VPIDR_EL2]!;
    case SysReg.MPIDR_EL1: return sys[SysReg.VMPIDR_EL2]!;
    case SysReg.DCZID_EL0: return dczvaProhibited(cpu) ? IMPL.DCZID_EL0 | 0x10n : IMPL.DCZID_EL0;
    case SysReg.CCSIDR_EL1: {
      const sel = Number(sys[SysReg.CSSELR_EL1]! & 0xfn);
      // Level 1 data or instruction, level 2 unified; any other selection has no cache and reads UNKNOWN (0).
      return sel === 0 || sel === 1 ? IMPL.CCSIDR_L1 : sel === 2 ? IMPL.CCSIDR_L2 : 0n;
    }
    case SysReg.SP_EL0: return cpu.spEl[0]!;
    case SysReg.NZCV: return BigInt(cpu.nzcv & 0xf) << 28n;
    case SysReg.DAIF: return BigInt(cpu.daif << 6);
    case SysReg.CurrentEL: return BigInt(cpu.el << 2);
    case SysReg.SPSel: return BigInt(cpu.spsel);
    case SysReg.PAN: return BigInt(cpu.pan << 22);
    case SysReg.UAO: return BigInt(cpu.uao << 23);
    case SysReg.DIT: return BigInt(cpu.dit << 24);
    case SysReg.SSBS: return BigInt(cpu.ssbs << 12);
    case SysReg.TCO: return BigInt(cpu.tco << 25);
    case SysReg.FPCR: return BigInt(cpu.fpcr);
    case SysReg.FPSR: return BigInt(cpu.fpsr);
    case SysReg.CNTPCT_EL0: return counterTicks(cpu);
    case SysReg.CNTVCT_EL0: return virtualCount(cpu);
    case SysReg.CNTP_TVAL_EL0: return (sys[SysReg.CNTP_CVAL_EL0]! - counterTicks(cpu)) & 0xffff_ffffn;
    case SysReg.CNTV_TVAL_EL0: return (sys[SysReg.CNTV_CVAL_EL0]! - virtualCount(cpu)) & 0xffff_ffffn;
    case SysReg.CNTP_CTL_EL0: return timerCtl(sys[id]!, counterTicks(cpu), sys[SysReg.CNTP_CVAL_EL0]!);
    case SysReg.CNTV_CTL_EL0: return timerCtl(sys[id]!, virtualCount(cpu), sys[SysReg.CNTV_CVAL_EL0]!);
    case SysReg.DBGCLAIMSET_EL1: return 0xffn; // all eight claim bits implemented
    case SysReg.LORSA_EL1: case SysReg.LOREA_EL1: case SysReg.LORN_EL1: case SysReg.LORC_EL1: return 0n; // no LORegions
    default: return sys[id]!;
  }
}

/** Perform MSR to register `id` (after the access checks). */
export function writeSysReg(cpu: Cpu, id: number, v: bigint): void {
  const sys = cpu.sys;
  switch (id) {
    case SysReg.SP_EL0: cpu.spEl[0] = v; return;
    case SysReg.NZCV: cpu.nzcv = Number((v >> 28n) & 0xfn); return;
    case SysReg.DAIF: cpu.daif = Number((v >> 6n) & 0xfn); return;
    case SysReg.SPSel: cpu.spsel = Number(v & 1n); return;
    case SysReg.PAN: cpu.pan = Number((v >> 22n) & 1n); cpu.controlWritten(); return;
    case SysReg.UAO: cpu.uao = Number((v >> 23n) & 1n); cpu.controlWritten(); return;
    case SysReg.DIT: cpu.dit = Number((v >> 24n) & 1n); return;
    case SysReg.SSBS: cpu.ssbs = Number((v >> 12n) & 1n); return;
    case SysReg.FPCR: cpu.fpcr = Number(v & 0xffff_ffffn) & FPCR_IMPLEMENTED; return;
    case SysReg.FPSR: cpu.fpsr = Number(v & 0xffff_ffffn) & FPSR_IMPLEMENTED; return;
    case SysReg.TCO: if (mteLevel(cpu) >= 2) cpu.tco = Number((v >> 25n) & 1n); return; // RAZ/WI with FEAT_MTE only
    case SysReg.LORSA_EL1: case SysReg.LOREA_EL1: case SysReg.LORN_EL1: case SysReg.LORC_EL1: return; // no LORegions
    case SysReg.CNTP_TVAL_EL0:
      sys[SysReg.CNTP_CVAL_EL0] = counterTicks(cpu) + BigInt.asIntN(32, v);
      return;
    case SysReg.CNTV_TVAL_EL0:
      sys[SysReg.CNTV_CVAL_EL0] = virtualCount(cpu) + BigInt.asIntN(32, v);
      return;
    case SysReg.CNTP_CTL_EL0:
    case SysReg.CNTV_CTL_EL0:
      sys[id] = v & 3n; // ISTATUS is read-only
      return;
    case SysReg.OSLAR_EL1: // OSLK follows bit 0 of the write
      sys[SysReg.OSLSR_EL1] = (sys[SysReg.OSLSR_EL1]! & ~2n) | ((v & 1n) << 1n);
      cpu.debugChanged();
      return;
    case SysReg.OSDLR_EL1: sys[id] = v & 1n; cpu.debugChanged(); return;
    // Registers with fewer defined bits (CSSELR_EL1, the MTE registers): only those are stored.
    case SysReg.CSSELR_EL1:
    case SysReg.GCR_EL1:
    case SysReg.RGSR_EL1:
    case SysReg.TFSR_EL1:
    case SysReg.TFSRE0_EL1: sys[id] = v & WRITE_MASKS.get(id)!; return;
    case SysReg.DBGCLAIMSET_EL1: sys[SysReg.DBGCLAIMCLR_EL1] = sys[SysReg.DBGCLAIMCLR_EL1]! | (v & 0xffn); return;
    case SysReg.DBGCLAIMCLR_EL1: sys[id] = sys[id]! & ~(v & 0xffn); return;
    default:
      // DBGBVR<n>_EL1, DBGWVR<n>_EL1: bits [1:0] are RES0.
      sys[id] = DEBUG_VALUE_REGS.has(id) ? v & ~3n : v;
      if (RULES[id]!.def.ctl) cpu.controlWritten();
      if (DEBUG_CONTROL_REGS.has(id)) cpu.debugChanged();
  }
}

/** MRS <Xt>, <systemreg>: `1101010100 1 1 o0 op1 CRn CRm op2 Rt`. */
export function mrs(cpu: Cpu, insn: number): void {
  const key = (insn >>> 5) & 0xffff;
  const rt = insn & 31;
  const id = checkAccess(cpu, key, rt, true);
  if (id === PMU_REG) {
    const v = cpu.pmuPort!.read(key);
    if (v === undefined) undef();
    cpu.setXr(rt, v);
    return;
  }
  if (id === PORT_REG) {
    const v = cpu.sysRegPort!.read(key);
    if (v === undefined) unimplementedSys(cpu, key, rt, true);
    cpu.setXr(rt, v);
    return;
  }
  cpu.setXr(rt, id < 0 ? 0n : readSysReg(cpu, id));
}

/** MSR <systemreg>, <Xt>: `1101010100 0 1 o0 op1 CRn CRm op2 Rt`. */
export function msrRegister(cpu: Cpu, insn: number): void {
  const key = (insn >>> 5) & 0xffff;
  const rt = insn & 31;
  const id = checkAccess(cpu, key, rt, false);
  if (id === PMU_REG) {
    const r = cpu.pmuPort!.write(key, cpu.xr(rt));
    if (r === PmuWrite.Undefined) undef();
    if (r === PmuWrite.EndRun) throw END_RUN_AFTER_TIMER_WRITE;
    return;
  }
  if (id === PORT_REG) {
    if (!cpu.sysRegPort!.write(key, cpu.xr(rt))) unimplementedSys(cpu, key, rt, false);
    return;
  }
  writeSysReg(cpu, id, cpu.xr(rt));
  if (isTimerControl(id) && cpu.counterPort?.timerWritten?.() === true) throw END_RUN_AFTER_TIMER_WRITE;
}

/**
 * MSR <pstatefield>, #<imm> (and the flag-manipulation instructions sharing the class):
 * `1101010100000 op1 0100 CRm op2 11111`. Fields with op1 = 000 are EL1-only (UNDEFINED at EL0); op1 = 011 fields
 * are EL0-accessible, DAIFSet/DAIFClr only when SCTLR_EL1.UMA = 1 (else trapped to EL1, EC 0x18).
 */
export function msrImmediate(cpu: Cpu, insn: number): void {
  const op1 = (insn >>> 16) & 7;
  const crm = (insn >>> 8) & 0xf;
  const op2 = (insn >>> 5) & 7;
  const el0 = cpu.el === 0;
  switch ((op1 << 3) | op2) {
    case 0o005: // SPSel
      if (el0) undef();
      cpu.spsel = crm & 1;
      return;
    case 0o004: // PAN
      if (el0 || !FEAT.PAN) undef();
      cpu.pan = crm & 1;
      cpu.controlWritten();
      return;
    case 0o003: // UAO
      if (el0 || !FEAT.UAO) undef();
      cpu.uao = crm & 1;
      cpu.controlWritten();
      return;
    case 0o036: // DAIFSet
    case 0o037: // DAIFClr
      if (el0 && (cpu.sys[SysReg.SCTLR_EL1]! & SCTLR.UMA) === 0n) trapSysToEl1((insn >>> 5) & 0xffff, 31, false);
      cpu.daif = op2 === 6 ? cpu.daif | crm : cpu.daif & ~crm;
      return;
    case 0o032: // DIT
      if (!FEAT.DIT) undef();
      cpu.dit = crm & 1;
      return;
    case 0o031: // SSBS
      if (!FEAT.SSBS) undef();
      cpu.ssbs = crm & 1;
      return;
    case 0o034: // TCO: FEAT_MTE; PSTATE.TCO is RAZ/WI without FEAT_MTE2
      if (mteLevel(cpu) === 0) undef();
      if (mteLevel(cpu) >= 2) cpu.tco = crm & 1;
      return;
    // CFINV (0o000), XAFLAG (0o001), AXFLAG (0o002): FEAT_FlagM/FlagM2 are not advertised, so UNDEFINED.
    // ALLINT, PM, SVCR*: FEAT_NMI, FEAT_EBEP, SME not implemented. Any other field: unallocated.
    default:
      undef();
  }
}
