/**
 * The command line, as functions the tests call directly: argument parsing and validation (`parseCli`), and the
 * whole program with its I/O passed in (`runCli`). `cli.ts` is the executable that wires them to the process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { KvmError } from '@kvm-mte/kvm-core';
import { VmmError } from './errors.js';
import type { ClockMode } from './clock.js';
import { MAX_SMP, type RunResult } from './machine.js';
import { runVirt } from './run.js';
import type { StdinLike } from './serial-input.js';
import { checkOptionUse, type CommandName } from './cli-options.js';
import { checkOutputPath, OUTPUT_ERROR_STATUS, OutputFileError, writeOutputFile } from './output-file.js';
import { checkRamSize, parseSize } from './size.js';
import {
  inspectSnapshot, machineRefused, parseSnapshotOptions, runWithSnapshots, SNAPSHOT_COMMANDS, SNAPSHOT_OPTIONS, type SnapshotCliOptions,
} from './snapshot-cli.js';
import type { MemBackend, PolicyName } from './snapshot-format.js';
import { policyByName } from './snapshot.js';
import { FileSource } from './snapshot-source.js';
import { openDrive, parseDrive, type DriveArg } from './drive-option.js';
import type { BlockDisk } from './virtio-blk-disk.js';
import type { VirtioMmioVersion } from './virtio-device.js';
import { openConsoleOutput, parseVirtioConsole, type ConsoleArg, type ConsoleOutput } from './virtio-console-option.js';

export const USAGE = `Usage: vmm-lite run --kernel FILE [options]
       vmm-lite snapshot --kernel FILE --snapshot-out SNAP [--stop-after N] [options]
       vmm-lite restore SNAP [options]            (or --snapshot SNAP)
       vmm-lite inspect SNAP [--json]

Boot FILE (an ELF64 AArch64 executable, a Linux arm64 Image or a raw binary) on a model of QEMU's virt board.
Guest serial output goes to stdout and stdin goes to the guest's UART (a terminal is put in raw mode; Ctrl-A x
stops the run); vmm-lite's own messages go to stderr.

Options:
  --kernel FILE            the kernel to boot (required)
  --memory SIZE            guest RAM, e.g. 256M, 1G, 512K (a bare number is MiB); default 256M
  --append STR             kernel command line (/chosen/bootargs)
  --initrd FILE            initramfs for an Image or raw kernel
  --drive FILE[,ro]        a raw disk image as a virtio-blk disk (read-only with ,ro; restore: default the
                           snapshot's); a write completes after pwrite, a flush after fdatasync
  --virtio-rng             a virtio-rng entropy device: host random bytes, or with --clock deterministic a
                           fixed-seed stream (reproducible, not entropy); restore takes it from the snapshot
  --virtio-console T       a virtio-console, port 0 a console (Linux: hvc0): T is stdio (output to stdout, and
                           stdin goes to it instead of the UART) or FILE (output written to FILE, no input);
                           restore: where the snapshot's console goes (default stdout, stdin still to the UART)
  --virtio-mmio M          the virtio-mmio transports' interface: modern (version 2, virtio 1.x; default) or
                           legacy (version 1, QEMU 10's default); restore takes it from the snapshot
                           Devices take transports from 0x0a003e00 down in the order drive, rng, console
  --mte, --no-mte          enable or disable MTE for the guest (KVM_CAP_ARM_MTE); default --mte
  --smp N                  number of vCPUs, 1..${MAX_SMP}; default 1
  --gic V                  the interrupt controller, kvm-core's in-kernel vGIC: v3 (default) or v2 (restore takes
                           it from the snapshot)
  --pmu, --no-pmu          a PMUv3 on every vCPU (interrupt PPI 7 = INTID 23), as QEMU's virt with -cpu max;
                           default --pmu (restore takes it from the snapshot)
  --max-instructions N     stop after N guest instructions (exit status 3); default: no limit
  --code-cache SIZE        budget of the translated-code cache (host memory, estimated), e.g. 16M;
                           default half of --memory, 64M..256M
  --clock C                the RTC's clock: host (host time, default) or deterministic (from instructions
                           retired, 8 ns each, from 1970-01-01: reproducible runs and snapshot round trips)
  --framebuffer WxH        a simple framebuffer (a8r8g8b8) of W x H pixels at 0x0f00_0000 (run only)
  --screenshot FILE        with --framebuffer: write the screen as a PNG when the run ends
  --policy P               page-upgrade policy: transparent-upgrade, enforce-prot-mte, mte-allowed (default),
                           no-tag-access (the names kvm-core's policies carry)
  --mem-backend B          guest RAM mapping: anonymous (default) or shared
  --prot-mte, --no-prot-mte  map guest RAM with PROT_MTE in the VMM; default --no-prot-mte
  --snapshot-out FILE      save a snapshot at the stop point: --stop-after N instructions, SIGUSR1 or Ctrl-\\
  --stop-after N           stop (and snapshot) after N guest instructions
  --tags-via M             how tags are saved/restored: copy-tags (KVM_ARM_MTE_COPY_TAGS, default) or mapping
                           (the VMM's own mapping: zeros without PROT_MTE); run/snapshot: with --snapshot-out
  --snapshot FILE          restore, inspect: the snapshot (same as SNAP; restore needs no --kernel)
  --json                   a one-line JSON summary on stderr (run/snapshot/restore), JSON on stdout (inspect)
  -h, --help               show this help

Each option may be given once (and only one of --mte/--no-mte, --prot-mte/--no-prot-mte); an option the command
does not take (run --snapshot, inspect --kernel, restore --append, snapshot/restore --framebuffer) is an error.
Output files (--snapshot-out, --screenshot) are checked before the guest runs (a directory, a missing directory,
no permission: status 1) and written when it stops.

Environment: KVM_MTE_V8_POOL_SIZE=N|node sizes V8's worker pool (default: the host's CPUs but one, 1 to 4; Node
is started again with --v8-pool-size when that differs from its own); KVM_MTE_WASM=0 and KVM_MTE_JIT=0 choose the
execution engine (README).

Exit status: 0 the guest powered off (PSCI SYSTEM_OFF) or asked for a reset; 1 bad arguments, file or image;
2 the guest stalled (idle in WFI with nothing to wake it, or looping with exactly repeating state); 3 the
instruction limit was reached; 4 internal error of the model; 5 the hypervisor refused to run the guest;
6 stopped on request (Ctrl-A x); 7 the guest ran but an output file could not be written when it stopped (the
device is full, an I/O error); 130 interrupted.
`;

/** Exit statuses. */
export const EXIT = { OK: 0, USAGE: 1, STALLED: 2, LIMIT: 3, INTERNAL: 4, GUEST: 5, STOPPED: 6, OUTPUT: OUTPUT_ERROR_STATUS, INTERRUPTED: 130 } as const;

