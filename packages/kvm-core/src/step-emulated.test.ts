// Software step over an instruction kvm-core emulates (an MMIO access completed after the VMM's answer): stepping
// past it clears PSTATE.SS, as Linux's kvm_skip_instr does, so the step exception is taken before the next
// instruction, exactly as if the guest had executed the access itself.
import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, arm64SysReg } from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const VBAR = RAM + 0x800;
const B_SELF = 0x1400_0000;
const MDSCR_EL1 = arm64SysReg(2, 0, 0, 2, 2);
const OSLSR_EL1 = arm64SysReg(2, 0, 1, 1, 4);
const VBAR_EL1 = arm64SysReg(3, 0, 12, 0, 0);
const ESR_EL1 = arm64SysReg(3, 0, 5, 2, 0);
const MDSCR_SS = 1n;
const MDSCR_KDE = 1n << 13n;
const PSTATE_EL1H = 0x5n;
const PSTATE_SS = 1n << 21n;

describe('software step over an MMIO access kvm-core completes', () => {
  it('takes the step exception before the next instruction (ELR on it, nothing after the access executed)', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    const ram = kvm.mmap({ size: 1 << 20 });
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 20, mapping: ram });
    const program = [
      A64.strb(2, 1), // RAM + 0: the stepped instruction, an MMIO store (x1 = the UART)
      A64.movz(3, 1), // RAM + 4: must not run before the step exception
      A64.movz(4, 1),
    ];
    program.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
    ram.view.setUint32(VBAR - RAM + 0x200, B_SELF, true); // current EL with SP_ELx, synchronous: b .
    const vcpu = vm.createVcpu(0);
    vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
    vcpu.setOneReg(OSLSR_EL1, vcpu.getOneReg(OSLSR_EL1) & ~2n); // OSLK clear: the OS lock released, as an OS leaves it
    vcpu.setOneReg(MDSCR_EL1, MDSCR_KDE | MDSCR_SS);
    vcpu.setOneReg(VBAR_EL1, BigInt(VBAR));
    vcpu.setOneReg(CoreReg.x(1), 0x0900_0000n);
    vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
    vcpu.setOneReg(CoreReg.PSTATE, PSTATE_EL1H | PSTATE_SS); // D clear, SS set: step this one instruction
    expect(vcpu.run()).toMatchObject({ reason: 'mmio', isWrite: true });
    vcpu.runBudget = 20;
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'budget' }); // completes the store, then steps
    expect(vcpu.getOneReg(CoreReg.ELR_EL1)).toBe(BigInt(RAM + 4));
    expect(Number(vcpu.getOneReg(ESR_EL1) >> 26n)).toBe(0x33); // software step, same EL
    expect(vcpu.getOneReg(CoreReg.x(3))).toBe(0n);
  });
});
