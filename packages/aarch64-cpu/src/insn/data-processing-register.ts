/**
 * A64 instruction class "Data processing -- register" (Arm ARM C4.1.95; op0 bits [27:25] = 101): logical (shifted
 * register), add/subtract (shifted and extended register), add/subtract with carry, conditional compare,
 * conditional select, and data-processing with one, two and three sources. Every row but CRC32 is a specification
(spec/dp-register.ts), from which its handler here and its WebAssembly translation are derived; CRC32 is a handler
(the WebAssembly tier calls it).
 *
 * Not implemented, and so UNDEFINED because no row matches them (or, for reserved field values inside an
 * implemented row, because its decode rejects them):
 * - SUBP, SUBPS, IRG, GMI (Data-processing (2 source), FEAT_MTE): not in this table; insn/mte.ts decodes them.
 * - PACGA and the Data-processing (1 source) PAC/AUT/XPAC group: pointer authentication is not implemented.
 * - RMIF, SETF8, SETF16: FEAT_FlagM is not advertised.
 * - ABS, CNT, CTZ, SMAX, SMIN, UMAX, UMIN (register): FEAT_CSSC is not advertised.
 * - ADDPT, SUBPT, MADDPT, MSUBPT: FEAT_CPA is not implemented.
 *
 * Register 31 is XZR for every operand here except Rd (when not setting flags) and Rn of ADD/SUB (extended
 * register), which are SP.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow, Handler } from '../decode.js';
import { DP_REGISTER_SPECS } from '../spec/dp-register.js';
import { specRow } from '../spec/interp-sem.js';
import type { AnyInsnSpec } from '../spec/spec.js';

// ---------------------------------------------------------------------------------------------------------------
// CRC32 (Data-processing (2 source)): sf 0 0 11010110 Rm 010 C sz Rn Rd

/** Reverse the bits of a 32-bit Number. */
function rbit32(x: number): number {
  x = ((x >>> 1) & 0x5555_5555) | ((x & 0x5555_5555) << 1);
  x = ((x >>> 2) & 0x3333_3333) | ((x & 0x3333_3333) << 2);
  x = ((x >>> 4) & 0x0f0f_0f0f) | ((x & 0x0f0f_0f0f) << 4);
  x = ((x >>> 8) & 0x00ff_00ff) | ((x & 0x00ff_00ff) << 8);
  return ((x >>> 16) | (x << 16)) >>> 0;
}

/**
 * CRC32 and CRC32C. The pseudocode's BitReverse(Poly32Mod2(BitReverse(acc):Zeros(size) EOR
 * BitReverse(val):Zeros(32), poly)) is the bit-reflected CRC of `val` (least significant byte first) starting from
 * `acc`, with no pre- or post-inversion. These tables hold the remainder of each byte in that reflected form, with
 * the polynomials 0x04C11DB7 and 0x1EDC6F41 bit-reversed.
 */
function crcTable(poly: number): Uint32Array {
  const reflected = rbit32(poly);
  const table = new Uint32Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = (c & 1) !== 0 ? (c >>> 1) ^ reflected : c >>> 1;
    table[b] = c >>> 0;
  }
  return table;
}
const CRC32_TABLE = crcTable(0x04c1_1db7);
const CRC32C_TABLE = crcTable(0x1edc_6f41);

/** Fold `bytes` bytes of `val` (least significant first) into the reflected CRC `acc`. */
function crcBytes(table: Uint32Array, acc: number, val: number, bytes: number): number {
  for (let i = 0; i < bytes; i++) {
    acc = table[(acc ^ val) & 0xff]! ^ (acc >>> 8);
    val >>>= 8;
  }
  return acc >>> 0;
}

/** CRC32{B,H,W,X} and CRC32C{B,H,W,X}: `bytes` is 1 << sz. */
function crc32(cpu: Cpu, insn: number, table: Uint32Array, bytes: number): void {
  const acc = Number(cpu.xr((insn >>> 5) & 31) & 0xffff_ffffn);
  const val = cpu.xr((insn >>> 16) & 31);
  let r: number;
  if (bytes === 8) r = crcBytes(table, crcBytes(table, acc, Number(val & 0xffff_ffffn), 4), Number(val >> 32n), 4);
  else r = crcBytes(table, acc, Number(val & 0xffff_ffffn), bytes);
  cpu.setXr(insn & 31, BigInt(r));
}

const CRC32B: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 1);
const CRC32H: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 2);
const CRC32W: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 4);
const CRC32X: Handler = (cpu, insn) => crc32(cpu, insn, CRC32_TABLE, 8);
const CRC32CB: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 1);
const CRC32CH: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 2);
const CRC32CW: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 4);
const CRC32CX: Handler = (cpu, insn) => crc32(cpu, insn, CRC32C_TABLE, 8);

// ---------------------------------------------------------------------------------------------------------------

const rows = (specs: readonly AnyInsnSpec[]): EncodingRow[] => specs.map(specRow);
const S = DP_REGISTER_SPECS;

/**
 * The class's rows in decode order (spec/dp-register.ts notes the unallocated encodings of each group; SUBP, SUBPS,
 * IRG and GMI are decoded by insn/mte.ts ahead of these).
 */
export const DATA_PROCESSING_REGISTER: readonly EncodingRow[] = [
  ...rows(S.logical), ...rows(S.addSub), ...rows(S.carry), ...rows(S.condCompare), ...rows(S.condSelect),
  ...rows(S.twoSource),
  // CRC32: sz = 11 needs sf = 1, and sf = 1 needs sz = 11.
  { name: 'CRC32B', pattern: '0 0 0 11010110 mmmmm 010000 nnnnn ddddd', exec: CRC32B },
  { name: 'CRC32H', pattern: '0 0 0 11010110 mmmmm 010001 nnnnn ddddd', exec: CRC32H },
  { name: 'CRC32W', pattern: '0 0 0 11010110 mmmmm 010010 nnnnn ddddd', exec: CRC32W },
  { name: 'CRC32X', pattern: '1 0 0 11010110 mmmmm 010011 nnnnn ddddd', exec: CRC32X },
  { name: 'CRC32CB', pattern: '0 0 0 11010110 mmmmm 010100 nnnnn ddddd', exec: CRC32CB },
  { name: 'CRC32CH', pattern: '0 0 0 11010110 mmmmm 010101 nnnnn ddddd', exec: CRC32CH },
  { name: 'CRC32CW', pattern: '0 0 0 11010110 mmmmm 010110 nnnnn ddddd', exec: CRC32CW },
  { name: 'CRC32CX', pattern: '1 0 0 11010110 mmmmm 010111 nnnnn ddddd', exec: CRC32CX },
  ...rows(S.oneSource), ...rows(S.threeSource),
];
