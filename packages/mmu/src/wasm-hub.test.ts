// The WebAssembly tier's hub (aarch64-cpu wasm-jit/tier.ts makeHub): block modules import the arena and the hub
// table, no function (V8 compiles wrappers for a module's function imports with the module, whatever its size), and
// their handler calls reach their own call sites through the hub even as modules die and their numbers are reused.
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords } from './arena-test-env.js';
import { RAM_BASE } from './test-env.js';

const L = RAM_BASE + 0x1000;

/** `WebAssembly.Module` as far as this test uses it (this package's TypeScript configuration has no DOM types). */
interface ModuleClass {
  new (bytes: Uint8Array): object;
  imports(module: object): Array<{ module: string; name: string; kind: string }>;
}

/** A loop that stores its own first word back (its block dies each time: a new module) and runs CRC32X, a handler call. */
const PROGRAM = [
  0x9100_0400, // L:    add x0, x0, #1
  0x9ac0_4ca5, //       crc32x w5, w5, x0   (no translation: a call of its handler)
  0xb900_0041, //       str w1, [x2]        (writes L's own word back: the block dies)
  0xf100_0463, //       subs x3, x3, #1
  0x54ff_ff81, //       b.ne L
  0x1400_0000, //       b .
];

function run(engine: 'wasm' | 'handlers', iterations: number) {
  const e = arenaEnv(engine, { wasmTier: { hotRuns: 0 } });
  loadWords(e, L, PROGRAM);
  e.cpu.x[1] = BigInt(PROGRAM[0]!);
  e.cpu.x[2] = BigInt(L);
  e.cpu.x[3] = BigInt(iterations);
  e.cpu.x[5] = 0xffff_ffffn;
  e.cpu.pc = BigInt(L);
  e.cpu.run(5 * iterations + 1);
  return e;
}

describe('the WebAssembly tier\'s hub', () => {
  it('block modules import the arena and the hub table only', () => {
    const W = (globalThis as unknown as { WebAssembly: { Module: ModuleClass } }).WebAssembly;
    const Original = W.Module;
    const imports: string[][] = [];
    W.Module = class extends Original {
      constructor(bytes: Uint8Array) {
        super(bytes);
        imports.push(Original.imports(this).map((i) => `${i.module}.${i.name}: ${i.kind}`).sort());
      }
    };
    try {
      const e = run('wasm', 50);
      expect(e.cpu.pc).toBe(BigInt(L + 20));
    } finally {
      W.Module = Original;
    }
    const blockModules = imports.filter((i) => i.includes('env.hub: table'));
    expect(blockModules.length).toBeGreaterThan(10);
    for (const i of blockModules) expect(i).toEqual(['env.hub: table', 'env.mem: memory']);
  });

  it('handler calls of modules compiled over and over (module numbers reused) compute as handler blocks do', () => {
    const wasm = run('wasm', 3_000);
    const handlers = run('handlers', 3_000);
    const tier = wasm.cpu.codeCache.wasmTier(wasm.cpu.arena)!;
    expect(tier.stats().modules).toBeGreaterThan(2_000);
    // Dead modules give their numbers back (freeDeadSlabs), so few are ever handed out.
    expect(tier.stats().moduleNumbers).toBeLessThan(300);
    expect(wasm.cpu.pc).toBe(BigInt(L + 20));
    expect(wasm.cpu.x[0]).toBe(3_000n);
    expect(wasm.cpu.x[5]).toBe(handlers.cpu.x[5]);
    expect(wasm.cpu.x[5]).not.toBe(0xffff_ffffn);
  });
});
