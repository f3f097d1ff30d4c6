/**
 * Record QEMU 10 (linux-user, -cpu max) vectors for the SIMD&FP loads and stores (insn/simd-fp-loads-stores.ts):
 * random encodings of every form with X0 as the base (pointing into a 512-byte buffer), X1 as the offset register
 * and V2-V7 as the transfer registers, each run on random buffer and register contents. Writes
 * src/insn/simd-fp-loads-stores.vectors.json, which the tests replay on the model.
 *   node scripts/record-simd-ldst.mjs [count=3000] [seed=1]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const count = Number(process.argv[2] ?? 3000);
let seed = Number(process.argv[3] ?? 1) >>> 0 || 1;
const rnd = () => { seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0; return seed; };
const pick = (n) => rnd() % n;

const BUF = 512;
const BASE_OFF = 192; // X0 = buf + 192
/** One random word of a SIMD&FP load/store form, with Rn = 0, Rm = 1, Rt (and following) within V2..V7. */
function randomWord() {
  const t = 2 + pick(6);
  const L = pick(2);
  switch (pick(7)) {
    case 0: { // LDR/STR unsigned offset: size opc; keep offset small
      const [size, opc1] = [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1], [1, 1]][pick(6)]; // (1,1) unallocated
      const scale = opc1 ? 4 : size;
      const imm12 = pick(Math.max(1, Math.floor(256 / (1 << scale))));
      return ((size << 30) | (0b111101 << 24) | (opc1 << 23) | (L << 22) | (imm12 << 10) | (0 << 5) | t) >>> 0;
    }
    case 1: { // unscaled / post / pre / unprivileged(undef)
      const [size, opc1] = [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]][pick(5)];
      const imm9 = (pick(320) - 160) & 0x1ff;
      const form = pick(4);
      return ((size << 30) | (0b111100 << 24) | (opc1 << 23) | (L << 22) | (imm9 << 12) | (form << 10) | t) >>> 0;
    }
    case 2: { // register offset
      const [size, opc1] = [[0, 0], [1, 0], [2, 0], [3, 0], [0, 1]][pick(5)];
      const option = [2, 3, 6, 7, 0][pick(5)];
      const S = pick(2);
      return ((size << 30) | (0b111100 << 24) | (opc1 << 23) | (L << 22) | (1 << 21) | (1 << 16) | (option << 13) |
        (S << 12) | (0b10 << 10) | t) >>> 0;
    }
    case 3: { // pairs
      const opc = pick(4);
      const type = pick(4);
      const imm7 = (pick(16) - 8) & 0x7f;
      const t2 = 2 + pick(6);
      return ((opc << 30) | (0b101 << 27) | (1 << 26) | (type << 23) | (L << 22) | (imm7 << 15) | (t2 << 10) | t) >>> 0;
    }
    case 4: { // multiple structures
      const q = pick(2);
      const post = pick(2);
      const opcode = [0, 2, 4, 6, 7, 8, 10, 1][pick(8)];
      const size = pick(4);
      const m = post ? [31, 1][pick(2)] : 0;
      const tt = 2 + pick(3);
      return ((q << 30) | (0b0011000 << 23) | (post << 23) | (L << 22) | (m << 16) | (opcode << 12) | (size << 10) | tt) >>> 0;
    }
    case 5: { // single structure
      const q = pick(2);
      const post = pick(2);
      const R = pick(2);
      const opcode = pick(8);
      const S = pick(2);
      const size = pick(4);
      const m = post ? [31, 1][pick(2)] : 0;
      const tt = 2 + pick(3);
      return ((q << 30) | (0b0011010 << 23) | (post << 23) | (L << 22) | (R << 21) | (m << 16) | (opcode << 13) |
        (S << 12) | (size << 10) | tt) >>> 0;
    }
    default: { // literal: LDR S/D/Q of the word's own neighbourhood (imm19 = 0 or 1: the word itself or the next)
      const opc = pick(4);
      return ((opc << 30) | (0b011100 << 24) | (pick(2) << 5) | t) >>> 0;
    }
  }
}

const hex = (n, bytes) => n.toString(16).padStart(bytes * 2, '0');
/**
 * A case's buffer and V0-V7 contents: BUF + 128 bytes from xorshift32 seeded with the case's seed (the replaying
 * test derives the same bytes: simd-fp-loads-stores.test.ts `caseBytes`).
 */
function caseBytes(caseSeed) {
  let s = caseSeed >>> 0 || 1;
  const b = Buffer.alloc(BUF + 128);
  for (let i = 0; i < b.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    b[i] = s & 0xff;
  }
  return b;
}

/** [offset, hex] runs where `b` differs from `a`. */
function diffRuns(a, b) {
  const runs = [];
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    let j = i;
    while (j < a.length && a[j] !== b[j]) j++;
    runs.push([i, b.subarray(i, j).toString('hex')]);
    i = j;
  }
  return runs;
}

const cases = [];
for (let i = 0; i < count; i++) {
  const word = randomWord();
  // X1 scaled by up to 16 stays within the buffer from X0 = buf + 192; as a UXTW offset it must not be negative.
  const regOffset = (word & 0x3f200c00) === 0x3c200800;
  const uxtw = regOffset && ((word >>> 13) & 7) === 2;
  const x1 = uxtw ? pick(12) : pick(25) - 12;
  const caseSeed = rnd();
  const bytes = caseBytes(caseSeed);
  cases.push({ word, seed: caseSeed, buf: bytes.subarray(0, BUF), v: bytes.subarray(BUF), x1 });
}

