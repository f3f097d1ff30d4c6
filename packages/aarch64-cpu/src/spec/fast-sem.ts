/**
 * The fast interpreter: a third backend of the instruction specification ({@link Sem}), beside the BigInt interpreter
 * (spec/interp-sem.ts) and the WebAssembly tier (wasm-jit/spec-wasm.ts). `fastProgram` runs a row's `exec` once for a
 * word's decoded arguments with a recording Sem and returns what it recorded as a program of operations on 32-bit
 * halves in the CPU's state block, with no BigInt arithmetic (spec/fast-ops.ts: the operations and the loop that runs
 * them). Handler blocks (handler-block.ts) run their instructions' programs; the interpreter (`Cpu.interpret`, `step`)
 * keeps the BigInt handlers, so the random differential tests compare the two (mmu code-cache.test.ts "handler blocks
 * agree with the interpreter", and fast-sem.test.ts row by row).
 *
 * Why: a Linux boot runs about 1.5 million handler-block runs before blocks become hot enough to compile, and the
 * BigInt handlers cost about 440 ns an instruction there (docs/performance.md, fourteenth and fifteenth sessions).
 *
 * Values while recording ({@link FV}) are constants, folded at record time with the interpreter's own arithmetic
 * (BigOps) and given to operations as immediates where they have a form for one; locations: a pair of 32-bit words
 * (low word first) in `cpu.fast32`, which is the state block followed by {@link FAST_TEMP_WORDS} words of
 * temporaries (state-layout.ts), a register's value being its slot in the block; or pure operations not emitted yet.
 * A pure operation is emitted where its value is first needed: into a temporary of its own, or straight into the
 * register it is written to (every operation reads its operands before it writes), and never when nothing needs it.
 * A snapshot of a register (`let`) is the register's own slot until the instruction writes that register (then it is
 * copied first, and the copy dropped if nothing read it), and a load whose result only register copies follow loads
 * straight into its register. Values the instruction's address gives (PC plus a constant, or its page plus one:
 * branch targets, ADR, ADRP, a BL's return address) are constants whose address a block adds (`pcPatches`,
 * spec/fast-block.ts), so a word's program serves it wherever it is.
 * Operations that read other state (the SP, the flags) or have effects (register and flag writes, memory accesses,
 * branches, exceptions) are emitted in the order the interpreter would perform them, so effects happen at the same
 * points. Memory accesses and branches go through the same calls as the interpreter's (the memory port's read/write,
 * InterpSem.branch; a block's own taken target excepted), with BigInts only at that boundary (read from and written
 * to `cpu.fast64`, the same bytes as 64-bit words).
 *
 * What it does not record (the SIMD&FP operations, and any use the specification rules of spec/sem.ts would not
 * allow to be replayed exactly, such as reading a register's value after the instruction wrote that register, which
 * a pending operation emitted late would also do) makes `fastProgram` return undefined: the row's BigInt handler is
 * used for that word.
 */
import { FlagOp } from '../flags.js';
import { Acc } from '../ports.js';
import { CPU_STATE_BYTES, FAST_TEMP_WORDS, St } from '../state-layout.js';
import { BigOps } from './interp-sem.js';
import { BYTE_TABLES } from './byte-tables.js';
import { FastOp, halvesOf, type FastFn } from './fast-ops.js';
import type { ByteTable, FpBinOp, Sem, ShiftType, Width } from './sem.js';
import type { AnyInsnSpec } from './spec.js';

/** A word's recorded operations (spec/fast-ops.ts), the functions its Fn operations call, and where their indices are. */
export interface FastProgram {
  readonly ops: Int32Array;
  readonly refs: readonly FastFn[];
  /** The positions in `ops` of indices into `refs` (rebased when programs are joined). */
  readonly refAt: readonly number[];
  /**
   * Where the program depends on the instruction's address, as pairs (position, {@link PcPatch}): a Const whose
   * value is an offset from the address (its fields at position + 2 and + 3 get the address, or its page, added), or a
   * BranchRel/BranchIfRel at position (spec/fast-block.ts fills them in for the block's address).
   */
  readonly pcPatches: readonly number[];
}

