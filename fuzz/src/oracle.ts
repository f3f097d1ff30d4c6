/**
 * Running a fuzz binary on both sides: QEMU 10 (a child process) and vmm-lite (in process, runVirt), and splitting
 * the serial output into per-sequence blocks for comparison.
 *
 * The oracle CPU is QEMU's `neoverse-n1` (see README.md, "The oracle CPU"): unlike `-cpu max` it has no FEAT_LSE2
 * (which would let unaligned exclusives, atomics and load-acquire/store-release inside 16 bytes succeed on Normal
 * memory), no pointer authentication (the PAC hints are NOPs, as in our model), no BTI, no FlagM, no MTE. It has no
 * MTE, so QEMU runs without `mte=on` and vmm-lite with `mte: false`: MTE instructions are UNDEFINED on both.
 * MTE mode is the exception: `-M virt,mte=on -cpu max` and `mte: true`; FP mode runs `-M virt -cpu max` (see
 * `qemuArgs`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mode } from './harness.js';

export const QEMU = process.env.FUZZ_QEMU ?? process.env.GUEST_QEMU ?? 'qemu-system-aarch64';
export const QEMU_CPU = process.env.FUZZ_QEMU_CPU ?? 'neoverse-n1';
export const RAM_BYTES = 256 * 1024 * 1024;

/**
 * The QEMU CPU of a mode: `neoverse-n1` (MMU off/on), `max` in MTE mode (the only QEMU CPUs with MTE also have
 * FEAT_LSE2, FlagM, PAuth, CSSC...) and in FP mode (FP16, DotProd, RDM, I8MM, BF16, FCMA, JSCVT, FRINTTS, SHA3 and
 * SHA512 together are in no named CPU). In both the generator keeps to what both sides agree on (README.md).
 * `FUZZ_QEMU_CPU` overrides it.
 */
export function qemuCpu(mode: Mode): string {
  return mode === 'mte' || mode === 'fp' ? process.env.FUZZ_QEMU_CPU ?? 'max' : QEMU_CPU;
}

/** QEMU's command line for a fuzz ELF in `mode` (MTE mode: `-M virt,mte=on`). */
export function qemuArgs(elf: string, mode: Mode = 'mmu-off'): string[] {
  const machine = ['-M', mode === 'mte' ? 'virt,mte=on' : 'virt', '-cpu', qemuCpu(mode)];
  return [...machine, '-m', '256', '-nographic', '-nic', 'none', '-no-reboot', '-kernel', elf];
}

export interface QemuStatus {
  usable: boolean;
  version: string | null;
  reason: string;
}

/** Whether QEMU 10 is installed (7.2 differs from the architecture in ways the fuzzer would report). */
export function qemuStatus(): QemuStatus {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { usable: false, version: null, reason: `${QEMU} is not installed` };
  const m = /version (\d+)\.(\d+)\.(\d+)/.exec(r.stdout);
  const version = m ? `${m[1]}.${m[2]}.${m[3]}` : null;
  if (!m || m[1] !== '10') return { usable: false, version, reason: `${QEMU} is version ${version ?? '?'}, not 10.x` };
  return { usable: true, version, reason: '' };
}

export interface SideResult {
  text: string;
  ok: boolean;
  detail: string;
}

/**
 * Runs an ELF on QEMU. Its stdout goes to a file, not a pipe: vmm-lite runs in this thread at the same time and would
 * not drain a pipe, and QEMU would block on a full one.
 */
export function runQemu(elf: Uint8Array, timeoutMs = 120_000, mode: Mode = 'mmu-off'): Promise<SideResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kvm-mte-fuzz-'));
  const file = join(dir, 'fuzz.elf');
  const outFile = join(dir, 'serial.txt');
  writeFileSync(file, elf);
  const out = openSync(outFile, 'w');
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(QEMU, qemuArgs(file, mode), { stdio: ['ignore', out, 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    let done = false;
    const finish = (code: number | null, err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      closeSync(out);
      const text = readFileSync(outFile).toString('latin1');
      rmSync(dir, { recursive: true, force: true });
      const ok = !err && !timedOut && code === 0;
      const detail = `QEMU exit ${code}${timedOut ? ' (timed out)' : ''}${err ? ` ${err.message}` : ''}${stderr ? `; stderr: ${stderr.trim()}` : ''}`;
      resolve({ text, ok, detail });
    };
    child.on('error', (e) => finish(null, e));
    child.on('close', (code) => finish(code));
  });
}

