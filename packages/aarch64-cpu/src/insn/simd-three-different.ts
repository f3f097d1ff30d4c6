/**
 * AdvSIMD three different and AdvSIMD scalar three different (Arm ARM C4.1.96): `0 Q U 01110 size 1 Rm opcode 00 Rn
 * Rd`. Long forms (SADDL, SABAL, SMLAL, SQDMULL, PMULL, ...) read the lower (Q = 0) or upper (Q = 1, the "2"
 * variants) halves of their narrow sources and write 128-bit results of double-width lanes; wide forms (SADDW, SSUBW)
 * take Vn already wide; narrowing forms (ADDHN, RSUBHN, ...) write the high halves of wide sums into the lower half
 * of Vd (clearing the upper) or, for the "2" variants, into the upper half (keeping the lower).
 *
 * Results are built in the scratch register (simd-int-common.ts TMP) since Vd may be a source. Wide lanes of 64
 * bits (size = 10) are BigInts; narrower ones Numbers.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import {
  bits, commit, flushQc, lanes, mulHi, pmul32, rd, rm, rn, satS, satS64, TMP,
} from './simd-int-common.js';

/** The long and wide operations: (a, b, d) with a and b already widened, d the wide destination lane. */
export type LongNum = (a: number, b: number, d: number, size: number) => number;
export type LongBig = (a: bigint, b: bigint, d: bigint) => bigint;

export interface LongOp {
  readonly num: LongNum;
  readonly big: LongBig;
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/** Doubling product 2ab saturated to the wide lane (Number wide lanes: 16 and 32 bits). */
const dmull = (a: number, b: number, size: number): number => satS(2 * a * b, size + 1);
const dmullBig = (a: bigint, b: bigint): bigint => satS64(2n * a * b);

export const LONG: Record<string, LongOp> = {
  addl: { num: (a, b) => a + b, big: (a, b) => a + b },
  subl: { num: (a, b) => a - b, big: (a, b) => a - b },
  abal: { num: (a, b, d) => d + Math.abs(a - b), big: (a, b, d) => d + abs(a - b) },
  abdl: { num: (a, b) => Math.abs(a - b), big: (a, b) => abs(a - b) },
  mlal: { num: (a, b, d) => d + a * b, big: (a, b, d) => d + a * b },
  mlsl: { num: (a, b, d) => d - a * b, big: (a, b, d) => d - a * b },
  mull: { num: (a, b) => a * b, big: (a, b) => a * b },
  qdmlal: { num: (a, b, d, s) => satS(d + dmull(a, b, s), s + 1), big: (a, b, d) => satS64(d + dmullBig(a, b)) },
  qdmlsl: { num: (a, b, d, s) => satS(d - dmull(a, b, s), s + 1), big: (a, b, d) => satS64(d - dmullBig(a, b)) },
  qdmull: { num: (a, b, _d, s) => dmull(a, b, s), big: (a, b) => dmullBig(a, b) },
};

/**
 * A long (wideN = false) or wide (wideN = true: Vn is already wide) form: lanes of 2^size bytes from the half of Vn
 * and Vm that `q` selects, results of 2^(size+1) bytes. `count` = 8 >> size results, all 128 bits of Vd.
 */
function long(op: LongOp, size: number, unsigned: boolean, q: number, wideN: boolean): Handler {
  const count = 8 >> size;
  const per = 16 >> size;
  const off = q * count;
  if (size === 2) {
    const f = op.big;
    return (cpu, insn) => {
      const vr = cpu.vr;
      const v = lanes(vr, 2, !unsigned);
      const w = unsigned ? vr.u64 : vr.i64;
      const n = rn(insn);
      const m = rm(insn) * per + off;
      const d = rd(insn) * 2;
      const t = unsigned ? TMP.u64 : TMP.i64;
      for (let e = 0; e < 2; e++) {
        const a = wideN ? w[n * 2 + e]! : BigInt(v[n * per + off + e]!);
        t[e] = f(a, BigInt(v[m + e]!), w[d + e]!);
      }
      commit(vr, rd(insn), 0, 0, 16, false);
      flushQc(cpu);
    };
  }
  const f = op.num;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const w = lanes(vr, size + 1, !unsigned);
    const t = lanes(TMP, size + 1, !unsigned);
    const n = rn(insn);
    const m = rm(insn) * per + off;
    const d = rd(insn) * count;
    for (let e = 0; e < count; e++) {
      const a = wideN ? w[n * count + e]! : v[n * per + off + e]!;
      t[e] = f(a, v[m + e]!, w[d + e]!, size);
    }
    commit(vr, rd(insn), 0, 0, 16, false);
    flushQc(cpu);
  };
}

