// Snapshots of a Linux guest through the CLI (issue 14), beyond the policy matrix's (one vCPU, no disk):
// - two vCPUs: Debian's kernel with `--smp 2` is stopped and snapshotted mid-boot (`vmm-lite snapshot --stop-after
//   N`, both vCPUs online by then: the kernel brings its secondary CPU up within the first 100 M instructions), and
//   `vmm-lite restore` of that file boots on to user space, runs the MTE test with the transcript QEMU 10 gives
//   (scripts/linux-guest/expected-mte-test.txt, the same as two vCPUs give on vmm-lite) and powers off;
// - two vCPUs running the kernel's MTE selftests (`kvm_mte.run=selftests`): snapshotted after 4 x 10^9 instructions,
//   in the middle of the selftests, the restore finishes them with the results QEMU 10 gives
//   (scripts/linux-guest/expected-selftests.txt). Not a test of the tags: the snapshot held 28 tagged pages when
//   this was written, but a restore that loses them (`--tags-via mapping`) gives the same results, the selftests
//   tagging their memory again before they check it; the policy matrix's Linux rows are the tags' test;
// - a virtio-blk disk in use, with a virtio-console: the guest writes to /dev/vda, syncs and waits for a line on
//   /dev/hvc0; SIGUSR1 snapshots it there. The restore (the same image, `--virtio-console stdio`: stdin goes to the
//   console) takes the line typed, finds what it wrote before the snapshot on the disk, writes more and powers off;
//   a restore with an image written since is refused before the guest runs.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script
import { builtVmmLite } from './kvm-unit-tests/build.mjs';
import { HAVE_LINUX_MODULES, initPrelude, initramfsWithModules, LINUX_DIR, ROOT } from './linux-guest/initramfs.js';
import { session, userLines } from './linux-guest/session.js';

const HAVE = existsSync(join(LINUX_DIR, 'Image')) && existsSync(join(LINUX_DIR, 'initrd.gz'));
const run = promisify(execFile);
/** Where the SMP snapshot is taken: in the kernel's initcalls, after SMP bring-up, before user space. */
const STOP_AFTER = 600_000_000;
/**
 * A bound far above what is left of a boot after a snapshot (about 0.45 x 10^9 instructions): a broken restore that
 * leaves the kernel spinning ends with status 3 instead of the test's timeout.
 */
const RESTORE_LIMIT = '1500000000';

/** The one-line JSON summary `--json` writes last on stderr (or last in a session's mixed output). */
function summary(text: string): Record<string, unknown> {
  const last = text.trim().split('\n').filter((l) => l.startsWith('{"command"')).at(-1) ?? '{}';
  return JSON.parse(last) as Record<string, unknown>;
}

