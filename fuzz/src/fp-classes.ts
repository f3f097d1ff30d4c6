/**
 * FP mode's SIMD&FP items (`--mode fp`): every class of the Arm ARM's "Data Processing -- Scalar Floating-Point and
 * Advanced SIMD" table as "the class's fixed bits, every other bit random" (most of the time the opcode fields are
 * steered towards allocated values, 10% stay fully random so the unallocated combinations inside each class come up
 * too), the SIMD&FP loads and stores with sandbox addresses, MRS/MSR FPCR/FPSR, and FCMP feeding B.cond/CSEL.
 *
 * Excluded (README.md, "FP mode"): encodings of features QEMU `-cpu max` has and the model's ID registers do not
 * advertise, so they would be UNDEFINED on the model only: SM3 and SM4 (ID_AA64ISAR0_EL1.SM3/SM4) and FMLAL/FMLSL
 * (FEAT_FHM, ID_AA64ISAR0_EL1.FHM). Each comes back by itself once the model advertises the feature. The SVE and
 * SME spaces (op0 = 0010, 0000) are never generated.
 */
import { IMPL } from '@kvm-mte/aarch64-cpu';
import * as A from './a64.js';
import { field, fill, setField, sext } from './encoding.js';
import { fpcrValue, FPSR_FUZZ_MASK } from './fp-values.js';
import type { Item } from './generator.js';
import type { Prng } from './prng.js';
import { setBase, target } from './targets.js';

/** Whether the model advertises a feature: ID register field [lsb+3:lsb] >= min. */
const modelHas = (reg: bigint, lsb: number, min = 1): boolean => Number((reg >> BigInt(lsb)) & 0xfn) >= min;
/** The features `-cpu max` has in this space that the model may not advertise. */
const feat = {
  sm3: (): boolean => modelHas(IMPL.ID_AA64ISAR0_EL1, 36),
  sm4: (): boolean => modelHas(IMPL.ID_AA64ISAR0_EL1, 40),
  fhm: (): boolean => modelHas(IMPL.ID_AA64ISAR0_EL1, 48),
};

type FpGen = (r: Prng, here: number, count: number) => Item;
const one = (cls: string, w: number): Item => ({ cls, words: [w] });
/** 90% of the time: `steer(w)`, which moves the opcode fields towards allocated values. */
const mostly = (r: Prng, w: number, steer: (w: number) => number): number => (r.chance(0.9) ? steer(w) >>> 0 : w);
/** M = S = 0 (bits 31 and 29) of the scalar FP classes: the other values are unallocated. */
const scalarMS = (w: number): number => setField(setField(w, 31, 1, 0), 29, 1, 0);

// ---------------------------------------------------------------------------------------------------------------
// Data processing -- scalar floating point

const scalarFp: Record<string, [number, FpGen]> = {
  dp1: [3, (r) => one('fp dp 1 source', mostly(r, fill(r, 'x0x11110 xx1 xxxxxx 10000 xxxxx xxxxx'), scalarMS))],
  dp2: [3, (r) => one('fp dp 2 source', mostly(r, fill(r, 'x0x11110 xx1 xxxxx xxxx 10 xxxxx xxxxx'),
    (w) => setField(scalarMS(w), 12, 4, r.below(9))))],
  dp3: [3, (r) => one('fp dp 3 source', mostly(r, fill(r, 'x0x11111 xx x xxxxx x xxxxx xxxxx xxxxx'), scalarMS))],
  compare: [2, (r) => one('fp compare', mostly(r, fill(r, 'x0x11110 xx1 xxxxx xx 1000 xxxxx xxxxx'),
    (w) => setField(setField(scalarMS(w), 14, 2, 0), 0, 3, 0)))],
  ccmp: [2, (r) => one('fp conditional compare', mostly(r, fill(r, 'x0x11110 xx1 xxxxx xxxx 01 xxxxx xxxxx'), scalarMS))],
  csel: [2, (r) => one('fp conditional select', mostly(r, fill(r, 'x0x11110 xx1 xxxxx xxxx 11 xxxxx xxxxx'), scalarMS))],
  imm: [2, (r) => one('fp immediate', mostly(r, fill(r, 'x0x11110 xx1 xxxxxxxx 100 xxxxx xxxxx'),
    (w) => setField(scalarMS(w), 5, 5, 0)))],
  fixed: [2, (r) => one('fp<->fixed conversion', mostly(r, fill(r, 'x0x11110 xx0 xx xxx xxxxxx xxxxx xxxxx'),
    (w) => setField(setField(setField(w, 29, 1, 0), 19, 2, r.pick([0, 3])), 18, 1, 0)))],
  int: [4, (r) => one('fp<->int conversion', mostly(r, fill(r, 'x0x11110 xx1 xx xxx 000000 xxxxx xxxxx'),
    (w) => setField(w, 29, 1, 0)))],
};

