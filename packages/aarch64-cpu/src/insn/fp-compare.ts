/**
 * Scalar FP compare, select and immediate (Arm ARM C4.1.96): "Floating-point compare" (FCMP, FCMPE, with a register
 * or #0.0), "Floating-point conditional compare" (FCCMP, FCCMPE), "Floating-point conditional select" (FCSEL) and
 * "Floating-point immediate" (FMOV (scalar, immediate)), for single, double and half precision.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { type FpFormat, fpCompare } from '../fp/index.js';
import { fpRow } from '../fpsimd/access.js';
import { fastCompare } from './fp-fast.js';
import { FTYPES, begin, commit, pat, rd, regHi, regLo, rm, rn, writeReg } from './fp-common.js';

/** FCMP/FCMPE: NZCV = FPCompare(Vn, Vm or +0.0); `signal` for FCMPE. */
function fcmp(f: FpFormat, withZero: boolean, signal: boolean): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    const nzcv = withZero
      ? fpCompare(ctx, f, regHi(vr, f, n), regLo(vr, f, n), 0, 0, signal)
      : fpCompare(ctx, f, regHi(vr, f, n), regLo(vr, f, n), regHi(vr, f, m), regLo(vr, f, m), signal);
    cpu.nzcv = nzcv;
    commit(cpu, ctx);
  };
}

/** FCCMP/FCCMPE: NZCV = cond ? FPCompare(Vn, Vm) : #nzcv. */
function fccmp(f: FpFormat, signal: boolean): Handler {
  return (cpu, insn) => {
    if (!cpu.condHolds((insn >>> 12) & 15)) {
      cpu.nzcv = insn & 15;
      return;
    }
    const vr = cpu.vr;
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    cpu.nzcv = fpCompare(ctx, f, regHi(vr, f, n), regLo(vr, f, n), regHi(vr, f, m), regLo(vr, f, m), signal);
    commit(cpu, ctx);
  };
}

/** FCSEL: Vd = cond ? Vn : Vm. */
function fcsel(f: FpFormat): Handler {
  return (cpu, insn) => {
    const vr = cpu.vr;
    const s = cpu.condHolds((insn >>> 12) & 15) ? rn(insn) : rm(insn);
    writeReg(vr, f, rd(insn), regLo(vr, f, s), regHi(vr, f, s));
  };
}

/** VFPExpandImm: imm8 as a value of format f (hi:lo). */
export function expandImm(f: FpFormat, imm8: number): [hi: number, lo: number] {
  const sign = imm8 >>> 7;
  const b6 = (imm8 >>> 6) & 1;
  // exp = NOT(b6) : Replicate(b6, E-3) : imm8<5:4>
  const exp = ((b6 ^ 1) << (f.e - 1)) | ((b6 === 1 ? (1 << (f.e - 3)) - 1 : 0) << 2) | ((imm8 >>> 4) & 3);
  const frac = imm8 & 15;
  if (f.n === 64) return [((sign << 31) | (exp << 20) | (frac << 16)) >>> 0, 0];
  return [0, ((sign << (f.n - 1)) | (exp << f.f) | (frac << (f.f - 4))) >>> 0];
}

/** FMOV (scalar, immediate); the 256 values are expanded when the table is built. */
function fmovImm(f: FpFormat): Handler {
  const his = new Uint32Array(256);
  const los = new Uint32Array(256);
  for (let i = 0; i < 256; i++) [his[i], los[i]] = expandImm(f, i);
  return (cpu, insn) => {
    const imm8 = (insn >>> 13) & 0xff;
    writeReg(cpu.vr, f, rd(insn), los[imm8]!, his[imm8]!);
  };
}

function rows(): EncodingRow[] {
  const out: EncodingRow[] = [];
  for (const t of FTYPES) {
    const f = t.f;
    const cmp = (name: string, opc: string, zero: boolean, signal: boolean): EncodingRow =>
      fpRow(name, pat(`0 0 0 11110 tt 1 xxxxx 00 1000 xxxxx ${opc}`, { t: t.bits }),
        fastCompare(f, zero, fcmp(f, zero, signal)));
    out.push(cmp('FCMP', '00000', false, false), cmp('FCMP (zero)', '01000', true, false),
      cmp('FCMPE', '10000', false, true), cmp('FCMPE (zero)', '11000', true, true));
    out.push(fpRow('FCCMP', pat('0 0 0 11110 tt 1 xxxxx xxxx 01 xxxxx 0 xxxx', { t: t.bits }), fccmp(f, false)));
    out.push(fpRow('FCCMPE', pat('0 0 0 11110 tt 1 xxxxx xxxx 01 xxxxx 1 xxxx', { t: t.bits }), fccmp(f, true)));
    out.push(fpRow('FCSEL', pat('0 0 0 11110 tt 1 xxxxx xxxx 11 xxxxx xxxxx', { t: t.bits }), fcsel(f)));
    out.push(fpRow('FMOV (scalar, immediate)', pat('0 0 0 11110 tt 1 xxxxxxxx 100 00000 xxxxx', { t: t.bits }), fmovImm(f)));
  }
  return out;
}

/** The rows of the scalar FP compare, conditional compare, conditional select and immediate classes. */
export const FP_COMPARE_ROWS: readonly EncodingRow[] = rows();
