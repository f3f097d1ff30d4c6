/**
 * A64 "Data processing -- immediate" (Arm ARM C4.1.86; op0 bits [28:26] = 100): PC-relative addressing,
 * add/subtract (immediate), logical (immediate), move wide, bitfield and extract, as specifications
 * (spec/spec.ts). insn/data-processing-immediate.ts makes them the decode table's rows.
 *
 * Register 31: Rn is SP for ADD/SUB (immediate); Rd is SP for ADD/SUB (immediate) without flags and for AND/ORR/EOR
 * (immediate); it is XZR everywhere else.
 */
import { decodeBitMasks } from './bitmasks.js';
import { logical } from './shared.js';
import type { Width } from './sem.js';
import { insn, ones, widthOf, type AnyInsnSpec, type Exec, type InsnSpec } from './spec.js';

// ---- PC-rel. addressing: op immlo 10000 immhi Rd ----

/** SignExtend(immhi:immlo, 21). */
const pcRel = (immhi: number, immlo: number): number => (((immhi << 2) | immlo) << 11) >> 11;

const ADR = insn<'immlo' | 'immhi' | 'Rd', { d: number; imm: bigint }>('ADR', '0 immlo:2 10000 immhi:19 Rd:5',
  (f) => ({ d: f.Rd, imm: BigInt.asUintN(64, BigInt(pcRel(f.immhi, f.immlo))) }),
  (s, a) => s.setX(a.d, s.add(s.pc(), s.c(a.imm), 64), 64));

/** Clears the offset within a 4 KiB page. */
const PAGE_BASE = 0xffff_ffff_ffff_f000n;

const ADRP = insn<'immlo' | 'immhi' | 'Rd', { d: number; imm: bigint }>('ADRP', '1 immlo:2 10000 immhi:19 Rd:5',
  (f) => ({ d: f.Rd, imm: BigInt.asUintN(64, BigInt(pcRel(f.immhi, f.immlo)) << 12n) }),
  (s, a) => s.setX(a.d, s.add(s.and(s.pc(), s.c(PAGE_BASE)), s.c(a.imm), 64), 64));

// ---- Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd ----

interface AddSubImm { readonly w: Width; readonly imm: bigint; readonly n: number; readonly d: number }

const addSubImm = (name: string, pattern: string, sub: boolean, setFlags: boolean): InsnSpec<AddSubImm> =>
  insn<'sf' | 'sh' | 'imm12' | 'Rn' | 'Rd', AddSubImm>(name, pattern,
    (f) => ({ w: widthOf(f.sf), imm: BigInt(f.imm12) << BigInt(12 * f.sh), n: f.Rn, d: f.Rd }),
    (s, a) => {
      const op1 = s.let(s.zext(s.xsp(a.n), a.w));
      const op2 = s.c(a.imm);
      const r = sub ? s.sub(op1, op2, a.w) : s.add(op1, op2, a.w);
      if (!setFlags) {
        s.setXsp(a.d, r, a.w);
        return;
      }
      if (sub) s.flagsSub(op1, op2, a.w);
      else s.flagsAdd(op1, op2, a.w);
      s.setX(a.d, r, a.w);
    });

// ---- Logical (immediate): sf opc 100100 N immr imms Rn Rd ----

interface LogicalImm { readonly w: Width; readonly imm: bigint; readonly n: number; readonly d: number }

const logicalImm = (name: string, pattern: string, opc: number): InsnSpec<LogicalImm> =>
  insn<'sf' | 'N' | 'immr' | 'imms' | 'Rn' | 'Rd', LogicalImm>(name, pattern,
    (f) => {
      const w = widthOf(f.sf);
      if (w === 32 && f.N !== 0) return undefined;
      const masks = decodeBitMasks(f.N, f.imms, f.immr, true, w);
      return masks === undefined ? undefined : { w, imm: masks.wmask, n: f.Rn, d: f.Rd };
    },
    (s, a) => logical(s, opc, s.zext(s.x(a.n), a.w), s.c(a.imm), a.d, a.w, true));

// ---- Move wide (immediate): sf opc 100101 hw imm16 Rd ----

interface MoveWide {
  readonly w: Width;
  /** imm16 shifted into place (MOVZ, MOVK), or its NOT (MOVN). */
  readonly imm: bigint;
  /** The bits MOVK keeps. */
  readonly keep: bigint;
  readonly d: number;
}

const moveWide = (name: string, pattern: string, invert: boolean, exec: Exec<MoveWide>): InsnSpec<MoveWide> =>
  insn<'sf' | 'hw' | 'imm16' | 'Rd', MoveWide>(name, pattern,
    (f) => {
      const w = widthOf(f.sf);
      if (w === 32 && f.hw >= 2) return undefined;
      const pos = BigInt(16 * f.hw);
      const imm = BigInt(f.imm16) << pos;
      return { w, imm: invert ? ~imm & ones(w) : imm, keep: ~(0xffffn << pos) & ones(w), d: f.Rd };
    },
    exec);

const MOVN = moveWide('MOVN', 'sf:1 00 100101 hw:2 imm16:16 Rd:5', true, (s, a) => s.setX(a.d, s.c(a.imm), a.w));
const MOVZ = moveWide('MOVZ', 'sf:1 10 100101 hw:2 imm16:16 Rd:5', false, (s, a) => s.setX(a.d, s.c(a.imm), a.w));
const MOVK = moveWide('MOVK', 'sf:1 11 100101 hw:2 imm16:16 Rd:5', false,
  (s, a) => s.setX(a.d, s.or(s.and(s.x(a.d), s.c(a.keep)), s.c(a.imm)), a.w));

