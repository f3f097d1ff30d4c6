import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PagePolicies } from '@kvm-mte/kvm-core';
import { cpuOptionsFromEnv, describeOutcome, EXIT, parseCli, readInputFile, runCli, USAGE } from './cli-core.js';
import { policyByName } from './snapshot.js';
import { POLICY_NAMES } from './snapshot-format.js';
import { A64, PSCI_SYSTEM_OFF, printCode, psciCode } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const MiB = 2 ** 20;

describe('parseCli', () => {
  it('parses run with every option; defaults: 256M, MTE on, 1 vCPU, no limit', () => {
    expect(parseCli(['run', '--kernel', 'k.elf'])).toEqual({ command: 'run', options: { kernel: 'k.elf', memory: 256 * MiB, mte: true, smp: 1 } });
    expect(parseCli(['run', '--kernel=k', '--memory', '1G', '--append', 'console=ttyAMA0 x', '--initrd', 'rd', '--no-mte', '--smp', '4', '--max-instructions', '50_000_000']))
      .toEqual({ command: 'run', options: { kernel: 'k', memory: 2 ** 30, append: 'console=ttyAMA0 x', initrd: 'rd', mte: false, smp: 4, maxInstructions: 50_000_000 } });
  });

  it('--code-cache SIZE: the translated-code budget for run, snapshot and restore', () => {
    expect(parseCli(['run', '--kernel', 'k', '--code-cache', '16M'])).toMatchObject({ options: { codeCache: 16 * MiB } });
    expect(parseCli(['restore', 's.snap', '--code-cache', '512K'])).toMatchObject({ options: { codeCache: 512 * 1024 } });
    expect(() => parseCli(['run', '--kernel', 'k', '--code-cache', '0'])).toThrow("invalid --code-cache '0': must be at least 1 byte (e.g. 16M)");
    expect(() => parseCli(['run', '--kernel', 'k', '--code-cache', 'lots'])).toThrow("invalid size 'lots'");
  });

  it('KVM_MTE_JIT=0 / KVM_MTE_WASM=0 become the engine options (the only place the environment is read)', () => {
    expect(cpuOptionsFromEnv({})).toEqual({ translate: true, wasm: true });
    expect(cpuOptionsFromEnv({ KVM_MTE_JIT: '0' })).toEqual({ translate: false, wasm: true });
    expect(cpuOptionsFromEnv({ KVM_MTE_JIT: '1', KVM_MTE_WASM: '0' })).toEqual({ translate: true, wasm: false });
    // KVM_MTE_JIT_DUMP (the removed JavaScript translator's block dump) is not read any more.
    expect(cpuOptionsFromEnv({ KVM_MTE_JIT_DUMP: '1' })).toEqual({ translate: true, wasm: true });
  });

  it('--mte / --no-mte', () => {
    const mte = (...a: string[]) => (parseCli(['run', '--kernel', 'k', ...a]) as { options: { mte: boolean } }).options.mte;
    expect(mte('--no-mte')).toBe(false);
    expect(mte('--mte')).toBe(true);
  });

  it('restore and inspect take the snapshot as FILE or as --snapshot FILE', () => {
    expect(parseCli(['restore', 's.snap'])).toEqual({ command: 'restore', options: {}, snap: { json: false, snapshot: 's.snap' } });
    expect(parseCli(['restore', '--snapshot', 's.snap', '--json'])).toEqual({ command: 'restore', options: {}, snap: { json: true, snapshot: 's.snap' } });
    expect(parseCli(['restore', 's.snap', '--max-instructions', '5'])).toEqual({ command: 'restore', options: { maxInstructions: 5 }, snap: { json: false, snapshot: 's.snap' } });
    expect(parseCli(['inspect', '--snapshot', 's.snap'])).toEqual({ command: 'inspect', file: 's.snap', json: false });
  });

  it('help', () => {
    expect(parseCli(['--help'])).toEqual({ command: 'help' });
    expect(parseCli(['run', '-h'])).toEqual({ command: 'help' });
    expect(parseCli(['help'])).toEqual({ command: 'help' });
  });

  it.each([
    [[], 'no command given: use `vmm-lite run --kernel FILE` (try --help)'],
    [['boot'], "unknown command 'boot' (commands: run, snapshot, restore, inspect)"],
    [['run'], 'missing --kernel FILE'],
    [['run', '--kernel', ''], '--kernel needs a file name'],
    [['run', '--kernel'], "option '--kernel' needs a value"],
    [['run', '--kernel', 'k', '--frobnicate'], "unknown option '--frobnicate' (try --help)"],
    [['run', '--kernel', 'k', '-x'], "unknown option '-x' (try --help)"],
    [['run', '--kernel', 'k', '--mte=yes'], "option '--mte' does not take a value"],
    [['run', '--kernel', 'k', 'extra'], "unexpected argument 'extra'"],
    [['run', '--kernel', 'k', '--memory', '12Q'], "invalid size '12Q': expected a number with an optional K, M, G or T suffix (e.g. 256M, 1G, 512K)"],
    [['run', '--kernel', 'k', '--memory', '4097K'], 'invalid memory size 4097K: must be a multiple of 4K'],
    [['run', '--kernel', 'k', '--memory', '0'], 'invalid memory size 0: must be a positive number of bytes'],
    [['run', '--kernel', 'k', '--memory', '8G'], 'invalid memory size 8G: at most 3.5G is supported'],
    [['run', '--kernel', 'k', '--smp', '0'], "invalid --smp '0': expected a whole number from 1 to 8"],
    [['run', '--kernel', 'k', '--smp', '9'], "invalid --smp '9': expected a whole number from 1 to 8"],
    [['run', '--kernel', 'k', '--max-instructions', '-5'], "option '--max-instructions' needs a value (write --max-instructions=VALUE for a value starting with '-')"],
    [['run', '--kernel', 'k', '--max-instructions=-5'], "invalid --max-instructions '-5': expected a whole number from 1 to 2^53-1"],
    [['run', '--kernel', 'k', '--max-instructions', '1e6'], "invalid --max-instructions '1e6': expected a whole number from 1 to 2^53-1"],
    // An option given twice, or both spellings of one setting: refused, not "the last one wins".
    [['run', '--kernel', 'a', '--kernel', 'b'], "option '--kernel' is given more than once"],
    [['run', '--kernel', 'k', '--memory', '1G', '--memory=2G'], "option '--memory' is given more than once"],
    [['run', '--kernel', 'k', '--mte', '--no-mte'], "options '--mte' and '--no-mte' contradict each other: give one"],
    [['run', '--kernel', 'k', '--no-mte', '--no-mte'], "option '--no-mte' is given more than once"],
    [['run', '--kernel', 'k', '--no-prot-mte', '--prot-mte'], "options '--no-prot-mte' and '--prot-mte' contradict each other: give one"],
    [['restore', 's', '--json', '--json'], "option '--json' is given more than once"],
    // An option the command does not take: refused, not ignored.
    [['run', '--kernel', 'k', '--snapshot', 's'], "option '--snapshot' does not apply to run (it names the snapshot to restore: `vmm-lite restore FILE`)"],
    [['snapshot', '--kernel', 'k', '--snapshot-out', 'o', '--snapshot', 's'], "option '--snapshot' does not apply to snapshot (it names the snapshot to restore: `vmm-lite restore FILE`)"],
    [['snapshot', '--kernel', 'k', '--snapshot-out', 'o', '--framebuffer', '8x8'], "option '--framebuffer' does not apply to snapshot (the framebuffer's memory is not saved in snapshots)"],
    [['inspect', 'f', '--kernel', 'x'], "option '--kernel' does not apply to inspect (it takes FILE and --json)"],
    [['inspect', 'f', '--stop-after', '5'], "option '--stop-after' does not apply to inspect (it takes FILE and --json)"],
    [['restore', 's', '--append', 'quiet'], "option '--append' does not apply to restore (the guest is already loaded)"],
    [['restore', 's', '--screenshot', 'a.png'], "option '--screenshot' does not apply to restore (the framebuffer's memory is not saved in snapshots)"],
    [['run', '--kernel', 'k', '--tags-via', 'mapping'], '--tags-via needs --snapshot-out FILE (it says how the snapshot saves tags)'],
    // The snapshot of restore / inspect: once.
    [['restore'], 'restore needs a snapshot file: `vmm-lite restore FILE`'],
    [['restore', 'a.snap', '--snapshot', 'b.snap'], "two snapshots given ('a.snap' and --snapshot 'b.snap'): name one, as `vmm-lite restore FILE`"],
    [['inspect', 'a.snap', '--snapshot', 'b.snap'], "two snapshots given ('a.snap' and --snapshot 'b.snap'): name one, as `vmm-lite inspect FILE`"],
    [['restore', 'a.snap', 'b.snap'], "unexpected argument 'b.snap'"],
  ])('%j → %s', (argv, message) => {
    let err: unknown;
    try {
      parseCli(argv);
    } catch (e) {
      err = e;
    }
    expect((err as Error | undefined)?.message).toBe(message);
    expect((err as Error).message).not.toContain('\n');
  });
});

