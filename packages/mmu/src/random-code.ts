/**
 * Test support (not exported from the package): the seeded PRNG, the random instruction generators and the branch
 * encoders of the differential tests of translated code against the interpreter (code-cache.test.ts,
 * wasm-tier.test.ts, wasm-chain.test.ts). The random words assume the register conventions of those tests: x20-x23
 * are base addresses, x24 a small index.
 */
import { SysReg, type Cpu } from '@kvm-mte/aarch64-cpu';

/** A small deterministic PRNG (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Random straight-line instructions of the inlined classes (and a few handler calls), as words. */
export function randomWord(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const dst = (): number => (r() < 0.1 ? 31 : int(20)); // x0-x19 or XZR/SP: x20-x23 stay valid base addresses
  const src = (): number => (r() < 0.1 ? 31 : int(24));
  const sf = int(2);
  switch (int(14)) {
    case 0: // add/sub immediate
      return ((sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x1100_0000 | (int(2) << 22) | (int(4096) << 10) |
        (src() << 5) | dst()) >>> 0;
    case 1: { // add/sub shifted register
      const type = int(3);
      return ((sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x0b00_0000 | (type << 22) | (src() << 16) |
        (int(sf ? 64 : 32) << 10) | (src() << 5) | dst()) >>> 0;
    }
    case 2: // logical shifted register
      return ((sf << 31) | (int(4) << 29) | 0x0a00_0000 | (int(4) << 22) | (int(2) << 21) | (src() << 16) |
        (int(sf ? 64 : 32) << 10) | (src() << 5) | dst()) >>> 0;
    case 3: { // move wide (MOVN, MOVZ, MOVK)
      const opc = [0, 2, 3][int(3)]!;
      return ((sf << 31) | (opc << 29) | 0x1280_0000 | (int(sf ? 4 : 2) << 21) | (int(65536) << 5) | dst()) >>> 0;
    }
    case 4: { // UBFM
      const w = sf ? 64 : 32;
      return ((sf << 31) | 0x5300_0000 | (sf << 22) | (int(w) << 16) | (int(w) << 10) | (src() << 5) | dst()) >>> 0;
    }
    case 5: // MADD/MSUB
      return ((sf << 31) | 0x1b00_0000 | (src() << 16) | (int(2) << 15) | (src() << 10) | (src() << 5) | dst()) >>> 0;
    case 6: { // LDR/STR unsigned immediate, base x20-x23
      const size = int(4);
      return ((size << 30) | 0x3900_0000 | (int(2) << 22) | (int(64) << 10) | ((20 + int(4)) << 5) | dst()) >>> 0;
    }
    case 7: { // LDR/STR post/pre-index, base x20-x23
      const size = int(4);
      return ((size << 30) | 0x3800_0000 | (int(2) << 22) | ((int(64) - 32) & 0x1ff) << 12 | ([1, 3][int(2)]! << 10) |
        ((20 + int(4)) << 5) | int(20)) >>> 0;
    }
    case 8: { // LDR/STR register offset, base x20-x23, index x24 (small)
      const size = int(4);
      const option = [2, 3, 6, 7][int(4)]!;
      return ((size << 30) | 0x3820_0800 | (int(2) << 22) | (24 << 16) | (option << 13) | (int(2) << 12) |
        ((20 + int(4)) << 5) | dst()) >>> 0;
    }
    case 9: // sign-extending loads and others through the handler: LDRSW x, [x20, #imm]
      return (0xb980_0000 | (int(64) << 10) | (20 << 5) | dst()) >>> 0;
    // Handlers that read the flags translated code may have left pending (flags.ts):
    case 10: // CSEL, CSINC, CSINV, CSNEG
      return ((sf << 31) | (int(2) << 30) | 0x1a80_0000 | (src() << 16) | (int(16) << 12) | (int(2) << 10) |
        (src() << 5) | dst()) >>> 0;
    case 11: // ADC, ADCS, SBC, SBCS
      return ((sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x1a00_0000 | (src() << 16) | (src() << 5) | dst()) >>> 0;
    case 12: // CCMP/CCMN (immediate)
      return ((sf << 31) | (int(2) << 30) | 0x3a40_0800 | (int(32) << 16) | (int(16) << 12) | (src() << 5) |
        int(16)) >>> 0;
    default:
      // A hint or barrier that does nothing and does not end a block (NOP, PACIASP, AUTIASP, BTI c, CSDB, DMB ISH,
      // DSB SY), or ADR (handler, reads the PC).
      if (r() < 0.4) return [0xd503_201f, 0xd503_233f, 0xd503_23bf, 0xd503_245f, 0xd503_229f, 0xd503_3bbf, 0xd503_3f9f][int(7)]!;
      return (0x1000_0000 | (int(4) << 29) | (int(1000) << 5) | dst()) >>> 0;
  }
}

export function randomBranch(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  switch (int(4)) {
    case 0: return (0x5400_0040 | int(16)) >>> 0; // b.cond +8
    case 1: return ((int(2) << 31) | 0x3400_0040 | (int(2) << 24) | int(20)) >>> 0; // cb(n)z +8
    case 2: return ((int(2) << 31) | 0x3600_0040 | (int(2) << 24) | (int(32) << 19) | int(20)) >>> 0; // tb(n)z +8
    default: return 0x1400_0002; // b +8
  }
}

// ---- instruction encoders ----

/** b . */
export const B_SELF = 0x1400_0000;

/** (to - from) / 4 as a two's complement number of `bits` bits (addresses wrap modulo 2^64). */
const rel = (from: bigint | number, to: bigint | number, bits: number): number =>
  Number(BigInt.asUintN(bits, BigInt.asIntN(64, BigInt(to) - BigInt(from)) >> 2n));
/** B, BL, B.cond, CBZ/CBNZ and TBZ/TBNZ from byte address `from` to `to`. */
export const b = (from: bigint | number, to: bigint | number): number => (0x1400_0000 | rel(from, to, 26)) >>> 0;
export const bl = (from: bigint | number, to: bigint | number): number => (b(from, to) | 0x8000_0000) >>> 0;
const imm19 = (from: bigint | number, to: bigint | number): number => (rel(from, to, 19) << 5) >>> 0;
export const bcond = (from: bigint | number, to: bigint | number, cond: number): number => (0x5400_0000 | imm19(from, to) | cond) >>> 0;
export const cbz = (from: bigint | number, to: bigint | number, rt: number, nz: boolean, sf = 1): number =>
  ((sf << 31) | 0x3400_0000 | (nz ? 1 << 24 : 0) | imm19(from, to) | rt) >>> 0;
export const tbz = (from: bigint | number, to: bigint | number, rt: number, bit: number, nz: boolean): number =>
  (((bit >> 5) << 31) | 0x3600_0000 | (nz ? 1 << 24 : 0) | ((bit & 31) << 19) |
    (rel(from, to, 14) << 5) | rt) >>> 0;
export const br = (n: number): number => (0xd61f_0000 | (n << 5)) >>> 0;
export const blr = (n: number): number => (0xd63f_0000 | (n << 5)) >>> 0;
export const ret = (n = 30): number => (0xd65f_0000 | (n << 5)) >>> 0;
export const mrsNzcv = (t: number): number => (0xd53b_4200 | t) >>> 0;
/** ADR Xd, `to` at `from`. */
export const adr = (from: number, to: number, d: number): number => {
  const off = to - from;
  return (0x1000_0000 | ((off & 3) << 29) | (((off >> 2) & 0x7ffff) << 5) | d) >>> 0;
};

/**
 * The straight-line program of the translated-code differential tests (code-cache.test.ts, wasm-tier.test.ts): 16
 * random instructions, a random branch and two `b .`, with random X0-X30 and NZCV; X20-X23 point into four pages of
 * data and X24 is a small doubleword-aligned offset.
 */
export interface RandomBlockProgram {
  readonly words: number[];
  readonly init: bigint[];
  readonly nzcv: number;
  readonly x24: bigint;
}

export function randomBlockProgram(r: () => number): RandomBlockProgram {
  const words = Array.from({ length: 16 }, () => randomWord(r));
  words.push(randomBranch(r), B_SELF, B_SELF);
  const init = Array.from({ length: 31 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(Math.floor(r() * 33)));
  const nzcv = Math.floor(r() * 16);
  const x24 = BigInt(Math.floor(r() * 64)) * 8n;
  return { words, init, nzcv, x24 };
}

/**
 * Put `p` at `code` (VBAR_EL1 at code + 0x800, a `b .` at the synchronous vector) with its registers, X20-X23 into
 * the pages at `data`, and the PC at its start. `load` writes words at a physical address.
 */
export function setUpRandomBlock(cpu: Cpu, load: (pa: number, words: number[]) => void, p: RandomBlockProgram,
  code: number, data: number): void {
  load(code, p.words);
  cpu.sys[SysReg.VBAR_EL1] = BigInt(code + 0x800);
  load(code + 0xa00, [B_SELF]);
  for (let i = 0; i < 31; i++) cpu.x[i] = BigInt.asUintN(64, p.init[i]!);
  for (let i = 20; i < 24; i++) cpu.x[i] = BigInt(data + 0x1000 * (i - 20) + 256);
  cpu.x[24] = p.x24;
  cpu.nzcv = p.nzcv;
  cpu.pc = BigInt(code);
}
