import { describe, expect, it } from 'vitest';
import {
  CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_CAP_DEVICE_CTRL, KVM_CAP_IRQCHIP, KVM_DEV_ARM_VGIC_GRP_ADDR,
  KVM_DEV_ARM_VGIC_GRP_CPU_REGS, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, KVM_DEV_ARM_VGIC_GRP_CTRL,
  KVM_DEV_ARM_VGIC_GRP_DIST_REGS, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
  KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, KVM_DEV_TYPE_ARM_VGIC_V2, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_REDIST, VGIC_ADDR_UNDEF, type Vm,
} from './index.js';
import { A64 } from './testing/a64.js';
import { errnoOf, testKvm } from './testing/setup.js';
import { ICC_REGISTERS, sysregId } from './vgic/cpu-interface-v3.js';
import { GICD, GICR } from './vgic/registers-v3.js';

const ADDR = KVM_DEV_ARM_VGIC_GRP_ADDR;
const CTRL_INIT = { group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: 0 };

function vmWith(vcpus: number): Vm {
  const vm = testKvm().createVm();
  for (let i = 0; i < vcpus; i++) vm.createVcpu(i).armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8 });
  return vm;
}

describe('KVM_CREATE_DEVICE of a vGIC', () => {
  it('offers KVM_CAP_DEVICE_CTRL and KVM_CAP_IRQCHIP', () => {
    const vm = vmWith(0);
    expect([vm.checkExtension(KVM_CAP_DEVICE_CTRL), vm.checkExtension(KVM_CAP_IRQCHIP)]).toEqual([1, 1]);
  });

  it('ENODEV for another type, EEXIST for a second vGIC, EBUSY once a vCPU ran, E2BIG for a GICv2 of 9 vCPUs', () => {
    const vm = vmWith(1);
    expect(errnoOf(() => vm.createDevice(99))).toBe('ENODEV');
    expect(vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3).type).toBe(KVM_DEV_TYPE_ARM_VGIC_V3);
    expect(errnoOf(() => vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V2))).toBe('EEXIST');
    const ran = vmWith(1);
    const ram = ran.kvm.mmap({ size: 4096 });
    ran.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: 0x4000_0000, memorySize: 4096, mapping: ram });
    ram.view.setUint32(0, A64.self(), true);
    ran.vcpus[0]!.setOneReg(CoreReg.PC, 0x4000_0000n);
    ran.vcpus[0]!.runBudget = 10;
    ran.vcpus[0]!.run();
    expect(errnoOf(() => ran.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3))).toBe('EBUSY');
    expect(errnoOf(() => vmWith(9).createDevice(KVM_DEV_TYPE_ARM_VGIC_V2))).toBe('E2BIG');
    const v2 = vmWith(8);
    v2.createDevice(KVM_DEV_TYPE_ARM_VGIC_V2);
    expect(errnoOf(() => v2.createVcpu(8))).toBe('EINVAL'); // a GICv2 serves 8
  });
});

describe('KVM_DEV_ARM_VGIC_GRP_ADDR', () => {
  it('GICv3: alignment EINVAL, already set EEXIST, beyond the IPA space E2BIG, redistributors over the distributor EINVAL', () => {
    const dev = vmWith(2).createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    expect(dev.getAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST })).toBe(VGIC_ADDR_UNDEF);
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0x0800_1000 }))).toBe('EINVAL');
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 1n << 40n }))).toBe('E2BIG');
    dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0x0800_0000 });
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0x0900_0000 }))).toBe('EEXIST');
    expect(dev.getAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST })).toBe(0x0800_0000n);
    // Two redistributors (256 KiB) from 0x07fe_0000 reach into the distributor.
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST, value: 0x07fe_0000 }))).toBe('EINVAL');
    dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST, value: 0x080a_0000 });
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST, value: 0x0900_0000 }))).toBe('EEXIST');
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V2_ADDR_TYPE_CPU, value: 0x0801_0000 }))).toBe('ENXIO');
    expect(dev.hasAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST })).toBe(true);
    expect(dev.hasAttr({ group: ADDR, attr: KVM_VGIC_V2_ADDR_TYPE_CPU })).toBe(false);
  });

  it('GICv2: 4 KiB alignment; the first KVM_RUN refuses missing (ENXIO) and overlapping (EINVAL) frames', () => {
    const vm = vmWith(1);
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V2);
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V2_ADDR_TYPE_DIST, value: 0x0800_0800 }))).toBe('EINVAL');
    dev.setAttr({ group: ADDR, attr: KVM_VGIC_V2_ADDR_TYPE_DIST, value: 0x0800_0000 });
    const v = vm.vcpus[0]!;
    expect(errnoOf(() => v.run())).toBe('ENXIO');
    dev.setAttr({ group: ADDR, attr: KVM_VGIC_V2_ADDR_TYPE_CPU, value: 0x0800_0000 });
    expect(errnoOf(() => v.run())).toBe('EINVAL');
    expect(errnoOf(() => dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0 }))).toBe('ENXIO');
  });
});

