/**
 * AdvSIMD shifts by immediate as specifications over the registers' 64-bit halves (lanes packed in a half:
 * spec/simd-lanes.ts): SSHR, USHR and SHL (vector, and scalar of a doubleword), SHRN/SHRN2 and SSHLL/USHLL(2) (so
 * SXTL/UXTL). Each row has the element size's immh marker and Q fixed, as the handler rows it replaces
 * (insn/simd-shift-imm.ts): one row per encoding. The element size is 8 << size; the field `sh` is immh:immb without
 * the marker bit, so a right shift is by esize - sh (1..esize) and a left shift by sh (0..esize-1).
 */
import type { Sem } from './sem.js';
import { laneBits, replicate, subLanes } from './simd-lanes.js';
import { insn, type AnyInsnSpec } from './spec.js';

interface Shift { readonly d: number; readonly n: number; readonly sh: number }

const ALL = 0xffff_ffff_ffff_ffffn;
const bin = (v: number, w: number): string => v.toString(2).padStart(w, '0');
/** immh:immb for elements of 2^size bytes: the marker bit, then the field sh. */
const imm = (size: number): string => `${'0'.repeat(3 - size)}1 sh:${3 + size}`;

/** A vector row `0 Q U 011110 immh immb opcode 1 Rn Rd`, or the scalar one `01 U 111110 ...` (q < 0). */
function shiftRow(name: string, q: number, u: number, size: number, opcode: number,
  exec: <V, B>(s: Sem<V, B>, a: Shift) => void): AnyInsnSpec {
  const top = q < 0 ? `01 ${u} 111110` : `0 ${q} ${u} 011110`;
  return insn<'sh' | 'Rn' | 'Rd', Shift>(name, `${top} ${imm(size)} ${bin(opcode, 5)} 1 Rn:5 Rd:5`,
    (f) => ({ d: f.Rd, n: f.Rn, sh: f.sh }), (s, a) => {
      s.fpCheck();
      exec(s, a);
    }, { fp: true });
}

/** Each lane of a half (2^size bytes) shifted right by r (1..e) logically. */
function ushr<V, B>(s: Sem<V, B>, x: V, size: number, r: number): V {
  const e = laneBits(size);
  if (r === e) return s.c(0n);
  const t = s.shift(1, x, r, 64);
  return size === 3 ? t : s.and(t, s.c(replicate(size, (1n << BigInt(e - r)) - 1n)));
}

/** Each lane of a half shifted right by r (1..e) arithmetically: logically, then sign-extended from bit e - 1 - r. */
function sshr<V, B>(s: Sem<V, B>, x: V, size: number, r: number): V {
  const e = laneBits(size);
  const k = Math.min(r, e - 1); // by e: every bit the sign, as by e - 1
  if (size === 3) return s.shift(2, x, k, 64);
  return signExtend(s, ushr(s, x, size, k), size, e - k);
}

/** Each lane (2^size bytes) of a half, holding a `bits`-bit value zero-extended, sign-extended: (v ^ m) - m, m its top bit. */
function signExtend<V, B>(s: Sem<V, B>, v: V, size: number, bits: number): V {
  if (bits === laneBits(size)) return v;
  const m = s.c(replicate(size, 1n << BigInt(bits - 1)));
  return subLanes(s, s.xor(v, m), m, size);
}

/** Each lane of a half shifted left by l (0..e-1). */
function shl<V, B>(s: Sem<V, B>, x: V, size: number, l: number): V {
  if (l === 0) return x;
  const t = s.shift(0, x, l, 64);
  const e = laneBits(size);
  return size === 3 ? t : s.and(t, s.c(replicate(size, ((1n << BigInt(e)) - 1n) & (ALL << BigInt(l)))));
}

/** Vd's halves computed from Vn's same half each (q = 0: the top half cleared; q < 0, a scalar: the same). */
function perHalf<V, B>(s: Sem<V, B>, a: Shift, q: number, op: (x: V) => V): void {
  const lo = s.let(op(s.vget(a.n, 0)));
  const hi = q > 0 ? s.let(op(s.vget(a.n, 1))) : s.c(0n);
  s.vset(a.d, 0, lo);
  s.vset(a.d, 1, hi);
}

/** The byte positions (in hi:lo) of the low 2^size bytes of each lane of 2^(size + 1) bytes: the narrowing gather. */
function narrowPerm(size: number): number[] {
  const n = 1 << size;
  return Array.from({ length: 8 }, (_, k) => 2 * n * Math.floor(k / n) + (k % n));
}

/** The byte positions widening the bytes [4 * part, 4 * part + 3] of lo into lanes of 2^(size + 1) bytes (8: a zero byte of hi). */
function widenPerm(size: number, part: number): number[] {
  const n = 1 << size;
  return Array.from({ length: 8 }, (_, k) => (k % (2 * n) < n ? 4 * part + n * Math.floor(k / (2 * n)) + (k % (2 * n)) : 8));
}

function rows(): AnyInsnSpec[] {
  const out: AnyInsnSpec[] = [];
  for (const size of [0, 1, 2, 3]) {
    const e = laneBits(size);
    for (const q of size === 3 ? [1, -1] : [0, 1]) {
      const suffix = q < 0 ? ' (scalar)' : '';
      out.push(shiftRow(`SSHR${suffix}`, q, 0, size, 0b00000, (s, a) => perHalf(s, a, q, (x) => sshr(s, x, size, e - a.sh))));
      out.push(shiftRow(`USHR${suffix}`, q, 1, size, 0b00000, (s, a) => perHalf(s, a, q, (x) => ushr(s, x, size, e - a.sh))));
      out.push(shiftRow(`SHL${suffix}`, q, 0, size, 0b01010, (s, a) => perHalf(s, a, q, (x) => shl(s, x, size, a.sh))));
    }
  }
  for (const size of [0, 1, 2]) {
    const e = laneBits(size);
    for (const q of [0, 1]) {
      // SHRN(2): each source lane of 2e bits shifted right by e - sh (1..e), its low e bits into lane i of a half.
      out.push(shiftRow('SHRN', q, 0, size, 0b10000, (s, a) => {
        const r = e - a.sh;
        const t0 = s.shift(1, s.vget(a.n, 0), r, 64);
        const t1 = s.shift(1, s.vget(a.n, 1), r, 64);
        const v = s.let(s.bytes(t0, t1, narrowPerm(size)));
        if (q === 0) s.vset(a.d, 0, v);
        s.vset(a.d, 1, q === 0 ? s.c(0n) : v);
      }));
      // SSHLL(2)/USHLL(2): the lanes of Vn's half q widened to 2e bits, shifted left by sh (< e, so no bit leaves a lane).
      for (const u of [0, 1]) {
        out.push(shiftRow(u ? 'USHLL' : 'SSHLL', q, u, size, 0b10100, (s, a) => {
          const src = s.let(s.vget(a.n, q as 0 | 1));
          const part = (p: number) => {
            const wide = s.shift(0, s.bytes(src, s.c(0n), widenPerm(size, p)), a.sh, 64);
            return s.let(u ? wide : signExtend(s, wide, size + 1, e + a.sh));
          };
          const lo = part(0);
          const hi = part(1);
          s.vset(a.d, 0, lo);
          s.vset(a.d, 1, hi);
        }));
      }
    }
  }
  return out;
}

/** The rows (each replaces the handler row of the same encoding: insn/simd-fp-table.ts). */
export const SIMD_SHIFT_SPECS: readonly AnyInsnSpec[] = rows();
