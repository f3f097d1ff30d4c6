/**
 * Record what QEMU 10 (linux-user, `qemu-aarch64 -cpu max`) does with single instruction words, for test vectors of
 * the SIMD&FP instructions (and any other instruction that reads and writes only registers). A development tool:
 * tests replay the recorded vectors and never need QEMU.
 *
 * API (ESM): `runCases(cases, { cpu = 'max', batch = 1500 } = {})` returns one result per case.
 *   case:   { word: number, v?: string[8], x?: (bigint|string)[8], fpcr?: number, fpsr?: number, nzcv?: number }
 *           v: V0..V7 as 32 hex digits (128 bits, most significant first); x: X0..X7; missing values are 0.
 *           nzcv as N=8, Z=4, C=2, V=1. The word must use only V0-V7 / X0-X7 (X28/X9/X10 are the harness's).
 *   result: { undef: true } when the word raised SIGILL, else
 *           { v: string[8], x: string[8] (16 hex digits each), fpsr: number, nzcv: number }.
 * CLI: `node scripts/qemu-user-oracle.mjs < cases.json > results.json` (JSON arrays; x values as hex strings).
 *
 * How: each batch is one static program. Per case it loads V0-V7, FPCR, FPSR, NZCV and X0-X7 from a data block,
 * runs the word, and stores V0-V7, FPSR, NZCV, X0-X7 and a done mark; a SIGILL handler resumes at the next case
 * (done stays 0: UNDEFINED). The output area is written to stdout at the end.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IN_BYTES = 224; // V0-V7 (128), FPCR @128, FPSR @136, NZCV @144, X0-X7 @152
const OUT_BYTES = 224; // V0-V7 (128), FPSR @128, NZCV @136, X0-X7 @144, done @208
/** Offset of the PC in the signal handler's ucontext (uc_mcontext.pc on arm64 Linux). */
const UCONTEXT_PC = 440;

function u64le(buf, off, v) {
  buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), off);
}

function inputBlock(c) {
  const b = Buffer.alloc(IN_BYTES);
  for (let i = 0; i < 8; i++) {
    const hex = (c.v?.[i] ?? '0').padStart(32, '0');
    if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`case v[${i}] is not 32 hex digits: ${c.v[i]}`);
    u64le(b, i * 16, BigInt(`0x${hex.slice(16)}`));
    u64le(b, i * 16 + 8, BigInt(`0x${hex.slice(0, 16)}`));
  }
  u64le(b, 128, c.fpcr ?? 0);
  u64le(b, 136, c.fpsr ?? 0);
  u64le(b, 144, BigInt(c.nzcv ?? 0) << 28n);
  for (let i = 0; i < 8; i++) {
    const x = c.x?.[i] ?? 0n;
    u64le(b, 152 + i * 8, typeof x === 'string' ? BigInt(x.startsWith('0x') ? x : `0x${x}`) : x);
  }
  return b;
}

