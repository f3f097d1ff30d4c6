/**
 * A64 instruction class "Data processing -- register" (Arm ARM C4.1.95; op0 bits [27:25] = 101): logical (shifted
 * register), add/subtract (shifted and extended register), add/subtract with carry, conditional compare,
 * conditional select, and data-processing with one, two and three sources.
 *
 * Not implemented, and so UNDEFINED because no row matches them (or, for reserved field values inside an
 * implemented row, because the handler raises it):
 * - SUBP, SUBPS, IRG, GMI (Data-processing (2 source), FEAT_MTE): not in this table; insn/mte.ts decodes them.
 * - PACGA and the Data-processing (1 source) PAC/AUT/XPAC group: pointer authentication is not implemented.
 * - RMIF, SETF8, SETF16: FEAT_FlagM is not advertised.
 * - ABS, CNT, CTZ, SMAX, SMIN, UMAX, UMIN (register): FEAT_CSSC is not advertised.
 * - ADDPT, SUBPT, MADDPT, MSUBPT: FEAT_CPA is not implemented.
 *
 * Register 31 is XZR for every operand here except Rd (when not setting flags) and Rn of ADD/SUB (extended
 * register), which are SP.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow, Handler } from '../decode.js';
import { undefinedInstruction } from '../undefined.js';
import { addWithCarry, extendValue, not, shiftValue, trunc } from './common.js';

const M32 = 0xffff_ffffn;

/** 64 if the sf bit (31) of the unsigned instruction word is set, else 32. */
function sfSize(insn: number): number {
  return insn >>> 31 !== 0 ? 64 : 32;
}

/** NZCV for the logical flag-setting instructions: N and Z from the result, C = V = 0. */
function setLogicalFlags(cpu: Cpu, result: bigint, datasize: number): void {
  const nbit = Number((result >> BigInt(datasize - 1)) & 1n);
  cpu.nzcv = (nbit << 3) | (result === 0n ? 4 : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd

/** ShiftReg(m, shift, imm6) with the decode check: UNDEFINED for imm6<5> = 1 in the 32-bit forms. */
function shiftedOperand(cpu: Cpu, insn: number, datasize: number): bigint {
  const amount = (insn >>> 10) & 0x3f;
  if (datasize === 32 && amount >= 32) undefinedInstruction();
  return shiftValue(trunc(cpu.xr((insn >>> 16) & 31), datasize), (insn >>> 22) & 3, amount, datasize);
}

const AND_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = shiftedOperand(cpu, insn, ds);
  cpu.setXr(insn & 31, cpu.xr((insn >>> 5) & 31) & op2);
};
const BIC_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = not(shiftedOperand(cpu, insn, ds), ds);
  cpu.setXr(insn & 31, cpu.xr((insn >>> 5) & 31) & op2);
};
const ORR_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = shiftedOperand(cpu, insn, ds);
  cpu.setXr(insn & 31, trunc(cpu.xr((insn >>> 5) & 31), ds) | op2);
};
const ORN_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = not(shiftedOperand(cpu, insn, ds), ds);
  cpu.setXr(insn & 31, trunc(cpu.xr((insn >>> 5) & 31), ds) | op2);
};
const EOR_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = shiftedOperand(cpu, insn, ds);
  cpu.setXr(insn & 31, trunc(cpu.xr((insn >>> 5) & 31), ds) ^ op2);
};
const EON_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = not(shiftedOperand(cpu, insn, ds), ds);
  cpu.setXr(insn & 31, trunc(cpu.xr((insn >>> 5) & 31), ds) ^ op2);
};
const ANDS_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = shiftedOperand(cpu, insn, ds);
  const result = cpu.xr((insn >>> 5) & 31) & op2;
  setLogicalFlags(cpu, result, ds);
  cpu.setXr(insn & 31, result);
};
const BICS_reg: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op2 = not(shiftedOperand(cpu, insn, ds), ds);
  const result = cpu.xr((insn >>> 5) & 31) & op2;
  setLogicalFlags(cpu, result, ds);
  cpu.setXr(insn & 31, result);
};

// ---------------------------------------------------------------------------------------------------------------
// Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd

