/**
 * The vGIC device's register attribute groups (KVM_DEV_ARM_VGIC_GRP_DIST_REGS, _REDIST_REGS, _CPU_SYSREGS,
 * _LEVEL_INFO on a GICv3; _DIST_REGS, _CPU_REGS on a GICv2): which vCPU an attribute names, the checks in Linux's
 * order, and the model's user-space accessors (vgic/), which save and restore the state as KVM's do.
 *
 * GICv3 attributes name a vCPU by its affinity, Aff3.Aff2.Aff1.Aff0 in bits [63:32] (DIST_REGS: vCPU 0), GICv2
 * attributes by its id in bits [39:32]; bits [31:0] are the register offset (CPU_SYSREGS: bits [15:0] the
 * op0:op1:CRn:CRm:op2 encoding; LEVEL_INFO: bits [31:10] 0 for line levels, bits [9:0] the first of 32 INTIDs).
 * Errors: EINVAL for no such vCPU, a LEVEL_INFO other than line levels or a value that is not a u32; EBUSY for a
 * GICv3 not yet initialised (a GICv2 is initialised by the access); ENXIO for an offset or register the frame
 * does not save.
 */
import { fail, KvmError } from './errors.js';
import { MPIDR_HWID_BITMASK } from './psci.js';
import {
  KVM_DEV_ARM_VGIC_GRP_CPU_REGS, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
  KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK,
  KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT, KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK, KVM_DEV_ARM_VGIC_OFFSET_MASK,
  KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK, VGIC_LEVEL_INFO_LINE_LEVEL,
} from './uapi.js';
import type { VgicDevice } from './vgic-device.js';
import { VgicV2 } from './vgic/vgic-v2.js';
import { VgicV3 } from './vgic/vgic-v3.js';

/** Whether `group` is a register group of the device's GIC version. */
export function isRegGroup(dev: VgicDevice, group: number): boolean {
  if (group === KVM_DEV_ARM_VGIC_GRP_DIST_REGS) return true;
  return dev.isV3
    ? group === KVM_DEV_ARM_VGIC_GRP_REDIST_REGS || group === KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS || group === KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO
    : group === KVM_DEV_ARM_VGIC_GRP_CPU_REGS;
}

/** The index of the vCPU a GICv3 register attribute names (EINVAL: none). */
function v3Vcpu(dev: VgicDevice, group: number, attr: bigint): number {
  const vcpus = dev.vm.vcpus;
  if (group === KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
    if (vcpus.length === 0) fail('EINVAL', 'vGIC: the VM has no vCPU');
    return 0;
  }
  const aff = attr >> 32n;
  const mpidr = (aff & 0xff_ffffn) | ((aff >> 24n) << 32n);
  const i = vcpus.findIndex((v) => (v.mpidrValue & MPIDR_HWID_BITMASK) === mpidr);
  if (i < 0) fail('EINVAL', `vGIC: no vCPU with affinity 0x${aff.toString(16)}`);
  return i;
}

/** The index of the vCPU a GICv2 register attribute names by its id (EINVAL: none). */
function v2Vcpu(dev: VgicDevice, attr: bigint): number {
  const id = Number((attr >> 32n) & 0xffn);
  const i = dev.vm.vcpus.findIndex((v) => v.id === id);
  if (i < 0) fail('EINVAL', `vGIC: no vCPU with id ${id}`);
  return i;
}

/**
 * Get (`value` undefined) or set a register attribute of `group`: the register's value (a u32; CPU_SYSREGS a u64).
 */