// ---------------------------------------------------------------------------------------------------------------
// Data processing -- Advanced SIMD (vector and scalar)

/** FMLAL/FMLSL/FMLAL2/FMLSL2 (vector): FEAT_FHM. */
const isFhmVector = (w: number): boolean =>
  field(w, 22, 1) === 0 && field(w, 11, 5) === (field(w, 29, 1) === 0 ? 0b11101 : 0b11001);
/** FMLAL/FMLSL/FMLAL2/FMLSL2 (by element): FEAT_FHM, size = 10. */
const isFhmElement = (w: number): boolean =>
  field(w, 22, 2) === 0b10 && (field(w, 29, 1) === 0 ? [0b0000, 0b0100] : [0b1000, 0b1100]).includes(field(w, 12, 4));

/** A word of `pattern` that `ok` accepts (the features the model does not advertise are redrawn). */
function drawUntil(r: Prng, pattern: string, ok: (w: number) => boolean): number {
  for (;;) {
    const w = fill(r, pattern);
    if (ok(w)) return w;
  }
}

/** immh (bits 22:19) = 0000 is the modified-immediate class (vector) or unallocated (scalar): 90% non-zero. */
const shiftImm = (r: Prng, pattern: string): number =>
  mostly(r, fill(r, pattern), (w) => (field(w, 19, 4) === 0 ? setField(w, 19, 4, r.range(1, 15)) : w));

