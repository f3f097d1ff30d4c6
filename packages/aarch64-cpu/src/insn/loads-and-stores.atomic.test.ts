/**
 * LSE atomics: LD<op> (all operations, sizes, A/L variants), ST<op>, SWP, CAS, CASP.
 * Instruction words from aarch64-linux-gnu-as (+lse); the assembly is beside each. Rs = x1/w1, Rt = x3/w3, Rn = x2.
 */
import { describe, expect, it } from 'vitest';
import { Ec, Stop } from '../exits.js';
import { Fsc } from '../ports.js';
import { Acc, DATA, exec, peek, poke, sctlrSet, setRegs } from './loads-and-stores-testkit.js';

const GUARD = 0x5a5a_5a5a_5a5a_5a5an;

/** Run one atomic with memory at DATA = `old` (size bytes, the rest of the doubleword = guard bytes), Xs = `xs`. */
function atomic(word: number, size: number, old: bigint, xs: bigint) {
  const r = exec([word], (cpu, mem) => {
    setRegs(cpu, { 1: xs, 2: DATA, 3: 0xdead_beef_dead_beefn });
    poke(mem, DATA, GUARD);
    poke(mem, DATA + 8n, GUARD);
    poke(mem, DATA, old, size);
  });
  expect(r.exception).toBeUndefined();
  const mask = (1n << BigInt(8 * size)) - 1n;
  // Bytes beyond the access are untouched.
  if (size < 8) expect(peek(r.mem, DATA) & ~mask).toBe(GUARD & ~mask);
  expect(peek(r.mem, DATA + 8n)).toBe(GUARD);
  return { new: peek(r.mem, DATA, size), xt: r.cpu.x[3]!, r };
}

