// Vcpu.yieldExits (model-specific): a guest's YIELD, or WFE with no event pending, returns an 'intr' exit with
// cause 'yield' after the instruction, from translated code too, so a VMM running vCPUs in turns can run another.
import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, type Vcpu } from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const YIELD = 0xd503203f;
const WFE = 0xd503205f;
/** SUBS X6, X6, #1; B.NE back to the first instruction of a 3-instruction loop. */
const SUBS_X6 = 0xf10004c6;
const BNE_BACK_2 = (0x54000001 | ((-2 & 0x7ffff) << 5)) >>> 0;
const OFF = [...A64.mov64(0, 0x8400_0008n), A64.hvc()];

function guest(program: readonly number[]): Vcpu {
  const kvm = testKvm();
  const vm = kvm.createVm();
  const ram = kvm.mmap({ size: 1 << 16 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 16, mapping: ram });
  program.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  return vcpu;
}

describe('Vcpu.yieldExits', () => {
  for (const [name, spin] of [['YIELD', YIELD], ['WFE', WFE]] as const) {
    it(`${name}: an 'intr' exit with cause 'yield' after each one, hot translated loop included`, () => {
      const vcpu = guest([A64.movz(6, 300), spin, SUBS_X6, BNE_BACK_2, ...OFF]);
      vcpu.yieldExits = true;
      let exits = 0;
      for (;;) {
        const e = vcpu.run();
        if (e.reason === 'system-event') break;
        expect(e).toMatchObject({ reason: 'intr', cause: 'yield' });
        expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 8));
        exits++;
      }
      expect(exits).toBe(300);
      expect(vcpu.getOneReg(CoreReg.x(6))).toBe(0n);
    });
  }

  it('off (the default): the spins complete inside the run', () => {
    const vcpu = guest([A64.movz(6, 300), YIELD, SUBS_X6, BNE_BACK_2, ...OFF]);
    expect(vcpu.yieldExits).toBe(false);
    expect(vcpu.run()).toMatchObject({ reason: 'system-event' });
  });
});
