/**
 * Self-hosted debug (Arm ARM D2, AArch64): breakpoints, watchpoints and software step, taken to EL1 (the debug
 * target: HCR_EL2.TGE is not modelled, no EL3, Non-secure), or to EL2 while the hypervisor debugs the guest
 * ({@link HostDebug}, `cpu.hostDebug`: the model of MDCR_EL2.TDE).
 *
 * What decides whether anything can fire is cheap to test: {@link debugConfig} folds the system registers (the OS
 * lock and OS double lock, MDSCR_EL1.SS/KDE/MDE, the enable bits of the breakpoint and watchpoint controls) into a
 * few bits, which the CPU recomputes when one of those registers is written (MSR, `Cpu.debugChanged`, `run`,
 * `loadState`); with PSTATE.EL and PSTATE.D they give `cpu.debugActive` (AArch64.GenerateDebugExceptions and
 * something enabled). While it is set the run loop interprets (jit.ts), and the interpreter checks breakpoints
 * before each instruction, watchpoints on each data access (debug-port.ts) and runs the software step state
 * machine (cpu.ts `interpretLoop`).
 *
 * Implemented: 6 breakpoints (the last two context-aware) and 4 watchpoints (ID_AA64DFR0_EL1: BRPs = 5, WRPs = 3,
 * CTX_CMPs = 1, as QEMU's `-cpu max`). Breakpoint types: unlinked and linked instruction address match, unlinked
 * and linked CONTEXTIDR_EL1 match; the other types (address mismatch, VMID, CONTEXTIDR_EL2: they need EL2 or
 * AArch32) are reserved here and never match. Decisions for CONSTRAINED UNPREDICTABLE cases (as QEMU):
 * - reserved privilege/security combinations (PxC = 0 with HMC = 0 for a breakpoint, SSC = 0b11 with HMC = 0,
 *   SSC = 0b10: Secure only, and there is no Secure state) never match;
 * - a watchpoint MASK of 1 or 2 disables it; with a non-zero MASK the BAS field is ignored and the masked low bits
 *   of DBGWVR too;
 * - a non-contiguous BAS watches exactly the bytes it selects; DBGWVR bit 2 set (a word-aligned address) uses
 *   BAS[3:0] for the bytes of that word;
 * - DBGBVR/DBGWVR bits [63:49] are compared as copies of bit 48 (the value is sign-extended from bit 48);
 * - a linked breakpoint or watchpoint whose LBN names a breakpoint that is not an enabled linked context breakpoint
 *   never matches.
 *
 * The hypervisor's debug (`cpu.hostDebug`, what a hypervisor sets up for KVM_SET_GUEST_DEBUG): MDCR_EL2.TDE = 1, so
 * the debug target is EL2: debug exceptions are enabled from EL0 and EL1 whatever MDSCR_EL1.KDE and PSTATE.D, and
 * every debug exception, BRK included, is taken to EL2 (EC 0x30 breakpoint, 0x32 software step, 0x34 watchpoint,
 * the lower-EL classes, and 0x3C BRK; FAR_EL2 for a watchpoint) instead of EL1. The effective MDSCR_EL1 is the
 * hypervisor's: SS from {@link HostDebug.step}, MDE from {@link HostDebug.hardware} or else the guest's MDE (cleared
 * while the guest holds the OS lock); the breakpoint and watchpoint registers are the hypervisor's with `hardware`,
 * else the guest's. The guest's OS lock and double lock do not block the hypervisor's debug (the hardware's belong
 * to the host: a hypervisor emulates the guest's). None of this is visible to the guest: its MDSCR_EL1 and debug
 * registers keep their values in the system register file, which MRS and MSR reach as before (the model of a
 * hypervisor that loads its own values and traps the guest's accesses with MDCR_EL2.TDA).
 */
import type { Cpu } from './cpu.js';
import { El2Trap, type GuestException } from './exceptions.js';
import { Ec } from './exits.js';
import { SysReg } from './sysregs.js';

/** Breakpoint register pairs implemented (ID_AA64DFR0_EL1.BRPs + 1). */
export const BREAKPOINTS = 6;
/** Watchpoint register pairs implemented (ID_AA64DFR0_EL1.WRPs + 1). */
export const WATCHPOINTS = 4;
/** Context-aware breakpoints: the highest-numbered ones (ID_AA64DFR0_EL1.CTX_CMPs + 1). */
export const CONTEXT_BREAKPOINTS = 2;

