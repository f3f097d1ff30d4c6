/**
 * Test support (not exported from the package): run one instruction word on the model with the register state of a
 * QEMU oracle case (packages/aarch64-cpu/scripts/qemu-user-oracle.mjs) and return the state after it in the oracle's
 * result format, so recorded QEMU vectors can be replayed and compared field by field. SIMD&FP is enabled
 * (CPACR_EL1.FPEN = 0b11), as the oracle's Linux user space has it.
 */
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { runProgram } from './flat-memory.js';
import { BASE, VBAR } from './insn-harness.js';

/** An oracle case: V0-V7 as 32 hex digits (most significant first), X0-X7, FPCR, FPSR, NZCV (N=8 Z=4 C=2 V=1). */
export interface OracleCase {
  readonly word: number;
  readonly v?: readonly string[];
  readonly x?: readonly (bigint | string)[];
  readonly fpcr?: number;
  readonly fpsr?: number;
  readonly nzcv?: number;
}

/** The state after the word, or `undef` when it was UNDEFINED (the oracle's result format). */
export interface OracleResult {
  readonly undef?: true;
  readonly v?: readonly string[];
  readonly x?: readonly string[];
  readonly fpsr?: number;
  readonly nzcv?: number;
}

const CPACR_FPEN = 3n << 20n;
const hex64 = (v: bigint): string => v.toString(16).padStart(16, '0');

/** Run `c.word` on a fresh CPU at EL1 and report the state after it. */
export function runOracleCase(c: OracleCase): OracleResult {
  const { cpu, stop } = runProgram([c.word], (cpu) => {
    cpu.sys[SysReg.VBAR_EL1] = VBAR;
    cpu.sys[SysReg.CPACR_EL1] = CPACR_FPEN;
    for (let i = 0; i < 8; i++) {
      const hex = (c.v?.[i] ?? '0').padStart(32, '0');
      cpu.vr.u64[i * 2] = BigInt(`0x${hex.slice(16)}`);
      cpu.vr.u64[i * 2 + 1] = BigInt(`0x${hex.slice(0, 16)}`);
      const x = c.x?.[i] ?? 0n;
      cpu.x[i] = BigInt.asUintN(64, typeof x === 'string' ? BigInt(x.startsWith('0x') ? x : `0x${x}`) : x);
    }
    cpu.fpcr = c.fpcr ?? 0;
    cpu.fpsr = c.fpsr ?? 0;
    cpu.nzcv = c.nzcv ?? 0;
  }, 1);
  if (stop !== Stop.Budget) throw new Error(`word ${c.word.toString(16)} stopped the CPU (stop ${stop})`);
  if (cpu.pc === VBAR + 0x200n) {
    const ec = Number(cpu.sys[SysReg.ESR_EL1]! >> 26n);
    if (ec === 0) return { undef: true };
    throw new Error(`word ${c.word.toString(16)} took an exception with EC ${ec.toString(16)}`);
  }
  if (cpu.pc !== BASE + 4n) throw new Error(`word ${c.word.toString(16)} left the PC at ${cpu.pc.toString(16)}`);
  const v: string[] = [];
  const x: string[] = [];
  for (let i = 0; i < 8; i++) {
    v.push(hex64(cpu.vr.u64[i * 2 + 1]!) + hex64(cpu.vr.u64[i * 2]!));
    x.push(hex64(cpu.x[i]!));
  }
  return { v, x, fpsr: cpu.fpsr, nzcv: cpu.nzcv };
}