it('--memory 1000 is 1000 MiB (QEMU -m semantics), which is a page multiple', () => {
  expect((parseCli(['run', '--kernel', 'k', '--memory', '1000']) as { options: { memory: number } }).options.memory).toBe(1000 * MiB);
});

describe('readInputFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-cli-'));
  it('names the problem in one line', () => {
    expect(() => readInputFile('kernel', join(dir, 'missing.elf'))).toThrow(`cannot read kernel '${join(dir, 'missing.elf')}': no such file`);
    expect(() => readInputFile('initrd', dir)).toThrow(`cannot read initrd '${dir}': is a directory`);
  });
});

/** Run the CLI with in-memory files; collect stdout bytes and stderr text. */
async function cli(argv: string[], files: Record<string, Uint8Array> = {}) {
  const out: number[] = [];
  let err = '';
  const status = await runCli(argv, {
    stdout: (b) => out.push(...b),
    stderr: (t) => (err += t),
    readFile: (p) => {
      const f = files[p];
      if (f === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
      return f;
    },
  });
  return { status, stdout: Buffer.from(out).toString('latin1'), stderr: err };
}

describe('runCli', () => {
  const hello = codeElf([...printCode('hello\n'), ...psciCode(PSCI_SYSTEM_OFF)]);

  it('guest serial on stdout, nothing on stderr, status 0 after SYSTEM_OFF', async () => {
    expect(await cli(['run', '--kernel', 'hello.elf'], { 'hello.elf': hello })).toEqual({ status: 0, stdout: 'hello\n', stderr: '' });
  });

  it('one `vmm-lite: ` line and status 1 for bad arguments, files and images', async () => {
    const bad = async (argv: string[], files: Record<string, Uint8Array>, line: string) => {
      expect(await cli(argv, files)).toEqual({ status: EXIT.USAGE, stdout: '', stderr: `vmm-lite: ${line}\n` });
    };
    await bad(['run', '--kernel', 'nope.elf'], {}, "cannot read kernel 'nope.elf': no such file");
    await bad(['run', '--kernel', 'k', '--bogus'], {}, "unknown option '--bogus' (try --help)");
    await bad(['run', '--kernel', 'k', '--memory', 'lots'], {}, "invalid size 'lots': expected a number with an optional K, M, G or T suffix (e.g. 256M, 1G, 512K)");
    await bad(['run', '--kernel', 'k'], { k: new Uint8Array(0) }, 'the kernel image is empty');
    await bad(['run', '--kernel', 'k'], { k: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, ...new Uint8Array(56)) }, 'unsupported ELF: ELF32, expected ELF64 (AArch64)');
    await bad(['run', '--kernel', 'k', '--memory', '512K'], { k: new Uint8Array(0x80000) }, 'the kernel (524288 bytes at 0x40080000) does not fit in 512K of RAM at 0x40000000');
    await bad(['run', '--kernel', 'k', '--initrd', 'rd'], { k: hello }, "cannot read initrd 'rd': no such file");
  });

  it('a stalled guest: its output, then one line, status 2', async () => {
    const r = await cli(['run', '--kernel', 'k'], { k: codeElf([...printCode('waiting'), A64.wfi()]) });
    expect(r.stdout).toBe('waiting');
    expect(r.status).toBe(EXIT.STALLED);
    expect(r.stderr).toMatch(/^vmm-lite: guest stalled: the vCPU is idle in WFI with no interrupt source that could wake it \(after \d+ instructions\)\n$/);
  });

  it('the instruction limit: status 3', async () => {
    const r = await cli(['run', '--kernel', 'k', '--max-instructions', '1000'], { k: codeElf([A64.self()]) });
    expect(r).toEqual({ status: EXIT.LIMIT, stdout: '', stderr: 'vmm-lite: instruction limit reached (1000 instructions)\n' });
  });

  it('--help prints the usage on stderr, status 0', async () => {
    expect(await cli(['--help'])).toEqual({ status: 0, stdout: '', stderr: USAGE });
  });
});

