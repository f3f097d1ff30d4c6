// The WebAssembly tier's translations of handler rows (aarch64-cpu wasm-jit/translate-sys.ts: MRS, PRFM, DC ZVA,
// LDAR/STLR) against the interpreter: every block is compiled to WebAssembly before its first run (`hotRuns: 0`) and
// runs the same instructions in the same states as an interpreting CPU (`translate: false`); registers, stack
// pointers, PC, the retired count, stop codes, the EL1 and EL2 syndromes and memory must agree. Each group covers
// the cases where the inline path must give way to the handler (traps, UNDEFINED, faults, tag mismatches, stores
// into code pages, open reservations) and checks that the inline path did run (memory port accesses saved).
import { IMPL, Stop, SysReg, sysRegByKey, sysRegKey, type StopCode, type WasmTierOptions } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, stateOf, type ArenaEnv, type Engine } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { HCR_ATA, SCTLR_MTE } from './mte-test-env.js';
import { b, B_SELF, rng } from './random-code.js';
import { Attr, RAM_BASE, SCTLR, TCR, TCR_48_4K } from './test-env.js';

/** HCR_EL2 trap bits (aarch64-cpu sysregs.ts HCR). */
const HCR = { TID1: 1n << 16n, TID2: 1n << 17n, TID3: 1n << 18n, TACR: 1n << 21n, TVM: 1n << 26n, TDZ: 1n << 28n, TRVM: 1n << 30n };
const SCTLR_UMA = 1n << 9n;
const SCTLR_DZE = 1n << 14n;
const SCTLR_UCT = 1n << 15n;

/** ID_AA64PFR1_EL1.MTE (bits [11:8]): the tests take MTE away, or lower its level, through it. */
const MTE_FIELD = 0xfn << 8n;
/** Random 64-bit values from `r`. */
const rand64 = (r: () => number) => (): bigint => (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));

const mrsWord = (op0: number, op1: number, crn: number, crm: number, op2: number, t: number): number =>
  (0xd520_0000 | (sysRegKey(op0, op1, crn, crm, op2) << 5) | t) >>> 0;
const DC_ZVA = (t: number): number => (0xd50b_7420 | t) >>> 0;

/**
 * Exception vectors at PA `pa` (VA `vbar`): the synchronous and IRQ entries from the current EL and a lower one,
 * each `b .`.
 */
function selfVectors(e: ArenaEnv, pa: number, vbar: bigint): void {
  for (const v of [0x200, 0x280, 0x400, 0x480]) loadWords(e, pa + v, [B_SELF]);
  e.cpu.sys[SysReg.VBAR_EL1] = vbar;
}

/**
 * Run `go` on a WebAssembly CPU and an interpreting one set up by `setup`; their states (and traces) must agree.
 * Returns the WebAssembly environment's state and the tier's statistics. `tier`: the code cache's tier options
 * (default: every block WebAssembly, alone, before it first runs).
 */
function differential(setup: (e: ArenaEnv) => void,
  go: (e: ArenaEnv, ports: () => number) => { stops: StopCode[]; trace: string[] },
  ranges: readonly (readonly [number, number])[], tier?: WasmTierOptions): { trace: string[]; inlined: number; calls: number; ports: Record<Engine, number> } {
  const ports = { wasm: 0, interp: 0, handlers: 0 };
  let inlined = 0;
  let calls = 0;
  const [w, i] = (['wasm', 'interp'] as Engine[]).map((engine) => {
    const e = arenaEnv(engine, { denseTags: true, ...(tier !== undefined && { wasmTier: tier }) });
    setup(e);
    // Count the memory port's data accesses: what the inline paths save.
    // (Only while the CPU runs: the tests' TLB warm-up calls them too.)
    const m = e.mmu;
    const run = e.cpu.run.bind(e.cpu);
    let running = false;
    e.cpu.run = (budget) => {
      running = true;
      try {
        return run(budget);
      } finally {
        running = false;
      }
    };
    for (const k of ['read', 'write', 'zeroBlock'] as const) {
      const f = (m[k] as (...a: unknown[]) => unknown).bind(m);
      (m as unknown as Record<string, unknown>)[k] = (...a: unknown[]) => {
        if (running) ports[engine]++;
        return f(...a);
      };
    }
    const out = go(e, () => ports[engine]);
    if (engine === 'wasm') {
      const s = e.cpu.codeCache.wasmTier(e.cpu.arena)!.stats();
      inlined = s.inlined;
      calls = s.calls;
    }
    return stateOf(e, out.stops, ranges, out.trace);
  });
  expect(w).toEqual(i);
  expect(i!.stops).not.toContain(Stop.InternalError);
  return { trace: w!.trace as string[], inlined, calls, ports };
}

