/**
 * FEAT_AES (Arm ARM C4.1.96 "Cryptographic AES"): AESE, AESD, AESMC, AESIMC, each on the whole 128-bit register.
 *
 * The AES state is the register's 16 bytes in column-major order (byte i is row i % 4 of column i / 4), so the 32-bit
 * lane c of the register is column c, row r in its bits [8r+7:8r]. The handlers read both operands into four 32-bit
 * locals before writing Vd (Vd may be Vn), and work a column at a time on those words: ShiftRows is a choice of
 * source column per row, MixColumns a few rotations and a packed GF(2^8) doubling, so nothing is allocated per call.
 * The S-boxes are computed once, at import, from their definition (FIPS-197 5.1.1: the multiplicative inverse in
 * GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, then the affine map), and never written after.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';

/** The AES S-box (SubBytes), filled at import by {@link fillSboxes}; read only. */
const SBOX = new Uint8Array(256);
/** Its inverse (InvSubBytes), filled at import; read only. */
const INV_SBOX = new Uint8Array(256);

/** x * y in GF(2^8) modulo the AES polynomial 0x11b (shift-and-add). */
function gfMul(x: number, y: number): number {
  let p = 0;
  for (let a = x, b = y; b !== 0; b >>= 1) {
    if ((b & 1) !== 0) p ^= a;
    a = (a << 1) ^ ((a & 0x80) !== 0 ? 0x11b : 0);
  }
  return p;
}

/** Fill the S-box and its inverse from the definition: inverse in GF(2^8) (0 maps to 0), then the affine map. */
function fillSboxes(sbox: Uint8Array, inv: Uint8Array): void {
  const rotl8 = (v: number, s: number): number => ((v << s) | (v >>> (8 - s))) & 0xff;
  for (let x = 0; x < 256; x++) {
    let xInv = 0;
    for (let y = 1; y < 256 && x !== 0; y++) {
      if (gfMul(x, y) === 1) {
        xInv = y;
        break;
      }
    }
    const s = xInv ^ rotl8(xInv, 1) ^ rotl8(xInv, 2) ^ rotl8(xInv, 3) ^ rotl8(xInv, 4) ^ 0x63;
    sbox[x] = s;
    inv[s] = x;
  }
}
fillSboxes(SBOX, INV_SBOX);

/**
 * One column of SubBytes(ShiftRows(state)) (or of the inverses, given INV_SBOX and the columns in the inverse order):
 * row r comes from row r of the r-th argument.
 */
function subColumn(box: Uint8Array, c0: number, c1: number, c2: number, c3: number): number {
  return box[c0 & 0xff]! | (box[(c1 >>> 8) & 0xff]! << 8) | (box[(c2 >>> 16) & 0xff]! << 16) | (box[c3 >>> 24]! << 24);
}

/** Each byte of the column word doubled in GF(2^8) (xtime), all four at once. */
function xtime4(w: number): number {
  return ((w & 0x7f7f7f7f) << 1) ^ (((w >>> 7) & 0x01010101) * 0x1b);
}

/** The column word rotated right by `s` bits: row r of the result is row r + s/8 of `w`. */
function rotr(w: number, s: number): number {
  return (w >>> s) | (w << (32 - s));
}

/** MixColumns of one column: row r = 2 a[r] + 3 a[r+1] + a[r+2] + a[r+3] = 2 (a[r] + a[r+1]) + a[r+1] + a[r+2] + a[r+3]. */
function mixColumn(w: number): number {
  const r1 = rotr(w, 8);
  return xtime4(w ^ r1) ^ r1 ^ rotr(w, 16) ^ rotr(w, 24);
}

/**
 * InvMixColumns of one column: the inverse matrix (14 11 13 9) is MixColumns times (5 0 4 0), so first
 * a[r] += 4 (a[r] + a[r+2]), then MixColumns.
 */
function invMixColumn(w: number): number {
  return mixColumn(w ^ xtime4(xtime4(w ^ rotr(w, 16))));
}

/** AESE Vd.16B, Vn.16B: Vd = SubBytes(ShiftRows(Vd EOR Vn)). */
function aese(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const w0 = u32[d]! ^ u32[n]!;
  const w1 = u32[d + 1]! ^ u32[n + 1]!;
  const w2 = u32[d + 2]! ^ u32[n + 2]!;
  const w3 = u32[d + 3]! ^ u32[n + 3]!;
  u32[d] = subColumn(SBOX, w0, w1, w2, w3);
  u32[d + 1] = subColumn(SBOX, w1, w2, w3, w0);
  u32[d + 2] = subColumn(SBOX, w2, w3, w0, w1);
  u32[d + 3] = subColumn(SBOX, w3, w0, w1, w2);
}

/** AESD Vd.16B, Vn.16B: Vd = InvSubBytes(InvShiftRows(Vd EOR Vn)). */
function aesd(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const w0 = u32[d]! ^ u32[n]!;
  const w1 = u32[d + 1]! ^ u32[n + 1]!;
  const w2 = u32[d + 2]! ^ u32[n + 2]!;
  const w3 = u32[d + 3]! ^ u32[n + 3]!;
  u32[d] = subColumn(INV_SBOX, w0, w3, w2, w1);
  u32[d + 1] = subColumn(INV_SBOX, w1, w0, w3, w2);
  u32[d + 2] = subColumn(INV_SBOX, w2, w1, w0, w3);
  u32[d + 3] = subColumn(INV_SBOX, w3, w2, w1, w0);
}

/** AESMC Vd.16B, Vn.16B: Vd = MixColumns(Vn). Column by column, so Vd = Vn needs no copy. */
function aesmc(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  for (let c = 0; c < 4; c++) u32[d + c] = mixColumn(u32[n + c]!);
}

/** AESIMC Vd.16B, Vn.16B: Vd = InvMixColumns(Vn). */
function aesimc(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  for (let c = 0; c < 4; c++) u32[d + c] = invMixColumn(u32[n + c]!);
}

/** "Cryptographic AES": size = 00, opcode [16:12] 0b00100-0b00111; every other size or opcode is unallocated. */
export const SIMD_CRYPTO_AES_ROWS: readonly EncodingRow[] = [
  fpRow('AESE', '01001110 00 10100 00100 10 nnnnn ddddd', aese),
  fpRow('AESD', '01001110 00 10100 00101 10 nnnnn ddddd', aesd),
  fpRow('AESMC', '01001110 00 10100 00110 10 nnnnn ddddd', aesmc),
  fpRow('AESIMC', '01001110 00 10100 00111 10 nnnnn ddddd', aesimc),
];
