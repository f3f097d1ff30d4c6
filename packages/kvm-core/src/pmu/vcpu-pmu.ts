/**
 * A vCPU's PMUv3 as KVM emulates it for a vCPU with KVM_ARM_VCPU_PMU_V3: PMCR_EL0, six 64-bit event counters
 * (FEAT_PMUv3p5) with their PMEVTYPER filters, the cycle counter and PMCCFILTR_EL0, the enable, overflow and
 * interrupt-enable sets, PMSELR/PMXEV*, PMSWINC, PMUSERENR and PMCEID0/1; the overflow interrupt, level-sensitive,
 * on the PPI (or SPI) user space gave (KVM_ARM_VCPU_PMU_V3_IRQ, QEMU's virt: PPI 23) through the in-kernel vGIC.
 * It is the vCPU's CPU's `pmuPort` (aarch64-cpu ports.ts), which the CPU sends every PMU register access to.
 *
 * What counts (constants.ts PmuEvent): INST_RETIRED and CPU_CYCLES come from the CPU's retired-instruction count,
 * one cycle per instruction (CPI 1: the model has no pipeline, so STALL_FRONTEND/BACKEND are implemented and stay
 * 0). The count is accounted lazily: at every entry to the guest and return from it, at every PMU register access,
 * and when PSTATE.EL changes (the CPU's `elChanging`), so the EL filters (PMEVTYPER.P/U, PMCCFILTR) are exact; an
 * instruction that changes the EL (SVC, HVC, ERET, an exception taken in its place) counts at the EL it leads to.
 * A run ends exactly at the next instruction-counted overflow ({@link runBound}, as the timers end runs at their
 * deadlines), so the overflow interrupt is taken after exactly the instruction that overflowed. SW_INCR counts
 * PMSWINC_EL0 writes; MEM_ACCESS counts data accesses (mem-access-port.ts); CHAIN counts the preceding even
 * counter's 32-bit overflows.
 *
 * Exactness and speed: while any counter counts (PMCR_EL0.E and a PMCNTENSET bit) the PMU puts its counting memory
 * port in `cpu.mem` (mem-access-port.ts), which makes the CPU interpret: the interpreter's retired count is exact
 * at every instruction, where a handler block adds its instructions when it ends (so an MRS in it would see a
 * count short by the block's earlier instructions), and translated code's inline loads and stores would not be
 * counted. A VM whose PMU counts nothing runs at full speed. A PMU register write ends the run
 * (PmuWrite.EndRun); the write that starts counting may have run in a handler block, so when the run ends the
 * count is taken as exact again (the write was the last instruction retired: {@link afterRun}).
 *
 * Counting needs PMCR_EL0.E and the counter's PMCNTENSET bit. Event counters overflow at 32 bits (bits [63:0]
 * still count) or, with PMCR_EL0.LP, at 64; the cycle counter at 64 (PMCR_EL0.LC is RES1, no AArch32). The
 * interrupt line is PMCR_EL0.E && (PMOVSSET & PMCNTENSET & PMINTENSET) != 0, as KVM computes it.
 */
import {
  type Cpu, type PmuPort, PmuKey, PmuWrite, type PmuWriteResult, pmevcntrKey, pmevtyperKey, SysReg,
} from '@kvm-mte/aarch64-cpu';
import type { VgicDevice } from '../vgic-device.js';
import {
  CCFILTR_WRITABLE, CYCLE_INDEX, DFR0_PMUVER_MASK, DFR0_PMUVER_SHIFT, EVTYPER_P, EVTYPER_U, EVTYPER_WRITABLE,
  PMCEID0, PMCEID1, PMCR, PMCR_FIXED, PMCR_WRITABLE, PMU_COUNTERS, PMU_VERSION, PmuEvent,
} from './constants.js';
import { MemAccessPort } from './mem-access-port.js';

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const TWO32 = 1n << 32n;
const TWO64 = 1n << 64n;
/** The implemented counters' bits in the PMCNTEN/PMOVS/PMINTEN masks: event counters 0..N-1 and the cycle counter. */
const COUNTER_MASK = (((1 << PMU_COUNTERS) - 1) | (1 << CYCLE_INDEX)) >>> 0;

/** What the PMU needs of its VM. */
export interface PmuHost {
  readonly vgic: VgicDevice | undefined;
}

