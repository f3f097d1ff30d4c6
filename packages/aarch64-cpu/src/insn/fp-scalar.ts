/**
 * The scalar FP rows (Arm ARM C4.1.96, the "Floating-point ..." and "Conversion between floating-point and ..."
 * classes), for insn/simd-fp-table.ts. The semantics are the FP library's (fp/index.ts).
 */
import type { EncodingRow } from '../decode.js';
import { FP_ARITH_ROWS } from './fp-arith.js';
import { FP_COMPARE_ROWS } from './fp-compare.js';
import { FP_CONVERT_ROWS } from './fp-convert.js';

/** Every scalar FP row: data processing (1, 2, 3 source), compare, select, immediate, conversions. */
export const FP_SCALAR: readonly EncodingRow[] = [...FP_ARITH_ROWS, ...FP_COMPARE_ROWS, ...FP_CONVERT_ROWS];
