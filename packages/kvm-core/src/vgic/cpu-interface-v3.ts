/**
 * The GICv3 CPU interface system registers (IHI 0069 §12.2), one set per vCPU, as KVM presents them to a guest
 * with ICC_SRE_EL1.SRE = 1 and a single security state: their names and encodings (so MRS/MSR can be routed by
 * op0/op1/CRn/CRm/op2), and what reads and writes do.
 *
 * With 5 priority bits only ICC_AP0R0_EL1 and ICC_AP1R0_EL1 exist (AP{0,1}R{1,2,3} are UNDEFINED: not in the
 * table). A read of a write-only register (EOIR, DIR, SGI*R) returns 0 and a write of a read-only one (IAR,
 * HPPIR, RPR) is ignored here; the table's `access` tells the caller which accesses the architecture UNDEFs.
 */
import { fail } from '../errors.js';
import { IDLE_PRIORITY, INTID_SPURIOUS, PRIORITY_BITS } from './constants.js';
import type { VgicV3 } from './vgic-v3.js';

/** One ICC register: its system-register encoding and which accesses exist. */
export interface IccRegDef {
  readonly op0: number;
  readonly op1: number;
  readonly crn: number;
  readonly crm: number;
  readonly op2: number;
  readonly access: 'r' | 'w' | 'rw';
}

const reg = (crn: number, crm: number, op2: number, access: IccRegDef['access']): IccRegDef =>
  ({ op0: 3, op1: 0, crn, crm, op2, access });

/** The ICC_* registers of the model, by name. */
export const ICC_REGISTERS = {
  ICC_PMR_EL1: reg(4, 6, 0, 'rw'),
  ICC_IAR0_EL1: reg(12, 8, 0, 'r'),
  ICC_EOIR0_EL1: reg(12, 8, 1, 'w'),
  ICC_HPPIR0_EL1: reg(12, 8, 2, 'r'),
  ICC_BPR0_EL1: reg(12, 8, 3, 'rw'),
  ICC_AP0R0_EL1: reg(12, 8, 4, 'rw'),
  ICC_AP1R0_EL1: reg(12, 9, 0, 'rw'),
  ICC_DIR_EL1: reg(12, 11, 1, 'w'),
  ICC_RPR_EL1: reg(12, 11, 3, 'r'),
  ICC_SGI1R_EL1: reg(12, 11, 5, 'w'),
  ICC_ASGI1R_EL1: reg(12, 11, 6, 'w'),
  ICC_SGI0R_EL1: reg(12, 11, 7, 'w'),
  ICC_IAR1_EL1: reg(12, 12, 0, 'r'),
  ICC_EOIR1_EL1: reg(12, 12, 1, 'w'),
  ICC_HPPIR1_EL1: reg(12, 12, 2, 'r'),
  ICC_BPR1_EL1: reg(12, 12, 3, 'rw'),
  ICC_CTLR_EL1: reg(12, 12, 4, 'rw'),
  ICC_SRE_EL1: reg(12, 12, 5, 'rw'),
  ICC_IGRPEN0_EL1: reg(12, 12, 6, 'rw'),
  ICC_IGRPEN1_EL1: reg(12, 12, 7, 'rw'),
} as const satisfies Record<string, IccRegDef>;

/** The name of an ICC register of the model. */
export type IccRegName = keyof typeof ICC_REGISTERS;

/** The 16-bit system-register id of an encoding, as KVM's GRP_CPU_SYSREGS attribute and ARM64_SYS_REG use it. */
export function sysregId(d: Pick<IccRegDef, 'op0' | 'op1' | 'crn' | 'crm' | 'op2'>): number {
  return ((d.op0 & 3) << 14) | ((d.op1 & 7) << 11) | ((d.crn & 15) << 7) | ((d.crm & 15) << 3) | (d.op2 & 7);
}

const BY_ID = new Map<number, IccRegName>(
  (Object.keys(ICC_REGISTERS) as IccRegName[]).map((n) => [sysregId(ICC_REGISTERS[n]), n]),
);

/** The ICC register with this encoding, or undefined (not a register of the model: UNDEFINED). */
export function iccByEncoding(op0: number, op1: number, crn: number, crm: number, op2: number): IccRegName | undefined {
  return BY_ID.get(sysregId({ op0, op1, crn, crm, op2 }));
}

