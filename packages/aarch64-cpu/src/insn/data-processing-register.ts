/** A64 instruction class: see the Arm ARM's class of the same name. */
import type { EncodingRow } from '../decode.js';

export const DATA_PROCESSING_REGISTER: readonly EncodingRow[] = [];
