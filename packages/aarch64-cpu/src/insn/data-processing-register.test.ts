/**
 * Data processing -- register. Instruction words were assembled with GNU as 2.40 (aarch64-linux-gnu) and the
 * expected results of the table at the end were recorded from QEMU 10.0 linux-user (-cpu cortex-a57, which like
 * this model has no FEAT_MTE, FEAT_CSSC or pointer authentication, so it UNDEFs the same encodings).
 */
import { describe, expect, it } from 'vitest';
import { findEncoding } from '../decode-a64.js';
import { C, describeQemuVectors, expectUndef, N, run, SP0, u64, V, Z } from '../testing/insn-harness.js';

const INT_MIN = 0x8000_0000_0000_0000n;
const INT_MAX = 0x7fff_ffff_ffff_ffffn;
const ONES = 2n ** 64n - 1n;

describe('Logical (shifted register)', () => {
  it('AND, BIC, ORR, ORN, EOR, EON with each shift type', () => {
    expect(run([0x8a020020], { x: { 1: 0xff00_ff00_ff00_ff00n, 2: 0x0ff0_0ff0_0ff0_0ff0n } }).x[0]).toBe(0x0f00_0f00_0f00_0f00n); // and x0, x1, x2
    expect(run([0x0a021020], { x: { 1: -1n, 2: 0xffff_ffff_0f00_000fn } }).x[0]).toBe(0xf000_00f0n); // and w0, w1, w2, lsl #4
    expect(run([0x8a622020], { x: { 1: -1n, 2: 0xff00_0000_0000_0000n } }).x[0]).toBe(0xff00_ffff_ffff_ffffn); // bic x0, x1, x2, lsr #8
    expect(run([0xaa82fc20], { x: { 1: 0x1234n, 2: INT_MIN } }).x[0]).toBe(ONES); // orr x0, x1, x2, asr #63
    expect(run([0xaa82fc20], { x: { 1: 0x1234n, 2: INT_MAX } }).x[0]).toBe(0x1234n);
    expect(run([0x2ae21020], { x: { 1: 0n, 2: 0xffff_ffff_0000_000fn } }).x[0]).toBe(0x0fff_ffffn); // orn w0, w1, w2, ror #4
    expect(run([0xcac28020], { x: { 1: 0x1111_1111_2222_2222n, 2: 0x3333_3333_4444_4444n } }).x[0])
      .toBe(0x5555_5555_1111_1111n); // eor x0, x1, x2, ror #32
    expect(run([0xca220020], { x: { 1: 0xf0f0_f0f0_f0f0_f0f0n, 2: 0xff00_ff00_ff00_ff00n } }).x[0])
      .toBe(0xf00f_f00f_f00f_f00fn); // eon x0, x1, x2
  });
  it('MOV, MVN and ORR from XZR', () => {
    expect(run([0xaa0203e0], { x: { 2: 0xabcdn } }).x[0]).toBe(0xabcdn); // mov x0, x2
    expect(run([0x2a2203e0], { x: { 2: 0x1_0000_0000n } }).x[0]).toBe(0xffff_ffffn); // mvn w0, w2
    expect(run([0xaa02ffe0], { x: { 2: 3n } }).x[0]).toBe(INT_MIN); // orr x0, xzr, x2, lsl #63
  });
  it('ANDS and BICS set N and Z and clear C and V; TST writes XZR', () => {
    let cpu = run([0xea020020], { x: { 1: 0x8000_0000_0000_0001n, 2: -1n }, nzcv: C | V }); // ands x0, x1, x2
    expect(cpu.x[0]).toBe(0x8000_0000_0000_0001n);
    expect(cpu.nzcv).toBe(N);
    cpu = run([0x6a020020], { x: { 1: 0xffff_ffff_0000_0000n, 2: -1n } }); // ands w0, w1, w2
    expect(cpu.x[0]).toBe(0n);
    expect(cpu.nzcv).toBe(Z);
    cpu = run([0xea220020], { x: { 1: 5n, 2: 5n }, nzcv: N | C | V }); // bics x0, x1, x2
    expect(cpu.nzcv).toBe(Z);
    cpu = run([0xea220020], { x: { 1: 7n, 2: 5n } });
    expect(cpu.x[0]).toBe(2n);
    expect(cpu.nzcv).toBe(0);
    cpu = run([0x6a02003f], { x: { 1: 0x8000_0000n, 2: 0xffff_ffffn } }); // tst w1, w2
    expect(cpu.nzcv).toBe(N);
    expect(cpu.spEl[1]).toBe(SP0);
  });
  it('32-bit shift amounts >= 32 are UNDEFINED', () => {
    expectUndef(0x0a029020); // and w0, w1, w2, lsl #36
    expectUndef(0x6a20fc20); // bics w0, w1, w0, lsl #63
  });
});

describe('Add/subtract (shifted register)', () => {
  it('ADD and SUB', () => {
    expect(run([0x8b020020], { x: { 1: 1n, 2: 2n } }).x[0]).toBe(3n); // add x0, x1, x2
    expect(run([0x8b020020], { x: { 1: -1n, 2: 2n }, nzcv: 0b0110 }).nzcv).toBe(0b0110); // no flags
    expect(run([0x0b027c20], { x: { 1: 0xffff_ffff_0000_0001n, 2: 1n } }).x[0]).toBe(0x8000_0001n); // add w0, w1, w2, lsl #31
    expect(run([0x4b427c20], { x: { 1: 0n, 2: 0x8000_0000n } }).x[0]).toBe(0xffff_ffffn); // sub w0, w1, w2, lsr #31
    expect(run([0xcb0203e0], { x: { 2: 1n } }).x[0]).toBe(ONES); // neg x0, x2
  });
  it('ADDS flags', () => {
    const adds = (a: bigint, b: bigint) => run([0xab020020], { x: { 1: a, 2: b } }); // adds x0, x1, x2
    expect(adds(-1n, 1n).nzcv).toBe(Z | C);
    expect(adds(INT_MAX, 1n).nzcv).toBe(N | V);
    expect(adds(INT_MIN, INT_MIN).nzcv).toBe(Z | C | V);
    expect(adds(INT_MIN, -1n).nzcv).toBe(C | V);
    expect(adds(1n, 2n).nzcv).toBe(0);
    const addsw = (a: bigint, b: bigint) => run([0x2b020020], { x: { 1: a, 2: b } }); // adds w0, w1, w2
    let cpu = addsw(0xffff_ffffn, 1n);
    expect([cpu.x[0], cpu.nzcv]).toEqual([0n, Z | C]);
    cpu = addsw(0x7fff_ffffn, 0xffff_ffff_0000_0001n);
    expect([cpu.x[0], cpu.nzcv]).toEqual([0x8000_0000n, N | V]);
  });
  it('SUBS and CMP flags', () => {
    const cmp = (a: bigint, b: bigint) => run([0xeb02003f], { x: { 1: a, 2: b } }).nzcv; // cmp x1, x2
    expect(cmp(5n, 5n)).toBe(Z | C);
    expect(cmp(3n, 5n)).toBe(N);
    expect(cmp(5n, 3n)).toBe(C);
    expect(cmp(INT_MIN, 1n)).toBe(C | V);
    expect(cmp(INT_MAX, -1n)).toBe(N | V);
    expect(cmp(0n, 0n)).toBe(Z | C);
    const cpu = run([0xeb820420], { x: { 1: 0n, 2: -2n } }); // subs x0, x1, x2, asr #1
    expect([cpu.x[0], cpu.nzcv]).toEqual([1n, 0]);
    const negs = (b: bigint) => run([0x6b0203e0], { x: { 2: b } }); // negs w0, w2
    expect([negs(0x8000_0000n).x[0], negs(0x8000_0000n).nzcv]).toEqual([0x8000_0000n, N | V]);
    expect(negs(0n).nzcv).toBe(Z | C);
    expect(run([0xab02003f], { x: { 1: -1n, 2: 1n } }).nzcv).toBe(Z | C); // cmn x1, x2
  });
  it('register 31 is XZR, not SP', () => {
    expect(run([0xcb0203e0], { x: { 2: 1n } }).spEl[1]).toBe(SP0); // neg x0, x2 reads XZR
    const cpu = run([0xeb02003f], { x: { 1: 1n, 2: 1n } }); // cmp x1, x2 discards the result
    expect(cpu.spEl[1]).toBe(SP0);
  });
  it('shift = ROR and 32-bit shift amounts >= 32 are UNDEFINED', () => {
    expectUndef(0x8bc20020);
    expectUndef(0x0b028020);
    expectUndef(0x6bc2003f);
  });
});

describe('Add/subtract (extended register)', () => {
  it('extends and shifts Rm', () => {
    expect(run([0x8b228020], { x: { 1: 0x100n, 2: 0x80n } }).x[0]).toBe(0x80n); // add x0, x1, w2, sxtb
    expect(run([0x8b22a820], { x: { 1: 0n, 2: 0xffffn } }).x[0]).toBe(ONES - 3n); // add x0, x1, w2, sxth #2
    expect(run([0x8b22d020], { x: { 1: 0n, 2: 0x8000_0000n } }).x[0]).toBe(u64(-0x8_0000_0000n)); // sxtw #4
    expect(run([0xcb220420], { x: { 1: 0x1000n, 2: 0x1ffn } }).x[0]).toBe(0xe02n); // sub x0, x1, w2, uxtb #1
    expect(run([0x0b226c20], { x: { 1: 1n, 2: 0x1_0000_0001n } }).x[0]).toBe(9n); // add w0, w1, w2, uxtx #3
    expect(run([0x8b22e420], { x: { 1: 0n, 2: 0x8000_0000_0000_0001n } }).x[0]).toBe(2n); // add x0, x1, x2, sxtx #1
  });
  it('flags', () => {
    let cpu = run([0xeb222020], { x: { 1: 0xffffn, 2: 0x1_ffffn } }); // subs x0, x1, w2, uxth
    expect([cpu.x[0], cpu.nzcv]).toEqual([0n, Z | C]);
    cpu = run([0x2b228020], { x: { 1: 0x80n, 2: 0x80n } }); // adds w0, w1, w2, sxtb
    expect([cpu.x[0], cpu.nzcv]).toEqual([0n, Z | C]);
  });
  it('Rn and Rd (without flags) = 31 are SP; Rd with flags is XZR', () => {
    expect(run([0x8b2243e0], { x: { 2: 0xffff_ffff_0000_0010n } }).x[0]).toBe(SP0 + 0x10n); // add x0, sp, w2, uxtw
    expect(run([0x8b2273ff], { x: { 2: 1n } }).spEl[1]).toBe(SP0 + 16n); // add sp, sp, x2, lsl #4
    expect(run([0x0b22403f], { x: { 1: 0xffff_ffff_ffff_fff0n, 2: 0x20n } }).spEl[1]).toBe(0x10n); // add wsp, w1, w2
    let cpu = run([0xeb2263ff], { x: { 2: SP0 } }); // cmp sp, x2
    expect(cpu.nzcv).toBe(Z | C);
    expect(cpu.spEl[1]).toBe(SP0);
    cpu = run([0xeb2243ff], { x: { 2: 0xffff_ffff_0000_0000n | SP0 }, sp: SP0 }); // cmp sp, w2, uxtw
    expect(cpu.nzcv).toBe(Z | C);
  });
  it('imm3 > 4 and opt != 00 are UNDEFINED', () => {
    for (const w of [0x8b221420, 0x8b221c20, 0x8b620020, 0xab221820]) expectUndef(w);
  });
});

describe('Add/subtract (with carry)', () => {
  it('ADC and ADCS', () => {
    expect(run([0x9a020020], { x: { 1: 1n, 2: 2n }, nzcv: C }).x[0]).toBe(4n); // adc x0, x1, x2
    expect(run([0x9a020020], { x: { 1: 1n, 2: 2n }, nzcv: N | Z | V }).x[0]).toBe(3n);
    let cpu = run([0xba020020], { x: { 1: -1n, 2: 0n }, nzcv: C }); // adcs x0, x1, x2
    expect([cpu.x[0], cpu.nzcv]).toEqual([0n, Z | C]);
    cpu = run([0xba020020], { x: { 1: INT_MAX, 2: 0n }, nzcv: C });
    expect([cpu.x[0], cpu.nzcv]).toEqual([INT_MIN, N | V]);
    expect(run([0x1a020020], { x: { 1: 0xffff_ffffn, 2: 0n }, nzcv: C }).x[0]).toBe(0n); // adc w0, w1, w2
    cpu = run([0x3a020020], { x: { 1: 0x7fff_ffffn, 2: 0x7fff_ffffn }, nzcv: C }); // adcs w0, w1, w2
    expect([cpu.x[0], cpu.nzcv]).toEqual([0xffff_ffffn, N | V]);
  });
  it('SBC, SBCS and NGC', () => {
    expect(run([0xda020020], { x: { 1: 5n, 2: 3n }, nzcv: C }).x[0]).toBe(2n); // sbc x0, x1, x2
    expect(run([0xda020020], { x: { 1: 5n, 2: 3n }, nzcv: 0 }).x[0]).toBe(1n);
    let cpu = run([0xfa020020], { x: { 1: 0n, 2: 0n }, nzcv: 0 }); // sbcs x0, x1, x2
    expect([cpu.x[0], cpu.nzcv]).toEqual([ONES, N]);
    cpu = run([0xfa020020], { x: { 1: 0n, 2: 0n }, nzcv: C });
    expect([cpu.x[0], cpu.nzcv]).toEqual([0n, Z | C]);
    cpu = run([0x7a020020], { x: { 1: 0x8000_0000n, 2: 0n }, nzcv: 0 }); // sbcs w0, w1, w2
    expect([cpu.x[0], cpu.nzcv]).toEqual([0x7fff_ffffn, C | V]);
    expect(run([0xda0203e0], { x: { 2: 0n }, nzcv: 0 }).x[0]).toBe(ONES); // ngc x0, x2
    expect(run([0xda0203e0], { x: { 2: 0n }, nzcv: C }).x[0]).toBe(0n);
  });
  it('other op3 values, RMIF, SETF8 and SETF16 (FEAT_FlagM) are UNDEFINED', () => {
    for (const w of [0x9a028020, 0xba020422, 0x3a00082d, 0x3a00482d]) expectUndef(w);
  });
});

