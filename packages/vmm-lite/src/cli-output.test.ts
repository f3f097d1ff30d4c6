import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from './cli-core.js';
import { OutputFileError, writeOutputFile } from './output-file.js';
import { decodeSnapshot } from './snapshot.js';
import { cli } from './testing/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-out-'));
const snapArgs = (out: string) => ['run', '--kernel', 'mte.elf', '--memory', '2M', '--stop-after', '60000', '--snapshot-out', out];
const fbArgs = (out: string) => ['run', '--kernel', 'fb.elf', '--framebuffer', '64x48', '--policy', 'no-tag-access', '--screenshot', out];

describe('output files (--snapshot-out, --screenshot)', () => {
  it('a path that can never be written is refused before the guest runs: one line, status 1', async () => {
    for (const [argv, line] of [
      [snapArgs(dir), `cannot write snapshot '${dir}': is a directory`],
      [snapArgs(join(dir, 'no', 'such', 's.snap')), `cannot write snapshot '${join(dir, 'no', 'such', 's.snap')}': directory '${join(dir, 'no', 'such')}' does not exist`],
      [snapArgs(join('/dev/null', 's.snap')), "cannot write snapshot '/dev/null/s.snap': '/dev/null' is not a directory"],
      [['snapshot', '--kernel', 'mte.elf', '--snapshot-out', dir], `cannot write snapshot '${dir}': is a directory`],
      [['restore', 'x.snap', '--stop-after', '1', '--snapshot-out', dir], `cannot write snapshot '${dir}': is a directory`],
      [fbArgs(dir), `cannot write screenshot '${dir}': is a directory`],
      [fbArgs(join(dir, 'missing', 'fb.png')), `cannot write screenshot '${join(dir, 'missing', 'fb.png')}': directory '${join(dir, 'missing')}' does not exist`],
    ] as const) {
      expect({ argv, ...(await cli([...argv], new Map(), { disk: true })) }).toEqual({ argv, status: EXIT.USAGE, stdout: '', stderr: `vmm-lite: ${line}\n` });
    }
  });

  it('a write that fails after the run (a full device) is one line naming the file and the OS error, status 7', async () => {
    const snap = await cli(snapArgs('/dev/full'), new Map(), { disk: true });
    expect(snap.stdout).toContain('mte: '); // the guest ran
    expect(snap.status).toBe(EXIT.OUTPUT);
    expect(snap.stderr).toBe("vmm-lite: cannot write snapshot '/dev/full': no space left on device (ENOSPC)\n");
    const json = await cli([...snapArgs('/dev/full'), '--json'], new Map(), { disk: true });
    expect(JSON.parse(json.stderr)).toMatchObject({ command: 'run', outcome: 'instruction-limit', status: EXIT.OUTPUT, message: "cannot write snapshot '/dev/full': no space left on device (ENOSPC)" });
    expect(json.stderr.split('\n')).toHaveLength(2);
    const shot = await cli(fbArgs('/dev/full'), new Map(), { disk: true });
    expect(shot.stdout).toContain('fb: pixels drawn');
    expect(shot).toMatchObject({ status: EXIT.OUTPUT, stderr: "vmm-lite: cannot write screenshot '/dev/full': no space left on device (ENOSPC)\n" });
  });

  it('a regular file left half-written by a failing write is removed; a failure before writing leaves the file', () => {
    const oserr = (code: string) => Object.assign(new Error(`${code}: failed`), { code });
    const half = join(dir, 'half.snap');
    const fail = () => writeOutputFile('snapshot', half, () => { writeFileSync(half, 'part'); throw oserr('ENOSPC'); }, true);
    expect(fail).toThrow(OutputFileError);
    expect(fail).toThrow(`cannot write snapshot '${half}': no space left on device (ENOSPC)`);
    expect(existsSync(half)).toBe(false);
    const kept = join(dir, 'kept.snap');
    writeFileSync(kept, 'old');
    expect(() => writeOutputFile('snapshot', kept, () => { throw oserr('EACCES'); }, true)).toThrow(`cannot write snapshot '${kept}': permission denied (EACCES)`);
    expect(readFileSync(kept, 'utf8')).toBe('old');
  });

  it('writable paths are written as before', async () => {
    const s = join(dir, 'ok.snap');
    const p = join(dir, 'ok.png');
    expect((await cli(snapArgs(s), new Map(), { disk: true })).status).toBe(0);
    expect(decodeSnapshot(new Uint8Array(readFileSync(s))).header.memory).toBe(2 * 2 ** 20);
    expect((await cli(fbArgs(p), new Map(), { disk: true })).status).toBe(0);
    expect(existsSync(p)).toBe(true);
    // A run that ends before the stop point writes nothing (the check created nothing either).
    const early = join(dir, 'never.snap');
    expect((await cli(['run', '--kernel', 'hello.elf', '--stop-after', '1000000', '--snapshot-out', early], new Map(), { disk: true })).status).toBe(0);
    expect(existsSync(early)).toBe(false);
  });
});
