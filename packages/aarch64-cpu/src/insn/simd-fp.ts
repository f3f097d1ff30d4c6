/**
 * The AdvSIMD floating-point rows (issue 12), for SIMD_FP_DATA_PROCESSING (insn/simd-fp-table.ts): three same and
 * two-register misc (vector, scalar, FP16), across lanes and scalar pairwise, by element, the fixed-point
 * conversions, FEAT_FCMA, FEAT_FHM and FEAT_BF16. Every row has exact fixed fields, so none overlaps an AdvSIMD
 * integer row; reserved sizes and Q match no row (UNDEFINED).
 */
import type { EncodingRow } from '../decode.js';
import { SIMD_FP_ACROSS_LANES } from './simd-fp-across-lanes.js';
import { SIMD_FP_BF16 } from './simd-fp-bf16.js';
import { SIMD_FP_BY_ELEMENT } from './simd-fp-by-element.js';
import { SIMD_FP_COMPLEX } from './simd-fp-complex.js';
import { SIMD_FP_SHIFT_IMMEDIATE } from './simd-fp-shift-imm.js';
import { SIMD_FP_THREE_SAME } from './simd-fp-three-same.js';
import { SIMD_FP_TWO_MISC } from './simd-fp-two-misc.js';

/** All AdvSIMD floating-point rows. */
export const SIMD_FP: readonly EncodingRow[] = [
  ...SIMD_FP_THREE_SAME,
  ...SIMD_FP_TWO_MISC,
  ...SIMD_FP_ACROSS_LANES,
  ...SIMD_FP_BY_ELEMENT,
  ...SIMD_FP_SHIFT_IMMEDIATE,
  ...SIMD_FP_COMPLEX,
  ...SIMD_FP_BF16,
];
