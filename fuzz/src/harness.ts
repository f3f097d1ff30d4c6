/**
 * The bare-metal harness, written as machine code by the fuzzer (see a64.ts): one ELF runs K generated sequences.
 *
 * Memory layout (physical = virtual; QEMU virt RAM starts at 0x4000_0000):
 *   IMAGE      0x4008_0000  harness code (driver, print routines, exception handler)
 *   VECTORS    IMAGE+0x1000 VBAR_EL1 (2 KiB aligned)
 *   L1, L2     IMAGE+0x2000, +0x3000: the MMU-on identity map (built here, not by the guest)
 *   GLOBALS    IMAGE+0x4000 sequence index, descriptor pointer, exception count, sequence address; strings
 *   DESCS      IMAGE+0x5000 one descriptor per sequence (code address, SPSR, SP_EL0, memory seed, X0-X30; FP mode
 *              also FPCR, FPSR, V0-V31)
 *   sequences  after the descriptors, each ending with BRK #END_MARK
 *   stack      SP_EL1 grows down from STACK_TOP (the sequences run with SP_EL0: PSTATE.SP = 0, EL1t)
 *   VDUMP      STACK_TOP: FP mode's epilogue stores V0-V31 here (512 bytes) to print them
 *   SANDBOX    the last 4 KiB of the 256 MiB of RAM, 0x4FFF_F000..0x5000_0000: what loads/stores target. Just above
 *              it is no RAM (synchronous External abort with the MMU off, level-2 translation fault with it on).
 *
 * For each sequence the driver fills the sandbox from a xorshift64 stream seeded by the descriptor, zeroes
 * TPIDR_EL0/TPIDRRO_EL0/TPIDR_EL1, clears the exclusive monitor, loads SP_EL0, ELR_EL1 = sequence, SPSR_EL1 =
 * NZCV | DAIF masked | EL1t, all of X0-X30, and ERETs into the sequence. Every synchronous exception from the
 * sequence (vector "current EL with SP0") prints one line,
 *   `E <ESR, EA masked> [F <FAR>] @<ELR - sequence start>`
 * (FAR only for instruction/data aborts with FnV = 0 and PC alignment faults: it is UNKNOWN otherwise; ESR.EA is an
 * IMPLEMENTATION DEFINED classification), and resumes at ELR + 4 (SVC: at ELR, already the next instruction; PC
 * alignment fault: at the misaligned branch target rounded down, the start of a generated item). The sequence's end marker BRK traps to the same handler,
 * which then prints `x00 ..` to `x30 ..`, `sp ..` (SP_EL0), `nzcv .`, `tp0/tpro/tp1 ..`, and `m <offset> <value>` for
 * every sandbox doubleword that differs from the initial pattern, and goes on with the next sequence. After the last
 * one it prints `DONE` and powers off with PSCI SYSTEM_OFF (x0 = 0x84000008, HVC #0).
 *
 * MTE mode adds a Tagged Normal sandbox, an STG loop seeding its allocation tags, RGSR_EL1/GCR_EL1 per sequence and
 * `t <granule> <tags>` lines after the `m` lines (README.md, "MTE mode").
 *
 * FP mode (the MMU-on map) enables SIMD&FP (CPACR_EL1.FPEN = 0b11), loads FPCR, FPSR and V0-V31 from the
 * descriptor before each sequence, and prints `v<nn> <128 bits>`, `fpsr ..` and `fpcr ..` after the
 * `tp1` line (README.md, "FP mode").
 */
import {
  addImm, addReg, andLowBits, andReg, Asm, b, bcond, bl, CLREX, clearLowBits, cmpImmLsl12, COND, csel, DAIFSET, DSB_SY,
  eorShift, ERET, hvc, IC_IALLU, ISB, ldp, ldrB, ldrBPost, ldrX, ldrXPost, ldrXReg, lsrImm, lsrv, madd, mov64, movReg, mrs,
  msr, orrReg, stg, ldpQ, stpQ, ldg, TCO_IMM, PAN_IMM, REG, ret, SPSEL_IMM, stp, strB, strW, strX, subImm, subReg, subsImm, subsReg,
  TLBI_VMALLE1, tbnz, brk, type SysRegEnc,
} from './a64.js';
import { writeElf } from './elf.js';

