/**
 * The WebAssembly tier's backend of the instruction specification (spec/*.ts): {@link WasmSem} implements the
 * specification's operations by emitting the wasm that computes them into the block being compiled, and
 * {@link specTranslations} derives a {@link Translator} for every specification row from its `decode` and `exec`.
 * No instruction's meaning is written here: only what each generic operation is in WebAssembly.
 *
 * A value ({@link WVal}) is code that pushes an i64, emitted where the value is used; pure operations compose
 * those, so an expression becomes one stack-machine sequence without temporaries, and a constant expression (PC
 * arithmetic, immediates) is folded at translation time with the interpreter's own BigInt arithmetic
 * (spec/interp-sem.ts `BigOps`). Registers come from the block's register cache (block-emitter.ts). `let`, `cond`
 * and `carry` compute into a scratch local at once, so a value that is read several times, or that depends on
 * state an effect may change, is fixed where the specification asks for it. The rules of spec/sem.ts are checked
 * while emitting: a register value used after the register was written, or an effect inside `when` other than the
 * flags, throws at translation time (and so fails the differential tests) instead of emitting different semantics.
 */
import { FlagOp } from '../flags.js';
import { Acc } from '../ports.js';
import { parsePattern, type Fields } from '../spec/pattern.js';
import { BigOps } from '../spec/interp-sem.js';
import { ARENA_BYTE_TABLES } from '../arena.js';
import { BYTE_TABLES } from '../spec/byte-tables.js';
import { D_MAX, D_MIN, FMA_MAX, FMA_MIN, SPLIT, S_MAX, S_MIN } from '../fp/fast.js';
import { IXC } from '../fp/format.js';
import { FpBinOp, type ByteTable, type Sem, type ShiftType, type Width } from '../spec/sem.js';
import type { AnyInsnSpec } from '../spec/spec.js';
import { St } from '../state-layout.js';
import { SysReg } from '../sysregs.js';
import { MemOp, Op, SimdLaneOp, SimdOp, type Opcode, type SimdOpcode } from '../wasm/opcodes.js';
import { ValType, VOID_BLOCK } from '../wasm/types.js';
import type { BlockEmitter, Translator } from './block-emitter.js';
import { emitFpDisabled } from './fp-access.js';

const { i32, i64, f64, v128 } = ValType;
/** FPCR's DN [25], FZ [24] and RMode [23:22]: the inline FP arithmetic needs them all zero. */
const FPCR_NOT_PLAIN = 0x03c0_0000;
/** FPCR.FZ [24]: flushes denormal operands (the inline compare needs it zero). */
const FPCR_FZ = 0x0100_0000;
const M32 = 0xffff_ffffn;
/** The block function's state-block parameter (block-emitter.ts P_ST). */
const P_ST = 0;
/** The bit of `written` that stands for the stack pointer. */
const SP_BIT = 1 << 31;

/** An i64 the emitted code computes: `emit` pushes it; `k` is its value when known at translation time. */
export interface WVal {
  readonly emit: () => void;
  readonly k?: bigint;
  /** Known to have bits 63:32 clear (a 32-bit result, a small constant): a 32-bit zero-extension is skipped. */
  readonly z32?: boolean;
  /** A load's value: the i32 local holding the host address and the size (a sign extension loads it signed). */
  readonly loaded?: { readonly ha: number; readonly size: number };
  /**
   * Xn's value before the instruction (31: SP's) plus `off`, Xn at its emitter version `ver`: an address an earlier
   * access may have had (BlockEmitter.tagKnown).
   */
  readonly sym?: { readonly reg: number; readonly ver: number; readonly off: bigint };
}

/** An i32 truth the emitted code computes (or `k` when known). */
export interface WTruth {
  readonly emit: () => void;
  readonly k?: boolean;
}

const SHIFT64 = [Op.i64_shl, Op.i64_shr_u, Op.i64_shr_s, Op.i64_rotr] as const;
const SHIFT32 = [Op.i32_shl, Op.i32_shr_u, Op.i32_shr_s, Op.i32_rotr] as const;

/** State block offsets of the low words of CPACR_EL1 (FPEN is bits [21:20]) and SCTLR_EL1 (A is bit 1). */
const SCTLR_LOW = St.SYS + 8 * SysReg.SCTLR_EL1;

const LOAD_U = [MemOp.i64_load8_u, MemOp.i64_load16_u, MemOp.i64_load32_u, MemOp.i64_load] as const;
const LOAD_S = [MemOp.i64_load8_s, MemOp.i64_load16_s, MemOp.i64_load32_s, MemOp.i64_load] as const;
const STORE = [MemOp.i64_store8, MemOp.i64_store16, MemOp.i64_store32, MemOp.i64_store] as const;

export class WasmSem implements Sem<WVal, WTruth> {
  /** Registers written by this instruction (bit n: Xn; bit 31: SP). */
  private written = 0;
  /**
   * SIMD&FP registers written (bit n: Vn), whether any was read, and whether one was written before a memory access
   * (spec/sem.ts: an instruction that writes a V register before an access reads none).
   */
  private vWritten = 0;
  private vRead = false;
  private vWrittenBeforeAccess = false;
  /** An operation other than fpCheck was emitted (fpCheck must come first). */
  private begun = false;
  /** fpCheck was emitted: a SIMD&FP instruction (a load or store's accesses may be unaligned inline). */
  private fp = false;
  /** FPCR was checked (fpBinary: once per instruction). */
  private fpcrChecked = false;
  private inArm = false;
  private nextI64 = 0;
  private nextI32 = 0;
  private readonly i64Scratch: number[];
  // Not lo/hi/ent: BlockEmitter.fastCheck uses them.
  private readonly i32Scratch: number[];

  /**
   * `writes`: for a specification with memory accesses, emitted inside BlockEmitter.withSlowPath; the registers
   * it writes are added to the list (the slow path's handler writes the same ones).
   */
  /** The block end a branch specification emits (branch, branchIf; finishBranch). */
  private pending:
    | { readonly kind: 'direct'; readonly target: bigint }
    | { readonly kind: 'cond'; readonly t: WTruth; readonly target: bigint }
    | { readonly kind: 'register'; readonly local: number; readonly saved: ReturnType<BlockEmitter['saveRegs']> }
    | undefined;
  /** A direct target BranchAddr would change (bits [63:55] not all equal): the handler's. */
  private declined = false;

  /**
   * `writes`: for a specification with memory accesses, emitted inside BlockEmitter.withSlowPath; the registers
   * it writes are added to the list (the slow path's handler writes the same ones). `block`: for a branch
   * specification, the block it ends (its instruction count and start address, for the exits).
   */
  constructor(
    private readonly e: BlockEmitter,
    private readonly writes?: number[],
    private readonly block?: { readonly n: number; readonly pc: bigint },
  ) {
    this.i64Scratch = [e.a, e.b, e.r, e.v, e.va, e.va2];
    this.i32Scratch = [e.ha, e.ha2];
  }

  private get f() {
    return this.e.f;
  }

  /** A scratch local for this instruction (the emitter's, then new ones for long expressions). */
  private scratch(type: typeof i32 | typeof i64): number {
    const pool = type === i64 ? this.i64Scratch : this.i32Scratch;
    const k = type === i64 ? this.nextI64++ : this.nextI32++;
    if (k >= pool.length) pool.push(this.f.addLocals(type));
    return pool[k]!;
  }

  private zx(v: WVal): void {
    v.emit();
    if (v.z32 !== true) this.e.zext32();
  }

  private fail(why: string): never {
    throw new Error(`instruction specification at 0x${this.e.pc.toString(16)} breaks spec/sem.ts's rules: ${why}`);
  }

  // ---- values ----

  c(v: bigint): WVal {
    return { k: v, z32: v <= M32, emit: () => { this.f.i64Const(v); } };
  }

  pc(): WVal {
    return this.c(this.e.pc);
  }

