/**
 * The interfaces the CPU calls and an upper layer implements.
 *
 * The CPU knows virtual addresses, access sizes and what kind of access an instruction makes; it does not know how
 * addresses translate. `@kvm-mte/mmu` implements {@link MemoryPort}; kvm-core wires it to guest memory.
 */

import type { CodePage } from './code-cache.js';
import type { Cpu } from './cpu.js';
import type { PmuWriteResult } from './pmu-regs.js';

/** Access flags: a bit set describing one memory access. Numbers, not objects, because every load and store passes one. */
export const Acc = {
  /** The access writes memory (stores; the write half of an atomic). */
  Write: 1,
  /** An instruction fetch. */
  Fetch: 2,
  /** Unprivileged (LDTR/STTR): permissions are checked as if at EL0. */
  Unpriv: 4,
  /** Natural alignment is required whatever the memory type (exclusives, atomics, acquire/release). */
  Aligned: 8,
  /** The access is both a read and a write (atomics, swap, CAS): permissions for both are checked. */
  ReadWrite: 16,
  /** A cache-maintenance or DC ZVA-style access: faults report CM where the architecture says so. */
  CacheMaint: 32,
  /** The access is tag checked when MTE checks are enabled (set by the CPU; the MMU does the check). */
  TagChecked: 64,
} as const;

/** Fault status codes (DFSC/IFSC), the low 6 bits of a data or instruction abort ISS. Add the level for 0x04-0x0f. */
export const Fsc = {
  AddressSize: 0x00,
  Translation: 0x04,
  AccessFlag: 0x08,
  Permission: 0x0c,
  SyncExternal: 0x10,
  TagCheck: 0x11,
  SyncExternalOnWalk: 0x14,
  Alignment: 0x21,
  TlbConflict: 0x30,
} as const;

/**
 * A memory access that failed translation or a check. Thrown by a {@link MemoryPort}; the CPU catches it and turns
 * it into the architectural exception: a stage-1 fault is taken to EL1 in the guest, a stage-2 fault is a trap to
 * EL2 that the hypervisor sees as an exit.
 */
export class MemoryFault {
  constructor(
    /** 1: stage-1 (or no-translation) fault, taken by the guest; 2: stage-2 fault, taken by the hypervisor. */
    readonly stage: 1 | 2,
    /** Fault status code including the level where it has one (see {@link Fsc}). */
    readonly fsc: number,
    /** The faulting virtual address (FAR). */
    readonly va: bigint,
    /** The write-not-read bit to report. */
    readonly write: boolean,
    /** For a stage-2 fault: the faulting intermediate physical address (HPFAR holds it >> 12). */
    readonly ipa: bigint = 0n,
    /** The stage-2 fault happened on a stage-1 table walk. */
    readonly s1ptw: boolean = false,
    /** The access was a cache maintenance / DC instruction. */
    readonly cm: boolean = false,
    /** ISS2 bits (ESR bits [55:32]), for example TagAccess for FEAT_MTE_PERM. */
    readonly iss2: number = 0,
  ) {}
}

/**
 * How the CPU reaches memory. All addresses are virtual; the implementation translates them with the CPU's current
 * translation regime (it may read the CPU's system registers) and throws {@link MemoryFault} on failure.
 * `size` is 1, 2, 4 or 8; values are little-endian and zero-extended.
 */