/** What a {@link FastProgram.pcPatches} entry asks for. */
export const enum PcPatch {
  /** A Const of an offset from the instruction's address: add the address. */
  Pc,
  /** A Const of an offset from the instruction's 4 KiB page (ADRP): add the page's address. */
  Page,
  /** A BranchRel or BranchIfRel: the block may make it BranchTaken or BranchIfTaken. */
  Branch,
}

/**
 * A recorded value: a constant (`loc` -1), a pure operation not emitted yet (`emit` set: it is emitted where the value
 * is first needed, into a temporary or straight into the register it is written to, and never if nothing needs it),
 * or a location of `cpu.fast32`. `reg`: the X register whose slot this is as a register read; `valueReg`: the
 * register this value was written into (its location is that register's slot) until the register is written again.
 */
class FV {
  emit: ((d: number) => void) | undefined;
  stale = false;
  valueReg = -1;
  /** A snapshot ({@link Recorder.let}) of this X register's value, still read from the register's slot. */
  snapOf = -1;
  /** Where in the program a register write copied this snapshot to a temporary (-1: not copied). */
  copiedAt = -1;
  /** Whether the snapshot was read after that copy (else fastProgram removes the copy). */
  readAfterCopy = false;
  /** A value the instruction's address gives ({@link PcPatch} Pc or Page, plus the offset lo, hi), or -1. */
  pcKind = -1;
  /** A pending zero-extension of this value's low word (an operation reading only low words reads it instead). */
  zextOf: FV | undefined;
  /** A pending AddI64 of this value and the constant (lo, hi) (a load or store adds it itself: LoadI, StoreI). */
  addImm: { readonly a: FV; readonly lo: number; readonly hi: number } | undefined;
  constructor(public loc: number, readonly lo: number, readonly hi: number, readonly reg: number, readonly hiZero = false) {}
  get konst(): boolean { return this.loc === -1; }
}

/** Thrown while recording: the word keeps its BigInt handler. */
class Unsupported extends Error {}

const T0 = CPU_STATE_BYTES >> 2;
const T_END = T0 + FAST_TEMP_WORDS;
const X0 = St.X >> 2;
/** The `loc` of a value whose operation is not emitted yet. */
const PENDING = -2;
/** The `loc` of a value the instruction's address gives (`pcKind`). */
const PC_RELATIVE = -3;

const big = (v: FV): bigint => (BigInt(v.hi >>> 0) << 32n) | BigInt(v.lo >>> 0);
const isZero = (v: FV): boolean => v.konst && v.lo === 0 && v.hi === 0;

/** Records one word's `exec` (see the file comment). */
class Recorder implements Sem<FV, FV> {
  readonly p: number[] = [];
  readonly refs: FastFn[] = [];
  readonly refAt: number[] = [];
  private next = T0;
  /** X registers written so far (bit n): a location of one of them must not be read again. */
  private written = 0;
  /** Values not emitted yet (emitted before a `when`, whose arms run conditionally). */
  private readonly pending: FV[] = [];
  /** Values written into a register (`valueReg`): stale once the register is written again. */
  private readonly inRegs: FV[] = [];
  /** Snapshots of registers still read from the register's slot (`snapOf`): copied before the register is written. */
  private readonly snapshots: FV[] = [];
  /** FastProgram.pcPatches so far. */
  private readonly patches: number[] = [];
  /** Where the last Load operation starts in `p` (loadInto), -1 when none may be retargeted. */
  private lastLoad = -1;
  /** Arms of `when` being recorded: a register written there cannot copy a snapshot (the other path would not). */
  private depth = 0;

