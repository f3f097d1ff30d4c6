import { describe, expect, it } from 'vitest';
import type { Cpu } from '../cpu.js';
import { findEncoding } from '../decode-a64.js';
import { Ec, Stop } from '../exits.js';
import { DCZVA_BLOCK_BYTES } from '../impl-defined.js';
import { Acc, type MemoryPort } from '../ports.js';
import { setMteLevel } from '../mte.js';
import { HCR, SCTLR, SysReg } from '../sysregs.js';
import { FlatMemory, runProgram } from '../testing/flat-memory.js';
import { BASE, run, VBAR, vector, type RunOpts } from '../testing/vector-stop.js';
import { eventRegisterSet } from './branches-exceptions-system-common.js';

// Instruction words from aarch64-linux-gnu-as -march=armv8.8-a+memtag+predres+sb+ssbs+flagm; objdump -d.
const W = {
  b8: 0x14000002, // b .+8
  bl8: 0x94000002, // bl .+8
  bBack8: 0x17fffffe, // b .-8
  bNv8: 0x5400010f, // b.nv .+0x20 (imm19 = 8)
  cbzX: 0xb4000040, // cbz x0, .+8
  cbnzX: 0xb5000040, // cbnz x0, .+8
  cbzW: 0x34000040, // cbz w0, .+8
  cbnzW: 0x35000040, // cbnz w0, .+8
  tbz0: 0x36000040, // tbz w0, #0, .+8
  tbnz0: 0x37000040, // tbnz w0, #0, .+8
  tbz63: 0xb6f80040, // tbz x0, #63, .+8
  tbnz31: 0x37f80040, // tbnz w0, #31, .+8
  brX1: 0xd61f0020, // br x1
  blrX1: 0xd63f0020, // blr x1
  ret: 0xd65f03c0, // ret
  retX2: 0xd65f0040, // ret x2
  blrX30: 0xd63f03c0, // blr x30
  eret: 0xd69f03e0,
  svc1234: 0xd4024681, // svc #0x1234
  svc0: 0xd4000001,
  svc1: 0xd4000021,
  hvc42: 0xd4000842, // hvc #0x42
  smc7: 0xd40000e3, // smc #0x7
  brk3e8: 0xd4207d00, // brk #0x3e8
  hlt0: 0xd4400000,
  dcps1: 0xd4a00001,
  braa: 0xd71f0822, // braa x1, x2
  retaa: 0xd65f0bff,
  eretaa: 0xd69f0bff,
  bcEq: 0x54000050, // bc.eq .+8
  nop: 0xd503201f,
  wfe: 0xd503205f,
  wfi: 0xd503207f,
  sev: 0xd503209f,
  sevl: 0xd50320bf,
  dsbSy: 0xd5033f9f,
  dmbIsh: 0xd5033bbf,
  isb: 0xd5033fdf,
  sb: 0xd50330ff,
  clrex: 0xd5033f5f,
  ssbb: 0xd503309f,
  pssbb: 0xd503349f,
  dsbIshNxs: 0xd5033a3f,
  daifSet2: 0xd50342df, // msr daifset, #2
  daifClrF: 0xd5034fff, // msr daifclr, #0xf
  spsel0: 0xd50040bf, // msr spsel, #0
  spsel1: 0xd50041bf,
  panImm1: 0xd500419f, // msr pan, #1
  uaoImm1: 0xd500417f, // msr uao, #1
  ssbsImm1: 0xd503413f,
  ditImm1: 0xd503415f,
  tcoImm1: 0xd503419f,
  cfinv: 0xd500401f,
  xaflag: 0xd500403f,
  axflag: 0xd500405f,
  msrElrX2: 0xd5184022, // msr elr_el1, x2
  msrSpsrX1: 0xd5184001, // msr spsr_el1, x1
  dcZva: 0xd50b7421, // dc zva, x1
  dcCivac: 0xd50b7e21,
  dcCvac: 0xd50b7a21,
  dcCvau: 0xd50b7b21,
  dcIvac: 0xd5087621,
  dcIsw: 0xd5087641,
  dcCsw: 0xd5087a41,
  dcCvap: 0xd50b7c21,
  dcCvadp: 0xd50b7d21,
  dcGva: 0xd50b7461,
  dcGzva: 0xd50b7481,
  dcIgvac: 0xd5087661,
  icIvau: 0xd50b7521,
  icIallu: 0xd508751f,
  icIalluis: 0xd508711f,
  atS1e1r: 0xd5087801,
  atS1e1w: 0xd5087821,
  atS1e0r: 0xd5087841,
  atS1e0w: 0xd5087861,
  atS1e1rp: 0xd5087901,
  atS12e1r: 0xd50c7881,
  tlbiVmalle1: 0xd508871f,
  tlbiVmalle1is: 0xd508831f,
  tlbiVae1: 0xd5088721, // tlbi vae1, x1
  tlbiVae1is: 0xd5088321,
  tlbiAside1: 0xd5088741,
  tlbiAside1is: 0xd5088341,
  tlbiVaae1: 0xd5088761,
  tlbiVaae1is: 0xd5088361,
  tlbiVale1: 0xd50887a1,
  tlbiVale1is: 0xd50883a1,
  tlbiVaale1: 0xd50887e1,
  tlbiVaale1is: 0xd50883e1,
  tlbiVmalle1os: 0xd508811f,
  tlbiRvae1: 0xd5088621,
  tlbiAlle2: 0xd50c871f,
  tlbiVmalle1nxs: 0xd508971f,
  sysImpDef: 0xd508b001, // sys #0, c11, c0, #0, x1
  sysl: 0xd5287500, // sysl x0, #0, c7, c5, #0
  mrsDczid: 0xd53b00e0, // mrs x0, dczid_el0
  mrsPar: 0xd5387400, // mrs x0, par_el1
};

