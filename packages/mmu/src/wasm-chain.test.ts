// The WebAssembly tier's newest paths against the interpreter: chaining inside a module (a direct exit to another
// block of the module on the same virtual page tail-calls it, and so does a register branch whose target is one of
// them: wasm-jit/block-emitter.ts exitDirect, exitIndirect), SVC at a block's end entering its exception through the
// `svc` import (tier.ts svcSite), and the run loop's jump cache (jit.ts runBlocks). Code caches here batch several
// blocks into one module (`{ hotRuns: k, batchBlocks: m }`) and programs run many times, so hot loops are compiled
// together and chain. Every test checks, through a probe on the WebAssembly environment's blocks, that the path it
// targets was taken (entries of the run loop that ran more than one block, register branches that chained,
// exceptions raised in a block other than the one entered), so none passes by never chaining; every test also
// checks that no entry ran past its budget. Chains to another module or virtual page go through the arena jump cache
// (wasm-jit/jump-cache.ts): the last section tests them.
import { IMPL, Stop, SysReg, type Block, type StopCode, type WasmTierOptions } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, stateOf, type ArenaEnv, type Engine, type State } from './arena-test-env.js';
import type { Mmu } from './mmu.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { B_SELF, b, bcond, bl, blr, br, cbz, randomWord, ret, rng, tbz } from './random-code.js';
import { Attr, RAM_BASE, SCTLR } from './test-env.js';

// ---- instruction words ----

const addi = (d: number, n: number, imm: number): number => (0x9100_0000 | (imm << 10) | (n << 5) | d) >>> 0;
const subsi = (d: number, n: number, imm: number): number => (0xf100_0000 | (imm << 10) | (n << 5) | d) >>> 0;
const eor = (d: number, n: number, m: number): number => (0xca00_0000 | (m << 16) | (n << 5) | d) >>> 0;
const mov = (d: number, m: number): number => (0xaa00_03e0 | (m << 16) | d) >>> 0;
const movz = (d: number, imm: number): number => (0xd280_0000 | (imm << 5) | d) >>> 0;
const strx = (t: number, n: number): number => (0xf900_0000 | (n << 5) | t) >>> 0;
const ldrx = (t: number, n: number): number => (0xf940_0000 | (n << 5) | t) >>> 0;
const strw = (t: number, n: number): number => (0xb900_0000 | (n << 5) | t) >>> 0;
const stlr = (t: number, n: number): number => (0xc89f_fc00 | (n << 5) | t) >>> 0;
const mrsEsr = (t: number): number => (0xd538_5200 | t) >>> 0;
const mrsElr = (t: number): number => (0xd538_4020 | t) >>> 0;
const mrsFar = (t: number): number => (0xd538_6000 | t) >>> 0;
const mrsSpsr = (t: number): number => (0xd538_4000 | t) >>> 0;
const msrElr = (t: number): number => (0xd518_4020 | t) >>> 0;
const msrTtbr0 = (t: number): number => (0xd518_2000 | t) >>> 0;
const icIvau = (t: number): number => (0xd50b_7520 | t) >>> 0;
const tlbiVae1 = (t: number): number => (0xd508_8720 | t) >>> 0;
const svc = (imm: number): number => (0xd400_0001 | (imm << 5)) >>> 0;
const brk = (imm: number): number => (0xd420_0000 | (imm << 5)) >>> 0;
const ERET = 0xd69f_03e0;
const ISB = 0xd503_3fdf;
const DSB_ISH = 0xd503_3b9f;
const TLBI_VMALLE1 = 0xd508_871f;
const IC_IALLU = 0xd508_751f;

/** A data-processing word on x0-x7 (ADD/SUB/EOR/ORR shifted register, ADD immediate, SUBS/ADDS). */
function dpw(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const d = int(8);
  const n = int(8);
  const m = int(8);
  switch (int(5)) {
    case 0: return (0x8b00_0000 | (int(2) << 30) | (m << 16) | (int(8) << 10) | (n << 5) | d) >>> 0; // add/sub
    case 1: return (0xca00_0000 | (m << 16) | (int(4) << 10) | (n << 5) | d) >>> 0; // eor
    case 2: return (0xaa00_0000 | (m << 16) | (n << 5) | d) >>> 0; // orr
    case 3: return addi(d, n, int(4096));
    default: return (0xab00_0000 | (int(2) << 30) | (m << 16) | (n << 5) | d) >>> 0; // adds/subs
  }
}

// ---- memory layout ----

/**
 * Code: four pages at VA 0x10000 (PA CODE_PA...), the EL1 vectors at VA 0x8000, data at VA 0x3c000..0x48000 (PA
 * DATA_PA...: 12 pages around the base registers at 0x40000..0x43fff, which random loads and stores move).
 */
const CODE_VA = 0x10000n;
const CODE_PA = RAM_BASE + 0x10_0000;
/** Alternative contents for a remapped code page (guest remaps: PA ALT_PA + 0x1000 k). */
const ALT_PA = RAM_BASE + 0x10_8000;
const VEC_VA = 0x8000n;
const VEC_PA = RAM_BASE + 0x10_c000;
const DATA_VA = 0x40000n;
const DATA_PA = RAM_BASE + 0x20_0000;
/** The page-table window: VA PT_VA + x maps PA RAM_BASE + x (the tables are allocated from RAM_BASE). */
const PT_VA = 0x7000_0000n;
/** A second view of code page 0, EL1 read/write (stores into code through another virtual address). */
const ALIAS_VA = 0x30000n;
/** Addresses nothing maps, which the port hooks of a test may claim (device-like side effects). */
const MAGIC = [0x5000_0000n, 0x5000_1000n, 0x5000_2000n] as const;
const UNMAPPED = 0x6000_0000n;

const codeVa = (page: number, off = 0): bigint => CODE_VA + BigInt(0x1000 * page + off);
const codePa = (va: bigint): number => CODE_PA + Number(va - CODE_VA);

interface Layout {
  /** EL0 code: the code pages EL0 read-only (executable at both ELs); else EL1 read/write. */
  el0?: boolean;
}

