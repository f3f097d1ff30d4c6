/**
 * WebAssembly translations of the integer data-processing rows (insn/data-processing-*.ts), keyed by the decode
 * table's row names: the block compiler finds an instruction's row with the one A64 decoder (decode-a64.ts) and
 * looks its translation up here, so there is no second decoder. A translation returns false, before emitting
 * anything, for an encoding it leaves to the interpreter handler (reserved and UNDEFINED corners included: the
 * handler raises them exactly).
 *
 * Each translation is the row's semantics (the Arm ARM pseudocode the handler implements) over i64 values: a
 * 32-bit form computes on the zero-extended operands and truncates its result (`setX(.., 32, ..)`).
 */
import { FlagOp } from '../flags.js';
import { logicalImm, tmaskOf, wmaskOf } from '../insn/data-processing-immediate.js';
import { Op } from '../wasm/opcodes.js';
import { ValType, VOID_BLOCK } from '../wasm/types.js';
import type { BlockEmitter, Translator } from './block-emitter.js';

const { i64 } = ValType;
const M32 = 0xffff_ffffn;

const sfBits = (w: number): 32 | 64 => (w >>> 31 !== 0 ? 64 : 32);
const rd = (w: number): number => w & 31;
const rn = (w: number): number => (w >>> 5) & 31;
const rm = (w: number): number => (w >>> 16) & 31;

/** Push ShiftReg(Xm, type, amount) as a `bits`-bit operand (type 3 is ROR; callers exclude it where reserved). */
function shiftedReg(e: BlockEmitter, m: number, type: number, amount: number, bits: 32 | 64): void {
  const f = e.f;
  e.xb(m, bits);
  if (amount === 0) return;
  if (bits === 64) {
    f.i64Const(amount).op([Op.i64_shl, Op.i64_shr_u, Op.i64_shr_s, Op.i64_rotr][type]!);
    return;
  }
  // 32-bit: on the low word.
  f.op(Op.i32_wrap_i64).i32Const(amount).op([Op.i32_shl, Op.i32_shr_u, Op.i32_shr_s, Op.i32_rotr][type]!)
    .op(Op.i64_extend_i32_u);
}

/** Push ExtendReg(Xm, option, shift) as a `bits`-bit operand. */
function extendedReg(e: BlockEmitter, m: number, option: number, shift: number, bits: 32 | 64): void {
  const f = e.f;
  e.x(m);
  switch (option) {
    case 0: f.i64Const(0xff).op(Op.i64_and); break; // UXTB
    case 1: f.i64Const(0xffff).op(Op.i64_and); break; // UXTH
    case 2: e.zext32(); break; // UXTW
    case 3: break; // UXTX
    case 4: f.op(Op.i64_extend8_s); break; // SXTB
    case 5: f.op(Op.i64_extend16_s); break; // SXTH
    case 6: f.op(Op.i64_extend32_s); break; // SXTW
    default: break; // SXTX
  }
  if (shift !== 0) f.i64Const(shift).op(Op.i64_shl);
  if (bits === 32) e.zext32();
}

/** ADD/SUB/ADDS/SUBS of operands `a` and `b` into Rd (`spDest`: Rd 31 is SP for the non-flag forms). */
function addSub(e: BlockEmitter, w: number, sub: boolean, s: boolean, bits: 32 | 64, a: () => void, b: () => void,
  spDest: boolean): void {
  const f = e.f;
  const d = rd(w);
  const op = sub ? Op.i64_sub : Op.i64_add;
  if (!s) {
    const value = (): void => { a(); b(); f.op(op); };
    if (spDest) e.setXsp(d, bits, value);
    else e.setX(d, bits, value);
    return;
  }
  const flagOp = sub ? (bits === 64 ? FlagOp.Sub64 : FlagOp.Sub32) : bits === 64 ? FlagOp.Add64 : FlagOp.Add32;
  e.setFlags(flagOp, bits, a, b);
  e.setX(d, bits, () => { f.localGet(e.flagA).localGet(e.flagB).op(op); });
}

