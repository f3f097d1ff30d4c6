/**
 * A64 instruction class "Branches, exception generating and system instructions" (Arm ARM C4.1.65): conditional
 * and unconditional branches, compare/test and branch, exception generation, ERET, hints, barriers, PSTATE
 * writes, system instructions and system register moves. The MRS/MSR handlers are in
 * branches-exceptions-system-sysreg.ts, SYS (DC/IC/AT/TLBI) in branches-exceptions-system-sys.ts.
 *
 * Encodings with no row are UNDEFINED. Deliberately absent (so UNDEFINED), because the feature is not implemented
 * and not advertised: BC.cond (FEAT_HBC); all pointer-authentication branches BRAA/BRAB/BRAAZ/BRABZ, BLRAA/...,
 * RETAA/RETAB, ERETAA/ERETAB (FEAT_PAuth); DRPS (Debug state only); HLT (no halting debug); DCPS1-3 (Debug state
 * only); TCANCEL/TSTART/TTEST/TCOMMIT (FEAT_TME); WFET/WFIT (FEAT_WFxT); DSB nXS (FEAT_XS); SYSL, SYSP/MRRS/MSRR;
 * CFINV/XAFLAG/AXFLAG (FEAT_FlagM/FlagM2: UNDEFINED inside the MSR (immediate) handler).
 *
 * The pointer-authentication, BTI, CLRBHB, ESB, PSB, TSB, CSDB, DGH and other hint-space instructions are hints:
 * NOPs when their feature is not implemented, as the architecture requires.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { El2Trap, EndRun, GuestException } from '../exceptions.js';
import { Ec, Stop } from '../exits.js';
import { FEAT } from '../impl-defined.js';
import { mteLevel } from '../mte.js';
import { sysWord } from '../state-layout.js';
import { exceptionReturnSs } from '../debug.js';
import { HCR, SCTLR, SysReg } from '../sysregs.js';
import { branchAddr, consumeEvent, sendEventLocal, undef } from './branches-exceptions-system-common.js';
import { sysInstruction } from './branches-exceptions-system-sys.js';
import { BRANCH_SPECS } from '../spec/branches.js';
import { specRow } from '../spec/interp-sem.js';
import { mrs, msrImmediate, msrRegister } from './branches-exceptions-system-sysreg.js';

// ---- branches: specifications (spec/branches.ts) ----

const [B, BL, B_COND, CBZ, TBZ] = BRANCH_SPECS.direct.map(specRow) as [EncodingRow, EncodingRow, EncodingRow, EncodingRow, EncodingRow];
const [BR, BLR, RET] = BRANCH_SPECS.register.map(specRow) as [EncodingRow, EncodingRow, EncodingRow];

/**
 * BranchTo(target) of ERET: a misaligned target faults when it is executed, so only then is the next fetch flagged
 * (as the branch specifications do: spec/interp-sem.ts `branch`).
 */
function branchReg(cpu: Cpu, target: bigint): void {
  const pc = branchAddr(cpu, target);
  cpu.nextPc = pc;
  if ((pc & 3n) !== 0n) cpu.checkPcAlign = true;
}

// ---- exception return ----

/** SPSR bits for PSTATE fields of features the model does not implement: RES0, never restored. */
const SPSR_UNIMPLEMENTED =
  (FEAT.UAO ? 0 : 1 << 23) | (FEAT.DIT ? 0 : 1 << 24) | (FEAT.PAN ? 0 : 1 << 22) | (FEAT.SSBS ? 0 : 1 << 12);

/** The state block word of SPSR_EL1[31:0]. */
const W_SPSR_EL1 = sysWord(SysReg.SPSR_EL1);

/**
 * IllegalExceptionReturn for a return from EL1 on this PE (AArch64 only at EL0/EL1, EL2 owned by the host, no
 * EL3): legal targets are EL0t (M = 0b00000), EL1t (0b00100) and EL1h (0b00101), the last two only while
 * HCR_EL2.TGE = 0. AArch32 (M[4] = 1), EL2/EL3 (a higher EL), M[1] = 1 and EL0 with SP_ELx are illegal.
 */
export function illegalReturn(cpu: Cpu, spsr: number): boolean {
  const m = spsr & 0x1f;
  if (m === 0) return false;
  if (m === 4 || m === 5) return (cpu.sys[SysReg.HCR_EL2]! & HCR.TGE) !== 0n;
  return true;
}

/**
 * ERET (AArch64.ExceptionReturn from EL1): PC from ELR_EL1, PSTATE from SPSR_EL1, PSTATE.SS by the software step
 * rules (debug.ts `exceptionReturnSs`). On an illegal return PSTATE.IL
 * is set, the EL and SP selection stay as they are, and only NZCV, DAIF and PAN are restored (the other fields
 * become UNKNOWN: the model leaves them unchanged); the next instruction then takes an Illegal Execution state
 * exception (EC 0x0e, raised by the run loop). Either way the local exclusive monitor is cleared, an event is sent
 * and the PC is checked for alignment when the next instruction is fetched.
 */
