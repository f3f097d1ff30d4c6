/**
 * The CPU: architectural state of one AArch64 PE at EL0/EL1, plus the run loop.
 *
 * State: the registers translated code touches (X0-X30, the stack pointers, the lazy flags, the retired count, V0-V31,
 * FPCR/FPSR and the system registers) live in one CPU state block in the guest arena, at the offsets of
 * state-layout.ts; the typed arrays below are views over it, so every write wraps to 64 bits for free and arithmetic
 * uses BigInt. NZCV is a small Number (N=8, Z=4, C=2, V=1). The PC and the other PSTATE fields are still JavaScript
 * fields (state-layout.ts says which).
 *
 * EL2 belongs to the host: a trap to EL2 stops `run` with {@link Stop.TrapEl2} and the syndrome in `cpu.el2`.
 */
import { ARENA_NO_TLB, GuestArena } from './arena.js';
import { CodeCache } from './code-cache.js';
import { DecodeCache } from './decode-a64.js';
import { newJumpCache, runBlocks, type JumpCache } from './jit.js';
import { Ec, El2Syndrome, Stop, type StopCode } from './exits.js';
import { El2Trap, GuestException } from './exceptions.js';
import { MemoryFault, type MemoryPort, type SmpPort } from './ports.js';
import { nzcvOfHalves } from './flags.js';
import { MteControls, mteLevel, setMteLevel } from './mte.js';
import { resetSysRegFile, SYSREG_COUNT, SysReg } from './sysregs.js';
import { CPU_STATE_BYTES, St } from './state-layout.js';
import { SmpDomain } from './smp.js';
import { InterpSem } from './spec/interp-sem.js';

/** Per-CPU configuration. */
export interface CpuOptions {
  /**
   * The guest arena (arena.ts) to hold the CPU state block: the arena of the memory the CPU runs on (kvm-core gives
   * every vCPU its host's). Default: a small arena of the CPU's own. Call {@link Cpu.release} when a CPU made in a
   * shared arena is dropped, so the block is reused.
   */
  readonly arena?: GuestArena;
  /** ID_AA64PFR1_EL1.MTE: 0 none, 1 FEAT_MTE, 2 FEAT_MTE2, 3 FEAT_MTE3 (the default). */
  readonly mte?: number;
  /**
   * The translated-code cache to use: CPUs that share guest memory (the vCPUs of a VM) must share one, so that a
   * store by one drops the blocks another translated. Default: a cache of its own, of `codeCacheBytes`.
   */
  readonly codeCache?: CodeCache;
  /**
   * The budget of the CPU's own code cache (when `codeCache` is not given), in estimated bytes of translated code
   * (code-cache.ts); default 64 MiB (DEFAULT_CODE_CACHE_BYTES).
   */
  readonly codeCacheBytes?: number;
  /**
   * The coherence domain (global exclusive monitor, TLBI broadcast, SEV) of the PEs this CPU shares memory with:
   * the vCPUs of a VM share one. Default: a domain of its own. The CPU attaches itself.
   */
  readonly smp?: SmpPort;
  /**
   * Run basic blocks (jit.ts, handler-block.ts) when the memory port can name code pages; false: interpret every
   * instruction (the vmm-lite CLI and the bench set it from KVM_MTE_JIT=0). Default true. The guest-visible
   * behaviour is the same either way.
   */
  readonly translate?: boolean;
  /**
   * Compile hot blocks to WebAssembly (wasm-jit/tier.ts) when the host has WebAssembly; false keeps every block a
   * handler block, its decoded handlers run in order (the vmm-lite CLI and the bench set it from KVM_MTE_WASM=0).
   * Default true. Only with `translate`.
   */
  readonly wasm?: boolean;
}

/**
 * The maximum of the arena a CPU made without one gets: room for its state block and an MMU's TLBs (memory a
 * shared arena never touches costs nothing but address space).
 */
const STANDALONE_ARENA_BYTES = 64 * 1024 * 1024;

