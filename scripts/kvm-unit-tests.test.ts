// The kvm-unit-tests runner (scripts/kvm-unit-tests.mjs): its cfg parser, plans, verdicts and QEMU result lists on
// small inline samples, and, where the built suite is present (../shared/kvm-unit-tests), a run on vmm-lite: the
// tests in kvm-unit-tests.expected.json (every test of the cfg, migration tests through snapshot and restore) still
// PASS in bounded time.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs modules without type declarations
import { CfgError, evalArith, evalSmp, parseCfg, parseDuration, shellWords } from './kvm-unit-tests/cfg.mjs';
// @ts-expect-error: plain .mjs module
import { planTest } from './kvm-unit-tests/plan.mjs';
// @ts-expect-error: plain .mjs module
import { judge } from './kvm-unit-tests/verdict.mjs';
// @ts-expect-error: plain .mjs module
import { qemuResults } from './kvm-unit-tests/qemu-results.mjs';
// @ts-expect-error: plain .mjs module
import { runTest, runWorker } from './kvm-unit-tests/runner.mjs';
// @ts-expect-error: plain .mjs module
import { builtVmmLite } from './kvm-unit-tests/build.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCRIPT = join(ROOT, 'scripts', 'kvm-unit-tests.mjs');
const KUT = process.env.KUT_DIR ?? resolve(ROOT, '../shared/kvm-unit-tests');
const HAVE_KUT = existsSync(join(KUT, 'unittests.cfg')) && existsSync(join(KUT, 'bin', 'selftest.flat'));
const ENV = { maxSmp: 2, arch: 'arm64', target: 'qemu' };
const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'kut-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SAMPLE = `
# comment lines and [brackets] inside them are ignored
[selftest-setup]
file = selftest.flat
smp = 2
test_args = 'setup smp=2 mem=256'
qemu_params = -m 256
kvmtool_params = --mem 256
groups = selftest

[gicv2-mmio-3p]
file = gic.flat
smp = $((($MAX_SMP < 3)?$MAX_SMP:3))
test_args = mmio
qemu_params = -machine gic-version=2
groups = gic

[gicv3-ipi]
file = gic.flat
smp = $MAX_SMP
test_args = ipi
qemu_params = -machine gic-version=3
groups = gic

[debug-bp-migration]
file = debug.flat
arch = arm64
test_args = bp-migration
groups = debug migration
disabled_if = [[ "$TARGET" != qemu ]]

[pmu-cycle]
file = pmu.flat
test_args = "cycle-counter 0"
qemu_params = -cpu max,pmu=on -icount 0

[timer]
file = timer.flat
timeout = 10s
arch = arm64

[mte-sync]
file = mte.flat
test_args = sync
qemu_params = -machine mte=on
arch = arm

[micro-bench]
file = micro-bench.flat
smp = 2
groups = nodefault micro-bench
accel = kvm
`;

describe('unittests.cfg parser', () => {
  const entries = parseCfg(SAMPLE);
  const byName = (n: string) => entries.find((e: { name: string }) => e.name === n);

  it('reads every section and its keys, in order', () => {
    expect(entries.map((e: { name: string }) => e.name)).toEqual(
      ['selftest-setup', 'gicv2-mmio-3p', 'gicv3-ipi', 'debug-bp-migration', 'pmu-cycle', 'timer', 'mte-sync', 'micro-bench']);
    expect(byName('selftest-setup')).toMatchObject({ file: 'selftest.flat', smp: '2', testArgs: "'setup smp=2 mem=256'", qemuParams: '-m 256', groups: ['selftest'] });
    expect(byName('debug-bp-migration')).toMatchObject({ arch: 'arm64', groups: ['debug', 'migration'], disabledIf: '[[ "$TARGET" != qemu ]]' });
  });

  it('evaluates $MAX_SMP and the arithmetic smp expressions', () => {
    expect(evalSmp('$MAX_SMP', { maxSmp: 2 })).toBe(2);
    expect(evalSmp('$((($MAX_SMP < 3)?$MAX_SMP:3))', { maxSmp: 2 })).toBe(2);
    expect(evalSmp('$((($MAX_SMP < 3)?$MAX_SMP:3))', { maxSmp: 8 })).toBe(3);
    expect(evalSmp('$((($MAX_SMP < 8)?$MAX_SMP:8))', { maxSmp: 12 })).toBe(8);
    expect(evalArith('1 + 2 * 3 - 8 / 4 % 3')).toBe(5);
    expect(evalArith('2 > 1 && 0 || !0 ? 7 : 9')).toBe(7);
    expect(() => evalSmp('$(rm -rf /)', { maxSmp: 2 })).toThrow(CfgError);
    expect(() => evalSmp('$((1/0))', { maxSmp: 2 })).toThrow(CfgError);
  });

  it('splits quoted test_args as bash does, and reads durations', () => {
    expect(shellWords(`'setup smp=2 mem=256'`)).toEqual(['setup smp=2 mem=256']);
    expect(shellWords(`"cycle-counter 0" a\\ b 'x'"y"`)).toEqual(['cycle-counter 0', 'a b', 'xy']);
    expect(() => shellWords(`'open`)).toThrow(CfgError);
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('90')).toBe(90_000);
    expect(parseDuration('1.5m')).toBe(90_000);
  });

  it('refuses a key outside a section, a section without file, a name given twice', () => {
    expect(() => parseCfg('file = x.flat\n')).toThrow(/outside any \[test\] section/);
    expect(() => parseCfg('[a]\nsmp = 1\n')).toThrow(/has no 'file'/);
    expect(() => parseCfg('[a]\nfile = a.flat\n[a]\nfile = b.flat\n')).toThrow(/defined twice/);
  });
});

