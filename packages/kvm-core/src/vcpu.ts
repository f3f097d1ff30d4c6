/**
 * A vCPU handle: its own CPU model and MMU, ONE_REG access, and `run()`, which enters the guest and handles what
 * Linux's KVM handles in the kernel (stage-2 faults on RAM, PSCI, WFI, the in-kernel vGIC's MMIO frames, traps KVM
 * answers with UNDEF) until something needs the VMM.
 */
import { Cpu, Ec, FPCR_IMPLEMENTED as FPCR_BITS, FPSR_IMPLEMENTED as FPSR_BITS, type MemoryPort, setMteLevel, Stop, SYSREG_DEFS, SysReg, sysRegByKey, type SysRegDef } from '@kvm-mte/aarch64-cpu';
import { fail, KvmError } from './errors.js';
import type { ArmTagAccessExit, IntrExit, KvmExit, MmioExit } from './exits.js';
import { checkVcpuEvents, vcpuEventsOf, type VcpuEvents } from './vcpu-events.js';
import { GuestDebug, type KvmGuestDebug } from './guest-debug.js';
import { LazyFp } from './lazy-fp.js';
import type { Vm, VcpuInit } from './kvm.js';
import {
  affinityMask, KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_0_2, KVM_ARM_PSCI_1_0, KVM_ARM_PSCI_1_1, KVM_PSCI_FN,
  MPIDR_HWID_BITMASK, mpidrForVcpuId, PSCI, PSCI_AFFINITY_OFF, PSCI_AFFINITY_ON, PSCI_RESET2_SYSTEM_WARM_RESET,
  PSCI_RESET2_TYPE_VENDOR, PSCI_RET, PSCI_TOS_NOT_PRESENT_MP, SMCCC_ARCH_FEATURES_FUNC, SMCCC_VERSION_1_1,
  SMCCC_VERSION_FUNC,
} from './psci.js';
import {
  arm64SysReg, CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_EL1_32BIT, KVM_ARM_VCPU_MTE, KVM_ARM_VCPU_POWER_OFF,
  KVM_ARM_VCPU_PMU_V3, KVM_ARM_VCPU_PSCI_0_2, KVM_EXIT_ARM_TAG_ACCESS,
  KVM_EXIT_ARM_NISV, KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_INTR, KVM_EXIT_MMIO, KVM_EXIT_SYSTEM_EVENT,
  KVM_INTERNAL_ERROR_EMULATION, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, KVM_MEM_READONLY, KVM_MP_STATE_RUNNABLE,
  KVM_MP_STATE_STOPPED, KVM_REG_ARCH_MASK, KVM_REG_ARM_COPROC_MASK, KVM_REG_ARM_CORE, KVM_REG_ARM_FW,
  KVM_REG_ARM_PSCI_VERSION, KVM_REG_ARM64, KVM_REG_ARM64_SYSREG, KVM_REG_SIZE_MASK, KVM_REG_SIZE_U32, KVM_REG_SIZE_U64, KVM_REG_SIZE_U128,
  KVM_SYSTEM_EVENT_RESET, KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2, KVM_SYSTEM_EVENT_SHUTDOWN,
} from './uapi.js';
import { TIMER_REG_IDS, VcpuTimers } from './timer.js';
import { attachVgic, vgicMmio } from './vgic-guest.js';
import { VcpuPmu } from './pmu/vcpu-pmu.js';
import { checkPmuRunnable, getPmuAttr, hasPmuAttr, type PmuAttrHost, setPmuAttr } from './pmu/vcpu-attrs.js';
import type { DeviceAttr } from './vgic-device.js';

/** Feature bits KVM_ARM_VCPU_INIT accepts here (KVM_ARM_VCPU_MTE only on a host with MTE). */
const SUPPORTED_FEATURES = (1 << KVM_ARM_VCPU_POWER_OFF) | (1 << KVM_ARM_VCPU_PSCI_0_2) | (1 << KVM_ARM_VCPU_PMU_V3) |
  (1 << KVM_ARM_VCPU_MTE);

/** HCR_EL2 bits the model sets for every guest. */
const HCR_VM = 1n << 0n;
const HCR_SWIO = 1n << 1n;
const HCR_TWI = 1n << 13n;
const HCR_TSC = 1n << 19n;
const HCR_RW = 1n << 31n;
const HCR_ATA = 1n << 56n;
/** ESR_ELx.EC of the debug exceptions from a lower EL (trapped to EL2 while the VMM debugs the guest). */
const EC_BREAKPOINT_LOW = 0x30;
const EC_SOFTSTEP_LOW = 0x32;
const EC_WATCHPOINT_LOW = 0x34;
/** ESR_ELx.ISS2.TagAccess (ESR bit 41, FEAT_MTE_PERM). */
const ESR_ISS2_TAGACCESS = 1n << 41n;

/** ID_AA64PFR1_EL1.MTE [11:8] and MTE_frac [43:40]. */
const PFR1_MTE_FIELDS = (0xfn << 8n) | (0xfn << 40n);

/** Size of `struct kvm_regs` in 32-bit words (FP/SIMD state included). */
const KVM_REGS_WORDS = 216;
/** struct kvm_regs word offsets. */
const CORE_SP = 62;
const CORE_PC = 64;
const CORE_PSTATE = 66;
const CORE_SP_EL1 = 68;
const CORE_ELR_EL1 = 70;
const CORE_SPSR0 = 72;
/** fp_regs (struct user_fpsimd_state): vregs[32] (128-bit, 4 words each), then fpsr and fpcr (32-bit). */
const CORE_FP_START = 84;
const CORE_FPSR = CORE_FP_START + 128;
const CORE_FPCR = CORE_FPSR + 1;
const U128_MAX = (1n << 128n) - 1n;
const U32_MAX = 0xffff_ffffn;

/** MTE system registers hidden from non-MTE VMs (Linux's mte_visibility). */
const MTE_REGS = new Set<number>([SysReg.GCR_EL1, SysReg.RGSR_EL1, SysReg.TFSR_EL1, SysReg.TFSRE0_EL1]);
/** The ONE_REG id of a PMU register (its encoding as a system register's). */
const pmuRegId = (key: number): bigint => arm64SysReg(key >> 14, (key >> 11) & 7, (key >> 7) & 15, (key >> 3) & 15, key & 7);
/** The PMU's ONE_REG ids (pmu/vcpu-pmu.ts STATE_KEYS). */
const PMU_REG_IDS: ReadonlySet<bigint> = new Set(VcpuPmu.STATE_KEYS.map(pmuRegId));
/** Registers in the CPU's table that KVM exposes another way (core registers) or not at all. */
const NOT_SYSREG_STATE = new Set<number>([SysReg.SP_EL0, SysReg.ELR_EL1, SysReg.SPSR_EL1, SysReg.GMID_EL1]);
const U64_MAX = (1n << 64n) - 1n;
/** Times in a row one instruction may fault on the same page at stage 2 (a read, then a write under dirty logging). */
const MAX_FILLS_OF_ONE_PAGE = 2;
/** Stage-2 fills one run() does without charging its budget (one instruction needs far fewer). */
const MAX_FREE_FILLS_PER_RUN = 64;
/** OSLSR_EL1.OSLK: the OS lock, set and cleared by the guest through OSLAR_EL1. */
const OSLSR_OSLK = 1n << 1n;

