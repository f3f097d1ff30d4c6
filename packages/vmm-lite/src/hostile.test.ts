// The hostile-guest property: seeded random guests (random and biased words, random stage-1 tables and registers,
// exception vectors at garbage, at the faulting instruction, at MMIO, misaligned; several vCPUs started with PSCI
// CPU_ON at random entry points; MTE on and off under every page-upgrade policy; see testing/hostile-gen.ts) each
// end with a documented RunResult outcome within their instruction limit, in a child process that is killed at a
// hard wall-clock bound (a run loop that never yields cannot be interrupted from inside) and at an RSS bound
// proportional to guest RAM.
//
// Environment:
//   KVM_MTE_HOSTILE_SEED=S[,S2...]  replay these case seeds only (a failure prints its seed and replay command)
//   KVM_MTE_HOSTILE_CASES=N         random cases to run besides the pinned shapes (default 32: about 45 s on 2 cores)
//   KVM_MTE_HOSTILE_RUN_SEED=R      the run seed the case seeds derive from (default 1)
//   KVM_MTE_HOSTILE_LONG=1          long mode for local runs: 400 cases, limits up to 2M instructions
//   KVM_MTE_HOSTILE_JOBS=J          child processes at a time (default 2)
//   KVM_MTE_HOSTILE_VERBOSE=1       print one line per case
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from './machine.js';
import { describeHostileCase, generateHostileCase, type HostileCase, type HostileLimits, type HostilePins } from './testing/hostile-gen.js';
import { prepareChildModules, runCaseInChild, runCasesInChildren, type CaseBounds, type CaseReport, type ChildModules } from './testing/hostile-pool.js';
import { caseSeed } from './testing/hostile-prng.js';

const env = process.env;
const LONG = env.KVM_MTE_HOSTILE_LONG === '1';
const MiB = 1024 * 1024;

/** The documented outcomes a run may end with ('internal-error' is a model bug; nothing here asks to stop). */
const DOCUMENTED: readonly RunOutcome[] = ['shutdown', 'reset', 'stalled', 'instruction-limit', 'guest-error'];
const LIMITS: HostileLimits = LONG
  ? { minInstructions: 100_000, maxInstructions: 2_000_000, pageWalkerInstructions: 2_000_000 }
  : { minInstructions: 20_000, maxInstructions: 200_000, pageWalkerInstructions: 120_000 };
/**
 * The bounds of one case. Wall clock: 5 s to start the child and build the machine, plus 100 µs per instruction of
 * the limit (hostile code, mostly exceptions and exits, runs at 25,000 to a few million instructions a second, and a
 * vector that faults takes exceptions that retire nothing at about 13 µs each; a hang never ends).
 * RSS of the child process: 160 MiB for Node and the model, plus 3 × guest RAM (RAM itself, its tag storage and
 * per-page state, the translated code, whose cache has a budget, and the garbage of flushed blocks), plus 2 MiB a
 * vCPU for its arena jump cache (aarch64-cpu wasm-jit/jump-cache.ts: 65,536 entries since 2026-12-05; a 64 MiB
 * four-vCPU case measured 355 MiB, over the 352 MiB the bound then allowed). The page walker
 * (96 MiB of RAM, 120,000 instructions: it fills every page, then runs them all) peaked at 579 MiB with translated
 * code unbounded and at 379 MiB with a 64 MiB code-cache budget: the bound, 448 MiB, lies between.
 */
const bounds = (c: HostileCase): CaseBounds => ({
  timeoutMs: 5_000 + c.maxInstructions / 10,
  rssLimit: 160 * MiB + 3 * c.memory + 2 * MiB * c.smp,
});

/**
 * Shapes every run includes whatever the seeds draw: an access without a syndrome to an address outside RAM whose
 * exception vector is that same access (a run loop that retired nothing forever), and `b .+4096` on every page
 * (translated code growing with guest RAM).
 */
const PINNED: readonly (readonly [number, HostilePins])[] = [ // [seed, pins]
  [1, { vbar: 'self-nisv', mmu: 'off', smp: 1 }],
  [2, { vbar: 'self-nisv', mmu: 'identity', smp: 2 }],
  [3, { shape: 'page-walker', smp: 1 }],
];

/** The cases made from PINNED (replayed by running the pinned shapes alone). */
const pinned = new Set<HostileCase>();

function casesToRun(): HostileCase[] {
  if (env.KVM_MTE_HOSTILE_SEED !== undefined) {
    return env.KVM_MTE_HOSTILE_SEED.split(',').map((s) => generateHostileCase(Number(s.trim()) >>> 0, LIMITS));
  }
  const runSeed = Number(env.KVM_MTE_HOSTILE_RUN_SEED ?? 1);
  const n = Number(env.KVM_MTE_HOSTILE_CASES ?? (LONG ? 400 : 32));
  return [
    ...PINNED.map(([seed, pins]) => {
      const c = generateHostileCase(seed, LIMITS, pins);
      pinned.add(c);
      return c;
    }),
    ...Array.from({ length: n }, (_, i) => generateHostileCase(caseSeed(runSeed, i), LIMITS)),
  ];
}