describe('LD<op> atomics', () => {
  const cases: [string, number, number, bigint, bigint, bigint][] = [
    // [assembly, word, size, old memory, Xs, new memory]; Xt always gets the old value
    ['ldadd x1, x3, [x2]', 0xf8210043, 8, 5n, 3n, 8n],
    ['ldadd (wraps)', 0xf8210043, 8, 0xffff_ffff_ffff_ffffn, 2n, 1n],
    ['ldadda x1, x3, [x2]', 0xf8a10043, 8, 5n, 3n, 8n],
    ['ldaddal x1, x3, [x2]', 0xf8e10043, 8, 5n, 3n, 8n],
    ['ldaddl x1, x3, [x2]', 0xf8610043, 8, 5n, 3n, 8n],
    ['ldaddb w1, w3, [x2]', 0x38210043, 1, 0xffn, 0x102n, 0x01n],
    ['ldaddh w1, w3, [x2]', 0x78210043, 2, 0xfff0n, 0xffff_0020n, 0x0010n],
    ['ldadd w1, w3, [x2]', 0xb8210043, 4, 0xffff_fff0n, 0x1_0000_0020n, 0x10n],
    ['ldclr x1, x3, [x2]', 0xf8211043, 8, 0xff00_ff00_ff00_ff00n, 0xf0f0_f0f0_f0f0_f0f0n, 0x0f00_0f00_0f00_0f00n],
    ['ldclrb w1, w3, [x2]', 0x38211043, 1, 0xffn, 0xffff_ff0fn, 0xf0n],
    ['ldeor x1, x3, [x2]', 0xf8212043, 8, 0xff00_ff00_ff00_ff00n, 0xf0f0_f0f0_f0f0_f0f0n, 0x0ff0_0ff0_0ff0_0ff0n],
    ['ldeorh w1, w3, [x2]', 0x78212043, 2, 0x1234n, 0xffffn, 0xedcbn],
    ['ldset x1, x3, [x2]', 0xf8213043, 8, 0xff00n, 0x00f0n, 0xfff0n],
    ['ldsetal w1, w3, [x2]', 0xb8e13043, 4, 0x8000_0000n, 0x1n, 0x8000_0001n],
    ['ldsmax x1, x3, [x2] (negative old)', 0xf8214043, 8, 0xffff_ffff_ffff_fffbn, 3n, 3n],
    ['ldsmin x1, x3, [x2] (negative old)', 0xf8215043, 8, 0xffff_ffff_ffff_fffbn, 3n, 0xffff_ffff_ffff_fffbn],
    ['ldumax x1, x3, [x2]', 0xf8216043, 8, 0xffff_ffff_ffff_fffbn, 3n, 0xffff_ffff_ffff_fffbn],
    ['ldumin x1, x3, [x2]', 0xf8217043, 8, 0xffff_ffff_ffff_fffbn, 3n, 3n],
    ['ldsmaxb w1, w3, [x2]', 0x38214043, 1, 0x80n, 0x7fn, 0x7fn],
    ['ldumaxb w1, w3, [x2]', 0x38216043, 1, 0x80n, 0x7fn, 0x80n],
    ['ldsminh w1, w3, [x2]', 0x78215043, 2, 0x8000n, 1n, 0x8000n],
    ['lduminh w1, w3, [x2]', 0x78217043, 2, 0x8000n, 1n, 1n],
    ['ldsmax w1, w3, [x2] (only W1 counts)', 0xb8214043, 4, 0x8000_0000n, 0xffff_ffff_0000_0001n, 1n],
    ['ldumin w1, w3, [x2]', 0xb8217043, 4, 0x8000_0000n, 0x7fff_ffffn, 0x7fff_ffffn],
    ['swp x1, x3, [x2]', 0xf8218043, 8, 0x1234n, 0x5678n, 0x5678n],
    ['swpb w1, w3, [x2]', 0x38218043, 1, 0x12n, 0x1234_5678n, 0x78n],
    ['swpal w1, w3, [x2]', 0xb8e18043, 4, 0x8765_4321n, 0xffff_ffff_1234_5678n, 0x1234_5678n],
  ];
  it.each(cases)('%s', (_asm, word, size, old, xs, expected) => {
    const { new: now, xt, r } = atomic(word, size, old, xs);
    expect(now).toBe(expected);
    expect(xt).toBe(old);
    expect(r.cpu.x[1]).toBe(xs);
    expect(r.accesses.map((a) => [a.write, a.size, a.flags, a.iss])).toEqual([
      [false, size, Acc.ReadWrite | Acc.Aligned | Acc.TagChecked, 0],
      [true, size, Acc.ReadWrite | Acc.Aligned | Acc.TagChecked | Acc.Write, 0],
    ]);
  });

  it('STADD (Rt = 31) updates memory only', () => {
    const { new: now, r } = atomic(0xf821005f, 8, 40n, 2n); // stadd x1, [x2]
    expect(now).toBe(42n);
    expect(r.cpu.x[31]).toBe(0n);
  });

  it('Rt == Rs: the operand is read before the old value is written', () => {
    const { new: now, r } = atomic(0xf8210041, 8, 10n, 3n); // ldadd x1, x1, [x2]
    expect(now).toBe(13n);
    expect(r.cpu.x[1]).toBe(10n);
  });

  it('SP base: not tag checked; SP alignment checked', () => {
    const ok = exec([0xf82103e3], (cpu, mem) => { cpu.sp = DATA; cpu.x[1] = 1n; poke(mem, DATA, 5n); }); // ldadd x1, x3, [sp]
    expect(ok.cpu.x[3]).toBe(5n);
    expect(ok.accesses.map((a) => a.flags)).toEqual([Acc.ReadWrite | Acc.Aligned, Acc.ReadWrite | Acc.Aligned | Acc.Write]);
    const bad = exec([0xf82103e3], (cpu) => { cpu.sp = DATA + 8n; sctlrSet(cpu, 8n); });
    expect(bad.exception?.ec).toBe(Ec.SpAlign);
  });

  it('unaligned atomics take an alignment fault and change nothing', () => {
    const r = exec([0xf8210043], (cpu) => setRegs(cpu, { 1: 1n, 2: DATA + 4n, 3: 9n })); // ldadd x1, x3, [x2]
    expect(r.exception?.ec).toBe(Ec.DataAbortSame);
    expect(r.exception?.iss).toBe(Fsc.Alignment);
    expect(r.exception?.far).toBe(DATA + 4n);
    expect(r.cpu.x[3]).toBe(9n);
    const h = exec([0x78210043], (cpu) => setRegs(cpu, { 2: DATA + 1n })); // ldaddh w1, w3, [x2]
    expect(h.exception?.iss).toBe(Fsc.Alignment);
  });

  it('a fault outside memory is a data abort', () => {
    const r = exec([0xf8218043], (cpu) => setRegs(cpu, { 2: 0x1000n, 3: 9n })); // swp x1, x3, [x2]
    expect(r.exception?.ec).toBe(Ec.DataAbortSame);
    expect(r.exception?.far).toBe(0x1000n);
    expect(r.cpu.x[3]).toBe(9n);
  });

  it('atomics report no instruction syndrome to EL2', () => {
    const r = exec([0xf8210043], (cpu, _mem, port) => { setRegs(cpu, { 2: DATA }); port.stage2.add(DATA >> 12n); });
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(Number(r.cpu.el2.esr & 0x1ff_ffffn)).toBe(0x07);
  });
});

