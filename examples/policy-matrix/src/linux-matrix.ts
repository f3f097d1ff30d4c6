/**
 * The policy matrix's Linux rows: Debian's arm64 kernel with the initramfs of scripts/linux-guest/build.sh on
 * vmm-lite, where /mte-hold (scripts/linux-guest/mte-hold.c) holds 32 pages of tagged heap, says "ready" and waits
 * for a line on the console. The host makes an event happen while it waits (a snapshot and a restore into a fresh
 * machine, host swap), types the line, and the cell is what the process itself reports: its tags intact, or the tag
 * check fault it took.
 *
 * What runs, per policy (the machine is the same as in the bare-metal rows: RAM without PROT_MTE, except under
 * enforce-prot-mte):
 * - one boot to "ready" (a "main" job); there the machine is stopped and snapshotted twice, tags read through the
 *   VMM's mapping and through KVM_ARM_MTE_COPY_TAGS. Each snapshot is restored into a fresh machine, which gets
 *   "check" (the snapshot rows). The booted machine itself then goes on under host swap (the swap row).
 * - the device memory row needs a machine with a framebuffer, which changes the device tree the kernel booted with,
 *   so where the policy accepts the framebuffer's memslot it is a boot of its own (an "fb" job). Where the policy
 *   refuses it (EINVAL), the VMM goes on without a framebuffer, as a VMM whose display is optional would: that
 *   machine is the main job's, so the copy-tags snapshot is restored once more and the process gets "fb".
 * So the Linux matrix costs one boot per policy plus one per policy that accepts the framebuffer; `runLinuxMatrix`
 * runs the jobs in parallel workers when asked (each boot is one CPU-bound thread for a minute or more).
 */
import { FramebufferRefusedError, decodeSnapshot, POLICY_NAMES, policyByName, restoreMachineOptions, restoreSnapshot, saveSnapshot, sha256Hex, VirtMachine } from '@kvm-mte/vmm-lite';
import type { PolicyName } from '@kvm-mte/vmm-lite';
import { bootToReady, linuxMachineOptions, loadLinuxGuest, parseReport, sendEvent, type HoldReport, type LinuxGuest, type ReadyMachine } from './linux-guest.js';
import type { Cell, Matrix } from './matrix.js';

/** The framebuffer the device memory row offers: 64x48 at 4 bytes a pixel, the bare-metal row's. */
export const LINUX_FRAMEBUFFER = { width: 64, height: 48 } as const;
/**
 * The memory budget the swap row sets when the process is ready (kvm-core swaps out everything beyond it at once):
 * 1 MiB, below what the kernel and the process touch to the end, so pages keep going out and coming back (20,000 to
 * 30,000 swap-ins; on a restored copy a 64-page budget made it 200,000 swap-ins and took four times as long).
 */
export const LINUX_SWAP_BUDGET_PAGES = 256;

export const LINUX_ROWS = [
  { id: 'linux-snapshot-mapping', title: 'Linux: process holds tagged heap; snapshot/restore, tags via the VMM mapping' },
  { id: 'linux-snapshot-copy-tags', title: 'Linux: process holds tagged heap; snapshot/restore with COPY_TAGS' },
  { id: 'linux-swap', title: `Linux: process holds tagged heap; host swaps its pages out (budget ${LINUX_SWAP_BUDGET_PAGES} pages)` },
  { id: 'linux-framebuffer', title: 'Linux: framebuffer (device memory) mapped by a process via /dev/mem' },
] as const;

export type LinuxRowId = (typeof LINUX_ROWS)[number]['id'];

/** One unit of work: a boot and what is done with it. */
export interface LinuxJob {
  policy: PolicyName;
  kind: 'main' | 'fb';
}

export interface LinuxJobResult {
  policy: PolicyName;
  cells: Partial<Record<LinuxRowId, Cell>>;
}

