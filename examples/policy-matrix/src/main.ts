// `pnpm demo`: run the policy matrix and print it. `pnpm demo:linux` (`--linux [--jobs N]`): the Linux rows instead,
// with the built Linux guest (scripts/linux-guest/build.sh), N jobs at once in worker threads (default 2).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { formatMatrix, runMatrix } from './matrix.js';
import { haveLinuxGuest, linuxGuestDir } from './linux-guest.js';
import { runLinuxMatrix, type LinuxJob, type LinuxJobResult } from './linux-matrix.js';

function fail(message: string): never {
  process.stderr.write(`policy-matrix: ${message}\n`);
  process.exit(1);
}

/** Run one Linux job in a worker thread; its start and end go to stderr (a boot takes a minute or more). */
function inWorker(job: LinuxJob): Promise<LinuxJobResult> {
  const t0 = Date.now();
  process.stderr.write(`policy-matrix: ${job.kind} ${job.policy}: booting\n`);
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./linux-worker.js', import.meta.url), { workerData: job });
    w.once('message', (r: LinuxJobResult) => {
      process.stderr.write(`policy-matrix: ${job.kind} ${job.policy}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
      resolve(r);
    });
    w.once('error', reject);
    w.once('exit', (code) => { if (code !== 0) reject(new Error(`the worker for ${job.kind} ${job.policy} exited with ${code}`)); });
  });
}

const args = process.argv.slice(2);
const linux = args.includes('--linux');
let jobs = Math.min(2, availableParallelism());
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--linux') continue;
  if (a === '--jobs') {
    const n = Number(args[++i]);
    if (!Number.isInteger(n) || n < 1 || n > 64) fail(`--jobs needs a number of jobs 1..64, got '${args[i] ?? ''}'`);
    jobs = n;
  } else fail(`unknown option '${a}' (expected --linux, --jobs N)`);
}

const started = Date.now();
if (linux) {
  if (!haveLinuxGuest()) fail(`no built Linux guest (Image, initrd.gz) in ${linuxGuestDir()}: run scripts/linux-guest/build.sh or set KVM_MTE_LINUX_DIR`);
  process.stdout.write('kvm-mte policy matrix, Linux rows: a process holding tagged heap across host events, under each policy\n');
  process.stdout.write(`(guest RAM is a normal anonymous mapping without PROT_MTE, except under enforce-prot-mte; ${jobs} job(s) at once)\n\n`);
  const m = await runLinuxMatrix({ jobs, run: inWorker });
  process.stdout.write(formatMatrix(m));
  process.stdout.write(`\nin ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
} else {
  process.stdout.write('kvm-mte policy matrix: each guest scenario under each kvm-core page-upgrade policy\n');
  process.stdout.write('(guest RAM is a normal anonymous mapping without PROT_MTE, except under enforce-prot-mte)\n\n');
  const m = await runMatrix();
  process.stdout.write(formatMatrix(m));
  process.stdout.write(`\n${m.rows.length * m.policies.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
