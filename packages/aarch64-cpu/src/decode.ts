/**
 * Decoders as data: each instruction class file exports a table of encodings, written as 32-character bit patterns
 * in the Arm ARM's field order (bit 31 first). '0' and '1' must match; any other character (letters naming the
 * field, or 'x') is a don't-care. Spaces and underscores are for the reader only.
 *
 * Rows are tried in order within a class, so a more specific row (an alias with fixed fields, an unallocated
 * corner) goes before the general one. A word that matches no row is UNDEFINED.
 */
import type { Cpu } from './cpu.js';
import { isNamedPattern, parsePattern } from './spec/pattern.js';
import type { AnyInsnSpec } from './spec/spec.js';

/**
 * An instruction's handler. `args`: for a specification row, the word's arguments as the row's `decodeArgs` gave
 * them, which a caller that kept them passes (a handler block: DecodeCache.argsOf) so that the handler never decodes
 * again; without them it takes them from the decode cache or decodes the word. Handler rows ignore it.
 */
export type Handler = (cpu: Cpu, insn: number, args?: unknown) => void;

export interface EncodingRow {
  /** The Arm ARM's name, e.g. "ADD (immediate)". */
  readonly name: string;
  /** Letters per bit (above), or named fields (spec/pattern.ts). */
  readonly pattern: string;
  readonly exec: Handler;
  /** The specification the row was made from (spec/interp-sem.ts `specRow`), for the other backends. */
  readonly spec?: AnyInsnSpec;
  /**
   * A specification row's decode: a word's arguments, or undefined when the word is UNDEFINED. The decode cache
   * keeps them beside the word for the row's handler (DecodeCache.cachedArgs), and a handler block beside its words
   * (DecodeCache.argsOf), to pass to `exec`.
   */
  readonly decodeArgs?: (insn: number) => unknown;
  /** A SIMD&FP data-processing row's parts (fpsimd/access.ts `fpRow`), for the WebAssembly tier's direct call. */
  readonly fpData?: FpData;
}

/**
 * A SIMD&FP data-processing row as `fpRow` builds it: `exec` is `allocated`, then the access check (CPACR_EL1.FPEN,
 * CPTR_EL2.TFP), then `handler`. `handler` raises no exception (every trap is the check's, every UNDEFINED word is
 * excluded by the pattern or `allocated`), reads neither the PC nor the retired count, and touches no memory.
 */
export interface FpData {
  readonly handler: Handler;
  readonly allocated?: (insn: number) => boolean;
}

export interface CompiledRow {
  readonly name: string;
  readonly mask: number;
  readonly value: number;
  readonly exec: Handler;
  readonly spec?: AnyInsnSpec;
  readonly decodeArgs?: (insn: number) => unknown;
  readonly fpData?: FpData;
}

/** The fixed bits of a pattern, in either syntax. */
export function compilePattern(pattern: string): { mask: number; value: number } {
  if (isNamedPattern(pattern)) {
    const { mask, value } = parsePattern(pattern);
    return { mask, value };
  }
  const bits = pattern.replace(/[\s_]/g, '');
  if (bits.length !== 32) throw new Error(`encoding pattern must have 32 bits, has ${bits.length}: "${pattern}"`);
  let mask = 0;
  let value = 0;
  for (let i = 0; i < 32; i++) {
    const c = bits[i];
    const bit = 31 - i;
    if (c === '0' || c === '1') {
      mask |= 1 << bit;
      if (c === '1') value |= 1 << bit;
    }
  }
  return { mask: mask >>> 0, value: value >>> 0 };
}

export function compileTable(rows: readonly EncodingRow[]): CompiledRow[] {
  return rows.map((r) => ({
    name: r.name, exec: r.exec, ...compilePattern(r.pattern),
    ...(r.spec !== undefined && { spec: r.spec }), ...(r.decodeArgs !== undefined && { decodeArgs: r.decodeArgs }),
    ...(r.fpData !== undefined && { fpData: r.fpData }),
  }));
}

/** Find the first row matching `insn`, or undefined. */
export function matchRow(table: readonly CompiledRow[], insn: number): CompiledRow | undefined {
  const w = insn >>> 0;
  for (const row of table) if ((w & row.mask) >>> 0 === row.value) return row;
  return undefined;
}

/**
 * A table split into buckets by the values of some instruction bits, so that a lookup scans only the rows that can
 * match (the SIMD&FP group has over a thousand rows). Bucket k holds, in table order, the rows whose fixed bits
 * among `bits` agree with k (a row with a don't-care there is in every bucket it fits), so the first match in the
 * bucket is the first match in the table.
 */
export interface IndexedTable {
  /** Bit positions, most significant key bit first. */
  readonly bits: readonly number[];
  readonly buckets: readonly (readonly CompiledRow[])[];
}

export function indexTable(rows: readonly CompiledRow[], bits: readonly number[]): IndexedTable {
  // Split by one key bit at a time, most significant first: a row with the bit fixed goes to that half, a row with
  // a don't-care to both, each half keeping table order. (Filtering every row once per bucket cost the SIMD&FP
  // group's 4,096 buckets about 45 ms at every start-up.)
  let buckets: (readonly CompiledRow[])[] = [rows];
  for (const b of bits) {
    const split: CompiledRow[][] = [];
    for (const bucket of buckets) {
      const zero: CompiledRow[] = [];
      const one: CompiledRow[] = [];
      for (const r of bucket) {
        if (((r.mask >>> b) & 1) === 0 || ((r.value >>> b) & 1) === 0) zero.push(r);
        if (((r.mask >>> b) & 1) === 0 || ((r.value >>> b) & 1) === 1) one.push(r);
      }
      split.push(zero, one);
    }
    buckets = split;
  }
  return { bits, buckets };
}

/** {@link matchRow} through an {@link IndexedTable}. */
export function matchIndexed(t: IndexedTable, insn: number): CompiledRow | undefined {
  let k = 0;
  for (const b of t.bits) k = (k << 1) | ((insn >>> b) & 1);
  return matchRow(t.buckets[k]!, insn);
}

/** Sign-extend the low `bits` bits of a Number to a Number. */
export function sext(v: number, bits: number): number {
  const shift = 32 - bits;
  return (v << shift) >> shift;
}

/** Extract bits [hi:lo] of an instruction word. */
export function field(insn: number, hi: number, lo: number): number {
  return (insn >>> lo) & ((1 << (hi - lo + 1)) - 1 || 0xffffffff);
}
