/**
 * The fast interpreter's operations and the loop that runs them (spec/fast-sem.ts records them from the
 * specification). A program is an Int32Array of operations, each an opcode followed by its fields: locations (word
 * indices of `cpu.fast32`, a value's low word; its high word follows), immediates, relative jumps, or an index into
 * the program's `refs` (the few operations done by a JavaScript function). A handler block's program is the programs
 * of its instructions, each after an {@link FastOp.Insn} (spec/fast-block.ts).
 *
 * Hot path: one function with one switch, so that running cold code touches one compact array per block instead of
 * a closure per instruction (closures per operation were slower than the BigInt handlers in a Linux boot: their
 * objects are cache misses when a block runs a few dozen times in all; docs/performance.md, fifteenth session).
 */
import type { Cpu } from '../cpu.js';
import type { Handler } from '../decode.js';
import { St } from '../state-layout.js';
import { checkSpAlignment } from './interp-sem.js';

/** Opcodes; the comment gives each one's fields after the opcode (d: the result's location; x, y, t: operands'). */
export const enum FastOp {
  /** k: instruction k of the block starts (cpu.dabtIss 0; cpu.pc, cpu.nextPc where read: runFast). */
  Insn,
  /** k: run instruction k's BigInt handler (a word without a fast program). */
  Call,
  /** d lo hi */
  Const,
  /** d x: the 64-bit value. */
  Copy,
  /** d x: the low word, the high word 0. */
  Copy32,
  /** d: the current SP. */
  SpGet,
  /** d: the current SP as a base address, after CheckSPAlignment. */
  SpBase,
  /** x: the current SP = the value at x. */
  SpSet,
  /** x: the current SP = the value's low word. */
  SpSet32,
  Add64, Add32, Sub64, Sub32, Mul64, Mul32, And, Or, Xor, // d x y
  /** d x */
  Not64,
  Not32,
  /** d x type amount width: ShiftReg by a constant amount (0 < amount < width). */
  Shift,
  /** d x y type width: by the value at y modulo width. */
  ShiftBy,
  /** d x mask: the low word & mask, the high word 0. */
  Zext,
  /** d x sh: the low word's low 32 - sh bits sign-extended to 64 bits. */
  Sext,
  Clz32, Clz64, // d x
  Udiv32, Sdiv32, // d x y
  /** r: refs[r](s, cpu), a {@link FastFn}. */
  Fn,
  Ltu, Eq, Ne, // d x y: 1 or 0
  /** d cond: ConditionHolds. */
  Cond,
  /** d t x y: the value at x if the word at t is not 0, else at y. */
  Select,
  /** t n: skip the next n words if the word at t is 0. */
  Jz,
  /** n: skip the next n words. */
  Jmp,
  /** d: PSTATE.C. */
  Carry,
  /** op x y: the pending flag operation and its operands (flags.ts). */
  Flags,
  /** nzcv */
  SetNzcv,
  /** x: NZCV from the low 4 bits of the value. */
  SetNzcvV,
  /** x: branch to the value (InterpSem.branch). */
  Branch,
  /** t x: if the word at t is not 0. */
  BranchIf,
  /** iss: cpu.dabtIss. */
  Syndrome,
  /** d x bytes flags: the memory port's read. */
  Load,
  /** x y size flags: the memory port's write (the recorder included Acc.Write in the flags). */
  Store,
  /** d x lo hi: x + the constant (lo, hi). */
  AddI64,
  /** d x lo: the low words' sum, the high word 0. */
  AddI32,
  AndI, OrI, XorI, // d x lo hi
  EqI, NeI, // d x lo hi: 1 or 0
  /** op x lo hi: Flags with a constant second operand. */
  FlagsI,
  /** k iss: Insn, then Syndrome (a load's or store's first operations, joined: spec/fast-block.ts). */
  InsnIss,
  /** lo hi: branch to this instruction's address + (lo, hi) (InterpSem.branch). */
  BranchRel,
  /** t lo hi: BranchRel if the word at t is not 0. */
  BranchIfRel,
  /** _ _: branch to the block's fixed taken target (its last instruction's BranchRel, made so by the block). */
  BranchTaken,
  /** t _ _: BranchTaken if the word at t is not 0. */
  BranchIfTaken,
  /** d x lo hi t bytes flags: Load from x + the constant (lo, hi), the address computed into t first. */
  LoadI,
  /** x lo hi t y size flags: Store to x + the constant (lo, hi), the address computed into t first. */
  StoreI,
  /** op x y: Flags of a 32-bit operation: the operands' low words, the high words 0. */
  Flags32,
  /** op x lo: FlagsI of a 32-bit operation: x's low word and the constant, the high words 0. */
  FlagsI32,
}