/** The register file of a vCPU's PMU (what KVM_GET/SET_ONE_REG and snapshots move). */
interface PmuRegs {
  /** PMCR_EL0's writable bits ({@link PMCR_WRITABLE}). */
  pmcr: number;
  cnten: number;
  ovs: number;
  inten: number;
  selr: number;
  userenr: number;
  /** Event counters 0..N-1 and, at {@link CYCLE_INDEX}, the cycle counter. */
  readonly counters: BigUint64Array;
  /** PMEVTYPER<n>_EL0 and, at {@link CYCLE_INDEX}, PMCCFILTR_EL0. */
  readonly types: Uint32Array;
}

export class VcpuPmu implements PmuPort {
  private cpu: Cpu | undefined;
  /** The vCPU has KVM_ARM_VCPU_PMU_V3 (set at each KVM_ARM_VCPU_INIT). */
  enabled = false;
  /** KVM_ARM_VCPU_PMU_V3_IRQ: the overflow interrupt's INTID, once set. */
  irq: number | undefined;
  /** KVM_ARM_VCPU_PMU_V3_INIT has succeeded (the attributes are fixed). */
  created = false;
  private readonly r: PmuRegs = {
    pmcr: 0, cnten: 0, ovs: 0, inten: 0, selr: 0, userenr: 0,
    counters: new BigUint64Array(32), types: new Uint32Array(32),
  };
  /** The CPU's retired count up to which the instruction-counted events are accounted. */
  private accounted = 0;
  /** The level last driven on the interrupt line. */
  private level = false;
  /** A register write ended the run: {@link afterRun} re-takes the accounted count. */
  private resync = false;
  private memPort: MemAccessPort | undefined;

  constructor(private readonly host: PmuHost, private readonly index: number) {}

  /**
   * Give a (new) CPU of the vCPU its PMU: with `enabled`, the port, ID_AA64DFR0_EL1.PMUVer = 6 and the registers
   * at reset (PMCR_EL0 with E clear, everything else 0); without, no port and PMUVer = 0.
   */
  attach(cpu: Cpu, enabled: boolean): void {
    this.cpu = cpu;
    this.enabled = enabled;
    this.memPort = undefined;
    const dfr0 = cpu.sys[SysReg.ID_AA64DFR0_EL1]! & ~DFR0_PMUVER_MASK;
    cpu.sys[SysReg.ID_AA64DFR0_EL1] = enabled ? dfr0 | (PMU_VERSION << DFR0_PMUVER_SHIFT) : dfr0;
    cpu.pmuPort = enabled ? this : undefined;
    const r = this.r;
    r.pmcr = r.cnten = r.ovs = r.inten = r.selr = r.userenr = 0;
    r.counters.fill(0n);
    r.types.fill(0);
    this.accounted = cpu.insnCount;
    this.driveLine(false);
  }

  // ---- the guest's side (PmuPort) ----

  read(key: number): bigint | undefined {
    this.sync();
    const r = this.r;
    switch (key) {
      case PmuKey.PMCR_EL0: return BigInt((r.pmcr | PMCR_FIXED) >>> 0);
      case PmuKey.PMCNTENSET_EL0: case PmuKey.PMCNTENCLR_EL0: return BigInt(r.cnten);
      case PmuKey.PMOVSSET_EL0: case PmuKey.PMOVSCLR_EL0: return BigInt(r.ovs);
      case PmuKey.PMINTENSET_EL1: case PmuKey.PMINTENCLR_EL1: return BigInt(r.inten);
      case PmuKey.PMSELR_EL0: return BigInt(r.selr);
      case PmuKey.PMUSERENR_EL0: return BigInt(r.userenr);
      case PmuKey.PMCEID0_EL0: return PMCEID0;
      case PmuKey.PMCEID1_EL0: return PMCEID1;
      case PmuKey.PMMIR_EL1: return 0n;
      case PmuKey.PMCCNTR_EL0: return r.counters[CYCLE_INDEX]!;
      case PmuKey.PMCCFILTR_EL0: return BigInt(r.types[CYCLE_INDEX]!);
      case PmuKey.PMXEVTYPER_EL0: return validIndex(r.selr) ? BigInt(r.types[r.selr]!) : undefined;
      case PmuKey.PMXEVCNTR_EL0: return validIndex(r.selr) ? r.counters[r.selr]! : undefined;
      default: {
        const n = eventRegIndex(key);
        if (n === undefined) return undefined;
        return n.counter ? r.counters[n.index]! : BigInt(r.types[n.index]!);
      }
    }
  }

