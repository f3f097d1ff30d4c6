/**
 * The functions every block module of the WebAssembly tier holds besides its blocks' (tier.ts builds them into each
 * module): the NZCV function, the tag compare, the unaligned access check, the jump cache exit and each block's check
 * function; and the code sequences they share with the block emitter's inline paths (block-emitter.ts), which emits
 * the same checks inline in functions that iterate.
 */
import { ARENA_CODE_MAP, ARENA_RUN_EPOCH } from '../arena.js';
import { FlagOp } from '../flags.js';
import { Dtlb, DTLB_ENTRY_BYTES, DTLB_NORMAL, St } from '../state-layout.js';
import { SysReg } from '../sysregs.js';
import type { FunctionBuilder } from '../wasm/function-builder.js';
import { MemOp, Op, type Opcode } from '../wasm/opcodes.js';
import { ValType, VOID_BLOCK } from '../wasm/types.js';
import { Ajc, AJC_ENTRIES, AJC_ENTRY_BYTES, ajcIndex } from './jump-cache.js';
import { hasCallOut, P_ST, pushCallOut, pushReturnCallOut, type CallOut } from './protocol.js';

const { i32, i64 } = ValType;

/** log2 of the data TLB's entry size (state-layout.ts Dtlb), for the index arithmetic. */
export const DTLB_ENTRY_SHIFT = Math.log2(DTLB_ENTRY_BYTES);
/** The state block's word holding SCTLR_EL1's low half (A is bit 1). */
const SCTLR_EL1_LOW = St.SYS + 8 * SysReg.SCTLR_EL1;

/**
 * Emit the check function `() -> i32` of a block whose `words` lie at arena offset `at` and whose validity word is
 * at `validOffset`: 1 (and the validity word set to this run's ARENA_RUN_EPOCH) when the word is not 0 (0: dropped
 * or IC-invalidated, which only the run loop decides about) and every word still equals memory, else 0. This is the
 * run loop's first-entry check of a run (jit.ts runBlocks, code-cache.ts blockMatches) for a block reached by a
 * chain, so that a new run does not send every chain through the run loop once.
 */
export function emitCheckFunction(f: FunctionBuilder, words: Uint32Array, at: number, validOffset: number): void {
  f.i32Const(validOffset).mem(MemOp.i32_load).op(Op.i32_eqz).if(VOID_BLOCK).i32Const(0).return().end();
  let k = 0;
  for (; k + 1 < words.length; k += 2) {
    f.i32Const(0).mem(MemOp.i64_load, at + 4 * k, 2)
      .i64Const(BigInt.asIntN(64, (BigInt(words[k + 1]!) << 32n) | BigInt(words[k]!))).op(Op.i64_ne)
      .if(VOID_BLOCK).i32Const(0).return().end();
  }
  if (k < words.length) {
    f.i32Const(0).mem(MemOp.i32_load, at + 4 * k).i32Const(words[k]! | 0).op(Op.i32_ne)
      .if(VOID_BLOCK).i32Const(0).return().end();
  }
  f.i32Const(validOffset).i32Const(0).mem(MemOp.i32_load, ARENA_RUN_EPOCH * 4).mem(MemOp.i32_store);
  f.i32Const(1);
}

/**
 * Tail-call the block the CPU's arena jump cache holds for `target` (an i64 local, or a fixed PC) when its entry's
 * PC, TLB generation and mode (the i32 local `mode`, which the tail call passes on) are this call's, the budget left
 * (i32 local `left`) covers its instructions, the IRQ line is low and its validity word holds this run's epoch, or its
 * check function (the entry `checkImport`, -1 for none) finds its words still equal to memory and sets the word; else
 * fall through. `ent`: an i32 scratch local. The state block is local 0 (P_ST). BlockEmitter.jumpCacheChain inline,
 * and emitJumpCacheExitFunction's body.
 */
