/**
 * FCMP and FCMPE of single and double precision, with a register or #0.0 (`0 0 0 11110 ftype 1 Rm 00 1000 Rn opc`),
 * as specifications over Sem's `fpCompare` (FPCompare on the operands' bits: NZCV, IOC into FPSR for a signalling
 * NaN, or any NaN for FCMPE). The interpreter runs the exact library (fp/compare.ts); the WebAssembly tier compares
 * natively where that is exact and hands the rest to the interpreter (spec-wasm.ts `fpCompare`). Half precision
 * stays with the handlers (insn/fp-compare.ts).
 */
import { insn, type AnyInsnSpec } from './spec.js';

interface Cmp { readonly n: number; readonly m: number }

/** NZCV = FPCompare(Vn, Vm or +0.0), `signal`ling for FCMPE. */
function cmp(name: string, size: 32 | 64, zero: boolean, signal: boolean): AnyInsnSpec {
  const opc = `${signal ? 1 : 0}${zero ? 1 : 0}000`;
  return insn<'Rm' | 'Rn', Cmp>(name, `0 0 0 11110 ${size === 64 ? '01' : '00'} 1 ${zero ? '-----' : 'Rm:5'} 00 1000 Rn:5 ${opc}`,
    (f) => ({ n: f.Rn, m: zero ? -1 : f.Rm }), (s, a) => {
      s.fpCheck();
      const n = s.zext(s.vget(a.n, 0), size);
      const m = a.m < 0 ? s.c(0n) : s.zext(s.vget(a.m, 0), size);
      s.setNzcvV(s.fpCompare(n, m, size, signal));
    }, { fp: true });
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [];
  for (const size of [32, 64] as const) {
    out.push(cmp('FCMP', size, false, false), cmp('FCMP (zero)', size, true, false), cmp('FCMPE', size, false, true),
      cmp('FCMPE (zero)', size, true, true));
  }
  return out;
}

/** The rows (each replaces the handler row of the same encoding: insn/simd-fp-table.ts). */
export const FP_COMPARE_SPECS: readonly AnyInsnSpec[] = rows();