describe('plans: the suite runner\'s QEMU command line as vmm-lite options', () => {
  const plan = (name: string) => planTest(parseCfg(SAMPLE).find((e: { name: string }) => e.name === name), ENV);

  it('passes -append, -smp, -m (else 128M) and mte=on; migration and nodefault groups', () => {
    expect(plan('selftest-setup')).toMatchObject({ append: 'setup smp=2 mem=256', smp: 2, memoryMiB: 256, mte: false, timeoutMs: 90_000, migration: false });
    expect(plan('selftest-setup').skip).toBeUndefined();
    expect(plan('timer')).toMatchObject({ smp: 1, memoryMiB: 128, timeoutMs: 10_000, timeout: '10s' });
    expect(plan('debug-bp-migration')).toMatchObject({ append: 'bp-migration', migration: true });
    expect(plan('debug-bp-migration').skip).toBeUndefined(); // disabled_if is false for TARGET=qemu
    expect(plan('micro-bench')).toMatchObject({ manual: true, smp: 2 });
    expect(plan('micro-bench').skip).toBeUndefined();
  });

  it('runs the its group with $MAX_SMP = itsSmp (4 vCPUs from the CLI), the others with maxSmp', () => {
    const cfg = parseCfg('[its-trigger]\nfile = gic.flat\nsmp = $MAX_SMP\ngroups = its\n[ipi]\nfile = gic.flat\nsmp = $MAX_SMP\n');
    expect(cfg.map((e: never) => planTest(e, { ...ENV, itsSmp: 4 }).smp)).toEqual([4, 2]);
    expect(cfg.map((e: never) => planTest(e, ENV).smp)).toEqual([2, 2]);
  });

  it('SKIPs what vmm-lite does not have yet, naming it, and other arches', () => {
    expect(plan('gicv2-mmio-3p')).toMatchObject({ smp: 2, gic: 'v2' });
    expect(plan('gicv2-mmio-3p').skip).toBeUndefined();
    expect(plan('gicv3-ipi')).toMatchObject({ gic: 'v3' });
    expect(plan('gicv3-ipi').skip).toBeUndefined();
    expect(plan('selftest-setup').gic).toBe('v2'); // QEMU virt's default
    expect(planTest(parseCfg('[x]\nfile = x.flat\nqemu_params = -machine gic-version=4\n')[0], ENV).skip)
      .toBe('vmm-lite: no GIC version 4 yet');
    expect(plan('pmu-cycle')).toMatchObject({ pmu: true, skip: 'vmm-lite: no instruction-count clock (-icount) yet' });
    const noPmu = planTest(parseCfg('[x]\nfile = x.flat\nqemu_params = -cpu max,pmu=off\n')[0], ENV);
    expect([noPmu.pmu, noPmu.skip]).toEqual([false, undefined]);
    expect(plan('mte-sync')).toMatchObject({ mte: true, skip: 'arm only' });
    const cpu = planTest(parseCfg('[x]\nfile = x.flat\nqemu_params = -cpu cortex-a57\n')[0], ENV);
    expect(cpu.skip).toBe('vmm-lite: no -cpu cortex-a57 yet (only max)');
  });
});

