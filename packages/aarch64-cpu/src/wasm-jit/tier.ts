/**
 * The WebAssembly tier: handler blocks (handler-block.ts) that ran {@link HOT_RUNS} times in the run loop (jit.ts) are
 * queued and compiled to WebAssembly in batches (one module per batch, one function per block: compiling a module
 * costs a fixed overhead that batching shares), and the block's `run` becomes the wasm function. One tier per code
 * cache and arena (the vCPUs of a VM share both), so its state belongs to a VM, not the module.
 *
 * A block's instructions are found in the one A64 decode table (decode-a64.ts `findEncoding`); each row with a
 * translation (translate-dp.ts, translate-mem.ts, translate-branch.ts) is emitted inline, every other instruction
 * as a call of its handler through the tier's `call` entry (the hub: makeHub), exactly as the interpreter makes it.
 */
import { ARENA_CODE_KILLS, ArenaFullError, type GuestArena } from '../arena.js';
import type { Block, CodeCache, CodePage } from '../code-cache.js';
import type { Cpu } from '../cpu.js';
import { directBranchTarget, isConditionalBranch } from '../branch-targets.js';
import { findEncoding, NOP_HANDLER } from '../decode-a64.js';
import { GuestException } from '../exceptions.js';
import { Ec } from '../exits.js';
import { tagCheckFieldOff } from '../mte.js';
import type { Handler } from '../decode.js';
import { IRQ_LINE_LEAVE, St } from '../state-layout.js';
import { ModuleBuilder } from '../wasm/module-builder.js';
import { wasmApi, type WasmApi } from '../wasm/host-api.js';
import { Op } from '../wasm/opcodes.js';
import { ValType } from '../wasm/types.js';
import {
  BlockEmitter, MAX_INLINE_DEPTH, MAX_INLINE_INSNS, type ChainTarget, type LoopUsage, type Translator,
} from './block-emitter.js';
import {
  emitCheckFunction, emitJumpCacheExitFunction, emitNzcvFunction, emitTagMismatchFunction, emitUnalignedFunction,
  JUMP_CACHE_EXIT_PARAMS, TAG_MISMATCH_PARAMS, UNALIGNED_PARAMS,
} from './module-functions.js';
import { blockMode, ERET_RAISED, WasmExit, type CallOut } from './protocol.js';
import { BlockTable, type BlockFunction, type CheckFunction } from './block-table.js';
import { emitBranch } from './translate-branch.js';
import { DATA_PROCESSING_TRANSLATIONS } from './translate-dp.js';
import { memoryTranslation } from './translate-mem.js';
import { endsInline, handlerRowTranslation } from './translate-sys.js';
import { Ajc, AJC_BYTES, AJC_ENTRY_BYTES, ajcIndex } from './jump-cache.js';

const { i32 } = ValType;
/** The state block's RUN_END word pair (state-layout.ts) in `cpu.st32`. */
const W_RUN_END = St.RUN_END >> 2;

/**
 * Runs as a handler block before a block is queued for WebAssembly (the default of WasmTierOptions.hotRuns). 64 until
 * handler blocks got cheaper to run (no closures a block); then 256 saved a Linux boot 0.23 s (512 no more) and left
 * the bench guests and the MTE selftest run as they were (docs/performance.md, twentieth session).
 */
export const HOT_RUNS = 256;
/**
 * Queued blocks that trigger a compile (the default of WasmTierOptions.batchBlocks). Large: compiling a module costs
 * V8 about 0.4 ms whatever its size (a Linux boot's 1,550 modules of 32 blocks at most cost more than their code).
 */
export const BATCH_BLOCKS = 128;
/** The most blocks an indirect branch compares its target with before leaving to the run loop. */
const MAX_INDIRECT_TARGETS = 8;
/**
 * Runs a partial batch waits before it is compiled anyway (the default of WasmTierOptions.queueRuns). A hot loop
 * does not wait that long: QUEUED_BLOCK_RUNS compiles its batch.
 */
export const QUEUE_RUNS = 64;
/**
 * Times a queued block runs (as handlers) before the run loop compiles its batch anyway: a hot loop's blocks are
 * queued within a few iterations of each other, and each iteration run as handlers costs tens of times more.
 */
export const QUEUED_BLOCK_RUNS = 64;
/**
 * Transitions through the run loop between WebAssembly blocks of one code page that could have chained
 * (WasmTier.missedChain) before the page's blocks are compiled again as one module: REGROUP_MISSES the first time,
 * then REGROUP_MISSES_PER_BLOCK for each block the last regroup compiled (at least REGROUP_MISSES), so that the
 * transitions a page wastes before a regroup cost about what the regroup costs (a transition about 0.15 us, a block
 * about 40 us to emit and compile): a page whose code keeps changing phase (new hot blocks compiled in later
 * batches) is regrouped again for each phase, and no page spends more than about twice the best choice on either.
 * At most MAX_REGROUPS per page (recompiling a page's blocks into every new module was tried and lost:
 * docs/performance.md; growing the threshold 4 times per regroup left bench-recursive's later phases unregrouped).
 */
const REGROUP_MISSES = 2048;
const REGROUP_MISSES_PER_BLOCK = 256;
const MAX_REGROUPS = 32;
/** The most blocks a regroup compiles into one module. */
const MAX_MODULE_BLOCKS = 512;
/** Slabs (compiled modules) before compile() first looks for dead ones (WasmTier.freeDeadSlabs). */
const SLAB_SCAN_MIN = 64;
/** The most targets recorded per register branch. */
const MAX_TARGETS_KEPT = 16;

/** The hub's slots (WasmTier.makeHub). */
const enum HubSlot { Call, Svc, CallFp, Eret, ExitMode, Enter, Check }
const HUB_SLOTS = 7;
/**
 * Live modules at most: a call site id is the module number << 16 plus its index in the module (at most
 * MAX_MODULE_BLOCKS blocks of 128 instructions: 65,536 sites).
 */
const MAX_MODULES = 65536;

/** A module's validity-word slab in the arena and the blocks whose words it holds. */
interface Slab {
  readonly offset: number;
  readonly bytes: number;
  /** The module's number: its call sites' ids are `moduleNo << 16` + their index (WasmTier.moduleSites). */
  readonly moduleNo: number;
  /** Its blocks that have not moved to a newer module (regroup). */
  readonly blocks: Block[];
}

