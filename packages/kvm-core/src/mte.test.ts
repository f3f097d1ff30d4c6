import { describe, expect, it } from 'vitest';
import { SysReg } from '@kvm-mte/aarch64-cpu';
import { s1BlockDesc } from '@kvm-mte/mmu';
import {
  CoreReg, Decision, enforceProtMte, KVM_ARM_TAGS_FROM_GUEST, KVM_ARM_TAGS_TO_GUEST, KVM_ARM_TARGET_GENERIC_V8,
  KVM_ARM_VCPU_EL1_32BIT, KVM_ARM_VCPU_MTE, KVM_ARM_VCPU_POWER_OFF, KVM_ARM_VCPU_PSCI_0_2, KVM_CAP_ARM_MTE,
  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_DIRTY_LOG_INITIALLY_SET, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE,
  KVM_EXIT_ARM_TAG_ACCESS, KVM_EXIT_SYSTEM_EVENT, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY, KvmError, mteAllowed, noTagAccess, PSCI,
  transparentUpgrade, arm64SysReg, type HostMapping, type Kvm, type PageUpgradePolicy, type Vm, type Vcpu,
} from './index.js';
import { A64 } from './testing/a64.js';
import { errnoOf, testKvm } from './testing/setup.js';

const PAGE = 4096;
const RAM = 0x4000_0000;
const RAM_SIZE = 64 * PAGE;
const INIT = { target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_PSCI_0_2] };
const GCR = arm64SysReg(3, 0, 1, 0, 6);
const RGSR = arm64SysReg(3, 0, 1, 0, 5);
const TFSR = arm64SysReg(3, 0, 5, 6, 0);
const TFSRE0 = arm64SysReg(3, 0, 5, 6, 1);
const PFR1 = arm64SysReg(3, 0, 0, 4, 1);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const systemOff = () => [...A64.mov64(0, BigInt(PSCI.SYSTEM_OFF)), A64.hvc()];

interface Setup {
  kvm: Kvm;
  vm: Vm;
  ram: HostMapping;
  vcpu: Vcpu;
}

/** An MTE (or not) VM with RAM_SIZE of RAM at RAM holding `program`, vCPU 0 at its start. */
function setup(opts: { mte?: boolean; policy?: PageUpgradePolicy; protMte?: boolean; kind?: 'anonymous' | 'shared'; program?: number[]; kvm?: Kvm } = {}): Setup {
  const kvm = opts.kvm ?? testKvm();
  const vm = kvm.createVm(0, opts.policy ? { pagePolicy: opts.policy } : {});
  if (opts.mte ?? true) vm.enableCap(KVM_CAP_ARM_MTE);
  const ram = kvm.mmap({ size: RAM_SIZE, kind: opts.kind ?? 'anonymous', protMte: opts.protMte ?? false });
  vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: ram });
  (opts.program ?? systemOff()).forEach((w, i) => ram.view.setUint32(4 * i, w, true));
  const vcpu = vm.createVcpu(0);
  vcpu.armVcpuInit(INIT);
  vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  return { kvm, vm, ram, vcpu };
}

/** Stores x2 to each address, then SYSTEM_OFF. */
function storesTo(addrs: number[]): number[] {
  return [A64.movz(2, 0x5a), ...addrs.flatMap((a) => [...A64.mov64(1, BigInt(a)), A64.strx(2, 1)]), ...systemOff()];
}
function loadsFrom(addrs: number[]): number[] {
  return [...addrs.flatMap((a) => [...A64.mov64(1, BigInt(a)), A64.ldrx(3, 1)]), ...systemOff()];
}

function runToOff(vcpu: Vcpu): void {
  for (let i = 0; i < 100; i++) {
    const e = vcpu.run();
    if (e.reason === 'system-event') {
      expect(e.exitReason).toBe(KVM_EXIT_SYSTEM_EVENT);
      return;
    }
    if (e.reason !== 'intr') throw new Error(`unexpected exit ${JSON.stringify(e)}`);
  }
  throw new Error('guest did not stop');
}

/** Re-run a program from the start of RAM (re-init resets the vCPU). */
function rerun(s: Setup, program: number[]): void {
  program.forEach((w, i) => s.ram.view.setUint32(4 * i, w, true));
  s.vcpu.armVcpuInit(INIT);
  s.vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  runToOff(s.vcpu);
}

const copyFrom = (vm: Vm, ipa: number, pages = 1) => {
  const buffer = new Uint8Array((pages * PAGE) / 16);
  const n = vm.armMteCopyTags({ guestIpa: ipa, length: pages * PAGE, buffer, flags: KVM_ARM_TAGS_FROM_GUEST });
  expect(n).toBe(pages * PAGE);
  return buffer;
};
const copyTo = (vm: Vm, ipa: number, buffer: Uint8Array) =>
  vm.armMteCopyTags({ guestIpa: ipa, length: (buffer.length * 16), buffer, flags: KVM_ARM_TAGS_TO_GUEST });

describe('host memory: tags through the VMM mapping', () => {
  it('without PROT_MTE: reads are zero and writes ignored, while the guest-visible tags live in tagStorage', () => {
    const kvm = testKvm();
    const m = kvm.mmap({ size: 4 * PAGE });
    m.tagStorage!.setTag(PAGE + 0x30, 9); // what a guest STG would leave
    expect(m.readTags(PAGE, 4)).toEqual(new Uint8Array(4)); // RAZ
    m.writeTags(PAGE, new Uint8Array([1, 2, 3, 4])); // WI
    expect(m.tagStorage!.readTags(PAGE, 4)).toEqual(new Uint8Array([0, 0, 0, 9]));
    expect(m.tagStorage!.isTagged(0)).toBe(false);
    // The MMU's view (PhysRegion.tags) is the same storage by host-physical address.
    expect(m.tags!.getTag(m.base + PAGE + 0x30)).toBe(9);
    m.tags!.setTag(m.base + 2 * PAGE, 4);
    expect(m.tagStorage!.getTag(2 * PAGE)).toBe(4);
  });

  it('with PROT_MTE: the VMM sees and sets the guest tags (low nibble), tagging the page', () => {
    const kvm = testKvm();
    const m = kvm.mmap({ size: 4 * PAGE, protMte: true });
    m.tagStorage!.setTag(0x10, 7);
    expect([...m.readTags(0, 3)]).toEqual([0, 7, 0]);
    m.writeTags(2 * PAGE, new Uint8Array([0x1f, 0x02]));
    expect(m.tagStorage!.isTagged(2 * PAGE)).toBe(true);
    expect([...m.tagStorage!.readTags(2 * PAGE, 2)]).toEqual([0xf, 2]);
  });

  it('errno for bad VMM tag accesses; device mappings have no tags', () => {
    const kvm = testKvm();
    const m = kvm.mmap({ size: PAGE, protMte: true });
    expect(errnoOf(() => m.readTags(8, 1))).toBe('EINVAL');
    expect(errnoOf(() => m.readTags(-16, 1))).toBe('EINVAL');
    expect(errnoOf(() => m.readTags(0, -1))).toBe('EINVAL');
    expect(errnoOf(() => m.readTags(PAGE - 16, 2))).toBe('EFAULT');
    expect(errnoOf(() => m.writeTags(PAGE, new Uint8Array(1)))).toBe('EFAULT');
    expect(m.readTags(0, 256).length).toBe(256); // still usable
    const d = kvm.mmap({ size: PAGE, kind: 'device' });
    expect(d.tagStorage).toBeUndefined();
    expect(d.tags).toBeUndefined();
    expect(d.readTags(0, 4)).toEqual(new Uint8Array(4));
  });
});

