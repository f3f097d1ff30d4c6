import { describe, expect, it } from 'vitest';
import { arm64SysReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KvmError } from './index.js';
import { testKvm } from './testing/setup.js';

const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };
const OSLSR_EL1 = arm64SysReg(2, 0, 1, 1, 4);

function vcpu() {
  const v = testKvm().createVm().createVcpu(0);
  v.armVcpuInit(INIT);
  return v;
}

describe('OSLSR_EL1 through ONE_REG', () => {
  it('is listed, and OSLK (bit 1) can be set and cleared, as the guest can through OSLAR_EL1', () => {
    const v = vcpu();
    expect(v.getRegList()).toContain(OSLSR_EL1);
    expect(v.getOneReg(OSLSR_EL1)).toBe(0xan); // reset: OSLM = 0b10, locked
    v.setOneReg(OSLSR_EL1, 0x8n);
    expect(v.getOneReg(OSLSR_EL1)).toBe(0x8n);
    v.setOneReg(OSLSR_EL1, 0xan);
    expect(v.getOneReg(OSLSR_EL1)).toBe(0xan);
  });

  it('refuses any other bit with EINVAL, naming the register and both values', () => {
    const v = vcpu();
    let err: unknown;
    try {
      v.setOneReg(OSLSR_EL1, 0x2n); // OSLM differs
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvmError);
    expect((err as KvmError).code).toBe('EINVAL');
    expect((err as KvmError).message).toMatch(/OSLSR_EL1/);
    expect((err as KvmError).message).toMatch(/0x2\b/);
    expect((err as KvmError).message).toMatch(/0xa\b/);
    expect(v.getOneReg(OSLSR_EL1)).toBe(0xan);
  });
});