export class Cpu {
  /** The arena holding the state block. */
  readonly arena: GuestArena;
  /** The byte offset of the CPU state block in {@link arena} (state-layout.ts). */
  readonly stateOffset: number;
  // The typed-array fields are annotated: TS >= 5.7 would infer `BigUint64Array<ArrayBuffer>`, which the published
  // declarations cannot contain while they support TS 5.0 (scripts/check-packages.mjs).
  /** X0..X30; index 31 is always 0 and never written, so `x[31]` reads as XZR. */
  readonly x: BigUint64Array;
  /** SP_EL0 and SP_EL1. */
  readonly spEl: BigUint64Array;
  /** V0..V31, 16 bytes each, little-endian (laid out for FP/AdvSIMD; no instruction uses them yet). */
  readonly v: Uint8Array;
  /** The state block's 32-bit words (NZCV, the pending flag op, FPCR, FPSR, ...: St offsets / 4). @internal */
  readonly st32: Int32Array;
  /** The state block's float64 slots (the retired count). @internal */
  private readonly stF64: Float64Array;
  /** The state block's 64-bit words (NEXT_PC). @internal */
  readonly stU64: BigUint64Array;
  pc = 0n;
  /** The address of the next instruction; handlers that branch set it. */
  nextPc = 0n;
  /** NZCV as N=8, Z=4, C=2, V=1 (computed here when translated code left them pending: flags.ts). */
  get nzcv(): number {
    const st = this.st32;
    const op = st[St.FLAG_OP >> 2]!;
    if (op !== 0) {
      const a = St.FLAG_A >> 2;
      const b = St.FLAG_B >> 2;
      st[St.NZCV >> 2] = nzcvOfHalves(op, st[a]! >>> 0, st[a + 1]! >>> 0, st[b]! >>> 0, st[b + 1]! >>> 0);
      st[St.FLAG_OP >> 2] = 0;
    }
    return st[St.NZCV >> 2]!;
  }
  set nzcv(v: number) {
    this.st32[St.FLAG_OP >> 2] = 0;
    this.st32[St.NZCV >> 2] = v;
  }
  /** Lazy flags (flags.ts): the {@link FlagOp} whose NZCV is pending, or 0. @internal (spec/interp-sem.ts) */
  get flagOp(): number {
    return this.st32[St.FLAG_OP >> 2]!;
  }
  set flagOp(op: number) {
    this.st32[St.FLAG_OP >> 2] = op;
  }
  /** Lazy flags: the pending operation's operands. @internal (spec/interp-sem.ts) */
  readonly flagArgs: BigUint64Array;
  /** Current exception level of the guest: 0 or 1. */
  el = 1;
  /** PSTATE.SP: 0 = SP_EL0, 1 = SP_ELx. */
  spsel = 1;
  /** PSTATE.{D,A,I,F} as bits 3..0. */
  daif = 0xf;
  pan = 0;
  uao = 0;
  ssbs = 0;
  dit = 0;
  tco = 0;
  /** PSTATE.IL (illegal execution state). */
  il = 0;
  /** System registers, indexed by `SysReg` ids. */
  readonly sys: BigUint64Array;
  /** What the last trap to EL2 reported. */
  readonly el2 = new El2Syndrome();
  /** Set when `run` stopped with {@link Stop.InternalError}. */
  internalError: unknown = undefined;
  /** Guest instructions retired. */
  get insnCount(): number {
    return this.stF64[St.INSN_COUNT >> 3]!;
  }
  set insnCount(n: number) {
    this.stF64[St.INSN_COUNT >> 3] = n;
  }
  /**
   * The data abort ISS bits [24:14] (ISV, SAS, SSE, SRT, SF, AR) the current load/store would report to EL2:
   * set by load/store handlers before their access, 0 for accesses the architecture gives no syndrome for.
   */
  dabtIss = 0;
  /**
   * The local exclusive monitor: the virtual address and size of the last load-exclusive, or -1n when open. A
   * store-exclusive passes only for the same address and size. Clear it with {@link clearExclusive}, which also
   * releases the global mark.
   */
  exclAddr = -1n;
  exclSize = 0;
  /**
   * The global exclusive monitor's mark for this PE: the physical address of the reservation (its size is
   * `exclSize`), or -1 when the port named no PA or there is no reservation. Another observer's store to it clears
   * the reservation ({@link SmpPort.stored}).
   */
  exclPa = -1;
  /** The event register (WFE, SEV, SEVL): set means an event is pending and the next WFE completes, clearing it. */
  eventRegister = false;
  /** The coherence domain this PE belongs to ({@link CpuOptions.smp}). */
  readonly smp: SmpPort;
  /** The IRQ input line, driven by the interrupt controller model (kept in the state block). */
  get irqLine(): boolean {
    return this.st32[St.IRQ_LINE >> 2] !== 0;
  }
  set irqLine(v: boolean) {
    this.st32[St.IRQ_LINE >> 2] = v ? 1 : 0;
  }
  /**
   * Set when the next PC may be misaligned: by a handler (BR, BLR, RET, ERET), and by `run`/`interpret` when they
   * start at a PC the host set (a loader's entry point, a register write). The next fetch then checks it.
   */
  checkPcAlign = false;
  /** The translated blocks (jit.ts) of this CPU and those it shares memory with. */
  readonly codeCache: CodeCache;
  /** {@link CpuOptions.translate}: whether `run` uses translated blocks. */
  translate: boolean;
  /** {@link CpuOptions.wasm}: whether hot blocks become WebAssembly (else every block is a handler block). */
  wasm: boolean;
  /** @internal (jit.ts) Blocks by PC for exits without a link (register branches, exception entry and return). */
  readonly jumpCache: JumpCache = newJumpCache();
  /** The CPU's memo of decoded instruction words (decode-a64.ts). */
  readonly decoder = new DecodeCache();
  /** The interpreter's backend of the instruction specification (spec/interp-sem.ts), bound to this CPU. */
  readonly sem: InterpSem = new InterpSem(this);
  /** @internal (mte.ts) The MTE control bits derived from the system registers, revalidated on use. */
  readonly mteControls = new MteControls();