describe('page-upgrade policies', () => {
  it('memslot acceptance per policy (MTE VM): the errno matrix', () => {
    const kvm = testKvm();
    const plain = kvm.mmap({ size: PAGE });
    const prot = kvm.mmap({ size: PAGE, protMte: true });
    const shared = kvm.mmap({ size: PAGE, kind: 'shared' });
    const dev = kvm.mmap({ size: PAGE, kind: 'device' });
    const table: [PageUpgradePolicy, HostMapping, string][] = [
      [transparentUpgrade, plain, 'ok'], [transparentUpgrade, dev, 'ok'],
      [enforceProtMte, plain, 'EINVAL'], [enforceProtMte, shared, 'EINVAL'], [enforceProtMte, dev, 'EINVAL'], [enforceProtMte, prot, 'ok'],
      [mteAllowed, plain, 'ok'], [mteAllowed, shared, 'ok'], [mteAllowed, prot, 'ok'], [mteAllowed, dev, 'EINVAL'],
      [noTagAccess, plain, 'ok'], [noTagAccess, dev, 'ok'],
    ];
    for (const [policy, mapping, want] of table) {
      const vm = kvm.createVm(0, { pagePolicy: policy });
      vm.enableCap(KVM_CAP_ARM_MTE);
      const r = { slot: 1, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping };
      if (want === 'ok') vm.setUserMemoryRegion(r);
      else {
        expect(errnoOf(() => vm.setUserMemoryRegion(r)), `${policy.name} ${mapping.kind} protMte=${mapping.protMte}`).toBe(want);
        expect(vm.memslots()).toEqual([]); // unchanged and usable
        vm.setUserMemoryRegion({ ...r, mapping: prot });
      }
      expect(vm.memslots()).toHaveLength(1);
    }
    // Without MTE every policy accepts every mapping.
    for (const policy of [transparentUpgrade, enforceProtMte, mteAllowed, noTagAccess]) {
      const vm = kvm.createVm(0, { pagePolicy: policy });
      vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: plain });
      vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: RAM + PAGE, memorySize: PAGE, mapping: dev });
    }
  });

  it('the default policy is mteAllowed (Linux); setPagePolicy only before memslots and runs', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    expect(vm.pagePolicy).toBe(mteAllowed);
    vm.setPagePolicy(noTagAccess);
    expect(vm.pagePolicy).toBe(noTagAccess);
    expect(errnoOf(() => vm.setPagePolicy({} as PageUpgradePolicy))).toBe('EINVAL');
    expect(errnoOf(() => vm.setPagePolicy(null as unknown as PageUpgradePolicy))).toBe('EINVAL');
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: kvm.mmap({ size: PAGE }) });
    expect(errnoOf(() => vm.setPagePolicy(transparentUpgrade))).toBe('EBUSY');
    expect(vm.pagePolicy).toBe(noTagAccess);
    expect(errnoOf(() => kvm.createVm(0, { pagePolicy: {} as PageUpgradePolicy }))).toBe('EINVAL');
  });

  for (const policy of [transparentUpgrade, mteAllowed, enforceProtMte]) {
    it(`${policy.name}: the first guest access tags and sanitises a page, keeping tags already there`, () => {
      const s = setup({ policy, protMte: policy === enforceProtMte, program: storesTo([RAM + 5 * PAGE, RAM + 6 * PAGE]) });
      const st = s.ram.tagStorage!;
      st.setTag(6 * PAGE + 0x40, 0xc); // tagged before the guest touches it (a PROT_MTE writer, a swap-in)
      expect(st.isTagged(5 * PAGE)).toBe(false);
      runToOff(s.vcpu);
      expect(st.isTagged(0)).toBe(true); // the code page
      expect(st.isTagged(5 * PAGE)).toBe(true);
      expect(st.readTags(5 * PAGE, 256).every((t) => t === 0)).toBe(true);
      expect(st.getTag(6 * PAGE + 0x40)).toBe(0xc); // kept
      expect(st.isTagged(7 * PAGE)).toBe(false); // never touched
    });
  }

  it('a VM without MTE tags nothing, whatever the policy', () => {
    for (const policy of [transparentUpgrade, mteAllowed, enforceProtMte, noTagAccess]) {
      const s = setup({ mte: false, policy, program: storesTo([RAM + 5 * PAGE]) });
      runToOff(s.vcpu);
      expect(s.ram.tagStorage!.taggedPageCount).toBe(0);
    }
  });

  it('a custom policy sees every fault and can refuse one (run throws its errno, the vCPU stays usable)', () => {
    const seen: { ipa: number; write: boolean; mte: boolean; tagged: boolean }[] = [];
    const custom: PageUpgradePolicy = {
      name: 'no-page-7',
      onMemslot({ slot }) { if (slot.guestPhysAddr === 0) throw new KvmError('EINVAL', 'no memory at 0'); },
      onStage2Fault(ctx) {
        seen.push({ ipa: ctx.ipa, write: ctx.write, mte: ctx.mte, tagged: ctx.tagged });
        if (ctx.ipa === RAM + 7 * PAGE) return Decision.refuse('EPERM', 'page 7 is off limits');
        return ctx.ipa === RAM + 5 * PAGE ? Decision.untagged : Decision.tagged;
      },
    };
    const s = setup({ policy: custom, program: storesTo([RAM + 5 * PAGE, RAM + 6 * PAGE, RAM + 7 * PAGE]) });
    expect(errnoOf(() => s.vm.setUserMemoryRegion({ slot: 3, flags: 0, guestPhysAddr: 0, memorySize: PAGE, mapping: s.kvm.mmap({ size: PAGE }) }))).toBe('EINVAL');
    expect(errnoOf(() => { for (;;) s.vcpu.run(); })).toBe('EPERM');
    expect(seen.map((f) => f.ipa)).toEqual([RAM, RAM + 5 * PAGE, RAM + 6 * PAGE, RAM + 7 * PAGE]);
    expect(seen[1]).toEqual({ ipa: RAM + 5 * PAGE, write: true, mte: true, tagged: false });
    expect(s.ram.tagStorage!.isTagged(5 * PAGE)).toBe(false);
    expect(s.ram.tagStorage!.isTagged(6 * PAGE)).toBe(true);
    // Still usable: the VMM takes page 7 out of the guest's way and re-runs a program that does not touch it.
    rerun(s, storesTo([RAM + 8 * PAGE]));
    expect(s.ram.tagStorage!.isTagged(8 * PAGE)).toBe(true);
  });

  it('a tagged decision on memory that cannot hold tags fails the fault with EFAULT', () => {
    const kvm = testKvm();
    const vm = kvm.createVm(0, { pagePolicy: { name: 'tag-everything', onMemslot() {}, onStage2Fault: () => Decision.tagged } });
    vm.enableCap(KVM_CAP_ARM_MTE);
    const ram = kvm.mmap({ size: PAGE });
    const fb = kvm.mmap({ size: PAGE, kind: 'device' });
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: ram });
    vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: RAM + PAGE, memorySize: PAGE, mapping: fb });
    storesTo([RAM + PAGE]).forEach((w, i) => ram.view.setUint32(4 * i, w, true));
    const v = vm.createVcpu(0);
    v.armVcpuInit(INIT);
    v.setOneReg(CoreReg.PC, BigInt(RAM));
    expect(errnoOf(() => { for (;;) v.run(); })).toBe('EFAULT');
  });

  it('mteAllowed with MTE enabled after a device memslot: EFAULT at fault time (Linux before 6.2)', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    const ram = kvm.mmap({ size: PAGE });
    const fb = kvm.mmap({ size: PAGE, kind: 'device' });
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: ram });
    vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: RAM + PAGE, memorySize: PAGE, mapping: fb });
    vm.enableCap(KVM_CAP_ARM_MTE);
    storesTo([RAM + PAGE]).forEach((w, i) => ram.view.setUint32(4 * i, w, true));
    const v = vm.createVcpu(0);
    v.armVcpuInit(INIT);
    v.setOneReg(CoreReg.PC, BigInt(RAM));
    expect(errnoOf(() => { for (;;) v.run(); })).toBe('EFAULT');
  });

  it('noTagAccess maps device memory as Normal WB NoTagAccess in MTE VMs (data accesses work), Device otherwise', () => {
    for (const mte of [true, false]) {
      const kvm = testKvm();
      const vm = kvm.createVm(0, { pagePolicy: noTagAccess });
      if (mte) vm.enableCap(KVM_CAP_ARM_MTE);
      const ram = kvm.mmap({ size: PAGE });
      const fb = kvm.mmap({ size: PAGE, kind: 'device' });
      vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: ram });
      vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: 0x8000_0000, memorySize: PAGE, mapping: fb });
      storesTo([0x8000_0010]).forEach((w, i) => ram.view.setUint32(4 * i, w, true));
      const v = vm.createVcpu(0);
      v.armVcpuInit(INIT);
      v.setOneReg(CoreReg.PC, BigInt(RAM));
      runToOff(v);
      expect(fb.view.getBigUint64(0x10, true)).toBe(0x5an);
      const memAttr = Number((vm.stage2.lookup(0x8000_0000) >> 2n) & 0xfn);
      expect(memAttr).toBe(mte ? 0b0100 : 0b0001);
    }
  });
});

