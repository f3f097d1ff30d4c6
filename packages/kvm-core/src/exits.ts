/**
 * What `Vcpu.run()` returns: a discriminated union on `reason`, each member also carrying the numeric KVM
 * `exit_reason` (`exitReason`), as `kvm_run` would.
 */
import type {
  KVM_EXIT_ARM_NISV, KVM_EXIT_ARM_TAG_ACCESS, KVM_EXIT_DEBUG, KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_INTR, KVM_EXIT_MMIO,
  KVM_EXIT_SYSTEM_EVENT,
} from './uapi.js';

/**
 * KVM_EXIT_MMIO: a guest load or store to an IPA no memslot backs (or a write to a read-only memslot).
 * For a write, `data[0..len)` holds the stored bytes (little-endian). For a read, the VMM writes the loaded value
 * into `data[0..len)` before the next `run()`, which completes the load into the destination register (sign- or
 * zero-extended as the instruction says) and steps past the instruction. Either way the guest PC stays on the
 * access until that next `run()`.
 */
export interface MmioExit {
  readonly reason: 'mmio';
  readonly exitReason: typeof KVM_EXIT_MMIO;
  /** The faulting IPA: HPFAR's page plus FAR[11:0]. */
  readonly physAddr: bigint;
  readonly len: 1 | 2 | 4 | 8;
  readonly isWrite: boolean;
  /** 8 bytes owned by the vCPU (kvm_run.mmio.data); only the first `len` matter. */
  readonly data: Uint8Array;
}

/**
 * KVM_EXIT_SYSTEM_EVENT: PSCI SYSTEM_OFF (type KVM_SYSTEM_EVENT_SHUTDOWN) or SYSTEM_RESET / SYSTEM_RESET2
 * (KVM_SYSTEM_EVENT_RESET). Every vCPU of the VM is stopped; re-initialise them (armVcpuInit) to reset.
 * `data` is kvm_run.system_event.data[0..ndata): [flags] (KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 for RESET2).
 */
export interface SystemEventExit {
  readonly reason: 'system-event';
  readonly exitReason: typeof KVM_EXIT_SYSTEM_EVENT;
  readonly type: number;
  readonly data: readonly bigint[];
}

/**
 * KVM_EXIT_INTR: `run()` returned with nothing for the VMM to emulate.
 * - 'budget': the vCPU used its instruction slice (`Vcpu.runBudget`); just call `run()` again. (Linux returns
 *   this exit when a signal interrupts KVM_RUN.)
 * - 'wfi': the guest is idle (WFI, or PSCI CPU_SUSPEND, with no interrupt pending). Linux would block in the
 *   kernel; here the VMM decides when to run again (after raising an interrupt line or a timer firing). The WFI
 *   has already been completed: the next `run()` continues after it.
 * - 'immediate': `vcpu.immediateExit` was set (kvm_run.immediate_exit): Linux's KVM_RUN returns EINTR at once,
 *   after completing a pending MMIO access, without entering the guest.
 * - 'stopped': the vCPU is powered off (KVM_ARM_VCPU_POWER_OFF, PSCI CPU_OFF, SYSTEM_OFF/RESET); Linux would
 *   block until another vCPU's PSCI CPU_ON. `run()` keeps returning this until then.
 * - 'yield' (model-specific, only with `vcpu.yieldExits`): the guest executed a YIELD, or a WFE with no event pending:
 *   it is spinning on something only another vCPU can change, so a VMM running vCPUs in turns may run another one
 *   now. The instruction has completed: the next `run()` continues after it.
 */
export interface IntrExit {
  readonly reason: 'intr';
  readonly exitReason: typeof KVM_EXIT_INTR;
  readonly cause: 'budget' | 'wfi' | 'stopped' | 'immediate' | 'yield';
}

/**
 * KVM_EXIT_INTERNAL_ERROR: the model failed (a bug in the CPU, MMU or kvm-core), never a guest error.
 * The vCPU is left at the instruction it was executing.
 */
export interface InternalErrorExit {
  readonly reason: 'internal-error';
  readonly exitReason: typeof KVM_EXIT_INTERNAL_ERROR;
  /** KVM_INTERNAL_ERROR_EMULATION or KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON. */
  readonly suberror: number;
  readonly message: string;
  /** The thrown value, when there was one. */
  readonly cause?: unknown;
}

/**
 * KVM_EXIT_ARM_NISV (only with KVM_CAP_ARM_NISV_TO_USER enabled): an MMIO access whose syndrome does not
 * describe it (ISV = 0: load/store pair, writeback, ...). The guest PC stays on the instruction.
 */
export interface ArmNisvExit {
  readonly reason: 'arm-nisv';
  readonly exitReason: typeof KVM_EXIT_ARM_NISV;
  /** ESR_EL2 restricted to CM, WnR and the fault status code, as Linux reports it. */
  readonly esrIss: bigint;
  readonly faultIpa: bigint;
}

/**
 * MODEL-SPECIFIC exit (KVM_EXIT_ARM_TAG_ACCESS, not a Linux value): the guest made a tag access (tag-checked load
 * or store, LDG, STG, ...) to a page that stage 2 maps with FEAT_MTE_PERM's NoTagAccess attribute (the
 * `noTagAccess` page policy maps memory that cannot hold tags that way). The MMU raised a stage-2 permission fault
 * with ESR.ISS2.TagAccess; the guest PC stays on the instruction, so a plain `run()` re-executes it and exits again:
 * the VMM decides (e.g. stop the guest, or step PC via ONE_REG after emulating).
 */
export interface ArmTagAccessExit {
  readonly reason: 'arm-tag-access';
  readonly exitReason: typeof KVM_EXIT_ARM_TAG_ACCESS;
  /** The faulting IPA (HPFAR's page | FAR[11:0]). */
  readonly ipa: bigint;
  readonly isWrite: boolean;
}

/**
 * KVM_EXIT_DEBUG (only while KVM_SET_GUEST_DEBUG is enabled, `Vcpu.setGuestDebug`): a debug exception the guest
 * took went to the VMM (kvm_run.debug.arch). By ESR_EL2.EC (`hsr >>> 26`):
 * - 0x3C BRK64: a BRK instruction; ISS[15:0] its comment. The PC stays on the BRK: step it (PC + 4 through ONE_REG)
 *   or re-inject the exception into the guest.
 * - 0x32 software step (KVM_GUESTDBG_SINGLESTEP): one instruction completed (ISS.ISV = 1; EX = it was a
 *   load-exclusive), or the vCPU arrived at an instruction before executing one (ISV = 0: after an exception entry
 *   or return, or an instruction kvm-core emulated). The PC is the next instruction to execute.
 * - 0x30 breakpoint, 0x34 watchpoint (KVM_GUESTDBG_USE_HW, or the guest's own while debugging): the PC stays on the
 *   instruction, which has not executed; a watchpoint's `far` is the address watched (ISS.WnR: a store).
 */
export interface DebugExit {
  readonly reason: 'debug';
  readonly exitReason: typeof KVM_EXIT_DEBUG;
  /** ESR_EL2[31:0] (kvm_run.debug.arch.hsr). */
  readonly hsr: number;
  /** ESR_EL2[63:32] (hsr_high; kvm_run.flags has KVM_DEBUG_ARCH_HSR_HIGH_VALID). */
  readonly hsrHigh: number;
  /** FAR_EL2 for a watchpoint, else 0. */
  readonly far: bigint;
}

export type KvmExit = MmioExit | SystemEventExit | IntrExit | InternalErrorExit | ArmNisvExit | ArmTagAccessExit | DebugExit;