  /**
   * `options.mte`: ID_AA64PFR1_EL1.MTE of this CPU, 0..3 (default 3, FEAT_MTE3); see mte.ts. `options.codeCache`
   * or `options.codeCacheBytes`: the translated-code cache (RangeError for both, or a budget that is not a positive
   * integer).
   */
  constructor(public mem: MemoryPort, options: CpuOptions = {}) {
    const arena = options.arena ?? new GuestArena({ maxBytes: STANDALONE_ARENA_BYTES });
    const off = arena.alloc(CPU_STATE_BYTES, 16);
    const buf = arena.memory.buffer;
    this.arena = arena;
    this.stateOffset = off;
    this.x = new BigUint64Array(buf, off + St.X, 32);
    this.spEl = new BigUint64Array(buf, off + St.SP_EL0, 2);
    this.flagArgs = new BigUint64Array(buf, off + St.FLAG_A, 2);
    this.v = new Uint8Array(buf, off + St.V, 32 * 16);
    this.st32 = new Int32Array(buf, off, CPU_STATE_BYTES >> 2);
    this.stF64 = new Float64Array(buf, off, CPU_STATE_BYTES >> 3);
    this.stU64 = new BigUint64Array(buf, off, CPU_STATE_BYTES >> 3);
    this.st32[St.TLB_BASE >> 2] = ARENA_NO_TLB; // until a memory port puts its TLB there
    this.sys = resetSysRegFile(new BigUint64Array(buf, off + St.SYS, SYSREG_COUNT));
    if (options.mte !== undefined) setMteLevel(this, options.mte);
    if (options.codeCache !== undefined && options.codeCacheBytes !== undefined) {
      throw new RangeError('give a CPU either a codeCache or codeCacheBytes, not both');
    }
    this.codeCache = options.codeCache ?? new CodeCache(options.codeCacheBytes);
    this.translate = options.translate ?? true;
    this.wasm = options.wasm ?? true;
    this.smp = options.smp ?? new SmpDomain();
    this.smp.attach(this);
  }

