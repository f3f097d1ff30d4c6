/**
 * Load/store pair: signed offset, pre-index, post-index, non-temporal, W and X, LDPSW, SP, writeback overlap.
 * Instruction words from aarch64-linux-gnu-as; the assembly is beside each.
 */
import { describe, expect, it } from 'vitest';
import { Ec, Stop } from '../exits.js';
import { Acc, DATA, TOP, exec, peek, poke, setRegs, sctlrSet, type Setup } from './loads-and-stores-testkit.js';

const A = 0x1111_2222_3333_4444n;
const B = 0x8888_9999_aaaa_bbbbn;

describe('load/store pair', () => {
  it('STP/LDP X with a signed offset', () => {
    const { cpu, mem, accesses } = exec([
      0xa9010c41, // stp x1, x3, [x2, #16]
      0xa9411444, // ldp x4, x5, [x2, #16]
    ], (cpu) => setRegs(cpu, { 1: A, 2: DATA, 3: B }));
    expect(peek(mem, DATA + 16n)).toBe(A);
    expect(peek(mem, DATA + 24n)).toBe(B);
    expect([cpu.x[4], cpu.x[5], cpu.x[2]]).toEqual([A, B, DATA]);
    expect(accesses.map((a) => [a.va, a.size, a.flags, a.iss])).toEqual([
      [DATA + 16n, 8, Acc.TagChecked | Acc.Write, 0],
      [DATA + 24n, 8, Acc.TagChecked | Acc.Write, 0],
      [DATA + 16n, 8, Acc.TagChecked, 0],
      [DATA + 24n, 8, Acc.TagChecked, 0],
    ]);
  });

  it('STP/LDP W with a negative offset zero-extend', () => {
    const { cpu, mem } = exec([
      0x293f0c41, // stp w1, w3, [x2, #-8]
      0x297f1444, // ldp w4, w5, [x2, #-8]
    ], (cpu) => setRegs(cpu, { 1: A, 2: DATA, 3: B, 4: -1n, 5: -1n }));
    expect(peek(mem, DATA - 8n)).toBe(0xaaaa_bbbb_3333_4444n);
    expect(cpu.x[4]).toBe(0x3333_4444n);
    expect(cpu.x[5]).toBe(0xaaaa_bbbbn);
  });

  it('LDPSW sign-extends both words (offset, pre-index, post-index)', () => {
    const setup: Setup = (cpu, mem) => {
      setRegs(cpu, { 2: DATA });
      poke(mem, DATA, 0x7fff_ffff_8000_0000n);
      poke(mem, DATA + 8n, 0x8000_0001_0000_0002n);
    };
    const a = exec([0x69401444], setup); // ldpsw x4, x5, [x2]
    expect([a.cpu.x[4], a.cpu.x[5], a.cpu.x[2]]).toEqual([0xffff_ffff_8000_0000n, 0x7fff_ffffn, DATA]);
    const b = exec([0x69c11444], setup); // ldpsw x4, x5, [x2, #8]!
    expect([b.cpu.x[4], b.cpu.x[5], b.cpu.x[2]]).toEqual([2n, 0xffff_ffff_8000_0001n, DATA + 8n]);
    const c = exec([0x68ff1444], setup); // ldpsw x4, x5, [x2], #-8
    expect([c.cpu.x[4], c.cpu.x[5], c.cpu.x[2]]).toEqual([0xffff_ffff_8000_0000n, 0x7fff_ffffn, DATA - 8n]);
  });

  it('pre-index and post-index write back', () => {
    const { cpu, mem } = exec([
      0xa9bf0c41, // stp x1, x3, [x2, #-16]!
      0xa8c11444, // ldp x4, x5, [x2], #16
      0x28810c41, // stp w1, w3, [x2], #8
      0x29c09444, // ldp w4, w5, [x2, #4]!
    ], (cpu) => setRegs(cpu, { 1: A, 2: DATA, 3: B }));
    expect(peek(mem, DATA - 16n)).toBe(A);
    expect(peek(mem, DATA - 8n)).toBe(B);
    expect(peek(mem, DATA)).toBe(0xaaaa_bbbb_3333_4444n);
    // after the last pre-index: x2 = DATA + 12, loaded DATA + 12 and DATA + 16 (zero)
    expect(cpu.x[2]).toBe(DATA + 12n);
    expect(cpu.x[4]).toBe(0n);
  });

  it('the largest and smallest scaled offsets', () => {
    const { cpu } = exec([
      0xa95f9444, // ldp x4, x5, [x2, #504]
      0xa9601446, // ldp x6, x5, [x2, #-512]
    ], (cpu, mem) => {
      setRegs(cpu, { 2: DATA });
      poke(mem, DATA + 504n, 1n);
      poke(mem, DATA + 512n, 2n);
      poke(mem, DATA - 512n, 3n);
    });
    expect(cpu.x[4]).toBe(1n);
    expect(cpu.x[6]).toBe(3n);
  });

  it('STNP/LDNP behave as the offset forms', () => {
    const { cpu, mem } = exec([
      0xa8000c41, // stnp x1, x3, [x2]
      0xa8401444, // ldnp x4, x5, [x2]
      0x28010c41, // stnp w1, w3, [x2, #8]
      0x28411446, // ldnp w6, w5, [x2, #8]
    ], (cpu) => setRegs(cpu, { 1: A, 2: DATA, 3: B }));
    expect(peek(mem, DATA)).toBe(A);
    expect(peek(mem, DATA + 8n)).toBe(0xaaaa_bbbb_3333_4444n);
    expect(cpu.x[4]).toBe(A);
    expect(cpu.x[6]).toBe(0x3333_4444n);
    expect(cpu.x[5]).toBe(0xaaaa_bbbbn);
    expect(cpu.x[2]).toBe(DATA);
  });

  it('frame push and pop through SP; STP XZR', () => {
    const { cpu, mem } = exec([
      0xa9bf7bfd, // stp x29, x30, [sp, #-16]!
      0xa9007c5f, // stp xzr, xzr, [x2]
      0xa8c17bfd, // ldp x29, x30, [sp], #16
    ], (cpu, mem) => {
      setRegs(cpu, { 29: A, 30: B, 2: DATA });
      poke(mem, DATA, -1n);
      poke(mem, DATA + 8n, -1n);
    });
    expect(peek(mem, TOP - 32n)).toBe(A);
    expect(peek(mem, TOP - 24n)).toBe(B);
    expect(cpu.sp).toBe(TOP - 16n);
    expect([cpu.x[29], cpu.x[30]]).toEqual([A, B]);
    expect(peek(mem, DATA)).toBe(0n);
    expect(peek(mem, DATA + 8n)).toBe(0n);
  });

  it('tag checking: SP + offset without writeback is unchecked, SP with writeback is checked', () => {
    const { accesses } = exec([
      0xa9400be1, // ldp x1, x2, [sp]
      0xa9bf7bfd, // stp x29, x30, [sp, #-16]!
    ], (cpu) => { cpu.sp = DATA; });
    expect(accesses.map((a) => a.flags)).toEqual([0, 0, Acc.TagChecked | Acc.Write, Acc.TagChecked | Acc.Write]);
  });

  it('SP alignment is checked', () => {
    const { exception, accesses } = exec([0xa9410be1], (cpu) => { // ldp x1, x2, [sp, #16]
      cpu.sp = DATA + 8n;
      sctlrSet(cpu, 8n);
    });
    expect(exception?.ec).toBe(Ec.SpAlign);
    expect(accesses).toHaveLength(0);
  });

  it('a fault on the second element leaves the registers and the base unchanged', () => {
    const end = 0x4000_0000n + 0x10_0000n;
    const { cpu, exception } = exec([0xa8c11444], (cpu) => setRegs(cpu, { 2: end - 8n, 4: 7n, 5: 8n })); // ldp x4, x5, [x2], #16
    expect(exception?.ec).toBe(Ec.DataAbortSame);
    expect(exception?.far).toBe(end);
    expect([cpu.x[4], cpu.x[5], cpu.x[2]]).toEqual([7n, 8n, end - 8n]);
  });

  it('pairs report no instruction syndrome to EL2', () => {
    const r = exec([0xa9411444], (cpu, _mem, port) => { setRegs(cpu, { 2: DATA }); port.stage2.add(DATA >> 12n); }); // ldp x4, x5, [x2, #16]
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(Number(r.cpu.el2.esr & 0x1ff_ffffn)).toBe(0x07);
  });
});

