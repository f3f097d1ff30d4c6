import { describe, expect, it } from 'vitest';
import {
  arm64SysReg, GICR, GITS, ICC_REGISTERS, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, VgicItsDevice,
  type IccRegName,
} from '@kvm-mte/kvm-core';
import { virtIts } from './gic.js';
import { parseCli } from './cli-core.js';
import { VmmError } from './errors.js';
import { saveGic } from './gic-state.js';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { A64 } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';
import { findNode, parseFdt, propCells, propString } from './testing/fdt-reader.js';
import { buildVirtDeviceTree } from './virt-dt.js';

const PFR0 = arm64SysReg(3, 0, 0, 4, 0);
const icc = (name: IccRegName): number[] => {
  const r = ICC_REGISTERS[name];
  return [r.op0, r.op1, r.crn, r.crm, r.op2];
};

describe('--gic and the machine\'s vGIC', () => {
  it('a GICv3 by default, a GICv2 on request (ID_AA64PFR0_EL1.GIC follows); anything else is refused', () => {
    const v3 = new VirtMachine({ memory: 1 << 20 });
    expect(v3.gicVersion).toBe('v3');
    expect((v3.vcpus[0]!.getOneReg(PFR0) >> 24n) & 0xfn).toBe(1n);
    const v2 = new VirtMachine({ memory: 1 << 20, gic: 'v2', smp: 2 });
    expect(v2.gic).toBeDefined();
    expect((v2.vcpus[1]!.getOneReg(PFR0) >> 24n) & 0xfn).toBe(0n);
    expect(() => new VirtMachine({ memory: 1 << 20, gic: 'v4' as 'v3' })).toThrow(VmmError);
  });

  it('the CLI takes --gic v2|v3 on run and snapshot, not on restore', () => {
    const run = parseCli(['run', '--kernel', 'k', '--gic', 'v2']);
    expect(run.command === 'run' && run.options.gic).toBe('v2');
    expect(() => parseCli(['run', '--kernel', 'k', '--gic', 'v4'])).toThrow(/invalid --gic 'v4': expected v2 or v3/);
    expect(() => parseCli(['restore', 'x.snap', '--gic', 'v3'])).toThrow(/--gic/);
  });
});

describe('the device tree\'s interrupt controller', () => {
  const dt = (gic: 'v2' | 'v3' | 'none') => parseFdt(buildVirtDeviceTree({ ramBase: 0x4000_0000, ramSize: 1 << 20, cpuMpidrs: [0, 1], gic }));

  it('as QEMU virt has it: intc@8000000, interrupt-parent at the root, the PL011 on SPI 1 and the PL031 on SPI 2', () => {
    for (const [gic, compatible, reg] of [
      ['v3', 'arm,gic-v3', [0, 0x0800_0000, 0, 0x1_0000, 0, 0x080a_0000, 0, 0xf6_0000]],
      ['v2', 'arm,cortex-a15-gic', [0, 0x0800_0000, 0, 0x1_0000, 0, 0x0801_0000, 0, 0x1_0000]],
    ] as const) {
      const f = dt(gic);
      const intc = findNode(f.root, '/intc@8000000')!;
      expect(propString(intc.props.get('compatible'))).toBe(compatible);
      expect(propCells(intc.props.get('#interrupt-cells'))).toEqual([3]);
      expect(intc.props.get('interrupt-controller')).toHaveLength(0);
      expect(propCells(intc.props.get('reg'))).toEqual(reg);
      const phandle = propCells(intc.props.get('phandle'));
      expect(propCells(f.root.props.get('interrupt-parent'))).toEqual(phandle);
      expect(propCells(findNode(f.root, '/pl011@9000000')!.props.get('interrupts'))).toEqual([0, 1, 4]);
      expect(propCells(findNode(f.root, '/pl031@9010000')!.props.get('interrupts'))).toEqual([0, 2, 4]);
    }
    const its = findNode(dt('v3').root, '/intc@8000000/its@8080000')!;
    expect(propString(its.props.get('compatible'))).toBe('arm,gic-v3-its');
    expect(its.props.get('msi-controller')).toHaveLength(0);
    expect(propCells(its.props.get('#msi-cells'))).toEqual([1]);
    expect(propCells(its.props.get('reg'))).toEqual([0, 0x0808_0000, 0, 0x2_0000]);
    expect(findNode(dt('v2').root, '/intc@8000000/its@8080000')).toBeUndefined();
    const none = dt('none');
    expect(findNode(none.root, '/intc@8000000')).toBeUndefined();
    expect(none.root.props.has('interrupt-parent')).toBe(false);
  });
});

