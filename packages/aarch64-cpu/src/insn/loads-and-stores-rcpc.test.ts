import { describe, expect, it } from 'vitest';
import { SysReg } from '../sysregs.js';
import { runProgram } from '../testing/flat-memory.js';

// FEAT_LRCPC and FEAT_LRCPC2 (ID_AA64ISAR1_EL1.LRCPC = 2). Words from aarch64-linux-gnu-as -march=armv8.4-a.
const DATA = 0x4000_8000n;

/** Run `words`; `steps` bounds the instructions (1 stops right after a faulting instruction's exception entry). */
function run(words: number[], steps = 10_000) {
  return runProgram(words, (cpu, mem) => {
    cpu.x[0] = DATA;
    mem.bytes.set([0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 1, 2, 3, 4, 5, 6, 7, 0x87], Number(DATA) - mem.base);
    mem.bytes.set([0xf1, 0xf2, 0xf3, 0xf4], Number(DATA) - mem.base - 4);
  }, steps);
}

describe('LRCPC: LDAPR, LDAPUR, STLUR', () => {
  it('LDAPR of every size loads like LDAR', () => {
    const { cpu } = run([0xf8bfc001, 0x38bfc002, 0x78bfc003, 0xb8bfc004]);
    expect(cpu.x[1]).toBe(0xffee_ddcc_bbaa_9988n);
    expect(cpu.x[2]).toBe(0x88n);
    expect(cpu.x[3]).toBe(0x9988n);
    expect(cpu.x[4]).toBe(0xbbaa_9988n);
    expect(cpu.sys[SysReg.ESR_EL1]).toBe(0n);
  });

  it('LDAPUR and the sign-extending LDAPURS forms use a signed 9-bit offset', () => {
    const { cpu } = run([0xd9408005, 0x999fc006, 0x19c01007, 0x59802008]);
    expect(cpu.x[5]).toBe(0x8707_0605_0403_0201n);
    expect(cpu.x[6]).toBe(0xffff_ffff_f4f3_f2f1n); // LDAPURSW x6, [x0, #-4]
    expect(cpu.x[7]).toBe(0xffff_ff99n); // LDAPURSB w7, [x0, #1]: to 32 bits, upper half zero
    expect(cpu.x[8]).toBe(0xffff_ffff_ffff_bbaan); // LDAPURSH x8, [x0, #2]
  });

  it('STLUR stores with a signed offset', () => {
    const { cpu, mem } = run([0xf8bfc001, 0xd9010001, 0x191ff001]);
    const off = Number(DATA) - mem.base;
    expect(mem.view.getBigUint64(off + 16, true)).toBe(cpu.x[1]);
    expect(mem.bytes[off - 1]).toBe(0x88);
  });

  it('an unaligned LDAPUR is an alignment fault (no FEAT_LSE2)', () => {
    const { cpu } = run([0xd9401009], 1);
    const esr = cpu.sys[SysReg.ESR_EL1]!;
    expect(Number(esr >> 26n)).toBe(0x25);
    expect(Number(esr & 0x3fn)).toBe(0x21);
    expect(cpu.sys[SysReg.FAR_EL1]).toBe(DATA + 1n);
  });
});
