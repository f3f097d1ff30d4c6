// The block function's prologue (block-emitter.ts prologue, trimPrologue): the parts no instruction of the block used
// are removed after the body is emitted, and what is left still runs. (Whether the parts a body uses stay is what the
// tier's tests check by running loads, stores and SP accesses: mmu/src/wasm-tier.test.ts, code-cache.test.ts.)
import { describe, expect, it } from 'vitest';
import { St } from '../state-layout.js';
import { wasmApi } from '../wasm/host-api.js';
import { ModuleBuilder } from '../wasm/module-builder.js';
import { Op } from '../wasm/opcodes.js';
import { ValType } from '../wasm/types.js';
import { BlockEmitter } from './block-emitter.js';

const { i32 } = ValType;
const api = wasmApi()!;

/**
 * A block-shaped function `(st, budget, mode) -> i32` whose body is the prologue, then `body` (which leaves an i32),
 * trimmed; returns the bytes trimPrologue removed and the function, instantiated over a fresh memory.
 */
function build(body: (e: BlockEmitter) => void): { removed: number; run: (st: number, mode: number) => number; mem: DataView } {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1 });
  const sig = m.type([i32, i32, i32], [i32]);
  const f = m.beginFunction({ typeIndex: sig });
  // (The import and function indices are never used by these bodies.)
  const e = new BlockEmitter(f, 0, 0, 0, 0);
  e.prologue(false, 1);
  body(e);
  const removed = e.trimPrologue();
  m.exportFunction('f', m.endFunction());
  const memory = new api.Memory({ initial: 1 });
  const inst = new api.Instance(new api.Module(m.finish()), { env: { mem: memory } });
  const fn = inst.exports.f as (st: number, budget: number, mode: number) => number;
  return { removed, run: (st, mode) => fn(st, 10, mode), mem: new DataView(memory.buffer as ArrayBuffer) };
}

describe('BlockEmitter.trimPrologue', () => {
  it('removes every optional part from a body that uses none of them', () => {
    const none = build((e) => e.f.i32Const(7));
    // The SP address, the data TLB locals, the tag mask and the shared site caches: all of them go.
    expect(none.removed).toBeGreaterThan(40);
    expect(none.run(0, 0)).toBe(7);
  });

  it('keeps the SP address for a body that reads SP, which then reads the mode\'s SP', () => {
    const sp = build((e) => {
      e.xsp(31);
      e.f.op(Op.i32_wrap_i64);
    });
    const none = build((e) => e.f.i32Const(7));
    expect(sp.removed).toBeLessThan(none.removed);
    const st = 1024;
    sp.mem.setBigUint64(st + St.SP_EL0, 0x1111n, true);
    sp.mem.setBigUint64(st + St.SP_EL0 + 8, 0x2222n, true);
    expect(sp.run(st, 0)).toBe(0x1111); // mode bit 0 clear: SP_EL0
    expect(sp.run(st, 1)).toBe(0x2222); // set: SP_EL1
  });
});