const addSubImm = (sub: boolean, s: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  let imm = (w >>> 10) & 0xfff;
  if ((w & (1 << 22)) !== 0) imm *= 4096;
  addSub(e, w, sub, s, bits, () => e.xspb(rn(w), bits), () => e.f.i64Const(imm), true);
  return true;
};

const addSubShifted = (sub: boolean, s: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const type = (w >>> 22) & 3;
  const amount = (w >>> 10) & 0x3f;
  if (type === 3 || amount >= bits) return false; // reserved: UNDEFINED
  addSub(e, w, sub, s, bits, () => e.xb(rn(w), bits), () => shiftedReg(e, rm(w), type, amount, bits), false);
  return true;
};

const addSubExtended = (sub: boolean, s: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const option = (w >>> 13) & 7;
  const shift = (w >>> 10) & 7;
  if (shift > 4) return false; // reserved
  addSub(e, w, sub, s, bits, () => e.xspb(rn(w), bits), () => extendedReg(e, rm(w), option, shift, bits), true);
  return true;
};

/** AND, ORR, EOR, ANDS (and the inverted forms) of Rn and operand `b`. */
function logical(e: BlockEmitter, w: number, opc: number, bits: 32 | 64, b: () => void, spDest: boolean): void {
  const f = e.f;
  const d = rd(w);
  const op = [Op.i64_and, Op.i64_or, Op.i64_xor, Op.i64_and][opc]!;
  const value = (): void => { e.xb(rn(w), bits); b(); f.op(op); };
  if (opc !== 3) {
    if (spDest) e.setXsp(d, bits, value);
    else e.setX(d, bits, value);
    return;
  }
  e.setFlags(bits === 64 ? FlagOp.Logic64 : FlagOp.Logic32, bits, value);
  e.setX(d, bits, () => { f.localGet(e.flagA); });
}

const logicalShifted = (opc: number, invert: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const type = (w >>> 22) & 3;
  const amount = (w >>> 10) & 0x3f;
  if (amount >= bits) return false; // reserved
  logical(e, w, opc, bits, () => {
    shiftedReg(e, rm(w), type, amount, bits);
    if (invert) e.f.i64Const(bits === 64 ? -1 : 0xffff_ffff).op(Op.i64_xor);
  }, false);
  return true;
};

const logicalImmediate = (opc: number): Translator => (e, w) => {
  const bits = sfBits(w);
  let imm: bigint;
  try {
    imm = logicalImm(w, bits);
  } catch {
    return false; // reserved: the handler raises UNDEFINED
  }
  logical(e, w, opc, bits, () => e.f.i64Const(imm), true);
  return true;
};

const moveWide = (opc: number): Translator => (e, w) => {
  const bits = sfBits(w);
  const hw = (w >>> 21) & 3;
  if (bits === 32 && hw >= 2) return false;
  const pos = BigInt(16 * hw);
  const imm = BigInt((w >>> 5) & 0xffff) << pos;
  const lim = bits === 64 ? (1n << 64n) - 1n : M32;
  const d = rd(w);
  const f = e.f;
  if (opc === 0) e.setX(d, bits, () => f.i64Const(~imm & lim)); // MOVN
  else if (opc === 2) e.setX(d, bits, () => f.i64Const(imm)); // MOVZ
  else e.setX(d, bits, () => { e.x(d); f.i64Const(~(0xffffn << pos) & lim).op(Op.i64_and).i64Const(imm).op(Op.i64_or); });
  return true;
};

/** The decode checks of SBFM/BFM/UBFM (N must equal sf; 32-bit forms need immr<5> = imms<5> = 0). */
function bitfieldOk(w: number): boolean {
  const n = (w >>> 22) & 1;
  if (w >>> 31 !== 0) return n === 1;
  return n === 0 && (w & ((1 << 21) | (1 << 15))) === 0;
}