// ---- Bitfield: sf opc 100110 N immr imms Rn Rd ----

interface Bitfield {
  readonly w: Width; readonly r: number; readonly s: number; readonly wmask: bigint; readonly tmask: bigint;
  /** NOT wmask, NOT tmask and wmask AND tmask on w bits (computed once, with the masks). */
  readonly notW: bigint; readonly notT: bigint; readonly both: bigint;
  readonly n: number; readonly d: number;
}

const bitfield = (name: string, pattern: string, exec: Exec<Bitfield>): InsnSpec<Bitfield> =>
  insn<'sf' | 'N' | 'immr' | 'imms' | 'Rn' | 'Rd', Bitfield>(name, pattern,
    (f) => {
      const w = widthOf(f.sf);
      // N must equal sf; the 32-bit forms need immr<5> = imms<5> = 0.
      if (f.N !== f.sf || (w === 32 && (f.immr >= 32 || f.imms >= 32))) return undefined;
      const masks = decodeBitMasks(f.N, f.imms, f.immr, false, w);
      if (masks === undefined) return undefined;
      const { wmask, tmask } = masks;
      return {
        w, r: f.immr, s: f.imms, wmask, tmask, notW: ~wmask & ones(w), notT: ~tmask & ones(w), both: wmask & tmask,
        n: f.Rn, d: f.Rd,
      };
    },
    exec);

const SBFM = bitfield('SBFM', 'sf:1 00 100110 N:1 immr:6 imms:6 Rn:5 Rd:5', (s, a) => {
  const src = s.let(s.zext(s.x(a.n), a.w));
  const bot = s.and(s.shift(3, src, a.r, a.w), s.c(a.both));
  // top = Replicate(src<s>): all ones where tmask is clear when the sign bit src<s> is set.
  const sign = s.and(s.shift(1, src, a.s, a.w), s.c(1n));
  const top = s.and(s.sub(s.c(0n), sign, a.w), s.c(a.notT));
  s.setX(a.d, s.or(bot, top), a.w);
});

const BFM = bitfield('BFM', 'sf:1 01 100110 N:1 immr:6 imms:6 Rn:5 Rd:5', (s, a) => {
  const dst = s.let(s.zext(s.x(a.d), a.w));
  const src = s.zext(s.x(a.n), a.w);
  const bot = s.or(s.and(dst, s.c(a.notW)), s.and(s.shift(3, src, a.r, a.w), s.c(a.wmask)));
  s.setX(a.d, s.or(s.and(dst, s.c(a.notT)), s.and(bot, s.c(a.tmask))), a.w);
});

const UBFM = bitfield('UBFM', 'sf:1 10 100110 N:1 immr:6 imms:6 Rn:5 Rd:5', (s, a) => {
  const src = s.zext(s.x(a.n), a.w);
  s.setX(a.d, s.and(s.shift(3, src, a.r, a.w), s.c(a.both)), a.w);
});

// ---- Extract: sf op21 100111 N o0 Rm imms Rn Rd ----

const EXTR = insn<'sf' | 'N' | 'Rm' | 'imms' | 'Rn' | 'Rd', { w: Width; lsb: number; m: number; n: number; d: number }>(
  'EXTR', 'sf:1 00 100111 N:1 0 Rm:5 imms:6 Rn:5 Rd:5',
  (f) => {
    const w = widthOf(f.sf);
    if (f.N !== f.sf || f.imms >= w) return undefined;
    return { w, lsb: f.imms, m: f.Rm, n: f.Rn, d: f.Rd };
  },
  (s, a) => {
    const lo = s.zext(s.x(a.m), a.w);
    if (a.lsb === 0) {
      s.setX(a.d, lo, a.w);
      return;
    }
    const hi = s.zext(s.x(a.n), a.w);
    s.setX(a.d, s.or(s.shift(1, lo, a.lsb, a.w), s.shift(0, hi, a.w - a.lsb, a.w)), a.w);
  });

/** The class's rows in decode order. */
export const DP_IMMEDIATE_SPECS: readonly AnyInsnSpec[] = [
  ADR, ADRP,
  addSubImm('ADD (immediate)', 'sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5', false, false),
  addSubImm('ADDS (immediate)', 'sf:1 0 1 100010 sh:1 imm12:12 Rn:5 Rd:5', false, true),
  addSubImm('SUB (immediate)', 'sf:1 1 0 100010 sh:1 imm12:12 Rn:5 Rd:5', true, false),
  addSubImm('SUBS (immediate)', 'sf:1 1 1 100010 sh:1 imm12:12 Rn:5 Rd:5', true, true),
  // Add/subtract (immediate, with tags): ADDG and SUBG (FEAT_MTE) are decoded by insn/mte.ts; FEAT_CSSC's min/max
  // (immediate) is not implemented: UNDEFINED.
  logicalImm('AND (immediate)', 'sf:1 00 100100 N:1 immr:6 imms:6 Rn:5 Rd:5', 0),
  logicalImm('ORR (immediate)', 'sf:1 01 100100 N:1 immr:6 imms:6 Rn:5 Rd:5', 1),
  logicalImm('EOR (immediate)', 'sf:1 10 100100 N:1 immr:6 imms:6 Rn:5 Rd:5', 2),
  logicalImm('ANDS (immediate)', 'sf:1 11 100100 N:1 immr:6 imms:6 Rn:5 Rd:5', 3),
  // Move wide: opc = 01 is unallocated.
  MOVN, MOVZ, MOVK,
  // Bitfield: opc = 11 is unallocated.
  SBFM, BFM, UBFM,
  // Extract: op21 != 00 or o0 = 1 is unallocated.
  EXTR,
];
