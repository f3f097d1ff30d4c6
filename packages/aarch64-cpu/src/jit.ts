/**
 * Basic-block translation: a run of straight-line instructions in one page, ending at a branch, exception or
 * system instruction (or the page end, or MAX_BLOCK instructions), is compiled once into a JavaScript function
 * (`new Function`). The common integer instructions (add/subtract, logical, move wide, shifts, multiply-add, the
 * plain loads and stores, direct and conditional branches) are inlined as BigInt code on `cpu.x`; every other
 * instruction is a call of its decoded handler, exactly as the interpreter would make it. The run loop
 * ({@link runBlocks}) looks blocks up per physical page (code-cache.ts) through the MMU's fetch translation and
 * follows links between blocks (chaining) while the TLB generation says the lookup would give the same block.
 *
 * What the generated code keeps exact:
 *  - Before anything that can raise an exception (every handler call, the port's read/write on a load or store's
 *    slow path), `cpu.pc` is set to the instruction's address, so the run loop knows which instruction faulted and
 *    how many retired before it. The inline fast paths cannot throw and leave it alone.
 *  - `cpu.dabtIss` is set as the handler would set it (0 for accesses without a syndrome) before each port access.
 *  - Branch handlers see `cpu.nextPc` = the next instruction, as in the interpreter.
 *  - NZCV: inlined flag-setting instructions leave them pending (flags.ts); `cpu.nzcv` computes them on demand.
 * Inlined forms with corner cases (SP as an operand, reserved encodings) fall back to the handler call.
 * A CPU created with `dumpBlocks: true` (CpuOptions; the vmm-lite CLI sets it from KVM_MTE_JIT_DUMP=1) prints each
 * block's JavaScript to stderr; `translate: false` (KVM_MTE_JIT=0) switches translation off for that CPU.
 */
import { blockCost, blockMatches, handlerBlockCost, type Block, type CodePage, PAGE_BYTES } from './code-cache.js';
import type { Cpu } from './cpu.js';
import { FlagOp } from './flags.js';
import type { Handler } from './decode.js';
import { Stop, type StopCode } from './exits.js';
import { ARENA_RUN_EPOCH } from './arena.js';
import { directBranchTarget, isConditionalBranch } from './branch-targets.js';
import { St } from './state-layout.js';
import { QUEUED_BLOCK_RUNS } from './wasm-jit/tier.js';

/** Entries of a CPU's jump cache (runBlocks), a power of two. */
export const JUMP_CACHE_SIZE = 4096;
const JUMP_CACHE_MASK = JUMP_CACHE_SIZE - 1;

/** A CPU's jump cache (runBlocks): per entry a block and its key (PC low and high halves, TLB generation, EL). */
export interface JumpCache {
  readonly blocks: (Block | undefined)[];
  readonly keys: Int32Array;
}

/** An empty jump cache. */
export function newJumpCache(): JumpCache {
  return { blocks: new Array<Block | undefined>(JUMP_CACHE_SIZE), keys: new Int32Array(4 * JUMP_CACHE_SIZE) };
}

/** Longest block, in instructions. */
export const MAX_BLOCK = 128;


/** cpu.xw holds each register as two 32-bit halves, low first, only on a little-endian host (every Node platform). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

const hex = (v: bigint | number): string => `0x${v.toString(16)}n`;

/** Whether the instruction ends a block: branches, exception generation and system instructions except MRS. */
function endsBlock(w: number): boolean {
  const op0 = (w >>> 25) & 0xf;
  if (op0 !== 0b1010 && op0 !== 0b1011) return false;
  return (w & 0xfff00000) >>> 0 !== 0xd5300000; // MRS reads only
}

/** Condition (4-bit cond field) on NZCV `f` as a JS expression. */
function condExpr(cond: number): string {
  let e: string;
  switch (cond >> 1) {
    case 0: e = '(f & 4) !== 0'; break;
    case 1: e = '(f & 2) !== 0'; break;
    case 2: e = '(f & 8) !== 0'; break;
    case 3: e = '(f & 1) !== 0'; break;
    case 4: e = '(f & 6) === 2'; break;
    case 5: e = '(((f >> 3) ^ f) & 1) === 0'; break;
    case 6: e = '(((f >> 3) ^ f) & 1) === 0 && (f & 4) === 0'; break;
    default: return 'true';
  }
  return (cond & 1) !== 0 ? `!(${e})` : e;
}

// Flags are lazy (flags.ts): a flag-setting instruction records its operation and operands (cpu.flagOp,
// cpu.flagArgs as `FA`), and a conditional branch right after it tests the operands directly. V8 (Node 20) compiles
// BigInt.asIntN/asUintN(64, ...) arithmetic and signed comparisons of such values to machine instructions, but
// `>> 63n`, `^` and comparisons against large constants fall back to allocating BigInt code, so the conditions use
// signed comparisons (an unsigned a < b is the signed comparison, flipped when the signs differ).

/** What a flag-setting instruction inlined at index k left for a following conditional branch. */
interface PendingFlags {
  /** The FlagOp recorded. */
  readonly op: number;
  readonly bits: number;
  /** The variables holding the operands (a, b) or, for logical operations, the result (a). */
  readonly a: string;
  readonly b: string;
}

