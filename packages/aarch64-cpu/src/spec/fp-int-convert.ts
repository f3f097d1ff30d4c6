/**
 * SCVTF and UCVTF (scalar, integer) from Wn or Xn to a single or double (`sf 0 0 11110 ftype 1 00 01U 000000 Rn Rd`)
 * as specifications over Sem's `fpFromInt` (FixedToFP with no fraction bits, under FPCR, IXC into FPSR). The
 * interpreter runs the exact library (fp/fixed.ts); the WebAssembly tier converts natively where the result is
 * exact and hands the rest to the interpreter (spec-wasm.ts `fpFromInt`). Half precision and the fixed-point forms
 * stay with the handlers (insn/fp-convert.ts).
 */
import { insn, type AnyInsnSpec } from './spec.js';

interface Two { readonly d: number; readonly n: number }

/** Vd = the integer in Wn (sf 0) or Xn (sf 1), signed or `unsigned`, as a value of `size` bits; the rest cleared. */
function fromInt(name: string, sf: number, unsigned: boolean, size: 32 | 64): AnyInsnSpec {
  return insn<'Rn' | 'Rd', Two>(name, `${sf} 0 0 11110 ${size === 64 ? '01' : '00'} 1 00 01${unsigned ? 1 : 0} 000000 Rn:5 Rd:5`,
    (f) => ({ d: f.Rd, n: f.Rn }), (s, a) => {
      s.fpCheck();
      const from = sf ? 64 : 32;
      const r = s.let(s.fpFromInt(s.zext(s.x(a.n), from), from, unsigned, size));
      s.vset(a.d, 0, r);
      s.vset(a.d, 1, s.c(0n));
    }, { fp: true });
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [];
  for (const sf of [0, 1]) {
    for (const size of [32, 64] as const) {
      out.push(fromInt('SCVTF (scalar, integer)', sf, false, size), fromInt('UCVTF (scalar, integer)', sf, true, size));
    }
  }
  return out;
}

/** The rows (each replaces the handler row of the same encoding: insn/simd-fp-table.ts). */
export const FP_INT_CONVERT_SPECS: readonly AnyInsnSpec[] = rows();
