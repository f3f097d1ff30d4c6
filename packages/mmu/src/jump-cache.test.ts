// The run loop's jump cache (aarch64-cpu jit.ts): blocks found by PC for exits without a link (register branches,
// exception entry and return) are reused only while the TLB generation and the EL are those they were found with.
import { Ec, Stop, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { Ap, s1PageDesc } from './descriptors.js';
import { Attr, enableS1, makeEnv, RAM_BASE, type Env } from './test-env.js';

const C = RAM_BASE + 0x20_0000; // the caller's page, VA 0x1000
const P1 = RAM_BASE + 0x20_1000; // the target page, VA 0x3000, first
const P2 = RAM_BASE + 0x20_2000; // ... and after the remap
const VEC = RAM_BASE + 0x20_4000; // VBAR_EL1, VA 0x8000
const BR_X2 = 0xd61f_0040; // br x2
const B_SELF = 0x1400_0000;

function load(e: Env, pa: number, words: number[]): void {
  words.forEach((w, i) => e.ram.view.setUint32(pa - RAM_BASE + 4 * i, w >>> 0, true));
}

/** C at VA 0x1000 and the vectors at 0x8000 executable at EL0 and EL1 (read-only); the target at 0x3000 as given. */
function env(targetUxn: boolean): { e: Env; slot: number } {
  const e = makeEnv();
  load(e, C, [BR_X2]);
  load(e, P1, [0xd280_0020, B_SELF]); // mov x0, #1; b .
  load(e, P2, [0xd280_0040, B_SELF]); // mov x0, #2; b .
  for (let v = 0; v < 0x800; v += 4) e.ram.view.setUint32(VEC - RAM_BASE + v, B_SELF, true);
  e.t.map(e.root0, 0x1000n, s1PageDesc(C, { attrIndx: Attr.WB, ap: Ap.RoAll }));
  e.t.map(e.root0, 0x8000n, s1PageDesc(VEC, { attrIndx: Attr.WB, ap: Ap.RoAll }));
  const slot = e.t.map(e.root0, 0x3000n, s1PageDesc(P1, { attrIndx: Attr.WB, ap: Ap.RoAll, uxn: targetUxn }));
  enableS1(e);
  e.cpu.sys[SysReg.VBAR_EL1] = 0x8000n;
  e.cpu.x[2] = 0x3000n;
  return { e, slot };
}

describe('the jump cache', () => {
  it.each([['vmalle1', 0n], ['vae1', 3n]] as const)('a register branch to a page remapped (and TLBI %s) since the last run runs the new page', (op, arg) => {
    const { e, slot } = env(false);
    e.cpu.pc = 0x1000n;
    expect(e.cpu.run(3)).toBe(Stop.Budget);
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([1n, 0x3004n]);
    e.t.write(slot, s1PageDesc(P2, { attrIndx: Attr.WB, ap: Ap.RoAll }));
    e.mmu.tlbi(op, arg);
    e.cpu.pc = 0x1000n;
    expect(e.cpu.run(3)).toBe(Stop.Budget);
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([2n, 0x3004n]);
  });

  it('a target EL1 ran is not reused at EL0 in the same run when EL0 may not execute it: an instruction abort', () => {
    const { e } = env(true);
    load(e, P1, [0xd280_0020, 0xd69f_03e0]); // mov x0, #1; eret (to 0x1000 at EL0: br x2 again)
    e.cpu.sys[SysReg.ELR_EL1] = 0x1000n;
    e.cpu.sys[SysReg.SPSR_EL1] = 0n; // EL0t, interrupts unmasked
    e.cpu.pc = 0x1000n;
    e.cpu.run(6); // br, mov, eret (EL1) - br (EL0) - the abort, b . at the vector
    expect(e.cpu.el).toBe(1);
    expect(Number(e.cpu.sys[SysReg.ESR_EL1]! >> 26n)).toBe(Ec.InsnAbortLower);
    expect(e.cpu.sys[SysReg.ELR_EL1]).toBe(0x3000n);
    expect(e.cpu.pc).toBe(0x8400n);
  });
});
