/**
 * Replays the QEMU 10 vectors of the AdvSIMD floating-point instructions (recorded by scripts/record-simd-fp.mjs into
 * simd-fp-<class>.vectors.json) on the model: the same V0-V7 and FPSR after each word under the recorded FPCR, or
 * UNDEFINED for both. One test per class; a failure lists the first mismatching words.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findEncoding } from '../decode-a64.js';
import { runOracleCase } from '../testing/simd-harness.js';

interface Vector {
  w: string;
  c: number;
  v: string[];
  out: 'U' | { v: [number, string][]; s: number };
}

export const SIMD_FP_CLASSES = ['three-same', 'two-misc', 'across-pairwise', 'by-element', 'shift-imm', 'extra'];

export function loadSimdFpVectors(name: string): Vector[] {
  const url = new URL(`./simd-fp-${name}.vectors.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { vectors: Vector[] }).vectors;
}

/** The mismatch of one vector, or undefined when the model agrees with QEMU. */
export function simdFpMismatch(t: Vector): string | undefined {
  const word = parseInt(t.w, 16);
  const zero = '0'.repeat(32);
  const v = [...t.v, zero, zero, zero, zero];
  const got = runOracleCase({ word, v, fpcr: t.c, fpsr: 0 });
  const name = findEncoding(word)?.name ?? 'no row';
  if (t.out === 'U') return got.undef ? undefined : `${t.w} (${name}): model executes, QEMU UNDEFINED`;
  if (got.undef) return `${t.w}: model UNDEFINED, QEMU executes`;
  const want = [...v];
  for (const [r, h] of t.out.v) want[r] = h;
  const problems: string[] = [];
  for (let r = 0; r < 8; r++) if (got.v![r] !== want[r]) problems.push(`V${r} ${got.v![r]} want ${want[r]}`);
  if (got.fpsr !== t.out.s) problems.push(`FPSR ${got.fpsr!.toString(16)} want ${t.out.s.toString(16)}`);
  return problems.length === 0 ? undefined
    : `${t.w} (${name}) fpcr ${t.c.toString(16)} in ${t.v.join(' ')}: ${problems.join(', ')}`;
}

describe('AdvSIMD floating point: QEMU 10 vectors', () => {
  for (const name of SIMD_FP_CLASSES) {
    it(`${name} matches QEMU`, () => {
      const vectors = loadSimdFpVectors(name);
      expect(vectors.length).toBeGreaterThan(1000);
      const bad: string[] = [];
      for (const t of vectors) {
        const m = simdFpMismatch(t);
        if (m !== undefined) bad.push(m);
      }
      expect(bad.slice(0, 15), `${bad.length} of ${vectors.length} mismatch`).toEqual([]);
    }, 120_000);
  }
});
