// KVM_SET_GUEST_DEBUG (guest-debug.ts): single-stepping a guest through 'debug' exits, software breakpoints (BRK),
// the VMM's hardware breakpoints and watchpoints, all without the guest seeing its debug state change.
import { describe, expect, it } from 'vitest';
import {
  CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KVM_CAP_GUEST_DEBUG_HW_BPS, KVM_CAP_GUEST_DEBUG_HW_WPS,
  KVM_CAP_SET_GUEST_DEBUG, KVM_EXIT_DEBUG, KVM_GUESTDBG_ENABLE, KVM_GUESTDBG_SINGLESTEP, KVM_GUESTDBG_USE_HW,
  KVM_GUESTDBG_USE_SW_BP, arm64SysReg, type KvmExit, type Vcpu,
} from './index.js';
import { A64 } from './testing/a64.js';
import { errnoOf, testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const DATA = RAM + 0x1_0000;
const VBAR = RAM + 0x800;
const UART = 0x0900_0000n;
const PSCI_SYSTEM_OFF = 0x8400_0008n;
const MDSCR_EL1 = arm64SysReg(2, 0, 0, 2, 2);
const OSLSR_EL1 = arm64SysReg(2, 0, 1, 1, 4);
const DBGBVR0_EL1 = arm64SysReg(2, 0, 0, 0, 4);
const DBGBCR0_EL1 = arm64SysReg(2, 0, 0, 0, 5);
const DBGWVR0_EL1 = arm64SysReg(2, 0, 0, 0, 6);
const DBGWCR0_EL1 = arm64SysReg(2, 0, 0, 0, 7);
const VBAR_EL1 = arm64SysReg(3, 0, 12, 0, 0);
const ESR_EL1 = arm64SysReg(3, 0, 5, 2, 0);
const SPSR_EL1 = CoreReg.spsr(0);
const MDSCR_KDE = 1n << 13n;
const MDSCR_MDE = 1n << 15n;
const PSTATE_EL1H_MASKED = 0x3c5n;
const PSTATE_SS = 1n << 21n;
/** DBGBCR: enabled, PMC = EL1 and EL0, BAS = 0b1111. */
const BCR = BigInt(1 | (3 << 1) | (0xf << 5));
/** DBGWCR: enabled, PAC = EL1 and EL0, LSC = store, BAS = 8 bytes. */
const WCR_STORE = BigInt(1 | (3 << 1) | (2 << 3) | (0xff << 5));
const STEP = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
const at = (k: number): bigint => BigInt(RAM + 4 * k);
const brk = (imm: number): number => (0xd4200000 | ((imm & 0xffff) << 5)) >>> 0;
/** SUBS Xd, Xn, #imm12 */
const subs = (d: number, n: number, imm: number): number => (0xf1000000 | (imm << 10) | (n << 5) | d) >>> 0;
/** B.NE #offset (in instructions) */
const bne = (words: number): number => (0x54000001 | ((words & 0x7ffff) << 5)) >>> 0;
/** The tail every program ends with: PSCI SYSTEM_OFF. */
const OFF = [...A64.mov64(0, PSCI_SYSTEM_OFF), A64.hvc()];

/** A vCPU at RAM running `program` (EL1h, DAIF masked), the guest's OS lock released; VBAR's vectors `movz x9, #ec-ish; b .`. */
function guest(program: readonly number[]): { vcpu: Vcpu; ram: ReturnType<ReturnType<typeof testKvm>['mmap']> } {
  const kvm = testKvm();
  const vm = kvm.createVm();
  const ram = kvm.mmap({ size: 1 << 20 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 20, mapping: ram });
  program.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  for (let off = 0; off < 0x800; off += 0x80) {
    ram.view.setUint32(VBAR - RAM + off, A64.movz(9, off), true);
    ram.view.setUint32(VBAR - RAM + off + 4, A64.self(), true);
  }
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
  vcpu.setOneReg(OSLSR_EL1, vcpu.getOneReg(OSLSR_EL1) & ~2n);
  vcpu.setOneReg(VBAR_EL1, BigInt(VBAR));
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  vcpu.setOneReg(CoreReg.x(1), BigInt(DATA));
  vcpu.setOneReg(CoreReg.PSTATE, PSTATE_EL1H_MASKED);
  return { vcpu, ram };
}

const ecOf = (e: KvmExit): number => (e.reason === 'debug' ? e.hsr >>> 26 : -1);
const issOf = (e: KvmExit): number => (e.reason === 'debug' ? e.hsr & 0x1ff_ffff : -1);
const xs = (v: Vcpu): bigint[] => Array.from({ length: 31 }, (_, n) => v.getOneReg(CoreReg.x(n)));

describe('KVM_SET_GUEST_DEBUG: control checks and capabilities', () => {
  it('EINVAL for unknown control bits (as Linux) and a malformed arch; nothing changes', () => {
    const { vcpu } = guest([A64.movz(0, 1), ...OFF]);
    expect(errnoOf(() => vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | 4 }))).toBe('EINVAL');
    expect(errnoOf(() => vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | (1 << 18) }))).toBe('EINVAL');
    expect(errnoOf(() => vcpu.setGuestDebug({ control: 0.5 }))).toBe('EINVAL');
    expect(errnoOf(() => vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, arch: { bcr: new Array<bigint>(17).fill(0n) } }))).toBe('EINVAL');
    expect(errnoOf(() => vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, arch: { wvr: [-1n] } }))).toBe('EINVAL');
    expect(errnoOf(() => vcpu.setGuestDebug({ control: 4 }))).toBe('EINVAL'); // checked even without ENABLE
    expect(vcpu.run()).toMatchObject({ reason: 'system-event' }); // not debugging
  });

  it('KVM_CHECK_EXTENSION: SET_GUEST_DEBUG, and the breakpoints and watchpoints the CPU has (6 and 4)', () => {
    const kvm = testKvm();
    expect([KVM_CAP_SET_GUEST_DEBUG, KVM_CAP_GUEST_DEBUG_HW_BPS, KVM_CAP_GUEST_DEBUG_HW_WPS].map((c) => kvm.checkExtension(c))).toEqual([1, 6, 4]);
  });
});

