/**
 * The MTE instructions (insn/mte.ts), DC GVA/GZVA, MSR/MRS TCO, the MTE registers and PSTATE.TCO on exception
 * entry and return. Instruction words are from aarch64-linux-gnu-as -march=armv8.5-a+memtag. The "QEMU" vectors
 * were recorded with a static test program under qemu-aarch64 10.0.2 -cpu max (linux-user, tagged address ABI
 * with PR_MTE_TCF_SYNC and include mask 0xfffe, so GCR_EL1.Exclude = 0x0001; memory from mmap(PROT_MTE)).
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { Ec, Stop } from '../exits.js';
import { MTE_BITS } from '../mte.js';
import { Acc, Fsc } from '../ports.js';
import { SysReg } from '../sysregs.js';
import { FlatMemory } from '../testing/flat-memory.js';
import { chooseNonExcludedTag, randomTag } from './mte.js';

const BASE = 0x4000_0000n;
const VBAR = BASE + 0x800n;
const DATA = BASE + 0x1_0000n;
const SP_TOP = BASE + 0x10_0000n - 16n;
const tagged = (va: bigint, tag: number) => (va & ~(0xfn << 56n)) | (BigInt(tag) << 56n);
const u64 = (v: bigint) => BigInt.asUintN(64, v);

/** FlatMemory with top-byte-ignore (tagged pointers reach the same bytes) that records every access. */
class TbiMemory extends FlatMemory {
  readonly log: { op: string; va: bigint; flags: number; tag?: number }[] = [];
  private static strip(va: bigint): bigint {
    return va & 0x00ff_ffff_ffff_ffffn;
  }
  override read(va: bigint, size: number, flags: number): bigint {
    this.log.push({ op: 'read', va, flags });
    return super.read(TbiMemory.strip(va), size, flags);
  }
  override write(va: bigint, size: number, value: bigint, flags: number): void {
    this.log.push({ op: `write${size}`, va, flags });
    super.write(TbiMemory.strip(va), size, value, flags);
  }
  override readTag(va: bigint, flags: number): number {
    this.log.push({ op: 'readTag', va, flags });
    return super.readTag(TbiMemory.strip(va), flags);
  }
  override writeTag(va: bigint, tag: number, flags: number): void {
    this.log.push({ op: 'writeTag', va, flags, tag });
    super.writeTag(TbiMemory.strip(va), tag, flags);
  }
  override probe(va: bigint, flags: number): void {
    this.log.push({ op: 'probe', va, flags });
    super.probe(TbiMemory.strip(va), flags);
  }
  tagAt(va: bigint): number {
    return this.tags.get(Number(TbiMemory.strip(va) - BASE) >> 4) ?? 0;
  }
  setTag(va: bigint, tag: number): void {
    this.tags.set(Number(TbiMemory.strip(va) - BASE) >> 4, tag);
  }
  byte(va: bigint): number {
    return this.bytes[Number(TbiMemory.strip(va) - BASE)]!;
  }
}

interface Opts {
  mte?: number;
  el0?: boolean;
  /** Allocation tag access enabled (HCR_EL2.ATA, SCTLR_EL1.ATA and ATA0); default true. */
  ata?: boolean;
  /** GCR_EL1; default 1 (Exclude = tag 0, as Linux's default include mask 0xfffe). */
  gcr?: bigint;
  x?: Record<number, bigint>;
  sp?: bigint;
  setup?: (cpu: Cpu, mem: TbiMemory) => void;
}

interface Result {
  cpu: Cpu;
  mem: TbiMemory;
  /** The exception taken to EL1, if any (the run stops at its vector). */
  exc?: { ec: number; iss: number; far: bigint; elr: bigint; vector: number };
  stop: number;
}

function exec(words: readonly number[], o: Opts = {}): Result {
  const mem = new TbiMemory(Number(BASE));
  mem.load(Number(BASE), words);
  const cpu = new Cpu(mem, o.mte === undefined ? {} : { mte: o.mte });
  const ata = o.ata ?? true;
  cpu.pc = BASE;
  cpu.spEl[1] = SP_TOP;
  cpu.spEl[0] = SP_TOP - 0x1000n;
  cpu.sys[SysReg.VBAR_EL1] = VBAR;
  cpu.sys[SysReg.HCR_EL2] = ata ? MTE_BITS.HCR_ATA : 0n;
  cpu.sys[SysReg.SCTLR_EL1] = cpu.sys[SysReg.SCTLR_EL1]! | (1n << 14n) | (ata ? MTE_BITS.SCTLR_ATA | MTE_BITS.SCTLR_ATA0 : 0n);
  cpu.sys[SysReg.TCR_EL1] = MTE_BITS.TCR_TBI0 | MTE_BITS.TCR_TBI1;
  cpu.sys[SysReg.GCR_EL1] = o.gcr ?? 1n;
  if (o.el0) {
    cpu.el = 0;
    cpu.spsel = 0;
    cpu.daif = 0;
  }
  for (const [r, v] of Object.entries(o.x ?? {})) cpu.x[Number(r)] = u64(v);
  if (o.sp !== undefined) cpu.setXs(31, o.sp);
  o.setup?.(cpu, mem);
  mem.log.length = 0;
  let stop: number = Stop.Budget;
  for (let i = 0; i < words.length; i++) {
    stop = cpu.run(1);
    if (stop !== Stop.Budget) break;
    if (cpu.pc >= VBAR && cpu.pc < VBAR + 0x800n) {
      const esr = cpu.sys[SysReg.ESR_EL1]!;
      return { cpu, mem, stop, exc: { ec: Number(esr >> 26n) & 0x3f, iss: Number(esr & 0x1ff_ffffn),
        far: cpu.sys[SysReg.FAR_EL1]!, elr: cpu.sys[SysReg.ELR_EL1]!, vector: Number(cpu.pc - VBAR) } };
    }
  }
  return { cpu, mem, stop };
}

/** Run and expect no exception. */
function ok(words: readonly number[], o: Opts = {}): Result {
  const r = exec(words, o);
  expect(r.exc, `exception ${JSON.stringify(r.exc, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`).toBeUndefined();
  expect(r.stop).toBe(Stop.Budget);
  return r;
}

