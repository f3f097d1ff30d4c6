/**
 * Exact IEEE 754 floating point as the Arm ARM defines it (its shared FP pseudocode: FPUnpack, FPRound,
 * FPProcessNaNs, FPAdd, ...), for half, single and double precision (and BFloat16 conversion).
 *
 * API, for instruction handlers working lane by lane on `cpu.vr`:
 * - Values are raw bit patterns, never host floats, so NaN payloads and signs survive. A half or single precision
 *   operand is a Number (`vr.u16[i]`, `vr.u32[i]`) passed as `(0, bits)`; a double is its two 32-bit halves
 *   `(hi, lo)` = `(vr.u32[2 * i + 1], vr.u32[2 * i])`. Every operation takes the format (`H`, `S`, `D`) and returns
 *   the result's low 32 bits; the high 32 bits of a double result are left in `ctx.hi` (0 for narrower results).
 *   Read `ctx.hi` before the next operation.
 * - `ctx` ({@link FpCtx}) carries the FPCR the operation obeys (`ctx.fpcr = cpu.fpcr` first) and collects the
 *   cumulative flags it raises (`ctx.flags`; OR them into FPSR afterwards), and holds the scratch the operations work
 *   in, so the library has no state of its own. It keeps nothing between instructions that the next one does not
 *   set first.
 * - Arithmetic rounds as FPCR.RMode says; conversions take the rounding mode ({@link Rounding}) as an argument.
 * - Speed: single and double add/sub/mul/div/sqrt under round-to-nearest with normal operands and results use the
 *   host's float64 arithmetic (fast.ts: exact results and IXC by error-free transforms, no allocation, no BigInt);
 *   everything else takes the exact path (BigInt mantissas while computing, Number arithmetic while rounding).
 *   Hot instructions first try the lane-level entry points of lanes.ts (not exported here: they take register-file
 *   lane indices, not bits), which read and write `vr.f64` / `vr.f32` / `vr.u16` directly and cover half precision
 *   too, and fall back to this API for the lanes they decline.
 *   FPCR.AH / FIZ / NEP (FEAT_AFP) are not modelled: the FPCR.AH = 0 behaviour always.
 *
 * Example (FADD Dd, Dn, Dm):
 * ```ts
 * ctx.fpcr = cpu.fpcr; ctx.flags = 0;
 * const lo = fpAdd(ctx, D, u32[2 * n + 1]!, u32[2 * n]!, u32[2 * m + 1]!, u32[2 * m]!);
 * u32[2 * d] = lo; u32[2 * d + 1] = ctx.hi;
 * cpu.fpsr |= ctx.flags;
 * ```
 */
export { FpCtx } from './ctx.js';
export { BF16, D, type FpFormat, H, Rounding, S } from './format.js';
export { FPCR_AHP, FPCR_DN, FPCR_FZ, FPCR_FZ16, FPCR_RMODE_SHIFT, IOC, DZC, OFC, UFC, IXC, IDC } from './format.js';
export { defaultNaN, infinity, maxNormal, zero } from './format.js';
export { fpAbs, fpAdd, fpAddSub, fpDiv, fpMul, fpMulAdd, fpMulX, fpNeg, fpSqrt, fpSub } from './ops.js';
export { fpMax, fpMaxNum, fpMin, fpMinNum } from './minmax.js';
export { fpCompare, fpCompareEQ, fpCompareGE, fpCompareGT } from './compare.js';
export { fpConvert, fpConvertBF } from './convert.js';
export { fixedToFp, fpToFixed, fpToFixedJS } from './fixed.js';
export { fpRoundInt, fpRoundIntN } from './roundint.js';
export { fpRecipEstimate, fpRecipStepFused, fpRecpX, fpRSqrtEstimate, fpRSqrtStepFused } from './estimate.js';