/** MDSCR_EL1 bits. */
export const MDSCR = { SS: 1n, KDE: 1n << 13n, MDE: 1n << 15n } as const;

/** ESR_ELx.EC of the debug exceptions (the lower-EL class; +1 for the same EL). */
export const DebugEc = { Breakpoint: 0x30, SoftwareStep: 0x32, Watchpoint: 0x34 } as const;
/** The debug exception fault status code (IFSC/DFSC) in ISS[5:0]. */
export const DEBUG_FSC = 0x22;

/** {@link debugConfig} bits. */
export const Dbg = {
  /** MDSCR_EL1.KDE: debug exceptions are enabled at EL1 (with PSTATE.D = 0). */
  KDE: 1,
  /** MDSCR_EL1.SS: software step enabled. */
  STEP: 2,
  /** MDSCR_EL1.MDE and an enabled breakpoint. */
  BREAK: 4,
  /** MDSCR_EL1.MDE and an enabled watchpoint. */
  WATCH: 8,
  /**
   * The debug target is EL2 (the hypervisor's MDCR_EL2.TDE, {@link hostDebugConfig}): debug exceptions are enabled
   * from EL0 and EL1 whatever MDSCR_EL1.KDE and PSTATE.D. Set only beside STEP, BREAK or WATCH.
   */
  EL2: 32,
} as const;

/** The ids of DBGBVR<n>_EL1, DBGBCR<n>_EL1, DBGWVR<n>_EL1, DBGWCR<n>_EL1, by n. */
export const BVR = [SysReg.DBGBVR0_EL1, SysReg.DBGBVR1_EL1, SysReg.DBGBVR2_EL1, SysReg.DBGBVR3_EL1, SysReg.DBGBVR4_EL1, SysReg.DBGBVR5_EL1];
export const BCR = [SysReg.DBGBCR0_EL1, SysReg.DBGBCR1_EL1, SysReg.DBGBCR2_EL1, SysReg.DBGBCR3_EL1, SysReg.DBGBCR4_EL1, SysReg.DBGBCR5_EL1];
export const WVR = [SysReg.DBGWVR0_EL1, SysReg.DBGWVR1_EL1, SysReg.DBGWVR2_EL1, SysReg.DBGWVR3_EL1];
export const WCR = [SysReg.DBGWCR0_EL1, SysReg.DBGWCR1_EL1, SysReg.DBGWCR2_EL1, SysReg.DBGWCR3_EL1];

/** Registers whose writes change {@link debugConfig} (the MSR handler then calls `cpu.debugChanged()`). */
export const DEBUG_CONTROL_REGS: ReadonlySet<number> = new Set([
  SysReg.MDSCR_EL1, SysReg.OSLAR_EL1, SysReg.OSLSR_EL1, SysReg.OSDLR_EL1, SysReg.DBGPRCR_EL1, ...BCR, ...WCR,
]);

/** A set of breakpoint and watchpoint registers by number: the guest's (system registers) or the hypervisor's. */
export interface DebugRegisters {
  /** DBGBCR<n>_EL1, DBGBVR<n>_EL1 (n < {@link BREAKPOINTS}). */
  bcr(n: number): bigint;
  bvr(n: number): bigint;
  /** DBGWCR<n>_EL1, DBGWVR<n>_EL1 (n < {@link WATCHPOINTS}). */
  wcr(n: number): bigint;
  wvr(n: number): bigint;
}

/** The guest's breakpoint and watchpoint registers, in the system register file `sys`. */
export function guestDebugRegisters(sys: BigUint64Array): DebugRegisters {
  return {
    bcr: (n) => sys[BCR[n]!]!,
    bvr: (n) => sys[BVR[n]!]!,
    wcr: (n) => sys[WCR[n]!]!,
    wvr: (n) => sys[WVR[n]!]!,
  };
}

/**
 * The hypervisor's debug of the guest, as it holds while the guest runs (`cpu.hostDebug`; see the file comment):
 * MDCR_EL2.TDE = 1, its own MDSCR_EL1.SS and MDE, and its own breakpoint and watchpoint registers. kvm-core fills
 * it from KVM_SET_GUEST_DEBUG. After changing it while it is the CPU's, call `cpu.debugChanged()`.
 */
