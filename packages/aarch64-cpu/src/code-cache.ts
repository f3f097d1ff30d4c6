/**
 * The translated-code cache: decoded basic blocks (handler-block.ts; the hot ones compiled to WebAssembly by
 * wasm-jit/tier.ts) for the run loop (jit.ts), kept per physical page of guest memory, in a {@link CodeCache} that
 * belongs to the CPU (kvm-core gives every vCPU of a VM the VM's one cache, since they share guest memory). Nothing
 * here is module state: two VMs in one process have separate caches and budgets.
 *
 * Blocks are keyed by where their instructions live in host memory (a region's bytes and the page offset), so a
 * translation change can never make the CPU run the wrong code: every block entry is looked up through the MMU's
 * instruction fetch translation ({@link MemoryPort.fetchPage}), which TLBI and control changes keep correct. A block
 * also remembers its virtual PC (handlers compute PC-relative values), so an alias of the page at another VA gets
 * its own block.
 *
 * Size: the cache holds at most {@link CodeCache.budget} bytes of translated code, as estimated by
 * {@link handlerBlockCost}, a WebAssembly block's share of its module ({@link CodeCache.addCost}) and
 * {@link PAGE_COST} (README, "The code cache"). Adding a block that would exceed the budget first flushes the whole
 * cache (every block and code page is dropped, as QEMU's tb_flush), so translated code never holds more memory than
 * the budget whatever the guest executes. A dropped block is marked
 * dead and its chain links are cut: the run loop never follows a link to a dead block.
 *
 * Invalidation:
 *  - Guest writes: the MMU calls {@link CodeRegion.written} / {@link CodeCache.written} for a store to a page that
 *    holds blocks (a byte per page in {@link CodeRegion.live} makes the check one typed-array load on the store hot
 *    path); the blocks whose instruction bytes overlap the written bytes are dropped, found through the page's
 *    64-byte line buckets ({@link CodePage.written}); the other blocks of the page stay translated and linked, and
 *    the page's live byte is cleared only when no block is left. A block that is running finishes with the
 *    instructions it decoded, which the architecture allows until the context synchronisation (ISB) that ends
 *    every block; a looping block stops iterating once a store dropped it.
 *  - IC IALLU/IALLUIS: {@link CodeCache.invalidateAll} (a new code epoch). A block of an older epoch is compared
 *    with memory before it runs again and rebuilt if it differs. The vCPUs of a VM share one cache, so this is
 *    also the broadcast IALLUIS needs (and over-invalidation for IALLU, which the architecture allows).
 *  - IC IVAU: {@link CodeCache.invalidate} of the line's bytes, found through the MMU's translation of the VA
 *    ({@link MemoryPort.invalidateCode}): only the blocks holding an instruction of the line are compared with
 *    memory before they run again. Since stores already dropped the blocks they changed, this is all the
 *    maintenance can still find to do, and translated code elsewhere (and its chaining) is untouched: Linux
 *    patching a kernel call site costs one block comparison, not one per block run afterwards.
 *  - Host writes (a VMM or test writing guest RAM directly while no vCPU runs): each `Cpu.run` call starts a new
 *    check epoch (unless its caller passes `hostUnchanged`: kvm-core's run loop re-entering the CPU within one
 *    KVM_RUN, where only kvm-core ran, whose own writes go through CodeCache.written); the first time a block is
 *    entered in an epoch its instruction words are compared with memory and a stale block is rebuilt. Code that writes RAM behind the MMU in the middle of a run can call
 *    {@link CodeCache.written} or {@link CodeCache.invalidateAll}.
 */
import type { Handler } from './decode.js';
import { ARENA_CODE_KILLS, ARENA_RUN_EPOCH, type GuestArena } from './arena.js';
import { BATCH_BLOCKS, HOT_RUNS, QUEUE_RUNS, WasmTier, type WasmBlockInfo, type WasmTierOptions } from './wasm-jit/tier.js';

export const PAGE_BYTES = 4096;

/** The default {@link CodeCache.budget}: 64 MiB of translated code (estimated). */
export const DEFAULT_CODE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * Estimated host memory of a code page that holds blocks (the CodePage and its block map), counted once per page
 * while it holds any.
 */
export const PAGE_COST = 512;

