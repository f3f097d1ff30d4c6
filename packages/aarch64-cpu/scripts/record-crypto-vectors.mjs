/**
 * Record QEMU 10's results for the cryptographic extension instructions (src/insn/simd-crypto*.ts) into
 * src/insn/simd-crypto-vectors/<class>.txt, which src/insn/simd-crypto.qemu.test.ts replays on the model. A
 * development tool: needs qemu-aarch64 and the aarch64-linux-gnu toolchain (scripts/qemu-user-oracle.mjs); the
 * tests do not.
 *
 *   node packages/aarch64-cpu/scripts/record-crypto-vectors.mjs [--seed N]
 *
 * Inputs are deterministic (xorshift32 from the seed): random words of every allocated encoding of each class with
 * registers V0-V7 (so Vd, Vn, Vm and Va often coincide), operands random or from boundary patterns (zero, all ones,
 * lanes of 0xffffffff / 0x80000000 / 1 that make every carry chain ripple), FPCR and FPSR varied (the instructions
 * must leave them alone), and the unallocated encodings of each class (SM3/SM4 excluded: QEMU implements them, the
 * model does not). One line per case:
 *
 *   WORD r:HEX ... [fpcr:HEX] [fpsr:HEX] > r:HEX ... [fpsr:HEX]     (or `> UNDEF`)
 *
 * Only the registers a word names hold operands, the other V registers and all X are zero; a line's inputs name the V
 * registers that are not zero, its result the V registers whose value changed, and FPSR, NZCV or Xn if they changed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCases } from './qemu-user-oracle.mjs';

const OUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'insn', 'simd-crypto-vectors');
const seedArg = process.argv.indexOf('--seed');
let s = (seedArg > 0 ? Number(process.argv[seedArg + 1]) : 0x5eed_c0de) >>> 0 || 1;

/** xorshift32. */
function next() {
  s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
  return s;
}
const below = (n) => next() % n;
const hex32 = (w) => (w >>> 0).toString(16).padStart(8, '0');

/** A 32-bit lane: random most of the time, else a carry-chain boundary. */
function lane() {
  switch (below(10)) {
    case 0: return 0xffffffff;
    case 1: return 0x80000000;
    case 2: return 0x7fffffff;
    case 3: return 1;
    case 4: return 0;
    default: return next();
  }
}

/** A 128-bit operand as 32 hex digits (most significant first). */
function operand() {
  switch (below(16)) {
    case 0: return '0'.repeat(32);
    case 1: return 'f'.repeat(32);
    case 2: case 3: case 4: return [lane(), lane(), lane(), lane()].map(hex32).join('');
    default: return [next(), next(), next(), next()].map(hex32).join('');
  }
}

const FPCRS = [0, 0x00c00000, 0x01000000, 0x02000000, 0x03c00000, 0x07c80000, 0x04000000];

/**
 * A case for `word` with random operands in the registers it names (`fields`: the shifts of its 5-bit register
 * fields; an unallocated word gets all of V0-V7), the other registers zero.
 */
function caseFor(word, fields = [0, 5, 10, 16]) {
  const named = new Set(fields.map((sh) => (word >>> sh) & 31));
  const v = [];
  for (let r = 0; r < 8; r++) v.push(!named.has(r) ? '0'.repeat(32) : operand());
  const c = { word, v };
  if (below(4) === 0) {
    c.fpcr = FPCRS[below(FPCRS.length)];
    c.fpsr = next() & 0x0800009f;
  }
  if (below(8) === 0) c.nzcv = below(16);
  return c;
}

const reg = () => below(8);
const rd = reg, rn = reg, rm = reg;

/**
 * Random words of one allocated encoding: `base` with the register fields (and imm6 for XAR) drawn at random. Each
 * generator has `fields`, the shifts of the register fields it draws.
 */
const withFields = (fields, gen) => Object.assign(gen, { fields });
const three = (base) => withFields([0, 5, 16], () => (base | (rm() << 16) | (rn() << 5) | rd()) >>> 0);
const two = (base) => withFields([0, 5], () => (base | (rn() << 5) | rd()) >>> 0);
const four = (base) => withFields([0, 5, 10, 16], () => (base | (rm() << 16) | (reg() << 10) | (rn() << 5) | rd()) >>> 0);
const xar = withFields([0, 5, 16], () => (0xce800000 | (rm() << 16) | (below(64) << 10) | (rn() << 5) | rd()) >>> 0);

