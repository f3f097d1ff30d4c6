/**
 * The interpreter's backend of the instruction specification: {@link Sem} over BigInt values, executed on a CPU as
 * the operations are called, and {@link specRow}, which makes a specification a decode table row whose handler is
 * the specification run with this backend. Each CPU has its own `InterpSem` (`cpu.sem`).
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { GuestException } from '../exceptions.js';
import { Ec } from '../exits.js';
import { FlagOp } from '../flags.js';
import { Acc, Fsc, MemoryFault } from '../ports.js';
import { checkFpAccess } from '../fpsimd/access.js';
import { D, S } from '../fp/format.js';
import { fpAddSub, fpDiv, fpMul, fpMulAdd } from '../fp/ops.js';
import { fpCompare } from '../fp/compare.js';
import { fixedToFp } from '../fp/fixed.js';
import { begin, commit } from '../insn/fp-common.js';
import { SysReg } from '../sysregs.js';
import { branchAddr } from '../insn/branches-exceptions-system-common.js';
import { undefinedInstruction } from '../undefined.js';
import { parsePattern } from './pattern.js';
import { BYTE_TABLES } from './byte-tables.js';
import { FpBinOp, type ByteTable, type Sem, type ShiftType, type Width } from './sem.js';
import type { AnyInsnSpec } from './spec.js';

const M32 = 0xffff_ffffn;

/** The low `w` bits of v (v may be negative or wider). */
const wrap = (v: bigint, w: Width): bigint => (w === 64 ? BigInt.asUintN(64, v) : v & M32);

/** 0n..255n, so that shifts by a Number amount and table bytes do not convert it each time. */
const SMALL: readonly bigint[] = Array.from({ length: 256 }, (_, i) => BigInt(i));

/** ShiftReg on a `w`-bit value, 0 <= amount < w. */
export function shiftBig(type: ShiftType, v: bigint, amount: number, w: Width): bigint {
  if (amount === 0) return v;
  const a = SMALL[amount]!;
  switch (type) {
    case 0: return wrap(v << a, w);
    case 1: return v >> a;
    case 2: return wrap(BigInt.asIntN(w, v) >> a, w);
    default: return wrap((v >> a) | (v << SMALL[w - amount]!), w);
  }
}

/** CountLeadingZeroBits of a `w`-bit value. */
function clzBig(v: bigint, w: Width): number {
  if (w === 32) return Math.clz32(Number(v));
  const hi = Number(v >> 32n);
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(Number(v & M32));
}

/**
 * The value operations on BigInts, without a CPU: the interpreter's arithmetic, and the WebAssembly backend's
 * constant folding (so both compute a constant expression the same way).
 */
export const BigOps = {
  add: (a: bigint, b: bigint, w: Width): bigint => wrap(a + b, w),
  sub: (a: bigint, b: bigint, w: Width): bigint => wrap(a - b, w),
  mul: (a: bigint, b: bigint, w: Width): bigint => wrap(a * b, w),
  and: (a: bigint, b: bigint): bigint => a & b,
  or: (a: bigint, b: bigint): bigint => a | b,
  xor: (a: bigint, b: bigint): bigint => a ^ b,
  not: (a: bigint, w: Width): bigint => wrap(~a, w),
  shift: shiftBig,
  shiftBy: (type: ShiftType, a: bigint, amount: bigint, w: Width): bigint =>
    shiftBig(type, a, Number(amount & BigInt(w - 1)), w),
  zext: (a: bigint, bits: 8 | 16 | 32 | 64): bigint => (bits === 64 ? a : BigInt.asUintN(bits, a)),
  sext: (a: bigint, bits: 8 | 16 | 32 | 64): bigint => BigInt.asUintN(64, BigInt.asIntN(bits, a)),
  clz: (a: bigint, w: Width): bigint => BigInt(clzBig(a, w)),
  udiv: (a: bigint, b: bigint): bigint => (b === 0n ? 0n : a / b),
  // BigInt division rounds towards zero; the most negative value / -1 = 2^(w-1), which wraps back to itself.
  sdiv: (a: bigint, b: bigint, w: Width): bigint =>
    (b === 0n ? 0n : wrap(BigInt.asIntN(w, a) / BigInt.asIntN(w, b), w)),
  mulh: (a: bigint, b: bigint, signed: boolean): bigint =>
    (signed ? BigInt.asUintN(64, (BigInt.asIntN(64, a) * BigInt.asIntN(64, b)) >> 64n) : (a * b) >> 64n),
} as const;

