// SIMD&FP data processing in WebAssembly blocks (aarch64-cpu spec/simd-crypto-aes.ts, spec/simd-int.ts,
// spec/simd-moves.ts, emitted inline by the tier's spec-wasm.ts) against the interpreter (the same specifications
// run by spec/interp-sem.ts, which the QEMU vectors check): AESE/AESD/AESMC/AESIMC, the vector logical operations,
// ADD/SUB/CMEQ/CMTST (vector), CMEQ (zero), UMAXV/UMINV/SMAXV/SMINV, FMOV (general), INS/DUP (general) and UMOV,
// with every field random (reserved sizes and imm5 values included: UNDEFINED), mixed with integer instructions and
// SIMD&FP rows that stay handler calls, and CPACR_EL1.FPEN / CPTR_EL2.TFP settings that trap; and FADD/FSUB/FMUL of
// singles and doubles and FDIV (spec/fp-arith.ts: native arithmetic inline where exact, else the exact library) on values
// that include NaNs, infinities, denormals, zeros and the fast path's window edges, under every FPCR mode; and the
// fused multiply-adds of doubles (FMLA/FMLS 2D, FMADD/FMSUB/FNMADD/FNMSUB: spec/fp-arith.ts fpMulAdd), the scalar
// FP moves (FMOV (register), FABS, FNEG, FCSEL, FMOV (scalar, immediate): spec/fp-moves.ts), FCMP/FCMPE (spec/fp-compare.ts)
// SCVTF/UCVTF (scalar, integer; spec/fp-int-convert.ts) with integers at the edges of the exact windows, and the shifts
// by immediate (SSHR, USHR, SHL, SHRN, SSHLL, USHLL: spec/simd-shift.ts) with every shift amount. X and all
// 32 V registers, FPSR, PC and the exception registers must agree, and most of the instructions must be inline.
import { CPTR, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, stateOf, type Engine } from './arena-test-env.js';
import { B_SELF, rng } from './random-code.js';
import { RAM_BASE } from './test-env.js';

const FPEN_SHIFT = 20n;

