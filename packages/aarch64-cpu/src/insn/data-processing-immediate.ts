/**
 * A64 instruction class "Data processing -- immediate" (Arm ARM C4.1.86; op0 bits [28:26] = 100): PC-relative
 * addressing, add/subtract (immediate), logical (immediate), move wide, bitfield and extract.
 *
 * Not implemented, and so UNDEFINED because no row matches them:
 * - Add/subtract (immediate, with tags): ADDG, SUBG (sf=1 op S=0 100011 0 uimm6 op3 uimm4 Rn Rd). FEAT_MTE: the MTE
 *   rows for them are in insn/mte.ts, not in this table.
 * - Min/max (immediate): SMAX, SMIN, UMAX, UMIN (sf op S 100011 1 opc imm8 Rn Rd). FEAT_CSSC is not advertised.
 * - Data-processing (1 source immediate) (FEAT_PAuth_LR, bits [30:23] = 11 100111). Pointer authentication is not
 *   implemented.
 *
 * Register 31: Rn is SP for ADD/SUB (immediate); Rd is SP for ADD/SUB (immediate) without flags and for AND/ORR/EOR
 * (immediate); it is XZR everywhere else.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow, Handler } from '../decode.js';
import { undefinedInstruction } from '../undefined.js';
import { addWithCarry, not, trunc } from './common.js';

const M32 = 0xffff_ffffn;

// ---------------------------------------------------------------------------------------------------------------
// DecodeBitMasks, memoised per (N, immr, imms): 8192 keys, each computed on first use. The masks are the 64-bit
// replication; a 32-bit operation uses their low 32 bits (esize <= 32 there, so that is the 32-bit replication).

const BITMASK_W = new BigUint64Array(8192);
const BITMASK_T = new BigUint64Array(8192);
const BITMASK_DONE = new Uint8Array(8192);

/** HighestSetBit(N:NOT(imms)), the log2 of the element size; < 1 is reserved. */
function bitmaskLen(n: number, imms: number): number {
  return 31 - Math.clz32((n << 6) | (~imms & 0x3f));
}

/** Fill the memo for key = N:immr:imms (13 bits). The caller has checked len >= 1. */
function computeBitMasks(key: number): void {
  const n = key >>> 12;
  const immr = (key >>> 6) & 0x3f;
  const imms = key & 0x3f;
  const len = bitmaskLen(n, imms);
  const esize = 1 << len;
  const levels = esize - 1;
  const s = imms & levels;
  const r = immr & levels;
  const d = (s - r) & levels;
  const emask = (1n << BigInt(esize)) - 1n;
  const welem = (1n << BigInt(s + 1)) - 1n;
  // ROR(welem, r) within esize bits.
  let w = r === 0 ? welem : ((welem >> BigInt(r)) | (welem << BigInt(esize - r))) & emask;
  let t = (1n << BigInt(d + 1)) - 1n;
  for (let size = esize; size < 64; size *= 2) {
    w |= w << BigInt(size);
    t |= t << BigInt(size);
  }
  BITMASK_W[key] = w;
  BITMASK_T[key] = t;
  BITMASK_DONE[key] = 1;
}

/** wmask of DecodeBitMasks for the instruction's N:immr:imms (bits [22:10]). */
export function wmaskOf(insn: number): bigint {
  const key = (insn >>> 10) & 0x1fff;
  if (BITMASK_DONE[key] === 0) computeBitMasks(key);
  return BITMASK_W[key]!;
}

/** tmask of DecodeBitMasks for the instruction's N:immr:imms (bits [22:10]). */
export function tmaskOf(insn: number): bigint {
  const key = (insn >>> 10) & 0x1fff;
  if (BITMASK_DONE[key] === 0) computeBitMasks(key);
  return BITMASK_T[key]!;
}

/** ROR of a `datasize`-bit value by `r` (0 <= r < datasize). */
function ror(v: bigint, r: number, datasize: number): bigint {
  if (r === 0) return v;
  return trunc((v >> BigInt(r)) | (v << BigInt(datasize - r)), datasize);
}

