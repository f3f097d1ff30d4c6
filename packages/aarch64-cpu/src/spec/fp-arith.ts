/**
 * FADD, FSUB, FMUL and FDIV of single and double precision, scalar (`0 0 0 11110 ftype 1 Rm opcode 10 Rn Rd`) and vector
 * (`0 Q U 01110 a sz 1 Rm 11 opc 1 Rn Rd`: 2S, 4S, 2D), as specifications over Sem's `fpBinary` (FPAdd, FPSub,
 * FPMul, FPDiv on the lanes' bits under FPCR, flags into FPSR); and the fused multiply-adds of double precision, FMLA/FMLS
 * (vector, 2D) and FMADD/FMSUB/FNMADD/FNMSUB, over `fpMulAdd` (FPMulAdd; a negated operand is FPNeg, its sign bit
 * flipped, NaNs included). The interpreter runs the exact library (fp/); the WebAssembly
 * tier computes the common cases with native float arithmetic and hands the others to the interpreter
 * (spec-wasm.ts `fpBinary`). Half precision stays with the handlers (insn/fp-arith.ts, insn/simd-fp-three-same.ts).
 */
import { FpBinOp, type Sem } from './sem.js';
import { laneOf } from './simd-lanes.js';
import { insn, type AnyInsnSpec } from './spec.js';

interface Three { readonly d: number; readonly n: number; readonly m: number }
const three = (f: { readonly Rm: number; readonly Rn: number; readonly Rd: number }): Three => ({ d: f.Rd, n: f.Rn, m: f.Rm });

/** The operations: the scalar opcode, and the vector U, a and opc. */
const OPS: readonly { readonly name: string; readonly op: FpBinOp; readonly opcode: string; readonly u: number; readonly a: number }[] = [
  { name: 'FMUL', op: FpBinOp.Mul, opcode: '0000', u: 1, a: 0 },
  { name: 'FADD', op: FpBinOp.Add, opcode: '0010', u: 0, a: 0 },
  { name: 'FSUB', op: FpBinOp.Sub, opcode: '0011', u: 0, a: 1 },
  { name: 'FDIV', op: FpBinOp.Div, opcode: '0001', u: 1, a: 0 },
];
/** The vector opc of FADD, FSUB (010), FMUL (011) and FDIV (111). */
const vectorOpc = (op: FpBinOp): string => (op === FpBinOp.Mul ? '011' : op === FpBinOp.Div ? '111' : '010');

/** A 64-bit half's lanes (one double, or two singles) through the operation, as a half. */
function halfOf<V, B>(s: Sem<V, B>, op: FpBinOp, a: V, b: V, size: 32 | 64): V {
  if (size === 64) return s.fpBinary(op, a, b, 64);
  const x = s.let(a);
  const y = s.let(b);
  const l0 = s.fpBinary(op, laneOf(s, x, 2, 0), laneOf(s, y, 2, 0), 32);
  const l1 = s.fpBinary(op, laneOf(s, x, 2, 1), laneOf(s, y, 2, 1), 32);
  return s.or(l0, s.shift(0, l1, 32, 64));
}

function scalar(name: string, op: FpBinOp, opcode: string, size: 32 | 64): AnyInsnSpec {
  return insn<'Rm' | 'Rn' | 'Rd', Three>(`${name} (scalar)`, `0 0 0 11110 ${size === 64 ? '01' : '00'} 1 Rm:5 ${opcode} 10 Rn:5 Rd:5`,
    three, (s, a) => {
      s.fpCheck();
      const r = s.let(s.fpBinary(op, s.zext(s.vget(a.n, 0), size === 64 ? 64 : 32), s.zext(s.vget(a.m, 0), size === 64 ? 64 : 32), size));
      s.vset(a.d, 0, r);
      s.vset(a.d, 1, s.c(0n));
    }, { fp: true });
}