  let(v: WVal): WVal {
    if (v.k !== undefined) return v;
    const l = this.scratch(i64);
    v.emit();
    this.f.localSet(l);
    return { emit: () => { this.f.localGet(l); }, ...(v.z32 === true && { z32: true }), ...(v.sym !== undefined && { sym: v.sym }) };
  }

  // ---- registers ----

  x(n: number): WVal {
    if (n === 31) return this.c(0n);
    return {
      emit: () => {
        if ((this.written & (1 << n)) !== 0) this.fail(`X${n} used after it was written`);
        this.e.x(n);
      },
      sym: { reg: n, ver: this.e.version(n), off: 0n },
    };
  }

  xsp(n: number): WVal {
    if (n !== 31) return this.x(n);
    return {
      emit: () => {
        if ((this.written & SP_BIT) !== 0) this.fail('SP used after it was written');
        this.e.xsp(31);
      },
      sym: { reg: 31, ver: this.e.version(31), off: 0n },
    };
  }

  setX(n: number, v: WVal, w: Width): void {
    if (this.inArm) this.fail('a register written inside when()');
    if (n === 31) return;
    this.e.setX(n, w === 32 && v.z32 === true ? 64 : w, v.emit);
    this.written |= 1 << n;
    this.writes?.push(n);
  }

  setXsp(n: number, v: WVal, w: Width): void {
    if (n !== 31) {
      this.setX(n, v, w);
      return;
    }
    if (this.inArm) this.fail('SP written inside when()');
    this.e.setXsp(31, w === 32 && v.z32 === true ? 64 : w, v.emit);
    this.written |= SP_BIT;
  }

  // ---- arithmetic ----

  /** a op b on i64, the result truncated to w bits. */
  private binary(a: WVal, b: WVal, op: Opcode, w: Width, fold: (x: bigint, y: bigint) => bigint): WVal {
    if (a.k !== undefined && b.k !== undefined) return this.c(fold(a.k, b.k));
    return {
      z32: w === 32,
      emit: () => {
        a.emit();
        b.emit();
        this.f.op(op);
        if (w === 32) this.e.zext32();
      },
    };
  }

  add(a: WVal, b: WVal, w: Width): WVal {
    if (b.k === 0n && (w === 64 || a.z32 === true)) return a;
    const sum = this.binary(a, b, Op.i64_add, w, (x, y) => BigOps.add(x, y, w));
    if (w !== 64 || a.sym === undefined || b.k === undefined || sum.k !== undefined) return sum;
    return { ...sum, sym: { ...a.sym, off: BigInt.asUintN(64, a.sym.off + b.k) } };
  }

  sub(a: WVal, b: WVal, w: Width): WVal {
    return this.binary(a, b, Op.i64_sub, w, (x, y) => BigOps.sub(x, y, w));
  }

  mul(a: WVal, b: WVal, w: Width): WVal {
    return this.binary(a, b, Op.i64_mul, w, (x, y) => BigOps.mul(x, y, w));
  }

  /** A bitwise operation (no truncation: the result is as wide as the operands). */
  private bitwise(a: WVal, b: WVal, op: Opcode, z32: boolean, fold: (x: bigint, y: bigint) => bigint): WVal {
    if (a.k !== undefined && b.k !== undefined) return this.c(fold(a.k, b.k));
    return { z32, emit: () => { a.emit(); b.emit(); this.f.op(op); } };
  }

  and(a: WVal, b: WVal): WVal {
    return this.bitwise(a, b, Op.i64_and, a.z32 === true || b.z32 === true, BigOps.and);
  }

  or(a: WVal, b: WVal): WVal {
    return this.bitwise(a, b, Op.i64_or, a.z32 === true && b.z32 === true, BigOps.or);
  }

  xor(a: WVal, b: WVal): WVal {
    return this.bitwise(a, b, Op.i64_xor, a.z32 === true && b.z32 === true, BigOps.xor);
  }

  not(a: WVal, w: Width): WVal {
    return this.bitwise(a, this.c(w === 64 ? 0xffff_ffff_ffff_ffffn : M32), Op.i64_xor, w === 32,
      (x, y) => BigOps.not(x, w) & y);
  }

  shift(type: ShiftType, a: WVal, amount: number, w: Width): WVal {
    if (amount === 0) return a;
    if (a.k !== undefined) return this.c(BigOps.shift(type, a.k, amount, w));
    if (w === 64) return { emit: () => { a.emit(); this.f.i64Const(amount).op(SHIFT64[type]); } };
    // 32-bit: on the low word.
    return {
      z32: true,
      emit: () => {
        a.emit();
        this.f.op(Op.i32_wrap_i64).i32Const(amount).op(SHIFT32[type]).op(Op.i64_extend_i32_u);
      },
    };
  }

  shiftBy(type: ShiftType, a: WVal, amount: WVal, w: Width): WVal {
    if (a.k !== undefined && amount.k !== undefined) return this.c(BigOps.shiftBy(type, a.k, amount.k, w));
    // wasm takes the amount modulo the width, as LSLV and the others do.
    if (w === 64) return { emit: () => { a.emit(); amount.emit(); this.f.op(SHIFT64[type]); } };
    return {
      z32: true,
      emit: () => {
        a.emit();
        this.f.op(Op.i32_wrap_i64);
        amount.emit();
        this.f.op(Op.i32_wrap_i64).op(SHIFT32[type]).op(Op.i64_extend_i32_u);
      },
    };
  }

  zext(a: WVal, bits: 8 | 16 | 32 | 64): WVal {
    if (bits === 64 || (bits === 32 && a.z32 === true)) return a;
    if (a.k !== undefined) return this.c(BigOps.zext(a.k, bits));
    if (bits === 32) return { z32: true, emit: () => this.zx(a) };
    return this.and(a, this.c(bits === 8 ? 0xffn : 0xffffn));
  }

  sext(a: WVal, bits: 8 | 16 | 32 | 64): WVal {
    if (bits === 64) return a;
    if (a.k !== undefined) return this.c(BigOps.sext(a.k, bits));
    const l = a.loaded;
    if (l !== undefined && bits === 8 << l.size) {
      return { emit: () => { this.f.localGet(l.ha).mem(LOAD_S[l.size]!, 0, 0); } }; // a sign-extending load
    }
    const op = bits === 8 ? Op.i64_extend8_s : bits === 16 ? Op.i64_extend16_s : Op.i64_extend32_s;
    return { emit: () => { a.emit(); this.f.op(op); } };
  }

  /**
   * Each byte shifted out of its half and into place; through the table, one i32.load8_u from the arena's copy
   * (ARENA_BYTE_TABLES; the arena's base is address 0). The halves are read once each (locals).
   */
  bytes(lo: WVal, hi: WVal, perm: readonly number[], table?: ByteTable): WVal {
    if (lo.k !== undefined && hi.k !== undefined) {
      let r = 0n;
      for (let k = 0; k < 8; k++) {
        const p = perm[k]!;
        const b = Number(((p < 8 ? lo.k : hi.k) >> BigInt(8 * (p & 7))) & 0xffn);
        r |= BigInt(table === undefined ? b : BYTE_TABLES[table]![b]!) << BigInt(8 * k);
      }
      return this.c(r);
    }
    const halves = [this.let(lo), this.let(hi)];
    const f = this.f;
    return {
      emit: () => {
        for (let k = 0; k < 8; k++) {
          const p = perm[k]!;
          halves[p >> 3]!.emit();
          if ((p & 7) !== 0) f.i64Const(8 * (p & 7)).op(Op.i64_shr_u);
          if (table !== undefined) {
            f.op(Op.i32_wrap_i64).i32Const(0xff).op(Op.i32_and)
              .mem(MemOp.i32_load8_u, ARENA_BYTE_TABLES + 256 * table, 0).op(Op.i64_extend_i32_u);
          } else {
            f.i64Const(0xff).op(Op.i64_and);
          }
          if (k !== 0) f.i64Const(8 * k).op(Op.i64_shl).op(Op.i64_or);
        }
      },
    };
  }

