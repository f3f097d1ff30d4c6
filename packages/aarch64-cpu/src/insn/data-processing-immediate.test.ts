/**
 * Data processing -- immediate. Instruction words were assembled with GNU as 2.40 (aarch64-linux-gnu) and the
 * expected results of the table at the end were recorded from QEMU 10.0 linux-user (-cpu cortex-a57, which like
 * this model has no FEAT_MTE, FEAT_CSSC or pointer authentication, so it UNDEFs the same encodings).
 */
import { describe, expect, it } from 'vitest';
import { findEncoding } from '../decode-a64.js';
import { runProgram } from '../testing/flat-memory.js';
import { BASE, C, describeQemuVectors, expectUndef, N, run, SP0, u64, V, Z } from '../testing/insn-harness.js';

describe('PC-rel. addressing', () => {
  it('ADR adds a signed byte offset to the PC', () => {
    expect(run([0x10000040]).x[0]).toBe(BASE + 8n); // adr x0, .+8
    expect(run([0xd2800000, 0x10ffffe3]).x[3]).toBe(BASE); // movz x0, #0; adr x3, .-4
  });
  it('ADR to XZR writes nothing', () => {
    const cpu = run([0x1000001f]); // adr xzr, .
    expect(cpu.x[31]).toBe(0n);
    expect(cpu.spEl[1]).toBe(SP0);
  });
  it('ADRP adds a signed page offset to the PC with its low 12 bits cleared', () => {
    const pad = [0xd2800000, 0xd2800000, 0xd2800000, 0xd2800000]; // so the ADRPs are not at a page boundary
    const cpu = run([...pad, 0xb0000021, 0xf0ffffe2, 0xd0000003]); // adrp x1, +0x5000; x2, -0x1000; x3, +0x2000
    expect(cpu.x[1]).toBe(BASE + 0x5000n);
    expect(cpu.x[2]).toBe(BASE - 0x1000n);
    expect(cpu.x[3]).toBe(BASE + 0x2000n);
  });
});

describe('Add/subtract (immediate)', () => {
  it('ADD with imm12 and with LSL #12', () => {
    expect(run([0x913ffc20], { x: { 1: 1n } }).x[0]).toBe(0x1000n); // add x0, x1, #0xfff
    expect(run([0x91400420], { x: { 1: 1n } }).x[0]).toBe(0x1001n); // add x0, x1, #1, lsl #12
    expect(run([0x913ffc20], { x: { 1: -1n } }).x[0]).toBe(0xffen); // wraps at 64 bits
  });
  it('32-bit ADD zero-extends its result and leaves the flags alone', () => {
    const cpu = run([0x11000420], { x: { 1: -1n }, nzcv: 0b0101 }); // add w0, w1, #1
    expect(cpu.x[0]).toBe(0n);
    expect(cpu.nzcv).toBe(0b0101);
    expect(run([0x11000420], { x: { 0: -1n, 1: 0xffff_ffff_0000_0001n } }).x[0]).toBe(2n);
  });
  it('ADDS sets NZCV: carry out, zero, signed overflow', () => {
    let cpu = run([0xb1000420], { x: { 1: -1n } }); // adds x0, x1, #1
    expect(cpu.x[0]).toBe(0n);
    expect(cpu.nzcv).toBe(Z | C);
    cpu = run([0xb1000420], { x: { 1: 0x7fff_ffff_ffff_ffffn } });
    expect(cpu.x[0]).toBe(0x8000_0000_0000_0000n);
    expect(cpu.nzcv).toBe(N | V);
    cpu = run([0x31000420], { x: { 1: 0x7fff_ffffn } }); // adds w0, w1, #1
    expect(cpu.x[0]).toBe(0x8000_0000n);
    expect(cpu.nzcv).toBe(N | V);
    cpu = run([0x31000420], { x: { 1: 0x1_ffff_ffffn } }); // only the low 32 bits take part
    expect(cpu.x[0]).toBe(0n);
    expect(cpu.nzcv).toBe(Z | C);
    cpu = run([0x31000420], { x: { 1: 5n }, nzcv: 0b1111 });
    expect(cpu.nzcv).toBe(0);
  });
  it('SUBS sets C as NOT borrow', () => {
    let cpu = run([0xf1000420], { x: { 1: 0n } }); // subs x0, x1, #1
    expect(cpu.x[0]).toBe(u64(-1n));
    expect(cpu.nzcv).toBe(N);
    cpu = run([0xf100003f], { x: { 1: 0n } }); // cmp x1, #0
    expect(cpu.nzcv).toBe(Z | C);
    cpu = run([0x71000420], { x: { 1: 0x8000_0000n } }); // subs w0, w1, #1
    expect(cpu.x[0]).toBe(0x7fff_ffffn);
    expect(cpu.nzcv).toBe(C | V);
    cpu = run([0xd17ffc20], { x: { 1: 0x1000_0000n } }); // sub x0, x1, #0xfff, lsl #12
    expect(cpu.x[0]).toBe(0x1000_0000n - 0xfff000n);
  });
  it('Rd = 31 is XZR for ADDS/SUBS (CMN, CMP)', () => {
    const cpu = run([0x3100043f], { x: { 1: 0xffff_ffffn } }); // cmn w1, #1
    expect(cpu.nzcv).toBe(Z | C);
    expect(cpu.spEl[1]).toBe(SP0);
  });
  it('Rd and Rn = 31 are SP for ADD/SUB', () => {
    expect(run([0x910043ff]).spEl[1]).toBe(SP0 + 16n); // add sp, sp, #16
    expect(run([0xd10043ff]).spEl[1]).toBe(SP0 - 16n); // sub sp, sp, #16
    expect(run([0x910003e0]).x[0]).toBe(SP0); // mov x0, sp
    expect(run([0x9100003f], { x: { 1: 0x1234_5678_9abc_def0n } }).spEl[1]).toBe(0x1234_5678_9abc_def0n); // mov sp, x1
    expect(run([0x110007e0], { sp: 0xffff_ffff_ffff_fff0n }).x[0]).toBe(0xffff_fff1n); // add w0, wsp, #1
    expect(run([0x1100003f], { x: { 1: -1n } }).spEl[1]).toBe(0xffff_ffffn); // mov wsp, w1
  });
  it('Rn = 31 is SP for SUBS (CMP SP)', () => {
    expect(run([0xf10043ff], { sp: 16n }).nzcv).toBe(Z | C); // cmp sp, #16
    expect(run([0xf10043ff], { sp: 8n }).nzcv).toBe(N);
  });
  it('SP is SP_EL0 when PSTATE.SP = 0', () => {
    const { cpu } = runProgram([0x910003e0, 0x910043ff], (c) => { // mov x0, sp; add sp, sp, #16
      c.spsel = 0;
      c.spEl[0] = 0x5000n;
    }, 2);
    expect(cpu.x[0]).toBe(0x5000n);
    expect(cpu.spEl[0]).toBe(0x5010n);
    expect(cpu.spEl[1]).toBe(SP0);
  });
});

