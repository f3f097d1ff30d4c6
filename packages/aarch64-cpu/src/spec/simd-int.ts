/**
 * Integer AdvSIMD data processing as specifications over the two 64-bit halves of the registers (lanes packed in a
 * half: spec/simd-lanes.ts): the vector logical operations (AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF), ADD and SUB
 * (vector), CMEQ and CMTST (vector), CMEQ (zero), and the across-lanes UMAXV, UMINV, SMAXV, SMINV. Every row has
 * its Q, U and size bits fixed, as the handler rows it replaces had (one row per encoding). A 64-bit operation
 * (Q = 0) writes the top half of Vd to zero.
 */
import type { Sem } from './sem.js';
import { addLanes, laneBits, laneOf, subLanes, zeroLanes } from './simd-lanes.js';
import { insn, type AnyInsnSpec } from './spec.js';

const ALL = 0xffff_ffff_ffff_ffffn;
const bin = (v: number, w: number): string => v.toString(2).padStart(w, '0');

interface Three { readonly d: number; readonly n: number; readonly m: number }
interface Two { readonly d: number; readonly n: number }

/** Write the halves computed by `half` (each from the operands' same half) to Vd; Q = 0 clears the top half. */
function writeHalves<V, B>(s: Sem<V, B>, d: number, q: number, half: (h: 0 | 1) => V): void {
  const lo = s.let(half(0));
  const hi = q ? s.let(half(1)) : s.c(0n);
  s.vset(d, 0, lo);
  s.vset(d, 1, hi);
}

/** A three-same row `0 Q U 01110 size 1 Rm opcode 1 Rn Rd` computing each half from Vn's, Vm's and Vd's. */
function threeSame(name: string, q: number, u: number, size: number, opcode: number,
  op: <V, B>(s: Sem<V, B>, n: V, m: V, d: () => V) => V): AnyInsnSpec {
  return insn<'Rm' | 'Rn' | 'Rd', Three>(name, `0 ${q} ${u} 01110 ${bin(size, 2)} 1 Rm:5 ${bin(opcode, 5)} 1 Rn:5 Rd:5`,
    (f) => ({ d: f.Rd, n: f.Rn, m: f.Rm }),
    (s, a) => {
      s.fpCheck();
      writeHalves(s, a.d, q, (h) => op(s, s.vget(a.n, h), s.vget(a.m, h), () => s.vget(a.d, h)));
    }, { fp: true });
}

type Op3 = <V, B>(s: Sem<V, B>, n: V, m: V, d: () => V) => V;

/** AND, BIC, ORR, ORN, EOR, BSL, BIT, BIF by opc = U:size. */
const LOGICAL: readonly [string, Op3][] = [
  ['AND', (s, n, m) => s.and(n, m)],
  ['BIC', (s, n, m) => s.and(n, s.not(m, 64))],
  ['ORR', (s, n, m) => s.or(n, m)],
  ['ORN', (s, n, m) => s.or(n, s.not(m, 64))],
  ['EOR', (s, n, m) => s.xor(n, m)],
  // BSL: Vd selects Vn (1) or Vm (0); BIT: Vn inserted where Vm is 1; BIF: where Vm is 0. As m ^ (sel & (n ^ m)).
  ['BSL', (s, n, m, d) => { const y = s.let(m); return s.xor(y, s.and(d(), s.xor(n, y))); }],
  ['BIT', (s, n, m, d) => { const x = s.let(d()); return s.xor(x, s.and(m, s.xor(n, x))); }],
  ['BIF', (s, n, m, d) => { const x = s.let(d()); return s.xor(x, s.and(s.not(m, 64), s.xor(n, x))); }],
];

/** A two-register row `0 Q U 01110 size <mid> opcode 10 Rn Rd` (two-misc: mid 10000; across lanes: 11000). */
function twoReg(name: string, q: number, u: number, size: number, mid: string, opcode: number,
  exec: <V, B>(s: Sem<V, B>, a: Two) => void): AnyInsnSpec {
  return insn<'Rn' | 'Rd', Two>(name, `0 ${q} ${u} 01110 ${bin(size, 2)} ${mid} ${bin(opcode, 5)} 10 Rn:5 Rd:5`,
    (f) => ({ d: f.Rd, n: f.Rn }),
    (s, a) => {
      s.fpCheck();
      exec(s, a);
    }, { fp: true });
}

/**
 * UMAXV, UMINV, SMAXV, SMINV: the largest (smallest) lane of Vn, unsigned or signed, as a scalar of the lane size
 * in Vd (the rest cleared). Signed lanes compare as unsigned with their top bits inverted.
 */
function across<V, B>(s: Sem<V, B>, a: Two, q: number, size: number, signed: boolean, max: boolean): void {
  const e = laneBits(size);
  const perHalf = 64 / e;
  const flip = s.c(signed ? 1n << BigInt(e - 1) : 0n);
  const halves = [s.let(s.vget(a.n, 0)), ...(q ? [s.let(s.vget(a.n, 1))] : [])];
  let best: V | undefined;
  for (let i = 0; i < perHalf * halves.length; i++) {
    const lane = s.let(laneOf(s, halves[Math.floor(i / perHalf)]!, size, i % perHalf));
    if (best === undefined) {
      best = lane;
      continue;
    }
    const below = s.ltu(s.xor(best, flip), s.xor(lane, flip)); // best < lane
    best = s.let(max ? s.select(below, lane, best) : s.select(below, best, lane));
  }
  s.vset(a.d, 0, best!);
  s.vset(a.d, 1, s.c(0n));
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [];
  for (const q of [0, 1]) {
    LOGICAL.forEach(([name, op], opc) => out.push(threeSame(name, q, opc >> 2, opc & 3, 0b00011, op)));
    for (const size of [0, 1, 2, 3]) {
      if (size === 3 && q === 0) continue;
      out.push(threeSame('ADD (vector)', q, 0, size, 0b10000, (s, n, m) => addLanes(s, n, m, size)));
      out.push(threeSame('SUB (vector)', q, 1, size, 0b10000, (s, n, m) => subLanes(s, n, m, size)));
      out.push(threeSame('CMTST (vector)', q, 0, size, 0b10001,
        (s, n, m) => s.xor(zeroLanes(s, s.and(n, m), size), s.c(ALL))));
      out.push(threeSame('CMEQ (vector)', q, 1, size, 0b10001, (s, n, m) => zeroLanes(s, s.xor(n, m), size)));
      out.push(twoReg('CMEQ (zero)', q, 0, size, '10000', 0b01001, (s, a) => {
        writeHalves(s, a.d, q, (h) => zeroLanes(s, s.vget(a.n, h), size));
      }));
    }
    for (const size of q ? [0, 1, 2] : [0, 1]) {
      for (const [name, u, opcode, signed, max] of [['SMAXV', 0, 0b01010, true, true], ['UMAXV', 1, 0b01010, false, true],
        ['SMINV', 0, 0b11010, true, false], ['UMINV', 1, 0b11010, false, false]] as const) {
        out.push(twoReg(name, q, u, size, '11000', opcode, (s, a) => across(s, a, q, size, signed, max)));
      }
    }
  }
  return out;
}

/** The rows, looked up by the handler tables they replace (insn/simd-three-same.ts, simd-two-misc.ts, simd-across-lanes.ts). */
export const SIMD_INT_SPECS: readonly AnyInsnSpec[] = rows();
