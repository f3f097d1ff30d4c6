/**
 * One batch: generate sequences [start, start + count) of a run seed, build one ELF, run it on QEMU and on vmm-lite,
 * compare the outputs sequence by sequence.
 */
import { buildBinary, type Mode, type SeqCode } from './harness.js';
import { generateSequence, layout, type Sequence } from './generator.js';
import { compareOutputs, runQemu, runVmmLite, type SeqDiff } from './oracle.js';

/** Mixed into the sequence seeds so that the modes' sequences differ. */
const MODE_SALT: Record<Mode, number> = { 'mmu-off': 0, 'mmu-on': 0x5bd1e995, mte: 0x27d4eb2f, fp: 0x165667b1 };

/** The seed of sequence `index` of a run with seed `seed` (independent of how sequences are batched). */
export function sequenceSeed(seed: number, index: number, mode: Mode): number {
  let h = (seed >>> 0) ^ Math.imul(index + 1, 0x9e3779b1) ^ (MODE_SALT[mode]);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export function makeSequence(seed: number, index: number, mode: Mode): Sequence {
  return generateSequence(sequenceSeed(seed, index, mode), { mode });
}

export interface BatchSpec {
  seed: number;
  start: number;
  count: number;
  mode: Mode;
  qemuTimeoutMs?: number;
  /** vmm-lite's WebAssembly tier threshold for this batch (0: every block WebAssembly before it first runs), instead
   * of KVM_MTE_WASM_HOT. */
  wasmHotRuns?: number;
  /**
   * vmm-lite runs every block as a handler block that records and runs its fast interpreter program from its first
   * run (no WebAssembly, fastAfterRuns 1), instead of the environment's engine: the sequences, which run once each,
   * then test the fast interpreter rather than the BigInt handlers.
   */
  fastInterpreter?: boolean;
}

export interface Mismatch {
  seed: number;
  index: number;
  mode: Mode;
  words: number[];
  classes: string[];
  qemu: string[];
  vmm: string[];
}

export interface BatchResult {
  spec: BatchSpec;
  sequences: number;
  instructions: number;
  mismatches: Mismatch[];
  /** Whole-run problems: a side that did not power off cleanly, harness errors. */
  problems: string[];
  qemuMs: number;
  vmmMs: number;
}

export async function runBatch(spec: BatchSpec): Promise<BatchResult> {
  const seqs: Sequence[] = [];
  const codes: SeqCode[] = [];
  let instructions = 0;
  for (let i = 0; i < spec.count; i++) {
    const s = makeSequence(spec.seed, spec.start + i, spec.mode);
    const words = layout(s);
    instructions += words.length;
    seqs.push(s);
    codes.push({ words, init: s.init });
  }
  const { elf } = buildBinary(codes, spec.mode);
  const t0 = Date.now();
  let qemuMs = 0;
  const qp = runQemu(elf, spec.qemuTimeoutMs, spec.mode).then((r) => ((qemuMs = Date.now() - t0), r));
  const v = await runVmmLite(elf, undefined, spec.mode === 'mte', {
    ...(spec.wasmHotRuns !== undefined && { wasmHotRuns: spec.wasmHotRuns }),
    ...(spec.fastInterpreter === true && { wasm: false, fastAfterRuns: 1 }),
  });
  const vmmMs = Date.now() - t0;
  const q = await qp;
  const problems: string[] = [];
  if (!q.ok) problems.push(q.detail);
  if (!v.ok) problems.push(v.detail);
  for (const [name, text] of [['QEMU', q.text], ['vmm-lite', v.text]] as const) {
    if (text.includes('!HARNESS')) problems.push(`${name}: ${text.slice(text.indexOf('!HARNESS')).split('\n')[0]}`);
    if (!text.endsWith('DONE\n')) problems.push(`${name}: output does not end with DONE`);
  }
  const mismatches = compareOutputs(q.text, v.text, spec.count).map((d: SeqDiff) => ({
    seed: spec.seed,
    index: spec.start + d.index,
    mode: spec.mode,
    words: codes[d.index]!.words as number[],
    classes: seqs[d.index]!.items.map((it) => it.cls),
    qemu: d.qemu,
    vmm: d.vmm,
  }));
  return { spec, sequences: spec.count, instructions, mismatches, problems, qemuMs, vmmMs };
}

/** Run one sequence (optionally a subset of its items) alone; returns the two outputs. */
export async function runSingle(seq: Sequence, mode: Mode, keep?: readonly number[]): Promise<{ qemu: string; vmm: string }> {
  const { elf } = buildBinary([{ words: layout(seq, keep), init: seq.init }], mode);
  const [q, v] = await Promise.all([runQemu(elf, undefined, mode), runVmmLite(elf, undefined, mode === 'mte')]);
  return { qemu: q.text, vmm: v.text };
}

/**
 * Shrink a failing sequence: drop items one at a time (last first) while the two sides still differ.
 * Returns the kept item indices.
 */
export async function minimise(seq: Sequence, mode: Mode, log?: (msg: string) => void): Promise<number[]> {
  let keep = seq.items.map((_, i) => i);
  const differs = async (k: number[]): Promise<boolean> => {
    const r = await runSingle(seq, mode, k);
    return r.qemu !== r.vmm;
  };
  if (!(await differs(keep))) return keep;
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = keep.length - 1; i >= 0; i--) {
      const trial = keep.filter((_, k) => k !== i);
      if (await differs(trial)) {
        keep = trial;
        changed = true;
        log?.(`minimise: ${keep.length} items left`);
      }
    }
  }
  return keep;
}
