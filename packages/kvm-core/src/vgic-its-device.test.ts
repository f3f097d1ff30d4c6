import { describe, expect, it } from 'vitest';
import {
  GITS, GITS_TYPER_VALUE, KVM_ARM_TARGET_GENERIC_V8, KVM_DEV_ARM_ITS_RESTORE_TABLES, KVM_DEV_ARM_ITS_SAVE_TABLES,
  KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES,
  KVM_DEV_TYPE_ARM_VGIC_ITS, KVM_DEV_TYPE_ARM_VGIC_V2, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_VGIC_ITS_ADDR_TYPE,
  KVM_VGIC_V3_ADDR_TYPE_DIST, KVM_VGIC_V3_ADDR_TYPE_REDIST, VGIC_ADDR_UNDEF, VgicItsDevice, type Device, type Vm,
} from './index.js';
import { errnoOf, testKvm } from './testing/setup.js';
import { GICD } from './vgic/registers-v3.js';

const ITS_BASE = 0x0808_0000n;
const REGS = KVM_DEV_ARM_VGIC_GRP_ITS_REGS;

function vmWithGic(vcpus = 2): { vm: Vm; gic: Device } {
  const vm = testKvm().createVm();
  for (let i = 0; i < vcpus; i++) vm.createVcpu(i).armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8 });
  const gic = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_V3);
  gic.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_DIST, value: 0x0800_0000 });
  gic.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_V3_ADDR_TYPE_REDIST, value: 0x080a_0000 });
  gic.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: 0 });
  const ram = vm.kvm.mmap({ size: 0x20_0000 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: 0x4000_0000, memorySize: 0x20_0000, mapping: ram });
  return { vm, gic };
}

