/**
 * The GICv2 distributor frame (4 KiB; IHI 0048B §4.3) without Security Extensions, as KVM exposes it. Bank 0 of
 * the per-interrupt registers is banked per CPU: `vcpu` is the CPU making the access.
 *
 * GICD_ITARGETSR: byte-accessible; ITARGETSR0-7 (SGIs and PPIs) are read-only and read as the reading CPU's own
 * bit in every byte; an SPI's byte keeps only the bits of CPUs that exist (the rest are RAZ/WI). An SPI whose
 * targets are all clear is not forwarded to any CPU, as the spec says. (QEMU 10 gets these checks of
 * kvm-unit-tests' gicv2-mmio wrong; the model follows the spec and KVM.)
 * GICD_ISPENDR0/ICPENDR0's SGI bits are WI: SGIs are made pending per source CPU through GICD_SGIR and
 * GICD_SPENDSGIR, cleared through GICD_CPENDSGIR. ICPIDR2 reads 0x2b (ArchRev 2; KVM has it RAZ).
 *
 * User-space view (KVM_DEV_ARM_VGIC_GRP_DIST_REGS): ISPENDR sets the latch of each set bit (an SGI: with the
 * accessing vCPU as its source, as KVM), ICPENDR clears it (an SGI: all sources); a write of GICD_IIDR other than
 * the value it reads is EINVAL.
 */
import { fail } from '../errors.js';
import { iidr, NR_PRIVATE_IRQS, NR_SGIS, V2_IMPLEMENTATION_REV } from './constants.js';
import { readBits, readConfig, readPriority, writeBits, writeConfig, writePriority } from './irq-banks.js';
import type { AccessClass, RegisterFrame } from './mmio.js';
import { GICD_V2, GICD_V2_FRAME_SIZE, PIDR2_V2 } from './registers-v2.js';
import type { VgicV2 } from './vgic-v2.js';

function inRange(offset: number, base: number, length: number): boolean {
  return offset >= base && offset < base + length;
}

/** GICD_TYPER of `gic`: ITLinesNumber and CPUNumber. */
export function distTyperV2(gic: VgicV2): number {
  return ((gic.nrIrqs / 32 - 1) | ((gic.nrVcpus - 1) << 5)) >>> 0;
}

/** The distributor frame as vCPU `vcpu` accesses it, from the guest (`user` false) or user space. */
export function distributorV2Frame(gic: VgicV2, vcpu: number, user: boolean): RegisterFrame {
  const first = (offset: number, base: number) => ((offset - base) >> 2) * 32;
  return {
    size: GICD_V2_FRAME_SIZE,
    access(offset: number): AccessClass {
      if (inRange(offset, GICD_V2.IPRIORITYR, 0x800)) return 'byte'; // IPRIORITYR and ITARGETSR
      if (inRange(offset, GICD_V2.CPENDSGIR, 0x20)) return 'byte';
      return 'word';
    },
    read32(offset: number): number {
      switch (offset) {
        case GICD_V2.CTLR:
          return gic.distCtlr;
        case GICD_V2.TYPER:
          return distTyperV2(gic);
        case GICD_V2.IIDR:
          return iidr(V2_IMPLEMENTATION_REV);
        case GICD_V2.PIDR2:
          return PIDR2_V2;
      }
      const banks: ReadonlyArray<readonly [number, Parameters<typeof readBits>[3]]> = [
        [GICD_V2.IGROUPR, 'group'], [GICD_V2.ISENABLER, 'enable'], [GICD_V2.ICENABLER, 'enable'],
        [GICD_V2.ISPENDR, 'pending'], [GICD_V2.ICPENDR, 'pending'],
        [GICD_V2.ISACTIVER, 'active'], [GICD_V2.ICACTIVER, 'active'],
      ];
      for (const [base, bank] of banks) {
        if (inRange(offset, base, 0x80)) return readBits(gic, vcpu, first(offset, base), bank);
      }
      if (inRange(offset, GICD_V2.ICFGR, 0x100)) return readConfig(gic, vcpu, ((offset - GICD_V2.ICFGR) >> 2) * 16);
      return 0;
    },
    write32(offset: number, value: number): void {
      if (offset === GICD_V2.CTLR) {
        gic.setDistCtlr(value);
        return;
      }
      if (offset === GICD_V2.IIDR) {
        if (user && value >>> 0 !== iidr(V2_IMPLEMENTATION_REV)) {
          fail('EINVAL', `GICD_IIDR: 0x${(value >>> 0).toString(16)} is not this vGIC's 0x${iidr(V2_IMPLEMENTATION_REV).toString(16)}`);
        }
        return;
      }
      if (offset === GICD_V2.SGIR) {
        gic.writeSgir(vcpu, value);
        return;
      }
      const banks: ReadonlyArray<readonly [number, Parameters<typeof writeBits>[3]]> = [
        [GICD_V2.IGROUPR, 'group'], [GICD_V2.ISENABLER, 'set-enable'], [GICD_V2.ICENABLER, 'clear-enable'],
        [GICD_V2.ISPENDR, 'set-pending'], [GICD_V2.ICPENDR, 'clear-pending'],
        [GICD_V2.ISACTIVER, 'set-active'], [GICD_V2.ICACTIVER, 'clear-active'],
      ];
      for (const [base, op] of banks) {
        if (!inRange(offset, base, 0x80)) continue;
        const f = first(offset, base);
        if (user && f === 0 && (base === GICD_V2.ISPENDR || base === GICD_V2.ICPENDR)) {
          const set = base === GICD_V2.ISPENDR;
          for (let i = 0; i < NR_SGIS; i++) if (((value >>> i) & 1) === 1) gic.userSgiPending(vcpu, i, set);
        }
        writeBits(gic, vcpu, f, op, value, { sgiPendingWi: true });
        return;
      }
      if (inRange(offset, GICD_V2.ICFGR, 0x100)) writeConfig(gic, vcpu, ((offset - GICD_V2.ICFGR) >> 2) * 16, value);
    },
    read8(offset: number): number {
      if (inRange(offset, GICD_V2.IPRIORITYR, 0x400)) return readPriority(gic, vcpu, offset - GICD_V2.IPRIORITYR);
      if (inRange(offset, GICD_V2.ITARGETSR, 0x400)) {
        const irq = gic.irqs.get(vcpu, offset - GICD_V2.ITARGETSR);
        return irq?.targets ?? 0;
      }
      const sgi = (offset - GICD_V2.CPENDSGIR) & 0xf;
      return gic.irqs.get(vcpu, sgi)?.sgiSources ?? 0;
    },
    write8(offset: number, value: number): void {
      if (inRange(offset, GICD_V2.IPRIORITYR, 0x400)) {
        writePriority(gic, vcpu, offset - GICD_V2.IPRIORITYR, value);
        return;
      }
      if (inRange(offset, GICD_V2.ITARGETSR, 0x400)) {
        const intid = offset - GICD_V2.ITARGETSR;
        if (intid >= NR_PRIVATE_IRQS) gic.setTargets(intid, value);
        return;
      }
      gic.writeSgiSources(vcpu, (offset - GICD_V2.CPENDSGIR) & 0xf, value, offset >= GICD_V2.SPENDSGIR);
    },
  };
}
