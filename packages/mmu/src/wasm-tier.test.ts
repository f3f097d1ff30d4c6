// The WebAssembly tier (aarch64-cpu wasm-jit/) against the interpreter: random blocks run on a CPU whose code cache
// compiles every translated block to WebAssembly before its first run (`hotRuns: 0`), with guest RAM in the CPU's
// arena so inline loads and stores take the data TLB fast path, and on an interpreting CPU (`translate: false`);
// registers, both stack pointers, PC, NZCV, the retired count, the stop codes, the EL1 exception registers and
// memory must agree. Every group also checks that the tier compiled blocks and inlined instructions, so no test
// can pass by falling back to the interpreter.
import { IMPL, IRQ_LINE_LEAVE, St, Stop, SysReg, type StopCode, type WasmTierOptions } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, onPortAccess, stateOf, type ArenaEnv, type Engine, type State } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { HCR_ATA, SCTLR_MTE, TCR_MTE, TestTags } from './mte-test-env.js';
import { adr, B_SELF, b, bcond, bl, blr, br, cbz, mrsNzcv, randomBlockProgram, randomBranch, randomWord, ret, rng, setUpRandomBlock, tbz } from './random-code.js';
import { Attr, RAM_BASE, SCTLR, TCR, TCR_48_4K } from './test-env.js';

const MOV_X28_1 = 0xd280_003c; // mov x28, #1
const SCTLR_SA = 1n << 3n;

/** What the WebAssembly tier did, summed over the wasm-engine environments of a test. */
class TierUse {
  blocks = 0;
  modules = 0;
  inlined = 0;
  calls = 0;
  /** Loads and stores that went through the memory port (MemoryPort.read/write and their halves forms), per engine. */
  readonly port = { wasm: 0, interp: 0, handlers: 0 };
  private counting = true;
  /** Run `fn` without counting its memory port accesses (a test's own TLB warm-up). */
  uncounted(fn: () => void): void {
    this.counting = false;
    try {
      fn();
    } finally {
      this.counting = true;
    }
  }
  /** Count `e`'s memory port accesses in {@link port}. */
  countPort(e: ArenaEnv): void {
    onPortAccess(e.mmu, () => {
      if (this.counting) this.port[e.engine]++;
    });
  }
  add(e: ArenaEnv): void {
    const s = e.cpu.codeCache.wasmTier(e.cpu.arena)?.stats();
    if (s === undefined) return;
    this.blocks += s.blocks;
    this.modules += s.modules;
    this.inlined += s.inlined;
    this.calls += s.calls;
  }
  /** The tier really ran the test: blocks compiled, instructions inlined (at least `minInlined`). */
  check(minInlined: number): void {
    expect(this.blocks).toBeGreaterThan(0);
    expect(this.inlined).toBeGreaterThanOrEqual(minInlined);
  }
}

/**
 * Build an environment for each engine (RAM of `ramBytes` in the arena, with tag storage when `o.tags`: a TestTags
 * outside the arena, or `'dense'` tags in it that translated code checks inline) with
 * `setup`, run it with `go` (which returns the stop codes, or them and a trace of its own observations), and expect
 * the WebAssembly engine's state to equal the interpreter's; returns it.
 */
function differential(label: () => string, use: TierUse, setup: (e: ArenaEnv) => void,
  go: (e: ArenaEnv) => StopCode[] | { stops: StopCode[]; trace: unknown }, ranges: readonly (readonly [number, number])[],
  ramBytes = 4 << 20, o: { tags?: boolean | 'dense'; wasmTier?: WasmTierOptions } = {}): State {
  // `setup` and `go` run once per engine: everything random is drawn before.
  const [w, i] = (['wasm', 'interp'] as Engine[]).map((engine) => {
    const e = arenaEnv(engine, {
      ramBytes, ...(o.tags === true && { tags: new TestTags(RAM_BASE, ramBytes) }), ...(o.tags === 'dense' && { denseTags: true }),
      ...(o.wasmTier !== undefined && { wasmTier: o.wasmTier }),
    });
    setup(e);
    use.countPort(e);
    const out = go(e);
    if (engine === 'wasm') use.add(e);
    return Array.isArray(out) ? stateOf(e, out, ranges) : stateOf(e, out.stops, ranges, out.trace);
  });
  expect(w, label()).toEqual(i);
  expect(i!.stops, label()).not.toContain(Stop.InternalError);
  return w!;
}

// ---- operand values and data-processing words ----

const EDGES = [0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fff_ffffn, 0x8000_0000n, 0x8000_0001n,
  0xffff_fffen, 0xffff_ffffn, 0x1_0000_0000n, 0x1_ffff_ffffn, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n,
  0x8000_0000_0000_0001n, 0xffff_ffff_ffff_fffen, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_8000_0000n,
  0xffff_ffff_7fff_ffffn, 0xffff_ffff_0000_0000n, 0x0000_0001_8000_0000n];

/** A random register value, biased to the edges of 32- and 64-bit arithmetic. */
function value(r: () => number): bigint {
  const int = (n: number): number => Math.floor(r() * n);
  const edge = (): bigint => EDGES[int(EDGES.length)]!;
  const rand32 = (): bigint => BigInt(Math.floor(r() * 2 ** 32));
  switch (int(6)) {
    case 0:
    case 1: return edge();
    case 2: return (rand32() << 32n) | (edge() & 0xffff_ffffn); // a 32-bit edge under random upper bits
    case 3: return (rand32() << 32n) | rand32();
    case 4: return BigInt.asUintN(64, BigInt(int(64) - 32));
    default: return BigInt.asUintN(64, edge() + BigInt(int(5) - 2));
  }
}

/**
 * A random data-processing word of the classes the WebAssembly tier translates (translate-dp.ts), every form and
 * width, with the reserved and unallocated encodings of each class now and then (they must be UNDEFINED exactly as
 * the interpreter makes them), register numbers from `reg` (31: SP or ZR as the form says).
 */