/** The ICC register with this 16-bit system-register id, or undefined. */
export function iccBySysregId(id: number): IccRegName | undefined {
  return BY_ID.get(id);
}

/** ICC_CTLR_EL1 bits. */
export const ICC_CTLR = {
  CBPR: 1 << 0,
  EOI_MODE: 1 << 1,
  /** PRIbits [10:8]: priority bits minus one. */
  PRI_BITS: (PRIORITY_BITS - 1) << 8,
  /** IDbits [13:11] = 0: 16 INTID bits. */
  ID_BITS: 0 << 11,
  /** SEIS [14] = 0: no local SError generation. */
  SEIS: 0 << 14,
  /** A3V [15] = 1: Aff3 may be non-zero in SGI generation. */
  A3V: 1 << 15,
} as const;
/** The read-only part of ICC_CTLR_EL1. */
const CTLR_FIXED = ICC_CTLR.PRI_BITS | ICC_CTLR.ID_BITS | ICC_CTLR.SEIS | ICC_CTLR.A3V;
const CTLR_FIXED_MASK = (7 << 8) | (7 << 11) | (1 << 14) | (1 << 15);
/** ICC_SRE_EL1 as KVM fixes it: SRE, DFB, DIB all one. */
export const ICC_SRE_VALUE = 0x7;

/** Which registers user space may save and restore (KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS). */
const USER_REGS = new Set<IccRegName>([
  'ICC_PMR_EL1', 'ICC_BPR0_EL1', 'ICC_AP0R0_EL1', 'ICC_AP1R0_EL1', 'ICC_BPR1_EL1', 'ICC_CTLR_EL1', 'ICC_SRE_EL1',
  'ICC_IGRPEN0_EL1', 'ICC_IGRPEN1_EL1',
]);

/** The guest's read of `name` on `vcpu` (an acknowledge for IAR0/IAR1). */
export function iccRead(gic: VgicV3, vcpu: number, name: IccRegName): bigint {
  const cpu = gic.cpus[vcpu]!;
  switch (name) {
    case 'ICC_PMR_EL1':
      return BigInt(cpu.pmr);
    case 'ICC_IAR0_EL1':
    case 'ICC_IAR1_EL1':
      return BigInt(gic.acknowledgeGroup(vcpu, name === 'ICC_IAR0_EL1' ? 0 : 1));
    case 'ICC_HPPIR0_EL1':
    case 'ICC_HPPIR1_EL1': {
      const best = gic.hppi(vcpu);
      const group = name === 'ICC_HPPIR0_EL1' ? 0 : 1;
      return BigInt(best !== undefined && best.group === group ? best.intid : INTID_SPURIOUS);
    }
    case 'ICC_BPR0_EL1':
      return BigInt(cpu.bpr0);
    case 'ICC_BPR1_EL1':
      return BigInt(cpu.cbpr ? Math.min(cpu.bpr0 + 1, 7) : cpu.bpr1);
    case 'ICC_AP0R0_EL1':
      return BigInt(cpu.ap[0]);
    case 'ICC_AP1R0_EL1':
      return BigInt(cpu.ap[1]);
    case 'ICC_RPR_EL1': {
      const rp = cpu.runningPriority();
      return BigInt(rp === IDLE_PRIORITY ? 0xff : rp);
    }
    case 'ICC_CTLR_EL1':
      return BigInt((cpu.cbpr ? ICC_CTLR.CBPR : 0) | (cpu.eoiMode ? ICC_CTLR.EOI_MODE : 0) | CTLR_FIXED);
    case 'ICC_SRE_EL1':
      return BigInt(ICC_SRE_VALUE);
    case 'ICC_IGRPEN0_EL1':
      return cpu.grpEn0 ? 1n : 0n;
    case 'ICC_IGRPEN1_EL1':
      return cpu.grpEn1 ? 1n : 0n;
    default:
      return 0n; // write-only
  }
}