/** Push ROR(Rn as a `bits`-bit value, r). */
function rorRn(e: BlockEmitter, w: number, r: number, bits: 32 | 64): void {
  const f = e.f;
  e.xb(rn(w), bits);
  if (r === 0) return;
  if (bits === 64) f.i64Const(r).op(Op.i64_rotr);
  else f.op(Op.i32_wrap_i64).i32Const(r).op(Op.i32_rotr).op(Op.i64_extend_i32_u);
}

const bitfield = (opc: number): Translator => (e, w) => {
  if (!bitfieldOk(w)) return false;
  const bits = sfBits(w);
  const f = e.f;
  const r = (w >>> 16) & 0x3f;
  const s = (w >>> 10) & 0x3f;
  const lim = bits === 64 ? (1n << 64n) - 1n : M32;
  const wmask = wmaskOf(w) & lim;
  const tmask = tmaskOf(w) & lim;
  const d = rd(w);
  if (opc === 2) {
    // UBFM: ROR(src, r) AND wmask AND tmask.
    e.setX(d, bits, () => { rorRn(e, w, r, bits); f.i64Const(wmask & tmask).op(Op.i64_and); });
  } else if (opc === 0) {
    // SBFM: (bot AND tmask) OR (Replicate(src<s>) AND NOT tmask), bot = ROR(src, r) AND wmask.
    e.setX(d, bits, () => {
      rorRn(e, w, r, bits);
      f.i64Const(wmask & tmask).op(Op.i64_and);
      f.i64Const(0);
      e.xb(rn(w), bits);
      f.i64Const(s).op(Op.i64_shr_u).i64Const(1).op(Op.i64_and).op(Op.i64_sub); // 0 or all ones
      f.i64Const(~tmask & lim).op(Op.i64_and).op(Op.i64_or);
    });
  } else {
    // BFM: bot = (dst AND NOT wmask) OR (ROR(src, r) AND wmask); result = (dst AND NOT tmask) OR (bot AND tmask).
    e.setX(d, bits, () => {
      e.xb(d, bits);
      f.i64Const(~wmask & lim).op(Op.i64_and);
      rorRn(e, w, r, bits);
      f.i64Const(wmask).op(Op.i64_and).op(Op.i64_or);
      f.i64Const(tmask).op(Op.i64_and);
      e.xb(d, bits);
      f.i64Const(~tmask & lim).op(Op.i64_and).op(Op.i64_or);
    });
  }
  return true;
};

const extr: Translator = (e, w) => {
  const n = (w >>> 22) & 1;
  const lsb = (w >>> 10) & 0x3f;
  const bits = sfBits(w);
  if (bits === 64 ? n !== 1 : n !== 0 || lsb >= 32) return false;
  const f = e.f;
  e.setX(rd(w), bits, () => {
    if (lsb === 0) {
      e.xb(rm(w), bits);
      return;
    }
    e.xb(rm(w), bits);
    f.i64Const(lsb).op(Op.i64_shr_u);
    e.xb(rn(w), bits);
    f.i64Const(bits - lsb).op(Op.i64_shl).op(Op.i64_or);
  });
  return true;
};

const adr = (page: boolean): Translator => (e, w) => {
  const imm = ((((w >>> 5) & 0x7ffff) << 2) | ((w >>> 29) & 3)) << 11 >> 11; // SignExtend(immhi:immlo, 21)
  const v = page ? (e.pc & ~0xfffn) + (BigInt(imm) << 12n) : e.pc + BigInt(imm);
  e.setX(rd(w), 64, () => e.f.i64Const(BigInt.asUintN(64, v)));
  return true;
};

/** CSEL, CSINC, CSINV, CSNEG: Rd = cond ? Rn : op(Rm). */
const condSelect = (inv: boolean, inc: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  const cond = (w >>> 12) & 0xf;
  e.setX(rd(w), bits, () => {
    e.xb(rn(w), bits);
    e.xb(rm(w), bits);
    if (inv) f.i64Const(-1).op(Op.i64_xor);
    if (inc) f.i64Const(1).op(Op.i64_add); // CSINC: x + 1; CSNEG: NOT(x) + 1
    e.cond(cond);
    f.op(Op.select);
  });
  return true;
};