function addSubShifted(cpu: Cpu, insn: number, sub: boolean, setFlags: boolean): void {
  const ds = sfSize(insn);
  if (((insn >>> 22) & 3) === 3) undefinedInstruction(); // shift = ROR is reserved
  let op2 = shiftedOperand(cpu, insn, ds);
  const op1 = trunc(cpu.xr((insn >>> 5) & 31), ds);
  if (sub) op2 = not(op2, ds);
  cpu.setXr(insn & 31, addWithCarry(cpu, op1, op2, sub ? 1 : 0, ds, setFlags));
}

const ADD_shift: Handler = (cpu, insn) => addSubShifted(cpu, insn, false, false);
const ADDS_shift: Handler = (cpu, insn) => addSubShifted(cpu, insn, false, true);
const SUB_shift: Handler = (cpu, insn) => addSubShifted(cpu, insn, true, false);
const SUBS_shift: Handler = (cpu, insn) => addSubShifted(cpu, insn, true, true);

// ---------------------------------------------------------------------------------------------------------------
// Add/subtract (extended register): sf op S 01011 opt=00 1 Rm option imm3 Rn Rd

function addSubExtended(cpu: Cpu, insn: number, sub: boolean, setFlags: boolean): void {
  const ds = sfSize(insn);
  const shift = (insn >>> 10) & 7;
  if (shift > 4) undefinedInstruction();
  const option = (insn >>> 13) & 7;
  let op2 = extendValue(trunc(cpu.xr((insn >>> 16) & 31), ds), option, shift, ds);
  const op1 = trunc(cpu.xs((insn >>> 5) & 31), ds);
  if (sub) op2 = not(op2, ds);
  const result = addWithCarry(cpu, op1, op2, sub ? 1 : 0, ds, setFlags);
  if (setFlags) cpu.setXr(insn & 31, result);
  else cpu.setXs(insn & 31, result);
}

const ADD_ext: Handler = (cpu, insn) => addSubExtended(cpu, insn, false, false);
const ADDS_ext: Handler = (cpu, insn) => addSubExtended(cpu, insn, false, true);
const SUB_ext: Handler = (cpu, insn) => addSubExtended(cpu, insn, true, false);
const SUBS_ext: Handler = (cpu, insn) => addSubExtended(cpu, insn, true, true);

// ---------------------------------------------------------------------------------------------------------------
// Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd

function addSubCarry(cpu: Cpu, insn: number, sub: boolean, setFlags: boolean): void {
  const ds = sfSize(insn);
  const op1 = trunc(cpu.xr((insn >>> 5) & 31), ds);
  let op2 = trunc(cpu.xr((insn >>> 16) & 31), ds);
  if (sub) op2 = not(op2, ds);
  cpu.setXr(insn & 31, addWithCarry(cpu, op1, op2, (cpu.nzcv >>> 1) & 1, ds, setFlags));
}

const ADC: Handler = (cpu, insn) => addSubCarry(cpu, insn, false, false);
const ADCS: Handler = (cpu, insn) => addSubCarry(cpu, insn, false, true);
const SBC: Handler = (cpu, insn) => addSubCarry(cpu, insn, true, false);
const SBCS: Handler = (cpu, insn) => addSubCarry(cpu, insn, true, true);

// ---------------------------------------------------------------------------------------------------------------
// Conditional compare: sf op 1 11010010 Rm|imm5 cond 0|1 o2=0 Rn o3=0 nzcv

function condCompare(cpu: Cpu, insn: number, sub: boolean, op2: bigint): void {
  if (!cpu.condHolds((insn >>> 12) & 15)) {
    cpu.nzcv = insn & 15;
    return;
  }
  const ds = sfSize(insn);
  const op1 = trunc(cpu.xr((insn >>> 5) & 31), ds);
  if (sub) addWithCarry(cpu, op1, not(op2, ds), 1, ds, true);
  else addWithCarry(cpu, op1, op2, 0, ds, true);
}

const CCMN_reg: Handler = (cpu, insn) =>
  condCompare(cpu, insn, false, trunc(cpu.xr((insn >>> 16) & 31), sfSize(insn)));
const CCMP_reg: Handler = (cpu, insn) =>
  condCompare(cpu, insn, true, trunc(cpu.xr((insn >>> 16) & 31), sfSize(insn)));
const CCMN_imm: Handler = (cpu, insn) => condCompare(cpu, insn, false, BigInt((insn >>> 16) & 31));
const CCMP_imm: Handler = (cpu, insn) => condCompare(cpu, insn, true, BigInt((insn >>> 16) & 31));

