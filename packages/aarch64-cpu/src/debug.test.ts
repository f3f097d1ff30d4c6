// Self-hosted debug (debug.ts, debug-port.ts, cpu.ts debugInstruction): breakpoints, watchpoints and software step
// as debug exceptions to EL1, with their syndromes, masking (PSTATE.D, the OS lock and double lock, MDSCR_EL1.MDE/
// KDE), matching rules, and the software step state machine (PSTATE.SS, SPSR.SS, ERET). Programs run at BASE; every
// vector is `hvc #0xffff`, so the exception taken is read from ESR_EL1/ELR_EL1/FAR_EL1/SPSR_EL1 when the run stops.
import { describe, expect, it } from 'vitest';
import type { Cpu } from './cpu.js';
import { Stop } from './exits.js';
import { IMPL } from './impl-defined.js';
import { SysReg } from './sysregs.js';
import type { FlatMemory } from './testing/flat-memory.js';
import { BASE, run, vector } from './testing/vector-stop.js';

// Instruction words (aarch64-linux-gnu-as, objdump -d).
const W = {
  nop: 0xd503201f, add1: 0x91000400 /* add x0, x0, #1 */, daifclrD: 0xd50348ff, daifsetD: 0xd50348df,
  msrMdscr: 0xd5100241 /* msr mdscr_el1, x1 */, strb3: 0x39000c22 /* strb w2, [x1, #3] */,
  strx: 0xf9000022 /* str x2, [x1] */, ldrx: 0xf9400023 /* ldr x3, [x1] */, ldrb: 0x39400023 /* ldrb w3, [x1] */,
  sttrb: 0x38000822 /* sttrb w2, [x1] */, ldxr: 0xc85f7c23 /* ldxr x3, [x1] */, dczva: 0xd50b7421 /* dc zva, x1 */,
  ldaddb: 0x38220023 /* ldaddb w2, w3, [x1] */, eret: 0xd69f03e0, svc: 0xd4000001, brk: 0xd4200000,
  mrsBvr5: 0xd5300580 /* mrs x0, dbgbvr5_el1 */, msrWcr3: 0xd51003e1 /* msr dbgwcr3_el1, x1 */,
};

const MDSCR_SS = 1n;
const KDE = 1n << 13n;
const MDE = 1n << 15n;
/** A data address in the flat memory (8-byte aligned). */
const DATA = BASE + 0x4000n;

/** DBGBCR: enabled, PMC (bit 0: EL1, bit 1: EL0), BAS = 0b1111, BT, LBN. */
const bcr = (pmc: number, bt = 0, lbn = 0): bigint => BigInt(1 | (pmc << 1) | (0xf << 5) | (bt << 20) | (lbn << 16));
/** DBGWCR: enabled, PAC, LSC (1 load, 2 store, 3 both), BAS, MASK. */
const wcr = (pac: number, lsc: number, bas = 0xff, mask = 0): bigint =>
  BigInt(1 | (pac << 1) | (lsc << 3) | (bas << 5)) | (BigInt(mask) << 24n);

interface Debug {
  mdscr?: bigint;
  bp?: [n: number, ctl: bigint, value: bigint][];
  wp?: [n: number, ctl: bigint, value: bigint][];
  /** PSTATE.D (default 0). */
  d?: boolean;
  ss?: number;
  locked?: boolean;
  setup?: (cpu: Cpu, mem: FlatMemory) => void;
}

