/**
 * Record QEMU 10 (linux-user, -cpu max) vectors for the AdvSIMD floating-point instructions (src/insn/simd-fp-*.ts,
 * issue 12): random encodings of each class (the FP opcodes with every U/size/Q, the reserved combinations included,
 * which QEMU records as UNDEFINED) with Rd/Rn/Rm in V0-V3, on lanes drawn for the instruction's element size from
 * FP boundary values (quiet and signalling NaNs with payloads, infinities, zeros of both signs, denormals, the
 * smallest and largest normals, integers and halves near rounding boundaries) or random bits, under a random FPCR
 * (every RMode; FZ, DN, FZ16, AHP each set at random). Writes src/insn/simd-fp-<class>.vectors.json:
 *   { about, vectors: [{ w, c: FPCR, v: [V0..V3], out: 'U' | { v: [[reg, hex]...changed], s: FPSR } }] }
 * which simd-fp-vectors.test.ts replays on the model (FPSR starts at 0).
 *   node scripts/record-simd-fp.mjs [perClass=3000] [seed=1]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCases } from './qemu-user-oracle.mjs';

const perClass = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
const pick = (n) => rnd() % n;
const oneOf = (a) => a[pick(a.length)];
const reg = () => pick(4);

/** Formats by element bytes: exponent and fraction widths. */
const FMT = { 2: { e: 5, f: 10 }, 4: { e: 8, f: 23 }, 8: { e: 11, f: 52 } };

/** A random bigint of `n` bits. */
function bitsOf(n) {
  let v = 0n;
  for (let i = 0; i < n; i += 16) v = (v << 16n) | BigInt(pick(65536));
  return v & ((1n << BigInt(n)) - 1n);
}

/** One FP lane of `bytes` bytes, as a bigint. */
function fpLane(bytes) {
  const { e, f } = FMT[bytes];
  const E = BigInt(e);
  const F = BigInt(f);
  const ones = (1n << E) - 1n;
  const bias = (1n << (E - 1n)) - 1n;
  const sign = BigInt(pick(2)) << (E + F);
  const make = (exp, frac) => sign | (BigInt(exp) << F) | (frac & ((1n << F) - 1n));
  const quiet = 1n << (F - 1n);
  switch (pick(20)) {
    case 0: return sign; // zero
    case 1: return make(ones, 0n); // infinity
    case 2: return make(ones, quiet | (pick(2) ? 0n : bitsOf(f))); // quiet NaN
    case 3: return make(ones, (bitsOf(f) & (quiet - 1n)) | 1n); // signalling NaN
    case 4: return make(0n, bitsOf(f) | 1n); // denormal
    case 5: return make(0n, oneOf([1n, (1n << F) - 1n])); // smallest / largest denormal
    case 6: return make(oneOf([1n, ones - 1n]), oneOf([0n, (1n << F) - 1n, bitsOf(f)])); // min / max normals
    case 7: case 8: { // small integers and halves (rounding boundaries)
      const k = BigInt(pick(2 * f + 8));
      const exp = bias + BigInt(pick(Math.min(f + 3, 40)));
      return make(exp, (k << (F - 4n)) | (pick(3) === 0 ? BigInt(pick(2)) : 0n));
    }
    case 9: return make(bias + BigInt(pick(4)) - 2n, bitsOf(f)); // near 1
    case 10: { // near the integer range limits of 16, 32, 64-bit conversions
      const exp = bias + BigInt(oneOf([15, 16, 31, 32, 63, 64])) - BigInt(pick(2));
      return make(exp < ones ? exp : ones - 1n, oneOf([0n, (1n << F) - 1n, bitsOf(f)]));
    }
    case 11: return make(BigInt(pick(4)) + 1n, bitsOf(f)); // tiny normals (underflow)
    case 12: return make(ones - 1n - BigInt(pick(4)), bitsOf(f)); // huge (overflow)
    case 13: return BigInt(pick(200)) - 100n & ((1n << BigInt(8 * bytes)) - 1n); // small integers (SCVTF)
    default: return make(bias - 8n + BigInt(pick(24)), bitsOf(f)); // ordinary values
  }
}

