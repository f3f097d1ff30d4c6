/**
 * AdvSIMD shift by immediate and AdvSIMD scalar shift by immediate (Arm ARM C4.1.96): `0 Q U 011110 immh immb opcode
 * 1 Rn Rd` (immh != 0; immh = 0 is modified immediate) and `01 U 111110 immh immb opcode 1 Rn Rd`. The element size
 * is 8 << HighestSetBit(immh); right shifts are by 2 * esize - immh:immb (1..esize), left shifts by
 * immh:immb - esize (0..esize-1). Rows are per (opcode, U, immh class, Q), so reserved combinations (immh = 1xxx with
 * Q = 0, or for the narrowing and long forms; scalar forms other than 64-bit where only 64-bit is allowed) match no
 * row. The fixed-point conversions (SCVTF, UCVTF, FCVTZS, FCVTZU by immediate) are floating point and not here.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { commit, flushQc, lanes, POW2, rd, rn, sat, sat64, satU, satU64, TMP } from './simd-int-common.js';

/** A right or left shift of one lane by `sh`, with Vd's old lane `d`. */
type ShiftNum = (a: number, sh: number, d: number, size: number) => number;
type ShiftBig = (a: bigint, sh: bigint, d: bigint) => bigint;

/** 2^n, 0 <= n <= 128. */
const p2 = (n: number): number => POW2[n]!;
const rshift = (a: number, sh: number, round: boolean): number => Math.floor((a + (round ? p2(sh - 1) : 0)) / p2(sh));
const rshiftBig = (a: bigint, sh: bigint, round: boolean): bigint => (a + (round ? 1n << (sh - 1n) : 0n)) >> sh;

interface ShiftOp {
  readonly num: ShiftNum;
  readonly big: ShiftBig;
  /** The operands are read unsigned (the U forms, and SRI/SLI which insert bits). */
  readonly unsigned?: boolean;
  readonly right: boolean;
}

const OPS: Record<string, (u: boolean) => ShiftOp> = {
  shr: () => ({ right: true, num: (a, s) => rshift(a, s, false), big: (a, s) => rshiftBig(a, s, false) }),
  sra: () => ({ right: true, num: (a, s, d) => d + rshift(a, s, false), big: (a, s, d) => d + rshiftBig(a, s, false) }),
  rshr: () => ({ right: true, num: (a, s) => rshift(a, s, true), big: (a, s) => rshiftBig(a, s, true) }),
  rsra: () => ({ right: true, num: (a, s, d) => d + rshift(a, s, true), big: (a, s, d) => d + rshiftBig(a, s, true) }),
  sri: () => ({
    right: true, unsigned: true,
    num: (a, s, d, size) => d - (d % p2((8 << size) - s)) + Math.floor(a / p2(s)),
    big: (a, s, d) => (s === 64n ? d : ((d >> (64n - s)) << (64n - s)) | (a >> s)),
  }),
  shl: () => ({ right: false, num: (a, s) => a * p2(s), big: (a, s) => a << s }),
  sli: () => ({
    right: false, unsigned: true,
    num: (a, s, d, size) => ((a * p2(s)) % p2(8 << size)) + (d % p2(s)),
    big: (a, s, d) => (a << s) | (d & ((1n << s) - 1n)),
  }),
  qshl: (u) => ({ right: false, num: (a, s, _d, size) => sat(a * p2(s), size, u), big: (a, s) => sat64(a << s, u) }),
  qshlu: () => ({ right: false, num: (a, s, _d, size) => satU(a * p2(s), size), big: (a, s) => satU64(a << s) }),
};

/** Shift amount from immh:immb for element size `esize` bits. */
const amount = (insn: number, esize: number, right: boolean): number => {
  const immhb = (insn >>> 16) & 0x7f;
  return right ? 2 * esize - immhb : immhb - esize;
};

