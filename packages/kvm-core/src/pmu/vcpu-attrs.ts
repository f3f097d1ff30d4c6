/**
 * The PMU's vCPU device attributes (KVM_{SET,GET,HAS}_DEVICE_ATTR on a vCPU fd, group KVM_ARM_VCPU_PMU_V3_CTRL)
 * and the check of the first KVM_RUN, with Linux's errno values and in Linux's order (arch/arm64/kvm/pmu-emul.c):
 *
 * - SET IRQ: ENODEV without KVM_ARM_VCPU_PMU_V3, EBUSY once INIT succeeded, EINVAL without an in-kernel vGIC, for
 *   an INTID that is neither a PPI (16-31) nor an SPI (32-1019), for a PPI other vCPUs' PMUs do not share or an
 *   SPI another vCPU's PMU uses; EBUSY when already set.
 * - SET INIT: ENODEV without the feature, EBUSY when done; with a vGIC, ENODEV while it is not initialised and
 *   ENXIO while the IRQ is not set.
 * - GET IRQ: EINVAL without a vGIC, ENODEV without the feature, ENXIO while not set. HAS: IRQ and INIT when the
 *   vCPU has the feature. Anything else (another group, FILTER, SET_PMU): ENXIO.
 * - KVM_RUN: EINVAL for a vCPU with the feature whose PMU was not initialised, or, with a vGIC, whose INTID is not
 *   a PPI or one of the vGIC's SPIs; without a vGIC, EINVAL when an IRQ was set.
 */
import { fail } from '../errors.js';
import {
  KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, KVM_ARM_VCPU_PMU_V3_IRQ,
} from '../uapi.js';
import type { DeviceAttr } from '../vgic-device.js';
import type { VcpuPmu } from './vcpu-pmu.js';

/** What the attribute checks need of the VM. */
export interface PmuAttrHost {
  /** Whether the VM has an in-kernel vGIC device (Linux's irqchip_in_kernel). */
  readonly hasVgic: boolean;
  /** Whether the vGIC is initialised (vgic_initialized). */
  readonly vgicReady: boolean;
  /** The vGIC's interrupt count (INTIDs below it exist), once initialised. */
  readonly vgicNrIrqs: number | undefined;
  /** The PMUs of every vCPU of the VM. */
  readonly pmus: readonly VcpuPmu[];
}

const isPpi = (irq: number): boolean => irq >= 16 && irq < 32;
const isSpi = (irq: number): boolean => irq >= 32 && irq < 1020;

function attrNumber(a: DeviceAttr): number {
  const v = a.attr;
  return typeof v === 'bigint' ? (v <= 0xffff_ffffn && v >= 0n ? Number(v) : -1) : v;
}

/** KVM_SET_DEVICE_ATTR on the vCPU whose PMU is `pmu`. */
export function setPmuAttr(pmu: VcpuPmu, host: PmuAttrHost, a: DeviceAttr): void {
  if (a.group !== KVM_ARM_VCPU_PMU_V3_CTRL) fail('ENXIO', `no vCPU attribute group ${a.group}`);
  if (!pmu.enabled) fail('ENODEV', 'the vCPU has no PMU (KVM_ARM_VCPU_PMU_V3 at KVM_ARM_VCPU_INIT)');
  if (pmu.created) fail('EBUSY', 'the PMU is initialised: its attributes are fixed');
  switch (attrNumber(a)) {
    case KVM_ARM_VCPU_PMU_V3_IRQ: {
      if (!host.hasVgic) fail('EINVAL', 'the PMU interrupt needs an in-kernel vGIC');
      const v = a.value;
      const irq = typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v ?? -1;
      if (!Number.isInteger(irq) || !(isPpi(irq) || isSpi(irq))) fail('EINVAL', `PMU interrupt ${String(irq)} is neither a PPI (16-31) nor an SPI (32-1019)`);
      for (const other of host.pmus) {
        if (other === pmu || other.irq === undefined) continue;
        if (isPpi(irq) && other.irq !== irq) fail('EINVAL', `PMU interrupt ${irq}: another vCPU's PMU uses ${other.irq} (a PPI must be the same on every vCPU)`);
        if (isSpi(irq) && other.irq === irq) fail('EINVAL', `PMU interrupt ${irq}: the SPI is another vCPU's PMU's`);
      }
      if (pmu.irq !== undefined) fail('EBUSY', `the PMU interrupt is already set (${pmu.irq})`);
      pmu.irq = irq;
      return;
    }
    case KVM_ARM_VCPU_PMU_V3_INIT:
      if (host.hasVgic) {
        if (!host.vgicReady) fail('ENODEV', 'the vGIC must be initialised before the PMU');
        if (pmu.irq === undefined) fail('ENXIO', 'the PMU interrupt is not set (KVM_ARM_VCPU_PMU_V3_IRQ)');
      }
      pmu.created = true;
      return;
    default:
      fail('ENXIO', `no PMU attribute ${String(a.attr)}`);
  }
}

/** KVM_GET_DEVICE_ATTR on the vCPU whose PMU is `pmu`: the PMU's INTID. */
export function getPmuAttr(pmu: VcpuPmu, host: PmuAttrHost, a: DeviceAttr): bigint {
  if (a.group === KVM_ARM_VCPU_PMU_V3_CTRL && attrNumber(a) === KVM_ARM_VCPU_PMU_V3_IRQ) {
    if (!host.hasVgic) fail('EINVAL', 'the PMU interrupt needs an in-kernel vGIC');
    if (!pmu.enabled) fail('ENODEV', 'the vCPU has no PMU (KVM_ARM_VCPU_PMU_V3 at KVM_ARM_VCPU_INIT)');
    if (pmu.irq === undefined) fail('ENXIO', 'the PMU interrupt is not set');
    return BigInt(pmu.irq);
  }
  fail('ENXIO', `no readable vCPU attribute ${a.group}/${String(a.attr)}`);
}

/** KVM_HAS_DEVICE_ATTR on the vCPU whose PMU is `pmu` (false where Linux answers ENXIO). */
export function hasPmuAttr(pmu: VcpuPmu, a: DeviceAttr): boolean {
  const n = attrNumber(a);
  return a.group === KVM_ARM_VCPU_PMU_V3_CTRL && (n === KVM_ARM_VCPU_PMU_V3_IRQ || n === KVM_ARM_VCPU_PMU_V3_INIT) && pmu.enabled;
}

/** The first KVM_RUN's check of the vCPU's PMU (kvm_arm_pmu_v3_enable). */
export function checkPmuRunnable(pmu: VcpuPmu, host: PmuAttrHost): void {
  if (!pmu.enabled) return;
  if (!pmu.created) fail('EINVAL', 'the vCPU has a PMU that is not initialised (KVM_ARM_VCPU_PMU_V3_INIT)');
  if (host.hasVgic) {
    const irq = pmu.irq!;
    if (!isPpi(irq) && !(host.vgicNrIrqs !== undefined && irq >= 32 && irq < host.vgicNrIrqs)) {
      fail('EINVAL', `the PMU interrupt ${irq} is not a PPI or an SPI of the vGIC`);
    }
  } else if (pmu.irq !== undefined) {
    fail('EINVAL', 'a PMU interrupt is set but the VM has no in-kernel vGIC');
  }
}