/** What the tier keeps about a compiled block (Block.wasm). */
export interface WasmBlockInfo {
  /** The module whose function runs the block. */
  readonly module: CompiledModule;
  /** The blocks its register branch tail-calls when its target is one of them. */
  readonly candidates: readonly Block[];
  /** The slab holding its validity word. */
  readonly slab: Slab;
  /** The code memory its share of the module counts (CodeCache.addCost). */
  readonly cost: number;
  /**
   * Its function's slot in the tier's BlockTable (the same slot when a regroup compiles it again). Its exit codes
   * name it (block-emitter.ts: `2 slot + e`, `IndirectBase - slot`), so that a chain that ended in another module
   * still says which block left.
   */
  readonly slot: number;
  /** The targets of its direct exits 0 and 1. */
  readonly exits: readonly [bigint | undefined, bigint | undefined];
  /** Its PC's low and high halves (the arena jump cache's key: runWasm fills an entry at each entry). */
  readonly pcLo: number;
  readonly pcHi: number;
  /** The index of its arena jump cache entry's first 32-bit word, and the arena offset of its validity word. */
  readonly ajcWord: number;
  readonly validOffset: number;
  /** Blocks of its code page its register branch led to through the run loop, with counts (missedChain). */
  targets?: Map<Block, number>;
}

/** When the WebAssembly tier takes blocks: a code cache's option (CodeCache's constructor). */
export interface WasmTierOptions {
  /**
   * Runs as a handler block before a block is queued for WebAssembly; 0 compiles every block to WebAssembly, alone,
   * before it first runs (slow: differential tests and the fuzzer use it to test the tier on code that runs once).
   * Default {@link HOT_RUNS} (256).
   */
  readonly hotRuns?: number;
  /**
   * Queued blocks compiled together as one module (the run loop also compiles what is queued after `queueRuns` runs,
   * or when a queued block has run QUEUED_BLOCK_RUNS more times). Default 128.
   */
  readonly batchBlocks?: number;
  /** Runs (`runBlocks` calls) a partial batch waits before it is compiled anyway; a positive integer. Default 64. */
  readonly queueRuns?: number;
}

/** What the WebAssembly tier has done, for `pnpm bench` and tests. */
export interface WasmTierStats {
  /** Blocks compiled to WebAssembly. */
  readonly blocks: number;
  /** Modules (batches) compiled. */
  readonly modules: number;
  /** Milliseconds spent emitting and compiling them. */
  readonly compileMs: number;
  /** Bytes of WebAssembly emitted. */
  readonly bytes: number;
  /** Instructions emitted inline, and as handler calls. */
  readonly inlined: number;
  readonly calls: number;
  /**
   * Batches left uncompiled because the arena had no room for their validity words (or MAX_MODULES modules were
   * live: a call site's id holds its module's number).
   */
  readonly arenaFull: number;
  /** Code pages whose blocks were compiled again together (WasmTier.regroup); their blocks count in `blocks` again. */
  readonly regroups: number;
  /** Module numbers handed out so far (live or given back for reuse): about the most modules live at once. */
  readonly moduleNumbers: number;
}

/** The translation of an instruction by its decode row's name, or undefined (a handler call). */
export function translationFor(name: string): Translator | undefined {
  return DATA_PROCESSING_TRANSLATIONS.get(name) ?? memoryTranslation(name);
}

/** One handler call site: what the `call` entry needs to run it as the interpreter would. */
interface CallSite {
  /** The block the instruction belongs to. */
  readonly block: Block;
  readonly h: Handler;
  /** The instruction's decoded arguments, passed to `h` (Block.args). */
  readonly args: unknown;
  /** A SIMD&FP data-processing row's handler without its access check (decode.ts `FpData`), else undefined. */
  readonly fp: Handler | undefined;
  readonly w: number;
  readonly pc: bigint;
  readonly next: bigint;
}

export class WasmTier {
  private readonly queue: Block[] = [];
  private readonly builder = new ModuleBuilder();
  private readonly wasm: WasmApi;
  /** The CPU running a block now (the `call` entry's `cpu`). */
  private cpu: Cpu | undefined;
  /** The block of the last handler call (where an exception thrown through the wasm code came from). */
  private inBlock: Block | undefined;
  /** What the last handler call raised (exit -3). */
  private raised: unknown;
  /** The retired count when the running function was called, and the budget it was given (countRetired). */
  private runCount = 0;
  private runBudget = 0;
  /** Runs started since the first block of the queue was queued. */
  private queuedRuns = 0;
  /** The validity-word slab of each compiled module, with its blocks (freed once they have all died). */
  private slabs: Slab[] = [];
  /** Code pages with transitions that missed a chain (missedChain), and how often each was regrouped. */
  private readonly groups = new WeakMap<CodePage, { misses: number; regroups: number; next: number }>();

  /**
   * Give the slabs of modules whose blocks have all died back to the arena, and their blocks' table slots to the
   * BlockTable.
   */
  private freeDeadSlabs(): void {
    const live = [];
    let freed = false;
    for (const s of this.slabs) {
      if (s.blocks.some((b) => b.alive)) live.push(s);
      else {
        freed = true;
        this.arena.free(s.offset, s.bytes);
        this.moduleSites[s.moduleNo] = undefined;
        this.freeModuleNos.push(s.moduleNo);
        for (const b of s.blocks) {
          this.blockTable.release(b.wasm!.slot);
          this.slotBlocks[b.wasm!.slot] = undefined;
        }
      }
    }
    this.slabs = live;
    // Freed slots and validity words may be given to other blocks: no arena jump cache entry may name them.
    if (freed) this.forgetJumpCaches();
  }

  /** The block whose function is in each BlockTable slot (runWasm decodes exit codes with it). */
  private readonly slotBlocks: Array<Block | undefined> = [];
  /** Each CPU's arena jump cache (jump-cache.ts), allocated when WebAssembly code first runs on it. */
  private readonly jumpCaches = new Map<Cpu, Int32Array>();

  /** CPU `cpu`'s arena jump cache, allocated (empty) and its offset put in the state block on first use. */
  private jumpCacheOf(cpu: Cpu): Int32Array {
    let jc = this.jumpCaches.get(cpu);
    if (jc === undefined) {
      const offset = this.arena.alloc(AJC_BYTES, AJC_ENTRY_BYTES);
      jc = new Int32Array(this.arena.memory.buffer, offset, AJC_BYTES >> 2).fill(-1);
      this.jumpCaches.set(cpu, jc);
      cpu.st32[St.JC_BASE >> 2] = offset;
    }
    return jc;
  }

  /** Empty every CPU's arena jump cache (CodeCache.newGeneration: the generations' low 32 bits come round again). */
  forgetJumpCaches(): void {
    for (const jc of this.jumpCaches.values()) jc.fill(-1);
  }

  /** `cpu` is being released (Cpu.release): its arena jump cache goes back to the arena. */
  releaseCpu(cpu: Cpu): void {
    const jc = this.jumpCaches.get(cpu);
    if (jc === undefined) return;
    this.jumpCaches.delete(cpu);
    this.arena.free(jc.byteOffset, AJC_BYTES);
    cpu.st32[St.JC_BASE >> 2] = 0;
    if (this.modeCpu === cpu) {
      this.modeCpu = undefined;
      this.jc = undefined;
    }
  }
  /** The slab count at which compile() next looks for dead slabs (freeDeadSlabs). */
  private scanSlabsAt = SLAB_SCAN_MIN;

