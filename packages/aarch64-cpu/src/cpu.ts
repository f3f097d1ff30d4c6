/**
 * The CPU: architectural state of one AArch64 PE at EL0/EL1, plus the run loop.
 *
 * State: all of the PE's state (X0-X30, the stack pointers, the PC, PSTATE with the lazy flags, the exclusive
 * monitors, the event register, the retired count, V0-V31, FPCR/FPSR and the system registers) lives in one CPU state
 * block in the guest arena, at the offsets of state-layout.ts. The typed arrays below are views over it, so every
 * write wraps to 64 bits for free and arithmetic uses BigInt; the scalar members (`el`, `daif`, `exclAddr`,
 * `eventRegister`, ...) are accessors over its slots, PSTATE's with write-through caches. `pc`, `nextPc` and `dabtIss`,
 * written for every instruction, are fields copied into their slots whenever a run returns or the block is handed
 * out (see `Cpu.pc`). NZCV is a small Number (N=8, Z=4, C=2, V=1). {@link Cpu.saveState} copies the block and
 * {@link Cpu.loadState} puts a copy back.
 *
 * EL2 belongs to the host: a trap to EL2 stops `run` with {@link Stop.TrapEl2} and the syndrome in `cpu.el2`. While
 * the host debugs the guest (`cpu.hostDebug`, MDCR_EL2.TDE) debug exceptions and BRK are such traps (debug.ts).
 */
import { ARENA_NO_TLB, GuestArena } from './arena.js';
import { CodeCache } from './code-cache.js';
import { DecodeCache, FAST_AFTER_RUNS } from './decode-a64.js';
import { newJumpCache, runBlocks, type JumpCache } from './jit.js';
import { Ec, El2Syndrome, Stop, type StopCode } from './exits.js';
import { El2Trap, EndRun, GuestException } from './exceptions.js';
import { MemoryFault, type CounterLinear, type CounterPort, type MemoryPort, type PmuPort, type SmpPort, type SysRegPort } from './ports.js';
import { FlagOp, nzcvOfHalves } from './flags.js';
import { MteControls, mteLevel, setMteLevel } from './mte.js';
import { HCR, resetSysRegFile, SYSREG_COUNT, SysReg } from './sysregs.js';
import {
  CPU_STATE_BYTES, FAST_TEMP_WORDS, HOST_TAIL_END, HOST_TAIL_START, HOST_WORDS_END, HOST_WORDS_START, St,
  STATE_LAYOUT_VERSION, sysWord,
} from './state-layout.js';
import { SmpDomain } from './smp.js';
import {
  Dbg, DEBUG_FSC, debugConfig, debugEnabledFrom, DebugEc, breakpointHit, debugTrapToEl2, guestDebugRegisters,
  hostDebugConfig, hostDebugRegisters, type DebugRegisters, type HostDebug,
} from './debug.js';
import { WatchpointPort } from './debug-port.js';
import { InterpSem } from './spec/interp-sem.js';
import { vregsOver, type VRegs } from './fpsimd/vregs.js';

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
  /**
   * Handler blocks run the fast interpreter's handlers (spec/fast-sem.ts: the specification replayed on 32-bit
   * halves) where a row has one; false runs the BigInt handlers everywhere, as `interpret` does. Default true; the
   * behaviour is the same either way.
   */
  readonly fastHandlers?: boolean;
  /**
   * The run of a handler block that records its fast interpreter program (the earlier runs call its handlers):
   * default FAST_AFTER_RUNS (4, decode-a64.ts); 1 records it when the block is built. A positive integer.
   */
  readonly fastAfterRuns?: number;
}

/**
 * The maximum of the arena a CPU made without one gets: room for its state block and an MMU's TLBs (memory a
 * shared arena never touches costs nothing but address space).
 */
const STANDALONE_ARENA_BYTES = 64 * 1024 * 1024;

// Indexes of the state block's slots in the views that read them: 32-bit words (st32), 64-bit words (stU64, stF64).
const W_EL = St.EL >> 2;
const W_SPSEL = St.SPSEL >> 2;
const W_DAIF = St.DAIF >> 2;
const W_PAN = St.PAN >> 2;
const W_UAO = St.UAO >> 2;
const W_SSBS = St.SSBS >> 2;
const W_DIT = St.DIT >> 2;
const W_TCO = St.TCO >> 2;
const W_IL = St.IL >> 2;
const W_EXCL_VALID = St.EXCL_VALID >> 2;
const W_EXCL_SIZE = St.EXCL_SIZE >> 2;
const W_EVENT = St.EVENT >> 2;
const W_DABT_ISS = St.DABT_ISS >> 2;
const W_IRQ_LINE = St.IRQ_LINE >> 2;
const W_VERSION = St.VERSION >> 2;
const W_SS = St.SS >> 2;
const W_FPCR = St.FPCR >> 2;
/** ESR_EL1 of a virtual SError: EC 0x2F, IL, ISS.IDS. */
const VIRTUAL_SERROR_ESR = (BigInt(Ec.Serror) << 26n) | (1n << 25n) | (1n << 24n);
const W_FPSR = St.FPSR >> 2;
const D_PC = St.PC >> 3;
const D_NEXT_PC = St.INSN_NEXT_PC >> 3;
const D_EXCL_ADDR = St.EXCL_ADDR >> 3;
const D_EXCL_PA = St.EXCL_PA >> 3;
const D_INSN_COUNT = St.INSN_COUNT >> 3;
const W_STOP_ON_YIELD = St.STOP_ON_YIELD >> 2;
const W_SPSR_EL1 = sysWord(SysReg.SPSR_EL1);
const W_ESR_EL1 = sysWord(SysReg.ESR_EL1);
const W_SCTLR_EL1 = sysWord(SysReg.SCTLR_EL1);
const W_VBAR_EL1 = sysWord(SysReg.VBAR_EL1);
/** The count without a counter port: the retired count itself (sysregs.ts, generic timer). */
const NO_PORT_COUNTER: CounterLinear = { base: 0n, ticksPerInstruction: 1n };