export function pushJumpCacheChain(f: FunctionBuilder, o: {
  readonly target: { readonly local: number } | bigint; readonly mode: number; readonly left: number;
  readonly ent: number; readonly checkImport: CallOut; readonly enterImport: CallOut;
}): void {
  const { target, mode, left, ent } = o;
  const pushTarget = (): void => {
    if (typeof target === 'bigint') f.i64Const(BigInt.asIntN(64, target));
    else f.localGet(target.local);
  };
  f.block(VOID_BLOCK);
  f.localGet(P_ST).mem(MemOp.i32_load, St.JC_BASE);
  if (typeof target === 'bigint') {
    f.i32Const(ajcIndex(Number(target & 0xffff_ffffn)) * AJC_ENTRY_BYTES).op(Op.i32_add);
  } else {
    f.localGet(target.local).op(Op.i32_wrap_i64).i32Const(2).op(Op.i32_shr_u).i32Const(AJC_ENTRIES - 1).op(Op.i32_and)
      .i32Const(Math.log2(AJC_ENTRY_BYTES)).op(Op.i32_shl).op(Op.i32_add);
  }
  f.localSet(ent);
  f.localGet(ent).mem(MemOp.i64_load, Ajc.PC);
  pushTarget();
  f.op(Op.i64_ne).brIf(0);
  // (The entry's generation is neither of the live ones, or its mode is another, or too little budget is left.)
  f.localGet(ent).mem(MemOp.i32_load, Ajc.GEN).localGet(P_ST).mem(MemOp.i32_load, St.TLB_GEN).op(Op.i32_ne)
    .localGet(ent).mem(MemOp.i32_load, Ajc.GEN).localGet(P_ST).mem(MemOp.i32_load, St.TLB_GEN_GLOBAL).op(Op.i32_ne)
    .op(Op.i32_and)
    .localGet(ent).mem(MemOp.i32_load, Ajc.MODE).localGet(mode).op(Op.i32_ne).op(Op.i32_or)
    .localGet(left).localGet(ent).mem(MemOp.i32_load, Ajc.N).op(Op.i32_lt_s).op(Op.i32_or);
  pushAsyncPending(f);
  f.op(Op.i32_or).brIf(0);
  f.localGet(ent).mem(MemOp.i32_load, Ajc.VALID).mem(MemOp.i32_load)
    .i32Const(0).mem(MemOp.i32_load, ARENA_RUN_EPOCH * 4).op(Op.i32_ne);
  if (!hasCallOut(o.checkImport)) f.brIf(0);
  else pushCallOut(f.if(VOID_BLOCK).localGet(ent).mem(MemOp.i32_load, Ajc.SLOT), o.checkImport).op(Op.i32_eqz).brIf(1).end();
  // (Through the BlockTable module's `enter`, a wasm function: no JavaScript runs. Importing the slots' table itself
  // into every module made each table write update every instance's dispatch table on V8 11: 14 times the
  // compile time of a Linux boot. The hub the tier's entries are called through is written once.)
  pushReturnCallOut(f.localGet(ent).mem(MemOp.i32_load, Ajc.SLOT).localGet(P_ST).localGet(left).localGet(mode),
    o.enterImport);
  f.end();
}

/** Push ASYNC_PENDING: the IRQ line word ANDed with what PSTATE.DAIF leaves unmasked (the state block is local 0). */
export function pushAsyncPending(f: FunctionBuilder): void {
  f.localGet(P_ST).mem(MemOp.i32_load, St.IRQ_LINE).localGet(P_ST).mem(MemOp.i32_load, St.DAIF).i32Const(1)
    .op(Op.i32_shr_u).i32Const(-1).op(Op.i32_xor).op(Op.i32_and);
}

/** The signature of the module's jump cache exit function: (st, left, mode: i32, target: i64, code: i32) -> i32. */
export const JUMP_CACHE_EXIT_PARAMS = [ValType.i32, ValType.i32, ValType.i32, ValType.i64, ValType.i32] as const;