/** Map code, vectors, data, the alias and page-table windows; stage 1 on, VBAR_EL1 at the vectors. */
function layout(e: ArenaEnv, o: Layout = {}): void {
  for (let k = 0; k < 4; k++) {
    e.t.map(e.root0, codeVa(k), s1PageDesc(CODE_PA + 0x1000 * k, { attrIndx: Attr.WB, ap: o.el0 === true ? Ap.RoAll : Ap.RwEl1 }));
  }
  e.t.map(e.root0, VEC_VA, s1PageDesc(VEC_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
  for (let k = -4; k < 8; k++) e.t.map(e.root0, DATA_VA + BigInt(0x1000 * k), s1PageDesc(DATA_PA + 0x4000 + 0x1000 * k, { attrIndx: Attr.WB, ap: Ap.RwAll }));
  e.t.map(e.root0, ALIAS_VA, s1PageDesc(CODE_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
  for (let k = 0; k < 32; k++) e.t.map(e.root0, PT_VA + BigInt(0x1000 * k), s1PageDesc(RAM_BASE + 0x1000 * k, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
  // Every vector `b .` unless a test loads its own.
  for (let v = 0; v < 0x800; v += 0x80) loadWords(e, VEC_PA + v, [B_SELF]);
  e.cpu.sys[SysReg.VBAR_EL1] = VEC_VA;
  e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M);
}

/** Load a program: words by virtual address (code pages and vectors). */
function loadCode(e: ArenaEnv, code: ReadonlyMap<bigint, readonly number[]>): void {
  for (const [va, words] of code) loadWords(e, va >= CODE_VA ? codePa(va) : VEC_PA + Number(va - VEC_VA), words);
}

/** The page-table window address of the level-3 descriptor of `va` (in root0's tables). */
const pteVa = (e: ArenaEnv, va: bigint): bigint => PT_VA + BigInt(e.t.slot(e.root0, va) - RAM_BASE);

// ---- the probe ----

/** The fixed target of a block-ending B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ `w` at `pc`, or undefined. */
function directTarget(w: number, pc: bigint): bigint | undefined {
  const at = (off: number): bigint => BigInt.asUintN(64, pc + BigInt(off));
  if ((w & 0x7c00_0000) === 0x1400_0000) return at(((w & 0x3ff_ffff) << 6) >> 4);
  if ((w & 0xff00_0010) === 0x5400_0000 || (w & 0x7e00_0000) === 0x3400_0000) return at((((w >>> 5) & 0x7ffff) << 13) >> 11);
  if ((w & 0x7e00_0000) === 0x3600_0000) return at((((w >>> 5) & 0x3fff) << 18) >> 16);
  return undefined;
}
const lastPc = (bk: Block): bigint => bk.pc + BigInt(4 * (bk.n - 1));
const selfLoops = (bk: Block): boolean => bk.ended && directTarget(bk.words[bk.n - 1]!, lastPc(bk)) === bk.pc;
/** BR, BLR, RET. */
const regBranch = (bk: Block): boolean => bk.ended && ((bk.words[bk.n - 1]! & 0xff9f_fc1f) >>> 0) === 0xd61f_0000;

/**
 * What the run loop of one WebAssembly environment did with compiled blocks: every compiled block's `run` is wrapped
 * (through the code cache's `add` and the tier's `compileQueued`, both public) to see what each entry retired and
 * which block it ended in (`Block.ranTo`).
 */
class Probe {
  /** Run-loop entries into WebAssembly blocks. */
  entries = 0;
  /** Entries that ran more than the entered block: a tail call to another block of the module happened. */
  chained = 0;
  /** Entries of a block ending in BR/BLR/RET that retired more than it: its register branch tail-called. */
  indirect = 0;
  /** Entries whose exception was raised in a block other than the one entered (after a chain). */
  raisedInChain = 0;
  /** Entries that chained into a block on another virtual page (only through the arena jump cache). */
  crossPage = 0;
  /** Entries that retired more than their budget (must never happen). */
  overBudget = 0;
  /** Entries that ended at another EL without an exception raised: they chained across an SVC or ERET. */
  elChanged = 0;
  /** Instruction fetch translations (`fetchPage`) by virtual address: what links and the jump cache avoid. */
  readonly fetches = new Map<bigint, number>();
  /** Blocks the code cache took (translated; a block rebuilt after a store or a remap counts again). */
  readonly blocks: Block[] = [];
  /** The wrappers this probe made (a block whose `run` is not one was compiled, or compiled again). */
  private readonly wrapped = new WeakSet<Block['run']>();

  constructor(readonly e: ArenaEnv) {
    const cache = e.cpu.codeCache;
    const add = cache.add.bind(cache);
    cache.add = (page, bk) => {
      this.blocks.push(bk);
      return add(page, bk);
    };
    const tier = cache.wasmTier(e.cpu.arena)!;
    const compile = tier.compileQueued.bind(tier);
    tier.compileQueued = () => {
      compile();
      this.wrapCompiled();
    };
    // A regroup (compiling a page's blocks again as one module) gives blocks new `run` functions: wrap those too.
    const regroup = tier.regroup.bind(tier);
    tier.regroup = (page) => {
      const n = regroup(page);
      this.wrapCompiled();
      return n;
    };
    const mmu = e.mmu;
    const fetchPage = mmu.fetchPage.bind(mmu);
    mmu.fetchPage = (va) => {
      this.fetches.set(va, (this.fetches.get(va) ?? 0) + 1);
      return fetchPage(va);
    };
  }

  /** The WebAssembly tier's statistics. */
  get stats() {
    return this.e.cpu.codeCache.wasmTier(this.e.cpu.arena)!.stats();
  }

  private wrapCompiled(): void {
    for (const bk of this.blocks) if (bk.tier === 2 && !this.wrapped.has(bk.run)) this.wrap(bk);
  }

  private wrap(bk: Block): void {
    const run = bk.run;
    bk.run = (cpu, budget) => {
      const before = cpu.insnCount;
      const el = cpu.el;
      let raised = true;
      try {
        const exit = run(cpu, budget);
        raised = false;
        return exit;
      } finally {
        this.note(bk, cpu.insnCount - before, budget, raised);
        // (The last instruction of a chain may itself be an SVC or ERET that left for the run loop: at least one
        // more block ran in the other EL when the entry retired more than the block and its last block.)
        if (!raised && cpu.el !== el && bk.ranTo !== undefined && bk.ranTo !== bk && !endsInModeChange(bk.ranTo)) this.elChanged++;
      }
    };
    this.wrapped.add(bk.run);
  }

  private note(bk: Block, retired: number, budget: number, raised: boolean): void {
    const to = bk.ranTo;
    if (to !== undefined && to.pc >> 12n !== bk.pc >> 12n) this.crossPage++;
    if (retired > budget) this.overBudget++;
    this.entries++;
    if ((to !== undefined && to !== bk) || (retired > bk.n && !selfLoops(bk))) this.chained++;
    if (regBranch(bk) && retired > bk.n) this.indirect++;
    if (raised && to !== undefined && to !== bk) this.raisedInChain++;
  }
}

/** Whether block `bk` ends in SVC or ERET. */
function endsInModeChange(bk: Block): boolean {
  const last = bk.words[bk.n - 1]!;
  return (last & 0xffe0_001f) >>> 0 === 0xd400_0001 || last === 0xd69f_03e0;
}

/** Sums over the probes of a test's rounds. */
class Totals {
  entries = 0;
  chained = 0;
  indirect = 0;
  raisedInChain = 0;
  elChanged = 0;
  blocks = 0;
  modules = 0;
  add(p: Probe): void {
    this.entries += p.entries;
    this.chained += p.chained;
    this.indirect += p.indirect;
    this.raisedInChain += p.raisedInChain;
    this.elChanged += p.elChanged;
    this.blocks += p.stats.blocks;
    this.modules += p.stats.modules;
  }
  /** Modules held several blocks on average, and a good share of the entries chained. */
  expectChaining(minChained: number): void {
    expect(this.modules).toBeGreaterThan(0);
    expect(this.blocks / this.modules).toBeGreaterThanOrEqual(2);
    expect(this.chained).toBeGreaterThanOrEqual(minChained);
  }
}

type Go = (e: ArenaEnv, probe: Probe | undefined) => StopCode[] | { stops: StopCode[]; trace: unknown };

interface DiffOptions {
  /** Prepare an environment (the probe: the WebAssembly one's, made before). */
  setup: (e: ArenaEnv, probe: Probe | undefined) => void;
  go: Go;
  tier: WasmTierOptions;
  /** RAM ranges whose digests must agree (default: the code pages and the data pages). */
  ranges?: readonly (readonly [number, number])[];
  /** The reference engine (default the interpreter). */
  ref?: Engine;
}

const RANGES = [[CODE_PA, 0x4000], [DATA_PA, 0xc000]] as const;

/**
 * Set up a WebAssembly environment (code cache `o.tier`) and a reference one (the interpreter unless `o.ref`) with
 * `o.setup`, run each with `o.go`, and expect equal states. Returns the WebAssembly state and its probe, whose
 * invariant (no entry past its budget) is checked here.
 */
function chainDiff(label: () => string, o: DiffOptions): { st: State; probe: Probe } {
  let probe: Probe | undefined;
  const [w, ref] = (['wasm', o.ref ?? 'interp'] as Engine[]).map((engine) => {
    const e = arenaEnv(engine, { wasmTier: o.tier });
    const p = engine === 'wasm' ? new Probe(e) : undefined;
    if (p !== undefined) probe = p;
    o.setup(e, p);
    const out = o.go(e, p);
    return Array.isArray(out) ? stateOf(e, out, o.ranges ?? RANGES) : stateOf(e, out.stops, o.ranges ?? RANGES, out.trace);
  });
  expect(w, label()).toEqual(ref);
  expect(ref!.stops, label()).not.toContain(Stop.InternalError);
  expect(probe!.overBudget, label()).toBe(0);
  return { st: w!, probe: probe! };
}

/** Port hooks: a store of `v` to MAGIC[k] calls `fn[k](v)` instead of reaching memory (both engines). */
function hookStores(e: ArenaEnv, fns: ReadonlyArray<((v: bigint) => void) | undefined>): void {
  hookWrite(e.mmu, (write, va, size, v, flags) => {
    const k = MAGIC.indexOf(va as (typeof MAGIC)[number]);
    const fn = k < 0 ? undefined : fns[k];
    if (fn !== undefined) fn(v);
    else write(va, size, v, flags);
  });
}

/**
 * Send the MMU's stores through `hook` (given the MMU's own write): MemoryPort.write replaced, and writeHalves (the
 * fast interpreter's stores) removed, so that handler blocks store through write as well.
 */
function hookWrite(m: Mmu, hook: (write: Mmu['write'], va: bigint, size: number, v: bigint, flags: number) => void): void {
  const write = m.write.bind(m);
  m.write = (va, size, v, flags) => hook(write, va, size, v, flags);
  Object.assign(m, { writeHalves: undefined });
}

/** A trace entry of the state after one run. */
const snap = (e: ArenaEnv): string => {
  const c = e.cpu;
  return `pc ${c.pc.toString(16)} n ${c.insnCount} el ${c.el} x ${[...c.x.slice(0, 31)].map((v) => v.toString(16)).join(',')}`;
};

/** A `go` that runs the CPU once per budget in `budgets`, recording each stop and the state after it. */
const runBudgets = (budgets: readonly number[]) => (e: ArenaEnv): { stops: StopCode[]; trace: string[] } => {
  const stops: StopCode[] = [];
  const trace: string[] = [];
  for (const n of budgets) {
    stops.push(e.cpu.run(n));
    trace.push(snap(e));
  }
  return { stops, trace };
};

// ---- direct chains ----

describe('WebAssembly blocks chain into blocks of their module on the same page', () => {
  it('on 150 random loops of 3 to 6 blocks on one page (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ between them), batched, as the interpreter', () => {
    const r = rng(7001);
    const int = (n: number): number => Math.floor(r() * n);
    const totals = new Totals();
    const EXIT = codeVa(2);
    for (let round = 0; round < 150; round++) {
      const k = 3 + int(4);
      const slot = (i: number): bigint => codeVa(0, 0x80 * i);
      const code = new Map<bigint, number[]>([[EXIT, [B_SELF]]]);
      for (let i = 0; i < k; i++) {
        const at = slot(i);
        const words: number[] = [];
        if (i === 0) words.push(subsi(26, 26, 1), bcond(at + 4n, EXIT, 0)); // subs x26, x26, #1; b.eq exit
        for (let j = 1 + int(4); j > 0; j--) words.push(randomWord(r));
        const here = at + BigInt(4 * words.length);
        const next = slot((i + 1) % k);
        const any = slot(int(k));
        switch (int(5)) {
          case 0: words.push(b(here, next)); break;
          case 1: words.push(bl(here, next)); break;
          case 2: words.push(bcond(here, any, int(16)), b(here + 4n, next)); break;
          case 3: words.push(cbz(here, any, int(20), r() < 0.5, int(2)), b(here + 4n, next)); break;
          default: words.push(tbz(here, any, int(20), int(64), r() < 0.5), b(here + 4n, next));
        }
        code.set(at, words);
      }
      const init = Array.from({ length: 20 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(int(33)));
      const x24 = BigInt(int(64) * 8);
      const loops = BigInt(150 + int(300));
      const budgets = Array.from({ length: 14 }, () => 50 + int(400));
      const tier: WasmTierOptions = { hotRuns: 1 + int(3), batchBlocks: 2 * k + int(4) };
      const { probe } = chainDiff(() => `round ${round} tier ${JSON.stringify(tier)}: ` +
        `${[...code].map(([va, ws]) => `${va.toString(16)}: ${ws.map((x) => x.toString(16)).join(' ')}`).join(' | ')}`, {
        tier,
        setup: (e) => {
          layout(e);
          loadCode(e, code);
          init.forEach((v, i) => (e.cpu.x[i] = v));
          for (let i = 0; i < 4; i++) e.cpu.x[20 + i] = DATA_VA + BigInt(0x1000 * i + 0x800);
          e.cpu.x[24] = x24;
          e.cpu.x[26] = loops;
          e.cpu.pc = slot(0);
        },
        go: runBudgets(budgets),
      });
      totals.add(probe);
    }
    totals.expectChaining(300);
  });

  it('a self-looping block emitted inline at the deepest level of a loop\'s function chains into its own function', () => {
    // The shape of a memset: R (tst x0, #7; b.eq A) and Q (add x0; subs x2; b.ne R) form R's loop, so R's function
    // emits A, X and S inline, S at the deepest level; S (add x7; subs x4; b.ne S) branches to its own start, which
    // there must tail-call S's own function (it iterates) instead of leaving through the run loop. D drives calls.
    const EXIT = codeVa(2);
    const D = codeVa(0);
    const D2 = codeVa(0, 0x8);
    const R = codeVa(0, 0x100);
    const Q = codeVa(0, 0x108);
    const A = codeVa(0, 0x140);
    const X = codeVa(0, 0x180);
    const S = codeVa(0, 0x1c0);
    const tst7 = (n: number): number => (0xf240_081f | (n << 5)) >>> 0;
    const code = new Map<bigint, number[]>([
      [EXIT, [B_SELF]],
      [D, [subsi(26, 26, 1), bcond(D + 4n, EXIT, 0)]],
      [D2, [movz(0, 5), movz(2, 20), b(D2 + 8n, R)]],
      [R, [tst7(0), bcond(R + 4n, A, 0)]],
      [Q, [addi(0, 0, 1), subsi(2, 2, 1), bcond(Q + 8n, R, 1), b(Q + 12n, D)]],
      [A, [movz(4, 3), b(A + 4n, X)]],
      [X, [addi(6, 6, 1), addi(7, 7, 1), subsi(4, 4, 1), bcond(X + 12n, S, 1)]],
      [S, [addi(7, 7, 1), subsi(4, 4, 1), bcond(S + 8n, S, 1), b(S + 12n, D)]],
    ]);
    const entries: number[] = [];
    const { st } = chainDiff(() => 'memset shape', {
      tier: { hotRuns: 1, batchBlocks: 16 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.x[26] = 5000n;
        e.cpu.pc = D;
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        const trace: string[] = [];
        for (let run = 0; run < 20; run++) {
          const before = p?.entries ?? 0;
          stops.push(e.cpu.run(1000));
          trace.push(snap(e));
          if (p !== undefined) entries.push(p.entries - before);
        }
        return { stops, trace };
      },
    });
    // 36 instructions an outer iteration: about 550 of them in 20 runs of 1,000.
    expect(st.x[6]).toBeGreaterThan(500n);
    // About 28 outer iterations a run; once compiled, a run enters the run loop a few times at most (its first
    // block, the block a budget end left it in), not once an iteration.
    expect(Math.max(...entries.slice(-5)), entries.join(' ')).toBeLessThanOrEqual(4);
  });

  it('budgets that end inside a block build no block where they end: the next run interprets the rest of it', () => {
    // A loop of one 10-instruction block, run with budgets that end at every offset inside it.
    const L = codeVa(0);
    const EXIT = codeVa(2);
    const body = Array.from({ length: 8 }, (_, k) => addi(k % 4, k % 4, k + 1));
    const code = new Map<bigint, number[]>([
      [EXIT, [B_SELF]],
      [L, [...body, subsi(26, 26, 1), bcond(L + 36n, L, 1)]],
    ]);
    const budgets = Array.from({ length: 60 }, (_, k) => 7 + (k % 13));
    const { probe } = chainDiff(() => 'budget ends inside a block', {
      tier: { hotRuns: 2, batchBlocks: 1 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.x[26] = 1000n;
        e.cpu.pc = L;
      },
      go: runBudgets(budgets),
    });
    // Only the loop's block: none at the 9 PCs inside it where budgets ended.
    expect(probe.blocks.map((bk) => bk.pc)).toEqual([L]);
    expect(probe.entries).toBeGreaterThan(20);
  });

  it('a run that starts where a budget ended inside a block, after a host write, an IRQ, a remap or a fault there: as the interpreter', () => {
    // L: a 12-instruction loop block with a load in its middle (x20: a mapped page, or an unmapped one); the IRQ
    // vector counts in x15 and lowers the line (a store to MAGIC1); the synchronous vector skips the faulting load.
    const L = codeVa(0);
    const EXIT = codeVa(2);
    const ldr = ldrx(5, 20);
    const loopWords = (scale: number): number[] => [addi(1, 1, scale), addi(2, 2, 2 * scale), addi(3, 3, 3 * scale),
      addi(4, 4, 4 * scale), ldr, addi(6, 6, 6 * scale), addi(7, 7, 7 * scale), addi(8, 8, 8 * scale),
      addi(9, 9, 9 * scale), addi(10, 10, 10 * scale), subsi(26, 26, 1), bcond(L + 44n, L, 1)];
    const code = new Map<bigint, number[]>([
      [EXIT, [B_SELF]],
      [L, loopWords(1)],
      [VEC_VA + 0x200n, [mrsElr(16), addi(16, 16, 4), msrElr(16), addi(14, 14, 1), ERET]],
      [VEC_VA + 0x280n, [addi(15, 15, 1), mrsElr(16), strx(31, 17), ERET]],
    ]);
    const changes: readonly [string, (e: ArenaEnv) => void][] = [
      ['nothing', () => {}],
      ['a host write to the rest of the block', (e) => loadWords(e, codePa(L + 32n), [addi(9, 9, 100)])],
      ['a host write to its start', (e) => loadWords(e, codePa(L), [addi(1, 1, 50)])],
      ['an IRQ raised', (e) => (e.cpu.irqLine = true)],
      ['the loaded page unmapped + TLBI', (e) => {
        e.t.map(e.root0, DATA_VA, 0n);
        e.mmu.tlbi('vmalle1', 0n);
      }],
      ['the code page remapped to other code + TLBI', (e) => {
        e.t.map(e.root0, codeVa(0), s1PageDesc(ALT_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
        e.mmu.tlbi('vmalle1', 0n);
      }],
    ];
    let resumed = 0;
    for (const [label, change] of changes) {
      for (let end = 1; end < 12; end++) {
        chainDiff(() => `${label}, budget ending at instruction ${end}`, {
          tier: { hotRuns: 1, batchBlocks: 1 },
          ranges: [[CODE_PA, 0x4000], [ALT_PA, 0x1000], [DATA_PA, 0x8000]],
          setup: (e) => {
            layout(e);
            loadCode(e, code);
            loadWords(e, ALT_PA, loopWords(7));
            hookStores(e, [undefined, () => (e.cpu.irqLine = false)]);
            e.cpu.x[17] = MAGIC[1];
            e.cpu.x[20] = DATA_VA;
            e.cpu.x[26] = 1000n;
            e.cpu.daif = 0; // IRQs unmasked
            e.cpu.pc = L;
          },
          go: (e, p) => {
            const stops: StopCode[] = [];
            const trace: string[] = [];
            const run = (n: number): void => {
              stops.push(e.cpu.run(n));
              trace.push(snap(e));
            };
            run(12 * 20); // the block is compiled and hot
            run(end); // ends inside it
            if (p !== undefined && e.cpu.jumpCache.mid.block !== undefined) resumed++;
            change(e);
            run(12 * 3 + 5);
            run(30);
            return { stops, trace };
          },
        });
      }
    }
    expect(resumed).toBe(6 * 11); // every case ended inside the block with a resume noted
  });

  it('a chain of blocks ending at a page end falls into the next page through the arena jump cache; a guest remap of that page between runs of the loop is seen', () => {
    // Page 0 ends with a block A (no branch: it falls into page 1 at 0x11000); page 1's block B branches back to
    // page 0 (L). Every 2 to 4 iterations a routine on page 2 remaps page 1 (PTE store, TLBI, ISB) between two
    // physical pages whose blocks B differ. A and both Bs share a module: A's exit into page 1 chains only through
    // the arena jump cache, whose entries hold the TLB generation they were filled in.
    const totals = new Totals();
    let crossPage = 0;
    const r = rng(7002);
    for (let round = 0; round < 8; round++) {
      const A = codeVa(1) - 12n;
      const L = codeVa(0, 0x100);
      const REMAP = codeVa(2);
      const per = 2 + (round % 3);
      const code = new Map<bigint, number[]>([
        [L, [subsi(26, 26, 1), bcond(L + 4n, REMAP, 0), b(L + 8n, A)]], // subs x26; b.eq remap; b A
        [A, [dpw(r), dpw(r), addi(1, 1, 1)]], // falls into page 1
        [REMAP, [strx(21, 22), eor(21, 21, 23), DSB_ISH, TLBI_VMALLE1, DSB_ISH, ISB, movz(26, per), b(REMAP + 28n, L)]],
      ]);
      const b1 = [addi(9, 9, 1), dpw(r), b(codeVa(1) + 8n, L)];
      const b2 = [addi(10, 10, 3), dpw(r), dpw(r), b(codeVa(1) + 12n, L)];
      const budgets = Array.from({ length: 16 }, () => 40 + Math.floor(r() * 300));
      const { probe } = chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 6 },
        ranges: [[CODE_PA, 0x4000], [ALT_PA, 0x2000]],
        setup: (e) => {
          layout(e);
          loadCode(e, code);
          loadWords(e, codePa(codeVa(1)), b1);
          loadWords(e, ALT_PA, b2);
          const d1 = s1PageDesc(CODE_PA + 0x1000, { attrIndx: Attr.WB, ap: Ap.RwEl1 });
          const d2 = s1PageDesc(ALT_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 });
          e.cpu.x[21] = d2;
          e.cpu.x[22] = pteVa(e, codeVa(1));
          e.cpu.x[23] = d1 ^ d2;
          e.cpu.x[26] = BigInt(per);
          e.cpu.pc = L;
        },
        go: runBudgets(budgets),
      });
      totals.add(probe);
      crossPage += probe.crossPage;
    }
    // L's exit to A (same page) chains; A's into page 1 and B's back to page 0 through the arena jump cache.
    totals.expectChaining(800);
    expect(crossPage).toBeGreaterThan(100);
  });

  it('budgets that end in the middle of a chain: PC and retired count exact at every budget 1..120 (direct and RET chains)', () => {
    // Page 0: A (3) -> B (2) -> C (4, ends with BL F) -> F (2, RET) -> D (3: subs x26; b.ne A) -> `b .`, all chained
    // once the module is compiled; warm-up runs of varying length leave the PC at different points of the loop.
    const A = codeVa(0);
    const B = codeVa(0, 0x40);
    const C = codeVa(0, 0x80);
    const F = codeVa(0, 0x100);
    const D = codeVa(0, 0xc0);
    const code = callChain(A, B, C, F, D);
    let chainedMeasured = 0;
    let indirectMeasured = 0;
    midChainBudgets(code, A, 7, (p) => {
      expect(p.stats.modules).toBeGreaterThan(0);
      p.entries = p.chained = p.indirect = 0;
    }, (probe) => {
      chainedMeasured += probe.chained;
      indirectMeasured += probe.indirect;
      expect(probe.stats.blocks / probe.stats.modules).toBeGreaterThanOrEqual(3);
    });
    expect(chainedMeasured).toBeGreaterThan(60);
    expect(indirectMeasured).toBeGreaterThan(10);
  });
});

/**
 * Run `code` from A (x26 = 1000) on both engines once for each budget 1..120, the WebAssembly tier compiling after one
 * run in batches of `batchBlocks` (a partial batch after four runs): five warm-up runs of varying length, then the budget, then 5 more instructions,
 * the stops and the state after each compared. `warmed` sees the WebAssembly run's probe after the warm-up (to check
 * and clear its counters), `each` the probe of each budget.
 */
/**
 * The loop of the mid-chain budget tests: A (3 instructions) -> B (2) -> C (4, ending with BL F) -> F (2, RET) ->
 * C + 16 (`b D`) -> D (3: subs x26; b.ne A) -> `b .`, at the addresses given.
 */
function callChain(A: bigint, B: bigint, C: bigint, F: bigint, D: bigint): Map<bigint, number[]> {
  return new Map<bigint, number[]>([
    [A, [addi(1, 1, 1), addi(2, 2, 2), b(A + 8n, B)]],
    [B, [eor(3, 3, 1), b(B + 4n, C)]],
    [C, [addi(4, 4, 1), addi(5, 5, 3), eor(6, 6, 4), bl(C + 12n, F)]],
    [C + 16n, [b(C + 16n, D)]],
    [F, [addi(7, 7, 1), ret()]],
    [D, [addi(8, 8, 1), subsi(26, 26, 1), bcond(D + 8n, A, 1), B_SELF]],
  ]);
}

function midChainBudgets(code: Map<bigint, number[]>, A: bigint, batchBlocks: number, warmed: (p: Probe) => void,
  each: (p: Probe) => void): void {
  for (let budget = 1; budget <= 120; budget++) {
    const warm = [40, 40, 40, 40, 30 + (budget % 17)];
    const { probe } = chainDiff(() => `budget ${budget}`, {
      tier: { hotRuns: 1, batchBlocks, queueRuns: 4 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.x[26] = 1000n;
        e.cpu.pc = A;
      },
      go: (e, p) => {
        const stops = warm.map((n) => e.cpu.run(n));
        if (p !== undefined) warmed(p);
        stops.push(e.cpu.run(budget));
        const trace = [snap(e)];
        stops.push(e.cpu.run(5));
        trace.push(snap(e));
        return { stops, trace };
      },
    });
    each(probe);
  }
}

// ---- random programs of calls and returns (register branches, and chains across modules and pages) ----

/** Where a random call program's pieces are (see callProgram). */
interface CallPlaces {
  readonly EXIT: bigint;
  readonly MAIN: bigint;
  readonly F1: bigint;
  readonly F2: bigint;
  readonly F3: bigint;
  readonly J: bigint;
}

/**
 * A random program of calls and returns: MAIN: subs x26; b.eq EXIT | bl F1 | blr x27 | br x28, with random words
 * (`rw`) between; F1 saves the link in x29 and calls F2 (or not), then returns; F2 and F3 return (F3 counts in x25);
 * J: b MAIN; EXIT: `b .`; and the `extra` pieces. x27 and x28 are the caller's choice (runCallProgram).
 */
function callProgram(rw: () => number[], r: () => number, p: CallPlaces,
  extra: readonly (readonly [bigint, number[]])[]): Map<bigint, number[]> {
  const { EXIT, MAIN, F1, F2, F3, J } = p;
  const main = [subsi(26, 26, 1), bcond(MAIN + 4n, EXIT, 0), ...rw()];
  main.push(bl(MAIN + BigInt(4 * main.length), F1));
  main.push(...rw(), blr(27));
  main.push(...rw(), br(28));
  const nested = r() < 0.6;
  const f1 = nested ? [...rw(), mov(29, 30)] : rw();
  if (nested) f1.push(bl(F1 + BigInt(4 * f1.length), F2), mov(30, 29));
  f1.push(...rw(), ret());
  const code = new Map<bigint, number[]>([
    [EXIT, [B_SELF]], [MAIN, main], [F1, f1], [F2, [...rw(), ret()]], [F3, [...rw(), addi(25, 25, 1), ret()]], ...extra,
  ]);
  const j = rw();
  code.set(J, [...j, b(J + BigInt(4 * j.length), MAIN)]);
  return code;
}

/**
 * Run a call program on both engines (chainDiff) from MAIN with x27 and x28 as given, random x0-x19, data pointers in
 * x20-x23, a random table offset in x24 and 400 rounds in x26, under 14 random budgets; the WebAssembly tier compiles
 * after one or two runs in batches of `batch()` blocks. Returns the WebAssembly run's probe.
 */
function runCallProgram(round: number, int: (n: number) => number, r: () => number, code: Map<bigint, number[]>,
  regs: { readonly MAIN: bigint; readonly x27: bigint; readonly x28: bigint }, batch: () => number): Probe {
  const { MAIN, x27, x28 } = regs;
  const init = Array.from({ length: 20 }, () => BigInt(Math.floor(r() * 2 ** 32)) << BigInt(int(33)));
  const x24 = BigInt(int(64) * 8);
  const budgets = Array.from({ length: 14 }, () => 50 + int(400));
  const tier: WasmTierOptions = { hotRuns: 1 + int(2), batchBlocks: batch() };
  return chainDiff(() => `round ${round} tier ${JSON.stringify(tier)} x27 ${x27.toString(16)} x28 ${x28.toString(16)}: ` +
    `${[...code].map(([va, ws]) => `${va.toString(16)}: ${ws.map((x) => x.toString(16)).join(' ')}`).join(' | ')}`, {
    tier,
    setup: (e) => {
      layout(e);
      loadCode(e, code);
      init.forEach((v, i) => (e.cpu.x[i] = v));
      for (let i = 0; i < 4; i++) e.cpu.x[20 + i] = DATA_VA + BigInt(0x1000 * i + 0x800);
      e.cpu.x[24] = x24;
      e.cpu.x[26] = 400n;
      e.cpu.x[27] = x27;
      e.cpu.x[28] = x28;
      e.cpu.pc = MAIN;
    },
    go: runBudgets(budgets),
  }).probe;
}

// ---- register branches ----

describe('WebAssembly register branches chain into blocks of their module on the same page', () => {
  it('on 150 random programs of calls and returns on one page (BL, BLR, nested calls, RET, BR through a table), batched, as the interpreter', () => {
    // Page 0: MAIN (subs x26; b.eq exit) | bl F1 | R1: blr x27 | R2: br x28 | J: ...; b MAIN. F1 saves the link in
    // x29 and calls F2 (or not), then returns; x27 is F2, F3 or a function on page 1 (a return across pages), x28 is
    // J or J2 (page 1). randomWord writes x0-x23 only.
    const r = rng(7003);
    const int = (n: number): number => Math.floor(r() * n);
    const totals = new Totals();
    const EXIT = codeVa(2);
    for (let round = 0; round < 150; round++) {
      const rw = (): number[] => Array.from({ length: int(3) }, () => randomWord(r));
      const MAIN = codeVa(0);
      const F1 = codeVa(0, 0x200);
      const F2 = codeVa(0, 0x300);
      const F3 = codeVa(0, 0x400);
      const J = codeVa(0, 0x500);
      const P1F = codeVa(1, 0x100);
      const J2 = codeVa(1, 0x200);
      const code = callProgram(rw, r, { EXIT, MAIN, F1, F2, F3, J }, [[P1F, [addi(25, 25, 2), ret()]],
        [J2, [addi(25, 25, 4), b(J2 + 4n, MAIN)]]]);
      const x27 = [F2, F3, F3, P1F][int(4)]!;
      const x28 = r() < 0.8 ? J : J2;
      const probe = runCallProgram(round, int, r, code, { MAIN, x27, x28 }, () => 6 + int(6));
      totals.add(probe);
    }
    totals.expectChaining(3000);
    expect(totals.indirect).toBeGreaterThan(1000);
  });

  it('a return compiled with its module\'s first blocks as candidates (none its caller) is regrouped once it keeps missing', () => {
    // Page 0: eight filler blocks W0..W7 (a loop run first), then M (subs x26; b.eq EXIT) | bl F | R: b M, and F
    // (addi; ret) at 0x400, compiled in one batch in the order they got hot: F's RET, with nothing recorded yet, gets
    // the module's first eight blocks on the page, the fillers, as candidates, and R, its one target, is not among
    // them. Its misses must count towards a regroup (tier.ts missedChain: a full candidate list is no dispatch
    // branch), which makes R its candidate: the returns then chain.
    const W = (k: number): bigint => codeVa(0, 0x10 * k);
    const M = codeVa(0, 0x7c); // W7's fall-through
    const F = codeVa(0, 0x400);
    const EXIT = codeVa(3, 0xf00);
    const code = new Map<bigint, number[]>([[EXIT, [B_SELF]], [F, [addi(2, 2, 1), ret()]]]);
    for (let k = 0; k < 7; k++) code.set(W(k), [addi(1, 1, 1), b(W(k) + 4n, W(k + 1))]);
    code.set(W(7), [addi(1, 1, 1), subsi(25, 25, 1), bcond(W(7) + 8n, W(0), 1)]);
    code.set(M, [subsi(26, 26, 1), bcond(M + 4n, EXIT, 0), bl(M + 8n, F), b(M + 12n, M)]);
    let entries = 0;
    let regroups = 0;
    const { st } = chainDiff(() => 'return regroup', {
      tier: { hotRuns: 1, batchBlocks: 64 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.x[25] = 20n;
        e.cpu.x[26] = 12_000n;
        e.cpu.pc = W(0);
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        for (let k = 0; k < 300 && e.cpu.pc !== EXIT; k++) stops.push(e.cpu.run(500));
        if (p !== undefined) {
          entries = p.entries;
          regroups = p.stats.regroups;
        }
        return stops;
      },
    });
    expect(st.x[2]).toBe(12_000n - 1n);
    expect(regroups).toBeGreaterThanOrEqual(1);
    // Each return left for the run loop until the regroup (REGROUP_MISSES of them), then the loop chains whole.
    expect(entries).toBeLessThan(4000);
  });
});

// ---- self-modifying code and instruction cache maintenance ----

describe('chained WebAssembly blocks and code that changes', () => {
  it('on 120 random loops where a block stores into another block of the loop (directly or through an alias), the patched code runs next', () => {
    // A loop of k blocks on page 0 (dp words on x0-x7, each block's first word `add x0, x0, #imm`); now and then
    // block W stores x27 (an `add x0, x0, #imm` whose imm grows by one each time) over the first word of block
    // T != W, through its own VA or the alias mapping of page 0, then the loop goes on: the block that chains to T
    // must run the new T.
    const r = rng(7004);
    const int = (n: number): number => Math.floor(r() * n);
    const totals = new Totals();
    let rebuilt = 0;
    let compiledT = 0;
    const EXIT = codeVa(2);
    for (let round = 0; round < 120; round++) {
      const k = 3 + int(4);
      const slot = (i: number): bigint => codeVa(0, 0x80 * i);
      const w = int(k);
      const t = (w + 1 + int(k - 1)) % k;
      const every = 2 + int(10);
      const code = new Map<bigint, number[]>([[EXIT, [B_SELF]]]);
      for (let i = 0; i < k; i++) {
        const at = slot(i);
        const words = [addi(0, 0, 1 + int(100))];
        if (i === 0) words.push(subsi(26, 26, 1), bcond(at + 8n, EXIT, 0));
        for (let j = int(3); j > 0; j--) words.push(dpw(r));
        // W, once every `every` passes (x25 counts down; the host arms it after six runs, once T was compiled with
        // the blocks that chain to it): store x27 over T's first word; add x27, x27, #0x400 (the stored ADD's imm12
        // grows by one).
        if (i === w) {
          const skip = at + BigInt(4 * (words.length + 1));
          words.push(subsi(25, 25, 1), bcond(skip, skip + 16n, 1), strw(27, 28), addi(27, 27, 0x400), movz(25, every));
        }
        // On to the next block, or (a condition) the one after it: every pass goes round the loop.
        const here = at + BigInt(4 * words.length);
        if (r() < 0.5) words.push(b(here, slot((i + 1) % k)));
        else words.push(bcond(here, slot((i + 2) % k), int(16)), b(here + 4n, slot((i + 1) % k)));
        code.set(at, words);
      }
      const alias = r() < 0.5;
      const target = alias ? ALIAS_VA + (slot(t) - CODE_VA) : slot(t);
      const init = Array.from({ length: 8 }, () => BigInt(Math.floor(r() * 2 ** 32)));
      const budgets = Array.from({ length: 20 }, () => 100 + int(500));
      const tier: WasmTierOptions = { hotRuns: 1 + int(2), batchBlocks: 2 * k + int(3) };
      const { probe } = chainDiff(() => `round ${round} w ${w} t ${t} alias ${alias} tier ${JSON.stringify(tier)}: ` +
        `${[...code].map(([va, x]) => `${va.toString(16)}: ${x.map((y) => y.toString(16)).join(' ')}`).join(' | ')}`, {
        tier,
        setup: (e, p) => {
          layout(e);
          loadCode(e, code);
          if (p !== undefined) {
            // (Not vacuous: when W first writes T, T is WebAssembly and alive, so a block of its module chains to it.)
            let writes = 0;
            hookWrite(e.mmu, (write, va, size, v, flags) => {
              if (va === target && writes++ === 0 && p.blocks.some((bk) => bk.pc === slot(t) && bk.alive && bk.tier === 2)) compiledT++;
              write(va, size, v, flags);
            });
          }
          init.forEach((v, i) => (e.cpu.x[i] = v));
          e.cpu.x[25] = 1n << 40n;
          e.cpu.x[26] = 1000n;
          e.cpu.x[27] = BigInt(addi(0, 0, 5));
          e.cpu.x[28] = target;
          e.cpu.pc = slot(0);
        },
        go: (e) => {
          const stops: StopCode[] = [];
          const trace: string[] = [];
          budgets.forEach((n, run) => {
            if (run === 6) e.cpu.x[25] = 1n; // arm W: it writes T on its next pass
            stops.push(e.cpu.run(n));
            trace.push(snap(e));
          });
          return { stops, trace };
        },
      });
      totals.add(probe);
      rebuilt += probe.blocks.filter((bk) => bk.pc === slot(t)).length - 1;
    }
    totals.expectChaining(1500);
    expect(rebuilt).toBeGreaterThan(120 * 3); // T was rebuilt after the stores that changed it
    expect(compiledT).toBeGreaterThan(70);
  });

  it('code rewritten behind the MMU (a device writing RAM) and then IC IVAU or IC IALLU: the block chained to runs the new code', () => {
    // A loop on page 0: L (subs x26; b.eq exit; subs x25; b.ne X) | S: movz x25, #every; stlr x27, [MAGIC0] (the
    // hook writes x27's low word over T's first instruction, telling no code cache); dsb | ic ivau, x28 (or
    // ic iallu) | dsb | isb | X: add x1; b T | T: add x0, x0, #imm (the word written); add x2, x2, #1; b L.
    // X chains to T unless the invalidation stopped it.
    const totals = new Totals();
    const r = rng(7005);
    let compiledT = 0;
    for (const ic of ['ivau', 'iallu'] as const) {
      for (let round = 0; round < 6; round++) {
        const L = codeVa(0);
        const S = codeVa(0, 0x40);
        const X = codeVa(0, 0x80);
        const T = codeVa(0, 0x100);
        // Rewrite every `every` iterations (x25 counts down), the first time only once the loop's blocks (T among
        // them) were compiled into one module and chain.
        const every = 1 + (round % 3);
        const first = 120 + 7 * round;
        const code = new Map<bigint, number[]>([
          [codeVa(2), [B_SELF]],
          [L, [subsi(26, 26, 1), bcond(L + 4n, codeVa(2), 0), subsi(25, 25, 1), bcond(L + 12n, X, 1), b(L + 16n, S)]],
          [S, [movz(25, every), stlr(27, 24), addi(27, 27, 0x400), DSB_ISH, ic === 'ivau' ? icIvau(28) : IC_IALLU, DSB_ISH, ISB, b(S + 28n, X)]],
          [X, [addi(1, 1, 1), dpw(r), b(X + 8n, T)]],
          [T, [addi(0, 0, 1), addi(2, 2, 1), b(T + 8n, L)]],
        ]);
        const budgets = Array.from({ length: 12 }, () => 50 + Math.floor(r() * 300));
        const { probe } = chainDiff(() => `${ic} round ${round}`, {
          tier: { hotRuns: 1, batchBlocks: 8 },
          setup: (e, p) => {
            layout(e);
            loadCode(e, code);
            let writes = 0;
            hookStores(e, [(v) => {
              // (Not vacuous: T was WebAssembly, chained to, when the device first changed it.)
              if (p !== undefined && writes++ === 0 && p.blocks.some((bk) => bk.pc === T && bk.alive && bk.tier === 2)) compiledT++;
              e.ram.view.setUint32(codePa(T) - RAM_BASE, Number(v & 0xffff_ffffn), true);
            }]);
            e.cpu.x[24] = MAGIC[0];
            e.cpu.x[25] = BigInt(first);
            e.cpu.x[26] = 500n;
            e.cpu.x[27] = BigInt(addi(0, 0, 7));
            e.cpu.x[28] = T;
            e.cpu.pc = L;
          },
          go: runBudgets(budgets),
        });
        totals.add(probe);
      }
    }
    totals.expectChaining(500);
    expect(compiledT).toBe(12);
  });
});

// ---- interrupts ----

/**
 * The set-up of the tests whose IRQ a store raises: `code` loaded; a store to MAGIC0 raises the line, one to MAGIC1
 * (the IRQ handler's) lowers it; x19 = `every` (the code's countdown to its MAGIC0 store), x26 a long loop count,
 * IRQs unmasked, the PC at `pc`.
 */
function irqByStore(code: Map<bigint, number[]>, every: number, pc: bigint): (e: ArenaEnv) => void {
  return (e) => {
    layout(e);
    loadCode(e, code);
    hookStores(e, [() => (e.cpu.irqLine = true), () => (e.cpu.irqLine = false)]);
    e.cpu.x[17] = MAGIC[1];
    e.cpu.x[18] = MAGIC[0];
    e.cpu.x[19] = BigInt(every);
    e.cpu.x[26] = 100_000n;
    e.cpu.daif = 0;
    e.cpu.pc = pc;
  };
}

describe('chained WebAssembly blocks and the IRQ line', () => {
  /** A loop A -> B -> C -> A on page 0 (x26 counts down); the IRQ vector (current EL, SPx) counts in x15. */
  const A = codeVa(0);
  const B = codeVa(0, 0x40);
  const C = codeVa(0, 0x80);
  const loop = (extraA: number[]): Map<bigint, number[]> => new Map([
    [codeVa(2), [B_SELF]],
    [A, [addi(1, 1, 1), ...extraA, subsi(26, 26, 1), bcond(A + BigInt(8 + 4 * extraA.length), codeVa(2), 0), b(A + BigInt(12 + 4 * extraA.length), B)]],
    [B, [addi(2, 2, 1), eor(3, 3, 2), b(B + 8n, C)]],
    [C, [addi(4, 4, 3), b(C + 4n, A)]],
    // IRQ: count, acknowledge (a store to MAGIC1 lowers the line), return.
    [VEC_VA + 0x280n, [addi(15, 15, 1), mrsElr(16), strx(31, 17), ERET]],
  ]);

  it('raised between runs: taken at once while unmasked, and while it stays high and masked the module chains on', () => {
    // (Chains within a module, like arena jump cache lookups, leave only for an interrupt that can be taken:
    // block-emitter.ts irqPending, asyncPending. A kernel runs long stretches with one pending and masked.)
    const totals = new Totals();
    const r = rng(7006);
    for (let round = 0; round < 24; round++) {
      const masked = round % 3 === 2;
      const budgets = [300 + Math.floor(r() * 300), 1 + Math.floor(r() * 400), 100 + Math.floor(r() * 300)];
      let [before, whileHigh, after] = [-1, -1, -1];
      const { probe, st } = chainDiff(() => `round ${round} masked ${masked} ${budgets.join(' ')}`, {
        tier: { hotRuns: 1, batchBlocks: 4 },
        setup: (e) => {
          layout(e);
          loadCode(e, loop([]));
          hookStores(e, [undefined, () => (e.cpu.irqLine = false)]);
          e.cpu.x[17] = MAGIC[1];
          e.cpu.x[26] = 100_000n;
          e.cpu.daif = masked ? 0b0010 : 0;
          e.cpu.pc = A;
        },
        go: (e, p) => {
          // Warm-up runs: the loop's blocks become one module.
          const stops = [e.cpu.run(200), e.cpu.run(200), e.cpu.run(200), e.cpu.run(200), e.cpu.run(budgets[0]!)];
          const trace = [snap(e)];
          const c0 = p?.chained ?? 0;
          e.cpu.irqLine = true;
          stops.push(e.cpu.run(budgets[1]!));
          trace.push(snap(e));
          const c1 = p?.chained ?? 0;
          e.cpu.irqLine = false;
          stops.push(e.cpu.run(budgets[2]!));
          trace.push(snap(e));
          if (p !== undefined) {
            before = c0;
            whileHigh = c1 - c0;
            after = p.chained - c1;
          }
          return { stops, trace };
        },
      });
      expect(before).toBeGreaterThan(0);
      expect(after).toBeGreaterThan(0);
      if (masked && budgets[1]! >= 50) expect(whileHigh).toBeGreaterThan(0);
      // The IRQ was taken (once: the handler lowers the line) unless masked.
      expect(st.x[15]).toBe(masked ? 0n : 1n);
      totals.add(probe);
    }
    totals.expectChaining(100);
  });

  it('a self-looping block iterates on in WebAssembly while the line is high and masked', () => {
    // L: add x1, x1, #1; subs x26, x26, #1; b.ne L. The back edge tests the raw line first, then ASYNC_PENDING
    // (block-emitter.ts exitDirect): with PSTATE.I set the loop goes on iterating without a run-loop entry each time.
    const L = codeVa(0);
    let entries = -1;
    const { st } = chainDiff(() => 'masked loop', {
      tier: { hotRuns: 1, batchBlocks: 1 },
      setup: (e) => {
        layout(e);
        loadCode(e, new Map([[codeVa(2), [B_SELF]], [L, [addi(1, 1, 1), subsi(26, 26, 1), bcond(L + 8n, L, 1)]]]));
        e.cpu.x[26] = 100_000n;
        e.cpu.daif = 0b0010;
        e.cpu.pc = L;
      },
      go: (e, p) => {
        const stops = [e.cpu.run(100), e.cpu.run(100), e.cpu.run(100)]; // compiled by now
        const before = p?.entries ?? 0;
        e.cpu.irqLine = true;
        stops.push(e.cpu.run(3000));
        if (p !== undefined) entries = p.entries - before;
        return stops;
      },
    });
    expect(st.x[1]).toBe(1100n);
    expect(entries).toBeGreaterThan(0);
    expect(entries).toBeLessThan(5);
  });

  it('raised by a store in the middle of a block (a device write): the IRQ is taken at that block\'s end, as handler blocks take it', () => {
    // A's `str xzr, [x18]` (MAGIC0) raises the line; the rest of A runs, then the IRQ must be taken before B: A
    // must not chain to B. (The interpreter would take it right after the store: blocks take interrupts at block
    // boundaries, so handler blocks are the reference here.)
    const totals = new Totals();
    const r = rng(7007);
    for (let round = 0; round < 16; round++) {
      const every = 2 + (round % 4);
      // x19 counts down; at 0 the store raises the line and x19 is reloaded.
      const extra = [subsi(19, 19, 1), cbz(A + 8n, A + 20n, 19, true), strx(31, 18), movz(19, every), addi(5, 5, 1)];
      const budgets = Array.from({ length: 10 }, () => 50 + Math.floor(r() * 400));
      const { probe } = chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 6 },
        ref: 'handlers',
        setup: irqByStore(loop(extra), every, A),
        go: runBudgets(budgets),
      });
      totals.add(probe);
    }
    totals.expectChaining(500);
  });

  it('raised by a store in a function\'s last block: its RET does not chain to a candidate, the IRQ is taken at that block\'s end', () => {
    // M calls F with BL; every `every` calls F's last block stores to MAGIC0 (raising the line) and returns. That
    // RET's candidates are the module's blocks on the page, its target R among them: with the line high and IRQs
    // unmasked it must leave for the run loop, which takes the IRQ before R, as handler blocks do.
    const totals = new Totals();
    const r = rng(7008);
    const M = codeVa(0);
    const R = M + 12n;
    const F = codeVa(0, 0x200);
    const EXIT = codeVa(2);
    for (let round = 0; round < 12; round++) {
      const every = 2 + (round % 3);
      const code = new Map<bigint, number[]>([
        [EXIT, [B_SELF]],
        [M, [subsi(26, 26, 1), bcond(M + 4n, EXIT, 0), bl(M + 8n, F), b(R, M)]],
        // x19 counts down; at 0 the store raises the line and x19 is reloaded.
        [F, [subsi(19, 19, 1), cbz(F + 4n, F + 16n, 19, true), strx(31, 18), movz(19, every), addi(5, 5, 1), ret()]],
        [VEC_VA + 0x280n, [addi(15, 15, 1), mrsElr(16), strx(31, 17), ERET]],
      ]);
      const budgets = Array.from({ length: 10 }, () => 50 + Math.floor(r() * 400));
      const { probe } = chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 8 },
        ref: 'handlers',
        setup: irqByStore(code, every, M),
        go: runBudgets(budgets),
      });
      totals.add(probe);
    }
    totals.expectChaining(300);
  });
});

