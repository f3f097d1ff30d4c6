/**
 * A64 "Data processing -- register" (Arm ARM C4.1.95; op0 bits [27:25] = 101), the integer rows as specifications
 * (spec/spec.ts): logical (shifted register), add/subtract (shifted and extended register), add/subtract with carry,
 * conditional compare, conditional select, data-processing (1 and 2 source) except CRC32, data-processing
 * (3 source). insn/data-processing-register.ts makes them the decode table's rows, with the CRC32 handlers.
 *
 * Register 31 is XZR except for Rn and Rd of the extended-register add/subtract (SP; Rd only without flags).
 */
import { addWithCarryFlags, extendReg, logical, shiftReg, swapGroups } from './shared.js';
import type { Sem, ShiftType, Width } from './sem.js';
import { insn, widthOf, type AnyInsnSpec, type Exec, type InsnSpec } from './spec.js';

// ---- Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd ----

interface Shifted {
  readonly w: Width; readonly type: number; readonly amount: number; readonly m: number; readonly n: number;
  readonly d: number;
}

const shifted = (name: string, pattern: string, reserveRor: boolean, exec: Exec<Shifted>): InsnSpec<Shifted> =>
  insn<'sf' | 'shift' | 'Rm' | 'imm6' | 'Rn' | 'Rd', Shifted>(name, pattern,
    (f) => {
      const w = widthOf(f.sf);
      if (f.imm6 >= w || (reserveRor && f.shift === 3)) return undefined;
      return { w, type: f.shift, amount: f.imm6, m: f.Rm, n: f.Rn, d: f.Rd };
    },
    exec);

/** ShiftReg(Rm, shift, imm6) as a `w`-bit operand. */
const op2Shifted = <V, B>(s: Sem<V, B>, a: Shifted): V => shiftReg(s, s.zext(s.x(a.m), a.w), a.type, a.amount, a.w);

/** AND, ORR, EOR, ANDS (opc 0-3) of Rn and the shifted Rm, inverted first for BIC, ORN, EON, BICS. */
const logicalShifted = (name: string, pattern: string, opc: number, invert: boolean): InsnSpec<Shifted> =>
  shifted(name, pattern, false, (s, a) => {
    const op2 = invert ? s.not(op2Shifted(s, a), a.w) : op2Shifted(s, a);
    logical(s, opc, s.zext(s.x(a.n), a.w), op2, a.d, a.w, false);
  });

// ---- Add/subtract: shifted register (sf op S 01011 shift 0 ...), extended register (sf op S 01011 00 1 ...) ----

/** Rd = op1 +/- op2, with flags when `setFlags`; `spDest`: Rd 31 is SP (extended register without flags). */
function addSub<V, B>(s: Sem<V, B>, op1: V, op2: V, sub: boolean, setFlags: boolean, d: number, w: Width,
  spDest: boolean): void {
  const a = s.let(op1);
  const b = s.let(op2);
  const r = sub ? s.sub(a, b, w) : s.add(a, b, w);
  if (setFlags) {
    if (sub) s.flagsSub(a, b, w);
    else s.flagsAdd(a, b, w);
  }
  if (spDest && !setFlags) s.setXsp(d, r, w);
  else s.setX(d, r, w);
}

const addSubShifted = (name: string, pattern: string, sub: boolean, setFlags: boolean): InsnSpec<Shifted> =>
  shifted(name, pattern, true, (s, a) =>
    addSub(s, s.zext(s.x(a.n), a.w), op2Shifted(s, a), sub, setFlags, a.d, a.w, false));

interface Extended {
  readonly w: Width; readonly option: number; readonly shift: number; readonly m: number; readonly n: number;
  readonly d: number;
}

const addSubExtended = (name: string, pattern: string, sub: boolean, setFlags: boolean): InsnSpec<Extended> =>
  insn<'sf' | 'Rm' | 'option' | 'imm3' | 'Rn' | 'Rd', Extended>(name, pattern,
    (f) => (f.imm3 > 4 ? undefined : { w: widthOf(f.sf), option: f.option, shift: f.imm3, m: f.Rm, n: f.Rn, d: f.Rd }),
    (s, a) => addSub(s, s.zext(s.xsp(a.n), a.w), extendReg(s, s.x(a.m), a.option, a.shift, a.w), sub, setFlags, a.d,
      a.w, true));

