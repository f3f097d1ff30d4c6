// One vmm-lite process of a kvm-unit-tests run, through vmm-lite's API (the built package): boot a test kernel, or
// restore a snapshot in this fresh process and press a key; run it; at the guest's migration point ("Now migrate
// the VM, then press a key to continue...") stop and save a snapshot. The guest's UART output goes to stdout as it
// is written; the result is one JSON line on fd 3. The parent (runner.mjs) bounds the process's time.
//
// Run as: node worker.mjs '<job JSON>' with fd 3 open for writing. The job: { dist, kernel?, append?, initrd?,
// memoryMiB?, smp?, mte?, gic?, pmu?, clock?, maxInstructions, deadline (ms since the epoch), snapshotIn?, snapshotOut? }.
import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * What the guest prints at a migration point (lib/migrate.c; also its "(quiet)" form), and when it skips one or
 * asks for continuous migration (not done here: the key is pressed at once); each then waits for a key.
 */
const MIGRATE_MARKERS = ['Now migrate the VM'];
const SKIP_MARKERS = ['Skipped VM migration', 'Begin continuous migration', 'End continuous migration'];

/** @param {object} result */
function report(result) {
  writeSync(3, `${JSON.stringify(result)}\n`);
}

const job = JSON.parse(process.argv[2] ?? 'null');
if (job === null || typeof job.dist !== 'string') {
  process.stderr.write('kvm-unit-tests worker: missing job\n');
  process.exit(2);
}
const vmm = await import(pathToFileURL(job.dist).href);

// Output: buffered (the guest writes a byte at a time) and flushed at every round boundary and at the end.
let pending = [];
let pendingBytes = 0;
const flush = () => {
  if (pendingBytes === 0) return;
  const all = Buffer.concat(pending);
  pending = [];
  pendingBytes = 0;
  writeSync(1, all);
};
let line = '';
let migrateSeen = false;
/** @type {import('../../packages/vmm-lite/dist/index.js').VirtMachine | undefined} */
let machine;
const onSerial = (bytes) => {
  pending.push(Buffer.from(bytes));
  pendingBytes += bytes.length;
  if (pendingBytes >= 4096) flush();
  for (const b of bytes) {
    if (b !== 0x0a) {
      if (line.length < 256) line += String.fromCharCode(b); // the markers are at a line's start: keep the start only
      continue;
    }
    if (MIGRATE_MARKERS.some((m) => line.includes(m))) {
      if (job.snapshotOut !== undefined) migrateSeen = true;
      else machine?.input.push(new Uint8Array([0x0a])); // not migrating (no migration group): carry on
    } else if (SKIP_MARKERS.some((m) => line.includes(m))) {
      machine?.input.push(new Uint8Array([0x0a])); // as the suite's runner: press a key, no migration
    }
    line = '';
  }
};

let base = 0;
let config;
try {
  if (job.snapshotIn !== undefined) {
    try {
      const snap = vmm.decodeSnapshot(readFileSync(job.snapshotIn));
      const opts = vmm.restoreMachineOptions(snap);
      machine = new vmm.VirtMachine({ ...opts, onSerial });
      vmm.restoreSnapshot(machine, snap);
      base = snap.header.instructions;
      config = { policy: opts.policy, memBackend: opts.memBackend, protMte: opts.protMte, kernelSha256: snap.header.kernelSha256 };
    } catch (e) {
      report({ outcome: 'restore-failed', message: `cannot restore the snapshot: ${oneLine(e)}` });
      process.exit(0);
    }
    machine.input.push(new Uint8Array([0x0a])); // the key the guest waits for after its migration point
  } else {
    const kernel = readFileSync(job.kernel);
    // pciTestdev: arm/run gives every test `-device pci-testdev` (pci-test drives it). virtioMmio: arm/run leaves
    // QEMU's virtio-mmio transports legacy (its default), where vmm-lite's default is modern.
    machine = new vmm.VirtMachine({ memory: job.memoryMiB * 2 ** 20, smp: job.smp, mte: job.mte, gic: job.gic, ...(job.pmu !== undefined && { pmu: job.pmu }), pciTestdev: true, virtioMmio: 'legacy', clock: job.clock ?? 'host', onSerial });
    machine.load({ kernel, ...(job.append ? { append: job.append } : {}), ...(job.initrd !== undefined && { initrd: readFileSync(job.initrd) }) });
    config = { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: vmm.sha256Hex(kernel) };
  }
  let late = false;
  const r = await machine.run({
    maxInstructions: job.maxInstructions,
    shouldStop: () => {
      flush();
      late = Date.now() > job.deadline + 1000; // the parent kills at the deadline: this is for an orphan
      return migrateSeen || late;
    },
  });
  flush();
  if (late) {
    report({ outcome: 'timeout', instructions: base + r.instructions });
  } else if (r.outcome === 'stop-requested' && migrateSeen) {
    try {
      const saved = vmm.saveSnapshot(machine, { config, instructionsBase: base });
      vmm.writeSnapshotFile(job.snapshotOut, saved.parts);
      report({ outcome: 'snapshot', instructions: base + machine.instructions, bytes: saved.sizes.file });
    } catch (e) {
      report({ outcome: 'snapshot-failed', message: `cannot save the snapshot: ${oneLine(e)}`, instructions: base + machine.instructions });
    }
  } else {
    report({ outcome: r.outcome, message: r.message, instructions: base + r.instructions });
  }
} catch (e) {
  flush();
  report({ outcome: 'internal-error', message: `vmm-lite: ${oneLine(e)}` });
}

/** @param {unknown} e */
function oneLine(e) {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}
