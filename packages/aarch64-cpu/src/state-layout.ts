/**
 * The CPU state block: the state of one PE at fixed byte offsets in one block of the guest arena (arena.ts). `Cpu`
 * makes its typed arrays (`x`, `spEl`, `flagArgs`, `v`, `sys`, ...) as views over the block and its other members
 * accessors over its slots, so the interpreter (and the handler blocks that call its handlers) and WebAssembly code
 * all see one copy of it; `cpu.stateBytes()` is the block itself and `cpu.saveState()` a copy of it.
 *
 * | offset | size | what |
 * |---:|---:|---|
 * | 0 | 32 × 8 | X0..X30, then slot 31 (always 0: XZR) |
 * | 256 | 8 | SP_EL0 |
 * | 264 | 8 | SP_EL1 |
 * | 272 | 2 × 8 | the lazy-flag operands (flags.ts) |
 * | 288 | 4 | NZCV when no flag operation is pending (N=8, Z=4, C=2, V=1) |
 * | 292 | 4 | the pending FlagOp (0: none) |
 * | 296 | 8 | instructions retired (a float64: exact to 2^53) |
 * | 304 | 4 | the number of exclusive reservations open in the PE's coherence domain (smp.ts mirrors it here) |
 * | 308 | 4 | bit 0: the IRQ input line; bit 1: a virtual SError is pending (a mirror of HCR_EL2.VSE: `Cpu.virtualSError`) |
 * | 312 | 4 | the data TLB for translated code: arena offset of its entries ({@link Dtlb}; arena.ts ARENA_NO_TLB: none) |
 * | 316 | 4 | its index mask (entries - 1) |
 * | 320 | 4 | a mirror of the memory port's TLB generation (MemoryPort.tlbGeneration, its low 32 bits; the MMU writes it whenever it changes, 0 when no port mirrors it): a key of the arena jump cache's entries (wasm-jit/jump-cache.ts) |
 * | 324 | 4 | the arena offset of the CPU's arena jump cache (wasm-jit/jump-cache.ts), set before WebAssembly code first runs on the CPU |
 * | 328 | 8 | the next PC a WebAssembly block leaves for through an indirect branch (the run loop's, not `cpu.nextPc`) |
 * | 336 | 8 | scratch for handlers: a 64-bit value written here is read back as 32-bit halves (no BigInt shifts); WebAssembly code leaves the budget it has left in the low word before each handler call and return (wasm-jit/block-emitter.ts) |
 * | 344 | 8 | the PC (`cpu.pc`; see below) |
 * | 352 | 8 | the address of the instruction after the one executing (`cpu.nextPc`; see below) |
 * | 360 | 8 | the local exclusive monitor's address (`cpu.exclAddr` when EXCL_VALID is 1, else 0) |
 * | 368 | 8 | the global exclusive monitor's mark, a physical address (a float64, exact below 2^53; -1: none) |
 * | 376 | 9 × 4 | PSTATE: EL, SPSel, DAIF (D=8, A=4, I=2, F=1), PAN, UAO, SSBS, DIT, TCO, IL (one i32 each) |
 * | 412 | 4 | the local exclusive monitor's state: 1 Exclusive (a reservation is held), 0 Open |
 * | 416 | 4 | the local exclusive monitor's size in bytes (`cpu.exclSize`) |
 * | 420 | 4 | the event register (0 or 1) |
 * | 424 | 4 | the data abort ISS bits of the access in flight (`cpu.dabtIss`; see below) |
 * | 428 | 4 | the layout version ({@link STATE_LAYOUT_VERSION}), written when the CPU is made |
 * | 432 | 4 | PSTATE.SS (software step, debug.ts): 0 or 1 |
 * | 436 | 4 | a mirror of the memory port's global TLB generation (MemoryPort.tlbGlobalGeneration, as TLB_GEN): an arena jump cache entry keyed with either generation is good |
 * | 440 | 8 | the WebAssembly tier's run end: the retired count when the block function it entered last would have spent its whole budget (a u64), so that `RUN_END - left` is the count a handler called there sees (wasm-jit/tier.ts runWasm) |
 * | 448 | 8 | the counter's base in this run: CNTPCT_EL0 = COUNTER_BASE + retired count × COUNTER_SCALE (mod 2^64), from the counter port's `linear` (ports.ts CounterPort; `Cpu.run` sets both words) |
 * | 456 | 8 | the counter's ticks per retired instruction in this run (see COUNTER_BASE); 0 when the count is not linear in the retired count (a host clock): the inline counter reads of the WebAssembly tier then call the handler |
 * | 464 | 4 | 1 when YIELD (and a waiting WFE) ends the run (`Cpu.stopOnYield`), else 0: WebAssembly code calls YIELD's handler only then |
 * | 512 | 32 × 16 | V0..V31 (128 bits each, little-endian), for FP/AdvSIMD |
 * | 1024 | 4 | FPCR |
 * | 1028 | 4 | FPSR |
 * | 1040 | 8 × n | the system registers, indexed by `SysReg` ids (sysregs.ts) |
 *
 * All of a PE's state is in the block. PSTATE's accessors keep write-through caches in fields (read for every
 * memory access), and the three members written for every instruction, `pc`, `nextPc` and `dabtIss`, are fields
 * while the CPU runs: they are copied into PC, INSN_NEXT_PC and DABT_ISS when `run` or `interpret` returns and when
 * `stateBytes` or `saveState` hands out the block, and loaded from there by `loadState` (see `Cpu.pc`).
 *
 * The words from OPEN_RESERVATIONS to the end of SCRATCH ({@link HOST_WORDS_START}, {@link HOST_WORDS_END}) and
 * from TLB_GEN_GLOBAL to the end of STOP_ON_YIELD ({@link HOST_TAIL_START}, {@link HOST_TAIL_END}) are the host's,
 * not CPU state: the coherence domain's reservation count, the IRQ input the interrupt controller drives, the data
 * TLB's arena offset and mask, the TLB generations' mirrors, the arena jump cache's offset, two run-loop scratch
 * words, the WebAssembly tier's run end, the counter's linear form and the YIELD option. A saved CPU state (`Cpu.saveState`) is the
 * block with those words zeroed, and `Cpu.loadState` leaves them as they are. Bytes no slot uses are zero.
 *
 * Translated WebAssembly code reads and writes only X, SP_EL0/1, the flag words, OPEN_RESERVATIONS, IRQ_LINE, the
 * TLB words, the jump cache words (read only), NEXT_PC, SCRATCH (its retired count goes through SCRATCH: the tier
 * adds it to INSN_COUNT), V (the SIMD&FP loads and stores), PSTATE.DAIF and TCO and the system registers of its
 * inline MSRs (wasm-jit/translate-sys.ts), and reads EL, CPACR_EL1, SCTLR_EL1 (their access and alignment checks),
 * the system registers of its inline MRSs and checks, RUN_END, the counter words (inline counter reads) and
 * STOP_ON_YIELD: it
 * knows its PC statically and leaves through the run loop for everything else that changes PSTATE.
 */