export interface CliRunOptions {
  kernel: string;
  memory: number;
  append?: string;
  initrd?: string;
  mte: boolean;
  smp: number;
  /** --gic: the interrupt controller (default v3). */
  gic?: 'v2' | 'v3';
  /** --pmu / --no-pmu: a PMUv3 on every vCPU (default on). */
  pmu?: boolean;
  maxInstructions?: number;
  /** --code-cache: the VM's translated-code cache budget in bytes. */
  codeCache?: number;
  /** --clock: the VM clock the PL031 RTC counts. */
  clock?: ClockMode;
  framebuffer?: { width: number; height: number };
  screenshot?: string;
  policy?: PolicyName;
  memBackend?: MemBackend;
  protMte?: boolean;
  /** --drive FILE[,ro]: a raw disk image for virtio-blk. */
  drive?: DriveArg;
  /** --virtio-mmio: the transports' register interface (default modern). */
  virtioMmio?: VirtioMmioVersion;
  /** --virtio-rng: a virtio-rng device. */
  virtioRng?: boolean;
  /** --virtio-console stdio|FILE: a virtio-console and where its port goes. */
  virtioConsole?: ConsoleArg;
}

export type CliCommand =
  | { command: 'help' }
  | { command: 'run'; options: CliRunOptions; snap?: SnapshotCliOptions }
  | { command: 'snapshot' | 'restore'; options: Partial<CliRunOptions>; snap: SnapshotCliOptions }
  | { command: 'inspect'; file: string; json: boolean };