  private temp(): number {
    const t = this.next;
    if (t + 2 > T_END) throw new Unsupported('temporaries');
    this.next = t + 2;
    return t;
  }
  private at(loc: number, hiZero = false): FV { return new FV(loc, 0, 0, -1, hiZero); }
  private k(v: bigint): FV { return new FV(-1, ...halvesOf(v), -1); }
  /** A pure operation's value, emitted by `emit(d)` (which pushes it with destination d) when first needed. */
  private lazy(emit: (d: number) => void, hiZero = false): FV {
    const v = new FV(PENDING, 0, 0, -1, hiZero);
    v.emit = emit;
    this.pending.push(v);
    return v;
  }
  /** Emit pending `v` into the pair at `d`. */
  private materialize(v: FV, d: number): void {
    const e = v.emit!;
    v.emit = undefined;
    e(d);
    v.loc = d;
  }
  /** The location of `v` (a constant is written to a temporary first, a pending operation emitted into one). */
  private loc(v: FV): number {
    if (v.pcKind >= 0) {
      // (A fresh constant at each use: a use inside a `when` arm must not leave the other path without it.)
      const t = this.temp();
      this.pcConst(t, v);
      return t;
    }
    if (v.emit !== undefined) this.materialize(v, this.temp());
    if (v.konst) {
      const t = this.temp();
      this.p.push(FastOp.Const, t, v.lo, v.hi);
      return t;
    }
    if (v.copiedAt >= 0) v.readAfterCopy = true;
    if (v.stale) throw new Unsupported('a value read after its register was written again');
    if (v.reg >= 0 && (this.written & (1 << v.reg)) !== 0) throw new Unsupported('register read after its write');
    return v.loc;
  }
  /**
   * The location of `v` for an operation that reads only its low word: a pending zero-extension's operand itself
   * (the extension is never emitted for it).
   */
  private loc32(v: FV): number {
    return v.emit !== undefined && v.zextOf !== undefined ? this.loc(v.zextOf) : this.loc(v);
  }
  /** A pure operation `op` on `a` (then `extra` fields), emitted when needed; `low`: it reads only a's low word. */
  private unary(op: FastOp, a: FV, extra: readonly number[] = [], hiZero = false, low = false): FV {
    return this.lazy((d) => { const x = low ? this.loc32(a) : this.loc(a); this.p.push(op, d, x, ...extra); }, hiZero);
  }
  /** `low`: the operation reads only its operands' low words (the 32-bit operations). */
  private binary(op: FastOp, a: FV, b: FV, hiZero = false, low = false): FV {
    return this.lazy((d) => {
      const x = low ? this.loc32(a) : this.loc(a);
      const y = low ? this.loc32(b) : this.loc(b);
      this.p.push(op, d, x, y);
    }, hiZero);
  }
  /**
   * `op` with a constant second operand (fields: its low word, and its high word unless `lowOnly`, when the operation
   * reads only a's low word).
   */
  private immediate(op: FastOp, a: FV, b: FV, lowOnly: boolean, hiZero = false): FV {
    const { lo, hi } = b;
    const v = this.lazy((d) => {
      if (lowOnly) this.p.push(op, d, this.loc32(a), lo);
      else this.p.push(op, d, this.loc(a), lo, hi);
    }, hiZero);
    if (op === FastOp.AddI64) v.addImm = { a, lo, hi };
    return v;
  }
  /** An operation that reads CPU state (emitted now, where the interpreter would read it). */
  private result(op: FastOp, fields: readonly number[] = [], hiZero = false): FV {
    const d = this.temp();
    this.p.push(op, d, ...fields);
    return this.at(d, hiZero);
  }
  /** A value the instruction's address gives: `kind` ({@link PcPatch} Pc or Page) plus `off`. */
  private pcRelative(kind: PcPatch, off: bigint): FV {
    const v = new FV(PC_RELATIVE, ...halvesOf(off), -1);
    v.pcKind = kind;
    return v;
  }
  /** Const of the PC-relative `v` into `d`, its address added when a block is made (pcPatches). */
  private pcConst(d: number, v: FV): void {
    this.patches.push(this.p.length, v.pcKind);
    this.p.push(FastOp.Const, d, v.lo, v.hi);
  }
  private fn(f: FastFn): void {
    this.p.push(FastOp.Fn, this.refs.length);
    this.refAt.push(this.p.length - 1);
    this.refs.push(f);
  }
  private unsupported(): never { throw new Unsupported('operation'); }

