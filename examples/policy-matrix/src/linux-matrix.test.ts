// The policy matrix's Linux rows, cell by cell, against what each kvm-core policy defines (packages/kvm-core/README.md)
// and what Linux does: every cell is read from the guest process's own report line (linux-matrix.ts).
// Needs the built Linux guest (scripts/linux-guest/build.sh) in $KVM_MTE_LINUX_DIR (default .cache/linux-guest);
// without it the test says it was skipped, or fails when KVM_MTE_REQUIRE_LINUX=1 (CI).
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveLinuxGuest, LINUX_APPEND, LINUX_MEMORY, linuxGuestDir, parseReady, parseReport } from './linux-guest.js';
import { LINUX_FRAMEBUFFER, linuxJobs, reportCell, runLinuxMatrix } from './linux-matrix.js';
import { formatMatrix, type Matrix } from './matrix.js';

const HAVE = haveLinuxGuest();
const ALL = ['transparent-upgrade', 'enforce-prot-mte', 'mte-allowed', 'no-tag-access'];
const GRANULES = 32 * 4096 / 16;
/** The report of a process that found everything intact, and the framebuffer line without a framebuffer. */
const INTACT = `mte-hold: report ldg=${GRANULES}/${GRANULES} loads=${GRANULES}/${GRANULES} data=${GRANULES}/${GRANULES} fault=none`;
const FB_NONE = 'none (no simple-framebuffer in the device tree)';

/** QEMU 10, the oracle: the same guest, the same line, the same report (for the events it can have: none). */
const QEMU = 'qemu-system-aarch64';
const qemuVersion = /version (\d+)\./.exec(spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1];
const HAVE_QEMU = qemuVersion === '10';

/**
 * Boot the guest on QEMU 10 (`-M virt,mte=on -cpu max`, the same RAM and command line), type `line` once the process
 * is ready, and return what it printed. QEMU has no framebuffer at 0x0f00_0000: `fb` finds none there.
 */
function onQemu(line: string): Promise<string> {
  const dir = linuxGuestDir();
  return new Promise((resolve, reject) => {
    const q = spawn(QEMU, ['-M', 'virt,mte=on', '-cpu', 'max', '-m', `${LINUX_MEMORY >> 20}`, '-nic', 'none', '-no-reboot', '-nographic',
      '-kernel', join(dir, 'Image'), '-initrd', join(dir, 'initrd.gz'), '-append', LINUX_APPEND], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let typed = false;
    const timer = setTimeout(() => q.kill('SIGKILL'), 300_000);
    q.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (!typed && parseReady(out) !== undefined && /pfns=[0-9a-f,]+\r?\n/.test(out)) {
        typed = true;
        q.stdin.write(`${line}\n`);
      }
    });
    q.on('error', reject);
    q.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`QEMU exited with ${code}:\n${out}`));
    });
  });
}

describe('the Linux rows of the policy matrix', () => {
  it('has the built guest (or is allowed to go without)', () => {
    if (process.env.KVM_MTE_REQUIRE_LINUX === '1') expect(HAVE, `no Image/initrd.gz in ${linuxGuestDir()}`).toBe(true);
  });

  it('has QEMU 10, the oracle (or is allowed to go without)', () => {
    if (process.env.KVM_MTE_REQUIRE_QEMU === '1') expect(qemuVersion, `${QEMU} --version`).toBe('10');
  });

  it('reads the process\'s lines: ready, report, fb (mte-hold.c\'s format)', () => {
    expect(parseReady('x\nmte-hold: ready pages=2 granules=512 pfns=419ec,1a\r\n')).toEqual({ pages: 2, granules: 512, pfns: [0x419ec, 0x1a] });
    expect(parseReady('mte-hold: ready pages=2')).toBeUndefined();
    const lost = parseReport('check\r\nmte-hold: fb none (no simple-framebuffer in the device tree)\r\nmte-hold: report ldg=512/8192 loads=1/8192 data=1/8192 fault=SIGSEGV/SEGV_MTESERR@1\r\n');
    expect(lost).toMatchObject({ ldg: 512, granules: 8192, loads: 1, data: 1, fault: { signal: 'SIGSEGV', code: 'SEGV_MTESERR', granule: 1 }, fb: 'none (no simple-framebuffer in the device tree)' });
    expect(reportCell(lost, '')).toMatchObject({ kind: 'tags-lost', text: 'TAGS LOST (512/8192 intact), checked load: SIGSEGV SEGV_MTESERR at granule 1' });
    const ok = parseReport('mte-hold: report ldg=8192/8192 loads=8192/8192 data=8192/8192 fault=none\n');
    expect(reportCell(ok, '').kind).toBe('tags-intact');
    // Data wrong but tags right, or a fault that is not a tag check: neither intact nor lost.
    expect(reportCell(parseReport('mte-hold: report ldg=8192/8192 loads=8192/8192 data=8191/8192 fault=none\n'), '').kind).toBe('other');
    expect(reportCell(parseReport('mte-hold: report ldg=8192/8192 loads=3/8192 data=3/8192 fault=SIGBUS/code2@3\n'), '').kind).toBe('other');
    expect(reportCell(undefined, 'garbage')).toMatchObject({ kind: 'other', text: 'no report from the process' });
  });

  it('boots once per policy, and once more per policy that accepts the framebuffer', () => {
    expect(linuxJobs()).toEqual([
      ...ALL.map((policy) => ({ policy, kind: 'main' })),
      { policy: 'transparent-upgrade', kind: 'fb' }, { policy: 'no-tag-access', kind: 'fb' },
    ]);
  });
});

