/**
 * The system and VM handles: `Kvm` (/dev/kvm, also the host process whose memory the VMM maps) and `Vm`.
 */
import { BREAKPOINTS, CodeCache, type Cpu, type MemoryPort, SmpDomain, WATCHPOINTS } from '@kvm-mte/aarch64-cpu';
import { fail, KvmError } from './errors.js';
import { HOST_PAGE_SIZE, HostMapping, HostPhysicalMemory, type MmapOptions, type SwapStats } from './host-memory.js';
import { mteAllowed, type PageUpgradePolicy, type Stage2Decision } from './policy.js';
import { Mmu, type PhysicalMemory } from '@kvm-mte/mmu';
import { KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_LATEST } from './psci.js';
import { S2_MEMATTR_DEVICE_nGnRE, S2_MEMATTR_NORMAL_WB, S2_MEMATTR_NOTAGACCESS, Stage2 } from './stage2.js';
import {
  KVM_ARM_IRQ_CPU_FIQ, KVM_ARM_IRQ_CPU_IRQ, KVM_ARM_IRQ_TYPE_CPU, KVM_ARM_IRQ_TYPE_SHIFT, KVM_ARM_IRQ_VCPU_SHIFT,
  KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KVM_CAP_ARM_EL1_32BIT, KVM_CAP_ARM_MTE,
  KVM_CAP_ARM_NISV_TO_USER, KVM_CAP_ARM_PSCI, KVM_CAP_ARM_PSCI_0_2, KVM_CAP_ARM_VM_IPA_SIZE,
  KVM_CAP_CHECK_EXTENSION_VM, KVM_CAP_ENABLE_CAP, KVM_CAP_MAX_VCPU_ID, KVM_CAP_MAX_VCPUS, KVM_CAP_MP_STATE,
  KVM_CAP_GUEST_DEBUG_HW_BPS, KVM_CAP_GUEST_DEBUG_HW_WPS, KVM_CAP_SET_GUEST_DEBUG,
  KVM_CAP_MULTI_ADDRESS_SPACE, KVM_CAP_NR_MEMSLOTS, KVM_CAP_NR_VCPUS, KVM_CAP_ONE_REG, KVM_CAP_READONLY_MEM,
  KVM_CAP_SYNC_MMU, KVM_CAP_USER_MEMORY, KVM_ARM_TAGS_FROM_GUEST, KVM_ARM_TAGS_TO_GUEST,
  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_DIRTY_LOG_INITIALLY_SET, KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_DEFAULT_IPA_BITS, KVM_MAX_VCPUS, KVM_MEM_LOG_DIRTY_PAGES,
  KVM_MEM_MAX_NR_PAGES, KVM_MEM_READONLY, KVM_USER_MEM_SLOTS, KVM_VM_TYPE_ARM_IPA_SIZE_MASK, KVM_CAP_DEVICE_CTRL,
  KVM_CAP_IRQCHIP, KVM_DEV_TYPE_ARM_VGIC_ITS,
} from './uapi.js';
import { VmTimers } from './timer.js';
import { Vcpu } from './vcpu.js';
import { VmClock, type VmClockOptions } from './vm-clock.js';
import { createVgicDevice, type Device, type VgicDevice } from './vgic-device.js';
import { createItsDevice } from './vgic-its-device.js';
import { V2_MAX_VCPUS } from './vgic/constants.js';

/** Largest IPA size a VM may ask for: the CPU's PARange (48 bits). */
const MAX_IPA_BITS = 48;
const MIN_IPA_BITS = 32;

export interface KvmOptions {
  /** Whether the modelled host CPU has MTE (KVM_CAP_ARM_MTE is offered). Default true. */
  hostMte?: boolean;
  /**
   * The host CPUs' MTE level when `hostMte` (ID_AA64PFR1_EL1.MTE: 2 = FEAT_MTE2, 3 = FEAT_MTE3). MTE VMs' vCPUs
   * report it; default 3. KVM needs FEAT_MTE2, so 2 is the minimum.
   */
  hostMteLevel?: 2 | 3;
  /** Host CPUs, reported by KVM_CAP_NR_VCPUS. Default 8. */
  hostCpus?: number;
  /** Total bytes `mmap` may hand out before failing with ENOMEM. Default 16 GiB. */
  maxHostMemory?: number;
  /**
   * Builds each vCPU's memory port (its MMU) over the host-physical memory. Default: the `@kvm-mte/mmu` Mmu.
   * For tests and instrumentation.
   */
  memoryPort?: (cpu: Cpu, phys: PhysicalMemory) => MemoryPort;
}

/** The arguments of KVM_SET_USER_MEMORY_REGION, with the user address replaced by a mapping and an offset in it. */
export interface UserMemoryRegion {
  /** Bits [15:0] the slot id, bits [31:16] the address space (only 0 on arm64). */
  slot: number;
  /** KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY */
  flags: number;
  guestPhysAddr: bigint | number;
  /** 0 deletes the slot. */
  memorySize: bigint | number;
  /** The VMM mapping backing the slot (userspace_addr's mapping). */
  mapping: HostMapping;
  /** Where in `mapping` the slot starts (userspace_addr - mapping start). Default 0. */
  mappingOffset?: number;
}

/** A memslot as KVM keeps it. */
export interface Memslot {
  readonly slot: number;
  readonly flags: number;
  readonly guestPhysAddr: number;
  readonly memorySize: number;
  readonly mapping: HostMapping;
  readonly mappingOffset: number;
}