export class HostDebug implements DebugRegisters {
  /** Software step the guest (the hypervisor's MDSCR_EL1.SS; PSTATE.SS is the hypervisor's to manage). */
  step = false;
  /** Use the registers below (MDSCR_EL1.MDE, with them in place of the guest's). */
  hardware = false;
  // Annotated: TS >= 5.7 would infer `BigUint64Array<ArrayBuffer>`, which the published declarations cannot contain
  // while they support TS 5.0 (scripts/check-packages.mjs).
  readonly bcrs: BigUint64Array = new BigUint64Array(BREAKPOINTS);
  readonly bvrs: BigUint64Array = new BigUint64Array(BREAKPOINTS);
  readonly wcrs: BigUint64Array = new BigUint64Array(WATCHPOINTS);
  readonly wvrs: BigUint64Array = new BigUint64Array(WATCHPOINTS);
  bcr(n: number): bigint {
    return this.bcrs[n]!;
  }
  bvr(n: number): bigint {
    return this.bvrs[n]!;
  }
  wcr(n: number): bigint {
    return this.wcrs[n]!;
  }
  wvr(n: number): bigint {
    return this.wvrs[n]!;
  }
}

/**
 * The debug configuration, as {@link Dbg} bits, while the hypervisor debugs the guest (`h`; the guest's system
 * registers `sys`): STEP from `h.step`; BREAK and WATCH for an enabled breakpoint or watchpoint of the registers in
 * use ({@link hostDebugRegisters}) with the effective MDE (`h.hardware`, else the guest's MDSCR_EL1.MDE unless its OS
 * lock is set); EL2 beside any of them. The guest's OS lock and double lock block nothing here.
 */
export function hostDebugConfig(h: HostDebug, sys: BigUint64Array): number {
  let c = h.step ? Dbg.STEP : 0;
  const guestMde = (sys[SysReg.MDSCR_EL1]! & MDSCR.MDE) !== 0n && (sys[SysReg.OSLSR_EL1]! & 2n) === 0n;
  if (h.hardware || guestMde) {
    const regs = hostDebugRegisters(h, sys);
    for (let n = 0; n < BREAKPOINTS; n++) if ((regs.bcr(n) & 1n) !== 0n) c |= Dbg.BREAK;
    for (let n = 0; n < WATCHPOINTS; n++) if ((regs.wcr(n) & 1n) !== 0n) c |= Dbg.WATCH;
  }
  return c === 0 ? 0 : c | Dbg.EL2;
}

/** The breakpoint and watchpoint registers in use while the hypervisor debugs: its own with `hardware`. */
export function hostDebugRegisters(h: HostDebug, sys: BigUint64Array): DebugRegisters {
  return h.hardware ? h : guestDebugRegisters(sys);
}

/** Whether `ec` is a debug exception's class (breakpoint, software step, watchpoint at either EL; BRK). */
const isDebugEc = (ec: number): boolean => (ec >= DebugEc.Breakpoint && ec <= DebugEc.Watchpoint + 1) || ec === Ec.Brk;

/**
 * With MDCR_EL2.TDE (the hypervisor debugs the guest), the trap to EL2 a debug exception `e` becomes: the lower-EL
 * class (0x30, 0x32, 0x34; BRK stays 0x3C), the same ISS, FAR_EL2 from a watchpoint's FAR. Undefined for any other
 * exception.
 */
export function debugTrapToEl2(e: GuestException): El2Trap | undefined {
  if (!isDebugEc(e.ec)) return undefined;
  const ec = e.ec === Ec.Brk ? e.ec : e.ec & ~1;
  return new El2Trap(ec, e.iss, false, e.far ?? 0n);
}

/**
 * The debug configuration the system registers give, as {@link Dbg} bits: 0 when nothing can fire (the OS lock or
 * the OS double lock is set, or neither software step nor an enabled breakpoint/watchpoint with MDSCR_EL1.MDE).
 */
export function debugConfig(sys: BigUint64Array): number {
  if ((sys[SysReg.OSLSR_EL1]! & 2n) !== 0n) return 0; // OSLK
  // DoubleLockStatus(): OSDLR_EL1.DLK = 1 and DBGPRCR_EL1.CORENPDRQ = 0 (not halted: no halting debug here).
  if ((sys[SysReg.OSDLR_EL1]! & 1n) !== 0n && (sys[SysReg.DBGPRCR_EL1]! & 1n) === 0n) return 0;
  const mdscr = sys[SysReg.MDSCR_EL1]!;
  let c = (mdscr & MDSCR.SS) !== 0n ? Dbg.STEP : 0;
  if ((mdscr & MDSCR.MDE) !== 0n) {
    for (const id of BCR) if ((sys[id]! & 1n) !== 0n) c |= Dbg.BREAK;
    for (const id of WCR) if ((sys[id]! & 1n) !== 0n) c |= Dbg.WATCH;
  }
  if (c !== 0 && (mdscr & MDSCR.KDE) !== 0n) c |= Dbg.KDE;
  return c;
}