/**
 * Emit the module's jump cache exit function `(st, left, mode, target, code) -> i32`, which exits tail-call: chain to
 * the block the arena jump cache holds for `target` (pushJumpCacheChain, through the entries `enterImport` and
 * `checkImport`), else store `target` in the state block's NEXT_PC and `left` in SCRATCH and return `code`.
 */
export function emitJumpCacheExitFunction(f: FunctionBuilder, enterImport: CallOut, checkImport: CallOut): void {
  const left = 1;
  const mode = 2;
  const target = 3;
  const code = 4;
  const ent = f.addLocals(i32);
  pushJumpCacheChain(f, { target: { local: target }, mode, left, ent, checkImport, enterImport });
  f.localGet(P_ST).localGet(target).mem(MemOp.i64_store, St.NEXT_PC);
  f.localGet(P_ST).localGet(left).mem(MemOp.i32_store, St.SCRATCH);
  f.localGet(code);
}

/**
 * Push non-zero when the allocation tag of the granule at an address (`va` pushes it as i64, `lo` its low word as
 * i32) on a page whose tags are at the arena offset `tags` pushes (i32; two a byte, the even granule low) differs from
 * the pointer's tag, VA[59:56]. BlockEmitter.tagMismatch inline and emitTagMismatchFunction's body.
 */
export function pushTagMismatch(f: FunctionBuilder, tags: () => void, lo: () => void, va: () => void): void {
  tags();
  lo();
  f.i32Const(0xfff).op(Op.i32_and).i32Const(5).op(Op.i32_shr_u).op(Op.i32_add).mem(MemOp.i32_load8_u);
  lo();
  f.i32Const(2).op(Op.i32_shr_u).i32Const(4).op(Op.i32_and).op(Op.i32_shr_u);
  va();
  f.i64Const(56).op(Op.i64_shr_u).op(Op.i32_wrap_i64).op(Op.i32_xor).i32Const(15).op(Op.i32_and);
}

/** The signature of the module's unaligned access check: (va: i64, st: i32, mode: i32, sizeWrite: i32) -> host: i32. */
export const UNALIGNED_PARAMS = [ValType.i64, ValType.i32, ValType.i32, ValType.i32] as const;
/** Bit of the unaligned check's `sizeWrite` argument: the access is a store (the bits below it: its size in bytes). */
export const UNALIGNED_WRITE = 0x100;

/**
 * Emit the module's unaligned access check `(va: i64, st: i32, mode: i32, sizeWrite: i32) -> i32`: the arena offset of
 * the access of `sizeWrite & 0xff` bytes at `va` (a store when UNALIGNED_WRITE is set) by the CPU whose state block
 * is at `st`, running blocks of mode `mode` (blockMode), when it completes without a fault as the MMU's own unaligned
 * hot path would (mmu.ts `unalignedOk`: the data TLB entry's page and permission, Normal memory, SCTLR_EL1.A = 0,
 * inside the page; a store's code page and reservation checks, as fullCheck's; on a page whose tags are checked,
 * inside one granule whose tag is the pointer's); else -1.
 * It also accepts an aligned access that passes those checks.
 */
