// The oracle: every guest must give the same serial output, byte for byte, and power off cleanly, on vmm-lite
// and on QEMU 10 (`qemu-system-aarch64 -M virt,mte=on -cpu max -m 256 ...`).
//  - guests/expected/<name>.txt is QEMU 10's output, recorded by `node scripts/build-guests.mjs --expect`.
//    vmm-lite is checked against it everywhere, with or without QEMU.
//  - Where QEMU 10 is installed, each guest also runs live on QEMU: QEMU must still print the recorded output
//    (so the expectations are re-confirmed) and vmm-lite must print exactly what QEMU printed.
// KVM_MTE_REQUIRE_QEMU=1 (set by .ci/run) turns a missing or wrong QEMU into a failure instead of a skip.
// Every guest but the benchmarks also runs under each of vmm-lite's other engines (harness.ts ENGINES) against the
// recording.
// KVM_MTE_ORACLE_BENCH=1 also runs the benchmark guests (bench-*: 100-400 M instructions, seconds each on vmm-lite;
// `pnpm bench` checks them against QEMU and guests/expected in every benchmark run).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BENCH_MAX_INSTRUCTIONS,
  BIN_DIR,
  ENGINES,
  MAX_INSTRUCTIONS,
  asText,
  guestMachine,
  guestNames,
  isBenchGuest,
  loadRunVirt,
  qemuStatus,
  readExpected,
  readGuest,
  runOnVmmLite,
  runQemu,
  type QemuRun,
  type RunVirt,
  type RunVirtResult,
} from './harness';

// The benchmark guests (bench-*) are long-running: `pnpm bench` compares them with QEMU instead, unless asked here.
const withBench = process.env.KVM_MTE_ORACLE_BENCH === '1';
const benchGuests = guestNames().filter(isBenchGuest);
const guests = guestNames().filter((n) => withBench || !isBenchGuest(n));
const qemu = qemuStatus();
const requireQemu = process.env.KVM_MTE_REQUIRE_QEMU === '1';

let runVirt: RunVirt | null = null;
let runVirtProblem = '';
beforeAll(async () => {
  ({ runVirt, reason: runVirtProblem } = await loadRunVirt());
});

/** vmm-lite results, shared by both groups so each guest runs on vmm-lite once. */
const vmmResults = new Map<string, Promise<RunVirtResult>>();
function onVmmLite(name: string): Promise<RunVirtResult> {
  if (!runVirt) throw new Error(`vmm-lite cannot run guests: ${runVirtProblem}`);
  let p = vmmResults.get(name);
  if (!p) {
    p = runOnVmmLite(runVirt, readGuest(name), isBenchGuest(name) ? BENCH_MAX_INSTRUCTIONS : MAX_INSTRUCTIONS, {}, guestMachine(name));
    vmmResults.set(name, p);
  }
  return p;
}

function describeRun(r: RunVirtResult): string {
  return `vmm-lite outcome ${r.outcome} after ${r.instructions} instructions${r.message ? `: ${r.message}` : ''}`;
}

it('there are guest programs, each with a recorded expected output', () => {
  expect(guests.length).toBeGreaterThan(0);
  for (const name of guests) expect(readExpected(name), `guests/expected/${name}.txt is missing`).not.toBeNull();
});

it('every benchmark guest has a recorded expected output (which `pnpm bench` requires of vmm-lite and QEMU)', () => {
  expect(benchGuests.length).toBeGreaterThan(0);
  for (const name of benchGuests) expect(readExpected(name), `guests/expected/${name}.txt is missing`).not.toBeNull();
});

describe('vmm-lite prints the recorded QEMU 10 output and powers off', () => {
  for (const name of guests) {
    it(name, async () => {
      const expected = readExpected(name);
      expect(expected, `guests/expected/${name}.txt is missing: run node scripts/build-guests.mjs --expect`).not.toBeNull();
      const r = await onVmmLite(name);
      expect(asText(r.serial), describeRun(r)).toBe(asText(expected!));
      expect(r.outcome, describeRun(r)).toBe('shutdown');
    });
  }
});