describe('Add/subtract (immediate, with tags) and Min/max (immediate)', () => {
  it('SMAX/UMIN immediate (FEAT_CSSC) are UNDEFINED (ADDG, SUBG: insn/mte.test.ts)', () => {
    for (const w of [0x91c01420, 0x11cffc20]) expectUndef(w);
  });
});

describe('Logical (immediate)', () => {
  const x1 = 0xf0f0_1234_5678_9abcn;
  it('AND, ORR, EOR with element sizes 2 to 64 and rotations', () => {
    expect(run([0x92401c20], { x: { 1: x1 } }).x[0]).toBe(0xbcn); // and x0, x1, #0xff
    expect(run([0xb200f3e0]).x[0]).toBe(0x5555_5555_5555_5555n); // mov x0, #0x5555555555555555
    expect(run([0xd2103c20], { x: { 1: x1 } }).x[0]).toBe(x1 ^ 0xffff_0000_ffff_0000n); // eor
    expect(run([0x9200cc20], { x: { 1: x1 } }).x[0]).toBe(x1 & 0x0f0f_0f0f_0f0f_0f0fn);
    expect(run([0x9200e420], { x: { 1: x1 } }).x[0]).toBe(x1 & 0x3333_3333_3333_3333n);
    expect(run([0x92410420], { x: { 1: -1n } }).x[0]).toBe(0x8000_0000_0000_0001n);
    expect(run([0x9200f020], { x: { 1: x1 } }).x[0]).toBe(x1 & 0x5555_5555_5555_5555n);
  });
  it('32-bit forms use the low word and zero-extend', () => {
    expect(run([0x320107e0], { x: { 0: -1n } }).x[0]).toBe(0x8000_0001n); // mov w0, #0x80000001
    expect(run([0x12001c20], { x: { 1: -1n } }).x[0]).toBe(0xffn); // and w0, w1, #0xff
    expect(run([0x521f7820], { x: { 1: 0xffff_ffff_0000_0001n } }).x[0]).toBe(0xffff_ffffn); // eor w0, w1, #0xfffffffe
  });
  it('ANDS sets N and Z and clears C and V', () => {
    let cpu = run([0xf2410020], { x: { 1: -1n }, nzcv: 0b0011 }); // ands x0, x1, #0x8000000000000000
    expect(cpu.x[0]).toBe(0x8000_0000_0000_0000n);
    expect(cpu.nzcv).toBe(N);
    cpu = run([0x72000020], { x: { 1: 0x1_0000_0002n }, nzcv: 0b1011 }); // ands w0, w1, #1
    expect(cpu.x[0]).toBe(0n);
    expect(cpu.nzcv).toBe(Z);
    cpu = run([0x72000020], { x: { 1: 0x8000_0001n } });
    expect(cpu.nzcv).toBe(0);
  });
  it('Rd = 31 is SP for AND/ORR/EOR but XZR for ANDS', () => {
    expect(run([0x927cec3f], { x: { 1: 0x1234_5677n } }).spEl[1]).toBe(0x1234_5670n); // and sp, x1, #~0xf
    expect(run([0x32000c3f], { x: { 1: 0xffff_ffff_0000_0100n } }).spEl[1]).toBe(0x10fn); // orr wsp, w1, #0xf
    const cpu = run([0xf240003f], { x: { 1: 3n } }); // tst x1, #1
    expect(cpu.nzcv).toBe(0);
    expect(cpu.spEl[1]).toBe(SP0);
  });
  it('reserved immediates and 32-bit N = 1 are UNDEFINED', () => {
    expectUndef(0x12401c20); // sf = 0, N = 1
    expectUndef(0x9200fc20); // N = 0, imms = 111111: len < 1
    expectUndef(0x9200f820); // N = 0, imms = 111110: len = 0
    expectUndef(0x9200f420); // N = 0, imms = 111101: element of all ones
    expectUndef(0x9240fc20); // N = 1, imms = 111111: all ones
    expectUndef(0x1200fc20); // 32-bit, imms = 111111
    expectUndef(0x7200f43f); // ANDS, reserved
  });
});

