/**
 * The WebAssembly emitter for the wasm JIT (issue 11): build modules and function bodies as bytes, with no compiler
 * toolchain at run time. Not exported from the package yet; import from here.
 *
 * ```ts
 * const m = new ModuleBuilder();
 * const t = m.type([ValType.i32, ValType.i32], [ValType.i32]);
 * const f = m.beginFunction({ typeIndex: t });
 * f.localGet(0).localGet(1).op(Op.i32_add);
 * m.exportFunction('add', m.endFunction());
 * const bytes = m.finish(); // WebAssembly.compile(bytes)
 * ```
 */

export { ByteBuffer } from './byte-buffer.js';
export { FunctionBuilder, type FunctionContext } from './function-builder.js';
export { ModuleBuilder, type Limits, type MemoryLimits } from './module-builder.js';
export {
  Bulk, Ctl, MemOp, MiscOp, Op, Prefix, SimdLaneOp, SimdMemLaneOp, SimdMemOp, SimdOp,
  type MemOpcode, type MiscOpcode, type Opcode, type SimdLaneOpcode, type SimdMemLaneOpcode, type SimdMemOpcode,
  type SimdOpcode,
} from './opcodes.js';
export { ExternalKind, MAX_MEMORY_PAGES, ValType, VOID_BLOCK, WasmBuildError, type BlockType } from './types.js';
export * as leb128 from './leb128.js';