describe('KVM_ARM_VCPU_MTE (the RFC feature bit) and the MTE vCPU state', () => {
  const mteInit = (extra = 0) => ({ target: KVM_ARM_TARGET_GENERIC_V8, features: [(1 << KVM_ARM_VCPU_PSCI_0_2) | (1 << KVM_ARM_VCPU_MTE) | extra] });

  it('bit 7 makes the VM an MTE VM; every vCPU must agree; errno matrix', () => {
    const kvm = testKvm();
    expect(KVM_ARM_VCPU_MTE).toBe(7);
    const vm = kvm.createVm();
    const a = vm.createVcpu(0);
    const b = vm.createVcpu(1);
    const c = vm.createVcpu(2);
    a.armVcpuInit(mteInit());
    expect(vm.mteEnabled).toBe(true);
    expect(errnoOf(() => b.armVcpuInit(INIT))).toBe('EINVAL'); // mixing MTE and non-MTE vCPUs
    expect(b.initialized).toBe(false);
    b.armVcpuInit(mteInit(1 << KVM_ARM_VCPU_POWER_OFF));
    expect(errnoOf(() => c.armVcpuInit(mteInit(1 << KVM_ARM_VCPU_EL1_32BIT)))).toBe('EINVAL'); // AArch32 in an MTE VM
    c.armVcpuInit(mteInit());
    expect(errnoOf(() => a.armVcpuInit(INIT))).toBe('EINVAL'); // re-init without the bit
    // A non-MTE first vCPU fixes the VM as non-MTE.
    const vm2 = kvm.createVm();
    vm2.createVcpu(0).armVcpuInit(INIT);
    expect(errnoOf(() => vm2.createVcpu(1).armVcpuInit(mteInit()))).toBe('EINVAL');
    expect(vm2.mteEnabled).toBe(false);
    // Host without MTE.
    const noMte = testKvm({ hostMte: false }).createVm();
    expect(errnoOf(() => noMte.createVcpu(0).armVcpuInit(mteInit()))).toBe('EINVAL');
    // KVM_CAP_ARM_MTE and the bit together are fine; AArch32 refused with the cap alone too.
    const vm3 = kvm.createVm();
    vm3.enableCap(KVM_CAP_ARM_MTE);
    expect(errnoOf(() => vm3.createVcpu(0).armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [1 << KVM_ARM_VCPU_EL1_32BIT] }))).toBe('EINVAL');
    vm3.createVcpu(1).armVcpuInit(mteInit());
  });

  it('MTE VMs: HCR_EL2.ATA, ID_AA64PFR1_EL1.MTE = the host level, MTE registers listed and reachable', () => {
    for (const level of [2, 3] as const) {
      const kvm = testKvm({ hostMteLevel: level });
      const vm = kvm.createVm();
      const v = vm.createVcpu(0);
      v.armVcpuInit(mteInit());
      expect((v.getOneReg(PFR1) >> 8n) & 0xfn).toBe(BigInt(level));
      const hcr = (v as unknown as { cpuState: { sys: BigUint64Array } }).cpuState.sys[SysReg.HCR_EL2]!;
      expect((hcr >> 56n) & 1n).toBe(1n);
      const list = v.getRegList();
      for (const id of [GCR, RGSR, TFSR, TFSRE0]) expect(list).toContain(id);
      v.setOneReg(GCR, 0x1_0005n);
      expect(v.getOneReg(GCR)).toBe(0x1_0005n);
    }
    const plain = testKvm().createVm().createVcpu(0);
    plain.armVcpuInit(INIT);
    expect((plain.getOneReg(PFR1) >> 8n) & 0xfn).toBe(0n);
    expect(errnoOf(() => plain.getOneReg(GCR))).toBe('ENOENT');
    expect(() => testKvm({ hostMteLevel: 1 as 2 })).toThrow(RangeError);
  });

  it('GCR/RGSR/TFSR/TFSRE0 stay per vCPU when two vCPUs run time-sliced, one instruction at a time', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    vm.enableCap(KVM_CAP_ARM_MTE);
    const ram = kvm.mmap({ size: 2 * PAGE });
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: 2 * PAGE, mapping: ram });
    // Each vCPU: x1..x4 hold its values; write the four registers, then read them back into x5..x8 in a loop.
    const prog = [
      A64.msr(1, 3, 0, 1, 0, 6), A64.msr(2, 3, 0, 1, 0, 5), A64.msr(3, 3, 0, 5, 6, 0), A64.msr(4, 3, 0, 5, 6, 1),
      A64.mrs(5, 3, 0, 1, 0, 6), A64.mrs(6, 3, 0, 1, 0, 5), A64.mrs(7, 3, 0, 5, 6, 0), A64.mrs(8, 3, 0, 5, 6, 1),
      A64.b(-4),
    ];
    prog.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
    const vals = [[0x1_00f0n, 0x12_3400n, 1n, 2n], [0x0_ff0fn, 0xab_cd00n, 2n, 1n]];
    const vs = [0, 1].map((i) => {
      const v = vm.createVcpu(i);
      v.armVcpuInit(INIT);
      v.setOneReg(CoreReg.PC, BigInt(RAM));
      vals[i]!.forEach((x, k) => v.setOneReg(CoreReg.x(k + 1), x));
      v.runBudget = 1;
      return v;
    });
    for (let step = 0; step < 40; step++) for (const v of vs) expect(v.run().reason).toBe('intr');
    vs.forEach((v, i) => {
      expect([5, 6, 7, 8].map((n) => v.getOneReg(CoreReg.x(n)))).toEqual(vals[i]);
      expect([GCR, RGSR, TFSR, TFSRE0].map((id) => v.getOneReg(id))).toEqual(vals[i]);
    });
  });
});