/** An element-wise shift; q = -1 for scalar. `dUnsigned` reads and writes Vd unsigned (SQSHLU). */
function elementwise(op: ShiftOp, size: number, unsigned: boolean, q: number): Handler {
  const esize = 8 << size;
  const right = op.right;
  if (size === 3) {
    const f = op.big;
    const count = q === 1 ? 2 : 1;
    return (cpu, insn) => {
      const vr = cpu.vr;
      const v = unsigned ? vr.u64 : vr.i64;
      const sh = BigInt(amount(insn, 64, right));
      const d = rd(insn) * 2;
      const n = rn(insn) * 2;
      for (let e = 0; e < count; e++) v[d + e] = f(v[n + e]!, sh, v[d + e]!);
      if (count === 1) clearAbove(vr, rd(insn), 8);
      flushQc(cpu);
    };
  }
  const count = q < 0 ? 1 : (q ? 16 : 8) >> size;
  const bytes = q < 0 ? 1 << size : q ? 16 : 8;
  const per = 16 >> size;
  const f = op.num;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const w = lanes(vr, size, !(unsigned || op.unsigned === true));
    const sh = amount(insn, esize, right);
    const d = rd(insn) * per;
    const n = rn(insn) * per;
    for (let e = 0; e < count; e++) w[d + e] = f(v[n + e]!, sh, w[d + e]!, size);
    if (bytes < 16) clearAbove(vr, rd(insn), bytes);
    flushQc(cpu);
  };
}

/** Narrowing kinds: plain (truncate), or saturating to the destination's signedness. */
const enum Narrow { Trunc, SatS, SatU }

/**
 * SHRN/RSHRN and the saturating SQSHRN/UQSHRN/SQRSHRN/UQRSHRN/SQSHRUN/SQRSHRUN: lanes of 2^(size+1) bytes shifted
 * right and narrowed to 2^size, into the half of Vd q selects (q = -1: a scalar of 2^size bytes).
 */
function shiftNarrow(size: number, srcSigned: boolean, kind: Narrow, round: boolean, q: number): Handler {
  const esize = 8 << size;
  const count = q < 0 ? 1 : 8 >> size;
  const per = 8 >> size;
  const finish = (r: number): number => (kind === Narrow.Trunc ? r : sat(r, size, kind === Narrow.SatU));
  return (cpu, insn) => {
    const vr = cpu.vr;
    const sh = amount(insn, esize, true);
    const t = lanes(TMP, size, false);
    const n = rn(insn);
    if (size === 2) {
      const w = srcSigned ? vr.i64 : vr.u64;
      const bsh = BigInt(sh);
      for (let e = 0; e < count; e++) {
        const r = rshiftBig(w[n * 2 + e]!, bsh, round);
        // Clamp before converting so the Number is exact; the clamp is beyond every saturation bound.
        const c = kind === Narrow.Trunc ? BigInt.asUintN(32, r) : r > 1n << 33n ? 1n << 33n : r < -(1n << 33n) ? -(1n << 33n) : r;
        t[e] = finish(Number(c));
      }
    } else {
      const w = lanes(vr, size + 1, srcSigned);
      for (let e = 0; e < count; e++) t[e] = finish(rshift(w[n * per + e]!, sh, round));
    }
    if (q < 0) {
      commit(vr, rd(insn), 0, 0, 4, true);
      if (size < 2) vr.u32[rd(insn) * 4] = vr.u32[rd(insn) * 4]! & (size === 0 ? 0xff : 0xffff);
    } else {
      commit(vr, rd(insn), 0, q * 8, 8, q === 0);
    }
    flushQc(cpu);
  };
}

/** SSHLL/USHLL (SXTL/UXTL): the half of Vn q selects, widened and shifted left by immh:immb - esize. */
function shiftLong(size: number, unsigned: boolean, q: number): Handler {
  const esize = 8 << size;
  const count = 8 >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const sh = amount(insn, esize, false);
    const n = rn(insn) * (16 >> size) + q * count;
    if (size === 2) {
      const t = unsigned ? TMP.u64 : TMP.i64;
      for (let e = 0; e < 2; e++) t[e] = BigInt(v[n + e]!) << BigInt(sh);
    } else {
      const t = lanes(TMP, size + 1, !unsigned);
      for (let e = 0; e < count; e++) t[e] = v[n + e]! * p2(sh);
    }
    commit(vr, rd(insn), 0, 0, 16, false);
  };
}