  /** The CPU state block's bytes (state-layout.ts): a view, not a copy. */
  stateBytes(): Uint8Array {
    return this.arena.bytes(this.stateOffset, CPU_STATE_BYTES);
  }

  /**
   * The CPU is no longer used: leave its coherence domain and give its state block back to the arena for reuse. The
   * CPU and the views it handed out must not be used afterwards.
   */
  release(): void {
    this.smp.detach(this);
    this.mem.release?.();
    this.arena.free(this.stateOffset, CPU_STATE_BYTES);
  }

  /**
   * Open the exclusive monitors for a load-exclusive of `size` bytes at `va` (whose read succeeded): locally for
   * (va, size), and globally for physical address `pa`, by default the one the port names for an access with
   * `flags` (none named: a local reservation only). A snapshot restore passes the `pa` it saved.
   */
  markExclusive(va: bigint, size: number, flags: number, pa = this.mem.physicalAddress?.(va, flags)): void {
    this.clearExclusive();
    this.exclAddr = va;
    this.exclSize = size;
    if (pa !== undefined && pa >= 0) {
      this.exclPa = pa;
      this.smp.opened(this);
    }
  }

  /** Clear the local monitor and this PE's global mark (CLREX, store-exclusive, exception entry and return). */
  clearExclusive(): void {
    this.exclAddr = -1n;
    if (this.exclPa >= 0) {
      this.exclPa = -1;
      this.smp.closed(this);
    }
  }

  // ---- register access, used by every instruction handler ----

  /** Xn where register 31 is XZR. */
  xr(n: number): bigint {
    return this.x[n]!;
  }
  /** Xn where register 31 is the current SP. */
  xs(n: number): bigint {
    return n === 31 ? this.spEl[this.spsel === 0 || this.el === 0 ? 0 : 1]! : this.x[n]!;
  }
  /** Write Xn where register 31 is XZR (discarded). */
  setXr(n: number, v: bigint): void {
    if (n !== 31) this.x[n] = v;
  }
  /** Write Xn where register 31 is the current SP. */
  setXs(n: number, v: bigint): void {
    if (n === 31) this.spEl[this.spsel === 0 || this.el === 0 ? 0 : 1] = v;
    else this.x[n] = v;
  }
  get sp(): bigint {
    return this.xs(31);
  }
  set sp(v: bigint) {
    this.setXs(31, v);
  }

  /** ConditionHolds(cond) for the 4-bit condition field. */
  condHolds(cond: number): boolean {
    const f = this.nzcv;
    let r: boolean;
    switch (cond >> 1) {
      case 0: r = (f & 4) !== 0; break; // EQ: Z
      case 1: r = (f & 2) !== 0; break; // CS: C
      case 2: r = (f & 8) !== 0; break; // MI: N
      case 3: r = (f & 1) !== 0; break; // VS: V
      case 4: r = (f & 2) !== 0 && (f & 4) === 0; break; // HI
      case 5: r = ((f >> 3) & 1) === (f & 1); break; // GE: N == V
      case 6: r = ((f >> 3) & 1) === (f & 1) && (f & 4) === 0; break; // GT
      default: r = true; // AL (cond 14 and 15)
    }
    return (cond & 1) !== 0 && cond !== 15 ? !r : r;
  }

  /** PSTATE as an SPSR value (AArch64 format). */
  pstateToSpsr(): bigint {
    const m = this.el === 0 ? 0 : 4 | this.spsel;
    const v =
      ((this.nzcv & 0xf) * 0x1000_0000) + // bits 31:28, as a positive Number
      (this.tco << 25) + (this.dit << 24) + (this.uao << 23) + (this.pan << 22) + (this.il << 20) +
      (this.ssbs << 12) + (this.daif << 6) + m;
    return BigInt(v);
  }

