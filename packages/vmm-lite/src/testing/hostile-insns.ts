/**
 * Test support: random A64 words for the hostile-guest test, uniformly random or biased toward the encodings that
 * stress a hypervisor: loads and stores (pairs, writeback, exclusives, LSE atomics: the forms without a syndrome),
 * MSR/MRS of random and of real system registers, ERET, HVC/SMC/SVC/BRK, PSCI calls with random function ids,
 * WFI/WFE, DC/IC/AT/TLBI, and the MTE instructions. Encodings follow the Arm ARM's encoding diagrams.
 */
import type { HostilePrng } from './hostile-prng.js';

/** A word from a 32-character bit pattern, most significant bit first (spaces ignored): '0'/'1' fixed, else random. */
export function fillPattern(r: HostilePrng, pattern: string): number {
  const p = pattern.replace(/ /g, '');
  if (p.length !== 32) throw new Error(`bit pattern '${pattern}' has ${p.length} bits, not 32`);
  const random = r.u32();
  let w = 0;
  for (let i = 0; i < 32; i++) {
    const c = p[i]!;
    w = (w << 1) | (c === '0' ? 0 : c === '1' ? 1 : (random >>> i) & 1);
  }
  return w >>> 0;
}

/** (op0, op1, CRn, CRm, op2) of the system registers worth hitting on purpose (EL1 and EL0 views, a few EL2 ones). */
export const SYSREGS: readonly (readonly [number, number, number, number, number])[] = [
  [3, 0, 1, 0, 0], [3, 0, 2, 0, 2], [3, 0, 2, 0, 0], [3, 0, 2, 0, 1], [3, 0, 10, 2, 0], [3, 0, 12, 0, 0], // SCTLR TCR TTBR0/1 MAIR VBAR
  [3, 0, 5, 2, 0], [3, 0, 6, 0, 0], [3, 0, 4, 0, 1], [3, 0, 4, 0, 0], [3, 0, 4, 1, 0], [3, 0, 4, 2, 0], // ESR FAR ELR SPSR SP_EL0 SPSel
  [3, 3, 4, 2, 1], [3, 3, 4, 2, 0], [3, 0, 4, 2, 2], [3, 0, 4, 2, 3], [3, 0, 4, 2, 4], // DAIF NZCV CurrentEL PAN UAO
  [3, 0, 1, 0, 6], [3, 0, 1, 0, 5], [3, 0, 5, 6, 0], [3, 0, 5, 6, 1], [3, 3, 4, 2, 7], // GCR RGSR TFSR TFSRE0 TCO
  [3, 0, 1, 0, 2], [3, 0, 1, 0, 1], [3, 0, 13, 0, 1], [3, 0, 13, 0, 4], [3, 3, 13, 0, 2], [3, 0, 7, 4, 0], // CPACR ACTLR CONTEXTIDR TPIDR PAR
  [3, 3, 14, 3, 1], [3, 3, 14, 0, 2], [3, 3, 14, 0, 0], [3, 3, 14, 2, 1], [3, 3, 14, 2, 0], // CNTV_CTL CNTVCT CNTFRQ CNTP_CTL/TVAL
  [2, 0, 0, 2, 2], [2, 0, 1, 0, 4], [2, 0, 1, 1, 4], [2, 0, 1, 3, 4], [2, 0, 0, 0, 4], [2, 0, 0, 0, 5], // MDSCR OSLAR OSLSR OSDLR DBGB*
  [3, 0, 0, 0, 0], [3, 0, 0, 0, 5], [3, 0, 0, 4, 1], [3, 0, 0, 7, 0], [3, 0, 10, 3, 0], // MIDR MPIDR PFR1 MMFR0 AMAIR
  [3, 3, 9, 12, 0], [3, 0, 12, 12, 5], [3, 4, 1, 1, 0], [3, 4, 1, 0, 0], [3, 4, 12, 0, 0], [3, 4, 4, 1, 0], // PMCR ICC_SRE HCR SCTLR2 VBAR2 SP_EL1
];

const sysFields = ([op0, op1, crn, crm, op2]: readonly number[]): number =>
  (((op0! & 1) << 19) | (op1! << 16) | (crn! << 12) | (crm! << 8) | (op2! << 5)) >>> 0;