/** A random word of the specified SIMD&FP rows (or, now and then, another instruction). */
function word(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const d = int(32);
  const n = int(32);
  const m = int(32);
  const q = int(2);
  const size = int(4);
  const rn = (n << 5) | d;
  const imm5 = r() < 0.9 ? (1 + 2 * int(16)) << int(4) & 31 : int(32); // mostly a valid size marker
  if (r() < 0.1) { // FMOV (register), FABS, FNEG, FCSEL, FMOV (scalar, immediate); S, D, H (10 now and then); ADDS for flags
    const ftype = [0, 1, 3, 2][int(r() < 0.97 ? 3 : 4)]!;
    switch (int(4)) {
      case 0: return (0x1e20_4000 | (ftype << 22) | (int(3) << 15) | rn) >>> 0;
      case 1: return (0x1e20_0c00 | (ftype << 22) | (m << 16) | (int(16) << 12) | rn) >>> 0;
      case 2: return (0x1e20_1000 | (ftype << 22) | (int(256) << 13) | d) >>> 0;
      default: return (0xb100_0000 | (int(4096) << 10) | ((20 + int(4)) << 5) | (20 + int(4))) >>> 0;
    }
  }
  if (r() < 0.12) { // FCMP/FCMPE (register, zero) of S/D (H now and then); SCVTF/UCVTF (scalar, integer) from W/X to S/D (H now and then)
    const ftype = [0, 1, 3][int(r() < 0.95 ? 2 : 3)]!;
    if (r() < 0.5) return (0x1e20_2000 | (ftype << 22) | (m << 16) | (n << 5) | (int(4) << 3)) >>> 0;
    return ((int(2) << 31) | 0x1e22_0000 | (ftype << 22) | (int(2) << 16) | ((20 + int(11)) << 5) | d) >>> 0;
  }
  if (r() < 0.12) { // SSHR/USHR/SHL (vector, scalar), SHRN(2), SSHLL/USHLL(2): every immh:immb (immh 0 now and then: another class)
    const immhb = r() < 0.97 ? 8 + int(120) : int(8);
    const [u, opcode] = ([[0, 0b00000], [1, 0b00000], [0, 0b01010], [0, 0b10000], [0, 0b10100], [1, 0b10100]] as const)[int(6)]!;
    const top = r() < 0.15 ? 0x5f00_0000 : 0x0f00_0000 | (q << 30);
    return (top | (u << 29) | (immhb << 16) | (opcode << 11) | 0x400 | rn) >>> 0;
  }
  if (r() < 0.12) { // FMLA/FMLS (vector, 2D; 4S now and then), FMADD/FMSUB/FNMADD/FNMSUB (D; S now and then)
    if (r() < 0.5) return (0x4e60_cc00 | (int(2) << 23) | ((r() < 0.9 ? 1 : 0) << 22) | (m << 16) | rn) >>> 0;
    return (0x1f00_0000 | ((r() < 0.9 ? 1 : 0) << 22) | (int(2) << 21) | (m << 16) | (int(2) << 15) | (int(32) << 10) | rn) >>> 0;
  }
  if (r() < 0.3) { // FADD/FSUB/FMUL/FDIV: scalar S/D (H now and then), vector 2S/4S/2D (8H now and then)
    const ops: readonly (readonly [number, number, number, number])[] = [[0b0000, 1, 0, 0b011], [0b0010, 0, 0, 0b010], [0b0011, 0, 1, 0b010],
      [0b0001, 1, 0, 0b111]];
    const [opcode, u, a, opc] = ops[int(4)]!;
    if (r() < 0.5) return (0x1e20_0800 | ([0, 1, 3][int(r() < 0.9 ? 2 : 3)]! << 22) | (m << 16) | (opcode << 12) | rn) >>> 0;
    const sz = q ? int(2) : 0;
    if (r() < 0.05) return (0x0e40_0400 | (q << 30) | (u << 29) | (a << 23) | (m << 16) | (opc << 11) | rn) >>> 0; // half
    return (0x0e20_c400 | (q << 30) | (u << 29) | (a << 23) | (sz << 22) | (m << 16) | (opc << 11) | rn) >>> 0;
  }
  switch (int(13)) {
    case 0: return (0x4e28_4800 | ((4 + int(4)) << 12) | rn) >>> 0; // AESE, AESD, AESMC, AESIMC
    case 1: return (0x0e20_1c00 | (q << 30) | (int(2) << 29) | (size << 22) | (m << 16) | rn) >>> 0; // logical
    case 2: return (0x0e20_8400 | (q << 30) | (int(2) << 29) | (size << 22) | (m << 16) | rn) >>> 0; // ADD/SUB
    case 3: return (0x0e20_8c00 | (q << 30) | (int(2) << 29) | (size << 22) | (m << 16) | rn) >>> 0; // CMTST/CMEQ
    case 4: return (0x0e20_9800 | (q << 30) | (size << 22) | rn) >>> 0; // CMEQ (zero)
    case 5: return ((r() < 0.5 ? 0x0e30_a800 : 0x0e31_a800) | (q << 30) | (int(2) << 29) | (size << 22) | rn) >>> 0; // xMAXV/xMINV
    case 6: { // FMOV (general): sf, ftype (10 with sf = 1, rmode 01: the top half), to or from
      const forms: readonly (readonly [number, number, number])[] = [[0, 0, 0], [1, 1, 0], [0, 3, 0], [1, 3, 0], [1, 2, 1],
        [int(2), int(4), int(2)]];
      const [sf, ftype, rmode] = forms[int(6)]!;
      return ((sf << 31) | 0x1e20_0000 | (ftype << 22) | (rmode << 19) | ((6 + int(2)) << 16) | rn) >>> 0;
    }
    case 7: return (0x4e00_1c00 | (imm5 << 16) | rn) >>> 0; // INS (general)
    case 8: return (0x0e00_0c00 | (q << 30) | (imm5 << 16) | rn) >>> 0; // DUP (general)
    case 9: return (0x0e00_3c00 | (q << 30) | (imm5 << 16) | rn) >>> 0; // UMOV
    case 10: return (0x9100_0000 | (int(64) << 10) | ((20 + int(4)) << 5) | (20 + int(4))) >>> 0; // ADD Xd, Xn, #imm
    case 11: return (0x4e20_d400 | (int(2) << 22) | (m << 16) | rn) >>> 0; // FADD (vector): a handler call
    default: return (0x4e28_5800 | rn) >>> 0; // AESD, the most common crypto row
  }
}