  /** `bytes` of the arena for a module's validity words; when the arena is full, after freeing dead slabs. */
  private allocSlab(bytes: number): number {
    try {
      return this.arena.alloc(bytes, 4);
    } catch (err) {
      if (!(err instanceof ArenaFullError)) throw err;
      this.freeDeadSlabs();
      return this.arena.alloc(bytes, 4);
    }
  }

  /** The compiled blocks' functions, called through one entry (block-table.ts). */
  private readonly blockTable: BlockTable;
  /** runWasm's cached mode argument, for the CPU and EL/PAN/SPSel key it was computed for. */
  private mode = 0;
  private modeKey = -1;
  private modeCpu: Cpu | undefined;
  /** That CPU's arena jump cache, as 32-bit words, and whether its state block mirrors its TLB generation. */
  private jc: Int32Array | undefined;
  private mirrors = false;
  private stats_ = { blocks: 0, modules: 0, compileMs: 0, bytes: 0, inlined: 0, calls: 0, arenaFull: 0, regroups: 0 };
  /** Instructions emitted as handler calls, by decode row name (what to translate next). */
  private readonly callRows = new Map<string, number>();
  /** The rows countCall counted during the emission under way (undone when it is emitted again). */
  private readonly rowsCounted: string[] = [];

  constructor(readonly arena: GuestArena, wasm: WasmApi, private readonly cache: CodeCache) {
    this.wasm = wasm;
    this.blockTable = new BlockTable(wasm);
    this.hub = this.makeHub();
  }

  /**
   * The hub: a table of the tier's entries (HubSlot), filled once, that block modules import and call through
   * (call_indirect), so that they import no function. Why: V8 11 compiles wrappers for a module's function imports when
   * it compiles the module, about 150 us per module whatever its size (a module with one function import took 200 us
   * to compile, one importing a table 65 us); a Linux boot compiles about 1,300 modules.
   */
  private makeHub(): unknown {
    const m = new ModuleBuilder();
    const sigCall = m.type([i32], [i32]);
    const entries: number[] = [];
    entries[HubSlot.Call] = m.importFunction('env', 'call', sigCall);
    entries[HubSlot.Svc] = m.importFunction('env', 'svc', sigCall);
    entries[HubSlot.CallFp] = m.importFunction('env', 'callFp', sigCall);
    entries[HubSlot.Eret] = m.importFunction('env', 'eret', sigCall);
    entries[HubSlot.ExitMode] = m.importFunction('env', 'exitMode', m.type([], [i32]));
    entries[HubSlot.Enter] = m.importFunction('env', 'enter', m.type([i32, i32, i32, i32], [i32]));
    entries[HubSlot.Check] = m.importFunction('env', 'check', sigCall);
    m.defineTable({ min: HUB_SLOTS, max: HUB_SLOTS });
    m.addElements(0, entries);
    m.exportTable('hub');
    const inst = new this.wasm.Instance(new this.wasm.Module(m.finish()), {
      env: {
        call: (id: number): number => this.callSite(this.siteOf(id)), svc: (id: number): number => this.svcSite(this.siteOf(id)),
        callFp: (id: number): number => this.callFpSite(this.siteOf(id)),
        eret: (id: number): number => this.eretSite(this.siteOf(id)), exitMode: (): number => this.nextMode(this.cpu!),
        enter: this.blockTable.enter, check: this.blockTable.check,
      },
    });
    return inst.exports.hub;
  }

  /** The hub (makeHub). */
  private readonly hub: unknown;
  /** Each live module's call sites, by module number (Slab.moduleNo); undefined once its slab was freed. */
  private readonly moduleSites: Array<readonly CallSite[] | undefined> = [];
  /** Module numbers given back (freeDeadSlabs). */
  private readonly freeModuleNos: number[] = [];

  /** The call site with id `id` (`moduleNo << 16` + index). */
  private siteOf(id: number): CallSite {
    return this.moduleSites[id >>> 16]![id & 0xffff]!;
  }

  /** A module number for a new module, or undefined when MAX_MODULES are live even after freeing dead slabs. */
  private takeModuleNo(): number | undefined {
    if (this.freeModuleNos.length === 0 && this.moduleSites.length >= MAX_MODULES) this.freeDeadSlabs();
    const free = this.freeModuleNos.pop();
    if (free !== undefined) return free;
    if (this.moduleSites.length >= MAX_MODULES) return undefined;
    this.moduleSites.push(undefined);
    return this.moduleSites.length - 1;
  }

  /** A tier for `arena` in `cache`, or undefined on a host without WebAssembly. */
  static create(arena: GuestArena, cache: CodeCache): WasmTier | undefined {
    const w = wasmApi();
    return w === undefined ? undefined : new WasmTier(arena, w, cache);
  }

  stats(): WasmTierStats {
    return { ...this.stats_, moduleNumbers: this.moduleSites.length };
  }

  /** The decode rows of the instructions compiled as handler calls, most frequent first (static counts). */
  handlerRows(): Array<[string, number]> {
    return [...this.callRows].sort((a, b) => b[1] - a[1]);
  }

  private countCall(w: number): void {
    const name = findEncoding(w)?.name ?? 'UNDEFINED';
    this.callRows.set(name, (this.callRows.get(name) ?? 0) + 1);
    this.rowsCounted.push(name);
    this.stats_.calls++;
  }

  /** Queue a hot block; compiles the queue when it is full. */
  enqueue(b: Block): void {
    if (this.queue.length === 0) this.queuedRuns = 0;
    this.queue.push(b);
    if (this.queue.length >= this.cache.wasmTuning.batchBlocks) this.compileQueued();
  }

  /**
   * A run starts: compile what is queued once it has waited `queueRuns` runs (a batch that is not full is given the
   * time to collect the rest of a hot loop's blocks, so that they share a module and chain, and the blocks of the
   * code around it, so that fewer modules are compiled).
   */
  runStarts(): void {
    if (this.queue.length !== 0 && ++this.queuedRuns >= this.cache.wasmTuning.queueRuns) this.compileQueued();
  }

  /** Compile every queued block that is still alive (one module). */
  compileQueued(): void {
    const blocks = this.queue.filter((b) => b.alive);
    this.queue.length = 0;
    if (blocks.length !== 0) this.compile(blocks);
  }

