/**
 * The part of the vGIC that GICv2 and GICv3 share: the interrupt table, each vCPU's CPU interface state, the
 * input lines, the choice of the highest priority pending interrupt, acknowledge / priority drop / deactivate,
 * and the IRQ and FIQ outputs with their change callbacks. `VgicV3` and `VgicV2` add the register files.
 *
 * Every state change goes through a method here that ends with `refresh` of the vCPUs it can affect, so the
 * output callbacks fire exactly when an output changes. Finding the highest priority pending interrupt scans the
 * vCPU's 32 banked interrupts and the SPIs routed to it: at most 1024 entries, and only after a change.
 */
import { fail } from '../errors.js';
import { CpuInterfaceState } from './cpu-interface-state.js';
import { FIRST_LPI, FIRST_SPI, MAX_NR_IRQS, MIN_NR_IRQS, NR_PRIVATE_IRQS, NR_SGIS } from './constants.js';
import { IrqState, IrqTable } from './irq-state.js';

/** GICD_CTLR's group enable bits (GICv2 and GICv3 alike). */
const GICD_CTLR_ENABLE_GRP0 = 1 << 0;
const GICD_CTLR_ENABLE_GRP1 = 1 << 1;

/** How a vGIC model is created (KVM_CREATE_DEVICE plus KVM_DEV_ARM_VGIC_GRP_NR_IRQS). */
export interface VgicOptions {
  /** Number of vCPUs (CPU interfaces; GICv3: redistributors). */
  readonly nrVcpus: number;
  /** Number of interrupt IDs, SGIs and PPIs included: a multiple of 32 in 64..1024. Default 256. */
  readonly nrIrqs?: number;
  /** Called when vCPU `vcpu`'s IRQ input should change to `level` (drive `cpu.irqLine` with it). */
  readonly onIrqLine?: (vcpu: number, level: boolean) => void;
  /** Called when vCPU `vcpu`'s FIQ input should change (Group 0 interrupts, where they are signalled as FIQ). */
  readonly onFiqLine?: (vcpu: number, level: boolean) => void;
}

/** The outcome of an acknowledge: the interrupt and, for a GICv2 SGI, the source CPU. */
export interface Acknowledged {
  readonly irq: IrqState;
  readonly source: number;
}

export abstract class VgicModel {
  readonly nrVcpus: number;
  readonly nrIrqs: number;
  /** Every interrupt's state. */
  readonly irqs: IrqTable;
  /** Each vCPU's CPU interface state. */
  readonly cpus: readonly CpuInterfaceState[];
  private groupEnables = 0;
  private readonly irqOut: boolean[];
  private readonly fiqOut: boolean[];
  private readonly onIrqLine: ((vcpu: number, level: boolean) => void) | undefined;
  private readonly onFiqLine: ((vcpu: number, level: boolean) => void) | undefined;

  protected constructor(options: VgicOptions, maxVcpus: number, what: string) {
    const { nrVcpus } = options;
    const nrIrqs = options.nrIrqs ?? 256;
    if (!Number.isInteger(nrVcpus) || nrVcpus < 1 || nrVcpus > maxVcpus) {
      fail('EINVAL', `${what}: ${nrVcpus} vCPUs (1..${maxVcpus})`);
    }
    if (!Number.isInteger(nrIrqs) || nrIrqs % 32 !== 0 || nrIrqs < MIN_NR_IRQS || nrIrqs > MAX_NR_IRQS) {
      fail('EINVAL', `${what}: ${nrIrqs} interrupts (a multiple of 32 in ${MIN_NR_IRQS}..${MAX_NR_IRQS})`);
    }
    this.nrVcpus = nrVcpus;
    this.nrIrqs = nrIrqs;
    this.irqs = new IrqTable(nrVcpus, nrIrqs);
    const cpus: CpuInterfaceState[] = [];
    for (let v = 0; v < nrVcpus; v++) cpus.push(new CpuInterfaceState());
    this.cpus = cpus;
    this.irqOut = new Array<boolean>(nrVcpus).fill(false);
    this.fiqOut = new Array<boolean>(nrVcpus).fill(false);
    this.onIrqLine = options.onIrqLine;
    this.onFiqLine = options.onFiqLine;
  }

  /**
   * GICD_CTLR's group enables, the same two bits on both versions: EnableGrp0 (bit 0) and EnableGrp1 (bit 1; on a
   * GICv3 with DS = 1 that is EnableGrp1NS). Each register file adds its version's other, fixed bits.
   */
  get distCtlr(): number {
    return this.groupEnables;
  }

  /** Set GICD_CTLR's group enables (other bits of `bits` are the caller's). */
  setDistCtlr(bits: number): void {
    this.groupEnables = bits & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
    this.refreshAll();
  }

