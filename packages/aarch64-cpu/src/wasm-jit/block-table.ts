/**
 * The WebAssembly tier's entry from JavaScript: every compiled block's function has a slot in one funcref table, and
 * the run loop calls every block through one exported function of a small module, `enter(slot, st, budget, mode)`,
 * which tail-calls the slot's function.
 *
 * Why: calling each block's own export is a call site with tens of thousands of targets (a kernel boot compiles about
 * 40,000 blocks), and V8 gives each exported function a compiled JavaScript-to-WebAssembly wrapper only after it was
 * called many times, so most block calls went through its generic wrapper (about 5% of a Linux boot's profile). One
 * entry function is one call site and one wrapper, compiled at once. The table is per tier (so per VM), not module
 * state.
 */
import { ModuleBuilder } from '../wasm/module-builder.js';
import type { WasmApi } from '../wasm/host-api.js';
import { ValType } from '../wasm/types.js';

const { i32 } = ValType;

/** Slots the table starts with; it grows by doubling. */
const INITIAL_SLOTS = 1024;

/** A `WebAssembly.Table` of funcref, as far as this file uses it. */
interface WasmTable {
  readonly length: number;
  grow(delta: number): number;
  set(index: number, value: unknown): void;
}

/** A block function's signature: (state block offset, budget, mode) -> exit code (block-emitter.ts). */
export type BlockFunction = (st: number, budget: number, mode: number) => number;

export class BlockTable {
  /**
   * Runs the function in `slot` with the block function's arguments and returns its exit code. Block modules import
   * it too: their exits tail-call other modules' blocks through it (wasm-jit/jump-cache.ts).
   */
  readonly enter: (slot: number, st: number, budget: number, mode: number) => number;
  private readonly table: WasmTable;
  private readonly freeSlots: number[] = [];
  private used = 0;

  constructor(wasm: WasmApi) {
    const m = new ModuleBuilder();
    const sigBlock = m.type([i32, i32, i32], [i32]);
    m.defineTable({ min: INITIAL_SLOTS });
    const f = m.beginFunction({ typeIndex: m.type([i32, i32, i32, i32], [i32]) });
    f.localGet(1).localGet(2).localGet(3).localGet(0).returnCallIndirect(sigBlock);
    m.exportFunction('enter', m.endFunction());
    m.exportTable('table');
    const inst = new wasm.Instance(new wasm.Module(m.finish()), {});
    this.enter = inst.exports.enter as BlockTable['enter'];
    this.table = inst.exports.table as WasmTable;
  }

  /** A slot holding `fn` (an exported block function of any module of this tier). */
  add(fn: BlockFunction): number {
    const slot = this.reserve();
    this.table.set(slot, fn);
    return slot;
  }

  /**
   * A free slot, holding no function yet (a block's exit codes name its slot, so the tier needs it before the
   * block's module exists; `replace` then puts the function in, or `release` gives the slot back).
   */
  reserve(): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.used++;
      if (slot >= this.table.length) this.table.grow(this.table.length);
    }
    return slot;
  }

  /** Put `fn` in `slot` instead (a block compiled again: WasmTier.regroup). */
  replace(slot: number, fn: BlockFunction): void {
    this.table.set(slot, fn);
  }

  /** `slot` is free again (its block died); its function is dropped so its module can be collected. */
  release(slot: number): void {
    this.table.set(slot, null);
    this.freeSlots.push(slot);
  }
}
