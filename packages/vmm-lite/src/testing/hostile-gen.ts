/**
 * Test support: seeded hostile guests for VirtMachine. A case is a pure function of its seed: the machine (RAM, vCPUs,
 * MTE, page-upgrade policy, memory backend, swap budget), the instruction limit and the guest's memory image
 * (segments of words). Two shapes:
 *
 * - 'random': a prologue sets VBAR_EL1 (a skip-the-fault table, garbage, the faulting instruction itself, MMIO,
 *   nothing, misaligned, random), may turn the MMU on with sane, damaged or random stage-1 tables and registers,
 *   starts the secondaries with PSCI CPU_ON at random entry points and loads interesting addresses (RAM, the end of
 *   RAM, the PL011, unclaimed I/O, outside every memslot, tagged and misaligned pointers) into the registers; then a
 *   body of random and biased words (hostile-insns.ts).
 * - 'page-walker': the guest writes `b .+4096` on every page of RAM and jumps to the first, so every page is a new
 *   translated block (what made translated-code memory grow without bound).
 */
import { POLICY_NAMES, type PolicyName } from '../snapshot-format.js';
import { ENC, hostileItem, interestingAddress, nisvAccess } from './hostile-insns.js';
import { HostilePrng } from './hostile-prng.js';

const MiB = 1024 * 1024;
const RAM_BASE = 0x4000_0000;
/** Where the pieces of a 'random' case go (all inside the smallest RAM, 16 MiB). */
export const HOSTILE_LAYOUT = {
  code: RAM_BASE + 0x8_0000,
  skipVectors: RAM_BASE + 0x10_0000,
  selfVectors: RAM_BASE + 0x10_1000,
  secondaryStub: RAM_BASE + 0x10_2000,
  garbage: RAM_BASE + 0x11_0000,
  pageTables: RAM_BASE + 0x20_0000,
} as const;
const PT_ENTRIES = 8192; // 64 KiB: sixteen 4 KiB tables

const SYS = {
  SCTLR: [3, 0, 1, 0, 0], TCR: [3, 0, 2, 0, 2], TTBR0: [3, 0, 2, 0, 0], TTBR1: [3, 0, 2, 0, 1], MAIR: [3, 0, 10, 2, 0],
  VBAR: [3, 0, 12, 0, 0], ELR: [3, 0, 4, 0, 1], GCR: [3, 0, 1, 0, 6], RGSR: [3, 0, 1, 0, 5],
} as const;

export interface HostileSegment {
  addr: number;
  /** Little-endian 32-bit words. */
  words: number[];
}

export interface HostileCase {
  seed: number;
  shape: 'random' | 'page-walker';
  memory: number;
  smp: number;
  mte: boolean;
  hostMteLevel: 2 | 3;
  /** undefined: kvm-core's default policy. */
  policy: PolicyName | undefined;
  protMte: boolean;
  memBackend: 'anonymous' | 'shared';
  memoryBudgetPages: number | undefined;
  maxInstructions: number;
  slice: number | undefined;
  entry: number;
  segments: HostileSegment[];
  /** The choices made (VBAR, MMU, secondaries' entries...), for a failure report. */
  notes: string[];
}

export interface HostileLimits {
  /** The instruction limit of each case is drawn from [min, max]. */
  minInstructions: number;
  maxInstructions: number;
  /** The instruction limit of a 'page-walker' case. */
  pageWalkerInstructions: number;
}

export type VbarKind = 'skip' | 'self-nisv' | 'garbage' | 'body' | 'mmio' | 'outside-memslots' | 'misaligned' | 'random' | 'unset';
export type MmuKind = 'off' | 'identity' | 'damaged' | 'random';

/** Choices to pin instead of drawing them (to keep a known shape in every run); the rest still follows the seed. */
export interface HostilePins {
  shape?: HostileCase['shape'];
  smp?: number;
  vbar?: VbarKind;
  mmu?: MmuKind;
}

