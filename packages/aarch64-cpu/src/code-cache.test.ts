// The code cache's WebAssembly tier options: defaults and the checks of what a caller passes.
import { describe, expect, it } from 'vitest';
import { CodeCache } from './code-cache.js';
import { BATCH_BLOCKS, HOT_RUNS, QUEUE_RUNS } from './wasm-jit/tier.js';

describe('CodeCache WebAssembly tier options', () => {
  it('defaults to the exported constants and keeps what is passed', () => {
    expect(new CodeCache().wasmTuning).toEqual({ hotRuns: HOT_RUNS, batchBlocks: BATCH_BLOCKS, queueRuns: QUEUE_RUNS });
    expect(new CodeCache(undefined, { hotRuns: 0, batchBlocks: 1, queueRuns: 4 }).wasmTuning)
      .toEqual({ hotRuns: 0, batchBlocks: 1, queueRuns: 4 });
  });

  it('throws a RangeError naming the option for values that are not integers in range', () => {
    for (const [opts, name] of [
      [{ hotRuns: -1 }, 'hotRuns'], [{ hotRuns: 1.5 }, 'hotRuns'],
      [{ batchBlocks: 0 }, 'batchBlocks'], [{ batchBlocks: Number.NaN }, 'batchBlocks'],
      [{ queueRuns: 0 }, 'queueRuns'], [{ queueRuns: 2.5 }, 'queueRuns'], [{ queueRuns: Infinity }, 'queueRuns'],
    ] as const) {
      expect(() => new CodeCache(undefined, opts)).toThrow(new RegExp(`wasm ${name} must be a`));
      expect(() => new CodeCache(undefined, opts)).toThrow(RangeError);
    }
  });
});