describe('Move wide (immediate)', () => {
  it('MOVZ', () => {
    expect(run([0xd2e24680], { x: { 0: -1n } }).x[0]).toBe(0x1234_0000_0000_0000n); // movz x0, #0x1234, lsl #48
    expect(run([0x52bfffe0], { x: { 0: -1n } }).x[0]).toBe(0xffff_0000n); // movz w0, #0xffff, lsl #16
    expect(run([0xd280003f]).spEl[1]).toBe(SP0); // movz xzr, #1
  });
  it('MOVN', () => {
    expect(run([0x92800000]).x[0]).toBe(u64(-1n)); // movn x0, #0
    expect(run([0x12800000]).x[0]).toBe(0xffff_ffffn); // movn w0, #0
    expect(run([0x92a24680]).x[0]).toBe(0xffff_ffff_edcb_ffffn); // movn x0, #0x1234, lsl #16
    expect(run([0x12b00000]).x[0]).toBe(0x7fff_ffffn); // movn w0, #0x8000, lsl #16
  });
  it('MOVK keeps the other bits; the 32-bit form clears bits 63:32', () => {
    expect(run([0xf2d7dde0], { x: { 0: 0x1111_2222_3333_4444n } }).x[0]).toBe(0x1111_beef_3333_4444n); // movk x0, #0xbeef, lsl #32
    expect(run([0x72a24680], { x: { 0: 0x1111_2222_3333_4444n } }).x[0]).toBe(0x1234_4444n); // movk w0, #0x1234, lsl #16
  });
  it('hw >= 2 in the 32-bit forms and opc = 01 are UNDEFINED', () => {
    for (const w of [0x52c00000, 0x72e00000, 0x12c00000, 0x32800000, 0xb2800000]) expectUndef(w);
  });
});

describe('Bitfield', () => {
  const x1 = 0x8123_4567_89ab_cdefn;
  const cases: [string, number, bigint, bigint][] = [
    ['lsl x0, x1, #4', 0xd37cec20, x1, 0x1234_5678_9abc_def0n],
    ['lsr x0, x1, #60', 0xd37cfc20, x1, 8n],
    ['asr x0, x1, #63', 0x937ffc20, x1, u64(-1n)],
    ['asr x0, x1, #0', 0x9340fc20, x1, x1],
    ['asr w0, w1, #31', 0x131f7c20, 0x8000_0000n, 0xffff_ffffn],
    ['asr w0, w1, #31 (positive)', 0x131f7c20, 0xffff_ffff_7fff_ffffn, 0n],
    ['sxtb x0, w1', 0x93401c20, 0x80n, 0xffff_ffff_ffff_ff80n],
    ['sxth w0, w1', 0x13003c20, 0x1_8000n, 0xffff_8000n],
    ['sxtw x0, w1', 0x93407c20, 0x1_8000_0000n, 0xffff_ffff_8000_0000n],
    ['uxtb w0, w1', 0x53001c20, x1, 0xefn],
    ['uxth w0, w1', 0x53003c20, x1, 0xcdefn],
    ['ubfx x0, x1, #8, #16', 0xd3485c20, x1, 0xabcdn],
    ['sbfx x0, x1, #4, #8', 0x93442c20, x1, 0xffff_ffff_ffff_ffden],
    ['ubfx x0, x1, #4, #4', 0xd3441c20, x1, 0xen],
    ['sbfiz w0, w1, #28, #4', 0x13040c20, 0xfn, 0xf000_0000n],
    ['lsl w0, w1, #31', 0x53010020, 0xffff_ffff_ffff_fff3n, 0x8000_0000n],
    ['lsr w0, w1, #0', 0x53007c20, x1, 0x89ab_cdefn],
    ['lsl x0, x1, #1', 0xd37ff820, x1, 0x0246_8acf_1357_9bden],
    ['sbfiz x0, x1, #1, #63', 0x937ff820, x1, 0x0246_8acf_1357_9bden],
  ];
  for (const [text, word, src, want] of cases) {
    it(text, () => expect(run([word], { x: { 0: 0x5a5a_5a5a_5a5a_5a5an, 1: src } }).x[0]).toBe(want));
  }
  it('BFM inserts and keeps the other destination bits', () => {
    const d = 0x1111_2222_3333_4444n;
    expect(run([0xb3783c20], { x: { 0: d, 1: x1 } }).x[0]).toBe(0x1111_2222_33cd_ef44n); // bfi x0, x1, #8, #16
    expect(run([0xb3505c20], { x: { 0: d, 1: x1 } }).x[0]).toBe(0x1111_2222_3333_44abn); // bfxil x0, x1, #16, #8
    expect(run([0xb3780fe0], { x: { 0: d } }).x[0]).toBe(0x1111_2222_3333_4044n); // bfc x0, #8, #4
    expect(run([0x33041c20], { x: { 0: d, 1: x1 } }).x[0]).toBe(0x3333_444en); // bfxil w0, w1, #4, #4
  });
  it('N != sf, 32-bit immr/imms >= 32 and opc = 11 are UNDEFINED', () => {
    expectUndef(0xd33cec20); // sf = 1, N = 0
    expectUndef(0x53410020); // sf = 0, N = 1
    expectUndef(0x53200020); // sf = 0, immr<5> = 1
    expectUndef(0x53008020); // sf = 0, imms<5> = 1
    expectUndef(0x33008020); // BFM, sf = 0, imms<5> = 1
    expectUndef(0x13200020); // SBFM, sf = 0, immr<5> = 1
    expectUndef(0xf37cec20); // opc = 11
  });
});

