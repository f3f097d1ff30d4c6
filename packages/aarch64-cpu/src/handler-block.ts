/**
 * Building a basic block: a run of straight-line instructions in one page, ending at a branch, exception or system
 * instruction but the ones that do nothing here (the NOP hints and the DMB and DSB barriers: passThrough), or the
 * page end, or {@link MAX_BLOCK} instructions, decoded once through the CPU's decode cache into
 * a **handler block**: the block's decoded handlers, each called with its word and, for a specification row, the
 * word's decoded arguments (DecodeCache.argsOf), run in order, with no code generated. From its fourth run (decode-a64.ts
 * FAST_AFTER_RUNS), where its words have them, the block runs the fast interpreter's programs instead
 * (spec/fast-sem.ts, spec/fast-ops.ts: the specification recorded once per word as operations on 32-bit halves,
 * joined into one program per block), calling the handlers of the other words; the handlers stay for everything
 * else that runs a block's instructions one by one (a run that ends inside the block: mid-block.ts, the WebAssembly
 * tier's calls). Every block starts as one; the WebAssembly tier (wasm-jit/tier.ts) compiles a block once it is hot, and without WebAssembly (`wasm:
 * false`, or a host without it) every block stays a handler block. The run loop (jit.ts) looks blocks up and
 * chains them.
 *
 * What a handler block keeps exact, as the interpreter: before each handler call `cpu.pc` is the instruction's
 * address (so the run loop knows which instruction faulted and how many retired before it), `cpu.nextPc` the next
 * instruction's (branch handlers change it) and `cpu.dabtIss` 0 (load and store handlers set their syndrome).
 */
import { handlerBlockCost, type Block, type CodePage, PAGE_BYTES } from './code-cache.js';
import type { Cpu } from './cpu.js';
import type { Handler } from './decode.js';
import { directBranchTarget, isConditionalBranch } from './branch-targets.js';
import { findEncoding, NOP_HANDLER } from './decode-a64.js';
import { runFast, type FastFn } from './spec/fast-ops.js';
import { blockFastProgram } from './spec/fast-block.js';

/** Longest block, in instructions. */
export const MAX_BLOCK = 128;

/**
 * Whether a system instruction does nothing here and does not end a block: the rows whose handler is NOP's but ISB
 * and SB. Those are the hints (NOP, BTI, CSDB, ESB, and PACIASP, AUTIASP and the other pointer authentication hints,
 * which are NOPs without FEAT_PAuth) and the barriers DMB and DSB (a PE alone orders its own accesses; the vCPUs of
 * a VM run interleaved on one thread). Every kernel function starts with `nop; nop; paciasp` (the ftrace patch site
 * and PAC) and returns after `autiasp`: ending blocks there cost each call three block transitions. ISB (context
 * synchronization) and SB still end their block.
 */
export function passThrough(w: number): boolean {
  const row = findEncoding(w);
  return row !== undefined && row.exec === NOP_HANDLER && row.name !== 'ISB' && row.name !== 'SB';
}

/**
 * Whether the instruction ends a block: branches, exception generation and system instructions except MRS and the
 * instructions that do nothing here ({@link passThrough}).
 */
function endsBlock(w: number): boolean {
  const op0 = (w >>> 25) & 0xf;
  if (op0 !== 0b1010 && op0 !== 0b1011) return false;
  if ((w & 0xfff00000) >>> 0 === 0xd5300000) return false; // MRS reads only
  return (w & 0xfffff01f) >>> 0 !== 0xd503201f && (w & 0xfffff01f) >>> 0 !== 0xd503301f || !passThrough(w);
}

/**
 * The instructions of the block starting at word `start` of `page`: up to the page end, MAX_BLOCK, or a block end.
 * The words are read twice, once to find the end and once into an array of the block's length, so that nothing is
 * allocated but the two arrays the block keeps (a guest that keeps entering code at new PCs builds many blocks).
 */
function decodeBlock(cpu: Cpu, page: CodePage, start: number): { words: Uint32Array; handlers: Handler[]; args: unknown[]; ended: boolean } {
  const decoder = cpu.decoder;
  const limit = Math.min(PAGE_BYTES / 4, start + MAX_BLOCK);
  let end = start;
  let ended = false;
  while (end < limit) {
    if (endsBlock(page.view.getUint32(page.base + end++ * 4, true))) {
      ended = true;
      break;
    }
  }
  const words = new Uint32Array(end - start);
  const handlers = new Array<Handler>(end - start);
  const args = new Array<unknown>(end - start);
  for (let k = 0; k < words.length; k++) {
    const w = page.view.getUint32(page.base + (start + k) * 4, true);
    words[k] = w;
    handlers[k] = decoder.decode(w);
    args[k] = decoder.argsOf(w);
  }
  return { words, handlers, args, ended };
}

