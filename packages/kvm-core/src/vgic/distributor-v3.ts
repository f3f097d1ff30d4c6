/**
 * The GICv3 distributor frame (64 KiB; IHI 0069 §12.9) with affinity routing always on and a single security
 * state (GICD_CTLR.ARE = DS = 1), as KVM exposes it. Bank 0 of the per-interrupt registers (SGIs and PPIs) lives in
 * the redistributors and is RAZ/WI here; so are ITARGETSR, SGIR, CPENDSGIR/SPENDSGIR, IGRPMODR, NSACR, the
 * message-based SPI registers and every unallocated offset. GICD_IROUTER keeps Aff2.Aff1.Aff0: its upper word
 * (Aff3) and Interrupt_Routing_Mode are RAZ/WI, as in KVM, so TYPER reports No1N.
 *
 * The user-space view (KVM_DEV_ARM_VGIC_GRP_DIST_REGS) differs in: ISPENDR reads the pending latch and a write
 * sets each latch to its bit (level-sensitive lines come back through GRP_LEVEL_INFO); ICPENDR is RAZ/WI;
 * a write of GICD_IIDR other than the value it reads is EINVAL.
 */
import { fail } from '../errors.js';
import { iidr, LPI_ID_BITS, NR_PRIVATE_IRQS, V3_IMPLEMENTATION_REV } from './constants.js';
import { GICD_TYPER_LPIS } from './its-registers.js';
import { readBits, readConfig, readPriority, writeBits, writeConfig, writePriority } from './irq-banks.js';
import type { AccessClass, RegisterFrame } from './mmio.js';
import {
  GICD, GICD_CTLR_ARE, GICD_CTLR_DS, GICD_CTLR_ENABLE_GRP0, GICD_CTLR_ENABLE_GRP1, GICD_FRAME_SIZE, PIDR2_V3,
} from './registers-v3.js';
import type { VgicV3 } from './vgic-v3.js';

/** GICD_TYPER.IDbits without LPIs: 10 interrupt ID bits (KVM's INTERRUPT_ID_BITS_SPIS). */
const TYPER_IDBITS = 10 - 1;
/** GICD_TYPER.No1N: 1 of N SPI routing is not supported. */
const TYPER_NO1N = 1 << 25;

function inRange(offset: number, base: number, length: number): boolean {
  return offset >= base && offset < base + length;
}

/** GICD_TYPER of `gic`: with an ITS, LPIS and 16 interrupt ID bits (KVM's INTERRUPT_ID_BITS_ITS). */
export function distTyperV3(gic: VgicV3): number {
  const itLines = gic.nrIrqs / 32 - 1;
  const cpuNumber = Math.min(gic.nrVcpus, 8) - 1;
  const ids = gic.hasLpis ? ((LPI_ID_BITS - 1) << 19) | GICD_TYPER_LPIS : TYPER_IDBITS << 19;
  return (itLines | (cpuNumber << 5) | ids | TYPER_NO1N) >>> 0;
}