/** Run `words` at EL1 (or EL0) with the debug registers of `o` and the OS lock clear, and report what was taken. */
function go(words: readonly number[], o: Debug = {}, el0 = false) {
  const r = run(words, {
    el0,
    setup: (cpu, mem) => {
      const sys = cpu.sys;
      if (o.locked !== true) sys[SysReg.OSLSR_EL1] = sys[SysReg.OSLSR_EL1]! & ~2n;
      sys[SysReg.MDSCR_EL1] = o.mdscr ?? 0n;
      for (const [n, ctl, v] of o.bp ?? []) {
        sys[SysReg[`DBGBCR${n}_EL1` as 'DBGBCR0_EL1']] = ctl;
        sys[SysReg[`DBGBVR${n}_EL1` as 'DBGBVR0_EL1']] = v;
      }
      for (const [n, ctl, v] of o.wp ?? []) {
        sys[SysReg[`DBGWCR${n}_EL1` as 'DBGWCR0_EL1']] = ctl;
        sys[SysReg[`DBGWVR${n}_EL1` as 'DBGWVR0_EL1']] = v;
      }
      if (!el0) cpu.daif = o.d === true ? 8 : 0;
      cpu.x[1] = DATA;
      cpu.x[2] = 0x11n;
      if (o.ss !== undefined) cpu.pstateSs = o.ss;
      o.setup?.(cpu, mem);
    },
  });
  const sys = r.cpu.sys;
  const esr = sys[SysReg.ESR_EL1]!;
  return {
    ...r, vec: vector(r), ec: Number(esr >> 26n), iss: Number(esr & 0x1ffffffn), il: Number((esr >> 25n) & 1n),
    elr: sys[SysReg.ELR_EL1]!, far: sys[SysReg.FAR_EL1]!, spsr: sys[SysReg.SPSR_EL1]!,
  };
}

const SAME_SYNC = 0x200; // the vector of a synchronous exception from EL1 with SP_EL1
const LOWER_SYNC = 0x400;
const at = (k: number): bigint => BASE + BigInt(4 * k);
const ranToEnd = (r: { cpu: Cpu; stop: number }, n: number): void => {
  expect(r.stop).toBe(Stop.Budget);
  expect(r.cpu.pc).toBe(at(n));
};

describe('ID_AA64DFR0_EL1 and the breakpoint/watchpoint registers', () => {
  it('advertises six breakpoints (two context-aware) and four watchpoints, as QEMU -cpu max', () => {
    const f = (lsb: bigint): number => Number((IMPL.ID_AA64DFR0_EL1 >> lsb) & 0xfn);
    expect([f(12n), f(20n), f(28n)]).toEqual([5, 3, 1]);
  });
  it('DBGBVR5_EL1 and DBGWCR3_EL1 exist (the last of each); bits [1:0] of a value register are RES0', () => {
    const r = go([W.msrWcr3, W.mrsBvr5], { setup: (c) => { c.x[1] = 0x1234n; c.sys[SysReg.DBGBVR5_EL1] = 0x4000n; } });
    ranToEnd(r, 2);
    expect(r.cpu.sys[SysReg.DBGWCR3_EL1]).toBe(0x1234n);
    expect(r.cpu.x[0]).toBe(0x4000n);
  });
});

