import { describe, expect, it } from 'vitest';
import {
  arm64SysReg, CoreReg, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
  KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, KVM_EXIT_SYSTEM_EVENT, KVM_SYSTEM_EVENT_SHUTDOWN,
  PSCI, type Device, type KvmExit,
} from './index.js';
import { A64 } from './testing/a64.js';
import {
  ERET, GICC_BASE, GICD_BASE, GICR_BASE, mrsIcc, msrIcc, psci, RAM, setVbar, systemOff, UNMASK_IRQ, VBAR, vgicGuest,
} from './testing/vgic-guest.js';
import { ICC_REGISTERS, sysregId, type IccRegName } from './vgic/cpu-interface-v3.js';
import { GICD, GICR } from './vgic/registers-v3.js';

function expectShutdown(exit: KvmExit): void {
  expect(exit).toMatchObject({ reason: 'system-event', exitReason: KVM_EXIT_SYSTEM_EVENT, type: KVM_SYSTEM_EVENT_SHUTDOWN });
}

/** Enable the distributor's Group 1, the CPU interface's Group 1 with priority mask 0xff, and unmask IRQs. */
const enableV3 = (): number[] => [
  ...A64.mov64(1, BigInt(GICD_BASE)), A64.movz(2, 0x12), A64.strw(2, 1), // GICD_CTLR: ARE, EnableGrp1
  A64.movz(3, 0xff), msrIcc('ICC_PMR_EL1', 3),
  A64.movz(3, 1), msrIcc('ICC_IGRPEN1_EL1', 3),
  UNMASK_IRQ,
];
/** Acknowledge into x10, end it, count in x11, read IAR again into x13 (nothing pending: 1023), return. */
const V3_HANDLER = [mrsIcc(10, 'ICC_IAR1_EL1'), msrIcc('ICC_EOIR1_EL1', 10), A64.addi(11, 11, 1), mrsIcc(13, 'ICC_IAR1_EL1'), ERET];
const reg = (v: { getOneReg(id: bigint): bigint }, n: number) => v.getOneReg(CoreReg.x(n));