const W = {
  irg: 0x9ac31041, // irg x1, x2, x3
  irgSp: 0x9adf13ff, // irg sp, sp
  irgXzr: 0x9adf1041, // irg x1, x2
  gmi: 0x9ac31441, // gmi x1, x2, x3
  gmiSp: 0x9ac317e1, // gmi x1, sp, x3
  addg: 0x91810441, // addg x1, x2, #16, #1
  addg2: 0x91bf3c41, // addg x1, x2, #1008, #15
  addg0: 0x91800041, // addg x1, x2, #0, #0
  addgSp: 0x91bf3fff, // addg sp, sp, #1008, #15
  subg: 0xd1820841, // subg x1, x2, #32, #2
  subg7: 0xd1801c41, // subg x1, x2, #0, #7
  subp: 0x9ac30041, // subp x1, x2, x3
  subpSp: 0x9adf03e1, // subp x1, sp, sp
  subps: 0xbac30041, // subps x1, x2, x3
  cmpp: 0xbac3005f, // cmpp x2, x3
  stg: 0xd9200841, // stg x1, [x2]
  stg16: 0xd9201841, // stg x1, [x2, #16]
  stgM4096: 0xd9300841, // stg x1, [x2, #-4096]
  stg4080: 0xd92ff841, // stg x1, [x2, #4080]
  stgPre: 0xd9202c41, // stg x1, [x2, #32]!
  stgPost: 0xd93ff441, // stg x1, [x2], #-16
  stgSp: 0xd9200bff, // stg sp, [sp]
  stzg: 0xd9600841, // stzg x1, [x2]
  stzgPre: 0xd9602c41, // stzg x1, [x2, #32]!
  stzgPost: 0xd9601441, // stzg x1, [x2], #16
  st2g: 0xd9a00841, // st2g x1, [x2]
  st2gPre: 0xd9a02c41, // st2g x1, [x2, #32]!
  st2gPost: 0xd9bfe441, // st2g x1, [x2], #-32
  stz2g: 0xd9e00841, // stz2g x1, [x2]
  stz2gPre: 0xd9e02c41, // stz2g x1, [x2, #32]!
  stz2gPost: 0xd9e03441, // stz2g x1, [x2], #48
  stgp: 0x69000c41, // stgp x1, x3, [x2]
  stgp32: 0x69010c41, // stgp x1, x3, [x2, #32]
  stgpM1024: 0x69200c41, // stgp x1, x3, [x2, #-1024]
  stgp1008: 0x691f8c41, // stgp x1, x3, [x2, #1008]
  stgpPre: 0x69810c41, // stgp x1, x3, [x2, #32]!
  stgpPost: 0x68bf8c41, // stgp x1, x3, [x2], #-16
  ldg: 0xd9600041, // ldg x1, [x2]
  ldgM16: 0xd97ff041, // ldg x1, [x2, #-16]
  ldgSp: 0xd96ff3e1, // ldg x1, [sp, #4080]
  ldgm: 0xd9e00041, // ldgm x1, [x2]
  stgm: 0xd9a00041, // stgm x1, [x2]
  stzgm: 0xd9200041, // stzgm x1, [x2]
  dcGva: 0xd50b7461, // dc gva, x1
  dcGzva: 0xd50b7481, // dc gzva, x1
  tcoImm1: 0xd503419f, // msr tco, #1
  tcoImm0: 0xd503409f, // msr tco, #0
  mrsTco: 0xd53b42e1, // mrs x1, tco
  msrTco: 0xd51b42e1, // msr tco, x1
  mrsGcr: 0xd53810c1, // mrs x1, gcr_el1
  msrGcr: 0xd51810c1, // msr gcr_el1, x1
  mrsRgsr: 0xd53810a1, // mrs x1, rgsr_el1
  msrRgsr: 0xd51810a1, // msr rgsr_el1, x1
  mrsTfsr: 0xd5385601, // mrs x1, tfsr_el1
  msrTfsr: 0xd5185601, // msr tfsr_el1, x1
  mrsTfsre0: 0xd5385621, // mrs x1, tfsre0_el1
  mrsGmid: 0xd5390081, // mrs x1, gmid_el1
  svc: 0xd4000001, // svc #0
  eret: 0xd69f03e0, // eret
} as const;

const EL0_INSNS = [W.irg, W.irgSp, W.gmi, W.addg, W.subg, W.subp, W.subps, W.cmpp, W.stg, W.stzg, W.st2g, W.stz2g,
  W.stgp, W.stgpPre, W.stgpPost, W.ldg, W.dcGva, W.dcGzva, W.tcoImm1, W.mrsTco, W.msrTco];
const MTE2_EL1_INSNS = [W.ldgm, W.stgm, W.stzgm];
const ALL_REGS = { 1: tagged(DATA, 3), 2: DATA + 0x100n, 3: DATA };

describe('gating by ID_AA64PFR1_EL1.MTE and EL', () => {
  it('MTE = 0: every MTE instruction and TCO access is UNDEFINED, with no side effect', () => {
    for (const w of [...EL0_INSNS, ...MTE2_EL1_INSNS]) {
      const r = exec([w], { mte: 0, x: ALL_REGS });
      expect(r.exc?.ec, w.toString(16)).toBe(Ec.Unknown);
      expect(r.exc?.elr).toBe(BASE);
      expect(r.mem.log, w.toString(16)).toEqual([]);
      expect(r.cpu.x[1]).toBe(tagged(DATA, 3));
    }
  });

  it('MTE = 1: the FEAT_MTE instructions execute, LDGM/STGM/STZGM are UNDEFINED', () => {
    for (const w of EL0_INSNS) expect(exec([w], { mte: 1, x: ALL_REGS }).exc, w.toString(16)).toBeUndefined();
    for (const w of MTE2_EL1_INSNS) expect(exec([w], { mte: 1, x: ALL_REGS }).exc?.ec, w.toString(16)).toBe(Ec.Unknown);
  });

  it('MTE = 2 and 3: everything executes at EL1; LDGM/STGM/STZGM are UNDEFINED at EL0, the rest run at EL0', () => {
    for (const mte of [2, 3]) {
      for (const w of [...EL0_INSNS, ...MTE2_EL1_INSNS]) {
        expect(exec([w], { mte, x: ALL_REGS }).exc, w.toString(16)).toBeUndefined();
      }
      for (const w of EL0_INSNS) expect(exec([w], { mte, el0: true, x: ALL_REGS }).exc, w.toString(16)).toBeUndefined();
      for (const w of MTE2_EL1_INSNS) {
        const r = exec([w], { mte, el0: true, x: ALL_REGS });
        expect(r.exc?.ec, w.toString(16)).toBe(Ec.Unknown);
        expect(r.exc?.vector).toBe(0x400);
      }
    }
  });

  it('unallocated corners of the tag load/store class stay UNDEFINED (STGM/LDGM/STZGM with imm9 != 0)', () => {
    for (const w of [0xd9a01041, 0xd9e01041, 0xd9201041, 0x68000c41 /* STNP opc = 01 */]) {
      expect(exec([w], { x: ALL_REGS }).exc?.ec, w.toString(16)).toBe(Ec.Unknown);
    }
  });
});

