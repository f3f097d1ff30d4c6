import { describe, expect, it } from 'vitest';
import type { Cpu } from './cpu.js';
import { Ec, Stop } from './exits.js';
import { FEAT, IMPL } from './impl-defined.js';
import type { MemoryPort } from './ports.js';
import { setMteLevel } from './mte.js';
import { HCR, isIdSpaceKey, newSysRegFile, SCTLR, SYSREG_DEFS, SysReg, sysRegByKey, sysRegKey } from './sysregs.js';
import { FlatMemory } from './testing/flat-memory.js';
import { findEncoding } from './decode-a64.js';
import { BASE, run, vector } from './testing/vector-stop.js';

// Instruction words from aarch64-linux-gnu-as -march=armv8.8-a+memtag+predres+sb+ssbs+flagm; objdump -d.
const W = {
  nop: 0xd503201f,
  mrsNzcv: 0xd53b4200, msrNzcv: 0xd51b4201,
  mrsDaif: 0xd53b4220, msrDaif: 0xd51b4221,
  mrsCurrentEl: 0xd5384240, msrCurrentEl: 0xd5184241,
  mrsSpsel: 0xd5384200, msrSpsel: 0xd5184201,
  mrsPan: 0xd5384260, msrPan: 0xd5184261,
  mrsUao: 0xd5384280, msrUao: 0xd5184281,
  mrsLorsa: 0xd538a400, msrLorsa: 0xd518a401, mrsLorc: 0xd538a460, msrLorc: 0xd518a461,
  mrsLorid: 0xd538a4e0, msrLorid: 0xd518a4e1,
  mrsDit: 0xd53b42a0, msrDit: 0xd51b42a1,
  mrsSsbs: 0xd53b42c0, msrSsbs: 0xd51b42c1,
  mrsTco: 0xd53b42e0,
  mrsElr: 0xd5384020, msrElr: 0xd5184021,
  mrsSpsr: 0xd5384000, msrSpsr: 0xd5184001,
  mrsSpEl0: 0xd5384100, msrSpEl0: 0xd5184101,
  mrsSpEl1: 0xd53c4100, msrSpEl1: 0xd51c4101,
  mrsFpcr: 0xd53b4400, mrsFpsr: 0xd53b4420,
  mrsDspsr: 0xd53b4500,
  mrsMidr: 0xd5380000, msrMidr: 0xd5180001,
  mrsMpidr: 0xd53800a0,
  mrsRevidr: 0xd53800c0, mrsAidr: 0xd53900e0,
  mrsPfr0: 0xd5380400, mrsPfr1: 0xd5380420, mrsIsar1: 0xd5380620, mrsMmfr2: 0xd5380740,
  mrsIdC3_7: 0xd53803e0, mrsIdC7_7: 0xd53807e0, mrsIdPfr0: 0xd5380100, msrIdC3_7: 0xd51803e1,
  mrsC0_1: 0xd5380020, // s3_0_c0_c0_1: not in the ID space rule (CRm = 0)
  mrsCtr: 0xd53b0020, mrsDczid: 0xd53b00e0,
  mrsSctlr: 0xd5381000, msrSctlr: 0xd5181001,
  msrTcr: 0xd5182041, msrTtbr0: 0xd5182001, msrTtbr1: 0xd5182021, msrMair: 0xd518a201,
  mrsTpidrEl1: 0xd538d080, msrTpidrEl1: 0xd518d081,
  mrsTpidrEl0: 0xd53bd040, msrTpidrEl0: 0xd51bd041,
  mrsTpidrroEl0: 0xd53bd060, msrTpidrroEl0: 0xd51bd061,
  mrsHcr: 0xd53c1100, msrHcr: 0xd51c1101,
  mrsVbar: 0xd538c000, msrVbar: 0xd518c001,
  mrsCntfrq: 0xd53be000, msrCntfrq: 0xd51be001,
  mrsCntvct: 0xd53be040, mrsCntpct: 0xd53be020,
  msrCntvTval: 0xd51be301, mrsCntvTval: 0xd53be300, mrsCntvCval: 0xd53be340,
  msrCntvCtl: 0xd51be321, mrsCntvCtl: 0xd53be320,
  msrCntpTval: 0xd51be201, mrsCntpCtl: 0xd53be220, msrCntpCtl: 0xd51be221, mrsCntpCval: 0xd53be240,
  mrsGcr: 0xd53810c0, mrsGmid: 0xd5390080,
  mrsImpDef: 0xd538b000, // s3_0_c11_c0_0
  mrsImpDef15: 0xd539f200, // s3_1_c15_c2_0
  mrsPmcr: 0xd53b9c00, mrsIccSre: 0xd538cca0, mrsApiaKeyLo: 0xd5382100,
  msrOslar: 0xd5101081, mrsOslsr: 0xd5301180, mrsOsdlr: 0xd5301380,
  mrsClidr: 0xd5390020, msrCsselr: 0xd51a0001, mrsCcsidr: 0xd5390000,
  mrsEsr: 0xd5385200, mrsFar: 0xd5386000, mrsPar: 0xd5387400,
  mrsCntkctl: 0xd538e100, msrCntkctl: 0xd518e101,
  mrsMdscr: 0xd5300240,
  msrActlr: 0xd5181021,
  mrsClaimClr: 0xd53079c0, msrClaimSet: 0xd51078c1, msrClaimClr: 0xd51079c1,
};


