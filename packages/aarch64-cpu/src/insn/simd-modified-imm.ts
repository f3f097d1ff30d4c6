/**
 * AdvSIMD modified immediate (Arm ARM C4.1.96, `0 Q op 0111100000 a b c cmode o2 1 d e f g h Rd`): MOVI, MVNI,
 * ORR (vector, immediate), BIC (vector, immediate) and the FMOV (vector, immediate) forms, which are plain bit
 * patterns (single, double, and half precision: o2 = 1, FEAT_FP16). The immediate is AdvSIMDExpandImm(op, cmode,
 * abcdefgh), a 64-bit pattern repeated over the register (Q = 0 writes 64 bits and clears the rest). Unallocated:
 * FMOV double with Q = 0 (op = 1, cmode = 1111) and o2 = 1 with anything but op = 0, cmode = 1111.
 */
import type { EncodingRow, Handler } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';
import { clearAbove } from '../fpsimd/vregs.js';
import { bits, rd } from './simd-int-common.js';

/**
 * AdvSIMDExpandImm for the fixed `op`, `cmode` (and o2 for the half-precision FMOV): the 64-bit pattern's low and
 * high 32 bits into out[at] and out[at + 1].
 */
function expand(op: number, cmode: number, half: boolean, imm8: number, out: Uint32Array, at: number): void {
  const a = imm8 >> 7;
  const b = (imm8 >> 6) & 1;
  const low6 = imm8 & 0x3f;
  let w: number;
  if (half) {
    const h = (a << 15) | ((b ^ 1) << 14) | ((b ? 3 : 0) << 12) | (low6 << 6);
    w = (h | (h << 16)) >>> 0;
  } else {
    switch (cmode >> 1) {
      case 0: w = imm8; break;
      case 1: w = imm8 << 8; break;
      case 2: w = imm8 << 16; break;
      case 3: w = (imm8 << 24) >>> 0; break;
      case 4: w = imm8 | (imm8 << 16); break;
      case 5: w = ((imm8 << 8) | (imm8 << 24)) >>> 0; break;
      case 6: w = (cmode & 1) === 0 ? (imm8 << 8) | 0xff : (imm8 << 16) | 0xffff; break;
      default:
        if ((cmode & 1) === 0) {
          if (op === 0) {
            w = imm8 * 0x0101_0101;
          } else {
            // Each bit of imm8 becomes a byte of ones or zeros.
            let lo = 0;
            let hi = 0;
            for (let i = 0; i < 4; i++) {
              if (((imm8 >> i) & 1) !== 0) lo |= 0xff << (8 * i);
              if (((imm8 >> (i + 4)) & 1) !== 0) hi |= 0xff << (8 * i);
            }
            out[at] = lo >>> 0;
            out[at + 1] = hi >>> 0;
            return;
          }
        } else if (op === 0) {
          // Single precision: a:NOT(b):bbbbb:cdefgh:Zeros(19).
          w = ((a << 31) | ((b ^ 1) << 30) | ((b ? 0x1f : 0) << 25) | (low6 << 19)) >>> 0;
        } else {
          // Double precision: a:NOT(b):bbbbbbbb:cdefgh:Zeros(48).
          out[at] = 0;
          out[at + 1] = ((a << 31) | ((b ^ 1) << 30) | ((b ? 0xff : 0) << 22) | (low6 << 16)) >>> 0;
          return;
        }
    }
  }
  out[at] = w >>> 0;
  out[at + 1] = w >>> 0;
}

const enum Action { Move, MoveNot, Orr, Bic }

function handler(q: number, op: number, cmode: number, half: boolean, action: Action): Handler {
  const words = q ? 4 : 2;
  // Every imm8's expansion, made when the table is built: [lo, hi] at 2 * imm8.
  const expanded = new Uint32Array(512);
  for (let imm8 = 0; imm8 < 256; imm8++) expand(op, cmode, half, imm8, expanded, 2 * imm8);
  return (cpu, insn) => {
    const at = 2 * ((((insn >>> 16) & 7) << 5) | ((insn >>> 5) & 31));
    const w = cpu.vr.u32;
    const d = rd(insn);
    for (let i = 0; i < words; i++) {
      const imm = expanded[at + (i & 1)]!;
      switch (action) {
        case Action.Move: w[d * 4 + i] = imm; break;
        case Action.MoveNot: w[d * 4 + i] = ~imm; break;
        case Action.Orr: w[d * 4 + i] = w[d * 4 + i]! | imm; break;
        default: w[d * 4 + i] = w[d * 4 + i]! & ~imm;
      }
    }
    if (!q) clearAbove(cpu.vr, d, 8);
  };
}

/** The action and name of (op, cmode), o2 = 0; undefined when unallocated (for the given Q). */
function classify(q: number, op: number, cmode: number): [string, Action] | undefined {
  if (cmode < 8 || (cmode >> 1) === 4 || (cmode >> 1) === 5) {
    if ((cmode & 1) === 0) return op ? ['MVNI', Action.MoveNot] : ['MOVI', Action.Move];
    return op ? ['BIC (vector, immediate)', Action.Bic] : ['ORR (vector, immediate)', Action.Orr];
  }
  if ((cmode >> 1) === 6) return op ? ['MVNI', Action.MoveNot] : ['MOVI', Action.Move];
  if (cmode === 0b1110) return ['MOVI', Action.Move];
  if (op === 0) return ['FMOV (vector, immediate, single)', Action.Move];
  return q ? ['FMOV (vector, immediate, double)', Action.Move] : undefined;
}

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const q of [0, 1]) {
    for (const op of [0, 1]) {
      for (let cmode = 0; cmode < 16; cmode++) {
        const c = classify(q, op, cmode);
        if (c === undefined) continue;
        rows.push(fpRow(c[0], `0${q}${op}0111100000 xxx ${bits(cmode, 4)} 01 xxxxx xxxxx`, handler(q, op, cmode, false, c[1])));
      }
    }
    rows.push(fpRow('FMOV (vector, immediate, half)', `0${q}00111100000 xxx 1111 11 xxxxx xxxxx`, handler(q, 0, 15, true, Action.Move)));
  }
  return rows;
}

/** The rows of AdvSIMD modified immediate. */
export const SIMD_MODIFIED_IMMEDIATE: readonly EncodingRow[] = buildRows();