export function emitUnalignedFunction(f: FunctionBuilder): void {
  const va = 0, st = 1, mode = 2, sw = 3;
  const lo = f.addLocals(i32);
  const mask = f.addLocals(i32);
  const ent = f.addLocals(i32);
  const size = f.addLocals(i32);
  const tags = f.addLocals(i32);
  f.localGet(va).op(Op.i32_wrap_i64).localSet(lo);
  f.localGet(sw).i32Const(0xff).op(Op.i32_and).localSet(size);
  // ent = TLB_BASE + (((mode >> 2) & 3) * (TLB_MASK + 1) + ((lo >>> 12) & TLB_MASK)) * DTLB_ENTRY_BYTES, as the
  // block functions' prologue and dtlbEntry compute it
  f.localGet(st).mem(MemOp.i32_load, St.TLB_MASK).localSet(mask);
  f.localGet(st).mem(MemOp.i32_load, St.TLB_BASE)
    .localGet(mode).i32Const(2).op(Op.i32_shr_u).i32Const(3).op(Op.i32_and).localGet(mask).i32Const(1).op(Op.i32_add)
    .op(Op.i32_mul).localGet(lo).i32Const(12).op(Op.i32_shr_u).localGet(mask).op(Op.i32_and).op(Op.i32_add)
    .i32Const(DTLB_ENTRY_SHIFT).op(Op.i32_shl).op(Op.i32_add).localSet(ent);
  const isStore = (): void => void f.localGet(sw).i32Const(UNALIGNED_WRITE).op(Op.i32_and);
  f.block(VOID_BLOCK); // $miss
  pushUnalignedChecks(f, {
    va: () => f.localGet(va), lo, ent, st, tags,
    // the store key for a store, else the load key
    key: () => {
      f.localGet(ent).mem(MemOp.i64_load, Dtlb.KEY_W).localGet(ent).mem(MemOp.i64_load, Dtlb.KEY_R);
      isStore();
      f.op(Op.select);
    },
    room: (bytes) => void f.i32Const(bytes).localGet(size).op(Op.i32_sub),
    ifStore: (body) => {
      isStore();
      f.if(VOID_BLOCK);
      body(1);
      f.end();
    },
    // the prologue's tagMask: none when the mode says checks are off
    tagMask: () => void f.localGet(mode).i32Const(1).op(Op.i32_shr_u).i32Const(1).op(Op.i32_and).i32Const(1)
      .op(Op.i32_sub).i32Const(~DTLB_NORMAL).op(Op.i32_and),
    tagMismatch: () => pushTagMismatch(f, () => f.localGet(tags), () => f.localGet(lo), () => f.localGet(va)),
    tagKnown: false,
  }, 0);
  f.return();
  f.end();
  f.i32Const(-1);
}

/**
 * How pushUnalignedChecks reads an access: `va` pushes its address (i64), i32 locals `lo` and `ent` hold its low word
 * and its data TLB entry, `st` the state block; `key` pushes the entry's key of its kind (load or store), `room`
 * pushes `bytes` minus its size, `ifStore` emits `body` for a store only (telling it how many blocks it opened),
 * `tagMask` pushes the mask of the entry's tag pointer (0: no check), i32 local `tags` receives that pointer, and
 * `tagMismatch` pushes non-zero when the granule's tag is not the pointer's; with `tagKnown` the tags are not looked at.
 */
export interface UnalignedAccess {
  readonly va: () => void;
  readonly lo: number;
  readonly ent: number;
  readonly st: number;
  readonly key: () => void;
  readonly room: (bytes: number) => void;
  readonly ifStore: (body: (depth: number) => void) => void;
  readonly tags: number;
  readonly tagMask: () => void;
  readonly tagMismatch: () => void;
  readonly tagKnown: boolean;
}

/**
 * The checks of an access whose address need not be aligned to its size, where the MMU completes it without a fault
 * as its own hot path does (mmu.ts `unalignedOk`): the data TLB entry's page and permission (the key compare without
 * the alignment bits), Normal memory (DTLB_NORMAL), SCTLR_EL1.A = 0, the whole access inside the page; a store's as
 * fullCheck's (no translated code in the page, no open reservation); on a page whose tags are checked, the access
 * inside one granule with the pointer's tag. Anything else branches to label depth `miss`; then pushes the access's
 * arena offset. One definition for the module's function (emitUnalignedFunction) and BlockEmitter's inline copy in
 * functions that iterate (fullCheckOrUnaligned).
 */
