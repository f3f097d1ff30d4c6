/**
 * Test support: run one hostile case in this process (hostile-child.ts calls it in a child process, which the
 * parent can kill on a hang). Builds the VirtMachine the case describes, loads its segments as an ELF and runs it.
 */
import { Kvm } from '@kvm-mte/kvm-core';
import { VirtMachine, type RunOutcome } from '../machine.js';
import { policyByName } from '../snapshot.js';
import { buildElf, words } from './elf-builder.js';
import type { HostileCase } from './hostile-gen.js';

export interface HostileRunResult {
  outcome: RunOutcome;
  message: string | undefined;
  instructions: number;
  serialBytes: number;
  /** Wall-clock milliseconds of `machine.run`. */
  runMs: number;
}

/** Build, load and run the case's guest. Throws what the model throws (the caller reports it). */
export async function runHostileCase(c: HostileCase): Promise<HostileRunResult> {
  const machine = new VirtMachine({
    memory: c.memory,
    smp: c.smp,
    mte: c.mte,
    kvm: new Kvm({ hostMteLevel: c.hostMteLevel }),
    memBackend: c.memBackend,
    protMte: c.protMte,
    ...(c.policy !== undefined && { pagePolicy: policyByName(c.policy) }),
    ...(c.memoryBudgetPages !== undefined && { memoryBudgetPages: c.memoryBudgetPages }),
  });
  machine.load({ kernel: buildElf({ entry: c.entry, segments: c.segments.map((s) => ({ paddr: s.addr, data: words(s.words) })) }) });
  const t0 = performance.now();
  const r = await machine.run({ maxInstructions: c.maxInstructions, ...(c.slice !== undefined && { slice: c.slice }) });
  return { outcome: r.outcome, message: r.message, instructions: r.instructions, serialBytes: r.serial.length, runMs: performance.now() - t0 };
}
