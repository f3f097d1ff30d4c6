/**
 * The snapshot side of the command line: `run`/`snapshot` with --snapshot-out and --stop-after, `restore`,
 * `inspect`, and the machine options --policy, --mem-backend, --prot-mte, --tags-via, --json. cli-core.ts parses
 * the common options and hands these commands here.
 */
import { KvmError } from '@kvm-mte/kvm-core';
import { VmmError } from './errors.js';
import { VirtMachine, type RunResult, type VirtMachineOptions } from './machine.js';
import { runWithInput } from './run.js';
import type { StdinLike } from './serial-input.js';
import type { ClockMode } from './clock.js';
import {
  decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot, tagStats, policyByName, type DecodedSnapshot,
  type Progress, type SnapshotSizes,
} from './snapshot.js';
import {
  MEM_BACKENDS, POLICY_NAMES, sha256Hex, SnapshotError, type MemBackend, type PolicyName, type TagsVia,
} from './snapshot-format.js';
import { OUTPUT_ERROR_STATUS, OutputFileError, writeOutputFile } from './output-file.js';
import { formatSize } from './size.js';
import { openDrive, restoreDrive, type DriveArg } from './drive-option.js';
import type { BlockDisk } from './virtio-blk-disk.js';
import type { VirtioMmioVersion } from './virtio-device.js';
import { openConsoleOutput, type ConsoleArg, type ConsoleOutput } from './virtio-console-option.js';
import { writeSnapshotFile, type SnapshotSource } from './snapshot-source.js';

export interface SnapshotCliOptions {
  policy?: PolicyName;
  memBackend?: MemBackend;
  protMte?: boolean;
  stopAfter?: number;
  snapshotOut?: string;
  /** restore / inspect: the snapshot to read. */
  snapshot?: string;
  tagsVia?: TagsVia;
  json: boolean;
}