const esr = (cpu: Cpu) => cpu.sys[SysReg.ESR_EL1]!;
const ecOf = (cpu: Cpu) => Number(esr(cpu) >> 26n) & 0x3f;
const issOf = (cpu: Cpu) => Number(esr(cpu) & 0x1ff_ffffn);

/** Expect an UNDEFINED instruction at BASE (first word) taken from the given vector offset. */
function expectUndef(r: { cpu: Cpu; stop: number }, from = 0x200, elr = BASE): void {
  expect(vector(r)).toBe(from);
  expect(esr(r.cpu)).toBe(0x0200_0000n); // EC 0, IL 1, ISS 0
  expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(elr);
}

/** The EC 0x18 ISS for op0, op1, CRn, CRm, op2, Rt, direction (1 = read). */
const sysIss = (op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: number) =>
  (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read;

/** A MemoryPort wrapper recording the calls the CPU makes besides loads and stores. */
class RecordingPort implements MemoryPort {
  readonly tlbis: [string, bigint][] = [];
  readonly zeroed: [bigint, number][] = [];
  controlChanges = 0;
  constructor(readonly inner: FlatMemory) {}
  read(va: bigint, size: number, flags: number): bigint {
    return this.inner.read(va, size, flags);
  }
  write(va: bigint, size: number, value: bigint, flags: number): void {
    this.inner.write(va, size, value, flags);
  }
  fetch(va: bigint): number {
    return this.inner.fetch(va);
  }
  controlChanged(): void {
    this.controlChanges++;
  }
  tlbi(op: string, arg: bigint): void {
    this.tlbis.push([op, arg]);
  }
  zeroBlock(va: bigint, size: number): void {
    this.zeroed.push([va, size]);
    this.inner.zeroBlock(va, size);
  }
  readTag(va: bigint, flags: number): number {
    return this.inner.readTag(va, flags);
  }
  writeTag(va: bigint, tag: number, flags: number): void {
    this.inner.writeTag(va, tag, flags);
  }
}

function withPort<P extends MemoryPort>(make: (inner: FlatMemory) => P, words: readonly number[], opts: RunOpts = {}) {
  let port: P | undefined;
  const r = run(words, {
    ...opts,
    setup: (cpu, mem) => {
      port = make(mem);
      cpu.mem = port;
      opts.setup?.(cpu, mem);
    },
  });
  return { ...r, port: port! };
}

describe('unconditional branches (immediate)', () => {
  it('B jumps forward and backward', () => {
    expect(run([W.b8], { max: 1 }).cpu.pc).toBe(BASE + 8n);
    const back = run([W.nop, W.nop, W.bBack8], { max: 3 });
    expect(back.cpu.pc).toBe(BASE);
  });

  it('BL jumps and writes the return address to X30', () => {
    const { cpu } = run([W.bl8], { max: 1 });
    expect(cpu.pc).toBe(BASE + 8n);
    expect(cpu.x[30]).toBe(BASE + 4n);
  });
});

describe('B.cond', () => {
  const N = 8, Z = 4, C = 2, V = 1;
  const holds: ((f: number) => boolean)[] = [
    (f) => (f & Z) !== 0, // EQ
    (f) => (f & Z) === 0, // NE
    (f) => (f & C) !== 0, // CS
    (f) => (f & C) === 0, // CC
    (f) => (f & N) !== 0, // MI
    (f) => (f & N) === 0, // PL
    (f) => (f & V) !== 0, // VS
    (f) => (f & V) === 0, // VC
    (f) => (f & C) !== 0 && (f & Z) === 0, // HI
    (f) => !((f & C) !== 0 && (f & Z) === 0), // LS
    (f) => ((f & N) !== 0) === ((f & V) !== 0), // GE
    (f) => ((f & N) !== 0) !== ((f & V) !== 0), // LT
    (f) => (f & Z) === 0 && ((f & N) !== 0) === ((f & V) !== 0), // GT
    (f) => !((f & Z) === 0 && ((f & N) !== 0) === ((f & V) !== 0)), // LE
    () => true, // AL
    () => true, // NV (behaves as AL)
  ];

  it('takes the branch exactly when the condition holds, for every condition and every NZCV', () => {
    for (let cond = 0; cond < 16; cond++) {
      for (let f = 0; f < 16; f++) {
        const word = 0x54000040 | cond; // b.<cond> .+8
        const { cpu } = run([word], { max: 1, setup: (c) => (c.nzcv = f) });
        expect(cpu.pc, `cond ${cond} nzcv ${f}`).toBe(holds[cond]!(f) ? BASE + 8n : BASE + 4n);
      }
    }
  });

  it('decodes a negative imm19 (b.nv .+0x20 and a backward b.al)', () => {
    expect(run([W.bNv8], { max: 1 }).cpu.pc).toBe(BASE + 0x20n);
    const word = 0x54000000 | ((0x7ffff & -3) << 5) | 0xe; // b.al .-12
    expect(run([W.nop, W.nop, W.nop, word], { max: 4 }).cpu.pc).toBe(BASE);
  });

  it('BC.cond (FEAT_HBC, not advertised) is UNDEFINED', () => {
    expect(findEncoding(W.bcEq)).toBeUndefined();
    expectUndef(run([W.bcEq]));
  });
});

describe('compare and test and branch', () => {
  const pc = (word: number, x0: bigint) => run([word], { max: 1, setup: (c) => (c.x[0] = x0) }).cpu.pc;
  const taken = BASE + 8n;
  const notTaken = BASE + 4n;

  it('CBZ/CBNZ on X registers', () => {
    expect(pc(W.cbzX, 0n)).toBe(taken);
    expect(pc(W.cbzX, 1n << 40n)).toBe(notTaken);
    expect(pc(W.cbnzX, 0n)).toBe(notTaken);
    expect(pc(W.cbnzX, 1n << 40n)).toBe(taken);
  });

  it('CBZ/CBNZ on W registers test only the low 32 bits', () => {
    expect(pc(W.cbzW, 1n << 40n)).toBe(taken);
    expect(pc(W.cbzW, 0x8000_0000n)).toBe(notTaken);
    expect(pc(W.cbnzW, 0xffff_ffff_0000_0000n)).toBe(notTaken);
    expect(pc(W.cbnzW, 5n)).toBe(taken);
  });

  it('TBZ/TBNZ test the selected bit, including b5', () => {
    expect(pc(W.tbz0, 2n)).toBe(taken);
    expect(pc(W.tbz0, 1n)).toBe(notTaken);
    expect(pc(W.tbnz0, 1n)).toBe(taken);
    expect(pc(W.tbnz0, 0n)).toBe(notTaken);
    expect(pc(W.tbz63, 1n << 63n)).toBe(notTaken);
    expect(pc(W.tbz63, (1n << 63n) - 1n)).toBe(taken);
    expect(pc(W.tbnz31, 1n << 31n)).toBe(taken);
    expect(pc(W.tbnz31, 1n << 32n)).toBe(notTaken);
  });
});

describe('branches (register)', () => {
  it('BR, BLR and RET', () => {
    let r = run([W.brX1], { max: 1, setup: (c) => (c.x[1] = BASE + 0x100n) });
    expect(r.cpu.pc).toBe(BASE + 0x100n);
    expect(r.cpu.x[30]).toBe(0n);
    r = run([W.blrX1], { max: 1, setup: (c) => (c.x[1] = BASE + 0x100n) });
    expect(r.cpu.pc).toBe(BASE + 0x100n);
    expect(r.cpu.x[30]).toBe(BASE + 4n);
    r = run([W.ret], { max: 1, setup: (c) => (c.x[30] = BASE + 0x40n) });
    expect(r.cpu.pc).toBe(BASE + 0x40n);
    r = run([W.retX2], { max: 1, setup: (c) => (c.x[2] = BASE + 0x80n) });
    expect(r.cpu.pc).toBe(BASE + 0x80n);
  });

  it('BLR X30 branches to the old X30', () => {
    const r = run([W.blrX30], { max: 1, setup: (c) => (c.x[30] = BASE + 0x200n) });
    expect(r.cpu.pc).toBe(BASE + 0x200n);
    expect(r.cpu.x[30]).toBe(BASE + 4n);
  });

  it('a branch to a misaligned address takes a PC alignment fault there', () => {
    const target = BASE + 0x102n;
    const r = run([W.brX1], { setup: (c) => (c.x[1] = target) });
    expect(vector(r)).toBe(0x200);
    expect(esr(r.cpu)).toBe((BigInt(Ec.PcAlign) << 26n) | (1n << 25n));
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(target);
    expect(r.cpu.sys[SysReg.FAR_EL1]).toBe(target);
  });

  it('RET to a misaligned address faults too, and an aligned one does not', () => {
    const r = run([W.ret], { setup: (c) => (c.x[30] = BASE + 0x41n) });
    expect(vector(r)).toBe(0x200);
    expect(ecOf(r.cpu)).toBe(Ec.PcAlign);
    const ok = run([W.ret], { max: 2, setup: (c, mem) => {
      c.x[30] = BASE + 0x40n;
      mem.load(Number(BASE) + 0x40, [W.nop]);
    } });
    expect(ok.cpu.pc).toBe(BASE + 0x44n);
  });

  it('the top byte of a branch target is dropped when TCR_EL1.TBI0/TBI1 applies (AArch64.BranchAddr)', () => {
    const tagged = 0x5a00_0000_4000_0100n;
    let r = run([W.brX1], { max: 1, setup: (c) => {
      c.x[1] = tagged;
      c.sys[SysReg.TCR_EL1] = 1n << 37n;
    } });
    expect(r.cpu.pc).toBe(BASE + 0x100n);
    r = run([W.brX1], { max: 1, setup: (c) => (c.x[1] = tagged) });
    expect(r.cpu.pc).toBe(tagged);
    r = run([W.brX1], { max: 1, setup: (c) => {
      c.x[1] = 0x0080_0000_0000_1000n; // bit 55 set: TBI1 applies, the top byte becomes 0xff
      c.sys[SysReg.TCR_EL1] = 1n << 38n;
    } });
    expect(r.cpu.pc).toBe(0xff80_0000_0000_1000n);
  });

  it('the pointer-authentication branches are UNDEFINED', () => {
    for (const w of [W.braa, W.retaa, W.eretaa]) {
      expect(findEncoding(w)).toBeUndefined();
      expectUndef(run([w]));
    }
  });
});

describe('exception generation', () => {
  it('SVC from EL1h: ESR, ELR = next, SPSR, vector +0x200', () => {
    const r = run([W.svc1234], { setup: (c) => (c.nzcv = 0b1010) });
    expect(vector(r)).toBe(0x200);
    expect(esr(r.cpu)).toBe(0x5600_1234n); // EC 0x15, IL
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(BASE + 4n);
    expect(r.cpu.sys[SysReg.SPSR_EL1]).toBe(0xa000_03c5n); // NZCV, DAIF, EL1h
    expect(r.cpu.el).toBe(1);
    expect(r.cpu.spsel).toBe(1);
    expect(r.cpu.daif).toBe(0xf);
  });

  it('SVC from EL1t takes the vector at +0x000', () => {
    const r = run([W.svc0], { setup: (c) => (c.spsel = 0) });
    expect(vector(r)).toBe(0);
    expect(r.cpu.sys[SysReg.SPSR_EL1]).toBe(0x3c4n);
    expect(r.cpu.spsel).toBe(1);
  });

  it('SVC from EL0 takes the vector at +0x400', () => {
    const r = run([W.svc1], { el0: true });
    expect(vector(r)).toBe(0x400);
    expect(esr(r.cpu)).toBe(0x5600_0001n);
    expect(r.cpu.sys[SysReg.SPSR_EL1]).toBe(0n);
    expect(r.cpu.el).toBe(1);
  });

  it('HVC at EL1 traps to EL2 with EC 0x16, the immediate, and PC = next', () => {
    const r = run([W.hvc42]);
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe(0x5a00_0042n);
    expect(r.cpu.pc).toBe(BASE + 4n);
    expect(r.cpu.el).toBe(1);
  });

  it('HVC at EL0, and at EL1 with HCR_EL2.HCD = 1, is UNDEFINED', () => {
    expectUndef(run([W.hvc42], { el0: true }), 0x400);
    const r = run([W.hvc42], { max: 1, setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.HCD) });
    expect(r.stop).toBe(Stop.Budget);
    expect(esr(r.cpu)).toBe(0x0200_0000n);
    expect(r.cpu.pc).toBe(VBAR + 0x200n);
  });

  it('SMC: UNDEFINED (no EL3) unless HCR_EL2.TSC traps it to EL2, with PC = the SMC', () => {
    expectUndef(run([W.smc7]));
    expectUndef(run([W.smc7], { el0: true, setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TSC) }), 0x400);
    const r = run([W.smc7], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TSC) });
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe((0x17n << 26n) | (1n << 25n) | 7n);
    expect(r.cpu.pc).toBe(BASE);
  });

  it('BRK: EC 0x3c, ISS = imm16, ELR = the BRK itself', () => {
    const r = run([W.nop, W.brk3e8]);
    expect(vector(r)).toBe(0x200);
    expect(esr(r.cpu)).toBe((0x3cn << 26n) | (1n << 25n) | 0x3e8n);
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(BASE + 4n);
  });

  it('HLT and DCPS1 are UNDEFINED (no halting debug, not in Debug state)', () => {
    expectUndef(run([W.hlt0]));
    expectUndef(run([W.dcps1]));
  });
});

