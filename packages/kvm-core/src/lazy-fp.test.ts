// Lazy FP/SIMD switching (VmOptions.lazyFp, lazy-fp.ts): every run() sets CPTR_EL2.TFP, the guest's first SIMD&FP
// instruction of the run traps to EL2 and kvm-core clears the trap. The guest sees nothing: the same registers,
// memory and instruction count as without the option; the traps are counted.
import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, PSCI, arm64SysReg } from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const MiB = 1 << 20;
const BUF = RAM + 0x1_0000;
const VBAR = RAM + 0x800;

const LDR_Q0_X0 = 0x3dc00000; // ldr q0, [x0]
const STR_Q0_X0_16 = 0x3d800400; // str q0, [x0, #16]
const FADD_V1 = 0x4e60d421; // fadd v1.2d, v1.2d, v0.2d
const SUBS_X9 = 0xf1000529; // subs x9, x9, #1
const BNE_BACK_3 = 0x54ffffa1; // b.ne .-12
const BNE_BACK_2 = 0x54ffffc1; // b.ne .-8
const CPACR_EL1 = [3, 0, 1, 0, 2] as const;
const ESR_EL1 = [3, 0, 5, 2, 0] as const;

/**
 * CPACR_EL1.FPEN = `fpen`; 3000 times copy a Q register through memory (LDR/STR Q: inline in WebAssembly); 1000 times
 * FADD (a handler call); SYSTEM_OFF. An exception (the guest's own FP trap) reads ESR_EL1 into X5 and powers off.
 */
function program(fpen: number): number[] {
  const off = [...A64.mov64(0, BigInt(PSCI.SYSTEM_OFF)), A64.hvc()];
  const main = [
    A64.movz(1, fpen << 4, 1), A64.msr(1, ...CPACR_EL1), // CPACR_EL1 = fpen << 20
    ...A64.mov64(0, BigInt(BUF)), A64.movz(9, 3000),
    LDR_Q0_X0, STR_Q0_X0_16, SUBS_X9, BNE_BACK_3,
    A64.movz(9, 1000),
    FADD_V1, SUBS_X9, BNE_BACK_2,
    ...off,
  ];
  const words = [...main];
  while (words.length < (VBAR - RAM + 0x200) / 4) words.push(0);
  words.push(A64.mrs(5, ...ESR_EL1), ...off); // VBAR_EL1 + 0x200: current EL with SP_ELx, synchronous
  return words;
}

function runGuest(lazyFp: boolean, fpen = 3, budget = 500) {
  const kvm = testKvm();
  const vm = kvm.createVm(0, { lazyFp });
  const ram = kvm.mmap({ size: MiB });
  program(fpen).forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  ram.view.setFloat64(BUF - RAM, 1.5, true);
  ram.view.setFloat64(BUF - RAM + 8, -0.25, true);
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: MiB, mapping: ram });
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  vcpu.setOneReg(arm64SysReg(3, 0, 12, 0, 0), BigInt(VBAR));
  vcpu.setOneReg(CoreReg.v(1), 0x3ff0_0000_0000_0000_4000_0000_0000_0000n); // 2.0, 1.0
  vcpu.runBudget = budget;
  let runs = 0;
  for (;;) {
    runs++;
    const exit = vcpu.run();
    if (exit.reason === 'system-event') break;
    expect(exit).toMatchObject({ reason: 'intr', cause: 'budget' });
    expect(runs).toBeLessThan(1000);
  }
  const regs = [0, 1].map((n) => vcpu.getOneReg(CoreReg.v(n)));
  return {
    runs, traps: vcpu.fpTraps, regs, x5: vcpu.getOneReg(CoreReg.x(5)), retired: vcpu.instructionsRetired,
    mem: Buffer.from(ram.bytes.subarray(BUF - RAM, BUF - RAM + 32)).toString('hex'),
  };
}

describe('lazy FP/SIMD switching (CPTR_EL2.TFP)', () => {
  it('traps the first SIMD&FP instruction of each run, and the guest sees the same as without it', () => {
    const eager = runGuest(false);
    const lazy = runGuest(true);
    expect(eager.traps).toBe(0);
    expect(lazy.regs).toEqual(eager.regs);
    expect(lazy.mem).toEqual(eager.mem);
    expect(lazy.retired).toBe(eager.retired);
    expect(lazy.regs[1]).not.toBe(0x3ff0_0000_0000_0000_4000_0000_0000_0000n); // the FADD loop ran
    // Every run but the first (which may start with its CPACR_EL1 write) and the last (which may hold only the
    // power-off) uses SIMD&FP, and only its first use traps (mmu's wasm-simd-fp-mem.test.ts checks the inline
    // access check of WebAssembly loads and stores against TFP, with a warm TLB).
    expect(lazy.runs).toBeGreaterThan(20);
    expect(lazy.traps).toBeGreaterThanOrEqual(lazy.runs - 2);
    expect(lazy.traps).toBeLessThanOrEqual(lazy.runs);
  });

  it('one run, one trap', () => {
    const lazy = runGuest(true, 3, 1_000_000);
    expect(lazy.runs).toBe(1);
    expect(lazy.traps).toBe(1);
  });

  it("the guest's own CPACR_EL1.FPEN trap comes first: taken in the guest, no trap to EL2", () => {
    const lazy = runGuest(true, 0);
    expect(lazy.traps).toBe(0);
    expect(lazy.x5 >> 26n).toBe(0x07n); // EC 0x07 in ESR_EL1
  });
});
