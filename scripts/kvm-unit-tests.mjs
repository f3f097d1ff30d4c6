#!/usr/bin/env node
// pnpm kvm-unit-tests [--json FILE] [--only NAME...] [--jobs N] [--max-instructions N] [--max-smp N] [--its-smp N] [--kut-dir DIR]
//                     [--list]
//
// Runs every arm64 test of kvm-unit-tests (the built suite in ../shared/kvm-unit-tests: bin/*.flat, unittests.cfg,
// environ) on vmm-lite the way the suite's own runner runs it on QEMU, migration tests through
// snapshot and restore in a fresh process, and prints a table against QEMU 10's results (docs/kvm-unit-tests.md).
// Tests failing is data: the exit status is 0 unless the script itself failed (1, one `kvm-unit-tests: ...` line).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { CfgError, parseCfg } from './kvm-unit-tests/cfg.mjs';
import { planTest } from './kvm-unit-tests/plan.mjs';
import { qemuResults } from './kvm-unit-tests/qemu-results.mjs';
import { runTest } from './kvm-unit-tests/runner.mjs';
import { formatTable, totals } from './kvm-unit-tests/table.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The instruction bound of each vmm-lite process. The longest test that finishes here (psci, 2 vCPUs) retires
 * ~1.3e8 instructions; fifteen times that stops a guest looping with changing state (which the stall detector
 * cannot see) well before the 90 s timeout, with room for tests that do more once vmm-lite has what they need.
 */
const DEFAULT_MAX_INSTRUCTIONS = 2_000_000_000;

const USAGE = `usage: pnpm kvm-unit-tests [--json FILE] [--only NAME...] [--jobs N] [--max-instructions N] [--max-smp N]
                          [--its-smp N] [--clock host|deterministic] [--kut-dir DIR] [--list]
  --json FILE            also write the results as JSON
  --only NAME...         run only these tests (names from unittests.cfg)
  --jobs N               tests run at once (default 2)
  --max-instructions N   instruction bound of each vmm-lite process (default ${DEFAULT_MAX_INSTRUCTIONS})
  --max-smp N            what $MAX_SMP means in unittests.cfg (default 2, as on the machine QEMU's results are from)
  --its-smp N            what $MAX_SMP means for the its group's tests (default 4: they need 4 vCPUs, which vmm-lite
                         runs in one thread whatever the host's cores; 0: the same as --max-smp)
  --clock C              the VM clock: host (default: host time, as QEMU) or deterministic (from instructions
                         retired: timer latencies that do not depend on the host's load; what pnpm test uses)
  --kut-dir DIR          the built suite (default ../shared/kvm-unit-tests from the repository, or $KUT_DIR)
  --list                 print how each test would run (vmm-lite options or the SKIP reason), run nothing
`;

class UsageError extends Error {}

/** @param {string[]} argv */
function parseArgs(argv) {
  const o = { json: undefined, only: [], jobs: 2, maxInstructions: DEFAULT_MAX_INSTRUCTIONS, maxSmp: 2, itsSmp: 4, clock: 'host', kutDir: process.env.KUT_DIR ?? resolve(ROOT, '../shared/kvm-unit-tests'), list: false, help: false };
  const count = (name, v) => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1 || !Number.isSafeInteger(Number(v))) throw new UsageError(`${name} needs a positive integer, not '${v ?? ''}'`);
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length || argv[i + 1].startsWith('--')) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--json') o.json = value();
    else if (a === '--only') {
      while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) o.only.push(...argv[++i].split(',').filter(Boolean));
      if (o.only.length === 0) throw new UsageError('--only needs at least one test name');
    } else if (a === '--jobs') o.jobs = count(a, value());
    else if (a === '--max-instructions') o.maxInstructions = count(a, value());
    else if (a === '--max-smp') o.maxSmp = count(a, value());
    else if (a === '--its-smp') {
      const v = value();
      o.itsSmp = v === '0' ? 0 : count(a, v);
    }
    else if (a === '--clock') {
      o.clock = value();
      if (o.clock !== 'host' && o.clock !== 'deterministic') throw new UsageError(`--clock must be host or deterministic, not '${o.clock}'`);
    }
    else if (a === '--kut-dir') o.kutDir = resolve(value());
    else if (a === '--list') o.list = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new UsageError(`unknown argument '${a}' (see --help)`);
  }
  return o;
}