describe('Conditional compare', () => {
  it('CCMP (register) compares when the condition holds, else sets #nzcv', () => {
    expect(run([0xfa420025], { x: { 1: 3n, 2: 5n }, nzcv: Z }).nzcv).toBe(N); // ccmp x1, x2, #5, eq
    expect(run([0xfa420025], { x: { 1: 5n, 2: 5n }, nzcv: Z | N }).nzcv).toBe(Z | C);
    expect(run([0xfa420025], { x: { 1: 5n, 2: 5n }, nzcv: 0 }).nzcv).toBe(5);
  });
  it('CCMN (register), 32-bit', () => {
    expect(run([0x3a42102f], { x: { 1: 0x1_ffff_ffffn, 2: 1n }, nzcv: 0 }).nzcv).toBe(Z | C); // ccmn w1, w2, #15, ne
    expect(run([0x3a42102f], { x: { 1: 0x7fff_ffffn, 2: 1n }, nzcv: C }).nzcv).toBe(N | V);
    expect(run([0x3a42102f], { x: { 1: 0n, 2: 0n }, nzcv: Z }).nzcv).toBe(15);
  });
  it('CCMP and CCMN (immediate)', () => {
    expect(run([0xfa5fe820], { x: { 1: 31n }, nzcv: N | V }).nzcv).toBe(Z | C); // ccmp x1, #31, #0, al
    expect(run([0xba41b822], { x: { 1: INT_MAX }, nzcv: N }).nzcv).toBe(N | V); // ccmn x1, #1, #2, lt
    expect(run([0xba41b822], { x: { 1: INT_MAX }, nzcv: 0 }).nzcv).toBe(C);
    expect(run([0x7a408828], { x: { 1: 0xffff_ffff_0000_0000n }, nzcv: C }).nzcv).toBe(Z | C); // ccmp w1, #0, #8, hi
    expect(run([0x7a408828], { x: { 1: 0n }, nzcv: C | Z }).nzcv).toBe(N);
  });
  it('Rn = 31 is XZR', () => {
    expect(run([0xfa42e3e0], { x: { 2: 1n } }).nzcv).toBe(N); // ccmp xzr, x2, #0, al
    expect(run([0xfa5fe020], { x: { 1: 0n } }).nzcv).toBe(Z | C); // ccmp x1, xzr, #0, al
  });
  it('S = 0, o2 = 1 and o3 = 1 are UNDEFINED', () => {
    for (const w of [0xfa420425, 0xfa420035, 0xda420025, 0xfa420c25]) expectUndef(w);
  });
});

describe('Conditional select', () => {
  const x = { 1: 0x1111_1111_1111_1111n, 2: 0x2222_2222_ffff_ffffn };
  it('CSEL', () => {
    expect(run([0x9a820020], { x, nzcv: Z }).x[0]).toBe(x[1]); // csel x0, x1, x2, eq
    expect(run([0x9a820020], { x, nzcv: 0 }).x[0]).toBe(x[2]);
    expect(run([0x9a82f020], { x, nzcv: 0 }).x[0]).toBe(x[1]); // csel x0, x1, x2, nv: always true
  });
  it('CSINC, CSINV, CSNEG', () => {
    expect(run([0x1a821420], { x, nzcv: 0 }).x[0]).toBe(0x1111_1111n); // csinc w0, w1, w2, ne
    expect(run([0x1a821420], { x, nzcv: Z }).x[0]).toBe(0n); // w2 + 1 wraps in 32 bits
    expect(run([0xda82a020], { x, nzcv: N }).x[0]).toBe(0xdddd_dddd_0000_0000n); // csinv x0, x1, x2, ge
    expect(run([0xda82a020], { x, nzcv: N | V }).x[0]).toBe(x[1]);
    expect(run([0xda82b420], { x: { 2: INT_MIN }, nzcv: 0 }).x[0]).toBe(INT_MIN); // csneg x0, x1, x2, lt
    expect(run([0xda82b420], { x: { 2: 5n }, nzcv: 0 }).x[0]).toBe(ONES - 4n);
  });
  it('aliases over XZR: CSET, CSETM, CNEG, CINC', () => {
    expect(run([0x9a9f17e0], { nzcv: Z }).x[0]).toBe(1n); // cset x0, eq
    expect(run([0x9a9f17e0], { nzcv: C }).x[0]).toBe(0n);
    expect(run([0x5a9f03e0], { x: { 0: -1n }, nzcv: 0 }).x[0]).toBe(0xffff_ffffn); // csetm w0, ne
    expect(run([0x5a815420], { x: { 1: 1n }, nzcv: N }).x[0]).toBe(0xffff_ffffn); // cneg w0, w1, mi
    expect(run([0x5a815420], { x: { 1: 1n }, nzcv: 0 }).x[0]).toBe(1n);
    expect(run([0x9a817420], { x: { 1: ONES }, nzcv: V }).x[0]).toBe(0n); // cinc x0, x1, vs
  });
  it('every condition', () => {
    // cset x0, <cond> is csinc x0, xzr, xzr, invert(cond): x0 = 1 iff cond holds.
    const holds = (cond: number, f: number) => run([0x9a9f07e0 | ((cond ^ 1) << 12)], { nzcv: f }).x[0] === 1n;
    for (let f = 0; f < 16; f++) {
      const n = (f & N) !== 0, z = (f & Z) !== 0, c = (f & C) !== 0, v = (f & V) !== 0;
      const want = [z, !z, c, !c, n, !n, v, !v, c && !z, !(c && !z), n === v, n !== v, !z && n === v, !(!z && n === v)];
      for (let cond = 0; cond < 14; cond++) expect(holds(cond, f), `cond ${cond} nzcv ${f}`).toBe(want[cond]);
    }
  });
  it('S = 1 and op2 = 1x are UNDEFINED', () => {
    for (const w of [0xba820020, 0x9a820820, 0xda820c20]) expectUndef(w);
  });
});

describe('Data-processing (1 source)', () => {
  const v = 0x0123_4567_89ab_cdefn;
  it('RBIT', () => {
    expect(run([0xdac00020], { x: { 1: 1n } }).x[0]).toBe(INT_MIN); // rbit x0, x1
    expect(run([0xdac00020], { x: { 1: v } }).x[0]).toBe(0xf7b3_d591_e6a2_c480n);
    expect(run([0x5ac00020], { x: { 1: 0xffff_ffff_0000_0001n } }).x[0]).toBe(0x8000_0000n); // rbit w0, w1
  });
  it('REV16, REV32, REV', () => {
    expect(run([0xdac00420], { x: { 1: v } }).x[0]).toBe(0x2301_6745_ab89_efcdn); // rev16 x0, x1
    expect(run([0x5ac00420], { x: { 1: v } }).x[0]).toBe(0xab89_efcdn); // rev16 w0, w1
    expect(run([0xdac00820], { x: { 1: v } }).x[0]).toBe(0x6745_2301_efcd_ab89n); // rev32 x0, x1
    expect(run([0x5ac00820], { x: { 1: v } }).x[0]).toBe(0xefcd_ab89n); // rev w0, w1
    expect(run([0xdac00c20], { x: { 1: v } }).x[0]).toBe(0xefcd_ab89_6745_2301n); // rev x0, x1
  });
  it('CLZ', () => {
    const clz = (a: bigint) => run([0xdac01020], { x: { 1: a } }).x[0]; // clz x0, x1
    expect([clz(0n), clz(1n), clz(INT_MIN), clz(0x1_0000_0000n), clz(0xffff_ffffn)]).toEqual([64n, 63n, 0n, 31n, 32n]);
    const clzw = (a: bigint) => run([0x5ac01020], { x: { 1: a } }).x[0]; // clz w0, w1
    expect([clzw(0n), clzw(0xffff_ffff_0000_0001n), clzw(0x8000_0000n)]).toEqual([32n, 31n, 0n]);
  });
  it('CLS', () => {
    const cls = (a: bigint) => run([0xdac01420], { x: { 1: a } }).x[0]; // cls x0, x1
    expect([cls(0n), cls(-1n), cls(1n), cls(INT_MIN), cls(0xc000_0000_0000_0000n), cls(0x4000_0000_0000_0000n)])
      .toEqual([63n, 63n, 62n, 0n, 1n, 0n]);
    expect(cls(0xffff_ffff_7fff_ffffn)).toBe(31n); // 32 ones, then a zero
    const clsw = (a: bigint) => run([0x5ac01420], { x: { 1: a } }).x[0]; // cls w0, w1
    expect([clsw(0n), clsw(0xffff_ffffn), clsw(0xffffn), clsw(0x1_0000_0000n), clsw(0xffff_0000n)])
      .toEqual([31n, 31n, 15n, 31n, 15n]);
  });
  it('REV with sf = 0 and opc = 11, S = 1, and the PAC/AUT/XPAC and CSSC encodings are UNDEFINED', () => {
    for (const w of [0x5ac00c20, 0xfac00020, 0xdac20020, 0xdac10020, 0xdac143e0, 0xdac11020, 0xdac02020,
      0x5ac01c20, 0xdac01820]) {
      expectUndef(w);
    }
  });
});