describe('KVM_ARM_MTE_COPY_TAGS', () => {
  it('errno matrix: each failure changes nothing and leaves the VM usable', () => {
    const s = setup();
    const buf = new Uint8Array(256);
    const ok = { guestIpa: RAM, length: PAGE, buffer: buf, flags: KVM_ARM_TAGS_FROM_GUEST };
    const nonMte = setup({ mte: false });
    expect(errnoOf(() => nonMte.vm.armMteCopyTags(ok))).toBe('EINVAL'); // MTE not enabled
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, reserved: [1, 0] }))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, reserved: [0, 1n] }))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, flags: 2 }))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, flags: -1 }))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, guestIpa: RAM + 16 }))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, length: 100 }))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, guestIpa: 0 }))).toBe('EFAULT'); // no memslot
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, buffer: new Uint8Array(10) }))).toBe('EFAULT');
    expect(errnoOf(() => s.vm.armMteCopyTags({ ...ok, flags: KVM_ARM_TAGS_TO_GUEST, guestIpa: RAM + RAM_SIZE }))).toBe('EFAULT');
    expect(s.ram.tagStorage!.taggedPageCount).toBe(0);
    expect(s.vm.armMteCopyTags({ ...ok, length: 0 })).toBe(0);
    expect(s.vm.armMteCopyTags(ok)).toBe(PAGE);
    runToOff(s.vcpu);
  });

  it('FROM_GUEST: a tagged page gives its tags, an untagged one zeros; TO_GUEST tags the page', () => {
    const s = setup();
    const st = s.ram.tagStorage!;
    st.setTag(PAGE + 0x20, 3);
    const out = new Uint8Array(512).fill(0xee);
    expect(s.vm.armMteCopyTags({ guestIpa: RAM + PAGE, length: 2 * PAGE, buffer: out, flags: KVM_ARM_TAGS_FROM_GUEST })).toBe(2 * PAGE);
    expect(out[2]).toBe(3);
    expect(out.filter((t) => t !== 0).length).toBe(1); // the untagged page read as zeros
    expect(st.isTagged(2 * PAGE)).toBe(false); // reading does not tag
    const src = new Uint8Array(256).map((_, i) => (i * 7) & 0xf);
    src[5] = 0xf3; // only the low nibble counts
    expect(copyTo(s.vm, RAM + 3 * PAGE, src)).toBe(PAGE);
    expect(st.isTagged(3 * PAGE)).toBe(true);
    expect(st.getTag(3 * PAGE + 5 * 16)).toBe(3);
    expect(copyFrom(s.vm, RAM + 3 * PAGE)).toEqual(src.map((t) => t & 0xf));
    // TO_GUEST of zeros still marks the page tagged.
    copyTo(s.vm, RAM + 4 * PAGE, new Uint8Array(256));
    expect(st.isTagged(4 * PAGE)).toBe(true);
  });

  it('a range crossing the end of RAM returns the bytes done; read-only slots refuse TO_GUEST', () => {
    const s = setup();
    const buf = new Uint8Array(512);
    expect(s.vm.armMteCopyTags({ guestIpa: RAM + RAM_SIZE - PAGE, length: 2 * PAGE, buffer: buf, flags: KVM_ARM_TAGS_FROM_GUEST })).toBe(PAGE);
    expect(s.vm.armMteCopyTags({ guestIpa: RAM + RAM_SIZE - PAGE, length: 2 * PAGE, buffer: buf.fill(1), flags: KVM_ARM_TAGS_TO_GUEST })).toBe(PAGE);
    // A buffer that ends after the first page: partial.
    expect(s.vm.armMteCopyTags({ guestIpa: RAM, length: 2 * PAGE, buffer: new Uint8Array(300), flags: KVM_ARM_TAGS_FROM_GUEST })).toBe(PAGE);
    const ro = s.kvm.mmap({ size: PAGE });
    s.vm.setUserMemoryRegion({ slot: 2, flags: KVM_MEM_READONLY, guestPhysAddr: 0x8000_0000, memorySize: PAGE, mapping: ro });
    expect(errnoOf(() => copyTo(s.vm, 0x8000_0000, new Uint8Array(256)))).toBe('EFAULT');
    expect(copyFrom(s.vm, 0x8000_0000)).toEqual(new Uint8Array(256));
    // Device memory is not RAM.
    const vm = s.kvm.createVm(0, { pagePolicy: noTagAccess });
    vm.enableCap(KVM_CAP_ARM_MTE);
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: s.kvm.mmap({ size: PAGE, kind: 'device' }) });
    expect(errnoOf(() => copyFrom(vm, RAM))).toBe('EFAULT');
  });

  it('TO_GUEST is EBUSY while any memslot logs dirty pages; FROM_GUEST still works', () => {
    const s = setup();
    const other = s.kvm.mmap({ size: PAGE });
    s.vm.setUserMemoryRegion({ slot: 1, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: 0x8000_0000, memorySize: PAGE, mapping: other });
    expect(errnoOf(() => copyTo(s.vm, RAM, new Uint8Array(256)))).toBe('EBUSY');
    copyFrom(s.vm, RAM);
    s.vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: 0x8000_0000, memorySize: PAGE, mapping: other });
    expect(copyTo(s.vm, RAM, new Uint8Array(256).fill(2))).toBe(PAGE);
  });
});