  /**
   * The recorded program, without the snapshot copies nothing read (a register write copies the register's snapshots
   * before it, not knowing whether they are read again). Copies are made outside `when` arms, so no jump spans one.
   */
  finish(): FastProgram {
    const p = this.p;
    let refAt = this.refAt;
    const patches = this.patches;
    const unread = this.snapshots.filter((v) => v.copiedAt >= 0 && !v.readAfterCopy).map((v) => v.copiedAt);
    for (const at of unread.sort((a, b) => b - a)) {
      p.splice(at, 3);
      refAt = refAt.map((r) => (r > at ? r - 3 : r));
      for (let i = 0; i < patches.length; i += 2) if (patches[i]! > at) patches[i] = patches[i]! - 3;
    }
    return { ops: Int32Array.from(p), refs: this.refs, refAt, pcPatches: patches };
  }

  // ---- values ----
  c(v: bigint): FV { return this.k(v); }
  pc(): FV { return this.pcRelative(PcPatch.Pc, 0n); }
  // A snapshot: a pending operation emitted now; a register's value read from the register's slot until the register
  // is written (setX copies it to a temporary first, so most snapshots cost no operation).
  let(v: FV): FV {
    if (v.pcKind >= 0) return v;
    const z = v.zextOf;
    if (v.emit !== undefined && z !== undefined && z.reg >= 0) {
      // A register's zero-extended low word (a 32-bit operand): still pending, over the register's snapshot.
      const snap = this.let(z);
      v.zextOf = snap;
      v.emit = (d) => { this.p.push(FastOp.Zext, d, this.loc(snap), -1); };
      return v;
    }
    const x = this.loc(v);
    if (v.reg < 0) return v;
    const snap = this.at(x, v.hiZero);
    snap.snapOf = v.reg;
    this.snapshots.push(snap);
    return snap;
  }

  // ---- registers ----
  x(n: number): FV { return n === 31 ? this.k(0n) : new FV(X0 + 2 * n, 0, 0, n); }
  xsp(n: number): FV { return n !== 31 ? this.x(n) : this.result(FastOp.SpGet); }
  setX(n: number, v: FV, w: Width): void {
    if (n === 31) return;
    const d = X0 + 2 * n;
    for (const snap of this.snapshots) {
      if (snap.snapOf !== n) continue;
      if (this.depth > 0) throw new Unsupported('a snapshot of a register written inside when');
      const t = this.temp();
      snap.copiedAt = this.p.length;
      this.p.push(FastOp.Copy, t, d);
      snap.loc = t;
      snap.snapOf = -1;
    }
    if (v.pcKind >= 0 && w === 64) {
      this.pcConst(d, v);
    } else if (v.konst) {
      this.p.push(FastOp.Const, d, v.lo, w === 64 ? v.hi : 0);
    } else if (v.emit !== undefined && (w === 64 || v.hiZero)) {
      // Straight into the register: the operation reads its operands before it writes (fast-ops.ts).
      this.materialize(v, d);
      v.valueReg = n;
    } else if ((w === 64 || v.hiZero) && this.loadInto(v, d)) {
      v.valueReg = n;
    } else {
      this.p.push(w === 64 ? FastOp.Copy : FastOp.Copy32, d, w === 64 ? this.loc(v) : this.loc32(v));
    }
    for (const r of this.inRegs) if (r.valueReg === n && r !== v) r.stale = true;
    if (v.valueReg === n) this.inRegs.push(v);
    this.written |= 1 << n;
  }
  setXsp(n: number, v: FV, w: Width): void {
    if (n !== 31) this.setX(n, v, w);
    else this.p.push(w === 64 ? FastOp.SpSet : FastOp.SpSet32, this.loc(v));
  }
  /**
   * Whether `v`, the value of a Load that only copies into other registers follow, now loads straight into the pair
   * at `d` (a register's slot) instead of its temporary: nothing after it can fault (the memory port writes nothing
   * when it throws), and none of the copies reads or writes `d` or reads the temporary. Saves the copy an LDR's result
   * would take.
   */
  private loadInto(v: FV, d: number): boolean {
    const p = this.p;
    let i = this.lastLoad;
    const t = v.loc;
    if (i < 0 || p[i + 1] !== t || t < T0) return false;
    for (i += p[i] === FastOp.LoadI ? 8 : 5; i < p.length; i += 3) {
      const op = p[i];
      if ((op !== FastOp.Copy && op !== FastOp.Copy32) || p[i + 1] === d || p[i + 2] === d || p[i + 2] === t) return false;
    }
    p[this.lastLoad + 1] = d;
    v.loc = d;
    return true;
  }