  /** Restore PSTATE from an SPSR value already checked as a legal return target (EL0 or EL1, AArch64). */
  spsrToPstate(spsr: bigint): void {
    const v = Number(spsr & 0xffff_ffffn);
    this.nzcv = (v >>> 28) & 0xf;
    this.tco = (v >>> 25) & 1;
    this.dit = (v >>> 24) & 1;
    this.uao = (v >>> 23) & 1;
    this.pan = (v >>> 22) & 1;
    this.il = (v >>> 20) & 1;
    this.ssbs = (v >>> 12) & 1;
    this.daif = (v >>> 6) & 0xf;
    this.el = (v >>> 2) & 3;
    this.spsel = v & 1;
    this.elChanged();
  }

  /**
   * Exception entry to EL1 (AArch64.TakeException): save PSTATE and the return address, write the syndrome, and
   * jump to the vector. `offset` is 0x000 synchronous, 0x080 IRQ, 0x100 FIQ, 0x180 SError.
   */
  enterEl1(offset: number, esr: bigint, returnAddr: bigint, far?: bigint): void {
    const sys = this.sys;
    const base = this.el === 0 ? 0x400 : this.spsel === 1 ? 0x200 : 0;
    sys[SysReg.SPSR_EL1] = this.pstateToSpsr();
    sys[SysReg.ELR_EL1] = returnAddr;
    if (offset === 0) sys[SysReg.ESR_EL1] = esr;
    if (far !== undefined) sys[SysReg.FAR_EL1] = far;
    const sctlr = sys[SysReg.SCTLR_EL1]!;
    this.el = 1;
    this.spsel = 1;
    this.daif = 0xf;
    this.il = 0;
    if ((sctlr & (1n << 23n)) === 0n) this.pan = 1; // SCTLR_EL1.SPAN == 0 sets PAN
    this.uao = 0;
    this.ssbs = Number((sctlr >> 44n) & 1n); // SCTLR_EL1.DSSBS
    this.clearExclusive();
    // PSTATE.TCO = 1 on exception entry (FEAT_MTE; RAZ without FEAT_MTE2). Asynchronous tag check faults are
    // recorded in TFSR*_EL1 when they happen, so SCTLR_EL1.ITFSB needs no action here (see mte.ts).
    this.tco = mteLevel(this) >= 2 ? 1 : 0;
    this.pc = (sys[SysReg.VBAR_EL1]! & ~0x7ffn) + BigInt(base + offset);
    this.onExceptionEntry();
    this.elChanged();
  }

  /**
   * PSTATE changed (exception entry or return) and maybe the EL, but no translation register: the port's
   * `elChanged` when it has one (cheap: an MMU whose TLB entries hold both ELs' permissions keeps them), else
   * `controlChanged`.
   */
  private elChanged(): void {
    const mem = this.mem;
    if (mem.elChanged !== undefined) mem.elChanged();
    else mem.controlChanged();
  }

  /** Hook for features that act on exception entry. Overridden by nothing yet (MTE's TCO is set above). */
  protected onExceptionEntry(): void {}

  /** Take a synchronous exception described by `e`, raised by the instruction at `pc`. @internal (jit.ts) */
  takeGuestException(e: GuestException, pc: bigint): void {
    const esr = (BigInt(e.iss2) << 32n) | BigInt(((e.ec << 26) | (e.il << 25) | (e.iss & 0x1ff_ffff)) >>> 0);
    this.enterEl1(0, esr, e.returnNext ? pc + 4n : pc, e.far);
  }

  /** Turn a memory fault into the guest exception or EL2 trap it architecturally is. @internal (jit.ts) */
  takeMemoryFault(f: MemoryFault, pc: bigint, fetch: boolean): StopCode | undefined {
    if (f.stage === 2) {
      const iss =
        (fetch || f.s1ptw ? 0 : this.dabtIss) | // no ISV for a fault on a stage-1 walk
         (f.cm ? 1 << 8 : 0) | (f.s1ptw ? 1 << 7 : 0) | (f.write && !fetch ? 1 << 6 : 0) | f.fsc;
      return this.trapEl2(new El2Trap(fetch ? Ec.InsnAbortLower : Ec.DataAbortLower, iss, false, f.va,
        (f.ipa >> 12n) << 4n, f.iss2), pc);
    }
    const lower = this.el === 0;
    const ec = fetch ? (lower ? Ec.InsnAbortLower : Ec.InsnAbortSame) : lower ? Ec.DataAbortLower : Ec.DataAbortSame;
    const iss = (f.cm ? 1 << 8 : 0) | (f.write && !fetch ? 1 << 6 : 0) | f.fsc;
    this.takeGuestException(new GuestException(ec, iss, false, f.va, 1, f.iss2), pc);
    return undefined;
  }

