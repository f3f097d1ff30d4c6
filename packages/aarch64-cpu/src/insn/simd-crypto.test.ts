/**
 * The cryptographic extension instructions: known answers against Node's crypto module (AES-128 encryption and
 * decryption, SHA-1, SHA-256 and SHA-512 digests computed by the instructions running on the model), and
 * hand-written cases for the tricky parts (FIPS-197's MixColumns example, register aliasing, SHA1H clearing the
 * rest of Vd, XAR's rotations by 0 and 32, the FPEN trap, SM3/SM4 UNDEFINED). The QEMU-recorded vectors are in
 * simd-crypto.qemu.test.ts.
 *
 * The digests need lane additions and EXT, which are AdvSIMD integer instructions outside these classes: the tests
 * do those on the host between the model's instruction runs (hostAdd32, hostAdd64, hostExt8), and copy registers
 * with EOR3 Vd, Vn, V31, V31 (V31 = 0). Everything the crypto instructions compute is computed by the model.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { FlatMemory, runProgram } from '../testing/flat-memory.js';
import { BASE, VBAR } from '../testing/insn-harness.js';
import { rng } from '../testing/rng.js';

const FPEN = 3n << 20n;

// Encoders (the Arm ARM's encodings; checked against the GNU assembler when written).
const aese = (d: number, n: number): number => (0x4e284800 | (n << 5) | d) >>> 0;
const aesd = (d: number, n: number): number => (0x4e285800 | (n << 5) | d) >>> 0;
const aesmc = (d: number, n: number): number => (0x4e286800 | (n << 5) | d) >>> 0;
const aesimc = (d: number, n: number): number => (0x4e287800 | (n << 5) | d) >>> 0;
const sha3reg = (op: number) => (d: number, n: number, m: number): number =>
  (0x5e000000 | (m << 16) | (op << 12) | (n << 5) | d) >>> 0;
const sha1c = sha3reg(0);
const sha1p = sha3reg(1);
const sha1m = sha3reg(2);
const sha1su0 = sha3reg(3);
const sha256h = sha3reg(4);
const sha256h2 = sha3reg(5);
const sha256su1 = sha3reg(6);
const sha2reg = (op: number) => (d: number, n: number): number => (0x5e280800 | (op << 12) | (n << 5) | d) >>> 0;
const sha1h = sha2reg(0);
const sha1su1 = sha2reg(1);
const sha256su0 = sha2reg(2);
const sha512 = (op: number) => (d: number, n: number, m: number): number =>
  (0xce608000 | (m << 16) | (op << 10) | (n << 5) | d) >>> 0;
const sha512h = sha512(0);
const sha512h2 = sha512(1);
const sha512su1 = sha512(2);
const rax1 = sha512(3);
const sha512su0 = (d: number, n: number): number => (0xcec08000 | (n << 5) | d) >>> 0;
const eor3 = (d: number, n: number, m: number, a: number): number =>
  (0xce000000 | (m << 16) | (a << 10) | (n << 5) | d) >>> 0;
const bcax = (d: number, n: number, m: number, a: number): number =>
  (0xce200000 | (m << 16) | (a << 10) | (n << 5) | d) >>> 0;
const xar = (d: number, n: number, m: number, imm6: number): number =>
  (0xce800000 | (m << 16) | (imm6 << 10) | (n << 5) | d) >>> 0;
/** MOV Vd.16B, Vn.16B done as EOR3 with V31, which the machine keeps zero. */
const mov = (d: number, n: number): number => eor3(d, n, 31, 31);

/**
 * One CPU at EL1 with SIMD&FP enabled, kept across instruction runs so that registers carry over. Each run places
 * its words at fresh addresses (nothing is ever rewritten, so no translated or cached decode can go stale).
 */
class Machine {
  readonly mem = new FlatMemory();
  readonly cpu = new Cpu(this.mem);
  private next = Number(BASE) + 0x1000;