export const IMAGE = 0x4008_0000;
export const VECTORS = IMAGE + 0x1000;
export const L1_TABLE = IMAGE + 0x2000;
export const L2_TABLE = IMAGE + 0x3000;
export const GLOBALS = IMAGE + 0x4000;
export const DESCS = IMAGE + 0x5000;
/** A descriptor: code address, SPSR, SP_EL0, memory seed, X0-X30, MTE registers. */
export const DESC_SIZE = 288;
/** FP mode's descriptor: DESC_SIZE, then FPCR, FPSR (8 bytes each), V0-V31 (16 bytes each, low doubleword first). */
export const FP_DESC_SIZE = DESC_SIZE + 16 + 32 * 16;
const descSize = (mode: Mode): number => (mode === 'fp' ? FP_DESC_SIZE : DESC_SIZE);
export const STACK_TOP = 0x4800_0000;
/** FP mode: where the epilogue stores V0-V31 to print them (512 bytes above the stack). */
const VDUMP = STACK_TOP;
export const SANDBOX = 0x4fff_f000;
export const SANDBOX_SIZE = 0x1000;
export const RAM_END = 0x5000_0000;
export const UART = 0x0900_0000;
/** The BRK immediate that ends every sequence; the generator never emits it. */
export const END_MARK = 0x5eed;
/** End markers after each sequence. */
const END_WORDS = 4;
export const END_ESR = 0xf200_0000 + END_MARK; // EC 0x3C (BRK), IL = 1
/** More exceptions than this in one sequence abandon it (a model that loops cannot hang the run). */
export const MAX_EXCEPTIONS = 64;

/**
 * `mte`: the MMU-on map with the sandbox's 2 MiB block Tagged Normal (MAIR Attr2 = 0xf0), TCR_EL1.TBI0, SCTLR_EL1.ATA
 * and TCF = 1 (synchronous tag checks at EL1), run on QEMU `-M virt,mte=on -cpu max` and vmm-lite with `mte: true`.
 * `fp`: the MMU-on map with SIMD&FP enabled and V0-V31/FPCR/FPSR loaded and printed, run on QEMU `-M virt -cpu max`
 * and vmm-lite with `mte: false`.
 */
export type Mode = 'mmu-off' | 'mmu-on' | 'mte' | 'fp';

/** FP mode: the SIMD&FP state a sequence starts with. */
export interface FpInit {
  /** V0-V31, 128-bit values. */
  v: bigint[];
  /** FPCR: only bits 0x07ff_0000 (what the model implements; see README.md, "FP mode"). */
  fpcr: number;
  /** FPSR: cumulative flags (0 or random). */
  fpsr: number;
}

export interface SeqInit {
  x: bigint[]; // 31 values
  nzcv: number;
  sp: bigint;
  /** Seed of the sandbox's xorshift64 fill (non-zero). */
  memSeed: bigint;
  /** MTE mode: RGSR_EL1 (low 32 bits) and GCR_EL1 (high 32 bits) set before the sequence. */
  mteRegs?: bigint;
  /** FP mode: V0-V31, FPCR and FPSR set before the sequence. */
  fp?: FpInit;
}

export interface SeqCode {
  /** Position-independent words of the sequence, without the end marker (added here). */
  words: readonly number[];
  init: SeqInit;
}

const SCTLR_RES1 = 0x30d0_0800n; // Armv8.0 RES1 bits 29, 28, 23 (SPAN), 22, 20, 11; MMU, caches, alignment checks off
const SCTLR_M = 1n;
const SCTLR_C = 1n << 2n;
const SCTLR_I = 1n << 12n;
/** MAIR: Attr0 Device-nGnRnE, Attr1 Normal inner/outer write-back. */
const MAIR = 0xff00n;
/** MTE mode: Attr2 Tagged Normal inner/outer write-back. */
const MAIR_MTE = 0xf0ff00n;
/** SCTLR_EL1.ATA (bit 43: tag access at EL1) and TCF = 01 (bits 41:40: synchronous tag check faults at EL1). */
const SCTLR_MTE = (1n << 43n) | (1n << 40n);
/** TCR_EL1.TBI0 (bit 37). */
const TCR_TBI0 = 1n << 37n;
/** The sandbox's 16-byte granules. */
const GRANULES = SANDBOX_SIZE / 16;
/** TCR: T0SZ 25 (39-bit VA, walk starts at level 1), IRGN0 = ORGN0 = WBWA, SH0 inner, TG0 4 KiB, EPD1, IPS 36 bits. */
const TCR = 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (1n << 23n) | (1n << 32n);

