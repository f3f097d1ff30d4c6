/**
 * The system and VM handles: `Kvm` (/dev/kvm, also the host process whose memory the VMM maps) and `Vm`.
 */
import type { Cpu, MemoryPort } from '@kvm-mte/aarch64-cpu';
import { fail } from './errors.js';
import { HOST_PAGE_SIZE, HostMapping, HostPhysicalMemory, type MmapOptions } from './host-memory.js';
import { Mmu, type PhysicalMemory } from '@kvm-mte/mmu';
import { KVM_ARM_PSCI_0_1, KVM_ARM_PSCI_LATEST } from './psci.js';
import { Stage2 } from './stage2.js';
import {
  KVM_ARM_IRQ_CPU_FIQ, KVM_ARM_IRQ_CPU_IRQ, KVM_ARM_IRQ_TYPE_CPU, KVM_ARM_IRQ_TYPE_SHIFT, KVM_ARM_IRQ_VCPU_SHIFT,
  KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PSCI_0_2, KVM_CAP_ARM_EL1_32BIT, KVM_CAP_ARM_MTE,
  KVM_CAP_ARM_NISV_TO_USER, KVM_CAP_ARM_PSCI, KVM_CAP_ARM_PSCI_0_2, KVM_CAP_ARM_VM_IPA_SIZE,
  KVM_CAP_CHECK_EXTENSION_VM, KVM_CAP_ENABLE_CAP, KVM_CAP_MAX_VCPU_ID, KVM_CAP_MAX_VCPUS, KVM_CAP_MP_STATE,
  KVM_CAP_MULTI_ADDRESS_SPACE, KVM_CAP_NR_MEMSLOTS, KVM_CAP_NR_VCPUS, KVM_CAP_ONE_REG, KVM_CAP_READONLY_MEM,
  KVM_CAP_SYNC_MMU, KVM_CAP_USER_MEMORY, KVM_DEFAULT_IPA_BITS, KVM_MAX_VCPUS, KVM_MEM_LOG_DIRTY_PAGES,
  KVM_MEM_MAX_NR_PAGES, KVM_MEM_READONLY, KVM_USER_MEM_SLOTS, KVM_VM_TYPE_ARM_IPA_SIZE_MASK,
} from './uapi.js';
import { Vcpu } from './vcpu.js';

/** Largest IPA size a VM may ask for: the CPU's PARange (48 bits). */
const MAX_IPA_BITS = 48;
const MIN_IPA_BITS = 32;

export interface KvmOptions {
  /** Whether the modelled host CPU has MTE (KVM_CAP_ARM_MTE is offered). Default true. */
  hostMte?: boolean;
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

export interface VcpuInit {
  target: number;
  /** KVM's `__u32 features[7]`; bits are KVM_ARM_VCPU_* feature numbers. */
  features?: readonly number[];
}

/** The KVM system handle (an open /dev/kvm), which also stands for the host process that maps memory. */
export class Kvm {
  readonly hostMte: boolean;
  readonly hostCpus: number;
  /** @internal */
  readonly phys: HostPhysicalMemory;
  /** @internal */
  readonly createPort: (cpu: Cpu, phys: PhysicalMemory) => MemoryPort;
  private nextVmid = 1;

