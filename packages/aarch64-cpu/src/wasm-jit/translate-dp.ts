/**
 * WebAssembly translations of the integer data-processing rows, keyed by the decode table's row names. They are
 * derived from the instruction specification (spec/dp-immediate.ts, spec/dp-register.ts) by its WebAssembly backend
 * (spec-wasm.ts): nothing here restates an instruction's meaning. The block compiler finds an instruction's row
 * with the one A64 decoder (decode-a64.ts) and looks its translation up here; a translation returns false, before
 * emitting anything, for a word its specification decodes as UNDEFINED (the handler then raises it exactly).
 */
import { DP_IMMEDIATE_SPECS } from '../spec/dp-immediate.js';
import { DP_REGISTER_SPECS } from '../spec/dp-register.js';
import { FP_ARITH_SPECS } from '../spec/fp-arith.js';
import { FP_COMPARE_SPECS } from '../spec/fp-compare.js';
import { FP_INT_CONVERT_SPECS } from '../spec/fp-int-convert.js';
import { FP_MOVE_SPECS } from '../spec/fp-moves.js';
import { SIMD_CRYPTO_AES_SPECS } from '../spec/simd-crypto-aes.js';
import { SIMD_INT_SPECS } from '../spec/simd-int.js';
import { SIMD_MOVE_SPECS } from '../spec/simd-moves.js';
import { SIMD_SHIFT_SPECS } from '../spec/simd-shift.js';
import type { Translator } from './block-emitter.js';
import { specTranslations } from './spec-wasm.js';

/**
 * Translations by decode-table row name: every specification row of the two integer data-processing classes and
 * of SIMD&FP data processing (AES, the integer AdvSIMD rows of spec/simd-int.ts, the moves of spec/simd-moves.ts,
 * FADD/FSUB/FMUL/FDIV and the fused multiply-adds of spec/fp-arith.ts, the scalar FP moves of spec/fp-moves.ts, FCMP/FCMPE
 * of spec/fp-compare.ts, SCVTF/UCVTF (scalar, integer) of spec/fp-int-convert.ts, the shifts by immediate of spec/simd-shift.ts).
 */
export const DATA_PROCESSING_TRANSLATIONS: ReadonlyMap<string, Translator> = specTranslations([
  ...DP_IMMEDIATE_SPECS,
  ...Object.values(DP_REGISTER_SPECS).flat(),
  ...SIMD_CRYPTO_AES_SPECS,
  ...SIMD_INT_SPECS,
  ...SIMD_MOVE_SPECS,
  ...FP_ARITH_SPECS,
  ...FP_MOVE_SPECS,
  ...FP_COMPARE_SPECS,
  ...FP_INT_CONVERT_SPECS,
  ...SIMD_SHIFT_SPECS,
]);
