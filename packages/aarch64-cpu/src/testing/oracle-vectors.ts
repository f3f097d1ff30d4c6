/**
 * Test support (not exported from the package): compare one recorded QEMU 10 vector (scripts/qemu-user-oracle.mjs's
 * cases, stored compactly by the record-*.mjs scripts) with the model, and describe one test per vector class.
 */
import { describe, expect, it } from 'vitest';
import { findEncoding } from '../decode-a64.js';
import { runOracleCase } from './simd-harness.js';

/** What QEMU did: 'U' (UNDEFINED), or the registers that changed ([index, hex]) and FPSR after the word. */
export type RecordedOutcome = 'U' | { v: [number, string][]; x?: [number, string][]; s: number };

/** The inputs of a vector: V0-V3 (or more) as 32 hex digits, X registers as 16, FPCR and FPSR. */
export interface RecordedInput {
  readonly v: readonly string[];
  readonly x?: readonly string[];
  readonly fpcr?: number;
  readonly fpsr?: number;
}

/** The mismatch of one vector, or undefined when the model agrees with QEMU. */
export function oracleMismatch(w: string, input: RecordedInput, out: RecordedOutcome): string | undefined {
  const word = parseInt(w, 16);
  const zero = '0'.repeat(32);
  const v = [...input.v, ...Array<string>(Math.max(0, 8 - input.v.length)).fill(zero)];
  const x = input.x ?? [];
  const got = runOracleCase({ word, v, x, fpcr: input.fpcr ?? 0, fpsr: input.fpsr ?? 0 });
  const name = findEncoding(word)?.name ?? 'no row';
  if (out === 'U') return got.undef ? undefined : `${w} (${name}): model executes, QEMU UNDEFINED`;
  if (got.undef) return `${w}: model UNDEFINED, QEMU executes`;
  const want = [...v];
  for (const [r, h] of out.v) want[r] = h;
  const problems: string[] = [];
  for (let r = 0; r < 8; r++) if (got.v![r] !== want[r]) problems.push(`V${r} ${got.v![r]} want ${want[r]}`);
  const wantX = x.map((h) => BigInt(`0x${h}`));
  for (const [r, h] of out.x ?? []) wantX[r] = BigInt(`0x${h}`);
  wantX.forEach((h, r) => {
    if (BigInt(`0x${got.x![r]}`) !== h) problems.push(`X${r} ${got.x![r]} want ${h.toString(16)}`);
  });
  if (got.fpsr !== out.s) problems.push(`FPSR ${got.fpsr!.toString(16)} want ${out.s.toString(16)}`);
  return problems.length === 0 ? undefined
    : `${w} (${name}) fpcr ${(input.fpcr ?? 0).toString(16)} in ${input.v.join(' ')}: ${problems.join(', ')}`;
}

/** One test per class: every vector of `vectors(name)` agrees with the model (`mismatch` says how it does not). */
export function describeVectorClasses<T>(title: string, classes: readonly string[], vectors: (name: string) => T[],
  mismatch: (t: T) => string | undefined): void {
  describe(title, () => {
    for (const name of classes) {
      it(`${name} matches QEMU`, () => {
        const all = vectors(name);
        expect(all.length).toBeGreaterThan(1000);
        const bad: string[] = [];
        for (const t of all) {
          const m = mismatch(t);
          if (m !== undefined) bad.push(m);
        }
        expect(bad.slice(0, 15), `${bad.length} of ${all.length} mismatch`).toEqual([]);
      }, 120_000);
    }
  });
}