describe.each(ENGINES)('under $name too, vmm-lite prints the recorded QEMU 10 output and powers off', ({ options }) => {
  for (const name of guests.filter((n) => !isBenchGuest(n))) {
    it(name, async () => {
      if (!runVirt) throw new Error(`vmm-lite cannot run guests: ${runVirtProblem}`);
      const r = await runOnVmmLite(runVirt, readGuest(name), MAX_INSTRUCTIONS, options, guestMachine(name));
      expect(asText(r.serial), describeRun(r)).toBe(asText(readExpected(name)!));
      expect(r.outcome, describeRun(r)).toBe('shutdown');
    });
  }
});

// Guests with more than one vCPU (guests/machines.json) also run under the deterministic VM clock (counters derived
// from retired instructions): the same output, and the same run to the instruction, every time.
describe('multi-vCPU guests under the deterministic clock: the recorded output, reproducibly', () => {
  for (const name of guests.filter((n) => (guestMachine(n)?.smp ?? 1) > 1)) {
    it(name, async () => {
      if (!runVirt) throw new Error(`vmm-lite cannot run guests: ${runVirtProblem}`);
      const run = () => runOnVmmLite(runVirt!, readGuest(name), MAX_INSTRUCTIONS, {}, guestMachine(name), 'deterministic');
      const [a, b] = [await run(), await run()];
      expect(asText(a.serial), describeRun(a)).toBe(asText(readExpected(name)!));
      expect(a.outcome, describeRun(a)).toBe('shutdown');
      expect(asText(b.serial)).toBe(asText(a.serial));
      expect(b.instructions).toBe(a.instructions);
    });
  }
});

let ranOnQemu = 0;
const qemuSkip = qemu.usable ? '' : qemu.reason;

describe('QEMU 10 requirement', () => {
  it.runIf(requireQemu)('QEMU 10 is installed (KVM_MTE_REQUIRE_QEMU=1)', () => {
    expect(qemu.usable, qemu.reason).toBe(true);
  });
});

describe.skipIf(!qemu.usable)(
  `live on QEMU ${qemu.version ?? ''}: QEMU re-confirms the recording and vmm-lite matches it${qemuSkip ? ` (skipped: ${qemuSkip})` : ''}`,
  () => {
    afterAll(() => {
      console.log(`oracle: ${ranOnQemu} of ${guests.length} guest programs ran on QEMU ${qemu.version}`);
    });
    const qemuRuns = new Map<string, Promise<QemuRun>>();
    const onQemu = (name: string): Promise<QemuRun> => {
      let p = qemuRuns.get(name);
      if (!p) {
        p = runQemu(join(BIN_DIR, `${name}.elf`));
        qemuRuns.set(name, p);
        ranOnQemu++;
      }
      return p;
    };
    for (const name of guests) {
      it(`${name}: QEMU prints guests/expected/${name}.txt and powers off`, async () => {
        const q = await onQemu(name);
        const state = `QEMU exit ${q.exitCode}${q.signal ? `, signal ${q.signal}` : ''}${q.timedOut ? ', timed out' : ''}${q.stderr ? `; stderr: ${q.stderr}` : ''}`;
        // A clean power-off: PSCI SYSTEM_OFF makes QEMU exit 0; a hang is killed by the timeout.
        expect(q.timedOut, state).toBe(false);
        expect(q.exitCode, state).toBe(0);
        expect(asText(q.serial), `QEMU no longer prints guests/expected/${name}.txt`).toBe(asText(readExpected(name) ?? new Uint8Array()));
      });
      it(`${name}: vmm-lite prints exactly what QEMU printed and powers off`, async () => {
        const q = await onQemu(name);
        const r = await onVmmLite(name);
        expect(asText(r.serial), `vmm-lite vs QEMU: ${describeRun(r)}`).toBe(asText(q.serial));
        expect(r.outcome, describeRun(r)).toBe('shutdown');
      });
    }
  },
);

if (!qemu.usable) {
  console.log(`oracle: 0 guest programs ran on QEMU (${qemu.reason}); vmm-lite was checked against guests/expected only`);
}
