/** Test support: hand encoders for the few A64 instructions the end-to-end tests use (from the Arm ARM encodings). */

const sysFields = (op0: number, op1: number, crn: number, crm: number, op2: number): number =>
  ((op0 - 2) << 19) | (op1 << 16) | (crn << 12) | (crm << 8) | (op2 << 5);

export const SYS = {
  VBAR_EL1: [3, 0, 12, 0, 0],
  ESR_EL1: [3, 0, 5, 2, 0],
  FAR_EL1: [3, 0, 6, 0, 0],
  ELR_EL1: [3, 0, 4, 0, 1],
} as const;

export const A64 = {
  /** MOVZ Xd, #imm16, LSL #(16 * hw) */
  movz: (d: number, imm: number, hw = 0) => (0xd2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0,
  /** MOVK Xd, #imm16, LSL #(16 * hw) */
  movk: (d: number, imm: number, hw = 0) => (0xf2800000 | (hw << 21) | ((imm & 0xffff) << 5) | d) >>> 0,
  /** STRB Wt, [Xn] */
  strb: (t: number, n: number) => (0x39000000 | (n << 5) | t) >>> 0,
  /** STR Wt, [Xn, #imm] */
  strw: (t: number, n: number, imm = 0) => (0xb9000000 | ((imm / 4) << 10) | (n << 5) | t) >>> 0,
  /** LDR Wt, [Xn, #imm] */
  ldrw: (t: number, n: number, imm = 0) => (0xb9400000 | ((imm / 4) << 10) | (n << 5) | t) >>> 0,
  /** LDR Xt, [Xn, #imm] */
  ldrx: (t: number, n: number, imm = 0) => (0xf9400000 | ((imm / 8) << 10) | (n << 5) | t) >>> 0,
  /** STR Xt, [Xn, #imm] */
  strx: (t: number, n: number, imm = 0) => (0xf9000000 | ((imm / 8) << 10) | (n << 5) | t) >>> 0,
  /** CMP Xn, Xm */
  cmp: (n: number, m: number) => (0xeb00001f | (m << 16) | (n << 5)) >>> 0,
  /** B.NE #offset (bytes from this instruction) */
  bne: (offset: number) => (0x54000001 | (((offset / 4) & 0x7ffff) << 5)) >>> 0,
  /** LDP Xt, Xt2, [Xn] (no syndrome for MMIO) */
  ldp: (t: number, t2: number, n: number) => (0xa9400000 | (t2 << 10) | (n << 5) | t) >>> 0,
  /** ADD Xd, Xn, #imm12 */
  addi: (d: number, n: number, imm: number) => (0x91000000 | (imm << 10) | (n << 5) | d) >>> 0,
  /** MOV Xd, Xm */
  mov: (d: number, m: number) => (0xaa0003e0 | (m << 16) | d) >>> 0,
  /** ADR Xd, #offset (bytes from this instruction) */
  adr: (d: number, offset: number) => (0x10000000 | ((offset & 3) << 29) | (((offset >> 2) & 0x7ffff) << 5) | d) >>> 0,
  msr: (sys: readonly number[], t: number) => (0xd5100000 | sysFields(sys[0]!, sys[1]!, sys[2]!, sys[3]!, sys[4]!) | t) >>> 0,
  mrs: (t: number, sys: readonly number[]) => (0xd5300000 | sysFields(sys[0]!, sys[1]!, sys[2]!, sys[3]!, sys[4]!) | t) >>> 0,
  hvc: () => 0xd4000002,
  wfi: () => 0xd503207f,
  isb: () => 0xd5033fdf,
  /** B #offset (bytes from this instruction) */
  b: (offset: number) => (0x14000000 | ((offset / 4) & 0x3ffffff)) >>> 0,
  /** B . */
  self: () => 0x14000000,
  nop: () => 0xd503201f,
  /** Load a 64-bit constant into Xd. */
  mov64: (d: number, v: number | bigint): number[] => {
    const b = BigInt(v);
    const out = [A64.movz(d, Number(b & 0xffffn))];
    for (let hw = 1; hw < 4; hw++) {
      const part = Number((b >> BigInt(16 * hw)) & 0xffffn);
      if (part !== 0) out.push(A64.movk(d, part, hw));
    }
    return out;
  },
};

export const UART_BASE = 0x0900_0000;
export const PSCI_SYSTEM_OFF = 0x8400_0008;
export const PSCI_SYSTEM_RESET = 0x8400_0009;
export const PSCI_CPU_ON64 = 0xc400_0003;

/** Print `text` on the UART (x0 = UART base, x1 scratch). */
export function printCode(text: string): number[] {
  const out = A64.mov64(0, UART_BASE);
  for (const ch of Buffer.from(text, 'latin1')) out.push(A64.movz(1, ch), A64.strb(1, 0));
  return out;
}

/** PSCI call with function id `fid` (x0) over HVC. */
export function psciCode(fid: number): number[] {
  return [...A64.mov64(0, fid), A64.hvc()];
}