describe('host swap', () => {
  it('swap-out unmaps, saves data and compressed tags; the next guest access restores both (no PROT_MTE needed)', () => {
    const s = setup({ program: loadsFrom([RAM + 2 * PAGE, RAM + 3 * PAGE]) });
    const st = s.ram.tagStorage!;
    s.ram.bytes.fill(0xab, 2 * PAGE, 3 * PAGE);
    s.ram.bytes.fill(0xcd, 3 * PAGE, 4 * PAGE);
    copyTo(s.vm, RAM + 2 * PAGE, new Uint8Array(256).map((_, i) => (i < 100 ? 1 : 2))); // 2 runs: RLE
    copyTo(s.vm, RAM + 3 * PAGE, new Uint8Array(256).map((_, i) => i & 0xf)); // 256 runs: raw
    runToOff(s.vcpu);
    expect(s.vm.stage2.lookup(RAM + 2 * PAGE) & 1n).toBe(1n);
    expect(s.vm.swapOut([RAM + 2 * PAGE, BigInt(RAM + 3 * PAGE), RAM + 4 * PAGE])).toBe(3);
    expect(s.vm.swapOut([RAM + 2 * PAGE])).toBe(0); // already out
    expect(s.vm.stage2.lookup(RAM + 2 * PAGE) & 1n).toBe(0n);
    expect(s.ram.bytes[2 * PAGE]).toBe(0); // the frame is gone
    expect(st.isTagged(2 * PAGE)).toBe(false);
    expect(s.ram.isSwapped(2 * PAGE)).toBe(true);
    let stats = s.kvm.swapStats();
    expect(stats.pagesSwapped).toBe(3);
    expect(stats.tags).toMatchObject({ pages: 2, rlePages: 1, rawPages: 1, rawBytes: 256, storedBytes: 136 });
    rerun(s, loadsFrom([RAM + 2 * PAGE, RAM + 3 * PAGE]));
    expect(s.ram.bytes[2 * PAGE + 100]).toBe(0xab);
    expect(s.ram.bytes[3 * PAGE + 100]).toBe(0xcd);
    expect(st.isTagged(2 * PAGE)).toBe(true);
    expect(copyFrom(s.vm, RAM + 2 * PAGE)).toEqual(new Uint8Array(256).map((_, i) => (i < 100 ? 1 : 2)));
    expect(copyFrom(s.vm, RAM + 3 * PAGE)).toEqual(new Uint8Array(256).map((_, i) => i & 0xf));
    stats = s.kvm.swapStats();
    expect(stats).toMatchObject({ pagesSwapped: 1, swapOuts: 3 }); // page 4 was never touched again
    expect(stats.tags.pages).toBe(0);
    expect(stats.tagsTotal.pages).toBe(2);
    // An untagged page stays untagged across swap (the policy tags it on the next fault, with zero tags).
    expect(st.isTagged(4 * PAGE)).toBe(false);
  });

  it('swapOut errno matrix; every page when called without arguments; the VMM swaps in through swapIn/readTags', () => {
    const s = setup();
    expect(errnoOf(() => s.vm.swapOut([RAM + 1]))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.swapOut([1.5]))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.swapOut([0]))).toBe('EFAULT');
    expect(errnoOf(() => s.vm.swapOut([RAM, 0x10_0000_0000n]))).toBe('EFAULT');
    expect(s.ram.swappedPages).toBe(0); // nothing happened
    const fb = s.kvm.mmap({ size: PAGE, kind: 'device' });
    const vm2 = s.kvm.createVm(0, { pagePolicy: transparentUpgrade });
    vm2.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: PAGE, mapping: fb });
    expect(errnoOf(() => vm2.swapOut([RAM]))).toBe('EINVAL');
    expect(vm2.swapOut()).toBe(0);
    s.ram.bytes[5 * PAGE] = 0x77;
    copyTo(s.vm, RAM + 5 * PAGE, new Uint8Array(256).fill(6));
    expect(s.vm.swapOut()).toBe(RAM_SIZE / PAGE);
    expect(s.ram.bytes[5 * PAGE]).toBe(0);
    expect(s.ram.swapIn(5 * PAGE, 1)).toBe(1);
    expect(s.ram.bytes[5 * PAGE]).toBe(0x77);
    expect(s.ram.tagStorage!.getTag(5 * PAGE)).toBe(6);
    // COPY_TAGS swaps in too.
    expect(s.ram.isSwapped(6 * PAGE)).toBe(true);
    copyFrom(s.vm, RAM + 6 * PAGE);
    expect(s.ram.isSwapped(6 * PAGE)).toBe(false);
    // And the guest runs: its code page comes back.
    runToOff(s.vcpu);
  });

  it('a memory budget swaps out the least recently faulted pages', () => {
    const s = setup({ program: storesTo([RAM + 10 * PAGE, RAM + 11 * PAGE, RAM + 12 * PAGE, RAM + 13 * PAGE]) });
    s.vm.setMemoryBudget(3);
    expect(errnoOf(() => s.vm.setMemoryBudget(0))).toBe('EINVAL');
    expect(errnoOf(() => s.vm.setMemoryBudget(1.5))).toBe('EINVAL');
    expect(s.vm.memoryBudget).toBe(3);
    runToOff(s.vcpu);
    expect(s.vm.residentPages).toBeLessThanOrEqual(3);
    // LRU by fault time: the code page is evicted and faulted back in as the guest runs; page 10, the oldest data
    // page, is out by the end, page 13, the newest, is in.
    expect(s.ram.isSwapped(10 * PAGE)).toBe(true);
    expect(s.ram.isSwapped(13 * PAGE)).toBe(false);
    s.ram.swapIn(0, RAM_SIZE);
    expect([10, 11, 12, 13].map((p) => s.ram.view.getBigUint64(p * PAGE, true))).toEqual([0x5an, 0x5an, 0x5an, 0x5an]);
    s.vm.setMemoryBudget(undefined);
    const vm = testKvm().createVm(0, { memoryBudgetPages: 2 });
    expect(vm.memoryBudget).toBe(2);
  });

  it('property: random interleavings of tag writes, swap-out/in and COPY_TAGS lose no tag and no data', () => {
    const r = rng(2024);
    const pages = 16;
    for (let round = 0; round < 6; round++) {
      const s = setup();
      const st = s.ram.tagStorage!;
      const shadowTags = new Uint8Array(pages * 256);
      const shadowData = new Uint8Array(pages * PAGE);
      const base = 8; // pages 8..23 of RAM
      for (let op = 0; op < 300; op++) {
        const p = Math.floor(r() * pages);
        const off = (base + p) * PAGE;
        const x = r();
        if (x < 0.3) {
          // Stand-in for a guest STG: the access faults the page in (swap-in), then writes the tag.
          const g = Math.floor(r() * 256);
          const t = Math.floor(r() * 16);
          s.ram.swapIn(off, PAGE);
          st.markTagged(off);
          st.setTag(off + g * 16, t);
          shadowTags[p * 256 + g] = t;
          const b = Math.floor(r() * PAGE);
          s.ram.bytes[off + b] = t + 1;
          shadowData[p * PAGE + b] = t + 1;
        } else if (x < 0.45) {
          const runs = 1 + Math.floor(r() * 10);
          const tags = new Uint8Array(256).map((_, i) => (Math.floor((i * runs) / 256) * 5 + round) & 0xf);
          expect(copyTo(s.vm, RAM + off, tags)).toBe(PAGE);
          shadowTags.set(tags, p * 256);
        } else if (x < 0.6) {
          expect(copyFrom(s.vm, RAM + off)).toEqual(shadowTags.subarray(p * 256, (p + 1) * 256));
        } else if (x < 0.85) {
          s.vm.swapOut([RAM + off]);
        } else {
          s.ram.swapIn(off, PAGE);
        }
      }
      const all = new Uint8Array(pages * 256);
      expect(s.vm.armMteCopyTags({ guestIpa: RAM + base * PAGE, length: pages * PAGE, buffer: all, flags: KVM_ARM_TAGS_FROM_GUEST })).toBe(pages * PAGE);
      expect(all).toEqual(shadowTags);
      s.ram.swapIn(0, RAM_SIZE);
      expect(s.ram.bytes.subarray(base * PAGE, (base + pages) * PAGE)).toEqual(shadowData);
      expect(s.kvm.swapStats().tags.pages).toBe(0);
    }
  });
});

