/**
 * Load/store exclusive (register and pair) with the single-PE local monitor, and load-acquire/store-release.
 * Instruction words from aarch64-linux-gnu-as; the assembly is beside each.
 */
import { describe, expect, it } from 'vitest';
import { Ec, Stop } from '../exits.js';
import { Fsc } from '../ports.js';
import { Acc, BASE, DATA, exec, peek, poke, sctlrSet, setRegs, type Setup } from './loads-and-stores-testkit.js';

const A = 0x1111_2222_3333_4444n;
const B = 0x8888_9999_aaaa_bbbbn;
const init: Setup = (cpu, mem) => {
  setRegs(cpu, { 2: DATA, 3: 0xeeeen, 4: B, 5: DATA + 8n, 6: 0x0606_0606_0606_0606n, 7: 0x0707_0707_0707_0707n });
  poke(mem, DATA, A);
  poke(mem, DATA + 8n, 0x5555n);
};

describe('load/store exclusive register', () => {
  it('LDXR then STXR to the same address and size succeeds and closes the monitor', () => {
    const { cpu, mem, accesses } = exec([
      0xc85f7c41, // ldxr x1, [x2]
      0xc8037c44, // stxr w3, x4, [x2]
    ], init);
    expect(cpu.x[1]).toBe(A);
    expect(cpu.x[3]).toBe(0n);
    expect(peek(mem, DATA)).toBe(B);
    expect(cpu.exclAddr).toBe(-1n);
    expect(accesses.map((a) => [a.write, a.flags, a.iss])).toEqual([
      [false, Acc.Aligned | Acc.TagChecked, 0],
      [true, Acc.Aligned | Acc.TagChecked | Acc.Write, 0],
    ]);
  });

  it('LDXR opens the monitor for the address and size', () => {
    const { cpu } = exec([0xc85f7c41], init); // ldxr x1, [x2]
    expect([cpu.exclAddr, cpu.exclSize]).toEqual([DATA, 8]);
  });

  it('STXR with the monitor open fails once it has been used', () => {
    const { cpu, mem } = exec([
      0xc85f7c41, // ldxr x1, [x2]
      0xc8037c44, // stxr w3, x4, [x2]
      0xc8057c41, // stxr w5, x1, [x2]
    ], init);
    expect(cpu.x[3]).toBe(0n);
    expect(cpu.x[5]).toBe(1n);
    expect(peek(mem, DATA)).toBe(B);
  });

  it('STXR without a preceding LDXR fails, writes nothing, and sets Ws = 1', () => {
    const { cpu, mem, accesses } = exec([0xc8037c44], init); // stxr w3, x4, [x2]
    expect(cpu.x[3]).toBe(1n);
    expect(peek(mem, DATA)).toBe(A);
    expect(accesses).toHaveLength(0);
  });

  it('a different size or address fails and closes the monitor', () => {
    const size = exec([0xc85f7c41, 0x88037c44], init); // ldxr x1, [x2]; stxr w3, w4, [x2]
    expect(size.cpu.x[3]).toBe(1n);
    expect(size.cpu.exclAddr).toBe(-1n);
    expect(peek(size.mem, DATA)).toBe(A);
    const addr = exec([0xc85f7c41, 0xc8037ca4], init); // ldxr x1, [x2]; stxr w3, x4, [x5]
    expect(addr.cpu.x[3]).toBe(1n);
    expect(peek(addr.mem, DATA + 8n)).toBe(0x5555n);
  });

  it('CLREX semantics: exclAddr = -1 makes STXR fail', () => {
    const { cpu } = exec([0xc85f7c41, 0xc8037c44], (cpu, mem, port) => { // ldxr; stxr
      init(cpu, mem, port);
      // What CLREX (system group) does, between the two instructions.
      const fetch = port.fetch.bind(port);
      port.fetch = (va) => { if (va === BASE + 4n) cpu.exclAddr = -1n; return fetch(va); };
    });
    expect(cpu.x[3]).toBe(1n);
  });

  it('bytes, halfwords, words; acquire/release variants', () => {
    const b = exec([0x085f7c41, 0x08037c44], init); // ldxrb w1, [x2]; stxrb w3, w4, [x2]
    expect([b.cpu.x[1], b.cpu.x[3], peek(b.mem, DATA)]).toEqual([0x44n, 0n, 0x1111_2222_3333_44bbn]);
    const h = exec([0x485f7c41, 0x48037c44], init); // ldxrh w1, [x2]; stxrh w3, w4, [x2]
    expect([h.cpu.x[1], h.cpu.x[3], peek(h.mem, DATA)]).toEqual([0x4444n, 0n, 0x1111_2222_3333_bbbbn]);
    const w = exec([0x885ffc41, 0x8803fc44], init); // ldaxr w1, [x2]; stlxr w3, w4, [x2]
    expect([w.cpu.x[1], w.cpu.x[3], peek(w.mem, DATA)]).toEqual([0x3333_4444n, 0n, 0x1111_2222_aaaa_bbbbn]);
    const bh = exec([0x085ffc41, 0x4803fc44], init); // ldaxrb w1, [x2]; stlxrh w3, w4, [x2]: size mismatch
    expect(bh.cpu.x[3]).toBe(1n);
  });

  it('STXR with Ws == Xt (CONSTRAINED UNPREDICTABLE) stores the original value', () => {
    const { cpu, mem } = exec([0xc85f7c43, 0xc8017c41], (cpu, mem, port) => { // ldxr x3, [x2]; stxr w1, x1, [x2]
      init(cpu, mem, port);
      cpu.x[1] = 7n;
    });
    expect(peek(mem, DATA)).toBe(7n);
    expect(cpu.x[1]).toBe(0n);
  });

  it('SP base: not tag checked, alignment-checked against SCTLR_EL1.SA', () => {
    const ok = exec([0xc85f7fe1, 0xc8037fe4], (cpu, mem, port) => { init(cpu, mem, port); cpu.sp = DATA; }); // ldxr x1, [sp]; stxr w3, x4, [sp]
    expect(ok.cpu.x[3]).toBe(0n);
    expect(ok.accesses.map((a) => a.flags)).toEqual([Acc.Aligned, Acc.Aligned | Acc.Write]);
    const bad = exec([0xc85f7fe1], (cpu, mem, port) => { init(cpu, mem, port); cpu.sp = DATA + 8n; sctlrSet(cpu, 8n); });
    expect(bad.exception?.ec).toBe(Ec.SpAlign);
  });

  it('unaligned addresses take an alignment fault, for STXR even with the monitor closed', () => {
    const ld = exec([0xc85f7c41], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 4n; }); // ldxr x1, [x2]
    expect(ld.exception?.ec).toBe(Ec.DataAbortSame);
    expect(ld.exception?.iss).toBe(Fsc.Alignment);
    expect(ld.exception?.far).toBe(DATA + 4n);
    expect(ld.cpu.exclAddr).toBe(-1n);
    const h = exec([0x485f7c41], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 1n; }); // ldxrh w1, [x2]
    expect(h.exception?.iss).toBe(Fsc.Alignment);
    const st = exec([0xc8037c44], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 2n; }); // stxr w3, x4, [x2]
    expect(st.exception?.iss).toBe(Fsc.Alignment | 1 << 6);
    expect(st.cpu.x[3]).toBe(0xeeeen);
  });

  it('taking an exception clears the monitor', () => {
    const { cpu, exception } = exec([0xc85f7c41, 0xf9400020], init); // ldxr x1, [x2]; ldr x0, [x1] (faults)
    expect(exception?.ec).toBe(Ec.DataAbortSame);
    expect(cpu.exclAddr).toBe(-1n);
  });

  it('exclusives report no instruction syndrome to EL2', () => {
    const r = exec([0xc85f7c41], (cpu, mem, port) => { init(cpu, mem, port); port.stage2.add(DATA >> 12n); });
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(Number(r.cpu.el2.esr & 0x1ff_ffffn)).toBe(0x07);
  });
});