/** Record the flags of `op` lazily: a and b are variable names of the generated code. */
const recordFlags = (op: number, a: string, b?: string): string =>
  `FA[0] = ${a}; ${b === undefined ? '' : `FA[1] = ${b}; `}cpu.flagOp = ${op};`;

/**
 * The condition `cond` (0..13) on the flags `p` left as a JS expression of its operand variables, or undefined when
 * the branch should read cpu.nzcv instead.
 */
function fusedCond(cond: number, p: PendingFlags): string | undefined {
  const ai = `BigInt.asIntN(${p.bits}, ${p.a})`;
  let e: string;
  if (p.op === FlagOp.Logic64 || p.op === FlagOp.Logic32) {
    // N = result < 0, Z = result == 0, C = V = 0.
    switch (cond >> 1) {
      case 0: e = `${ai} === 0n`; break; // EQ
      case 1: e = 'false'; break; // CS
      case 2: e = `${ai} < 0n`; break; // MI
      case 3: e = 'false'; break; // VS
      case 4: e = 'false'; break; // HI: C && !Z
      case 5: e = `${ai} >= 0n`; break; // GE: N == V
      default: e = `${ai} > 0n`; // GT: !Z && N == V
    }
  } else if (p.op === FlagOp.Sub64 || p.op === FlagOp.Sub32) {
    // CMP a, b: C = a >= b unsigned; V = the signed difference overflowed.
    const bi = `BigInt.asIntN(${p.bits}, ${p.b})`;
    const ri = `BigInt.asIntN(${p.bits}, ${p.a} - ${p.b})`;
    const signsDiffer = `((${ai} < 0n) !== (${bi} < 0n))`;
    switch (cond >> 1) {
      case 0: e = `${ai} === ${bi}`; break; // EQ
      case 1: e = `((${ai} >= ${bi}) !== ${signsDiffer})`; break; // CS: a >= b unsigned
      case 2: e = `${ri} < 0n`; break; // MI
      case 3: e = `((${ai} < ${bi}) !== (${ri} < 0n))`; break; // VS
      case 4: e = `((${ai} > ${bi}) !== ${signsDiffer})`; break; // HI: a > b unsigned
      case 5: e = `${ai} >= ${bi}`; break; // GE
      default: e = `${ai} > ${bi}`; // GT
    }
  } else {
    return undefined;
  }
  return (cond & 1) !== 0 ? `!(${e})` : e;
}

/** A register operand read: Xn with 31 as XZR (x[31] is always 0), truncated for 32-bit operations. */
const rd = (n: number, bits: number): string => (n === 31 ? '0n' : bits === 64 ? `x[${n}]` : `BigInt.asUintN(32, x[${n}])`);
/** Truncate a BigInt expression to `bits` bits. */
const tr = (e: string, bits: number): string => `BigInt.asUintN(${bits}, ${e})`;

/** ShiftReg of operand `v` (a `bits`-bit expression) as an expression, or undefined for a reserved shift. */
function shifted(v: string, type: number, amount: number, bits: number): string {
  if (amount === 0) return v;
  const a = `${amount}n`;
  switch (type) {
    case 0: return tr(`${v} << ${a}`, bits);
    case 1: return `(${v} >> ${a})`;
    case 2: return tr(`BigInt.asIntN(${bits}, ${v}) >> ${a}`, bits);
    default: return tr(`(${v} >> ${a}) | (${v} << ${bits - amount}n)`, bits);
  }
}

const ISV = 1 << 24;
const ISS_SF = 1 << 15;
const ACC_TAG_CHECKED = 64;
const ACC_WRITE = 1;

/** The ADDS/SUBS of operand expressions a and b (`bits` wide) at index k, with lazy flags. */
function addSubFlags(k: number, out: InlineOut, sub: boolean, bits: number, a: string, b: string, d: number): string {
  const op = sub ? (bits === 64 ? FlagOp.Sub64 : FlagOp.Sub32) : bits === 64 ? FlagOp.Add64 : FlagOp.Add32;
  out.flags = { op, bits, a: `fa${k}`, b: `fb${k}` };
  const r = d === 31 ? '' : `x[${d}] = ${tr(`fa${k} ${sub ? '-' : '+'} fb${k}`, bits)};`;
  return `const fa${k} = ${a}, fb${k} = ${b}; ${recordFlags(op, `fa${k}`, `fb${k}`)} ${r}`;
}

/** What {@link inline} tells its caller besides the code. */
interface InlineOut {
  /** Set when the code records lazy flags (its operands stay in scope for a conditional branch that follows). */
  flags: PendingFlags | undefined;
  /** Set when the code reads the data TLB (`T`, `nR`, `nW`), which the block then declares once. */
  tlb: boolean;
}

/**
 * The inline JS for instruction `k` of its block, at `pc`, or undefined when it must be a handler call. Code that
 * declares variables at the block body's level names them after `k`.
 */