  clz(a: WVal, w: Width): WVal {
    if (a.k !== undefined) return this.c(BigOps.clz(a.k, w));
    if (w === 64) return { z32: true, emit: () => { a.emit(); this.f.op(Op.i64_clz); } };
    return { z32: true, emit: () => { a.emit(); this.f.op(Op.i32_wrap_i64).op(Op.i32_clz).op(Op.i64_extend_i32_u); } };
  }

  udiv(a: WVal, b: WVal, w: Width): WVal {
    return this.divide(a, b, w, false);
  }

  sdiv(a: WVal, b: WVal, w: Width): WVal {
    return this.divide(a, b, w, true);
  }

  /**
   * Division: a zero divisor gives 0 (wasm would trap); signed division by -1 is a negation (wasm traps on the most
   * negative value / -1, which the architecture wraps to itself).
   */
  private divide(a: WVal, b: WVal, w: Width, signed: boolean): WVal {
    if (a.k !== undefined && b.k !== undefined) {
      return this.c(signed ? BigOps.sdiv(a.k, b.k, w) : BigOps.udiv(a.k, b.k));
    }
    const f = this.f;
    if (w === 64) {
      const x = this.let(a);
      const y = this.let(b);
      return {
        emit: () => {
          y.emit();
          f.op(Op.i64_eqz).if(i64).i64Const(0).else();
          if (signed) {
            y.emit();
            f.i64Const(-1).op(Op.i64_eq).if(i64).i64Const(0);
            x.emit();
            f.op(Op.i64_sub).else();
            x.emit();
            y.emit();
            f.op(Op.i64_div_s).end();
          } else {
            x.emit();
            y.emit();
            f.op(Op.i64_div_u);
          }
          f.end();
        },
      };
    }
    // 32-bit: on the low words.
    const lx = this.scratch(i32);
    const ly = this.scratch(i32);
    a.emit();
    f.op(Op.i32_wrap_i64).localSet(lx);
    b.emit();
    f.op(Op.i32_wrap_i64).localSet(ly);
    return {
      z32: true,
      emit: () => {
        f.localGet(ly).op(Op.i32_eqz).if(i64).i64Const(0).else();
        if (signed) {
          f.localGet(ly).i32Const(-1).op(Op.i32_eq).if(i64).i32Const(0).localGet(lx).op(Op.i32_sub)
            .op(Op.i64_extend_i32_u).else().localGet(lx).localGet(ly).op(Op.i32_div_s).op(Op.i64_extend_i32_u).end();
        } else {
          f.localGet(lx).localGet(ly).op(Op.i32_div_u).op(Op.i64_extend_i32_u);
        }
        f.end();
      },
    };
  }

  /**
   * The high half of the 128-bit product from four 32 x 32 -> 64 partial products (wasm has no wider multiply);
   * the signed form corrects the unsigned one: minus b when a is negative, minus a when b is.
   */
  mulh(a: WVal, b: WVal, signed: boolean): WVal {
    if (a.k !== undefined && b.k !== undefined) return this.c(BigOps.mulh(a.k, b.k, signed));
    const f = this.f;
    const x = this.let(a);
    const y = this.let(b);
    const lo = (v: WVal): void => { v.emit(); f.i64Const(0xffff_ffff).op(Op.i64_and); };
    const hi = (v: WVal): void => { v.emit(); f.i64Const(32).op(Op.i64_shr_u); };
    const part = (p: (v: WVal) => void, q: (v: WVal) => void): WVal => {
      const l = this.scratch(i64);
      p(x);
      q(y);
      f.op(Op.i64_mul).localSet(l);
      return { emit: () => { f.localGet(l); } };
    };
    const ll = part(lo, lo);
    const lh = part(lo, hi);
    const hl = part(hi, lo);
    // mid = (lo*lo >> 32) + low32(lo*hi) + low32(hi*lo): below 3 * 2^32, no overflow.
    const mid = this.scratch(i64);
    hi(ll); lo(lh); f.op(Op.i64_add); lo(hl); f.op(Op.i64_add).localSet(mid);
    return {
      emit: () => {
        hi(x); hi(y); f.op(Op.i64_mul);
        hi(lh); f.op(Op.i64_add);
        hi(hl); f.op(Op.i64_add);
        f.localGet(mid).i64Const(32).op(Op.i64_shr_u).op(Op.i64_add);
        if (signed) {
          y.emit(); f.i64Const(0); x.emit(); f.i64Const(0).op(Op.i64_lt_s).op(Op.select).op(Op.i64_sub);
          x.emit(); f.i64Const(0); y.emit(); f.i64Const(0).op(Op.i64_lt_s).op(Op.select).op(Op.i64_sub);
        }
      },
    };
  }

  // ---- truths ----

  ltu(a: WVal, b: WVal): WTruth {
    if (a.k !== undefined && b.k !== undefined) return { k: a.k < b.k, emit: () => { this.f.i32Const(a.k! < b.k! ? 1 : 0); } };
    return { emit: () => { a.emit(); b.emit(); this.f.op(Op.i64_lt_u); } };
  }

  eq(a: WVal, b: WVal): WTruth {
    if (a.k !== undefined && b.k !== undefined) return { k: a.k === b.k, emit: () => { this.f.i32Const(a.k === b.k ? 1 : 0); } };
    if (b.k === 0n) return { emit: () => { a.emit(); this.f.op(Op.i64_eqz); } };
    return { emit: () => { a.emit(); b.emit(); this.f.op(Op.i64_eq); } };
  }

  ne(a: WVal, b: WVal): WTruth {
    if (a.k !== undefined && b.k !== undefined) return { k: a.k !== b.k, emit: () => { this.f.i32Const(a.k !== b.k ? 1 : 0); } };
    if (b.k === 0n) return { emit: () => { a.emit(); this.f.op(Op.i64_eqz).op(Op.i32_eqz); } };
    return { emit: () => { a.emit(); b.emit(); this.f.op(Op.i64_ne); } };
  }

  bit(t: WTruth): WVal {
    if (t.k !== undefined) return this.c(t.k ? 1n : 0n);
    return { z32: true, emit: () => { t.emit(); this.f.op(Op.i64_extend_i32_u); } };
  }

  /** The condition, computed now (it reads the flags an effect later in the instruction may change). */
  cond(cond: number): WTruth {
    if (cond >= 14) return { k: true, emit: () => { this.f.i32Const(1); } };
    const l = this.scratch(i32);
    this.e.cond(cond);
    this.f.localSet(l);
    return { emit: () => { this.f.localGet(l); } };
  }

  select(t: WTruth, a: WVal, b: WVal): WVal {
    if (t.k !== undefined) return t.k ? a : b;
    return { z32: a.z32 === true && b.z32 === true, emit: () => { a.emit(); b.emit(); t.emit(); this.f.op(Op.select); } };
  }

  /**
   * An `if`/`else` in the emitted code. What the register cache learns inside an arm exists only on that path, so
   * its state is put back after each; the arms may only set flags (checked), and the flags they leave are
   * unknown to the emitter afterwards.
   */
  when(t: WTruth, then: () => void, otherwise: () => void): void {
    if (t.k !== undefined) {
      if (t.k) then();
      else otherwise();
      return;
    }
    const e = this.e;
    const saved = e.saveRegs();
    const fpEnabled = e.fpEnabled;
    const loads = e.loadFacts();
    t.emit();
    this.f.if(VOID_BLOCK);
    this.inArm = true;
    then();
    e.restoreRegs(saved);
    e.clearPending();
    const thenFp = e.fpEnabled;
    const thenLoads = e.loadFacts();
    e.fpEnabled = fpEnabled;
    e.setLoadFacts(loads);
    this.f.else();
    otherwise();
    e.fpEnabled &&= thenFp;
    e.joinLoadFacts(thenLoads); // what both arms left known (an arm's handler call forgets it all)
    e.restoreRegs(saved);
    this.inArm = false;
    this.f.end();
    e.clearPending();
  }

  // ---- flags ----

