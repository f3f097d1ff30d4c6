/**
 * The lane loops of the element-wise AdvSIMD integer forms: one handler factory per shape, taking the lane
 * operation, the element size, the signedness and the lane count at table-build time. A vector form with Q = 0 has
 * half the lanes and clears the upper 64 bits of Vd; a scalar form is one lane and clears the rest of Vd.
 *
 * Element-wise results may be written in place: lane e of Vd depends only on lane e of the sources.
 */
import type { Handler } from '../decode.js';
import { clearAbove } from '../fpsimd/vregs.js';
import type { BigOp, NumOp } from './simd-int-lane-ops.js';
import { flushQc, lanes, rd, rm, rn } from './simd-int-common.js';

/** Lane count and bytes written of a form: `q` = 1 (128-bit), 0 (64-bit) or -1 (scalar, one lane). */
export function shape(size: number, q: number): { count: number; bytes: number } {
  if (q < 0) return { count: 1, bytes: 1 << size };
  return { count: (q ? 16 : 8) >> size, bytes: q ? 16 : 8 };
}

/** Vd[e] = op(Vn[e], Vm[e], Vd[e]) on Number lanes. */
export function loop3(size: number, unsigned: boolean, q: number, op: NumOp): Handler {
  const { count, bytes } = shape(size, q);
  const per = 16 >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const d = rd(insn) * per;
    const n = rn(insn) * per;
    const m = rm(insn) * per;
    for (let e = 0; e < count; e++) v[d + e] = op(v[n + e]!, v[m + e]!, v[d + e]!);
    if (bytes < 16) clearAbove(vr, rd(insn), bytes);
    flushQc(cpu);
  };
}

/** Vd[e] = op(Vn[e], Vm[e], Vd[e]) on 64-bit lanes. */
export function loop3Big(unsigned: boolean, q: number, op: BigOp): Handler {
  const count = q ? 2 : 1;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = unsigned ? vr.u64 : vr.i64;
    const d = rd(insn) * 2;
    const n = rn(insn) * 2;
    const m = rm(insn) * 2;
    for (let e = 0; e < count; e++) v[d + e] = op(v[n + e]!, v[m + e]!, v[d + e]!);
    if (count === 1) clearAbove(vr, rd(insn), 8);
    flushQc(cpu);
  };
}

/** Vd[e] = op(Vn[e], imm, Vd[e]) on Number lanes (two-register and shift-by-immediate forms). */
export function loop2(size: number, unsigned: boolean, q: number, op: NumOp, imm = 0): Handler {
  const { count, bytes } = shape(size, q);
  const per = 16 >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const d = rd(insn) * per;
    const n = rn(insn) * per;
    for (let e = 0; e < count; e++) v[d + e] = op(v[n + e]!, imm, v[d + e]!);
    if (bytes < 16) clearAbove(vr, rd(insn), bytes);
    flushQc(cpu);
  };
}

/** Vd[e] = op(Vn[e], imm, Vd[e]) on 64-bit lanes; `dUnsigned` is the view of Vd when it differs from Vn's. */
export function loop2Big(unsigned: boolean, q: number, op: BigOp, imm = 0n, dUnsigned = unsigned): Handler {
  const count = q ? 2 : 1;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = unsigned ? vr.u64 : vr.i64;
    const w = dUnsigned ? vr.u64 : vr.i64;
    const d = rd(insn) * 2;
    const n = rn(insn) * 2;
    for (let e = 0; e < count; e++) w[d + e] = op(v[n + e]!, imm, w[d + e]!);
    if (count === 1) clearAbove(vr, rd(insn), 8);
    flushQc(cpu);
  };
}

/** As {@link loop2} with Vd read and written through a view of the other signedness (SUQADD, USQADD, SQSHLU). */
export function loop2Mixed(size: number, unsigned: boolean, q: number, op: NumOp, imm = 0): Handler {
  const { count, bytes } = shape(size, q);
  const per = 16 >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const v = lanes(vr, size, !unsigned);
    const w = lanes(vr, size, unsigned);
    const d = rd(insn) * per;
    const n = rn(insn) * per;
    for (let e = 0; e < count; e++) w[d + e] = op(v[n + e]!, imm, w[d + e]!);
    if (bytes < 16) clearAbove(vr, rd(insn), bytes);
    flushQc(cpu);
  };
}
