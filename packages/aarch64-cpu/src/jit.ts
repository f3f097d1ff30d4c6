/**
 * Basic-block translation: a run of straight-line instructions in one page, ending at a branch, exception or
 * system instruction (or the page end, or MAX_BLOCK instructions), is compiled once into a JavaScript function
 * (`new Function`). The common integer instructions (add/subtract, logical, move wide, shifts, multiply-add, the
 * plain loads and stores, direct and conditional branches) are inlined as BigInt code on `cpu.x`; every other
 * instruction is a call of its decoded handler, exactly as the interpreter would make it. The run loop
 * ({@link runBlocks}) looks blocks up per physical page (code-cache.ts) through the MMU's fetch translation.
 *
 * What the generated code keeps exact:
 *  - Before any instruction that can raise an exception (every handler call, every load/store), `cpu.pc` is set to
 *    its address, so the run loop knows which instruction faulted and how many retired before it.
 *  - `cpu.dabtIss` is set as the handler would set it (0 for accesses without a syndrome) before each access.
 *  - Branch handlers see `cpu.nextPc` = the next instruction, as in the interpreter.
 * Inlined forms with corner cases (SP as an operand, reserved encodings) fall back to the handler call.
 */
import { blockMatches, codeEpoch, type Block, type CodePage, nextRunEpoch, PAGE_BYTES } from './code-cache.js';
import type { Cpu } from './cpu.js';
import { decodeA64 } from './decode-a64.js';
import type { Handler } from './decode.js';
import { El2Trap, GuestException } from './exceptions.js';
import { Stop, type StopCode } from './exits.js';
import { MemoryFault } from './ports.js';

/** Longest block, in instructions. */
export const MAX_BLOCK = 128;

/** Whether translation is used at all (tests and the bench can switch it off: KVM_MTE_JIT=0). */
export const jitEnabled = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.KVM_MTE_JIT !== '0';


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

// Flags: V8 (Node 20) compiles BigInt.asIntN/asUintN(64, ...) arithmetic and signed comparisons of such values to
// machine instructions, but `>> 63n`, `^` and comparisons against large constants fall back to allocating BigInt
// code (measured: 100 ns against 6 ns for the NZCV of a 64-bit SUBS). So flags come from signed comparisons.

/** Signed views of a, b and r (variables of the generated code) for the flag formulas. */
const signed = (bits: number): string =>
  `const ai = BigInt.asIntN(${bits}, a), bi = BigInt.asIntN(${bits}, b), ri = BigInt.asIntN(${bits}, r);`;
/** NZCV of a `bits`-bit ADD (r = a + b truncated; a, b, r zero-extended BigInts). */
function addFlags(bits: number): string {
  // C: r < a unsigned; V: a and b have the same sign and r another.
  return `${signed(bits)} cpu.nzcv = (ri < 0n ? 8 : 0) | (ri === 0n ? 4 : 0) | (((ri < ai) !== ((ri < 0n) !== (ai < 0n))) ? 2 : 0) | (((ai < 0n) === (bi < 0n) && (ri < 0n) !== (ai < 0n)) ? 1 : 0);`;
}
/** NZCV of a `bits`-bit SUB (r = a - b truncated). */
function subFlags(bits: number): string {
  // C: a >= b unsigned; V: the sign of r is not the sign of the true difference (ai < bi).
  return `${signed(bits)} cpu.nzcv = (ri < 0n ? 8 : 0) | (ri === 0n ? 4 : 0) | (((ai >= bi) !== ((ai < 0n) !== (bi < 0n))) ? 2 : 0) | (((ai < bi) !== (ri < 0n)) ? 1 : 0);`;
}
/** NZCV of a logical flag-setting instruction: N, Z; C = V = 0. */
function logicFlags(bits: number): string {
  return `{ const ri = BigInt.asIntN(${bits}, r); cpu.nzcv = (ri < 0n ? 8 : 0) | (ri === 0n ? 4 : 0); }`;
}

/** A register operand read: Xn with 31 as XZR (x[31] is always 0), truncated for 32-bit operations. */
const rd = (n: number, bits: number): string => (n === 31 ? '0n' : bits === 64 ? `x[${n}]` : `BigInt.asUintN(32, x[${n}])`);
/** Truncate a BigInt expression to `bits` bits. */
const tr = (e: string, bits: number): string => `BigInt.asUintN(${bits}, ${e})`;
/** Write the BigInt expression in variable `r` to Xd (31 = XZR: discarded). */
const wr = (d: number): string => (d === 31 ? '' : `x[${d}] = r;`);

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

/**
 * The inline JS for one instruction at `pc`, or undefined when it must be a handler call. `next` is pc + 4.
 * Terminators (branches) set cpu.pc themselves; other inline code leaves it alone unless it can fault.
 */
