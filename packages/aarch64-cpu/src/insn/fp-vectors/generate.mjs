/**
 * Records the scalar FP test vectors (a development tool; the tests replay the files and never need QEMU):
 * `node src/insn/fp-vectors/generate.mjs` from packages/aarch64-cpu, with QEMU 10 linux-user and the aarch64 cross
 * toolchain installed. Random and boundary operands (NaNs with payloads, infinities, signed zeros, denormals,
 * extreme normals, values at integer and rounding boundaries) under random FPCR modes (RMode, FZ, DN, FZ16, AHP).
 *
 * File format, one vector per line, hex:
 *   WORD FPCR NZCV V1 V2 V3 X1 > V0 X0 FPSR NZCV      (V1-V3 and X1 inputs; V0's low 64 bits input V0LO too)
 * Inputs: V0 = V0LO with high half 0x5555..., V1-V3 low 64 bits (high halves 0xa5a5...), X0 = 0x1111..., X1.
 * Outputs: V0 (128 bits), X0, FPSR, NZCV; or `> UNDEF`.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCases } from '../../../scripts/qemu-user-oracle.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const V_HIGH = 'a5a5a5a5a5a5a5a5';
const V0_HIGH = '5555555555555555';
const X0_IN = '1111111111111111';

let seed = 0x2545f491;
function rnd() {
  seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>>= 0);
}
const pick = (a) => a[rnd() % a.length];
const chance = (p) => rnd() / 2 ** 32 < p;
const r64 = () => (BigInt(rnd()) << 32n) | BigInt(rnd());

const FMT = { 16: { e: 5, f: 10 }, 32: { e: 8, f: 23 }, 64: { e: 11, f: 52 } };
const mask = (n) => (1n << BigInt(n)) - 1n;

/** Bits of sign/biased exponent/fraction in an N-bit format. */
const mk = (n, s, e, f) => (BigInt(s) << BigInt(n - 1)) | (BigInt(e) << BigInt(FMT[n].f)) | BigInt.asUintN(FMT[n].f, BigInt(f));

/** A value of an N-bit format with a random sign near 2^k: exponent k, random or edge fraction. */
function near(n, k) {
  const { e, f } = FMT[n];
  const bias = (1 << (e - 1)) - 1;
  const be = Math.max(0, Math.min((1 << e) - 2, k + bias));
  const frac = pick([0n, mask(f), 1n, mask(f) - 1n, 1n << BigInt(f - 1), r64() & mask(f), r64() & mask(f), (r64() & mask(f)) & ~mask(f - 6)]);
  return mk(n, rnd() & 1, be, frac);
}

/** An operand of an N-bit format: specials, boundaries or random. */
function operand(n) {
  const { e, f } = FMT[n];
  const bias = (1 << (e - 1)) - 1;
  const ones = (1 << e) - 1;
  const s = rnd() & 1;
  switch (rnd() % 16) {
    case 0: return mk(n, s, 0, 0n); // zero
    case 1: return mk(n, s, ones, 0n); // infinity
    case 2: return mk(n, s, ones, (1n << BigInt(f - 1)) | (chance(0.5) ? 0n : r64() & mask(f - 1))); // QNaN
    case 3: return mk(n, s, ones, (r64() & mask(f - 1)) | 1n); // SNaN
    case 4: return mk(n, s, 0, pick([1n, mask(f), r64() & mask(f), 1n << BigInt(f - 1)])); // denormal
    case 5: return near(n, pick([1 - bias, 2 - bias, bias, bias - 1, -bias])); // extreme normals
    case 6: return near(n, rnd() % 8); // small integers and halves
    case 7: { // integer-ish boundaries: 2^31, 2^32, 2^63, 2^64, +-0.5 ulps
      const k = pick([15, 16, 30, 31, 32, 52, 53, 62, 63, 64]);
      return near(n, Math.min(k, bias));
    }
    case 8: case 9: return near(n, (rnd() % 40) - 20);
    case 10: return mk(n, s, rnd() % (ones + 1), r64()); // any bits
    default: return near(n, (rnd() % (2 * bias)) - bias + 1);
  }
}

/** A random 64-bit register with the N-bit operand in its low bits (garbage above). */
function reg(n, v) {
  const hi = n === 64 ? 0n : r64() & ~mask(n);
  return ((hi | v) & mask(64)).toString(16).padStart(16, '0');
}