const mrsWord = (key: number, rt: number) => (0xd520_0000 | (key << 5) | rt) >>> 0;
const msrWord = (key: number, rt: number) => (0xd500_0000 | (key << 5) | rt) >>> 0;
const keyOf = (name: keyof typeof SysReg) => {
  const r = SYSREG_DEFS[SysReg[name]]!;
  return sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2);
};

const esr = (cpu: Cpu) => cpu.sys[SysReg.ESR_EL1]!;

function expectUndef(r: { cpu: Cpu; stop: number }, from = 0x200): void {
  expect(vector(r)).toBe(from);
  expect(esr(r.cpu)).toBe(0x0200_0000n);
}

/** EC 0x18 ESR for op0, op1, CRn, CRm, op2, Rt, direction (1 = MRS). */
const sysEsr = (op0: number, op1: number, crn: number, crm: number, op2: number, rt: number, read: number) =>
  (0x18n << 26n) | (1n << 25n) |
  BigInt((op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read);

/** Expect a trap to EL2 with this ESR_EL2, at the first instruction. */
function expectEl2Trap(r: { cpu: Cpu; stop: number }, esrEl2: bigint, pc = BASE): void {
  expect(r.stop).toBe(Stop.TrapEl2);
  expect(r.cpu.el2.esr).toBe(esrEl2);
  expect(r.cpu.pc).toBe(pc);
}

const field = (v: bigint, lsb: number) => Number((v >> BigInt(lsb)) & 0xfn);

describe('the register table', () => {
  it('has unique names and encodings, and looks registers up by key', () => {
    const names = new Set(SYSREG_DEFS.map((r) => r.name));
    expect(names.size).toBe(SYSREG_DEFS.length);
    SYSREG_DEFS.forEach((r, i) => {
      expect(sysRegByKey(sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2))).toBe(i);
      expect(SysReg[r.name]).toBe(i);
    });
    expect(sysRegByKey(sysRegKey(3, 3, 4, 4, 0))).toBe(SysReg.FPCR);
    expect(sysRegByKey(sysRegKey(3, 3, 4, 4, 2))).toBe(-1); // unallocated
  });

  it('packs keys as MRS/MSR bits [20:5] (checked against assembled words)', () => {
    expect(mrsWord(keyOf('TPIDR_EL1'), 0)).toBe(W.mrsTpidrEl1);
    expect(msrWord(keyOf('TPIDR_EL1'), 1)).toBe(W.msrTpidrEl1);
    expect(mrsWord(keyOf('MDSCR_EL1'), 0)).toBe(W.mrsMdscr);
    expect(msrWord(keyOf('HCR_EL2'), 1)).toBe(W.msrHcr);
    expect(mrsWord(keyOf('CNTV_CTL_EL0'), 0)).toBe(W.mrsCntvCtl);
  });

  it('resets every register to its table value', () => {
    const regs = newSysRegFile();
    SYSREG_DEFS.forEach((r, i) => expect(regs[i]).toBe(r.reset));
    expect(regs[SysReg.SCTLR_EL1]).toBe(0x30d0_0800n);
    expect(regs[SysReg.VPIDR_EL2]).toBe(IMPL.MIDR_EL1);
    expect(regs[SysReg.VMPIDR_EL2]).toBe(IMPL.MPIDR_EL1);
  });

  it('recognises the ID register space op0=3, op1=0, CRn=0, CRm=1..7', () => {
    expect(isIdSpaceKey(sysRegKey(3, 0, 0, 1, 0))).toBe(true);
    expect(isIdSpaceKey(sysRegKey(3, 0, 0, 7, 7))).toBe(true);
    expect(isIdSpaceKey(sysRegKey(3, 0, 0, 0, 1))).toBe(false);
    expect(isIdSpaceKey(sysRegKey(3, 0, 0, 8, 0))).toBe(false);
    expect(isIdSpaceKey(sysRegKey(3, 1, 0, 1, 0))).toBe(false);
    expect(isIdSpaceKey(sysRegKey(2, 0, 0, 1, 0))).toBe(false);
  });
});

