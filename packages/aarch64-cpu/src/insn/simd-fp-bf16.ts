/**
 * FEAT_BF16 arithmetic (Arm ARM C4.1.96, AdvSIMD three same extra `0 Q 1 01110 size 0 Rm 1 opcode 1 Rn Rd`):
 * BFDOT (size 01, opcode 1111), BFMMLA (size 01, opcode 1101, Q = 1), BFMLALB/BFMLALT (size 11, opcode 1111, Q
 * selects bottom or top); and the by-element handlers simd-fp-by-element.ts uses. BFCVTN is in simd-fp-two-misc.ts.
 *
 * BFDOT and BFMMLA use the Arm ARM's BFloat16 arithmetic with FPCR.EBF = 0 (fp/vector-extra.ts): products and sums
 * rounded to odd, denormals flushed, any NaN giving the default NaN, FPCR ignored and no FPSR flags (QEMU 10 agrees,
 * recorded vectors included; FEAT_EBF16's FPCR.EBF = 1 behaviour, fused and honouring FPCR, is not modelled: the
 * model's FPCR does not store EBF). BFMLALB/T are IEEE fused multiply-adds in single precision under FPCR (the BFloat16
 * operands are widened exactly), raising flags as FMLA does.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { S, fpMulAdd } from '../fp/index.js';
import { bfDotAdd } from '../fp/vector-extra.js';
import { fpRow } from '../fpsimd/access.js';
import { begin, commit } from './fp-common.js';
import { commit as commitTmp, rd, rm, rn, TMP } from './simd-int-common.js';
import { finish, pattern } from './simd-fp-lanes.js';

/**
 * BFDOT: each single lane e of Vd += Vn's BF16 pair e dotted with Vm's pair e, or (`byElement`) with Vm's pair H:L
 * (Vm = M:Rm).
 */
export function bfdot(q: number, byElement: boolean): Handler {
  const count = q ? 4 : 2;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const u16 = vr.u16;
    const u32 = vr.u32;
    const d = rd(insn) * 4;
    const n = rn(insn) * 8;
    const m = rm(insn) * 8;
    const k = m + 2 * (((insn >>> 10) & 2) | ((insn >>> 21) & 1));
    const b1 = u16[k]!;
    const b2 = u16[k + 1]!;
    for (let e = 0; e < count; e++) {
      u32[d + e] = byElement
        ? bfDotAdd(u32[d + e]!, u16[n + 2 * e]!, u16[n + 2 * e + 1]!, b1, b2)
        : bfDotAdd(u32[d + e]!, u16[n + 2 * e]!, u16[n + 2 * e + 1]!, u16[m + 2 * e]!, u16[m + 2 * e + 1]!);
    }
    finish(vr, rd(insn), q ? 16 : 8);
  };
}

/** BFMMLA: Vd (2x2 singles) += Vn (2x4 BF16, row-major) times the transpose of Vm (2x4 BF16). */
const bfmmla: Handler = (cpu, insn) => {
  const vr = cpu.vr;
  const u16 = vr.u16;
  const d = rd(insn) * 4;
  const n = rn(insn) * 8;
  const m = rm(insn) * 8;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      let sum = vr.u32[d + 2 * i + j]!;
      for (let k = 0; k < 4; k += 2) {
        sum = bfDotAdd(sum, u16[n + 4 * i + k]!, u16[n + 4 * i + k + 1]!, u16[m + 4 * j + k]!, u16[m + 4 * j + k + 1]!);
      }
      TMP.u32[2 * i + j] = sum;
    }
  }
  commitTmp(vr, rd(insn), 0, 0, 16, false);
};

/**
 * BFMLALB (`top` false) / BFMLALT: Vd.4S += the even (odd) BF16 lanes of Vn times those of Vm, or (`byElement`)
 * times Vm's lane H:L:M (Vm in V0-V15), widened to single precision, fused, under FPCR.
 */
export function bfmlal(top: boolean, byElement: boolean): Handler {
  const sel = top ? 1 : 0;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const u16 = vr.u16;
    const u32 = vr.u32;
    const d = rd(insn) * 4;
    const n = rn(insn) * 8;
    const index = ((insn >>> 9) & 4) | ((insn >>> 20) & 3);
    const fixedB = (u16[((insn >>> 16) & 15) * 8 + index]! << 16) >>> 0;
    const m = rm(insn) * 8;
    const ctx = begin(cpu);
    for (let e = 0; e < 4; e++) {
      const a = (u16[n + 2 * e + sel]! << 16) >>> 0;
      const b = byElement ? fixedB : (u16[m + 2 * e + sel]! << 16) >>> 0;
      u32[d + e] = fpMulAdd(ctx, S, 0, u32[d + e]!, 0, a, 0, b);
    }
    commit(cpu, ctx);
  };
}

const MASK = 0xffe0_fc00;
const extra = (q: number, size: number, opcode: number): number =>
  (q << 30) | (1 << 29) | (0b01110 << 24) | (size << 22) | (1 << 15) | (opcode << 11) | (1 << 10);

/** The rows of BFDOT, BFMMLA and BFMLALB/T (vector). */
export const SIMD_FP_BF16: readonly EncodingRow[] = [
  fpRow('BFDOT (vector)', pattern(extra(0, 1, 0b1111), MASK), bfdot(0, false)),
  fpRow('BFDOT (vector)', pattern(extra(1, 1, 0b1111), MASK), bfdot(1, false)),
  fpRow('BFMMLA', pattern(extra(1, 1, 0b1101), MASK), bfmmla),
  fpRow('BFMLALB (vector)', pattern(extra(0, 3, 0b1111), MASK), bfmlal(false, false)),
  fpRow('BFMLALT (vector)', pattern(extra(1, 3, 0b1111), MASK), bfmlal(true, false)),
];
