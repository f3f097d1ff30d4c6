/**
 * The cryptographic extension instructions (Arm ARM C4.1.96, the "Cryptographic ..." classes of Data processing --
 * scalar FP and AdvSIMD): FEAT_AES, FEAT_SHA1, FEAT_SHA256, FEAT_SHA512 and FEAT_SHA3. SM3 and SM4 (the other
 * encodings of the same classes) are not implemented and stay UNDEFINED, as ID_AA64ISAR0_EL1.SM3/SM4 = 0 promise.
 * Every row has exact fixed bits, so an unallocated encoding of these classes matches none of them.
 */
import type { EncodingRow } from '../decode.js';
import { SIMD_CRYPTO_AES_ROWS } from './simd-crypto-aes.js';
import { SIMD_CRYPTO_SHA_ROWS } from './simd-crypto-sha.js';
import { SIMD_CRYPTO_SHA3_ROWS } from './simd-crypto-sha3.js';
import { SIMD_CRYPTO_SHA512_ROWS } from './simd-crypto-sha512.js';

/** Every row of the cryptographic classes (they overlap no other class, so their order is free). */
export const SIMD_CRYPTO: readonly EncodingRow[] = [
  ...SIMD_CRYPTO_AES_ROWS,
  ...SIMD_CRYPTO_SHA_ROWS,
  ...SIMD_CRYPTO_SHA512_ROWS,
  ...SIMD_CRYPTO_SHA3_ROWS,
];