it('describeOutcome: exit status and message for each outcome', () => {
  const base = { serial: new Uint8Array(), instructions: 42 };
  expect(describeOutcome({ ...base, outcome: 'shutdown' })).toEqual({ status: 0 });
  expect(describeOutcome({ ...base, outcome: 'reset' })).toEqual({ status: 0, message: 'guest requested a system reset (after 42 instructions); not rebooting' });
  expect(describeOutcome({ ...base, outcome: 'internal-error', message: 'boom' })).toEqual({ status: 4, message: 'internal error: boom (after 42 instructions)' });
  expect(describeOutcome({ ...base, outcome: 'guest-error', message: 'KVM_RUN failed' })).toEqual({ status: 5, message: 'KVM_RUN failed (after 42 instructions)' });
});

it('one name per policy: each kvm-core policy carries the name --policy takes and snapshots store', () => {
  for (const name of POLICY_NAMES) expect(policyByName(name).name).toBe(name);
  expect(Object.values(PagePolicies).map((p) => p.name).sort()).toEqual([...POLICY_NAMES].sort());
});

it('the kernel file is read from disk by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-cli-'));
  const p = join(dir, 'k.bin');
  writeFileSync(p, Uint8Array.of(1, 2, 3));
  expect([...readInputFile('kernel', p)]).toEqual([1, 2, 3]);
});