describe('ADDG, SUBG', () => {
  // QEMU: for each start tag t of X2 = tag(0x1000, t): [addg #16,#1, addg #1008,#15, addg #0,#0, subg #32,#2,
  // subg #0,#7] with GCR_EL1.Exclude = 0x0001.
  const QEMU = `
    0 100000000001010 f000000000013f0 100000000001000 200000000000fe0 700000000001000
    1 200000000001010 1000000000013f0 100000000001000 300000000000fe0 800000000001000
    2 300000000001010 2000000000013f0 200000000001000 400000000000fe0 900000000001000
    3 400000000001010 3000000000013f0 300000000001000 500000000000fe0 a00000000001000
    4 500000000001010 4000000000013f0 400000000001000 600000000000fe0 b00000000001000
    5 600000000001010 5000000000013f0 500000000001000 700000000000fe0 c00000000001000
    6 700000000001010 6000000000013f0 600000000001000 800000000000fe0 d00000000001000
    7 800000000001010 7000000000013f0 700000000001000 900000000000fe0 e00000000001000
    8 900000000001010 8000000000013f0 800000000001000 a00000000000fe0 f00000000001000
    9 a00000000001010 9000000000013f0 900000000001000 b00000000000fe0 100000000001000
    10 b00000000001010 a000000000013f0 a00000000001000 c00000000000fe0 200000000001000
    11 c00000000001010 b000000000013f0 b00000000001000 d00000000000fe0 300000000001000
    12 d00000000001010 c000000000013f0 c00000000001000 e00000000000fe0 400000000001000
    13 e00000000001010 d000000000013f0 d00000000001000 f00000000000fe0 500000000001000
    14 f00000000001010 e000000000013f0 e00000000001000 100000000000fe0 600000000001000
    15 100000000001010 f000000000013f0 f00000000001000 200000000000fe0 700000000001000`;
  const rows = QEMU.trim().split('\n').map((l) => l.trim().split(/\s+/));

  it.each(rows)('start tag %s matches QEMU', (t, ...expected) => {
    const got = [W.addg, W.addg2, W.addg0, W.subg, W.subg7].map((w) =>
      ok([w], { x: { 2: tagged(0x1000n, Number(t)) } }).cpu.x[1]!.toString(16));
    expect(got).toEqual(expected);
  });

  it('keep bits [63:60] and [55:0] arithmetic, SP forms; tag 0 when tag access is disabled or MTE < 2', () => {
    const r = ok([W.addgSp], { sp: 0xa500_0000_0000_1000n, gcr: 0n });
    expect(r.cpu.spEl[1]).toBe(0xa400_0000_0000_13f0n); // 15 steps with nothing excluded: 5 + 15 = 4 (mod 16)
    expect(ok([W.addg], { x: { 2: 0xf3ff_ffff_ffff_fff0n } }).cpu.x[1]).toBe(0xf400_0000_0000_0000n); // carry into the tag bits is replaced
    for (const o of [{ ata: false }, { mte: 1 }]) {
      expect(ok([W.addg], { ...o, x: { 2: tagged(0x1000n, 7) } }).cpu.x[1]).toBe(0x1010n);
      expect(ok([W.subg], { ...o, x: { 2: tagged(0x1000n, 7) } }).cpu.x[1]).toBe(0xfe0n);
    }
  });

  it('all tags excluded gives tag 0', () => {
    expect(ok([W.addg], { gcr: 0xffffn, x: { 2: tagged(0x1000n, 7) } }).cpu.x[1]).toBe(0x1010n);
  });
});

describe('ChooseNonExcludedTag and RandomTag', () => {
  it('ChooseNonExcludedTag steps over excluded tags, modulo 16', () => {
    expect(chooseNonExcludedTag(5, 0, 0)).toBe(5);
    expect(chooseNonExcludedTag(5, 0, 0b10_0000)).toBe(6);
    expect(chooseNonExcludedTag(15, 1, 1)).toBe(1);
    expect(chooseNonExcludedTag(3, 2, 0b1_1000)).toBe(6); // 3 -> 5 -> 6 (4 excluded)
    expect(chooseNonExcludedTag(0, 15, 0xfffe)).toBe(0); // only 0 allowed
    expect(chooseNonExcludedTag(9, 3, 0xffff)).toBe(0);
  });
  it('RandomTag runs the RGSR_EL1.SEED LFSR four steps, collecting the new top bits', () => {
    expect(randomTag(1)).toEqual({ offset: 1, seed: 0x1000 }); // top = s0 = 1, then zeros
    expect(randomTag(0x1000)).toEqual({ offset: 0, seed: 0x0100 });
    expect(randomTag(0)).toEqual({ offset: 0, seed: 0 });
    // s = 0x002c: taps 1^1^1^0 = 1 → 0x8016; 0^0^1^0 = 1 → 0xc00b; 0^1^0^1 = 0 → 0x6005; 0^0^1^1 = 0 → 0x3002.
    expect(randomTag(0x002c)).toEqual({ offset: 0b0011, seed: 0x3002 });
  });
});

