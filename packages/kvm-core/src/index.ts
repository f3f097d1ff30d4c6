export { Kvm, Vm, type CopyMteTags, type KvmOptions, type Memslot, type UserMemoryRegion, type VcpuInit, type VmOptions } from './kvm.js';
export { Vcpu, type VcpuMonitorState } from './vcpu.js';
export { HostMapping, type MappingKind, type MmapOptions, type SwapStats } from './host-memory.js';
export {
  Decision, enforceProtMte, mteAllowed, noTagAccess, PagePolicies, transparentUpgrade, type MemslotContext,
  type MemslotRequest, type PageUpgradePolicy, type Stage2Decision, type Stage2FaultContext,
} from './policy.js';
export { Errno, KvmError, type ErrnoName } from './errors.js';
export type { ArmNisvExit, ArmTagAccessExit, DebugExit, InternalErrorExit, IntrExit, KvmExit, MmioExit, SystemEventExit } from './exits.js';
export type { KvmGuestDebug, KvmGuestDebugArch } from './guest-debug.js';
export type { VcpuEvents } from './vcpu-events.js';
export * from './uapi.js';
export {
  PSCI, PSCI_RET, KVM_PSCI_FN, KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_0_2, KVM_ARM_PSCI_1_0, KVM_ARM_PSCI_1_1,
  SMCCC_VERSION_FUNC, SMCCC_ARCH_FEATURES_FUNC, mpidrForVcpuId,
} from './psci.js';
// The vGIC: the model (GICv3 and GICv2, src/vgic/) and the device handle Vm.createDevice returns.
export * from './vgic/index.js';
export { VGIC_ADDR_UNDEF, type Device, type DeviceAttr } from './vgic-device.js';
export { VgicItsDevice } from './vgic-its-device.js';
// The VM clock and the generic timers (model-specific clock modes; KVM's timer registers are in uapi.ts).
export { COUNTER_HZ, DEFAULT_CLOCK_SHIFT, VmClock, type VmClockMode, type VmClockOptions } from './vm-clock.js';
export {
  CTL_ENABLE, CTL_IMASK, CTL_ISTATUS, HOST_TIMER_SLICE, PTIMER_PPI, TIMER_REG_IDS, timerCondition, timerLevel,
  ticksUntilLevel, VmTimers, VTIMER_PPI,
} from './timer.js';
// The PMUv3 of a vCPU with KVM_ARM_VCPU_PMU_V3 (its attributes are Vcpu.setDeviceAttr's; its uapi constants in uapi.ts).
export { CYCLE_INDEX, PMU_COUNTERS, PMU_PPI, PMU_VERSION, PmuEvent } from './pmu/constants.js';
