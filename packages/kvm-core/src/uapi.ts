/**
 * Constants of the Linux KVM user-space ABI (include/uapi/linux/kvm.h, arch/arm64/include/uapi/asm/kvm.h), with
 * Linux's names and values. Only what this model implements or reports is listed.
 */

/** Capabilities for `checkExtension` / `enableCap`. */
export const KVM_CAP_IRQCHIP = 0;
export const KVM_CAP_USER_MEMORY = 3;
export const KVM_CAP_NR_VCPUS = 9;
export const KVM_CAP_NR_MEMSLOTS = 10;
export const KVM_CAP_MP_STATE = 14;
export const KVM_CAP_SET_GUEST_DEBUG = 23;
export const KVM_CAP_SYNC_MMU = 16;
export const KVM_CAP_ENABLE_CAP = 54;
export const KVM_CAP_MAX_VCPUS = 66;
export const KVM_CAP_ONE_REG = 70;
export const KVM_CAP_READONLY_MEM = 81;
export const KVM_CAP_ARM_PSCI = 87;
export const KVM_CAP_DEVICE_CTRL = 89;
export const KVM_CAP_ARM_EL1_32BIT = 93;
export const KVM_CAP_ARM_PSCI_0_2 = 102;
export const KVM_CAP_CHECK_EXTENSION_VM = 105;
export const KVM_CAP_MULTI_ADDRESS_SPACE = 118;
export const KVM_CAP_GUEST_DEBUG_HW_BPS = 119;
export const KVM_CAP_GUEST_DEBUG_HW_WPS = 120;
export const KVM_CAP_MAX_VCPU_ID = 128;
export const KVM_CAP_ARM_VM_IPA_SIZE = 165;
export const KVM_CAP_ARM_NISV_TO_USER = 177;
export const KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 = 168;
export const KVM_CAP_ARM_MTE = 205;

/** KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 flags (args[0] of KVM_ENABLE_CAP). */
export const KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE = 1 << 0;
export const KVM_DIRTY_LOG_INITIALLY_SET = 1 << 1;

/** KVM_ARM_MTE_COPY_TAGS: _IOR(KVMIO, 0xb4, struct kvm_arm_copy_mte_tags), and its flags. */
export const KVM_ARM_MTE_COPY_TAGS = 0x8030_aeb4;
export const KVM_ARM_TAGS_TO_GUEST = 0;
export const KVM_ARM_TAGS_FROM_GUEST = 1;

/** Limits (arm64). */
export const KVM_MAX_VCPUS = 512;
export const KVM_USER_MEM_SLOTS = 32767;
export const KVM_MEM_MAX_NR_PAGES = 2 ** 31 - 1;
/** Default IPA size of a VM created with type 0. */
export const KVM_DEFAULT_IPA_BITS = 40;
/** KVM_VM_TYPE_ARM_IPA_SIZE_MASK: the IPA size in bits [7:0] of the KVM_CREATE_VM type. */
export const KVM_VM_TYPE_ARM_IPA_SIZE_MASK = 0xff;

/** Memslot flags. */
export const KVM_MEM_LOG_DIRTY_PAGES = 1 << 0;
export const KVM_MEM_READONLY = 1 << 1;

/** Exit reasons (`kvm_run.exit_reason`). */
export const KVM_EXIT_UNKNOWN = 0;
export const KVM_EXIT_DEBUG = 4;
export const KVM_EXIT_MMIO = 6;
export const KVM_EXIT_FAIL_ENTRY = 9;
export const KVM_EXIT_INTR = 10;
export const KVM_EXIT_INTERNAL_ERROR = 17;
export const KVM_EXIT_SYSTEM_EVENT = 24;
export const KVM_EXIT_ARM_NISV = 28;
/**
 * MODEL-SPECIFIC (not a Linux value): a guest tag access (tag check, LDG, STG, ...) to memory mapped with the
 * FEAT_MTE_PERM NoTagAccess stage-2 attribute (the `noTagAccess` page policy). Linux has no such exit (the
 * KVM_CAP_ARM_MTE_PERM proposals were not merged); 0x4d54 ('MT') is far from Linux's exit numbers (< 64).
 */
