/**
 * Record QEMU 10 (linux-user, -cpu max) vectors for the AdvSIMD integer, permute and copy instructions
 * (src/insn/simd-*.ts, issue 12): random encodings of each class (every U/size/Q/opcode combination of the integer
 * opcodes, the reserved ones included, which QEMU records as UNDEFINED) with Rd/Rn/Rm in V0-V3 (X0-X3 for the
 * general-register forms of copy), run on random register contents biased to lane boundaries (0, 1, -1, the
 * signed minimum and maximum, small shift counts and table indices). Writes src/insn/simd-int-<class>.vectors.json:
 *   { about, vectors: [{ w, s, v: [V0..V3], x?: [X0..X3], out: 'U' | { v: [[reg, hex]...changed], x?, s } }] }
 * which simd-int-vectors.test.ts replays on the model.
 *   node scripts/record-simd-int.mjs [perClass=3000] [seed=1]
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
const QC = 1 << 27;

/** 16 bytes of a register, lanes of a random size drawn from boundary values or random bits. */
function randomReg(kind) {
  const b = Buffer.alloc(16);
  const size = oneOf([1, 2, 4, 8]);
  for (let i = 0; i < 16; i += size) {
    const r = pick(12);
    for (let k = 0; k < size; k++) {
      let byte = pick(256);
      if (r === 0) byte = 0;
      else if (r === 1) byte = 0xff;
      else if (r === 2) byte = k === size - 1 ? 0x80 : 0;
      else if (r === 3) byte = k === size - 1 ? 0x7f : 0xff;
      else if (r === 4) byte = k === 0 ? 1 : 0;
      else if (r === 5) byte = k === 0 ? (pick(2) ? pick(72) : 256 - pick(72)) : 0; // shift counts
      else if (r === 6 && kind === 'tbl') byte = pick(70);
      b[i + k] = byte;
    }
  }
  if (kind === 'tbl') for (let i = 0; i < 16; i++) if (pick(2)) b[i] = pick(70);
  return Buffer.from(b).reverse().toString('hex');
}

const randomX = () => oneOf([0n, 1n, -1n, 0x80n, 0x8000n, 0x8000_0000n, 0x7fff_ffffn,
  BigInt.asUintN(64, BigInt(rnd()) << 32n | BigInt(rnd()))]);

const w = (...fields) => fields.reduce((acc, [v, at]) => (acc | (v << at)) >>> 0, 0);
const regs = (d, n, m = 0) => w([d, 0], [n, 5], [m, 16]);