describe('dirty logging', () => {
  const bits = (b: Uint8Array) => [...b].flatMap((byte, i) => [0, 1, 2, 3, 4, 5, 6, 7].filter((k) => byte & (1 << k)).map((k) => i * 8 + k));

  it('guest writes mark pages dirty via write-protect faults; GET_DIRTY_LOG returns and resets', () => {
    const s = setup({ program: [...loadsFrom([RAM + 20 * PAGE]).slice(0, -systemOff().length), ...storesTo([RAM + 16 * PAGE, RAM + 48 * PAGE])] });
    // Map page 17 first (so enabling the log must write-protect an existing mapping).
    rerun(s, storesTo([RAM + 17 * PAGE]));
    s.vm.setUserMemoryRegion({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: s.ram });
    expect(s.vm.stage2.lookup(RAM + 17 * PAGE) & (1n << 7n)).toBe(0n);
    rerun(s, [...loadsFrom([RAM + 20 * PAGE]).slice(0, -systemOff().length), ...storesTo([RAM + 16 * PAGE, RAM + 48 * PAGE, RAM + 17 * PAGE])]);
    let log = s.vm.getDirtyLog(0);
    expect(log.length).toBe(8);
    expect(bits(log)).toEqual([16, 17, 48]); // not 20 (read) nor 0 (code fetch)
    expect(bits(s.vm.getDirtyLog(0))).toEqual([]); // reset
    rerun(s, storesTo([RAM + 48 * PAGE]));
    log = s.vm.getDirtyLog(0);
    expect(bits(log)).toEqual([48]);
    // Turning logging off: no more log, writes work.
    s.vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: s.ram });
    expect(errnoOf(() => s.vm.getDirtyLog(0))).toBe('ENOENT');
    rerun(s, storesTo([RAM + 16 * PAGE]));
  });

  it('manual protect: GET leaves the log, CLEAR re-arms the given pages; errno matrix', () => {
    const s = setup();
    expect(errnoOf(() => s.vm.clearDirtyLog(0, 0, 64, new Uint8Array(8)))).toBe('EINVAL'); // cap not enabled
    expect(errnoOf(() => s.vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, [4n]))).toBe('EINVAL');
    expect(s.vm.checkExtension(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2)).toBe(3);
    s.vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, [BigInt(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)]);
    expect(errnoOf(() => s.vm.getDirtyLog(0))).toBe('ENOENT'); // no logging on slot 0
    expect(errnoOf(() => s.vm.getDirtyLog(5))).toBe('ENOENT'); // no slot
    expect(errnoOf(() => s.vm.getDirtyLog(1 << 16))).toBe('EINVAL'); // address space 1
    expect(errnoOf(() => s.vm.getDirtyLog(-1))).toBe('EINVAL');
    s.vm.setUserMemoryRegion({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: s.ram });
    rerun(s, storesTo([RAM + 3 * PAGE, RAM + 40 * PAGE]));
    expect(bits(s.vm.getDirtyLog(0))).toEqual([3, 40]);
    expect(bits(s.vm.getDirtyLog(0))).toEqual([3, 40]); // manual: not reset
    expect(errnoOf(() => s.vm.clearDirtyLog(0, 1, 63, new Uint8Array(8)))).toBe('EINVAL'); // first not 64-aligned
    expect(errnoOf(() => s.vm.clearDirtyLog(0, 0, 10, new Uint8Array(8)))).toBe('EINVAL'); // num not 64-multiple, not to the end
    expect(errnoOf(() => s.vm.clearDirtyLog(0, 0, 128, new Uint8Array(16)))).toBe('EINVAL'); // beyond the slot
    expect(errnoOf(() => s.vm.clearDirtyLog(0, 0, 64, new Uint8Array(2)))).toBe('EFAULT'); // short bitmap
    expect(errnoOf(() => s.vm.clearDirtyLog(7, 0, 64, new Uint8Array(8)))).toBe('ENOENT');
    const clear = new Uint8Array(8);
    clear[0] = 1 << 3;
    s.vm.clearDirtyLog(0, 0, 64, clear);
    expect(bits(s.vm.getDirtyLog(0))).toEqual([40]);
    expect(s.vm.stage2.lookup(RAM + 3 * PAGE) & (1n << 7n)).toBe(0n); // re-armed
    expect(s.vm.stage2.lookup(RAM + 40 * PAGE) & (1n << 7n)).toBe(1n << 7n); // still writable: not cleared
    rerun(s, storesTo([RAM + 3 * PAGE]));
    expect(bits(s.vm.getDirtyLog(0))).toEqual([3, 40]);
  });

  it('KVM_DIRTY_LOG_INITIALLY_SET starts with every bit set', () => {
    const s = setup();
    s.vm.enableCap(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, 0, [BigInt(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET)]);
    s.vm.setUserMemoryRegion({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: s.ram });
    expect(bits(s.vm.getDirtyLog(0))).toHaveLength(64);
    s.vm.clearDirtyLog(0, 0, 64, new Uint8Array(8).fill(0xff));
    expect(bits(s.vm.getDirtyLog(0))).toEqual([]);
  });

  it('dirty logging and swap compose: a write after swap-in is logged', () => {
    const s = setup({ program: storesTo([RAM + 9 * PAGE]) });
    s.vm.setUserMemoryRegion({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: s.ram });
    runToOff(s.vcpu);
    expect(bits(s.vm.getDirtyLog(0))).toEqual([9]);
    s.vm.swapOut([RAM + 9 * PAGE, RAM]);
    rerun(s, storesTo([RAM + 9 * PAGE]));
    expect(bits(s.vm.getDirtyLog(0))).toEqual([9]);
  });
});

