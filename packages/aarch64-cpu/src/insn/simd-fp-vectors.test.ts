/**
 * Replays the QEMU 10 vectors of the AdvSIMD floating-point instructions (recorded by scripts/record-simd-fp.mjs into
 * simd-fp-<class>.vectors.json) on the model: the same V0-V7 and FPSR after each word under the recorded FPCR, or
 * UNDEFINED for both. One test per class; a failure lists the first mismatching words.
 */
import { readFileSync } from 'node:fs';
import { describeVectorClasses, oracleMismatch, type RecordedOutcome } from '../testing/oracle-vectors.js';

interface Vector {
  w: string;
  c: number;
  v: string[];
  out: RecordedOutcome;
}

export const SIMD_FP_CLASSES = ['three-same', 'two-misc', 'across-pairwise', 'by-element', 'shift-imm', 'extra'];

export function loadSimdFpVectors(name: string): Vector[] {
  const url = new URL(`./simd-fp-${name}.vectors.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { vectors: Vector[] }).vectors;
}

/** The mismatch of one vector, or undefined when the model agrees with QEMU. */
export const simdFpMismatch = (t: Vector): string | undefined => oracleMismatch(t.w, { v: t.v, fpcr: t.c, fpsr: 0 }, t.out);

describeVectorClasses('AdvSIMD floating point: QEMU 10 vectors', SIMD_FP_CLASSES, loadSimdFpVectors, simdFpMismatch);