/** `Kvm.createVm` options beyond the KVM_CREATE_VM type. */
export interface VmOptions {
  /** The page-upgrade policy (default `mteAllowed`, what Linux does). */
  pagePolicy?: PageUpgradePolicy;
  /** The memory budget in pages (see `Vm.setMemoryBudget`). */
  memoryBudgetPages?: number;
  /**
   * The budget of the VM's translated-code cache, in estimated bytes of host memory (aarch64-cpu code-cache.ts):
   * when full it is flushed. Default 64 MiB. EINVAL: not a positive integer.
   */
  codeCacheBytes?: number;
  /**
   * Whether the vCPUs run guest code in basic blocks (aarch64-cpu `CpuOptions.translate`; default true); false
   * interprets every instruction.
   */
  translate?: boolean;
  /**
   * Whether hot blocks become WebAssembly (aarch64-cpu `CpuOptions.wasm`; default true); false keeps every block a
   * handler block (its decoded handlers run in order).
   */
  wasm?: boolean;
  /**
   * Runs as a handler block before a block becomes WebAssembly (aarch64-cpu `WasmTierOptions.hotRuns`; default 256;
   * 0: every block, before it first runs). EINVAL unless a non-negative integer.
   */
  wasmHotRuns?: number;
  /**
   * The handler-block run that records the block's fast interpreter program (aarch64-cpu `CpuOptions.fastAfterRuns`;
   * default 4; 1: the first, so that blocks run once use the fast interpreter too). Model-specific: for tests and
   * differential runs. EINVAL unless a positive integer.
   */
  fastAfterRuns?: number;
  /**
   * The VM clock the generic timers count (vm-clock.ts): host time (default) or deterministic (from instructions
   * retired). Model-specific. EINVAL: an unknown mode or a bad shift.
   */
  clock?: VmClockOptions;
  /**
   * Lazy FP/SIMD switching (lazy-fp.ts; default false): every vCPU run sets CPTR_EL2.TFP, so the guest's first
   * SIMD&FP instruction of the run traps to EL2, where the vCPU's FP/SIMD state is loaded and the trap cleared, as
   * KVM does. Invisible to the guest; `Vcpu.fpTraps` counts the traps. Model-specific.
   */
  lazyFp?: boolean;
}

/** KVM_ARM_MTE_COPY_TAGS arguments (struct kvm_arm_copy_mte_tags, `addr` replaced by `buffer`). */
export interface CopyMteTags {
  guestIpa: bigint | number;
  length: bigint | number;
  /** length / 16 bytes, one tag a byte (the low nibble). */
  buffer: Uint8Array;
  /** KVM_ARM_TAGS_TO_GUEST (0) or KVM_ARM_TAGS_FROM_GUEST (1). */
  flags: number;
  /** Must be zeros (u64 reserved[2]). Default [0, 0]. */
  reserved?: readonly (bigint | number)[];
}

export interface VcpuInit {
  target: number;
  /** KVM's `__u32 features[7]`; bits are KVM_ARM_VCPU_* feature numbers. */
  features?: readonly number[];
}

/** The KVM system handle (an open /dev/kvm), which also stands for the host process that maps memory. */
export class Kvm {
  readonly hostMte: boolean;
  readonly hostCpus: number;
  /** ID_AA64PFR1_EL1.MTE the vCPUs of MTE VMs report (0 without host MTE). */
  readonly hostMteLevel: number;
  /** @internal */
  readonly phys: HostPhysicalMemory;
  /** @internal */
  readonly createPort: (cpu: Cpu, phys: PhysicalMemory) => MemoryPort;
  private nextVmid = 1;

  constructor(options: KvmOptions = {}) {
    this.hostMte = options.hostMte ?? true;
    this.hostCpus = options.hostCpus ?? 8;
    const level = options.hostMteLevel ?? 3;
    if (level !== 2 && level !== 3) throw new RangeError(`hostMteLevel must be 2 or 3, got ${String(level)}`);
    this.hostMteLevel = this.hostMte ? level : 0;
    this.phys = new HostPhysicalMemory(options.maxHostMemory ?? 16 * 2 ** 30);
    this.createPort = options.memoryPort ?? ((cpu, phys) => new Mmu(cpu, phys));
  }

  /** KVM_CHECK_EXTENSION: 0 when unsupported, otherwise 1 or the capability's value. */
  checkExtension(cap: number): number {
    switch (cap) {
      case KVM_CAP_USER_MEMORY:
      case KVM_CAP_SYNC_MMU:
      case KVM_CAP_MP_STATE:
      case KVM_CAP_ENABLE_CAP:
      case KVM_CAP_ONE_REG:
      case KVM_CAP_READONLY_MEM:
      case KVM_CAP_ARM_PSCI:
      case KVM_CAP_ARM_PSCI_0_2:
      case KVM_CAP_CHECK_EXTENSION_VM:
      case KVM_CAP_MULTI_ADDRESS_SPACE:
      case KVM_CAP_ARM_NISV_TO_USER:
      case KVM_CAP_DEVICE_CTRL:
      case KVM_CAP_IRQCHIP:
      case KVM_CAP_SET_GUEST_DEBUG:
        return 1;
      case KVM_CAP_GUEST_DEBUG_HW_BPS: return BREAKPOINTS;
      case KVM_CAP_GUEST_DEBUG_HW_WPS: return WATCHPOINTS;
      case KVM_CAP_NR_VCPUS: return Math.min(this.hostCpus, KVM_MAX_VCPUS);
      case KVM_CAP_MAX_VCPUS:
      case KVM_CAP_MAX_VCPU_ID: return KVM_MAX_VCPUS;
      case KVM_CAP_NR_MEMSLOTS: return KVM_USER_MEM_SLOTS;
      case KVM_CAP_ARM_VM_IPA_SIZE: return MAX_IPA_BITS;
      case KVM_CAP_ARM_EL1_32BIT: return 0;
      case KVM_CAP_ARM_MTE: return this.hostMte ? 1 : 0;
      case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: return KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET;
      default: return 0;
    }
  }

  /**
   * Map host memory for the VMM (mmap). EINVAL: size not a positive page multiple, unknown kind, PROT_MTE on a
   * device mapping or on a host without MTE; ENOMEM: over the host memory limit.
   */
  mmap(options: MmapOptions): HostMapping {
    if (options.protMte && !this.hostMte) fail('EINVAL', 'PROT_MTE on a host without MTE');
    return this.phys.mmap(options, this);
  }