/** The cell for a report: what the process found. */
export function reportCell(r: HoldReport | undefined, serial: string): Cell {
  if (r === undefined) return { kind: 'other', text: 'no report from the process', serial };
  const n = r.granules;
  const base = { serial, report: r };
  if (r.fault === 'none' && r.ldg === n && r.loads === n && r.data === n) return { ...base, kind: 'tags-intact', text: `tags intact (${r.ldg}/${n}), ${r.loads} checked loads ok` };
  if (r.fault !== 'none' && r.ldg < n) {
    return { ...base, kind: 'tags-lost', text: `TAGS LOST (${r.ldg}/${n} intact), checked load: ${r.fault.signal} ${r.fault.code} at granule ${r.fault.granule}` };
  }
  return { ...base, kind: 'other', text: r.line.replace(/^mte-hold: report /, '') };
}

/** Save a snapshot of a stopped machine (tags read `tagsVia`), restore it into a fresh machine, type `line`. */
async function throughSnapshot(file: Uint8Array, tagsVia: 'mapping' | 'copy-tags', line: string): Promise<string> {
  const snap = decodeSnapshot(file);
  const machine = new VirtMachine(restoreMachineOptions(snap));
  restoreSnapshot(machine, snap, { tagsVia });
  return sendEvent(machine, line);
}

/**
 * Host swap while the process waits: the budget applied (the least recently faulted pages beyond it go out at once),
 * then the process's own pages (the frames it reported) swapped out explicitly, checked to be out, and the line
 * typed: the kernel and the process fault them back in (data and tags) as they run, under the budget.
 */
async function swapRow(r: ReadyMachine): Promise<Cell> {
  const { machine, ready } = r;
  const vm = machine.vm;
  const before = machine.kvm.swapStats();
  vm.setMemoryBudget(LINUX_SWAP_BUDGET_PAGES);
  const ipas = ready.pfns.map((pfn) => BigInt(pfn) * 4096n);
  vm.swapOut(ipas);
  const out = ipas.filter((ipa) => machine.ram.isSwapped(Number(ipa) - machine.ramBase)).length;
  const serial = await sendEvent(machine, 'check');
  const after = machine.kvm.swapStats();
  const swapOuts = after.swapOuts - before.swapOuts;
  const swapIns = after.swapIns - before.swapIns;
  const cell = reportCell(parseReport(serial), serial);
  return { ...cell, text: `${cell.text}; ${out}/${ipas.length} of its pages swapped out, ${swapOuts} swap-outs, ${swapIns} swap-ins`, swapOuts, swapIns, pagesOut: out };
}

/** The device memory row's cell: the VMM's refusal (if any), then what the process reported about the framebuffer. */
function fbCell(serial: string, refused: string | undefined, machine: VirtMachine | undefined): Cell {
  const report = parseReport(serial);
  const tags = reportCell(report, serial);
  const fb = report?.fb;
  const base = { serial, ...(report !== undefined && { report }) };
  if (fb === undefined) return { ...base, kind: 'other', text: 'no framebuffer report from the process' };
  if (refused !== undefined) {
    const seen = fb.startsWith('none') ? 'guest sees no framebuffer' : `guest: ${fb}`;
    return { ...base, kind: 'vmm-refused', errno: refused, text: `memslot refused: ${refused}; ${seen}; ${tags.kind === 'tags-intact' ? 'heap tags intact' : tags.text}` };
  }
  const m = /prot_mte=(\S+) pixels=(\d+)\/(\d+)/.exec(fb);
  if (m === null) return { ...base, kind: 'other', text: `guest: fb ${fb}` };
  const [, protMte, right, all] = m;
  const hostPixels = machine?.framebuffer === undefined ? 0 : countPattern(machine.framebuffer.toRgba(), LINUX_FRAMEBUFFER.width, LINUX_FRAMEBUFFER.height);
  const exits = machine?.tagAccessExitCount ?? 0;
  return {
    ...base, kind: protMte === 'ok' ? 'other' : 'prot-mte-refused', errno: protMte === 'ok' ? undefined : protMte,
    text: `mmap PROT_MTE: ${protMte}; pixels ${right}/${all} ok${exits > 0 ? `; ${exits}x arm-tag-access` : ''}; ${tags.kind === 'tags-intact' ? 'heap tags intact' : tags.text}`,
    exits, hostPixels,
  };
}

/** Pixels of the host's view of the framebuffer that hold mte-hold's pattern (x in blue, y in green, opaque). */
function countPattern(rgba: Uint8Array, width: number, height: number): number {
  let n = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (rgba[o] === 0 && rgba[o + 1] === y && rgba[o + 2] === x) n++;
    }
  }
  return n;
}

