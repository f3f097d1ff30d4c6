/**
 * Value types, block types and the error type of the WebAssembly emitter. Encodings are the WebAssembly core
 * specification's binary format (with the SIMD, bulk-memory and tail-call additions).
 */

/** A value type, as its one-byte binary encoding. */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
} as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** The block type of a block, loop or if that takes nothing and returns nothing. */
export const VOID_BLOCK = 0x40;

/** A block type given directly: `VOID_BLOCK` or the single value type the block returns. */
export type BlockType = ValType | typeof VOID_BLOCK;

/** Export and import kinds (the `exportdesc`/`importdesc` tag byte). */
export const ExternalKind = { func: 0x00, table: 0x01, memory: 0x02, global: 0x03 } as const;
export type ExternalKind = (typeof ExternalKind)[keyof typeof ExternalKind];

/** The largest number of 64 KiB pages a 32-bit memory may have. */
export const MAX_MEMORY_PAGES = 65536;

/** Misuse of the emitter found while building (a bad index, an unbalanced block, an out-of-range immediate). */
export class WasmBuildError extends Error {
  override readonly name = 'WasmBuildError';
}

const VALTYPE_NAMES: Record<number, string> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref',
};

/** True when `t` is the encoding of a value type. */
export function isValType(t: number): t is ValType {
  return VALTYPE_NAMES[t] !== undefined;
}

/** The text-format name of a value type (for error messages). */
export function valTypeName(t: number): string {
  return VALTYPE_NAMES[t] ?? `0x${t.toString(16)}`;
}
