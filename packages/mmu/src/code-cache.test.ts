// The CPU's blocks (aarch64-cpu jit.ts, handler-block.ts, code-cache.ts) through the MMU, on both block engines:
// handler blocks (`wasm: false`, what a host without WebAssembly runs) and WebAssembly blocks (every block compiled
// before its first run: `hotRuns: 0`), with guest RAM in the CPU's arena (arena-test-env.ts). Self-modifying code,
// host writes between runs, remapping with TLBI, chaining, lazy flags, the code cache's budget and its partial drops,
// each against the interpreter. The WebAssembly tier's own differential tests (every translated row, loads and stores,
// MTE, branches) are in wasm-tier.test.ts and wasm-chain.test.ts.
import { createHash } from 'node:crypto';
import { DEFAULT_CODE_CACHE_BYTES, Stop, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, type ArenaEnv } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { randomBlockProgram, randomBranch, randomWord, rng, setUpRandomBlock } from './random-code.js';
import { Attr, enableS1, RAM_BASE } from './test-env.js';

/** The two block engines every test here runs on. */
const ENGINES = ['handlers', 'wasm'] as const;
type BlockEngine = (typeof ENGINES)[number];
type Env = ArenaEnv;

/** A CPU and MMU over 4 MiB of RAM in their arena, blocks run by `engine` (the MMU off). */
const makeEnv = (engine: BlockEngine): Env => arenaEnv(engine);

const CODE = RAM_BASE + 0x10_0000;
const DATA = RAM_BASE + 0x18_0000;

const ADD_X0_1 = 0x9100_0400; // add x0, x0, #1
const ADD_X0_16 = 0x9100_4000; // add x0, x0, #0x10
const ADD_X0_256 = 0x9104_0000; // add x0, x0, #0x100
const B_SELF = 0x1400_0000; // b .
const ISB = 0xd503_3fdf;
const IC_IALLU = 0xd508_751f; // ic iallu

function load(e: Env, pa: number, words: number[]): void {
  words.forEach((w, i) => e.ram.view.setUint32(pa - RAM_BASE + 4 * i, w >>> 0, true));
}

describe.each(ENGINES)('block ends (%s blocks)', (engine) => {
  it('the hints and barriers that do nothing (NOP, PACIASP, AUTIASP, BTI, DMB, DSB) do not end a block; ISB does', () => {
    const e = makeEnv(engine);
    load(e, CODE, [
      0xd503_201f, // nop
      0xd503_233f, // paciasp
      ADD_X0_1,
      0xd503_3bbf, // dmb ish
      0xd503_3b9f, // dsb ish
      0xd503_245f, // bti c
      0xd503_23bf, // autiasp
      ADD_X0_1,
      ISB, //          0x20: ends the block
      ADD_X0_1, //     0x24
      B_SELF,
    ]);
    e.cpu.pc = BigInt(CODE);
    expect(e.cpu.run(11)).toBe(Stop.Budget);
    expect(e.cpu.x[0]).toBe(3n);
    expect(e.cpu.pc).toBe(BigInt(CODE + 0x28));
    const page = e.mmu.fetchPage(BigInt(CODE))!;
    const blocks = [...page.blocks.values()].map((b) => [Number(b.pc) - CODE, b.n]).sort((x, y) => x[0]! - y[0]!);
    expect(blocks).toEqual([[0, 9], [0x24, 2]]);
    // Compiled, the hints and barriers are no code: no handler call.
    const tier = e.cpu.codeCache.existingWasmTier(e.cpu.arena);
    if (engine === 'wasm') expect(tier?.stats().calls).toBe(0);
  });

  it('ERET at EL0 is UNDEFINED: taken at the ERET, with what retired before it, each time the block runs', () => {
    const e = makeEnv(engine);
    load(e, CODE, [ADD_X0_1, 0xd69f_03e0]); // add x0, x0, #1; eret
    load(e, CODE + 0xc00, [B_SELF]); // VBAR + 0x400: synchronous, from EL0
    e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
    for (let round = 1; round <= 3; round++) {
      e.cpu.el = 0;
      e.cpu.spsel = 0;
      e.cpu.pc = BigInt(CODE);
      const before = e.cpu.insnCount;
      expect(e.cpu.run(3)).toBe(Stop.Budget);
      expect([e.cpu.pc, e.cpu.el, e.cpu.x[0], e.cpu.insnCount - before], `round ${round}`)
        .toEqual([BigInt(CODE + 0xc00), 1, BigInt(round), 2]);
      expect(e.cpu.sys[SysReg.ELR_EL1]).toBe(BigInt(CODE + 4));
      expect(e.cpu.sys[SysReg.ESR_EL1]! >> 26n).toBe(0n); // EC 0: Unknown reason
    }
    if (engine === 'wasm') expect(e.cpu.codeCache.existingWasmTier(e.cpu.arena)?.stats().blocks).toBeGreaterThan(0);
  });
});

