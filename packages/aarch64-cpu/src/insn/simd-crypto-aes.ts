/**
 * FEAT_AES (Arm ARM C4.1.96 "Cryptographic AES"): AESE, AESD, AESMC, AESIMC. Their semantics is the instruction
 * specification's (spec/simd-crypto-aes.ts); these are its decode table rows.
 */
import type { EncodingRow } from '../decode.js';
import { specRow } from '../spec/interp-sem.js';
import { SIMD_CRYPTO_AES_SPECS } from '../spec/simd-crypto-aes.js';

/** "Cryptographic AES": size = 00, opcode [16:12] 0b00100-0b00111; every other size or opcode is unallocated. */
export const SIMD_CRYPTO_AES_ROWS: readonly EncodingRow[] = SIMD_CRYPTO_AES_SPECS.map(specRow);