/**
 * The memory port a CPU has before its MMU exists (never used for an access). Asserted rather than annotated, so it
 * keeps compiling while the MemoryPort interface grows (the MTE tag accessors).
 */
const noMemory = (): never => { throw new Error('vCPU has no MMU yet'); };
const NO_MEMORY = {
  read: noMemory, write: noMemory, fetch: noMemory, zeroBlock: noMemory, readTag: noMemory, writeTag: noMemory,
  controlChanged: () => {},
  tlbi: () => {},
} as MemoryPort;

interface PendingMmio {
  isWrite: boolean;
  len: number;
  rt: number;
  signExtend: boolean;
  sixtyFour: boolean;
}

/** A vCPU's exclusive monitor and event register ({@link Vcpu.getMonitorState}). */
export interface VcpuMonitorState {
  /** The event register (WFE/SEV). */
  event: boolean;
  /** The open reservation of the last load-exclusive: its virtual address, size, and guest physical address. */
  exclusive?: { va: bigint; size: number; ipa?: bigint };
}

export class Vcpu {
  /**
   * Steps one `run()` may take before returning an 'intr' exit with cause 'budget' (model-specific: the stand-in for
   * the signal that interrupts KVM_RUN). An instruction retired is one step, and so is each step that retires none:
   * an exception the CPU takes in place of an instruction, a trap kvm-core answers itself (an injected abort or
   * UNDEF; stage-2 fills only beyond the first few of a run). So `run()` returns after a bounded amount of work even
   * for a guest that only faults; a 'budget' exit with fewer instructions retired than the budget means the rest
   * went on such steps.
   */
  runBudget = 1_000_000;
  /**
   * Model-specific, like runBudget: set by the VMM before a `run()` to vouch that nothing wrote guest memory behind
   * kvm-core's back (writes reported through Vm.hostWrote excepted) since this vCPU's previous `run()` returned, so
   * that the run need not compare translated code with memory again (code-cache.ts: a new check epoch, after which
   * every block is compared once more and chains are relearnt through the run loop). Every `run()` resets it to
   * false. A VMM that vouches wrongly may run stale translated code.
   */
  hostUnchanged = false;
  private cpuState: Cpu | undefined;
  private retiredBeforeInit = 0;
  private features = 0;
  private stopped = false;
  private irq = false;
  private mpidr: bigint;
  private pendingMmio: PendingMmio | undefined;
  /** KVM_SET_VCPU_EVENTS asked for an external data abort: injected when the guest next runs (vcpu-events.ts). */
  private pendingExtDabt = false;
  /** The VA of the last stage-2 abort (Linux's HFAR), where an injected external data abort is reported. */
  private lastAbortVa = 0n;
  /** kvm_run.immediate_exit: KVM_RUN completes a pending MMIO access and returns an 'immediate' intr exit at once. */
  immediateExit = false;
  /**
   * Model-specific: `run()` returns an 'intr' exit with cause 'yield' after the guest executes a YIELD, or a WFE
   * with no event pending (the CPU's `stopOnYield`): a guest spinning on another vCPU. For a VMM that runs several
   * vCPUs in turns on one thread (real KVM's vCPUs run in parallel, and WFE's trap yields the physical CPU). Default
   * false: both complete as NOPs inside the run.
   */
  yieldExits = false;
  /** kvm_run.mmio.data */
  private readonly mmioData = new Uint8Array(8);
  /** KVM_SET_GUEST_DEBUG's state (guest-debug.ts); kept across KVM_ARM_VCPU_INIT, as in Linux. */
  private readonly guestDebug = new GuestDebug();
  /** Lazy FP/SIMD switching through CPTR_EL2.TFP (VmOptions.lazyFp, lazy-fp.ts). */
  private readonly lazyFp: LazyFp;
  /** spsr[1..4]: the AArch32 banked SPSRs, kept for ONE_REG only. */
  private readonly spsr32 = new BigUint64Array(4);
  /** @internal The vCPU's EL1 virtual and physical timers (timer.ts), its CPU's counter port. */
  readonly timers: VcpuTimers;
  /** @internal The vCPU's PMUv3 (pmu/vcpu-pmu.ts), its CPU's PMU port when it has KVM_ARM_VCPU_PMU_V3. */
  readonly pmu: VcpuPmu;

  /** @internal Created by `Vm.createVcpu`. */
  constructor(
    readonly vm: Vm,
    /** The vCPU id given to createVcpu. */
    readonly id: number,
    /** Position in the VM's vCPU list (KVM_IRQ_LINE's vcpu_index). */
    readonly index: number,
  ) {
    this.mpidr = mpidrForVcpuId(id);
    this.timers = new VcpuTimers(vm, index);
    this.pmu = new VcpuPmu(vm, index);
    this.lazyFp = new LazyFp(vm.lazyFp);
  }

  /**
   * Model-specific: SIMD&FP traps to EL2 this vCPU has taken to load its FP/SIMD state lazily (VmOptions.lazyFp; at
   * most one per run() that uses SIMD&FP; always 0 without the option).
   */
  get fpTraps(): number {
    return this.lazyFp.traps;
  }

  /**
   * Guest instructions this vCPU has retired since it was created, across re-initialisations (model-specific: real
   * KVM exposes this through the PMU). An MMIO access that exits to the VMM counts when run() completes it.
   */
  get instructionsRetired(): number {
    return this.retiredBeforeInit + (this.cpuState?.insnCount ?? 0);
  }

  /**
   * Model-specific: whether the vCPU's IRQ input is asserted (an interrupt the vGIC would signal, or the line
   * KVM_IRQ_LINE drives without one). A vCPU whose run() returned 'wfi' waits for this, as KVM_RUN would block.
   * Asking re-evaluates the vCPU's timers against the VM clock first (a deadline that has passed raises its PPI).
   */
  get irqPending(): boolean {
    this.timers.update();
    return this.irq;
  }

  /**
   * Model-specific: the VM clock value (`vm.clock.now()`'s scale) at which the first of this vCPU's timers raises
   * its interrupt, or undefined when neither is enabled and unmasked; at or before now when one is already high.
   * What a VMM waits for when run() returned 'wfi' (KVM_RUN would sleep until then): with the host clock, until
   * host time reaches it; with the deterministic clock, by `vm.clock.advanceTo` once every vCPU is idle.
   * Undefined before init.
   */
  timerDeadline(): bigint | undefined {
    return this.timers.deadline();
  }

  /** @internal The vCPU's MPIDR_EL1 (its affinity, as the vGIC routes by it). */
  get mpidrValue(): bigint {
    return this.mpidr;
  }

  /** Whether KVM_ARM_VCPU_INIT has succeeded. */
  get initialized(): boolean {
    return this.cpuState !== undefined;
  }