describe('ID registers advertise what the model implements', () => {
  it('PFR0: AArch64 EL0-EL2, no EL3, FP/AdvSIMD with FP16, no SVE, no GIC system registers, DIT, CSV2/CSV3', () => {
    const v = IMPL.ID_AA64PFR0_EL1;
    expect([field(v, 0), field(v, 4), field(v, 8), field(v, 12)]).toEqual([1, 1, 1, 0]);
    expect([field(v, 16), field(v, 20)]).toEqual([1, 1]);
    expect([field(v, 24), field(v, 28), field(v, 32)]).toEqual([0, 0, 0]);
    expect([field(v, 48), field(v, 56), field(v, 60)]).toEqual([1, 1, 1]);
  });

  it('PFR1: no BTI, SSBS with MRS/MSR, MTE = 3 (FEAT_MTE3) by default with MTE_frac = 0', () => {
    const v = IMPL.ID_AA64PFR1_EL1;
    expect([field(v, 0), field(v, 4), field(v, 8), field(v, 40)]).toEqual([0, 2, 3, 0]);
  });

  it('the SIMD&FP features advertised decode, the others do not', () => {
    const i0 = IMPL.ID_AA64ISAR0_EL1;
    const i1 = IMPL.ID_AA64ISAR1_EL1;
    // field, expected value, a word of the feature (GNU as), whose decoding the field promises
    const advertised: [bigint, number, number, number, string][] = [
      [i0, 4, 2, 0x0ee0e000, 'pmull v0.1q, v0.1d, v0.1d (AES = 2)'],
      [i0, 4, 2, 0x4e284800, 'aese v0.16b, v0.16b'],
      [i0, 8, 1, 0x5e000000, 'sha1c q0, s0, v0.4s'],
      [i0, 12, 2, 0xce608000, 'sha512h q0, q0, v0.2d (SHA2 = 2)'],
      [i0, 28, 1, 0x2e808400, 'sqrdmlah v0.2s, v0.2s, v0.2s'],
      [i0, 32, 1, 0xce000000, 'eor3 v0.16b, v0.16b, v0.16b, v0.16b'],
      [i0, 44, 1, 0x0e809400, 'sdot v0.2s, v0.8b, v0.8b'],
      [i0, 48, 1, 0x0e20ec00, 'fmlal v0.2s, v0.2h, v0.2h'],
      [i1, 12, 1, 0x1e7e0000, 'fjcvtzs w0, d0'],
      [i1, 16, 1, 0x2e80c400, 'fcmla v0.2s, v0.2s, v0.2s, #0'],
      [i1, 32, 1, 0x1e284000, 'frint32z s0, s0'],
      [i1, 44, 1, 0x1e634000, 'bfcvt h0, s0'],
      [i1, 52, 1, 0x4e80a400, 'smmla v0.4s, v0.16b, v0.16b'],
    ];
    for (const [reg, lsb, value, word, what] of advertised) {
      expect(field(reg, lsb), what).toBe(value);
      expect(findEncoding(word), what).toBeDefined();
    }
    // SM3 [39:36] and SM4 [43:40] are 0: SM3SS1 and SM4E are UNDEFINED.
    expect([field(i0, 36), field(i0, 40)]).toEqual([0, 0]);
    expect(findEncoding(0xce400000)).toBeUndefined();
    expect(findEncoding(0xcec08400)).toBeUndefined();
  });

  it('ISAR0/1/2: LSE atomics, CRC32, SB, DPB2; no pointer authentication, no FlagM, no HBC', () => {
    expect(field(IMPL.ID_AA64ISAR0_EL1, 16)).toBe(1);
    expect(field(IMPL.ID_AA64ISAR0_EL1, 20)).toBe(2);
    expect(field(IMPL.ID_AA64ISAR0_EL1, 52)).toBe(0);
    const i1 = IMPL.ID_AA64ISAR1_EL1;
    expect([field(i1, 0), field(i1, 4), field(i1, 8), field(i1, 24), field(i1, 28), field(i1, 36)]).toEqual([2, 0, 0, 0, 0, 1]);
    expect(IMPL.ID_AA64ISAR2_EL1).toBe(0n);
  });

  it('MMFR1.PAN = 1, MMFR1.LO = 1, MMFR2.UAO = 1, MMFR2.E0PD = 1; DFR0: Armv8 debug, no PMU', () => {
    expect(field(IMPL.ID_AA64MMFR1_EL1, 20)).toBe(1);
    expect(field(IMPL.ID_AA64MMFR1_EL1, 16)).toBe(1);
    expect(field(IMPL.ID_AA64MMFR2_EL1, 4)).toBe(1);
    expect(field(IMPL.ID_AA64MMFR2_EL1, 60)).toBe(1);
    expect(IMPL.ID_AA64MMFR2_EL1 & ~0xf000_0000_0000_00f0n).toBe(0n);
    expect(field(IMPL.ID_AA64DFR0_EL1, 0)).toBe(6);
    expect(field(IMPL.ID_AA64DFR0_EL1, 8)).toBe(0);
  });

  it('the feature flags follow the ID registers', () => {
    expect(FEAT).toMatchObject({ PAN: true, PAN2: false, UAO: true, LOR: true, DIT: true, SSBS: true, SSBS2: true, MTE: true,
      MTE2: true, BTI: false, SB: true, DPB: true, DPB2: true, FlagM: false, HBC: false, PAuth: false });
  });

  it('MRS reads the ID registers at EL1', () => {
    const r = run([W.mrsPfr0, 0xd5380421 /* mrs x1, id_aa64pfr1_el1 */]);
    expect(r.cpu.x[0]).toBe(IMPL.ID_AA64PFR0_EL1);
    expect(r.cpu.x[1]).toBe(IMPL.ID_AA64PFR1_EL1);
  });
});

