// IC IVAU through the MMU invalidates only the translated blocks of its cache line (aarch64-cpu code-cache.ts), and
// the CPU's options (translate) belong to each CPU, not to the process.
import { Cpu, IMPL, Stop, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { Mmu } from './mmu.js';
import { makeEnv, RAM_BASE, type Env } from './test-env.js';

const CODE = RAM_BASE + 0x10_0000;
const ADD_X0_16 = 0x9100_4000; // add x0, x0, #0x10
const ADD_X0_256 = 0x9104_0000; // add x0, x0, #0x100

/**
 * A loop at CODE calling f (the next page) and g (the page after), then patching g's first instruction (toggling
 * it between ADD_X0_16 and ADD_X0_256) with the architected sequence STR; DC CVAU; DSB; IC IVAU; DSB; ISB. x6
 * counts the iterations down; the program ends at `b .`.
 */
const PROGRAM: [number, number[]][] = [
  [0x0000, [
    0x9400_0400, // bl f
    0x9400_07ff, // bl g
    0xca03_0021, // eor x1, x1, x3
    0xb900_0041, // str w1, [x2]
    0xd50b_7b22, // dc cvau, x2
    0xd503_3b9f, // dsb ish
    0xd50b_7522, // ic ivau, x2
    0xd503_3b9f, // dsb ish
    0xd503_3fdf, // isb
    0xf100_04c6, // subs x6, x6, #1
    0x54ff_fec1, // b.ne 0x0
    0x1400_0000, // b .
  ]],
  [0x1000, [0x9100_0400, 0xd65f_03c0]], // f: add x0, x0, #1; ret
  [0x2000, [ADD_X0_16, 0xd65f_03c0]], // g: add x0, x0, #0x10 (patched); ret
];
const END = BigInt(CODE + 0x2c);

function setUp(e: Env, iterations: number): void {
  for (const [off, words] of PROGRAM) {
    words.forEach((w, i) => e.ram.view.setUint32(CODE - RAM_BASE + off + 4 * i, w >>> 0, true));
  }
  const cpu = e.cpu;
  cpu.pc = BigInt(CODE);
  cpu.x[1] = BigInt(ADD_X0_16);
  cpu.x[2] = BigInt(CODE + 0x2000);
  cpu.x[3] = BigInt((ADD_X0_16 ^ ADD_X0_256) >>> 0);
  cpu.x[6] = BigInt(iterations);
}

/** An MMU environment whose CPU is made with `translate`. */
function envWith(translate: boolean): Env {
  const e = makeEnv();
  const cpu = new Cpu({} as MemoryPort, { translate });
  const mmu = new Mmu(cpu, e.phys);
  cpu.mem = mmu;
  return { ...e, cpu, mmu };
}

describe('IC IVAU', () => {
  it('a patched call site + IC IVAU keeps the other translated blocks and re-checks none of them', () => {
    const n = 50;
    const e = makeEnv();
    setUp(e, n);
    expect(e.cpu.run(100_000)).toBe(Stop.Budget);
    expect(e.cpu.pc).toBe(END);
    // Each iteration adds 1 (f) and g's current immediate: 0x10 on odd iterations, 0x100 on even ones.
    expect(e.cpu.x[0]).toBe(BigInt(n + (n / 2) * 0x10 + (n / 2) * 0x100));
    const s = e.cpu.codeCache.stats();
    // The store drops g's page, so g is built once per iteration (and not held after the last store); every other
    // block was built once.
    expect(s.built).toBe(s.blocks + n);
    // Every block is compared with memory once in the run; the IC IVAUs add no comparison of blocks outside g's
    // line (before: all of them, every iteration).
    expect(s.checks).toBeLessThanOrEqual(s.blocks);

    // The same program interpreted gives the same registers.
    const i = envWith(false);
    setUp(i, n);
    expect(i.cpu.run(100_000)).toBe(Stop.Budget);
    expect(i.cpu.x).toEqual(e.cpu.x);
    expect(i.cpu.pc).toBe(e.cpu.pc);
  });

  it('bench-osboot shape: 8 functions on one page, patching one (STR + IC IVAU) keeps the other 7 translated', () => {
    const n = 40;
    const F = CODE + 0x1000; // f0..f7, 16 bytes apart (four to a 64-byte line): add x0, x0, #(i + 1); ret
    const setUpShape = (e: Env): void => {
      const loop = Array.from({ length: 8 }, (_, i) => (0x9400_0000 | ((F + 16 * i - (CODE + 4 * i)) >> 2)) >>> 0);
      loop.push(...PROGRAM[0]![1].slice(2)); // eor; str w1, [x2]; dc cvau; dsb; ic ivau; dsb; isb; subs; b.ne; b .
      loop[loop.length - 2] = (0x5400_0001 | ((-(loop.length - 2) & 0x7ffff) << 5)) >>> 0; // b.ne CODE
      loop.forEach((w, i) => e.ram.view.setUint32(CODE - RAM_BASE + 4 * i, w, true));
      for (let i = 0; i < 8; i++) {
        e.ram.view.setUint32(F - RAM_BASE + 16 * i, i === 3 ? ADD_X0_16 : (0x9100_0000 | ((i + 1) << 10)) >>> 0, true);
        e.ram.view.setUint32(F - RAM_BASE + 16 * i + 4, 0xd65f_03c0, true);
      }
      e.cpu.pc = BigInt(CODE);
      e.cpu.x[1] = BigInt(ADD_X0_16);
      e.cpu.x[2] = BigInt(F + 0x30); // f3
      e.cpu.x[3] = BigInt((ADD_X0_16 ^ ADD_X0_256) >>> 0);
      e.cpu.x[6] = BigInt(n);
    };
    const e = makeEnv();
    setUpShape(e);
    expect(e.cpu.run(100_000)).toBe(Stop.Budget);
    const end = BigInt(CODE + 4 * 17);
    expect(e.cpu.pc).toBe(end);
    expect(e.cpu.x[0]).toBe(BigInt(n * (1 + 2 + 3 + 5 + 6 + 7 + 8) + (n / 2) * 0x10 + (n / 2) * 0x100));
    const s = e.cpu.codeCache.stats();
    // f3 is rebuilt after each patch; f0..f2 and f4..f7 (on f3's page, f0..f2 in its line) are built once.
    expect(s.built).toBe(s.blocks + n);
    for (const i of [0, 1, 2, 4, 5, 6, 7]) expect(e.mmu.fetchPage(BigInt(F))!.get(4 * i)?.alive).toBe(true);
    const i = envWith(false);
    setUpShape(i);
    expect(i.cpu.run(100_000)).toBe(Stop.Budget);
    expect([i.cpu.x, i.cpu.pc]).toEqual([e.cpu.x, e.cpu.pc]);
  });

  it('marks only the blocks holding an instruction of the line (CTR_EL0.IminLine) for comparison', () => {
    const e = makeEnv();
    setUp(e, 2);
    e.cpu.run(100_000);
    const lineBytes = 4 << Number(IMPL.CTR_EL0 & 0xfn);
    expect(lineBytes).toBe(64);
    const blockAt = (off: number) => e.mmu.fetchPage(BigInt(CODE + off))!.get((off & 0xfff) / 4)!;
    const cacheEpoch = e.cpu.codeCache.epoch;
    for (const off of [0x0, 0x4, 0x8, 0x24, 0x1000]) expect(blockAt(off).epoch).toBe(cacheEpoch);
    // The line of f (one block: add; ret) is given an epoch no cache has; nothing else is touched.
    e.mmu.invalidateCode(BigInt(CODE + 0x1000), lineBytes);
    expect(blockAt(0x1000).epoch).not.toBe(cacheEpoch);
    for (const off of [0x0, 0x4, 0x8, 0x24]) expect(blockAt(off).epoch).toBe(cacheEpoch);
    expect(e.cpu.codeCache.epoch).toBe(cacheEpoch);
    // Run f again: compared with memory, equal, kept (nothing rebuilt).
    const built = e.cpu.codeCache.stats().built;
    e.cpu.pc = BigInt(CODE + 0x1000);
    e.cpu.x[30] = END;
    e.cpu.run(3);
    expect(e.cpu.codeCache.stats().built).toBe(built);
    expect(blockAt(0x1000).epoch).toBe(cacheEpoch);
    // An address with no memory behind it has nothing to invalidate and does not fault.
    expect(() => e.mmu.invalidateCode(0x7000_0000_0000n, lineBytes)).not.toThrow();
  });

  it('CTR_EL0 advertises IDC = 1 and DIC = 1, as QEMU 10 -cpu max (0xb444c004)', () => {
    expect(IMPL.CTR_EL0).toBe(0xb444_c004n);
  });
});

describe('CPU options are per CPU', () => {
  it('two CPUs in one process, one translating and one not, run the same program independently', () => {
    const t = envWith(true);
    const i = envWith(false);
    setUp(t, 7);
    setUp(i, 7);
    // Interleave them: neither's option leaks into the other.
    for (let k = 0; k < 40; k++) {
      t.cpu.run(5);
      i.cpu.run(5);
    }
    expect(t.cpu.x).toEqual(i.cpu.x);
    expect(t.cpu.pc).toBe(END);
    expect(t.cpu.codeCache.stats().built).toBeGreaterThan(0);
    expect(i.cpu.codeCache.stats().built).toBe(0);
    expect(t.cpu.decoder).not.toBe(i.cpu.decoder);
  });
});
