/**
 * The translated run loop ({@link runBlocks}): blocks (handler-block.ts builds them, the WebAssembly tier in
 * wasm-jit/ compiles the hot ones) looked up per physical page (code-cache.ts) through the MMU's fetch translation,
 * a per-CPU jump cache for exits without a link, and links between blocks (chaining) followed while the TLB
 * generation says the lookup would give the same block. `translate: false` (CpuOptions; KVM_MTE_JIT=0) switches
 * blocks off for a CPU (Cpu.run then interprets); `wasm: false` (KVM_MTE_WASM=0) keeps every block a handler block.
 */
import { blockMatches, type Block, type CodePage } from './code-cache.js';
import type { Cpu } from './cpu.js';
import { Stop, type StopCode } from './exits.js';
import { ARENA_RUN_EPOCH } from './arena.js';
import { buildBlock } from './handler-block.js';
import { newMidBlock, runPart, type MidBlock, type PartRun } from './mid-block.js';
import { St } from './state-layout.js';
import { QUEUED_BLOCK_RUNS } from './wasm-jit/tier.js';

/** Entries of a CPU's jump cache (runBlocks), a power of two. */
export const JUMP_CACHE_SIZE = 16384;
const JUMP_CACHE_MASK = JUMP_CACHE_SIZE - 1;

/**
 * A CPU's jump cache (runBlocks): per entry a block and its key (PC low and high halves and EL in `keys`, three words
 * an entry; the TLB generation in `gens`: generations are doubles, CodeCache.newGeneration).
 */
export interface JumpCache {
  readonly blocks: (Block | undefined)[];
  readonly keys: Int32Array;
  readonly gens: Float64Array;
  /** Where the last run's budget ended inside a block (mid-block.ts). */
  readonly mid: MidBlock;
  /**
   * The TLB generation the block the run loop enters next was found under (its link's, its jump cache entry's, or
   * MemoryPort.fetchGeneration): the WebAssembly tier keys the arena jump cache entry it makes for the block with it.
   */
  entryGen: number;
}

/** An empty jump cache. */
export function newJumpCache(): JumpCache {
  return {
    blocks: new Array<Block | undefined>(JUMP_CACHE_SIZE), keys: new Int32Array(3 * JUMP_CACHE_SIZE),
    gens: new Float64Array(JUMP_CACHE_SIZE), mid: newMidBlock(), entryGen: 0,
  };
}

/**
 * The translated run loop: `budget` instructions at most, as {@link Cpu.run}, in blocks (handler blocks, and
 * WebAssembly ones once hot when the CPU's `wasm` option is on and the host has WebAssembly). Falls back to the
 * interpreter for single steps (pending IRQ, PC alignment check, PSTATE.IL, memory the port cannot give a code page
 * for). A budget that ends inside a block runs part of it through the block's handlers, and the next run the rest
 * (mid-block.ts).
 *
 * Blocks come from `cpu.codeCache` (code-cache.ts), which flushes itself when a new block would take it over its
 * budget: a block found through a link, a page or a port's cached page is used only while it is alive.
 *
 * Chaining: a block that left through a direct exit (0 or 1: a branch outcome or the fall-through, whose target PC
 * is fixed) remembers the block it led to, with the TLB generation of the translation the fetch found it through
 * (MemoryPort.fetchGeneration: the port's tlbGeneration, or its tlbGlobalGeneration for a global translation);
 * while that generation is still one of the two, the target VA still translates to the same physical page, so the
 * next block is taken from the link instead of the fetch translation and page lookup (when it is alive; compared
 * with memory first when it was not yet in this run or this code epoch, as the page lookup compares it). A change
 * of ASID thus keeps the links into the kernel's (global) code.
 *
 * PC alignment: a PC that is not a multiple of 4 is found before the fetch translation (a PC alignment fault has
 * priority over an instruction abort) and left to the interpreter, which takes the fault; blocks only ever start
 * at aligned PCs and every exit they link through is aligned.
 */
