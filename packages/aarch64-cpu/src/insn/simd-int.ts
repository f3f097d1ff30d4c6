/**
 * The AdvSIMD integer, permute and copy rows (issue 12), in the order they go into SIMD_FP_DATA_PROCESSING
 * (insn/simd-fp-table.ts). Every row has an exact opcode field, so none shadows a floating-point encoding of the same
 * class; an integer encoding with a reserved size/Q matches no row and is UNDEFINED.
 */
import type { EncodingRow } from '../decode.js';
import { SIMD_THREE_SAME } from './simd-three-same.js';
import { SIMD_THREE_SAME_EXTRA } from './simd-three-same-extra.js';
import { SIMD_THREE_DIFFERENT } from './simd-three-different.js';
import { SIMD_TWO_MISC } from './simd-two-misc.js';
import { SIMD_ACROSS_LANES } from './simd-across-lanes.js';
import { SIMD_SHIFT_IMMEDIATE } from './simd-shift-imm.js';
import { SIMD_BY_ELEMENT } from './simd-by-element.js';
import { SIMD_COPY } from './simd-copy.js';
import { SIMD_PERMUTE } from './simd-permute.js';
import { SIMD_MODIFIED_IMMEDIATE } from './simd-modified-imm.js';

/** All AdvSIMD integer rows. */
export const SIMD_INTEGER: readonly EncodingRow[] = [
  ...SIMD_THREE_SAME,
  ...SIMD_THREE_SAME_EXTRA,
  ...SIMD_THREE_DIFFERENT,
  ...SIMD_TWO_MISC,
  ...SIMD_ACROSS_LANES,
  ...SIMD_SHIFT_IMMEDIATE,
  ...SIMD_BY_ELEMENT,
  ...SIMD_COPY,
  ...SIMD_PERMUTE,
  ...SIMD_MODIFIED_IMMEDIATE,
];
