/**
 * The SIMD&FP instruction tables, one per top-level group (decode-a64.ts), assembled from the class files. Each class
 * file exports its rows (built with fpsimd/access.ts `fpRow`, so every row checks CPACR_EL1.FPEN); a word matching
 * no row is UNDEFINED. Rows are tried in order, so a class whose encodings overlap another's general rows goes first.
 *
 * - Data processing -- scalar FP and AdvSIMD (Arm ARM C4.1.96, op0 = x111).
 * - SIMD&FP loads and stores (the V = 1 encodings of Loads and Stores, op0 = x1x0 with op0<1> = 1).
 */
import type { EncodingRow } from '../decode.js';
import { FP_SCALAR } from './fp-scalar.js';
import { SIMD_CRYPTO } from './simd-crypto.js';
import { SIMD_FP_LOADS_STORES } from './simd-fp-loads-stores.js';
import { SIMD_FP } from './simd-fp.js';
import { SIMD_INTEGER } from './simd-int.js';

/** Data processing -- scalar FP and AdvSIMD. */
export const SIMD_FP_DATA_PROCESSING: readonly EncodingRow[] = [
  ...FP_SCALAR,
  ...SIMD_CRYPTO,
  ...SIMD_INTEGER,
  ...SIMD_FP,
];

/** Loads and stores of SIMD&FP registers (decode-a64.ts tries these ahead of the general-purpose rows). */
export const SIMD_FP_LOADS_AND_STORES: readonly EncodingRow[] = [
  ...SIMD_FP_LOADS_STORES,
];
