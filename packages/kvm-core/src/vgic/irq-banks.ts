/**
 * The per-interrupt register banks the GICv2 distributor, the GICv3 distributor and the GICv3 redistributor share:
 * IGROUPR, ISENABLER/ICENABLER, ISPENDR/ICPENDR, ISACTIVER/ICACTIVER (1 bit an interrupt), IPRIORITYR (a byte),
 * ICFGR (2 bits). Each function handles one 32-bit word (IPRIORITYR: one byte) whose first interrupt is
 * `first`, as vCPU `vcpu` sees the banked ones, and skips INTIDs the vGIC does not have.
 */
import { NR_PRIVATE_IRQS, NR_SGIS, PRIORITY_MASK } from './constants.js';
import type { IrqState } from './irq-state.js';
import type { VgicModel } from './vgic-model.js';

/** The bit registers, by what they read. */
export type BitBank = 'group' | 'enable' | 'pending' | 'active' | 'latch';

function bitOf(irq: IrqState, bank: BitBank): boolean {
  switch (bank) {
    case 'group':
      return irq.group === 1;
    case 'enable':
      return irq.enabled;
    case 'pending':
      return irq.pending;
    case 'latch':
      return irq.pendingLatch;
    case 'active':
      return irq.active;
  }
}

/** Read a 1-bit-per-interrupt word: bit i is `bank`'s state of INTID `first + i`. */
export function readBits(gic: VgicModel, vcpu: number, first: number, bank: BitBank): number {
  let value = 0;
  for (let i = 0; i < 32; i++) {
    const irq = gic.irqs.get(vcpu, first + i);
    if (irq !== undefined && bitOf(irq, bank)) value |= 1 << i;
  }
  return value >>> 0;
}

/** What a write does to each interrupt whose bit is set (or, for 'group', to every interrupt). */
export type BitWrite =
  | 'group'
  | 'set-enable'
  | 'clear-enable'
  | 'set-pending'
  | 'clear-pending'
  | 'set-active'
  | 'clear-active';

/** Options of `writeBits`. */
export interface BitWriteOptions {
  /** GICv2: GICD_ISPENDR0 / GICD_ICPENDR0 SGI bits are WI (SGIs pend through GICD_SGIR / GICD_SPENDSGIR). */
  readonly sgiPendingWi?: boolean;
}

/** Apply a write of `value` to the 1-bit-per-interrupt word of INTIDs `first..first+31`. */
export function writeBits(
  gic: VgicModel, vcpu: number, first: number, op: BitWrite, value: number, options: BitWriteOptions = {},
): void {
  for (let i = 0; i < 32; i++) {
    const irq = gic.irqs.get(vcpu, first + i);
    if (irq === undefined) continue;
    const bit = ((value >>> i) & 1) === 1;
    if (op === 'group') {
      if (irq.group === (bit ? 1 : 0)) continue;
      irq.group = bit ? 1 : 0;
    } else {
      if (!bit) continue;
      const pendingOp = op === 'set-pending' || op === 'clear-pending';
      if (pendingOp && options.sgiPendingWi === true && irq.intid < NR_SGIS) continue;
      switch (op) {
        case 'set-enable':
          irq.enabled = true;
          break;
        case 'clear-enable':
          irq.enabled = false;
          break;
        case 'set-pending':
          irq.pendingLatch = true;
          break;
        case 'clear-pending':
          irq.pendingLatch = false;
          break;
        case 'set-active':
          irq.active = true;
          break;
        case 'clear-active':
          irq.active = false;
          break;
      }
    }
    gic.changed(vcpu, irq);
  }
}

/** Read the IPRIORITYR byte of INTID `intid` (0 for an INTID the vGIC does not have). */
export function readPriority(gic: VgicModel, vcpu: number, intid: number): number {
  return gic.irqs.get(vcpu, intid)?.priority ?? 0;
}

/** Write the IPRIORITYR byte of INTID `intid`; bits [2:0] are RAZ/WI (5 priority bits, as KVM). */
export function writePriority(gic: VgicModel, vcpu: number, intid: number, value: number): void {
  const irq = gic.irqs.get(vcpu, intid);
  if (irq === undefined) return;
  irq.priority = value & PRIORITY_MASK;
  gic.changed(vcpu, irq);
}

/** Read an ICFGR word: INTIDs `first..first+15`, 0b10 for each edge-triggered one. */
export function readConfig(gic: VgicModel, vcpu: number, first: number): number {
  let value = 0;
  for (let i = 0; i < 16; i++) {
    const irq = gic.irqs.get(vcpu, first + i);
    if (irq !== undefined && irq.edge) value |= 2 << (2 * i);
  }
  return value >>> 0;
}

/**
 * Write an ICFGR word. SGIs (always edge) and PPIs (level, as KVM: the timer relies on it) are read-only; for an
 * SPI bit 2i+1 selects edge-triggered.
 */
export function writeConfig(gic: VgicModel, vcpu: number, first: number, value: number): void {
  for (let i = 0; i < 16; i++) {
    const intid = first + i;
    if (intid < NR_PRIVATE_IRQS) continue;
    const irq = gic.irqs.get(vcpu, intid);
    if (irq === undefined) continue;
    irq.edge = ((value >>> (2 * i + 1)) & 1) === 1;
    gic.changed(vcpu, irq);
  }
}