const advsimd: Record<string, [number, FpGen]> = {
  threeSame: [5, (r) => one('simd three same',
    drawUntil(r, '0xx01110 xx1 xxxxx xxxxx 1 xxxxx xxxxx', (w) => feat.fhm() || !isFhmVector(w)))],
  threeDifferent: [3, (r) => one('simd three different', fill(r, '0xx01110 xx1 xxxxx xxxx 00 xxxxx xxxxx'))],
  twoRegMisc: [4, (r) => one('simd two-reg misc', fill(r, '0xx01110 xx10000 xxxxx 10 xxxxx xxxxx'))],
  acrossLanes: [2, (r) => one('simd across lanes', fill(r, '0xx01110 xx11000 xxxxx 10 xxxxx xxxxx'))],
  copy: [3, (r) => one('simd copy', fill(r, '0xx01110000 xxxxx 0 xxxx 1 xxxxx xxxxx'))],
  permute: [2, (r) => one('simd permute', fill(r, '0x001110 xx0 xxxxx 0 xxx 10 xxxxx xxxxx'))],
  extract: [1, (r) => one('simd extract', mostly(r, fill(r, '0x101110 xx0 xxxxx 0 xxxx 0 xxxxx xxxxx'), (w) => setField(w, 22, 2, 0)))],
  table: [2, (r) => one('simd tbl/tbx', mostly(r, fill(r, '0x001110 xx0 xxxxx 0 xx x 00 xxxxx xxxxx'), (w) => setField(w, 22, 2, 0)))],
  modifiedImm: [2, (r) => one('simd modified immediate', fill(r, '0xx0111100000 xxx xxxx x 1 xxxxx xxxxx'))],
  shiftImm: [3, (r) => one('simd shift by immediate', shiftImm(r, '0xx011110 xxxx xxx xxxxx 1 xxxxx xxxxx'))],
  byElement: [3, (r) => one('simd by element',
    drawUntil(r, '0xx01111 xx x x xxxx xxxx x 0 xxxxx xxxxx', (w) => feat.fhm() || !isFhmElement(w)))],
  threeSameExtra: [2, (r) => one('simd three-reg extension', fill(r, '0xx01110 xx0 xxxxx 1 xxxx 1 xxxxx xxxxx'))],
  threeSameFp16: [2, (r) => one('simd three same fp16', fill(r, '0xx01110 x10 xxxxx 00 xxx 1 xxxxx xxxxx'))],
  twoRegMiscFp16: [2, (r) => one('simd two-reg misc fp16', fill(r, '0xx01110 x1111 00 xxxxx 10 xxxxx xxxxx'))],
  // Scalar forms.
  scalarCopy: [1, (r) => one('simd scalar copy', fill(r, '01x11110000 xxxxx 0 xxxx 1 xxxxx xxxxx'))],
  scalarThreeSame: [2, (r) => one('simd scalar three same', fill(r, '01x11110 xx1 xxxxx xxxxx 1 xxxxx xxxxx'))],
  scalarThreeDifferent: [1, (r) => one('simd scalar three different', fill(r, '01x11110 xx1 xxxxx xxxx 00 xxxxx xxxxx'))],
  scalarTwoRegMisc: [2, (r) => one('simd scalar two-reg misc', fill(r, '01x11110 xx10000 xxxxx 10 xxxxx xxxxx'))],
  scalarPairwise: [1, (r) => one('simd scalar pairwise', fill(r, '01x11110 xx11000 xxxxx 10 xxxxx xxxxx'))],
  scalarShiftImm: [1, (r) => one('simd scalar shift by immediate', shiftImm(r, '01x111110 xxxx xxx xxxxx 1 xxxxx xxxxx'))],
  scalarByElement: [1, (r) => one('simd scalar by element', fill(r, '01x11111 xx x x xxxx xxxx x 0 xxxxx xxxxx'))],
  scalarThreeSameExtra: [1, (r) => one('simd scalar three same extra', fill(r, '01x11110 xx0 xxxxx 1 xxxx 1 xxxxx xxxxx'))],
  scalarThreeSameFp16: [1, (r) => one('simd scalar three same fp16', fill(r, '01x11110 x10 xxxxx 00 xxx 1 xxxxx xxxxx'))],
  scalarTwoRegMiscFp16: [1, (r) => one('simd scalar two-reg misc fp16', fill(r, '01x11110 x1111 00 xxxxx 10 xxxxx xxxxx'))],
};

// ---------------------------------------------------------------------------------------------------------------
// Cryptographic extensions (AES, SHA1/SHA256, SHA512, SHA3; SM3/SM4 only if the model advertises them)

