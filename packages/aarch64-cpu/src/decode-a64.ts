/**
 * The A64 top-level decode (Arm ARM C4.1): bits [28:25] choose the instruction group; each group's table lives in
 * its own file under insn/, named after the Arm ARM's class. A word no row matches is UNDEFINED.
 *
 * Decoded handlers are memoised in a small direct-mapped {@link DecodeCache} keyed by the instruction word, one per
 * CPU (`cpu.decoder`): decoding is a linear scan of the group's rows, so guest loops must not pay it on every
 * iteration. The group tables are built once at import from the constant encoding tables and never change.
 */
import { compileTable, indexTable, matchIndexed, type CompiledRow, type EncodingRow, type Handler, type IndexedTable } from './decode.js';
import { BRANCHES_EXCEPTIONS_SYSTEM } from './insn/branches-exceptions-system.js';
import { DATA_PROCESSING_IMMEDIATE } from './insn/data-processing-immediate.js';
import { DATA_PROCESSING_REGISTER } from './insn/data-processing-register.js';
import { LOADS_AND_STORES } from './insn/loads-and-stores.js';
import { MTE_DATA_PROCESSING_IMMEDIATE, MTE_DATA_PROCESSING_REGISTER, MTE_LOADS_AND_STORES } from './insn/mte.js';
import { SIMD_FP_DATA_PROCESSING, SIMD_FP_LOADS_AND_STORES } from './insn/simd-fp-table.js';

import { undefinedInstruction } from './undefined.js';
import { fastProgram, type FastProgram } from './spec/fast-sem.js';
import type { AnyInsnSpec } from './spec/spec.js';

export { undefinedInstruction };

const undef: Handler = () => undefinedInstruction();

/** The group tables, indexed by insn bits [28:25]. */
const GROUPS: IndexedTable[] = [];
function group(rows: readonly EncodingRow[], bits: readonly number[], ...op0: number[]): void {
  const compiled = indexTable(compileTable(rows), bits);
  for (const o of op0) GROUPS[o] = compiled;
}
/**
 * The SIMD&FP data-processing rows (over a thousand: one per instruction, size and Q) are bucketed by U, bit 28
 * (scalar/vector), bit 24, size, bit 21 and opcode bits [15:10], so a decode scans a few dozen of them.
 */
const SIMD_FP_INDEX_BITS = [29, 28, 24, 23, 22, 21, 15, 14, 13, 12, 11, 10];
group([], [], 0b0000, 0b0001, 0b0010, 0b0011); // reserved, SME, unallocated, SVE (not implemented)
group(SIMD_FP_DATA_PROCESSING, SIMD_FP_INDEX_BITS, 0b0111, 0b1111);
// The MTE rows (insn/mte.ts) go ahead of each group's general rows; their encodings are UNDEFINED in the class files.
group([...MTE_DATA_PROCESSING_IMMEDIATE, ...DATA_PROCESSING_IMMEDIATE], [], 0b1000, 0b1001);
group(BRANCHES_EXCEPTIONS_SYSTEM, [], 0b1010, 0b1011);
// Loads and stores: op0<1> (bit 26) is V, so the SIMD&FP rows are only in the groups with it set.
group([...MTE_LOADS_AND_STORES, ...LOADS_AND_STORES], [], 0b0100, 0b1100);
group([...SIMD_FP_LOADS_AND_STORES, ...MTE_LOADS_AND_STORES, ...LOADS_AND_STORES], [], 0b0110, 0b1110);
group([...MTE_DATA_PROCESSING_REGISTER, ...DATA_PROCESSING_REGISTER], [], 0b0101, 0b1101);

/** Decode without the cache: the row for `insn`, or undefined if it is UNDEFINED. Exposed for tests and tools. */
export function findEncoding(insn: number): CompiledRow | undefined {
  return matchIndexed(GROUPS[(insn >>> 25) & 0xf]!, insn);
}

/** Decode without a cache: the handler for `insn` (the UNDEFINED handler when no row matches). */
export function decodeA64(insn: number): Handler {
  return findEncoding(insn >>> 0)?.exec ?? undef;
}

/** The handler of NOP, which the hint and barrier rows that do nothing in this model share. */
export const NOP_HANDLER: Handler | undefined = findEncoding(0xd503201f)?.exec;

/**
 * The fast interpreter's program of a word whose handler is NOP's (the hints and barriers that do nothing here):
 * none, rather than a call of the handler (1.2 M calls in a Linux boot: every kernel function starts with
 * `nop; nop; paciasp`).
 */
const NOTHING: FastProgram = { ops: new Int32Array(0), refs: [], refAt: [], pcPatches: [] };

const CACHE_SIZE = 8192;

/**
 * The run of a handler block that records its fast interpreter program (spec/fast-sem.ts) and runs it, unless
 * `CpuOptions.fastAfterRuns` says otherwise (handler-block.ts); the runs before call its handlers. Recording costs a
 * few microseconds a word, several runs of the BigInt handlers: code that runs a few times in all (bench-osboot's
 * generated code runs three times) lost a quarter of its speed when every block recorded at once
 * (docs/performance.md, fifteenth session).
 */