describe('MRS/MSR round trips', () => {
  const masked: Record<string, bigint> = { CSSELR_EL1: 0xfn, OSDLR_EL1: 1n };
  // DBGBVR<n>_EL1 and DBGWVR<n>_EL1: bits [1:0] are RES0.
  for (const r of SYSREG_DEFS) if (/^DBG[BW]VR\d_EL1$/.test(r.name)) masked[r.name] = ~3n & 0xffff_ffff_ffff_ffffn;
  const special = new Set(['DBGCLAIMCLR_EL1']);
  const plain = SYSREG_DEFS.filter((r) => r.minEl <= 1 && !('readOnly' in r) && !('writeOnly' in r) &&
    !('live' in r) && !('feat' in r) && !special.has(r.name));

  it('covers the plain EL1 registers', () => {
    expect(plain.map((r) => r.name)).toEqual(expect.arrayContaining(['SCTLR_EL1', 'TCR_EL1', 'TTBR0_EL1', 'MAIR_EL1',
      'VBAR_EL1', 'ELR_EL1', 'SPSR_EL1', 'TPIDR_EL0', 'TPIDR_EL1', 'CNTKCTL_EL1', 'MDSCR_EL1', 'CNTV_CVAL_EL0']));
  });

  for (const r of plain) {
    it(`${r.name}`, () => {
      const key = sysRegKey(r.op0, r.op1, r.crn, r.crm, r.op2);
      const value = 0x0123_4567_89ab_cdefn ^ BigInt(key);
      const { cpu, stop } = run([msrWord(key, 1), mrsWord(key, 0)], { setup: (c) => (c.x[1] = value) });
      expect(stop).toBe(Stop.Budget);
      expect(cpu.x[0]).toBe(value & (masked[r.name] ?? 0xffff_ffff_ffff_ffffn));
      expect(cpu.sys[SysReg[r.name]]).toBe(value & (masked[r.name] ?? 0xffff_ffff_ffff_ffffn));
    });
  }

  it('MSR XZR writes zero, MRS XZR discards', () => {
    const r = run([0xd518d09f /* msr tpidr_el1, xzr */, 0xd538d09f /* mrs xzr, tpidr_el1 */], {
      setup: (c) => (c.sys[SysReg.TPIDR_EL1] = 5n) });
    expect(r.cpu.sys[SysReg.TPIDR_EL1]).toBe(0n);
  });
});

