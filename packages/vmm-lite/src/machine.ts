/**
 * The QEMU `virt` machine as vmm-lite builds it on kvm-core: RAM at 0x4000_0000, a PL011 at 0x0900_0000 (its
 * interrupt on SPI 1), a PL031 RTC at 0x0901_0000 (SPI 2), the generic PCIe host (ECAM at 0x40_1000_0000), kvm-core's in-kernel GICv3 or GICv2 at 0x0800_0000 (gic.ts), PSCI
 * over HVC (handled by kvm-core), a device tree, and the run loop that answers the vCPUs' exits.
 */
import {
  COUNTER_HZ, CoreReg, Kvm, KvmError, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_PMU_V3, KVM_ARM_VCPU_PMU_V3_CTRL,
  KVM_ARM_VCPU_PMU_V3_INIT, KVM_ARM_VCPU_PMU_V3_IRQ, KVM_ARM_VCPU_POWER_OFF, KVM_ARM_VCPU_PSCI_0_2, PMU_PPI,
  KVM_CAP_ARM_MTE, KVM_CAP_ARM_NISV_TO_USER, KVM_MP_STATE_STOPPED, KVM_SYSTEM_EVENT_RESET,
  KVM_SYSTEM_EVENT_SHUTDOWN, mpidrForVcpuId, type Device, type HostMapping, type KvmExit, type PageUpgradePolicy, type Vcpu, type Vm,
} from '@kvm-mte/kvm-core';
import { MmioBus, type AccessSize } from './bus.js';
import { hex, MiB, VmmError } from './errors.js';
import { injectExternalDataAbort } from './inject.js';
import { LoopDetector } from './loop-detect.js';
import { DEFAULT_SERIAL_LOG_BYTES, DEFAULT_STREAMED_SERIAL_LOG_BYTES, SerialLog } from './serial-log.js';
import { planBoot, VIRT_RAM_BASE, type BootLayout } from './loader.js';
import { Pl011, PL011_BASE, PL011_SIZE } from './pl011.js';
import { Pl031, PL031_BASE, PL031_SIZE } from './pl031.js';
import { counterClock, hostClock, type ClockMode, type VmClock } from './clock.js';
import { checkRamSize } from './size.js';
import { buildVirtDeviceTree } from './virt-dt.js';
import { Framebuffer, type FramebufferOptions } from './framebuffer.js';
import { SerialInput } from './serial-input.js';
import { defaultPlatform, randomFill, type Platform } from './platform.js';
import { bootSeeds } from './boot-seeds.js';
import { createVirtGic, PL011_SPI, PL031_SPI, type GicVersion } from './gic.js';
import { PcieHost } from './pcie-host.js';
import { EmptyVirtioMmio, VIRTIO_MMIO_BASE, VIRTIO_MMIO_COUNT, VIRTIO_MMIO_FIRST_SPI, VIRTIO_MMIO_STRIDE } from './virtio-mmio-empty.js';
import { VirtioMmioTransport } from './virtio-mmio.js';
import type { VirtioDevice, VirtioMmioVersion } from './virtio-device.js';
import { VirtioBlk } from './virtio-blk.js';
import { DEFAULT_RNG_SEED, VirtioRng, type VirtioRngSource } from './virtio-rng.js';
import { VirtioConsole } from './virtio-console.js';
import type { BlockDisk } from './virtio-blk-disk.js';
import { ramGuestMemory } from './virtio-dma.js';

export const DEFAULT_RAM_BYTES = 256 * MiB;

/**
 * The translated-code cache budget a machine with `ramBytes` of guest RAM gets when none is given: half the RAM,
 * at least 64 MiB (kvm-core's own default) and at most 256 MiB. A cache that fills is flushed whole and everything
 * is translated again, so a guest whose working set of code does not fit pays for it over and over: Debian's kernel
 * booting to user space holds about 115 MiB (estimated) of translated code, and with 64 MiB its boot flushed twice
 * and built 40% more blocks (docs/performance.md, "Ninth session"). QEMU sizes its translation buffer the same
 * way, from memory (1 GiB, less on a host short of memory); RAM bounds it here so that a small guest's VMM stays
 * small (the cache counts against the 3 x RAM a hostile guest may make the process use, hostile.test.ts).
 */
export function defaultCodeCacheBytes(ramBytes: number): number {
  return Math.min(256 * MiB, Math.max(64 * MiB, Math.floor(ramBytes / 2)));
}

/** The most vCPUs the board takes (QEMU's virt with its default GICv2 takes 8). */
export const MAX_SMP = 8;
/**
 * The length of a vCPU's turn, in instructions, before the loop turns to the next vCPU and lets the host's event loop
 * run (Platform.yield). Work that retires no instruction is charged to the turn at about what it costs the host (see
 * TURN_COST), so a turn takes a bounded time whatever the guest does.
 */
export const DEFAULT_SLICE = 1_000_000;

/**
 * What the run loop charges a vCPU's turn, in instructions' worth. Measured on the model, an instruction takes a few
 * ns, an exception taken about 1 us (3.5 us when kvm-core injects it), an exit answered by the VMM 5 to 20 us: with
 * these charges a default turn lasts at most a few tens of ms whatever the guest does, while a guest printing or
 * polling still gets hundreds of exits per turn. Deterministic, unlike a clock, so where turns end (the interleaving
 * of vCPUs) depends only on the guest.
 */
export const TURN_COST = {
  /** A step of a vCPU's budget that retired no instruction: an exception taken, a trap kvm-core answered. */
  idleStep: 256,
  /** An exit the VMM answers (MMIO, an access without a syndrome, a tag access). */
  exit: 512,
} as const;
/**
 * The budget of one `vcpu.run()`: RUN_CHUNK_MIN after a call in which more than 1/16 of the budget went on steps that
 * retired nothing (exceptions, traps: about 1 to 3.5 us each), doubling after each call that was mostly instructions
 * up to RUN_CHUNK_MAX. Small calls bound the time of a call that only takes exceptions (15 to 60 ms at the minimum,
 * at most once 0.1 to 0.5 s at the maximum, until the next call shrinks); large ones spare code that runs the
 * per-call cost (about 2 us: kvm-core's and the run loop's entry, every block's check against memory once per call,
 * the budget's end inside a block), 10% of bench-lz's time at the minimum. Deterministic: only the guest decides it.
 */
