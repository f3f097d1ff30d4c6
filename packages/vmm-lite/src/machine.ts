/**
 * The QEMU `virt` machine as vmm-lite builds it on kvm-core: RAM at 0x4000_0000, a PL011 at 0x0900_0000, PSCI
 * over HVC (handled by kvm-core), a device tree, and the run loop that answers the vCPUs' exits.
 */
import {
  CoreReg, Kvm, KvmError, KVM_ARM_TARGET_GENERIC_V8, KVM_ARM_VCPU_POWER_OFF, KVM_ARM_VCPU_PSCI_0_2,
  KVM_CAP_ARM_MTE, KVM_CAP_ARM_NISV_TO_USER, KVM_MP_STATE_STOPPED, KVM_SYSTEM_EVENT_RESET,
  KVM_SYSTEM_EVENT_SHUTDOWN, mpidrForVcpuId, type HostMapping, type KvmExit, type PageUpgradePolicy, type Vcpu, type Vm,
} from '@kvm-mte/kvm-core';
import { MmioBus, type AccessSize } from './bus.js';
import { hex, MiB, VmmError } from './errors.js';
import { discardPendingMmio, injectSyncExternalAbort } from './inject.js';
import { LoopDetector } from './loop-detect.js';
import { planBoot, VIRT_RAM_BASE, type BootLayout } from './loader.js';
import { Pl011, PL011_BASE, PL011_SIZE } from './pl011.js';
import { checkRamSize } from './size.js';
import { buildVirtDeviceTree } from './virt-dt.js';
import { Framebuffer, type FramebufferOptions } from './framebuffer.js';
import { SerialInput } from './serial-input.js';

export const DEFAULT_RAM_BYTES = 256 * MiB;
/** The most vCPUs the board takes (QEMU's virt with its default GICv2 takes 8). */
export const MAX_SMP = 8;
/** Guest instructions a vCPU runs before the loop turns to the next vCPU and lets Node's event loop run. */
export const DEFAULT_SLICE = 1_000_000;

export type RunOutcome = 'shutdown' | 'reset' | 'stalled' | 'instruction-limit' | 'internal-error' | 'guest-error' | 'stop-requested';

export interface RunResult {
  /**
   * - 'shutdown': PSCI SYSTEM_OFF. - 'reset': PSCI SYSTEM_RESET / SYSTEM_RESET2 (not rebooted, like QEMU -no-reboot).
   * - 'stalled': the guest can never make progress: every vCPU is idle in WFI with nothing that could interrupt it,
   *   or powered off; or it loops without exits and the whole machine state repeats exactly (loop-detect.ts).
   * - 'instruction-limit': maxInstructions ran out. - 'internal-error': the model failed (a bug, not the guest).
   * - 'guest-error': the guest did something the hypervisor refused to run (KVM_RUN failed).
   * - 'stop-requested': `shouldStop` (MachineRunOptions) said so at a round boundary (a snapshot request).
   */
  outcome: RunOutcome;
  /** Everything the guest wrote to the UART. */
  serial: Uint8Array;
  /** Guest instructions retired, all vCPUs together. */
  instructions: number;
  /** Why, for every outcome but 'shutdown' and 'reset'. */
  message?: string;
}

export interface VirtMachineOptions {
  /** Guest RAM in bytes: a positive multiple of 4 KiB, at most 4 GiB. Default 256 MiB. */
  memory?: number;
  /** vCPUs, 1..8. Default 1. Secondaries start powered off, for PSCI CPU_ON. */
  smp?: number;
  /** Enable KVM_CAP_ARM_MTE on the VM (like `-M virt,mte=on`). Default true. */
  mte?: boolean;
  /** Called with the guest's UART output as it is written, byte by byte. */
  onSerial?: (bytes: Uint8Array) => void;
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
}

export interface BootOptions {
  /** An ELF64 AArch64 executable, a Linux arm64 Image (optionally gzip-compressed) or a raw binary. */
  kernel: Uint8Array;
  /** /chosen/bootargs. */
  append?: string;
  /** An initramfs, for an Image or raw kernel. */
  initrd?: Uint8Array;
}

export interface MachineRunOptions {
  /** Stop with 'instruction-limit' after this many guest instructions. Default: no limit. */
  maxInstructions?: number;
  /** Instructions per vCPU turn (default 1,000,000). */
  slice?: number;
  /**
   * Stop with 'stalled' when the guest loops without exits and the whole machine state repeats (see
   * loop-detect.ts). Default true. A function: detect only while it returns true (for example, only once live input
   * has ended: until then a guest polling for input legitimately repeats its state).
   */
  detectLoops?: boolean | (() => boolean);
  /**
   * Asked at every round boundary (and before the first): true stops the run with 'stop-requested', every vCPU
   * between instructions (an MMIO exit may still wait for its completion: see snapshot.ts `quiesce`).
   */
  shouldStop?: () => boolean;
}

