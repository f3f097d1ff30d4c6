/**
 * Replays the QEMU 10 vectors of the AdvSIMD integer, permute and copy instructions (recorded by
 * scripts/record-simd-int.mjs into simd-int-<class>.vectors.json) on the model: same V0-V7, X0-X3 and FPSR after
 * each word, or UNDEFINED for both. One test per class; a failure lists the first mismatching words.
 */
import { readFileSync } from 'node:fs';
import { describeVectorClasses, oracleMismatch, type RecordedOutcome } from '../testing/oracle-vectors.js';

interface Vector {
  w: string;
  s: number;
  v: string[];
  x?: string[];
  out: RecordedOutcome;
}

const CLASSES = ['three-same', 'three-different', 'two-misc', 'shift-imm', 'by-element', 'copy-permute'];

function load(name: string): Vector[] {
  const url = new URL(`./simd-int-${name}.vectors.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { vectors: Vector[] }).vectors;
}

describeVectorClasses('AdvSIMD integer: QEMU 10 vectors', CLASSES, load,
  (t) => oracleMismatch(t.w, { v: t.v, ...(t.x !== undefined && { x: t.x }), fpsr: t.s }, t.out));
