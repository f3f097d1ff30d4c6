/**
 * Scalar FP conversions (Arm ARM C4.1.96): "Conversion between floating-point and integer" (FCVTNS/NU, FCVTAS/AU,
 * FCVTPS/PU, FCVTMS/MU, FCVTZS/ZU, SCVTF, UCVTF, FMOV between general and FP registers including FMOV Xd, Vn.D[1]
 * and FMOV Vd.D[1], Xn, FJCVTZS (FEAT_JSCVT)) and "Conversion between floating-point and fixed-point" (SCVTF, UCVTF,
 * FCVTZS, FCVTZU with #fbits), for single, double and half precision.
 *
 * General registers are read and written as 32-bit words of the CPU state block (no BigInt per conversion);
 * register 31 is XZR.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow, Handler } from '../decode.js';
import { D, type FpFormat, H, Rounding, fixedToFp, fpToFixed, fpToFixedJS } from '../fp/index.js';
import { fpRow } from '../fpsimd/access.js';
import { fastToIntZero } from './fp-fast.js';
import { St } from '../state-layout.js';
import { FTYPES, begin, commit, pat, rd, regHi, regLo, rn, writeReg } from './fp-common.js';

/**
 * X0..X30 as 32-bit words of the CPU state block (Xn = st32[X + 2n + 1]:st32[X + 2n], X31 reads 0): conversions
 * read and write general registers without a BigInt.
 */
const X_WORD = St.X >> 2;

/** Write Wd (sf = 0, upper half cleared) or Xd; XZR discards. */
function writeX(cpu: Cpu, d: number, sf: boolean, lo: number, hi: number): void {
  if (d === 31) return;
  const w = cpu.st32;
  w[X_WORD + d * 2] = lo;
  w[X_WORD + d * 2 + 1] = sf ? hi : 0;
}

const INT_CONV = 's 0 0 11110 tt 1 rr ooo 000000 xxxxx xxxxx';
const FIXED_CONV = 's 0 0 11110 tt 0 rr ooo cccccc xxxxx xxxxx';

/** FCVT<r>{S,U} (integer or fixed point): Wd/Xd = FPToFixed(Vn, fbits). */
function toInt(f: FpFormat, sf: boolean, unsigned: boolean, mode: Rounding, fixed: boolean): Handler {
  const size = sf ? 64 : 32;
  const exact: Handler = (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const fbits = fixed ? 64 - ((insn >>> 10) & 63) : 0;
    const ctx = begin(cpu);
    const lo = fpToFixed(ctx, f, regHi(vr, f, n), regLo(vr, f, n), fbits, unsigned, mode, size);
    writeX(cpu, rd(insn), sf, lo, ctx.hi);
    commit(cpu, ctx);
  };
  // FCVTZ* (the C casts) have a native fast path.
  return mode === Rounding.Zero ? fastToIntZero(f, sf, unsigned, fixed, exact) : exact;
}

/** SCVTF/UCVTF (integer or fixed point): Vd = FixedToFP(Wn/Xn, fbits), FPCR rounding. */
function fromInt(f: FpFormat, sf: boolean, unsigned: boolean, fixed: boolean): Handler {
  const size = sf ? 64 : 32;
  return (cpu, insn) => {
    const w = cpu.st32;
    const n = X_WORD + rn(insn) * 2;
    const fbits = fixed ? 64 - ((insn >>> 10) & 63) : 0;
    const ctx = begin(cpu);
    const lo = fixedToFp(ctx, f, sf ? w[n + 1]! >>> 0 : 0, w[n]! >>> 0, size, fbits, unsigned, ctx.rmode);
    writeReg(cpu.vr, f, rd(insn), lo, ctx.hi);
    commit(cpu, ctx);
  };
}

/** FMOV general <- FP: Wd/Xd = the low 16, 32 or 64 bits of Vn (zero-extended). */
function fmovToGeneral(f: FpFormat, sf: boolean): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    writeX(cpu, rd(insn), sf, regLo(vr, f, n), regHi(vr, f, n));
  };
}

/** FMOV FP <- general: Vd = the low 16, 32 or 64 bits of Wn/Xn, the rest cleared. */
function fmovFromGeneral(f: FpFormat): Handler {
  return (cpu, insn) => {
    const w = cpu.st32;
    const n = X_WORD + rn(insn) * 2;
    writeReg(cpu.vr, f, rd(insn), f.n === 16 ? w[n]! & 0xffff : w[n]! >>> 0, w[n + 1]! >>> 0);
  };
}