interface Case { words: number[]; x: bigint[]; v: Uint8Array; fpen: bigint; tfp: boolean; fpcr: number; fpsr: number }

/** Doubles the fast path must decline or treat with care (NaNs, infinities, denormals, zeros, window edges, range ends). */
const SPECIAL_D: readonly bigint[] = [0n, 0x8000_0000_0000_0000n, 0x7ff0_0000_0000_0000n, 0xfff0_0000_0000_0000n,
  0x7ff8_0000_0000_0001n, 0x7ff4_0000_0000_0000n, 0x0000_0000_0000_0001n, 0x000f_ffff_ffff_ffffn, 0x0010_0000_0000_0000n,
  0x7fef_ffff_ffff_ffffn, 0x3ff0_0000_0000_0000n, 0xbff0_0000_0000_0001n, 0x07b0_0000_0000_0000n, 0x07af_ffff_ffff_ffffn,
  0x7830_0000_0000_0000n, 0x782f_ffff_ffff_ffffn, 0x3ca0_0000_0000_0000n, 0x4340_0000_0000_0000n,
  0x58f0_0000_0000_0000n, 0x58ef_ffff_ffff_ffffn, 0x26f0_0000_0000_0000n, 0x26ef_ffff_ffff_ffffn, 0x3ff0_0000_0000_0001n,
  0xbfef_ffff_ffff_fffen];
/** Singles, likewise. */
const SPECIAL_S: readonly number[] = [0, 0x8000_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0001, 0x7fa0_0000, 1, 0x007f_ffff,
  0x0080_0000, 0x7f7f_ffff, 0x3f80_0000, 0xbf80_0001, 0x0d80_0000, 0x0d7f_ffff, 0x7180_0000, 0x717f_ffff, 0x3380_0000];

/** Integers at the edges of SCVTF/UCVTF's exact windows (2^24 for singles, 2^53 for doubles; a random -1, 0 or +1 added). */
const INTS: readonly bigint[] = [0n, 1n << 24n, -(1n << 24n), 1n << 53n, -(1n << 53n), 1n << 63n, (1n << 32n) - 1n, 1n << 31n,
  -(1n << 31n), (1n << 31n) - (1n << 7n), 0xffff_ffffn << 24n, -1n << 53n];

/** A random V register: random bytes, or lanes of special, ordinary or nearly equal FP values. */
function vreg(r: () => number, out: Uint8Array, at: number): void {
  const int = (n: number): number => Math.floor(r() * n);
  const dv = new DataView(out.buffer, out.byteOffset + at, 16);
  const kind = int(4);
  for (let lane = 0; lane < (kind === 1 ? 2 : 4); lane++) {
    if (kind === 0) dv.setUint32(4 * lane, r() < 0.15 ? 0 : int(2 ** 32), true);
    else if (kind === 1) {
      const v = r() < 0.3 ? SPECIAL_D[int(SPECIAL_D.length)]! : BigInt(int(2 ** 32)) | (BigInt(0x3f00_0000 + int(0x0200_0000) | (r() < 0.5 ? 0x8000_0000 : 0)) << 32n);
      dv.setBigUint64(8 * lane, BigInt.asUintN(64, v), true);
    } else {
      const v = r() < 0.3 ? SPECIAL_S[int(SPECIAL_S.length)]! : (0x3e00_0000 + int(0x0400_0000)) | (r() < 0.5 ? 0x8000_0000 : 0);
      dv.setUint32(4 * lane, v >>> 0, true);
    }
  }
}

