/**
 * The in-kernel vGIC as KVM's device API exposes it (KVM_CREATE_DEVICE with KVM_DEV_TYPE_ARM_VGIC_V3 or _V2): the
 * device's life cycle (creation, frame addresses, the number of interrupts, initialisation, the checks of the
 * first KVM_RUN) and its attribute groups, with Linux's errno values. The register groups are in
 * vgic-device-regs.ts; what the guest sees (its MMIO frames, the ICC_* registers) in vgic-guest.ts.
 *
 * Life cycle, as Linux: the device is created before any vCPU has run (one per VM); user space sets the frames'
 * addresses (GRP_ADDR) and optionally the number of interrupts (GRP_NR_IRQS), then initialises it (GRP_CTRL
 * CTRL_INIT), which builds the model (vgic/) over the VM's vCPUs; no vCPU may be created after that. A GICv3
 * must be initialised explicitly (register accesses, KVM_IRQ_LINE and KVM_RUN before that: EBUSY); a GICv2 is
 * initialised on demand by any of them. The first KVM_RUN checks the addresses (ENXIO when one is missing, EINVAL
 * when frames overlap).
 */
import { fail } from './errors.js';
import type { Vm } from './kvm.js';
import {
  KVM_ARM_IRQ_TYPE_PPI, KVM_ARM_IRQ_TYPE_SPI, KVM_DEV_ARM_VGIC_CTRL_INIT, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES,
  KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, KVM_DEV_TYPE_ARM_VGIC_V2, KVM_DEV_TYPE_ARM_VGIC_V3, KVM_VGIC_V2_ADDR_TYPE_CPU,
  KVM_VGIC_V2_ADDR_TYPE_DIST, KVM_VGIC_V2_CPU_SIZE, KVM_VGIC_V2_DIST_SIZE, KVM_VGIC_V3_ADDR_TYPE_DIST,
  KVM_VGIC_V3_ADDR_TYPE_REDIST, KVM_VGIC_V3_DIST_SIZE, KVM_VGIC_V3_REDIST_SIZE,
} from './uapi.js';
import { accessRegs, hasRegAttr, isRegGroup } from './vgic-device-regs.js';
import { vmGuestMemory } from './vgic-guest-memory.js';
import type { VgicItsDevice } from './vgic-its-device.js';
import { MAX_NR_IRQS, NR_PRIVATE_IRQS, NR_SGIS, V2_MAX_VCPUS } from './vgic/constants.js';
import { VgicV2 } from './vgic/vgic-v2.js';
import { VgicV3 } from './vgic/vgic-v3.js';

/** One device attribute (struct kvm_device_attr, with the value itself in place of its user address). */
export interface DeviceAttr {
  readonly group: number;
  readonly attr: bigint | number;
  /** The value to set (setAttr); ignored by getAttr and hasAttr. */
  readonly value?: bigint | number;
}

/** A device handle (the fd KVM_CREATE_DEVICE returns). */
export interface Device {
  /** The KVM_DEV_TYPE_* it was created with. */
  readonly type: number;
  /** KVM_SET_DEVICE_ATTR. Throws KvmError with Linux's errno. */
  setAttr(attr: DeviceAttr): void;
  /** KVM_GET_DEVICE_ATTR: the value (a u32 or u64 attribute, as a bigint). Throws KvmError with Linux's errno. */
  getAttr(attr: DeviceAttr): bigint;
  /**
   * KVM_HAS_DEVICE_ATTR: true when the device has the attribute, false where Linux answers ENXIO; other errors
   * (EINVAL for a register attribute naming no vCPU) are thrown.
   */
  hasAttr(attr: DeviceAttr): boolean;
}

/** VGIC_ADDR_UNDEF: what GRP_ADDR reads for a frame whose address is not set. */
export const VGIC_ADDR_UNDEF = (1n << 64n) - 1n;
/** VGIC_NR_IRQS_LEGACY: the number of interrupts of a vGIC initialised without GRP_NR_IRQS. */
const NR_IRQS_LEGACY = 256;
const SZ_4K = 0x1000n;
const SZ_64K = 0x1_0000n;

/** A frame of the guest physical address map. */
interface Frame {
  readonly base: bigint;
  readonly size: bigint;
}

const overlap = (a: Frame, b: Frame): boolean => a.base < b.base + b.size && b.base < a.base + a.size;