/** immh patterns for element sizes B, H, S, D. */
const IMMH = ['0001', '001x', '01xx', '1xxx'];
const vec = (q: number, u: number, size: number, opcode: number): string =>
  `0${q}${u}011110 ${IMMH[size]}xxx ${opcode.toString(2).padStart(5, '0')}1 xxxxx xxxxx`;
const scalar = (u: number, size: number, opcode: number): string =>
  `01${u}111110 ${IMMH[size]}xxx ${opcode.toString(2).padStart(5, '0')}1 xxxxx xxxxx`;

/** [name, U, opcode, op, scalar sizes] of the element-wise forms. */
const ELEMENTWISE: readonly [string, number, number, string, readonly number[]][] = [
  ['SSHR', 0, 0b00000, 'shr', [3]], ['USHR', 1, 0b00000, 'shr', [3]],
  ['SSRA', 0, 0b00010, 'sra', [3]], ['USRA', 1, 0b00010, 'sra', [3]],
  ['SRSHR', 0, 0b00100, 'rshr', [3]], ['URSHR', 1, 0b00100, 'rshr', [3]],
  ['SRSRA', 0, 0b00110, 'rsra', [3]], ['URSRA', 1, 0b00110, 'rsra', [3]],
  ['SRI', 1, 0b01000, 'sri', [3]], ['SHL', 0, 0b01010, 'shl', [3]], ['SLI', 1, 0b01010, 'sli', [3]],
  ['SQSHLU', 1, 0b01100, 'qshlu', [0, 1, 2, 3]],
  ['SQSHL (immediate)', 0, 0b01110, 'qshl', [0, 1, 2, 3]], ['UQSHL (immediate)', 1, 0b01110, 'qshl', [0, 1, 2, 3]],
];

/** [name, U, opcode, source signed, kind, rounding, has scalar form] of the narrowing forms. */
const NARROWING: readonly [string, number, number, boolean, Narrow, boolean, boolean][] = [
  ['SHRN', 0, 0b10000, false, Narrow.Trunc, false, false], ['RSHRN', 0, 0b10001, false, Narrow.Trunc, true, false],
  ['SQSHRUN', 1, 0b10000, true, Narrow.SatU, false, true], ['SQRSHRUN', 1, 0b10001, true, Narrow.SatU, true, true],
  ['SQSHRN', 0, 0b10010, true, Narrow.SatS, false, true], ['SQRSHRN', 0, 0b10011, true, Narrow.SatS, true, true],
  ['UQSHRN', 1, 0b10010, false, Narrow.SatU, false, true], ['UQRSHRN', 1, 0b10011, false, Narrow.SatU, true, true],
];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [name, u, opcode, op, scalarSizes] of ELEMENTWISE) {
    // SQSHLU reads Vn signed; the other U forms unsigned.
    const unsigned = u === 1 && op !== 'qshlu';
    const shift = OPS[op]!(unsigned);
    for (const size of [0, 1, 2, 3]) {
      for (const q of size === 3 ? [1] : [0, 1]) rows.push(fpRow(name, vec(q, u, size, opcode), elementwise(shift, size, unsigned, q)));
    }
    for (const size of scalarSizes) rows.push(fpRow(`${name} (scalar)`, scalar(u, size, opcode), elementwise(shift, size, unsigned, -1)));
  }
  for (const [name, u, opcode, srcSigned, kind, round, hasScalar] of NARROWING) {
    for (const size of [0, 1, 2]) {
      for (const q of [0, 1]) rows.push(fpRow(name, vec(q, u, size, opcode), shiftNarrow(size, srcSigned, kind, round, q)));
      if (hasScalar) rows.push(fpRow(`${name} (scalar)`, scalar(u, size, opcode), shiftNarrow(size, srcSigned, kind, round, -1)));
    }
  }
  for (const size of [0, 1, 2]) {
    for (const q of [0, 1]) {
      rows.push(fpRow('SSHLL', vec(q, 0, size, 0b10100), shiftLong(size, false, q)));
      rows.push(fpRow('USHLL', vec(q, 1, size, 0b10100), shiftLong(size, true, q)));
    }
  }
  return rows;
}

/** The rows of AdvSIMD (scalar) shift by immediate, integer. */
export const SIMD_SHIFT_IMMEDIATE: readonly EncodingRow[] = buildRows();
