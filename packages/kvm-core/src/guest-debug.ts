/**
 * KVM_SET_GUEST_DEBUG: the VMM (a GDB stub) debugs the guest without the guest seeing it, as Linux arm64 KVM does.
 *
 * While `control` has KVM_GUESTDBG_ENABLE, every run of the vCPU gives its CPU a {@link HostDebug} (aarch64-cpu
 * debug.ts: MDCR_EL2.TDE), so every debug exception the guest takes, and every BRK it executes, is a trap to EL2,
 * which `Vcpu.run` returns as a KVM_EXIT_DEBUG ({@link debugExit}). On top of that:
 * - KVM_GUESTDBG_SINGLESTEP: the hypervisor's MDSCR_EL1.SS is set and PSTATE.SS is the hypervisor's while the guest
 *   runs ({@link GuestDebug.load} and {@link GuestDebug.put}, Linux's setup and clear of the debug state around the
 *   guest): set when entering, so the vCPU executes one instruction and exits with a software step exception; if the
 *   last run left the step active-pending (PSTATE.SS = 0: an exception was entered, an instruction kvm-core emulated
 *   completed, an MMIO exit was completed), the exit comes before any instruction. After a step exit the next run
 *   steps one more instruction. The guest's own PSTATE.SS is put back after every run, so ONE_REG PSTATE shows the
 *   guest's, and its MDSCR_EL1 (its own software step is suppressed meanwhile, as Linux does) is never changed.
 * - KVM_GUESTDBG_USE_HW: the `arch` breakpoint and watchpoint registers given replace the guest's (whose values stay
 *   as they are: the guest reads and writes its own) with MDSCR_EL1.MDE set; only the first BREAKPOINTS (6) and
 *   WATCHPOINTS (4), what the CPU implements and KVM_CAP_GUEST_DEBUG_HW_BPS/WPS report, are used. Without it, the
 *   guest's own breakpoints and watchpoints stay armed when its MDSCR_EL1.MDE is set (and its OS lock clear), and
 *   their hits exit to the VMM too, which re-injects them if it wants the guest to see them.
 * - KVM_GUESTDBG_USE_SW_BP: accepted, and changes nothing more: as in Linux, BRK already exits once debugging is
 *   enabled.
 *
 * What a guest can see: nothing of the above but its timing, and one thing real hardware shows as well: an exception
 * the guest takes while being stepped saves PSTATE.SS = 1 in SPSR_EL1.SS.
 */
import { BREAKPOINTS, type Cpu, HostDebug, WATCHPOINTS } from '@kvm-mte/aarch64-cpu';
import { fail } from './errors.js';
import type { DebugExit } from './exits.js';
import {
  KVM_ARM_MAX_DBG_REGS, KVM_EXIT_DEBUG, KVM_GUESTDBG_ENABLE, KVM_GUESTDBG_SINGLESTEP, KVM_GUESTDBG_USE_HW,
  KVM_GUESTDBG_VALID_MASK,
} from './uapi.js';

/** `struct kvm_guest_debug_arch`: the hypervisor's breakpoint and watchpoint registers (at most 16 each). */
export interface KvmGuestDebugArch {
  readonly bcr?: readonly bigint[];
  readonly bvr?: readonly bigint[];
  readonly wcr?: readonly bigint[];
  readonly wvr?: readonly bigint[];
}

/** `struct kvm_guest_debug`: the KVM_GUESTDBG_* control bits and, for USE_HW, the registers. */
export interface KvmGuestDebug {
  readonly control: number;
  readonly arch?: KvmGuestDebugArch;
}

/** ESR_ELx.EC of a software step exception from a lower EL. */
const EC_SOFTSTEP_LOW = 0x32;
/** ESR_ELx.EC of a watchpoint from a lower EL. */
const EC_WATCHPOINT_LOW = 0x34;
const U64_MAX = (1n << 64n) - 1n;

/** One vCPU's guest debug state (Vcpu.setGuestDebug). */
export class GuestDebug {
  /** The control bits in force (0: not debugging). */
  private control = 0;
  /** What the vCPU's CPU is given while it runs. */
  private readonly host = new HostDebug();
  /** The hypervisor's software step was active-pending when the last run ended (Linux's DBG_SS_ACTIVE_PENDING). */
  private hostSsPending = false;
  /** The guest's own PSTATE.SS, kept aside while the hypervisor's is loaded. */
  private guestSs = 0;
  /** {@link load} put the hypervisor's PSTATE.SS in place. */
  private stepping = false;

  /** Whether KVM_GUESTDBG_ENABLE is in force. */
  get enabled(): boolean {
    return (this.control & KVM_GUESTDBG_ENABLE) !== 0;
  }