const OPTIONS = {
  kernel: { type: 'string' },
  memory: { type: 'string' },
  append: { type: 'string' },
  initrd: { type: 'string' },
  drive: { type: 'string' },
  'virtio-mmio': { type: 'string' },
  'virtio-rng': { type: 'boolean' },
  'virtio-console': { type: 'string' },
  mte: { type: 'boolean' },
  'no-mte': { type: 'boolean' },
  smp: { type: 'string' },
  gic: { type: 'string' },
  pmu: { type: 'boolean' },
  'no-pmu': { type: 'boolean' },
  'max-instructions': { type: 'string' },
  'code-cache': { type: 'string' },
  clock: { type: 'string' },
  framebuffer: { type: 'string' },
  screenshot: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  ...SNAPSHOT_OPTIONS,
} as const;

/** A positive integer option value. */
export function parseCount(name: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  const t = text.replace(/_/g, '');
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > max) {
    throw new VmmError(`invalid --${name} '${text}': expected a whole number from 1 to ${max === Number.MAX_SAFE_INTEGER ? '2^53-1' : max}`);
  }
  return Number(t);
}

/** --code-cache SIZE: a size as --memory takes it, at least 1 byte (any budget works; a tiny one only retranslates). */
function parseCodeCache(text: string): number {
  const bytes = parseSize(text);
  if (bytes < 1) throw new VmmError(`invalid --code-cache '${text}': must be at least 1 byte (e.g. 16M)`);
  return bytes;
}

/** --gic v2|v3. */
function parseGic(text: string): 'v2' | 'v3' {
  if (text !== 'v2' && text !== 'v3') throw new VmmError(`invalid --gic '${text}': expected v2 or v3`);
  return text;
}

/** --virtio-mmio legacy|modern. */
function parseVirtioMmio(text: string): VirtioMmioVersion {
  if (text !== 'legacy' && text !== 'modern') throw new VmmError(`invalid --virtio-mmio '${text}': expected modern or legacy`);
  return text;
}

/** --clock host|deterministic. */
function parseClock(text: string): ClockMode {
  if (text !== 'host' && text !== 'deterministic') throw new VmmError(`invalid --clock '${text}': expected host or deterministic`);
  return text;
}

function parseError(e: unknown): VmmError {
  const err = e as { code?: string; message?: string };
  const msg = String(err.message ?? e);
  const quoted = /'([^']+)'/.exec(msg)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return new VmmError(`unknown option '${quoted ?? msg}' (try --help)`);
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const opt = quoted?.split(' ')[0] ?? '';
      if (/does not take/.test(msg)) return new VmmError(`option '${opt}' does not take a value`);
      if (/ambiguous/.test(msg)) return new VmmError(`option '${opt}' needs a value (write ${opt}=VALUE for a value starting with '-')`);
      return new VmmError(`option '${opt}' needs a value`);
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new VmmError(`unexpected argument '${quoted ?? msg}'`);
    default:
      return new VmmError(msg.split('\n')[0]!);
  }
}

