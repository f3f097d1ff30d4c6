/**
 * The operations an instruction's semantics is written in (spec/*.ts), once, for every backend. A specification's
 * `exec` is generic over the backend's value type `V` (a 64-bit value) and truth type `B`; each backend implements
 * {@link Sem}:
 *  - the interpreter (spec/interp-sem.ts): `V` is a bigint and the operations happen as they are called;
 *  - the fast interpreter of handler blocks (spec/fast-sem.ts): `V` is where a value's 32-bit halves will be, and
 *    calling the operations records them as a program (spec/fast-ops.ts runs it);
 *  - the WebAssembly tier (wasm-jit/spec-wasm.ts): `V` describes an i64 the emitted code computes, and calling the
 *    operations emits that code.
 *
 * Values are unsigned 64-bit quantities. An operation of width `w` (32 or 64) takes operands that are already `w`-bit
 * values (zero-extended) and returns a `w`-bit value (zero-extended): the Arm ARM's `bits(datasize)` arithmetic.
 *
 * Rules that keep the backends equivalent (the WebAssembly backend checks them while emitting, so a violation fails
 * the differential tests instead of computing something else):
 *  - effects (register writes, flags) come after the values they use are computed; a value read from a register is
 *    not used after that register is written (use `let` before the write if it must be);
 *  - the arms of `when` set only flags;
 *  - memory accesses come before any register write (so a backend may try the accesses first and hand the whole
 *    instruction to the interpreter when one of them cannot complete inline);
 *  - a branch (at most one) comes before any register write (the link register of BL/BLR is written after it: the
 *    branch takes effect when the instruction ends either way);
 *  - SIMD&FP registers (`vget`, `vset`): `fpCheck` comes first, before any other operation; a V register's value is
 *    not used after that register is written; an instruction that writes a V register before a memory access reads
 *    none, so a V register written before a later access (LDP of Q registers writes Rt before it loads Rt2's data,
 *    as QEMU 10 does) is written again with the same value by a backend that hands the whole instruction to the
 *    interpreter when that access cannot complete inline. A SIMD&FP data-processing specification (`fp: true`, no
 *    memory access) may read and write V registers: nothing after its first write can hand it to the interpreter.
 */

/** FPAdd, FPSub, FPMul, FPDiv: the operations of Sem's `fpBinary`. */
export const enum FpBinOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
}

/** The constant 256-byte tables `bytes` may look bytes up in (spec/byte-tables.ts holds their contents). */
export const enum ByteTable {
  /** The AES S-box (SubBytes). */
  AesSbox = 0,
  /** The inverse AES S-box (InvSubBytes). */
  AesInvSbox = 1,
}

/** An operation width: the Arm ARM's datasize. */
export type Width = 32 | 64;

/** ShiftReg's shift types: LSL, LSR, ASR, ROR. */
export type ShiftType = 0 | 1 | 2 | 3;

export interface Sem<V, B> {
  // ---- values ----
  /** A constant (0 <= v < 2^64). */
  c(v: bigint): V;
  /** The address of this instruction. */
  pc(): V;
  /** A value computed once and used several times (the backend may keep it in a temporary). */
  let(v: V): V;

  // ---- registers ----
  /** X[n] (register 31 reads as zero). */
  x(n: number): V;
  /** X[n] with register 31 the current stack pointer. */
  xsp(n: number): V;
  /** X[n] = the low `w` bits of v, zero-extended (register 31 discards the write). */
  setX(n: number, v: V, w: Width): void;
  /** X[n] = the low `w` bits of v, zero-extended, with register 31 the current stack pointer. */
  setXsp(n: number, v: V, w: Width): void;