import { SYSREG_COUNT } from './sysregs.js';

export const St = {
  X: 0,
  SP_EL0: 256,
  SP_EL1: 264,
  FLAG_A: 272,
  FLAG_B: 280,
  NZCV: 288,
  FLAG_OP: 292,
  INSN_COUNT: 296,
  OPEN_RESERVATIONS: 304,
  IRQ_LINE: 308,
  TLB_BASE: 312,
  TLB_MASK: 316,
  TLB_GEN: 320,
  JC_BASE: 324,
  NEXT_PC: 328,
  SCRATCH: 336,
  PC: 344,
  INSN_NEXT_PC: 352,
  EXCL_ADDR: 360,
  EXCL_PA: 368,
  EL: 376,
  SPSEL: 380,
  DAIF: 384,
  PAN: 388,
  UAO: 392,
  SSBS: 396,
  DIT: 400,
  TCO: 404,
  IL: 408,
  EXCL_VALID: 412,
  EXCL_SIZE: 416,
  EVENT: 420,
  DABT_ISS: 424,
  VERSION: 428,
  SS: 432,
  TLB_GEN_GLOBAL: 436,
  RUN_END: 440,
  COUNTER_BASE: 448,
  COUNTER_SCALE: 456,
  STOP_ON_YIELD: 464,
  V: 512,
  FPCR: 1024,
  FPSR: 1028,
  SYS: 1040,
} as const;

/** Bytes of one CPU state block (a multiple of 16). */
/** The 32-bit word of system register `id`'s bits [31:0] in the state block (+ 1: bits [63:32]), for st32 reads. */
export const sysWord = (id: number): number => (St.SYS >> 2) + 2 * id;

export const CPU_STATE_BYTES = Math.ceil((St.SYS + 8 * SYSREG_COUNT) / 16) * 16;

/**
 * 32-bit words of scratch right after each CPU's state block in the arena, for the fast interpreter's temporaries
 * (spec/fast-sem.ts: `cpu.fast32` is the block and these words). They are no state: each handler writes every
 * temporary it reads, and neither `stateBytes` nor `saveState` includes them.
 */
