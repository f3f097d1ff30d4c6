import { describe, expect, it } from 'vitest';
import { CoreReg } from '@kvm-mte/kvm-core';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex } from './snapshot-format.js';
import { A64 } from './testing/a64.js';

const MEM = 16 * 2 ** 20;

describe('snapshot of the FP/SIMD registers', () => {
  it('restores V0-V31 (all 128 bits), FPSR and FPCR in a fresh machine', async () => {
    const words = [A64.self()];
    const kernel = new Uint8Array(words.length * 4);
    words.forEach((w, i) => new DataView(kernel.buffer).setUint32(i * 4, w, true));
    const m = new VirtMachine({ memory: MEM });
    m.load({ kernel });
    const v = m.vcpus[0]!;
    const q = (n: number): bigint => (BigInt(n + 1) * 0x0101_0101_0101_0101_0202_0202_0202_0202n) & ((1n << 128n) - 1n);
    for (let n = 0; n < 32; n++) v.setOneReg(CoreReg.v(n), q(n));
    v.setOneReg(CoreReg.FPCR, 0x0340_0000n); // DN, FZ, RMode = RZ
    v.setOneReg(CoreReg.FPSR, 0x0800_0013n); // QC, IXC, DZC, IOC
    await m.run({ maxInstructions: 2 });
    const { file } = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
    const snap = decodeSnapshot(file);
    const m2 = new VirtMachine(restoreMachineOptions(snap));
    restoreSnapshot(m2, snap);
    const v2 = m2.vcpus[0]!;
    for (let n = 0; n < 32; n++) expect(v2.getOneReg(CoreReg.v(n)), `V${n}`).toBe(q(n));
    expect(v2.getOneReg(CoreReg.FPCR)).toBe(0x0340_0000n);
    expect(v2.getOneReg(CoreReg.FPSR)).toBe(0x0800_0013n);
  });
});