describe('WebAssembly MRS and PRFM agree with the interpreter', () => {
  const CODE = RAM_BASE + 0x10_0000;
  const [op0, op1, crn, crm, op2] = [0, 1, 2, 3, 4];
  // The registers MRS reads inline when the checks pass, and others with checks or values only the handler has.
  const REGS: ReadonlyArray<readonly [string, readonly number[]]> = [
    ['TPIDR_EL1', [3, 0, 13, 0, 4]], ['TPIDR_EL0', [3, 3, 13, 0, 2]], ['TPIDRRO_EL0', [3, 3, 13, 0, 3]],
    ['SP_EL0', [3, 0, 4, 1, 0]], ['CTR_EL0', [3, 3, 0, 0, 1]], ['DCZID_EL0', [3, 3, 0, 0, 7]], ['DAIF', [3, 3, 4, 2, 1]],
    ['SCTLR_EL1 (TRVM)', [3, 0, 1, 0, 0]], ['ESR_EL1 (TRVM)', [3, 0, 5, 2, 0]], ['CLIDR_EL1 (TID2)', [3, 1, 0, 0, 1]],
    ['ID_AA64PFR0_EL1 (TID3)', [3, 0, 0, 4, 0]], ['ID space, unassigned', [3, 0, 0, 7, 7]], ['MIDR_EL1', [3, 0, 0, 0, 0]],
    ['CNTFRQ_EL0 (CNTKCTL gate)', [3, 3, 14, 0, 0]], ['CNTVCT_EL0', [3, 3, 14, 0, 2]], ['CurrentEL', [3, 0, 4, 2, 2]],
    ['NZCV', [3, 3, 4, 2, 0]], ['FPCR', [3, 3, 4, 4, 0]], ['GCR_EL1 (ATA)', [3, 0, 1, 0, 6]],
    ['GMID_EL1 (MTE2, TID5)', [3, 1, 0, 0, 4]], ['CNTP_CVAL_EL0 (CNTHCTL_EL2)', [3, 3, 14, 2, 2]],
    ['IMPLEMENTATION DEFINED', [3, 0, 11, 0, 0]], ['VBAR_EL1', [3, 0, 12, 0, 0]], ['CONTEXTIDR_EL1 (TRVM)', [3, 0, 13, 0, 1]],
    ['CNTPCT_EL0 (CNTKCTL, CNTHCTL_EL2)', [3, 3, 14, 0, 1]], ['CNTV_CTL_EL0 (CNTKCTL)', [3, 3, 14, 3, 1]],
    ['CNTP_TVAL_EL0 (CNTKCTL, CNTHCTL_EL2)', [3, 3, 14, 2, 0]], ['TFSRE0_EL1 (MTE2, ATA)', [3, 0, 5, 6, 1]],
  ];
  const PRFMS = [
    0xf980_0020, // prfm pldl1keep, [x1]
    0xf9bf_fc31, // prfm pstl1strm, [x1, #32760]
    0xf8a2_6820, // prfm pldl1keep, [x1, x2]
    0xf89f_f030, // prfum pstl1keep, [x1, #-1]
    0xd8ff_ffe0, // prfm pldl1keep, <literal -4>
  ];

  it('every inline register and its neighbours at EL0 and EL1, SPSel 0 and 1, under HCR_EL2 trap bits and EL0 gates (enumerated)', () => {
    // Block k at CODE + 16 k: mrs x(1 + k % 29), REG; mrs xzr, REG; add x30, x30, #1; b . (then PRFMs, one block).
    const forms = REGS.map(([, e], k) => [mrsWord(e[op0]!, e[op1]!, e[crn]!, e[crm]!, e[op2]!, 1 + (k % 29)),
      mrsWord(e[op0]!, e[op1]!, e[crn]!, e[crm]!, e[op2]!, 31), 0x9100_07de, B_SELF]);
    forms.push([...PRFMS, 0x9100_07de, B_SELF]);
    const r = rng(7);
    const rand = rand64(r);
    const hcrs = [0n, HCR.TID2, HCR.TID3, HCR.TRVM, HCR.TDZ, HCR.TVM | HCR.TID1 | HCR.TACR, HCR_ATA,
      HCR.TID2 | HCR.TID3 | HCR.TRVM | HCR.TDZ | (1n << 58n)];
    // The gates' second setting also takes MTE away (ID_AA64PFR1_EL1.MTE = 0: GMID_EL1 is UNDEFINED) and opens
    // CNTHCTL_EL2's EL1 timer access (CNTP_CVAL_EL0 is trapped to EL2 otherwise).
    const values = Array.from({ length: 2 * 2 * hcrs.length * 2 * forms.length }, () =>
      [rand(), rand(), rand(), rand(), Math.floor(r() * 16)] as const);
    const res = differential((e) => {
      forms.forEach((ws, k) => loadWords(e, CODE + 16 * k + (k === forms.length - 1 ? 0x1000 : 0), ws));
      selfVectors(e, CODE + 0x800, BigInt(CODE + 0x800));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      const pfr1 = c.sys[SysReg.ID_AA64PFR1_EL1]!;
      let v = 0;
      for (const el of [0, 1]) {
        for (const spsel of [0, 1]) {
          for (const hcr of hcrs) {
            for (const gates of [0n, SCTLR_UMA | SCTLR_DZE | SCTLR_UCT]) {
              forms.forEach((_, k) => {
                const [a, b2, s0, tp] = values[v++]!;
                c.sys[SysReg.HCR_EL2] = hcr;
                e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | gates);
                c.sys[SysReg.CNTKCTL_EL1] = gates === 0n ? 0n : 3n;
                c.sys[SysReg.CNTHCTL_EL2] = gates === 0n ? 0n : 3n;
                c.sys[SysReg.ID_AA64PFR1_EL1] = gates === 0n ? pfr1 : pfr1 & ~MTE_FIELD;
                c.sys[SysReg.TPIDR_EL1] = a;
                c.sys[SysReg.TPIDR_EL0] = b2;
                c.sys[SysReg.TPIDRRO_EL0] = tp;
                c.sys[SysReg.ESR_EL1] = 0n;
                c.spEl[0] = s0;
                c.el = el;
                c.spsel = spsel;
                c.daif = values[v - 1]![4];
                c.x[1] = 0x1234n;
                c.x[2] = 8n;
                c.x[30] = 0n;
                c.pc = BigInt(CODE + 16 * k + (k === forms.length - 1 ? 0x1000 : 0));
                const before = c.insnCount;
                // The whole block (a budget ending inside it would run it as handlers: mid-block.ts).
                stops.push(c.run(forms[k]!.length));
                trace.push(`el ${el} sp ${spsel} hcr ${hcr.toString(16)} gates ${gates} form ${k}: pc ${c.pc.toString(16)} ` +
                  `n ${c.insnCount - before} x${1 + (k % 29)} ${c.x[1 + (k % 29)]!.toString(16)} x30 ${c.x[30]} ` +
                  `esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} esr2 ${c.el2.esr.toString(16)}`);
                c.el2.esr = 0n;
              });
            }
          }
        }
      }
      return { stops, trace };
    }, []);
    // Every inline register and the PRFM block compiled inline (MRS of the others are calls), and not vacuous: each
    // inline register was read inline somewhere, and undefined or trapped elsewhere.
    expect(res.inlined).toBeGreaterThanOrEqual(2 * 7 + PRFMS.length);
    for (const [k, name] of [[0, 'TPIDR_EL1'], [3, 'SP_EL0'], [4, 'CTR_EL0'], [6, 'DAIF'], [18, 'GCR_EL1'], [19, 'GMID_EL1'],
      [27, 'TFSRE0_EL1']] as const) {
      expect(REGS[k]![0].startsWith(name), name).toBe(true);
      const lines = res.trace.filter((l) => l.includes(` form ${k}:`));
      expect(lines.filter((l) => / n 4 .* esr 0 esr2 0$/.test(l)).length, name).toBeGreaterThan(0);
      expect(lines.filter((l) => !/ esr 0 esr2 0$/.test(l)).length, name).toBeGreaterThan(0);
    }
  });
});