function eret(cpu: Cpu): void {
  if (cpu.el === 0) undef();
  // SPSR_EL1[31:0], read as a word of the state block (every field ERET restores lies there; no BigInt: a kernel
  // returns this way from every system call). SPSR.TCO (bit 25) is restored only when this CPU has PSTATE.TCO
  // (FEAT_MTE2; RAZ/WI with FEAT_MTE only).
  const spsr = cpu.st32[W_SPSR_EL1]! & ~(mteLevel(cpu) >= 2 ? SPSR_UNIMPLEMENTED : SPSR_UNIMPLEMENTED | (1 << 25));
  const target = cpu.sys[SysReg.ELR_EL1]!;
  const illegal = illegalReturn(cpu, spsr);
  // DebugExceptionReturnSS, evaluated with PSTATE as it is before the return (debug.ts): 0 while no debug event is
  // configured (the CPU's debug configuration is kept current in a run).
  const ss = cpu.debugConfigured ? exceptionReturnSs(cpu, spsr, illegal ? cpu.el : (spsr >>> 2) & 3) : 0;
  if (!illegal) {
    cpu.spsrWordToPstate(spsr); // also tells the memory port: elChanged (controlChanged if it has none)
  } else {
    const v = spsr;
    cpu.nzcv = (v >>> 28) & 0xf;
    cpu.daif = (v >>> 6) & 0xf;
    cpu.pan = (v >>> 22) & 1;
    cpu.il = 1;
    cpu.mem.controlChanged(); // PAN may have changed
  }
  cpu.setReturnSs(ss);
  cpu.clearExclusive();
  sendEventLocal(cpu);
  branchReg(cpu, target);
}

// ---- exception generation ----

const imm16 = (insn: number): number => (insn >>> 5) & 0xffff;

/** SVC #imm: a supervisor call to EL1; ELR is the next instruction. */
function svc(_cpu: Cpu, insn: number): void {
  throw new GuestException(Ec.Svc64, imm16(insn), true);
}

/** HVC #imm: a hypervisor call, taken by the host. UNDEFINED at EL0 and when HCR_EL2.HCD = 1. */
function hvc(cpu: Cpu, insn: number): void {
  if (cpu.el === 0 || (cpu.sys[SysReg.HCR_EL2]! & HCR.HCD) !== 0n) undef();
  throw new El2Trap(Ec.Hvc64, imm16(insn), true);
}

/**
 * SMC #imm. There is no EL3: at EL1 with HCR_EL2.TSC = 1 it traps to EL2 (preferred return: the SMC itself),
 * otherwise, and always at EL0, it is UNDEFINED.
 */
function smc(cpu: Cpu, insn: number): void {
  if (cpu.el === 1 && (cpu.sys[SysReg.HCR_EL2]! & HCR.TSC) !== 0n) throw new El2Trap(Ec.Smc64, imm16(insn), false);
  undef();
}

/** BRK #imm: a Breakpoint instruction exception (EC 0x3c); ELR is the BRK itself. */
function brk(_cpu: Cpu, insn: number): void {
  throw new GuestException(Ec.Brk, imm16(insn), false);
}

// ---- hints ----

/** ISS of a WFx trap from AArch64: CV = 1, COND = 0b1110, TI = 0 (WFI) or 1 (WFE). */
const wfxIss = (wfe: boolean): number => (1 << 24) | (0xe << 20) | (wfe ? 1 : 0);

/**
 * The WFx traps: at EL0, SCTLR_EL1.nTWI/nTWE = 0 traps to EL1; then HCR_EL2.TWI/TWE traps EL0 and EL1 to EL2.
 * With no trap the instruction completes: the model has no low-power state yet, so it is a NOP.
 */
function wfxTraps(cpu: Cpu, wfe: boolean): void {
  if (cpu.el === 0 && (cpu.sys[SysReg.SCTLR_EL1]! & (wfe ? SCTLR.nTWE : SCTLR.nTWI)) === 0n) {
    throw new GuestException(Ec.Wfx, wfxIss(wfe));
  }
  if ((cpu.sys[SysReg.HCR_EL2]! & (wfe ? HCR.TWE : HCR.TWI)) !== 0n) throw new El2Trap(Ec.Wfx, wfxIss(wfe), false);
}

/** WFI: traps only when it would wait, i.e. when no interrupt is pending (masked or not). */
function wfi(cpu: Cpu): void {
  if (!cpu.irqLine) wfxTraps(cpu, false);
}

/**
 * WFE: completes at once, clearing it, when the event register is set; otherwise it would wait and may trap, and,
 * with `cpu.stopOnYield`, ends the run (Stop.Yield) once it completed.
 */