describe('load/store exclusive pair', () => {
  it('LDXP/STXP X: 16 bytes, monitor size 16', () => {
    const { cpu, mem } = exec([
      0xc87f0c41, // ldxp x1, x3, [x2]
      0xc8251c46, // stxp w5, x6, x7, [x2]
    ], init);
    expect([cpu.x[1], cpu.x[3], cpu.x[5]]).toEqual([A, 0x5555n, 0n]);
    expect([peek(mem, DATA), peek(mem, DATA + 8n)]).toEqual([0x0606_0606_0606_0606n, 0x0707_0707_0707_0707n]);
  });

  it('LDXP/STXP W: one 8-byte access', () => {
    const { cpu, mem, accesses } = exec([
      0x887f0c41, // ldxp w1, w3, [x2]
      0x88251c46, // stxp w5, w6, w7, [x2]
    ], init);
    expect([cpu.x[1], cpu.x[3], cpu.x[5]]).toEqual([0x3333_4444n, 0x1111_2222n, 0n]);
    expect(peek(mem, DATA)).toBe(0x0707_0707_0606_0606n);
    expect(accesses.map((a) => a.size)).toEqual([8, 8]);
  });

  it('LDAXP/STLXP; a pair store after a single load fails (size)', () => {
    const ok = exec([0xc87f8c41, 0xc8259c46], init); // ldaxp x1, x3, [x2]; stlxp w5, x6, x7, [x2]
    expect(ok.cpu.x[5]).toBe(0n);
    const bad = exec([0xc85f7c41, 0xc8251c46], init); // ldxr x1, [x2]; stxp w5, x6, x7, [x2]
    expect(bad.cpu.x[5]).toBe(1n);
    expect(peek(bad.mem, DATA)).toBe(A);
  });

  it('pairs must be aligned to the pair size', () => {
    const x = exec([0xc87f0c41], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 8n; }); // ldxp x1, x3, [x2]
    expect(x.exception?.iss).toBe(Fsc.Alignment);
    expect(x.exception?.far).toBe(DATA + 8n);
    expect(x.accesses).toHaveLength(0);
    const w = exec([0x887f0c41], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 4n; }); // ldxp w1, w3, [x2]
    expect(w.exception?.iss).toBe(Fsc.Alignment);
    const st = exec([0xc8251c46], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 8n; }); // stxp w5, x6, x7, [x2]
    expect(st.exception?.iss).toBe(Fsc.Alignment | 1 << 6);
  });

  it('LDXP with Rt == Rt2 (CONSTRAINED UNPREDICTABLE) keeps the second element', () => {
    expect(exec([0xc87f0441], init).cpu.x[1]).toBe(0x5555n); // ldxp x1, x1, [x2]
    expect(exec([0x887f0441], init).cpu.x[1]).toBe(0x1111_2222n); // ldxp w1, w1, [x2]
  });
});

