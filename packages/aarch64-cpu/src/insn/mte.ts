/**
 * The MTE instructions (FEAT_MTE, FEAT_MTE2), independent of the class files: each group's rows are exported here and
 * decode-a64.ts puts them ahead of that group's general rows. Before MTE these encodings matched no row (UNDEFINED),
 * so nothing else is shadowed.
 *
 * - Data processing (immediate), "Add/subtract (immediate, with tags)": ADDG, SUBG.
 * - Data processing (register), "Data-processing (2 source)": SUBP, SUBPS (CMPP), IRG, GMI.
 * - Loads and stores, "Load/store memory tags": STG, STZG, ST2G, STZ2G (post-index, pre-index, signed offset), LDG,
 *   STZGM, STGM, LDGM; "Load/store register pair" with opc = 01, L = 0: STGP (post-index, signed offset, pre-index).
 * - DC GVA and DC GZVA are SYS operations (insn/branches-exceptions-system-sys.ts calls {@link dcGva} here); MSR TCO
 *   and the MTE registers are handled by the MRS/MSR code (branches-exceptions-system-sysreg.ts).
 *
 * Gating by this CPU's ID_AA64PFR1_EL1.MTE ({@link mteLevel}, checked at run time: the decode cache is shared by all
 * CPUs): level 0 makes every instruction here UNDEFINED; level 1 (FEAT_MTE) has all of them except LDGM, STGM and
 * STZGM (FEAT_MTE2), with no tag storage: AllocationTagAccessIsEnabled is FALSE, so the instructions behave as with
 * tag access disabled. With tag access disabled (MTE < 2, HCR_EL2.ATA = 0, or SCTLR_EL1.ATA/ATA0 = 0):
 * IRG, ADDG, SUBG insert tag 0; LDG and LDGM translate (and may fault) but read tag 0; tag stores (STG, ST2G, STGM,
 * STGP's tag, DC GVA) check alignment and translate as a store but write no tag; the Z forms still zero the data.
 *
 * Every access made here is unchecked (SetTagCheckedInstruction(FALSE)): no Acc.TagChecked flag.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow } from '../decode.js';
import { DCZVA_BLOCK_BYTES, IMPL } from '../impl-defined.js';
import { logicalTag, mteLevel, tagAccessEnabled } from '../mte.js';
import { Acc, Fsc, MemoryFault } from '../ports.js';
import { SysReg } from '../sysregs.js';
import { undefinedInstruction as undef } from '../undefined.js';
import { addWithCarry, baseReg, sext64 } from './common.js';

const TAG_MASK = 0xfn << 56n;
const MASK64 = 0xffff_ffff_ffff_ffffn;
/** LDGM/STGM block: 4 << GMID_EL1.BS bytes. */
export const GM_BLOCK_BYTES = 4 << Number(IMPL.GMID_EL1 & 0xfn);

// ---- shared pseudocode ----

/** AArch64.AddressWithAllocationTag: `address` with bits [59:56] replaced by `tag`. */
export function addressWithTag(address: bigint, tag: number): bigint {
  return (address & ~TAG_MASK) | (BigInt(tag) << 56n);
}

/**
 * AArch64.ChooseNonExcludedTag(tag, offset, exclude): all 16 tags excluded → 0; offset 0 → the first non-excluded
 * tag from `tag` on; otherwise step `offset` times to the next non-excluded tag, modulo 16.
 */
export function chooseNonExcludedTag(tag: number, offset: number, exclude: number): number {
  if ((exclude & 0xffff) === 0xffff) return 0;
  let t = tag & 0xf;
  if (offset === 0) {
    while ((exclude >> t) & 1) t = (t + 1) & 0xf;
  }
  for (let o = offset & 0xf; o !== 0; o--) {
    t = (t + 1) & 0xf;
    while ((exclude >> t) & 1) t = (t + 1) & 0xf;
  }
  return t;
}

/**
 * AArch64.RandomTag: four steps of the 16-bit LFSR in RGSR_EL1.SEED (x^16 + x^14 + x^13 + x^11 + 1: the new top bit
 * is SEED<5> ^ SEED<3> ^ SEED<2> ^ SEED<0>), bit i of the result being the i-th new bit. Returns the tag and the
 * new seed.
 */