/** The option names this file adds to cli-core's parseArgs table. */
export const SNAPSHOT_OPTIONS = {
  policy: { type: 'string' },
  'mem-backend': { type: 'string' },
  'prot-mte': { type: 'boolean' },
  'no-prot-mte': { type: 'boolean' },
  'stop-after': { type: 'string' },
  'snapshot-out': { type: 'string' },
  snapshot: { type: 'string' },
  'tags-via': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const SNAPSHOT_COMMANDS = ['snapshot', 'restore', 'inspect'] as const;

type Values = Record<string, string | boolean | undefined>;
type Token = { kind: string; name?: string };

/** The snapshot options present on the command line, or undefined when none is (plain `run` stays as it was). */
export function parseSnapshotOptions(values: Values, tokens: readonly Token[], parseCount: (name: string, text: string) => number): SnapshotCliOptions | undefined {
  const present = Object.keys(SNAPSHOT_OPTIONS).some((k) => values[k] !== undefined);
  if (!present) return undefined;
  const o: SnapshotCliOptions = { json: values.json === true };
  const str = (k: string): string | undefined => values[k] as string | undefined;
  const policy = str('policy');
  if (policy !== undefined) {
    if (!(POLICY_NAMES as readonly string[]).includes(policy)) throw new VmmError(`invalid --policy '${policy}': expected one of ${POLICY_NAMES.join(', ')}`);
    o.policy = policy as PolicyName;
  }
  const backend = str('mem-backend');
  if (backend !== undefined) {
    if (!(MEM_BACKENDS as readonly string[]).includes(backend)) throw new VmmError(`invalid --mem-backend '${backend}': expected anonymous or shared`);
    o.memBackend = backend as MemBackend;
  }
  for (const t of tokens) {
    if (t.kind === 'option' && t.name === 'prot-mte') o.protMte = true;
    if (t.kind === 'option' && t.name === 'no-prot-mte') o.protMte = false;
  }
  const via = str('tags-via');
  if (via !== undefined) {
    if (via !== 'copy-tags' && via !== 'mapping') throw new VmmError(`invalid --tags-via '${via}': expected copy-tags or mapping`);
    o.tagsVia = via;
  }
  if (str('stop-after') !== undefined) o.stopAfter = parseCount('stop-after', str('stop-after')!);
  for (const k of ['snapshot-out', 'snapshot'] as const) {
    const v = str(k);
    if (v === '') throw new VmmError(`--${k} needs a file name`);
  }
  if (str('snapshot-out') !== undefined) o.snapshotOut = str('snapshot-out')!;
  if (str('snapshot') !== undefined) o.snapshot = str('snapshot')!;
  return o;
}

/** What the snapshot commands need from the process. */
export interface SnapshotIo {
  stdout(bytes: Uint8Array): void;
  stderr(text: string): void;
  readFile(what: string, path: string): Uint8Array;
  /** Open a snapshot to read by position (files of any size); without it, snapshots are read with readFile. */
  openFile?(what: string, path: string): SnapshotSource & { close(): void };
  writeFile?(path: string, bytes: Uint8Array): void;
  /** stderr is a terminal: show progress. */
  isTTY?: boolean;
  /**
   * Input for the guest (process.stdin for the real program): the UART's, or the virtio-console's with
   * `--virtio-console stdio`, as for `vmm-lite run` (run.ts runWithInput: a live stream's Ctrl-A x stops the run).
   */
  input?: Uint8Array | StdinLike;
  /**
   * Install the stop-request triggers (SIGUSR1, SIGQUIT): call `request` when one fires. Returns the uninstaller.
   * (Ctrl-\ typed on a terminal attached in raw mode is no signal: runWithSnapshots reads it as the same request.)
   */
  onStopRequest?(request: () => void): () => void;
}

export interface MachineArgs {
  kernel?: string;
  memory?: number;
  append?: string;
  initrd?: string;
  mte?: boolean;
  smp?: number;
  /** --gic (run, snapshot): the interrupt controller; a restore takes it from the snapshot. */
  gic?: 'v2' | 'v3';
  /** --pmu / --no-pmu (run, snapshot): a PMUv3 on every vCPU; a restore takes it from the snapshot. */
  pmu?: boolean;
  maxInstructions?: number;
  /** --code-cache: the translated-code cache budget in bytes. */
  codeCache?: number;
  /**
   * From the environment (cpuOptionsFromEnv): KVM_MTE_JIT=0 interprets, KVM_MTE_WASM=0 keeps every block a handler
   * block (never WebAssembly).
   */
  translate?: boolean;
  wasm?: boolean;
  /** --clock: the VM clock the PL031 RTC counts. */
  clock?: ClockMode;
  /** --drive FILE[,ro]: the virtio-blk disk (restore: instead of the file the snapshot names). */
  drive?: DriveArg;
  /** --virtio-mmio (run, snapshot): the transports' interface; a restore takes it from the snapshot. */
  virtioMmio?: VirtioMmioVersion;
  /** --virtio-rng (run, snapshot): a virtio-rng; a restore takes it from the snapshot. */
  virtioRng?: boolean;
  /**
   * --virtio-console: a virtio-console and where its output goes (restore: default stdout); given as `stdio`, the
   * input goes to it instead of the UART.
   */
  virtioConsole?: ConsoleArg;
}

function progressFor(io: SnapshotIo): Progress | undefined {
  if (io.isTTY !== true) return undefined;
  let last = -1;
  return (what, done, total) => {
    const pct = total === 0 ? 100 : Math.floor((done * 100) / total);
    if (pct === last) return;
    last = pct;
    io.stderr(`\rvmm-lite: ${what} ${pct}%${pct === 100 ? '\n' : ''}`);
  };
}

function sizesLine(s: SnapshotSizes, path: string): string {
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(2)}%`);
  return `vmm-lite: snapshot written to '${path}': ${s.file} bytes; memory ${s.memoryRaw} raw -> ${s.memoryStored} stored (${s.nonZeroPages} non-zero pages, ${pct(s.memoryStored, s.memoryRaw)}); `
    + `tags ${s.tagsRaw} raw -> ${s.tagsStored} stored (${s.taggedPages} tagged pages, ${pct(s.tagsStored, s.tagsRaw)})\n`;
}

/** kvm-core's refusal to build a machine (e.g. enforce-prot-mte without PROT_MTE: EINVAL) as a one-line error. */
export function machineRefused(e: KvmError, c: { policy: PolicyName; memBackend: MemBackend; protMte: boolean }): VmmError {
  return new VmmError(`cannot build the machine with --policy ${c.policy} --mem-backend ${c.memBackend} ${c.protMte ? '--prot-mte' : '--no-prot-mte'}: ${e.message}`);
}

/** The execution-engine options of MachineArgs, as VirtMachineOptions. */
function engineOptions(m: MachineArgs): Pick<VirtMachineOptions, 'codeCacheBytes' | 'translate' | 'wasm' | 'clock'> {
  return {
    ...(m.clock !== undefined && { clock: m.clock }),
    ...(m.codeCache !== undefined && { codeCacheBytes: m.codeCache }),
    ...(m.translate !== undefined && { translate: m.translate }),
    ...(m.wasm !== undefined && { wasm: m.wasm }),
  };
}

/** The machine, with kvm-core's refusals as one-line errors. */
function newMachine(o: VirtMachineOptions, c: { policy: PolicyName; memBackend: MemBackend; protMte: boolean }): VirtMachine {
  try {
    return new VirtMachine(o);
  } catch (e) {
    if (e instanceof KvmError) throw machineRefused(e, c);
    throw e;
  }
}

export interface RunSummary {
  command: string;
  outcome: RunResult['outcome'] | 'snapshot';
  instructions: number;
  status: number;
  message?: string;
  snapshot?: { path: string; sizes: SnapshotSizes; instructions: number };
}

/**
 * `run` with snapshot options, `snapshot`, `restore`: build (or restore) the machine, run it, and at the stop point
 * (--stop-after N instructions, SIGUSR1, Ctrl-\) save a snapshot to --snapshot-out. Returns the exit status.
 */
export async function runWithSnapshots(
  command: 'run' | 'snapshot' | 'restore', m: MachineArgs, s: SnapshotCliOptions, io: SnapshotIo,
  describe: (r: RunResult) => { status: number; message?: string },
): Promise<number> {
  if (command === 'snapshot' && s.snapshotOut === undefined) throw new VmmError('missing --snapshot-out FILE');
  if (s.stopAfter !== undefined && s.snapshotOut === undefined) throw new VmmError('--stop-after needs --snapshot-out FILE (to just stop, use --max-instructions)');
  const progress = progressFor(io);
  let machine: VirtMachine;
  let config: { policy: PolicyName; memBackend: MemBackend; protMte: boolean; kernelSha256: string };
  let base = 0;
  /** The virtio-blk disk, open until the run ends (the snapshot holds the device's state, not the disk). */
  let drive: BlockDisk | undefined;
  /** Where the virtio-console's output goes, open until the run ends. */
  let hvc: ConsoleOutput | undefined;
  const openHvc = (arg: ConsoleArg): { onOutput: (b: Uint8Array) => void } => {
    hvc = openConsoleOutput(arg, (b) => io.stdout(b));
    return { onOutput: hvc.write };
  };
  if (command === 'restore') {
    if (s.snapshot === undefined) throw new VmmError('missing --snapshot FILE');
    const file = io.openFile?.('snapshot', s.snapshot) ?? io.readFile('snapshot', s.snapshot);
    let snap: DecodedSnapshot;
    try {
      snap = decodeSnapshot(file);
      const kernelSha256 = m.kernel === undefined ? undefined : sha256Hex(io.readFile('kernel', m.kernel));
      const opts = restoreMachineOptions(snap, {
        ...(m.memory !== undefined && { memory: m.memory }), ...(m.smp !== undefined && { smp: m.smp }),
        ...(m.mte !== undefined && { mte: m.mte }), ...(s.policy !== undefined && { policy: s.policy }),
        ...(s.memBackend !== undefined && { memBackend: s.memBackend }), ...(s.protMte !== undefined && { protMte: s.protMte }),
        ...(kernelSha256 !== undefined && { kernelSha256 }),
      });
      if (m.virtioConsole !== undefined && opts.virtioConsole === undefined) throw new VmmError('--virtio-console: the snapshot has no virtio-console');
      drive = restoreDrive(snap, m.drive);
      machine = newMachine({
        ...opts, onSerial: (b) => io.stdout(b), ...engineOptions(m), ...(drive !== undefined && { drive }),
        ...(opts.virtioConsole !== undefined && { virtioConsole: openHvc(m.virtioConsole ?? { kind: 'stdio' }) }),
      }, opts);
      restoreSnapshot(machine, snap, { ...(s.tagsVia !== undefined && { tagsVia: s.tagsVia }), ...(progress !== undefined && { progress }) });
      config = { policy: opts.policy, memBackend: opts.memBackend, protMte: opts.protMte, kernelSha256: snap.header.kernelSha256 };
      base = snap.header.instructions;
      if (s.tagsVia === 'mapping' && machine.mte && !config.protMte && snap.tags.size > 0) {
        io.stderr(`vmm-lite: warning: tags were written through the VMM's mapping without PROT_MTE, which ignores them: the snapshot's tags (${snap.tags.size} tagged pages) are lost, the guest finds zero tags\n`);
      }
    } catch (e) {
      drive?.close();
      if (e instanceof SnapshotError) throw new VmmError(`cannot restore '${s.snapshot}': ${e.message}`);
      throw e;
    } finally {
      if (!(file instanceof Uint8Array)) file.close();
    }
  } else {
    if (m.kernel === undefined) throw new VmmError('missing --kernel FILE');
    const kernel = io.readFile('kernel', m.kernel);
    const initrd = m.initrd === undefined ? undefined : io.readFile('initrd', m.initrd);
    config = { policy: s.policy ?? 'mte-allowed', memBackend: s.memBackend ?? 'anonymous', protMte: s.protMte ?? false, kernelSha256: sha256Hex(kernel) };
    machine = newMachine({
      ...(m.memory !== undefined && { memory: m.memory }), ...(m.smp !== undefined && { smp: m.smp }),
      ...(m.mte !== undefined && { mte: m.mte }), ...(m.gic !== undefined && { gic: m.gic }),
      ...(m.pmu !== undefined && { pmu: m.pmu }), onSerial: (b) => io.stdout(b),
      ...engineOptions(m), ...(m.drive !== undefined && { drive: (drive = openDrive(m.drive)) }),
      ...(m.virtioMmio !== undefined && { virtioMmio: m.virtioMmio }), ...(m.virtioRng === true && { virtioRng: true }),
      ...(m.virtioConsole !== undefined && { virtioConsole: openHvc(m.virtioConsole) }),
      pagePolicy: policyByName(config.policy), memBackend: config.memBackend, protMte: config.protMte,
    }, config);
    machine.load({ kernel, ...(m.append !== undefined && { append: m.append }), ...(initrd !== undefined && { initrd }) });
  }

  // The drive stays open until the snapshot is written: saving it hashes the disk (snapshot.ts).
  try {
    let requested = false;
    const uninstall = s.snapshotOut === undefined ? undefined : io.onStopRequest?.(() => { requested = true; });
    let r: RunResult;
    let escaped: boolean;
    try {
      const limit = Math.min(s.stopAfter ?? Infinity, m.maxInstructions ?? Infinity);
      const toConsole = m.virtioConsole?.kind === 'stdio';
      ({ result: r, escaped } = await runWithInput(machine, {
        ...(io.input !== undefined && (toConsole ? { consoleInput: io.input } : { input: io.input })),
        ...(limit !== Infinity && { maxInstructions: limit }),
        shouldStop: () => requested,
        // (Ctrl-\ on a terminal in raw mode is a byte, not SIGQUIT: the same request.)
        ...(s.snapshotOut !== undefined && { onQuitKey: () => { requested = true; } }),
      }));
    } finally {
      uninstall?.();
    }
    hvc?.close();
    if (hvc?.error !== undefined) {
      // The guest's console output is incomplete: its own exit status, as for an output file.
      io.stderr(`vmm-lite: ${hvc.error}\n`);
      return OUTPUT_ERROR_STATUS;
    }
    const summary: RunSummary = { command, outcome: r.outcome, instructions: base + r.instructions, status: 0 };
    // (Ctrl-A x on the console leaves without a snapshot: SIGUSR1 and Ctrl-\ are the snapshot's triggers.)
    const atStop = s.snapshotOut !== undefined && ((r.outcome === 'stop-requested' && !escaped)
      || (r.outcome === 'instruction-limit' && s.stopAfter !== undefined && r.instructions >= s.stopAfter && (m.maxInstructions === undefined || s.stopAfter <= m.maxInstructions)));
    if (atStop) {
      const path = s.snapshotOut!;
      // The header counts the guest's whole history, across restores.
      const saved = saveSnapshot(machine, { config, tagsVia: s.tagsVia ?? 'copy-tags', instructionsBase: base, ...(progress !== undefined && { progress }) });
      try {
        writeOutputFile('snapshot', path, () => {
          if (io.writeFile !== undefined) io.writeFile(path, saved.file);
          else writeSnapshotFile(path, saved.parts); // in parts: the file may be larger than one buffer
        }, io.writeFile === undefined);
      } catch (e) {
        // The guest ran to the stop point; only the file is missing (e.g. the device is full): its own exit status.
        if (!(e instanceof OutputFileError)) throw e;
        summary.status = OUTPUT_ERROR_STATUS;
        summary.message = e.message;
        io.stderr(s.json ? `${JSON.stringify(summary)}\n` : `vmm-lite: ${e.message}\n`);
        return summary.status;
      }
      summary.outcome = 'snapshot';
      summary.snapshot = { path, sizes: saved.sizes, instructions: base + machine.instructions };
      if (s.tagsVia === 'mapping' && machine.mte && !config.protMte) {
        io.stderr('vmm-lite: warning: tags were read through the VMM\'s mapping without PROT_MTE, which reads as zero: the guest\'s tags are lost in this snapshot\n');
      }
      if (!s.json) io.stderr(sizesLine(saved.sizes, path));
    } else {
      const d = describe(r);
      summary.status = d.status;
      if (d.message !== undefined) summary.message = d.message;
      if (s.snapshotOut !== undefined && !s.json) io.stderr(`vmm-lite: no snapshot written: the run ended before the stop point\n`);
      if (d.message !== undefined && !s.json) io.stderr(`vmm-lite: ${d.message}\n`);
    }
    if (s.json) io.stderr(`${JSON.stringify(summary)}\n`);
    return summary.status;
  } finally {
    drive?.close();
    hvc?.close();
  }
}

const hex = (x: bigint): string => `0x${x.toString(16)}`;

const NAMED_REGS: [string, bigint][] = [
  ['PC', 0x6030_0000_0010_0040n], ['PSTATE', 0x6030_0000_0010_0042n],
  ['GCR_EL1', sys(3, 0, 1, 0, 6)], ['RGSR_EL1', sys(3, 0, 1, 0, 5)], ['TFSR_EL1', sys(3, 0, 5, 6, 0)], ['TFSRE0_EL1', sys(3, 0, 5, 6, 1)],
];

function sys(op0: number, op1: number, crn: number, crm: number, op2: number): bigint {
  return 0x6030_0000_0013_0000n | BigInt((op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2);
}

/** `inspect FILE`: metadata and tag statistics, as text or JSON, on stdout. */
export function inspectSnapshot(path: string, json: boolean, io: SnapshotIo): number {
  const file = io.openFile?.('snapshot', path) ?? io.readFile('snapshot', path);
  let snap: DecodedSnapshot;
  try {
    snap = decodeSnapshot(file);
  } catch (e) {
    if (e instanceof SnapshotError) throw new VmmError(`cannot inspect '${path}': ${e.message}`);
    throw e;
  } finally {
    if (!(file instanceof Uint8Array)) file.close();
  }
  const h = snap.header;
  const stats = tagStats(snap);
  const sections = snap.layout.sections.map((s) => ({ kind: s.kind.trimEnd(), index: s.index, offset: s.offset, length: s.length }));
  const vcpus = snap.vcpus.map((v) => {
    const regs = new Map(v.regs.map(([id, val]) => [id, val] as const));
    const named: Record<string, string> = {};
    for (const [name, id] of NAMED_REGS) if (regs.has(id)) named[name] = hex(regs.get(id)!);
    return { id: v.id, mpState: v.mpState === 0 ? 'runnable' : 'stopped', registers: v.regs.length, ...named };
  });
  const pages = h.memory / 4096;
  const out = {
    file: path, bytes: file instanceof Uint8Array ? file.length : file.size, formatVersion: 1, header: h, sections, vcpus,
    memory: { pages, nonZeroPages: snap.memory.size },
    tags: { taggedPages: stats.taggedPages, nonZeroTags: stats.nonZeroTags, histogram: stats.histogram },
  };
  let text: string;
  if (json) text = `${JSON.stringify(out)}\n`;
  else {
    const lines = [
      `snapshot ${path}: vmm-lite snapshot format 1, ${file instanceof Uint8Array ? file.length : file.size} bytes`,
      `machine: memory ${formatSize(h.memory)}, smp ${h.smp}, mte ${h.mte ? 'on' : 'off'}, policy ${h.policy}, backend ${h.memBackend}, PROT_MTE ${h.protMte ? 'yes' : 'no'}`,
      `kernel sha256 ${h.kernelSha256}`,
      `stopped after ${h.instructions} instructions; tags saved via ${h.tagsVia === 'mapping' ? `the VMM's mapping${h.protMte ? '' : ' (without PROT_MTE: read as zero, lost)'}` : 'KVM_ARM_MTE_COPY_TAGS'}`,
      ...vcpus.map((v) => `vcpu ${v.id}: ${v.mpState}, ${v.registers} registers, ${Object.entries(v).filter(([k]) => /^[A-Z]/.test(k)).map(([k, x]) => `${k}=${String(x)}`).join(' ')}`),
      `sections: ${sections.map((s) => `${s.kind}${s.kind === 'VCPU' ? ` ${s.index}` : ''} ${s.length} B`).join(', ')}`,
      `memory: ${pages} pages, ${snap.memory.size} non-zero`,
      `tags: ${stats.taggedPages} tagged pages, ${stats.nonZeroTags} non-zero tags`,
      `tag histogram: ${stats.histogram.map((n, t) => `${t.toString(16)}:${n}`).join(' ')}`,
    ];
    text = `${lines.join('\n')}\n`;
  }
  io.stdout(new TextEncoder().encode(text));
  return 0;
}
