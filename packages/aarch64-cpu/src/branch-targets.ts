/**
 * The fixed target of a direct branch (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ), for the translators that end blocks with
 * one (handler-block.ts, wasm-jit/translate-branch.ts, wasm-jit/tier.ts). One place decodes the offsets.
 */

/** Whether the instruction at `w` is a conditional direct branch (B.cond with a condition below 14, CBZ/CBNZ, TBZ/TBNZ). */
export function isConditionalBranch(w: number): boolean {
  if ((w & 0xff000010) >>> 0 === 0x54000000) return (w & 0xf) < 14;
  return (w & 0x7e000000) === 0x34000000 || (w & 0x7e000000) === 0x36000000;
}

/**
 * The target of the direct branch `w` at `pc`, or undefined when `w` is not one, or when the target's bits [63:55]
 * are not all equal (AArch64.BranchAddr's TBI rule then applies: the handler's job).
 */
export function directBranchTarget(w: number, pc: bigint): bigint | undefined {
  let off: number;
  if ((w & 0x7c000000) === 0x14000000) off = ((w & 0x3ffffff) << 6) >> 4; // B, BL: imm26
  else if ((w & 0xff000010) >>> 0 === 0x54000000 || (w & 0x7e000000) === 0x34000000) {
    off = (((w >>> 5) & 0x7ffff) << 13) >> 11; // B.cond, CBZ/CBNZ: imm19
  } else if ((w & 0x7e000000) === 0x36000000) off = (((w >>> 5) & 0x3fff) << 18) >> 16; // TBZ/TBNZ: imm14
  else return undefined;
  const t = BigInt.asUintN(64, pc + BigInt(off));
  const top = t >> 55n;
  return top === 0n || top === 0x1ffn ? t : undefined;
}