function inline(w: number, pc: bigint): string | undefined {
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
    return `{ const a = ${a}, b = ${imm}n, r = ${tr(`a ${sub ? '-' : '+'} b`, bits)}; ${sub ? subFlags(bits) : addFlags(bits)} ${wr(d)} }`;
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
    return `{ const a = ${rd(n, bits)}, b = ${b}, r = ${tr(`a ${sub ? '-' : '+'} b`, bits)}; ${sub ? subFlags(bits) : addFlags(bits)} ${wr(d)} }`;
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
    const op = opc === 1 ? '|' : opc === 2 ? '^' : '&';
    const expr = `(${rd(n, bits)} ${op} ${b})`;
    if (opc !== 3) return d === 31 ? '' : `x[${d}] = ${expr};`;
    return `{ const r = ${expr}; ${logicFlags(bits)} ${wr(d)} }`;
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
    if (opc > 1 || n === 31) return undefined; // sign-extending loads, PRFM, SP base: the handler
    const bytes = 1 << size;
    const t = d;
    const load = opc === 1;
    const setPc = `cpu.pc = ${hex(pc)};`;
    let addr: string;
    let iss = 0;
    let wb = '';
    if ((w & 0x3f000000) === 0x39000000) {
      // unsigned immediate
      addr = tr(`x[${n}] + ${((w >>> 10) & 0xfff) * bytes}n`, 64);
      iss = ISV | (size << 22) | (size === 3 ? ISS_SF : 0) | (t << 16);
    } else if ((w & 0x3f200c00) === 0x38200800) {
      // register offset: option<1> must be 1
      const option = (w >>> 13) & 7;
      if ((option & 2) === 0) return undefined;
      const sh = (w & 0x1000) !== 0 ? size : 0;
      let off: string;
      const xm = rd(m, 64);
      switch (option) {
        case 2: off = tr(xm, 32); break;
        case 6: off = `BigInt.asUintN(64, BigInt.asIntN(32, ${xm}))`; break;
        default: off = xm; // 3 LSL/UXTX, 7 SXTX
      }
      if (sh !== 0) off = `(${off} << ${sh}n)`;
      addr = tr(`x[${n}] + ${off}`, 64);
      iss = ISV | (size << 22) | (size === 3 ? ISS_SF : 0) | (t << 16);
    } else {
      const idx = (w >>> 10) & 3;
      if (idx !== 1 && idx !== 3) return undefined; // unscaled / unprivileged: the handler
      const imm9 = (((w >>> 12) & 0x1ff) << 23) >> 23;
      const wbExpr = tr(`x[${n}] + ${imm9}n`, 64);
      // Post-index accesses the base; pre-index the new address. Rn is written after the access (and after Rt).
      addr = idx === 1 ? `x[${n}]` : wbExpr;
      wb = idx === 1 ? `x[${n}] = ${wbExpr.replace(`x[${n}]`, 'base')};` : `x[${n}] = addr;`;
    }
    const pre = `${setPc} cpu.dabtIss = ${iss}; const base = x[${n}]; const addr = ${addr.replace(new RegExp(`x\\[${n}\\]`, 'g'), 'base')};`;
    // The data TLB inline (when the port has one): a hit with the permission, aligned, on an untagged page (and for
    // a store, a page without translated code) accesses the page's DataView directly; anything else is the port's
    // read/write, which faults, checks tags and reports syndromes exactly as before.
    const hit = (needVar: string): string =>
      `S64[0] = addr; const lo = S32[0], hi = S32[1], key = hi * 1048576 + (lo >>> 12), i = key & T.mask;` +
      ` if (hi < 0x200000 && T.key[i] === key && T.gen[i] === mem.tlbGeneration && (T.perm[i] & ${needVar}) === ${needVar}` +
      ` && (lo & ${bytes - 1}) === 0 && T.tags[i] === 0`;
    const o = 'T.off[i] + (lo & 0xfff)';
    if (load) {
      const set = t === 31 ? '' : `x[${t}] = v;`;
      const slow = `mem.read(addr, ${bytes}, ${ACC_TAG_CHECKED})`;
      const get = size === 3 ? `T.view[i].getBigUint64(${o}, true)` :
        `BigInt(T.view[i].${size === 2 ? 'getUint32' : size === 1 ? 'getUint16' : 'getUint8'}(${o}${size > 0 ? ', true' : ''}))`;
      return `{ ${pre} let v; if (T === undefined) v = ${slow}; else { ${hit('nR')}) v = ${get}; else v = ${slow}; } ${set} ${wb} }`;
    }
    const val = t === 31 ? '0n' : size === 3 ? `x[${t}]` : tr(`x[${t}]`, 8 * bytes);
    const slow = `mem.write(addr, ${bytes}, v, ${ACC_TAG_CHECKED | ACC_WRITE})`;
    const put = size === 3 ? `T.view[i].setBigUint64(${o}, v, true)` :
      `T.view[i].${size === 2 ? 'setUint32' : size === 1 ? 'setUint16' : 'setUint8'}(${o}, Number(v)${size > 0 ? ', true' : ''})`;
    return `{ ${pre} const v = ${val}; if (T === undefined) ${slow}; else { ${hit('nW')} && T.live[i][T.pageNo[i]] === 0) ${put}; else ${slow}; } ${wb} }`;
  }
  return undefined;
}