// ---- guests using the MTE instructions (stage 1 on, Tagged Normal RAM) ----

const SCTLR = arm64SysReg(3, 0, 1, 0, 0);
const TTBR0 = arm64SysReg(3, 0, 2, 0, 0);
const TCR = arm64SysReg(3, 0, 2, 0, 2);
const MAIR = arm64SysReg(3, 0, 10, 2, 0);
const FB = 0x8000_0000;
const TABLE_PAGE = 60;

/**
 * Turn the guest's stage 1 on: one level-1 table (39-bit VA, 4 KiB granule) with 1 GiB identity blocks —
 * [0, 1G) Device, [1G, 2G) (RAM) and [2G, 3G) (a framebuffer) Tagged Normal (MAIR attr 0 = 0xF0) — and
 * SCTLR_EL1.M | C | I | ATA, TCR_EL1.TBI0, tag checks off (TCF = 0).
 */
function stage1On(s: Setup): void {
  const t = TABLE_PAGE * PAGE;
  s.ram.view.setBigUint64(t + 0, s1BlockDesc(0, { attrIndx: 1 }), true);
  s.ram.view.setBigUint64(t + 8, s1BlockDesc(0x4000_0000, { attrIndx: 0 }), true);
  s.ram.view.setBigUint64(t + 16, s1BlockDesc(0x8000_0000, { attrIndx: 0 }), true);
  const v = s.vcpu;
  v.setOneReg(MAIR, 0x00f0n | (0x00n << 8n));
  v.setOneReg(TCR, 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (1n << 23n) | (2n << 32n) | (1n << 37n));
  v.setOneReg(TTBR0, BigInt(RAM + t));
  v.setOneReg(SCTLR, v.getOneReg(SCTLR) | 1n | (1n << 2n) | (1n << 12n) | (1n << 43n));
}

/** STG tag `tag` at `addr`, then LDG it back into x11 (which starts as addr). (PSCI calls zero x1..x3.) */
function stgLdg(addr: number, tag: number): number[] {
  return [
    ...A64.mov64(9, BigInt(addr)),
    ...A64.mov64(10, BigInt(tag) << 56n),
    A64.stg(10, 9),
    ...ldgInto11(addr),
  ];
}
/** x11 = addr with the allocation tag of its granule (LDG). */
function ldgInto11(addr: number): number[] {
  return [...A64.mov64(9, BigInt(addr)), A64.mov(11, 9), A64.ldg(11, 9)];
}

function rerunMte(s: Setup, program: number[]): void {
  program.forEach((w, i) => s.ram.view.setUint32(4 * i, w, true));
  s.vcpu.armVcpuInit(INIT);
  s.vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
  stage1On(s);
  runToOff(s.vcpu);
}

