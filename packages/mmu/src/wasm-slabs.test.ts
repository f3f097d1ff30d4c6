// The WebAssembly tier's arena use stays bounded when a guest keeps making it recompile (a self-patching loop): each
// module's validity words go back to the arena once its blocks have died.
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords } from './arena-test-env.js';
import { RAM_BASE } from './test-env.js';

const L = RAM_BASE + 0x1000;

describe('the WebAssembly tier and the arena', () => {
  it('a loop that stores over its own code 20,000 times: recompiled thousands of times, arena use flat', () => {
    const e = arenaEnv('wasm', { wasmTier: { hotRuns: 0 } });
    loadWords(e, L, [
      0x9100_0400, // L:    add x0, x0, #1
      0xb900_0041, //       str w1, [x2]      (writes L's own word back: the block dies)
      0xf100_0463, //       subs x3, x3, #1
      0x54ff_ffa1, //       b.ne L
      0x1400_0000, //       b .
    ]);
    e.cpu.x[1] = 0x9100_0400n;
    e.cpu.x[2] = BigInt(L);
    e.cpu.x[3] = 20_000n;
    e.cpu.pc = BigInt(L);
    const tier = e.cpu.codeCache.wasmTier(e.cpu.arena)!;
    e.cpu.run(8_000); // 2,000 iterations
    const used = e.cpu.arena.used;
    const modules = tier.stats().modules;
    e.cpu.run(72_000); // 18,000 more
    expect(e.cpu.x[0]).toBe(20_000n);
    expect(e.cpu.pc).toBe(BigInt(L + 16));
    expect(tier.stats().modules - modules).toBeGreaterThan(1_000);
    expect(e.cpu.arena.used).toBe(used);
  });
});
