/**
 * The WebAssembly block emitter: one translated block becomes one wasm function
 * `(st: i32, budget: i32, mode: i32) -> exit: i32` over the guest arena, where `st` is the CPU state block's offset
 * (state-layout.ts) and `mode` packs what the run loop knows about PSTATE for the whole block: bit 0 the stack
 * pointer in use (0: SP_EL0, 1: SP_EL1), bit 1 set when no privileged access of the EL can be tag checked (PSTATE.TCO,
 * or mte.ts tagCheckFieldOff: the inline paths, which never make unprivileged accesses, then skip the allocation tag
 * compare), bits [3:2] the permission class of the EL and PAN, whose data TLB table inline loads and stores use
 * (state-layout.ts Dtlb: 0 EL0, 1 EL1 with PAN 0, 2 with PAN 1, 3 none hits), bits [5:4] the EL, bit 6
 * ({@link MODE_TCF_OFF}) set when checks are off whatever PSTATE.TCO (mte.ts tagCheckFieldOff), bit 7
 * ({@link MODE_DEBUG}) set when a debug event is configured (Cpu.debugConfigured) ({@link blockMode}). The mode is constant along a chain: everything that changes
 * it (an exception, ERET, most MSRs) is a system instruction, which ends a block with a handler exit to the run loop;
 * the inline writes of PSTATE.DAIF and TCO (translate-sys.ts) chain on only where the mode stays what it was.
 *
 * What the generated code keeps exact (the same rules as handler blocks, handler-block.ts, and the interpreter):
 * - The state block is current whenever a handler runs or the function leaves: X0-X30 are cached in locals inside
 *   the function (registers section below) and stored back before every handler call and exit; the lazy flags and
 *   SP are written there at once. The retired count is the budget's: `budget` counts down by each block's
 *   instructions as it leaves (or iterates, or chains), and what is left is written to the state block's SCRATCH
 *   word before every handler call and return, from which the tier sets `cpu.insnCount` (runWasm, callSite), so no
 *   block waits on a count in memory. A handler called from the middle of a block sees exactly what the interpreter
 *   would.
 * - An instruction the emitter has no translation for, or whose inline fast path does not apply this time (a TLB
 *   miss, a permission or alignment problem, an allocation tag that differs from the pointer's, NoTagAccess memory,
 *   a store to a page holding code, an open exclusive
 *   reservation, a misaligned SP base), is executed by its interpreter handler through the `call` entry, which sets
 *   `cpu.pc`, `cpu.nextPc` and `cpu.dabtIss` first: faults, syndromes and tag checks are the handler's. The fast
 *   path changes nothing before it knows the whole instruction can complete inline.
 * - Exits: a non-negative code is a direct exit of the module's block i: `2 i` the taken outcome, `2 i + 1` the
 *   fall-through (the target PCs are fixed when the module is built), -1 means the last instruction ran as a handler
 *   and set `cpu.nextPc`, `-4 - i` the register branch of block i left its target in the state block's NEXT_PC, -3
 *   a handler raised an exception (the `call` entry catches it, so it never unwinds through wasm frames; the run
 *   loop takes it, with `cpu.pc` on the instruction). Every exit but -3 counts the block's instructions. A direct
 *   exit to another block of the module on the same virtual page tail-calls it (chaining without JavaScript; the
 *   same page keeps the translation the block was entered with), see exitDirect; so does a register branch whose
 *   target is one of the candidates the tier gives it (exitIndirect). Other direct exits, and register branches to
 *   another page, look the CPU's arena jump cache up and tail-call the block it names: through the module's jump
 *   cache exit function (module-functions.ts emitJumpCacheExitFunction, which returns the exit code when it cannot
 *   chain), or inline (jumpCacheChain: SVC and ERET, whose next mode is not the block's).
 * - A block whose direct exit leads back to its own start iterates inside the function while the budget allows and
 *   the IRQ line is low (a handler that dropped translated code, perhaps this block, also sets the word's
 *   IRQ_LINE_LEAVE bit, state-layout.ts); the registers its body uses stay in locals from one iteration to the next
 *   (enterLoop).
 * - "The IRQ line is low" is ASYNC_PENDING being 0: `IRQ_LINE & ~(DAIF >> 1)`, no IRQ with PSTATE.I = 0 and no
 *   virtual SError (IRQ_LINE bit 1) with PSTATE.A = 0, what the run loop checks before every block
 *   (Cpu.asyncPending; its SError mirror only ever makes this check leave more often), and the IRQ_LINE_LEAVE bit
 *   clear (no mask applies to it). For iterating, continuing into an inline body and chaining within the module
 *   the raw IRQ_LINE word is tested first and DAIF only read when it is non-zero (irqPending). (Linux runs long
 *   stretches with a pending interrupt masked: raw-line checks made 1.6 M of the boot's 5.2 M WebAssembly entries,
 *   and a fifth of the MTE selftests' run-loop iterations; the masked test alone in back edges and in-module chains
 *   cost bench-int's loops 8%.)
 */
import { ARENA_RUN_EPOCH } from '../arena.js';
import { FlagOp } from '../flags.js';
import { Dtlb, DTLB_NORMAL, St } from '../state-layout.js';
import type { FunctionBuilder } from '../wasm/function-builder.js';
import { MemOp, Op, type Opcode } from '../wasm/opcodes.js';
import { ValType, VOID_BLOCK } from '../wasm/types.js';
import { emitFpDisabled } from './fp-access.js';
import {
  DTLB_ENTRY_SHIFT, pushAsyncPending, pushJumpCacheChain, pushStoreBlocked, pushTagMismatch, pushUnalignedChecks,
  UNALIGNED_WRITE,
} from './module-functions.js';
import {
  ERET_RAISED, hasCallOut, MODE_DEBUG, MODE_TCF_OFF, P_BUDGET, P_MODE, P_ST, pushCallOut, WasmExit, type CallOut,
} from './protocol.js';

const { i32, i64 } = ValType;


/** Flags a flag-setting instruction of the block recorded, still in locals for a later condition in the block. */
interface Pending {
  readonly op: number;
  readonly bits: 32 | 64;
}

/** A block of the same module a direct exit may tail-call (BlockEmitter.exitDirect). */
export interface ChainTarget {
  /** Its function index. */
  readonly fn: number;
  /** Its instruction count (the budget it needs). */
  readonly n: number;
  /** The arena offset of its validity word. */
  readonly validOffset: number;
  /**
   * Its check function `() -> i32` (module-functions.ts emitCheckFunction) when its words lie in the arena: chaining into it
   * while its validity word holds an earlier run's epoch compares its words with memory instead of leaving.
   */
  readonly check?: number;
  /**
   * Emits its body at the current point of this function (its instructions and exits, every path ending in an exit),
   * so that a direct exit continues into it without leaving the function ({@link BlockEmitter.exitDirect}).
   */
  readonly inline?: (e: BlockEmitter) => void;
}

/**
 * At most this many instructions of other blocks are emitted inline into one block's function, nested at most
 * MAX_INLINE_DEPTH deep: enough for the loops of two to four small blocks (a byte loop split by a conditional
 * branch), which then iterate inside one function.
 */
export const MAX_INLINE_INSNS = 16;
export const MAX_INLINE_DEPTH = 3;

/**
 * The registers a self-looping block's body uses (has a local for) and writes, learnt by emitting it once
 * ({@link BlockEmitter.loopUsage}); emitted again with them, the block keeps them in locals across iterations.
 */
export interface LoopUsage {
  readonly regs: readonly number[];
  readonly written: readonly number[];
  /** The number of memory access sites (fastCheck calls) in the body: each gets a page cache (siteCheck). */
  readonly sites: number;
  /**
   * By site: the earlier load site whose page cache a store site shares (it stores where that load loaded: the same
   * base register, unwritten since, and offset, BlockEmitter.loadSites), else -1.
   */
  readonly share: readonly number[];
}

/** BlockEmitter's fullCheck or fullCheckOrUnaligned (what fastCheck and siteCheck fall back on). */
type FullCheck = (this: BlockEmitter, vaLocal: number, size: number, write: boolean, haLocal: number, missDepth: number,
  tagKnown?: boolean, passed?: () => void) => BlockEmitter;

/** A page cache of memory accesses (BlockEmitter.siteCheck): its three locals. */
interface SiteCache {
  readonly key: number;
  readonly host: number;
  readonly tags: number;
  /** Emission state: no page can be in it here yet (nothing filled it since the function's entry or forgetSites). */
  empty?: boolean;
  /**
   * A load site whose cache a store site shares: filled only with a page its mode may read and write and that a
   * store's checks pass (no translated code, no open reservation), so that the store's hits need nothing more
   * ('both'); the store site itself never fills it ('none'). Undefined: filled after each full check.
   */
  fill?: 'both' | 'none';
}

/** How a translator emits one instruction; see {@link BlockEmitter}. */
export type Translator = (e: BlockEmitter, w: number) => boolean;

/**
 * The prologue's optional parts (BlockEmitter.trimPrologue): the SP address, the data TLB table and mask, the tag
 * mask, the shared access-site caches.
 */
const PART_SP = 1;
const PART_TLB = 2;
const PART_TAG_MASK = 4;
const PART_SITES = 8;

/**
 * Emits one block function. Translators (translate-*.ts) call its helpers; the block's shape (entry, the loop of a
 * self-looping block, exits) is emitted by {@link emitBlock}.
 */