  carry(): WVal {
    const l = this.scratch(i64);
    this.e.carry();
    this.f.localSet(l);
    return { z32: true, emit: () => { this.f.localGet(l); } };
  }

  flagsAdd(a: WVal, b: WVal, w: Width): void {
    this.e.setFlags(w === 64 ? FlagOp.Add64 : FlagOp.Add32, w, a.emit, b.emit);
  }

  flagsSub(a: WVal, b: WVal, w: Width): void {
    this.e.setFlags(w === 64 ? FlagOp.Sub64 : FlagOp.Sub32, w, a.emit, b.emit);
  }

  flagsLogic(r: WVal, w: Width): void {
    this.e.setFlags(w === 64 ? FlagOp.Logic64 : FlagOp.Logic32, w, r.emit);
  }

  setNzcv(nzcv: number): void {
    this.e.setNzcv(nzcv);
  }

  setNzcvV(v: WVal): void {
    // setNzcv clears a pending operation (in the state block and in the emitter); then the computed value.
    this.e.setNzcv(0);
    this.f.localGet(P_ST);
    v.emit();
    this.f.op(Op.i32_wrap_i64).mem(MemOp.i32_store, St.NZCV);
  }

  // ---- branches: the block's exits, emitted by finishBranch after the instruction's other effects ----

  private branchOp(what: string): void {
    if (this.block === undefined) this.fail(`${what} outside a block end`);
    if (this.inArm) this.fail(`${what} inside when()`);
    if (this.written !== 0) this.fail(`${what} after a register write`);
    if (this.pending !== undefined || this.declined) this.fail(`a second branch`);
  }

  /** Whether BranchAddr leaves `t` as it is (bits [63:55] all equal: TBI has nothing to do). */
  private static canonical(t: bigint): boolean {
    const top = t >> 55n;
    return top === 0n || top === 0x1ffn;
  }

