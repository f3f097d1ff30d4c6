/**
 * The translated-code cache: decoded and compiled basic blocks (jit.ts), kept per physical page of guest memory.
 *
 * Blocks are keyed by where their instructions live in host memory (a region's bytes and the page offset), so a
 * translation change can never make the CPU run the wrong code: every block entry is looked up through the MMU's
 * instruction fetch translation ({@link MemoryPort.fetchPage}), which TLBI and control changes keep correct. A block
 * also remembers its virtual PC (handlers compute PC-relative values), so an alias of the page at another VA gets
 * its own block.
 *
 * Invalidation:
 *  - Guest writes: the MMU calls {@link codeWritten} for a store to a page that holds blocks (a byte per page in
 *    {@link CodeRegion.live} makes the check one typed-array load on the store hot path); every block of the page is
 *    dropped. A block that is running finishes with the instructions it decoded, which the architecture allows
 *    until the context synchronisation (ISB) that ends every block.
 *  - IC IALLU/IALLUIS/IVAU: {@link invalidateAllCode} (a global epoch: over-invalidation is allowed).
 *  - Host writes (a VMM or test writing guest RAM directly while no vCPU runs): each `Cpu.run` call starts a new
 *    check epoch; the first time a block is entered in an epoch its instruction words are compared with memory and
 *    a stale block is rebuilt. Code that writes RAM behind the MMU in the middle of a run can call codeWritten or
 *    invalidateAllCode.
 */
import type { Handler } from './decode.js';

export const PAGE_BYTES = 4096;
const PAGE_WORDS = PAGE_BYTES / 4;

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
   * Runs the block (at most `budget` instructions, at least the block's length): the CPU's state is updated as if
   * each instruction had been stepped, cpu.insnCount included; sets cpu.pc at the end. Returns the exit taken: 0 or
   * 1 for a direct branch's two outcomes (or the fall-through into the next block), whose target PCs are fixed when
   * the block is built, so the run loop can follow {@link next0}/{@link next1}; -1 when the next PC was computed
   * (a register branch, an exception return, a system instruction).
   */
  run: (cpu: import('./cpu.js').Cpu, budget: number) => number;
  /**
   * Chaining (jit.ts runBlocks): the block that exit 0 / exit 1 led to last time, valid while the port's
   * `MemoryPort.tlbGeneration` still equals `gen0` / `gen1` and the target block is alive, of the current
   * code epoch and checked in this run epoch.
   */
  next0: Block | undefined;
  next1: Block | undefined;
  gen0: number;
  gen1: number;
  /** False once a store to the page (or IC) dropped the block: a looping block stops iterating. */
  alive: boolean;
  /** The {@link codeEpoch} the block was built in. */
  readonly epoch: number;
  /** The run epoch in which the words were last compared with memory. */
  checked: number;
  /** Handlers of the instructions (for tools and the interpreter fallback). */
  readonly handlers: readonly Handler[];
}

/** One 4 KiB page of guest memory that holds (or held) blocks. */
export class CodePage {
  /** Blocks by the word index of their first instruction. */
  blocks: (Block | undefined)[] = new Array<Block | undefined>(PAGE_WORDS);
  count = 0;
  constructor(
    readonly region: CodeRegion,
    /** Page number in the region (byte offset / 4096). */
    readonly page: number,
    readonly view: DataView,
    /** Byte offset of the page in `view`. */
    readonly base: number,
  ) {}

  get(index: number): Block | undefined {
    return this.blocks[index];
  }

  add(b: Block): void {
    if (this.blocks[b.start] === undefined) this.count++;
    this.blocks[b.start] = b;
    this.region.live[this.page] = 1;
  }

  /** Drop every block of the page. */
  clear(): void {
    if (this.count === 0) return;
    for (const b of this.blocks) if (b !== undefined) b.alive = false;
    this.blocks = new Array<Block | undefined>(PAGE_WORDS);
    this.count = 0;
    this.region.live[this.page] = 0;
  }
}

/** The code pages of one host memory region (a Uint8Array of guest RAM). */
export class CodeRegion {
  /** One byte per page: non-zero when the page holds blocks (the MMU's store check). */
  readonly live: Uint8Array;
  readonly pages: (CodePage | undefined)[];
  constructor(readonly bytes: Uint8Array) {
    const n = Math.ceil(bytes.length / PAGE_BYTES);
    this.live = new Uint8Array(n);
    this.pages = new Array<CodePage | undefined>(n);
  }

  /** The CodePage of page number `page`, created on first use. */
  page(page: number, view: DataView, base: number): CodePage {
    let p = this.pages[page];
    if (p === undefined) this.pages[page] = p = new CodePage(this, page, view, base);
    return p;
  }
}

const regions = new WeakMap<Uint8Array, CodeRegion>();

/** The code-page registry of a host memory region (shared by every CPU and MMU that reaches it). */
export function codeRegion(bytes: Uint8Array): CodeRegion {
  let r = regions.get(bytes);
  if (r === undefined) regions.set(bytes, (r = new CodeRegion(bytes)));
  return r;
}

/**
 * Bytes [offset, offset + length) of `bytes` were written: drop the blocks of every page touched. Cheap when the
 * pages hold no code (the MMU checks {@link CodeRegion.live} first on its hot path).
 */
export function codeWritten(bytes: Uint8Array, offset: number, length: number): void {
  const r = regions.get(bytes);
  if (r === undefined) return;
  const last = Math.floor((offset + Math.max(length, 1) - 1) / PAGE_BYTES);
  for (let p = Math.floor(offset / PAGE_BYTES); p <= last; p++) if (r.live[p] !== 0) r.pages[p]?.clear();
}

/** Blocks built before the current epoch are stale. */
export let codeEpoch = 1;
/** Each Cpu.run call starts a new check epoch (host writes between runs are found by comparing words). */
export let runEpoch = 1;

/** IC IALLU and friends, or a host that rewrote code: every block everywhere is rebuilt before it runs again. */
export function invalidateAllCode(): void {
  codeEpoch++;
}

/** @internal Called by Cpu.run. */
export function nextRunEpoch(): number {
  return ++runEpoch;
}

/** True when the block's words still match the page (the host-write check). */
export function blockMatches(page: CodePage, b: Block): boolean {
  const v = page.view;
  const w = b.words;
  let o = page.base + b.start * 4;
  for (let k = 0; k < w.length; k++, o += 4) if (v.getUint32(o, true) !== w[k]) return false;
  return true;
}