/**
 * Estimated host memory of a handler block (handler-block.ts: its decoded handlers run in order, no generated code)
 * of `n` instructions: the Block object, and per instruction its word, handler and two BigInt PCs (64
 * bytes) and its part of the block's fast interpreter program (spec/fast-ops.ts: about 12 words).
 */
export function handlerBlockCost(n: number): number {
  return 512 + 112 * n;
}

/** A compiled basic block: straight-line instructions inside one page, ending at a branch or system instruction. */
export interface Block {
  /** Virtual address of the first instruction. */
  readonly pc: bigint;
  /** Number of instructions. */
  readonly n: number;
  /** The instruction words, for the host-write check. */
  readonly words: Uint32Array;
  /** Word index of the first instruction in its page. */
  readonly start: number;
  /**
   * Estimated host memory ({@link handlerBlockCost}, plus its share of its WebAssembly module once compiled), what
   * the block counts against its cache's budget.
   */
  cost: number;
  /** Whether the last instruction ends the block (a branch or system instruction), not the page end or the cap. */
  readonly ended: boolean;
  /** Runs as a handler block so far (the WebAssembly tier takes hot blocks: wasm-jit/tier.ts). */
  heat: number;
  /** 0: a handler block; 1: queued for WebAssembly; 2: WebAssembly; 3: left uncompiled (no room). */
  tier: number;
  /**
   * A WebAssembly block's validity word in the arena (wasm-jit/tier.ts): the arena's ARENA_RUN_EPOCH when the run
   * loop last entered it, 0 once dropped or invalidated. Other blocks of its module chain into it only while valid.
   */
  valid?: Int32Array;
  /** After a WebAssembly block ran: the block of its module that took the exit returned (it may have chained). */
  ranTo?: Block;
  /** A WebAssembly block's module, chain candidates and recorded register-branch targets (wasm-jit/tier.ts). */
  wasm?: WasmBlockInfo;
  /**
   * The code page (physical page) the block was built from: WebAssembly blocks chain only to blocks of the same
   * code page (two physical pages mapped at one virtual page in turn must not chain into each other).
   */
  readonly page?: CodePage;
  /**
   * Runs the block (at most `budget` instructions, at least the block's length): the CPU's state is updated as if
   * each instruction had been stepped, cpu.insnCount included; sets cpu.pc at the end. Returns the exit taken: 0 or
   * 1 for a direct branch's two outcomes (or the fall-through into the next block), whose target PCs are fixed when
   * the block is built, so the run loop can follow {@link next0}/{@link next1}; -1 when the next PC was computed
   * (a register branch, an exception return, a system instruction); -2 from a WebAssembly block for the register
   * branch of `ranTo` (the run loop records where it led: WasmTier.missedChain).
   */
  run: (cpu: import('./cpu.js').Cpu, budget: number) => number;
  /**
   * Chaining (jit.ts runBlocks): the block that exit 0 / exit 1 led to last time, valid while the port's
   * `MemoryPort.tlbGeneration` or `tlbGlobalGeneration` still equals `gen0` / `gen1` (the generation of the
   * translation the target was fetched through) and the target block is alive, of the current code epoch and
   * checked in this run epoch. Cleared when the block is dropped.
   */
  next0: Block | undefined;
  next1: Block | undefined;
  gen0: number;
  gen1: number;
  /**
   * False once the block was dropped (a store over its instructions, replaced, or a flush): a looping block stops
   * iterating.
   */
  alive: boolean;
  /** The {@link CodeCache.epoch} the block was built in or last found equal to memory in. */
  epoch: number;
  /** The run epoch in which the words were last compared with memory. */
  checked: number;
  /** Handlers of the instructions (for tools and the interpreter fallback). */
  readonly handlers: readonly Handler[];
  /**
   * The instructions' decoded arguments (DecodeCache.argsOf: a specification row's, else undefined), what a caller
   * passes to `handlers[k]` with `words[k]` so that it does not decode again.
   */
  readonly args: readonly unknown[];
}

/** Mark a block dropped and cut its links, so nothing can reach a chain of dead blocks through it. */
function kill(b: Block): void {
  b.alive = false;
  if (b.valid !== undefined) b.valid[0] = 0;
  b.next0 = undefined;
  b.next1 = undefined;
  if (b.wasm !== undefined) b.wasm.targets = undefined;
}

