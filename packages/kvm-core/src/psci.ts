/**
 * PSCI and SMCCC function ids and return codes (Arm DEN0022 / DEN0028), and the version encodings KVM exposes.
 * The call handling itself lives on the vCPU (vcpu.ts), which owns the state it changes.
 */

export const PSCI_0_2_FN_BASE = 0x8400_0000;
export const PSCI_0_2_FN64_BASE = 0xc400_0000;

export const PSCI = {
  VERSION: 0x8400_0000,
  CPU_SUSPEND: 0x8400_0001,
  CPU_SUSPEND64: 0xc400_0001,
  CPU_OFF: 0x8400_0002,
  CPU_ON: 0x8400_0003,
  CPU_ON64: 0xc400_0003,
  AFFINITY_INFO: 0x8400_0004,
  AFFINITY_INFO64: 0xc400_0004,
  MIGRATE: 0x8400_0005,
  MIGRATE64: 0xc400_0005,
  MIGRATE_INFO_TYPE: 0x8400_0006,
  MIGRATE_INFO_UP_CPU: 0x8400_0007,
  MIGRATE_INFO_UP_CPU64: 0xc400_0007,
  SYSTEM_OFF: 0x8400_0008,
  SYSTEM_RESET: 0x8400_0009,
  FEATURES: 0x8400_000a,
  SYSTEM_SUSPEND: 0x8400_000e,
  SYSTEM_SUSPEND64: 0xc400_000e,
  SYSTEM_RESET2: 0x8400_0012,
  SYSTEM_RESET2_64: 0xc400_0012,
} as const;

/** PSCI 0.1 as KVM defined it before the standard ids (KVM_PSCI_FN_BASE). */
export const KVM_PSCI_FN_BASE = 0x95c1_ba5e;
export const KVM_PSCI_FN = {
  CPU_SUSPEND: KVM_PSCI_FN_BASE + 0,
  CPU_OFF: KVM_PSCI_FN_BASE + 1,
  CPU_ON: KVM_PSCI_FN_BASE + 2,
  MIGRATE: KVM_PSCI_FN_BASE + 3,
} as const;

export const SMCCC_VERSION_FUNC = 0x8000_0000;
export const SMCCC_ARCH_FEATURES_FUNC = 0x8000_0001;
export const SMCCC_VERSION_1_1 = 0x1_0001;

export const PSCI_RET = {
  SUCCESS: 0,
  NOT_SUPPORTED: -1,
  INVALID_PARAMETERS: -2,
  DENIED: -3,
  ALREADY_ON: -4,
  ON_PENDING: -5,
  INTERNAL_FAILURE: -6,
  NOT_PRESENT: -7,
  DISABLED: -8,
  INVALID_ADDRESS: -9,
} as const;

/** AFFINITY_INFO results. */
export const PSCI_AFFINITY_ON = 0;
export const PSCI_AFFINITY_OFF = 1;
/** MIGRATE_INFO_TYPE: no Trusted OS that needs migrating. */
export const PSCI_TOS_NOT_PRESENT_MP = 2;
/** SYSTEM_RESET2: bit 31 marks vendor-specific reset types; 0 is the architectural warm reset. */
export const PSCI_RESET2_TYPE_VENDOR = 0x8000_0000;
export const PSCI_RESET2_SYSTEM_WARM_RESET = 0;

/** PSCI versions (major << 16 | minor). 0 stands for KVM's pre-standard PSCI 0.1. */
export const KVM_ARM_PSCI_0_1 = 0;
export const KVM_ARM_PSCI_0_2 = 0x2;
export const KVM_ARM_PSCI_1_0 = 0x1_0000;
export const KVM_ARM_PSCI_1_1 = 0x1_0001;
export const KVM_ARM_PSCI_LATEST = KVM_ARM_PSCI_1_1;

/** MPIDR_EL1 affinity fields Aff3 [39:32], Aff2 [23:16], Aff1 [15:8], Aff0 [7:0]. */
export const MPIDR_HWID_BITMASK = 0xff_00ff_ffffn;

/** The MPIDR affinity bits at and above `level` (0..3), or 0n for an invalid level. */
export function affinityMask(level: number): bigint {
  switch (level) {
    case 0: return MPIDR_HWID_BITMASK;
    case 1: return MPIDR_HWID_BITMASK & ~0xffn;
    case 2: return MPIDR_HWID_BITMASK & ~0xffffn;
    case 3: return 0xff_0000_0000n;
    default: return 0n;
  }
}

/** MPIDR_EL1 for vCPU `id`, as KVM assigns it: Aff0 = id[3:0], Aff1 = id[11:4], Aff2 = id[19:12], bit 31 RES1. */
export function mpidrForVcpuId(id: number): bigint {
  return (1n << 31n) | BigInt(id & 0xf) | (BigInt((id >> 4) & 0xff) << 8n) | (BigInt((id >> 12) & 0xff) << 16n);
}