/** ADDHN/SUBHN/RADDHN/RSUBHN: the high half of each wide sum or difference, into the half of Vd that q selects. */
function highNarrow(size: number, q: number, sub: boolean, round: boolean): Handler {
  const count = 8 >> size;
  if (size === 2) {
    const r = round ? 1n << 31n : 0n;
    return (cpu, insn) => {
      const vr = cpu.vr;
      const w = vr.u64;
      const n = rn(insn) * 2;
      const m = rm(insn) * 2;
      for (let e = 0; e < 2; e++) {
        const s = sub ? w[n + e]! - w[m + e]! : w[n + e]! + w[m + e]!;
        TMP.u32[e] = Number(BigInt.asUintN(64, s + r) >> 32n);
      }
      commit(vr, rd(insn), 0, q * 8, 8, q === 0);
    };
  }
  const half = 8 << size;
  const scale = 2 ** half;
  const r = round ? scale / 2 : 0;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const w = lanes(vr, size + 1, false);
    const t = lanes(TMP, size, false);
    const n = rn(insn) * count;
    const m = rm(insn) * count;
    for (let e = 0; e < count; e++) {
      const s = sub ? w[n + e]! - w[m + e]! : w[n + e]! + w[m + e]!;
      t[e] = Math.floor((s + r) / scale);
    }
    commit(vr, rd(insn), 0, q * 8, 8, q === 0);
  };
}

/** PMULL/PMULL2: 8 polynomial products of bytes into halfwords (size 00), or one 64x64 into 128 bits (size 11). */
function pmull(size: number, q: number): Handler {
  if (size === 0) {
    return (cpu, insn) => {
      const v = cpu.vr.u8;
      const n = rn(insn) * 16 + q * 8;
      const m = rm(insn) * 16 + q * 8;
      for (let e = 0; e < 8; e++) TMP.u16[e] = pmul32(v[n + e]!, v[m + e]!);
      commit(cpu.vr, rd(insn), 0, 0, 16, false);
    };
  }
  return (cpu, insn) => {
    const v = cpu.vr.u32;
    const n = rn(insn) * 4 + q * 2;
    const m = rm(insn) * 4 + q * 2;
    const [a0, a1, b0, b1] = [v[n]!, v[n + 1]!, v[m]!, v[m + 1]!];
    // (a1:a0) x (b1:b0) = a0b0 ^ (a0b1 ^ a1b0) << 32 ^ a1b1 << 64, each partial product 64 bits (lo, mulHi).
    const t = TMP.u32;
    t[0] = pmul32(a0, b0);
    t[1] = mulHi;
    t[2] = pmul32(a1, b1);
    t[3] = mulHi;
    t[1] ^= pmul32(a0, b1);
    t[2] ^= mulHi;
    t[1] ^= pmul32(a1, b0);
    t[2] ^= mulHi;
    commit(cpu.vr, rd(insn), 0, 0, 16, false);
  };
}

const vec = (q: number, u: number, size: number, opcode: number): string =>
  `0${q}${u}01110 ${bits(size, 2)}1 xxxxx ${bits(opcode, 4)}00 xxxxx xxxxx`;
const scalarPat = (size: number, opcode: number): string =>
  `01011110 ${bits(size, 2)}1 xxxxx ${bits(opcode, 4)}00 xxxxx xxxxx`;

