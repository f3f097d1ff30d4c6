/**
 * Budgets that end inside a block (jit.ts runBlocks). A run's budget may end at any instruction, so it often ends
 * inside a block; the next run then starts at that instruction. Building blocks at those PCs would crowd a page's
 * blocks with suffixes of hot blocks (bench-recursive had over 500 on its one code page, more than a regroup compiles
 * into one WebAssembly module), so instead the run loop runs the budget's last instructions through the block's own
 * decoded handlers, notes where the block resumes (`JumpCache.mid`), and the next run, starting there, runs the rest
 * of that block the same way before it looks for blocks again.
 *
 * Running part of a block this way is exact as the block's own `run` is (handler-block.ts): `cpu.pc`, `cpu.nextPc`
 * and `cpu.dabtIss` are set before each handler, and only a block's last instruction can leave it other than by an
 * exception. IRQs are taken between blocks, as everywhere in the run loop.
 */
import type { Block } from './code-cache.js';
import type { Cpu } from './cpu.js';
import type { StopCode } from './exits.js';

/** Where the last run's budget ended inside a block (kept in the CPU's JumpCache). */
export interface MidBlock {
  /** The block, or undefined when the last run did not end inside one. */
  block: Block | undefined;
  /** The index in it of the next instruction to run. */
  k: number;
  /** The memory port's TLB generation and the EL when the run ended (the block's translation still holds). */
  gen: number;
  el: number;
}

export function newMidBlock(): MidBlock {
  return { block: undefined, k: 0, gen: 0, el: 0 };
}

/** What {@link runPart} did: the steps it used (instructions, and the step an exception took) and the stop, if any. */
export interface PartRun {
  steps: number;
  stop: StopCode | undefined;
}

/**
 * Run `count` instructions of block `b` from its instruction `from` (`cpu.pc` is that instruction's address) through
 * the block's decoded handlers, counting each as it retires. An exception is taken as the run loop takes it
 * (Cpu.takeThrown), and ends the part: the steps used are the instructions retired before it plus one.
 */
export function runPart(cpu: Cpu, b: Block, from: number, count: number, out: PartRun): void {
  const handlers = b.handlers;
  const words = b.words;
  const args = b.args;
  let pc = cpu.pc;
  let k = from;
  try {
    for (; k < from + count; k++) {
      cpu.pc = pc;
      cpu.nextPc = pc + 4n;
      cpu.dabtIss = 0;
      handlers[k]!(cpu, words[k]!, args[k]);
      pc = cpu.nextPc;
      cpu.pc = pc;
      cpu.insnCount++;
    }
  } catch (e) {
    out.steps = k - from + 1;
    out.stop = cpu.takeThrown(e, cpu.pc, false);
    return;
  }
  out.steps = count;
  out.stop = undefined;
}
