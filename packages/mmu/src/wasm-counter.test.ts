// The WebAssembly tier's inline generic-timer reads and YIELD (aarch64-cpu wasm-jit/translate-sys.ts) against handler
// blocks and the interpreter. A counter port whose count is linear in the retired count (ports.ts
// CounterPort.linear, as kvm-core's deterministic clock) lets translated code compute CNTPCT_EL0, CNTVCT_EL0 and the
// timers' TVAL and CTL.ISTATUS without a call; without `linear` (a host clock) every read calls the handler. Inside a
// block, translated code (handler blocks and WebAssembly alike) reads the count at the block's start; the
// interpreter counts each instruction, so it is compared on programs whose reads start their blocks.
import { Stop, SysReg, sysRegKey, type CounterPort, type StopCode } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, stateOf, type ArenaEnv, type Engine } from './arena-test-env.js';
import { B_SELF, bcond, rng } from './random-code.js';
import { RAM_BASE } from './test-env.js';

const CODE = RAM_BASE + 0x10_0000;
const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);
const mrs = (op1: number, crn: number, crm: number, op2: number, t: number): number =>
  (0xd520_0000 | (sysRegKey(3, op1, crn, crm, op2) << 5) | t) >>> 0;
const CNTPCT = (t: number): number => mrs(3, 14, 0, 1, t);
const CNTVCT = (t: number): number => mrs(3, 14, 0, 2, t);
const CNTP_TVAL = (t: number): number => mrs(3, 14, 2, 0, t);
const CNTP_CTL = (t: number): number => mrs(3, 14, 2, 1, t);
const CNTV_TVAL = (t: number): number => mrs(3, 14, 3, 0, t);
const CNTV_CTL = (t: number): number => mrs(3, 14, 3, 1, t);
const YIELD = 0xd503_203f;
/** eor x10, x10, x<m>; add x11, x11, x<m>: fold a read into two accumulators (every iteration's value counts). */
const fold = (m: number): number[] => [(0xca00_014a | (m << 16)) >>> 0, (0x8b00_016b | (m << 16)) >>> 0];
const SUBS_X20 = 0xf100_0694; // subs x20, x20, #1
const NE = 1;

/** A counter port over `cpu`'s retired count: `base + count × tpi`, with or without its `linear` form. */
function linearPort(e: ArenaEnv, base: bigint, tpi: bigint, withLinear: boolean): CounterPort & { reads: number } {
  const p = {
    reads: 0,
    count: (): bigint => {
      p.reads++;
      return U64(base + BigInt(e.cpu.insnCount) * tpi);
    },
    ...(withLinear && { linear: () => ({ base, ticksPerInstruction: tpi }) }),
  };
  return p;
}

interface Setting {
  base: bigint;
  tpi: bigint;
  cntvoff: bigint;
  cvalV: bigint;
  cvalP: bigint;
  ctlV: bigint;
  ctlP: bigint;
  iterations: number;
}