/** The vGIC device of a VM (KVM_DEV_TYPE_ARM_VGIC_V3 or _V2). */
export class VgicDevice implements Device {
  /** The model, once initialised (CTRL_INIT, or on demand for a GICv2). */
  model: VgicV3 | VgicV2 | undefined;
  /** GICv3: the distributor; GICv2: the distributor. */
  distBase: bigint | undefined;
  /** GICv3: the (single, legacy) redistributor region; its size follows the number of vCPUs. */
  redistBase: bigint | undefined;
  /** GICv2: the CPU interface. */
  cpuBase: bigint | undefined;
  /** The SPIs, 0 until GRP_NR_IRQS sets them or initialisation fixes them. */
  private nrSpis = 0;
  /** The first KVM_RUN's checks passed (Linux's vgic_ready). */
  private ready = false;
  /** GICv3: the ITS devices created on the VM (KVM_DEV_TYPE_ARM_VGIC_ITS); with one, the vGIC has LPIs. */
  readonly its: VgicItsDevice[] = [];

  /** @internal Made by {@link createVgicDevice}. */
  constructor(readonly vm: Vm, readonly type: number) {}

  /** Whether this is a GICv3. */
  get isV3(): boolean {
    return this.type === KVM_DEV_TYPE_ARM_VGIC_V3;
  }

  /** The GICv3 model, when this is an initialised GICv3. */
  get v3(): VgicV3 | undefined {
    return this.model instanceof VgicV3 ? this.model : undefined;
  }

