// The counting plugin of `pnpm bench --qemu-count` (count.c, count.mjs): built with `cc`, loaded by QEMU 10, it must
// count what the guest executes, as vmm-lite counts it. A guest's count on QEMU is at least vmm-lite's (QEMU counts a
// block's instructions when the block starts, and runs a boot stub of its own first) and only a little more.
// KVM_MTE_REQUIRE_QEMU=1 (set by .ci/run, which installs QEMU and cc) turns a missing QEMU or cc into a failure.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN_DIR, QEMU, QEMU_ARGS, loadRunVirt, qemuStatus, readGuest, runOnVmmLite, versionLine } from '../../guests/harness';
import { buildCountPlugin, parseCounts } from './count.mjs';

const qemu = qemuStatus();
const haveCc = versionLine('cc') !== null;
const required = process.env.KVM_MTE_REQUIRE_QEMU === '1';
const why = !qemu.usable ? qemu.reason : !haveCc ? 'cc is not installed' : '';

function countOnQemu(elf: string, plugin: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(QEMU, [...QEMU_ARGS, '-kernel', elf, '-plugin', plugin], { timeout: 60_000, killSignal: 'SIGKILL' },
      (err, _stdout, stderr) => (err ? reject(err) : resolve(stderr)));
  });
}

describe('the QEMU instruction counter (bench --qemu-count)', () => {
  it('reads the plugin line, and nothing else', () => {
    expect(parseCounts('x\nqemu-count: instructions 12 tb-executions 5 translations 3\n'))
      .toEqual({ instructions: 12, tbExecutions: 5, translations: 3 });
    expect(parseCounts('qemu-system-aarch64: -plugin count.so: cannot open')).toBeUndefined();
  });

  if (why !== '' && !required) {
    it.skip(`counts on QEMU (skipped: ${why})`, () => {});
    return;
  }

  let plugin = '';
  beforeAll(() => {
    if (why === '') plugin = buildCountPlugin();
  });

  it('QEMU is usable and cc builds the plugin', () => {
    expect(why).toBe('');
    expect(plugin).not.toBe('');
  });

  for (const [name, slack] of [['hello', 256], ['bench-exc', 1024]] as const) {
    it(`${name}: QEMU counts what vmm-lite retires, within ${slack} instructions`, async () => {
      const stderr = await countOnQemu(join(BIN_DIR, `${name}.elf`), plugin);
      const counts = parseCounts(stderr);
      expect(counts, stderr).toBeDefined();
      const { runVirt, reason } = await loadRunVirt();
      expect(runVirt, reason).not.toBeNull();
      const r = await runOnVmmLite(runVirt!, readGuest(name), 50_000_000);
      expect(r.outcome).toBe('shutdown');
      expect(counts!.instructions).toBeGreaterThanOrEqual(r.instructions);
      expect(counts!.instructions - r.instructions).toBeLessThanOrEqual(slack);
      expect(counts!.translations).toBeGreaterThan(0);
      expect(counts!.tbExecutions).toBeGreaterThanOrEqual(counts!.translations);
    });
  }
});
