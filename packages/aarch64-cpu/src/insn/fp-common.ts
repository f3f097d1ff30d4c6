/**
 * Shared by the scalar FP instruction files (insn/fp-*.ts): the FP library context, the scalar formats by ftype,
 * reading and writing scalar FP registers, and encoding patterns with fixed fields.
 *
 * Hot path: handlers are built per (instruction, ftype) at table-build time; at run time they read fields of the
 * word, call the library on raw bits from `cpu.vr` and write back, without allocation.
 */
import type { Cpu } from '../cpu.js';
import { D, FpCtx, type FpFormat, H, S } from '../fp/index.js';
import type { VRegs } from '../fpsimd/vregs.js';

/** The FP library context every scalar FP instruction uses (it keeps nothing between instructions). */
export const CTX = new FpCtx();

/** Start an FP operation: the context with the CPU's FPCR and no flags raised yet. */
export function begin(cpu: Cpu): FpCtx {
  CTX.fpcr = cpu.fpcr;
  CTX.flags = 0;
  return CTX;
}

/** Finish an FP operation: OR the flags it raised into FPSR. */
export function commit(cpu: Cpu, ctx: FpCtx): void {
  if (ctx.flags !== 0) cpu.fpsr = cpu.fpsr | ctx.flags;
}

/** A scalar ftype: its encoding, format and register width in bytes. */
export interface Ftype {
  readonly bits: string;
  readonly f: FpFormat;
  readonly bytes: number;
}

/** ftype 00 single, 01 double, 11 half (FEAT_FP16); 10 is unallocated. */
export const FTYPES: readonly Ftype[] = [
  { bits: '00', f: S, bytes: 4 },
  { bits: '01', f: D, bytes: 8 },
  { bits: '11', f: H, bytes: 2 },
];

/** The high word of scalar Vn of format f (0 below 64 bits). */
export function regHi(vr: VRegs, f: FpFormat, n: number): number {
  return f.n === 64 ? vr.u32[n * 4 + 1]! : 0;
}

/** The low word of scalar Vn of format f (the whole value below 64 bits). */
export function regLo(vr: VRegs, f: FpFormat, n: number): number {
  return f.n === 16 ? vr.u16[n * 8]! : vr.u32[n * 4]!;
}

/** Vd = the scalar hi:lo of format f; the rest of Vd is cleared. */
export function writeReg(vr: VRegs, f: FpFormat, d: number, lo: number, hi: number): void {
  const u32 = vr.u32;
  const w = d * 4;
  if (f.n === 16) {
    u32[w] = lo & 0xffff;
  } else {
    u32[w] = lo;
    if (f.n === 64) {
      u32[w + 1] = hi;
      u32[w + 2] = 0;
      u32[w + 3] = 0;
      return;
    }
  }
  u32[w + 1] = 0;
  u32[w + 2] = 0;
  u32[w + 3] = 0;
}

/**
 * A 32-bit encoding pattern from a template whose named single-letter placeholders are replaced: e.g.
 * `pat('0 0 0 11110 tt 1 xxxxx 000010 xxxxx xxxxx', { t: '01' })`. Spaces are for the reader.
 */
export function pat(template: string, fields: Record<string, string> = {}): string {
  let out = template.replace(/\s/g, '');
  for (const [k, v] of Object.entries(fields)) {
    const re = new RegExp(`${k}+`);
    const m = re.exec(out);
    if (m === null || m[0].length !== v.length) throw new Error(`pattern ${template}: field ${k} is not ${v.length} bits`);
    out = out.replace(re, v);
  }
  if (out.length !== 32) throw new Error(`pattern ${template} has ${out.length} bits`);
  return out;
}

const rn = (insn: number): number => (insn >>> 5) & 31;
const rd = (insn: number): number => insn & 31;
const rm = (insn: number): number => (insn >>> 16) & 31;
const ra = (insn: number): number => (insn >>> 10) & 31;
export { ra, rd, rm, rn };
