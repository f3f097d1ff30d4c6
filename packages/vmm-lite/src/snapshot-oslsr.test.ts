import { describe, expect, it } from 'vitest';
import { arm64SysReg } from '@kvm-mte/kvm-core';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex, SnapshotError } from './snapshot-format.js';
import { A64 } from './testing/a64.js';

const OSLAR_EL1 = [2, 0, 1, 0, 4] as const;
const OSLSR_EL1 = arm64SysReg(2, 0, 1, 1, 4);
const MEM = 16 * 2 ** 20;

/** A raw kernel: x1 = 0, MSR OSLAR_EL1, x1 (unlock the OS lock, as Linux and kvm-unit-tests do), then spin. */
function unlockKernel(): Uint8Array {
  const words = [A64.movz(1, 0), A64.msr(OSLAR_EL1, 1), A64.self()];
  const b = new Uint8Array(words.length * 4);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  return b;
}

async function snapshotAfterUnlock() {
  const kernel = unlockKernel();
  const m = new VirtMachine({ memory: MEM });
  m.load({ kernel });
  const r = await m.run({ maxInstructions: 2 });
  expect(r.outcome).toBe('instruction-limit');
  const oslsr = m.vcpus[0]!.getOneReg(OSLSR_EL1);
  const { file } = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
  return { oslsr, snap: decodeSnapshot(file) };
}

describe('snapshot of a guest that wrote OSLAR_EL1', () => {
  it('restores in a fresh machine with OSLSR_EL1 equal (OS lock unlocked)', async () => {
    const { oslsr, snap } = await snapshotAfterUnlock();
    expect(oslsr).toBe(0x8n); // OSLM = 0b10, OSLK = 0
    const m2 = new VirtMachine(restoreMachineOptions(snap));
    expect(m2.vcpus[0]!.getOneReg(OSLSR_EL1)).toBe(0xan); // a fresh vCPU is locked
    restoreSnapshot(m2, snap);
    expect(m2.vcpus[0]!.getOneReg(OSLSR_EL1)).toBe(oslsr);
  });

  it('refuses a snapshot whose OSLSR_EL1 differs in a bit other than OSLK, naming the register and both values', async () => {
    const { snap } = await snapshotAfterUnlock();
    const reg = snap.vcpus[0]!.regs.find(([id]) => id === OSLSR_EL1)!;
    reg[1] = 0x0n; // OSLM = 0: not this CPU's
    const m2 = new VirtMachine(restoreMachineOptions(snap));
    let err: unknown;
    try {
      restoreSnapshot(m2, snap);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SnapshotError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/OSLSR_EL1/);
    expect(msg).toMatch(/0xa here/);
    expect(msg).toMatch(/snapshot's 0x0\b/);
    expect(m2.vcpus[0]!.getOneReg(OSLSR_EL1)).toBe(0xan); // nothing written
  });
});
