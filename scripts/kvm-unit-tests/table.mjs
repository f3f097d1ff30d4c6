// The kvm-unit-tests table as text: one row per test (name, QEMU 10's result, vmm-lite's, time, reason or summary)
// and the totals.

/**
 * @typedef {object} Row
 * @property {string} name
 * @property {string} qemu       QEMU 10's result (qemu-results.mjs)
 * @property {'PASS' | 'FAIL' | 'SKIP'} verdict
 * @property {number} timeMs     0 for a test that was not run
 * @property {string} reason
 */

/** @param {Row[]} rows @returns {string} */
export function formatTable(rows) {
  const head = ['test', 'QEMU 10', 'vmm-lite', 'time', 'reason / summary'];
  const cells = rows.map((r) => [r.name, r.qemu, r.verdict, r.timeMs > 0 ? `${(r.timeMs / 1000).toFixed(1)}s` : '-', r.reason]);
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((x, i) => (i < 4 ? (i === 3 ? x.padStart(widths[i]) : x.padEnd(widths[i])) : x)).join('  ').trimEnd();
  return [line(head), ...cells.map(line), totalsLine(rows)].join('\n');
}

/** @param {Row[]} rows */
export function totals(rows) {
  const count = (pred) => rows.filter(pred).length;
  return {
    tests: rows.length,
    vmmLite: { PASS: count((r) => r.verdict === 'PASS'), FAIL: count((r) => r.verdict === 'FAIL'), SKIP: count((r) => r.verdict === 'SKIP') },
    qemuPass: count((r) => r.qemu === 'PASS' || r.qemu === 'manual'),
    passBoth: count((r) => (r.qemu === 'PASS' || r.qemu === 'manual') && r.verdict === 'PASS'),
    timeMs: rows.reduce((s, r) => s + r.timeMs, 0),
  };
}

/** @param {Row[]} rows */
export function totalsLine(rows) {
  const t = totals(rows);
  return `totals: ${t.tests} tests; vmm-lite ${t.vmmLite.PASS} PASS, ${t.vmmLite.FAIL} FAIL, ${t.vmmLite.SKIP} SKIP; `
    + `${t.passBoth} of the ${t.qemuPass} that pass on QEMU 10 (manual ones included) pass here; ${(t.timeMs / 1000).toFixed(1)}s of test time`;
}