/** The fixed targets (taken, fall-through) of a block-ending direct branch `w` at `pc`; undefined where none. */
function directTargets(w: number, pc: bigint): [bigint | undefined, bigint | undefined] {
  const t = directBranchTarget(w, pc);
  return t === undefined ? [undefined, undefined] : [t, isConditionalBranch(w) ? pc + 4n : undefined];
}

/**
 * A handler block: a {@link Block} with what its runs need in fields rather than in closures over them (five
 * closures and their contexts a block cost a Linux boot, which builds about 64,000 blocks, 0.2 s: docs/performance.md,
 * twentieth session). Its `run` is one of the shared functions below, called as a method (`block.run(cpu, budget)`).
 */
interface HandlerBlock extends Block {
  /** The instructions' addresses, made as runs reach them ([n]: the address after the last). */
  readonly pcs: bigint[];
  /** The last instruction's fixed taken and fall-through targets (exits 0 and 1), where it has them. */
  readonly taken: bigint | undefined;
  readonly fall: bigint | undefined;
  /** Runs so far through the handlers, until the one that records the program (`CpuOptions.fastAfterRuns`). */
  runs: number;
  /** The fast interpreter's program and its function references, once recorded. */
  ops: Int32Array | undefined;
  refs: FastFn[] | undefined;
}

/** Instruction k's address (made on first use). */
function pcOf(b: HandlerBlock, k: number): bigint {
  return b.pcs[k] ?? (b.pcs[k] = b.pc + BigInt(4 * k));
}

/** After the block's instructions: the PC moves on, the count, and which exit (Block.run). */
function leave(b: HandlerBlock, c: Cpu): number {
  const next = c.nextPc;
  c.pc = next;
  c.insnCount += b.n;
  return next === b.taken ? 0 : next === b.fall ? 1 : -1;
}

/** `run` of a block that runs its words' handlers. */
function runViaHandlers(this: HandlerBlock, c: Cpu): number {
  const n = this.n;
  const pcs = this.pcs;
  const handlers = this.handlers;
  const words = this.words;
  const args = this.args;
  for (let k = 0; k < n; k++) {
    c.pc = pcs[k] ?? pcOf(this, k);
    c.nextPc = pcs[k + 1] ?? pcOf(this, k + 1);
    c.dabtIss = 0;
    handlers[k]!(c, words[k]!, args[k]);
  }
  return leave(this, c);
}

/** `run` of a block that runs its fast interpreter program. */
function runViaProgram(this: HandlerBlock, c: Cpu): number {
  runFast(c, this);
  return leave(this, c);
}

/**
 * `run` of a block whose program is not recorded yet: the first runs go through the handlers; the
 * fastAfterRuns-th (decode-a64.ts FAST_AFTER_RUNS by default) records the block's program and runs it.
 */
function runFirst(this: HandlerBlock, c: Cpu): number {
  // (Only while it is still the block's run: the WebAssembly tier may have replaced it.)
  if (++this.runs < c.decoder.fastAfterRuns || this.run !== runFirst) return runViaHandlers.call(this, c);
  const program = blockFastProgram(Array.from(this.words, (w) => c.decoder.decodeFast(w)), this.pc, this.taken);
  if (program === undefined) {
    this.run = runViaHandlers;
    return runViaHandlers.call(this, c);
  }
  for (let k = 0; k <= this.n; k++) pcOf(this, k); // the program's Insn operations read them all
  this.ops = program.ops;
  this.refs = program.refs;
  this.run = runViaProgram;
  return runViaProgram.call(this, c);
}

/**
 * Decode (through the CPU's decode cache) the block starting at word `start` of `page`, whose virtual address is
 * `pc`, into a handler block. Its `run` returns 0 or 1 when the next PC is the last instruction's fixed taken or
 * fall-through target (so the run loop can chain), else -1.
 */
export function buildBlock(cpu: Cpu, page: CodePage, start: number, pc: bigint): Block {
  const { words, handlers, args, ended } = decodeBlock(cpu, page, start);
  const n = words.length;
  const lastPc = pc + BigInt(4 * (n - 1));
  const [taken, fall] = ended ? directTargets(words[n - 1]!, lastPc) : [lastPc + 4n, undefined];
  // Every field, the WebAssembly tier's included (valid, ranTo, wasm), so that all blocks share one shape and the
  // run loop's property loads stay monomorphic. The addresses are made as runs reach them: a block that faults at
  // its first instruction (or a run that leaves early) makes only the first few.
  const block: HandlerBlock = {
    pc, n, words, start, cost: handlerBlockCost(n), run: cpu.decoder.fast ? runFirst : runViaHandlers, ended, heat: 0,
    tier: 0, page, epoch: page.region.cache.epoch, checked: 0, handlers, args, alive: true, next0: undefined,
    next1: undefined, gen0: 0, gen1: 0, valid: undefined, ranTo: undefined, wasm: undefined,
    pcs: new Array<bigint>(n + 1), taken, fall, runs: 0, ops: undefined, refs: undefined,
  };
  return block;
}