/** One checked field of a saved state: its offset and the values it may hold. */
interface SavedField {
  readonly name: string;
  readonly at: number;
  readonly ok: (v: number) => boolean;
}

const bit = (v: number): boolean => v === 0 || v === 1;
/** A bit of `Cpu.#debug` beside debug.ts's `Dbg` bits: MDSCR_EL1.SS, whatever the OS lock (for SSAdvance). */
const DBG_SS_RAW = 16;
/** LDXR, LDAXR, LDXP, LDAXP (any size): the load-exclusives, for the software step syndrome's EX bit. */
const isLoadExclusive = (insn: number): boolean => (insn & 0x3fc00000) === 0x08400000;
/** The 32-bit fields {@link Cpu.loadState} checks; EXCL_PA and INSN_COUNT (float64) are checked beside them. */
const SAVED_FIELDS: readonly SavedField[] = [
  { name: 'PSTATE.EL', at: St.EL, ok: bit },
  { name: 'PSTATE.SP', at: St.SPSEL, ok: bit },
  { name: 'PSTATE.DAIF', at: St.DAIF, ok: (v) => v >= 0 && v <= 0xf },
  { name: 'PSTATE.PAN', at: St.PAN, ok: bit },
  { name: 'PSTATE.UAO', at: St.UAO, ok: bit },
  { name: 'PSTATE.SSBS', at: St.SSBS, ok: bit },
  { name: 'PSTATE.DIT', at: St.DIT, ok: bit },
  { name: 'PSTATE.TCO', at: St.TCO, ok: bit },
  { name: 'PSTATE.IL', at: St.IL, ok: bit },
  { name: 'PSTATE.SS', at: St.SS, ok: bit },
  { name: 'NZCV', at: St.NZCV, ok: (v) => v >= 0 && v <= 0xf },
  { name: 'the pending flag operation', at: St.FLAG_OP, ok: (v) => v >= FlagOp.None && v <= FlagOp.Logic32 },
  { name: 'the exclusive monitor state', at: St.EXCL_VALID, ok: bit },
  { name: 'the exclusive monitor size', at: St.EXCL_SIZE, ok: (v) => v === 0 || v === 1 || v === 2 || v === 4 || v === 8 || v === 16 },
  { name: 'the event register', at: St.EVENT, ok: bit },
];

/** Throw RangeError naming the first problem of a saved state ({@link Cpu.loadState}), if it has one. */
function checkSavedState(bytes: Uint8Array): void {
  if (bytes.length !== CPU_STATE_BYTES) {
    throw new RangeError(`a saved CPU state is ${CPU_STATE_BYTES} bytes, got ${bytes.length}`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getInt32(St.VERSION, true);
  if (version !== STATE_LAYOUT_VERSION) {
    throw new RangeError(`the saved CPU state has layout version ${version}, this CPU reads version ${STATE_LAYOUT_VERSION}`);
  }
  for (const f of SAVED_FIELDS) {
    const v = dv.getInt32(f.at, true);
    if (!f.ok(v)) throw new RangeError(`${f.name} in the saved CPU state is out of range: ${v}`);
  }
  const pa = dv.getFloat64(St.EXCL_PA, true);
  if (!Number.isSafeInteger(pa) || pa < -1 || (pa >= 0 && dv.getInt32(St.EXCL_VALID, true) === 0)) {
    throw new RangeError(`the exclusive monitor's mark in the saved CPU state is not -1 or the address of a reservation: ${pa}`);
  }
  const count = dv.getFloat64(St.INSN_COUNT, true);
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`the retired count in the saved CPU state is not a count: ${count}`);
  }
}

