/**
 * The seeded sequence generator. A sequence is a list of items; an item is one instruction under test plus the set-up
 * instructions it needs (a base address for a load/store, an ADR for an indirect branch), so the minimiser can drop
 * items whole. Branches are forward only, to an item of the same sequence or to its end, so every sequence ends.
 *
 * Most classes are generated as "the class's fixed bits, every other bit random": that reaches every form, every
 * operand (register 31 included), every shift/extend/condition and the unallocated combinations inside the class,
 * which both sides must agree are UNDEFINED. What is left out, and why, is in README.md ("What is not generated");
 * the same reasons are in the comments below.
 */
import { findEncoding, IMPL } from '@kvm-mte/aarch64-cpu';
import * as A from './a64.js';
import { fill, field, setField, sext } from './encoding.js';
import { FP_ITEMS } from './fp-classes.js';
import { fpInit } from './fp-values.js';
import { END_MARK, SANDBOX, SANDBOX_SIZE, type Mode, type SeqInit } from './harness.js';
import { Prng } from './prng.js';
import { genState, setBase, target } from './targets.js';

export type BranchField = 'imm26' | 'imm19' | 'imm14' | 'adr';

export interface Item {
  cls: string;
  words: number[];
  /** A forward branch in words[at] to the start of item `target` (an index in the original item list, or the end). */
  branch?: { at: number; field: BranchField; target: number; misalign?: number };
}

export interface Sequence {
  items: Item[];
  init: SeqInit;
}