export function randomTag(seed: number): { offset: number; seed: number } {
  let s = seed & 0xffff;
  let offset = 0;
  for (let i = 0; i < 4; i++) {
    const top = ((s >> 5) ^ (s >> 3) ^ (s >> 2) ^ s) & 1;
    s = (top << 15) | (s >> 1);
    offset |= top << i;
  }
  return { offset, seed: s };
}

/** GCR_EL1.Exclude. */
function gcrExclude(cpu: Cpu): number {
  return Number(cpu.sys[SysReg.GCR_EL1]! & 0xffffn);
}

/** A non-zero 16-bit seed from the host (the GCR_EL1.RRND = 1 case with RGSR_EL1.SEED = 0, see {@link irg}). */
function hostSeed(): number {
  let s = 0;
  while (s === 0) s = Math.floor(Math.random() * 0x10000) & 0xffff;
  return s;
}

/** FEAT_MTE: UNDEFINED unless this CPU's ID_AA64PFR1_EL1.MTE >= 1. */
function needMte(cpu: Cpu): void {
  if (mteLevel(cpu) === 0) undef();
}

/** FEAT_MTE2 instructions that are UNDEFINED at EL0 (LDGM, STGM, STZGM). */
function needMte2El1(cpu: Cpu): void {
  if (mteLevel(cpu) < 2 || cpu.el === 0) undef();
}

/** Tag stores must be 16-byte aligned: a stage-1 Alignment fault (a write) otherwise, before any translation. */
function checkGranuleAligned(address: bigint): void {
  if ((address & 15n) !== 0n) throw new MemoryFault(1, Fsc.Alignment, address, true);
}

/**
 * AArch64.MemTag[address] = tag: with tag access enabled the port writes the tag (ignored for memory that is not
 * Tagged Normal); disabled, the address is still translated as a store (faults) and no tag is written.
 */
function storeTag(cpu: Cpu, address: bigint, tag: number, enabled: boolean): void {
  const mem = cpu.mem;
  if (enabled) mem.writeTag(address, tag, Acc.Write);
  else if (mem.probe) mem.probe(address, Acc.Write);
  else mem.writeTag(address, mem.readTag(address, 0), Acc.Write);
}

/** AArch64.MemTag[address] (read): translated as a load; tag 0 when tag access is disabled. */
function loadTag(cpu: Cpu, address: bigint, enabled: boolean): number {
  const tag = cpu.mem.readTag(address, 0);
  return enabled ? tag : 0;
}

/** Zero `bytes` (a multiple of 8) of data at `address`: unchecked 8-byte stores. */
function zeroData(cpu: Cpu, address: bigint, bytes: number): void {
  for (let i = 0; i < bytes; i += 8) cpu.mem.write(BigInt.asUintN(64, address + BigInt(i)), 8, 0n, Acc.Write);
}

// ---- data processing ----

/** ADDG/SUBG <Xd|SP>, <Xn|SP>, #uimm6*16, #uimm4: `1 op 0 100011 0 uimm6 00 uimm4 Xn Xd`. */
function addgSubg(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const sub = (insn & (1 << 30)) !== 0;
  const offset = BigInt(((insn >>> 16) & 0x3f) << 4);
  const tagOffset = (insn >>> 10) & 0xf;
  const n = (insn >>> 5) & 31;
  const operand = cpu.xs(n);
  const rtag = tagAccessEnabled(cpu, cpu.el) ? chooseNonExcludedTag(logicalTag(operand), tagOffset, gcrExclude(cpu)) : 0;
  const result = BigInt.asUintN(64, sub ? operand - offset : operand + offset);
  cpu.setXs(insn & 31, addressWithTag(result, rtag));
}

/** SUBP/SUBPS <Xd>, <Xn|SP>, <Xm|SP>: the 56-bit sign-extended difference; SUBPS sets NZCV (CMPP: Xd = XZR). */
function subp(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const setFlags = (insn & (1 << 29)) !== 0;
  const a = sext64(cpu.xs((insn >>> 5) & 31), 56);
  const b = sext64(cpu.xs((insn >>> 16) & 31), 56);
  cpu.setXr(insn & 31, addWithCarry(cpu, a, b ^ MASK64, 1, 64, setFlags));
}

