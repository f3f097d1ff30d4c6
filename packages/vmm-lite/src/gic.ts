/**
 * The virt board's interrupt controller: kvm-core's in-kernel vGIC (KVM_CREATE_DEVICE), created as QEMU's virt
 * creates it under KVM, at its addresses: the distributor at 0x0800_0000 (64 KiB), GICv3 redistributors from
 * 0x080a_0000 (128 KiB per vCPU), the GICv2 CPU interface at 0x0801_0000; with a GICv3, an ITS
 * (KVM_DEV_TYPE_ARM_VGIC_ITS) at 0x0808_0000 (128 KiB), as QEMU's virt has by default. Devices' interrupts are SPIs
 * numbered as QEMU's virt numbers them (the PL011 SPI 1, the PL031 SPI 2).
 */
import {
  KVM_DEV_ARM_VGIC_CTRL_INIT, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, KVM_DEV_TYPE_ARM_VGIC_V2,
  KVM_DEV_TYPE_ARM_VGIC_ITS, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_VGIC_ITS_ADDR_TYPE, KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_REDIST, type Device, type Vm,
} from '@kvm-mte/kvm-core';

/** The GIC the machine has ('none': only to restore snapshots from before vmm-lite had one). */
export type GicVersion = 'v2' | 'v3' | 'none';

/** QEMU virt's memory map of the GIC. */
export const GIC_DIST_BASE = 0x0800_0000;
export const GIC_DIST_SIZE = 0x1_0000;
export const GIC_CPU_BASE = 0x0801_0000;
export const GIC_CPU_SIZE = 0x1_0000;
export const GIC_REDIST_BASE = 0x080a_0000;
/** The redistributor region QEMU's virt reserves (and its device tree gives), whatever the number of vCPUs. */
export const GIC_REDIST_SIZE = 0x00f6_0000;
/** The ITS (GICv3 only): its control and translation frames. */
export const GIC_ITS_BASE = 0x0808_0000;
export const GIC_ITS_SIZE = 0x2_0000;

/** The vGIC's interrupts (KVM_DEV_ARM_VGIC_GRP_NR_IRQS): 32 private ones and QEMU virt's 256 SPIs. */
export const VIRT_NR_IRQS = 32 + 256;

/** SPI numbers (INTID - 32) of the devices, as QEMU's virt assigns them. */
export const PL011_SPI = 1;
export const PL031_SPI = 2;

/** Create, place and initialise the vGIC on `vm` (after its vCPUs: none can be added later). */
export function createVirtGic(vm: Vm, version: GicVersion): Device | undefined {
  if (version === 'none') return undefined;
  const dev = vm.createDevice(version === 'v3' ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2);
  const addr = (attr: number, value: number): void => dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr, value });
  if (version === 'v3') {
    addr(KVM_VGIC_V3_ADDR_TYPE_DIST, GIC_DIST_BASE);
    addr(KVM_VGIC_V3_ADDR_TYPE_REDIST, GIC_REDIST_BASE);
  } else {
    addr(KVM_VGIC_V2_ADDR_TYPE_DIST, GIC_DIST_BASE);
    addr(KVM_VGIC_V2_ADDR_TYPE_CPU, GIC_CPU_BASE);
  }
  // QEMU's virt sizes its GIC for 256 SPIs (288 interrupts, GICD_TYPER.ITLinesNumber 8) and tells KVM so; without
  // this KVM would use its legacy default of 256 interrupts.
  dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0, value: VIRT_NR_IRQS });
  dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_VGIC_CTRL_INIT });
  if (version === 'v3') {
    // The ITS after the vGICv3 is initialised, as QEMU creates it.
    const its = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_ITS);
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_ITS_ADDR_TYPE, value: GIC_ITS_BASE });
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_VGIC_CTRL_INIT });
  }
  return dev;
}

/** The ITS of a virt machine's VM (the one createVirtGic gives its GICv3), or undefined (a GICv2, or no GIC). */
export function virtIts(vm: Vm): Device | undefined {
  return vm.vgic?.its[0];
}