/** The case of `seed`. */
export function generateHostileCase(seed: number, limits: HostileLimits, pins: HostilePins = {}): HostileCase {
  const r = new HostilePrng(seed);
  const drawnShape = r.chance(0.08) ? 'page-walker' : 'random';
  const shape = pins.shape ?? drawnShape;
  const mte = r.chance(0.7);
  const policy: PolicyName | undefined = r.chance(0.2) ? undefined : r.pick(POLICY_NAMES);
  const c: HostileCase = {
    seed,
    shape,
    // the walker's RAM is large enough that translated code without a bound would break the RSS bound by far
    memory: shape === 'page-walker' ? 96 * MiB : r.pick([16, 32, 48, 64]) * MiB,
    smp: pick(pins.smp, r.weighted([[5, 1], [3, 2], [2, 3], [2, 4]])),
    mte,
    hostMteLevel: r.chance(0.7) ? 3 : 2,
    policy,
    // enforce-prot-mte refuses an MTE VM's RAM without PROT_MTE: keep the machine buildable
    protMte: (policy === 'enforce-prot-mte' && mte) || r.chance(0.3),
    memBackend: r.chance(0.7) ? 'anonymous' : 'shared',
    memoryBudgetPages: r.chance(0.15) ? r.range(16, 4096) : undefined,
    maxInstructions: shape === 'page-walker' ? limits.pageWalkerInstructions : r.range(limits.minInstructions, limits.maxInstructions),
    slice: r.weighted<number | undefined>([[4, undefined], [2, 100_000], [2, 10_000], [1, 1000], [1, r.range(1, 5000)]]),
    entry: HOSTILE_LAYOUT.code,
    segments: [],
    notes: [],
  };
  if (shape === 'page-walker') pageWalker(r, c);
  else randomGuest(r, c, pins);
  return c;
}

const pick = <T>(pinned: T | undefined, drawn: T): T => pinned ?? drawn;

/** Fill every page of RAM from 4 MiB up with `b .+4096` (the last one branches back), then run the chain. */
function pageWalker(r: HostilePrng, c: HostileCase): void {
  const off = 4 * r.below(1024);
  const first = RAM_BASE + 4 * MiB + off;
  const last = RAM_BASE + c.memory - 4096 + off;
  const code = [
    ...ENC.mov64(0, BigInt(first)), ...ENC.mov64(1, BigInt(RAM_BASE + c.memory + off)), ...ENC.mov64(2, BigInt(ENC.b(4096))),
    ENC.strw(2, 0), ENC.addPage(0, 0, 1), ENC.cmp(0, 1), ENC.bne(-12),
    ...ENC.mov64(4, BigInt(last)), ...ENC.mov64(3, BigInt(ENC.b(first - last))), ENC.strw(3, 4),
  ];
  for (let i = 1; i < c.smp; i++) code.push(...cpuOn(i, BigInt(first), 0n));
  code.push(...ENC.mov64(5, BigInt(first)), ENC.isb, ENC.br(5));
  c.segments.push({ addr: HOSTILE_LAYOUT.code, words: code });
  c.notes.push(`b .+4096 at page offset ${off} of every page from RAM+4MiB, ${c.smp} vCPU(s) walking`);
}

function cpuOn(target: number, entry: bigint, context: bigint): number[] {
  return [...ENC.mov64(0, 0xc400_0003n), ...ENC.mov64(1, BigInt(target)), ...ENC.mov64(2, entry), ...ENC.mov64(3, context), ENC.hvc(0)];
}