describe('special-purpose registers', () => {
  it('NZCV, DAIF, SPSel, PAN, DIT, SSBS read and write PSTATE', () => {
    const r = run([W.msrNzcv, W.mrsNzcv], { setup: (c) => (c.x[1] = 0xffff_ffff_ffff_ffffn) });
    expect(r.cpu.nzcv).toBe(0xf);
    expect(r.cpu.x[0]).toBe(0xf000_0000n);
    const d = run([W.msrDaif, W.mrsDaif], { setup: (c) => (c.x[1] = 0x140n) });
    expect(d.cpu.daif).toBe(5);
    expect(d.cpu.x[0]).toBe(0x140n);
    const s = run([W.msrSpsel, W.mrsSpsel], { setup: (c) => (c.x[1] = 0n) });
    expect(s.cpu.spsel).toBe(0);
    expect(s.cpu.x[0]).toBe(0n);
    for (const [msr, mrs, bit, get] of [
      [W.msrPan, W.mrsPan, 22n, (c: Cpu) => c.pan],
      [W.msrDit, W.mrsDit, 24n, (c: Cpu) => c.dit],
      [W.msrSsbs, W.mrsSsbs, 12n, (c: Cpu) => c.ssbs],
    ] as const) {
      const p = run([msr, mrs], { setup: (c) => (c.x[1] = 1n << bit) });
      expect(get(p.cpu)).toBe(1);
      expect(p.cpu.x[0]).toBe(1n << bit);
    }
  });

  it('CurrentEL reads the EL and is read-only; UNDEFINED at EL0', () => {
    expect(run([W.mrsCurrentEl]).cpu.x[0]).toBe(4n);
    expectUndef(run([W.msrCurrentEl]));
    expectUndef(run([W.mrsCurrentEl], { el0: true }), 0x400);
  });

  it('NZCV is accessible at EL0; DAIF at EL0 only with SCTLR_EL1.UMA (else EC 0x18 to EL1)', () => {
    const n = run([W.mrsNzcv], { el0: true, setup: (c) => (c.nzcv = 6) });
    expect(n.stop).toBe(Stop.Budget);
    expect(n.cpu.x[0]).toBe(0x6000_0000n);
    const d = run([W.mrsDaif], { el0: true });
    expect(vector(d)).toBe(0x400);
    expect(esr(d.cpu)).toBe(sysEsr(3, 3, 4, 2, 1, 0, 1));
    const ok = run([W.mrsDaif], { el0: true, setup: (c) => {
      c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.UMA;
      c.daif = 3;
    } });
    expect(ok.cpu.x[0]).toBe(0xc0n);
  });

  it('MRS/MSR UAO move PSTATE.UAO at EL1 and are UNDEFINED at EL0', () => {
    const r = run([W.msrUao, W.mrsUao], { setup: (c) => (c.x[1] = 1n << 23n) });
    expect([r.cpu.uao, r.cpu.x[0]]).toEqual([1, 1n << 23n]);
    expectUndef(run([W.mrsUao], { el0: true }), 0x400);
  });

  it('LORegions (FEAT_LOR, none implemented): LORID_EL1 = 0, the controls read zero and ignore writes', () => {
    const r = run([W.msrLorsa, W.msrLorc, W.mrsLorsa, 0xd538a461 /* mrs x1, lorc_el1 */, 0xd538a4e2 /* mrs x2, lorid_el1 */],
      { setup: (c) => {
        c.x[0] = 0x55n;
        c.x[1] = 0xffff_0001n;
        c.x[2] = 0x77n;
      } });
    expect([r.cpu.x[0], r.cpu.x[1], r.cpu.x[2]]).toEqual([0n, 0n, 0n]);
    expectUndef(run([W.msrLorid]));
    expectUndef(run([W.mrsLorsa], { el0: true }), 0x400);
    expectUndef(run([W.mrsLorid], { el0: true }), 0x400);
  });

  it('HCR_EL2.TLOR traps the LOR registers to EL2', () => {
    const tlor = (c: Cpu) => (c.sys[SysReg.HCR_EL2] = HCR.TLOR);
    expectEl2Trap(run([W.mrsLorsa], { setup: tlor }), sysEsr(3, 0, 10, 4, 0, 0, 1));
    expectEl2Trap(run([W.msrLorc], { setup: tlor }), sysEsr(3, 0, 10, 4, 3, 1, 0));
    expectEl2Trap(run([W.mrsLorid], { setup: tlor }), sysEsr(3, 0, 10, 4, 7, 0, 1));
  });

  it('TCO (without MTE) and DSPSR_EL0 (Debug state) are UNDEFINED; FPCR/FPSR are SIMD&FP-trapped, not UNDEFINED', () => {
    expectUndef(run([W.mrsDspsr]));
    for (const w of [W.mrsFpcr, W.mrsFpsr]) expect(run([w]).cpu.sys[SysReg.ESR_EL1]! >> 26n).toBe(0x07n); // CPACR_EL1.FPEN = 0
    expectUndef(run([W.mrsTco], { setup: (c) => setMteLevel(c, 0) }));
  });

  it('ELR_EL1 and SPSR_EL1 at EL1; UNDEFINED at EL0', () => {
    const r = run([W.msrElr, W.mrsElr], { setup: (c) => (c.x[1] = 0xffff_0000_1234_5678n) });
    expect(r.cpu.x[0]).toBe(0xffff_0000_1234_5678n);
    expectUndef(run([W.mrsElr], { el0: true }), 0x400);
    expectUndef(run([W.msrSpsr], { el0: true }), 0x400);
  });

  it('SP_EL0 is the EL0 stack pointer, UNDEFINED while PSTATE.SP = 0 and at EL0', () => {
    const r = run([W.msrSpEl0, W.mrsSpEl0], { setup: (c) => (c.x[1] = 0x8888n) });
    expect(r.cpu.spEl[0]).toBe(0x8888n);
    expect(r.cpu.x[0]).toBe(0x8888n);
    expectUndef(run([W.mrsSpEl0], { setup: (c) => (c.spsel = 0) }), 0);
    expectUndef(run([W.msrSpEl0], { setup: (c) => (c.spsel = 0) }), 0);
    expectUndef(run([W.mrsSpEl0], { el0: true }), 0x400);
  });

  it('SP_EL1 is an EL2 register: UNDEFINED at EL1', () => {
    expectUndef(run([W.mrsSpEl1]));
    expectUndef(run([W.msrSpEl1]));
  });
});

