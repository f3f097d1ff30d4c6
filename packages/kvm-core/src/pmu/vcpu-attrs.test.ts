import { describe, expect, it } from 'vitest';
import {
  KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PMU_V3, KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_FILTER,
  KVM_ARM_VCPU_PMU_V3_INIT, KVM_ARM_VCPU_PMU_V3_IRQ, KVM_DEV_ARM_VGIC_CTRL_INIT, KVM_DEV_ARM_VGIC_GRP_ADDR,
  KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_VGIC_V3_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_REDIST,
} from '../index.js';
import { errnoOf, testKvm } from '../testing/setup.js';

const PMU = 1 << KVM_ARM_VCPU_PMU_V3;
const a = (attr: number, value?: number, group = KVM_ARM_VCPU_PMU_V3_CTRL) => ({ group, attr, ...(value !== undefined && { value }) });
const IRQ = KVM_ARM_VCPU_PMU_V3_IRQ;
const INIT = KVM_ARM_VCPU_PMU_V3_INIT;

/** A VM with `n` vCPUs (features `f`), optionally a vGICv3 (created; initialised with `init`). */
function vm(f: number, gic: 'none' | 'created' | 'init', n = 1) {
  const kvm = testKvm();
  const vm = kvm.createVm(0);
  const vcpus = Array.from({ length: n }, (_, i) => vm.createVcpu(i));
  for (const v of vcpus) v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [f] });
  if (gic !== 'none') {
    const dev = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
    dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0x0800_0000 });
    dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST, value: 0x080a_0000 });
    if (gic === 'init') dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_VGIC_CTRL_INIT });
  }
  return vcpus;
}

describe('KVM_{SET,GET,HAS}_DEVICE_ATTR on a vCPU: KVM_ARM_VCPU_PMU_V3_CTRL, with Linux\'s errno values', () => {
  it('a vCPU without KVM_ARM_VCPU_PMU_V3: ENODEV to set, HAS false, ENXIO for another group', () => {
    const [v] = vm(0, 'init');
    expect(errnoOf(() => v!.setDeviceAttr(a(IRQ, 23)))).toBe('ENODEV');
    expect(errnoOf(() => v!.setDeviceAttr(a(INIT)))).toBe('ENODEV');
    expect(errnoOf(() => v!.getDeviceAttr(a(IRQ)))).toBe('ENODEV');
    expect(v!.hasDeviceAttr(a(IRQ))).toBe(false);
    expect(errnoOf(() => v!.setDeviceAttr(a(IRQ, 23, 1)))).toBe('ENXIO'); // KVM_ARM_VCPU_TIMER_CTRL: not modelled
  });

  it('IRQ: EINVAL without a vGIC or for an INTID that is no PPI or SPI; EBUSY when set; the PPI must agree across vCPUs', () => {
    expect(errnoOf(() => vm(PMU, 'none')[0]!.setDeviceAttr(a(IRQ, 23)))).toBe('EINVAL');
    const [v0, v1] = vm(PMU, 'init', 2);
    expect(v0!.hasDeviceAttr(a(IRQ))).toBe(true);
    expect(v0!.hasDeviceAttr(a(KVM_ARM_VCPU_PMU_V3_FILTER))).toBe(false);
    expect(errnoOf(() => v0!.getDeviceAttr(a(IRQ)))).toBe('ENXIO');
    expect(errnoOf(() => v0!.setDeviceAttr(a(IRQ, 15)))).toBe('EINVAL'); // an SGI
    expect(errnoOf(() => v0!.setDeviceAttr(a(IRQ, 1020)))).toBe('EINVAL');
    v0!.setDeviceAttr(a(IRQ, 23));
    expect(v0!.getDeviceAttr(a(IRQ))).toBe(23n);
    expect(errnoOf(() => v0!.setDeviceAttr(a(IRQ, 23)))).toBe('EBUSY');
    expect(errnoOf(() => v1!.setDeviceAttr(a(IRQ, 22)))).toBe('EINVAL'); // a different PPI
    v1!.setDeviceAttr(a(IRQ, 23));
    expect(errnoOf(() => v0!.setDeviceAttr(a(7)))).toBe('ENXIO'); // no such attribute
  });

  it('INIT: ENODEV before the vGIC is initialised, ENXIO without an IRQ; then EBUSY; KVM_RUN wants it (EINVAL)', () => {
    const [early] = vm(PMU, 'created');
    early!.setDeviceAttr(a(IRQ, 23));
    expect(errnoOf(() => early!.setDeviceAttr(a(INIT)))).toBe('ENODEV');
    const [v] = vm(PMU, 'init');
    expect(errnoOf(() => v!.setDeviceAttr(a(INIT)))).toBe('ENXIO');
    expect(errnoOf(() => v!.run())).toBe('EINVAL');
    v!.setDeviceAttr(a(IRQ, 23));
    v!.setDeviceAttr(a(INIT));
    expect(errnoOf(() => v!.setDeviceAttr(a(IRQ, 23)))).toBe('EBUSY');
    expect(errnoOf(() => v!.setDeviceAttr(a(INIT)))).toBe('EBUSY');
    v!.runBudget = 10;
    expect(v!.run()).toMatchObject({ reason: 'intr' });
  });

  it('without a vGIC the PMU initialises without an interrupt and runs', () => {
    const [v] = vm(PMU, 'none');
    v!.setDeviceAttr(a(INIT));
    v!.runBudget = 10;
    expect(errnoOf(() => v!.getDeviceAttr(a(IRQ)))).toBe('EINVAL');
    expect(v!.run()).toMatchObject({ reason: 'intr' });
  });
});