describe('IRG', () => {
  it('a single allowed tag is chosen deterministically (QEMU), all excluded gives 0', () => {
    for (let t = 0; t < 16; t++) {
      const r = ok([W.irg], { x: { 2: 0x12_3456_789an, 3: BigInt(0xffff & ~(1 << t)) } });
      // Tag 0 is also excluded by GCR_EL1, so t = 0 leaves nothing: tag 0.
      expect(r.cpu.x[1]).toBe(tagged(0x12_3456_789an, t));
    }
    expect(ok([W.irg], { x: { 2: tagged(0x1230n, 9), 3: 0xffffn } }).cpu.x[1]).toBe(0x1230n);
  });

  it('follows the RGSR_EL1 sequence with RRND = 0 and updates TAG and SEED', () => {
    const r = ok([W.irgXzr, W.irgXzr], { gcr: 0n, setup: (c) => (c.sys[SysReg.RGSR_EL1] = 0x0001_00n) });
    // First: offset 1 from TAG 0 → 1, seed 0x1000; second: offset 0 from TAG 1 → 1, seed 0x0100.
    expect(r.cpu.x[1]).toBe(tagged(0n, 1));
    expect(r.cpu.sys[SysReg.RGSR_EL1]).toBe(0x01_0001n);
    const one = ok([W.irg], { gcr: 0x1n, x: { 2: 0x4000n, 3: 0b10n },
      setup: (c) => (c.sys[SysReg.RGSR_EL1] = 0x002c_0fn) });
    // offset 3 from TAG 15, excluding 0 and 1: 2, 3, 4 → 4.
    expect(one.cpu.x[1]).toBe(tagged(0x4000n, 4));
    expect(one.cpu.sys[SysReg.RGSR_EL1]).toBe(0x30_0204n);
  });

  it('never returns an excluded tag (random seeds and masks) and writes Xd|SP', () => {
    let s = 12345;
    const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) >>> 8;
    for (let i = 0; i < 200; i++) {
      const exclude = rnd() & 0xffff;
      const xm = BigInt(rnd() & 0xffff);
      const r = ok([W.irg], { gcr: BigInt(exclude) | (BigInt(i & 1) << 16n), x: { 2: 0x5000n, 3: xm },
        setup: (c) => (c.sys[SysReg.RGSR_EL1] = BigInt((rnd() & 0xffff) << 8 | (rnd() & 15))) });
      const tag = Number(r.cpu.x[1]! >> 56n);
      const all = exclude | Number(xm);
      if ((all & 0xffff) === 0xffff) expect(tag).toBe(0);
      else expect((all >> tag) & 1, `exclude ${all.toString(16)} tag ${tag}`).toBe(0);
      expect(r.cpu.x[1]! & 0x00ff_ffff_ffff_ffffn).toBe(0x5000n);
    }
    const sp = ok([W.irgSp], { gcr: 0xfffbn, sp: 0x7000n });
    expect(sp.cpu.spEl[1]).toBe(tagged(0x7000n, 2));
  });

  it('RRND = 1 with SEED = 0 seeds the LFSR from the host (QEMU); SEED stays non-zero afterwards', () => {
    const r = ok([W.irgXzr, W.irgXzr], { gcr: (1n << 16n) | 1n, x: { 2: 0x5000n } });
    expect(r.cpu.sys[SysReg.RGSR_EL1]! >> 8n).not.toBe(0n);
    expect(Number(r.cpu.x[1]! >> 56n)).not.toBe(0);
  });

  it('tag access disabled or MTE = 1: tag 0, RGSR_EL1 unchanged', () => {
    for (const o of [{ ata: false }, { mte: 1 }]) {
      const r = ok([W.irg], { ...o, x: { 2: tagged(0x5000n, 9), 3: 0n }, setup: (c) => (c.sys[SysReg.RGSR_EL1] = 0x1234_05n) });
      expect(r.cpu.x[1]).toBe(0x5000n);
      expect(r.cpu.sys[SysReg.RGSR_EL1]).toBe(0x1234_05n);
    }
  });
});

describe('GMI, SUBP, SUBPS, CMPP (QEMU)', () => {
  it('GMI sets the bit of Xn\'s tag in Xm; Xn may be SP', () => {
    expect(ok([W.gmi], { x: { 2: tagged(0n, 7), 3: 0x100n } }).cpu.x[1]).toBe(0x180n);
    expect(ok([W.gmi], { x: { 2: 0xfff0_0000_0000_0000n, 3: 1n } }).cpu.x[1]).toBe(0x8001n);
    expect(ok([W.gmiSp], { sp: tagged(0x1000n, 3), x: { 3: 0n } }).cpu.x[1]).toBe(8n);
    expect(ok([W.gmi], { mte: 1, ata: false, x: { 2: tagged(0n, 2), 3: 0n } }).cpu.x[1]).toBe(4n);
  });

  it('SUBP/SUBPS subtract the sign-extended 56-bit addresses; SUBPS sets NZCV, CMPP discards the result', () => {
    const a = 0xff00_0000_0000_1000n;
    const b = 0x0a00_0000_0000_0ff0n;
    expect(ok([W.subp], { x: { 2: a, 3: b } }).cpu.x[1]).toBe(0x10n);
    const s = ok([W.subps], { x: { 2: a, 3: b } }).cpu;
    expect([s.x[1], s.nzcv]).toEqual([0x10n, 0x2]);
    const s2 = ok([W.subps], { x: { 2: 0x0080_0000_0000_0000n, 3: 1n } }).cpu;
    expect([s2.x[1], s2.nzcv]).toEqual([0xff7f_ffff_ffff_ffffn, 0xa]);
    const s3 = ok([W.subps], { x: { 2: 0x1200_0000_0000_00aan, 3: 0x3400_0000_0000_00aan } }).cpu;
    expect([s3.x[1], s3.nzcv]).toEqual([0n, 0x6]);
    const c = ok([W.cmpp], { x: { 2: 0x1000n, 3: 0x2000n } }).cpu;
    expect(c.nzcv).toBe(0x8);
    expect(ok([W.subpSp], { sp: tagged(0x1000n, 4) }).cpu.x[1]).toBe(0n);
  });
});