  write(key: number, value: bigint): PmuWriteResult {
    this.sync();
    const r = this.r;
    const low = Number(value & 0xffff_ffffn) >>> 0;
    switch (key) {
      case PmuKey.PMCR_EL0:
        r.pmcr = low & PMCR_WRITABLE;
        if ((low & PMCR.P) !== 0) r.counters.fill(0n, 0, PMU_COUNTERS);
        if ((low & PMCR.C) !== 0) r.counters[CYCLE_INDEX] = 0n;
        break;
      case PmuKey.PMCNTENSET_EL0: r.cnten = (r.cnten | (low & COUNTER_MASK)) >>> 0; break;
      case PmuKey.PMCNTENCLR_EL0: r.cnten = (r.cnten & ~low) >>> 0; break;
      case PmuKey.PMOVSSET_EL0: r.ovs = (r.ovs | (low & COUNTER_MASK)) >>> 0; break;
      case PmuKey.PMOVSCLR_EL0: r.ovs = (r.ovs & ~low) >>> 0; break;
      case PmuKey.PMINTENSET_EL1: r.inten = (r.inten | (low & COUNTER_MASK)) >>> 0; break;
      case PmuKey.PMINTENCLR_EL1: r.inten = (r.inten & ~low) >>> 0; break;
      case PmuKey.PMSELR_EL0: r.selr = low & 0x1f; return PmuWrite.Done;
      case PmuKey.PMUSERENR_EL0: r.userenr = low & 0xf; return PmuWrite.Done;
      case PmuKey.PMSWINC_EL0: this.softwareIncrement(low); return PmuWrite.Done;
      case PmuKey.PMCCNTR_EL0: r.counters[CYCLE_INDEX] = value; break;
      case PmuKey.PMCCFILTR_EL0: r.types[CYCLE_INDEX] = low & CCFILTR_WRITABLE; break;
      case PmuKey.PMXEVTYPER_EL0:
        if (!validIndex(r.selr)) return PmuWrite.Undefined;
        r.types[r.selr] = low & (r.selr === CYCLE_INDEX ? CCFILTR_WRITABLE : EVTYPER_WRITABLE);
        break;
      case PmuKey.PMXEVCNTR_EL0:
        if (!validIndex(r.selr)) return PmuWrite.Undefined;
        r.counters[r.selr] = value;
        break;
      default: {
        const n = eventRegIndex(key);
        if (n === undefined) return PmuWrite.Undefined; // PMCEID0/1, PMMIR (read-only) and unimplemented counters
        if (n.counter) r.counters[n.index] = value;
        else r.types[n.index] = low & EVTYPER_WRITABLE;
      }
    }
    this.updateLine();
    // The counting set-up may have changed: the caller bounds its next run by the next overflow.
    this.resync = true;
    return PmuWrite.EndRun;
  }

  elChanging(): void {
    this.sync();
  }

  // ---- kvm-core's side ----

  /**
   * When a CPU run returned: if a PMU register write ended it, that write was the last instruction retired, so the
   * count up to it is the CPU's count less one (exact even where the write ran in a handler block); then
   * {@link update}.
   */
  afterRun(): void {
    const cpu = this.cpu;
    if (!this.enabled || cpu === undefined) return;
    if (this.resync) {
      this.resync = false;
      this.accounted = cpu.insnCount - 1;
    }
    this.update();
  }

  /**
   * At every entry to the guest and return from it: account the instructions retired, drive the interrupt line,
   * and put the counting memory port in `cpu.mem` while any counter counts (take it out otherwise).
   */
  update(): void {
    const cpu = this.cpu;
    if (!this.enabled || cpu === undefined) return;
    this.sync();
    this.updateLine();
    const counting = (this.r.pmcr & PMCR.E) !== 0 && (this.r.cnten & COUNTER_MASK) !== 0;
    if (counting && this.memPort === undefined) {
      this.memPort = new MemAccessPort(cpu.mem, this);
      cpu.mem = this.memPort;
    } else if (!counting && this.memPort !== undefined) {
      if (cpu.mem === this.memPort) cpu.mem = this.memPort.inner;
      this.memPort = undefined;
    }
  }

