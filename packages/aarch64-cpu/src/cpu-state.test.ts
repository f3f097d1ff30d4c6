/**
 * The flat CPU state (issue 11): every member of `Cpu` that holds a PE's state lives at its `St` offset in the state
 * block, and `saveState`/`loadState` move a CPU's state to another CPU (or back) exactly. Instruction words from
 * aarch64-linux-gnu-as; the assembly is beside each.
 */
import { describe, expect, it } from 'vitest';
import { BlockMemory } from './testing/block-loop.js';
import { Cpu } from './cpu.js';
import { Ec, Stop } from './exits.js';
import { SmpDomain } from './smp.js';
import {
  CPU_STATE_BYTES, HOST_TAIL_END, HOST_TAIL_START, HOST_WORDS_END, HOST_WORDS_START, St, STATE_LAYOUT_VERSION,
} from './state-layout.js';
import { SYSREG_COUNT, SysReg } from './sysregs.js';
import { FlatMemory } from './testing/flat-memory.js';

/**
 * Memory that names a physical address (the VA) for load-exclusives, so reservations get a global mark, and,
 * with `blocks`, code pages, so that `run` runs translated blocks (jit.ts) instead of interpreting.
 */
class PaMemory extends BlockMemory {
  constructor(blocks = false) {
    super(blocks);
  }
  physicalAddress(va: bigint): number {
    return Number(va);
  }
  override write(va: bigint, size: number, value: bigint, flags: number): void {
    super.write(va, size, value, flags);
    this.cpu?.codeCache.written(this.bytes, Number(va) - this.base, size);
  }
}

const BASE = 0x4000_0000n;
const DATA = BASE + 0x100n;
const HCR_TWE = 1n << 14n; // WFE traps to EL2 unless an event is pending

/** Word offset → instruction word. */
const PROGRAM: Record<number, number> = {
  0x00: 0xd28000a0, // mov x0, #5
  0x04: 0xd2800001, // mov x1, #0
  0x08: 0x100007c3, // adr x3, data (0x100)
  0x0c: 0x8b000021, // loop: add x1, x1, x0
  0x10: 0xf1000400, // subs x0, x0, #1
  0x14: 0x54ffffc1, // b.ne loop
  0x18: 0xf1003c3f, // cmp x1, #15 (its flags stay pending)
  0x1c: 0xc85f7c62, // ldxr x2, [x3]
  0x20: 0xd50320bf, // sevl
  // SAVE_AT: the state is saved here, with a reservation held, an event pending and the flags of the CMP pending
  0x24: 0xc8047c61, // stxr w4, x1, [x3]: passes only if the reservation survived
  0x28: 0xd503205f, // wfe: completes only if the event register is set (else traps to EL2: HCR_EL2.TWE)
  0x2c: 0x9a9f17e5, // cset x5, eq
  0x30: 0xd4000021, // svc #1
  0xa00: 0xd5385206, // mrs x6, esr_el1 (VBAR + 0x200: synchronous, current EL with SP_EL1)
  0xa04: 0xd503205f, // wfe: the event register is clear now, so this traps to EL2 and the run stops
};
const SAVE_AT = BASE + 0x24n;

function machine(smp?: SmpDomain, blocks = false): { cpu: Cpu; mem: PaMemory } {
  const mem = new PaMemory(blocks);
  for (const [off, w] of Object.entries(PROGRAM)) mem.load(mem.base + Number(off), [w]);
  mem.view.setBigUint64(Number(DATA - BASE), 0x1122_3344_5566_7788n, true);
  const cpu = new Cpu(mem, smp === undefined ? {} : { smp });
  mem.cpu = cpu;
  cpu.translate = blocks;
  cpu.pc = BASE;
  cpu.spEl[1] = BASE + 0x8_0000n;
  cpu.sys[SysReg.VBAR_EL1] = BASE + 0x800n;
  cpu.sys[SysReg.HCR_EL2] = HCR_TWE;
  return { cpu, mem };
}

/** Run until the PC is `pc` (at most 100 instructions). */
function runTo(cpu: Cpu, pc: bigint): void {
  for (let n = 0; n < 100 && cpu.pc !== pc; n++) expect(cpu.run(1)).toBe(Stop.Budget);
  expect(cpu.pc).toBe(pc);
}

