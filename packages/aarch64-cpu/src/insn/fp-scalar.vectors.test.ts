/**
 * Replays the scalar FP vectors recorded from QEMU 10 (fp-vectors/*.txt, written by fp-vectors/generate.mjs, whose
 * header gives the format) on the model: V0, X0, FPSR and NZCV after each word, or UNDEFINED, must match.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runOracleCase } from '../testing/simd-harness.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'fp-vectors');
const V_HIGH = 'a5a5a5a5a5a5a5a5';
const V0_HIGH = '5555555555555555';
const X0_IN = '1111111111111111';

/** Run every vector of a file; the lines whose result differs, with what the model gave. */
export function replay(file: string): { count: number; mismatches: string[] } {
  const lines = readFileSync(join(DIR, file), 'utf8').trim().split('\n');
  const mismatches: string[] = [];
  for (const line of lines) {
    const [input, expected] = line.split(' > ') as [string, string];
    const [word, fpcr, nzcv, v0lo, v1, v2, v3, x1] = input.split(' ') as string[];
    const res = runOracleCase({
      word: parseInt(word!, 16), fpcr: parseInt(fpcr!, 16), nzcv: parseInt(nzcv!, 16),
      v: [V0_HIGH + v0lo, V_HIGH + v1, V_HIGH + v2, V_HIGH + v3], x: [X0_IN, x1!],
    });
    const got = res.undef ? 'UNDEF' : `${res.v![0]} ${res.x![0]} ${res.fpsr!.toString(16)} ${res.nzcv!.toString(16)}`;
    if (got !== expected) mismatches.push(`${input} > ${expected}  model: ${got}`);
  }
  return { count: lines.length, mismatches };
}

describe('scalar FP: QEMU 10 vectors', () => {
  for (const file of ['dp1', 'dp2', 'dp3', 'cmp', 'conv-int', 'conv-fixed', 'fjcvtzs']) {
    it(file, () => {
      const { count, mismatches } = replay(`${file}.txt`);
      expect(count).toBeGreaterThan(1000);
      expect(mismatches.slice(0, 15), `${mismatches.length} of ${count} differ`).toEqual([]);
    }, 120_000);
  }
});