  /**
   * KVM_CREATE_VM. `type` bits [7:0] choose the IPA size in bits (0: 40 bits, else 32..48); other bits must be 0.
   */
  createVm(type = 0, options: VmOptions = {}): Vm {
    if (!Number.isInteger(type) || type < 0 || (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK) !== 0) fail('EINVAL', `unknown VM type ${type}`);
    const bits = type & KVM_VM_TYPE_ARM_IPA_SIZE_MASK;
    const ipaBits = bits === 0 ? KVM_DEFAULT_IPA_BITS : bits;
    if (ipaBits < MIN_IPA_BITS || ipaBits > MAX_IPA_BITS) fail('EINVAL', `IPA size ${ipaBits} outside ${MIN_IPA_BITS}..${MAX_IPA_BITS}`);
    const vmid = this.nextVmid;
    // 8-bit VMIDs; each vCPU's TLB is private to it, so a VMID reused after 255 VMs cannot alias live entries.
    this.nextVmid = vmid === 255 ? 1 : vmid + 1;
    const cacheBytes = options.codeCacheBytes;
    if (cacheBytes !== undefined && (!Number.isSafeInteger(cacheBytes) || cacheBytes < 1)) {
      fail('EINVAL', `codeCacheBytes must be a positive integer, got ${String(cacheBytes)}`);
    }
    const hot = options.wasmHotRuns;
    if (hot !== undefined && (!Number.isSafeInteger(hot) || hot < 0)) {
      fail('EINVAL', `wasmHotRuns must be a non-negative integer, got ${String(hot)}`);
    }
    const fastAfter = options.fastAfterRuns;
    if (fastAfter !== undefined && (!Number.isSafeInteger(fastAfter) || fastAfter < 1)) {
      fail('EINVAL', `fastAfterRuns must be a positive integer, got ${String(fastAfter)}`);
    }
    const vm = new Vm(this, ipaBits, vmid, new CodeCache(cacheBytes, hot === undefined ? {} : { hotRuns: hot }));
    if (options.pagePolicy !== undefined) vm.setPagePolicy(options.pagePolicy);
    if (options.memoryBudgetPages !== undefined) vm.setMemoryBudget(options.memoryBudgetPages);
    vm.cpuOptions = {
      translate: options.translate ?? true, wasm: options.wasm ?? true, ...(fastAfter !== undefined && { fastAfterRuns: fastAfter }),
    };
    vm.lazyFp = options.lazyFp === true;
    if (options.clock !== undefined) vm.setClock(options.clock);
    return vm;
  }

  /** The host's swap counters: pages in swap, swap-outs/ins, tag compression (pages, raw vs stored bytes). */
  swapStats(): SwapStats {
    return this.phys.swap.stats();
  }
}

/** A VM handle (the fd KVM_CREATE_VM returns). */
export class Vm {
  /** Set by KVM_CAP_ARM_MTE. */
  mteEnabled = false;
  /** Set by KVM_CAP_ARM_NISV_TO_USER. */
  nisvToUser = false;
  /** @internal */
  readonly stage2: Stage2;
  /** @internal */
  readonly vcpus: Vcpu[] = [];
  /**
   * The coherence domain of the VM's vCPUs (aarch64-cpu smp.ts): the global exclusive monitor keyed by host-physical
   * address, TLBI broadcast of the Inner Shareable forms, SEV to every vCPU.
   */
  readonly smp = new SmpDomain();
  /** @internal Set once any vCPU has entered the guest. */
  hasRun = false;
  /** @internal The VM-wide vCPU features fixed by the first KVM_ARM_VCPU_INIT (POWER_OFF excluded). */
  vcpuFeatures: number | undefined;
  /** @internal PSCI version for vCPUs with KVM_ARM_VCPU_PSCI_0_2. */
  psciVersion = KVM_ARM_PSCI_LATEST;
  /** KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 flags in force (0: off). */
  manualDirtyLogProtect = 0;
  /** @internal The in-kernel interrupt controller (KVM_CREATE_DEVICE of a vGIC), if any. */
  vgic: VgicDevice | undefined;
  /**
   * The generic timers' counter: the VM clock (`timers.clock`: `now()`, `advanceTo()`, vm-clock.ts) and KVM's
   * virtual and physical offsets (timer.ts). Model-specific.
   */
  timers: VmTimers = new VmTimers(new VmClock({ mode: 'host' }, () => this.instructionsRetired()));
  /** @internal The VmOptions every vCPU's CPU is made with (translate, wasm, fastAfterRuns). */
  cpuOptions: { readonly translate: boolean; readonly wasm: boolean; readonly fastAfterRuns?: number } = { translate: true, wasm: true };
  /** @internal VmOptions.lazyFp: whether the vCPUs switch their FP/SIMD state lazily (lazy-fp.ts). */
  lazyFp = false;
  private readonly slots = new Map<number, Memslot>();
  /** Dirty bitmaps of the memslots with KVM_MEM_LOG_DIRTY_PAGES, by slot id (bit i = page i of the slot). */
  private readonly dirty = new Map<number, Uint8Array>();
  private policy: PageUpgradePolicy = mteAllowed;
  /** Guest pages mapped at stage 2, least recently faulted first: page IPA → host mapping and offset. */
  private readonly resident = new Map<number, { mapping: HostMapping; offset: number }>();
  private budget: number | undefined;
  private readonly invalidate = (mapping: HostMapping, offset: number): void => this.hostInvalidate(mapping, offset);

  /** @internal Created by `Kvm.createVm`. */
  constructor(
    readonly kvm: Kvm,
    readonly ipaBits: number,
    readonly vmid: number,
    /**
     * The translated code of the VM's vCPUs (one cache: they share guest memory), with its budget and statistics
     * (`codeCache.stats()`).
     */
    readonly codeCache: CodeCache,
  ) {
    this.stage2 = new Stage2(kvm.phys, ipaBits);
  }

  /** The VM clock (model-specific): the counter the vCPUs' generic timers count, before KVM's offsets. */
  get clock(): VmClock {
    return this.timers.clock;
  }

  /**
   * Model-specific: choose the VM clock (vm-clock.ts), before any vCPU has run (EBUSY after). The counter starts
   * again at 0. EINVAL: an unknown mode or a bad shift.
   */
  setClock(options: VmClockOptions): void {
    if (this.hasRun) fail('EBUSY', 'the clock is fixed once the VM has run');
    this.timers = new VmTimers(new VmClock(options, () => this.instructionsRetired()));
    for (const v of this.vcpus) v.timers.syncOffset();
  }

  /** Guest instructions the VM's vCPUs have retired, all together (the deterministic clock's count). */
  instructionsRetired(): number {
    let n = 0;
    for (const v of this.vcpus) n += v.instructionsRetired;
    return n;
  }

  /** The page-upgrade policy in force. */
  get pagePolicy(): PageUpgradePolicy {
    return this.policy;
  }

