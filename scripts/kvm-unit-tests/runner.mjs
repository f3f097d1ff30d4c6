// Run one planned test on vmm-lite: one worker process (worker.mjs), or for a migration test a chain of them — run
// to the migration point and save, then restore in a fresh process and press a key, as often as the guest asks —
// all within the test's timeout (the process is killed when it runs out) and an instruction bound per process.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judge } from './verdict.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));
/** Round trips one test may ask for before the run is cut short (the suite's tests migrate once or twice). */
export const MAX_MIGRATIONS = 8;
/** Guest output kept per test (the table needs the SUMMARY and EXIT lines; a runaway guest must not fill memory). */
const MAX_OUTPUT = 1 << 20;

/**
 * @typedef {object} RunContext
 * @property {string} kutDir          the suite's directory (bin/, environ)
 * @property {string} dist            vmm-lite's built entry point (packages/vmm-lite/dist/index.js)
 * @property {number} maxInstructions the instruction bound of each process
 * @property {'host' | 'deterministic'} [clock] the VM clock (default host); a restore keeps the snapshot's
 * @property {string} tmpDir          where snapshots go (removed after the test)
 */

/**
 * @typedef {import('./verdict.mjs').Verdict & {
 *   timeMs: number, instructions: number | undefined, migrations: number, outcome: string, output: string,
 * }} TestResult
 */

/**
 * Run a test (not a skipped one) and judge it.
 * @param {import('./plan.mjs').TestPlan} plan
 * @param {RunContext} ctx
 * @returns {Promise<TestResult>}
 */
export async function runTest(plan, ctx) {
  const start = Date.now();
  const deadline = start + plan.timeoutMs;
  const boot = {
    dist: ctx.dist, kernel: join(ctx.kutDir, 'bin', plan.file), append: plan.append, initrd: join(ctx.kutDir, 'environ'),
    memoryMiB: plan.memoryMiB, smp: plan.smp, mte: plan.mte, gic: plan.gic, pmu: plan.pmu, maxInstructions: ctx.maxInstructions,
    clock: ctx.clock ?? 'host',
  };
  const snap = (i) => join(ctx.tmpDir, `${plan.name}.${process.pid}.${i}.snap`);
  let output = '';
  let migrations = 0;
  let migrationSkipped = false;
  /** @type {{ outcome: string, message?: string, instructions?: number }} */
  let end;
  try {
    let job = plan.migration ? { ...boot, snapshotOut: snap(0) } : boot;
    for (;;) {
      const p = await runWorker(job, deadline);
      output = (output + p.output).slice(-MAX_OUTPUT);
      if (/Skipped VM migration|Begin continuous migration/.test(p.output)) migrationSkipped = true;
      end = p.result;
      if (end.outcome !== 'snapshot') break;
      migrations++;
      const next = migrations < MAX_MIGRATIONS ? { snapshotOut: snap(migrations) } : {};
      job = { dist: ctx.dist, maxInstructions: ctx.maxInstructions, snapshotIn: snap(migrations - 1), ...next };
    }
  } finally {
    for (let i = 0; i <= migrations; i++) rmSync(snap(i), { force: true });
  }
  const v = judge({ output, outcome: end.outcome, message: end.message, timeout: plan.timeout, migration: plan.migration, migrations, migrationSkipped });
  return { ...v, timeMs: Date.now() - start, instructions: end.instructions, migrations, outcome: end.outcome, output };
}

/**
 * One worker process: its output, and its result line (or why there is none: the deadline, a crash).
 * @param {object} job @param {number} deadline
 * @returns {Promise<{ output: string, result: { outcome: string, message?: string, instructions?: number } }>}
 */
export function runWorker(job, deadline) {
  return new Promise((resolve) => {
    // The worker also knows the deadline, so that it stops by itself should this process die first.
    const child = spawn(process.execPath, [WORKER, JSON.stringify({ ...job, deadline })], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let output = '';
    let stderr = '';
    let resultText = '';
    let timedOut = false;
    child.stdout.setEncoding('latin1').on('data', (d) => { output = (output + d).slice(-MAX_OUTPUT); });
    child.stderr.setEncoding('utf8').on('data', (d) => { stderr = (stderr + d).slice(-4096); });
    child.stdio[3].setEncoding('utf8').on('data', (d) => { resultText += d; });
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, Math.max(0, deadline - Date.now()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ output, result: { outcome: 'timeout' } });
      try {
        return resolve({ output, result: JSON.parse(resultText.trim().split('\n').at(-1)) });
      } catch {
        const last = stderr.trim().split('\n').filter(Boolean).at(-1);
        const how = signal !== null ? `killed by ${signal}` : `exit status ${code}`;
        return resolve({ output, result: { outcome: 'crashed', message: `the vmm-lite process died (${how})${last ? `: ${last}` : ''}` } });
      }
    });
  });
}