describe('KVM_GUESTDBG_SINGLESTEP', () => {
  const program = [
    A64.movz(0, 3), // 0
    A64.addi(2, 0, 5), // 1
    A64.strx(2, 1), // 2: a store to RAM
    A64.ldrx(3, 1), // 3
    subs(0, 0, 1), // 4: loop x0 = 3, 2, 1
    bne(-1), // 5
    A64.movz(4, 0x99), // 6
    ...OFF, // 7...
  ];

  it('exits after every instruction with EC 0x32 (ISV), the PC sequence exact, one instruction retired per exit', () => {
    const { vcpu } = guest(program);
    vcpu.setOneReg(MDSCR_EL1, MDSCR_KDE | MDSCR_MDE); // the guest's own MDSCR_EL1: must not change
    vcpu.setOneReg(SPSR_EL1, 0x1234_0005n);
    vcpu.setGuestDebug({ control: STEP });
    const pcs: bigint[] = [];
    for (let n = 0; n < 11; n++) {
      const before = vcpu.instructionsRetired;
      const e = vcpu.run();
      expect(e.exitReason).toBe(KVM_EXIT_DEBUG);
      expect([ecOf(e), issOf(e)]).toEqual([0x32, (1 << 24) | 0x22]);
      expect(vcpu.instructionsRetired - before).toBe(1);
      expect(vcpu.getOneReg(MDSCR_EL1)).toBe(MDSCR_KDE | MDSCR_MDE);
      expect(vcpu.getOneReg(CoreReg.PSTATE) & 0x0fff_ffffn).toBe(PSTATE_EL1H_MASKED); // the guest's PSTATE.SS (0) shown
      pcs.push(vcpu.getOneReg(CoreReg.PC));
    }
    expect(pcs).toEqual([1, 2, 3, 4, 5, 4, 5, 4, 5, 6, 7].map(at));
    expect(vcpu.getOneReg(SPSR_EL1)).toBe(0x1234_0005n);
    // The guest's registers are what an undebugged run gives at the same point.
    const ref = guest(program).vcpu;
    ref.runBudget = 11;
    expect(ref.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
    expect(xs(vcpu)).toEqual(xs(ref));
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(ref.getOneReg(CoreReg.PC));
    // Debugging off: the guest runs on to its end, its debug state as it was.
    vcpu.setGuestDebug({ control: 0 });
    expect(vcpu.run()).toMatchObject({ reason: 'system-event' });
    expect(vcpu.getOneReg(CoreReg.x(4))).toBe(0x99n);
    expect(vcpu.getOneReg(MDSCR_EL1)).toBe(MDSCR_KDE | MDSCR_MDE);
  });

  it('the guest\'s own PSTATE.SS is kept aside while stepped and shown through ONE_REG', () => {
    const { vcpu } = guest(program);
    vcpu.setOneReg(CoreReg.PSTATE, PSTATE_EL1H_MASKED | PSTATE_SS);
    vcpu.setGuestDebug({ control: STEP });
    for (let n = 0; n < 3; n++) {
      expect(ecOf(vcpu.run())).toBe(0x32);
      expect(vcpu.getOneReg(CoreReg.PSTATE)).toBe(PSTATE_EL1H_MASKED | PSTATE_SS);
    }
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(3));
  });

  it('an MMIO access: the mmio exit, then the step exit at the next instruction (ISV = 0) before it runs', () => {
    const { vcpu } = guest([A64.movz(2, 0x41), A64.strb(2, 5), A64.movz(3, 1), A64.movz(4, 1), ...OFF]);
    vcpu.setOneReg(CoreReg.x(5), UART);
    vcpu.setGuestDebug({ control: STEP });
    expect(ecOf(vcpu.run())).toBe(0x32);
    expect(vcpu.run()).toMatchObject({ reason: 'mmio', isWrite: true, physAddr: UART });
    const e = vcpu.run();
    expect([ecOf(e), issOf(e)]).toEqual([0x32, 0x22]);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(2));
    expect(vcpu.getOneReg(CoreReg.x(3))).toBe(0n);
    expect(ecOf(vcpu.run())).toBe(0x32);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(3));
    expect(vcpu.getOneReg(CoreReg.x(3))).toBe(1n);
  });

  it('an exception the guest takes (SVC): the step exit comes at the vector, before its first instruction', () => {
    const { vcpu } = guest([A64.movz(0, 1), 0xd4000021 /* svc #1 */, ...OFF]);
    vcpu.setGuestDebug({ control: STEP });
    expect(ecOf(vcpu.run())).toBe(0x32);
    const e = vcpu.run();
    expect([ecOf(e), issOf(e)]).toEqual([0x32, 0x22]);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x200));
    expect(vcpu.getOneReg(ESR_EL1) >> 26n).toBe(0x15n);
    expect(vcpu.getOneReg(CoreReg.ELR_EL1)).toBe(at(2));
    expect(vcpu.getOneReg(CoreReg.x(9))).toBe(0n);
    expect(ecOf(vcpu.run())).toBe(0x32);
    expect(vcpu.getOneReg(CoreReg.x(9))).toBe(0x200n);
  });

  it('an instruction kvm-core answers (SMC): the step exit comes at the next instruction, before it runs', () => {
    const { vcpu } = guest([A64.movz(0, 1), A64.smc(), ...OFF]);
    vcpu.setGuestDebug({ control: STEP });
    expect(ecOf(vcpu.run())).toBe(0x32); // movz
    // SMC is trapped (HCR_EL2.TSC) and answered by kvm-core, which steps past it: active-pending at the next one.
    const e = vcpu.run();
    expect([ecOf(e), issOf(e)]).toEqual([0x32, 0x22]);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(2));
    expect(vcpu.getOneReg(CoreReg.x(0))).toBe((1n << 64n) - 1n);
  });
});

