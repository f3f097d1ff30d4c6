// The counting plugin of `pnpm bench --qemu-count` (count.c): building it, and reading what it prints.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'count.c');

/**
 * Builds count.c with `cc` into a temporary directory, removed when this process exits; returns the plugin's path.
 * Throws with the compiler's first line when `cc` is missing or fails.
 */
export function buildCountPlugin() {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-mte-qemu-count-'));
  const out = join(dir, 'count.so');
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O2', '-o', out, SOURCE], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = r.error ? r.error.message : (r.stderr.split('\n')[0] || `exit ${r.status}`);
    throw new Error(`--qemu-count: cannot build scripts/qemu-count/count.c with cc: ${why}`);
  }
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return out;
}

/**
 * The counts QEMU's stderr holds after a run with the plugin (`-plugin PATH`), or undefined when it printed none. A
 * block's instructions count when the block starts, so a block left early (an exception, an interrupt) counts whole:
 * QEMU's figure can exceed the instructions that retired by a few per exception, and it includes QEMU's own boot stub.
 */
export function parseCounts(stderr) {
  const m = /qemu-count: instructions (\d+) tb-executions (\d+) translations (\d+)/.exec(stderr);
  return m ? { instructions: Number(m[1]), tbExecutions: Number(m[2]), translations: Number(m[3]) } : undefined;
}