  /**
   * The run loop went from WebAssembly block `from` (through direct exit 0/1 or, `exit` -2, its register branch) to
   * WebAssembly block `to` of the same code page without a tail call, though one would have been possible had they
   * been compiled together: `to` in another module, or not among the indirect candidates of `from`. Records the
   * register branch's target (the candidates a later compile gives it), and once a page has seen enough such
   * transitions ({@link REGROUP_MISSES}) compiles its WebAssembly blocks again as one module ({@link regroup}). The run loop calls it only when both blocks are WebAssembly blocks of one code
   * page; a module change is what makes a direct exit count (the same module not chaining means budget, IRQ or a
   * target not yet entered in this run, which no recompile changes).
   */
  missedChain(from: Block, exit: number, to: Block): void {
    const wf = from.wasm!;
    if (exit === -2) {
      const t = (wf.targets ??= new Map<Block, number>());
      if (t.size < MAX_TARGETS_KEPT || t.has(to)) t.set(to, (t.get(to) ?? 0) + 1);
      // The same module: a regroup makes it a candidate unless it is one already (then the budget, the IRQ line or
      // its validity word made the branch leave) or the branch was seen to lead to more blocks than it can have
      // candidates (a dispatch branch keeps missing whatever is recompiled: bench-interp). How many candidates it
      // has says nothing: a branch compiled before anything was recorded has the module's first blocks on its page
      // (compile), and a return among them missed its one caller over and over (the MTE selftests' syscall returns:
      // 1.4 M run-loop passes a minute).
      if (wf.module === to.wasm!.module && (wf.candidates.includes(to) || t.size > MAX_INDIRECT_TARGETS)) return;
    } else if (wf.module === to.wasm!.module) return;
    // (Blocks of one code page at two virtual pages, an alias, count too, though they never chain: rare, and the
    // regroups of a page are bounded.)
    const page = to.page!;
    let g = this.groups.get(page);
    if (g === undefined) this.groups.set(page, (g = { misses: 0, regroups: 0, next: REGROUP_MISSES }));
    if (++g.misses < g.next) return;
    g.misses = 0;
    const compiled = this.regroup(page);
    g.next = ++g.regroups >= MAX_REGROUPS ? Infinity : Math.max(REGROUP_MISSES, REGROUP_MISSES_PER_BLOCK * compiled);
  }

  /**
   * Compile the live WebAssembly blocks of code page `page` (and its queued blocks) again, together in one module,
   * so that they chain into each other. Their functions in the old modules are left unreachable: each block's `run`
   * becomes the new function and its old validity word is cleared (the old module's other blocks never chain into
   * it again, since the run loop now writes only the new word), and an old slab is freed once none of its blocks is
   * left alive in it. Runs only from the run loop between blocks (no WebAssembly frame is live).
   * Returns how many blocks it compiled.
   */
  regroup(page: CodePage): number {
    const blocks: Block[] = [];
    for (const b of page.blocks.values()) if (b.alive && (b.tier === 2 || b.tier === 1)) blocks.push(b);
    if (blocks.length < 2) return 0;
    if (blocks.length > MAX_MODULE_BLOCKS) blocks.length = MAX_MODULE_BLOCKS;
    const inQueue = new Set(blocks.filter((b) => b.tier === 1));
    if (inQueue.size !== 0) {
      const rest = this.queue.filter((b) => !inQueue.has(b));
      this.queue.length = 0;
      this.queue.push(...rest);
    }
    this.stats_.regroups++;
    this.compile(blocks);
    return blocks.length;
  }

