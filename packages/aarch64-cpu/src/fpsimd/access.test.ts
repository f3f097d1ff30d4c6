/**
 * The hypervisor's SIMD&FP trap (CPTR_EL2.TFP): after CPACR_EL1.FPEN's trap to EL1, every SIMD&FP instruction and
 * MRS/MSR of FPCR/FPSR at EL0/EL1 stops the run with a trap to EL2 (EC 0x07), the PC on the instruction and nothing
 * changed, in the interpreter, in handler blocks and in WebAssembly blocks (the inline fpCheck of the SIMD&FP loads
 * and stores, and the handler call of the data-processing rows).
 */
import { describe, expect, it } from 'vitest';
import { Stop } from '../exits.js';
import { CPTR, SysReg } from '../sysregs.js';
import { BlockMemory } from '../testing/block-loop.js';
import { runProgram } from '../testing/flat-memory.js';
import { BASE, VBAR } from '../testing/insn-harness.js';
import { Cpu } from '../cpu.js';

const FPEN = 3n << 20n;
const ESR_FP_TRAP = (0x07n << 26n) | (1n << 25n) | 0x1e0_0000n; // EC 0x07, IL, CV = 1, COND = 0b1110
const LDR_Q0 = 0x3dc00000; // ldr q0, [x0]
const FADD_4S = 0x4e21d400; // fadd v0.4s, v0.4s, v1.4s
const MRS_X1_FPCR = 0xd53b4401; // mrs x1, fpcr
const AESE = 0x4e284800; // aese v0.16b, v0.16b

/** Run one word at EL1 (or EL0) with CPACR_EL1 and CPTR_EL2 as given. */
function runOne(word: number, cpacr: bigint, cptr: bigint, el = 1) {
  return runProgram([word], (c) => {
    c.sys[SysReg.VBAR_EL1] = VBAR;
    c.sys[SysReg.CPACR_EL1] = cpacr;
    c.sys[SysReg.CPTR_EL2] = cptr;
    c.x[0] = BASE + 0x8000n;
    if (el === 0) c.el = 0;
  }, 1);
}

describe('CPTR_EL2.TFP (the hypervisor SIMD&FP trap)', () => {
  it('resets with TFP clear (its RES1 bits set) and traps nothing then', () => {
    const cpu = new Cpu(new BlockMemory(false));
    expect(cpu.sys[SysReg.CPTR_EL2]! & CPTR.TFP).toBe(0n);
    expect(cpu.sys[SysReg.CPTR_EL2]).toBe(0x33ffn);
    expect(runOne(FADD_4S, FPEN, cpu.sys[SysReg.CPTR_EL2]!).stop).toBe(Stop.Budget);
  });

  it('traps loads/stores, data processing, crypto and MRS FPCR to EL2 with EC 0x07, PC on the instruction', () => {
    for (const el of [1, 0]) {
      for (const w of [LDR_Q0, FADD_4S, MRS_X1_FPCR, AESE]) {
        const { cpu, stop } = runOne(w, FPEN, CPTR.TFP, el);
        expect(stop, w.toString(16)).toBe(Stop.TrapEl2);
        expect(cpu.el2.esr).toBe(ESR_FP_TRAP);
        expect(cpu.pc).toBe(BASE);
        expect(cpu.sys[SysReg.ESR_EL1]).toBe(0n); // nothing taken in the guest
        expect(cpu.insnCount).toBe(0); // not retired
      }
    }
  });

  it('comes after CPACR_EL1.FPEN: a disabled FPEN traps to EL1 first', () => {
    const { cpu, stop } = runOne(FADD_4S, 0n, CPTR.TFP);
    expect(stop).toBe(Stop.Budget);
    expect(cpu.pc).toBe(VBAR + 0x200n);
    expect(cpu.sys[SysReg.ESR_EL1]).toBe(ESR_FP_TRAP);
    // FPEN = 01 at EL0: the EL1 trap; at EL1 the EL2 trap.
    expect(runOne(FADD_4S, 1n << 20n, CPTR.TFP, 0).cpu.sys[SysReg.ESR_EL1]).toBe(ESR_FP_TRAP);
    expect(runOne(FADD_4S, 1n << 20n, CPTR.TFP, 1).stop).toBe(Stop.TrapEl2);
  });

  it('an unallocated SIMD&FP encoding stays UNDEFINED', () => {
    const ldtrB = 0x3c400800; // the unprivileged form with V = 1: unallocated
    const { cpu, stop } = runOne(ldtrB, FPEN, CPTR.TFP);
    expect(stop).toBe(Stop.Budget);
    expect(cpu.sys[SysReg.ESR_EL1]! >> 26n).toBe(0n);
  });

  it('traps in WebAssembly blocks too, and the loop then finishes as without the trap', () => {
    // mov x9, #1000 (enough runs for the loop to turn WebAssembly: HOT_RUNS); loop: fadd v1.4s, v1.4s, v2.4s;
    // ldr q0, [x0]; fadd v0.4s, v0.4s, v1.4s; str q0, [x0]; subs x9, x9, #1; b.ne loop; b .
    const program = [0xd2807d09, 0x4e22d421, LDR_Q0, FADD_4S, 0x3d800000, 0xf1000529, 0x54ffff61, 0x14000000];
    const make = (): Cpu => {
      const mem = new BlockMemory(true);
      mem.load(mem.base, program);
      const cpu = new Cpu(mem);
      mem.cpu = cpu;
      cpu.pc = BigInt(mem.base);
      cpu.sys[SysReg.CPACR_EL1] = FPEN;
      cpu.x[0] = BigInt(mem.base + 0x8000);
      cpu.vr.f32.set([0.5, -1.25, 3, 1e-3], 4);
      cpu.vr.f32.set([0.25, 1.5, -2, 8], 8);
      return cpu;
    };
    const end = BASE + 4n * BigInt(program.length - 1);
    const reference = make();
    while (reference.pc !== end) expect(reference.run(100)).toBe(Stop.Budget);

    const cpu = make();
    let traps = 0;
    let trapOnWasm = false;
    for (let i = 0; i < 10_000 && cpu.pc !== end; i++) {
      // Every 150 instructions the hypervisor sets TFP; the trap clears it (lazy FP switching).
      if (i % 3 === 0) cpu.sys[SysReg.CPTR_EL2] = cpu.sys[SysReg.CPTR_EL2]! | CPTR.TFP;
      const stop = cpu.run(50);
      if (stop === Stop.TrapEl2) {
        traps++;
        expect(cpu.el2.esr).toBe(ESR_FP_TRAP);
        expect([BASE + 4n, BASE + 8n, BASE + 12n, BASE + 16n]).toContain(cpu.pc);
        // A trap on the loop's first FADD once the loop is WebAssembly: the access check inline before its handler
        // call saw TFP (without it the FADD would run, and the LDR Q, always a handler here, would trap instead).
        if ((cpu.codeCache.wasmTier(cpu.arena)?.stats().blocks ?? 0) > 0 && cpu.pc === BASE + 4n) trapOnWasm = true;
        cpu.sys[SysReg.CPTR_EL2] = cpu.sys[SysReg.CPTR_EL2]! & ~CPTR.TFP;
      } else {
        expect(stop).toBe(Stop.Budget);
      }
    }
    expect(cpu.pc).toBe(end);
    expect(traps).toBeGreaterThan(5);
    expect(trapOnWasm).toBe(true);
    expect([...cpu.vr.u64]).toEqual([...reference.vr.u64]);
    expect(cpu.x[9]).toBe(0n);
  });
});
