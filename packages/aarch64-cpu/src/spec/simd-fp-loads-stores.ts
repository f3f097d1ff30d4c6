/**
 * The plain loads and stores of SIMD&FP registers as specifications (spec/spec.ts): LDR/STR of B, H, S, D and Q
 * registers (unsigned offset, unscaled, post- and pre-index, register offset), LDP/STP/LDNP/STNP of S, D and Q
 * (every addressing mode), LD1/ST1 (multiple structures, 1-4 registers) and LD1R. insn/simd-fp-loads-stores.ts puts
 * them in the decode table beside the forms that stay handlers (literal, LD2-LD4/ST2-ST4, single structures, LD2R-LD4R),
 * and its file comment states the conventions these follow:
 * CPACR_EL1.FPEN is checked first (after the decode); Rn = 31 is SP after CheckSPAlignment; the access is tag
 * checked when `wback || n != 31` (immediate offsets, pairs) and always for register offsets; no data abort syndrome
 * (ISV = 0); a Q register is two 8-byte accesses, 16-byte aligned when SCTLR_EL1.A = 1; a register is written as its
 * accesses complete (LDP writes Rt before it loads Rt2's data, as QEMU 10), and the base is written back last.
 */
import { Acc } from '../ports.js';
import { extendReg } from './shared.js';
import { replicate } from './simd-lanes.js';
import type { Sem } from './sem.js';
import { insn, type AnyInsnSpec } from './spec.js';

/** log2 of an access's bytes: 0..3 B, H, S, D; 4 Q. */
type VSize = 0 | 1 | 2 | 3 | 4;

const REG = ['B', 'H', 'S', 'D', 'Q'] as const;

/** Load Vt from `addr` (2^size bytes), zeroing the rest of Vt. */
function loadV<V, B>(s: Sem<V, B>, t: number, size: VSize, addr: V, flags: number): void {
  if (size === 4) {
    s.alignQ(addr, false);
    const lo = s.load(addr, 3, flags);
    const hi = s.load(s.add(addr, s.c(8n), 64), 3, flags);
    s.vset(t, 0, lo);
    s.vset(t, 1, hi);
    return;
  }
  s.vset(t, 0, s.load(addr, size, flags));
  s.vset(t, 1, s.c(0n));
}

/** Store the low 2^size bytes of Vt at `addr`. */
function storeV<V, B>(s: Sem<V, B>, t: number, size: VSize, addr: V, flags: number): void {
  if (size === 4) {
    s.alignQ(addr, true);
    s.store(addr, 3, s.vget(t, 0), flags);
    s.store(s.add(addr, s.c(8n), 64), 3, s.vget(t, 1), flags);
    return;
  }
  s.store(addr, size, s.vget(t, 0), flags);
}

function accessV<V, B>(s: Sem<V, B>, load: boolean, t: number, size: VSize, addr: V, flags: number): void {
  if (load) loadV(s, t, size, addr, flags);
  else storeV(s, t, size, addr, flags);
}

const bin = (v: number, width: number): string => v.toString(2).padStart(width, '0');

/** SignExtend(imm9) as an unsigned 64-bit offset. */
const imm9 = (v: number): bigint => BigInt.asUintN(64, BigInt((v << 23) >> 23));

interface Offset { readonly t: number; readonly n: number; readonly off: bigint }

