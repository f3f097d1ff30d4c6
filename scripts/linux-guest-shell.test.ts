// The Linux guest as an interactive machine (issue 14): `kvm_mte.run=shell` boots to a busybox shell on the console
// under busybox init; commands typed once the prompt is up run, `poweroff` ends the run with exit status 0. And
// Ctrl-A x, typed on a terminal (a pseudo-terminal from util-linux's `script`), leaves at once with status 6.
// Needs the built guest in $KVM_MTE_LINUX_DIR (default .cache/linux-guest), like scripts/linux-guest.test.ts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { session } from './linux-guest/session.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = process.env.KVM_MTE_LINUX_DIR ?? join(ROOT, '.cache', 'linux-guest');
const HAVE = existsSync(join(DIR, 'Image')) && existsSync(join(DIR, 'initrd.gz'));
const HAVE_SCRIPT = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!HAVE)(`the Linux guest's interactive shell${HAVE ? '' : ` (skipped: no Image/initrd.gz in ${DIR})`}`, () => {
  let cli = '';
  beforeAll(() => { cli = join(dirname(builtVmmLite(ROOT)), 'cli.js'); }, 600_000);
  const vmm = (append: string) => [process.execPath, cli, 'run', '--kernel', join(DIR, 'Image'), '--initrd', join(DIR, 'initrd.gz'),
    '--append', `console=ttyAMA0 ${append}`, '--memory', '512M', '--smp', '2', '--max-instructions', '20000000000'];

  it('runs what is typed at the prompt, and `poweroff` ends the run with status 0', async () => {
    const s = session(vmm('quiet kvm_mte.run=shell'));
    // The prompt at the start of a line (ash may follow it at once with a cursor-position query, ESC [6n).
    await s.waitFor(/(^|\n)\/ # /);
    s.type('uname -m; echo shell-says-$((6*7)); grep -c ^processor /proc/cpuinfo\n');
    await s.waitFor(/shell-says-42\r?\n2\r?\n/);
    s.type('poweroff\n');
    expect(await s.exit, s.output().slice(-3000)).toBe(0);
    expect(s.output()).toMatch(/\naarch64\r?\n/);
    expect(s.output()).toMatch(/Requesting system poweroff/);
  }, 900_000);

  it.skipIf(!HAVE_SCRIPT)('Ctrl-A x on a terminal leaves at once (status 6, "stopped on request")', async () => {
    // `script` gives the VMM a pseudo-terminal as stdin, so it takes Ctrl-A x as its escape (a pipe would pass it on).
    const command = vmm('kvm_mte.run=shell').map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const s = session(['script', '-q', '-e', '-c', command, '/dev/null']);
    await s.waitFor(/Booting Linux/); // the kernel's first line: seconds into the boot
    s.type('\x01x');
    expect(await s.exit, s.output().slice(-3000)).toBe(6);
    expect(s.output()).toMatch(/stopped on request/);
  }, 900_000);
});