describe('WebAssembly MSR (register) agrees with the interpreter', () => {
  const CODE = RAM_BASE + 0x10_0000;
  const msrWord = (key: number, t: number): number => (0xd500_0000 | (key << 5) | t) >>> 0;
  // The registers MSR writes inline when the checks pass (a store of the value, masked for the MTE registers and
  // CSSELR_EL1), and others whose writes only the handler makes (PSTATE, FP, translation controls, timers, debug,
  // read-only, EL2).
  const REGS: ReadonlyArray<readonly [string, number]> = ([
    ['ELR_EL1', 'ELR_EL1'], ['SPSR_EL1', 'SPSR_EL1'], ['SP_EL0', 'SP_EL0'], ['TPIDR_EL1', 'TPIDR_EL1'],
    ['TPIDR_EL0', 'TPIDR_EL0'], ['TPIDRRO_EL0 (read-only at EL0)', 'TPIDRRO_EL0'], ['VBAR_EL1', 'VBAR_EL1'],
    ['ESR_EL1 (TVM)', 'ESR_EL1'], ['TFSRE0_EL1 (MTE2, ATA, mask)', 'TFSRE0_EL1'], ['GCR_EL1 (MTE2, ATA, mask)', 'GCR_EL1'],
    ['TFSR_EL1', 'TFSR_EL1'], ['CSSELR_EL1 (mask)', 'CSSELR_EL1'], ['CNTKCTL_EL1', 'CNTKCTL_EL1'],
    ['DAIF', 'DAIF'], ['NZCV', 'NZCV'], ['SCTLR_EL1', 'SCTLR_EL1'], ['TTBR0_EL1', 'TTBR0_EL1'], ['FPCR', 'FPCR'],
    ['CNTV_CVAL_EL0', 'CNTV_CVAL_EL0'], ['MDSCR_EL1', 'MDSCR_EL1'], ['MIDR_EL1 (read-only)', 'MIDR_EL1'],
    ['HCR_EL2', 'HCR_EL2'],
  ] as const).map(([label, name]) => [label, SysReg[name]] as const);

  it('every register at EL0 and EL1, SPSel 0 and 1, under HCR_EL2 trap bits, ATA and the MTE level (enumerated)', () => {
    // Block k at CODE + 16 k: msr REG, x(1 + k % 29) (it ends the block); add x30, x30, #1; b . (a second block,
    // which the first chains to); and the same with XZR at CODE + 0x800 + 16 k.
    const keyOf = (id: number): number => {
      for (let key = 0; key < 0x10000; key++) if (sysRegByKey(key) === id) return key;
      throw new Error(`no key for ${id}`);
    };
    const keys = REGS.map(([, id]) => keyOf(id));
    const r = rng(8);
    const rand = rand64(r);
    const hcrs = [0n, HCR_ATA, HCR_ATA | HCR.TVM, HCR.TVM | HCR.TRVM];
    // The same registers' values for both engines.
    const values = Array.from({ length: 2 * 2 * hcrs.length * 2 * 2 * REGS.length }, () => Array.from({ length: 30 }, rand));
    const res = differential((e) => {
      keys.forEach((key, k) => {
        loadWords(e, CODE + 16 * k, [msrWord(key, 1 + (k % 29)), 0x9100_07de, B_SELF]);
        loadWords(e, CODE + 0x800 + 16 * k, [msrWord(key, 31), 0x9100_07de, B_SELF]);
      });
      selfVectors(e, CODE + 0xc00, BigInt(CODE + 0xc00));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      const pfr1 = c.sys[SysReg.ID_AA64PFR1_EL1]!;
      let v = 0;
      for (const el of [0, 1]) {
        for (const spsel of [0, 1]) {
          for (const hcr of hcrs) {
            for (const mte of [true, false]) {
              for (const zr of [false, true]) {
                REGS.forEach(([, id], k) => {
                  c.sys[SysReg.HCR_EL2] = hcr;
                  c.sys[SysReg.ID_AA64PFR1_EL1] = mte ? pfr1 : pfr1 & ~MTE_FIELD;
                  e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET);
                  c.sys[SysReg.VBAR_EL1] = BigInt(CODE + 0xc00);
                  c.sys[SysReg.ESR_EL1] = 0n;
                  c.sys[id] = 0n;
                  c.spEl[0] = 0x5000n;
                  c.el = el;
                  c.spsel = spsel;
                  c.daif = 0xf;
                  const xs = values[v++]!;
                  for (let t = 1; t < 30; t++) c.x[t] = xs[t]!;
                  c.x[30] = 0n;
                  c.pc = BigInt(CODE + 16 * k + (zr ? 0x800 : 0));
                  const before = c.insnCount;
                  stops.push(c.run(3));
                  const value = id === SysReg.SP_EL0 ? c.spEl[0] : c.sys[id];
                  trace.push(`el ${el} sp ${spsel} hcr ${hcr.toString(16)} mte ${mte} zr ${zr} reg ${k}: pc ${c.pc.toString(16)} ` +
                    `n ${c.insnCount - before} value ${value!.toString(16)} x30 ${c.x[30]} ` +
                    `esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} esr2 ${c.el2.esr.toString(16)}`);
                  c.el2.esr = 0n;
                });
              }
            }
          }
        }
      }
      return { stops, trace };
    }, []);
    // The first 13 registers are written inline (each block's MSR counts as one translation), the others are calls.
    expect(res.inlined).toBeGreaterThanOrEqual(2 * 13);
    // Not vacuous: each inline register was written (MSR and the next block: n 3) somewhere, and undefined or trapped
    // elsewhere (the MTE ones also for the MTE level and ATA).
    for (let k = 0; k < 13; k++) {
      const lines = res.trace.filter((l) => l.includes(` reg ${k}:`));
      expect(lines.filter((l) => / n 3 .* x30 1 esr \S+ esr2 0$/.test(l) && !/ value 0 /.test(l)).length, REGS[k]![0]).toBeGreaterThan(0);
      // (TPIDR_EL0 is writable from EL0 and EL1 whatever the traps.)
      if (REGS[k]![1] !== SysReg.TPIDR_EL0) expect(lines.filter((l) => !/ esr 0 esr2 0$/.test(l)).length, REGS[k]![0]).toBeGreaterThan(0);
    }
    const tfsre0 = res.trace.filter((l) => l.includes(' reg 8:'));
    expect(tfsre0.filter((l) => l.startsWith('el 1') && l.includes('mte false') && !/ esr 0 /.test(l)).length).toBeGreaterThan(0);
    expect(tfsre0.filter((l) => l.startsWith('el 1 sp 1 hcr 0 mte true') && !/ esr2 0$/.test(l)).length).toBeGreaterThan(0);
  });
});

