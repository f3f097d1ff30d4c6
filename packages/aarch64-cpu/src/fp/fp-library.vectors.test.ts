/**
 * The library operations no scalar FP instruction of insn/fp-*.ts uses (FRECPE, FRSQRTE, FRECPX, FCVTXN's round to
 * odd, FMULX, FRECPS, FRSQRTS, FCMEQ/GE/GT), checked directly against QEMU 10 vectors of their AdvSIMD scalar forms
 * (insn/fp-vectors/lib.txt, recorded by insn/fp-vectors/generate.mjs): V0's element and FPSR.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  D, FpCtx, type FpFormat, H, Rounding, S, fpCompareEQ, fpCompareGE, fpCompareGT, fpConvert, fpMulX, fpRecipEstimate,
  fpRecipStepFused, fpRecpX, fpRSqrtEstimate, fpRSqrtStepFused,
} from './index.js';

const FILE = join(dirname(fileURLToPath(import.meta.url)), '../insn/fp-vectors/lib.txt');

type Op = (ctx: FpCtx, f: FpFormat, ahi: number, alo: number, bhi: number, blo: number) => number;
const cmp = (c: typeof fpCompareEQ): Op => (ctx, f, ahi, alo, bhi, blo) => {
  const t = c(ctx, f, ahi, alo, bhi, blo);
  ctx.hi = t && f.n === 64 ? 0xffff_ffff : 0;
  return t ? (f.n === 16 ? 0xffff : 0xffff_ffff) : 0;
};
const unary = (u: (ctx: FpCtx, f: FpFormat, hi: number, lo: number) => number): Op => (ctx, f, ahi, alo) => u(ctx, f, ahi, alo);

/** word -> [name, format, operation]. */
const OPS = new Map<number, [string, FpFormat, Op]>();
const add = (name: string, op: Op, forms: [number, FpFormat][]): void => {
  for (const [w, f] of forms) OPS.set(w, [name, f, op]);
};
add('frecpe', unary(fpRecipEstimate), [[0x5ea1d820, S], [0x5ee1d820, D], [0x5ef9d820, H]]);
add('frsqrte', unary(fpRSqrtEstimate), [[0x7ea1d820, S], [0x7ee1d820, D], [0x7ef9d820, H]]);
add('frecpx', unary(fpRecpX), [[0x5ea1f820, S], [0x5ee1f820, D], [0x5ef9f820, H]]);
add('fcvtxn', (ctx, _f, hi, lo) => fpConvert(ctx, D, S, hi, lo, Rounding.Odd), [[0x7e616820, D]]);
add('fmulx', fpMulX, [[0x5e22dc20, S], [0x5e62dc20, D], [0x5e421c20, H]]);
add('frecps', fpRecipStepFused, [[0x5e22fc20, S], [0x5e62fc20, D], [0x5e423c20, H]]);
add('frsqrts', fpRSqrtStepFused, [[0x5ea2fc20, S], [0x5ee2fc20, D], [0x5ec23c20, H]]);
add('fcmeq', cmp(fpCompareEQ), [[0x5e22e420, S], [0x5e62e420, D], [0x5e422420, H]]);
add('fcmge', cmp(fpCompareGE), [[0x7e22e420, S], [0x7e62e420, D], [0x7e422420, H]]);
add('fcmgt', cmp(fpCompareGT), [[0x7ea2e420, S], [0x7ee2e420, D], [0x7ec22420, H]]);

const hex = (v: number, digits: number): string => (v >>> 0).toString(16).padStart(digits, '0');

describe('FP library: QEMU 10 vectors of the AdvSIMD scalar forms', () => {
  const lines = readFileSync(FILE, 'utf8').trim().split('\n');
  it('replays every vector', () => {
    expect(lines.length).toBeGreaterThan(1000);
    const ctx = new FpCtx();
    const bad: string[] = [];
    const seen = new Set<string>();
    for (const line of lines) {
      const [input, output] = line.split(' > ') as [string, string];
      const [w, fpcr, , , v1, v2] = input.split(' ') as string[];
      const [name, f, op] = OPS.get(parseInt(w!, 16))!;
      seen.add(name);
      const words = (v: string): [number, number] => [parseInt(v.slice(0, 8), 16), parseInt(v.slice(8), 16)];
      const [ahi, alo] = words(v1!);
      const [bhi, blo] = words(v2!);
      const lo16or32 = (x: number): number => (f.n === 16 ? x & 0xffff : x);
      ctx.fpcr = parseInt(fpcr!, 16);
      ctx.flags = 0;
      const lo = op(ctx, f, f.n === 64 ? ahi : 0, lo16or32(alo), f.n === 64 ? bhi : 0, lo16or32(blo));
      const outBits = name === 'fcvtxn' ? 32 : f.n;
      const got = outBits === 64 ? hex(ctx.hi, 8) + hex(lo, 8) : hex(lo, outBits / 4);
      const [v0, , fpsr] = output.split(' ') as string[];
      const want = v0!.slice(32 - outBits / 4);
      if (got !== want || ctx.flags.toString(16) !== fpsr) bad.push(`${name} ${line}  library: ${got} ${ctx.flags.toString(16)}`);
    }
    expect(seen.size).toBe(10);
    expect(bad.slice(0, 15), `${bad.length} of ${lines.length} differ`).toEqual([]);
  });
});