/** {@link Sem} for the interpreter: values are BigInts, truths booleans, effects on `cpu` at once. */
/**
 * The bytes of the next access of Sem.loadElems/storeElems at byte `o` of 8 whose address has the low bits `lo`
 * (not 0): the largest naturally aligned piece of at most the bytes left when the address is aligned to the element
 * size 2^esize, else one element.
 */
function elemPiece(lo: number, o: number, esize: number): number {
  if ((lo & ((1 << esize) - 1)) !== 0) return 1 << esize;
  const at = (lo + o) & 7;
  let p = 8;
  while ((at & (p - 1)) !== 0 || o + p > 8) p >>= 1;
  return p;
}

/**
 * CheckSPAlignment for an SP base that is `misaligned` (not a multiple of 16): SCTLR_EL1.SA (EL1) or SA0 (EL0) makes
 * it an SP alignment fault. InterpSem.addrBase, and the fast interpreter's SpBase (spec/fast-ops.ts).
 */
export function checkSpAlignment(cpu: Cpu, misaligned: boolean): void {
  if (misaligned && (cpu.sys[SysReg.SCTLR_EL1]! & (cpu.el === 0 ? 16n : 8n)) !== 0n) {
    throw new GuestException(Ec.SpAlign, 0);
  }
}

export class InterpSem implements Sem<bigint, boolean> {
  constructor(private readonly cpu: Cpu) {}

  c(v: bigint): bigint { return v; }
  pc(): bigint { return this.cpu.pc; }
  let(v: bigint): bigint { return v; }

  x(n: number): bigint { return this.cpu.x[n]!; } // x[31] is always 0
  xsp(n: number): bigint { return this.cpu.xs(n); }
  setX(n: number, v: bigint, w: Width): void { this.cpu.setXr(n, w === 64 ? v : v & M32); }
  setXsp(n: number, v: bigint, w: Width): void { this.cpu.setXs(n, w === 64 ? v : v & M32); }

  // The arithmetic is BigOps' (one definition, shared with the WebAssembly backend's constant folding).
  add(a: bigint, b: bigint, w: Width): bigint { return BigOps.add(a, b, w); }
  sub(a: bigint, b: bigint, w: Width): bigint { return BigOps.sub(a, b, w); }
  mul(a: bigint, b: bigint, w: Width): bigint { return BigOps.mul(a, b, w); }
  and(a: bigint, b: bigint): bigint { return a & b; }
  or(a: bigint, b: bigint): bigint { return a | b; }
  xor(a: bigint, b: bigint): bigint { return a ^ b; }
  not(a: bigint, w: Width): bigint { return BigOps.not(a, w); }
  shift(type: ShiftType, a: bigint, amount: number, w: Width): bigint { return BigOps.shift(type, a, amount, w); }
  shiftBy(type: ShiftType, a: bigint, amount: bigint, w: Width): bigint { return BigOps.shiftBy(type, a, amount, w); }
  zext(a: bigint, bits: 8 | 16 | 32 | 64): bigint { return BigOps.zext(a, bits); }
  sext(a: bigint, bits: 8 | 16 | 32 | 64): bigint { return BigOps.sext(a, bits); }
  bytes(lo: bigint, hi: bigint, perm: readonly number[], table?: ByteTable): bigint {
    // On four 32-bit Numbers: a handful of BigInt operations instead of a few per byte.
    const w = [Number(lo & M32), Number(lo >> 32n), Number(hi & M32), Number(hi >> 32n)];
    const t = table === undefined ? undefined : BYTE_TABLES[table]!;
    let r0 = 0;
    let r1 = 0;
    for (let k = 0; k < 8; k++) {
      const p = perm[k]!;
      const b = (w[p >> 2]! >>> (8 * (p & 3))) & 0xff;
      const v = t === undefined ? b : t[b]!;
      if (k < 4) r0 |= v << (8 * k);
      else r1 |= v << (8 * (k - 4));
    }
    return (BigInt(r1 >>> 0) << 32n) | BigInt(r0 >>> 0);
  }
  clz(a: bigint, w: Width): bigint { return BigOps.clz(a, w); }
  udiv(a: bigint, b: bigint): bigint { return BigOps.udiv(a, b); }
  sdiv(a: bigint, b: bigint, w: Width): bigint { return BigOps.sdiv(a, b, w); }
  mulh(a: bigint, b: bigint, signed: boolean): bigint { return BigOps.mulh(a, b, signed); }