// ---- exceptions in chained blocks, SVC exits, EL changes ----

describe('exceptions in chained WebAssembly blocks', () => {
  it('data aborts, UDF, BRK and SVC in blocks reached by chaining, at EL0 and at EL1 on either stack pointer: ESR, ELR, FAR, SPSR, EL and the retired count as the interpreter', () => {
    // A loop A -> B -> C -> A on page 0; B or C holds the exception at a random position (SVC and BRK end their
    // block). The synchronous vector (EL1 from EL1 at 0x200, from EL0 at 0x400) folds ESR, ELR, FAR and SPSR into
    // x9-x12, skips the instruction unless it was an SVC (ELR is already the next one), and returns with ERET.
    const totals = new Totals();
    const r = rng(7008);
    let svcRounds = 0;
    for (let round = 0; round < 128; round++) {
      // EL1 with SP_EL1, EL0, EL1 with SP_EL0 in turn; each kind of exception in turn.
      const el0 = round % 3 === 1;
      const spsel = round % 3 === 0 ? 1 : 0;
      const kind = (['abort', 'udf', 'brk', 'svc'] as const)[Math.floor(round / 3) % 4]!;
      const A = codeVa(0);
      const B = codeVa(0, 0x40);
      const C = codeVa(0, 0x80);
      const inB = r() < 0.5;
      const body = (n: number): number[] => Array.from({ length: n }, () => dpw(r));
      const exc = kind === 'abort' ? ldrx(1, 18) : kind === 'udf' ? Math.floor(r() * 0x10000) : kind === 'brk'
        ? brk(Math.floor(r() * 0x10000)) : svc(Math.floor(r() * 0x10000));
      const ends = kind === 'brk' || kind === 'svc';
      const pre = body(1 + Math.floor(r() * 3));
      const post = ends ? [] : body(Math.floor(r() * 3));
      // A flag-setting word right before the exception: SPSR's NZCV comes from flags still pending.
      const withExc = [...pre, subsi(31, 7, 5), exc, ...post];
      const bWords = inB ? withExc : body(2);
      const cWords = inB ? body(2) : withExc;
      const code = new Map<bigint, number[]>([
        [codeVa(2), [B_SELF]],
        [A, [addi(8, 8, 1), subsi(26, 26, 1), bcond(A + 8n, codeVa(2), 0), b(A + 12n, B)]],
      ]);
      // After an SVC or BRK (block ends) the rest of the block is its own block; branch on.
      const place = (at: bigint, words: number[], to: bigint): void => {
        code.set(at, [...words, b(at + BigInt(4 * words.length), to)]);
      };
      place(B, bWords, C);
      place(C, cWords, A);
      const handler = [mrsEsr(9), mrsElr(10), mrsFar(11), mrsSpsr(12), addi(15, 15, 1), eor(13, 13, 9), eor(14, 14, 12),
        eor(16, 16, 11)];
      if (kind !== 'svc') handler.push(addi(10, 10, 4), msrElr(10));
      handler.push(ERET);
      code.set(VEC_VA + (el0 ? 0x400n : spsel === 1 ? 0x200n : 0n), handler);
      const budgets = Array.from({ length: 12 }, () => 30 + Math.floor(r() * 300));
      const init = Array.from({ length: 8 }, () => BigInt(Math.floor(r() * 2 ** 32)) << 16n);
      const { probe, st } = chainDiff(() => `round ${round} ${kind} el0 ${el0} spsel ${spsel} inB ${inB}: ${withExc.map((x) => x.toString(16)).join(' ')}`, {
        tier: { hotRuns: 1, batchBlocks: 6 },
        setup: (e) => {
          layout(e, { el0 });
          loadCode(e, code);
          init.forEach((v, i) => (e.cpu.x[i] = v));
          e.cpu.x[18] = UNMAPPED + 24n;
          e.cpu.x[26] = 100_000n;
          e.cpu.el = el0 ? 0 : 1;
          e.cpu.spsel = spsel;
          e.cpu.spEl[0] = DATA_VA + 0x3000n;
          e.cpu.spEl[1] = DATA_VA + 0x2000n;
          e.cpu.daif = 0;
          e.cpu.pc = A;
        },
        go: (e) => {
          const stops: StopCode[] = [];
          const trace: string[] = [];
          for (const n of budgets) {
            stops.push(e.cpu.run(n));
            trace.push(`${snap(e)} esr ${e.cpu.sys[SysReg.ESR_EL1]!.toString(16)} elr ${e.cpu.sys[SysReg.ELR_EL1]!.toString(16)} ` +
              `spsr ${e.cpu.sys[SysReg.SPSR_EL1]!.toString(16)} far ${e.cpu.sys[SysReg.FAR_EL1]!.toString(16)}`);
          }
          return { stops, trace };
        },
      });
      // The handler ran many times (x15 counts it).
      expect(st.x[15]).toBeGreaterThan(5n);
      if (kind === 'svc') svcRounds++;
      totals.add(probe);
    }
    expect(svcRounds).toBeGreaterThanOrEqual(30);
    totals.expectChaining(3000);
    expect(totals.raisedInChain).toBeGreaterThan(2000);
    // SVC and ERET at a block's end chain on into the vector and back in the new EL (tier.ts nextMode).
    expect(totals.elChanged).toBeGreaterThan(100);
  });
});