function inline(w: number, pc: bigint, k: number, out: InlineOut): string | undefined {
  const d = w & 31;
  const n = (w >>> 5) & 31;
  const m = (w >>> 16) & 31;
  const sf = w >>> 31;
  const bits = sf !== 0 ? 64 : 32;

  // ---- Add/subtract (immediate): sf op S 100010 sh imm12 Rn Rd
  if ((w & 0x1f800000) === 0x11000000) {
    const sub = (w & 0x4000_0000) !== 0;
    const s = (w & 0x2000_0000) !== 0;
    if (n === 31 || (!s && d === 31)) return undefined; // SP operand
    let imm = (w >>> 10) & 0xfff;
    if ((w & (1 << 22)) !== 0) imm *= 4096;
    const a = rd(n, bits);
    // A store to the BigUint64Array wraps to 64 bits by itself.
    if (!s) return `x[${d}] = ${bits === 64 ? `${a} ${sub ? '-' : '+'} ${imm}n` : tr(`${a} ${sub ? '-' : '+'} ${imm}n`, 32)};`;
    return addSubFlags(k, out, sub, bits, a, `${imm}n`, d);
  }
  // ---- Add/subtract (shifted register): sf op S 01011 shift 0 Rm imm6 Rn Rd
  if ((w & 0x1f200000) === 0x0b000000) {
    const sub = (w & 0x4000_0000) !== 0;
    const s = (w & 0x2000_0000) !== 0;
    const type = (w >>> 22) & 3;
    const amount = (w >>> 10) & 0x3f;
    if (type === 3 || amount >= bits) return undefined; // reserved
    const b = shifted(rd(m, bits), type, amount, bits);
    if (!s) return d === 31 ? '' : `x[${d}] = ${tr(`${rd(n, bits)} ${sub ? '-' : '+'} ${b}`, bits)};`;
    return addSubFlags(k, out, sub, bits, rd(n, bits), b, d);
  }
  // ---- Logical (shifted register): sf opc 01010 shift N Rm imm6 Rn Rd
  if ((w & 0x1f000000) === 0x0a000000) {
    const opc = (w >>> 29) & 3;
    const type = (w >>> 22) & 3;
    const inv = (w & (1 << 21)) !== 0;
    const amount = (w >>> 10) & 0x3f;
    if (amount >= bits) return undefined;
    let b = shifted(rd(m, bits), type, amount, bits);
    if (inv) b = tr(`~${b}`, bits);
    const expr = `(${rd(n, bits)} ${opc === 1 ? '|' : opc === 2 ? '^' : '&'} ${b})`;
    if (opc !== 3) return d === 31 ? '' : `x[${d}] = ${expr};`;
    const op = bits === 64 ? FlagOp.Logic64 : FlagOp.Logic32;
    out.flags = { op, bits, a: `fa${k}`, b: '' };
    return `const fa${k} = ${expr}; ${recordFlags(op, `fa${k}`)} ${d === 31 ? '' : `x[${d}] = fa${k};`}`;
  }
  // ---- Move wide: sf opc 100101 hw imm16 Rd
  if ((w & 0x1f800000) === 0x12800000) {
    const opc = (w >>> 29) & 3;
    const hw = (w >>> 21) & 3;
    if (opc === 1 || (bits === 32 && hw >= 2)) return undefined;
    if (d === 31) return '';
    const imm = BigInt((w >>> 5) & 0xffff) << BigInt(16 * hw);
    const lim = bits === 64 ? (1n << 64n) - 1n : 0xffff_ffffn;
    if (opc === 2) return `x[${d}] = ${hex(imm)};`;
    if (opc === 0) return `x[${d}] = ${hex(~imm & lim)};`;
    const keep = ~(0xffffn << BigInt(16 * hw)) & lim;
    return `x[${d}] = (x[${d}] & ${hex(keep)}) | ${hex(imm)};`;
  }
  // ---- UBFM as LSR, LSL, UBFX: sf 10 100110 N immr imms Rn Rd (N == sf)
  if ((w & 0x7f800000) === 0x53000000 && ((w >>> 22) & 1) === sf) {
    const immr = (w >>> 16) & 0x3f;
    const imms = (w >>> 10) & 0x3f;
    if (bits === 32 && (immr >= 32 || imms >= 32)) return undefined;
    if (d === 31) return '';
    const v = rd(n, bits);
    if (imms === bits - 1) return `x[${d}] = ${v} >> ${immr}n;`; // LSR
    if (imms + 1 === immr) return `x[${d}] = ${tr(`${v} << ${bits - immr}n`, bits)};`; // LSL
    if (imms >= immr) return `x[${d}] = (${v} >> ${immr}n) & ${hex((1n << BigInt(imms - immr + 1)) - 1n)};`; // UBFX
    return undefined;
  }
  // ---- MADD/MSUB: sf 00 11011 000 Rm o0 Ra Rn Rd
  if ((w & 0x7fe00000) === 0x1b000000) {
    const ra = (w >>> 10) & 31;
    const sub = (w & 0x8000) !== 0;
    if (d === 31) return '';
    return `x[${d}] = ${tr(`${rd(ra, bits)} ${sub ? '-' : '+'} ${rd(n, bits)} * ${rd(m, bits)}`, bits)};`;
  }
  // ---- Loads and stores of one general-purpose register, plain LDR/STR (no sign extension): size 111 0 ...
  if ((w & 0x3f000000) === 0x39000000 || (w & 0x3f200000) === 0x38000000 || (w & 0x3f200c00) === 0x38200800) {
    const size = w >>> 30;
    const opc = (w >>> 22) & 3;
    if (opc > 1 || n === 31 || !LITTLE_ENDIAN) return undefined; // sign-extending loads, PRFM, SP base: the handler
    const bytes = 1 << size;
    const t = d;
    const load = opc === 1;
    // The address two ways: `addr` as a BigInt expression (the port's read/write), and for the fast path its
    // 32-bit halves: the base's halves plus the offset's (`olo`, `ohi`: uint32 expressions of the offset's 64 bits)
    // with the carry, all in Number arithmetic on cpu.xw.
    let addr: string;
    let olo: string;
    let ohi: string;
    let iss = 0;
    let wb = false;
    let imm9 = 0;
    if ((w & 0x3f000000) === 0x39000000) {
      // unsigned immediate
      const imm = ((w >>> 10) & 0xfff) * bytes;
      addr = tr(`x[${n}] + ${imm}n`, 64);
      olo = `${imm}`;
      ohi = '0';
      iss = ISV | (size << 22) | (size === 3 ? ISS_SF : 0) | (t << 16);
    } else if ((w & 0x3f200c00) === 0x38200800) {
      // register offset: option<1> must be 1
      const option = (w >>> 13) & 7;
      if ((option & 2) === 0) return undefined;
      const sh = (w & 0x1000) !== 0 ? size : 0;
      let off: string;
      const xm = rd(m, 64);
      let ml: string; // the extended Xm's 64 bits as uint32 halves, before the shift
      let mh: string;
      switch (option) {
        case 2: off = tr(xm, 32); ml = `xw[${2 * m}]`; mh = '0'; break; // UXTW
        case 6: off = `BigInt.asUintN(64, BigInt.asIntN(32, ${xm}))`; ml = `xw[${2 * m}]`; mh = `(xw[${2 * m}] >> 31 >>> 0)`; break; // SXTW
        default: off = xm; ml = `xw[${2 * m}]`; mh = `xw[${2 * m + 1}]`; // 3 LSL/UXTX, 7 SXTX
      }
      if (sh !== 0) {
        off = `(${off} << ${sh}n)`;
        olo = `(${ml} << ${sh} >>> 0)`;
        ohi = `((${mh} << ${sh} | ${ml} >>> ${32 - sh}) >>> 0)`;
      } else {
        olo = ml;
        ohi = mh;
      }
      if (m === 31) {
        olo = '0';
        ohi = '0';
      }
      addr = tr(`x[${n}] + ${off}`, 64);
      iss = ISV | (size << 22) | (size === 3 ? ISS_SF : 0) | (t << 16);
    } else {
      const idx = (w >>> 10) & 3;
      if (idx !== 1 && idx !== 3) return undefined; // unscaled / unprivileged: the handler
      imm9 = (((w >>> 12) & 0x1ff) << 23) >> 23;
      // Post-index accesses the base; pre-index the new address. Rn is written after the access (and after Rt).
      wb = true;
      addr = idx === 1 ? `x[${n}]` : tr(`x[${n}] + ${imm9}n`, 64);
      olo = idx === 1 ? '0' : `${imm9 >>> 0}`;
      ohi = idx === 1 || imm9 >= 0 ? '0' : '4294967295';
    }
    // Fast path (when the port has a data TLB): a TLB hit (keyLo/keyHi equal, current generation, a top byte that
    // is canonical or ignored by TBI) with the permission, an access aligned to its size (so inside one granule), a
    // page without tag storage or a Tagged page whose granule's allocation tag equals the pointer's logical tag
    // (a matching tag passes whatever the check mode) and, for a store, a page without translated code and no open
    // exclusive reservation in the domain reads or writes the page's DataView directly, register values moving
    // through cpu.xw (no BigInt conversion). Anything
    // else (a tag mismatch included: the port decides whether it faults) sets cpu.pc and the syndrome and calls the
    // port's read/write with the BigInt address, which faults, checks tags and reports syndromes exactly as before.
    // Nothing on the fast path can throw.
    const halves = olo === '0' && ohi === '0' ? `const lo = xw[${2 * n}], hi = xw[${2 * n + 1}];`
      : `const l0 = xw[${2 * n}] + ${olo}, lo = l0 >>> 0,` +
        ` hi = (xw[${2 * n + 1}]${ohi === '0' ? '' : ` + ${ohi}`} + (l0 > 4294967295 ? 1 : 0)) >>> 0;`;
    out.tlb = true;
    const fast = (needVar: string, extra: string, access: string): string =>
      `if (T !== undefined) { ${halves} const pg = lo >>> 12, i = pg & T.mask, kh = hi & 0xffffff, tk = T.tags[i];` +
      ` if (T.keyLo[i] === pg && T.keyHi[i] === kh && T.gen[i] === mem.tlbGeneration` +
      ` && (hi < 0x200000 || hi >>> 24 === (kh >>> 23) * 0xff || ((T.tbi[0] >> (kh >>> 23)) & 1) !== 0)` +
      ` && (T.perm[i] & ${needVar}) === ${needVar}${bytes > 1 ? ` && (lo & ${bytes - 1}) === 0` : ''}` +
      ` && (tk === 0 || (tk === 1 && T.tagStore[i].getTag(T.pa[i] + (lo & 0xfff)) === ((hi >>> 24) & 15)))${extra})` +
      ` { const V = T.view[i], o = T.off[i] + (lo & 0xfff); ${access} done = true; } }`;
    const head = `${wb ? `const base = x[${n}]; ` : ''}let done = false;`;
    const slowHead = `cpu.pc = ${hex(pc)}; cpu.dabtIss = ${iss};`;
    const wbBig = wb ? `x[${n}] = ${tr(`base + ${imm9}n`, 64)};` : '';
    if (load) {
      const access = t === 31 ? `V.getUint8(o);`
        : size === 3 ? `xw[${2 * t}] = V.getUint32(o, true); xw[${2 * t + 1}] = V.getUint32(o + 4, true);`
          : `xw[${2 * t}] = V.${size === 2 ? 'getUint32' : size === 1 ? 'getUint16' : 'getUint8'}(o${size > 0 ? ', true' : ''}); xw[${2 * t + 1}] = 0;`;
      const slow = `{ ${slowHead} const v = mem.read(${addr}, ${bytes}, ${ACC_TAG_CHECKED}); ${t === 31 ? '' : `x[${t}] = v;`} }`;
      return `{ ${head} ${fast('nR', '', access)} if (!done) ${slow} ${wbBig} }`;
    }
    const lo = t === 31 ? '0' : `xw[${2 * t}]`;
    const access = size === 3
      ? `V.setUint32(o, ${lo}, true); V.setUint32(o + 4, ${t === 31 ? '0' : `xw[${2 * t + 1}]`}, true);`
      : `V.${size === 2 ? 'setUint32' : size === 1 ? 'setUint16' : 'setUint8'}(o, ${lo}${size > 0 ? ', true' : ''});`;
    const val = t === 31 ? '0n' : size === 3 ? `x[${t}]` : tr(`x[${t}]`, 8 * bytes);
    const slow = `{ ${slowHead} mem.write(${addr}, ${bytes}, ${val}, ${ACC_TAG_CHECKED | ACC_WRITE}); }`;
    // A store takes the port while any PE of the domain holds a reservation: the port clears the ones it hits.
    const storeOk = ' && T.live[i][T.pageNo[i]] === 0 && cpu.smp.openReservations === 0';
    return `{ ${head} ${fast('nW', storeOk, access)} if (!done) ${slow} ${wbBig} }`;
  }
  return undefined;
}