  /** Compile `blocks` (alive, each once) into one module; blocks already compiled move to it. */
  private compile(blocks: Block[]): void {
    const t0 = performance.now();
    const m = this.builder;
    m.reset();
    const sigCall = m.type([i32], [i32]);
    const sigBlock = m.type([i32, i32, i32], [i32]);
    const sigNzcv = m.type([i32], [i32]);
    // The tier's entries, through the hub (makeHub): the handler calls, SVC and the SIMD&FP handler calls, with a
    // call site id; the BlockTable's entry (exits that cannot tail-call a block of this module look the arena jump
    // cache up and tail-call the block it names through it: jump-cache.ts) and its check entry (an arena jump cache
    // chain revalidates a block not yet entered in this run); after a handler that may have changed PSTATE, the next
    // block's mode (BlockEmitter.exitAfterModeChange); ERET's handler and that mode in one call (BlockEmitter.eretExit).
    m.importTable('env', 'hub', { min: HUB_SLOTS });
    const callImport: CallOut = { slot: HubSlot.Call, type: sigCall };
    const svcImport: CallOut = { slot: HubSlot.Svc, type: sigCall };
    const fpCallImport: CallOut = { slot: HubSlot.CallFp, type: sigCall };
    const enterImport: CallOut = { slot: HubSlot.Enter, type: m.type([i32, i32, i32, i32], [i32]) };
    const exitModeImport: CallOut = { slot: HubSlot.ExitMode, type: m.type([], [i32]) };
    const checkImport: CallOut = { slot: HubSlot.Check, type: sigCall };
    const eretImport: CallOut = { slot: HubSlot.Eret, type: sigCall };
    const pages = this.arena.maxBytes / 65536;
    m.importMemory('env', 'mem', this.arena.shared ? { min: 1, max: pages, shared: true } : { min: pages, max: pages });
    const nzcvFn = m.declareFunction(sigNzcv);
    const tagMismatchFn = m.declareFunction(m.type(TAG_MISMATCH_PARAMS, [i32]));
    const unalignedFn = m.declareFunction(m.type(UNALIGNED_PARAMS, [i32]));
    const jumpCacheExitFn = m.declareFunction(m.type(JUMP_CACHE_EXIT_PARAMS, [i32]));
    const fns = blocks.map(() => m.declareFunction(sigBlock));
    emitNzcvFunction(m.beginFunction(nzcvFn));
    m.endFunction();
    emitTagMismatchFunction(m.beginFunction(tagMismatchFn));
    m.endFunction();
    emitUnalignedFunction(m.beginFunction(unalignedFn));
    m.endFunction();
    emitJumpCacheExitFunction(m.beginFunction(jumpCacheExitFn), enterImport, checkImport);
    m.endFunction();
    const sites: CallSite[] = [];
    const exits: Array<readonly [bigint | undefined, bigint | undefined]> = [];
    // Each block's validity word (ARENA_RUN_EPOCH when the run loop entered it this run, 0 once dropped), and the
    // module's blocks by PC: a direct exit to one on the same virtual page tail-calls it.
    // Slabs of modules whose blocks have all died go back to the arena (no wasm code runs while compiling, so none
    // can still be reading them); sizes are powers of two so freed slabs are reused. Looking at every slab's blocks
    // costs what the slabs hold, so it is done once their number has doubled since the last time (a kernel boot
    // compiles thousands of modules: once per compile it was 1% of the boot), and when the arena is full.
    if (this.slabs.length >= this.scanSlabsAt) {
      this.freeDeadSlabs();
      this.scanSlabsAt = Math.max(SLAB_SCAN_MIN, 2 * this.slabs.length);
    }
    const slabBytes = 1 << Math.ceil(Math.log2(4 * blocks.length));
    let slab: number | undefined;
    const moduleNo = this.takeModuleNo();
    try {
      if (moduleNo !== undefined) slab = this.allocSlab(slabBytes);
    } catch (err) {
      if (!(err instanceof ArenaFullError)) throw err;
      this.freeModuleNos.push(moduleNo!);
    }
    if (slab === undefined) {
      // No room in the arena (or MAX_MODULES modules live): these blocks stay handler blocks (tier 3: never queued
      // again); compiled ones (a regroup) keep their module.
      for (const b of blocks) if (b.tier !== 2) b.tier = 3;
      this.stats_.arenaFull++;
      return;
    }
    const slabEntry: Slab = { offset: slab, bytes: slabBytes, moduleNo: moduleNo!, blocks: blocks.slice() };
    this.moduleSites[moduleNo!] = sites;
    this.slabs.push(slabEntry);
    // Every block's BlockTable slot, before emitting: its exit codes name it.
    const slots = blocks.map((b) => b.wasm?.slot ?? this.blockTable.reserve());
    const byPc = new Map<bigint, number>();
    const index = new Map<Block, number>();
    blocks.forEach((b, i) => {
      byPc.set(b.pc, i);
      index.set(b, i);
    });
    const candidates = blocks.map((): Block[] => []);
    // Check functions (emitCheckFunction) of the blocks chained into, declared on first use: a block whose words lie
    // in this arena can be revalidated by a chain in a new run.
    const sigCheck = m.type([], [i32]);
    const checks = new Map<number, number>();
    const wordsAt = (b: Block): number | undefined => {
      const a = b.page?.region.arena;
      return a === undefined || a.arena !== this.arena ? undefined : a.offset + b.page!.base + 4 * b.start;
    };
    /** Block j's check function, declared on first use; undefined when its words lie outside the arena. */
    const checkOf = (j: number): number | undefined => {
      let check = checks.get(j);
      if (check === undefined && wordsAt(blocks[j]!) !== undefined) checks.set(j, (check = m.declareFunction(sigCheck)));
      return check;
    };
    const target = (j: number): ChainTarget => {
      const check = checkOf(j);
      return {
        fn: fns[j]!, n: blocks[j]!.n, validOffset: slab + 4 * j, ...(check !== undefined && { check }),
        inline: (e: BlockEmitter) => inlineBody(e, j),
      };
    };
    // Every block's call-table ids.
    const callBases = blocks.map((b) => {
      const base = (moduleNo! << 16) + sites.length;
      for (let k = 0; k < b.n; k++) {
        const pc = b.pc + BigInt(4 * k);
        sites.push({
          block: b, h: b.handlers[k]!, args: b.args[k], fp: findEncoding(b.words[k]!)?.fpData?.handler, w: b.words[k]!,
          pc, next: pc + 4n,
        });
      }
      return base;
    });
    // Set up an emitter for block j: its exits' codes and chain targets, its register branch's candidates, its call
    // sites.
    const configure = (e: BlockEmitter, j: number): void => {
      const b = blocks[j]!;
      const page = b.pc >> 12n;
      e.callBase = callBases[j]!;
      // Only blocks built from the same code page: the same virtual page may have been mapped to another physical
      // page when a block of this batch was built (a PTE or TTBR change between them).
      e.resolveExit = (exit, to) => {
        const t = byPc.get(to);
        // A block's exit to its own start chains too: in its own function that exit is the loop's back edge
        // (BlockEmitter.exitTo), but emitted inline in another block's function it starts the block's own function.
        const chain = t === undefined || to >> 12n !== page || blocks[t]!.page !== b.page ? undefined : target(t);
        const code = 2 * slots[j]! + exit;
        return chain === undefined ? { code } : { code, chain };
      };
      // A register branch compares its target with the blocks it was seen to lead to (missedChain), most frequent
      // first; without such a record, with the first blocks of the module on its page. The block itself may be one
      // (a recursive function's return): the tail call starts it afresh.
      const seen = b.wasm?.targets;
      const order = seen === undefined || seen.size === 0 ? blocks
        : [...seen].sort((x, y) => y[1] - x[1]).map(([t]) => t);
      e.indirectTargets = () => {
        const out: Array<ChainTarget & { pc: bigint }> = [];
        for (const o of order) {
          const t = index.get(o);
          if (t !== undefined && o.pc >> 12n === page && o.page === b.page && out.length < MAX_INDIRECT_TARGETS) {
            out.push({ ...target(t), pc: o.pc });
            if (!candidates[j]!.includes(o)) candidates[j]!.push(o);
          }
        }
        return out;
      };
      e.indirectExit = WasmExit.IndirectBase - slots[j]!;
      e.indirectSamePage = seen !== undefined && seen.size > MAX_INDIRECT_TARGETS;
    };
    // Block j's body inline in another block's function (BlockEmitter.exitDirect), then the emitter set up again for
    // the block it was emitting.
    const inlineBody = (e: BlockEmitter, j: number): void => {
      const keep = {
        callBase: e.callBase, resolveExit: e.resolveExit, indirectTargets: e.indirectTargets,
        indirectExit: e.indirectExit, pc: e.pc, k: e.k,
      };
      configure(e, j);
      this.emitBody(e, blocks[j]!, false);
      Object.assign(e, keep);
    };
    // Whether block i's direct exits (a call's excepted) lead back to it through blocks of the module on its page at
    // higher addresses that fit inline (MAX_INLINE_DEPTH bodies, MAX_INLINE_INSNS instructions): then its function
    // iterates with them.
    const loopsBack = (i: number): boolean => {
      const root = blocks[i]!;
      const visit = (b: Block, depth: number, insns: number): boolean => {
        for (const t of directSuccessors(b)) {
          if (t === root.pc) return true;
          const j = byPc.get(t);
          // Only the loop's lowest block (its head, usually) gets a loop: every block of the cycle would otherwise
          // hold all the others' code.
          if (j === undefined || t < root.pc || t >> 12n !== root.pc >> 12n || blocks[j]!.page !== root.page) continue;
          const m = blocks[j]!.n;
          if (depth < MAX_INLINE_DEPTH && insns + m <= MAX_INLINE_INSNS && visit(blocks[j]!, depth + 1, insns + m)) return true;
        }
        return false;
      };
      return visit(root, 0, 0);
    };
    blocks.forEach((b, i) => {
      // A block whose function iterates (loopsBack, or a branch to its own start) is emitted twice (emitBlock): the
      // first time with direct exits continuing into blocks of the module (inline), to learn what the loop uses.
      // Should that emission find no loop after all, it is emitted again without bodies inline (not worth their code).
      const emit = (loop: LoopUsage | undefined, inline: boolean): BlockEmitter => {
        const e = new BlockEmitter(m.beginFunction(fns[i]!), callImport, nzcvFn, svcImport, callBases[i]!, fpCallImport, enterImport,
          exitModeImport);
        e.checkImport = checkImport;
        e.eretImport = eretImport;
        e.tagMismatchFn = tagMismatchFn;
        e.unalignedFn = unalignedFn;
        e.jumpCacheExitFn = jumpCacheExitFn;
        configure(e, i);
        e.allowInline = inline;
        exit = this.emitBlock(e, b, loop);
        return e;
      };
      const stats = { inlined: this.stats_.inlined, calls: this.stats_.calls };
      this.rowsCounted.length = 0;
      let exit: readonly [bigint | undefined, bigint | undefined] = [undefined, undefined];
      const inline = loopsBack(i);
      const first = emit(undefined, inline);
      const loop = first.loopUsage();
      if (loop !== undefined || first.inlined !== 0) {
        // Emitted again: the first emission's counts are undone (its calls by row from the log, not a copy of the
        // whole map per block).
        m.abandonFunction();
        this.stats_.inlined = stats.inlined;
        this.stats_.calls = stats.calls;
        for (const name of this.rowsCounted) {
          const n = this.callRows.get(name)! - 1;
          if (n === 0) this.callRows.delete(name);
          else this.callRows.set(name, n);
        }
        emit(loop, loop !== undefined && inline);
      }
      exits.push(exit);
      m.endFunction();
      m.exportFunction(`b${i}`, fns[i]!);
    });
    // Every block whose words lie in the arena has a check function, for the BlockTable's check entry.
    blocks.forEach((_, j) => {
      const check = checkOf(j);
      if (check !== undefined) m.exportFunction(`c${j}`, check);
    });
    for (const [j, fn] of checks) {
      const f = m.beginFunction(fn);
      emitCheckFunction(f, blocks[j]!.words, wordsAt(blocks[j]!)!, slab + 4 * j);
      m.endFunction();
    }
    const bytes = m.finish();
    let inst: { readonly exports: Record<string, unknown> };
    try {
      inst = this.instantiate(bytes);
    } catch (err) {
      // (A model bug: the slots reserved for new blocks go back.)
      blocks.forEach((b, i) => {
        if (b.wasm === undefined) this.blockTable.release(slots[i]!);
      });
      throw err;
    }
    const mod: CompiledModule = { blocks, exits };
    const cost = Math.ceil((4 * bytes.length) / blocks.length);
    blocks.forEach((b, i) => {
      const fn = inst.exports[`b${i}`] as BlockFunction;
      const was = b.wasm;
      const slot = slots[i]!;
      this.blockTable.replace(slot, fn, inst.exports[`c${i}`] as CheckFunction | undefined);
      this.slotBlocks[slot] = b;
      if (was !== undefined) {
        // Moving from an older module (regroup): its function there is never chained into again (the old word is
        // cleared and nothing writes it any more) and its slab no longer waits for this block.
        b.valid![0] = 0;
        const old = was.slab.blocks;
        const k = old.indexOf(b);
        if (k >= 0) old.splice(k, 1);
      }
      b.run = (cpu, budget) => this.runWasm(cpu, budget, slot, b);
      b.valid = new Int32Array(this.arena.memory.buffer, slab + 4 * i, 1);
      b.tier = 2;
      const pcLo = Number(b.pc & 0xffff_ffffn) | 0;
      const pcHi = Number((b.pc >> 32n) & 0xffff_ffffn) | 0;
      b.wasm = {
        module: mod, candidates: candidates[i]!, slab: slabEntry, cost, slot, exits: exits[i]!, pcLo, pcHi,
        ajcWord: (ajcIndex(pcLo) * AJC_ENTRY_BYTES) >> 2, validOffset: slab + 4 * i,
        ...(was?.targets !== undefined && { targets: was.targets }),
      };
      // Code memory: about four bytes of machine code and metadata per byte of wasm (a rough, stated estimate); a
      // block that moved counts its new share instead of its old one.
      this.cache.addCost(b, cost - (was?.cost ?? 0));
    });
    this.stats_.blocks += blocks.length;
    this.stats_.modules++;
    this.stats_.bytes += bytes.length;
    this.stats_.compileMs += performance.now() - t0;
  }