describe.skipIf(!HAVE || !HAVE_QEMU)(`the Linux guest's process on QEMU 10${HAVE && HAVE_QEMU ? '' : ' (skipped: no built guest or no QEMU 10)'}`, () => {
  it('reports its tags intact with no event in between, and finds no framebuffer on QEMU\'s virt: the lines the vmm-lite cells are held to', async () => {
    expect(parseReport(await onQemu('check'))?.line).toBe(INTACT);
    const fb = parseReport(await onQemu('fb'));
    expect(fb).toMatchObject({ line: INTACT, fb: FB_NONE });
  }, 700_000);
});

describe.skipIf(!HAVE)(`the Linux rows of the policy matrix on vmm-lite${HAVE ? '' : ` (skipped: no Image/initrd.gz in ${linuxGuestDir()})`}`, () => {
  let matrix: Matrix;
  const cell = (row: string, policy: string) => matrix.rows.find((r) => r.id === row)!.cells[matrix.policies.indexOf(policy)]!;

  it('runs every Linux scenario under every policy', async () => {
    matrix = await runLinuxMatrix({ jobs: 1 });
    process.stdout.write(formatMatrix(matrix));
    expect(matrix.policies).toEqual(ALL);
    expect(matrix.rows.map((r) => r.id)).toEqual(['linux-snapshot-mapping', 'linux-snapshot-copy-tags', 'linux-swap', 'linux-framebuffer']);
  }, 3_600_000);

  it('snapshot/restore through a mapping without PROT_MTE: the process finds its tags zeroed and takes SEGV_MTESERR at its first tagged granule — except under enforce-prot-mte', () => {
    expect(cell('linux-snapshot-mapping', 'enforce-prot-mte')).toMatchObject({ kind: 'tags-intact', report: { line: INTACT } });
    for (const p of ['transparent-upgrade', 'mte-allowed', 'no-tag-access']) {
      // Tag g % 16 on granule g: only the tag-0 granules still match, and the first checked load with a non-zero tag
      // (granule 1) faults synchronously.
      expect(cell('linux-snapshot-mapping', p), p).toMatchObject({
        kind: 'tags-lost', report: { ldg: GRANULES / 16, loads: 1, data: 1, fault: { signal: 'SIGSEGV', code: 'SEGV_MTESERR', granule: 1 } },
      });
    }
  });

  it('snapshot/restore with COPY_TAGS: the process finds every tag and passes every checked load, under every policy', () => {
    for (const p of ALL) expect(cell('linux-snapshot-copy-tags', p), p).toMatchObject({ kind: 'tags-intact', report: { line: INTACT } });
  });

  it('host swap: all 32 of the process\'s pages were out when it resumed, and it finds its tags intact, under every policy', () => {
    for (const p of ALL) {
      const c = cell('linux-swap', p);
      expect(c, p).toMatchObject({ kind: 'tags-intact', pagesOut: 32, report: { line: INTACT } });
      expect(c.swapIns!, p).toBeGreaterThanOrEqual(32);
    }
  });

  it('the framebuffer: refused (EINVAL) by enforce-prot-mte and mte-allowed, so the process finds none; elsewhere Linux refuses PROT_MTE on /dev/mem (EINVAL) and the pixels work', () => {
    for (const p of ['enforce-prot-mte', 'mte-allowed']) {
      const c = cell('linux-framebuffer', p);
      expect(c, p).toMatchObject({ kind: 'vmm-refused', errno: 'EINVAL', report: { fb: FB_NONE, line: INTACT } });
    }
    const pixels = LINUX_FRAMEBUFFER.width * LINUX_FRAMEBUFFER.height;
    for (const p of ['transparent-upgrade', 'no-tag-access']) {
      const c = cell('linux-framebuffer', p);
      expect(c, p).toMatchObject({ kind: 'prot-mte-refused', errno: 'EINVAL', exits: 0, hostPixels: pixels, report: { line: INTACT } });
      expect(c.report!.fb, p).toBe(`base=0xf000000 ${LINUX_FRAMEBUFFER.width}x${LINUX_FRAMEBUFFER.height} prot_mte=EINVAL pixels=${pixels}/${pixels}`);
    }
  });
});