// ---- Add/subtract with carry: sf op S 11010000 Rm 000000 Rn Rd ----

interface ThreeReg { readonly w: Width; readonly m: number; readonly n: number; readonly d: number }

const threeReg = (name: string, pattern: string, exec: Exec<ThreeReg>): InsnSpec<ThreeReg> =>
  insn<'sf' | 'Rm' | 'Rn' | 'Rd', ThreeReg>(name, pattern, (f) => ({ w: widthOf(f.sf), m: f.Rm, n: f.Rn, d: f.Rd }),
    exec);

const addCarry = (name: string, pattern: string, sub: boolean, setFlags: boolean): InsnSpec<ThreeReg> =>
  threeReg(name, pattern, (s, a) => {
    const op1 = s.let(s.zext(s.x(a.n), a.w));
    const m = s.zext(s.x(a.m), a.w);
    const op2 = s.let(sub ? s.not(m, a.w) : m);
    const carry = s.let(s.carry());
    const r = s.add(s.add(op1, op2, a.w), carry, a.w);
    if (setFlags) addWithCarryFlags(s, op1, op2, carry, a.w);
    s.setX(a.d, r, a.w);
  });

// ---- Conditional compare: sf op 1 11010010 Rm|imm5 cond 0|1 0 Rn 0 nzcv ----

interface CondCompare {
  readonly w: Width; readonly cond: number; readonly nzcv: number; readonly n: number;
  /** Register Rm, or -1 for the immediate form. */
  readonly m: number;
  readonly imm: bigint;
}

const condCompare = (name: string, pattern: string, sub: boolean, imm: boolean): InsnSpec<CondCompare> =>
  insn<'sf' | 'Rm' | 'imm5' | 'cond' | 'Rn' | 'nzcv', CondCompare>(name, pattern,
    (f) => ({ w: widthOf(f.sf), cond: f.cond, nzcv: f.nzcv, n: f.Rn, m: imm ? -1 : f.Rm, imm: imm ? BigInt(f.imm5) : 0n }),
    (s, a) => {
      const op1 = s.let(s.zext(s.x(a.n), a.w));
      const op2 = s.let(a.m < 0 ? s.c(a.imm) : s.zext(s.x(a.m), a.w));
      s.when(s.cond(a.cond),
        () => (sub ? s.flagsSub(op1, op2, a.w) : s.flagsAdd(op1, op2, a.w)),
        () => s.setNzcv(a.nzcv));
    });

// ---- Conditional select: sf op 0 11010100 Rm cond op2 Rn Rd ----

interface CondSelect {
  readonly w: Width; readonly cond: number; readonly m: number; readonly n: number; readonly d: number;
}

const condSelect = (name: string, pattern: string, inv: boolean, inc: boolean): InsnSpec<CondSelect> =>
  insn<'sf' | 'Rm' | 'cond' | 'Rn' | 'Rd', CondSelect>(name, pattern,
    (f) => ({ w: widthOf(f.sf), cond: f.cond, m: f.Rm, n: f.Rn, d: f.Rd }),
    (s, a) => {
      const t = s.cond(a.cond);
      let other = s.zext(s.x(a.m), a.w);
      if (inv) other = s.not(other, a.w);
      if (inc) other = s.add(other, s.c(1n), a.w); // CSINC: Rm + 1; CSNEG: NOT(Rm) + 1
      s.setX(a.d, s.select(t, s.zext(s.x(a.n), a.w), other), a.w);
    });

// ---- Data-processing (1 source): sf 1 0 11010110 00000 opcode Rn Rd ----

interface OneSource { readonly w: Width; readonly n: number; readonly d: number }

/** A one-source row; `fixed`: the width of a row without an sf field. */
const oneSource = (name: string, pattern: string, exec: Exec<OneSource>, fixed?: Width): InsnSpec<OneSource> =>
  insn<'sf' | 'Rn' | 'Rd', OneSource>(name, pattern, (f) => ({ w: fixed ?? widthOf(f.sf), n: f.Rn, d: f.Rd }), exec);