/** 16 bytes of a register: lanes of `bytes` bytes (mostly the instruction's), as 32 hex digits. */
function randomReg(bytes) {
  const size = pick(8) === 0 ? oneOf([2, 4, 8]) : bytes;
  let v = 0n;
  for (let i = 16 / size - 1; i >= 0; i--) v = (v << BigInt(8 * size)) | (pick(10) === 0 ? bitsOf(8 * size) : fpLane(size));
  return v.toString(16).padStart(32, '0');
}

function randomFpcr() {
  const rmode = pick(3) === 0 ? 0 : pick(4);
  const fz = pick(4) === 0 ? 1 : 0;
  const dn = pick(4) === 0 ? 1 : 0;
  const fz16 = pick(4) === 0 ? 1 : 0;
  const ahp = pick(8) === 0 ? 1 : 0;
  return ((ahp << 26) | (dn << 25) | (fz << 24) | (rmode << 22) | (fz16 << 19)) >>> 0;
}

const w = (...fields) => fields.reduce((acc, [v, at]) => (acc | (v << at)) >>> 0, 0);
const regs = (d, n, m = 0) => w([d, 0], [n, 5], [m, 16]);

/** Word generators by class: [word, element bytes]. */
const CLASSES = {
  'three-same': () => {
    const [q, u, a, sz] = [pick(2), pick(2), pick(2), pick(2)];
    const k = pick(10);
    const r = regs(reg(), reg(), reg());
    if (k < 4) return [w([q, 30], [u, 29], [0b01110, 24], [a, 23], [sz, 22], [1, 21], [0b11, 14], [pick(8), 11], [1, 10]) | r, sz ? 8 : 4];
    if (k < 6) return [w([q, 30], [u, 29], [0b01110, 24], [a, 23], [0b10, 21], [pick(8), 11], [1, 10]) | r, 2];
    if (k < 7) return [w([1, 30], [u, 29], [0b11110, 24], [a, 23], [sz, 22], [1, 21], [0b11, 14], [pick(8), 11], [1, 10]) | r, sz ? 8 : 4];
    if (k < 8) return [w([1, 30], [u, 29], [0b11110, 24], [a, 23], [0b10, 21], [pick(8), 11], [1, 10]) | r, 2];
    // FMLAL family (and its reserved neighbours)
    return [w([q, 30], [u, 29], [0b01110, 24], [a, 23], [pick(4) === 0 ? 1 : 0, 22], [1, 21], [u ? 0b11001 : 0b11101, 11], [1, 10]) | r, 2];
  },
  'two-misc': () => {
    const [q, u, a, sz] = [pick(2), pick(2), pick(2), pick(2)];
    const k = pick(10);
    const op = oneOf([12, 13, 14, 15, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);
    const r = regs(reg(), reg());
    const bytes = op === 22 || op === 23 ? (op === 23 ? (sz ? 4 : 2) : (sz ? 8 : 4)) : (sz ? 8 : 4);
    if (k < 5) return [w([q, 30], [u, 29], [0b01110, 24], [a, 23], [sz, 22], [0b10000, 17], [op, 12], [0b10, 10]) | r, op === 28 && a ? 4 : bytes];
    if (k < 7) return [w([q, 30], [u, 29], [0b01110, 24], [a, 23], [0b1111, 19], [op, 12], [0b10, 10]) | r, 2];
    if (k < 9) return [w([1, 30], [u, 29], [0b11110, 24], [a, 23], [sz, 22], [0b10000, 17], [op, 12], [0b10, 10]) | r, op === 22 ? 8 : bytes];
    return [w([1, 30], [u, 29], [0b11110, 24], [a, 23], [0b1111, 19], [op, 12], [0b10, 10]) | r, 2];
  },
  'across-pairwise': () => {
    const [u, a] = [pick(2), pick(2)];
    // Mostly the allocated size/Q of each form, sometimes any (the reserved ones are UNDEFINED).
    const q = pick(4) === 0 ? pick(2) : u ? 1 : pick(2);
    const sz = pick(4) === 0 ? pick(2) : u ? pick(2) : 0;
    const op = oneOf([12, 13, 15, 12, 15, pick(32)]);
    const r = regs(reg(), reg());
    if (pick(2)) return [w([q, 30], [u, 29], [0b01110, 24], [a, 23], [sz, 22], [0b11000, 17], [op, 12], [0b10, 10]) | r, u ? 4 : 2];
    return [w([1, 30], [u, 29], [0b11110, 24], [a, 23], [sz, 22], [0b11000, 17], [op, 12], [0b10, 10]) | r, u ? (sz ? 8 : 4) : 2];
  },
  'by-element': () => {
    const [q, u, L, M, H] = [pick(2), pick(2), pick(2), pick(2), pick(2)];
    const scalar = pick(5) === 0;
    const k = pick(10);
    let size;
    let op;
    if (k < 6 || scalar) { size = oneOf([0, 2, 3, 3, 1]); op = u ? 9 : oneOf([1, 5, 9]); }
    else if (k < 8) { size = pick(6) === 0 ? pick(4) : 2; op = u ? oneOf([8, 12]) : oneOf([0, 4]); }
    else if (k < 9) { size = pick(6) === 0 ? oneOf([0, 3]) : oneOf([1, 2]); op = oneOf([1, 3, 5, 7]); }
    else { size = oneOf([1, 3]); op = 15; }
    const bytes = op === 15 || ((op & 3) === 0 && op !== 9) ? 2 : [2, 2, 4, 8][size];
    const uu = k === 8 ? 1 : k === 9 ? 0 : u;
    return [w([scalar ? 1 : q, 30], [uu, 29], [scalar ? 0b11111 : 0b01111, 24], [size, 22], [L, 21], [M, 20], [op, 12], [H, 11]) | regs(reg(), reg(), reg()), bytes];
  },
  'shift-imm': () => {
    const [q, u] = [pick(2), pick(2)];
    const immh = oneOf([1, 2, 3, 4, 5, 6, 7, 8 + pick(8)]);
    const imm = w([immh, 19], [pick(8), 16]);
    const op = oneOf([0b11100, 0b11111]);
    const bytes = immh >= 8 ? 8 : immh >= 4 ? 4 : 2;
    if (pick(3) === 0) return [(w([1, 30], [u, 29], [0b111110, 23], [op, 11], [1, 10]) | imm | regs(reg(), reg())) >>> 0, bytes];
    return [(w([q, 30], [u, 29], [0b011110, 23], [op, 11], [1, 10]) | imm | regs(reg(), reg())) >>> 0, bytes];
  },
  extra: () => {
    const [q, size] = [pick(2), pick(4)];
    const opcode = oneOf([8, 9, 10, 11, 12, 14, 13, 15, 15]);
    const bytes = opcode === 13 || opcode === 15 ? 2 : [2, 2, 4, 8][size];
    return [w([q, 30], [1, 29], [0b01110, 24], [size, 22], [1, 15], [opcode, 11], [1, 10]) | regs(reg(), reg(), reg()), bytes];
  },
};

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[4];
for (const [name, gen] of Object.entries(CLASSES)) {
  if (only !== undefined && only !== name) continue;
  const cases = [];
  for (let i = 0; i < perClass; i++) {
    const [word, bytes] = gen();
    const v = [0, 1, 2, 3].map(() => randomReg(bytes));
    cases.push({ word: word >>> 0, v: [...v, ...Array(4).fill('0'.repeat(32))], fpcr: randomFpcr(), fpsr: 0 });
  }
  const results = runCases(cases);
  const vectors = cases.map((c, i) => {
    const r = results[i];
    const input = { w: c.word.toString(16).padStart(8, '0'), c: c.fpcr, v: c.v.slice(0, 4) };
    if (r.undef) return { ...input, out: 'U' };
    const changed = r.v.map((h, k) => [k, h]).filter(([k, h]) => h !== c.v[k]);
    return { ...input, out: { v: changed, s: r.fpsr } };
  });
  const file = join(here, `../src/insn/simd-fp-${name}.vectors.json`);
  const body = vectors.map((v) => JSON.stringify(v)).join(',\n');
  writeFileSync(file, `{"about":"QEMU 10 linux-user -cpu max; scripts/record-simd-fp.mjs ${perClass} ${process.argv[3] ?? 1}",\n"vectors":[\n${body}\n]}\n`);
  console.log(`${name}: ${vectors.length} vectors, ${vectors.filter((v) => v.out === 'U').length} UNDEFINED -> ${file}`);
}
