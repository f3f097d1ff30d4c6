import { describe, expect, it } from 'vitest';
import {
  CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KVM_REG_ARM64, KVM_REG_ARM_CORE, KVM_REG_SIZE_U32,
  KVM_REG_SIZE_U64,
} from './index.js';
import { errnoOf, testKvm } from './testing/setup.js';

const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };

function vcpu() {
  const v = testKvm().createVm().createVcpu(0);
  v.armVcpuInit(INIT);
  return v;
}

describe('FP/SIMD registers through ONE_REG (struct kvm_regs fp_regs)', () => {
  it('lists V0-V31 (128-bit), FPSR and FPCR (32-bit) with the ids Linux gives them', () => {
    const ids = vcpu().getRegList();
    expect(CoreReg.v(0)).toBe(0x6040_0000_0010_0054n);
    expect(CoreReg.v(31)).toBe(0x6040_0000_0010_00d0n);
    expect(CoreReg.FPSR).toBe(0x6020_0000_0010_00d4n);
    expect(CoreReg.FPCR).toBe(0x6020_0000_0010_00d5n);
    for (let n = 0; n < 32; n++) expect(ids).toContain(CoreReg.v(n));
    expect(ids).toContain(CoreReg.FPSR);
    expect(ids).toContain(CoreReg.FPCR);
  });

  it('round-trips a 128-bit V register and the status registers (the stored bits)', () => {
    const v = vcpu();
    const q = (0x0123_4567_89ab_cdefn << 64n) | 0xfedc_ba98_7654_3210n;
    v.setOneReg(CoreReg.v(7), q);
    expect(v.getOneReg(CoreReg.v(7))).toBe(q);
    expect(v.getOneReg(CoreReg.v(6))).toBe(0n);
    v.setOneReg(CoreReg.FPCR, 0xffff_ffffn);
    expect(v.getOneReg(CoreReg.FPCR)).toBe(0x07ff_0000n);
    v.setOneReg(CoreReg.FPSR, 0x0800_0011n);
    expect(v.getOneReg(CoreReg.FPSR)).toBe(0x0800_0011n);
  });

  it('answers a wrong size or a padding offset with EINVAL, and a value too wide with EINVAL', () => {
    const v = vcpu();
    expect(errnoOf(() => v.getOneReg(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | 84n))).toBe('EINVAL');
    expect(errnoOf(() => v.getOneReg(KVM_REG_ARM64 | KVM_REG_SIZE_U32 | KVM_REG_ARM_CORE | 214n))).toBe('EINVAL');
    expect(errnoOf(() => v.setOneReg(CoreReg.FPCR, 1n << 32n))).toBe('EINVAL');
    expect(errnoOf(() => v.setOneReg(CoreReg.v(0), 1n << 128n))).toBe('EINVAL');
  });
});
