/**
 * The SIMD&FP loads and stores (Arm ARM C4.1.x "Loads and Stores" with V = 1, and "Advanced SIMD load/store
 * multiple/single structures"): LDR/STR of B, H, S, D and Q registers (unsigned offset, unscaled, pre/post-index,
 * register offset, literal), LDP/STP/LDNP/STNP of S, D and Q, LD1-LD4/ST1-ST4 (multiple structures, and single
 * structures to one lane), LD1R-LD4R, each with its post-index form (immediate or Xm). LDR/STR other than literal,
 * LDP/STP/LDNP/STNP, LD1/ST1 (multiple structures) and LD1R are specifications (spec/simd-fp-loads-stores.ts), which the
 * WebAssembly tier emits inline; the others are handlers here.
 *
 * Conventions (as the general-purpose forms, insn/loads-and-stores.ts):
 * - Rn = 31 is SP, checked for 16-byte alignment (CheckSPAlignment). Accesses are tag checked when the pseudocode's
 *   `tagchecked` is TRUE: `wback || n != 31` for immediate offsets and structures, always for register offsets,
 *   never for literals.
 * - The architecture gives no valid data abort syndrome for SIMD&FP registers (ISV = 0), so `cpu.dabtIss` stays 0.
 * - A Q register is two 8-byte accesses (a MemoryPort access is at most 8 bytes); with SCTLR_EL1.A = 1 a Q access
 *   must be 16-byte aligned, checked here since the port sees only the halves. (A 16-byte access to Device memory
 *   that is 8-byte but not 16-byte aligned is not faulted: the port sees aligned halves. Known gap.)
 * - Registers are written as each access completes, in the order of the pseudocode (as QEMU 10 does): a fault in a
 *   later access leaves earlier registers of the same instruction written. LDR Q reads both halves first.
 * - CONSTRAINED UNPREDICTABLE: LDP/LDNP with Rt == Rt2 loads both, the second (higher address) last, as QEMU.
 */
import type { Cpu } from '../cpu.js';
import { sext, type EncodingRow, type Handler } from '../decode.js';
import { Acc, Fsc, MemoryFault } from '../ports.js';
import { SysReg } from '../sysregs.js';
import { baseReg } from './common.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { specRow } from '../spec/interp-sem.js';
import { SIMD_FP_LOAD_STORE_SPECS } from '../spec/simd-fp-loads-stores.js';

// ---------------------------------------------------------------------------------------------------------------
// Element access
// ---------------------------------------------------------------------------------------------------------------

/** Xn (or SP for 31) = v: the writeback of a pre/post-indexed form. */
function writeBack(cpu: Cpu, n: number, v: bigint): void {
  if (n === 31) cpu.setXs(31, v);
  else cpu.x[n] = v;
}

const add = (a: bigint, b: bigint): bigint => BigInt.asUintN(64, a + b);

/** SCTLR_EL1.A: alignment checking of every access (bit 1). */
const SCTLR_A = 2n;

/** The alignment fault a 16-byte access at an address that is not 16-byte aligned takes with SCTLR_EL1.A = 1. */
function checkQAlign(cpu: Cpu, addr: bigint, write: boolean): void {
  if ((addr & 15n) !== 0n && (cpu.sys[SysReg.SCTLR_EL1]! & SCTLR_A) !== 0n) {
    throw new MemoryFault(1, Fsc.Alignment, addr, write);
  }
}

/** Load lane `e` of Vt, of 2^size bytes (size <= 3), from `addr`; the rest of Vt is unchanged. */
function loadLane(cpu: Cpu, t: number, e: number, size: number, addr: bigint, flags: number): void {
  const vr = cpu.vr;
  const v = cpu.mem.read(addr, 1 << size, flags);
  switch (size) {
    case 0: vr.u8[t * 16 + e] = Number(v); break;
    case 1: vr.u16[t * 8 + e] = Number(v); break;
    case 2: vr.u32[t * 4 + e] = Number(v); break;
    default: vr.u64[t * 2 + e] = v;
  }
}

/** Store lane `e` of Vt, of 2^size bytes (size <= 3), to `addr`. */
function storeLane(cpu: Cpu, t: number, e: number, size: number, addr: bigint, flags: number): void {
  const vr = cpu.vr;
  let v: bigint;
  switch (size) {
    case 0: v = BigInt(vr.u8[t * 16 + e]!); break;
    case 1: v = BigInt(vr.u16[t * 8 + e]!); break;
    case 2: v = BigInt(vr.u32[t * 4 + e]!); break;
    default: v = vr.u64[t * 2 + e]!;
  }
  cpu.mem.write(addr, 1 << size, v, flags | Acc.Write);
}

