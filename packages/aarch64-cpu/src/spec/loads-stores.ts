/**
 * The plain loads and stores of general-purpose registers as specifications (spec/spec.ts): load/store register
 * (unsigned immediate, unscaled immediate, immediate post- and pre-index, register offset) of every size and
 * sign extension, and load/store pair (offset, pre/post-index, non-temporal, LDPSW). insn/loads-and-stores.ts puts
 * them in the decode table with the forms that stay handlers (PRFM, unprivileged, literal, exclusive, ordered,
 * atomic), and its file comment states the conventions these follow: Rn = 31 is SP after CheckSPAlignment; the
 * access is tag checked when the pseudocode's `tagchecked` is TRUE (`wback || n != 31` for immediate offsets, always
 * for register offsets); single-register accesses without writeback report a data abort syndrome; and the
 * CONSTRAINED UNPREDICTABLE choices of QEMU 10 for overlapping registers, which follow here from the order of the
 * effects: the loaded Rt is written before the written-back Rn; a store reads Rt before the writeback; LDP writes
 * Rt before Rt2.
 */
import { Acc } from '../ports.js';
import { extendReg } from './shared.js';
import type { Sem } from './sem.js';
import { insn, type AnyInsnSpec } from './spec.js';

type Size = 0 | 1 | 2 | 3;

/** What a (size, opc) pair of the load/store register classes does (PRFM and the unallocated pairs excluded). */
export interface SingleOp {
  /** STRB, LDRSH (32-bit), ... */
  readonly name: string;
  readonly load: boolean;
  readonly size: Size;
  /** Sign extension of a load: 0 none, else the width of the destination. */
  readonly ext: 0 | 32 | 64;
  /** The data abort ISS[24:14] (ISV, SAS, SSE, SF) of the no-writeback forms, without SRT. */
  readonly iss: number;
}

const ISV = 1 << 24;
const ISS_SSE = 1 << 21;
const ISS_SF = 1 << 15;

/** The (size, opc) pair's access, or undefined for PRFM and the unallocated pairs (used by insn/loads-and-stores.ts too). */
export function singleOp(size: Size, opc: number): SingleOp | undefined {
  const sizeName = ['B', 'H', '', ''][size]!;
  const iss = (ext: 0 | 32 | 64, sf: boolean): number => ISV | (size << 22) | (ext !== 0 ? ISS_SSE : 0) | (sf ? ISS_SF : 0);
  if (opc === 0) return { name: `STR${sizeName}`, load: false, size, ext: 0, iss: iss(0, size === 3) };
  if (opc === 1) return { name: `LDR${sizeName}`, load: true, size, ext: 0, iss: iss(0, size === 3) };
  if (size === 3) return undefined; // PRFM (opc 2) stays a handler; opc 3 is unallocated
  if (size === 2) return opc === 2 ? { name: 'LDRSW', load: true, size, ext: 64, iss: iss(64, true) } : undefined;
  const ext = opc === 2 ? 64 : 32;
  return { name: `LDRS${sizeName} (${ext}-bit)`, load: true, size, ext, iss: iss(ext, ext === 64) };
}

const bits = (size: Size): 8 | 16 | 32 | 64 => (8 << size) as 8 | 16 | 32 | 64;

/** The access of a load/store register instruction at `addr`: Rt loaded (and extended) or stored. */
function access<V, B>(s: Sem<V, B>, op: SingleOp, t: number, addr: V, flags: number): void {
  if (!op.load) {
    s.store(addr, op.size, s.x(t), flags);
    return;
  }
  const v = s.load(addr, op.size, flags);
  if (op.ext === 0) s.setX(t, v, 64);
  else s.setX(t, s.sext(v, bits(op.size)), op.ext);
}

const bin = (v: number, width: number): string => v.toString(2).padStart(width, '0');

/** SignExtend(imm9) as an unsigned 64-bit offset. */
const imm9 = (v: number): bigint => BigInt.asUintN(64, BigInt((v << 23) >> 23));

interface Offset { readonly t: number; readonly n: number; readonly off: bigint }

