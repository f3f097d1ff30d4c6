/**
 * KVM_GET_VCPU_EVENTS / KVM_SET_VCPU_EVENTS on arm64 (struct kvm_vcpu_events' `exception`): a pending virtual
 * SError, and an external data abort to inject (KVM_CAP_ARM_INJECT_EXT_DABT), as Linux's
 * __kvm_arm_vcpu_get_events/__kvm_arm_vcpu_set_events do them.
 *
 * - SError: `serrorPending` sets HCR_EL2.VSE (Cpu.virtualSError); the guest takes it when PSTATE.A is clear. Without
 *   the RAS extension (the model has none) an SError cannot carry a syndrome: `serrorHasEsr` with `serrorPending` is
 *   EINVAL, and GET reports `serrorHasEsr` false.
 * - External data abort: `extDabtPending` makes the next KVM_RUN enter the guest's synchronous exception vector with
 *   a Data Abort (EC 0x24 from EL0, 0x25 from EL1; IL = 1; DFSC 0x10, synchronous External abort; no WnR, as Linux's
 *   inject_abt64 builds it) at the address of the last stage-2 abort (Linux's HFAR: the faulting VA), and drops the
 *   completion of the MMIO access that exited (Linux does not retire an aborted MMIO instruction). GET always
 *   reports it false: it is consumed when set.
 */
import { fail } from './errors.js';

export interface VcpuEvents {
  readonly exception: {
    readonly serrorPending: boolean;
    readonly serrorHasEsr: boolean;
    readonly extDabtPending: boolean;
    /** ESR ISS of the SError (only with serrorHasEsr, which needs RAS). */
    readonly serrorEsr: bigint;
  };
}

/** What SET asks for, after Linux's checks (EINVAL as Linux answers them). */
export function checkVcpuEvents(e: VcpuEvents): { serror: boolean; extDabt: boolean } {
  const x = e?.exception;
  if (x === undefined || x === null) fail('EINVAL', 'vcpu events without an exception part');
  for (const k of ['serrorPending', 'serrorHasEsr', 'extDabtPending'] as const) {
    if (typeof x[k] !== 'boolean') fail('EINVAL', `vcpu events: exception.${k} must be a boolean`);
  }
  if (typeof x.serrorEsr !== 'bigint') fail('EINVAL', 'vcpu events: exception.serrorEsr must be a bigint');
  if (x.serrorPending && x.serrorHasEsr) fail('EINVAL', 'an SError syndrome needs the RAS extension, which this vCPU has not');
  return { serror: x.serrorPending, extDabt: x.extDabtPending };
}

/** The events GET reports for a vCPU whose virtual SError is or is not pending. */
export function vcpuEventsOf(serrorPending: boolean): VcpuEvents {
  return { exception: { serrorPending, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n } };
}