export function accessRegs(dev: VgicDevice, group: number, attr: bigint, value: bigint | undefined): bigint {
  const offset = Number(attr & KVM_DEV_ARM_VGIC_OFFSET_MASK);
  if (!dev.isV3) {
    const vcpu = v2Vcpu(dev, attr);
    const v32 = u32(group, value);
    const gic = dev.lazyModel() as VgicV2;
    const dist = group === KVM_DEV_ARM_VGIC_GRP_DIST_REGS;
    if (v32 === undefined) return BigInt(dist ? gic.userDistRead(vcpu, offset) : gic.userCpuRead(vcpu, offset));
    if (dist) gic.userDistWrite(vcpu, offset, v32);
    else gic.userCpuWrite(vcpu, offset, v32);
    return BigInt(v32);
  }
  const vcpu = v3Vcpu(dev, group, attr);
  const v32 = u32(group, value);
  const gic = dev.lazyModel() as VgicV3;
  switch (group) {
    case KVM_DEV_ARM_VGIC_GRP_DIST_REGS:
      if (v32 === undefined) return BigInt(gic.userDistRead(offset));
      gic.userDistWrite(offset, v32);
      return BigInt(v32);
    case KVM_DEV_ARM_VGIC_GRP_REDIST_REGS:
      if (v32 === undefined) return BigInt(gic.userRedistRead(vcpu, offset));
      gic.userRedistWrite(vcpu, offset, v32);
      return BigInt(v32);
    case KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS: {
      const id = Number(attr & KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK);
      if (value === undefined) return gic.userCpuSysregRead(vcpu, id);
      gic.userCpuSysregWrite(vcpu, id, value);
      return value;
    }
    default: {
      const intid = levelInfoIntid(attr);
      if (v32 === undefined) return BigInt(gic.userLevelInfoRead(vcpu, intid));
      gic.userLevelInfoWrite(vcpu, intid, v32);
      return BigInt(v32);
    }
  }
}

/**
 * KVM_HAS_DEVICE_ATTR of a register attribute: whether the frame saves a 32-bit register at the offset (or the
 * register of that encoding, or line levels). EINVAL (thrown) for an attribute naming no vCPU, as Linux.
 */
export function hasRegAttr(dev: VgicDevice, group: number, attr: bigint): boolean {
  const vcpu = dev.isV3 ? v3Vcpu(dev, group, attr) : v2Vcpu(dev, attr);
  if (group === KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO) {
    return (attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) >> KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT === BigInt(VGIC_LEVEL_INFO_LINE_LEVEL);
  }
  // Probe with a read on the model, or on a fresh one of the same shape before initialisation (user reads change
  // nothing): ENXIO means the frame has no such register.
  const gic = dev.model ?? scratchModel(dev);
  const offset = Number(attr & KVM_DEV_ARM_VGIC_OFFSET_MASK);
  try {
    if (gic instanceof VgicV3) {
      if (group === KVM_DEV_ARM_VGIC_GRP_DIST_REGS) gic.userDistRead(offset);
      else if (group === KVM_DEV_ARM_VGIC_GRP_REDIST_REGS) gic.userRedistRead(vcpu, offset);
      else gic.userCpuSysregRead(vcpu, Number(attr & KVM_DEV_ARM_VGIC_SYSREG_INSTR_MASK));
    } else if (group === KVM_DEV_ARM_VGIC_GRP_DIST_REGS) {
      gic.userDistRead(vcpu, offset);
    } else {
      gic.userCpuRead(vcpu, offset);
    }
    return true;
  } catch (e) {
    if (e instanceof KvmError && e.code === 'ENXIO') return false;
    throw e;
  }
}

function scratchModel(dev: VgicDevice): VgicV3 | VgicV2 {
  const nrVcpus = dev.vm.vcpus.length;
  return dev.isV3 ? new VgicV3({ nrVcpus, mpidrs: dev.vm.vcpus.map((v) => v.mpidrValue) }) : new VgicV2({ nrVcpus });
}

/** LEVEL_INFO's INTID: EINVAL unless the attribute asks for line levels. */
function levelInfoIntid(attr: bigint): number {
  const info = (attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) >> KVM_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT;
  if (info !== BigInt(VGIC_LEVEL_INFO_LINE_LEVEL)) fail('EINVAL', `vGIC level info: unknown kind ${info}`);
  return Number(attr & KVM_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK);
}

/** A 32-bit register value to set (EINVAL beyond u32), or undefined for a get; CPU_SYSREGS values are u64. */
function u32(group: number, value: bigint | undefined): number | undefined {
  if (value === undefined || group === KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS) return undefined;
  if (value > 0xffff_ffffn) fail('EINVAL', `vGIC register value 0x${value.toString(16)} is not a u32`);
  return Number(value);
}