  /** Instantiate a block module: its imports are the arena and the hub. */
  private instantiate(bytes: Uint8Array): { readonly exports: Record<string, unknown> } {
    return new this.wasm.Instance(new this.wasm.Module(bytes), { env: { mem: this.arena.memory, hub: this.hub } });
  }

  /**
   * Emit block `b`'s function body; returns the targets of its direct exits 0 and 1. A block whose function
   * iterates (it branches to its own start, or bodies emitted inline lead back there) is emitted twice: the first
   * time (`loop` undefined) to learn which registers and access sites the body has (`BlockEmitter.loopUsage`; the
   * caller then abandons that body), the second time with a loop that keeps them in locals from one iteration to
   * the next.
   */
  private emitBlock(e: BlockEmitter, b: Block, loop: LoopUsage | undefined): readonly [bigint | undefined, bigint | undefined] {
    const n = b.n;
    const last = b.words[n - 1]!;
    // A direct exit to the block's own start makes it iterate inside the function: find out before emitting.
    const lastPc = b.pc + BigInt(4 * (n - 1));
    const selfLoop = b.ended && (directBranchTarget(last, lastPc) === b.pc || (isConditionalBranch(last) && lastPc + 4n === b.pc));
    const looping = selfLoop || loop !== undefined;
    e.rootPc = b.pc;
    e.prologue(looping, n);
    if (looping) e.enterLoop(loop);
    const exits = this.emitBody(e, b, true);
    if (looping) e.f.end().op(Op.unreachable);
    e.trimPrologue();
    return exits;
  }

