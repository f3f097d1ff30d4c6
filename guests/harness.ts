// Shared by the guest tests: where the guests are, how to run one on QEMU 10 and on vmm-lite.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const GUESTS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const ROOT = join(GUESTS_DIR, '..');
export const BIN_DIR = join(GUESTS_DIR, 'bin');
export const EXPECTED_DIR = join(GUESTS_DIR, 'expected');
export const BUILD_SCRIPT = join(ROOT, 'scripts', 'build-guests.mjs');

/** The command QEMU runs every guest with (oracle.md), minus `-kernel FILE`. */
export const QEMU = process.env.GUEST_QEMU ?? 'qemu-system-aarch64';
export const QEMU_ARGS = ['-M', 'virt,mte=on', '-cpu', 'max', '-m', '256', '-nographic', '-nic', 'none', '-no-reboot'];
export const CC = process.env.GUEST_CC ?? 'aarch64-linux-gnu-gcc';

/** A guest's machine beyond the default (guests/machines.json): its vCPUs and GIC version. */
export interface GuestMachine {
  readonly smp: number;
  readonly gicVersion: 2 | 3;
}

/** The machine guest `name` needs, or undefined for the default (one vCPU; each emulator's default GIC). */
export function guestMachine(name: string): GuestMachine | undefined {
  const all = JSON.parse(readFileSync(join(GUESTS_DIR, 'machines.json'), 'utf8')) as Record<string, GuestMachine>;
  return all[name];
}

/** QEMU's command line for `machine`: QEMU_ARGS with -smp and the GIC version where the guest asks for them. */
export function qemuArgs(machine: GuestMachine | undefined): string[] {
  if (machine === undefined) return QEMU_ARGS;
  return [...QEMU_ARGS.map((a) => (a === 'virt,mte=on' ? `virt,mte=on,gic-version=${machine.gicVersion}` : a)), '-smp', String(machine.smp)];
}

/** The guest memory size the oracle uses (-m 256); the dabort guest relies on where RAM ends. */
export const GUEST_RAM_BYTES = 256 * 1024 * 1024;

/**
 * Benchmark guests (guests/bin/bench-*.elf, run by `pnpm bench`): built and rebuilt like every guest, but not run
 * by the oracle test, because they run hundreds of millions of instructions. `pnpm bench` checks their output
 * against QEMU and guests/expected instead.
 */
export const isBenchGuest = (name: string): boolean => name.startsWith('bench-');

/** Names of the committed guests (guests/bin/<name>.elf), sorted. */
export function guestNames(): string[] {
  if (!existsSync(BIN_DIR)) return [];
  return readdirSync(BIN_DIR)
    .filter((f) => f.endsWith('.elf'))
    .map((f) => f.slice(0, -'.elf'.length))
    .sort();
}

export function readGuest(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(BIN_DIR, `${name}.elf`)));
}

export function readExpected(name: string): Uint8Array | null {
  const p = join(EXPECTED_DIR, `${name}.txt`);
  return existsSync(p) ? new Uint8Array(readFileSync(p)) : null;
}

/** The first line of `cmd --version`, or null when cmd cannot run. */
export function versionLine(cmd: string): string | null {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return null;
  return r.stdout.split('\n')[0]?.trim() ?? null;
}

export interface QemuStatus {
  usable: boolean;
  version: string | null;
  reason: string;
}

/** Whether QEMU can be the oracle here: installed, and version 10.x (7.2 gets MTE tags wrong: QEMU issue 1416). */
export function qemuStatus(): QemuStatus {
  const line = versionLine(QEMU);
  if (!line) return { usable: false, version: null, reason: `${QEMU} is not installed` };
  const m = /version (\d+)\.(\d+)\.(\d+)/.exec(line);
  const version = m ? `${m[1]}.${m[2]}.${m[3]}` : null;
  if (!m || m[1] !== '10') {
    return { usable: false, version, reason: `${QEMU} is version ${version ?? '?'}, not 10.x (see oracle.md: 7.2 is wrong for MTE)` };
  }
  return { usable: true, version, reason: '' };
}

