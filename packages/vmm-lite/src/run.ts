/**
 * runVirt: boot a kernel on the virt machine and run it to the end, in one call (for tests and the CLI); runWithInput:
 * run a machine built or restored elsewhere with its inputs attached (what runVirt and the snapshot commands run).
 */
import type { PageUpgradePolicy } from '@kvm-mte/kvm-core';
import type { FramebufferOptions } from './framebuffer.js';
import { VirtMachine, type RunResult, type VirtMachineOptions } from './machine.js';
import { attachStdin, type SerialInput, type StdinLike } from './serial-input.js';
import type { Platform } from './platform.js';
import type { BlockDisk } from './virtio-blk-disk.js';
import type { VirtioMmioVersion } from './virtio-device.js';

/** MachineRunOptions.slice while a live input stream (stdin) is attached: see runWithInput. */
const LIVE_INPUT_SLICE = 250_000;

export interface RunVirtOptions {
  /** An ELF64 AArch64 executable, a Linux arm64 Image (optionally gzip-compressed) or a raw binary. */
  kernel: Uint8Array;
  /** Guest RAM in bytes (default 256 MiB): a positive multiple of 4 KiB, at most 3.5 GiB. */
  memory?: number;
  /** Kernel command line: /chosen/bootargs. */
  append?: string;
  /** An initramfs (Image or raw kernels only): placed in RAM, /chosen/linux,initrd-start and -end. */
  initrd?: Uint8Array;
  /** KVM_CAP_ARM_MTE on the VM, like `-M virt,mte=on` (default true). */
  mte?: boolean;
  /** vCPUs, 1..8 (default 1). */
  smp?: number;
  /** The interrupt controller: kvm-core's vGICv3 (default) or vGICv2 (see gic.ts). */
  gic?: 'v2' | 'v3';
  /** A PMUv3 on every vCPU (VirtMachineOptions.pmu; default on). */
  pmu?: boolean;
  /** Stop with outcome 'instruction-limit' after this many guest instructions (default: no limit). */
  maxInstructions?: number;
  /** The guest's UART output as it is written. */
  onSerial?: (bytes: Uint8Array) => void;
  /** UART output kept for RunResult.serial: the most recent bytes (default 16 MiB, 64 KiB with `onSerial`). */
  serialLogBytes?: number;
  /** The VM's translated-code cache budget in estimated host bytes (default: half the guest's RAM, 64-256 MiB; see machine.ts). */
  codeCacheBytes?: number;
  /** Run guest code in basic blocks (default true; false: interpret, KVM_MTE_JIT=0). See machine.ts. */
  translate?: boolean;
  /** A simple framebuffer at 0x0f00_0000 (see framebuffer.ts). */
  framebuffer?: FramebufferOptions;
  /** Called at the end of the run with a PNG of the framebuffer (only with `framebuffer`). */
  onScreenshot?: (png: Uint8Array) => void;
  /**
   * Input for the guest's UART: bytes (all queued at once, then EOF), or a stream such as process.stdin (read
   * while the guest runs; a TTY is put in raw mode and restored; Ctrl-A x stops the run).
   */
  input?: Uint8Array | StdinLike;
  /** What an 'arm-tag-access' exit does: inject an External abort (default) or stop the run. */
  onTagAccess?: 'abort' | 'stop';
  /** kvm-core's page-upgrade policy for the VM (default: kvm-core's default, mteAllowed). */
  pagePolicy?: PageUpgradePolicy;
  /** How the VMM maps guest RAM: anonymous private (default) or shared (memfd-like). */
  memBackend?: 'anonymous' | 'shared';
  /** Whether the VMM maps guest RAM with PROT_MTE (default false, as real VMMs do). */
  protMte?: boolean;
  /** The VM clock the PL031 RTC and the generic timers count: host time (default) or deterministic (see clock.ts). */
  clock?: VirtMachineOptions['clock'];
  /** The host's services (platform.ts). Default: defaultPlatform() (Node's on Node, else the web one). */
  platform?: Platform;
  /** Compile hot blocks to WebAssembly (default true; KVM_MTE_WASM=0: handler blocks only). See machine.ts. */
  wasm?: boolean;
  /** Runs before a block becomes WebAssembly (default 256; 0: before it first runs). See machine.ts. */
  wasmHotRuns?: number;
  /** The handler-block run that records its fast interpreter program (default 4; 1: the first). See machine.ts. */
  fastAfterRuns?: number;
  /**
   * A virtio-blk disk (VirtMachineOptions.drive): `openDiskFile(path, { readOnly })` for a raw image file (Node),
   * `memoryDisk(bytes)` anywhere. The caller closes it after the run.
   */
  drive?: BlockDisk;
  /** The virtio-mmio transports' register interface: 'modern' (default) or 'legacy' (VirtMachineOptions.virtioMmio). */
  virtioMmio?: VirtioMmioVersion;
  /** A virtio-rng device (VirtMachineOptions.virtioRng). */
  virtioRng?: VirtMachineOptions['virtioRng'];
  /**
   * A virtio-console device (VirtMachineOptions.virtioConsole): `onOutput` gets the guest's port 0 output; `input`
   * feeds it, like `input` feeds the UART (bytes then EOF, or a stream; a TTY in raw mode, Ctrl-A x stops the run).
   */
  virtioConsole?: { onOutput?: (bytes: Uint8Array) => void; input?: Uint8Array | StdinLike };
}