/** log2 of the bytes of a {@link CodePage}'s line buckets: 64-byte lines, 16 instruction words each. */
const LINE_SHIFT = 6;
/** Line buckets per page. */
const LINES = PAGE_BYTES >>> LINE_SHIFT;

/** One 4 KiB page of guest memory that holds (or held) blocks. */
export class CodePage {
  /** Blocks by the word index of their first instruction. */
  readonly blocks = new Map<number, Block>();
  /**
   * The same blocks by the 64-byte lines their instructions cover (a block is in the bucket of every line it
   * overlaps), so a store finds the blocks it overwrote without looking at the rest of the page.
   */
  private readonly lines: (Block[] | undefined)[] = new Array<Block[] | undefined>(LINES);
  /** Whether the page counts against the cache (it held a block since it was created or last flushed). */
  inUse = false;
  /**
   * Set when a flush dropped the page: its region no longer lists it. A port may still hand it out (the MMU keeps
   * the page of each TLB entry); {@link CodeCache.add} then uses the region's current page instead.
   */
  dropped = false;
  constructor(
    readonly region: CodeRegion,
    /** Page number in the region (byte offset / 4096). */
    readonly page: number,
    readonly view: DataView,
    /** Byte offset of the page in `view`. */
    readonly base: number,
  ) {}

  get count(): number {
    return this.blocks.size;
  }

  get(index: number): Block | undefined {
    return this.blocks.get(index);
  }

  /** @internal (CodeCache.add) Put `b` in the page; the caller removed any block at the same start first. */
  insert(b: Block): void {
    this.blocks.set(b.start, b);
    const last = (b.start + b.n - 1) >>> (LINE_SHIFT - 2);
    for (let l = b.start >>> (LINE_SHIFT - 2); l <= last; l++) (this.lines[l] ??= []).push(b);
  }

  /** @internal (CodeCache.add) Drop block `b` of this page: dead, unlinked, out of the page and the budget. */
  remove(b: Block): void {
    kill(b);
    this.region.killed();
    const cache = this.region.cache;
    cache.bytes -= b.cost;
    cache.blockCount--;
    if (this.blocks.get(b.start) === b) this.blocks.delete(b.start);
    const last = (b.start + b.n - 1) >>> (LINE_SHIFT - 2);
    for (let l = b.start >>> (LINE_SHIFT - 2); l <= last; l++) {
      const bucket = this.lines[l];
      const k = bucket === undefined ? -1 : bucket.indexOf(b);
      if (k >= 0) bucket!.splice(k, 1);
    }
  }

  /**
   * Bytes [from, to) of the page (offsets in the page, from < to) were written: drop the blocks holding any of
   * them; the others (and their chain links) stay. The page's live flag is cleared when no block is left.
   */
  written(from: number, to: number): void {
    const last = (to - 1) >>> LINE_SHIFT;
    for (let l = from >>> LINE_SHIFT; l <= last; l++) {
      const bucket = this.lines[l];
      if (bucket === undefined) continue;
      // Backwards: remove() takes the block out of this bucket (at index k or, never, after it).
      for (let k = bucket.length - 1; k >= 0; k--) {
        const b = bucket[k]!;
        if (b.start * 4 < to && (b.start + b.n) * 4 > from) this.remove(b);
      }
    }
    if (this.blocks.size === 0) this.region.setLive(this.page, false);
  }

  /** Drop every block of the page (a flush). The page stays in use until the flush marks it dropped. */
  clear(): void {
    if (this.blocks.size === 0) return;
    const cache = this.region.cache;
    for (const b of this.blocks.values()) {
      kill(b);
      cache.bytes -= b.cost;
      cache.blockCount--;
    }
    this.region.killed();
    this.blocks.clear();
    this.lines.fill(undefined);
    this.region.setLive(this.page, false);
  }
}

/** The code pages of one host memory region (a Uint8Array of guest RAM), in one cache. */
export class CodeRegion {
  /** One byte per page: non-zero when the page holds blocks (the MMU's store check). */
  readonly live: Uint8Array;
  readonly pages: (CodePage | undefined)[];
  /**
   * When the region lives in a guest arena: the arena's code-page map from the region's first page (a count per
   * page of the code caches with blocks there, which translated WebAssembly stores check) and the arena's header.
   */
  private readonly arenaMap: Uint8Array | undefined;
  private readonly arenaHeader: Int32Array | undefined;
  constructor(readonly cache: CodeCache, readonly bytes: Uint8Array,
    /** Where the region lives in a guest arena, if it does (WebAssembly blocks then check their words inline). */
    readonly arena?: { readonly arena: GuestArena; readonly offset: number }) {
    const n = Math.ceil(bytes.length / PAGE_BYTES);
    this.live = new Uint8Array(n);
    this.pages = new Array<CodePage | undefined>(n);
    if (arena !== undefined && arena.offset % PAGE_BYTES === 0) {
      const first = arena.offset / PAGE_BYTES;
      this.arenaMap = arena.arena.codeMap.subarray(first, first + n);
      this.arenaHeader = arena.arena.header;
    }
  }

