// The WebAssembly tier's entry (block-table.ts): one exported function runs the block function in a table slot.
import { describe, expect, it } from 'vitest';
import { wasmApi } from '../wasm/host-api.js';
import { ModuleBuilder } from '../wasm/module-builder.js';
import { Op } from '../wasm/opcodes.js';
import { ValType } from '../wasm/types.js';
import { BlockTable, type BlockFunction } from './block-table.js';

const { i32 } = ValType;
const api = wasmApi()!;

/** `count` block-shaped functions (st, budget, mode) -> st + k * budget + mode, for k = 0 .. count - 1, in one module. */
function functions(count: number): BlockFunction[] {
  const m = new ModuleBuilder();
  const sig = m.type([i32, i32, i32], [i32]);
  for (let k = 0; k < count; k++) {
    const f = m.beginFunction({ typeIndex: sig });
    f.localGet(0).localGet(1).i32Const(k).op(Op.i32_mul).op(Op.i32_add).localGet(2).op(Op.i32_add);
    m.exportFunction(`f${k}`, m.endFunction());
  }
  const inst = new api.Instance(new api.Module(m.finish()), {});
  return Array.from({ length: count }, (_, k) => inst.exports[`f${k}`] as BlockFunction);
}

describe('BlockTable', () => {
  it('enter(slot, ...) runs the function in the slot with the block arguments', () => {
    const t = new BlockTable(api);
    const fs = functions(3);
    const slots = fs.map((f) => t.add(f));
    expect(new Set(slots).size).toBe(3);
    slots.forEach((s, k) => expect(t.enter(s, 1000, 10, 3)).toBe(1000 + 10 * k + 3));
  });

  it('grows past its first size, reuses released slots, and replace swaps a slot\'s function', () => {
    const t = new BlockTable(api);
    const fs = functions(3000);
    const slots = fs.map((f) => t.add(f));
    expect(t.enter(slots[2999]!, 0, 1, 0)).toBe(2999);
    t.release(slots[5]!);
    expect(() => t.enter(slots[5]!, 0, 1, 0)).toThrow(); // an empty slot traps: never run a dead block's slot
    const again = t.add(fs[7]!);
    expect(again).toBe(slots[5]);
    expect(t.enter(again, 0, 1, 0)).toBe(7);
    t.replace(slots[9]!, fs[11]!);
    expect(t.enter(slots[9]!, 0, 1, 0)).toBe(11);
  });
});
