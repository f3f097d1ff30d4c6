// Vcpu.hostUnchanged: a VMM that vouches it wrote no guest memory behind kvm-core's back since the last KVM_RUN
// spares the run a new check epoch (translated blocks are not compared with memory again); writes it reports through
// Vm.hostWrote still reach the translated code, and without the vouch an unreported write is seen.
import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, type Vcpu } from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;

/** A VM whose vCPU runs `loop: add x1, x1, #1; b loop` at RAM, in budgets of 1,000 instructions. */
function setup() {
  const kvm = testKvm();
  const vm = kvm.createVm();
  const code = kvm.mmap({ size: 1 << 16 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 16, mapping: code });
  [A64.addi(1, 1, 1), A64.b(-1)].forEach((w, i) => code.view.setUint32(4 * i, w, true));
  const v = vm.createVcpu(0);
  v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [] });
  v.setOneReg(CoreReg.PC, BigInt(RAM));
  v.runBudget = 1000;
  return { vm, code, v };
}

/** One KVM_RUN (a budget exit) and the growth of x1 during it. */
function step(v: Vcpu, vouch: boolean): bigint {
  const x1 = v.getOneReg(CoreReg.x(1));
  v.hostUnchanged = vouch;
  expect(v.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
  expect(v.hostUnchanged).toBe(false); // every run resets it
  return v.getOneReg(CoreReg.x(1)) - x1;
}

describe('Vcpu.hostUnchanged', () => {
  it('a vouched run compares no block with memory again; an unvouched one does', () => {
    const { vm, v } = setup();
    step(v, false);
    step(v, false);
    const checks = (): number => vm.codeCache.stats().checks;
    let before = checks();
    for (let k = 0; k < 5; k++) step(v, true);
    expect(checks()).toBe(before);
    before = checks();
    for (let k = 0; k < 5; k++) step(v, false);
    expect(checks()).toBeGreaterThanOrEqual(before + 5);
  });

  it('a write reported through Vm.hostWrote reaches a vouched run; an unreported one an unvouched run', () => {
    const { vm, code, v } = setup();
    for (let k = 0; k < 3; k++) expect(step(v, k > 0)).toBe(500n);
    code.view.setUint32(0, A64.addi(1, 1, 2), true);
    vm.hostWrote(code, 0, 4);
    expect(step(v, true)).toBe(1000n);
    code.view.setUint32(0, A64.addi(1, 1, 3), true); // not reported
    expect(step(v, false)).toBe(1500n);
  });
});