// ---------------------------------------------------------------------------------------------------------------
// Conditional select: sf op 0 11010100 Rm cond op2 Rn Rd

const CSEL: Handler = (cpu, insn) => {
  const r = cpu.condHolds((insn >>> 12) & 15) ? (insn >>> 5) & 31 : (insn >>> 16) & 31;
  cpu.setXr(insn & 31, trunc(cpu.xr(r), sfSize(insn)));
};
const CSINC: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const v = cpu.condHolds((insn >>> 12) & 15)
    ? trunc(cpu.xr((insn >>> 5) & 31), ds)
    : trunc(cpu.xr((insn >>> 16) & 31) + 1n, ds);
  cpu.setXr(insn & 31, v);
};
const CSINV: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const v = cpu.condHolds((insn >>> 12) & 15)
    ? trunc(cpu.xr((insn >>> 5) & 31), ds)
    : not(cpu.xr((insn >>> 16) & 31), ds);
  cpu.setXr(insn & 31, v);
};
const CSNEG: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const v = cpu.condHolds((insn >>> 12) & 15)
    ? trunc(cpu.xr((insn >>> 5) & 31), ds)
    : trunc(-cpu.xr((insn >>> 16) & 31), ds);
  cpu.setXr(insn & 31, v);
};

// ---------------------------------------------------------------------------------------------------------------
// Data-processing (1 source): sf 1 S=0 11010110 opcode2=00000 opcode Rn Rd

/** Reverse the bits of a 32-bit Number. */
function rbit32(x: number): number {
  x = ((x >>> 1) & 0x5555_5555) | ((x & 0x5555_5555) << 1);
  x = ((x >>> 2) & 0x3333_3333) | ((x & 0x3333_3333) << 2);
  x = ((x >>> 4) & 0x0f0f_0f0f) | ((x & 0x0f0f_0f0f) << 4);
  x = ((x >>> 8) & 0x00ff_00ff) | ((x & 0x00ff_00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/** Reverse the bytes of a 32-bit Number. */
function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

/** Swap the bytes within each halfword of a 32-bit Number. */
function rev16x32(x: number): number {
  return (((x & 0x00ff_00ff) << 8) | ((x >>> 8) & 0x00ff_00ff)) >>> 0;
}

function lo32(v: bigint): number {
  return Number(v & M32);
}
function hi32(v: bigint): number {
  return Number(v >> 32n);
}
function join(hi: number, lo: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** CountLeadingZeroBits of a 64-bit value. */
function clz64(v: bigint): number {
  const hi = hi32(v);
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo32(v));
}

const RBIT: Handler = (cpu, insn) => {
  const v = cpu.xr((insn >>> 5) & 31);
  cpu.setXr(insn & 31, insn >>> 31 !== 0 ? join(rbit32(lo32(v)), rbit32(hi32(v))) : BigInt(rbit32(lo32(v))));
};

const REV16: Handler = (cpu, insn) => {
  const v = cpu.xr((insn >>> 5) & 31);
  cpu.setXr(insn & 31, insn >>> 31 !== 0 ? join(rev16x32(hi32(v)), rev16x32(lo32(v))) : BigInt(rev16x32(lo32(v))));
};

/** REV32 (64-bit only): reverse the bytes in each word. */
const REV32: Handler = (cpu, insn) => {
  const v = cpu.xr((insn >>> 5) & 31);
  cpu.setXr(insn & 31, join(bswap32(hi32(v)), bswap32(lo32(v))));
};

/** REV: reverse the bytes of the whole register (sf=0, opc=10 and sf=1, opc=11). */
const REV: Handler = (cpu, insn) => {
  const v = cpu.xr((insn >>> 5) & 31);
  cpu.setXr(insn & 31, insn >>> 31 !== 0 ? join(bswap32(lo32(v)), bswap32(hi32(v))) : BigInt(bswap32(lo32(v))));
};

const CLZ: Handler = (cpu, insn) => {
  const v = cpu.xr((insn >>> 5) & 31);
  cpu.setXr(insn & 31, BigInt(insn >>> 31 !== 0 ? clz64(v) : Math.clz32(lo32(v))));
};

const CLS: Handler = (cpu, insn) => {
  const v = cpu.xr((insn >>> 5) & 31);
  let count: number;
  if (insn >>> 31 !== 0) {
    // CountLeadingZeroBits(x<63:1> EOR x<62:0>): bit 63 of x ^ (x >> 1) is 0, so clz64 counts one bit too many.
    count = clz64((v ^ (v >> 1n)) & 0x7fff_ffff_ffff_ffffn) - 1;
  } else {
    const x = lo32(v) | 0;
    count = Math.clz32(x ^ (x >> 1)) - 1;
  }
  cpu.setXr(insn & 31, BigInt(count));
};

// ---------------------------------------------------------------------------------------------------------------
// Data-processing (2 source): sf 0 S=0 11010110 Rm opcode Rn Rd

const UDIV: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op1 = trunc(cpu.xr((insn >>> 5) & 31), ds);
  const op2 = trunc(cpu.xr((insn >>> 16) & 31), ds);
  cpu.setXr(insn & 31, op2 === 0n ? 0n : op1 / op2);
};

const SDIV: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const op1 = BigInt.asIntN(ds, cpu.xr((insn >>> 5) & 31));
  const op2 = BigInt.asIntN(ds, cpu.xr((insn >>> 16) & 31));
  // BigInt division rounds towards zero; INT_MIN / -1 = 2^(ds-1), which wraps back to INT_MIN.
  cpu.setXr(insn & 31, op2 === 0n ? 0n : trunc(op1 / op2, ds));
};

function shiftVariable(cpu: Cpu, insn: number, type: number): void {
  const ds = sfSize(insn);
  const amount = Number(cpu.xr((insn >>> 16) & 31) & (ds === 64 ? 63n : 31n)); // UInt(Rm) MOD datasize
  cpu.setXr(insn & 31, shiftValue(trunc(cpu.xr((insn >>> 5) & 31), ds), type, amount, ds));
}

const LSLV: Handler = (cpu, insn) => shiftVariable(cpu, insn, 0);
const LSRV: Handler = (cpu, insn) => shiftVariable(cpu, insn, 1);
const ASRV: Handler = (cpu, insn) => shiftVariable(cpu, insn, 2);
const RORV: Handler = (cpu, insn) => shiftVariable(cpu, insn, 3);

/**
 * CRC32 and CRC32C. The pseudocode's BitReverse(Poly32Mod2(BitReverse(acc):Zeros(size) EOR
 * BitReverse(val):Zeros(32), poly)) is the bit-reflected CRC of `val` (least significant byte first) starting from
 * `acc`, with no pre- or post-inversion. These tables hold the remainder of each byte in that reflected form, with
 * the polynomials 0x04C11DB7 and 0x1EDC6F41 bit-reversed.
 */
function crcTable(poly: number): Uint32Array {
  const reflected = rbit32(poly);
  const table = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = (c & 1) !== 0 ? (c >>> 1) ^ reflected : c >>> 1;
    table[b] = c >>> 0;
  }
  return table;
}
const CRC32_TABLE = crcTable(0x04c1_1db7);
const CRC32C_TABLE = crcTable(0x1edc_6f41);