  /**
   * Choose the page-upgrade policy (see policy.ts). EBUSY once a memslot exists or a vCPU has run (the policy has
   * already made decisions); EINVAL for an object that is not a policy.
   */
  setPagePolicy(policy: PageUpgradePolicy): void {
    if (policy === null || typeof policy !== 'object' || typeof policy.onMemslot !== 'function' ||
        typeof policy.onStage2Fault !== 'function' || typeof policy.name !== 'string') fail('EINVAL', 'not a page-upgrade policy');
    if (this.slots.size > 0 || this.hasRun) fail('EBUSY', 'the page policy is fixed once memslots exist or the VM has run');
    this.policy = policy;
  }

  /** The memory budget in pages, or undefined for none. */
  get memoryBudget(): number | undefined {
    return this.budget;
  }

  /** Guest pages currently mapped at stage 2 (what the budget counts). */
  get residentPages(): number {
    return this.resident.size;
  }

  /**
   * Limit the guest pages mapped at stage 2 to `pages` (undefined: no limit). When a fault would exceed it, the least
   * recently faulted pages are swapped out (host swap under memory pressure). Applying a budget below the current
   * count swaps out the excess at once. EINVAL: not a positive integer.
   */
  setMemoryBudget(pages: number | undefined): void {
    if (pages !== undefined && (!Number.isSafeInteger(pages) || pages <= 0)) fail('EINVAL', `memory budget ${pages} is not a positive number of pages`);
    this.budget = pages;
    this.enforceBudget(-1);
  }

  /** KVM_CHECK_EXTENSION on the VM fd. */
  checkExtension(cap: number): number {
    return this.kvm.checkExtension(cap);
  }

  /**
   * KVM_ENABLE_CAP. KVM_CAP_ARM_MTE: host MTE required and no vCPU created yet (EINVAL otherwise).
   * KVM_CAP_ARM_NISV_TO_USER: report ISV = 0 MMIO aborts as KVM_EXIT_ARM_NISV. Flags must be 0; unknown caps EINVAL.
   */
  enableCap(cap: number, flags = 0, _args: readonly bigint[] = []): void {
    if (flags !== 0) fail('EINVAL', `enableCap flags must be 0, got ${flags}`);
    switch (cap) {
      case KVM_CAP_ARM_MTE:
        if (!this.kvm.hostMte) fail('EINVAL', 'the host has no MTE');
        if (this.vcpus.length > 0) fail('EINVAL', 'KVM_CAP_ARM_MTE after a vCPU was created');
        this.mteEnabled = true;
        return;
      case KVM_CAP_ARM_NISV_TO_USER:
        this.nisvToUser = true;
        return;
      case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: {
        const a = _args[0] ?? 0n;
        const valid = BigInt(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET);
        if (typeof a !== 'bigint' || a < 0n || (a & ~valid) !== 0n) fail('EINVAL', `unknown dirty-log flags ${String(a)}`);
        this.manualDirtyLogProtect = Number(a);
        return;
      }
      default:
        fail('EINVAL', `capability ${cap} cannot be enabled`);
    }
  }

  /** KVM_ARM_PREFERRED_TARGET. */
  preferredTarget(): { target: number; features: number[] } {
    return { target: KVM_ARM_TARGET_GENERIC_V8, features: [0, 0, 0, 0, 0, 0, 0] };
  }