  constructor() {
    this.cpu.sys[SysReg.VBAR_EL1] = VBAR;
    this.cpu.sys[SysReg.CPACR_EL1] = FPEN;
  }

  /** Run `words` in order; each must retire without an exception. */
  run(...words: number[]): void {
    const at = this.next;
    this.next += 4 * words.length;
    this.mem.load(at, words);
    this.cpu.pc = BigInt(at);
    for (let i = 0; i < words.length; i++) expect(this.cpu.run(1)).toBe(Stop.Budget);
    expect(this.cpu.pc).toBe(BigInt(this.next));
  }

  /** Vn's 16 bytes (byte 0 = bits [7:0]). */
  bytes(n: number): Buffer {
    return Buffer.from(this.cpu.vr.u8.slice(n * 16, n * 16 + 16));
  }

  setBytes(n: number, b: Uint8Array): void {
    this.cpu.vr.u8.set(b.subarray(0, 16), n * 16);
  }

  /** Vn's 32-bit lanes. */
  lanes32(n: number): number[] {
    return [...this.cpu.vr.u32.slice(n * 4, n * 4 + 4)];
  }

  setLanes32(n: number, lanes: readonly number[]): void {
    for (let e = 0; e < 4; e++) this.cpu.vr.u32[n * 4 + e] = lanes[e] ?? 0;
  }

  lanes64(n: number): [bigint, bigint] {
    return [this.cpu.vr.u64[n * 2]!, this.cpu.vr.u64[n * 2 + 1]!];
  }

  setLanes64(n: number, lanes: readonly bigint[]): void {
    this.cpu.vr.u64[n * 2] = BigInt.asUintN(64, lanes[0]!);
    this.cpu.vr.u64[n * 2 + 1] = BigInt.asUintN(64, lanes[1]!);
  }

  /** Stand-in for ADD Vd.4S, Vn.4S, Vm.4S. */
  hostAdd32(d: number, n: number, m: number): void {
    const a = this.lanes32(n);
    const b = this.lanes32(m);
    this.setLanes32(d, a.map((x, e) => (x + b[e]!) >>> 0));
  }

  /** Stand-in for ADD Vd.2D, Vn.2D, Vm.2D. */
  hostAdd64(d: number, n: number, m: number): void {
    const a = this.lanes64(n);
    const b = this.lanes64(m);
    this.setLanes64(d, [a[0] + b[0], a[1] + b[1]]);
  }