/** Inline code for a terminating branch at `pc`, or undefined for a handler call. Sets cpu.pc. */
function inlineBranch(w: number, pc: bigint): string | undefined {
  const next = hex(pc + 4n);
  const target = (off: number): string | undefined => {
    const t = BigInt.asUintN(64, pc + BigInt(off));
    const top = t >> 55n;
    return top === 0n || top === 0x1ffn ? hex(t) : undefined; // else BranchAddr's TBI rule: the handler
  };
  // B, BL
  if ((w & 0x7c000000) === 0x14000000) {
    const t = target(((w & 0x3ffffff) << 6) >> 4);
    if (t === undefined) return undefined;
    return (w & 0x8000_0000) !== 0 ? `x[30] = ${next}; cpu.pc = ${t};` : `cpu.pc = ${t};`;
  }
  // B.cond
  if ((w & 0xff000010) >>> 0 === 0x54000000) {
    const t = target((((w >>> 5) & 0x7ffff) << 13) >> 11);
    if (t === undefined) return undefined;
    return `{ const f = cpu.nzcv; cpu.pc = ${condExpr(w & 0xf)} ? ${t} : ${next}; }`;
  }
  // CBZ/CBNZ
  if ((w & 0x7e000000) === 0x34000000) {
    const t = target((((w >>> 5) & 0x7ffff) << 13) >> 11);
    if (t === undefined) return undefined;
    const v = rd(w & 31, (w >>> 31) !== 0 ? 64 : 32);
    return `cpu.pc = (BigInt.asIntN(64, ${v}) ${(w & (1 << 24)) !== 0 ? '!==' : '==='} 0n) ? ${t} : ${next};`;
  }
  // TBZ/TBNZ
  if ((w & 0x7e000000) === 0x36000000) {
    const t = target((((w >>> 5) & 0x3fff) << 18) >> 16);
    if (t === undefined) return undefined;
    const bit = ((w >>> 26) & 0x20) | ((w >>> 19) & 0x1f);
    return `cpu.pc = (BigInt.asUintN(1, ${rd(w & 31, 64)} >> ${bit}n) ${(w & (1 << 24)) !== 0 ? '!==' : '==='} 0n) ? ${t} : ${next};`;
  }
  return undefined;
}

/** Decode and compile the block starting at word `start` of `page`, whose virtual address is `pc`. */
export function buildBlock(page: CodePage, start: number, pc: bigint): Block {
  const words: number[] = [];
  const handlers: Handler[] = [];
  const limit = Math.min(PAGE_BYTES / 4, start + MAX_BLOCK);
  let ended = false;
  for (let k = start; k < limit; k++) {
    const w = page.view.getUint32(page.base + k * 4, true);
    words.push(w);
    handlers.push(decodeA64(w));
    if (endsBlock(w)) {
      ended = true;
      break;
    }
  }
  const src: string[] = [];
  let selfLoop = false;
  for (let k = 0; k < words.length; k++) {
    const w = words[k]!;
    const at = pc + BigInt(4 * k);
    const last = k === words.length - 1;
    if (last && ended) {
      const b = inlineBranch(w, at);
      if (b !== undefined) {
        src.push(b);
        selfLoop = b.includes(hex(pc)); // a branch back to the block's start: loop inside the function
      } else {
        src.push(`cpu.pc = ${hex(at)}; cpu.nextPc = ${hex(at + 4n)}; cpu.dabtIss = 0; H[${k}](cpu, ${w}); cpu.pc = cpu.nextPc;`);
      }
      continue;
    }
    const code = inline(w, at);
    if (code !== undefined) src.push(code);
    else src.push(`cpu.pc = ${hex(at)}; cpu.nextPc = ${hex(at + 4n)}; cpu.dabtIss = 0; H[${k}](cpu, ${w});`);
  }
  if (!ended) src.push(`cpu.pc = ${hex(pc + BigInt(4 * words.length))};`);
  const n = words.length;
  // A block that branches back to its own start iterates inside the function while the budget allows, the block
  // is still valid (no store to its page) and no interrupt is pending; every iteration counts its instructions.
  const code = selfLoop
    ? `for (let left = budget - ${n}; ; left -= ${n}) {\n    ${src.join('\n    ')}\n    cpu.insnCount += ${n};\n` +
      `    if (cpu.pc !== ${hex(pc)} || left < ${n} || !B.alive || cpu.irqLine) return;\n  }`
    : `${src.join('\n  ')}\n  cpu.insnCount += ${n};`;
  // The data TLB and the permissions a plain load/store needs: the EL and PSTATE.PAN cannot change inside a block
  // (MSR and exception returns end blocks; an exception leaves the function).
  const tlb = `const T = mem.dataTlb; const pk = cpu.el === 0 ? 0 : 1 + cpu.pan;` +
    ` const nR = T === undefined ? 0 : T.needRead[pk], nW = T === undefined ? 0 : T.needWrite[pk];`;
  const body = `"use strict"; return function block_${pc.toString(16)}(cpu, budget) {\n  const x = cpu.x; const mem = cpu.mem;` +
    `${src.some((l) => l.includes('T.key')) ? ` ${tlb}` : ''}\n  ${code}\n};`;
  const block: Block = {
    pc, n, words: Uint32Array.from(words), start, run: noRun, epoch: codeEpoch, checked: 0, handlers, alive: true,
  };
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  block.run = new Function('H', 'B', 'S64', 'S32', body)(handlers, block, SPLIT64, SPLIT32) as (cpu: Cpu, budget: number) => void;
  return block;
}