/** The distributor frame of `gic`, as the guest (`user` false) or user space (`user` true) accesses it. */
export function distributorV3Frame(gic: VgicV3, user: boolean): RegisterFrame {
  // Any vCPU index serves for bank accesses here: bank 0 is RAZ/WI, and SPIs are not banked.
  const v = 0;
  const bitBank = (offset: number, base: number): number => {
    const first = ((offset - base) >> 2) * 32;
    return first < NR_PRIVATE_IRQS ? -1 : first;
  };
  return {
    size: GICD_FRAME_SIZE,
    access(offset: number): AccessClass {
      if (inRange(offset, GICD.IPRIORITYR, 0x400) || inRange(offset, GICD.ITARGETSR, 0x400)) return 'byte';
      if (inRange(offset, GICD.CPENDSGIR, 0x20)) return 'byte';
      if (inRange(offset, GICD.IROUTER, 0x2000)) return 'dword';
      return 'word';
    },
    read32(offset: number): number {
      switch (offset) {
        case GICD.CTLR:
          return (gic.distCtlr | GICD_CTLR_ARE | GICD_CTLR_DS) >>> 0;
        case GICD.TYPER:
          return distTyperV3(gic);
        case GICD.IIDR:
          return iidr(V3_IMPLEMENTATION_REV);
        case GICD.PIDR2:
          return PIDR2_V3;
      }
      const banks: ReadonlyArray<readonly [number, Parameters<typeof readBits>[3]]> = [
        [GICD.IGROUPR, 'group'], [GICD.ISENABLER, 'enable'], [GICD.ICENABLER, 'enable'],
        [GICD.ISPENDR, user ? 'latch' : 'pending'], [GICD.ICPENDR, 'pending'],
        [GICD.ISACTIVER, 'active'], [GICD.ICACTIVER, 'active'],
      ];
      for (const [base, bank] of banks) {
        if (!inRange(offset, base, 0x80)) continue;
        if (user && base === GICD.ICPENDR) return 0;
        const first = bitBank(offset, base);
        return first < 0 ? 0 : readBits(gic, v, first, bank);
      }
      if (inRange(offset, GICD.ICFGR, 0x100)) {
        const first = ((offset - GICD.ICFGR) >> 2) * 16;
        return first < NR_PRIVATE_IRQS ? 0 : readConfig(gic, v, first);
      }
      if (inRange(offset, GICD.IROUTER, 0x2000)) {
        const intid = (offset - GICD.IROUTER) >> 3;
        if ((offset & 4) !== 0 || intid < NR_PRIVATE_IRQS) return 0;
        return gic.irqs.get(v, intid)?.route ?? 0;
      }
      return 0;
    },
    write32(offset: number, value: number): void {
      if (offset === GICD.CTLR) {
        gic.setDistCtlr(value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1));
        return;
      }
      if (offset === GICD.IIDR) {
        if (user && value >>> 0 !== iidr(V3_IMPLEMENTATION_REV)) {
          fail('EINVAL', `GICD_IIDR: 0x${(value >>> 0).toString(16)} is not this vGIC's 0x${iidr(V3_IMPLEMENTATION_REV).toString(16)}`);
        }
        return;
      }
      const banks: ReadonlyArray<readonly [number, Parameters<typeof writeBits>[3]]> = [
        [GICD.IGROUPR, 'group'], [GICD.ISENABLER, 'set-enable'], [GICD.ICENABLER, 'clear-enable'],
        [GICD.ISPENDR, 'set-pending'], [GICD.ICPENDR, 'clear-pending'],
        [GICD.ISACTIVER, 'set-active'], [GICD.ICACTIVER, 'clear-active'],
      ];
      for (const [base, op] of banks) {
        if (!inRange(offset, base, 0x80)) continue;
        const first = bitBank(offset, base);
        if (first < 0) return;
        if (user && base === GICD.ICPENDR) return;
        if (user && base === GICD.ISPENDR) {
          writeBits(gic, v, first, 'clear-pending', ~value);
          writeBits(gic, v, first, 'set-pending', value);
          return;
        }
        writeBits(gic, v, first, op, value);
        return;
      }
      if (inRange(offset, GICD.ICFGR, 0x100)) {
        writeConfig(gic, v, ((offset - GICD.ICFGR) >> 2) * 16, value);
        return;
      }
      if (inRange(offset, GICD.IROUTER, 0x2000)) {
        const intid = (offset - GICD.IROUTER) >> 3;
        if ((offset & 4) !== 0 || intid < NR_PRIVATE_IRQS) return;
        gic.setRoute(intid, value & 0xff_ffff);
      }
    },
    read8(offset: number): number {
      if (!inRange(offset, GICD.IPRIORITYR, 0x400)) return 0;
      const intid = offset - GICD.IPRIORITYR;
      return intid < NR_PRIVATE_IRQS ? 0 : readPriority(gic, v, intid);
    },
    write8(offset: number, value: number): void {
      if (!inRange(offset, GICD.IPRIORITYR, 0x400)) return;
      const intid = offset - GICD.IPRIORITYR;
      if (intid >= NR_PRIVATE_IRQS) writePriority(gic, v, intid, value);
    },
  };
}