  /**
   * Emit block `b`'s instructions and exits (every path ends in an exit); returns the targets of its direct exits 0
   * and 1. `count`: add to the statistics.
   */
  private emitBody(e: BlockEmitter, b: Block, count: boolean): readonly [bigint | undefined, bigint | undefined] {
    const n = b.n;
    const last = b.words[n - 1]!;
    const lastRow = findEncoding(last);
    const ended = b.ended;
    const endPc = b.pc + BigInt(4 * n);
    let exits: readonly [bigint | undefined, bigint | undefined] = [endPc, undefined];
    for (let k = 0; k < n; k++) {
      e.pc = b.pc + BigInt(4 * k);
      e.k = k;
      const w = b.words[k]!;
      if (k === n - 1 && ended) {
        const br = lastRow?.spec === undefined ? undefined : emitBranch(e, lastRow.name, w, n, b.pc);
        if (lastRow !== undefined && lastRow.exec === NOP_HANDLER) {
          // ISB or SB, the rows with NOP's handler that end a block (the others do not: handler-block.ts
          // passThrough): no code, and a direct exit to the next instruction, so that it chains. A chain checks
          // what the run loop would before the next block (its validity word: not dropped or IC-invalidated; budget;
          // IRQ line), so ISB's context synchronisation holds as when the block returned.
          e.exitTo(0, endPc, n);
          if (count) this.stats_.inlined++;
        } else if (lastRow !== undefined && endsInline(lastRow.name, w)) {
          // A system instruction translated inline (DC ZVA, DC CVAU, ...: translate-sys.ts): done here or by its
          // handler on the slow path, it goes on to the next instruction, a direct exit, so that it chains.
          handlerRowTranslation(lastRow.name)!(e, w);
          e.exitTo(0, endPc, n);
          if (count) this.stats_.inlined++;
        } else if (lastRow?.name === 'SVC') {
          e.svcExit(n);
          exits = [undefined, undefined];
          if (count) this.stats_.inlined++;
        } else if (br !== undefined) {
          exits = [br.taken, br.fall];
          if (count) this.stats_.inlined++;
        } else if (lastRow?.name === 'ERET') {
          // (An exception return: on into the code it returns to, in its mode, through the arena jump cache.)
          e.eretExit(n);
          exits = [undefined, undefined];
          if (count) this.countCall(w);
        } else {
          e.callHandler();
          e.exitHandler(n);
          exits = [undefined, undefined];
          if (count) this.countCall(w);
        }
        continue;
      }
      const row = findEncoding(w);
      if (row !== undefined && row.exec === NOP_HANDLER) {
        // A hint or barrier that does nothing here inside the block (handler-block.ts passThrough): no code.
        if (count) this.stats_.inlined++;
        continue;
      }
      // Rows made from a specification have translations looked up by name, which a handler row may share (the
      // AdvSIMD CLS, CLZ, REV32, ... are named as the integer instructions); a few handler rows have their own
      // (translate-sys.ts: MRS, DC ZVA, PRFM, LDAR/STLR).
      const t = row === undefined ? undefined
        : row.spec === undefined ? handlerRowTranslation(row.name) : translationFor(row.name);
      const fp = row?.fpData;
      if (t !== undefined && t(e, w)) {
        if (count) this.stats_.inlined++;
      } else if (fp !== undefined && (fp.allocated === undefined || fp.allocated(w))) {
        e.callFpHandler(); // an unallocated word's handler raises UNDEFINED before any access check: the plain call
        if (count) this.countCall(w);
      } else {
        e.callHandler();
        if (count) this.countCall(w);
      }
    }
    if (!ended) e.exitTo(0, endPc, n);
    return exits;
  }

  /**
   * The `call` entry: run one instruction's handler as the interpreter would. 0 when it completed; 1 when it raised
   * an exception, which is kept for runWasm to throw (throwing through the wasm frames instead costs several times
   * more: bench-exc's SVCs spent a third of their time there).
   */
  private callSite(s: CallSite): number {
    const cpu = this.cpu!;
    this.inBlock = s.block;
    this.countRetired(cpu);
    cpu.pc = s.pc;
    cpu.nextPc = s.next;
    cpu.dabtIss = 0;
    const kills = this.arena.header[ARENA_CODE_KILLS];
    try {
      s.h(cpu, s.w, s.args);
      // Translated code dropped (a store to a code page, a device's write): a loop of the calling function may be
      // that code, so it leaves at its back edge (IRQ_LINE_LEAVE, cleared by runWasm).
      if (this.arena.header[ARENA_CODE_KILLS] !== kills) cpu.st32[St.IRQ_LINE >> 2]! |= IRQ_LINE_LEAVE;
      return 0;
    } catch (err) {
      this.raised = err;
      return 1;
    }
  }

  /**
   * The `callFp` entry: a SIMD&FP data-processing handler (decode.ts `FpData`) after the inline access check. It
   * raises nothing and reads neither the PC nor the retired count, so they are set only if it throws anyway (a
   * failure of the model), for the run loop's report; 0, or 1 with the error kept as callSite keeps it.
   */
  private callFpSite(s: CallSite): number {
    const cpu = this.cpu!;
    try {
      s.fp!(cpu, s.w);
      return 0;
    } catch (err) {
      this.inBlock = s.block;
      this.countRetired(cpu);
      cpu.pc = s.pc;
      cpu.nextPc = s.next;
      this.raised = err;
      return 1;
    }
  }

  /**
   * The `svc` entry: SVC #imm16 as the block's last instruction takes the Supervisor Call exception (ELR the next
   * instruction) as the run loop would after the handler's throw, and leaves the vector in cpu.nextPc (throwing
   * costs more than the rest of an SVC round trip); returns what `exitMode` returns.
   */
  private svcSite(s: CallSite): number {
    const cpu = this.cpu!;
    this.countRetired(cpu);
    cpu.pc = s.pc;
    cpu.takeGuestException(new GuestException(Ec.Svc64, (s.w >>> 5) & 0xffff, true), s.pc);
    cpu.nextPc = cpu.pc;
    return this.nextMode(cpu);
  }

  /**
   * The `eret` entry: ERET as a block's last instruction, its handler run as callSite runs it, then what `exitMode`
   * answers; ERET_RAISED when the handler raised (ERET at EL0: UNDEFINED), the exception kept as callSite keeps it.
   */
  private eretSite(s: CallSite): number {
    return this.callSite(s) !== 0 ? ERET_RAISED : this.nextMode(this.cpu!);
  }

  /**
   * The `exitMode` entry (and the end of `svc`): a handler ended the block and may have changed PSTATE (an
   * exception entry or return), leaving the next PC in cpu.nextPc. The mode the run loop would enter the next block
   * with, with that PC in the state block's NEXT_PC, so that the block looks the arena jump cache up with them; -1
   * (no entry has that mode) when the run loop must look first: an interrupt or virtual SError can be taken, the PC
   * must be checked for alignment, PSTATE.IL is set, debug events are active, or the TLB generation is not mirrored.
   */
  private nextMode(cpu: Cpu): number {
    if (cpu.asyncPending() || cpu.checkPcAlign || cpu.il !== 0 || cpu.debugActive) return -1;
    this.updateMode(cpu);
    if (!this.mirrors) return -1;
    cpu.stU64[St.NEXT_PC >> 3] = cpu.nextPc;
    return this.mode;
  }

  /**
   * The retired count from the budget the running function left in the state block's SCRATCH word before its last
   * handler call or return (block-emitter.ts, file comment).
   */
  private countRetired(cpu: Cpu): void {
    cpu.insnCount = this.runCount + (this.runBudget - cpu.st32[St.SCRATCH >> 2]!);
  }

