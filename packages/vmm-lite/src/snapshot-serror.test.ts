import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex } from './snapshot-format.js';
import { A64 } from './testing/a64.js';

const MEM = 16 * 2 ** 20;
const SERROR = { serrorPending: true, serrorHasEsr: false, extDabtPending: false, serrorEsr: 0n };

describe('snapshot of a pending virtual SError (KVM_SET_VCPU_EVENTS)', () => {
  it('is saved and pending again after a restore into a fresh machine; none is none', async () => {
    const kernel = new Uint8Array(4);
    new DataView(kernel.buffer).setUint32(0, A64.self(), true); // b . with PSTATE.A masked: the SError stays pending
    const m = new VirtMachine({ memory: MEM });
    m.load({ kernel });
    await m.run({ maxInstructions: 2 });
    const config = { policy: 'mte-allowed' as const, memBackend: 'anonymous' as const, protMte: false, kernelSha256: sha256Hex(kernel) };
    const without = decodeSnapshot(saveSnapshot(m, { config }).file);
    expect(without.serrorPending).toEqual([false]);
    m.vcpus[0]!.setVcpuEvents({ exception: SERROR });
    const snap = decodeSnapshot(saveSnapshot(m, { config }).file);
    expect(snap.serrorPending).toEqual([true]);
    const m2 = new VirtMachine(restoreMachineOptions(snap));
    expect(m2.vcpus[0]!.getVcpuEvents().exception.serrorPending).toBe(false);
    restoreSnapshot(m2, snap);
    expect(m2.vcpus[0]!.getVcpuEvents().exception.serrorPending).toBe(true);
  });
});
