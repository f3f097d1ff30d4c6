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
 *
 * A second table holds each slot's check function (block-emitter.ts emitCheckFunction: its words compared with
 * memory, its validity word set to this run's epoch), called through `check(slot)`: an arena jump cache chain to a
 * block not yet entered in this run revalidates it there instead of leaving for the run loop
 * (BlockEmitter.jumpCacheChain). A slot without one (a block whose words lie outside the arena, or no block) holds
 * a function that answers 0. (In a module of its own: the module builder makes one table per module.)
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

/** A check function's signature: () -> 1 when the block is still what memory holds (block-emitter.ts). */
export type CheckFunction = () => number;

export class BlockTable {
  /**
   * Runs the function in `slot` with the block function's arguments and returns its exit code. Block modules import
   * it too: their exits tail-call other modules' blocks through it (wasm-jit/jump-cache.ts).
   */
  readonly enter: (slot: number, st: number, budget: number, mode: number) => number;
  /** Runs the check function in `slot` (0 when it has none). Block modules import it (jumpCacheChain). */
  readonly check: (slot: number) => number;
  private readonly table: WasmTable;
  private readonly checks: WasmTable;
  /** The check function of slots without one: answers 0. */
  private readonly noCheck: CheckFunction;
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
    const c = new ModuleBuilder();
    const sigCheck = c.type([], [i32]);
    c.defineTable({ min: INITIAL_SLOTS });
    const check = c.beginFunction({ typeIndex: c.type([i32], [i32]) });
    check.localGet(0).returnCallIndirect(sigCheck);
    c.exportFunction('check', c.endFunction());
    const none = c.beginFunction({ typeIndex: sigCheck });
    none.i32Const(0);
    c.exportFunction('none', c.endFunction());
    c.exportTable('table');
    const ci = new wasm.Instance(new wasm.Module(c.finish()), {});
    this.check = ci.exports.check as BlockTable['check'];
    this.checks = ci.exports.table as WasmTable;
    this.noCheck = ci.exports.none as CheckFunction;
    for (let i = 0; i < this.checks.length; i++) this.checks.set(i, this.noCheck);
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
      if (slot >= this.table.length) {
        const n = this.table.length;
        this.table.grow(n);
        this.checks.grow(n);
        for (let i = n; i < 2 * n; i++) this.checks.set(i, this.noCheck);
      }
    }
    return slot;
  }

  /**
   * Put `fn` in `slot` instead (a block compiled, or compiled again: WasmTier.regroup), with its check function
   * (none: the slot answers 0).
   */
  replace(slot: number, fn: BlockFunction, check?: CheckFunction): void {
    this.table.set(slot, fn);
    this.checks.set(slot, check ?? this.noCheck);
  }

  /** `slot` is free again (its block died); its functions are dropped so their module can be collected. */
  release(slot: number): void {
    this.table.set(slot, null);
    this.checks.set(slot, this.noCheck);
    this.freeSlots.push(slot);
  }
}