describe('ERET', () => {
  it('returns to EL0, and SVC from EL0 comes back to EL1', () => {
    const el0Code = BASE + 0x100n;
    // EL1: eret → EL0: svc #1 → vector +0x400: msr elr_el1, x2; msr spsr_el1, x1; eret → BASE + 4 (the end).
    const r = runProgram([W.eret], (cpu, mem) => {
      cpu.sys[SysReg.VBAR_EL1] = VBAR;
      mem.load(Number(VBAR) + 0x400, [W.msrElrX2, W.msrSpsrX1, W.eret]);
      mem.load(Number(el0Code), [W.svc1]);
      cpu.sys[SysReg.SPSR_EL1] = 0x8000_0000n; // EL0t, N set, nothing masked
      cpu.sys[SysReg.ELR_EL1] = el0Code;
      cpu.x[1] = 0x3c5n; // back to EL1h, all masked
      cpu.x[2] = BASE + 4n;
    }, 20);
    const { cpu } = r;
    expect(r.stop).toBe(Stop.Budget);
    expect(cpu.pc).toBe(BASE + 4n);
    expect(cpu.el).toBe(1);
    expect(cpu.spsel).toBe(1);
    expect(cpu.daif).toBe(0xf);
    expect(cpu.nzcv).toBe(0);
    expect(esr(cpu)).toBe(0x5600_0001n);
    expect(cpu.insnCount).toBe(5);
  });

  it('restores PSTATE and the PC and switches the stack pointer', () => {
    const r = run([W.eret], { max: 1, setup: (c) => {
      c.sys[SysReg.SPSR_EL1] = 0x6000_0000n | (1n << 22n) | (1n << 24n) | (1n << 12n) | (0x5n << 6n); // EL0t
      c.sys[SysReg.ELR_EL1] = BASE + 0x300n;
      c.spEl[0] = 0x1000n;
      c.exclAddr = BASE;
    } });
    const { cpu } = r;
    expect(cpu.pc).toBe(BASE + 0x300n);
    expect(cpu.el).toBe(0);
    expect(cpu.nzcv).toBe(6);
    expect(cpu.daif).toBe(5);
    expect([cpu.pan, cpu.dit, cpu.ssbs]).toEqual([1, 1, 1]);
    expect(cpu.sp).toBe(0x1000n);
    expect(cpu.exclAddr).toBe(-1n);
    expect(eventRegisterSet(cpu)).toBe(true);
  });

  it('restores PSTATE.UAO (FEAT_UAO) but not fields of unimplemented features (TCO without MTE2)', () => {
    const { cpu } = run([W.eret], { max: 1, setup: (c) => {
      setMteLevel(c, 1);
      c.sys[SysReg.SPSR_EL1] = (1n << 23n) | (1n << 25n) | 5n;
      c.sys[SysReg.ELR_EL1] = BASE + 0x300n;
    } });
    expect([cpu.uao, cpu.tco]).toEqual([1, 0]);
  });

  it('is UNDEFINED at EL0', () => {
    expectUndef(run([W.eret], { el0: true }), 0x400);
  });

  it('an ERET to a misaligned ELR faults at the target', () => {
    const r = run([W.eret], { setup: (c) => {
      c.sys[SysReg.SPSR_EL1] = 0x3c5n;
      c.sys[SysReg.ELR_EL1] = BASE + 0x302n;
    } });
    expect(vector(r)).toBe(0x200);
    expect(ecOf(r.cpu)).toBe(Ec.PcAlign);
    expect(r.cpu.sys[SysReg.FAR_EL1]).toBe(BASE + 0x302n);
  });

  const illegal: [string, bigint, bigint][] = [
    ['EL2h', 0b01001n, 0n],
    ['EL3h', 0b01101n, 0n],
    ['AArch32 User', 0b10000n, 0n],
    ['EL0 with SP_EL1', 0b00001n, 0n],
    ['M[1] = 1', 0b00110n, 0n],
    ['EL1h while HCR_EL2.TGE = 1', 0b00101n, HCR.TGE],
  ];
  for (const [what, m, hcr] of illegal) {
    it(`an illegal return (${what}) sets PSTATE.IL, stays at EL1, and the next instruction takes EC 0x0e`, () => {
      const target = BASE + 0x100n;
      const spsr = 0xf000_0000n | (0x2n << 6n) | m; // NZCV, I masked
      let r = run([W.eret], { max: 1, setup: (c, mem) => {
        c.sys[SysReg.SPSR_EL1] = spsr;
        c.sys[SysReg.ELR_EL1] = target;
        c.sys[SysReg.HCR_EL2] = hcr;
        c.daif = 0;
        mem.load(Number(target), [W.nop]);
      } });
      expect(r.cpu.pc).toBe(target);
      expect(r.cpu.el).toBe(1);
      expect(r.cpu.spsel).toBe(1);
      expect(r.cpu.il).toBe(1);
      expect(r.cpu.nzcv).toBe(0xf);
      expect(r.cpu.daif).toBe(2);
      r = run([W.eret], { setup: (c, mem) => {
        c.sys[SysReg.SPSR_EL1] = spsr;
        c.sys[SysReg.ELR_EL1] = target;
        c.sys[SysReg.HCR_EL2] = hcr;
        mem.load(Number(target), [W.nop]);
      } });
      expect(vector(r)).toBe(0x200);
      expect(esr(r.cpu)).toBe((0x0en << 26n) | (1n << 25n));
      expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(target);
      expect(r.cpu.sys[SysReg.SPSR_EL1]).toBe(0xf000_0000n | (1n << 20n) | (0x2n << 6n) | 5n);
      expect(r.cpu.il).toBe(0);
    });
  }

  it('a legal return with SPSR.IL = 1 takes the Illegal Execution state exception at the target EL', () => {
    const r = run([W.eret], { setup: (c, mem) => {
      c.sys[SysReg.SPSR_EL1] = 1n << 20n; // EL0t, IL
      c.sys[SysReg.ELR_EL1] = BASE + 0x100n;
      mem.load(Number(BASE) + 0x100, [W.nop]);
    } });
    expect(vector(r)).toBe(0x400);
    expect(ecOf(r.cpu)).toBe(Ec.IllegalState);
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(BASE + 0x100n);
  });
});