/** Load a whole register of 2^size bytes (size 0..4) into Vt, clearing the rest of it. */
function loadReg(cpu: Cpu, t: number, size: number, addr: bigint, flags: number): void {
  if (size === 4) {
    checkQAlign(cpu, addr, false);
    const lo = cpu.mem.read(addr, 8, flags);
    const hi = cpu.mem.read(add(addr, 8n), 8, flags);
    cpu.vr.u64[t * 2] = lo;
    cpu.vr.u64[t * 2 + 1] = hi;
    return;
  }
  loadLane(cpu, t, 0, size, addr, flags);
  clearAbove(cpu.vr, t, 1 << size);
}

const TAG_CHECKED = Acc.TagChecked;
/** Flags of an immediate-offset or structure access: tag checked when written back or not based on SP. */
const immFlags = (n: number, wback: boolean): number => (wback || n !== 31 ? TAG_CHECKED : 0);

// ---------------------------------------------------------------------------------------------------------------
// Load/store register (scalar B/H/S/D/Q)
// ---------------------------------------------------------------------------------------------------------------

/** LDR (literal, SIMD&FP): S, D or Q at PC + imm19 * 4; not tag checked. */
const ldrLiteral: Handler = (cpu, insn) => {
  const opc = insn >>> 30;
  const addr = add(cpu.pc, BigInt(sext((insn >>> 5) & 0x7ffff, 19) * 4));
  loadReg(cpu, insn & 31, opc + 2, addr, 0);
};

// ---------------------------------------------------------------------------------------------------------------
// AdvSIMD load/store multiple structures: 0 Q 001100 P L 0|Rm opcode size Rn Rt
// ---------------------------------------------------------------------------------------------------------------

/** opcode -> [registers, structure elements (selem)]; undefined entries are unallocated. */
const MULTIPLE: readonly (readonly [number, number] | undefined)[] = [
  [1, 4], undefined, [4, 1], undefined, [1, 3], undefined, [3, 1], [1, 1],
  [1, 2], undefined, [2, 1], undefined, undefined, undefined, undefined, undefined,
];

/** The post-index amount: Xm, or for Rm = 31 the bytes the instruction transferred. */
function postIndex(cpu: Cpu, m: number, bytes: number): bigint {
  return m === 31 ? BigInt(bytes) : cpu.x[m]!;
}

/** Whether a multiple-structures word is allocated: a listed opcode, and 1D arrangements only for LD1/ST1. */
function multipleAllocated(insn: number): boolean {
  const layout = MULTIPLE[(insn >>> 12) & 15];
  return layout !== undefined && !(((insn >>> 10) & 3) === 3 && ((insn >>> 30) & 1) === 0 && layout[1] !== 1);
}

function ldstMultiple(post: boolean): Handler {
  return (cpu, insn) => {
    const q = (insn >>> 30) & 1;
    const load = ((insn >>> 22) & 1) === 1;
    const m = (insn >>> 16) & 31;
    const layout = MULTIPLE[(insn >>> 12) & 15];
    const size = (insn >>> 10) & 3;
    const n = (insn >>> 5) & 31;
    const t = insn & 31;
    const rpt = layout![0];
    const selem = layout![1];
    const ebytes = 1 << size;
    const elements = (q === 1 ? 16 : 8) >> size;
    const flags = immFlags(n, post);
    const b = baseReg(cpu, n);
    loadStoreElements(cpu, load, t, rpt, selem, elements, size, b, flags);
    if (load && q === 0) {
      for (let r = 0; r < rpt * selem; r++) clearAbove(cpu.vr, (t + r) & 31, 8);
    }
    if (post) writeBack(cpu, n, add(b, postIndex(cpu, m, rpt * selem * elements * ebytes)));
  };
}