  /** Whether the distributor forwards interrupts of `group` (GICD_CTLR). */
  distGroupEnabled(group: number): boolean {
    return (this.groupEnables & (group === 0 ? GICD_CTLR_ENABLE_GRP0 : GICD_CTLR_ENABLE_GRP1)) !== 0;
  }
  /** Whether SPI `irq` is routed to vCPU `vcpu` (GICD_IROUTER / GICD_ITARGETSR). */
  abstract routesTo(irq: IrqState, vcpu: number): boolean;
  /** Whether an interrupt of `group` is signalled to `vcpu` as FIQ rather than IRQ. */
  protected abstract signalsFiq(vcpu: number, group: number): boolean;
  /** Which active-priority word an acknowledged interrupt of `group` uses. */
  abstract apIndex(group: number): number;

  /** Call `fn` with each LPI `vcpu` may be signalled (GICv3 with an ITS; none by default). */
  protected forEachLpi(_vcpu: number, _fn: (irq: IrqState) => void): void {}

  /** Throw EINVAL unless `vcpu` is a vCPU index of this vGIC. */
  checkVcpu(vcpu: number): void {
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu >= this.nrVcpus) {
      fail('EINVAL', `vGIC: vCPU index ${vcpu} out of range (0..${this.nrVcpus - 1})`);
    }
  }

  /** The IRQ input of `vcpu` as the model last computed it. */
  irqLine(vcpu: number): boolean {
    return this.irqOut[vcpu] ?? false;
  }

  /** The FIQ input of `vcpu` as the model last computed it. */
  fiqLine(vcpu: number): boolean {
    return this.fiqOut[vcpu] ?? false;
  }

  /**
   * Drive an interrupt line: an SPI (`vcpu` ignored) or a PPI of `vcpu` (KVM_IRQ_LINE). A level-sensitive
   * interrupt is pending while its line is high; an edge-triggered one latches pending on a rising edge.
   * EINVAL for an SGI, an INTID the vGIC does not have, or a bad vCPU index for a PPI.
   */
  setLevel(intid: number, vcpu: number, level: boolean): void {
    if (!Number.isInteger(intid) || intid < NR_SGIS || intid >= this.nrIrqs) {
      fail('EINVAL', `vGIC: no interrupt line for INTID ${intid} (PPIs 16..31, SPIs 32..${this.nrIrqs - 1})`);
    }
    const owner = intid < NR_PRIVATE_IRQS ? vcpu : 0;
    if (intid < NR_PRIVATE_IRQS) this.checkVcpu(vcpu);
    const irq = this.irqs.get(owner, intid)!;
    if (irq.edge && level && !irq.lineLevel) irq.pendingLatch = true;
    irq.lineLevel = level;
    this.changed(owner, irq);
  }

  /**
   * The highest priority pending interrupt `vcpu` could take: enabled, pending and not active, of a group both the
   * distributor and the CPU interface enable, routed to `vcpu`. Equal priorities: the lowest INTID.
   */
  hppi(vcpu: number): IrqState | undefined {
    const cpu = this.cpus[vcpu];
    if (cpu === undefined) return undefined;
    const en0 = cpu.grpEn0 && this.distGroupEnabled(0);
    const en1 = cpu.grpEn1 && this.distGroupEnabled(1);
    if (!en0 && !en1) return undefined;
    let best: IrqState | undefined;
    const consider = (irq: IrqState) => {
      if (!irq.enabled || irq.active || !irq.pending) return;
      if (!(irq.group === 0 ? en0 : en1)) return;
      if (best === undefined || irq.priority < best.priority || (irq.priority === best.priority && irq.intid < best.intid)) best = irq;
    };
    for (const irq of this.irqs.privateIrqs(vcpu)) consider(irq);
    for (const irq of this.irqs.sharedIrqs()) if (this.routesTo(irq, vcpu)) consider(irq);
    this.forEachLpi(vcpu, consider);
    return best;
  }

  /**
   * Acknowledge `irq` on `vcpu`: it becomes active (an LPI, which has no active state, does not), its latch clears
   * (a level-sensitive interrupt whose line is still high stays pending too) and its group priority becomes active.
   * A GICv2 SGI gives up its lowest pending source, and stays pending while other sources are.
   */
  acknowledge(vcpu: number, irq: IrqState): Acknowledged {
    let source = 0;
    if (this.hasSgiSources() && irq.intid < NR_SGIS) {
      const s = irq.sgiSources;
      source = s === 0 ? 0 : 31 - Math.clz32(s & -s);
      irq.sgiSources = s & ~(1 << source);
      irq.pendingLatch = irq.sgiSources !== 0;
      irq.activeSource = source;
    } else {
      irq.pendingLatch = false;
    }
    if (irq.intid < FIRST_LPI) irq.active = true;
    this.cpus[vcpu]!.activatePriority(irq.priority, irq.group, this.apIndex(irq.group));
    this.changed(vcpu, irq);
    return { irq, source };
  }

  /**
   * End of interrupt for `intid` on `vcpu`: drop the running priority (in AP word `apIndex`) and, with EOImode 0,
   * deactivate the interrupt. An EOI when the highest active priority is not in that word, or of an INTID the vGIC
   * does not have, is ignored (UNPREDICTABLE in the spec).
   */
  endOfInterrupt(vcpu: number, intid: number, apIndex: number): void {
    const cpu = this.cpus[vcpu]!;
    if (!cpu.dropPriority(apIndex)) return;
    if (!cpu.eoiMode) this.deactivateIntid(vcpu, intid);
    else this.refresh(vcpu);
  }

  /** Deactivate `intid` as `vcpu` sees it (ICC_DIR_EL1, GICC_DIR, EOI with EOImode 0); other INTIDs: nothing. */
  deactivateIntid(vcpu: number, intid: number): void {
    const irq = this.irqs.get(vcpu, intid);
    if (irq === undefined) {
      this.refresh(vcpu);
      return;
    }
    irq.active = false;
    this.changed(vcpu, irq);
    this.refresh(vcpu);
  }

  /** Whether GICv2 per-source SGI state applies. */
  hasSgiSources(): boolean {
    return false;
  }

  /**
   * After a change of `irq` (as `vcpu` sees it): recompute the outputs of the vCPUs it can reach, its owner or the
   * SPI's targets (an LPI's caller passes its target). The register files call it after each change they make.
   */
  changed(vcpu: number, irq: IrqState): void {
    if (irq.intid < FIRST_SPI || irq.intid >= FIRST_LPI) {
      this.refresh(vcpu);
      return;
    }
    for (let v = 0; v < this.nrVcpus; v++) if (this.routesTo(irq, v)) this.refresh(v);
  }

  /** Recompute every vCPU's outputs (after a change of routing or of a global enable). */
  refreshAll(): void {
    for (let v = 0; v < this.nrVcpus; v++) this.refresh(v);
  }

  /** Recompute `vcpu`'s IRQ and FIQ outputs and call the callbacks for those that changed. */
  refresh(vcpu: number): void {
    const best = this.hppi(vcpu);
    const cpu = this.cpus[vcpu]!;
    let irq = false;
    let fiq = false;
    if (best !== undefined && cpu.canSignal(best.priority, best.group)) {
      if (this.signalsFiq(vcpu, best.group)) fiq = true;
      else irq = true;
    }
    if (this.irqOut[vcpu] !== irq) {
      this.irqOut[vcpu] = irq;
      this.onIrqLine?.(vcpu, irq);
    }
    if (this.fiqOut[vcpu] !== fiq) {
      this.fiqOut[vcpu] = fiq;
      this.onFiqLine?.(vcpu, fiq);
    }
  }

  /**
   * KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO read: bit i is the line level of INTID `intid + i`, for level-sensitive
   * interrupts (SGIs and edge-triggered interrupts read 0). `intid` must be a multiple of 32 (EINVAL).
   */
  userLevelInfoRead(vcpu: number, intid: number): number {
    this.checkVcpu(vcpu);
    this.checkLevelInfoIntid(intid);
    let value = 0;
    for (let i = 0; i < 32; i++) {
      const id = intid + i;
      if (id < NR_SGIS || id >= this.nrIrqs) continue;
      const irq = this.irqs.get(vcpu, id)!;
      if (!irq.edge && irq.lineLevel) value |= 1 << i;
    }
    return value >>> 0;
  }

  /**
   * KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO write: set the line levels of INTIDs `intid..intid+31` (not SGIs), whatever
   * their configuration (so the order of restoring ICFGR and line levels does not matter), without edge detection.
   */
  userLevelInfoWrite(vcpu: number, intid: number, value: number): void {
    this.checkVcpu(vcpu);
    this.checkLevelInfoIntid(intid);
    for (let i = 0; i < 32; i++) {
      const id = intid + i;
      if (id < NR_SGIS || id >= this.nrIrqs) continue;
      this.irqs.get(vcpu, id)!.lineLevel = ((value >>> i) & 1) === 1;
    }
    if (intid < NR_PRIVATE_IRQS) this.refresh(vcpu);
    else this.refreshAll();
  }

  private checkLevelInfoIntid(intid: number): void {
    if (!Number.isInteger(intid) || intid < 0 || intid % 32 !== 0 || intid >= MAX_NR_IRQS) {
      fail('EINVAL', `vGIC level info: INTID ${intid} is not a multiple of 32 below ${MAX_NR_IRQS}`);
    }
  }
}