describe('a guest on the in-kernel vGICv3', () => {
  it('sends itself an SGI with ICC_SGI1R_EL1 and takes it right after the MSR: IAR1 then EOIR1', () => {
    const code = [...setVbar(), ...enableV3(), ...A64.mov64(4, (5n << 24n) | 1n), msrIcc('ICC_SGI1R_EL1', 4)];
    const after = RAM + 4 * code.length;
    const { vcpus, dev } = vgicGuest({ version: 3, code: { 0: [...code, A64.movz(12, 0x1234), ...systemOff()] }, irqHandler: V3_HANDLER });
    const v = vcpus[0]!;
    expectShutdown(v.run());
    expect([reg(v, 10), reg(v, 11), reg(v, 13), reg(v, 12)]).toEqual([5n, 1n, 1023n, 0x1234n]);
    expect(v.getOneReg(CoreReg.ELR_EL1)).toBe(BigInt(after)); // taken before the next instruction
    const redist = (offset: number) => dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: offset });
    expect([redist(GICR.ISPENDR0), redist(GICR.ISACTIVER0)]).toEqual([0n, 0n]);
  });

  it('takes an SPI raised by KVM_IRQ_LINE: the vCPU in WFI is woken', () => {
    const code = [
      ...setVbar(), ...enableV3(),
      ...A64.mov64(5, BigInt(GICD_BASE + GICD.ISENABLER + 4)), A64.movz(6, 1 << 1), A64.strw(6, 5), // enable SPI 33
      ...A64.mov64(5, BigInt(GICD_BASE + GICD.ICFGR + 8)), A64.movz(6, 0b10 << 2), A64.strw(6, 5), // SPI 33 edge
      A64.wfi(), A64.movz(12, 0x77), ...systemOff(),
    ];
    const { vm, vcpus } = vgicGuest({ version: 3, code: { 0: code }, irqHandler: V3_HANDLER });
    const v = vcpus[0]!;
    expect(v.run()).toMatchObject({ reason: 'intr', cause: 'wfi' });
    expect(v.irqPending).toBe(false);
    vm.irqLine((1 << 24) | 33, true);
    expect(v.irqPending).toBe(true);
    vm.irqLine((1 << 24) | 33, false); // the edge latched it
    expectShutdown(v.run());
    expect([reg(v, 10), reg(v, 11), reg(v, 13), reg(v, 12)]).toEqual([33n, 1n, 1023n, 0x77n]);
  });

  it('two vCPUs: an SGI from vCPU 0 wakes vCPU 1 in WFI, which takes it', () => {
    const v0 = [
      ...psci(PSCI.CPU_ON64, 1n, BigInt(RAM + 0x1000), 0n), A64.wfi(),
      ...A64.mov64(1, BigInt(GICD_BASE)), A64.movz(2, 0x12), A64.strw(2, 1),
      ...A64.mov64(4, (3n << 24n) | (1n << 1n)), msrIcc('ICC_SGI1R_EL1', 4), // SGI 3 to Aff0 = 1
      A64.wfi(), A64.self(),
    ];
    const v1 = [...setVbar(), A64.movz(3, 0xff), msrIcc('ICC_PMR_EL1', 3), A64.movz(3, 1), msrIcc('ICC_IGRPEN1_EL1', 3), UNMASK_IRQ, A64.wfi(), A64.self()];
    const handler = [mrsIcc(10, 'ICC_IAR1_EL1'), msrIcc('ICC_EOIR1_EL1', 10), ...systemOff()];
    const { vcpus } = vgicGuest({ version: 3, vcpus: 2, code: { 0: v0, 0x1000: v1 }, irqHandler: handler });
    const [a, b] = [vcpus[0]!, vcpus[1]!];
    expect(a.run()).toMatchObject({ cause: 'wfi' });
    expect(b.run()).toMatchObject({ cause: 'wfi' });
    expect(b.irqPending).toBe(false);
    expect(a.run()).toMatchObject({ cause: 'wfi' });
    expect([a.irqPending, b.irqPending]).toEqual([false, true]);
    expectShutdown(b.run());
    expect(reg(b, 10)).toBe(3n);
  });

  it('ICC_* registers and ID_AA64PFR0_EL1.GIC: present with a GICv3, UNDEFINED and 0 with a GICv2', () => {
    const program = [mrsIcc(5, 'ICC_SRE_EL1'), ...systemOff()];
    const pfr0 = arm64SysReg(3, 0, 0, 4, 0);
    const g3 = vgicGuest({ version: 3, code: { 0: [...setVbar(), ...program] }, irqHandler: [ERET] });
    expect((g3.vcpus[0]!.getOneReg(pfr0) >> 24n) & 0xfn).toBe(1n);
    expectShutdown(g3.vcpus[0]!.run());
    expect(reg(g3.vcpus[0]!, 5)).toBe(7n);
    const g2 = vgicGuest({ version: 2, code: { 0: [...setVbar(), ...program] }, irqHandler: [ERET] });
    const v = g2.vcpus[0]!;
    expect((v.getOneReg(pfr0) >> 24n) & 0xfn).toBe(0n);
    v.runBudget = 100;
    expect(v.run()).toMatchObject({ cause: 'budget' });
    expect(v.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x200)); // UNDEFINED: synchronous exception
    expect(v.getOneReg(arm64SysReg(3, 0, 5, 2, 0)) >> 26n).toBe(0n); // ESR_EL1.EC = 0 (unknown)
  });
});

describe('a guest on the in-kernel vGICv2', () => {
  it('sends itself an SGI through GICD_SGIR and takes it through GICC_IAR / GICC_EOIR, with no MMIO exit', () => {
    const code = [
      ...setVbar(),
      ...A64.mov64(1, BigInt(GICD_BASE)), A64.movz(2, 1), A64.strw(2, 1), // GICD_CTLR.EnableGrp0
      ...A64.mov64(7, BigInt(GICC_BASE)), A64.movz(2, 0xf0), A64.addi(8, 7, 4), A64.strw(2, 8), // GICC_PMR
      A64.movz(2, 1), A64.strw(2, 7), // GICC_CTLR.EnableGrp0
      UNMASK_IRQ,
      ...A64.mov64(5, BigInt(GICD_BASE + 0xf00)), ...A64.mov64(6, (2n << 24n) | 7n), A64.strw(6, 5), // SGIR: self, SGI 7
      A64.movz(12, 0x55), ...systemOff(),
    ];
    const handler = [
      ...A64.mov64(15, BigInt(GICC_BASE + 0x0c)), A64.ldrw(10, 15), // GICC_IAR
      ...A64.mov64(16, BigInt(GICC_BASE + 0x10)), A64.strw(10, 16), // GICC_EOIR
      A64.ldrw(13, 15), A64.addi(11, 11, 1), ERET,
    ];
    const { vcpus } = vgicGuest({ version: 2, code: { 0: code }, irqHandler: handler });
    const v = vcpus[0]!;
    expectShutdown(v.run());
    expect([reg(v, 10), reg(v, 11), reg(v, 13), reg(v, 12)]).toEqual([7n, 1n, 1023n, 0x55n]);
  });
});