const RBIT = oneSource('RBIT', 'sf:1 1 0 11010110 00000 000000 Rn:5 Rd:5',
  (s, a) => s.setX(a.d, swapGroups(s, s.zext(s.x(a.n), a.w), 1, a.w, a.w), a.w));
const REV16 = oneSource('REV16', 'sf:1 1 0 11010110 00000 000001 Rn:5 Rd:5',
  (s, a) => s.setX(a.d, swapGroups(s, s.zext(s.x(a.n), a.w), 8, 16, a.w), a.w));
const REV_32 = oneSource('REV', '0 1 0 11010110 00000 000010 Rn:5 Rd:5',
  (s, a) => s.setX(a.d, swapGroups(s, s.zext(s.x(a.n), 32), 8, 32, 32), 32), 32);
const REV32 = oneSource('REV32', '1 1 0 11010110 00000 000010 Rn:5 Rd:5',
  (s, a) => s.setX(a.d, swapGroups(s, s.x(a.n), 8, 32, 64), 64), 64);
const REV_64 = oneSource('REV', '1 1 0 11010110 00000 000011 Rn:5 Rd:5',
  (s, a) => s.setX(a.d, swapGroups(s, s.x(a.n), 8, 64, 64), 64), 64);
const CLZ = oneSource('CLZ', 'sf:1 1 0 11010110 00000 000100 Rn:5 Rd:5',
  (s, a) => s.setX(a.d, s.clz(s.zext(s.x(a.n), a.w), a.w), a.w));
/** CLS: CountLeadingZeroBits(x<w-1:1> EOR x<w-2:0>), counted as a w-bit value whose top bit is 0, less one. */
const CLS = oneSource('CLS', 'sf:1 1 0 11010110 00000 000101 Rn:5 Rd:5', (s, a) => {
  const v = s.let(s.zext(s.x(a.n), a.w));
  const y = s.xor(s.shift(1, v, 1, a.w), s.and(v, s.c(a.w === 64 ? 0x7fff_ffff_ffff_ffffn : 0x7fff_ffffn)));
  s.setX(a.d, s.sub(s.clz(y, a.w), s.c(1n), a.w), a.w);
});

// ---- Data-processing (2 source): sf 0 0 11010110 Rm opcode Rn Rd (CRC32 in insn/data-processing-register.ts) ----

const divide = (name: string, pattern: string, signed: boolean): InsnSpec<ThreeReg> =>
  threeReg(name, pattern, (s, a) => {
    const op1 = s.zext(s.x(a.n), a.w);
    const op2 = s.zext(s.x(a.m), a.w);
    s.setX(a.d, signed ? s.sdiv(op1, op2, a.w) : s.udiv(op1, op2, a.w), a.w);
  });

const shiftVariable = (name: string, pattern: string, type: ShiftType): InsnSpec<ThreeReg> =>
  threeReg(name, pattern, (s, a) => s.setX(a.d, s.shiftBy(type, s.zext(s.x(a.n), a.w), s.x(a.m), a.w), a.w));

// ---- Data-processing (3 source): sf 00 11011 op31 Rm o0 Ra Rn Rd ----

interface FourReg extends ThreeReg { readonly ra: number }

/** A three-source row; `fixed`: the width of a row without an sf field. */
const fourReg = (name: string, pattern: string, exec: Exec<FourReg>, fixed?: Width): InsnSpec<FourReg> =>
  insn<'sf' | 'Rm' | 'Ra' | 'Rn' | 'Rd', FourReg>(name, pattern,
    (f) => ({ w: fixed ?? widthOf(f.sf), m: f.Rm, ra: f.Ra, n: f.Rn, d: f.Rd }), exec);

/** MADD, MSUB: Ra +/- Rn * Rm (add, sub and mul modulo 2^w depend only on their operands' low w bits). */
const mulAdd = (name: string, pattern: string, sub: boolean): InsnSpec<FourReg> =>
  fourReg(name, pattern, (s, a) => {
    const prod = s.mul(s.x(a.n), s.x(a.m), a.w);
    s.setX(a.d, sub ? s.sub(s.x(a.ra), prod, a.w) : s.add(s.x(a.ra), prod, a.w), a.w);
  });