/** Block and table descriptors of the MMU-on identity map. */
function pageTables(mode: Mode): { l1: Uint8Array; l2: Uint8Array } {
  const l1 = new Uint8Array(4096);
  const l2 = new Uint8Array(4096);
  const v1 = new DataView(l1.buffer);
  const v2 = new DataView(l2.buffer);
  const AF = 1n << 10n;
  const SH_INNER = 3n << 8n;
  const UXN = 1n << 54n;
  const PXN = 1n << 53n;
  // L1[0]: 0..1 GiB as one Device-nGnRnE block (the UART), never executable.
  v1.setBigUint64(0, 0x0n | AF | UXN | PXN | (0n << 2n) | 1n, true);
  // L1[1]: 1..2 GiB through the L2 table.
  v1.setBigUint64(8, BigInt(L2_TABLE) | 3n, true);
  // L2[0..127]: the 256 MiB of RAM as 2 MiB Normal blocks, EL1 RW (AP = 00); the sandbox's block also EL0 RW
  // (AP = 01), so LDTR/STTR can succeed there (and it is implicitly privileged execute-never). L2[128..]: invalid.
  for (let i = 0; i < 128; i++) {
    const pa = 0x4000_0000n + BigInt(i) * 0x20_0000n;
    const ap = pa === BigInt(SANDBOX & ~0x1f_ffff) ? 1n << 6n : 0n;
    const attr = mode === 'mte' && ap !== 0n ? 2n : 1n; // MTE mode: the sandbox's block is Tagged Normal
    v2.setBigUint64(8 * i, pa | AF | SH_INNER | ap | UXN | (attr << 2n) | 1n, true);
  }
  return { l1, l2 };
}

// Registers the harness uses while printing: x0 argument, x1..x7 scratch of the print routines.
const X0 = 0, X1 = 1, X2 = 2, X3 = 3, X4 = 4, X7 = 7, X9 = 9, X10 = 10;
/** CPACR_EL1.FPEN = 0b11 (bits 21:20): SIMD&FP not trapped at EL0 or EL1. */
const CPACR_FPEN = 3n << 20n;
const SP = 31, XZR = 31;