  setAttr(a: DeviceAttr): void {
    const attr = attrOf(a);
    if (isRegGroup(this, a.group)) {
      accessRegs(this, a.group, attr, valueOf(a));
      return;
    }
    switch (a.group) {
      case KVM_DEV_ARM_VGIC_GRP_ADDR:
        this.setAddress(attr, valueOf(a));
        return;
      case KVM_DEV_ARM_VGIC_GRP_NR_IRQS: {
        const v = valueOf(a);
        if (v < BigInt(NR_PRIVATE_IRQS + 32) || v > BigInt(MAX_NR_IRQS - 1) || (v & 31n) !== 0n) {
          fail('EINVAL', `vGIC: ${v} interrupts (a multiple of 32 in 64..${MAX_NR_IRQS - 32})`);
        }
        if (this.nrSpis !== 0 || this.model !== undefined) fail('EBUSY', 'vGIC: the number of interrupts is already fixed');
        this.nrSpis = Number(v) - NR_PRIVATE_IRQS;
        return;
      }
      case KVM_DEV_ARM_VGIC_GRP_CTRL:
        if (attr === BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT)) {
          this.init();
          return;
        }
        if (this.isV3 && attr === BigInt(KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES)) {
          this.savePendingTables();
          return;
        }
        break;
    }
    fail('ENXIO', `vGIC: no settable attribute ${attr} in group ${a.group}`);
  }

  getAttr(a: DeviceAttr): bigint {
    const attr = attrOf(a);
    if (isRegGroup(this, a.group)) return accessRegs(this, a.group, attr, undefined);
    switch (a.group) {
      case KVM_DEV_ARM_VGIC_GRP_ADDR:
        return this.address(attr);
      case KVM_DEV_ARM_VGIC_GRP_NR_IRQS:
        return BigInt(this.nrSpis + NR_PRIVATE_IRQS);
    }
    fail('ENXIO', `vGIC: no readable attribute ${attr} in group ${a.group}`);
  }

  hasAttr(a: DeviceAttr): boolean {
    const attr = attrOf(a);
    switch (a.group) {
      case KVM_DEV_ARM_VGIC_GRP_ADDR:
        return this.isV3
          ? attr === BigInt(KVM_VGIC_V3_ADDR_TYPE_DIST) || attr === BigInt(KVM_VGIC_V3_ADDR_TYPE_REDIST)
          : attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_DIST) || attr === BigInt(KVM_VGIC_V2_ADDR_TYPE_CPU);
      case KVM_DEV_ARM_VGIC_GRP_NR_IRQS:
        return true;
      case KVM_DEV_ARM_VGIC_GRP_CTRL:
        return attr === BigInt(KVM_DEV_ARM_VGIC_CTRL_INIT) || (this.isV3 && attr === BigInt(KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES));
      default:
        return isRegGroup(this, a.group) && hasRegAttr(this, a.group, attr);
    }
  }

  /**
   * vgic_init: build the model over the VM's vCPUs, with the interrupts GRP_NR_IRQS set (default 256). Again: no
   * change. EINVAL when the VM has no vCPU (the model needs at least one).
   */
  init(): VgicV3 | VgicV2 {
    if (this.model !== undefined) return this.model;
    const vcpus = this.vm.vcpus;
    const nrIrqs = (this.nrSpis === 0 ? NR_IRQS_LEGACY - NR_PRIVATE_IRQS : this.nrSpis) + NR_PRIVATE_IRQS;
    const onIrqLine = (v: number, level: boolean): void => vcpus[v]?.setIrqLine(level);
    const options = { nrVcpus: vcpus.length, nrIrqs, onIrqLine };
    const model = this.isV3
      ? new VgicV3({ ...options, mpidrs: vcpus.map((v) => v.mpidrValue), memory: vmGuestMemory(this.vm) })
      : new VgicV2(options);
    if (model instanceof VgicV3) model.hasLpis = this.its.length > 0;
    this.nrSpis = nrIrqs - NR_PRIVATE_IRQS;
    this.model = model;
    // With an in-kernel GIC the model alone drives the vCPUs' IRQ inputs.
    for (const v of vcpus) v.setIrqLine(false);
    return model;
  }

  /**
   * GRP_CTRL KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (GICv3): write every mapped LPI's pending state into its target's
   * pending table in guest memory, before a VMM saves RAM. EBUSY before initialisation; EFAULT when a pending
   * table is not RAM.
   */
  private savePendingTables(): void {
    const gic = this.lazyModel() as VgicV3;
    if (!gic.lpis.savePendingTables()) fail('EFAULT', 'vGICv3: an LPI pending table is not in RAM');
  }

  /**
   * @internal The first KVM_RUN (kvm_vgic_map_resources): every frame's address set (ENXIO), no frames overlapping
   * (EINVAL), and a GICv3 initialised (EBUSY); a GICv2 is initialised here if it is not yet.
   */
  mapResources(): void {
    if (this.ready) return;
    const frames = this.frames();
    if (frames === undefined) fail('ENXIO', 'vGIC: set the addresses of its frames (KVM_DEV_ARM_VGIC_GRP_ADDR) before running a vCPU');
    for (let i = 0; i < frames.length; i++) {
      for (let j = i + 1; j < frames.length; j++) {
        if (overlap(frames[i]!, frames[j]!)) fail('EINVAL', 'vGIC: its frames overlap');
      }
    }
    if (this.isV3 && this.model === undefined) fail('EBUSY', 'vGICv3: not initialised (KVM_DEV_ARM_VGIC_CTRL_INIT)');
    this.init();
    this.ready = true;
  }

  /** The model for a register access or an interrupt line: a GICv3 must be initialised (EBUSY), a GICv2 is now. */
  lazyModel(): VgicV3 | VgicV2 {
    if (this.model === undefined && this.isV3) fail('EBUSY', 'vGICv3: not initialised (KVM_DEV_ARM_VGIC_CTRL_INIT)');
    return this.init();
  }

  /**
   * KVM_IRQ_LINE with the in-kernel GIC: `type` KVM_ARM_IRQ_TYPE_SPI (INTID `id`, 32 and up) or _PPI (INTID `id`,
   * 16..31, of the vCPU at `index`). EINVAL: an INTID out of range or no such vCPU; ENXIO: any other type.
   */
  irqLine(type: number, index: number, id: number, level: boolean): void {
    if (type === KVM_ARM_IRQ_TYPE_PPI) {
      if (this.vm.vcpus[index] === undefined) fail('EINVAL', `no vCPU at index ${index}`);
      if (id < NR_SGIS || id >= NR_PRIVATE_IRQS) fail('EINVAL', `irq ${id} is not a PPI (16..31)`);
      this.lazyModel().setLevel(id, index, level);
      return;
    }
    if (type === KVM_ARM_IRQ_TYPE_SPI) {
      if (id < NR_PRIVATE_IRQS) fail('EINVAL', `irq ${id} is not an SPI (32 and up)`);
      const model = this.lazyModel();
      if (id >= model.nrIrqs) fail('EINVAL', `the vGIC has no SPI ${id} (it has ${model.nrIrqs} interrupts)`);
      model.setLevel(id, 0, level);
      return;
    }
    fail('ENXIO', `irq type ${type} is not for a VM with an in-kernel interrupt controller`);
  }

  /** The frames in the guest physical address map, or undefined while an address is missing. */
  frames(): Frame[] | undefined {
    if (this.isV3) {
      if (this.distBase === undefined || this.redistBase === undefined) return undefined;
      return [
        { base: this.distBase, size: BigInt(KVM_VGIC_V3_DIST_SIZE) },
        { base: this.redistBase, size: BigInt(KVM_VGIC_V3_REDIST_SIZE * this.vm.vcpus.length) },
      ];
    }
    if (this.distBase === undefined || this.cpuBase === undefined) return undefined;
    return [
      { base: this.distBase, size: BigInt(KVM_VGIC_V2_DIST_SIZE) },
      { base: this.cpuBase, size: BigInt(KVM_VGIC_V2_CPU_SIZE) },
    ];
  }

  private address(attr: bigint): bigint {
    const a = this.addressSlot(attr);
    return this[a] ?? VGIC_ADDR_UNDEF;
  }

  /**
   * GRP_ADDR set, with Linux's checks in its order: EEXIST when already set; EINVAL when not aligned (4 KiB on a
   * GICv2, 64 KiB on a GICv3) or, for the redistributors, overlapping the distributor; E2BIG beyond the IPA space.
   */
  private setAddress(attr: bigint, addr: bigint): void {
    const slot = this.addressSlot(attr);
    const what = `vGIC ${slot === 'distBase' ? 'distributor' : slot === 'cpuBase' ? 'CPU interface' : 'redistributor'}`;
    if (this[slot] !== undefined) fail('EEXIST', `${what} address is already set`);
    const size = slot === 'redistBase' ? BigInt(KVM_VGIC_V3_REDIST_SIZE * this.vm.vcpus.length)
      : BigInt(this.isV3 ? KVM_VGIC_V3_DIST_SIZE : slot === 'distBase' ? KVM_VGIC_V2_DIST_SIZE : KVM_VGIC_V2_CPU_SIZE);
    if (slot === 'redistBase' && this.distBase !== undefined &&
      overlap({ base: addr, size }, { base: this.distBase, size: BigInt(KVM_VGIC_V3_DIST_SIZE) })) {
      fail('EINVAL', `${what} frames at 0x${addr.toString(16)} overlap the distributor`);
    }
    const align = this.isV3 ? SZ_64K : SZ_4K;
    if (addr % align !== 0n) fail('EINVAL', `${what} address 0x${addr.toString(16)} is not aligned to 0x${align.toString(16)}`);
    if (addr + size > 1n << BigInt(this.vm.ipaBits)) {
      fail('E2BIG', `${what} at 0x${addr.toString(16)} ends beyond the ${this.vm.ipaBits}-bit IPA space`);
    }
    this[slot] = addr;
  }

  /** The field a GRP_ADDR attribute names; ENXIO for a type of the other GIC version or an unknown one. */
  private addressSlot(attr: bigint): 'distBase' | 'redistBase' | 'cpuBase' {
    const t = Number(attr & 0xffff_ffffn);
    if (attr >> 32n === 0n) {
      if (this.isV3 && t === KVM_VGIC_V3_ADDR_TYPE_DIST) return 'distBase';
      if (this.isV3 && t === KVM_VGIC_V3_ADDR_TYPE_REDIST) return 'redistBase';
      if (!this.isV3 && t === KVM_VGIC_V2_ADDR_TYPE_DIST) return 'distBase';
      if (!this.isV3 && t === KVM_VGIC_V2_ADDR_TYPE_CPU) return 'cpuBase';
    }
    fail('ENXIO', `vGIC: no address type ${attr} on a GICv${this.isV3 ? 3 : 2}`);
  }
}