  /**
   * A direct target leaves through a direct exit. A register target is checked here: canonical and 4-byte aligned,
   * the rest of the instruction and the indirect exit follow in an `if`; otherwise (BranchAddr's TBI rule, a
   * misaligned PC) the handler runs it.
   */
  branch(target: WVal): void {
    this.branchOp('branch');
    if (target.k !== undefined) {
      if (WasmSem.canonical(target.k)) this.pending = { kind: 'direct', target: target.k };
      else this.declined = true;
      return;
    }
    const f = this.f;
    const l = this.scratch(i64);
    target.emit();
    f.localSet(l);
    // (t >>s 55) + 1 <= 1 (unsigned): bits [63:55] all equal; and t & 3 == 0.
    f.localGet(l).i64Const(55).op(Op.i64_shr_s).i64Const(1).op(Op.i64_add).i64Const(1).op(Op.i64_le_u)
      .localGet(l).i64Const(3).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_and);
    f.if(VOID_BLOCK);
    // What this arm writes (BLR's X30) must not reach the handler's path.
    this.pending = { kind: 'register', local: l, saved: this.e.saveRegs() };
  }

  branchIf(t: WTruth, target: WVal): void {
    this.branchOp('branchIf');
    if (target.k === undefined) this.fail('a conditional branch to a register');
    if (WasmSem.canonical(target.k)) this.pending = { kind: 'cond', t, target: target.k };
    else this.declined = true;
  }

  /**
   * Emit the block end: the exits' targets (exit 0 taken, exit 1 the next instruction), or undefined when the
   * instruction is the handler's (nothing about the block end was emitted; the caller ends the block with a
   * handler call).
   */
  finishBranch(): { readonly taken: bigint | undefined; readonly fall: bigint | undefined } | undefined {
    const p = this.pending;
    const b = this.block;
    if (p === undefined || b === undefined) return undefined;
    const e = this.e;
    if (p.kind === 'direct') {
      e.exitTo(0, p.target, b.n);
      return { taken: p.target, fall: undefined };
    }
    if (p.kind === 'cond') {
      const fall = BigInt.asUintN(64, e.pc + 4n);
      p.t.emit();
      this.f.if(VOID_BLOCK);
      e.exitTo(0, p.target, b.n);
      this.f.end();
      e.exitTo(1, fall, b.n);
      return { taken: p.target, fall };
    }
    e.exitIndirect(p.local, b.n);
    e.restoreRegs(p.saved);
    this.f.end();
    e.callHandler();
    e.exitHandler(b.n);
    return { taken: undefined, fall: undefined };
  }

  // ---- memory: an inline fast path through the arena data TLB; a miss branches to the handler (withSlowPath) ----

  private memoryOp(what: string, access = true): void {
    this.begun = true;
    if (this.writes === undefined) this.fail(`${what} in a specification without memory: true or fp: true`);
    if (access) {
      if (this.vWritten !== 0 && this.vRead) this.fail(`${what} after a V register write in an instruction that reads one`);
      if (this.vWritten !== 0) this.vWrittenBeforeAccess = true;
    }
    if (this.inArm) this.fail(`${what} inside when()`);
    if (this.written !== 0) this.fail(`${what} after a register write`);
  }

  /** SP's alignment is checked here (a misaligned SP goes to the handler, which decides on the fault). */
  addrBase(n: number): WVal {
    this.memoryOp('addrBase', false);
    if (n !== 31) return this.x(n);
    this.e.spAlignCheck(31, 0);
    return this.xsp(31);
  }

  /** Nothing: a fault is always the handler's, which sets the syndrome itself. */
  syndrome(_iss: number): void {}

  /**
   * The access is checked here; the value is loaded where it is used (after every access of the instruction has
   * passed its checks: the register writes come after the accesses), signed when a sign extension asks for it.
   */
  load(addr: WVal, size: 0 | 1 | 2 | 3, flags: number): WVal {
    this.memoryOp('load');
    const ha = this.access(addr, size, false, flags);
    return { z32: size < 3, loaded: { ha, size }, emit: () => { this.f.localGet(ha).mem(LOAD_U[size], 0, 0); } };
  }

  /**
   * Checked and written here. A later access of the same instruction that misses hands the whole instruction to
   * the handler, which writes this one again with the same value (no register has changed: the writes come after
   * the accesses), as it would have written it before reaching the other one.
   */
  store(addr: WVal, size: 0 | 1 | 2 | 3, v: WVal, flags: number): void {
    this.memoryOp('store');
    const ha = this.access(addr, size, true, flags);
    this.f.localGet(ha);
    v.emit();
    this.f.mem(STORE[size], 0, 0);
  }

  /**
   * The fast-path check of an access of 2^size bytes at `addr` (a miss branches to the slow path); the host
   * address in an i32 local. The check compares the allocation tag whenever the page is Tagged, so an access the
   * pseudocode does not check (an SP base) with a mismatching tag takes the slow path, which is exact.
   */
  private access(addr: WVal, size: number, write: boolean, flags: number): number {
    // The inline path skips the tag compare when the block's mode says no privileged access of its EL can be
    // checked (PSTATE.TCO, mte.ts tagCheckFieldOff), which says nothing of EL1's unprivileged accesses (TCF0's):
    // those stay handlers.
    if ((flags & Acc.Unpriv) !== 0) this.fail('an unprivileged access inline (LDTR/STTR-type forms are handlers)');
    const va = this.scratch(i64);
    const ha = this.scratch(i32);
    addr.emit();
    this.f.localSet(va);
    // The address as the base register's version and an offset (BlockEmitter.tagKnown, loadSites): a tag-checked
    // access at an address whose tags a load of this path saw compared needs no compare, and such a load makes its
    // address known; a store where a load loaded may share its page cache in a loop.
    const at = addr.sym === undefined ? undefined : `${addr.sym.reg}:${addr.sym.ver}:${addr.sym.off}`;
    const checked = at !== undefined && (flags & Acc.TagChecked) !== 0;
    const known = checked && (this.e.tagKnown.get(at) ?? -1) >= size;
    // SIMD&FP accesses (after fpCheck) may also be unaligned inline, on Normal memory (BlockEmitter.fastCheckFp);
    // integer ones that need no alignment through the module's unaligned check when the aligned one misses.
    if (this.fp) this.e.fastCheckFp(va, 1 << size, write, ha, 0, known, at);
    else this.e.fastCheck(va, 1 << size, write, ha, 0, known, at, (flags & Acc.Aligned) === 0 && !this.e.alignedOnly);
    if (checked && !write && !known) this.e.tagKnown.set(at, size);
    return ha;
  }
  /**
   * One 8-byte access: inline when aligned, or unaligned on Normal memory inside one page (and granule, where tags
   * are checked) with SCTLR_EL1.A = 0 (BlockEmitter.fastCheckFp), where it cannot differ from the elements'
   * accesses; anything else is the handler's, which makes them (InterpSem).
   */
  loadElems(addr: WVal, _esize: 0 | 1 | 2 | 3, flags: number): WVal {
    if (!this.fp) this.fail('loadElems before fpCheck');
    return this.load(addr, 3, flags);
  }

  storeElems(addr: WVal, _esize: 0 | 1 | 2 | 3, v: WVal, flags: number): void {
    if (!this.fp) this.fail('storeElems before fpCheck');
    this.store(addr, 3, v, flags);
  }

  // ---- SIMD&FP registers: in the state block (V0..V31 at St.V), cached in locals by the emitter (vRead, vWrite) ----

  /**
   * CheckFPAdvSIMDEnabled64 as a fast-path condition: SIMD&FP disabled at this EL (CPACR_EL1.FPEN, PSTATE.EL read
   * from the state block) or trapped to EL2 (CPTR_EL2.TFP) branches to the slow path, whose handler takes the trap.
   */
  fpCheck(): void {
    if (this.begun) this.fail('fpCheck after another operation');
    this.memoryOp('fpCheck', false);
    this.fp = true;
    if (this.e.fpEnabled) return; // an earlier SIMD&FP instruction on this path checked it (BlockEmitter.fpEnabled)
    emitFpDisabled(this.f, P_ST, this.scratch(i32));
    this.f.brIf(0);
    this.e.fpEnabled = true;
  }

  /** A misaligned address with SCTLR_EL1.A set branches to the slow path, whose handler takes the fault. */
  alignQ(addr: WVal, _write: boolean): void {
    this.memoryOp('alignQ', false);
    const f = this.f;
    addr.emit();
    f.op(Op.i32_wrap_i64).i32Const(15).op(Op.i32_and).i32Const(0).op(Op.i32_ne)
      .localGet(P_ST).mem(MemOp.i32_load, SCTLR_LOW).i32Const(1).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and)
      .op(Op.i32_and).brIf(0);
  }

  /**
   * FPAdd/FPSub/FPMul/FPDiv inline where the host's IEEE 754 arithmetic gives exactly the Arm ARM's result and flags
   * (the native fast paths' reasoning, fp/fast.ts, emitted): FPCR plain (RN, no FZ, no DN), a quotient's operands
   * nonzero, the result zero (a sum; a product only of a zero operand) or inside the window ([2^-900, 2^900) for
   * doubles, [2^-100, 2^100) for singles: no NaN, infinity, overflow, underflow or flushing; with FZ clear a
   * denormal operand raises nothing and IEEE 754's value is the Arm ARM's). Anything else branches to the slow path,
   * whose handler (the interpreter's exact library) runs the instruction. The only flag left is IXC, looked for only
   * while FPSR.IXC is clear (it is sticky: once set, a later inexact result changes nothing, so the hot loops of a
   * program that has rounded once skip all of this), found exactly with every operand zero or normal inside the
   * window (else the slow path): TwoSum's error for sums, Dekker's exact product for double products (and for a
   * double quotient q, whether q * b is exactly a), and for singles the float64 result (exact for a product of
   * singles; a sum or quotient rounded twice, harmless since 53 >= 2 * 24 + 2) compared with its rounding to single
   * (a single quotient r: whether r * b, exact, is a). IXC is ORed into FPSR here: a later operation of the same
   * instruction that declines runs the whole instruction again, which sets the same flags.
   */
  fpBinary(op: FpBinOp, a: WVal, b: WVal, size: 32 | 64): WVal {
    this.fpPrologue('fpBinary');
    const f = this.f;
    const [lo, hi] = size === 64 ? [D_MIN, D_MAX] : [S_MIN, S_MAX];
    const x = this.f.addLocals(f64);
    const y = this.f.addLocals(f64);
    const r = this.f.addLocals(f64);
    const t = this.f.addLocals(f64);
    const operand = (v: WVal, l: number, negate: boolean): void => {
      v.emit();
      if (size === 64) f.op(Op.f64_reinterpret_i64);
      else f.op(Op.i32_wrap_i64).op(Op.f32_reinterpret_i32).op(Op.f64_promote_f32);
      if (negate) f.op(Op.f64_neg); // a - b = a + (-b) for every non-NaN operand
      f.localSet(l);
    };
    const inWindow = (l: number): void => this.inWindow(l, t, lo, hi);
    const isZero = (l: number): void => this.isZero(l);
    operand(a, x, false);
    operand(b, y, op === FpBinOp.Sub);
    // The result and its guard first; IXC below only while FPSR.IXC is clear (it is sticky: once set, finding a later
    // inexact result changes nothing), with the operand windows that keep Dekker's product exact.
    const ixcCheck = (): void => {
      this.ixcUnknown();
      f.if(VOID_BLOCK);
      for (const l of [x, y]) {
        isZero(l);
        inWindow(l);
        f.op(Op.i32_or).op(Op.i32_eqz).brIf(1);
      }
    };
    /** Whether the result is inexact: compared with the single rounding of r (singles), or 0 and the error (doubles). */
    const flags = this.scratch(i32);
    if (op === FpBinOp.Div) {
      isZero(x);
      isZero(y);
      f.op(Op.i32_or).brIf(0);
      f.localGet(x).localGet(y).op(Op.f64_div).localSet(r);
      this.roundedInWindow(r, t, size, inWindow);
      f.op(Op.i32_eqz).brIf(0);
      ixcCheck();
      if (size === 64) {
        this.dekkerError(r, y, x);
        f.f64Const(0).op(Op.f64_ne);
      } else {
        f.localGet(r).op(Op.f32_demote_f64).op(Op.f64_promote_f32).localGet(y).op(Op.f64_mul).localGet(x).op(Op.f64_ne);
      }
    } else if (op === FpBinOp.Mul) {
      f.localGet(x).localGet(y).op(Op.f64_mul).localSet(r);
      // A zero product only of a zero operand (else it underflowed); a nonzero one inside the window after rounding.
      isZero(r);
      f.if(i32);
      isZero(x);
      isZero(y);
      f.op(Op.i32_or).op(Op.i32_eqz).else();
      this.roundedInWindow(r, t, size, inWindow);
      f.op(Op.i32_eqz).end().brIf(0);
      ixcCheck();
      if (size === 64) {
        this.dekkerError(x, y, r);
        f.f64Const(0).op(Op.f64_ne);
      } else {
        f.localGet(r).op(Op.f32_demote_f64).op(Op.f64_promote_f32).localGet(r).op(Op.f64_ne);
      }
    } else {
      f.localGet(x).localGet(y).op(Op.f64_add).localSet(r);
      // A zero sum is exact (its sign IEEE 754's, as FPAdd's); else inside the window after rounding.
      isZero(r);
      this.roundedInWindow(r, t, size, inWindow);
      f.op(Op.i32_or).op(Op.i32_eqz).brIf(0);
      ixcCheck();
      this.twoSumError(x, y, r, t);
      f.f64Const(0).op(Op.f64_ne);
      if (size === 32) f.localGet(r).op(Op.f32_demote_f64).op(Op.f64_promote_f32).localGet(r).op(Op.f64_ne).op(Op.i32_or);
    }
    f.localSet(flags);
    this.orIxc(flags);
    f.end();
    return size === 64
      ? { emit: () => { f.localGet(r).op(Op.i64_reinterpret_f64); } }
      : { z32: true, emit: () => { f.localGet(r).op(Op.f32_demote_f64).op(Op.i32_reinterpret_f32).op(Op.i64_extend_i32_u); } };
  }

  /**
   * FixedToFP of an integer inline where it is exact (no rounding, so no flag, and FPCR cannot matter: a nonzero
   * integer is never a denormal, a zero converts to +0): every 32-bit integer as a double; a 64-bit one of magnitude
   * at most 2^53 as a double, any integer of magnitude at most 2^24 as a single. A larger one branches to the slow
   * path, whose handler (the interpreter's exact library) rounds it under FPCR and sets IXC. The host's conversion
   * of an exactly representable integer is that value.
   */
  fpFromInt(v: WVal, from: Width, unsigned: boolean, size: 32 | 64): WVal {
    this.fpPrologue('fpFromInt', false);
    const f = this.f;
    const x = this.scratch(i64);
    // The integer as a signed or unsigned i64.
    v.emit();
    if (from === 32) {
      f.op(Op.i32_wrap_i64).op(unsigned ? Op.i64_extend_i32_u : Op.i64_extend_i32_s);
    }
    f.localSet(x);
    const limit = size === 64 ? 53n : 24n;
    if (!(size === 64 && from === 32)) {
      // Signed: x + 2^limit > 2^(limit + 1) (unsigned) is magnitude over 2^limit; unsigned: x > 2^limit.
      f.localGet(x);
      if (!unsigned) f.i64Const(1n << limit).op(Op.i64_add);
      f.i64Const(unsigned ? 1n << limit : 1n << (limit + 1n)).op(Op.i64_gt_u).brIf(0);
    }
    f.localGet(x).op(unsigned ? Op.f64_convert_i64_u : Op.f64_convert_i64_s);
    if (size === 64) {
      f.op(Op.i64_reinterpret_f64).localSet(x);
      return { emit: () => { f.localGet(x); } };
    }
    f.op(Op.f32_demote_f64).op(Op.i32_reinterpret_f32).op(Op.i64_extend_i32_u).localSet(x);
    return { z32: true, emit: () => { f.localGet(x); } };
  }

  /**
   * FPCompare inline for operands that are not NaNs (no flag: only a NaN raises IOC) with FPCR.FZ = 0 (else a
   * denormal operand is flushed and raises IDC): the host's ordering of the values is the Arm ARM's (-0 equals +0,
   * denormals and infinities compare as values). A NaN or FZ = 1 branches to the slow path.
   */
  fpCompare(a: WVal, b: WVal, size: 32 | 64, _signal: boolean): WVal {
    this.fpPrologue('fpCompare', false);
    const f = this.f;
    f.localGet(P_ST).mem(MemOp.i32_load, St.FPCR).i32Const(FPCR_FZ).op(Op.i32_and).brIf(0);
    const x = this.f.addLocals(f64);
    const y = this.f.addLocals(f64);
    for (const [v, l] of [[a, x], [b, y]] as const) {
      v.emit();
      if (size === 64) f.op(Op.f64_reinterpret_i64);
      else f.op(Op.i32_wrap_i64).op(Op.f32_reinterpret_i32).op(Op.f64_promote_f32);
      f.localTee(l).localGet(l).op(Op.f64_ne).brIf(0); // a NaN
    }
    const r = this.scratch(i64);
    // less: 0b1000; else equal 0b0110 or greater 0b0010.
    f.i64Const(0b1000).i64Const(0b0110).i64Const(0b0010).localGet(x).localGet(y).op(Op.f64_eq).op(Op.select)
      .localGet(x).localGet(y).op(Op.f64_lt).op(Op.select).localSet(r);
    return { z32: true, emit: () => { f.localGet(r); } };
  }

  /**
   * The checks before inline FP arithmetic: the rules (as an access: before any register write), and, unless the
   * operation does not depend on it (`plain` false), FPCR plain once.
   */
  private fpPrologue(what: string, plain = true): void {
    this.memoryOp(what, false);
    if (!this.fp) this.fail(`${what} before fpCheck`);
    if (this.vWritten !== 0) this.fail(`${what} after a V register write`);
    if (plain && !this.fpcrChecked) {
      this.f.localGet(P_ST).mem(MemOp.i32_load, St.FPCR).i32Const(FPCR_NOT_PLAIN).op(Op.i32_and).brIf(0);
      this.fpcrChecked = true;
    }
  }

  /** Push whether f64 local `l` is inside the window [lo, hi) in magnitude (false for NaN); `t` is an f64 scratch. */
  private inWindow(l: number, t: number, lo: number, hi: number): void {
    this.f.localGet(l).op(Op.f64_abs).localTee(t).f64Const(lo).op(Op.f64_ge).localGet(t).f64Const(hi).op(Op.f64_lt)
      .op(Op.i32_and);
  }

  /** Push whether f64 local `l` is a zero. */
  private isZero(l: number): void {
    this.f.localGet(l).f64Const(0).op(Op.f64_eq);
  }

  /** FPSR.IXC |= i32 local `ixc` (0 or 1): stored only when it is 1. */
  private orIxc(ixc: number): void {
    this.f.localGet(ixc).if(VOID_BLOCK).localGet(P_ST).localGet(P_ST).mem(MemOp.i32_load, St.FPSR).i32Const(IXC)
      .op(Op.i32_or).mem(MemOp.i32_store, St.FPSR).end();
  }

  /** Push whether FPSR.IXC is clear (an inexact result must then be found and recorded). */
  private ixcUnknown(): void {
    this.f.localGet(P_ST).mem(MemOp.i32_load, St.FPSR).i32Const(IXC).op(Op.i32_and).op(Op.i32_eqz);
  }

  /**
   * FPMulAdd of doubles inline (fp/fast.ts fmaVD's reasoning, emitted): FPCR plain, every operand zero or inside the
   * FMA window [2^-400, 2^400) and the result inside the double window, else the slow path. A zero operand needs no
   * fused arithmetic (a zero product gives c + a * b exactly, with no flag; a zero addend the product rounded once,
   * IXC by Dekker). Otherwise Boldo and Melquiond's emulation: the exact product ph + pl, the exact sum uh + ul =
   * c + ph, v = (ul + pl) rounded to odd (an inexact sum with an even last bit moved one ulp towards the exact
   * value), r = uh + v; inexact exactly when v or the last sum was. Its result may also be an exact zero
   * (cancellation: bench-fp-fft's FNMSUB meets many).
   */
  fpMulAdd(c: WVal, a: WVal, b: WVal, _size: 64): WVal {
    this.fpPrologue('fpMulAdd');
    const f = this.f;
    const [xc, xa, xb, r] = [f.addLocals(f64), f.addLocals(f64), f.addLocals(f64), f.addLocals(f64)];
    const decline = this.scratch(i32);
    const ixc = this.scratch(i32);
    for (const [val, l] of [[c, xc], [a, xa], [b, xb]] as const) {
      val.emit();
      f.op(Op.f64_reinterpret_i64).localSet(l);
    }
    this.fmaLane(xc, xa, xb, r, decline, ixc);
    f.localGet(decline).brIf(0);
    this.orIxc(ixc);
    return { emit: () => { f.localGet(r).op(Op.i64_reinterpret_f64); } };
  }

  /**
   * Two FPMulAdds of doubles (the lanes of FMLA/FMLS V.2D) inline: when all six operands are nonzero and inside the
   * FMA window, both lanes at once with f64x2 operations (the arithmetic of {@link fmaLane}'s fused branch, lane by
   * lane the same IEEE 754 operations, so the same bits); else each lane as {@link fpMulAdd}. Either declines the
   * whole instruction to the slow path when a lane would; IXC is ORed into FPSR after both lanes' checks.
   */
  fpMulAddPair(c: readonly [WVal, WVal], a: readonly [WVal, WVal], b: readonly [WVal, WVal], _size: 64): [WVal, WVal] {
    this.fpPrologue('fpMulAddPair');
    const f = this.f;
    const V = (): number => f.addLocals(v128);
    const [vc, va, vb] = [V(), V(), V()];
    for (const [pair, l] of [[c, vc], [a, va], [b, vb]] as const) {
      pair[0].emit();
      f.simd(SimdOp.i64x2_splat);
      pair[1].emit();
      f.simdLane(SimdLaneOp.i64x2_replace_lane, 1).localSet(l);
    }
    const r0 = f.addLocals(f64);
    const r1 = f.addLocals(f64);
    const decline = this.scratch(i32);
    const ixc = this.scratch(i32);
    const splat = (x: number): void => { f.f64Const(x).simd(SimdOp.f64x2_splat); };
    const inFma = (l: number): void => {
      f.localGet(l).simd(SimdOp.f64x2_abs).localTee(vt);
      splat(FMA_MIN);
      f.simd(SimdOp.f64x2_ge).localGet(vt);
      splat(FMA_MAX);
      f.simd(SimdOp.f64x2_lt).simd(SimdOp.v128_and);
    };
    const vt = V();
    inFma(vc); inFma(va); f.simd(SimdOp.v128_and); inFma(vb); f.simd(SimdOp.v128_and).simd(SimdOp.i64x2_all_true);
    f.if(VOID_BLOCK);
    {
      const [ph, pl, uh, ul, s1, t1, vv, r] = [V(), V(), V(), V(), V(), V(), V(), V()];
      const [ah, al, bh, bl] = [V(), V(), V(), V()];
      const op = (code: SimdOpcode): void => { f.simd(code); };
      // Dekker's exact product ph + pl (Veltkamp's split of each factor).
      f.localGet(va).localGet(vb); op(SimdOp.f64x2_mul); f.localSet(ph);
      for (const [x, h, l] of [[va, ah, al], [vb, bh, bl]] as const) {
        splat(SPLIT); f.localGet(x); op(SimdOp.f64x2_mul); f.localTee(l).localGet(l).localGet(x); op(SimdOp.f64x2_sub);
        op(SimdOp.f64x2_sub); f.localSet(h);
        f.localGet(x).localGet(h); op(SimdOp.f64x2_sub); f.localSet(l);
      }
      f.localGet(ah).localGet(bh); op(SimdOp.f64x2_mul); f.localGet(ph); op(SimdOp.f64x2_sub);
      f.localGet(ah).localGet(bl); op(SimdOp.f64x2_mul); op(SimdOp.f64x2_add);
      f.localGet(al).localGet(bh); op(SimdOp.f64x2_mul); op(SimdOp.f64x2_add);
      f.localGet(al).localGet(bl); op(SimdOp.f64x2_mul); op(SimdOp.f64x2_add); f.localSet(pl);
      /** Push TwoSum's error of x + y = sum (as twoSumError), `vt` a scratch. */
      const twoSum = (x: number, y: number, sum: number): void => {
        f.localGet(sum).localGet(x); op(SimdOp.f64x2_sub); f.localSet(vt);
        f.localGet(x).localGet(sum).localGet(vt); op(SimdOp.f64x2_sub); op(SimdOp.f64x2_sub);
        f.localGet(y).localGet(vt); op(SimdOp.f64x2_sub); op(SimdOp.f64x2_add);
      };
      f.localGet(vc).localGet(ph); op(SimdOp.f64x2_add); f.localSet(uh);
      twoSum(vc, ph, uh); f.localSet(ul);
      f.localGet(ul).localGet(pl); op(SimdOp.f64x2_add); f.localSet(s1);
      twoSum(ul, pl, s1); f.localSet(t1);
      // Round to odd, lane by lane: t1 != 0 and s1's last bit even: s1 one ulp towards t1 (+1 on the bits when
      // s1 and t1 have the same sign, else -1).
      splat(0); f.localGet(t1); op(SimdOp.f64x2_ne);
      f.localGet(s1); f.i64Const(1n); op(SimdOp.i64x2_splat); op(SimdOp.v128_and); f.i64Const(0n); op(SimdOp.i64x2_splat);
      op(SimdOp.i64x2_eq); op(SimdOp.v128_and); // the lanes to move
      f.i64Const(1n); op(SimdOp.i64x2_splat); f.i64Const(-1n); op(SimdOp.i64x2_splat);
      f.localGet(s1); splat(0); op(SimdOp.f64x2_gt); f.localGet(t1); splat(0); op(SimdOp.f64x2_gt); op(SimdOp.v128_xor);
      op(SimdOp.v128_not); op(SimdOp.v128_bitselect); // +1 where the signs agree, else -1
      op(SimdOp.v128_and);
      f.localGet(s1); op(SimdOp.i64x2_add); f.localSet(vv);
      f.localGet(uh).localGet(vv); op(SimdOp.f64x2_add); f.localSet(r);
      // Decline unless each lane's result is zero or inside the double window.
      f.localGet(r); op(SimdOp.f64x2_abs); f.localTee(vt); splat(D_MIN); op(SimdOp.f64x2_ge);
      f.localGet(vt); splat(D_MAX); op(SimdOp.f64x2_lt); op(SimdOp.v128_and);
      f.localGet(r); splat(0); op(SimdOp.f64x2_eq); op(SimdOp.v128_or); op(SimdOp.i64x2_all_true); f.op(Op.i32_eqz);
      f.localSet(decline);
      // Inexact where t1 != 0 or the last sum was (looked for only while FPSR.IXC is clear).
      this.ixcUnknown();
      f.if(i32);
      f.localGet(t1); splat(0); op(SimdOp.f64x2_ne);
      twoSum(uh, vv, r); splat(0); op(SimdOp.f64x2_ne); op(SimdOp.v128_or); op(SimdOp.v128_any_true);
      f.else().i32Const(0).end();
      f.localSet(ixc);
      f.localGet(r).simdLane(SimdLaneOp.f64x2_extract_lane, 0).localSet(r0);
      f.localGet(r).simdLane(SimdLaneOp.f64x2_extract_lane, 1).localSet(r1);
    }
    f.else();
    {
      const [xc, xa, xb] = [f.addLocals(f64), f.addLocals(f64), f.addLocals(f64)];
      const d1 = this.scratch(i32);
      const x1 = this.scratch(i32);
      for (const [lane, r] of [[0, r0], [1, r1]] as const) {
        for (const [v, l] of [[vc, xc], [va, xa], [vb, xb]] as const) f.localGet(v).simdLane(SimdLaneOp.f64x2_extract_lane, lane).localSet(l);
        this.fmaLane(xc, xa, xb, r, lane === 0 ? decline : d1, lane === 0 ? ixc : x1);
      }
      f.localGet(decline).localGet(d1).op(Op.i32_or).localSet(decline);
      f.localGet(ixc).localGet(x1).op(Op.i32_or).localSet(ixc);
    }
    f.end();
    f.localGet(decline).brIf(0);
    this.orIxc(ixc);
    return [{ emit: () => { f.localGet(r0).op(Op.i64_reinterpret_f64); } }, { emit: () => { f.localGet(r1).op(Op.i64_reinterpret_f64); } }];
  }

  /**
   * One FPMulAdd of the f64 locals xc + xa * xb into `r` (the reasoning of {@link fpMulAdd}'s comment), setting the
   * i32 locals `decline` (the lane is the slow path's) and `ixc`; nothing branches.
   */
  private fmaLane(xc: number, xa: number, xb: number, r: number, decline: number, ixc: number): void {
    const f = this.f;
    const L = (): number => f.addLocals(f64);
    const [t, ph, pl, uh, ul, s1, t1, v] = [L(), L(), L(), L(), L(), L(), L(), L()];
    const isZero = (l: number): void => this.isZero(l);
    const inFma = (l: number): void => this.inWindow(l, t, FMA_MIN, FMA_MAX);
    const inD = (l: number): void => this.inWindow(l, t, D_MIN, D_MAX);
    isZero(xa); isZero(xb); f.op(Op.i32_or); isZero(xc); f.op(Op.i32_or);
    f.if(VOID_BLOCK);
    {
      // Each operand zero or inside the FMA window.
      for (const [k, l] of [xa, xb, xc].entries()) {
        isZero(l); inFma(l); f.op(Op.i32_or);
        if (k > 0) f.op(Op.i32_and);
      }
      f.op(Op.i32_eqz).localSet(decline);
      isZero(xa); isZero(xb); f.op(Op.i32_or);
      f.if(VOID_BLOCK);
      f.localGet(xc).localGet(xa).localGet(xb).op(Op.f64_mul).op(Op.f64_add).localSet(r).i32Const(0).localSet(ixc);
      f.else();
      f.localGet(xa).localGet(xb).op(Op.f64_mul).localSet(r);
      f.localGet(decline); inD(r); f.op(Op.i32_eqz).op(Op.i32_or).localSet(decline);
      this.ixcUnknown();
      f.if(i32);
      this.dekkerError(xa, xb, r);
      f.f64Const(0).op(Op.f64_ne).else().i32Const(0).end().localSet(ixc);
      f.end();
    }
    f.else();
    {
      inFma(xa); inFma(xb); f.op(Op.i32_and); inFma(xc); f.op(Op.i32_and).op(Op.i32_eqz).localSet(decline);
      f.localGet(xa).localGet(xb).op(Op.f64_mul).localSet(ph);
      this.dekkerError(xa, xb, ph);
      f.localSet(pl);
      f.localGet(xc).localGet(ph).op(Op.f64_add).localSet(uh);
      this.twoSumError(xc, ph, uh, t);
      f.localSet(ul);
      f.localGet(ul).localGet(pl).op(Op.f64_add).localSet(s1);
      this.twoSumError(ul, pl, s1, t);
      f.localSet(t1);
      // Round to odd: t1 != 0 and the last bit of s1 even: one ulp towards t1 (up in magnitude when signs agree).
      f.localGet(s1).localSet(v);
      f.localGet(t1).f64Const(0).op(Op.f64_ne).localGet(s1).op(Op.i64_reinterpret_f64).i64Const(1).op(Op.i64_and)
        .op(Op.i64_eqz).op(Op.i32_and);
      f.if(VOID_BLOCK);
      f.localGet(s1).op(Op.i64_reinterpret_f64).i64Const(1).i64Const(-1)
        .localGet(s1).f64Const(0).op(Op.f64_gt).localGet(t1).f64Const(0).op(Op.f64_gt).op(Op.i32_eq)
        .op(Op.select).op(Op.i64_add).op(Op.f64_reinterpret_i64).localSet(v);
      f.end();
      f.localGet(uh).localGet(v).op(Op.f64_add).localSet(r);
      // A zero result is exact (+0, as FPMulAdd gives under RN): a nonzero c + a * b of operands inside the FMA
      // window is a multiple of 2^-904, so its emulated rounding is no zero.
      f.localGet(decline); inD(r); isZero(r); f.op(Op.i32_or).op(Op.i32_eqz).op(Op.i32_or).localSet(decline);
      this.ixcUnknown();
      f.if(i32);
      f.localGet(t1).f64Const(0).op(Op.f64_ne);
      this.twoSumError(uh, v, r, t);
      f.f64Const(0).op(Op.f64_ne).op(Op.i32_or).else().i32Const(0).end().localSet(ixc);
    }
    f.end();
  }

  /** Push whether r, rounded to the format (singles: to single), is inside the window; `t` is an f64 scratch. */
  private roundedInWindow(r: number, t: number, size: 32 | 64, inWindow: (l: number) => void): void {
    if (size === 64) {
      inWindow(r);
      return;
    }
    this.f.localGet(r).op(Op.f32_demote_f64).op(Op.f64_promote_f32).localSet(t);
    inWindow(t);
  }

  /** Push TwoSum's error of x + y = s: bb = s - x; (x - (s - bb)) + (y - bb). `t` is an f64 scratch. */
  private twoSumError(x: number, y: number, s: number, t: number): void {
    const f = this.f;
    f.localGet(s).localGet(x).op(Op.f64_sub).localSet(t);
    f.localGet(x).localGet(s).localGet(t).op(Op.f64_sub).op(Op.f64_sub).localGet(y).localGet(t).op(Op.f64_sub).op(Op.f64_add);
  }

  /**
   * Push Dekker's error of the product x * y = p (fp/fast.ts productIs): Veltkamp's split of each factor into 26-
   * and 27-bit halves, then ((xh * yh - p) + xh * yl + xl * yh) + xl * yl, exact inside the windows.
   */
  private dekkerError(x: number, y: number, p: number): void {
    const f = this.f;
    const [xh, xl, yh, yl] = [f.addLocals(f64), f.addLocals(f64), f.addLocals(f64), f.addLocals(f64)];
    for (const [v, h, l] of [[x, xh, xl], [y, yh, yl]] as const) {
      // t = SPLIT * v; h = t - (t - v); l = v - h
      f.f64Const(SPLIT).localGet(v).op(Op.f64_mul).localTee(l).localGet(l).localGet(v).op(Op.f64_sub).op(Op.f64_sub).localSet(h);
      f.localGet(v).localGet(h).op(Op.f64_sub).localSet(l);
    }
    f.localGet(xh).localGet(yh).op(Op.f64_mul).localGet(p).op(Op.f64_sub)
      .localGet(xh).localGet(yl).op(Op.f64_mul).op(Op.f64_add)
      .localGet(xl).localGet(yh).op(Op.f64_mul).op(Op.f64_add)
      .localGet(xl).localGet(yl).op(Op.f64_mul).op(Op.f64_add);
  }

  vget(n: number, half: 0 | 1): WVal {
    this.begun = true;
    if (!this.fp) this.fail('vget before fpCheck');
    if (this.vWrittenBeforeAccess) this.fail('a V register read by an instruction that writes one before an access');
    this.vRead = true;
    const l = this.e.vRead(n, half);
    return {
      emit: () => {
        if ((this.vWritten & (1 << n)) !== 0) this.fail(`V${n} used after it was written`);
        this.f.localGet(l);
      },
    };
  }

  vset(n: number, half: 0 | 1, v: WVal): void {
    this.begun = true;
    if (!this.fp) this.fail('vset before fpCheck');
    if (this.inArm) this.fail('vset inside when()');
    this.e.vWrite(n, half, () => v.emit());
    this.vWritten |= 1 << n;
  }
}