describe('MTE guests (STG / LDG) under each policy', () => {
  for (const policy of [transparentUpgrade, mteAllowed, enforceProtMte, noTagAccess]) {
    it(`${policy.name}: a guest's tags survive, are visible to COPY_TAGS, and survive swap`, () => {
      const s = setup({ policy, protMte: policy === enforceProtMte });
      const a = RAM + 5 * PAGE + 0x40;
      rerunMte(s, [...stgLdg(a, 0xa), ...systemOff()]);
      expect(s.vcpu.getOneReg(CoreReg.x(11))).toBe(BigInt(a) | (0xan << 56n));
      expect(s.ram.tagStorage!.getTag(5 * PAGE + 0x40)).toBe(0xa);
      expect(copyFrom(s.vm, RAM + 5 * PAGE)[4]).toBe(0xa);
      // Without PROT_MTE the VMM itself reads zeros (the RFC's catch); with it, the tag.
      expect(s.ram.readTags(5 * PAGE + 0x40, 1)[0]).toBe(policy === enforceProtMte ? 0xa : 0);
      // Host swap, then the guest reads the tag back.
      expect(s.vm.swapOut([RAM + 5 * PAGE])).toBe(1);
      expect(s.kvm.swapStats().tags.rlePages).toBe(1);
      rerunMte(s, [...ldgInto11(a), ...systemOff()]);
      expect(s.vcpu.getOneReg(CoreReg.x(11))).toBe(BigInt(a) | (0xan << 56n));
      // COPY_TAGS TO_GUEST, then the guest's LDG sees it.
      const tags = new Uint8Array(256);
      tags[4] = 0x6;
      copyTo(s.vm, RAM + 5 * PAGE, tags);
      rerunMte(s, [...ldgInto11(a), ...systemOff()]);
      expect(s.vcpu.getOneReg(CoreReg.x(11))).toBe(BigInt(a) | (0x6n << 56n));
    });
  }

  it('enforceProtMte: a VMM without PROT_MTE is refused at memslot creation', () => {
    const kvm = testKvm();
    const vm = kvm.createVm(0, { pagePolicy: enforceProtMte });
    vm.enableCap(KVM_CAP_ARM_MTE);
    expect(errnoOf(() => vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: kvm.mmap({ size: RAM_SIZE }) }))).toBe('EINVAL');
  });

  it('noTagAccess: data accesses to a framebuffer work; a tag access exits with arm-tag-access', () => {
    const kvm = testKvm();
    const s = setup({ kvm, policy: noTagAccess, program: [] });
    const fb = kvm.mmap({ size: 4 * PAGE, kind: 'device' });
    s.vm.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: FB, memorySize: 4 * PAGE, mapping: fb });
    const prog = [
      ...A64.mov64(1, BigInt(FB + 0x40)),
      A64.movz(4, 0x1234),
      A64.strx(4, 1), // plain store: fine
      ...A64.mov64(2, 0x3n << 56n),
      A64.stg(2, 1), // tag write: exit
      A64.ldg(3, 1), // tag read: exit
      ...systemOff(),
    ];
    prog.forEach((w, i) => s.ram.view.setUint32(4 * i, w, true));
    s.vcpu.armVcpuInit(INIT);
    s.vcpu.setOneReg(CoreReg.PC, BigInt(RAM));
    stage1On(s);
    let e = s.vcpu.run();
    expect(e).toEqual({ reason: 'arm-tag-access', exitReason: KVM_EXIT_ARM_TAG_ACCESS, ipa: BigInt(FB + 0x40), isWrite: true });
    expect(fb.view.getBigUint64(0x40, true)).toBe(0x1234n);
    const pc = s.vcpu.getOneReg(CoreReg.PC);
    expect(s.vcpu.run()).toEqual(e); // resuming re-executes the STG
    s.vcpu.setOneReg(CoreReg.PC, pc + 4n); // the VMM skips it
    e = s.vcpu.run();
    expect(e).toMatchObject({ reason: 'arm-tag-access', isWrite: false, ipa: BigInt(FB + 0x40) });
    s.vcpu.setOneReg(CoreReg.PC, s.vcpu.getOneReg(CoreReg.PC) + 4n);
    runToOff(s.vcpu);
    // mteAllowed refuses the same framebuffer outright.
    const vm2 = kvm.createVm();
    vm2.enableCap(KVM_CAP_ARM_MTE);
    expect(errnoOf(() => vm2.setUserMemoryRegion({ slot: 1, flags: 0, guestPhysAddr: FB, memorySize: 4 * PAGE, mapping: fb }))).toBe('EINVAL');
  });

  it('tag writes dirty the page: STG to a page mapped read-only for dirty logging is logged', () => {
    const s = setup();
    s.vm.setUserMemoryRegion({ slot: 0, flags: KVM_MEM_LOG_DIRTY_PAGES, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: s.ram });
    const a = RAM + 7 * PAGE + 0x20;
    rerunMte(s, [...ldgInto11(a), ...systemOff()]);
    const bitsOf = (b: Uint8Array) => [...b].flatMap((byte, i) => [0, 1, 2, 3, 4, 5, 6, 7].filter((k) => byte & (1 << k)).map((k) => i * 8 + k));
    expect(bitsOf(s.vm.getDirtyLog(0))).toEqual([]); // reads only (the code, the table, LDG)
    rerunMte(s, [...stgLdg(a, 0x9), ...systemOff()]);
    expect(bitsOf(s.vm.getDirtyLog(0))).toEqual([7]);
    expect(s.ram.tagStorage!.getTag(7 * PAGE + 0x20)).toBe(9);
  });

  it('IRG uses each vCPU\'s own RGSR/GCR when vCPUs are time-sliced', () => {
    const kvm = testKvm();
    const vm = kvm.createVm();
    vm.enableCap(KVM_CAP_ARM_MTE);
    const ram = kvm.mmap({ size: RAM_SIZE });
    vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: RAM, memorySize: RAM_SIZE, mapping: ram });
    // x1 = RGSR seed value, x2 = GCR (exclude mask); then IRG x5, x6, xzr eight times, collecting tags into x7.
    const prog = [A64.msr(1, 3, 0, 1, 0, 5), A64.msr(2, 3, 0, 1, 0, 6), A64.movz(7, 0)];
    for (let i = 0; i < 8; i++) prog.push(A64.irg(5, 6, 31), 0xd378fca5 /* lsr x5, x5, #56 */, 0x8b0710a7 /* add x7, x5, x7, lsl #4 */);
    prog.push(...A64.mov64(0, BigInt(PSCI.CPU_OFF)), A64.hvc()); // SYSTEM_OFF would stop the other vCPU too
    prog.forEach((w, i) => ram.view.setUint32(4 * i, w, true));
    const results: bigint[][] = [];
    for (const sliced of [false, true]) {
      const vs = [0, 1].map((i) => {
        const v = vm.createVcpu(2 * (sliced ? 1 : 0) + i + 10);
        v.armVcpuInit(INIT);
        v.setOneReg(CoreReg.PC, BigInt(RAM));
        v.setOneReg(CoreReg.x(1), i === 0 ? 0x1234n << 8n : 0xbeefn << 8n);
        v.setOneReg(CoreReg.x(2), i === 0 ? 0x0001n : 0x8000n);
        v.setOneReg(CoreReg.x(6), BigInt(RAM));
        v.setOneReg(SCTLR, v.getOneReg(SCTLR) | (1n << 43n)); // SCTLR_EL1.ATA: tag access at EL1
        v.runBudget = sliced ? 1 : 1000;
        return v;
      });
      const done = [false, false];
      for (let step = 0; step < 500 && !(done[0] && done[1]); step++) {
        vs.forEach((v, i) => {
          if (done[i]) return;
          const e = v.run();
          if (e.reason === 'intr' && e.cause === 'stopped') done[i] = true;
        });
      }
      results.push(vs.map((v) => v.getOneReg(CoreReg.x(7))));
      for (const v of vs) v.armVcpuInit(INIT);
    }
    expect(results[1]).toEqual(results[0]); // same per-vCPU sequences whether run alone or interleaved
    expect(results[0]![0]).not.toBe(results[0]![1]);
  });
});

describe('property: guest STG, host swap and COPY_TAGS interleaved', () => {
  it('no tag is lost (checked by the guest\'s LDG and by COPY_TAGS)', () => {
    const r = rng(77);
    const s = setup();
    const pages = [10, 11, 12, 13];
    const shadow = new Map<number, number>(); // granule address → tag
    const tagAt = (a: number) => shadow.get(a) ?? 0;
    for (let op = 0; op < 80; op++) {
      const p = pages[Math.floor(r() * pages.length)]!;
      const a = RAM + p * PAGE + 16 * Math.floor(r() * 256);
      const x = r();
      if (x < 0.35) {
        const t = Math.floor(r() * 16);
        rerunMte(s, [...stgLdg(a, t), ...systemOff()]);
        shadow.set(a, t);
        expect(s.vcpu.getOneReg(CoreReg.x(11)) >> 56n).toBe(BigInt(t));
      } else if (x < 0.5) {
        rerunMte(s, [...ldgInto11(a), ...systemOff()]);
        expect(s.vcpu.getOneReg(CoreReg.x(11)) >> 56n).toBe(BigInt(tagAt(a)));
      } else if (x < 0.75) {
        s.vm.swapOut([RAM + p * PAGE]);
      } else if (x < 0.85) {
        const tags = new Uint8Array(256).map(() => (r() < 0.9 ? 0 : Math.floor(r() * 16)));
        copyTo(s.vm, RAM + p * PAGE, tags);
        tags.forEach((t, g) => shadow.set(RAM + p * PAGE + 16 * g, t));
      } else {
        const got = copyFrom(s.vm, RAM + p * PAGE);
        got.forEach((t, g) => expect(t).toBe(tagAt(RAM + p * PAGE + 16 * g)));
      }
    }
    for (const p of pages) copyFrom(s.vm, RAM + p * PAGE).forEach((t, g) => expect(t).toBe(tagAt(RAM + p * PAGE + 16 * g)));
    expect(s.kvm.swapStats().swapOuts).toBeGreaterThan(0);
  });
});