describe('breakpoints', () => {
  const bp2 = { mdscr: KDE | MDE, bp: [[0, bcr(1), at(2)]] } satisfies Debug;

  it('an EL1 breakpoint is taken before its instruction: EC 0x31, ISS 0x22, ELR the instruction', () => {
    const r = go([W.add1, W.add1, W.add1, W.add1], bp2);
    expect(r.vec).toBe(SAME_SYNC);
    expect([r.ec, r.il, r.iss]).toEqual([0x31, 1, 0x22]);
    expect(r.elr).toBe(at(2));
    expect(r.cpu.x[0]).toBe(2n);
    expect(r.cpu.daif).toBe(0xf); // PSTATE.D set on entry
  });

  it('from EL0: EC 0x30, whatever KDE and PSTATE.D', () => {
    const r = go([W.nop, W.nop, W.nop], { mdscr: MDE, bp: [[1, bcr(2), at(1)]] }, true);
    expect(r.vec).toBe(LOWER_SYNC);
    expect([r.ec, r.iss]).toEqual([0x30, 0x22]);
    expect(r.elr).toBe(at(1));
  });

  for (const [what, o] of [
    ['PSTATE.D masks it', { ...bp2, d: true }],
    ['KDE = 0 disables it at EL1', { ...bp2, mdscr: MDE }],
    ['MDE = 0 disables it', { ...bp2, mdscr: KDE }],
    ['the OS lock disables it', { ...bp2, locked: true }],
    ['the OS double lock disables it', { ...bp2, setup: (c: Cpu) => (c.sys[SysReg.OSDLR_EL1] = 1n) }],
    ['PMC = EL0 only does not match at EL1', { ...bp2, bp: [[0, bcr(2), at(2)]] }],
    ['SSC = Secure only never matches', { ...bp2, bp: [[0, bcr(1) | (2n << 14n), at(2)]] }],
    ['a disabled breakpoint does not match', { ...bp2, bp: [[0, bcr(1) & ~1n, at(2)]] }],
    ['another address does not match', { ...bp2, bp: [[0, bcr(1), at(5)]] }],
  ] as [string, Debug][]) {
    it(`${what}`, () => ranToEnd(go([W.add1, W.add1, W.add1, W.add1], o), 4));
  }

  it('the OS double lock does not apply while DBGPRCR_EL1.CORENPDRQ = 1', () => {
    const r = go([W.add1, W.add1, W.add1], { ...bp2, setup: (c) => { c.sys[SysReg.OSDLR_EL1] = 1n; c.sys[SysReg.DBGPRCR_EL1] = 1n; } });
    expect(r.vec).toBe(SAME_SYNC);
  });

  it('an MSR that enables debug (MDSCR_EL1, then DAIFClr) makes the next instructions check breakpoints', () => {
    const r = go([W.msrMdscr, W.add1, W.daifclrD, W.add1, W.add1], {
      bp: [[0, bcr(1), at(1)], [1, bcr(1), at(3)]], d: true, setup: (c) => (c.x[1] = KDE | MDE) });
    expect(r.vec).toBe(SAME_SYNC);
    expect(r.elr).toBe(at(3)); // at(1) ran with PSTATE.D = 1
    expect(r.cpu.x[0]).toBe(1n);
  });

  it('context match (BT 0b0010) on a context-aware breakpoint; not on breakpoint 0', () => {
    const ctx = (c: Cpu): void => { c.sys[SysReg.CONTEXTIDR_EL1] = 7n; };
    const hit = go([W.add1, W.add1], { mdscr: KDE | MDE, bp: [[4, bcr(1, 2), 7n]], setup: ctx });
    expect([hit.vec, hit.ec]).toEqual([SAME_SYNC, 0x31]);
    expect(hit.elr).toBe(at(0));
    ranToEnd(go([W.add1, W.add1], { mdscr: KDE | MDE, bp: [[0, bcr(1, 2), 7n]], setup: ctx }), 2);
    ranToEnd(go([W.add1, W.add1], { mdscr: KDE | MDE, bp: [[4, bcr(1, 2), 8n]], setup: ctx }), 2);
  });

  it('a linked address breakpoint matches only while its linked context breakpoint does', () => {
    const linked = (ctx: bigint): Debug => ({
      mdscr: KDE | MDE, bp: [[0, bcr(1, 1, 5), at(1)], [5, bcr(1, 3), 7n]],
      setup: (c) => (c.sys[SysReg.CONTEXTIDR_EL1] = ctx),
    });
    const hit = go([W.add1, W.add1, W.add1], linked(7n));
    expect(hit.elr).toBe(at(1));
    expect(hit.ec).toBe(0x31);
    ranToEnd(go([W.add1, W.add1, W.add1], linked(6n)), 3);
  });

  it('an instruction abort on the fetch has priority over the breakpoint', () => {
    const far = 0x1000n; // outside the flat memory
    const r = go([0xd61f0020 /* br x1 */], { mdscr: KDE | MDE, bp: [[0, bcr(1), far]], setup: (c) => (c.x[1] = far) });
    expect(r.ec).toBe(0x21);
  });
});

