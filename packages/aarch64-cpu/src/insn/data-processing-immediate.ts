/**
 * A64 instruction class "Data processing -- immediate" (Arm ARM C4.1.86; op0 bits [28:26] = 100): PC-relative
 * addressing, add/subtract (immediate), logical (immediate), move wide, bitfield and extract. Every row is a
 * specification (spec/dp-immediate.ts), from which its handler and its WebAssembly translation are derived.
 *
 * Not implemented, and so UNDEFINED because no row matches them:
 * - Add/subtract (immediate, with tags): ADDG, SUBG (sf=1 op S=0 100011 0 uimm6 op3 uimm4 Rn Rd). FEAT_MTE: the MTE
 *   rows for them are in insn/mte.ts, not in this table.
 * - Min/max (immediate): SMAX, SMIN, UMAX, UMIN (sf op S 100011 1 opc imm8 Rn Rd). FEAT_CSSC is not advertised.
 * - Data-processing (1 source immediate) (FEAT_PAuth_LR, bits [30:23] = 11 100111). Pointer authentication is not
 *   implemented.
 */
import type { EncodingRow } from '../decode.js';
import { DP_IMMEDIATE_SPECS } from '../spec/dp-immediate.js';
import { specRow } from '../spec/interp-sem.js';

export const DATA_PROCESSING_IMMEDIATE: readonly EncodingRow[] = DP_IMMEDIATE_SPECS.map(specRow);