describe('STG, STZG, ST2G, STZ2G', () => {
  it('every addressing form: address, writeback, tag from Xt[59:56], unchecked tag writes', () => {
    const cases: [number, bigint, bigint | undefined, number][] = [
      // word, tagged granule, X2 after (undefined: unchanged), granules
      [W.stg, DATA + 0x100n, undefined, 1],
      [W.stg16, DATA + 0x110n, undefined, 1],
      [W.stgM4096, DATA + 0x100n - 4096n, undefined, 1],
      [W.stg4080, DATA + 0x100n + 4080n, undefined, 1],
      [W.stgPre, DATA + 0x120n, DATA + 0x120n, 1],
      [W.stgPost, DATA + 0x100n, DATA + 0xf0n, 1],
      [W.st2g, DATA + 0x100n, undefined, 2],
      [W.st2gPre, DATA + 0x120n, DATA + 0x120n, 2],
      [W.st2gPost, DATA + 0x100n, DATA + 0xe0n, 2],
    ];
    for (const [w, at, wb, granules] of cases) {
      const r = ok([w], { x: { 1: tagged(0x1234n, 0xb), 2: DATA + 0x100n } });
      expect(r.mem.tagAt(at), w.toString(16)).toBe(0xb);
      expect(r.mem.tagAt(at + 16n), w.toString(16)).toBe(granules === 2 ? 0xb : 0);
      expect(r.mem.tagAt(at - 16n)).toBe(0);
      expect(r.cpu.x[2]).toBe(wb ?? DATA + 0x100n);
      expect(r.mem.log.every((a) => a.op === 'writeTag' && a.flags === Acc.Write), w.toString(16)).toBe(true);
      expect(r.mem.log).toHaveLength(granules);
    }
  });

  it('the Z forms zero the data of each granule (unchecked 8-byte stores), then write the tag', () => {
    for (const [w, bytes, at] of [[W.stzg, 16, 0x100n], [W.stzgPre, 16, 0x120n], [W.stzgPost, 16, 0x100n],
      [W.stz2g, 32, 0x100n], [W.stz2gPre, 32, 0x120n], [W.stz2gPost, 32, 0x100n]] as const) {
      const r = ok([w], { x: { 1: tagged(0n, 6), 2: DATA + 0x100n }, setup: (_c, m) => m.bytes.fill(0xaa, 0x1_0000, 0x1_0400) });
      const off = Number(DATA - BASE + at);
      expect([...r.mem.bytes.subarray(off - 1, off + bytes + 1)]).toEqual([0xaa, ...new Array<number>(bytes).fill(0), 0xaa]);
      expect(r.mem.tagAt(DATA + at)).toBe(6);
      expect(r.mem.tagAt(DATA + at + 16n)).toBe(bytes === 32 ? 6 : 0);
      expect(r.mem.log.filter((a) => a.op === 'write8').every((a) => a.flags === Acc.Write)).toBe(true);
      expect(r.mem.log.map((a) => a.op)).toEqual([...new Array<string>(bytes / 8).fill('write8'), ...new Array<string>(bytes / 16).fill('writeTag')]);
    }
    const post = ok([W.stz2gPost], { x: { 1: 0n, 2: DATA + 0x100n } });
    expect(post.cpu.x[2]).toBe(DATA + 0x130n);
  });

  it('STG SP, [SP] takes the tag from SP', () => {
    const r = ok([W.stgSp], { sp: tagged(DATA + 0x200n, 9) });
    expect(r.mem.tagAt(DATA + 0x200n)).toBe(9);
  });

  it('a misaligned address is an Alignment fault (DFSC 0x21, WnR) before any access; no writeback', () => {
    for (const w of [W.stg, W.stzg, W.st2g, W.stz2gPre, W.stgPost]) {
      const r = exec([w], { x: { 1: tagged(0n, 1), 2: DATA + 0x108n } });
      expect(r.exc?.ec, w.toString(16)).toBe(Ec.DataAbortSame);
      expect(r.exc?.iss).toBe(0x40 | Fsc.Alignment);
      expect(r.exc?.far).toBe(DATA + 0x108n + (w === W.stz2gPre ? 32n : 0n));
      expect(r.mem.log).toEqual([]);
      expect(r.cpu.x[2]).toBe(DATA + 0x108n);
    }
  });

  it('an SP base is checked for alignment with SCTLR_EL1.SA', () => {
    const r = exec([W.stgSp], { sp: DATA + 0x208n, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | 8n) });
    expect(r.exc?.ec).toBe(Ec.SpAlign);
  });

  it('tag access disabled (or MTE = 1): no tag is written, the address is probed as a store; Z forms still zero', () => {
    for (const o of [{ ata: false }, { mte: 1 }]) {
      const r = ok([W.st2g], { ...o, x: { 1: tagged(0n, 5), 2: DATA + 0x100n } });
      expect(r.mem.tagAt(DATA + 0x100n)).toBe(0);
      expect(r.mem.log.map((a) => [a.op, a.va, a.flags])).toEqual([['probe', DATA + 0x100n, Acc.Write], ['probe', DATA + 0x110n, Acc.Write]]);
      const z = ok([W.stzg], { ...o, x: { 1: tagged(0n, 5), 2: DATA + 0x100n }, setup: (_c, m) => m.bytes.fill(1, 0x1_0100, 0x1_0110) });
      expect(z.mem.byte(DATA + 0x100n)).toBe(0);
      expect(z.mem.tagAt(DATA + 0x100n)).toBe(0);
      expect(exec([W.stg], { ...o, x: { 2: DATA + 0x101n } }).exc?.iss).toBe(0x40 | Fsc.Alignment);
    }
  });

  it('faults of the tag write are taken as data aborts (FlatMemory: out of range)', () => {
    const r = exec([W.stg], { x: { 1: 0n, 2: BASE + 0x20_0000n } });
    expect(r.exc?.ec).toBe(Ec.DataAbortSame);
    expect(r.exc?.iss).toBe(0x40 | Fsc.SyncExternal);
  });
});

describe('STGP', () => {
  it('stores the pair and the address tag in every form (QEMU: tag 0xc, data 0x1111, 0x2222)', () => {
    const cases: [number, bigint, bigint][] = [
      [W.stgp, 0x100n, 0x100n], [W.stgp32, 0x120n, 0x100n], [W.stgpM1024, 0x100n - 1024n, 0x100n],
      [W.stgp1008, 0x100n + 1008n, 0x100n], [W.stgpPre, 0x120n, 0x120n], [W.stgpPost, 0x100n, 0xf0n],
    ];
    for (const [w, at, wb] of cases) {
      const r = ok([w], { x: { 1: 0x1111n, 3: 0x2222n, 2: tagged(DATA + 0x100n, 0xc) } });
      expect(r.mem.read(DATA + at, 8, 0), w.toString(16)).toBe(0x1111n);
      expect(r.mem.read(DATA + at + 8n, 8, 0)).toBe(0x2222n);
      expect(r.mem.tagAt(DATA + at)).toBe(0xc);
      expect(r.cpu.x[2]).toBe(tagged(DATA + wb, 0xc));
      expect(r.mem.log.filter((a) => a.op !== 'read').map((a) => [a.op, a.flags]))
        .toEqual([['write8', Acc.Write], ['write8', Acc.Write], ['writeTag', Acc.Write]]);
    }
  });

  it('needs 16-byte alignment; with tag access disabled stores only the data', () => {
    const r = exec([W.stgp], { x: { 1: 1n, 3: 2n, 2: DATA + 0x108n } });
    expect(r.exc?.iss).toBe(0x40 | Fsc.Alignment);
    expect(r.mem.log).toEqual([]);
    const d = ok([W.stgp], { ata: false, x: { 1: 1n, 3: 2n, 2: tagged(DATA + 0x100n, 4) } });
    expect(d.mem.read(DATA + 0x108n, 8, 0)).toBe(2n);
    expect(d.mem.tagAt(DATA + 0x100n)).toBe(0);
  });
});