const crypto: Record<string, [number, FpGen]> = {
  aes: [1, (r) => one('crypto aes', mostly(r, fill(r, '01001110 xx 10100 xxxxx 10 xxxxx xxxxx'),
    (w) => setField(setField(w, 22, 2, 0), 12, 5, r.range(4, 7))))],
  sha3reg: [1, (r) => one('crypto sha 3-reg', mostly(r, fill(r, '01011110 xx 0 xxxxx 0 xxx 00 xxxxx xxxxx'), (w) => setField(w, 22, 2, 0)))],
  sha2reg: [1, (r) => one('crypto sha 2-reg', mostly(r, fill(r, '01011110 xx 10100 xxxxx 10 xxxxx xxxxx'),
    (w) => setField(setField(w, 22, 2, 0), 12, 5, r.below(3))))],
  // "Cryptographic three-register SHA512": O (bit 14) = 1 is SM3PARTW1/2, SM4EKEY.
  sha512: [1, (r) => one('crypto sha512 3-reg', fill(r, `11001110 011 xxxxx 1 ${feat.sm3() && feat.sm4() ? 'x' : '0'} 00 xx xxxxx xxxxx`))],
  // "Cryptographic two-register SHA512": opcode 01 is SM4E; 1x are unallocated.
  sha512two: [0.5, (r) => one('crypto sha512 2-reg',
    setField(0xcec08000, 10, 2, r.pick(feat.sm4() ? [0, 1, 2, 3] : [0, 0, 2, 3])) | r.bits(10))],
  // "Cryptographic four-register": Op0 = 00 EOR3, 01 BCAX, 10 SM3SS1, 11 unallocated.
  fourReg: [1, (r) => one('crypto 4-reg (eor3/bcax)',
    setField(fill(r, '11001110 0 xx xxxxx 0 xxxxx xxxxx xxxxx'), 21, 2, r.pick(feat.sm3() ? [0, 1, 2, 3] : [0, 1, 0, 1, 3])))],
  xar: [0.5, (r) => one('crypto xar', fill(r, '11001110 100 xxxxx xxxxxx xxxxx xxxxx'))],
  // "Cryptographic three-register, imm2" is SM3TT1A/1B/2A/2B only.
  sm3tt: [feat.sm3() ? 0.5 : 0, (r) => one('crypto sm3tt', fill(r, '11001110 010 xxxxx 10 xx xx xxxxx xxxxx'))],
};

// ---------------------------------------------------------------------------------------------------------------
// SIMD&FP loads and stores

/** An access of `span` bytes with natural alignment `align` (30% unaligned in the sandbox); the base goes in Rn. */
function access(cls: string, r: Prng, w: number, span: number, align: number, delta: number, pre: number[] = [],
  avoid: number[] = []): Item {
  const n = field(w, 5, 5);
  const t = target(r, span, align, { mayMisalign: true });
  return { cls, words: [...pre, ...setBase(r, n, BigInt.asUintN(64, t.addr - BigInt(delta)), avoid), w] };
}

/** LDR/STR (SIMD&FP) size:opc to the access size in bytes (undefined: unallocated). */
function regBytes(size: number, opc: number): number | undefined {
  if (opc < 2) return 1 << size;
  return size === 0 ? 16 : undefined;
}
/** Steer size:opc to an allocated LDR/STR (SIMD&FP) combination 90% of the time. */
function steerSizeOpc(r: Prng, w: number): number {
  if (r.chance(0.1)) return w;
  const [size, opc] = r.pick([[0, 0], [0, 1], [1, 0], [1, 1], [2, 0], [2, 1], [3, 0], [3, 1], [0, 2], [0, 3], [0, 2], [0, 3]] as const);
  return setField(setField(w, 30, 2, size), 22, 2, opc);
}
/** A small value for an index or post-index register. */
const smallIndex = (r: Prng): bigint => BigInt.asUintN(64, BigInt(r.range(-128, 128)));