function fpcr() {
  if (chance(0.3)) return 0;
  let c = (rnd() % 4) << 22;
  if (chance(0.3)) c |= 1 << 24; // FZ
  if (chance(0.3)) c |= 1 << 25; // DN
  if (chance(0.3)) c |= 1 << 26; // AHP
  if (chance(0.3)) c |= 1 << 19; // FZ16
  return c;
}

const FTYPE = [[0, 32], [1, 64], [3, 16]];

/** A case: the word, FPCR, NZCV, V1-V3 values (N-bit operands for the given widths), X1. */
function mkCase(word, widths, x1 = r64()) {
  const v = widths.map((n) => reg(n, operand(n)));
  while (v.length < 3) v.push(r64().toString(16).padStart(16, '0'));
  const v0lo = r64().toString(16).padStart(16, '0');
  return { word: word >>> 0, fpcr: fpcr(), nzcv: rnd() & 15, v0lo, vin: v, x1: x1.toString(16).padStart(16, '0') };
}

/** Derive Vm from Vn sometimes so that sums cancel, products and quotients are exact, compares are equal. */
function related(c, n) {
  if (!chance(0.3)) return c;
  const a = BigInt(`0x${c.vin[0]}`) & mask(n);
  const delta = BigInt(rnd() % 5) - 2n;
  const b = chance(0.5) ? a ^ (1n << BigInt(n - 1)) : (a + delta) & mask(n);
  c.vin[1] = reg(n, b);
  return c;
}

const D0 = 0, N1 = 1 << 5, M2 = 2 << 16, A3 = 3 << 10;

function dp1() {
  const out = [];
  const ops = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 13, 20, 63];
  for (let i = 0; i < 5000; i++) {
    const [ft, n] = pick(FTYPE);
    const op = pick(ops);
    const word = 0x1e204000 | (ft << 22) | (op << 15) | N1 | D0;
    out.push(mkCase(word, [n]));
  }
  return out;
}

function dp2() {
  const out = [];
  for (let i = 0; i < 6000; i++) {
    const [ft, n] = pick(FTYPE);
    const op = rnd() % 10; // 9 = unallocated
    const word = 0x1e200800 | (ft << 22) | M2 | (op << 12) | N1 | D0;
    out.push(related(mkCase(word, [n, n]), n));
  }
  return out;
}

function dp3() {
  const out = [];
  for (let i = 0; i < 5000; i++) {
    const [ft, n] = pick(FTYPE);
    const o1 = rnd() & 1, o0 = rnd() & 1;
    const word = 0x1f000000 | (ft << 22) | (o1 << 21) | M2 | (o0 << 15) | A3 | N1 | D0;
    const c = mkCase(word, [n, n, n]);
    if (chance(0.3)) {
      // Addend close to minus the product's magnitude region: reuse an operand.
      c.vin[2] = c.vin[pick([0, 1])];
    }
    out.push(c);
  }
  return out;
}

function cmp() {
  const out = [];
  for (let i = 0; i < 5000; i++) {
    const [ft, n] = pick(FTYPE);
    const kind = rnd() % 5;
    let word;
    if (kind === 0) word = 0x1e202000 | (ft << 22) | M2 | N1 | pick([0, 8, 16, 24]); // FCMP(E) (zero)
    else if (kind === 1) word = 0x1e200400 | (ft << 22) | M2 | ((rnd() % 16) << 12) | N1 | ((rnd() & 1) << 4) | (rnd() % 16); // FCCMP(E)
    else if (kind === 2) word = 0x1e200c00 | (ft << 22) | M2 | ((rnd() % 16) << 12) | N1 | D0; // FCSEL
    else if (kind === 3) word = 0x1e201000 | (ft << 22) | ((rnd() & 0xff) << 13) | D0; // FMOV imm
    else word = 0x1e202000 | (ft << 22) | M2 | N1 | pick([0, 8, 16, 24]);
    out.push(related(mkCase(word, [n, n]), n));
  }
  return out;
}

/** Integer operands for SCVTF/UCVTF: boundaries and random widths. */
function intOperand() {
  const k = rnd() % 66;
  switch (rnd() % 6) {
    case 0: return pick([0n, 1n, mask(64), 1n << 63n, mask(63), 1n << 31n, mask(31), mask(32), 1n << 32n, 0xffffffff80000000n]);
    case 1: return (r64() & mask(k)) | (k > 0 ? 1n << BigInt(k - 1) : 0n);
    case 2: return mask(64) - (r64() & mask(k));
    case 3: return ((1n << BigInt(k)) + BigInt(rnd() % 7) - 3n) & mask(64);
    default: return r64();
  }
}