// Per case: copy the case's buffer into place, load V0-V7, X0 = buf + BASE_OFF, X1 = x1; run the word at a fixed
// 16-byte aligned slot (literals read the word itself and the nops after it); store V0-V7, X0 - buf,
// X1, the buffer, and a done mark. SIGILL resumes at the next case.
const OUT = 128 + 16 + BUF + 16;
const lines = [
  '.global _start', '_start:',
  '  mov x0, #4', '  adr x1, act', '  mov x2, #0', '  mov x3, #8', '  mov x8, #134', '  svc #0',
  '  adrp x27, inputs', '  add x27, x27, :lo12:inputs', '  adrp x26, outputs', '  add x26, x26, :lo12:outputs',
  '  adrp x25, buf', '  add x25, x25, :lo12:buf',
];
cases.forEach((c, i) => {
  lines.push(
    `  adr x9, next${i}`, '  adrp x10, resume', '  str x9, [x10, :lo12:resume]',
    `  mov x28, #${(i * (BUF + 128)) & 0xffff}`, `  movk x28, #${(i * (BUF + 128)) >>> 16}, lsl #16`, '  add x28, x27, x28',
    '  mov x11, #0', `copy${i}:`, '  ldr x12, [x28, x11]', '  str x12, [x25, x11]', '  add x11, x11, #8',
    `  cmp x11, #${BUF}`, `  b.lt copy${i}`, `  add x28, x28, #${BUF}`,
    '  ldp q0, q1, [x28]', '  ldp q2, q3, [x28, #32]', '  ldp q4, q5, [x28, #64]', '  ldp q6, q7, [x28, #96]',
    `  add x0, x25, #${BASE_OFF}`, `  mov x1, #${c.x1 & 0xffff}`, ...(c.x1 < 0 ? ['  movk x1, #0xffff, lsl #16', '  movk x1, #0xffff, lsl #32', '  movk x1, #0xffff, lsl #48'] : []),
    '  .balign 16', `  .inst 0x${c.word.toString(16)}`, '  nop', '  nop', '  nop', '  nop', '  nop', '  nop', '  nop',
    `  mov x28, #${(i * OUT) & 0xffff}`, `  movk x28, #${(i * OUT) >>> 16}, lsl #16`, '  add x28, x26, x28',
    '  stp q0, q1, [x28]', '  stp q2, q3, [x28, #32]', '  stp q4, q5, [x28, #64]', '  stp q6, q7, [x28, #96]',
    '  sub x0, x0, x25', '  stp x0, x1, [x28, #128]',
    '  mov x11, #0', `out${i}:`, '  ldr x12, [x25, x11]', `  add x13, x28, #144`, '  str x12, [x13, x11]',
    '  add x11, x11, #8', `  cmp x11, #${BUF}`, `  b.lt out${i}`,
    '  mov x9, #1', `  str x9, [x28, #${144 + BUF}]`,
    `next${i}:`,
  );
});
const total = cases.length * OUT;
lines.push(
  `  mov x20, #${total & 0xffff}`, `  movk x20, #${total >>> 16}, lsl #16`, '  mov x21, x26',
  'wloop:', '  cbz x20, wdone', '  mov x0, #1', '  mov x1, x21', '  mov x2, x20', '  mov x8, #64', '  svc #0',
  '  cmp x0, #0', '  b.le wdone', '  add x21, x21, x0', '  sub x20, x20, x0', '  b wloop',
  'wdone:', '  mov x0, #0', '  mov x8, #93', '  svc #0',
  'handler:', '  adrp x9, resume', '  ldr x9, [x9, :lo12:resume]', '  str x9, [x2, #440]', '  ret',
  '.data', '.balign 16', 'act: .quad handler, 0x40000004, 0, 0', 'resume: .quad 0',
  '.balign 16', 'inputs:', '  .incbin "inputs.bin"',
  '.bss', '.balign 4096', `buf: .skip ${BUF}`, '.balign 16', `outputs: .skip ${total}`,
);
const dir = mkdtempSync(join(tmpdir(), 'simd-ldst-'));
try {
  writeFileSync(join(dir, 'inputs.bin'), Buffer.concat(cases.flatMap((c) => [c.buf, c.v])));
  writeFileSync(join(dir, 'p.S'), `${lines.join('\n')}\n`);
  execFileSync('aarch64-linux-gnu-gcc', ['-nostdlib', '-static', '-o', 'p', 'p.S'], { cwd: dir });
  const out = execFileSync('qemu-aarch64', ['-cpu', 'max', join(dir, 'p')], { maxBuffer: total + 1024 });
  if (out.length !== total) throw new Error(`got ${out.length} bytes, expected ${total}`);
  const vectors = cases.map((c, i) => {
    const o = i * OUT;
    const input = { word: hex(c.word, 4), x1: c.x1, seed: c.seed };
    if (out.readBigUInt64LE(o + 144 + BUF) !== 1n) return { ...input, undef: true };
    return {
      ...input,
      x0: Number(out.readBigInt64LE(o + 128)), x1After: Number(out.readBigInt64LE(o + 136)),
      v: diffRuns(c.v, out.subarray(o, o + 128)), mem: diffRuns(c.buf, out.subarray(o + 144, o + 144 + BUF)),
    };
  });
  const file = join(dirname(fileURLToPath(import.meta.url)), '../src/insn/simd-fp-loads-stores.vectors.json');
  writeFileSync(file, `${JSON.stringify({ about: 'QEMU 10 linux-user -cpu max; scripts/record-simd-ldst.mjs', baseOffset: BASE_OFF, buffer: BUF, vectors })}\n`);
  console.log(`${vectors.length} vectors, ${vectors.filter((v) => v.undef).length} UNDEFINED -> ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