function program(cases) {
  const lines = [
    '.global _start', '_start:',
    '  mov x0, #4', '  adr x1, act', '  mov x2, #0', '  mov x3, #8', '  mov x8, #134', '  svc #0',
    '  adrp x27, inputs', '  add x27, x27, :lo12:inputs',
    '  adrp x26, outputs', '  add x26, x26, :lo12:outputs',
  ];
  cases.forEach((c, i) => {
    const w = c.word >>> 0;
    lines.push(
      `  adr x9, next${i}`, '  adrp x10, resume', '  str x9, [x10, :lo12:resume]',
      `  add x28, x27, #${(i * IN_BYTES) & 0xfff}`, ...(i * IN_BYTES >= 0x1000 ? [`  add x28, x28, #${(i * IN_BYTES) >> 12}, lsl #12`] : []),
      '  ldp q0, q1, [x28]', '  ldp q2, q3, [x28, #32]', '  ldp q4, q5, [x28, #64]', '  ldp q6, q7, [x28, #96]',
      '  ldr x9, [x28, #128]', '  msr fpcr, x9', '  ldr x9, [x28, #144]', '  msr nzcv, x9',
      '  ldp x0, x1, [x28, #152]', '  ldp x2, x3, [x28, #168]', '  ldp x4, x5, [x28, #184]', '  ldp x6, x7, [x28, #200]',
      '  ldr x9, [x28, #136]', '  msr fpsr, x9',
      `  .inst 0x${w.toString(16)}`,
      `  add x28, x26, #${(i * OUT_BYTES) & 0xfff}`, ...(i * OUT_BYTES >= 0x1000 ? [`  add x28, x28, #${(i * OUT_BYTES) >> 12}, lsl #12`] : []),
      '  mrs x9, fpsr', '  str x9, [x28, #128]', '  mrs x9, nzcv', '  str x9, [x28, #136]',
      '  stp q0, q1, [x28]', '  stp q2, q3, [x28, #32]', '  stp q4, q5, [x28, #64]', '  stp q6, q7, [x28, #96]',
      '  stp x0, x1, [x28, #144]', '  stp x2, x3, [x28, #160]', '  stp x4, x5, [x28, #176]', '  stp x6, x7, [x28, #192]',
      '  mov x9, #1', '  str x9, [x28, #208]',
      `next${i}:`,
    );
  });
  lines.push(
    '  msr fpcr, xzr',
    `  mov x20, #${cases.length * OUT_BYTES & 0xffff}`, `  movk x20, #${(cases.length * OUT_BYTES) >>> 16}, lsl #16`,
    '  mov x21, x26',
    'wloop:', '  cbz x20, wdone', '  mov x0, #1', '  mov x1, x21', '  mov x2, x20', '  mov x8, #64', '  svc #0',
    '  cmp x0, #0', '  b.le wdone', '  add x21, x21, x0', '  sub x20, x20, x0', '  b wloop',
    'wdone:', '  mov x0, #0', '  mov x8, #93', '  svc #0',
    'handler:', '  adrp x9, resume', '  ldr x9, [x9, :lo12:resume]', `  str x9, [x2, #${UCONTEXT_PC}]`, '  ret',
    '.data', '.balign 16',
    'act: .quad handler, 0x40000004, 0, 0', // SA_SIGINFO | SA_NODEFER
    'resume: .quad 0',
    '.balign 16', 'inputs:', '  .incbin "inputs.bin"',
    '.bss', '.balign 16', `outputs: .skip ${cases.length * OUT_BYTES}`,
  );
  return `${lines.join('\n')}\n`;
}

function hex64(buf, off) {
  return buf.readBigUInt64LE(off).toString(16).padStart(16, '0');
}

function runBatch(cases, cpu) {
  const dir = mkdtempSync(join(tmpdir(), 'qemu-oracle-'));
  try {
    writeFileSync(join(dir, 'inputs.bin'), Buffer.concat(cases.map(inputBlock)));
    writeFileSync(join(dir, 'p.S'), program(cases));
    execFileSync('aarch64-linux-gnu-gcc', ['-nostdlib', '-static', '-o', 'p', 'p.S'], { cwd: dir, stdio: 'pipe' });
    const out = execFileSync('qemu-aarch64', ['-cpu', cpu, join(dir, 'p')],
      { cwd: dir, maxBuffer: cases.length * OUT_BYTES + 1024 });
    if (out.length !== cases.length * OUT_BYTES) {
      throw new Error(`qemu-aarch64 wrote ${out.length} bytes, expected ${cases.length * OUT_BYTES}`);
    }
    return cases.map((_, i) => {
      const o = i * OUT_BYTES;
      if (out.readBigUInt64LE(o + 208) !== 1n) return { undef: true };
      const v = [];
      for (let r = 0; r < 8; r++) v.push(hex64(out, o + r * 16 + 8) + hex64(out, o + r * 16));
      const x = [];
      for (let r = 0; r < 8; r++) x.push(hex64(out, o + 144 + r * 8));
      return { v, x, fpsr: Number(out.readBigUInt64LE(o + 128)), nzcv: Number(out.readBigUInt64LE(o + 136) >> 28n) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Run each case's word on qemu-aarch64 (see the header). */
export function runCases(cases, { cpu = 'max', batch = 1500 } = {}) {
  const results = [];
  for (let i = 0; i < cases.length; i += batch) results.push(...runBatch(cases.slice(i, i + batch), cpu));
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cases = JSON.parse(readFileSync(0, 'utf8'));
  process.stdout.write(`${JSON.stringify(runCases(cases))}\n`);
}