describe('SVC and ERET chaining into another EL', () => {
  /**
   * runBudgets within one check epoch (no host writes between runs, so the validity words of the first run stay
   * valid and chains are not cut at each run's start), tracing ESR_EL1 and SPSR_EL1 too.
   */
  const runExceptionBudgets = (budgets: readonly number[]) => (e: ArenaEnv): { stops: StopCode[]; trace: string[] } => {
    const stops: StopCode[] = [];
    const trace: string[] = [];
    for (const n of budgets) {
      stops.push(e.cpu.run(n, true));
      trace.push(`${snap(e)} esr ${e.cpu.sys[SysReg.ESR_EL1]!.toString(16)} spsr ${e.cpu.sys[SysReg.SPSR_EL1]!.toString(16)}`);
    }
    return { stops, trace };
  };

  it('an ERET that makes software step active (MDSCR_EL1.SS, SPSR_EL1.SS) leaves for the run loop, which steps: EL0 loops of SVCs, as the interpreter', () => {
    // EL0 at A: add x8, x8, #1; svc #0 | b A. EL1's vector for EL0 (0x400): count in x15, fold ESR into x13, set
    // SPSR_EL1.SS from x20 (0 or 1 << 21), which x21 toggles every other time, eret. With MDSCR_EL1.SS = 1, a return
    // with SPSR_EL1.SS set steps one EL0 instruction and takes a software step exception (EC 0x32) back to the
    // vector; the others run on, so the code they return to is WebAssembly that a chain could reach.
    const msrSpsr = (t: number): number => (0xd518_4000 | t) >>> 0;
    const orrx = (d: number, n: number, m: number): number => (0xaa00_0000 | (m << 16) | (n << 5) | d) >>> 0;
    const eorx = (d: number, n: number, m: number): number => (0xca00_0000 | (m << 16) | (n << 5) | d) >>> 0;
    const totals = new Totals();
    const r = rng(7010);
    let stepped = 0;
    let trips = 0; // exception round trips without software step (the vector's count, x15)
    let entries = 0; // and the run loop's entries into WebAssembly then
    for (let round = 0; round < 24; round++) {
      const mdscrSs = round % 2 === 1;
      const spsrSs = round % 4 >= 2;
      const A = codeVa(0);
      const code = new Map<bigint, number[]>([
        [A, [addi(8, 8, 1), svc(0), b(A + 8n, A)]],
        [VEC_VA + 0x400n, [addi(15, 15, 1), mrsEsr(9), eorx(13, 13, 9), eorx(20, 20, 21), mrsSpsr(12), orrx(12, 12, 20),
          msrSpsr(12), ERET]],
      ]);
      const budgets = Array.from({ length: 10 }, () => 20 + Math.floor(r() * 400));
      const { probe, st } = chainDiff(() => `round ${round} mdscr.ss ${mdscrSs} spsr.ss ${spsrSs}`, {
        tier: { hotRuns: 1, batchBlocks: 4 },
        setup: (e) => {
          layout(e, { el0: true });
          loadCode(e, code);
          e.cpu.sys[SysReg.MDSCR_EL1] = mdscrSs ? 1n : 0n;
          e.cpu.sys[SysReg.OSLSR_EL1] = e.cpu.sys[SysReg.OSLSR_EL1]! & ~2n;
          e.cpu.debugChanged();
          e.cpu.x[21] = spsrSs ? 1n << 21n : 0n;
          e.cpu.el = 0;
          e.cpu.spsel = 0;
          e.cpu.spEl[0] = DATA_VA + 0x3000n;
          e.cpu.spEl[1] = DATA_VA + 0x2000n;
          e.cpu.daif = 0;
          e.cpu.pc = A;
        },
        go: runExceptionBudgets(budgets),
      });
      expect(st.x[15]).toBeGreaterThan(10n);
      if (!mdscrSs) {
        trips += Number(st.x[15]);
        entries += probe.entries;
      }
      if (mdscrSs && spsrSs) {
        // Software step exceptions (EC 0x32) happened.
        stepped++;
        expect((st.trace as string[]).some((l) => / esr c[ab]/.test(l))).toBe(true);
      }
      totals.add(probe);
    }
    expect(stepped).toBe(6);
    // Not vacuous: SVC and ERET chained (a run's one entry went round the loop many times: far fewer run-loop
    // entries than exceptions taken and returned from).
    expect(totals.elChanged).toBeGreaterThan(10);
    expect(entries).toBeLessThan(trips / 4);
  });

  it('an ERET that unmasks debug exceptions at EL1 (SPSR_EL1.D 0, MDSCR_EL1.KDE, a breakpoint) leaves for the run loop, which takes the breakpoint', () => {
    // EL1 at A: add x8, x8, #1; svc #0 | b A, with a breakpoint on A. The vector (0x200): count in x15, fold ESR
    // into x13, flip SPSR_EL1.D by x21, which x22 toggles (so D flips at every other return), eret. The same blocks
    // run in WebAssembly while D = 1 masks the breakpoint, so a chain that ignored the unmasking would run past it.
    const msrSpsr = (t: number): number => (0xd518_4000 | t) >>> 0;
    const eorx = (d: number, n: number, m: number): number => (0xca00_0000 | (m << 16) | (n << 5) | d) >>> 0;
    const r = rng(7011);
    let hits = 0;
    for (let round = 0; round < 8; round++) {
      const A = codeVa(0);
      const code = new Map<bigint, number[]>([
        [A, [addi(8, 8, 1), svc(0), b(A + 8n, A)]],
        [VEC_VA + 0x200n, [addi(15, 15, 1), mrsEsr(9), eorx(13, 13, 9), mrsSpsr(12), eorx(12, 12, 21), eorx(21, 21, 22),
          msrSpsr(12), ERET]],
      ]);
      const budgets = Array.from({ length: 10 }, () => 20 + Math.floor(r() * 400));
      const { st } = chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 4 },
        setup: (e) => {
          layout(e);
          loadCode(e, code);
          e.cpu.sys[SysReg.MDSCR_EL1] = (1n << 13n) | (1n << 15n); // KDE, MDE
          e.cpu.sys[SysReg.DBGBVR0_EL1] = A;
          e.cpu.sys[SysReg.DBGBCR0_EL1] = 0x1e3n; // E, PMC = EL1, BAS = 0b1111
          e.cpu.sys[SysReg.OSLSR_EL1] = e.cpu.sys[SysReg.OSLSR_EL1]! & ~2n;
          e.cpu.debugChanged();
          e.cpu.x[22] = round % 2 === 0 ? 1n << 9n : 0n; // SPSR_EL1.D, toggled in x21 every other return
          e.cpu.el = 1;
          e.cpu.spsel = 1;
          e.cpu.spEl[1] = DATA_VA + 0x2000n;
          e.cpu.daif = 0xf;
          e.cpu.pc = A;
        },
        go: runExceptionBudgets(budgets),
      });
      expect(st.x[15]).toBeGreaterThan(10n);
      // Breakpoint exceptions from EL1 (EC 0x31) happened in the toggling rounds.
      if ((st.trace as string[]).some((l) => / esr c6/.test(l))) hits++;
    }
    expect(hits).toBe(4);
  });
});