/**
 * A direct branch that ends a block, decoded for inline code: `pre` runs first (BL's link write), then the branch is
 * taken to `taken` when `cond` (a JS expression; undefined: always) holds, else execution falls through to pc + 4.
 */
interface DirectBranch {
  readonly pre: string;
  readonly cond: string | undefined;
  readonly taken: bigint;
  /** For B.cond: the condition field, so a compare just before can be fused ({@link fusedCond}). */
  readonly flagCond?: number;
}

/** A terminating direct branch at `pc` (B, BL, B.cond, CBZ/CBNZ, TBZ/TBNZ), or undefined for a handler call. */
function directBranch(w: number, pc: bigint): DirectBranch | undefined {
  const t = directBranchTarget(w, pc); // undefined: not a direct branch, or BranchAddr's TBI rule (the handler)
  if (t === undefined) return undefined;
  // B, BL
  if ((w & 0x7c000000) === 0x14000000) {
    return { pre: (w & 0x8000_0000) !== 0 ? `x[30] = ${hex(pc + 4n)};` : '', cond: undefined, taken: t };
  }
  // B.cond
  if ((w & 0xff000010) >>> 0 === 0x54000000) {
    const c = w & 0xf;
    if (c >= 14) return { pre: '', cond: undefined, taken: t };
    return { pre: 'const f = cpu.nzcv;', cond: condExpr(c), taken: t, flagCond: c };
  }
  // CBZ/CBNZ
  if ((w & 0x7e000000) === 0x34000000) {
    const v = rd(w & 31, (w >>> 31) !== 0 ? 64 : 32);
    return { pre: '', cond: `BigInt.asIntN(64, ${v}) ${(w & (1 << 24)) !== 0 ? '!==' : '==='} 0n`, taken: t };
  }
  // TBZ/TBNZ
  {
    const bit = ((w >>> 26) & 0x20) | ((w >>> 19) & 0x1f);
    return { pre: '', cond: `BigInt.asUintN(1, ${rd(w & 31, 64)} >> ${bit}n) ${(w & (1 << 24)) !== 0 ? '!==' : '==='} 0n`, taken: t };
  }
}