describe('load-acquire / store-release', () => {
  const cases: [string, number, number, bigint, bigint][] = [
    // [size, stlr w/x1 [x2], ldar w/x3 [x2], memory after the store, value loaded]
    ['byte', 0x089ffc41, 0x08dffc43, 0x1111_2222_3333_44bbn, 0xbbn],
    ['halfword', 0x489ffc41, 0x48dffc43, 0x1111_2222_3333_bbbbn, 0xbbbbn],
    ['word', 0x889ffc41, 0x88dffc43, 0x1111_2222_aaaa_bbbbn, 0xaaaa_bbbbn],
    ['doubleword', 0xc89ffc41, 0xc8dffc43, B, B],
  ];
  it.each(cases)('STLR/LDAR %s', (_n, stlr, ldar, mem, loaded) => {
    const r = exec([stlr, ldar], (cpu, m, port) => { init(cpu, m, port); cpu.x[1] = B; });
    expect(r.exception).toBeUndefined();
    expect(peek(r.mem, DATA)).toBe(mem);
    expect(r.cpu.x[3]).toBe(loaded);
    expect(r.accesses.map((a) => a.flags)).toEqual([Acc.Aligned | Acc.TagChecked | Acc.Write, Acc.Aligned | Acc.TagChecked]);
  });

  it('report a valid syndrome with AR set', () => {
    const r = exec([0xc8dffc41, 0x089ffc41], init); // ldar x1, [x2]; stlrb w1, [x2]
    expect(r.accesses.map((a) => a.iss)).toEqual([1 << 24 | 3 << 22 | 1 << 16 | 1 << 15 | 1 << 14, 1 << 24 | 1 << 16 | 1 << 14]);
  });

  it('must be aligned; SP base is not tag checked', () => {
    const u = exec([0x88dffc43], (cpu, mem, port) => { init(cpu, mem, port); cpu.x[2] = DATA + 2n; }); // ldar w3, [x2]
    expect(u.exception?.iss).toBe(Fsc.Alignment);
    const sp = exec([0xc8dfffe1], (cpu, mem, port) => { init(cpu, mem, port); cpu.sp = DATA; }); // ldar x1, [sp]
    expect(sp.cpu.x[1]).toBe(A);
    expect(sp.accesses[0]!.flags).toBe(Acc.Aligned);
  });
});