describe('load/store pair CONSTRAINED UNPREDICTABLE cases (QEMU 10 behaviour)', () => {
  it('LDP with writeback and Rt or Rt2 == Rn leaves the written-back address in Rn', () => {
    const setup: Setup = (cpu, mem) => {
      setRegs(cpu, { 1: DATA });
      poke(mem, DATA, A);
      poke(mem, DATA + 8n, B);
    };
    const a = exec([0xa8c10821], setup); // ldp x1, x2, [x1], #16
    expect([a.cpu.x[1], a.cpu.x[2]]).toEqual([DATA + 16n, B]);
    const b = exec([0xa8c10422], setup); // ldp x2, x1, [x1], #16
    expect([a.cpu.x[1], b.cpu.x[2]]).toEqual([DATA + 16n, A]);
  });

  it('LDP/LDNP/LDPSW with Rt == Rt2 keep the second element', () => {
    const setup: Setup = (cpu, mem) => {
      setRegs(cpu, { 2: DATA });
      poke(mem, DATA, A);
      poke(mem, DATA + 8n, B);
    };
    expect(exec([0xa9400441], setup).cpu.x[1]).toBe(B); // ldp x1, x1, [x2]
    expect(exec([0x29400441], setup).cpu.x[1]).toBe(0x1111_2222n); // ldp w1, w1, [x2]
    expect(exec([0x28400441], setup).cpu.x[1]).toBe(0x1111_2222n); // ldnp w1, w1, [x2]
    expect(exec([0x69410441], setup).cpu.x[1]).toBe(0xffff_ffff_8888_9999n); // ldpsw x1, x1, [x2, #8]
  });

  it('STP with writeback and Rt == Rn stores the original base', () => {
    const a = exec([0xa8810821], (cpu) => setRegs(cpu, { 1: DATA, 2: 5n })); // stp x1, x2, [x1], #16
    expect([peek(a.mem, DATA), peek(a.mem, DATA + 8n), a.cpu.x[1]]).toEqual([DATA, 5n, DATA + 16n]);
    const b = exec([0xa9810422], (cpu) => setRegs(cpu, { 1: DATA, 2: 5n })); // stp x2, x1, [x1, #16]!
    expect([peek(b.mem, DATA + 16n), peek(b.mem, DATA + 24n), b.cpu.x[1]]).toEqual([5n, DATA, DATA + 16n]);
  });
});