/** CCMP/CCMN (register or immediate): flags of Rn - op2 (or Rn + op2) when cond holds, else #nzcv. */
const condCompare = (sub: boolean, imm: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  const cond = (w >>> 12) & 0xf;
  const nzcv = w & 0xf;
  const flagOp = sub ? (bits === 64 ? FlagOp.Sub64 : FlagOp.Sub32) : bits === 64 ? FlagOp.Add64 : FlagOp.Add32;
  // The operands are read before the branch: a register first loaded inside one arm would not be cached on the other.
  e.xb(rn(w), bits);
  f.localSet(e.a);
  if (imm) f.i64Const(rm(w));
  else e.xb(rm(w), bits);
  f.localSet(e.b);
  e.cond(cond);
  f.if(VOID_BLOCK);
  e.setFlags(flagOp, bits, () => f.localGet(e.a), () => f.localGet(e.b));
  f.else();
  e.setNzcv(nzcv);
  f.end();
  e.clearPending();
  return true;
};

const mulAdd = (sub: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  const ra = (w >>> 10) & 31;
  e.setX(rd(w), bits, () => {
    e.x(ra);
    e.x(rn(w));
    e.x(rm(w));
    f.op(Op.i64_mul).op(sub ? Op.i64_sub : Op.i64_add);
  });
  return true;
};

/** SMADDL, SMSUBL, UMADDL, UMSUBL: Xa +/- Wn * Wm, both extended to 64 bits. */
const mulAddLong = (signed: boolean, sub: boolean): Translator => (e, w) => {
  const f = e.f;
  const ra = (w >>> 10) & 31;
  const ext = (n: number): void => {
    e.x(n);
    if (signed) f.op(Op.i64_extend32_s);
    else e.zext32();
  };
  e.setX(rd(w), 64, () => {
    e.x(ra);
    ext(rn(w));
    ext(rm(w));
    f.op(Op.i64_mul).op(sub ? Op.i64_sub : Op.i64_add);
  });
  return true;
};

/**
 * UMULH/SMULH: the high 64 bits of the 128-bit product, from four 32 x 32 -> 64 partial products (wasm has no
 * wider multiply); SMULH corrects the unsigned result: minus Xm when Xn is negative, minus Xn when Xm is.
 */
const mulHigh = (signed: boolean): Translator => (e, w) => {
  const f = e.f;
  const lo = (l: number): void => { f.localGet(l).i64Const(0xffff_ffff).op(Op.i64_and); };
  const hi = (l: number): void => { f.localGet(l).i64Const(32).op(Op.i64_shr_u); };
  e.x(rn(w));
  f.localSet(e.a);
  e.x(rm(w));
  f.localSet(e.b);
  lo(e.a); lo(e.b); f.op(Op.i64_mul).localSet(e.r); // aL bL
  lo(e.a); hi(e.b); f.op(Op.i64_mul).localSet(e.v); // aL bH
  hi(e.a); lo(e.b); f.op(Op.i64_mul).localSet(e.va); // aH bL
  // mid = (aL bL >> 32) + low32(aL bH) + low32(aH bL): below 3 * 2^32, no overflow
  hi(e.r); lo(e.v); f.op(Op.i64_add); lo(e.va); f.op(Op.i64_add).localSet(e.va2);
  e.setX(rd(w), 64, () => {
    hi(e.a); hi(e.b); f.op(Op.i64_mul);
    hi(e.v); f.op(Op.i64_add);
    hi(e.va); f.op(Op.i64_add);
    hi(e.va2); f.op(Op.i64_add);
    if (signed) {
      f.localGet(e.b).i64Const(0).localGet(e.a).i64Const(0).op(Op.i64_lt_s).op(Op.select).op(Op.i64_sub);
      f.localGet(e.a).i64Const(0).localGet(e.b).i64Const(0).op(Op.i64_lt_s).op(Op.select).op(Op.i64_sub);
    }
  });
  return true;
};