describe('WebAssembly data cache maintenance (no operation in the model) agrees with the interpreter', () => {
  it('DC CVAU, CIVAC, CVAC, CVAP, IVAC and CISW at EL0 and EL1 under SCTLR_EL1.UCI and HCR_EL2.TPU/TPCP/TSW (enumerated)', () => {
    const CODE = RAM_BASE + 0x10_0000;
    const SCTLR_UCI = 1n << 26n;
    const [TSW, TPCP, TPU] = [1n << 22n, 1n << 23n, 1n << 24n];
    // Block k at CODE + 16 k: dc <op>, x1 | add x30, x30, #1; b .   (the operation ends its block)
    const ops = [0xd50b_7b21, 0xd50b_7e21, 0xd50b_7a21, 0xd50b_7c21, 0xd508_7621, 0xd508_7e41];
    const res = differential((e) => {
      ops.forEach((w, k) => loadWords(e, CODE + 16 * k, [w, 0x9100_07de, B_SELF]));
      selfVectors(e, CODE + 0x800, BigInt(CODE + 0x800));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      for (const el of [0, 1]) {
        for (const uci of [0n, SCTLR_UCI]) {
          for (const hcr of [0n, TPU, TPCP, TSW, TPU | TPCP | TSW]) {
            ops.forEach((_, k) => {
              c.sys[SysReg.HCR_EL2] = hcr;
              e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | uci);
              c.el = el;
              c.spsel = el;
              c.sys[SysReg.ESR_EL1] = 0n;
              c.x[1] = 0x4000_1000n;
              c.x[30] = 0n;
              c.pc = BigInt(CODE + 16 * k);
              const before = c.insnCount;
              stops.push(c.run(3));
              trace.push(`el ${el} uci ${uci} hcr ${hcr.toString(16)} op ${k}: pc ${c.pc.toString(16)} n ${c.insnCount - before} ` +
                `x30 ${c.x[30]} esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} esr2 ${c.el2.esr.toString(16)}`);
              c.el2.esr = 0n;
            });
          }
        }
      }
      return { stops, trace };
    }, []);
    // Inline (all six: DC CVAP with FEAT_DPB, which the model advertises), and not vacuous: completed, trapped to EL1
    // at EL0, trapped to EL2.
    expect(res.inlined).toBeGreaterThanOrEqual(6);
    expect(res.trace.filter((l) => / x30 1 esr 0 esr2 0$/.test(l)).length).toBeGreaterThan(20);
    expect(res.trace.filter((l) => / esr 62/.test(l)).length).toBeGreaterThan(5);
    expect(res.trace.filter((l) => !/ esr2 0$/.test(l)).length).toBeGreaterThan(20);
  });
});