export function runBlocks(cpu: Cpu, budget: number, hostUnchanged = false): StopCode {
  const cache = cpu.codeCache;
  // A new check epoch (every block is compared with memory once before it runs in it), unless the caller vouches
  // that the host wrote no guest memory since this CPU's last run (Cpu.run's `hostUnchanged`).
  const epoch = hostUnchanged ? cache.currentRunEpoch() : cache.nextRunEpoch();
  // The WebAssembly tier (wasm-jit/tier.ts): hot blocks queued by earlier runs are compiled now.
  const tier = cpu.wasm ? cache.wasmTier(cpu.arena) : undefined;
  tier?.runStarts();
  const jcBlocks = cpu.jumpCache.blocks;
  const jcKeys = cpu.jumpCache.keys;
  const jcGens = cpu.jumpCache.gens;
  // A new run: WebAssembly blocks chain into each other only once this run has entered (and checked) each, or a
  // chain's check function compared its words with memory. Never 0, the word of a dropped or invalidated block.
  const header = cpu.arena.header;
  if (!hostUnchanged) header[ARENA_RUN_EPOCH] = (header[ARENA_RUN_EPOCH]! + 1) | 0 || 1;
  const mem = cpu.mem;
  const fetchPage = mem.fetchPage!;
  const linking = typeof mem.tlbGeneration === 'number';
  let done = 0;
  // The generation of the translation the block about to run was found through (JumpCache.entryGen).
  let gen = 0;
  // The block that ran last and the exit it took (0/1: a direct exit to follow; -1: none; -2: a WebAssembly
  // block's register branch).
  let prev: Block | undefined;
  let exit = -1;
  const mid = cpu.jumpCache.mid;
  const part: PartRun = { steps: 0, stop: undefined };
  if (mid.block !== undefined) {
    // The rest of the block the last run's budget ended in (mid-block.ts), when this run starts there, that block
    // is still the code at that address and nothing asks for the interpreter first.
    const b = mid.block;
    mid.block = undefined;
    if (cpu.pc === b.pc + BigInt(4 * mid.k) && b.alive && b.epoch === cache.epoch && linking &&
      mid.gen === mem.tlbGeneration && mid.el === cpu.el && !cpu.asyncPending() &&
      !cpu.checkPcAlign && cpu.il === 0 && !cpu.debugActive && (b.checked === epoch || blockMatches(b.page!, b))) {
      b.checked = epoch;
      runPart(cpu, b, mid.k, Math.min(b.n - mid.k, budget), part);
      done += part.steps;
      if (part.stop !== undefined) return part.stop;
    }
  }
  while (done < budget) {
    // (debugActive: a breakpoint, watchpoint or software step can happen, which only the interpreter checks.)
    if (cpu.asyncPending() || cpu.checkPcAlign || cpu.il !== 0 || cpu.debugActive) {
      exit = -1;
      const before = cpu.insnCount;
      const stop = cpu.interpret(1);
      done += Math.max(1, cpu.insnCount - before);
      if (stop !== Stop.Budget) return stop;
      continue;
    }
    let block: Block | undefined;
    if (exit >= 0) {
      const p = prev!;
      block = exit === 0 ? p.next0 : p.next1;
      // (A block not yet checked in this run, or of an earlier code epoch, is compared with memory here, as the page
      // lookup would compare it: a new run finds its blocks through links and the jump cache.)
      gen = exit === 0 ? p.gen0 : p.gen1;
      if (block !== undefined && ((gen !== mem.tlbGeneration && gen !== mem.tlbGlobalGeneration) || !block.alive ||
        ((block.epoch !== cache.epoch || block.checked !== epoch) && !blockMatches(block.page!, block)))) block = undefined;
    }
    // The jump cache (exits without a link: register branches, exception entries and returns): the block this
    // CPU last found at the same PC, while its TLB generation is live and the EL (fetch permissions) the same and
    // the block is alive and checked in this run. The PC's halves come through the state block's scratch word.
    let jc = -1;
    let jcLo = 0;
    let jcHi = 0;
    if (block === undefined && linking) {
      cpu.stU64[St.SCRATCH >> 3] = cpu.pc;
      jcLo = cpu.st32[St.SCRATCH >> 2]!;
      jcHi = cpu.st32[(St.SCRATCH >> 2) + 1]!;
      if ((jcLo & 3) === 0) {
        jc = (jcLo >>> 2) & JUMP_CACHE_MASK;
        const c = jcBlocks[jc];
        const k = 3 * jc;
        gen = jcGens[jc]!;
        if (c !== undefined && jcKeys[k] === jcLo && jcKeys[k + 1] === jcHi &&
          (gen === mem.tlbGeneration || gen === mem.tlbGlobalGeneration) && jcKeys[k + 2] === cpu.el && c.alive &&
          ((c.epoch === cache.epoch && c.checked === epoch) || blockMatches(c.page!, c))) block = c;
      }
    }
    if (block !== undefined) {
      block.epoch = cache.epoch;
      block.checked = epoch;
    }
    if (block === undefined) {
      const pc = cpu.pc;
      const offset = Number(pc & 0xfffn);
      if ((offset & 3) !== 0) {
        // Set by the host (Cpu.run checks on entry) or a port's PC: the interpreter takes the PC alignment fault.
        cpu.checkPcAlign = true;
        exit = -1;
        continue;
      }
      let page: CodePage | undefined;
      try {
        page = fetchPage.call(mem, pc);
      } catch (e) {
        // An instruction abort (or a trap to EL2 on the fetch's stage-2 walk).
        exit = -1;
        done++;
        const stop = cpu.takeThrown(e, pc, true);
        if (stop !== undefined) return stop;
        continue;
      }
      if (page !== undefined) {
        // A page the cache flushed, still cached by the port: the region's current page for that memory.
        if (page.dropped) page = page.region.page(page.page, page.view, page.base);
        const index = offset >>> 2;
        block = page.blocks.get(index);
        if (block !== undefined && (block.pc !== pc ||
          ((block.epoch !== cache.epoch || block.checked !== epoch) && !blockMatches(page, block)))) block = undefined;
        if (block === undefined) {
          const t0 = performance.now(); // build time for `pnpm bench` (CodeCacheStats.compileMs): once per block
          block = buildBlock(cpu, page, index, pc);
          cache.compileMs += performance.now() - t0;
          cache.add(page, block);
        }
        block.epoch = cache.epoch;
        block.checked = epoch;
        // (A port without fetchGeneration keys everything with its tlbGeneration.)
        gen = mem.fetchGeneration ?? mem.tlbGeneration ?? 0;
        if (jc >= 0) {
          const k = 3 * jc;
          jcBlocks[jc] = block;
          jcKeys[k] = jcLo;
          jcKeys[k + 1] = jcHi;
          jcKeys[k + 2] = cpu.el;
          jcGens[jc] = gen;
        }
        if (exit >= 0 && linking && prev!.alive) {
          if (exit === 0) {
            prev!.next0 = block;
            prev!.gen0 = gen;
          } else {
            prev!.next1 = block;
            prev!.gen1 = gen;
          }
        }
      }
    }
    // Two WebAssembly blocks of one code page passed through here instead of chaining: the tier records it, and
    // compiles the page's blocks together once that happens often (wasm-jit/tier.ts missedChain).
    if (exit !== -1 && block !== undefined && block.wasm !== undefined && prev!.wasm !== undefined &&
      block.page === prev!.page) tier!.missedChain(prev!, exit, block);
    exit = -1;
    // A handler block that has run hotRuns times goes to the WebAssembly tier (compiled when its batch is). A queued
    // block that keeps running (a hot loop whose batch is not full yet) has its batch compiled once it ran
    // QUEUED_BLOCK_RUNS more times, rather than running as handlers until `queueRuns` runs passed.
    if (block !== undefined && block.tier <= 1 && tier !== undefined) {
      if (block.tier === 1) {
        if (++block.heat >= cache.wasmTuning.hotRuns + QUEUED_BLOCK_RUNS) tier.compileQueued();
      } else if (block.heat++ >= cache.wasmTuning.hotRuns) {
        block.tier = 1;
        tier.enqueue(block);
        if (cache.wasmTuning.hotRuns === 0) tier.compileQueued(); // test mode: WebAssembly from the first run
      }
    }
    if (block !== undefined && block.n > budget - done) {
      // The budget ends inside the block: its first instructions run through its handlers, and the next run
      // resumes it there (mid-block.ts) rather than building blocks at the PCs in between.
      const count = budget - done;
      runPart(cpu, block, 0, count, part);
      done += part.steps;
      if (part.stop !== undefined) return part.stop;
      if (part.steps === count && linking) {
        mid.block = block;
        mid.k = count;
        mid.gen = mem.tlbGeneration!;
        mid.el = cpu.el;
      }
      exit = -1;
      continue;
    }
    if (block === undefined) {
      const before = cpu.insnCount;
      const stop = cpu.interpret(1);
      done += Math.max(1, cpu.insnCount - before);
      if (stop !== Stop.Budget) return stop;
      continue;
    }
    const before = cpu.insnCount;
    if (block.valid !== undefined) block.valid[0] = header[ARENA_RUN_EPOCH]!;
    cpu.jumpCache.entryGen = gen;
    try {
      exit = block.run(cpu, budget - done);
      prev = block.ranTo ?? block;
      done += cpu.insnCount - before;
    } catch (e) {
      // cpu.pc is the faulting instruction's address (set before anything that can raise); earlier iterations of
      // a looping block have counted themselves.
      const at = cpu.pc;
      // (In a WebAssembly block that chained, the block that was running: `ranTo`.)
      const retired = Number(at - (block.ranTo ?? block).pc) >> 2;
      cpu.insnCount += retired;
      done += cpu.insnCount - before + 1;
      const stop = cpu.takeThrown(e, at, false);
      if (stop !== undefined) {
        trimToBudget(cpu);
        return stop;
      }
    }
    if (trimToBudget(cpu)) exit = -1;
  }
  return Stop.Budget;
}

/**
 * WebAssembly compiled since the last block ran (CodeCache.addCost: a module's code counts against the cache's
 * budget) may have taken the cache over its budget: flush it now, between blocks, as CodeCache.add flushes before
 * a new block would take it over (so the cache holds at most its budget, unless one block alone is larger). Returns
 * whether it flushed.
 */
function trimToBudget(cpu: Cpu): boolean {
  const cache = cpu.codeCache;
  if (cache.bytes <= cache.budget || cache.blockCount <= 1) return false; // (one block alone may be larger)
  cache.flush();
  return true;
}
