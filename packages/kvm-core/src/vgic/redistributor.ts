/**
 * A GICv3 redistributor (IHI 0069 §12.10-12.11): two 64 KiB frames per vCPU, RD_base (control and identification)
 * and SGI_base (that vCPU's SGIs and PPIs: the bank-0 registers the distributor leaves RAZ/WI). With an ITS
 * (`gic.hasLpis`) GICR_CTLR.EnableLPIs, PROPBASER (one for all redistributors, as KVM), PENDBASER (PTZ reads 0;
 * both ignore writes while EnableLPIs is set), INVLPIR and INVALLR (lower word; while EnableLPIs is set) work and
 * GICR_TYPER.PLPIS is set (its-lpis.ts); without one they are RAZ/WI. SYNCR reads 0 (idle): every change is done
 * when its write completes.
 *
 * GICR_WAKER: ProcessorSleep is kept (reset 0: awake, as KVM, whose WAKER is RAZ/WI) and ChildrenAsleep reads as
 * its copy; the vCPU's interrupts are delivered either way (there is no power management to model).
 * GICR_TYPER: Processor_Number is the vCPU index, Affinity its MPIDR's Aff2.Aff1.Aff0, Last set on the last vCPU.
 *
 * User-space view (KVM_DEV_ARM_VGIC_GRP_REDIST_REGS): ISPENDR0 reads the latch and a write sets each latch to
 * its bit; ICPENDR0 is RAZ/WI; TYPER ignores writes.
 */
import { FIRST_LPI, iidr, NR_PRIVATE_IRQS } from './constants.js';
import { GICR_CTLR_ENABLE_LPIS, GICR_TYPER_PLPIS, half, updateHalf } from './its-registers.js';
import { readBits, readConfig, readPriority, writeBits, writeConfig, writePriority } from './irq-banks.js';
import type { AccessClass, RegisterFrame } from './mmio.js';
import {
  GICR, GICR_CTLR_CES, GICR_CTLR_IR, GICR_FRAME_SIZE, GICR_TYPER_LAST, GICR_WAKER_CHILDREN_ASLEEP,
  GICR_WAKER_PROCESSOR_SLEEP, PIDR2_V3,
} from './registers-v3.js';
import type { VgicV3 } from './vgic-v3.js';

/** GICR_IIDR as KVM reports it: ProductID and Implementer, revision 0. */
const GICR_IIDR_VALUE = iidr(0);

function inRange(offset: number, base: number, length: number): boolean {
  return offset >= base && offset < base + length;
}

/** GICR_TYPER of vCPU `rd`'s redistributor, as a 64-bit value. */
export function redistTyper(gic: VgicV3, rd: number): bigint {
  const low = ((rd & 0xffff) << 8) | (rd === gic.nrVcpus - 1 ? GICR_TYPER_LAST : 0) | (gic.hasLpis ? GICR_TYPER_PLPIS : 0);
  return BigInt(low >>> 0) | (BigInt(gic.affinity(rd)) << 32n);
}