describe('hints', () => {
  const hints = [
    0xd503201f, 0xd503203f, 0xd50320df, 0xd503221f, 0xd503223f, 0xd503225f, 0xd503229f, // NOP YIELD DGH ESB PSB TSB CSDB
    0xd503241f, 0xd503245f, 0xd503233f, 0xd50323bf, 0xd503237f, 0xd50320ff, 0xd50322df, 0xd5032fff, // BTI, PAC*, XPACLRI, CLRBHB, HINT #127
  ];
  it('NOP, YIELD, DGH, ESB, PSB, TSB, CSDB, BTI, the PAC hints, XPACLRI, CLRBHB and unallocated hints do nothing', () => {
    const r = run(hints, { setup: (c) => {
      for (let i = 0; i < 31; i++) c.x[i] = BigInt(i) * 0x1111n + 0xdead_0000_0000n;
    } });
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.pc).toBe(BASE + BigInt(4 * hints.length));
    for (let i = 0; i < 31; i++) expect(r.cpu.x[i]).toBe(BigInt(i) * 0x1111n + 0xdead_0000_0000n);
    expect(r.cpu.insnCount).toBe(hints.length);
  });

  it('WFI and WFE complete when nothing traps them', () => {
    const r = run([W.wfi, W.wfe]);
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.pc).toBe(BASE + 8n);
  });

  it('WFI traps to EL2 with HCR_EL2.TWI (EC 0x01, CV = 1, COND = 0xe, TI = 0), PC = the WFI', () => {
    const r = run([W.nop, W.wfi], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TWI) });
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe(0x07e0_0000n);
    expect(r.cpu.pc).toBe(BASE + 4n);
  });

  it('WFE traps to EL2 with HCR_EL2.TWE (TI = 1), from EL0 too', () => {
    const r = run([W.wfe], { el0: true, setup: (c) => {
      c.sys[SysReg.HCR_EL2] = HCR.TWE;
      c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.nTWE;
    } });
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe(0x07e0_0001n);
  });

  it('WFI does not trap while an interrupt is pending; WFE does not trap after SEVL or SEV', () => {
    const wfiPending = run([W.wfi], { max: 1, setup: (c) => {
      c.sys[SysReg.HCR_EL2] = HCR.TWI;
      c.irqLine = true; // masked by PSTATE.I, still a WFI wake-up event
    } });
    expect(wfiPending.stop).toBe(Stop.Budget);
    expect(wfiPending.cpu.pc).toBe(BASE + 4n);
    for (const sev of [W.sevl, W.sev]) {
      const r = run([sev, W.wfe, W.wfe], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TWE) });
      expect(r.stop).toBe(Stop.TrapEl2); // the second WFE finds the event register clear
      expect(r.cpu.pc).toBe(BASE + 8n);
    }
  });

  it('at EL0, WFI/WFE trap to EL1 when SCTLR_EL1.nTWI/nTWE = 0, before any EL2 trap', () => {
    let r = run([W.wfi], { el0: true, setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TWI) });
    expect(vector(r)).toBe(0x400);
    expect(esr(r.cpu)).toBe(0x07e0_0000n);
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(BASE);
    r = run([W.wfe], { el0: true });
    expect(vector(r)).toBe(0x400);
    expect(esr(r.cpu)).toBe(0x07e0_0001n);
    r = run([W.wfi], { el0: true, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.nTWI) });
    expect(r.stop).toBe(Stop.Budget);
  });
});

