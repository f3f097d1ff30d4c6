/**
 * AdvSIMD copy and AdvSIMD scalar copy (Arm ARM C4.1.96): `0 Q op 01110000 imm5 0 imm4 1 Rn Rd` — DUP (element),
 * DUP (general), INS (general), SMOV, UMOV, INS (element) — and `01 0 11110000 imm5 0 0000 1 Rn Rd`, DUP (element,
 * scalar; MOV). The element size is the lowest set bit of imm5 (imm5 = x0000 is reserved) and the index the bits
 * above it. Rows are per (form, size, Q) with imm5's size bits fixed, so reserved combinations (DUP of D lanes with
 * Q = 0, SMOV to W of S lanes, UMOV to X of other than D, INS with Q = 0, ...) match no row.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove, type VRegs } from '../fpsimd/vregs.js';
import { rd, rn } from './simd-int-common.js';

/** imm5 patterns for element sizes B, H, S, D. */
const IMM5 = ['xxxx1', 'xxx10', 'xx100', 'x1000'];

/** Lane `e` of Vn (2^size bytes) as an unsigned BigInt. */
function getLane(vr: VRegs, n: number, size: number, e: number): bigint {
  switch (size) {
    case 0: return BigInt(vr.u8[n * 16 + e]!);
    case 1: return BigInt(vr.u16[n * 8 + e]!);
    case 2: return BigInt(vr.u32[n * 4 + e]!);
    default: return vr.u64[n * 2 + e]!;
  }
}

/** DUP (element), vector (q = 0, 1) or scalar (q = -1): Vn[imm5 index] into every lane (or lane 0) of Vd. */
function dupElement(size: number, q: number): Handler {
  const count = q < 0 ? 1 : (q ? 16 : 8) >> size;
  const bytes = q < 0 ? 1 << size : q ? 16 : 8;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const idx = (insn >>> (17 + size)) & (15 >> size);
    const n = rn(insn);
    const d = rd(insn);
    switch (size) {
      case 0: { const x = vr.u8[n * 16 + idx]!; vr.u8.fill(x, d * 16, d * 16 + count); break; }
      case 1: { const x = vr.u16[n * 8 + idx]!; vr.u16.fill(x, d * 8, d * 8 + count); break; }
      case 2: { const x = vr.u32[n * 4 + idx]!; vr.u32.fill(x, d * 4, d * 4 + count); break; }
      default: { const x = vr.u64[n * 2 + idx]!; vr.u64.fill(x, d * 2, d * 2 + count); }
    }
    if (bytes < 16) clearAbove(vr, d, bytes);
  };
}

/** DUP (general): the low 2^size bytes of Xn (XZR for 31) into every lane. */
function dupGeneral(size: number, q: number): Handler {
  const count = (q ? 16 : 8) >> size;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const x = cpu.x[rn(insn)]!;
    const d = rd(insn);
    switch (size) {
      case 0: vr.u8.fill(Number(x & 0xffn), d * 16, d * 16 + count); break;
      case 1: vr.u16.fill(Number(x & 0xffffn), d * 8, d * 8 + count); break;
      case 2: vr.u32.fill(Number(x & 0xffff_ffffn), d * 4, d * 4 + count); break;
      default: vr.u64.fill(x, d * 2, d * 2 + count);
    }
    if (!q) clearAbove(vr, d, 8);
  };
}

/** Set lane `e` of Vd (2^size bytes) to the low bits of `x`. */
function setLane(vr: VRegs, d: number, size: number, e: number, x: bigint): void {
  switch (size) {
    case 0: vr.u8[d * 16 + e] = Number(x & 0xffn); break;
    case 1: vr.u16[d * 8 + e] = Number(x & 0xffffn); break;
    case 2: vr.u32[d * 4 + e] = Number(x & 0xffff_ffffn); break;
    default: vr.u64[d * 2 + e] = x;
  }
}

/** INS (general): Vd[imm5 index] = Xn; the other lanes are kept. */
function insGeneral(size: number): Handler {
  return (cpu, insn) => {
    setLane(cpu.vr, rd(insn), size, (insn >>> (17 + size)) & (15 >> size), cpu.x[rn(insn)]!);
  };
}

/** INS (element): Vd[imm5 index] = Vn[imm4 index]. */
function insElement(size: number): Handler {
  return (cpu, insn) => {
    const src = getLane(cpu.vr, rn(insn), size, ((insn >>> 11) & 15) >> size);
    setLane(cpu.vr, rd(insn), size, (insn >>> (17 + size)) & (15 >> size), src);
  };
}

/** UMOV (signed = false) / SMOV: Vn[index] zero- or sign-extended into Wd (q = 0) or Xd (q = 1); Rd = 31 is XZR. */
function mov(size: number, q: number, signed: boolean): Handler {
  const bitsN = BigInt(8 << size);
  return (cpu, insn) => {
    let v = getLane(cpu.vr, rn(insn), size, (insn >>> (17 + size)) & (15 >> size));
    if (signed) v = BigInt.asIntN(Number(bitsN), v);
    cpu.setXr(rd(insn), q ? BigInt.asUintN(64, v) : BigInt.asUintN(32, v));
  };
}

const pat = (q: number | string, op: number, size: number, imm4: string): string =>
  `0${q}${op}01110000 ${IMM5[size]} 0${imm4}1 xxxxx xxxxx`;

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (let size = 0; size < 4; size++) {
    for (const q of size === 3 ? [1] : [0, 1]) {
      rows.push(fpRow('DUP (element)', pat(q, 0, size, '0000'), dupElement(size, q)));
      rows.push(fpRow('DUP (general)', pat(q, 0, size, '0001'), dupGeneral(size, q)));
    }
    rows.push(fpRow('INS (general)', pat(1, 0, size, '0011'), insGeneral(size)));
    rows.push(fpRow('INS (element)', pat(1, 1, size, 'xxxx'), insElement(size)));
    rows.push(fpRow('DUP (element, scalar)', `01011110000 ${IMM5[size]} 000001 xxxxx xxxxx`, dupElement(size, -1)));
    if (size < 2) rows.push(fpRow('SMOV (32-bit)', pat(0, 0, size, '0101'), mov(size, 0, true)));
    if (size < 3) rows.push(fpRow('SMOV (64-bit)', pat(1, 0, size, '0101'), mov(size, 1, true)));
    if (size < 3) rows.push(fpRow('UMOV (32-bit)', pat(0, 0, size, '0111'), mov(size, 0, false)));
  }
  rows.push(fpRow('UMOV (64-bit)', pat(1, 0, 3, '0111'), mov(3, 1, false)));
  return rows;
}

/** The rows of AdvSIMD (scalar) copy. */
export const SIMD_COPY: readonly EncodingRow[] = buildRows();