function specTranslator(spec: AnyInsnSpec, read: (insn: number) => Fields): Translator {
  return (e, w) => {
    const args: unknown = spec.decode(read(w));
    if (args === undefined) return false;
    if (spec.memory !== true && spec.fp !== true) {
      spec.exec(new WasmSem(e), args);
      return true;
    }
    // Accesses (and SIMD&FP's access check): checks that branch to the handler on a miss, then the effects
    // (BlockEmitter.withSlowPath).
    const writes: number[] = [];
    e.withSlowPath(() => spec.exec(new WasmSem(e, writes), args), writes);
    return true;
  };
}

/**
 * Translations by decode row name for a list of specifications. Rows sharing a name (REV's 32- and 64-bit
 * encodings) get one translator that picks the row whose fixed bits the word matches.
 */
export function specTranslations(specs: readonly AnyInsnSpec[]): ReadonlyMap<string, Translator> {
  if (specs.some((s) => s.branch === true)) throw new Error('branch specifications end blocks: translate-branch.ts emits them');
  const byName = new Map<string, Array<{ mask: number; value: number; t: Translator }>>();
  for (const spec of specs) {
    const { mask, value, read } = parsePattern(spec.pattern);
    const list = byName.get(spec.name) ?? [];
    list.push({ mask, value, t: specTranslator(spec, read) });
    byName.set(spec.name, list);
  }
  const out = new Map<string, Translator>();
  for (const [name, list] of byName) {
    out.set(name, list.length === 1 ? list[0]!.t : (e, w) => {
      const row = list.find((r) => ((w & r.mask) >>> 0) === r.value);
      return row !== undefined && row.t(e, w);
    });
  }
  return out;
}