/**
 * Build the machine, load the kernel and run the guest until it powers off, resets, stalls, hits the instruction
 * limit or the model fails. Rejects with a VmmError for invalid options or a kernel that cannot be loaded.
 */
export async function runVirt(options: RunVirtOptions): Promise<RunResult> {
  const machine = new VirtMachine({
    ...(options.memory !== undefined && { memory: options.memory }),
    ...(options.smp !== undefined && { smp: options.smp }),
    ...(options.gic !== undefined && { gic: options.gic }),
    ...(options.pmu !== undefined && { pmu: options.pmu }),
    ...(options.mte !== undefined && { mte: options.mte }),
    ...(options.onSerial !== undefined && { onSerial: options.onSerial }),
    ...(options.serialLogBytes !== undefined && { serialLogBytes: options.serialLogBytes }),
    ...(options.codeCacheBytes !== undefined && { codeCacheBytes: options.codeCacheBytes }),
    ...(options.translate !== undefined && { translate: options.translate }),
    ...(options.framebuffer !== undefined && { framebuffer: options.framebuffer }),
    ...(options.onTagAccess !== undefined && { onTagAccess: options.onTagAccess }),
    ...(options.pagePolicy !== undefined && { pagePolicy: options.pagePolicy }),
    ...(options.memBackend !== undefined && { memBackend: options.memBackend }),
    ...(options.protMte !== undefined && { protMte: options.protMte }),
    ...(options.clock !== undefined && { clock: options.clock }),
    ...(options.platform !== undefined && { platform: options.platform }),
    ...(options.wasm !== undefined && { wasm: options.wasm }),
    ...(options.wasmHotRuns !== undefined && { wasmHotRuns: options.wasmHotRuns }),
    ...(options.fastAfterRuns !== undefined && { fastAfterRuns: options.fastAfterRuns }),
    ...(options.drive !== undefined && { drive: options.drive }),
    ...(options.virtioMmio !== undefined && { virtioMmio: options.virtioMmio }),
    ...(options.virtioRng !== undefined && { virtioRng: options.virtioRng }),
    ...(options.virtioConsole !== undefined && { virtioConsole: { ...(options.virtioConsole.onOutput !== undefined && { onOutput: options.virtioConsole.onOutput }) } }),
  });
  machine.load({
    kernel: options.kernel,
    ...(options.append !== undefined && { append: options.append }),
    ...(options.initrd !== undefined && { initrd: options.initrd }),
  });
  try {
    return (await runWithInput(machine, {
      ...(options.input !== undefined && { input: options.input }),
      ...(options.virtioConsole?.input !== undefined && { consoleInput: options.virtioConsole.input }),
      ...(options.maxInstructions !== undefined && { maxInstructions: options.maxInstructions }),
    })).result;
  } finally {
    if (machine.framebuffer !== undefined) options.onScreenshot?.(machine.framebuffer.toPng());
  }
}

