/**
 * The fast interpreter (spec/fast-sem.ts, spec/fast-ops.ts) against the BigInt interpreter, row by row: every integer specification
 * row, random words of it, run once by each backend on two CPUs in the same random state (registers with edge values,
 * SP in either mode and possibly misaligned, pending lazy flags, base registers into memory or not), compared on the
 * whole state block, the PC and syndrome fields, memory, and the exception either throws.
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { GuestException } from '../exceptions.js';
import { FlatMemory } from '../testing/flat-memory.js';
import { rng } from '../testing/rng.js';
import { CPU_STATE_BYTES } from '../state-layout.js';
import { SysReg } from '../sysregs.js';
import { MemoryFault } from '../ports.js';
import { ATOMIC_SPECS } from './atomics.js';
import { BRANCH_SPECS } from './branches.js';
import { DP_IMMEDIATE_SPECS } from './dp-immediate.js';
import { DP_REGISTER_SPECS } from './dp-register.js';
import { fastProgram } from './fast-sem.js';
import { runFast } from './fast-ops.js';
import { wordFastProgram } from './fast-block.js';
import { specRow } from './interp-sem.js';
import { LOAD_STORE_SPECS } from './loads-stores.js';
import { parsePattern } from './pattern.js';
import { SIMD_FP_LOAD_STORE_SPECS } from './simd-fp-loads-stores.js';
import { FP_ARITH_SPECS } from './fp-arith.js';
import { insn, type AnyInsnSpec, type Exec } from './spec.js';
import { FastOp } from './fast-ops.js';
import { BlockMemory, runLoop } from '../testing/block-loop.js';

const INTEGER: readonly AnyInsnSpec[] = [
  ...DP_IMMEDIATE_SPECS, ...Object.values(DP_REGISTER_SPECS).flat(), ...LOAD_STORE_SPECS.pairs,
  ...LOAD_STORE_SPECS.single.flat(2), ...BRANCH_SPECS.direct, ...BRANCH_SPECS.register, ...ATOMIC_SPECS.flat(),
];

const BASE = 0x4000_0000;
const SIZE = 1 << 12;
const PC = 0x4000_8000n;

/** Register values that find the edges of 32- and 64-bit arithmetic, and addresses in and around the memory. */
function value(next: () => number): bigint {
  const r = next() % 16;
  const word = (): bigint => BigInt(next() >>> 0);
  switch (r) {
    case 0: return 0n;
    case 1: return 0xffff_ffff_ffff_ffffn;
    case 2: return 0x7fff_ffffn;
    case 3: return 0x8000_0000n;
    case 4: return 0xffff_ffffn;
    case 5: return 0x8000_0000_0000_0000n;
    case 6: return 0x7fff_ffff_ffff_ffffn;
    case 7: return BigInt(next() % 70);
    case 8: case 9: case 10: return BigInt(BASE + (next() % SIZE)); // in memory (some misaligned)
    case 11: return BigInt(BASE + ((next() % SIZE) & ~15)); // in memory, aligned
    default: return (word() << 32n) | word();
  }
}

interface World { cpu: Cpu; mem: FlatMemory }

function world(seed: number, fast: boolean): World {
  const next = rng(seed);
  const mem = new FlatMemory(BASE, SIZE);
  for (let i = 0; i < SIZE; i += 4) mem.view.setUint32(i, next() >>> 0, true);
  const cpu = new Cpu(mem, { fastHandlers: fast });
  for (let n = 0; n < 31; n++) cpu.x[n] = value(next);
  cpu.spEl[0] = value(next);
  cpu.spEl[1] = value(next);
  if (next() % 3 === 0) cpu.el = 0;
  if (next() % 3 === 0) cpu.spsel = 0;
  // SCTLR_EL1.A (alignment), SA and SA0 (SP alignment) sometimes on.
  cpu.sys[SysReg.SCTLR_EL1] = BigInt(next() & 0x1a);
  // Pending lazy flags from a compare, or plain NZCV.
  if (next() % 2 === 0) {
    cpu.flagArgs[0] = value(next);
    cpu.flagArgs[1] = value(next);
    cpu.flagOp = 1 + (next() % 6);
    if (cpu.flagOp === 2 || cpu.flagOp === 4 || cpu.flagOp === 6) {
      cpu.flagArgs[0] &= 0xffff_ffffn;
      cpu.flagArgs[1] &= 0xffff_ffffn;
    }
    if (cpu.flagOp >= 5) cpu.flagArgs[1] = 0n;
  } else {
    cpu.nzcv = next() & 15;
  }
  cpu.pc = PC;
  cpu.nextPc = PC + 4n;
  cpu.dabtIss = 0;
  return { cpu, mem };
}

/** What running the handler did: its exception, or undefined. */
function outcome(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof GuestException) return `GuestException ${e.ec} ${e.iss}`;
    if (e instanceof MemoryFault) return `MemoryFault ${e.stage} ${e.fsc} ${e.va} ${e.write}`;
    throw e;
  }
}

