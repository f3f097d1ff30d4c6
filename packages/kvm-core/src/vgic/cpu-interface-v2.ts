/**
 * The GICv2 CPU interface frame (GICC, 8 KiB; IHI 0048B §4.4) as a guest sees the virtual CPU interface KVM gives
 * it: no Security Extensions, one active-priorities word (GICC_APR0) for both groups, GICC_NSAPRn and APR1-3
 * RAZ/WI (5 priority bits need 32 bits). GICC_IAR acknowledges Group 0, and Group 1 only with GICC_CTLR.AckCtl
 * (otherwise it reads 1022 while a Group 1 interrupt is the highest pending); GICC_AIAR/AEOIR/AHPPIR are the
 * Group 1 aliases. An SGI's INTID comes with its source CPU in bits [12:10].
 *
 * User-space view (KVM_DEV_ARM_VGIC_GRP_CPU_REGS): CTLR, BPR, ABPR, APR0-3 and IIDR as the guest sees them;
 * PMR as KVM's ABI has it, the 5 implemented bits in [4:0]; every other offset RAZ/WI.
 */
import { IDLE_PRIORITY, INTID_SPURIOUS, INTID_SPURIOUS_GROUP1, NR_SGIS, PRIORITY_BITS } from './constants.js';
import type { AccessClass, RegisterFrame } from './mmio.js';
import { GICC, GICC_CTLR, GICC_FRAME_SIZE, GICC_IIDR_VALUE } from './registers-v2.js';
import type { VgicV2 } from './vgic-v2.js';

const PMR_SHIFT = 8 - PRIORITY_BITS;
/** The registers user space saves and restores; the rest of the frame is RAZ/WI to it. */
const USER_OFFSETS: ReadonlySet<number> = new Set([GICC.CTLR, GICC.PMR, GICC.BPR, GICC.ABPR, GICC.APR0, GICC.IIDR]);

/** The GICC frame of vCPU `vcpu`, as the guest (`user` false) or user space accesses it. */
export function cpuInterfaceV2Frame(gic: VgicV2, vcpu: number, user: boolean): RegisterFrame {
  const cpu = gic.cpus[vcpu]!;
  const withSource = (intid: number, source: number) => (intid < NR_SGIS ? intid | (source << 10) : intid);
  const hppir = (group1Alias: boolean): number => {
    const best = gic.hppi(vcpu);
    if (best === undefined) return INTID_SPURIOUS;
    if (group1Alias) return best.group === 1 ? withSource(best.intid, gic.lowestSource(best)) : INTID_SPURIOUS;
    if (best.group === 1 && !cpu.ackCtl) return INTID_SPURIOUS_GROUP1;
    return withSource(best.intid, gic.lowestSource(best));
  };
  const ack = (group1Alias: boolean): number => {
    const best = gic.hppi(vcpu);
    if (best === undefined) return INTID_SPURIOUS;
    if (group1Alias && best.group !== 1) return INTID_SPURIOUS;
    if (!group1Alias && best.group === 1 && !cpu.ackCtl) return INTID_SPURIOUS_GROUP1;
    if (!cpu.canSignal(best.priority, best.group)) return INTID_SPURIOUS;
    const { irq, source } = gic.acknowledge(vcpu, best);
    return withSource(irq.intid, source);
  };
  return {
    size: GICC_FRAME_SIZE,
    access(): AccessClass {
      return 'word';
    },
    read32(offset: number): number {
      if (user && !USER_OFFSETS.has(offset)) return 0;
      switch (offset) {
        case GICC.CTLR:
          return (
            (cpu.grpEn0 ? GICC_CTLR.ENABLE_GRP0 : 0) | (cpu.grpEn1 ? GICC_CTLR.ENABLE_GRP1 : 0) |
            (cpu.ackCtl ? GICC_CTLR.ACK_CTL : 0) | (cpu.fiqEn ? GICC_CTLR.FIQ_EN : 0) |
            (cpu.cbpr ? GICC_CTLR.CBPR : 0) | (cpu.eoiMode ? GICC_CTLR.EOI_MODE : 0)
          );
        case GICC.PMR:
          return user ? cpu.pmr >> PMR_SHIFT : cpu.pmr;
        case GICC.BPR:
          return cpu.bpr0;
        case GICC.ABPR:
          return cpu.bpr1;
        case GICC.IAR:
          return ack(false);
        case GICC.AIAR:
          return ack(true);
        case GICC.RPR: {
          const rp = cpu.runningPriority();
          return rp === IDLE_PRIORITY ? 0xff : rp;
        }
        case GICC.HPPIR:
          return hppir(false);
        case GICC.AHPPIR:
          return hppir(true);
        case GICC.APR0:
          return cpu.ap[0];
        case GICC.IIDR:
          return GICC_IIDR_VALUE;
        default:
          return 0;
      }
    },
    write32(offset: number, value: number): void {
      if (user && !USER_OFFSETS.has(offset)) return;
      switch (offset) {
        case GICC.CTLR:
          cpu.grpEn0 = (value & GICC_CTLR.ENABLE_GRP0) !== 0;
          cpu.grpEn1 = (value & GICC_CTLR.ENABLE_GRP1) !== 0;
          cpu.ackCtl = (value & GICC_CTLR.ACK_CTL) !== 0;
          cpu.fiqEn = (value & GICC_CTLR.FIQ_EN) !== 0;
          cpu.cbpr = (value & GICC_CTLR.CBPR) !== 0;
          cpu.eoiMode = (value & GICC_CTLR.EOI_MODE) !== 0;
          break;
        case GICC.PMR:
          cpu.setPmr(user ? (value << PMR_SHIFT) & 0xff : value & 0xff);
          break;
        case GICC.BPR:
          cpu.setBpr(0, value);
          break;
        case GICC.ABPR:
          cpu.setBpr(1, value);
          break;
        case GICC.APR0:
          cpu.ap[0] = value >>> 0;
          break;
        case GICC.EOIR:
        case GICC.AEOIR:
          gic.endOfInterrupt(vcpu, value & 0x3ff, 0);
          return;
        case GICC.DIR:
          // With EOImode 0 a write to GICC_DIR is UNPREDICTABLE: ignored.
          if (cpu.eoiMode) gic.deactivateIntid(vcpu, value & 0x3ff);
          return;
        default:
          return;
      }
      gic.refresh(vcpu);
    },
    read8(): number {
      return 0;
    },
    write8(): void {},
  };
}