/**
 * AArch64.GenerateDebugExceptionsFrom(el, mask) for this PE, given the OS lock state folded in `config`: with the
 * debug target EL2 ({@link Dbg.EL2}) from EL0 and EL1 always; else from EL0 always (the debug target EL1 is higher),
 * from EL1 only with MDSCR_EL1.KDE = 1 and PSTATE.D (`dMasked`) = 0. `config` 0 (locked, or nothing enabled) gives
 * false: callers only ask when something is enabled.
 */
export function debugEnabledFrom(config: number, el: number, dMasked: boolean): boolean {
  return config !== 0 && ((config & Dbg.EL2) !== 0 || el === 0 || ((config & Dbg.KDE) !== 0 && !dMasked));
}

/** Sign-extend a DBGBVR/DBGWVR address from bit 48 (bits [63:49] are RESS). */
const vrAddress = (v: bigint): bigint => BigInt.asUintN(64, BigInt.asIntN(49, v));

/**
 * AArch64.StateMatch for a breakpoint or watchpoint control `ctl` (PxC [2:1], HMC [13], SSC [15:14]) at `el`;
 * `privileged` is false for a watchpoint on an unprivileged access (LDTR/STTR), which matches as EL0.
 */
function stateMatches(ctl: number, el: number, privileged: boolean): boolean {
  const pxc = (ctl >>> 1) & 3;
  const hmc = (ctl >>> 13) & 1;
  const ssc = (ctl >>> 14) & 3;
  if (ssc === 2 || (ssc === 3 && hmc === 0)) return false;
  return (pxc & (el === 0 || !privileged ? 2 : 1)) !== 0;
}

/** Breakpoint types (DBGBCR.BT). */
const BT_ADDRESS = 0;
const BT_ADDRESS_LINKED = 1;
const BT_CONTEXT = 2;
const BT_CONTEXT_LINKED = 3;

/** Whether breakpoint `n` is context-aware (the last {@link CONTEXT_BREAKPOINTS}). */
const contextAware = (n: number): boolean => n >= BREAKPOINTS - CONTEXT_BREAKPOINTS;

/** Breakpoint `n`'s context comparison: CONTEXTIDR_EL1 (the guest's, in `sys`) equals DBGBVR<n>[31:0]. */
function contextMatches(sys: BigUint64Array, regs: DebugRegisters, n: number): boolean {
  return (regs.bvr(n) & 0xffff_ffffn) === (sys[SysReg.CONTEXTIDR_EL1]! & 0xffff_ffffn);
}

/** The linked context breakpoint `lbn` of a linked breakpoint or watchpoint matches (enabled, BT = 0b0011). */
function linkMatches(sys: BigUint64Array, regs: DebugRegisters, lbn: number): boolean {
  if (lbn >= BREAKPOINTS || !contextAware(lbn)) return false;
  const ctl = Number(regs.bcr(lbn) & 0xffff_ffffn);
  return (ctl & 1) !== 0 && ((ctl >>> 20) & 0xf) === BT_CONTEXT_LINKED && contextMatches(sys, regs, lbn);
}

/**
 * Whether a breakpoint of `regs` (default: the guest's, in `sys`) matches the instruction at `pc`
 * (AArch64.CheckBreakpoint's match, for an A64 instruction) at `el`. The caller knows debug exceptions are enabled
 * and MDSCR_EL1.MDE = 1.
 */
export function breakpointHit(sys: BigUint64Array, pc: bigint, el: number,
  regs: DebugRegisters = guestDebugRegisters(sys)): boolean {
  for (let n = 0; n < BREAKPOINTS; n++) {
    const ctl = Number(regs.bcr(n) & 0xffff_ffffn);
    if ((ctl & 1) === 0 || !stateMatches(ctl, el, true)) continue;
    const bt = (ctl >>> 20) & 0xf;
    const lbn = (ctl >>> 16) & 0xf;
    if (bt === BT_ADDRESS || bt === BT_ADDRESS_LINKED) {
      // Instruction address match on bits [63:2] (BVR bits [1:0] are RES0; BAS is 0b1111 for A64 code).
      if ((pc >> 2n) !== (vrAddress(regs.bvr(n)) >> 2n)) continue;
      if (bt === BT_ADDRESS_LINKED && !linkMatches(sys, regs, lbn)) continue;
      return true;
    }
    if (bt === BT_CONTEXT && contextAware(n) && contextMatches(sys, regs, n)) return true;
    // BT_CONTEXT_LINKED never generates a breakpoint by itself; every other type is reserved here.
  }
  return false;
}

