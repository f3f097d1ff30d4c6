/**
 * FEAT_SHA1 and FEAT_SHA256 (Arm ARM C4.1.96 "Cryptographic three-register SHA" and "Cryptographic two-register
 * SHA"): SHA1C, SHA1P, SHA1M, SHA1SU0, SHA256H, SHA256H2, SHA256SU1 (three registers), SHA1H, SHA1SU1, SHA256SU0
 * (two registers), as the Arm ARM's pseudocode defines them.
 *
 * Every operand is read into 32-bit locals before Vd is written (Vd may be any of the sources), and the 128- or
 * 160/256-bit rotations of the pseudocode (`<Y, X> = ROL(Y : X, 32)`) are renamings of those locals. All arithmetic
 * is modulo 2^32 on Numbers (`| 0`; sums of a few 32-bit values are exact in a double), so nothing is allocated.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { fpRow } from '../fpsimd/access.js';

const rol = (x: number, s: number): number => (x << s) | (x >>> (32 - s));
const ror = (x: number, s: number): number => (x >>> s) | (x << (32 - s));

/** SHA1C's function: SHAchoose(x, y, z). */
const CHOOSE = 0;
/** SHA1P's function: SHAparity(x, y, z). */
const PARITY = 1;
/** SHA1M's function: SHAmajority(x, y, z). */
const MAJORITY = 2;

/**
 * SHA1C/SHA1P/SHA1M Qd, Sn, Vm.4S: four SHA-1 rounds of the hash state abcd in Qd (a in lane 0) and e in Sn, with
 * the four words W+K of Vm; the new abcd goes to Qd (the new e is SHA1H of the old a, a separate instruction).
 */
function sha1Rounds(cpu: Cpu, insn: number, fn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  let x0 = u32[d]!, x1 = u32[d + 1]!, x2 = u32[d + 2]!, x3 = u32[d + 3]!;
  let y = u32[n]!;
  for (let e = 0; e < 4; e++) {
    const t = fn === CHOOSE ? ((x2 ^ x3) & x1) ^ x3
      : fn === PARITY ? x1 ^ x2 ^ x3
        : (x1 & x2) | ((x1 | x2) & x3);
    y = (y + rol(x0, 5) + t + u32[m + e]!) | 0;
    x1 = rol(x1, 30);
    // <Y, X> = ROL(Y : X, 32): Y becomes lane 0 of X, X's lanes move up one, the top lane becomes Y.
    const top = x3;
    x3 = x2;
    x2 = x1;
    x1 = x0;
    x0 = y;
    y = top;
  }
  u32[d] = x0;
  u32[d + 1] = x1;
  u32[d + 2] = x2;
  u32[d + 3] = x3;
}

/** SHA1H Sd, Sn: Sd = ROL(Sn, 30), the rest of Vd cleared. */
function sha1h(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const v = rol(u32[((insn >>> 5) & 31) << 2]!, 30);
  u32[d] = v;
  u32[d + 1] = 0;
  u32[d + 2] = 0;
  u32[d + 3] = 0;
}

/** SHA1SU0 Vd.4S, Vn.4S, Vm.4S: Vd = (Vn<63:0> : Vd<127:64>) EOR Vd EOR Vm. */
function sha1su0(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  const d0 = u32[d]!, d1 = u32[d + 1]!, d2 = u32[d + 2]!, d3 = u32[d + 3]!;
  const n0 = u32[n]!, n1 = u32[n + 1]!;
  const m0 = u32[m]!, m1 = u32[m + 1]!, m2 = u32[m + 2]!, m3 = u32[m + 3]!;
  u32[d] = d2 ^ d0 ^ m0;
  u32[d + 1] = d3 ^ d1 ^ m1;
  u32[d + 2] = n0 ^ d2 ^ m2;
  u32[d + 3] = n1 ^ d3 ^ m3;
}

/** SHA1SU1 Vd.4S, Vn.4S: T = Vd EOR LSR(Vn, 32); each lane ROL(T, 1), lane 3 also EOR ROL(T<31:0>, 2). */
function sha1su1(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const t0 = u32[d]! ^ u32[n + 1]!;
  const t1 = u32[d + 1]! ^ u32[n + 2]!;
  const t2 = u32[d + 2]! ^ u32[n + 3]!;
  const t3 = u32[d + 3]!;
  u32[d] = rol(t0, 1);
  u32[d + 1] = rol(t1, 1);
  u32[d + 2] = rol(t2, 1);
  u32[d + 3] = rol(t3, 1) ^ rol(t0, 2);
}

/**
 * SHA256hash(X, Y, W, part1) over four rounds, X = abcd and Y = efgh (a and e in lane 0), W the words W+K of Vm:
 * SHA256H Qd, Qn, Vm.4S (X = Vd, Y = Vn, Vd = the new X) and SHA256H2 Qd, Qn, Vm.4S (X = Vn, Y = Vd, Vd = the new Y).
 */
