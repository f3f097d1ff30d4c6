/**
 * The cryptographic extension instructions against QEMU 10: replays the vectors scripts/record-crypto-vectors.mjs
 * recorded (one file per class family in simd-crypto-vectors/, format in the script's header) on the model, through
 * the oracle-case harness, and compares every V register, FPSR, NZCV and X0-X7 after the word.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runOracleCase, type OracleCase, type OracleResult } from '../testing/simd-harness.js';

const ZERO = '0'.repeat(32);

/** Parse `WORD r:HEX ... [fpcr:HEX] [fpsr:HEX] [nzcv:HEX]` into an oracle case. */
function parseCase(input: string): OracleCase {
  const [w, ...fields] = input.split(' ');
  const v = Array<string>(8).fill(ZERO);
  let fpcr = 0, fpsr = 0, nzcv = 0;
  for (const f of fields) {
    const [k, hex] = f.split(':') as [string, string];
    if (k === 'fpcr') fpcr = parseInt(hex, 16);
    else if (k === 'fpsr') fpsr = parseInt(hex, 16);
    else if (k === 'nzcv') nzcv = parseInt(hex, 16);
    else v[Number(k)] = hex;
  }
  return { word: parseInt(w!, 16), v, fpcr, fpsr, nzcv };
}

/** The model's result in the recorded form: what changed (V registers, FPSR, NZCV, any X not zero), or UNDEF. */
function describeResult(c: OracleCase, r: OracleResult): string {
  if (r.undef) return 'UNDEF';
  const out: string[] = [];
  r.v!.forEach((h, i) => { if (h !== c.v![i]) out.push(`${i}:${h}`); });
  if (r.fpsr !== c.fpsr) out.push(`fpsr:${r.fpsr!.toString(16)}`);
  if (r.nzcv !== c.nzcv) out.push(`nzcv:${r.nzcv!.toString(16)}`);
  r.x!.forEach((h, i) => { if (!/^0+$/.test(h)) out.push(`x${i}:${h}`); });
  return out.join(' ');
}

describe.each(['aes', 'sha', 'sha512', 'sha3'])('%s: vectors recorded from QEMU 10', (name) => {
  const lines = readFileSync(new URL(`./simd-crypto-vectors/${name}.txt`, import.meta.url), 'utf8').trim().split('\n');
  it(`replays all ${lines.length} vectors`, () => {
    expect(lines.length).toBeGreaterThan(2000);
    const failures: string[] = [];
    let undef = 0;
    for (const line of lines) {
      const [input, expected] = line.split(' > ') as [string, string];
      if (expected === 'UNDEF') undef++;
      const c = parseCase(input);
      const got = describeResult(c, runOracleCase(c));
      if (got !== (expected ?? '')) failures.push(`${input}\n  QEMU:  ${expected}\n  model: ${got}`);
    }
    expect(undef).toBeGreaterThan(0);
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
