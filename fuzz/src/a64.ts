/**
 * Hand-written A64 encoders for what the fuzz harness itself needs, and a tiny assembler with labels. Every word is
 * built from the Arm ARM encoding diagrams (field positions in the comments); no cross toolchain is needed at run
 * time. Registers are numbers 0..31 (31 = XZR or SP as the instruction defines).
 */

const u = (v: number): number => v >>> 0;

// ---- data processing ----
/** MOVZ Xd, #imm16, LSL #(16*hw): 1 10 100101 hw imm16 Rd */
export const movz = (rd: number, imm16: number, hw = 0): number => u(0xd2800000 | (hw << 21) | ((imm16 & 0xffff) << 5) | rd);
/** MOVK Xd, #imm16, LSL #(16*hw): 1 11 100101 hw imm16 Rd */
export const movk = (rd: number, imm16: number, hw = 0): number => u(0xf2800000 | (hw << 21) | ((imm16 & 0xffff) << 5) | rd);
/** MOVN Xd, #imm16, LSL #(16*hw): 1 00 100101 hw imm16 Rd */
export const movn = (rd: number, imm16: number, hw = 0): number => u(0x92800000 | (hw << 21) | ((imm16 & 0xffff) << 5) | rd);

/** The shortest MOVZ/MOVN + MOVK sequence that puts a 64-bit value in Xd (Xd != 31). */
export function mov64(rd: number, value: bigint): number[] {
  const v = BigInt.asUintN(64, value);
  const halves = [0, 1, 2, 3].map((i) => Number((v >> BigInt(16 * i)) & 0xffffn));
  const zeros = halves.filter((h) => h === 0).length;
  const ones = halves.filter((h) => h === 0xffff).length;
  const out: number[] = [];
  if (ones > zeros) {
    let first = true;
    for (let i = 0; i < 4; i++) {
      if (halves[i] === 0xffff) continue;
      if (first) out.push(movn(rd, ~halves[i]! & 0xffff, i));
      else out.push(movk(rd, halves[i]!, i));
      first = false;
    }
    if (first) out.push(movn(rd, 0, 0));
  } else {
    let first = true;
    for (let i = 0; i < 4; i++) {
      if (halves[i] === 0) continue;
      if (first) out.push(movz(rd, halves[i]!, i));
      else out.push(movk(rd, halves[i]!, i));
      first = false;
    }
    if (first) out.push(movz(rd, 0, 0));
  }
  return out;
}

/** ADD Xd|SP, Xn|SP, #imm12{, LSL #12}: 1 0 0 100010 sh imm12 Rn Rd */
export const addImm = (rd: number, rn: number, imm12: number, sh = 0): number => u(0x91000000 | (sh << 22) | (imm12 << 10) | (rn << 5) | rd);
/** SUB Xd|SP, Xn|SP, #imm12: 1 1 0 100010 sh imm12 Rn Rd */
export const subImm = (rd: number, rn: number, imm12: number, sh = 0): number => u(0xd1000000 | (sh << 22) | (imm12 << 10) | (rn << 5) | rd);
/** SUBS Xd, Xn|SP, #imm12 (CMP when Rd = 31) */
export const subsImm = (rd: number, rn: number, imm12: number): number => u(0xf1000000 | (imm12 << 10) | (rn << 5) | rd);
/** SUBS Xd, Xn, Xm (CMP when Rd = 31): 1 1 1 01011 00 0 Rm 000000 Rn Rd */
export const subsReg = (rd: number, rn: number, rm: number): number => u(0xeb000000 | (rm << 16) | (rn << 5) | rd);
/** ADD Xd, Xn, Xm, LSL #imm6 */
export const addReg = (rd: number, rn: number, rm: number, lsl = 0): number => u(0x8b000000 | (rm << 16) | (lsl << 10) | (rn << 5) | rd);
/** SUB Xd, Xn, Xm */
export const subReg = (rd: number, rn: number, rm: number): number => u(0xcb000000 | (rm << 16) | (rn << 5) | rd);
/** EOR Xd, Xn, Xm, (LSL|LSR) #imm6: 1 10 01010 shift 0 Rm imm6 Rn Rd */
export const eorShift = (rd: number, rn: number, rm: number, shift: 0 | 1, imm6: number): number =>
  u(0xca000000 | (shift << 22) | (rm << 16) | (imm6 << 10) | (rn << 5) | rd);