  /** Mark page `p` as holding blocks of this cache or not (and count it in the arena's code-page map). */
  setLive(p: number, live: boolean): void {
    const was = this.live[p] !== 0;
    if (was === live) return;
    this.live[p] = live ? 1 : 0;
    const map = this.arenaMap;
    if (map !== undefined) map[p] = map[p]! + (live ? 1 : -1);
  }

  /** A block of this region died (ARENA_CODE_KILLS: the WebAssembly tier then makes the running loop leave, IRQ_LINE_LEAVE). */
  killed(): void {
    const h = this.arenaHeader;
    if (h !== undefined) h[ARENA_CODE_KILLS] = (h[ARENA_CODE_KILLS]! + 1) | 0;
  }

  /** The CodePage of page number `page`, created on first use (and after a flush). */
  page(page: number, view: DataView, base: number): CodePage {
    let p = this.pages[page];
    if (p === undefined) this.pages[page] = p = new CodePage(this, page, view, base);
    return p;
  }

  /**
   * Bytes [offset, offset + length) of the region were written: drop the blocks whose instructions overlap them
   * (on every page touched; {@link CodePage.written}). Cheap when the pages hold no code (the MMU checks
   * {@link live} first on its hot path).
   */
  written(offset: number, length: number): void {
    const end = offset + Math.max(length, 1);
    const last = Math.min(Math.floor((end - 1) / PAGE_BYTES), this.pages.length - 1);
    for (let p = Math.max(0, Math.floor(offset / PAGE_BYTES)); p <= last; p++) {
      if (this.live[p] === 0) continue;
      const base = p * PAGE_BYTES;
      this.pages[p]?.written(Math.max(offset, base) - base, Math.min(end, base + PAGE_BYTES) - base);
    }
  }
}

/** What a {@link CodeCache} holds and has done, for tests, tools and the VMM's statistics. */
export interface CodeCacheStats {
  /** The budget in (estimated) bytes. */
  readonly budget: number;
  /** Estimated bytes of the blocks and pages held now (at most the budget, unless one block alone is larger). */
  readonly bytes: number;
  /** Blocks held now. */
  readonly blocks: number;
  /** Code pages that count against the budget now. */
  readonly pages: number;
  /** Blocks translated since the cache was made. */
  readonly built: number;
  /**
   * Milliseconds spent building those blocks (decoding them into handler blocks; the WebAssembly tier's compile
   * time is in its own stats, WasmTierStats.compileMs).
   */
  readonly compileMs: number;
  /** Blocks compared with memory (first entry in a run, or after IC maintenance) since the cache was made. */
  readonly checks: number;
  /** Whole-cache flushes because the budget was reached. */
  readonly flushes: number;
}

/**
 * The translated code of the CPUs that share guest memory: code pages per host memory region, a size budget, the
 * code and run epochs. See the file comment for the invalidation and eviction rules.
 */
export class CodeCache {
  /** The budget in estimated bytes ({@link handlerBlockCost}, {@link addCost}, {@link PAGE_COST}). */
  get budget(): number {
    return this.limit;
  }
  private limit: number;
  /** Estimated bytes held. @internal (CodePage) */
  bytes = 0;
  /** Blocks held. @internal (CodePage) */
  blockCount = 0;
  /** Blocks built before the current epoch must be compared with memory before they run. @internal (jit.ts) */
  epoch = 1;
  /** Each Cpu.run call starts a new check epoch (host writes between runs are found by comparing words). */
  private runEpoch = 1;
  private built = 0;
  /** Milliseconds spent in buildBlock (handler-block.ts), timed by the run loop around each call. @internal (jit.ts) */
  compileMs = 0;
  /** Blocks compared with memory ({@link blockMatches}). @internal */
  checks = 0;
  private flushes = 0;
  private readonly regions = new WeakMap<Uint8Array, CodeRegion>();
  /** The WebAssembly tier of this cache, per guest arena (wasm-jit/tier.ts); created on first use. */
  private readonly tiers = new Map<GuestArena, WasmTier | null>();
  /** The pages that count against the budget (dropped at the next flush). */
  private inUse: CodePage[] = [];

