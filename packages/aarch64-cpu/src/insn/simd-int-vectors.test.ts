/**
 * Replays the QEMU 10 vectors of the AdvSIMD integer, permute and copy instructions (recorded by
 * scripts/record-simd-int.mjs into simd-int-<class>.vectors.json) on the model: same V0-V7, X0-X3 and FPSR after
 * each word, or UNDEFINED for both. One test per class; a failure lists the first mismatching words.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findEncoding } from '../decode-a64.js';
import { runOracleCase } from '../testing/simd-harness.js';

interface Vector {
  w: string;
  s: number;
  v: string[];
  x?: string[];
  out: 'U' | { v: [number, string][]; x?: [number, string][]; s: number };
}

const CLASSES = ['three-same', 'three-different', 'two-misc', 'shift-imm', 'by-element', 'copy-permute'];

function load(name: string): Vector[] {
  const url = new URL(`./simd-int-${name}.vectors.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { vectors: Vector[] }).vectors;
}

/** The mismatch of one vector, or undefined when the model agrees with QEMU. */
function mismatch(t: Vector): string | undefined {
  const word = parseInt(t.w, 16);
  const zero = '0'.repeat(32);
  const v = [...t.v, zero, zero, zero, zero];
  const x = t.x ?? [];
  const got = runOracleCase({ word, v, x, fpsr: t.s });
  const name = findEncoding(word)?.name ?? 'no row';
  if (t.out === 'U') return got.undef ? undefined : `${t.w} (${name}): model executes, QEMU UNDEFINED`;
  if (got.undef) return `${t.w}: model UNDEFINED, QEMU executes`;
  const want = [...v];
  for (const [r, h] of t.out.v) want[r] = h;
  const problems: string[] = [];
  for (let r = 0; r < 8; r++) if (got.v![r] !== want[r]) problems.push(`V${r} ${got.v![r]} want ${want[r]}`);
  const wantX = x.map((h) => BigInt(`0x${h}`));
  for (const [r, h] of t.out.x ?? []) wantX[r] = BigInt(`0x${h}`);
  wantX.forEach((h, r) => {
    if (BigInt(`0x${got.x![r]}`) !== h) problems.push(`X${r} ${got.x![r]} want ${h.toString(16)}`);
  });
  if (got.fpsr !== t.out.s) problems.push(`FPSR ${got.fpsr!.toString(16)} want ${t.out.s.toString(16)}`);
  return problems.length === 0 ? undefined : `${t.w} (${name}) in ${t.v.join(' ')}: ${problems.join(', ')}`;
}

describe('AdvSIMD integer: QEMU 10 vectors', () => {
  for (const name of CLASSES) {
    it(`${name} matches QEMU`, () => {
      const vectors = load(name);
      expect(vectors.length).toBeGreaterThan(1000);
      const bad: string[] = [];
      for (const t of vectors) {
        const m = mismatch(t);
        if (m !== undefined) bad.push(m);
      }
      expect(bad.slice(0, 15), `${bad.length} of ${vectors.length} mismatch`).toEqual([]);
    });
  }
});
