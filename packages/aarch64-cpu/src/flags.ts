/**
 * Lazy condition flags, for translated code (the WebAssembly tier, wasm-jit/) and the interpreter (the specification's
 * flagsAdd/flagsSub/flagsLogic, spec/interp-sem.ts). A flag-setting instruction does not compute NZCV: it records what produced them, a {@link FlagOp} in `cpu.flagOp` and its operands in `cpu.flagArgs`, and the
 * flags are computed when something reads `cpu.nzcv` (a handler, a conditional branch in another block, an
 * exception entry saving PSTATE). Most flag results are overwritten before anything reads them, and a conditional
 * branch right after its compare tests the operands directly. Measured: the NZCV of a 64-bit SUBS as four signed
 * BigInt comparisons cost about 3 ns per instruction more than recording it (docs/performance.md).
 */

/** What produced the pending flags (`cpu.flagOp`); 0: none pending, `cpu.nzcv` holds them. */
export const FlagOp = {
  None: 0,
  /** SUBS/CMP: operands a, b (zero-extended, already truncated to the width). */
  Sub64: 1,
  Sub32: 2,
  /** ADDS/CMN: operands a, b. */
  Add64: 3,
  Add32: 4,
  /** ANDS/BICS/TST: the result in args[0]; C = V = 0. */
  Logic64: 5,
  Logic32: 6,
} as const;

/**
 * NZCV (N=8, Z=4, C=2, V=1) of a pending flag operation whose operands are given as unsigned 32-bit halves (the
 * state block's words): Number arithmetic only, since BigInt shifts, masks and unsigned comparisons of 64-bit
 * values are slow generic code in V8 (docs/performance.md). A 64-bit sum or difference is formed from the halves
 * with the carry or borrow between them.
 */
export function nzcvOfHalves(op: number, al: number, ah: number, bl: number, bh: number): number {
  let rl: number;
  let rh: number;
  let c: number;
  let v: number;
  switch (op) {
    case FlagOp.Logic32:
      return ((al >>> 31) << 3) | (al === 0 ? 4 : 0);
    case FlagOp.Logic64:
      return ((ah >>> 31) << 3) | ((al | ah) === 0 ? 4 : 0);
    case FlagOp.Add32: {
      const sum = al + bl;
      rl = sum >>> 0;
      return ((rl >>> 31) << 3) | (rl === 0 ? 4 : 0) | (sum > 0xffff_ffff ? 2 : 0) | (((al ^ rl) & (bl ^ rl)) >>> 31);
    }
    case FlagOp.Sub32:
      rl = (al - bl) >>> 0;
      return ((rl >>> 31) << 3) | (rl === 0 ? 4 : 0) | (al >= bl ? 2 : 0) | (((al ^ bl) & (al ^ rl)) >>> 31);
    case FlagOp.Add64: {
      const lo = al + bl;
      const hi = ah + bh + (lo > 0xffff_ffff ? 1 : 0);
      rl = lo >>> 0;
      rh = hi >>> 0;
      c = hi > 0xffff_ffff ? 1 : 0;
      v = ((ah ^ rh) & (bh ^ rh)) >>> 31;
      break;
    }
    case FlagOp.Sub64: {
      const lo = al - bl;
      const hi = ah - bh - (lo < 0 ? 1 : 0);
      rl = lo >>> 0;
      rh = hi >>> 0;
      c = hi >= 0 ? 1 : 0; // no borrow out
      v = ((ah ^ bh) & (ah ^ rh)) >>> 31;
      break;
    }
    default:
      throw new Error(`no pending flag operation ${op}`);
  }
  return ((rh >>> 31) << 3) | ((rl | rh) === 0 ? 4 : 0) | (c << 1) | v;
}

/** NZCV of a pending flag operation with BigInt operands (zero-extended, already truncated to the width). */
export function nzcvOf(op: number, a: bigint, b: bigint): number {
  return nzcvOfHalves(op, Number(BigInt.asUintN(32, a)), Number(a >> 32n), Number(BigInt.asUintN(32, b)),
    Number(b >> 32n));
}