function randomCase(r: () => number): Case {
  const int = (n: number): number => Math.floor(r() * n);
  const words = Array.from({ length: 2 + int(14) }, () => word(r));
  words.push(B_SELF);
  const x = Array.from({ length: 31 }, () => (r() < 0.2 ? BigInt(int(256))
    : r() < 0.3 ? BigInt.asUintN(64, INTS[int(INTS.length)]! + BigInt(int(3) - 1))
      : BigInt.asUintN(64, BigInt(int(2 ** 32)) << 32n | BigInt(int(2 ** 32)))));
  const v = new Uint8Array(32 * 16);
  for (let n = 0; n < 32; n++) vreg(r, v, 16 * n);
  // FPCR: mostly plain; else AHP, DN, FZ, each rounding mode, FZ16 at random.
  const fpcr = r() < 0.6 ? 0 : (int(2) << 26) | (int(2) << 25) | (int(2) << 24) | (int(4) << 22) | (int(2) << 19);
  return { words, x, v, fpen: r() < 0.9 ? 3n : BigInt(int(3)), tfp: r() < 0.05, fpcr, fpsr: r() < 0.5 ? 0 : 0x10 };
}

const CODE = RAM_BASE + 0x1000;
const inline = { n: 0, calls: 0 };

function runCase(engine: Engine, c: Case) {
  const e = arenaEnv(engine);
  loadWords(e, CODE, c.words);
  for (let at = 0x8000; at < 0x8800; at += 0x80) loadWords(e, RAM_BASE + at, [B_SELF]); // the vectors (VBAR_EL1)
  e.cpu.sys[SysReg.VBAR_EL1] = BigInt(RAM_BASE + 0x8000);
  e.cpu.sys[SysReg.CPACR_EL1] = c.fpen << FPEN_SHIFT;
  if (c.tfp) e.cpu.sys[SysReg.CPTR_EL2] = e.cpu.sys[SysReg.CPTR_EL2]! | CPTR.TFP;
  c.x.forEach((v, k) => (e.cpu.x[k] = v));
  e.cpu.v.set(c.v);
  e.cpu.fpcr = c.fpcr;
  e.cpu.fpsr = c.fpsr;
  e.cpu.pc = BigInt(CODE);
  const stops = [e.cpu.run(c.words.length + 3)];
  if (engine === 'wasm') {
    const s = e.cpu.codeCache.wasmTier(e.cpu.arena)!.stats();
    inline.n += s.inlined;
    inline.calls += s.calls;
  }
  return { ...stateOf(e, stops, []), v: Buffer.from(e.cpu.v.subarray(0, 32 * 16)).toString('hex'), fpsr: e.cpu.fpsr, el2: e.cpu.el2.esr };
}

