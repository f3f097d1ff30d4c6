/**
 * A64 instruction class "Loads and Stores" (Arm ARM C4.1.x, op0 = x1x0), for the general-purpose registers. The
 * plain forms (load/store register with an unsigned, unscaled, pre- or post-indexed immediate or a register offset,
 * and load/store pair) and the LSE atomics LD<op> and SWP are specifications (spec/loads-stores.ts,
 * spec/atomics.ts), from which their handlers and WebAssembly translations are derived; the rest are handlers here.
 *
 * Implemented: load/store register (unsigned immediate, unscaled immediate, immediate pre/post-index, register offset,
 * unprivileged, literal), PRFM/PRFUM (no-ops), load/store pair (offset, pre/post-index, non-temporal, LDPSW),
 * load/store exclusive (register and pair), load-acquire/store-release (LDAR/STLR, and LDLAR/STLLR of FEAT_LOR,
 * which without LORegions order exactly as LDAR/STLR), LSE atomics (LD<op>, SWP, CAS, CASP). Every other encoding in
 * the group matches no row and is UNDEFINED:
 * - SIMD&FP loads/stores (V = 1): FP/AdvSIMD are not implemented (ID_AA64PFR0_EL1.FP = AdvSIMD = 0xF).
 * - MTE tag instructions (STG, STZG, ST2G, STZ2G, LDG, STGM, STZGM, LDGM at 0xD9xxxxxx, and STGP, the pair encoding
 *   with opc = 01, L = 0): not in this table; insn/mte.ts decodes them (decode-a64.ts tries its rows first).
 * - RCpc3 forms (FEAT_LRCPC3), LDRAA/LDRAB (no pointer authentication), LD64B and ST64B (FEAT_LS64), FEAT_LSE128,
 *   FEAT_THE (RCW*), FEAT_MOPS (CPY*, SET*), FEAT_LSUI: none is advertised.
 * - Unallocated size/opc combinations and register-offset option values with option<1> = 0.
 *
 * Conventions shared by every handler (Arm ARM pseudocode):
 * - Rt = 31 is XZR; Rn = 31 is SP, checked for 16-byte alignment first (CheckSPAlignment), except by PRFM.
 * - Acc.TagChecked is passed when the pseudocode's `tagchecked` is TRUE: `wback || n != 31` for immediate-offset
 *   forms, TRUE for register offsets, FALSE for literal loads (PRFM makes no access).
 * - `cpu.dabtIss` gets the data abort ISS[24:14] (ISV, SAS, SSE, SRT, SF, AR) before the access of a single
 *   general-purpose register load/store without writeback (including acquire/release and unprivileged forms). The
 *   architecture gives no valid syndrome (ISV = 0) for pairs, writeback forms, Load/Store Exclusive and for the
 *   atomic read-modify-write instructions (LD<op>, SWP, CAS, CASP: two registers, not one transfer), so those leave
 *   it 0, as the run loop resets it before each instruction.
 *
 * CONSTRAINED UNPREDICTABLE choices (the behaviour of QEMU 10 `-cpu max`, checked with a test program):
 * - Load with writeback where Rt == Rn (Rn != 31), single or pair (WBOVERLAPLD): the load is performed and Rn ends
 *   up holding the written-back address (Constraint_UNKNOWN, with the address as the UNKNOWN value).
 * - Store with writeback where Rt (or Rt2) == Rn (WBOVERLAPST): the original register value is stored
 *   (Constraint_NONE).
 * - LDP/LDNP/LDPSW/LDXP/LDAXP with Rt == Rt2 (LDPOVERLAP): the register gets the second (higher-address) element.
 * - STXR/STXP with Rs == Rt, Rt2 or Rn: the original values are stored and the status is written last.
 * - Should-be-one fields: ignored in LDXR/LDAXR (Rs, Rt2), STXR/STLXR (Rt2) and LDXP/LDAXP (Rs); in LDAR/STLR
 *   (Rs, Rt2) a value other than 11111 is UNDEFINED.
 *
 * The exclusive monitors: a load-exclusive opens the local one, `cpu.exclAddr`/`cpu.exclSize`, for (address, size),
 * and marks the physical address in the global one (`cpu.markExclusive`; smp.ts), which another observer's store to
 * it clears; a store-exclusive checks alignment, passes only if the monitor is still open for the same address and
 * size, and always closes it, before its write (so one whose write faults fails when retried, as on hardware, where
 * the exception return from the handler clears the local monitor). Accesses that must be aligned beyond 8 bytes
 * (the 16-byte X pairs of LDXP/STXP/CASP) are checked
 * here, since a MemoryPort access is at most 8 bytes: they raise a stage-1 alignment fault as the port would.
 */