/** Fold `bytes` bytes of `val` (least significant first) into the reflected CRC `acc`. */
function crcBytes(table: Uint32Array, acc: number, val: number, bytes: number): number {
  for (let i = 0; i < bytes; i++) {
    acc = table[(acc ^ val) & 0xff]! ^ (acc >>> 8);
    val >>>= 8;
  }
  return acc >>> 0;
}

/** CRC32{B,H,W,X} and CRC32C{B,H,W,X}: `bytes` is 1 << sz. */
function crc32(cpu: Cpu, insn: number, table: Uint32Array, bytes: number): void {
  const acc = lo32(cpu.xr((insn >>> 5) & 31));
  const val = cpu.xr((insn >>> 16) & 31);
  let r: number;
  if (bytes === 8) r = crcBytes(table, crcBytes(table, acc, lo32(val), 4), hi32(val), 4);
  else r = crcBytes(table, acc, lo32(val), bytes);
  cpu.setXr(insn & 31, BigInt(r));
}

const CRC32B: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 1);
const CRC32H: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 2);
const CRC32W: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 4);
const CRC32X: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 8);
const CRC32CB: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 1);
const CRC32CH: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 2);
const CRC32CW: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 4);
const CRC32CX: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 8);

// ---------------------------------------------------------------------------------------------------------------
// Data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd

const MADD: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const prod = cpu.xr((insn >>> 5) & 31) * cpu.xr((insn >>> 16) & 31);
  cpu.setXr(insn & 31, trunc(cpu.xr((insn >>> 10) & 31) + prod, ds));
};
const MSUB: Handler = (cpu, insn) => {
  const ds = sfSize(insn);
  const prod = cpu.xr((insn >>> 5) & 31) * cpu.xr((insn >>> 16) & 31);
  cpu.setXr(insn & 31, trunc(cpu.xr((insn >>> 10) & 31) - prod, ds));
};

function signedWordProduct(cpu: Cpu, insn: number): bigint {
  return BigInt.asIntN(32, cpu.xr((insn >>> 5) & 31)) * BigInt.asIntN(32, cpu.xr((insn >>> 16) & 31));
}
function unsignedWordProduct(cpu: Cpu, insn: number): bigint {
  return (cpu.xr((insn >>> 5) & 31) & M32) * (cpu.xr((insn >>> 16) & 31) & M32);
}

const SMADDL: Handler = (cpu, insn) =>
  cpu.setXr(insn & 31, BigInt.asUintN(64, cpu.xr((insn >>> 10) & 31) + signedWordProduct(cpu, insn)));
const SMSUBL: Handler = (cpu, insn) =>
  cpu.setXr(insn & 31, BigInt.asUintN(64, cpu.xr((insn >>> 10) & 31) - signedWordProduct(cpu, insn)));
const UMADDL: Handler = (cpu, insn) =>
  cpu.setXr(insn & 31, BigInt.asUintN(64, cpu.xr((insn >>> 10) & 31) + unsignedWordProduct(cpu, insn)));
const UMSUBL: Handler = (cpu, insn) =>
  cpu.setXr(insn & 31, BigInt.asUintN(64, cpu.xr((insn >>> 10) & 31) - unsignedWordProduct(cpu, insn)));

const SMULH: Handler = (cpu, insn) => {
  const prod = BigInt.asIntN(64, cpu.xr((insn >>> 5) & 31)) * BigInt.asIntN(64, cpu.xr((insn >>> 16) & 31));
  cpu.setXr(insn & 31, BigInt.asUintN(64, prod >> 64n));
};
const UMULH: Handler = (cpu, insn) => {
  const prod = cpu.xr((insn >>> 5) & 31) * cpu.xr((insn >>> 16) & 31);
  cpu.setXr(insn & 31, prod >> 64n);
};

// ---------------------------------------------------------------------------------------------------------------