  // ---- arithmetic and logic, modulo 2^w ----
  add(a: V, b: V, w: Width): V;
  sub(a: V, b: V, w: Width): V;
  mul(a: V, b: V, w: Width): V;
  and(a: V, b: V): V;
  or(a: V, b: V): V;
  xor(a: V, b: V): V;
  /** NOT of a `w`-bit value. */
  not(a: V, w: Width): V;
  /** ShiftReg by a constant amount, 0 <= amount < w. */
  shift(type: ShiftType, a: V, amount: number, w: Width): V;
  /** Shift by a register: the amount is `amount` modulo w (LSLV, LSRV, ASRV, RORV). */
  shiftBy(type: ShiftType, a: V, amount: V, w: Width): V;
  /** The low `bits` bits of a, zero-extended. */
  zext(a: V, bits: 8 | 16 | 32 | 64): V;
  /** The low `bits` bits of a, sign-extended to 64 bits. */
  sext(a: V, bits: 8 | 16 | 32 | 64): V;
  /**
   * Eight bytes picked from the 16-byte value hi:lo (byte j < 8 of lo is byte j, byte j of hi is byte 8 + j): byte k of
   * the result is byte perm[k] (0 <= perm[k] < 16), through a constant table (spec/byte-tables.ts) when `table` is
   * given. A constant byte shuffle, and with a table AES's SubBytes.
   */
  bytes(lo: V, hi: V, perm: readonly number[], table?: ByteTable): V;
  /** CountLeadingZeroBits of a `w`-bit value. */
  clz(a: V, w: Width): V;
  /** Unsigned division, rounding towards zero; a zero divisor gives 0. */
  udiv(a: V, b: V, w: Width): V;
  /** Signed division, rounding towards zero; a zero divisor gives 0; the most negative value / -1 wraps to itself. */
  sdiv(a: V, b: V, w: Width): V;
  /** The high 64 bits of the 128-bit product of two 64-bit values. */
  mulh(a: V, b: V, signed: boolean): V;

  // ---- truths ----
  /** Unsigned a < b. */
  ltu(a: V, b: V): B;
  eq(a: V, b: V): B;
  ne(a: V, b: V): B;
  /** A truth as the value 0 or 1. */
  bit(t: B): V;
  /** ConditionHolds(cond) on the current NZCV. */
  cond(cond: number): B;
  /** t ? a : b. */
  select(t: B, a: V, b: V): V;
  /** Run `then` when t holds, else `otherwise`. Their effects are limited to the flags. */
  when(t: B, then: () => void, otherwise: () => void): void;

  // ---- flags ----
  /** PSTATE.C as the value 0 or 1. */
  carry(): V;
  /** NZCV = the flags of AddWithCarry(a, b, 0) on `w` bits. */
  flagsAdd(a: V, b: V, w: Width): void;
  /** NZCV = the flags of AddWithCarry(a, NOT(b), 1) on `w` bits (a - b). */
  flagsSub(a: V, b: V, w: Width): void;
  /** NZCV = N and Z of the `w`-bit result r, C = V = 0 (the logical instructions). */
  flagsLogic(r: V, w: Width): void;
  /** NZCV = the constant nzcv (N=8, Z=4, C=2, V=1). */
  setNzcv(nzcv: number): void;
  /** NZCV = the low four bits of v. */
  setNzcvV(v: V): void;

  // ---- branches (specifications with `branch: true`) ----
  /**
   * BranchTo(BranchAddr(target)): the next instruction is at `target` (with the top byte handled as TBI says); a
   * misaligned target faults when it is fetched.
   */
  branch(target: V): void;
  /** branch(target) when t holds; else the next instruction follows. `target` is a constant (a direct branch). */
  branchIf(t: B, target: V): void;

  // ---- memory (specifications with `memory: true`) ----
  /** The base register of an address: X[n], or for n = 31 the stack pointer after CheckSPAlignment. */
  addrBase(n: number): V;
  /** The data abort syndrome (ISS[24:14] and SRT, ports.ts) a fault of the following accesses reports; 0: none. */
  syndrome(iss: number): void;
  /** Read 2^size bytes at `addr` (zero-extended), with the access flags of ports.ts `Acc`. */
  load(addr: V, size: 0 | 1 | 2 | 3, flags: number): V;
  /** Write the low 2^size bytes of v at `addr`. */
  store(addr: V, size: 0 | 1 | 2 | 3, v: V, flags: number): void;