export class BlockEmitter {
  /** i64 scratch locals translators may use freely within one instruction. */
  readonly a: number;
  readonly b: number;
  readonly r: number;
  readonly v: number;
  readonly va: number;
  readonly va2: number;
  /** i32 scratch locals. */
  readonly lo: number;
  readonly ent: number;
  readonly ha: number;
  readonly ha2: number;
  readonly c32: number;
  /** Locals holding the lazy-flag operands of {@link pending}. */
  private readonly fa: number;
  private readonly fb: number;
  /** The current SP's address in the state block (prologue part PART_SP). */
  private readonly spAddr: number;
  /** The mode's permission class's table of the data TLB (Dtlb): entry i is at tlbBase + i * DTLB_ENTRY_BYTES. */
  private readonly tlbBase: number;
  private readonly tlbMask: number;
  private readonly left: number;
  /**
   * ~DTLB_NORMAL when accesses are tag checked (mode bit 1 clear), else 0: ANDed with a TAG_HOST, it leaves the tags'
   * offset, or 0 for no check.
   */
  private readonly tagMask: number;
  /** i32 scratch of the full check: the page's tags. */
  private readonly tagp: number;
  /**
   * The prologue's optional parts as byte ranges of the body, `[start, end, part]` per part, and the parts the body
   * used: trimPrologue removes the others (a block without memory accesses needs no data TLB locals).
   */
  private prologueParts: number[] = [];
  private partsUsed = 0;
  /** The flags recorded by an inline instruction earlier in the block, while no handler call came after it. */
  private pending: Pending | undefined;
  /**
   * CheckFPAdvSIMDEnabled64 passed on this path (an earlier SIMD&FP instruction's check, inline or its handler's):
   * later SIMD&FP instructions need not test it again. What it reads (CPACR_EL1.FPEN, CPTR_EL2.TFP, PSTATE.EL)
   * changes only through a system instruction (which ends its block: a handler call and an exit) or an exception
   * (which leaves the function); callHandler forgets it all the same; a slow path (withSlowPath) runs the same
   * instruction's handler, which checks the same controls or raises the trap. Forgotten where paths join: the
   * function's entry, a loop head, after a back edge or an inline body.
   */
  fpEnabled = false;
  /** The instruction being emitted: its address and index in the block. */
  pc = 0n;
  k = 0;
  /** The start of the block whose function this is (a direct exit there is the loop's back edge). */
  rootPc = -1n;
  /** That block's instruction count. */
  private rootN = 0;
  /**
   * Whether direct exits may continue into their target's body (ChainTarget.inline): set by the tier for emissions
   * that form a loop (see tier.ts emitBlock).
   */
  allowInline = false;
  /** Instructions still allowed inline in this function, and the nesting of inline bodies at this point. */
  private inlineLeft = MAX_INLINE_INSNS;
  private inlineDepth = 0;
  /** Bodies emitted inline so far. */
  inlined = 0;
  /** The exits being emitted are a call's (BL): they do not continue inline. */
  callExit = false;
  /** An inline body's direct exit led back to rootPc while no loop was open: the function can iterate. */
  private wantLoop = false;
  /** FunctionBuilder.openBlocks inside the loop opened by enterLoop. */
  private loopLevel = -1;
  /**
   * In a loop opened with usage: each access site's page cache, three locals (the page's VA with bits [11:0] clear,
   * or -1 for none; the page's arena offset; its tags' arena offset, 0 when untagged or not checked), in emission
   * order (siteCheck).
   */
  private siteCaches: SiteCache[] = [];
  /** fastCheck calls so far in this emission. */
  private siteCount = 0;
  /**
   * In a function without a loop: one page cache for all its loads and one for its stores (an access often follows
   * another on the same page: a stack frame, a structure), reset at entry.
   */
  private shared: { readonly r: SiteCache; readonly w: SiteCache } | undefined;

  constructor(
    readonly f: FunctionBuilder,
    /** The `call` entry: (id: i32) -> i32, runs the handler of call-table entry `id` (1: it raised). */
    private readonly callImport: CallOut,
    /** Index of the module's own NZCV function: (st: i32) -> i32 (materialises pending flags). */
    private readonly nzcvFn: number,
    /**
     * The `svc` entry: (id: i32) -> i32, takes the Supervisor Call exception of call-table entry `id` (the
     * exception entry the SVC handler's throw would lead to, without the throw) and leaves the vector in cpu.nextPc.
     */
    private readonly svcImport: CallOut,
    /**
     * The call-table id of instruction 0 of the block being emitted (instruction k is `callBase + k`); an inline body
     * sets its own block's while it is emitted.
     */
    public callBase: number,
    /**
     * The `callFp` entry: (id: i32) -> i32, runs the SIMD&FP data-processing handler (decode.ts `FpData`)
     * of call-table entry `id` without the access check (emitted inline before it: callFpHandler); -1: none.
     */
    private readonly fpCallImport: CallOut = -1,
    /**
     * The `enter` entry, BlockTable's `(slot, st, budget, mode) -> exit`: an exit that cannot
     * tail-call a block of its module looks the arena jump cache up and tail-calls the block it names through it
     * (jump-cache.ts); -1: none, such exits leave.
     */
    private readonly enterImport: CallOut = -1,
    /**
     * The `exitMode` entry, () -> i32: after a handler that ended the block and may have changed PSTATE
     * (ERET), the block mode the run loop would enter the next block with (leaving its PC in the state block's
     * NEXT_PC), or -1 when the run loop must look first; -1: none, such blocks leave.
     */
    private readonly exitModeImport: CallOut = -1,
  ) {
    this.a = f.addLocals(i64);
    this.b = f.addLocals(i64);
    this.r = f.addLocals(i64);
    this.v = f.addLocals(i64);
    this.va = f.addLocals(i64);
    this.va2 = f.addLocals(i64);
    this.fa = f.addLocals(i64);
    this.fb = f.addLocals(i64);
    this.lo = f.addLocals(i32);
    this.ent = f.addLocals(i32);
    this.ha = f.addLocals(i32);
    this.ha2 = f.addLocals(i32);
    this.c32 = f.addLocals(i32);
    this.spAddr = f.addLocals(i32);
    this.tlbBase = f.addLocals(i32);
    this.tlbMask = f.addLocals(i32);
    this.left = f.addLocals(i32);
    this.tagMask = f.addLocals(i32);
    this.tagp = f.addLocals(i32);
  }

  /**
   * Push ASYNC_PENDING (see the file comment): IRQ_LINE & ~(DAIF >> 1), non-zero when an interrupt or a virtual
   * SError can be taken. The exits that look the arena jump cache up or test a register branch's candidates use it
   * (they load several words anyway); a back edge, an inline body and a chain within the module test the raw line
   * first (`irqPending`): the masked test alone there cost bench-int's loops 8% (V8's register allocation).
   */
  private asyncPending(): void {
    pushAsyncPending(this.f);
  }

  /**
   * Push ASYNC_PENDING as {@link asyncPending}, but computed only when the raw IRQ_LINE word is non-zero (else 0):
   * the common case, no interrupt pending, costs one load and a branch (the back edges and in-module chains use it).
   */
  private irqPending(): void {
    const f = this.f;
    f.localGet(P_ST).mem(MemOp.i32_load, St.IRQ_LINE).if(ValType.i32);
    this.asyncPending();
    f.else().i32Const(0).end();
  }

  // ---- registers ----
  //
  // X0-X30 are cached in locals within a block: a read loads the state block's copy into the register's local once;
  // a write goes to the local and marks it dirty. Dirty registers are stored back before anything that can look at
  // the state block (a handler call, including a memory access's slow path, an exit, a tail call), and the cache is
  // forgotten where a handler may have changed registers. SP and the flags are not cached.

  /** The local caching Xn (allocated on first use), whether it holds Xn on this path, and whether it is newer. */
  private readonly regLocal = new Int32Array(31).fill(-1);
  private readonly cached = new Uint8Array(31);
  private readonly dirty = new Uint8Array(31);
  /** Registers written anywhere in the block (for loopUsage). */
  private readonly written = new Uint8Array(31);
  /**
   * A self-looping block: undefined before enterLoop; 'probe' for the first emission (registers are stored at the
   * back edge and loaded again in the next iteration, and loopUsage reports what the body used); else the registers
   * held in locals at the loop head and which of them count as dirty there.
   */
  private loop: 'probe' | { readonly regs: readonly number[]; readonly dirty: Uint8Array } | undefined;

  private localOf(n: number): number {
    let l = this.regLocal[n]!;
    if (l < 0) this.regLocal[n] = l = this.f.addLocals(i64);
    return l;
  }

  /** Push Xn as i64 (31: XZR, 0). */
  x(n: number): this {
    if (n === 31) {
      this.f.i64Const(0);
      return this;
    }
    const l = this.localOf(n);
    if (this.cached[n] !== 0) this.f.localGet(l);
    else {
      this.f.localGet(P_ST).mem(MemOp.i64_load, St.X + 8 * n).localTee(l);
      this.cached[n] = 1;
    }
    return this;
  }

  /**
   * Store the dirty registers to the state block. `forget`: they are clean afterwards (the code that follows is the
   * only path); otherwise they stay dirty for the other paths the emission goes on with (a conditional exit).
   */
  flushRegs(forget: boolean): this {
    for (let n = 0; n < 31; n++) {
      if (this.dirty[n] === 0) continue;
      this.f.localGet(P_ST).localGet(this.regLocal[n]!).mem(MemOp.i64_store, St.X + 8 * n);
      if (forget) this.dirty[n] = 0;
    }
    return this;
  }

  /**
   * The register cache's state, to restore after emitting code on a conditional path (an `if` arm): what that arm
   * loaded or wrote exists only on it.
   */
  saveRegs(): { readonly cached: Uint8Array; readonly dirty: Uint8Array; readonly vCached: Uint8Array } {
    return { cached: this.cached.slice(), dirty: this.dirty.slice(), vCached: this.vCached.slice() };
  }

  restoreRegs(s: { readonly cached: Uint8Array; readonly dirty: Uint8Array; readonly vCached: Uint8Array }): this {
    this.cached.set(s.cached);
    this.dirty.set(s.dirty);
    this.vCached.set(s.vCached);
    return this;
  }

  /**
   * Forget every cached register (after a handler, which may have written any): the next read loads it. The
   * SIMD&FP halves too (written through, none is dirty).
   */
  dropRegs(): this {
    this.cached.fill(0);
    this.dirty.fill(0);
    this.vCached.fill(0);
    for (let n = 0; n < 32; n++) this.regVersion[n]!++;
    this.forgetLoads(); // (a handler call: it may have written tags; the new versions would miss them anyway)
    return this;
  }