/** The guest's write of `value` to `name` on `vcpu`. */
export function iccWrite(gic: VgicV3, vcpu: number, name: IccRegName, value: bigint): void {
  const cpu = gic.cpus[vcpu]!;
  const lo = Number(value & 0xffff_ffffn);
  switch (name) {
    case 'ICC_PMR_EL1':
      cpu.setPmr(lo & 0xff);
      break;
    case 'ICC_EOIR0_EL1':
    case 'ICC_EOIR1_EL1':
      gic.endOfInterrupt(vcpu, lo & 0xff_ffff, name === 'ICC_EOIR0_EL1' ? 0 : 1);
      return;
    case 'ICC_DIR_EL1':
      // With EOImode 0 a write to ICC_DIR_EL1 is UNPREDICTABLE: ignored.
      if (cpu.eoiMode) gic.deactivateIntid(vcpu, lo & 0xff_ffff);
      return;
    case 'ICC_BPR0_EL1':
      cpu.setBpr(0, lo);
      break;
    case 'ICC_BPR1_EL1':
      if (!cpu.cbpr) cpu.setBpr(1, lo); // with CBPR, ICC_BPR1_EL1 is an alias of BPR0 + 1: writes ignored
      break;
    case 'ICC_AP0R0_EL1':
      cpu.ap[0] = lo >>> 0;
      break;
    case 'ICC_AP1R0_EL1':
      cpu.ap[1] = lo >>> 0;
      break;
    case 'ICC_CTLR_EL1':
      cpu.cbpr = (lo & ICC_CTLR.CBPR) !== 0;
      cpu.eoiMode = (lo & ICC_CTLR.EOI_MODE) !== 0;
      break;
    case 'ICC_IGRPEN0_EL1':
      cpu.grpEn0 = (lo & 1) !== 0;
      break;
    case 'ICC_IGRPEN1_EL1':
      cpu.grpEn1 = (lo & 1) !== 0;
      break;
    case 'ICC_SGI1R_EL1':
      gic.dispatchSgi(vcpu, value, true);
      return;
    case 'ICC_SGI0R_EL1':
    case 'ICC_ASGI1R_EL1':
      gic.dispatchSgi(vcpu, value, false);
      return;
    default:
      return; // read-only (IAR, HPPIR, RPR) and ICC_SRE_EL1 (fixed)
  }
  gic.refresh(vcpu);
}

/** User-space read of a CPU system register by 16-bit id (GRP_CPU_SYSREGS). ENXIO for a register not saved. */
export function iccUserRead(gic: VgicV3, vcpu: number, id: number): bigint {
  const name = userReg(id);
  if (name === 'ICC_BPR1_EL1') return BigInt(gic.cpus[vcpu]!.bpr1); // the stored value, whatever CBPR says
  return iccRead(gic, vcpu, name);
}

/**
 * User-space write of a CPU system register by 16-bit id. ICC_CTLR_EL1's read-only fields (PRIbits, IDbits, SEIS,
 * A3V) and ICC_SRE_EL1.SRE must match what the model reads (EINVAL otherwise); ICC_BPR1_EL1 is stored even with
 * CBPR set.
 */
export function iccUserWrite(gic: VgicV3, vcpu: number, id: number, value: bigint): void {
  const name = userReg(id);
  const lo = Number(value & 0xffff_ffffn);
  if (name === 'ICC_CTLR_EL1' && ((lo & CTLR_FIXED_MASK) !== CTLR_FIXED || value >> 32n !== 0n)) {
    fail('EINVAL', `ICC_CTLR_EL1: 0x${value.toString(16)} changes read-only fields (PRIbits, IDbits, SEIS, A3V)`);
  }
  if (name === 'ICC_SRE_EL1') {
    if ((lo & 1) === 0) fail('EINVAL', 'ICC_SRE_EL1: SRE cannot be cleared (system register interface only)');
    return;
  }
  if (name === 'ICC_BPR1_EL1') {
    gic.cpus[vcpu]!.setBpr(1, lo);
    gic.refresh(vcpu);
    return;
  }
  iccWrite(gic, vcpu, name, value);
}

function userReg(id: number): IccRegName {
  const name = iccBySysregId(id);
  if (name === undefined || !USER_REGS.has(name)) {
    fail('ENXIO', `vGIC CPU sysregs: 0x${id.toString(16)} is not a saved ICC register`);
  }
  return name;
}
