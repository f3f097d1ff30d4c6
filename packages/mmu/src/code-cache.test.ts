// The CPU's translated blocks (aarch64-cpu jit.ts, code-cache.ts) through the MMU: self-modifying code, host
// writes between runs, remapping with TLBI, and the translated code agreeing with the interpreter on random
// straight-line code (the CPU's instruction tests use a flat memory without code pages, so they interpret).
import { createHash } from 'node:crypto';
import { invalidateAllCode, Stop, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { Ap, s1PageDesc } from './descriptors.js';
import { Attr, enableS1, makeEnv, RAM_BASE, type Env } from './test-env.js';

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

describe('translated blocks', () => {
  it('a store over an instruction that already ran is seen the next time it runs (self-modifying code)', () => {
    const e = makeEnv();
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
    const e = makeEnv();
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
    const e = makeEnv();
    load(e, CODE, [ADD_X0_1, B_SELF]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(5);
    expect(e.cpu.x[0]).toBe(1n);
    load(e, CODE, [ADD_X0_256]);
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(5);
    expect(e.cpu.x[0]).toBe(0x101n);
    // invalidateAllCode also works (for hosts that write code in the middle of a run).
    load(e, CODE, [ADD_X0_16]);
    invalidateAllCode();
    e.cpu.pc = BigInt(CODE);
    e.cpu.run(5);
    expect(e.cpu.x[0]).toBe(0x111n);
  });

  it('remapping the code page (TLBI) runs the new physical page; an alias runs with its own PC', () => {
    const e = makeEnv();
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

describe('inlined loads and stores (the data TLB in translated code)', () => {
  // loop: ldr x1, [x3]; add x1, x1, #1; str x1, [x3]; ldr x4, [x2]; b loop. Then at +0x100: str x1, [x2]; b .
  const LOOP = [0xf940_0061, 0x9100_0421, 0xf900_0061, 0xf940_0044, 0x17ff_fffc];
  const STORE_RO = [0xf900_0041, B_SELF];
  const RO = RAM_BASE + 0x30_0000;
  const RW = RAM_BASE + 0x30_1000;
  const run = (translated: boolean): unknown => {
    const e = makeEnv();
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
});

// ---- differential test: translated blocks against the interpreter ----

/** A small deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Random straight-line instructions of the inlined classes (and a few handler calls), as words. */
function randomWord(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const dst = (): number => (r() < 0.1 ? 31 : int(20)); // x0-x19 or XZR/SP: x20-x23 stay valid base addresses
  const src = (): number => (r() < 0.1 ? 31 : int(24));
  const sf = int(2);
  switch (int(11)) {
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
    default: // ADR (handler, reads the PC)
      return (0x1000_0000 | (int(4) << 29) | (int(1000) << 5) | dst()) >>> 0;
  }
}

function randomBranch(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  switch (int(4)) {
    case 0: return (0x5400_0040 | int(16)) >>> 0; // b.cond +8
    case 1: return ((int(2) << 31) | 0x3400_0040 | (int(2) << 24) | int(20)) >>> 0; // cb(n)z +8
    case 2: return ((int(2) << 31) | 0x3600_0040 | (int(2) << 24) | (int(32) << 19) | int(20)) >>> 0; // tb(n)z +8
    default: return 0x1400_0002; // b +8
  }
}

describe('translated blocks agree with the interpreter', () => {
  it('on 300 random blocks of 16 instructions (registers, flags, memory, PC, exceptions)', () => {
    const r = rng(12345);
    for (let round = 0; round < 300; round++) {
      const words = Array.from({ length: 16 }, () => randomWord(r));
      words.push(randomBranch(r), B_SELF, B_SELF);
      const init = Array.from({ length: 31 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(Math.floor(r() * 33)));
      const nzcv = Math.floor(r() * 16);
      const x24 = BigInt(Math.floor(r() * 64)) * 8n;
      const states = [true, false].map((translated) => {
        const e = makeEnv();
        load(e, CODE, words);
        e.cpu.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0x800);
        load(e, CODE + 0xa00, [B_SELF]);
        for (let i = 0; i < 31; i++) e.cpu.x[i] = BigInt.asUintN(64, init[i]!);
        for (let i = 20; i < 24; i++) e.cpu.x[i] = BigInt(DATA + 0x1000 * (i - 20) + 256);
        e.cpu.x[24] = x24;
        e.cpu.nzcv = nzcv;
        e.cpu.pc = BigInt(CODE);
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
