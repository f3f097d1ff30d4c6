/**
 * Load/store register (one general-purpose register): unsigned/unscaled immediate, pre/post-index, register offset,
 * literal, unprivileged, PRFM; sign extension, writeback, SP alignment, faults, tag-check flags and the data abort
 * syndrome. Instruction words come from aarch64-linux-gnu-as (armv8.5-a+memtag+lse); the assembly is beside each.
 */
import { describe, expect, it } from 'vitest';
import { Ec, Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { Acc, BASE, DATA, TOP, exec, peek, poke, setRegs, sctlrSet, type Setup } from './loads-and-stores-testkit.js';

const X1 = 0x1234_5678_9abc_de80n;

describe('load/store register (unsigned immediate)', () => {
  it('bytes: STRB, LDRB zero-extends, LDRSB sign-extends to 64 and 32 bits', () => {
    const { cpu, mem, exception } = exec([
      0x39000c41, // strb w1, [x2, #3]
      0x39400c43, // ldrb w3, [x2, #3]
      0x39800c44, // ldrsb x4, [x2, #3]
      0x39c00c45, // ldrsb w5, [x2, #3]
    ], (cpu) => setRegs(cpu, { 1: X1, 2: DATA, 3: -1n, 4: 0n, 5: -1n }));
    expect(exception).toBeUndefined();
    expect(peek(mem, DATA)).toBe(0x80n << 24n);
    expect(cpu.x[3]).toBe(0x80n);
    expect(cpu.x[4]).toBe(0xffff_ffff_ffff_ff80n);
    expect(cpu.x[5]).toBe(0xffff_ff80n);
  });

  it('halfwords: STRH, LDRH, LDRSH (64 and 32)', () => {
    const { cpu, mem } = exec([
      0x79000c41, // strh w1, [x2, #6]
      0x79400c43, // ldrh w3, [x2, #6]
      0x79800c44, // ldrsh x4, [x2, #6]
      0x79c00c45, // ldrsh w5, [x2, #6]
    ], (cpu) => setRegs(cpu, { 1: X1, 2: DATA, 3: -1n, 5: -1n }));
    expect(peek(mem, DATA)).toBe(0xde80n << 48n);
    expect(cpu.x[3]).toBe(0xde80n);
    expect(cpu.x[4]).toBe(0xffff_ffff_ffff_de80n);
    expect(cpu.x[5]).toBe(0xffff_de80n);
  });

  it('words: STR W, LDR W zero-extends, LDRSW sign-extends', () => {
    const { cpu, mem } = exec([
      0xb9000841, // str w1, [x2, #8]
      0xb9400843, // ldr w3, [x2, #8]
      0xb9800844, // ldrsw x4, [x2, #8]
    ], (cpu) => setRegs(cpu, { 1: X1, 2: DATA, 3: -1n }));
    expect(peek(mem, DATA + 8n)).toBe(0x9abc_de80n);
    expect(cpu.x[3]).toBe(0x9abc_de80n);
    expect(cpu.x[4]).toBe(0xffff_ffff_9abc_de80n);
  });

  it('doublewords, the largest scaled offset, XZR as source and destination', () => {
    const { cpu, mem } = exec([
      0xf9000841, // str x1, [x2, #16]
      0xf9400843, // ldr x3, [x2, #16]
      0xf97ffc44, // ldr x4, [x2, #32760]
      0xf900005f, // str xzr, [x2]
      0xf940005f, // ldr xzr, [x2]
    ], (cpu, mem) => {
      setRegs(cpu, { 1: X1, 2: DATA });
      poke(mem, DATA, -1n);
      poke(mem, DATA + 32760n, 0x0102_0304_0506_0708n);
    });
    expect(peek(mem, DATA + 16n)).toBe(X1);
    expect(cpu.x[3]).toBe(X1);
    expect(cpu.x[4]).toBe(0x0102_0304_0506_0708n);
    expect(peek(mem, DATA)).toBe(0n);
    expect(cpu.x[31]).toBe(0n);
  });

  it('SP as the base register', () => {
    const { cpu, mem } = exec([
      0xf90007e1, // str x1, [sp, #8]
      0xf94007e3, // ldr x3, [sp, #8]
    ], (cpu) => {
      setRegs(cpu, { 1: X1 });
      cpu.sp = DATA;
    });
    expect(peek(mem, DATA + 8n)).toBe(X1);
    expect(cpu.x[3]).toBe(X1);
    expect(cpu.sp).toBe(DATA);
  });
});

describe('load/store register (unscaled immediate)', () => {
  it('negative and unaligned offsets, all sizes', () => {
    const { cpu, mem, exception } = exec([
      0xf81f8041, // stur x1, [x2, #-8]
      0xf85f8043, // ldur x3, [x2, #-8]
      0x389ff044, // ldursb x4, [x2, #-1]
      0xb89fc045, // ldursw x5, [x2, #-4]
      0x78401046, // ldurh w6, [x2, #1]
      0x380ff041, // sturb w1, [x2, #255]
      0x78dfe047, // ldursh w7, [x2, #-2]
      0x78100041, // sturh w1, [x2, #-256]
      0xb8003041, // stur w1, [x2, #3]
      0xb8403048, // ldur w8, [x2, #3]
    ], (cpu, mem) => {
      setRegs(cpu, { 1: X1, 2: DATA });
      poke(mem, DATA, 0x0000_0000_00aa_bb00n);
    });
    expect(exception).toBeUndefined();
    expect(peek(mem, DATA - 8n)).toBe(X1);
    expect(cpu.x[3]).toBe(X1);
    expect(cpu.x[4]).toBe(0x12n); // DATA - 1 holds X1's top byte
    expect(cpu.x[5]).toBe(0x12345678n);
    expect(cpu.x[6]).toBe(0xaabbn);
    expect(peek(mem, DATA + 255n, 1)).toBe(0x80n);
    expect(cpu.x[7]).toBe(0x1234n);
    expect(peek(mem, DATA - 256n, 2)).toBe(0xde80n);
    expect(peek(mem, DATA + 3n, 4)).toBe(0x9abc_de80n);
    expect(cpu.x[8]).toBe(0x9abc_de80n);
  });
});

describe('load/store register (immediate pre-index and post-index)', () => {
  it('post-index loads use the old base and write back base + imm', () => {
    const { cpu } = exec([0xf8408441], // ldr x1, [x2], #8
      (cpu, mem) => { setRegs(cpu, { 2: DATA }); poke(mem, DATA, 0x1111n); });
    expect(cpu.x[1]).toBe(0x1111n);
    expect(cpu.x[2]).toBe(DATA + 8n);
  });

  it('pre-index loads use and write back base + imm', () => {
    const { cpu } = exec([0xf85f8c41], // ldr x1, [x2, #-8]!
      (cpu, mem) => { setRegs(cpu, { 2: DATA }); poke(mem, DATA - 8n, 0x2222n); });
    expect(cpu.x[1]).toBe(0x2222n);
    expect(cpu.x[2]).toBe(DATA - 8n);
  });

  it('post-index and pre-index stores', () => {
    const a = exec([0xf81f0441], (cpu) => setRegs(cpu, { 1: X1, 2: DATA })); // str x1, [x2], #-16
    expect(peek(a.mem, DATA)).toBe(X1);
    expect(a.cpu.x[2]).toBe(DATA - 16n);
    const b = exec([0x38001c41], (cpu) => setRegs(cpu, { 1: X1, 2: DATA })); // strb w1, [x2, #1]!
    expect(peek(b.mem, DATA)).toBe(0x80_00n);
    expect(b.cpu.x[2]).toBe(DATA + 1n);
  });

  it('sign-extending forms with writeback', () => {
    const setup: Setup = (cpu, mem) => {
      setRegs(cpu, { 2: DATA });
      poke(mem, DATA - 8n, 0x8001_8002_8003_8004n);
      poke(mem, DATA, 0x8001_8002_8003_80f4n);
    };
    const a = exec([0x78802441], setup); // ldrsh x1, [x2], #2
    expect(a.cpu.x[1]).toBe(0xffff_ffff_ffff_80f4n);
    expect(a.cpu.x[2]).toBe(DATA + 2n);
    const b = exec([0xb8804c41], setup); // ldrsw x1, [x2, #4]!
    expect(b.cpu.x[1]).toBe(0xffff_ffff_8001_8002n);
    expect(b.cpu.x[2]).toBe(DATA + 4n);
    const c = exec([0x785fec41], setup); // ldrh w1, [x2, #-2]!
    expect(c.cpu.x[1]).toBe(0x8001n);
    expect(c.cpu.x[2]).toBe(DATA - 2n);
    const d = exec([0x38dff441], setup); // ldrsb w1, [x2], #-1
    expect(d.cpu.x[1]).toBe(0xffff_fff4n);
    expect(d.cpu.x[2]).toBe(DATA - 1n);
  });

  it('push and pop through SP', () => {
    const { cpu, mem } = exec([
      0xf81f0fe1, // str x1, [sp, #-16]!
      0xf84107e3, // ldr x3, [sp], #16
    ], (cpu) => setRegs(cpu, { 1: X1 }));
    expect(peek(mem, TOP - 32n)).toBe(X1);
    expect(cpu.x[3]).toBe(X1);
    expect(cpu.sp).toBe(TOP - 16n);
  });

  it('Rt == Rn with writeback (CONSTRAINED UNPREDICTABLE): load leaves the written-back address, store stores the old base', () => {
    const a = exec([0xf8408421], (cpu, mem) => { setRegs(cpu, { 1: DATA }); poke(mem, DATA, 0x5555n); }); // ldr x1, [x1], #8
    expect(a.cpu.x[1]).toBe(DATA + 8n);
    expect(a.accesses).toHaveLength(1);
    const b = exec([0xf8008c21], (cpu) => setRegs(cpu, { 1: DATA })); // str x1, [x1, #8]!
    expect(peek(b.mem, DATA + 8n)).toBe(DATA);
    expect(b.cpu.x[1]).toBe(DATA + 8n);
  });

  it('a faulting post-index access does not write back', () => {
    const { cpu, exception } = exec([0xf8408441], (cpu) => setRegs(cpu, { 2: 0x1000n })); // ldr x1, [x2], #8
    expect(exception?.ec).toBe(Ec.DataAbortSame);
    expect(cpu.x[2]).toBe(0x1000n);
  });
});

describe('load/store register (register offset)', () => {
  const cases: [string, number, bigint, bigint, bigint][] = [
    // [assembly, word, Xm, address, expected Xt from memory filled with the address's low byte pattern]
    ['ldr x1, [x2, x3]', 0xf8636841, 8n, DATA + 8n, 8n],
    ['ldr x1, [x2, x3, lsl #3]', 0xf8637841, 2n, DATA + 16n, 8n],
    ['ldr w1, [x2, w3, uxtw #2]', 0xb8635841, 0xffff_ffff_0000_0003n, DATA + 12n, 4n],
    ['ldr w1, [x2, w3, sxtw]', 0xb863c841, 0xffff_fffcn, DATA - 4n, 4n],
    ['ldrb w1, [x2, x3, lsl #0]', 0x38637841, 5n, DATA + 5n, 1n],
    ['ldrh w1, [x2, w3, sxtw #1]', 0x7863d841, 0x1234_ffff_fffen, DATA - 4n, 2n],
    ['ldrsb x1, [x2, x3]', 0x38a36841, -3n, DATA - 3n, 1n],
    ['ldrsw x1, [x2, w3, sxtw #2]', 0xb8a3d841, 0xffff_ffffn, DATA - 4n, 4n],
  ];
  it.each(cases)('%s', (_asm, word, xm, addr, size) => {
    const { cpu, accesses, exception } = exec([word], (cpu, mem) => {
      setRegs(cpu, { 2: DATA, 3: xm });
      for (let i = -32n; i < 32n; i++) poke(mem, DATA + i, 0x80n | (i & 0x7fn), 1);
    });
    expect(exception).toBeUndefined();
    expect(accesses).toHaveLength(1);
    expect(accesses[0]!.va).toBe(addr);
    expect(accesses[0]!.size).toBe(Number(size));
    expect(accesses[0]!.flags).toBe(Acc.TagChecked);
    expect(cpu.x[1]).toBe(accesses[0]!.value | (word === 0x38a36841 ? 0xffff_ffff_ffff_ff00n : word === 0xb8a3d841 ? 0xffff_ffff_0000_0000n : 0n));
  });

  it('STR (register, SXTX #3) and STRH (UXTW)', () => {
    const a = exec([0xf823f841], (cpu) => setRegs(cpu, { 1: X1, 2: DATA, 3: -1n })); // str x1, [x2, x3, sxtx #3]
    expect(peek(a.mem, DATA - 8n)).toBe(X1);
    const b = exec([0x78234841], (cpu) => setRegs(cpu, { 1: X1, 2: DATA, 3: 0xffff_ffff_0000_0006n })); // strh w1, [x2, w3, uxtw]
    expect(peek(b.mem, DATA + 6n, 2)).toBe(0xde80n);
  });

  it('Rm = 31 is XZR and Rn = 31 is SP; SP with a register offset is tag checked', () => {
    const a = exec([0xf87f6841], (cpu, mem) => { setRegs(cpu, { 2: DATA }); poke(mem, DATA, 77n); }); // ldr x1, [x2, xzr]
    expect(a.cpu.x[1]).toBe(77n);
    const b = exec([0xf8636be1], (cpu, mem) => { setRegs(cpu, { 3: 16n }); cpu.sp = DATA; poke(mem, DATA + 16n, 78n); }); // ldr x1, [sp, x3]
    expect(b.cpu.x[1]).toBe(78n);
    expect(b.accesses[0]!.flags).toBe(Acc.TagChecked);
  });

  it.each([
    ['option 000', 0xf8630841],
    ['option 001', 0xf8632841],
    ['option 100', 0xf8638841],
    ['option 101', 0xf863a841],
  ])('%s (sub-word index) is UNDEFINED', (_n, word) => {
    const { exception, accesses } = exec([word], (cpu) => setRegs(cpu, { 2: DATA }));
    expect(exception?.ec).toBe(Ec.Unknown);
    expect(exception?.elr).toBe(BASE);
    expect(accesses).toHaveLength(0);
  });
});

describe('load register (literal)', () => {
  // Instruction i loads from BASE + 0x100: imm19 = 0x40 - i.
  const lit = (opc: number, i: number, rt: number) => ((opc << 30) | (0b011000 << 24) | ((0x40 - i) << 5) | rt) >>> 0;

  it('LDR W, LDR X, LDRSW, PRFM (literal)', () => {
    const { cpu, accesses } = exec([lit(0, 0, 1), lit(1, 1, 2), lit(2, 2, 3), lit(3, 3, 4)], (cpu, mem) => {
      poke(mem, BASE + 0x100n, 0x1122_3344_8877_6655n);
      cpu.x[4] = 99n;
    });
    expect(cpu.x[1]).toBe(0x8877_6655n);
    expect(cpu.x[2]).toBe(0x1122_3344_8877_6655n);
    expect(cpu.x[3]).toBe(0xffff_ffff_8877_6655n);
    expect(cpu.x[4]).toBe(99n);
    expect(accesses.map((a) => a.flags)).toEqual([0, 0, 0]); // literal loads are never tag checked
    expect(accesses.map((a) => a.iss)).toEqual([0x1000000 | 2 << 22 | 1 << 16, 0x1000000 | 3 << 22 | 2 << 16 | 1 << 15,
      0x1000000 | 2 << 22 | 1 << 21 | 3 << 16 | 1 << 15]);
  });

  it('negative offsets', () => {
    // Execution starts at word 3: ldr x1, . - 8 (imm19 = -2) loads words 1 and 2.
    const { cpu } = exec([0xf9800000, 0x8765_4321, 0x0fed_cba9, 0x58ffffc1], (cpu) => { cpu.pc = BASE + 12n; });
    expect(cpu.x[1]).toBe(0x0fed_cba9_8765_4321n);
  });

  it('a literal outside memory faults with FAR = PC + offset', () => {
    const { exception } = exec([0x58ffffc1]); // ldr x1, . - 8
    expect(exception?.ec).toBe(Ec.DataAbortSame);
    expect(exception?.far).toBe(BASE - 8n);
  });
});

describe('load/store register (unprivileged)', () => {
  it('all sizes and sign extensions', () => {
    const { cpu, mem, exception } = exec([
      0xf81f8841, // sttr x1, [x2, #-8]
      0xf8408843, // ldtr x3, [x2, #8]
      0x38401844, // ldtrb w4, [x2, #1]
      0x38801845, // ldtrsb x5, [x2, #1]
      0x78c02846, // ldtrsh w6, [x2, #2]
      0xb8804847, // ldtrsw x7, [x2, #4]
      0x78402848, // ldtrh w8, [x2, #2]
      0x38c01849, // ldtrsb w9, [x2, #1]
      0x7880284a, // ldtrsh x10, [x2, #2]
      0xb840084b, // ldtr w11, [x2]
    ], (cpu, mem) => {
      setRegs(cpu, { 1: X1, 2: DATA });
      poke(mem, DATA, 0x8765_4321_fedc_ba98n);
      poke(mem, DATA + 8n, 0x42n);
    });
    expect(exception).toBeUndefined();
    expect(peek(mem, DATA - 8n)).toBe(X1);
    expect(cpu.x[3]).toBe(0x42n);
    expect(cpu.x[4]).toBe(0xban);
    expect(cpu.x[5]).toBe(0xffff_ffff_ffff_ffban);
    expect(cpu.x[6]).toBe(0xffff_fedcn);
    expect(cpu.x[7]).toBe(0xffff_ffff_8765_4321n);
    expect(cpu.x[8]).toBe(0xfedcn);
    expect(cpu.x[9]).toBe(0xffff_ffban);
    expect(cpu.x[10]).toBe(0xffff_ffff_ffff_fedcn);
    expect(cpu.x[11]).toBe(0xfedc_ba98n);
  });

  it('stores of every size', () => {
    const { mem } = exec([
      0x38001841, // sttrb w1, [x2, #1]
      0x78002841, // sttrh w1, [x2, #2]
      0xb8004841, // sttr w1, [x2, #4]
    ], (cpu) => setRegs(cpu, { 1: X1, 2: DATA }));
    expect(peek(mem, DATA)).toBe(0x9abc_de80_de80_8000n);
  });

  it('pass Acc.Unpriv at EL1, not at EL0; SP base without writeback is not tag checked', () => {
    const words = [0xf8408841, 0xb8000841]; // ldtr x1, [x2, #8]; sttr w1, [x2]
    const el1 = exec(words, (cpu) => setRegs(cpu, { 2: DATA }));
    expect(el1.accesses.map((a) => a.flags)).toEqual([Acc.Unpriv | Acc.TagChecked, Acc.Unpriv | Acc.TagChecked | Acc.Write]);
    const el0 = exec(words, (cpu) => { cpu.el = 0; setRegs(cpu, { 2: DATA }); });
    expect(el0.exception).toBeUndefined();
    expect(el0.accesses.map((a) => a.flags)).toEqual([Acc.TagChecked, Acc.TagChecked | Acc.Write]);
    const sp = exec([0xf8400be1], (cpu) => { cpu.sp = DATA; }); // ldtr x1, [sp]
    expect(sp.accesses[0]!.flags).toBe(Acc.Unpriv);
  });
});

describe('PRFM', () => {
  it('immediate, unscaled, register and literal forms make no access and never fault', () => {
    const { exception, accesses, cpu } = exec([
      0xf9800440, // prfm pldl1keep, [x2, #8]
      0xf89ff040, // prfum pldl1keep, [x2, #-1]
      0xf8a36840, // prfm pldl1keep, [x2, x3]
      0xd8800000, // prfm pldl1keep, . - 0x100000 (outside memory)
      0xf98003f3, // prfm pstl2strm, [sp]  (SP misaligned, SCTLR_EL1.SA set)
      0xf98003ff, // prfm #31, [sp]  (unallocated prfop: still a hint)
    ], (cpu) => {
      setRegs(cpu, { 0: 5n, 2: 0x10n, 3: 0x1234n, 19: 7n });
      cpu.sp = DATA + 8n;
      sctlrSet(cpu, 8n);
    });
    expect(exception).toBeUndefined();
    expect(accesses).toHaveLength(0);
    expect(cpu.x[0]).toBe(5n);
    expect(cpu.x[19]).toBe(7n);
    expect(cpu.pc).toBe(BASE + 24n);
  });
});

describe('SP alignment checking', () => {
  it('EL1 with SCTLR_EL1.SA: a misaligned SP base faults with EC 0x26 before the access', () => {
    const { exception, accesses } = exec([0xf94007e1], (cpu) => { // ldr x1, [sp, #8]
      cpu.sp = DATA + 8n;
      sctlrSet(cpu, 8n);
    });
    expect(exception?.ec).toBe(Ec.SpAlign);
    expect(exception?.iss).toBe(0);
    expect(exception?.elr).toBe(BASE);
    expect(accesses).toHaveLength(0);
  });

  it('the check uses the base SP, not the address; writeback forms and register offsets are checked too', () => {
    const set = (sp: bigint): Setup => (cpu) => { cpu.sp = sp; sctlrSet(cpu, 8n); setRegs(cpu, { 3: 8n }); };
    expect(exec([0xf94007e1], set(DATA)).exception).toBeUndefined(); // ldr x1, [sp, #8]: SP aligned
    expect(exec([0xf81f0fe1], set(DATA + 8n)).exception?.ec).toBe(Ec.SpAlign); // str x1, [sp, #-16]!
    expect(exec([0xf8636be1], set(DATA + 4n)).exception?.ec).toBe(Ec.SpAlign); // ldr x1, [sp, x3]
  });

  it('no check when SA is clear, or for a general-purpose base register', () => {
    expect(exec([0xf94007e1], (cpu) => { cpu.sp = DATA + 8n; }).exception).toBeUndefined();
    expect(exec([0xf9400441], (cpu) => { setRegs(cpu, { 2: DATA + 1n }); sctlrSet(cpu, 8n); }).exception)
      .toBeUndefined(); // ldr x1, [x2, #8]
  });

  it('EL0 uses SCTLR_EL1.SA0', () => {
    const el0 = (bits: bigint) => exec([0xf94007e1], (cpu) => { // ldr x1, [sp, #8]
      cpu.el = 0;
      cpu.spEl[0] = DATA + 8n;
      sctlrSet(cpu, bits);
    });
    const r = el0(16n);
    expect(r.exception?.ec).toBe(Ec.SpAlign);
    expect(r.cpu.sys[SysReg.SPSR_EL1]! & 0xfn).toBe(0n); // taken from EL0
    expect(el0(8n).exception).toBeUndefined();
  });
});

describe('faults', () => {
  it('a load outside memory is a data abort (EC 0x25) with FAR and ELR', () => {
    const { exception, cpu } = exec([0xf9800000, 0xf9400441], (cpu) => setRegs(cpu, { 1: 3n, 2: 0x1000n })); // prfm pldl1keep, [x0]; ldr x1, [x2, #8]
    expect(exception?.ec).toBe(Ec.DataAbortSame);
    expect(exception?.iss).toBe(0x10); // synchronous external abort, WnR = 0
    expect(exception?.far).toBe(0x1008n);
    expect(exception?.elr).toBe(BASE + 4n);
    expect(cpu.x[1]).toBe(3n);
  });

  it('a store fault reports WnR; from EL0 the class is EC 0x24', () => {
    const st = exec([0xf9000841], (cpu) => setRegs(cpu, { 2: 0n })); // str x1, [x2, #16]
    expect(st.exception?.iss).toBe(0x50);
    expect(st.exception?.far).toBe(16n);
    const el0 = exec([0xf9400441], (cpu) => { cpu.el = 0; setRegs(cpu, { 2: 0x1000n }); });
    expect(el0.exception?.ec).toBe(Ec.DataAbortLower);
  });
});

describe('tag-check flags', () => {
  it('set for ordinary accesses and writeback through SP; not for SP + immediate without writeback', () => {
    const r = exec([
      0xf9400441, // ldr x1, [x2, #8]
      0xf94007e3, // ldr x3, [sp, #8]
      0xf85f83e4, // ldur x4, [sp, #-8]
      0xf81f0fe1, // str x1, [sp, #-16]!
    ], (cpu) => { setRegs(cpu, { 2: DATA }); cpu.sp = DATA; });
    expect(r.accesses.map((a) => a.flags)).toEqual([Acc.TagChecked, 0, 0, Acc.TagChecked | Acc.Write]);
  });
});

describe('data abort syndrome (cpu.dabtIss)', () => {
  const ISV = 1 << 24;
  const SSE = 1 << 21;
  const SF = 1 << 15;
  const cases: [string, number, number][] = [
    ['ldrsb x4, [x2, #3]', 0x39800c44, ISV | 0 << 22 | SSE | 4 << 16 | SF],
    ['ldrsh w5, [x2, #6]', 0x79c00c45, ISV | 1 << 22 | SSE | 5 << 16],
    ['ldr w3, [x2, #8]', 0xb9400843, ISV | 2 << 22 | 3 << 16],
    ['ldrsw x4, [x2, #8]', 0xb9800844, ISV | 2 << 22 | SSE | 4 << 16 | SF],
    ['str x1, [x2, #16]', 0xf9000841, ISV | 3 << 22 | 1 << 16 | SF],
    ['strb w1, [x2, #3]', 0x39000c41, ISV | 1 << 16],
    ['stur xzr, [x2, #-8]', 0xf81f805f, ISV | 3 << 22 | 31 << 16 | SF],
    ['ldrh w1, [x2, w3, sxtw #1]', 0x7863d841, ISV | 1 << 22 | 1 << 16],
    ['ldtr x1, [x2, #8]', 0xf8408841, ISV | 3 << 22 | 1 << 16 | SF],
    ['ldr x1, [x2], #8 (writeback: none)', 0xf8408441, 0],
    ['strb w1, [x2, #1]! (writeback: none)', 0x38001c41, 0],
  ];
  it.each(cases)('%s', (_asm, word, iss) => {
    const { accesses } = exec([word], (cpu) => setRegs(cpu, { 2: DATA, 3: 0n }));
    expect(accesses).toHaveLength(1);
    expect(accesses[0]!.iss).toBe(iss);
  });

  it('a stage-2 fault reports it to the hypervisor in ESR_EL2', () => {
    const r = exec([0x39800c44], (cpu, _mem, port) => { setRegs(cpu, { 2: DATA }); port.stage2.add(DATA >> 12n); }); // ldrsb x4, [x2, #3]
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe(BigInt((0x24 << 26 | 1 << 25 | ISV | SSE | 4 << 16 | SF | 0x07) >>> 0));
    expect(r.cpu.el2.far).toBe(DATA + 3n);
    expect(r.cpu.pc).toBe(BASE);
    const st = exec([0xf9000841], (cpu, _mem, port) => { setRegs(cpu, { 2: DATA }); port.stage2.add(DATA >> 12n); }); // str x1, [x2, #16]
    expect(st.cpu.el2.esr).toBe(BigInt((0x24 << 26 | 1 << 25 | ISV | 3 << 22 | 1 << 16 | SF | 1 << 6 | 0x07) >>> 0));
    const wb = exec([0xf8408441], (cpu, _mem, port) => { setRegs(cpu, { 2: DATA }); port.stage2.add(DATA >> 12n); }); // ldr x1, [x2], #8
    expect(wb.cpu.el2.esr).toBe(BigInt((0x24 << 26 | 1 << 25 | 0x07) >>> 0));
    expect(wb.cpu.x[2]).toBe(DATA);
  });
});