describe('LDG', () => {
  it('inserts the allocation tag into Xt[59:56], keeping the other bits; the address is aligned down (QEMU)', () => {
    const setup = (_c: Cpu, m: TbiMemory) => {
      m.setTag(DATA, 3);
      m.setTag(DATA + 0x20n, 5);
      m.setTag(DATA + 0x30n, 5);
    };
    expect(ok([W.ldg], { x: { 2: DATA, 1: 0n }, setup }).cpu.x[1]).toBe(0x0300_0000_0000_0000n);
    expect(ok([W.ldg], { x: { 2: DATA + 40n, 1: 0x1234n }, setup }).cpu.x[1]).toBe(0x0500_0000_0000_1234n);
    expect(ok([W.ldg], { x: { 2: DATA + 48n, 1: -1n }, setup }).cpu.x[1]).toBe(0xf5ff_ffff_ffff_ffffn);
    expect(ok([W.ldg], { x: { 2: DATA + 16n, 1: tagged(7n, 9) }, setup }).cpu.x[1]).toBe(7n);
    expect(ok([W.ldgM16], { x: { 2: DATA + 0x3fn, 1: 0n }, setup }).cpu.x[1]).toBe(0x0500_0000_0000_0000n); // 0x2f → 0x20
    const sp = ok([W.ldgSp], { sp: DATA + 0x30n - 4080n, setup });
    expect(sp.cpu.x[1]).toBe(0x0500_0000_0000_0000n);
    expect(sp.mem.log.map((a) => [a.op, a.va, a.flags])).toEqual([['readTag', DATA + 0x30n, 0]]);
  });

  it('with tag access disabled: translated (may fault), tag 0 inserted', () => {
    const r = ok([W.ldg], { ata: false, x: { 2: DATA, 1: tagged(0x55n, 9) }, setup: (_c, m) => m.setTag(DATA, 3) });
    expect(r.cpu.x[1]).toBe(0x55n);
    expect(r.mem.log.map((a) => a.op)).toEqual(['readTag']);
    const f = exec([W.ldg], { ata: false, x: { 2: BASE + 0x20_0000n } });
    expect(f.exc?.iss).toBe(Fsc.SyncExternal); // WnR = 0
  });
});

describe('LDGM, STGM, STZGM (FEAT_MTE2, EL1)', () => {
  const BLOCK = 256n; // GMID_EL1.BS = 6

  it('LDGM packs the 16 tags of the 256-byte block, granule i in bits [4i+3:4i]', () => {
    const r = ok([W.ldgm], { x: { 2: DATA + 0x1a8n }, setup: (_c, m) => {
      for (let i = 0; i < 16; i++) m.setTag(DATA + 0x100n + BigInt(16 * i), (i * 7 + 3) & 15);
      m.setTag(DATA + 0x200n, 0xf); // next block
    } });
    let expected = 0n;
    for (let i = 0; i < 16; i++) expected |= BigInt((i * 7 + 3) & 15) << BigInt(4 * i);
    expect(r.cpu.x[1]).toBe(expected);
    expect(r.mem.log.map((a) => a.va)).toEqual(Array.from({ length: 16 }, (_, i) => DATA + 0x100n + BigInt(16 * i)));
  });

  it('STGM writes them back from Xt; LDGM reads the same value (round trip)', () => {
    const v = 0xfedc_ba98_7654_3210n;
    const r = ok([W.stgm, W.ldgm], { x: { 1: v, 2: DATA + BLOCK + 0xffn } });
    for (let i = 0; i < 16; i++) expect(r.mem.tagAt(DATA + BLOCK + BigInt(16 * i))).toBe(i);
    expect(r.mem.tagAt(DATA + 2n * BLOCK)).toBe(0);
    expect(r.cpu.x[1]).toBe(v);
  });

  it('STZGM zeroes the 64-byte DCZID block and tags it with Xt[3:0]', () => {
    const r = ok([W.stzgm], { x: { 1: 0xf0an, 2: DATA + 0x1c8n }, setup: (_c, m) => m.bytes.fill(0xee, 0x1_0100, 0x1_0300) });
    const off = Number(DATA - BASE);
    expect([...r.mem.bytes.subarray(off + 0x1bf, off + 0x201)]).toEqual([0xee, ...new Array<number>(64).fill(0), 0xee]);
    for (let a = 0x1c0n; a < 0x200n; a += 16n) expect(r.mem.tagAt(DATA + a)).toBe(0xa);
    expect(r.mem.tagAt(DATA + 0x1b0n)).toBe(0);
    expect(r.mem.tagAt(DATA + 0x200n)).toBe(0);
  });

  it('tag access disabled: LDGM reads 0, STGM probes, STZGM only zeroes', () => {
    const setup = (_c: Cpu, m: TbiMemory) => m.setTag(DATA, 5);
    expect(ok([W.ldgm], { ata: false, x: { 1: 5n, 2: DATA }, setup }).cpu.x[1]).toBe(0n);
    const s = ok([W.stgm], { ata: false, x: { 1: -1n, 2: DATA }, setup });
    expect(s.mem.tagAt(DATA)).toBe(5);
    expect(s.mem.log.every((a) => a.op === 'probe' && a.flags === Acc.Write)).toBe(true);
    const z = ok([W.stzgm], { ata: false, x: { 1: 3n, 2: DATA }, setup: (c, m) => { setup(c, m); m.bytes.fill(1, 0x1_0000, 0x1_0040); } });
    expect(z.mem.tagAt(DATA)).toBe(5);
    expect(z.mem.byte(DATA + 0x3fn)).toBe(0);
    expect(z.mem.log.map((a) => a.op)).toEqual(new Array<string>(8).fill('write8'));
  });
});

