export { Kvm, Vm, type KvmOptions, type Memslot, type UserMemoryRegion, type VcpuInit } from './kvm.js';
export { Vcpu } from './vcpu.js';
export { HostMapping, type MappingKind, type MmapOptions } from './host-memory.js';
export { Errno, KvmError, type ErrnoName } from './errors.js';
export type { ArmNisvExit, InternalErrorExit, IntrExit, KvmExit, MmioExit, SystemEventExit } from './exits.js';
export * from './uapi.js';
export {
  PSCI, PSCI_RET, KVM_PSCI_FN, KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_0_2, KVM_ARM_PSCI_1_0, KVM_ARM_PSCI_1_1,
  SMCCC_VERSION_FUNC, SMCCC_ARCH_FEATURES_FUNC, mpidrForVcpuId,
} from './psci.js';