describe.each(ENGINES)('blocks and code that changes (%s blocks)', (engine) => {
  it('a store over an instruction that already ran is seen the next time it runs (self-modifying code)', () => {
    const e = makeEnv(engine);
    load(e, CODE, [
      ADD_X0_1, //    0x00: patched
      0xb500_00a5, // 0x04: cbnz x5, 0x18
      0xb900_0041, // 0x08: str w1, [x2]
      0xd280_0025, // 0x0c: mov x5, #1
      ISB, //         0x10
      0x17ff_fffb, // 0x14: b 0x00
      B_SELF, //      0x18
    ]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.x[1] = BigInt(ADD_X0_16);
    e.cpu.x[2] = BigInt(CODE);
    expect(e.cpu.run(12)).toBe(Stop.Budget);
    expect(e.cpu.x[0]).toBe(0x11n);
    expect(e.cpu.pc).toBe(BigInt(CODE + 0x18));
    expect(e.cpu.insnCount).toBe(12);
  });

  it('a store to the code page inside a loop, then IC IALLU + ISB', () => {
    const e = makeEnv(engine);
    // x0 += patched; patch once (x5 == 0); loop 3 times in total.
    load(e, CODE, [
      ADD_X0_1, //    0x00: patched
      0xb500_0085, // 0x04: cbnz x5, 0x14
      0xb900_0041, // 0x08: str w1, [x2]
      0xd280_0025, // 0x0c: mov x5, #1
      IC_IALLU, //    0x10
      ISB, //         0x14
      0xf100_04c6, // 0x18: subs x6, x6, #1
      0x54ff_ff21, // 0x1c: b.ne 0x00
      B_SELF, //      0x20
    ]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.x[1] = BigInt(ADD_X0_16);
    e.cpu.x[2] = BigInt(CODE);
    e.cpu.x[6] = 3n;
    e.cpu.run(40);
    expect(e.cpu.x[0]).toBe(0x21n); // 1 + 0x10 + 0x10
    expect(e.cpu.pc).toBe(BigInt(CODE + 0x20));
  });

  it('code the host writes between runs is used by the next run', () => {
    const e = makeEnv(engine);
    load(e, CODE, [ADD_X0_1, B_SELF]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(5);
    expect(e.cpu.x[0]).toBe(1n);
    load(e, CODE, [ADD_X0_256]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(5);
    expect(e.cpu.x[0]).toBe(0x101n);
    // CodeCache.invalidateAll also works (for hosts that write code in the middle of a run).
    load(e, CODE, [ADD_X0_16]);
    e.cpu.codeCache.invalidateAll();
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(5);
    expect(e.cpu.x[0]).toBe(0x111n);
  });

  it('remapping the code page (TLBI) runs the new physical page; an alias runs with its own PC', () => {
    const e = makeEnv(engine);
    const A = RAM_BASE + 0x20_0000;
    const B = RAM_BASE + 0x20_1000;
    load(e, A, [0xd280_0020, 0x1000_0001, B_SELF]); // mov x0, #1; adr x1, 0; b .
    load(e, B, [0xd280_0040, 0x1000_0001, B_SELF]); // mov x0, #2; adr x1, 0; b .
    const slot = e.t.map(e.root0, 0x1000n, s1PageDesc(A, { attrIndx: Attr.WB }));
    e.t.map(e.root0, 0x5000n, s1PageDesc(A, { attrIndx: Attr.WB }));
    enableS1(e);
    e.cpu.pc = 0x1000n;
    e.cpu.run(4);
    expect([e.cpu.x[0], e.cpu.x[1], e.cpu.pc]).toEqual([1n, 0x1004n, 0x1008n]);
    e.t.write(slot, s1PageDesc(B, { attrIndx: Attr.WB }));
    e.mmu.tlbi('vmalle1', 0n);
    e.cpu.pc = 0x1000n;
    e.cpu.run(4);
    expect([e.cpu.x[0], e.cpu.x[1], e.cpu.pc]).toEqual([2n, 0x1004n, 0x1008n]);
    e.cpu.pc = 0x5000n;
    e.cpu.run(4);
    expect([e.cpu.x[0], e.cpu.x[1], e.cpu.pc]).toEqual([1n, 0x5004n, 0x5008n]);
  });
});

/** B from `from` to `to` (both byte addresses). */
const b = (from: number, to: number): number => (0x1400_0000 | (((to - from) >> 2) & 0x3ff_ffff)) >>> 0;

describe.each(ENGINES)('block chaining (a block remembers the block each direct exit led to) (%s blocks)', (engine) => {
  /**
   * VA 0x1000 → CODE (holding `code`), VA 0x3000 → P1 (mov x0, #1, then `p1Next`); P2 holds mov x0, #2; b . and is
   * what a remap of VA 0x3000 (`slot`, the descriptor's address) points to.
   */
  function remapEnv(code: number[], p1Next: number): { e: Env; slot: number; p2Desc: bigint } {
    const e = makeEnv(engine);
    const P1 = RAM_BASE + 0x20_0000;
    const P2 = RAM_BASE + 0x20_1000;
    load(e, CODE, code);
    load(e, P1, [0xd280_0020, p1Next]);
    load(e, P2, [0xd280_0040, B_SELF]);
    e.t.map(e.root0, 0x1000n, s1PageDesc(CODE, { attrIndx: Attr.WB }));
    const slot = e.t.map(e.root0, 0x3000n, s1PageDesc(P1, { attrIndx: Attr.WB }));
    return { e, slot, p2Desc: s1PageDesc(P2, { attrIndx: Attr.WB }) };
  }

  // TLBI VMALLE1, and TLBI VALE1IS of the remapped VA alone (the MMU then invalidates one entry, unless the CPU
  // fetched from that page: mmu.ts invalidateVa).
  it.each([['vmalle1', 0n], ['vale1is', 3n]] as const)('a link into another page is not followed once that VA was remapped and the TLB invalidated (TLBI %s)', (op, arg) => {
    const { e, slot, p2Desc } = remapEnv([b(0x1000, 0x3000)], B_SELF); // VA 0x1000: b 0x3000
    enableS1(e);
    e.cpu.pc = 0x1000n;
    e.cpu.run(3); // the block at 0x1000 links its exit to P1's block
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([1n, 0x3004n]);
    e.t.write(slot, p2Desc);
    e.mmu.tlbi(op, arg);
    e.cpu.pc = 0x1000n;
    e.cpu.run(3);
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([2n, 0x3004n]);
  });

  it.each([
    ['vmalle1', 0xd508_871f], // tlbi vmalle1
    ['vale1is x11', 0xd508_83ab], // tlbi vale1is, x11 (x11 = VA[55:12] of 0x3000)
  ] as const)('a link is not followed after the guest remapped its target and ran TLBI, in the same run (TLBI %s)', (_op, tlbi) => {
    const { e, slot, p2Desc } = remapEnv([
      b(0x1000, 0x3000), // 0x1000: b 0x3000            (links to P1's block the first time)
      0xd280_0000, //       0x1004: (unused)
      0xf900_0149, //       0x1008: str x9, [x10]      (the new descriptor for VA 0x3000)
      tlbi, //              0x100c: tlbi
      0xd503_3b9f, //       0x1010: dsb ish
      0xd503_3fdf, //       0x1014: isb
      b(0x1018, 0x1000), // 0x1018: b 0x1000
    ], b(0x3004, 0x1008)); // P1: mov x0, #1; b 0x1008
    const tablePage = slot - (slot % 0x1000);
    e.t.map(e.root0, 0x5000n, s1PageDesc(tablePage, { attrIndx: Attr.WB }));
    enableS1(e);
    e.cpu.x[9] = p2Desc;
    e.cpu.x[10] = BigInt(0x5000 + (slot - tablePage));
    e.cpu.x[11] = 3n;
    e.cpu.pc = 0x1000n;
    e.cpu.run(30);
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([2n, 0x3004n]);
  });

  it('a link is not followed to a block that a store to its page dropped', () => {
    const e = makeEnv(engine);
    const Y = CODE + 0x1000;
    load(e, CODE, [
      0xb400_0065, //      0x00: cbz x5, 0x0c
      0xb900_0041, //      0x04: str w1, [x2]   (patches Y's first instruction)
      b(0x08, 0x0c), //    0x08: b 0x0c
      b(CODE + 0x0c, Y), // 0x0c: b Y          (in another page than Y: its link outlives the store)
    ]);
    load(e, Y, [ADD_X0_1, 0xd280_0025, b(Y + 8, CODE)]); // add x0, x0, #1; mov x5, #1; b CODE
    e.cpu.pc = BigInt(CODE);
    e.cpu.x[1] = BigInt(ADD_X0_16);
    e.cpu.x[2] = BigInt(Y);
    expect(e.cpu.run(12)).toBe(Stop.Budget);
    expect(e.cpu.x[0]).toBe(0x11n);
    expect(e.cpu.pc).toBe(BigInt(CODE));
  });

  it('a link is not followed to a block the host rewrote between runs', () => {
    const e = makeEnv(engine);
    const Y = CODE + 0x40;
    load(e, CODE, [b(CODE, Y)]);
    load(e, Y, [ADD_X0_1, B_SELF]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(3);
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([1n, BigInt(Y + 4)]);
    load(e, Y, [ADD_X0_256]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(3);
    expect([e.cpu.x[0], e.cpu.pc]).toEqual([0x101n, BigInt(Y + 4)]);
  });
});

describe.each(ENGINES)('lazy flags (%s blocks)', (engine) => {
  it('a conditional branch fused with the compare before it decides as the interpreter, for every condition', () => {
    // Flag-setting forms (WebAssembly fuses them with the B.cond after them), then B.cond over a MOV: the branch
    // outcome (x9), the flags and the result must match the interpreter for operands around every sign and carry
    // boundary.
    const SETTERS = [
      0xeb01_0002, // subs x2, x0, x1
      0x6b01_0002, // subs w2, w0, w1
      0xf100_041f, // cmp x0, #1
      0x7100_041f, // cmp w0, #1
      0xea01_0002, // ands x2, x0, x1
      0x6a01_0002, // ands w2, w0, w1
      0xab01_0002, // adds x2, x0, x1
      0x2b01_0002, // adds w2, w0, w1
    ];
    const VALUES = [0n, 1n, 2n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn,
      0x8000_0000_0000_0000n, 0xffff_ffff_ffff_fffen, 0xffff_ffff_ffff_ffffn, 0x1234_5678_9abc_def0n];
    const envs = [makeEnv(engine), makeEnv(engine)];
    let taken = 0;
    for (const setter of SETTERS) {
      for (let cond = 0; cond < 16; cond++) {
        const words = [setter, 0x5400_0040 | cond, 0xd280_0029, B_SELF]; // b.cond +8; mov x9, #1; b .
        for (const e of envs) load(e, CODE, words);
        for (const a of VALUES) {
          for (const b of VALUES) {
            const [t, i] = envs.map((e, k) => {
              e.cpu.x[0] = a;
              e.cpu.x[1] = b;
              e.cpu.x[2] = 0n;
              e.cpu.x[9] = 0n;
              e.cpu.nzcv = 0b0110;
              e.cpu.pc = BigInt(CODE);
              if (k === 0) e.cpu.run(3);
              else e.cpu.interpret(3);
              return { x2: e.cpu.x[2], x9: e.cpu.x[9], nzcv: e.cpu.nzcv, pc: e.cpu.pc };
            });
            if (t!.x9 === 0n) taken++;
            expect(t, `${setter.toString(16)} cond ${cond} a ${a.toString(16)} b ${b.toString(16)}`).toEqual(i);
          }
        }
      }
    }
    expect(taken).toBeGreaterThan(1000); // both outcomes happen
  });

  it('a compare before an exception keeps its NZCV in SPSR_EL1, and MRS NZCV and CSEL read it', () => {
    const run = (translated: boolean): unknown => {
      const e = makeEnv(engine);
      load(e, CODE, [
        0xeb01_001f, // cmp x0, x1
        0xd53b_4202, // mrs x2, nzcv
        0x9a84_80a3, // csel x3, x5, x4, hi
        0x2b01_0006, // adds w6, w0, w1
        0x9a84_20a7, // csel x7, x5, x4, cs
        0xf100_001f, // cmp x0, #0
        0xd400_0001, // svc #0
      ]);
      load(e, CODE + 0x800, [B_SELF]);
      e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
      e.cpu.x[0] = 0xffff_ffff_0000_0005n;
      e.cpu.x[1] = 0x0000_0001_ffff_fffen;
      e.cpu.x[4] = 4n;
      e.cpu.x[5] = 5n;
      e.cpu.pc = BigInt(CODE);
      if (translated) e.cpu.run(8);
      else e.cpu.interpret(8);
      return { x: [...e.cpu.x.slice(0, 8)], nzcv: e.cpu.nzcv, spsr: e.cpu.sys[SysReg.SPSR_EL1], pc: e.cpu.pc };
    };
    const t = run(true) as { x: bigint[]; spsr: bigint };
    expect(t.x[2]).toBe(0xa000_0000n); // N (the difference is negative), C (x0 >= x1 unsigned)
    expect(t.x[3]).toBe(5n); // hi
    expect(t.x[7]).toBe(5n); // cs: 5 + 0xffff_fffe carries out of 32 bits
    expect(t.spsr & 0xf000_0000n).toBe(0x8000_0000n | 0x2000_0000n); // cmp x0, #0: N (x0 < 0 signed), C
    expect(t).toEqual(run(false));
  });
});

describe.each(ENGINES)('loads and stores through the data TLB (%s blocks)', (engine) => {
  // loop: ldr x1, [x3]; add x1, x1, #1; str x1, [x3]; ldr x4, [x2]; b loop. Then at +0x100: str x1, [x2]; b .
  const LOOP = [0xf940_0061, 0x9100_0421, 0xf900_0061, 0xf940_0044, 0x17ff_fffc];
  const STORE_RO = [0xf900_0041, B_SELF];
  const RO = RAM_BASE + 0x30_0000;
  const RW = RAM_BASE + 0x30_1000;
  const run = (translated: boolean): unknown => {
    const e = makeEnv(engine);
    load(e, CODE, LOOP);
    load(e, CODE + 0x100, STORE_RO);
    load(e, CODE + 0x800, [B_SELF]);
    e.t.map(e.root0, 0x1000n, s1PageDesc(CODE, { attrIndx: Attr.WB }));
    e.t.map(e.root0, 0x2000n, s1PageDesc(RO, { attrIndx: Attr.WB, ap: Ap.RoEl1 }));
    e.t.map(e.root0, 0x3000n, s1PageDesc(RW, { attrIndx: Attr.WB }));
    e.ram.view.setBigUint64(RO - RAM_BASE, 0x1234n, true);
    e.cpu.sys[SysReg.VBAR_EL1] = 0x1000n;
    enableS1(e);
    e.cpu.x[2] = 0x2000n;
    e.cpu.x[3] = 0x3000n;
    e.cpu.pc = 0x1000n;
    const stops = [translated ? e.cpu.run(500) : e.cpu.interpret(500)];
    const counter = e.ram.view.getBigUint64(RW - RAM_BASE, true);
    e.cpu.pc = 0x1100n;
    stops.push(translated ? e.cpu.run(3) : e.cpu.interpret(3));
    return {
      stops, counter, x: [...e.cpu.x], pc: e.cpu.pc, n: e.cpu.insnCount, esr: e.cpu.sys[SysReg.ESR_EL1],
      far: e.cpu.sys[SysReg.FAR_EL1], elr: e.cpu.sys[SysReg.ELR_EL1], ro: e.ram.view.getBigUint64(RO - RAM_BASE, true),
    };
  };

  it('a loop of loads and stores, then a store to a read-only page whose entry is cached: as the interpreter', () => {
    const t = run(true) as { counter: bigint; x: bigint[]; ro: bigint; far: bigint };
    expect(t.counter).toBe(100n);
    expect(t.x[4]).toBe(0x1234n);
    expect(t.ro).toBe(0x1234n);
    expect(t.far).toBe(0x2000n);
    expect(t).toEqual(run(false));
  });

  it('a fault in the middle of a block that ran before: the faulting instruction\'s address, the count, as the interpreter', () => {
    // add x5, x5, #1; add x6, x6, #2; ldr x7, [x3]; str x1, [x4]; b . ; with x4 read-only the fourth time round
    const BLOCK = [0x9100_04a5, 0x9100_08c6, 0xf940_0067, 0xf900_0081, B_SELF];
    const faulting = (translated: boolean): unknown => {
      const e = makeEnv(engine);
      load(e, CODE, BLOCK);
      load(e, CODE + 0x200, [B_SELF]); // the synchronous exception's vector (VBAR_EL1 + 0x200)
      e.t.map(e.root0, 0x1000n, s1PageDesc(CODE, { attrIndx: Attr.WB }));
      e.t.map(e.root0, 0x2000n, s1PageDesc(RO, { attrIndx: Attr.WB, ap: Ap.RoEl1 }));
      e.t.map(e.root0, 0x3000n, s1PageDesc(RW, { attrIndx: Attr.WB }));
      e.cpu.sys[SysReg.VBAR_EL1] = 0x1000n;
      enableS1(e);
      e.cpu.x[3] = 0x3000n;
      const stops = [];
      for (let i = 0; i < 4; i++) {
        e.cpu.x[4] = i < 3 ? 0x3008n : 0x2000n;
        e.cpu.pc = 0x1000n;
        stops.push(translated ? e.cpu.run(5) : e.cpu.interpret(5));
      }
      return {
        stops, x: [...e.cpu.x], pc: e.cpu.pc, n: e.cpu.insnCount, esr: e.cpu.sys[SysReg.ESR_EL1],
        far: e.cpu.sys[SysReg.FAR_EL1], elr: e.cpu.sys[SysReg.ELR_EL1],
      };
    };
    const t = faulting(true) as { elr: bigint; far: bigint; x: bigint[] };
    expect(t.elr).toBe(0x100cn);
    expect(t.far).toBe(0x2000n);
    expect(t.x[5]).toBe(4n);
    expect(t).toEqual(faulting(false));
  });
});

// ---- differential test: handler blocks against the interpreter (wasm-tier.test.ts runs the same programs as
// WebAssembly blocks) ----

describe('handler blocks agree with the interpreter', () => {
  it('on 300 random blocks of 16 instructions (registers, flags, memory, PC, exceptions)', () => {
    const r = rng(12345);
    for (let round = 0; round < 300; round++) {
      const p = randomBlockProgram(r);
      const words = p.words;
      const states = [true, false].map((translated) => {
        const e = makeEnv('handlers');
        setUpRandomBlock(e.cpu, (pa, w) => load(e, pa, w), p, CODE, DATA);
        const stop = translated ? e.cpu.run(19) : e.cpu.interpret(19);
        return {
          stop, x: [...e.cpu.x], nzcv: e.cpu.nzcv, pc: e.cpu.pc, n: e.cpu.insnCount,
          esr: e.cpu.sys[SysReg.ESR_EL1], mem: createHash('sha256').update(e.ram.bytes.subarray(DATA - RAM_BASE, DATA - RAM_BASE + 0x5000)).digest('hex'),
        };
      });
      expect(states[0], `round ${round}: ${words.map((w) => w.toString(16)).join(' ')}`).toEqual(states[1]);
    }
  });
});

// ---- the code cache's budget (aarch64-cpu code-cache.ts): bounded, flushed when full, and still exact ----

/** `b .+4096` at the start of every page from `first` to the end of RAM, `br x3` (x3 = first) on the last one. */
function loadCodeFlood(e: Env, first: number): number {
  const last = RAM_BASE + e.ram.bytes.length - 0x1000;
  for (let pa = first; pa < last; pa += 0x1000) load(e, pa, [0x1400_0400]);
  load(e, last, [0xd61f_0060]);
  e.cpu.x[3] = BigInt(first);
  return (last - first) / 0x1000 + 1;
}

describe.each(ENGINES)('the code cache stays within its budget (%s blocks)', (engine) => {
  it('a guest that runs one instruction on every page of RAM: never over budget, flushed, results exact', () => {
    const e = makeEnv(engine);
    const budget = 256 * 1024;
    e.cpu.codeCache.resize(budget);
    const pages = loadCodeFlood(e, CODE);
    e.cpu.pc = BigInt(CODE);
    let steps = 0;
    let flushes = 0;
    for (let chunk = 0; chunk < 60; chunk++) {
      expect(e.cpu.run(100)).toBe(Stop.Budget);
      steps += 100;
      const s = e.cpu.codeCache.stats();
      expect(s.bytes, `after ${steps} instructions`).toBeLessThanOrEqual(budget);
      // Blocks are held, unless the cache was just flushed (WebAssembly: after the last block, whose module took it
      // over budget).
      if (s.flushes === flushes) expect(s.blocks).toBeGreaterThan(0);
      flushes = s.flushes;
      // Where the chain of branches is: one instruction a page, the last page's BR back to the first.
      expect(e.cpu.pc).toBe(BigInt(CODE + 0x1000 * (steps % pages)));
    }
    const s = e.cpu.codeCache.stats();
    expect(s.flushes).toBeGreaterThan(5);
    expect(s.built).toBeGreaterThanOrEqual(steps - 60); // every page visit rebuilt its block (the run boundaries
    expect(e.cpu.insnCount).toBe(steps); //                    may rebuild one more, never fewer than one a page)
  });

  it('with the default budget the same guest is translated once (the budget is not hit)', () => {
    const e = makeEnv(engine);
    const pages = loadCodeFlood(e, CODE);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(2 * pages);
    const s = e.cpu.codeCache.stats();
    expect([s.flushes, s.built, s.blocks, e.cpu.pc]).toEqual([0, pages, pages, BigInt(CODE)]);
    expect(s.bytes).toBeLessThanOrEqual(s.budget);
  });

  it('rejects a budget that is not a positive integer', () => {
    const e = makeEnv(engine);
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) expect(() => e.cpu.codeCache.resize(bad)).toThrow(RangeError);
  });
});

/**
 * The environment of the random six-page self-modifying programs: `pages` at CODE.., `b .` at CODE + 0x6000 (their
 * end) and at the vector table's current-EL synchronous entry, CODE..CODE + 0x9000 and DATA..DATA + 0x5000
 * identity-mapped as Normal memory (with the MMU off, data accesses are Device: unaligned ones fault), x0..x19 from
 * `init`, x20..x23 pointing into DATA, the rest as `regs` gives them, PC at CODE.
 */
function sixPageEnv(engine: BlockEngine, pages: number[][], init: readonly bigint[], regs: Readonly<Record<number, bigint>>): Env {
  const e = makeEnv(engine);
  pages.forEach((words, k) => load(e, CODE + 0x1000 * k, words));
  load(e, CODE + 0x6000, [B_SELF]);
  e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x8000);
  load(e, CODE + 0x8200, [B_SELF]);
  for (let pa = CODE; pa < CODE + 0x9000; pa += 0x1000) e.t.map(e.root0, BigInt(pa), s1PageDesc(pa, { attrIndx: Attr.WB }));
  for (let pa = DATA; pa < DATA + 0x5000; pa += 0x1000) e.t.map(e.root0, BigInt(pa), s1PageDesc(pa, { attrIndx: Attr.WB }));
  enableS1(e);
  for (let i = 0; i < 20; i++) e.cpu.x[i] = BigInt.asUintN(64, init[i]!);
  for (let i = 20; i < 24; i++) e.cpu.x[i] = BigInt(DATA + 0x1000 * (i - 20) + 256);
  for (const [n, v] of Object.entries(regs)) e.cpu.x[Number(n)] = v;
  e.cpu.pc = BigInt(CODE);
  return e;
}

/** What a six-page program run leaves: stop codes, registers, flags, PC, count, ESR, and digests of code and data. */
function sixPageState(e: Env, stops: number[]) {
  return {
    stops, x: [...e.cpu.x], nzcv: e.cpu.nzcv, pc: e.cpu.pc, n: e.cpu.insnCount, esr: e.cpu.sys[SysReg.ESR_EL1],
    code: createHash('sha256').update(e.ram.bytes.subarray(CODE - RAM_BASE, CODE - RAM_BASE + 0x7000)).digest('hex'),
    mem: createHash('sha256').update(e.ram.bytes.subarray(DATA - RAM_BASE, DATA - RAM_BASE + 0x5000)).digest('hex'),
  };
}

describe.each(ENGINES)('blocks agree with the interpreter when the cache is flushed all the time (%s blocks)', (engine) => {
  /**
   * Six pages, each: an `add x0, x0, #imm` that the next page rewrites, random straight-line instructions,
   * `adr x27, <the previous page's add>`, `str w26, [x27]` (a new immediate every time: `add w26, w26, #0x400`),
   * `subs x25, x25, #1`, `b.eq` to a final `b .`, and a branch to the next page (chaining links across pages,
   * broken by the stores and the flushes).
   */
  function program(r: () => number): { pages: number[][]; init: bigint[] } {
    const pages: number[][] = [];
    for (let k = 0; k < 6; k++) {
      const at = CODE + 0x1000 * k;
      const words = [0x9100_0400 | ((k + 1) << 10), ...Array.from({ length: 8 }, () => randomWord(r))];
      const next = CODE + 0x1000 * ((k + 1) % 6);
      const prev = CODE + 0x1000 * ((k + 5) % 6); // the previous page's add, which already ran
      const off = prev - (at + 4 * words.length);
      words.push((0x1000_001b | ((off & 3) << 29) | (((off >> 2) & 0x7ffff) << 5)) >>> 0); // adr x27, prev
      words.push(0xb900_037a, 0x1110_035a, 0xf100_0739); // str w26, [x27]; add w26, w26, #0x400; subs x25, x25, #1
      const end = CODE + 0x6000;
      words.push((0x5400_0000 | ((((end - (at + 4 * words.length)) >> 2) & 0x7ffff) << 5)) >>> 0); // b.eq end
      words.push(b(at + 4 * words.length, next));
      pages.push(words);
    }
    const init = Array.from({ length: 25 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(Math.floor(r() * 33)));
    return { pages, init };
  }

  for (const budget of [1, 4 * 1024, DEFAULT_CODE_CACHE_BYTES]) {
    it(`on 60 random six-page programs with self-modifying stores, budget ${budget} bytes`, () => {
      const r = rng(99 + budget);
      let flushes = 0;
      for (let round = 0; round < 60; round++) {
        const { pages, init } = program(r);
        const x24 = BigInt(Math.floor(r() * 64)) * 8n;
        const states = [true, false].map((translated) => {
          const e = sixPageEnv(engine, pages, init, {
            24: x24,
            25: 20n, // page visits
            26: BigInt(0x9100_0000 | (Number(init[20]! & 0xfffn) << 10)), // add x0, x0, #imm
          });
          e.cpu.codeCache.resize(budget);
          // Two runs: a new run epoch re-checks every block against memory.
          const stops = translated ? [e.cpu.run(150), e.cpu.run(150)] : [e.cpu.interpret(150), e.cpu.interpret(150)];
          if (translated) flushes += e.cpu.codeCache.stats().flushes;
          return sixPageState(e, stops);
        });
        expect(states[0], `round ${round}`).toEqual(states[1]);
      }
      // A tiny budget flushes all the time; the default one never, so blocks outlive the stores that patch them.
      if (budget === DEFAULT_CODE_CACHE_BYTES) expect(flushes).toBe(0);
      else expect(flushes).toBeGreaterThan(1000);
    });
  }
});

describe.each(ENGINES)('a misaligned PC (%s blocks)', (engine) => {
  it('a PC the host set to CODE + 2 takes a PC alignment fault before any block is built', () => {
    const e = makeEnv(engine);
    load(e, CODE, [ADD_X0_1, ADD_X0_1, B_SELF]);
    load(e, CODE + 0xa00, [B_SELF]);
    e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
    e.cpu.pc = BigInt(CODE + 2);
    expect(e.cpu.run(3)).toBe(Stop.Budget);
    expect(e.cpu.sys[SysReg.ESR_EL1]).toBe(0x8a00_0000n); // EC 0x22, IL
    expect(e.cpu.sys[SysReg.FAR_EL1]).toBe(BigInt(CODE + 2));
    expect(e.cpu.sys[SysReg.ELR_EL1]).toBe(BigInt(CODE + 2));
    expect([e.cpu.pc, e.cpu.x[0]]).toEqual([BigInt(CODE + 0xa00), 0n]);
    expect(e.cpu.codeCache.stats().built).toBe(1); // the vector's `b .` only
  });
});

/** BL from `from` to `to`; B.cond (`cond`) from `from` to `to` (byte addresses). */
const bl = (from: number, to: number): number => (0x9400_0000 | (((to - from) >> 2) & 0x3ff_ffff)) >>> 0;
const bcond = (from: number, to: number, cond: number): number =>
  (0x5400_0000 | ((((to - from) >> 2) & 0x7ffff) << 5) | cond) >>> 0;
const RET = 0xd65f_03c0;

describe.each(ENGINES)('a store drops only the blocks whose instructions it overwrites (%s blocks)', (engine) => {
  /** The block starting at `va` (identity-mapped or MMU off), if the cache holds one. */
  const blockAt = (e: Env, va: number) => e.mmu.fetchPage(BigInt(va))!.get((va & 0xfff) / 4);

  /** CODE and CODE + 0x1000 identity-mapped as Normal memory (unaligned stores allowed), the MMU on. */
  function normalEnv(): Env {
    const e = makeEnv(engine);
    for (const pa of [CODE, CODE + 0x1000]) e.t.map(e.root0, BigInt(pa), s1PageDesc(pa, { attrIndx: Attr.WB }));
    enableS1(e);
    return e;
  }

  it('a patch loop keeps the other blocks of its page (and their links): one rebuild per patch', () => {
    const n = 40;
    const program = (e: Env): void => {
      load(e, CODE, [
        bl(CODE, CODE + 0x80), // 0x00: bl T
        0xca03_0021, //          0x04: eor x1, x1, x3
        0xb900_0041, //          0x08: str w1, [x2]   (patches T, on this page)
        ISB, //                  0x0c
        0xf100_04c6, //          0x10: subs x6, x6, #1
        bcond(CODE + 0x14, CODE, 1), // 0x14: b.ne 0x00
        B_SELF, //               0x18
      ]);
      load(e, CODE + 0x80, [ADD_X0_16, RET]); // T: add x0, x0, #0x10 (toggled with #0x100); ret
      e.cpu.pc = BigInt(CODE);
      e.cpu.x[1] = BigInt(ADD_X0_16);
      e.cpu.x[2] = BigInt(CODE + 0x80);
      e.cpu.x[3] = BigInt((ADD_X0_16 ^ ADD_X0_256) >>> 0);
      e.cpu.x[6] = BigInt(n);
    };
    const e = makeEnv(engine);
    program(e);
    expect(e.cpu.run(10_000)).toBe(Stop.Budget);
    expect(e.cpu.pc).toBe(BigInt(CODE + 0x18));
    expect(e.cpu.x[0]).toBe(BigInt((n / 2) * 0x10 + (n / 2) * 0x100));
    const s = e.cpu.codeCache.stats();
    // T is built once per iteration (and dropped by the last store); the loop's own blocks, on the same page,
    // once (before: every block of the page was rebuilt after every store).
    expect(s.built).toBe(s.blocks + n);
    expect(blockAt(e, CODE + 0x80)).toBeUndefined();
    const i = makeEnv(engine);
    program(i);
    expect(i.cpu.interpret(10_000)).toBe(Stop.Budget);
    expect([i.cpu.x, i.cpu.pc, i.cpu.insnCount]).toEqual([e.cpu.x, e.cpu.pc, e.cpu.insnCount]);
  });

  // Three blocks: A = [0x00, 0x08), B = [0x08, 0x10), C = [0x10, 0x18) (C loops on itself).
  const ABC = [ADD_X0_1, b(4, 8), ADD_X0_16, b(0xc, 0x10), ADD_X0_256, B_SELF];
  const cases: [string, (e: Env) => void, string][] = [
    ['a byte over the last byte of A', (e) => e.mmu.write(BigInt(CODE + 7), 1, 0x14n, 0), 'A'],
    ['an unaligned halfword over A\'s last and B\'s first byte', (e) => e.mmu.write(BigInt(CODE + 7), 2, 0x14n, 0), 'AB'],
    ['a word over B\'s last instruction', (e) => e.mmu.write(BigInt(CODE + 0xc), 4, BigInt(b(0xc, 0x10)), 0), 'B'],
    ['a doubleword over B', (e) => e.mmu.write(BigInt(CODE + 8), 8, 0n, 0), 'B'],
    ['an unaligned doubleword over A\'s last 3 bytes and B\'s first 5', (e) => e.mmu.write(BigInt(CODE + 5), 8, 0n, 0), 'AB'],
    ['two doublewords (a 16-byte pair) over B and C', (e) => {
      e.mmu.write(BigInt(CODE + 8), 8, 0n, 0);
      e.mmu.write(BigInt(CODE + 0x10), 8, 0n, 0);
    }, 'BC'],
    ['a word just after C', (e) => e.mmu.write(BigInt(CODE + 0x18), 4, 0n, 0), ''],
    ['DC ZVA of the next 64-byte line', (e) => e.mmu.zeroBlock(BigInt(CODE + 0x40), 64), ''],
    ['DC ZVA of the blocks\' line', (e) => e.mmu.zeroBlock(BigInt(CODE), 64), 'ABC'],
    ['a host write (CodeCache.written) over C\'s first byte', (e) => e.cpu.codeCache.written(e.ram.bytes, CODE - RAM_BASE + 0x10, 1), 'C'],
  ];
  for (const [what, write, dropped] of cases) {
    it(`${what}: drops ${dropped === '' ? 'nothing' : dropped}, keeps the others`, () => {
      const e = normalEnv();
      load(e, CODE, ABC);
      e.cpu.pc = BigInt(CODE);
      e.cpu.run(6);
      const blocks = { A: blockAt(e, CODE)!, B: blockAt(e, CODE + 8)!, C: blockAt(e, CODE + 0x10)! };
      for (const blk of Object.values(blocks)) expect(blk.alive).toBe(true);
      write(e);
      for (const [name, blk] of Object.entries(blocks)) {
        const gone = dropped.includes(name);
        expect(blk.alive, name).toBe(!gone);
        expect(blockAt(e, Number(blk.pc)), name).toBe(gone ? undefined : blk);
      }
      expect(e.cpu.codeCache.stats().blocks).toBe(3 - dropped.length);
      // The page's live byte (the inline store check) is cleared only when no block is left.
      const region = e.cpu.codeCache.region(e.ram.bytes);
      expect(region.live[(CODE - RAM_BASE) / 0x1000]).toBe(dropped.length === 3 ? 0 : 1);
    });
  }

  it('an unaligned store across a page boundary drops the last block of one page and the first of the next', () => {
    const e = normalEnv();
    const P = CODE + 0x1000;
    load(e, CODE, [b(CODE, P - 8)]); //       W: b X
    load(e, P - 8, [ADD_X0_1, ADD_X0_1]); // X: [P - 8, P), runs on into the next page
    load(e, P, [ADD_X0_16, b(P + 4, P + 8), B_SELF]); // Y: [P, P + 8); Z: [P + 8] loops
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(8);
    expect(e.cpu.x[0]).toBe(0x12n);
    const [w, x, y, z] = [CODE, P - 8, P, P + 8].map((va) => blockAt(e, va)!);
    e.mmu.write(BigInt(P - 2), 4, 0n, 0);
    expect([w!.alive, x!.alive, y!.alive, z!.alive]).toEqual([true, false, false, true]);
    expect(e.cpu.codeCache.stats().blocks).toBe(2);
  });
});

describe.each(ENGINES)('random stores of every size into code pages: blocks as the interpreter, no stale block (%s blocks)', (engine) => {
  /**
   * Six pages, each: `add x0, x0, #imm`, random instructions split by a random forward branch (so a page holds
   * several blocks), `adr x27, <a random byte of the previous page's first 40>`, a store of 1, 2, 4 or 8 bytes of
   * x26 there (x26 = a random instruction word above an `add x0` one; `add x26, x26, #0x400` after each store),
   * `subs x25, x25, #1`, `b.eq` to a final `b .`, and a branch to the next page.
   */
  function program(r: () => number): { pages: number[][]; init: bigint[]; x26: bigint } {
    const int = (n: number): number => Math.floor(r() * n);
    const pages: number[][] = [];
    for (let k = 0; k < 6; k++) {
      const at = CODE + 0x1000 * k;
      const words = [0x9100_0400 | ((k + 1) << 10)];
      for (let i = 0; i < 4; i++) words.push(randomWord(r));
      words.push(randomBranch(r));
      for (let i = 0; i < 4; i++) words.push(randomWord(r));
      const size = [1, 2, 4, 4, 4, 8][int(6)]!;
      const off = size === 4 ? 4 * int(10) : size === 8 ? 4 * int(9) : int(41 - size);
      const target = CODE + 0x1000 * ((k + 5) % 6) + off;
      const rel = target - (at + 4 * words.length);
      words.push((0x1000_001b | ((rel & 3) << 29) | (((rel >> 2) & 0x7ffff) << 5)) >>> 0); // adr x27, target
      const store = { 1: 0x3900_037a, 2: 0x7900_037a, 4: 0xb900_037a, 8: 0xf900_037a }[size]!; // str{b,h} w26 / str w26 / str x26, [x27]
      words.push(store, 0x9110_035a, 0xf100_0739); // add x26, x26, #0x400; subs x25, x25, #1
      const end = CODE + 0x6000;
      words.push(bcond(at + 4 * words.length, end, 0)); // b.eq end
      words.push(b(at + 4 * words.length, CODE + 0x1000 * ((k + 1) % 6)));
      pages.push(words);
    }
    const init = Array.from({ length: 25 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(Math.floor(r() * 33)));
    const x26 = (BigInt(randomWord(r)) << 32n) | BigInt(0x9100_0000 | (int(0x800) << 10));
    return { pages, init, x26 };
  }

  it('on 80 random six-page programs (partial drops: blocks the stores miss stay translated)', () => {
    const r = rng(4242);
    let kept = 0;
    for (let round = 0; round < 80; round++) {
      const { pages, init, x26 } = program(r);
      const states = [true, false].map((translated) => {
        const e = sixPageEnv(engine, pages, init, {
          24: BigInt.asUintN(64, init[24]!) & 0x1f8n,
          25: 30n, // page visits
          26: x26,
        });
        const stops = translated ? [e.cpu.run(200), e.cpu.run(200)] : [e.cpu.interpret(200), e.cpu.interpret(200)];
        if (translated) {
          // Every block the cache still holds has the instructions memory holds: no store missed one it overwrote.
          for (let k = 0; k < 6; k++) {
            const page = e.mmu.fetchPage(BigInt(CODE + 0x1000 * k))!;
            for (const blk of page.blocks.values()) {
              const now = Array.from({ length: blk.n }, (_, j) => page.view.getUint32(page.base + 4 * (blk.start + j), true));
              expect([...blk.words], `round ${round} block ${blk.pc.toString(16)}`).toEqual(now);
              kept++;
            }
          }
        }
        return sixPageState(e, stops);
      });
      expect(states[0], `round ${round}`).toEqual(states[1]);
    }
    expect(kept).toBeGreaterThan(80);
  });
});