  /** When blocks become WebAssembly (wasm-jit/tier.ts). */
  readonly wasmTuning: Required<WasmTierOptions>;

  /**
   * `budget`: estimated bytes of translated code to keep at most, a positive integer (default 64 MiB). `wasm`: when
   * the WebAssembly tier takes blocks (RangeError for values that are not non-negative / positive integers).
   */
  constructor(budget: number = DEFAULT_CODE_CACHE_BYTES, wasm: WasmTierOptions = {}) {
    this.limit = checkBudget(budget);
    const hotRuns = wasm.hotRuns ?? HOT_RUNS;
    const batchBlocks = wasm.batchBlocks ?? BATCH_BLOCKS;
    const queueRuns = wasm.queueRuns ?? QUEUE_RUNS;
    if (!Number.isSafeInteger(hotRuns) || hotRuns < 0) throw new RangeError(`wasm hotRuns must be a non-negative integer, got ${hotRuns}`);
    if (!Number.isSafeInteger(batchBlocks) || batchBlocks < 1) throw new RangeError(`wasm batchBlocks must be a positive integer, got ${batchBlocks}`);
    if (!Number.isSafeInteger(queueRuns) || queueRuns < 1) throw new RangeError(`wasm queueRuns must be a positive integer, got ${queueRuns}`);
    this.wasmTuning = { hotRuns, batchBlocks, queueRuns };
  }

  /** Change the budget (a positive integer); the cache is flushed when it holds more than the new one. */
  resize(budget: number): void {
    this.limit = checkBudget(budget);
    if (this.bytes > budget) this.flush();
  }

  /** The code-page registry of a host memory region (shared by every CPU and MMU using this cache). */
  /** The WebAssembly tier for blocks of CPUs whose state lives in `arena`, or undefined without WebAssembly. */
  wasmTier(arena: GuestArena): WasmTier | undefined {
    let t = this.tiers.get(arena);
    if (t === undefined) this.tiers.set(arena, (t = WasmTier.create(arena, this) ?? null));
    return t ?? undefined;
  }

  /** The WebAssembly tier made for `arena`, if one was (wasmTier makes it). */
  existingWasmTier(arena: GuestArena): WasmTier | undefined {
    return this.tiers.get(arena) ?? undefined;
  }

  /** Block `b` (held by this cache) now also holds `bytes` more host memory (its WebAssembly code). */
  addCost(b: Block, bytes: number): void {
    if (!b.alive) return;
    b.cost += bytes;
    this.bytes += bytes;
  }

  region(bytes: Uint8Array, arena?: { readonly arena: GuestArena; readonly offset: number }): CodeRegion {
    let r = this.regions.get(bytes);
    if (r === undefined) this.regions.set(bytes, (r = new CodeRegion(this, bytes, arena)));
    return r;
  }

  /**
   * Bytes [offset, offset + length) of `bytes` were written: drop the blocks whose instructions overlap them; every
   * other block (on the same pages too) stays translated and linked.
   */
  written(bytes: Uint8Array, offset: number, length: number): void {
    this.regions.get(bytes)?.written(offset, length);
  }

  /** IC IALLU/IALLUIS, or a host that rewrote code: every block is checked against memory before it runs again. */
  invalidateAll(): void {
    this.epoch++;
    // No WebAssembly block chains into another until the run loop has entered (and so checked) it again.
    for (const arena of this.tiers.keys()) arena.header[ARENA_RUN_EPOCH] = (arena.header[ARENA_RUN_EPOCH]! + 1) | 0 || 1;
  }

