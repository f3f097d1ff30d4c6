import { describe, expect, it } from 'vitest';
import { arm64SysReg, PMU_PPI } from '@kvm-mte/kvm-core';
import { parseCli } from './cli-core.js';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex } from './snapshot-format.js';
import { buildVirtDeviceTree } from './virt-dt.js';
import { findNode, parseFdt } from './testing/fdt-reader.js';
import { codeElf } from './testing/elf-builder.js';

const MEM = 16 * 2 ** 20;
const DFR0 = arm64SysReg(3, 0, 0, 5, 0);
const PMCCNTR = arm64SysReg(3, 3, 9, 13, 0);
const PMEVTYPER3 = arm64SysReg(3, 3, 14, 12, 3);
const cells = (b: Uint8Array): number[] => Array.from({ length: b.length / 4 }, (_, i) => new DataView(b.buffer, b.byteOffset).getUint32(4 * i));

describe('vmm-lite: the PMU', () => {
  it('is on by default (QEMU virt -cpu max): PMUVer 6, interrupt INTID 23 and initialised on every vCPU', () => {
    const m = new VirtMachine({ memory: MEM, smp: 2 });
    expect(m.pmu).toBe(true);
    for (const v of m.vcpus) {
      expect((v.getOneReg(DFR0) >> 8n) & 0xfn).toBe(6n);
      expect(v.getDeviceAttr({ group: 0, attr: 0 })).toBe(BigInt(PMU_PPI));
    }
    const off = new VirtMachine({ memory: MEM, pmu: false });
    expect((off.vcpus[0]!.getOneReg(DFR0) >> 8n) & 0xfn).toBe(0n);
  });

  it('has a device-tree node as QEMU virt\'s: arm,armv8-pmuv3, PPI 7 level-high (GICv2: with the CPU mask)', () => {
    const dt = (gic: 'v2' | 'v3', pmu: boolean) => parseFdt(buildVirtDeviceTree({ ramBase: 0x4000_0000, ramSize: MEM, cpuMpidrs: [0, 1], gic, pmu })).root;
    const node = findNode(dt('v3', true), '/pmu')!;
    expect(new TextDecoder().decode(node.props.get('compatible')!)).toBe('arm,armv8-pmuv3\0');
    expect(cells(node.props.get('interrupts')!)).toEqual([1, 7, 4]);
    expect(cells(findNode(dt('v2', true), '/pmu')!.props.get('interrupts')!)).toEqual([1, 7, 0x304]);
    expect(findNode(dt('v3', false), '/pmu')).toBeUndefined();
  });

  it('its registers go through a snapshot; a machine without a PMU refuses a snapshot with one', async () => {
    const kernel = codeElf([0x14000000]); // b .
    const m = new VirtMachine({ memory: MEM });
    m.load({ kernel });
    await m.run({ maxInstructions: 100 });
    const v = m.vcpus[0]!;
    v.setOneReg(PMCCNTR, 0x1234_5678_9abcn);
    v.setOneReg(PMEVTYPER3, 0x8000_0011n);
    const { file } = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
    const snap = decodeSnapshot(file);
    expect(snap.pmu).toBe(true);
    const m2 = new VirtMachine(restoreMachineOptions(snap));
    restoreSnapshot(m2, snap);
    expect(m2.vcpus[0]!.getOneReg(PMCCNTR)).toBe(0x1234_5678_9abcn);
    expect(m2.vcpus[0]!.getOneReg(PMEVTYPER3)).toBe(0x8000_0011n);
    expect(() => restoreSnapshot(new VirtMachine({ ...restoreMachineOptions(snap), pmu: false }), snap)).toThrow(/PMU/);
  });

  it('CLI: --pmu / --no-pmu on run and snapshot (one of them, once); restore takes it from the snapshot', () => {
    expect(parseCli(['run', '--kernel', 'k', '--no-pmu'])).toMatchObject({ options: { pmu: false } });
    expect(parseCli(['run', '--kernel', 'k', '--pmu'])).toMatchObject({ options: { pmu: true } });
    expect(() => parseCli(['run', '--kernel', 'k', '--pmu', '--no-pmu'])).toThrow(/pmu/);
    expect(() => parseCli(['restore', 'x.snap', '--no-pmu'])).toThrow(/PMU/);
  });
});
