/**
 * FEAT_AES (Arm ARM C4.1.96 "Cryptographic AES"): AESE, AESD, AESMC, AESIMC, each on the whole 128-bit register, as
 * specifications over the register's two 64-bit halves.
 *
 * The AES state is the register's 16 bytes in column-major order (byte i is row i % 4 of column i / 4), so each
 * half holds two columns, one per 32-bit lane, row r in bits [8r+7:8r] of its lane. SubBytes(ShiftRows(x)) takes
 * byte i of the result from byte SHIFT_ROWS[i] of x through the S-box (Sem's `bytes` with a constant table, which
 * the WebAssembly tier reads from the arena); MixColumns works on both columns of a half at once: rotations within the
 * 32-bit lanes and a GF(2^8) doubling of the eight bytes (xtime) in 64-bit arithmetic.
 */
import { ByteTable, type Sem } from './sem.js';
import { insn, type AnyInsnSpec } from './spec.js';

interface Two { readonly d: number; readonly n: number }

/** Column c, row r of ShiftRows(x) is column (c + r) % 4, row r of x; byte index 4c + r. */
const SHIFT_ROWS: readonly number[] = Array.from({ length: 16 }, (_, i) => 4 * (((i >> 2) + (i & 3)) & 3) + (i & 3));
/** Column c, row r of InvShiftRows(x) is column (c - r) % 4, row r of x. */
const INV_SHIFT_ROWS: readonly number[] = Array.from({ length: 16 }, (_, i) => 4 * (((i >> 2) - (i & 3)) & 3) + (i & 3));

const LSL = 0;
const LSR = 1;
const BYTES_7F = 0x7f7f_7f7f_7f7f_7f7fn;
const BYTES_01 = 0x0101_0101_0101_0101n;

/** Half h of table[x[perm[i]]] for the 16 bytes i of the state x (two halves). */
function substitute<V, B>(s: Sem<V, B>, table: ByteTable, perm: readonly number[], x: readonly [V, V], h: 0 | 1): V {
  return s.bytes(x[0], x[1], perm.slice(8 * h, 8 * h + 8), table);
}

/** Each 32-bit lane of v rotated right by k bits (k = 8, 16, 24): row r of a column becomes row r + k/8's. */
function rotrLanes<V, B>(s: Sem<V, B>, v: V, k: number): V {
  const low = BigInt((2 ** (32 - k)) - 1) * 0x1_0000_0001n; // the bits a lane's right shift keeps, in both lanes
  return s.or(s.and(s.shift(LSR, v, k, 64), s.c(low)), s.and(s.shift(LSL, v, 32 - k, 64), s.c(~low & 0xffff_ffff_ffff_ffffn)));
}

/** Each byte of v doubled in GF(2^8) (xtime): shifted left, and 0x1b added where its top bit was set. */
function xtime<V, B>(s: Sem<V, B>, v: V): V {
  return s.xor(s.shift(LSL, s.and(v, s.c(BYTES_7F)), 1, 64), s.mul(s.and(s.shift(LSR, v, 7, 64), s.c(BYTES_01)), s.c(0x1bn), 64));
}

/** MixColumns of the two columns of a half: row r = 2 (a[r] + a[r+1]) + a[r+1] + a[r+2] + a[r+3]. */
function mixColumns<V, B>(s: Sem<V, B>, v: V): V {
  const w = s.let(v);
  const r1 = s.let(rotrLanes(s, w, 8));
  return s.xor(s.xor(s.xor(xtime(s, s.xor(w, r1)), r1), rotrLanes(s, w, 16)), rotrLanes(s, w, 24));
}

/**
 * InvMixColumns of the two columns of a half: the inverse matrix (14 11 13 9) is MixColumns times (5 0 4 0), so
 * first a[r] += 4 (a[r] + a[r+2]), then MixColumns.
 */
function invMixColumns<V, B>(s: Sem<V, B>, v: V): V {
  const w = s.let(v);
  return mixColumns(s, s.xor(w, xtime(s, xtime(s, s.xor(w, rotrLanes(s, w, 16))))));
}

const pattern = (opcode: string): string => `01001110 00 10100 ${opcode} 10 Rn:5 Rd:5`;
const decode = (f: { readonly Rn: number; readonly Rd: number }): Two => ({ d: f.Rd, n: f.Rn });

/** AESE (decrypt: AESD): Vd = SubBytes(ShiftRows(Vd EOR Vn)) (InvSubBytes(InvShiftRows(...))). */
function round(name: string, opcode: string, table: ByteTable, perm: readonly number[]): AnyInsnSpec {
  return insn<'Rn' | 'Rd', Two>(name, pattern(opcode), decode, (s, a) => {
    s.fpCheck();
    const x = [s.let(s.xor(s.vget(a.d, 0), s.vget(a.n, 0))), s.let(s.xor(s.vget(a.d, 1), s.vget(a.n, 1)))] as const;
    const lo = s.let(substitute(s, table, perm, x, 0));
    const hi = s.let(substitute(s, table, perm, x, 1));
    s.vset(a.d, 0, lo);
    s.vset(a.d, 1, hi);
  }, { fp: true });
}

/** AESMC (AESIMC): Vd = MixColumns(Vn) (InvMixColumns(Vn)). */
function mix(name: string, opcode: string, inverse: boolean): AnyInsnSpec {
  return insn<'Rn' | 'Rd', Two>(name, pattern(opcode), decode, (s, a) => {
    s.fpCheck();
    const f = inverse ? invMixColumns : mixColumns;
    const lo = s.let(f(s, s.vget(a.n, 0)));
    const hi = s.let(f(s, s.vget(a.n, 1)));
    s.vset(a.d, 0, lo);
    s.vset(a.d, 1, hi);
  }, { fp: true });
}

/** "Cryptographic AES": size = 00, opcode [16:12] 0b00100-0b00111; every other size or opcode is unallocated. */
export const SIMD_CRYPTO_AES_SPECS: readonly AnyInsnSpec[] = [
  round('AESE', '00100', ByteTable.AesSbox, SHIFT_ROWS),
  round('AESD', '00101', ByteTable.AesInvSbox, INV_SHIFT_ROWS),
  mix('AESMC', '00110', false),
  mix('AESIMC', '00111', true),
];