/** What {@link runWithInput} feeds the guest, and when it stops. */
export interface RunWithInputOptions {
  /** For the UART: bytes (all queued at once, then EOF), or a stream such as process.stdin (RunVirtOptions.input). */
  input?: Uint8Array | StdinLike;
  /** For the virtio-console (the machine's `consoleInput`), likewise. */
  consoleInput?: Uint8Array | StdinLike;
  /** Stop with outcome 'instruction-limit' after this many guest instructions. */
  maxInstructions?: number;
  /** Also stop at a round boundary when this says so (a snapshot request: MachineRunOptions.shouldStop). */
  shouldStop?: () => boolean;
  /**
   * Called for Ctrl-\ typed on a live terminal input (attachStdin's `onQuit`: raw mode keeps it from being SIGQUIT),
   * instead of passing it to the guest: `vmm-lite snapshot` takes it as its stop request.
   */
  onQuitKey?: () => void;
}

/** How a {@link runWithInput} run ended, and whether Ctrl-A x on a live input is what stopped it. */
export interface RunWithInputResult {
  result: RunResult;
  escaped: boolean;
}

/**
 * Run a built (or restored) machine with its inputs attached, as `vmm-lite run`, `snapshot` and `restore` do: a live
 * stream is read while the guest runs (a TTY in raw mode, restored when the run ends) and its Ctrl-A x stops the
 * run ('stop-requested', `escaped`); loops are detected only once every live input has ended.
 */
export async function runWithInput(machine: VirtMachine, o: RunWithInputOptions): Promise<RunWithInputResult> {
  let escaped = false;
  /** Live inputs (streams), each until detached; with one, the run stops on Ctrl-A x and detects loops only after EOF. */
  const streams: { detach(): void; queue: SerialInput }[] = [];
  const feed = (input: Uint8Array | StdinLike | undefined, queue: SerialInput): void => {
    if (input instanceof Uint8Array) {
      queue.push(input);
      queue.end();
    } else if (input !== undefined) {
      streams.push({ ...attachStdin(input, queue, () => { escaped = true; }, o.onQuitKey), queue });
    }
  };
  feed(o.input, machine.input);
  feed(o.consoleInput, machine.consoleInput);
  const live = streams.length > 0;
  const shouldStop = o.shouldStop;
  try {
    const result = await machine.run({
      ...(o.maxInstructions !== undefined && { maxInstructions: o.maxInstructions }),
      // With live input the state can change from outside the vCPUs: a guest spinning while it waits for input is
      // not stalled until the input has ended (EOF), after which nothing from outside can change it.
      ...(live && { detectLoops: () => streams.every((x) => x.queue.ended) }),
      ...((live || shouldStop !== undefined) && { shouldStop: () => escaped || shouldStop?.() === true }),
      // Shorter turns with a live input, so that keystrokes reach a busy guest within a turn: a quarter of the
      // default, at most a few tens of milliseconds even in code met for the first time. Not shorter: every turn
      // yields to the event loop (a Linux boot with 50,000 instructions a turn took 0.37 s longer, about 5%, and with
      // 250,000 no longer than with the default, measured when each turn also began a new check epoch for
      // translated code, which turns no longer do).
      ...(live && { slice: LIVE_INPUT_SLICE }),
    });
    return { result, escaped };
  } finally {
    for (const s of streams) s.detach();
  }
}

export type { RunResult };