export function pushUnalignedChecks(f: FunctionBuilder, a: UnalignedAccess, miss: number): void {
  // (va & MASK) != KEY: another page, or no permission
  a.va();
  f.localGet(a.ent).mem(MemOp.i64_load, Dtlb.MASK).op(Op.i64_and);
  a.key();
  f.op(Op.i64_ne).brIf(miss);
  // Not Normal memory, SCTLR_EL1.A = 1, or the access crosses into the next page
  f.localGet(a.ent).mem(MemOp.i32_load, Dtlb.TAG_HOST).i32Const(DTLB_NORMAL).op(Op.i32_and).op(Op.i32_eqz).brIf(miss);
  f.localGet(a.st).mem(MemOp.i32_load, SCTLR_EL1_LOW).i32Const(2).op(Op.i32_and).brIf(miss);
  f.localGet(a.lo).i32Const(0xfff).op(Op.i32_and);
  a.room(4096);
  f.op(Op.i32_gt_u).brIf(miss);
  // A store: translated code in the page, or an open reservation
  a.ifStore((depth) => {
    pushStoreBlocked(f, a.ent, a.st);
    f.brIf(miss + depth);
  });
  // Checked tags: inside one granule, whose tag is the pointer's
  if (!a.tagKnown) {
    f.localGet(a.ent).mem(MemOp.i32_load, Dtlb.TAG_HOST);
    a.tagMask();
    f.op(Op.i32_and).localTee(a.tags).if(VOID_BLOCK);
    f.localGet(a.lo).i32Const(15).op(Op.i32_and);
    a.room(16);
    f.op(Op.i32_gt_u).brIf(miss + 1);
    a.tagMismatch();
    f.brIf(miss + 1).end();
  }
  f.localGet(a.ent).mem(MemOp.i32_load, Dtlb.HOST).localGet(a.lo).i32Const(0xfff).op(Op.i32_and).op(Op.i32_add);
}

/**
 * Push non-zero when a store to the page of data TLB entry `ent` (i32 local; `st` the state block's) must miss:
 * translated code there, or an open reservation.
 */
export function pushStoreBlocked(f: FunctionBuilder, ent: number, st: number): void {
  f.localGet(ent).mem(MemOp.i32_load, Dtlb.HOST).i32Const(12).op(Op.i32_shr_u).mem(MemOp.i32_load8_u, ARENA_CODE_MAP)
    .localGet(st).mem(MemOp.i32_load, St.OPEN_RESERVATIONS).op(Op.i32_or);
}

/** The signature of the module's tag compare function: (tags: i32, lo: i32, va: i64) -> mismatch: i32. */
export const TAG_MISMATCH_PARAMS = [ValType.i32, ValType.i32, ValType.i64] as const;

/**
 * Emit the module's tag compare function `(tags: i32, lo: i32, va: i64) -> i32`: non-zero when the allocation tag
 * of the granule at `va` (`lo` its low word) on the page whose tags are at `tags` differs from VA[59:56].
 */
export function emitTagMismatchFunction(f: FunctionBuilder): void {
  pushTagMismatch(f, () => f.localGet(0), () => f.localGet(1), () => f.localGet(2));
}

/**
 * Emit the module's NZCV function `(st: i32) -> i32`: NZCV from the state block, computing it from a pending flag
 * operation (and storing it, with the operation cleared) as `Cpu.nzcv` does (flags.ts).
 */