/** The arena bytes of a CPU: its state block, then the fast interpreter's temporaries (state-layout.ts). */
const CPU_ARENA_BYTES = CPU_STATE_BYTES + 4 * FAST_TEMP_WORDS;

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
  /** V0..V31, 16 bytes each, little-endian (the same bytes as {@link vr}'s views). */
  readonly v: Uint8Array;
  /** V0..V31 as views of each lane type (fpsimd/vregs.ts), for the SIMD&FP instructions. */
  readonly vr: VRegs;
  /** The state block's 32-bit words (NZCV, the pending flag op, FPCR, FPSR, ...: St offsets / 4). @internal */
  readonly st32: Int32Array;
  /** The state block's float64 slots (the retired count, the global monitor's mark). @internal */
  private readonly stF64: Float64Array;
  /** The state block's 64-bit words (NEXT_PC, SCRATCH, the PC). @internal */
  readonly stU64: BigUint64Array;
  /**
   * The state block's 32-bit words followed by the fast interpreter's temporaries (state-layout.ts FAST_TEMP_WORDS;
   * spec/fast-sem.ts). @internal
   */
  readonly fast32: Int32Array;
  /** The same bytes as {@link fast32} as 64-bit words: where the fast interpreter's values meet BigInts. @internal */
  readonly fast64: BigUint64Array;
  /**
   * The PC: the address of the instruction executing, or of the next one to execute between instructions.
   *
   * `pc`, `nextPc` and `dabtIss` are written for every instruction, so they are plain fields while the CPU runs.
   * Measured with handler blocks only (KVM_MTE_WASM=0): writing the PC's slot at every write of the PC cost
   * bench-osboot about 3%, the PC's and the next PC's bench-int about 6%, and the ISS slot bench-osboot about 1.5%.
   * Their slots (St.PC, St.INSN_NEXT_PC, St.DABT_ISS) are the fields' copies as of the last {@link syncSlots}: `run`
   * and `interpret` call it before they return, and `stateBytes` and `saveState` before they hand out the block, so
   * the block holds the whole state wherever it is seen; {@link loadState} loads the fields from the slots. Nothing
   * else writes these three slots.
   */
  pc = 0n;
  /** The address of the next instruction; handlers that branch set it (a field: see {@link pc}). */
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
  /** FPCR (the bits MSR stores: insn/branches-exceptions-system-sysreg.ts). */
  get fpcr(): number {
    return this.st32[W_FPCR]! >>> 0;
  }
  set fpcr(v: number) {
    this.st32[W_FPCR] = v;
  }
  /** FPSR: the cumulative exception flags (IOC=1, DZC=2, OFC=4, UFC=8, IXC=16, IDC=128), QC [27], NZCV [31:28]. */
  get fpsr(): number {
    return this.st32[W_FPSR]! >>> 0;
  }
  set fpsr(v: number) {
    this.st32[W_FPSR] = v;
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
  /**
   * Write-through caches of the PSTATE slots (St.EL .. St.IL), which the MMU and the handlers read for every access
   * (reading the slots instead cost bench-osboot about 1.3% with handler blocks). Invariant: each field equals its
   * slot. Only the setters below write these slots, writing field and slot together, and {@link loadState} reloads
   * the fields after it writes the block; no other code (WebAssembly code included) writes them. DAIF and TCO have
   * no field: translated code writes their slots (wasm-jit/translate-sys.ts: MSR DAIF, DAIFSet, DAIFClr, TCO).
   */
  #el = 1;
  #spsel = 1;
  #pan = 0;
  #uao = 0;
  #ssbs = 0;
  #dit = 0;
  #il = 0;
  #ss = 0;
  /**
   * debug.ts `debugConfig` of the system registers (`hostDebugConfig` while {@link hostDebug} is set), plus
   * {@link DBG_SS_RAW}.
   */
  #debug = 0;
  /** The breakpoint and watchpoint registers in use: the guest's, or the hypervisor's ({@link hostDebug}). */
  #debugRegs: DebugRegisters;
  /** The guest's breakpoint and watchpoint registers (in {@link sys}). */
  readonly #guestDebugRegs: DebugRegisters;
  /** Set by an exception return (ERET), which sets PSTATE.SS itself: the step state machine does not advance. */
  #ssFromReturn = false;
  /** The watchpoint-checking port (debug-port.ts) around {@link mem}, made when first needed. */
  #watchPort: WatchpointPort | undefined = undefined;
  /**
   * A debug event can happen (or PSTATE.SS must advance): debug exceptions are enabled at the current EL (no OS
   * lock or double lock; EL0, or EL1 with MDSCR_EL1.KDE = 1 and PSTATE.D = 0) and software step or an enabled
   * breakpoint or watchpoint (with MDSCR_EL1.MDE) is on; or PSTATE.SS = 1 with MDSCR_EL1.SS = 1. While set, `run`
   * interprets (jit.ts) and the interpreter checks breakpoints, watchpoints and the step state machine. Kept up to
   * date when the EL, PSTATE.D or PSTATE.SS change and when an MSR writes a debug control; a host that writes the
   * debug registers in {@link sys} directly calls {@link debugChanged} (`run` and `loadState` do).
   */
  debugActive = false;
  /** Current exception level of the guest (PSTATE.EL): 0 or 1. */
  get el(): number {
    return this.#el;
  }
  set el(v: number) {
    if (this.pmuPort !== undefined && v !== this.#el) this.pmuPort.elChanging();
    this.#el = v;
    this.st32[W_EL] = v;
    this.refreshDebugActive();
  }
  /** PSTATE.SP: 0 = SP_EL0, 1 = SP_ELx. */
  get spsel(): number {
    return this.#spsel;
  }
  set spsel(v: number) {
    this.#spsel = v;
    this.st32[W_SPSEL] = v;
  }
  /** PSTATE.{D,A,I,F} as bits 3..0 (its slot: translated code writes it too). */
  get daif(): number {
    return this.st32[W_DAIF]!;
  }
  set daif(v: number) {
    this.st32[W_DAIF] = v;
    this.refreshDebugActive();
  }
  /** PSTATE.PAN: 0 or 1. */
  get pan(): number {
    return this.#pan;
  }
  set pan(v: number) {
    this.#pan = v;
    this.st32[W_PAN] = v;
  }
  /** PSTATE.UAO: 0 or 1. */
  get uao(): number {
    return this.#uao;
  }
  set uao(v: number) {
    this.#uao = v;
    this.st32[W_UAO] = v;
  }
  /** PSTATE.SSBS: 0 or 1. */
  get ssbs(): number {
    return this.#ssbs;
  }
  set ssbs(v: number) {
    this.#ssbs = v;
    this.st32[W_SSBS] = v;
  }
  /** PSTATE.DIT: 0 or 1. */
  get dit(): number {
    return this.#dit;
  }
  set dit(v: number) {
    this.#dit = v;
    this.st32[W_DIT] = v;
  }
  /** PSTATE.TCO (MTE tag check override): 0 or 1 (its slot: translated code writes it too). */
  get tco(): number {
    return this.st32[W_TCO]!;
  }
  set tco(v: number) {
    this.st32[W_TCO] = v;
  }
  /** PSTATE.IL (illegal execution state): 0 or 1. */
  get il(): number {
    return this.#il;
  }
  set il(v: number) {
    this.#il = v;
    this.st32[W_IL] = v;
  }
  /** PSTATE.SS (software step, debug.ts): 0 or 1. */
  get pstateSs(): number {
    return this.#ss;
  }
  set pstateSs(v: number) {
    this.#ss = v;
    this.st32[W_SS] = v;
    this.refreshDebugActive();
  }

  /**
   * The hypervisor debugs the guest (debug.ts {@link HostDebug}; kvm-core's KVM_SET_GUEST_DEBUG): MDCR_EL2.TDE = 1,
   * so debug exceptions, BRK included, are traps to EL2 (`run` stops with {@link Stop.TrapEl2}, the syndrome in
   * {@link el2}), with the hypervisor's MDSCR_EL1.SS/MDE and breakpoint and watchpoint registers in place of the
   * guest's, which keep their values. Host state, not part of {@link saveState}. Undefined: the guest owns debug
   * (MDCR_EL2.TDE = 0). After setting or changing it, call {@link debugChanged} (`run` does).
   */
  hostDebug: HostDebug | undefined = undefined;
  /**
   * End the run after a YIELD, or a WFE that would wait (no event pending, not trapped), with {@link Stop.Yield}: a
   * host that runs several PEs in turns sets it so that a PE spinning on something only another PE can change gives
   * way (kvm-core's `Vcpu.yieldExits`). Host state (the state block's STOP_ON_YIELD word, which translated code
   * reads); default false (both are NOPs here, as before).
   */
  get stopOnYield(): boolean {
    return this.st32[W_STOP_ON_YIELD] !== 0;
  }
  set stopOnYield(on: boolean) {
    this.st32[W_STOP_ON_YIELD] = on ? 1 : 0;
  }

  /**
   * The debug registers in {@link sys} changed (MDSCR_EL1, the OS lock and double lock, DBGBCR/DBGWCR), or
   * {@link hostDebug} did: recompute {@link debugActive}. The MSR handler calls it; so do `run` and `loadState`, for
   * registers a host wrote.
   */
  debugChanged(): void {
    const sys = this.sys;
    const h = this.hostDebug;
    if (h !== undefined) {
      this.#debug = hostDebugConfig(h, sys) | (h.step ? DBG_SS_RAW : 0);
      this.#debugRegs = hostDebugRegisters(h, sys);
    } else {
      this.#debug = debugConfig(sys) | ((sys[SysReg.MDSCR_EL1]! & 1n) !== 0n ? DBG_SS_RAW : 0);
      this.#debugRegs = this.#guestDebugRegs;
    }
    this.refreshDebugActive();
  }

  /**
   * Whether any debug event is configured (breakpoints, watchpoints, software step, ...: the debug configuration is
   * not 0); only then can a change of PSTATE.D change {@link debugActive}. @internal (wasm-jit/tier.ts: the block
   * mode's DEBUG bit)
   */
  get debugConfigured(): boolean {
    return this.#debug !== 0;
  }

  /** The breakpoint and watchpoint registers debug exceptions are checked against now. @internal (debug-port.ts) */
  get debugRegisters(): DebugRegisters {
    return this.#debugRegs;
  }

  private refreshDebugActive(): void {
    const c = this.#debug;
    this.debugActive = c !== 0 &&
      (debugEnabledFrom(c & ~DBG_SS_RAW, this.#el, (this.daif & 8) !== 0) || (this.#ss === 1 && (c & DBG_SS_RAW) !== 0));
  }

  /** ERET: PSTATE.SS after the return (debug.ts `exceptionReturnSs`), not advanced as a stepped instruction would. */
  setReturnSs(v: number): void {
    this.pstateSs = v;
    this.#ssFromReturn = true;
  }

  /** SSAdvance(): an instruction completed with MDSCR_EL1.SS = 1 and PSTATE.SS = 1, so PSTATE.SS becomes 0. */
  private ssAdvance(): void {
    if (this.#ss === 1 && (this.#debug & DBG_SS_RAW) !== 0) this.pstateSs = 0;
  }
  /** System registers, indexed by `SysReg` ids. */
  readonly sys: BigUint64Array;
  /** What the last trap to EL2 reported. */
  readonly el2 = new El2Syndrome();
  /** Set when `run` stopped with {@link Stop.InternalError}. */
  internalError: unknown = undefined;
  /** Guest instructions retired. */
  get insnCount(): number {
    return this.stF64[D_INSN_COUNT]!;
  }
  set insnCount(n: number) {
    this.stF64[D_INSN_COUNT] = n;
  }
  /**
   * The data abort ISS bits [24:14] (ISV, SAS, SSE, SRT, SF, AR) the current load/store would report to EL2:
   * set by load/store handlers before their access, 0 for accesses the architecture gives no syndrome for. A field
   * copied to its slot by {@link syncSlots}, as {@link pc}.
   */
  dabtIss = 0;
  /**
   * The local exclusive monitor: the virtual address of the last load-exclusive, or -1n when open. A
   * store-exclusive passes only for the same address and size. Clear it with {@link clearExclusive}, which also
   * releases the global mark. In the block: EXCL_VALID (1 while a reservation is held) and EXCL_ADDR (0 without).
   */
  get exclAddr(): bigint {
    return this.st32[W_EXCL_VALID] === 0 ? -1n : this.stU64[D_EXCL_ADDR]!;
  }
  set exclAddr(v: bigint) {
    const open = v === -1n;
    this.stU64[D_EXCL_ADDR] = open ? 0n : v;
    this.st32[W_EXCL_VALID] = open ? 0 : 1;
  }
  /** The local exclusive monitor's size in bytes (that of the last load-exclusive). */
  get exclSize(): number {
    return this.st32[W_EXCL_SIZE]!;
  }
  set exclSize(v: number) {
    this.st32[W_EXCL_SIZE] = v;
  }
  /**
   * The global exclusive monitor's mark for this PE: the physical address of the reservation (its size is
   * `exclSize`), or -1 when the port named no PA or there is no reservation. Another observer's store to it clears
   * the reservation ({@link SmpPort.stored}). A float64 slot: physical addresses go beyond 32 bits.
   */
  get exclPa(): number {
    return this.stF64[D_EXCL_PA]!;
  }
  set exclPa(v: number) {
    this.stF64[D_EXCL_PA] = v;
  }
  /** The event register (WFE, SEV, SEVL): set means an event is pending and the next WFE completes, clearing it. */
  get eventRegister(): boolean {
    return this.st32[W_EVENT] !== 0;
  }
  set eventRegister(v: boolean) {
    this.st32[W_EVENT] = v ? 1 : 0;
  }
  /** The coherence domain this PE belongs to ({@link CpuOptions.smp}). */
  readonly smp: SmpPort;
  /**
   * System registers an upper layer implements (ports.ts {@link SysRegPort}): MRS/MSR at EL1 of an encoding the
   * CPU's own table does not have go to it before they are UNDEFINED. kvm-core sets it to the vGICv3's ICC_*
   * registers. Undefined: none.
   */
  sysRegPort: SysRegPort | undefined = undefined;
  /**
   * The system counter and the timer hook an upper layer implements (ports.ts {@link CounterPort}): kvm-core's VM
   * clock. Undefined: the count is {@link insnCount} (one tick per retired instruction) and timer writes end nothing.
   */
  counterPort: CounterPort | undefined = undefined;
  /**
   * The PMUv3 registers an upper layer implements (ports.ts {@link PmuPort}): kvm-core's PMU for a vCPU with
   * KVM_ARM_VCPU_PMU_V3. Told of every change of PSTATE.EL. Undefined: the PMU registers are UNDEFINED.
   */
  pmuPort: PmuPort | undefined = undefined;
  /**
   * The IRQ input line, driven by the interrupt controller model: bit 0 of the state block's IRQ_LINE word, whose
   * bit 1 mirrors HCR_EL2.VSE ({@link virtualSError}), so that translated code leaves for the run loop when either is
   * set.
   */
  get irqLine(): boolean {
    return (this.st32[W_IRQ_LINE]! & 1) !== 0;
  }
  set irqLine(v: boolean) {
    this.st32[W_IRQ_LINE] = (this.st32[W_IRQ_LINE]! & ~1) | (v ? 1 : 0);
  }
  /**
   * A virtual SError is pending (HCR_EL2.VSE, which the hypervisor sets: KVM_SET_VCPU_EVENTS). It is taken to EL1
   * at an instruction boundary when PSTATE.A is 0, after a pending IRQ, and taking it clears VSE. (The model runs
   * guests as KVM does, with HCR_EL2.AMO set, which it does not model separately.)
   */
  get virtualSError(): boolean {
    return (this.sys[SysReg.HCR_EL2]! & HCR.VSE) !== 0n;
  }
  set virtualSError(v: boolean) {
    const hcr = this.sys[SysReg.HCR_EL2]!;
    this.sys[SysReg.HCR_EL2] = v ? hcr | HCR.VSE : hcr & ~HCR.VSE;
    this.st32[W_IRQ_LINE] = (this.st32[W_IRQ_LINE]! & ~2) | (v ? 2 : 0);
  }
  /** An asynchronous exception can be taken now: the IRQ line with PSTATE.I = 0, or a virtual SError with A = 0. */
  asyncPending(): boolean {
    const w = this.st32[W_IRQ_LINE]!;
    if (w === 0) return false;
    const daif = this.daif;
    if ((w & 1) !== 0 && (daif & 2) === 0) return true;
    if ((w & 2) === 0) return false;
    // The mirror is a hint: the hypervisor may have rewritten HCR_EL2 (a vCPU reset) without clearing it.
    if (!this.virtualSError) {
      this.st32[W_IRQ_LINE] = w & ~2;
      return false;
    }
    return (daif & 4) === 0;
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
  readonly decoder: DecodeCache;
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
    const after = options.fastAfterRuns ?? FAST_AFTER_RUNS;
    if (!Number.isInteger(after) || after < 1) throw new RangeError(`fastAfterRuns must be a positive integer, got ${after}`);
    this.decoder = new DecodeCache(options.fastHandlers ?? true, after);
    const off = arena.alloc(CPU_ARENA_BYTES, 16);
    const buf = arena.memory.buffer;
    this.arena = arena;
    this.stateOffset = off;
    this.x = new BigUint64Array(buf, off + St.X, 32);
    this.spEl = new BigUint64Array(buf, off + St.SP_EL0, 2);
    this.flagArgs = new BigUint64Array(buf, off + St.FLAG_A, 2);
    this.v = new Uint8Array(buf, off + St.V, 32 * 16);
    this.vr = vregsOver(buf, off + St.V);
    this.st32 = new Int32Array(buf, off, CPU_STATE_BYTES >> 2);
    this.stF64 = new Float64Array(buf, off, CPU_STATE_BYTES >> 3);
    this.stU64 = new BigUint64Array(buf, off, CPU_STATE_BYTES >> 3);
    this.fast32 = new Int32Array(buf, off, (CPU_STATE_BYTES >> 2) + FAST_TEMP_WORDS);
    this.fast64 = new BigUint64Array(buf, off, (CPU_STATE_BYTES >> 3) + (FAST_TEMP_WORDS >> 1));
    // The block is zeroed: PC 0, monitors open (no global mark: -1), no event. Reset PSTATE: EL1h, DAIF masked.
    const st = this.st32;
    st[W_VERSION] = STATE_LAYOUT_VERSION;
    st[W_EL] = 1;
    st[W_SPSEL] = 1;
    st[W_DAIF] = 0xf;
    this.stF64[D_EXCL_PA] = -1;
    st[St.TLB_BASE >> 2] = ARENA_NO_TLB; // until a memory port puts its TLB there
    this.sys = resetSysRegFile(new BigUint64Array(buf, off + St.SYS, SYSREG_COUNT));
    this.#guestDebugRegs = guestDebugRegisters(this.sys);
    this.#debugRegs = this.#guestDebugRegs;
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

  /**
   * The CPU state block's bytes (state-layout.ts): a view, not a copy. The PC, next PC and data abort ISS slots are
   * brought up to date first ({@link syncSlots}); a view kept while the host sets `cpu.pc` shows the old PC until the
   * next `run`, `interpret`, `stateBytes` or `saveState`.
   */
  stateBytes(): Uint8Array {
    this.syncSlots();
    return this.arena.bytes(this.stateOffset, CPU_STATE_BYTES);
  }

  /** Copy the members kept in fields while the CPU runs ({@link pc}, {@link nextPc}, {@link dabtIss}) to their slots. */
  private syncSlots(): void {
    const u64 = this.stU64;
    u64[D_PC] = this.pc;
    u64[D_NEXT_PC] = this.nextPc;
    this.st32[W_DABT_ISS] = this.dabtIss;
  }

  /**
   * The CPU's state: a copy of its state block ({@link CPU_STATE_BYTES} bytes at the offsets of state-layout.ts,
   * the layout version included) with the host's words zeroed (HOST_WORDS_START..HOST_WORDS_END and
   * HOST_TAIL_START..HOST_TAIL_END: the coherence domain's reservation count, the IRQ line, which the interrupt
   * controller drives, the data TLB's words, the run loop's scratch, the counter's linear form). Take it between
   * runs; {@link loadState} puts it back, into this CPU or another.
   */
  saveState(): Uint8Array {
    const copy = this.stateBytes().slice(); // a new, unshared buffer
    copy.fill(0, HOST_WORDS_START, HOST_WORDS_END);
    copy.fill(0, HOST_TAIL_START, HOST_TAIL_END);
    return copy;
  }

  /**
   * Make `bytes` (from {@link saveState}) this CPU's state, between runs. Throws RangeError, changing nothing, when
   * `bytes` has another length or layout version, or a PSTATE or monitor field out of its range. The host's words
   * stay this CPU's (its IRQ line included; the word's mirror of HCR_EL2.VSE follows the state). Then the state's consequences: a reservation with a global mark is
   * registered with this CPU's coherence domain (a mark this CPU held is released first), the memory port reloads
   * its translation controls (and flushes its TLB), the MTE controls and the jump cache are dropped, and the next
   * fetch checks the PC's alignment. The mark is a physical address of this CPU's memory port: load a state into a
   * CPU whose port maps memory as the saving CPU's did (kvm-core's monitor state translates it through the memslots
   * instead).
   */
  loadState(bytes: Uint8Array): void {
    checkSavedState(bytes);
    const src = bytes.slice(); // `bytes` may be a view of this very block, which clearExclusive changes
    this.clearExclusive();
    const block = this.stateBytes();
    block.set(src.subarray(0, HOST_WORDS_START), 0);
    block.set(src.subarray(HOST_WORDS_END, HOST_TAIL_START), HOST_WORDS_END);
    block.set(src.subarray(HOST_TAIL_END), HOST_TAIL_END);
    this.loadFields();
    this.virtualSError = this.virtualSError; // the IRQ_LINE word's mirror of HCR_EL2.VSE
    if (this.exclPa >= 0) this.smp.opened(this);
    this.jumpCache.blocks.fill(undefined);
    this.jumpCache.keys.fill(0);
    this.jumpCache.gens.fill(0);
    this.jumpCache.mid.block = undefined;
    this.mteControls.invalidate();
    this.checkPcAlign = true;
    this.mem.controlChanged();
  }

  /**
   * The CPU is no longer used: leave its coherence domain and give its state block back to the arena for reuse. The
   * CPU and the views it handed out must not be used afterwards.
   */
  release(): void {
    this.smp.detach(this);
    this.mem.release?.();
    this.codeCache.existingWasmTier(this.arena)?.releaseCpu(this); // its arena jump cache
    this.arena.free(this.stateOffset, CPU_ARENA_BYTES);
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

  /** Load the fields that hold or cache slots of the block (pc, nextPc, dabtIss, PSTATE) from the block. */
  private loadFields(): void {
    const st = this.st32;
    this.pc = this.stU64[D_PC]!;
    this.nextPc = this.stU64[D_NEXT_PC]!;
    this.dabtIss = st[W_DABT_ISS]!;
    this.#el = st[W_EL]!;
    this.#spsel = st[W_SPSEL]!;
    this.#pan = st[W_PAN]!;
    this.#uao = st[W_UAO]!;
    this.#ssbs = st[W_SSBS]!;
    this.#dit = st[W_DIT]!;
    this.#il = st[W_IL]!;
    this.#ss = st[W_SS]!;
    this.debugChanged();
  }

  /** Clear the local monitor and this PE's global mark (CLREX, store-exclusive, exception entry and return). */
  clearExclusive(): void {
    const st = this.st32;
    if (st[W_EXCL_VALID] !== 0) this.exclAddr = -1n;
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
    return BigInt(this.spsrWord() >>> 0);
  }

  /** PSTATE as an SPSR value's bits [31:0] (its other bits are 0), as an int32. */
  private spsrWord(): number {
    const m = this.el === 0 ? 0 : 4 | this.spsel;
    return (this.nzcv << 28) | (this.tco << 25) | (this.dit << 24) | (this.uao << 23) | (this.pan << 22) |
      (this.#ss << 21) | (this.il << 20) | (this.ssbs << 12) | (this.daif << 6) | m;
  }

  /**
   * Restore PSTATE from an SPSR value already checked as a legal return target (EL0 or EL1, AArch64), SS included as
   * it is (a host's PSTATE write); ERET then sets PSTATE.SS by DebugExceptionReturnSS ({@link setReturnSs}).
   */
  spsrToPstate(spsr: bigint): void {
    this.spsrWordToPstate(Number(spsr & 0xffff_ffffn));
  }

  /** {@link spsrToPstate} from the SPSR's bits [31:0] (ERET reads them from the state block: no BigInt). @internal */
  spsrWordToPstate(v: number): void {
    this.nzcv = (v >>> 28) & 0xf;
    this.tco = (v >>> 25) & 1;
    this.dit = (v >>> 24) & 1;
    this.uao = (v >>> 23) & 1;
    this.pan = (v >>> 22) & 1;
    this.pstateSs = (v >>> 21) & 1;
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
    this.enter(offset, Number(esr & 0xffff_ffffn) | 0, Number(esr >> 32n) | 0, returnAddr, far);
  }

  /**
   * {@link enterEl1} with the syndrome's halves: every SVC and fault comes here, so the system registers' 32-bit
   * halves are read and written in the state block, without BigInts but for the return address and the vector.
   */
  private enter(offset: number, esrLo: number, esrHi: number, returnAddr: bigint, far: bigint | undefined): void {
    const st = this.st32;
    const base = this.el === 0 ? 0x400 : this.spsel === 1 ? 0x200 : 0;
    st[W_SPSR_EL1] = this.spsrWord();
    st[W_SPSR_EL1 + 1] = 0;
    this.sys[SysReg.ELR_EL1] = returnAddr;
    if (offset === 0) {
      st[W_ESR_EL1] = esrLo;
      st[W_ESR_EL1 + 1] = esrHi;
    }
    if (far !== undefined) this.sys[SysReg.FAR_EL1] = far;
    const sctlrLo = st[W_SCTLR_EL1]!;
    const sctlrHi = st[W_SCTLR_EL1 + 1]!;
    this.el = 1;
    this.spsel = 1;
    this.daif = 0xf;
    this.il = 0;
    this.pstateSs = 0; // saved in SPSR_EL1.SS above
    if ((sctlrLo & (1 << 23)) === 0) this.pan = 1; // SCTLR_EL1.SPAN == 0 sets PAN
    this.uao = 0;
    this.ssbs = (sctlrHi >>> 12) & 1; // SCTLR_EL1.DSSBS, bit 44
    this.clearExclusive();
    // PSTATE.TCO = 1 on exception entry (FEAT_MTE; RAZ without FEAT_MTE2). Asynchronous tag check faults are
    // recorded in TFSR*_EL1 when they happen, so SCTLR_EL1.ITFSB needs no action here (see mte.ts).
    this.tco = mteLevel(this) >= 2 ? 1 : 0;
    this.pc = this.vector(base + offset);
    this.onExceptionEntry();
    this.elChanged();
  }

  /** VBAR_EL1[63:11] as last seen by {@link vector}, and its 16 vectors (index: offset / 0x80). */
  #vbarLo = 0;
  #vbarHi = 0;
  readonly #vectors: bigint[] = Array.from({ length: 16 }, (_, i) => BigInt(i * 0x80));

  /** VBAR_EL1[63:11] + `offset` (0..0x780), cached while VBAR_EL1 stays what it was. */
  private vector(offset: number): bigint {
    const st = this.st32;
    const lo = st[W_VBAR_EL1]! & ~0x7ff;
    const hi = st[W_VBAR_EL1 + 1]!;
    if (lo !== this.#vbarLo || hi !== this.#vbarHi) {
      this.#vbarLo = lo;
      this.#vbarHi = hi;
      const base = this.sys[SysReg.VBAR_EL1]! & ~0x7ffn;
      for (let i = 0; i < 16; i++) this.#vectors[i] = base + BigInt(i * 0x80);
    }
    return this.#vectors[offset >> 7]!;
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

  /**
   * An MSR wrote a translation control register or PSTATE.PAN/UAO: the port's `controlWritten` when it has one (an
   * MMU keeps its TLB when nothing it translates with changed), else `controlChanged`.
   */
  controlWritten(): void {
    const mem = this.mem;
    if (mem.controlWritten !== undefined) mem.controlWritten();
    else mem.controlChanged();
  }

  /** Hook for features that act on exception entry. Overridden by nothing yet (MTE's TCO is set above). */
  protected onExceptionEntry(): void {}

  /** Take a synchronous exception described by `e`, raised by the instruction at `pc`. @internal (jit.ts) */
  takeGuestException(e: GuestException, pc: bigint): void {
    this.enter(0, (e.ec << 26) | (e.il << 25) | (e.iss & 0x1ff_ffff), e.iss2, e.returnNext ? pc + 4n : pc, e.far);
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
      if (this.hostDebug !== undefined) {
        // MDCR_EL2.TDE: a debug exception (BRK included) is the hypervisor's.
        const trap = debugTrapToEl2(e);
        if (trap !== undefined) return this.trapEl2(trap, pc);
      }
      // SVC completes before its exception (AArch64.CallSupervisor's SSAdvance): SPSR.SS = 0.
      if (e.returnNext) this.ssAdvance();
      this.takeGuestException(e, pc);
      if (e.returnNext) this.insnCount++;
      return undefined;
    }
    if (e instanceof MemoryFault) return this.takeMemoryFault(e, pc, fetching);
    if (e instanceof El2Trap) {
      if (e.returnNext) {
        this.insnCount++;
        this.ssAdvance(); // HVC completes before its exception, as SVC
      }
      return this.trapEl2(e, pc);
    }
    if (e instanceof EndRun) {
      // The instruction completed (an MSR to a timer register): the run ends after it.
      this.pc = pc + 4n;
      this.insnCount++;
      return e.stop as StopCode;
    }
    this.internalError = e;
    this.pc = pc;
    return Stop.InternalError;
  }

  /**
   * Take the pending, unmasked asynchronous exception ({@link asyncPending}): an IRQ, else a virtual SError (EC 0x2F,
   * IL = 1, ISS.IDS = 1: an IMPLEMENTATION DEFINED syndrome, there being no RAS extension to give VSESR_EL2 a meaning).
   */
  private takeAsync(): void {
    if (this.irqLine && (this.daif & 2) === 0) {
      this.enterEl1(0x80, 0n, this.pc);
      return;
    }
    this.virtualSError = false;
    this.sys[SysReg.ESR_EL1] = VIRTUAL_SERROR_ESR;
    this.enterEl1(0x180, 0n, this.pc);
  }

  /**
   * Execute up to `budget` instructions. Returns when the budget is spent, on a trap to EL2, or on a host-side
   * failure (a bug in the model), which is reported as {@link Stop.InternalError} and never thrown.
   *
   * `hostUnchanged`: the caller vouches that nothing wrote guest memory behind the MMU since this CPU's previous run
   * started, other than through {@link CodeCache.written} (kvm-core re-entering the CPU within one KVM_RUN). Translated
   * blocks already compared with memory since then are then not compared again (code-cache.ts, host writes);
   * without it every run starts a new check epoch.
   */
  run(budget: number, hostUnchanged = false): StopCode {
    // The PC may have been set from outside since the last instruction (a misaligned entry point): the architecture
    // checks the PC's alignment when an instruction is fetched, whatever set it. Every PC an instruction computes is
    // aligned, or flagged by its handler.
    if ((this.pc & 3n) !== 0n) this.checkPcAlign = true;
    // The host may have written debug or translation registers (ONE_REG, a restore) since the last run.
    this.debugChanged();
    this.mem.runStarting?.();
    this.linearCounter();
    // Basic blocks (jit.ts) when the memory port can name the physical page code runs from; while a debug event can
    // happen the interpreter checks for it at every instruction (and runBlocks hands over when one becomes possible).
    if (this.translate && this.mem.fetchPage !== undefined && !this.debugActive) {
      const stop = runBlocks(this, budget, hostUnchanged);
      this.syncSlots();
      return stop;
    }
    return this.interpret(budget);
  }

  /**
   * The counter's linear form for this run into COUNTER_BASE and COUNTER_SCALE (state-layout.ts), which the
   * WebAssembly tier's inline counter reads use: the port's (CounterPort.linear), the retired count itself without a
   * port, or scale 0 (no inline reads) when the port's count is not linear in it.
   */
  private linearCounter(): void {
    const port = this.counterPort;
    const form = port === undefined ? NO_PORT_COUNTER : port.linear?.();
    const u64 = this.stU64;
    u64[St.COUNTER_BASE >> 3] = form === undefined ? 0n : form.base;
    u64[St.COUNTER_SCALE >> 3] = form === undefined ? 0n : form.ticksPerInstruction;
  }

  /** The instruction-by-instruction interpreter: `run` without translation (and its single-step fallback). */
  interpret(budget: number): StopCode {
    this.mem.runStarting?.(); // (again when `run` calls it: a compare)
    const stop = this.interpretLoop(budget);
    this.syncSlots();
    return stop;
  }

  /** {@link interpret}'s loop: the slots of the fields it writes are left for the caller to sync. */
  private interpretLoop(budget: number): StopCode {
    const mem = this.mem;
    if ((this.pc & 3n) !== 0n) this.checkPcAlign = true; // as in run
    let fetching = false;
    for (let i = 0; i < budget; i++) {
      const pc = this.pc;
      try {
        if (this.asyncPending()) {
          this.takeAsync();
          continue;
        }
        if (this.debugActive) {
          const stop = this.debugInstruction(pc);
          if (stop !== undefined) return stop;
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

  /**
   * One step of the interpreter while {@link debugActive} (interpretLoop's body with the debug checks), in the Arm
   * ARM's priority order: a Software Step exception in the active-pending state (PSTATE.SS = 0; ISS.ISV = 0: no
   * instruction was stepped into it here), the PC alignment fault, the instruction abort, a Breakpoint exception,
   * the Illegal Execution state exception, then the instruction, its data accesses checked against the watchpoints
   * (debug-port.ts). An instruction that completes with MDSCR_EL1.SS = 1 and PSTATE.SS = 1 (active-not-pending)
   * advances the state machine (PSTATE.SS = 0; not an ERET, which sets PSTATE.SS itself); when software step is
   * then active, its Software Step exception (ISV = 1, EX = a load-exclusive was stepped) is taken at once, before
   * the next instruction, so no pending-syndrome state outlives the step. Returns the stop, or undefined to go on.
   */
  private debugInstruction(pc: bigint): StopCode | undefined {
    const mem = this.mem;
    const config = this.#debug & ~DBG_SS_RAW;
    const enabled = debugEnabledFrom(config, this.el, (this.daif & 8) !== 0);
    const same = this.el === 0 ? 0 : 1;
    const armed = this.#ss === 1 && (this.#debug & DBG_SS_RAW) !== 0;
    let fetching = false;
    let watching = false;
    try {
      if (enabled && (config & Dbg.STEP) !== 0 && this.#ss === 0) {
        throw new GuestException(DebugEc.SoftwareStep + same, DEBUG_FSC);
      }
      if (this.checkPcAlign) {
        this.checkPcAlign = false;
        if ((pc & 3n) !== 0n) throw new GuestException(Ec.PcAlign, 0, false, pc);
      }
      fetching = true;
      const insn = mem.fetch(pc);
      fetching = false;
      if (enabled && (config & Dbg.BREAK) !== 0 && breakpointHit(this.sys, pc, this.el, this.#debugRegs)) {
        throw new GuestException(DebugEc.Breakpoint + same, DEBUG_FSC);
      }
      if (this.il !== 0) throw new GuestException(Ec.IllegalState, 0);
      this.nextPc = pc + 4n;
      this.dabtIss = 0;
      const handler = this.decoder.decode(insn);
      if (enabled && (config & Dbg.WATCH) !== 0) {
        let port = this.#watchPort;
        if (port === undefined || port.inner !== mem) port = this.#watchPort = new WatchpointPort(mem, this);
        this.mem = port;
        watching = true;
      }
      this.#ssFromReturn = false;
      handler(this, insn);
      if (watching) {
        this.mem = mem;
        watching = false;
      }
      this.pc = this.nextPc;
      this.insnCount++;
      if (armed && !this.#ssFromReturn) {
        this.pstateSs = 0;
        const c = this.#debug & ~DBG_SS_RAW;
        if ((c & Dbg.STEP) !== 0 && debugEnabledFrom(c, this.el, (this.daif & 8) !== 0)) {
          const iss = (1 << 24) | (isLoadExclusive(insn) ? 1 << 6 : 0) | DEBUG_FSC;
          const step = new GuestException(DebugEc.SoftwareStep + (this.el === 0 ? 0 : 1), iss);
          const stop = this.takeThrown(step, this.pc, false); // to EL1, or a trap to EL2 under hostDebug
          if (stop !== undefined) return stop;
        }
      }
    } catch (e) {
      if (watching) this.mem = mem;
      // A run-ending MSR (EndRun) completed its instruction: the step state machine advances.
      if (armed && e instanceof EndRun) this.pstateSs = 0;
      return this.takeThrown(e, pc, fetching);
    }
    return undefined;
  }
}