export interface GenOptions {
  mode: Mode;
  /** Items per sequence (each 1 to ~9 words). */
  minItems?: number;
  maxItems?: number;
  /**
   * FP mode: keep SIMD&FP words the model has no row for (UNDEFINED on the model). Default: `FUZZ_FP_ALL=1`, or the
   * model advertises FP and AdvSIMD (see {@link fpDecodedOnly}).
   */
  fpAllEncodings?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------

/** Interesting 64-bit register values. */
export function interesting(r: Prng): bigint {
  return r.weighted<() => bigint>([
    [30, () => r.u64()],
    [10, () => BigInt(r.range(0, 16))],
    [6, () => BigInt.asUintN(64, -BigInt(r.range(1, 16)))],
    [8, () => BigInt(r.u32())],
    [6, () => BigInt.asUintN(64, BigInt(r.u32() | 0))],
    [8, () => r.pick([0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x1_0000_0000n, 0x7fff_ffff_ffff_ffffn,
      0x8000_0000_0000_0000n, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_8000_0000n, 0x8000_0000_0000_0001n])],
    [6, () => BigInt.asUintN(64, (1n << BigInt(r.below(64))) + BigInt(r.range(-1, 1)))],
    [6, () => BigInt(SANDBOX + r.below(SANDBOX_SIZE))],
  ])();
}

// ---------------------------------------------------------------------------------------------------------------
// The classes

type Gen = (r: Prng, mode: Mode) => Item;

const one = (cls: string, w: number): Item => ({ cls, words: [w] });

// Data processing (immediate): op0 100x.
const dpImm: Record<string, Gen> = {
  adr: (r) => one('adr/adrp', fill(r, 'x xx 10000 xxxxxxxxxxxxxxxxxxx xxxxx')),
  addsubImm: (r) => one('add/sub (immediate)', fill(r, 'x x x 100010 x xxxxxxxxxxxx xxxxx xxxxx')),
  // bits 28:23 = 100011 with bit 22 = 0 are ADDG/SUBG (MTE): not generated here (see mteHook).
  logicalImm: (r) => {
    let w = fill(r, 'x xx 100100 x xxxxxx xxxxxx xxxxx xxxxx');
    if (r.chance(0.6)) w = setField(w, 22, 1, field(w, 31, 1)); // N = sf more often (valid 64-bit patterns)
    return one('logical (immediate)', w);
  },
  moveWide: (r) => one('move wide', fill(r, 'x xx 100101 xx xxxxxxxxxxxxxxxx xxxxx')),
  bitfield: (r) => {
    let w = fill(r, 'x xx 100110 x xxxxxx xxxxxx xxxxx xxxxx');
    if (r.chance(0.8)) {
      w = setField(w, 22, 1, field(w, 31, 1));
      if (field(w, 31, 1) === 0) w = setField(setField(w, 21, 1, 0), 15, 1, 0); // immr, imms < 32
    }
    return one('bitfield', w);
  },
  extract: (r) => {
    let w = fill(r, 'x xx 100111 x x xxxxx xxxxxx xxxxx xxxxx');
    if (r.chance(0.8)) w = setField(setField(setField(w, 29, 2, 0), 21, 1, 0), 22, 1, field(w, 31, 1));
    if (r.chance(0.8) && field(w, 31, 1) === 0) w = setField(w, 15, 1, 0);
    return one('extract', w);
  },
  // Min/max (immediate) is FEAT_CSSC: advertised by neither the model nor neoverse-n1, so UNDEFINED on both.
  minMaxImm: (r) => one('min/max (immediate, CSSC)', fill(r, 'x x x 1000111 xxxx xxxxxxxx xxxxx xxxxx')),
};

// Data processing (register): op0 x101.
const dpReg: Record<string, Gen> = {
  logicalShifted: (r) => one('logical (shifted register)', fill(r, 'x xx 01010 xx x xxxxx xxxxxx xxxxx xxxxx')),
  addsubShifted: (r) => one('add/sub (shifted register)', fill(r, 'x x x 01011 xx 0 xxxxx xxxxxx xxxxx xxxxx')),
  addsubExt: (r) => {
    let w = fill(r, 'x x x 01011 xx 1 xxxxx xxx xxx xxxxx xxxxx');
    if (r.chance(0.9)) w = setField(w, 22, 2, 0);
    if (r.chance(0.8)) w = setField(w, 10, 3, r.below(5));
    return one('add/sub (extended register)', w);
  },
  adcSbc: (r) => {
    let w = fill(r, 'x x x 11010000 xxxxx xxxxxx xxxxx xxxxx');
    // bits 15:10 != 0 are RMIF/SETF (FEAT_FlagM, advertised by neither side) or unallocated: UNDEFINED on both.
    if (r.chance(0.85)) w = setField(w, 10, 6, 0);
    return one('adc/sbc', w);
  },
  condCompare: (r) => {
    let w = fill(r, 'x x 1 11010010 xxxxx xxxx x x xxxxx x xxxx');
    if (r.chance(0.9)) w = setField(setField(w, 10, 1, 0), 4, 1, 0); // o2 = o3 = 0
    return one('ccmp/ccmn', w);
  },
  condSelect: (r) => {
    let w = fill(r, 'x x x 11010100 xxxxx xxxx xx xxxxx xxxxx');
    if (r.chance(0.9)) w = setField(setField(w, 29, 1, 0), 11, 1, 0);
    return one('conditional select', w);
  },
  dp1: (r) => {
    let w = fill(r, 'x 1 x 11010110 xxxxx xxxxxx xxxxx xxxxx');
    if (r.chance(0.9)) {
      w = setField(w, 29, 1, 0);
      // opcode2 = 00001 (PAC*/AUT*: no PAuth on either side) now and then; CTZ/CNT/ABS (CSSC, 000110..001000).
      w = setField(w, 16, 5, r.chance(0.05) ? 1 : 0);
      w = setField(w, 10, 6, r.below(9));
    }
    return one('data-processing (1 source)', w);
  },
  dp2: (r) => {
    let w: number;
    for (;;) {
      w = fill(r, 'x 0 x 11010110 xxxxx xxxxxx xxxxx xxxxx');
      if (r.chance(0.9)) {
        w = setField(w, 29, 1, 0);
        w = setField(w, 10, 6, r.pick([2, 3, 8, 9, 10, 11, 12, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27]));
      }
      // SUBP/SUBPS (opcode 000000, sf = 1), IRG (000100), GMI (000101) are MTE instructions: left to mteHook.
      const op = field(w, 10, 6);
      const sf = field(w, 31, 1);
      if (sf === 1 && (op === 0 || op === 4 || op === 5)) continue;
      return one('data-processing (2 source)', w);
    }
  },
  dp3: (r) => {
    let w = fill(r, 'x xx 11011 xxx xxxxx x xxxxx xxxxx xxxxx');
    if (r.chance(0.9)) {
      w = setField(w, 29, 2, 0);
      const op31 = r.pick([0, 0, 1, 2, 5, 6]);
      w = setField(w, 21, 3, op31);
      if (op31 !== 0) w = setField(w, 31, 1, 1);
      if (op31 === 2 || op31 === 6) {
        w = setField(w, 15, 1, 0);
        // SMULH/UMULH: Ra should be 11111; other values are CONSTRAINED UNPREDICTABLE (the model and QEMU: UNDEFINED).
        if (r.chance(0.9)) w = setField(w, 10, 5, 31);
      }
    }
    return one('data-processing (3 source)', w);
  },
};

// ---- loads and stores ----

/** The register-offset extend: a value for Xm so that ExtendReg(Xm, option, shift) == off. */
function indexValue(r: Prng, option: number, off: bigint): bigint {
  const garbage = BigInt(r.u32()) << 32n;
  switch (option) {
    case 2: return garbage | BigInt.asUintN(32, off); // UXTW
    case 6: return garbage | BigInt.asUintN(32, off); // SXTW
    default: return BigInt.asUintN(64, off); // LSL (UXTX), SXTX
  }
}


function memItem(cls: string, r: Prng, word: number, span: number, align: number, delta: (w: number) => number,
  opts: { aligned?: boolean; noDevice?: boolean } = {}): Item {
  const n = field(word, 5, 5);
  const t = target(r, span, align, opts);
  const base = t.addr - BigInt(delta(word));
  if (genState.mte) return { cls, words: [...taggedBase(r, n, BigInt.asUintN(64, base), t.addr, []), word] };
  return { cls, words: [...setBase(r, n, BigInt.asUintN(64, base), []), word] };
}

/**
 * MTE mode: set-up words that put `base` with a logical tag in Xn (or SP). Half the time the tag is the allocation tag
 * of `addr`'s granule (read with LDG, so the access passes the tag check), a quarter that tag with bit 56 flipped
 * (a tag check fault), a quarter a random tag (matches 1 time in 16). Outside the sandbox: a random tag.
 */
function taggedBase(r: Prng, n: number, base: bigint, addr: bigint, avoid: number[]): number[] {
  const inSandbox = addr >= BigInt(SANDBOX) && addr < BigInt(SANDBOX + SANDBOX_SIZE);
  const how = inSandbox ? r.weighted([[50, 0], [25, 1], [25, 2]] as const) : 2;
  if (how === 2) return setBase(r, n, BigInt.asUintN(64, base | (BigInt(r.below(16)) << 56n)), avoid);
  const scratch = (more: number[]): number => {
    let v: number;
    do v = r.below(31);
    while (v === n || avoid.includes(v) || more.includes(v));
    return v;
  };
  const t = scratch([]);
  const words = [...A.mov64(t, addr), A.ldg(t, t), 0x9248_0c00 | (t << 5) | t]; // AND Xt, Xt, #0x0f00_0000_0000_0000
  if (how === 1) words.push(0xd2480000 | (t << 5) | t); // EOR Xt, Xt, #0x0100_0000_0000_0000
  if (n !== 31) return [...words, ...A.mov64(n, base), A.orrReg(n, n, t)];
  const u = scratch([t]);
  return [...words, ...A.mov64(u, base), A.orrReg(u, u, t), A.addImm(31, u, 0)];
}

/**
 * A load/store with a signed imm9 (bits [11:10] = `idx`: 00 unscaled, 01 post-index, 10 unprivileged, 11
 * pre-index), every size/opc; the access is at base + imm9, or at the base for post-index.
 */
function imm9Form(r: Prng, idx: '00' | '01' | '10' | '11', what: string): Item {
  const w = fill(r, `xx 111 0 00 xx 0 xxxxxxxxx ${idx} xxxxx xxxxx`);
  const size = field(w, 30, 2);
  return memItem(what, r, w, 1 << size, 1 << size, idx === '01' ? () => 0 : (x) => sext(field(x, 12, 9), 9));
}

const ldst: Record<string, Gen> = {
  unsignedImm: (r) => {
    let w = fill(r, 'xx 111 0 01 xx xxxxxxxxxxxx xxxxx xxxxx');
    if (r.chance(0.6)) w = setField(w, 10, 12, r.below(16));
    const size = field(w, 30, 2);
    return memItem('ld/st (unsigned offset)', r, w, 1 << size, 1 << size, (x) => field(x, 10, 12) << size);
  },
  unscaled: (r) => imm9Form(r, '00', 'ld/st (unscaled, LDUR/STUR/PRFUM)'),
  preIndex: (r) => imm9Form(r, '11', 'ld/st (pre-index)'),
  postIndex: (r) => imm9Form(r, '01', 'ld/st (post-index)'),
  unprivileged: (r) => imm9Form(r, '10', 'ld/st (unprivileged, LDTR/STTR)'),
  registerOffset: (r) => {
    let w = fill(r, 'xx 111 0 00 xx 1 xxxxx xxx x 10 xxxxx xxxxx');
    if (r.chance(0.9)) w = setField(w, 13, 3, r.pick([2, 3, 6, 7]));
    const size = field(w, 30, 2);
    const n = field(w, 5, 5);
    let m = field(w, 16, 5);
    if (m === n && n !== 31) {
      m = (m + 1 + r.below(30)) % 32;
      w = setField(w, 16, 5, m);
    }
    const option = field(w, 13, 3);
    const shift = field(w, 12, 1) ? size : 0;
    let off = BigInt(r.range(-64, 64) << shift);
    if (option === 2 && off < 0n) off = -off;
    if (m === 31) off = 0n;
    const t = target(r, 1 << size, 1 << size);
    const words: number[] = [];
    if (m !== 31) words.push(...A.mov64(m, indexValue(r, option, off >> BigInt(shift))));
    words.push(...setBase(r, n, BigInt.asUintN(64, BigInt(t.addr) - off), [m]), w);
    return { cls: 'ld/st (register offset)', words };
  },
  literal: (r) => {
    let w = fill(r, 'xx 011 0 00 xxxxxxxxxxxxxxxxxxx xxxxx');
    w = setField(w, 5, 19, r.range(-64, 64)); // near: the sequence's own code and its neighbours
    return one('load (literal)', w);
  },
  pair: (r) => {
    let w = fill(r, 'xx 101 0 xxx x xxxxxxx xxxxx xxxxx xxxxx');
    let opc = field(w, 30, 2);
    if (opc === 3 && r.chance(0.8)) opc = r.pick([0, 2]);
    w = setField(w, 30, 2, opc);
    // opc = 01, L = 0 is STGP (MTE, see mteHook): only LDPSW (and the unallocated LDNP opc = 01) are generated.
    if (opc === 1) w = setField(w, 22, 1, 1);
    if (r.chance(0.6)) w = setField(w, 15, 7, r.range(-8, 8));
    const bytes = opc === 2 ? 8 : 4;
    const mode = field(w, 23, 3);
    return memItem('ld/st pair', r, w, 2 * bytes, bytes, (x) => (mode === 1 ? 0 : sext(field(x, 15, 7), 7) * bytes));
  },
  /** LDAR/STLR, LDLAR/STLLR (FEAT_LOR, o0 = 0), LDAPR: ordered, aligned, allowed on Device memory. */
  ordered: (r) => {
    const kind = r.below(3);
    let w = kind === 2 ? fill(r, 'xx 111 0 00 1 0 1 11111 1100 00 xxxxx xxxxx') // LDAPR
      : fill(r, `xx 001000 1 ${kind} 0 11111 ${r.chance(0.3) ? 0 : 1} 11111 xxxxx xxxxx`);
    if (kind !== 2 && r.chance(0.1)) w = setField(w, 16, 5, r.below(32)); // should-be-one Rs
    if (kind !== 2 && r.chance(0.1)) w = setField(w, 10, 5, r.below(32)); // should-be-one Rt2
    const size = field(w, 30, 2);
    return memItem('ldar/stlr/ldlar/stllr/ldapr', r, w, 1 << size, 1 << size, () => 0);
  },
  exclusive: (r, mode) => {
    if (mode === 'mmu-off') return ldst.ordered!(r, mode);
    const pair = r.chance(0.3);
    let w = pair ? fill(r, '1x 001000 0 x 1 xxxxx x xxxxx xxxxx xxxxx') : fill(r, 'xx 001000 0 x 0 xxxxx x xxxxx xxxxx xxxxx');
    if (r.chance(0.85)) w = setField(w, 10, 5, pair ? field(w, 10, 5) : 31); // Rt2 should be one for non-pairs
    if (r.chance(0.85) && field(w, 22, 1) === 1) w = setField(w, 16, 5, 31); // Rs should be one for loads
    const size = field(w, 30, 2);
    const bytes = pair ? (size === 3 ? 16 : 8) : 1 << size;
    // Store-exclusives only to aligned addresses: an unaligned one must take an Alignment fault whatever the monitor
    // state (AArch64.ExclusiveMonitorsPass checks alignment first); QEMU 10 compares the address with the monitor's
    // first and fails the store (status 1) without a fault.
    const store = field(w, 22, 1) === 0;
    return memItem(pair ? 'exclusive pair' : 'exclusive', r, w, bytes, bytes, () => 0, { aligned: store });
  },
  /** LDXR ... STXR to the same address, so the store-exclusive can pass. */
  exclusiveLoop: (r, mode) => {
    if (mode === 'mmu-off') return ldst.ordered!(r, mode);
    const size = r.below(4);
    const n = r.below(32);
    const others = (avoid: number[]): number => {
      let v: number;
      do v = r.below(31);
      while (avoid.includes(v));
      return v;
    };
    const t1 = others([n]);
    const t2 = others([]);
    const s = others([n, t2]);
    const ld = (0x085f7c00 | (r.bits(1) << 15) | (size << 30) | (n << 5) | t1) >>> 0; // LDXR/LDAXR Rt1, [Rn]
    const st = (0x08007c00 | (r.bits(1) << 15) | (size << 30) | (s << 16) | (n << 5) | t2) >>> 0; // STXR/STLXR Ws, Rt2, [Rn]
    const tg = target(r, 1 << size, 1 << size, { aligned: true }); // the STXR must be aligned (see `exclusive`)
    const middle = r.chance(0.5) ? [A.addReg(others([n, s]), r.below(32), r.below(32))] : [];
    return { cls: 'ldxr..stxr', words: [...setBase(r, n, BigInt(tg.addr), [s, t1, t2]), ld, ...middle, st] };
  },
  cas: (r, mode) => {
    if (mode === 'mmu-off') return ldst.ordered!(r, mode);
    const w = fill(r, 'xx 001000 1 x 1 xxxxx x 11111 xxxxx xxxxx');
    const size = field(w, 30, 2);
    const n = field(w, 5, 5);
    const s = field(w, 16, 5);
    const tg = target(r, 1 << size, 1 << size);
    const words = setBase(r, n, BigInt(tg.addr), [s]);
    // Half the time load the current value into Rs first, so the compare succeeds.
    if (s !== 31 && (s !== n || n === 31) && r.chance(0.5)) words.push(setField(setField(setField(0x39400000, 30, 2, size), 5, 5, n), 0, 5, s));
    words.push(w);
    return { cls: 'cas', words };
  },
  casp: (r, mode) => {
    if (mode === 'mmu-off') return ldst.ordered!(r, mode);
    let w = fill(r, '0x 001000 0 x 1 xxxxx x 11111 xxxxx xxxxx');
    if (r.chance(0.9)) w = setField(setField(w, 16, 1, 0), 0, 1, 0); // even Rs, Rt (odd: UNDEFINED)
    const bytes = field(w, 30, 1) ? 16 : 8;
    return memItem('casp', r, w, bytes, bytes, () => 0);
  },
  atomic: (r, mode) => {
    if (mode === 'mmu-off') return ldst.ordered!(r, mode);
    let w = fill(r, 'xx 111 0 00 x x 1 xxxxx x xxx 00 xxxxx xxxxx');
    const o3 = field(w, 15, 1);
    // o3 = 1: SWP (opc 000), LDAPR (opc 100, generated by `ordered`); the rest (LD64B/ST64B*, RCW*) is UNDEFINED on
    // both sides and kept at 10%.
    if (o3 === 1 && r.chance(0.9)) w = setField(w, 12, 3, 0);
    const size = field(w, 30, 2);
    return memItem('lse atomic', r, w, 1 << size, 1 << size, () => 0);
  },
  dcZva: (r, mode) => {
    // MMU off: all data accesses are to Device-nGnRnE memory, where DC ZVA must take an Alignment fault; QEMU 10
    // zeroes the block instead (its DC ZVA helper does not look at the memory type). Generated with the MMU on only.
    if (mode === 'mmu-off') return ldst.ordered!(r, mode);
    const t = r.below(31); // not XZR: address 0 is Device memory (flash on QEMU's board)
    const w = 0xd50b7420 | t; // DC ZVA, Xt: SYS #3, C7, C4, #1
    const tg = target(r, 64, 64, { noDevice: true }); // Device memory: see the MMU-off note above
    return { cls: 'dc zva', words: [...A.mov64(t, tg.addr), w] };
  },
  /** Cache maintenance by VA to the sandbox (never faults there; QEMU treats most as no-ops). */
  dcMaint: (r) => {
    const t = r.below(31);
    const op = r.pick([
      0xd50b7a20, // DC CVAC
      0xd50b7e20, // DC CIVAC
      0xd50b7b20, // DC CVAU
      // Not DC CVAP: QEMU 10 implements it as a read probe with the current PAN state, so with PSTATE.PAN = 1 on the
      // EL0-accessible sandbox it takes a Permission fault (FAR = the line address, CM = 0), where a clean by VA at
      // EL1 cannot fault on permissions (and a DC fault would report Xt with CM = 1). Found by this fuzzer.
      0xd50b7520, // IC IVAU
      0xd5087620, // DC IVAC
    ]);
    return { cls: 'cache maintenance', words: [...A.mov64(t, BigInt(SANDBOX + r.below(SANDBOX_SIZE))), op | t] };
  },
};

// ---- branches ----

const br: Record<string, (r: Prng, here: number, count: number) => Item> = {
  b: (r, here, count) => ({ cls: 'b', words: [0x14000000], branch: { at: 0, field: 'imm26', target: r.range(here + 1, count) } }),
  bl: (r, here, count) => ({ cls: 'bl', words: [0x94000000], branch: { at: 0, field: 'imm26', target: r.range(here + 1, count) } }),
  bcond: (r, here, count) => {
    let w = fill(r, '0101010 0 0000000000000000000 0 xxxx');
    if (r.chance(0.05)) w |= 0x10; // BC.cond: FEAT_HBC, on neither side: UNDEFINED
    if (r.chance(0.03)) w |= 0x01000000; // unallocated
    return { cls: 'b.cond', words: [w], branch: { at: 0, field: 'imm19', target: r.range(here + 1, count) } };
  },
  cbz: (r, here, count) => ({ cls: 'cbz/cbnz', words: [fill(r, 'x 011010 x 0000000000000000000 xxxxx')], branch: { at: 0, field: 'imm19', target: r.range(here + 1, count) } }),
  tbz: (r, here, count) => ({ cls: 'tbz/tbnz', words: [fill(r, 'x 011011 x xxxxx 00000000000000 xxxxx')], branch: { at: 0, field: 'imm14', target: r.range(here + 1, count) } }),
  indirect: (r, here, count) => {
    const n = r.below(31); // BR XZR would jump to address 0 (flash on QEMU's virt board)
    const kind = r.pick([0xd61f0000, 0xd63f0000, 0xd65f0000]); // BR, BLR, RET
    const misalign = r.chance(0.1) ? r.range(1, 3) : 0; // PC alignment fault
    return { cls: 'br/blr/ret', words: [A.adr(n, 0), kind | (n << 5)], branch: { at: 0, field: 'adr', target: r.range(here + 1, count), misalign } };
  },
};

// ---- system ----

const sys: Record<string, Gen> = {
  nzcv: (r) => one('mrs/msr nzcv', r.chance(0.5) ? A.mrs(r.below(32), A.REG.NZCV) : A.msr(A.REG.NZCV, r.below(32))),
  pstateRead: (r) => one('mrs pstate', A.mrs(r.below(32),
    r.pick([A.REG.DAIF, A.REG.CurrentEL, A.REG.SPSel, A.REG.PAN, A.REG.UAO, A.REG.SSBS]))),
  pstateWrite: (r) =>
    one('msr pstate', r.pick([
      () => A.msrImm(3, 6, r.below(16)), // DAIFSet
      () => A.msrImm(3, 7, r.below(16)), // DAIFClr: no interrupt is pending on either side
      () => A.msrImm(0, 4, r.below(2)), // PAN
      () => A.msrImm(0, 3, r.below(2)), // UAO: LDTR/STTR at EL1 become privileged accesses
      () => A.msrImm(3, 1, r.below(2)), // SSBS
      () => A.msr(A.REG.DAIF, r.below(32)),
      () => A.msr(A.REG.PAN, r.below(32)),
      () => A.msr(A.REG.UAO, r.below(32)),
      () => A.msr(A.REG.SSBS, r.below(32)),
      () => A.mrs(r.below(32), A.REG.SP_EL0), // UNDEFINED at EL1 with PSTATE.SP = 0
    ])()),
  tpidr: (r) => {
    const reg = r.pick([A.REG.TPIDR_EL0, A.REG.TPIDRRO_EL0, A.REG.TPIDR_EL1]);
    return one('tpidr', r.chance(0.5) ? A.mrs(r.below(32), reg) : A.msr(reg, r.below(32)));
  },
  /** The LORegion registers (FEAT_LOR without LORegions): RAZ/WI, LORID_EL1 read-only. */
  lor: (r) => {
    const reg = r.pick([A.REG.LORSA_EL1, A.REG.LOREA_EL1, A.REG.LORN_EL1, A.REG.LORC_EL1, A.REG.LORID_EL1]);
    return one('mrs/msr lor', r.chance(0.5) ? A.mrs(r.below(32), reg) : A.msr(reg, r.below(32)));
  },
  barrier: (r) => {
    // op2: 001 (DSB nXS when CRm = xx10, else unallocated), 010 CLREX, 011 (TME TCOMMIT / unallocated), 100 DSB,
    // 101 DMB, 110 ISB. 111 SB is not generated: the model has FEAT_SB, neoverse-n1 does not.
    const op2 = r.pick([1, 2, 2, 3, 4, 4, 5, 5, 6, 6]);
    return one('barrier/clrex', (0xd503301f | (r.below(16) << 8) | (op2 << 5)) >>> 0);
  },
  hint: (r) => {
    let h: number;
    do h = r.below(128);
    while (h === 2 || h === 3); // WFE, WFI: would wait for an event/interrupt that never comes
    return one('hint', (0xd503201f | (h << 5)) >>> 0);
  },
  exception: (r) => {
    const imm = r.bits(16);
    return one('svc/brk/udf/hlt', r.pick([
      () => A.svc(imm),
      () => A.brk(imm === END_MARK ? 0 : imm),
      () => imm, // UDF #imm16
      () => (0xd4400000 | ((imm === 0xf000 ? 0 : imm) << 5)) >>> 0, // HLT (not #0xF000: semihosting)
    ])());
  },
  tlbi: (r) => {
    const [crm, op2] = r.pick([[7, 0], [3, 0], [7, 1], [3, 1], [7, 2], [7, 3], [7, 5], [7, 7]] as const);
    return one('tlbi', (0xd508801f & ~31) | (crm << 8) | (op2 << 5) | r.below(32));
  },
};

/**
 * Random words that the model decodes as UNDEFINED, from the parts of the encoding space where both sides implement
 * the same features. Left out: SIMD&FP (op0 = x111) and SIMD&FP loads/stores (V = 1): neoverse-n1's SIMD&FP
 * features differ from the model's (FP mode generates that space, fp-classes.ts); the system-instruction space (1101 0101 00): system registers and SYS operations differ
 * between the two CPUs (ID registers, RAS, PAN2...); the LDLAR/STLLR space (`ordered` generates it, with sandbox addresses).
 */
export function unallocatedWord(r: Prng): number {
  for (;;) {
    const w = r.u32();
    const op0 = (w >>> 25) & 0xf;
    if ((op0 & 0b0111) === 0b0111) continue;
    if ((op0 & 0b0101) === 0b0100 && (w & (1 << 26)) !== 0) continue;
    if (w >>> 22 === 0x354) continue;
    if ((w & 0x3fa08000) === 0x08800000) continue;
    if (findEncoding(w) !== undefined) continue;
    return w;
  }
}

// ---------------------------------------------------------------------------------------------------------------

/** A random register value with a random logical tag in bits 59:56 (and sometimes other top-byte bits). */
const tagged = (r: Prng, v: bigint): bigint =>
  BigInt.asUintN(64, (v & 0x00ff_ffff_ffff_ffffn) | (BigInt(r.chance(0.8) ? r.below(16) : r.below(256)) << 56n));

/** The tag-store family (STG, STZG, ST2G, STZ2G: every addressing form) and LDG: 1101 1001 opc 1 imm9 op2 Rn Rt. */
function tagStore(r: Prng): Item {
  const opc = r.below(4);
  const load = opc === 1 && r.chance(0.3);
  // op2 = 00 is LDG (opc 01) or STZGM/STGM/LDGM (their block size is GMID_EL1.BS, IMPLEMENTATION DEFINED): only LDG.
  const op2 = load ? 0 : r.range(1, 3);
  let imm = r.chance(0.6) ? r.range(-4, 4) : sext(r.bits(9), 9);
  const w0 = (0xd9200000 | ((load ? 1 : opc) << 22) | ((imm & 0x1ff) << 12) | (op2 << 10) | (r.below(32) << 5) | r.below(32)) >>> 0;
  const span = load ? 1 : opc >= 2 ? 32 : 16;
  const n = field(w0, 5, 5);
  const t = target(r, span, 16, { mte: true });
  // Tag stores must be 16-byte aligned (an Alignment fault otherwise): 10% are not.
  const addr = r.chance(0.1) && !load ? t.addr + BigInt(r.range(1, 15)) : t.addr;
  if (Math.abs(imm) > 64 && r.chance(0.7)) imm = r.range(-4, 4); // mostly near: the sandbox
  const w = setField(w0, 12, 9, imm);
  const delta = op2 === 1 ? 0 : imm * 16;
  const cls = load ? 'ldg' : ['stg', 'stzg', 'st2g', 'stz2g'][opc]!;
  return { cls, words: [...setBase(r, n, tagged(r, addr - BigInt(delta)), []), w] };
}

/** STGP Xt1, Xt2, [Xn|SP, #imm7*16] (post-index, signed offset, pre-index): 0110 1001 0 op 0 imm7 Rt2 Rn Rt. */
function stgp(r: Prng): Item {
  const form = r.range(1, 3);
  const imm = r.chance(0.7) ? r.range(-4, 4) : sext(r.bits(7), 7);
  const w = (0x68000000 | (form << 23) | ((imm & 0x7f) << 15) | (r.below(32) << 10) | (r.below(32) << 5) | r.below(32)) >>> 0;
  const n = field(w, 5, 5);
  const t = target(r, 16, 16, { mte: true });
  const addr = r.chance(0.1) ? t.addr + BigInt(r.range(1, 15)) : t.addr;
  return { cls: 'stgp', words: [...setBase(r, n, tagged(r, addr - BigInt(form === 1 ? 0 : imm * 16)), []), w] };
}

/** IRG, GMI, SUBP(S), ADDG/SUBG with random operands (often tagged sandbox pointers). */
function tagArith(r: Prng): Item {
  const d = r.below(32);
  const n = r.below(32);
  const m = r.below(32);
  const set: number[] = [];
  // Give the source registers interesting values now and then (tagged pointers, exclusion masks).
  if (n !== 31 && r.chance(0.5)) set.push(...A.mov64(n, tagged(r, BigInt(SANDBOX + r.below(SANDBOX_SIZE)))));
  if (m !== 31 && m !== n && r.chance(0.5)) set.push(...A.mov64(m, r.chance(0.5) ? BigInt(r.bits(16)) : tagged(r, BigInt(SANDBOX + r.below(SANDBOX_SIZE)))));
  const kind = r.pick(['irg', 'gmi', 'subp', 'subps', 'addg', 'subg'] as const);
  let w: number;
  switch (kind) {
    case 'irg': w = 0x9ac01000 | (m << 16) | (n << 5) | d; break;
    case 'gmi': w = 0x9ac01400 | (m << 16) | (n << 5) | d; break;
    case 'subp': w = 0x9ac00000 | (m << 16) | (n << 5) | d; break;
    case 'subps': w = 0xbac00000 | (m << 16) | (n << 5) | d; break;
    default: {
      // 1 0 0 100011 0 uimm6 op3 uimm4 Rn Rd; op3 != 00 is unallocated (5%)
      const op3 = r.chance(0.05) ? r.range(1, 3) : 0;
      w = (kind === 'addg' ? 0x91800000 : 0xd1800000) | (r.bits(6) << 16) | (op3 << 14) | (r.bits(4) << 10) | (n << 5) | d;
    }
  }
  return { cls: kind, words: [...set, w >>> 0] };
}

/**
 * The MTE step (mode `mte` only): tag instructions with random operands, and tag-checked ordinary accesses (every
 * load/store class goes through `memItem`, which tags its base register, see `taggedBase`). Not generated:
 * LDGM/STGM/STZGM and DC GVA/GZVA (their block sizes, GMID_EL1.BS and DCZID_EL0, are IMPLEMENTATION DEFINED).
 */
export function mteHook(r: Prng, mode: Mode): Item | null {
  if (mode !== 'mte') return null;
  return r.weighted<(r: Prng) => Item>([[4, tagStore], [1.5, stgp], [3, tagArith]])(r);
}

/** A class and its weight; a generator may return null (FP mode, decoded only: nothing found), then another is drawn. */
type Entry = readonly [number, (r: Prng, mode: Mode, here: number, count: number) => Item | null];
const table: Entry[] = [
  ...Object.values(dpImm).map((g) => [4, (r: Prng, m: Mode) => g(r, m)] as const),
  ...Object.values(dpReg).map((g) => [4, (r: Prng, m: Mode) => g(r, m)] as const),
  ...Object.entries(ldst).map(([k, g]) => [k === 'dcMaint' || k === 'dcZva' ? 1 : 4, (r: Prng, m: Mode) => g(r, m)] as const),
  ...Object.values(br).map((g) => [3, (r: Prng, _m: Mode, h: number, c: number) => g(r, h, c)] as const),
  ...Object.values(sys).map((g) => [1.5, (r: Prng, m: Mode) => g(r, m)] as const),
  [3, (r: Prng) => one('unallocated', unallocatedWord(r))],
];

/**
 * The integer classes of MTE and FP mode (QEMU `-cpu max`): only those where `max` and the model agree, every access
 * aligned (`target`).
 * Left out: the classes made of "UNDEFINED on both" encodings that `max` implements (random unallocated words, CSSC,
 * FlagM RMIF/SETF, PAC*, BC.cond, the hint space with the PAC hints, DSB nXS, the o3 = 1 atomics space with LSE128/
 * RCW), LDTR/STTR (checked with TCF0, which the harness leaves 0), DC ZVA, and data processing (1 and 2 source),
 * whose random opcodes reach CSSC and PACGA.
 * Also left out: CAS/CASP. With MTE on, QEMU 10 reports their Tag Check faults (and translation faults) with WnR = 1;
 * for a read-modify-write the fault is on the read (the pseudocode's FaultRecord has write = !read && write, and a
 * Permission fault's WnR says whether the read was allowed), so WnR = 0, as the model reports. Found by this fuzzer.
 */
const maxIntegerTable: Entry[] = [
  ...['addsubImm', 'logicalImm', 'moveWide', 'bitfield', 'extract', 'adr'].map((k) => [2, (r: Prng, m: Mode) => dpImm[k]!(r, m)] as const),
  ...['logicalShifted', 'addsubShifted', 'addsubExt', 'condCompare', 'condSelect', 'dp3'].map((k) => [2, (r: Prng, m: Mode) => dpReg[k]!(r, m)] as const),
  [2, (r: Prng) => one('adc/sbc', fill(r, 'x x x 11010000 xxxxx 000000 xxxxx xxxxx'))],
  ...['unsignedImm', 'unscaled', 'preIndex', 'postIndex', 'registerOffset', 'pair', 'ordered', 'exclusive', 'exclusiveLoop'].map((k) => [4, (r: Prng, m: Mode) => ldst[k]!(r, m)] as const),
  [2, (r: Prng, m: Mode) => {
    const it = ldst.atomic!(r, m);
    const w = it.words[it.words.length - 1]!;
    if (field(w, 15, 1) === 1) it.words[it.words.length - 1] = setField(w, 12, 3, 0); // SWP only in the o3 = 1 space
    return it;
  }],
  [1, (r: Prng, m: Mode) => ldst.dcMaint!(r, m)],
  ...['b', 'bl', 'cbz', 'tbz', 'indirect'].map((k) => [2, (r: Prng, _m: Mode, h: number, c: number) => br[k]!(r, h, c)] as const),
  [2, (r: Prng, _m: Mode, h: number, c: number) => {
    const it = br.bcond!(r, h, c);
    it.words[0] = (it.words[0]! & ~0x01000010) >>> 0; // no BC.cond (FEAT_HBC on max), no unallocated bit 24
    return it;
  }],
  ...['nzcv', 'pstateRead', 'pstateWrite', 'tpidr', 'lor', 'exception', 'tlbi'].map((k) => [1, (r: Prng, m: Mode) => sys[k]!(r, m)] as const),
  [1, (r: Prng) => one('barrier/clrex', (0xd503301f | (r.below(16) << 8) | (r.pick([2, 4, 5, 6]) << 5)) >>> 0)],
];
const mteTable: Entry[] = [...maxIntegerTable, [30, (r: Prng, m: Mode) => mteHook(r, m)!]];

/** Entries scaled so that their weights add up to `total`. */
const scaled = (entries: readonly Entry[], total: number): Entry[] => {
  const sum = entries.reduce((s, [w]) => s + w, 0);
  return entries.map(([w, g]) => [(w * total) / sum, g] as const);
};

/**
 * FP mode (QEMU `-cpu max`): 70% SIMD&FP items (fp-classes.ts), 30% the integer classes `max` and the model agree
 * on (those of MTE mode, without the tag instructions), so FP results flow into integer code and back.
 */
const fpTable = (decodedOnly: boolean): Entry[] => [
  ...scaled(maxIntegerTable, 30),
  ...scaled(FP_ITEMS.map(([w, g]) => [w, (r: Prng, _m: Mode, h: number, c: number) =>
    (decodedOnly ? decodedItem(() => g(r, h, c)) : g(r, h, c))] as const), 70),
];
const FP_TABLE = fpTable(false);
const FP_TABLE_DECODED = fpTable(true);

/** Whether the model decodes `w` to an instruction (a row, and its decode accepts the word). */
const modelDecodes = (w: number): boolean => {
  const row = findEncoding(w);
  return row !== undefined && (row.decodeArgs === undefined || row.decodeArgs(w) !== undefined);
};

/**
 * An item all of whose words the model decodes, drawn up to 8 times; null if none was (a class the model has
 * nothing of yet): the caller then picks another class.
 */
function decodedItem(gen: () => Item): Item | null {
  for (let i = 0; i < 8; i++) {
    const it = gen();
    if (it.words.every(modelDecodes)) return it;
  }
  return null;
}

/** ID_AA64PFR0_EL1.FP [19:16] and AdvSIMD [23:20]: 0xF is "not implemented". */
const MODEL_ADVERTISES_FP = ((IMPL.ID_AA64PFR0_EL1 >> 16n) & 0xfn) !== 0xfn && ((IMPL.ID_AA64PFR0_EL1 >> 20n) & 0xfn) !== 0xfn;

/**
 * FP mode, while the model does not advertise FP/AdvSIMD (its SIMD&FP instructions are being written): only the
 * SIMD&FP words the model decodes are generated, so what is implemented is checked without the noise of what is
 * not yet (which `FUZZ_FP_ALL=1` / `--fp-all` shows). Once ID_AA64PFR0_EL1 advertises both, every word is.
 */
export function fpDecodedOnly(opts: GenOptions): boolean {
  return !(opts.fpAllEncodings ?? process.env.FUZZ_FP_ALL === '1') && !MODEL_ADVERTISES_FP;
}

/** The item table of a mode. */
const tableFor = (mode: Mode, opts: GenOptions): readonly Entry[] =>
  mode === 'mte' ? mteTable : mode === 'fp' ? (fpDecodedOnly(opts) ? FP_TABLE_DECODED : FP_TABLE) : table;

export function generateSequence(seed: number, opts: GenOptions): Sequence {
  const r = new Prng(seed);
  const count = r.range(opts.minItems ?? 6, opts.maxItems ?? 20);
  const items: Item[] = [];
  genState.mte = opts.mode === 'mte';
  genState.maxCpu = opts.mode === 'mte' || opts.mode === 'fp';
  try {
    const entries = tableFor(opts.mode, opts);
    for (let i = 0; i < count; i++) {
      let it: Item | null = null;
      while (it === null) it = r.weighted(entries)(r, opts.mode, i, count);
      items.push(it);
    }
  } finally {
    genState.mte = false;
    genState.maxCpu = false;
  }
  const x = Array.from({ length: 31 }, () => interesting(r));
  const init: SeqInit = { x, nzcv: r.below(16), sp: interesting(r), memSeed: r.u64() | 1n };
  if (opts.mode === 'mte') {
    // RGSR_EL1: SEED (bits 23:8, non-zero) and TAG (3:0); GCR_EL1: Exclude (15:0, often 0), RRND = 0.
    const rgsr = (BigInt(r.bits(16) | 1) << 8n) | BigInt(r.below(16));
    const exclude = r.weighted([[40, () => 0], [40, () => r.bits(16) & r.bits(16)], [15, () => r.bits(16)], [5, () => 0xffff]] as const)();
    init.mteRegs = (BigInt(exclude) << 32n) | rgsr;
  }
  if (opts.mode === 'fp') init.fp = fpInit(r);
  return { items, init };
}

/** The sequence's words with branch offsets resolved; `keep` (original item indices) selects a subset. */
export function layout(seq: Sequence, keep?: readonly number[]): number[] {
  const idx = keep ?? seq.items.map((_, i) => i);
  const starts: number[] = [];
  let at = 0;
  for (const i of idx) {
    starts.push(at);
    at += seq.items[i]!.words.length;
  }
  const end = at;
  const startOf = (target: number): number => {
    for (let k = 0; k < idx.length; k++) if (idx[k]! >= target) return starts[k]!;
    return end;
  };
  const words: number[] = [];
  idx.forEach((i, k) => {
    const it = seq.items[i]!;
    const ws = [...it.words];
    if (it.branch) {
      const from = starts[k]! + it.branch.at;
      const off = 4 * (startOf(it.branch.target) - from) + (it.branch.misalign ?? 0);
      const w = ws[it.branch.at]!;
      switch (it.branch.field) {
        case 'imm26': ws[it.branch.at] = ((w & 0xfc000000) | ((off >> 2) & 0x3ffffff)) >>> 0; break;
        case 'imm19': ws[it.branch.at] = ((w & 0xff00001f) | (((off >> 2) & 0x7ffff) << 5)) >>> 0; break;
        case 'imm14': ws[it.branch.at] = ((w & 0xfff8001f) | (((off >> 2) & 0x3fff) << 5)) >>> 0; break;
        case 'adr': ws[it.branch.at] = A.adr(w & 31, off); break;
      }
    }
    words.push(...ws);
  });
  return words;
}
