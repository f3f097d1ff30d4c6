/**
 * The GICv3 ITS as KVM's device API exposes it (KVM_CREATE_DEVICE with KVM_DEV_TYPE_ARM_VGIC_ITS), with Linux's
 * errno values: GRP_ADDR KVM_VGIC_ITS_ADDR_TYPE (the 128 KiB frame pair, 64 KiB aligned, set once), GRP_CTRL
 * (CTRL_INIT: nothing to do; ITS_CTRL_RESET; ITS_SAVE_TABLES and ITS_RESTORE_TABLES, vgic/its-tables.ts) and
 * GRP_ITS_REGS (GITS_CTLR, IIDR and the ID registers as u32 at 4-aligned offsets, TYPER, CBASER, CWRITER, CREADR
 * and BASER<n> as u64 at 8-aligned ones). What the guest sees is the model in vgic/its.ts.
 *
 * The VM must have a vGICv3 device when the ITS is created (ENODEV otherwise: KVM accepts the device and its
 * interrupts then go nowhere). Creating it gives the vGICv3 LPIs (KVM's has_its). User-space register writes
 * differ from the guest's in: GITS_IIDR sets the table ABI revision (EINVAL: one KVM does not know), GITS_CREADR
 * can be written (EBUSY while the ITS is enabled, EINVAL beyond the queue). A VMM restores, in this order: IIDR,
 * CBASER, CREADR, CWRITER, the BASERs, RESTORE_TABLES (after the vGICv3's registers and guest RAM), CTLR last.
 */
import { fail } from './errors.js';
import type { Vm } from './kvm.js';
import {
  KVM_DEV_ARM_ITS_CTRL_RESET, KVM_DEV_ARM_ITS_RESTORE_TABLES, KVM_DEV_ARM_ITS_SAVE_TABLES, KVM_DEV_ARM_VGIC_CTRL_INIT,
  KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_GRP_ITS_REGS, KVM_DEV_TYPE_ARM_VGIC_ITS,
  KVM_VGIC_ITS_ADDR_TYPE, KVM_VGIC_V3_ITS_SIZE,
} from './uapi.js';
import { VGIC_ADDR_UNDEF, type Device, type DeviceAttr, type VgicDevice } from './vgic-device.js';
import { vmGuestMemory } from './vgic-guest-memory.js';
import { Its, isItsDword, isItsRegister } from './vgic/its.js';
import { cbaserBytes, cmdOffset, GITS, gitsIidrRevision, ITS_ABI_REVISIONS } from './vgic/its-registers.js';
import { restoreItsTables, saveItsTables } from './vgic/its-tables.js';

const SZ_64K = 0x1_0000n;

/** An ITS device of a VM (KVM_DEV_TYPE_ARM_VGIC_ITS). */
export class VgicItsDevice implements Device {
  readonly type = KVM_DEV_TYPE_ARM_VGIC_ITS;
  /** The model: registers, command queue, translations. */
  readonly its: Its;
  /** The frames' guest physical base (GRP_ADDR), undefined until set. */
  base: bigint | undefined;

  /** @internal Made by {@link createItsDevice}. */
  constructor(readonly vm: Vm, readonly gic: VgicDevice) {
    this.its = new Its({
      memory: vmGuestMemory(vm),
      nrVcpus: () => vm.vcpus.length,
      lpis: () => gic.v3?.lpis,
    });
  }

  setAttr(a: DeviceAttr): void {
    const attr = u64(a.attr, 'EINVAL', 'attribute');
    switch (a.group) {
      case KVM_DEV_ARM_VGIC_GRP_ADDR:
        if (attr !== BigInt(KVM_VGIC_ITS_ADDR_TYPE)) fail('ENODEV', `ITS: no address type ${attr}`);
        this.setBase(u64(a.value, 'EFAULT', 'address'));
        return;
      case KVM_DEV_ARM_VGIC_GRP_CTRL:
        this.control(attr);
        return;
      case KVM_DEV_ARM_VGIC_GRP_ITS_REGS:
        this.writeReg(this.regOffset(attr), u64(a.value, 'EFAULT', 'register value'));
        return;
    }
    fail('ENXIO', `ITS: no attribute group ${a.group}`);
  }

  getAttr(a: DeviceAttr): bigint {
    const attr = u64(a.attr, 'EINVAL', 'attribute');
    switch (a.group) {
      case KVM_DEV_ARM_VGIC_GRP_ADDR:
        if (attr !== BigInt(KVM_VGIC_ITS_ADDR_TYPE)) fail('ENODEV', `ITS: no address type ${attr}`);
        return this.base ?? VGIC_ADDR_UNDEF;
      case KVM_DEV_ARM_VGIC_GRP_ITS_REGS: {
        const offset = this.regOffset(attr);
        return this.its.read(offset, isItsDword(offset) ? 8 : 4);
      }
    }
    fail('ENXIO', `ITS: no readable attribute group ${a.group}`);
  }