describe('CAS', () => {
  const cases: [string, number, number, bigint, bigint, bigint, boolean][] = [
    // [assembly, word, size, old memory, Xs (compare), Xt (new), swapped]
    ['cas x1, x3, [x2] (equal)', 0xc8a17c43, 8, 0x1234n, 0x1234n, 0x9999n, true],
    ['cas x1, x3, [x2] (different)', 0xc8a17c43, 8, 0x1234n, 0x1235n, 0x9999n, false],
    ['casa w1, w3, [x2] (compares W1 only)', 0x88e17c43, 4, 0x5n, 0xffff_ffff_0000_0005n, 0x1_0000_0007n, true],
    ['casb w1, w3, [x2]', 0x08a17c43, 1, 0x80n, 0x180n, 0x7fn, true],
    ['cash w1, w3, [x2] (different)', 0x48a17c43, 2, 0x8000n, 0x8001n, 0x7fn, false],
    ['casal x1, x3, [x2]', 0xc8e1fc43, 8, 0xffff_ffff_ffff_ffffn, -1n, 0n, true],
    ['casl w1, w3, [x2]', 0x88a1fc43, 4, 0x1n, 0x1n, 0x2n, true],
  ];
  it.each(cases)('%s', (_asm, word, size, old, xs, xt, swapped) => {
    const r = exec([word], (cpu, mem) => {
      setRegs(cpu, { 1: xs, 2: DATA, 3: xt });
      poke(mem, DATA, GUARD);
      poke(mem, DATA, old, size);
    });
    expect(r.exception).toBeUndefined();
    const mask = (1n << BigInt(8 * size)) - 1n;
    expect(peek(r.mem, DATA, size)).toBe(swapped ? BigInt.asUintN(64, xt) & mask : old);
    expect(r.cpu.x[1]).toBe(old); // Xs gets the old value, zero-extended, either way
    expect(r.accesses.map((a) => [a.write, a.flags])).toEqual(swapped
      ? [[false, Acc.ReadWrite | Acc.Aligned | Acc.TagChecked], [true, Acc.ReadWrite | Acc.Aligned | Acc.TagChecked | Acc.Write]]
      : [[false, Acc.ReadWrite | Acc.Aligned | Acc.TagChecked]]);
    expect(r.accesses.every((a) => a.iss === 0)).toBe(true);
  });

  it('unaligned CAS faults; SP base is not tag checked', () => {
    expect(exec([0x88a17c43], (cpu) => setRegs(cpu, { 2: DATA + 2n })).exception?.iss).toBe(Fsc.Alignment); // cas w1, w3, [x2]
    const sp = exec([0xc8a17fe3], (cpu) => { cpu.sp = DATA; }); // cas x1, x3, [sp]
    expect(sp.accesses[0]!.flags).toBe(Acc.ReadWrite | Acc.Aligned);
  });
});