/** ORR Xd, XZR, Xm (MOV) */
export const movReg = (rd: number, rm: number): number => u(0xaa0003e0 | (rm << 16) | rd);
/** LSRV Xd, Xn, Xm: 1 0 0 11010110 Rm 0010 01 Rn Rd */
export const lsrv = (rd: number, rn: number, rm: number): number => u(0x9ac02400 | (rm << 16) | (rn << 5) | rd);
/** UBFM Xd, Xn, #immr, #imms (LSR #s = UBFM immr=s imms=63): 1 10 100110 1 immr imms Rn Rd */
export const ubfm = (rd: number, rn: number, immr: number, imms: number): number => u(0xd3400000 | (immr << 16) | (imms << 10) | (rn << 5) | rd);
export const lsrImm = (rd: number, rn: number, s: number): number => ubfm(rd, rn, s, 63);
/** AND Xd, Xn, #(2^k - 1): logical immediate N=1 immr=0 imms=k-1 */
export const andLowBits = (rd: number, rn: number, k: number): number => u(0x92400000 | ((k - 1) << 10) | (rn << 5) | rd);
/** AND Xd, Xn, #~(2^k - 1) (clear the low k bits): N=1, immr=64-k, imms=63-k-1 */
export const clearLowBits = (rd: number, rn: number, k: number): number =>
  u(0x92400000 | (((64 - k) & 63) << 16) | ((63 - k) << 10) | (rn << 5) | rd);
/** CSEL Xd, Xn, Xm, cond: 1 0 0 11010100 Rm cond 00 Rn Rd */
export const csel = (rd: number, rn: number, rm: number, cond: number): number => u(0x9a800000 | (rm << 16) | (cond << 12) | (rn << 5) | rd);
/** MADD Xd, Xn, Xm, Xa: 1 00 11011 000 Rm 0 Ra Rn Rd */
export const madd = (rd: number, rn: number, rm: number, ra: number): number => u(0x9b000000 | (rm << 16) | (ra << 10) | (rn << 5) | rd);

export const COND = { EQ: 0, NE: 1, CS: 2, HS: 2, CC: 3, LO: 3, MI: 4, PL: 5, VS: 6, VC: 7, HI: 8, LS: 9, GE: 10, LT: 11, GT: 12, LE: 13, AL: 14 } as const;

// ---- loads and stores (unsigned offset forms take the byte offset) ----
/** LDR Xt, [Xn|SP, #off] (off a multiple of 8): 11 111 0 01 01 imm12 Rn Rt */
export const ldrX = (rt: number, rn: number, off = 0): number => u(0xf9400000 | ((off / 8) << 10) | (rn << 5) | rt);
export const strX = (rt: number, rn: number, off = 0): number => u(0xf9000000 | ((off / 8) << 10) | (rn << 5) | rt);
export const ldrW = (rt: number, rn: number, off = 0): number => u(0xb9400000 | ((off / 4) << 10) | (rn << 5) | rt);
export const strW = (rt: number, rn: number, off = 0): number => u(0xb9000000 | ((off / 4) << 10) | (rn << 5) | rt);
export const ldrB = (rt: number, rn: number, off = 0): number => u(0x39400000 | (off << 10) | (rn << 5) | rt);
export const strB = (rt: number, rn: number, off = 0): number => u(0x39000000 | (off << 10) | (rn << 5) | rt);
/** LDRB Wt, [Xn], #imm9 (post-index): 00 111 0 00 01 0 imm9 01 Rn Rt */
export const ldrBPost = (rt: number, rn: number, imm9: number): number => u(0x38400400 | ((imm9 & 0x1ff) << 12) | (rn << 5) | rt);
/** STR Xt, [Xn], #imm9 (post-index): 11 111 0 00 00 0 imm9 01 Rn Rt */
export const strXPost = (rt: number, rn: number, imm9: number): number => u(0xf8000400 | ((imm9 & 0x1ff) << 12) | (rn << 5) | rt);
/** LDR Xt, [Xn], #imm9 (post-index) */
export const ldrXPost = (rt: number, rn: number, imm9: number): number => u(0xf8400400 | ((imm9 & 0x1ff) << 12) | (rn << 5) | rt);
/** LDR Xt, [Xn|SP, Xm{, LSL #3}]: 11 111 0 00 01 1 Rm 011 S 10 Rn Rt */
export const ldrXReg = (rt: number, rn: number, rm: number, scaled = false): number =>
  u(0xf8606800 | (rm << 16) | (scaled ? 0x1000 : 0) | (rn << 5) | rt);