  ltu(a: bigint, b: bigint): boolean { return a < b; }
  eq(a: bigint, b: bigint): boolean { return a === b; }
  ne(a: bigint, b: bigint): boolean { return a !== b; }
  bit(t: boolean): bigint { return t ? 1n : 0n; }
  cond(cond: number): boolean { return this.cpu.condHolds(cond); }
  select(t: boolean, a: bigint, b: bigint): bigint { return t ? a : b; }
  when(t: boolean, then: () => void, otherwise: () => void): void {
    if (t) then();
    else otherwise();
  }

  carry(): bigint { return BigInt((this.cpu.nzcv >> 1) & 1); }
  // Lazy, as in translated code (flags.ts): the flags are computed when something reads them.
  flagsAdd(a: bigint, b: bigint, w: Width): void { this.lazy(w === 64 ? FlagOp.Add64 : FlagOp.Add32, a, b); }
  flagsSub(a: bigint, b: bigint, w: Width): void { this.lazy(w === 64 ? FlagOp.Sub64 : FlagOp.Sub32, a, b); }
  flagsLogic(r: bigint, w: Width): void { this.lazy(w === 64 ? FlagOp.Logic64 : FlagOp.Logic32, r, 0n); }
  setNzcv(nzcv: number): void { this.cpu.nzcv = nzcv; }
  setNzcvV(v: bigint): void { this.cpu.nzcv = Number(v & 15n); }

  branch(target: bigint): void {
    const cpu = this.cpu;
    const pc = branchAddr(cpu, target);
    cpu.nextPc = pc;
    // A misaligned target faults when it is fetched: only then is the next fetch flagged (the flag sends the
    // block run loop to the interpreter for one instruction).
    if ((pc & 3n) !== 0n) cpu.checkPcAlign = true;
  }
  branchIf(t: boolean, target: bigint): void {
    if (t) this.branch(target);
  }

  addrBase(n: number): bigint {
    if (n !== 31) return this.cpu.x[n]!;
    const cpu = this.cpu;
    const sp = cpu.xs(31);
    checkSpAlignment(cpu, (sp & 15n) !== 0n);
    return sp;
  }
  syndrome(iss: number): void { this.cpu.dabtIss = iss; }
  load(addr: bigint, size: 0 | 1 | 2 | 3, flags: number): bigint { return this.cpu.mem.read(addr, 1 << size, flags); }
  store(addr: bigint, size: 0 | 1 | 2 | 3, v: bigint, flags: number): void {
    this.cpu.mem.write(addr, 1 << size, size === 3 ? v : BigInt.asUintN(8 << size, v), flags | Acc.Write);
  }

  loadElems(addr: bigint, esize: 0 | 1 | 2 | 3, flags: number): bigint {
    const mem = this.cpu.mem;
    const lo = Number(addr & 7n);
    if (lo === 0 || esize === 3) return mem.read(addr, 8, flags);
    let v = 0n;
    for (let o = 0; o < 8;) {
      const p = elemPiece(lo, o, esize);
      v |= mem.read(BigInt.asUintN(64, addr + BigInt(o)), p, flags) << BigInt(8 * o);
      o += p;
    }
    return v;
  }
  storeElems(addr: bigint, esize: 0 | 1 | 2 | 3, v: bigint, flags: number): void {
    const mem = this.cpu.mem;
    const lo = Number(addr & 7n);
    if (lo === 0 || esize === 3) {
      mem.write(addr, 8, v, flags | Acc.Write);
      return;
    }
    for (let o = 0; o < 8;) {
      const p = elemPiece(lo, o, esize);
      mem.write(BigInt.asUintN(64, addr + BigInt(o)), p, BigInt.asUintN(8 * p, v >> BigInt(8 * o)), flags | Acc.Write);
      o += p;
    }
  }

