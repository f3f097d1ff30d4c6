/**
 * The vGIC's state in a snapshot, saved and restored through the device's register attributes as a VMM does it
 * with KVM (QEMU's GIC save/restore): every guest-visible register of the distributor, each vCPU's redistributor
 * (GICv3) or banked distributor registers and CPU interface (GICv2), the ICC_* registers and the interrupt line
 * levels. Stored in the devices section as `machine.gic`: the version and [group, attr, value] triples, hex strings.
 * Restoring writes them in the saved order (distributor first; GICD_CTLR last), so pending, active and enabled
 * interrupts come back exactly.
 *
 * With an ITS (a GICv3's, gic.ts) the save is QEMU's under KVM: KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES and
 * KVM_DEV_ARM_ITS_SAVE_TABLES first (they write the LPI pending tables and the ITS tables into guest RAM, which the
 * snapshot then holds), the redistributors' GICR_PROPBASER, PENDBASER and CTLR (EnableLPIs) with the other
 * registers, and the ITS's registers in `its` ([attr, value] of KVM_DEV_ARM_VGIC_GRP_ITS_REGS). The ITS is restored
 * after guest RAM ({@link restoreIts}): GITS_IIDR, CBASER, CREADR, CWRITER, the BASERs, ITS_RESTORE_TABLES, and
 * GITS_CTLR last. A snapshot without `its` leaves the ITS reset.
 */
import {
  GICC, GICD, GICD_V2, GICR, ICC_REGISTERS, KVM_DEV_ARM_VGIC_GRP_CPU_REGS, KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
  KVM_DEV_ARM_VGIC_GRP_DIST_REGS, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
  KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, mpidrForVcpuId, sysregId, type Device, type IccRegName, GITS,
  KVM_DEV_ARM_ITS_RESTORE_TABLES, KVM_DEV_ARM_ITS_SAVE_TABLES, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_GRP_ITS_REGS,
  KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES,
} from '@kvm-mte/kvm-core';
import type { GicVersion } from './gic.js';

/** A vGIC's state as the devices section stores it. */
export interface SavedGic {
  version: GicVersion;
  /** [group, attr, value] as hex strings, in restore order. */
  regs: [number, string, string][];
  /** The ITS's registers, [offset, value] as hex strings, in restore order (GITS_CTLR last); absent without an ITS. */
  its?: [string, string][];
}

/** The ITS registers a snapshot keeps, in restore order (QEMU's). */
const ITS_REGS: number[] = [
  GITS.IIDR, GITS.CBASER, GITS.CREADR, GITS.CWRITER, ...Array.from({ length: 8 }, (_, i) => GITS.BASER + 8 * i), GITS.CTLR,
];

const V3_ICC: IccRegName[] = [
  'ICC_SRE_EL1', 'ICC_CTLR_EL1', 'ICC_PMR_EL1', 'ICC_BPR0_EL1', 'ICC_BPR1_EL1', 'ICC_AP0R0_EL1', 'ICC_AP1R0_EL1',
  'ICC_IGRPEN0_EL1', 'ICC_IGRPEN1_EL1',
];

/** Per-interrupt registers of `bits` bits each over INTIDs [first, nrIrqs): their word offsets from `base`. */
function words(base: number, bits: number, first: number, nrIrqs: number): number[] {
  const out: number[] = [];
  for (let i = first; i < nrIrqs; i += 32 / bits) out.push(base + (i * bits) / 8);
  return out;
}

/** The attributes to save, in restore order, for a vGIC of `version` with `vcpus` vCPUs and `nrIrqs` interrupts. */
function attributes(version: 'v2' | 'v3', vcpus: number, nrIrqs: number, lpis: boolean): [number, bigint][] {
  const out: [number, bigint][] = [];
  const D = KVM_DEV_ARM_VGIC_GRP_DIST_REGS;
  if (version === 'v3') {
    const dist = [
      ...words(GICD.IGROUPR, 1, 32, nrIrqs), ...words(GICD.ISENABLER, 1, 32, nrIrqs), ...words(GICD.ISPENDR, 1, 32, nrIrqs),
      ...words(GICD.ISACTIVER, 1, 32, nrIrqs), ...words(GICD.IPRIORITYR, 8, 32, nrIrqs), ...words(GICD.ICFGR, 2, 32, nrIrqs),
    ];
    for (let i = 32; i < nrIrqs; i++) dist.push(GICD.IROUTER + 8 * i, GICD.IROUTER + 8 * i + 4);
    for (const o of [...dist, GICD.CTLR]) out.push([D, BigInt(o)]);
    for (let v = 0; v < vcpus; v++) {
      const m = mpidrForVcpuId(v);
      const aff = ((m >> 32n) << 56n) | ((m & 0xff_ffffn) << 32n);
      const lpiRegs = lpis ? [GICR.PROPBASER, GICR.PROPBASER + 4, GICR.PENDBASER, GICR.PENDBASER + 4, GICR.CTLR] : [];
      for (const o of [GICR.IGROUPR0, GICR.ISENABLER0, GICR.ISPENDR0, GICR.ISACTIVER0, GICR.ICFGR1, ...words(GICR.IPRIORITYR0, 8, 0, 32), ...lpiRegs]) {
        out.push([KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, aff | BigInt(o)]);
      }
      for (const n of V3_ICC) out.push([KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, aff | BigInt(sysregId(ICC_REGISTERS[n]))]);
      for (let intid = 0; intid < (v === 0 ? nrIrqs : 32); intid += 32) out.push([KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO, aff | BigInt(intid)]);
    }
    return out;
  }
  for (let v = 0; v < vcpus; v++) {
    const id = BigInt(v) << 32n;
    // vCPU 0 also saves the shared registers (the SPIs); every vCPU its banked ones (INTIDs 0..31).
    const last = v === 0 ? nrIrqs : 32;
    const dist = [
      ...words(GICD_V2.IGROUPR, 1, 0, last), ...words(GICD_V2.ISENABLER, 1, 0, last), ...words(GICD_V2.ISPENDR, 1, 0, last),
      ...words(GICD_V2.ISACTIVER, 1, 0, last), ...words(GICD_V2.IPRIORITYR, 8, 0, last), ...words(GICD_V2.ICFGR, 2, 0, last),
      ...words(GICD_V2.SPENDSGIR, 8, 0, 16),
    ];
    if (v === 0) dist.push(...words(GICD_V2.ITARGETSR, 8, 32, nrIrqs));
    for (const o of dist) out.push([D, id | BigInt(o)]);
    for (const o of [GICC.PMR, GICC.BPR, GICC.ABPR, GICC.APR0, GICC.CTLR]) out.push([KVM_DEV_ARM_VGIC_GRP_CPU_REGS, id | BigInt(o)]);
  }
  out.push([D, BigInt(GICD_V2.CTLR)]);
  return out;
}