describe('KVM_GUESTDBG_USE_SW_BP', () => {
  it('BRK exits with EC 0x3C and its comment, PC on the BRK; the VMM steps past it, also from translated blocks', () => {
    const { vcpu } = guest([
      A64.movz(0, 100), // 0
      A64.addi(6, 6, 1), // 1
      brk(0x42), // 2
      subs(0, 0, 1), // 3
      bne(-3), // 4
      ...OFF,
    ]);
    vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP });
    let hits = 0;
    for (;;) {
      const e = vcpu.run();
      if (e.reason === 'system-event') break;
      expect([ecOf(e), issOf(e)]).toEqual([0x3c, 0x42]);
      expect(e).toMatchObject({ hsrHigh: 0, far: 0n });
      expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(2));
      expect(vcpu.getOneReg(CoreReg.x(6))).toBe(BigInt(hits + 1));
      vcpu.setOneReg(CoreReg.PC, at(3));
      hits++;
    }
    expect(hits).toBe(100);
    expect(vcpu.getOneReg(ESR_EL1)).toBe(0n); // the guest never took an exception
  });

  it('without guest debug, BRK is the guest\'s own exception (EC 0x3C at its EL1 vector)', () => {
    const { vcpu } = guest([brk(0x42), ...OFF]);
    vcpu.runBudget = 10;
    expect(vcpu.run()).toMatchObject({ reason: 'intr' });
    expect(vcpu.getOneReg(ESR_EL1) >> 26n).toBe(0x3cn);
    expect(vcpu.getOneReg(CoreReg.x(9))).toBe(0x200n);
  });
});