/** [name, U, opcode, op, wideN] of the long and wide forms allowed at sizes B, H, S. */
const LONG_FORMS: readonly [string, number, number, string, boolean][] = [
  ['SADDL', 0, 0b0000, 'addl', false], ['UADDL', 1, 0b0000, 'addl', false],
  ['SADDW', 0, 0b0001, 'addl', true], ['UADDW', 1, 0b0001, 'addl', true],
  ['SSUBL', 0, 0b0010, 'subl', false], ['USUBL', 1, 0b0010, 'subl', false],
  ['SSUBW', 0, 0b0011, 'subl', true], ['USUBW', 1, 0b0011, 'subl', true],
  ['SABAL', 0, 0b0101, 'abal', false], ['UABAL', 1, 0b0101, 'abal', false],
  ['SABDL', 0, 0b0111, 'abdl', false], ['UABDL', 1, 0b0111, 'abdl', false],
  ['SMLAL', 0, 0b1000, 'mlal', false], ['UMLAL', 1, 0b1000, 'mlal', false],
  ['SMLSL', 0, 0b1010, 'mlsl', false], ['UMLSL', 1, 0b1010, 'mlsl', false],
  ['SMULL', 0, 0b1100, 'mull', false], ['UMULL', 1, 0b1100, 'mull', false],
];

/** The saturating doubling forms (H and S only; U = 0). */
const QDM_FORMS: readonly [string, number, string][] = [
  ['SQDMLAL', 0b1001, 'qdmlal'], ['SQDMLSL', 0b1011, 'qdmlsl'], ['SQDMULL', 0b1101, 'qdmull'],
];

/** Scalar SQDMLAL/SQDMLSL/SQDMULL: lane 0 of Vn and Vm (H or S), Vd written as a scalar of twice the size. */
function scalarLong(op: LongOp, size: number): Handler {
  if (size === 2) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const d = rd(insn);
      vr.i64[d * 2] = op.big(BigInt(vr.i32[rn(insn) * 4]!), BigInt(vr.i32[rm(insn) * 4]!), vr.i64[d * 2]!);
      clearAbove(vr, d, 8);
      flushQc(cpu);
    };
  }
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    vr.i32[d * 4] = op.num(vr.i16[rn(insn) * 8]!, vr.i16[rm(insn) * 8]!, vr.i32[d * 4]!, 1);
    clearAbove(vr, d, 4);
    flushQc(cpu);
  };
}

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const q of [0, 1]) {
    for (const size of [0, 1, 2]) {
      for (const [name, u, opcode, op, wideN] of LONG_FORMS) {
        rows.push(fpRow(name, vec(q, u, size, opcode), long(LONG[op]!, size, u === 1, q, wideN)));
      }
      rows.push(fpRow('ADDHN', vec(q, 0, size, 0b0100), highNarrow(size, q, false, false)));
      rows.push(fpRow('RADDHN', vec(q, 1, size, 0b0100), highNarrow(size, q, false, true)));
      rows.push(fpRow('SUBHN', vec(q, 0, size, 0b0110), highNarrow(size, q, true, false)));
      rows.push(fpRow('RSUBHN', vec(q, 1, size, 0b0110), highNarrow(size, q, true, true)));
      if (size !== 0) {
        for (const [name, opcode, op] of QDM_FORMS) rows.push(fpRow(name, vec(q, 0, size, opcode), long(LONG[op]!, size, false, q, false)));
      }
    }
    rows.push(fpRow('PMULL', vec(q, 0, 0, 0b1110), pmull(0, q)));
    rows.push(fpRow('PMULL (64-bit)', vec(q, 0, 3, 0b1110), pmull(3, q)));
  }
  for (const size of [1, 2]) {
    for (const [name, opcode, op] of QDM_FORMS) rows.push(fpRow(`${name} (scalar)`, scalarPat(size, opcode), scalarLong(LONG[op]!, size)));
  }
  return rows;
}

/** The rows of AdvSIMD (scalar) three different. */
export const SIMD_THREE_DIFFERENT: readonly EncodingRow[] = buildRows();
