/**
 * The LSE atomic memory operations LD<op> (LDADD, LDCLR, LDEOR, LDSET, LDSMAX, LDSMIN, LDUMAX, LDUMIN; their ST<op>
 * aliases are Rt = 31) and SWP, every size with their acquire/release variants, as specifications (spec/spec.ts):
 * size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt, o3 = 0 for LD<op>, o3 = 1 with opc = 000 for SWP. A and R only order the
 * access, which a PE running alone (the vCPUs of a VM run interleaved on one thread) cannot tell apart.
 *
 * The access is one read-modify-write of 2^size bytes, naturally aligned (Acc.Aligned), whose read is checked for
 * write permission too (Acc.ReadWrite: a permission fault is reported as the write's), tag checked unless the base
 * is SP; Rt gets the old value, zero-extended. No syndrome: a data abort on it has ISV = 0. CAS and CASP stay
 * handlers in the interpreter (insn/loads-and-stores.ts): their write happens only when the compare succeeds, which
 * Sem's `when` (flags only) cannot say; CAS has a specification for the WebAssembly tier alone (CAS_WASM_SPECS).
 */
import { Acc } from '../ports.js';
import type { Sem } from './sem.js';
import { insn, type AnyInsnSpec } from './spec.js';

type Size = 0 | 1 | 2 | 3;

/** An atomic operation on the old memory value and the operand, both zero-extended `bits`-bit values. */
type AtomicOp = <V, B>(s: Sem<V, B>, old: V, operand: V, bits: 8 | 16 | 32 | 64) => V;

const SIGN = 0x8000_0000_0000_0000n;

/** a < b as signed `bits`-bit values. */
function lts<V, B>(s: Sem<V, B>, a: V, b: V, bits: 8 | 16 | 32 | 64): B {
  return s.ltu(s.xor(s.sext(a, bits), s.c(SIGN)), s.xor(s.sext(b, bits), s.c(SIGN)));
}

/** The operations by opc (o3 = 0), then SWP (o3 = 1, opc = 000): the Arm ARM's MemAtomicOp. */
export const ATOMIC_OPS: readonly { readonly name: string; readonly op: AtomicOp }[] = [
  { name: 'LDADD', op: (s, a, b, bits) => s.zext(s.add(a, b, 64), bits) },
  { name: 'LDCLR', op: (s, a, b) => s.and(a, s.not(b, 64)) },
  { name: 'LDEOR', op: (s, a, b) => s.xor(a, b) },
  { name: 'LDSET', op: (s, a, b) => s.or(a, b) },
  { name: 'LDSMAX', op: (s, a, b, bits) => s.select(lts(s, a, b, bits), b, a) },
  { name: 'LDSMIN', op: (s, a, b, bits) => s.select(lts(s, b, a, bits), b, a) },
  { name: 'LDUMAX', op: (s, a, b) => s.select(s.ltu(a, b), b, a) },
  { name: 'LDUMIN', op: (s, a, b) => s.select(s.ltu(b, a), b, a) },
  { name: 'SWP', op: (_s, _a, b) => b },
];

const SIZE_SUFFIX = ['B', 'H', ' (32-bit)', ' (64-bit)'];
const bin = (v: number, width: number): string => v.toString(2).padStart(width, '0');

interface Atomic { readonly t: number; readonly n: number; readonly s: number }

/** One size's row of operation `k` of ATOMIC_OPS (0..7: LD<op> by opc, 8: SWP). */
function atomicRow(size: Size, k: number): AnyInsnSpec {
  const { name, op } = ATOMIC_OPS[k]!;
  const bits = (8 << size) as 8 | 16 | 32 | 64;
  const o3opc = k === 8 ? '1000' : `0${bin(k, 3)}`;
  return insn<'Rs' | 'Rn' | 'Rt', Atomic>(`${name}${SIZE_SUFFIX[size]!}`,
    `${bin(size, 2)}111 000 -- 1 Rs:5 ${o3opc} 00 Rn:5 Rt:5`,
    (f) => ({ t: f.Rt, n: f.Rn, s: f.Rs }),
    (s, a) => {
      const addr = s.let(s.addrBase(a.n));
      const flags = Acc.ReadWrite | Acc.Aligned | (a.n === 31 ? 0 : Acc.TagChecked);
      const operand = s.let(s.zext(s.x(a.s), bits));
      const old = s.let(s.load(addr, size, flags));
      s.store(addr, size, op(s, old, operand, bits), flags);
      s.setX(a.t, old, 64);
    }, { memory: true });
}

/** By size, then by ATOMIC_OPS index: the rows. */
export const ATOMIC_SPECS: readonly (readonly AnyInsnSpec[])[] = ([0, 1, 2, 3] as const).map((size) =>
  ATOMIC_OPS.map((_, k) => atomicRow(size, k)));

interface CompareAndSwap { readonly t: number; readonly n: number; readonly s: number }

/**
 * CAS/CASA/CASL/CASAL of each size (size 001000 1 L 1 Rs o0 11111 Rn Rt) for the WebAssembly tier only: the
 * interpreter keeps the handler (insn/loads-and-stores.ts), which writes only when the compare succeeds. Here a
 * failed compare writes the old value back, which inline code cannot tell from no write: the store's inline check
 * passes only with write permission (which the read, Acc.ReadWrite, needs anyway), no translated code in the page
 * and no open reservation, so the write reaches neither code invalidation nor another PE's monitor; anything else
 * runs the handler. Xs gets the old value, zero-extended.
 */
export const CAS_WASM_SPECS: readonly AnyInsnSpec[] = ([0, 1, 2, 3] as const).map((size) => {
  const bits = (8 << size) as 8 | 16 | 32 | 64;
  return insn<'Rs' | 'Rn' | 'Rt', CompareAndSwap>(`CAS${SIZE_SUFFIX[size]!}`,
    `${bin(size, 2)}001000 1-1 Rs:5 - 11111 Rn:5 Rt:5`,
    (f) => ({ t: f.Rt, n: f.Rn, s: f.Rs }),
    (s, a) => {
      const addr = s.let(s.addrBase(a.n));
      const flags = Acc.ReadWrite | Acc.Aligned | (a.n === 31 ? 0 : Acc.TagChecked);
      const compare = s.let(s.zext(s.x(a.s), bits));
      const next = s.let(s.zext(s.x(a.t), bits));
      const old = s.let(s.load(addr, size, flags));
      s.store(addr, size, s.select(s.eq(old, compare), next, old), flags);
      s.setX(a.s, old, 64);
    }, { memory: true });
});
