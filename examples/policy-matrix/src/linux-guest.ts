/**
 * Driving the Linux guest's /mte-hold process (scripts/linux-guest/mte-hold.c) on vmm-lite: boot to its "ready"
 * line, hand it an event line on the console, read its report. The scenarios (linux-matrix.ts) build on these.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PagePolicies, type PageUpgradePolicy } from '@kvm-mte/kvm-core';
import { VirtMachine, type VirtMachineOptions } from '@kvm-mte/vmm-lite';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the built guest is: $KVM_MTE_LINUX_DIR, else .cache/linux-guest in the repository (build.sh's default). */
export function linuxGuestDir(): string {
  return process.env.KVM_MTE_LINUX_DIR ?? join(ROOT, '.cache', 'linux-guest');
}

/** Whether the built guest (Image and initrd.gz) is there. */
export function haveLinuxGuest(dir = linuxGuestDir()): boolean {
  return existsSync(join(dir, 'Image')) && existsSync(join(dir, 'initrd.gz'));
}

export interface LinuxGuest {
  kernel: Uint8Array;
  initrd: Uint8Array;
}

export function loadLinuxGuest(dir = linuxGuestDir()): LinuxGuest {
  return { kernel: new Uint8Array(readFileSync(join(dir, 'Image'))), initrd: new Uint8Array(readFileSync(join(dir, 'initrd.gz'))) };
}

/** Guest RAM of every Linux machine: enough for the kernel, busybox and the process, small to snapshot. */
export const LINUX_MEMORY = 256 << 20;
/** The kernel command line: the console, no kernel messages on it, /init runs /mte-hold. */
export const LINUX_APPEND = 'console=ttyAMA0 quiet kvm_mte.run=mte-hold';
/** A bound on any one run (a boot takes about 1e9 instructions): a guest that never gets there fails the cell. */
export const LINUX_MAX_INSNS = 6_000_000_000;
/**
 * And on its host time: a guest idle forever (waiting for a line it never got) retires no instructions but keeps
 * its timer armed, so only a clock ends that run. A boot takes 30 s to a few minutes on a busy machine.
 */
export const LINUX_MAX_MS = 20 * 60_000;

/** A `shouldStop` that says stop once `ms` of host time have passed, or `also` says so. */
function within(ms: number, also: () => boolean = () => false): () => boolean {
  const end = Date.now() + ms;
  return () => also() || Date.now() > end;
}

/** What /mte-hold printed when it was ready: its buffer's guest-physical page frames. */
export interface Ready {
  pages: number;
  granules: number;
  pfns: number[];
}

const READY = /^mte-hold: ready pages=(\d+) granules=(\d+) pfns=([0-9a-f,]+)\r?$/m;

export function parseReady(serial: string): Ready | undefined {
  const m = READY.exec(serial);
  if (m === null) return undefined;
  return { pages: Number(m[1]), granules: Number(m[2]), pfns: m[3]!.split(',').map((x) => parseInt(x, 16)) };
}

/** The process's report line, parsed (mte-hold.c says what each field means). */
export interface HoldReport {
  ldg: number;
  loads: number;
  data: number;
  granules: number;
  /** 'none', or the signal and code of the first faulting checked load with its granule. */
  fault: { signal: string; code: string; granule: number } | 'none';
  /** The "mte-hold: fb ..." line's text after "fb ", after an "fb" event. */
  fb?: string;
  line: string;
}

const REPORT = /^mte-hold: report ldg=(\d+)\/(\d+) loads=(\d+)\/\d+ data=(\d+)\/\d+ fault=(\S+)\r?$/m;
const FAULT = /^(SIGSEGV|SIGBUS)\/(\S+)@(\d+)$/;
const FB = /^mte-hold: fb (.*?)\r?$/m;

export function parseReport(serial: string): HoldReport | undefined {
  const m = REPORT.exec(serial);
  if (m === null) return undefined;
  const f = m[5] === 'none' ? 'none' : FAULT.exec(m[5]!);
  if (f === null) return undefined;
  const fb = FB.exec(serial)?.[1];
  return {
    ldg: Number(m[1]), granules: Number(m[2]), loads: Number(m[3]), data: Number(m[4]),
    fault: f === 'none' ? 'none' : { signal: f[1]!, code: f[2]!, granule: Number(f[3]) },
    ...(fb !== undefined && { fb }), line: m[0].trimEnd(),
  };
}

/**
 * The machine every Linux cell uses: an ordinary VMM's guest RAM, a normal anonymous mapping without PROT_MTE,
 * except under enforce-prot-mte, which refuses anything else. One vCPU, the default GICv3 and devices.
 */
export function linuxMachineOptions(policy: PageUpgradePolicy, extra: VirtMachineOptions = {}): VirtMachineOptions {
  return { memory: LINUX_MEMORY, pagePolicy: policy, protMte: policy === PagePolicies.enforceProtMte, ...extra };
}

/** A machine stopped at the process's "ready" line (it is about to block reading its event line, or already does). */
export interface ReadyMachine {
  machine: VirtMachine;
  ready: Ready;
  /** The guest's output up to the stop. */
  serial: string;
}

/**
 * Boot the guest on a new machine and stop it (between instructions, at a round boundary) once /mte-hold has printed
 * its ready line. Throws with the guest's output if the guest ends or runs out of instructions first.
 */
export async function bootToReady(guest: LinuxGuest, options: VirtMachineOptions): Promise<ReadyMachine> {
  let serial = '';
  const decoder = new TextDecoder();
  let ready: Ready | undefined;
  const machine = new VirtMachine({
    ...options,
    onSerial: (b) => {
      serial += decoder.decode(b, { stream: true });
      if (ready === undefined && b[0] === 0x0a) ready = parseReady(serial);
    },
  });
  machine.load({ kernel: guest.kernel, initrd: guest.initrd, append: LINUX_APPEND });
  const r = await machine.run({ maxInstructions: LINUX_MAX_INSNS, shouldStop: within(LINUX_MAX_MS, () => ready !== undefined) });
  if (r.outcome !== 'stop-requested' || ready === undefined) throw new Error(`the Linux guest never got ready: ${r.outcome} ${r.message ?? ''}\n${serial}`);
  return { machine, ready, serial };
}

/**
 * Type `line` on the machine's console and run it until the guest powers off; returns everything it printed in that
 * run. Throws with the output if it does not power off.
 */
export async function sendEvent(machine: VirtMachine, line: string): Promise<string> {
  const before = machine.serialOutput().length;
  machine.input.push(new TextEncoder().encode(`${line}\n`));
  const r = await machine.run({ maxInstructions: machine.instructions + LINUX_MAX_INSNS, shouldStop: within(LINUX_MAX_MS) });
  const text = new TextDecoder().decode(r.serial.subarray(before));
  if (r.outcome !== 'shutdown') throw new Error(`the Linux guest did not power off after '${line}': ${r.outcome} ${r.message ?? ''}\n${text}`);
  return text;
}