function compare(a: World, b: World, what: string): void {
  const sa = new Int32Array(a.cpu.stateBytes().slice().buffer, 0, CPU_STATE_BYTES >> 2);
  const sb = new Int32Array(b.cpu.stateBytes().slice().buffer, 0, CPU_STATE_BYTES >> 2);
  expect([...sb], `${what}: state block`).toEqual([...sa]);
  expect(b.cpu.nzcv, `${what}: NZCV`).toBe(a.cpu.nzcv);
  expect(b.cpu.checkPcAlign, `${what}: PC alignment flag`).toBe(a.cpu.checkPcAlign);
  expect(Buffer.compare(Buffer.from(b.mem.bytes), Buffer.from(a.mem.bytes)), `${what}: memory`).toBe(0);
}

describe('fast handlers against the BigInt interpreter', () => {
  it.each(INTEGER.map((s) => [s.name, s.pattern, s] as const))('%s (%s)', (_n, _p, spec) => {
    const row = specRow(spec);
    const { mask, value: fixed } = parsePattern(spec.pattern);
    const next = rng(0xfa57 ^ (spec.pattern.length * 977) ^ spec.name.length);
    let ran = 0;
    for (let i = 0; i < 80; i++) {
      const w = ((next() & ~mask) | fixed) >>> 0;
      const args = row.decodeArgs!(w);
      if (args === undefined) continue;
      const fast = fastProgram(spec, args);
      expect(fast, `${spec.name} ${w.toString(16)}: a fast program`).toBeDefined();
      const seed = next();
      const a = world(seed, false);
      const b = world(seed, true);
      const ea = outcome(() => row.exec(a.cpu, w, args));
      const eb = outcome(() => runFast(b.cpu, {
        ops: wordFastProgram(fast!, PC), refs: fast!.refs, pcs: [PC, PC + 4n], handlers: [], words: Uint32Array.of(w), args: [args], taken: undefined,
      }));
      const what = `${spec.name} ${w.toString(16)} seed ${seed}`;
      expect(eb, `${what}: exception`).toBe(ea);
      compare(a, b, what);
      ran++;
    }
    expect(ran).toBeGreaterThan(0);
  });

  it('SIMD&FP rows keep their BigInt handlers (fastProgram declines them)', () => {
    for (const spec of [...SIMD_FP_LOAD_STORE_SPECS.single, ...FP_ARITH_SPECS]) {
      const row = specRow(spec);
      const { mask, value: fixed } = parsePattern(spec.pattern);
      const next = rng(7);
      for (let i = 0; i < 8; i++) {
        const w = ((next() & ~mask) | fixed) >>> 0;
        const args = row.decodeArgs!(w);
        if (args !== undefined) expect(fastProgram(spec, args), `${spec.name} ${w.toString(16)}`).toBeUndefined();
      }
    }
  });
});

describe('a handler block runs its words\' programs joined', () => {
  /** Run `program` (its last word `b .`) as handler blocks with `options`, `times` times from its start. */
  function runBlocks(program: readonly number[], setup: (cpu: Cpu) => void, options: { fastAfterRuns?: number; fastHandlers?: boolean }, times: number): Cpu {
    const mem = new BlockMemory(true);
    mem.load(mem.base, program);
    const cpu = new Cpu(mem, { wasm: false, ...options });
    mem.cpu = cpu;
    setup(cpu);
    for (let i = 0; i < times; i++) {
      cpu.pc = BigInt(mem.base);
      cpu.run(program.length);
    }
    return cpu;
  }

  it('each word\'s function operations (REV, 64-bit UDIV, UMULH, REV16) call its own functions, as interpreted', () => {
    const program = [
      0xdac0_0c20, // rev x0, x1
      0x9ac4_0862, // udiv x2, x3, x4
      0x9bc7_7cc5, // umulh x5, x6, x7
      0xdac0_0528, // rev16 x8, x9
      0x1400_0000, // b .
    ];
    const setup = (cpu: Cpu): void => {
      cpu.x[1] = 0x0102_0304_0506_0708n;
      cpu.x[3] = 0xffff_ffff_ffff_fff0n;
      cpu.x[4] = 7n;
      cpu.x[6] = 0x1234_5678_9abc_def0n;
      cpu.x[7] = 0xfedc_ba98_7654_3210n;
      cpu.x[9] = 0x1122_3344_5566_7788n;
    };
    const blocks = runBlocks(program, setup, { fastAfterRuns: 1 }, 1);
    const interpreted = runLoop(program, false, setup).cpu;
    expect([...blocks.x]).toEqual([...interpreted.x]);
    expect(blocks.x[0]).toBe(0x0807_0605_0403_0201n);
    expect(blocks.x[2]).toBe(0xffff_ffff_ffff_fff0n / 7n);
  });

  it('by default a block runs its handlers three times, then its program: the same state after each run', () => {
    const program = [
      0x9100_0400, // add x0, x0, #1
      0xab01_0021, // adds x1, x1, x1
      0x9a80_3442, // csinc x2, x2, x0, cc
      0xf800_8403, // str x3, [x0], #8   (post-index: x0 += 8)
      0x1400_0000, // b .
    ];
    const setup = (cpu: Cpu): void => {
      cpu.x[0] = 0x4000_8000n;
      cpu.x[1] = 0x4000_0000_0000_0001n;
      cpu.x[3] = 0xabcdn;
    };
    for (let times = 1; times <= 6; times++) {
      const blocks = runBlocks(program, setup, {}, times);
      const viaHandlers = runBlocks(program, setup, { fastHandlers: false }, times);
      expect([...blocks.x], `after ${times} runs`).toEqual([...viaHandlers.x]);
      expect(blocks.nzcv, `after ${times} runs`).toBe(viaHandlers.nzcv);
    }
  });
});

