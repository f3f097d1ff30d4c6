/**
 * AdvSIMD two-register miscellaneous and AdvSIMD scalar two-register miscellaneous, integer forms (Arm ARM C4.1.96):
 * `0 Q U 01110 size 10000 opcode 10 Rn Rd` and `01 U 11110 size 10000 opcode 10 Rn Rd`. The floating-point opcodes
 * (01100-01111 with size<1> = 1, 10110-11111) are not here, nor URECPE/URSQRTE (11100), which are integer estimates
 * in the floating-point library's area. Across-lanes reductions are in simd-across-lanes.ts.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { bits, commit, flushQc, lanes, rd, rn, satS, satU, TMP } from './simd-int-common.js';
import { absNeg64, accumulateOther, accumulateOther64, type BigOp, type NumOp } from './simd-int-lane-ops.js';
import { loop2, loop2Big, loop2Mixed } from './simd-int-loops.js';

const POPCOUNT = new Uint8Array(256).map((_, i) => i.toString(2).replace(/0/g, '').length);
const REVERSED = new Uint8Array(256).map((_, i) => parseInt(i.toString(2).padStart(8, '0').split('').reverse().join(''), 2));

/** Element-wise Number ops by name (size given): `a` is Vn's lane, `d` Vd's. */
const NUM1: Record<string, (size: number) => NumOp> = {
  cls: (size) => {
    const n = 8 << size;
    return (a) => Math.clz32(((a ^ (a >> 1)) >>> 0) & (n === 32 ? 0xffff_ffff : (1 << n) - 1)) - (32 - n) - 1;
  },
  clz: (size) => (a) => Math.clz32(a) - (32 - (8 << size)),
  cnt: () => (a) => POPCOUNT[a]!,
  not: () => (a) => ~a,
  rbit: () => (a) => REVERSED[a]!,
  sqabs: (size) => (a) => satS(Math.abs(a), size),
  sqneg: (size) => (a) => satS(-a, size),
  abs: () => (a) => Math.abs(a),
  neg: () => (a) => -a,
  cmgt0: () => (a) => (a > 0 ? -1 : 0),
  cmge0: () => (a) => (a >= 0 ? -1 : 0),
  cmeq0: () => (a) => (a === 0 ? -1 : 0),
  cmle0: () => (a) => (a <= 0 ? -1 : 0),
  cmlt0: () => (a) => (a < 0 ? -1 : 0),
};

/** The same on 64-bit lanes (signed views). */
const BIG1: Record<string, BigOp> = {
  sqabs: (a) => absNeg64(a, false, true),
  sqneg: (a) => absNeg64(a, true, true),
  abs: (a) => absNeg64(a, false, false),
  neg: (a) => -a,
  cmgt0: (a) => (a > 0n ? -1n : 0n),
  cmge0: (a) => (a >= 0n ? -1n : 0n),
  cmeq0: (a) => (a === 0n ? -1n : 0n),
  cmle0: (a) => (a <= 0n ? -1n : 0n),
  cmlt0: (a) => (a < 0n ? -1n : 0n),
};

/** An element-wise form; q = -1 for scalar. */
function unary(op: string, size: number, unsigned: boolean, q: number): Handler {
  if (size === 3) return loop2Big(false, q < 0 ? 0 : q, BIG1[op]!);
  return loop2(size, unsigned, q, NUM1[op]!(size));
}

/** SUQADD (Vd signed += Vn unsigned) and USQADD (Vd unsigned += Vn signed), saturating to Vd's signedness. */
function accumulate(size: number, unsignedD: boolean, q: number): Handler {
  if (size === 3) {
    return loop2Big(!unsignedD, q < 0 ? 0 : q, (a, _b, d) => accumulateOther64(a, d, unsignedD), 0n, unsignedD);
  }
  return loop2Mixed(size, !unsignedD, q, (a, _b, d) => accumulateOther(a, d, size, unsignedD));
}

/** REV16/REV32/REV64: reverse the 2^size-byte elements within containers of `container` bytes. */
function rev(size: number, container: number, q: number): Handler {
  const bytes = q ? 16 : 8;
  const esize = 1 << size;
  return (cpu, insn) => {
    const v = cpu.vr.u8;
    const n = rn(insn) * 16;
    const t = TMP.u8;
    for (let i = 0; i < bytes; i++) {
      const base = i - (i % container);
      const inC = i % container;
      const elem = Math.floor(inC / esize);
      const src = base + (container / esize - 1 - elem) * esize + (inC % esize);
      t[i] = v[n + src]!;
    }
    commit(cpu.vr, rd(insn), 0, 0, bytes, true);
  };
}