export interface QemuRun {
  serial: Uint8Array;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stderr: string;
}

/** Runs one guest ELF on QEMU with the oracle command line (and the machine guests/machines.json gives it). */
export function runQemu(elf: string, timeoutMs = 30_000): Promise<QemuRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      QEMU,
      [...qemuArgs(guestMachine(basename(elf, '.elf'))), '-kernel', elf],
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
        if (e && typeof e.code === 'string') return reject(e); // could not start
        resolve({
          serial: new Uint8Array(stdout),
          exitCode: child.exitCode,
          signal: child.signalCode,
          timedOut: Boolean(e?.killed),
          stderr: stderr.toString('utf8'),
        });
      },
    );
    child.stdin?.end();
  });
}

/** vmm-lite's runVirt (a type-only import: erased at run time, so a broken vmm-lite cannot stop the QEMU checks). */
export type RunVirt = typeof import('@kvm-mte/vmm-lite').runVirt;
export type RunVirtResult = Awaited<ReturnType<RunVirt>>;

// Loaded at run time, so a missing or broken vmm-lite fails only the vmm-lite tests.
const VMM_LITE = '@kvm-mte/vmm-lite';

/** vmm-lite's runVirt, or an explanation of why it cannot be loaded. */
export async function loadRunVirt(): Promise<{ runVirt: RunVirt | null; reason: string }> {
  try {
    const mod = (await import(VMM_LITE)) as Record<string, unknown>;
    if (typeof mod.runVirt !== 'function') return { runVirt: null, reason: '@kvm-mte/vmm-lite does not export runVirt' };
    return { runVirt: mod.runVirt as RunVirt, reason: '' };
  } catch (e) {
    return { runVirt: null, reason: `@kvm-mte/vmm-lite cannot be loaded: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** A guest that runs away stops here instead of hanging the test run. */
export const MAX_INSTRUCTIONS = 50_000_000;
/** The same limit for the benchmark guests (the longest runs about 400 M instructions). */
export const BENCH_MAX_INSTRUCTIONS = 1_000_000_000;

/** Runs one guest on vmm-lite with the oracle's machine configuration (and `machine`'s vCPUs and GIC). */
export function runOnVmmLite(runVirt: RunVirt, kernel: Uint8Array, maxInstructions = MAX_INSTRUCTIONS,
  engine: EngineOptions = {}, machine?: GuestMachine, clock?: 'host' | 'deterministic'): Promise<RunVirtResult> {
  return runVirt({
    kernel, memory: GUEST_RAM_BYTES, mte: true, maxInstructions, ...engine,
    ...(machine && { smp: machine.smp, gic: machine.gicVersion === 2 ? 'v2' as const : 'v3' as const }),
    ...(clock && { clock }),
  });
}

/** vmm-lite's execution engine options (runVirt's `translate`, `wasm`, `wasmHotRuns`). */
export interface EngineOptions {
  readonly translate?: boolean;
  readonly wasm?: boolean;
  readonly wasmHotRuns?: number;
}

/**
 * The engines every oracle guest is also run under (the default, handler blocks with hot blocks compiled to
 * WebAssembly after 256 runs (HOT_RUNS), is the main group): the reference interpreter, handler blocks alone (a host
 * without WebAssembly), and every block compiled to WebAssembly before it first runs.
 */
export const ENGINES: ReadonlyArray<{ readonly name: string; readonly options: EngineOptions }> = [
  { name: 'interpreter (translate: false)', options: { translate: false } },
  { name: 'handler blocks (wasm: false)', options: { wasm: false } },
  { name: 'WebAssembly from the first run (wasmHotRuns: 0)', options: { wasmHotRuns: 0 } },
];

/** Serial output as text for readable diffs (latin1: every byte maps to one character, so equality is exact). */
export const asText = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