  /** @internal (jit.ts) */
  trapEl2(t: El2Trap, pc: bigint): StopCode {
    this.el2.esr = (BigInt(t.iss2) << 32n) | BigInt(((t.ec << 26) | (1 << 25) | (t.iss & 0x1ff_ffff)) >>> 0);
    this.el2.far = t.far;
    this.el2.hpfar = t.hpfar;
    this.pc = t.returnNext ? pc + 4n : pc;
    return Stop.TrapEl2;
  }

  /**
   * What the instruction at `pc` (or its fetch) threw: a guest exception is taken (an SVC-style one retires the
   * instruction), a memory fault becomes the guest's abort or a trap to EL2, a trap to EL2 stops the run; anything
   * else is a host-side failure, reported as {@link Stop.InternalError}. Returns the stop, or undefined to go on.
   * @internal (jit.ts)
   */
  takeThrown(e: unknown, pc: bigint, fetching: boolean): StopCode | undefined {
    if (e instanceof GuestException) {
      this.takeGuestException(e, pc);
      if (e.returnNext) this.insnCount++;
      return undefined;
    }
    if (e instanceof MemoryFault) return this.takeMemoryFault(e, pc, fetching);
    if (e instanceof El2Trap) {
      if (e.returnNext) this.insnCount++;
      return this.trapEl2(e, pc);
    }
    this.internalError = e;
    this.pc = pc;
    return Stop.InternalError;
  }

  /** Take a pending, unmasked IRQ. */
  private takeIrq(): void {
    this.enterEl1(0x80, 0n, this.pc);
  }

  /**
   * Execute up to `budget` instructions. Returns when the budget is spent, on a trap to EL2, or on a host-side
   * failure (a bug in the model), which is reported as {@link Stop.InternalError} and never thrown.
   */
  run(budget: number): StopCode {
    // The PC may have been set from outside since the last instruction (a misaligned entry point): the architecture
    // checks the PC's alignment when an instruction is fetched, whatever set it. Every PC an instruction computes is
    // aligned, or flagged by its handler.
    if ((this.pc & 3n) !== 0n) this.checkPcAlign = true;
    // Basic blocks (jit.ts) when the memory port can name the physical page code runs from.
    if (this.translate && this.mem.fetchPage !== undefined) return runBlocks(this, budget);
    return this.interpret(budget);
  }

  /** The instruction-by-instruction interpreter: `run` without translation (and its single-step fallback). */
  interpret(budget: number): StopCode {
    const mem = this.mem;
    if ((this.pc & 3n) !== 0n) this.checkPcAlign = true; // as in run
    let fetching = false;
    for (let i = 0; i < budget; i++) {
      const pc = this.pc;
      try {
        if (this.irqLine && (this.daif & 2) === 0) {
          this.takeIrq();
          continue;
        }
        if (this.checkPcAlign) {
          this.checkPcAlign = false;
          if ((pc & 3n) !== 0n) throw new GuestException(Ec.PcAlign, 0, false, pc);
        }
        fetching = true;
        const insn = mem.fetch(pc);
        fetching = false;
        // PSTATE.IL (set by an illegal exception return): the instruction raises an Illegal Execution state
        // exception instead of executing. Lower priority than PC alignment and instruction aborts.
        if (this.il !== 0) throw new GuestException(Ec.IllegalState, 0);
        this.nextPc = pc + 4n;
        this.dabtIss = 0;
        this.decoder.decode(insn)(this, insn);
        this.pc = this.nextPc;
        this.insnCount++;
      } catch (e) {
        const stop = this.takeThrown(e, pc, fetching);
        if (stop !== undefined) return stop;
      }
    }
    return Stop.Budget;
  }
}