describe('barriers', () => {
  it('DSB, DMB, ISB, SB, SSBB and PSSBB complete', () => {
    const words = [W.dsbSy, W.dmbIsh, W.isb, W.sb, W.ssbb, W.pssbb];
    const r = run(words);
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.pc).toBe(BASE + BigInt(4 * words.length));
    expect(findEncoding(W.sb)?.name).toBe('SB');
  });

  it('CLREX opens the local exclusive monitor', () => {
    const r = run([W.clrex], { setup: (c) => {
      c.exclAddr = BASE + 0x40n;
      c.exclSize = 8;
    } });
    expect(r.cpu.exclAddr).toBe(-1n);
  });

  it('DSB nXS (FEAT_XS not advertised) is UNDEFINED', () => {
    expect(findEncoding(W.dsbIshNxs)).toBeUndefined();
    expectUndef(run([W.dsbIshNxs]));
  });
});

describe('MSR (immediate)', () => {
  it('DAIFSet and DAIFClr', () => {
    let r = run([W.daifSet2], { setup: (c) => (c.daif = 0) });
    expect(r.cpu.daif).toBe(2);
    r = run([W.daifClrF]);
    expect(r.cpu.daif).toBe(0);
  });

  it('DAIFSet at EL0 traps to EL1 (EC 0x18) unless SCTLR_EL1.UMA = 1', () => {
    let r = run([W.daifSet2], { el0: true });
    expect(vector(r)).toBe(0x400);
    expect(ecOf(r.cpu)).toBe(Ec.SysReg);
    expect(issOf(r.cpu)).toBe(sysIss(0, 3, 4, 2, 6, 31, 0));
    expect(r.cpu.sys[SysReg.ELR_EL1]).toBe(BASE);
    r = run([W.daifSet2], { el0: true, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.UMA) });
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.daif).toBe(2);
  });

  it('SPSel selects the stack pointer at EL1 and is UNDEFINED at EL0', () => {
    const r = run([W.spsel0], { setup: (c) => {
      c.spEl[0] = 0x1234n;
    } });
    expect(r.cpu.spsel).toBe(0);
    expect(r.cpu.sp).toBe(0x1234n);
    expect(run([W.spsel0, W.spsel1]).cpu.spsel).toBe(1);
    expectUndef(run([W.spsel1], { el0: true }), 0x400);
  });

  it('PAN and UAO (EL1 only), DIT and SSBS (EL0 too)', () => {
    const r = run([W.panImm1, W.uaoImm1, W.ditImm1, W.ssbsImm1]);
    expect([r.cpu.pan, r.cpu.uao, r.cpu.dit, r.cpu.ssbs]).toEqual([1, 1, 1, 1]);
    expectUndef(run([W.panImm1], { el0: true }), 0x400);
    expectUndef(run([W.uaoImm1], { el0: true }), 0x400);
    const e0 = run([W.ditImm1, W.ssbsImm1], { el0: true });
    expect(e0.stop).toBe(Stop.Budget);
    expect([e0.cpu.dit, e0.cpu.ssbs]).toEqual([1, 1]);
  });

  it('a PAN write tells the memory port that controls changed', () => {
    const r = withPort((m) => new RecordingPort(m), [W.panImm1]);
    expect(r.port.controlChanges).toBe(1);
  });

  it('TCO (without MTE), CFINV/XAFLAG/AXFLAG (FlagM not advertised) are UNDEFINED', () => {
    for (const w of [W.cfinv, W.xaflag, W.axflag]) expectUndef(run([w]));
    expectUndef(run([W.tcoImm1], { setup: (c) => setMteLevel(c, 0) }));
  });
});

