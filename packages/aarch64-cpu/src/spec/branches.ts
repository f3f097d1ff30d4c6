/**
 * The branches that end a block, as specifications (spec/spec.ts): B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ (direct:
 * PC-relative targets) and BR, BLR, RET (register targets). insn/branches-exceptions-system.ts puts them in the
 * decode table. The link register is written after the branch (spec/sem.ts's rule; the branch takes effect when
 * the instruction ends), and a register target is read before it, so BLR X30 branches to the old X30.
 */
import type { Sem } from './sem.js';
import { insn, widthOf, type AnyInsnSpec } from './spec.js';

/** SignExtend(imm, bits) * 4, as an unsigned 64-bit offset. */
const offset = (imm: number, bits: number): bigint => BigInt.asUintN(64, BigInt(((imm << (32 - bits)) >> (32 - bits)) * 4));

/** PC + offset. */
const target = <V, B>(s: Sem<V, B>, off: bigint): V => s.add(s.pc(), s.c(off), 64);

const B = insn<'imm26', { off: bigint }>('B', '000101 imm26:26', (f) => ({ off: offset(f.imm26, 26) }),
  (s, a) => s.branch(target(s, a.off)), { branch: true });

const BL = insn<'imm26', { off: bigint }>('BL', '100101 imm26:26', (f) => ({ off: offset(f.imm26, 26) }),
  (s, a) => {
    s.branch(target(s, a.off));
    s.setX(30, s.add(s.pc(), s.c(4n), 64), 64);
  }, { branch: true });

const B_COND = insn<'imm19' | 'cond', { off: bigint; cond: number }>('B.cond', '0101010 0 imm19:19 0 cond:4',
  (f) => ({ off: offset(f.imm19, 19), cond: f.cond }),
  (s, a) => s.branchIf(s.cond(a.cond), target(s, a.off)), { branch: true });

const CBZ = insn<'sf' | 'op' | 'imm19' | 'Rt', { w: 32 | 64; nonZero: boolean; off: bigint; t: number }>(
  'CBZ/CBNZ', 'sf:1 011010 op:1 imm19:19 Rt:5',
  (f) => ({ w: widthOf(f.sf), nonZero: f.op !== 0, off: offset(f.imm19, 19), t: f.Rt }),
  (s, a) => {
    const v = s.zext(s.x(a.t), a.w);
    s.branchIf(a.nonZero ? s.ne(v, s.c(0n)) : s.eq(v, s.c(0n)), target(s, a.off));
  }, { branch: true });

const TBZ = insn<'b5' | 'op' | 'b40' | 'imm14' | 'Rt', { bit: number; nonZero: boolean; off: bigint; t: number }>(
  'TBZ/TBNZ', 'b5:1 011011 op:1 b40:5 imm14:14 Rt:5',
  (f) => ({ bit: (f.b5 << 5) | f.b40, nonZero: f.op !== 0, off: offset(f.imm14, 14), t: f.Rt }),
  (s, a) => {
    const v = s.and(s.shift(1, s.x(a.t), a.bit, 64), s.c(1n));
    s.branchIf(a.nonZero ? s.ne(v, s.c(0n)) : s.eq(v, s.c(0n)), target(s, a.off));
  }, { branch: true });

const register = (name: string, opc: string, link: boolean): AnyInsnSpec =>
  insn<'Rn', { n: number }>(name, `1101011 ${opc} 11111 000000 Rn:5 00000`, (f) => ({ n: f.Rn }),
    (s, a) => {
      s.branch(s.let(s.x(a.n)));
      if (link) s.setX(30, s.add(s.pc(), s.c(4n), 64), 64);
    }, { branch: true });

/** The rows in the decode table's order (insn/branches-exceptions-system.ts). */
export const BRANCH_SPECS = {
  direct: [B, BL, B_COND, CBZ, TBZ],
  register: [register('BR', '0000', false), register('BLR', '0001', true), register('RET', '0010', false)],
};
