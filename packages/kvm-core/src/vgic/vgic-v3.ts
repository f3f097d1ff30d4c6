/**
 * The GICv3 model (KVM_DEV_TYPE_ARM_VGIC_V3): a distributor, one redistributor per vCPU, and the system-register
 * CPU interface, with affinity routing and a single security state (GICD_CTLR.ARE = DS = 1) as KVM provides them.
 * Group 1 interrupts are signalled as IRQ, Group 0 as FIQ. LPIs (its-lpis.ts) exist once the VM has an ITS
 * (`hasLpis`, KVM's vgic_has_its): then GICD_TYPER reports them and the redistributors' LPI registers work.
 *
 * Reset state as KVM's: SGIs enabled and edge-triggered, PPIs level-sensitive, every interrupt Group 1 (KVM
 * resets GICv3 interrupts to Group 1), priority 0, SPIs level-sensitive and routed to affinity 0.0.0.
 */
import { mpidrForVcpuId } from '../psci.js';
import { fail } from '../errors.js';
import { INTID_SPURIOUS, NR_PRIVATE_IRQS, NR_SGIS, V3_MAX_VCPUS } from './constants.js';
import {
  iccRead, iccUserRead, iccUserWrite, iccWrite, type IccRegName,
} from './cpu-interface-v3.js';
import { distributorV3Frame } from './distributor-v3.js';
import type { IrqState } from './irq-state.js';
import type { GuestMemory } from './its-guest-memory.js';
import { Lpis } from './its-lpis.js';
import { mmioRead, mmioWrite, userRead, userWrite } from './mmio.js';
import { redistributorFrame } from './redistributor.js';
import { VgicModel, type VgicOptions } from './vgic-model.js';

/** Options of a GICv3 model. */
export interface VgicV3Options extends VgicOptions {
  /** Each vCPU's MPIDR_EL1 (default: KVM's, `mpidrForVcpuId(index)`). */
  readonly mpidrs?: readonly bigint[];
  /** Guest memory, where the LPI configuration and pending tables are (none: LPIs cannot be mapped). */
  readonly memory?: GuestMemory;
}

/** A GICv3 with its redistributors and CPU interfaces. */
export class VgicV3 extends VgicModel {
  /** Each vCPU's Aff2.Aff1.Aff0 (24 bits) and Aff3. */
  private readonly aff: number[];
  private readonly aff3: number[];
  private readonly sleep: boolean[];
  /** The LPIs and the redistributors' LPI registers. */
  readonly lpis: Lpis;
  /**
   * Whether the VM has an ITS (KVM's vgic_has_its): GICD_TYPER.LPIS and IDbits 16, GICR_TYPER.PLPIS, and
   * GICR_CTLR.EnableLPIs, GICR_PROPBASER/PENDBASER, GICR_INVLPIR/INVALLR working (RAZ/WI without).
   */
  hasLpis = false;

  constructor(options: VgicV3Options) {
    super(options, V3_MAX_VCPUS, 'vGICv3');
    const mpidrs = options.mpidrs;
    if (mpidrs !== undefined && mpidrs.length !== this.nrVcpus) {
      fail('EINVAL', `vGICv3: ${mpidrs.length} MPIDRs for ${this.nrVcpus} vCPUs`);
    }
    this.aff = [];
    this.aff3 = [];
    for (let v = 0; v < this.nrVcpus; v++) {
      const mpidr = mpidrs?.[v] ?? mpidrForVcpuId(v);
      this.aff.push(Number(mpidr & 0xff_ffffn));
      this.aff3.push(Number((mpidr >> 32n) & 0xffn));
    }
    this.sleep = new Array<boolean>(this.nrVcpus).fill(false);
    this.lpis = new Lpis(this, options.memory);
    for (let v = 0; v < this.nrVcpus; v++) {
      for (const irq of this.irqs.privateIrqs(v)) {
        irq.group = 1;
        irq.edge = irq.intid < NR_SGIS;
        irq.enabled = irq.intid < NR_SGIS;
      }
    }
    for (const irq of this.irqs.sharedIrqs()) irq.group = 1;
  }

  override routesTo(irq: IrqState, vcpu: number): boolean {
    return this.aff3[vcpu] === 0 && this.aff[vcpu] === irq.route;
  }

  protected override signalsFiq(_vcpu: number, group: number): boolean {
    return group === 0;
  }

  override apIndex(group: number): number {
    return group;
  }

  protected override forEachLpi(vcpu: number, fn: (irq: IrqState) => void): void {
    if (this.hasLpis) for (const irq of this.lpis.deliverable(vcpu)) fn(irq);
  }

  /** vCPU `vcpu`'s Aff2.Aff1.Aff0. */
  affinity(vcpu: number): number {
    return this.aff[vcpu] ?? 0;
  }

  /** Route SPI `intid` to affinity `route` (GICD_IROUTER Aff2.Aff1.Aff0); no vCPU with it: not delivered. */
  setRoute(intid: number, route: number): void {
    const irq = this.irqs.get(0, intid);
    if (irq === undefined || intid < NR_PRIVATE_IRQS) return;
    const old = irq.route;
    irq.route = route & 0xff_ffff;
    // Only the old and the new target can see a difference.
    for (let v = 0; v < this.nrVcpus; v++) if (this.aff[v] === old || this.aff[v] === irq.route) this.refresh(v);
  }

  /** GICR_WAKER.ProcessorSleep of vCPU `vcpu`'s redistributor. */
  processorSleep(vcpu: number): boolean {
    return this.sleep[vcpu] ?? false;
  }