/** UDIV/SDIV: a zero divisor gives 0; SDIV of the most negative value by -1 gives that value. */
const divide = (signed: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  e.setX(rd(w), bits, () => {
    if (bits === 64) {
      e.x(rm(w));
      f.localSet(e.b);
      e.x(rn(w));
      f.localSet(e.a);
      f.localGet(e.b).op(Op.i64_eqz).if(i64).i64Const(0).else();
      if (signed) {
        f.localGet(e.b).i64Const(-1).op(Op.i64_eq).if(i64).i64Const(0).localGet(e.a).op(Op.i64_sub).else()
          .localGet(e.a).localGet(e.b).op(Op.i64_div_s).end();
      } else {
        f.localGet(e.a).localGet(e.b).op(Op.i64_div_u);
      }
      f.end();
      return;
    }
    e.x(rm(w));
    f.op(Op.i32_wrap_i64).localSet(e.c32);
    e.x(rn(w));
    f.op(Op.i32_wrap_i64).localSet(e.ha);
    f.localGet(e.c32).op(Op.i32_eqz).if(i64).i64Const(0).else();
    if (signed) {
      f.localGet(e.c32).i32Const(-1).op(Op.i32_eq).if(i64).i32Const(0).localGet(e.ha).op(Op.i32_sub)
        .op(Op.i64_extend_i32_u).else().localGet(e.ha).localGet(e.c32).op(Op.i32_div_s).op(Op.i64_extend_i32_u).end();
    } else {
      f.localGet(e.ha).localGet(e.c32).op(Op.i32_div_u).op(Op.i64_extend_i32_u);
    }
    f.end();
  });
  return true;
};

/** LSLV, LSRV, ASRV, RORV: the amount is Rm modulo the width (as wasm's shifts take it). */
const shiftVariable = (type: number): Translator => (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  e.setX(rd(w), bits, () => {
    if (bits === 64) {
      e.x(rn(w));
      e.x(rm(w));
      f.op([Op.i64_shl, Op.i64_shr_u, Op.i64_shr_s, Op.i64_rotr][type]!);
      return;
    }
    e.x(rn(w));
    f.op(Op.i32_wrap_i64);
    e.x(rm(w));
    f.op(Op.i32_wrap_i64).op([Op.i32_shl, Op.i32_shr_u, Op.i32_shr_s, Op.i32_rotr][type]!).op(Op.i64_extend_i32_u);
  });
  return true;
};

const clz: Translator = (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  e.setX(rd(w), bits, () => {
    e.x(rn(w));
    if (bits === 64) f.op(Op.i64_clz);
    else f.op(Op.i32_wrap_i64).op(Op.i32_clz).op(Op.i64_extend_i32_u);
  });
  return true;
};

/**
 * REV16, REV32, REV: byte reversal within halfwords, words, or the whole register (`container` undefined: REV, whose
 * 32-bit and 64-bit rows share the name).
 */
const reverse = (size?: 16 | 32): Translator => (e, w) => {
  const bits = sfBits(w);
  const container = size ?? bits;
  const f = e.f;
  // Swap adjacent bytes, then halfwords, then words, as far as the container reaches (each a mask-and-shift step).
  const steps: Array<[number, bigint]> = [[8, 0x00ff00ff00ff00ffn], [16, 0x0000ffff0000ffffn], [32, 0x00000000ffffffffn]];
  e.setX(rd(w), bits, () => {
    e.xb(rn(w), bits);
    f.localSet(e.a);
    for (const [sh, mask] of steps) {
      if (sh >= container) break;
      f.localGet(e.a).i64Const(sh).op(Op.i64_shr_u).i64Const(mask).op(Op.i64_and);
      f.localGet(e.a).i64Const(mask).op(Op.i64_and).i64Const(sh).op(Op.i64_shl).op(Op.i64_or).localSet(e.a);
    }
    f.localGet(e.a);
  });
  return true;
};