describe('KVM_CREATE_DEVICE of an ITS', () => {
  it('needs a vGICv3 (ENODEV), gives it LPIs, and takes its address once, 64 KiB aligned', () => {
    const bare = testKvm().createVm();
    bare.createVcpu(0);
    expect(errnoOf(() => bare.createDevice(KVM_DEV_TYPE_ARM_VGIC_ITS))).toBe('ENODEV');
    bare.createDevice(KVM_DEV_TYPE_ARM_VGIC_V2);
    expect(errnoOf(() => bare.createDevice(KVM_DEV_TYPE_ARM_VGIC_ITS))).toBe('ENODEV');

    const { gic, vm } = vmWithGic();
    const lpis = () => (Number(gic.getAttr({ group: 1, attr: GICD.TYPER })) >> 17) & 1;
    expect(lpis()).toBe(0);
    const its = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_ITS);
    expect(its).toBeInstanceOf(VgicItsDevice);
    expect(lpis()).toBe(1);
    const addr = (value: bigint | number, attr: number = KVM_VGIC_ITS_ADDR_TYPE) => its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr, value });
    expect(its.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_ITS_ADDR_TYPE })).toBe(VGIC_ADDR_UNDEF);
    expect(errnoOf(() => its.getAttr({ group: REGS, attr: GITS.TYPER }))).toBe('ENXIO'); // no address yet
    expect(errnoOf(() => addr(ITS_BASE, 0))).toBe('ENODEV');
    expect(errnoOf(() => addr(ITS_BASE + 0x1000n))).toBe('EINVAL');
    expect(errnoOf(() => addr(1n << 40n))).toBe('E2BIG');
    addr(ITS_BASE);
    expect(errnoOf(() => addr(ITS_BASE))).toBe('EEXIST');
    expect(its.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_ITS_ADDR_TYPE })).toBe(ITS_BASE);
  });

  it('GRP_ITS_REGS: u64 registers at 8-aligned offsets, u32 below TYPER and from the ID registers; IIDR and CREADR as KVM', () => {
    const { vm } = vmWithGic();
    const its = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_ITS);
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_ITS_ADDR_TYPE, value: ITS_BASE });
    expect(its.getAttr({ group: REGS, attr: GITS.TYPER })).toBe(GITS_TYPER_VALUE);
    expect(its.getAttr({ group: REGS, attr: GITS.PIDR2 })).toBe(0x3bn);
    expect(errnoOf(() => its.getAttr({ group: REGS, attr: GITS.TYPER + 4 }))).toBe('EINVAL');
    expect(errnoOf(() => its.getAttr({ group: REGS, attr: 0x20 }))).toBe('ENXIO');
    expect(its.hasAttr({ group: REGS, attr: GITS.BASER + 56 })).toBe(true);
    expect(its.hasAttr({ group: REGS, attr: GITS.TRANSLATER })).toBe(false);
    expect(errnoOf(() => its.setAttr({ group: REGS, attr: GITS.IIDR, value: 1 << 12 }))).toBe('EINVAL');
    its.setAttr({ group: REGS, attr: GITS.CBASER, value: 0x4010_0000n | (1n << 63n) });
    expect(errnoOf(() => its.setAttr({ group: REGS, attr: GITS.CREADR, value: 0x1000 }))).toBe('EINVAL');
    its.setAttr({ group: REGS, attr: GITS.CREADR, value: 0x40 });
    expect(its.getAttr({ group: REGS, attr: GITS.CREADR })).toBe(0x40n);
    expect(its.hasAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_ITS_SAVE_TABLES })).toBe(true);
  });

  it('an MSI through the VM\'s memory: tables in a memslot, KVM_SIGNAL_MSI, pending tables saved and restored', () => {
    const { vm, gic } = vmWithGic(2);
    const its = vm.createDevice(KVM_DEV_TYPE_ARM_VGIC_ITS) as VgicItsDevice;
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ADDR, attr: KVM_VGIC_ITS_ADDR_TYPE, value: ITS_BASE });
    const ram = vm.findSlot(0x4000_0000)!.mapping;
    const model = its.its;
    const v3 = vm.vgic!.v3!;
    v3.distWrite(GICD.CTLR, 4, 0x12n);
    v3.iccWrite(1, 'ICC_PMR_EL1', 0xf0n);
    v3.iccWrite(1, 'ICC_IGRPEN1_EL1', 1n);
    ram.bytes[0x1_0000 + 8200 - 8192] = 0xa3; // LPI 8200: priority 0xa0, enabled
    for (let v = 0; v < 2; v++) {
      v3.redistWrite(v, 0x70, 8, 0x4001_0000n | 13n);
      v3.redistWrite(v, 0x78, 8, 0x4002_0000n + BigInt(v) * 0x1_0000n);
      v3.redistWrite(v, 0, 4, 1n);
    }
    const reg = (o: number, value: bigint) => its.setAttr({ group: REGS, attr: o, value });
    reg(GITS.BASER, its.getAttr({ group: REGS, attr: GITS.BASER }) | 0x4008_0000n | (1n << 63n));
    reg(GITS.BASER + 8, its.getAttr({ group: REGS, attr: GITS.BASER + 8 }) | 0x4009_0000n | (1n << 63n));
    reg(GITS.CBASER, 0x400a_0000n | 15n | (1n << 63n));
    reg(GITS.CTLR, 1n);
    const cmds = [[0x08n | (5n << 32n), 3n, 0x400b_0000n | (1n << 63n)], [0x09n, 0n, 7n | (1n << 16n) | (1n << 63n)], [0x0an | (5n << 32n), 2n | (8200n << 32n), 7n]];
    cmds.forEach((c, i) => c.forEach((w, j) => ram.view.setBigUint64(0xa_0000 + i * 32 + j * 8, w, true)));
    reg(GITS.CWRITER, BigInt(cmds.length * 32));
    expect(model.lastError).toBeUndefined();
    expect(model.signalMsi(5, 2)).toBe(1);
    expect(model.signalMsi(5, 3)).toBe(0);
    expect(vm.vcpus[1]!.irqPending).toBe(true);

    gic.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES });
    expect((ram.bytes[0x3_0000 + (8200 >> 3)]! >> (8200 & 7)) & 1).toBe(1);
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_ITS_SAVE_TABLES });
    expect(ram.view.getBigUint64(0x8_0000 + 5 * 8, true)).toBe((1n << 63n) | ((0x400b_0000n >> 8n) << 5n) | 3n);
    expect(ram.view.getBigUint64(0x9_0000, true)).toBe((1n << 63n) | (1n << 16n) | 7n);
    expect(ram.view.getBigUint64(0xb_0000 + 2 * 8, true)).toBe((8200n << 16n) | 7n);

    // A CTRL_RESET ITS restores from the same memory: LPI 8200 pending again on vCPU 1.
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: 4 });
    expect(model.devices.size).toBe(0);
    expect(vm.vcpus[1]!.irqPending).toBe(false);
    reg(GITS.BASER, its.getAttr({ group: REGS, attr: GITS.BASER }) | 0x4008_0000n | (1n << 63n));
    reg(GITS.BASER + 8, its.getAttr({ group: REGS, attr: GITS.BASER + 8 }) | 0x4009_0000n | (1n << 63n));
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_ITS_RESTORE_TABLES });
    expect([...model.devices.keys()]).toEqual([5]);
    expect(vm.vcpus[1]!.irqPending).toBe(true);
    expect(v3.iccRead(1, 'ICC_IAR1_EL1')).toBe(8200n);
  });
});
