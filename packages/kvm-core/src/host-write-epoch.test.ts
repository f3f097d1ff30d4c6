// When translated code is compared with memory for host writes (aarch64-cpu code-cache.ts): at the first entry to
// the guest of each KVM_RUN (Vcpu.run), since the VMM may have written guest RAM directly before it, but not again
// when kvm-core re-enters the CPU within one KVM_RUN (a stage-2 fill, a timer deadline), where only kvm-core ran.
import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2 } from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const DATA = 0x5000_0000;
const PAGES = 16;

/**
 * x1 = DATA - 4096; loop: x1 += 4096; x3 = [x1]; b loop. Each data page's first load is a stage-2 fill (kvm-core
 * maps it and re-enters the CPU at the load); the load after the last page is an MMIO exit.
 */
function setup() {
  const kvm = testKvm();
  const vm = kvm.createVm();
  const code = kvm.mmap({ size: 1 << 16 });
  const data = kvm.mmap({ size: PAGES * 4096 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 16, mapping: code });
  vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: DATA, memorySize: PAGES * 4096, mapping: data });
  const head = A64.mov64(1, BigInt(DATA - 4096));
  const loop = head.length;
  // ADD x1, x1, #1, LSL #12 (4096)
  const add4k = (0x91400000 | (1 << 10) | (1 << 5) | 1) >>> 0;
  [...head, add4k, A64.ldrx(3, 1), A64.b(-2)].forEach((w, i) => code.view.setUint32(4 * i, w, true));
  for (let p = 0; p < PAGES; p++) data.view.setBigUint64(p * 4096, BigInt(p + 1), true);
  const v = vm.createVcpu(0);
  v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
  v.setOneReg(CoreReg.PC, BigInt(RAM));
  return { vm, v, code, loop };
}

describe('host-write checks of translated code', () => {
  it('re-entries of the CPU within one KVM_RUN (stage-2 fills) compare no block with memory again', () => {
    const { vm, v } = setup();
    const checks = vm.codeCache.stats().checks;
    expect(v.run()).toMatchObject({ reason: 'mmio', physAddr: BigInt(DATA + PAGES * 4096), isWrite: false });
    expect(v.getOneReg(CoreReg.x(3))).toBe(BigInt(PAGES)); // every page was loaded
    // The blocks after the load were entered after each of the 16 fills, the loop's after each iteration; a new check
    // epoch at each entry would compare them about 15 times each.
    expect(vm.codeCache.stats().checks - checks).toBeLessThanOrEqual(1);
  });

  it('a VMM write to guest code between two KVM_RUNs is seen by the next one', () => {
    const { v, code, loop } = setup();
    expect(v.run()).toMatchObject({ reason: 'mmio' });
    // The loop's ADD, the first instruction of a block the last KVM_RUN ran, becomes ADD x5, x5, #1 (no
    // Vm.hostWrote: the next KVM_RUN must compare the block with memory).
    code.view.setUint32(4 * loop, A64.addi(5, 5, 1), true);
    expect(v.run()).toMatchObject({ reason: 'mmio' }); // the load completes, b loop, x5 += 1, the load exits again
    expect(v.getOneReg(CoreReg.x(5))).toBe(1n);
    expect(v.getOneReg(CoreReg.x(1))).toBe(BigInt(DATA + PAGES * 4096));
  });
});