  // ---- SIMD&FP registers ----
  //
  // Each 64-bit half of V0-V31 (index 2n + half) is cached in an i64 local once read or written on a path, and
  // written through: a write stores to the state block at once and keeps the value in the local, so nothing needs
  // storing before a handler call or an exit, and a chain of instructions on one register (AESE, AESMC, ...; an FP
  // load and the arithmetic on it) passes values in locals rather than through a store and a load. The cache is
  // forgotten where the register cache is (dropRegs: after a handler call; a loop head), and a slow path
  // (withSlowPath) reloads the halves its instruction writes after the handler wrote them.

  private readonly vLocal = new Int32Array(64).fill(-1);
  private readonly vCached = new Uint8Array(64);
  /** The halves written by the instruction being emitted inside withSlowPath (reloaded on its slow path). */
  private vWrittenNow: number[] = [];

  /** The local holding half `half` of Vn, loaded from the state block here unless this path has it already. */
  vRead(n: number, half: 0 | 1): number {
    const k = 2 * n + half;
    let l = this.vLocal[k]!;
    if (l < 0) this.vLocal[k] = l = this.f.addLocals(i64);
    if (this.vCached[k] === 0) {
      this.f.localGet(P_ST).mem(MemOp.i64_load, St.V + 8 * k).localSet(l);
      this.vCached[k] = 1;
    }
    return l;
  }

  /** Write half `half` of Vn: `value` pushes the i64; stored to the state block and kept in the half's local. */
  vWrite(n: number, half: 0 | 1, value: () => void): void {
    const k = 2 * n + half;
    let l = this.vLocal[k]!;
    if (l < 0) this.vLocal[k] = l = this.f.addLocals(i64);
    this.f.localGet(P_ST);
    value();
    this.f.localTee(l).mem(MemOp.i64_store, St.V + 8 * k);
    this.vCached[k] = 1;
    this.vWrittenNow.push(k);
  }

  /** Push Xn (31: the current SP) as i64. */
  xsp(n: number): this {
    if (n === 31) this.f.localGet(this.useSpAddr()).mem(MemOp.i64_load);
    else this.x(n);
    return this;
  }

  /** Push Xn as a `bits`-bit operand in an i64 (the 32-bit form zero-extended). */
  xb(n: number, bits: 32 | 64): this {
    this.x(n);
    if (bits === 32 && n !== 31) this.zext32();
    return this;
  }

  /** Xn or SP as a `bits`-bit operand. */
  xspb(n: number, bits: 32 | 64): this {
    this.xsp(n);
    if (bits === 32) this.zext32();
    return this;
  }

  /** Zero-extend the low 32 bits of the i64 on the stack. */
  zext32(): this {
    this.f.op(Op.i32_wrap_i64).op(Op.i64_extend_i32_u);
    return this;
  }

  /** Write Xn (31: discarded) from the i64 `value` pushes, truncated to `bits`. Nothing is emitted for XZR. */
  setX(n: number, bits: 32 | 64, value: () => void): this {
    if (n === 31) return this;
    value();
    if (bits === 32) this.zext32();
    this.f.localSet(this.localOf(n));
    this.cached[n] = 1;
    this.dirty[n] = 1;
    this.written[n] = 1;
    this.regVersion[n]!++;
    return this;
  }

  /** Write Xn (31: the current SP) from `value`, truncated to `bits`. */
  setXsp(n: number, bits: 32 | 64, value: () => void): this {
    if (n !== 31) return this.setX(n, bits, value);
    this.f.localGet(this.useSpAddr());
    value();
    if (bits === 32) this.zext32();
    this.f.mem(MemOp.i64_store);
    this.regVersion[31]!++;
    return this;
  }

  /** Write Xn (not 31) from local `l`. */
  setXFromLocal(n: number, l: number): this {
    if (n === 31) return this;
    this.f.localGet(l).localSet(this.localOf(n));
    this.cached[n] = 1;
    this.dirty[n] = 1;
    this.written[n] = 1;
    this.regVersion[n]!++;
    return this;
  }

  // ---- flags ----

  /**
   * Record the lazy flags of `op` (flags.ts) with operands pushed by `a` and `b` (`bits` wide, zero-extended; for
   * the logical ops the result in `a` and `b` unused), in the state block and in locals for a later condition.
   */
  setFlags(op: number, bits: 32 | 64, a: () => void, b?: () => void): this {
    const f = this.f;
    a();
    f.localSet(this.fa);
    if (b !== undefined) {
      b();
      f.localSet(this.fb);
    }
    f.localGet(P_ST).localGet(this.fa).mem(MemOp.i64_store, St.FLAG_A);
    if (b !== undefined) f.localGet(P_ST).localGet(this.fb).mem(MemOp.i64_store, St.FLAG_B);
    f.localGet(P_ST).i32Const(op).mem(MemOp.i32_store, St.FLAG_OP);
    this.pending = { op, bits };
    return this;
  }

  /** Set NZCV to the constant `nzcv` (N=8, Z=4, C=2, V=1), no operation pending. */
  setNzcv(nzcv: number): this {
    const f = this.f;
    f.localGet(P_ST).i32Const(nzcv).mem(MemOp.i32_store, St.NZCV);
    f.localGet(P_ST).i32Const(0).mem(MemOp.i32_store, St.FLAG_OP);
    this.pending = undefined;
    return this;
  }