describe('access rules', () => {
  it('EL2 registers are UNDEFINED from EL1', () => {
    expectUndef(run([W.mrsHcr]));
    expectUndef(run([W.msrHcr]));
  });

  it('EL1 registers are UNDEFINED from EL0', () => {
    for (const w of [W.mrsSctlr, W.msrSctlr, W.msrVbar, W.mrsMidr, W.mrsPfr0, W.mrsTpidrEl1, W.mrsCntkctl]) {
      expectUndef(run([w], { el0: true }), 0x400);
    }
  });

  it('MSR to a read-only register is UNDEFINED', () => {
    for (const w of [W.msrMidr, W.msrCurrentEl, W.msrCntfrq, 0xd51b0021 /* msr ctr_el0 encoding, x1 */]) {
      expectUndef(run([w]));
    }
  });

  it('unimplemented encodings are UNDEFINED: PMU, GIC, PAuth keys, MTE registers (MTE < 2), CRm = 0 holes', () => {
    for (const w of [W.mrsPmcr, W.mrsIccSre, W.mrsApiaKeyLo, W.mrsC0_1]) expectUndef(run([w]));
    for (const level of [0, 1]) {
      for (const w of [W.mrsGcr, W.mrsGmid]) expectUndef(run([w], { setup: (c) => setMteLevel(c, level) }));
    }
  });

  it('the unassigned ID space reads as zero at EL1, MSR there is UNDEFINED, and EL0 reads are UNDEFINED', () => {
    const r = run([W.mrsIdC3_7, 0xd53807e1 /* mrs x1, s3_0_c0_c7_7 */, 0xd5380102 /* mrs x2, id_pfr0_el1 */], {
      setup: (c) => {
        c.x[0] = 1n;
        c.x[1] = 1n;
        c.x[2] = 1n;
      },
    });
    expect(r.stop).toBe(Stop.Budget);
    expect([r.cpu.x[0], r.cpu.x[1], r.cpu.x[2]]).toEqual([0n, 0n, 0n]);
    // Every unassigned encoding of the space reads as zero.
    for (let crm = 1; crm <= 7; crm++) {
      for (let op2 = 0; op2 < 8; op2++) {
        const key = sysRegKey(3, 0, 0, crm, op2);
        const id = sysRegByKey(key);
        const { cpu, stop } = run([mrsWord(key, 3)], { setup: (c) => (c.x[3] = 0xdeadn) });
        expect(stop).toBe(Stop.Budget);
        expect(cpu.x[3]).toBe(id < 0 ? 0n : SYSREG_DEFS[id]!.reset);
      }
    }
    expectUndef(run([W.msrIdC3_7]));
    expectUndef(run([W.mrsIdC7_7], { el0: true }), 0x400);
  });

  it('HCR_EL2.TID3 traps ID space reads (assigned or not) to EL2', () => {
    const tid3 = (c: Cpu) => (c.sys[SysReg.HCR_EL2] = HCR.TID3);
    expectEl2Trap(run([W.mrsPfr0], { setup: tid3 }), sysEsr(3, 0, 0, 4, 0, 0, 1));
    expectEl2Trap(run([W.mrsIdC3_7], { setup: tid3 }), sysEsr(3, 0, 0, 3, 7, 0, 1));
    expect(run([W.mrsMidr], { setup: tid3 }).stop).toBe(Stop.Budget);
  });

  it('MIDR_EL1 and MPIDR_EL1 read VPIDR_EL2 and VMPIDR_EL2', () => {
    const r = run([W.mrsMidr, 0xd53800a1 /* mrs x1, mpidr_el1 */], { setup: (c) => {
      c.sys[SysReg.VPIDR_EL2] = 0x411f_d070n;
      c.sys[SysReg.VMPIDR_EL2] = 0x8000_0003n;
    } });
    expect(r.cpu.x[0]).toBe(0x411f_d070n);
    expect(r.cpu.x[1]).toBe(0x8000_0003n);
    expect(run([W.mrsMidr]).cpu.x[0]).toBe(IMPL.MIDR_EL1);
  });

  it('HCR_EL2.TID1, TID2, TACR, TVM and TRVM trap to EL2', () => {
    const hcr = (v: bigint) => (c: Cpu) => (c.sys[SysReg.HCR_EL2] = v);
    expectEl2Trap(run([W.mrsRevidr], { setup: hcr(HCR.TID1) }), sysEsr(3, 0, 0, 0, 6, 0, 1));
    expectEl2Trap(run([W.mrsAidr], { setup: hcr(HCR.TID1) }), sysEsr(3, 1, 0, 0, 7, 0, 1));
    expectEl2Trap(run([W.mrsCtr], { setup: hcr(HCR.TID2) }), sysEsr(3, 3, 0, 0, 1, 0, 1));
    expectEl2Trap(run([W.mrsClidr], { setup: hcr(HCR.TID2) }), sysEsr(3, 1, 0, 0, 1, 0, 1));
    expectEl2Trap(run([W.msrCsselr], { setup: hcr(HCR.TID2) }), sysEsr(3, 2, 0, 0, 0, 1, 0));
    expectEl2Trap(run([W.msrActlr], { setup: hcr(HCR.TACR) }), sysEsr(3, 0, 1, 0, 1, 1, 0));
    expectEl2Trap(run([W.msrSctlr], { setup: hcr(HCR.TVM) }), sysEsr(3, 0, 1, 0, 0, 1, 0));
    expect(run([W.mrsSctlr], { setup: hcr(HCR.TVM) }).stop).toBe(Stop.Budget);
    expectEl2Trap(run([W.mrsEsr], { setup: hcr(HCR.TRVM) }), sysEsr(3, 0, 5, 2, 0, 0, 1));
    expect(run([W.msrTtbr0], { setup: hcr(HCR.TRVM) }).stop).toBe(Stop.Budget);
    expect(run([W.mrsTpidrEl1], { setup: hcr(0xffff_ffffn & ~HCR.HCD) }).stop).toBe(Stop.Budget);
  });

  it('HCR_EL2.TIDCP traps EL1 accesses to IMPLEMENTATION DEFINED encodings; otherwise they are UNDEFINED', () => {
    expectUndef(run([W.mrsImpDef]));
    expectUndef(run([W.mrsImpDef15]));
    const tidcp = (c: Cpu) => (c.sys[SysReg.HCR_EL2] = HCR.TIDCP);
    expectEl2Trap(run([W.mrsImpDef], { setup: tidcp }), sysEsr(3, 0, 11, 0, 0, 0, 1));
    expectEl2Trap(run([W.mrsImpDef15], { setup: tidcp }), sysEsr(3, 1, 15, 2, 0, 0, 1));
    expectUndef(run([W.mrsImpDef], { el0: true, setup: tidcp }), 0x400);
  });

  it('CTR_EL0 at EL0 needs SCTLR_EL1.UCT (else EC 0x18 to EL1); DCZID_EL0 is always readable', () => {
    const t = run([W.mrsCtr], { el0: true });
    expect(vector(t)).toBe(0x400);
    expect(esr(t.cpu)).toBe(sysEsr(3, 3, 0, 0, 1, 0, 1));
    expect(t.cpu.sys[SysReg.ELR_EL1]).toBe(BASE);
    const ok = run([W.mrsCtr, 0xd53b00e1 /* mrs x1, dczid_el0 */], { el0: true, setup: (c) => {
      c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | SCTLR.UCT | SCTLR.DZE;
    } });
    expect(ok.cpu.x[0]).toBe(IMPL.CTR_EL0);
    expect(ok.cpu.x[1]).toBe(IMPL.DCZID_EL0);
  });

  it('TPIDR_EL0 is read/write at EL0; TPIDRRO_EL0 is read-only at EL0 and read/write at EL1', () => {
    const r = run([W.msrTpidrEl0, W.mrsTpidrEl0, 0xd53bd062 /* mrs x2, tpidrro_el0 */], { el0: true, setup: (c) => {
      c.x[1] = 77n;
      c.sys[SysReg.TPIDRRO_EL0] = 99n;
    } });
    expect(r.stop).toBe(Stop.Budget);
    expect(r.cpu.x[0]).toBe(77n);
    expect(r.cpu.x[2]).toBe(99n);
    expectUndef(run([W.msrTpidrroEl0], { el0: true }), 0x400);
    const e1 = run([W.msrTpidrroEl0, W.mrsTpidrroEl0], { setup: (c) => (c.x[1] = 5n) });
    expect(e1.cpu.x[0]).toBe(5n);
  });

  it('writes to SCTLR_EL1, TCR_EL1, TTBR0/1_EL1 and MAIR_EL1 tell the memory port', () => {
    class Port implements MemoryPort {
      changes = 0;
      constructor(readonly inner: FlatMemory) {}
      read(va: bigint, size: number, flags: number) { return this.inner.read(va, size, flags); }
      write(va: bigint, size: number, value: bigint, flags: number) { this.inner.write(va, size, value, flags); }
      fetch(va: bigint) { return this.inner.fetch(va); }
      controlChanged() { this.changes++; }
      tlbi() {}
      zeroBlock(va: bigint, size: number) { this.inner.zeroBlock(va, size); }
      readTag(va: bigint, flags: number) { return this.inner.readTag(va, flags); }
      writeTag(va: bigint, tag: number, flags: number) { this.inner.writeTag(va, tag, flags); }
    }
    let port: Port | undefined;
    run([W.msrSctlr, W.msrTcr, W.msrTtbr0, W.msrTtbr1, W.msrMair, W.msrTpidrEl1, W.msrVbar], {
      setup: (c, mem) => (c.mem = port = new Port(mem)),
    });
    expect(port!.changes).toBe(5);
  });
});

