/** runVirt: boot a kernel on the virt machine and run it to the end, in one call (for tests and the CLI). */
import { VirtMachine, type RunResult } from './machine.js';

export interface RunVirtOptions {
  /** An ELF64 AArch64 executable, a Linux arm64 Image (optionally gzip-compressed) or a raw binary. */
  kernel: Uint8Array;
  /** Guest RAM in bytes (default 256 MiB): a positive multiple of 4 KiB, at most 4 GiB. */
  memory?: number;
  /** Kernel command line: /chosen/bootargs. */
  append?: string;
  /** An initramfs (Image or raw kernels only): placed in RAM, /chosen/linux,initrd-start and -end. */
  initrd?: Uint8Array;
  /** KVM_CAP_ARM_MTE on the VM, like `-M virt,mte=on` (default true). */
  mte?: boolean;
  /** vCPUs, 1..8 (default 1). */
  smp?: number;
  /** Stop with outcome 'instruction-limit' after this many guest instructions (default: no limit). */
  maxInstructions?: number;
  /** The guest's UART output as it is written. */
  onSerial?: (bytes: Uint8Array) => void;
}

/**
 * Build the machine, load the kernel and run the guest until it powers off, resets, stalls, hits the instruction
 * limit or the model fails. Rejects with a VmmError for invalid options or a kernel that cannot be loaded.
 */
export async function runVirt(options: RunVirtOptions): Promise<RunResult> {
  const machine = new VirtMachine({
    ...(options.memory !== undefined && { memory: options.memory }),
    ...(options.smp !== undefined && { smp: options.smp }),
    ...(options.mte !== undefined && { mte: options.mte }),
    ...(options.onSerial !== undefined && { onSerial: options.onSerial }),
  });
  machine.load({
    kernel: options.kernel,
    ...(options.append !== undefined && { append: options.append }),
    ...(options.initrd !== undefined && { initrd: options.initrd }),
  });
  return machine.run(options.maxInstructions === undefined ? {} : { maxInstructions: options.maxInstructions });
}

export type { RunResult };