  /** Stand-in for EXT Vd.16B, Vn.16B, Vm.16B, #8: Vd = Vm<63:0> : Vn<127:64>. */
  hostExt8(d: number, n: number, m: number): void {
    const a = this.lanes64(n);
    const b = this.lanes64(m);
    this.setLanes64(d, [a[1], b[0]]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Constants of the hash standards, computed from their definitions (FIPS 180-4 4.2, 5.3)
// ---------------------------------------------------------------------------------------------------------------

function primes(count: number): bigint[] {
  const out: bigint[] = [];
  for (let p = 2; out.length < count; p++) if (out.every((q) => p % Number(q) !== 0)) out.push(BigInt(p));
  return out;
}

/** floor(x^(1/k)) by Newton's method on BigInts. */
function iroot(x: bigint, k: bigint): bigint {
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n);
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

/** The first `bits` bits of the fractional part of the k-th root of each prime. */
const fractionBits = (count: number, k: bigint, bits: bigint): bigint[] =>
  primes(count).map((p) => BigInt.asUintN(Number(bits), iroot(p << (k * bits), k)));

const SHA256_K = fractionBits(64, 3n, 32n).map(Number);
const SHA256_H0 = fractionBits(8, 2n, 32n).map(Number);
const SHA512_K = fractionBits(80, 3n, 64n);
const SHA512_H0 = fractionBits(8, 2n, 64n);
/** SHA-1's round constants: floor(2^30 * sqrt(2, 3, 5, 10)). */
const SHA1_K = [2n, 3n, 5n, 10n].map((v) => Number(iroot(v << 60n, 2n)));
const SHA1_H0 = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];

/** Merkle-Damgard padding to `block` bytes with a big-endian bit length of `lenBytes` bytes. */
function pad(msg: Buffer, block: number, lenBytes: number): Buffer {
  const total = Math.ceil((msg.length + 1 + lenBytes) / block) * block;
  const out = Buffer.alloc(total);
  msg.copy(out);
  out[msg.length] = 0x80;
  out.writeBigUInt64BE(BigInt(msg.length) * 8n, total - 8);
  return out;
}

const MESSAGES = [
  Buffer.alloc(0),
  Buffer.from('abc'),
  Buffer.from('The quick brown fox jumps over the lazy dog, and then some more words to pass one block.'),
  randomBytes(300),
];

// ---------------------------------------------------------------------------------------------------------------
// AES
// ---------------------------------------------------------------------------------------------------------------

/**
 * The AES-128 round keys K0..K10 of `key` into V1..V11, expanded on the host except SubWord, which is AESE of the
 * word in all four columns with a zero round key (ShiftRows moves nothing when the columns are equal).
 */
function expandAes128Key(m: Machine, key: Buffer): void {
  const w: number[][] = [];
  for (let i = 0; i < 4; i++) w.push([...key.subarray(4 * i, 4 * i + 4)]);
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = [...w[i - 1]!];
    if (i % 4 === 0) {
      t = [t[1]!, t[2]!, t[3]!, t[0]!];
      m.setBytes(30, Buffer.from([...t, ...t, ...t, ...t]));
      m.setBytes(31, Buffer.alloc(16));
      m.run(aese(30, 31));
      t = [...m.bytes(30).subarray(0, 4)];
      t[0]! ^= rcon;
      rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0);
    }
    w.push(w[i - 4]!.map((b, j) => b ^ t[j]!));
  }
  for (let r = 0; r <= 10; r++) m.setBytes(1 + r, Buffer.from(w.slice(4 * r, 4 * r + 4).flat()));
  m.setBytes(31, Buffer.alloc(16));
}

/** Encrypt the block in V0 with the round keys in V1..V11. */
function aesEncryptProgram(): number[] {
  const words: number[] = [];
  for (let r = 0; r < 9; r++) words.push(aese(0, 1 + r), aesmc(0, 0));
  words.push(aese(0, 10), eor3(0, 0, 11, 31));
  return words;
}

/** Decrypt the block in V0: the equivalent inverse cipher, with InvMixColumns of K1..K9 in V12..V20 (AESIMC). */
function aesDecryptProgram(): number[] {
  const words: number[] = [];
  for (let r = 1; r <= 9; r++) words.push(aesimc(11 + r, 1 + r)); // V(11 + r) = InvMixColumns(Kr)
  words.push(aesd(0, 11), aesimc(0, 0));
  for (let r = 9; r >= 2; r--) words.push(aesd(0, 11 + r), aesimc(0, 0));
  words.push(aesd(0, 12), eor3(0, 0, 1, 31));
  return words;
}