/**
 * KVM_CREATE_DEVICE of a vGIC on `vm`. ENODEV: not KVM_DEV_TYPE_ARM_VGIC_V2 or _V3; EEXIST: the VM has an
 * in-kernel GIC already; EBUSY: a vCPU has run; E2BIG: a GICv2 for more than 8 vCPUs.
 */
export function createVgicDevice(vm: Vm, type: number): VgicDevice {
  if (type !== KVM_DEV_TYPE_ARM_VGIC_V3 && type !== KVM_DEV_TYPE_ARM_VGIC_V2) fail('ENODEV', `no device type ${type}`);
  if (vm.vgic !== undefined) fail('EEXIST', 'the VM already has an in-kernel interrupt controller');
  if (vm.hasRun) fail('EBUSY', 'a vCPU has already run');
  if (type === KVM_DEV_TYPE_ARM_VGIC_V2 && vm.vcpus.length > V2_MAX_VCPUS) {
    fail('E2BIG', `a GICv2 serves at most ${V2_MAX_VCPUS} vCPUs; the VM has ${vm.vcpus.length}`);
  }
  return new VgicDevice(vm, type);
}

function attrOf(a: DeviceAttr): bigint {
  const v = typeof a.attr === 'bigint' ? a.attr : Number.isSafeInteger(a.attr) ? BigInt(a.attr) : -1n;
  if (v < 0n || v >= 1n << 64n) fail('EINVAL', `attribute ${String(a.attr)} is not a u64`);
  return v;
}

function valueOf(a: DeviceAttr): bigint {
  const raw = a.value;
  const v = typeof raw === 'bigint' ? raw : typeof raw === 'number' && Number.isSafeInteger(raw) ? BigInt(raw) : -1n;
  if (v < 0n || v >= 1n << 64n) fail('EFAULT', `attribute value ${String(raw)} is not a u64`);
  return v;
}