function wfe(cpu: Cpu): void {
  if (consumeEvent(cpu)) return;
  wfxTraps(cpu, true);
  if (cpu.stopOnYield) throw END_RUN_ON_YIELD;
}

/** The run's end after a YIELD or a waiting WFE (`cpu.stopOnYield`): allocated once, as it carries no state. */
const END_RUN_ON_YIELD = new EndRun(Stop.Yield);

/**
 * YIELD: a hint that the PE is spinning; a NOP, except that with `cpu.stopOnYield` (a host running several PEs in
 * turns) it ends the run once it completed (Stop.Yield). Its own handler, not NOP's, so translated code calls it.
 */
function yieldHint(cpu: Cpu): void {
  if (cpu.stopOnYield) throw END_RUN_ON_YIELD;
}

/** SEV: an event for every PE of the domain, this one included. */
function sev(cpu: Cpu): void {
  cpu.smp.sendEvent(cpu);
}

/** SEVL: an event for this PE only. */
function sevl(cpu: Cpu): void {
  sendEventLocal(cpu);
}

const nop = (): void => {};

// ---- barriers ----

/** CLREX: clear the local exclusive monitor. */
function clrex(cpu: Cpu): void {
  cpu.clearExclusive();
}

// ---- the table ----

const rows: EncodingRow[] = [
  // Unconditional branch (immediate)
  B,
  BL,
  // Conditional branch (immediate). BC.cond (o0 = 1) is FEAT_HBC: no row, UNDEFINED.
  B_COND,
  // Compare and branch (immediate)
  CBZ,
  // Test and branch (immediate)
  TBZ,
  // Unconditional branch (register): opc op2 op3 Rn op4
  BR,
  BLR,
  RET,
  { name: 'ERET', pattern: '1101011 0100 11111 000000 11111 00000', exec: eret },
  // Exception generation: opc imm16 op2 LL
  { name: 'SVC', pattern: '11010100 000 iiiiiiiiiiiiiiii 000 01', exec: svc },
  { name: 'HVC', pattern: '11010100 000 iiiiiiiiiiiiiiii 000 10', exec: hvc },
  { name: 'SMC', pattern: '11010100 000 iiiiiiiiiiiiiiii 000 11', exec: smc },
  { name: 'BRK', pattern: '11010100 001 iiiiiiiiiiiiiiii 000 00', exec: brk },
  // Hints: CRm:op2 is the hint number; every unallocated or unimplemented hint is a NOP.
  { name: 'WFE', pattern: '1101010100 0 00 011 0010 0000 010 11111', exec: wfe },
  { name: 'WFI', pattern: '1101010100 0 00 011 0010 0000 011 11111', exec: wfi },
  { name: 'SEV', pattern: '1101010100 0 00 011 0010 0000 100 11111', exec: sev },
  { name: 'SEVL', pattern: '1101010100 0 00 011 0010 0000 101 11111', exec: sevl },
  { name: 'YIELD', pattern: '1101010100 0 00 011 0010 0000 001 11111', exec: yieldHint },
  { name: 'HINT (NOP, YIELD, ESB, CSDB, BTI, PACIASP, ...)', pattern: '1101010100 0 00 011 0010 mmmm ppp 11111', exec: nop },
  // Barriers: CRm op2 Rt (Rt must be 11111)
  { name: 'CLREX', pattern: '1101010100 0 00 011 0011 mmmm 010 11111', exec: clrex },
  { name: 'DSB (and SSBB, PSSBB)', pattern: '1101010100 0 00 011 0011 mmmm 100 11111', exec: nop },
  { name: 'DMB', pattern: '1101010100 0 00 011 0011 mmmm 101 11111', exec: nop },
  { name: 'ISB', pattern: '1101010100 0 00 011 0011 mmmm 110 11111', exec: nop },
  ...(FEAT.SB ? [{ name: 'SB', pattern: '1101010100 0 00 011 0011 0000 111 11111', exec: nop }] : []),
  // PSTATE: MSR (immediate)
  { name: 'MSR (immediate)', pattern: '1101010100 0 00 ooo 0100 mmmm ppp 11111', exec: msrImmediate },
  // System instructions (SYS; SYSL has no allocated encoding)
  { name: 'SYS', pattern: '1101010100 0 01 ooo nnnn mmmm ppp ttttt', exec: sysInstruction },
  // System register move
  { name: 'MSR (register)', pattern: '1101010100 0 1x ooo nnnn mmmm ppp ttttt', exec: msrRegister },
  { name: 'MRS', pattern: '1101010100 1 1x ooo nnnn mmmm ppp ttttt', exec: mrs },
];

export const BRANCHES_EXCEPTIONS_SYSTEM: readonly EncodingRow[] = rows;
