// Self-hosted debug with translated code (aarch64-cpu debug.ts): once a guest enables a breakpoint, a watchpoint or
// software step, the run loop hands every instruction to the interpreter, which checks for them, so the WebAssembly
// tier and handler blocks give the interpreter's results exactly, even for a loop whose blocks were compiled before
// debug was enabled and inside one long run. Each program loops 200 times with debug off (its blocks become
// WebAssembly), enables debug with MSR MDSCR_EL1 and MSR DAIFClr, #8, and runs the loop again: the debug exception
// must be taken at the loop's first iteration, as the interpreter takes it. Every vector is `hvc #0xffff`, which
// stops the run.
import { Stop, SysReg, type StopCode } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, stateOf, type Engine } from './arena-test-env.js';
import { RAM_BASE } from './test-env.js';

const CODE = RAM_BASE + 0x1_0000;
const VECTORS = RAM_BASE + 0x8000;
const DATA = RAM_BASE + 0x2_0000;
const HVC_STOP = 0xd41fffe2; // hvc #0xffff

// The program (aarch64-linux-gnu-as; x1 = DATA, x5 = the MDSCR_EL1 value to write):
const PROGRAM = [
  0xd2801904, //  0: mov x4, #200
  0x91000400, //  1: loop: add x0, x0, #1
  0xf9000020, //  2: str x0, [x1]
  0xf1000484, //  3: subs x4, x4, #1
  0x54ffffa1, //  4: b.ne loop
  0xd5100245, //  5: msr mdscr_el1, x5
  0xd50348ff, //  6: msr daifclr, #8
  0xd2801904, //  7: mov x4, #200
  0x17fffff9, //  8: b loop
];

const MDSCR_SS = 1n;
const KDE = 1n << 13n;
const MDE = 1n << 15n;

interface Case {
  mdscr: bigint;
  /** DBGBCR0/DBGBVR0 or DBGWCR0/DBGWVR0 (enabled, EL1). */
  bp?: bigint;
  wp?: bigint;
  /** What the interpreter takes: ESR_EL1.EC and ELR_EL1. */
  ec: number;
  elr: bigint;
}

const CASES: Record<string, Case> = {
  // A breakpoint on the loop's SUBS.
  breakpoint: { mdscr: KDE | MDE, bp: BigInt(CODE + 12), ec: 0x31, elr: BigInt(CODE + 12) },
  // A watchpoint on the loop's store.
  watchpoint: { mdscr: KDE | MDE, wp: BigInt(DATA), ec: 0x35, elr: BigInt(CODE + 8) },
  // Software step, active-pending once DAIFClr unmasks debug exceptions: taken before the MOV after it.
  step: { mdscr: KDE | MDSCR_SS, ec: 0x33, elr: BigInt(CODE + 28) },
};

/** An environment with PROGRAM at CODE, every vector `hvc #0xffff`, the OS lock clear (as an OS leaves it). */
function debugEnv(engine: Engine) {
  const e = arenaEnv(engine);
  loadWords(e, CODE, PROGRAM);
  for (let v = 0; v < 0x800; v += 0x80) loadWords(e, VECTORS + v, [HVC_STOP]);
  const sys = e.cpu.sys;
  sys[SysReg.VBAR_EL1] = BigInt(VECTORS);
  sys[SysReg.OSLSR_EL1] = sys[SysReg.OSLSR_EL1]! & ~2n;
  return e;
}

function runCase(engine: Engine, c: Case) {
  const e = debugEnv(engine);
  const cpu = e.cpu;
  const sys = cpu.sys;
  if (c.bp !== undefined) {
    sys[SysReg.DBGBCR0_EL1] = 0x1e3n; // E, PMC = EL1, BAS = 0b1111
    sys[SysReg.DBGBVR0_EL1] = c.bp;
  }
  if (c.wp !== undefined) {
    sys[SysReg.DBGWCR0_EL1] = 0x1ff3n; // E, PAC = EL1, LSC = store, BAS = 0xff
    sys[SysReg.DBGWVR0_EL1] = c.wp;
  }
  cpu.pc = BigInt(CODE);
  cpu.daif = 8; // PSTATE.D = 1 until the program clears it
  cpu.x[1] = BigInt(DATA);
  cpu.x[5] = c.mdscr;
  const stops: StopCode[] = [cpu.run(100_000)];
  const blocks = engine === 'wasm' ? cpu.codeCache.wasmTier(cpu.arena)!.stats().blocks : 0;
  return { e, state: stateOf(e, stops, [[DATA, 8]]), blocks };
}

describe('debug exceptions with translated code give the interpreter results', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: WebAssembly blocks and handler blocks stop where the interpreter does`, () => {
      const ref = runCase('interp', c);
      expect(ref.state.stops).toEqual([Stop.TrapEl2]);
      expect(Number(ref.state.esr! >> 26n)).toBe(c.ec);
      expect(ref.state.elr).toBe(c.elr);
      const wasm = runCase('wasm', c);
      expect(wasm.blocks).toBeGreaterThan(0); // the loop was compiled before debug was enabled
      expect(wasm.state).toEqual(ref.state);
      expect(runCase('handlers', c).state).toEqual(ref.state);
    });
  }
});

describe('a run that starts inside a block (its last run\'s budget ended there) with debug enabled in between', () => {
  /**
   * The loop runs with budgets that end inside its block (mid-block.ts resumes such a block through its handlers);
   * between two runs the host enables a breakpoint on the loop's SUBS, after the PC the last run stopped at. The next
   * run must take it there, as the interpreter does, not run the rest of the block unchecked.
   */
  function resumeCase(engine: Engine) {
    const e = debugEnv(engine);
    const cpu = e.cpu;
    const sys = cpu.sys;
    cpu.pc = BigInt(CODE);
    cpu.x[1] = BigInt(DATA);
    cpu.x[5] = 0n;
    const stops: StopCode[] = [];
    for (let k = 0; k < 60; k++) stops.push(cpu.run(4)); // ends in the loop's block (4 instructions) at every offset
    stops.push(cpu.run(6)); // 1 + 241 + 6 = 248 instructions: stops after the loop's ADD
    const at = cpu.pc;
    sys[SysReg.DBGBCR0_EL1] = 0x1e3n;
    sys[SysReg.DBGBVR0_EL1] = BigInt(CODE + 12);
    sys[SysReg.MDSCR_EL1] = KDE | MDE;
    cpu.daif = 0;
    stops.push(cpu.run(100));
    return { at, state: stateOf(e, stops, [[DATA, 8]]) };
  }

  it('takes the breakpoint where the interpreter takes it, whatever the engine', () => {
    const ref = resumeCase('interp');
    expect(ref.at).toBe(BigInt(CODE + 8)); // inside the loop's block, before the breakpoint's SUBS
    expect(Number(ref.state.esr! >> 26n)).toBe(0x31);
    expect(ref.state.elr).toBe(BigInt(CODE + 12));
    for (const engine of ['wasm', 'handlers'] as const) expect(resumeCase(engine).state, engine).toEqual(ref.state);
  });
});