  // ---- arithmetic and logic (pure: emitted when needed) ----
  add(a: FV, b: FV, w: Width): FV {
    if (a.konst && b.konst) return this.k(BigOps.add(big(a), big(b), w));
    if (w === 64 && a.pcKind >= 0 && b.konst) return this.pcRelative(a.pcKind, BigOps.add(big(a), big(b), 64));
    if (w === 64 && b.pcKind >= 0 && a.konst) return this.pcRelative(b.pcKind, BigOps.add(big(a), big(b), 64));
    if (isZero(b)) return a;
    if (isZero(a)) return b;
    if (a.konst) return this.add(b, a, w);
    if (b.konst) return this.immediate(w === 64 ? FastOp.AddI64 : FastOp.AddI32, a, b, w === 32, w === 32);
    return this.binary(w === 64 ? FastOp.Add64 : FastOp.Add32, a, b, w === 32, w === 32);
  }
  sub(a: FV, b: FV, w: Width): FV {
    if (a.konst && b.konst) return this.k(BigOps.sub(big(a), big(b), w));
    if (isZero(b)) return a;
    if (b.konst) return this.add(a, this.k(BigOps.sub(0n, big(b), w)), w);
    return this.binary(w === 64 ? FastOp.Sub64 : FastOp.Sub32, a, b, w === 32, w === 32);
  }
  mul(a: FV, b: FV, w: Width): FV {
    if (a.konst && b.konst) return this.k(BigOps.mul(big(a), big(b), w));
    return this.binary(w === 64 ? FastOp.Mul64 : FastOp.Mul32, a, b, w === 32, w === 32);
  }
  and(a: FV, b: FV): FV {
    if (a.konst && b.konst) return this.k(big(a) & big(b));
    if (a.konst) return this.and(b, a);
    // (ADRP: the address's page.)
    if (a.pcKind === PcPatch.Pc && a.lo === 0 && a.hi === 0 && b.konst && big(b) === 0xffff_ffff_ffff_f000n) {
      return this.pcRelative(PcPatch.Page, 0n);
    }
    if (b.konst) return this.immediate(FastOp.AndI, a, b, false, b.hi === 0 || a.hiZero);
    return this.binary(FastOp.And, a, b, a.hiZero || b.hiZero);
  }
  or(a: FV, b: FV): FV {
    if (a.konst && b.konst) return this.k(big(a) | big(b));
    if (isZero(b)) return a;
    if (isZero(a)) return b;
    if (a.konst) return this.or(b, a);
    if (b.konst) return this.immediate(FastOp.OrI, a, b, false, a.hiZero && b.hi === 0);
    return this.binary(FastOp.Or, a, b, a.hiZero && b.hiZero);
  }
  xor(a: FV, b: FV): FV {
    if (a.konst && b.konst) return this.k(big(a) ^ big(b));
    if (a.konst) return this.xor(b, a);
    if (b.konst) return this.immediate(FastOp.XorI, a, b, false, a.hiZero && b.hi === 0);
    return this.binary(FastOp.Xor, a, b, a.hiZero && b.hiZero);
  }
  not(a: FV, w: Width): FV {
    if (a.konst) return this.k(BigOps.not(big(a), w));
    return this.unary(w === 64 ? FastOp.Not64 : FastOp.Not32, a, [], w === 32, w === 32);
  }
  shift(type: ShiftType, a: FV, amount: number, w: Width): FV {
    if (a.konst) return this.k(BigOps.shift(type, big(a), amount, w));
    if (amount === 0) return a;
    return this.unary(FastOp.Shift, a, [type, amount, w], w === 32, w === 32);
  }
  shiftBy(type: ShiftType, a: FV, amount: FV, w: Width): FV {
    if (a.konst && amount.konst) return this.k(BigOps.shiftBy(type, big(a), big(amount), w));
    if (amount.konst) return this.shift(type, a, amount.lo & (w - 1), w);
    return this.lazy((d) => {
      const x = w === 32 ? this.loc32(a) : this.loc(a);
      const y = this.loc32(amount); // (the amount's low bits only)
      this.p.push(FastOp.ShiftBy, d, x, y, type, w);
    }, w === 32);
  }
  zext(a: FV, bits: 8 | 16 | 32 | 64): FV {
    if (bits === 64) return a;
    if (a.konst) return this.k(BigOps.zext(big(a), bits));
    const v = this.unary(FastOp.Zext, a, [bits === 32 ? -1 : bits === 16 ? 0xffff : 0xff], true, true);
    if (bits === 32) v.zextOf = a;
    return v;
  }
  sext(a: FV, bits: 8 | 16 | 32 | 64): FV {
    if (bits === 64) return a;
    if (a.konst) return this.k(BigOps.sext(big(a), bits));
    return this.unary(FastOp.Sext, a, [32 - bits], false, true);
  }
  bytes(lo: FV, hi: FV, perm: readonly number[], table?: ByteTable): FV {
    const x = this.loc(lo);
    const y = this.loc(hi);
    const d = this.temp();
    const p = perm.slice();
    const t = table === undefined ? undefined : BYTE_TABLES[table]!;
    // As InterpSem.bytes, on the four words.
    this.fn((s) => {
      let r0 = 0;
      let r1 = 0;
      for (let k = 0; k < 8; k++) {
        const q = p[k]!;
        const wi = q >> 2;
        const word = wi < 2 ? s[x + wi]! : s[y + wi - 2]!;
        const b = (word >>> (8 * (q & 3))) & 0xff;
        const v = t === undefined ? b : t[b]!;
        if (k < 4) r0 |= v << (8 * k);
        else r1 |= v << (8 * (k - 4));
      }
      s[d] = r0;
      s[d + 1] = r1;
    });
    return this.at(d);
  }
  clz(a: FV, w: Width): FV {
    if (a.konst) return this.k(BigOps.clz(big(a), w));
    return this.unary(w === 32 ? FastOp.Clz32 : FastOp.Clz64, a, [], true, w === 32);
  }
  udiv(a: FV, b: FV, w: Width): FV {
    if (a.konst && b.konst) return this.k(BigOps.udiv(big(a), big(b)));
    return w === 32 ? this.binary(FastOp.Udiv32, a, b, true, true) : this.viaBigInt(a, b, (p, q) => BigOps.udiv(p, q));
  }
  sdiv(a: FV, b: FV, w: Width): FV {
    if (a.konst && b.konst) return this.k(BigOps.sdiv(big(a), big(b), w));
    return w === 32 ? this.binary(FastOp.Sdiv32, a, b, true, true) : this.viaBigInt(a, b, (p, q) => BigOps.sdiv(p, q, 64));
  }
  mulh(a: FV, b: FV, signed: boolean): FV { return this.viaBigInt(a, b, (p, q) => BigOps.mulh(p, q, signed)); }
  /** An operation computed on BigInts (the interpreter's arithmetic), for the rare 64-bit divisions and high products. */
  private viaBigInt(a: FV, b: FV, f: (p: bigint, q: bigint) => bigint): FV {
    if (a.konst && b.konst) return this.k(f(big(a), big(b)));
    const x = this.loc(a) >> 1;
    const y = this.loc(b) >> 1;
    const d = this.temp();
    const e = d >> 1;
    this.fn((_s, c) => { const u = c.fast64; u[e] = f(u[x]!, u[y]!); });
    return this.at(d);
  }