  /** Set GICR_WAKER.ProcessorSleep. */
  setProcessorSleep(vcpu: number, sleep: boolean): void {
    this.sleep[vcpu] = sleep;
  }

  /**
   * ICC_IAR0/1_EL1: acknowledge the highest priority pending interrupt if it is of `group` and passes the priority
   * mask and the running priority; otherwise INTID 1023 (spurious) and no change.
   */
  acknowledgeGroup(vcpu: number, group: number): number {
    const best = this.hppi(vcpu);
    if (best === undefined || best.group !== group) return INTID_SPURIOUS;
    if (!this.cpus[vcpu]!.canSignal(best.priority, best.group)) return INTID_SPURIOUS;
    return this.acknowledge(vcpu, best).irq.intid;
  }

  /**
   * ICC_SGI0R/SGI1R/ASGI1R_EL1 written by `vcpu`: make SGI `value[27:24]` pending on the vCPUs of the target list
   * (Aff3.Aff2.Aff1 in the register, one bit an Aff0 value 0-15; RS is ignored, as ICC_CTLR_EL1.RSS is 0), or on
   * every other vCPU when IRM (bit 40) is set. As KVM: SGI1R may pend an SGI of either group, SGI0R and ASGI1R only
   * Group 0 SGIs (`allowGroup1` false).
   */
  dispatchSgi(vcpu: number, value: bigint, allowGroup1: boolean): void {
    const sgi = Number((value >> 24n) & 0xfn);
    const irm = ((value >> 40n) & 1n) === 1n;
    const targetList = Number(value & 0xffffn);
    const aff1 = Number((value >> 16n) & 0xffn);
    const aff2 = Number((value >> 32n) & 0xffn);
    const aff3 = Number((value >> 48n) & 0xffn);
    for (let t = 0; t < this.nrVcpus; t++) {
      if (irm) {
        if (t === vcpu) continue;
      } else {
        const a = this.aff[t]!;
        if (this.aff3[t] !== aff3 || ((a >> 16) & 0xff) !== aff2 || ((a >> 8) & 0xff) !== aff1) continue;
        if (((targetList >> (a & 0xff)) & 1) === 0 || (a & 0xff) > 15) continue;
      }
      const irq = this.irqs.get(t, sgi)!;
      if (irq.group !== 0 && !allowGroup1) continue;
      irq.pendingLatch = true;
      this.changed(t, irq);
    }
  }

  /** A guest read of the distributor frame: `size` bytes (1, 2, 4 or 8) at `offset`. */
  distRead(offset: number, size: number): bigint {
    return mmioRead(distributorV3Frame(this, false), offset, size);
  }

  /** A guest write of the distributor frame. */
  distWrite(offset: number, size: number, value: bigint): void {
    mmioWrite(distributorV3Frame(this, false), offset, size, value);
  }

  /** A guest read of vCPU `rd`'s redistributor (RD_base at 0, SGI_base at 0x10000). */
  redistRead(rd: number, offset: number, size: number): bigint {
    this.checkVcpu(rd);
    return mmioRead(redistributorFrame(this, rd, false), offset, size);
  }

  /** A guest write of vCPU `rd`'s redistributor. */
  redistWrite(rd: number, offset: number, size: number, value: bigint): void {
    this.checkVcpu(rd);
    mmioWrite(redistributorFrame(this, rd, false), offset, size, value);
  }

  /** The guest's MRS of ICC register `name` on `vcpu`. */
  iccRead(vcpu: number, name: IccRegName): bigint {
    this.checkVcpu(vcpu);
    return iccRead(this, vcpu, name);
  }

  /** The guest's MSR of ICC register `name` on `vcpu`. */
  iccWrite(vcpu: number, name: IccRegName, value: bigint): void {
    this.checkVcpu(vcpu);
    iccWrite(this, vcpu, name, value);
  }

  /** KVM_DEV_ARM_VGIC_GRP_DIST_REGS get: the 32-bit register at `offset` (ENXIO: misaligned or outside). */
  userDistRead(offset: number): number {
    return userRead(distributorV3Frame(this, true), offset, 'vGICv3 distributor');
  }

  /** KVM_DEV_ARM_VGIC_GRP_DIST_REGS set. */
  userDistWrite(offset: number, value: number): void {
    userWrite(distributorV3Frame(this, true), offset, 'vGICv3 distributor', value);
  }

  /** KVM_DEV_ARM_VGIC_GRP_REDIST_REGS get: vCPU `vcpu`'s redistributor register at `offset`. */
  userRedistRead(vcpu: number, offset: number): number {
    this.checkVcpu(vcpu);
    return userRead(redistributorFrame(this, vcpu, true), offset, 'vGICv3 redistributor');
  }

  /** KVM_DEV_ARM_VGIC_GRP_REDIST_REGS set. */
  userRedistWrite(vcpu: number, offset: number, value: number): void {
    this.checkVcpu(vcpu);
    userWrite(redistributorFrame(this, vcpu, true), offset, 'vGICv3 redistributor', value);
  }

  /** KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS get: by the 16-bit system-register id (`sysregId`). */
  userCpuSysregRead(vcpu: number, id: number): bigint {
    this.checkVcpu(vcpu);
    return iccUserRead(this, vcpu, id);
  }

  /** KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS set. */
  userCpuSysregWrite(vcpu: number, id: number, value: bigint): void {
    this.checkVcpu(vcpu);
    iccUserWrite(this, vcpu, id, value);
  }
}