/** Hand encoders for the words the generator places on purpose. */
export const ENC = {
  nop: 0xd503201f,
  isb: 0xd5033fdf,
  wfi: 0xd503207f,
  eret: 0xd69f03e0,
  /** B #offset (bytes from this instruction, a multiple of 4 within ±128 MiB) */
  b: (offset: number) => (0x14000000 | ((offset / 4) & 0x3ffffff)) >>> 0,
  /** B.NE #offset */
  bne: (offset: number) => (0x54000001 | (((offset / 4) & 0x7ffff) << 5)) >>> 0,
  /** BR Xn */
  br: (n: number) => (0xd61f0000 | (n << 5)) >>> 0,
  movz: (d: number, imm: number, hw = 0) => (0xd2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0,
  movk: (d: number, imm: number, hw = 0) => (0xf2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0,
  /** ADD Xd, Xn, #imm12, LSL #12 */
  addPage: (d: number, n: number, pages: number) => (0x91400000 | (pages << 10) | (n << 5) | d) >>> 0,
  /** ADD Xd, Xn, #imm12 (also MOV SP, Xn with d = 31) */
  addi: (d: number, n: number, imm: number) => (0x91000000 | (imm << 10) | (n << 5) | d) >>> 0,
  /** CMP Xn, Xm */
  cmp: (n: number, m: number) => (0xeb00001f | (m << 16) | (n << 5)) >>> 0,
  /** STR Wt, [Xn] */
  strw: (t: number, n: number) => (0xb9000000 | (n << 5) | t) >>> 0,
  msr: (sys: readonly number[], t: number) => (0xd5100000 | sysFields(sys) | t) >>> 0,
  mrs: (t: number, sys: readonly number[]) => (0xd5300000 | sysFields(sys) | t) >>> 0,
  hvc: (imm = 0) => (0xd4000002 | ((imm & 0xffff) << 5)) >>> 0,
  /** LDP Xt, Xt2, [Xn] */
  ldp: (t: number, t2: number, n: number) => (0xa9400000 | (t2 << 10) | (n << 5) | t) >>> 0,
  /** STP Xt, Xt2, [Xn, #-16]! */
  stpPre: (t: number, t2: number, n: number) => (0xa9800000 | (0x7e << 15) | (t2 << 10) | (n << 5) | t) >>> 0,
  /** LDADD Xs, Xt, [Xn] */
  ldadd: (s: number, t: number, n: number) => (0xf8200000 | (s << 16) | (n << 5) | t) >>> 0,
  /** SWPAL Xs, Xt, [Xn] */
  swpal: (s: number, t: number, n: number) => (0xf8e08000 | (s << 16) | (n << 5) | t) >>> 0,
  /** LDR Xt, [Xn], #8 (post-index writeback) */
  ldrPost: (t: number, n: number) => (0xf8400400 | (8 << 12) | (n << 5) | t) >>> 0,
  /** STR Xt, [Xn, #8]! (pre-index writeback) */
  strPre: (t: number, n: number) => (0xf8000c00 | (8 << 12) | (n << 5) | t) >>> 0,
  /** CASAL Xs, Xt, [Xn] */
  casal: (s: number, t: number, n: number) => (0xc8e0fc00 | (s << 16) | (n << 5) | t) >>> 0,
  /** STG Xt, [Xn] / ST2G Xt, [Xn] */
  stg: (t: number, n: number) => (0xd9200800 | (n << 5) | t) >>> 0,
  st2g: (t: number, n: number) => (0xd9a00800 | (n << 5) | t) >>> 0,
  /** Load a 64-bit constant into Xd (1 to 4 words). */
  mov64: (d: number, v: bigint): number[] => {
    const out = [ENC.movz(d, Number(v & 0xffffn))];
    for (let hw = 1; hw < 4; hw++) {
      const part = Number((v >> BigInt(16 * hw)) & 0xffffn);
      if (part !== 0) out.push(ENC.movk(d, part, hw));
    }
    return out;
  },
};

/** The syndrome-less accesses (no ISV): to anything but RAM they are arm-nisv exits. Base register `n`. */
export function nisvAccess(r: HostilePrng, n: number): number {
  const t = r.pick([0, 1, 3, 7]);
  return r.pick([ENC.ldp(t, t + 1, n), ENC.stpPre(t, t + 1, n), ENC.ldadd(t, t + 1, n), ENC.swpal(t, t + 1, n),
    ENC.ldrPost(t, n), ENC.strPre(t, n), ENC.casal(t, t + 1, n)]);
}

/** PSCI / SMCCC function ids: every defined one, the KVM 0.1 ids, and random ids in and around the ranges. */
export function psciFunctionId(r: HostilePrng): bigint {
  return r.weighted<() => bigint>([
    [10, () => BigInt(r.pick([0x8400_0000, 0x8400_0001, 0xc400_0001, 0x8400_0002, 0x8400_0004, 0xc400_0004, 0x8400_0005,
      0xc400_0005, 0x8400_0006, 0x8400_0007, 0xc400_0007, 0x8400_000a, 0x8400_000e, 0xc400_000e, 0x8000_0000, 0x8000_0001,
      0x95c1_ba5e, 0x95c1_ba5f, 0x95c1_ba61]))],
    [4, () => BigInt(r.pick([0x8400_0003, 0xc400_0003, 0x95c1_ba60]))], // CPU_ON
    [1, () => BigInt(r.pick([0x8400_0008, 0x8400_0009, 0x8400_0012, 0xc400_0012]))], // end the run: rarely
    [4, () => BigInt(r.pick([0x8400_0000, 0xc400_0000, 0x8000_0000, 0x8600_0000, 0xc600_0000]) + r.below(0x40))],
    [3, () => BigInt(r.u32())],
    [2, () => r.u64()],
  ])();
}

/** Where an access or branch is most interesting on the virt board with `ram` bytes of RAM at 0x4000_0000. */
export function interestingAddress(r: HostilePrng, ram: number): bigint {
  const base = 0x4000_0000;
  const a = r.weighted<() => number | bigint>([
    [30, () => base + r.below(ram)],
    [8, () => base + 0x8_0000 + r.below(0x1_0000)], // the code
    [4, () => base + 0x20_0000 + 8 * r.below(0x2000)], // the page tables
    [6, () => base + ram - r.pick([1, 2, 4, 8, 16, 4096])], // straddling the end of RAM
    [10, () => 0x0900_0000 + r.weighted<() => number>([[3, () => r.pick([0, 0x18, 0x24, 0x28, 0x2c, 0x30, 0x38, 0x44, 0xfe0])], [1, () => r.below(0x1000)]])()],
    [10, () => r.pick([0x0, 0x1000, 0x0800_0000, 0x0801_0000, 0x0a00_0000, 0x0c00_0000, 0x0f00_0000, 0x1000_0000, 0x3eff_0000])],
    [6, () => base + ram + r.pick([0, 8, 0x1000, 0x10_0000])],
    [4, () => r.pick([0x1_0000_0000n, 0x80_0000_0000n, 0x1_0000_0000_0000n, 0xffff_ff80_0000_0000n, 0xffff_ffff_ffff_f000n])],
    [4, () => r.u64()],
  ])();
  let v = BigInt(a);
  if (r.chance(0.15)) v |= BigInt(r.range(1, 255)) << 56n; // a tagged or top-byte pointer
  if (r.chance(0.1)) v += BigInt(r.range(1, 15)); // misaligned
  return BigInt.asUintN(64, v);
}

/** One body item: one or a few words, biased toward the instructions a hostile guest would use on a hypervisor. */
export function hostileItem(r: HostilePrng, ram: number): number[] {
  const reg = () => r.below(31);
  return r.weighted<() => number[]>([
    [14, () => [r.u32()]],
    // load/store single register: unscaled, post-index, unprivileged, pre-index, register offset; unsigned offset
    [8, () => [fillPattern(r, 'xx111000 xx0 xxxxxxxxx xx xxxxx xxxxx')]],
    [4, () => [fillPattern(r, 'xx111001 xx xxxxxxxxxxxx xxxxx xxxxx')]],
    [6, () => [fillPattern(r, 'xx 101 0 0xx x xxxxxxx xxxxx xxxxx xxxxx')]], // LDP/STP/LDNP/STNP (all indexing)
    [4, () => [fillPattern(r, 'xx 001000 x x x xxxxx x xxxxx xxxxx xxxxx')]], // exclusives, load-acquire, CAS(P)
    [5, () => [fillPattern(r, 'xx 111 0 00 x x 1 xxxxx x xxx 00 xxxxx xxxxx')]], // LSE atomics, SWP, LDAPR
    [5, () => [...ENC.mov64(28, interestingAddress(r, ram)), nisvAccess(r, 28)]],
    [4, () => [...ENC.mov64(reg(), interestingAddress(r, ram))]],
    [4, () => [fillPattern(r, '1101010100 x 1 x xxx xxxx xxxx xxx xxxxx')]], // MSR/MRS, any register
    [6, () => { const s = r.pick(SYSREGS); return [r.chance(0.6) ? ENC.msr(s, reg()) : ENC.mrs(reg(), s)]; }],
    [2, () => [(0xd500401f | (r.pick([0, 3]) << 16) | (r.below(16) << 8) | (r.below(8) << 5)) >>> 0]], // MSR (immediate)
    [3, () => [ENC.eret]],
    [3, () => [fillPattern(r, '11010100 000 xxxxxxxxxxxxxxxx 000 xx')]], // SVC/HVC/SMC
    [1, () => [fillPattern(r, '11010100 xxx xxxxxxxxxxxxxxxx 000 00')]], // BRK/HLT/DCPS...
    [5, () => {
      const out = ENC.mov64(0, psciFunctionId(r));
      if (r.chance(0.5)) out.push(...ENC.mov64(1, BigInt(r.weighted<() => number>([[4, () => r.below(5)], [1, () => r.u32()]])())));
      if (r.chance(0.5)) out.push(...ENC.mov64(2, interestingAddress(r, ram)));
      out.push(r.chance(0.85) ? ENC.hvc(r.chance(0.9) ? 0 : r.below(0x10000)) : (0xd4000003 >>> 0)); // HVC, or SMC #0
      return out;
    }],
    [3, () => [r.pick([0xd503207f, 0xd503205f, 0xd503203f, 0xd503209f, 0xd50320bf, 0xd5033f9f, 0xd5033fbf, 0xd5033fdf])]], // hints, barriers
    [1, () => [fillPattern(r, '11010101 00000011 0001 0000 0xx xxxxx')]], // WFET/WFIT
    [4, () => [fillPattern(r, '1101010100 0 01 xxx 0111 xxxx xxx xxxxx')]], // DC / IC / AT
    [2, () => [fillPattern(r, '1101010100 0 01 xxx 1000 xxxx xxx xxxxx')]], // TLBI
    [2, () => [r.pick([0xd50b7420, 0xd50b7460, 0xd50b7480, 0xd50b7e20, 0xd5087620, 0xd508751f, 0xd50b7520, 0xd508871f, 0xd5088720, 0xd5087800]) | reg()]],
    [4, () => [fillPattern(r, '11011001 xx 1 xxxxxxxxx xx xxxxx xxxxx')]], // STG/STZG/ST2G/STZ2G/LDG/STGM/LDGM...
    [2, () => [fillPattern(r, '01 101 0 0xx 0 xxxxxxx xxxxx xxxxx xxxxx')]], // STGP
    [2, () => [fillPattern(r, '1 x 0 11010110 xxxxx 000x0x xxxxx xxxxx')]], // IRG, GMI, SUBP(S)
    [2, () => [fillPattern(r, '1 x 0 100011 0 xxxxxx 00 xxxx xxxxx xxxxx')]], // ADDG/SUBG
    [1, () => [r.chance(0.5) ? ENC.stg(reg(), 28) : ENC.st2g(reg(), 28)]],
    [3, () => [fillPattern(r, '1101011 0 0 xx 11111 0000 0 0 xxxxx 00000')]], // BR/BLR/RET Xn
    [2, () => [(ENC.b(4 * r.range(-64, 64)) | (r.chance(0.3) ? 0x8000_0000 : 0)) >>> 0]], // B/BL, short reach
    [2, () => [fillPattern(r, '1101011 0100 11111 0000 xx 11111 11111')]], // ERET(AA/AB), DRPS
  ])();
}
