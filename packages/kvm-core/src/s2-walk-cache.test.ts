// Every way kvm-core changes a VM's stage-2 tables reaches the vCPUs' stage-2 walk caches (mmu.ts): after the cache
// is warm, the change goes through kvm-core's public API and the next translation or guest access sees it.
import { describe, expect, it } from 'vitest';
import { Acc, Fsc, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { attrByte, isDevice, MemAttr, Mmu } from '@kvm-mte/mmu';
import {
  CoreReg, Decision, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_MEM_LOG_DIRTY_PAGES, type PageUpgradePolicy, type Vcpu,
} from './index.js';
import { A64 } from './testing/a64.js';
import { testKvm } from './testing/setup.js';

const RAM = 0x4000_0000;
const DATA = 0x5008_0000; // not a multiple of 4 MiB away from the code page: no stage-2 walk cache conflict with it
const PAGE = 4096;
const A = DATA;
const B = DATA + PAGE;
const UART = 0x0900_0000n;

/** Loop: x3 = [A]; [B] = x3 + 1; MMIO store to the UART (an exit: one iteration per run()). */
const PROGRAM = [
  ...A64.mov64(1, BigInt(A)),
  ...A64.mov64(2, BigInt(B)),
  ...A64.mov64(6, UART),
  A64.ldrx(3, 1),
  A64.addi(3, 3, 1),
  A64.strx(3, 2),
  A64.strb(3, 6),
  A64.b(-4),
];

/** A VM with code in slot 0 and 64 KiB of data at DATA in slot 1, and `vcpus` vCPUs running PROGRAM. */
function setup(o: { vcpus?: number; policy?: PageUpgradePolicy } = {}) {
  const ports = new Map<unknown, Mmu>();
  const kvm = testKvm({
    memoryPort: (cpu, phys): MemoryPort => {
      const m = new Mmu(cpu, phys);
      ports.set(cpu, m);
      return m;
    },
  });
  const vm = kvm.createVm();
  if (o.policy !== undefined) vm.setPagePolicy(o.policy);
  const code = kvm.mmap({ size: 1 << 16 });
  const data = kvm.mmap({ size: 1 << 16 });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 1 << 16, mapping: code });
  vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: DATA, memorySize: 1 << 16, mapping: data });
  PROGRAM.forEach((w, i) => code.view.setUint32(4 * i, w, true));
  data.view.setBigUint64(0, 41n, true);
  const vcpus: Vcpu[] = [];
  for (let i = 0; i < (o.vcpus ?? 1); i++) {
    const v = vm.createVcpu(i);
    v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] });
    v.setOneReg(CoreReg.PC, BigInt(RAM));
    vcpus.push(v);
  }
  /** The MMU of vCPU `i`'s current CPU. */
  const mmu = (i = 0): Mmu => ports.get((vcpus[i] as unknown as { cpuState: unknown }).cpuState)!;
  return { kvm, vm, data, vcpus, mmu };
}

/** One loop iteration of vCPU `v`: ends with the UART store's MMIO exit. */
function iterate(v: Vcpu): void {
  expect(v.run()).toMatchObject({ reason: 'mmio', physAddr: UART, isWrite: true });
}

/** Translate IPA `ipa` (stage 1 is off: VA = IPA) as `flags` would; 'ok' or the fault's stage and FSC. */
function probe(m: Mmu, ipa: number, flags = 0): string {
  const t = m.translate(BigInt(ipa), flags);
  return t.ok ? 'ok' : `s${t.fault.stage} fsc=0x${t.fault.fsc.toString(16)}`;
}

const S2_PERM = `s2 fsc=0x${(Fsc.Permission + 3).toString(16)}`;
const S2_TRANS = `s2 fsc=0x${(Fsc.Translation + 3).toString(16)}`;

/** The stage-2 walk cache answers translations of A and B (warm), and still does after a stage-1 TLBI. */
function expectWarm(m: Mmu): void {
  m.tlbi('vmalle1is', 0n);
  const hits = m.stats.s2Hits;
  const walks = m.stats.s2Walks;
  expect(probe(m, A)).toBe('ok');
  expect(probe(m, B, Acc.Write)).toBe('ok');
  expect(m.stats.s2Hits).toBe(hits + 2);
  expect(m.stats.s2Walks).toBe(walks);
}

function dirtyBit(bitmap: Uint8Array, page: number): number {
  return (bitmap[page >>> 3]! >> (page & 7)) & 1;
}

