/**
 * LPIs in the redistributors (IHI 0069 §5.1), as KVM keeps them: one GICR_PROPBASER for the whole vGIC (KVM makes
 * every redistributor's the same), a GICR_PENDBASER and EnableLPIs per vCPU, and an interrupt state for each LPI an
 * ITS translation maps (KVM's lpi_list, reference counted by the ITEs that map it). Configuration (priority,
 * enable) is read from the configuration table in guest memory when an LPI is mapped and on INV/INVALL, not on
 * every guest write to the table: as KVM and the architecture allow, a change is seen after an invalidation.
 * Pending state lives in the model; the pending tables are read when a vCPU enables LPIs (unless PENDBASER.PTZ)
 * and when an LPI is mapped (restore), and written on KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES.
 *
 * LPIs are Group 1, edge-triggered and have no active state: an acknowledge only clears the pending latch.
 */
import { FIRST_LPI, LPI_ID_BITS, PRIORITY_MASK } from './constants.js';
import { type GuestMemory, readU8 } from './its-guest-memory.js';
import {
  GICR_CTLR_ENABLE_LPIS, INITIAL_PROPBASER, PENDBASER_PTZ, pendbaserAddress, propbaserAddress, sanitisePendbaser,
  sanitisePropbaser,
} from './its-registers.js';
import { IrqState } from './irq-state.js';

/** An LPI's state: an edge-triggered Group 1 interrupt with the vCPU its collection targets. */
export class LpiIrq extends IrqState {
  /** The vCPU index the LPI is delivered to; undefined while its collection is not mapped. */
  target: number | undefined;
  /** How many ITEs map this LPI (KVM's refcount); it is forgotten at 0. */
  refs = 0;

  constructor(intid: number, target: number | undefined) {
    super(intid);
    this.edge = true;
    this.group = 1;
    this.target = target;
  }
}

/** What the LPI state needs of its vGIC: recompute a vCPU's outputs after a change. */
export interface LpiHost {
  readonly nrVcpus: number;
  refresh(vcpu: number): void;
}

/** The vGIC's LPIs and the redistributors' LPI registers. */
export class Lpis {
  /** GICR_PROPBASER, shared by every redistributor. */
  propbaser = INITIAL_PROPBASER;
  /** Each vCPU's GICR_PENDBASER (PTZ kept, read as 0). */
  readonly pendbaser: bigint[];
  /** Each vCPU's GICR_CTLR.EnableLPIs. */
  readonly enabled: boolean[];
  /** The mapped LPIs by INTID. */
  readonly table = new Map<number, LpiIrq>();

  constructor(private readonly host: LpiHost, private readonly memory: GuestMemory | undefined) {
    this.pendbaser = new Array<bigint>(host.nrVcpus).fill(0n);
    this.enabled = new Array<boolean>(host.nrVcpus).fill(false);
  }

  /** One past the highest LPI INTID GICR_PROPBASER.IDbits allows (at most 2^16, KVM's INTERRUPT_ID_BITS_ITS). */
  limit(): number {
    const bits = Math.min(Number(this.propbaser & 0x1fn) + 1, LPI_ID_BITS);
    return 2 ** bits;
  }

  /** Whether `intid` may be mapped now: an LPI below the limit PROPBASER sets. */
  inRange(intid: number): boolean {
    return intid >= FIRST_LPI && intid < this.limit();
  }

  /** The LPIs `vcpu` can be signalled: mapped to it, with its LPIs enabled. */
  *deliverable(vcpu: number): Iterable<LpiIrq> {
    if (this.enabled[vcpu] !== true) return;
    for (const irq of this.table.values()) if (irq.target === vcpu) yield irq;
  }

  /**
   * Map LPI `intid` for one more ITE (vgic_add_lpi): an existing LPI is shared as it is; a new one targets `target`,
   * reads its configuration and its pending bit. Undefined when the configuration table cannot be read (not RAM).
   */
  add(intid: number, target: number | undefined): LpiIrq | undefined {
    const existing = this.table.get(intid);
    if (existing !== undefined) {
      existing.refs++;
      return existing;
    }
    const irq = new LpiIrq(intid, target);
    if (!this.readConfig(irq)) return undefined;
    irq.refs = 1;
    this.table.set(intid, irq);
    this.syncPendingBit(irq);
    if (target !== undefined) this.host.refresh(target);
    return irq;
  }

  /** One ITE less maps `irq`; at none it is forgotten (with its pending state). */
  put(irq: LpiIrq): void {
    if (--irq.refs > 0) return;
    this.table.delete(irq.intid);
    if (irq.target !== undefined) this.host.refresh(irq.target);
  }

  /** Deliver `irq` to `vcpu` from now on (a collection moved or mapped). */
  retarget(irq: LpiIrq, vcpu: number | undefined): void {
    const old = irq.target;
    irq.target = vcpu;
    if (old !== undefined && old !== vcpu) this.host.refresh(old);
    if (vcpu !== undefined) this.host.refresh(vcpu);
  }