export const KVM_EXIT_ARM_TAG_ACCESS = 0x4d54;

/** KVM_SET_GUEST_DEBUG: `kvm_guest_debug.control` bits (generic, then arm64's). */
export const KVM_GUESTDBG_ENABLE = 0x1;
export const KVM_GUESTDBG_SINGLESTEP = 0x2;
export const KVM_GUESTDBG_USE_SW_BP = 1 << 16;
export const KVM_GUESTDBG_USE_HW = 1 << 17;
/** The control bits arm64 accepts (any other is EINVAL). */
export const KVM_GUESTDBG_VALID_MASK = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW;
/** Entries of each array of `struct kvm_guest_debug_arch` (dbg_bcr, dbg_bvr, dbg_wcr, dbg_wvr). */
export const KVM_ARM_MAX_DBG_REGS = 16;
/** kvm_run.flags of a KVM_EXIT_DEBUG: `debug.arch.hsr_high` holds ESR_EL2[63:32]. */
export const KVM_DEBUG_ARCH_HSR_HIGH_VALID = 1 << 0;

/** KVM_EXIT_INTERNAL_ERROR sub-errors. */
export const KVM_INTERNAL_ERROR_EMULATION = 1;
export const KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;

/** KVM_EXIT_SYSTEM_EVENT types and flags. */
export const KVM_SYSTEM_EVENT_SHUTDOWN = 1;
export const KVM_SYSTEM_EVENT_RESET = 2;
export const KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2 = 1n << 0n;

/** KVM_ARM_VCPU_INIT. */
export const KVM_ARM_TARGET_GENERIC_V8 = 5;
export const KVM_ARM_VCPU_POWER_OFF = 0;
export const KVM_ARM_VCPU_EL1_32BIT = 1;
export const KVM_ARM_VCPU_PSCI_0_2 = 2;
export const KVM_ARM_VCPU_PMU_V3 = 3;
export const KVM_ARM_VCPU_SVE = 4;
export const KVM_ARM_VCPU_PTRAUTH_ADDRESS = 5;
export const KVM_ARM_VCPU_PTRAUTH_GENERIC = 6;
export const KVM_ARM_VCPU_HAS_EL2 = 7;
/**
 * The 2020 RFC's per-vCPU MTE feature (its value was 7, before Linux gave 7 to HAS_EL2; the RFC was replaced by
 * KVM_CAP_ARM_MTE and never merged). This model follows the RFC: bit 7 at KVM_ARM_VCPU_INIT asks for MTE, and, as
 * nested virtualisation is not modelled, HAS_EL2 is never accepted under that meaning.
 */
export const KVM_ARM_VCPU_MTE = 7;

/** KVM_GET_MP_STATE / KVM_SET_MP_STATE. */
export const KVM_MP_STATE_RUNNABLE = 0;
export const KVM_MP_STATE_STOPPED = 5;

/** KVM_IRQ_LINE on arm64 without an in-kernel irqchip: irq = type << 24 | vcpu_index << 16 | irq_id. */
export const KVM_ARM_IRQ_TYPE_SHIFT = 24;
export const KVM_ARM_IRQ_VCPU_SHIFT = 16;
export const KVM_ARM_IRQ_TYPE_CPU = 0;
export const KVM_ARM_IRQ_TYPE_SPI = 1;
export const KVM_ARM_IRQ_TYPE_PPI = 2;
export const KVM_ARM_IRQ_CPU_IRQ = 0;
export const KVM_ARM_IRQ_CPU_FIQ = 1;

/** ONE_REG id encoding. */
export const KVM_REG_ARM64 = 0x6000_0000_0000_0000n;
export const KVM_REG_ARCH_MASK = 0xff00_0000_0000_0000n;
export const KVM_REG_SIZE_SHIFT = 52n;
export const KVM_REG_SIZE_MASK = 0x00f0_0000_0000_0000n;
export const KVM_REG_SIZE_U32 = 0x0020_0000_0000_0000n;
export const KVM_REG_SIZE_U64 = 0x0030_0000_0000_0000n;
export const KVM_REG_SIZE_U128 = 0x0040_0000_0000_0000n;
export const KVM_REG_ARM_COPROC_MASK = 0x0fff_0000n;
export const KVM_REG_ARM_CORE = 0x0010n << 16n;
export const KVM_REG_ARM64_SYSREG = 0x0013n << 16n;
export const KVM_REG_ARM_FW = 0x0014n << 16n;
/** The PSCI version a VM's guests see (a VM-wide firmware pseudo-register). */
export const KVM_REG_ARM_PSCI_VERSION = KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_FW | 0n;