export const FAST_TEMP_WORDS = 128;

/**
 * The layout version in every state block's VERSION word: `Cpu.loadState` refuses a saved state of another. Bump it
 * whenever a slot moves, changes meaning or is added, and whenever the system register ids (sysregs.ts) change.
 */
export const STATE_LAYOUT_VERSION = 4;

/** The host's words of the block (see above): bytes [HOST_WORDS_START, HOST_WORDS_END) are not CPU state. */
export const HOST_WORDS_START = St.OPEN_RESERVATIONS;

/**
 * A bit of the IRQ_LINE word that is no interrupt: translated code leaves for the run loop at its next check of
 * the word (a loop's back edge, a chain), as for a pending interrupt. The WebAssembly tier sets it when a handler it
 * called dropped translated code (the block iterating may be one of them) and clears it when the code returns.
 * Bit 3: not one of the bits ASYNC_PENDING masks with DAIF >> 1 (D, A, I), nor the IRQ (bit 0) or virtual SError
 * mirror (bit 1) the run loop tests.
 */
export const IRQ_LINE_LEAVE = 8;
export const HOST_WORDS_END = St.SCRATCH + 8;

/** The host's second range of words (see above): bytes [HOST_TAIL_START, HOST_TAIL_END) are not CPU state. */
export const HOST_TAIL_START = St.TLB_GEN_GLOBAL;
export const HOST_TAIL_END = St.STOP_ON_YIELD + 4;

/**
 * One entry of the data TLB translated WebAssembly code reads (the MMU fills it alongside its own TLB, in the CPU's
 * arena). The TLB is four tables of `TLB_MASK + 1` entries of 32 bytes, one per permission class: table k holds the
 * entries as seen from class k, 0 at EL0, 1 at EL1 with PSTATE.PAN 0, 2 at EL1 with PAN 1 (table 3 never hits), so
 * that the permission check is folded into the keys, as in QEMU's per-MMU-index TLBs, and a class's table is as
 * small as one table of the whole. The entry of VA in class k is at `TLB_BASE + 32 * (k * (TLB_MASK + 1) +
 * (VA[31:12] & TLB_MASK))`. An access of `size` bytes at VA from class k takes the inline path when
 * - `VA & (MASK | (size - 1))` equals KEY_R (a load) or KEY_W (a store): KEY is the page's VA with a canonical top
 *   byte, MASK is VA[63:12] set, its top byte clear when TBI applies to the address's half; the size bits make a
 *   misaligned access miss. A key the class may not use (no permission, or a page that never takes the inline path)
 *   is -1, which no masked address equals;
 * - for Tagged Normal memory (TAG_HOST non-zero), the granule's allocation tag (packed at TAG_HOST, two a byte) equals
 *   the pointer's logical tag VA[59:56] (a match passes whatever the check mode; a mismatch is the handler's);
 * then the access is at arena offset `HOST + (VA & 0xfff)`. (A SIMD&FP access that is not aligned to its size may
 * still take the inline path on a Normal page, {@link DTLB_NORMAL}.) A store also needs the arena's code map to show no
 * translated code in the page and no open exclusive reservation in the domain. The MMU writes -1 keys for pages
 * outside the CPU's arena, NoTagAccess pages and Tagged pages whose tags are not dense in the arena, and on a flush
 * writes -1 keys into every entry it filled since the last one (no generation word to compare).
 */
export const Dtlb = {
  /** i64: the key a load compares with. */
  KEY_R: 0,
  /** i64: the key a store compares with. */
  KEY_W: 8,
  /** i64: the address bits compared. */
  MASK: 16,
  /** i32: the arena offset of the page's first byte. */
  HOST: 24,
  /**
   * i32: the arena offset of the page's packed allocation tags (two a byte, even granule low; 16-byte aligned), or 0:
   * untagged; ORed with {@link DTLB_NORMAL} when the page is Normal memory.
   */
  TAG_HOST: 28,
} as const;
/**
 * Bit 0 of {@link Dtlb}.TAG_HOST: the page's data attributes are Normal, so an unaligned access inside the page raises
 * no memory-type alignment fault (an unaligned access completes in translated code then: block-emitter.ts
 * emitUnalignedFunction). Translated code clears it before it reads TAG_HOST as the tags' offset.
 */
export const DTLB_NORMAL = 1;
/** Bytes of one {@link Dtlb} entry. */
export const DTLB_ENTRY_BYTES = 32;
/** Permission classes of the data TLB, each a table of its own ({@link Dtlb}): EL0, EL1, EL1 with PAN, none. */
export const DTLB_CLASSES = 4;