/** ADC, SBC: Rn + Rm + C, Rn + NOT(Rm) + C. */
const addCarry = (sub: boolean): Translator => (e, w) => {
  const bits = sfBits(w);
  const f = e.f;
  e.setX(rd(w), bits, () => {
    e.x(rn(w));
    e.x(rm(w));
    if (sub) f.i64Const(-1).op(Op.i64_xor);
    f.op(Op.i64_add);
    e.carry();
    f.op(Op.i64_add);
  });
  return true;
};

/** Translations by decode-table row name (insn/data-processing-immediate.ts, insn/data-processing-register.ts). */
export const DATA_PROCESSING_TRANSLATIONS: ReadonlyMap<string, Translator> = new Map<string, Translator>([
  ['ADD (immediate)', addSubImm(false, false)],
  ['ADDS (immediate)', addSubImm(false, true)],
  ['SUB (immediate)', addSubImm(true, false)],
  ['SUBS (immediate)', addSubImm(true, true)],
  ['ADD (shifted register)', addSubShifted(false, false)],
  ['ADDS (shifted register)', addSubShifted(false, true)],
  ['SUB (shifted register)', addSubShifted(true, false)],
  ['SUBS (shifted register)', addSubShifted(true, true)],
  ['ADD (extended register)', addSubExtended(false, false)],
  ['ADDS (extended register)', addSubExtended(false, true)],
  ['SUB (extended register)', addSubExtended(true, false)],
  ['SUBS (extended register)', addSubExtended(true, true)],
  ['AND (shifted register)', logicalShifted(0, false)],
  ['BIC (shifted register)', logicalShifted(0, true)],
  ['ORR (shifted register)', logicalShifted(1, false)],
  ['ORN (shifted register)', logicalShifted(1, true)],
  ['EOR (shifted register)', logicalShifted(2, false)],
  ['EON (shifted register)', logicalShifted(2, true)],
  ['ANDS (shifted register)', logicalShifted(3, false)],
  ['BICS (shifted register)', logicalShifted(3, true)],
  ['AND (immediate)', logicalImmediate(0)],
  ['ORR (immediate)', logicalImmediate(1)],
  ['EOR (immediate)', logicalImmediate(2)],
  ['ANDS (immediate)', logicalImmediate(3)],
  ['MOVN', moveWide(0)],
  ['MOVZ', moveWide(2)],
  ['MOVK', moveWide(3)],
  ['SBFM', bitfield(0)],
  ['BFM', bitfield(1)],
  ['UBFM', bitfield(2)],
  ['EXTR', extr],
  ['ADR', adr(false)],
  ['ADRP', adr(true)],
  ['CSEL', condSelect(false, false)],
  ['CSINC', condSelect(false, true)],
  ['CSINV', condSelect(true, false)],
  ['CSNEG', condSelect(true, true)],
  ['CCMN (register)', condCompare(false, false)],
  ['CCMP (register)', condCompare(true, false)],
  ['CCMN (immediate)', condCompare(false, true)],
  ['CCMP (immediate)', condCompare(true, true)],
  ['MADD', mulAdd(false)],
  ['MSUB', mulAdd(true)],
  ['SMADDL', mulAddLong(true, false)],
  ['SMSUBL', mulAddLong(true, true)],
  ['UMADDL', mulAddLong(false, false)],
  ['UMSUBL', mulAddLong(false, true)],
  ['UMULH', mulHigh(false)],
  ['SMULH', mulHigh(true)],
  ['UDIV', divide(false)],
  ['SDIV', divide(true)],
  ['LSLV', shiftVariable(0)],
  ['LSRV', shiftVariable(1)],
  ['ASRV', shiftVariable(2)],
  ['RORV', shiftVariable(3)],
  ['CLZ', clz],
  ['REV16', reverse(16)],
  ['REV32', reverse(32)],
  ['REV', reverse()],
  ['ADC', addCarry(false)],
  ['SBC', addCarry(true)],
]);