describe('DC GVA, DC GZVA', () => {
  it('tag the 64-byte block containing Xt with Xt[59:56]; GZVA also zeroes it (QEMU, within the block)', () => {
    const g = ok([W.dcGva], { x: { 1: tagged(DATA + 0x208n, 0xa) }, setup: (_c, m) => m.bytes.fill(0x55, 0x1_0200, 0x1_0280) });
    for (let a = 0x200n; a < 0x240n; a += 16n) expect(g.mem.tagAt(DATA + a)).toBe(0xa);
    expect(g.mem.tagAt(DATA + 0x240n)).toBe(0);
    expect(g.mem.byte(DATA + 0x208n)).toBe(0x55);
    const z = ok([W.dcGzva], { x: { 1: tagged(DATA + 0x27fn, 0xb) }, setup: (_c, m) => m.bytes.fill(0x55, 0x1_0200, 0x1_0280) });
    expect(z.mem.tagAt(DATA + 0x240n)).toBe(0xb);
    expect(z.mem.tagAt(DATA + 0x270n)).toBe(0xb);
    expect(z.mem.tagAt(DATA + 0x230n)).toBe(0);
    expect([z.mem.byte(DATA + 0x23fn), z.mem.byte(DATA + 0x240n), z.mem.byte(DATA + 0x27fn)]).toEqual([0x55, 0, 0]);
  });

  it('EL0 needs SCTLR_EL1.DZE (else EC 0x18 to EL1); HCR_EL2.TDZ traps to EL2', () => {
    expect(ok([W.dcGva], { el0: true, x: { 1: tagged(DATA, 2) } }).mem.tagAt(DATA)).toBe(2);
    const t = exec([W.dcGzva], { el0: true, x: { 1: DATA }, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! & ~(1n << 14n)) });
    expect(t.exc?.ec).toBe(Ec.SysReg);
    const h = exec([W.dcGva], { x: { 1: DATA }, setup: (c) => (c.sys[SysReg.HCR_EL2] = c.sys[SysReg.HCR_EL2]! | (1n << 28n)) });
    expect(h.stop).toBe(Stop.TrapEl2);
    expect(Number(h.cpu.el2.esr >> 26n)).toBe(Ec.SysReg);
  });

  it('tag access disabled or MTE = 1: GVA probes, GZVA zeroes only', () => {
    for (const o of [{ ata: false }, { mte: 1 }]) {
      const g = ok([W.dcGva], { ...o, x: { 1: tagged(DATA, 2) } });
      expect(g.mem.tagAt(DATA)).toBe(0);
      expect(g.mem.log.map((a) => a.op)).toEqual(new Array<string>(4).fill('probe'));
      const z = ok([W.dcGzva], { ...o, x: { 1: tagged(DATA, 2) }, setup: (_c, m) => m.bytes.fill(1, 0x1_0000, 0x1_0040) });
      expect(z.mem.tagAt(DATA)).toBe(0);
      expect(z.mem.byte(DATA + 0x3fn)).toBe(0);
    }
  });
});

describe('tag cache maintenance (no cache model)', () => {
  const BY_VA = [0xd50b7a61, 0xd50b7aa1, 0xd50b7c61, 0xd50b7ca1, 0xd50b7d61, 0xd50b7da1, 0xd50b7e61, 0xd50b7ea1]; // dc cgvac ... cigdvac
  const EL1_ONLY = [0xd5087661, 0xd50876a1, 0xd5087681, 0xd50876c1, 0xd5087a81, 0xd5087ac1, 0xd5087e81, 0xd5087ec1]; // igvac, igdvac, set/way
  it('complete without effect; by-VA forms at EL0 need SCTLR_EL1.UCI; IG*VAC and set/way forms are EL1-only MTE2', () => {
    for (const w of BY_VA) {
      expect(ok([w], { mte: 1, x: { 1: DATA } }).mem.log, w.toString(16)).toEqual([]);
      expect(exec([w], { el0: true, x: { 1: DATA } }).exc?.ec).toBe(Ec.SysReg);
      expect(exec([w], { el0: true, x: { 1: DATA }, setup: (c) => (c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | (1n << 26n)) }).exc).toBeUndefined();
      expect(exec([w], { setup: (c) => (c.sys[SysReg.HCR_EL2] = c.sys[SysReg.HCR_EL2]! | (1n << 23n)) }).stop).toBe(Stop.TrapEl2);
    }
    for (const w of EL1_ONLY) {
      expect(ok([w], { mte: 2, x: { 1: DATA } }).mem.log).toEqual([]);
      expect(exec([w], { mte: 1 }).exc?.ec).toBe(Ec.Unknown);
      expect(exec([w], { el0: true }).exc?.ec).toBe(Ec.Unknown);
    }
    expect(exec([0xd5087681], { setup: (c) => (c.sys[SysReg.HCR_EL2] = c.sys[SysReg.HCR_EL2]! | (1n << 22n)) }).stop).toBe(Stop.TrapEl2);
  });
});

describe('the QEMU program, replayed', () => {
  it('STG/ST2G/STZG/STZ2G/LDG and the writeback forms give QEMU\'s results (STGP, DC G*VA: above)', () => {
    // b = DATA. QEMU printed: ldg 300000000000000 500000000001234 f5ffffffffffffff 7; stz 6.. 8.. 8.. 0 0;
    // stgwb 120 130 d.. e.. (STGP: tag c, 1111 2222; dcgva: a.. a.., data 0x55; dcgzva: b.. b.., data 0 0).
    const b = DATA;
    const words = [
      W.stg, // stg x1, [x2]: x1 = x2 = tag(b, 3)
      0xd9a00884, // st2g x4, [x4]: x4 = tag(b + 32, 5)
      0xd96008a5, // stzg x5, [x5]: x5 = tag(b + 64, 6)
      0xd9e008c6, // stz2g x6, [x6]: x6 = tag(b + 96, 8)
    ];
    const r = ok(words, {
      x: { 1: tagged(b, 3), 2: tagged(b, 3), 4: tagged(b + 32n, 5), 5: tagged(b + 64n, 6), 6: tagged(b + 96n, 8) },
      setup: (_c, m) => m.bytes.fill(0xaa, 0x1_0040, 0x1_0080),
    });
    const ldg = (va: bigint, x: bigint) => ok([W.ldg], { x: { 1: x, 2: va }, setup: (_c, m) => { m.tags.clear(); for (const [k, v] of r.mem.tags) m.tags.set(k, v); } }).cpu.x[1];
    expect([ldg(b, 0n), ldg(b + 40n, 0x1234n), ldg(b + 48n, -1n), ldg(b + 16n, tagged(7n, 9))])
      .toEqual([0x0300_0000_0000_0000n, 0x0500_0000_0000_1234n, 0xf5ff_ffff_ffff_ffffn, 7n]);
    expect([ldg(b + 64n, 0n), ldg(b + 96n, 0n), ldg(b + 112n, 0n)]).toEqual([0x06n << 56n, 0x08n << 56n, 0x08n << 56n]);
    expect([r.mem.byte(b + 64n), r.mem.byte(b + 127n)]).toEqual([0, 0]);
    const wb = ok([0xd9202441 /* stg x1, [x2], #32 */, 0xd93ffc83 /* stg x3, [x4, #-16]! */],
      { x: { 1: tagged(0n, 0xd), 2: b + 256n, 3: tagged(0n, 0xe), 4: b + 320n } });
    expect([wb.cpu.x[2]! - b, wb.cpu.x[4]! - b, BigInt(wb.mem.tagAt(b + 256n)), BigInt(wb.mem.tagAt(b + 304n))])
      .toEqual([0x120n, 0x130n, 0xdn, 0xen]);
  });
});