/** FMOV Xd, Vn.D[1]. */
const fmovFromTop: Handler = (cpu, insn) => {
  const u32 = cpu.vr.u32;
  const n = rn(insn);
  writeX(cpu, rd(insn), true, u32[n * 4 + 2]!, u32[n * 4 + 3]!);
};

/** FMOV Vd.D[1], Xn: the top half of Vd; its low half is kept. */
const fmovToTop: Handler = (cpu, insn) => {
  const w = cpu.st32;
  const u32 = cpu.vr.u32;
  const n = X_WORD + rn(insn) * 2;
  const d = rd(insn);
  u32[d * 4 + 2] = w[n]!;
  u32[d * 4 + 3] = w[n + 1]!;
};

/** FJCVTZS Wd, Dn: Wd = FPToFixedJS(Dn); NZCV = 0:Z:0:0. */
const fjcvtzs: Handler = (cpu, insn) => {
  const vr = cpu.vr;
  const n = rn(insn);
  const ctx = begin(cpu);
  const r = fpToFixedJS(ctx, regHi(vr, D, n), regLo(vr, D, n));
  const z = ctx.hi;
  writeX(cpu, rd(insn), false, r, 0);
  cpu.nzcv = z << 2;
  commit(cpu, ctx);
};

/** rmode:opcode of FCVT<r>{S} (U is opcode | 1). */
const TO_INT: readonly [string, string, string, Rounding][] = [
  ['FCVTN', '00', '000', Rounding.TieEven],
  ['FCVTA', '00', '100', Rounding.TieAway],
  ['FCVTP', '01', '000', Rounding.PosInf],
  ['FCVTM', '10', '000', Rounding.NegInf],
  ['FCVTZ', '11', '000', Rounding.Zero],
];

function rows(): EncodingRow[] {
  const out: EncodingRow[] = [];
  for (const t of FTYPES) {
    for (const sf of [false, true]) {
      const s = sf ? '1' : '0';
      const intPat = (r: string, o: string): string => pat(INT_CONV, { s, t: t.bits, r, o });
      for (const [name, r, o, mode] of TO_INT) {
        out.push(fpRow(`${name}S (scalar, integer)`, intPat(r, o), toInt(t.f, sf, false, mode, false)));
        out.push(fpRow(`${name}U (scalar, integer)`, intPat(r, `${o.slice(0, 2)}1`), toInt(t.f, sf, true, mode, false)));
      }
      out.push(fpRow('SCVTF (scalar, integer)', intPat('00', '010'), fromInt(t.f, sf, false, false)));
      out.push(fpRow('UCVTF (scalar, integer)', intPat('00', '011'), fromInt(t.f, sf, true, false)));
      // FMOV (general): W<->S, X<->D, W/X<->H.
      if ((t.f === H) || (sf ? t.f === D : t.bits === '00')) {
        out.push(fpRow('FMOV (general, to general)', intPat('00', '110'), fmovToGeneral(t.f, sf)));
        out.push(fpRow('FMOV (general, from general)', intPat('00', '111'), fmovFromGeneral(t.f)));
      }
      // Fixed point: sf = 0 needs scale<5> = 1.
      const c = sf ? 'xxxxxx' : '1xxxxx';
      const fixPat = (r: string, o: string): string => pat(FIXED_CONV, { s, t: t.bits, r, o }).replace(/c{6}/, c);
      out.push(fpRow('SCVTF (scalar, fixed-point)', fixPat('00', '010'), fromInt(t.f, sf, false, true)));
      out.push(fpRow('UCVTF (scalar, fixed-point)', fixPat('00', '011'), fromInt(t.f, sf, true, true)));
      out.push(fpRow('FCVTZS (scalar, fixed-point)', fixPat('11', '000'), toInt(t.f, sf, false, Rounding.Zero, true)));
      out.push(fpRow('FCVTZU (scalar, fixed-point)', fixPat('11', '001'), toInt(t.f, sf, true, Rounding.Zero, true)));
    }
  }
  out.push(fpRow('FMOV (general, Xd, Vn.D[1])', pat(INT_CONV, { s: '1', t: '10', r: '01', o: '110' }), fmovFromTop));
  out.push(fpRow('FMOV (general, Vd.D[1], Xn)', pat(INT_CONV, { s: '1', t: '10', r: '01', o: '111' }), fmovToTop));
  out.push(fpRow('FJCVTZS', pat(INT_CONV, { s: '0', t: '01', r: '11', o: '110' }), fjcvtzs));
  return out;
}

/** The rows of the scalar FP conversion classes (integer and fixed point). */
export const FP_CONVERT_ROWS: readonly EncodingRow[] = rows();