describe('Data-processing (2 source)', () => {
  it('UDIV', () => {
    const udiv = (a: bigint, b: bigint) => run([0x9ac20820], { x: { 1: a, 2: b } }).x[0]; // udiv x0, x1, x2
    expect([udiv(7n, 2n), udiv(7n, 0n), udiv(-1n, 1n), udiv(-1n, -1n), udiv(0n, 5n)]).toEqual([3n, 0n, ONES, 1n, 0n]);
    const udivw = (a: bigint, b: bigint) => run([0x1ac20820], { x: { 1: a, 2: b } }).x[0]; // udiv w0, w1, w2
    expect([udivw(0xffff_ffffn, 2n), udivw(-1n, 0x1_0000_0000n), udivw(6n, 0xffff_ffff_0000_0003n)])
      .toEqual([0x7fff_ffffn, 0n, 2n]);
  });
  it('SDIV rounds towards zero, x/0 = 0 and INT_MIN / -1 = INT_MIN', () => {
    const sdiv = (a: bigint, b: bigint) => run([0x9ac20c20], { x: { 1: a, 2: b } }).x[0]; // sdiv x0, x1, x2
    expect([sdiv(-7n, 2n), sdiv(7n, -2n), sdiv(-7n, -2n), sdiv(INT_MIN, -1n), sdiv(5n, 0n), sdiv(INT_MIN, 0n)])
      .toEqual([u64(-3n), u64(-3n), 3n, INT_MIN, 0n, 0n]);
    const sdivw = (a: bigint, b: bigint) => run([0x1ac20c20], { x: { 1: a, 2: b } }).x[0]; // sdiv w0, w1, w2
    expect([sdivw(0x8000_0000n, 0xffff_ffffn), sdivw(0xffff_fff9n, 2n), sdivw(0x1_0000_0007n, 0x2_0000_0000n)])
      .toEqual([0x8000_0000n, 0xffff_fffdn, 0n]);
  });
  it('LSLV, LSRV, ASRV, RORV take the shift modulo the data size', () => {
    const sh = (w: number, a: bigint, b: bigint) => run([w], { x: { 1: a, 2: b } }).x[0];
    expect(sh(0x9ac22020, 1n, 65n)).toBe(2n); // lsl x0, x1, x2
    expect(sh(0x9ac22020, 1n, 63n)).toBe(INT_MIN);
    expect(sh(0x1ac22020, 1n, 33n)).toBe(2n); // lsl w0, w1, w2
    expect(sh(0x1ac22020, 3n, 31n)).toBe(0x8000_0000n);
    expect(sh(0x9ac22420, -1n, 63n)).toBe(1n); // lsr x0, x1, x2
    expect(sh(0x1ac22420, 0xffff_ffff_8000_0000n, 31n)).toBe(1n); // lsr w0, w1, w2
    expect(sh(0x9ac22820, INT_MIN, 63n)).toBe(ONES); // asr x0, x1, x2
    expect(sh(0x9ac22820, INT_MIN, 64n)).toBe(INT_MIN);
    expect(sh(0x1ac22820, 0x8000_0000n, 31n)).toBe(0xffff_ffffn); // asr w0, w1, w2
    expect(sh(0x1ac22820, 0xffff_ffff_7fff_ffffn, 30n)).toBe(1n);
    expect(sh(0x9ac22c20, 1n, 1n)).toBe(INT_MIN); // ror x0, x1, x2
    expect(sh(0x9ac22c20, 0x1234n, 64n)).toBe(0x1234n);
    expect(sh(0x1ac22c20, 0xffff_ffff_0000_0001n, 1n)).toBe(0x8000_0000n); // ror w0, w1, w2
  });
  // CRC-32 and CRC-32C of "123456789" with the usual initial value and final inversion: 0xCBF43926, 0xE3069283.
  it('CRC32X + CRC32B give the CRC-32 check value', () => {
    const cpu = run([0x9ac24c20, 0x1ac34000], { x: { 1: 0xdead_beef_ffff_ffffn, 2: 0x3837_3635_3433_3231n, 3: 0x39n } });
    expect(cpu.x[0]).toBe(0xcbf4_3926n ^ 0xffff_ffffn);
  });
  it('CRC32W + CRC32H + CRC32B give the CRC-32 check value', () => {
    const cpu = run([0x1ac24820, 0x1ac34400, 0x1ac44400, 0x1ac54000],
      { x: { 1: 0xffff_ffffn, 2: 0xaaaa_aaaa_3433_3231n, 3: 0xdead_3635n, 4: 0x3837n, 5: 0xffff_ff39n } });
    expect(cpu.x[0]).toBe(0xcbf4_3926n ^ 0xffff_ffffn);
  });
  it('CRC32CX + CRC32CB give the CRC-32C check value', () => {
    const cpu = run([0x9ac25c20, 0x1ac35000], { x: { 1: 0xffff_ffffn, 2: 0x3837_3635_3433_3231n, 3: 0x39n } });
    expect(cpu.x[0]).toBe(0xe306_9283n ^ 0xffff_ffffn);
  });
  it('CRC32CW + CRC32CH + CRC32CB give the CRC-32C check value', () => {
    const cpu = run([0x1ac25820, 0x1ac35400, 0x1ac45400, 0x1ac55000],
      { x: { 1: 0xffff_ffffn, 2: 0x3433_3231n, 3: 0x3635n, 4: 0xffff_3837n, 5: 0x39n } });
    expect(cpu.x[0]).toBe(0xe306_9283n ^ 0xffff_ffffn);
  });
  it('CRC32 of zero from zero is zero', () => {
    for (const w of [0x1ac24020, 0x1ac24420, 0x1ac24820, 0x9ac24c20, 0x1ac25020, 0x1ac25420, 0x1ac25820, 0x9ac25c20]) {
      expect(run([w], { x: { 0: -1n, 1: 0n, 2: 0n } }).x[0]).toBe(0n);
    }
  });
  it('PACGA, SMAX/UMIN (CSSC), CRC32 with the wrong sf, S = 1 are UNDEFINED (MTE: insn/mte.test.ts)', () => {
    for (const w of [0x9ac23020, 0x9ac26020, 0x1ac26c20, 0x1ac24c20,
      0x9ac24020, 0xbac20820, 0x1ac20020, 0x1ac20420]) {
      expectUndef(w);
    }
  });
});

describe('Data-processing (3 source)', () => {
  it('MADD, MSUB, MUL, MNEG', () => {
    const r = (w: number, a: bigint, b: bigint, c: bigint) => run([w], { x: { 1: a, 2: b, 3: c } }).x[0];
    expect(r(0x9b020c20, 3n, 4n, 5n)).toBe(17n); // madd x0, x1, x2, x3
    expect(r(0x9b020c20, 0x1_0000_0000n, 0x1_0000_0000n, 1n)).toBe(1n);
    expect(r(0x1b020c20, 0xffff_ffff_0001_0000n, 0x1_0001_0000n, 5n)).toBe(5n); // madd w0, w1, w2, w3
    expect(r(0x1b020c20, 0xffff_ffffn, 2n, 0xffff_ffff_0000_0003n)).toBe(1n);
    expect(r(0x9b028c20, 3n, 4n, 5n)).toBe(u64(-7n)); // msub x0, x1, x2, x3
    expect(r(0x1b028c20, 1n, 1n, 0n)).toBe(0xffff_ffffn); // msub w0, w1, w2, w3
    expect(r(0x9b027c20, -1n, -1n, 7n)).toBe(1n); // mul x0, x1, x2
    expect(r(0x1b02fc20, 2n, 3n, 7n)).toBe(0xffff_fffan); // mneg w0, w1, w2
  });
  it('SMADDL, SMSUBL, SMULL', () => {
    const r = (w: number, a: bigint, b: bigint, c: bigint) => run([w], { x: { 1: a, 2: b, 3: c } }).x[0];
    expect(r(0x9b220c20, 0x1234_5678_ffff_ffffn, 2n, 10n)).toBe(8n); // smaddl x0, w1, w2, x3
    expect(r(0x9b228c20, 0x8000_0000n, 0x8000_0000n, 0n)).toBe(u64(-(2n ** 62n))); // smsubl x0, w1, w2, x3
    expect(r(0x9b227c20, 0xffff_ffffn, 0xffff_ffffn, 9n)).toBe(1n); // smull x0, w1, w2
    expect(r(0x9b227c20, 0x7fff_ffffn, 0x8000_0000n, 0n)).toBe(u64(-(0x7fff_ffffn * 0x8000_0000n)));
  });
  it('UMADDL, UMSUBL, UMULL', () => {
    const r = (w: number, a: bigint, b: bigint, c: bigint) => run([w], { x: { 1: a, 2: b, 3: c } }).x[0];
    expect(r(0x9ba20c20, 0xffff_ffffn, 0xffff_ffffn, 1n)).toBe(0xffff_fffe_0000_0002n); // umaddl x0, w1, w2, x3
    expect(r(0x9ba20c20, 0xffff_ffffn, 0xffff_ffffn, ONES)).toBe(0xffff_fffe_0000_0000n);
    expect(r(0x9ba28c20, 0x5_0000_0001n, 1n, 0n)).toBe(ONES); // umsubl x0, w1, w2, x3
    expect(r(0x9ba27c20, 0xffff_ffffn, 2n, 0n)).toBe(0x1_ffff_fffen); // umull x0, w1, w2
  });
  it('SMULH and UMULH', () => {
    const r = (w: number, a: bigint, b: bigint) => run([w], { x: { 1: a, 2: b } }).x[0];
    expect(r(0x9b427c20, -1n, -1n)).toBe(0n); // smulh x0, x1, x2
    expect(r(0x9b427c20, INT_MIN, INT_MIN)).toBe(2n ** 62n);
    expect(r(0x9b427c20, -1n, 1n)).toBe(ONES);
    expect(r(0x9b427c20, INT_MAX, INT_MIN)).toBe(u64(-(2n ** 62n)));
    expect(r(0x9bc27c20, -1n, -1n)).toBe(ONES - 1n); // umulh x0, x1, x2
    expect(r(0x9bc27c20, INT_MIN, 2n)).toBe(1n);
    expect(r(0x9bc27c20, 0x1234n, 0x5678n)).toBe(0n);
  });
  it('unallocated op54, op31 and sf combinations, and SMULH/UMULH with Ra != 31, are UNDEFINED', () => {
    for (const w of [0x1b220c20, 0xbb020c20, 0x9b620c20, 0x9b42fc20, 0x9b820c20, 0x9be20c20, 0x9b420c20,
      0x9bc20c20, 0x1ba20c20, 0x1b427c20, 0xdb020c20]) {
      expectUndef(w);
    }
  });
});

describe('the rest of the class', () => {
  it('op2 = 0001 and other unassigned corners are UNDEFINED', () => {
    for (const w of [0x9a200020, 0x9a600020, 0x9aa00020, 0x9ae00020]) expectUndef(w);
  });
  it('decode rows are named after the Arm ARM', () => {
    expect(findEncoding(0xea220020)?.name).toBe('BICS (shifted register)');
    expect(findEncoding(0xeb2263ff)?.name).toBe('SUBS (extended register)');
    expect(findEncoding(0x9ac25c20)?.name).toBe('CRC32CX');
    expect(findEncoding(0x9bc27c20)?.name).toBe('UMULH');
    expect(findEncoding(0x9ac21020)?.name).toBe('IRG');
  });
});

/**
 * Vectors recorded from QEMU: "word x0 x1 x2 x3 nzcv > x0 x1 x2 x3 nzcv" (hex), or "> UNDEF". The words are random
 * encodings drawn from each class, with registers limited to X0-X3.
 */