function harnessCode(mode: Mode, count: number, strings: Map<string, number>): Uint32Array {
  const a = new Asm(IMAGE);
  const str = (s: string): number => {
    const addr = strings.get(s);
    if (addr === undefined) throw new Error(`string ${JSON.stringify(s)} not in the table`);
    return addr;
  };
  const printStr = (s: string): void => {
    a.emit(...mov64(X0, BigInt(str(s))));
    a.ref('print_str', bl);
  };
  const printHex = (reg: number, digits: number): void => {
    if (reg !== X0) a.emit(movReg(X0, reg));
    a.emit(...mov64(X1, BigInt(digits)));
    a.ref('print_hex', bl);
  };
  /** Print `label`, then system register `reg` as 16 hex digits. */
  const printSysReg = (label: string, reg: SysRegEnc): void => {
    printStr(label);
    a.emit(mrs(X0, reg));
    printHex(X0, 16);
  };
  const putc = (ch: string): void => {
    a.emit(...mov64(X0, BigInt(ch.charCodeAt(0))));
    a.ref('putc', bl);
  };

  // ---- reset ----
  a.label('start');
  a.emit(DAIFSET(0xf));
  a.emit(...mov64(X0, BigInt(VECTORS)), msr(REG.VBAR_EL1, X0));
  const fp = mode === 'fp';
  if (fp) a.emit(...mov64(X0, CPACR_FPEN), msr(REG.CPACR_EL1, X0));
  else a.emit(msr(REG.CPACR_EL1, XZR));
  a.emit(...mov64(X0, SCTLR_RES1), msr(REG.SCTLR_EL1, X0), ISB);
  const mte = mode === 'mte';
  if (mte) a.emit(TCO_IMM(1)); // the harness's own accesses are never tag checked (exception entry also sets TCO)
  if (mode !== 'mmu-off') {
    a.emit(...mov64(X0, mte ? MAIR_MTE : MAIR), msr(REG.MAIR_EL1, X0));
    a.emit(...mov64(X0, mte ? TCR | TCR_TBI0 : TCR), msr(REG.TCR_EL1, X0));
    a.emit(...mov64(X0, BigInt(L1_TABLE)), msr(REG.TTBR0_EL1, X0));
    a.emit(ISB, TLBI_VMALLE1, DSB_SY, IC_IALLU, DSB_SY, ISB);
    a.emit(...mov64(X0, SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_I | (mte ? SCTLR_MTE : 0n)), msr(REG.SCTLR_EL1, X0), ISB);
  }
  a.emit(SPSEL_IMM(1));
  a.emit(...mov64(X9, BigInt(UART)), ...mov64(X1, 0x301n), strW(X1, X9, 0x30)); // UARTCR: UARTEN, TXE, RXE
  a.emit(...mov64(X9, BigInt(GLOBALS)), strX(XZR, X9, 0));

  // ---- driver: set up and enter sequence GLOBALS[0] ----
  a.label('driver');
  a.emit(...mov64(X0, BigInt(STACK_TOP)), addImm(SP, X0, 0));
  a.emit(...mov64(X9, BigInt(GLOBALS)), ldrX(20, X9, 0));
  a.emit(...mov64(X10, BigInt(count)), subsReg(XZR, 20, X10));
  a.ref('finish', (off) => bcond(COND.HS, off));
  a.emit(...mov64(19, BigInt(DESCS)), ...mov64(X10, BigInt(descSize(mode))), madd(19, 20, X10, 19));
  a.emit(strX(19, X9, 8), strX(XZR, X9, 16), ldrX(21, 19, 0), strX(21, X9, 24));
  putc('#');
  printHex(20, 4);
  putc('\n');
  // sandbox fill: xorshift64 (13, 7, 17)
  a.emit(ldrX(X0, 19, 24), ...mov64(X1, BigInt(SANDBOX)), ...mov64(X2, BigInt(SANDBOX_SIZE / 8)));
  a.label('fill');
  a.emit(eorShift(X0, X0, X0, 0, 13), eorShift(X0, X0, X0, 1, 7), eorShift(X0, X0, X0, 0, 17));
  a.emit(0xf8008420 /* str x0, [x1], #8 */, subsImm(X2, X2, 1));
  a.ref('fill', (off) => bcond(COND.NE, off));
  if (mte) {
    // Allocation tags: granule g gets bits 59:56 of the next xorshift64 value (the stream goes on from the fill).
    a.emit(...mov64(X1, BigInt(SANDBOX)), ...mov64(X2, BigInt(GRANULES)), ...mov64(X4, 0xfn << 56n));
    a.label('tag_fill');
    a.emit(eorShift(X0, X0, X0, 0, 13), eorShift(X0, X0, X0, 1, 7), eorShift(X0, X0, X0, 0, 17));
    a.emit(andReg(X3, X0, X4), orrReg(X3, X3, X1), stg(X3, X3), addImm(X1, X1, 16), subsImm(X2, X2, 1));
    a.ref('tag_fill', (off) => bcond(COND.NE, off));
    // IRG's state: RGSR_EL1 and GCR_EL1 (RRND = 0, the architected pseudo-random sequence) from the descriptor.
    a.emit(ldrX(X0, 19, 280), andLowBits(X1, X0, 32), msr(REG.RGSR_EL1, X1), lsrImm(X0, X0, 32), msr(REG.GCR_EL1, X0));
  }
  if (fp) {
    // FPCR, FPSR and V0-V31 from the descriptor (x19).
    a.emit(ldrX(X0, 19, DESC_SIZE), msr(REG.FPCR, X0), ldrX(X0, 19, DESC_SIZE + 8), msr(REG.FPSR, X0));
    a.emit(addImm(X0, 19, DESC_SIZE + 16));
    for (let r = 0; r < 32; r += 2) a.emit(ldpQ(r, r + 1, X0, 16 * r));
  }
  a.emit(msr(REG.TPIDR_EL0, XZR), msr(REG.TPIDRRO_EL0, XZR), msr(REG.TPIDR_EL1, XZR), CLREX);
  a.emit(ldrX(X0, 19, 16), msr(REG.SP_EL0, X0));
  a.emit(msr(REG.ELR_EL1, 21), ldrX(X0, 19, 8), msr(REG.SPSR_EL1, X0));
  a.emit(addImm(30, 19, 32));
  for (let r = 0; r < 30; r += 2) a.emit(ldp(r, r + 1, 30, 8 * r));
  a.emit(ldrX(30, 30, 240), ERET);

  a.label('finish');
  printStr('DONE\n');
  a.emit(...mov64(X0, 0x8400_0008n), hvc(0));
  a.label('hang');
  a.ref('hang', b);

  // ---- print routines: x0 argument; clobber x0..x7 ----
  a.label('putc');
  a.emit(...mov64(X7, BigInt(UART)), strB(X0, X7, 0), ret());
  a.label('print_hex'); // x0 value, x1 number of hex digits
  a.emit(...mov64(X7, BigInt(UART)), subImm(X2, X1, 1), addReg(X2, XZR, X2, 2));
  a.label('print_hex_loop');
  a.emit(lsrv(X3, X0, X2), andLowBits(X3, X3, 4), subsImm(XZR, X3, 10), addImm(X4, X3, 0x30), addImm(X3, X3, 0x57));
  a.emit(csel(X3, X4, X3, COND.LO), strB(X3, X7, 0), subsImm(X2, X2, 4));
  a.ref('print_hex_loop', (off) => bcond(COND.GE, off));
  a.emit(ret());
  a.label('print_str'); // x0 address of a NUL-terminated string
  a.emit(...mov64(X7, BigInt(UART)));
  a.label('print_str_loop');
  a.emit(ldrBPost(X1, X0, 1));
  a.ref('print_str_done', (off) => 0x34000000 | (((off >> 2) & 0x7ffff) << 5) | X1); // cbz w1
  a.emit(strB(X1, X7, 0));
  a.ref('print_str_loop', b);
  a.label('print_str_done');
  a.emit(ret());

  // ---- synchronous exception from the sequence (current EL, SP_EL0) ----
  a.label('handler');
  if (mte) a.emit(TCO_IMM(1));
  a.emit(subImm(SP, SP, 256));
  for (let r = 0; r < 30; r += 2) a.emit(stp(r, r + 1, SP, 8 * r));
  a.emit(strX(30, SP, 240));
  a.emit(mrs(19, REG.ESR_EL1), ...mov64(X0, BigInt(END_ESR)), subsReg(XZR, 19, X0));
  a.ref('epilogue', (off) => bcond(COND.EQ, off));
  a.emit(...mov64(X9, BigInt(GLOBALS)), ldrX(X0, X9, 16), addImm(X0, X0, 1), strX(X0, X9, 16));
  a.emit(subsImm(XZR, X0, MAX_EXCEPTIONS));
  a.ref('too_many', (off) => bcond(COND.HI, off));
  // x20 = EC; x21 = 1 when FAR is to be printed
  a.emit(lsrImm(20, 19, 26), andLowBits(20, 20, 6), ...mov64(21, 0n));
  a.emit(subImm(X1, 20, 0x20), subsImm(XZR, X1, 5));
  a.ref('no_abort', (off) => bcond(COND.HI, off));
  a.emit(subsImm(XZR, X1, 2));
  a.ref('pc_align', (off) => bcond(COND.EQ, off));
  a.emit(subsImm(XZR, X1, 3));
  a.ref('no_abort', (off) => bcond(COND.EQ, off));
  // an instruction or data abort: EA (ISS bit 9) masked; FAR only with FnV (ISS bit 10) = 0
  a.emit(...mov64(X1, ~0x200n), andReg(19, 19, X1));
  a.ref('no_abort', (off) => tbnz(19, 10, off));
  a.label('pc_align');
  a.emit(...mov64(21, 1n));
  a.label('no_abort');
  printStr('E ');
  printHex(19, 16);
  a.ref('no_far', (off) => 0xb4000000 | (((off >> 2) & 0x7ffff) << 5) | 21); // cbz x21
  printStr(' F ');
  a.emit(mrs(X0, REG.FAR_EL1));
  // MTE mode (TBI0 on): FAR bits 63:56 are UNKNOWN for some faults (63:60 for tag check faults without
  // FEAT_MTE_TAGGED_FAR); print bits 55:0.
  if (mte) a.emit(andLowBits(X0, X0, 56));
  printHex(X0, 16);
  a.label('no_far');
  printStr(' @');
  a.emit(mrs(X0, REG.ELR_EL1), ...mov64(X9, BigInt(GLOBALS)), ldrX(X1, X9, 24), subReg(X0, X0, X1));
  printHex(X0, 4);
  putc('\n');
  // resume
  a.emit(mrs(X0, REG.ELR_EL1), subsImm(XZR, 20, 0x15));
  a.ref('resume', (off) => bcond(COND.EQ, off));
  a.emit(subsImm(XZR, 20, 0x22));
  a.ref('plus4', (off) => bcond(COND.NE, off));
  a.emit(clearLowBits(X0, X0, 2), msr(REG.ELR_EL1, X0));
  a.ref('resume', b);
  a.label('plus4');
  a.emit(addImm(X0, X0, 4), msr(REG.ELR_EL1, X0));
  a.label('resume');
  for (let r = 0; r < 30; r += 2) a.emit(ldp(r, r + 1, SP, 8 * r));
  a.emit(ldrX(30, SP, 240), addImm(SP, SP, 256), ERET);

  a.label('too_many');
  printStr('TOO MANY EXCEPTIONS\n');
  a.ref('next_seq', b);

  // ---- end of the sequence: print its state ----
  a.label('epilogue');
  a.emit(PAN_IMM(0));
  a.emit(...mov64(22, 0n), addImm(23, SP, 0));
  a.label('reg_loop');
  a.emit(...mov64(X0, BigInt(str('x00 '))), addReg(X0, X0, 22, 3)); // labels are 8 bytes apart
  a.ref('print_str', bl);
  a.emit(ldrXPost(X0, 23, 8));
  printHex(X0, 16);
  putc('\n');
  a.emit(addImm(22, 22, 1), subsImm(XZR, 22, 31));
  a.ref('reg_loop', (off) => bcond(COND.NE, off));
  printSysReg('sp ', REG.SP_EL0);
  printStr('\nnzcv ');
  a.emit(mrs(X0, REG.SPSR_EL1), lsrImm(X0, X0, 28));
  printHex(X0, 1);
  printSysReg('\ntp0 ', REG.TPIDR_EL0);
  printSysReg('\ntpro ', REG.TPIDRRO_EL0);
  printSysReg('\ntp1 ', REG.TPIDR_EL1);
  putc('\n');
  if (fp) {
    // V0-V31 stored, then printed by a loop: `v<nn> <high doubleword><low doubleword>`; then FPSR and FPCR.
    a.emit(...mov64(X9, BigInt(VDUMP)));
    for (let r = 0; r < 32; r += 2) a.emit(stpQ(r, r + 1, X9, 16 * r));
    a.emit(...mov64(22, 0n), ...mov64(23, BigInt(VDUMP)));
    a.label('v_loop');
    a.emit(...mov64(X0, BigInt(str('v00 '))), addReg(X0, X0, 22, 3)); // labels are 8 bytes apart
    a.ref('print_str', bl);
    a.emit(ldrX(X0, 23, 8));
    printHex(X0, 16);
    a.emit(ldrXPost(X0, 23, 16));
    printHex(X0, 16);
    putc('\n');
    a.emit(addImm(22, 22, 1), subsImm(XZR, 22, 32));
    a.ref('v_loop', (off) => bcond(COND.NE, off));
    printSysReg('fpsr ', REG.FPSR);
    printSysReg('\nfpcr ', REG.FPCR);
    putc('\n');
  }
  // sandbox: every doubleword that differs from the fill pattern
  a.emit(...mov64(X9, BigInt(GLOBALS)), ldrX(19, X9, 8), ldrX(24, 19, 24), ...mov64(25, BigInt(SANDBOX)), ...mov64(26, 0n));
  a.label('mem_loop');
  a.emit(eorShift(24, 24, 24, 0, 13), eorShift(24, 24, 24, 1, 7), eorShift(24, 24, 24, 0, 17));
  a.emit(ldrXReg(27, 25, 26), subsReg(XZR, 27, 24));
  a.ref('mem_next', (off) => bcond(COND.EQ, off));
  printStr('m ');
  printHex(26, 3);
  putc(' ');
  printHex(27, 16);
  putc('\n');
  a.label('mem_next');
  a.emit(addImm(26, 26, 8), cmpImmLsl12(26, SANDBOX_SIZE >> 12));
  a.ref('mem_loop', (off) => bcond(COND.NE, off));
  if (mte) {
    // The sandbox's allocation tags, one hex digit per granule, 64 granules a line: `t <granule> <64 digits>`.
    a.emit(...mov64(25, BigInt(SANDBOX)), ...mov64(26, 0n));
    a.label('tag_line');
    printStr('t ');
    printHex(26, 3);
    putc(' ');
    a.label('tag_loop');
    a.emit(addReg(X0, 25, 26, 4), ldg(X0, X0), lsrImm(X0, X0, 56));
    printHex(X0, 1);
    a.emit(addImm(26, 26, 1), andLowBits(X0, 26, 6));
    a.ref('tag_loop', (off) => 0xb5000000 | (((off >> 2) & 0x7ffff) << 5) | X0); // cbnz x0
    putc('\n');
    a.emit(subsImm(XZR, 26, GRANULES));
    a.ref('tag_line', (off) => bcond(COND.NE, off));
  }
  a.label('next_seq');
  a.emit(...mov64(X9, BigInt(GLOBALS)), ldrX(X0, X9, 0), addImm(X0, X0, 1), strX(X0, X9, 0));
  a.ref('driver', b);

  // ---- a vector the sequences never use: report and power off ----
  a.label('bad_vector'); // x10 = vector offset
  printStr('!HARNESS vector ');
  printHex(X10, 3);
  printSysReg(' ESR ', REG.ESR_EL1);
  printSysReg(' ELR ', REG.ELR_EL1);
  putc('\n');
  a.emit(...mov64(X0, 0x8400_0008n), hvc(0));
  a.ref('hang', b);

  const words = a.finish();
  if (words.length * 4 > 0x1000) throw new Error(`harness code is ${words.length * 4} bytes, more than its 4 KiB`);
  harnessLabels = { handler: a.addr('handler'), badVector: a.addr('bad_vector') };
  return words;
}