describe('save and restore through the device attributes', () => {
  const NR = 64;
  const distOffsets = (): number[] => {
    const o: number[] = [GICD.CTLR];
    for (const base of [GICD.IGROUPR, GICD.ISENABLER, GICD.ISPENDR, GICD.ISACTIVER]) o.push(base + 4);
    for (let i = 32; i < NR; i += 4) o.push(GICD.IPRIORITYR + i);
    o.push(GICD.ICFGR + 8, GICD.ICFGR + 12);
    for (let i = 32; i < NR; i++) o.push(GICD.IROUTER + 8 * i, GICD.IROUTER + 8 * i + 4);
    return o;
  };
  const redistOffsets = [
    GICR.IGROUPR0, GICR.ISENABLER0, GICR.ISPENDR0, GICR.ISACTIVER0, GICR.ICFGR1,
    ...[0, 4, 8, 12, 16, 20, 24, 28].map((i) => GICR.IPRIORITYR0 + i),
  ];
  const sysregs: IccRegName[] = [
    'ICC_SRE_EL1', 'ICC_CTLR_EL1', 'ICC_PMR_EL1', 'ICC_BPR0_EL1', 'ICC_BPR1_EL1', 'ICC_AP0R0_EL1', 'ICC_AP1R0_EL1',
    'ICC_IGRPEN0_EL1', 'ICC_IGRPEN1_EL1',
  ];
  /** Every saved attribute of a 2-vCPU GICv3 (vCPU i has affinity 0.0.0.i), in restore order. */
  const attrs = (): { group: number; attr: bigint }[] => {
    const out = distOffsets().map((o) => ({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: BigInt(o) }));
    for (let v = 0; v < 2; v++) {
      const mp = BigInt(v) << 32n;
      for (const o of redistOffsets) out.push({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: mp | BigInt(o) });
      for (const n of sysregs) out.push({ group: KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: mp | BigInt(sysregId(ICC_REGISTERS[n])) });
      for (const intid of [0, 32]) out.push({ group: KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, attr: mp | BigInt(intid) });
    }
    return out;
  };
  const save = (dev: Device) => attrs().map((a) => ({ ...a, value: dev.getAttr(a) }));

  it('a pending and an active interrupt, line levels and CPU interface state survive a round trip', () => {
    const program = [mrsIcc(10, 'ICC_IAR1_EL1'), ...systemOff()]; // DAIF masked: just acknowledge
    const nrIrqs = { group: 3, attr: 0, value: NR };
    const a = vgicGuest({ version: 3, vcpus: 2, code: { 0: program }, irqHandler: [ERET], setUp: false });
    a.dev.setAttr(nrIrqs);
    a.dev.setAttr({ group: 0, attr: 2, value: GICD_BASE });
    a.dev.setAttr({ group: 0, attr: 3, value: GICR_BASE });
    a.dev.setAttr({ group: 4, attr: 0 });
    const dist = (o: number, value: number) => a.dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_DIST_REGS, attr: o, value });
    dist(GICD.CTLR, 0x12);
    dist(GICD.ISENABLER + 4, 0b111 << 8); // SPIs 40..42
    dist(GICD.IPRIORITYR + 40, 0x10_20_30); // 40: 0x30, 41: 0x20, 42: 0x10
    a.vm.irqLine((1 << 24) | 40, true); // level, pending
    dist(GICD.ISPENDR + 4, 1 << 9); // 41 pending
    dist(GICD.ISACTIVER + 4, 1 << 10); // 42 active
    a.dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: (1n << 32n) | BigInt(GICR.ISPENDR0), value: 1 << 2 });
    for (const [n, v] of [['ICC_PMR_EL1', 0xf0n], ['ICC_IGRPEN1_EL1', 1n], ['ICC_BPR1_EL1', 4n]] as const) {
      a.dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, attr: BigInt(sysregId(ICC_REGISTERS[n])), value: v });
    }
    const saved = save(a.dev);
    const b = vgicGuest({ version: 3, vcpus: 2, code: { 0: program }, irqHandler: [ERET], setUp: false });
    b.dev.setAttr(nrIrqs);
    b.dev.setAttr({ group: 0, attr: 2, value: GICD_BASE });
    b.dev.setAttr({ group: 0, attr: 3, value: GICR_BASE });
    b.dev.setAttr({ group: 4, attr: 0 });
    for (const s of saved) b.dev.setAttr(s);
    expect(save(b.dev)).toEqual(saved);
    expect(b.vcpus[0]!.irqPending).toBe(a.vcpus[0]!.irqPending);
    expect(b.vcpus[0]!.irqPending).toBe(true);
    // Both acknowledge the same interrupt: 41 (priority 0x20 beats 40's 0x30; 42 is active).
    expectShutdown(a.vcpus[0]!.run());
    expectShutdown(b.vcpus[0]!.run());
    expect([reg(a.vcpus[0]!, 10), reg(b.vcpus[0]!, 10)]).toEqual([41n, 41n]);
  });
});