const RUN_CHUNK_MIN = 16_384;
const RUN_CHUNK_MAX = 131_072;
/** The longest the run loop sleeps at once while every vCPU waits for a timer (host clock). */
const MAX_IDLE_SLEEP_MS = 50;
/** 'arm-tag-access' exits kept in `VirtMachine.tagAccessExits` (the count goes on: `tagAccessExitCount`). */
export const MAX_TAG_ACCESS_EXITS_KEPT = 1024;

export type RunOutcome = 'shutdown' | 'reset' | 'stalled' | 'instruction-limit' | 'internal-error' | 'guest-error' | 'stop-requested';

export interface RunResult {
  /**
   * - 'shutdown': PSCI SYSTEM_OFF. - 'reset': PSCI SYSTEM_RESET / SYSTEM_RESET2 (not rebooted, like QEMU -no-reboot).
   * - 'stalled': the guest can never make progress: every vCPU is idle in WFI with nothing that could interrupt it,
   *   or powered off; or the whole machine state (registers, devices, RAM) repeats exactly, with or without exits
   *   on the way (a fault on its own vector, an access aborted on its own vector, a poll of a register that cannot
   *   change): see loop-detect.ts.
   * - 'instruction-limit': maxInstructions ran out (instructions retired, or steps that retired none).
   * - 'internal-error': the model failed (a bug, not the guest).
   * - 'guest-error': the guest did something the hypervisor refused to run (KVM_RUN failed).
   * - 'stop-requested': `shouldStop` (MachineRunOptions) said so at a round boundary (a snapshot request).
   */
  outcome: RunOutcome;
  /**
   * What the guest wrote to the UART: everything, unless it wrote more than the machine keeps (`serialLogBytes`,
   * VirtMachineOptions): then the most recent bytes, and `serialDropped` says how many earlier ones are missing.
   */
  serial: Uint8Array;
  /** Bytes of UART output not in `serial` (written before it, beyond `serialLogBytes`). Absent when none. */
  serialDropped?: number;
  /**
   * Guest instructions retired, all vCPUs together (as QEMU's icount and the PMU's INST_RETIRED: an instruction that
   * takes an exception instead of completing does not count; an SVC, HVC or an MMIO access the VMM completes does).
   * One inexactness: an MMIO access the VMM answers with an External abort counts too (inject.ts discards kvm-core's
   * pending completion by letting it run; kvm-core has no KVM_SET_VCPU_EVENTS to cancel it).
   */
  instructions: number;
  /** Why, for every outcome but 'shutdown' and 'reset'. */
  message?: string;
}

export interface VirtMachineOptions {
  /** Guest RAM in bytes: a positive multiple of 4 KiB, at most 3.5 GiB (MAX_RAM_BYTES). Default 256 MiB. */
  memory?: number;
  /** vCPUs, 1..8. Default 1. Secondaries start powered off, for PSCI CPU_ON. */
  smp?: number;
  /** Enable KVM_CAP_ARM_MTE on the VM (like `-M virt,mte=on`). Default true. */
  mte?: boolean;
  /**
   * The interrupt controller (gic.ts): kvm-core's in-kernel vGIC at QEMU virt's addresses, 'v3' (default) or 'v2'
   * (like `-M virt,gic-version=N`); 'none' for none (only to restore snapshots taken before vmm-lite had a GIC).
   */
  gic?: GicVersion;
  /**
   * A PMUv3 on every vCPU (kvm-core's KVM_ARM_VCPU_PMU_V3, its overflow interrupt on INTID 23 and a device-tree
   * node), as QEMU's virt has with `-cpu max` unless `-cpu max,pmu=off`. Default true.
   */
  pmu?: boolean;
  /** Called with the guest's UART output as it is written, byte by byte. */
  onSerial?: (bytes: Uint8Array) => void;
  /**
   * How many bytes of UART output the machine keeps for `RunResult.serial` / `serialOutput()`: the most recent
   * ones. Default 16 MiB (DEFAULT_SERIAL_LOG_BYTES), or 64 KiB with `onSerial`, which already receives every byte
   * (DEFAULT_STREAMED_SERIAL_LOG_BYTES). Memory for the log never exceeds it, however much the guest prints.
   */
  serialLogBytes?: number;
  /** The KVM to create the VM on. Default: a new `Kvm()`. */
  kvm?: Kvm;
  /** The VMM's guest RAM mapping: `anonymous` (default) or `shared` (MAP_SHARED). */
  memBackend?: 'anonymous' | 'shared';
  /** Map guest RAM with PROT_MTE (the VMM can then see tags through `ram`). Default false, as real VMMs. */
  protMte?: boolean;
  /** kvm-core's page-upgrade policy for the VM. Default: kvm-core's (`mteAllowed`). */
  pagePolicy?: PageUpgradePolicy;
  /** A simple framebuffer at 0x0f00_0000 (framebuffer.ts): its own memslot, a /chosen node. Default none. */
  framebuffer?: FramebufferOptions;
  /** kvm-core's memory budget: at most this many guest pages mapped at stage 2 (the rest swapped out). */
  memoryBudgetPages?: number;
  /**
   * What to do on an 'arm-tag-access' exit (a guest tag access to NoTagAccess memory, e.g. a device framebuffer
   * under the noTagAccess policy): 'abort' (default) injects a synchronous External abort into the guest (as for
   * an access nothing claims; FAR_EL1 = the IPA), 'stop' ends the run with outcome 'guest-error'.
   */
  onTagAccess?: 'abort' | 'stop';
  /**
   * The budget of the VM's translated-code cache in estimated bytes of host memory (kvm-core `codeCacheBytes`):
   * translated code never holds more; when full the cache is flushed. Default {@link defaultCodeCacheBytes} of
   * the guest's RAM: half of it, at least 64 MiB and at most 256 MiB.
   */
  codeCacheBytes?: number;
  /** Run guest code in basic blocks (kvm-core `translate`, default true); false interprets (KVM_MTE_JIT=0). */
  translate?: boolean;
  /**
   * Compile hot blocks to WebAssembly (kvm-core `wasm`, default true); KVM_MTE_WASM=0 turns it off (every block then
   * runs as its decoded handlers).
   */
  wasm?: boolean;
  /** Runs before a block becomes WebAssembly (kvm-core `wasmHotRuns`, default 256; 0: at once). */
  wasmHotRuns?: number;
  /**
   * The handler-block run that records its fast interpreter program (kvm-core `fastAfterRuns`, default 4; 1: the
   * first, so that code run once goes through the fast interpreter: the fuzzer's KVM_MTE_FAST_AFTER).
   */
  fastAfterRuns?: number;
  /**
   * The VM clock the PL031 RTC and the generic timers count (clock.ts): 'host' (default: host time, `now` in ms
   * since the epoch, default Date.now, for the RTC; host monotonic time for the timers) or 'deterministic' (time
   * from the instructions retired, 2^shift ns each, default shift 3, jumping to the next timer deadline when every
   * vCPU is idle). A VmmError for another mode or a shift outside 0..30.
   */
  clock?: ClockMode | { mode: 'host'; now?: () => number } | { mode: 'deterministic'; shift?: number };
  /**
   * What the machine needs from its host (platform.ts): how the run loop yields, SHA-256 for snapshots, gunzip for
   * gzip-compressed kernels, deflate for screenshots. Default: defaultPlatform() (Node's on Node, else the web one).
   */
  platform?: Platform;
  /**
   * The virtio-mmio transports' register interface (virtio-mmio.ts), the devices' and the 32 empty ones': 'modern'
   * (version 2, virtio 1.x; the default, as QEMU's `-global virtio-mmio.force-legacy=false`) or 'legacy' (version 1,
   * QEMU 10's own default).
   */
  virtioMmio?: VirtioMmioVersion;
  /**
   * A virtio-blk disk (virtio-blk.ts) on the last virtio-mmio transport (index 31, 0x0a00_3e00, SPI 47), where QEMU
   * plugs a `-device virtio-blk-device`. Open a raw image file with `openDiskFile` (Node), or use `memoryDisk`.
   * The virtio devices take transports from the last one down, as QEMU does for `-device`s in the order drive,
   * virtio-rng, virtio-console (see VIRTIO_DEVICE_ORDER).
   */
  drive?: BlockDisk;
  /**
   * A virtio-rng device (virtio-rng.ts), as `-device virtio-rng-device`: true for random bytes from the platform, or
   * with the deterministic clock a seeded stream (seed DEFAULT_RNG_SEED) so runs repeat; `{ seed }` for a seeded
   * stream from that seed (0..2^32-1) whatever the clock.
   */
  virtioRng?: boolean | { seed: number };
  /**
   * A virtio-console device with port 0 as a console (virtio-console.ts; Linux's hvc0), as `-device
   * virtio-serial-device,max_ports=1 -device virtconsole`: its output goes to `onOutput` as the guest writes it
   * (default: discarded); its input is `machine.consoleInput`.
   */
  virtioConsole?: { onOutput?: (bytes: Uint8Array) => void };
  /**
   * QEMU's pci-testdev at 00:01.0 behind the PCIe host (pci-testdev.ts), as `-device pci-testdev` (kvm-unit-tests'
   * arm/run adds it to every test). Default false.
   */
  pciTestdev?: boolean;
}