describe('WebAssembly DC ZVA and LDAR/STLR agree with the interpreter', () => {
  const CODE = RAM_BASE + 0x10_0000;
  const DATA = RAM_BASE + 0x20_0000;
  // VAs: RW Normal pages, a Tagged page, read-only, EL0-accessible (PAN), Device, unmapped, the code page itself.
  const RW = 0x10000n;
  const TAGGED = 0x12000n;
  const RO = 0x13000n;
  const EL0 = 0x15000n;
  const DEV = 0x16000n;
  const UNMAPPED = 0x14000n;
  const CODE_VA = 0x1000n;
  /** A writable view of the code page at CODE_VA (which is read-only, executable at EL0 and EL1). */
  const CODE_ALIAS = 0x17000n;
  const BASES = [RW, RW + 0xfc0n, TAGGED, TAGGED + 0x40n, RO, EL0, DEV, UNMAPPED, CODE_ALIAS + 0x100n];
  const granuleTag = (g: number): number => (g * 5 + 1) & 15;

  function setup(e: ArenaEnv): void {
    for (let p = 0; p < 4; p++) {
      e.t.map(e.root0, CODE_VA + BigInt(0x1000 * p), s1PageDesc(CODE + 0x1000 * p, { attrIndx: Attr.WB, ap: Ap.RoAll }));
    }
    e.t.map(e.root0, CODE_ALIAS, s1PageDesc(CODE, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
    e.t.map(e.root0, RW, s1PageDesc(DATA, { attrIndx: Attr.WB }));
    e.t.map(e.root0, RW + 0x1000n, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.WB }));
    e.t.map(e.root0, TAGGED, s1PageDesc(DATA + 0x2000, { attrIndx: Attr.Tagged }));
    e.t.map(e.root0, RO, s1PageDesc(DATA + 0x3000, { attrIndx: Attr.WB, ap: Ap.RoEl1 }));
    e.t.map(e.root0, EL0, s1PageDesc(DATA + 0x4000, { attrIndx: Attr.WB, ap: Ap.RwAll }));
    e.t.map(e.root0, DEV, s1PageDesc(DATA + 0x5000, { attrIndx: Attr.Device }));
    for (let g = 0; g < 256; g++) e.ram.tags!.setTag(DATA + 0x2000 + 16 * g, granuleTag(g));
    for (let pa = DATA; pa < DATA + 0x6000; pa += 8) e.ram.view.setBigUint64(pa - RAM_BASE, BigInt(pa) * 0x9e37_79b9n, true);
    selfVectors(e, CODE + 0x800, CODE_VA + 0x800n);
    e.set('TCR_EL1', TCR_48_4K | TCR.TBI0 | TCR.TBI1);
  }

  /** Fill the TLB with the data pages, so the inline paths can hit. */
  const warm = (e: ArenaEnv): void => {
    for (const va of [RW, RW + 0x1000n, TAGGED, EL0, CODE_ALIAS, RO, DEV]) {
      try {
        e.mmu.read(va, 8, 0);
      } catch {
        // not readable from this EL and PAN: no TLB entry either
      }
    }
  };

  it('MSR DAIF, DAIFSet, DAIFClr and TCO at EL0 and EL1 (UMA), with a debug event configured or not, a pending IRQ, every MTE level and TCF (enumerated)', () => {
    // Block k at CODE_VA + 0x200 + 16 k: the write (it ends the block); then ldr x1, [x20]; add x30, x30, #1; b .
    // (x20: the Tagged page through a pointer whose tag mismatches: a checked load faults where TCO = 0 lets it).
    const writes = [
      0xd503_42ff, // msr daifclr, #2   (unmasks a pending IRQ: taken before the load)
      0xd503_4fff, // msr daifclr, #0xf (D too)
      0xd503_43df, // msr daifset, #3
      0xd503_4fdf, // msr daifset, #0xf
      0xd51b_4223, // msr daif, x3
      0xd51b_423f, // msr daif, xzr
      0xd503_409f, // msr tco, #0
      0xd503_419f, // msr tco, #1
    ];
    const r = rng(12);
    // Debug events: none; software step configured but not active (PSTATE.SS = 0); a breakpoint on the add at EL1
    // (MDSCR_EL1.KDE and MDE), which fires only while PSTATE.D = 0.
    const cases: Array<{ k: number; el: number; uma: boolean; debug: 'none' | 'step' | 'bkpt'; irq: boolean; daif: number; tco: number; tcf: number; mte: number; x3: bigint }> = [];
    for (let k = 0; k < writes.length; k++) {
      for (const el of [0, 1]) {
        for (const uma of el === 0 ? [false, true] : [false]) {
          for (const debug of ['none', 'step', 'bkpt'] as const) {
            for (const irq of [false, true]) {
              for (const tcf of [0, 1]) {
                for (const mte of k >= 6 ? [2, 1, 0] : [2]) {
                  for (const tco of [0, 1]) cases.push({ k, el, uma, debug, irq, tcf, mte, daif: Math.floor(r() * 16), tco, x3: BigInt(Math.floor(r() * 0x400)) });
                }
              }
            }
          }
        }
      }
    }
    const res = differential((e) => {
      setup(e);
      writes.forEach((w, k) => loadWords(e, CODE + 0x200 + 16 * k, [w, 0xf940_0281, 0x9100_07de, B_SELF]));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      const pfr1 = c.sys[SysReg.ID_AA64PFR1_EL1]!;
      for (const k of cases) {
        c.sys[SysReg.HCR_EL2] = HCR_ATA;
        c.sys[SysReg.ID_AA64PFR1_EL1] = (pfr1 & ~MTE_FIELD) | (BigInt(k.mte) << 8n);
        e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | (k.uma ? SCTLR_UMA : 0n) |
          SCTLR_MTE.TCF(k.tcf) | SCTLR_MTE.TCF0(k.tcf));
        c.sys[SysReg.MDSCR_EL1] = k.debug === 'step' ? 1n : k.debug === 'bkpt' ? (1n << 13n) | (1n << 15n) : 0n; // SS; KDE, MDE
        c.sys[SysReg.DBGBVR0_EL1] = CODE_VA + 0x208n + BigInt(16 * k.k);
        c.sys[SysReg.DBGBCR0_EL1] = k.debug === 'bkpt' ? 0x1e3n : 0n; // E, PMC = EL1, BAS = 0b1111
        c.sys[SysReg.OSLSR_EL1] = c.sys[SysReg.OSLSR_EL1]! & ~2n; // the OS lock off
        c.debugChanged();
        c.el = k.el;
        c.spsel = k.el;
        c.daif = k.daif;
        c.tco = k.tco;
        c.irqLine = k.irq;
        c.sys[SysReg.ESR_EL1] = 0n;
        c.x[1] = 0n;
        c.x[3] = k.x3;
        c.x[20] = (BigInt((granuleTag(0) + 3) & 15) << 56n) | TAGGED;
        c.x[30] = 0n;
        c.pc = CODE_VA + 0x200n + BigInt(16 * k.k);
        warm(e);
        const before = c.insnCount;
        stops.push(c.run(6)); // (room to chain from the write into the next block)
        c.irqLine = false;
        trace.push(`${JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}: pc ${c.pc.toString(16)} ` +
          `n ${c.insnCount - before} x1 ${c.x[1]!.toString(16)} x30 ${c.x[30]} daif ${c.daif} tco ${c.tco} ` +
          `esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} esr2 ${c.el2.esr.toString(16)}`);
        c.el2.esr = 0n;
      }
      return { stops, trace };
    }, [], { hotRuns: 1, batchBlocks: 64 });
    // (Blocks become WebAssembly after two runs, a write's block in the module of the next, which it chains to,
    // where the mode they share must still be right.)
    // Inline, and not vacuous: writes that completed and went on to the load, IRQs taken after DAIFClr (at the IRQ
    // vector, the load not run), tag check faults after TCO #0 with TCF 1, and the handler's cases (EL0 without UMA).
    expect(res.inlined).toBeGreaterThanOrEqual(writes.length);
    const lines = res.trace;
    // (EL0's loads take a permission fault: the Tagged page is EL1's.)
    expect(lines.filter((l) => / n 6 .* x30 1 .* esr 0 esr2 0$/.test(l)).length).toBeGreaterThan(30);
    expect(lines.filter((l) => /^\{"k":[01],"el":1,.*"irq":true/.test(l) && / pc 1a80 .* x30 0 /.test(l)).length).toBeGreaterThan(0);
    expect(lines.filter((l) => /^\{"k":6,"el":1,.*"tcf":1,"mte":2/.test(l) && / esr 96000011 /.test(l)).length).toBeGreaterThan(0);
    expect(lines.filter((l) => /^\{"k":7,"el":1,.*"tcf":1,"mte":2/.test(l) && / n 6 .* esr 0 /.test(l)).length).toBeGreaterThan(0);
    // Breakpoint exceptions (EC 0x31) after a write that cleared D at EL1.
    expect(lines.filter((l) => /^\{"k":[15],"el":1,.*"bkpt"/.test(l) && / esr c6/.test(l)).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('"el":0,"uma":false') && !/ esr 0 /.test(l)).length).toBeGreaterThan(0);
  });

  it('DC ZVA on every kind of page, tags matching or not, PAN, EL0 (DZE), HCR_EL2.TDZ, code pages, open reservations (enumerated)', () => {
    // 0x1000: dc zva, x1 | add x30, x30, #1; b 0x1100       0x1010: ldxr x3, [x4]; dc zva, x1 | stxr w5, x6, [x4]; b 0x1100
    // 0x1100: add x29, x29, #1; b .  (the block DC ZVA of CODE_ALIAS + 0x100 zeroes: it must not run again)
    // (The store-exclusive passes: a PE's own stores leave its reservation, in the model as in QEMU.)
    const cases: Array<{ base: bigint; off: number; tag: string; el: number; pan: number; tcf: number; dze: boolean; tdz: boolean; resv: boolean }> = [];
    const r = rng(11);
    for (const base of BASES) {
      for (const el of [0, 1]) {
        for (const pan of el === 1 ? [0, 1] : [0]) {
          for (const tcf of [0, 1]) {
            for (const tag of ['match', 'mismatch', 'zero']) {
              for (const dze of el === 0 ? [false, true] : [true]) {
                for (const tdz of [false, true]) {
                  for (const resv of [false, true]) cases.push({ base, off: Math.floor(r() * 64), tag, el, pan, tcf, dze, tdz, resv });
                }
              }
            }
          }
        }
      }
    }
    const blockTag = (va: bigint): number => granuleTag(Number(va & 0xfc0n) >> 4);
    const ptrTag = (k: (typeof cases)[number]): number => {
      const t = blockTag(k.base + BigInt(k.off));
      return k.tag === 'match' ? t : k.tag === 'zero' ? 0 : (t + 3) & 15;
    };
    const mismatchPorts = { wasm: [] as number[], interp: [] as number[] };
    // With a reservation open (the LDXR), DC ZVA is the handler's (it tells the domain's monitors of the store).
    const resvPorts = { wasm: [] as number[], interp: [] as number[] };
    const res = differential((e) => {
      setup(e);
      loadWords(e, CODE, [DC_ZVA(1), 0x9100_07de, b(0x1008, 0x1100), 0, 0xc85f_7c83, DC_ZVA(1), 0xc805_7c86,
        b(0x101c, 0x1100)]);
    }, (e, ports) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      for (const k of cases) {
        loadWords(e, CODE + 0x100, [0x9100_07bd, B_SELF]);
        c.sys[SysReg.HCR_EL2] = HCR_ATA | (k.tdz ? HCR.TDZ : 0n);
        e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | (k.dze ? SCTLR_DZE : 0n) |
          SCTLR_MTE.TCF(k.tcf) | SCTLR_MTE.TCF0(k.tcf));
        c.el = k.el;
        c.spsel = k.el;
        c.pan = k.pan;
        c.tco = 0; // (an exception entry sets it)
        c.sys[SysReg.ESR_EL1] = 0n;
        c.sys[SysReg.FAR_EL1] = 0n;
        c.x[1] = (BigInt(ptrTag(k)) << 56n) | (k.base + BigInt(k.off));
        c.x[4] = k.base === RW || k.base === RW + 0xfc0n ? k.base + 8n : RW + 0x800n;
        c.x[5] = 7n;
        c.x[6] = 0x5555n;
        c.x[29] = 0n;
        c.x[30] = 0n;
        c.pc = k.resv ? CODE_VA + 0x10n : CODE_VA;
        warm(e);
        const before = c.insnCount;
        const p0 = ports();
        stops.push(c.run(k.resv ? 6 : 5));
        if (k.tag === 'mismatch' && k.tcf !== 0 && k.base >= TAGGED && k.base < TAGGED + 0x1000n) {
          mismatchPorts[e.engine as 'wasm' | 'interp'].push(ports() - p0);
        }
        if (k.resv) resvPorts[e.engine as 'wasm' | 'interp'].push(ports() - p0);
        trace.push(`${JSON.stringify(k, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}: pc ${c.pc.toString(16)} ` +
          `n ${c.insnCount - before} x5 ${c.x[5]} x29 ${c.x[29]} x30 ${c.x[30]} esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} ` +
          `far ${c.sys[SysReg.FAR_EL1]!.toString(16)} esr2 ${c.el2.esr.toString(16)}`);
        c.el2.esr = 0n;
        c.clearExclusive();
      }
      return { stops, trace };
    }, [[DATA, 0x6000], [CODE, 0x1000]]);
    // Not vacuous: blocks zeroed inline (fewer port accesses), others faulted (ESR set) or trapped to EL2; the code
    // block was zeroed (UNDEFINED when reached). A tag mismatch that can be checked, and an open reservation, are
    // always the handler's (as many port accesses as the interpreter).
    expect(res.ports.interp - res.ports.wasm).toBeGreaterThan(30);
    expect(res.trace.filter((l) => / x29 1 x30 1 esr 0 /.test(l)).length).toBeGreaterThan(40);
    expect(res.trace.filter((l) => / x5 0 x29 1 x30 0 esr 0 /.test(l)).length).toBeGreaterThan(10);
    expect(res.trace.filter((l) => / esr 2000000 /.test(l)).length).toBeGreaterThan(4); // UNDEFINED at 0x1100: zeroed
    expect(res.trace.filter((l) => / esr 62/.test(l)).length).toBeGreaterThan(4); // DC ZVA trapped (EL0, DZE 0: EC 0x18)
    expect(res.trace.filter((l) => !/ esr2 0$/.test(l)).length).toBeGreaterThan(5);
    expect(mismatchPorts.wasm.length).toBeGreaterThan(10);
    expect(mismatchPorts.wasm).toEqual(mismatchPorts.interp);
    expect(resvPorts.wasm).toEqual(resvPorts.interp);
  });

  it('LDAR/STLR of every size on every kind of page, aligned and not, SP bases, tags matching or not, open reservations (200 random blocks)', () => {
    const r = rng(13);
    const int = (n: number): number => Math.floor(r() * n);
    const blocks = Array.from({ length: 200 }, () => {
      const words: number[] = [];
      for (let i = 0; i < 6; i++) {
        const size = int(4);
        const n = r() < 0.15 ? 31 : 20 + int(3);
        const t = r() < 0.05 ? 31 : int(10);
        const kind = int(10);
        // LDAR, STLR; now and then LDXR (opens a reservation), LDLAR/STLLR (FEAT_LOR)
        const w = kind < 4 ? 0x08df_fc00 : kind < 8 ? 0x089f_fc00 : kind === 8 ? 0x085f_7c00 : [0x08df_7c00, 0x089f_7c00][int(2)]!;
        words.push(((size << 30) | w | (n << 5) | t) >>> 0);
      }
      // Any offset in the page; in the code page's view, only below its vectors (0x800).
      const base = (): bigint => {
        const p = BASES[int(BASES.length)]!;
        return p + BigInt(p === CODE_ALIAS + 0x100n ? 8 * int(32) : r() < 0.8 ? (8 * int(500)) & 0xff8 : int(4096));
      };
      const tag = int(16);
      return { words, x20: base(), x21: base(), x22: base(), sp: base() & ~15n, tag, el: int(2), pan: int(2), tcf: int(3) };
    });
    const res = differential((e) => {
      setup(e);
      blocks.forEach((b, k) => loadWords(e, CODE + 0x1000 + 32 * k, [...b.words, 0x9100_07de, B_SELF]));
    }, (e) => {
      const c = e.cpu;
      const stops: StopCode[] = [];
      const trace: string[] = [];
      blocks.forEach((b, k) => {
        c.sys[SysReg.HCR_EL2] = HCR_ATA;
        e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | SCTLR_MTE.TCF(b.tcf) |
          SCTLR_MTE.TCF0(b.tcf));
        c.el = b.el;
        c.spsel = b.el;
        c.pan = b.el === 1 ? b.pan : 0;
        c.tco = 0; // (an exception entry sets it)
        c.sys[SysReg.ESR_EL1] = 0n;
        c.sys[SysReg.FAR_EL1] = 0n;
        c.sys[SysReg.TFSR_EL1] = 0n;
        c.sys[SysReg.TFSRE0_EL1] = 0n;
        for (let i = 0; i < 10; i++) c.x[i] = 0x1111_1111_1111_1111n * BigInt(i + 1);
        const tagged = (v: bigint): bigint => (BigInt(b.tag) << 56n) | v;
        c.x[20] = tagged(b.x20);
        c.x[21] = b.x21;
        c.x[22] = tagged(b.x22);
        c.spEl[b.el] = b.sp;
        c.x[30] = 0n;
        c.pc = CODE_VA + 0x1000n + BigInt(32 * k);
        warm(e);
        const before = c.insnCount;
        stops.push(c.run(8));
        trace.push(`block ${k}: pc ${c.pc.toString(16)} n ${c.insnCount - before} esr ${c.sys[SysReg.ESR_EL1]!.toString(16)} ` +
          `far ${c.sys[SysReg.FAR_EL1]!.toString(16)} tfsr ${c.sys[SysReg.TFSR_EL1]} ${c.sys[SysReg.TFSRE0_EL1]}`);
        c.clearExclusive();
      });
      return { stops, trace };
    }, [[DATA, 0x6000], [CODE, 0x4000]]);
    expect(res.ports.wasm).toBeLessThan(res.ports.interp * 0.8);
    expect(res.trace.filter((l) => / n 8 esr 0 /.test(l)).length).toBeGreaterThan(10);
    expect(res.trace.filter((l) => !/ esr 0 /.test(l)).length).toBeGreaterThan(40);
  });
});
