/**
 * VM-scoped coherence between vCPUs (issue 11): the global exclusive monitor (a store by another vCPU, or by the VMM
 * through its mapping, clears a reservation, whether the store is interpreted or translated), and SEV reaching
 * every vCPU. The vCPUs run alternately; each phase of a program ends with a byte store to the UART, an MMIO exit,
 * which is where the test switches vCPU.
 */
import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, type KvmExit, type Vcpu, type VmOptions } from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const DATA_OFF = 0x8_0000;
const DATA = BigInt(RAM + DATA_OFF);
const UART = 0x0900_0000n;
const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };

const ldxr = (t: number, n: number): number => (0xc85f7c00 | (n << 5) | t) >>> 0;
const stxr = (s: number, t: number, n: number): number => (0xc8007c00 | (s << 16) | (n << 5) | t) >>> 0;
const SEV = 0xd503209f;
const WFE = 0xd503205f;
/** Exit to the VMM: STRB Wt, [X9] with X9 = the UART. */
const exitWith = (t: number): number => A64.strb(t, 9);
const prologue = (): number[] => [...A64.mov64(1, DATA), ...A64.mov64(9, UART)];

/** vCPU 0: LDXR X2, [X1]; exit; STXR W4, X3 (= 1), [X1]; exit with W4 (the status). */
const EXCLUSIVE = [...prologue(), ldxr(2, 1), exitWith(2), A64.movz(3, 1), stxr(4, 3, 1), exitWith(4), A64.self()];
/** vCPU 1: a loop of STR X3 (= 99), [X1]; exit. */
const STORER = [...prologue(), A64.movz(3, 99), A64.strx(3, 1), exitWith(3), A64.b(-2)];

/** A VM with 1 MiB of RAM, vCPU i running programs[i] from RAM + i * 0x1000. */
function smpGuest(programs: number[][], vmOptions: VmOptions = {}) {
  const kvm = testKvm();
  const vm = kvm.createVm(0, vmOptions);
  const ram = kvm.mmap({ size: 1 << 20 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 20, mapping: ram });
  ram.view.setBigUint64(DATA_OFF, 7n, true);
  const vcpus = programs.map((program, i) => {
    program.forEach((w, k) => ram.view.setUint32(i * 0x1000 + 4 * k, w, true));
    const v = vm.createVcpu(i);
    v.armVcpuInit(INIT);
    v.setOneReg(CoreReg.PC, BigInt(RAM + i * 0x1000));
    return v;
  });
  return { vm, ram, vcpus };
}

/** Run until the next MMIO exit and return the byte stored. */
function toExit(v: Vcpu): number {
  const exit: KvmExit = v.run();
  expect(exit).toMatchObject({ reason: 'mmio', physAddr: UART, isWrite: true });
  return (exit as { data: Uint8Array }).data[0]!;
}