/** vCPU `rd`'s redistributor frames, as the guest (`user` false) or user space (`user` true) accesses them. */
export function redistributorFrame(gic: VgicV3, rd: number, user: boolean): RegisterFrame {
  return {
    size: GICR_FRAME_SIZE,
    access(offset: number): AccessClass {
      if (inRange(offset, GICR.IPRIORITYR0, 0x20)) return 'byte';
      if (offset >= GICR.TYPER && offset < GICR.TYPER + 8) return 'dword';
      if (inRange(offset, GICR.PROPBASER, 0x10) || inRange(offset, GICR.INVLPIR, 8)) return 'dword';
      if (inRange(offset, GICR.INVALLR, 8)) return 'dword';
      return 'word';
    },
    read32(offset: number): number {
      switch (offset) {
        case GICR.CTLR:
          return GICR_CTLR_CES | GICR_CTLR_IR | (gic.hasLpis ? gic.lpis.ctlr(rd) : 0);
        case GICR.PROPBASER:
        case GICR.PROPBASER + 4:
          return gic.hasLpis ? half(gic.lpis.propbaser, offset) : 0;
        case GICR.PENDBASER:
        case GICR.PENDBASER + 4:
          return gic.hasLpis ? half(gic.lpis.readPendbaser(rd), offset) : 0;
        case GICR.IIDR:
          return GICR_IIDR_VALUE;
        case GICR.TYPER:
          return Number(redistTyper(gic, rd) & 0xffff_ffffn);
        case GICR.TYPER + 4:
          return Number(redistTyper(gic, rd) >> 32n);
        case GICR.WAKER:
          return gic.processorSleep(rd) ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
        case GICR.PIDR2:
          return PIDR2_V3;
        case GICR.IGROUPR0:
          return readBits(gic, rd, 0, 'group');
        case GICR.ISENABLER0:
        case GICR.ICENABLER0:
          return readBits(gic, rd, 0, 'enable');
        case GICR.ISPENDR0:
          return readBits(gic, rd, 0, user ? 'latch' : 'pending');
        case GICR.ICPENDR0:
          return user ? 0 : readBits(gic, rd, 0, 'pending');
        case GICR.ISACTIVER0:
        case GICR.ICACTIVER0:
          return readBits(gic, rd, 0, 'active');
        case GICR.ICFGR0:
          return readConfig(gic, rd, 0);
        case GICR.ICFGR1:
          return readConfig(gic, rd, 16);
        default:
          return 0;
      }
    },
    write32(offset: number, value: number): void {
      if (gic.hasLpis && lpiWrite(gic, rd, offset, value)) return;
      switch (offset) {
        case GICR.WAKER:
          gic.setProcessorSleep(rd, (value & GICR_WAKER_PROCESSOR_SLEEP) !== 0);
          return;
        case GICR.IGROUPR0:
          writeBits(gic, rd, 0, 'group', value);
          return;
        case GICR.ISENABLER0:
          writeBits(gic, rd, 0, 'set-enable', value);
          return;
        case GICR.ICENABLER0:
          writeBits(gic, rd, 0, 'clear-enable', value);
          return;
        case GICR.ISPENDR0:
          if (user) writeBits(gic, rd, 0, 'clear-pending', ~value);
          writeBits(gic, rd, 0, 'set-pending', value);
          return;
        case GICR.ICPENDR0:
          if (!user) writeBits(gic, rd, 0, 'clear-pending', value);
          return;
        case GICR.ISACTIVER0:
          writeBits(gic, rd, 0, 'set-active', value);
          return;
        case GICR.ICACTIVER0:
          writeBits(gic, rd, 0, 'clear-active', value);
          return;
        case GICR.ICFGR0:
        case GICR.ICFGR1:
          writeConfig(gic, rd, offset === GICR.ICFGR0 ? 0 : 16, value); // read-only for SGIs and PPIs
          return;
        default:
          return;
      }
    },
    read8(offset: number): number {
      const intid = offset - GICR.IPRIORITYR0;
      return intid >= 0 && intid < NR_PRIVATE_IRQS ? readPriority(gic, rd, intid) : 0;
    },
    write8(offset: number, value: number): void {
      const intid = offset - GICR.IPRIORITYR0;
      if (intid >= 0 && intid < NR_PRIVATE_IRQS) writePriority(gic, rd, intid, value);
    },
  };
}

/** A write of an LPI register of vCPU `rd`'s redistributor (the VM has an ITS): true if `offset` is one. */
function lpiWrite(gic: VgicV3, rd: number, offset: number, value: number): boolean {
  const lpis = gic.lpis;
  switch (offset) {
    case GICR.CTLR:
      lpis.setEnabled(rd, (value & GICR_CTLR_ENABLE_LPIS) !== 0);
      return true;
    case GICR.PROPBASER:
    case GICR.PROPBASER + 4:
      lpis.writePropbaser(rd, (old) => updateHalf(old, offset, value));
      return true;
    case GICR.PENDBASER:
    case GICR.PENDBASER + 4:
      lpis.writePendbaser(rd, (old) => updateHalf(old, offset, value));
      return true;
    case GICR.INVLPIR: {
      // The upper word is for vPEs (not modelled); nothing happens while LPIs are disabled, as in KVM.
      const irq = lpis.enabled[rd] === true && value >>> 0 >= FIRST_LPI ? lpis.table.get(value >>> 0) : undefined;
      if (irq !== undefined) lpis.readConfig(irq);
      return true;
    }
    case GICR.INVALLR:
      if (lpis.enabled[rd] === true) lpis.invalidateAll(rd);
      return true;
    case GICR.INVLPIR + 4:
    case GICR.INVALLR + 4:
      return true;
    default:
      return false;
  }
}