describe('WebAssembly SIMD&FP data processing agrees with the interpreter', () => {
  it('FMLA V.2D: the fused product and the round-to-odd step decide lanes an unfused or plainly rounded sum gets wrong', () => {
    // Lane 0: 1 + (1 + 2^-27) * (1 - 2^-27 + 2^-53) * 2^-53 = 1 + 2^-53 + 2^-107 + 2^-133, just above a tie: the
    // partial sum 2^-53 + 2^-107 + ... rounds to the tie 2^-53 unless rounded to odd; the result is 1 + 2^-52 (IXC).
    // Lane 1: -(1 - 2^-53) + (1 + 2^-52) * (1 - 2^-52) = 2^-53 - 2^-104 exactly (an unfused product gives 2^-53).
    const lanes = [[0x3ff0_0000_0000_0000n, 0x3ff0_0000_0200_0000n, 0x3c9f_ffff_fc00_0001n],
      [0xbfef_ffff_ffff_ffffn, 0x3ff0_0000_0000_0001n, 0x3fef_ffff_ffff_fffen]] as const;
    const v = new Uint8Array(32 * 16);
    const dv = new DataView(v.buffer);
    lanes.forEach(([c, a, b], k) => {
      dv.setBigUint64(8 * k, c, true); // V0: the addends
      dv.setBigUint64(16 + 8 * k, a, true); // V1
      dv.setBigUint64(32 + 8 * k, b, true); // V2
    });
    const c: Case = { words: [0x4e62_cc20, B_SELF], x: Array.from({ length: 31 }, () => 0n), v, fpen: 3n, tfp: false, fpcr: 0, fpsr: 0 };
    const w = runCase('wasm', c);
    expect(w).toEqual(runCase('interp', c));
    const out = Buffer.from(w.v.slice(0, 32), 'hex');
    expect([out.readBigUInt64LE(0), out.readBigUInt64LE(8), w.fpsr]).toEqual([0x3ff0_0000_0000_0001n, 0x3c9f_ffff_ffff_fffcn, 0x10]);
  });

  it('FMADD/FMSUB/FNMADD/FNMSUB and FMLA V.2D whose sum cancels exactly: +0, no flag', () => {
    // Operands: a = 3 (D1), b = 5 (D2), c = -15 (D3), c' = 15 (D4); a product with an error term: 1 + 2^-30 squared.
    const v = new Uint8Array(32 * 16);
    const dv = new DataView(v.buffer);
    const d = (n: number, lane: number, x: number): void => dv.setFloat64(16 * n + 8 * lane, x, true);
    const e = 1 + 2 ** -30;
    for (const lane of [0, 1]) {
      d(1, lane, lane ? e : 3); d(2, lane, lane ? e : 5); d(3, lane, lane ? -(e * e) : -15); d(4, lane, lane ? e * e : 15);
    }
    // FMADD d0, d1, d2, d3 (c + ab = 0); FMSUB d5, d1, d2, d4 (c - ab); FNMADD d6, d1, d2, d3 (-c - ab);
    // FNMSUB d7, d1, d2, d4 (-c + ab); FMLA v3.2d, v1.2d, v2.2d (lane 1: -(e * e rounded) + e * e, exact: 2^-60).
    const words = [0x1f42_0c20, 0x1f42_9025, 0x1f62_0c26, 0x1f62_9027, 0x4e62_cc23, B_SELF];
    const c: Case = { words, x: Array.from({ length: 31 }, () => 0n), v, fpen: 3n, tfp: false, fpcr: 0, fpsr: 0 };
    const w = runCase('wasm', c);
    expect(w).toEqual(runCase('interp', c));
    const out = Buffer.from(w.v, 'hex');
    expect([0, 5, 6, 7].map((n) => out.readBigUInt64LE(16 * n))).toEqual([0n, 0n, 0n, 0n]);
    expect(out.readDoubleLE(16 * 3)).toBe(0);
    expect(out.readDoubleLE(16 * 3 + 8)).toBe(2 ** -60); // -(e * e rounded) + e * e: the product's low part
    expect(w.fpsr).toBe(0);
  });

  it('an MSR CPACR_EL1 that disables SIMD&FP between two SIMD&FP instructions: the second takes the trap (the enable check is made once per path)', () => {
    // FADD d0, d1, d2; MSR CPACR_EL1, x3 (x3 = 0: FPEN 00); then FADD d4, d5, d6 (inline) or FADD v0.4s (a handler
    // call), which must take the SIMD&FP trap (EC 0x07) at ELR = its address, with D4 / V0 unchanged.
    for (const second of [0x1e66_28a4, 0x4e22_d420]) {
      const v = new Uint8Array(32 * 16);
      const dv = new DataView(v.buffer);
      for (let n = 0; n < 8; n++) dv.setFloat64(16 * n, 1.5 + n, true);
      const c: Case = { words: [0x1e62_2820, 0xd518_1043, second, B_SELF], x: Array.from({ length: 31 }, () => 0n), v, fpen: 3n,
        tfp: false, fpcr: 0, fpsr: 0 };
      const w = runCase('wasm', c);
      expect(w).toEqual(runCase('interp', c));
      expect([w.esr! >> 26n, w.elr]).toEqual([0x07n, BigInt(CODE + 8)]);
    }
  });

  it('on 800 random blocks (AES, logical, ADD/SUB, compares, across lanes, moves, FADD/FSUB/FMUL; FPCR modes; FPEN and TFP traps), mostly inline', () => {
    const r = rng(1212);
    inline.n = 0;
    inline.calls = 0;
    for (let round = 0; round < 800; round++) {
      const c = randomCase(r);
      const label = `round ${round}: ${c.words.map((w) => w.toString(16)).join(' ')} fpen ${c.fpen} tfp ${c.tfp} fpcr ${c.fpcr.toString(16)}`;
      expect(runCase('wasm', c), label).toEqual(runCase('interp', c));
    }
    // Inline translations outnumber handler calls (FADD and UNDEFINED encodings are calls): 7,076 and 1,283 when written.
    expect(inline.n).toBeGreaterThan(5000);
    expect(inline.calls).toBeLessThan(inline.n * 0.3);
  });
});
