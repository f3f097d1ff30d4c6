/**
 * FPConvert between half, single and double precision (FCVT), with FPCR.AHP's alternative half precision, and
 * FPConvertBF (BFCVT, FEAT_BF16: single to BFloat16). Operands and results as in ops.ts.
 */
import type { FpCtx } from './ctx.js';
import {
  BF16, type FpFormat, FPCR_AHP, FPCR_DN, FPCR_FZ16, IOC, Rounding, S, defaultNaN, infinity, pack, zero,
} from './format.js';
import { Tail, roundNum } from './round.js';
import { FpType, type Unpacked, unpack } from './unpack.js';

const TWO32 = 4294967296;

/** FPConvertNaN: the NaN `u` of `from` as a quiet NaN of `to`, keeping the top of its payload. */
function convertNaN(ctx: FpCtx, from: FpFormat, to: FpFormat, u: Unpacked): number {
  // The payload below the quiet bit as 51 bits (bits <50:0> of a double's fraction).
  let frac: number;
  if (from.n === 64) frac = (u.hi & 0x7ffff) * TWO32 + u.lo;
  else frac = (u.lo & (2 ** (from.f - 1) - 1)) * 2 ** (52 - from.f);
  return pack(ctx, to, u.sign, (1 << to.e) - 1, 2 ** (to.f - 1) + Math.floor(frac / 2 ** (52 - to.f)));
}

/** FPConvert of `hi:lo` from `from` to `to` under `rounding`. */
export function fpConvert(ctx: FpCtx, from: FpFormat, to: FpFormat, hi: number, lo: number, rounding: Rounding): number {
  const u = unpack(ctx, from, hi, lo, ctx.u1, true);
  const altHp = to.half && (ctx.fpcr & FPCR_AHP) !== 0;
  if (u.isNaN) {
    if (u.type === FpType.SNaN || altHp) ctx.flags |= IOC;
    if (altHp) return zero(ctx, to, u.sign);
    if ((ctx.fpcr & FPCR_DN) !== 0) return defaultNaN(ctx, to);
    return convertNaN(ctx, from, to, u);
  }
  if (u.type === FpType.Infinity) {
    if (altHp) {
      ctx.flags |= IOC;
      return pack(ctx, to, u.sign, (1 << to.e) - 1, 2 ** to.f - 1);
    }
    return infinity(ctx, to, u.sign);
  }
  if (u.type === FpType.Zero) return zero(ctx, to, u.sign);
  // FPRoundCV: FPCR.FZ16 does not apply to conversions.
  const fpcr = ctx.fpcr;
  ctx.fpcr = fpcr & ~FPCR_FZ16;
  const r = roundNum(ctx, to, u.sign, u.mant, u.exp, Tail.Exact, rounding, altHp);
  ctx.fpcr = fpcr;
  return r;
}

/** FPConvertBF: single precision `bits` to BFloat16 (returned as 16 bits) under `rounding`. */
export function fpConvertBF(ctx: FpCtx, bits: number, rounding: Rounding): number {
  const u = unpack(ctx, S, 0, bits, ctx.u1);
  if (u.isNaN) {
    if (u.type === FpType.SNaN) ctx.flags |= IOC;
    if ((ctx.fpcr & FPCR_DN) !== 0) return defaultNaN(ctx, BF16);
    return ((bits >>> 16) | 0x40) & 0xffff;
  }
  if (u.type === FpType.Infinity) return infinity(ctx, BF16, u.sign);
  if (u.type === FpType.Zero) return zero(ctx, BF16, u.sign);
  return roundNum(ctx, BF16, u.sign, u.mant, u.exp, Tail.Exact, rounding);
}