function convInt() {
  const out = [];
  for (let i = 0; i < 6000; i++) {
    const [ft, n] = chance(0.05) ? [2, 64] : pick(FTYPE);
    const sf = rnd() & 1;
    const [rmode, opcode] = chance(0.15) ? [rnd() % 4, rnd() % 8]
      : pick([[0, 0], [0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1], [0, 6], [0, 7]]);
    const word = (sf << 31) | 0x1e200000 | (ft << 22) | (rmode << 19) | (opcode << 16) | N1 | D0;
    out.push(mkCase(word, [n], intOperand()));
  }
  return out;
}

function convFixed() {
  const out = [];
  for (let i = 0; i < 5000; i++) {
    const [ft, n] = pick(FTYPE);
    const sf = rnd() & 1;
    const [rmode, opcode] = pick([[0, 2], [0, 3], [3, 0], [3, 1], [3, 0], [3, 1], [1, 0], [0, 0]]);
    const scale = chance(0.1) ? rnd() % 64 : sf ? 1 + (rnd() % 63) : 32 + (rnd() % 32);
    const word = (sf << 31) | 0x1e000000 | (ft << 22) | (rmode << 19) | (opcode << 16) | (scale << 10) | N1 | D0;
    out.push(mkCase(word, [n], intOperand()));
  }
  return out;
}

function fjcvt() {
  const out = [];
  for (let i = 0; i < 1500; i++) out.push(mkCase(0x1e7e0000 | N1 | D0, [64]));
  return out;
}

/**
 * AdvSIMD scalar forms of the library's remaining operations (FRECPE, FRSQRTE, FRECPX, FCVTXN, FMULX, FRECPS,
 * FRSQRTS, FCMEQ/GE/GT), recorded to check the library directly (fp/fp-library.vectors.test.ts): V0 = op(V1[, V2]).
 */
const LIB_OPS = [
  ['frecpe', [[0x5ea1d820, 32], [0x5ee1d820, 64], [0x5ef9d820, 16]]],
  ['frsqrte', [[0x7ea1d820, 32], [0x7ee1d820, 64], [0x7ef9d820, 16]]],
  ['frecpx', [[0x5ea1f820, 32], [0x5ee1f820, 64], [0x5ef9f820, 16]]],
  ['fcvtxn', [[0x7e616820, 64]]],
  ['fmulx', [[0x5e22dc20, 32], [0x5e62dc20, 64], [0x5e421c20, 16]]],
  ['frecps', [[0x5e22fc20, 32], [0x5e62fc20, 64], [0x5e423c20, 16]]],
  ['frsqrts', [[0x5ea2fc20, 32], [0x5ee2fc20, 64], [0x5ec23c20, 16]]],
  ['fcmeq', [[0x5e22e420, 32], [0x5e62e420, 64], [0x5e422420, 16]]],
  ['fcmge', [[0x7e22e420, 32], [0x7e62e420, 64], [0x7e422420, 16]]],
  ['fcmgt', [[0x7ea2e420, 32], [0x7ee2e420, 64], [0x7ec22420, 16]]],
];

function lib() {
  const out = [];
  for (let i = 0; i < 6000; i++) {
    const [, forms] = pick(LIB_OPS);
    const [word, n] = pick(forms);
    out.push(related(mkCase(word, [n, n]), n));
  }
  return out;
}

function record(name, cases) {
  const res = runCases(cases.map((c) => ({
    word: c.word, fpcr: c.fpcr, nzcv: c.nzcv,
    v: [V0_HIGH + c.v0lo, ...c.vin.map((lo) => V_HIGH + lo)],
    x: [X0_IN, c.x1],
  })));
  const lines = cases.map((c, i) => {
    const r = res[i];
    const input = [c.word.toString(16).padStart(8, '0'), c.fpcr.toString(16), c.nzcv.toString(16), c.v0lo, ...c.vin, c.x1].join(' ');
    if (r.undef) return `${input} > UNDEF`;
    return `${input} > ${r.v[0]} ${r.x[0]} ${r.fpsr.toString(16)} ${r.nzcv.toString(16)}`;
  });
  writeFileSync(join(HERE, `${name}.txt`), `${lines.join('\n')}\n`);
  console.log(`${name}: ${lines.length} vectors, ${res.filter((r) => r.undef).length} UNDEF`);
}

const only = process.argv[2];
const classes = { dp1, dp2, dp3, cmp, 'conv-int': convInt, 'conv-fixed': convFixed, fjcvtzs: fjcvt, lib };
for (const [name, gen] of Object.entries(classes)) if (!only || only === name) record(name, gen());