  constructor(options: KvmOptions = {}) {
    this.hostMte = options.hostMte ?? true;
    this.hostCpus = options.hostCpus ?? 8;
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
        return 1;
      case KVM_CAP_NR_VCPUS: return Math.min(this.hostCpus, KVM_MAX_VCPUS);
      case KVM_CAP_MAX_VCPUS:
      case KVM_CAP_MAX_VCPU_ID: return KVM_MAX_VCPUS;
      case KVM_CAP_NR_MEMSLOTS: return KVM_USER_MEM_SLOTS;
      case KVM_CAP_ARM_VM_IPA_SIZE: return MAX_IPA_BITS;
      case KVM_CAP_ARM_EL1_32BIT: return 0;
      case KVM_CAP_ARM_MTE: return this.hostMte ? 1 : 0;
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
  createVm(type = 0): Vm {
    if (!Number.isInteger(type) || type < 0 || (type & ~KVM_VM_TYPE_ARM_IPA_SIZE_MASK) !== 0) fail('EINVAL', `unknown VM type ${type}`);
    const bits = type & KVM_VM_TYPE_ARM_IPA_SIZE_MASK;
    const ipaBits = bits === 0 ? KVM_DEFAULT_IPA_BITS : bits;
    if (ipaBits < MIN_IPA_BITS || ipaBits > MAX_IPA_BITS) fail('EINVAL', `IPA size ${ipaBits} outside ${MIN_IPA_BITS}..${MAX_IPA_BITS}`);
    const vmid = this.nextVmid;
    // 8-bit VMIDs; each vCPU's TLB is private to it, so a VMID reused after 255 VMs cannot alias live entries.
    this.nextVmid = vmid === 255 ? 1 : vmid + 1;
    return new Vm(this, ipaBits, vmid);
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
  /** @internal Set once any vCPU has entered the guest. */
  hasRun = false;
  /** @internal The VM-wide vCPU features fixed by the first KVM_ARM_VCPU_INIT (POWER_OFF excluded). */
  vcpuFeatures: number | undefined;
  /** @internal PSCI version for vCPUs with KVM_ARM_VCPU_PSCI_0_2. */
  psciVersion = KVM_ARM_PSCI_LATEST;
  private readonly slots = new Map<number, Memslot>();

  /** @internal Created by `Kvm.createVm`. */
  constructor(readonly kvm: Kvm, readonly ipaBits: number, readonly vmid: number) {
    this.stage2 = new Stage2(kvm.phys, ipaBits);
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
   * beyond the VM's IPA size (EFAULT); a non-tag-capable mapping in an MTE VM, or dirty logging of a device
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
    if (this.mteEnabled && !mapping.tagCapable) fail('EINVAL', 'an MTE VM needs tag-capable memory (not a device mapping)');
    if ((flags & KVM_MEM_LOG_DIRTY_PAGES) !== 0 && mapping.kind === 'device') fail('EINVAL', 'dirty logging of a device mapping');
    const slotRec: Memslot = { slot, flags, guestPhysAddr: Number(gpa), memorySize: Number(size), mapping, mappingOffset: offset };
    this.slots.set(slot, slotRec);
    if (old !== undefined && move) this.unmap(old);
  }

  /** The memslots, by slot id. */
  memslots(): Memslot[] {
    return [...this.slots.values()].sort((a, b) => a.slot - b.slot);
  }

  /**
   * KVM_CREATE_VCPU. EINVAL: id outside 0..KVM_MAX_VCPUS-1 or too many vCPUs; EEXIST: the id is taken.
   */
  createVcpu(id: number): Vcpu {
    if (!Number.isInteger(id) || id < 0 || id >= KVM_MAX_VCPUS) fail('EINVAL', `vCPU id ${id} outside 0..${KVM_MAX_VCPUS - 1}`);
    if (this.vcpus.length >= KVM_MAX_VCPUS) fail('EINVAL', 'too many vCPUs');
    if (this.vcpus.some((v) => v.id === id)) fail('EEXIST', `vCPU ${id} exists`);
    const v = new Vcpu(this, id, this.vcpus.length);
    this.vcpus.push(v);
    return v;
  }

  /**
   * KVM_IRQ_LINE without an in-kernel interrupt controller: drive a vCPU's IRQ input.
   * `irq` = type << 24 | vcpu_index << 16 | irq_id, type KVM_ARM_IRQ_TYPE_CPU and irq_id KVM_ARM_IRQ_CPU_IRQ.
   * ENXIO: SPI/PPI types (no in-kernel GIC) or the FIQ line (not modelled); EINVAL: no such vCPU index or irq id.
   */
  irqLine(irq: number, level: boolean): void {
    const type = (irq >>> KVM_ARM_IRQ_TYPE_SHIFT) & 0xf;
    const index = ((irq >>> KVM_ARM_IRQ_VCPU_SHIFT) & 0xff) | (((irq >>> 28) & 0xf) << 8);
    const id = irq & 0xffff;
    if (type !== KVM_ARM_IRQ_TYPE_CPU) fail('ENXIO', `irq type ${type} needs an in-kernel interrupt controller`);
    const v = this.vcpus[index];
    if (v === undefined) fail('EINVAL', `no vCPU at index ${index}`);
    if (id === KVM_ARM_IRQ_CPU_FIQ) fail('ENXIO', 'the FIQ line is not modelled');
    if (id !== KVM_ARM_IRQ_CPU_IRQ) fail('EINVAL', `irq id ${id} is not a CPU line`);
    v.setIrqLine(level);
  }

  /** @internal The memslot containing `ipa`. */
  findSlot(ipa: number): Memslot | undefined {
    for (const s of this.slots.values()) if (ipa >= s.guestPhysAddr && ipa < s.guestPhysAddr + s.memorySize) return s;
    return undefined;
  }

  /** @internal PSCI version guests of this VM see, given the vCPU features. */
  effectivePsciVersion(): number {
    return ((this.vcpuFeatures ?? 0) & (1 << KVM_ARM_VCPU_PSCI_0_2)) !== 0 ? this.psciVersion : KVM_ARM_PSCI_0_1;
  }

  private unmap(s: Memslot): void {
    if (this.stage2.unmapRange(s.guestPhysAddr, s.memorySize) > 0) for (const v of this.vcpus) v.flushTlb();
  }
}