export interface MemoryPort {
  read(va: bigint, size: number, flags: number): bigint;
  write(va: bigint, size: number, value: bigint, flags: number): void;
  /** Fetch one 32-bit instruction word. */
  fetch(va: bigint): number;
  /** Translation controls changed (SCTLR, TCR, TTBRx, MAIR, HCR_EL2, VTTBR_EL2, ...) or the exception level changed. */
  controlChanged(): void;
  /**
   * Exception entry or return changed PSTATE (the EL, SPSel, PAN, ...) but no translation register: within a run
   * those change only by MSR (controlWritten), and the host's writes between runs come to runStarting. Optional:
   * without it the CPU calls controlChanged.
   */
  elChanged?(): void;
  /**
   * A run starts (`Cpu.run`, `Cpu.interpret`): the host may have written translation registers since the last one
   * without a controlChanged call (a hypervisor's ONE_REG writes, for instance). An implementation with elChanged
   * must notice them here, as controlChanged would. Optional.
   */
  runStarting?(): void;
  /**
   * The guest wrote a translation control register or PSTATE.PAN/UAO (MSR): as controlChanged, except that an
   * implementation may keep its TLB when nothing it translates with changed (TLB entries need not be invalidated by
   * a register write: software uses TLBI for that). Optional: without it the CPU calls controlChanged.
   */
  controlWritten?(): void;
  /** A TLB maintenance operation: `op` is the TLBI name in lower case (e.g. "vmalle1", "vae1"), `arg` its Xt. */
  tlbi(op: string, arg: bigint): void;
  /**
   * The hypervisor made its stage-2 mapping of the IPA page `ipaPage` (a byte address, 4 KiB aligned) writable and
   * changed nothing else (the same output address, attributes and execute permission: a dirty-logging write fault).
   * No translation of any virtual address changes, so an implementation need only stop using what it cached of that
   * page's old permissions. Optional: without it the hypervisor does `tlbi("ipas2e1", ipaPage >> 12)`.
   */
  stage2Relaxed?(ipaPage: number): void;
  /** Zero a block (DC ZVA): `size` bytes at `va`, which the CPU has aligned. */
  zeroBlock(va: bigint, size: number): void;
  /**
   * MTE: the allocation tag of the 16-byte granule containing `va` (LDG, LDGM). Translates like a load (unchecked)
   * and throws MemoryFault like one; memory that is not Tagged Normal reads tag 0.
   */
  readTag(va: bigint, flags: number): number;
  /**
   * MTE: set the allocation tag of the granule containing `va` (STG and friends, DC GVA). Translates like a store
   * (write permission) and throws MemoryFault like one; a tag write to memory that is not Tagged Normal is ignored.
   */
  writeTag(va: bigint, tag: number, flags: number): void;
  /**
   * MTE: translate `va` for an access described by `flags` (Acc.Write for a store) and throw MemoryFault as that
   * access would, touching neither data nor tags. Used by the tag-store instructions (STG, ST2G, STGM, DC GVA) when
   * allocation tag access is disabled: the architecture still translates and faults, but writes no tag.
   * Optional: when absent, the CPU probes with readTag followed by writeTag of the tag it read.
   */
  probe?(va: bigint, flags: number): void;
  /**
   * Address translation for AT S1E1R/S1E1W/S1E0R/S1E0W: translate `va` with the current EL1&0 stage-1 regime for an
   * access described by `flags` ({@link Acc}.Write for the W forms, Acc.Unpriv for the E0 forms) and return the
   * PAR_EL1 value to record: PA and attributes with F = 0 on success; F = 1 and FST (and PTW, S) on a stage-1 fault,
   * which is not taken. A stage-2 fault on the stage-1 walk is thrown as a {@link MemoryFault} (taken to EL2).
   * Optional: when absent, AT writes PAR_EL1 = 1 (F = 1).
   */
  translateForAt?(va: bigint, flags: number): bigint;
  /**
   * The code page an instruction fetch from `va` reads (translated and permission-checked as `fetch`, throwing the
   * same faults), for the block cache (code-cache.ts, jit.ts), from the CPU's `codeCache.region(...)`: a
   * port that implements it also reports stores to pages holding blocks (`CodeRegion.written`). Undefined when the page cannot be cached (the CPU then
   * interprets). Optional: without it the CPU always interprets.
   */
  fetchPage?(va: bigint): CodePage | undefined;
  /**
   * IC IVAU: the translated blocks (code-cache.ts) holding any of the `size` bytes at `va` (a cache line, aligned
   * by the CPU) are compared with memory before they run again. `va` is translated as a read without faulting
   * (QEMU 10 never faults an IC IVAU; the architecture allows not translating): an address that does not translate
   * has nothing to invalidate. Optional: without it the CPU invalidates every block.
   */
  invalidateCode?(va: bigint, size: number): void;
  /**
   * True when the port fills the data TLB of the CPU's arena (state-layout.ts `Dtlb`, at the state block's TLB_BASE)
   * and keeps it coherent with its own translations: WebAssembly code then performs loads and stores that hit it
   * inline. Optional: without it WebAssembly code calls read/write for every load and store.
   */
  readonly arenaTlb?: boolean;
  /**
   * A number that changes whenever the port's translations may have changed (a TLB flush): a chain between two
   * translated blocks recorded under one value is followed only while it holds (jit.ts), or while it equals
   * `tlbGlobalGeneration`.
   */
  readonly tlbGeneration?: number;
  /**
   * With `tlbGeneration`: a number that changes whenever the port's global translations (those of every ASID) may
   * have changed, which a change of ASID alone does not. Never a value `tlbGeneration` had or will have (one
   * counter gives both). Optional: without it only `tlbGeneration` keeps a chain.
   */
  readonly tlbGlobalGeneration?: number;
  /**
   * With `tlbGeneration`: the generation the translation `fetchPage` last handed out belongs to
   * (`tlbGlobalGeneration` for a global one, else `tlbGeneration`), which a chain to a block on that page records.
   */
  readonly fetchGeneration?: number;
  /**
   * The physical address (the key of the global exclusive monitor, {@link SmpPort}) a data access described by
   * `flags` at `va` reaches, or undefined when it would fault or reach no memory. Throws nothing. The CPU calls it
   * after a load-exclusive's read succeeded. Optional: without it a reservation is local to the CPU (no other
   * observer's store clears it).
   */
  physicalAddress?(va: bigint, flags: number): number | undefined;
  /**
   * {@link read} with the address and the value as 32-bit halves in `s` (the CPU's `fast32`: the address at s[x]
   * (low) and s[x + 1] (high), the value into s[d], s[d + 1], zero-extended), for the fast interpreter
   * (spec/fast-ops.ts), so that an access is made without BigInts. Reads s[x], s[x + 1] before writing s[d]
   * (d may equal x). Throws as read, having written nothing (the fast interpreter loads straight into a register).
   * Optional: without it the fast interpreter calls read.
   */
  readHalves?(s: Int32Array, d: number, x: number, size: number, flags: number): void;
  /**
   * {@link write} of the `size` low bytes of the value at s[y], s[y + 1] to the address at s[x], s[x + 1] (see
   * {@link readHalves}). Throws as write. Optional: without it the fast interpreter calls write.
   */
  writeHalves?(s: Int32Array, x: number, y: number, size: number, flags: number): void;
  /** The CPU is released ({@link Cpu.release}): give back what the port holds in the CPU's arena. Optional. */
  release?(): void;
}