  /** Set or clear `irq`'s pending latch. */
  setPending(irq: LpiIrq, pending: boolean): void {
    irq.pendingLatch = pending;
    if (irq.target !== undefined) this.host.refresh(irq.target);
  }

  /**
   * Read `irq`'s configuration byte (update_lpi_config): priority [7:2] (5 bits kept, as every priority here) and
   * enable [0]. False when the byte is not RAM; the state is unchanged then.
   */
  readConfig(irq: LpiIrq): boolean {
    if (this.memory === undefined) return false;
    const prop = readU8(this.memory, propbaserAddress(this.propbaser) + BigInt(irq.intid - FIRST_LPI));
    if (prop === undefined) return false;
    irq.priority = prop & PRIORITY_MASK;
    irq.enabled = (prop & 1) !== 0;
    if (irq.target !== undefined) this.host.refresh(irq.target);
    return true;
  }

  /** INVALL / GICR_INVALLR: read the configuration of every LPI targeting `vcpu`. */
  invalidateAll(vcpu: number): void {
    for (const irq of this.table.values()) if (irq.target === vcpu) this.readConfig(irq);
  }

  /** GICR_CTLR of `vcpu`: EnableLPIs (RWP never set: changes complete at once). */
  ctlr(vcpu: number): number {
    return this.enabled[vcpu] === true ? GICR_CTLR_ENABLE_LPIS : 0;
  }

  /**
   * Write GICR_CTLR.EnableLPIs. Enabling reads the pending table for the LPIs targeting the vCPU unless
   * PENDBASER.PTZ says it is zero (vgic_enable_lpis); disabling drops their pending state (vgic_flush_pending_lpis).
   */
  setEnabled(vcpu: number, enable: boolean): void {
    if (this.enabled[vcpu] === enable) return;
    this.enabled[vcpu] = enable;
    for (const irq of this.table.values()) {
      if (irq.target !== vcpu) continue;
      if (!enable) irq.pendingLatch = false;
      else if ((this.pendbaser[vcpu]! & PENDBASER_PTZ) === 0n) irq.pendingLatch = this.pendingBit(vcpu, irq.intid) ?? false;
    }
    this.host.refresh(vcpu);
  }

  /** Write 32 bits of GICR_PROPBASER through `vcpu`'s redistributor: ignored while its LPIs are enabled. */
  writePropbaser(vcpu: number, update: (old: bigint) => bigint): void {
    if (this.enabled[vcpu] === true) return;
    this.propbaser = sanitisePropbaser(update(this.propbaser));
  }

  /** GICR_PENDBASER as read: PTZ reads as 0. */
  readPendbaser(vcpu: number): bigint {
    return (this.pendbaser[vcpu] ?? 0n) & ~PENDBASER_PTZ;
  }

  /** Write 32 bits of `vcpu`'s GICR_PENDBASER: ignored while its LPIs are enabled. */
  writePendbaser(vcpu: number, update: (old: bigint) => bigint): void {
    if (this.enabled[vcpu] === true) return;
    this.pendbaser[vcpu] = sanitisePendbaser(update(this.pendbaser[vcpu]!));
  }

  /**
   * KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES: write each mapped LPI's pending state into its target's pending table.
   * False when a table byte is not RAM (KVM's error), after writing the others.
   */
  savePendingTables(): boolean {
    let ok = true;
    for (const irq of this.table.values()) {
      if (irq.target === undefined || this.memory === undefined) continue;
      const at = pendbaserAddress(this.pendbaser[irq.target]!) + BigInt(irq.intid >> 3);
      const byte = readU8(this.memory, at);
      if (byte === undefined) {
        ok = false;
        continue;
      }
      const bit = 1 << (irq.intid & 7);
      const next = irq.pendingLatch ? byte | bit : byte & ~bit;
      if (next !== byte && !this.memory.write(at, Uint8Array.of(next))) ok = false;
    }
    return ok;
  }

  /**
   * A newly mapped LPI takes its pending bit from its target's pending table, which then forgets it
   * (vgic_v3_lpi_sync_pending_status): how a restore brings pending LPIs back.
   */
  private syncPendingBit(irq: LpiIrq): void {
    if (irq.target === undefined || this.memory === undefined) return;
    const bit = this.pendingBit(irq.target, irq.intid);
    if (bit === undefined) return;
    irq.pendingLatch = bit;
    if (bit) {
      const at = pendbaserAddress(this.pendbaser[irq.target]!) + BigInt(irq.intid >> 3);
      const byte = readU8(this.memory, at);
      if (byte !== undefined) this.memory.write(at, Uint8Array.of(byte & ~(1 << (irq.intid & 7))));
    }
  }

  /** Bit `intid` of `vcpu`'s pending table, or undefined when it is not RAM. */
  private pendingBit(vcpu: number, intid: number): boolean | undefined {
    if (this.memory === undefined) return undefined;
    const byte = readU8(this.memory, pendbaserAddress(this.pendbaser[vcpu]!) + BigInt(intid >> 3));
    return byte === undefined ? undefined : ((byte >> (intid & 7)) & 1) === 1;
  }
}
