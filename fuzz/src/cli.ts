/**
 * `pnpm fuzz`: differential fuzzing of the modelled CPU (vmm-lite) against QEMU 10.
 *
 *   pnpm fuzz [--seed S] [--count N] [--per-binary K] [--mode mmu-off|mmu-on|mte|fp|both] [--jobs J] [--minimise]
 *             [--max-report M] [--fp-all] [--repro SEED:INDEX:MODE]
 *   pnpm fuzz --decoder WORDS [--seed S]      (decoder robustness only: no QEMU needed)
 *
 * Batches of K sequences go into one ELF each; J batches run at a time (each in a worker thread: vmm-lite in the
 * worker, QEMU as a child process). With --mode both, batches alternate between the two modes.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { makeSequence, minimise, runBatch, runSingle, type BatchResult, type BatchSpec, type Mismatch } from './batch.js';
import { checkDecoder } from './decoder-robustness.js';
import { disassemble } from './disasm.js';
import { layout } from './generator.js';
import type { Mode } from './harness.js';
import { lineDiff, QEMU_CPU, qemuCpu, qemuStatus, splitBlocks } from './oracle.js';

interface Options {
  seed: number;
  count: number;
  perBinary: number;
  mode: Mode | 'both';
  jobs: number;
  minimise: boolean;
  maxReport: number;
  repro: string | null;
  decoder: number;
}

const USAGE = 'usage: pnpm fuzz [--seed S] [--count N] [--per-binary K] [--mode mmu-off|mmu-on|mte|fp|both] [--jobs J] [--minimise] [--max-report M] [--fp-all] [--repro SEED:INDEX:MODE] | --decoder WORDS [--seed S]';

function parseArgs(argv: string[]): Options {
  const o: Options = { seed: 1, count: 1000, perBinary: 250, mode: 'both', jobs: 1, minimise: false, maxReport: 20, repro: null, decoder: 0 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value\n${USAGE}`);
      return v;
    };
    const int = (): number => {
      const s = val();
      const n = Number(s);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a}: not a non-negative integer: ${s}`);
      return n;
    };
    switch (a) {
      case '--seed': o.seed = int() >>> 0; break;
      case '--count': o.count = int(); break;
      case '--per-binary': o.perBinary = Math.max(1, int()); break;
      case '--jobs': o.jobs = Math.max(1, int()); break;
      case '--max-report': o.maxReport = int(); break;
      case '--minimise': case '--minimize': o.minimise = true; break;
      case '--repro': o.repro = val(); break;
      case '--decoder': o.decoder = int(); break;
      case '--fp-all': process.env.FUZZ_FP_ALL = '1'; break; // read by the generator, also in worker threads
      case '--mode': {
        const m = val();
        if (m !== 'mmu-off' && m !== 'mmu-on' && m !== 'mte' && m !== 'fp' && m !== 'both') throw new Error(`--mode: ${m}\n${USAGE}`);
        o.mode = m;
        break;
      }
      case '--help': case '-h': throw new Error(USAGE);
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  return o;
}

export function formatMismatch(m: Mismatch, keep?: readonly number[]): string {
  const out: string[] = [];
  out.push(`MISMATCH seed ${m.seed} sequence ${m.index} mode ${m.mode}  (repro: pnpm fuzz --repro ${m.seed}:${m.index}:${m.mode})`);
  out.push(`  classes: ${m.classes.join(', ')}`);
  if (keep) out.push(`  minimised to items ${keep.join(', ')}`);
  out.push('  code:');
  for (const l of disassemble(m.words)) out.push(`    ${l}`);
  out.push('  only on QEMU:');
  for (const l of m.qemu) out.push(`    ${l}`);
  out.push('  only on vmm-lite:');
  for (const l of m.vmm) out.push(`    ${l}`);
  return out.join('\n');
}

function batches(o: Options): BatchSpec[] {
  const specs: BatchSpec[] = [];
  let b = 0;
  for (let start = 0; start < o.count; start += o.perBinary, b++) {
    const mode: Mode = o.mode === 'both' ? (b % 2 === 0 ? 'mmu-off' : 'mmu-on') : o.mode;
    specs.push({ seed: o.seed, start, count: Math.min(o.perBinary, o.count - start), mode });
  }
  return specs;
}

async function repro(spec: string): Promise<number> {
  const [s, i, m] = spec.split(':');
  const mode = (m ?? 'mmu-off') as Mode;
  const seq = makeSequence(Number(s) >>> 0, Number(i), mode);
  const words = layout(seq);
  console.log(`sequence ${i} of seed ${s}, ${mode}: ${seq.items.map((it) => it.cls).join(', ')}`);
  for (const l of disassemble(words)) console.log(`  ${l}`);
  const r = await runSingle(seq, mode);
  const q = splitBlocks(r.qemu).blocks.get(0) ?? [];
  const v = splitBlocks(r.vmm).blocks.get(0) ?? [];
  for (let k = 0; k < Math.max(q.length, v.length); k++) {
    const same = q[k] === v[k];
    console.log(`${same ? ' ' : '!'} ${(q[k] ?? '').padEnd(48)} ${same ? '' : v[k] ?? ''}`);
  }
  return r.qemu === r.vmm ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  let o: Options;
  try {
    o = parseArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (o.decoder > 0) return decoderRun(o.seed, o.decoder);
  const q = qemuStatus();
  if (!q.usable) {
    console.error(`fuzz: ${q.reason}; QEMU 10 is the oracle (see fuzz/README.md)`);
    return 2;
  }
  if (o.repro) return repro(o.repro);

  const specs = batches(o);
  console.log(`fuzz: seed ${o.seed}, ${o.count} sequences in ${specs.length} binaries of <= ${o.perBinary}, mode ${o.mode}, ${o.jobs} job(s), QEMU ${q.version} -cpu ${o.mode === 'both' ? QEMU_CPU : qemuCpu(o.mode) + (o.mode === 'mte' ? ' (-M virt,mte=on)' : '')}`);
  const t0 = Date.now();
  let sequences = 0;
  let instructions = 0;
  const mismatches: Mismatch[] = [];
  const problems: string[] = [];
  let reported = 0;

  const onResult = async (r: BatchResult): Promise<void> => {
    sequences += r.sequences;
    instructions += r.instructions;
    for (const p of r.problems) problems.push(`batch ${r.spec.start}..${r.spec.start + r.spec.count - 1} (${r.spec.mode}): ${p}`);
    for (const m of r.mismatches) {
      mismatches.push(m);
      if (reported++ < o.maxReport) {
        let keep: number[] | undefined;
        if (o.minimise) keep = await minimise(makeSequence(m.seed, m.index, m.mode), m.mode);
        const shown = keep ? { ...m, words: layout(makeSequence(m.seed, m.index, m.mode), keep) } : m;
        if (keep) {
          const seq = makeSequence(m.seed, m.index, m.mode);
          const rr = await runSingle(seq, m.mode, keep);
          const qb = splitBlocks(rr.qemu).blocks.get(0) ?? [];
          const vb = splitBlocks(rr.vmm).blocks.get(0) ?? [];
          ({ onlyA: shown.qemu, onlyB: shown.vmm } = lineDiff(qb, vb));
          shown.classes = keep.map((k) => seq.items[k]!.cls);
        }
        console.log(formatMismatch(shown, keep));
      }
    }
    const secs = (Date.now() - t0) / 1000;
    console.log(`  [${r.spec.mode} ${r.spec.start}..${r.spec.start + r.spec.count - 1}] ${sequences}/${o.count} sequences, ${mismatches.length} mismatches, ${secs.toFixed(0)} s (QEMU ${r.qemuMs} ms, vmm-lite ${r.vmmMs} ms)`);
  };

  if (o.jobs === 1) {
    for (const s of specs) await onResult(await runBatch(s));
  } else {
    await runPool(specs, o.jobs, onResult);
  }
  const secs = (Date.now() - t0) / 1000;
  for (const p of problems) console.log(`PROBLEM ${p}`);
  console.log(`fuzz: ${sequences} sequences, ${instructions} instructions, ${mismatches.length} mismatching sequences, ${problems.length} problems, ${secs.toFixed(1)} s`);
  return mismatches.length || problems.length ? 1 : 0;
}

/** The decoder-robustness property at scale, in chunks of 1M words with progress. */
function decoderRun(seed: number, words: number): number {
  const t0 = Date.now();
  let failures = 0;
  let executed = 0;
  let exceptions = 0;
  let other = 0;
  const CHUNK = 1_000_000;
  for (let done = 0, chunk = 0; done < words; done += CHUNK, chunk++) {
    const n = Math.min(CHUNK, words - done);
    const r = checkDecoder((seed + chunk * 0x9e3779b9) >>> 0, n, 20, chunk % 2 === 0 ? 3 : 0);
    executed += r.executed;
    exceptions += r.exceptions;
    other += r.otherStops;
    for (const f of r.failures) console.log(`FAIL ${f.word.toString(16).padStart(8, '0')}: ${f.problem}`);
    failures += r.failures.length;
    console.log(`  decoder: ${done + n}/${words} words, ${failures} failures, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`decoder: ${words} words (MTE level 3 and 0 alternating per million): ${executed} executed, ${exceptions} exceptions, ${other} other stops, ${failures} failures, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failures ? 1 : 0;
}

async function runPool(specs: BatchSpec[], jobs: number, onResult: (r: BatchResult) => Promise<void>): Promise<void> {
  let next = 0;
  let chain = Promise.resolve();
  const workers = Array.from({ length: Math.min(jobs, specs.length) }, () => new Worker(new URL(import.meta.url), { workerData: { fuzzWorker: true } }));
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const feed = (): void => {
            if (next >= specs.length) {
              void w.terminate();
              resolve();
              return;
            }
            w.postMessage(specs[next++]);
          };
          w.on('message', (r: BatchResult) => {
            chain = chain.then(() => onResult(r));
            feed();
          });
          w.on('error', reject);
          feed();
        }),
    ),
  );
  await chain;
}

if (!isMainThread && (workerData as { fuzzWorker?: boolean } | null)?.fuzzWorker) {
  parentPort!.on('message', (spec: BatchSpec) => {
    void runBatch(spec).then((r) => parentPort!.postMessage(r));
  });
}