function vector(name: string, op: FpBinOp, u: number, a: number, q: number, size: 32 | 64): AnyInsnSpec {
  const sz = size === 64 ? 1 : 0;
  return insn<'Rm' | 'Rn' | 'Rd', Three>(`${name} (vector, ${size === 64 ? 'double' : 'single'})`,
    `0 ${q} ${u} 01110 ${a} ${sz} 1 Rm:5 11 ${vectorOpc(op)} 1 Rn:5 Rd:5`, three, (s, x) => {
      s.fpCheck();
      const lo = s.let(halfOf(s, op, s.vget(x.n, 0), s.vget(x.m, 0), size));
      const hi = q ? s.let(halfOf(s, op, s.vget(x.n, 1), s.vget(x.m, 1), size)) : s.c(0n);
      s.vset(x.d, 0, lo);
      s.vset(x.d, 1, hi);
    }, { fp: true });
}

const SIGN = 1n << 63n;
/** FPNeg of a double's bits when `neg`. */
const negIf = <V, B>(s: Sem<V, B>, v: V, neg: boolean): V => (neg ? s.xor(v, s.c(SIGN)) : v);

/** FMLA (FMLS: `negN`) (vector, double): each lane of Vd = FPMulAdd(Vd, Vn (negated), Vm), lane 0 first (fpMulAddPair). */
function fmla(negN: boolean): AnyInsnSpec {
  return insn<'Rm' | 'Rn' | 'Rd', Three>(`${negN ? 'FMLS' : 'FMLA'} (vector, double)`,
    `0 1 0 01110 ${negN ? 1 : 0} 1 1 Rm:5 11 001 1 Rn:5 Rd:5`, three, (s, x) => {
      s.fpCheck();
      const [lo, hi] = s.fpMulAddPair([s.vget(x.d, 0), s.vget(x.d, 1)],
        [negIf(s, s.vget(x.n, 0), negN), negIf(s, s.vget(x.n, 1), negN)], [s.vget(x.m, 0), s.vget(x.m, 1)], 64);
      s.vset(x.d, 0, lo);
      s.vset(x.d, 1, hi);
    }, { fp: true });
}

interface Four { readonly d: number; readonly n: number; readonly m: number; readonly a: number }

/** FMADD family (double): Dd = FPMulAdd(Da (negated: negA), Dn (negated: negN), Dm). */
function fused(name: string, o1: number, o0: number, negA: boolean, negN: boolean): AnyInsnSpec {
  return insn<'Rm' | 'Ra' | 'Rn' | 'Rd', Four>(name, `0 0 0 11111 01 ${o1} Rm:5 ${o0} Ra:5 Rn:5 Rd:5`,
    (f) => ({ d: f.Rd, n: f.Rn, m: f.Rm, a: f.Ra }), (s, x) => {
      s.fpCheck();
      const r = s.let(s.fpMulAdd(negIf(s, s.vget(x.a, 0), negA), negIf(s, s.vget(x.n, 0), negN), s.vget(x.m, 0), 64));
      s.vset(x.d, 0, r);
      s.vset(x.d, 1, s.c(0n));
    }, { fp: true });
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [fmla(false), fmla(true), fused('FMADD', 0, 0, false, false), fused('FMSUB', 0, 1, false, true),
    fused('FNMADD', 1, 0, true, true), fused('FNMSUB', 1, 1, true, false)];
  for (const o of OPS) {
    for (const size of [32, 64] as const) out.push(scalar(o.name, o.op, o.opcode, size));
    out.push(vector(o.name, o.op, o.u, o.a, 0, 32), vector(o.name, o.op, o.u, o.a, 1, 32), vector(o.name, o.op, o.u, o.a, 1, 64));
  }
  return out;
}

/** The rows (each replaces the handler row of the same encoding: insn/simd-fp-table.ts). */
export const FP_ARITH_SPECS: readonly AnyInsnSpec[] = rows();