/** SADDLP/UADDLP (acc = false) and SADALP/UADALP: adjacent lane pairs summed into lanes of twice the size. */
function addlp(size: number, unsigned: boolean, q: number, acc: boolean): Handler {
  const count = (q ? 8 : 4) >> size;
  const per = 16 >> size;
  if (size === 2) {
    return (cpu, insn) => {
      const vr = cpu.vr;
      const v = lanes(vr, 2, !unsigned);
      const w = vr.u64;
      const n = rn(insn) * per;
      const d = rd(insn) * 2;
      for (let e = 0; e < count; e++) {
        const s = BigInt(v[n + 2 * e]! + v[n + 2 * e + 1]!);
        TMP.u64[e] = acc ? w[d + e]! + s : s;
      }
      commit(vr, rd(insn), 0, 0, q ? 16 : 8, true);
    };
  }
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const w = lanes(vr, size + 1, false);
    const t = lanes(TMP, size + 1, false);
    const n = rn(insn) * per;
    const d = rd(insn) * (per >> 1);
    for (let e = 0; e < count; e++) t[e] = v[n + 2 * e]! + v[n + 2 * e + 1]! + (acc ? w[d + e]! : 0);
    commit(vr, rd(insn), 0, 0, q ? 16 : 8, true);
  };
}

/** Narrowing kinds: XTN (truncate), SQXTN, UQXTN, SQXTUN (signed source, unsigned saturation). */
const enum Narrow { Xtn, Sqxtn, Uqxtn, Sqxtun }

/**
 * XTN/SQXTN/UQXTN/SQXTUN: lanes of 2^(size+1) bytes narrowed to 2^size; the vector forms write the half of Vd that q
 * selects (the "2" variants keep the lower half), the scalar forms (q = -1) one lane.
 */
function narrow(size: number, kind: Narrow, q: number): Handler {
  const count = q < 0 ? 1 : 8 >> size;
  const srcSigned = kind === Narrow.Sqxtn || kind === Narrow.Sqxtun;
  const f = (a: number): number => {
    switch (kind) {
      case Narrow.Xtn: return a;
      case Narrow.Sqxtn: return satS(a, size);
      default: return satU(a, size);
    }
  };
  return (cpu, insn) => {
    const vr = cpu.vr;
    const t = lanes(TMP, size, false);
    const n = rn(insn);
    if (size === 2) {
      const w = srcSigned ? vr.i64 : vr.u64;
      for (let e = 0; e < count; e++) {
        const a = w[n * 2 + e]!;
        // Saturating: clamp in BigInt first so the Number conversion is exact.
        const lim = a > 0x1_0000_0000n ? 0x1_0000_0000n : a < -0x1_0000_0000n ? -0x1_0000_0000n : a;
        t[e] = f(kind === Narrow.Xtn ? Number(BigInt.asUintN(32, a)) : Number(lim));
      }
    } else {
      const w = lanes(vr, size + 1, srcSigned);
      const per = 8 >> size;
      for (let e = 0; e < count; e++) t[e] = f(w[n * per + e]!);
    }
    if (q < 0) {
      commit(vr, rd(insn), 0, 0, 4, true);
      clearScalar(vr.u32, rd(insn), size);
    } else {
      commit(vr, rd(insn), 0, q * 8, 8, q === 0);
    }
    flushQc(cpu);
  };
}

/** Clear a scalar B or H result's bytes above its size within the first word (commit wrote the whole word). */
function clearScalar(u32: Uint32Array, d: number, size: number): void {
  if (size < 2) u32[d * 4] = u32[d * 4]! & (size === 0 ? 0xff : 0xffff);
}

/** SHLL/SHLL2: the half of Vn that q selects, widened and shifted left by the element size. */
function shll(size: number, q: number): Handler {
  const count = 8 >> size;
  const esize = 8 << size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, false);
    const n = rn(insn) * (16 >> size) + q * count;
    if (size === 2) {
      for (let e = 0; e < 2; e++) TMP.u64[e] = BigInt(v[n + e]!) << 32n;
    } else {
      const t = lanes(TMP, size + 1, false);
      for (let e = 0; e < count; e++) t[e] = v[n + e]! * 2 ** esize;
    }
    commit(vr, rd(insn), 0, 0, 16, false);
  };
}

const vec = (q: number, u: number, size: number, opcode: number): string =>
  `0${q}${u}01110 ${bits(size, 2)}10000 ${bits(opcode, 5)}10 xxxxx xxxxx`;
const scalar = (u: number, size: number, opcode: number): string =>
  `01${u}11110 ${bits(size, 2)}10000 ${bits(opcode, 5)}10 xxxxx xxxxx`;