/** Random settings whose compare values fall inside the run, so ISTATUS changes during it. */
function settings(seed: number, count: number): Setting[] {
  const r = rng(seed);
  const rand64 = (): bigint => (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
  const tpis = [1n, 8n, 1000n, 1n << 40n, (1n << 63n) - 25n];
  return Array.from({ length: count }, () => {
    const base = r() < 0.2 ? U64(-BigInt(Math.floor(r() * 5000))) : rand64(); // some wrap past 2^64 during the run
    const tpi = tpis[Math.floor(r() * tpis.length)]!;
    const cntvoff = r() < 0.3 ? 0n : rand64();
    const at = (): bigint => U64(base + BigInt(Math.floor(r() * 400)) * tpi);
    return {
      base, tpi, cntvoff, cvalV: U64(at() - cntvoff), cvalP: at(), ctlV: BigInt(Math.floor(r() * 8)),
      ctlP: BigInt(Math.floor(r() * 8)), iterations: 1 + Math.floor(r() * 40),
    };
  });
}

/**
 * Run `words` (at CODE) on each engine with each setting, the counter port linear or not; every engine's states
 * must be equal. Returns the WebAssembly tier's calls and the port's reads on the WebAssembly engine.
 */
function agree(engines: readonly Engine[], words: readonly number[], ss: readonly Setting[], withLinear: boolean,
  budget = 100_000): { calls: number; reads: number } {
  let calls = 0;
  let reads = 0;
  const states = engines.map((engine) => {
    const e = arenaEnv(engine);
    loadWords(e, CODE, words);
    const c = e.cpu;
    const out: unknown[] = [];
    for (const s of ss) {
      const port = linearPort(e, s.base, s.tpi, withLinear);
      c.counterPort = port;
      c.sys[SysReg.CNTVOFF_EL2] = s.cntvoff;
      c.sys[SysReg.CNTV_CVAL_EL0] = s.cvalV;
      c.sys[SysReg.CNTP_CVAL_EL0] = s.cvalP;
      c.sys[SysReg.CNTV_CTL_EL0] = s.ctlV;
      c.sys[SysReg.CNTP_CTL_EL0] = s.ctlP;
      c.sys[SysReg.CNTHCTL_EL2] = 3n;
      c.el = 1;
      c.spsel = 1;
      c.x.fill(0n);
      c.x[20] = BigInt(s.iterations);
      c.pc = BigInt(CODE);
      const stops: StopCode[] = [c.run(budget)];
      out.push(stateOf(e, stops, []));
      if (engine === 'wasm') reads += port.reads;
    }
    if (engine === 'wasm') calls = c.codeCache.wasmTier(c.arena)!.stats().calls;
    return out;
  });
  for (let i = 1; i < engines.length; i++) expect(states[i], engines[i]).toEqual(states[0]);
  return { calls, reads };
}

describe('WebAssembly counter reads', () => {
  // A loop whose reads sit anywhere in their blocks: WebAssembly against handler blocks.
  const anywhere = [
    CNTVCT(1), 0x9100_0529 /* add x9, x9, #1 */, CNTPCT(2), CNTV_CTL(3), CNTP_CTL(4), CNTV_TVAL(5), CNTP_TVAL(6),
    ...fold(1), ...fold(2), ...fold(3), ...fold(4), ...fold(5), ...fold(6), YIELD, SUBS_X20,
  ];
  anywhere.push(bcond(CODE + 4 * anywhere.length, CODE, NE), B_SELF);
  // The same reads, each the first instruction of its block (after a YIELD): WebAssembly and the interpreter.
  const starts = [
    CNTVCT(1), ...fold(1), YIELD, CNTPCT(2), ...fold(2), YIELD, CNTV_CTL(3), ...fold(3), YIELD, CNTP_CTL(4), ...fold(4),
    YIELD, CNTV_TVAL(5), ...fold(5), YIELD, CNTP_TVAL(6), ...fold(6), SUBS_X20,
  ];
  starts.push(bcond(CODE + 4 * starts.length, CODE, NE), B_SELF);

  it('inline, from the linear form, they read what the handler reads: anywhere in a block (against handler blocks)', () => {
    const ss = settings(11, 60);
    const r = agree(['handlers', 'wasm'], anywhere, ss, true);
    // Not vacuous: the WebAssembly engine (every block compiled before its first run) read the counter without
    // asking the port, and called no handler.
    expect(r.reads).toBe(0);
    expect(r.calls).toBe(0);
  });

  it('at a block\'s start they read what the interpreter reads', () => {
    const r = agree(['interp', 'wasm'], starts, settings(12, 60), true);
    expect(r.reads).toBe(0);
  });

  it('without the linear form (a host clock) every read calls the handler, which asks the port', () => {
    const ss = settings(13, 20);
    const r = agree(['handlers', 'wasm'], anywhere, ss, false);
    const reads = ss.reduce((n, s) => n + 6 * s.iterations, 0);
    expect(r.reads).toBe(reads);
    expect(agree(['interp', 'wasm'], starts, ss, false).reads).toBe(reads);
  });

  it('the results are the counts themselves (a hand-checked case)', () => {
    const e = arenaEnv('wasm');
    // mrs x1, cntvct_el0; mrs x2, cntv_ctl_el0; mrs x3, cntv_tval_el0; b . (the reads at the block's start count).
    loadWords(e, CODE, [0x9100_0529, YIELD, CNTVCT(1), CNTV_CTL(2), CNTV_TVAL(3), B_SELF]);
    const c = e.cpu;
    c.counterPort = linearPort(e, 1000n, 8n, true);
    c.sys[SysReg.CNTVOFF_EL2] = 100n;
    c.sys[SysReg.CNTV_CVAL_EL0] = 916n; // the virtual count after 2 instructions: 1000 + 16 - 100
    c.sys[SysReg.CNTV_CTL_EL0] = 5n; // ENABLE, and an ISTATUS bit the read recomputes
    c.el = 1;
    c.pc = BigInt(CODE);
    c.run(100);
    expect([c.x[1], c.x[2], c.x[3]]).toEqual([916n, 5n, 0n]);
    c.sys[SysReg.CNTV_CVAL_EL0] = 917n;
    c.pc = BigInt(CODE + 8);
    c.insnCount = 2;
    c.run(100);
    expect([c.x[1], c.x[2], c.x[3]]).toEqual([916n, 1n, 1n]);
    // A retired count past 2^32 (the run end's high word).
    c.pc = BigInt(CODE + 8);
    c.insnCount = 2 ** 32 + 2;
    c.run(100);
    expect(c.x[1]).toBe(916n + 8n * 2n ** 32n);
  });
});

describe('WebAssembly YIELD', () => {
  // loop: yield; subs x20, x20, #1; b.ne loop; b .
  const words = [YIELD, SUBS_X20, bcond(CODE + 8, CODE, NE), B_SELF];

  for (const stop of [false, true]) {
    it(`agrees with the interpreter, stopOnYield ${stop}: ${stop ? 'the run ends after the YIELD' : 'a NOP, and no call'}`, () => {
      const states = (['interp', 'wasm'] as const).map((engine) => {
        const e = arenaEnv(engine);
        loadWords(e, CODE, words);
        const c = e.cpu;
        c.stopOnYield = stop;
        c.el = 1;
        c.x[20] = 50n;
        c.pc = BigInt(CODE);
        const stops: StopCode[] = [];
        for (let i = 0; i < 5; i++) stops.push(c.run(1000));
        const calls = engine === 'wasm' ? c.codeCache.wasmTier(c.arena)!.stats().calls : undefined;
        return { state: stateOf(e, stops, []), calls };
      });
      expect(states[1]!.state).toEqual(states[0]!.state);
      if (stop) {
        expect(states[0]!.state.stops).toEqual([Stop.Yield, Stop.Yield, Stop.Yield, Stop.Yield, Stop.Yield]);
        expect(states[0]!.state.x[20]).toBe(46n);
      } else {
        expect(states[0]!.state.x[20]).toBe(0n);
        expect(states[1]!.calls).toBe(0);
      }
    });
  }
});