describe('MTE system registers', () => {
  it('GCR_EL1, RGSR_EL1, TFSR_EL1 read and write at EL1 (defined fields only); GMID_EL1 reads BS = 6', () => {
    const r = ok([W.msrGcr, 0xd53810c2 /* mrs x2, gcr_el1 */, W.msrRgsr, 0xd53810a3 /* mrs x3, rgsr_el1 */,
      W.msrTfsr, 0xd5385604 /* mrs x4, tfsr_el1 */, 0xd5390085 /* mrs x5, gmid_el1 */], { x: { 1: -1n } });
    expect([r.cpu.x[2], r.cpu.x[3], r.cpu.x[4], r.cpu.x[5]]).toEqual([0x1_ffffn, 0xff_ff0fn, 3n, 6n]);
    expect(ok([W.mrsTfsre0], { setup: (c) => (c.sys[SysReg.TFSRE0_EL1] = 2n) }).cpu.x[1]).toBe(2n);
  });

  it('are UNDEFINED at EL0 and with MTE < 2', () => {
    for (const w of [W.mrsGcr, W.msrGcr, W.mrsRgsr, W.msrRgsr, W.mrsTfsr, W.msrTfsr, W.mrsTfsre0, W.mrsGmid]) {
      expect(exec([w], { el0: true }).exc?.ec, w.toString(16)).toBe(Ec.Unknown);
      for (const mte of [0, 1]) expect(exec([w], { mte }).exc?.ec, w.toString(16)).toBe(Ec.Unknown);
    }
  });

  it('GCR/RGSR/TFSR/TFSRE0 trap to EL2 (EC 0x18) when HCR_EL2.ATA = 0; GMID_EL1 on HCR_EL2.TID5', () => {
    for (const w of [W.mrsGcr, W.msrGcr, W.mrsRgsr, W.msrRgsr, W.mrsTfsr, W.msrTfsr, W.mrsTfsre0]) {
      const r = exec([w], { setup: (c) => (c.sys[SysReg.HCR_EL2] = 0n) });
      expect(r.stop, w.toString(16)).toBe(Stop.TrapEl2);
      expect(Number(r.cpu.el2.esr >> 26n)).toBe(Ec.SysReg);
      expect(r.cpu.pc).toBe(BASE);
    }
    expect(exec([W.mrsGmid], { setup: (c) => (c.sys[SysReg.HCR_EL2] = 0n) }).cpu.x[1]).toBe(6n);
    expect(exec([W.mrsGmid], { setup: (c) => (c.sys[SysReg.HCR_EL2] = 1n << 58n) }).stop).toBe(Stop.TrapEl2);
  });
});

describe('PSTATE.TCO', () => {
  it('MSR TCO, #imm and MSR/MRS TCO work at EL0 and EL1 (bit 25)', () => {
    const r = ok([W.tcoImm1, W.mrsTco, 0xd53b42e2 /* mrs x2, tco */], { el0: true });
    expect([r.cpu.tco, r.cpu.x[1]]).toEqual([1, 1n << 25n]);
    expect(ok([W.tcoImm1, W.tcoImm0, W.mrsTco]).cpu.x[1]).toBe(0n);
    expect(ok([W.msrTco], { x: { 1: 1n << 25n } }).cpu.tco).toBe(1);
    expect(ok([W.msrTco], { x: { 1: ~(1n << 25n) }, setup: (c) => (c.tco = 1) }).cpu.tco).toBe(0);
  });

  it('is RAZ/WI with MTE = 1 and UNDEFINED with MTE = 0', () => {
    const r = ok([W.tcoImm1, W.msrTco, W.mrsTco], { mte: 1, x: { 1: -1n } });
    expect([r.cpu.tco, r.cpu.x[1]]).toEqual([0, 0n]);
    for (const w of [W.tcoImm1, W.mrsTco, W.msrTco]) expect(exec([w], { mte: 0 }).exc?.ec).toBe(Ec.Unknown);
  });

  it('exception entry saves TCO in SPSR_EL1 bit 25 and sets TCO = 1; ERET restores it', () => {
    const e = exec([W.tcoImm0, W.svc], { el0: true });
    expect(e.exc?.ec).toBe(Ec.Svc64);
    expect(e.cpu.tco).toBe(1);
    expect((e.cpu.sys[SysReg.SPSR_EL1]! >> 25n) & 1n).toBe(0n);
    const e1 = exec([W.tcoImm1, W.svc], { el0: true });
    expect((e1.cpu.sys[SysReg.SPSR_EL1]! >> 25n) & 1n).toBe(1n);
    for (const tco of [0n, 1n]) {
      const r = ok([W.eret], { setup: (c) => {
        c.tco = 1 - Number(tco);
        c.sys[SysReg.SPSR_EL1] = (tco << 25n) | 0n;
        c.sys[SysReg.ELR_EL1] = BASE + 4n;
      } });
      expect([r.cpu.el, r.cpu.tco]).toEqual([0, Number(tco)]);
    }
  });

  it('with MTE = 1 exception entry leaves TCO 0 and ERET does not restore it', () => {
    const e = exec([W.svc], { el0: true, mte: 1 });
    expect(e.cpu.tco).toBe(0);
    const r = ok([W.eret], { mte: 1, setup: (c) => {
      c.sys[SysReg.SPSR_EL1] = 1n << 25n;
      c.sys[SysReg.ELR_EL1] = BASE + 4n;
    } });
    expect(r.cpu.tco).toBe(0);
  });
});