/** A watchpoint hit: the exception's FAR and WnR. */
export interface WatchpointHit {
  /** The lowest address of the access that a matching watchpoint watches. */
  readonly far: bigint;
  readonly write: boolean;
}

/**
 * AArch64.CheckWatchpoint's match for a data access of `size` bytes at `va` (its bytes `va` .. `va + size - 1`):
 * the hit with the lowest matching byte over all watchpoints, or undefined. `read`/`write`: the access loads,
 * stores, or both (an atomic). `privileged`: false for LDTR/STTR. `tbi`: the top byte is ignored for this address
 * (TCR_EL1.TBI0/TBI1), so bits [63:56] are not compared. `regs`: the watchpoints (default: the guest's, in `sys`).
 * The caller knows debug exceptions are enabled and MDSCR_EL1.MDE = 1.
 */
export function watchpointHit(sys: BigUint64Array, va: bigint, size: number, read: boolean, write: boolean,
  el: number, privileged: boolean, tbi: boolean, regs: DebugRegisters = guestDebugRegisters(sys)): WatchpointHit | undefined {
  const norm = tbi ? BigInt.asUintN(64, BigInt.asIntN(56, va)) : va;
  const end = norm + BigInt(size); // exclusive; a wrap past 2^64 is not a valid access
  let best: bigint | undefined;
  let bestWrite = false;
  for (let n = 0; n < WATCHPOINTS; n++) {
    const ctl = Number(regs.wcr(n) & 0xffff_ffffn);
    if ((ctl & 1) === 0 || !stateMatches(ctl, el, privileged)) continue;
    const lsc = (ctl >>> 3) & 3;
    const asWrite = write && (lsc & 2) !== 0;
    if (!(read && (lsc & 1) !== 0) && !asWrite) continue;
    if ((ctl >>> 20) & 1 && !linkMatches(sys, regs, (ctl >>> 16) & 0xf)) continue;
    const wvr = vrAddress(regs.wvr(n));
    const mask = (ctl >>> 24) & 0x1f;
    let first: bigint | undefined;
    if (mask !== 0) {
      if (mask < 3) continue; // reserved MASK: disabled
      const lo = (wvr >> BigInt(mask)) << BigInt(mask);
      const hi = lo + (1n << BigInt(mask));
      if (norm < hi && end > lo) first = norm > lo ? norm : lo;
    } else {
      const word = (wvr & 4n) !== 0n;
      const base = word ? wvr & ~3n : wvr & ~7n;
      const bas = ((ctl >>> 5) & 0xff) & (word ? 0xf : 0xff);
      for (let i = 0; i < 8; i++) {
        if (((bas >>> i) & 1) === 0) continue;
        const b = base + BigInt(i);
        if (b >= norm && b < end) {
          first = b;
          break;
        }
      }
    }
    if (first !== undefined && (best === undefined || first < best)) {
      best = first;
      bestWrite = asWrite;
    }
  }
  if (best === undefined) return undefined;
  return { far: BigInt.asUintN(64, va + (best - norm)), write: bestWrite };
}

/**
 * DebugExceptionReturnSS(spsr): PSTATE.SS after an exception return from EL1 on this PE (`spsr`: SPSR[31:0]). SPSR.SS (bit 21) is kept
 * only when MDSCR_EL1.SS = 1, debug exceptions were disabled where the ERET executed and are enabled at its target
 * (`destEl`: SPSR.M's EL, or the current EL for an illegal return; masked by SPSR.D); otherwise 0. While the
 * hypervisor debugs, its configuration decides (debug exceptions are then enabled at EL1, so SS becomes 0).
 */
export function exceptionReturnSs(cpu: Cpu, spsr: number, destEl: number): number {
  const h = cpu.hostDebug;
  const config = h !== undefined ? hostDebugConfig(h, cpu.sys) : debugConfig(cpu.sys);
  if ((config & Dbg.STEP) === 0) return 0;
  const atSource = debugEnabledFrom(config, cpu.el, (cpu.daif & 8) !== 0);
  const atDest = debugEnabledFrom(config, destEl, (spsr & (1 << 9)) !== 0);
  return !atSource && atDest ? (spsr >>> 21) & 1 : 0;
}