/** The CPU engine options runVmmLite passes to runVirt. */
export interface Engine {
  translate: boolean;
  wasm: boolean;
  wasmHotRuns?: number;
  fastAfterRuns?: number;
}

/**
 * How vmm-lite executes the fuzz binaries, from the environment: KVM_MTE_JIT=0 interprets, KVM_MTE_WASM=0 runs
 * every block as a handler block (no WebAssembly), KVM_MTE_WASM_HOT=N makes blocks WebAssembly after N runs (0:
 * before the first, so the sequences, which run once each, test the WebAssembly tier), KVM_MTE_FAST_AFTER=N makes a
 * handler block record and run its fast interpreter program from its Nth run (1: the first, so that with
 * KVM_MTE_WASM=0 the sequences test the fast interpreter; by default they run through the BigInt handlers).
 */
function engineFromEnv(): Engine {
  const env = process.env;
  const hot = env.KVM_MTE_WASM_HOT;
  const fast = env.KVM_MTE_FAST_AFTER;
  return {
    translate: env.KVM_MTE_JIT !== '0', wasm: env.KVM_MTE_WASM !== '0',
    ...(hot !== undefined && hot !== '' && { wasmHotRuns: Number(hot) }),
    ...(fast !== undefined && fast !== '' && { fastAfterRuns: Number(fast) }),
  };
}

type RunVirt = typeof import('@kvm-mte/vmm-lite').runVirt;
let runVirtFn: RunVirt | null = null;

/** Run `elf` on vmm-lite with the environment's engine (engineFromEnv), `overrides` replacing parts of it. */
export async function runVmmLite(elf: Uint8Array, maxInstructions = 2_000_000_000, mte = false,
  overrides: Partial<Engine> = {}): Promise<SideResult> {
  if (!runVirtFn) runVirtFn = (await import('@kvm-mte/vmm-lite')).runVirt;
  const engine = { ...engineFromEnv(), ...overrides };
  const r = await runVirtFn({ kernel: elf, memory: RAM_BYTES, mte, maxInstructions, ...engine });
  const text = Buffer.from(r.serial).toString('latin1');
  return {
    text,
    ok: r.outcome === 'shutdown',
    detail: `vmm-lite outcome ${r.outcome} after ${r.instructions} instructions${r.message ? `: ${r.message}` : ''}`,
  };
}

/** Serial output split at the `#<index>` headers: blocks[i] is sequence i's lines (without the header). */
export function splitBlocks(text: string): { blocks: Map<number, string[]>; trailer: string[] } {
  const blocks = new Map<number, string[]>();
  let cur: string[] | null = null;
  const trailer: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^#([0-9a-f]{4})$/.exec(line);
    if (m) {
      cur = [];
      blocks.set(parseInt(m[1]!, 16), cur);
    } else if (cur) {
      cur.push(line);
    } else if (line) {
      trailer.push(line);
    }
  }
  return { blocks, trailer };
}

export interface SeqDiff {
  index: number;
  qemu: string[];
  vmm: string[];
}

/** Per-sequence differences (lines that differ, with their position) between two outputs. */
export function compareOutputs(qemu: string, vmm: string, count: number): SeqDiff[] {
  const q = splitBlocks(qemu).blocks;
  const v = splitBlocks(vmm).blocks;
  const diffs: SeqDiff[] = [];
  for (let i = 0; i < count; i++) {
    const ql = q.get(i) ?? ['<missing>'];
    const vl = v.get(i) ?? ['<missing>'];
    if (ql.join('\n') === vl.join('\n')) continue;
    const { onlyA: qd, onlyB: vd } = lineDiff(ql, vl);
    diffs.push({ index: i, qemu: qd, vmm: vd });
  }
  return diffs;
}

/** Lines only in a and only in b (longest common subsequence), each keeping its order. */
export function lineDiff(a: readonly string[], b: readonly string[]): { onlyA: string[]; onlyB: string[] } {
  const n = a.length;
  const m = b.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = a[i] === b[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) { i++; j++; }
    else if (L[i + 1]![j]! >= L[i]![j + 1]!) onlyA.push(a[i++]!);
    else onlyB.push(b[j++]!);
  }
  while (i < n) onlyA.push(a[i++]!);
  while (j < m) onlyB.push(b[j++]!);
  return { onlyA, onlyB };
}