  /**
   * How many instructions the next CPU run may retire, at most `steps`, so that it ends exactly when an enabled
   * counter of retired instructions or cycles overflows (each instruction adds at most 1 to each).
   */
  runBound(steps: number): number {
    if (!this.enabled || (this.r.pmcr & PMCR.E) === 0) return steps;
    const r = this.r;
    let bound = BigInt(steps);
    for (let i = 0; i < 32; i++) {
      if (!this.enabledCounter(i)) continue;
      const ev = i === CYCLE_INDEX ? PmuEvent.CPU_CYCLES : r.types[i]! & 0xffff;
      if (ev !== PmuEvent.INST_RETIRED && ev !== PmuEvent.CPU_CYCLES) continue;
      if ((r.types[i]! & EVTYPER_P) !== 0 && (r.types[i]! & EVTYPER_U) !== 0) continue; // counts at no EL
      const v = r.counters[i]!;
      const left = this.wide(i) ? TWO64 - v : TWO32 - (v & 0xffff_ffffn);
      if (left < bound) bound = left;
    }
    return Number(bound);
  }

  /** MemAccessSink: a data access completed at the CPU's current EL. */
  memAccess(): void {
    if (this.countOne(PmuEvent.MEM_ACCESS)) this.updateLine();
  }

  /** Whether the interrupt line is high (model-specific, for tests and the VMM). */
  get lineLevel(): boolean {
    return this.level;
  }

  // ---- ONE_REG ----

  /** The ONE_REG encodings (sysRegKey) of the PMU's state, in KVM_GET_REG_LIST's order. */
  static readonly STATE_KEYS: readonly number[] = [
    PmuKey.PMCR_EL0, PmuKey.PMCNTENSET_EL0, PmuKey.PMOVSSET_EL0, PmuKey.PMINTENSET_EL1, PmuKey.PMSELR_EL0,
    PmuKey.PMUSERENR_EL0, PmuKey.PMCCNTR_EL0, PmuKey.PMCCFILTR_EL0,
    ...Array.from({ length: PMU_COUNTERS }, (_, n) => pmevcntrKey(n)),
    ...Array.from({ length: PMU_COUNTERS }, (_, n) => pmevtyperKey(n)),
  ];

  /** KVM_GET_ONE_REG of a state register (one of {@link STATE_KEYS}). */
  getReg(key: number): bigint {
    return this.read(key)!;
  }

  /**
   * KVM_SET_ONE_REG of a state register: the value as it is (the SET registers take the whole mask, not an OR),
   * the implemented bits only; PMCR_EL0's read-only fields are ignored and P/C do not act.
   */
  setReg(key: number, value: bigint): void {
    this.sync();
    const r = this.r;
    const low = Number(value & 0xffff_ffffn) >>> 0;
    switch (key) {
      case PmuKey.PMCR_EL0: r.pmcr = low & PMCR_WRITABLE; break;
      case PmuKey.PMCNTENSET_EL0: r.cnten = (low & COUNTER_MASK) >>> 0; break;
      case PmuKey.PMOVSSET_EL0: r.ovs = (low & COUNTER_MASK) >>> 0; break;
      case PmuKey.PMINTENSET_EL1: r.inten = (low & COUNTER_MASK) >>> 0; break;
      default: this.write(key, value);
    }
    this.updateLine();
  }

  // ---- internals ----

  /** Account the instructions retired since the last call to the counters counting them at the current EL. */
  private sync(): void {
    const cpu = this.cpu;
    if (cpu === undefined) return;
    const now = cpu.insnCount;
    const delta = now - this.accounted;
    this.accounted = now;
    if (delta <= 0 || (this.r.pmcr & PMCR.E) === 0 || this.r.cnten === 0) return;
    const by = BigInt(delta);
    const r = this.r;
    let overflowed = false;
    for (let i = 0; i < 32; i++) {
      if (!this.enabledCounter(i)) continue;
      const ev = i === CYCLE_INDEX ? PmuEvent.CPU_CYCLES : r.types[i]! & 0xffff;
      if ((ev === PmuEvent.INST_RETIRED || ev === PmuEvent.CPU_CYCLES) && this.countsAtEl(i)) overflowed = this.increment(i, by) || overflowed;
    }
    if (overflowed) this.updateLine();
  }