/** Whether the policy refuses the framebuffer's memslot: its errno, or undefined if it accepts it. */
export function framebufferRefusal(policy: PolicyName): string | undefined {
  try {
    new VirtMachine(linuxMachineOptions(policyByName(policy), { memory: 1 << 20, framebuffer: LINUX_FRAMEBUFFER, pmu: false }));
    return undefined;
  } catch (e) {
    if (e instanceof FramebufferRefusedError) return e.kvmError.code;
    throw e;
  }
}

/** Run one job (see the module comment). */
export async function runLinuxJob(job: LinuxJob, guest: LinuxGuest = loadLinuxGuest()): Promise<LinuxJobResult> {
  const policy = policyByName(job.policy);
  const cells: LinuxJobResult['cells'] = {};
  if (job.kind === 'fb') {
    const r = await bootToReady(guest, linuxMachineOptions(policy, { framebuffer: LINUX_FRAMEBUFFER }));
    const serial = await sendEvent(r.machine, 'fb');
    cells['linux-framebuffer'] = fbCell(serial, undefined, r.machine);
    return { policy: job.policy, cells };
  }
  const r = await bootToReady(guest, linuxMachineOptions(policy));
  const config = { policy: job.policy, memBackend: 'anonymous' as const, protMte: r.machine.ram.protMte, kernelSha256: sha256Hex(guest.kernel) };
  // Both files before the machine runs again (a snapshot's parts view guest RAM).
  const viaMapping = saveSnapshot(r.machine, { config, tagsVia: 'mapping' }).file.slice();
  const viaCopyTags = saveSnapshot(r.machine, { config, tagsVia: 'copy-tags' }).file.slice();
  for (const [row, file, via] of [['linux-snapshot-mapping', viaMapping, 'mapping'], ['linux-snapshot-copy-tags', viaCopyTags, 'copy-tags']] as const) {
    const serial = await throughSnapshot(file, via, 'check');
    cells[row] = reportCell(parseReport(serial), serial);
  }
  const refused = framebufferRefusal(job.policy);
  if (refused !== undefined) cells['linux-framebuffer'] = fbCell(await throughSnapshot(viaCopyTags, 'copy-tags', 'fb'), refused, undefined);
  cells['linux-swap'] = await swapRow(r);
  return { policy: job.policy, cells };
}

/** The jobs of the Linux matrix for `policies`: a main job each, and an fb job where the framebuffer is accepted. */
export function linuxJobs(policies: readonly PolicyName[] = POLICY_NAMES): LinuxJob[] {
  return [
    ...policies.map((policy): LinuxJob => ({ policy, kind: 'main' })),
    ...policies.filter((p) => framebufferRefusal(p) === undefined).map((policy): LinuxJob => ({ policy, kind: 'fb' })),
  ];
}

export interface LinuxMatrixOptions {
  policies?: readonly PolicyName[];
  /** How many jobs at once (each `run` call). Default 1. */
  jobs?: number;
  /** Run one job: default in this thread (`runLinuxJob`); main.ts passes one that uses a worker thread. */
  run?: (job: LinuxJob) => Promise<LinuxJobResult>;
}

/** Run every Linux job (at most `jobs` at once) and put the cells into a matrix with the Linux rows. */
export async function runLinuxMatrix(opts: LinuxMatrixOptions = {}): Promise<Matrix> {
  const policies = opts.policies ?? POLICY_NAMES;
  const jobs = linuxJobs(policies);
  const guest = opts.run === undefined ? loadLinuxGuest() : undefined;
  const run = opts.run ?? ((job: LinuxJob) => runLinuxJob(job, guest));
  const results: LinuxJobResult[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) results.push(await run(jobs[next++]!));
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs ?? 1, jobs.length)) }, lane));
  const rows = LINUX_ROWS.map((row) => ({
    id: row.id, title: row.title,
    cells: policies.map((p): Cell => {
      const c = results.filter((x) => x.policy === p).map((x) => x.cells[row.id]).find((x) => x !== undefined);
      return c ?? { kind: 'other', text: 'not run' };
    }),
  }));
  return { policies: [...policies], rows };
}