  /**
   * KVM_SET_USER_MEMORY_REGION: create, move, change the flags of, or (memorySize 0) delete a memslot.
   * Checks, in Linux's order: flags (EINVAL); size, guest address and mapping offset page-aligned (EINVAL);
   * slot id range (EINVAL); address overflow and slot size limit (EINVAL); deleting a missing slot (EINVAL);
   * changing an existing slot's mapping, size or READONLY flag (EINVAL); overlap with another slot (EEXIST);
   * beyond the VM's IPA size (EFAULT); what the page policy refuses (EINVAL), or dirty logging of a device
   * mapping (EINVAL). A mapping of another Kvm (another host) is EFAULT. A slot may extend past the end of its
   * mapping, as in Linux: the guest's first access there makes `run()` fail with EFAULT.
   */
  setUserMemoryRegion(region: UserMemoryRegion): void {
    const { slot, flags, mapping } = region;
    const offset = region.mappingOffset ?? 0;
    const size = BigInt(region.memorySize);
    const gpa = BigInt(region.guestPhysAddr);
    const page = BigInt(HOST_PAGE_SIZE);
    if (!Number.isInteger(flags) || (flags & ~(KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)) !== 0) fail('EINVAL', `unknown memslot flags 0x${flags.toString(16)}`);
    if (size < 0n || size % page !== 0n || size >= 1n << 64n) fail('EINVAL', 'memory_size is not page aligned');
    if (gpa < 0n || gpa % page !== 0n || gpa >= 1n << 64n) fail('EINVAL', 'guest_phys_addr is not page aligned');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % HOST_PAGE_SIZE !== 0) fail('EINVAL', 'userspace address is not page aligned');
    if (!(mapping instanceof HostMapping) || mapping.owner !== this.kvm) fail('EFAULT', 'userspace address is not a mapping of this host');
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xffff_ffff || slot >>> 16 !== 0 || (slot & 0xffff) >= KVM_USER_MEM_SLOTS) fail('EINVAL', `bad slot ${slot}`);
    if (gpa + size >= 1n << 64n) fail('EINVAL', 'guest_phys_addr + memory_size overflows');
    if (size / page > BigInt(KVM_MEM_MAX_NR_PAGES)) fail('EINVAL', 'memslot too large');
    const old = this.slots.get(slot);
    if (size === 0n) {
      if (old === undefined) fail('EINVAL', `deleting slot ${slot}, which does not exist`);
      this.slots.delete(slot);
      this.dirty.delete(slot);
      this.unmap(old);
      return;
    }
    let move = true;
    if (old !== undefined) {
      if (old.mapping !== mapping || old.mappingOffset !== offset || BigInt(old.memorySize) !== size ||
          ((old.flags ^ flags) & KVM_MEM_READONLY) !== 0) {
        fail('EINVAL', `slot ${slot} may only move or change its dirty-logging flag`);
      }
      if (BigInt(old.guestPhysAddr) === gpa) {
        if (old.flags === flags) return;
        move = false;
      }
    }
    if (move) {
      for (const s of this.slots.values()) {
        if (s.slot === slot) continue;
        const sEnd = BigInt(s.guestPhysAddr) + BigInt(s.memorySize);
        if (gpa < sEnd && BigInt(s.guestPhysAddr) < gpa + size) fail('EEXIST', `slot ${slot} overlaps slot ${s.slot}`);
      }
    }
    if (gpa + size > 1n << BigInt(this.ipaBits)) fail('EFAULT', `memslot ends beyond the ${this.ipaBits}-bit IPA space`);
    if ((flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0 && mapping.kind === 'device') fail('EINVAL', 'dirty logging of a device mapping');
    const request = { slot, flags, guestPhysAddr: Number(gpa), memorySize: Number(size), mappingOffset: offset };
    this.policy.onMemslot({ vm: this, slot: request, mapping, mte: this.mteEnabled });
    const slotRec: Memslot = { ...request, mapping };
    this.slots.set(slot, slotRec);
    mapping.invalidators.add(this.invalidate);
    if (old !== undefined && move) this.unmap(old);
    const logging = (flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0;
    const wasLogging = old !== undefined && (old.flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0 && !move;
    if (!logging) this.dirty.delete(slot);
    else if (!wasLogging) {
      // Start dirty logging: a fresh bitmap; write-protect what is mapped so the next write to each page faults
      // (KVM_DIRTY_LOG_INITIALLY_SET with manual protect: every bit set, pages write-protected only when cleared).
      const pages = Number(size) / HOST_PAGE_SIZE;
      const bitmap = new Uint8Array(Math.ceil(pages / 64) * 8);
      if ((this.manualDirtyLogProtect & KVM_DIRTY_LOG_INITIALLY_SET) !== 0 && (this.manualDirtyLogProtect & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) !== 0) {
        for (let i = 0; i < pages; i++) bitmap[i >>> 3]! |= 1 << (i & 7);
      } else if (this.stage2.setWritable(slotRec.guestPhysAddr, slotRec.memorySize, false) > 0) {
        this.flushAllTlbs();
      }
      this.dirty.set(slot, bitmap);
    }
  }

  /** The memslots, by slot id. */
  memslots(): Memslot[] {
    return [...this.slots.values()].sort((a, b) => a.slot - b.slot);
  }

  /**
   * KVM_CREATE_VCPU. EINVAL: id outside 0..KVM_MAX_VCPUS-1 or too many vCPUs (8 with a vGICv2); EEXIST: the id is
   * taken; EBUSY: the vGIC is initialised.
   */
  createVcpu(id: number): Vcpu {
    if (!Number.isInteger(id) || id < 0 || id >= KVM_MAX_VCPUS) fail('EINVAL', `vCPU id ${id} outside 0..${KVM_MAX_VCPUS - 1}`);
    const max = this.vgic !== undefined && !this.vgic.isV3 ? V2_MAX_VCPUS : KVM_MAX_VCPUS;
    if (this.vcpus.length >= max) fail('EINVAL', 'too many vCPUs');
    if (this.vgic?.model !== undefined) fail('EBUSY', 'the vGIC is initialised: no vCPU can be added');
    if (this.vcpus.some((v) => v.id === id)) fail('EEXIST', `vCPU ${id} exists`);
    const v = new Vcpu(this, id, this.vcpus.length);
    this.vcpus.push(v);
    return v;
  }

  /**
   * KVM_IRQ_LINE: `irq` = type << 24 | vcpu_index << 16 | irq_id. Without an in-kernel interrupt controller, drive a
   * vCPU's IRQ input: type KVM_ARM_IRQ_TYPE_CPU and irq_id KVM_ARM_IRQ_CPU_IRQ; ENXIO: SPI/PPI types or the FIQ line
   * (not modelled); EINVAL: no such vCPU index or irq id. With a vGIC (createDevice), drive an interrupt line:
   * KVM_ARM_IRQ_TYPE_SPI (irq_id the INTID, 32 and up) or _PPI (INTID 16..31 of the vCPU); ENXIO: type CPU;
   * EINVAL: an INTID out of range or no such vCPU; EBUSY: a vGICv3 not yet initialised.
   */
  irqLine(irq: number, level: boolean): void {
    const type = (irq >>> KVM_ARM_IRQ_TYPE_SHIFT) & 0xf;
    const index = ((irq >>> KVM_ARM_IRQ_VCPU_SHIFT) & 0xff) | (((irq >>> 28) & 0xf) << 8);
    const id = irq & 0xffff;
    if (this.vgic !== undefined) {
      this.vgic.irqLine(type, index, id, level);
      return;
    }
    if (type !== KVM_ARM_IRQ_TYPE_CPU) fail('ENXIO', `irq type ${type} needs an in-kernel interrupt controller`);
    const v = this.vcpus[index];
    if (v === undefined) fail('EINVAL', `no vCPU at index ${index}`);
    if (id === KVM_ARM_IRQ_CPU_FIQ) fail('ENXIO', 'the FIQ line is not modelled');
    if (id !== KVM_ARM_IRQ_CPU_IRQ) fail('EINVAL', `irq id ${id} is not a CPU line`);
    v.setIrqLine(level);
  }

  /**
   * KVM_CREATE_DEVICE: KVM_DEV_TYPE_ARM_VGIC_V3 or _V2, the in-kernel interrupt controller (vgic-device.ts for its
   * attributes), or KVM_DEV_TYPE_ARM_VGIC_ITS, an ITS of the vGICv3 (vgic-its-device.ts). ENODEV: another type;
   * EEXIST: the VM has one; EBUSY: a vCPU has run; E2BIG: a GICv2 for more than
   * 8 vCPUs. From then on KVM_IRQ_LINE drives its interrupt lines, and with a GICv3 the vCPUs have the ICC_*
   * registers and ID_AA64PFR0_EL1.GIC = 1.
   */
  createDevice(type: number): Device {
    if (type === KVM_DEV_TYPE_ARM_VGIC_ITS) return createItsDevice(this);
    const dev = createVgicDevice(this, type);
    this.vgic = dev;
    for (const v of this.vcpus) v.attachVgic();
    return dev;
  }

  /** @internal KVM writing guest memory itself (the vGIC's tables): log the pages of [ipa, ipa + length) dirty. */
  markGuestDirty(slot: Memslot, ipa: number, length: number): void {
    const bitmap = this.dirty.get(slot.slot);
    if (bitmap === undefined || length <= 0) return;
    const first = Math.floor((ipa - slot.guestPhysAddr) / HOST_PAGE_SIZE);
    const last = Math.floor((ipa + length - 1 - slot.guestPhysAddr) / HOST_PAGE_SIZE);
    for (let p = first; p <= last; p++) bitmap[p >>> 3]! |= 1 << (p & 7);
  }

  /** @internal The memslot containing `ipa`. */
  findSlot(ipa: number): Memslot | undefined {
    for (const s of this.slots.values()) if (ipa >= s.guestPhysAddr && ipa < s.guestPhysAddr + s.memorySize) return s;
    return undefined;
  }

  /**
   * Model-specific (a real VMM's stores through its mapping need no call): the VMM, or a device model doing DMA,
   * wrote `length` bytes of `mapping` at `offset` behind the vCPUs' backs. As any other observer's store, this
   * clears the exclusive reservations of vCPUs on those bytes (their next store-exclusive fails) and drops the
   * translated code of the pages. Writes to `mapping.bytes` without this call are seen by the code cache only at the
   * next run (code-cache.ts), and never by the exclusive monitor.
   */
  hostWrote(mapping: HostMapping, offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 ||
      offset + length > mapping.size) {
      fail('EINVAL', `bytes ${offset}+${length} are outside the ${mapping.size}-byte mapping`);
    }
    if (length === 0) return;
    this.smp.stored(undefined, mapping.base + offset, length);
    this.codeCache.written(mapping.bytes, offset, length);
  }

  /** @internal The host-physical address guest physical address `ipa` is backed by, if a memslot holds it. */
  hostPhysical(ipa: number): number | undefined {
    const s = this.findSlot(ipa);
    return s === undefined ? undefined : s.mapping.base + s.mappingOffset + (ipa - s.guestPhysAddr);
  }

  /** @internal The guest physical address of host-physical address `hpa`, if a memslot maps it. */
  guestPhysical(hpa: number): number | undefined {
    for (const s of this.slots.values()) {
      const start = s.mapping.base + s.mappingOffset;
      if (hpa >= start && hpa < start + s.memorySize) return s.guestPhysAddr + (hpa - start);
    }
    return undefined;
  }

  /** @internal PSCI version guests of this VM see, given the vCPU features. */
  effectivePsciVersion(): number {
    return ((this.vcpuFeatures ?? 0) & (1 << KVM_ARM_VCPU_PSCI_0_2)) !== 0 ? this.psciVersion : KVM_ARM_PSCI_0_1;
  }

  private unmap(s: Memslot): void {
    for (let a = s.guestPhysAddr; a < s.guestPhysAddr + s.memorySize; a += HOST_PAGE_SIZE) this.resident.delete(a);
    if (this.stage2.unmapRange(s.guestPhysAddr, s.memorySize) > 0) this.flushAllTlbs();
  }

  private flushAllTlbs(): void {
    for (const v of this.vcpus) v.flushTlb();
  }

  // ---- the stage-2 fault path (called by Vcpu.run) ----

  /**
   * @internal A guest access to memslot page `page` faulted at stage 2 (translation, access flag or permission
   * fault; the caller has ruled out writes to read-only slots and NoTagAccess faults). A write to a page mapped
   * read-only for dirty logging marks it dirty and makes it writable; otherwise the page is swapped in if needed,
   * the policy decides how to map it, and it is mapped (read-only while dirty logging until written).
   * Throws KvmError: EFAULT when the page lies beyond its mapping, or what the policy refuses with.
   * Returns what the caller must invalidate in its TLB for the IPA: 'relaxed' when a read-only page became writable
   * and nothing else changed (MemoryPort.stage2Relaxed), 'changed' when another valid descriptor changed
   * (`tlbi("ipas2e1")`), 'new' when an invalid one became valid, which nothing can have cached (TLBs and the stage-2
   * walk cache hold successful walks only), as KVM installs a new stage-2 mapping without TLB maintenance.
   */
  handleStage2Fault(slot: Memslot, page: number, write: boolean): 'relaxed' | 'changed' | 'new' {
    const mapping = slot.mapping;
    const offset = slot.mappingOffset + (page - slot.guestPhysAddr);
    if (offset + HOST_PAGE_SIZE > mapping.size) fail('EFAULT', `memslot ${slot.slot} page at IPA 0x${page.toString(16)} is beyond its mapping`);
    const bitmap = this.dirty.get(slot.slot);
    const pageIndex = (page - slot.guestPhysAddr) / HOST_PAGE_SIZE;
    const desc = this.stage2.lookup(page);
    if ((desc & 1n) !== 0n && write && (desc & (1n << 7n)) === 0n && !mapping.isSwapped(offset)) {
      // Write-protected for dirty logging (or still protected after logging was turned off): log and upgrade.
      if (bitmap !== undefined) bitmap[pageIndex >>> 3]! |= 1 << (pageIndex & 7);
      this.stage2.setWritable(page, HOST_PAGE_SIZE, true);
      this.touch(page, mapping, offset);
      return 'relaxed';
    }
    mapping.swapInPage(offset);
    const tagged = mapping.tagStorage?.isTagged(offset) ?? false;
    const d: Stage2Decision = this.policy.onStage2Fault({ vm: this, slot, mapping, ipa: page, offset, tagged, write, mte: this.mteEnabled });
    let memAttr = S2_MEMATTR_NORMAL_WB;
    switch (d.kind) {
      case 'refuse':
        fail(d.errno, d.message ?? `policy ${this.policy.name} refused IPA 0x${page.toString(16)}`);
      // eslint-disable-next-line no-fallthrough
      case 'tagged':
        if (this.mteEnabled) {
          if (mapping.tagStorage === undefined) fail('EFAULT', `IPA 0x${page.toString(16)}: ${this.policy.name} tags memory that cannot hold tags`);
          mapping.tagStorage.markTagged(offset); // sanitise on first use; existing tags are kept
        }
        break;
      case 'untagged':
        break;
      case 'device':
        memAttr = S2_MEMATTR_DEVICE_nGnRE;
        break;
      case 'no-tag-access':
        memAttr = S2_MEMATTR_NOTAGACCESS;
        break;
      default:
        fail('EFAULT', `policy ${this.policy.name} returned an unknown decision`);
    }
    const readOnly = (slot.flags & KVM_MEM_READONLY) !== 0 || (bitmap !== undefined && !write);
    if (bitmap !== undefined && write) bitmap[pageIndex >>> 3]! |= 1 << (pageIndex & 7);
    this.stage2.map(page, mapping.base + offset, { readOnly, memAttr });
    this.touch(page, mapping, offset);
    this.enforceBudget(page);
    return (desc & 1n) !== 0n ? 'changed' : 'new';
  }

  /** Record `page` as the most recently faulted. */
  private touch(page: number, mapping: HostMapping, offset: number): void {
    this.resident.delete(page);
    this.resident.set(page, { mapping, offset });
  }

  /** Swap out least recently faulted pages until the budget holds (never `keep`, the page just mapped). */
  private enforceBudget(keep: number): void {
    const budget = this.budget;
    if (budget === undefined) return;
    for (const [ipa, r] of this.resident) {
      if (this.resident.size <= budget) break;
      if (ipa === keep) continue;
      if (!r.mapping.swapOutPage(r.offset)) this.resident.delete(ipa); // device memory: not swappable, just forget
    }
  }

  /** A host mapping's page is being taken away (swap-out): unmap every IPA of this VM that maps it. */
  private hostInvalidate(mapping: HostMapping, offset: number): void {
    let flushed = 0;
    for (const s of this.slots.values()) {
      if (s.mapping !== mapping || offset < s.mappingOffset || offset >= s.mappingOffset + s.memorySize) continue;
      const ipa = s.guestPhysAddr + (offset - s.mappingOffset);
      this.resident.delete(ipa);
      flushed += this.stage2.unmapRange(ipa, HOST_PAGE_SIZE);
    }
    if (flushed > 0) this.flushAllTlbs();
  }

  // ---- host swap ----

  /**
   * Swap out guest pages as the host does under memory pressure: each page is unmapped from stage 2 (TLBs
   * flushed), its data saved and its frame zeroed, and, if it was tagged, its tags saved compressed; the next guest
   * access faults it back in, data and tags, whatever the VMM mapping's PROT_MTE. `ipaPages`: page-aligned IPAs of
   * RAM memslot pages; default every page of every memslot that is not device memory. Pages already out are skipped.
   * Returns the number of pages swapped out. EINVAL: an IPA not page aligned or in device memory (not swappable);
   * EFAULT: an IPA no memslot backs, or beyond its mapping. On error nothing is swapped.
   */
  swapOut(ipaPages?: readonly (bigint | number)[]): number {
    const targets: { mapping: HostMapping; offset: number }[] = [];
    if (ipaPages === undefined) {
      for (const s of this.slots.values()) {
        if (s.mapping.kind === 'device') continue;
        const end = Math.min(s.memorySize, s.mapping.size - s.mappingOffset);
        for (let o = 0; o < end; o += HOST_PAGE_SIZE) targets.push({ mapping: s.mapping, offset: s.mappingOffset + o });
      }
    } else {
      for (const raw of ipaPages) {
        const ipa = typeof raw === 'bigint' ? raw : BigInt(Number.isSafeInteger(raw) ? raw : -1);
        if (ipa < 0n || ipa % BigInt(HOST_PAGE_SIZE) !== 0n) fail('EINVAL', `IPA ${String(raw)} is not page aligned`);
        const a = Number(ipa);
        const s = ipa < 1n << 52n ? this.findSlot(a) : undefined;
        if (s === undefined) fail('EFAULT', `IPA 0x${ipa.toString(16)} is not in a memslot`);
        if (s.mapping.kind === 'device') fail('EINVAL', `IPA 0x${ipa.toString(16)} is device memory, which is not swappable`);
        const offset = s.mappingOffset + (a - s.guestPhysAddr);
        if (offset + HOST_PAGE_SIZE > s.mapping.size) fail('EFAULT', `IPA 0x${ipa.toString(16)} is beyond its mapping`);
        targets.push({ mapping: s.mapping, offset });
      }
    }
    let n = 0;
    for (const t of targets) if (t.mapping.swapOutPage(t.offset)) n++;
    return n;
  }

  // ---- KVM_ARM_MTE_COPY_TAGS ----

  /**
   * KVM_ARM_MTE_COPY_TAGS: copy the tags of [guestIpa, guestIpa + length) to (FROM_GUEST) or from (TO_GUEST)
   * `buffer`, one tag a byte, length / 16 bytes. FROM_GUEST: a tagged page gives its tags, an untagged page zeros.
   * TO_GUEST: the page becomes tagged and takes the tags (low nibble of each byte). Swapped-out pages are swapped in.
   * Returns `length` on full success, else the guest bytes done so far (a page multiple) when a later page fails;
   * throws if nothing was done. EINVAL: MTE not enabled, reserved fields non-zero, unknown flags, guestIpa or length
   * not page aligned; EBUSY: TO_GUEST while any memslot has dirty logging on; EFAULT: a page no memslot backs, device
   * memory (not RAM), a TO_GUEST page in a read-only memslot, or `buffer` too short for the page (all per page).
   */
  armMteCopyTags(args: CopyMteTags): number {
    if (!this.mteEnabled) fail('EINVAL', 'MTE is not enabled on this VM');
    const reserved = args.reserved ?? [0, 0];
    if (reserved.length !== 2 || reserved.some((r) => BigInt(r) !== 0n)) fail('EINVAL', 'reserved fields must be 0');
    const flags = args.flags;
    if (flags !== KVM_ARM_TAGS_TO_GUEST && flags !== KVM_ARM_TAGS_FROM_GUEST) fail('EINVAL', `unknown flags ${String(flags)}`);
    const ipa0 = BigInt(args.guestIpa);
    const len = BigInt(args.length);
    const page = BigInt(HOST_PAGE_SIZE);
    if (ipa0 < 0n || len < 0n || ipa0 >= 1n << 64n || len >= 1n << 64n || ipa0 % page !== 0n || len % page !== 0n) fail('EINVAL', 'guest_ipa and length must be page aligned');
    if (flags === KVM_ARM_TAGS_TO_GUEST && this.dirty.size > 0) fail('EBUSY', 'TO_GUEST while dirty logging is enabled');
    const buffer = args.buffer;
    if (!(buffer instanceof Uint8Array)) fail('EFAULT', 'buffer is not a byte array');
    const tagsPerPage = HOST_PAGE_SIZE / 16;
    let done = 0n;
    let error: KvmError | undefined;
    for (let off = 0n; off < len; off += page) {
      const ipa = ipa0 + off;
      const b = Number(off / 16n);
      const s = ipa < 1n << 52n ? this.findSlot(Number(ipa)) : undefined;
      const offset = s === undefined ? 0 : s.mappingOffset + (Number(ipa) - s.guestPhysAddr);
      if (s === undefined || s.mapping.tagStorage === undefined || offset + HOST_PAGE_SIZE > s.mapping.size) {
        error = new KvmError('EFAULT', `IPA 0x${ipa.toString(16)} is not RAM backed by a memslot`);
        break;
      }
      if (flags === KVM_ARM_TAGS_TO_GUEST && (s.flags & KVM_MEM_READONLY) !== 0) {
        error = new KvmError('EFAULT', `IPA 0x${ipa.toString(16)} is in a read-only memslot`);
        break;
      }
      if (b + tagsPerPage > buffer.length) {
        error = new KvmError('EFAULT', `buffer ends before the tags of IPA 0x${ipa.toString(16)}`);
        break;
      }
      const storage = s.mapping.tagStorage;
      s.mapping.swapInPage(offset);
      if (flags === KVM_ARM_TAGS_FROM_GUEST) {
        if (storage.isTagged(offset)) storage.readTags(offset, tagsPerPage, buffer.subarray(b, b + tagsPerPage));
        else buffer.fill(0, b, b + tagsPerPage);
      } else {
        const t = new Uint8Array(tagsPerPage);
        for (let i = 0; i < tagsPerPage; i++) t[i] = buffer[b + i]! & 0xf;
        storage.markTagged(offset);
        storage.writeTags(offset, t);
      }
      done += page;
    }
    if (error !== undefined && done === 0n) throw error;
    return Number(done);
  }

  // ---- dirty logging ----

  /**
   * KVM_GET_DIRTY_LOG: the dirty bitmap of memslot `slot` (bit i, LSB first in byte i / 8, = page i of the slot;
   * the length is rounded up to whole 64-bit words as KVM's). Without manual protect the log is reset and the
   * dirty pages write-protected again in the same call; with KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 the bitmap is only
   * read, and `clearDirtyLog` re-arms pages. EINVAL: bad slot id; ENOENT: no such slot or no dirty logging on it.
   */
  getDirtyLog(slot: number): Uint8Array {
    const s = this.loggedSlot(slot);
    const bitmap = this.dirty.get(slot)!;
    const out = bitmap.slice();
    if ((this.manualDirtyLogProtect & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) === 0) {
      bitmap.fill(0);
      if (this.protectPages(s, 0, s.memorySize / HOST_PAGE_SIZE, out) > 0) this.flushAllTlbs();
    }
    return out;
  }

  /**
   * KVM_CLEAR_DIRTY_LOG (needs KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 enabled; EINVAL otherwise — a model choice: without
   * it KVM_GET_DIRTY_LOG has already reset the log). For each bit set in `bitmap` (bit i = page firstPage + i),
   * clear the page's dirty bit and write-protect it so its next write is logged. EINVAL: bad slot id, firstPage or
   * numPages not a multiple of 64 (unless the range ends at the slot's end), range beyond the slot; ENOENT: no such
   * slot or no dirty logging; EFAULT: `bitmap` shorter than numPages bits.
   */
  clearDirtyLog(slot: number, firstPage: number, numPages: number, bitmap: Uint8Array): void {
    if ((this.manualDirtyLogProtect & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE) === 0) fail('EINVAL', 'KVM_CLEAR_DIRTY_LOG needs KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2');
    const s = this.loggedSlot(slot);
    const pages = s.memorySize / HOST_PAGE_SIZE;
    if (!Number.isSafeInteger(firstPage) || !Number.isSafeInteger(numPages) || firstPage < 0 || numPages < 0) fail('EINVAL', 'bad page range');
    if (firstPage % 64 !== 0) fail('EINVAL', 'first_page must be a multiple of 64');
    if (firstPage > pages || numPages > pages - firstPage) fail('EINVAL', 'range beyond the memslot');
    if (numPages % 64 !== 0 && firstPage + numPages !== pages) fail('EINVAL', 'num_pages must be a multiple of 64 unless it reaches the end of the slot');
    if (!(bitmap instanceof Uint8Array) || bitmap.length * 8 < numPages) fail('EFAULT', 'bitmap shorter than num_pages bits');
    const log = this.dirty.get(slot)!;
    const mask = new Uint8Array(Math.ceil(pages / 8));
    for (let i = 0; i < numPages; i++) {
      if ((bitmap[i >>> 3]! & (1 << (i & 7))) === 0) continue;
      const p = firstPage + i;
      log[p >>> 3]! &= ~(1 << (p & 7));
      mask[p >>> 3]! |= 1 << (p & 7);
    }
    if (this.protectPages(s, 0, pages, mask) > 0) this.flushAllTlbs();
  }

  private loggedSlot(slot: number): Memslot {
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xffff_ffff || slot >>> 16 !== 0 || (slot & 0xffff) >= KVM_USER_MEM_SLOTS) fail('EINVAL', `bad slot ${slot}`);
    const s = this.slots.get(slot);
    if (s === undefined) fail('ENOENT', `no memslot ${slot}`);
    if (!this.dirty.has(slot)) fail('ENOENT', `memslot ${slot} has no dirty logging`);
    return s;
  }

  /** Write-protect the pages of `s` in [first, first + n) whose bit is set in `bits` (bit p = page p). */
  private protectPages(s: Memslot, first: number, n: number, bits: Uint8Array): number {
    let changed = 0;
    for (let p = first; p < first + n; p++) {
      if ((bits[p >>> 3]! & (1 << (p & 7))) !== 0) changed += this.stage2.setWritable(s.guestPhysAddr + p * HOST_PAGE_SIZE, HOST_PAGE_SIZE, false);
    }
    return changed;
  }
}