const noRun = (): void => {};

/** Scratch for splitting an address into 32-bit halves in generated code (cheaper than Number(bigint)). */
const SPLIT64 = new BigUint64Array(1);
const SPLIT32 = new Uint32Array(SPLIT64.buffer);

/**
 * The translated run loop: `budget` instructions at most, as {@link Cpu.run}. Falls back to the interpreter for
 * single steps (pending IRQ, PC alignment check, PSTATE.IL, a block longer than the budget left, memory the port
 * cannot give a code page for).
 */
export function runBlocks(cpu: Cpu, budget: number): StopCode {
  const epoch = nextRunEpoch();
  const mem = cpu.mem;
  const fetchPage = mem.fetchPage!;
  let done = 0;
  while (done < budget) {
    if ((cpu.irqLine && (cpu.daif & 2) === 0) || cpu.checkPcAlign || cpu.il !== 0) {
      const before = cpu.insnCount;
      const stop = cpu.interpret(1);
      done += Math.max(1, cpu.insnCount - before);
      if (stop !== Stop.Budget) return stop;
      continue;
    }
    const pc = cpu.pc;
    let page: CodePage | undefined;
    try {
      page = fetchPage.call(mem, pc);
    } catch (e) {
      if (e instanceof MemoryFault) {
        const stop = cpu.takeMemoryFault(e, pc, true);
        done++;
        if (stop !== undefined) return stop;
        continue;
      }
      cpu.internalError = e;
      return Stop.InternalError;
    }
    let block: Block | undefined;
    if (page !== undefined) {
      const index = Number(pc & 0xfffn) >>> 2;
      block = page.blocks[index];
      if (block === undefined || block.pc !== pc || block.epoch !== codeEpoch ||
        (block.checked !== epoch && !blockMatches(page, block))) {
        block = buildBlock(page, index, pc);
        page.add(block);
      }
      block.checked = epoch;
    }
    if (block === undefined || block.n > budget - done) {
      const before = cpu.insnCount;
      const stop = cpu.interpret(1);
      done += Math.max(1, cpu.insnCount - before);
      if (stop !== Stop.Budget) return stop;
      continue;
    }
    const before = cpu.insnCount;
    try {
      block.run(cpu, budget - done);
      done += cpu.insnCount - before;
    } catch (e) {
      // cpu.pc is the faulting instruction's address (set before anything that can raise); earlier iterations of
      // a looping block have counted themselves.
      const at = cpu.pc;
      const retired = Number(at - block.pc) >> 2;
      cpu.insnCount += retired;
      done += cpu.insnCount - before + 1;
      if (e instanceof GuestException) {
        cpu.takeGuestException(e, at);
        if (e.returnNext) cpu.insnCount++;
      } else if (e instanceof MemoryFault) {
        const stop = cpu.takeMemoryFault(e, at, false);
        if (stop !== undefined) return stop;
      } else if (e instanceof El2Trap) {
        if (e.returnNext) cpu.insnCount++;
        return cpu.trapEl2(e, at);
      } else {
        cpu.internalError = e;
        cpu.pc = at;
        return Stop.InternalError;
      }
    }
  }
  return Stop.Budget;
}