/** Each class: its instructions (generators, equal shares of `count`) and its unallocated words. */
const CLASSES = {
  aes: {
    count: 2800,
    gens: [0x4e284800, 0x4e285800, 0x4e286800, 0x4e287800].map(two),
    // size != 00, or an opcode other than 0b00100-0b00111.
    undef: () => {
      const out = [];
      for (let size = 0; size < 4; size++) {
        for (let op = 0; op < 32; op++) {
          if (size === 0 && op >= 4 && op <= 7) continue;
          out.push((0x4e280800 | (size << 22) | (op << 12) | (rn() << 5) | rd()) >>> 0);
        }
      }
      return out;
    },
  },
  sha: {
    count: 3000,
    gens: [...[0, 1, 2, 3, 4, 5, 6].map((op) => three(0x5e000000 | (op << 12))),
      ...[0, 1, 2].map((op) => two(0x5e280800 | (op << 12)))],
    // three-register: size != 00 or opcode 7; two-register: size != 00 or opcode > 2.
    undef: () => {
      const out = [];
      for (let size = 0; size < 4; size++) {
        for (let op = 0; op < 8; op++) {
          if (size === 0 && op !== 7) continue;
          out.push((0x5e000000 | (size << 22) | (rm() << 16) | (op << 12) | (rn() << 5) | rd()) >>> 0);
        }
        for (let op = 0; op < 32; op++) {
          if (size === 0 && op <= 2) continue;
          out.push((0x5e280800 | (size << 22) | (op << 12) | (rn() << 5) | rd()) >>> 0);
        }
      }
      return out;
    },
  },
  sha512: {
    count: 2400,
    gens: [three(0xce608000), three(0xce608400), three(0xce608800), two(0xcec08000)],
    // three-register O = 1 opcode 3; two-register opcodes 2 and 3 (O = 1 opcodes 0-2 and opcode 1 are SM3/SM4).
    undef: () => [0, 1, 2, 3].flatMap(() => [three(0xce60cc00)(), two(0xcec08800)(), two(0xcec08c00)()]),
  },
  sha3: {
    count: 2400,
    gens: [four(0xce000000), four(0xce200000), xar, three(0xce608c00)],
    // four-register Op0 = 11; three-register imm6 Op0 = 01, 10, 11.
    undef: () => [0, 1, 2, 3].flatMap(() => [four(0xce600000)(), ...[1, 2, 3].map((op0) =>
      (0xce800000 | (op0 << 21) | (rm() << 16) | (below(64) << 10) | (rn() << 5) | rd()) >>> 0)]),
  },
};

/** Render a case and its result as one line (see the header). */
function line(c, r) {
  const ins = [hex32(c.word)];
  c.v.forEach((h, i) => { if (!/^0+$/.test(h)) ins.push(`${i}:${h}`); });
  if (c.fpcr) ins.push(`fpcr:${c.fpcr.toString(16)}`);
  if (c.fpsr) ins.push(`fpsr:${c.fpsr.toString(16)}`);
  if (c.nzcv) ins.push(`nzcv:${c.nzcv.toString(16)}`);
  if (r.undef) return `${ins.join(' ')} > UNDEF`;
  const outs = [];
  r.v.forEach((h, i) => { if (h !== c.v[i]) outs.push(`${i}:${h}`); });
  if (r.fpsr !== (c.fpsr ?? 0)) outs.push(`fpsr:${r.fpsr.toString(16)}`);
  if (r.nzcv !== (c.nzcv ?? 0)) outs.push(`nzcv:${r.nzcv.toString(16)}`);
  r.x.forEach((h, i) => { if (!/^0+$/.test(h)) outs.push(`x${i}:${h}`); });
  return `${ins.join(' ')} > ${outs.join(' ')}`.trimEnd();
}

mkdirSync(OUT_DIR, { recursive: true });
for (const [name, cls] of Object.entries(CLASSES)) {
  const cases = [];
  for (let i = 0; i < cls.count; i++) {
    const gen = cls.gens[i % cls.gens.length];
    cases.push(caseFor(gen(), gen.fields));
  }
  for (const w of cls.undef()) cases.push(caseFor(w, [0, 5, 10, 16]));
  const results = runCases(cases);
  const lines = cases.map((c, i) => line(c, results[i]));
  writeFileSync(join(OUT_DIR, `${name}.txt`), `${lines.join('\n')}\n`);
  console.log(`${name}: ${lines.length} vectors, ${lines.filter((l) => l.endsWith('UNDEF')).length} UNDEF`);
}
