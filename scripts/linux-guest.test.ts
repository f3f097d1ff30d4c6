// Boots Debian's arm64 kernel with the initramfs of scripts/linux-guest/build.sh on vmm-lite (the built CLI) and
// compares what user space prints with what it prints on QEMU 10 (scripts/linux-guest/expected-mte-test.txt, recorded
// with `qemu-system-aarch64 -M virt,mte=on -cpu max -m 512 -nic none -kernel Image -initrd initrd.gz -append
// "console=ttyAMA0 quiet"`): the MTE test program's lines, a tag check fault delivered as SIGSEGV/SEGV_MTESERR. A
// second boot runs the kernel's arm64 MTE selftests (`kvm_mte.run=selftests`, about 12 x 10^9 instructions) and
// compares init's line per selftest (exit status, ok and not ok counts) with QEMU 10's
// (scripts/linux-guest/expected-selftests.txt, recorded the same way with that command line).
// Needs the built guest in $KVM_MTE_LINUX_DIR (default .cache/linux-guest; .ci/run builds it); without it the test
// says it was skipped, or fails when KVM_MTE_REQUIRE_LINUX=1.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { userLines } from './linux-guest/session.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = process.env.KVM_MTE_LINUX_DIR ?? join(ROOT, '.cache', 'linux-guest');
const HAVE = existsSync(join(DIR, 'Image')) && existsSync(join(DIR, 'initrd.gz'));
const run = promisify(execFile);

describe('a Linux guest with MTE', () => {
  it('has the built guest (or is allowed to go without)', () => {
    if (process.env.KVM_MTE_REQUIRE_LINUX === '1') expect(HAVE, `no Image/initrd.gz in ${DIR}`).toBe(true);
  });
});

describe.skipIf(!HAVE)(`a Linux guest with MTE on vmm-lite${HAVE ? '' : ` (skipped: no Image/initrd.gz in ${DIR})`}`, () => {
  let cli = '';
  beforeAll(() => { cli = join(dirname(builtVmmLite(ROOT)), 'cli.js'); }, 600_000);

  /** The two runs: what each boots with, the transcript recorded on QEMU 10, and the limits (instructions, ms). */
  const RUNS = [
    { what: 'boots to user space, runs the MTE test as on QEMU 10 and powers off', append: 'console=ttyAMA0 quiet',
      expected: 'expected-mte-test.txt', maxInsns: '20000000000', ms: 900_000 },
    { what: 'runs the kernel\'s arm64 MTE selftests with the results QEMU 10 gives, and powers off',
      append: 'console=ttyAMA0 quiet kvm_mte.run=selftests', expected: 'expected-selftests.txt', maxInsns: '40000000000',
      ms: 3_000_000 },
  ];
  for (const { what, append, expected, maxInsns, ms } of RUNS) {
    it(what, async () => {
      const r = await run(process.execPath, [cli, 'run', '--kernel', join(DIR, 'Image'), '--initrd', join(DIR, 'initrd.gz'),
        '--append', append, '--memory', '512M', '--max-instructions', maxInsns],
      { timeout: ms, maxBuffer: 64 << 20 }).catch((e: { stdout: string; stderr: string; code: number }) => e);
      const lines = readFileSync(join(ROOT, 'scripts', 'linux-guest', expected), 'utf8').trim().split('\n');
      expect(userLines(r.stdout), r.stderr).toEqual(lines);
      expect((r as { code?: number }).code ?? 0).toBe(0);
    }, ms);
  }
});