  fpCheck(): void { checkFpAccess(this.cpu); }
  alignQ(addr: bigint, write: boolean): void {
    // SCTLR_EL1.A (bit 1): the port sees the two 8-byte halves, so the 16-byte alignment is checked here.
    if ((addr & 15n) !== 0n && (this.cpu.sys[SysReg.SCTLR_EL1]! & 2n) !== 0n) {
      throw new MemoryFault(1, Fsc.Alignment, addr, write);
    }
  }
  vget(n: number, half: 0 | 1): bigint { return this.cpu.vr.u64[2 * n + half]!; }
  vset(n: number, half: 0 | 1, v: bigint): void { this.cpu.vr.u64[2 * n + half] = v; }
  fpBinary(op: FpBinOp, a: bigint, b: bigint, size: 32 | 64): bigint {
    const ctx = begin(this.cpu);
    const ahi = size === 64 ? Number(a >> 32n) : 0;
    const bhi = size === 64 ? Number(b >> 32n) : 0;
    const alo = Number(a & M32);
    const blo = Number(b & M32);
    const f = size === 64 ? D : S;
    const lo = op === FpBinOp.Mul ? fpMul(ctx, f, ahi, alo, bhi, blo)
      : op === FpBinOp.Div ? fpDiv(ctx, f, ahi, alo, bhi, blo)
        : fpAddSub(ctx, f, ahi, alo, bhi, blo, op === FpBinOp.Sub);
    const r = size === 64 ? (BigInt(ctx.hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
    commit(this.cpu, ctx);
    return r;
  }
  fpMulAdd(c: bigint, a: bigint, b: bigint, _size: 64): bigint {
    const ctx = begin(this.cpu);
    const lo = fpMulAdd(ctx, D, Number(c >> 32n), Number(c & M32), Number(a >> 32n), Number(a & M32), Number(b >> 32n),
      Number(b & M32));
    const r = (BigInt(ctx.hi >>> 0) << 32n) | BigInt(lo >>> 0);
    commit(this.cpu, ctx);
    return r;
  }

  fpMulAddPair(c: readonly [bigint, bigint], a: readonly [bigint, bigint], b: readonly [bigint, bigint], size: 64): [bigint, bigint] {
    const lo = this.fpMulAdd(c[0], a[0], b[0], size);
    return [lo, this.fpMulAdd(c[1], a[1], b[1], size)];
  }
  fpFromInt(v: bigint, from: Width, unsigned: boolean, size: 32 | 64): bigint {
    const ctx = begin(this.cpu);
    const lo = fixedToFp(ctx, size === 64 ? D : S, Number(v >> 32n), Number(v & M32), from, 0, unsigned, ctx.rmode);
    const r = size === 64 ? (BigInt(ctx.hi >>> 0) << 32n) | BigInt(lo >>> 0) : BigInt(lo >>> 0);
    commit(this.cpu, ctx);
    return r;
  }
  fpCompare(a: bigint, b: bigint, size: 32 | 64, signal: boolean): bigint {
    const ctx = begin(this.cpu);
    const hi = (v: bigint): number => (size === 64 ? Number(v >> 32n) : 0);
    const nzcv = fpCompare(ctx, size === 64 ? D : S, hi(a), Number(a & M32), hi(b), Number(b & M32), signal);
    commit(this.cpu, ctx);
    return BigInt(nzcv);
  }

  private lazy(op: number, a: bigint, b: bigint): void {
    const cpu = this.cpu;
    cpu.flagArgs[0] = a;
    cpu.flagArgs[1] = b;
    cpu.flagOp = op;
  }
}

/**
 * A decode table row from a specification. `decodeArgs` decodes a word once (the decode cache keeps the result
 * beside the word, decode-a64.ts); the handler, one function for all the row's words, runs `exec` on the CPU's
 * InterpSem with the arguments its caller passes (a handler block keeps them beside its words, so it never decodes
 * again) or else the cache's, decoding again only when the cache has since let the word go.
 */
export function specRow(spec: AnyInsnSpec): EncodingRow {
  const { read } = parsePattern(spec.pattern);
  const { decode, exec } = spec;
  const decodeArgs = (insn: number): unknown => decode(read(insn));
  return {
    name: spec.name,
    pattern: spec.pattern,
    spec,
    decodeArgs,
    exec: (cpu, insn, args) => {
      let a = args ?? cpu.decoder.cachedArgs(insn);
      if (a === undefined) {
        a = decodeArgs(insn);
        if (a === undefined) undefinedInstruction();
      }
      exec(cpu.sem, a);
    },
  };
}
