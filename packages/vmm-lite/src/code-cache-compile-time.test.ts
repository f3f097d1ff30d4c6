// The code cache reports how long translation took (CodeCacheStats.compileMs, reported per guest by `pnpm bench`):
// time spent only while blocks were built, so at most the wall time of the run that built them.
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { CODE_FLOOD_LOAD, codeFloodCode } from './testing/code-flood.js';
import { codeElf } from './testing/elf-builder.js';

const MIB = 1024 * 1024;

describe('CodeCacheStats.compileMs', () => {
  it('is zero before anything runs, then positive, growing with the blocks built and within the run time', async () => {
    const memory = 16 * MIB;
    const m = new VirtMachine({ memory });
    m.load({ kernel: codeElf(codeFloodCode(memory), CODE_FLOOD_LOAD) });
    expect(m.vm.codeCache.stats()).toMatchObject({ built: 0, compileMs: 0 });
    const t0 = performance.now();
    await m.run({ maxInstructions: 5_000, detectLoops: false });
    const wall = performance.now() - t0;
    const first = m.vm.codeCache.stats();
    expect(first.built).toBeGreaterThan(0);
    expect(first.compileMs).toBeGreaterThan(0);
    expect(first.compileMs).toBeLessThanOrEqual(wall);
    // The store loop that writes the pages takes about 16,000 instructions; then each instruction is a new page.
    await m.run({ maxInstructions: 40_000, detectLoops: false });
    const second = m.vm.codeCache.stats();
    expect(second.built).toBeGreaterThan(first.built);
    expect(second.compileMs).toBeGreaterThan(first.compileMs);
  });
});