let harnessLabels = { handler: 0, badVector: 0 };

function vectorTable(): Uint32Array {
  const words = new Uint32Array(0x800 / 4);
  for (let v = 0; v < 16; v++) {
    const at = VECTORS + v * 0x80;
    const i = (v * 0x80) / 4;
    if (v === 0) {
      words[i] = b(harnessLabels.handler - at);
    } else {
      const mv = mov64(X10, BigInt(v * 0x80));
      mv.forEach((w, k) => (words[i + k] = w));
      words[i + mv.length] = b(harnessLabels.badVector - (at + 4 * mv.length));
    }
  }
  return words;
}

const STRINGS = ['DONE\n', 'E ', ' F ', ' @', 'TOO MANY EXCEPTIONS\n', 'sp ', '\nnzcv ', '\ntp0 ', '\ntpro ', '\ntp1 ', 'm ',
  '!HARNESS vector ', ' ESR ', ' ELR ', 't ', 'fpsr ', '\nfpcr '];

export interface Binary {
  elf: Uint8Array;
  /** Address of each sequence's first instruction. */
  seqAddrs: number[];
}

export function buildBinary(seqs: readonly SeqCode[], mode: Mode): Binary {
  // Strings: register labels "x00 ".."x30 " and "v00 ".."v31 " 8 bytes apart at GLOBALS+0x100, the others after them.
  const strings = new Map<string, number>();
  const strBytes: number[] = [];
  const strBase = GLOBALS + 0x100;
  for (const [prefix, n] of [['x', 31], ['v', 32]] as const) {
    for (let r = 0; r < n; r++) {
      const s = `${prefix}${r.toString().padStart(2, '0')} `;
      strings.set(s, strBase + strBytes.length);
      strBytes.push(...Buffer.from(s, 'latin1'), 0, 0, 0, 0);
    }
  }
  for (const s of STRINGS) {
    strings.set(s, strBase + strBytes.length);
    strBytes.push(...Buffer.from(s, 'latin1'), 0);
  }
  const code = harnessCode(mode, seqs.length, strings);
  const vectors = vectorTable();
  const { l1, l2 } = pageTables(mode);

  const dsize = descSize(mode);
  let seqStart = DESCS + seqs.length * dsize;
  seqStart = (seqStart + 0xfff) & ~0xfff;
  const seqAddrs: number[] = [];
  let at = seqStart;
  for (const s of seqs) {
    seqAddrs.push(at);
    at += 4 * (s.words.length + END_WORDS);
  }
  const end = at;
  if (end > STACK_TOP - 0x10_0000) throw new Error('too many sequences for one binary');
  const image = new Uint8Array(end - IMAGE);
  const v = new DataView(image.buffer);
  const put32 = (addr: number, w: number): void => v.setUint32(addr - IMAGE, w >>> 0, true);
  code.forEach((w, i) => put32(IMAGE + 4 * i, w));
  vectors.forEach((w, i) => put32(VECTORS + 4 * i, w));
  image.set(l1, L1_TABLE - IMAGE);
  image.set(l2, L2_TABLE - IMAGE);
  image.set(strBytes, strBase - IMAGE);
  seqs.forEach((s, k) => {
    const d = DESCS + k * dsize - IMAGE;
    const spsr = (BigInt(s.init.nzcv & 0xf) << 28n) | 0x3c0n | 0x4n; // NZCV, DAIF masked, EL1t
    v.setBigUint64(d, BigInt(seqAddrs[k]!), true);
    v.setBigUint64(d + 8, spsr, true);
    v.setBigUint64(d + 16, BigInt.asUintN(64, s.init.sp), true);
    v.setBigUint64(d + 24, BigInt.asUintN(64, s.init.memSeed) || 1n, true);
    for (let r = 0; r < 31; r++) v.setBigUint64(d + 32 + 8 * r, BigInt.asUintN(64, s.init.x[r] ?? 0n), true);
    v.setBigUint64(d + 280, BigInt.asUintN(64, s.init.mteRegs ?? 0n), true);
    if (mode === 'fp') {
      const f = s.init.fp;
      v.setBigUint64(d + DESC_SIZE, BigInt((f?.fpcr ?? 0) >>> 0), true);
      v.setBigUint64(d + DESC_SIZE + 8, BigInt((f?.fpsr ?? 0) >>> 0), true);
      for (let r = 0; r < 32; r++) {
        const q = BigInt.asUintN(128, f?.v[r] ?? 0n);
        v.setBigUint64(d + DESC_SIZE + 16 + 16 * r, q & 0xffff_ffff_ffff_ffffn, true);
        v.setBigUint64(d + DESC_SIZE + 24 + 16 * r, q >> 64n, true);
      }
    }
    s.words.forEach((w, i) => put32(seqAddrs[k]! + 4 * i, w));
    // The end marker, repeated (a misaligned branch to the end resumes at the first one anyway).
    for (let i = 0; i < END_WORDS; i++) put32(seqAddrs[k]! + 4 * (s.words.length + i), brk(END_MARK));
  });
  return { elf: writeElf(image, IMAGE, IMAGE), seqAddrs };
}

// Keep the unused-import checker quiet about encoders only some modes use.
void ldrB;
void movReg;
