/**
 * The GICv2 model (KVM_DEV_TYPE_ARM_VGIC_V2): a distributor and up to 8 memory-mapped CPU interfaces, without
 * Security Extensions, as KVM provides them (GICD_IIDR revision 2: groups are guest-configurable). Group 1
 * interrupts are signalled as IRQ; Group 0 as FIQ when GICC_CTLR.FIQEn is set, else as IRQ.
 *
 * SGIs keep one pending bit per source CPU (GICD_SPENDSGIR): an acknowledge takes the lowest pending source,
 * which GICC_IAR reports in bits [12:10], and the SGI stays pending while other sources are (it is taken again
 * after it is deactivated).
 *
 * Reset state as KVM's: every interrupt Group 0, priority 0; SGIs enabled and edge-triggered, PPIs level-sensitive;
 * SPIs level-sensitive with no target.
 */
import { NR_PRIVATE_IRQS, NR_SGIS, V2_MAX_VCPUS } from './constants.js';
import { cpuInterfaceV2Frame } from './cpu-interface-v2.js';
import { distributorV2Frame } from './distributor-v2.js';
import type { IrqState } from './irq-state.js';
import { mmioRead, mmioWrite, userRead, userWrite } from './mmio.js';
import { VgicModel, type VgicOptions } from './vgic-model.js';

/** A GICv2 with its CPU interfaces. */
export class VgicV2 extends VgicModel {
  /** The CPU mask of the vCPUs that exist. */
  readonly cpuMask: number;

  constructor(options: VgicOptions) {
    super(options, V2_MAX_VCPUS, 'vGICv2');
    this.cpuMask = (1 << this.nrVcpus) - 1;
    for (let v = 0; v < this.nrVcpus; v++) {
      for (const irq of this.irqs.privateIrqs(v)) {
        irq.targets = 1 << v;
        irq.edge = irq.intid < NR_SGIS;
        irq.enabled = irq.intid < NR_SGIS;
      }
    }
  }

  override routesTo(irq: IrqState, vcpu: number): boolean {
    return ((irq.targets >> vcpu) & 1) === 1;
  }

  protected override signalsFiq(vcpu: number, group: number): boolean {
    return group === 0 && this.cpus[vcpu]!.fiqEn;
  }

  override apIndex(): number {
    return 0;
  }

  override hasSgiSources(): boolean {
    return true;
  }

  /** The lowest source CPU of a pending GICv2 SGI (0 for any other interrupt). */
  lowestSource(irq: IrqState): number {
    const s = irq.sgiSources;
    return irq.intid < NR_SGIS && s !== 0 ? 31 - Math.clz32(s & -s) : 0;
  }

  /** GICD_ITARGETSR byte of SPI `intid`: bits of CPUs that do not exist are dropped. */
  setTargets(intid: number, targets: number): void {
    const irq = this.irqs.get(0, intid);
    if (irq === undefined || intid < NR_PRIVATE_IRQS) return;
    const changedCpus = irq.targets ^ (targets & this.cpuMask);
    irq.targets = targets & this.cpuMask;
    for (let v = 0; v < this.nrVcpus; v++) if (((changedCpus >> v) & 1) === 1) this.refresh(v);
  }

  /**
   * GICD_SGIR written by `vcpu`: SGI [3:0] to the CPUs of TargetListFilter [25:24] (0: CPUTargetList [23:16],
   * 1: every other CPU, 2: the writer, 3: reserved, ignored), with `vcpu` as the source.
   */
  writeSgir(vcpu: number, value: number): void {
    const sgi = value & 0xf;
    const filter = (value >>> 24) & 3;
    let targets: number;
    if (filter === 0) targets = (value >>> 16) & 0xff;
    else if (filter === 1) targets = this.cpuMask & ~(1 << vcpu);
    else if (filter === 2) targets = 1 << vcpu;
    else return;
    for (let t = 0; t < this.nrVcpus; t++) {
      if (((targets >> t) & 1) === 0) continue;
      const irq = this.irqs.get(t, sgi)!;
      irq.sgiSources |= 1 << vcpu;
      irq.pendingLatch = true;
      this.changed(t, irq);
    }
  }

  /** GICD_SPENDSGIR (`set`) or GICD_CPENDSGIR byte of SGI `sgi` on `vcpu`: set or clear source bits. */
  writeSgiSources(vcpu: number, sgi: number, sources: number, set: boolean): void {
    const irq = this.irqs.get(vcpu, sgi)!;
    irq.sgiSources = set ? (irq.sgiSources | sources) & this.cpuMask : irq.sgiSources & ~sources;
    irq.pendingLatch = irq.sgiSources !== 0;
    this.changed(vcpu, irq);
  }

  /** User-space ISPENDR0 / ICPENDR0 of an SGI: pend with `vcpu` itself as the source, or clear every source. */
  userSgiPending(vcpu: number, sgi: number, set: boolean): void {
    this.writeSgiSources(vcpu, sgi, set ? 1 << vcpu : 0xff, set);
  }

  /** A guest read of the distributor by vCPU `vcpu`: `size` bytes (1, 2, 4 or 8) at `offset`. */
  distRead(vcpu: number, offset: number, size: number): bigint {
    this.checkVcpu(vcpu);
    return mmioRead(distributorV2Frame(this, vcpu, false), offset, size);
  }

  /** A guest write of the distributor by vCPU `vcpu`. */
  distWrite(vcpu: number, offset: number, size: number, value: bigint): void {
    this.checkVcpu(vcpu);
    mmioWrite(distributorV2Frame(this, vcpu, false), offset, size, value);
  }

  /** A guest read of vCPU `vcpu`'s CPU interface (GICC). */
  cpuRead(vcpu: number, offset: number, size: number): bigint {
    this.checkVcpu(vcpu);
    return mmioRead(cpuInterfaceV2Frame(this, vcpu, false), offset, size);
  }

  /** A guest write of vCPU `vcpu`'s CPU interface. */
  cpuWrite(vcpu: number, offset: number, size: number, value: bigint): void {
    this.checkVcpu(vcpu);
    mmioWrite(cpuInterfaceV2Frame(this, vcpu, false), offset, size, value);
  }

  /** KVM_DEV_ARM_VGIC_GRP_DIST_REGS get, with `vcpu`'s banked view (ENXIO: misaligned or outside the frame). */
  userDistRead(vcpu: number, offset: number): number {
    this.checkVcpu(vcpu);
    return userRead(distributorV2Frame(this, vcpu, true), offset, 'vGICv2 distributor');
  }

  /** KVM_DEV_ARM_VGIC_GRP_DIST_REGS set. */
  userDistWrite(vcpu: number, offset: number, value: number): void {
    this.checkVcpu(vcpu);
    userWrite(distributorV2Frame(this, vcpu, true), offset, 'vGICv2 distributor', value);
  }

  /** KVM_DEV_ARM_VGIC_GRP_CPU_REGS get: vCPU `vcpu`'s CPU interface register at `offset`. */
  userCpuRead(vcpu: number, offset: number): number {
    this.checkVcpu(vcpu);
    return userRead(cpuInterfaceV2Frame(this, vcpu, true), offset, 'vGICv2 CPU interface');
  }

  /** KVM_DEV_ARM_VGIC_GRP_CPU_REGS set. */
  userCpuWrite(vcpu: number, offset: number, value: number): void {
    this.checkVcpu(vcpu);
    userWrite(cpuInterfaceV2Frame(this, vcpu, true), offset, 'vGICv2 CPU interface', value);
  }
}