  /**
   * IC IVAU: the blocks holding any of bytes [offset, offset + length) of `bytes` are compared with memory before
   * they run again (given an epoch no cache ever has); every other block is untouched.
   */
  invalidate(bytes: Uint8Array, offset: number, length: number): void {
    const r = this.regions.get(bytes);
    if (r === undefined || length <= 0) return;
    const end = offset + length;
    const last = Math.min(Math.floor((end - 1) / PAGE_BYTES), r.pages.length - 1);
    for (let p = Math.max(0, Math.floor(offset / PAGE_BYTES)); p <= last; p++) {
      const page = r.pages[p];
      if (r.live[p] === 0 || page === undefined) continue;
      const base = p * PAGE_BYTES;
      for (const b of page.blocks.values()) {
        const from = base + b.start * 4;
        if (from < end && from + b.n * 4 > offset) {
          b.epoch = 0;
          if (b.valid !== undefined) b.valid[0] = 0; // not chained into before the run loop compared it
        }
      }
    }
  }

  /** The last translation generation handed out ({@link newGeneration}). */
  private generation = 0;

  /**
   * A new translation generation for a memory port of one of the CPUs sharing this cache (MemoryPort.tlbGeneration,
   * tlbGlobalGeneration): one counter for all of them, because the links between blocks live in the shared blocks
   * and each CPU follows a link only while its own port's generation equals the one the link was recorded under.
   * Two ports counting alone would hand out the same numbers for different translations. A double: 2^53 values
   * never run out. The arena jump caches key their entries with a generation's low 32 bits (the state block mirrors
   * those): every 2^31 generations they are emptied, so that no entry made under a generation 2^32 earlier can be
   * taken for the current one.
   */
  newGeneration(): number {
    const g = ++this.generation;
    if (g % 0x8000_0000 === 0) for (const t of this.tiers.values()) t?.forgetJumpCaches();
    return g;
  }

  /** @internal Called by the translated run loop at the start of a Cpu.run that starts a check epoch. */
  nextRunEpoch(): number {
    return ++this.runEpoch;
  }

  /**
   * @internal The current check epoch, for a Cpu.run whose caller vouches that the host wrote no guest memory behind
   * the MMU since that CPU's previous run (Cpu.run's `hostUnchanged`): blocks checked since the epoch started need
   * no second comparison.
   */
  currentRunEpoch(): number {
    return this.runEpoch;
  }

  /**
   * Put the new block `b` in `page` (at its start index, replacing a block there), flushing the whole cache first
   * when `b` would take it over budget. Returns the page that holds `b`: `page`, or the region's fresh page for the
   * same memory when `page` was dropped by this or an earlier flush.
   */
  add(page: CodePage, b: Block): CodePage {
    this.built++;
    const old = page.blocks.get(b.start);
    const grow = b.cost - (old?.cost ?? 0) + (page.inUse ? 0 : PAGE_COST);
    if (this.bytes + grow > this.limit && this.bytes > 0) this.flush();
    if (page.dropped) page = page.region.page(page.page, page.view, page.base);
    const prev = page.blocks.get(b.start);
    if (prev !== undefined) page.remove(prev);
    if (!page.inUse) {
      page.inUse = true;
      this.inUse.push(page);
      this.bytes += PAGE_COST;
    }
    page.insert(b);
    page.region.setLive(page.page, true);
    this.bytes += b.cost;
    this.blockCount++;
    return page;
  }

  /** Drop every block and code page (blocks are marked dead and unlinked; ports' cached pages become stale). */
  flush(): void {
    for (const p of this.inUse) {
      p.clear();
      p.dropped = true;
      p.inUse = false;
      const r = p.region;
      if (r.pages[p.page] === p) r.pages[p.page] = undefined;
    }
    this.inUse = [];
    this.bytes = 0;
    this.blockCount = 0;
    this.flushes++;
  }

  stats(): CodeCacheStats {
    return {
      budget: this.budget, bytes: this.bytes, blocks: this.blockCount, pages: this.inUse.length, built: this.built,
      compileMs: this.compileMs,
      checks: this.checks, flushes: this.flushes,
    };
  }
}

function checkBudget(budget: number): number {
  if (!Number.isSafeInteger(budget) || budget < 1) {
    throw new RangeError(`the code cache budget must be a positive integer number of bytes, got ${String(budget)}`);
  }
  return budget;
}

/** True when the block's words still match the page (the host-write check). */
export function blockMatches(page: CodePage, b: Block): boolean {
  page.region.cache.checks++;
  const v = page.view;
  const w = b.words;
  let o = page.base + b.start * 4;
  for (let k = 0; k < w.length; k++, o += 4) if (v.getUint32(o, true) !== w[k]) return false;
  return true;
}