import type { Cpu } from '../cpu.js';
import { sext, type EncodingRow, type Handler } from '../decode.js';
import { Acc, Fsc, MemoryFault } from '../ports.js';
import { baseReg } from './common.js';
import { FEAT } from '../impl-defined.js';
import { LOAD_STORE_SPECS, singleOp, type SingleOp } from '../spec/loads-stores.js';
import { specRow } from '../spec/interp-sem.js';
import { ATOMIC_SPECS } from '../spec/atomics.js';

const MASK32 = 0xffff_ffffn;
/** Value masks by access size in bytes. */
const MASK = [0n, 0xffn, 0xffffn, 0n, MASK32, 0n, 0n, 0n, 0xffff_ffff_ffff_ffffn];

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------------------------

/** Sign-extension of a loaded value: 0 none (zero-extended), else the destination width (as spec/loads-stores.ts). */
const EXT_NONE = 0;
const EXT_32 = 32;
const EXT_64 = 64;

function extendLoaded(v: bigint, bytes: number, ext: number): bigint {
  if (ext === EXT_NONE) return v;
  const s = BigInt.asIntN(bytes * 8, v);
  return ext === EXT_32 ? BigInt.asUintN(32, s) : BigInt.asUintN(64, s);
}

/**
 * Raise the alignment fault a MemoryPort would raise for an aligned access of `bytes` at `va`, where the port does
 * not see that access: 16-byte pairs, and store-exclusives that fail without storing.
 */
function checkAligned(va: bigint, bytes: number, write: boolean): void {
  if ((va & BigInt(bytes - 1)) !== 0n) throw new MemoryFault(1, Fsc.Alignment, va, write);
}

const ISV = 1 << 24;
const ISS_SSE = 1 << 21;
const ISS_SF = 1 << 15;
const ISS_AR = 1 << 14;