describe('watchpoints', () => {
  const wpStore = { mdscr: KDE | MDE, wp: [[0, wcr(1, 2), DATA]] } satisfies Debug;

  it('a store: EC 0x35, ISS WnR | 0x22, FAR the byte stored, ELR the store, memory unchanged', () => {
    const r = go([W.add1, W.strb3, W.add1], wpStore);
    expect(r.vec).toBe(SAME_SYNC);
    expect([r.ec, r.iss]).toEqual([0x35, (1 << 6) | 0x22]);
    expect(r.far).toBe(DATA + 3n);
    expect(r.elr).toBe(at(1));
    expect(r.mem.bytes[Number(DATA - BASE) + 3]).toBe(0);
  });

  it('a load: WnR = 0; a store-only watchpoint ignores loads; a load-only one ignores stores', () => {
    const r = go([W.ldrx], { mdscr: KDE | MDE, wp: [[0, wcr(1, 1), DATA]] });
    expect([r.ec, r.iss, r.far]).toEqual([0x35, 0x22, DATA]);
    ranToEnd(go([W.ldrx], wpStore), 1);
    ranToEnd(go([W.strx], { mdscr: KDE | MDE, wp: [[0, wcr(1, 1), DATA]] }), 1);
  });

  it('from EL0: EC 0x34; an unprivileged store at EL1 (STTRB) matches as EL0', () => {
    const el0 = go([W.strb3], { mdscr: MDE, wp: [[0, wcr(2, 2), DATA]] }, true);
    expect([el0.vec, el0.ec, el0.far]).toEqual([LOWER_SYNC, 0x34, DATA + 3n]);
    const sttr = go([W.sttrb], { mdscr: KDE | MDE, wp: [[0, wcr(2, 2), DATA]] });
    expect([sttr.ec, sttr.far]).toEqual([0x35, DATA]);
    ranToEnd(go([W.sttrb], { mdscr: KDE | MDE, wp: [[0, wcr(1, 2), DATA]] }), 1);
  });

  it('BAS selects bytes of the doubleword: an 8-byte store hits at the first selected byte; others miss', () => {
    const bas45 = { mdscr: KDE | MDE, wp: [[1, wcr(1, 2, 0b0011_0000), DATA]] } satisfies Debug;
    expect(go([W.strx], bas45).far).toBe(DATA + 4n);
    ranToEnd(go([W.strb3], bas45), 1);
  });

  it('DBGWVR bit 2 (a word address) selects bytes with BAS[3:0] in that word', () => {
    const r = go([W.strx], { mdscr: KDE | MDE, wp: [[2, wcr(1, 2, 0b0010), DATA + 4n]] });
    expect(r.far).toBe(DATA + 5n);
  });

  it('MASK watches an aligned 2^MASK-byte range; MASK 1 and 2 are reserved (disabled)', () => {
    const far = DATA + 0x800n;
    const r = go([W.strx], { mdscr: KDE | MDE, wp: [[3, wcr(1, 2, 0xff, 12), DATA]], setup: (c) => (c.x[1] = far) });
    expect(r.far).toBe(far);
    ranToEnd(go([W.strx], { mdscr: KDE | MDE, wp: [[3, wcr(1, 2, 0xff, 2), DATA]] }), 1);
  });

  it('DC ZVA is a store of its block; an atomic matches as a store (WnR = 1)', () => {
    const dc = go([W.dczva], { mdscr: KDE | MDE, wp: [[0, wcr(1, 2), DATA + 0x38n]] });
    expect([dc.ec, dc.iss, dc.far]).toEqual([0x35, (1 << 6) | 0x22, DATA + 0x38n]);
    const at = go([W.ldaddb], { mdscr: KDE | MDE, wp: [[0, wcr(1, 3), DATA]] });
    expect([at.ec, at.iss]).toEqual([0x35, (1 << 6) | 0x22]);
  });

  it('masked by PSTATE.D and the OS lock, as breakpoints', () => {
    ranToEnd(go([W.strb3], { ...wpStore, d: true }), 1);
    ranToEnd(go([W.strb3], { ...wpStore, locked: true }), 1);
  });

  it('a data abort on the access has priority over the watchpoint', () => {
    const far = 0x1000n; // outside the flat memory: an external abort
    const r = go([W.strx], { mdscr: KDE | MDE, wp: [[0, wcr(1, 2), far]], setup: (c) => (c.x[1] = far) });
    expect(r.ec).toBe(0x25);
  });
});