/** Run `tasks` with at most `jobs` at once; results in task order. */
async function pool(tasks, jobs) {
  const results = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, tasks.length) }, worker));
  return results;
}

/** How a plan runs, for --list. */
function describePlan(p) {
  if (p.skip !== undefined) return `SKIP (${p.skip})`;
  const append = p.append === '' ? '' : ` --append '${p.append}'`;
  return `${p.file}${append} --smp ${p.smp} --memory ${p.memoryMiB}M ${p.mte ? '--mte' : '--no-mte'} --gic ${p.gic}, timeout ${p.timeout}`
    + `${p.migration ? ', migration through snapshot/restore' : ''}${p.manual ? ', manual (nodefault)' : ''}`;
}

async function main() {
  process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; }); // `| head`
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(USAGE);
    return;
  }
  const read = (name) => {
    try {
      return readFileSync(join(o.kutDir, name), 'utf8');
    } catch (e) {
      throw new Error(`cannot read ${join(o.kutDir, name)}: ${e.code ?? e.message}`);
    }
  };
  const entries = parseCfg(read('unittests.cfg'));
  const unknown = o.only.filter((n) => !entries.some((e) => e.name === n));
  if (unknown.length > 0) throw new UsageError(`no test named ${unknown.map((n) => `'${n}'`).join(', ')} in unittests.cfg`);
  const qemu = qemuResults(entries.map((e) => e.name));
  const env = { maxSmp: o.maxSmp, itsSmp: o.itsSmp === 0 ? undefined : o.itsSmp, arch: 'arm64', target: 'qemu' };
  const plans = entries.filter((e) => o.only.length === 0 || o.only.includes(e.name)).map((e) => planTest(e, env));
  if (o.list) {
    const w = Math.max(...plans.map((p) => p.name.length));
    for (const p of plans) process.stdout.write(`${p.name.padEnd(w)}  ${describePlan(p)}\n`);
    return;
  }
  if (o.json !== undefined) {
    try {
      closeSync(openSync(o.json, 'a')); // refuse an unwritable --json before the tests run, not after
    } catch (e) {
      throw new UsageError(`cannot write ${o.json}: ${e.code ?? e.message}`);
    }
  }
  const dist = plans.some((p) => p.skip === undefined) ? builtVmmLite(ROOT) : '';
  const tmpDir = mkdtempSync(join(tmpdir(), 'kvm-unit-tests-'));
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => { // the workers stop by themselves at their deadline; the snapshots go now
      rmSync(tmpDir, { recursive: true, force: true });
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  let done = 0;
  try {
    const rows = await pool(plans.map((p) => async () => {
      const row = p.skip !== undefined
        ? { name: p.name, verdict: 'SKIP', reason: p.skip, timeMs: 0, summary: '', outcome: 'not run', migrations: 0 }
        : { name: p.name, ...(await runTest(p, { kutDir: o.kutDir, dist, maxInstructions: o.maxInstructions, clock: o.clock, tmpDir })) };
      process.stderr.write(`[${++done}/${plans.length}] ${p.name}: ${row.verdict}${row.timeMs > 0 ? ` (${(row.timeMs / 1000).toFixed(1)}s)` : ''}\n`);
      const { output: _output, ...kept } = row;
      return { ...kept, qemu: qemu.get(p.name), plan: p };
    }), o.jobs);
    process.stdout.write(`${formatTable(rows)}\n`);
    if (o.json !== undefined) {
      const report = {
        suite: o.kutDir, maxSmp: o.maxSmp, itsSmp: o.itsSmp, clock: o.clock, maxInstructions: o.maxInstructions, totals: totals(rows),
        tests: rows.map(({ plan, ...r }) => ({
          ...r, file: plan.file, append: plan.append, smp: plan.smp, memoryMiB: plan.memoryMiB, mte: plan.mte,
          timeout: plan.timeout, migration: plan.migration, manual: plan.manual,
        })),
      };
      writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  const msg = e instanceof UsageError || e instanceof CfgError ? e.message : (e instanceof Error ? e.message : String(e)).split('\n')[0];
  process.stderr.write(`kvm-unit-tests: ${msg}\n`);
  process.exitCode = 1;
});