  /**
   * KVM_ARM_VCPU_INIT: reset the vCPU to the state Linux gives (EL1h, DAIF masked, registers zero, system registers
   * at reset, MPIDR from the id) and, with KVM_ARM_VCPU_POWER_OFF, leave it stopped. Calling it again resets.
   * With KVM_ARM_VCPU_PMU_V3 the vCPU has a PMUv3 (pmu/vcpu-pmu.ts; configure it with {@link setDeviceAttr}
   * before the first run), its registers reset at every init.
   * EINVAL: target not KVM_ARM_TARGET_GENERIC_V8; an unsupported feature (EL1_32BIT, SVE, PTRAUTH, HAS_EL2,
   * unknown bits); features other than POWER_OFF differing from the VM's first init or this vCPU's.
   */
  armVcpuInit(init: VcpuInit): void {
    const words = init.features ?? [];
    if (init.target !== KVM_ARM_TARGET_GENERIC_V8) fail('EINVAL', `target ${init.target} is not the preferred target ${KVM_ARM_TARGET_GENERIC_V8}`);
    if (words.length > 7) fail('EINVAL', 'features has 7 words');
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      if (!Number.isInteger(w) || w < 0 || w > 0xffff_ffff) fail('EINVAL', `features[${i}] is not a u32`);
      if (i > 0 && w !== 0) fail('EINVAL', `unknown feature bits in features[${i}]`);
    }
    const f = words[0] ?? 0;
    const vm = this.vm;
    const mteBit = (f & (1 << KVM_ARM_VCPU_MTE)) !== 0;
    if ((f & (1 << KVM_ARM_VCPU_EL1_32BIT)) !== 0) {
      fail('EINVAL', vm.mteEnabled || mteBit ? 'AArch32 vCPUs are refused in an MTE VM (and not modelled)' : 'AArch32 vCPUs are not modelled');
    }
    if ((f & ~SUPPORTED_FEATURES) !== 0) fail('EINVAL', `unsupported vCPU features 0x${(f & ~SUPPORTED_FEATURES).toString(16)}`);
    if (mteBit && !vm.kvm.hostMte) fail('EINVAL', 'KVM_ARM_VCPU_MTE on a host without MTE');
    const shared = f & ~(1 << KVM_ARM_VCPU_POWER_OFF);
    if (vm.vcpuFeatures !== undefined && vm.vcpuFeatures !== shared) {
      fail('EINVAL', mteBit !== ((vm.vcpuFeatures & (1 << KVM_ARM_VCPU_MTE)) !== 0)
        ? 'a VM is MTE or not: KVM_ARM_VCPU_MTE must be the same on every vCPU'
        : 'vCPU features differ from the VM\'s');
    }
    vm.vcpuFeatures = shared;
    if (mteBit) vm.mteEnabled = true; // the RFC's way to an MTE VM (the first init decides, the others must agree)
    this.features = shared;
    this.reset();
    this.stopped = (f & (1 << KVM_ARM_VCPU_POWER_OFF)) !== 0;
  }

  /**
   * Model-specific: the vCPU's exclusive monitor and event register, which real KVM exposes through no ONE_REG
   * (there a migration loses a reservation: the guest's store-exclusive fails and retries, which the architecture
   * allows, as an exception return would clear it anyway). vmm-lite's snapshots save them through this to make a
   * round trip exact. `exclusive.ipa` is undefined for a reservation no memslot backs (local only). ENOEXEC
   * before init.
   */
  getMonitorState(): VcpuMonitorState {
    const cpu = this.cpu();
    const state: VcpuMonitorState = { event: cpu.eventRegister };
    if (cpu.exclAddr !== -1n) {
      const ipa = cpu.exclPa >= 0 ? this.vm.guestPhysical(cpu.exclPa) : undefined;
      state.exclusive = { va: cpu.exclAddr, size: cpu.exclSize, ...(ipa !== undefined && { ipa: BigInt(ipa) }) };
    }
    return state;
  }

  /**
   * Model-specific: set what {@link getMonitorState} returned. The reservation is global (other vCPUs' stores clear
   * it) when `ipa` lies in a memslot, else local. EINVAL: a size other than 1, 2, 4, 8 or 16, or an address that is
   * not a 64-bit value aligned to it. ENOEXEC before init.
   */
  setMonitorState(state: VcpuMonitorState): void {
    const cpu = this.cpu();
    const x = state.exclusive;
    if (x !== undefined) {
      if (![1, 2, 4, 8, 16].includes(x.size)) fail('EINVAL', `exclusive reservation size ${x.size} is not 1, 2, 4, 8 or 16`);
      if (x.va < 0n || x.va >= 1n << 64n || x.va % BigInt(x.size) !== 0n) {
        fail('EINVAL', `exclusive reservation address ${x.va} is not a 64-bit address aligned to ${x.size}`);
      }
    }
    cpu.eventRegister = state.event;
    cpu.clearExclusive();
    if (x === undefined) return;
    const ipa = x.ipa !== undefined && x.ipa >= 0n && x.ipa < 1n << 52n ? this.vm.hostPhysical(Number(x.ipa)) : undefined;
    cpu.markExclusive(x.va, x.size, 0, ipa ?? -1);
  }

  /** KVM_GET_MP_STATE: KVM_MP_STATE_RUNNABLE or KVM_MP_STATE_STOPPED. */
  getMpState(): number {
    return this.stopped ? KVM_MP_STATE_STOPPED : KVM_MP_STATE_RUNNABLE;
  }

  /** KVM_SET_MP_STATE: RUNNABLE or STOPPED (EINVAL for anything else). */
  setMpState(state: number): void {
    if (state === KVM_MP_STATE_RUNNABLE) this.stopped = false;
    else if (state === KVM_MP_STATE_STOPPED) this.stopped = true;
    else fail('EINVAL', `mp_state ${state} not supported`);
  }

  /**
   * KVM_GET_REG_LIST: every ONE_REG id of this vCPU. With `capacity` smaller than the list: E2BIG (the error's
   * `required` says how many). ENOEXEC before init.
   */
  getRegList(capacity?: number): bigint[] {
    this.cpu();
    const ids: bigint[] = [];
    for (let n = 0; n <= 30; n++) ids.push(CoreReg.x(n));
    ids.push(CoreReg.SP, CoreReg.PC, CoreReg.PSTATE, CoreReg.SP_EL1, CoreReg.ELR_EL1);
    for (let i = 0; i < 5; i++) ids.push(CoreReg.spsr(i));
    for (let n = 0; n < 32; n++) ids.push(CoreReg.v(n));
    ids.push(CoreReg.FPSR, CoreReg.FPCR);
    ids.push(KVM_REG_ARM_PSCI_VERSION);
    ids.push(...TIMER_REG_IDS);
    if (this.pmu.enabled) for (const k of VcpuPmu.STATE_KEYS) ids.push(pmuRegId(k));
    for (let i = 0; i < SYSREG_DEFS.length; i++) {
      const d = SYSREG_DEFS[i]!;
      if (this.sysRegVisible(i)) ids.push(arm64SysReg(d.op0, d.op1, d.crn, d.crm, d.op2));
    }
    if (capacity !== undefined && capacity < ids.length) {
      const e = new KvmError('E2BIG', `the register list has ${ids.length} entries`) as KvmError & { required: number };
      e.required = ids.length;
      throw e;
    }
    return ids;
  }

  /**
   * KVM_GET_ONE_REG. ENOEXEC before init; EINVAL for an id of another architecture or a misaligned / wrongly
   * sized core register; ENOENT for a register this vCPU does not have (FP/SIMD, EL2, hidden MTE registers, ...).
   */
  getOneReg(id: bigint): bigint {
    const cpu = this.cpu();
    const r = this.resolveReg(id);
    switch (r.kind) {
      case 'x': return cpu.x[r.n]!;
      case 'sp': return cpu.spEl[0]!;
      case 'sp_el1': return cpu.spEl[1]!;
      case 'pc': return cpu.pc;
      case 'pstate': return cpu.pstateToSpsr();
      case 'elr': return cpu.sys[SysReg.ELR_EL1]!;
      case 'spsr': return r.n === 0 ? cpu.sys[SysReg.SPSR_EL1]! : this.spsr32[r.n - 1]!;
      case 'v': return (cpu.vr.u64[r.n * 2 + 1]! << 64n) | cpu.vr.u64[r.n * 2]!;
      case 'fpsr': return BigInt(cpu.fpsr);
      case 'fpcr': return BigInt(cpu.fpcr);
      case 'psci': return BigInt(this.vm.effectivePsciVersion());
      case 'timer': return this.timers.getReg(id);
      case 'pmu': return this.pmu.getReg(Number(id & 0xffffn));
      case 'sys': return cpu.sys[r.n]!;
    }
  }

  /**
   * KVM_SET_ONE_REG. Errors as {@link getOneReg}, plus EINVAL for a value outside u64, a PSTATE that is not
   * EL0t/EL1t/EL1h AArch64, an unsupported PSCI version, a different value for an ID register, or an OSLSR_EL1
   * value that differs in anything but OSLK (the one bit the guest changes, through OSLAR_EL1); EBUSY for a
   * different ID register or PSCI version value once the VM has run.
   */
  setOneReg(id: bigint, value: bigint): void {
    const cpu = this.cpu();
    const r = this.resolveReg(id);
    const max = r.kind === 'v' ? U128_MAX : r.kind === 'fpsr' || r.kind === 'fpcr' ? U32_MAX : U64_MAX;
    if (value < 0n || value > max) fail('EINVAL', `value does not fit in the register's ${max === U32_MAX ? 32 : max === U64_MAX ? 64 : 128} bits`);
    switch (r.kind) {
      case 'v':
        cpu.vr.u64[r.n * 2] = value & U64_MAX;
        cpu.vr.u64[r.n * 2 + 1] = value >> 64n;
        return;
      // Stored as MSR stores them (the bits the CPU implements), as loading them into the hardware would.
      case 'fpsr': cpu.fpsr = Number(value) & FPSR_BITS; return;
      case 'fpcr': cpu.fpcr = Number(value) & FPCR_BITS; return;
      case 'x': cpu.x[r.n] = value; return;
      case 'sp': cpu.spEl[0] = value; return;
      case 'sp_el1': cpu.spEl[1] = value; return;
      case 'pc': cpu.pc = value; return;
      case 'pstate': {
        const mode = Number(value & 0x1fn);
        if (mode !== 0b00000 && mode !== 0b00100 && mode !== 0b00101) fail('EINVAL', `PSTATE mode 0x${mode.toString(16)} is not EL0t, EL1t or EL1h`);
        cpu.spsrToPstate(value);
        return;
      }
      case 'elr': cpu.sys[SysReg.ELR_EL1] = value; return;
      case 'spsr':
        if (r.n === 0) cpu.sys[SysReg.SPSR_EL1] = value;
        else this.spsr32[r.n - 1] = value;
        return;
      case 'psci': {
        const v = Number(value);
        const with02 = (this.features & (1 << KVM_ARM_VCPU_PSCI_0_2)) !== 0;
        const ok = with02 ? v === KVM_ARM_PSCI_0_2 || v === KVM_ARM_PSCI_1_0 || v === KVM_ARM_PSCI_1_1 : v === KVM_ARM_PSCI_0_1;
        if (!ok) fail('EINVAL', `PSCI version 0x${v.toString(16)} not supported`);
        if (!with02) return;
        if (v !== this.vm.psciVersion && this.vm.hasRun) fail('EBUSY', 'the PSCI version is fixed once the VM has run');
        this.vm.psciVersion = v;
        return;
      }
      case 'timer':
        this.timers.setReg(id, value, this.vm.vcpus.map((v) => v.timers));
        return;
      case 'pmu':
        this.pmu.setReg(Number(id & 0xffffn), value);
        return;
      case 'sys': {
        const n = r.n;
        if (n === SysReg.MIDR_EL1 && value === cpu.sys[n]) return;
        if (n === SysReg.MPIDR_EL1) {
          this.mpidr = value;
          cpu.sys[SysReg.MPIDR_EL1] = value;
          cpu.sys[SysReg.VMPIDR_EL2] = value;
          return;
        }
        if (n === SysReg.OSLSR_EL1) {
          // The guest changes OSLK (bit 1) through OSLAR_EL1, so a VMM restoring its state must be able to set it
          // (as Linux's set_oslsr_el1); every other bit is fixed.
          const cur = cpu.sys[n]!;
          if (((value ^ cur) & ~OSLSR_OSLK) !== 0n) {
            fail('EINVAL', `OSLSR_EL1 cannot be set to 0x${value.toString(16)}: only OSLK (bit 1) is writable, the register is 0x${cur.toString(16)}`);
          }
          cpu.sys[n] = value;
          return;
        }
        if (SYSREG_DEFS[n]!.readOnly === true) {
          if (value === cpu.sys[n]) return;
          if (this.vm.hasRun) fail('EBUSY', `${SYSREG_DEFS[n]!.name} is fixed once the VM has run`);
          fail('EINVAL', `${SYSREG_DEFS[n]!.name} cannot be changed`);
        }
        cpu.sys[n] = value;
        cpu.mem.controlChanged();
        return;
      }
    }
  }

  /**
   * KVM_RUN: complete a pending MMIO access, then run the guest for at most `runBudget` instructions, handling
   * stage-2 faults on RAM, PSCI calls, WFI and UNDEF-answered traps without returning, until an exit for the VMM.
   * Throws KvmError: ENOEXEC before init; EINVAL for a bad `runBudget`; with a vGIC on the first run, ENXIO while a
   * frame address is missing, EINVAL for overlapping frames, EBUSY for a vGICv3 not initialised; EINVAL for a PMU
   * not initialised or with a bad interrupt (pmu/vcpu-attrs.ts); EFAULT when a
   * memslot's page lies beyond its mapping; ENOSYS for an MMIO access without a valid syndrome when
   * KVM_CAP_ARM_NISV_TO_USER is off (all as Linux).
   * A failure of the model itself is an 'internal-error' exit, never a throw.
   */
  run(): KvmExit {
    const budget = this.runBudget;
    if (!Number.isSafeInteger(budget) || budget <= 0) fail('EINVAL', `runBudget must be a positive integer, got ${budget}`);
    const vouched = this.hostUnchanged;
    this.hostUnchanged = false;
    const cpu = this.cpu();
    // The VMM's debug state is the CPU's while the guest runs (guest-debug.ts): an MMIO completion and any other
    // instruction kvm-core emulates advance the VMM's software step, not the guest's.
    this.guestDebug.load(cpu);
    try {
      return this.enterGuest(cpu, budget, vouched);
    } finally {
      this.guestDebug.put(cpu);
    }
  }

  /**
   * KVM_SET_GUEST_DEBUG (guest-debug.ts): `control` KVM_GUESTDBG_ENABLE with SINGLESTEP, USE_SW_BP (BRK exits,
   * as it does for any enabled control), USE_HW (`arch`'s breakpoint and watchpoint registers replace the guest's);
   * debug exceptions then return 'debug' exits. Without ENABLE, debugging stops. EINVAL for unknown control bits (as
   * Linux) or a malformed `arch`. Allowed before init; kept across re-init.
   */
  setGuestDebug(dbg: KvmGuestDebug): void {
    this.guestDebug.set(dbg);
  }

  /** run() once the VMM's debug state is loaded. */
  private enterGuest(cpu: Cpu, budget: number, vouched: boolean): KvmExit {
    if (this.immediateExit) {
      if (this.pendingMmio !== undefined) this.completeMmio(cpu);
      return intr('immediate');
    }
    if (this.pendingExtDabt) {
      this.pendingExtDabt = false;
      this.injectAbort(cpu, false, this.lastAbortVa, 0x10);
    }
    this.vm.vgic?.mapResources();
    checkPmuRunnable(this.pmu, this.pmuHost());
    this.vm.hasRun = true;
    cpu.stopOnYield = this.yieldExits;
    this.lazyFp.load(cpu);
    try {
      return this.runLoop(budget, vouched);
    } catch (e) {
      if (e instanceof KvmError) throw e;
      return internalError(KVM_INTERNAL_ERROR_EMULATION, `kvm-core failed: ${describe(e)}`, e);
    }
  }

  /**
   * KVM_SET_DEVICE_ATTR on the vCPU: the PMU's group KVM_ARM_VCPU_PMU_V3_CTRL, attributes KVM_ARM_VCPU_PMU_V3_IRQ
   * (`value`: the overflow interrupt's INTID, a PPI or an SPI) and KVM_ARM_VCPU_PMU_V3_INIT, with Linux's errno
   * values (pmu/vcpu-attrs.ts): ENODEV without KVM_ARM_VCPU_PMU_V3, EBUSY once initialised, EINVAL, ENXIO.
   */
  setDeviceAttr(attr: DeviceAttr): void {
    setPmuAttr(this.pmu, this.pmuHost(), attr);
  }

  /** KVM_GET_DEVICE_ATTR on the vCPU: KVM_ARM_VCPU_PMU_V3_IRQ's INTID (errno values as pmu/vcpu-attrs.ts). */
  getDeviceAttr(attr: DeviceAttr): bigint {
    return getPmuAttr(this.pmu, this.pmuHost(), attr);
  }

  /** KVM_HAS_DEVICE_ATTR on the vCPU: true for the PMU's IRQ and INIT when the vCPU has a PMU, else false (ENXIO). */
  hasDeviceAttr(attr: DeviceAttr): boolean {
    return hasPmuAttr(this.pmu, attr);
  }

  /** @internal Drive the IRQ input (KVM_IRQ_LINE). */
  setIrqLine(level: boolean): void {
    this.irq = level;
    if (this.cpuState !== undefined) this.cpuState.irqLine = level;
  }

  /** @internal Give the CPU the VM's vGIC (ICC_* registers, ID_AA64PFR0_EL1.GIC): at reset and at KVM_CREATE_DEVICE. */
  attachVgic(): void {
    if (this.cpuState !== undefined) attachVgic(this.vm.vgic, this.index, this.cpuState);
  }

  /** @internal Drop every cached stage-2 translation of this vCPU. */
  flushTlb(): void {
    const mem = this.cpuState?.mem;
    if (mem === undefined) return;
    mem.tlbi('vmalls12e1', 0n);
    mem.controlChanged();
  }

  // ---- internals ----

  /** What the PMU's attribute checks need of the VM. */
  private pmuHost(): PmuAttrHost {
    const vgic = this.vm.vgic;
    return {
      hasVgic: vgic !== undefined,
      vgicReady: vgic?.model !== undefined,
      vgicNrIrqs: vgic?.model?.nrIrqs,
      pmus: this.vm.vcpus.map((v) => v.pmu),
    };
  }

  private cpu(): Cpu {
    const c = this.cpuState;
    if (c === undefined) fail('ENOEXEC', `vCPU ${this.id} is not initialised (KVM_ARM_VCPU_INIT)`);
    return c;
  }

  /** A fresh CPU and MMU in KVM's reset state. */
  private reset(): void {
    const vm = this.vm;
    // The old CPU's state block goes back to the host's arena (the new CPU may reuse it): read what is kept first.
    const old = this.cpuState;
    const retiredBefore = old?.insnCount ?? 0;
    old?.release();
    const cpu = new Cpu(NO_MEMORY, { codeCache: vm.codeCache, smp: vm.smp, ...vm.cpuOptions, arena: vm.kvm.phys.arena });
    cpu.mem = vm.kvm.createPort(cpu, vm.kvm.phys);
    cpu.el = 1;
    cpu.spsel = 1;
    cpu.daif = 0xf;
    cpu.irqLine = this.irq;
    const s = cpu.sys;
    s[SysReg.MPIDR_EL1] = this.mpidr;
    s[SysReg.VMPIDR_EL2] = this.mpidr;
    s[SysReg.VPIDR_EL2] = s[SysReg.MIDR_EL1]!;
    // ID_AA64PFR1_EL1.MTE: the host CPU's level for MTE VMs; MTE and MTE_frac read 0 otherwise.
    if (vm.mteEnabled) setMteLevel(cpu, vm.kvm.hostMteLevel);
    else s[SysReg.ID_AA64PFR1_EL1] = s[SysReg.ID_AA64PFR1_EL1]! & ~PFR1_MTE_FIELDS;
    s[SysReg.HCR_EL2] = HCR_VM | HCR_SWIO | HCR_TWI | HCR_TSC | HCR_RW | (vm.mteEnabled ? HCR_ATA : 0n);
    s[SysReg.VTCR_EL2] = vm.stage2.vtcr;
    s[SysReg.VTTBR_EL2] = vm.stage2.vttbr(vm.vmid);
    attachVgic(vm.vgic, this.index, cpu);
    this.timers.attach(cpu);
    this.pmu.attach(cpu, (this.features & (1 << KVM_ARM_VCPU_PMU_V3)) !== 0);
    cpu.mem.controlChanged();
    this.retiredBeforeInit += retiredBefore;
    this.cpuState = cpu;
    this.pendingMmio = undefined;
    this.pendingExtDabt = false;
    this.spsr32.fill(0n);
  }

  /**
   * Whether system register `i` is vCPU state KVM exposes through ONE_REG: not EL2 (host) state, not a register
   * KVM exposes as a core register, not a "live" register whose value is CPU state or computed (PSTATE fields,
   * counters; MIDR/MPIDR excepted, which read VPIDR_EL2/VMPIDR_EL2), not a generic-timer register (KVM exposes the
   * timers through its own ids, timer.ts), and the MTE registers only for MTE VMs.
   */
  private sysRegVisible(i: number): boolean {
    const d: SysRegDef = SYSREG_DEFS[i]!;
    if (d.minEl === 2 || NOT_SYSREG_STATE.has(i)) return false;
    if (d.live === true && i !== SysReg.MIDR_EL1 && i !== SysReg.MPIDR_EL1) return false;
    if (d.name.startsWith('CNT') && i !== SysReg.CNTKCTL_EL1) return false;
    return this.vm.mteEnabled || !MTE_REGS.has(i);
  }

  private resolveReg(id: bigint): { kind: 'x' | 'spsr' | 'sys' | 'v'; n: number } | { kind: 'sp' | 'sp_el1' | 'pc' | 'pstate' | 'elr' | 'psci' | 'timer' | 'pmu' | 'fpsr' | 'fpcr' } {
    if (((id & ~KVM_REG_SIZE_MASK) >> 32n) !== KVM_REG_ARM64 >> 32n || (id & KVM_REG_ARCH_MASK) !== KVM_REG_ARM64) {
      fail('EINVAL', `0x${id.toString(16)} is not an arm64 register id`);
    }
    const size = id & KVM_REG_SIZE_MASK;
    const coproc = id & KVM_REG_ARM_COPROC_MASK;
    const low = Number(id & 0xffffn);
    if (coproc === KVM_REG_ARM_CORE) {
      const off = Number(id & 0xffff_ffffn & ~KVM_REG_ARM_COPROC_MASK);
      const words = Math.ceil(2 ** Number(size >> 52n) / 4); // KVM_REG_SIZE in 32-bit words
      if (off >= KVM_REGS_WORDS || off + words > KVM_REGS_WORDS) fail('ENOENT', `core register offset ${off} outside struct kvm_regs`);
      if (off >= CORE_FP_START) {
        // Linux's core_reg_size_from_offset: vregs are 128-bit, fpsr and fpcr 32-bit, the rest is padding.
        if (off < CORE_FPSR && (off - CORE_FP_START) % 4 === 0 && size === KVM_REG_SIZE_U128) {
          return { kind: 'v', n: (off - CORE_FP_START) / 4 };
        }
        if (off === CORE_FPSR && size === KVM_REG_SIZE_U32) return { kind: 'fpsr' };
        if (off === CORE_FPCR && size === KVM_REG_SIZE_U32) return { kind: 'fpcr' };
        fail('EINVAL', `core register offset ${off} / size does not name an FP/SIMD field`);
      }
      if ((off & 1) !== 0 || size !== KVM_REG_SIZE_U64) fail('EINVAL', `core register offset ${off} / size does not name a 64-bit field`);
      if (off < CORE_SP) return { kind: 'x', n: off / 2 };
      switch (off) {
        case CORE_SP: return { kind: 'sp' };
        case CORE_PC: return { kind: 'pc' };
        case CORE_PSTATE: return { kind: 'pstate' };
        case CORE_SP_EL1: return { kind: 'sp_el1' };
        case CORE_ELR_EL1: return { kind: 'elr' };
        default:
          if (off >= CORE_SPSR0 && off < CORE_SPSR0 + 10) return { kind: 'spsr', n: (off - CORE_SPSR0) / 2 };
          fail('EINVAL', `core register offset ${off} is padding`);
      }
    }
    if (id === KVM_REG_ARM_PSCI_VERSION) return { kind: 'psci' };
    if (VcpuTimers.isTimerReg(id)) return { kind: 'timer' };
    if (this.pmu.enabled && PMU_REG_IDS.has(id)) return { kind: 'pmu' };
    if (coproc === KVM_REG_ARM_FW) fail('ENOENT', `firmware register 0x${id.toString(16)} not modelled`);
    if (coproc === KVM_REG_ARM64_SYSREG && size === KVM_REG_SIZE_U64 && (id & 0xffff_0000n & ~KVM_REG_ARM_COPROC_MASK) === 0n) {
      const n = sysRegByKey(low);
      if (n >= 0 && this.sysRegVisible(n)) return { kind: 'sys', n };
    }
    fail('ENOENT', `no register 0x${id.toString(16)}`);
  }

  private runLoop(budget: number, vouched: boolean): KvmExit {
    const cpu = this.cpu();
    const completing = this.pendingMmio !== undefined;
    if (completing) this.completeMmio(cpu);
    // The completed access retired an instruction: it uses the budget like any other.
    let remaining = completing ? budget - 1 : budget;
    let lastMapped = -1;
    let lastMappedAt = -1;
    let sameFills = 0;
    let freeFills = 0;
    const timers = this.timers;
    const pmu = this.pmu;
    // (The VMM vouched for its side since the last KVM_RUN: no entry of this one starts a check epoch.)
    let entered = vouched;
    for (;;) {
      if (this.stopped) return intr('stopped');
      // The timers' outputs at every entry to the guest; the run ends at the next deadline (timer.ts runBound).
      timers.update();
      pmu.update();
      if (remaining <= 0) return intr('budget');
      // The run also ends exactly at the PMU's next counted overflow (pmu/vcpu-pmu.ts runBound).
      const steps = pmu.runBound(timers.runBound(remaining));
      const before = cpu.insnCount;
      // Only the first entry of this KVM_RUN starts a check epoch for host writes (code-cache.ts): between entries
      // only kvm-core ran, and its writes to guest memory (the vGIC's) go through Vm.hostWrote.
      const stop = cpu.run(steps, entered);
      entered = true;
      pmu.afterRun();
      const retired = cpu.insnCount - before;
      switch (stop) {
        case Stop.Budget:
          remaining -= steps;
          if (remaining > 0) continue; // ended for a timer deadline: the loop raises its line
          timers.update();
          return intr('budget');
        case Stop.TimerWrite:
          // An MSR to a timer or PMU register (retired): the next run is bounded by the new deadline or overflow.
          remaining -= Math.max(1, retired);
          continue;
        case Stop.Idle:
          return intr('wfi');
        case Stop.Yield:
          return intr('yield'); // the YIELD or WFE retired (stopOnYield)
        case Stop.InternalError:
          return internalError(KVM_INTERNAL_ERROR_EMULATION, `CPU model failed at pc 0x${cpu.pc.toString(16)}: ${describe(cpu.internalError)}`, cpu.internalError);
        case Stop.TrapEl2: {
          const r = this.handleTrap(cpu);
          // Charged once the trap is handled: kvm-core may have retired the trapping instruction itself (an SMC, a
          // WFE, cache maintenance on I/O: emulated and stepped past), which uses the budget like any other; a trap
          // that retires nothing (a fill, an injected exception) uses one unit.
          remaining -= Math.max(1, cpu.insnCount - before);
          if (r === undefined) continue;
          if (typeof r === 'number') {
            // A page was just mapped. The same page may fault once more with no progress: a read-modify-write access
            // (an atomic) faults for its read first, which maps the page read-only while dirty logging is on, and
            // then for its write, which makes it writable. Faulting on it beyond that is a model bug.
            if (r === lastMapped && lastMappedAt === cpu.insnCount) {
              if (++sameFills >= MAX_FILLS_OF_ONE_PAGE) {
                return internalError(KVM_INTERNAL_ERROR_EMULATION, `stage-2 fault on IPA page 0x${r.toString(16)} persists after mapping it`);
              }
            } else {
              sameFills = 0;
            }
            lastMapped = r;
            lastMappedAt = cpu.insnCount;
            // A stage-2 fill is the hypervisor's work, not a guest instruction: give back the unit charged for it
            // (bounded, so the loop still ends), so a budget of 1 still runs an instruction that needs several
            // pages filled first (a restored VM's first access: its fetch and the table walk).
            if (retired === 0 && freeFills < MAX_FREE_FILLS_PER_RUN) {
              freeFills++;
              remaining++;
            }
            continue;
          }
          return r;
        }
        default:
          return internalError(KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON, `unknown CPU stop ${String(stop)}`);
      }
    }
  }

  /** Handle a trap to EL2: an exit for the VMM, a mapped IPA page (a number), or undefined to resume. */
  private handleTrap(cpu: Cpu): KvmExit | number | undefined {
    const esr = cpu.el2.esr;
    const ec = Number((esr >> 26n) & 0x3fn);
    const iss = Number(esr & 0x1ff_ffffn);
    switch (ec) {
      case Ec.DataAbortLower:
      case Ec.InsnAbortLower:
        return this.handleGuestAbort(cpu, ec === Ec.InsnAbortLower, iss);
      case Ec.Hvc64:
        return this.handleSmccc(cpu);
      case Ec.Smc64:
        // SMC trapped by HCR_EL2.TSC (preferred return: the SMC itself). No secure firmware here: answer
        // NOT_SUPPORTED and step over it.
        cpu.x[0] = U64_MAX;
        skipInstruction(cpu);
        return undefined;
      case Ec.Wfx:
        skipInstruction(cpu);
        if ((iss & 1) !== 0) return undefined; // WFE
        this.timers.update();
        if (this.irq) return undefined; // an interrupt is pending (a timer's among them)
        return intr('wfi');
      case Ec.FpAccess:
        // CPTR_EL2.TFP, set when the run began (lazy-fp.ts): load the FP/SIMD state and rerun the instruction.
        this.lazyFp.trap(cpu);
        return undefined;
      case EC_BREAKPOINT_LOW:
      case EC_SOFTSTEP_LOW:
      case EC_WATCHPOINT_LOW:
      case Ec.Brk:
        // Routed to EL2 only while the VMM debugs the guest (MDCR_EL2.TDE): kvm_handle_guest_debug.
        if (this.guestDebug.enabled) return this.guestDebug.exit(cpu);
        this.injectUndef(cpu);
        return undefined;
      default:
        // System register traps (the hidden MTE registers among them) and anything else: UNDEF, as KVM does.
        this.injectUndef(cpu);
        return undefined;
    }
  }

  private handleGuestAbort(cpu: Cpu, iabt: boolean, iss: number): KvmExit | number | undefined {
    const fsc = iss & 0x3f;
    const write = !iabt && (iss & (1 << 6)) !== 0;
    const s1ptw = (iss & (1 << 7)) !== 0;
    const cm = (iss & (1 << 8)) !== 0;
    const far = cpu.el2.far;
    this.lastAbortVa = far;
    const pageIpa = ((cpu.el2.hpfar >> 4n) & ((1n << 40n) - 1n)) << 12n;
    const ipa = pageIpa | (far & 0xfffn);
    const kind = fsc & 0x3c;
    if (kind !== 0x04 && kind !== 0x08 && kind !== 0x0c && kind !== 0x00) {
      return internalError(KVM_INTERNAL_ERROR_EMULATION, `unexpected stage-2 fault status 0x${fsc.toString(16)} at IPA 0x${ipa.toString(16)}`);
    }
    if (pageIpa >= 1n << BigInt(this.vm.ipaBits)) {
      this.injectAbort(cpu, iabt, far, 0x00); // address size fault, level 0
      return undefined;
    }
    const page = Number(pageIpa);
    if (kind === 0x0c && (cpu.el2.esr & ESR_ISS2_TAGACCESS) !== 0n) {
      // FEAT_MTE_PERM: a tag access to a NoTagAccess page. The guest stays on the instruction.
      const exit: ArmTagAccessExit = { reason: 'arm-tag-access', exitReason: KVM_EXIT_ARM_TAG_ACCESS, ipa, isWrite: write };
      return exit;
    }
    const slot = this.vm.findSlot(page);
    const readOnly = slot !== undefined && (slot.flags & KVM_MEM_READONLY) !== 0;
    if (slot !== undefined && !(write && readOnly)) {
      const change = this.vm.handleStage2Fault(slot, page, write);
      const mem = cpu.mem;
      if (change === 'relaxed' && mem.stage2Relaxed !== undefined) mem.stage2Relaxed(page);
      else if (change !== 'new') mem.tlbi('ipas2e1', BigInt(page) >> 12n);
      return page;
    }
    // Not RAM: an I/O access.
    if (iabt) {
      this.injectAbort(cpu, true, far, 0x10); // executing from I/O: synchronous external abort
      return undefined;
    }
    if (s1ptw) {
      this.injectAbort(cpu, false, far, 0x10); // guest page tables in I/O space
      return undefined;
    }
    if (cm) {
      skipInstruction(cpu); // cache maintenance on I/O: nothing to do
      return undefined;
    }
    if ((iss & (1 << 24)) === 0) {
      if (!this.vm.nisvToUser) fail('ENOSYS', `MMIO access at IPA 0x${ipa.toString(16)} without a valid syndrome (ISV = 0)`);
      return { reason: 'arm-nisv', exitReason: KVM_EXIT_ARM_NISV, esrIss: cpu.el2.esr & 0x17fn, faultIpa: ipa };
    }
    const len = (1 << ((iss >> 22) & 3)) as 1 | 2 | 4 | 8;
    const rt = (iss >> 16) & 31;
    const data = this.mmioData;
    data.fill(0);
    if (write) {
      const v = cpu.xr(rt);
      for (let i = 0; i < len; i++) data[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    }
    this.pendingMmio = { isWrite: write, len, rt, signExtend: (iss & (1 << 21)) !== 0, sixtyFour: (iss & (1 << 15)) !== 0 };
    if (this.vm.vgic !== undefined && vgicMmio(this.vm.vgic, this.index, ipa, len, write, data)) {
      // The in-kernel vGIC's frame: done here, completed as the VMM's answer to an exit would be.
      this.completeMmio(cpu);
      return undefined;
    }
    const exit: MmioExit = { reason: 'mmio', exitReason: KVM_EXIT_MMIO, physAddr: ipa, len, isWrite: write, data };
    return exit;
  }

  /** kvm_handle_mmio_return: finish the access the last MMIO exit described and step past it. */
  private completeMmio(cpu: Cpu): void {
    const p = this.pendingMmio!;
    this.pendingMmio = undefined;
    if (!p.isWrite) {
      let v = 0n;
      for (let i = p.len - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.mmioData[i]!);
      if (p.signExtend && p.len < 8) v = BigInt.asUintN(64, BigInt.asIntN(8 * p.len, v));
      if (!p.sixtyFour) v &= 0xffff_ffffn;
      cpu.setXr(p.rt, v);
    }
    skipInstruction(cpu);
  }

  /** KVM_GET_VCPU_EVENTS (vcpu-events.ts). ENOEXEC before init. */
  getVcpuEvents(): VcpuEvents {
    return vcpuEventsOf(this.cpu().virtualSError);
  }

  /**
   * KVM_SET_VCPU_EVENTS (vcpu-events.ts): make a virtual SError pending, or inject an external data abort at the last
   * stage-2 abort's address when the guest next runs (the pending MMIO completion is dropped). ENOEXEC before init;
   * EINVAL for an SError with a syndrome (no RAS) or a malformed argument.
   */
  setVcpuEvents(events: VcpuEvents): void {
    const cpu = this.cpu();
    const { serror, extDabt } = checkVcpuEvents(events);
    if (serror) cpu.virtualSError = true;
    if (extDabt) {
      this.pendingMmio = undefined;
      this.pendingExtDabt = true;
    }
  }

  private injectAbort(cpu: Cpu, iabt: boolean, far: bigint, fsc: number): void {
    const lower = cpu.el === 0;
    const ec = iabt ? (lower ? Ec.InsnAbortLower : Ec.InsnAbortSame) : lower ? Ec.DataAbortLower : Ec.DataAbortSame;
    cpu.enterEl1(0, BigInt(((ec << 26) | (1 << 25) | fsc) >>> 0), cpu.pc, far);
  }

  private injectUndef(cpu: Cpu): void {
    cpu.enterEl1(0, BigInt((Ec.Unknown << 26) | (1 << 25)), cpu.pc);
  }

  // ---- SMCCC / PSCI (HVC conduit). The CPU has already stepped PC past the HVC. ----

  private handleSmccc(cpu: Cpu): KvmExit | undefined {
    const fid = Number(cpu.x[0]! & 0xffff_ffffn);
    const is32 = (fid & 0x4000_0000) === 0;
    const arg = (n: number): bigint => (is32 ? cpu.x[n]! & 0xffff_ffffn : cpu.x[n]!);
    const version = this.vm.effectivePsciVersion();
    let exit: KvmExit | undefined;
    let ret: bigint | number = PSCI_RET.NOT_SUPPORTED;
    const setRet = (v: bigint | number): void => {
      cpu.x[0] = BigInt.asUintN(64, BigInt(v));
      cpu.x[1] = 0n;
      cpu.x[2] = 0n;
      cpu.x[3] = 0n;
    };

    if (version === KVM_ARM_PSCI_0_1) {
      switch (fid) {
        case KVM_PSCI_FN.CPU_OFF:
          this.stopped = true;
          return intr('stopped');
        case KVM_PSCI_FN.CPU_ON:
          ret = this.psciCpuOn(cpu.x[1]!, cpu.x[2]!, 0n, true);
          break;
      }
      setRet(ret);
      return undefined;
    }

    const v1 = version >= KVM_ARM_PSCI_1_0;
    switch (fid) {
      case PSCI.VERSION:
        ret = version;
        break;
      case PSCI.CPU_SUSPEND:
      case PSCI.CPU_SUSPEND64:
        // Like Linux: a suspend is a WFI, and returns success.
        ret = PSCI_RET.SUCCESS;
        this.timers.update();
        if (!this.irq) exit = intr('wfi');
        break;
      case PSCI.CPU_OFF:
        this.stopped = true;
        return intr('stopped');
      case PSCI.CPU_ON:
      case PSCI.CPU_ON64:
        ret = this.psciCpuOn(arg(1), arg(2), arg(3), false);
        break;
      case PSCI.AFFINITY_INFO:
      case PSCI.AFFINITY_INFO64:
        ret = this.psciAffinityInfo(arg(1), arg(2));
        break;
      case PSCI.MIGRATE_INFO_TYPE:
        ret = PSCI_TOS_NOT_PRESENT_MP;
        break;
      case PSCI.SYSTEM_OFF:
        ret = PSCI_RET.INTERNAL_FAILURE; // what the guest sees if the VMM resumes it anyway
        exit = this.systemEvent(KVM_SYSTEM_EVENT_SHUTDOWN, 0n);
        break;
      case PSCI.SYSTEM_RESET:
        ret = PSCI_RET.INTERNAL_FAILURE;
        exit = this.systemEvent(KVM_SYSTEM_EVENT_RESET, 0n);
        break;
      case PSCI.SYSTEM_RESET2:
      case PSCI.SYSTEM_RESET2_64:
        if (version < KVM_ARM_PSCI_1_1) break;
        {
          const type = Number(arg(1) & 0xffff_ffffn);
          if ((type & PSCI_RESET2_TYPE_VENDOR) === 0 && type !== PSCI_RESET2_SYSTEM_WARM_RESET) {
            ret = PSCI_RET.INVALID_PARAMETERS;
            break;
          }
          ret = PSCI_RET.INTERNAL_FAILURE;
          exit = this.systemEvent(KVM_SYSTEM_EVENT_RESET, KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2);
        }
        break;
      case PSCI.FEATURES:
        if (v1) ret = this.psciFeatures(Number(arg(1) & 0xffff_ffffn), version);
        break;
      case SMCCC_VERSION_FUNC:
        if (v1) ret = SMCCC_VERSION_1_1;
        break;
      case SMCCC_ARCH_FEATURES_FUNC:
        break; // no architectural workarounds to advertise
    }
    setRet(ret);
    return exit;
  }

  private psciFeatures(fid: number, version: number): number {
    switch (fid) {
      case PSCI.VERSION:
      case PSCI.CPU_SUSPEND:
      case PSCI.CPU_SUSPEND64:
      case PSCI.CPU_OFF:
      case PSCI.CPU_ON:
      case PSCI.CPU_ON64:
      case PSCI.AFFINITY_INFO:
      case PSCI.AFFINITY_INFO64:
      case PSCI.MIGRATE_INFO_TYPE:
      case PSCI.SYSTEM_OFF:
      case PSCI.SYSTEM_RESET:
      case PSCI.FEATURES:
      case SMCCC_VERSION_FUNC:
        return PSCI_RET.SUCCESS;
      case PSCI.SYSTEM_RESET2:
      case PSCI.SYSTEM_RESET2_64:
        return version >= KVM_ARM_PSCI_1_1 ? PSCI_RET.SUCCESS : PSCI_RET.NOT_SUPPORTED;
      default:
        return PSCI_RET.NOT_SUPPORTED;
    }
  }

  private psciCpuOn(target: bigint, entry: bigint, contextId: bigint, v01: boolean): number {
    if ((target & ~MPIDR_HWID_BITMASK) !== 0n) return PSCI_RET.INVALID_PARAMETERS;
    const t = this.vm.vcpus.find((v) => (v.mpidr & MPIDR_HWID_BITMASK) === target);
    if (t === undefined) return PSCI_RET.INVALID_PARAMETERS;
    if (!t.stopped || !t.initialized) return v01 ? PSCI_RET.INVALID_PARAMETERS : PSCI_RET.ALREADY_ON;
    t.reset();
    const c = t.cpuState!;
    c.pc = entry;
    c.x[0] = contextId;
    t.stopped = false;
    return PSCI_RET.SUCCESS;
  }

  private psciAffinityInfo(target: bigint, lowestLevel: bigint): number {
    const mask = lowestLevel > 3n ? 0n : affinityMask(Number(lowestLevel));
    if (mask === 0n || (target & ~MPIDR_HWID_BITMASK) !== 0n) return PSCI_RET.INVALID_PARAMETERS;
    const want = target & mask;
    for (const v of this.vm.vcpus) if ((v.mpidr & mask) === want && v.initialized && !v.stopped) return PSCI_AFFINITY_ON;
    return PSCI_AFFINITY_OFF;
  }

  private systemEvent(type: number, flags: bigint): KvmExit {
    for (const v of this.vm.vcpus) v.stopped = true;
    return { reason: 'system-event', exitReason: KVM_EXIT_SYSTEM_EVENT, type, data: [flags] };
  }
}

function intr(cause: IntrExit['cause']): KvmExit {
  return { reason: 'intr', exitReason: KVM_EXIT_INTR, cause };
}

function internalError(suberror: number, message: string, cause?: unknown): KvmExit {
  return cause === undefined
    ? { reason: 'internal-error', exitReason: KVM_EXIT_INTERNAL_ERROR, suberror, message }
    : { reason: 'internal-error', exitReason: KVM_EXIT_INTERNAL_ERROR, suberror, message, cause };
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * kvm_skip_instr: the hypervisor emulated the instruction at the PC; step past it and count it as retired. As an
 * executed instruction would, it advances the software step state machine: PSTATE.SS becomes 0, so a guest stepping
 * the instruction takes its step exception before the next one.
 */
function skipInstruction(cpu: Cpu): void {
  cpu.pc += 4n;
  cpu.insnCount++;
  if (cpu.pstateSs !== 0) cpu.pstateSs = 0;
}
