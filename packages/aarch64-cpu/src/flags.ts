/**
 * Lazy condition flags for translated code (jit.ts). A flag-setting instruction inlined in a block does not compute
 * NZCV: it records what produced them, a {@link FlagOp} in `cpu.flagOp` and its operands in `cpu.flagArgs`, and the
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

/** NZCV (N=8, Z=4, C=2, V=1) of a pending flag operation. */
export function nzcvOf(op: number, a: bigint, b: bigint): number {
  const bits = op === FlagOp.Sub64 || op === FlagOp.Add64 || op === FlagOp.Logic64 ? 64 : 32;
  const top = BigInt(bits - 1);
  const sign = (v: bigint): bigint => (v >> top) & 1n;
  if (op === FlagOp.Logic64 || op === FlagOp.Logic32) {
    const r = BigInt.asUintN(bits, a);
    return (Number(sign(r)) << 3) | (r === 0n ? 4 : 0);
  }
  const sub = op === FlagOp.Sub64 || op === FlagOp.Sub32;
  // AddWithCarry(a, b, 0) or AddWithCarry(a, NOT(b), 1).
  const y = sub ? BigInt.asUintN(bits, ~b) : b;
  const sum = a + y + (sub ? 1n : 0n);
  const r = BigInt.asUintN(bits, sum);
  const c = sum !== r ? 1 : 0;
  const v = sign(a) === sign(y) && sign(r) !== sign(a) ? 1 : 0;
  return (Number(sign(r)) << 3) | (r === 0n ? 4 : 0) | (c << 1) | v;
}