/** SMADDL, SMSUBL, UMADDL, UMSUBL: Xa +/- Wn * Wm, both extended to 64 bits. */
const mulAddLong = (name: string, pattern: string, signed: boolean, sub: boolean): InsnSpec<FourReg> =>
  fourReg(name, pattern, (s, a) => {
    const ext = (r: number) => (signed ? s.sext(s.x(r), 32) : s.zext(s.x(r), 32));
    const prod = s.mul(ext(a.n), ext(a.m), 64);
    s.setX(a.d, sub ? s.sub(s.x(a.ra), prod, 64) : s.add(s.x(a.ra), prod, 64), 64);
  }, 64);

const mulHigh = (name: string, pattern: string, signed: boolean): InsnSpec<ThreeReg> =>
  insn<'Rm' | 'Rn' | 'Rd', ThreeReg>(name, pattern, (f) => ({ w: 64, m: f.Rm, n: f.Rn, d: f.Rd }),
    (s, a) => s.setX(a.d, s.mulh(s.x(a.n), s.x(a.m), signed), 64));

/** The integer rows of the class, by the names insn/data-processing-register.ts places them under. */
export const DP_REGISTER_SPECS = {
  // Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd
  logical: [
    logicalShifted('AND (shifted register)', 'sf:1 00 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', 0, false),
    logicalShifted('BIC (shifted register)', 'sf:1 00 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', 0, true),
    logicalShifted('ORR (shifted register)', 'sf:1 01 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', 1, false),
    logicalShifted('ORN (shifted register)', 'sf:1 01 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', 1, true),
    logicalShifted('EOR (shifted register)', 'sf:1 10 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', 2, false),
    logicalShifted('EON (shifted register)', 'sf:1 10 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', 2, true),
    logicalShifted('ANDS (shifted register)', 'sf:1 11 01010 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', 3, false),
    logicalShifted('BICS (shifted register)', 'sf:1 11 01010 shift:2 1 Rm:5 imm6:6 Rn:5 Rd:5', 3, true),
  ],
  // Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd. Add/subtract (extended register):
  // sf op S 01011 opt 1 Rm option imm3 Rn Rd; opt != 00 is unallocated (FEAT_CPA's ADDPT/SUBPT use opt = 01).
  addSub: [
    addSubShifted('ADD (shifted register)', 'sf:1 0 0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', false, false),
    addSubShifted('ADDS (shifted register)', 'sf:1 0 1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', false, true),
    addSubShifted('SUB (shifted register)', 'sf:1 1 0 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', true, false),
    addSubShifted('SUBS (shifted register)', 'sf:1 1 1 01011 shift:2 0 Rm:5 imm6:6 Rn:5 Rd:5', true, true),
    addSubExtended('ADD (extended register)', 'sf:1 0 0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', false, false),
    addSubExtended('ADDS (extended register)', 'sf:1 0 1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', false, true),
    addSubExtended('SUB (extended register)', 'sf:1 1 0 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', true, false),
    addSubExtended('SUBS (extended register)', 'sf:1 1 1 01011 00 1 Rm:5 option:3 imm3:3 Rn:5 Rd:5', true, true),
  ],
  // Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd. Rotate right into flags (RMIF) and Evaluate into
  // flags (SETF8, SETF16): FEAT_FlagM, not advertised: UNDEFINED.
  carry: [
    addCarry('ADC', 'sf:1 0 0 11010000 Rm:5 000000 Rn:5 Rd:5', false, false),
    addCarry('ADCS', 'sf:1 0 1 11010000 Rm:5 000000 Rn:5 Rd:5', false, true),
    addCarry('SBC', 'sf:1 1 0 11010000 Rm:5 000000 Rn:5 Rd:5', true, false),
    addCarry('SBCS', 'sf:1 1 1 11010000 Rm:5 000000 Rn:5 Rd:5', true, true),
  ],
  // Conditional compare (register / immediate): sf op 1 11010010 Rm|imm5 cond 0|1 o2 Rn o3 nzcv; o2 = 1 or
  // o3 = 1 or S = 0 is unallocated.
  condCompare: [
    condCompare('CCMN (register)', 'sf:1 0 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4', false, false),
    condCompare('CCMP (register)', 'sf:1 1 1 11010010 Rm:5 cond:4 0 0 Rn:5 0 nzcv:4', true, false),
    condCompare('CCMN (immediate)', 'sf:1 0 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4', false, true),
    condCompare('CCMP (immediate)', 'sf:1 1 1 11010010 imm5:5 cond:4 1 0 Rn:5 0 nzcv:4', true, true),
  ],
  // Conditional select: sf op S 11010100 Rm cond op2 Rn Rd; S = 1 or op2<1> = 1 is unallocated.
  condSelect: [
    condSelect('CSEL', 'sf:1 0 0 11010100 Rm:5 cond:4 00 Rn:5 Rd:5', false, false),
    condSelect('CSINC', 'sf:1 0 0 11010100 Rm:5 cond:4 01 Rn:5 Rd:5', false, true),
    condSelect('CSINV', 'sf:1 1 0 11010100 Rm:5 cond:4 00 Rn:5 Rd:5', true, false),
    condSelect('CSNEG', 'sf:1 1 0 11010100 Rm:5 cond:4 01 Rn:5 Rd:5', true, true),
  ],
  // Data-processing (2 source): sf 0 S 11010110 Rm opcode Rn Rd. SUBP (000000), SUBPS (S=1), IRG (000100), GMI
  // (000101): FEAT_MTE, decoded by insn/mte.ts. PACGA (001100): pointer authentication, not implemented.
  // SMAX/UMAX/SMIN/UMIN (0110xx): FEAT_CSSC, not advertised. CRC32 (010xxx): handlers in
  // insn/data-processing-register.ts.
  twoSource: [
    divide('UDIV', 'sf:1 0 0 11010110 Rm:5 000010 Rn:5 Rd:5', false),
    divide('SDIV', 'sf:1 0 0 11010110 Rm:5 000011 Rn:5 Rd:5', true),
    shiftVariable('LSLV', 'sf:1 0 0 11010110 Rm:5 001000 Rn:5 Rd:5', 0),
    shiftVariable('LSRV', 'sf:1 0 0 11010110 Rm:5 001001 Rn:5 Rd:5', 1),
    shiftVariable('ASRV', 'sf:1 0 0 11010110 Rm:5 001010 Rn:5 Rd:5', 2),
    shiftVariable('RORV', 'sf:1 0 0 11010110 Rm:5 001011 Rn:5 Rd:5', 3),
  ],
  // Data-processing (1 source): sf 1 S 11010110 opcode2 opcode Rn Rd. opcode2 = 00001 (PAC*, AUT*, XPAC*): pointer
  // authentication, not implemented. CTZ (000110), CNT (000111), ABS (001000): FEAT_CSSC, not advertised.
  oneSource: [RBIT, REV16, REV_32, REV32, REV_64, CLZ, CLS],
  // Data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd. op54 != 00, op31 = 011 (FEAT_CPA's
  // MADDPT/MSUBPT), 010/110 with o0 = 1, 100, 111, and the 64-bit-only forms with sf = 0 are unallocated.
  // SMULH and UMULH: Ra is (1)(1)(1)(1)(1); other values are CONSTRAINED UNPREDICTABLE, and the model takes the
  // UNDEFINED option (as QEMU does).
  threeSource: [
    mulAdd('MADD', 'sf:1 00 11011 000 Rm:5 0 Ra:5 Rn:5 Rd:5', false),
    mulAdd('MSUB', 'sf:1 00 11011 000 Rm:5 1 Ra:5 Rn:5 Rd:5', true),
    mulAddLong('SMADDL', '1 00 11011 001 Rm:5 0 Ra:5 Rn:5 Rd:5', true, false),
    mulAddLong('SMSUBL', '1 00 11011 001 Rm:5 1 Ra:5 Rn:5 Rd:5', true, true),
    mulHigh('SMULH', '1 00 11011 010 Rm:5 0 11111 Rn:5 Rd:5', true),
    mulAddLong('UMADDL', '1 00 11011 101 Rm:5 0 Ra:5 Rn:5 Rd:5', false, false),
    mulAddLong('UMSUBL', '1 00 11011 101 Rm:5 1 Ra:5 Rn:5 Rd:5', false, true),
    mulHigh('UMULH', '1 00 11011 110 Rm:5 0 11111 Rn:5 Rd:5', false),
  ],
} satisfies Record<string, readonly AnyInsnSpec[]>;