  // ---- truths: 0 or 1 in the low word of a location (the high word 0) ----
  ltu(a: FV, b: FV): FV {
    if (a.konst && b.konst) return this.k(big(a) < big(b) ? 1n : 0n);
    return this.binary(FastOp.Ltu, a, b, true);
  }
  eq(a: FV, b: FV): FV { return this.equal(a, b, true); }
  ne(a: FV, b: FV): FV { return this.equal(a, b, false); }
  private equal(a: FV, b: FV, same: boolean): FV {
    if (a.konst && b.konst) return this.k((a.lo === b.lo && a.hi === b.hi) === same ? 1n : 0n);
    if (a.konst) return this.equal(b, a, same);
    if (b.konst) return this.immediate(same ? FastOp.EqI : FastOp.NeI, a, b, false, true);
    return this.binary(same ? FastOp.Eq : FastOp.Ne, a, b, true);
  }
  bit(t: FV): FV { return t; }
  cond(cond: number): FV { return this.result(FastOp.Cond, [cond], true); }
  select(t: FV, a: FV, b: FV): FV {
    if (t.konst) return t.lo !== 0 ? a : b;
    return this.lazy((d) => {
      const z = this.loc(t);
      const x = this.loc(a);
      const y = this.loc(b);
      this.p.push(FastOp.Select, d, z, x, y);
    }, a.hiZero && b.hiZero);
  }
  when(t: FV, then: () => void, otherwise: () => void): void {
    if (t.konst) {
      if (t.lo !== 0) then();
      else otherwise();
      return;
    }
    // Whatever the arms use must be computed on both paths: emit every pending value first.
    for (const v of this.pending) if (v.emit !== undefined) this.loc(v);
    const p = this.p;
    p.push(FastOp.Jz, this.loc(t), 0);
    const jz = p.length;
    this.depth++;
    then();
    p.push(FastOp.Jmp, 0);
    const jmp = p.length;
    p[jz - 1] = jmp - jz;
    otherwise();
    this.depth--;
    p[jmp - 1] = p.length - jmp;
    this.lastLoad = -1;
  }