describe('generic timer registers', () => {
  it('CNTFRQ_EL0 reads the configured frequency and is not writable from EL1', () => {
    expect(run([W.mrsCntfrq]).cpu.x[0]).toBe(IMPL.CNTFRQ_EL0);
    expectUndef(run([W.msrCntfrq]));
  });

  it('CNTVCT_EL0 counts retired instructions, less CNTVOFF_EL2', () => {
    const r = run([W.mrsCntvct, W.nop, W.nop, 0xd53be041 /* mrs x1, cntvct_el0 */, 0xd53be022 /* mrs x2, cntpct_el0 */], {
      setup: (c) => (c.sys[SysReg.CNTVOFF_EL2] = 1n) });
    expect(BigInt.asUintN(64, r.cpu.x[1]! - r.cpu.x[0]!)).toBe(3n);
    expect(r.cpu.x[2]).toBe(r.cpu.x[1]! + 2n);
  });

  it('EL0 counter and timer accesses follow CNTKCTL_EL1; EL1 physical accesses follow CNTHCTL_EL2', () => {
    const t = run([W.mrsCntvct], { el0: true });
    expect(vector(t)).toBe(0x400);
    expect(esr(t.cpu)).toBe(sysEsr(3, 3, 14, 0, 2, 0, 1));
    expect(run([W.mrsCntvct, W.mrsCntfrq], { el0: true, setup: (c) => (c.sys[SysReg.CNTKCTL_EL1] = 2n) }).stop)
      .toBe(Stop.Budget);
    expect(vector(run([W.mrsCntpct], { el0: true, setup: (c) => (c.sys[SysReg.CNTKCTL_EL1] = 2n) }))).toBe(0x400);
    expect(vector(run([W.mrsCntvCtl], { el0: true, setup: (c) => (c.sys[SysReg.CNTKCTL_EL1] = 3n) }))).toBe(0x400);
    expect(run([W.mrsCntvCtl], { el0: true, setup: (c) => (c.sys[SysReg.CNTKCTL_EL1] = 1n << 8n) }).stop)
      .toBe(Stop.Budget);
    const noPct = (c: Cpu) => (c.sys[SysReg.CNTHCTL_EL2] = 0n);
    expectEl2Trap(run([W.mrsCntpct], { setup: noPct }), sysEsr(3, 3, 14, 0, 1, 0, 1));
    expectEl2Trap(run([W.mrsCntpCtl], { setup: noPct }), sysEsr(3, 3, 14, 2, 1, 0, 1));
    expect(run([W.mrsCntvct], { setup: noPct }).stop).toBe(Stop.Budget);
  });

  it('TVAL writes set CVAL relative to the count; CTL.ISTATUS reports the condition', () => {
    // msr cntv_tval_el0, x1 (count 0: CVAL = 2); mrs x0, cntv_ctl_el0 (disabled: ISTATUS 0);
    // msr cntv_ctl_el0, x3 (enable); mrs x4, cntv_ctl_el0 (count 3 >= 2); mrs x5, cntv_cval_el0; mrs x6, cntv_tval_el0
    const words = [W.msrCntvTval, W.mrsCntvCtl, 0xd51be323, 0xd53be324, 0xd53be345, 0xd53be306];
    const r = run(words, { setup: (c) => {
      c.x[1] = 2n;
      c.x[3] = 0xfdn;
    } });
    expect(r.cpu.x[0]).toBe(0n);
    expect(r.cpu.x[4]).toBe(5n); // ENABLE | ISTATUS, IMASK 0 (the write kept only bits [1:0])
    expect(r.cpu.x[5]).toBe(2n);
    expect(r.cpu.x[6]).toBe(0xffff_fffdn); // CVAL - 5 as a 32-bit value
    // A negative TVAL is sign-extended: CVAL = count - 2, which wraps (the comparison is unsigned).
    const n = run([W.msrCntvTval, W.mrsCntvCval], { setup: (c) => (c.x[1] = 0xffff_fffen) });
    expect(n.cpu.x[0]).toBe(0xffff_ffff_ffff_fffen);
    const p = run([W.msrCntpTval, W.msrCntpCtl, W.mrsCntpCtl, W.mrsCntpCval], { setup: (c) => (c.x[1] = 1000n) });
    expect(p.cpu.x[0]).toBe(1000n); // mrs x0, cntp_cval_el0 (the last word) overwrote x0
  });
});

