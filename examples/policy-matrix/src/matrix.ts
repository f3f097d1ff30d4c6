/**
 * The policy matrix: real guest programs (guests/bin/tagsum.elf, fb.elf) run on vmm-lite through each scenario,
 * under each of kvm-core's page-upgrade policies, and what happened to the guest's tags.
 *
 * The VMM in every column is an ordinary one: guest RAM is an anonymous mapping WITHOUT PROT_MTE — except under
 * enforce-prot-mte, which refuses anything else, so there the VMM maps RAM with PROT_MTE.
 */
import { readFileSync } from 'node:fs';
import { KvmError, PagePolicies, type PageUpgradePolicy } from '@kvm-mte/kvm-core';
import {
  decodeSnapshot, FramebufferRefusedError, POLICY_NAMES, policyByName, restoreMachineOptions, restoreSnapshot, saveSnapshot,
  sha256Hex, VirtMachine, type VirtMachineOptions,
} from '@kvm-mte/vmm-lite';
import type { HoldReport } from './linux-guest.js';

const guest = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../guests/bin/${name}.elf`, import.meta.url)));

/** What a cell says happened. */
export type CellKind = 'tags-intact' | 'tags-lost' | 'guest-fault' | 'vmm-refused' | 'exit-taken' | 'tags-dropped' | 'prot-mte-refused' | 'other';

export interface Cell {
  kind: CellKind;
  /** One line for the table. */
  text: string;
  /** Details for tests: errno, exits, swap counts, the guest's output. */
  errno?: string;
  exits?: number;
  swapOuts?: number;
  serial?: string;
  /** Linux rows: the process's report line, parsed (linux-guest.ts). */
  report?: HoldReport;
  /** Linux swap row: pages swapped in while the process ran, and how many of its pages were out before it did. */
  swapIns?: number;
  pagesOut?: number;
  /** Linux framebuffer row: pixels of the VMM's view of the framebuffer holding the process's pattern. */
  hostPixels?: number;
}

export interface Scenario {
  id: string;
  title: string;
  run(policy: PageUpgradePolicy): Promise<Cell>;
}

const MEMORY = 64 << 20;
const MAX_INSNS = 50_000_000;

function machine(policy: PageUpgradePolicy, extra: VirtMachineOptions = {}): VirtMachine {
  return new VirtMachine({ memory: MEMORY, pagePolicy: policy, protMte: policy === PagePolicies.enforceProtMte, ...extra });
}

async function runGuest(m: VirtMachine, name: string): Promise<string> {
  m.load({ kernel: guest(name) });
  const r = await m.run({ maxInstructions: MAX_INSNS });
  const text = new TextDecoder().decode(r.serial);
  if (r.outcome !== 'shutdown') throw new Error(`${name}: ${r.outcome} ${r.message ?? ''}\n${text}`);
  return text;
}

/** The tagsum guest's verdict. */
function tagsumCell(serial: string, extra: Partial<Cell> = {}): Cell {
  const intact = /tagsum: intact=([0-9a-f]+)/.exec(serial)?.[1];
  const n = intact === undefined ? 0 : parseInt(intact, 16);
  if (serial.includes('TAGS OK')) return { kind: 'tags-intact', text: `tags intact (${n}/8192)`, serial, ...extra };
  if (serial.includes('TAGS LOST')) return { kind: 'tags-lost', text: `TAGS LOST (${n}/8192 intact)`, serial, ...extra };
  return { kind: 'other', text: 'no verdict', serial, ...extra };
}

const STOP_LINE = 'tagsum: tagged; checking\n';

/**
 * How many instructions tagsum has retired when it stores the last byte of its stop-point line: it has tagged its
 * buffer and not yet read any tag back. (That store is not counted yet when the UART sees it.)
 */
async function tagsumStopPoint(policy: PageUpgradePolicy): Promise<number> {
  let text = '';
  let at = -1;
  const m: VirtMachine = machine(policy, {
    onSerial: (b) => {
      if (at >= 0) return;
      text += new TextDecoder().decode(b);
      if (text.includes(STOP_LINE)) at = m.instructions;
    },
  });
  m.load({ kernel: guest('tagsum') });
  await m.run({ maxInstructions: MAX_INSNS });
  if (at < 0) throw new Error(`tagsum printed no stop line:\n${text}`);
  return at;
}

/**
 * Run tagsum to the instruction where it has tagged its buffer (as `vmm-lite snapshot --stop-after N` does), take a
 * vmm-lite snapshot there (tags saved one of two ways), restore it into a fresh machine and let the guest continue:
 * it reads every tag back.
 */
async function snapshotScenario(policy: PageUpgradePolicy, tagsVia: 'mapping' | 'copy-tags'): Promise<Cell> {
  const kernel = guest('tagsum');
  const stopAt = await tagsumStopPoint(policy);
  let before = '';
  const a = machine(policy, { onSerial: (b) => { before += new TextDecoder().decode(b); } });
  a.load({ kernel });
  const stop = await a.run({ maxInstructions: stopAt });
  if (stop.outcome !== 'instruction-limit') throw new Error(`tagsum ended before its stop point: ${stop.outcome}\n${before}`);
  const name = POLICY_NAMES.find((n) => policyByName(n) === policy)!;
  const config = { policy: name, memBackend: 'anonymous' as const, protMte: policy === PagePolicies.enforceProtMte, kernelSha256: sha256Hex(kernel) };
  const snap = decodeSnapshot(saveSnapshot(a, { config, tagsVia }).file);
  const b = new VirtMachine(restoreMachineOptions(snap));
  restoreSnapshot(b, snap, { tagsVia });
  const r = await b.run({ maxInstructions: MAX_INSNS });
  return tagsumCell(before + new TextDecoder().decode(r.serial));
}

export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'plain',
    title: 'MTE guest tags 32 pages (tagsum)',
    run: async (p) => tagsumCell(await runGuest(machine(p), 'tagsum')),
  },
  {
    id: 'snapshot-mapping',
    title: 'snapshot/restore, VMM reads tags via its mapping',
    run: (p) => snapshotScenario(p, 'mapping'),
  },
  {
    id: 'snapshot-copy-tags',
    title: 'snapshot/restore with KVM_ARM_MTE_COPY_TAGS',
    run: (p) => snapshotScenario(p, 'copy-tags'),
  },
  {
    id: 'framebuffer',
    title: 'shared framebuffer (device mapping) in an MTE VM (fb)',
    async run(p) {
      let m: VirtMachine;
      try {
        m = machine(p, { framebuffer: { width: 64, height: 48 } });
      } catch (e) {
        if (e instanceof FramebufferRefusedError) return { kind: 'vmm-refused', text: `memslot refused: ${e.kvmError.code}`, errno: e.kvmError.code };
        throw e;
      }
      const serial = await runGuest(m, 'fb');
      const exits = m.tagAccessExits.length;
      if (exits > 0) return { kind: 'exit-taken', text: `pixels ok; ${exits}x arm-tag-access → abort`, exits, serial };
      const tag = /LDG reads tag=([0-9a-f]+)/.exec(serial)?.[1];
      if (tag !== undefined && parseInt(tag, 16) === 0) return { kind: 'tags-dropped', text: 'pixels ok; Device: STG dropped', exits, serial };
      return { kind: 'other', text: 'pixels ok', exits, serial };
    },
  },
  {
    id: 'swap',
    title: 'host swap, budget of 16 guest pages',
    async run(p) {
      const m = machine(p, { memoryBudgetPages: 16 });
      const serial = await runGuest(m, 'tagsum');
      const s = m.kvm.swapStats();
      const cell = tagsumCell(serial, { swapOuts: s.swapOuts });
      return { ...cell, text: `${cell.text}, ${s.swapOuts} swap-outs` };
    },
  },
  {
    id: 'no-mte',
    title: 'VM without MTE touches GCR_EL1 (tagsum)',
    async run(p) {
      const serial = await runGuest(machine(p, { mte: false, protMte: false }), 'tagsum');
      const ecs = [...serial.matchAll(/EXC EL1 EC=([0-9a-f]{2})/g)].map((x) => x[1]);
      if (ecs.length > 0 && ecs.every((ec) => ec === '00')) return { kind: 'guest-fault', text: `guest UNDEF x${ecs.length} (EC 0x00)`, serial };
      return { kind: 'other', text: 'no fault', serial };
    },
  },
];

export const POLICIES: readonly PageUpgradePolicy[] = [
  PagePolicies.transparentUpgrade, PagePolicies.enforceProtMte, PagePolicies.mteAllowed, PagePolicies.noTagAccess,
];

export interface Matrix {
  policies: string[];
  rows: { id: string; title: string; cells: Cell[] }[];
}

/** Run every scenario under every policy. A KvmError the VMM hits elsewhere becomes a 'vmm-refused' cell. */
export async function runMatrix(scenarios: readonly Scenario[] = SCENARIOS, policies: readonly PageUpgradePolicy[] = POLICIES): Promise<Matrix> {
  const rows: Matrix['rows'] = [];
  for (const s of scenarios) {
    const cells: Cell[] = [];
    for (const p of policies) {
      try {
        cells.push(await s.run(p));
      } catch (e) {
        if (e instanceof KvmError) cells.push({ kind: 'vmm-refused', text: `VMM refused: ${e.code}`, errno: e.code });
        else throw e;
      }
    }
    rows.push({ id: s.id, title: s.title, cells });
  }
  return { policies: policies.map((p) => p.name), rows };
}

/** The table as text. */
export function formatMatrix(m: Matrix): string {
  const header = ['scenario', ...m.policies];
  const body = m.rows.map((r) => [r.title, ...r.cells.map((c) => c.text)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cols: string[]) => `| ${cols.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n') + '\n';
}