/** Everything a test compares between two CPUs, as plain values. */
function observe(cpu: Cpu): Record<string, unknown> {
  return {
    x: [...cpu.x], sp: [...cpu.spEl], pc: cpu.pc, el: cpu.el, spsel: cpu.spsel, daif: cpu.daif, pan: cpu.pan,
    uao: cpu.uao, ssbs: cpu.ssbs, dit: cpu.dit, tco: cpu.tco, il: cpu.il, nzcv: cpu.nzcv, insnCount: cpu.insnCount,
    exclAddr: cpu.exclAddr, exclSize: cpu.exclSize, exclPa: cpu.exclPa, event: cpu.eventRegister, sys: [...cpu.sys],
  };
}

const view = (cpu: Cpu): DataView => {
  const b = cpu.stateBytes();
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
};

describe('the CPU state block holds all of the CPU state', () => {
  it('a new CPU: reset PSTATE (EL1h, DAIF masked), monitors open, no event, the layout version', () => {
    const cpu = new Cpu(new FlatMemory());
    const dv = view(cpu);
    expect([cpu.el, cpu.spsel, cpu.daif, cpu.exclAddr, cpu.exclPa, cpu.eventRegister]).toEqual([1, 1, 0xf, -1n, -1, false]);
    expect([dv.getInt32(St.EL, true), dv.getInt32(St.SPSEL, true), dv.getInt32(St.DAIF, true)]).toEqual([1, 1, 0xf]);
    expect([dv.getInt32(St.EXCL_VALID, true), dv.getFloat64(St.EXCL_PA, true)]).toEqual([0, -1]);
    expect(dv.getInt32(St.VERSION, true)).toBe(STATE_LAYOUT_VERSION);
  });

  const i32Members = [
    ['el', St.EL, 0], ['spsel', St.SPSEL, 0], ['daif', St.DAIF, 0b1010], ['pan', St.PAN, 1], ['uao', St.UAO, 1],
    ['ssbs', St.SSBS, 1], ['dit', St.DIT, 1], ['tco', St.TCO, 1], ['il', St.IL, 1], ['exclSize', St.EXCL_SIZE, 16],
    ['dabtIss', St.DABT_ISS, 0x1ff_c000],
  ] as const;
  for (const [name, at, value] of i32Members) {
    it(`${name} is the i32 at St offset ${at}`, () => {
      const cpu = new Cpu(new FlatMemory());
      cpu[name] = value;
      expect(cpu[name]).toBe(value);
      expect(view(cpu).getInt32(at, true)).toBe(value);
    });
  }

  it('pc and nextPc are the u64s at St.PC and St.INSN_NEXT_PC (NEXT_PC stays the WebAssembly exits\')', () => {
    const cpu = new Cpu(new FlatMemory());
    cpu.pc = 0xffff_8000_0000_1234n;
    cpu.nextPc = 0xffff_8000_0000_1238n;
    const dv = view(cpu);
    expect([cpu.pc, cpu.nextPc]).toEqual([0xffff_8000_0000_1234n, 0xffff_8000_0000_1238n]);
    expect(dv.getBigUint64(St.PC, true)).toBe(0xffff_8000_0000_1234n);
    expect(dv.getBigUint64(St.INSN_NEXT_PC, true)).toBe(0xffff_8000_0000_1238n);
    expect(dv.getBigUint64(St.NEXT_PC, true)).toBe(0n);
  });

  for (const blocks of [false, true]) {
    it(`the PC is in the block when run returns (${blocks ? 'blocks' : 'interpreter'}), without a stateBytes call`, () => {
      const { cpu } = machine(undefined, blocks);
      const b = cpu.stateBytes(); // a view taken before the run
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      cpu.run(2);
      expect(dv.getBigUint64(St.PC, true)).toBe(BASE + 8n);
      cpu.run(100);
      expect(cpu.pc).toBe(BASE + 0xa04n);
      expect(dv.getBigUint64(St.PC, true)).toBe(BASE + 0xa04n);
      expect(cpu.codeCache.bytes > 0).toBe(blocks);
    });
  }

  it('exclAddr: EXCL_VALID 1 and the address in EXCL_ADDR; -1n is EXCL_VALID 0 and a zero address', () => {
    const cpu = new Cpu(new FlatMemory());
    cpu.exclAddr = 0xffff_0000_0000_0010n;
    expect(cpu.exclAddr).toBe(0xffff_0000_0000_0010n);
    expect([view(cpu).getInt32(St.EXCL_VALID, true), view(cpu).getBigUint64(St.EXCL_ADDR, true)])
      .toEqual([1, 0xffff_0000_0000_0010n]);
    cpu.exclAddr = -1n;
    expect(cpu.exclAddr).toBe(-1n);
    expect([view(cpu).getInt32(St.EXCL_VALID, true), view(cpu).getBigUint64(St.EXCL_ADDR, true)]).toEqual([0, 0n]);
  });

  it('exclPa is the float64 at St.EXCL_PA (physical addresses beyond 32 bits are exact)', () => {
    const cpu = new Cpu(new FlatMemory());
    cpu.exclPa = 2 ** 40 + 0x10;
    expect(cpu.exclPa).toBe(2 ** 40 + 0x10);
    expect(view(cpu).getFloat64(St.EXCL_PA, true)).toBe(2 ** 40 + 0x10);
  });

  it('eventRegister is the i32 at St.EVENT (0 or 1)', () => {
    const cpu = new Cpu(new FlatMemory());
    cpu.eventRegister = true;
    expect([cpu.eventRegister, view(cpu).getInt32(St.EVENT, true)]).toEqual([true, 1]);
    cpu.eventRegister = false;
    expect([cpu.eventRegister, view(cpu).getInt32(St.EVENT, true)]).toEqual([false, 0]);
  });

  it('instructions write PSTATE into the block: exception entry (EL1h, DAIF masked) and return', () => {
    const { cpu, mem } = machine();
    cpu.el = 0;
    cpu.spsel = 0;
    cpu.daif = 0;
    mem.load(Number(BASE), [0xd4000021]); // svc #1
    cpu.sys[SysReg.SCTLR_EL1] = 1n << 23n; // SPAN = 1: PAN unchanged on entry
    cpu.run(1);
    const dv = view(cpu);
    expect([St.EL, St.SPSEL, St.DAIF, St.PAN].map((at) => dv.getInt32(at, true))).toEqual([1, 1, 0xf, 0]);
    expect(cpu.pc).toBe(BASE + 0x800n + 0x400n); // lower EL, AArch64
  });

  it('the slots do not overlap, the new ones sit between SCRATCH and V, and the host words are two ranges', () => {
    const size: Record<keyof typeof St, number> = {
      X: 256, SP_EL0: 8, SP_EL1: 8, FLAG_A: 8, FLAG_B: 8, NZCV: 4, FLAG_OP: 4, INSN_COUNT: 8, OPEN_RESERVATIONS: 4,
      IRQ_LINE: 4, TLB_BASE: 4, TLB_MASK: 4, TLB_GEN: 4, JC_BASE: 4, NEXT_PC: 8, SCRATCH: 8, PC: 8, INSN_NEXT_PC: 8,
      EXCL_ADDR: 8, EXCL_PA: 8, EL: 4, SPSEL: 4, DAIF: 4, PAN: 4, UAO: 4, SSBS: 4, DIT: 4, TCO: 4, IL: 4, EXCL_VALID: 4,
      EXCL_SIZE: 4, EVENT: 4, DABT_ISS: 4, VERSION: 4, SS: 4, TLB_GEN_GLOBAL: 4, RUN_END: 8, COUNTER_BASE: 8,
      COUNTER_SCALE: 8, STOP_ON_YIELD: 4, V: 512, FPCR: 4, FPSR: 4, SYS: 8 * SYSREG_COUNT,
    };
    const slots = (Object.keys(St) as (keyof typeof St)[]).sort((a, b) => St[a] - St[b]);
    for (let i = 1; i < slots.length; i++) {
      const p = slots[i - 1]!;
      expect(St[slots[i]!], `${slots[i]} after ${p}`).toBeGreaterThanOrEqual(St[p] + size[p]);
      expect(St[p] % Math.min(size[p], 8), `${p} aligned`).toBe(0);
    }
    expect(CPU_STATE_BYTES).toBeGreaterThanOrEqual(St.SYS + size.SYS);
    for (const k of ['PC', 'INSN_NEXT_PC', 'EXCL_ADDR', 'EXCL_PA', 'EL', 'IL', 'EVENT', 'DABT_ISS', 'VERSION'] as const) {
      expect(St[k]).toBeGreaterThanOrEqual(HOST_WORDS_END);
      expect(St[k] + size[k]).toBeLessThanOrEqual(St.V);
    }
    const host = slots.filter((k) => St[k] >= HOST_WORDS_START && St[k] < HOST_WORDS_END);
    expect(host).toEqual(['OPEN_RESERVATIONS', 'IRQ_LINE', 'TLB_BASE', 'TLB_MASK', 'TLB_GEN', 'JC_BASE', 'NEXT_PC', 'SCRATCH']);
    // The second range (added after the first was full), between the CPU's state and V.
    const tail = slots.filter((k) => St[k] >= HOST_TAIL_START && St[k] < HOST_TAIL_END);
    expect(tail).toEqual(['TLB_GEN_GLOBAL', 'RUN_END', 'COUNTER_BASE', 'COUNTER_SCALE', 'STOP_ON_YIELD']);
    expect(HOST_TAIL_START).toBeGreaterThanOrEqual(St.SS + size.SS);
    expect(HOST_TAIL_END).toBe(St.STOP_ON_YIELD + size.STOP_ON_YIELD);
    expect(HOST_TAIL_END).toBeLessThanOrEqual(St.V);
  });

  it('Cpu has no other JavaScript fields: a new one holding state must move into the block (or be listed here)', () => {
    const fields = Object.keys(new Cpu(new FlatMemory())).sort();
    expect(fields).toEqual([
      // The block (views over it) and where it is.
      'arena', 'flagArgs', 'spEl', 'st32', 'stF64', 'stU64', 'stateOffset', 'sys', 'v', 'vr', 'x', 'fast32', 'fast64',
      // State kept in fields while running and copied into the block whenever it is seen (Cpu.pc).
      'dabtIss', 'nextPc', 'pc',
      // The host's: the memory port, the coherence domain, the system registers and the counter of the layer above,
      // the last EL2 trap's and failure's reports, the hypervisor's debug of the guest, options,
      // and caches derived from the state (loadState drops or re-checks them).
      'checkPcAlign', 'codeCache', 'debugActive', 'decoder', 'el2', 'hostDebug', 'internalError', 'jumpCache', 'mem', 'mteControls', 'sem', 'smp',
      'sysRegPort', 'counterPort', 'pmuPort', 'translate', 'wasm',
    ].sort());
  });
});