describe('Extract', () => {
  const x1 = 0x0123_4567_89ab_cdefn;
  const x2 = 0xfedc_ba98_7654_3210n;
  it('EXTR', () => {
    expect(run([0x93c24020], { x: { 1: x1, 2: x2 } }).x[0]).toBe(0xcdef_fedc_ba98_7654n); // extr x0, x1, x2, #16
    expect(run([0x93c20020], { x: { 1: x1, 2: x2 } }).x[0]).toBe(x2); // extr x0, x1, x2, #0
    expect(run([0x13822020], { x: { 1: x1, 2: x2 } }).x[0]).toBe(0xef76_5432n); // extr w0, w1, w2, #8
    expect(run([0x13827c20], { x: { 1: x1, 2: x2 } }).x[0]).toBe(0x1357_9bden); // extr w0, w1, w2, #31
  });
  it('ROR (immediate)', () => {
    expect(run([0x93c1fc20], { x: { 1: x1 } }).x[0]).toBe(0x0246_8acf_1357_9bden); // ror x0, x1, #63
    expect(run([0x13810420], { x: { 1: 0xffff_ffff_0000_0001n } }).x[0]).toBe(0x8000_0000n); // ror w0, w1, #1
  });
  it('N != sf, 32-bit imms >= 32, o0 = 1 and op21 != 00 are UNDEFINED', () => {
    for (const w of [0x93824020, 0x13c22020, 0x13828020, 0x93e24020, 0xb3c24020, 0xd3c24020, 0xf3c24020]) {
      expectUndef(w);
    }
  });
});

describe('decode table', () => {
  it('names the rows after the Arm ARM', () => {
    expect(findEncoding(0x10000040)?.name).toBe('ADR');
    expect(findEncoding(0xf100003f)?.name).toBe('SUBS (immediate)');
    expect(findEncoding(0xb200f3e0)?.name).toBe('ORR (immediate)');
    expect(findEncoding(0xf2d7dde0)?.name).toBe('MOVK');
    expect(findEncoding(0xd37cec20)?.name).toBe('UBFM');
    expect(findEncoding(0x93c24020)?.name).toBe('EXTR');
    expect(findEncoding(0x91810420)?.name).toBe('ADDG');
  });
});

/**
 * Vectors recorded from QEMU: "word x0 x1 x2 x3 nzcv > x0 x1 x2 x3 nzcv" (hex), or "> UNDEF". The words are random
 * encodings drawn from each class, with registers limited to X0-X3.
 */