function randomGuest(r: HostilePrng, c: HostileCase, pins: HostilePins): void {
  const ram = c.memory;
  const L = HOSTILE_LAYOUT;
  const code: number[] = [];
  const nisvTarget = BigInt(r.pick([0x1000, 0x0, 0x0c00_0000, 0x0900_0000, 0x0800_0000, RAM_BASE + ram, 0x1_0000_0000]));

  // VBAR_EL1
  const vbarKind = pick(pins.vbar, r.weighted<VbarKind>([[6, 'skip'], [3, 'self-nisv'], [2, 'garbage'], [1, 'body'], [1, 'mmio'],
    [1, 'outside-memslots'], [1, 'misaligned'], [1, 'random'], [2, 'unset']]));
  const vbar = (() => {
    switch (vbarKind) {
      case 'skip': return BigInt(L.skipVectors);
      case 'self-nisv': return BigInt(L.selfVectors);
      case 'garbage': return BigInt(L.garbage);
      case 'body': return BigInt(L.code);
      case 'mmio': return 0x0900_0000n;
      case 'outside-memslots': return BigInt(r.pick([0x1000, 0x0c00_0000, RAM_BASE + ram, 0x8000_0000]));
      case 'misaligned': return BigInt(L.skipVectors + r.range(1, 0x7ff));
      case 'random': return r.u64();
      default: return undefined;
    }
  })();
  c.notes.push(`VBAR_EL1: ${vbarKind}${vbar === undefined ? '' : ` 0x${vbar.toString(16)}`}; nisv target 0x${nisvTarget.toString(16)}`);
  // Every table is in memory whatever VBAR says: a random store or ERET can still get there.
  const skip: number[] = [];
  for (let v = 0; v < 16; v++) skip.push(ENC.mrs(17, SYS.ELR), ENC.addi(17, 17, 4), ENC.msr(SYS.ELR, 17), ENC.eret, ...new Array<number>(28).fill(ENC.nop));
  const self: number[] = [];
  const selfInsn = nisvAccess(r, 28);
  for (let v = 0; v < 16; v++) self.push(selfInsn, ...Array.from({ length: 31 }, () => r.u32()));
  const garbage: number[] = [];
  while (garbage.length < 4096) garbage.push(...hostileItem(r, ram));
  if (vbar !== undefined) code.push(...ENC.mov64(9, vbar), ENC.msr(SYS.VBAR, 9), ENC.isb);

  // MTE control registers, sometimes
  if (c.mte && r.chance(0.5)) code.push(...ENC.mov64(9, BigInt(r.u32() & 0x1ffff)), ENC.msr(SYS.GCR, 9), ...ENC.mov64(9, BigInt(r.u32())), ENC.msr(SYS.RGSR, 9));

  // the secondaries, through a stub that sets VBAR_EL1 and joins the body, or straight at a random entry
  for (let i = 1; i < c.smp; i++) {
    const kind = r.weighted<string>([[4, 'stub'], [2, 'body'], [1, 'garbage'], [1, 'vectors'], [1, 'misaligned'], [1, 'outside-memslots'], [1, 'mmio'], [1, 'random']]);
    const entry = (() => {
      switch (kind) {
        case 'stub': return BigInt(L.secondaryStub);
        case 'body': return BigInt(L.code + 4 * r.below(2048));
        case 'garbage': return BigInt(L.garbage + 4 * r.below(4096));
        case 'vectors': return BigInt(r.pick([L.skipVectors, L.selfVectors]) + 0x200);
        case 'misaligned': return BigInt(L.code + r.range(1, 3));
        case 'outside-memslots': return BigInt(r.pick([0x1000, 0x0c00_0000, RAM_BASE + ram]));
        case 'mmio': return 0x0900_0000n;
        default: return r.u64();
      }
    })();
    c.notes.push(`vCPU ${i}: CPU_ON at ${kind} 0x${entry.toString(16)}`);
    code.push(...cpuOn(i, entry, r.u64()));
  }

  // stage 1
  const mmu = pick(pins.mmu, r.weighted<MmuKind>([[10, 'off'], [4, 'identity'], [4, 'damaged'], [2, 'random']]));
  const tables = new Array<bigint>(PT_ENTRIES).fill(0n);
  if (mmu !== 'off') {
    const regs = stage1(r, c, mmu, tables);
    c.notes.push(`MMU ${mmu}: SCTLR 0x${regs.sctlr.toString(16)} TCR 0x${regs.tcr.toString(16)} MAIR 0x${regs.mair.toString(16)} TTBR0 0x${regs.ttbr0.toString(16)} TTBR1 0x${regs.ttbr1.toString(16)}`);
    code.push(...ENC.mov64(9, regs.mair), ENC.msr(SYS.MAIR, 9), ...ENC.mov64(9, regs.tcr), ENC.msr(SYS.TCR, 9),
      ...ENC.mov64(9, regs.ttbr0), ENC.msr(SYS.TTBR0, 9), ...ENC.mov64(9, regs.ttbr1), ENC.msr(SYS.TTBR1, 9), ENC.isb,
      ...ENC.mov64(9, regs.sctlr), ENC.msr(SYS.SCTLR, 9), ENC.isb);
  } else {
    c.notes.push('MMU off');
  }

  // registers: SP, x0..x30 (x28 is the base of the syndrome-less accesses)
  code.push(...ENC.mov64(9, interestingAddress(r, ram)), ENC.addi(31, 9, 0));
  for (let x = 0; x <= 30; x++) code.push(...ENC.mov64(x, x === 28 ? nisvTarget : interestingAddress(r, ram)));

  // the body
  const bodyAt = code.length;
  if (vbarKind === 'self-nisv') code.push(selfInsn);
  const bodyWords = r.range(64, 1536);
  while (code.length - bodyAt < bodyWords) code.push(...hostileItem(r, ram));
  const end = r.weighted<string>([[2, 'system-off'], [2, 'loop'], [2, 'fall-through'], [1, 'wfi']]);
  if (end === 'system-off') code.push(...ENC.mov64(0, 0x8400_0008n), ENC.hvc(0));
  else if (end === 'loop') code.push(ENC.b(-4 * (code.length - bodyAt)));
  else if (end === 'wfi') code.push(ENC.wfi, ENC.b(-4));
  c.notes.push(`body: ${code.length - bodyAt} words at 0x${(L.code + 4 * bodyAt).toString(16)}, then ${end}`);

  const stub = [...ENC.mov64(9, vbar ?? 0n), ENC.msr(SYS.VBAR, 9), ENC.isb, ...ENC.mov64(28, nisvTarget), ...ENC.mov64(10, BigInt(L.code + 4 * (bodyAt + r.below(64)))), ENC.br(10)]; // into the body's first 64 words
  c.segments.push(
    { addr: L.code, words: code },
    { addr: L.skipVectors, words: skip },
    { addr: L.selfVectors, words: self },
    { addr: L.secondaryStub, words: stub },
    { addr: L.garbage, words: garbage },
  );
  if (mmu !== 'off') c.segments.push({ addr: L.pageTables, words: tables.flatMap((d) => [Number(d & 0xffff_ffffn), Number(d >> 32n)]) });
}