describe('CASP', () => {
  const A = 0x1111_2222_3333_4444n;
  const B = 0x8888_9999_aaaa_bbbbn;
  const C = 0xcccc_cccc_cccc_ccccn;
  const D = 0xdddd_dddd_dddd_ddddn;

  it('CASP X: equal pair swaps', () => {
    const r = exec([0x48207c44], (cpu, mem) => { // casp x0, x1, x4, x5, [x2]
      setRegs(cpu, { 0: A, 1: B, 2: DATA, 4: C, 5: D });
      poke(mem, DATA, A);
      poke(mem, DATA + 8n, B);
    });
    expect([peek(r.mem, DATA), peek(r.mem, DATA + 8n)]).toEqual([C, D]);
    expect([r.cpu.x[0], r.cpu.x[1]]).toEqual([A, B]);
    expect(r.accesses.map((a) => [a.va, a.write])).toEqual([[DATA, false], [DATA + 8n, false], [DATA, true], [DATA + 8n, true]]);
  });

  it('CASPAL X: a difference in the second register fails and returns memory', () => {
    const r = exec([0x4860fc44], (cpu, mem) => { // caspal x0, x1, x4, x5, [x2]
      setRegs(cpu, { 0: A, 1: A, 2: DATA, 4: C, 5: D });
      poke(mem, DATA, A);
      poke(mem, DATA + 8n, B);
    });
    expect([peek(r.mem, DATA), peek(r.mem, DATA + 8n)]).toEqual([A, B]);
    expect([r.cpu.x[0], r.cpu.x[1]]).toEqual([A, B]);
    expect(r.accesses.every((a) => !a.write)).toBe(true);
  });

  it('CASP W: one 8-byte access, first register at the lower address', () => {
    const r = exec([0x08207c44], (cpu, mem) => { // casp w0, w1, w4, w5, [x2]
      setRegs(cpu, { 0: 0xffff_ffff_3333_4444n, 1: 0x1111_2222n, 2: DATA, 4: 0x5555_6666n, 5: 0x7777_8888n });
      poke(mem, DATA, A);
    });
    expect(peek(r.mem, DATA)).toBe(0x7777_8888_5555_6666n);
    expect([r.cpu.x[0], r.cpu.x[1]]).toEqual([0x3333_4444n, 0x1111_2222n]);
    expect(r.accesses.map((a) => a.size)).toEqual([8, 8]);
  });

  it('Rs = 30 pairs with XZR', () => {
    const r = exec([0x483e7c44], (cpu, mem) => { // casp x30, xzr, x4, x5, [x2]
      setRegs(cpu, { 30: A, 2: DATA, 4: C, 5: D });
      poke(mem, DATA, A);
      poke(mem, DATA + 8n, 0n);
    });
    expect([peek(r.mem, DATA), peek(r.mem, DATA + 8n)]).toEqual([C, D]);
    expect(r.cpu.x[31]).toBe(0n);
  });

  it('alignment is the pair size', () => {
    const x = exec([0x48207c44], (cpu) => setRegs(cpu, { 2: DATA + 8n })); // casp x0, x1, x4, x5, [x2]
    expect(x.exception?.iss).toBe(Fsc.Alignment);
    expect(x.accesses).toHaveLength(0);
    const w = exec([0x08207c44], (cpu) => setRegs(cpu, { 2: DATA + 4n })); // casp w0, w1, w4, w5, [x2]
    expect(w.exception?.iss).toBe(Fsc.Alignment);
  });

  it.each([
    ['odd Rs', 0x48217c44],
    ['odd Rt', 0x48207c45],
  ])('%s is UNDEFINED', (_n, word) => {
    const r = exec([word], (cpu) => setRegs(cpu, { 2: DATA }));
    expect(r.exception?.ec).toBe(Ec.Unknown);
    expect(r.accesses).toHaveLength(0);
  });
});