// ---- remapped code pages: the jump cache, and blocks of two physical pages at one virtual page ----

/**
 * Page-table helpers for guest remaps of code page 1 (VA 0x11000) between PA P1 (CODE_PA + 0x1000) and P2
 * (ALT_PA): x21 the descriptor (or root) to install next, x23 the XOR of the two, x22 the PTE's VA, x24 the VA
 * page for TLBI VAE1. `how`: a PTE store + TLBI VMALLE1 or TLBI VAE1, or a TTBR0 switch between two roots with
 * ASIDs 0 and 1, which map page 1 non-global (nG), as an OS maps a process's pages: a global entry may outlive the
 * switch (it does in the MMU), a non-global one of another ASID must not be used. (A new root under the same ASID
 * may keep the old translations, as a real TLB may: asid.test.ts.)
 */
type Remap = 'vmalle1' | 'vae1' | 'ttbr0';
function remapWords(how: Remap): number[] {
  return how === 'ttbr0' ? [msrTtbr0(21), eor(21, 21, 23), ISB]
    : [strx(21, 22), eor(21, 21, 23), DSB_ISH, how === 'vae1' ? tlbiVae1(24) : TLBI_VMALLE1, DSB_ISH, ISB];
}
function remapSetup(e: ArenaEnv, how: Remap): void {
  const ng = how === 'ttbr0';
  const d1 = s1PageDesc(CODE_PA + 0x1000, { attrIndx: Attr.WB, ap: Ap.RwEl1, ng });
  const d2 = s1PageDesc(ALT_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1, ng });
  if (how === 'ttbr0') {
    e.t.write(e.t.slot(e.root0, codeVa(1)), d1);
    // A second root: root0's tables, but new ones on the path to page 1, whose descriptor maps P2.
    const root2 = e.t.alloc();
    const copy = (from: number, to: number, level: number): void => {
      for (let i = 0; i < 512; i++) {
        const d = e.t.read(from + 8 * i);
        if (d === 0n) continue;
        if (level === 3 || i !== Number((codeVa(1) >> BigInt(39 - 9 * level)) & 511n)) {
          e.t.write(to + 8 * i, d);
          continue;
        }
        const next = e.t.alloc();
        e.t.write(to + 8 * i, (d & ~0xffff_ffff_f000n) | BigInt(next));
        copy(Number(d & 0xffff_ffff_f000n), next, level + 1);
      }
    };
    copy(e.root0, root2, 0);
    e.t.write(e.t.slot(root2, codeVa(1)), d2);
    e.cpu.x[21] = BigInt(root2) | (1n << 48n);
    e.cpu.x[23] = (BigInt(root2) | (1n << 48n)) ^ BigInt(e.root0);
  } else {
    e.cpu.x[21] = d2;
    e.cpu.x[22] = pteVa(e, codeVa(1));
    e.cpu.x[23] = d1 ^ d2;
    e.cpu.x[24] = codeVa(1) >> 12n;
  }
}