/**
 * IRG <Xd|SP>, <Xn|SP>{, <Xm>}: Xn with a random tag not in Xm[15:0] | GCR_EL1.Exclude. With GCR_EL1.RRND = 0 the
 * tag is RGSR_EL1-based (RandomTag from SEED, ChooseNonExcludedTag from TAG, RGSR_EL1.TAG = the result). RRND = 1
 * selects an IMPLEMENTATION DEFINED generator: as QEMU, the model keeps the same algorithm, except that a SEED of 0
 * (which software need not set with RRND = 1, and which would make the LFSR stick at 0) is first replaced by a
 * non-zero value from the host. RGSR_EL1 is written as TAG | SEED << 8 (its other bits are RES0).
 * With tag access disabled the tag is 0 and RGSR_EL1 is unchanged.
 */
function irg(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const operand = cpu.xs((insn >>> 5) & 31);
  let rtag = 0;
  if (tagAccessEnabled(cpu, cpu.el)) {
    const sys = cpu.sys;
    const gcr = sys[SysReg.GCR_EL1]!;
    const exclude = Number((cpu.xr((insn >>> 16) & 31) | gcr) & 0xffffn);
    const rgsr = Number(sys[SysReg.RGSR_EL1]! & 0xff_ffffn);
    let seed = rgsr >>> 8;
    if (seed === 0 && (gcr & (1n << 16n)) !== 0n) seed = hostSeed();
    const r = randomTag(seed);
    rtag = chooseNonExcludedTag(rgsr & 0xf, r.offset, exclude);
    sys[SysReg.RGSR_EL1] = BigInt(rtag | (r.seed << 8));
  }
  cpu.setXs(insn & 31, addressWithTag(operand, rtag));
}

/** GMI <Xd>, <Xn|SP>, <Xm>: Xm with bit (Xn's logical tag) set. */
function gmi(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const tag = logicalTag(cpu.xs((insn >>> 5) & 31));
  cpu.setXr(insn & 31, cpu.xr((insn >>> 16) & 31) | (1n << BigInt(tag)));
}

// ---- tag loads and stores ----

/** Addressing of the STG family: op2 (insn bits [11:10]) 01 post-index, 10 signed offset, 11 pre-index. */
function stgAddress(cpu: Cpu, insn: number): { address: bigint; wb: bigint | undefined } {
  const n = (insn >>> 5) & 31;
  const op2 = (insn >>> 10) & 3;
  const offset = BigInt((((insn >>> 12) & 0x1ff) << 23) >> 19); // SignExtend(imm9) << 4
  const base = baseReg(cpu, n);
  const moved = BigInt.asUintN(64, base + offset);
  if (op2 === 2) return { address: moved, wb: undefined };
  return { address: op2 === 1 ? base : moved, wb: moved };
}

/**
 * STG, STZG, ST2G, STZ2G <Xt|SP>, [<Xn|SP>...]: `11011001 opc 1 imm9 op2 Xn Xt`, opc 00 STG, 01 STZG, 10 ST2G,
 * 11 STZ2G. The address must be 16-byte aligned; the tag is Xt[59:56] (Xt = 31 is SP); the Z forms zero the data
 * of each granule before writing its tag.
 */
function stg(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const opc = (insn >>> 22) & 3;
  const t = insn & 31;
  const tag = logicalTag(cpu.xs(t));
  const { address, wb } = stgAddress(cpu, insn);
  checkGranuleAligned(address);
  const enabled = tagAccessEnabled(cpu, cpu.el);
  const granules = opc >= 2 ? 2 : 1;
  const zero = (opc & 1) !== 0;
  if (zero) zeroData(cpu, address, 16 * granules);
  for (let g = 0; g < granules; g++) storeTag(cpu, BigInt.asUintN(64, address + BigInt(16 * g)), tag, enabled);
  if (wb !== undefined) cpu.setXs((insn >>> 5) & 31, wb);
}

