/**
 * Hand-written cases of the scalar FP instructions: register-file effects, the SIMD&FP access trap, and decode order
 * (an unallocated encoding is UNDEFINED even when FP is disabled).
 */
import { describe, expect, it } from 'vitest';
import { Ec } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { runProgram } from '../testing/flat-memory.js';
import { BASE, VBAR } from '../testing/insn-harness.js';
import { runOracleCase } from '../testing/simd-harness.js';

const Q1 = '0123456789abcdeffedcba9876543210';

describe('scalar FP instructions', () => {
  it('a scalar result clears the rest of the register', () => {
    // FADD S0, S1, S2 with V0 full of ones.
    const r = runOracleCase({ word: 0x1e222820, v: ['f'.repeat(32), '3f800000', '40000000'] });
    expect(r.v![0]).toBe('00000000000000000000000040400000');
  });
  it('FMOV Vd.D[1], Xn writes the top half only; FMOV Xd, Vn.D[1] reads it', () => {
    const w = runOracleCase({ word: 0x9eaf0020, v: [Q1], x: ['0', 'aaaabbbbccccdddd'] }); // FMOV V0.D[1], X1
    expect(w.v![0]).toBe(`aaaabbbbccccdddd${Q1.slice(16)}`);
    const r = runOracleCase({ word: 0x9eae0020, v: ['0', Q1] }); // FMOV X0, V1.D[1]
    expect(r.x![0]).toBe(Q1.slice(0, 16));
  });
  it('FMOV Wd, Hn zero-extends; FMOV Hd, Wn takes the low 16 bits', () => {
    expect(runOracleCase({ word: 0x1ee60020, v: ['0', Q1] }).x![0]).toBe('0000000000003210');
    expect(runOracleCase({ word: 0x1ee70020, x: ['0', 'ffffffffffff8123'] }).v![0]).toBe(`${'0'.repeat(28)}8123`);
  });
  it('FJCVTZS sets Z only for an exact in-range conversion', () => {
    const exact = runOracleCase({ word: 0x1e7e0020, v: ['0', 'c000000000000000'], nzcv: 0b1011 }); // -2.0
    expect([exact.x![0], exact.nzcv]).toEqual(['00000000fffffffe', 0b0100]);
    const inexact = runOracleCase({ word: 0x1e7e0020, v: ['0', '3ff8000000000000'] }); // 1.5
    expect([inexact.x![0], inexact.nzcv, inexact.fpsr]).toEqual(['0000000000000001', 0, 0x10]);
  });
  it('traps with EC 0x07 when CPACR_EL1.FPEN disables FP, but an unallocated encoding stays UNDEFINED', () => {
    const ec = (word: number): bigint => {
      const { cpu } = runProgram([word], (c) => {
        c.sys[SysReg.VBAR_EL1] = VBAR;
        c.sys[SysReg.CPACR_EL1] = 0n;
      }, 1);
      expect(cpu.pc).toBe(VBAR + 0x200n);
      expect(cpu.sys[SysReg.ELR_EL1]).toBe(BASE);
      return cpu.sys[SysReg.ESR_EL1]! >> 26n;
    };
    expect(ec(0x1e222820)).toBe(BigInt(Ec.FpAccess)); // FADD S0, S1, S2
    expect(ec(0x1ea22820)).toBe(0n); // ftype 10: unallocated
    expect(ec(0x1e234020)).toBe(0n); // FCVT with opc 10 (BFCVT needs ftype 01)
  });
});