/** The five load/store register forms of one (size, opc) pair: size 111 1 .. opc ... */
function singleRows(size: VSize, load: boolean): AnyInsnSpec[] {
  // B, H, S, D: size = 0..3, opc<1> = 0; Q: size = 00, opc<1> = 1. opc<0> is L.
  const so = `${bin(size === 4 ? 0 : size, 2)}1111`;
  const o = `${size === 4 ? 1 : 0}${load ? 1 : 0}`;
  const name = `${load ? 'LDR' : 'STR'} (SIMD&FP ${REG[size]}`;
  const checked = (n: number): number => (n === 31 ? 0 : Acc.TagChecked);
  const plain = <V, B>(s: Sem<V, B>, a: Offset): void => {
    s.fpCheck();
    const addr = s.let(s.add(s.addrBase(a.n), s.c(a.off), 64));
    accessV(s, load, a.t, size, addr, checked(a.n));
  };
  return [
    insn<'imm12' | 'Rn' | 'Rt', Offset>(`${name}, unsigned offset)`, `${so}01 ${o} imm12:12 Rn:5 Rt:5`,
      (f) => ({ t: f.Rt, n: f.Rn, off: BigInt(f.imm12 * 2 ** size) }), plain, { memory: true }),
    insn<'imm9' | 'Rn' | 'Rt', Offset>(`${name}, unscaled)`, `${so}00 ${o} 0 imm9:9 00 Rn:5 Rt:5`,
      (f) => ({ t: f.Rt, n: f.Rn, off: imm9(f.imm9) }), plain, { memory: true }),
    // Register offset: option<1> = 0 is UNDEFINED; S shifts Rm by the access size (for bytes by 0 either way, so
    // S is no field there).
    insn<'Rm' | 'option' | 'S' | 'Rn' | 'Rt', { t: number; n: number; m: number; option: number; shift: number }>(
      `${name}, register)`, `${so}00 ${o} 1 Rm:5 option:3 ${size === 0 ? '-' : 'S:1'} 10 Rn:5 Rt:5`,
      (f) => ((f.option & 2) === 0 ? undefined
        : { t: f.Rt, n: f.Rn, m: f.Rm, option: f.option, shift: size !== 0 && f.S !== 0 ? size : 0 }),
      (s, a) => {
        s.fpCheck();
        const off = s.let(extendReg(s, s.x(a.m), a.option, a.shift, 64));
        const addr = s.let(s.add(s.addrBase(a.n), off, 64));
        accessV(s, load, a.t, size, addr, Acc.TagChecked);
      }, { memory: true }),
    // Post-index (01) and pre-index (11): the base is written back.
    ...([['post-index', '01', true], ['pre-index', '11', false]] as const).map(([mode, bitsOf, post]) =>
      insn<'imm9' | 'Rn' | 'Rt', Offset>(`${name}, ${mode})`, `${so}00 ${o} 0 imm9:9 ${bitsOf} Rn:5 Rt:5`,
        (f) => ({ t: f.Rt, n: f.Rn, off: imm9(f.imm9) }),
        (s, a) => {
          s.fpCheck();
          const base = s.let(s.addrBase(a.n));
          const wb = s.let(s.add(base, s.c(a.off), 64));
          accessV(s, load, a.t, size, post ? base : wb, Acc.TagChecked);
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

/** LDP/STP/LDNP/STNP (SIMD&FP): opc 00 S, 01 D, 10 Q. */
function pairRow(opc: number, mode: (typeof PAIR_MODES)[number], load: boolean): AnyInsnSpec {
  const size = (opc + 2) as VSize;
  const bytes = 2 ** size;
  const op = `${load ? 'LD' : 'ST'}${mode.mode === 0 ? 'NP' : 'P'}`;
  return insn<'imm7' | 'Rt2' | 'Rn' | 'Rt', Pair>(`${op} (SIMD&FP ${REG[size]}, ${mode.name})`,
    `${bin(opc, 2)}101 1 ${bin(mode.mode, 3)} ${load ? 1 : 0} imm7:7 Rt2:5 Rn:5 Rt:5`,
    (f) => ({ t: f.Rt, t2: f.Rt2, n: f.Rn, off: BigInt.asUintN(64, BigInt(((f.imm7 << 25) >> 25) * bytes)) }),
    (s, a) => {
      s.fpCheck();
      const base = s.let(s.addrBase(a.n));
      const wb = s.let(s.add(base, s.c(a.off), 64));
      const addr = s.let(mode.post ? base : wb);
      const flags = mode.wback || a.n !== 31 ? Acc.TagChecked : 0;
      // Rt, then Rt2 (Rt == Rt2 keeps the second), then the base.
      accessV(s, load, a.t, size, addr, flags);
      accessV(s, load, a.t2, size, s.let(s.add(addr, s.c(BigInt(bytes)), 64)), flags);
      if (mode.wback) s.setXsp(a.n, wb, 64);
    }, { memory: true });
}

/** LD1/ST1 (multiple structures): the opcode for 1, 2, 3 and 4 registers. */
const LD1_OPCODES = { 1: '0111', 2: '1010', 3: '0110', 4: '0010' } as const;

interface Multiple { readonly t: number; readonly n: number; readonly q: boolean; readonly esize: 0 | 1 | 2 | 3; readonly m: number }

/**
 * LD1/ST1 (multiple structures) of `regs` registers, no offset or post-index (`post`: Rm = 31 adds the bytes
 * transferred, any other Rm adds Xm): the bytes of Vt, Vt+1, ... (modulo 32; the low 8 of each for Q = 0) are
 * consecutive in memory, little-endian, whatever the element size, so each register is one or two 8-byte element
 * accesses (loadElems/storeElems, which keep the elements' alignment and fault order). A register is written as
 * its accesses complete (QEMU 10's order; a load writes the top half of a Q = 0 register to zero), the base last.
 * Tag checked when written back or not based on SP.
 */
function ld1Row(regs: 1 | 2 | 3 | 4, load: boolean, post: boolean): AnyInsnSpec {
  const name = `${load ? 'LD1' : 'ST1'} (multiple structures, ${regs} register${regs > 1 ? 's' : ''}${post ? ', post-index' : ''})`;
  const pattern = `0 Q:1 001100 ${post ? 1 : 0} ${load ? 1 : 0} ${post ? '0 Rm:5' : '000000'} ${LD1_OPCODES[regs]} size:2 Rn:5 Rt:5`;
  return insn<'Q' | 'size' | 'Rn' | 'Rt' | 'Rm', Multiple>(name, pattern,
    (f) => ({ t: f.Rt, n: f.Rn, q: f.Q === 1, esize: f.size as 0 | 1 | 2 | 3, m: post ? f.Rm : 0 }),
    (s, a) => {
      s.fpCheck();
      const base = s.let(s.addrBase(a.n));
      const flags = post || a.n !== 31 ? Acc.TagChecked : 0;
      const halves = a.q ? 2 : 1;
      for (let r = 0; r < regs; r++) {
        const t = (a.t + r) & 31;
        for (let h = 0; h < halves; h++) {
          const off = 8 * (r * halves + h);
          const addr = off === 0 ? base : s.let(s.add(base, s.c(BigInt(off)), 64));
          if (load) s.vset(t, h as 0 | 1, s.loadElems(addr, a.esize, flags));
          else s.storeElems(addr, a.esize, s.vget(t, h as 0 | 1), flags);
        }
        if (load && !a.q) s.vset(t, 1, s.c(0n));
      }
      if (post) s.setXsp(a.n, s.add(base, a.m === 31 ? s.c(BigInt(8 * halves * regs)) : s.x(a.m), 64), 64);
    }, { memory: true });
}

/**
 * LD1R (single structure, no offset or post-index: Rm, or with Rm = 31 the element size): one element of 2^size
 * bytes loaded at [Xn|SP] and copied to every lane of Vt's 64 (Q = 0, the top half cleared) or 128 bits; the base
 * written back last.
 */
function ld1rRow(post: boolean): AnyInsnSpec {
  const name = `LD1R${post ? ' (post-index)' : ''}`;
  return insn<'Q' | 'size' | 'Rn' | 'Rt' | 'Rm', Multiple>(name,
    `0 Q:1 001101 ${post ? 1 : 0} 1 0 ${post ? 'Rm:5' : '00000'} 110 0 size:2 Rn:5 Rt:5`,
    (f) => ({ t: f.Rt, n: f.Rn, q: f.Q === 1, esize: f.size as 0 | 1 | 2 | 3, m: post ? f.Rm : 0 }),
    (s, a) => {
      s.fpCheck();
      const base = s.let(s.addrBase(a.n));
      const elem = s.load(base, a.esize, post || a.n !== 31 ? Acc.TagChecked : 0);
      // An element times the constant with a one at the bottom of every lane: no product reaches the next lane.
      const v = s.let(a.esize === 3 ? elem : s.mul(elem, s.c(replicate(a.esize, 1n)), 64));
      s.vset(a.t, 0, v);
      s.vset(a.t, 1, a.q ? v : s.c(0n));
      if (post) s.setXsp(a.n, s.add(base, a.m === 31 ? s.c(1n << BigInt(a.esize)) : s.x(a.m), 64), 64);
    }, { memory: true });
}

/**
 * The specification rows: the pairs (opc 11 is unallocated), per size (B, H, S, D, Q) and direction the five
 * load/store register forms, LD1/ST1 (multiple structures) of 1-4 registers with and without post-index, and LD1R
 * with and without post-index.
 */
export const SIMD_FP_LOAD_STORE_SPECS: {
  readonly pairs: readonly AnyInsnSpec[]; readonly single: readonly AnyInsnSpec[]; readonly ld1: readonly AnyInsnSpec[];
  readonly ld1r: readonly AnyInsnSpec[];
} = {
  pairs: PAIR_MODES.flatMap((mode) => [0, 1, 2].flatMap((opc) => [pairRow(opc, mode, false), pairRow(opc, mode, true)])),
  single: ([0, 1, 2, 3, 4] as const).flatMap((size) => [...singleRows(size, false), ...singleRows(size, true)]),
  ld1: ([1, 2, 3, 4] as const).flatMap((regs) => [false, true].flatMap((post) => [ld1Row(regs, false, post), ld1Row(regs, true, post)])),
  ld1r: [ld1rRow(false), ld1rRow(true)],
};
