import { describe, expect, it, vi } from 'vitest';
import type { MemoryPort } from '@kvm-mte/aarch64-cpu';
import { Mmu } from '@kvm-mte/mmu';
import {
  CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_POWER_OFF, KVM_ARM_VCPU_PSCI_0_2, KVM_CAP_ARM_NISV_TO_USER,
  KVM_EXIT_ARM_NISV, KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_INTR, KVM_EXIT_MMIO, KVM_EXIT_SYSTEM_EVENT, KVM_MEM_READONLY,
  KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_STOPPED, KVM_SYSTEM_EVENT_RESET, KVM_SYSTEM_EVENT_SHUTDOWN, PSCI, PSCI_RET,
  arm64SysReg, type Kvm, type KvmExit,
} from './index.js';
import { A64 } from './testing/a64.js';
import { errnoOf, testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const UART = 0x0900_0000n;
const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };
const neg = (n: number) => BigInt.asUintN(64, BigInt(n));

/** A VM with 1 MiB of RAM at 0x4000_0000 holding `program`, and vCPU 0 about to run it. */
function guest(program: number[], opts: { kvm?: Kvm; vcpus?: number } = {}) {
  const kvm = opts.kvm ?? testKvm();
  const vm = kvm.createVm();
  const ram = kvm.mmap({ size: 1 << 20 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 20, mapping: ram });
  program.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit(INIT);
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  const others = [];
  for (let i = 1; i < (opts.vcpus ?? 1); i++) {
    const v = vm.createVcpu(i);
    v.armVcpuInit({ ...INIT, features: [INIT.features[0]! | (1 << KVM_ARM_VCPU_POWER_OFF)] });
    others.push(v);
  }
  return { kvm, vm, ram, vcpu, others };
}

const psciCall = (fid: number, ...args: bigint[]): number[] => [
  ...A64.mov64(0, BigInt(fid)),
  ...args.flatMap((a, i) => A64.mov64(i + 1, a)),
  A64.hvc(),
];
const systemOff = () => psciCall(PSCI.SYSTEM_OFF);

function expectShutdown(exit: KvmExit): void {
  expect(exit).toEqual({ reason: 'system-event', exitReason: KVM_EXIT_SYSTEM_EVENT, type: KVM_SYSTEM_EVENT_SHUTDOWN, data: [0n] });
}