/** The virtio-mmio transport QEMU's virt plugs the first virtio device into: the last one (it fills them backwards). */
export const VIRTIO_BLK_TRANSPORT = VIRTIO_MMIO_COUNT - 1;
/**
 * The order the virtio devices take transports in, from the last one (0x0a00_3e00) down: only those the machine has,
 * so a lone virtio-console is on the last transport, and with all three the console is on 0x0a00_3a00.
 */
export const VIRTIO_DEVICE_ORDER = ['drive', 'virtioRng', 'virtioConsole'] as const;

export interface BootOptions {
  /** An ELF64 AArch64 executable, a Linux arm64 Image (optionally gzip-compressed) or a raw binary. */
  kernel: Uint8Array;
  /** /chosen/bootargs. */
  append?: string;
  /** An initramfs, for an Image or raw kernel. */
  initrd?: Uint8Array;
}

export interface MachineRunOptions {
  /**
   * Stop with 'instruction-limit' once the guest has retired this many instructions (RunResult.instructions: the
   * stop is exact, so snapshots taken there are reproducible), or once the vCPUs have spent this many steps without
   * retiring one, whichever comes first. A step that retires nothing is an exception taken in place of an
   * instruction: taken by the CPU, injected by kvm-core (see Vcpu.runBudget), or an External abort the VMM injects
   * for an access nothing answers. Counting them too means a guest faulting forever on its own exception vector,
   * which retires nothing, still stops. Default: no limit.
   */
  maxInstructions?: number;
  /** The length of a vCPU turn, in instructions' worth (default 1,000,000; see DEFAULT_SLICE and TURN_COST). */
  slice?: number;
  /**
   * Stop with 'stalled' when the whole machine state (registers, devices, RAM) repeats at two round boundaries
   * (see loop-detect.ts), whether or not the guest exits on the way. Default true. A function: detect only while it
   * returns true (for example, only once live input has ended: until then a guest polling for input legitimately
   * repeats its state).
   */
  detectLoops?: boolean | (() => boolean);
  /**
   * Asked at every round boundary (and before the first): true stops the run with 'stop-requested', every vCPU
   * between instructions (an MMIO exit may still wait for its completion: see snapshot.ts `quiesce`).
   */
  shouldStop?: () => boolean;
}