describe.skipIf(!HAVE)(`a snapshot of an SMP Linux guest${HAVE ? '' : ` (skipped: no Image/initrd.gz in ${LINUX_DIR})`}`, () => {
  it('is taken mid-boot with two vCPUs, and its restore boots on, runs the MTE test as on QEMU 10 and powers off', async () => {
    const cli = join(dirname(builtVmmLite(ROOT)), 'cli.js');
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-smp-snap-'));
    try {
      const snap = join(tmp, 'smp.snap');
      const saved = await run(process.execPath, [cli, 'snapshot', '--kernel', join(LINUX_DIR, 'Image'),
        '--initrd', join(LINUX_DIR, 'initrd.gz'), '--append', 'console=ttyAMA0 quiet', '--memory', '512M', '--smp', '2',
        '--stop-after', String(STOP_AFTER), '--snapshot-out', snap, '--json'], { timeout: 600_000, maxBuffer: 64 << 20 });
      expect(summary(saved.stderr)).toMatchObject({ outcome: 'snapshot', instructions: STOP_AFTER, status: 0 });
      expect(userLines(saved.stdout)).toEqual([]); // (stopped in the kernel: no user space yet)

      const restored = await run(process.execPath, [cli, 'restore', snap, '--max-instructions', RESTORE_LIMIT, '--json'],
        { timeout: 600_000, maxBuffer: 64 << 20 }).catch((e: { stdout: string; stderr: string; code: number }) => e);
      const expected = readFileSync(join(ROOT, 'scripts', 'linux-guest', 'expected-mte-test.txt'), 'utf8').trim().split('\n');
      expect(userLines(restored.stdout), restored.stderr).toEqual(expected);
      expect(summary(restored.stderr)).toMatchObject({ command: 'restore', outcome: 'shutdown', status: 0 });
      expect((summary(restored.stderr).instructions as number) > STOP_AFTER).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 1_200_000);

  it('is taken with two vCPUs in the middle of the MTE selftests, and its restore finishes them with QEMU 10\'s results', async () => {
    const cli = join(dirname(builtVmmLite(ROOT)), 'cli.js');
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-smp-snap-'));
    try {
      const snap = join(tmp, 'selftests.snap');
      const at = 4_000_000_000;
      const saved = await run(process.execPath, [cli, 'snapshot', '--kernel', join(LINUX_DIR, 'Image'),
        '--initrd', join(LINUX_DIR, 'initrd.gz'), '--append', 'console=ttyAMA0 quiet kvm_mte.run=selftests', '--memory', '512M',
        '--smp', '2', '--stop-after', String(at), '--snapshot-out', snap, '--json'], { timeout: 1_200_000, maxBuffer: 64 << 20 });
      expect(summary(saved.stderr)).toMatchObject({ outcome: 'snapshot', instructions: at, status: 0 });
      const restored = await run(process.execPath, [cli, 'restore', snap, '--max-instructions', '40000000000', '--json'],
        { timeout: 1_800_000, maxBuffer: 64 << 20 }).catch((e: { stdout: string; stderr: string; code: number }) => e);
      const expected = readFileSync(join(ROOT, 'scripts', 'linux-guest', 'expected-selftests.txt'), 'utf8').trim().split('\n');
      expect(userLines(saved.stdout + restored.stdout), `${saved.stderr}\n${restored.stderr}`).toEqual(expected);
      expect(summary(restored.stderr)).toMatchObject({ command: 'restore', outcome: 'shutdown', status: 0 });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 3_000_000);
});

/** In load order (virtio needs virtio_ring's symbols). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_mmio', 'virtio_blk', 'virtio_console'];
const BEFORE = 'kvm-mte-before-snapshot-' + Math.random().toString(36).slice(2, 10);
/** How long the disk test lets one VMM run (a boot to the wait takes about 10 s, the restore a few). */
const KILL_AFTER = 300_000;
const AFTER = 'kvm-mte-after-restore-' + Math.random().toString(36).slice(2, 10);
const INIT = `${initPrelude(MODULES, 'blk')}printf '%s' '${BEFORE}' | dd of=/dev/vda bs=4096 seek=3 conv=notrunc 2>/dev/null
sync
echo "blk: synced, waiting"
read -r line < /dev/hvc0
echo "blk: got $line"
echo "blk: disk holds $(dd if=/dev/vda bs=4096 skip=3 count=1 2>/dev/null | head -c ${BEFORE.length})"
printf '%s' '${AFTER}' | dd of=/dev/vda bs=4096 seek=5 conv=notrunc 2>/dev/null
sync
echo "blk: done"
poweroff -f
`;

describe.skipIf(!HAVE_LINUX_MODULES)(`a snapshot of a Linux guest using a virtio-blk disk and a virtio-console${HAVE_LINUX_MODULES ? '' : ` (skipped: no Image/initrd.gz/kernel .deb in ${LINUX_DIR})`}`, () => {
  it('is taken while the guest waits on hvc0 after a flushed write; the restore with that image goes on, one written since is refused', async () => {
    const cli = join(dirname(builtVmmLite(ROOT)), 'cli.js');
    const tmp = mkdtempSync(join(tmpdir(), 'vmm-lite-blk-snap-'));
    try {
      const initrd = initramfsWithModules(tmp, MODULES, INIT);
      const img = join(tmp, 'disk.img');
      writeFileSync(img, new Uint8Array(8 << 20));
      const snap = join(tmp, 'blk.snap');
      // One process (no launcher starting Node again for V8's worker pool): the signal goes to the VMM itself.
      const one = { KVM_MTE_V8_POOL_SIZE: 'node' };

      const saving = session([process.execPath, cli, 'snapshot', '--kernel', join(LINUX_DIR, 'Image'), '--initrd', initrd,
        '--append', 'console=ttyAMA0 quiet', '--memory', '512M', '--drive', img, '--virtio-console', 'stdio', '--snapshot-out', snap,
        '--json'], one);
      // (A VMM still running after KILL_AFTER is killed: the test fails instead of waiting for its own timeout.)
      const killSaving = setTimeout(() => saving.signal('SIGKILL'), KILL_AFTER);
      await saving.waitFor(/blk: synced, waiting/);
      saving.signal('SIGUSR1');
      expect(await saving.exit, saving.output().slice(-3000)).toBe(0);
      clearTimeout(killSaving);
      expect(summary(saving.output())).toMatchObject({ command: 'snapshot', outcome: 'snapshot', status: 0 });
      expect(readFileSync(img).subarray(3 * 4096, 3 * 4096 + BEFORE.length).toString()).toBe(BEFORE);

      // An image written since the snapshot: refused, before anything runs (the image is not written).
      const other = join(tmp, 'other.img');
      copyFileSync(img, other);
      writeFileSync(other, Buffer.from('x'), { flag: 'r+' });
      const refused = await run(process.execPath, [cli, 'restore', snap, '--drive', other], { timeout: 120_000 })
        .catch((e: { stdout: string; stderr: string; code: number }) => e);
      expect((refused as { code?: number }).code).toBe(1);
      expect(refused.stderr).toMatch(/not the disk the snapshot was taken with/);
      expect(readFileSync(other).subarray(5 * 4096, 5 * 4096 + AFTER.length).toString()).not.toBe(AFTER);

      const restoring = session([process.execPath, cli, 'restore', snap, '--drive', img, '--virtio-console', 'stdio',
        '--max-instructions', RESTORE_LIMIT, '--json'], one);
      const killRestoring = setTimeout(() => restoring.signal('SIGKILL'), KILL_AFTER);
      restoring.type('go-on\n');
      expect(await restoring.exit, restoring.output().slice(-3000)).toBe(0);
      clearTimeout(killRestoring);
      const lines = restoring.output().replace(/\r/g, '').split('\n').filter((l) => l.startsWith('blk: '));
      expect(lines).toEqual(['blk: got go-on', `blk: disk holds ${BEFORE}`, 'blk: done']);
      expect(readFileSync(img).subarray(5 * 4096, 5 * 4096 + AFTER.length).toString()).toBe(AFTER);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 1_200_000);
});