interface Stage1Regs {
  sctlr: bigint;
  tcr: bigint;
  mair: bigint;
  ttbr0: bigint;
  ttbr1: bigint;
}

/**
 * Fill `tables` (the 64 KiB at HOSTILE_LAYOUT.pageTables) and choose the registers: 'identity' maps the first GiB
 * as Device and RAM's GiB as Normal (Tagged under MTE) through a level-2 table of 2 MiB blocks (4 KiB granule, 39-bit
 * VAs); 'damaged' is that with flipped bits in descriptors and registers; 'random' is random descriptors and values.
 */
function stage1(r: HostilePrng, c: HostileCase, mode: MmuKind, tables: bigint[]): Stage1Regs {
  const pt = BigInt(HOSTILE_LAYOUT.pageTables);
  const AF = 1n << 10n;
  const attr = (i: number) => BigInt(i) << 2n;
  const ramAttr = c.mte && r.chance(0.7) ? 2 : 1;
  tables[0] = 0x0n | AF | attr(0) | 1n; // L1[0]: the first GiB, Device-nGnRnE block
  tables[1] = (pt + 0x1000n) | 3n; // L1[1]: a table of 2 MiB blocks
  for (let i = 0; i < 512; i++) tables[512 + i] = (0x4000_0000n + (BigInt(i) << 21n)) | AF | (3n << 8n) | attr(ramAttr) | 1n;
  for (let i = 0; i < 4; i++) tables[1024 + i] = tables[i]!; // TTBR1's level 1: the same
  let sctlr = 0x30d0_0800n | 1n | (1n << 2n) | (1n << 12n);
  if (c.mte) sctlr |= (1n << 43n) | (BigInt(r.below(4)) << 40n) | (BigInt(r.below(4)) << 38n) | (r.chance(0.5) ? 1n << 42n : 0n);
  let tcr = 25n | (1n << 8n) | (1n << 10n) | (3n << 12n) | (25n << 16n) | (1n << 24n) | (1n << 26n) | (3n << 28n) | (2n << 30n) | (2n << 32n) | (1n << 37n);
  let mair = 0x44f0_ff00n;
  let ttbr0 = pt;
  let ttbr1 = pt + 0x2000n;
  const flip = (v: bigint, bits: number) => v ^ (1n << BigInt(r.below(bits)));
  if (mode === 'damaged') {
    for (let k = r.range(1, 6); k > 0; k--) {
      const i = r.pick([0, 1, 2, 512 + r.below(512), 512, 513, 1024 + r.below(4), r.below(PT_ENTRIES)]);
      tables[i] = r.weighted<() => bigint>([
        [4, () => flip(tables[i]!, 64)],
        [2, () => r.u64()],
        [1, () => pt + BigInt(r.below(16) << 12) | 3n], // a table descriptor to any table, itself included
        [1, () => BigInt(r.pick([0x0900_0000, 0x1000, 0x8000_0000, 0x4000_0000 + c.memory])) | 3n],
        [1, () => tables[i]! & ~AF],
      ])();
    }
    if (r.chance(0.5)) tcr = flip(tcr, 60);
    if (r.chance(0.3)) mair = flip(mair, 64);
    if (r.chance(0.4)) sctlr = flip(sctlr, 64) | 1n;
    if (r.chance(0.3)) ttbr0 = flip(ttbr0, 64);
    if (r.chance(0.3)) ttbr1 = r.u64();
  } else if (mode === 'random') {
    for (let i = 0; i < PT_ENTRIES; i++) {
      tables[i] = r.weighted<() => bigint>([
        [3, () => 0n],
        [2, () => r.u64()],
        [3, () => (interestingAddress(r, c.memory) & 0xffff_ffff_f000n) | BigInt(r.below(0x1000)) | BigInt(r.pick([1, 3]))],
        [2, () => pt + BigInt(r.below(16) << 12) | 3n],
      ])();
    }
    tcr = r.chance(0.5) ? r.u64() : flip(flip(tcr, 64), 64);
    mair = r.chance(0.5) ? r.u64() : mair;
    sctlr = (r.chance(0.5) ? r.u64() : sctlr) | 1n;
    ttbr0 = r.chance(0.7) ? pt + BigInt(r.below(16) << 12) : interestingAddress(r, c.memory);
    ttbr1 = r.chance(0.5) ? pt + BigInt(r.below(16) << 12) : r.u64();
  }
  return { sctlr, tcr, mair, ttbr0, ttbr1 };
}