/** LDG <Xt>, [<Xn|SP>{, #simm9*16}]: Xt[59:56] = the allocation tag of the granule (address aligned down to 16). */
function ldg(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const t = insn & 31;
  const offset = BigInt((((insn >>> 12) & 0x1ff) << 23) >> 19);
  const address = BigInt.asUintN(64, baseReg(cpu, (insn >>> 5) & 31) + offset) & ~15n;
  const tag = loadTag(cpu, address, tagAccessEnabled(cpu, cpu.el));
  cpu.setXr(t, addressWithTag(cpu.xr(t), tag));
}

/** The GMID_EL1-sized block containing Xn (LDGM, STGM). */
function gmBlock(cpu: Cpu, insn: number): bigint {
  return baseReg(cpu, (insn >>> 5) & 31) & ~BigInt(GM_BLOCK_BYTES - 1);
}

/** LDGM <Xt>, [<Xn|SP>]: the tags of the GMID block, 4 bits per granule at position (address >> 4) mod 16. */
function ldgm(cpu: Cpu, insn: number): void {
  needMte2El1(cpu);
  let address = gmBlock(cpu, insn);
  const enabled = tagAccessEnabled(cpu, cpu.el);
  let data = 0n;
  for (let i = 0; i < GM_BLOCK_BYTES >> 4; i++) {
    const index = Number((address >> 4n) & 15n);
    data |= BigInt(loadTag(cpu, address, enabled)) << BigInt(4 * index);
    address += 16n;
  }
  cpu.setXr(insn & 31, data);
}

/** STGM <Xt>, [<Xn|SP>]: the tags of the GMID block from Xt, 4 bits per granule at (address >> 4) mod 16. */
function stgm(cpu: Cpu, insn: number): void {
  needMte2El1(cpu);
  const data = cpu.xr(insn & 31);
  let address = gmBlock(cpu, insn);
  const enabled = tagAccessEnabled(cpu, cpu.el);
  for (let i = 0; i < GM_BLOCK_BYTES >> 4; i++) {
    const index = (address >> 4n) & 15n;
    storeTag(cpu, address, Number((data >> (4n * index)) & 0xfn), enabled);
    address += 16n;
  }
}

/**
 * STZGM <Xt>, [<Xn|SP>]: zero the DCZID_EL0-sized block containing Xn and set each of its granules' tags to
 * Xt[3:0] (the tag is in the low bits here, not in [59:56]).
 */
function stzgm(cpu: Cpu, insn: number): void {
  needMte2El1(cpu);
  const tag = Number(cpu.xr(insn & 31) & 0xfn);
  const block = baseReg(cpu, (insn >>> 5) & 31) & ~BigInt(DCZVA_BLOCK_BYTES - 1);
  const enabled = tagAccessEnabled(cpu, cpu.el);
  zeroData(cpu, block, DCZVA_BLOCK_BYTES);
  if (!enabled) return; // the data stores translated the block already
  for (let a = 0; a < DCZVA_BLOCK_BYTES; a += 16) storeTag(cpu, block + BigInt(a), tag, true);
}

/**
 * STGP <Xt1>, <Xt2>, [<Xn|SP>...]: `0110100 op 0 simm7 Xt2 Xn Xt1`, bits [24:23] 01 post-index, 10 signed offset,
 * 11 pre-index, offset simm7 << 4. Stores the pair (unchecked) and sets the granule's tag to the address's logical
 * tag; the address must be 16-byte aligned.
 */
function stgp(cpu: Cpu, insn: number): void {
  needMte(cpu);
  const mode = (insn >>> 23) & 3;
  const n = (insn >>> 5) & 31;
  const offset = BigInt((((insn >>> 15) & 0x7f) << 25) >> 21); // SignExtend(simm7) << 4
  const d1 = cpu.xr(insn & 31);
  const d2 = cpu.xr((insn >>> 10) & 31);
  const base = baseReg(cpu, n);
  const moved = BigInt.asUintN(64, base + offset);
  const address = mode === 1 ? base : moved;
  checkGranuleAligned(address);
  cpu.mem.write(address, 8, d1, Acc.Write);
  cpu.mem.write(BigInt.asUintN(64, address + 8n), 8, d2, Acc.Write);
  storeTag(cpu, address, logicalTag(address), tagAccessEnabled(cpu, cpu.el));
  if (mode !== 2) cpu.setXs(n, moved);
}

