/**
 * MemoryPort.readHalves / writeHalves (the fast interpreter's loads and stores, values as 32-bit halves) against
 * read / write: two MMUs over the same layout take the same random accesses, one through each pair of entries, and
 * must give the same values, the same faults, the same memory and the same asynchronous tag fault records, with the
 * TLB on and off, at EL0 and EL1, under every tag check setting.
 */
import { Acc, MemoryFault, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { DATA, mteEnv, PLAIN, SCTLR_MTE, TAGGED, TAGGED_RO, withTag, type MteEnv } from './mte-test-env.js';
import { RAM_BASE, rng } from './test-env.js';

type Outcome = { value?: bigint; fault?: { fsc: number; va: bigint; write: boolean; stage: number } };

/** The halves' scratch: an address at words 0-1, a value at 2-3, a result at 4-5. */
const A = 0;
const V = 2;
const R = 4;

function outcome(fn: () => bigint | undefined): Outcome {
  try {
    const value = fn();
    return value === undefined ? {} : { value };
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    return { fault: { fsc: e.fsc, va: e.va, write: e.write, stage: e.stage } };
  }
}

function halvesOf(s: Int32Array, at: number, v: bigint): void {
  s[at] = Number(v & 0xffff_ffffn) | 0;
  s[at + 1] = Number((v >> 32n) & 0xffff_ffffn) | 0;
}

const valueAt = (s: Int32Array, at: number): bigint => (BigInt(s[at + 1]! >>> 0) << 32n) | BigInt(s[at]! >>> 0);

for (const tlb of [true, false]) {
  describe(`readHalves and writeHalves as read and write (tlb ${tlb ? 'on' : 'off'})`, () => {
    it('random accesses: values, faults, memory and TFSR agree', () => {
      const next = rng(tlb ? 7 : 8);
      const big = (): bigint => (BigInt(next(0x1_0000)) << 48n) | (BigInt(next(0x1_0000)) << 32n) |
        (BigInt(next(0x1_0000)) << 16n) | BigInt(next(0x1_0000));
      for (let round = 0; round < 12; round++) {
        const tcf = next(4);
        const tcf0 = next(4);
        const envs: MteEnv[] = [mteEnv({ tlb }, tcf, tcf0), mteEnv({ tlb }, tcf, tcf0)];
        const el = next(2);
        const tco = next(4) === 0 ? 1 : 0;
        for (const e of envs) {
          // Random allocation tags on the two data pages, and ATA off now and then (tag checks off whatever TCF).
          for (let g = 0; g < 0x2000 / 16; g++) e.tags.setTag(DATA + 16 * g, (g * 7 + round) & 3);
          if (round % 5 === 4) e.sctlr(SCTLR_MTE.TCF(tcf) | SCTLR_MTE.TCF0(tcf0));
          e.cpu.el = el;
          e.cpu.tco = tco;
        }
        const s = new Int32Array(8);
        for (let k = 0; k < 300; k++) {
          const base = [TAGGED, PLAIN, TAGGED_RO, 0x5000_0000n, 0xffff_0000_1000_0000n][next(5)]!;
          const offset = BigInt(next(2) === 0 ? 0x1000 - 8 + next(16) : next(0x2000));
          const va = withTag(base + offset, next(4) === 0 ? next(16) : next(4));
          const size = [1, 2, 4, 8][next(4)]!;
          const flags = (next(3) !== 0 ? Acc.TagChecked : 0) | (next(6) === 0 ? Acc.Aligned : 0) |
            (el === 1 && next(6) === 0 ? Acc.Unpriv : 0);
          const write = next(2) === 0;
          const value = big();
          const label = `round ${round} access ${k}: ${write ? 'write' : 'read'} ${size} at ${va.toString(16)} flags ${flags}`;
          const [a, b] = envs as [MteEnv, MteEnv];
          const viaBig = outcome(() => {
            if (!write) return a.mmu.read(va, size, flags);
            a.mmu.write(va, size, value, flags);
            return undefined;
          });
          halvesOf(s, A, va);
          halvesOf(s, V, value);
          const viaHalves = outcome(() => {
            if (!write) {
              b.mmu.readHalves(s, R, A, size, flags);
              return valueAt(s, R);
            }
            b.mmu.writeHalves(s, A, V, size, flags);
            return undefined;
          });
          expect(viaHalves, label).toEqual(viaBig);
        }
        const [a, b] = envs as [MteEnv, MteEnv];
        expect(Buffer.from(b.ram.bytes.subarray(DATA - RAM_BASE, DATA - RAM_BASE + 0x2000)))
          .toEqual(Buffer.from(a.ram.bytes.subarray(DATA - RAM_BASE, DATA - RAM_BASE + 0x2000)));
        expect([b.cpu.sys[SysReg.TFSR_EL1], b.cpu.sys[SysReg.TFSRE0_EL1]])
          .toEqual([a.cpu.sys[SysReg.TFSR_EL1], a.cpu.sys[SysReg.TFSRE0_EL1]]);
      }
    });

    it('the destination may be the address register: the address is read first', () => {
      const e = mteEnv({ tlb });
      e.ram.view.setBigUint64(DATA + 0x80 - RAM_BASE, 0x0123_4567_89ab_cdefn, true);
      const s = new Int32Array(2);
      halvesOf(s, 0, PLAIN + 0x80n);
      e.mmu.readHalves(s, 0, 0, 8, 0);
      expect(valueAt(s, 0)).toBe(0x0123_4567_89ab_cdefn);
      halvesOf(s, 0, PLAIN + 0x80n);
      e.mmu.readHalves(s, 0, 0, 2, 0);
      expect(valueAt(s, 0)).toBe(0xcdefn); // zero-extended: the high word cleared
    });
  });
}