describe('saveState and loadState', () => {
  it('a saved state is the block with the host words zeroed, in a buffer of its own', () => {
    const { cpu } = machine();
    runTo(cpu, SAVE_AT);
    cpu.irqLine = true;
    const saved = cpu.saveState();
    expect(saved.length).toBe(CPU_STATE_BYTES);
    expect(saved.buffer).not.toBe(cpu.arena.memory.buffer);
    expect(saved.subarray(HOST_WORDS_START, HOST_WORDS_END).every((b) => b === 0)).toBe(true);
    expect(saved.subarray(HOST_TAIL_START, HOST_TAIL_END).every((b) => b === 0)).toBe(true);
    const block = cpu.stateBytes();
    expect(block.subarray(HOST_TAIL_START, HOST_TAIL_END).some((b) => b !== 0)).toBe(true); // not zero by chance
    expect([...saved.subarray(0, HOST_WORDS_START)]).toEqual([...block.subarray(0, HOST_WORDS_START)]);
    expect([...saved.subarray(HOST_WORDS_END, HOST_TAIL_START)]).toEqual([...block.subarray(HOST_WORDS_END, HOST_TAIL_START)]);
    expect([...saved.subarray(HOST_TAIL_END)]).toEqual([...block.subarray(HOST_TAIL_END)]);
  });

  for (const blocks of [false, true]) {
    it(`a fresh CPU loaded with a saved state runs on as the original (${blocks ? 'blocks' : 'interpreter'}): reservation, event, lazy flags`, () => {
      const a = machine(undefined, blocks);
      runTo(a.cpu, SAVE_AT);
      expect(a.cpu.flagOp).not.toBe(0); // the CMP's flags are pending
      expect([a.cpu.exclAddr, a.cpu.eventRegister]).toEqual([DATA, true]);
      const saved = a.cpu.saveState();

      const b = machine(undefined, blocks);
      b.mem.bytes.set(a.mem.bytes); // memory is not CPU state: the same contents
      b.cpu.loadState(saved);
      expect(b.cpu.flagOp).toBe(a.cpu.flagOp);
      expect(observe(b.cpu)).toEqual(observe(a.cpu)); // (reading nzcv computes the pending flags, in both)

      for (const { cpu } of [a, b]) {
        expect(cpu.run(100)).toBe(Stop.TrapEl2); // the WFE in the vector: the event was consumed by the first
        expect(cpu.x[4]).toBe(0n); // STXR passed: the reservation was restored
        expect(cpu.x[5]).toBe(1n); // CSET EQ after CMP x1 (15), #15
        expect(cpu.x[6]! >> 26n).toBe(BigInt(Ec.Svc64)); // the SVC was taken
        expect(cpu.el2.esr >> 26n).toBe(BigInt(Ec.Wfx));
        expect(cpu.pc).toBe(BASE + 0xa04n);
      }
      expect(observe(b.cpu)).toEqual(observe(a.cpu));
      expect(b.cpu.saveState()).toEqual(a.cpu.saveState());
    });
  }

  it('every PSTATE field, the stack pointers and the system registers come back through their accessors', () => {
    const a = new Cpu(new FlatMemory());
    a.el = 0;
    a.spsel = 0;
    a.daif = 0b0101;
    a.pan = 1;
    a.uao = 1;
    a.ssbs = 1;
    a.dit = 1;
    a.tco = 1;
    a.il = 1;
    a.nzcv = 0b1001;
    a.spEl[0] = 0x1234n;
    a.sys[SysReg.TPIDR_EL0] = 0x5678n;
    a.v[17] = 0x9a;
    a.insnCount = 77;
    const b = new Cpu(new FlatMemory());
    b.loadState(a.saveState());
    expect(observe(b)).toEqual(observe(a));
    expect([b.pstateToSpsr(), b.v[17]]).toEqual([a.pstateToSpsr(), 0x9a]);
  });

  it('without the event, the WFE after the restore traps; without the reservation, the STXR fails', () => {
    const a = machine();
    runTo(a.cpu, SAVE_AT);
    a.cpu.eventRegister = false;
    a.cpu.clearExclusive();
    const b = machine();
    b.mem.bytes.set(a.mem.bytes);
    b.cpu.loadState(a.cpu.saveState());
    expect(b.cpu.run(100)).toBe(Stop.TrapEl2);
    expect(b.cpu.x[4]).toBe(1n);
    expect(b.cpu.pc).toBe(BASE + 0x28n); // the first WFE
  });

  it('a reservation with a global mark is registered with the loading CPU\'s domain; its old mark is released', () => {
    const a = machine();
    runTo(a.cpu, SAVE_AT);
    expect(a.cpu.exclPa).toBe(Number(DATA));
    const withMark = a.cpu.saveState();
    a.cpu.clearExclusive();
    const without = a.cpu.saveState();

    const smp = new SmpDomain();
    const b = machine(smp);
    b.mem.bytes.set(a.mem.bytes);
    b.cpu.loadState(withMark);
    expect([b.cpu.exclAddr, b.cpu.exclPa, smp.openReservations]).toEqual([DATA, Number(DATA), 1]);
    expect(b.cpu.st32[St.OPEN_RESERVATIONS >> 2]).toBe(1); // the domain's count, mirrored for WebAssembly stores
    b.cpu.loadState(withMark); // again: the mark is released before the new one is made
    expect(smp.openReservations).toBe(1);
    smp.stored(undefined, Number(DATA) + 4, 4); // another observer's store clears it and sends an event
    expect([b.cpu.exclAddr, b.cpu.exclPa, b.cpu.eventRegister, smp.openReservations]).toEqual([-1n, -1, true, 0]);
    b.cpu.loadState(withMark);
    b.cpu.loadState(without);
    expect([b.cpu.exclAddr, b.cpu.exclPa, smp.openReservations]).toEqual([-1n, -1, 0]);
  });

  it('the host words stay the loading CPU\'s: its IRQ line, its data TLB, its TLB generations, its counter words', () => {
    const a = machine();
    runTo(a.cpu, SAVE_AT);
    a.cpu.irqLine = true;
    const saved = a.cpu.saveState();
    const b = machine();
    const tlb = b.cpu.st32[St.TLB_BASE >> 2];
    a.cpu.st32[St.TLB_GEN_GLOBAL >> 2] = 76;
    b.cpu.st32[St.TLB_GEN_GLOBAL >> 2] = 77;
    a.cpu.stU64[St.COUNTER_BASE >> 3] = 5n;
    b.cpu.stU64[St.COUNTER_BASE >> 3] = 6n;
    b.cpu.loadState(a.cpu.saveState());
    expect(b.cpu.irqLine).toBe(false);
    expect(b.cpu.st32[St.TLB_BASE >> 2]).toBe(tlb);
    expect(b.cpu.st32[St.TLB_GEN_GLOBAL >> 2]).toBe(77);
    expect(b.cpu.stU64[St.COUNTER_BASE >> 3]).toBe(6n);
    b.cpu.irqLine = true;
    b.cpu.loadState(saved);
    expect(b.cpu.irqLine).toBe(true);
  });

  it('loading tells the memory port, drops the MTE controls and the jump cache, and checks the PC alignment', () => {
    const a = machine();
    a.cpu.pc = BASE + 2n; // a misaligned PC in the saved state
    const saved = a.cpu.saveState();
    const b = machine();
    let changed = 0;
    b.mem.controlChanged = () => void changed++;
    b.cpu.mteControls.pfr1 = b.cpu.sys[SysReg.ID_AA64PFR1_EL1]!; // as if computed
    b.cpu.jumpCache.keys[4] = 1;
    b.cpu.jumpCache.gens[1] = 1;
    b.cpu.loadState(saved);
    expect(changed).toBe(1);
    expect(b.cpu.mteControls.pfr1).toBe(-1n);
    expect(b.cpu.jumpCache.keys[4]).toBe(0);
    expect(b.cpu.jumpCache.gens[1]).toBe(0);
    expect(b.cpu.checkPcAlign).toBe(true);
    expect(b.cpu.run(1)).toBe(Stop.Budget);
    expect(b.cpu.sys[SysReg.ESR_EL1]! >> 26n).toBe(BigInt(Ec.PcAlign));
  });

  it('a state loads into the CPU that saved it (a rewind)', () => {
    const { cpu } = machine();
    runTo(cpu, SAVE_AT);
    const saved = cpu.saveState();
    const before = observe(cpu);
    cpu.run(100);
    cpu.loadState(saved);
    expect(observe(cpu)).toEqual(before);
    expect(cpu.run(100)).toBe(Stop.TrapEl2);
    expect(cpu.x[4]).toBe(0n);
  });

  it('a CPU loads its own live block (a view, not a copy) unchanged', () => {
    const { cpu } = machine();
    runTo(cpu, SAVE_AT);
    const before = cpu.saveState();
    cpu.loadState(cpu.stateBytes());
    expect(cpu.saveState()).toEqual(before);
    expect(cpu.exclAddr).toBe(DATA);
  });

  describe('a bad state is refused with RangeError before anything changes', () => {
    const bad: [string, (s: Uint8Array) => Uint8Array, RegExp][] = [
      ['too short', (s) => s.subarray(0, s.length - 16), /bytes, got/],
      ['too long', (s) => { const t = new Uint8Array(s.length + 16); t.set(s); return t; }, /bytes, got/],
      ['another layout version', (s) => { new DataView(s.buffer, s.byteOffset).setInt32(St.VERSION, 99, true); return s; }, /layout version 99/],
      ['no version (zeroes)', (s) => s.fill(0), /layout version 0/],
      ['EL 2', (s) => { new DataView(s.buffer, s.byteOffset).setInt32(St.EL, 2, true); return s; }, /PSTATE\.EL/],
      ['DAIF 16', (s) => { new DataView(s.buffer, s.byteOffset).setInt32(St.DAIF, 16, true); return s; }, /PSTATE\.DAIF/],
      ['a monitor size of 3', (s) => { new DataView(s.buffer, s.byteOffset).setInt32(St.EXCL_SIZE, 3, true); return s; }, /monitor size/],
      ['a global mark without a reservation', (s) => {
        const dv = new DataView(s.buffer, s.byteOffset);
        dv.setInt32(St.EXCL_VALID, 0, true);
        dv.setFloat64(St.EXCL_PA, 0x1000, true);
        return s;
      }, /mark/],
      ['a fractional retired count', (s) => { new DataView(s.buffer, s.byteOffset).setFloat64(St.INSN_COUNT, 1.5, true); return s; }, /retired count/],
    ];
    for (const [what, spoil, message] of bad) {
      it(what, () => {
        const smp = new SmpDomain();
        const { cpu } = machine(smp);
        runTo(cpu, SAVE_AT);
        const before = cpu.saveState();
        const pc = cpu.pc;
        expect(() => cpu.loadState(spoil(cpu.saveState()))).toThrow(RangeError);
        expect(() => cpu.loadState(spoil(cpu.saveState()))).toThrow(message);
        expect(cpu.saveState()).toEqual(before);
        expect([cpu.pc, cpu.exclPa, smp.openReservations]).toEqual([pc, Number(DATA), 1]);
      });
    }
  });
});