  /**
   * The mode argument (blockMode) for the CPU's EL, PAN, SPSel, tag checking and debug configuration into
   * `this.mode`, recomputed only when they change; with the CPU's arena jump cache and whether the state block
   * mirrors its port's TLB generation.
   */
  private updateMode(cpu: Cpu): void {
    const fieldOff = tagCheckFieldOff(cpu);
    const off = fieldOff || cpu.tco !== 0;
    const debug = cpu.debugConfigured;
    const key = cpu.el | (cpu.pan << 2) | (cpu.spsel << 3) | (off ? 16 : 0) | (fieldOff ? 32 : 0) | (debug ? 64 : 0);
    if (key !== this.modeKey || cpu !== this.modeCpu) {
      // The permission class whose data TLB table loads and stores use (state-layout.ts Dtlb); 3, which never hits,
      // for a memory port that keeps no arena TLB.
      const tlbClass = cpu.mem.arenaTlb !== true ? 3 : cpu.el === 0 ? 0 : cpu.pan !== 0 ? 2 : 1;
      this.mode = blockMode(cpu.spsel !== 0 && cpu.el !== 0, tlbClass, off, cpu.el, fieldOff, debug);
      this.modeKey = key;
      if (cpu !== this.modeCpu) this.jc = this.jumpCacheOf(cpu);
      this.modeCpu = cpu;
      // Whether the state block mirrors the port's TLB generation (the MMU keeps TLB_GEN; other ports leave it 0).
      const g = cpu.st32[St.TLB_GEN >> 2]!;
      this.mirrors = g !== 0 && g === ((cpu.mem.tlbGeneration ?? 0) | 0);
    }
  }

  /**
   * Run a compiled block (Block.run): the exit's PC into cpu.pc, and the exit code as handler blocks return it
   * (Block.run), for the block that exited (`b.ranTo`: the function may have chained through other blocks of its module).
   */
  private runWasm(cpu: Cpu, budget: number, slot: number, b: Block): number {
    this.updateMode(cpu);
    // This block, entered by the run loop after its checks (its validity word holds this run's epoch), goes into the
    // arena jump cache under its PC, the TLB generation it was found under (JumpCache.entryGen: the generation of
    // its page's translation) and the mode, so that translated code leaving for it chains (jump-cache.ts). Only
    // while the state block mirrors the port's TLB generation (the MMU keeps TLB_GEN and TLB_GEN_GLOBAL). An entry
    // that already holds the same slot, generation, mode and validity word is this very entry (a slot names one
    // block until the tier frees it, which clears every entry): an exception-heavy guest enters the same blocks
    // over and over, and the seven stores were 5% of bench-exc's time.
    const w = b.wasm!;
    if (this.mirrors) {
      const gen = cpu.jumpCache.entryGen | 0; // (the low 32 bits, as the state block mirrors it)
      const jc = this.jc!;
      const k = w.ajcWord;
      if (jc[k + (Ajc.SLOT >> 2)] !== slot || jc[k + (Ajc.GEN >> 2)] !== gen || jc[k + (Ajc.MODE >> 2)] !== this.mode ||
        jc[k + (Ajc.VALID >> 2)] !== w.validOffset) {
        jc[k + (Ajc.PC >> 2)] = w.pcLo;
        jc[k + (Ajc.PC >> 2) + 1] = w.pcHi;
        jc[k + (Ajc.GEN >> 2)] = gen;
        jc[k + (Ajc.MODE >> 2)] = this.mode;
        jc[k + (Ajc.VALID >> 2)] = w.validOffset;
        jc[k + (Ajc.SLOT >> 2)] = slot;
        jc[k + (Ajc.N >> 2)] = b.n;
      }
    }
    // Blocks do not nest (nothing runs a block from inside one), so the current CPU is simply replaced.
    this.cpu = cpu;
    this.runCount = cpu.insnCount;
    this.runBudget = budget > 0x7fff_ffff ? 0x7fff_ffff : budget;
    // RUN_END (a u64 as two words: no BigInt): the retired count a handler called with `left` budget left sees is
    // RUN_END - left (countRetired), which inline counter reads compute alike (BlockEmitter.pushRetired).
    const end = this.runCount + this.runBudget;
    cpu.st32[W_RUN_END] = end >>> 0;
    cpu.st32[W_RUN_END + 1] = (end / 0x1_0000_0000) >>> 0;
    let e: number;
    try {
      e = this.blockTable.enter(slot, cpu.stateOffset, this.runBudget, this.mode);
    } catch (err) {
      cpu.st32[St.IRQ_LINE >> 2]! &= ~IRQ_LINE_LEAVE;
      b.ranTo = this.inBlock; // a trap in the wasm code (a model bug): reported by the run loop
      throw err;
    }
    cpu.st32[St.IRQ_LINE >> 2]! &= ~IRQ_LINE_LEAVE;
    this.countRetired(cpu);
    if (e === WasmExit.Raised) {
      b.ranTo = this.inBlock; // the handler that raised it ran in this block (cpu.pc is its instruction)
      const err = this.raised;
      this.raised = undefined;
      throw err;
    }
    if (e >= 0) {
      // Direct exit e & 1 of the block in slot e >> 1 (a chain may have ended in another module).
      const from = this.slotBlocks[e >> 1]!;
      const exit = e & 1;
      b.ranTo = from;
      cpu.pc = from.wasm!.exits[exit]!;
      return exit;
    }
    if (e <= WasmExit.IndirectBase) {
      // A register branch of the block in slot IndirectBase - e: the target is in NEXT_PC (the run loop records
      // where it led).
      b.ranTo = this.slotBlocks[WasmExit.IndirectBase - e];
      cpu.pc = cpu.stU64[St.NEXT_PC >> 3]!;
      return -2;
    }
    b.ranTo = undefined; // a handler exit: the run loop does not chain from it
    cpu.pc = cpu.nextPc;
    return -1;
  }
}

/** The fixed targets block `b` may leave for, a call's (BL) excepted: its direct branch's, and the next instruction. */
function directSuccessors(b: Block): bigint[] {
  const n = b.n;
  const endPc = b.pc + BigInt(4 * n);
  if (!b.ended) return [endPc];
  const last = b.words[n - 1]!;
  const out: bigint[] = [];
  const row = findEncoding(last);
  const t = directBranchTarget(last, b.pc + BigInt(4 * (n - 1)));
  if (t !== undefined && row?.name !== 'BL') out.push(t);
  if (isConditionalBranch(last) || row?.exec === NOP_HANDLER || (row !== undefined && endsInline(row.name, last))) {
    out.push(endPc);
  }
  return out;
}

/** The blocks of one compiled module and their direct exits' targets (exit code 2 i + e: blocks[i], exits[i][e]). */
export interface CompiledModule {
  readonly blocks: readonly Block[];
  readonly exits: ReadonlyArray<readonly [bigint | undefined, bigint | undefined]>;
}