/** [name, U, opcode, op, sizes] of the element-wise forms; size 3 only with Q = 1. */
const UNARY: readonly [string, number, number, string, readonly number[]][] = [
  ['CLS', 0, 0b00100, 'cls', [0, 1, 2]], ['CLZ', 1, 0b00100, 'clz', [0, 1, 2]],
  ['CNT', 0, 0b00101, 'cnt', [0]], ['NOT', 1, 0b00101, 'not', [0]], ['RBIT', 1, 0b00101, 'rbit', [1]],
  ['SQABS', 0, 0b00111, 'sqabs', [0, 1, 2, 3]], ['SQNEG', 1, 0b00111, 'sqneg', [0, 1, 2, 3]],
  ['CMGT (zero)', 0, 0b01000, 'cmgt0', [0, 1, 2, 3]], ['CMGE (zero)', 1, 0b01000, 'cmge0', [0, 1, 2, 3]],
  ['CMEQ (zero)', 0, 0b01001, 'cmeq0', [0, 1, 2, 3]], ['CMLE (zero)', 1, 0b01001, 'cmle0', [0, 1, 2, 3]],
  ['CMLT (zero)', 0, 0b01010, 'cmlt0', [0, 1, 2, 3]],
  ['ABS', 0, 0b01011, 'abs', [0, 1, 2, 3]], ['NEG', 1, 0b01011, 'neg', [0, 1, 2, 3]],
];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const q of [0, 1]) {
    for (const [name, u, opcode, op, sizes] of UNARY) {
      for (const size of sizes) {
        if (size === 3 && q === 0) continue;
        // RBIT's size field is 01 but it works on bytes.
        const lane = op === 'rbit' ? 0 : size;
        rows.push(fpRow(name, vec(q, u, size, opcode), unary(op, lane, op === 'clz' || op === 'cnt' || op === 'rbit', q)));
      }
    }
    for (const size of [0, 1, 2, 3]) {
      if (size === 3 && q === 0) continue;
      rows.push(fpRow('SUQADD', vec(q, 0, size, 0b00011), accumulate(size, false, q)));
      rows.push(fpRow('USQADD', vec(q, 1, size, 0b00011), accumulate(size, true, q)));
      if (size === 3) continue;
      rows.push(fpRow('REV64', vec(q, 0, size, 0b00000), rev(size, 8, q)));
      if (size < 2) rows.push(fpRow('REV32', vec(q, 1, size, 0b00000), rev(size, 4, q)));
      if (size === 0) rows.push(fpRow('REV16', vec(q, 0, size, 0b00001), rev(size, 2, q)));
      rows.push(fpRow('SADDLP', vec(q, 0, size, 0b00010), addlp(size, false, q, false)));
      rows.push(fpRow('UADDLP', vec(q, 1, size, 0b00010), addlp(size, true, q, false)));
      rows.push(fpRow('SADALP', vec(q, 0, size, 0b00110), addlp(size, false, q, true)));
      rows.push(fpRow('UADALP', vec(q, 1, size, 0b00110), addlp(size, true, q, true)));
      rows.push(fpRow('XTN', vec(q, 0, size, 0b10010), narrow(size, Narrow.Xtn, q)));
      rows.push(fpRow('SQXTUN', vec(q, 1, size, 0b10010), narrow(size, Narrow.Sqxtun, q)));
      rows.push(fpRow('SHLL', vec(q, 1, size, 0b10011), shll(size, q)));
      rows.push(fpRow('SQXTN', vec(q, 0, size, 0b10100), narrow(size, Narrow.Sqxtn, q)));
      rows.push(fpRow('UQXTN', vec(q, 1, size, 0b10100), narrow(size, Narrow.Uqxtn, q)));
    }
  }
  for (const size of [0, 1, 2, 3]) {
    rows.push(fpRow('SUQADD (scalar)', scalar(0, size, 0b00011), accumulate(size, false, -1)));
    rows.push(fpRow('USQADD (scalar)', scalar(1, size, 0b00011), accumulate(size, true, -1)));
    rows.push(fpRow('SQABS (scalar)', scalar(0, size, 0b00111), unary('sqabs', size, false, -1)));
    rows.push(fpRow('SQNEG (scalar)', scalar(1, size, 0b00111), unary('sqneg', size, false, -1)));
    if (size === 3) continue;
    rows.push(fpRow('SQXTUN (scalar)', scalar(1, size, 0b10010), narrow(size, Narrow.Sqxtun, -1)));
    rows.push(fpRow('SQXTN (scalar)', scalar(0, size, 0b10100), narrow(size, Narrow.Sqxtn, -1)));
    rows.push(fpRow('UQXTN (scalar)', scalar(1, size, 0b10100), narrow(size, Narrow.Uqxtn, -1)));
  }
  for (const [name, u, opcode, op] of UNARY) {
    if (opcode >= 0b01000) rows.push(fpRow(`${name} (scalar)`, scalar(u, 3, opcode), unary(op, 3, false, -1)));
  }
  return rows;
}

/** The rows of AdvSIMD (scalar) two-register miscellaneous, integer. */
export const SIMD_TWO_MISC: readonly EncodingRow[] = buildRows();