export class VirtMachine {
  readonly kvm: Kvm;
  readonly vm: Vm;
  readonly vcpus: readonly Vcpu[];
  /** Guest RAM: the VMM's mapping, RAM byte i at guest physical address ramBase + i. */
  readonly ram: HostMapping;
  readonly ramBase = VIRT_RAM_BASE;
  readonly ramSize: number;
  readonly mte: boolean;
  /** The interrupt controller's version (VirtMachineOptions.gic). */
  readonly gicVersion: GicVersion;
  /** The in-kernel vGIC device (KVM_CREATE_DEVICE), unless `gicVersion` is 'none'. */
  readonly gic: Device | undefined;
  /** Every vCPU has a PMUv3 (VirtMachineOptions.pmu). */
  readonly pmu: boolean;
  readonly bus = new MmioBus();
  readonly uart: Pl011;
  /** The PL031 real-time clock at 0x0901_0000, counting `clock`. */
  readonly rtc: Pl031;
  /** The VM clock (VirtMachineOptions.clock). */
  readonly clock: VmClock;
  /** The framebuffer, with the `framebuffer` option. */
  readonly framebuffer: Framebuffer | undefined;
  /** The generic PCIe host bridge (pcie-host.ts): its ECAM at 0x40_1000_0000 and its windows. */
  readonly pcie: PcieHost;
  /** The virtio transports' register interface (VirtMachineOptions.virtioMmio). */
  readonly virtioMmio: VirtioMmioVersion;
  /** The virtio-blk device's transport, with the `drive` option. */
  readonly virtioBlk: VirtioMmioTransport | undefined;
  /** The virtio-rng device's transport, with the `virtioRng` option. */
  readonly virtioRng: VirtioMmioTransport | undefined;
  /** The virtio-console device's transport, with the `virtioConsole` option. */
  readonly virtioConsole: VirtioMmioTransport | undefined;
  /** Bytes for the virtio-console's port 0 (stdin, a test): `consoleInput.push(bytes)`; handed over between rounds. */
  readonly consoleInput = new SerialInput();
  /** The virtio-blk device's disk (the `drive` option): a snapshot records its SHA-256 (snapshot.ts). */
  readonly drive: BlockDisk | undefined;
  /** The host's services (VirtMachineOptions.platform). */
  readonly platform: Platform;
  /** Bytes for the UART's receive side (stdin): `input.push(bytes)`, `input.end()`. */
  readonly input = new SerialInput();
  /** The first MAX_TAG_ACCESS_EXITS_KEPT 'arm-tag-access' exits (a guest can make them forever). */
  readonly tagAccessExits: { vcpu: number; ipa: bigint; isWrite: boolean }[] = [];
  /** Every 'arm-tag-access' exit so far, counted. */
  tagAccessExitCount = 0;
  private readonly onTagAccess: 'abort' | 'stop';
  /** What `load` did: where everything went. */
  boot: BootLayout | undefined;
  /** The device tree blob given to the guest (also when QEMU's rules leave the guest without a pointer to it). */
  dtb: Uint8Array | undefined;
  private readonly serial: SerialLog;
  /** Set when a vCPU exited to the VMM during the current round (for the stall message). */
  private eventful = false;
  /** Steps of the vCPUs' budgets that retired no instruction, since the machine was built (see maxInstructions). */
  private idleSteps = 0;
  /** Each vCPU's next `vcpu.run()` budget (RUN_CHUNK_MIN .. RUN_CHUNK_MAX; see RUN_CHUNK_MIN). */
  private readonly runChunk: number[] = [];
  /**
   * Bumped at each `run()` call: what the caller did before it (loading images, writing guest RAM through its own
   * view) may have written guest memory without reporting it to kvm-core (Vm.hostWrote). Everything of vmm-lite's
   * that writes guest memory while the machine runs (the virtio devices' DMA) reports it, so a vCPU whose last run
   * ended in this same `run()` call runs again with Vcpu.hostUnchanged vouched (turn).
   */
  private hostGen = 0;
  /** Per vCPU: `hostGen` when its last run() returned. */
  private readonly ranAtGen: number[] = [];