function dpWord(r: () => number, reg: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const rare = (p = 0.05): boolean => r() < p;
  const sf = int(2);
  const width = sf !== 0 ? 64 : 32;
  const rd = reg();
  const rn = reg();
  const rm = reg();
  const tail = (rn << 5) | rd;
  let w: number;
  switch (int(17)) {
    case 0: { // ADD/ADDS/SUB/SUBS (immediate), LSL #12 or not; Rn (and Rd without S) 31 is SP
      const imm = [0, 1, int(16), int(4096), 4095][int(5)]!;
      w = (sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x1100_0000 | (int(2) << 22) | (imm << 10) | tail;
      break;
    }
    case 1: { // add/sub (shifted register): shift 3 and imm6 >= 32 in 32-bit forms are reserved
      const type = rare() ? 3 : int(3);
      const amount = rare() ? int(64) : [0, 1, width - 1, int(width)][int(4)]!;
      w = (sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x0b00_0000 | (type << 22) | (rm << 16) | (amount << 10) | tail;
      break;
    }
    case 2: { // add/sub (extended register): imm3 > 4 reserved; opt != 00 unallocated
      const opt = rare(0.02) ? 1 + int(3) : 0;
      const imm3 = rare() ? 5 + int(3) : int(5);
      w = (sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x0b20_0000 | (opt << 22) | (rm << 16) | (int(8) << 13) |
        (imm3 << 10) | tail;
      break;
    }
    case 3: { // logical (shifted register), all of AND/BIC/ORR/ORN/EOR/EON/ANDS/BICS and ROR; imm6 >= 32 reserved (32-bit)
      const amount = rare() ? int(64) : [0, 1, width - 1, int(width)][int(4)]!;
      w = (sf << 31) | (int(4) << 29) | 0x0a00_0000 | (int(4) << 22) | (int(2) << 21) | (rm << 16) | (amount << 10) | tail;
      break;
    }
    case 4: { // logical (immediate): N, immr, imms at random (some reserved: N = 1 in 32-bit forms, all-ones elements)
      const n = sf !== 0 ? int(2) : rare(0.1) ? 1 : 0;
      w = (sf << 31) | (int(4) << 29) | 0x1200_0000 | (n << 22) | (int(64) << 16) | (int(64) << 10) | tail;
      break;
    }
    case 5: { // MOVN/MOVZ/MOVK: opc 01 unallocated, hw >= 2 reserved in 32-bit forms
      const opc = rare(0.03) ? 1 : [0, 2, 3][int(3)]!;
      const hw = rare() ? int(4) : int(sf !== 0 ? 4 : 2);
      const imm = [0, 0xffff, 0x8000, 0x7fff, int(0x10000)][int(5)]!;
      w = (sf << 31) | (opc << 29) | 0x1280_0000 | (hw << 21) | (imm << 5) | rd;
      break;
    }
    case 6: { // SBFM/BFM/UBFM: N != sf and immr/imms >= 32 in 32-bit forms reserved; opc 11 unallocated
      const opc = rare(0.03) ? 3 : int(3);
      const n = rare() ? 1 - sf : sf;
      const immr = rare() ? int(64) : int(width);
      const imms = rare() ? int(64) : [0, width - 1, int(width)][int(3)]!;
      w = (sf << 31) | (opc << 29) | 0x1300_0000 | (n << 22) | (immr << 16) | (imms << 10) | tail;
      break;
    }
    case 7: { // EXTR: N != sf and lsb >= 32 (32-bit) reserved; o0 = 1 unallocated
      const n = rare() ? 1 - sf : sf;
      const lsb = rare() ? int(64) : [0, 1, width - 1, int(width)][int(4)]!;
      w = (sf << 31) | 0x1380_0000 | (n << 22) | ((rare(0.02) ? 1 : 0) << 21) | (rm << 16) | (lsb << 10) | tail;
      break;
    }
    case 8: // ADR, ADRP (negative and positive offsets)
      w = (int(2) << 31) | (int(4) << 29) | 0x1000_0000 | (int(1 << 19) << 5) | rd;
      break;
    case 9: // CSEL/CSINC/CSINV/CSNEG, every condition; S = 1 or op2 = 1x unallocated
      w = (sf << 31) | (int(2) << 30) | ((rare(0.02) ? 1 : 0) << 29) | 0x1a80_0000 | (rm << 16) | (int(16) << 12) |
        ((rare(0.02) ? 2 : 0) << 10) | (int(2) << 10) | tail;
      break;
    case 10: // CCMN/CCMP (register, immediate), every condition and #nzcv; o2 = 1 or o3 = 1 unallocated
      w = (sf << 31) | (int(2) << 30) | 0x3a40_0000 | ((r() < 0.5 ? rm : int(32)) << 16) | (int(16) << 12) |
        (int(2) << 11) | ((rare(0.02) ? 1 : 0) << 10) | (rn << 5) | ((rare(0.02) ? 1 : 0) << 4) | int(16);
      break;
    case 11: // MADD/MSUB (MUL/MNEG with Ra = 31)
      w = (sf << 31) | 0x1b00_0000 | (rm << 16) | (int(2) << 15) | ((r() < 0.2 ? 31 : reg()) << 10) | tail;
      break;
    case 12: { // SMADDL/SMSUBL/UMADDL/UMSUBL, SMULH/UMULH; sf = 0 unallocated
      const op = [1, 5, 1, 5, 2, 6][int(6)]!;
      const hi = op === 2 || op === 6;
      w = ((rare(0.03) ? 0 : 1) << 31) | 0x1b00_0000 | (op << 21) | (rm << 16) | ((hi ? 0 : int(2)) << 15) |
        ((hi ? 31 : r() < 0.2 ? 31 : reg()) << 10) | tail;
      break;
    }
    case 13: { // UDIV/SDIV/LSLV/LSRV/ASRV/RORV (and now and then any 2-source opcode: CRC32*, unallocated)
      const opcode = rare() ? int(64) : [2, 3, 8, 9, 10, 11][int(6)]!;
      w = (sf << 31) | 0x1ac0_0000 | (rm << 16) | (opcode << 10) | tail;
      break;
    }
    case 14: // RBIT/REV16/REV/REV32/CLZ/CLS (REV with sf = 0, opc = 11 and the other opcodes: unallocated)
      w = (sf << 31) | 0x5ac0_0000 | ((rare() ? int(64) : int(6)) << 10) | tail;
      break;
    case 15: // ADC/ADCS/SBC/SBCS
      w = (sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x1a00_0000 | (rm << 16) | tail;
      break;
    default: // MRS Xt, NZCV (a handler reads the lazy flags)
      w = mrsNzcv(rd === 31 ? 0 : rd);
  }
  return w >>> 0;
}

/** A flag-setting word (ADDS/SUBS/CMP/CMN/ANDS/BICS/TST/CCMP/CCMN forms). */
function setterWord(r: () => number, reg: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const sf = int(2);
  const tail = (reg() << 5) | reg();
  switch (int(6)) {
    case 0: return ((sf << 31) | (int(2) << 30) | (1 << 29) | 0x1100_0000 | (int(2) << 22) | ([0, 1, int(4096)][int(3)]! << 10) | tail) >>> 0;
    case 1: return ((sf << 31) | (int(2) << 30) | (1 << 29) | 0x0b00_0000 | (int(3) << 22) | (reg() << 16) | (int(4) << 10) | tail) >>> 0;
    case 2: return ((sf << 31) | (int(2) << 30) | (1 << 29) | 0x0b20_0000 | (reg() << 16) | (int(8) << 13) | (int(5) << 10) | tail) >>> 0;
    case 3: return ((sf << 31) | (3 << 29) | 0x0a00_0000 | (int(4) << 22) | (int(2) << 21) | (reg() << 16) | (int(4) << 10) | tail) >>> 0;
    case 4: return ((sf << 31) | (3 << 29) | 0x1200_0000 | (sf << 22) | (int(8) << 16) | (int(8) << 10) | tail) >>> 0; // ANDS (immediate)
    default: return ((sf << 31) | (int(2) << 30) | 0x3a40_0000 | (reg() << 16) | (int(16) << 12) | (int(2) << 11) |
      (reg() << 5) | int(16)) >>> 0; // CCMP/CCMN
  }
}

/** A word that reads the flags: CSEL family, CCMP/CCMN, ADC/SBC(S), MRS NZCV. */
function consumerWord(r: () => number, reg: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const sf = int(2);
  const tail = (reg() << 5) | reg();
  switch (int(4)) {
    case 0: return ((sf << 31) | (int(2) << 30) | 0x1a80_0000 | (reg() << 16) | (int(16) << 12) | (int(2) << 10) | tail) >>> 0;
    case 1: return ((sf << 31) | (int(2) << 30) | 0x3a40_0000 | (reg() << 16) | (int(16) << 12) | (int(2) << 11) |
      (reg() << 5) | int(16)) >>> 0;
    case 2: return ((sf << 31) | (int(2) << 30) | (int(2) << 29) | 0x1a00_0000 | (reg() << 16) | tail) >>> 0;
    default: return mrsNzcv(int(12));
  }
}

// ---- data processing ----

describe('WebAssembly blocks of data-processing instructions agree with the interpreter', () => {
  const CODE = RAM_BASE + 0x10_0000;
  const RAM = 2 << 20;

  /** x0-x11 mostly, sometimes 31 (SP or ZR) and any register. */
  const regOf = (r: () => number) => (): number => {
    const p = r();
    return p < 0.08 ? 31 : p < 0.15 ? Math.floor(r() * 31) : Math.floor(r() * 12);
  };

  function runDp(seed: number, rounds: number, use: TierUse): void {
    const r = rng(seed);
    const reg = regOf(r);
    for (let round = 0; round < rounds; round++) {
      const words: number[] = [];
      const len = 4 + Math.floor(r() * 13);
      while (words.length < len) {
        const p = r();
        if (p < 0.65) words.push(dpWord(r, reg));
        else if (p < 0.9) words.push(setterWord(r, reg), consumerWord(r, reg));
        else words.push(setterWord(r, reg));
      }
      const n = words.length;
      // A conditional branch (fused with a compare just before it, or on NZCV), or an unconditional one, then the
      // fall-through's mov, `b .` (the vectors: `b .` too).
      if (r() < 0.5) words.push(setterWord(r, reg));
      words.push(r() < 0.6 ? (0x5400_0040 | Math.floor(r() * 16)) >>> 0 : randomBranch(r), MOV_X28_1, B_SELF);
      const init = Array.from({ length: 31 }, () => value(r));
      const sps = [value(r), value(r)];
      const nzcv = Math.floor(r() * 16);
      const spsel = Math.floor(r() * 2);
      differential(() => `seed ${seed} round ${round}: ${words.map((w) => w.toString(16)).join(' ')}`, use, (e) => {
        loadWords(e, CODE, words);
        for (const v of [0x000, 0x080, 0x200, 0x280]) loadWords(e, CODE + 0x800 + v, [B_SELF]);
        e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
        init.forEach((v, k) => (e.cpu.x[k] = v));
        e.cpu.spEl[0] = sps[0]!;
        e.cpu.spEl[1] = sps[1]!;
        e.cpu.spsel = spsel;
        e.cpu.nzcv = nzcv;
        e.cpu.pc = BigInt(CODE);
      }, (e) => [e.cpu.run(n + 6)], [[CODE, 0x100]], RAM);
    }
  }

  it('on 700 random blocks of every translated row, 32- and 64-bit, edge operands, reserved encodings', () => {
    const use = new TierUse();
    runDp(2024, 700, use);
    use.check(700 * 6);
  });

  it('64 random rows, each on 13 x 13 edge operand pairs and 4 NZCV values (43,264 runs of one-instruction blocks)', () => {
    // Each row class with fixed registers (x1 = Rd, x2 = Rn, x3 = Rm, x4 = Ra) on all pairs of edge values: the
    // same word is compiled once per environment and run on every pair.
    const use = new TierUse();
    const r = rng(77);
    const words: number[] = [];
    // dpWord draws Rd, Rn, Rm, then Ra: x1, x2, x3, x4.
    let next = 0;
    const fixed = (): number => 1 + (next++ % 4);
    for (let k = 0; k < 64; k++) {
      next = 0;
      words.push(dpWord(r, fixed));
    }
    const pairs = EDGES.filter((_, i) => i % 2 === 0);
    for (const w of words) {
      for (const nzcv of [0b0000, 0b0110, 0b1001, 0b1111]) {
        differential(() => `${w.toString(16)} nzcv ${nzcv}`, use, (e) => {
          // Block per operand pair: x2, x3 from the lists, then the word, then `b .`; run as a sequence of runs.
          loadWords(e, CODE, [w, B_SELF]);
          for (const v of [0x000, 0x080, 0x200, 0x280]) loadWords(e, CODE + 0x800 + v, [B_SELF]);
          e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
        }, (e) => {
          const stops: StopCode[] = [];
          const out: bigint[] = [];
          for (const a of pairs) {
            for (const bv of pairs) {
              e.cpu.x[1] = 0x5555_5555_5555_5555n;
              e.cpu.x[2] = a;
              e.cpu.x[3] = bv;
              e.cpu.x[4] = bv ^ a;
              e.cpu.spEl[1] = a;
              e.cpu.nzcv = nzcv;
              e.cpu.pc = BigInt(CODE);
              e.cpu.el = 1;
              e.cpu.spsel = 1;
              stops.push(e.cpu.run(2));
              out.push(e.cpu.x[1]!, e.cpu.spEl[1]!, BigInt(e.cpu.nzcv), e.cpu.pc);
            }
          }
          return { stops, trace: out };
        }, [], RAM);
      }
    }
    use.check(64);
  });
});

// ---- the blocks of code-cache.test.ts's handler-block differential test, on the WebAssembly tier ----

describe('the random blocks of the handler-block differential test, as WebAssembly', () => {
  it('on 300 random blocks of 16 instructions (registers, flags, memory with the MMU off, PC, exceptions)', () => {
    const CODE = RAM_BASE + 0x10_0000;
    const DATA = RAM_BASE + 0x18_0000;
    const use = new TierUse();
    const r = rng(12345);
    for (let round = 0; round < 300; round++) {
      const p = randomBlockProgram(r);
      differential(() => `round ${round}: ${p.words.map((w) => w.toString(16)).join(' ')}`, use, (e) => {
        setUpRandomBlock(e.cpu, (pa, words) => loadWords(e, pa, words), p, CODE, DATA);
      }, (e) => [e.cpu.run(19)], [[DATA, 0x5000]]);
    }
    use.check(300 * 8);
  });
});

// ---- loads and stores ----

describe('WebAssembly loads and stores agree with the interpreter', () => {
  // Physical pages: code A (the block, vectors; read-only), code B (a block that runs first and that stores may
  // overwrite), data D0..D8.
  const CODE_A = RAM_BASE + 0x10_0000;
  const CODE_B = RAM_BASE + 0x10_1000;
  const D = RAM_BASE + 0x20_0000;
  const MAP: readonly (readonly [bigint, number, { attrIndx: number; ap?: number }])[] = [
    [0x1000n, CODE_A, { attrIndx: Attr.WB, ap: Ap.RoEl1 }],
    [0x2000n, CODE_B, { attrIndx: Attr.WB }],
    [0x10000n, D, { attrIndx: Attr.WB }],
    [0x11000n, D + 0x1000, { attrIndx: Attr.WB }],
    [0x12000n, D + 0x2000, { attrIndx: Attr.WB }],
    [0x13000n, D + 0x3000, { attrIndx: Attr.WB, ap: Ap.RoEl1 }], // read-only
    // 0x14000: unmapped
    [0x15000n, D + 0x4000, { attrIndx: Attr.WB, ap: Ap.RwAll }], // EL0-accessible: PAN faults EL1 accesses
    [0x16000n, D + 0x5000, { attrIndx: Attr.Device }], // Device-nGnRnE: misaligned accesses fault
    [0xffff_f000n, D + 0x6000, { attrIndx: Attr.WB }], // the two pages around VA 2^32
    [0x1_0000_0000n, D + 0x7000, { attrIndx: Attr.WB }],
    // 4 GiB above 0x10000..0x12fff, other memory: a W index register extended the wrong way still hits a page.
    [0x1_0001_0000n, D + 0x9000, { attrIndx: Attr.WB }],
    [0x1_0001_1000n, D + 0xa000, { attrIndx: Attr.WB }],
    [0x1_0001_2000n, D + 0xb000, { attrIndx: Attr.WB }],
  ];
  const TTBR1_VA = 0xffff_ffff_ffff_f000n;
  const TTBR1_PA = D + 0x8000;
  const RANGES = [[D, 0xc000], [CODE_B, 0x1000]] as const;
  /** Base addresses (plus a random multiple of 8 below 128): the first 10 mostly, in pages that can be accessed. */
  const BASES = [0x10000n, 0x10100n, 0x10800n, 0x10f80n, 0x11000n, 0x11f80n, 0x12000n, 0x12800n, 0xffff_ff80n,
    0x1_0000_0000n, 0x12ff0n, 0x13000n, 0x13ff8n, 0x14000n, 0x15000n, 0x15ff8n, 0x16000n, 0x16ff8n, 0xffff_f800n,
    TTBR1_VA + 0x800n, TTBR1_VA + 0xff8n, 0x2100n, 0x2000n, 0x0n];
  /** Exact bases a doubleword or word below a page end (page crossings into RW, read-only, unmapped, Device pages). */
  const PAGE_ENDS = [0x10ff8n, 0x10ffcn, 0x11ff8n, 0x12ff8n, 0x12ffcn, 0x12ff0n, 0x13ff8n, 0x15ff8n, 0xffff_fff8n,
    0xffff_fffcn, 0x1_0000_0ff8n];
  const OFFSETS = [0n, 8n, 16n, 0x100n, 0xffff_ffff_ffff_fff8n, 0xffff_ffff_ffff_fff0n, 0x1000n,
    0xffff_ffff_ffff_f000n, 0xfffn, 0x8000_0000n, 0xffff_fff8n, 0xffff_fff0n, 0xffff_ff00n, 0x1_0000_0008n,
    0xffff_ffff_0000_0010n];

  /**
   * The pages of MAP and the TTBR1 page mapped, data filled with a pattern, `b .` at the vectors (VBAR 0x1800),
   * TBI and SCTLR_EL1 (M, and SA and A as asked) set, and the prelude at 0x2000: add x0, x0, #1; b 0x1000.
   */
  function memSetup(e: ArenaEnv, tbi: boolean, sctlr: bigint): void {
    for (const v of [0x800, 0x880, 0xa00, 0xa80]) loadWords(e, CODE_A + v, [B_SELF]);
    loadWords(e, CODE_B, [0x9100_0400, b(0x2004, 0x1000)]);
    for (const [va, pa, o] of MAP) e.t.map(e.root0, va, s1PageDesc(pa, o));
    e.t.map(e.root1, TTBR1_VA, s1PageDesc(TTBR1_PA, { attrIndx: Attr.WB }));
    for (let pa = D; pa < D + 0xc000; pa += 8) e.ram.view.setBigUint64(pa - RAM_BASE, BigInt(pa) * 0x9e37_79b9n, true);
    e.set('TCR_EL1', TCR_48_4K | (tbi ? TCR.TBI0 | TCR.TBI1 : 0n));
    e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | sctlr);
    e.cpu.sys[SysReg.VBAR_EL1] = 0x1800n;
  }

  /** Fill the TLB with every data page, so the next accesses can take the inline path. */
  const warmTlb = (e: ArenaEnv): void => {
    for (const [va] of MAP) if (va >= 0x10000n) e.mmu.read(va, 8, 0);
    e.mmu.read(TTBR1_VA, 8, 0);
  };

  /**
   * A random load or store word: every size, opc and addressing form, the LSE atomics; base x20-x23 or SP; Rt x0-x19,
   * XZR or Rn.
   */
  function memWord(r: () => number): number {
    const int = (n: number): number => Math.floor(r() * n);
    const base = r() < 0.2 ? 31 : 20 + int(4);
    const t = (): number => (r() < 0.08 ? 31 : r() < 0.05 ? base : int(20));
    const size = int(4);
    const opc = r() < 0.95 ? (r() < 0.8 ? int(2) : 2 + int(2)) : int(4);
    // Mostly a multiple of the size (an aligned access from an aligned base), sometimes any.
    const imm9 = (r() < 0.75 ? (int(16) - 8) << size : r() < 0.7 ? int(64) - 32 : int(512) - 256) & 0x1ff;
    if (r() < 0.1) {
      // An LSE atomic: LD<op> (opc 0-7), SWP (o3 = 1), every size and A/R; Rs x0-x19 or XZR; now and then CAS (a
      // handler) or an unallocated o3 = 1 encoding.
      const k = int(10);
      const o3opc = k < 8 ? k : k === 8 ? 8 : 8 | (1 + int(7));
      const rs = r() < 0.1 ? 31 : int(20);
      if (r() < 0.05) return ((size << 30) | 0x08a0_7c00 | (int(2) << 22) | (int(2) << 15) | (rs << 16) | (base << 5) | t()) >>> 0;
      return ((size << 30) | 0x3820_0000 | (int(4) << 22) | (rs << 16) | (o3opc << 12) | (base << 5) | t()) >>> 0;
    }
    if (r() < 0.06) {
      // LDXR/LDAXR, or STXR/STLXR (status in x0-x19): an open reservation sends plain stores to the handler.
      const sz = 2 + int(2);
      return r() < 0.5 ? ((sz << 30) | 0x085f_7c00 | (int(2) << 15) | (base << 5) | t()) >>> 0
        : ((sz << 30) | 0x0800_7c00 | (int(20) << 16) | (int(2) << 15) | (base << 5) | t()) >>> 0;
    }
    switch (int(8)) {
      case 0:
      case 1: // unsigned offset (scaled)
        return ((size << 30) | 0x3900_0000 | (opc << 22) | ((r() < 0.9 ? int(32) : int(4096)) << 10) | (base << 5) | t()) >>> 0;
      case 2: // unscaled (LDUR/STUR: any alignment)
        return ((size << 30) | 0x3800_0000 | (opc << 22) | (imm9 << 12) | (base << 5) | t()) >>> 0;
      case 3: // post-index, pre-index; unprivileged now and then (the handler)
        return ((size << 30) | 0x3800_0000 | (opc << 22) | (imm9 << 12) | ([1, 3, 1, 3, 2][int(5)]! << 10) | (base << 5) | t()) >>> 0;
      case 4: { // register offset, every option (UXTB/UXTH/SXTB/SXTH are UNDEFINED), scaled or not
        const option = r() < 0.95 ? [2, 3, 6, 7][int(4)]! : int(8);
        return ((size << 30) | 0x3820_0800 | (opc << 22) | ((24 + int(2)) << 16) | (option << 13) | (int(2) << 12) |
          (base << 5) | t()) >>> 0;
      }
      default: { // LDP/STP/LDNP/STNP 32/64 (LDPSW, STGP, unallocated now and then), every addressing mode
        const popc = r() < 0.95 ? [0, 2][int(2)]! : int(4);
        const mode = int(4);
        const imm7 = (r() < 0.3 ? 0 : r() < 0.8 ? int(16) - 8 : int(128)) & 0x7f;
        return ((popc << 30) | 0x2800_0000 | (mode << 23) | (int(2) << 22) | (imm7 << 15) | (t() << 10) | (base << 5) |
          t()) >>> 0;
      }
    }
  }

  /** A base register adjustment (x20-x23 or SP): add/sub #imm, sometimes by an odd amount. */
  function adjustWord(r: () => number): number {
    const int = (n: number): number => Math.floor(r() * n);
    const n = r() < 0.3 ? 31 : 20 + int(4);
    const imm = r() < 0.7 ? 8 * int(8) : int(64);
    return ((1 << 31) | (int(2) << 30) | 0x1100_0000 | (imm << 10) | (n << 5) | n) >>> 0;
  }

  it('on 800 random blocks (every form, mapped, unmapped, read-only, Device, PAN, page and 4 GiB crossings, SP bases, SA, TBI)', () => {
    const use = new TierUse();
    const r = rng(31337);
    const int = (n: number): number => Math.floor(r() * n);
    const reg = (): number => int(20);
    let completed = 0;
    for (let round = 0; round < 800; round++) {
      const words: number[] = [];
      const len = 3 + int(10);
      while (words.length < len) {
        const p = r();
        words.push(p < 0.7 ? memWord(r) : p < 0.85 ? adjustWord(r) : dpWord(r, reg));
      }
      words.push(B_SELF);
      const pickBase = (): bigint => {
        if (r() < 0.15) return PAGE_ENDS[int(PAGE_ENDS.length)]!;
        const v = BASES[int(r() < 0.7 ? 10 : BASES.length)]!;
        const mis = r() < 0.1 ? BigInt(1 + int(15)) : 0n;
        const tag = r() < 0.1 ? BigInt(1 + int(255)) << 56n : 0n;
        return BigInt.asUintN(64, v + BigInt(8 * int(16)) + mis) | tag;
      };
      const bases = [pickBase(), pickBase(), pickBase(), pickBase()];
      const sp = [pickBase(), pickBase()].map((v) => (r() < 0.6 ? v & ~15n : v));
      // Mostly small, a quarter a negative W (SXTW and UXTW then differ by 4 GiB), else anything on the list.
      const offset = (): bigint => (r() < 0.5 ? OFFSETS[int(4)]! : r() < 0.5 ? [0xffff_fff8n, 0xffff_fff0n, 0xffff_ff00n][int(3)]!
        : OFFSETS[int(OFFSETS.length)]!);
      const offsets = [offset(), offset()];
      const init = Array.from({ length: 20 }, () => value(r));
      const sa = r() < 0.5;
      const alignCheck = r() < 0.1;
      const tbi = r() < 0.5;
      const pan = r() < 0.1 ? 1 : 0;
      const spsel = int(2);
      const prefill = r() < 0.8;
      const st = differential(() => `round ${round} sa ${sa} a ${alignCheck} tbi ${tbi} pan ${pan} spsel ${spsel}: ` +
        `${words.map((w) => w.toString(16)).join(' ')} bases ${bases.map((v) => v.toString(16)).join(' ')} ` +
        `sp ${sp.map((v) => v.toString(16)).join(' ')} off ${offsets.map((v) => v.toString(16)).join(' ')}`, use, (e) => {
        loadWords(e, CODE_A, words);
        memSetup(e, tbi, (sa ? SCTLR_SA : 0n) | (alignCheck ? SCTLR.A : 0n));
        if (prefill) warmTlb(e);
        init.forEach((v, k) => (e.cpu.x[k] = v));
        bases.forEach((v, k) => (e.cpu.x[20 + k] = v));
        e.cpu.x[24] = offsets[0]!;
        e.cpu.x[25] = offsets[1]!;
        e.cpu.spEl[0] = sp[0]!;
        e.cpu.spEl[1] = sp[1]!;
        e.cpu.spsel = spsel;
        e.cpu.pan = pan;
        e.cpu.pc = 0x2000n;
      }, (e) => [e.cpu.run(words.length + 5)], RANGES);
      completed += st.elr === 0n ? len : Number(BigInt.asUintN(64, st.elr! - 0x1000n)) / 4;
    }
    use.check(800);
    // Not all faults: instructions before the first fault (or all); the inline fast path took most accesses.
    expect(completed).toBeGreaterThan(800 * 3);
    expect(use.port.wasm).toBeLessThan(use.port.interp * 0.7);
  });

  it('CAS of every size and ordering on 400 random blocks (compares that hold and fail, read-only, unmapped, Device and code pages, misaligned and SP bases, open reservations)', () => {
    // CAS is a handler row whose WebAssembly translation writes the old value back when the compare fails
    // (spec/atomics.ts CAS_WASM_SPECS): memory, registers and faults must still be the handler's.
    const use = new TierUse();
    const r = rng(5150);
    const int = (n: number): number => Math.floor(r() * n);
    const cas = (size: number, rs: number, rt: number, n: number): number =>
      ((size << 30) | 0x08a0_7c00 | (int(2) << 22) | (rs << 16) | (int(2) << 15) | (n << 5) | rt) >>> 0;
    const ldr = (size: number, t: number, n: number): number => ((size << 30) | 0x3940_0000 | (n << 5) | t) >>> 0;
    // A base on a data page, in code page B (0x2000..; the prelude ran from it), on the read-only, unmapped, EL0
    // and Device pages, misaligned now and then; SP too.
    const bases = [0x10000n, 0x10100n, 0x11008n, 0x12ff8n, 0x2000n, 0x2004n, 0x13000n, 0x14000n, 0x15000n, 0x16000n];
    let completed = 0;
    for (let round = 0; round < 400; round++) {
      const words: number[] = [];
      const len = 1 + int(4);
      for (let k = 0; k < len; k++) {
        const size = int(4);
        const n = r() < 0.15 ? 31 : 20 + int(4);
        const rs = r() < 0.05 ? 31 : int(20);
        const rt = r() < 0.05 ? 31 : int(20);
        // Half the time Rs is loaded from the address first, so the compare holds (unless Rs is XZR).
        if (r() < 0.5) words.push(ldr(size, rs === 31 ? 0 : rs, n));
        if (r() < 0.08) words.push(((3 << 30) | 0x085f_7c00 | (n << 5) | 19) >>> 0); // ldxr x19, [Xn]: a reservation
        words.push(cas(size, rs, rt, n));
      }
      words.push(B_SELF);
      const pick = (): bigint => {
        const v = bases[int(r() < 0.7 ? 4 : bases.length)]!;
        return v + (r() < 0.1 ? BigInt(1 + int(7)) : 0n);
      };
      const regs = [pick(), pick(), pick(), pick()];
      const sp = pick() & ~15n;
      const init = Array.from({ length: 20 }, () => value(r));
      const pan = r() < 0.1 ? 1 : 0;
      const st = differential(() => `round ${round} pan ${pan}: ${words.map((w) => w.toString(16)).join(' ')} ` +
        `bases ${regs.map((v) => v.toString(16)).join(' ')} sp ${sp.toString(16)}`, use, (e) => {
        loadWords(e, CODE_A, words);
        memSetup(e, false, 0n);
        warmTlb(e);
        init.forEach((v, k) => (e.cpu.x[k] = v));
        regs.forEach((v, k) => (e.cpu.x[20 + k] = v));
        e.cpu.spEl[1] = sp;
        e.cpu.spsel = 1;
        e.cpu.pan = pan;
        e.cpu.pc = 0x2000n;
      }, (e) => [e.cpu.run(words.length + 5)], RANGES);
      completed += st.elr === 0n ? words.length - 1 : Number(BigInt.asUintN(64, st.elr! - 0x1000n)) / 4;
    }
    use.check(400);
    expect(completed).toBeGreaterThan(400);
    // The inline path took most CAS accesses (each is a read and a write through the port when the handler runs it).
    expect(use.port.wasm).toBeLessThan(use.port.interp * 0.6);
  });

  it('on 400 random blocks of 6 accesses with carries between address halves, VAs around 2^32, 2^53 and 2^64, top bytes and TLB-key aliases', () => {
    // From the removed JavaScript translator's address test (its fast path added 32-bit halves): bases and register
    // offsets whose sums carry or borrow between the halves, wrap at 2^64, sit near 2^53 or have a non-zero top byte
    // without TBI, and a VA whose bits 55:32 equal the TTBR1 page's TLB key in the TTBR0 half (must fault). The
    // inline TLB path must give the registers, memory, PC and syndromes of the interpreter.
    const CODE = RAM_BASE + 0x10_0000;
    const PAGES: [bigint, number][] = [
      [0x3000n, RAM_BASE + 0x30_1000],
      [0x1_0000_3000n, RAM_BASE + 0x30_2000],
      [0xffff_f000n, RAM_BASE + 0x30_3000],
      [0x1_0000_0000n, RAM_BASE + 0x30_4000],
      [0x1f_ffff_f000n, RAM_BASE + 0x30_5000],
    ];
    const TTBR1_PAGE = RAM_BASE + 0x30_6000; // VA 0xffff_ffff_ffff_f000: its TLB key's VA[55:32] is 0xff_ffff
    const BASES = [0x3000n, 0x3ff8n, 0x1_0000_3000n, 0xffff_fff8n, 0xffff_ff00n, 0x1_0000_0008n, 0x1f_ffff_fff8n,
      0xffff_ffff_ffff_fff8n, (1n << 53n) - 8n, (1n << 53n) + 0x3000n, 0x0100_0000_0000_3000n, 0xffff_0000_0000_3000n,
      0x00ff_ffff_ffff_f000n /* top byte 0 and bits 55:32 as the TTBR1 page's key: must fault (no TBI) */];
    const OFFSETS = [0n, 8n, 0x100n, 0xffff_ffff_ffff_fff8n, 1n << 32n, 0xffff_ffff_0000_0000n, 0xffff_f000n,
      0xffff_fff8n, 0x8000_0000n, 0x1_0000_0000n - 0x3000n + 0xffff_f000n, 0xffff_ffff_0000_3000n];
    const r = rng(777);
    const int = (n: number): number => Math.floor(r() * n);
    /** LDR/STR of every size: unsigned offset, pre/post-index, register offset (UXTW, LSL, SXTW, SXTX; scaled or not). */
    const access = (): number => {
      const size = int(4);
      const opc = int(2); // store, load
      const base = 20 + int(4);
      const t = int(10);
      switch (int(3)) {
        case 0: return ((size << 30) | 0x3900_0000 | (opc << 22) | (int(16) << 10) | (base << 5) | t) >>> 0;
        case 1: return ((size << 30) | 0x3800_0000 | (opc << 22) | ((int(512) & 0x1ff) << 12) | ([1, 3][int(2)]! << 10) |
          (base << 5) | t) >>> 0;
        default: return ((size << 30) | 0x3820_0800 | (opc << 22) | ((24 + int(2)) << 16) | ([2, 3, 6, 7][int(4)]! << 13) |
          (int(2) << 12) | (base << 5) | t) >>> 0;
      }
    };
    // Mostly addresses near mapped pages (the fast path), sometimes anything on the lists.
    const pick = <T>(xs: readonly T[], near: number): T => xs[Math.floor(r() * (r() < 0.7 ? near : xs.length))]!;
    const use = new TierUse();
    let accesses = 0; // accesses that completed (before the first fault of each block)
    for (let round = 0; round < 400; round++) {
      const words = [...Array.from({ length: 6 }, access), B_SELF];
      const bases = Array.from({ length: 4 }, () => BigInt.asUintN(64, pick(BASES, 7) + BigInt(int(16) * 8)));
      const offsets = Array.from({ length: 2 }, () => pick(OFFSETS, 4));
      const values = Array.from({ length: 10 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(int(33)));
      const st = differential(() => `round ${round}: ${words.map((w) => w.toString(16)).join(' ')}`, use, (e) => {
        loadWords(e, CODE, words);
        loadWords(e, CODE + 0xa00, [B_SELF]);
        e.t.map(e.root0, 0x1000n, s1PageDesc(CODE, { attrIndx: Attr.WB }));
        for (const [va, pa] of PAGES) {
          e.t.map(e.root0, va, s1PageDesc(pa, { attrIndx: Attr.WB }));
          for (let o = 0; o < 0x1000; o += 8) e.ram.view.setBigUint64(pa - RAM_BASE + o, BigInt(pa + o) * 0x9e37n, true);
        }
        e.t.map(e.root1, 0xffff_ffff_ffff_f000n, s1PageDesc(TTBR1_PAGE, { attrIndx: Attr.WB }));
        e.cpu.sys[SysReg.VBAR_EL1] = 0x1800n;
        e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M);
        // Fill the TLB, so the first access to each page can take the inline path.
        use.uncounted(() => {
          for (const va of [...PAGES.map(([v]) => v), 0xffff_ffff_ffff_f000n]) e.mmu.read(va, 8, 0);
        });
        [...values, ...bases, ...offsets].forEach((v, i) => (e.cpu.x[i < 10 ? i : i + 10] = BigInt.asUintN(64, v)));
        e.cpu.pc = 0x1000n;
      }, (e) => [e.cpu.run(10)], PAGES.map(([, pa]) => [pa, 0x1000] as const));
      accesses += st.pc === 0x1018n ? 6 : Number(st.elr! - 0x1000n) / 4;
    }
    use.check(400);
    // The interesting cases are not all faults, and the inline path took accesses.
    expect(accesses).toBeGreaterThan(600);
    expect(use.port.wasm).toBeLessThan(use.port.interp);
  });

  it('every single and pair form at every page end and boundary, with every index extension, SP bases, TLB warm (enumerated)', () => {
    // Blocks of [access, the same access, b .] at VA 0x4000.. (read-only code pages), Rt = x1, Rt2 = x2, Rn = x20 or
    // SP, Rm = x24; each run from a fresh register state with the TLB warm, for every base below.
    const forms: number[] = [];
    for (const n of [20, 31]) {
      for (let size = 0; size < 4; size++) {
        for (let opc = 0; opc < 4; opc++) {
          const op = (size << 30) | (opc << 22) | (n << 5) | 1;
          for (const imm of [0, 1]) forms.push(op | 0x3900_0000 | (imm << 10)); // unsigned offset
          for (const imm of [0, -1, 4]) forms.push(op | 0x3800_0000 | ((imm & 0x1ff) << 12)); // unscaled
          for (const idx of [1, 3]) for (const imm of [8, -8]) forms.push(op | 0x3800_0000 | ((imm & 0x1ff) << 12) | (idx << 10));
          for (const option of [2, 3, 6, 7]) for (const s of [0, 1]) forms.push(op | 0x3820_0800 | (24 << 16) | (option << 13) | (s << 12));
        }
      }
      for (const popc of [0, 1, 2]) {
        for (const l of [0, 1]) {
          for (let mode = 0; mode < 4; mode++) {
            for (const imm of [0, 1, -1]) forms.push((popc << 30) | 0x2800_0000 | (mode << 23) | (l << 22) | ((imm & 0x7f) << 15) | (2 << 10) | (n << 5) | 1);
          }
        }
      }
    }
    const CODE_C = RAM_BASE + 0x10_2000;
    const pages = Math.ceil((forms.length * 16) / 0x1000);
    const blockVa = (k: number): bigint => 0x4000n + BigInt(16 * k);
    const bases: [bigint, boolean, bigint][] = [ // base, TBI, SCTLR bits
      ...PAGE_ENDS.map((v, i): [bigint, boolean, bigint] => [v, false, i % 2 === 0 ? SCTLR_SA : 0n]),
      [0x10000n, false, 0n], [0x10008n, false, SCTLR_SA], [0x11000n, true, 0n], [0x12800n, false, SCTLR.A],
      [0x1_0000_0008n, false, 0n], [0x13000n, false, 0n], [0x16000n, false, 0n], [0x16ffcn, false, 0n],
      [0x15000n, false, 0n], [(0x5an << 56n) | 0x10ff8n, true, 0n], [(0x5an << 56n) | 0x10ff8n, false, 0n],
      [TTBR1_VA + 0xff8n, false, 0n], [0x2ff8n, false, 0n],
    ];
    const INDEXES = [0n, 8n, 0xffff_fff8n, 0xdead_0000_ffff_fff0n, 0xffff_ffff_ffff_fff8n, 0x1000n, 0x8000_0000n];
    const use = new TierUse();
    differential(() => 'enumerated accesses', use, (e) => {
      memSetup(e, false, 0n);
      for (let p = 0; p < pages; p++) {
        e.t.map(e.root0, 0x4000n + BigInt(0x1000 * p), s1PageDesc(CODE_C + 0x1000 * p, { attrIndx: Attr.WB, ap: Ap.RoEl1 }));
      }
      forms.forEach((w, k) => loadWords(e, CODE_C + 16 * k, [w, w, B_SELF]));
    }, (e) => {
      const stops: StopCode[] = [];
      const trace: string[] = [];
      const c = e.cpu;
      bases.forEach(([base, tbi, sctlr], bi) => {
        e.set('TCR_EL1', TCR_48_4K | (tbi ? TCR.TBI0 | TCR.TBI1 : 0n));
        e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | sctlr);
        forms.forEach((w, k) => {
          c.x[1] = 0x1111_2222_3333_4444n;
          c.x[2] = 0x8555_6666_7777_8888n;
          c.x[20] = base;
          c.x[24] = INDEXES[(k + bi) % INDEXES.length]!;
          c.spEl[1] = base;
          c.el = 1;
          c.spsel = 1;
          c.daif = 0xf;
          c.pc = blockVa(k);
          use.uncounted(() => warmTlb(e));
          const before = c.insnCount;
          stops.push(c.run(3));
          trace.push(`${base.toString(16)} ${w.toString(16)}: pc ${c.pc.toString(16)} n ${c.insnCount - before} ` +
            `x1 ${c.x[1]!.toString(16)} x2 ${c.x[2]!.toString(16)} x20 ${c.x[20]!.toString(16)} ` +
            `sp ${c.spEl[1]!.toString(16)} esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} far ${c.sys[SysReg.FAR_EL1]!.toString(16)}`);
        });
      });
      return { stops, trace };
    }, RANGES);
    use.check(forms.length / 2);
    expect(use.port.wasm).toBeLessThan(use.port.interp * 0.8);
  });
});

// ---- MTE: Tagged pages and tagged pointers ----

describe.each([
  ['tags outside the arena (Tagged pages always take the handler)', true],
  ['tags dense in the arena (matching tags checked inline)', 'dense'],
] as const)('WebAssembly loads and stores on Tagged pages (MTE), %s', (_, tagMode) => {
  // With a TestTags store the MMU gives Tagged pages arena TLB entries that never hit: the handler checks tags.
  // With the tags dense in the arena (as kvm-core keeps tag-capable memory) the inline path compares the granule's
  // allocation tag with the pointer's and leaves a mismatch to the handler. Untagged pages through tagged pointers
  // take the inline path when TBI ignores the top byte.
  const CODE = RAM_BASE + 0x10_0000;
  const DATA = RAM_BASE + 0x20_0000;
  const TAGGED = 0x1000_0000n;
  const PLAIN = 0x2000_0000n;
  const TAGGED_RO = 0x3000_0000n;
  const dense = tagMode === 'dense';
  /** The allocation tags of the two data pages, one hex digit per granule. */
  const tagDump = (e: ArenaEnv): string =>
    Array.from({ length: 512 }, (_, g) => e.ram.tags!.getTag(DATA + 16 * g).toString(16)).join('');

  /** Data pages (Tagged, Normal and Tagged read-only views; EL0 read/write), the code page at VA 0x1000, vectors. */
  function mteSetup(e: ArenaEnv, granuleTags: readonly number[], tbi: boolean, sctlr: bigint): void {
    for (const off of [0, 0x1000]) {
      e.t.map(e.root0, TAGGED + BigInt(off), s1PageDesc(DATA + off, { attrIndx: Attr.Tagged, ap: Ap.RwAll }));
      e.t.map(e.root0, PLAIN + BigInt(off), s1PageDesc(DATA + off, { attrIndx: Attr.WB, ap: Ap.RwAll }));
    }
    e.t.map(e.root0, TAGGED_RO, s1PageDesc(DATA, { attrIndx: Attr.Tagged, ap: Ap.RoEl1 }));
    e.t.map(e.root0, 0x1000n, s1PageDesc(CODE, { attrIndx: Attr.WB, ap: Ap.RoAll }));
    granuleTags.forEach((t, g) => e.ram.tags!.setTag(DATA + 16 * g, t));
    for (let pa = DATA; pa < DATA + 0x2000; pa += 8) e.ram.view.setBigUint64(pa - RAM_BASE, BigInt(pa) * 0x9e37_79b9n, true);
    for (const v of [0x800, 0xa00, 0xc00]) loadWords(e, CODE + v, [B_SELF]);
    e.cpu.sys[SysReg.VBAR_EL1] = 0x1800n;
    e.cpu.sys[SysReg.HCR_EL2] = HCR_ATA;
    e.set('TCR_EL1', TCR_48_4K | (tbi ? TCR.TBI0 | TCR.TBI1 : 0n));
    e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | sctlr);
  }
  /**
   * Fill the TLB with the data pages (the Tagged views last: the three views of a page share a TLB index; the
   * read-only one only at EL1, where it can be read).
   */
  const warm = (use: TierUse, e: ArenaEnv): void => use.uncounted(() => {
    const ro = e.cpu.el === 0 ? [] : [TAGGED_RO];
    for (const va of [PLAIN, PLAIN + 0x1000n, ...ro, TAGGED, TAGGED + 0x1000n]) e.mmu.read(va, 8, 0);
  });

  it('on 200 random blocks (check modes, TBI on and off, matching and mismatching tags, pairs)', () => {
    const use = new TierUse();
    const r = rng(4243);
    const int = (n: number): number => Math.floor(r() * n);
    for (let round = 0; round < 200; round++) {
      const tcf = int(4);
      const tbi = r() < 0.8;
      const granuleTags = Array.from({ length: 512 }, () => int(3));
      const words = [...Array.from({ length: 6 }, () => {
        const size = int(4);
        const opc = int(2);
        const base = 20 + int(4);
        const p = r();
        return p < 0.45 ? ((size << 30) | 0x3900_0000 | (opc << 22) | (int(32) << 10) | (base << 5) | int(10)) >>> 0 // [xN, #imm]
          : p < 0.55 ? ((size << 30) | 0x3820_0000 | (int(4) << 22) | (int(10) << 16) | ((r() < 0.9 ? int(8) : 8) << 12) |
            (base << 5) | int(10)) >>> 0 // LD<op>/SWP xS, xT, [xN]
          : p < 0.8 ? ((size << 30) | 0x3820_6800 | (opc << 22) | ((24 + int(2)) << 16) | (base << 5) | int(10)) >>> 0 // [xN, xM]
            : (([0, 2][int(2)]! << 30) | 0x2900_0000 | (opc << 22) | ((int(8) - 4) & 0x7f) << 15 | (int(10) << 10) | (base << 5) |
              int(10)) >>> 0; // LDP/STP [xN, #imm]
      }), B_SELF];
      const regs = Array.from({ length: 4 }, () => {
        const top = [0, int(3), int(3), int(16), 0xff, 0x0f][int(6)]!;
        return (BigInt(top) << 56n) | ([TAGGED, PLAIN, TAGGED_RO][int(3)]! + BigInt(int(0x1e0) * 8));
      });
      const offsets = Array.from({ length: 2 }, () => BigInt.asUintN(64, BigInt(int(64) * 8 - 128)));
      const values = Array.from({ length: 10 }, () => value(r));
      differential(() => `round ${round} tcf ${tcf} tbi ${tbi}: ${words.map((w) => w.toString(16)).join(' ')} ` +
        `${regs.map((v) => v.toString(16)).join(' ')}`, use, (e) => {
        mteSetup(e, granuleTags, tbi, SCTLR_MTE.TCF(tcf) | SCTLR_MTE.TCF0(tcf));
        loadWords(e, CODE, words);
        warm(use, e);
        values.forEach((v, k) => (e.cpu.x[k] = v));
        regs.forEach((v, k) => (e.cpu.x[20 + k] = v));
        e.cpu.x[24] = offsets[0]!;
        e.cpu.x[25] = offsets[1]!;
        e.cpu.pc = 0x1000n;
      }, (e) => ({ stops: [e.cpu.run(10)], trace: [e.cpu.sys[SysReg.TFSR_EL1], tagDump(e)] }),
      [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    }
    use.check(200);
  });

  it('every checked and unchecked form at EL0 and EL1 under every TCF, TCO and TCMA setting, on matching, mismatching, tag 0 and granule-splitting pointers (enumerated)', () => {
    // Blocks of [access, b .] at VA 0x1000 + 8 k; Rt x1, Rt2 x2, Rn x20 or SP (SP = x20 at run start), Rm x24 = 8.
    const forms = [
      0xf940_0681, // ldr x1, [x20, #8]
      0xf900_0281, // str x1, [x20]
      0x3940_3e81, // ldrb w1, [x20, #15]
      0x7900_0e81, // strh w1, [x20, #6]
      0xf878_6a81, // ldr x1, [x20, x24]
      0xf81f_8281, // stur x1, [x20, #-8]   (the granule before)
      0xa940_8a81, // ldp x1, x2, [x20, #8]  (two granules)
      0xa900_0a81, // stp x1, x2, [x20]
      0x2940_8a81, // ldp w1, w2, [x20, #4]
      0xf940_07e1, // ldr x1, [sp, #8]       (SP base, immediate offset: unchecked)
      0xf900_03e1, // str x1, [sp]           (unchecked)
      0xf81f_0fe1, // str x1, [sp, #-16]!    (SP base with writeback: checked)
      0xa940_8be1, // ldp x1, x2, [sp, #8]   (unchecked)
      0xf840_86e1, // ldr x1, [x23], #8      (post-index, x23 = x20)
    ];
    // Allocation tags: granule g of the first page has (g * 7 + 3) & 15, so neighbours always differ.
    const granuleTags = Array.from({ length: 512 }, (_, g) => (g * 7 + 3) & 15);
    const use = new TierUse();
    // Memory port accesses by engine and pointer kind ('off': any pointer while no access can be checked, TCF 0 or
    // TCO 1).
    const kinds = (): Record<'match' | 'mismatch' | 'zero' | 'split' | 'off', number> =>
      ({ match: 0, mismatch: 0, zero: 0, split: 0, off: 0 });
    const byKind = { wasm: kinds(), interp: kinds(), handlers: kinds() };
    const st = differential(() => 'enumerated tag checks', use, (e) => {
      mteSetup(e, granuleTags, true, 0n);
      forms.forEach((w, k) => loadWords(e, CODE + 8 * k, [w, B_SELF]));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      for (const el of [0, 1]) {
        for (let tcf = 0; tcf < 4; tcf++) {
          for (const tco of [0, 1]) {
            for (const tcma of [false, true]) {
              e.set('TCR_EL1', TCR_48_4K | TCR.TBI0 | TCR.TBI1 | (tcma ? TCR_MTE.TCMA0 : 0n));
              e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | SCTLR_MTE.ATA | SCTLR_MTE.ATA0 |
                (el === 1 ? SCTLR_MTE.TCF(tcf) : SCTLR_MTE.TCF0(tcf)));
              forms.forEach((w, k) => {
                for (const ptr of ['match', 'mismatch', 'zero', 'split'] as const) {
                  const g = 40 + 3 * k; // granule of x20 (x20 + 8: still in it; x20 + 16: the next one)
                  const alloc = granuleTags[g]!;
                  const tag = ptr === 'match' ? alloc : ptr === 'mismatch' ? (alloc + 5) & 15 : ptr === 'zero' ? 0
                    : granuleTags[g + 1]!; // split: the next granule's tag (pairs: the first half mismatches)
                  const base = (BigInt(tag) << 56n) | (TAGGED + BigInt(16 * g));
                  c.x[1] = 0x1111_2222_3333_4444n;
                  c.x[2] = 0x8555_6666_7777_8888n;
                  c.x[20] = base;
                  c.x[23] = base;
                  c.x[24] = 8n;
                  c.spEl[0] = base;
                  c.spEl[1] = base;
                  c.el = el;
                  c.spsel = el;
                  c.daif = 0xf;
                  c.tco = tco;
                  c.sys[SysReg.TFSR_EL1] = 0n;
                  c.sys[SysReg.TFSRE0_EL1] = 0n;
                  c.sys[SysReg.ESR_EL1] = 0n;
                  c.pc = 0x1000n + BigInt(8 * k);
                  warm(use, e);
                  const before = c.insnCount;
                  const ports = use.port[e.engine];
                  stops.push(c.run(2));
                  byKind[e.engine][tcf === 0 || tco === 1 ? 'off' : ptr] += use.port[e.engine] - ports;
                  trace.push(`el ${el} tcf ${tcf} tco ${tco} tcma ${tcma} ${w.toString(16)} ${ptr}: pc ${c.pc.toString(16)} ` +
                    `n ${c.insnCount - before} x1 ${c.x[1]!.toString(16)} x2 ${c.x[2]!.toString(16)} ` +
                    `sp ${c.spEl[el]!.toString(16)} x23 ${c.x[23]!.toString(16)} esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} ` +
                    `far ${c.sys[SysReg.FAR_EL1]!.toString(16)} tfsr ${c.sys[SysReg.TFSR_EL1]} ${c.sys[SysReg.TFSRE0_EL1]}`);
                }
              });
            }
          }
        }
      }
      return { stops, trace };
    }, [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    use.check(forms.length);
    // Not vacuous: synchronous tag check faults (DFSC 0x11) from both ELs, and asynchronous ones (TFSR_EL1 and
    // TFSRE0_EL1 bits) happened, and so did accesses that completed.
    const lines = st.trace as string[];
    const esr = (l: string): bigint => BigInt(`0x${/ esr ([0-9a-f]+) /.exec(l)![1]!}`);
    const tcfFault = (l: string): boolean => (esr(l) >> 26n === 0x24n || esr(l) >> 26n === 0x25n) && (esr(l) & 0x3fn) === 0x11n;
    expect(lines.filter((l) => l.startsWith('el 1') && tcfFault(l)).length).toBeGreaterThan(20);
    expect(lines.filter((l) => l.startsWith('el 0') && tcfFault(l)).length).toBeGreaterThan(20);
    expect(lines.filter((l) => / tfsr [123] 0$/.test(l)).length).toBeGreaterThan(10);
    expect(lines.filter((l) => / tfsr 0 [123]$/.test(l)).length).toBeGreaterThan(10);
    expect(lines.filter((l) => / n 2 .* esr 0 /.test(l)).length).toBeGreaterThan(lines.length / 2);
    // Mismatching pointers never complete inline while an access can be checked (the handler checks them: every
    // access is a port access, as in the interpreter); with dense tags most matching accesses do, and so do most
    // accesses when none can be checked (the block's mode tells the inline path to skip the tag compare).
    expect(byKind.wasm.mismatch).toBe(byKind.interp.mismatch);
    expect(byKind.wasm.split).toBe(byKind.interp.split);
    if (dense) {
      expect(byKind.wasm.match).toBeLessThan(byKind.interp.match * 0.4);
      expect(byKind.wasm.off).toBeLessThan(byKind.interp.off * 0.4);
    } else expect(byKind.wasm).toEqual(byKind.interp);
  });

  it('a load\'s tag compare covers a later access at the same address, and only that (BlockEmitter.tagKnown): every TCF, matching and mismatching tags', () => {
    // Blocks at VA 0x1000 + 0x40 k, ending in b .; x20 the pointer, x21 the same address with another tag.
    const cases: readonly (readonly number[])[] = [
      [0xf940_0281, 0x9100_0421, 0xf900_0281], // ldr x1, [x20]; add x1, x1, #1; str x1, [x20]
      [0xf900_0281, 0xf940_0282], // str x1, [x20]; ldr x2, [x20]  (a store proves nothing: TCF 3 checks it asynchronously)
      [0xf940_0281, 0x9100_4294, 0xf900_0281], // ldr x1, [x20]; add x20, x20, #16; str x1, [x20]  (another granule)
      [0xf940_0281, 0xd920_0ab5, 0xf900_0281], // ldr x1, [x20]; stg x21, [x21]; str x1, [x20]  (the tag changed)
      [0xb940_0281, 0xf900_0281], // ldr w1, [x20]; str x1, [x20]
      [0xa940_0a81, 0xa900_0682], // ldp x1, x2, [x20]; stp x2, x1, [x20]
      [0xf940_0281, 0xf940_0682, 0xf900_0682, 0xf900_0281], // ldr x1, [x20]; ldr x2, [x20, #8]; str x2, [x20, #8]; str x1, [x20]
    ];
    const granuleTags = Array.from({ length: 512 }, (_, g) => (g * 7 + 3) & 15);
    const use = new TierUse();
    const st = differential(() => 'same-address tag checks', use, (e) => {
      mteSetup(e, granuleTags, true, 0n);
      cases.forEach((words, k) => loadWords(e, CODE + 0x40 * k, [...words, B_SELF]));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      for (let tcf = 0; tcf < 4; tcf++) {
        e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | SCTLR_MTE.TCF(tcf));
        cases.forEach((words, k) => {
          for (const ptr of ['match', 'mismatch'] as const) {
            const g = 40 + 3 * k;
            const alloc = granuleTags[g]!;
            e.ram.tags!.setTag(DATA + 16 * g, alloc);
            const addr = TAGGED + BigInt(16 * g);
            c.x[1] = 0x1111_2222_3333_4444n;
            c.x[2] = 0x8555_6666_7777_8888n;
            c.x[20] = (BigInt(ptr === 'match' ? alloc : (alloc + 5) & 15) << 56n) | addr;
            c.x[21] = (BigInt((alloc + 3) & 15) << 56n) | addr;
            c.el = 1;
            c.spsel = 1;
            c.daif = 0xf;
            c.tco = 0;
            c.sys[SysReg.TFSR_EL1] = 0n;
            c.sys[SysReg.ESR_EL1] = 0n;
            c.pc = 0x1000n + BigInt(0x40 * k);
            warm(use, e);
            const before = c.insnCount;
            stops.push(c.run(words.length + 1));
            trace.push(`tcf ${tcf} case ${k} ${ptr}: pc ${c.pc.toString(16)} n ${c.insnCount - before} x1 ${c.x[1]!.toString(16)} ` +
              `x2 ${c.x[2]!.toString(16)} x20 ${c.x[20]!.toString(16)} esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} ` +
              `far ${c.sys[SysReg.FAR_EL1]!.toString(16)} tfsr ${c.sys[SysReg.TFSR_EL1]} tag ${e.ram.tags!.getTag(DATA + 16 * g)}`);
          }
        });
      }
      return { stops, trace };
    }, [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    use.check(cases.length);
    // Not vacuous: accesses after a completed load that fault synchronously (the other granule, the retagged one, a
    // load after an asynchronously checked store under TCF 3) and ones that complete with TFSR set.
    const lines = st.trace as string[];
    const syncFault = (l: string): boolean => (BigInt(`0x${/ esr ([0-9a-f]+) /.exec(l)![1]!}`) & 0x3fn) === 0x11n;
    expect(lines.filter((l) => l.startsWith('tcf 1 case 2 match') && syncFault(l))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('tcf 1 case 3 match') && syncFault(l))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('tcf 3 case 1 mismatch') && syncFault(l))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('tcf 2 case 0 mismatch') && / tfsr 1 /.test(l) && / n 4 /.test(l))).toHaveLength(1);
  });

  it('SIMD&FP loads and stores at unaligned addresses (inside and across granules and pages, matching and mismatching tags) on 200 random blocks', () => {
    // LDR/STR (unscaled: any offset) of H, S, D and Q and LDP/STP of D and Q through tagged pointers; on Normal pages
    // an access not aligned to its size may complete in translated code (the module's unaligned check) when it lies in one page
    // and, where tags are checked, in one granule with a matching tag. V0-V9 are compared too.
    const use = new TierUse();
    const r = rng(4244);
    const int = (n: number): number => Math.floor(r() * n);
    for (let round = 0; round < 200; round++) {
      const tcf = int(4);
      const granuleTags = Array.from({ length: 512 }, () => int(3));
      const words = [...Array.from({ length: 6 }, () => {
        const base = 20 + int(4);
        const l = int(2);
        if (r() < 0.3) { // LDP/STP D (opc 01) or Q (10), signed offset
          const opc = 1 + int(2);
          return ((opc << 30) | 0x2d00_0000 | (l << 22) | (((int(8) - 4) & 0x7f) << 15) | (int(10) << 10) | (base << 5) | int(10)) >>> 0;
        }
        const q = r() < 0.4;
        const size = q ? 0 : 1 + int(3);
        const imm9 = (int(64) - 32) & 0x1ff;
        return ((size << 30) | 0x3c00_0000 | ((q ? 2 : 0) | l) << 22 | (imm9 << 12) | (base << 5) | int(10)) >>> 0;
      }), B_SELF];
      const regs = Array.from({ length: 4 }, () => {
        const top = [0, int(3), int(3), int(16)][int(4)]!;
        const off = r() < 0.2 ? 0xfe0 + int(32) : r() < 0.1 ? 0x1fe0 + int(16) : int(0x1fc0);
        return (BigInt(top) << 56n) | ([TAGGED, PLAIN][int(2)]! + BigInt(off));
      });
      const v = Array.from({ length: 20 }, () => value(r));
      differential(() => `round ${round} tcf ${tcf}: ${words.map((w) => w.toString(16)).join(' ')} ` +
        `${regs.map((x) => x.toString(16)).join(' ')}`, use, (e) => {
        mteSetup(e, granuleTags, true, SCTLR_MTE.TCF(tcf) | SCTLR_MTE.TCF0(tcf));
        e.cpu.sys[SysReg.CPACR_EL1] = 3n << 20n;
        loadWords(e, CODE, words);
        warm(use, e);
        v.forEach((x, k) => (e.cpu.vr.u64[k] = x));
        regs.forEach((x, k) => (e.cpu.x[20 + k] = x));
        e.cpu.pc = 0x1000n;
      }, (e) => ({
        stops: [e.cpu.run(10)],
        trace: [e.cpu.sys[SysReg.TFSR_EL1], tagDump(e), [...e.cpu.vr.u64.slice(0, 20)].map((x) => x.toString(16)).join(' ')],
      }), [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    }
    use.check(200);
  });

  /**
   * A loop of `body` run 50 times (then subs x0, b.ne, b .) whose `perIteration` accesses go through x20.. at
   * `bases` (granule and byte offset; through a pointer with the granule's tag on Tagged pages, else the untagged
   * view): against the interpreter, and inline after the first iteration (which fills the TLB for the pages the
   * warm-up left to other views), except where the tags are outside the arena (a Tagged page is then always the
   * handler's). `trace` adds registers to the comparison; `fp` enables SIMD&FP.
   */
  function unalignedLoop(label: string, tagged: boolean, seed: number, body: readonly number[],
    bases: readonly (readonly [number, number])[], perIteration: number, trace: (e: ArenaEnv) => string, fp = false): void {
    const r = rng(seed);
    const granuleTags = Array.from({ length: 512 }, () => 1 + Math.floor(r() * 15));
    const loop = [...body, 0xf100_0400]; // subs x0, x0, #1
    loop.push(bcond(0x1000 + 4 * loop.length, 0x1000, 1), B_SELF); // b.ne loop; b .
    const use = new TierUse();
    differential(() => `${label} (${tagged ? 'tagged' : 'untagged'})`, use, (e) => {
      mteSetup(e, granuleTags, true, SCTLR_MTE.TCF(1));
      if (fp) e.cpu.sys[SysReg.CPACR_EL1] = 3n << 20n;
      loadWords(e, CODE, loop);
      warm(use, e);
      bases.forEach(([g, k], n) => {
        e.cpu.x[20 + n] = (tagged ? (BigInt(granuleTags[g]!) << 56n) | TAGGED : PLAIN) + 16n * BigInt(g) + BigInt(k);
      });
      e.cpu.x[0] = 50n;
      e.cpu.pc = 0x1000n;
    }, (e) => ({ stops: [e.cpu.run(400)], trace: [tagDump(e), trace(e)] }), [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    use.check(loop.length - 2);
    const accesses = perIteration * 50;
    expect(use.port.interp).toBe(accesses);
    if (tagged && !dense) expect(use.port.wasm).toBe(accesses);
    else expect(use.port.wasm).toBeLessThanOrEqual(perIteration);
  }

  it.each([
    ['untagged Normal pages', false],
    ['Tagged pages, inside one granule with its tag', true],
  ] as const)('a loop of unaligned SIMD&FP loads and stores on %s stays inline', (_, tagged) => {
    // On Tagged pages a 16-byte access at an unaligned address always spans two granules (the handler's), so the Q
    // pair runs on untagged pages only. x20-x23 at granules 16, 288, 300 and 40 (both pages); the D and S accesses
    // cover bytes 5..12 and 7..10 of theirs.
    unalignedLoop('unaligned SIMD&FP loop', tagged, 607, [
      ...(tagged ? [] : [0x3cc0_1281, 0x3c80_32a1]), // ldur q1, [x20, #1]; stur q1, [x21, #3]
      0xfc40_52c2, // ldur d2, [x22, #5]
      0xbc00_72e2, // stur s2, [x23, #7]
    ], [[16, 0], [288, 0], [300, 0], [40, 0]], tagged ? 2 : 6,
    (e) => [...e.cpu.vr.u64.slice(0, 6)].map((x) => x.toString(16)).join(' '), true);
  });

  it.each([
    ['untagged Normal pages', false],
    ['Tagged pages, inside one granule with its tag', true],
  ] as const)('a loop of unaligned integer loads and stores on %s stays inline (the module\'s unaligned check)', (_, tagged) => {
    // Granules 16, 288, 300, 40 and 50; the accesses cover bytes 1..8, 3..6, 5..6, 1..8 and 7..14 of theirs.
    unalignedLoop('unaligned integer loop', tagged, 911, [
      0xf840_1281, // ldur x1, [x20, #1]
      0xb800_32a1, // stur w1, [x21, #3]
      0x7840_52c2, // ldurh w2, [x22, #5]
      0x2940_12e3, // ldp w3, w4, [x23]
      0xf900_0301, // str x1, [x24]
    ], [[16, 0], [288, 0], [300, 0], [40, 1], [50, 7]], 6,
    (e) => [...e.cpu.x.slice(1, 5)].map((x) => x.toString(16)).join(' '));
  });

  it('unaligned integer accesses that must miss: LDAR/STLR (alignment faults), a granule crossing with checks on, SCTLR_EL1.A, a page crossing', () => {
    // Each case a block of one access and `b .` (the module's unaligned check, a call), and the access in a loop of
    // three iterations (the checks inline), against the interpreter: the fault, or the handler's access. (Page
    // crossings into unmapped, read-only and Device pages: the enumerated test of the plain loads and stores.)
    const cases: Array<readonly [string, number, (g: (n: number, k: number) => bigint) => bigint, bigint]> = [
      ['ldar x5, [x24] unaligned', 0xc8df_ff05, (g) => g(20, 4), 0n],
      ['stlr w1, [x24] unaligned', 0x889f_ff01, (g) => g(20, 2), 0n],
      ['ldapr w5, [x24] unaligned', 0xb8bf_c305, (g) => g(20, 1), 0n],
      ['ldr x5, [x24] across two granules (checked)', 0xf940_0305, (g) => g(20, 12), 0n],
      ['str x1, [x24] across two granules (checked)', 0xf900_0301, (g) => g(20, 12), 0n],
      ['ldr x5, [x24] unaligned with SCTLR_EL1.A', 0xf940_0305, (g) => g(20, 3), SCTLR.A],
      ['ldr x5, [x24] across the page end', 0xf940_0305, (g) => g(255, 13), 0n],
      ['str x1, [x24] across the page end', 0xf900_0301, (g) => g(255, 13), 0n],
    ];
    const use = new TierUse();
    const granuleTags = Array.from({ length: 512 }, (_, g) => 1 + (g % 15));
    for (const [name, word, addr, sctlr] of cases) {
      for (const [tagged, looped] of [[false, false], [true, false], [false, true], [true, true]] as const) {
        differential(() => `${name} (${tagged ? 'tagged' : 'untagged'}${looped ? ', in a loop' : ''})`, use, (e) => {
          mteSetup(e, granuleTags, true, SCTLR_MTE.TCF(1) | sctlr);
          // looped: the access; subs x0, x0, #1; b.ne the access; b .
          loadWords(e, CODE, looped ? [word, 0xf100_0400, bcond(0x1008, 0x1000, 1), B_SELF] : [word, B_SELF]);
          warm(use, e);
          e.cpu.x[0] = 3n;
          e.cpu.x[1] = 0x1122_3344_5566_7788n;
          e.cpu.x[24] = addr((n, k) => (tagged ? (BigInt(granuleTags[n]!) << 56n) | TAGGED : PLAIN) + 16n * BigInt(n) + BigInt(k));
          e.cpu.pc = 0x1000n;
        }, (e) => ({ stops: [e.cpu.run(looped ? 12 : 3)], trace: [tagDump(e), e.cpu.x[5]!.toString(16), e.cpu.sys[SysReg.ESR_EL1]] }),
        [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
      }
    }
    use.check(1);
  });

  it('matching tags on Tagged pages: a loop of loads and stores through tagged pointers stays inline', () => {
    // x20-x23 point into the two Tagged pages with their granules' tags; the loop walks them by 16.
    const r = rng(606);
    const granuleTags = Array.from({ length: 512 }, () => 1 + Math.floor(r() * 15));
    const loop = [
      0xf940_0281, // ldr x1, [x20]
      0xf900_0681, // str x1, [x20, #8]
      0xa940_0aa1, // ldp x1, x2, [x21]
      0xa900_0ac1, // stp x1, x2, [x22]
      0x3900_3ee1, // strb w1, [x23, #15]
      0xf100_0400, // subs x0, x0, #1
      bcond(0x1018, 0x1000, 1), // b.ne loop
      B_SELF,
    ];
    const use = new TierUse();
    differential(() => 'tagged loop', use, (e) => {
      mteSetup(e, granuleTags, true, SCTLR_MTE.TCF(1));
      loadWords(e, CODE, loop);
      warm(use, e);
      const g = [3, 100, 257, 300];
      g.forEach((gr, k) => (e.cpu.x[20 + k] = (BigInt(granuleTags[gr]!) << 56n) | (TAGGED + BigInt(16 * gr))));
      e.cpu.x[21] = (BigInt(granuleTags[100]!) << 56n) | (TAGGED + 16n * 100n); // LDP x21: one granule
      e.cpu.x[0] = 50n;
      e.cpu.pc = 0x1000n;
    }, (e) => ({ stops: [e.cpu.run(500)], trace: tagDump(e) }), [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    use.check(6);
    expect(use.port.interp).toBeGreaterThanOrEqual(5 * 50);
    // Dense: only the first STP to the second page (the code fetch at VA 0x1000 took its TLB index) is the handler's.
    if (dense) expect(use.port.wasm).toBeLessThanOrEqual(2);
    else expect(use.port.wasm).toBe(use.port.interp);
  });

  it.each([
    ['EL1 with TCF = 0 while EL0 checks (TCF0 1, 2, 3): a kernel running for a process that uses MTE', 1],
    ['EL0 with TCF0 = 0 while EL1 checks (TCF 1, 2, 3)', 0],
  ] as const)('mismatching tags where only the other EL checks them stay inline: %s', (_, el) => {
    // A loop of loads and stores through pointers whose tags never match: the accesses of the EL the loop runs at
    // are not checked (its own TCF field is 0), so they complete whatever the tags, inline, although the other EL's
    // accesses (and EL1's unprivileged ones) would be checked.
    const r = rng(808);
    const granuleTags = Array.from({ length: 512 }, () => 1 + Math.floor(r() * 14));
    const loop = [
      0xf940_0281, // ldr x1, [x20]
      0xf900_0681, // str x1, [x20, #8]
      0xa940_0aa1, // ldp x1, x2, [x21]
      0x3900_3ee1, // strb w1, [x23, #15]
      0xf100_0400, // subs x0, x0, #1
      bcond(0x1014, 0x1000, 1), // b.ne loop
      B_SELF,
    ];
    const use = new TierUse();
    for (const tcf of [1, 2, 3]) {
      differential(() => `el ${el} other tcf ${tcf}`, use, (e) => {
        mteSetup(e, granuleTags, true, el === 1 ? SCTLR_MTE.TCF0(tcf) : SCTLR_MTE.TCF(tcf));
        loadWords(e, CODE, loop);
        e.cpu.el = el;
        e.cpu.spsel = el;
        e.cpu.daif = 0xf;
        warm(use, e);
        [3, 100, 257, 300].forEach((gr, k) =>
          (e.cpu.x[20 + k] = (BigInt((granuleTags[gr]! % 15) + 1) << 56n) | (TAGGED + BigInt(16 * gr))));
        e.cpu.x[0] = 50n;
        e.cpu.pc = 0x1000n;
      }, (e) => ({ stops: [e.cpu.run(400)], trace: [e.cpu.el, e.cpu.sys[SysReg.ESR_EL1], e.cpu.sys[SysReg.TFSR_EL1], e.cpu.sys[SysReg.TFSRE0_EL1], tagDump(e)] }),
      [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
    }
    use.check(3);
    expect(use.port.interp).toBeGreaterThanOrEqual(3 * 4 * 50);
    // Dense: a few handler accesses while the TLB index the code fetch took is refilled, not one per iteration.
    if (dense) expect(use.port.wasm).toBeLessThanOrEqual(6);
    else expect(use.port.wasm).toBe(use.port.interp);
  });

  it.each([
    // The granule's tag changes under the cache (STG, a handler) between two loads through the same pointer.
    ['an STG between two loads of one granule', [0xf940_0281 /* ldr x1, [x20] */, 0xd920_0a95 /* stg x21, [x20] */,
      0xf940_0683 /* ldr x3, [x20, #8] */]],
    // The same granule through a pointer with another tag, and back through the first.
    ['one granule through pointers with two tags', [0xf940_0281 /* ldr x1, [x20] */, 0xf940_02c2 /* ldr x2, [x22] */,
      0xf900_0681 /* str x1, [x20, #8] */]],
  ] as const)('inline tag checks after a tag change or through another pointer tag: %s, in every check mode', (_, body) => {
    const r = rng(707);
    const granuleTags = Array.from({ length: 512 }, () => 1 + Math.floor(r() * 14));
    const use = new TierUse();
    for (const tcf of [1, 2, 3]) {
      for (const loop of [false, true]) {
        // A straight block, or the same accesses in a counted loop (x0 iterations) whose function iterates.
        const words = loop ? [...body, 0xf100_0400 /* subs x0, x0, #1 */, bcond(0x1000 + 4 * body.length + 4, 0x1000, 1), B_SELF]
          : [...body, B_SELF];
        differential(() => `tcf ${tcf} loop ${loop}`, use, (e) => {
          mteSetup(e, granuleTags, true, SCTLR_MTE.TCF(tcf));
          loadWords(e, CODE, words);
          warm(use, e);
          const g = 40;
          const tag = BigInt(granuleTags[g]!);
          e.cpu.x[20] = (tag << 56n) | (TAGGED + BigInt(16 * g));
          e.cpu.x[21] = (((tag % 15n) + 1n) << 56n) | TAGGED; // another tag, for STG
          e.cpu.x[22] = (((tag % 15n) + 1n) << 56n) | (TAGGED + BigInt(16 * g));
          e.cpu.x[0] = 20n;
          e.cpu.pc = 0x1000n;
        }, (e) => ({ stops: [e.cpu.run(200)], trace: [e.cpu.sys[SysReg.TFSR_EL1], e.cpu.sys[SysReg.ESR_EL1], tagDump(e)] }),
        [[DATA, 0x2000]], 4 << 20, { tags: tagMode });
      }
    }
    use.check(6);
  });
});

// ---- self-modifying code ----

describe('WebAssembly blocks and stores into code pages', () => {
  const CODE = RAM_BASE + 0x10_0000;
  const DATA = RAM_BASE + 0x18_0000;

  /** CODE..CODE + 0x3000 and DATA identity-mapped as Normal memory, vectors (`b .`) at CODE + 0x2800. */
  function smcSetup(e: ArenaEnv, pages: readonly (readonly number[])[]): void {
    pages.forEach((words, k) => loadWords(e, CODE + 0x1000 * k, words));
    for (const v of [0x000, 0x080, 0x200, 0x280]) loadWords(e, CODE + 0x2800 + v, [B_SELF]);
    for (let pa = CODE; pa < CODE + 0x3000; pa += 0x1000) e.t.map(e.root0, BigInt(pa), s1PageDesc(pa, { attrIndx: Attr.WB }));
    e.t.map(e.root0, BigInt(DATA), s1PageDesc(DATA, { attrIndx: Attr.WB }));
    e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M);
    e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x2800);
    e.cpu.pc = BigInt(CODE);
  }

  it('a self-looping block that patches its own first instruction each iteration (it stops iterating, is rebuilt)', () => {
    const use = new TierUse();
    for (const [iters, budget] of [[1, 50], [5, 9], [5, 23], [40, 1000], [40, 97]] as const) {
      const words = [
        0x9100_0400, //  add x0, x0, #1        (patched: #imm grows)
        0xb900_0041, //  str w1, [x2]
        0x1110_0421, //  add w1, w1, #0x400
        0xf100_0463, //  subs x3, x3, #1
        bcond(CODE + 16, CODE, 1), // b.ne 0
        B_SELF,
      ];
      differential(() => `iters ${iters} budget ${budget}`, use, (e) => {
        smcSetup(e, [words]);
        e.cpu.x[1] = 0x9100_0800n; // add x0, x0, #2
        e.cpu.x[2] = BigInt(CODE);
        e.cpu.x[3] = BigInt(iters);
      }, (e) => {
        const stops = [e.cpu.run(budget), e.cpu.run(budget)];
        // The store dropped the loop's block: IRQ_LINE_LEAVE made it leave, and nothing of it is left behind.
        expect(e.cpu.st32[St.IRQ_LINE >> 2]! & IRQ_LINE_LEAVE).toBe(0);
        return stops;
      }, [[CODE, 0x40]]);
    }
    use.check(5);
  });

  it('a loop that stores where it loaded (the store shares the load\'s page cache): a read-only page and the loop\'s own code still take the store\'s checks', () => {
    const use = new TierUse();
    // ldr w1, [x20]; add w1, w1, #1; str w1, [x20]; add x20, x20, x4; subs x3, x3, #1; b.ne 0; b .
    const words = [0xb940_0281, 0x1100_0421, 0xb900_0281, 0x8b04_0294, 0xf100_0463, bcond(CODE + 20, CODE, 1), B_SELF];
    const ro = DATA + 0x1000;
    const cases = [
      // Walk from a read/write page into a read-only one: the first store there is a permission fault.
      { x20: DATA + 0xff0, x4: 8n, iters: 6n, check: (st: State) => expect([st.esr! & 0x7fn, st.far]).toEqual([0x4fn, BigInt(ro)]) },
      // Increment the immediate of its own `add w1, w1, #1` each iteration: every store drops translated code.
      { x20: CODE + 4, x4: 0n, iters: 5n, check: (st: State) => expect(st.x[1]).not.toBe(0n) },
    ];
    for (const c of cases) {
      for (const budget of [9, 40, 1000]) {
        const st = differential(() => `x20 ${c.x20.toString(16)} budget ${budget}`, use, (e) => {
          smcSetup(e, [words]);
          e.t.map(e.root0, BigInt(ro), s1PageDesc(ro, { attrIndx: Attr.WB, ap: Ap.RoEl1 }));
          e.cpu.x[20] = BigInt(c.x20);
          e.cpu.x[4] = c.x4;
          e.cpu.x[3] = c.iters;
        }, (e) => {
          // The read-only page in the data TLB: the load there passes its check inline, and so would the store if
          // the load's page cache held the page for stores.
          use.uncounted(() => e.mmu.read(BigInt(ro), 8, 0));
          return [e.cpu.run(budget), e.cpu.run(budget)];
        }, [[CODE, 0x40], [DATA + 0xfc0, 0x80]]);
        if (budget === 1000) c.check(st);
      }
    }
    use.check(2);
  });

  it('a looping block whose stores hit its page but none of its instructions keeps iterating', () => {
    const use = new TierUse();
    const words = [
      0xf900_0041, //  str x1, [x2]          (x2: CODE + 0x800, no code there)
      0xf940_0044, //  ldr x4, [x2]
      0x9100_0421, //  add x1, x1, #1
      0xf100_0463, //  subs x3, x3, #1
      bcond(CODE + 16, CODE, 1), // b.ne 0
      B_SELF,
    ];
    for (const budget of [7, 100, 333]) {
      differential(() => `budget ${budget}`, use, (e) => {
        smcSetup(e, [words]);
        e.cpu.x[2] = BigInt(CODE + 0x800);
        e.cpu.x[3] = 60n;
      }, (e) => [e.cpu.run(budget), e.cpu.run(budget)], [[CODE, 0x1000]]);
    }
    use.check(3);
  });

  it('on 150 random two-page programs whose loops store into code that already ran (own block and others), half batched', () => {
    // Page 0: a self-looping block L (add x0; random words; adr x27, target; a 1-, 2-, 4- or 8-byte store of x26
    // there; add x26, x26, #0x400; subs x25; b.ne L), then `b` page 1. Page 1: add x0, x0, #2; random words;
    // b.cond back to page 0's L or on to `b .`. Targets are instructions L ran before its store, or page 1's.
    const use = new TierUse();
    const r = rng(5150);
    const int = (n: number): number => Math.floor(r() * n);
    const reg = (): number => int(20);
    for (let round = 0; round < 150; round++) {
      const pre = 1 + int(4);
      const l: number[] = [0x9100_0400];
      for (let k = 0; k < pre; k++) l.push(dpWord(r, reg));
      const size = [1, 2, 4, 4, 8][int(5)]!;
      const p1Len = 3 + int(3);
      // A target among L's first 1 + pre instructions (before the ADR: they ran before the store) or page 1's.
      const inL = r() < 0.6;
      const span = inL ? 4 * (1 + pre) : 4 * p1Len;
      const maxOff = span - size;
      const off = size >= 4 ? 4 * int(Math.floor(maxOff / 4) + 1) : int(maxOff + 1);
      const target = (inL ? CODE : CODE + 0x1000) + off;
      const adrAt = CODE + 4 * l.length;
      const store = { 1: 0x3900_037a, 2: 0x7900_037a, 4: 0xb900_037a, 8: 0xf900_037a }[size]!;
      l.push(adr(adrAt, target, 27), store, 0x9110_035a, 0xf100_0739);
      l.push(bcond(CODE + 4 * l.length, CODE, 1));
      l.push(b(CODE + 4 * l.length, CODE + 0x1000));
      const p1: number[] = [0x9100_0800];
      while (p1.length < p1Len - 1) p1.push(dpWord(r, reg));
      p1.push(bcond(CODE + 0x1000 + 4 * p1.length, CODE, [0, 1, 14][int(3)]!)); // b.eq/b.ne/b L
      p1.push(B_SELF);
      const init = Array.from({ length: 20 }, () => value(r));
      const x26 = (BigInt(randomWord(r)) << 32n) | BigInt(0x9100_0000 | (int(0x800) << 10));
      const budgets = [20 + int(200), 20 + int(200)];
      const loops = BigInt(2 + int(6));
      // Odd rounds: WebAssembly after one run as a handler block, three blocks to a module (queued blocks die too).
      const tier: WasmTierOptions = round % 2 === 0 ? { hotRuns: 0 } : { hotRuns: 1, batchBlocks: 3 };
      differential(() => `round ${round} tier ${JSON.stringify(tier)}: ${l.map((w) => w.toString(16)).join(' ')} | ` +
        `${p1.map((w) => w.toString(16)).join(' ')}`, use, (e) => {
          smcSetup(e, [l, p1]);
          init.forEach((v, k) => (e.cpu.x[k] = v));
          e.cpu.x[25] = loops;
          e.cpu.x[26] = x26;
        }, (e) => budgets.map((n) => e.cpu.run(n)), [[CODE, 0x2000]], 4 << 20, { wasmTier: tier });
    }
    use.check(150 * 3);
  });
});

// ---- block ends ----

describe('WebAssembly block ends agree with the interpreter', () => {
  const CODE = RAM_BASE + 0x10_0000;
  const VBAR = 0x1800n;
  /** Code pages: VA 0x1000 and 0x2000 (read-only), and the TTBR1 page VA 0xffff_ffff_ffff_e000. */
  const PAGES: readonly (readonly [bigint, number])[] = [[0x1000n, CODE], [0x2000n, CODE + 0x1000],
    [0xffff_ffff_ffff_e000n, CODE + 0x2000]];

  function codeSetup(e: ArenaEnv, code: ReadonlyMap<bigint, number[]>, tbi: boolean): void {
    for (const [va, pa] of PAGES) {
      e.t.map(va >= 1n << 63n ? e.root1 : e.root0, va, s1PageDesc(pa, { attrIndx: Attr.WB, ap: Ap.RoEl1 }));
    }
    const paOf = (va: bigint): number => {
      const [pva, pa] = PAGES.find(([p]) => va >= p && va < p + 0x1000n)!;
      return pa + Number(va - pva);
    };
    for (const [va, words] of code) loadWords(e, paOf(va), words);
    for (const v of [0x000n, 0x080n, 0x200n, 0x280n]) loadWords(e, paOf(VBAR + v), [B_SELF]);
    e.set('TCR_EL1', TCR_48_4K | (tbi ? TCR.TBI0 | TCR.TBI1 : 0n));
    e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M);
    e.cpu.sys[SysReg.VBAR_EL1] = VBAR;
  }

  it('self-looping blocks (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ) stopped mid-loop by the budget: PC and count as the interpreter', () => {
    const use = new TierUse();
    const L = 0x1100n;
    const loops: [string, number[], Record<number, bigint>][] = [
      ['subs/b.ne', [0xf100_0400, 0x9100_0421, bcond(L + 8n, L, 1)], { 0: 300n }], // subs x0, x0, #1; add x1, x1, #1
      ['cmp/b.hi', [0x9100_0421, 0xeb00_003f, bcond(L + 8n, L, 3)], { 0: 0x1_0000_0100n, 1: 0x1_0000_0000n }], // add; cmp x1, x0; b.cc
      ['sub/cbnz w', [0x5100_0400, 0x9100_0c42, cbz(L + 8n, L, 0, true, 0)], { 0: 0x7_0000_0103n }], // sub w0, w0, #1; add x2, x2, #3
      ['add/tbz', [0x9100_0421, tbz(L + 4n, L, 1, 9, false)], { 1: 0n }],
      ['add/tbnz 63', [0xd100_0421, tbz(L + 4n, L, 1, 63, true)], { 1: 0x8000_0000_0000_0200n }],
      ['b (endless)', [0x9100_0421, b(L + 4n, L)], {}],
      ['bl (endless)', [0x9100_0421, bl(L + 4n, L)], {}],
      ['b .', [b(L, L)], {}],
      ['ldr/str/add/b.ne', [0xf940_0041, 0x9100_0421, 0xf900_0041, 0xf100_0400, bcond(L + 16n, L, 1)], { 0: 100n, 2: 0x1_0000_0000n - 8n }],
    ];
    const r = rng(9);
    for (const [name, words, regs] of loops) {
      for (let k = 0; k < 8; k++) {
        const budgets = [1 + Math.floor(r() * 40), 1 + Math.floor(r() * 400), 1 + Math.floor(r() * 2000)];
        differential(() => `${name} budgets ${budgets.join(' ')}`, use, (e) => {
          codeSetup(e, new Map([[L, [...words, B_SELF]]]), false);
          e.t.map(e.root0, 0xffff_f000n, s1PageDesc(RAM_BASE + 0x18_0000, { attrIndx: Attr.WB }));
          for (const [n, v] of Object.entries(regs)) e.cpu.x[Number(n)] = v;
          e.cpu.nzcv = 0b0110;
          e.cpu.pc = L;
        }, (e) => budgets.map((n) => e.cpu.run(n)), [[RAM_BASE + 0x18_0000, 0x1000]]);
      }
    }
    use.check(loops.length);
  });

  it('a counted loop iterates inside one call of its WebAssembly function, and leaves it when the budget runs out', () => {
    const L = 0x1100n;
    const use = new TierUse();
    let calls = 0;
    const st = differential(() => 'counted loop', use, (e) => {
      codeSetup(e, new Map([[L, [0xf100_0400, 0x9100_0421, bcond(L + 8n, L, 1), B_SELF]]]), false); // subs; add; b.ne
      e.cpu.x[0] = 10_000n;
      e.cpu.pc = L;
    }, (e) => {
      const stops = [e.cpu.run(3)];
      if (e.engine === 'wasm') {
        const blk = e.mmu.fetchPage(L)!.get(Number(L & 0xfffn) / 4)!;
        expect(blk.tier).toBe(2);
        const run = blk.run;
        blk.run = (cpu, budget) => {
          calls++;
          return run(cpu, budget);
        };
      }
      // 1000 iterations in one call (3000 instructions), then one instruction interpreted: the budget is spent.
      stops.push(e.cpu.run(3001));
      return stops;
    }, []);
    expect(calls).toBe(1);
    expect([st.n, st.pc, st.x[0]]).toEqual([3004, L + 4n, 10_000n - 1002n]);
    use.check(3);
  });

  it('a loop emitted twice (the second time with its registers in locals) counts its handler calls once', () => {
    const e = arenaEnv('wasm');
    const L = RAM_BASE + 0x2000;
    // mrs x2, midr_el1 (a computed read: a call); subs x0, x0, #1; b.ne L; b .
    loadWords(e, L, [0xd538_0002, 0xf100_0400, bcond(L + 8, L, 1), B_SELF]);
    e.cpu.x[0] = 50n;
    e.cpu.el = 1;
    e.cpu.pc = BigInt(L);
    e.cpu.run(1000);
    expect(e.cpu.x[0]).toBe(0n);
    const tier = e.cpu.codeCache.wasmTier(e.cpu.arena)!;
    expect(tier.handlerRows()).toEqual([['MRS', 1]]);
    expect(tier.stats().calls).toBe(1);
  });

  it('on 400 random programs of blocks ending in every branch (direct, conditional, BR/BLR/RET to aligned, misaligned, tagged, TTBR1 and unmapped targets, TBI on and off), half batched', () => {
    const use = new TierUse();
    const r = rng(8080);
    const int = (n: number): number => Math.floor(r() * n);
    // Block starts; each block's branch may go to any of them (itself included).
    const STARTS = [0x1000n, 0x1100n, 0x1200n, 0x1300n, 0x2000n, 0x2100n, 0xffff_ffff_ffff_e000n, 0xffff_ffff_ffff_e100n];
    const reg = (): number => int(10); // x0-x9: counters and data; x10-x15 hold branch targets, x30 the link
    const batched = new TierUse();
    for (let round = 0; round < 400; round++) {
      // Odd rounds: blocks become WebAssembly after one run as a handler block, compiled three to a module.
      const tier: WasmTierOptions = round % 2 === 0 ? { hotRuns: 0 } : { hotRuns: 1, batchBlocks: 3 };
      const tbi = r() < 0.5;
      const code = new Map<bigint, number[]>();
      for (const s of STARTS) {
        const words: number[] = [];
        if (r() < 0.7) words.push(0xf100_0400); // subs x0, x0, #1 (bounds the loops that test it)
        for (let k = int(4); k > 0; k--) words.push(r() < 0.5 ? setterWord(r, reg) : dpWord(r, reg));
        const at = s + BigInt(4 * words.length);
        const to = STARTS[int(STARTS.length)]!;
        switch (int(9)) {
          case 0: words.push(b(at, to)); break;
          case 1: words.push(bl(at, to)); break;
          case 2: words.push(bcond(at, to, int(16))); break;
          case 3: words.push(cbz(at, to, int(3), r() < 0.5, int(2))); break;
          case 4: words.push(tbz(at, to, int(3), int(64), r() < 0.5)); break;
          case 5: words.push(br(r() < 0.2 ? 30 : 10 + int(6))); break;
          case 6: words.push(blr(r() < 0.3 ? 30 : 10 + int(6))); break;
          case 7: words.push(r() < 0.5 ? ret() : ret(10 + int(6))); break;
          default: words.push(bcond(at, to, 1 + 2 * int(7))); // NE, CC, PL, VC, LS, LT, LE
        }
        const after = s + BigInt(4 * words.length);
        words.push(b(after, STARTS[int(STARTS.length)]!)); // the fall-through: its own block
        code.set(s, words);
      }
      const target = (): bigint => {
        const s = STARTS[int(STARTS.length)]!;
        switch (int(6)) {
          case 0: return s + BigInt(1 + int(3)); // misaligned: PC alignment fault
          case 1: return s | (BigInt(1 + int(255)) << 56n); // a tagged pointer: TBI decides
          case 2: return [0x5000n, 0x2800n, 0x0000_8000_0000_1000n][int(3)]!; // unmapped, zeros (UDF), non-canonical
          default: return s;
        }
      };
      const regs = [...Array.from({ length: 10 }, (_, k) => (k === 0 ? BigInt(2 + int(30)) : value(r))),
        ...Array.from({ length: 6 }, target)];
      const x30 = target();
      const nzcv = int(16);
      const budgets = [1 + int(60), 1 + int(300)];
      differential(() => `round ${round} tbi ${tbi} tier ${JSON.stringify(tier)}: ${[...code].map(([s, w]) => `${s.toString(16)}: ${w.map((x) => x.toString(16)).join(' ')}`).join(' | ')} ` +
        `targets ${regs.slice(10).map((v) => v.toString(16)).join(' ')} x30 ${x30.toString(16)}`, round % 2 === 0 ? use : batched, (e) => {
        codeSetup(e, code, tbi);
        regs.forEach((v, k) => (e.cpu.x[k] = v));
        e.cpu.x[30] = x30;
        e.cpu.nzcv = nzcv;
        e.cpu.pc = STARTS[0]!;
      }, (e) => budgets.map((n) => e.cpu.run(n)), [], 4 << 20, { wasmTier: tier });
    }
    use.check(200);
    batched.check(200);
    expect(batched.modules).toBeLessThan(batched.blocks * 0.8); // modules of several blocks
  });
});

// ---- interrupts ----

describe('an IRQ raised between runs of a self-looping WebAssembly block', () => {
  it('is taken where the interpreter takes it (PSTATE.I clear), and ignored while masked', () => {
    const CODE = RAM_BASE + 0x10_0000;
    const use = new TierUse();
    const r = rng(404);
    const loops: number[][] = [
      [0x9100_0421, 0xf100_0400, bcond(CODE + 8, CODE, 1)], // add x1, x1, #1; subs x0, x0, #1; b.ne 0
      [0x9100_0421, b(CODE + 4, CODE)], // add x1, x1, #1; b 0
      [b(CODE, CODE)], // b .
    ];
    for (const loop of loops) {
      for (let k = 0; k < 12; k++) {
        const masked = k % 4 === 3;
        const spsel = k % 2;
        const budgets = [1 + Math.floor(r() * 200), 1 + Math.floor(r() * 200), 1 + Math.floor(r() * 50)];
        differential(() => `${loop.map((w) => w.toString(16)).join(' ')} masked ${masked} spsel ${spsel} ${budgets.join(' ')}`, use, (e) => {
          loadWords(e, CODE, [...loop, B_SELF]);
          // Vectors: synchronous `b .`; IRQ: mov x9, #0x77; b .
          for (const v of [0x000, 0x200]) loadWords(e, CODE + 0x800 + v, [B_SELF]);
          for (const v of [0x080, 0x280]) loadWords(e, CODE + 0x800 + v, [0xd280_0ee9, B_SELF]);
          e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
          e.cpu.x[0] = 1_000_000n;
          e.cpu.daif = masked ? 0b0010 : 0;
          e.cpu.spsel = spsel;
          e.cpu.pc = BigInt(CODE);
        }, (e) => {
          const stops = [e.cpu.run(budgets[0]!)];
          e.cpu.irqLine = true;
          stops.push(e.cpu.run(budgets[1]!));
          e.cpu.irqLine = false;
          stops.push(e.cpu.run(budgets[2]!));
          return stops;
        }, [], 2 << 20);
      }
    }
    use.check(3);
  });
});

// ---- lazy flags ----

describe('flags left pending by WebAssembly blocks', () => {
  it('are what MRS NZCV, an exception entry (SPSR_EL1), a later block and the host read, on 400 random cases', () => {
    const CODE = RAM_BASE + 0x10_0000;
    const use = new TierUse();
    const r = rng(1717);
    const int = (n: number): number => Math.floor(r() * n);
    const reg = (): number => (r() < 0.1 ? 31 : int(10));
    for (let round = 0; round < 400; round++) {
      const words: number[] = [];
      for (let k = int(3); k > 0; k--) words.push(dpWord(r, reg));
      words.push(setterWord(r, reg));
      for (let k = int(3); k > 0; k--) {
        // Words that leave the flags alone.
        words.push(r() < 0.5 ? (0x9100_0000 | (int(4096) << 10) | (int(10) << 5) | int(10)) >>> 0 : 0xd503_201f); // add; nop
      }
      const end = int(8);
      const at = CODE + 4 * words.length;
      switch (end) {
        case 0: words.push(mrsNzcv(9), B_SELF); break;
        case 1: words.push(0xd400_0001 | (int(0x10000) << 5), B_SELF); break; // svc #imm
        case 2: words.push(0x0000_0000 | int(0x10000), B_SELF); break; // udf #imm
        case 3: words.push(0xf940_0149, B_SELF); break; // ldr x9, [x10] (x10: unmapped: a data abort)
        case 4: words.push(b(at, at + 8), B_SELF, mrsNzcv(9), B_SELF); break; // the next block reads them
        case 5: words.push(bcond(at, at + 8, int(16)), MOV_X28_1, B_SELF); break;
        case 6: words.push(consumerWord(r, reg), B_SELF); break;
        default: words.push(0xd51b_4209, B_SELF); // msr nzcv, x9 (ends the block; the flags before it are lost)
      }
      const init = Array.from({ length: 10 }, () => value(r));
      const nzcv = int(16);
      differential(() => `round ${round}: ${words.map((w) => w.toString(16)).join(' ')}`, use, (e) => {
        loadWords(e, CODE, words);
        // Vectors: mrs x8, nzcv; b .
        for (const v of [0x000, 0x200]) loadWords(e, CODE + 0x800 + v, [mrsNzcv(8), B_SELF]);
        e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
        init.forEach((v, k) => (e.cpu.x[k] = v));
        e.cpu.x[10] = 0x7fff_0000_0000n;
        e.cpu.nzcv = nzcv;
        e.cpu.pc = BigInt(CODE);
      }, (e) => [e.cpu.run(words.length + 2)], [], 2 << 20);
    }
    use.check(400);
  });
});