describe('system instructions', () => {
  it('DC ZVA zeroes the aligned block containing Xt', () => {
    expect(DCZVA_BLOCK_BYTES).toBe(64);
    const block = 0x2000;
    const r = run([W.dcZva], { setup: (c, mem) => {
      mem.bytes.fill(0xff, block - 16, block + 64 + 16);
      c.x[1] = BASE + BigInt(block + 0x23);
    } });
    const bytes = r.mem.bytes;
    expect(bytes[block - 1]).toBe(0xff);
    expect([...bytes.subarray(block, block + 64)].every((b) => b === 0)).toBe(true);
    expect(bytes[block + 64]).toBe(0xff);
  });

  it('DC ZVA at EL0 traps to EL1 unless SCTLR_EL1.DZE = 1; DCZID_EL0.DZP follows', () => {
    let r = run([W.mrsDczid, W.dcZva], { el0: true, setup: (c) => (c.x[1] = BASE + 0x2000n) });
    expect(r.cpu.x[0]).toBe(0x14n); // DZP = 1, BS = 4
    expect(vector(r)).toBe(0x400);
    expect(ecOf(r.cpu)).toBe(Ec.SysReg);
    expect(issOf(r.cpu)).toBe(sysIss(1, 3, 7, 4, 1, 1, 0));
    r = run([W.mrsDczid, W.dcZva], { el0: true, setup: (c, mem) => {
      c.x[1] = BASE + 0x2000n;
      c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.DZE;
      mem.bytes.fill(0xff, 0x2000, 0x2040);
    } });
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.x[0]).toBe(0x4n);
    expect(r.mem.bytes[0x2000]).toBe(0);
  });

  it('DC ZVA traps to EL2 with HCR_EL2.TDZ', () => {
    const r = run([W.mrsDczid, W.dcZva], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TDZ) });
    expect(r.cpu.x[0]).toBe(0x14n);
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe((0x18n << 26n) | (1n << 25n) | BigInt(sysIss(1, 3, 7, 4, 1, 1, 0)));
    expect(r.cpu.pc).toBe(BASE + 4n);
  });

  it('a DC ZVA outside memory is a data abort with FAR = Xt, not the block address (found by fuzz/, as QEMU 10)', () => {
    // FAR_ELx for a fault of a DC instruction holds the address in its register argument (AArch64.DataMemZero
    // aborts with regval), also when Xt is not aligned to the block.
    const r = run([W.dcZva], { setup: (c) => (c.x[1] = 0x1000_0013n) });
    expect(vector(r)).toBe(0x200);
    expect(ecOf(r.cpu)).toBe(Ec.DataAbortSame);
    expect(r.cpu.sys[SysReg.FAR_EL1]).toBe(0x1000_0013n);
  });

  it('cache maintenance completes without effect at EL1', () => {
    const words = [W.dcCivac, W.dcCvac, W.dcCvau, W.dcIvac, W.dcIsw, W.dcCsw, W.dcCvap, W.dcCvadp, W.icIvau,
      W.icIallu, W.icIalluis];
    const r = withPort((m) => new RecordingPort(m), words, { setup: (c) => (c.x[1] = 0x1234_5678n) });
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.pc).toBe(BASE + BigInt(4 * words.length));
    expect(r.port.tlbis).toEqual([]);
    expect(r.port.zeroed).toEqual([]);
  });

  it('EL0 cache maintenance: by-VA clean/invalidate to PoC/PoU needs SCTLR_EL1.UCI; DC IVAC, set/way and IC IALLU are UNDEFINED', () => {
    for (const [w, crm, op2] of [[W.dcCivac, 14, 1], [W.dcCvac, 10, 1], [W.dcCvau, 11, 1], [W.icIvau, 5, 1]] as const) {
      const r = run([w], { el0: true });
      expect(vector(r)).toBe(0x400);
      expect(issOf(r.cpu)).toBe(sysIss(1, 3, 7, crm, op2, 1, 0));
      expect(run([w], { el0: true, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.UCI) }).stop).toBe(Stop.Budget);
    }
    for (const w of [W.dcIvac, W.dcIsw, W.icIallu, W.icIalluis]) {
      expectUndef(run([w], { el0: true, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.UCI) }), 0x400);
    }
  });

  it('HCR_EL2.TSW, TPCP and TPU trap cache maintenance to EL2', () => {
    const cases: [number, bigint][] = [[W.dcIsw, HCR.TSW], [W.dcCivac, HCR.TPCP], [W.dcIvac, HCR.TPCP],
      [W.dcCvap, HCR.TPCP], [W.dcCvau, HCR.TPU], [W.icIallu, HCR.TPU], [W.icIvau, HCR.TPU]];
    for (const [w, bit] of cases) {
      const r = run([w], { setup: (c) => (c.sys[SysReg.HCR_EL2] = bit) });
      expect(r.stop).toBe(Stop.TrapEl2);
      expect(Number(r.cpu.el2.esr >> 26n)).toBe(Ec.SysReg);
      expect(r.cpu.pc).toBe(BASE);
    }
    expect(run([W.dcIsw], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TPCP) }).stop).toBe(Stop.Budget);
  });

  it('DC GVA/GZVA and the tag cache maintenance (DC IGVAC: MTE2, CGVAC: MTE) are UNDEFINED without their MTE level', () => {
    for (const w of [W.dcGva, W.dcGzva, W.dcIgvac, 0xd50b7a61 /* dc cgvac, x1 */]) {
      expectUndef(run([w], { setup: (c) => setMteLevel(c, 0) }));
    }
    expectUndef(run([W.dcIgvac], { setup: (c) => setMteLevel(c, 1) }));
    expect(run([0xd50b7a61], { setup: (c) => setMteLevel(c, 1) }).stop).toBe(Stop.Budget);
  });

  it('TLBI forwards the operation name and Xt to the memory port', () => {
    const words = [W.tlbiVmalle1, W.tlbiVmalle1is, W.tlbiVae1, W.tlbiVae1is, W.tlbiAside1, W.tlbiAside1is,
      W.tlbiVaae1, W.tlbiVaae1is, W.tlbiVale1, W.tlbiVale1is, W.tlbiVaale1, W.tlbiVaale1is];
    const r = withPort((m) => new RecordingPort(m), words, { setup: (c) => (c.x[1] = 0xabcdn) });
    expect(r.port.tlbis).toEqual([
      ['vmalle1', 0n], ['vmalle1is', 0n], ['vae1', 0xabcdn], ['vae1is', 0xabcdn], ['aside1', 0xabcdn],
      ['aside1is', 0xabcdn], ['vaae1', 0xabcdn], ['vaae1is', 0xabcdn], ['vale1', 0xabcdn], ['vale1is', 0xabcdn],
      ['vaale1', 0xabcdn], ['vaale1is', 0xabcdn],
    ]);
  });

  it('HCR_EL2.FB upgrades local TLBIs to Inner Shareable; HCR_EL2.TTLB traps them to EL2', () => {
    const fb = withPort((m) => new RecordingPort(m), [W.tlbiVmalle1, W.tlbiVae1is],
      { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.FB) });
    expect(fb.port.tlbis.map(([n]) => n)).toEqual(['vmalle1is', 'vae1is']);
    const t = withPort((m) => new RecordingPort(m), [W.tlbiVae1], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TTLB) });
    expect(t.stop).toBe(Stop.TrapEl2);
    expect(t.cpu.el2.esr).toBe((0x18n << 26n) | (1n << 25n) | BigInt(sysIss(1, 0, 8, 7, 1, 1, 0)));
    expect(t.port.tlbis).toEqual([]);
  });

  it('TLBI is UNDEFINED at EL0, and the EL2, OS, range and nXS forms are UNDEFINED', () => {
    expectUndef(run([W.tlbiVmalle1], { el0: true }), 0x400);
    for (const w of [W.tlbiAlle2, W.tlbiVmalle1os, W.tlbiRvae1, W.tlbiVmalle1nxs]) expectUndef(run([w]));
  });

  it('AT uses MemoryPort.translateForAt when present and writes PAR_EL1', () => {
    class AtPort extends RecordingPort {
      readonly ats: [bigint, number][] = [];
      translateForAt(va: bigint, flags: number): bigint {
        this.ats.push([va, flags]);
        return (va & ~0xfffn) | 0x800n | BigInt(flags);
      }
    }
    const words = [W.atS1e1r, W.atS1e1w, W.atS1e0r, W.atS1e0w, W.mrsPar];
    const r = withPort((m) => new AtPort(m), words, { setup: (c) => (c.x[1] = 0x1234_5678n) });
    expect(r.port.ats).toEqual([
      [0x1234_5678n, 0], [0x1234_5678n, Acc.Write], [0x1234_5678n, Acc.Unpriv], [0x1234_5678n, Acc.Unpriv | Acc.Write],
    ]);
    expect(r.cpu.x[0]).toBe(0x1234_5800n | BigInt(Acc.Unpriv | Acc.Write));
  });

  it('AT without translateForAt reports a failed translation (PAR_EL1.F = 1)', () => {
    const r = run([W.atS1e1r, W.mrsPar], { setup: (c) => (c.x[1] = BASE) });
    expect(r.cpu.x[0]).toBe(1n);
  });

  it('AT is UNDEFINED at EL0; AT S1E1RP (PAN2) and AT S12E1R (EL2) are UNDEFINED', () => {
    expectUndef(run([W.atS1e1r], { el0: true }), 0x400);
    expectUndef(run([W.atS1e1rp]));
    expectUndef(run([W.atS12e1r]));
  });

  it('IMPLEMENTATION DEFINED SYS encodings are UNDEFINED, or trapped to EL2 by HCR_EL2.TIDCP; SYSL is UNDEFINED', () => {
    expectUndef(run([W.sysImpDef]));
    const r = run([W.sysImpDef], { setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TIDCP) });
    expect(r.stop).toBe(Stop.TrapEl2);
    expect(r.cpu.el2.esr).toBe((0x18n << 26n) | (1n << 25n) | BigInt(sysIss(1, 0, 11, 0, 0, 1, 0)));
    expectUndef(run([W.sysImpDef], { el0: true, setup: (c) => (c.sys[SysReg.HCR_EL2] = HCR.TIDCP) }), 0x400);
    expect(findEncoding(W.sysl)).toBeUndefined();
    expectUndef(run([W.sysl]));
  });
});