const QEMU_VECTORS = `
11141823 33 8c10998e 9b e8e6cf1760d842e3 5 > 33 8c10998e 9b 8c109e94 5
11116c60 4de0ffe404cc2e78 fffffffe 6ecc137b27096f5e ffffffffc6aaf080 5 > c6aaf4db fffffffe 6ecc137b27096f5e ffffffffc6aaf080 5
117cf802 8000000000000001 100000000 ffffffffffffffff 2d67ce5d1927cbde 8 > 8000000000000001 100000000 f3e001 2d67ce5d1927cbde 8
91781c62 fffffffffffffffe deadbeefcafebabe 4a1fa2850dd616ad 7fffffff 1 > fffffffffffffffe deadbeefcafebabe 80e06fff 7fffffff 1
91321022 30 6e616e1881cc448b 0 7fffffffffffffff 9 > 30 6e616e1881cc448b 6e616e1881cc510f 7fffffffffffffff 9
1138e401 8000000000000000 80000000 80000000 a7f0c0646ad018d 0 > 8000000000000000 e39 80000000 a7f0c0646ad018d 0
11031821 e9 77154642d6257daa 833cbc6ca2ca3c24 9941a0f00955b5d2 2 > e9 d6257e70 833cbc6ca2ca3c24 9941a0f00955b5d2 2
917cf462 deadbeefcafebabe f1805e948d5f5257 b869a771ea39259 7fffffff 6 > deadbeefcafebabe f1805e948d5f5257 80f3cfff 7fffffff 6
b1492c63 531d6460f0caeef0 2a838af8d5c44a4e 44a4a8f69dc8db48 4f3f87777ad1f45a 4 > 531d6460f0caeef0 2a838af8d5c44a4e 44a4a8f69dc8db48 4f3f87777af6a45a 0
b124b401 b8c91e65b3e073d9 c d2b57d6fdc7b2b24 7fffffffffffffff 9 > b8c91e65b3e073d9 b8c91e65b3e07d06 d2b57d6fdc7b2b24 7fffffffffffffff 8
b104a041 deadbeefcafebabe ffffffff95880286 8b9ccbd7b4595a3c ffffffffe9f18cb0 4 > deadbeefcafebabe 8b9ccbd7b4595b64 8b9ccbd7b4595a3c ffffffffe9f18cb0 8
3160dc41 ffffffffc9b0ced1 2 73822269fedc1c03 12345678 4 > ffffffffc9b0ced1 ff5f8c03 73822269fedc1c03 12345678 8
b1106063 923efd8bf123ef58 80000001 8000000000000001 b2d0b3dc71fd2638 f > 923efd8bf123ef58 80000001 8000000000000001 b2d0b3dc71fd2a50 8
31181443 7fffffff d155ed4ba93deff 2 ffffffff585d9eca b > 7fffffff d155ed4ba93deff 2 607 0
314d8040 6ab6dbb4ec434734 100000000 d7895064e00ade55 8000000000000001 4 > e040de55 100000000 d7895064e00ade55 8000000000000001 8
316f6440 ffffffffbd7b9815 fffffffffffffffe 50384cabced8a84c d6122fd1a53ead48 d > cf96384c fffffffffffffffe 50384cabced8a84c d6122fd1a53ead48 8
12084c00 8000000000000000 ffffffff8f59944c 2 b5 a > 0 ffffffff8f59944c 2 b5 a
922f1061 80000000 b3f5b4cb 7fffffff c014effc8d1cb749 e > 80000000 140000001c0000 7fffffff c014effc8d1cb749 e
92291401 fefab47b5f4df3f8 ffffffff51f120e1 12345678 7fffffff 5 > fefab47b5f4df3f8 1e8000001f000000 12345678 7fffffff 5
9268d021 ffffffff b1 de5f23c7 1674aee31874c36e 3 > ffffffff b1 de5f23c7 1674aee31874c36e 3
92409001 0 16 4b a2ab8d7703b1820f 2 > 0 0 4b a2ab8d7703b1820f 2
922f0c23 8a904586c791d3c1 87345a0803323e30 46379d0d4236121b c4 5 > 8a904586c791d3c1 87345a0803323e30 46379d0d4236121b 14000000120000 5
9277d001 2 ffffffffffffffff 1 d6f3215a718422b 0 > 2 0 1 d6f3215a718422b 0
12164803 f9b3a067c4a3aa9e 1 ebf24cbf2c32c05a 80000000 4 > f9b3a067c4a3aa9e 1 ebf24cbf2c32c05a 4a3a800 4
f277ec01 89188e3846c77572 e14e77d863cda91a bb 7fffffffffffffff b > 89188e3846c77572 89188e3846c77412 bb 7fffffffffffffff 8
f21f3801 7fffffff 2fccde0ffc58735 6a27a0dfba555e4e 1129d4b1e54db74f d > 7fffffff fffe 6a27a0dfba555e4e 1129d4b1e54db74f 0
f2207863 ffffffffffffffff 8f 36 fffffffffffffffe 7 > ffffffffffffffff 8f 36 7fffffff7ffffffe 0
72193c61 3d530d3c9895d99a 8ea06c6b1b3ad90d 7f a3940e9ab38542f1 2 > 3d530d3c9895d99a 54280 7f a3940e9ab38542f1 0
72216000 fffffffe cfac10fe55e34374 90 a6 9 > 80fffffe cfac10fe55e34374 90 a6 8
723fc803 0 fffffffffffffffe 855bdaad82bcd28 100000000 e > 0 fffffffffffffffe 855bdaad82bcd28 0 4
f2305463 100000000 ffffffff 7fffffff ffffffffffffffff 5 > 100000000 ffffffff 7fffffff ffff003fffff003f 8
72269440 d2cecee457c9faac a355f72f442112a9 0 8000000000000000 5 > 0 a355f72f442112a9 0 8000000000000000 4
b363ac63 8000000000000001 7fffffff 6cf40d8a6f092ec5 d1db848 e > 8000000000000001 7fffffff 6cf40d8a6f092ec5 d1db800 e
b3729422 57f2a0b9 100000000 352f18a0df5feab1 fffffffe 8 > 57f2a0b9 100000000 3520400000002ab1 fffffffe 8
b3499c20 1 99cf6951a52072fe 80000001 ffffffff3734f42b b > 28d29039 99cf6951a52072fe 80000001 ffffffff3734f42b b
331b4c21 fffffffffffffffe deadbeefcafebabe 80000001 4d3c01cf86ae42e5 b > fffffffffffffffe cbd757de 80000001 4d3c01cf86ae42e5 b
330d0840 100000000 7fffffff 2 fffffffe 9 > 100000 7fffffff 2 fffffffe 9
b3778c62 8000000000000000 48888f997109484e 75dab3c34e16c206 85fa6ebea5ce7bf7 1 > 8000000000000000 48888f997109484e 75dabd4b9cf7ee06 85fa6ebea5ce7bf7 1
b351b003 8fa96b756c5bc91f 0 6213b705946ab041 5563c2765f852c2 5 > 8fa96b756c5bc91f 0 6213b705946ab041 5563c2765bab62d 5
b3481420 7fffffff 717297fb824def4f ffffffffffffffff 2 5 > f0000007fffffff 717297fb824def4f ffffffffffffffff 2 5
d2569c21 2 ffffffffffffffff 80000001 a0716c18 8 > 2 3fffffc0000 80000001 a0716c18 8
d230a822 3d30f90132dddab ba39e88bb1d2a748 7c30576ec4e3b036 7fffffff f > 3d30f90132dddab ba39e88bb1d2a748 bdc6ef74b62da0b7 7fffffff f
d25f9063 100000000 0 0 12345678 5 > 100000000 0 0 fffffffe12345647 5
d20f0421 8000000000000001 762fd2106c587673 8000000000000000 be c > 8000000000000001 7629d2106c5e7673 8000000000000000 be c
d26a6c00 b6a3f8f152378326 1 fffffffffe97a01a deadbeefcafebabe 8 > b6a0070eadf78326 1 fffffffffe97a01a deadbeefcafebabe 8
d202e461 1921406c41906c95 c85bb1d9 ca9ac5d1d44196a6 100000000 e > 1921406c41906c95 cccccccdcccccccc ca9ac5d1d44196a6 100000000 e
d2107861 ce e4 ffffffff015ee08c 8000000000000000 5 > ce 7fff7fffffff7fff ffffffff015ee08c 8000000000000000 5
d2018842 ffffffffffffffff cb4aa3dcc28a5d72 1 cd 4 > ffffffffffffffff cb4aa3dcc28a5d72 8003800380038002 cd 4
93c23c20 d54257f8ae9230da f664edbf 80000001 7fffffff c > db7e000000010000 f664edbf 80000001 7fffffff c
93c1cc02 1 100000000 d58b21cde9cce6eb 352ce9faa88b0c44 6 > 1 100000000 2000 352ce9faa88b0c44 6
93c1a420 e924a62d46682d8e f36825526c77fb88 a8f2c20c05bc7e3a 0 9 > a9363bfdc479b412 f36825526c77fb88 a8f2c20c05bc7e3a 0 9
93c31062 3eb88812b901dff8 929b6d777e249f6 1d0f618d5329bf61 100000000 4 > 3eb88812b901dff8 929b6d777e249f6 10000000 100000000 4
93c14843 aab999e0f692821 b6a395aca6f2bc5 6d88cf6b066bcc3f ffffffffee51d008 8 > aab999e0f692821 b6a395aca6f2bc5 6d88cf6b066bcc3f f30fc2da8e56b29b 8
13834c43 100000000 b28182f15519ecfa ffffffff3322275b fffffffe a > 100000000 b28182f15519ecfa ffffffff3322275b 44eb7fff a
93c06c60 5e 12345678 c98a0fe6639cc1a4 1 6 > 2000000000 12345678 c98a0fe6639cc1a4 1 6
13833040 0 abacbdbaffee8c4a fffffffffffffffe 8670b8782326a5c4 f > ffe2326a abacbdbaffee8c4a fffffffffffffffe 8670b8782326a5c4 f
f2c4baa0 8000000000000000 fa5ca62c179fc984 76c0efdfde4052e0 35783c24f680a5b0 2 > 800025d500000000 fa5ca62c179fc984 76c0efdfde4052e0 35783c24f680a5b0 2
f28c55c2 80000001 dd 4b6862b9c4386dfc a71d226c2c56a0ee c > 80000001 dd 4b6862b9c43862ae a71d226c2c56a0ee c
728d1822 80000000 4e53931190ba8761 8aae66c84ac17fdb 4ff83f0bf604868a f > 80000000 4e53931190ba8761 4ac168c1 4ff83f0bf604868a f
f2bb8100 eb ffffffff8436cc55 80000001 7fffffff c > dc0800eb ffffffff8436cc55 80000001 7fffffff c
f2ba3c60 27 7fffffffffffffff 79 12eed48c a > d1e30027 7fffffffffffffff 79 12eed48c a
f2d697a1 80000000 192b36afb77e39b2 999e0805 d5f8c86527ae97a5 c > 80000000 192bb4bdb77e39b2 999e0805 d5f8c86527ae97a5 c
729e3340 ffffffffffffffff fffffffffffffffe 70c5850e6890716f 0 7 > fffff19a fffffffffffffffe 70c5850e6890716f 0 7
72b43323 80000001 a9f6328c cf0fe237 96a4c65 5 > 80000001 a9f6328c cf0fe237 a1994c65 5
12938c40 80000000 333f5b4bc7ba9d0e 5ff7bc16ed424e98 ffffffff223bc9a2 1 > ffff639d 333f5b4bc7ba9d0e 5ff7bc16ed424e98 ffffffff223bc9a2 1
128b6503 12345678 100000000 deadbeefcafebabe 93 3 > 12345678 100000000 deadbeefcafebabe ffffa4d7 3
12b56d81 8d0b4798555ffd5a 239b53bc45bc9ff8 8a8fbf1851f991b0 cc0dedea9cb2c742 1 > 8d0b4798555ffd5a 5493ffff 8a8fbf1851f991b0 cc0dedea9cb2c742 1
92e52d22 6d62977ea9b75e52 fffffffe 8c7d3abc11e2a061 27 d > 6d62977ea9b75e52 fffffffe d696ffffffffffff 27 d
12aa0523 fffffffe 390b726b7a2f6b27 fffffffe ffffffff 3 > fffffffe 390b726b7a2f6b27 fffffffe afd6ffff 3
12aadfc2 d01430db6878823c dc6a5eb4402715b4 d1dd0b1c9efe7b1b 1 c > d01430db6878823c dc6a5eb4402715b4 a901ffff 1 c
12b207a0 37babf752da89d76 0 8000000000000001 80000000 1 > 6fc2ffff 0 8000000000000001 80000000 1
92dfbea3 2e5fe2704dc92a6e ffffffff 995a255700b81db3 8d53b02f250e09b0 2 > 2e5fe2704dc92a6e ffffffff 995a255700b81db3 ffff020affffffff 2
d2b253c0 6921f4be0f5b8e2c 354fab10769d7068 12e3db4c9d120c14 0 5 > 929e0000 354fab10769d7068 12e3db4c9d120c14 0 5
d2af2081 186b86c441071df6 12345678 8cab7b71 ffffffff1116bce7 5 > 186b86c441071df6 79040000 8cab7b71 ffffffff1116bce7 5
d2cc5ce3 e274ed5fad0b0e16 d6e39c4280e98366 3a6102e0ef1ab28b de1a03ffbd8dfbab 0 > e274ed5fad0b0e16 d6e39c4280e98366 3a6102e0ef1ab28b 62e700000000 0
52a1a443 ffffffffe4905b8b 90e8624ed72cce20 2b6458e1 7 b > ffffffffe4905b8b 90e8624ed72cce20 2b6458e1 d220000 b
d2955080 38 36af22869a934470 80000001 458279611dbee9f8 f > aa84 36af22869a934470 80000001 458279611dbee9f8 f
d29b6283 fffffffffffffffe 100000000 12345678 12345678 f > fffffffffffffffe 100000000 12345678 db14 f
d2c4d2e2 f90ac4ba423b59aa 80000001 fa 12345678 6 > f90ac4ba423b59aa 80000001 269700000000 12345678 6
d29b36c0 fffffffffffffffe ffffffff9d0345a8 afc708a16652d6b2 5913d78aab53fb0d e > d9b6 ffffffff9d0345a8 afc708a16652d6b2 5913d78aab53fb0d e
323e8400 deadbeefcafebabe 0 7fffffff 8a1b58ec6a339f59 3 > cafebabe 0 7fffffff 8a1b58ec6a339f59 3
b2602020 4935129daa85acdb ffffffffb76ae4c0 21d93762cb036e13 f1ce626eeba51eeb 2 > ffffffffb76ae4c0 ffffffffb76ae4c0 21d93762cb036e13 f1ce626eeba51eeb 2
b2718843 5865808cec9b89f 2 12345678 edf28e2c1d9e04e3 7 > 5865808cec9b89f 2 12345678 3ffffffffd678 7
b2092c61 a7 8000000000000000 8000000000000000 73a94099f3345834 d > a7 ffa9409fffb45837 8000000000000000 73a94099f3345834 d
b26b0440 7fffffff ffffffff 80000000 4497877c6d8d6551 9 > 80600000 ffffffff 80000000 4497877c6d8d6551 9
b275e821 485d29be4713c538 1 1 d1741b91c38065c2 2 > 485d29be4713c538 fffffffffffff83f 1 d1741b91c38065c2 2
b224e460 ffffffffffffffff 100000000 7fffffffffffffff deadbeefcafebabe 8 > ffbfbffffbffbbbf 100000000 7fffffffffffffff deadbeefcafebabe 8
b2340c40 d84f8cbf00c99c4e 42879f859b17a2f5 80000001 ffffffffd9682537 4 > f0008000f001 42879f859b17a2f5 80000001 ffffffffd9682537 4
9358fc22 ffffffffc15b6914 92 2 deadbeefcafebabe 3 > ffffffffc15b6914 92 0 deadbeefcafebabe 3
93580863 80000000 ffffffffffffffff ffffffffffffffff 5a6b57de42529a52 8 > 80000000 ffffffffffffffff ffffffffffffffff 20000000000 8
93713043 41651618 95025537e2ee88eb 16 806e3635d93dc36d 8 > 41651618 95025537e2ee88eb 16 b0000 8
9357d020 7fffffffffffffff 7d d1d9cb0e3eb86db6 bb41759ebb9b983e b > 0 7d d1d9cb0e3eb86db6 bb41759ebb9b983e b
9375cc00 613a5613 c3 3848620ddf59a67 fffffffffffffffe 3 > 309d2b09800 c3 3848620ddf59a67 fffffffffffffffe 3
130d4042 8000000000000001 ffffffff 81038b1f51557d62 6b7db7cd8ea71176 e > 8000000000000001 ffffffff fffffffb 6b7db7cd8ea71176 e
13082c02 ffffffff 0 547aaed3e9465583 100000000 b > ffffffff 0 ffffffff 100000000 b
934f1c63 70 c8757d40bcba7025 3ee5f3d7fdc866c 7fffffffffffffff 2 > 70 c8757d40bcba7025 3ee5f3d7fdc866c fffe000000000000 2
d1209c01 80000000 3b6b88648fb18c7e ffffffff1ca652ba 8000000000000001 d > 80000000 7ffff7d9 ffffffff1ca652ba 8000000000000001 d
d1659862 8f6c8f9fa734c677 8000000000000000 ffffffffdce17831 8000000000000001 2 > 8f6c8f9fa734c677 8000000000000000 7fffffffff69a001 8000000000000001 2
51230c43 ffffffff30676c84 100000000 74113b37 8334fd3bc63b0784 5 > ffffffff30676c84 100000000 74113b37 74113274 5
d14c9821 5288c2e864bf8b18 52220e9a9cc1ded3 c0ac1dba 75521b3c8e17acfb 9 > 5288c2e864bf8b18 52220e9a9c8f7ed3 c0ac1dba 75521b3c8e17acfb 9
d1745423 df 83bc0a29fb0a42eb 687dbe4d59b33f48 ffffffff 5 > df 83bc0a29fb0a42eb 687dbe4d59b33f48 83bc0a29fa38f2eb 5
51414003 3d0cac0182596793 c5 b0e88040045cb3c5 f3241b4cd14da447 7 > 3d0cac0182596793 c5 b0e88040045cb3c5 82546793 7
513be443 7fffffff 2 229149c43f6226d6 fc66ff615877a357 a > 7fffffff 2 229149c43f6226d6 3f6217dd a
d1274c00 ffffffff 12345678 3a3161b7f6da166f 7fffffff 5 > fffff62c 12345678 3a3161b7f6da166f 7fffffff 5
f1230802 ffffffffffffffff fffffffe ffffffffffffffff 1c2745b9d8d66b34 0 > ffffffffffffffff fffffffe fffffffffffff73d 1c2745b9d8d66b34 a
71777063 20 1063101ec53d544a ffffffff 80000001 6 > 20 1063101ec53d544a ffffffff 7f224001 3
714ebc42 9ebc9872de1001b9 80000001 12345678 2 3 > 9ebc9872de1001b9 80000001 11f96678 2 2
7116f841 deadbeefcafebabe 7fffffffffffffff fc9092b86aacfc05 a54324a2787ba0ae c > deadbeefcafebabe 6aacf647 fc9092b86aacfc05 a54324a2787ba0ae 2
7166c860 7fffffff cdde578de1922ab8 fffffffffbe624bf 80000001 2 > 7f64e001 cdde578de1922ab8 fffffffffbe624bf 80000001 3
715f4842 a9729b6cd26b46e3 986908f087046199 67 3f18b26e3405759c 4 > a9729b6cd26b46e3 986908f087046199 ff82e067 3f18b26e3405759c 8
f12b9063 8562ce50083a4933 8be10e8680fbee0 b991fd3af1351e3 7fffffff 0 > 8562ce50083a4933 8be10e8680fbee0 b991fd3af1351e3 7ffff51b 2
f1480c43 b ffffffff9cf6c8ab 80329387597532c9 d8e9d401a41a450d 6 > b ffffffff9cf6c8ab 80329387597532c9 80329387595502c9 a
531a4443 c9 0 bfd969fe0054ef44 eb89569f96cac1c6 1 > c9 0 bfd969fe0054ef44 3bd100 1
530a7021 ffffffff 7fffffff e1 cc9bd0063c91bb39 f > ffffffff 7ffff e1 cc9bd0063c91bb39 f
d358c402 d40e4eb3d8e6e3ee 12345678 867400afdbfe7769 2 e > d40e4eb3d8e6e3ee 12345678 24eb3d8 2 e
d36b2023 347f33dccd43f4be 2 ffffffffb9f26808 100000000 d > 347f33dccd43f4be 2 ffffffffb9f26808 400000 d
d36d5041 826c6daeca271f64 12345678 f8958afbe6127af9 b338ee6fe95c7cbe 8 > 826c6daeca271f64 93d7c80000 f8958afbe6127af9 b338ee6fe95c7cbe 8
d348bc60 4ab4c00b4c697bab 2 7fffffff 8454a67dcea558f5 3 > a67dcea558 2 7fffffff 8454a67dcea558f5 3
d37f4c02 4c003dbc398b9b1b a4b25f499792224f 7b 0 6 > 4c003dbc398b9b1b a4b25f499792224f 173636 0 6
d37a7420 6cc03d8 3bb6c548 51ee74aa6ad0ecdf 12345678 7 > eedb15200 3bb6c548 51ee74aa6ad0ecdf 12345678 7
119bd061 fffffffffffffffe deadbeefcafebabe f3f1387bc64e1e9e f0 7 > UNDEF
11b78822 ce69f788258117a5 11 e53f82d5e94f499e a5e8b517cf4fbeb8 0 > UNDEF
11c3c862 6609b2b9824682e2 ffffffff4e875238 deadbeefcafebabe 1e 1 > UNDEF
11e7fc61 926ebad93867bce9 0 fabd741faf52c0ba fac7ee3b4724b97 2 > UNDEF
12127c20 1 6e 816ffea8d5b66c25 ffffffffffffffff e > UNDEF
1224f442 f5a640ca0fdc8501 ac 80000001 80000001 f > UNDEF
124f5c42 6 7fffffff fd edcbcfa41d8b643c 5 > UNDEF
12756c40 7fffffff ffffffffffffffff f8 fffffffffffffffe e > UNDEF
12c5c1a1 8000000000000001 163fd664446df4c6 27d8d22a1851d5c8 397223c63e7a8e88 4 > UNDEF
12ebf823 c8 80000001 fffffffffffffffe 8000000000000000 8 > UNDEF
131ad843 ffffffff 6f9c1388927740f5 12345678 99633ac9335fa40a 5 > UNDEF
133e0042 16 509bed1b2fbb3171 f7ce30722086b972 fffffffffffffffe 2 > UNDEF
135ce001 4c844af5051ec886 fb9e09348a640fd1 55bd60a180014656 deadbeefcafebabe 5 > UNDEF
1368bc40 f8 2db0987e995acfe5 7fffffff 8237725d3c22b4e6 b > UNDEF
13839422 ffffffffe6944862 fffffffe deadbeefcafebabe 7fffffffffffffff c > UNDEF
13a0e041 ab8dd83b ffffffff09fe27cd ffffffff21809bea 3d7344b1 d > UNDEF
13c05020 8000000000000000 2 ffffffffffffffff 80000000 1 > UNDEF
13e12000 953cd29164194a6 8c b5 fffffffe 7 > UNDEF
319b3423 fffffffffffffffe 12345678 fffffffffffffffe ffffffffffffffff 4 > UNDEF
31b22400 a71d5535e7d585e2 77b3025675ca8d3a 0 3a2296f4f83a1526 d > UNDEF
31c59400 b5e8eafe16496e88 f60d476616dde49f e3f1b52b19cfcc99 ffffffff97cf4643 e > UNDEF
31e96c62 e9156d421589c035 ffffffffffffffff 984dae33461566dd 2 a > UNDEF
3218bc00 fffffffe c30cd5d6748b72d1 ffffffffffffffff ffffffff8b194ef5 c > UNDEF
3223ec01 c57e9e2d65ad014e 8000000000000000 80000000 fffffffffffffffe 2 > UNDEF
32460c03 80000001 ffffffffffffffff 7da63e2f 44 3 > UNDEF
326ee060 45 ffffffffffffffff 8000000000000001 1 6 > UNDEF
32864663 7fffffff c6700167c988a639 fffffffe b77863fe4cc2f451 7 > UNDEF
32a53220 fffffffffffffffe 5e fffffffffffffffe d0711cf72264ba7f 5 > UNDEF
32d1a020 1 deadbeefcafebabe 34b51eca89410e21 80000001 e > UNDEF
32f926c1 4f ffffffff c9563541616c62c0 fb47da51ae93944a 6 > UNDEF
3309f060 f0f2a7c12de8c8b0 865cfd042695c0fb 2 b538c4401eaf41ec 4 > UNDEF
3330a843 fffffffe 80000000 56221de30bfe8410 c48fa059a5e1a56d 9 > UNDEF
33594041 38d11573bc0e4a91 2041b1766ef048b8 30e93d98e3994c51 299f12ba d > UNDEF
33618061 34ee8ebed6d9666c 8000000000000001 30b624bd88fed0c4 6e847061ab645013 1 > UNDEF
33821042 ffffffffffffffff fffffffe a501f1c962c6df1e deadbeefcafebabe 3 > UNDEF
33a1dc63 12345678 fffffffe ffffffffffffffff f26617689edfb379 0 > UNDEF
33c33460 3fff0b3f2d7ded90 86c7c32e3762ec7 114ae4aa ffffffffc9e7e883 4 > UNDEF
33e15041 cbf8754472154e76 86 5d3fd983c34c769f 5ca495fa5a91c89b f > UNDEF
5181e002 be8e30d1c2a8a34f fffffffffffffffe c9 1 5 > UNDEF
51a2b821 aea5bf0a421e115e 8d98691aa7fa510a 7fffffff ffffffff9ff11cd8 4 > UNDEF
`;

describeQemuVectors(QEMU_VECTORS);