describe('verdicts, as the suite decides them', () => {
  const base = { outcome: 'shutdown', timeout: '90s', migration: false, migrations: 0, migrationSkipped: false };
  const out = (exit: string) => `PASS: a\nFAIL: b: broken\nSUMMARY: 2 tests, 1 unexpected failures\n\n${exit}\n`;

  it('EXIT: STATUS=1 is PASS, 3 FAIL, 77 SKIP, 127 an abort', () => {
    expect(judge({ ...base, output: 'PASS: a\nSUMMARY: 1 tests\n\nEXIT: STATUS=1\n' })).toMatchObject({ verdict: 'PASS', status: 1, summary: '1 tests' });
    expect(judge({ ...base, output: out('EXIT: STATUS=3') })).toMatchObject({ verdict: 'FAIL', reason: '2 tests, 1 unexpected failures; FAIL: b: broken' });
    expect(judge({ ...base, output: 'No PMU found, test skipped...\nSUMMARY: 0 tests\n\nEXIT: STATUS=77\n' }))
      .toMatchObject({ verdict: 'SKIP', reason: '0 tests; No PMU found, test skipped...' });
    expect(judge({ ...base, output: 'x.c:1: assert failed: y\n\nEXIT: STATUS=127\n' })).toMatchObject({ verdict: 'FAIL', reason: 'aborted; x.c:1: assert failed: y' });
  });

  it('no EXIT line is a FAIL with what stopped the run', () => {
    const output = 'PASS: a\nINFO: waiting\n';
    expect(judge({ ...base, output, outcome: 'stalled', message: 'guest stalled: the vCPU is idle in WFI' }))
      .toMatchObject({ verdict: 'FAIL', status: undefined, reason: 'guest stalled: the vCPU is idle in WFI' });
    expect(judge({ ...base, output, outcome: 'timeout', timeout: '10s' })).toMatchObject({ verdict: 'FAIL', reason: 'timeout; duration=10s' });
    expect(judge({ ...base, output, outcome: 'instruction-limit', message: 'instruction limit reached (5 instructions)' }).reason).toMatch(/instruction limit/);
    expect(judge({ ...base, output })).toMatchObject({ verdict: 'FAIL', reason: 'the guest powered off without an EXIT line' });
    expect(judge({ ...base, output, outcome: 'snapshot-failed', message: 'cannot save the snapshot: ENOSPC' }).reason).toBe('cannot save the snapshot: ENOSPC');
  });

  it('a migration test that ends before its migration point is a FAIL, as in the suite', () => {
    const output = 'PASS: a\nSUMMARY: 1 tests\n\nEXIT: STATUS=1\n';
    expect(judge({ ...base, output, migration: true })).toMatchObject({ verdict: 'FAIL', reason: 'test exit before migration point (1 tests)' });
    expect(judge({ ...base, output, migration: true, migrations: 1 }).verdict).toBe('PASS');
    expect(judge({ ...base, output, migration: true, migrationSkipped: true }).verdict).toBe('PASS');
  });
});

describe('QEMU 10 results (scripts/kvm-unit-tests/qemu-10.json)', () => {
  it('25 PASS, 2 manual, 4 FAIL on QEMU, 11 SKIP on QEMU; a test not listed is ?', () => {
    const listed = Object.keys(JSON.parse(readFileSync(join(ROOT, 'scripts', 'kvm-unit-tests', 'qemu-10.json'), 'utf8')).results);
    const r = qemuResults([...listed, 'no-such-test']);
    const count = (v: string) => [...r.values()].filter((x) => x === v).length;
    expect([count('PASS'), count('manual'), count('FAIL on QEMU'), count('SKIP on QEMU'), count('?')]).toEqual([25, 2, 4, 11, 1]);
  });
});

// CI builds the suite when ../shared/kvm-unit-tests is missing (.ci/run, scripts/provision-kvm-unit-tests.sh) and sets
// KVM_MTE_REQUIRE_KUT=1, which turns a missing suite into a failure instead of a skip.
if (!HAVE_KUT && process.env.KVM_MTE_REQUIRE_KUT === '1') {
  throw new Error(`KVM_MTE_REQUIRE_KUT=1 but there is no built kvm-unit-tests in ${KUT}`);
}