  /**
   * Push PSTATE.C as an i64 0 or 1: from the operands of flags recorded in this block when there are some (ADC after
   * ADDS, the multi-precision loops of a Linux boot), else from NZCV through the module's function.
   */
  carry(): this {
    const p = this.pending;
    if (p !== undefined && this.fusedCond(2, p)) {
      this.f.op(Op.i64_extend_i32_u);
      return this;
    }
    this.f.localGet(P_ST).call(this.nzcvFn).i32Const(1).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and)
      .op(Op.i64_extend_i32_u);
    return this;
  }

  /** The first operand local of the flags just recorded (the result of a logical op). */
  get flagA(): number {
    return this.fa;
  }
  get flagB(): number {
    return this.fb;
  }

  /** Push the i32 truth of condition `cond` (0..15) on the current flags. */
  cond(cond: number): this {
    const f = this.f;
    if (cond >= 14) {
      f.i32Const(1);
      return this;
    }
    const p = this.pending;
    if (p !== undefined && this.fusedCond(cond, p)) return this;
    // NZCV from the state block (materialised by the module's function when an operation is pending).
    f.localGet(P_ST).call(this.nzcvFn).localSet(this.c32);
    const flag = (mask: number): void => {
      f.localGet(this.c32).i32Const(mask).op(Op.i32_and).i32Const(0).op(Op.i32_ne);
    };
    const nEqV = (): void => {
      // ((f >> 3) ^ f) & 1 === 0
      f.localGet(this.c32).i32Const(3).op(Op.i32_shr_u).localGet(this.c32).op(Op.i32_xor).i32Const(1).op(Op.i32_and)
        .op(Op.i32_eqz);
    };
    switch (cond >> 1) {
      case 0: flag(4); break; // EQ
      case 1: flag(2); break; // CS
      case 2: flag(8); break; // MI
      case 3: flag(1); break; // VS
      case 4: f.localGet(this.c32).i32Const(6).op(Op.i32_and).i32Const(2).op(Op.i32_eq); break; // HI: C && !Z
      case 5: nEqV(); break; // GE
      default: nEqV(); flag(4); f.op(Op.i32_eqz).op(Op.i32_and); break; // GT: N == V && !Z
    }
    if ((cond & 1) !== 0) f.op(Op.i32_eqz);
    return this;
  }

  /** A condition straight from the operands of flags recorded in this block, or false when it needs NZCV. */
  private fusedCond(cond: number, p: Pending): boolean {
    const f = this.f;
    const w32 = p.bits === 32;
    const get = (l: number): void => {
      f.localGet(l);
      if (w32) f.op(Op.i32_wrap_i64);
    };
    const cmp = (op64: Opcode, op32: Opcode): void => {
      f.op(w32 ? op32 : op64);
    };
    const zero = (): void => {
      if (w32) f.i32Const(0);
      else f.i64Const(0);
    };
    if (p.op === FlagOp.Logic64 || p.op === FlagOp.Logic32) {
      // N = r < 0, Z = r == 0, C = V = 0.
      switch (cond >> 1) {
        case 0: get(this.fa); zero(); cmp(Op.i64_eq, Op.i32_eq); break; // EQ
        case 1: case 3: case 4: f.i32Const(0); break; // CS, VS, HI: never
        case 2: get(this.fa); zero(); cmp(Op.i64_lt_s, Op.i32_lt_s); break; // MI
        case 5: get(this.fa); zero(); cmp(Op.i64_ge_s, Op.i32_ge_s); break; // GE
        default: get(this.fa); zero(); cmp(Op.i64_gt_s, Op.i32_gt_s); break; // GT
      }
    } else if (p.op === FlagOp.Sub64 || p.op === FlagOp.Sub32) {
      // CMP a, b.
      const ab = (op64: Opcode, op32: Opcode): void => {
        get(this.fa);
        get(this.fb);
        cmp(op64, op32);
      };
      switch (cond >> 1) {
        case 0: ab(Op.i64_eq, Op.i32_eq); break; // EQ
        case 1: ab(Op.i64_ge_u, Op.i32_ge_u); break; // CS: a >= b unsigned
        case 2: get(this.fa); get(this.fb); cmp(Op.i64_sub, Op.i32_sub); zero(); cmp(Op.i64_lt_s, Op.i32_lt_s); break; // MI
        case 3: return false; // VS: through NZCV
        case 4: ab(Op.i64_gt_u, Op.i32_gt_u); break; // HI
        case 5: ab(Op.i64_ge_s, Op.i32_ge_s); break; // GE
        default: ab(Op.i64_gt_s, Op.i32_gt_s); break; // GT
      }
    } else if (p.op === FlagOp.Add64 || p.op === FlagOp.Add32) {
      // ADDS/CMN a, b (the kernel's IS_ERR checks: CMN x0, #4095; B.HI): r = a + b in the width, kept in a local
      // (c32 for 32 bits: cond's own scratch, free on this path).
      if (!w32 && this.fr < 0) this.fr = f.addLocals(i64);
      const r = w32 ? this.c32 : this.fr;
      get(this.fa);
      get(this.fb);
      cmp(Op.i64_add, Op.i32_add);
      f.localSet(r);
      /** Push V in the sign bit: (a ^ r) & (b ^ r). */
      const overflow = (): void => {
        get(this.fa);
        f.localGet(r);
        cmp(Op.i64_xor, Op.i32_xor);
        get(this.fb);
        f.localGet(r);
        cmp(Op.i64_xor, Op.i32_xor);
        cmp(Op.i64_and, Op.i32_and);
      };
      /** Push N == V: the sign bit of r ^ V clear. */
      const nEqV = (): void => {
        f.localGet(r);
        overflow();
        cmp(Op.i64_xor, Op.i32_xor);
        zero();
        cmp(Op.i64_ge_s, Op.i32_ge_s);
      };
      const nonZero = (): void => {
        f.localGet(r);
        zero();
        cmp(Op.i64_ne, Op.i32_ne);
      };
      /** Push C: the sum wrapped, r < a unsigned. */
      const carry = (): void => {
        f.localGet(r);
        get(this.fa);
        cmp(Op.i64_lt_u, Op.i32_lt_u);
      };
      switch (cond >> 1) {
        case 0: f.localGet(r); zero(); cmp(Op.i64_eq, Op.i32_eq); break; // EQ
        case 1: carry(); break; // CS
        case 2: f.localGet(r); zero(); cmp(Op.i64_lt_s, Op.i32_lt_s); break; // MI
        case 3: overflow(); zero(); cmp(Op.i64_lt_s, Op.i32_lt_s); break; // VS
        case 4: carry(); nonZero(); f.op(Op.i32_and); break; // HI: C && !Z
        case 5: nEqV(); break; // GE
        default: nEqV(); nonZero(); f.op(Op.i32_and); break; // GT: N == V && !Z
      }
    } else {
      return false;
    }
    if ((cond & 1) !== 0) f.op(Op.i32_eqz);
    return true;
  }

  /** An i64 local for the sum of fusedCond's ADDS conditions (declared on first use). */
  private fr = -1;

  // ---- memory ----

  /**
   * The inline fast-path check of an access of `size` bytes at the address in i64 local `vaLocal`: branches to
   * label depth `missDepth` (relative to the point of the call) when it does not apply, else leaves the access's
   * arena offset in i32 local `haLocal`. Uses lo, hi and ent.
   */
  fastCheck(vaLocal: number, size: number, write: boolean, haLocal: number, missDepth: number, tagKnown = false,
    at?: string, unaligned = false): this {
    const index = this.siteCount++;
    if (this.loop === 'probe' && at !== undefined) {
      // A store where a load of this path loaded shares that load's page cache in the loop (LoopUsage.share).
      const load = this.loadSites.get(at);
      if (!write) this.loadSites.set(at, index);
      else if (load !== undefined) this.share[index] = load;
    }
    let site = this.siteCaches[index];
    if (site === undefined && this.shared !== undefined) {
      site = write ? this.shared.w : this.shared.r;
      this.partsUsed |= PART_SITES;
    }
    const full = unaligned && size > 1 && this.unalignedFn >= 0 ? this.fullCheckOrUnaligned : this.fullCheck;
    if (site === undefined) return full.call(this, vaLocal, size, write, haLocal, missDepth, tagKnown);
    return this.siteCheck(site, vaLocal, size, write, haLocal, missDepth, tagKnown, full);
  }

  /**
   * Tag-checked loads whose allocation tags this path has seen compared: by the base register's number and version
   * (regVersion) and the offset, the largest size. A later tag-checked access of no more bytes at that address
   * (same register, unchanged, same offset) needs no compare (`tagKnown` of fastCheck): the granules' tags cannot
   * have changed (only MTE instructions, handler calls that forget this, write them), and the load completed, so
   * they matched or the check was asynchronous (its TFSR bit set, the bit a mismatch of the later access sets: same
   * address, same EL) or off (as for the later one: PSTATE.TCO and SCTLR change only in system instructions).
   * A store does not count: under asymmetric checking (TCF = 3) a store's mismatch is asynchronous and a later
   * load's synchronous. Unprivileged accesses (checked as EL0's) neither count nor use it. A slow path keeps it:
   * its handler completes the same load (or raises and leaves).
   */
  readonly tagKnown = new Map<string, number>();
  /** Xn's version (31: SP): bumped by every write of it this emission sees, and by a handler call (all of them). */
  private readonly regVersion = new Uint32Array(32);

  /**
   * In a loop's first emission: the access site of the latest load of this path at each address (tagKnown's keys,
   * any load but an unprivileged one), forgotten where tagKnown is; and the store sites found to store there.
   */
  readonly loadSites = new Map<string, number>();
  private readonly share: number[] = [];

  /** What this path knows of earlier loads (tagKnown, loadSites), to restore after emitting another path. */
  loadFacts(): { readonly tags: ReadonlyMap<string, number>; readonly sites: ReadonlyMap<string, number> } {
    return { tags: new Map(this.tagKnown), sites: new Map(this.loadSites) };
  }

  /** Replace what this path knows of earlier loads with `facts` (loadFacts). */
  setLoadFacts(facts: { readonly tags: ReadonlyMap<string, number>; readonly sites: ReadonlyMap<string, number> }): void {
    this.forgetLoads();
    for (const [k, v] of facts.tags) this.tagKnown.set(k, v);
    for (const [k, v] of facts.sites) this.loadSites.set(k, v);
  }

  /** Keep only what `other` (another path's loadFacts) knows too: where two paths join. */
  joinLoadFacts(other: { readonly tags: ReadonlyMap<string, number>; readonly sites: ReadonlyMap<string, number> }): void {
    for (const [k, size] of [...this.tagKnown]) {
      const o = other.tags.get(k);
      if (o === undefined) this.tagKnown.delete(k);
      else this.tagKnown.set(k, Math.min(size, o));
    }
    for (const [k, site] of [...this.loadSites]) if (other.sites.get(k) !== site) this.loadSites.delete(k);
  }

  /** Forget every earlier load (tagKnown, loadSites). */
  private forgetLoads(): void {
    this.tagKnown.clear();
    this.loadSites.clear();
  }

  /** Xn's (31: SP's) current version, for tagKnown's keys. */
  version(n: number): number {
    return this.regVersion[n]!;
  }

  /**
   * fastCheck inside a loop: the site's page cache first. It holds the last page this site passed the full check
   * for in this call of the function (same VA bits [63:12], top byte included, so the same TBI tag), which stays
   * valid while nothing but this function's inline code runs: the data TLB, the permissions the mode gives, the code
   * map and the open reservations change only in JavaScript, that is in a handler call, after which every site
   * forgets its page (forgetSites), or between calls. A hit still checks alignment and, on Tagged pages, the
   * granule's tag.
   */
  private siteCheck(site: SiteCache, vaLocal: number,
    size: number, write: boolean, haLocal: number, missDepth: number, tagKnown: boolean, full: FullCheck): this {
    const f = this.f;
    if (site.empty === true) {
      // Nothing to hit yet: the full check, then remember the page.
      site.empty = false;
      full.call(this, vaLocal, size, write, haLocal, missDepth, tagKnown, () => this.fillSite(site, vaLocal));
      return this;
    }
    f.block(VOID_BLOCK); // $ok
    f.block(VOID_BLOCK); // $full
    // (va & (~0xfff | (size - 1))) != key -> the full check (another page, no page yet, or misaligned)
    f.localGet(vaLocal).i64Const(BigInt(-4096 | (size - 1))).op(Op.i64_and).localGet(site.key).op(Op.i64_ne).brIf(0);
    if (!tagKnown) {
      f.localGet(site.tags).if(VOID_BLOCK);
      this.tagMismatch(site.tags, () => f.localGet(vaLocal).op(Op.i32_wrap_i64), vaLocal);
      f.brIf(missDepth + 3).end();
    }
    f.localGet(site.host).localGet(vaLocal).op(Op.i32_wrap_i64).i32Const(0xfff).op(Op.i32_and).op(Op.i32_add)
      .localSet(haLocal);
    f.br(1);
    f.end();
    full.call(this, vaLocal, size, write, haLocal, missDepth + 1, tagKnown, () => {
      if (site.fill === 'both') this.fillSiteForStores(site, vaLocal);
      else if (site.fill !== 'none') this.fillSite(site, vaLocal);
    });
    f.end();
    return this;
  }

  /** After the full check passed (its TLB entry in `ent`, its checked tags in `tagp`): the site remembers the page. */
  private fillSite(site: SiteCache, vaLocal: number): void {
    const f = this.f;
    f.localGet(vaLocal).i64Const(-4096n).op(Op.i64_and).localSet(site.key);
    f.localGet(this.ent).mem(MemOp.i32_load, Dtlb.HOST).localSet(site.host);
    f.localGet(this.tagp).localSet(site.tags);
  }

  /**
   * A load site shared with a store site (SiteCache.fill 'both'), after the load's full check passed: remember the
   * page only when the entry's store key accepts it too and a store's checks pass (storeChecks), else forget.
   */
  private fillSiteForStores(site: SiteCache, vaLocal: number): void {
    const f = this.f;
    f.localGet(vaLocal).localGet(this.ent).mem(MemOp.i64_load, Dtlb.MASK).op(Op.i64_and)
      .localGet(this.ent).mem(MemOp.i64_load, Dtlb.KEY_W).op(Op.i64_eq);
    this.storeBlocked();
    f.op(Op.i32_eqz).op(Op.i32_and).if(VOID_BLOCK);
    this.fillSite(site, vaLocal);
    f.else().i64Const(-1n).localSet(site.key).end();
  }

  /**
   * Push non-zero when the allocation tag of the granule at the address in i64 local `vaLocal` (on a page whose
   * tags are at the arena offset in i32 local `tags`, two a byte, the even granule low; `lo` pushes the address's
   * low word) differs from the pointer's tag, VA[59:56]: a mismatch is the handler's.
   */
  private tagMismatch(tags: number, lo: () => void, vaLocal: number): void {
    const f = this.f;
    if (this.tagMismatchFn >= 0 && !this.looping) {
      // Outside loops, a call of the module's function: 8 bytes instead of 40, twice for most accesses (the site
      // cache's path and the full check's), in code that runs with tag checks off more often than not (a kernel).
      f.localGet(tags);
      lo();
      f.localGet(vaLocal).call(this.tagMismatchFn);
      return;
    }
    pushTagMismatch(f, () => f.localGet(tags), lo, () => f.localGet(vaLocal));
  }

  /**
   * Index of the module's tag compare function (emitTagMismatchFunction), which tagMismatch calls outside loops; -1:
   * the compare is always inline. Set by the tier.
   */
  tagMismatchFn = -1;
  /**
   * Index of the module's unaligned access check (emitUnalignedFunction), which fullCheckOrUnaligned calls; -1: none,
   * unaligned integer accesses miss. Set by the tier.
   */
  unalignedFn = -1;
  /**
   * Set while a translation emits an access that must be aligned through a plain one's translation (LDAR as LDR #0,
   * translate-sys.ts): its accesses take no unaligned check.
   */
  alignedOnly = false;
  /**
   * Whether the function being emitted iterates (prologue's `selfLoop`): its tag compares and unaligned checks stay
   * inline.
   */
  private looping = false;

  /** Every site cache forgets its page (after a handler call, which may have changed what they depend on). */
  private forgetSites(): void {
    for (const c of this.siteCaches) this.f.i64Const(-1n).localSet(c.key);
    if (this.shared !== undefined) {
      this.f.i64Const(-1n).localSet(this.shared.r.key).i64Const(-1n).localSet(this.shared.w.key);
      this.shared.r.empty = true;
      this.shared.w.empty = true;
    }
  }

  /**
   * fastCheck's full check through the data TLB (see fastCheck; state-layout.ts Dtlb): one 64-bit compare of the
   * masked address with the entry's load or store key decides hit, permission and alignment at once.
   */
  private fullCheck(vaLocal: number, size: number, write: boolean, haLocal: number, missDepth: number,
    tagKnown = false, passed?: () => void, keyMissDepth = missDepth): this {
    const f = this.f;
    this.dtlbEntry(vaLocal);
    // (va & (MASK | (size - 1))) != KEY -> miss (another page, no permission, misaligned): to `keyMissDepth`
    f.localGet(vaLocal).localGet(this.ent).mem(MemOp.i64_load, Dtlb.MASK);
    if (size > 1) f.i64Const(BigInt(size - 1)).op(Op.i64_or);
    f.op(Op.i64_and).localGet(this.ent).mem(MemOp.i64_load, write ? Dtlb.KEY_W : Dtlb.KEY_R).op(Op.i64_ne)
      .brIf(keyMissDepth);
    if (write) this.storeChecks(missDepth);
    // Tagged Normal memory, checked: the granule's allocation tag must equal the pointer's logical tag (VA[59:56]);
    // a matching tag passes whatever the check mode, a mismatch is the handler's (it may fault, or not check).
    this.tagCheckAndHost(vaLocal, haLocal, missDepth, tagKnown);
    passed?.();
    return this;
  }

  /**
   * fullCheck for an access the architecture lets be unaligned (an integer load or store of more than a byte without
   * Acc.Aligned; SIMD&FP accesses take fastCheckFp): when the key compare fails (another page, no permission, or
   * misaligned), the unaligned checks (pushUnalignedChecks: what the MMU's own unaligned hot path accepts) before the
   * miss.
   * Linux's string and copy routines load unaligned words on purpose (strlen's first LDP, memcpy's tails): a Linux
   * boot sent 300,000 of them to their handlers. Outside functions that iterate, the check is a call, not inline
   * code: it runs on the miss path only, and an access's code grows by a few bytes instead of the hundred of the
   * inline checks (pushUnalignedChecks). `passed` (a site cache's fill) runs on the aligned path only: the function
   * leaves neither `ent` nor `tagp` set.
   */
  private fullCheckOrUnaligned(vaLocal: number, size: number, write: boolean, haLocal: number, missDepth: number,
    tagKnown = false, passed?: () => void): this {
    const f = this.f;
    f.block(VOID_BLOCK); // $hit
    f.block(VOID_BLOCK); // $other: the key compare failed
    this.fullCheck(vaLocal, size, write, haLocal, missDepth + 2, tagKnown, passed, 0);
    f.br(1);
    f.end();
    if (this.looping) {
      // In a function that iterates, the checks inline (fullCheck left lo and ent set).
      this.unalignedInline(vaLocal, size, write, haLocal, missDepth + 1, tagKnown);
    } else {
      f.localGet(vaLocal).localGet(P_ST).localGet(P_MODE).i32Const(size | (write ? UNALIGNED_WRITE : 0))
        .call(this.unalignedFn).localTee(haLocal).i32Const(-1).op(Op.i32_eq).brIf(missDepth + 1);
    }
    f.end();
    return this;
  }

  /** The unaligned checks inline (pushUnalignedChecks), with lo and ent set: haLocal = the access's arena offset. */
  private unalignedInline(vaLocal: number, size: number, write: boolean, haLocal: number, missDepth: number,
    tagKnown: boolean): void {
    const f = this.f;
    pushUnalignedChecks(f, {
      va: () => f.localGet(vaLocal), lo: this.lo, ent: this.ent, st: P_ST, tags: this.tagp,
      key: () => void f.localGet(this.ent).mem(MemOp.i64_load, write ? Dtlb.KEY_W : Dtlb.KEY_R),
      room: (bytes) => void f.i32Const(bytes - size),
      ifStore: (body) => {
        if (write) body(0);
      },
      tagMask: () => void f.localGet(this.useTagMask()),
      tagMismatch: () => this.tagMismatch(this.tagp, () => f.localGet(this.lo), vaLocal),
      tagKnown,
    }, missDepth);
    f.localSet(haLocal);
  }

  /** lo = the address's low word; ent = tlbBase + ((lo >>> 12) & mask) * DTLB_ENTRY_BYTES: its data TLB entry. */
  private dtlbEntry(vaLocal: number): void {
    this.f.localGet(vaLocal).op(Op.i32_wrap_i64).localSet(this.lo);
    this.partsUsed |= PART_TLB;
    this.f.localGet(this.tlbBase).localGet(this.lo).i32Const(12).op(Op.i32_shr_u).localGet(this.tlbMask).op(Op.i32_and)
      .i32Const(DTLB_ENTRY_SHIFT).op(Op.i32_shl).op(Op.i32_add).localSet(this.ent);
  }

  /** A store's extra misses: a page holding translated code, or an open reservation anywhere in the domain. */
  private storeChecks(missDepth: number): void {
    this.storeBlocked();
    this.f.brIf(missDepth);
  }

  /** Push non-zero when a store to the page of data TLB entry `ent` must miss (storeChecks). */
  private storeBlocked(): void {
    pushStoreBlocked(this.f, this.ent, P_ST);
  }

  /**
   * On a page whose tags are checked (the entry's tag pointer under tagMask): miss unless the granule's allocation
   * tag equals VA[59:56]; with `tagKnown` (see tagKnown), no compare. Then haLocal = the entry's host page + the page
   * offset.
   */
  private tagCheckAndHost(vaLocal: number, haLocal: number, missDepth: number, tagKnown: boolean): void {
    const f = this.f;
    f.localGet(this.ent).mem(MemOp.i32_load, Dtlb.TAG_HOST).localGet(this.useTagMask()).op(Op.i32_and).localSet(this.tagp);
    if (!tagKnown) {
      f.localGet(this.tagp).if(VOID_BLOCK);
      this.tagMismatch(this.tagp, () => f.localGet(this.lo), vaLocal);
      f.brIf(missDepth + 1).end();
    }
    f.localGet(this.ent).mem(MemOp.i32_load, Dtlb.HOST).localGet(this.lo).i32Const(0xfff).op(Op.i32_and)
      .op(Op.i32_add).localSet(haLocal);
  }

  /**
   * fastCheck for a SIMD&FP access (spec-wasm.ts), which may also be unaligned: an access aligned to its size takes
   * fastCheck, any other the unaligned checks inline (pushUnalignedChecks).
   */
  fastCheckFp(vaLocal: number, size: number, write: boolean, haLocal: number, missDepth: number, tagKnown = false,
    at?: string): this {
    if (size === 1) return this.fastCheck(vaLocal, size, write, haLocal, missDepth, tagKnown, at);
    const f = this.f;
    f.localGet(vaLocal).op(Op.i32_wrap_i64).i32Const(size - 1).op(Op.i32_and).op(Op.i32_eqz).if(VOID_BLOCK);
    this.fastCheck(vaLocal, size, write, haLocal, missDepth + 1, tagKnown, at);
    f.else();
    this.dtlbEntry(vaLocal);
    this.unalignedInline(vaLocal, size, write, haLocal, missDepth + 1, tagKnown);
    f.end();
    return this;
  }

  /**
   * The inline check of DC ZVA's block of `bytes` (a multiple of 64, at most 4096) at the address in i64 local
   * `vaLocal`, already aligned to `bytes`: what the MMU's own zeroBlock fast path needs (mmu.ts), a data TLB entry whose
   * store key matches (page and write permission, as a store's), Normal memory (DTLB_NORMAL: Device memory faults),
   * no translated code in the page and no open reservation (as fullCheck's store); and, on a page whose tags are
   * checked, every granule's allocation tag equal to VA[59:56] (a mismatch is the handler's, whatever it does). Branches
   * to `missDepth` otherwise, else leaves the block's arena offset in i32 local `haLocal`. Uses lo, ent and c32.
   */
  zeroBlockCheck(vaLocal: number, bytes: number, haLocal: number, missDepth: number): this {
    const f = this.f;
    this.dtlbEntry(vaLocal);
    f.localGet(vaLocal).localGet(this.ent).mem(MemOp.i64_load, Dtlb.MASK).i64Const(BigInt(bytes - 1)).op(Op.i64_or)
      .op(Op.i64_and).localGet(this.ent).mem(MemOp.i64_load, Dtlb.KEY_W).op(Op.i64_ne).brIf(missDepth);
    f.localGet(this.ent).mem(MemOp.i32_load, Dtlb.TAG_HOST).i32Const(DTLB_NORMAL).op(Op.i32_and).op(Op.i32_eqz)
      .brIf(missDepth);
    this.storeChecks(missDepth);
    f.localGet(this.ent).mem(MemOp.i32_load, Dtlb.TAG_HOST).localGet(this.useTagMask()).op(Op.i32_and).localTee(this.tagp)
      .if(VOID_BLOCK);
    // The block's granules' tags are bytes/32 bytes from tags + (page offset >> 5), two a byte: each 16-bit word of
    // them must be the pointer's tag in all four nibbles.
    f.localGet(vaLocal).i64Const(56).op(Op.i64_shr_u).op(Op.i32_wrap_i64).i32Const(15).op(Op.i32_and)
      .i32Const(0x1111).op(Op.i32_mul).localSet(this.c32);
    for (let i = 0; i < bytes / 32; i += 2) {
      f.localGet(this.tagp).localGet(this.lo).i32Const(0xfff).op(Op.i32_and).i32Const(5).op(Op.i32_shr_u)
        .op(Op.i32_add).mem(MemOp.i32_load16_u, i).localGet(this.c32).op(Op.i32_ne).brIf(missDepth + 1);
    }
    f.end();
    f.localGet(this.ent).mem(MemOp.i32_load, Dtlb.HOST).localGet(this.lo).i32Const(0xfff).op(Op.i32_and)
      .op(Op.i32_add).localSet(haLocal);
    return this;
  }

  /**
   * Branch to `missDepth` when the base register is SP and SP is not 16-byte aligned (the handler then decides
   * whether SCTLR_EL1.SA/SA0 make it an SP alignment fault).
   */
  spAlignCheck(n: number, missDepth: number): this {
    if (n !== 31) return this;
    this.f.localGet(this.useSpAddr()).mem(MemOp.i32_load).i32Const(15).op(Op.i32_and).brIf(missDepth);
    return this;
  }

  // ---- calls and exits ----

  /**
   * Run the current instruction's handler (the interpreter's semantics, exactly). When it raised an exception (the
   * entry caught it, with `cpu.pc` on the instruction), leave at once with exit -3: the run loop takes it.
   */
  callHandler(): this {
    this.flushRegs(true);
    this.storeLeft();
    pushCallOut(this.f.i32Const(this.callBase + this.k), this.callImport).if(VOID_BLOCK).i32Const(WasmExit.Raised).return()
      .end();
    this.forgetSites();
    this.dropRegs();
    this.pending = undefined; // the handler may have changed the flags
    this.fpEnabled = false; // or a control of SIMD&FP (an MSR)
    return this;
  }

  /**
   * A SIMD&FP data-processing instruction (decode.ts `FpData`, an allocated word): the access check inline
   * (fp-access.ts), then its handler through the `callFp` entry, which skips what only a handler that may raise an
   * exception or read the PC needs; when the check fails, the row's full handler through `call`, which raises the
   * trap. Either way the registers are spilled and forgotten as for callHandler.
   */
  callFpHandler(): this {
    if (!hasCallOut(this.fpCallImport)) return this.callHandler();
    const f = this.f;
    this.flushRegs(true);
    this.storeLeft();
    if (!this.fpEnabled) {
      emitFpDisabled(f, P_ST, this.c32);
      f.if(VOID_BLOCK);
      pushCallOut(f.i32Const(this.callBase + this.k), this.callImport).if(VOID_BLOCK).i32Const(WasmExit.Raised).return().end();
      f.else();
    }
    pushCallOut(f.i32Const(this.callBase + this.k), this.fpCallImport).if(VOID_BLOCK).i32Const(WasmExit.Raised).return().end();
    if (!this.fpEnabled) f.end();
    this.forgetSites();
    this.dropRegs();
    this.pending = undefined; // the handler may have changed the flags (FCMP, FCCMP)
    this.fpEnabled = true; // checked above, or the full handler raised the trap
    return this;
  }

  /**
   * Emit the instruction with an inline fast path and the handler as its slow path: `fast` emits checks that branch
   * to depth 0 (relative to its start) on a miss and then the whole instruction's effects; `writes` are the
   * registers it writes (the handler on the other path writes them to the state block).
   *
   * Registers stay in their locals on the fast path: only the slow path stores the dirty ones before the handler
   * runs (the fast path changes no register before its last check, so they are the values from before the
   * instruction) and loads what the handler wrote. After the join, `writes` are in their locals on both paths.
   */
  withSlowPath(fast: () => void, writes: readonly number[]): this {
    const f = this.f;
    const before = this.saveRegs();
    const pending = this.pending;
    this.vWrittenNow = [];
    f.block(VOID_BLOCK); // $done
    f.block(VOID_BLOCK); // $slow
    fast();
    const vWritten = this.vWrittenNow;
    const vCachedFast = this.vCached.slice();
    // A register the fast path did not write and had not loaded: load it, so that its local holds it after the join.
    for (const r of writes) if (r !== 31 && this.cached[r] === 0) this.x(r).f.op(Op.drop);
    f.br(1);
    f.end();
    this.restoreRegs(before);
    this.flushRegs(false);
    this.storeLeft();
    pushCallOut(f.i32Const(this.callBase + this.k), this.callImport).if(VOID_BLOCK).i32Const(WasmExit.Raised).return().end();
    this.forgetSites();
    for (const r of writes) {
      if (r !== 31) f.localGet(P_ST).mem(MemOp.i64_load, St.X + 8 * r).localSet(this.localOf(r));
    }
    // The SIMD&FP halves the fast path left in locals that this path has not: the ones it read first, and the ones
    // the instruction writes, as the handler wrote them (it writes the same ones, or raised and left).
    for (let k = 0; k < 64; k++) {
      if (vCachedFast[k] !== 0 && (before.vCached[k] === 0 || vWritten.includes(k))) {
        f.localGet(P_ST).mem(MemOp.i64_load, St.V + 8 * k).localSet(this.vLocal[k]!);
      }
    }
    f.end();
    this.vCached.set(vCachedFast);
    for (const r of writes) {
      if (r === 31) continue;
      this.cached[r] = 1;
      this.dirty[r] = 1;
      this.written[r] = 1;
    }
    // When the fast path recorded no flags, the instruction writes none (the handler on the slow path runs the same
    // instruction, or raised and left): flags recorded before it are still what both paths left (their operands in
    // fa and fb, which the handler cannot touch). Else they are whatever the path taken left.
    if (this.pending !== pending) this.pending = undefined;
    return this;
  }

  /** Count the block's `n` instructions as retired: the budget left goes down by them. */
  private retire(n: number): void {
    this.f.localGet(this.left).i32Const(n).op(Op.i32_sub).localSet(this.left);
  }

  /** Write the budget left to the state block (SCRATCH), where the tier reads the retired count: see the file comment. */
  private storeLeft(): void {
    this.f.localGet(P_ST).localGet(this.left).mem(MemOp.i32_store, St.SCRATCH);
  }

  /**
   * Push (i64) the retired count a handler called here would see, `RUN_END - left` (state-layout.ts RUN_END; tier.ts
   * countRetired): the count at the start of the block being emitted, as for handler blocks.
   */
  pushRetired(): this {
    this.f.localGet(P_ST).mem(MemOp.i64_load, St.RUN_END).localGet(this.left).op(Op.i64_extend_i32_s).op(Op.i64_sub);
    return this;
  }

  /**
   * Open the loop of a self-looping block (after the prologue). With `usage` (from a first emission of the same
   * block), its registers are loaded into their locals here and stay there from one iteration to the next: the back
   * edge stores nothing and loads only those a handler call made it forget; the written ones count as dirty, so
   * every way out of the loop stores them.
   */
  enterLoop(usage: LoopUsage | undefined): this {
    this.fpEnabled = false; // the head joins the entry and the back edge
    this.forgetLoads();
    this.vCached.fill(0); // SIMD&FP halves are loaded again in each iteration (not carried in locals)
    if (usage === undefined) {
      this.loop = 'probe';
      this.f.loop();
      this.loopLevel = this.f.openBlocks;
      return this;
    }
    const dirty = new Uint8Array(31);
    for (const r of usage.regs) this.x(r).f.op(Op.drop);
    for (const r of usage.written) dirty[r] = 1;
    for (let k = 0; k < usage.sites; k++) {
      const load = usage.share[k] ?? -1;
      if (load >= 0) {
        // A store where an earlier load of the body loaded: that load's page cache, which it fills for both.
        const c = this.siteCaches[load]!;
        c.fill = 'both';
        this.siteCaches.push({ key: c.key, host: c.host, tags: c.tags, fill: 'none' });
      } else this.siteCaches.push({ key: this.f.addLocals(i64), host: this.f.addLocals(i32), tags: this.f.addLocals(i32) });
    }
    this.forgetSites();
    this.dirty.set(dirty);
    this.loop = { regs: usage.regs, dirty };
    this.f.loop();
    this.loopLevel = this.f.openBlocks;
    return this;
  }

  /**
   * After a first emission that opened a loop with enterLoop(undefined), or in which an inline body's direct exit led
   * back to the function's start: the registers its body used and wrote and its access sites, to emit it again with
   * a loop. Else undefined.
   */
  loopUsage(): LoopUsage | undefined {
    if (this.loop !== 'probe' && !(this.loop === undefined && this.wantLoop)) return undefined;
    const regs: number[] = [];
    const written: number[] = [];
    for (let r = 0; r < 31; r++) {
      if (this.regLocal[r]! >= 0) regs.push(r);
      if (this.written[r] !== 0) written.push(r);
    }
    const share = Array.from({ length: this.siteCount }, (_, k) => this.share[k] ?? -1);
    return { regs, written, sites: this.siteCount, share };
  }

  /** The back edge of a loop opened with usage: the register cache back in the state the loop head assumes. */
  private loopBackEdge(): void {
    const head = this.loop;
    if (head === undefined || head === 'probe') {
      this.flushRegs(false);
      return;
    }
    for (let r = 0; r < 31; r++) {
      // Dirty here but not at the head (not seen written by the first emission): store it.
      if (this.dirty[r] !== 0 && head.dirty[r] === 0) {
        this.f.localGet(P_ST).localGet(this.regLocal[r]!).mem(MemOp.i64_store, St.X + 8 * r);
      }
    }
    for (const r of head.regs) if (this.cached[r] === 0) this.x(r).f.op(Op.drop);
  }

  /** Entry code: the locals derived from the parameters and the state block. */
  prologue(selfLoop: boolean, n: number): this {
    const f = this.f;
    this.rootN = n;
    this.fpEnabled = false;
    this.looping = selfLoop;
    this.prologueParts = [];
    this.partsUsed = 0;
    const parts = this.prologueParts;
    const part = (id: number, emit: () => void): void => {
      const start = f.body.length;
      emit();
      parts.push(start, f.body.length, id);
    };
    // spAddr = st + SP_EL0 + (mode & 1) * 8
    part(PART_SP, () => f.localGet(P_ST).i32Const(St.SP_EL0).op(Op.i32_add).localGet(P_MODE).i32Const(1).op(Op.i32_and)
      .i32Const(3).op(Op.i32_shl).op(Op.i32_add).localSet(this.spAddr));
    part(PART_TLB, () => {
      f.localGet(P_ST).mem(MemOp.i32_load, St.TLB_MASK).localSet(this.tlbMask);
      // tlbBase = TLB_BASE + ((mode >> 2) & 3) * (TLB_MASK + 1) * DTLB_ENTRY_BYTES
      f.localGet(P_ST).mem(MemOp.i32_load, St.TLB_BASE).localGet(P_MODE).i32Const(2).op(Op.i32_shr_u).i32Const(3)
        .op(Op.i32_and).localGet(this.tlbMask).i32Const(1).op(Op.i32_add).op(Op.i32_mul).i32Const(DTLB_ENTRY_SHIFT)
        .op(Op.i32_shl).op(Op.i32_add).localSet(this.tlbBase);
    });
    f.localGet(P_BUDGET).localSet(this.left);
    // tagMask = (((mode >> 1) & 1) - 1) & ~DTLB_NORMAL
    part(PART_TAG_MASK, () => f.localGet(P_MODE).i32Const(1).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).i32Const(1)
      .op(Op.i32_sub).i32Const(~DTLB_NORMAL).op(Op.i32_and).localSet(this.tagMask));
    if (!selfLoop) {
      const cache = (): SiteCache => ({ key: f.addLocals(i64), host: f.addLocals(i32), tags: f.addLocals(i32) });
      this.shared = { r: cache(), w: cache() };
      part(PART_SITES, () => this.forgetSites());
    }
    return this;
  }

  /**
   * After the whole body: remove the prologue's parts that nothing used (their locals are never read). They are
   * straight-line code at the start of the body, before any control frame, so removing bytes there moves no branch
   * (wasm branches name depths, not offsets). Returns the bytes removed.
   */
  trimPrologue(): number {
    const body = this.f.body;
    const parts = this.prologueParts;
    let removed = 0;
    for (let k = parts.length - 3; k >= 0; k -= 3) {
      if ((this.partsUsed & parts[k + 2]!) !== 0) continue;
      const start = parts[k]!;
      const end = parts[k + 1]!;
      body.bytes.copyWithin(start, end, body.length);
      body.length -= end - start;
      removed += end - start;
    }
    this.prologueParts = [];
    return removed;
  }

  /** The SP address local, which the prologue then keeps (PART_SP). */
  private useSpAddr(): number {
    this.partsUsed |= PART_SP;
    return this.spAddr;
  }

  /** The tag mask local, which the prologue then keeps (PART_TAG_MASK). */
  private useTagMask(): number {
    this.partsUsed |= PART_TAG_MASK;
    return this.tagMask;
  }

  /**
   * Leave through direct exit `exit` (0 or 1) to a fixed target, returning `code` (the module's exit code for it);
   * `self` when the target is the block's start (iterate: branch to `loopDepth`), `chain` when the target is another
   * block of the module on the same virtual page (tail-call it). Both only while budget is left for the target, no
   * block died (self: no handler call dropped translated code, which sets IRQ_LINE_LEAVE in the IRQ line word;
   * chain: the target's validity word holds this run's ARENA_RUN_EPOCH, set when the run loop or a chain's check
   * function last entered it in this run and cleared when it is dropped or invalidated; see chainTo) and the IRQ
   * line is low.
   */
  exitDirect(code: number, n: number, self: boolean, loopDepth = 0, chain?: ChainTarget, to?: bigint): this {
    const f = this.f;
    if (self) {
      this.retire(n);
      // The next iteration needs the budget of the function's own block (n is an inline body's when it loops back).
      // The raw IRQ line first; only when it or the budget says stop, the masked test (ASYNC_PENDING) decides: a
      // loop that runs with a pending interrupt masked goes on iterating. (irqPending's if/else in the loop's
      // condition cost bench-int 20%: V8's register allocation.)
      f.localGet(this.left).i32Const(this.rootN).op(Op.i32_lt_s);
      f.localGet(P_ST).mem(MemOp.i32_load, St.IRQ_LINE);
      f.op(Op.i32_or).if(VOID_BLOCK);
      f.localGet(this.left).i32Const(this.rootN).op(Op.i32_lt_s);
      this.asyncPending();
      f.op(Op.i32_or).if(VOID_BLOCK);
      this.flushRegs(false);
      this.storeLeft();
      f.i32Const(code).return().end();
      f.end();
      // What the back edge loads or stores is on its path only (a conditional branch's other exit follows).
      const saved = this.saveRegs();
      this.loopBackEdge();
      f.br(loopDepth);
      this.restoreRegs(saved);
      this.pending = undefined;
      this.fpEnabled = false;
      this.forgetLoads();
      return this;
    }
    if (chain?.inline !== undefined && this.allowInline && !this.callExit && this.inlineDepth < MAX_INLINE_DEPTH &&
      this.inlineLeft >= chain.n) {
      // Continue into the target's body here, with the registers still in their locals, after what a chain would
      // check (budget, IRQ line, its validity word); when a check fails, leave through this exit.
      this.retire(n);
      const saved = this.saveRegs();
      const pending = this.pending;
      const fpEnabled = this.fpEnabled;
      const loads = this.loadFacts();
      f.block(VOID_BLOCK);
      f.localGet(this.left).i32Const(chain.n).op(Op.i32_lt_s);
      this.irqPending();
      f.op(Op.i32_or).brIf(0);
      this.validityCheck(chain);
      this.inlineLeft -= chain.n;
      this.inlineDepth++;
      this.inlined++;
      chain.inline(this);
      this.inlineDepth--;
      f.end();
      this.restoreRegs(saved);
      this.pending = pending;
      this.fpEnabled = fpEnabled;
      this.setLoadFacts(loads);
      this.flushRegs(false);
      this.storeLeft();
      f.i32Const(code).return();
      return this;
    }
    this.flushRegs(false);
    this.retire(n);
    if (chain !== undefined) {
      f.block(VOID_BLOCK);
      f.localGet(this.left).i32Const(chain.n).op(Op.i32_ge_s);
      this.irqPending();
      f.op(Op.i32_eqz).op(Op.i32_and).op(Op.i32_eqz).brIf(0);
      this.chainTo(chain);
      f.end();
    } else if (to !== undefined) {
      if (this.jumpCacheExit(to, code)) return this;
      this.jumpCacheChain(to);
    }
    this.storeLeft();
    f.i32Const(code).return();
    return this;
  }

  /** An i32 local for the arena jump cache entry's address (jumpCacheChain). */
  private jent = -1;

  /**
   * The `check` entry, (slot: i32) -> i32: the BlockTable's check entry (block-table.ts), which runs the
   * check function of the block in a slot; -1 without one (an arena jump cache entry whose block was not entered in
   * this run then leaves for the run loop). Set by the tier.
   */
  checkImport: CallOut = -1;

  /**
   * The `eret` entry, (site: i32) -> i32: ERET's handler and, unless it raised ({@link ERET_RAISED}), the
   * next block's mode as the `exitMode` entry gives it (tier.ts eretSite); -1 without one (the handler, then
   * `exitMode`: two calls). Set by the tier.
   */
  eretImport: CallOut = -1;
  /** An i32 local for the `eret` entry's answer (eretExit). */
  private eretAnswer = -1;

  /**
   * Tail-call the block the CPU's arena jump cache (jump-cache.ts) holds for `target` (an i64 local, or a fixed PC)
   * when its entry's PC, TLB generation and mode are this call's (the mode: this function's, or the i32 local
   * `mode`, which the tail call passes on), the budget left covers its instructions, the IRQ
   * line is low and its validity word holds this run's epoch, or its check function (through the `check` entry)
   * finds its words still equal to memory and sets the word, as the run loop's first entry of a run would; else
   * fall through (the caller leaves). (A run starts about 30 times a second under vmm-lite: before the check, each
   * start sent every hot chain through the run loop once, 0.8 M passes in 40 s of the MTE selftests.) The
   * registers must be in the state block and the budget retired.
   */
  private jumpCacheChain(target: { readonly local: number } | bigint, mode = P_MODE): void {
    if (!hasCallOut(this.enterImport)) return;
    if (this.jent < 0) this.jent = this.f.addLocals(i32);
    pushJumpCacheChain(this.f, {
      target, mode, left: this.left, ent: this.jent, checkImport: this.checkImport, enterImport: this.enterImport,
    });
  }

  /**
   * Index of the module's jump cache exit function (emitJumpCacheExitFunction), which direct and register-branch
   * exits tail-call instead of emitting the lookup inline; -1: inline. Set by the tier.
   */
  jumpCacheExitFn = -1;

  /**
   * Leave for `target` (an i64 local, or a fixed PC) through the module's jump cache exit function when there is
   * one: it chains as jumpCacheChain would, or stores the target in NEXT_PC, the budget left, and returns `code`.
   * False (nothing emitted) without one. The registers must be in the state block and the budget retired.
   */
  private jumpCacheExit(target: { readonly local: number } | bigint, code: number): boolean {
    if (this.jumpCacheExitFn < 0 || !hasCallOut(this.enterImport)) return false;
    const f = this.f;
    f.localGet(P_ST).localGet(this.left).localGet(P_MODE);
    if (typeof target === 'bigint') f.i64Const(BigInt.asIntN(64, target));
    else f.localGet(target.local);
    f.i32Const(code).returnCall(this.jumpCacheExitFn);
    return true;
  }

  /**
   * Inside a block the caller opened (label 0, the way out when the chain cannot be taken), with budget and IRQ
   * line already checked: tail-call `c` if its validity word holds this run's epoch or, when it has a check
   * function, its words still equal memory (a host write between runs; the check then sets the word).
   */
  private chainTo(c: ChainTarget): void {
    this.validityCheck(c);
    this.f.localGet(P_ST).localGet(this.left).localGet(P_MODE).returnCall(c.fn);
  }

  /** Branch to label 0 unless `c`'s validity word holds this run's epoch or its check function vouches for it. */
  private validityCheck(c: ChainTarget): void {
    const f = this.f;
    f.i32Const(c.validOffset).mem(MemOp.i32_load).i32Const(0).mem(MemOp.i32_load, ARENA_RUN_EPOCH * 4).op(Op.i32_ne);
    if (c.check === undefined) f.brIf(0);
    else f.if(VOID_BLOCK).call(c.check).op(Op.i32_eqz).brIf(1).end();
  }

  /**
   * How the module numbers the block's direct exits and which targets it may chain to: set by the tier for each
   * block before emitting it.
   */
  resolveExit: (exit: number, target: bigint) => { readonly code: number; readonly chain?: ChainTarget } =
    (exit) => ({ code: exit });

  /**
   * Leave the block through direct exit `exit` (0 taken, 1 fall-through) to `target` (see exitDirect): to its own
   * start, the loop's back edge (the block opened one: enterLoop).
   */
  exitTo(exit: number, target: bigint, n: number): this {
    const { code, chain } = this.resolveExit(exit, target);
    // A target outside the module (on this page or another) may be chained to through the arena jump cache. The
    // run loop still sees such a transition when the lookup misses (the target not entered yet in this run), and
    // counts those on one page for regroups (tier.ts missedChain).
    const to = target;
    if (target === this.rootPc) {
      if (this.loop !== undefined) return this.exitDirect(code, n, true, this.f.openBlocks - this.loopLevel);
      if (this.inlineDepth !== 0) this.wantLoop = true;
      return this.exitDirect(code, n, false, 0, chain === undefined ? undefined : { ...chain, inline: undefined }, to);
    }
    return this.exitDirect(code, n, false, 0, chain, to);
  }

  /**
   * SVC as the block's last instruction: the exception entry through the `svc` entry, which answers as `exitMode`
   * does (the vector's mode, or -1), then on into the vector's block (exitModeChange).
   */
  svcExit(n: number): this {
    this.flushRegs(false);
    this.storeLeft();
    pushCallOut(this.f.i32Const(this.callBase + this.k), this.svcImport);
    return this.exitModeChange(n);
  }

  /**
   * ERET as the block's last instruction: one call of the `eret` entry runs its handler and answers the next block's
   * mode (an exception return ends most system calls: one call out of WebAssembly instead of two), then on into that
   * block (exitModeChange); when the handler raised (ERET at EL0), leave at once with exit -3 as callHandler does.
   */
  eretExit(n: number): this {
    if (!hasCallOut(this.eretImport)) return this.callHandler().exitAfterModeChange(n);
    const f = this.f;
    if (this.eretAnswer < 0) this.eretAnswer = f.addLocals(i32);
    this.flushRegs(false); // (ERET reads and writes no general-purpose register)
    this.storeLeft();
    pushCallOut(f.i32Const(this.callBase + this.k), this.eretImport).localTee(this.eretAnswer).i32Const(ERET_RAISED)
      .op(Op.i32_eq).if(VOID_BLOCK).i32Const(WasmExit.Raised).return().end();
    f.localGet(this.eretAnswer);
    return this.exitModeChange(n);
  }

  /**
   * Leave after a handler ran the last instruction and may have changed PSTATE (ERET): the next block's mode from
   * the `exitMode` entry, then on into that block (exitModeChange).
   */
  exitAfterModeChange(n: number): this {
    if (!hasCallOut(this.exitModeImport)) return this.exitHandler(n);
    pushCallOut(this.f, this.exitModeImport);
    return this.exitModeChange(n);
  }

  /** Locals of exitModeChange: the next block's mode and PC. */
  private nextMode = -1;
  private nextPcL = -1;

  /**
   * With the next block's mode on the stack (-1: the run loop's) and its PC in the state block's NEXT_PC: leave as
   * exitHandler does, after looking the arena jump cache up with that mode (jumpCacheChain) and tail-calling what
   * it names, so that an exception entry or return chains into the code it leads to.
   */
  private exitModeChange(n: number): this {
    const f = this.f;
    if (this.nextMode < 0) this.nextMode = f.addLocals(i32);
    f.localSet(this.nextMode);
    return this.exitHandler(n, () => {
      if (!hasCallOut(this.enterImport)) return;
      if (this.nextPcL < 0) this.nextPcL = f.addLocals(i64);
      f.localGet(P_ST).mem(MemOp.i64_load, St.NEXT_PC).localSet(this.nextPcL);
      this.jumpCacheChain({ local: this.nextPcL }, this.nextMode);
    });
  }

  /**
   * Leave after a handler ran the last instruction (it set cpu.nextPc); `chainFirst` emits what may tail-call the
   * next block instead, with the registers stored and the budget retired (exitModeChange's lookup).
   */
  exitHandler(n: number, chainFirst?: () => void): this {
    this.flushRegs(false);
    this.retire(n);
    this.storeLeft();
    chainFirst?.();
    this.f.i32Const(WasmExit.Handler).return();
    return this;
  }

  /**
   * The blocks of the module on this block's page that an indirect branch may tail-call (set by the tier): a RET or
   * BR whose target is one of them chains like a direct exit (same page, valid, budget left, IRQ line low).
   */
  indirectTargets: () => ReadonlyArray<ChainTarget & { readonly pc: bigint }> = () => [];

  /**
   * The exit code of this block's register branch: `IndirectBase - i` for block i of its module (set by the tier), so
   * the run loop knows which block left.
   */
  indirectExit: number = WasmExit.IndirectBase;

  /**
   * Whether this block's register branch looks the arena jump cache up for targets on its own page too (set by the
   * tier for a branch already seen to reach more blocks of its page than it has candidates: a dispatch branch, which
   * no regroup makes chain directly); otherwise only for targets on other pages.
   */
  indirectSamePage = false;

  /** Leave for the address in i64 local `target` (an indirect branch; the caller checked it is canonical, aligned). */
  exitIndirect(target: number, n: number): this {
    const f = this.f;
    this.flushRegs(false);
    this.retire(n);
    const cands = this.indirectTargets();
    if (cands.length !== 0) {
      // The budget and the IRQ line are tested once for all the candidates, the budget against the largest of them
      // (one that would have fitted in less goes on through the lookup below, which tests its own size).
      let most = 0;
      for (const c of cands) most = Math.max(most, c.n);
      f.localGet(this.left).i32Const(most).op(Op.i32_ge_s);
      this.asyncPending();
      f.op(Op.i32_eqz).op(Op.i32_and).if(VOID_BLOCK);
      for (const c of cands) {
        f.block(VOID_BLOCK);
        f.localGet(target).i64Const(BigInt.asIntN(64, c.pc)).op(Op.i64_ne).brIf(0);
        this.chainTo(c);
        f.end();
      }
      f.end();
    }
    if (this.indirectSamePage) {
      if (this.jumpCacheExit({ local: target }, this.indirectExit)) return this;
      this.jumpCacheChain({ local: target });
    } else {
      // A target on this page is left to the run loop, which records it (the candidates of the next compile) and
      // counts it for a regroup; one on another page is looked up.
      f.block(VOID_BLOCK);
      f.localGet(target).i64Const(12).op(Op.i64_shr_u).i64Const(BigInt.asIntN(64, this.pc >> 12n)).op(Op.i64_eq).brIf(0);
      if (!this.jumpCacheExit({ local: target }, this.indirectExit)) this.jumpCacheChain({ local: target });
      f.end();
    }
    f.localGet(P_ST).localGet(target).mem(MemOp.i64_store, St.NEXT_PC);
    this.storeLeft();
    f.i32Const(this.indirectExit).return();
    return this;
  }

  /** Forget flags recorded earlier (a new loop iteration starts). */
  clearPending(): void {
    this.pending = undefined;
  }
}