function problemOf(c: HostileCase, r: CaseReport): string | undefined {
  const mb = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
  switch (r.kind) {
    case 'timeout': return `no result within ${bounds(c).timeoutMs} ms (a hang): killed`;
    case 'rss-limit': return `RSS ${mb(r.peakRss)} over the bound ${mb(bounds(c).rssLimit)}: killed`;
    case 'threw': return `the run threw: ${r.error}`;
    case 'died': return `the child died (exit ${r.code}, signal ${r.signal}): ${r.stderr.trim().split('\n').slice(-5).join(' | ')}`;
    case 'ok': {
      const res = r.result;
      if (!DOCUMENTED.includes(res.outcome)) return `outcome '${res.outcome}': ${res.message ?? ''}`;
      if (res.instructions > c.maxInstructions) return `${res.instructions} instructions, over the limit ${c.maxInstructions}`;
      if (res.outcome !== 'shutdown' && res.outcome !== 'reset' && !res.message) return `outcome '${res.outcome}' without a message`;
      return undefined;
    }
  }
}

describe('hostile guests', () => {
  let modules: ChildModules;
  // Transpiling five packages' sources takes a few seconds on a quiet machine, many more on a loaded one.
  beforeAll(() => { modules = prepareChildModules(); }, 180_000);
  afterAll(() => modules?.dispose());

  it('the bounds hold: a child that never yields is killed at the time bound, one that allocates at the RSS bound', async () => {
    const hang = await runCaseInChild(modules.entry, { selfTest: 'hang' }, { timeoutMs: 1500, rssLimit: 1024 * MiB });
    expect(hang.kind).toBe('timeout');
    expect(hang.wallMs).toBeLessThan(10_000);
    const hog = await runCaseInChild(modules.entry, { selfTest: 'allocate' }, { timeoutMs: 20_000, rssLimit: 200 * MiB });
    expect(hog.kind).toBe('rss-limit');
    expect(hog.peakRss).toBeGreaterThan(200 * MiB);
    expect(hog.peakRss).toBeLessThan(600 * MiB);
  }, 60_000);

  const cases = casesToRun();
  it(`${cases.length} seeded hostile guests each end with a documented outcome, within their limits and RSS bound`, async () => {
    const failures: string[] = [];
    const tally = new Map<string, number>();
    const verbose = env.KVM_MTE_HOSTILE_VERBOSE === '1';
    await runCasesInChildren(modules.entry, cases, Number(env.KVM_MTE_HOSTILE_JOBS ?? 2), bounds, (c, r) => {
      const what = r.kind === 'ok' ? r.result.outcome : r.kind;
      tally.set(what, (tally.get(what) ?? 0) + 1);
      const problem = problemOf(c, r);
      if (verbose) {
        const ins = r.kind === 'ok' ? ` ${r.result.instructions} insns` : '';
        console.log(`seed ${c.seed} ${c.shape} smp${c.smp} ${c.memory / MiB}M: ${what}${ins} ${r.wallMs.toFixed(0)} ms rss ${(r.peakRss / MiB).toFixed(0)} MiB${problem ? ` PROBLEM ${problem}` : ''}`);
      }
      if (problem !== undefined) {
        const replay = pinned.has(c) ? 'KVM_MTE_HOSTILE_CASES=0 (the pinned shapes only)' : `KVM_MTE_HOSTILE_SEED=${c.seed}`;
        failures.push(`${problem}\n${describeHostileCase(c)}\nreplay: ${replay} pnpm vitest run packages/vmm-lite/src/hostile.test.ts`);
      }
    });
    if (verbose) console.log([...tally].map(([k, n]) => `${k}: ${n}`).join(', '));
    // Every failure's first line and replay command; the whole case for the first few.
    const shown = failures.map((f, i) => (i < 5 ? f : f.split('\n').filter((l, j) => j <= 1 || l.startsWith('replay')).join('\n')));
    expect(failures, `${failures.length} of ${cases.length} hostile cases failed:\n\n${shown.join('\n\n')}`).toEqual([]);
  }, 900_000);
});

describe('the hostile-guest generator', () => {
  const limits: HostileLimits = { minInstructions: 1000, maxInstructions: 2000, pageWalkerInstructions: 3000 };

  it('is a pure function of the seed', () => {
    for (const seed of [0, 1, 0xffff_ffff, caseSeed(7, 3)]) {
      expect(JSON.stringify(generateHostileCase(seed, limits))).toBe(JSON.stringify(generateHostileCase(seed, limits)));
    }
    expect(JSON.stringify(generateHostileCase(5, limits))).not.toBe(JSON.stringify(generateHostileCase(6, limits)));
  });

  it('draws every shape the property claims to cover', () => {
    const drawn = Array.from({ length: 200 }, (_, i) => generateHostileCase(caseSeed(1, i), limits));
    const text = drawn.map((c) => describeHostileCase({ ...c, segments: [] })).join('\n');
    for (const what of ['(page-walker)', 'VBAR_EL1: skip', 'VBAR_EL1: self-nisv', 'VBAR_EL1: garbage', 'VBAR_EL1: mmio', 'VBAR_EL1: misaligned',
      'VBAR_EL1: unset', 'MMU identity', 'MMU damaged', 'MMU random', 'CPU_ON at stub', 'CPU_ON at misaligned', 'smp 4', 'mte true', 'mte false',
      'policy transparent-upgrade', 'policy enforce-prot-mte', 'policy mte-allowed', 'policy no-tag-access', 'policy default', 'budget']) {
      expect(text, what).toContain(what);
    }
  });
});