/**
 * Save the vGIC's state through its attributes, and its ITS's (`its`): the LPI pending tables and the ITS tables go
 * into guest RAM first, so save RAM after this.
 */
export function saveGic(version: GicVersion, dev: Device | undefined, vcpus: number, its?: Device): SavedGic | undefined {
  if (version === 'none' || dev === undefined) return undefined;
  if (its !== undefined) {
    dev.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES });
    its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_ITS_SAVE_TABLES });
  }
  const nrIrqs = Number(dev.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_NR_IRQS, attr: 0 }));
  const regs = attributes(version, vcpus, nrIrqs, its !== undefined).map(([group, attr]): [number, string, string] =>
    [group, attr.toString(16), dev.getAttr({ group, attr }).toString(16)]);
  if (its === undefined) return { version, regs };
  const itsRegs = ITS_REGS.map((o): [string, string] =>
    [o.toString(16), its.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: o }).toString(16)]);
  return { version, regs, its: itsRegs };
}

const HEX64 = /^[0-9a-f]{1,16}$/;

/** Throw a RangeError unless `s` is a well-formed {@link SavedGic} of `version`. */
export function checkSavedGic(s: unknown, version: GicVersion): asserts s is SavedGic {
  const o = s as SavedGic | null;
  if (typeof o !== 'object' || o === null || o.version !== version || !Array.isArray(o.regs)) throw new RangeError('GIC state: bad form');
  for (const r of o.regs) {
    if (!Array.isArray(r) || r.length !== 3 || !Number.isInteger(r[0]) || typeof r[1] !== 'string' || !HEX64.test(r[1]) ||
      typeof r[2] !== 'string' || !HEX64.test(r[2])) throw new RangeError('GIC state: bad register entry');
  }
  if (o.its === undefined) return;
  if (!Array.isArray(o.its) || version !== 'v3') throw new RangeError('GIC state: bad ITS state');
  for (const r of o.its) {
    if (!Array.isArray(r) || r.length !== 2 || typeof r[0] !== 'string' || !HEX64.test(r[0]) || typeof r[1] !== 'string' ||
      !HEX64.test(r[1])) throw new RangeError('GIC state: bad ITS register entry');
  }
}

/** Put a saved vGIC state back (the device refuses what does not fit it: KvmError). Its ITS: {@link restoreIts}. */
export function restoreGic(dev: Device, saved: SavedGic): void {
  for (const [group, attr, value] of saved.regs) dev.setAttr({ group, attr: BigInt(`0x${attr}`), value: BigInt(`0x${value}`) });
}

/**
 * Put a saved ITS state back, after the vGIC's registers and guest RAM (its tables are there): the registers up to
 * the BASERs, KVM_DEV_ARM_ITS_RESTORE_TABLES, then GITS_CTLR. Nothing when the snapshot has no ITS state.
 */
export function restoreIts(its: Device, saved: SavedGic): void {
  if (saved.its === undefined) return;
  const ctlr = BigInt(GITS.CTLR).toString(16);
  const set = (attr: string, value: string) => its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_ITS_REGS, attr: BigInt(`0x${attr}`), value: BigInt(`0x${value}`) });
  for (const [attr, value] of saved.its) if (attr !== ctlr) set(attr, value);
  its.setAttr({ group: KVM_DEV_ARM_VGIC_GRP_CTRL, attr: KVM_DEV_ARM_ITS_RESTORE_TABLES });
  for (const [attr, value] of saved.its) if (attr === ctlr) set(attr, value);
}