function singleRows(op: SingleOp, size: Size, opc: number): AnyInsnSpec[] {
  const so = `${bin(size, 2)}111`;
  const o = bin(opc, 2);
  const checked = (n: number): number => (n === 31 ? 0 : Acc.TagChecked);
  return [
    // Unsigned immediate: size 111 0 01 opc imm12 Rn Rt; imm12 scaled by the access size.
    insn<'imm12' | 'Rn' | 'Rt', Offset>(`${op.name} (immediate, unsigned offset)`, `${so}001 ${o} imm12:12 Rn:5 Rt:5`,
      (f) => ({ t: f.Rt, n: f.Rn, off: BigInt(f.imm12 << size) }),
      (s, a) => {
        const addr = s.add(s.addrBase(a.n), s.c(a.off), 64);
        s.syndrome(op.iss | (a.t << 16));
        access(s, op, a.t, addr, checked(a.n));
      }, { memory: true }),
    // Unscaled immediate: size 111 0 00 opc 0 imm9 00 Rn Rt (LDUR*, STUR*).
    insn<'imm9' | 'Rn' | 'Rt', Offset>(`${op.name.replace(/^(LD|ST)R/, '$1UR')} (unscaled)`,
      `${so}000 ${o} 0 imm9:9 00 Rn:5 Rt:5`,
      (f) => ({ t: f.Rt, n: f.Rn, off: imm9(f.imm9) }),
      (s, a) => {
        const addr = s.add(s.addrBase(a.n), s.c(a.off), 64);
        s.syndrome(op.iss | (a.t << 16));
        access(s, op, a.t, addr, checked(a.n));
      }, { memory: true }),
    // Register offset: size 111 0 00 opc 1 Rm option S 10 Rn Rt; option<1> = 0 is UNDEFINED. S scales Rm by the
    // access size; for bytes the amount is 0 either way, so S is no field there.
    insn<'Rm' | 'option' | 'S' | 'Rn' | 'Rt', { t: number; n: number; m: number; option: number; shift: number }>(
      `${op.name} (register)`, `${so}000 ${o} 1 Rm:5 option:3 ${size === 0 ? '-' : 'S:1'} 10 Rn:5 Rt:5`,
      (f) => ((f.option & 2) === 0 ? undefined
        : { t: f.Rt, n: f.Rn, m: f.Rm, option: f.option, shift: size !== 0 && f.S !== 0 ? size : 0 }),
      (s, a) => {
        const addr = s.add(s.addrBase(a.n), extendReg(s, s.x(a.m), a.option, a.shift, 64), 64);
        s.syndrome(op.iss | (a.t << 16));
        access(s, op, a.t, addr, Acc.TagChecked);
      }, { memory: true }),
    // Post-index (01) and pre-index (11): size 111 0 00 opc 0 imm9 xx Rn Rt; the base is written back.
    ...([['post-index', '01', true], ['pre-index', '11', false]] as const).map(([mode, bitsOf, post]) =>
      insn<'imm9' | 'Rn' | 'Rt', Offset>(`${op.name} (immediate, ${mode})`, `${so}000 ${o} 0 imm9:9 ${bitsOf} Rn:5 Rt:5`,
        (f) => ({ t: f.Rt, n: f.Rn, off: imm9(f.imm9) }),
        (s, a) => {
          const base = s.let(s.addrBase(a.n));
          const wb = s.let(s.add(base, s.c(a.off), 64));
          access(s, op, a.t, post ? base : wb, Acc.TagChecked);
          s.setXsp(a.n, wb, 64);
        }, { memory: true })),
  ];
}

/** Pair addressing modes, insn bits [25:23]. */
const PAIR_MODES = [
  { mode: 0, name: 'no-allocate', post: false, wback: false },
  { mode: 1, name: 'post-index', post: true, wback: true },
  { mode: 2, name: 'signed offset', post: false, wback: false },
  { mode: 3, name: 'pre-index', post: false, wback: true },
] as const;

interface Pair { readonly t: number; readonly t2: number; readonly n: number; readonly off: bigint }

/** LDP/STP/LDNP/STNP/LDPSW: `size` 2 or 3 per register, `signed` for LDPSW. */
function pairRow(name: string, opc: number, mode: (typeof PAIR_MODES)[number], load: boolean, signed: boolean): AnyInsnSpec {
  const size: Size = opc === 2 ? 3 : 2;
  const bytes = 1 << size;
  return insn<'imm7' | 'Rt2' | 'Rn' | 'Rt', Pair>(name,
    `${bin(opc, 2)}101 0 ${bin(mode.mode, 3)} ${load ? 1 : 0} imm7:7 Rt2:5 Rn:5 Rt:5`,
    (f) => ({ t: f.Rt, t2: f.Rt2, n: f.Rn, off: BigInt.asUintN(64, BigInt(((f.imm7 << 25) >> 25) * bytes)) }),
    (s, a) => {
      const base = s.let(s.addrBase(a.n));
      const wb = s.let(s.add(base, s.c(a.off), 64));
      const addr = s.let(mode.post ? base : wb);
      const addr2 = s.add(addr, s.c(BigInt(bytes)), 64);
      const flags = mode.wback || a.n !== 31 ? Acc.TagChecked : 0;
      if (load) {
        const v1 = s.load(addr, size, flags);
        const v2 = s.load(addr2, size, flags);
        // Rt, then Rt2, then the base: Rt == Rt2 keeps the second element, Rt/Rt2 == Rn the written-back address.
        s.setX(a.t, signed ? s.sext(v1, 32) : v1, 64);
        s.setX(a.t2, signed ? s.sext(v2, 32) : v2, 64);
      } else {
        s.store(addr, size, s.x(a.t), flags);
        s.store(addr2, size, s.x(a.t2), flags);
      }
      if (mode.wback) s.setXsp(a.n, wb, 64);
    }, { memory: true });
}

/**
 * The specification rows, grouped as insn/loads-and-stores.ts places them: the pairs (opc 101 V=0 mode L imm7 Rt2
 * Rn Rt; opc = 11 and the non-temporal opc = 01 are unallocated, opc = 01 with L = 0 is STGP in insn/mte.ts), and
 * per (size, opc) of the load/store register classes, its five addressing forms.
 */
export const LOAD_STORE_SPECS = {
  pairs: PAIR_MODES.flatMap((mode) => [
    ...[0, 2].flatMap((opc) => {
      const w = opc === 0 ? '32-bit' : '64-bit';
      const st = mode.mode === 0 ? 'STNP' : 'STP';
      const ld = mode.mode === 0 ? 'LDNP' : 'LDP';
      return [pairRow(`${st} (${mode.name}, ${w})`, opc, mode, false, false),
        pairRow(`${ld} (${mode.name}, ${w})`, opc, mode, true, false)];
    }),
    ...(mode.mode !== 0 ? [pairRow(`LDPSW (${mode.name})`, 1, mode, true, true)] : []),
  ]),
  /** By size then opc: the five forms of that access, or [] for PRFM and the unallocated pairs. */
  single: ([0, 1, 2, 3] as const).map((size) => [0, 1, 2, 3].map((opc) => {
    const op = singleOp(size, opc);
    return op === undefined ? [] : singleRows(op, size, opc);
  })),
};