function sha256Rounds(cpu: Cpu, insn: number, part1: boolean): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  const xi = part1 ? d : n;
  const yi = part1 ? n : d;
  let x0 = u32[xi]!, x1 = u32[xi + 1]!, x2 = u32[xi + 2]!, x3 = u32[xi + 3]!;
  let y0 = u32[yi]!, y1 = u32[yi + 1]!, y2 = u32[yi + 2]!, y3 = u32[yi + 3]!;
  for (let e = 0; e < 4; e++) {
    const chs = ((y1 ^ y2) & y0) ^ y2;
    const maj = (x0 & x1) | ((x0 | x1) & x2);
    const sigma1 = ror(y0, 6) ^ ror(y0, 11) ^ ror(y0, 25);
    const sigma0 = ror(x0, 2) ^ ror(x0, 13) ^ ror(x0, 22);
    const t1 = y3 + sigma1 + chs + u32[m + e]!;
    x3 = (t1 + x3) | 0;
    y3 = (t1 + sigma0 + maj) | 0;
    // <Y, X> = ROL(Y : X, 32): every lane moves up one; Y's top lane enters X, X's top lane enters Y.
    const xTop = x3;
    x3 = x2;
    x2 = x1;
    x1 = x0;
    x0 = y3;
    y3 = y2;
    y2 = y1;
    y1 = y0;
    y0 = xTop;
  }
  if (part1) {
    u32[d] = x0;
    u32[d + 1] = x1;
    u32[d + 2] = x2;
    u32[d + 3] = x3;
  } else {
    u32[d] = y0;
    u32[d + 1] = y1;
    u32[d + 2] = y2;
    u32[d + 3] = y3;
  }
}

/** SHA-256's message schedule sigma0 (ROR 7, ROR 18, LSR 3). */
const schedSigma0 = (x: number): number => ror(x, 7) ^ ror(x, 18) ^ (x >>> 3);
/** SHA-256's message schedule sigma1 (ROR 17, ROR 19, LSR 10). */
const schedSigma1 = (x: number): number => ror(x, 17) ^ ror(x, 19) ^ (x >>> 10);

/** SHA256SU0 Vd.4S, Vn.4S: T = Vn<31:0> : Vd<127:32>; lane e = sigma0(T[e]) + Vd[e]. */
function sha256su0(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const d0 = u32[d]!, d1 = u32[d + 1]!, d2 = u32[d + 2]!, d3 = u32[d + 3]!;
  const n0 = u32[n]!;
  u32[d] = schedSigma0(d1) + d0;
  u32[d + 1] = schedSigma0(d2) + d1;
  u32[d + 2] = schedSigma0(d3) + d2;
  u32[d + 3] = schedSigma0(n0) + d3;
}

/**
 * SHA256SU1 Vd.4S, Vn.4S, Vm.4S: T0 = Vm<31:0> : Vn<127:32>; lanes 0 and 1 are sigma1(Vm[2 + e]) + Vd[e] + T0[e],
 * lanes 2 and 3 sigma1(result lane e - 2) + Vd[e] + T0[e].
 */
function sha256su1(cpu: Cpu, insn: number): void {
  const u32 = cpu.vr.u32;
  const d = (insn & 31) << 2;
  const n = ((insn >>> 5) & 31) << 2;
  const m = ((insn >>> 16) & 31) << 2;
  const d0 = u32[d]!, d1 = u32[d + 1]!, d2 = u32[d + 2]!, d3 = u32[d + 3]!;
  const n1 = u32[n + 1]!, n2 = u32[n + 2]!, n3 = u32[n + 3]!;
  const m0 = u32[m]!, m2 = u32[m + 2]!, m3 = u32[m + 3]!;
  const r0 = (schedSigma1(m2) + d0 + n1) | 0;
  const r1 = (schedSigma1(m3) + d1 + n2) | 0;
  u32[d] = r0;
  u32[d + 1] = r1;
  u32[d + 2] = schedSigma1(r0) + d2 + n3;
  u32[d + 3] = schedSigma1(r1) + d3 + m0;
}

/**
 * "Cryptographic three-register SHA" (size = 00, opcode [14:12] 0-6; opcode 7 and size != 00 unallocated) and
 * "Cryptographic two-register SHA" (size = 00, opcode [16:12] 0-2; the rest unallocated).
 */
export const SIMD_CRYPTO_SHA_ROWS: readonly EncodingRow[] = [
  fpRow('SHA1C', '01011110 00 0 mmmmm 0 000 00 nnnnn ddddd', (cpu, insn) => sha1Rounds(cpu, insn, CHOOSE)),
  fpRow('SHA1P', '01011110 00 0 mmmmm 0 001 00 nnnnn ddddd', (cpu, insn) => sha1Rounds(cpu, insn, PARITY)),
  fpRow('SHA1M', '01011110 00 0 mmmmm 0 010 00 nnnnn ddddd', (cpu, insn) => sha1Rounds(cpu, insn, MAJORITY)),
  fpRow('SHA1SU0', '01011110 00 0 mmmmm 0 011 00 nnnnn ddddd', sha1su0),
  fpRow('SHA256H', '01011110 00 0 mmmmm 0 100 00 nnnnn ddddd', (cpu, insn) => sha256Rounds(cpu, insn, true)),
  fpRow('SHA256H2', '01011110 00 0 mmmmm 0 101 00 nnnnn ddddd', (cpu, insn) => sha256Rounds(cpu, insn, false)),
  fpRow('SHA256SU1', '01011110 00 0 mmmmm 0 110 00 nnnnn ddddd', sha256su1),
  fpRow('SHA1H', '01011110 00 10100 00000 10 nnnnn ddddd', sha1h),
  fpRow('SHA1SU1', '01011110 00 10100 00001 10 nnnnn ddddd', sha1su1),
  fpRow('SHA256SU0', '01011110 00 10100 00010 10 nnnnn ddddd', sha256su0),
];
