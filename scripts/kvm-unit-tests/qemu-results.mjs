// QEMU 10's result for each kvm-unit-tests test (the table's "QEMU 10" column): measured once and kept in
// qemu-10.json beside this file (its `about` says how), so the table needs nothing outside the repository.
import { readFileSync } from 'node:fs';

/** @typedef {'PASS' | 'FAIL on QEMU' | 'SKIP on QEMU' | 'manual' | '?'} QemuResult */

const RESULTS = new URL('./qemu-10.json', import.meta.url);

/**
 * Map every cfg test name to its QEMU 10 result; a test the file does not list is '?'.
 * @param {string[]} testNames  every test of the cfg
 * @returns {Map<string, QemuResult>}
 */
export function qemuResults(testNames) {
  const known = JSON.parse(readFileSync(RESULTS, 'utf8')).results;
  return new Map(testNames.map((n) => [n, known[n] ?? '?']));
}