  /**
   * KVM_SET_GUEST_DEBUG: check `dbg` (EINVAL: control not a u32 or with bits outside KVM_GUESTDBG_VALID_MASK, as
   * Linux; model-specific, as the C struct cannot have them: an `arch` array longer than 16 or holding a value that
   * is not a u64) and make it the state in force from the next run. Without KVM_GUESTDBG_ENABLE debugging stops (the
   * other bits are ignored). The registers are taken only with KVM_GUESTDBG_USE_HW; otherwise the last ones given
   * stay (unused). A failed call changes nothing.
   */
  set(dbg: KvmGuestDebug): void {
    const control = dbg.control;
    if (!Number.isInteger(control) || control < 0 || control > 0xffff_ffff) fail('EINVAL', `guest debug control ${String(control)} is not a u32`);
    const unknown = control & ~KVM_GUESTDBG_VALID_MASK;
    if (unknown !== 0) fail('EINVAL', `unknown guest debug control bits 0x${(unknown >>> 0).toString(16)}`);
    const enable = (control & KVM_GUESTDBG_ENABLE) !== 0;
    const useHw = enable && (control & KVM_GUESTDBG_USE_HW) !== 0;
    const arch = dbg.arch ?? {};
    const regs = {
      bcr: checkRegs(arch.bcr, 'bcr'), bvr: checkRegs(arch.bvr, 'bvr'),
      wcr: checkRegs(arch.wcr, 'wcr'), wvr: checkRegs(arch.wvr, 'wvr'),
    };
    this.control = enable ? control : 0;
    if ((this.control & KVM_GUESTDBG_SINGLESTEP) === 0) this.hostSsPending = false;
    if (!useHw) return;
    const h = this.host;
    for (let n = 0; n < BREAKPOINTS; n++) {
      h.bcrs[n] = regs.bcr[n] ?? 0n;
      h.bvrs[n] = regs.bvr[n] ?? 0n;
    }
    for (let n = 0; n < WATCHPOINTS; n++) {
      h.wcrs[n] = regs.wcr[n] ?? 0n;
      h.wvrs[n] = regs.wvr[n] ?? 0n;
    }
  }

  /**
   * Entering the guest (Linux's debug setup before the world switch): give the CPU the hypervisor's debug state, and
   * with SINGLESTEP load the hypervisor's PSTATE.SS, keeping the guest's aside.
   */
  load(cpu: Cpu): void {
    if (!this.enabled) {
      if (cpu.hostDebug !== undefined) {
        cpu.hostDebug = undefined;
        cpu.debugChanged();
      }
      return;
    }
    const h = this.host;
    h.step = (this.control & KVM_GUESTDBG_SINGLESTEP) !== 0;
    h.hardware = (this.control & KVM_GUESTDBG_USE_HW) !== 0;
    cpu.hostDebug = h;
    this.stepping = h.step;
    if (h.step) {
      this.guestSs = cpu.pstateSs;
      cpu.pstateSs = this.hostSsPending ? 0 : 1;
    }
    cpu.debugChanged();
  }

  /**
   * Leaving the guest (Linux's debug clear after it): with SINGLESTEP remember whether the step is active-pending
   * and put the guest's PSTATE.SS back; the CPU's debug goes back to the guest.
   */
  put(cpu: Cpu): void {
    if (this.stepping) {
      this.hostSsPending = cpu.pstateSs === 0;
      cpu.pstateSs = this.guestSs;
      this.stepping = false;
    }
    if (cpu.hostDebug !== undefined) {
      cpu.hostDebug = undefined;
      cpu.debugChanged();
    }
  }

  /**
   * kvm_handle_guest_debug: the KVM_EXIT_DEBUG for the debug exception (or BRK) the CPU trapped to EL2. After a
   * software step the next run steps one more instruction (PSTATE.SS = 1: active-not-pending).
   */
  exit(cpu: Cpu): DebugExit {
    const esr = cpu.el2.esr;
    const ec = Number((esr >> 26n) & 0x3fn);
    if (ec === EC_SOFTSTEP_LOW && this.stepping) cpu.pstateSs = 1;
    return {
      reason: 'debug',
      exitReason: KVM_EXIT_DEBUG,
      hsr: Number(esr & 0xffff_ffffn),
      hsrHigh: Number(esr >> 32n),
      far: ec === EC_WATCHPOINT_LOW ? cpu.el2.far : 0n,
    };
  }
}

/** An `arch` register array: at most 16 u64 values (EINVAL otherwise); absent is all zeros. */
function checkRegs(values: readonly bigint[] | undefined, name: string): readonly bigint[] {
  if (values === undefined) return [];
  if (!Array.isArray(values) || values.length > KVM_ARM_MAX_DBG_REGS) {
    fail('EINVAL', `guest debug arch.${name} must be an array of at most ${KVM_ARM_MAX_DBG_REGS} values`);
  }
  values.forEach((v, i) => {
    if (typeof v !== 'bigint' || v < 0n || v > U64_MAX) fail('EINVAL', `guest debug arch.${name}[${i}] is not a u64`);
  });
  return values;
}
