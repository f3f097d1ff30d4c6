/**
 * The constant 256-byte tables of Sem's `bytes` (spec/sem.ts `ByteTable`): the AES S-box and its inverse (FIPS-197
 * 5.1.1: the multiplicative inverse in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1, then the affine map), computed once,
 * at import, from that definition and never written after. The interpreter reads {@link BYTE_TABLES}; the
 * WebAssembly tier reads the copies every guest arena holds at ARENA_BYTE_TABLES (arena.ts), table t at 256 * t.
 */

/** x * y in GF(2^8) modulo the AES polynomial 0x11b (shift-and-add). */
function gfMul(x: number, y: number): number {
  let p = 0;
  for (let a = x, b = y; b !== 0; b >>= 1) {
    if ((b & 1) !== 0) p ^= a;
    a = (a << 1) ^ ((a & 0x80) !== 0 ? 0x11b : 0);
  }
  return p;
}

/** The S-box and its inverse from the definition: inverse in GF(2^8) (0 maps to 0), then the affine map. */
function aesSboxes(): { readonly sbox: Uint8Array; readonly inv: Uint8Array } {
  const sbox = new Uint8Array(256);
  const inv = new Uint8Array(256);
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
  return { sbox, inv };
}

const AES = aesSboxes();

/** The tables by `ByteTable` value (AesSbox, AesInvSbox); read only. */
export const BYTE_TABLES: readonly Uint8Array[] = [AES.sbox, AES.inv];

/** The tables' bytes one after the other, as the arena holds them (table t at 256 * t). */
export function byteTablesImage(): Uint8Array {
  const out = new Uint8Array(256 * BYTE_TABLES.length);
  BYTE_TABLES.forEach((t, i) => out.set(t, 256 * i));
  return out;
}