describe('guest programs', () => {
  it('an MMIO store exits to the VMM, then PSCI SYSTEM_OFF ends the VM', () => {
    const { vcpu, vm } = guest([
      A64.movz(1, 0x0900, 1), // x1 = 0x0900_0000 (UART)
      A64.movz(2, 0x41), // w2 = 'A'
      A64.strb(2, 1),
      A64.movz(3, 0xbeef),
      A64.movk(3, 0xdead, 1),
      A64.strw(3, 1),
      ...systemOff(),
    ]);
    let exit = vcpu.run();
    expect(exit).toMatchObject({ reason: 'mmio', exitReason: KVM_EXIT_MMIO, physAddr: UART, len: 1, isWrite: true });
    expect((exit as { data: Uint8Array }).data[0]).toBe(0x41);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 8)); // still on the store until the next run
    exit = vcpu.run();
    expect(exit).toMatchObject({ reason: 'mmio', physAddr: UART, len: 4, isWrite: true });
    expect([...(exit as { data: Uint8Array }).data.subarray(0, 4)]).toEqual([0xef, 0xbe, 0xad, 0xde]);
    exit = vcpu.run();
    expectShutdown(exit);
    expect(vcpu.getOneReg(CoreReg.x(0))).toBe(neg(PSCI_RET.INTERNAL_FAILURE));
    expect(vcpu.getMpState()).toBe(KVM_MP_STATE_STOPPED);
    expect(vcpu.run()).toEqual({ reason: 'intr', exitReason: KVM_EXIT_INTR, cause: 'stopped' });
    // Re-initialising resets the vCPU (how a VMM implements reset).
    vcpu.armVcpuInit(INIT);
    expect(vcpu.getMpState()).toBe(KVM_MP_STATE_RUNNABLE);
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(0n);
    expect(vm.memslots()).toHaveLength(1);
  });

  it('counts retired instructions, including MMIO accesses the VMM completed, across re-initialisation', () => {
    const program = [A64.movz(1, 0x0900, 1), A64.movz(2, 0x41), A64.strb(2, 1), A64.strb(2, 1), ...systemOff()];
    const { vcpu } = guest(program);
    expect(vcpu.instructionsRetired).toBe(0);
    expect(vcpu.run()).toMatchObject({ reason: 'mmio' });
    expect(vcpu.instructionsRetired).toBe(2); // the store has not completed yet
    expect(vcpu.run()).toMatchObject({ reason: 'mmio' });
    expect(vcpu.instructionsRetired).toBe(3);
    expectShutdown(vcpu.run());
    expect(vcpu.instructionsRetired).toBe(program.length);
    vcpu.armVcpuInit(INIT);
    vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
    vcpu.runBudget = 2;
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'budget' });
    expect(vcpu.instructionsRetired).toBe(program.length + 2);
  });

  it('MMIO reads complete into Xt with the instruction\'s extension', () => {
    const { vcpu } = guest([
      A64.movz(1, 0x0900, 1),
      A64.ldrsbx(13, 1), // x0..x3 are PSCI results: keep the loads clear of them
      A64.ldrsbw(14, 1),
      A64.ldrshx(5, 1),
      A64.ldrw(6, 1),
      A64.ldrswx(7, 1),
      A64.ldrx(8, 1),
      A64.ldrb(31, 1), // into WZR: discarded
      ...systemOff(),
    ]);
    const feed: [number, bigint][] = [[1, 0x80n], [1, 0x80n], [2, 0x8001n], [4, 0xdeadbeefn], [4, 0x8000_0000n], [8, 0x0123_4567_89ab_cdefn], [1, 0xffn]];
    for (const [len, value] of feed) {
      const exit = vcpu.run();
      expect(exit).toMatchObject({ reason: 'mmio', physAddr: UART, len, isWrite: false });
      const data = (exit as { data: Uint8Array }).data;
      for (let i = 0; i < len; i++) data[i] = Number((value >> BigInt(8 * i)) & 0xffn);
    }
    expectShutdown(vcpu.run());
    expect(vcpu.getOneReg(CoreReg.x(13))).toBe(0xffff_ffff_ffff_ff80n); // LDRSB Xt
    expect(vcpu.getOneReg(CoreReg.x(14))).toBe(0x0000_0000_ffff_ff80n); // LDRSB Wt
    expect(vcpu.getOneReg(CoreReg.x(5))).toBe(0xffff_ffff_ffff_8001n);
    expect(vcpu.getOneReg(CoreReg.x(6))).toBe(0xdeadbeefn);
    expect(vcpu.getOneReg(CoreReg.x(7))).toBe(0xffff_ffff_8000_0000n);
    expect(vcpu.getOneReg(CoreReg.x(8))).toBe(0x0123_4567_89ab_cdefn);
  });

  it('RAM writes land in the VMM mapping; a read-only slot turns writes into MMIO', () => {
    const { vm, ram, vcpu, kvm } = guest([
      ...A64.mov64(1, BigInt(RAM + 0x8000)),
      ...A64.mov64(2, 0x1122_3344_5566_7788n),
      A64.strx(2, 1),
      ...A64.mov64(1, 0x8000_0000n),
      A64.ldrw(3, 1), // ROM read: plain memory
      A64.strw(2, 1), // ROM write: MMIO exit
      ...systemOff(),
    ]);
    const rom = kvm.mmap({ size: 4096 });
    rom.view.setUint32(0, 0x600d_f00d, true);
    vm.setUserMemoryRegion({ slot: 1, flags: KVM_MEM_READONLY, guestPhysAddr: 0x8000_0000n, memorySize: 4096, mapping: rom });
    const exit = vcpu.run();
    expect(exit).toMatchObject({ reason: 'mmio', physAddr: 0x8000_0000n, len: 4, isWrite: true });
    expect(ram.view.getBigUint64(0x8000, true)).toBe(0x1122_3344_5566_7788n);
    expect(vcpu.getOneReg(CoreReg.x(3))).toBe(0x600d_f00dn);
    expectShutdown(vcpu.run());
    expect(rom.view.getUint32(0, true)).toBe(0x600d_f00d);
  });

  it('deleting a memslot unmaps it from stage 2 and flushes the TLBs: the next access is MMIO', () => {
    const ports: Mmu[] = [];
    const spyKvm = testKvm({ memoryPort: (cpu, phys) => { const m = new Mmu(cpu, phys); ports.push(m); return m; } });
    const { vm, vcpu, kvm } = guest([
      ...A64.mov64(1, 0x8000_0000n),
      A64.movz(2, 0x55),
      A64.strx(2, 1),
      A64.wfi(),
      A64.strx(2, 1),
      ...systemOff(),
    ], { kvm: spyKvm });
    const extra = kvm.mmap({ size: 4096 });
    const slot = { slot: 1, flags: 0, guestPhysAddr: 0x8000_0000n, memorySize: 4096, mapping: extra };
    vm.setUserMemoryRegion(slot);
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'wfi' });
    expect(extra.view.getBigUint64(0, true)).toBe(0x55n);
    const tlbi = vi.spyOn(ports[ports.length - 1]!, 'tlbi');
    vm.setUserMemoryRegion({ ...slot, memorySize: 0 });
    expect(tlbi).toHaveBeenCalledWith('vmalls12e1', 0n);
    expect(vcpu.run()).toMatchObject({ reason: 'mmio', physAddr: 0x8000_0000n, len: 8, isWrite: true });
    expectShutdown(vcpu.run());
  });

  it('PSCI VERSION, FEATURES, unknown ids, SMCCC_VERSION, MIGRATE_INFO_TYPE', () => {
    const { vcpu } = guest([
      ...psciCall(PSCI.VERSION), A64.mov(19, 0),
      ...psciCall(PSCI.FEATURES, BigInt(PSCI.CPU_ON64)), A64.mov(20, 0),
      ...psciCall(PSCI.FEATURES, BigInt(PSCI.SYSTEM_RESET2)), A64.mov(21, 0),
      ...psciCall(PSCI.FEATURES, 0x8400_00ffn), A64.mov(22, 0),
      ...psciCall(0xc500_0000), A64.mov(23, 0), // not a PSCI id
      ...psciCall(0x8000_0000), A64.mov(24, 0), // SMCCC_VERSION
      ...psciCall(PSCI.MIGRATE_INFO_TYPE), A64.mov(25, 0),
      A64.smc(), A64.mov(26, 0), // no secure firmware: NOT_SUPPORTED
      ...systemOff(),
    ]);
    expectShutdown(vcpu.run());
    const x = (n: number) => vcpu.getOneReg(CoreReg.x(n));
    expect(x(19)).toBe(0x10001n);
    expect(x(20)).toBe(0n);
    expect(x(21)).toBe(0n);
    expect(x(22)).toBe(neg(-1));
    expect(x(23)).toBe(neg(-1));
    expect(x(24)).toBe(0x10001n);
    expect(x(25)).toBe(2n);
    expect(x(26)).toBe(neg(-1));
  });

  it('PSCI 0.2 (set through the firmware register) has no FEATURES', () => {
    const { vcpu } = guest([...psciCall(PSCI.VERSION), A64.mov(19, 0), ...psciCall(PSCI.FEATURES, BigInt(PSCI.CPU_ON)), A64.mov(20, 0), ...systemOff()]);
    vcpu.setOneReg(0x6030_0000_0014_0000n, 2n);
    expectShutdown(vcpu.run());
    expect(vcpu.getOneReg(CoreReg.x(19))).toBe(2n);
    expect(vcpu.getOneReg(CoreReg.x(20))).toBe(neg(-1));
    expect(errnoOf(() => vcpu.setOneReg(0x6030_0000_0014_0000n, 0x10001n))).toBe('EBUSY'); // fixed once run
  });

  it('PSCI CPU_ON starts a stopped vCPU at the entry with the context id; ALREADY_ON, INVALID_PARAMETERS, AFFINITY_INFO, CPU_OFF', () => {
    const entry = BigInt(RAM + 0x1000);
    const { vcpu, others, ram } = guest([
      ...psciCall(PSCI.AFFINITY_INFO64, 0x1n, 0n), A64.mov(18, 0), // vCPU 1 off
      ...psciCall(PSCI.CPU_ON64, 0x1n, entry, 0xc0ffeen), A64.mov(19, 0),
      ...psciCall(PSCI.CPU_ON64, 0x1n, entry, 0n), A64.mov(20, 0), // already on
      ...psciCall(PSCI.CPU_ON64, 0x7n, entry, 0n), A64.mov(21, 0), // no such vCPU
      ...psciCall(PSCI.CPU_ON, 0x1_0000_0000n | 1n, entry, 0n), A64.mov(22, 0), // 32-bit call: upper bits dropped
      ...psciCall(PSCI.AFFINITY_INFO64, 0x1n, 0n), A64.mov(23, 0), // vCPU 1 on
      ...psciCall(PSCI.AFFINITY_INFO64, 0x0n, 1n), A64.mov(24, 0), // cluster 0 has a CPU on
      ...psciCall(PSCI.AFFINITY_INFO64, 0x1n, 4n), A64.mov(25, 0), // bad level
      ...psciCall(PSCI.CPU_ON64, 0xff_0000_0000_0000n, entry, 0n), A64.mov(26, 0), // bits outside MPIDR affinity
      ...systemOff(),
    ], { vcpus: 2 });
    const second = [A64.mov(5, 0), ...psciCall(PSCI.CPU_OFF)];
    second.forEach((w, i) => ram.view.setUint32(0x1000 + 4 * i, w, true));
    const v1 = others[0]!;
    expect(v1.run()).toMatchObject({ reason: 'intr', cause: 'stopped' });
    expectShutdown(vcpu.run());
    const x = (n: number) => vcpu.getOneReg(CoreReg.x(n));
    expect(x(18)).toBe(1n);
    expect(x(19)).toBe(0n);
    expect(x(20)).toBe(neg(PSCI_RET.ALREADY_ON));
    expect(x(21)).toBe(neg(PSCI_RET.INVALID_PARAMETERS));
    expect(x(22)).toBe(neg(PSCI_RET.ALREADY_ON));
    expect(x(23)).toBe(0n);
    expect(x(24)).toBe(0n);
    expect(x(25)).toBe(neg(PSCI_RET.INVALID_PARAMETERS));
    expect(x(26)).toBe(neg(PSCI_RET.INVALID_PARAMETERS));
    // SYSTEM_OFF stopped every vCPU, the second one included (it had not run yet).
    expect(v1.getMpState()).toBe(KVM_MP_STATE_STOPPED);
    expect(v1.getOneReg(CoreReg.PC)).toBe(entry);
    expect(v1.getOneReg(CoreReg.x(0))).toBe(0xc0ffeen);
    expect(v1.getOneReg(CoreReg.PSTATE)).toBe(0x3c5n);
  });

  it('the started vCPU runs from the entry and CPU_OFF stops it', () => {
    const entry = BigInt(RAM + 0x1000);
    const { vcpu, others, ram } = guest([...psciCall(PSCI.CPU_ON64, 0x1n, entry, 0x77n), A64.wfi(), A64.self()], { vcpus: 2 });
    [A64.mov(5, 0), ...psciCall(PSCI.CPU_OFF)].forEach((w, i) => ram.view.setUint32(0x1000 + 4 * i, w, true));
    expect(vcpu.run()).toMatchObject({ reason: 'intr', cause: 'wfi' });
    const v1 = others[0]!;
    expect(v1.run()).toMatchObject({ reason: 'intr', cause: 'stopped' });
    expect(v1.getOneReg(CoreReg.x(5))).toBe(0x77n);
    expect(v1.getMpState()).toBe(KVM_MP_STATE_STOPPED);
  });

  it('SYSTEM_RESET and SYSTEM_RESET2 are reset events', () => {
    expect(guest(psciCall(PSCI.SYSTEM_RESET)).vcpu.run()).toEqual({ reason: 'system-event', exitReason: KVM_EXIT_SYSTEM_EVENT, type: KVM_SYSTEM_EVENT_RESET, data: [0n] });
    expect(guest(psciCall(PSCI.SYSTEM_RESET2_64, 0n, 0n)).vcpu.run()).toMatchObject({ type: KVM_SYSTEM_EVENT_RESET, data: [1n] });
    const bad = guest([...psciCall(PSCI.SYSTEM_RESET2, 1n, 0n), ...systemOff()]);
    expect(bad.vcpu.run()).toMatchObject({ type: KVM_SYSTEM_EVENT_SHUTDOWN });
  });

  it('WFI: idle exit past the WFI; no exit with an interrupt pending', () => {
    const { vcpu, vm } = guest([A64.wfi(), A64.movz(9, 1), A64.wfi(), ...systemOff()]);
    expect(vcpu.run()).toEqual({ reason: 'intr', exitReason: KVM_EXIT_INTR, cause: 'wfi' });
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 4));
    vm.irqLine(0, true); // pending (masked by DAIF): the WFI completes at once
    expectShutdown(vcpu.run());
    expect(vcpu.getOneReg(CoreReg.x(9))).toBe(1n);
  });

  it('a bounded slice: budget exit, then the guest continues', () => {
    const { vcpu } = guest([A64.movz(1, 0), A64.self()]);
    vcpu.runBudget = 1000;
    expect(vcpu.run()).toEqual({ reason: 'intr', exitReason: KVM_EXIT_INTR, cause: 'budget' });
    expect(vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 4));
    expect(vcpu.run()).toMatchObject({ cause: 'budget' });
    vcpu.runBudget = 0;
    expect(errnoOf(() => vcpu.run())).toBe('EINVAL');
  });

  it('MMIO without a syndrome: ENOSYS, or KVM_EXIT_ARM_NISV with the cap', () => {
    const prog = [A64.movz(1, 0x0900, 1), A64.stp(2, 3, 1), ...systemOff()];
    const a = guest(prog);
    expect(errnoOf(() => a.vcpu.run())).toBe('ENOSYS');
    const b = guest(prog);
    b.vm.enableCap(KVM_CAP_ARM_NISV_TO_USER);
    const exit = b.vcpu.run();
    expect(exit).toMatchObject({ reason: 'arm-nisv', exitReason: KVM_EXIT_ARM_NISV, faultIpa: UART });
    expect(Number((exit as { esrIss: bigint }).esrIss) & 0x40).toBe(0x40); // WnR
    expect(b.vcpu.getOneReg(CoreReg.PC)).toBe(BigInt(RAM + 4));
  });

  it('hidden MTE registers are UNDEF to a non-MTE guest', () => {
    const vbar = BigInt(RAM + 0x800);
    const { vcpu, ram } = guest([A64.mrs(0, 3, 0, 1, 0, 6) /* GCR_EL1 */, ...systemOff()]);
    vcpu.setOneReg(arm64SysReg(3, 0, 12, 0, 0), vbar);
    systemOff().forEach((w, i) => ram.view.setUint32(0x800 + 0x200 + 4 * i, w, true)); // current EL, SPx, sync
    expectShutdown(vcpu.run());
    expect(vcpu.getOneReg(arm64SysReg(3, 0, 5, 2, 0)) >> 26n).toBe(0n); // ESR_EL1.EC = Unknown
    expect(vcpu.getOneReg(CoreReg.ELR_EL1)).toBe(BigInt(RAM));
  });

  it('a memslot page beyond its mapping: run fails with EFAULT', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    const small = kvm.mmap({ size: 4096 });
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 8192, mapping: small });
    const v = vm.createVcpu(0);
    v.armVcpuInit(INIT);
    v.setOneReg(CoreReg.PC, BigInt(RAM + 4096));
    expect(errnoOf(() => v.run())).toBe('EFAULT');
  });

  it('a CPU model failure is an internal-error exit, not a throw', () => {
    const kvm = testKvm({
      memoryPort: () => ({
        read: () => 0n, write: () => {}, fetch: () => { throw new TypeError('model bug'); },
        controlChanged: () => {}, tlbi: () => {}, zeroBlock: () => {}, readTag: () => 0, writeTag: () => {},
      }) as MemoryPort,
    });
    const { vcpu } = guest([], { kvm });
    const exit = vcpu.run();
    expect(exit).toMatchObject({ reason: 'internal-error', exitReason: KVM_EXIT_INTERNAL_ERROR, suberror: 1 });
    expect((exit as { message: string }).message).toContain('model bug');
  });

  it('two VMs and their vCPUs share nothing', () => {
    const kvm = testKvm();
    const prog = (v: number) => [...A64.mov64(1, BigInt(RAM + 0x4000)), A64.movz(2, v), A64.strx(2, 1), A64.movz(7, v), ...systemOff()];
    const a = guest(prog(0xaaaa), { kvm });
    const b = guest(prog(0xbbbb), { kvm });
    expect(a.vm.vmid).not.toBe(b.vm.vmid);
    expectShutdown(a.vcpu.run());
    expect(b.ram.view.getBigUint64(0x4000, true)).toBe(0n); // B has not run: A's write is in A's RAM only
    expectShutdown(b.vcpu.run());
    expect(a.ram.view.getBigUint64(0x4000, true)).toBe(0xaaaan);
    expect(b.ram.view.getBigUint64(0x4000, true)).toBe(0xbbbbn);
    expect(a.vcpu.getOneReg(CoreReg.x(7))).toBe(0xaaaan);
    expect(b.vcpu.getOneReg(CoreReg.x(7))).toBe(0xbbbbn);
    // SYSTEM_OFF in A stopped A's vCPUs only.
    const c = guest([A64.wfi()], { kvm });
    expect(c.vcpu.run()).toMatchObject({ cause: 'wfi' });
  });
});

