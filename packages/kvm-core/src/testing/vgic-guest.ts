/**
 * Test support for guests of a VM with an in-kernel vGIC: a VM with RAM at 0x4000_0000, its vCPUs, code placed at
 * offsets of RAM, an exception vector table whose IRQ entry is a given handler (every other entry loops on
 * itself), the device created at QEMU virt's addresses, and encoders for the ICC_* registers.
 */
import { ICC_REGISTERS, type IccRegName } from '../vgic/cpu-interface-v3.js';
import type { Kvm, VmOptions } from '../kvm.js';
import {
  CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_POWER_OFF, KVM_ARM_VCPU_PSCI_0_2, KVM_DEV_ARM_VGIC_CTRL_INIT,
  KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_TYPE_ARM_VGIC_V2, KVM_DEV_TYPE_ARM_VGIC_V3,
  KVM_VGIC_V2_ADDR_TYPE_CPU, KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_REDIST,
} from '../uapi.js';
import { PSCI } from '../psci.js';
import { A64 } from './a64.js';
import { testKvm } from './setup.js';

export const RAM = 0x4000_0000;
/** The vector table (VBAR_EL1), 2 KiB aligned, in RAM. */
export const VBAR = RAM + 0x8000;
/** QEMU virt: GIC distributor, GICv3 redistributors, GICv2 CPU interface. */
export const GICD_BASE = 0x0800_0000;
export const GICR_BASE = 0x080a_0000;
export const GICC_BASE = 0x0801_0000;
const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };

/** MRS Xt, ICC register. */
export const mrsIcc = (t: number, name: IccRegName): number => {
  const r = ICC_REGISTERS[name];
  return A64.mrs(t, r.op0, r.op1, r.crn, r.crm, r.op2);
};
/** MSR ICC register, Xt. */
export const msrIcc = (name: IccRegName, t: number): number => {
  const r = ICC_REGISTERS[name];
  return A64.msr(t, r.op0, r.op1, r.crn, r.crm, r.op2);
};
export const ERET = 0xd69f03e0;
/** MSR DAIFClr, #2: unmask IRQs. */
export const UNMASK_IRQ = 0xd50342ff;
/** MSR VBAR_EL1, Xt. */
export const msrVbar = (t: number): number => A64.msr(t, 3, 0, 12, 0, 0);
/** Set VBAR_EL1 to the test vector table (uses x0). */
export const setVbar = (): number[] => [...A64.mov64(0, BigInt(VBAR)), msrVbar(0)];
/** PSCI call with up to three arguments (x0..x3). */
export const psci = (fid: number, ...args: bigint[]): number[] => [
  ...A64.mov64(0, BigInt(fid)), ...args.flatMap((a, i) => A64.mov64(i + 1, a)), A64.hvc(),
];
export const systemOff = (): number[] => psci(PSCI.SYSTEM_OFF);

export interface VgicGuestOptions {
  readonly version: 2 | 3;
  readonly vcpus?: number;
  /** Code at RAM offsets: `{ 0: [...] }` is vCPU 0's entry. */
  readonly code: Record<number, number[]>;
  /** The IRQ handler (VBAR + 0x280, current EL with SP_ELx). */
  readonly irqHandler: number[];
  readonly kvm?: Kvm;
  /** Create the device, set its addresses and initialise it (default true). */
  readonly setUp?: boolean;
  /** Options of the VM (createVm), e.g. its clock or the interpreter. */
  readonly vmOptions?: VmOptions;
  /** More KVM_ARM_VCPU_INIT feature bits for every vCPU (e.g. 1 << KVM_ARM_VCPU_PMU_V3). */
  readonly features?: number;
}

/** A VM with the vGIC at QEMU virt's addresses, vCPU 0 at RAM, the others powered off. */
export function vgicGuest(o: VgicGuestOptions) {
  const kvm = o.kvm ?? testKvm();
  const vm = kvm.createVm(0, o.vmOptions);
  const ram = kvm.mmap({ size: 1 << 20 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 20, mapping: ram });
  const put = (addr: number, words: readonly number[]) => words.forEach((w, i) => ram.view.setUint32(addr - RAM + 4 * i, w, true));
  for (let off = 0; off < 0x800; off += 0x80) put(VBAR + off, [A64.self()]);
  put(VBAR + 0x280, o.irqHandler);
  for (const [off, words] of Object.entries(o.code)) put(RAM + Number(off), words);
  const vcpus = [];
  for (let i = 0; i < (o.vcpus ?? 1); i++) {
    const v = vm.createVcpu(i);
    v.armVcpuInit({ ...INIT, features: [INIT.features[0]! | (o.features ?? 0) | (i === 0 ? 0 : 1 << KVM_ARM_VCPU_POWER_OFF)] });
    vcpus.push(v);
  }
  vcpus[0]!.setOneReg(CoreReg.PC, BigInt(RAM));
  const dev = vm.createDevice(o.version === 3 ? KVM_DEV_TYPE_ARM_VGIC_V3 : KVM_DEV_TYPE_ARM_VGIC_V2);
  if (o.setUp ?? true) {
    const addr = (attr: number, value: number) => dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr, value });
    if (o.version === 3) {
      addr(KVM_VGIC_V3_ADDR_TYPE_DIST, GICD_BASE);
      addr(KVM_VGIC_V3_ADDR_TYPE_REDIST, GICR_BASE);
    } else {
      addr(KVM_VGIC_V2_ADDR_TYPE_DIST, GICD_BASE);
      addr(KVM_VGIC_V2_ADDR_TYPE_CPU, GICC_BASE);
    }
    dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_VGIC_CTRL_INIT });
  }
  return { kvm, vm, ram, vcpus, dev };
}
