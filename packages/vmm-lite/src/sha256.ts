/**
 * SHA-256 (FIPS 180-4) in plain JavaScript, incremental: the hash snapshots use where the host offers no
 * synchronous one (a browser: Web Crypto's `digest` is asynchronous and takes the whole input at once). Node uses
 * node:crypto instead (platform-node.ts); the tests check that both agree.
 *
 * The constants are derived here rather than written out: the initial hash words are the first 32 bits of the
 * fractional parts of the square roots of the first 8 primes, the round constants those of the cube roots of the
 * first 64 primes (FIPS 180-4 §4.2.2, §5.3.3), computed exactly with integer roots.
 */

/** A SHA-256 being computed: `update` with the bytes in order, then `digest` once (32 bytes). */
export interface Sha256Hash {
  update(bytes: Uint8Array): void;
  digest(): Uint8Array;
}

/** floor(x^(1/n)) for a non-negative bigint, by Newton's method on integers (exact). */
function iroot(x: bigint, n: bigint): bigint {
  if (x < 2n) return x;
  let r = 1n << (BigInt(x.toString(2).length) / n + 1n); // above the root
  for (;;) {
    const next = ((n - 1n) * r + x / r ** (n - 1n)) / n;
    if (next >= r) return r;
    r = next;
  }
}

/** The first 32 bits of the fractional part of p^(1/n), for each of the first `count` primes. */
function rootBits(count: number, n: bigint): readonly number[] {
  const out: number[] = [];
  for (let p = 2; out.length < count; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false;
    if (prime) out.push(Number(iroot(BigInt(p) << (32n * n), n) & 0xffff_ffffn));
  }
  return out;
}

const H0: readonly number[] = rootBits(8, 2n);
const K: readonly number[] = rootBits(64, 3n);

/** SHA-256 in JavaScript. */
export class Sha256Js implements Sha256Hash {
  private readonly h = Int32Array.from(H0);
  private readonly w = new Int32Array(64);
  /** Bytes of the current block not yet compressed. */
  private readonly block = new Uint8Array(64);
  private fill = 0;
  /** Bytes hashed so far (a safe integer: up to 2^53 - 1 bytes). */
  private length = 0;
  private finished = false;

  update(bytes: Uint8Array): void {
    if (this.finished) throw new Error('SHA-256: update after digest');
    let i = 0;
    if (this.fill > 0) {
      const take = Math.min(64 - this.fill, bytes.length);
      this.block.set(bytes.subarray(0, take), this.fill);
      this.fill += take;
      i = take;
      if (this.fill < 64) {
        this.length += bytes.length;
        return;
      }
      this.compress(this.block, 0);
      this.fill = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
    this.block.set(bytes.subarray(i), 0);
    this.fill = bytes.length - i;
    this.length += bytes.length;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error('SHA-256: digest taken twice');
    const bits = this.length * 8;
    // Padding: 0x80, zeros up to 56 mod 64, then the message length in bits as a big-endian u64.
    const pad = new Uint8Array((this.fill < 56 ? 64 : 128) - this.fill);
    pad[0] = 0x80;
    const v = new DataView(pad.buffer);
    v.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32));
    v.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    this.finished = true;
    const out = new Uint8Array(32);
    const o = new DataView(out.buffer);
    for (let j = 0; j < 8; j++) o.setInt32(j * 4, this.h[j]!);
    return out;
  }

  /** One 64-byte block at `at` of `b`. */
  private compress(b: Uint8Array, at: number): void {
    const w = this.w;
    for (let t = 0; t < 16; t++) {
      const p = at + t * 4;
      w[t] = (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const x = w[t - 15]!;
      const y = w[t - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    const h = this.h;
    let a = h[0]!, bb = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K[t]! + w[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & bb) ^ (a & c) ^ (bb & c);
      const t2 = (S0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = bb;
      bb = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + bb) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
    h[5] = (h[5]! + f) | 0;
    h[6] = (h[6]! + g) | 0;
    h[7] = (h[7]! + hh) | 0;
  }
}