const ldst: Record<string, [number, FpGen]> = {
  unsignedImm: [3, (r) => {
    let w = steerSizeOpc(r, fill(r, 'xx 111 1 01 xx xxxxxxxxxxxx xxxxx xxxxx'));
    if (r.chance(0.6)) w = setField(w, 10, 12, r.below(16));
    const bytes = regBytes(field(w, 30, 2), field(w, 22, 2)) ?? 1;
    return access('simd&fp ld/st (unsigned offset)', r, w, bytes, bytes, field(w, 10, 12) * bytes);
  }],
  imm9: [3, (r) => {
    // bits 11:10: 00 unscaled (LDUR/STUR), 01 post-index, 11 pre-index; 10 (unprivileged) is unallocated with V = 1.
    const idx = r.chance(0.05) ? 2 : r.pick([0, 1, 3]);
    const w = setField(steerSizeOpc(r, fill(r, 'xx 111 1 00 xx 0 xxxxxxxxx xx xxxxx xxxxx')), 10, 2, idx);
    const bytes = regBytes(field(w, 30, 2), field(w, 22, 2)) ?? 1;
    return access('simd&fp ld/st (imm9)', r, w, bytes, bytes, idx === 1 ? 0 : sext(field(w, 12, 9), 9));
  }],
  registerOffset: [2, (r) => {
    let w = steerSizeOpc(r, fill(r, 'xx 111 1 00 xx 1 xxxxx xxx x 10 xxxxx xxxxx'));
    if (r.chance(0.9)) w = setField(w, 13, 3, r.pick([2, 3, 6, 7]));
    const bytes = regBytes(field(w, 30, 2), field(w, 22, 2)) ?? 1;
    const n = field(w, 5, 5);
    let m = field(w, 16, 5);
    if (m === n && n !== 31) w = setField(w, 16, 5, (m = (m + 1 + r.below(30)) % 32));
    const option = field(w, 13, 3);
    const shift = field(w, 12, 1) ? Math.log2(bytes) : 0;
    let idx = r.range(-16, 16);
    if (option === 2 && idx < 0) idx = -idx; // UXTW: a non-negative index
    if (m === 31) idx = 0; // XZR
    const off = idx * 2 ** shift;
    // Garbage in the upper half of a W index register (UXTW, SXTW ignore it).
    const xm = (option & 3) === 2 ? (BigInt(r.u32()) << 32n) | BigInt.asUintN(32, BigInt(idx)) : BigInt.asUintN(64, BigInt(idx));
    return access('simd&fp ld/st (register offset)', r, w, bytes, bytes, off, m === 31 ? [] : A.mov64(m, xm), [m]);
  }],
  literal: [1, (r) => {
    const w = setField(fill(r, 'xx 011 1 00 xxxxxxxxxxxxxxxxxxx xxxxx'), 5, 19, r.range(-64, 64)); // near: code
    return one('simd&fp load (literal)', r.chance(0.95) && field(w, 30, 2) === 3 ? setField(w, 30, 2, r.below(3)) : w);
  }],
  pair: [3, (r) => {
    let w = fill(r, 'xx 101 1 0xx x xxxxxxx xxxxx xxxxx xxxxx'); // bits 25:23: 000 LDNP/STNP, 001 post, 010 offset, 011 pre
    if (field(w, 30, 2) === 3 && r.chance(0.9)) w = setField(w, 30, 2, r.below(3));
    if (r.chance(0.6)) w = setField(w, 15, 7, r.range(-4, 4));
    const bytes = 4 << Math.min(2, field(w, 30, 2));
    const mode = field(w, 23, 2);
    return access('simd&fp ld/st pair', r, w, 2 * bytes, bytes, mode === 1 ? 0 : sext(field(w, 15, 7), 7) * bytes);
  }],
  multiple: [3, (r) => {
    const post = r.chance(0.5);
    let w = fill(r, post ? '0x 0011001 x 0 xxxxx xxxx xx xxxxx xxxxx' : '0x 0011000 x 000000 xxxx xx xxxxx xxxxx');
    // opcode (15:12): 0000 LD4/ST4, 0010 LD1/ST1 x4, 0100 LD3, 0110 x3, 0111 x1, 1000 LD2, 1010 x2.
    if (r.chance(0.9)) w = setField(w, 12, 4, r.pick([0, 2, 4, 6, 7, 8, 10]));
    const regs = ({ 0: 4, 2: 4, 4: 3, 6: 3, 7: 1, 8: 2, 10: 2 } as Record<number, number>)[field(w, 12, 4)] ?? 1;
    return structure(r, post, w, regs * (field(w, 30, 1) ? 16 : 8), 1 << field(w, 10, 2), 'simd ld/st multiple structures');
  }],
  single: [3, (r) => {
    const post = r.chance(0.5);
    let w = fill(r, post ? '0x 0011011 x x xxxxx xxx x xx xxxxx xxxxx' : '0x 0011010 x x 00000 xxx x xx xxxxx xxxxx');
    // opcode (15:13) 000 B, 010 H, 100 S or D, 110 LDnR (replicate); bit 13 and R (21) give the element count.
    const kind = r.chance(0.9) ? r.pick(['b', 'h', 's', 'd', 'r'] as const) : 'raw';
    const b13 = field(w, 13, 1);
    if (kind === 'b') w = setField(w, 14, 2, 0b00);
    if (kind === 'h') w = setField(setField(w, 14, 2, 0b01), 10, 1, 0);
    if (kind === 's') w = setField(setField(w, 14, 2, 0b10), 10, 2, 0);
    if (kind === 'd') w = setField(setField(setField(w, 14, 2, 0b10), 10, 2, 1), 12, 1, 0);
    if (kind === 'r') w = setField(setField(setField(w, 14, 2, 0b11), 22, 1, 1), 12, 1, 0);
    const selem = (b13 << 1 | field(w, 21, 1)) + 1;
    const op = field(w, 14, 2);
    const esize = op === 0 ? 1 : op === 1 ? 2 : op === 2 ? (field(w, 10, 1) ? 8 : 4) : 1 << field(w, 10, 2);
    return structure(r, post, w, selem * esize, esize, 'simd ld/st single structure');
  }],
};