/**
 * Decode (through the CPU's decode cache) and compile the block starting at word `start` of `page`, whose virtual
 * address is `pc`; printed to stderr when the CPU's `dumpBlocks` option is set.
 */
export function buildBlock(cpu: Cpu, page: CodePage, start: number, pc: bigint): Block {
  const { words, handlers, ended } = decodeBlock(cpu, page, start);
  if (cpu.wasm && cpu.codeCache.wasmTier(cpu.arena) !== undefined) return handlerBlock(cpu, page, start, pc, words, handlers, ended);
  const n = words.length;
  const src: string[] = [];
  let selfLoop = false;
  // Leaving the block through exit `k` to the fixed address `to`: a branch back to the block's own start iterates
  // inside the function while the budget allows, the block is still valid (no store over its instructions) and no
  // interrupt is pending; every iteration counts its instructions.
  const leave = (k: number, to: bigint): string => {
    if (to !== pc) return `{ cpu.pc = ${hex(to)}; cpu.insnCount += ${n}; return ${k}; }`;
    selfLoop = true;
    return `{ cpu.insnCount += ${n}; if (left < ${n} || !B.alive || cpu.irqLine) { cpu.pc = ${hex(pc)}; return ${k}; } left -= ${n}; continue; }`;
  };
  // The flags an inlined instruction left pending, while no handler call came after it (handlers read and write
  // cpu.nzcv; the inlined forms other than the flag-setting ones leave the flags alone).
  let pending: PendingFlags | undefined;
  const out: InlineOut = { flags: undefined, tlb: false };
  for (let k = 0; k < n; k++) {
    const w = words[k]!;
    const at = pc + BigInt(4 * k);
    const call = `cpu.pc = ${hex(at)}; cpu.nextPc = ${hex(at + 4n)}; cpu.dabtIss = 0; H[${k}](cpu, ${w});`;
    if (k === n - 1 && ended) {
      const b = directBranch(w, at);
      const fused = b?.flagCond !== undefined && pending !== undefined ? fusedCond(b.flagCond, pending) : undefined;
      if (b === undefined) src.push(`${call} cpu.pc = cpu.nextPc; cpu.insnCount += ${n}; return -1;`);
      else if (b.cond === undefined) src.push(`${b.pre} ${leave(0, b.taken)}`);
      else if (fused !== undefined) src.push(`if (${fused}) ${leave(0, b.taken)} ${leave(1, at + 4n)}`);
      else src.push(`${b.pre} if (${b.cond}) ${leave(0, b.taken)} ${leave(1, at + 4n)}`);
      continue;
    }
    out.flags = undefined;
    const code = inline(w, at, k, out);
    if (code === undefined) pending = undefined;
    else if (out.flags !== undefined) pending = out.flags;
    src.push(code ?? call);
  }
  if (!ended) src.push(leave(0, pc + BigInt(4 * n)));
  const code = selfLoop ? `for (let left = budget - ${n}; ;) {\n    ${src.join('\n    ')}\n  }` : src.join('\n  ');
  // The data TLB and the permissions a plain load/store needs: the EL and PSTATE.PAN cannot change inside a block
  // (MSR and exception returns end blocks; an exception leaves the function).
  const tlb = `const T = mem.dataTlb; const pk = cpu.el === 0 ? 0 : 1 + cpu.pan;` +
    ` const nR = T === undefined ? 0 : T.needRead[pk], nW = T === undefined ? 0 : T.needWrite[pk];`;
  const body = `"use strict"; return function block_${pc.toString(16)}(cpu, budget) {\n  const x = cpu.x; const xw = cpu.xw; const FA = cpu.flagArgs; const mem = cpu.mem;` +
    `${out.tlb ? ` ${tlb}` : ''}\n  ${code}\n};`;
  const block: Block = {
    pc, n, words: Uint32Array.from(words), start, cost: blockCost(body.length, n), run: noRun, ended, heat: 0, tier: 0, page,
    epoch: page.region.cache.epoch, checked: 0, handlers, alive: true, next0: undefined, next1: undefined, gen0: 0,
    gen1: 0,
  };
  if (cpu.dumpBlocks) console.error(body);
  block.run = compileBlock(body)(handlers, block);
  return block;
}