export function emitNzcvFunction(f: FunctionBuilder): void {
  const st = 0;
  const op = f.addLocals(i32);
  const a = f.addLocals(i64);
  const b = f.addLocals(i64);
  const r = f.addLocals(i64);
  const res = f.addLocals(i32);
  const a32 = f.addLocals(i32);
  const b32 = f.addLocals(i32);
  const r32 = f.addLocals(i32);
  f.localGet(st).mem(MemOp.i32_load, St.FLAG_OP).localTee(op).op(Op.i32_eqz)
    .if(VOID_BLOCK).localGet(st).mem(MemOp.i32_load, St.NZCV).return().end();
  f.localGet(st).mem(MemOp.i64_load, St.FLAG_A).localSet(a);
  f.localGet(st).mem(MemOp.i64_load, St.FLAG_B).localSet(b);
  f.localGet(a).op(Op.i32_wrap_i64).localSet(a32);
  f.localGet(b).op(Op.i32_wrap_i64).localSet(b32);
  // One width's operands and operations: the 64-bit and 32-bit cases are the same code over i64 or i32.
  interface Width {
    readonly a: number; readonly b: number; readonly r: number;
    readonly sub: Opcode; readonly add: Opcode; readonly xor: Opcode; readonly and: Opcode; readonly ltS: Opcode;
    readonly ltU: Opcode; readonly geU: Opcode; readonly eqz: Opcode;
    zero(): void; ones(): void;
  }
  const w64: Width = {
    a, b, r, sub: Op.i64_sub, add: Op.i64_add, xor: Op.i64_xor, and: Op.i64_and, ltS: Op.i64_lt_s, ltU: Op.i64_lt_u,
    geU: Op.i64_ge_u, eqz: Op.i64_eqz, zero: () => f.i64Const(0), ones: () => f.i64Const(-1),
  };
  const w32: Width = {
    a: a32, b: b32, r: r32, sub: Op.i32_sub, add: Op.i32_add, xor: Op.i32_xor, and: Op.i32_and, ltS: Op.i32_lt_s,
    ltU: Op.i32_lt_u, geU: Op.i32_ge_u, eqz: Op.i32_eqz, zero: () => f.i32Const(0), ones: () => f.i32Const(-1),
  };
  // NZCV of FlagOp `code` into `res`: N and Z of r; for SUB: C = a >=u b, V = ((a ^ b) & (a ^ r)) < 0; for ADD:
  // C = r <u a, V = (~(a ^ b) & (a ^ r)) < 0; logical operations have the result in a and C = V = 0.
  const flagCase = (code: number, w: Width, kind: 'logic' | 'sub' | 'add', last: boolean): void => {
    if (!last) f.localGet(op).i32Const(code).op(Op.i32_eq).if(VOID_BLOCK);
    if (kind === 'logic') f.localGet(w.a).localSet(w.r);
    else f.localGet(w.a).localGet(w.b).op(kind === 'sub' ? w.sub : w.add).localSet(w.r);
    f.localGet(w.r);
    w.zero();
    f.op(w.ltS).i32Const(3).op(Op.i32_shl).localGet(w.r).op(w.eqz).i32Const(2).op(Op.i32_shl).op(Op.i32_or);
    if (kind !== 'logic') {
      if (kind === 'sub') f.localGet(w.a).localGet(w.b).op(w.geU);
      else f.localGet(w.r).localGet(w.a).op(w.ltU);
      f.i32Const(1).op(Op.i32_shl).op(Op.i32_or);
      f.localGet(w.a).localGet(w.b).op(w.xor);
      if (kind === 'add') {
        w.ones();
        f.op(w.xor);
      }
      f.localGet(w.a).localGet(w.r).op(w.xor).op(w.and);
      w.zero();
      f.op(w.ltS).op(Op.i32_or);
    }
    f.localSet(res);
    if (!last) f.br(1).end();
  };
  f.block(VOID_BLOCK); // $done
  flagCase(FlagOp.Logic64, w64, 'logic', false);
  flagCase(FlagOp.Logic32, w32, 'logic', false);
  flagCase(FlagOp.Sub64, w64, 'sub', false);
  flagCase(FlagOp.Sub32, w32, 'sub', false);
  flagCase(FlagOp.Add64, w64, 'add', false);
  flagCase(FlagOp.Add32, w32, 'add', true);
  f.end();
  f.localGet(st).localGet(res).mem(MemOp.i32_store, St.NZCV);
  f.localGet(st).i32Const(0).mem(MemOp.i32_store, St.FLAG_OP);
  f.localGet(res);
}
