/**
 * The instruction specification: each instruction's decode and semantics written once, from which every backend is
 * derived (the interpreter's handler: spec/interp-sem.ts `specRow`; the fast interpreter's program: spec/fast-sem.ts;
 * the WebAssembly tier's translation: wasm-jit/spec-wasm.ts). An {@link InsnSpec} is one row of the A64 decode table: its Arm ARM name, its encoding as
 * a pattern with named fields (spec/pattern.ts), a `decode` from the field values to the instruction's arguments
 * (the Arm ARM's decode pseudocode: reserved and UNDEFINED encodings return undefined), and an `exec` over the
 * generic operations of spec/sem.ts (the Arm ARM's operation pseudocode).
 *
 * `decode` runs once per instruction word (the decode cache and the WebAssembly translator keep its result), so it
 * may do work with Numbers and BigInts freely; `exec` runs (or is emitted) every time and uses only `Sem`.
 */
import type { Fields } from './pattern.js';
import type { Sem } from './sem.js';

/** An instruction's semantics: generic over the backend's value and truth types. */
export type Exec<A> = <V, B>(s: Sem<V, B>, a: A) => void;

export interface InsnSpec<A = unknown> {
  /** The Arm ARM's name, e.g. "ADD (immediate)" (the decode table row's name). */
  readonly name: string;
  /** The encoding, with named fields (spec/pattern.ts). */
  readonly pattern: string;
  /** The arguments of a word matching the pattern, from its fields by name; undefined when it is UNDEFINED. */
  readonly decode: (f: Fields) => A | undefined;
  readonly exec: Exec<A>;
  /** The instruction accesses memory (Sem's load and store). */
  readonly memory?: boolean;
  /** The instruction branches (Sem's branch and branchIf): it ends a block. */
  readonly branch?: boolean;
  /**
   * SIMD&FP data processing: `exec` starts with Sem's fpCheck and makes no memory access (a backend checks the
   * access inline and hands the instruction to the interpreter, which traps, when SIMD&FP is disabled).
   */
  readonly fp?: boolean;
}

/**
 * A row of any argument type, for tables (`A` is invariant: `decode` produces it and `exec` consumes it).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyInsnSpec = InsnSpec<any>;

/**
 * Define one row. `K` names the pattern's fields for the type checker; the agreement test (spec/spec.test.ts) checks
 * at run time that `decode` reads exactly the fields the pattern names.
 */
export function insn<K extends string, A>(
  name: string, pattern: string, decode: (f: Fields<K>) => A | undefined, exec: Exec<A>,
  options: { readonly memory?: boolean; readonly branch?: boolean; readonly fp?: boolean } = {},
): InsnSpec<A> {
  return {
    name, pattern, decode: decode as (f: Fields) => A | undefined, exec,
    ...(options.memory === true && { memory: true }), ...(options.branch === true && { branch: true }),
    ...(options.fp === true && { fp: true }),
  };
}

/** The operation width of an `sf` field. */
export const widthOf = (sf: number): 32 | 64 => (sf !== 0 ? 64 : 32);

/** All ones in the low `w` bits. */
export const ones = (w: 32 | 64): bigint => (w === 64 ? 0xffff_ffff_ffff_ffffn : 0xffff_ffffn);
