/**
 * Injecting a synchronous External abort (a Data Abort, DFSC 0x10) into a vCPU from the VMM, for an MMIO access
 * no device claims: what QEMU's virt board does under TCG (measured: ESR_EL1 0x96000010 for a load from
 * 0x0c00_0000, 0x96000050 for a store, FAR_EL1 = the address, ELR_EL1 = the access).
 *
 * Linux KVM offers this as KVM_SET_VCPU_EVENTS with `exception.ext_dabt_pending` (KVM_CAP_ARM_INJECT_EXT_DABT), and
 * so does kvm-core (`Vcpu.setVcpuEvents`): {@link injectExternalDataAbort} uses it for loads, where the abort KVM
 * injects is exactly the TCG board's (ESR_EL1 0x96000010 at EL1, FAR_EL1 the faulting VA, the MMIO completion
 * dropped). For a store it cannot: Linux's abort has no WnR bit, where QEMU's TCG board (the oracle every guest's
 * output is compared with) reports WnR. So for stores vmm-lite performs the exception entry itself through ONE_REG
 * ({@link injectSyncExternalAbort}: AArch64 TakeException to EL1: SPSR_EL1, ELR_EL1, ESR_EL1, FAR_EL1, PSTATE, PC =
 * VBAR_EL1 + vector offset), as QEMU's board does.
 *
 * After an `mmio` exit kvm-core's next run() would complete the access (write `data` into a load's destination
 * register, step PC past it). Linux drops that completion when an abort is injected, and so must we: KVM_SET_VCPU_EVENTS
 * does it itself; before the ONE_REG entry, {@link discardPendingMmio}.
 *
 * FAR_EL1 of the ONE_REG entry is the faulting IPA: the exit does not carry the VA. That is exact while the guest's
 * MMU is off (VA = IPA); with the MMU on, a store's FAR_EL1 holds the IPA instead of the VA (documented in
 * README.md). A load's, injected by kvm-core, is the VA.
 */
import { arm64SysReg, CoreReg, KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_STOPPED, type Vcpu } from '@kvm-mte/kvm-core';

export const SysRegId = {
  SCTLR_EL1: arm64SysReg(3, 0, 1, 0, 0),
  ESR_EL1: arm64SysReg(3, 0, 5, 2, 0),
  FAR_EL1: arm64SysReg(3, 0, 6, 0, 0),
  VBAR_EL1: arm64SysReg(3, 0, 12, 0, 0),
} as const;

const EC_DABT_LOWER = 0x24;
const EC_DABT_CUR = 0x25;
const DFSC_SYNC_EXTERNAL = 0x10;
const ESR_IL = 1n << 25n;
const ESR_WNR = 1n << 6n;

/** PSTATE bits, in SPSR layout. */
const PSR = {
  M_EL1H: 0x5n, DAIF: 0x3c0n, SSBS: 1n << 12n, PAN: 1n << 22n, DIT: 1n << 24n, TCO: 1n << 25n, NZCV: 0xfn << 28n,
} as const;
const SCTLR_SPAN = 1n << 23n;
const SCTLR_DSSBS = 1n << 44n;
const U64 = (1n << 64n) - 1n;

export interface AbortInjection {
  /** The address to report in FAR_EL1. */
  far: bigint;
  /** The access was a write (ESR.WnR). */
  write: boolean;
  /** The VM has MTE: exception entry sets PSTATE.TCO. */
  mte: boolean;
}

/**
 * Take a synchronous External abort on the access that just exited to the VMM (an `mmio`, `arm-nisv` or
 * `arm-tag-access` exit): a load through KVM_SET_VCPU_EVENTS (ext_dabt_pending), a store through
 * {@link injectSyncExternalAbort} after {@link discardPendingMmio} (see above for why).
 */
export function injectExternalDataAbort(vcpu: Vcpu, a: AbortInjection & { pendingMmio: boolean }): void {
  if (!a.write) {
    vcpu.setVcpuEvents({ exception: { serrorPending: false, serrorHasEsr: false, extDabtPending: true, serrorEsr: 0n } });
    return;
  }
  if (a.pendingMmio) discardPendingMmio(vcpu);
  injectSyncExternalAbort(vcpu, a);
}

/** Take a synchronous External abort on the vCPU's current instruction (the access), by ONE_REG writes. */
export function injectSyncExternalAbort(vcpu: Vcpu, a: AbortInjection): void {
  const pstate = vcpu.getOneReg(CoreReg.PSTATE);
  const pc = vcpu.getOneReg(CoreReg.PC);
  const el = Number((pstate >> 2n) & 3n);
  const spx = (pstate & 1n) !== 0n;
  const vbar = vcpu.getOneReg(SysRegId.VBAR_EL1);
  const sctlr = vcpu.getOneReg(SysRegId.SCTLR_EL1);
  const ec = el === 0 ? EC_DABT_LOWER : EC_DABT_CUR;
  const esr = (BigInt(ec) << 26n) | ESR_IL | (a.write ? ESR_WNR : 0n) | BigInt(DFSC_SYNC_EXTERNAL);
  const vectorOffset = el === 0 ? 0x400n : spx ? 0x200n : 0n; // synchronous, from lower EL / current EL SPx / SP0

  let next = (pstate & (PSR.NZCV | PSR.DIT)) | PSR.DAIF | PSR.M_EL1H;
  if ((sctlr & SCTLR_SPAN) === 0n) next |= PSR.PAN;
  if ((sctlr & SCTLR_DSSBS) !== 0n) next |= PSR.SSBS;
  if (a.mte) next |= PSR.TCO;

  vcpu.setOneReg(CoreReg.spsr(0), pstate);
  vcpu.setOneReg(CoreReg.ELR_EL1, pc);
  vcpu.setOneReg(SysRegId.ESR_EL1, esr);
  vcpu.setOneReg(SysRegId.FAR_EL1, a.far & U64);
  vcpu.setOneReg(CoreReg.PSTATE, next);
  const target = (vbar & ~0x7ffn) + vectorOffset;
  vcpu.setOneReg(CoreReg.PC, target & U64);
}

/**
 * Cancel the completion kvm-core keeps pending after an `mmio` exit, so the access has had no effect: the vCPU is
 * left on the access instruction with every general register as it was. Done with public calls only: with the vCPU
 * marked stopped, run() performs the completion and returns before executing anything; the registers and PC are
 * then put back.
 */
export function discardPendingMmio(vcpu: Vcpu): void {
  const saved: bigint[] = [];
  for (let n = 0; n <= 30; n++) saved.push(vcpu.getOneReg(CoreReg.x(n)));
  const pc = vcpu.getOneReg(CoreReg.PC);
  const state = vcpu.getMpState();
  vcpu.setMpState(KVM_MP_STATE_STOPPED);
  try {
    const exit = vcpu.run();
    if (exit.reason !== 'intr' || exit.cause !== 'stopped') throw new Error(`expected a 'stopped' exit while discarding an MMIO completion, got '${exit.reason}'`);
  } finally {
    vcpu.setMpState(state === KVM_MP_STATE_STOPPED ? KVM_MP_STATE_STOPPED : KVM_MP_STATE_RUNNABLE);
  }
  for (let n = 0; n <= 30; n++) {
    if (vcpu.getOneReg(CoreReg.x(n)) !== saved[n]) vcpu.setOneReg(CoreReg.x(n), saved[n]!);
  }
  vcpu.setOneReg(CoreReg.PC, pc);
}