/** ARM64_SYS_REG(op0, op1, CRn, CRm, op2): the ONE_REG id of a system register. */
export function arm64SysReg(op0: number, op1: number, crn: number, crm: number, op2: number): bigint {
  const key = ((op0 & 3) << 14) | ((op1 & 7) << 11) | ((crn & 15) << 7) | ((crm & 15) << 3) | (op2 & 7);
  return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM64_SYSREG | BigInt(key);
}

/**
 * The generic timers' ONE_REG ids (Linux's uapi asm/kvm.h). The virtual timer's CVAL and CNT ids are swapped
 * relative to the architectural encodings (TIMER_CVAL is CNTVCT_EL0's, TIMER_CNT CNTV_CVAL_EL0's): an ABI accident
 * Linux keeps, and so do we.
 */
export const KVM_REG_ARM_TIMER_CTL = arm64SysReg(3, 3, 14, 3, 1);
export const KVM_REG_ARM_TIMER_CVAL = arm64SysReg(3, 3, 14, 0, 2);
export const KVM_REG_ARM_TIMER_CNT = arm64SysReg(3, 3, 14, 3, 2);
export const KVM_REG_ARM_PTIMER_CTL = arm64SysReg(3, 3, 14, 2, 1);
export const KVM_REG_ARM_PTIMER_CVAL = arm64SysReg(3, 3, 14, 2, 2);
export const KVM_REG_ARM_PTIMER_CNT = arm64SysReg(3, 3, 14, 0, 1);

/**
 * The ONE_REG id of a 64-bit field of `struct kvm_regs`, from its offset in 32-bit words
 * (KVM_REG_ARM_CORE_REG(name) = offsetof(struct kvm_regs, name) / 4).
 */
export function kvmCoreRegId(wordOffset: number): bigint {
  return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | BigInt(wordOffset);
}

/** The core registers this model implements, as ONE_REG ids. */
export const CoreReg = {
  /** regs.regs[n], n = 0..30 */
  x: (n: number): bigint => kvmCoreRegId(2 * n),
  /** regs.sp: SP_EL0 */
  SP: kvmCoreRegId(62),
  PC: kvmCoreRegId(64),
  PSTATE: kvmCoreRegId(66),
  SP_EL1: kvmCoreRegId(68),
  ELR_EL1: kvmCoreRegId(70),
  /** spsr[i], i = 0..4 (KVM_SPSR_EL1 = 0; 1..4 are the AArch32 banked SPSRs, stored but unused) */
  spsr: (i: number): bigint => kvmCoreRegId(72 + 2 * i),
  /** fp_regs.vregs[n], n = 0..31: V0..V31, 128 bits (KVM_REG_SIZE_U128) */
  v: (n: number): bigint => KVM_REG_ARM64 | KVM_REG_SIZE_U128 | KVM_REG_ARM_CORE | BigInt(84 + 4 * n),
  /** fp_regs.fpsr, 32 bits */
  FPSR: KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_CORE | 212n,
  /** fp_regs.fpcr, 32 bits */
  FPCR: KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_CORE | 213n,
} as const;

/**
 * vCPU device attributes (KVM_{SET,GET,HAS}_DEVICE_ATTR on a vCPU): the PMU's group and attributes. FILTER and
 * SET_PMU are Linux's but not modelled here (ENXIO).
 */
export const KVM_ARM_VCPU_PMU_V3_CTRL = 0;
export const KVM_ARM_VCPU_PMU_V3_IRQ = 0;
export const KVM_ARM_VCPU_PMU_V3_INIT = 1;
export const KVM_ARM_VCPU_PMU_V3_FILTER = 2;
export const KVM_ARM_VCPU_PMU_V3_SET_PMU = 3;