describe('the global exclusive monitor', () => {
  it('a store by another vCPU between LDXR and STXR makes the STXR fail, and the store is kept', () => {
    const { ram, vcpus: [v0, v1] } = smpGuest([EXCLUSIVE, STORER]);
    expect(toExit(v0!)).toBe(7); // LDXR read 7
    toExit(v1!); // STR 99
    expect(toExit(v0!)).toBe(1); // STXR failed
    expect(ram.view.getBigUint64(DATA_OFF, true)).toBe(99n);
  });

  it('with no store in between, the STXR succeeds', () => {
    const { ram, vcpus: [v0] } = smpGuest([EXCLUSIVE, STORER]);
    toExit(v0!);
    expect(toExit(v0!)).toBe(0);
    expect(ram.view.getBigUint64(DATA_OFF, true)).toBe(1n);
  });

  it('a translated store (a block run many times) clears the reservation too', () => {
    const { vm, ram, vcpus: [v0, v1] } = smpGuest([EXCLUSIVE, STORER]);
    for (let i = 0; i < 20; i++) toExit(v1!); // the loop is translated and its store's TLB entry warm
    expect(vm.codeCache.stats().blocks).toBeGreaterThan(0);
    ram.view.setBigUint64(DATA_OFF, 7n, true);
    expect(toExit(v0!)).toBe(7);
    toExit(v1!);
    expect(toExit(v0!)).toBe(1);
    expect(ram.view.getBigUint64(DATA_OFF, true)).toBe(99n);
  });

  it('a translated loop that stores where it loaded (its store sharing the load\'s page cache) clears the reservation', () => {
    // vCPU 1: 20 times LDR X3, [X1]; ADD X3, X3, #1; STR X3, [X1] (a self-looping block, counter X5); exit; again.
    const SUBS_X5 = 0xf10004a5; // subs x5, x5, #1
    const BNE_BACK4 = 0x54ffff81; // b.ne .-16
    // (B to the loop's first instruction: the loop is a block of its own from its first iteration on.)
    const LOOPER = [...prologue(), A64.movz(5, 20), A64.b(1), A64.ldrx(3, 1), A64.addi(3, 3, 1), A64.strx(3, 1), SUBS_X5,
      BNE_BACK4, exitWith(3), A64.b(-8)];
    const { vm, ram, vcpus: [v0, v1] } = smpGuest([EXCLUSIVE, LOOPER], { wasmHotRuns: 0 });
    for (let i = 0; i < 20; i++) toExit(v1!); // the loop is WebAssembly (every block is, hotRuns 0)
    expect(vm.codeCache.wasmTier(vm.kvm.phys.arena)!.stats().inlined).toBeGreaterThan(0);
    ram.view.setBigUint64(DATA_OFF, 7n, true);
    expect(toExit(v0!)).toBe(7);
    expect(toExit(v1!)).toBe(27);
    expect(toExit(v0!)).toBe(1); // STXR failed: the loop's stores cleared the reservation
    expect(ram.view.getBigUint64(DATA_OFF, true)).toBe(27n);
  });

  it('a VMM store through its mapping, reported with hostWrote, clears the reservation', () => {
    const { vm, ram, vcpus: [v0] } = smpGuest([EXCLUSIVE]);
    expect(toExit(v0!)).toBe(7);
    ram.view.setBigUint64(DATA_OFF, 99n, true);
    vm.hostWrote(ram, DATA_OFF, 8);
    expect(toExit(v0!)).toBe(1);
    expect(ram.view.getBigUint64(DATA_OFF, true)).toBe(99n);
  });

  it('a store next to the reservation leaves it; losing it is a WFE wake-up event', () => {
    const { vm, ram, vcpus: [v0] } = smpGuest([EXCLUSIVE]);
    toExit(v0!);
    expect(v0!.getMonitorState()).toEqual({ event: false, exclusive: { va: DATA, size: 8, ipa: DATA } });
    vm.hostWrote(ram, DATA_OFF + 8, 8);
    expect(v0!.getMonitorState().exclusive).toBeDefined();
    vm.hostWrote(ram, DATA_OFF + 7, 1);
    expect(v0!.getMonitorState()).toEqual({ event: true });
    expect(vm.smp.openReservations).toBe(0);
  });

  it('hostWrote checks its range', () => {
    const { vm, ram } = smpGuest([EXCLUSIVE]);
    expect(() => vm.hostWrote(ram, (1 << 20) - 4, 8)).toThrow(/outside/);
  });

  it('a monitor state set on a vCPU is global: another vCPU\'s store clears it', () => {
    const { vcpus: [v0, v1] } = smpGuest([[A64.self()], STORER]);
    v0!.setMonitorState({ event: false, exclusive: { va: 0x1234_0000n, size: 8, ipa: DATA } });
    toExit(v1!);
    expect(v0!.getMonitorState()).toEqual({ event: true });
    expect(() => v0!.setMonitorState({ event: false, exclusive: { va: 4n, size: 8 } })).toThrow(/aligned/);
    expect(() => v0!.setMonitorState({ event: false, exclusive: { va: 0n, size: 3 } })).toThrow(/size/);
  });
});

describe('the VM\'s domain', () => {
  it('re-initialising a vCPU replaces its CPU in the domain and drops its reservation', () => {
    const { vm, vcpus: [v0, v1] } = smpGuest([EXCLUSIVE, STORER]);
    toExit(v0!);
    expect(vm.smp.cpus).toHaveLength(2);
    expect(vm.smp.openReservations).toBe(1);
    v0!.armVcpuInit(INIT);
    expect(vm.smp.cpus).toHaveLength(2);
    expect(vm.smp.openReservations).toBe(0);
    v1!.armVcpuInit(INIT);
    expect(vm.smp.cpus).toHaveLength(2);
  });
});

describe('SEV', () => {
  it('SEV on one vCPU sets every vCPU\'s event register; WFE consumes it', () => {
    const { vcpus: [v0, v1] } = smpGuest([[...prologue(), exitWith(0), WFE, exitWith(0), A64.self()], [...prologue(), SEV, exitWith(0), A64.self()]]);
    toExit(v0!);
    expect(v0!.getMonitorState().event).toBe(false);
    toExit(v1!);
    expect(v0!.getMonitorState().event).toBe(true);
    expect(v1!.getMonitorState().event).toBe(true);
    toExit(v0!); // WFE completes and clears it
    expect(v0!.getMonitorState().event).toBe(false);
  });
});