  // ---- flags: recorded lazily, as the interpreter does (flags.ts) ----
  carry(): FV { return this.result(FastOp.Carry, [], true); }
  flagsAdd(a: FV, b: FV, w: Width): void { this.flags(w === 64 ? FlagOp.Add64 : FlagOp.Add32, a, b); }
  flagsSub(a: FV, b: FV, w: Width): void { this.flags(w === 64 ? FlagOp.Sub64 : FlagOp.Sub32, a, b); }
  flagsLogic(r: FV, w: Width): void { this.flags(w === 64 ? FlagOp.Logic64 : FlagOp.Logic32, r, this.k(0n)); }
  private flags(flagOp: number, a: FV, b: FV): void {
    if (flagOp === FlagOp.Add32 || flagOp === FlagOp.Sub32 || flagOp === FlagOp.Logic32) {
      // (A 32-bit operation's flags take its operands' low words, as the interpreter's zero-extended values.)
      const x = this.loc32(a);
      if (b.konst) this.p.push(FastOp.FlagsI32, flagOp, x, b.lo);
      else this.p.push(FastOp.Flags32, flagOp, x, this.loc32(b));
      return;
    }
    const x = this.loc(a);
    if (b.konst) this.p.push(FastOp.FlagsI, flagOp, x, b.lo, b.hi);
    else this.p.push(FastOp.Flags, flagOp, x, this.loc(b));
  }
  setNzcv(nzcv: number): void { this.p.push(FastOp.SetNzcv, nzcv); }
  setNzcvV(v: FV): void { this.p.push(FastOp.SetNzcvV, this.loc(v)); }