/** KVM_CREATE_DEVICE types (enum kvm_device_type): the in-kernel GICs. */
export const KVM_DEV_TYPE_ARM_VGIC_V2 = 5;
export const KVM_DEV_TYPE_ARM_VGIC_V3 = 7;
/** KVM_CREATE_DEVICE type of the GICv3 ITS (vgic-its-device.ts). */
export const KVM_DEV_TYPE_ARM_VGIC_ITS = 8;

/** The vGIC device's attribute groups (KVM_{SET,GET,HAS}_DEVICE_ATTR `group`). */
export const KVM_DEV_ARM_VGIC_GRP_ADDR = 0;
export const KVM_DEV_ARM_VGIC_GRP_DIST_REGS = 1;
export const KVM_DEV_ARM_VGIC_GRP_CPU_REGS = 2;
export const KVM_DEV_ARM_VGIC_GRP_NR_IRQS = 3;
export const KVM_DEV_ARM_VGIC_GRP_CTRL = 4;
export const KVM_DEV_ARM_VGIC_GRP_REDIST_REGS = 5;
export const KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS = 6;
export const KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO = 7;
/** The ITS device's register group: attr is the GITS_* offset (64-bit registers as one u64). */
export const KVM_DEV_ARM_VGIC_GRP_ITS_REGS = 8;
/** KVM_DEV_ARM_VGIC_GRP_CTRL attributes (the ITS's and, SAVE_PENDING_TABLES, the vGICv3's). */
export const KVM_DEV_ARM_VGIC_CTRL_INIT = 0;
export const KVM_DEV_ARM_ITS_SAVE_TABLES = 1;
export const KVM_DEV_ARM_ITS_RESTORE_TABLES = 2;
export const KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES = 3;
export const KVM_DEV_ARM_ITS_CTRL_RESET = 4;

/** KVM_DEV_ARM_VGIC_GRP_ADDR attributes (the frame whose guest physical base address the value is). */
export const KVM_VGIC_V2_ADDR_TYPE_DIST = 0;
export const KVM_VGIC_V2_ADDR_TYPE_CPU = 1;
export const KVM_VGIC_V3_ADDR_TYPE_DIST = 2;
export const KVM_VGIC_V3_ADDR_TYPE_REDIST = 3;
/** The ITS device's GRP_ADDR attribute: its 128 KiB frame pair, 64 KiB aligned. */
export const KVM_VGIC_ITS_ADDR_TYPE = 4;
export const KVM_VGIC_V3_ITS_SIZE = 0x2_0000;
/** Frame sizes: GICv2 distributor 4 KiB and CPU interface 8 KiB; GICv3 distributor 64 KiB, redistributor 128 KiB. */
export const KVM_VGIC_V2_DIST_SIZE = 0x1000;
export const KVM_VGIC_V2_CPU_SIZE = 0x2000;
export const KVM_VGIC_V3_DIST_SIZE = 0x1_0000;
export const KVM_VGIC_V3_REDIST_SIZE = 0x2_0000;

/**
 * Register attributes: bits [31:0] the register offset (GRP_CPU_SYSREGS: bits [15:0] the op0:op1:CRn:CRm:op2
 * encoding); GICv2 bits [39:32] the vCPU id; GICv3 bits [63:32] the vCPU's affinity Aff3.Aff2.Aff1.Aff0.
 */
export const KVM_DEV_ARM_VGIC_CPUID_SHIFT = 32n;
export const KVM_DEV_ARM_VGIC_CPUID_MASK = 0xffn << 32n;
export const KVM_DEV_ARM_VGIC_V3_MPIDR_SHIFT = 32n;
export const KVM_DEV_ARM_VGIC_V3_MPIDR_MASK = 0xffff_ffffn << 32n;
export const KVM_DEV_ARM_VGIC_OFFSET_MASK = 0xffff_ffffn;
export const KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK = 0xffffn;
/** GRP_LEVEL_INFO attributes: bits [31:10] what (0: line levels), bits [9:0] the first INTID of 32. */
export const KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT = 10n;
export const KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK = 0x3f_ffffn << 10n;
export const KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK = 0x3ffn;
export const VGIC_LEVEL_INFO_LINE_LEVEL = 0;
