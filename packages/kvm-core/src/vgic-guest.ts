/**
 * What a guest sees of the in-kernel vGIC: its MMIO frames and its ITSes' (vgic-its-device.ts), which kvm-core
 * serves without an exit to the VMM (Linux's KVM I/O bus), the GICv3 system-register CPU interface (ICC_*) through the CPU's `sysRegPort`, and
 * ID_AA64PFR0_EL1.GIC, which reads 1 with a vGICv3 (the system-register interface exists) and 0 otherwise.
 */
import { type Cpu, SysReg, type SysRegPort } from '@kvm-mte/aarch64-cpu';
import { ICC_REGISTERS, iccBySysregId } from './vgic/cpu-interface-v3.js';
import { VgicV3 } from './vgic/vgic-v3.js';
import type { VgicDevice } from './vgic-device.js';

/** ID_AA64PFR0_EL1.GIC, bits [27:24]. */
const PFR0_GIC_SHIFT = 24n;
const PFR0_GIC_MASK = 0xfn << PFR0_GIC_SHIFT;
/** The redistributor of each vCPU: 128 KiB (RD_base and SGI_base). */
const REDIST_STRIDE = 0x2_0000;

/**
 * A guest access of `len` bytes at `ipa` by the vCPU at `index`, when it falls in one of the vGIC's frames: done on
 * the model (a read's value goes into `data`, little-endian; a write's comes from it) and true. False when the
 * address is not the vGIC's (or the vGIC is not running yet): the access is for the VMM.
 */
export function vgicMmio(dev: VgicDevice, index: number, ipa: bigint, len: number, isWrite: boolean, data: Uint8Array): boolean {
  const gic = dev.model;
  if (gic === undefined) return false;
  let value = 0n;
  if (isWrite) for (let i = len - 1; i >= 0; i--) value = (value << 8n) | BigInt(data[i]!);
  const at = (base: bigint | undefined, size: number): number => {
    if (base === undefined || ipa < base || ipa >= base + BigInt(size)) return -1;
    return Number(ipa - base);
  };
  let read: bigint;
  if (gic instanceof VgicV3) {
    const d = at(dev.distBase, 0x1_0000);
    const r = at(dev.redistBase, REDIST_STRIDE * gic.nrVcpus);
    if (d >= 0) {
      if (isWrite) gic.distWrite(d, len, value);
      read = isWrite ? 0n : gic.distRead(d, len);
    } else if (r >= 0) {
      const rd = Math.floor(r / REDIST_STRIDE);
      const off = r % REDIST_STRIDE;
      if (isWrite) gic.redistWrite(rd, off, len, value);
      read = isWrite ? 0n : gic.redistRead(rd, off, len);
    } else {
      let hit: { value: bigint } | undefined;
      for (const its of dev.its) if ((hit = its.mmio(ipa, len, isWrite, value)) !== undefined) break;
      if (hit === undefined) return false;
      read = hit.value;
    }
  } else {
    const d = at(dev.distBase, 0x1000);
    const c = at(dev.cpuBase, 0x2000);
    if (d >= 0) {
      if (isWrite) gic.distWrite(index, d, len, value);
      read = isWrite ? 0n : gic.distRead(index, d, len);
    } else if (c >= 0) {
      if (isWrite) gic.cpuWrite(index, c, len, value);
      read = isWrite ? 0n : gic.cpuRead(index, c, len);
    } else {
      return false;
    }
  }
  if (!isWrite) for (let i = 0; i < len; i++) data[i] = Number((read >> BigInt(8 * i)) & 0xffn);
  return true;
}

/**
 * The ICC_* registers of the vCPU at `index` as the CPU's system-register port: an encoding the model has, with the
 * access its table allows (a read of a write-only register, a write of a read-only one: UNDEFINED). Keys are the
 * 16-bit encodings the model's `sysregId` also uses.
 */
export class IccSysRegPort implements SysRegPort {
  constructor(private readonly dev: VgicDevice, private readonly index: number) {}

  read(key: number): bigint | undefined {
    const gic = this.dev.v3;
    const name = iccBySysregId(key);
    if (gic === undefined || name === undefined || ICC_REGISTERS[name].access === 'w') return undefined;
    return gic.iccRead(this.index, name);
  }

  write(key: number, value: bigint): boolean {
    const gic = this.dev.v3;
    const name = iccBySysregId(key);
    if (gic === undefined || name === undefined || ICC_REGISTERS[name].access === 'r') return false;
    gic.iccWrite(this.index, name, value);
    return true;
  }
}

/**
 * Give the CPU of the vCPU at `index` what the VM's vGIC means for it: with a GICv3, the ICC_* registers and
 * ID_AA64PFR0_EL1.GIC = 1; with a GICv2 or none, no ICC_* registers and GIC = 0.
 */
export function attachVgic(dev: VgicDevice | undefined, index: number, cpu: Cpu): void {
  const v3 = dev !== undefined && dev.isV3;
  cpu.sysRegPort = v3 ? new IccSysRegPort(dev, index) : undefined;
  const pfr0 = cpu.sys[SysReg.ID_AA64PFR0_EL1]! & ~PFR0_GIC_MASK;
  cpu.sys[SysReg.ID_AA64PFR0_EL1] = v3 ? pfr0 | (1n << PFR0_GIC_SHIFT) : pfr0;
}