/** The case as text: its machine, choices and every segment's words in hex (for a failure report). */
export function describeHostileCase(c: HostileCase, maxWords = 64): string {
  const lines = [
    `seed ${c.seed} (${c.shape}): ${c.memory / MiB} MiB, smp ${c.smp}, mte ${c.mte} (host level ${c.hostMteLevel}), policy ${c.policy ?? 'default'}, ` +
      `protMte ${c.protMte}, ${c.memBackend}${c.memoryBudgetPages === undefined ? '' : `, budget ${c.memoryBudgetPages} pages`}, ` +
      `maxInstructions ${c.maxInstructions}, slice ${c.slice ?? 'default'}`,
    ...c.notes.map((n) => `  ${n}`),
  ];
  for (const s of c.segments) {
    if (s.addr === HOSTILE_LAYOUT.pageTables) {
      const set: string[] = [];
      for (let i = 0; i < s.words.length; i += 2) {
        const d = (BigInt(s.words[i + 1]! >>> 0) << 32n) | BigInt(s.words[i]! >>> 0);
        if (d !== 0n) set.push(`[${i / 2}]=${d.toString(16)}`);
      }
      lines.push(`  page tables at 0x${s.addr.toString(16)}, ${set.length} non-zero descriptors: ${set.slice(0, 40).join(' ')}${set.length > 40 ? ' ...' : ''}`);
      continue;
    }
    const shown = s.words.slice(0, maxWords).map((w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');
    lines.push(`  0x${s.addr.toString(16)} (${s.words.length} words): ${shown}${s.words.length > maxWords ? ' ...' : ''}`);
  }
  return lines.join('\n');
}
