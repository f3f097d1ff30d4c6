/**
 * Lazy FP/SIMD switching (`VmOptions.lazyFp`, model-specific): what KVM does with CPTR_EL2.TFP. When a vCPU is
 * scheduled (every `Vcpu.run()`: KVM's vcpu_load) its FP/SIMD state counts as not loaded and TFP is set, so the
 * guest's first SIMD&FP instruction (or MRS/MSR of FPCR/FPSR) traps to EL2 with EC 0x07, after the guest's own
 * CPACR_EL1.FPEN check (aarch64-cpu fpsimd/access.ts). The trap loads the state, clears TFP and resumes the guest at
 * the same instruction (kvm_hyp_handle_fpsimd); a run that uses no SIMD&FP takes no trap.
 *
 * In this model a vCPU's FP/SIMD registers always live in its own CPU state block, and no host FP state shares the
 * register file, so "loading" moves nothing: what is modelled is when the trap is taken, that it is invisible to
 * the guest, and how often it happens (`traps`, Vcpu.fpTraps).
 */
import { CPTR, type Cpu, SysReg } from '@kvm-mte/aarch64-cpu';

export class LazyFp {
  /** Traps taken (each loaded the vCPU's FP/SIMD state). */
  traps = 0;

  constructor(readonly enabled: boolean) {}

  /** vcpu_load: with lazy switching, the FP/SIMD state is not loaded, so its first use traps (TFP set). */
  load(cpu: Cpu): void {
    if (this.enabled) cpu.sys[SysReg.CPTR_EL2] = cpu.sys[SysReg.CPTR_EL2]! | CPTR.TFP;
  }

  /**
   * A SIMD&FP trap to EL2 (EC 0x07): only CPTR_EL2.TFP causes one, and only this class sets it. The state is
   * loaded: TFP is cleared, and the guest resumes at the trapping instruction, which now runs.
   */
  trap(cpu: Cpu): void {
    cpu.sys[SysReg.CPTR_EL2] = cpu.sys[SysReg.CPTR_EL2]! & ~CPTR.TFP;
    this.traps++;
  }
}