export const DATA_PROCESSING_REGISTER: readonly EncodingRow[] = [
  // Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd
  { name: 'AND (shifted register)', pattern: 'f 00 01010 tt 0 mmmmm iiiiii nnnnn ddddd', exec: AND_reg },
  { name: 'BIC (shifted register)', pattern: 'f 00 01010 tt 1 mmmmm iiiiii nnnnn ddddd', exec: BIC_reg },
  { name: 'ORR (shifted register)', pattern: 'f 01 01010 tt 0 mmmmm iiiiii nnnnn ddddd', exec: ORR_reg },
  { name: 'ORN (shifted register)', pattern: 'f 01 01010 tt 1 mmmmm iiiiii nnnnn ddddd', exec: ORN_reg },
  { name: 'EOR (shifted register)', pattern: 'f 10 01010 tt 0 mmmmm iiiiii nnnnn ddddd', exec: EOR_reg },
  { name: 'EON (shifted register)', pattern: 'f 10 01010 tt 1 mmmmm iiiiii nnnnn ddddd', exec: EON_reg },
  { name: 'ANDS (shifted register)', pattern: 'f 11 01010 tt 0 mmmmm iiiiii nnnnn ddddd', exec: ANDS_reg },
  { name: 'BICS (shifted register)', pattern: 'f 11 01010 tt 1 mmmmm iiiiii nnnnn ddddd', exec: BICS_reg },
  // Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd
  { name: 'ADD (shifted register)', pattern: 'f 0 0 01011 tt 0 mmmmm iiiiii nnnnn ddddd', exec: ADD_shift },
  { name: 'ADDS (shifted register)', pattern: 'f 0 1 01011 tt 0 mmmmm iiiiii nnnnn ddddd', exec: ADDS_shift },
  { name: 'SUB (shifted register)', pattern: 'f 1 0 01011 tt 0 mmmmm iiiiii nnnnn ddddd', exec: SUB_shift },
  { name: 'SUBS (shifted register)', pattern: 'f 1 1 01011 tt 0 mmmmm iiiiii nnnnn ddddd', exec: SUBS_shift },
  // Add/subtract (extended register): sf op S 01011 opt 1 Rm option imm3 Rn Rd; opt != 00 is unallocated
  // (FEAT_CPA's ADDPT/SUBPT use opt = 01).
  { name: 'ADD (extended register)', pattern: 'f 0 0 01011 00 1 mmmmm ooo iii nnnnn ddddd', exec: ADD_ext },
  { name: 'ADDS (extended register)', pattern: 'f 0 1 01011 00 1 mmmmm ooo iii nnnnn ddddd', exec: ADDS_ext },
  { name: 'SUB (extended register)', pattern: 'f 1 0 01011 00 1 mmmmm ooo iii nnnnn ddddd', exec: SUB_ext },
  { name: 'SUBS (extended register)', pattern: 'f 1 1 01011 00 1 mmmmm ooo iii nnnnn ddddd', exec: SUBS_ext },
  // Add/subtract (with carry): sf op S 11010000 Rm 000000 Rn Rd
  { name: 'ADC', pattern: 'f 0 0 11010000 mmmmm 000000 nnnnn ddddd', exec: ADC },
  { name: 'ADCS', pattern: 'f 0 1 11010000 mmmmm 000000 nnnnn ddddd', exec: ADCS },
  { name: 'SBC', pattern: 'f 1 0 11010000 mmmmm 000000 nnnnn ddddd', exec: SBC },
  { name: 'SBCS', pattern: 'f 1 1 11010000 mmmmm 000000 nnnnn ddddd', exec: SBCS },
  // Rotate right into flags (RMIF) and Evaluate into flags (SETF8, SETF16): FEAT_FlagM, not advertised: UNDEFINED.
  // Conditional compare (register / immediate): sf op 1 11010010 Rm|imm5 cond 0|1 o2 Rn o3 nzcv; o2 = 1 or
  // o3 = 1 or S = 0 is unallocated.
  { name: 'CCMN (register)', pattern: 'f 0 1 11010010 mmmmm cccc 0 0 nnnnn 0 vvvv', exec: CCMN_reg },
  { name: 'CCMP (register)', pattern: 'f 1 1 11010010 mmmmm cccc 0 0 nnnnn 0 vvvv', exec: CCMP_reg },
  { name: 'CCMN (immediate)', pattern: 'f 0 1 11010010 iiiii cccc 1 0 nnnnn 0 vvvv', exec: CCMN_imm },
  { name: 'CCMP (immediate)', pattern: 'f 1 1 11010010 iiiii cccc 1 0 nnnnn 0 vvvv', exec: CCMP_imm },
  // Conditional select: sf op S 11010100 Rm cond op2 Rn Rd; S = 1 or op2<1> = 1 is unallocated.
  { name: 'CSEL', pattern: 'f 0 0 11010100 mmmmm cccc 00 nnnnn ddddd', exec: CSEL },
  { name: 'CSINC', pattern: 'f 0 0 11010100 mmmmm cccc 01 nnnnn ddddd', exec: CSINC },
  { name: 'CSINV', pattern: 'f 1 0 11010100 mmmmm cccc 00 nnnnn ddddd', exec: CSINV },
  { name: 'CSNEG', pattern: 'f 1 0 11010100 mmmmm cccc 01 nnnnn ddddd', exec: CSNEG },
  // Data-processing (2 source): sf 0 S 11010110 Rm opcode Rn Rd.
  // SUBP (000000), SUBPS (S=1), IRG (000100), GMI (000101): FEAT_MTE, decoded by insn/mte.ts.
  // PACGA (001100): pointer authentication, not implemented. SMAX/UMAX/SMIN/UMIN (0110xx): FEAT_CSSC, not advertised.
  { name: 'UDIV', pattern: 'f 0 0 11010110 mmmmm 000010 nnnnn ddddd', exec: UDIV },
  { name: 'SDIV', pattern: 'f 0 0 11010110 mmmmm 000011 nnnnn ddddd', exec: SDIV },
  { name: 'LSLV', pattern: 'f 0 0 11010110 mmmmm 001000 nnnnn ddddd', exec: LSLV },
  { name: 'LSRV', pattern: 'f 0 0 11010110 mmmmm 001001 nnnnn ddddd', exec: LSRV },
  { name: 'ASRV', pattern: 'f 0 0 11010110 mmmmm 001010 nnnnn ddddd', exec: ASRV },
  { name: 'RORV', pattern: 'f 0 0 11010110 mmmmm 001011 nnnnn ddddd', exec: RORV },
  // CRC32: sz = 11 needs sf = 1, and sf = 1 needs sz = 11.
  { name: 'CRC32B', pattern: '0 0 0 11010110 mmmmm 010000 nnnnn ddddd', exec: CRC32B },
  { name: 'CRC32H', pattern: '0 0 0 11010110 mmmmm 010001 nnnnn ddddd', exec: CRC32H },
  { name: 'CRC32W', pattern: '0 0 0 11010110 mmmmm 010010 nnnnn ddddd', exec: CRC32W },
  { name: 'CRC32X', pattern: '1 0 0 11010110 mmmmm 010011 nnnnn ddddd', exec: CRC32X },
  { name: 'CRC32CB', pattern: '0 0 0 11010110 mmmmm 010100 nnnnn ddddd', exec: CRC32CB },
  { name: 'CRC32CH', pattern: '0 0 0 11010110 mmmmm 010101 nnnnn ddddd', exec: CRC32CH },
  { name: 'CRC32CW', pattern: '0 0 0 11010110 mmmmm 010110 nnnnn ddddd', exec: CRC32CW },
  { name: 'CRC32CX', pattern: '1 0 0 11010110 mmmmm 010111 nnnnn ddddd', exec: CRC32CX },
  // Data-processing (1 source): sf 1 S 11010110 opcode2 opcode Rn Rd.
  // opcode2 = 00001 (PAC*, AUT*, XPAC*): pointer authentication, not implemented. CTZ (000110), CNT (000111),
  // ABS (001000): FEAT_CSSC, not advertised.
  { name: 'RBIT', pattern: 'f 1 0 11010110 00000 000000 nnnnn ddddd', exec: RBIT },
  { name: 'REV16', pattern: 'f 1 0 11010110 00000 000001 nnnnn ddddd', exec: REV16 },
  { name: 'REV', pattern: '0 1 0 11010110 00000 000010 nnnnn ddddd', exec: REV },
  { name: 'REV32', pattern: '1 1 0 11010110 00000 000010 nnnnn ddddd', exec: REV32 },
  { name: 'REV', pattern: '1 1 0 11010110 00000 000011 nnnnn ddddd', exec: REV },
  { name: 'CLZ', pattern: 'f 1 0 11010110 00000 000100 nnnnn ddddd', exec: CLZ },
  { name: 'CLS', pattern: 'f 1 0 11010110 00000 000101 nnnnn ddddd', exec: CLS },
  // Data-processing (3 source): sf op54 11011 op31 Rm o0 Ra Rn Rd. op54 != 00, op31 = 011 (FEAT_CPA's
  // MADDPT/MSUBPT), 010/110 with o0 = 1, 100, 111, and the 64-bit-only forms with sf = 0 are unallocated.
  { name: 'MADD', pattern: 'f 00 11011 000 mmmmm 0 aaaaa nnnnn ddddd', exec: MADD },
  { name: 'MSUB', pattern: 'f 00 11011 000 mmmmm 1 aaaaa nnnnn ddddd', exec: MSUB },
  { name: 'SMADDL', pattern: '1 00 11011 001 mmmmm 0 aaaaa nnnnn ddddd', exec: SMADDL },
  { name: 'SMSUBL', pattern: '1 00 11011 001 mmmmm 1 aaaaa nnnnn ddddd', exec: SMSUBL },
  // SMULH and UMULH: Ra is (1)(1)(1)(1)(1); other values are CONSTRAINED UNPREDICTABLE, and the model takes the
  // UNDEFINED option (as QEMU does).
  { name: 'SMULH', pattern: '1 00 11011 010 mmmmm 0 11111 nnnnn ddddd', exec: SMULH },
  { name: 'UMADDL', pattern: '1 00 11011 101 mmmmm 0 aaaaa nnnnn ddddd', exec: UMADDL },
  { name: 'UMSUBL', pattern: '1 00 11011 101 mmmmm 1 aaaaa nnnnn ddddd', exec: UMSUBL },
  { name: 'UMULH', pattern: '1 00 11011 110 mmmmm 0 11111 nnnnn ddddd', exec: UMULH },
];