describe('NR_IRQS, CTRL_INIT and the first run', () => {
  it('NR_IRQS: a multiple of 32 in 64..992 (EINVAL), once (EBUSY), fixed by initialisation', () => {
    const vm = vmWith(1);
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    const nr = (value: number) => dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0, value });
    for (const bad of [32, 100, 1024]) expect(errnoOf(() => nr(bad))).toBe('EINVAL');
    nr(128);
    expect(errnoOf(() => nr(256))).toBe('EBUSY');
    expect(dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0 })).toBe(128n);
    const other = vmWith(1).createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    other.setAttr(CTRL_INIT);
    other.setAttr(CTRL_INIT); // again: nothing
    expect(other.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0 })).toBe(256n);
    expect(errnoOf(() => other.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0, value: 64 }))).toBe('EBUSY');
  });

  it('CTRL: unknown attributes ENXIO; a GICv3 must be initialised before KVM_RUN, KVM_IRQ_LINE and register access (EBUSY)', () => {
    const vm = vmWith(1);
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    expect(errnoOf(() => dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: 7 }))).toBe('ENXIO');
    expect(errnoOf(() => dev.getAttr(CTRL_INIT))).toBe('ENXIO');
    expect(errnoOf(() => dev.setAttr({ group: 42, attr: 0, value: 0 }))).toBe('ENXIO');
    dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0x0800_0000 });
    dev.setAttr({ group: ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST, value: 0x080a_0000 });
    expect(errnoOf(() => vm.vcpus[0]!.run())).toBe('EBUSY');
    expect(errnoOf(() => vm.irqLine((1 << 24) | 40, true))).toBe('EBUSY');
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: GICD.CTLR }))).toBe('EBUSY');
    dev.setAttr(CTRL_INIT);
    expect(errnoOf(() => vm.createVcpu(1))).toBe('EBUSY'); // no vCPU after initialisation
    expect(dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: GICD.CTLR })).toBe(0x50n); // ARE, DS
  });

  it('a GICv2 is initialised on demand by KVM_IRQ_LINE or a register access', () => {
    const vm = vmWith(2);
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V2);
    vm.irqLine((1 << 24) | 40, true);
    expect(dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: 0x204 })).toBe(1n << 8n); // ISPENDR1
    expect(dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_CPU_REGS, attr: (1n << 32n) | 0x04n })).toBe(0n); // vCPU 1's PMR
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_CPU_REGS, attr: (5n << 32n) | 0x04n }))).toBe('EINVAL');
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: 0 }))).toBe('ENXIO');
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: 0 }))).toBe('ENXIO');
  });
});

describe('KVM_IRQ_LINE with a vGIC', () => {
  it('SPI and PPI lines with Linux\'s errno; the CPU line is ENXIO', () => {
    const vm = vmWith(2);
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0, value: 96 });
    dev.setAttr(CTRL_INIT);
    const spi = (id: number) => (1 << 24) | id;
    const ppi = (vcpu: number, id: number) => (2 << 24) | (vcpu << 16) | id;
    vm.irqLine(spi(95), true);
    vm.irqLine(ppi(1, 27), true);
    expect(errnoOf(() => vm.irqLine(spi(96), true))).toBe('EINVAL'); // beyond NR_IRQS
    expect(errnoOf(() => vm.irqLine(spi(31), true))).toBe('EINVAL');
    expect(errnoOf(() => vm.irqLine(ppi(0, 15), true))).toBe('EINVAL');
    expect(errnoOf(() => vm.irqLine(ppi(2, 27), true))).toBe('EINVAL'); // no vCPU 2
    expect(errnoOf(() => vm.irqLine(0, true))).toBe('ENXIO');
    const level = (vcpu: bigint, intid: number) => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: (vcpu << 32n) | BigInt(intid) });
    expect([level(0n, 64), level(1n, 0), level(0n, 0)]).toEqual([1n << 31n, 1n << 27n, 0n]);
  });
});

describe('register attributes (GICv3)', () => {
  it('name a vCPU by affinity (EINVAL: none), refuse offsets outside the frame (ENXIO) and other level info (EINVAL)', () => {
    const vm = vmWith(2);
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    expect(dev.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: (1n << 32n) | BigInt(GICR.ISENABLER0) })).toBe(true);
    expect(dev.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: 0x2_0000 })).toBe(false);
    expect(dev.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: sysregId(ICC_REGISTERS.ICC_PMR_EL1) })).toBe(true);
    expect(dev.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: sysregId(ICC_REGISTERS.ICC_IAR1_EL1) })).toBe(false);
    expect(dev.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_CPU_REGS, attr: 0 })).toBe(false);
    expect(errnoOf(() => dev.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: 7n << 32n }))).toBe('EINVAL');
    dev.setAttr(CTRL_INIT);
    const pmr = (vcpu: bigint) => ({ group: KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: (vcpu << 32n) | BigInt(sysregId(ICC_REGISTERS.ICC_PMR_EL1)) });
    dev.setAttr({ ...pmr(1n), value: 0xf8n });
    expect([dev.getAttr(pmr(0n)), dev.getAttr(pmr(1n))]).toEqual([0n, 0xf8n]);
    expect(errnoOf(() => dev.getAttr(pmr(2n)))).toBe('EINVAL');
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: 0x3_0000 }))).toBe('ENXIO');
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: 1n << 10n }))).toBe('EINVAL');
    expect(errnoOf(() => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: 16 }))).toBe('EINVAL');
    expect(errnoOf(() => dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: GICD.CTLR, value: 1n << 32n }))).toBe('EINVAL');
  });
});
