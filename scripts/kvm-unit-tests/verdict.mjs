// The verdict on one test, decided as the suite decides it (scripts/arch-run.bash and runtime.bash in
// kvm-unit-tests): the guest's `EXIT: STATUS=S` line (S = (code << 1) | 1) is the result — 1 PASS, 77 SKIP, anything
// else FAIL (3: a test failed, 127: abort()); without that line the run is a FAIL, with what stopped it as the reason.

/**
 * @typedef {object} RunEnd  how the vmm-lite side of a test ended (all processes of it together)
 * @property {string} output     the guest's UART output, every process of a migration test concatenated
 * @property {string} outcome    vmm-lite's RunResult outcome of the last process (`shutdown`, `stalled`, ...), or
 *                               `timeout`, `snapshot-failed`, `restore-failed`, `crashed` (the worker process died)
 * @property {string} [message]  vmm-lite's message for that outcome, or the failure's
 * @property {string} timeout    the test's timeout as the cfg spells it
 * @property {boolean} migration a migration test
 * @property {number} migrations how many snapshot/restore round trips were done
 * @property {boolean} migrationSkipped the guest said "Skipped VM migration"
 */

/**
 * @typedef {object} Verdict
 * @property {'PASS' | 'FAIL' | 'SKIP'} verdict
 * @property {number | undefined} status  the EXIT: STATUS value, when the guest printed one
 * @property {string} summary  the guest's SUMMARY line (without `SUMMARY: `), or ''
 * @property {string} reason   one line: why (for a FAIL), else the summary
 */

/** The first `EXIT: STATUS=N` line, as the suite greps for it. @param {string} output */
export function exitStatus(output) {
  const m = /^EXIT: STATUS=(\d+)/m.exec(output.replace(/\r/g, ''));
  return m ? Number(m[1]) : undefined;
}

/** The last `SUMMARY: ...` line's text. @param {string} output */
export function summaryLine(output) {
  const all = [...output.replace(/\r/g, '').matchAll(/^SUMMARY: (.*)$/gm)];
  return all.length > 0 ? all.at(-1)[1].trim() : '';
}

/** The first line saying what failed: a FAIL: report, an assert or an abort. @param {string} output */
function firstFailure(output) {
  const m = /^(FAIL: .*|ABORT: .*|.*assert failed.*|.*Unhandled exception.*|.*unexpected .*exception.*)$/im.exec(output.replace(/\r/g, ''));
  return m ? m[1].trim() : undefined;
}

/**
 * What the guest said last before its summary (or EXIT line), when it is not a PASS or INFO report: a test that
 * gives up usually says why there ("No PMU found, test skipped...").
 * @param {string} output
 */
function lastWords(output) {
  const lines = output.replace(/\r/g, '').split('\n');
  let end = lines.findIndex((l) => /^(SUMMARY: |EXIT: STATUS=)/.test(l));
  if (end < 0) end = lines.length;
  const last = lines.slice(0, end).map((l) => l.trim()).filter(Boolean).at(-1);
  return last !== undefined && !/^(PASS|INFO):/.test(last) ? last : undefined;
}

/** Why a run without an EXIT line ended, one line. @param {RunEnd} r */
function whyNoExit(r) {
  switch (r.outcome) {
    case 'timeout': return `timeout; duration=${r.timeout}`;
    case 'shutdown': return 'the guest powered off without an EXIT line';
    case 'reset': return 'the guest asked for a reset without an EXIT line';
    default: return r.message ?? r.outcome;
  }
}

/**
 * Judge a finished test.
 * @param {RunEnd} r
 * @returns {Verdict}
 */
export function judge(r) {
  const status = exitStatus(r.output);
  const summary = summaryLine(r.output);
  if (r.migration && r.migrations === 0 && !r.migrationSkipped && ['shutdown', 'reset'].includes(r.outcome)) {
    // The suite's migration runner fails a test that ends before its migration point (do_migration: return 3).
    return { verdict: 'FAIL', status, summary, reason: `test exit before migration point${summary ? ` (${summary})` : ''}` };
  }
  if (status === undefined) return { verdict: 'FAIL', status, summary, reason: whyNoExit(r) };
  const after = ['shutdown', 'reset'].includes(r.outcome) ? '' : `; then ${whyNoExit(r)}`;
  if (status === 1) return { verdict: 'PASS', status, summary, reason: `${summary}${after}` };
  if (status === 77) {
    const why = /^SKIP: .*$/m.exec(r.output.replace(/\r/g, ''))?.[0] ?? lastWords(r.output);
    return { verdict: 'SKIP', status, summary, reason: `${[summary, why].filter(Boolean).join('; ')}${after}` };
  }
  const what = status === 127 ? 'aborted' : status === 3 ? undefined : `status ${status}`;
  const failure = firstFailure(r.output) ?? lastWords(r.output);
  const parts = [what, summary, failure].filter(Boolean);
  return { verdict: 'FAIL', status, summary, reason: `${parts.join('; ')}${after}` };
}
