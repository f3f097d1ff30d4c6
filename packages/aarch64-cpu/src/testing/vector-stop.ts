/**
 * Test support (not exported): run instruction words at BASE with VBAR_EL1 = VBAR, where every vector entry is
 * `hvc #0xffff`, so taking any exception stops the run with a recognisable EL2 syndrome and `vector()` says which
 * vector was reached. Shared by the system-instruction and system-register tests.
 */
import type { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { type FlatMemory, runProgram } from './flat-memory.js';

export const BASE = 0x4000_0000n;
export const VBAR = BASE + 0x8000n;
/** SP_EL0 for runs that start at EL0. */
export const EL0_STACK = BASE + 0x7000n;
const HVC_STOP = 0xd41fffe2; // hvc #0xffff
/** ESR_EL2 of the `hvc #0xffff` every vector holds. */
export const VECTOR_STOP_ESR = (0x16n << 26n) | (1n << 25n) | 0xffffn;

export interface RunOpts {
  /** Start at EL0t (DAIF clear, SP_EL0 = EL0_STACK). */
  el0?: boolean;
  setup?: (cpu: Cpu, mem: FlatMemory) => void;
  /** Instruction bound (default 1000). */
  max?: number;
}

export function run(words: readonly number[], opts: RunOpts = {}) {
  return runProgram(words, (cpu, mem) => {
    cpu.sys[SysReg.VBAR_EL1] = VBAR;
    for (let off = 0; off < 0x800; off += 0x80) mem.load(Number(VBAR) + off, [HVC_STOP]);
    if (opts.el0) {
      cpu.el = 0;
      cpu.spsel = 0;
      cpu.daif = 0;
      cpu.spEl[0] = EL0_STACK;
    }
    opts.setup?.(cpu, mem);
  }, opts.max ?? 1000);
}

/** The vector offset the run stopped at, or undefined if it did not reach a vector. */
export function vector(r: { cpu: Cpu; stop: number }): number | undefined {
  if (r.stop !== Stop.TrapEl2 || r.cpu.el2.esr !== VECTOR_STOP_ESR) return undefined;
  return Number(r.cpu.pc - 4n - VBAR);
}