describe('snapshots of the vGIC', () => {
  it('round trip with an interrupt pending and one active (GICv3)', async () => {
    // SGIs 1 and 2 to itself with IRQs masked; acknowledge SGI 1 (active, not ended); SGI 2 stays pending.
    const code = [
      ...A64.mov64(1, 0x0800_0000), A64.movz(2, 0x12), A64.strw(2, 1),
      A64.movz(3, 0xff), A64.msr(icc('ICC_PMR_EL1'), 3), A64.movz(3, 1), A64.msr(icc('ICC_IGRPEN1_EL1'), 3),
      ...A64.mov64(4, (1n << 24n) | 1n), A64.msr(icc('ICC_SGI1R_EL1'), 4),
      ...A64.mov64(4, (2n << 24n) | 1n), A64.msr(icc('ICC_SGI1R_EL1'), 4),
      A64.mrs(10, icc('ICC_IAR1_EL1')),
      A64.self(),
    ];
    const kernel = codeElf(code);
    const a = new VirtMachine({ memory: 1 << 20 });
    a.load({ kernel });
    expect((await a.run({ maxInstructions: 200, detectLoops: false })).outcome).toBe('instruction-limit');
    expect(a.vcpus[0]!.getOneReg(0x6030_0000_0010_0014n)).toBe(1n); // x10: SGI 1 acknowledged
    const redist = (m: VirtMachine, o: number) => m.gic!.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: o });
    expect([redist(a, GICR.ISPENDR0), redist(a, GICR.ISACTIVER0)]).toEqual([1n << 2n, 1n << 1n]);
    const saved = saveSnapshot(a, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: '0'.repeat(64) } });
    const snap = decodeSnapshot(saved.file);
    expect(snap.gic?.version).toBe('v3');
    const opts = restoreMachineOptions(snap);
    expect(opts.gic).toBe('v3');
    const b = new VirtMachine(opts);
    restoreSnapshot(b, snap);
    expect([redist(b, GICR.ISPENDR0), redist(b, GICR.ISACTIVER0)]).toEqual([1n << 2n, 1n << 1n]);
    expect(saveGic(b.gicVersion, b.gic, 1)).toEqual(saveGic(a.gicVersion, a.gic, 1));
    // A machine with another GIC refuses the snapshot.
    expect(() => restoreSnapshot(new VirtMachine({ ...opts, gic: 'v2' }), snap)).toThrow(/GIC version differs/);
  });
});

describe('snapshots of the ITS', () => {
  it('a mapped, pending LPI and the ITS registers come back after a restore (tables through guest RAM)', () => {
    const a = new VirtMachine({ memory: 1 << 20, smp: 2 });
    expect(virtIts(a.vm)).toBeInstanceOf(VgicItsDevice);
    expect(virtIts(new VirtMachine({ memory: 1 << 20, gic: 'v2' }).vm)).toBeUndefined();
    const its = virtIts(a.vm)!;
    const ram = new DataView(a.ram.bytes.buffer, a.ram.bytes.byteOffset);
    const itsReg = (o: number, value?: bigint) => (value === undefined
      ? its.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: o })
      : its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: o, value }));
    const aff1 = 1n << 32n; // vCPU 1's affinity (Aff0 = 1) in a redistributor attribute
    const redist = (o: number, value: number) => a.gic!.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: aff1 | BigInt(o), value });
    a.ram.bytes[0x1_0000 + 8] = 0xa3; // LPI 8200 enabled, priority 0xa0
    redist(GICR.PROPBASER, 0x4001_0000 | 13);
    redist(GICR.PENDBASER, 0x4002_0000);
    redist(GICR.CTLR, 1);
    itsReg(GITS.BASER, (itsReg(GITS.BASER) as bigint) | 0x4008_0000n | (1n << 63n));
    itsReg(GITS.BASER + 8, (itsReg(GITS.BASER + 8) as bigint) | 0x4009_0000n | (1n << 63n));
    itsReg(GITS.CBASER, 0x400a_0000n | (1n << 63n));
    itsReg(GITS.CTLR, 1n);
    [[0x08n | (5n << 32n), 3n, 0x400b_0000n | (1n << 63n)], [0x09n, 0n, 7n | (1n << 16n) | (1n << 63n)], [0x0an | (5n << 32n), 2n | (8200n << 32n), 7n]]
      .forEach((c, i) => c.forEach((w, j) => ram.setBigUint64(0xa_0000 + i * 32 + j * 8, w, true)));
    itsReg(GITS.CWRITER, 96n);
    expect((its as VgicItsDevice).its.signalMsi(5, 2)).toBe(1);

    const saved = saveSnapshot(a, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: '0'.repeat(64) } });
    const snap = decodeSnapshot(saved.file);
    expect(snap.gic?.its).toBeDefined();
    const b = new VirtMachine(restoreMachineOptions(snap));
    restoreSnapshot(b, snap);
    const model = (virtIts(b.vm) as VgicItsDevice).its;
    expect([...model.devices.keys()]).toEqual([5]);
    expect(model.enabled).toBe(true);
    expect(model.host.lpis()?.table.get(8200)?.pendingLatch).toBe(true);
    expect(b.vcpus[1]!.irqPending).toBe(false); // vCPU 1's CPU interface has Group 1 disabled: pending, not signalled
    for (const o of [GITS.CBASER, GITS.CREADR, GITS.CWRITER, GITS.BASER, GITS.BASER + 8]) {
      expect(virtIts(b.vm)!.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: o })).toBe(itsReg(o));
    }
  });
});