/** Grows as the guest prints. */
class ByteLog {
  private buf = new Uint8Array(4096);
  length = 0;
  push(b: number): void {
    if (this.length === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.length++] = b;
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
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
  readonly bus = new MmioBus();
  readonly uart: Pl011;
  /** The framebuffer, with the `framebuffer` option. */
  readonly framebuffer: Framebuffer | undefined;
  /** Bytes for the UART's receive side (stdin): `input.push(bytes)`, `input.end()`. */
  readonly input = new SerialInput();
  /** Every 'arm-tag-access' exit so far. */
  readonly tagAccessExits: { vcpu: number; ipa: bigint; isWrite: boolean }[] = [];
  private readonly onTagAccess: 'abort' | 'stop';
  /** What `load` did: where everything went. */
  boot: BootLayout | undefined;
  /** The device tree blob given to the guest (also when QEMU's rules leave the guest without a pointer to it). */
  dtb: Uint8Array | undefined;
  private readonly serial = new ByteLog();
  /** Set when a vCPU exited for something other than its budget during the current round. */
  private eventful = false;

  constructor(options: VirtMachineOptions = {}) {
    this.ramSize = checkRamSize(options.memory ?? DEFAULT_RAM_BYTES);
    const smp = options.smp ?? 1;
    if (!Number.isInteger(smp) || smp < 1 || smp > MAX_SMP) throw new VmmError(`invalid CPU count ${smp}: must be 1..${MAX_SMP}`);
    this.mte = options.mte ?? true;
    this.kvm = options.kvm ?? new Kvm();
    this.vm = options.pagePolicy === undefined ? this.kvm.createVm() : this.kvm.createVm(0, { pagePolicy: options.pagePolicy });
    if (this.mte) {
      if (this.vm.checkExtension(KVM_CAP_ARM_MTE) === 0) throw new VmmError('MTE was requested but the host KVM does not offer KVM_CAP_ARM_MTE');
      this.vm.enableCap(KVM_CAP_ARM_MTE);
    }
    // Accesses without a syndrome (LDP/STP, writeback) to I/O come back as exits instead of failing KVM_RUN.
    this.vm.enableCap(KVM_CAP_ARM_NISV_TO_USER);
    this.ram = this.kvm.mmap({ size: this.ramSize, kind: options.memBackend ?? 'anonymous', protMte: options.protMte ?? false });
    this.vm.setUserMemoryRegion({ slot: 0, flags: 0, guestPhysAddr: BigInt(this.ramBase), memorySize: BigInt(this.ramSize), mapping: this.ram });
    if (options.memoryBudgetPages !== undefined) this.vm.setMemoryBudget(options.memoryBudgetPages);
    this.framebuffer = options.framebuffer === undefined ? undefined : new Framebuffer(this.kvm, this.vm, options.framebuffer);
    this.onTagAccess = options.onTagAccess ?? 'abort';

    const onSerial = options.onSerial;
    this.uart = new Pl011({
      onTransmit: (b) => {
        this.serial.push(b);
        onSerial?.(Uint8Array.of(b));
      },
    });
    this.bus.map(PL011_BASE, PL011_SIZE, this.uart);

    const vcpus: Vcpu[] = [];
    for (let i = 0; i < smp; i++) {
      const vcpu = this.vm.createVcpu(i);
      const features = (1 << KVM_ARM_VCPU_PSCI_0_2) | (i === 0 ? 0 : 1 << KVM_ARM_VCPU_POWER_OFF);
      vcpu.armVcpuInit({ target: KVM_ARM_TARGET_GENERIC_V8, features: [features] });
      vcpus.push(vcpu);
    }
    this.vcpus = vcpus;
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
    const dt = (initrd?: { start: number; end: number }): Uint8Array =>
      buildVirtDeviceTree({ ramBase: this.ramBase, ramSize: this.ramSize, cpuMpidrs: this.cpuMpidrs(), bootargs: opts.append, initrd, framebuffer: this.framebuffer?.describe() });
    const initrdSize = opts.initrd?.length;
    // The blob's size does not depend on the initrd's address, only on whether there is one.
    const sizing = dt(initrdSize === undefined ? undefined : { start: 0, end: 0 });
    const layout = planBoot(opts.kernel, { base: this.ramBase, size: this.ramSize }, {
      dtbSize: sizing.length,
      ...(initrdSize === undefined ? {} : { initrdSize }),
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

  /** Everything the guest has written to the UART so far. */
  serialOutput(): Uint8Array {
    return this.serial.bytes();
  }

  /**
   * Run the vCPUs round-robin until the guest powers off or resets, no vCPU can make progress, the instruction
   * limit is reached, or the model fails. Yields to Node's event loop between turns.
   */
  async run(opts: MachineRunOptions = {}): Promise<RunResult> {
    const limit = opts.maxInstructions ?? Infinity;
    if (!(limit === Infinity || (Number.isSafeInteger(limit) && limit > 0))) throw new VmmError(`invalid instruction limit ${limit}: must be a positive integer`);
    const slice = opts.slice ?? DEFAULT_SLICE;
    if (!Number.isSafeInteger(slice) || slice <= 0) throw new VmmError(`invalid slice ${slice}: must be a positive integer`);
    /** vCPUs idle in WFI. Nothing can interrupt them yet (no interrupt controller), so they stay idle. */
    const idle = new Set<number>();
    const loops = opts.detectLoops === false ? undefined : new LoopDetector(this.vcpus, this.ram.bytes);
    const detecting = typeof opts.detectLoops === 'function' ? opts.detectLoops : () => true;
    for (;;) {
      if (opts.shouldStop?.() === true) return this.result('stop-requested', `stopped on request (after ${this.instructions} instructions)`);
      let ran = false;
      this.eventful = false;
      for (let i = 0; i < this.vcpus.length; i++) {
        const vcpu = this.vcpus[i]!;
        if (idle.has(i) || vcpu.getMpState() === KVM_MP_STATE_STOPPED) continue;
        ran = true;
        const r = this.turn(i, limit, slice);
        if (r === 'wfi') idle.add(i);
        else if (r !== undefined) return r;
      }
      if (this.instructions >= limit) return this.result('instruction-limit', `instruction limit reached (${limit} instructions)`);
      if (loops !== undefined) {
        if (this.eventful || !detecting()) loops.reset();
        else if (ran && loops.repeats()) {
          return this.result('stalled', 'guest stalled: it is looping without exits and its state (registers and RAM) repeats exactly, so it can never make progress');
        }
      }
      if (!ran) {
        const stopped = this.vcpus.length - idle.size;
        const what = idle.size === 0 ? 'every vCPU is powered off'
          : `${idle.size === 1 && this.vcpus.length === 1 ? 'the vCPU is' : `${idle.size} vCPU(s) are`} idle in WFI with no interrupt source that could wake ${idle.size === 1 ? 'it' : 'them'}${stopped > 0 ? `, the other ${stopped} powered off` : ''}`;
        return this.result('stalled', `guest stalled: ${what}`);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.input.pump(this.uart);
    }
  }

  /**
   * One turn of vCPU `i`: run it until its slice is used (undefined), it idles ('wfi') or powers off (undefined;
   * skipped from then on), or the machine stops (a result).
   */
  private turn(i: number, limit: number, slice: number): RunResult | 'wfi' | undefined {
    const vcpu = this.vcpus[i]!;
    // The turn ends after `slice` instructions even when the vCPU keeps exiting (a guest polling the UART exits on
    // every poll), so the loop still yields to the event loop (stdin, timers) between rounds.
    const turnStart = vcpu.instructionsRetired;
    for (;;) {
      const left = limit - this.instructions;
      if (left <= 0) return this.result('instruction-limit', `instruction limit reached (${limit} instructions)`);
      const turnLeft = slice - (vcpu.instructionsRetired - turnStart);
      if (turnLeft <= 0) return undefined;
      vcpu.runBudget = Math.min(turnLeft, left);
      let exit: KvmExit;
      try {
        exit = vcpu.run();
      } catch (e) {
        if (e instanceof KvmError) return this.result('guest-error', `KVM_RUN failed on vCPU ${vcpu.id}: ${e.message}`);
        return this.result('internal-error', `KVM_RUN threw on vCPU ${vcpu.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (exit.reason !== 'intr' || exit.cause !== 'budget') this.eventful = true;
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
          injectSyncExternalAbort(vcpu, { far: exit.faultIpa, write: (exit.esrIss & (1n << 6n)) !== 0n, mte: this.mte });
          continue;
        case 'system-event':
          if (exit.type === KVM_SYSTEM_EVENT_SHUTDOWN) return this.result('shutdown');
          if (exit.type === KVM_SYSTEM_EVENT_RESET) return this.result('reset');
          return this.result('internal-error', `unknown system event type ${exit.type}`);
        case 'intr':
          return exit.cause === 'wfi' ? 'wfi' : undefined;
        case 'arm-tag-access':
          this.tagAccessExits.push({ vcpu: vcpu.id, ipa: exit.ipa, isWrite: exit.isWrite });
          if (this.onTagAccess === 'stop') {
            return this.result('guest-error', `guest tag access to memory without tag storage (NoTagAccess) at IPA ${hex(exit.ipa)} on vCPU ${vcpu.id} (arm-tag-access exit)`);
          }
          injectSyncExternalAbort(vcpu, { far: exit.ipa, write: exit.isWrite, mte: this.mte });
          continue;
        case 'internal-error':
          return this.result('internal-error', exit.message);
      }
    }
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
    discardPendingMmio(vcpu);
    injectSyncExternalAbort(vcpu, { far: physAddr, write: isWrite, mte: this.mte });
  }

  private result(outcome: RunOutcome, message?: string): RunResult {
    const r: RunResult = { outcome, serial: this.serial.bytes(), instructions: this.instructions };
    if (message !== undefined) r.message = message;
    return r;
  }
}