/**
 * Parse and validate the arguments (without the program name). Throws {@link VmmError} with a one-line message
 * for: no command or an unknown one, an unknown option, a missing or superfluous value, a missing --kernel, a bad
 * size, CPU count or instruction limit, extra positional arguments, an option given twice (or both --mte and
 * --no-mte) and an option the command does not take (see cli-options.ts).
 */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    throw parseError(e);
  }
  const { values, positionals, tokens } = parsed;
  if (values.help === true) return { command: 'help' };
  const [command, ...extra] = positionals;
  if (command === undefined) throw new VmmError('no command given: use `vmm-lite run --kernel FILE` (try --help)');
  if (command === 'help') return { command: 'help' };
  if (command !== 'run' && !(SNAPSHOT_COMMANDS as readonly string[]).includes(command)) {
    throw new VmmError(`unknown command '${command}' (commands: run, ${SNAPSHOT_COMMANDS.join(', ')})`);
  }
  checkOptionUse(command as CommandName, tokens);
  let snap = parseSnapshotOptions(values, tokens, parseCount);
  if (command === 'inspect' || command === 'restore') {
    // The snapshot: `inspect FILE` / `restore FILE`, or --snapshot FILE; not both.
    if (extra.length > 1) throw new VmmError(`unexpected argument '${extra[1]}'`);
    if (extra[0] !== undefined && snap?.snapshot !== undefined) {
      throw new VmmError(`two snapshots given ('${extra[0]}' and --snapshot '${snap.snapshot}'): name one, as \`vmm-lite ${command} FILE\``);
    }
    const file = extra[0] ?? snap?.snapshot;
    if (file === undefined || file === '') throw new VmmError(`${command} needs a snapshot file: \`vmm-lite ${command} FILE\``);
    if (command === 'inspect') return { command: 'inspect', file, json: snap?.json ?? false };
    snap = { ...(snap ?? { json: false }), snapshot: file };
  } else {
    if (extra.length > 0) throw new VmmError(`unexpected argument '${extra[0]}'`);
    if (values.kernel === undefined) throw new VmmError('missing --kernel FILE');
    if (snap?.tagsVia !== undefined && snap.snapshotOut === undefined) throw new VmmError('--tags-via needs --snapshot-out FILE (it says how the snapshot saves tags)');
  }
  if (values.kernel === '') throw new VmmError('--kernel needs a file name');

  let mte = true;
  let mteGiven = false;
  for (const t of tokens) {
    if (t.kind === 'option' && t.name === 'mte') [mte, mteGiven] = [true, true];
    if (t.kind === 'option' && t.name === 'no-mte') [mte, mteGiven] = [false, true];
  }
  if (command === 'restore') {
    // Only what was given: the rest comes from the snapshot (and must agree with it).
    const options: Partial<CliRunOptions> = {};
    if (values.kernel !== undefined) options.kernel = values.kernel;
    if (values.memory !== undefined) options.memory = checkRamSize(parseSize(values.memory), values.memory);
    if (values.smp !== undefined) options.smp = parseCount('smp', values.smp, MAX_SMP);
    if (mteGiven) options.mte = mte;
    if (values['max-instructions'] !== undefined) options.maxInstructions = parseCount('max-instructions', values['max-instructions']);
    if (values['code-cache'] !== undefined) options.codeCache = parseCodeCache(values['code-cache']);
    if (values.clock !== undefined) options.clock = parseClock(values.clock);
    if (values.drive !== undefined) options.drive = parseDrive(values.drive);
    if (values['virtio-console'] !== undefined) options.virtioConsole = parseVirtioConsole(values['virtio-console']);
    return { command: 'restore', options, snap: snap! }; // names the snapshot: set above
  }
  const options: CliRunOptions = {
    kernel: values.kernel!,
    memory: values.memory === undefined ? 256 * 1024 * 1024 : checkRamSize(parseSize(values.memory), values.memory),
    mte,
    smp: values.smp === undefined ? 1 : parseCount('smp', values.smp, MAX_SMP),
  };
  if (values.gic !== undefined) options.gic = parseGic(values.gic);
  if (values.pmu === true) options.pmu = true;
  if (values['no-pmu'] === true) options.pmu = false;
  if (values.append !== undefined) options.append = values.append;
  if (values.initrd !== undefined) {
    if (values.initrd === '') throw new VmmError('--initrd needs a file name');
    options.initrd = values.initrd;
  }
  if (values['max-instructions'] !== undefined) options.maxInstructions = parseCount('max-instructions', values['max-instructions']);
  if (values['code-cache'] !== undefined) options.codeCache = parseCodeCache(values['code-cache']);
  if (values.clock !== undefined) options.clock = parseClock(values.clock);
  if (values.drive !== undefined) options.drive = parseDrive(values.drive);
  if (values['virtio-mmio'] !== undefined) options.virtioMmio = parseVirtioMmio(values['virtio-mmio']);
  if (values['virtio-rng'] === true) options.virtioRng = true;
  if (values['virtio-console'] !== undefined) options.virtioConsole = parseVirtioConsole(values['virtio-console']);
  // A plain run with machine options only (no snapshot to save, no JSON summary) runs like any other plain run.
  let runSnap = snap;
  if (command === 'run' && snap !== undefined && !snap.json && snap.snapshotOut === undefined &&
    snap.stopAfter === undefined && snap.tagsVia === undefined && snap.snapshot === undefined) {
    if (snap.policy !== undefined) options.policy = snap.policy;
    if (snap.memBackend !== undefined) options.memBackend = snap.memBackend;
    if (snap.protMte !== undefined) options.protMte = snap.protMte;
    runSnap = undefined;
  }
  if (values.framebuffer !== undefined) {
    const m = /^(\d{1,4})x(\d{1,4})$/.exec(values.framebuffer);
    const [width, height] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
    if (width < 1 || height < 1 || width > 4096 || height > 4096) {
      throw new VmmError(`invalid --framebuffer '${values.framebuffer}': expected WIDTHxHEIGHT, each from 1 to 4096`);
    }
    if (command === 'snapshot' || runSnap !== undefined) {
      throw new VmmError('--framebuffer cannot be combined with snapshot options or --json (its memory is not saved)');
    }
    options.framebuffer = { width, height };
  }
  if (values.screenshot !== undefined) {
    if (options.framebuffer === undefined) throw new VmmError('--screenshot needs --framebuffer WxH');
    if (values.screenshot === '') throw new VmmError('--screenshot needs a file name');
    options.screenshot = values.screenshot;
  }
  if (command === 'snapshot') return { command: 'snapshot', options, snap: snap ?? { json: false } };
  return runSnap === undefined ? { command: 'run', options } : { command: 'run', options, snap: runSnap };
}

