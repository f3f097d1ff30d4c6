import { describe, expect, it } from 'vitest';
import { SysReg } from '@kvm-mte/aarch64-cpu';
import {
  arm64SysReg, CoreReg, Errno, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_EL1_32BIT, KVM_ARM_VCPU_POWER_OFF,
  KVM_ARM_VCPU_PSCI_0_2, KVM_ARM_VCPU_SVE, KVM_CAP_ARM_EL1_32BIT, KVM_CAP_ARM_MTE, KVM_CAP_ARM_NISV_TO_USER,
  KVM_CAP_ARM_VM_IPA_SIZE, KVM_CAP_MAX_VCPUS, KVM_CAP_NR_MEMSLOTS, KVM_CAP_NR_VCPUS, KVM_CAP_USER_MEMORY,
  KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, KVM_MP_STATE_RUNNABLE, KVM_MP_STATE_STOPPED, KvmError,
} from './index.js';
import { errnoOf, testKvm } from './testing/setup.js';

const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };
const MB = 1 << 20;

describe('Kvm', () => {
  it('reports capabilities with Linux numbering', () => {
    const kvm = testKvm({ hostCpus: 4 });
    expect(KVM_CAP_ARM_MTE).toBe(205);
    expect(kvm.checkExtension(KVM_CAP_USER_MEMORY)).toBe(1);
    expect(kvm.checkExtension(KVM_CAP_NR_VCPUS)).toBe(4);
    expect(kvm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(512);
    expect(kvm.checkExtension(KVM_CAP_NR_MEMSLOTS)).toBe(32767);
    expect(kvm.checkExtension(KVM_CAP_ARM_VM_IPA_SIZE)).toBe(48);
    expect(kvm.checkExtension(KVM_CAP_ARM_MTE)).toBe(1);
    expect(kvm.checkExtension(KVM_CAP_ARM_EL1_32BIT)).toBe(0);
    expect(kvm.checkExtension(9999)).toBe(0);
    expect(testKvm({ hostMte: false }).checkExtension(KVM_CAP_ARM_MTE)).toBe(0);
  });

  it('KvmError carries the errno name and number', () => {
    const e = new KvmError('EEXIST', 'x');
    expect(e.errno).toBe(17);
    expect(e).toBeInstanceOf(Error);
    expect(Errno).toMatchObject({ EINVAL: 22, EFAULT: 14, ENOENT: 2, EBUSY: 16, ENOMEM: 12, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EPERM: 1 });
  });

  it('mmap: sizes, kinds, PROT_MTE and the host memory limit', () => {
    const kvm = testKvm({ maxHostMemory: 4 * MB });
    const a = kvm.mmap({ size: MB });
    expect(a.kind).toBe('anonymous');
    expect(a.bytes.length).toBe(MB);
    expect(a.base % 4096).toBe(0);
    expect(a.tagStorage?.allocatedBytes).toBe(0);
    const s = kvm.mmap({ size: 4096, kind: 'shared', protMte: true });
    expect(s.bytes.buffer).toBeInstanceOf(SharedArrayBuffer); // other threads can see it
    expect(s.arena?.arena).toBe(kvm.phys.arena); // in the host's arena, after a's guard page
    expect(s.arena!.offset).toBeGreaterThanOrEqual(a.arena!.offset + MB + 4096);
    expect(s.base).toBeGreaterThanOrEqual(a.base + MB + 4096); // disjoint, with a guard page
    expect(kvm.mmap({ size: 4096, kind: 'device' }).tags).toBeUndefined();
    expect(errnoOf(() => kvm.mmap({ size: 0 }))).toBe('EINVAL');
    expect(errnoOf(() => kvm.mmap({ size: 100 }))).toBe('EINVAL');
    expect(errnoOf(() => kvm.mmap({ size: 4096, kind: 'device', protMte: true }))).toBe('EINVAL');
    expect(errnoOf(() => kvm.mmap({ size: 4096, kind: 'weird' as 'device' }))).toBe('EINVAL');
    expect(errnoOf(() => kvm.mmap({ size: 4 * MB }))).toBe('ENOMEM');
    expect(errnoOf(() => testKvm({ hostMte: false }).mmap({ size: 4096, protMte: true }))).toBe('EINVAL');
  });

  it('createVm: IPA size from the type', () => {
    const kvm = testKvm();
    expect(kvm.createVm().ipaBits).toBe(40);
    expect(kvm.createVm(36).ipaBits).toBe(36);
    expect(kvm.createVm(48).ipaBits).toBe(48);
    expect(errnoOf(() => kvm.createVm(31))).toBe('EINVAL');
    expect(errnoOf(() => kvm.createVm(49))).toBe('EINVAL');
    expect(errnoOf(() => kvm.createVm(0x100))).toBe('EINVAL');
    const a = kvm.createVm();
    const b = kvm.createVm();
    expect(a.vmid).not.toBe(b.vmid);
  });

  it('createVm: the engine options are checked and reach the vCPUs\' CPUs', () => {
    const kvm = testKvm();
    for (const bad of [-1, 1.5, Number.NaN]) expect(errnoOf(() => kvm.createVm(0, { wasmHotRuns: bad }))).toBe('EINVAL');
    for (const bad of [0, -1, 2.5, Number.POSITIVE_INFINITY]) expect(errnoOf(() => kvm.createVm(0, { fastAfterRuns: bad }))).toBe('EINVAL');
    expect(kvm.createVm(0, { fastAfterRuns: 1, wasm: false }).cpuOptions).toEqual({ translate: true, wasm: false, fastAfterRuns: 1 });
    expect(kvm.createVm().cpuOptions).toEqual({ translate: true, wasm: true });
  });
});

describe('Vm', () => {
  it('memslots: the errno matrix, in Linux order, leaving the VM usable', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    const m = kvm.mmap({ size: 4 * MB });
    const ok = { slot: 0, flags: 0, guestPhysAddr: 0x4000_0000n, memorySize: 2 * MB, mapping: m };
    vm.setUserMemoryRegion(ok);
    const cases: [string, object][] = [
      ['EINVAL', { flags: 4 }], // unknown flag
      ['EINVAL', { slot: 1, memorySize: 4095 }], // unaligned size (checked before overlap)
      ['EINVAL', { slot: 1, guestPhysAddr: 0x4000_0800n }], // unaligned address
      ['EINVAL', { slot: 1, mappingOffset: 8 }], // unaligned user address
      ['EINVAL', { slot: 1 << 16 }], // address space 1
      ['EINVAL', { slot: 32767 }], // beyond KVM_USER_MEM_SLOTS
      ['EINVAL', { slot: 1, guestPhysAddr: 0xffff_ffff_ffff_f000n, memorySize: 8192 }], // wraps
      ['EINVAL', { slot: 2, memorySize: 0 }], // deleting a missing slot
      ['EINVAL', { memorySize: MB }], // resizing an existing slot
      ['EINVAL', { flags: KVM_MEM_READONLY }], // toggling READONLY
      ['EINVAL', { mappingOffset: 4096 }], // changing its user address
      ['EEXIST', { slot: 1, guestPhysAddr: 0x4010_0000n }], // overlap
      ['EEXIST', { slot: 1, guestPhysAddr: 0x3ff0_0000n, memorySize: 2 * MB }], // overlap from below
      ['EFAULT', { slot: 1, guestPhysAddr: 1n << 40n }], // beyond the 40-bit IPA space
      ['EFAULT', { slot: 1, guestPhysAddr: 0n, mapping: testKvm().mmap({ size: 4096 }) }], // another host's memory
      ['EINVAL', { slot: 1, guestPhysAddr: 0n, flags: KVM_MEM_LOG_DIRTY_PAGES, mapping: kvm.mmap({ size: 2 * MB, kind: 'device' }) }],
    ];
    for (const [errno, patch] of cases) {
      expect([errno, errnoOf(() => vm.setUserMemoryRegion({ ...ok, ...patch }))]).toEqual([errno, errno]);
    }
    expect(vm.memslots()).toHaveLength(1);
    // Still usable: adjacent slots, a move, a flags change, a delete.
    vm.setUserMemoryRegion({ ...ok, slot: 1, guestPhysAddr: 0x4020_0000n, mappingOffset: 2 * MB });
    vm.setUserMemoryRegion({ ...ok, flags: KVM_MEM_LOG_DIRTY_PAGES });
    vm.setUserMemoryRegion({ ...ok, guestPhysAddr: 0x8000_0000n, flags: KVM_MEM_LOG_DIRTY_PAGES });
    expect(vm.memslots().map((s) => [s.slot, s.guestPhysAddr])).toEqual([[0, 0x8000_0000], [1, 0x4020_0000]]);
    vm.setUserMemoryRegion({ ...ok, memorySize: 0 });
    expect(vm.memslots().map((s) => s.slot)).toEqual([1]);
    vm.setUserMemoryRegion({ ...ok, slot: 0 }); // the freed range can be reused
  });

  it('KVM_CAP_ARM_MTE: only before vCPUs, flags 0, host MTE required; records the cap', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    expect(errnoOf(() => vm.enableCap(KVM_CAP_ARM_MTE, 1))).toBe('EINVAL');
    expect(vm.mteEnabled).toBe(false);
    vm.enableCap(KVM_CAP_ARM_MTE);
    expect(vm.mteEnabled).toBe(true);
    // MTE VMs need tag-capable memory.
    expect(errnoOf(() => vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: 0n, memorySize: 4096, mapping: kvm.mmap({ size: 4096, kind: 'device' }) }))).toBe('EINVAL');
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: 0n, memorySize: 4096, mapping: kvm.mmap({ size: 4096, kind: 'shared' }) });
    const vm2 = kvm.createVm();
    vm2.createVcpu(0);
    expect(errnoOf(() => vm2.enableCap(KVM_CAP_ARM_MTE))).toBe('EINVAL');
    expect(vm2.mteEnabled).toBe(false);
    expect(errnoOf(() => testKvm({ hostMte: false }).createVm().enableCap(KVM_CAP_ARM_MTE))).toBe('EINVAL');
    expect(errnoOf(() => vm2.enableCap(12345))).toBe('EINVAL');
    vm2.enableCap(KVM_CAP_ARM_NISV_TO_USER);
    expect(vm2.nisvToUser).toBe(true);
  });

  it('createVcpu: id range and duplicates', () => {
    const vm = testKvm().createVm();
    vm.createVcpu(0);
    vm.createVcpu(511);
    expect(errnoOf(() => vm.createVcpu(0))).toBe('EEXIST');
    expect(errnoOf(() => vm.createVcpu(512))).toBe('EINVAL');
    expect(errnoOf(() => vm.createVcpu(-1))).toBe('EINVAL');
    expect(vm.createVcpu(1).id).toBe(1);
  });

  it('irqLine: CPU type only', () => {
    const vm = testKvm().createVm();
    vm.createVcpu(0);
    vm.irqLine(0, true);
    expect(errnoOf(() => vm.irqLine(1 << 24 | 33, true))).toBe('ENXIO'); // SPI without a GIC
    expect(errnoOf(() => vm.irqLine(1, true))).toBe('ENXIO'); // FIQ
    expect(errnoOf(() => vm.irqLine(1 << 16, true))).toBe('EINVAL'); // no vCPU index 1
    expect(errnoOf(() => vm.irqLine(2, true))).toBe('EINVAL');
  });
});