/**
 * What the PEs that share memory (the vCPUs of a VM) share besides memory and translated code: the coherence a
 * single PE cannot model alone. The CPU and its memory port call it; `SmpDomain` (smp.ts) implements it and kvm-core
 * gives every vCPU of a VM the VM's one domain.
 *
 * - The global exclusive monitor, keyed by physical address: a load-exclusive marks (`cpu.exclPa`, `cpu.exclSize`)
 *   and calls {@link opened}; a store by any other observer to a marked byte clears that PE's reservation
 *   ({@link stored}); clearing it calls {@link closed}.
 * - Broadcast maintenance and events: the Inner Shareable TLBI forms and SEV reach every PE of the domain.
 */
export interface SmpPort {
  /**
   * How many PEs of the domain hold a reservation. Stores (the memory port's hot path; WebAssembly code tests the
   * copy in each CPU's state block, St.OPEN_RESERVATIONS) test this one number and call {@link stored} only when it
   * is non-zero.
   */
  readonly openReservations: number;
  /** Add a PE to the domain (its constructor does). */
  attach(cpu: Cpu): void;
  /** Remove a PE (a vCPU reset replaces its Cpu): its reservation is dropped. */
  detach(cpu: Cpu): void;
  /** `cpu` marked `cpu.exclPa` (it had no mark before). */
  opened(cpu: Cpu): void;
  /** `cpu` lost its mark (`cpu.exclPa` is -1 again). */
  closed(cpu: Cpu): void;
  /**
   * `size` bytes at physical address `pa` were written by `by` (a PE of the domain), or by the VMM or a device
   * (`by` undefined): every other PE whose reservation overlaps them loses it, which is also a WFE wake-up event
   * for that PE (the global monitor's Exclusive-to-Open transition).
   */
  stored(by: Cpu | undefined, pa: number, size: number): void;
  /** A TLBI of the Inner Shareable domain (`op` as for {@link MemoryPort.tlbi}): every PE's port performs it. */
  tlbiBroadcast(by: Cpu, op: string, arg: bigint): void;
  /** SEV: set the event register of every PE of the domain, `by` included. */
  sendEvent(by: Cpu): void;
}

