/**
 * A vCPU's CPU interface state common to GICv2 (GICC_*) and GICv3 (ICC_*): priority mask, binary points, group
 * enables, EOI mode and the active priorities, with the priority arithmetic of IHI 0069 §4.8 (and IHI 0048 §3.3).
 *
 * Active priorities: one 32-bit word per group (ICC_AP0R0_EL1 / ICC_AP1R0_EL1; GICv2 keeps both groups in one
 * word, GICC_APR0, so it uses `ap[0]` only). With 5 priority bits every group priority is a multiple of 8 and bit
 * `p >> 3` stands for group priority `p`.
 */
import { IDLE_PRIORITY, MIN_BPR0, MIN_BPR1, PRIORITY_MASK } from './constants.js';

export class CpuInterfaceState {
  /** ICC_PMR_EL1 / GICC_PMR: only interrupts of a higher priority (a lower value) are signalled. */
  pmr = 0;
  /** ICC_BPR0_EL1 / GICC_BPR. */
  bpr0 = MIN_BPR0;
  /** ICC_BPR1_EL1 / GICC_ABPR. */
  bpr1 = MIN_BPR1;
  /** ICC_CTLR_EL1.CBPR / GICC_CTLR.CBPR: Group 1 uses the Group 0 binary point. */
  cbpr = false;
  /** ICC_CTLR_EL1.EOImode / GICC_CTLR.EOImodeNS: EOI only drops the priority; ICC_DIR / GICC_DIR deactivates. */
  eoiMode = false;
  /** ICC_IGRPEN0_EL1 / GICC_CTLR.EnableGrp0. */
  grpEn0 = false;
  /** ICC_IGRPEN1_EL1 / GICC_CTLR.EnableGrp1. */
  grpEn1 = false;
  /** GICv2 only: GICC_CTLR.AckCtl (GICC_IAR may acknowledge Group 1). */
  ackCtl = false;
  /** GICv2 only: GICC_CTLR.FIQEn (Group 0 is signalled as FIQ). */
  fiqEn = false;
  /** Active priorities: [Group 0, Group 1] (GICv2: both in [0]). */
  readonly ap: [number, number] = [0, 0];

  /** Whether the CPU interface forwards interrupts of `group`. */
  groupEnabled(group: number): boolean {
    return group === 0 ? this.grpEn0 : this.grpEn1;
  }

  /** Set the priority mask; bits [2:0] are RAZ/WI. */
  setPmr(value: number): void {
    this.pmr = value & PRIORITY_MASK;
  }

  /** Set a binary point; a value below the group's minimum sets the minimum (IHI 0069 ICC_BPR0_EL1). */
  setBpr(group: number, value: number): void {
    const v = value & 7;
    if (group === 0) this.bpr0 = Math.max(v, MIN_BPR0);
    else this.bpr1 = Math.max(v, MIN_BPR1);
  }

  /**
   * The group priority of an interrupt of `priority` in `group`: the priority with the subpriority bits the
   * group's binary point names cleared. Group 0 (and Group 1 with CBPR) keeps bits [7:BPR0+1]; Group 1 keeps
   * bits [7:BPR1].
   */
  groupPriority(priority: number, group: number): number {
    const shift = group === 0 || this.cbpr ? this.bpr0 + 1 : this.bpr1;
    return priority & ((0xff << shift) & 0xff);
  }

  /** The running priority: the highest (numerically lowest) active group priority, IDLE_PRIORITY when none. */
  runningPriority(): number {
    const all = (this.ap[0] | this.ap[1]) >>> 0;
    if (all === 0) return IDLE_PRIORITY;
    return (31 - Math.clz32(all & -all)) << 3;
  }

  /** Whether an interrupt of `priority` in `group` passes the priority mask and preempts the running priority. */
  canSignal(priority: number, group: number): boolean {
    return priority < this.pmr && this.groupPriority(priority, group) < this.runningPriority();
  }

  /** Record an acknowledge: mark the interrupt's group priority active in AP word `apIndex`. */
  activatePriority(priority: number, group: number, apIndex: number): void {
    const bit = this.groupPriority(priority, group) >> 3;
    this.ap[apIndex === 0 ? 0 : 1] = (this.ap[apIndex === 0 ? 0 : 1]! | (1 << bit)) >>> 0;
  }

  /**
   * Priority drop: clear the highest active priority if AP word `apIndex` holds it. Returns false (and changes
   * nothing) when no priority is active or the highest belongs to the other word: IHI 0069 makes such an EOI
   * UNPREDICTABLE, and the model ignores it.
   */
  dropPriority(apIndex: number): boolean {
    const all = (this.ap[0] | this.ap[1]) >>> 0;
    if (all === 0) return false;
    const lowest = all & -all;
    const i = apIndex === 0 ? 0 : 1;
    if ((this.ap[i]! & lowest) === 0) return false;
    this.ap[i] = (this.ap[i]! & ~lowest) >>> 0;
    return true;
  }
}