describe('debug and cache identification registers', () => {
  it('the OS lock: OSLSR_EL1 resets locked; OSLAR_EL1 (write-only) unlocks it', () => {
    expect(run([W.mrsOslsr]).cpu.x[0]).toBe(0xan);
    const r = run([W.msrOslar, W.mrsOslsr], { setup: (c) => (c.x[1] = 0n) });
    expect(r.cpu.x[0]).toBe(0x8n);
    expectUndef(run([0xd5301080 /* mrs x0, oslar_el1 encoding */]));
    expectUndef(run([0xd5101181 /* msr oslsr_el1 encoding, x1 */]));
    expect(run([W.mrsOsdlr]).cpu.x[0]).toBe(0n);
  });

  it('the claim tags: DBGCLAIMSET_EL1 sets, DBGCLAIMCLR_EL1 reads and clears', () => {
    const r = run([W.msrClaimSet, W.mrsClaimClr, W.msrClaimClr, 0xd53079c2 /* mrs x2, dbgclaimclr_el1 */],
      { setup: (c) => (c.x[1] = 0x1_0005n) });
    expect(r.cpu.x[0]).toBe(5n);
    expect(r.cpu.x[2]).toBe(0n);
  });

  it('CCSIDR_EL1 describes the cache CSSELR_EL1 selects; CLIDR_EL1 the hierarchy', () => {
    const read = (sel: bigint) => run([W.msrCsselr, W.mrsCcsidr], { setup: (c) => (c.x[1] = sel) }).cpu.x[0];
    expect(read(0n)).toBe(IMPL.CCSIDR_L1);
    expect(read(1n)).toBe(IMPL.CCSIDR_L1);
    expect(read(2n)).toBe(IMPL.CCSIDR_L2);
    expect(read(4n)).toBe(0n);
    expect(run([W.mrsClidr]).cpu.x[0]).toBe(IMPL.CLIDR_EL1);
  });

  it('ESR_EL1, FAR_EL1 and PAR_EL1 are readable at EL1', () => {
    const r = run([W.mrsEsr, 0xd5386001 /* mrs x1, far_el1 */, 0xd5387402 /* mrs x2, par_el1 */], { setup: (c) => {
      c.sys[SysReg.ESR_EL1] = 0x5600_0000n;
      c.sys[SysReg.FAR_EL1] = 0x1234n;
      c.sys[SysReg.PAR_EL1] = 0x800n;
    } });
    expect([r.cpu.x[0], r.cpu.x[1], r.cpu.x[2]]).toEqual([0x5600_0000n, 0x1234n, 0x800n]);
  });

  it('reports EC 0x18 with Ec.SysReg', () => {
    expect(Ec.SysReg).toBe(0x18);
  });
});