/** ISS[24:14] without SRT for a single-register access of 2^`size` bytes. */
function issFor(size: number, ext: number, sf: boolean, ar: boolean): number {
  return ISV | (size << 22) | (ext !== EXT_NONE ? ISS_SSE : 0) | (sf ? ISS_SF : 0) | (ar ? ISS_AR : 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Load/store register: one general-purpose register
// ---------------------------------------------------------------------------------------------------------------

const STORE = 0;
const LOAD = 1;

/** Perform the access of a load/store register instruction at `addr`. */
function singleAccess(cpu: Cpu, kind: number, bytes: number, ext: number, t: number, addr: bigint, flags: number): void {
  if (kind === LOAD) {
    const v = cpu.mem.read(addr, bytes, flags);
    cpu.setXr(t, ext === EXT_NONE ? v : extendLoaded(v, bytes, ext));
  } else {
    const v = cpu.x[t]!;
    cpu.mem.write(addr, bytes, bytes === 8 ? v : v & MASK[bytes]!, flags | Acc.Write);
  }
}

const nop: Handler = () => {};

/**
 * LDTR/STTR (unprivileged): signed imm9, no writeback. At EL1 they check permissions (and, with MTE, tag-check
 * configuration) as at EL0, unless PSTATE.UAO = 1 (FEAT_UAO: AArch64.IsUnprivAccessPriv), which makes them ordinary
 * privileged accesses; at EL0 they are ordinary accesses. (The other forms of the class are specifications:
 * spec/loads-stores.ts.)
 */
function unprivileged(op: SingleOp): Handler {
  const { size, ext, iss } = op;
  const kind = op.load ? LOAD : STORE;
  const bytes = 1 << size;
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const base = baseReg(cpu, n);
    const addr = BigInt.asUintN(64, base + BigInt(sext((insn >>> 12) & 0x1ff, 9)));
    const flags = (n === 31 ? 0 : Acc.TagChecked) | (cpu.el === 1 && cpu.uao === 0 ? Acc.Unpriv : 0);
    cpu.dabtIss = iss | (t << 16);
    singleAccess(cpu, kind, bytes, ext, t, addr, flags);
  };
}

/** LDR (literal), LDRSW (literal), PRFM (literal): PC-relative, never tag checked. */
function literal(opc: number): Handler {
  if (opc === 3) return nop;
  const size = opc === 1 ? 3 : 2;
  const ext = opc === 2 ? EXT_64 : EXT_NONE;
  const bytes = 1 << size;
  const iss = issFor(size, ext, opc !== 0, false);
  return (cpu, insn) => {
    const t = insn & 31;
    const addr = BigInt.asUintN(64, cpu.pc + BigInt(sext((insn >>> 5) & 0x7ffff, 19) * 4));
    cpu.dabtIss = iss | (t << 16);
    const v = cpu.mem.read(addr, bytes, 0);
    cpu.setXr(t, ext === EXT_NONE ? v : extendLoaded(v, bytes, ext));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Load/store exclusive, load-acquire/store-release
// ---------------------------------------------------------------------------------------------------------------

/** Flags for an access that needs natural alignment, tag checked unless the base is SP. */
function alignedFlags(n: number): number {
  return n === 31 ? Acc.Aligned : Acc.Aligned | Acc.TagChecked;
}

/** LDXR/LDAXR (all sizes). */
function loadExclusive(size: number): Handler {
  const bytes = 1 << size;
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const addr = baseReg(cpu, n);
    const flags = alignedFlags(n);
    const v = cpu.mem.read(addr, bytes, flags);
    cpu.markExclusive(addr, bytes, flags);
    cpu.setXr(t, v);
  };
}

/**
 * Close the monitor and say whether a store-exclusive of `bytes` at `addr` passes. Alignment is checked first,
 * whatever the monitor state (AArch64.ExclusiveMonitorsPass).
 */
function exclusivePasses(cpu: Cpu, addr: bigint, bytes: number): boolean {
  checkAligned(addr, bytes, true);
  const pass = cpu.exclAddr === addr && cpu.exclSize === bytes;
  cpu.clearExclusive();
  return pass;
}

/** STXR/STLXR (all sizes): Ws = 0 on success, 1 on failure (no store). */
function storeExclusive(size: number): Handler {
  const bytes = 1 << size;
  const mask = MASK[bytes]!;
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const s = (insn >>> 16) & 31;
    const addr = baseReg(cpu, n);
    const v = cpu.x[t]! & mask;
    const pass = exclusivePasses(cpu, addr, bytes);
    if (pass) cpu.mem.write(addr, bytes, v, alignedFlags(n) | Acc.Write);
    cpu.setXr(s, pass ? 0n : 1n);
  };
}

/** LDXP/LDAXP: `bytes` 4 or 8 per register, aligned to the pair size. */
function loadExclusivePair(bytes: number): Handler {
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const t2 = (insn >>> 10) & 31;
    const addr = baseReg(cpu, n);
    const flags = alignedFlags(n);
    let v1: bigint;
    let v2: bigint;
    if (bytes === 4) {
      const v = cpu.mem.read(addr, 8, flags);
      v1 = v & MASK32;
      v2 = v >> 32n;
    } else {
      checkAligned(addr, 16, false);
      v1 = cpu.mem.read(addr, 8, flags);
      v2 = cpu.mem.read(BigInt.asUintN(64, addr + 8n), 8, flags);
    }
    cpu.markExclusive(addr, 2 * bytes, flags);
    cpu.setXr(t, v1);
    cpu.setXr(t2, v2);
  };
}