  /** PMSWINC_EL0: every enabled event counter of `bits` counting SW_INCR at this EL adds 1. */
  private softwareIncrement(bits: number): void {
    const r = this.r;
    let overflowed = false;
    for (let i = 0; i < PMU_COUNTERS; i++) {
      if ((bits & (1 << i)) === 0 || !this.enabledCounter(i)) continue;
      if ((r.types[i]! & 0xffff) === PmuEvent.SW_INCR && this.countsAtEl(i)) overflowed = this.increment(i, 1n) || overflowed;
    }
    if (overflowed) this.updateLine();
  }

  /** Every enabled event counter counting `event` at this EL adds 1; true when one overflowed. */
  private countOne(event: number): boolean {
    if ((this.r.pmcr & PMCR.E) === 0) return false;
    let overflowed = false;
    for (let i = 0; i < PMU_COUNTERS; i++) {
      if (this.enabledCounter(i) && (this.r.types[i]! & 0xffff) === event && this.countsAtEl(i)) overflowed = this.increment(i, 1n) || overflowed;
    }
    return overflowed;
  }

  /**
   * Add `by` to counter `i` (all 64 bits) and record its overflows: at bit 32, or at bit 64 for a 64-bit one
   * ({@link wide}). An even counter's 32-bit overflows count on the next odd counter when it is enabled and counts
   * CHAIN (KVM's rule: not when the even counter overflows at 64 bits). True when it overflowed.
   */
  private increment(i: number, by: bigint): boolean {
    const r = this.r;
    const old = r.counters[i]!;
    r.counters[i] = U64(old + by);
    const wide = this.wide(i);
    const carries = wide ? (old + by) >> 64n : ((old & 0xffff_ffffn) + by) >> 32n;
    if (carries === 0n) return false;
    r.ovs = (r.ovs | (1 << i)) >>> 0;
    const odd = i + 1;
    if (!wide && (i & 1) === 0 && odd < PMU_COUNTERS && this.enabledCounter(odd) && (r.types[odd]! & 0xffff) === PmuEvent.CHAIN) {
      this.increment(odd, carries);
    }
    return true;
  }

  /** Counter `i` overflows at 64 bits: the cycle counter (LC is RES1), an event counter with PMCR_EL0.LP. */
  private wide(i: number): boolean {
    return i === CYCLE_INDEX || (this.r.pmcr & PMCR.LP) !== 0;
  }

  /** PMCR_EL0.E and the counter's PMCNTENSET bit. */
  private enabledCounter(i: number): boolean {
    return (this.r.pmcr & PMCR.E) !== 0 && (this.r.cnten & (1 << i)) !== 0;
  }

  /** The counter's filter lets it count at the CPU's current EL (P excludes EL1, U EL0). */
  private countsAtEl(i: number): boolean {
    const t = this.r.types[i]!;
    return this.cpu!.el === 0 ? (t & EVTYPER_U) === 0 : (t & EVTYPER_P) === 0;
  }

  /** Drive the interrupt line from the registers. */
  private updateLine(): void {
    const r = this.r;
    this.driveLine((r.pmcr & PMCR.E) !== 0 && (r.ovs & r.cnten & r.inten) !== 0);
  }

  /** Set the line's level; with a vGIC and the IRQ configured (KVM_ARM_VCPU_PMU_V3_IRQ, INIT), drive its INTID. */
  private driveLine(level: boolean): void {
    this.level = level;
    const model = this.host.vgic?.model;
    const irq = this.irq;
    if (model === undefined || irq === undefined || !this.created) return;
    const state = model.irqs.get(irq < 32 ? this.index : 0, irq);
    if (state !== undefined && state.lineLevel !== level) model.setLevel(irq, this.index, level);
  }
}

/** PMSELR_EL0.SEL names an implemented counter (or 31, the cycle counter, as KVM allows for PMXEVCNTR too). */
function validIndex(sel: number): boolean {
  return sel < PMU_COUNTERS || sel === CYCLE_INDEX;
}

/** PMEVCNTR<n>_EL0 / PMEVTYPER<n>_EL0 of an implemented counter: its index and which; else undefined. */
function eventRegIndex(key: number): { index: number; counter: boolean } | undefined {
  if (((key >> 7) & 0xf) !== 14 || ((key >> 11) & 7) !== 3) return undefined;
  const crm = (key >> 3) & 0xf;
  if (crm < 8) return undefined;
  const index = ((crm & 3) << 3) | (key & 7);
  if (index >= PMU_COUNTERS) return undefined;
  return { index, counter: (crm & 4) === 0 };
}
