/**
 * WebAssembly translations of the branches that end a block, derived from the instruction specification
 * (spec/branches.ts) by its WebAssembly backend (spec-wasm.ts `WasmSem.branch`/`branchIf`/`finishBranch`): B, BL,
 * B.cond, CBZ/CBNZ, TBZ/TBNZ leave through direct exits (their targets are fixed when the block is compiled); BR,
 * BLR and RET leave with the target in the state block when it is canonical and aligned, else their handler runs
 * (BranchAddr's TBI rule and the PC alignment check are the handler's). Every other block end is a handler call.
 */
import { parsePattern, type Fields } from '../spec/pattern.js';
import { BRANCH_SPECS } from '../spec/branches.js';
import type { AnyInsnSpec } from '../spec/spec.js';
import type { BlockEmitter } from './block-emitter.js';
import { WasmSem } from './spec-wasm.js';

/** What a block-ending branch translation emitted: the targets of exits 0 and 1 (undefined where unused). */
export interface BranchExits {
  readonly taken: bigint | undefined;
  readonly fall: bigint | undefined;
}

const SPECS: readonly AnyInsnSpec[] = [...BRANCH_SPECS.direct, ...BRANCH_SPECS.register];
const BY_NAME: ReadonlyMap<string, { readonly spec: AnyInsnSpec; readonly read: (insn: number) => Fields }> = new Map(
  SPECS.map((spec) => [spec.name, { spec, read: parsePattern(spec.pattern).read }]));

/**
 * Emit the block's last instruction `w` at `e.pc` (index n - 1) as a branch with its exits; undefined when it is
 * not one of the translated branches or its specification leaves it to the handler (then nothing about the block
 * end was emitted). `blockPc` is the block's start (an exit there loops).
 */
export function emitBranch(e: BlockEmitter, name: string, w: number, n: number, blockPc: bigint): BranchExits | undefined {
  const entry = BY_NAME.get(name);
  if (entry === undefined) return undefined;
  const args: unknown = entry.spec.decode(entry.read(w));
  if (args === undefined) return undefined;
  const sem = new WasmSem(e, undefined, { n, pc: blockPc });
  entry.spec.exec(sem, args);
  // A call's target is another function's body: no loop of this function goes through it.
  e.callExit = name === 'BL';
  const exits = sem.finishBranch();
  e.callExit = false;
  return exits;
}
