import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, arm64SysReg, type Vcpu } from './index.js';
import { A64 } from './testing/a64.js';
import { errnoOf, testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const VBAR = RAM + 0x800;
const B_SELF = 0x1400_0000;
const NOP = 0xd503201f;
const MSR_DAIFCLR_A = 0xd50344ff; // msr daifclr, #4
const VBAR_EL1 = arm64SysReg(3, 0, 12, 0, 0);
const ESR_EL1 = arm64SysReg(3, 0, 5, 2, 0);
const FAR_EL1 = arm64SysReg(3, 0, 6, 0, 0);
const PSTATE_EL1H_DAIF = 0x3c5n;

/** A vCPU at RAM running `program`, with `b .` at every EL1h vector (sync +0x200, IRQ +0x280, SError +0x380). */
function setup(program: number[]): Vcpu {
  const kvm = testKvm();
  const vm = kvm.createVm();
  const ram = kvm.mmap({ size: 1 << 20 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 20, mapping: ram });
  program.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  for (const off of [0x200, 0x280, 0x380]) ram.view.setUint32(VBAR - RAM + off, B_SELF, true);
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
  vcpu.setOneReg(VBAR_EL1, BigInt(VBAR));
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  vcpu.setOneReg(CoreReg.PSTATE, PSTATE_EL1H_DAIF);
  return vcpu;
}

const events = (e: Partial<{ serrorPending: boolean; serrorHasEsr: boolean; extDabtPending: boolean; serrorEsr: bigint }>) =>
  ({ exception: { serrorPending: false, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n, ...e } });

describe('KVM_SET_VCPU_EVENTS: a virtual SError', () => {
  it('stays pending while PSTATE.A masks it and is taken when the guest unmasks it (EC 0x2F, IDS)', () => {
    const vcpu = setup([NOP, NOP, MSR_DAIFCLR_A, NOP, NOP]);
    vcpu.setVcpuEvents(events({ serrorPending: true }));
    expect(vcpu.getVcpuEvents().exception.serrorPending).toBe(true);
    vcpu.runBudget = 2;
    vcpu.run();
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 8)); // masked: nothing taken
    vcpu.runBudget = 2;
    vcpu.run(); // the MSR, then the SError at the next boundary
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x380));
    expect(vcpu.getOneReg(CoreReg.ELR_EL1)).toBe(BigInt(RAM + 12));
    expect(vcpu.getOneReg(ESR_EL1)).toBe(0xbf00_0000n);
    expect(vcpu.getVcpuEvents().exception.serrorPending).toBe(false);
  });

  it('is taken by translated code too (a long run through blocks)', () => {
    const vcpu = setup([MSR_DAIFCLR_A, ...Array<number>(20).fill(NOP), A64.b(-20)]);
    vcpu.runBudget = 5000;
    vcpu.run();
    vcpu.setVcpuEvents(events({ serrorPending: true }));
    vcpu.runBudget = 10;
    vcpu.run();
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x380));
  });

  it('refuses a syndrome (no RAS) with EINVAL, changing nothing', () => {
    const vcpu = setup([NOP]);
    expect(errnoOf(() => vcpu.setVcpuEvents(events({ serrorPending: true, serrorHasEsr: true, serrorEsr: 1n })))).toBe('EINVAL');
    expect(vcpu.getVcpuEvents()).toEqual(events({}));
  });
});

describe('KVM_SET_VCPU_EVENTS: an external data abort', () => {
  it('enters the guest at its synchronous vector with DFSC 0x10 at the access, dropping the MMIO completion', () => {
    const vcpu = setup([A64.ldrx(2, 1), NOP]);
    vcpu.setOneReg(CoreReg.x(1), 0x0a00_1000n);
    vcpu.setOneReg(CoreReg.x(2), 0x1234n);
    const exit = vcpu.run();
    expect(exit).toMatchObject({ reason: 'mmio', isWrite: false });
    vcpu.setVcpuEvents(events({ extDabtPending: true }));
    expect(vcpu.getVcpuEvents().exception.extDabtPending).toBe(false);
    vcpu.runBudget = 1;
    vcpu.run();
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x200));
    expect(vcpu.getOneReg(CoreReg.ELR_EL1)).toBe(BigInt(RAM));
    expect(vcpu.getOneReg(ESR_EL1)).toBe(0x9600_0010n); // EC 0x25, IL, external abort; no WnR (as Linux)
    expect(vcpu.getOneReg(FAR_EL1)).toBe(0x0a00_1000n);
    expect(vcpu.getOneReg(CoreReg.x(2))).toBe(0x1234n); // the load never completed
  });
});

describe('kvm_run.immediate_exit', () => {
  it('returns an immediate intr exit without running, after completing a pending MMIO load', () => {
    const vcpu = setup([A64.ldrx(2, 1), NOP, NOP]);
    vcpu.setOneReg(CoreReg.x(1), 0x0a00_1000n);
    expect(vcpu.run()).toMatchObject({ reason: 'mmio' });
    vcpu.immediateExit = true;
    const retired = vcpu.instructionsRetired;
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'immediate' });
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 4)); // the load completed (data 0), nothing else ran
    expect(vcpu.instructionsRetired).toBe(retired + 1);
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'immediate' });
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 4));
    vcpu.immediateExit = false;
    vcpu.runBudget = 1;
    vcpu.run();
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 8));
  });
});
