import { Acc, Fsc } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { Ap, s1PageDesc } from './descriptors.js';
import { Attr, enableS1, makeEnv, RAM_BASE } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000;
const VA = 0x1000_0000n;

describe('translateForAt (AT S1E1R/W, S1E0R/W → PAR_EL1)', () => {
  const env = (ap: number = Ap.RwEl1) => {
    const e = makeEnv();
    e.t.map(e.root0, VA, s1PageDesc(DATA, { attrIndx: Attr.WB, ap }));
    enableS1(e);
    return e;
  };

  it('reports a successful translation: ATTR, PA[47:12], SH, RES1 bit 11', () => {
    const par = env().mmu.translateForAt(VA + 0x123n, 0);
    expect(par & 1n).toBe(0n);
    expect(par & 0x0000_ffff_ffff_f000n).toBe(BigInt(DATA));
    expect(par >> 56n).toBe(0xffn); // MAIR attribute 1 of the test MAIR: Normal write-back
    expect((par >> 11n) & 1n).toBe(1n);
  });

  it('reports stage-1 faults in PAR with FST instead of raising them', () => {
    const e = env(Ap.RoEl1);
    expect(e.mmu.translateForAt(VA, 0) & 1n).toBe(0n);
    const w = e.mmu.translateForAt(VA, Acc.Write);
    expect(w & 1n).toBe(1n);
    expect(Number((w >> 1n) & 0x3fn)).toBe(Fsc.Permission + 3);
    const unmapped = e.mmu.translateForAt(VA + 0x20_0000n, 0);
    expect(Number((unmapped >> 1n) & 0x3fn) & 0x3c).toBe(Fsc.Translation);
  });

  it('checks EL0 permissions for the S1E0 forms and ignores PAN for S1E1R', () => {
    const e = env(Ap.RwAll);
    e.cpu.pan = 1;
    expect(e.mmu.translateForAt(VA, 0) & 1n).toBe(0n); // PAN would fault an ordinary EL1 load here
    expect(e.cpu.pan).toBe(1);
    const priv = env(Ap.RwEl1);
    expect(priv.mmu.translateForAt(VA, Acc.Unpriv) & 1n).toBe(1n);
    // PSTATE.UAO, which makes LDTR/STTR privileged, does not apply to AT S1E0R/W.
    priv.cpu.uao = 1;
    expect(priv.mmu.translateForAt(VA, Acc.Unpriv) & 1n).toBe(1n);
    expect(priv.cpu.uao).toBe(1);
  });
});