/**
 * What {@link runFast} runs: a program, its function references, and the block's instructions (for Insn and Call:
 * addresses, handlers, words, decoded arguments) and fixed taken target (BranchTaken). A handler block is one.
 */
export interface FastRun {
  readonly ops: Int32Array | undefined;
  readonly refs: readonly FastFn[] | undefined;
  readonly pcs: readonly bigint[];
  readonly handlers: readonly Handler[];
  readonly words: Uint32Array;
  readonly args: readonly unknown[];
  readonly taken: bigint | undefined;
}

/** An operation done by a function ({@link FastOp.Fn}): `s` is `cpu.fast32`. */
export type FastFn = (s: Int32Array, cpu: Cpu) => void;

/** The current SP's slot (SP_EL0 at EL0 or with SPSel 0, else SP_EL1). */
const spSlot = (cpu: Cpu): number => (cpu.spsel === 0 || cpu.el === 0 ? St.SP_EL0 >> 2 : St.SP_EL1 >> 2);

const FA = St.FLAG_A >> 2;
const FB = St.FLAG_B >> 2;
const FOP = St.FLAG_OP >> 2;

/** The high 32 bits of the 64-bit product of two unsigned 32-bit numbers (exact: every partial product < 2^53). */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const m1 = a1 * b0 + ((a0 * b0) >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return a1 * b1 + Math.floor(m1 / 65536) + Math.floor(m2 / 65536);
}

/** The 32-bit halves (low, high) of a 64-bit value, as int32: how locations and operation fields hold one. */
export function halvesOf(v: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))];
}