/** AND Xd, Xn, Xm */
export const andReg = (rd: number, rn: number, rm: number): number => u(0x8a000000 | (rm << 16) | (rn << 5) | rd);
/** SUBS XZR, Xn, #imm12, LSL #12 (CMP with a shifted immediate) */
export const cmpImmLsl12 = (rn: number, imm12: number): number => u(0xf140001f | (imm12 << 10) | (rn << 5));
/** STP Xt, Xt2, [Xn|SP, #off] (signed offset): 10 101 0 010 0 imm7 Rt2 Rn Rt */
export const stp = (rt: number, rt2: number, rn: number, off: number): number => u(0xa9000000 | (((off / 8) & 0x7f) << 15) | (rt2 << 10) | (rn << 5) | rt);
/** LDP Xt, Xt2, [Xn|SP, #off] (signed offset): 10 101 0 010 1 imm7 Rt2 Rn Rt */
export const ldp = (rt: number, rt2: number, rn: number, off: number): number => u(0xa9400000 | (((off / 8) & 0x7f) << 15) | (rt2 << 10) | (rn << 5) | rt);

/** LDP Qt, Qt2, [Xn|SP, #off] (SIMD&FP, signed offset, off a multiple of 16): 10 101 1 010 1 imm7 Rt2 Rn Rt */
export const ldpQ = (rt: number, rt2: number, rn: number, off: number): number => u(0xad400000 | (((off / 16) & 0x7f) << 15) | (rt2 << 10) | (rn << 5) | rt);
/** STP Qt, Qt2, [Xn|SP, #off] (SIMD&FP, signed offset): 10 101 1 010 0 imm7 Rt2 Rn Rt */
export const stpQ = (rt: number, rt2: number, rn: number, off: number): number => u(0xad000000 | (((off / 16) & 0x7f) << 15) | (rt2 << 10) | (rn << 5) | rt);

// ---- branches (offsets in bytes, from this instruction) ----
export const b = (off: number): number => u(0x14000000 | ((off >> 2) & 0x3ffffff));
export const bl = (off: number): number => u(0x94000000 | ((off >> 2) & 0x3ffffff));
export const bcond = (cond: number, off: number): number => u(0x54000000 | (((off >> 2) & 0x7ffff) << 5) | cond);
export const cbz = (rt: number, off: number): number => u(0xb4000000 | (((off >> 2) & 0x7ffff) << 5) | rt);
export const cbnz = (rt: number, off: number): number => u(0xb5000000 | (((off >> 2) & 0x7ffff) << 5) | rt);
export const cbzW = (rt: number, off: number): number => u(0x34000000 | (((off >> 2) & 0x7ffff) << 5) | rt);
/** ADR Xd, #off: 0 immlo 10000 immhi Rd */
export const adr = (rd: number, off: number): number => u(0x10000000 | ((off & 3) << 29) | (((off >> 2) & 0x7ffff) << 5) | rd);
/** TBZ/TBNZ Rt, #bit, off: b5 011011 op b40 imm14 Rt */
export const tbz = (rt: number, bit: number, off: number): number =>
  u(0x36000000 | ((bit >> 5) << 31) | ((bit & 31) << 19) | (((off >> 2) & 0x3fff) << 5) | rt);
export const tbnz = (rt: number, bit: number, off: number): number => u(tbz(rt, bit, off) | 0x01000000);
export const ret = (rn = 30): number => u(0xd65f0000 | (rn << 5));
export const br = (rn: number): number => u(0xd61f0000 | (rn << 5));
export const blr = (rn: number): number => u(0xd63f0000 | (rn << 5));

// ---- system ----
export interface SysRegEnc { op0: number; op1: number; crn: number; crm: number; op2: number }
const sysField = (r: SysRegEnc): number => ((r.op0 - 2) << 19) | (r.op1 << 16) | (r.crn << 12) | (r.crm << 8) | (r.op2 << 5);
/** MRS Xt, <reg>: 1101010100 1 1 o0 op1 CRn CRm op2 Rt */
export const mrs = (rt: number, r: SysRegEnc): number => u(0xd5300000 | sysField(r) | rt);
/** MSR <reg>, Xt: 1101010100 0 1 o0 op1 CRn CRm op2 Rt */
export const msr = (r: SysRegEnc, rt: number): number => u(0xd5100000 | sysField(r) | rt);
/** MSR <pstatefield>, #imm: 1101010100 0 00 op1 0100 CRm op2 11111 */
export const msrImm = (op1: number, op2: number, crm: number): number => u(0xd500401f | (op1 << 16) | (crm << 8) | (op2 << 5));
export const SPSEL_IMM = (v: number): number => msrImm(0, 5, v);
export const DAIFSET = (v: number): number => msrImm(3, 6, v);
export const PAN_IMM = (v: number): number => msrImm(0, 4, v);