const noRun = (): number => -1;

/** The instructions of the block starting at word `start` of `page`: up to the page end, MAX_BLOCK, or a block end. */
function decodeBlock(cpu: Cpu, page: CodePage, start: number): { words: number[]; handlers: Handler[]; ended: boolean } {
  const decoder = cpu.decoder;
  const words: number[] = [];
  const handlers: Handler[] = [];
  const limit = Math.min(PAGE_BYTES / 4, start + MAX_BLOCK);
  let ended = false;
  for (let k = start; k < limit; k++) {
    const w = page.view.getUint32(page.base + k * 4, true);
    words.push(w);
    handlers.push(decoder.decode(w));
    if (endsBlock(w)) {
      ended = true;
      break;
    }
  }
  return { words, handlers, ended };
}

/**
 * A block whose code is its decoded handlers, run in order (no code generation): the first tier when the
 * WebAssembly tier is there, which takes the block once it is hot (wasm-jit/tier.ts). Code that runs a few times
 * (an OS boot) costs no translation at all. Exits: 0 or 1 when the next PC is the last instruction's fixed taken or
 * fall-through target (so the run loop can chain), else -1.
 */
function handlerBlock(cpu: Cpu, page: CodePage, start: number, pc: bigint, words: number[], handlers: Handler[],
  ended: boolean): Block {
  const n = words.length;
  const pcs: bigint[] = [];
  for (let k = 0; k <= n; k++) pcs.push(pc + BigInt(4 * k));
  const [taken, fall] = ended ? directTargets(words[n - 1]!, pcs[n - 1]!) : [pcs[n]!, undefined];
  const block: Block = {
    pc, n, words: Uint32Array.from(words), start, cost: handlerBlockCost(n), run: noRun, ended, heat: 0, tier: 0, page,
    epoch: page.region.cache.epoch, checked: 0, handlers, alive: true, next0: undefined, next1: undefined, gen0: 0,
    gen1: 0,
  };
  block.run = (c: Cpu): number => {
    for (let k = 0; k < n; k++) {
      c.pc = pcs[k]!;
      c.nextPc = pcs[k + 1]!;
      c.dabtIss = 0;
      handlers[k]!(c, words[k]!);
    }
    const next = c.nextPc;
    c.pc = next;
    c.insnCount += n;
    return next === taken ? 0 : next === fall ? 1 : -1;
  };
  if (cpu.dumpBlocks) console.error(`handler block at 0x${pc.toString(16)}: ${n} instructions`);
  return block;
}

