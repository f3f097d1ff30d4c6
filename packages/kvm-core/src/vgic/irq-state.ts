/**
 * The state of one interrupt, and the table of all of a vGIC's interrupts: SGIs and PPIs banked per vCPU, SPIs
 * shared. The fields are those of KVM's `struct vgic_irq`; the table is the only place they live.
 */
import { FIRST_SPI, NR_PRIVATE_IRQS, NR_SGIS } from './constants.js';

/** One interrupt's state. Mutated only by the vGIC model that owns the table. */
export class IrqState {
  /** GICD_ISENABLER bit. */
  enabled = false;
  /** The software pending state: set by an edge, GICD_ISPENDR, an SGI; cleared by acknowledge or GICD_ICPENDR. */
  pendingLatch = false;
  /** The input line as last set (`setLevel`); makes a level-sensitive interrupt pending while high. */
  lineLevel = false;
  /** GICD_ISACTIVER bit. */
  active = false;
  /** GICD_IPRIORITYR byte, bits [2:0] always zero. */
  priority = 0;
  /** GICD_IGROUPR bit: 0 is Group 0, 1 is Group 1. */
  group = 0;
  /** GICD_ICFGR: true for edge-triggered, false for level-sensitive. */
  edge = false;
  /** GICv2 SPIs: GICD_ITARGETSR's 8-bit CPU mask. GICv2 SGIs and PPIs: the owning vCPU's bit (read-only). */
  targets = 0;
  /** GICv3 SPIs: GICD_IROUTER's Aff2.Aff1.Aff0 (bits [23:0]). */
  route = 0;
  /** GICv2 SGIs: one pending bit per source CPU (GICD_SPENDSGIR byte). */
  sgiSources = 0;
  /** GICv2 SGIs: the source CPU of the active instance (GICC_IAR.CPUID of the acknowledge). */
  activeSource = 0;

  constructor(
    /** The interrupt ID. */
    readonly intid: number,
  ) {}

  /** Whether the interrupt is pending: the latch, or for a level-sensitive interrupt also a high line. */
  get pending(): boolean {
    return this.pendingLatch || (!this.edge && this.lineLevel);
  }
}

/** Every interrupt of one vGIC, with reset values set by the caller. */
export class IrqTable {
  private readonly banked: IrqState[][];
  private readonly spis: IrqState[];

  constructor(
    readonly nrVcpus: number,
    /** Interrupt IDs 0..nrIrqs-1 exist. */
    readonly nrIrqs: number,
  ) {
    this.banked = [];
    for (let v = 0; v < nrVcpus; v++) {
      const bank: IrqState[] = [];
      for (let i = 0; i < NR_PRIVATE_IRQS; i++) bank.push(new IrqState(i));
      this.banked.push(bank);
    }
    this.spis = [];
    for (let i = FIRST_SPI; i < nrIrqs; i++) this.spis.push(new IrqState(i));
  }

  /**
   * The interrupt `intid` as vCPU `vcpu` sees it (its own bank for SGIs and PPIs); undefined for an INTID the vGIC
   * does not have or a vCPU index out of range.
   */
  get(vcpu: number, intid: number): IrqState | undefined {
    if (!Number.isInteger(intid) || intid < 0 || intid >= this.nrIrqs) return undefined;
    if (intid < NR_PRIVATE_IRQS) return this.banked[vcpu]?.[intid];
    return this.spis[intid - FIRST_SPI];
  }

  /** vCPU `vcpu`'s 32 banked interrupts (SGIs then PPIs). */
  privateIrqs(vcpu: number): readonly IrqState[] {
    return this.banked[vcpu] ?? [];
  }

  /** The SPIs, INTID 32 upwards. */
  sharedIrqs(): readonly IrqState[] {
    return this.spis;
  }

  /** Whether `intid` is an SGI. */
  static isSgi(intid: number): boolean {
    return intid < NR_SGIS;
  }
}