describe('AES against Node crypto', () => {
  it('AES-128 encryption with AESE/AESMC rounds equals aes-128-ecb, and AESD/AESIMC decrypts it', () => {
    const next = rng(0xae5);
    for (let trial = 0; trial < 6; trial++) {
      const key = Buffer.from(Array.from({ length: 16 }, () => next() & 0xff));
      const block = Buffer.from(Array.from({ length: 16 }, () => next() & 0xff));
      const expected = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(block);
      const m = new Machine();
      expandAes128Key(m, key);
      m.setBytes(0, block);
      m.run(...aesEncryptProgram());
      expect(m.bytes(0).toString('hex')).toBe(expected.toString('hex'));

      m.run(...aesDecryptProgram());
      expect(m.bytes(0).toString('hex')).toBe(block.toString('hex'));
      const other = Buffer.from(Array.from({ length: 16 }, () => next() & 0xff));
      m.setBytes(0, other);
      m.run(...aesDecryptProgram());
      const plain = createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(other);
      expect(m.bytes(0).toString('hex')).toBe(plain.toString('hex'));
    }
  });

  it('FIPS-197 MixColumns example: column db 13 53 45 becomes 8e 4d a1 bc, and AESIMC undoes it', () => {
    const m = new Machine();
    m.setBytes(1, Buffer.from('db135345f20a225c01010101c6c6c6c6', 'hex'));
    m.run(aesmc(2, 1));
    expect(m.bytes(2).toString('hex')).toBe('8e4da1bc9fdc589d01010101c6c6c6c6');
    m.run(aesimc(3, 2));
    expect(m.bytes(3).toString('hex')).toBe('db135345f20a225c01010101c6c6c6c6');
  });

  it('AESE and AESD with Vd = Vn: the state is zero, so every byte is S(0) = 0x63 and InvS(0) = 0x52', () => {
    const m = new Machine();
    m.setBytes(4, randomBytes(16));
    m.run(aese(4, 4));
    expect(m.bytes(4).toString('hex')).toBe('63'.repeat(16));
    m.run(aesd(4, 4));
    expect(m.bytes(4).toString('hex')).toBe('52'.repeat(16));
  });

  it('AESMC and AESIMC in place (Vd = Vn) are inverses', () => {
    const m = new Machine();
    const v = randomBytes(16);
    m.setBytes(5, v);
    m.run(aesmc(5, 5), aesimc(5, 5));
    expect(m.bytes(5).toString('hex')).toBe(v.toString('hex'));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// SHA-1, SHA-256, SHA-512
// ---------------------------------------------------------------------------------------------------------------

/** SHA-1 of `msg` with SHA1C/P/M, SHA1H, SHA1SU0/SU1 on the model. */
function sha1OnModel(msg: Buffer): Buffer {
  const m = new Machine();
  const h = [...SHA1_H0];
  const data = pad(msg, 64, 8);
  for (let off = 0; off < data.length; off += 64) {
    m.setLanes32(0, h.slice(0, 4)); // abcd
    m.setLanes32(1, [h[4]!]); // e
    for (let r = 0; r < 4; r++) m.setLanes32(4 + r, [0, 1, 2, 3].map((e) => data.readUInt32BE(off + 16 * r + 4 * e)));
    for (let g = 0; g < 20; g++) {
      const w = 4 + (g % 4);
      m.setLanes32(16, Array(4).fill(SHA1_K[Math.floor(g / 5)]!));
      m.hostAdd32(17, w, 16);
      const rounds = g < 5 ? sha1c : g < 10 || g >= 15 ? sha1p : sha1m;
      m.run(sha1h(19, 0), rounds(0, 1, 17), mov(1, 19));
      if (g < 16) m.run(sha1su0(w, 4 + ((g + 1) % 4), 4 + ((g + 2) % 4)), sha1su1(w, 4 + ((g + 3) % 4)));
    }
    const abcd = m.lanes32(0);
    const e = m.lanes32(1)[0]!;
    for (let i = 0; i < 4; i++) h[i] = (h[i]! + abcd[i]!) >>> 0;
    h[4] = (h[4]! + e) >>> 0;
  }
  const out = Buffer.alloc(20);
  h.forEach((v, i) => out.writeUInt32BE(v, 4 * i));
  return out;
}

/** SHA-256 of `msg` with SHA256H/H2 and SHA256SU0/SU1 on the model. */
function sha256OnModel(msg: Buffer): Buffer {
  const m = new Machine();
  const h = [...SHA256_H0];
  const data = pad(msg, 64, 8);
  for (let off = 0; off < data.length; off += 64) {
    m.setLanes32(0, h.slice(0, 4)); // abcd
    m.setLanes32(1, h.slice(4)); // efgh
    for (let r = 0; r < 4; r++) m.setLanes32(4 + r, [0, 1, 2, 3].map((e) => data.readUInt32BE(off + 16 * r + 4 * e)));
    for (let g = 0; g < 16; g++) {
      const w = 4 + (g % 4);
      m.setLanes32(16, SHA256_K.slice(4 * g, 4 * g + 4));
      m.hostAdd32(17, w, 16);
      m.run(mov(18, 0), sha256h(0, 1, 17), sha256h2(1, 18, 17));
      if (g < 12) m.run(sha256su0(w, 4 + ((g + 1) % 4)), sha256su1(w, 4 + ((g + 2) % 4), 4 + ((g + 3) % 4)));
    }
    const st = [...m.lanes32(0), ...m.lanes32(1)];
    for (let i = 0; i < 8; i++) h[i] = (h[i]! + st[i]!) >>> 0;
  }
  const out = Buffer.alloc(32);
  h.forEach((v, i) => out.writeUInt32BE(v, 4 * i));
  return out;
}

/**
 * SHA-512 of `msg` with SHA512H/H2 and SHA512SU0/SU1 on the model. The state is four pairs, low lane first:
 * AB = {a, b}, CD, EF, GH; each step does two rounds.
 */
function sha512OnModel(msg: Buffer): Buffer {
  const m = new Machine();
  const h = [...SHA512_H0];
  const data = pad(msg, 128, 16);
  const [AB, CD, EF, GH] = [0, 1, 2, 3];
  for (let off = 0; off < data.length; off += 128) {
    m.setLanes64(AB, [h[0]!, h[1]!]);
    m.setLanes64(CD, [h[2]!, h[3]!]);
    m.setLanes64(EF, [h[4]!, h[5]!]);
    m.setLanes64(GH, [h[6]!, h[7]!]);
    const wreg = (j: number): number => 4 + (j % 8); // W[2j], W[2j + 1]
    for (let j = 0; j < 8; j++) m.setLanes64(wreg(j), [data.readBigUInt64BE(off + 16 * j), data.readBigUInt64BE(off + 16 * j + 8)]);
    for (let j = 0; j < 40; j++) {
      m.setLanes64(20, [SHA512_K[2 * j]!, SHA512_K[2 * j + 1]!]);
      m.hostAdd64(20, wreg(j), 20);
      m.hostExt8(20, 20, 20); // {W+K of the second round, W+K of the first}
      m.hostAdd64(21, GH, 20);
      m.hostExt8(22, EF, GH); // {f, g}
      m.hostExt8(23, CD, EF); // {d, e}
      m.run(sha512h(21, 22, 23));
      m.hostAdd64(24, CD, 21); // the new EF
      m.run(sha512h2(21, CD, AB)); // the new AB
      m.run(mov(GH, EF), mov(EF, 24), mov(CD, AB), mov(AB, 21));
      if (j < 32) {
        m.hostExt8(25, wreg(j + 4), wreg(j + 5)); // {W[2j + 9], W[2j + 10]}
        m.run(sha512su0(wreg(j), wreg(j + 1)), sha512su1(wreg(j), wreg(j + 7), 25));
      }
    }
    const st = [...m.lanes64(AB), ...m.lanes64(CD), ...m.lanes64(EF), ...m.lanes64(GH)];
    for (let i = 0; i < 8; i++) h[i] = BigInt.asUintN(64, h[i]! + st[i]!);
  }
  const out = Buffer.alloc(64);
  h.forEach((v, i) => out.writeBigUInt64BE(v, 8 * i));
  return out;
}

describe('SHA digests against Node crypto', () => {
  it.each(MESSAGES.map((msg) => [msg.length, msg] as const))('SHA-1 of %i bytes', (_, msg) => {
    expect(sha1OnModel(msg).toString('hex')).toBe(createHash('sha1').update(msg).digest('hex'));
  });
  it.each(MESSAGES.map((msg) => [msg.length, msg] as const))('SHA-256 of %i bytes', (_, msg) => {
    expect(sha256OnModel(msg).toString('hex')).toBe(createHash('sha256').update(msg).digest('hex'));
  });
  it.each(MESSAGES.map((msg) => [msg.length, msg] as const))('SHA-512 of %i bytes', (_, msg) => {
    expect(sha512OnModel(msg).toString('hex')).toBe(createHash('sha512').update(msg).digest('hex'));
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hand-written cases
// ---------------------------------------------------------------------------------------------------------------

describe('hand-written cases', () => {
  it('SHA1H writes ROL(Sn, 30) to lane 0 and clears the rest of Vd', () => {
    const m = new Machine();
    m.setLanes32(2, [0x80000001, 0x11111111, 0x22222222, 0x33333333]);
    m.setLanes32(3, [0xaaaaaaaa, 0xbbbbbbbb, 0xcccccccc, 0xdddddddd]);
    m.run(sha1h(3, 2));
    expect(m.lanes32(3)).toEqual([0x60000000, 0, 0, 0]);
  });

  it('SHA1SU1 with Vd = Vn: lane 3 takes ROL(T0, 2), T from the old value of both', () => {
    const m = new Machine();
    m.setLanes32(6, [1, 2, 4, 8]);
    m.run(sha1su1(6, 6));
    // T = {1^2, 2^4, 4^8, 8} = {3, 6, 12, 8}; ROL 1 each, lane 3 EOR ROL(3, 2) = 12.
    expect(m.lanes32(6)).toEqual([6, 12, 24, 16 ^ 12]);
  });

  it('SHA256H and SHA256H2 with Vd = Vm read W before writing the result', () => {
    const m = new Machine();
    const x = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a];
    const y = [0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    m.setLanes32(1, x);
    m.setLanes32(2, y);
    m.setLanes32(3, x);
    m.run(sha256h(1, 2, 3)); // W = a copy of X in another register
    const separate = m.lanes32(1);
    m.setLanes32(1, x);
    m.run(sha256h(1, 2, 1)); // W = X itself
    expect(m.lanes32(1)).toEqual(separate);
  });

  it('XAR rotates each 64-bit lane of Vn EOR Vm right by imm6, including 0 and 32', () => {
    const m = new Machine();
    m.setLanes64(1, [0x0123456789abcdefn, 0xf0000000_0000000fn]);
    m.setLanes64(2, [0n, 0n]);
    m.run(xar(3, 1, 2, 0), xar(4, 1, 2, 32), xar(5, 1, 2, 4), xar(6, 1, 2, 60));
    expect(m.lanes64(3)).toEqual([0x0123456789abcdefn, 0xf0000000_0000000fn]);
    expect(m.lanes64(4)).toEqual([0x89abcdef01234567n, 0x0000000ff0000000n]);
    expect(m.lanes64(5)).toEqual([0xf0123456789abcden, 0xff000000_00000000n]);
    expect(m.lanes64(6)).toEqual([0x123456789abcdef0n, 0x00000000000000ffn]);
  });

  it('RAX1 is Vn EOR ROL(Vm, 1) per 64-bit lane; EOR3 and BCAX are bitwise', () => {
    const m = new Machine();
    m.setLanes64(1, [0xffn, 0n]);
    m.setLanes64(2, [0x8000000000000001n, 0x4000000000000000n]);
    m.run(rax1(3, 1, 2));
    expect(m.lanes64(3)).toEqual([0xffn ^ 3n, 0x8000000000000000n]);
    m.setLanes32(4, [0xff00ff00, 0x0f0f0f0f, 0, 0xffffffff]);
    m.setLanes32(5, [0xf0f0f0f0, 0xffff0000, 0x12345678, 0xffffffff]);
    m.setLanes32(6, [0xcccccccc, 0x00ff00ff, 0xffffffff, 0]);
    m.run(eor3(7, 4, 5, 6), bcax(8, 4, 5, 6));
    expect(m.lanes32(7)).toEqual([0xff00ff00 ^ 0xf0f0f0f0 ^ 0xcccccccc, 0x0f0f0f0f ^ 0xffff0000 ^ 0x00ff00ff,
      0x12345678 ^ 0xffffffff, 0].map((v) => v >>> 0));
    expect(m.lanes32(8)).toEqual([(0xff00ff00 ^ (0xf0f0f0f0 & 0x33333333)) >>> 0,
      (0x0f0f0f0f ^ (0xffff0000 & 0xff00ff00)) >>> 0, 0, 0]);
  });

  it('SHA512SU0 and SHA512SU1 with every operand the same register', () => {
    // sigma0(1) = ROR(1,1) ^ ROR(1,8) ^ (1 >> 7) = 2^63 + 2^56; sigma1(1) = 2^45 + 2^3.
    const m = new Machine();
    m.setLanes64(1, [1n, 1n]);
    m.run(sha512su0(1, 1));
    const s0 = (1n << 63n) + (1n << 56n) + 1n;
    expect(m.lanes64(1)).toEqual([s0, s0]);
    m.setLanes64(2, [1n, 1n]);
    m.run(sha512su1(2, 2, 2));
    const s1 = (1n << 45n) + (1n << 3n) + 2n;
    expect(m.lanes64(2)).toEqual([s1, s1]);
  });
});

describe('decode and access', () => {
  /** Run `word` at EL1 with CPACR_EL1 = cpacr and return ESR_EL1 if it took an exception, else undefined. */
  function exceptionOf(word: number, cpacr: bigint): bigint | undefined {
    const { cpu } = runProgram([word], (c) => {
      c.sys[SysReg.VBAR_EL1] = VBAR;
      c.sys[SysReg.CPACR_EL1] = cpacr;
    }, 1);
    return cpu.pc === BASE + 4n ? undefined : cpu.sys[SysReg.ESR_EL1];
  }
  const ALL = [aese(1, 2), aesd(1, 2), aesmc(1, 2), aesimc(1, 2), sha1c(1, 2, 3), sha1p(1, 2, 3), sha1m(1, 2, 3),
    sha1su0(1, 2, 3), sha256h(1, 2, 3), sha256h2(1, 2, 3), sha256su1(1, 2, 3), sha1h(1, 2), sha1su1(1, 2),
    sha256su0(1, 2), sha512h(1, 2, 3), sha512h2(1, 2, 3), sha512su1(1, 2, 3), sha512su0(1, 2), rax1(1, 2, 3),
    eor3(1, 2, 3, 4), bcax(1, 2, 3, 4), xar(1, 2, 3, 5)];

  it('every instruction traps with EC 0x07 when CPACR_EL1.FPEN = 00, and runs with FPEN = 11', () => {
    for (const w of ALL) {
      expect(exceptionOf(w, 0n), w.toString(16)).toBe((0x07n << 26n) | (1n << 25n) | 0x1e0_0000n);
      expect(exceptionOf(w, FPEN), w.toString(16)).toBeUndefined();
    }
  });

  it('SM3 and SM4 (not implemented, ID_AA64ISAR0_EL1.SM3 = SM4 = 0) are UNDEFINED', () => {
    // sm3ss1, sm3tt1a, sm3partw1, sm3partw2, sm4ekey, sm4e (GNU as).
    for (const w of [0xce431041, 0xce439041, 0xce63c041, 0xce63c441, 0xce63c841, 0xcec08441]) {
      expect(exceptionOf(w, FPEN)! >> 26n, w.toString(16)).toBe(0n);
    }
  });
});