/** LD1-4/ST1-4/LDnR: base in Rn; post-index by Rm (an index value) or, Rm = 31, by the transfer size. */
function structure(r: Prng, post: boolean, w: number, span: number, align: number, cls: string): Item {
  const n = field(w, 5, 5);
  const m = field(w, 16, 5);
  const pre = post && m !== 31 && m !== n ? A.mov64(m, smallIndex(r)) : [];
  return access(cls, r, w, span, align, 0, pre, post ? [m] : []);
}

// ---------------------------------------------------------------------------------------------------------------
// FPCR/FPSR, and FP results flowing into integer code

const flow: Record<string, [number, FpGen]> = {
  fpcr: [2, (r) => {
    const reg = r.pick([A.REG.FPCR, A.REG.FPSR]);
    if (r.chance(0.4)) return one('mrs fpcr/fpsr', A.mrs(r.below(32), reg));
    // MSR only with a value within the bits the model implements (FPCR: not FEAT_AFP/EBF16's bits, see fp-values.ts).
    const t = r.below(32);
    const value = reg === A.REG.FPCR ? fpcrValue(r) : (r.u32() & FPSR_FUZZ_MASK) >>> 0;
    return { cls: 'msr fpcr/fpsr', words: t === 31 ? [A.msr(reg, 31)] : [...A.mov64(t, BigInt(value)), A.msr(reg, t)] };
  }],
  fcmpBranch: [2, (r, here, count) => ({
    cls: 'fcmp + b.cond',
    words: [fcmp(r), (0x54000000 | r.below(16)) >>> 0],
    branch: { at: 1, field: 'imm19', target: r.range(here + 1, count) },
  })],
  fcmpCsel: [2, (r) => ({ cls: 'fcmp + csel', words: [fcmp(r), fill(r, 'x0011010100 xxxxx xxxx 0x xxxxx xxxxx')] })],
};

/** FCMP/FCMPE (register or #0.0), half, single or double. */
const fcmp = (r: Prng): number =>
  setField(fill(r, '00011110 xx1 xxxxx 001000 xxxxx xx000'), 22, 2, r.pick([0, 1, 3]));

/** Every SIMD&FP item generator with its relative weight. */
export const FP_ITEMS: readonly (readonly [number, FpGen])[] = [
  ...Object.values(scalarFp), ...Object.values(advsimd), ...Object.values(crypto), ...Object.values(ldst),
  ...Object.values(flow),
];