// ---- DC GVA, DC GZVA ----

/**
 * DC GVA / DC GZVA, Xt (called by the SYS handler after its EL0 and EL2 trap checks): set the tags of the
 * DCZID_EL0-sized block containing Xt to Xt[59:56]; GZVA first zeroes the block's data. With tag access disabled
 * GVA only translates (as a store) and GZVA only zeroes.
 */
export function dcGva(cpu: Cpu, xt: bigint, zero: boolean): void {
  const block = xt & ~BigInt(DCZVA_BLOCK_BYTES - 1);
  const tag = logicalTag(xt);
  const enabled = tagAccessEnabled(cpu, cpu.el);
  if (zero) {
    zeroData(cpu, block, DCZVA_BLOCK_BYTES);
    if (!enabled) return;
  }
  for (let a = 0; a < DCZVA_BLOCK_BYTES; a += 16) storeTag(cpu, block + BigInt(a), tag, enabled);
}

// ---- rows ----

/** Rows for the Data Processing -- Immediate group. */
export const MTE_DATA_PROCESSING_IMMEDIATE: readonly EncodingRow[] = [
  { name: 'ADDG', pattern: '1 0 0 100011 0 uuuuuu 00 iiii nnnnn ddddd', exec: addgSubg },
  { name: 'SUBG', pattern: '1 1 0 100011 0 uuuuuu 00 iiii nnnnn ddddd', exec: addgSubg },
];

/** Rows for the Data Processing -- Register group (Data-processing (2 source), sf = 1). */
export const MTE_DATA_PROCESSING_REGISTER: readonly EncodingRow[] = [
  { name: 'SUBP', pattern: '1 0 0 11010110 mmmmm 000000 nnnnn ddddd', exec: subp },
  { name: 'SUBPS (CMPP)', pattern: '1 0 1 11010110 mmmmm 000000 nnnnn ddddd', exec: subp },
  { name: 'IRG', pattern: '1 0 0 11010110 mmmmm 000100 nnnnn ddddd', exec: irg },
  { name: 'GMI', pattern: '1 0 0 11010110 mmmmm 000101 nnnnn ddddd', exec: gmi },
];

const STG_NAMES = ['STG', 'STZG', 'ST2G', 'STZ2G'] as const;
const OPC = ['00', '01', '10', '11'] as const;
const INDEX = [['01', 'post-index'], ['11', 'pre-index'], ['10', 'signed offset']] as const;

/** Rows for the Loads and Stores group. */
export const MTE_LOADS_AND_STORES: readonly EncodingRow[] = [
  // Load/store memory tags: 11011001 opc 1 imm9 op2 Xn Xt. op2 = 00: STZGM, LDG, STGM, LDGM (the multiple forms
  // need imm9 = 0, otherwise unallocated: no row).
  { name: 'STZGM', pattern: '11011001 00 1 000000000 00 nnnnn ttttt', exec: stzgm },
  { name: 'LDG', pattern: '11011001 01 1 iiiiiiiii 00 nnnnn ttttt', exec: ldg },
  { name: 'STGM', pattern: '11011001 10 1 000000000 00 nnnnn ttttt', exec: stgm },
  { name: 'LDGM', pattern: '11011001 11 1 000000000 00 nnnnn ttttt', exec: ldgm },
  ...STG_NAMES.flatMap((name, opc) => INDEX.map(([op2, form]) =>
    ({ name: `${name} (${form})`, pattern: `11011001 ${OPC[opc]} 1 iiiiiiiii ${op2} nnnnn ttttt`, exec: stg }))),
  // Load/store register pair, opc = 01, V = 0, L = 0: STGP.
  { name: 'STGP (post-index)', pattern: '01 101 0 001 0 iiiiiii uuuuu nnnnn ttttt', exec: stgp },
  { name: 'STGP (signed offset)', pattern: '01 101 0 010 0 iiiiiii uuuuu nnnnn ttttt', exec: stgp },
  { name: 'STGP (pre-index)', pattern: '01 101 0 011 0 iiiiiii uuuuu nnnnn ttttt', exec: stgp },
];