describe.skipIf(!HAVE_KUT)(`kvm-unit-tests on vmm-lite${HAVE_KUT ? '' : ` (skipped: no built suite in ${KUT}; set KUT_DIR)`}`, () => {
  const expected: string[] = JSON.parse(readFileSync(join(ROOT, 'scripts', 'kvm-unit-tests.expected.json'), 'utf8')).pass;
  let dist = '';
  beforeAll(() => { dist = builtVmmLite(ROOT); }, 600_000); // a fresh clone has no dist/ yet

  it('QEMU 10 has a result for every test of the cfg', () => {
    const names = parseCfg(readFileSync(join(KUT, 'unittests.cfg'), 'utf8')).map((e: { name: string }) => e.name);
    expect(names.filter((n: string) => qemuResults(names).get(n) === '?')).toEqual([]);
  });

  it('plans every test of the cfg (run or SKIP with a reason)', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, '--list', '--kut-dir', KUT]);
    const names = parseCfg(readFileSync(join(KUT, 'unittests.cfg'), 'utf8')).map((e: { name: string }) => e.name);
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(names);
    for (const l of lines) expect(l).toMatch(/ (SKIP \(.+\)|\S+\.flat .*--smp \d+ --memory \d+M --(no-)?mte --gic v[23], timeout \S+)/);
  });

  it('the expected list names every test of the cfg, and they PASS in bounded time', async () => {
    const names = parseCfg(readFileSync(join(KUT, 'unittests.cfg'), 'utf8')).map((e: { name: string }) => e.name);
    expect([...expected].sort()).toEqual([...names].sort());
    // The deterministic clock (time from instructions retired), so timer latencies (timer's "latency within 10 ms")
    // do not depend on the host's load; micro-bench measures with the host's clock, as on QEMU.
    const hostClock = ['micro-bench'];
    const runs = [
      { clock: 'deterministic', tests: expected.filter((n) => !hostClock.includes(n)) },
      { clock: 'host', tests: hostClock },
    ];
    const start = Date.now();
    const reports: { tests: { name: string }[]; totals: { vmmLite: { PASS: number } } }[] = [];
    for (const [i, r] of runs.entries()) {
      const json = join(tmp, `kut-${i}.json`);
      const { stdout } = await run(process.execPath, [SCRIPT, '--kut-dir', KUT, '--jobs', '2', '--clock', r.clock, '--json', json, '--only', ...r.tests], { timeout: 240_000 });
      expect(stdout).toMatch(/^test +QEMU 10 +vmm-lite +time +reason \/ summary$/m);
      expect(stdout).toMatch(new RegExp(`^totals: ${r.tests.length} tests; vmm-lite ${r.tests.length} PASS`, 'm'));
      reports.push(JSON.parse(readFileSync(json, 'utf8')));
    }
    const seconds = (Date.now() - start) / 1000;
    const all = reports.flatMap((r) => r.tests);
    const verdict = (n: string) => all.find((t: { name: string }) => t.name === n);
    for (const n of expected) expect({ n, ...verdict(n) }).toMatchObject({ n, verdict: 'PASS', status: 1 });
    expect(verdict('debug-bp-migration')).toMatchObject({ migrations: 1, outcome: 'shutdown' }); // through a restore
    expect(all).toHaveLength(expected.length);
    expect(seconds).toBeLessThan(200);
  }, 250_000);

  it('a snapshot that cannot be saved or restored is a FAIL saying so; a timeout ends the process', async () => {
    const entries = parseCfg(readFileSync(join(KUT, 'unittests.cfg'), 'utf8'));
    const plan = (n: string) => planTest(entries.find((e: { name: string }) => e.name === n), ENV);
    const ctx = { kutDir: KUT, dist, maxInstructions: 1e9, tmpDir: join(tmp, 'no-such-dir') };
    const saved = await runTest(plan('debug-bp-migration'), ctx);
    expect(saved).toMatchObject({ verdict: 'FAIL', outcome: 'snapshot-failed', migrations: 0 });
    expect(saved.reason).toMatch(/^cannot save the snapshot: ENOENT/);

    const garbage = join(tmp, 'garbage.snap');
    writeFileSync(garbage, 'not a snapshot');
    const restored = await runWorker({ dist, maxInstructions: 1e9, snapshotIn: garbage }, Date.now() + 30_000);
    expect(restored.result.outcome).toBe('restore-failed');
    expect(restored.result.message).toMatch(/^cannot restore the snapshot: .*magic/);

    const slow = { ...plan('psci'), timeoutMs: 300, timeout: '0.3s' };
    const t = await runTest(slow, { ...ctx, tmpDir: tmp });
    expect(t).toMatchObject({ verdict: 'FAIL', outcome: 'timeout', reason: 'timeout; duration=0.3s' });
    expect(t.timeMs).toBeLessThan(5_000);
  }, 60_000);
});