/** The fixed targets (taken, fall-through) of a block-ending direct branch `w` at `pc`; undefined where none. */
function directTargets(w: number, pc: bigint): [bigint | undefined, bigint | undefined] {
  const t = directBranchTarget(w, pc);
  return t === undefined ? [undefined, undefined] : [t, isConditionalBranch(w) ? pc + 4n : undefined];
}

type BlockFactory = (handlers: readonly Handler[], block: Block) => (cpu: Cpu, budget: number) => number;

/** Node's `vm` module when the host has one (process.getBuiltinModule: Node 20.16 and later), else undefined. */
const nodeVm = (globalThis as {
  process?: { getBuiltinModule?: (id: string) => unknown };
}).process?.getBuiltinModule?.('node:vm') as { compileFunction(code: string, params: string[]): BlockFactory } | undefined;

/**
 * Compile a block's JavaScript (`body`, with parameters H and B) into its factory. Node's `vm.compileFunction` where
 * it exists: V8 keeps what `new Function` compiles in its eval cache until it has aged through several garbage
 * collections, so when a guest makes the cache rebuild blocks all the time (a working set larger than the budget)
 * dead blocks piled up far beyond the budget (1.1 GB of live heap running the code flood guest in 2 GiB; 60 MB
 * with compileFunction: README, "The code cache"). Elsewhere `new Function`.
 */
function compileBlock(body: string): BlockFactory {
  if (nodeVm !== undefined) return nodeVm.compileFunction(body, ['H', 'B']);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('H', 'B', body) as BlockFactory;
}

/**
 * The translated run loop: `budget` instructions at most, as {@link Cpu.run}. Falls back to the interpreter for
 * single steps (pending IRQ, PC alignment check, PSTATE.IL, a block longer than the budget left, memory the port
 * cannot give a code page for).
 *
 * Blocks come from `cpu.codeCache` (code-cache.ts), which flushes itself when a new block would take it over its
 * budget: a block found through a link, a page or a port's cached page is used only while it is alive.
 *
 * Chaining: a block that left through a direct exit (0 or 1: a branch outcome or the fall-through, whose target PC
 * is fixed) remembers the block it led to, with the port's TLB generation at that time; while nothing flushed the
 * TLB since, the target VA still translates to the same physical page, so the next block is taken from the link
 * instead of the fetch translation and page lookup (when it is alive, of the current code epoch and already checked
 * against memory in this run).
 *
 * PC alignment: a PC that is not a multiple of 4 is found before the fetch translation (a PC alignment fault has
 * priority over an instruction abort) and left to the interpreter, which takes the fault; blocks only ever start
 * at aligned PCs and every exit they link through is aligned.
 */