  hasAttr(a: DeviceAttr): boolean {
    const attr = u64(a.attr, 'EINVAL', 'attribute');
    switch (a.group) {
      case KVM_DEV_ARM_VGIC_GRP_ADDR:
        return attr === BigInt(KVM_VGIC_ITS_ADDR_TYPE);
      case KVM_DEV_ARM_VGIC_GRP_CTRL:
        return [KVM_DEV_ARM_VGIC_CTRL_INIT, KVM_DEV_ARM_ITS_CTRL_RESET, KVM_DEV_ARM_ITS_SAVE_TABLES, KVM_DEV_ARM_ITS_RESTORE_TABLES]
          .some((c) => attr === BigInt(c));
      case KVM_DEV_ARM_VGIC_GRP_ITS_REGS: {
        if (attr > 0xffff_ffffn) return false;
        const offset = Number(attr);
        if (offset % alignment(offset) !== 0) fail('EINVAL', `ITS register offset 0x${offset.toString(16)} is misaligned`);
        return isItsRegister(offset);
      }
      default:
        return false;
    }
  }

  /** A guest access of `len` bytes at `ipa`, when it falls in the ITS's frames: done, and true. */
  mmio(ipa: bigint, len: number, isWrite: boolean, value: bigint): { value: bigint } | undefined {
    if (this.base === undefined || ipa < this.base || ipa >= this.base + BigInt(KVM_VGIC_V3_ITS_SIZE)) return undefined;
    const offset = Number(ipa - this.base);
    if (isWrite) {
      this.its.write(offset, len, value);
      return { value: 0n };
    }
    return { value: this.its.read(offset, len) };
  }

  /** GRP_ADDR (vgic_check_ioaddr): EEXIST when set, EINVAL unaligned to 64 KiB, E2BIG beyond the IPA space. */
  private setBase(addr: bigint): void {
    if (this.base !== undefined) fail('EEXIST', 'ITS address is already set');
    if (addr % SZ_64K !== 0n) fail('EINVAL', `ITS address 0x${addr.toString(16)} is not aligned to 64 KiB`);
    if (addr + SZ_64K > 1n << BigInt(this.vm.ipaBits)) fail('E2BIG', `ITS at 0x${addr.toString(16)} ends beyond the ${this.vm.ipaBits}-bit IPA space`);
    this.base = addr;
  }

  private control(attr: bigint): void {
    switch (Number(attr)) {
      case KVM_DEV_ARM_VGIC_CTRL_INIT:
        return;
      case KVM_DEV_ARM_ITS_CTRL_RESET:
        this.its.reset();
        return;
      case KVM_DEV_ARM_ITS_SAVE_TABLES:
        saveItsTables(this.its);
        return;
      case KVM_DEV_ARM_ITS_RESTORE_TABLES:
        restoreItsTables(this.its);
        return;
    }
    fail('ENXIO', `ITS: no control attribute ${attr}`);
  }

  /** A GRP_ITS_REGS offset: EINVAL misaligned, ENXIO with no address set or no register there. */
  private regOffset(attr: bigint): number {
    if (attr > 0xffff_ffffn) fail('ENXIO', `ITS: no register at offset ${attr}`);
    const offset = Number(attr);
    if (offset % alignment(offset) !== 0) fail('EINVAL', `ITS register offset 0x${offset.toString(16)} is misaligned`);
    if (this.base === undefined) fail('ENXIO', 'ITS: set its address (KVM_VGIC_ITS_ADDR_TYPE) before its registers');
    if (!isItsRegister(offset)) fail('ENXIO', `ITS: no register at offset 0x${offset.toString(16)}`);
    return offset;
  }

  private writeReg(offset: number, value: bigint): void {
    const its = this.its;
    if (offset === GITS.IIDR) {
      const rev = gitsIidrRevision(Number(value & 0xffff_ffffn));
      if (rev >= ITS_ABI_REVISIONS) fail('EINVAL', `ITS: table ABI revision ${rev} is not one KVM knows`);
      its.abiRevision = rev;
      return;
    }
    if (offset === GITS.CREADR) {
      if (its.enabled) fail('EBUSY', 'ITS: GITS_CREADR cannot be set while the ITS is enabled');
      const at = cmdOffset(value);
      if (at >= cbaserBytes(its.cbaser)) fail('EINVAL', `ITS: GITS_CREADR 0x${at.toString(16)} is beyond the command queue`);
      its.creadr = at;
      return;
    }
    const dword = isItsDword(offset);
    if (!dword && value > 0xffff_ffffn) fail('EINVAL', `ITS register value 0x${value.toString(16)} is not a u32`);
    its.write(offset, dword ? 8 : 4, value);
  }
}

/** Register offsets below GITS_TYPER and from the ID registers are 32-bit, the others 64-bit (KVM's rule). */
function alignment(offset: number): number {
  return offset < GITS.TYPER || offset >= GITS.IDREGS ? 4 : 8;
}

function u64(v: bigint | number | undefined, errno: 'EINVAL' | 'EFAULT', what: string): bigint {
  const b = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : -1n;
  if (b < 0n || b >= 1n << 64n) fail(errno, `ITS: ${what} ${String(v)} is not a u64`);
  return b;
}

/**
 * KVM_CREATE_DEVICE of an ITS on `vm`: ENODEV when the VM has no vGICv3 device. The vGICv3 has LPIs from now on.
 */
export function createItsDevice(vm: Vm): VgicItsDevice {
  const gic = vm.vgic;
  if (gic === undefined || !gic.isV3) fail('ENODEV', 'an ITS needs the VM\'s vGICv3 device (KVM_DEV_TYPE_ARM_VGIC_V3) first');
  const dev = new VgicItsDevice(vm, gic);
  gic.its.push(dev);
  if (gic.v3 !== undefined) {
    gic.v3.hasLpis = true;
    gic.v3.refreshAll();
  }
  return dev;
}