const QEMU_VECTORS = `
1a000061 ffffffff 5f57e6e70c2e95ca e6 100000000 5 > ffffffff ffffffff e6 100000000 5
1a000062 42 f413d00ddb1960d3 ffffffffeeab262e 83f8e8f8976ad4a 9 > 42 f413d00ddb1960d3 8976ad8c 83f8e8f8976ad4a 9
1a030040 48d8d63ace1f7025 ffffffffe77874ef 0 4e 4 > 4e ffffffffe77874ef 0 4e 4
1a000001 637cd74d4a092ea0 bc 430e888b376aab20 fb5d78a378d6799d d > 637cd74d4a092ea0 94125d40 430e888b376aab20 fb5d78a378d6799d d
1a030041 a4d24a4af91b163 3c3d6251f4c92698 deadbeefcafebabe 611f9d3108647b82 8 > a4d24a4af91b163 d3633640 deadbeefcafebabe 611f9d3108647b82 8
1a000063 1e6b36b1834a9391 ffffffffffffffff 4 22fe0f330223c4c5 a > 1e6b36b1834a9391 ffffffffffffffff 4 856e5857 a
ba010020 ffffffff3adc57a9 7fffffff 80000001 51a47efc c > fffffffe 7fffffff 80000001 51a47efc 0
3a020061 fffffffe 4f625c317ae0ecb1 ffffffff59fcec6e 2f17a4e8184d782d 4 > fffffffe 724a649b ffffffff59fcec6e 2f17a4e8184d782d 0
3a010000 18f890bc7c34232 7341a4f3 ffffffffbedd2fc1 d79fc7a9a2f567ff 7 > 3b04e726 7341a4f3 ffffffffbedd2fc1 d79fc7a9a2f567ff 2
ba000060 5681917cbe1e3c4b ad07b242ff52db5a 285b1b82d3808dda de8ff30c16ebe5a4 5 > 35118488d50a21ef ad07b242ff52db5a 285b1b82d3808dda de8ff30c16ebe5a4 2
3a020040 c742e2b43798836b 12345678 ffffffff45d1ad46 ffffffffffffffff d > 8ba35a8c 12345678 ffffffff45d1ad46 ffffffffffffffff 9
ba000042 100000000 1 7fffffffffffffff a6e97544a12999e9 7 > 100000000 1 8000000100000000 a6e97544a12999e9 9
8b238c41 1 0 a99565ed66dad4b0 9930cbc5b0090ad9 c > 1 a99565ed66dad378 a99565ed66dad4b0 9930cbc5b0090ad9 c
0b20cc22 36 fffffffffffffffe ffffffff 99cf44f67670b3c1 c > 36 fffffffffffffffe 1ae 99cf44f67670b3c1 c
8b23cc03 2e832270790567ff ffffffff0812e826 8000000000000000 7fffffffffffffff 6 > 2e832270790567ff ffffffff0812e826 8000000000000000 2e832270790567f7 6
8b203063 93 6cd70268f465e0f3 fffffffe d060db7846fd5aa0 2 > 93 6cd70268f465e0f3 fffffffe d060db7846fd63d0 2
8b23ac41 67215d93915a83bb 80000000 ffffffffffffffff e28f7d13462220e4 c > 67215d93915a83bb 1071f ffffffffffffffff e28f7d13462220e4 c
8b230c40 fffffffe 1 733c274e7ccb8e53 cdbb13cecf97df3c 8 > 733c274e7ccb9033 1 733c274e7ccb8e53 cdbb13cecf97df3c 8
0b820860 948f14b 82e63e71904a896f ffffffff8df13f02 8da65a44ef3f7a40 0 > d2bbca00 82e63e71904a896f ffffffff8df13f02 8da65a44ef3f7a40 0
8b831000 3507f375 7fffffff cd af0119e 2 > 35b6f48e 7fffffff cd af0119e 2
8b430021 458ba27e 7fffffff b94ea5c36b7546bc 4a2c3d72351e4477 b > 458ba27e 4a2c3d72b51e4476 b94ea5c36b7546bc 4a2c3d72351e4477 b
0b434041 ffffffffffffffff 2b5b3376efb2c5c4 8000000000000000 2b7a60666ed330d8 e > ffffffffffffffff 6ed3 8000000000000000 2b7a60666ed330d8 e
0b426863 deadbeefcafebabe 7a4122eb00060d68 cc 80000001 8 > deadbeefcafebabe 7a4122eb00060d68 cc 80000001 8
0b007023 100000000 12345678 0 deadbeefcafebabe 0 > 100000000 12345678 0 12345678 0
ab236003 fffffffffffffffe dc7675b7b2fbbfa1 a630f0f1fadcd4a2 396bb7b2567400b 6 > fffffffffffffffe dc7675b7b2fbbfa1 a630f0f1fadcd4a2 396bb7b25674009 2
ab208462 a914771c78ea9105 962fae7f8533da49 2 9e2088c4754bfda3 0 > a914771c78ea9105 962fae7f8533da49 9e2088c4754bfdad 9e2088c4754bfda3 8
2b224022 47 1a77b771ad08f8e1 2c3389c39b5cf77e ffffffff778d67d0 b > 47 1a77b771ad08f8e1 4865f05f ffffffff778d67d0 3
2b212821 e16c4dc625fb91fc 23dbfc5b25c7aec1 1a04954f992fe312 2b 9 > e16c4dc625fb91fc 25ca69c5 1a04954f992fe312 2b 0
2b210c43 c4224bfcbb2e5a3d decab794f01fa42e f592322415014fd3 7fffffff 8 > c4224bfcbb2e5a3d decab794f01fa42e f592322415014fd3 15015143 0
2b23e443 3e 5320eeb9d01082f0 ba87fc8cb9164469 1 a > 3e 5320eeb9d01082f0 ba87fc8cb9164469 b916446b 8
ab004461 7fffffffffffffff ad ffffffffffffffff ffffffff5e6e5f2c b > 7fffffffffffffff ffffffff5e6c5f2c ffffffffffffffff ffffffff5e6e5f2c a
ab82cc40 2b ffffffff580779f1 fffffffe fffffffe 9 > fffffffe ffffffff580779f1 fffffffe fffffffe 0
ab834c21 deadbeefcafebabe f384aca5 ce9d483f010d449b 437e07f4f418dea d > deadbeefcafebabe 87ef94968d ce9d483f010d449b 437e07f4f418dea 0
2b833421 b6d493496c0c1946 ffffffffaaea2382 575af6b3 2ef7c3225744ced 1 > b6d493496c0c1946 aaeb4f24 575af6b3 2ef7c3225744ced 8
2b032062 deadbeefcafebabe b8959775c229eebc 77 57 6 > deadbeefcafebabe b8959775c229eebc 5757 57 0
ab00f823 7fffffff d7f92045eaf2c212 1479535271e07fe9 2f 7 > 7fffffff d7f92045eaf2c212 1479535271e07fe9 97f92045eaf2c212 a
8ac0ac62 879eb057754bc3ab 40740f089a0c646c 88f26e5f7ec67d82 ffffffffd4d380b0 b > 879eb057754bc3ab 40740f089a0c646c aeea97854508090 ffffffffd4d380b0 b
0a036c62 80000001 77 b946f85a292096a8 100000000 9 > 80000001 77 0 100000000 9
8ac1b443 ecf081fecad4efda ca6bae32 ffffffff 12345678 8 > ecf081fecad4efda ca6bae32 ffffffff 71900000 8
8a030460 74388d4d04243fc0 ed9eec229d46f448 8000000000000001 ffffffff22c8e953 6 > fffffffe0080c002 ed9eec229d46f448 8000000000000001 ffffffff22c8e953 6
8a419c21 56 8000000000000000 3beaa15dcb4f522c 7b 9 > 56 0 3beaa15dcb4f522c 7b 9
8a83e060 7fffffff 80000001 1ccf49b95f2e2cfe ffffffffffffffff b > ffffffffffffffff 80000001 1ccf49b95f2e2cfe ffffffffffffffff b
6a820422 6741372df1ee5c7b cf 7f7d4ddc5a56a491 26ce1d8d1cb49c06 4 > 6741372df1ee5c7b cf 48 26ce1d8d1cb49c06 0
ea039062 ebbc051306e5f212 12d62c4acae7670b ffffffffffffffff 4222246417d84aaa a > ebbc051306e5f212 12d62c4acae7670b 4000202000000000 4222246417d84aaa 0
ea40a462 78 f937ae9b01166cb9 af2d648616e56dd9 ffffffff167e91a1 7 > 78 f937ae9b01166cb9 0 ffffffff167e91a1 4
ea819c61 7fffffff 0 224ecafff9a011c fffffffffffffffe b > 7fffffff 0 224ecafff9a011c fffffffffffffffe 4
6a812c21 7da93f76db626994 7fffffffffffffff ff923c2aa38c55cf d1f8e49da99a9100 5 > 7da93f76db626994 ffffffff ff923c2aa38c55cf d1f8e49da99a9100 8
ea82d421 788e05a75ba5cf2f ea 7fffffff bb c > 788e05a75ba5cf2f 0 7fffffff bb 4
9ac22861 8000000000000000 d1cabc320b2bd6ff ffffffff8a637ad7 e01e61aa 3 > 8000000000000000 1c0 ffffffff8a637ad7 e01e61aa 3
1ac12820 fffffffe 12345678 fffffffe 3717c9fb485cfbaf c > 12 12345678 fffffffe 3717c9fb485cfbaf c
1ac22843 c5002500c916314f b1381ebe2a0d5bb7 ffffffff fffffffe 7 > c5002500c916314f b1381ebe2a0d5bb7 ffffffff ffffffff 7
9ac32841 ffffffffbae042d5 7fffffffffffffff 8000000000000000 fffffffe 8 > ffffffffbae042d5 fffffffffffffffe 8000000000000000 fffffffe 8
1ac12841 c4762167d266bd7d 76b6ed52a94094af 8000000000000000 12345678 8 > c4762167d266bd7d 0 8000000000000000 12345678 8
1ac12800 8571e01 85 1cb69163fcb66696 ffffffffffffffff 8 > 42b8f0 85 1cb69163fcb66696 ffffffffffffffff 8
8aa2bc60 73329ec4c2580e5 ffffffff acf5af4dbe5945fe 80000001 5 > 0 ffffffff acf5af4dbe5945fe 80000001 5
8ae2a461 282ef80b065137c5 80000001 3ad0b4082df5f62 8000000000000000 5 > 282ef80b065137c5 0 3ad0b4082df5f62 8000000000000000 5
8a205861 2b4212b25b59433c 80000000 56f40b6b541dd34c 65 7 > 2b4212b25b59433c 65 56f40b6b541dd34c 65 7
8a200062 fffffffffffffffe 7fffffffffffffff 3a3c0e18bedafc06 ffffffff 0 > fffffffffffffffe 7fffffffffffffff 1 ffffffff 0
0a624c03 0 fffffffe 0 5c971f14d680cbea 3 > 0 fffffffe 0 0 3
8aa1a461 104274b3afe23481 4cc452c98defc404 3ba86e9436815a1f 80000000 f > 104274b3afe23481 80000000 3ba86e9436815a1f 80000000 f
6a626001 ad b4fab1019bde8163 deadbeefcafebabe 1 f > ad 25 deadbeefcafebabe 1 0
6a237401 af3e5d8fed05deba 50 dc fffffffffffffffe 3 > af3e5d8fed05deba 2d05deba dc fffffffffffffffe 0
ea22a063 1 20 12345678 ffffffff c > 1 20 12345678 ffffffff 0
eaa17863 fecb6ab3 47899394de71bd4b 3f8a2fd748ad3d50 7fffffffffffffff 8 > fecb6ab3 47899394de71bd4b 3f8a2fd748ad3d50 7ffffffee1d9b1ac 0
eaa3a822 80000001 e9f7c44c180ef35d 4f 80000001 9 > 80000001 e9f7c44c180ef35d e9f7c44c180ef35d 80000001 8
6ae04042 100000000 80000000 6e e6639f5 2 > 100000000 80000000 6e e6639f5 0
3a408801 ffffffff 20e469aace595c72 7ccce34401ebd454 66789723dcd06050 0 > ffffffff 20e469aace595c72 7ccce34401ebd454 66789723dcd06050 1
ba42a823 8000000000000001 a42ae2610d48dfab 824816a8 15d51d73 2 > 8000000000000001 a42ae2610d48dfab 824816a8 15d51d73 8
ba417821 76b12f17 e8bb53baa25b46e8 7fffffffffffffff 0 3 > 76b12f17 e8bb53baa25b46e8 7fffffffffffffff 0 1
3a43a842 2 6cb9a0392f98523e 12345678 8000000000000001 2 > 2 6cb9a0392f98523e 12345678 8000000000000001 0
3a418840 c0 8000000000000000 6d 7fffffffffffffff 5 > c0 8000000000000000 6d 7fffffffffffffff 0
ba40b842 9e4b7c6c fffffffffffffffe 6ee653ec0f7f3d82 fd530da3e4713e63 d > 9e4b7c6c fffffffffffffffe 6ee653ec0f7f3d82 fd530da3e4713e63 2
3a401060 2a6484a1acdba3db 905120c5cefe2141 7fffffffffffffff ca1d23abd764c1cd 6 > 2a6484a1acdba3db 905120c5cefe2141 7fffffffffffffff ca1d23abd764c1cd 0
3a412060 8000000000000000 ffffffffffffffff 8e8e48b0de58a011 ffffffff10ea77fe 7 > 8000000000000000 ffffffffffffffff 8e8e48b0de58a011 ffffffff10ea77fe 2
ba429020 fffffffffffffffe 6c631e15bf5e225d e792ddd53ffd2ad3 ffffffff 3 > fffffffffffffffe 6c631e15bf5e225d e792ddd53ffd2ad3 ffffffff 0
ba43b042 ffffffff 3fad1e8346befa2a 17c9c67c7df2428 83f968e8cbbf75e6 9 > ffffffff 3fad1e8346befa2a 17c9c67c7df2428 83f968e8cbbf75e6 2
ba422021 20177ed497ad8012 25096b783964a09b dc2b9b69c4a66896 2 d > 20177ed497ad8012 25096b783964a09b dc2b9b69c4a66896 2 1
3a42f001 8000000000000000 2a7f6ca7cf63db6e 2b3f7f2a0b1efd2a f1eed291 0 > 8000000000000000 2a7f6ca7cf63db6e 2b3f7f2a0b1efd2a f1eed291 0
7a498843 ffffffff5d2c2938 fffffffffffffffe 4ce74654439e7fa9 c5b3b5d31ad8df8e d > ffffffff5d2c2938 fffffffffffffffe 4ce74654439e7fa9 c5b3b5d31ad8df8e 3
fa583842 450e9c8c4c2f3d6e 80000000 ba95f793574ca61f 6f4929bc484ade6b f > 450e9c8c4c2f3d6e 80000000 ba95f793574ca61f 6f4929bc484ade6b 2
7a4d8840 8000000000000000 2 bd ffffffffffffffff 8 > 8000000000000000 2 bd ffffffffffffffff 0
7a4df802 0 c46af1a065f26aa5 9d961c0b29e258b7 d4177a2682fbbecd 3 > 0 c46af1a065f26aa5 9d961c0b29e258b7 d4177a2682fbbecd 8
7a515860 e8 100000000 40909dce7745cce8 5b25f5afa87c4c98 d > e8 100000000 40909dce7745cce8 5b25f5afa87c4c98 0
7a5c0801 c6f2dfee 4b 7eb9840128b78fe2 74fcdada876b592a 3 > c6f2dfee 4b 7eb9840128b78fe2 74fcdada876b592a 1
7a409022 c67d250799e36375 147914cbb748a37e ff73807957f5b3a1 1036e411ee8682b8 d > c67d250799e36375 147914cbb748a37e ff73807957f5b3a1 1036e411ee8682b8 2
7a438020 15 139fa72bfbde7718 31cec57bcc4a6788 100000000 3 > 15 139fa72bfbde7718 31cec57bcc4a6788 100000000 a
fa417041 1e0840d856ebb4cb 8000000000000000 7050817c67d36ca2 2123623334342561 5 > 1e0840d856ebb4cb 8000000000000000 7050817c67d36ca2 2123623334342561 1
fa405041 7e 6b980b7f5658ffed 80000000 bc d > 7e 6b980b7f5658ffed 80000000 bc 1
7a411063 d9a2a0f633fb542d fffffffffffffffe 4a 12345678 4 > d9a2a0f633fb542d fffffffffffffffe 4a 12345678 3
7a415063 2b95a9bc080ae90a 75be4f9c6265f66b 202cf7f735351335 2 7 > 2b95a9bc080ae90a 75be4f9c6265f66b 202cf7f735351335 2 8
5ac01462 8dc39393f542acfc 517f4b3fce48423a 1603cf754cd1d068 403a40b0f18164fc 5 > 8dc39393f542acfc 517f4b3fce48423a 3 403a40b0f18164fc 5
dac01443 8000000000000000 7fffffff a862a8672cb30626 7fffffff 8 > 8000000000000000 7fffffff a862a8672cb30626 0 8
dac01421 7fffffff 218fbd66 ac 8b98d04afd10f57d 4 > 7fffffff 21 ac 8b98d04afd10f57d 4
dac01423 209285a022e3c54f de7c2f40e27f3893 2ced897fba3cbdea 655e55bb f > 209285a022e3c54f de7c2f40e27f3893 2ced897fba3cbdea 1 f
dac01462 80000000 ffffffff ffffffff ffffffff849508ea 3 > 80000000 ffffffff 20 ffffffff849508ea 3
5ac01423 ffffffffffffffff 80000000 1 530d8d1d48ea9f7c 4 > ffffffffffffffff 80000000 1 0 4
5ac01003 d5 33 80000000 537d254f94435143 5 > d5 33 80000000 18 5
5ac01022 63 5cb1601aca447ea4 9f1239d66b1c7c83 ffffffffffffffff c > 63 5cb1601aca447ea4 0 ffffffffffffffff c
5ac01000 fffffffff5255f5f 80000000 fffffffe 1 9 > 0 80000000 fffffffe 1 9
dac01022 80000000 5b3c6a2007f359e3 1968ebc0985d64d6 c9c1f3ef48dca97f 0 > 80000000 5b3c6a2007f359e3 1 c9c1f3ef48dca97f 0
dac01061 29c8d08733e9482 79d35594ec43155a f5 1fee22dbc97038f5 e > 29c8d08733e9482 3 f5 1fee22dbc97038f5 e
5ac01002 8ec02e96c759b71 8daf34fb0b5554ee 48c7ef554ca49d22 fd 1 > 8ec02e96c759b71 8daf34fb0b5554ee 1 fd 1
1ac34063 80000001 9a d4 80000001 3 > 80000001 9a d4 800000 3
1ac14063 12345678 10686e0360f6d0f2 12345678 e9 c > 12345678 10686e0360f6d0f2 12345678 8a65c9ec c
1ac24043 2e3368adffae091d 5f23b7ca c96421f1dc7432c2 12345678 a > 2e3368adffae091d 5f23b7ca c96421f1dc7432c2 dc7432 a
1ac04041 2cdd043771555dc9 d15da3000bbbd81f 296a0734b38b5135 8000000000000000 7 > 2cdd043771555dc9 b4b83566 296a0734b38b5135 8000000000000000 7
1ac24063 772017fc538199aa ffffffff97286b97 755e3b667d49b846 ffffffffffffffff 3 > 772017fc538199aa ffffffff97286b97 755e3b667d49b846 b242f4d7 3
1ac14020 1ecdc0c21bd58272 d57f76779c02ea36 89 ffffffff0776f1ec c > 9c02ea d57f76779c02ea36 89 ffffffff0776f1ec c
1ac35022 c7eb4182bc1edc77 1 8000000000000000 100000000 a > c7eb4182bc1edc77 1 f26b8303 100000000 a
1ac15022 fffffffe 12345678 8000000000000001 1b 9 > fffffffe 12345678 123456 1b 9
1ac25062 4f ffffffff fa9374f1e5641ec2 0 5 > 4f ffffffff 22b65633 0 5
1ac25002 c89c78e2f0a72d0d 5c ffffffff048cd5c7 36d78b30688e0aac 0 > c89c78e2f0a72d0d 5c a89fa9d1 36d78b30688e0aac 0
1ac05060 894ea2fc 80000001 7fffffff 12345678 6 > 457e9831 80000001 7fffffff 12345678 6
1ac25061 e020b4ca55b5c729 1acea65c6d654433 ffffffff1eba554d ffffffff c > e020b4ca55b5c729 53d1fdc1 ffffffff1eba554d ffffffff c
1ac25440 2 b0 ffffffff a4561f63c1583d70 e > ffff b0 ffffffff a4561f63c1583d70 e
1ac35440 26cb52e91dda1644 80000001 58f711d3 c51dba8a86d1d477 d > 3cbe1208 80000001 58f711d3 c51dba8a86d1d477 d
1ac15420 876872f9685481c6 80000001 80000001 1 7 > 8000 80000001 80000001 1 7
1ac05442 1 fffffffe ab3e343742ce6905 0 0 > 1 fffffffe 57fe6bbc 0 0
1ac25441 7fffffffffffffff 16f5e1c8dcd6a2e9 44 439f61d61d7e8325 7 > 7fffffffffffffff 0 44 439f61d61d7e8325 7
1ac25421 f514aa25 fffffffe 535e89a3d3258487 8000000000000001 a > f514aa25 d9fe8f81 535e89a3d3258487 8000000000000001 a
1ac25862 bb75614d fffffffe 12345678 4b5e1f93f5b8666e 4 > bb75614d fffffffe a360b1bd 4b5e1f93f5b8666e 4
1ac15823 1bba8c15dc816c72 a7c80b4410df2c7e 100000000 fffffffe 1 > 1bba8c15dc816c72 a7c80b4410df2c7e 100000000 0 1
1ac05821 ffffffffffffffff f57c95717a468a83 80000000 0 9 > ffffffffffffffff f7a104b6 80000000 0 9
1ac25861 8000000000000001 7a 8000000000000001 3114f4ea7dae3f4a d > 8000000000000001 5ca4faa5 8000000000000001 3114f4ea7dae3f4a d
1ac35841 934544f48f3619be c9 7fffffff e2d76dfc7e306d3a 2 > 934544f48f3619be fa4de054 7fffffff e2d76dfc7e306d3a 2
1ac15842 7fffffffffffffff ea7753d1c7797521 88 51d4308d 4 > 7fffffffffffffff ea7753d1c7797521 e530e9ae 51d4308d 4
9ac35c20 38 74029224d6e23ded fffffffff15b852f 0 1 > 21174bb4 74029224d6e23ded fffffffff15b852f 0 1
9ac05c00 f1bac178cfc788d3 fffffffe 8000000000000001 2 a > 8a790b09 fffffffe 8000000000000001 2 a
9ac05c03 c434d3e923293b7a 89 12345678 ffffffffefd120c0 6 > c434d3e923293b7a 89 12345678 d93fc3ea 6
9ac05c63 fffffffffffffffe fffffffe ffffffffd9579ff8 8e8c8cc4254c59fe 8 > fffffffffffffffe fffffffe ffffffffd9579ff8 493f567 8
9ac15c03 ffffffff19e95b03 ffffffffffffffff 1357dfb043556e03 80000000 e > ffffffff19e95b03 ffffffffffffffff 1357dfb043556e03 655587ab e
9ac35c60 a19c7cd02606cbd4 4f14f0b831ce378f 0 13 4 > 0 4f14f0b831ce378f 0 13 4
1ac34403 80000000 f084900ffbe61439 da31c74e0aa0fe06 7fbd398233a57bcd 9 > 80000000 f084900ffbe61439 da31c74e0aa0fe06 b98381b7 9
1ac24442 51340202837dd408 3761e96c33c566e6 967523810f6a6132 658c299bb15f31f5 2 > 51340202837dd408 3761e96c33c566e6 f6a 658c299bb15f31f5 2
1ac24403 deadbeefcafebabe 45fcd26bbdcd2a7c 2de725550fa447fc 5071dd0a06fa1e5b 8 > deadbeefcafebabe 45fcd26bbdcd2a7c 2de725550fa447fc 14369d8 8
1ac34442 8000000000000001 70 8758844aa086ef4b 8e b > 8000000000000001 70 86387c64 8e b
1ac04463 2aacd9974cf1797c 0 ee422847 f5 4 > 2aacd9974cf1797c 0 ee422847 c398ea9a 4
1ac14440 2b2365ee0b5dbed2 deadbeefcafebabe 100000000 3f7ef7e9be3ebdb1 e > 51f2d9a4 deadbeefcafebabe 100000000 3f7ef7e9be3ebdb1 e
1ac14822 aedc1fbb4f80ad81 1 100000000 ffffffff85f03fb6 8 > aedc1fbb4f80ad81 1 0 ffffffff85f03fb6 8
1ac14823 d10816a7b5851a44 bf6609c9b9bcc869 757c00f1c83264d 100000000 e > d10816a7b5851a44 bf6609c9b9bcc869 757c00f1c83264d 0 e
1ac04820 23590c04 0 1b2b040563cadd65 63d0dc834cd72772 a > 4f66f95c 0 1b2b040563cadd65 63d0dc834cd72772 a
1ac24842 7b be 61abacad87921d60 deb24c1ba57287f6 b > 7b be 0 deb24c1ba57287f6 b
1ac24820 dc 8000000000000001 6fae83f7 7fffffffffffffff 7 > adf7010c 8000000000000001 6fae83f7 7fffffffffffffff 7
1ac34843 3edf149bbbd08fe6 7fffffff 80000001 589308020ad5c3fc 5 > 3edf149bbbd08fe6 7fffffff 80000001 16c7bd07 5
9ac24c60 ffffffff713ebec2 ff8d268b700ebac8 3695d87b903461 8000000000000000 5 > 422d9ce1 ff8d268b700ebac8 3695d87b903461 8000000000000000 5
9ac14c20 ec ffffffff 86badf73054adede eff448d3cc9b9c69 2 > 0 ffffffff 86badf73054adede eff448d3cc9b9c69 2
9ac34c21 2 a0 194849e412cf47d0 cd 6 > 2 4beeb56a 194849e412cf47d0 cd 6
9ac24c40 7fffffffffffffff adf874ee2d0af08a deadbeefcafebabe d8d0cf426a31a381 e > 3b1ebf03 adf874ee2d0af08a deadbeefcafebabe d8d0cf426a31a381 e
9ac14c41 100000000 b6fd2e93a3acfd8 b599db982b35f085 80000001 e > 100000000 6c137e47 b599db982b35f085 80000001 e
9ac14c60 d672f94462081450 ed0b329784536abb cfb6eeee86b702be f76af6ca8cff7e1 5 > 1e5b4322 ed0b329784536abb cfb6eeee86b702be f76af6ca8cff7e1 5
9a838063 71d2af7293b05a04 e0fd67dd2257989f 1 7fffffff 4 > 71d2af7293b05a04 e0fd67dd2257989f 1 7fffffff 4
1a814043 3c 37025c515865fb01 80000001 8000000000000001 5 > 3c 37025c515865fb01 80000001 5865fb01 5
9a81e040 941de5ee42a7eeda 91046c3a39d76fb0 b6 fffffffffffffffe c > b6 91046c3a39d76fb0 b6 fffffffffffffffe c
9a821022 d2f1d43d59b69cc2 80000001 ffffffff980d024e ffffffff 2 > d2f1d43d59b69cc2 80000001 80000001 ffffffff 2
9a815021 ffffffffffffffff d07b8a237df67235 4bb419932a3eba 3a61c25f 7 > ffffffffffffffff d07b8a237df67235 4bb419932a3eba 3a61c25f 7
1a837042 2 1 ffffffff ffffffff 0 > 2 1 ffffffff ffffffff 0
1a82b401 56 8bc7aee69a7e1bed 4fc6036473346db8 deadbeefcafebabe 6 > 56 73346db9 4fc6036473346db8 deadbeefcafebabe 6
9a83d460 fffffffe fffffffffffffffe 2 100000000 8 > 100000000 fffffffffffffffe 2 100000000 8
1a80c402 deadbeefcafebabe ffffffff9507b156 b2d3b8db65984c37 5e47eb67459ed282 7 > deadbeefcafebabe ffffffff9507b156 cafebabf 5e47eb67459ed282 7
9a827443 8031ac55bfae2c5 d3672a4d28b295b5 160307e60cc8523a 100000000 5 > 8031ac55bfae2c5 d3672a4d28b295b5 160307e60cc8523a 160307e60cc8523b 5
9a82d463 965c1c33 0 ffffffffda976c6c 2e 5 > 965c1c33 0 ffffffffda976c6c 2e 5
1a836421 fffffffffffffffe 5632d095ea06fe2b 29 7fffffff 1 > fffffffffffffffe ea06fe2b 29 7fffffff 1
5a80c022 8000000000000000 936b6c238b0ae742 199012f45bf5fef1 8000000000000001 0 > 8000000000000000 936b6c238b0ae742 8b0ae742 8000000000000001 0
5a817041 7fffffffffffffff 1a0046a28c0c8d26 5a 47 c > 7fffffffffffffff 5a 5a 47 c
5a80e001 80000001 1 fffffffe 1a03439d5c9f841e 0 > 80000001 80000001 fffffffe 1a03439d5c9f841e 0
5a82f000 fffffffff0fa4d9f 1 ffffffff 100000000 a > f0fa4d9f 1 ffffffff 100000000 a
5a82e020 2f af2779427b89ba05 25edbe26 2 9 > 7b89ba05 af2779427b89ba05 25edbe26 2 9
da821041 2 31245f58 ffffffff3b0693c5 a6543bcae671f9b2 2 > 2 ffffffff3b0693c5 ffffffff3b0693c5 a6543bcae671f9b2 2
5a819421 63d2e49085ef3430 c6f8da3eabe19f58 1 0 d > 63d2e49085ef3430 abe19f58 1 0 d
5a83d423 fffffffffffffffe 2c41ecebb4fcd4c 7aaa58b1547677c1 2a39920 7 > fffffffffffffffe 2c41ecebb4fcd4c 7aaa58b1547677c1 bb4fcd4c 7
5a812403 381131655048271 59 c7bc4b9b58f28a16 80000000 9 > 381131655048271 59 c7bc4b9b58f28a16 ffffffa7 9
da802463 7fffffff 7def8c2f17f50011 4111b90c7eb5e3f0 80000001 d > 7fffffff 7def8c2f17f50011 4111b90c7eb5e3f0 ffffffff80000001 d
da823461 d5d91ca 2d 59545e4306afa73a 1 a > d5d91ca a6aba1bcf95058c6 59545e4306afa73a 1 a
5a806443 80 eb ffffffff7106f237 46ad68616b17ab9a e > 80 eb ffffffff7106f237 ffffff80 e
4aa20062 41b8a069bf6d9861 ffffffffffffffff 7a989599be62fb27 c0d1df017a101ef3 3 > 41b8a069bf6d9861 ffffffffffffffff 3b8d1a2b c0d1df017a101ef3 3
cae0a043 12345678 8000000000000001 ffffffff57bdb0b1 d2 0 > 12345678 8000000000000001 ffffffff57bdb0b1 123456d0424f4e 0
caa15460 80000000 e7a865bbb7cad316 ffffffffffffffff ffffffff29411129 3 > ffffff3d95933368 e7a865bbb7cad316 ffffffffffffffff ffffffff29411129 3
ca612c20 12345678 81d195b26fe45a15 2 73 9 > 7e3e507f26565961 81d195b26fe45a15 2 73 9
ca617c03 294f1abf8dcda519 1d7cb8fd003c03f2 8000000000000000 d2c100de028ec3f4 9 > 294f1abf8dcda519 1d7cb8fd003c03f2 8000000000000000 d6b0e54048cb2b1c 9
4a232042 63121cb2a90850 ffffffffa0118c5b 93f8052d deadbeefcafebabe d > 63121cb2a90850 ffffffffa0118c5b 92bd44d2 deadbeefcafebabe d
ca029803 27116586e45d69a9 2 6884a3a0cf4947e 80000000 8 > 27116586e45d69a9 2 6884a3a0cf4947e 1a347a06e45d69a9 8
ca831041 fffffffe 9186dcd8efb0c257 ffffffff deadbeefcafebabe 6 > fffffffe fdeadbee03501454 ffffffff deadbeefcafebabe 6
ca01a060 ec5af917a20ff13b fda86bffaf201493 29d1db2bbeb49c31 b6 5 > 20149300000000b6 fda86bffaf201493 29d1db2bbeb49c31 b6 5
cac17422 61aa350f8a76c25d ffffffffffffffff 0 deadbeefcafebabe 8 > 61aa350f8a76c25d ffffffffffffffff 0 deadbeefcafebabe 8
4a002423 7fffffff 6b58534a94ce1d4d 777b1f61eb884cf4 3a3b39a0bf957816 d > 7fffffff 6b58534a94ce1d4d 777b1f61eb884cf4 6b31e34d d
ca02c463 8000000000000001 c1ae1c6a637641e7 8000000000000000 7cdda0ea8e00d055 8 > 8000000000000001 c1ae1c6a637641e7 8000000000000000 7cdda0ea8e00d055 8
9ac02063 0 80000001 3e 8000000000000000 a > 0 80000001 3e 8000000000000000 a
1ac22040 80000000 129f13761f58357d 82d029d7452af43 b43de93446e2ea31 e > a2957a18 129f13761f58357d 82d029d7452af43 b43de93446e2ea31 e
1ac32020 2 813ec04d89e299ea 7fffffff ffffffff8971d484 b > 9e299ea0 813ec04d89e299ea 7fffffff ffffffff8971d484 b
1ac32040 7fffffffffffffff ffffffff260dbb32 52 85535ad49a5dc68f a > 290000 ffffffff260dbb32 52 85535ad49a5dc68f a
1ac22021 8000000000000001 ffffffff44dbad1f 7e2d380504dee13a 2 5 > 8000000000000001 7c000000 7e2d380504dee13a 2 5
1ac02062 8000000000000000 7fffffff 804868d9e3b05dda ffffffff4259e61d 0 > 8000000000000000 7fffffff 4259e61d ffffffff4259e61d 0
1ac02423 6b6f9df4ccd71481 714ed2cc69e958e 4355ed2b6df6530d fffffffe a > 6b6f9df4ccd71481 714ed2cc69e958e 4355ed2b6df6530d 634f4ac7 a
1ac32403 deadbeefcafebabe 8000000000000000 3f3f7ba97298b7ff 73928664a74fec4f 1 > deadbeefcafebabe 8000000000000000 3f3f7ba97298b7ff 195fd 1
1ac22421 100000000 7fffffff 80000000 442622f 5 > 100000000 7fffffff 80000000 442622f 5
9ac32403 7300743c9b5cd120 deadbeefcafebabe 8000000000000000 fffffffffffffffe 8 > 7300743c9b5cd120 deadbeefcafebabe 8000000000000000 1 8
9ac12463 8000000000000000 c18f3b34543cf7be 75e59bf5 a6ddf204ddb9fdcb 5 > 8000000000000000 c18f3b34543cf7be 75e59bf5 2 5
9ac12402 80000001 e7 8000000000000000 35e319ba b > 80000001 e7 0 35e319ba b
9b000063 90a3eceea8aef954 2df83d4294619c77 fffffffe deadbeefcafebabe 8 > 90a3eceea8aef954 2df83d4294619c77 fffffffe 1883b862a50b0dac 8
9b020c00 865d74314b9c0a4f bce783afc3a177b2 80000001 61532f67 e > 2c2b79592cef39b6 bce783afc3a177b2 80000001 61532f67 e
9b007c40 2e1f0998267ad592 f4bafaecc09d8a75 6284f876d1d27df5 8f32017097d0d071 6 > 206933d2319aaeba f4bafaecc09d8a75 6284f876d1d27df5 8f32017097d0d071 6
9b027c40 ffffffffffffffff 687d57bebbebc3d4 ad336373 ffffffff 9 > 752e7eba347425a9 687d57bebbebc3d4 ad336373 ffffffff 9
9b030860 2a9c7333968a3f6 65 39 12345678 b > 14b66dc1df4d879 65 39 12345678 b
9b010c21 12345678 fffffffe e37a3e5dfe89b748 7fffffff e > 12345678 fffffffc80000003 e37a3e5dfe89b748 7fffffff e
9b008c02 100000000 b7257029c89494e8 1 88fac15d9db5ed3e 3 > 100000000 b7257029c89494e8 88fac15d9db5ed3e 88fac15d9db5ed3e 3
9b008802 0 7fffffff 80000001 80000001 1 > 0 7fffffff 80000001 80000001 1
9b01fc63 0 99c68a7da8f4f34d 80000001 f0052fab724a8929 f > 0 99c68a7da8f4f34d 80000001 5cbbffdf3c4ed3ab f
1b02fc63 31 6cf8913ff2d054b8 ce4ff145bc4e0952 deadbeefcafebabe a > 31 6cf8913ff2d054b8 ce4ff145bc4e0952 97f38124 a
1b03fc00 9c9effd3a90e30a a9 46 1 f > c56f1cf6 a9 46 1 f
1b028440 fffffffffffffffe 0 c5c7b9b8956b7caa 100000000 1 > a92edf1c 0 c5c7b9b8956b7caa 100000000 1
aa601403 100000000 deadbeefcafebabe c7 7fffffffffffffff 4 > 100000000 deadbeefcafebabe c7 fffffffff7ffffff 4
aa22f403 fffffffffffffffe 7fffffffffffffff 8000000000000000 c4e7af1f790c065b c > fffffffffffffffe 7fffffffffffffff 8000000000000000 ffffffffffffffff c
2aa33403 dfe715af0015e1d0 7fffffff 100000000 80000001 6 > dfe715af0015e1d0 7fffffff 100000000 17ffff 6
aa61ac61 ffffffffffffffff ffffffff 80000001 100000000 d > ffffffffffffffff ffffffffffffffff 80000001 100000000 d
2a615061 ffffffff7f1bf947 6b70586e192d365f ffffffffffffffff 3bfc555ad6334871 8 > ffffffff7f1bf947 fffffe7d ffffffffffffffff 3bfc555ad6334871 8
aa214402 fffffffe 4e6d1f0eda5a40a9 ffffffffbbcacdd0 59eecb0a972d9f6c 4 > fffffffe 4e6d1f0eda5a40a9 c1e24b4bffffffff 59eecb0a972d9f6c 4
2a811c63 839565905dda85f5 deadbeefcafebabe bb7386d46e5c30a0 8f761083b61bf38a 5 > 839565905dda85f5 deadbeefcafebabe bb7386d46e5c30a0 ff9fffff 5
aa43d441 80000001 7479976518167491 3bc7df0a3fd3ac80 7fffffff 8 > 80000001 3bc7df0a3fd3ac80 3bc7df0a3fd3ac80 7fffffff 8
2a006020 71db3da38bc5a6a 4b 9ff21ee3c6ded9af de9635719a7a5c8e 7 > 6a00004b 4b 9ff21ee3c6ded9af de9635719a7a5c8e 7
aac03442 c9adbbadf7c25bfd 849bce68181b66c4 1 2884682e41d38f2e 7 > c9adbbadf7c25bfd 849bce68181b66c4 dfee4d6ddd6fbe13 2884682e41d38f2e 7
2a024860 2ef0ae1d974bda9 12345678 15f02014029152c8 803f33179c51afc6 b > df71afc6 12345678 15f02014029152c8 803f33179c51afc6 b
aa828801 0 39b330540c1019bc d47d51b4 ee07556cae040953 8 > 0 0 d47d51b4 ee07556cae040953 8
dac00040 332d327aba4373f8 134c1791ca798fe7 f006b7b661f92772 7fffffffffffffff 2 > 4ee49f866ded600f 134c1791ca798fe7 f006b7b661f92772 7fffffffffffffff 2
dac00000 cc845051 8000000000000001 12345678 8a56f99ac2fac1c8 5 > 8a0a213300000000 8000000000000001 12345678 8a56f99ac2fac1c8 5
5ac00003 4ee9f5643807bdd4 40 91 369de4a6bff07df4 d > 4ee9f5643807bdd4 40 91 2bbde01c d
5ac00022 f0a1b7cb72ca3e4c d6ae56fa403211b9 b42919b420fac950 0 1 > f0a1b7cb72ca3e4c d6ae56fa403211b9 9d884c02 0 1
dac00041 ffffffff0859aa45 97ff038cbc2b76a6 30da4d0a1ff01a5b ffffffffffffffff 9 > ffffffff0859aa45 da580ff850b25b0c 30da4d0a1ff01a5b ffffffffffffffff 9
5ac00061 8000000000000001 8000000000000000 deadbeefcafebabe bc 4 > 8000000000000001 3d000000 deadbeefcafebabe bc 4
dac00c40 2ac9ab50a282c91c 8000000000000001 3eddf35edb305b8b 88a62444 e > 8b5b30db5ef3dd3e 8000000000000001 3eddf35edb305b8b 88a62444 e
5ac00843 ffffffff8671e894 1 65bf45837a1f9df7 dc23237845cf1e72 b > ffffffff8671e894 1 65bf45837a1f9df7 f79d1f7a b
5ac00803 1 deadbeefcafebabe ffffffffffffffff 3898f836 3 > 1 deadbeefcafebabe ffffffffffffffff 1000000 3
5ac00821 ce352078054019e3 22a3a1a292733807 88 fffffffffffffffe 1 > ce352078054019e3 7387392 88 fffffffffffffffe 1
dac00c00 d9954e50f3bcd18a 8000000000000000 8000000000000000 4fcd925a b > 8ad1bcf3504e95d9 8000000000000000 8000000000000000 4fcd925a b
5ac00802 7fffffff 7fffffff e23c63ef8688aa0a 0 d > 7fffffff 7fffffff ffffff7f 0 d
5ac00443 8000000000000000 f479b7421bfed0d3 80000000 deadbeefcafebabe b > 8000000000000000 f479b7421bfed0d3 80000000 800000 b
5ac00441 f6 fffffffe 80000001 10987beee84da725 1 > f6 800100 80000001 10987beee84da725 1
dac00461 738637c4de47b79f 237ad5ebc130d4d0 b15710a8c67c335f 4542ccbd018965d 9 > 738637c4de47b79f 5404cb2c18d05d96 b15710a8c67c335f 4542ccbd018965d 9
dac00463 db3f75fff16c6070 495762d47e393dc ffffffffe8f5207f 12 8 > db3f75fff16c6070 495762d47e393dc ffffffffe8f5207f 1200 8
5ac00463 dc61e5eb60dfcb0 298e3bfd6b1fe2cd ea728e4514c677be 72c7c02aebb76c18 7 > dc61e5eb60dfcb0 298e3bfd6b1fe2cd ea728e4514c677be b7eb186c 7
5ac00420 1277aa3806759a29 ffffffff a81d294f3b133500 20746a1e78a7d4ad 3 > ffffffff ffffffff a81d294f3b133500 20746a1e78a7d4ad 3
dac00842 992b541a42588d8c 7fffffff b07fca84c8422f3 12345678 b > 992b541a42588d8c 7fffffff a8fc070bf322844c 12345678 b
dac00820 e66e4bd8 fffffffffffffffe ababfacf75aa8726 fffffffff029a79d 4 > fffffffffeffffff fffffffffffffffe ababfacf75aa8726 fffffffff029a79d 4
dac00861 12345678 7fffffffffffffff 1 deadbeefcafebabe 8 > 12345678 efbeaddebebafeca 1 deadbeefcafebabe 8
dac00843 3c3eed74e391fcfe 45924fd6d822bdb3 32730b3b2427a66b ffffffffcacc5ddd 9 > 3c3eed74e391fcfe 45924fd6d822bdb3 32730b3b2427a66b 3b0b73326ba62724 9
dac00800 ce ffffffff64115579 12345678 f0451e2b9f6a55ec 5 > ce000000 ffffffff64115579 12345678 f0451e2b9f6a55ec 5
dac00823 3d9cb5a9e6dbeb43 b92a09f9eaefc83f 80000000 7fffffffffffffff c > 3d9cb5a9e6dbeb43 b92a09f9eaefc83f 80000000 f9092ab93fc8efea c
1ac02c23 fffffffffffffffe 7fffffffffffffff 100000000 6cf75aeb4cce929 4 > fffffffffffffffe 7fffffffffffffff 100000000 ffffffff 4
1ac22c21 fffffffffffffffe deadbeefcafebabe d4397df9f69dc01d 4b7551fea02f3012 7 > fffffffffffffffe 57f5d5f6 d4397df9f69dc01d 4b7551fea02f3012 7
9ac12c23 203e44ba43724e4f deadbeefcafebabe 35dbe3570373d40d 150af24226be50cd 1 > 203e44ba43724e4f deadbeefcafebabe 35dbe3570373d40d 7ab6fbbf2bfaeafb 1
9ac32c42 ffffffff 4f d2f30a8f2e57343c 80000000 f > ffffffff 4f d2f30a8f2e57343c 80000000 f
1ac22c20 7fffffff c8 12345678 0 7 > c800 c8 12345678 0 7
9ac22c20 da3929fc11904070 70e21e0e3673a1f8 1989298ecb05c288 ffffffffffffffff 5 > f870e21e0e3673a1 70e21e0e3673a1f8 1989298ecb05c288 ffffffffffffffff 5
5a030003 0 207a1cdec6767d96 1 1 d > 0 207a1cdec6767d96 1 fffffffe d
da010022 2feb67af2331df81 dbcceb43acd62c6a ffffffff 1 5 > 2feb67af2331df81 dbcceb43acd62c6a ffffffffffffffff 1 5
5a010001 12345678 ffffffffffffffff 61c9759e3508cf71 c7c79afd6a38cd9b 3 > 12345678 12345679 61c9759e3508cf71 c7c79afd6a38cd9b 3
da000040 45a12a383e6ed3f 42 3578c86b484794d9 2 e > 311eb5c7c460a79a 42 3578c86b484794d9 2 e
da000000 8000000000000001 b3581c282c26e78f 0 13c1d28f2ade3763 8 > ffffffffffffffff b3581c282c26e78f 0 13c1d28f2ade3763 8
da000022 80000000 e0eb86bf658d3be6 3b afbcb3d70977bf30 d > 80000000 e0eb86bf658d3be6 e0eb86bee58d3be5 afbcb3d70977bf30 d
fa030000 8b91227b3dad242c 26e64ecc7eef38bf 734a5d84c6af1c40 ffffffffffffffff 8 > 8b91227b3dad242c 26e64ecc7eef38bf 734a5d84c6af1c40 ffffffffffffffff 8
7a000060 80000000 ea54b2e0f82547b2 fffffffe ffffffffffffffff 5 > 7ffffffe ea54b2e0f82547b2 fffffffe ffffffffffffffff 2
7a020002 80000000 63 45b4dff67feb3994 7fffffff b > 80000000 63 14c66c 7fffffff 3
fa000060 100000000 80000000 f8a8ef108040efed 80000001 a > ffffffff80000001 80000000 f8a8ef108040efed 80000001 8
fa020001 9e4555799a212f71 ffffffff b4627a5c92b699dd 4edcd59abbd8c1f2 0 > 9e4555799a212f71 e9e2db1d076a9593 b4627a5c92b699dd 4edcd59abbd8c1f2 8
fa010043 e0 f37a3814 1b5ac9b2f71158fc fffffffffffffffe 6 > e0 f37a3814 1b5ac9b2f71158fc 1b5ac9b2039720e8 2
1ac30c23 deadbeefcafebabe 80000000 4f 9c5b835b1c2fbc3c b > deadbeefcafebabe 80000000 4f fffffffc b
1ac00c63 3776b01b3cc43eab ffffffffffffffff bd e2e720069e8668e7 8 > 3776b01b3cc43eab ffffffffffffffff bd ffffffff 8
1ac20c00 74d54bccdbff6222 d2a61afe71c63be5 80000001 c10d081479195a4c 3 > 0 d2a61afe71c63be5 80000001 c10d081479195a4c 3
1ac30c63 80000000 8a0dc26049bbca6c 80000000 b3d0a997800afd7e 3 > 80000000 8a0dc26049bbca6c 80000000 1 3
1ac10c61 261c6fceaad0bbe1 12345678 aac8deae6671610d fffffffe 9 > 261c6fceaad0bbe1 0 aac8deae6671610d fffffffe 9
9ac00c22 cad496c1ede37ff7 af95f29eedec5be fffffffe 8000000000000001 0 > cad496c1ede37ff7 af95f29eedec5be 0 8000000000000001 0
9b227c03 765ce44f848268ac 26f4f7fd623f9a5a 7fffffff 7754d6d258465eb9 3 > 765ce44f848268ac 26f4f7fd623f9a5a 7fffffff c24134567b7d9754 3
9b237c63 6832cf20a928cfac ffffffff0f7e5495 1 a9 6 > 6832cf20a928cfac ffffffff0f7e5495 1 6f91 6
9b207c60 51f1979633a71a40 bbd0853b 2c07b08004f114e2 deadbeefcafebabe 1 > f54e25f04a97fb80 bbd0853b 2c07b08004f114e2 deadbeefcafebabe 1
9b230060 bb fffffffe 100000000 2b2d9bcff89b3325 a > 36aae4a905c414 fffffffe 100000000 2b2d9bcff89b3325 a
9b230861 100000000 cb1124f6c78e459f dc21100df19555e2 8000000000000001 1 > 100000000 dc21100df19555e3 dc21100df19555e2 8000000000000001 1
9b200821 6173ae1908c61a3a 4f1c1bf 77 d8511a86f88ba603 3 > 6173ae1908c61a3a 2b618b7e2d4bbd 77 d8511a86f88ba603 3
9b238000 84577215a5150ff8 95819dad7d88163a 0 2 c > 845772165aeaf008 95819dad7d88163a 0 2 c
9b228460 e46955db4957fa24 9acb2fd76932dd8b 7addf680c3c39b36 ffffffff846139e1 5 > 7db4cf8625426d15 9acb2fd76932dd8b 7addf680c3c39b36 ffffffff846139e1 5
9b238820 6715b82701c676f5 c869a8b389ba7d12 c8 1 0 > 764583b6 c869a8b389ba7d12 c8 1 0
9b218820 9f11f000 211bd8d943f7d929 21 8000000000000000 3 > edf4545fc4ab7790 211bd8d943f7d929 21 8000000000000000 3
9b22fc20 a4ac4f9d0b3bad49 7fffffffffffffff da4cadf625b3fc03 7fffffffffffffff d > 25b3fc03 7fffffffffffffff da4cadf625b3fc03 7fffffffffffffff d
9b218c42 6e2c36beb173fbfd e777d784175c84cd 83a2b022873f7ca4 deadbeefcafebabe 3 > 6e2c36beb173fbfd e777d784175c84cd e9b2ae9039f35b6a deadbeefcafebabe 3
9b407c23 ea 1d ffffffff1e657597 97ba66923dd2ecd5 d > ea 1d ffffffff1e657597 0 d
9b417c20 5fcde6ff e2dad0cd6c1ff940 b2f4dc0a9091e6ae 100000000 e > 351721822d31c93 e2dad0cd6c1ff940 b2f4dc0a9091e6ae 100000000 e
9b427c02 96327805ea6ca22b 7d1c21718a4f31f6 ffffffff023d4475 29d2f96b22cf98a8 3 > 96327805ea6ca22b 7d1c21718a4f31f6 68e09aa5 29d2f96b22cf98a8 3
9b417c43 127a017204f95725 7fffffff fffffffe ec851975d911ec49 4 > 127a017204f95725 7fffffff fffffffe 0 4
9b407c43 28a00728efafe58d deadbeefcafebabe f319a071 ffffffffffffffff f > 28a00728efafe58d deadbeefcafebabe f319a071 2693f7e2 f
9b407c00 80000001 80000000 9277bba90cfa95a2 7fffffff e > 0 80000000 9277bba90cfa95a2 7fffffff e
cb206401 bc fffffffffffffffe 0 327d8af20c2162b5 c > bc ffffffffffffff44 0 327d8af20c2162b5 c
4b220441 ffffffff9bd5e5a5 fffffffffffffffe e9817126562f01d4 8000000000000000 3 > ffffffff9bd5e5a5 562f002c e9817126562f01d4 8000000000000000 3
cb204002 8000000000000000 689e2f24db7fbb5a 8efba6ccbc3922a1 1344989b9c3408c 1 > 8000000000000000 689e2f24db7fbb5a 8000000000000000 1344989b9c3408c 1
cb232c42 7fffffff c6b9e736ab2deea0 57ee2d9078f87a7b 97 8 > 7fffffff c6b9e736ab2deea0 57ee2d9078f875c3 97 8
4b226860 6a237402 ffffffffffffffff ffffffffffffffff f4d6878314980118 c > 1498011c ffffffffffffffff ffffffffffffffff f4d6878314980118 c
cb23e400 9ae30d7ead8f2e8f 19646d06350cb5ff fffffffe e08e3ab6 9 > 9ae30d7cec72b923 19646d06350cb5ff fffffffe e08e3ab6 9
cb817062 69efe65dd82c2eb8 7fffffff 2 1d6b7096e5ead427 7 > 69efe65dd82c2eb8 7fffffff 1d6b7096e5ead420 1d6b7096e5ead427 7
cb81d060 a877e5873708e4b9 b5f8d643904e89f2 6f00c08ce4d7f143 ffffffff b > 1000004a0 b5f8d643904e89f2 6f00c08ce4d7f143 ffffffff b
cb832402 ff5016e219c6a04d 976ef30fb7ffaaa4 7e4f1d06d27abe1a 58e6c86337988b2b c > ff5016e219c6a04d 976ef30fb7ffaaa4 ff23a37de82ad408 58e6c86337988b2b c
cb80a043 c5bec0f1f52f53bc 0 12345678 b44c5d36e3a8ee8c b > c5bec0f1f52f53bc 0 12345678 126e97b8 b
cb41bc41 5eb063ac6566f9fb ffffffff9b3bb3cb 1 fffffffffffffffe 8 > 5eb063ac6566f9fb fffffffffffe0002 1 fffffffffffffffe 8
cb00fc62 ec10f5209063e1fc 1 100000000 af7ac8227dad8c31 8 > ec10f5209063e1fc 1 af7ac8227dad8c31 af7ac8227dad8c31 8
eb22b062 100000000 80000001 5372cdc216e27bf7 9ce2535b47fcaac3 8 > 100000000 80000001 9ce2535b47f4eb53 9ce2535b47fcaac3 a
6b20e800 79 5b 8b 2aa25c2b1b4945b8 f > fffffe95 5b 8b 2aa25c2b1b4945b8 8
eb214802 fffffffe 614ea7b4794456be b88501257b567d38 9d07e0947d6a6de8 d > fffffffe 614ea7b4794456be ffffffff1aeea506 9d07e0947d6a6de8 8
eb23ec62 bb b679a9a5d192ae4b d7eede34e242a350 7fffffffffffffff 3 > bb b679a9a5d192ae4b 8000000000000007 7fffffffffffffff 9
eb236c43 f121785f 6b 2 a773e571207608d1 7 > f121785f 6b 2 c460d476fc4fb97a 8
eb200441 b27273597c674c7d 62242f472482cd92 80000000 ffffffffffffffff 9 > b27273597c674c7d 7fffff06 80000000 ffffffffffffffff 2
eb82a023 1 80000000 1 fffffffffffffffe 6 > 1 80000000 1 80000000 2
eb01b000 154eb9d647d2da61 ccaaf07e07539565 12345678 7fffffff 5 > dbf869d647d2da61 ccaaf07e07539565 12345678 7fffffff 8
eb004001 ffffffffe4546bac ffffffff193077fb 80000000 2df29d50b01419ac e > ffffffffe4546bac 1bab78a86bac 80000000 2df29d50b01419ac 2
eb423421 b7456ac6b1ef8235 f93c27b33a583416 80000000 e981301f765fc015 4 > b7456ac6b1ef8235 f93c27b33a543416 80000000 e981301f765fc015 a
eb413861 1 8000000000000001 eddaabc94b248647 a9a863184d824bc9 7 > 1 a9a663184d824bc9 eddaabc94b248647 a9a863184d824bc9 a
6b014000 1 e51c3c12477f0962 a59b57b170e0660 1 b > f69e0001 e51c3c12477f0962 a59b57b170e0660 1 8
1ac10803 ffffffff50424fde 7fffffff 856d09ea8093c3b9 59df52f342366d49 f > ffffffff50424fde 7fffffff 856d09ea8093c3b9 0 f
9ac30840 c8ecd58d077bd9ab 56b34b479351254 89228edd949188d6 65dab6331f2cd259 5 > 1 56b34b479351254 89228edd949188d6 65dab6331f2cd259 5
9ac20841 8000000000000000 80000000 ffffffff2a604c2f 83737ee0 5 > 8000000000000000 1 ffffffff2a604c2f 83737ee0 5
1ac10823 80000001 80000000 6912c5adbcb858ff 100000000 2 > 80000001 80000000 6912c5adbcb858ff 1 2
1ac30823 26a93c983e0462d a8734242 dc82d64f873724d9 deadbeefcafebabe 5 > 26a93c983e0462d a8734242 dc82d64f873724d9 0 5
9ac30822 d3c660e246659e63 33 fffffffe ffffffff4edec556 e > d3c660e246659e63 33 0 ffffffff4edec556 e
9ba20c42 876bf69e6705a662 fffffffff35eabe4 fffffffe 613840e7201f82a3 9 > 876bf69e6705a662 fffffffff35eabe4 613840e3201f82a7 613840e7201f82a3 9
9ba20460 82295edea6309113 3be835b7977f67c 80000000 8000000000000000 3 > 3be835b7977f67c 3be835b7977f67c 80000000 8000000000000000 3
9ba27c02 100000000 1774beab42c0da8e 80000000 ce254f57bb75986f 9 > 100000000 1774beab42c0da8e 0 ce254f57bb75986f 9
9ba20020 f7eb9e6f8311f26e cadc08b8b7b1033a 49ae7aad fffffffe 2 > 2cca4ab1bca6c4a0 cadc08b8b7b1033a 49ae7aad fffffffe 2
9ba10803 1087abebdaea67a2 c4dc28db7177864f 8000000000000001 7fffffff f > 1087abebdaea67a2 c4dc28db7177864f 8000000000000001 e107ad8eeee2c6ff f
9ba20843 8000000000000000 dad18ad29b84a1f2 141c5238cbd2ade8 2 d > 8000000000000000 dad18ad29b84a1f2 141c5238cbd2ade8 b6641f6882961028 d
9ba28042 12345678 c988dce0cd2a0693 80000001 ffffffffca73610b 2 > 12345678 c988dce0cd2a0693 bfffffff12345677 ffffffffca73610b 2
9ba38463 ffffffff ddea765044f5e098 870f7bf92566d196 9c 8 > ffffffff ddea765044f5e098 870f7bf92566d196 ddea765044f58188 8
9ba28020 fffffffffffffffe ffffffffffffffff ffffffff fa8678d9 5 > 1fffffffd ffffffffffffffff ffffffff fa8678d9 5
9ba38c22 8000000000000000 670ff46f9b67e03a cd7fa41abd8bbdee 64899d0fdc6e0687 6 > 8000000000000000 670ff46f9b67e03a deb98dc548796bf1 64899d0fdc6e0687 6
9ba28400 21b521d0d0b7f9b4 7fffffff 31cd100e b19955bb 5 > d76598cb2d311827 7fffffff 31cd100e b19955bb 5
9ba1fc40 2 deadbeefcafebabe d311ab4653496294 80000000 0 > bdf538a647114e28 deadbeefcafebabe d311ab4653496294 80000000 0
9bc27c43 ffffffff ffffffffffffffff dab9e3465209d50b fffffffffffffffe c > ffffffff ffffffffffffffff dab9e3465209d50b bae11e0e092119db c
9bc17c42 ffffffff 100000000 100000000 6f 2 > ffffffff 100000000 1 6f 2
9bc17c23 fffffffff297d8ee ffffffffa892435b 1 80000000 d > fffffffff297d8ee ffffffffa892435b 1 ffffffff512486b6 d
9bc27c63 47d29b24c9a9ad9b 1f49fd84 ffffffffb7a52af3 dc 8 > 47d29b24c9a9ad9b 1f49fd84 ffffffffb7a52af3 db 8
9bc37c00 12345678 5009fd946d93d329 80000000 7f89af577de0625 2 > 911c15 5009fd946d93d329 80000000 7f89af577de0625 2
9bc17c21 aa f5 7fffffffffffffff ef 7 > aa 0 7fffffffffffffff ef 7
0a00c401 24c44cf56995627b 8000000000000001 fffffffffffffffe 1 d > UNDEF
0a22d803 7fffffffffffffff c63c6208b49a3507 9ac98a85 fffffffffffffffe 5 > UNDEF
0a40fc00 99c1af0cebe66696 80000001 fffffffffffffffe 3e489af192d7f0f0 2 > UNDEF
0a62dc63 12345678 57 56f29d94 12345678 b > UNDEF
0a81d440 9e 7fffffff 1 7fffffffffffffff d > UNDEF
0aa2f402 80000000 12345678 cf12c77104bddb9c 80000001 3 > UNDEF
0ac3c403 5e3bf33230dd97b 4c80296d93c1fef6 ac65689576241b89 77866acf4ef682f8 0 > UNDEF
0ae1dc41 597a924e 595c88add18f307c ffffffff6dbc9f1a ed3151067af5f0a 7 > UNDEF
0b03f463 47 3c94cf5918c9eba3 2 e3e0431fb8c9f0b0 4 > UNDEF
0b209c02 fffffffe ffffffffa130b4ac 8000000000000001 73b5dd1d4d67df64 e > UNDEF
0b43a802 deadbeefcafebabe 4a ffffffff3c66d04a 2b 2 > UNDEF
0b60f461 50 7a0151f659ef7706 1efc27ad0afd81a9 dd52f6934737ef27 a > UNDEF
0b82d462 df025fda7e190648 b0168c20eee1b0db 17a3d0a8ad2be1d3 ffffffff929042c0 7 > UNDEF
0ba08820 d3c532f1 2 11 4e27263fdab92f2a 8 > UNDEF
0bc1f462 fffffffffffffffe ffffffffef576746 fffffffe 16be223ca853b50f 7 > UNDEF
0be31423 da011495abca08e5 d1e4835a0cff06d8 deadbeefcafebabe a141997aea3cf2da 6 > UNDEF
1a03ac22 ffffffff 8000000000000000 9d76e17a48b4d208 0 9 > UNDEF
1a221861 775615345272ad93 322cb2fde5ea02f9 7fffffffffffffff 12345678 b > UNDEF
1a438062 fffffffffffffffe deadbeefcafebabe 6b1d5f0224c3a235 b394c3b17ac666bf 9 > UNDEF
1a637c20 220caaea491a6b04 919f8b804ae19237 80000000 1 0 > UNDEF
1a802862 350d889e1e928672 deadbeefcafebabe 76c6ec1dc39171ea 79d60c524983f510 5 > UNDEF
1aa17c40 80000001 80000001 7fffffffffffffff 7fffffffffffffff b > UNDEF
1ac33c42 4cf0b941f62fa501 8f fffffffe 5129d0bb5840d308 1 > UNDEF
1ae37c63 36db327d094b891e 7fffffffffffffff 5ef087e3544f840b 7fc9b2a6b43eefa9 e > UNDEF
1b208043 e2dc0a77e2e7f450 fe1d00c138955c74 80000001 ffffffff7c2e7b0b 3 > UNDEF
1b438c61 0 4d13261fe3665e15 4d ffffffff 9 > UNDEF
1b60fc41 1 75c7a384e7fa2f8e aa d062ec21dc36970b f > UNDEF
1b807c63 2f3bc8cf2888d85f efcf5a11 7fffffffffffffff 316961fd12b60af9 5 > UNDEF
1ba1fc41 d9fb4ff5 c78f9ef0f413b268 80000001 fbd74f42 4 > UNDEF
1bc00003 3e32e93bb1f6da7c ffffffff 9dfaa3c401d4470e f8c2c481fa61a9cd d > UNDEF
1be00461 2 783becfb2171937e 85389354 ffffffffffffffff 6 > UNDEF
2a00d860 bdf71de74b7518e0 80000001 6d87996b129814d3 e7 5 > UNDEF
2a229003 f68d17f299b60610 7380109cda1ed30f 9b2da5696761cda6 eff3051fe5a6e80d 3 > UNDEF
2a41fc00 1 31df66000a62447d 7de39b4546a6d78a 58 7 > UNDEF
2a60e462 1 1f54c3c9546d6b00 c5a1f09caf43b8b5 d4aa79aa964e71d5 8 > UNDEF
2a82e800 fffffffffffffffe 3b763aa fffffffffffffffe 2 e > UNDEF
2aa3f043 7ec5a250144a7cfb 7fffffff 86b84d7db2bc95cc ffffffffffffffff a > UNDEF
2ac0e463 100000000 8000000000000000 deadbeefcafebabe 100000000 c > UNDEF
2ae39c21 4119893386a8528b 88cc8f8d7cb2cd67 ffffffffa27a8ad6 9ea4518a04e462fd b > UNDEF
2b00bc42 69a32ce2c8b87a32 1b 61043c41dc392959 7fffffff 0 > UNDEF
2b237863 cd98056e72f7dee0 8d9125c98e91ff11 865de0ab5f029be1 2 9 > UNDEF
2b43c461 80000000 f0 ef6fa81e9e76c80c c62944417e89620c 6 > UNDEF
2b63ec03 12345678 100000000 20 7fffffff e > UNDEF
2b82e861 ffffffffffffffff 13d0a23f53aa5f50 b391d644 f85232697e6f35d2 0 > UNDEF
2ba13462 e6 80000000 7e30ff0fc80fea4e f161b861b66ac3ba 7 > UNDEF
2bc1e842 b57ba4a72c6dd8ee 5129272f43a7ad43 8000000000000000 ffffffff 9 > UNDEF
2be30c43 8000000000000000 7854c737ecf66b11 7fffffff 80000000 b > UNDEF
3a031460 b79e4444 12345678 bf7ddfa7a9b9876d ffffffff57504760 e > UNDEF
3a205420 8000000000000000 5480aab3081b6ba d158697c 9c25cd79ab3b204d c > UNDEF
3a41ac02 2066fb342c4ff434 e1f78b179b96f39e 0 f5 b > UNDEF
3a61f403 2 9ff24da8876f390b 87974fd15a45862b 12345678 1 > UNDEF
3a808843 7d59bbbe3690c7fe 170173eff70d1588 2 ba9bf3dbf1c3e831 8 > UNDEF
3aa25821 b64bc9ecca5836c1 12345678 7c 2da18d06c1ec2e0d 7 > UNDEF
3ac10823 80 2 dbd72a653f4b3a7a fffffffe 5 > UNDEF
3ae22c20 af2771edd8ccffa7 1 1bda9e2489c2c80 3d89f020c9023bce b > UNDEF
3b000063 dcec531276edc977 e630839547cf54b7 8000000000000000 ffffffffffffffff e > UNDEF
3b207c23 6248159992064dd 33027e6019f5a05d 15f52d754149fe1e 8000000000000001 3 > UNDEF
3b438862 1 ffffffffc3bccae3 4758a4f07b4a2e06 7fffffffffffffff c > UNDEF
3b617c22 df 3fec7fa043f0b8ce 80000001 ffffffffffffffff e > UNDEF
3b828861 b016de9affa32370 8d6edc0460f217bc 38abbb9782cccaa5 b307651d0eec65d0 9 > UNDEF
`;

describeQemuVectors(QEMU_VECTORS);