export function runBlocks(cpu: Cpu, budget: number): StopCode {
  const cache = cpu.codeCache;
  const epoch = cache.nextRunEpoch();
  // The WebAssembly tier (wasm-jit/tier.ts): hot blocks queued by earlier runs are compiled now.
  const tier = cpu.wasm ? cache.wasmTier(cpu.arena) : undefined;
  tier?.runStarts();
  const jcBlocks = cpu.jumpCache.blocks;
  const jcKeys = cpu.jumpCache.keys;
  // A new run: WebAssembly blocks chain into each other only once this run has entered (and checked) each, or a
  // chain's check function compared its words with memory. Never 0, the word of a dropped or invalidated block.
  const header = cpu.arena.header;
  header[ARENA_RUN_EPOCH] = (header[ARENA_RUN_EPOCH]! + 1) | 0 || 1;
  const mem = cpu.mem;
  const fetchPage = mem.fetchPage!;
  const linking = typeof mem.tlbGeneration === 'number';
  let done = 0;
  // The block that ran last and the exit it took (0/1: a direct exit to follow; -1: none; -2: a WebAssembly
  // block's register branch).
  let prev: Block | undefined;
  let exit = -1;
  while (done < budget) {
    if ((cpu.irqLine && (cpu.daif & 2) === 0) || cpu.checkPcAlign || cpu.il !== 0) {
      exit = -1;
      const before = cpu.insnCount;
      const stop = cpu.interpret(1);
      done += Math.max(1, cpu.insnCount - before);
      if (stop !== Stop.Budget) return stop;
      continue;
    }
    let block: Block | undefined;
    if (exit >= 0) {
      const p = prev!;
      block = exit === 0 ? p.next0 : p.next1;
      if (block !== undefined && ((exit === 0 ? p.gen0 : p.gen1) !== mem.tlbGeneration || !block.alive ||
        block.epoch !== cache.epoch || block.checked !== epoch)) block = undefined;
    }
    // The jump cache (exits without a link: register branches, exception entries and returns): the block this
    // CPU last found at the same PC, while the TLB generation and the EL (fetch permissions) are the same and the
    // block is alive and checked in this run. The PC's halves come through the state block's scratch word.
    let jc = -1;
    let jcLo = 0;
    let jcHi = 0;
    if (block === undefined && linking) {
      cpu.stU64[St.SCRATCH >> 3] = cpu.pc;
      jcLo = cpu.st32[St.SCRATCH >> 2]!;
      jcHi = cpu.st32[(St.SCRATCH >> 2) + 1]!;
      if ((jcLo & 3) === 0) {
        jc = (jcLo >>> 2) & JUMP_CACHE_MASK;
        const c = jcBlocks[jc];
        const k = 4 * jc;
        if (c !== undefined && jcKeys[k] === jcLo && jcKeys[k + 1] === jcHi && jcKeys[k + 2] === mem.tlbGeneration &&
          jcKeys[k + 3] === cpu.el && c.alive && c.epoch === cache.epoch && c.checked === epoch) block = c;
      }
    }
    if (block === undefined) {
      const pc = cpu.pc;
      const offset = Number(pc & 0xfffn);
      if ((offset & 3) !== 0) {
        // Set by the host (Cpu.run checks on entry) or a port's PC: the interpreter takes the PC alignment fault.
        cpu.checkPcAlign = true;
        exit = -1;
        continue;
      }
      let page: CodePage | undefined;
      try {
        page = fetchPage.call(mem, pc);
      } catch (e) {
        // An instruction abort (or a trap to EL2 on the fetch's stage-2 walk).
        exit = -1;
        done++;
        const stop = cpu.takeThrown(e, pc, true);
        if (stop !== undefined) return stop;
        continue;
      }
      if (page !== undefined) {
        // A page the cache flushed, still cached by the port: the region's current page for that memory.
        if (page.dropped) page = page.region.page(page.page, page.view, page.base);
        const index = offset >>> 2;
        block = page.blocks.get(index);
        if (block !== undefined && (block.pc !== pc ||
          ((block.epoch !== cache.epoch || block.checked !== epoch) && !blockMatches(page, block)))) block = undefined;
        if (block === undefined) {
          const t0 = performance.now(); // compile time for `pnpm bench` (CodeCacheStats.compileMs): once per block
          block = buildBlock(cpu, page, index, pc);
          cache.compileMs += performance.now() - t0;
          cache.add(page, block);
        }
        block.epoch = cache.epoch;
        block.checked = epoch;
        if (jc >= 0) {
          const k = 4 * jc;
          jcBlocks[jc] = block;
          jcKeys[k] = jcLo;
          jcKeys[k + 1] = jcHi;
          jcKeys[k + 2] = mem.tlbGeneration!;
          jcKeys[k + 3] = cpu.el;
        }
        if (exit >= 0 && linking && prev!.alive) {
          if (exit === 0) {
            prev!.next0 = block;
            prev!.gen0 = mem.tlbGeneration!;
          } else {
            prev!.next1 = block;
            prev!.gen1 = mem.tlbGeneration!;
          }
        }
      }
    }
    // Two WebAssembly blocks of one code page passed through here instead of chaining: the tier records it, and
    // compiles the page's blocks together once that happens often (wasm-jit/tier.ts missedChain).
    if (exit !== -1 && block !== undefined && block.wasm !== undefined && prev!.wasm !== undefined &&
      block.page === prev!.page) tier!.missedChain(prev!, exit, block);
    exit = -1;
    // A block that has run hotRuns times as JavaScript goes to the WebAssembly tier (compiled when its batch is).
    // A queued block that keeps running (a hot loop whose batch is not full yet) has its batch compiled once it ran
    // QUEUED_BLOCK_RUNS more times, rather than running as handlers until QUEUE_RUNS runs passed.
    if (block !== undefined && block.tier <= 1 && tier !== undefined) {
      if (block.tier === 1) {
        if (++block.heat >= cache.wasmTuning.hotRuns + QUEUED_BLOCK_RUNS) tier.compileQueued();
      } else if (block.heat++ >= cache.wasmTuning.hotRuns) {
        block.tier = 1;
        tier.enqueue(block);
        if (cache.wasmTuning.hotRuns === 0) tier.compileQueued(); // test mode: WebAssembly from the first run
      }
    }
    if (block === undefined || block.n > budget - done) {
      const before = cpu.insnCount;
      const stop = cpu.interpret(1);
      done += Math.max(1, cpu.insnCount - before);
      if (stop !== Stop.Budget) return stop;
      continue;
    }
    const before = cpu.insnCount;
    if (block.valid !== undefined) block.valid[0] = header[ARENA_RUN_EPOCH]!;
    try {
      exit = block.run(cpu, budget - done);
      prev = block.ranTo ?? block;
      done += cpu.insnCount - before;
    } catch (e) {
      // cpu.pc is the faulting instruction's address (set before anything that can raise); earlier iterations of
      // a looping block have counted themselves.
      const at = cpu.pc;
      // (In a WebAssembly block that chained, the block that was running: `ranTo`.)
      const retired = Number(at - (block.ranTo ?? block).pc) >> 2;
      cpu.insnCount += retired;
      done += cpu.insnCount - before + 1;
      const stop = cpu.takeThrown(e, at, false);
      if (stop !== undefined) return stop;
    }
  }
  return Stop.Budget;
}