  constructor(options: VirtMachineOptions = {}) {
    this.ramSize = checkRamSize(options.memory ?? DEFAULT_RAM_BYTES);
    const smp = options.smp ?? 1;
    if (!Number.isInteger(smp) || smp < 1 || smp > MAX_SMP) throw new VmmError(`invalid CPU count ${smp}: must be 1..${MAX_SMP}`);
    this.mte = options.mte ?? true;
    this.platform = options.platform ?? defaultPlatform();
    this.kvm = options.kvm ?? new Kvm();
    const cacheBytes = options.codeCacheBytes;
    if (cacheBytes !== undefined && (!Number.isSafeInteger(cacheBytes) || cacheBytes < 1)) {
      throw new VmmError(`invalid code cache size ${String(cacheBytes)}: must be a positive number of bytes`);
    }
    const clock = typeof options.clock === 'string' ? { mode: options.clock } : options.clock ?? { mode: 'host' as const };
    if (clock.mode !== 'host' && clock.mode !== 'deterministic') throw new VmmError(`invalid clock ${String(clock.mode)}: must be host or deterministic`);
    const shift = 'shift' in clock ? clock.shift : undefined;
    if (shift !== undefined && (!Number.isInteger(shift) || shift < 0 || shift > 30)) throw new VmmError(`invalid clock shift ${shift}: must be an integer 0..30`);
    this.vm = this.kvm.createVm(0, {
      pagePolicy: options.pagePolicy, codeCacheBytes: cacheBytes ?? defaultCodeCacheBytes(this.ramSize),
      translate: options.translate, wasm: options.wasm, wasmHotRuns: options.wasmHotRuns, fastAfterRuns: options.fastAfterRuns,
      // The generic timers' counter: host monotonic time, or instructions retired (2^shift ticks of 1 ns each).
      clock: clock.mode === 'host' ? { mode: 'host' } : { mode: 'deterministic', ...(shift !== undefined && { shift }) },
    });
    if (this.mte) {
      if (this.vm.checkExtension(KVM_CAP_ARM_MTE) === 0) throw new VmmError('MTE was requested but the host KVM does not offer KVM_CAP_ARM_MTE');
      this.vm.enableCap(KVM_CAP_ARM_MTE);
    }
    // Accesses without a syndrome (LDP/STP, writeback) to I/O come back as exits instead of failing KVM_RUN.
    this.vm.enableCap(KVM_CAP_ARM_NISV_TO_USER);
    this.ram = this.kvm.mmap({ size: this.ramSize, kind: options.memBackend ?? 'anonymous', protMte: options.protMte ?? false });
    this.vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: BigInt(this.ramBase), memorySize: BigInt(this.ramSize), mapping: this.ram });
    if (options.memoryBudgetPages !== undefined) this.vm.setMemoryBudget(options.memoryBudgetPages);
    this.framebuffer = options.framebuffer === undefined ? undefined : new Framebuffer(this.kvm, this.vm, options.framebuffer, this.platform);
    this.onTagAccess = options.onTagAccess ?? 'abort';

    const onSerial = options.onSerial;
    const logBytes = options.serialLogBytes;
    if (logBytes !== undefined && (!Number.isSafeInteger(logBytes) || logBytes < 1)) {
      throw new VmmError(`invalid serial log size ${String(logBytes)}: must be a positive number of bytes`);
    }
    this.serial = new SerialLog(logBytes ?? (onSerial === undefined ? DEFAULT_SERIAL_LOG_BYTES : DEFAULT_STREAMED_SERIAL_LOG_BYTES));
    this.uart = new Pl011({
      onTransmit: (b) => {
        this.serial.push(b);
        onSerial?.(Uint8Array.of(b));
      },
      // SPI 1 of QEMU's virt (INTID 33), once the GIC exists (created below, with the vCPUs).
      onInterrupt: (level) => {
        if (this.gic !== undefined) this.vm.irqLine((1 << 24) | (32 + PL011_SPI), level);
      },
    });
    this.bus.map(PL011_BASE, PL011_SIZE, this.uart);
    // Host: the PL031 reads wall-clock time. Deterministic: the kvm-core counter the timers count (1 GHz: ns), so
    // the RTC also moves with the idle jumps to a timer's deadline.
    this.clock = clock.mode === 'host' ? hostClock('now' in clock ? clock.now : undefined) : counterClock(this.vm.clock);
    // SPI 2 of QEMU's virt (INTID 34), a level, once the GIC exists.
    this.rtc = new Pl031(this.clock, (level) => {
      if (this.gic !== undefined) this.vm.irqLine((1 << 24) | (32 + PL031_SPI), level);
    });
    this.bus.map(PL031_BASE, PL031_SIZE, this.rtc);
    this.drive = options.drive;
    this.virtioMmio = options.virtioMmio ?? 'modern';
    if (this.virtioMmio !== 'modern' && this.virtioMmio !== 'legacy') throw new VmmError(`invalid virtio-mmio version ${String(this.virtioMmio)}: must be legacy or modern`);
    const devices: Partial<Record<(typeof VIRTIO_DEVICE_ORDER)[number], VirtioDevice>> = {};
    if (options.drive !== undefined) devices.drive = new VirtioBlk(options.drive);
    const rng = options.virtioRng;
    if (rng !== undefined && rng !== false) devices.virtioRng = new VirtioRng(this.rngSource(rng, clock.mode === 'deterministic'));
    if (options.virtioConsole !== undefined) devices.virtioConsole = new VirtioConsole(options.virtioConsole.onOutput);
    const transports = this.plugVirtio(VIRTIO_DEVICE_ORDER.flatMap((k) => devices[k] ?? []));
    [this.virtioBlk, this.virtioRng, this.virtioConsole] = VIRTIO_DEVICE_ORDER.map((k) => transports.find((t) => t.device === devices[k]));
    this.pcie = new PcieHost({ testdev: options.pciTestdev ?? false });
    this.pcie.mapOn(this.bus);

    const vcpus: Vcpu[] = [];
    this.pmu = options.pmu ?? true;
    for (let i = 0; i < smp; i++) {
      const vcpu = this.vm.createVcpu(i);
      const features = (1 << KVM_ARM_VCPU_PSCI_0_2) | (i === 0 ? 0 : 1 << KVM_ARM_VCPU_POWER_OFF) | (this.pmu ? 1 << KVM_ARM_VCPU_PMU_V3 : 0);
      vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [features] });
      vcpus.push(vcpu);
    }
    this.vcpus = vcpus;
    this.gicVersion = options.gic ?? 'v3';
    if (this.gicVersion !== 'v3' && this.gicVersion !== 'v2' && this.gicVersion !== 'none') {
      throw new VmmError(`invalid GIC version ${String(this.gicVersion)}: must be v2 or v3`);
    }
    this.gic = createVirtGic(this.vm, this.gicVersion);
    // The PMU after the vGIC is initialised (as QEMU does it): its interrupt, then KVM_ARM_VCPU_PMU_V3_INIT.
    if (this.pmu) {
      for (const vcpu of vcpus) {
        if (this.gic !== undefined) vcpu.setDeviceAttr({ group: KVM_ARM_VCPU_PMU_V3_CTRL, attr: KVM_ARM_VCPU_PMU_V3_IRQ, value: PMU_PPI });
        vcpu.setDeviceAttr({ group: KVM_ARM_VCPU_PMU_V3_CTRL, attr: KVM_ARM_VCPU_PMU_V3_INIT });
      }
    }
  }

  /** The virtio-rng's source: a seeded stream for `{ seed }` or with the deterministic clock, else the platform's bytes. */
  private rngSource(opt: true | { seed: number }, deterministic: boolean): VirtioRngSource {
    if (opt !== true) return { kind: 'seeded', seed: opt.seed };
    if (deterministic) return { kind: 'seeded', seed: DEFAULT_RNG_SEED };
    return { kind: 'host', fill: (dest) => randomFill(this.platform, dest) };
  }

  /**
   * Put `devices` on transports 31, 30, ... (QEMU's order) and the empty transports below them, all with the
   * machine's register interface; each device's interrupt is its transport's SPI (16 + index).
   */
  private plugVirtio(devices: readonly VirtioDevice[]): VirtioMmioTransport[] {
    const mem = ramGuestMemory(this.vm, this.ram, this.ramBase);
    const empty = VIRTIO_MMIO_COUNT - devices.length;
    this.bus.map(VIRTIO_MMIO_BASE, empty * VIRTIO_MMIO_STRIDE, new EmptyVirtioMmio(this.virtioMmio));
    return devices.map((d, i) => {
      const index = VIRTIO_BLK_TRANSPORT - i;
      const t = new VirtioMmioTransport(d, mem, (level) => {
        if (this.gic !== undefined) this.vm.irqLine((1 << 24) | (32 + VIRTIO_MMIO_FIRST_SPI + index), level);
      }, this.virtioMmio);
      this.bus.map(VIRTIO_MMIO_BASE + index * VIRTIO_MMIO_STRIDE, VIRTIO_MMIO_STRIDE, t);
      return t;
    });
  }

  /** The virtio-console device, with the `virtioConsole` option. */
  get console(): VirtioConsole | undefined {
    return this.virtioConsole?.device as VirtioConsole | undefined;
  }

  /** MPIDR affinity (Aff2.Aff1.Aff0) of each vCPU, as the device tree lists them. */
  cpuMpidrs(): number[] {
    return this.vcpus.map((v) => Number(mpidrForVcpuId(v.id) & 0xff_ffffn));
  }

  /**
   * Place the kernel, initrd and device tree in RAM and set the boot vCPU's registers (see loader.ts for the
   * rules). Throws {@link VmmError} for an invalid kernel or one that does not fit.
   */
  load(opts: BootOptions): BootLayout {
    const seeds = bootSeeds(this.clock.mode === 'deterministic', this.platform);
    const dt = (initrd?: { start: number; end: number }): Uint8Array =>
      buildVirtDeviceTree({ ramBase: this.ramBase, ramSize: this.ramSize, cpuMpidrs: this.cpuMpidrs(), bootargs: opts.append, initrd, framebuffer: this.framebuffer?.describe(), gic: this.gicVersion, pmu: this.pmu, seeds, pcie: true });
    const initrdSize = opts.initrd?.length;
    // The blob's size does not depend on the initrd's address, only on whether there is one.
    const sizing = dt(initrdSize === undefined ? undefined : { start: 0, end: 0 });
    const layout = planBoot(opts.kernel, { base: this.ramBase, size: this.ramSize }, {
      dtbSize: sizing.length,
      ...(initrdSize === undefined ? {} : { initrdSize }),
      platform: this.platform,
    });
    const dtb = dt(layout.initrd);
    const mem = this.ram.bytes;
    for (const c of layout.chunks) {
      const off = c.addr - this.ramBase;
      mem.set(c.data, off);
      mem.fill(0, off + c.data.length, off + c.size);
    }
    if (layout.initrd !== undefined && opts.initrd !== undefined) mem.set(opts.initrd, layout.initrd.start - this.ramBase);
    if (layout.dtbAddr !== undefined) mem.set(dtb, layout.dtbAddr - this.ramBase);
    const boot = this.vcpus[0]!;
    layout.regs.forEach((v, i) => boot.setOneReg(CoreReg.x(i), BigInt(v)));
    boot.setOneReg(CoreReg.PC, BigInt(layout.entry));
    this.boot = layout;
    this.dtb = dtb;
    return layout;
  }

  /** Guest instructions retired so far, all vCPUs. */
  get instructions(): number {
    return this.vcpus.reduce((s, v) => s + v.instructionsRetired, 0);
  }

  /** What the guest has written to the UART so far: all of it, or the last `serialLogBytes` bytes. */
  serialOutput(): Uint8Array {
    return this.serial.bytes();
  }

  /**
   * Run the vCPUs round-robin until the guest powers off or resets, no vCPU can make progress, the instruction
   * limit is reached, or the model fails. Yields to the host's event loop after every round (Platform.yield:
   * setImmediate on Node), and a round takes a bounded time whatever the guest does (turns are charged for
   * exceptions and exits too: TURN_COST).
   *
   * Guest memory written by the host while this runs (from the event loop, between rounds) must be reported to
   * kvm-core (`vm.hostWrote`), as vmm-lite's devices report their DMA: vmm-lite keeps its translated code and chains
   * from one run of a vCPU to the next within a `run()` call (Vcpu.hostUnchanged), so an unreported write to code
   * could go unseen. Writes before the call need no report.
   */
  async run(opts: MachineRunOptions = {}): Promise<RunResult> {
    this.hostGen++;
    const limit = opts.maxInstructions ?? Infinity;
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit > 0))) throw new VmmError(`invalid instruction limit ${limit}: must be a positive integer`);
    const slice = opts.slice ?? DEFAULT_SLICE;
    if (!Number.isSafeInteger(slice) || slice <= 0) throw new VmmError(`invalid slice ${slice}: must be a positive integer`);
    /** vCPUs idle in WFI, until their IRQ input is asserted (an SGI from another vCPU, a device's SPI). */
    const idle = new Set<number>();
    const loops = opts.detectLoops === false ? undefined : new LoopDetector({
      vcpus: this.vcpus, vm: this.vm, ramSlot: 0, ram: this.ram.bytes, devices: () => this.deviceState(),
      progress: () => this.serial.written + this.input.delivered + (this.console?.written ?? 0) + this.consoleInput.delivered,
    });
    const detecting = typeof opts.detectLoops === 'function' ? opts.detectLoops : () => true;
    loops?.start();
    /** Turns that ended in giving way (a YIELD or WFE spin), each charged TURN_COST.exit: it costs about an exit. */
    let gaveWayTurns = 0;
    /** Work (instructions, steps that retired none, turns given way) done by the last round boundary. */
    let boundaryAt = this.instructions + this.idleSteps;
    /** This round goes on from the last without a boundary between them (see below). */
    let quick = false;
    try {
      for (;;) {
        if (opts.shouldStop?.() === true) return this.result('stop-requested', `stopped on request (after ${this.instructions} instructions)`);
        this.rtc.update(); // an RTC alarm that came due raises its SPI (level) before idle vCPUs are looked at
        for (const i of idle) if (this.vcpus[i]!.irqPending) idle.delete(i);
        let ran = false;
        if (!quick) this.eventful = false;
        let turns = 0;
        let gaveWay = 0;
        for (let i = 0; i < this.vcpus.length; i++) {
          const vcpu = this.vcpus[i]!;
          if (idle.has(i) || vcpu.getMpState() === KVM_MP_STATE_STOPPED) continue;
          ran = true;
          turns++;
          const r = this.turn(i, limit, slice, idle);
          if (r === 'wfi') idle.add(i);
          else if (r === 'yield') gaveWay++;
          else if (r !== undefined) return r;
        }
        const over = this.overLimit(limit);
        if (over !== undefined) return over;
        // A round in which every vCPU gave way to another (each spinning on YIELD or WFE: an IPI's round trip, a lock
        // handed over) is short: the next one runs at once, and the boundary's work (loop detection, the host's event
        // loop) waits until a slice's worth has run since the last boundary. Deterministic: only the guest decides.
        gaveWayTurns += gaveWay;
        const work = this.instructions + this.idleSteps + gaveWayTurns * TURN_COST.exit;
        quick = turns > 0 && gaveWay === turns && work - boundaryAt < slice;
        if (quick) continue;
        boundaryAt = work;
        if (loops !== undefined) {
          // A timer armed for later is an event to come: the state repeating meanwhile is not a stall.
          if (!detecting() || this.timerArmed()) loops.reset();
          else if (ran && loops.repeats(idle)) {
            return this.result('stalled', this.eventful
              ? 'guest stalled: it is looping through exits to the VMM and the machine state (registers, devices and RAM) repeats exactly, so it can never make progress'
              : 'guest stalled: it is looping without exits and its state (registers and RAM) repeats exactly, so it can never make progress');
          }
        }
        if (!ran && idle.size > 0) {
          // Every vCPU is idle or off: wait for the first timer deadline of an idle one, if any is armed.
          const deadline = this.idleDeadline(idle);
          if (deadline !== undefined) {
            await this.waitFor(deadline);
            ran = true;
          }
        }
        if (!ran) {
          const stopped = this.vcpus.length - idle.size;
          const what = idle.size === 0 ? 'every vCPU is powered off'
            : `${idle.size === 1 && this.vcpus.length === 1 ? 'the vCPU is' : `${idle.size} vCPU(s) are`} idle in WFI with no interrupt source that could wake ${idle.size === 1 ? 'it' : 'them'}${stopped > 0 ? `, the other ${stopped} powered off` : ''}`;
          return this.result('stalled', `guest stalled: ${what}`);
        }
        await this.platform.yield();
        this.input.pump(this.uart);
        this.pumpConsole();
      }
    } finally {
      loops?.stop();
    }
  }

  /** Hand the bytes queued in `consoleInput` to the virtio-console, which fills the guest's buffers with them. */
  private pumpConsole(): void {
    const c = this.console;
    if (c === undefined || this.consoleInput.pending === 0) return;
    const bytes: number[] = [];
    this.consoleInput.pump({ canReceive: () => true, receive: (b) => { bytes.push(b); } });
    c.input(Uint8Array.from(bytes));
  }

  /**
   * The earliest timer deadline (kvm-core `vcpu.timerDeadline()`, VM clock ticks) of the idle vCPUs that is still
   * ahead, if any. A timer that has fired without waking its vCPU (its PPI disabled or masked at the GIC) is no
   * event to wait for.
   */
  private idleDeadline(idle: ReadonlySet<number>): bigint | undefined {
    const now = this.vm.clock.now();
    let first: bigint | undefined;
    for (const i of idle) {
      const d = this.vcpus[i]!.timerDeadline();
      if (d !== undefined && d > now && (first === undefined || d < first)) first = d;
    }
    const rtc = this.rtcDeadline(now);
    if (rtc !== undefined && (first === undefined || rtc < first)) first = rtc;
    return first;
  }

  /** The VM clock tick at which the PL031's unmasked alarm raises its interrupt, if one is armed and still ahead. */
  private rtcDeadline(now: bigint): bigint | undefined {
    const ns = this.rtc.nsUntilAlarm();
    return ns === undefined || ns === 0n ? undefined : now + (ns * COUNTER_HZ + 999_999_999n) / 1_000_000_000n;
  }

  /** Whether a vCPU's timer is armed for a deadline still ahead (the machine will see an event then). */
  private timerArmed(): boolean {
    const now = this.vm.clock.now();
    if (this.rtcDeadline(now) !== undefined) return true;
    return this.vcpus.some((v) => {
      const d = v.getMpState() === KVM_MP_STATE_STOPPED ? undefined : v.timerDeadline();
      return d !== undefined && d > now;
    });
  }

  /**
   * Every vCPU is idle until `deadline` (VM clock ticks). Deterministic clock: the clock jumps there (the rule: time
   * advances by instructions, and when all vCPUs wait in WFI, straight to the earliest deadline). Host clock: sleep
   * until host time reaches it, at most MAX_IDLE_SLEEP_MS at a time (the loop then looks again: input, stop requests).
   */
  private async waitFor(deadline: bigint): Promise<void> {
    const clock = this.vm.clock;
    if (clock.mode === 'deterministic') {
      clock.advanceTo(deadline);
      return;
    }
    const ms = Math.min(MAX_IDLE_SLEEP_MS, Math.ceil(Number(clock.nsUntil(deadline)) / 1e6));
    if (ms <= 0) return;
    const sleep = this.platform.sleep;
    await (sleep !== undefined ? sleep.call(this.platform, ms) : new Promise<void>((resolve) => setTimeout(resolve, ms)));
  }

  /** The 'instruction-limit' result once either count has reached `limit` (see MachineRunOptions.maxInstructions). */
  private overLimit(limit: number): RunResult | undefined {
    if (this.instructions >= limit) return this.result('instruction-limit', `instruction limit reached (${limit} instructions)`);
    if (this.idleSteps >= limit) {
      return this.result('instruction-limit', `instruction limit reached (${limit} steps that retired no instruction, such as exceptions taken in a loop, after ${this.instructions} instructions)`);
    }
    return undefined;
  }

  /** Guest-visible state outside the vCPUs and RAM, for the loop detector: devices, input, output so far. */
  private deviceState(): string {
    const input = this.input;
    const virtio = [this.virtioBlk, this.virtioRng, this.virtioConsole].map((t) => (t === undefined ? '' : JSON.stringify(t.saveState())));
    return `${JSON.stringify(this.uart.saveState())};rtc=${this.rtc.loopState()};pcie=${this.pcie.loopState()};in=${input.pending}/${input.delivered}/${input.ended};out=${this.serial.written};virtio=${virtio.join('|')}`;
  }

  /**
   * One turn of vCPU `i`: run it until its slice is used (undefined), it idles ('wfi') or powers off (undefined;
   * skipped from then on), it spins on another vCPU ('yield': a YIELD or a waiting WFE while another vCPU can run),
   * or the machine stops (a result).
   */
  private turn(i: number, limit: number, slice: number, idle: ReadonlySet<number>): RunResult | 'wfi' | 'yield' | undefined {
    const vcpu = this.vcpus[i]!;
    const smp = this.vcpus.length > 1;
    /** A spin of this turn found no other vCPU that could run. */
    let alone = false;
    // The turn ends once `slice` is spent, counting instructions retired and, at TURN_COST, steps that retired
    // nothing and exits to the VMM: a guest polling the UART (an exit per poll) or faulting on its own vector (no
    // instruction ever retires) still ends its turn, so the loop yields to the event loop (stdin, signals, timers).
    let spent = 0;
    for (;;) {
      const over = this.overLimit(limit);
      if (over !== undefined) return over;
      const turnLeft = slice - spent;
      if (turnLeft <= 0) return undefined;
      const chunk = this.runChunk[i] ?? RUN_CHUNK_MIN;
      const budget = Math.min(turnLeft, chunk, limit - this.instructions, limit - this.idleSteps);
      vcpu.runBudget = budget;
      // Nothing wrote guest memory behind kvm-core's back since this vCPU's last run in this run() call (see
      // hostGen): after a budget exit, an exit the VMM answered (its devices report their DMA) or the event loop's
      // turn between rounds alike. kvm-core then keeps its translated code's checks and chains.
      vcpu.hostUnchanged = this.ranAtGen[i] === this.hostGen;
      // A vCPU spinning (YIELD, or WFE with no event) waits for another one: it gives way ('yield' exits) while
      // another vCPU can run, or may by the time it spins (this run may power one on or interrupt it). Once a spin
      // found none, its spins are NOPs inside the run (no exit each) until one can run.
      vcpu.yieldExits = smp && (!alone || this.othersRunnable(i, idle));
      const retiredBefore = vcpu.instructionsRetired;
      let exit: KvmExit;
      try {
        exit = vcpu.run();
        this.ranAtGen[i] = this.hostGen;
      } catch (e) {
        if (e instanceof KvmError) return this.result('guest-error', `KVM_RUN failed on vCPU ${vcpu.id}: ${e.message}`);
        return this.result('internal-error', `KVM_RUN threw on vCPU ${vcpu.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const retired = vcpu.instructionsRetired - retiredBefore;
      // A budget exit used the whole budget: what did not retire went on exceptions and traps (Vcpu.runBudget).
      // Any other exit that retired nothing is one such step (the fault that caused it). Either way the turn goes
      // on until its slice is spent.
      const idleSteps = exit.reason === 'intr' && exit.cause === 'budget' ? Math.max(0, budget - retired) : retired === 0 ? 1 : 0;
      this.idleSteps += idleSteps;
      this.runChunk[i] = idleSteps * 16 > budget ? RUN_CHUNK_MIN : Math.min(2 * chunk, RUN_CHUNK_MAX);
      const toVmm = exit.reason === 'mmio' || exit.reason === 'arm-nisv' || exit.reason === 'arm-tag-access';
      spent += retired + idleSteps * TURN_COST.idleStep + (toVmm ? TURN_COST.exit : 0);
      if (toVmm) this.eventful = true;
      switch (exit.reason) {
        case 'mmio':
          try {
            this.mmio(vcpu, exit.physAddr, exit.len, exit.isWrite, exit.data);
          } catch (e) {
            return this.result('internal-error', `device model failed at ${hex(exit.physAddr)}: ${e instanceof Error ? e.message : String(e)}`);
          }
          continue;
        case 'arm-nisv':
          // An I/O access the hypervisor cannot decode (no syndrome): QEMU answers it with an External abort.
          injectExternalDataAbort(vcpu, { far: exit.faultIpa, write: (exit.esrIss & (1n << 6n)) !== 0n, mte: this.mte, pendingMmio: false });
          continue;
        case 'system-event':
          if (exit.type === KVM_SYSTEM_EVENT_SHUTDOWN) return this.result('shutdown');
          if (exit.type === KVM_SYSTEM_EVENT_RESET) return this.result('reset');
          return this.result('internal-error', `unknown system event type ${exit.type}`);
        case 'intr':
          if (exit.cause === 'budget') continue;
          if (exit.cause === 'yield') {
            if (this.othersRunnable(i, idle)) return 'yield';
            alone = true;
            spent += TURN_COST.exit; // a spin that ended the run for nothing: about an exit's cost
            continue;
          }
          return exit.cause === 'wfi' ? 'wfi' : undefined;
        case 'arm-tag-access':
          if (this.tagAccessExits.length < MAX_TAG_ACCESS_EXITS_KEPT) this.tagAccessExits.push({ vcpu: vcpu.id, ipa: exit.ipa, isWrite: exit.isWrite });
          this.tagAccessExitCount++;
          if (this.onTagAccess === 'stop') {
            return this.result('guest-error', `guest tag access to memory without tag storage (NoTagAccess) at IPA ${hex(exit.ipa)} on vCPU ${vcpu.id} (arm-tag-access exit)`);
          }
          injectExternalDataAbort(vcpu, { far: exit.ipa, write: exit.isWrite, mte: this.mte, pendingMmio: false });
          continue;
        case 'internal-error':
          return this.result('internal-error', exit.message);
      }
    }
  }

  /** Whether a vCPU other than `i` can run now: powered on, and not idle in WFI, or idle with an interrupt to take. */
  private othersRunnable(i: number, idle: ReadonlySet<number>): boolean {
    for (let j = 0; j < this.vcpus.length; j++) {
      if (j === i) continue;
      const v = this.vcpus[j]!;
      if (v.getMpState() === KVM_MP_STATE_STOPPED) continue;
      if (!idle.has(j) || v.irqPending) return true;
    }
    return false;
  }

  /** Answer an MMIO exit: a device's access, or a synchronous External abort where nothing is mapped. */
  private mmio(vcpu: Vcpu, physAddr: bigint, len: AccessSize, isWrite: boolean, data: Uint8Array): void {
    const addr = Number(physAddr);
    if (isWrite) {
      let v = 0n;
      for (let b = len - 1; b >= 0; b--) v = (v << 8n) | BigInt(data[b]!);
      if (this.bus.write(addr, len, v)) {
        this.input.pump(this.uart);
        return;
      }
    } else {
      const v = this.bus.read(addr, len);
      this.input.pump(this.uart); // a read of UARTDR made room: refill before the guest polls again
      if (v !== undefined) {
        for (let b = 0; b < len; b++) data[b] = Number((v >> BigInt(8 * b)) & 0xffn);
        return;
      }
    }
    injectExternalDataAbort(vcpu, { far: physAddr, write: isWrite, mte: this.mte, pendingMmio: true });
  }

  private result(outcome: RunOutcome, message?: string): RunResult {
    const r: RunResult = { outcome, serial: this.serial.bytes(), instructions: this.instructions };
    if (this.serial.dropped > 0) r.serialDropped = this.serial.dropped;
    if (message !== undefined) r.message = message;
    return r;
  }
}