/** STXP/STLXP. */
function storeExclusivePair(bytes: number): Handler {
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const t2 = (insn >>> 10) & 31;
    const s = (insn >>> 16) & 31;
    const addr = baseReg(cpu, n);
    const v1 = cpu.x[t]!;
    const v2 = cpu.x[t2]!;
    const pass = exclusivePasses(cpu, addr, 2 * bytes);
    if (pass) {
      const flags = alignedFlags(n) | Acc.Write;
      if (bytes === 4) {
        cpu.mem.write(addr, 8, ((v2 & MASK32) << 32n) | (v1 & MASK32), flags);
      } else {
        cpu.mem.write(addr, 8, v1, flags);
        cpu.mem.write(BigInt.asUintN(64, addr + 8n), 8, v2, flags);
      }
    }
    cpu.setXr(s, pass ? 0n : 1n);
  };
}

/** LDAR/STLR (all sizes): aligned, with a valid syndrome that has AR set. */
function acquireRelease(load: boolean, size: number): Handler {
  const bytes = 1 << size;
  const kind = load ? LOAD : STORE;
  const iss = issFor(size, EXT_NONE, size === 3, true);
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const addr = baseReg(cpu, n);
    cpu.dabtIss = iss | (t << 16);
    singleAccess(cpu, kind, bytes, EXT_NONE, t, addr, alignedFlags(n));
  };
}

/**
 * LDAPUR, LDAPURS and STLUR (FEAT_LRCPC2): a signed 9-bit offset, no writeback, ordered. Without FEAT_LSE2 an ordered access
 * must be naturally aligned. opc: 0 STLUR, 1 LDAPUR, 2 LDAPURS to 64 bits, 3 LDAPURS to 32 bits.
 */
function orderedUnscaled(size: number, opc: number): Handler {
  const bytes = 1 << size;
  const kind = opc === 0 ? STORE : LOAD;
  const ext = opc === 2 ? EXT_64 : opc === 3 ? EXT_32 : EXT_NONE;
  const iss = issFor(size, ext, size === 3 || ext === EXT_64, true);
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const addr = BigInt.asUintN(64, baseReg(cpu, n) + BigInt(sext((insn >>> 12) & 0x1ff, 9)));
    cpu.dabtIss = iss | (t << 16);
    singleAccess(cpu, kind, bytes, ext, t, addr, alignedFlags(n));
  };
}

// ---------------------------------------------------------------------------------------------------------------
// LSE atomics
// ---------------------------------------------------------------------------------------------------------------

/** Flags of the read half of an atomic read-modify-write; the write half adds Acc.Write. */
function rmwFlags(n: number): number {
  return n === 31 ? Acc.ReadWrite | Acc.Aligned : Acc.ReadWrite | Acc.Aligned | Acc.TagChecked;
}

/** CAS/CASA/CASL/CASAL (all sizes): store Xt if memory equals Xs; Xs gets the old value either way. */
function compareAndSwap(size: number): Handler {
  const bytes = 1 << size;
  const mask = MASK[bytes]!;
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const s = (insn >>> 16) & 31;
    const addr = baseReg(cpu, n);
    const compare = cpu.x[s]! & mask;
    const next = cpu.x[t]! & mask;
    const flags = rmwFlags(n);
    // The read is checked for write permission too (Acc.ReadWrite), so a failed compare needs no write.
    const old = cpu.mem.read(addr, bytes, flags);
    if (old === compare) cpu.mem.write(addr, bytes, next, flags | Acc.Write);
    cpu.setXr(s, old);
  };
}