describe('KVM_GUESTDBG_USE_HW', () => {
  const GUEST_BVR = at(1);

  it('a breakpoint exits with EC 0x30 before its instruction; a watchpoint with EC 0x34 and far before the store', () => {
    const { vcpu, ram } = guest([A64.movz(0, 1), A64.movz(2, 7), A64.strx(2, 1), A64.movz(3, 1), A64.movz(4, 1), ...OFF]);
    vcpu.setGuestDebug({
      control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW,
      arch: { bcr: [0n, BCR], bvr: [0n, at(3)], wcr: [0n, 0n, 0n, WCR_STORE], wvr: [0n, 0n, 0n, BigInt(DATA)] },
    });
    const w = vcpu.run();
    expect([ecOf(w), issOf(w)]).toEqual([0x34, (1 << 6) | 0x22]);
    expect(w).toMatchObject({ far: BigInt(DATA) });
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(2));
    expect(ram.view.getBigUint64(DATA - RAM, true)).toBe(0n);
    // The VMM drops the watchpoint and goes on to the breakpoint.
    vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, arch: { bcr: [0n, BCR], bvr: [0n, at(3)] } });
    const b = vcpu.run();
    expect([ecOf(b), issOf(b)]).toEqual([0x30, 0x22]);
    expect(b).toMatchObject({ far: 0n });
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(3));
    expect(vcpu.getOneReg(CoreReg.x(3))).toBe(0n);
    expect(ram.view.getBigUint64(DATA - RAM, true)).toBe(7n);
  });

  it('the guest\'s own debug registers are untouched, read by the guest meanwhile, and in force again afterwards', () => {
    const { vcpu } = guest([
      A64.mrs(7, 2, 0, 0, 0, 4), // 0: mrs x7, dbgbvr0_el1
      A64.movz(3, 1), // 1: the guest's own breakpoint
      A64.movz(4, 1), // 2: the VMM's
      ...OFF,
    ]);
    vcpu.setOneReg(MDSCR_EL1, MDSCR_KDE | MDSCR_MDE);
    vcpu.setOneReg(DBGBCR0_EL1, BCR);
    vcpu.setOneReg(DBGBVR0_EL1, GUEST_BVR);
    vcpu.setOneReg(DBGWCR0_EL1, WCR_STORE);
    vcpu.setOneReg(DBGWVR0_EL1, BigInt(DATA));
    vcpu.setOneReg(CoreReg.PSTATE, 0x5n); // EL1h, PSTATE.D clear: the guest's breakpoints are live
    vcpu.setGuestDebug({ control: KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW, arch: { bcr: [BCR], bvr: [at(2)] } });
    const e = vcpu.run();
    expect(ecOf(e)).toBe(0x30);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(at(2)); // the guest's breakpoint at 1 did not fire
    expect(vcpu.getOneReg(CoreReg.x(7))).toBe(GUEST_BVR);
    expect([DBGBCR0_EL1, DBGBVR0_EL1, DBGWCR0_EL1, DBGWVR0_EL1, MDSCR_EL1].map((id) => vcpu.getOneReg(id)))
      .toEqual([BCR, GUEST_BVR, WCR_STORE, BigInt(DATA), MDSCR_KDE | MDSCR_MDE]);
    // Debugging ends: the guest's breakpoint is its own again (taken at its EL1 vector, EC 0x31).
    vcpu.setGuestDebug({ control: 0 });
    vcpu.setOneReg(CoreReg.PC, at(1));
    vcpu.runBudget = 10;
    expect(vcpu.run()).toMatchObject({ reason: 'intr' });
    expect(vcpu.getOneReg(ESR_EL1) >> 26n).toBe(0x31n);
    expect(vcpu.getOneReg(CoreReg.ELR_EL1)).toBe(GUEST_BVR);
  });
});
