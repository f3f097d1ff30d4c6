/**
 * Moves between general-purpose and SIMD&FP registers as specifications over the registers' 64-bit halves: FMOV
 * (general) in both directions (W<->S, X<->D, W/X<->H, X<->Vd.D[1]), INS (general), DUP (general) and UMOV. Every
 * row has the fields the handler rows it replaces had fixed (insn/fp-convert.ts, insn/simd-copy.ts): one row per
 * encoding.
 */
import { laneBits, laneOf, replicate } from './simd-lanes.js';
import { insn, type AnyInsnSpec } from './spec.js';

interface Two { readonly d: number; readonly n: number }
interface Lane { readonly d: number; readonly n: number; readonly index: number }

/** FMOV (general): `sf 0 0 11110 ftype 1 rmode opcode 000000 Rn Rd`. */
const fmovPattern = (sf: number, ftype: string, rmode: string, opcode: string): string =>
  `${sf} 0 0 11110 ${ftype} 1 ${rmode} ${opcode} 000000 Rn:5 Rd:5`;
const two = (f: { readonly Rn: number; readonly Rd: number }): Two => ({ d: f.Rd, n: f.Rn });

/** FMOV Wd/Xd, Hn/Sn/Dn: the low `bits` of Vn, zero-extended. */
function fmovToGeneral(sf: number, ftype: string, bits: 16 | 32 | 64): AnyInsnSpec {
  return insn<'Rn' | 'Rd', Two>('FMOV (general, to general)', fmovPattern(sf, ftype, '00', '110'), two, (s, a) => {
    s.fpCheck();
    s.setX(a.d, s.zext(s.vget(a.n, 0), bits), 64);
  }, { fp: true });
}

/** FMOV Hd/Sd/Dd, Wn/Xn: Vd = the low `bits` of the register, the rest cleared. */
function fmovFromGeneral(sf: number, ftype: string, bits: 16 | 32 | 64): AnyInsnSpec {
  return insn<'Rn' | 'Rd', Two>('FMOV (general, from general)', fmovPattern(sf, ftype, '00', '111'), two, (s, a) => {
    s.fpCheck();
    s.vset(a.d, 0, s.zext(s.x(a.n), bits));
    s.vset(a.d, 1, s.c(0n));
  }, { fp: true });
}

/** The 5-bit imm5 of the copy rows for a lane of 2^size bytes: the index field, then the size's marker bits. */
const imm5 = (size: number): string => `index:${4 - size} 1${'0'.repeat(size)}`;
const copyPattern = (q: number, size: number, imm4: string): string => `0 ${q} 0 01110000 ${imm5(size)} 0 ${imm4} 1 Rn:5 Rd:5`;
const lane = (f: { readonly index: number; readonly Rn: number; readonly Rd: number }): Lane => ({ d: f.Rd, n: f.Rn, index: f.index });

/** INS (general): lane `index` of Vd (2^size bytes) = the low bits of Xn; the other lanes are kept. */
function insGeneral(size: number): AnyInsnSpec {
  const e = laneBits(size);
  return insn<'index' | 'Rn' | 'Rd', Lane>('INS (general)', copyPattern(1, size, '0011'), lane, (s, a) => {
    s.fpCheck();
    const half = ((a.index * e) >> 6) as 0 | 1;
    if (e === 64) {
      s.vset(a.d, half, s.x(a.n));
      return;
    }
    const at = (a.index * e) & 63;
    const mask = ((1n << BigInt(e)) - 1n) << BigInt(at);
    const kept = s.and(s.vget(a.d, half), s.c(~mask & 0xffff_ffff_ffff_ffffn));
    const value = s.zext(s.x(a.n), e as 8 | 16 | 32);
    s.vset(a.d, half, s.or(kept, at === 0 ? value : s.shift(0, value, at, 64)));
  }, { fp: true });
}

/** DUP (general): the low 2^size bytes of Xn in every lane (Q = 0: the top half cleared). */
function dupGeneral(q: number, size: number): AnyInsnSpec {
  const e = laneBits(size);
  return insn<'Rn' | 'Rd', Two>('DUP (general)', copyPattern(q, size, '0001').replace(/index:\d /, `${'-'.repeat(4 - size)} `),
    two, (s, a) => {
      s.fpCheck();
      const v = s.let(e === 64 ? s.x(a.n) : s.mul(s.zext(s.x(a.n), e as 8 | 16 | 32), s.c(replicate(size, 1n)), 64));
      s.vset(a.d, 0, v);
      s.vset(a.d, 1, q ? v : s.c(0n));
    }, { fp: true });
}

/** UMOV: lane `index` of Vn (2^size bytes), zero-extended into Wd (q = 0) or Xd (q = 1). */
function umov(q: number, size: number): AnyInsnSpec {
  const e = laneBits(size);
  return insn<'index' | 'Rn' | 'Rd', Lane>(q ? 'UMOV (64-bit)' : 'UMOV (32-bit)', copyPattern(q, size, '0111'), lane, (s, a) => {
    s.fpCheck();
    const perHalf = 64 / e;
    s.setX(a.d, laneOf(s, s.vget(a.n, (a.index >= perHalf ? 1 : 0) as 0 | 1), size, a.index % perHalf), 64);
  }, { fp: true });
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [];
  // FMOV (general) for each ftype (00 S, 01 D, 11 H) and sf where it exists: W<->S, X<->D, W/X<->H.
  for (const [sf, ftype, bits] of [[0, '00', 32], [1, '01', 64], [0, '11', 16], [1, '11', 16]] as const) {
    out.push(fmovToGeneral(sf, ftype, bits), fmovFromGeneral(sf, ftype, bits));
  }
  out.push(insn<'Rn' | 'Rd', Two>('FMOV (general, Xd, Vn.D[1])', fmovPattern(1, '10', '01', '110'), two, (s, a) => {
    s.fpCheck();
    s.setX(a.d, s.vget(a.n, 1), 64);
  }, { fp: true }));
  out.push(insn<'Rn' | 'Rd', Two>('FMOV (general, Vd.D[1], Xn)', fmovPattern(1, '10', '01', '111'), two, (s, a) => {
    s.fpCheck();
    s.vset(a.d, 1, s.x(a.n));
  }, { fp: true }));
  for (let size = 0; size < 4; size++) {
    for (const q of size === 3 ? [1] : [0, 1]) out.push(dupGeneral(q, size));
    out.push(insGeneral(size));
    if (size < 3) out.push(umov(0, size));
  }
  out.push(umov(1, 3));
  return out;
}

/** The rows (each replaces the handler row of the same encoding: insn/simd-fp-table.ts). */
export const SIMD_MOVE_SPECS: readonly AnyInsnSpec[] = rows();