const R = (op0: number, op1: number, crn: number, crm: number, op2: number): SysRegEnc => ({ op0, op1, crn, crm, op2 });
export const REG = {
  SCTLR_EL1: R(3, 0, 1, 0, 0),
  CPACR_EL1: R(3, 0, 1, 0, 2),
  TTBR0_EL1: R(3, 0, 2, 0, 0),
  TCR_EL1: R(3, 0, 2, 0, 2),
  SPSR_EL1: R(3, 0, 4, 0, 0),
  ELR_EL1: R(3, 0, 4, 0, 1),
  SP_EL0: R(3, 0, 4, 1, 0),
  SPSel: R(3, 0, 4, 2, 0),
  CurrentEL: R(3, 0, 4, 2, 2),
  PAN: R(3, 0, 4, 2, 3),
  UAO: R(3, 0, 4, 2, 4),
  NZCV: R(3, 3, 4, 2, 0),
  DAIF: R(3, 3, 4, 2, 1),
  SSBS: R(3, 3, 4, 2, 6),
  ESR_EL1: R(3, 0, 5, 2, 0),
  FAR_EL1: R(3, 0, 6, 0, 0),
  MAIR_EL1: R(3, 0, 10, 2, 0),
  LORSA_EL1: R(3, 0, 10, 4, 0),
  LOREA_EL1: R(3, 0, 10, 4, 1),
  LORN_EL1: R(3, 0, 10, 4, 2),
  LORC_EL1: R(3, 0, 10, 4, 3),
  LORID_EL1: R(3, 0, 10, 4, 7),
  VBAR_EL1: R(3, 0, 12, 0, 0),
  TPIDR_EL1: R(3, 0, 13, 0, 4),
  TPIDR_EL0: R(3, 3, 13, 0, 2),
  TPIDRRO_EL0: R(3, 3, 13, 0, 3),
  GCR_EL1: R(3, 0, 1, 0, 6),
  RGSR_EL1: R(3, 0, 1, 0, 5),
  FPCR: R(3, 3, 4, 4, 0),
  FPSR: R(3, 3, 4, 4, 1),
} as const;

/** MSR TCO, #imm (FEAT_MTE). */
export const TCO_IMM = (v: number): number => msrImm(3, 4, v);
/** ORR Xd, Xn, Xm. */
export const orrReg = (rd: number, rn: number, rm: number): number => u(0xaa000000 | (rm << 16) | (rn << 5) | rd);
/** STG Xt, [Xn] (signed offset 0) and LDG Xt, [Xn] (FEAT_MTE). */
export const stg = (rt: number, rn: number): number => u(0xd9200800 | (rn << 5) | rt);
export const ldg = (rt: number, rn: number): number => u(0xd9600000 | (rn << 5) | rt);

export const ERET = 0xd69f03e0;
export const ISB = 0xd5033fdf;
export const DSB_SY = 0xd5033f9f;
export const NOP = 0xd503201f;
export const TLBI_VMALLE1 = 0xd508871f;
export const IC_IALLU = 0xd508751f;
export const CLREX = 0xd5033f5f;
export const hvc = (imm: number): number => u(0xd4000002 | (imm << 5));
export const svc = (imm: number): number => u(0xd4000001 | (imm << 5));
export const brk = (imm: number): number => u(0xd4200000 | (imm << 5));

/** A tiny assembler: emit words, bind labels, patch PC-relative references once every label is known. */
export class Asm {
  readonly words: number[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string; enc: (off: number) => number }[] = [];
  constructor(readonly base: number) {}

  get pc(): number {
    return this.base + 4 * this.words.length;
  }
  emit(...ws: number[]): this {
    for (const w of ws) this.words.push(w >>> 0);
    return this;
  }
  label(name: string): this {
    if (this.labels.has(name)) throw new Error(`label ${name} bound twice`);
    this.labels.set(name, this.pc);
    return this;
  }
  addr(name: string): number {
    const a = this.labels.get(name);
    if (a === undefined) throw new Error(`unknown label ${name}`);
    return a;
  }
  /** Emit a PC-relative instruction to `label`, encoded by `enc(byteOffset)` once the label is bound. */
  ref(label: string, enc: (off: number) => number): this {
    this.fixups.push({ at: this.words.length, label, enc });
    this.words.push(0);
    return this;
  }
  /** Pad with `fill` to an address aligned to `align` bytes. */
  align(align: number, fill = NOP): this {
    while (this.pc % align !== 0) this.words.push(fill);
    return this;
  }
  finish(): Uint32Array {
    for (const f of this.fixups) this.words[f.at] = f.enc(this.addr(f.label) - (this.base + 4 * f.at)) >>> 0;
    return Uint32Array.from(this.words);
  }
}