/** CASP/CASPA/CASPL/CASPAL: register pairs (Rs, Rs+1), (Rt, Rt+1); Rs and Rt even (odd ones do not decode). */
function compareAndSwapPair(bytes: number): Handler {
  return (cpu, insn) => {
    const t = insn & 31;
    const n = (insn >>> 5) & 31;
    const s = (insn >>> 16) & 31;
    const addr = baseReg(cpu, n);
    const flags = rmwFlags(n);
    const c1 = cpu.x[s]!;
    const c2 = cpu.x[s + 1]!;
    const n1 = cpu.x[t]!;
    const n2 = cpu.x[t + 1]!;
    let o1: bigint;
    let o2: bigint;
    if (bytes === 4) {
      const old = cpu.mem.read(addr, 8, flags);
      o1 = old & MASK32;
      o2 = old >> 32n;
      if (o1 === (c1 & MASK32) && o2 === (c2 & MASK32)) {
        cpu.mem.write(addr, 8, ((n2 & MASK32) << 32n) | (n1 & MASK32), flags | Acc.Write);
      }
    } else {
      checkAligned(addr, 16, false);
      const addr2 = BigInt.asUintN(64, addr + 8n);
      o1 = cpu.mem.read(addr, 8, flags);
      o2 = cpu.mem.read(addr2, 8, flags);
      if (o1 === c1 && o2 === c2) {
        cpu.mem.write(addr, 8, n1, flags | Acc.Write);
        cpu.mem.write(addr2, 8, n2, flags | Acc.Write);
      }
    }
    cpu.setXr(s, o1);
    cpu.setXr(s + 1, o2);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------------------------

const bin = (v: number, width: number): string => v.toString(2).padStart(width, '0');
const SIZE_SUFFIX = ['B', 'H', ' (32-bit)', ' (64-bit)'];

function buildTable(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  const row = (name: string, pattern: string, exec: Handler): void => {
    rows.push({ name, pattern, exec });
  };

  // Load/store exclusive register, ordered, compare and swap (bits [29:24] = 001000).
  for (let size = 0; size < 4; size++) {
    const sz = bin(size, 2);
    const sfx = SIZE_SUFFIX[size]!;
    // size 001000 o2=0 L o1=0 Rs o0 Rt2 Rn Rt; Rs (loads) and Rt2 are should-be-one, ignored.
    row(`STXR/STLXR${sfx}`, `${sz}001000 000 xxxxx x xxxxx xxxxx xxxxx`, storeExclusive(size));
    row(`LDXR/LDAXR${sfx}`, `${sz}001000 010 xxxxx x xxxxx xxxxx xxxxx`, loadExclusive(size));
    // size 001000 o2=1 L o1=0 Rs o0=1 Rt2: STLR/LDAR, Rs = Rt2 = 11111 (should-be-one; otherwise UNDEFINED).
    // o0 = 0 is STLLR/LDLAR (FEAT_LOR): with no LORegions, the same accesses and ordering as STLR/LDAR.
    row(`STLR${sfx}`, `${sz}001000 100 11111 1 11111 xxxxx xxxxx`, acquireRelease(false, size));
    row(`LDAR${sfx}`, `${sz}001000 110 11111 1 11111 xxxxx xxxxx`, acquireRelease(true, size));
    if (FEAT.LOR) {
      row(`STLLR${sfx}`, `${sz}001000 100 11111 0 11111 xxxxx xxxxx`, acquireRelease(false, size));
      row(`LDLAR${sfx}`, `${sz}001000 110 11111 0 11111 xxxxx xxxxx`, acquireRelease(true, size));
    }
    // size 001000 o2=1 L o1=1 Rs o0 11111: CAS, CASA (L), CASL (o0), CASAL.
    row(`CAS${sfx}`, `${sz}001000 1x1 xxxxx x 11111 xxxxx xxxxx`, compareAndSwap(size));
  }
  for (const sz of [0, 1]) {
    const bytes = 4 << sz;
    const sfx = sz === 0 ? ' (32-bit)' : ' (64-bit)';
    // 1 sz 001000 0 L 1 Rs o0 Rt2 Rn Rt: exclusive pairs.
    row(`STXP/STLXP${sfx}`, `1${sz}001000 001 xxxxx x xxxxx xxxxx xxxxx`, storeExclusivePair(bytes));
    row(`LDXP/LDAXP${sfx}`, `1${sz}001000 011 xxxxx x xxxxx xxxxx xxxxx`, loadExclusivePair(bytes));
    // 0 sz 001000 0 L 1 Rs o0 11111 Rn Rt: CASP*, with Rs<0> = Rt<0> = 0 (odd registers are UNDEFINED).
    row(`CASP${sfx}`, `0${sz}001000 0x1 xxxx0 x 11111 xxxxx xxxx0`, compareAndSwapPair(bytes));
  }

  // Load register (literal): opc 011 V=0 00 imm19 Rt. opc = 11 is PRFM (literal).
  const literalNames = ['LDR (literal, 32-bit)', 'LDR (literal, 64-bit)', 'LDRSW (literal)', 'PRFM (literal)'];
  for (let opc = 0; opc < 4; opc++) row(literalNames[opc]!, `${bin(opc, 2)}011000 xxxxxxxxxxxxxxxxxxx xxxxx`, literal(opc));

  // Load/store pair: specifications (spec/loads-stores.ts).
  rows.push(...LOAD_STORE_SPECS.pairs.map(specRow));

  // Load/store register classes: size 111 V=0 ...
  for (let size = 0; size < 4; size++) {
    for (let opc = 0; opc < 4; opc++) {
      const so = `${bin(size, 2)}111`;
      const o = bin(opc, 2);
      if (size === 3 && opc === 2) {
        // PRFM and PRFUM: prefetch hints, no access (no indexed or unprivileged forms: unallocated).
        row('PRFM (immediate, unsigned offset)', `${so}001 ${o} xxxxxxxxxxxx xxxxx xxxxx`, nop);
        row('PRFUM (unscaled)', `${so}000 ${o} 0 xxxxxxxxx 00 xxxxx xxxxx`, nop);
        // Register offset: option<1> = 0 is UNDEFINED.
        row('PRFM (register)', `${so}000 ${o} 1 xxxxx x1x x 10 xxxxx xxxxx`, nop);
        continue;
      }
      const op = singleOp(size as 0 | 1 | 2 | 3, opc);
      if (op === undefined) continue;
      // Unsigned immediate, unscaled immediate, register offset, post-index, pre-index: specifications.
      rows.push(...LOAD_STORE_SPECS.single[size]![opc]!.map(specRow));
      // Unprivileged: size 111 0 00 opc 0 imm9 10 Rn Rt.
      row(`${op.name.replace(/^(LD|ST)R/, '$1TR')} (unprivileged)`, `${so}000 ${o} 0 xxxxxxxxx 10 xxxxx xxxxx`, unprivileged(op));
    }
    // Atomic memory operations: size 111 0 00 A R 1 Rs o3 opc 00 Rn Rt. Implemented: o3 = 0 (LD<op>) and
    // o3 = 1, opc = 000 (SWP) and LDAPR (below). The rest of o3 = 1 (LD64B/ST64B*: FEAT_LS64; RCW*: FEAT_THE)
    // is UNDEFINED.
    const so = `${bin(size, 2)}111`;
    // LD<op> (by opc) and SWP: specifications (spec/atomics.ts).
    rows.push(...ATOMIC_SPECS[size]!.map(specRow));
    // LDAPR* (FEAT_LRCPC): size 111 0 00 1 0 1 11111 1 100 00 Rn Rt: a load-acquire with RCpc ordering, which a
    // single PE cannot tell apart from LDAR.
    row(`LDAPR${SIZE_SUFFIX[size]!}`, `${so}000 101 11111 1100 00 xxxxx xxxxx`, acquireRelease(true, size));
    // LDAPUR, LDAPURS, STLUR (FEAT_LRCPC2): size 011001 opc 0 imm9 00 Rn Rt; size 11 with opc 1x and size 10 with opc 11
    // are unallocated.
    for (let opc = 0; opc < 4; opc++) {
      if ((size === 3 && opc >= 2) || (size === 2 && opc === 3)) continue;
      const name = ['STLUR', 'LDAPUR', 'LDAPURS (64-bit)', 'LDAPURS (32-bit)'][opc]!;
      row(`${name}${SIZE_SUFFIX[size]!}`, `${bin(size, 2)}011001 ${bin(opc, 2)} 0 xxxxxxxxx 00 xxxxx xxxxx`, orderedUnscaled(size, opc));
    }
  }
  return rows;
}

export const LOADS_AND_STORES: readonly EncodingRow[] = buildTable();
