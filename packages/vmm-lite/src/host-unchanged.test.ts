// The run loop vouches for the VMM (Vcpu.hostUnchanged) exactly when it runs a vCPU again straight after a run that
// ended for its budget: nothing of the VMM ran in between, so no guest memory was written behind kvm-core's back.
import type { KvmExit } from '@kvm-mte/kvm-core';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { A64, PSCI_SYSTEM_OFF, printCode, psciCode } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

describe('VirtMachine: Vcpu.hostUnchanged', () => {
  it('is set for a run that follows a budget exit of the same turn, and for no other', async () => {
    // Three rounds of a 300,000-iteration loop (many budget exits), each followed by a UART store (an MMIO exit).
    const round = [...A64.mov64(2, 300_000), A64.addi(3, 3, 1), 0xf1000442 /* subs x2, x2, #1 */, A64.bne(-8), ...printCode('.')];
    const m = new VirtMachine({ mte: false });
    m.load({ kernel: codeElf([...round, ...round, ...round, ...psciCode(PSCI_SYSTEM_OFF)]) });
    const v = m.vcpus[0]!;
    const run = v.run.bind(v);
    const calls: { vouched: boolean; exit: KvmExit }[] = [];
    v.run = () => {
      const vouched = v.hostUnchanged;
      const exit = run();
      calls.push({ vouched, exit });
      return exit;
    };
    const r = await m.run({ slice: 1e9 }); // one turn: every run follows the previous one directly
    expect(r.outcome).toBe('shutdown');
    expect(Buffer.from(r.serial).toString('latin1')).toBe('...');
    expect(calls[0]!.vouched).toBe(false);
    let budgetExits = 0;
    for (let k = 1; k < calls.length; k++) {
      const prev = calls[k - 1]!.exit;
      const afterBudget = prev.reason === 'intr' && prev.cause === 'budget';
      if (afterBudget) budgetExits++;
      expect(calls[k]!.vouched, `run ${k} after ${prev.reason}`).toBe(afterBudget);
    }
    expect(budgetExits).toBeGreaterThan(5);
    expect(calls.filter((c) => c.exit.reason === 'mmio').length).toBe(3);
  });
});
