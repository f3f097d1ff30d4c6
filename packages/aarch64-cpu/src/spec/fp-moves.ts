/**
 * The scalar FP instructions that only move bits (no FP arithmetic, no exception, no NaN processing with
 * FPCR.AH = 0, the model's only behaviour), in single, double and half precision, as specifications over the
 * registers' low 64-bit half: FMOV (register), FABS and FNEG (scalar: the sign bit cleared or flipped, NaNs
 * included), FCSEL (Vn or Vm by a condition) and FMOV (scalar, immediate) (VFPExpandImm, insn/fp-compare.ts
 * `expandImm`, at decode). Each writes the scalar zero-extended to the whole register.
 */
import { D, H, S, type FpFormat } from '../fp/format.js';
import { expandImm } from '../insn/fp-compare.js';
import type { Sem } from './sem.js';
import { insn, type AnyInsnSpec } from './spec.js';

interface Two { readonly d: number; readonly n: number }
interface Sel { readonly d: number; readonly n: number; readonly m: number; readonly cond: number }
interface Imm { readonly d: number; readonly value: bigint }

/** ftype 00 single, 01 double, 11 half: its bits, and the scalar's width. */
const FTYPES: readonly { readonly bits: string; readonly f: FpFormat; readonly width: 16 | 32 | 64 }[] = [
  { bits: '00', f: S, width: 32 }, { bits: '01', f: D, width: 64 }, { bits: '11', f: H, width: 16 },
];

/** Vd = the scalar v (already `width` bits), the rest of the register cleared. */
function writeScalar<V, B>(s: Sem<V, B>, d: number, v: V): void {
  const r = s.let(v);
  s.vset(d, 0, r);
  s.vset(d, 1, s.c(0n));
}

/** A 1-source row `0 0 0 11110 ftype 1 opcode 10000 Rn Rd` computing Vd's scalar from Vn's. */
function unary(name: string, opcode: string, ftype: string, width: 16 | 32 | 64,
  op: <V, B>(s: Sem<V, B>, v: V, sign: bigint) => V): AnyInsnSpec {
  const sign = 1n << BigInt(width - 1);
  return insn<'Rn' | 'Rd', Two>(name, `0 0 0 11110 ${ftype} 1 ${opcode} 10000 Rn:5 Rd:5`, (f) => ({ d: f.Rd, n: f.Rn }),
    (s, a) => {
      s.fpCheck();
      writeScalar(s, a.d, op(s, s.zext(s.vget(a.n, 0), width), sign));
    }, { fp: true });
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [];
  for (const { bits, f, width } of FTYPES) {
    out.push(unary('FMOV (register)', '000000', bits, width, (_s, v) => v));
    out.push(unary('FABS (scalar)', '000001', bits, width, (s, v, sign) => s.and(v, s.c(sign - 1n))));
    out.push(unary('FNEG (scalar)', '000010', bits, width, (s, v, sign) => s.xor(v, s.c(sign))));
    out.push(insn<'Rm' | 'cond' | 'Rn' | 'Rd', Sel>('FCSEL', `0 0 0 11110 ${bits} 1 Rm:5 cond:4 11 Rn:5 Rd:5`,
      (x) => ({ d: x.Rd, n: x.Rn, m: x.Rm, cond: x.cond }), (s, a) => {
        s.fpCheck();
        const t = s.cond(a.cond);
        writeScalar(s, a.d, s.select(t, s.zext(s.vget(a.n, 0), width), s.zext(s.vget(a.m, 0), width)));
      }, { fp: true }));
    out.push(insn<'imm8' | 'Rd', Imm>('FMOV (scalar, immediate)', `0 0 0 11110 ${bits} 1 imm8:8 100 00000 Rd:5`, (x) => {
      const [hi, lo] = expandImm(f, x.imm8);
      return { d: x.Rd, value: (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0) };
    }, (s, a) => {
      s.fpCheck();
      writeScalar(s, a.d, s.c(a.value));
    }, { fp: true }));
  }
  return out;
}

/** The rows (each replaces the handler row of the same encoding: insn/simd-fp-table.ts). */
export const FP_MOVE_SPECS: readonly AnyInsnSpec[] = rows();