/** NZCV for the logical flag-setting instructions: N and Z from the result, C = V = 0. */
function setLogicalFlags(cpu: Cpu, result: bigint, datasize: number): void {
  const nbit = Number((result >> BigInt(datasize - 1)) & 1n);
  cpu.nzcv = (nbit << 3) | (result === 0n ? 4 : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// PC-rel. addressing

const ADR: Handler = (cpu, insn) => {
  const imm = (((insn >> 5) & 0x7ffff) << 2) | ((insn >>> 29) & 3); // immhi:immlo, 21 bits
  const off = (imm << 11) >> 11; // sign-extend from 21 bits
  cpu.setXr(insn & 31, BigInt.asUintN(64, cpu.pc + BigInt(off)));
};

const ADRP: Handler = (cpu, insn) => {
  const imm = (((insn >> 5) & 0x7ffff) << 2) | ((insn >>> 29) & 3);
  const pages = (imm << 11) >> 11;
  cpu.setXr(insn & 31, BigInt.asUintN(64, (cpu.pc & ~0xfffn) + (BigInt(pages) << 12n)));
};

// ---------------------------------------------------------------------------------------------------------------
// Add/subtract (immediate)

function addSubImmediate(cpu: Cpu, insn: number, sub: boolean, setFlags: boolean): void {
  const datasize = insn >>> 31 !== 0 ? 64 : 32; // sf is bit 31 (insn is an unsigned word)
  let imm = BigInt((insn >>> 10) & 0xfff);
  if ((insn & (1 << 22)) !== 0) imm <<= 12n;
  const op1 = trunc(cpu.xs((insn >>> 5) & 31), datasize);
  const result = sub
    ? addWithCarry(cpu, op1, not(imm, datasize), 1, datasize, setFlags)
    : addWithCarry(cpu, op1, imm, 0, datasize, setFlags);
  const d = insn & 31;
  if (setFlags) cpu.setXr(d, result);
  else cpu.setXs(d, result);
}

const ADD_imm: Handler = (cpu, insn) => addSubImmediate(cpu, insn, false, false);
const ADDS_imm: Handler = (cpu, insn) => addSubImmediate(cpu, insn, false, true);
const SUB_imm: Handler = (cpu, insn) => addSubImmediate(cpu, insn, true, false);
const SUBS_imm: Handler = (cpu, insn) => addSubImmediate(cpu, insn, true, true);

// ---------------------------------------------------------------------------------------------------------------
// Logical (immediate)

/** Decode checks and the immediate of a logical (immediate) instruction; UNDEFINED for the reserved encodings. */
export function logicalImm(insn: number, datasize: number): bigint {
  const n = (insn >>> 22) & 1;
  if (datasize === 32 && n !== 0) undefinedInstruction();
  const imms = (insn >>> 10) & 0x3f;
  const len = bitmaskLen(n, imms);
  if (len < 1) undefinedInstruction();
  const levels = (1 << len) - 1;
  if ((imms & levels) === levels) undefinedInstruction();
  const w = wmaskOf(insn);
  return datasize === 64 ? w : w & M32;
}

const AND_imm: Handler = (cpu, insn) => {
  const datasize = insn >>> 31 !== 0 ? 64 : 32;
  const imm = logicalImm(insn, datasize);
  cpu.setXs(insn & 31, cpu.xr((insn >>> 5) & 31) & imm);
};

const ORR_imm: Handler = (cpu, insn) => {
  const datasize = insn >>> 31 !== 0 ? 64 : 32;
  const imm = logicalImm(insn, datasize);
  cpu.setXs(insn & 31, trunc(cpu.xr((insn >>> 5) & 31), datasize) | imm);
};

const EOR_imm: Handler = (cpu, insn) => {
  const datasize = insn >>> 31 !== 0 ? 64 : 32;
  const imm = logicalImm(insn, datasize);
  cpu.setXs(insn & 31, trunc(cpu.xr((insn >>> 5) & 31), datasize) ^ imm);
};

const ANDS_imm: Handler = (cpu, insn) => {
  const datasize = insn >>> 31 !== 0 ? 64 : 32;
  const imm = logicalImm(insn, datasize);
  const result = cpu.xr((insn >>> 5) & 31) & imm;
  setLogicalFlags(cpu, result, datasize);
  cpu.setXr(insn & 31, result);
};

// ---------------------------------------------------------------------------------------------------------------
// Move wide (immediate)

/** The shift of a move wide instruction (hw * 16); UNDEFINED for hw<1> = 1 in the 32-bit forms. */
function moveWidePos(insn: number): number {
  const hw = (insn >>> 21) & 3;
  if (insn >>> 31 === 0 && hw >= 2) undefinedInstruction();
  return hw << 4;
}

const MOVN: Handler = (cpu, insn) => {
  const pos = moveWidePos(insn);
  const v = BigInt((insn >>> 5) & 0xffff) << BigInt(pos);
  cpu.setXr(insn & 31, not(v, insn >>> 31 !== 0 ? 64 : 32));
};

const MOVZ: Handler = (cpu, insn) => {
  const pos = moveWidePos(insn);
  cpu.setXr(insn & 31, BigInt((insn >>> 5) & 0xffff) << BigInt(pos));
};

const MOVK: Handler = (cpu, insn) => {
  const pos = BigInt(moveWidePos(insn));
  const d = insn & 31;
  const keep = trunc(cpu.xr(d), insn >>> 31 !== 0 ? 64 : 32) & ~(0xffffn << pos);
  cpu.setXr(d, keep | (BigInt((insn >>> 5) & 0xffff) << pos));
};

// ---------------------------------------------------------------------------------------------------------------
// Bitfield

/** The decode checks shared by SBFM, BFM and UBFM: N must equal sf; the 32-bit forms need immr<5> = imms<5> = 0. */
function bitfieldDatasize(insn: number): number {
  const n = (insn >>> 22) & 1;
  if (insn >>> 31 !== 0) {
    if (n !== 1) undefinedInstruction();
    return 64;
  }
  if (n !== 0 || (insn & ((1 << 21) | (1 << 15))) !== 0) undefinedInstruction();
  return 32;
}

const SBFM: Handler = (cpu, insn) => {
  const datasize = bitfieldDatasize(insn);
  const r = (insn >>> 16) & 0x3f;
  const s = (insn >>> 10) & 0x3f;
  let wmask = wmaskOf(insn);
  let tmask = tmaskOf(insn);
  if (datasize === 32) {
    wmask &= M32;
    tmask &= M32;
  }
  const src = trunc(cpu.xr((insn >>> 5) & 31), datasize);
  const bot = ror(src, r, datasize) & wmask;
  // top = Replicate(src<s>): where tmask is clear, the result is all ones if src<s> is set, else zeros.
  const result = ((src >> BigInt(s)) & 1n) !== 0n ? not(tmask, datasize) | (bot & tmask) : bot & tmask;
  cpu.setXr(insn & 31, result);
};

const BFM: Handler = (cpu, insn) => {
  const datasize = bitfieldDatasize(insn);
  const r = (insn >>> 16) & 0x3f;
  let wmask = wmaskOf(insn);
  let tmask = tmaskOf(insn);
  if (datasize === 32) {
    wmask &= M32;
    tmask &= M32;
  }
  const d = insn & 31;
  const dst = trunc(cpu.xr(d), datasize);
  const src = trunc(cpu.xr((insn >>> 5) & 31), datasize);
  const bot = (dst & not(wmask, datasize)) | (ror(src, r, datasize) & wmask);
  cpu.setXr(d, (dst & not(tmask, datasize)) | (bot & tmask));
};

const UBFM: Handler = (cpu, insn) => {
  const datasize = bitfieldDatasize(insn);
  const r = (insn >>> 16) & 0x3f;
  const src = trunc(cpu.xr((insn >>> 5) & 31), datasize);
  // wmask and tmask beyond bit 31 are cut off by the 32-bit ROR result.
  cpu.setXr(insn & 31, ror(src, r, datasize) & wmaskOf(insn) & tmaskOf(insn));
};

// ---------------------------------------------------------------------------------------------------------------
// Extract

const EXTR: Handler = (cpu, insn) => {
  const n = (insn >>> 22) & 1;
  const lsb = (insn >>> 10) & 0x3f;
  let datasize: number;
  if (insn >>> 31 !== 0) {
    if (n !== 1) undefinedInstruction();
    datasize = 64;
  } else {
    if (n !== 0 || lsb >= 32) undefinedInstruction();
    datasize = 32;
  }
  const hi = trunc(cpu.xr((insn >>> 5) & 31), datasize);
  const lo = trunc(cpu.xr((insn >>> 16) & 31), datasize);
  const result = lsb === 0 ? lo : trunc((lo >> BigInt(lsb)) | (hi << BigInt(datasize - lsb)), datasize);
  cpu.setXr(insn & 31, result);
};

// ---------------------------------------------------------------------------------------------------------------

export const DATA_PROCESSING_IMMEDIATE: readonly EncodingRow[] = [
  // PC-rel. addressing: op immlo 10000 immhi Rd
  { name: 'ADR', pattern: '0 ll 10000 hhhhhhhhhhhhhhhhhhh ddddd', exec: ADR },
  { name: 'ADRP', pattern: '1 ll 10000 hhhhhhhhhhhhhhhhhhh ddddd', exec: ADRP },
  // Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd
  { name: 'ADD (immediate)', pattern: 'f 0 0 100010 h iiiiiiiiiiii nnnnn ddddd', exec: ADD_imm },
  { name: 'ADDS (immediate)', pattern: 'f 0 1 100010 h iiiiiiiiiiii nnnnn ddddd', exec: ADDS_imm },
  { name: 'SUB (immediate)', pattern: 'f 1 0 100010 h iiiiiiiiiiii nnnnn ddddd', exec: SUB_imm },
  { name: 'SUBS (immediate)', pattern: 'f 1 1 100010 h iiiiiiiiiiii nnnnn ddddd', exec: SUBS_imm },
  // Add/subtract (immediate, with tags): sf op S 100011 0 ... -- ADDG and SUBG (FEAT_MTE) are decoded by insn/mte.ts;
  // every other encoding of the class matches no row and is UNDEFINED.
  // Min/max (immediate): sf op S 100011 1 ... -- FEAT_CSSC, not implemented: UNDEFINED.
  // Logical (immediate): sf opc 100100 N immr imms Rn Rd
  { name: 'AND (immediate)', pattern: 'f 00 100100 N rrrrrr ssssss nnnnn ddddd', exec: AND_imm },
  { name: 'ORR (immediate)', pattern: 'f 01 100100 N rrrrrr ssssss nnnnn ddddd', exec: ORR_imm },
  { name: 'EOR (immediate)', pattern: 'f 10 100100 N rrrrrr ssssss nnnnn ddddd', exec: EOR_imm },
  { name: 'ANDS (immediate)', pattern: 'f 11 100100 N rrrrrr ssssss nnnnn ddddd', exec: ANDS_imm },
  // Move wide (immediate): sf opc 100101 hw imm16 Rd; opc = 01 is unallocated.
  { name: 'MOVN', pattern: 'f 00 100101 ww iiiiiiiiiiiiiiii ddddd', exec: MOVN },
  { name: 'MOVZ', pattern: 'f 10 100101 ww iiiiiiiiiiiiiiii ddddd', exec: MOVZ },
  { name: 'MOVK', pattern: 'f 11 100101 ww iiiiiiiiiiiiiiii ddddd', exec: MOVK },
  // Bitfield: sf opc 100110 N immr imms Rn Rd; opc = 11 is unallocated.
  { name: 'SBFM', pattern: 'f 00 100110 N rrrrrr ssssss nnnnn ddddd', exec: SBFM },
  { name: 'BFM', pattern: 'f 01 100110 N rrrrrr ssssss nnnnn ddddd', exec: BFM },
  { name: 'UBFM', pattern: 'f 10 100110 N rrrrrr ssssss nnnnn ddddd', exec: UBFM },
  // Extract: sf op21 100111 N o0 Rm imms Rn Rd; op21 != 00 or o0 = 1 is unallocated.
  { name: 'EXTR', pattern: 'f 00 100111 N 0 mmmmm ssssss nnnnn ddddd', exec: EXTR },
];