/** Word generators by class (the file name's <class>). */
const CLASSES = {
  'three-same': () => {
    const k = pick(10);
    const [q, u, size] = [pick(2), pick(2), pick(4)];
    if (k < 6) return w([q, 30], [u, 29], [0b01110, 24], [size, 22], [1, 21], [pick(24), 11], [1, 10]) | regs(reg(), reg(), reg());
    if (k < 8) return w([1, 30], [u, 29], [0b11110, 24], [size, 22], [1, 21], [pick(24), 11], [1, 10]) | regs(reg(), reg(), reg());
    if (k < 9) return w([q, 30], [u, 29], [0b01110, 24], [size, 22], [1, 15], [pick(6), 11], [1, 10]) | regs(reg(), reg(), reg());
    return w([1, 30], [u, 29], [0b11110, 24], [size, 22], [1, 15], [pick(2), 11], [1, 10]) | regs(reg(), reg(), reg());
  },
  'three-different': () => {
    const [q, u, size] = [pick(2), pick(2), pick(4)];
    if (pick(6) === 0) return w([1, 30], [u, 29], [0b11110, 24], [size, 22], [1, 21], [oneOf([9, 11, 13]), 12]) | regs(reg(), reg(), reg());
    return w([q, 30], [u, 29], [0b01110, 24], [size, 22], [1, 21], [pick(16), 12]) | regs(reg(), reg(), reg());
  },
  'two-misc': () => {
    const [q, u, size] = [pick(2), pick(2), pick(4)];
    const k = pick(8);
    if (k < 5) return w([q, 30], [u, 29], [0b01110, 24], [size, 22], [0b10000, 17], [oneOf([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 18, 19, 20]), 12], [0b10, 10]) | regs(reg(), reg());
    if (k < 7) return w([1, 30], [u, 29], [0b11110, 24], [size, 22], [0b10000, 17], [oneOf([3, 7, 8, 9, 10, 11, 18, 20]), 12], [0b10, 10]) | regs(reg(), reg());
    if (pick(4) === 0) return w([1, 30], [u, 29], [0b11110, 24], [size, 22], [0b11000, 17], [0b11011, 12], [0b10, 10]) | regs(reg(), reg());
    return w([q, 30], [u, 29], [0b01110, 24], [size, 22], [0b11000, 17], [oneOf([3, 10, 26, 27]), 12], [0b10, 10]) | regs(reg(), reg());
  },
  'shift-imm': () => {
    const [q, u] = [pick(2), pick(2)];
    const immh = pick(4) === 0 ? 8 + pick(8) : oneOf([1, 2, 3, 4, 5, 6, 7]);
    const imm = w([immh, 19], [pick(8), 16]);
    const ops = [0, 2, 4, 6, 8, 10, 12, 14, 16, 17, 18, 19, 20];
    if (pick(3) === 0) return (w([1, 30], [u, 29], [0b111110, 23], [oneOf(ops), 11], [1, 10]) | (pick(16) === 0 ? 0 : imm) | regs(reg(), reg())) >>> 0;
    return (w([q, 30], [u, 29], [0b011110, 23], [oneOf(ops), 11], [1, 10]) | imm | regs(reg(), reg())) >>> 0;
  },
  'by-element': () => {
    const [q, u] = [pick(2), pick(2)];
    let size = pick(8) === 0 ? oneOf([0, 3]) : oneOf([1, 2]);
    const scalar = pick(5) === 0;
    let op;
    if (scalar) op = u ? oneOf([13, 15]) : oneOf([3, 7, 11, 12, 13]);
    else op = u ? oneOf([0, 2, 4, 6, 10, 13, 14, 15]) : oneOf([2, 3, 6, 7, 8, 10, 11, 12, 13, 14, 15]);
    if (op === 14 || (op === 15 && u === 0)) size = pick(4) === 0 ? oneOf([0, 1, 3]) : 2;
    if (op === 15 && u === 0 && (size === 1 || size === 3)) size = oneOf([0, 2]); // BFDOT / BFMLAL are BF16
    if (op === 15 && u === 0 && pick(2)) size = 0;
    const mBit = size === 1 ? pick(2) : 0;
    return (w([scalar ? 1 : q, 30], [u, 29], [scalar ? 0b11111 : 0b01111, 24], [size, 22], [pick(2), 21], [mBit, 20],
      [op, 12], [pick(2), 11]) | regs(reg(), reg(), reg())) >>> 0;
  },
  'copy-permute': () => {
    const q = pick(2);
    const k = pick(12);
    if (k < 5) { // copy
      const op = pick(5) === 0 ? 1 : 0;
      const imm4 = op ? pick(16) : pick(6) === 0 ? pick(16) : oneOf([0, 1, 3, 5, 7]);
      const imm5 = pick(10) === 0 ? (pick(2) ? 0 : 16) : pick(32);
      return w([q, 30], [op, 29], [0b01110000, 21], [imm5, 16], [imm4, 11], [1, 10]) | regs(reg(), reg());
    }
    if (k < 6) return w([1, 30], [pick(8) === 0 ? 1 : 0, 29], [0b11110000, 21], [pick(32), 16], [pick(8) === 0 ? pick(16) : 0, 11], [1, 10]) | regs(reg(), reg());
    if (k < 8) return w([q, 30], [0b001110, 24], [pick(4), 22], [pick(8), 12], [0b10, 10]) | regs(reg(), reg(), reg());
    if (k < 9) return w([q, 30], [0b101110, 24], [pick(8) === 0 ? pick(4) : 0, 22], [pick(16), 11]) | regs(reg(), reg(), reg());
    if (k < 11) return w([q, 30], [0b001110, 24], [pick(8) === 0 ? pick(4) : 0, 22], [pick(4), 13], [pick(2), 12]) | regs(reg(), reg(), reg());
    // modified immediate
    const o2 = pick(8) === 0 ? 1 : 0;
    return w([q, 30], [pick(2), 29], [0b0111100000, 19], [pick(8), 16], [pick(16), 12], [o2, 11], [1, 10], [pick(32), 5], [reg(), 0]);
  },
};

const here = dirname(fileURLToPath(import.meta.url));
for (const [name, gen] of Object.entries(CLASSES)) {
  const cases = [];
  for (let i = 0; i < perClass; i++) {
    const word = gen() >>> 0;
    const kind = name === 'copy-permute' && (word & 0x3f208c00) === 0x0e000000 ? 'tbl' : '';
    const v = [0, 1, 2, 3].map(() => randomReg(kind));
    const x = name === 'copy-permute' ? [0, 1, 2, 3].map(() => randomX()) : undefined;
    cases.push({ word, v: [...v, ...Array(4).fill('0'.repeat(32))], x, fpsr: pick(4) === 0 ? QC : 0 });
  }
  const results = runCases(cases);
  const vectors = cases.map((c, i) => {
    const r = results[i];
    const input = { w: c.word.toString(16).padStart(8, '0'), s: c.fpsr, v: c.v.slice(0, 4), ...(c.x && { x: c.x.map((b) => BigInt.asUintN(64, b).toString(16)) }) };
    if (r.undef) return { ...input, out: 'U' };
    const changed = r.v.map((h, k) => [k, h]).filter(([k, h]) => h !== c.v[k]);
    const xChanged = c.x ? r.x.map((h, k) => [k, h]).filter(([k, h]) => BigInt(`0x${h}`) !== BigInt.asUintN(64, c.x[k] ?? 0n)) : [];
    return { ...input, out: { v: changed, ...(xChanged.length && { x: xChanged }), s: r.fpsr } };
  });
  const file = join(here, `../src/insn/simd-int-${name}.vectors.json`);
  const body = vectors.map((v) => JSON.stringify(v)).join(',\n');
  writeFileSync(file, `{"about":"QEMU 10 linux-user -cpu max; scripts/record-simd-int.mjs ${perClass} ${process.argv[3] ?? 1}",\n"vectors":[\n${body}\n]}\n`);
  console.log(`${name}: ${vectors.length} vectors, ${vectors.filter((v) => v.out === 'U').length} UNDEFINED -> ${file}`);
}