/** s[d], s[d + 1] = s[x], s[x + 1] + (lo, hi), modulo 2^64 (d may equal x): AddI64, LoadI's and StoreI's address. */
export function add64Into(s: Int32Array, d: number, x: number, lo: number, hi: number): void {
  const al = s[x]!;
  const sum = (al + lo) | 0;
  s[d + 1] = (s[x + 1]! + hi + ((sum >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
  s[d] = sum;
}

/** Load: the memory port's read of `bytes` at the address at s[x] into s[d] (both halves). */
function load(cpu: Cpu, s: Int32Array, d: number, x: number, bytes: number, flags: number): void {
  const mem = cpu.mem;
  if (mem.readHalves !== undefined) {
    mem.readHalves(s, d, x, bytes, flags);
  } else {
    const u = cpu.fast64;
    u[d >> 1] = mem.read(u[x >> 1]!, bytes, flags);
  }
}

/** Store: the memory port's write of the value at s[y] (`size`: log2 of its bytes) to the address at s[x]. */
function store(cpu: Cpu, s: Int32Array, x: number, y: number, size: number, flags: number): void {
  const mem = cpu.mem;
  if (mem.writeHalves !== undefined) {
    mem.writeHalves(s, x, y, 1 << size, flags);
  } else {
    const u = cpu.fast64;
    const v = size === 3 ? u[y >> 1]! : BigInt((s[y]! & (size === 2 ? -1 : size === 1 ? 0xffff : 0xff)) >>> 0);
    mem.write(u[x >> 1]!, 1 << size, v, flags);
  }
}

/** `pc` + the 64-bit offset (lo, hi), modulo 2^64 (BranchRel's target). */
export function relative(pc: bigint, lo: number, hi: number): bigint {
  return BigInt.asUintN(64, pc + ((BigInt(hi) << 32n) | BigInt(lo >>> 0)));
}

/** ShiftReg of the `w`-bit value (lo, hi; hi unread when w is 32) by 0 <= n < w into s[d], s[d + 1]. */
function shiftInto(s: Int32Array, d: number, type: number, lo: number, hi: number, n: number, w: number): void {
  if (w === 32) {
    // (Only the low word is read: a 32-bit operand's high word may be anything, a register's own.)
    s[d] = n === 0 ? lo
      : type === 0 ? lo << n : type === 1 ? lo >>> n : type === 2 ? lo >> n : (lo >>> n) | (lo << (32 - n));
    s[d + 1] = 0;
    return;
  }
  if (n === 0) {
    s[d] = lo;
    s[d + 1] = hi;
    return;
  }
  switch (type) {
    case 0: // LSL
      if (n >= 32) { s[d + 1] = lo << (n - 32); s[d] = 0; } else { s[d + 1] = (hi << n) | (lo >>> (32 - n)); s[d] = lo << n; }
      return;
    case 1: // LSR
      if (n >= 32) { s[d] = hi >>> (n - 32); s[d + 1] = 0; } else { s[d] = (lo >>> n) | (hi << (32 - n)); s[d + 1] = hi >>> n; }
      return;
    case 2: // ASR
      if (n >= 32) { s[d] = hi >> (n - 32); s[d + 1] = hi >> 31; } else { s[d] = (lo >>> n) | (hi << (32 - n)); s[d + 1] = hi >> n; }
      return;
    default: { // ROR
      let a = lo;
      let b = hi;
      if (n >= 32) { a = hi; b = lo; n -= 32; }
      if (n === 0) { s[d] = a; s[d + 1] = b; return; }
      s[d] = (a >>> n) | (b << (32 - n));
      s[d + 1] = (b >>> n) | (a << (32 - n));
    }
  }
}

/**
 * Run `b`'s program on `cpu`.
 *
 * `cpu.pc` and `cpu.nextPc` (what the block did before each handler call) are set for instruction `k` only where
 * something reads them: before a handler call, a function operation or a branch (`synced`), when an operation throws
 * (the exception's address), and at the end. An instruction that only computes stores neither: with WebAssembly off,
 * a tenth of a hot loop's time was V8's write barrier for those two BigInt stores an instruction (the addresses are
 * young objects for seconds when the loop allocates little: docs/performance.md, twenty-first session). Hot path:
 * the sync is written out in each case that needs it.
 */
export function runFast(cpu: Cpu, b: FastRun): void {
  const p = b.ops!;
  const refs = b.refs!;
  const pcs = b.pcs;
  const s = cpu.fast32;
  const n = p.length;
  let i = 0;
  /** The instruction running (Insn). */
  let k = 0;
  /** The instruction whose addresses cpu.pc and cpu.nextPc hold (-1: none of the block's yet). */
  let synced = -1;
  try {
    while (i < n) {
      switch (p[i]! as FastOp) {
        case FastOp.Insn:
          k = p[i + 1]!;
          cpu.dabtIss = 0;
          i += 2;
          break;
        case FastOp.InsnIss:
          k = p[i + 1]!;
          cpu.dabtIss = p[i + 2]!;
          i += 3;
          break;
        case FastOp.Call:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          b.handlers[k]!(cpu, b.words[k]!, b.args[k]);
          i += 2;
          break;
        case FastOp.Const: {
          const d = p[i + 1]!;
          s[d] = p[i + 2]!;
          s[d + 1] = p[i + 3]!;
          i += 4;
          break;
        }
        case FastOp.Copy: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          s[d] = s[x]!;
          s[d + 1] = s[x + 1]!;
          i += 3;
          break;
        }
        case FastOp.Copy32: {
          const d = p[i + 1]!;
          s[d] = s[p[i + 2]!]!;
          s[d + 1] = 0;
          i += 3;
          break;
        }
        case FastOp.SpGet: {
          const d = p[i + 1]!;
          const k = spSlot(cpu);
          s[d] = s[k]!;
          s[d + 1] = s[k + 1]!;
          i += 2;
          break;
        }
        case FastOp.SpBase: {
          const d = p[i + 1]!;
          const k = spSlot(cpu);
          checkSpAlignment(cpu, (s[k]! & 15) !== 0);
          s[d] = s[k]!;
          s[d + 1] = s[k + 1]!;
          i += 2;
          break;
        }
        case FastOp.SpSet: {
          const x = p[i + 1]!;
          const k = spSlot(cpu);
          s[k] = s[x]!;
          s[k + 1] = s[x + 1]!;
          i += 2;
          break;
        }
        case FastOp.SpSet32: {
          const k = spSlot(cpu);
          s[k] = s[p[i + 1]!]!;
          s[k + 1] = 0;
          i += 2;
          break;
        }
        case FastOp.Add64: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          const al = s[x]!;
          const lo = (al + s[y]!) | 0;
          s[d + 1] = (s[x + 1]! + s[y + 1]! + ((lo >>> 0) < (al >>> 0) ? 1 : 0)) | 0;
          s[d] = lo;
          i += 4;
          break;
        }
        case FastOp.Add32: {
          const d = p[i + 1]!;
          s[d] = (s[p[i + 2]!]! + s[p[i + 3]!]!) | 0;
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Sub64: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          const al = s[x]!;
          const bl = s[y]!;
          s[d + 1] = (s[x + 1]! - s[y + 1]! - ((al >>> 0) < (bl >>> 0) ? 1 : 0)) | 0;
          s[d] = (al - bl) | 0;
          i += 4;
          break;
        }
        case FastOp.Sub32: {
          const d = p[i + 1]!;
          s[d] = (s[p[i + 2]!]! - s[p[i + 3]!]!) | 0;
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Mul64: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          const al = s[x]!;
          const bl = s[y]!;
          s[d + 1] = (mulHi32(al >>> 0, bl >>> 0) + Math.imul(al, s[y + 1]!) + Math.imul(s[x + 1]!, bl)) | 0;
          s[d] = Math.imul(al, bl);
          i += 4;
          break;
        }
        case FastOp.Mul32: {
          const d = p[i + 1]!;
          s[d] = Math.imul(s[p[i + 2]!]!, s[p[i + 3]!]!);
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.And: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          s[d] = s[x]! & s[y]!;
          s[d + 1] = s[x + 1]! & s[y + 1]!;
          i += 4;
          break;
        }
        case FastOp.Or: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          s[d] = s[x]! | s[y]!;
          s[d + 1] = s[x + 1]! | s[y + 1]!;
          i += 4;
          break;
        }
        case FastOp.Xor: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          s[d] = s[x]! ^ s[y]!;
          s[d + 1] = s[x + 1]! ^ s[y + 1]!;
          i += 4;
          break;
        }
        case FastOp.Not64: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          s[d] = ~s[x]!;
          s[d + 1] = ~s[x + 1]!;
          i += 3;
          break;
        }
        case FastOp.Not32: {
          const d = p[i + 1]!;
          s[d] = ~s[p[i + 2]!]!;
          s[d + 1] = 0;
          i += 3;
          break;
        }
        case FastOp.Shift: {
          const x = p[i + 2]!;
          shiftInto(s, p[i + 1]!, p[i + 3]!, s[x]!, s[x + 1]!, p[i + 4]!, p[i + 5]!);
          i += 6;
          break;
        }
        case FastOp.ShiftBy: {
          const x = p[i + 2]!;
          const w = p[i + 5]!;
          shiftInto(s, p[i + 1]!, p[i + 4]!, s[x]!, s[x + 1]!, s[p[i + 3]!]! & (w - 1), w);
          i += 6;
          break;
        }
        case FastOp.Zext: {
          const d = p[i + 1]!;
          s[d] = s[p[i + 2]!]! & p[i + 3]!;
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Sext: {
          const d = p[i + 1]!;
          const sh = p[i + 3]!;
          const lo = (s[p[i + 2]!]! << sh) >> sh;
          s[d] = lo;
          s[d + 1] = lo >> 31;
          i += 4;
          break;
        }
        case FastOp.Clz32: {
          const d = p[i + 1]!;
          s[d] = Math.clz32(s[p[i + 2]!]!);
          s[d + 1] = 0;
          i += 3;
          break;
        }
        case FastOp.Clz64: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const h = s[x + 1]!;
          s[d] = h !== 0 ? Math.clz32(h) : 32 + Math.clz32(s[x]!);
          s[d + 1] = 0;
          i += 3;
          break;
        }
        case FastOp.Udiv32: {
          const d = p[i + 1]!;
          const q = s[p[i + 3]!]! >>> 0;
          s[d] = q === 0 ? 0 : Math.floor((s[p[i + 2]!]! >>> 0) / q);
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Sdiv32: {
          const d = p[i + 1]!;
          const q = s[p[i + 3]!]!;
          // The most negative value / -1 is 2^31, which the store wraps back to it (BigOps.sdiv).
          s[d] = q === 0 ? 0 : Math.trunc(s[p[i + 2]!]! / q);
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Fn:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          refs[p[i + 1]!]!(s, cpu);
          i += 2;
          break;
        case FastOp.Ltu: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          const ah = s[x + 1]! >>> 0;
          const bh = s[y + 1]! >>> 0;
          s[d] = ah < bh || (ah === bh && (s[x]! >>> 0) < (s[y]! >>> 0)) ? 1 : 0;
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Eq:
        case FastOp.Ne: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          const same = s[x] === s[y] && s[x + 1] === s[y + 1];
          s[d] = same === (p[i] === FastOp.Eq) ? 1 : 0;
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.Cond: {
          const d = p[i + 1]!;
          s[d] = cpu.condHolds(p[i + 2]!) ? 1 : 0;
          s[d + 1] = 0;
          i += 3;
          break;
        }
        case FastOp.Select: {
          const d = p[i + 1]!;
          const k = s[p[i + 2]!] !== 0 ? p[i + 3]! : p[i + 4]!;
          s[d] = s[k]!;
          s[d + 1] = s[k + 1]!;
          i += 5;
          break;
        }
        case FastOp.Jz:
          i += s[p[i + 1]!] === 0 ? 3 + p[i + 2]! : 3;
          break;
        case FastOp.Jmp:
          i += 2 + p[i + 1]!;
          break;
        case FastOp.Carry: {
          const d = p[i + 1]!;
          s[d] = (cpu.nzcv >> 1) & 1;
          s[d + 1] = 0;
          i += 2;
          break;
        }
        case FastOp.Flags: {
          const x = p[i + 2]!;
          const y = p[i + 3]!;
          s[FA] = s[x]!;
          s[FA + 1] = s[x + 1]!;
          s[FB] = s[y]!;
          s[FB + 1] = s[y + 1]!;
          s[FOP] = p[i + 1]!;
          i += 4;
          break;
        }
        case FastOp.SetNzcv:
          cpu.nzcv = p[i + 1]!;
          i += 2;
          break;
        case FastOp.SetNzcvV:
          cpu.nzcv = s[p[i + 1]!]! & 15;
          i += 2;
          break;
        case FastOp.Branch:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          cpu.sem.branch(cpu.fast64[p[i + 1]! >> 1]!);
          i += 2;
          break;
        case FastOp.BranchIf:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          if (s[p[i + 1]!] !== 0) cpu.sem.branch(cpu.fast64[p[i + 2]! >> 1]!);
          i += 3;
          break;
        case FastOp.BranchRel:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          cpu.sem.branch(relative(cpu.pc, p[i + 1]!, p[i + 2]!));
          i += 3;
          break;
        case FastOp.BranchIfRel:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          if (s[p[i + 1]!] !== 0) cpu.sem.branch(relative(cpu.pc, p[i + 2]!, p[i + 3]!));
          i += 4;
          break;
        case FastOp.BranchTaken:
          if (synced !== k) { cpu.pc = pcs[k]!; synced = k; }
          cpu.nextPc = b.taken!;
          i += 3;
          break;
        case FastOp.BranchIfTaken:
          if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; synced = k; }
          if (s[p[i + 1]!] !== 0) cpu.nextPc = b.taken!;
          i += 4;
          break;
        case FastOp.Syndrome:
          cpu.dabtIss = p[i + 1]!;
          i += 2;
          break;
        case FastOp.Load:
          load(cpu, s, p[i + 1]!, p[i + 2]!, p[i + 3]!, p[i + 4]!);
          i += 5;
          break;
        case FastOp.Store:
          store(cpu, s, p[i + 1]!, p[i + 2]!, p[i + 3]!, p[i + 4]!);
          i += 5;
          break;
        case FastOp.LoadI: {
          const t = p[i + 5]!;
          add64Into(s, t, p[i + 2]!, p[i + 3]!, p[i + 4]!);
          load(cpu, s, p[i + 1]!, t, p[i + 6]!, p[i + 7]!);
          i += 8;
          break;
        }
        case FastOp.StoreI: {
          const t = p[i + 4]!;
          add64Into(s, t, p[i + 1]!, p[i + 2]!, p[i + 3]!);
          store(cpu, s, t, p[i + 5]!, p[i + 6]!, p[i + 7]!);
          i += 8;
          break;
        }
        case FastOp.AddI64:
          add64Into(s, p[i + 1]!, p[i + 2]!, p[i + 3]!, p[i + 4]!);
          i += 5;
          break;
        case FastOp.AddI32: {
          const d = p[i + 1]!;
          s[d] = (s[p[i + 2]!]! + p[i + 3]!) | 0;
          s[d + 1] = 0;
          i += 4;
          break;
        }
        case FastOp.AndI: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          s[d] = s[x]! & p[i + 3]!;
          s[d + 1] = s[x + 1]! & p[i + 4]!;
          i += 5;
          break;
        }
        case FastOp.OrI: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          s[d] = s[x]! | p[i + 3]!;
          s[d + 1] = s[x + 1]! | p[i + 4]!;
          i += 5;
          break;
        }
        case FastOp.XorI: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          s[d] = s[x]! ^ p[i + 3]!;
          s[d + 1] = s[x + 1]! ^ p[i + 4]!;
          i += 5;
          break;
        }
        case FastOp.EqI:
        case FastOp.NeI: {
          const d = p[i + 1]!;
          const x = p[i + 2]!;
          const same = s[x] === p[i + 3] && s[x + 1] === p[i + 4];
          s[d] = same === (p[i] === FastOp.EqI) ? 1 : 0;
          s[d + 1] = 0;
          i += 5;
          break;
        }
        case FastOp.FlagsI: {
          const x = p[i + 2]!;
          s[FA] = s[x]!;
          s[FA + 1] = s[x + 1]!;
          s[FB] = p[i + 3]!;
          s[FB + 1] = p[i + 4]!;
          s[FOP] = p[i + 1]!;
          i += 5;
          break;
        }
        case FastOp.Flags32: {
          s[FA] = s[p[i + 2]!]!;
          s[FA + 1] = 0;
          s[FB] = s[p[i + 3]!]!;
          s[FB + 1] = 0;
          s[FOP] = p[i + 1]!;
          i += 4;
          break;
        }
        case FastOp.FlagsI32: {
          s[FA] = s[p[i + 2]!]!;
          s[FA + 1] = 0;
          s[FB] = p[i + 3]!;
          s[FB + 1] = 0;
          s[FOP] = p[i + 1]!;
          i += 4;
          break;
        }
        default:
          throw new Error(`fast interpreter: bad opcode ${p[i]} at ${i}`);
      }
    }
  } catch (e) {
    // (A load or store, an SP alignment check: the exception's address is instruction k's.)
    if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; }
    throw e;
  }
  if (synced !== k) { cpu.pc = pcs[k]!; cpu.nextPc = pcs[k + 1]!; }
}