describe('code pages the guest remaps inside a run', () => {
  it('the jump cache: BLR, RET and BR targets on a page remapped by a PTE store + TLBI VMALLE1 or VAE1, or by a TTBR0 switch, run the new code', () => {
    // Page 0: MAIN (subs x26; b.eq REMAP) | blr x27 (F on page 1) | b R | R: add x3; br x28 (G on page 1) | F0:
    // add x15; ret. Page 1 is P1 or P2, each with its own F (..., ret), G (..., blr x29: F0) and G + 8 (the return
    // point of that call: ..., b MAIN); REMAP (page 2) swaps them and reloads x26. F, G and G + 8 are reached by
    // register branches only (no link): the run loop finds them through the jump cache or a fetch translation.
    const r = rng(7009);
    let fetches = 0;
    let runs = 0;
    for (const how of ['vmalle1', 'vae1', 'ttbr0'] as const) {
      for (let round = 0; round < 5; round++) {
        const MAIN = codeVa(0);
        const R = codeVa(0, 0x40);
        const F0 = codeVa(0, 0x80);
        const F = codeVa(1, 0x100);
        const G = codeVa(1, 0x200);
        const REMAP = codeVa(2);
        const per = 3 + round;
        const remap = [...remapWords(how), movz(26, per)];
        remap.push(b(REMAP + BigInt(4 * remap.length), MAIN));
        const code = new Map<bigint, number[]>([
          [MAIN, [subsi(26, 26, 1), bcond(MAIN + 4n, REMAP, 0), blr(27), b(MAIN + 12n, R)]],
          [R, [addi(3, 3, 1), br(28)]],
          [F0, [addi(15, 15, 1), ret()]],
          [REMAP, remap],
        ]);
        const p1 = new Map<bigint, number[]>([
          [F, [addi(9, 9, 1), dpw(r), ret()]], [G, [addi(11, 11, 1), blr(29)]], [G + 8n, [addi(13, 13, 1), b(G + 12n, MAIN)]],
        ]);
        const p2 = new Map<bigint, number[]>([
          [F, [addi(10, 10, 3), ret()]], [G, [addi(12, 12, 7), blr(29)]], [G + 8n, [dpw(r), addi(14, 14, 5), b(G + 16n, MAIN)]],
        ]);
        const budgets = Array.from({ length: 10 }, () => 80 + Math.floor(r() * 300));
        const { st, probe } = chainDiff(() => `${how} round ${round}`, {
          tier: { hotRuns: 1, batchBlocks: 8 },
          ranges: [[CODE_PA, 0x4000], [ALT_PA, 0x1000]],
          setup: (e) => {
            layout(e);
            loadCode(e, code);
            for (const [va, words] of p1) loadWords(e, codePa(va), words);
            for (const [va, words] of p2) loadWords(e, ALT_PA + Number(va - codeVa(1)), words);
            remapSetup(e, how);
            e.cpu.x[26] = BigInt(per);
            e.cpu.x[27] = F;
            e.cpu.x[28] = G;
            e.cpu.x[29] = F0;
            e.cpu.pc = MAIN;
          },
          go: runBudgets(budgets),
        });
        // Both pages' F, G and return points ran: every remap was seen.
        for (const k of [9, 10, 11, 12, 13, 14]) expect(st.x[k]).toBeGreaterThan(9n);
        runs += Number(st.x[9]! + st.x[10]! / 3n + st.x[11]! + st.x[12]! / 7n + st.x[13]! + st.x[14]! / 5n);
        fetches += (probe.fetches.get(F) ?? 0) + (probe.fetches.get(G) ?? 0) + (probe.fetches.get(G + 8n) ?? 0);
      }
    }
    // Most entries of F, G and G + 8 came from the jump cache (a fetch translation after each remap and run start).
    expect(fetches).toBeLessThan(runs * 0.6);
  });

  it('the jump cache is per EL: an ERET to EL0 at a PC that EL1 reached through BR (on a page EL0 cannot execute) takes the instruction abort', () => {
    // MAIN (page 0, EL1): add x3; br x1 -> X (page 1: UXN, EL1 only): add x4; eret (ELR X, SPSR EL0t): the fetch of
    // X at EL0 faults; the lower-EL vector counts (x5) and branches back to MAIN. X's block is in the jump cache
    // (found at EL1 through BR) when the ERET reaches the same PC at EL0, with the same TLB generation.
    const MAIN = codeVa(0);
    const X = codeVa(1, 0x40);
    const code = new Map<bigint, number[]>([
      [MAIN, [addi(3, 3, 1), br(1)]],
      [X, [addi(4, 4, 1), ERET]],
      [VEC_VA + 0x400n, [addi(5, 5, 1), mrsEsr(9), b(VEC_VA + 0x408n, MAIN)]],
    ]);
    const r = rng(7011);
    const budgets = Array.from({ length: 12 }, () => 20 + Math.floor(r() * 200));
    const { st } = chainDiff(() => 'eret to EL0', {
      tier: { hotRuns: 1, batchBlocks: 3 },
      setup: (e) => {
        layout(e);
        e.t.map(e.root0, codeVa(1), s1PageDesc(CODE_PA + 0x1000, { attrIndx: Attr.WB, ap: Ap.RwEl1, uxn: true }));
        loadCode(e, code);
        e.cpu.x[1] = X;
        e.cpu.sys[SysReg.ELR_EL1] = X;
        e.cpu.sys[SysReg.SPSR_EL1] = 0n; // EL0t, interrupts unmasked
        e.cpu.pc = MAIN;
      },
      go: runBudgets(budgets),
    });
    // Every pass faulted at EL0 (an instruction abort from a lower EL, EC 0x20).
    expect(st.x[5]).toBeGreaterThan(100n);
    expect(st.x[9]! >> 26n).toBe(0x20n);
  });

  // A regression test: chain targets were found by virtual PC alone (tier.ts compileQueued), so a block chained to a
  // block of another physical page that had been mapped at the same virtual page earlier in the run (its validity
  // word still held the run's epoch). Blocks now chain only within their code page (Block.page).
  it.each([
    ['vmalle1', 'direct'], ['vmalle1', 'register'], ['ttbr0', 'direct'], ['ttbr0', 'register'],
  ] as const)('blocks of two physical pages mapped in turn at one virtual page (%s, %s branch), compiled into one module, chain only to the page mapped now', (how, branch) => {
    // Page 1 is P1 or P2 (swapped every `per` iterations by REMAP, as above). Each holds F1 at 0x11000 and F2 at
    // 0x11100, with different code: F1 `b F2` (direct) or `br x28` (x28 = F2: a register branch), F2 `ret`. MAIN
    // (page 0) calls F1 with BLR. Once both pages' blocks are in one module, F1 of the page mapped now must not chain
    // to the other page's F2, which has the same virtual address and was entered earlier in the same run.
    const r = rng(7010);
    const MAIN = codeVa(0);
    const REMAP = codeVa(2);
    const F1 = codeVa(1);
    const F2 = codeVa(1, 0x100);
    for (let round = 0; round < 6; round++) {
      const per = 2 + (round % 3);
      const remap = [...remapWords(how), movz(26, per)];
      remap.push(b(REMAP + BigInt(4 * remap.length), MAIN));
      const code = new Map<bigint, number[]>([
        [MAIN, [subsi(26, 26, 1), bcond(MAIN + 4n, REMAP, 0), blr(27), b(MAIN + 12n, MAIN)]],
        [REMAP, remap],
      ]);
      const f1 = (k: number): number[] => [addi(k, k, 1), branch === 'direct' ? b(F1 + 4n, F2) : br(28)];
      const f2 = (k: number): number[] => [addi(k, k, 1), ret()];
      const budgets = Array.from({ length: 12 }, () => 100 + Math.floor(r() * 300));
      const { st, probe } = chainDiff(() => `${how} ${branch} round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 6 + round },
        ranges: [[CODE_PA, 0x4000], [ALT_PA, 0x1000]],
        setup: (e) => {
          layout(e);
          loadCode(e, code);
          loadWords(e, codePa(F1), f1(9));
          loadWords(e, codePa(F2), f2(10));
          loadWords(e, ALT_PA, f1(11));
          loadWords(e, ALT_PA + 0x100, f2(12));
          remapSetup(e, how);
          e.cpu.x[26] = BigInt(per);
          e.cpu.x[27] = F1;
          e.cpu.x[28] = F2;
          e.cpu.pc = MAIN;
        },
        go: runBudgets(budgets),
      });
      // Both pages' F1 and F2 ran many times; both pages' blocks were compiled, several to a module.
      expect(st.x[10]).toBeGreaterThan(20n);
      expect(st.x[12]).toBeGreaterThan(20n);
      expect(probe.stats.blocks / probe.stats.modules).toBeGreaterThanOrEqual(3);
    }
  });
});

// ---- regroups, NOP-ended blocks, chains into blocks of an earlier run ----

describe('blocks compiled in separate modules are compiled again as one module (WasmTier.regroup)', () => {
  const NOP = 0xd503_201f;
  /** The tier's regroup count and each run's run-loop entries, recorded by `go` below. */
  interface Seen { regroups: number; entries: number[] }

  /**
   * A loop of five blocks on page 0, one block per module (batchBlocks 1), so every transition goes through the run
   * loop until the page's blocks are regrouped: A (add; nop: a block ending in a NOP falls into B) | B (subs x26;
   * b.eq EXIT; bl F) | F on page 0 (add x9; ret) | R (the return point: eor; cbz x0 / b C) | C (add x2; b A).
   */
  const A = codeVa(0);
  const B = codeVa(0, 0x8);
  const F = codeVa(0, 0x200);
  const R = codeVa(0, 0x14);
  const C = codeVa(0, 0x40);
  const EXIT = codeVa(2);
  const loop = (imm: number): Map<bigint, number[]> => new Map([
    [EXIT, [B_SELF]],
    [A, [addi(1, 1, imm), NOP]],
    [B, [subsi(26, 26, 1), bcond(B + 4n, EXIT, 0), bl(B + 8n, F)]],
    [R, [eor(3, 3, 1), cbz(R + 4n, C, 31, true, 0), b(R + 8n, C)]],
    [C, [addi(2, 2, 1), b(C + 4n, A)]],
    [F, [addi(9, 9, 1), ret()]],
  ]);

  /**
   * Run 30 runs of 2,000 instructions (the page is regrouped after about 2,048 transitions), then apply `change`
   * between two runs and run 6 more: the state and trace must be the interpreter's.
   */
  function regroupDiff(label: string, change: ((e: ArenaEnv) => void) | undefined, seen: Seen, extra?: (e: ArenaEnv) => void): { st: State; probe: Probe } {
    return chainDiff(() => label, {
      tier: { hotRuns: 1, batchBlocks: 1 },
      ranges: [[CODE_PA, 0x4000], [ALT_PA, 0x1000]],
      setup: (e) => {
        layout(e);
        loadCode(e, loop(1));
        extra?.(e);
        e.cpu.x[26] = 100_000n;
        e.cpu.pc = A;
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        const trace: string[] = [];
        for (let run = 0; run < 36; run++) {
          if (run === 30) change?.(e);
          const before = p?.entries ?? 0;
          stops.push(e.cpu.run(2000));
          trace.push(snap(e));
          if (p !== undefined) seen.entries.push(p.entries - before);
        }
        if (p !== undefined) seen.regroups = p.stats.regroups;
        return { stops, trace };
      },
    });
  }

  it('the page is regrouped, and then its blocks chain (direct exits, a NOP-ended block, RET) and a new run needs one run-loop entry', () => {
    const seen: Seen = { regroups: 0, entries: [] };
    const { st, probe } = regroupDiff('no change', undefined, seen);
    expect(seen.regroups).toBeGreaterThanOrEqual(1);
    // Before the regroup each run entered the run loop once an iteration, at F's RET into R (a register branch to a
    // block of the same page in another module; the direct exits chained through the arena jump cache); after it,
    // one entry per run (two when the previous run's budget ended inside a block, so this one starts in the middle
    // of it, at a block of its own): every exit chained (the NOP-ended A into B, F's RET into R, the direct
    // branches), and the chains into blocks last entered in an earlier run revalidated them (their check functions
    // compared their words with memory); without that, each run would enter the run loop at each of the six blocks
    // once.
    expect(seen.entries[0]).toBeGreaterThan(150);
    expect(seen.entries[0]).toBeLessThan(250); // (once per block, the direct exits included, would be 5 times that)
    expect(Math.max(...seen.entries.slice(-10))).toBeLessThanOrEqual(2);
    expect(seen.entries.slice(-10)).toContain(1);
    expect(probe.chained).toBeGreaterThan(10);
    expect(st.x[9]).toBeGreaterThan(4000n);
  });

  it.each([
    ['a host write to B (no cache told)', (e: ArenaEnv) => loadWords(e, codePa(B), [subsi(26, 26, 3)])],
    ['a host write to F (reached only by the chain from the BL after B)', (e: ArenaEnv) => loadWords(e, codePa(F), [addi(9, 9, 5)])],
    ['a host write to A, the block the run starts at', (e: ArenaEnv) => loadWords(e, codePa(A), [addi(1, 1, 7)])],
    ['a host write of the same words (nothing changes)', (e: ArenaEnv) => loadCode(e, loop(1))],
    ['page 0 remapped to other code + TLBI', (e: ArenaEnv) => {
      e.t.map(e.root0, codeVa(0), s1PageDesc(ALT_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
      e.mmu.tlbi('vmalle1', 0n);
    }],
    ['TTBR0 switched to tables mapping other code', (e: ArenaEnv) => e.set('TTBR0_EL1', BigInt(e.root1))],
  ] as const)('after the regroup, %s between runs: the new code runs', (label, change) => {
    const seen: Seen = { regroups: 0, entries: [] };
    const alt = (e: ArenaEnv): void => {
      // ALT_PA: page 0 with other immediates; root1: the same tables but page 0 mapped there.
      for (const [va, words] of loop(11)) if (va < codeVa(1)) loadWords(e, ALT_PA + Number(va - CODE_VA), words);
      layoutInto(e, e.root1);
      e.t.map(e.root1, codeVa(0), s1PageDesc(ALT_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
    };
    const { st } = regroupDiff(label, change, seen, alt);
    expect(seen.regroups).toBeGreaterThanOrEqual(1);
    expect(st.x[1]).toBeGreaterThan(0n);
  });

  it('a second phase of the page (new hot blocks, compiled one per module) is regrouped after 2,048 missed chains, not 8,192', () => {
    // Phase 1: the loop above until x26 reaches 0; then B's b.eq leaves for EXIT, which is phase 2: a loop of four
    // other blocks on the same page (P, Q, R2, S2), each compiled in a module of its own (batchBlocks 1), each
    // leaving for the next through a register branch (direct exits to another module chain through the arena jump
    // cache, and are not missed chains).
    const P = codeVa(0, 0x400);
    const Q = codeVa(0, 0x440);
    const R2 = codeVa(0, 0x480);
    const S2 = codeVa(0, 0x4c0);
    const movkX10 = (to: bigint): number => (0xf280_0000 | (Number(to - CODE_VA) << 5) | 10) >>> 0; // CODE_VA + offset
    const code = loop(1);
    code.set(EXIT, [b(EXIT, P)]);
    code.set(P, [addi(5, 5, 1), movkX10(Q), br(10)]);
    code.set(Q, [addi(6, 6, 1), movkX10(R2), br(10)]);
    code.set(R2, [addi(7, 7, 1), movkX10(S2), br(10)]);
    code.set(S2, [addi(8, 8, 1), movkX10(P), br(10)]);
    let regroupsAtSwitch = -1;
    let switchRun = -1;
    let regroupRun = -1;
    const entries: number[] = [];
    let regroups = 0;
    chainDiff(() => 'two phases', {
      tier: { hotRuns: 1, batchBlocks: 1 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.x[26] = 3_000n; // phase 1: 3,000 iterations of the 5-block loop (a missed chain each: F's RET)
        e.cpu.x[10] = CODE_VA; // (MOVK sets its low 16 bits)
        e.cpu.pc = A;
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        const trace: string[] = [];
        for (let run = 0; run < 60; run++) {
          const before = p?.entries ?? 0;
          stops.push(e.cpu.run(2000));
          trace.push(snap(e));
          if (p === undefined) continue;
          entries.push(p.entries - before);
          if (regroupsAtSwitch < 0 && e.cpu.x[5]! > 0n) {
            regroupsAtSwitch = p.stats.regroups;
            switchRun = run;
          }
          if (regroupsAtSwitch >= 0 && p.stats.regroups > regroupsAtSwitch && regroupRun < 0) regroupRun = run;
          regroups = p.stats.regroups;
        }
        return { stops, trace };
      },
    });
    expect(regroupsAtSwitch).toBeGreaterThanOrEqual(1); // phase 1 was regrouped
    expect(regroups).toBeGreaterThan(regroupsAtSwitch); // and phase 2 too
    // Phase 2 makes 4 transitions per 12 instructions until it is regrouped: 2,048 of them take about 6,150
    // instructions, three or four runs; 8,192 would take about twelve. Afterwards a run enters the run loop once or
    // twice.
    expect(regroupRun - switchRun).toBeLessThanOrEqual(4);
    expect(Math.max(...entries.slice(-10))).toBeLessThanOrEqual(2);
  });

  it('a dispatch branch with more targets than it can chain to does not have its page regrouped again and again', () => {
    // D counts down and falls into D2 (br x1); twelve targets T0..T11 each count in x3, set x1 to the next target
    // and branch back to D. A register branch chains directly to at most 8 recorded targets, so the other 4 go
    // through the arena jump cache or the run loop; regrouping the page cannot change that and must not be tried
    // for it.
    const D = codeVa(0);
    const D2 = codeVa(0, 0x8);
    const T = (k: number): bigint => codeVa(0, 0x100 + 0x40 * k);
    const MOVZ_X1_1_LSL16 = 0xd2a0_0021;
    const movkX1 = (imm: number): number => (0xf280_0000 | (imm << 5) | 1) >>> 0;
    const code = new Map<bigint, number[]>([[EXIT, [B_SELF]], [D, [subsi(26, 26, 1), bcond(D + 4n, EXIT, 0)]], [D2, [br(1)]]]);
    for (let k = 0; k < 12; k++) {
      code.set(T(k), [addi(3, 3, 1), MOVZ_X1_1_LSL16, movkX1(Number(T((k + 1) % 12) - CODE_VA)), b(T(k) + 12n, D)]);
    }
    let regroups = 0;
    const { probe } = chainDiff(() => 'dispatch', {
      tier: { hotRuns: 1, batchBlocks: 4 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.x[1] = T(0);
        e.cpu.x[26] = 1_000_000n;
        e.cpu.pc = D;
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        const trace: string[] = [];
        for (let run = 0; run < 300; run++) {
          stops.push(e.cpu.run(2000));
          trace.push(snap(e));
        }
        if (p !== undefined) regroups = p.stats.regroups;
        return { stops, trace };
      },
    });
    // About 70,000 dispatches, a third of them (the targets beyond 8) through the run loop: the page is regrouped
    // for its direct exits (blocks in separate modules) once or twice, not every 3,800 misses (several times more).
    expect(regroups).toBeGreaterThanOrEqual(1);
    expect(regroups).toBeLessThanOrEqual(2);
    // Once the branch has been seen to reach more targets than it has candidates, it looks the others up in the
    // arena jump cache (same page, other modules included): about 3,700 run-loop entries, not 30,000.
    expect(probe.entries).toBeLessThan(8000);
  });

  it('after the regroup, a guest store into a block of the loop (through the alias): the block chained to runs the new code', () => {
    // C becomes: add x2; subs x25, x25, #1; b.ne A | str w27, [x28] (x28: the alias of B's first word); b A, storing
    // `subs x26, x26, #2` over B's `subs x26, x26, #1` once x25 reaches 0 (after about 65,000 instructions: long
    // after the regroup).
    const seen: Seen = { regroups: 0, entries: [] };
    const { st } = chainDiff(() => 'guest store', {
      tier: { hotRuns: 1, batchBlocks: 1 },
      setup: (e) => {
        layout(e);
        const code = loop(1);
        code.set(C, [addi(2, 2, 1), subsi(25, 25, 1), bcond(C + 8n, A, 1), strw(27, 28), b(C + 16n, A)]);
        loadCode(e, code);
        e.cpu.x[25] = 5000n;
        e.cpu.x[26] = 100_000n;
        e.cpu.x[27] = BigInt(subsi(26, 26, 2));
        e.cpu.x[28] = ALIAS_VA + (B - CODE_VA);
        e.cpu.pc = A;
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        const trace: string[] = [];
        for (let run = 0; run < 30; run++) {
          stops.push(e.cpu.run(3000));
          trace.push(snap(e));
        }
        if (p !== undefined) seen.regroups = p.stats.regroups;
        return { stops, trace };
      },
    });
    expect(seen.regroups).toBeGreaterThanOrEqual(1);
    expect(BigInt.asIntN(64, st.x[25]!)).toBeLessThan(0n); // x25 went past 0: the store happened
  });
});

/** Map into `root` what `layout` maps into root0 (code, vectors, data, alias, page-table window). */
function layoutInto(e: ArenaEnv, root: number): void {
  for (let k = 0; k < 4; k++) e.t.map(root, codeVa(k), s1PageDesc(CODE_PA + 0x1000 * k, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
  e.t.map(root, VEC_VA, s1PageDesc(VEC_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
  for (let k = -4; k < 8; k++) e.t.map(root, DATA_VA + BigInt(0x1000 * k), s1PageDesc(DATA_PA + 0x4000 + 0x1000 * k, { attrIndx: Attr.WB, ap: Ap.RwAll }));
  e.t.map(root, ALIAS_VA, s1PageDesc(CODE_PA, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
  for (let k = 0; k < 32; k++) e.t.map(root, PT_VA + BigInt(0x1000 * k), s1PageDesc(RAM_BASE + 0x1000 * k, { attrIndx: Attr.WB, ap: Ap.RwEl1 }));
}

// ---- chains across modules and pages: the arena jump cache ----

describe('WebAssembly blocks chain across modules and pages through the arena jump cache', () => {
  it('slots and validity words of freed modules go to new blocks: no arena jump cache entry of the dead ones runs them', () => {
    // A loop A (page 0) -> B (page 1) -> C0 -> ... -> C69 (page 2) -> A, one block a module: every exit goes through
    // the arena jump cache. Now and then the host flushes the code cache (every block dies); compiling the loop again
    // takes the slab count past its next scan, which frees the dead modules' slabs and BlockTable slots for the blocks
    // compiled next (tier.ts freeDeadSlabs). An entry still naming a dead block's slot and validity word would send an
    // exit to whichever new block has them (its word stamped when the loop passed it in this run): the tier must empty
    // the cache then.
    const A = codeVa(0);
    const B = codeVa(1, 0x40);
    const C = (i: number): bigint => codeVa(2, 0x20 * i);
    const code = new Map<bigint, number[]>([
      [A, [addi(1, 1, 1), b(A + 4n, B)]],
      [B, [addi(2, 2, 1), subsi(26, 26, 1), bcond(B + 8n, C(0), 1), B_SELF]],
    ]);
    for (let i = 0; i < 70; i++) code.set(C(i), [addi(3 + (i % 8), 3 + (i % 8), 1 + i), b(C(i) + 4n, i < 69 ? C(i + 1) : A)]);
    const r = rng(7103);
    let flushed = 0;
    for (let round = 0; round < 12; round++) {
      const budgets = Array.from({ length: 150 }, () => 20 + Math.floor(r() * 400));
      const flushAt = new Set(Array.from({ length: 3 }, () => 10 + Math.floor(r() * 130)));
      chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 1 },
        setup: (e) => {
          layout(e);
          loadCode(e, code);
          e.cpu.x[26] = 100_000n;
          e.cpu.pc = A;
        },
        go: (e, p) => {
          const stops: StopCode[] = [];
          const trace: string[] = [];
          budgets.forEach((n, k) => {
            if (flushAt.has(k) && p !== undefined) {
              e.cpu.codeCache.flush();
              flushed++;
            }
            stops.push(e.cpu.run(n));
            trace.push(snap(e));
          });
          return { stops, trace };
        },
      });
    }
    expect(flushed).toBeGreaterThan(24);
  });

  it('a new run revalidates the blocks its chains reach through their check functions, without the run loop; a host write between runs is seen', () => {
    // A -> B -> C -> A, one page and one module each: every exit goes through the arena jump cache. Each Cpu.run is a
    // new run (the host may have written memory), in which the blocks' validity words are stale until entered or
    // checked: the chains check them (BlockTable's check entry) and go on, so a run enters the run loop's blocks
    // once, at its start, where it would enter each block once otherwise. A host write to C between two runs makes its
    // check fail: the run loop takes over and builds C again (the trace against the interpreter shows the new code).
    const A = codeVa(0);
    const B = codeVa(1, 0x40);
    const C = codeVa(2, 0x80);
    const code = new Map<bigint, number[]>([
      [A, [addi(1, 1, 1), b(A + 4n, B)]],
      [B, [addi(2, 2, 1), b(B + 4n, C)]],
      [C, [addi(3, 3, 1), b(C + 4n, A)]],
    ]);
    let entries = 0;
    let runs = 0;
    const { st } = chainDiff(() => 'revalidate', {
      tier: { hotRuns: 1, batchBlocks: 1 },
      setup: (e) => {
        layout(e);
        loadCode(e, code);
        e.cpu.pc = A;
      },
      go: (e, p) => {
        const stops: StopCode[] = [];
        const trace: string[] = [];
        for (let k = 0; k < 40; k++) {
          if (k === 30) loadWords(e, codePa(C), [addi(3, 3, 5)]); // a host write (no cache told)
          const before = p?.entries ?? 0;
          stops.push(e.cpu.run(600));
          trace.push(snap(e));
          if (p !== undefined && k >= 10 && (k < 30 || k >= 34)) {
            entries += p.entries - before;
            runs++;
          }
        }
        return { stops, trace };
      },
    });
    expect(st.x[3]).toBeGreaterThan(3000n);
    expect(runs).toBe(26);
    expect(entries / runs).toBeLessThan(1.5);
  });

  it('on 120 random programs of calls, returns and branches between four pages, one or two blocks a module, as the interpreter', () => {
    // MAIN (page 0): subs x26; b.eq exit | bl F1 (page 1) | blr x27 (F2 on page 2, F3 on page 3) | br x28 (J on page 2
    // or J0 on page 0) ... J: b MAIN. F1 saves the link and calls F2 (or not). Modules of one or two blocks: every
    // chain between pages, and most between blocks, goes through the arena jump cache.
    const r = rng(7101);
    const int = (n: number): number => Math.floor(r() * n);
    let crossPage = 0;
    let chained = 0;
    let indirect = 0;
    const EXIT = codeVa(3, 0xf00);
    for (let round = 0; round < 120; round++) {
      const rw = (): number[] => Array.from({ length: int(3) }, () => randomWord(r));
      const MAIN = codeVa(0);
      const J0 = codeVa(0, 0x500);
      const F1 = codeVa(1, 0x200);
      const F2 = codeVa(2, 0x300);
      const J = codeVa(2, 0x500);
      const F3 = codeVa(3, 0x100);
      const code = callProgram(rw, r, { EXIT, MAIN, F1, F2, F3, J }, [[J0, [addi(25, 25, 4), b(J0 + 4n, MAIN)]]]);
      const x27 = r() < 0.5 ? F2 : F3;
      const x28 = r() < 0.7 ? J : J0;
      const probe = runCallProgram(round, int, r, code, { MAIN, x27, x28 }, () => 1 + int(2));
      crossPage += probe.crossPage;
      chained += probe.chained;
      indirect += probe.indirect;
    }
    expect(crossPage).toBeGreaterThan(1000);
    // (Entries that chained: fewer since a chain revalidates the blocks of a new run itself and goes on, where it
    // left for the run loop, entered the next block and chained again.)
    expect(chained).toBeGreaterThan(9000);
    expect(indirect).toBeGreaterThan(600);
  });

  it('budgets that end in the middle of a chain across pages and modules: PC and retired count exact at every budget 1..120', () => {
    // A (page 0) -> B (page 1) -> C (page 2, BL F on page 3) -> F: RET -> C + 16: b D (page 1) -> D: subs x26;
    // b.ne A; `b .`. One block a module: every chain goes through the arena jump cache.
    const A = codeVa(0);
    const B = codeVa(1, 0x40);
    const C = codeVa(2, 0x80);
    const F = codeVa(3, 0x100);
    const D = codeVa(1, 0xc0);
    const code = callChain(A, B, C, F, D);
    let crossPage = 0;
    midChainBudgets(code, A, 1, (p) => { p.crossPage = 0; }, (probe) => { crossPage += probe.crossPage; });
    expect(crossPage).toBeGreaterThan(60);
  });

  it('an IRQ raised by a store in the middle of a block of a chain across pages is taken at that block\'s end, as handler blocks take it', () => {
    // A (page 0): add x1; subs x19; cbz x19, S | subs x26; b.ne B | `b .`. S (page 3): str xzr, [x18] (MAGIC0 raises
    // the line); movz x19, #every; add x5; b B. B (page 1) -> C (page 2) -> A. One block a module: S's exit to B
    // would chain through the arena jump cache, but the IRQ must be taken first.
    const A = codeVa(0);
    const B = codeVa(1, 0x40);
    const C = codeVa(2, 0x80);
    const S = codeVa(3, 0x100);
    let crossPage = 0;
    const r = rng(7102);
    for (let round = 0; round < 12; round++) {
      const every = 2 + (round % 4);
      const code = new Map<bigint, number[]>([
        [A, [addi(1, 1, 1), subsi(19, 19, 1), cbz(A + 8n, S, 19, false), subsi(26, 26, 1), bcond(A + 16n, B, 1), B_SELF]],
        [S, [strx(31, 18), movz(19, every), addi(5, 5, 1), b(S + 12n, B)]],
        [B, [addi(2, 2, 1), eor(3, 3, 2), b(B + 8n, C)]],
        [C, [addi(4, 4, 3), b(C + 4n, A)]],
        [VEC_VA + 0x280n, [addi(15, 15, 1), mrsElr(16), strx(31, 17), ERET]],
      ]);
      const budgets = Array.from({ length: 10 }, () => 50 + Math.floor(r() * 400));
      const { probe, st } = chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1, batchBlocks: 1 },
        ref: 'handlers',
        setup: irqByStore(code, every, A),
        go: runBudgets(budgets),
      });
      expect(st.x[15]).toBeGreaterThan(10n);
      crossPage += probe.crossPage;
    }
    expect(crossPage).toBeGreaterThan(50);
  });

  it('a block chained to across pages that another block of the chain rewrites (a guest store into code): the new code runs', () => {
    // L (page 0): subs x19; cbnz x19, L2 | L1: str w21, [x22] (P's first word, page 1); eor w21, w21, w23; movz x19,
    // #every | L2: subs x26; b.eq exit; b P. P (page 1): add x9, x9, #1 or #3 (the word L1 stored last); add x10; b L.
    // One block a module: L2's exit to P chains through the arena jump cache while P lives; after L1's store killed
    // P (its validity word is 0), the entry still names P's old function, which must not run.
    const L = codeVa(0);
    const L1 = L + 8n;
    const L2 = L + 20n;
    const P = codeVa(1, 0x80);
    const EXIT = codeVa(3);
    const w1 = addi(9, 9, 1);
    const w3 = addi(9, 9, 3);
    const r = rng(7103);
    let crossPage = 0;
    for (let round = 0; round < 8; round++) {
      const every = 3 + (round % 4);
      const code = new Map<bigint, number[]>([
        [EXIT, [B_SELF]],
        [L, [subsi(19, 19, 1), cbz(L + 4n, L2, 19, true)]],
        [L1, [strw(21, 22), eor(21, 21, 23), movz(19, every)]],
        [L2, [subsi(26, 26, 1), bcond(L2 + 4n, EXIT, 0), b(L2 + 8n, P)]],
        [P, [w1, addi(10, 10, 1), b(P + 8n, L)]],
      ]);
      const budgets = Array.from({ length: 12 }, () => 30 + Math.floor(r() * 300));
      const { st, probe } = chainDiff(() => `round ${round}`, {
        tier: { hotRuns: 1 + (round % 2), batchBlocks: 1 },
        setup: (e) => {
          layout(e);
          loadCode(e, code);
          e.cpu.x[19] = BigInt(every);
          e.cpu.x[21] = BigInt(w3);
          e.cpu.x[22] = P;
          e.cpu.x[23] = BigInt((w1 ^ w3) >>> 0);
          e.cpu.x[26] = 100_000n;
          e.cpu.pc = L;
        },
        go: runBudgets(budgets),
      });
      expect(st.x[9]).toBeGreaterThan(st.x[10]!); // the add #3 ran
      crossPage += probe.crossPage;
    }
    expect(crossPage).toBeGreaterThan(50);
  });

  it('the arena jump cache is per mode: EL0 code whose BR target an EL1 block reached (on a page EL0 cannot execute) takes the instruction abort', () => {
    // MAIN (page 0, both ELs): add x3; br x1 -> X (page 1: UXN, EL1 only): add x4; msr elr_el1, x2 (MAIN); eret to
    // EL0 at MAIN, whose BR to X faults at EL0; the lower-EL vector counts (x5) and branches back to MAIN at EL1. The
    // arena entry for X (filled at EL1, with the same TLB generation) must not serve MAIN's BR at EL0.
    const MAIN = codeVa(0);
    const X = codeVa(1, 0x40);
    const code = new Map<bigint, number[]>([
      [MAIN, [addi(3, 3, 1), br(1)]],
      [X, [addi(4, 4, 1), msrElr(2), ERET]],
      [VEC_VA + 0x400n, [addi(5, 5, 1), mrsEsr(9), b(VEC_VA + 0x408n, MAIN)]],
    ]);
    const r = rng(7104);
    const budgets = Array.from({ length: 12 }, () => 20 + Math.floor(r() * 200));
    const { st } = chainDiff(() => 'eret to EL0', {
      tier: { hotRuns: 1, batchBlocks: 1 },
      setup: (e) => {
        layout(e, { el0: true });
        e.t.map(e.root0, codeVa(1), s1PageDesc(CODE_PA + 0x1000, { attrIndx: Attr.WB, ap: Ap.RwEl1, uxn: true }));
        loadCode(e, code);
        e.cpu.x[1] = X;
        e.cpu.x[2] = MAIN;
        e.cpu.sys[SysReg.SPSR_EL1] = 0n; // EL0t, interrupts unmasked
        e.cpu.pc = MAIN;
      },
      go: runBudgets(budgets),
    });
    expect(st.x[5]).toBeGreaterThan(100n);
    expect(st.x[9]! >> 26n).toBe(0x20n);
  });
});
