// The run loop under dirty logging: an atomic's first touch of a page faults twice at stage 2 (its read maps the
// page read-only while the slot is logged, its write makes it writable), which is not a stuck fault; and a guest
// that only ever faults still comes back from run() once its budget is spent.
import { describe, expect, it } from 'vitest';
import {
  CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KVM_MEM_LOG_DIRTY_PAGES, PSCI, arm64SysReg,
} from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const MiB = 1 << 20;
/** LDSETAL Xs, Xt, [Xn] (an LSE atomic: one read-modify-write access). */
const NOP = 0xd503201f;
const SMC = 0xd4000003;
const B_BACK_16 = 0x17fffffc;
const ldsetal = (s: number, t: number, n: number) => (0xf8e03000 | (s << 16) | (n << 5) | t) >>> 0;

function guest(program: number[], flags: number) {
  const kvm = testKvm();
  const vm = kvm.createVm();
  const ram = kvm.mmap({ size: MiB });
  program.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  vm.setUserMemoryRegion({ slot: 0, flags, guestPhysAddr: RAM, memorySize: MiB, mapping: ram });
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  return { vm, ram, vcpu };
}

describe('Vcpu.run', () => {
  it('an atomic on a page not yet mapped in a dirty-logged memslot runs (read fault, then write fault)', () => {
    const { vm, ram, vcpu } = guest([
      ...A64.mov64(1, BigInt(RAM + 0x8_0000)), ...A64.mov64(2, 0x10n), ldsetal(2, 4, 1),
      ...A64.mov64(0, BigInt(PSCI.SYSTEM_OFF)), A64.hvc(),
    ], KVM_MEM_LOG_DIRTY_PAGES);
    ram.view.setUint32(0x8_0000, 0x5, true);
    const exit = vcpu.run();
    expect(exit).toMatchObject({ reason: 'system-event' });
    expect(vcpu.getOneReg(CoreReg.x(4))).toBe(5n); // (PSCI zeroes x1-x3)
    expect(ram.view.getUint32(0x8_0000, true)).toBe(0x15);
    const log = vm.getDirtyLog(0);
    expect(log[0x80 >>> 3]! & (1 << (0x80 & 7))).not.toBe(0); // page 0x80 of the slot was written
  });

  it('never retires more instructions than its budget, counting those kvm-core emulates (SMC) and MMIO completions', () => {
    // Three NOPs, an SMC (trapped: kvm-core answers NOT_SUPPORTED and steps past it) and a branch back, forever.
    const { vcpu } = guest([NOP, NOP, NOP, SMC, B_BACK_16], 0);
    for (const budget of [1000, 7, 1]) {
      vcpu.runBudget = budget;
      const before = vcpu.instructionsRetired;
      expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
      expect(vcpu.instructionsRetired - before).toBe(budget);
    }
    // A store to the UART exits; the next run() completes it (one instruction) and, with a budget of 1, stops there.
    const mmio = guest([...A64.mov64(1, 0x0900_0000n), A64.strb(2, 1), NOP, NOP], 0).vcpu;
    expect(mmio.run()).toMatchObject({ reason: 'mmio' });
    const at = mmio.instructionsRetired;
    mmio.runBudget = 1;
    expect(mmio.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
    expect(mmio.instructionsRetired - at).toBe(1);
  });

  it('a guest that faults on its own vector forever returns a budget exit having retired nothing', () => {
    // VBAR_EL1 = 0: the vector is outside RAM, so every exception entry faults again (kvm-core injects it).
    const { vcpu } = guest([0 /* UDF */], 0);
    vcpu.setOneReg(arm64SysReg(3, 0, 12, 0, 0), 0n);
    vcpu.runBudget = 5000;
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
    expect(vcpu.instructionsRetired).toBe(0);
  });
});
