/** Test support: hand encoders for the few A64 instructions the guest-program tests use. */
export const A64 = {
  /** MOVZ Xd, #imm16, LSL #(16 * hw) */
  movz: (d: number, imm: number, hw = 0) => (0xd2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0,
  /** MOVK Xd, #imm16, LSL #(16 * hw) */
  movk: (d: number, imm: number, hw = 0) => (0xf2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0,
  /** MOV Xd, Xm (ORR Xd, XZR, Xm) */
  mov: (d: number, m: number) => (0xaa0003e0 | (m << 16) | d) >>> 0,
  strb: (t: number, n: number) => (0x39000000 | (n << 5) | t) >>> 0,
  strh: (t: number, n: number) => (0x79000000 | (n << 5) | t) >>> 0,
  strw: (t: number, n: number) => (0xb9000000 | (n << 5) | t) >>> 0,
  strx: (t: number, n: number) => (0xf9000000 | (n << 5) | t) >>> 0,
  ldrb: (t: number, n: number) => (0x39400000 | (n << 5) | t) >>> 0,
  ldrsbx: (t: number, n: number) => (0x39800000 | (n << 5) | t) >>> 0,
  ldrsbw: (t: number, n: number) => (0x39c00000 | (n << 5) | t) >>> 0,
  ldrshx: (t: number, n: number) => (0x79800000 | (n << 5) | t) >>> 0,
  ldrw: (t: number, n: number) => (0xb9400000 | (n << 5) | t) >>> 0,
  ldrswx: (t: number, n: number) => (0xb9800000 | (n << 5) | t) >>> 0,
  ldrx: (t: number, n: number) => (0xf9400000 | (n << 5) | t) >>> 0,
  /** STP Xt, Xt2, [Xn] (no syndrome for MMIO: ISV = 0) */
  stp: (t: number, t2: number, n: number) => (0xa9000000 | (t2 << 10) | (n << 5) | t) >>> 0,
  hvc: (imm = 0) => (0xd4000002 | (imm << 5)) >>> 0,
  smc: (imm = 0) => (0xd4000003 | (imm << 5)) >>> 0,
  wfi: () => 0xd503207f,
  /** B . */
  self: () => 0x14000000,
  /** MRS Xt, (op0, op1, CRn, CRm, op2) */
  mrs: (t: number, op0: number, op1: number, crn: number, crm: number, op2: number) =>
    (0xd5300000 | ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | t) >>> 0,
  /** MSR (op0, op1, CRn, CRm, op2), Xt */
  msr: (t: number, op0: number, op1: number, crn: number, crm: number, op2: number) =>
    (0xd5100000 | ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5) | t) >>> 0,
  /** ADD Xd, Xn, #imm12 */
  addi: (d: number, n: number, imm: number) => (0x91000000 | ((imm & 0xfff) << 10) | (n << 5) | d) >>> 0,
  /** STG Xt, [Xn, #simm9 << 4] (signed offset) */
  stg: (t: number, n: number, imm = 0) => (0xd9200800 | ((imm & 0x1ff) << 12) | (n << 5) | t) >>> 0,
  /** LDG Xt, [Xn, #simm9 << 4] */
  ldg: (t: number, n: number, imm = 0) => (0xd9600000 | ((imm & 0x1ff) << 12) | (n << 5) | t) >>> 0,
  /** IRG Xd, Xn, Xm */
  irg: (d: number, n: number, m: number) => (0x9ac01000 | (m << 16) | (n << 5) | d) >>> 0,
  /** B #offset (in instructions) */
  b: (words: number) => (0x14000000 | (words & 0x3ffffff)) >>> 0,
  /** Load a 64-bit constant into Xd: MOVZ + up to three MOVK. */
  mov64: (d: number, v: bigint): number[] => {
    const out = [A64.movz(d, Number(v & 0xffffn))];
    for (let hw = 1; hw < 4; hw++) {
      const part = Number((v >> BigInt(16 * hw)) & 0xffffn);
      if (part !== 0) out.push(A64.movk(d, part, hw));
    }
    return out;
  },
};