/** Element by element, in the pseudocode's order. */
function loadStoreElements(cpu: Cpu, load: boolean, t: number, rpt: number, selem: number, elements: number,
  size: number, addr: bigint, flags: number): void {
  const step = BigInt(1 << size);
  let a = addr;
  for (let r = 0; r < rpt; r++) {
    for (let e = 0; e < elements; e++) {
      let tt = (t + r) & 31;
      for (let s = 0; s < selem; s++) {
        if (load) loadLane(cpu, tt, e, size, a, flags);
        else storeLane(cpu, tt, e, size, a, flags);
        a = add(a, step);
        tt = (tt + 1) & 31;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// AdvSIMD load/store single structure: 0 Q 001101 P L R 0|Rm opcode S size Rn Rt
// ---------------------------------------------------------------------------------------------------------------

/**
 * A single-structure word's element: log2 of its bytes (`scale`), its lane `index` (-1: LDnR, replicated), or -1
 * when the word is unallocated (the Arm ARM's decode of opcode<2:1>, S, size, and L for the replicating forms).
 */
function singleElement(insn: number): { scale: number; index: number } | -1 {
  const q = (insn >>> 30) & 1;
  const load = ((insn >>> 22) & 1) === 1;
  const opcode = (insn >>> 13) & 7;
  const s = (insn >>> 12) & 1;
  const size = (insn >>> 10) & 3;
  switch (opcode >>> 1) {
    case 0: return { scale: 0, index: (q << 3) | (s << 2) | size };
    case 1: return (size & 1) !== 0 ? -1 : { scale: 1, index: (q << 2) | (s << 1) | (size >>> 1) };
    case 2:
      if ((size & 2) !== 0) return -1;
      if ((size & 1) === 0) return { scale: 2, index: (q << 1) | s };
      return s !== 0 ? -1 : { scale: 3, index: q };
    default: return !load || s !== 0 ? -1 : { scale: size, index: -1 };
  }
}

const singleAllocated = (insn: number): boolean => singleElement(insn) !== -1;

function ldstSingle(post: boolean): Handler {
  return (cpu, insn) => {
    const q = (insn >>> 30) & 1;
    const load = ((insn >>> 22) & 1) === 1;
    const m = (insn >>> 16) & 31;
    const selem = ((((insn >>> 13) & 1) << 1) | ((insn >>> 21) & 1)) + 1;
    const n = (insn >>> 5) & 31;
    const t = insn & 31;
    const { scale, index } = singleElement(insn) as { scale: number; index: number };
    const ebytes = 1 << scale;
    const flags = immFlags(n, post);
    const b = baseReg(cpu, n);
    let addr = b;
    let tt = t;
    for (let k = 0; k < selem; k++) {
      if (index < 0) {
        loadLane(cpu, tt, 0, scale, addr, flags);
        replicateLane0(cpu, tt, scale, q);
      } else if (load) {
        loadLane(cpu, tt, index, scale, addr, flags);
      } else {
        storeLane(cpu, tt, index, scale, addr, flags);
      }
      addr = add(addr, BigInt(ebytes));
      tt = (tt + 1) & 31;
    }
    if (post) writeBack(cpu, n, add(b, postIndex(cpu, m, selem * ebytes)));
  };
}

/** Copy lane 0 of Vt (2^size bytes) to every lane of its 64 or 128 bits (Q), clearing the rest (LDnR). */
function replicateLane0(cpu: Cpu, t: number, size: number, q: number): void {
  const u8 = cpu.vr.u8;
  const ebytes = 1 << size;
  const total = q === 1 ? 16 : 8;
  for (let i = ebytes; i < total; i++) u8[t * 16 + i] = u8[t * 16 + (i & (ebytes - 1))]!;
  if (q === 0) clearAbove(cpu.vr, t, 8);
}

// ---------------------------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------------------------

/** Literal loads: opc 00, 01 and 10 (S, D, Q). */
function literalRows(name: string, rest: string, handler: Handler): EncodingRow[] {
  return [fpRow(name, `0x011100 ${rest}`, handler, undefined, true), fpRow(name, `10011100 ${rest}`, handler, undefined, true)];
}

export const SIMD_FP_LOADS_STORES: readonly EncodingRow[] = [
  ...literalRows('LDR (literal, SIMD&FP)', 'xxxxxxxxxxxxxxxxxxxxxxxx', ldrLiteral),
  // LDR/STR (B, H, S, D, Q; immediate, unscaled, pre/post-index, register) and LDP/STP/LDNP/STNP (S, D, Q):
  // specifications, which the WebAssembly tier emits inline.
  ...SIMD_FP_LOAD_STORE_SPECS.pairs.map(specRow),
  ...SIMD_FP_LOAD_STORE_SPECS.single.map(specRow),
  // LD1/ST1 (multiple structures): specifications too, before the handler rows of LD2-LD4/ST2-ST4 that share the class.
  ...SIMD_FP_LOAD_STORE_SPECS.ld1.map(specRow),
  // LD1R: specifications too, before the handler rows of the other single-structure forms.
  ...SIMD_FP_LOAD_STORE_SPECS.ld1r.map(specRow),
  fpRow('LD1-4/ST1-4 (multiple structures)', '0x001100 0x000000xxxxxxxxxxxxxxxx', ldstMultiple(false), multipleAllocated,
    true),
  fpRow('LD1-4/ST1-4 (multiple structures, post-index)', '0x001100 1x0xxxxxxxxxxxxxxxxxxxxx', ldstMultiple(true),
    multipleAllocated, true),
  fpRow('LD1-4/ST1-4, LD1R-LD4R (single structure)', '0x001101 0xx00000xxxxxxxxxxxxxxxx', ldstSingle(false),
    singleAllocated, true),
  fpRow('LD1-4/ST1-4, LD1R-LD4R (single structure, post-index)', '0x001101 1xxxxxxxxxxxxxxxxxxxxxxx', ldstSingle(true),
    singleAllocated, true),
];