  // ---- SIMD&FP registers (specifications with `memory: true`, the loads and stores of spec/simd-fp-loads-stores.ts,
  // or `fp: true`, the SIMD&FP data processing of spec/simd-*.ts) ----
  /** CheckFPAdvSIMDEnabled64: the SIMD&FP access trap when CPACR_EL1.FPEN disables SIMD&FP at the current EL. */
  fpCheck(): void;
  /** The alignment fault of a 16-byte access (a load, or a store: `write`) at `addr` not 16-byte aligned when SCTLR_EL1.A = 1. */
  alignQ(addr: V, write: boolean): void;
  /**
   * Read the 8 bytes at `addr` that are consecutive elements of 2^esize bytes (LD1 multiple structures: the bytes of
   * a register are consecutive in memory). An address aligned to 8 is one 8-byte access; any other is made of the
   * elements' own accesses, in ascending order: naturally aligned pieces of up to 8 bytes when `addr` is aligned to
   * the element size (each piece lies in one page and one tag granule and starts on an element, so it faults, fails
   * its tag check or its SCTLR_EL1.A check exactly where its first element would), else element by element. A
   * backend may make it one access where that cannot differ: Normal memory, no alignment checking, inside one page
   * and, where tags are checked, one granule.
   */
  loadElems(addr: V, esize: 0 | 1 | 2 | 3, flags: number): V;
  /** Write v as the 8 bytes at `addr`, consecutive elements of 2^esize bytes (ST1): the accesses of {@link loadElems}. */
  storeElems(addr: V, esize: 0 | 1 | 2 | 3, v: V, flags: number): void;
  /** Bits [64 * half + 63 : 64 * half] of Vn. */
  vget(n: number, half: 0 | 1): V;
  /**
   * FPAdd, FPSub, FPMul or FPDiv (`op`) of the single (`size` 32: the low 32 bits) or double precision operands' bits, under
   * FPCR, with the cumulative flags it raises ORed into FPSR; the result's bits. Like a memory access, it comes
   * before any register write (a backend may compute the common cases inline and hand the whole instruction to the
   * interpreter for the others); FPSR's flags only accumulate, so the instruction run again sets the same ones.
   */
  fpBinary(op: FpBinOp, a: V, b: V, size: 32 | 64): V;
  /** FPMulAdd(c, a, b) of double precision operands' bits (c + a * b, one rounding), as {@link fpBinary}. */
  fpMulAdd(c: V, a: V, b: V, size: 64): V;
  /**
   * Two {@link fpMulAdd}s, lane 0 then lane 1 (c[i] + a[i] * b[i]: the lanes of a vector instruction), as one
   * operation so that a backend may compute both at once; the results' bits.
   */
  fpMulAddPair(c: readonly [V, V], a: readonly [V, V], b: readonly [V, V], size: 64): [V, V];
  /**
   * FixedToFP(v, 0, unsigned, FPCR, size): the `from`-bit integer v (signed unless `unsigned`) as a single (`size` 32:
   * the low 32 bits) or double precision value's bits, rounded under FPCR, the flags it raises (IXC) ORed into FPSR;
   * as {@link fpBinary}, before any register write.
   */
  fpFromInt(v: V, from: Width, unsigned: boolean, size: 32 | 64): V;
  /**
   * FPCompare of single or double precision operands' bits: NZCV as the value 0b0110 (equal), 0b1000 (less), 0b0010
   * (greater) or 0b0011 (unordered); IOC ORed into FPSR for a signalling NaN, or any NaN when `signal` (FCMPE); as
   * {@link fpBinary}, before any register write.
   */
  fpCompare(a: V, b: V, size: 32 | 64, signal: boolean): V;
  /** Bits [64 * half + 63 : 64 * half] of Vn = v. */
  vset(n: number, half: 0 | 1, v: V): void;
}