describe('software step', () => {
  const SS_BIT = 1n << 21n;
  const step = { mdscr: KDE | MDSCR_SS } satisfies Debug;

  it('active-not-pending (PSTATE.SS = 1): one instruction, then EC 0x33 with ISV = 1, ELR the next instruction', () => {
    const r = go([W.add1, W.add1, W.add1], { ...step, ss: 1 });
    expect(r.vec).toBe(SAME_SYNC);
    expect([r.ec, r.iss]).toEqual([0x33, (1 << 24) | 0x22]);
    expect(r.elr).toBe(at(1));
    expect(r.cpu.x[0]).toBe(1n);
    expect(r.spsr & SS_BIT).toBe(0n);
    expect(r.cpu.pstateSs).toBe(0);
  });

  it('active-pending (PSTATE.SS = 0): the exception before any instruction, ISV = 0', () => {
    const r = go([W.add1, W.add1], { ...step, ss: 0 });
    expect([r.ec, r.iss]).toEqual([0x33, 0x22]);
    expect(r.elr).toBe(at(0));
    expect(r.cpu.x[0]).toBe(0n);
  });

  it('stepping a load-exclusive sets EX (ISS bit 6)', () => {
    const r = go([W.ldxr, W.nop], { ...step, ss: 1 });
    expect(r.iss).toBe((1 << 24) | (1 << 6) | 0x22);
  });

  it('from EL0: EC 0x32, without KDE', () => {
    const r = go([W.nop, W.nop], { mdscr: MDSCR_SS, ss: 1 }, true);
    expect([r.vec, r.ec, r.elr]).toEqual([LOWER_SYNC, 0x32, at(1)]);
  });

  it('inactive while PSTATE.D = 1, KDE = 0 or the OS lock is set', () => {
    ranToEnd(go([W.add1, W.add1], { ...step, d: true }), 2);
    ranToEnd(go([W.add1, W.add1], { mdscr: MDSCR_SS }), 2);
    ranToEnd(go([W.add1, W.add1], { ...step, locked: true }), 2);
  });

  it('stepping MSR DAIFSet #8 ends stepping (PSTATE.SS = 0, no exception)', () => {
    const r = go([W.daifsetD, W.add1], { ...step, ss: 1 });
    ranToEnd(r, 2);
    expect(r.cpu.pstateSs).toBe(0);
  });

  it('MSR DAIFClr #8 with PSTATE.SS = 0: the exception before the next instruction (kvm-unit-tests debug-sstep)', () => {
    const r = go([W.daifclrD, W.add1], { ...step, d: true });
    expect([r.ec, r.iss, r.elr]).toEqual([0x33, 0x22, at(1)]);
  });

  it('stepping SVC: the SVC exception with SPSR.SS = 0 (the SVC completed)', () => {
    const r = go([W.svc], { ...step, ss: 1 });
    expect([r.ec, r.elr]).toEqual([0x15, at(1)]);
    expect(r.spsr & SS_BIT).toBe(0n);
  });

  it('stepping an instruction that faults (BRK): that exception, SPSR.SS = 1 (not stepped yet)', () => {
    const r = go([W.brk], { ...step, ss: 1 });
    expect([r.ec, r.elr]).toEqual([0x3c, at(0)]);
    expect(r.spsr & SS_BIT).toBe(SS_BIT);
    expect(r.cpu.pstateSs).toBe(0);
  });

  /** ERET from a handler (PSTATE.D = 1) to `at(2)` with SPSR = EL1h, D as given, SS as given. */
  const eret = (ss: boolean, dMasked: boolean) => go([W.eret, W.nop, W.add1, W.add1, W.add1], {
    ...step, d: true,
    setup: (c) => {
      c.sys[SysReg.ELR_EL1] = at(2);
      c.sys[SysReg.SPSR_EL1] = 0x5n | (dMasked ? 1n << 9n : 0n) | (ss ? SS_BIT : 0n);
    },
  });

  it('ERET with SPSR.SS = 1 to an EL where step is active: one instruction there, then the step exception', () => {
    const r = eret(true, false);
    expect([r.ec, r.iss, r.elr]).toEqual([0x33, (1 << 24) | 0x22, at(3)]);
    expect(r.cpu.x[0]).toBe(1n);
  });

  it('ERET with SPSR.SS = 0: the step exception at the return address; with SPSR.D = 1: no stepping', () => {
    const r = eret(false, false);
    expect([r.ec, r.iss, r.elr]).toEqual([0x33, 0x22, at(2)]);
    ranToEnd(eret(true, true), 5);
  });

  it('exception entry saves PSTATE.SS in SPSR_EL1.SS and clears it; the PSTATE one-reg value carries SS', () => {
    const r = go([W.brk], { ss: 1, d: true, mdscr: MDSCR_SS });
    expect(r.spsr & SS_BIT).toBe(SS_BIT);
    expect(r.cpu.pstateSs).toBe(0);
    r.cpu.spsrToPstate(0x5n | SS_BIT);
    expect(r.cpu.pstateToSpsr() & SS_BIT).toBe(SS_BIT);
  });
});