/**
 * System registers a layer above implements: kvm-core's vGIC provides the GICv3 CPU interface (ICC_*) this way.
 * The CPU asks it about an MRS/MSR encoding its own table (sysregs.ts) does not have, at EL1 only (an EL0 access
 * stays UNDEFINED), before treating the encoding as UNDEFINED. `key` is the encoding as `sysRegKey` packs it
 * (op0:op1:CRn:CRm:op2, the instruction's bits [20:5]).
 *
 * A write may change the CPU's IRQ input (`cpu.irqLine`): MSR ends a block, and the run loop reads the line before
 * every block, so an interrupt the write makes pending is taken before the next block.
 */
export interface SysRegPort {
  /** MRS: the register's value, or undefined when the port has no such readable register (UNDEFINED). */
  read(key: number): bigint | undefined;
  /** MSR: true when the port took the write, false when it has no such writable register (UNDEFINED). */
  write(key: number, value: bigint): boolean;
}

/**
 * The system counter and the generic timer's hook, which a layer above implements: kvm-core's VM clock (host time or
 * a count of retired instructions) gives every vCPU the VM's counter this way and raises the timer interrupts.
 * Without one (`cpu.counterPort` undefined) the count is the CPU's own retired-instruction count.
 */
export interface CounterPort {
  /**
   * The physical count now: CNTPCT_EL0 as EL1 reads it, in ticks of CNTFRQ_EL0. Never decreases. The virtual count
   * is this minus CNTVOFF_EL2 (which the layer above keeps in `cpu.sys`).
   */
  count(): bigint;
  /**
   * The count as a linear function of the CPU's retired count (`cpu.insnCount`) for the run that starts now:
   * `count()` is `(base + insnCount × ticksPerInstruction) mod 2^64` whenever the CPU reads it until the run
   * returns, so translated code may compute it without a call (`Cpu.run` asks once per run). Undefined when it is
   * not (a host clock), or without the method: every read asks `count()`. Optional.
   */
  linear?(): CounterLinear | undefined;
  /**
   * An MSR wrote a generic-timer register (CNTP_ or CNTV_ CTL, CVAL or TVAL; the write is done). True ends the run
   * after this instruction, which has completed: `Cpu.run` returns `Stop.TimerWrite`, so the caller sees the
   * new deadline before running on. Optional.
   */
  timerWritten?(): boolean;
}

/** {@link CounterPort.linear}'s answer: count = (base + retired × ticksPerInstruction) mod 2^64. */
export interface CounterLinear {
  /** The count at a retired count of 0 (mod 2^64; a u64). */
  readonly base: bigint;
  /** Ticks per retired instruction: 1 to 2^63 - 1. */
  readonly ticksPerInstruction: bigint;
}

/**
 * The PMUv3 registers a layer above implements (kvm-core's per-vCPU PMU, for a vCPU with KVM_ARM_VCPU_PMU_V3). The
 * CPU sends it every MRS/MSR in the PMU's encoding space (pmu-regs.ts `isPmuKey`) after the EL0 checks of
 * PMUSERENR_EL0, which it reads through the port (`pmuEl0Access`); without a port those encodings are UNDEFINED.
 * `key` is the encoding as `sysRegKey` packs it.
 */
export interface PmuPort {
  /** MRS: the register's value, or undefined when the port has no such readable register (UNDEFINED). */
  read(key: number): bigint | undefined;
  /**
   * MSR: a {@link PmuWriteResult} (pmu-regs.ts): Undefined (no such writable register), Done, or EndRun, which
   * ends the run after this instruction as a timer write does (`Stop.TimerWrite`), so the caller sees the new
   * counting set-up (the next counter overflow) before running on.
   */
  write(key: number, value: bigint): PmuWriteResult;
  /**
   * PSTATE.EL is about to change (exception entry or return; the CPU's retired count is that of the instructions
   * before the change): the port accounts what was retired at the old EL, for counters that filter by EL.
   */
  elChanging(): void;
}