describe('Vcpu', () => {
  it('init: target and feature checks; before init, ENOEXEC', () => {
    const vm = testKvm().createVm();
    const v = vm.createVcpu(0);
    expect(errnoOf(() => v.getOneReg(CoreReg.PC))).toBe('ENOEXEC');
    expect(errnoOf(() => v.getRegList())).toBe('ENOEXEC');
    expect(errnoOf(() => v.run())).toBe('ENOEXEC');
    expect(errnoOf(() => v.armVcpuInit({ target: 0 }))).toBe('EINVAL');
    expect(errnoOf(() => v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_EL1_32BIT] }))).toBe('EINVAL');
    expect(errnoOf(() => v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_SVE] }))).toBe('EINVAL');
    expect(errnoOf(() => v.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [0, 1] }))).toBe('EINVAL');
    expect(v.initialized).toBe(false);
    v.armVcpuInit(INIT);
    const w = vm.createVcpu(1);
    expect(errnoOf(() => w.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [0] }))).toBe('EINVAL'); // differs from the VM's
    w.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2 | 1 << KVM_ARM_VCPU_POWER_OFF] });
    expect(w.getMpState()).toBe(KVM_MP_STATE_STOPPED);
    expect(v.getMpState()).toBe(KVM_MP_STATE_RUNNABLE);
    expect(errnoOf(() => w.setMpState(3))).toBe('EINVAL');
  });

  it('reset state: EL1h with DAIF masked, MPIDR from the id, stage 2 on', () => {
    const vm = testKvm().createVm();
    const v = vm.createVcpu(0x123);
    v.armVcpuInit(INIT);
    expect(v.getOneReg(CoreReg.PSTATE)).toBe(0x3c5n);
    expect(v.getOneReg(CoreReg.PC)).toBe(0n);
    expect(v.getOneReg(arm64SysReg(3, 0, 0, 0, 5))).toBe(0x8000_0000n | 0x3n | (0x12n << 8n)); // MPIDR_EL1
    expect(v.getOneReg(arm64SysReg(3, 0, 1, 0, 0))).toBe(0x30d0_0800n); // SCTLR_EL1 reset
    expect(v.getOneReg(arm64SysReg(3, 0, 0, 4, 1)) & 0xf00n).toBe(0n); // ID_AA64PFR1_EL1.MTE
  });

  it('one-reg round trips and errors', () => {
    const vm = testKvm().createVm();
    const v = vm.createVcpu(0);
    v.armVcpuInit(INIT);
    const vals: [bigint, bigint][] = [
      [CoreReg.x(0), 0x1122_3344_5566_7788n], [CoreReg.x(30), 0xffff_ffff_ffff_ffffn], [CoreReg.SP, 0x1000n],
      [CoreReg.SP_EL1, 0x2000n], [CoreReg.PC, 0x4000_0000n], [CoreReg.ELR_EL1, 0x4000_1234n], [CoreReg.spsr(0), 0x3c5n],
      [CoreReg.spsr(3), 0x10n], [CoreReg.PSTATE, 0x6000_03c4n],
      [arm64SysReg(3, 0, 1, 0, 0), 0x30d0_0805n], [arm64SysReg(3, 0, 12, 0, 0), 0x4000_0800n], // SCTLR, VBAR
      [arm64SysReg(3, 3, 13, 0, 2), 0xdeadn], [arm64SysReg(3, 0, 0, 0, 5), 0x8000_0107n], // TPIDR_EL0, MPIDR
    ];
    for (const [id, val] of vals) v.setOneReg(id, val);
    for (const [id, val] of vals) expect([id, v.getOneReg(id)]).toEqual([id, val]);
    const list = v.getRegList();
    for (const [id] of vals) expect(list).toContain(id);
    expect(new Set(list).size).toBe(list.length);
    for (const id of list) v.getOneReg(id); // every listed register is readable
    // Errors; each leaves the vCPU usable.
    const e = (f: () => unknown) => errnoOf(f);
    expect(e(() => v.getOneReg(0x6030_0000_0010_0054n))).toBe('EINVAL'); // FP vreg area with a 64-bit size
    expect(e(() => v.getOneReg(0x6030_0000_0010_0100n))).toBe('ENOENT'); // beyond struct kvm_regs
    expect(e(() => v.getOneReg(0x6030_0000_0010_0001n))).toBe('EINVAL'); // misaligned core offset
    expect(e(() => v.getOneReg(0x6020_0000_0010_0000n))).toBe('EINVAL'); // x0 as U32
    expect(e(() => v.getOneReg(0x4030_0000_0010_0000n))).toBe('EINVAL'); // another architecture
    expect(e(() => v.getOneReg(arm64SysReg(3, 4, 1, 1, 0)))).toBe('ENOENT'); // HCR_EL2
    expect(e(() => v.getOneReg(arm64SysReg(3, 0, 15, 15, 7)))).toBe('ENOENT'); // unimplemented
    expect(e(() => v.setOneReg(CoreReg.PSTATE, 0x3c9n))).toBe('EINVAL'); // EL2h
    expect(e(() => v.setOneReg(CoreReg.PSTATE, 0x3d0n))).toBe('EINVAL'); // AArch32
    expect(e(() => v.setOneReg(CoreReg.x(1), 1n << 64n))).toBe('EINVAL');
    expect(e(() => v.setOneReg(arm64SysReg(3, 0, 0, 0, 0), 0x1234n))).toBe('EINVAL'); // MIDR is an ID register
    v.setOneReg(arm64SysReg(3, 0, 0, 0, 0), v.getOneReg(arm64SysReg(3, 0, 0, 0, 0))); // same value is fine
    expect(e(() => v.getRegList(10))).toBe('E2BIG');
    try { v.getRegList(10); } catch (err) { expect((err as { required: number }).required).toBe(list.length); }
    expect(v.getOneReg(CoreReg.x(0))).toBe(0x1122_3344_5566_7788n);
    expect(v.getOneReg(CoreReg.PSTATE)).toBe(0x6000_03c4n);
  });

  it('hides the MTE registers unless the VM has MTE', () => {
    const kvm = testKvm();
    const mteRegs = [arm64SysReg(3, 0, 1, 0, 6), arm64SysReg(3, 0, 1, 0, 5), arm64SysReg(3, 0, 5, 6, 0), arm64SysReg(3, 0, 5, 6, 1)];
    const plain = kvm.createVm().createVcpu(0);
    plain.armVcpuInit(INIT);
    for (const id of mteRegs) {
      expect(plain.getRegList()).not.toContain(id);
      expect(errnoOf(() => plain.getOneReg(id))).toBe('ENOENT');
      expect(errnoOf(() => plain.setOneReg(id, 0n))).toBe('ENOENT');
    }
    const vm = kvm.createVm();
    vm.enableCap(KVM_CAP_ARM_MTE);
    const v = vm.createVcpu(0);
    v.armVcpuInit(INIT);
    for (const id of mteRegs) expect(v.getRegList()).toContain(id);
    // HCR_EL2.ATA (bit 56) only for the MTE VM (host state, so read from the vCPU's CPU directly).
    const hcr = (x: unknown) => (x as { cpuState: { sys: BigUint64Array } }).cpuState.sys[SysReg.HCR_EL2]!;
    expect((hcr(v) >> 56n) & 1n).toBe(1n);
    expect((hcr(plain) >> 56n) & 1n).toBe(0n);
    expect(hcr(plain) & 0x8008_2001n).toBe(0x8008_2001n); // RW, TSC, TWI, VM
    v.setOneReg(mteRegs[0]!, 0xffffn);
    expect(v.getOneReg(mteRegs[0]!)).toBe(0xffffn);
    expect(SysReg.GCR_EL1).toBeGreaterThan(0);
  });

  it('PSCI version firmware register', () => {
    const vm = testKvm().createVm();
    const v = vm.createVcpu(0);
    v.armVcpuInit(INIT);
    const PSCI_VERSION_REG = 0x6030_0000_0014_0000n;
    expect(v.getOneReg(PSCI_VERSION_REG)).toBe(0x10001n);
    v.setOneReg(PSCI_VERSION_REG, 0x2n);
    expect(v.getOneReg(PSCI_VERSION_REG)).toBe(0x2n);
    expect(errnoOf(() => v.setOneReg(PSCI_VERSION_REG, 0x3n))).toBe('EINVAL');
  });
});