describe('the recorder\'s register snapshots and loads', () => {
  /** A row of its own running `exec` (no fields), run both ways from the same state. */
  function both(exec: Exec<Record<string, never>>, setup: (cpu: Cpu) => void): { a: World; b: World; ops: Int32Array } {
    const spec = insn('TEST', '0'.repeat(32), () => ({}), exec, { memory: true });
    const fast = fastProgram(spec, {})!;
    expect(fast, 'a fast program').toBeDefined();
    const a = world(1, false);
    const b = world(1, true);
    setup(a.cpu);
    setup(b.cpu);
    specRow(spec).exec(a.cpu, 0, {});
    runFast(b.cpu, { ops: wordFastProgram(fast, PC), refs: fast.refs, pcs: [PC, PC + 4n], handlers: [], words: Uint32Array.of(0), args: [{}], taken: undefined });
    return { a, b, ops: fast.ops };
  }
  const opcodes = (ops: Int32Array, lengths: Partial<Record<FastOp, number>>): FastOp[] => {
    const out: FastOp[] = [];
    for (let i = 0; i < ops.length; i += lengths[ops[i] as FastOp]!) out.push(ops[i]!);
    return out;
  };

  it('a snapshot read after its register was written is the old value (copied before the write)', () => {
    const { a, b, ops } = both((s) => {
      const old = s.let(s.x(1));
      s.setX(1, s.c(5n), 64);
      s.setX(2, s.add(old, s.c(1n), 64), 64);
    }, (cpu) => { cpu.x[1] = 41n; });
    compare(a, b, 'snapshot');
    expect(b.cpu.x[2]).toBe(42n);
    expect(opcodes(ops, { [FastOp.Copy]: 3, [FastOp.Const]: 4, [FastOp.AddI64]: 5 })).toEqual([FastOp.Copy, FastOp.Const, FastOp.AddI64]);
  });

  it('a snapshot not read after the write costs no operation', () => {
    const { a, b, ops } = both((s) => {
      const old = s.let(s.x(1));
      s.setX(3, s.add(old, s.c(2n), 64), 64);
      s.setX(1, s.c(5n), 64);
    }, (cpu) => { cpu.x[1] = 40n; });
    compare(a, b, 'snapshot unread');
    expect(b.cpu.x[3]).toBe(42n);
    expect(opcodes(ops, { [FastOp.Const]: 4, [FastOp.AddI64]: 5 })).toEqual([FastOp.AddI64, FastOp.Const]);
  });

  it('a load goes straight into its register only when nothing after it reads that register or the load\'s temporary', () => {
    const base = BigInt(BASE + 64);
    const setup = (cpu: Cpu): void => { cpu.x[4] = base; cpu.x[3] = 7n; };
    // The loaded value written as W then X: the W copy reads the temporary, so the X write copies too.
    const twice = both((s) => {
      const v = s.load(s.x(4), 3, 0);
      s.setX(5, v, 32);
      s.setX(6, v, 64);
    }, setup);
    compare(twice.a, twice.b, 'W then X');
    // A snapshot of the destination, copied after the load: the load must not overwrite it first.
    const snap = both((s) => {
      const old = s.let(s.x(3));
      const v = s.load(s.x(4), 3, 0);
      s.setX(3, v, 64);
      s.setX(7, old, 64);
    }, setup);
    compare(snap.a, snap.b, 'snapshot of the destination');
    expect(snap.b.cpu.x[7]).toBe(7n);
    // The plain case loads into the register itself.
    const plain = both((s) => s.setX(5, s.load(s.x(4), 3, 0), 64), setup);
    compare(plain.a, plain.b, 'plain');
    expect(opcodes(plain.ops, { [FastOp.Load]: 5 })).toEqual([FastOp.Load]);
  });
});