/** Read a file named on the command line; a one-line VmmError when it cannot be read. */
export function readInputFile(what: string, path: string, read: (p: string) => Uint8Array = (p) => new Uint8Array(readFileSync(p))): Uint8Array {
  try {
    return read(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'no such file'
      : code === 'EISDIR' ? 'is a directory'
        : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
          : e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new VmmError(`cannot read ${what} '${path}': ${why}`);
  }
}

/** Open a snapshot named on the command line to read by position (any size); errors as {@link readInputFile}. */
function openInputFile(what: string, path: string): FileSource {
  let f: FileSource | undefined;
  readInputFile(what, path, (p) => ((f = new FileSource(p)), new Uint8Array(0)));
  return f!;
}

export interface CliIo {
  /** Guest serial output, as it comes. */
  stdout(bytes: Uint8Array): void;
  /** vmm-lite's own messages (whole lines). */
  stderr(text: string): void;
  readFile?(path: string): Uint8Array;
  writeFile?(path: string, bytes: Uint8Array): void;
  /**
   * Refuse an output file (--snapshot-out, --screenshot) before the run: throw a VmmError. Default: the file
   * system's check (output-file.ts) when `writeFile` is not given, none when it is (the files are elsewhere).
   */
  checkOutputPath?(what: string, path: string): void;
  /** stderr is a terminal (progress of long snapshot operations is shown). */
  isTTY?: boolean;
  /** Input for the guest's UART (process.stdin for the real program); none: the UART receives nothing. */
  input?: Uint8Array | StdinLike;
  /**
   * Install the snapshot stop triggers, SIGUSR1 and SIGQUIT (Ctrl-\\ typed on a terminal while stdin is attached in
   * raw mode is read as the same request instead: snapshot-cli.ts); returns the uninstaller.
   */
  onStopRequest?(request: () => void): () => void;
  /**
   * The environment (process.env for the real program): KVM_MTE_JIT=0 interprets every instruction, KVM_MTE_WASM=0
   * never compiles to WebAssembly ({@link cpuOptionsFromEnv}).
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The CPU tuning the environment asks for: KVM_MTE_JIT=0 (no blocks: interpret every instruction), KVM_MTE_WASM=0
 * (blocks run as their decoded handlers, never WebAssembly).
 */
export function cpuOptionsFromEnv(env: Readonly<Record<string, string | undefined>> = {}):
  { translate: boolean; wasm: boolean } {
  return { translate: env.KVM_MTE_JIT !== '0', wasm: env.KVM_MTE_WASM !== '0' };
}

/** The exit status and stderr line for a finished run. */
export function describeOutcome(r: RunResult): { status: number; message?: string } {
  const after = `after ${r.instructions} instructions`;
  switch (r.outcome) {
    case 'shutdown': return { status: EXIT.OK };
    case 'reset': return { status: EXIT.OK, message: `guest requested a system reset (${after}); not rebooting` };
    case 'stalled': return { status: EXIT.STALLED, message: `${r.message ?? 'guest stalled'} (${after})` };
    case 'instruction-limit': return { status: EXIT.LIMIT, message: r.message ?? `instruction limit reached (${after})` };
    case 'internal-error': return { status: EXIT.INTERNAL, message: `internal error: ${r.message ?? 'unknown'} (${after})` };
    case 'guest-error': return { status: EXIT.GUEST, message: `${r.message ?? 'guest error'} (${after})` };
    case 'stop-requested': return { status: EXIT.STOPPED, message: `stopped on request (${after})` };
  }
}

/** The whole program: returns the exit status. Every problem is one `vmm-lite: ...` line on stderr. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let cmd: CliCommand;
  try {
    cmd = parseCli(argv);
  } catch (e) {
    if (!(e instanceof VmmError)) throw e;
    io.stderr(`vmm-lite: ${e.message}\n`);
    return EXIT.USAGE;
  }
  if (cmd.command === 'help') {
    io.stderr(USAGE);
    return EXIT.OK;
  }
  const checkOutput = io.checkOutputPath ?? (io.writeFile === undefined ? checkOutputPath : undefined);
  try {
    for (const [what, path] of outputPaths(cmd)) checkOutput?.(what, path);
  } catch (e) {
    if (!(e instanceof VmmError)) throw e;
    io.stderr(`vmm-lite: ${e.message}\n`);
    return EXIT.USAGE;
  }
  if (cmd.command !== 'run' || cmd.snap !== undefined) {
    try {
      const sio = {
        stdout: (b: Uint8Array) => io.stdout(b), stderr: (t: string) => io.stderr(t),
        readFile: (what: string, path: string) => readInputFile(what, path, io.readFile),
        ...(io.readFile === undefined && { openFile: (what: string, path: string) => openInputFile(what, path) }),
        ...(io.writeFile !== undefined && { writeFile: io.writeFile }),
        ...(io.isTTY !== undefined && { isTTY: io.isTTY }),
        ...(io.onStopRequest !== undefined && { onStopRequest: io.onStopRequest }),
        ...(io.input !== undefined && { input: io.input }),
      };
      if (cmd.command === 'inspect') return inspectSnapshot(cmd.file, cmd.json, sio);
      return await runWithSnapshots(cmd.command, { ...cmd.options, ...cpuOptionsFromEnv(io.env) }, cmd.snap!, sio, describeOutcome);
    } catch (e) {
      if (e instanceof VmmError) {
        io.stderr(`vmm-lite: ${e.message}\n`);
        return EXIT.USAGE;
      }
      io.stderr(`vmm-lite: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
      return EXIT.INTERNAL;
    }
  }
  const o = cmd.options;
  let result: RunResult;
  const shot: { png?: Uint8Array } = {}; // written once the run is over, so a failure cannot hide its outcome
  let drive: BlockDisk | undefined;
  let hvc: ConsoleOutput | undefined;
  try {
    const read = io.readFile;
    const kernel = readInputFile('kernel', o.kernel, read);
    const initrd = o.initrd === undefined ? undefined : readInputFile('initrd', o.initrd, read);
    drive = o.drive === undefined ? undefined : openDrive(o.drive);
    hvc = o.virtioConsole === undefined ? undefined : openConsoleOutput(o.virtioConsole, (b) => io.stdout(b));
    // stdin goes to the virtio-console with `--virtio-console stdio`, else to the UART.
    const stdinToConsole = o.virtioConsole?.kind === 'stdio';
    result = await runVirt({
      ...(drive !== undefined && { drive }),
      ...(o.virtioMmio !== undefined && { virtioMmio: o.virtioMmio }),
      ...(o.virtioRng === true && { virtioRng: true }),
      ...(hvc !== undefined && { virtioConsole: { onOutput: hvc.write, ...(stdinToConsole && io.input !== undefined && { input: io.input }) } }),
      kernel, memory: o.memory, mte: o.mte, smp: o.smp, onSerial: (b) => io.stdout(b), ...cpuOptionsFromEnv(io.env),
      ...(o.gic !== undefined && { gic: o.gic }),
      ...(o.pmu !== undefined && { pmu: o.pmu }),
      ...(o.append !== undefined && { append: o.append }),
      ...(initrd !== undefined && { initrd }),
      ...(o.maxInstructions !== undefined && { maxInstructions: o.maxInstructions }),
      ...(o.codeCache !== undefined && { codeCacheBytes: o.codeCache }),
      ...(o.clock !== undefined && { clock: o.clock }),
      ...(io.input !== undefined && !stdinToConsole && { input: io.input }),
      ...(o.policy !== undefined && { pagePolicy: policyByName(o.policy) }),
      ...(o.memBackend !== undefined && { memBackend: o.memBackend }),
      ...(o.protMte !== undefined && { protMte: o.protMte }),
      ...(o.framebuffer !== undefined && { framebuffer: o.framebuffer }),
      ...(o.screenshot !== undefined && {
        onScreenshot: (png: Uint8Array) => { shot.png = png; },
      }),
    });
  } catch (e) {
    const err = e instanceof KvmError
      ? machineRefused(e, { policy: o.policy ?? 'mte-allowed', memBackend: o.memBackend ?? 'anonymous', protMte: o.protMte ?? false })
      : e;
    if (err instanceof VmmError) {
      io.stderr(`vmm-lite: ${err.message}\n`);
      return EXIT.USAGE;
    }
    io.stderr(`vmm-lite: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    return EXIT.INTERNAL;
  } finally {
    drive?.close();
    hvc?.close();
  }
  const { status, message } = describeOutcome(result);
  if (message !== undefined) io.stderr(`vmm-lite: ${message}\n`);
  if (hvc?.error !== undefined) {
    io.stderr(`vmm-lite: ${hvc.error}\n`);
    return EXIT.OUTPUT;
  }
  if (o.screenshot !== undefined && shot.png !== undefined) {
    const [path, png] = [o.screenshot, shot.png];
    try {
      writeOutputFile('screenshot', path, () => (io.writeFile ?? writeFileSync)(path, png), io.writeFile === undefined);
    } catch (e) {
      if (!(e instanceof OutputFileError)) throw e;
      io.stderr(`vmm-lite: ${e.message}\n`);
      return EXIT.OUTPUT;
    }
  }
  return status;
}

/** The files a command will write: checked before it runs. */
function outputPaths(cmd: CliCommand): [what: string, path: string][] {
  if (cmd.command === 'help' || cmd.command === 'inspect') return [];
  const out: [string, string][] = [];
  if (cmd.snap?.snapshotOut !== undefined) out.push(['snapshot', cmd.snap.snapshotOut]);
  if (cmd.options.screenshot !== undefined) out.push(['screenshot', cmd.options.screenshot]);
  const hvc = cmd.options.virtioConsole;
  if (hvc?.kind === 'file') out.push(['virtio-console output', hvc.path]);
  return out;
}
