/**
 * The SIMD&FP instruction tables, one per top-level group (decode-a64.ts), assembled from the class files. Each class
 * file exports its rows (built with fpsimd/access.ts `fpRow`, so every row checks CPACR_EL1.FPEN); a word matching
 * no row is UNDEFINED. Rows are tried in order, so a class whose encodings overlap another's general rows goes first.
 *
 * - Data processing -- scalar FP and AdvSIMD (Arm ARM C4.1.96, op0 = x111).
 * - SIMD&FP loads and stores (the V = 1 encodings of Loads and Stores, op0 = x1x0 with op0<1> = 1).
 */
import { compilePattern, type EncodingRow } from '../decode.js';
import { FP_ARITH_SPECS } from '../spec/fp-arith.js';
import { FP_COMPARE_SPECS } from '../spec/fp-compare.js';
import { FP_INT_CONVERT_SPECS } from '../spec/fp-int-convert.js';
import { FP_MOVE_SPECS } from '../spec/fp-moves.js';
import { specRow } from '../spec/interp-sem.js';
import { SIMD_INT_SPECS } from '../spec/simd-int.js';
import { SIMD_MOVE_SPECS } from '../spec/simd-moves.js';
import { SIMD_SHIFT_SPECS } from '../spec/simd-shift.js';
import type { AnyInsnSpec } from '../spec/spec.js';
import { FP_SCALAR } from './fp-scalar.js';
import { SIMD_CRYPTO } from './simd-crypto.js';
import { SIMD_FP_LOADS_STORES } from './simd-fp-loads-stores.js';
import { SIMD_FP } from './simd-fp.js';
import { SIMD_INTEGER } from './simd-int.js';

/**
 * The rows with a specification's row in place of the handler row of the same encoding (same fixed bits, same
 * name), so the table keeps one row per encoding in its order. A specification matching no row is a table error.
 */
function withSpecs(rows: readonly EncodingRow[], specs: readonly AnyInsnSpec[]): EncodingRow[] {
  const key = (p: string): string => { const { mask, value } = compilePattern(p); return `${mask >>> 0}:${value >>> 0}`; };
  const byKey = new Map(specs.map((s) => [key(s.pattern), s]));
  const used = new Set<AnyInsnSpec>();
  const out = rows.map((r) => {
    const s = r.spec === undefined ? byKey.get(key(r.pattern)) : undefined;
    if (s === undefined) return r;
    if (s.name !== r.name) throw new Error(`specification ${s.name} has the encoding of row ${r.name}`);
    used.add(s);
    return specRow(s);
  });
  const unused = specs.filter((s) => !used.has(s));
  if (unused.length > 0) throw new Error(`specifications without a row: ${unused.map((s) => `${s.name} ${s.pattern}`).join(', ')}`);
  return out;
}

/**
 * Data processing -- scalar FP and AdvSIMD (the rows of spec/simd-int.ts, spec/simd-moves.ts, spec/fp-arith.ts,
 * spec/fp-moves.ts, spec/fp-compare.ts, spec/fp-int-convert.ts and spec/simd-shift.ts in place).
 */
export const SIMD_FP_DATA_PROCESSING: readonly EncodingRow[] = withSpecs([
  ...FP_SCALAR,
  ...SIMD_CRYPTO,
  ...SIMD_INTEGER,
  ...SIMD_FP,
], [...SIMD_INT_SPECS, ...SIMD_MOVE_SPECS, ...FP_ARITH_SPECS, ...FP_MOVE_SPECS, ...FP_COMPARE_SPECS, ...FP_INT_CONVERT_SPECS,
  ...SIMD_SHIFT_SPECS]);

/** Loads and stores of SIMD&FP registers (decode-a64.ts tries these ahead of the general-purpose rows). */
export const SIMD_FP_LOADS_AND_STORES: readonly EncodingRow[] = [
  ...SIMD_FP_LOADS_STORES,
];