  // ---- branches: the interpreter's (InterpSem.branch) with the target as a BigInt ----
  branch(target: FV): void {
    if (target.pcKind !== PcPatch.Pc) {
      this.p.push(FastOp.Branch, this.loc(target));
      return;
    }
    this.patches.push(this.p.length, PcPatch.Branch);
    this.p.push(FastOp.BranchRel, target.lo, target.hi);
  }
  branchIf(t: FV, target: FV): void {
    if (t.konst) {
      if (t.lo !== 0) this.branch(target);
      return;
    }
    const z = this.loc(t);
    if (target.pcKind !== PcPatch.Pc) {
      this.p.push(FastOp.BranchIf, z, this.loc(target));
      return;
    }
    this.patches.push(this.p.length, PcPatch.Branch);
    this.p.push(FastOp.BranchIfRel, z, target.lo, target.hi);
  }

  // ---- memory: the memory port's read and write, as the interpreter calls them ----
  addrBase(n: number): FV { return n !== 31 ? this.x(n) : this.result(FastOp.SpBase); }
  syndrome(iss: number): void { this.p.push(FastOp.Syndrome, iss); }
  load(addr: FV, size: 0 | 1 | 2 | 3, flags: number): FV {
    const fused = addr.emit !== undefined ? addr.addImm : undefined;
    if (fused !== undefined) {
      // (Base plus offset, not needed otherwise yet: the load adds it, into a temporary of its own.)
      const x = this.loc(fused.a);
      const t = this.temp();
      const d = this.temp();
      this.lastLoad = this.p.length;
      this.p.push(FastOp.LoadI, d, x, fused.lo, fused.hi, t, 1 << size, flags);
      return this.at(d, size < 3);
    }
    const x = this.loc(addr);
    this.lastLoad = this.p.length;
    return this.result(FastOp.Load, [x, 1 << size, flags], size < 3);
  }
  store(addr: FV, size: 0 | 1 | 2 | 3, v: FV, flags: number): void {
    const fused = addr.emit !== undefined ? addr.addImm : undefined;
    if (fused !== undefined) {
      const x = this.loc(fused.a);
      const y = size < 3 ? this.loc32(v) : this.loc(v);
      this.p.push(FastOp.StoreI, x, fused.lo, fused.hi, this.temp(), y, size, flags | Acc.Write);
      return;
    }
    const x = this.loc(addr);
    const y = size < 3 ? this.loc32(v) : this.loc(v);
    this.p.push(FastOp.Store, x, y, size, flags | Acc.Write);
  }

  // ---- SIMD&FP: not recorded (the BigInt handler runs these rows) ----
  fpCheck(): void { this.unsupported(); }
  alignQ(_addr: FV, _write: boolean): void { this.unsupported(); }
  loadElems(_addr: FV, _esize: 0 | 1 | 2 | 3, _flags: number): FV { this.unsupported(); }
  storeElems(_addr: FV, _esize: 0 | 1 | 2 | 3, _v: FV, _flags: number): void { this.unsupported(); }
  vget(_n: number, _half: 0 | 1): FV { this.unsupported(); }
  fpBinary(_op: FpBinOp, _a: FV, _b: FV, _size: 32 | 64): FV { this.unsupported(); }
  fpMulAdd(_c: FV, _a: FV, _b: FV, _size: 64): FV { this.unsupported(); }
  fpMulAddPair(_c: readonly [FV, FV], _a: readonly [FV, FV], _b: readonly [FV, FV], _size: 64): [FV, FV] {
    this.unsupported();
  }
  fpFromInt(_v: FV, _from: Width, _unsigned: boolean, _size: 32 | 64): FV { this.unsupported(); }
  fpCompare(_a: FV, _b: FV, _size: 32 | 64, _signal: boolean): FV { this.unsupported(); }
  vset(_n: number, _half: 0 | 1, _v: FV): void { this.unsupported(); }
}

/**
 * The fast program of `spec` for one word's decoded arguments `args`, or undefined when the row uses an operation
 * the recording does not replay (the word keeps its BigInt handler).
 */
export function fastProgram(spec: AnyInsnSpec, args: unknown): FastProgram | undefined {
  if (spec.fp === true) return undefined;
  const r = new Recorder();
  try {
    spec.exec(r, args);
  } catch {
    // Unsupported, or an exec that throws whatever its operands (it would throw when run: the BigInt handler does).
    return undefined;
  }
  return r.finish();
}