export const FAST_AFTER_RUNS = 4;

/**
 * A direct-mapped memo of {@link decodeA64}: 8,192 slots keyed by the instruction word (about 380 KiB, measured),
 * each with the word's handler and, for a row of the instruction specification, its decoded arguments and, once
 * asked for, its fast interpreter program. (32,768 slots saved a Linux boot a fifth of
 * its block-building time, but took a four-vCPU hostile guest over vmm-lite's RSS bound: hostile.test.ts, seed
 * 395254656, 365 MiB; tried again once handler blocks allocated less, the boot did not move: docs/performance.md,
 * eighteenth session.) Each CPU has its own (`cpu.decoder`), so nothing is shared between CPUs, VMs or workers.
 */
export class DecodeCache {
  // Slot 0 holds word 0 (UDF #0), which is UNDEFINED: the initial contents are already correct.
  private readonly keys = new Uint32Array(CACHE_SIZE);
  private readonly handlers: Handler[] = new Array<Handler>(CACHE_SIZE).fill(undef);
  private readonly args: unknown[] = new Array<unknown>(CACHE_SIZE).fill(undefined);
  private readonly specs: (AnyInsnSpec | undefined)[] = new Array<AnyInsnSpec | undefined>(CACHE_SIZE).fill(undefined);
  /** The slot's fast program (null: the word has none; undefined: not recorded yet), see {@link decodeFast}. */
  private readonly programs: (FastProgram | null | undefined)[] = new Array<FastProgram | null | undefined>(CACHE_SIZE).fill(undefined);

  /**
   * `fast`: {@link decodeFast} gives the fast interpreter's programs (spec/fast-sem.ts) where a row has one; false
   * gives none, so handler blocks run the BigInt handlers everywhere (for comparing the two). `fastAfterRuns`: the
   * run of a handler block that records its program (CpuOptions.fastAfterRuns).
   */
  constructor(readonly fast = true, readonly fastAfterRuns = FAST_AFTER_RUNS) {}

  /** The handler for `insn`, decoded on the first use of its slot. */
  decode(insn: number): Handler {
    const w = insn >>> 0;
    const slot = (w ^ (w >>> 13) ^ (w >>> 26)) & (CACHE_SIZE - 1);
    if (this.keys[slot] === w && (w !== 0 || slot === 0)) return this.handlers[slot]!;
    const row = findEncoding(w);
    let h = row === undefined ? undef : row.exec;
    let a: unknown;
    if (row?.decodeArgs !== undefined) {
      a = row.decodeArgs(w);
      if (a === undefined) h = undef;
    }
    this.keys[slot] = w;
    this.handlers[slot] = h;
    this.args[slot] = a;
    this.specs[slot] = a === undefined ? undefined : row!.spec;
    this.programs[slot] = undefined;
    return h;
  }

  /**
   * The arguments to keep with `insn` for later runs of this one word (a handler block's), passed to its handler
   * (decode.ts Handler): a specification row's decoded arguments, so that running it never decodes again (the cache
   * holds 8192 words; a kernel runs far more distinct ones, and re-decoding evicted words was a sixth of a Linux
   * boot's handler-block time); undefined for a handler row or an UNDEFINED word. (Handlers bound to their
   * arguments did the same with a closure per word, 166,000 in a Linux boot: docs/performance.md, twentieth session.)
   */
  argsOf(insn: number): unknown {
    this.decode(insn);
    const w = insn >>> 0;
    return this.args[(w ^ (w >>> 13) ^ (w >>> 26)) & (CACHE_SIZE - 1)];
  }

  /**
   * The fast interpreter's program for `insn` (spec/fast-sem.ts), recorded on the first use of the word's slot and
   * kept with it (an empty one for a word whose handler is NOP's), or undefined: a word of a row without a
   * specification or with operations the recording does not replay, an UNDEFINED word, or any word when the cache was
   * made with `fast` false.
   */
  decodeFast(insn: number): FastProgram | undefined {
    if (!this.fast) return undefined;
    this.decode(insn);
    const w = insn >>> 0;
    const slot = (w ^ (w >>> 13) ^ (w >>> 26)) & (CACHE_SIZE - 1);
    let p = this.programs[slot];
    if (p === undefined) {
      const spec = this.specs[slot];
      p = spec !== undefined ? fastProgram(spec, this.args[slot]) ?? null
        : this.handlers[slot] === NOP_HANDLER ? NOTHING : null;
      this.programs[slot] = p;
    }
    return p ?? undefined;
  }

  /**
   * The arguments a specification row decoded for `insn` when it entered the cache, or undefined when its slot has
   * since been given to another word (the row's handler then decodes again).
   */
  cachedArgs(insn: number): unknown {
    const w = insn >>> 0;
    const slot = (w ^ (w >>> 13) ^ (w >>> 26)) & (CACHE_SIZE - 1);
    return this.keys[slot] === w ? this.args[slot] : undefined;
  }
}