describe('kvm-core stage-2 changes reach the stage-2 walk cache', () => {
  it('the guest loop fills the cache; stage-1 TLBIs keep it', () => {
    const { vcpus, mmu, data } = setup();
    iterate(vcpus[0]!);
    iterate(vcpus[0]!);
    expectWarm(mmu());
    expect(data.view.getBigUint64(PAGE, true)).toBe(42n);
  });

  it('a fill of an unmapped page flushes no TLB (nothing cached it), nor does the dirty-logging write upgrade (stage2Relaxed)', () => {
    const { vm, data, vcpus, mmu } = setup();
    const flushes = mmu().stats.flushes;
    const fills = mmu().stats.s2Walks;
    iterate(vcpus[0]!); // fills the code page, A and B
    expect(mmu().stats.s2Walks).toBeGreaterThan(fills);
    expect(mmu().stats.flushes).toBe(flushes);
    vm.setUserMemoryRegion({ slot: 1, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: DATA, memorySize: 1 << 16, mapping: vm.memslots()[1]!.mapping });
    const logging = mmu().stats.flushes; // (write-protecting the slot flushed every vCPU's TLB)
    const gen = mmu().tlbGeneration;
    data.view.setBigUint64(0, 99n, true); // A
    iterate(vcpus[0]!); // B's write faults: logged and made writable again (its walk cache entry dropped)
    expect(mmu().stats.flushes).toBe(logging);
    expect(mmu().tlbGeneration).toBe(gen); // the CPU's block links and jump caches stay
    expect(data.view.getBigUint64(PAGE, true)).toBe(100n); // B, written after the upgrade
    expect(dirtyBit(vm.getDirtyLog(1), 1)).toBe(1);
  });

  it('dirty logging on: pages are write-protected at once; the write fault logs and upgrades B', () => {
    const { vm, vcpus, mmu } = setup();
    iterate(vcpus[0]!);
    expectWarm(mmu());
    vm.setUserMemoryRegion({ slot: 1, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: DATA, memorySize: 1 << 16, mapping: vm.memslots()[1]!.mapping });
    expect(probe(mmu(), B, Acc.Write)).toBe(S2_PERM);
    expect(probe(mmu(), A)).toBe('ok'); // still readable
    iterate(vcpus[0]!);
    expect(probe(mmu(), B, Acc.Write)).toBe('ok'); // upgraded by the fault path (TLBI IPAS2E1)
    expect(dirtyBit(vm.getDirtyLog(1), 1)).toBe(1);
    // KVM_GET_DIRTY_LOG without manual protect write-protects the dirty pages again.
    expect(probe(mmu(), B, Acc.Write)).toBe(S2_PERM);
    iterate(vcpus[0]!);
    const log = vm.getDirtyLog(1);
    expect(dirtyBit(log, 1)).toBe(1);
    expect(dirtyBit(log, 0)).toBe(0); // A is only read
  });

  it('KVM_CLEAR_DIRTY_LOG (manual protect) write-protects the cleared pages', () => {
    const { vm, vcpus, mmu } = setup();
    vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, [BigInt(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)]);
    vm.setUserMemoryRegion({ slot: 1, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: DATA, memorySize: 1 << 16, mapping: vm.memslots()[1]!.mapping });
    iterate(vcpus[0]!);
    iterate(vcpus[0]!);
    expectWarm(mmu());
    expect(dirtyBit(vm.getDirtyLog(1), 1)).toBe(1);
    expect(probe(mmu(), B, Acc.Write)).toBe('ok'); // reading the log protects nothing with manual protect
    vm.clearDirtyLog(1, 0, 16, new Uint8Array([0b10, 0]));
    expect(probe(mmu(), B, Acc.Write)).toBe(S2_PERM);
    iterate(vcpus[0]!);
    expect(dirtyBit(vm.getDirtyLog(1), 1)).toBe(1);
    expect(probe(mmu(), B, Acc.Write)).toBe('ok');
  });

  it('swap-out unmaps the page; the next guest access swaps it back in', () => {
    const { vm, vcpus, mmu, kvm, data } = setup();
    iterate(vcpus[0]!);
    expectWarm(mmu());
    expect(vm.swapOut([B])).toBe(1);
    expect(probe(mmu(), B, Acc.Write)).toBe(S2_TRANS);
    expect(probe(mmu(), A)).toBe('ok');
    const swapIns = kvm.swapStats().swapIns;
    iterate(vcpus[0]!);
    expect(kvm.swapStats().swapIns).toBe(swapIns + 1);
    expect(probe(mmu(), B, Acc.Write)).toBe('ok');
    expect(data.view.getBigUint64(PAGE, true)).toBe(42n);
  });

  it('a memory budget swaps out the least recently faulted pages at once', () => {
    const { vm, vcpus, mmu } = setup();
    iterate(vcpus[0]!);
    expectWarm(mmu());
    vm.setMemoryBudget(1); // code, then A, then B were faulted in: only B stays
    expect(probe(mmu(), A)).toBe(S2_TRANS);
    expect(probe(mmu(), RAM, Acc.Fetch)).toBe(S2_TRANS);
    expect(probe(mmu(), B, Acc.Write)).toBe('ok');
    vm.setMemoryBudget(undefined);
    iterate(vcpus[0]!);
    expect(probe(mmu(), A)).toBe('ok');
  });

  it('moving a memslot unmaps its old IPAs: the next guest access there is MMIO', () => {
    const { vm, vcpus, mmu, data } = setup();
    iterate(vcpus[0]!);
    expectWarm(mmu());
    vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: 0x6000_0000, memorySize: 1 << 16, mapping: data });
    expect(probe(mmu(), A)).toBe(S2_TRANS);
    expect(probe(mmu(), B, Acc.Write)).toBe(S2_TRANS);
    expect(vcpus[0]!.run()).toMatchObject({ reason: 'mmio', physAddr: BigInt(A), isWrite: false, len: 8 });
  });

  it('deleting a memslot unmaps it', () => {
    const { vm, vcpus, mmu, data } = setup();
    iterate(vcpus[0]!);
    expectWarm(mmu());
    vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: DATA, memorySize: 0, mapping: data });
    expect(probe(mmu(), A)).toBe(S2_TRANS);
    expect(vcpus[0]!.run()).toMatchObject({ reason: 'mmio', physAddr: BigInt(A), isWrite: false });
  });

  it("the page policy's decision at the next fault takes effect (Device first, then Normal after a swap)", () => {
    let faults = 0;
    const policy: PageUpgradePolicy = {
      name: 'device-once',
      onMemslot() {},
      onStage2Fault: (ctx) => (ctx.ipa === A && faults++ === 0 ? Decision.device : Decision.untagged),
    };
    const { vm, vcpus, mmu } = setup({ policy });
    iterate(vcpus[0]!);
    expectWarm(mmu());
    // Stage 1 is off, so data is Device whatever stage 2 says; a fetch's attributes show stage 2's memory type.
    const fetchAttr = (): number => {
      const t = mmu().translate(BigInt(A), Acc.Fetch);
      if (!t.ok) throw t.fault;
      return t.attr;
    };
    expect(attrByte(fetchAttr())).toBe(MemAttr.DeviceNGnRE);
    expect(faults).toBe(1);
    vm.swapOut([A]);
    iterate(vcpus[0]!);
    expect(faults).toBe(2);
    expect(isDevice(fetchAttr())).toBe(false);
  });

  it('every vCPU: a swap-out reaches both caches; a stale read-only entry on one vCPU heals through the fault path', () => {
    const { vm, vcpus, mmu } = setup({ vcpus: 2 });
    for (const v of vcpus) iterate(v);
    expectWarm(mmu(0));
    expectWarm(mmu(1));
    vm.swapOut([B]);
    expect(probe(mmu(0), B)).toBe(S2_TRANS);
    expect(probe(mmu(1), B)).toBe(S2_TRANS);
    for (const v of vcpus) iterate(v);
    // Dirty logging protects B on both; vCPU 1's write makes it writable again (TLBI IPAS2E1 on vCPU 1 only, as
    // KVM's local invalidation after relaxing permissions). vCPU 0 keeps its read-only entry: less permissive than
    // the tables, so its next write faults, kvm-core finds B writable, and the retried write goes through.
    vm.setUserMemoryRegion({ slot: 1, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: DATA, memorySize: 1 << 16, mapping: vm.memslots()[1]!.mapping });
    expect(probe(mmu(0), B, Acc.Write)).toBe(S2_PERM);
    iterate(vcpus[1]!);
    expect(probe(mmu(1), B, Acc.Write)).toBe('ok');
    expect(probe(mmu(0), B, Acc.Write)).toBe(S2_PERM); // stale: allowed, and never more permissive
    iterate(vcpus[0]!);
    expect(probe(mmu(0), B, Acc.Write)).toBe('ok');
  });
});
