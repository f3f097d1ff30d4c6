/**
 * ELF64 little-endian AArch64 executables: the program headers a loader needs (PT_LOAD segments at their physical
 * address, p_filesz bytes from the file and zero fill up to p_memsz) and the entry point. Written from the ELF
 * specification (System V gABI) and its AArch64 supplement.
 */
import { hex, VmmError } from './errors.js';

export const EM_AARCH64 = 183;
export const ET_EXEC = 2;
export const PT_LOAD = 1;
const ELF_HEADER_SIZE = 64;
const PHDR_SIZE = 56;

/** One PT_LOAD segment. */
export interface ElfSegment {
  /** Physical load address (p_paddr), where QEMU and vmm-lite place it. */
  readonly paddr: number;
  /** Virtual address (p_vaddr), for information (a bigint: kernels link at high addresses). */
  readonly vaddr: bigint;
  /** The p_filesz bytes of the file. */
  readonly data: Uint8Array;
  /** p_memsz: bytes the segment occupies; those past `data` are zero. */
  readonly memsz: number;
  /** p_flags (PF_X 1, PF_W 2, PF_R 4). */
  readonly flags: number;
}

export interface ElfImage {
  readonly entry: number;
  readonly segments: readonly ElfSegment[];
}

/** Whether `bytes` starts with the ELF magic (\x7fELF). */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}

function num(v: bigint, what: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new VmmError(`invalid ELF: ${what} ${hex(v)} is too large`);
  return Number(v);
}

/**
 * Parse an ELF64 little-endian AArch64 executable. Throws {@link VmmError} for anything else: not ELF, 32-bit,
 * big-endian, another machine, not ET_EXEC, truncated headers or segments, p_filesz > p_memsz.
 */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (!isElf(bytes)) throw new VmmError('not an ELF file');
  if (bytes.length < ELF_HEADER_SIZE) throw new VmmError('invalid ELF: file is shorter than the ELF header');
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 2) throw new VmmError(`unsupported ELF: ${cls === 1 ? 'ELF32' : `class ${cls}`}, expected ELF64 (AArch64)`);
  if (data !== 1) throw new VmmError(`unsupported ELF: ${data === 2 ? 'big-endian' : `data encoding ${data}`}, expected little-endian`);
  if (bytes[6] !== 1) throw new VmmError(`invalid ELF: EI_VERSION ${bytes[6]}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_AARCH64) throw new VmmError(`unsupported ELF: machine ${machine}, expected AArch64 (${EM_AARCH64})`);
  if (type !== ET_EXEC) throw new VmmError(`unsupported ELF: type ${type}, expected an executable (ET_EXEC)`);
  const entry = num(dv.getBigUint64(24, true), 'entry point');
  const phoff = num(dv.getBigUint64(32, true), 'e_phoff');
  const phentsize = dv.getUint16(54, true);
  const phnum = dv.getUint16(56, true);
  if (phnum === 0) throw new VmmError('invalid ELF: no program headers');
  if (phentsize < PHDR_SIZE) throw new VmmError(`invalid ELF: e_phentsize ${phentsize} < ${PHDR_SIZE}`);
  if (phoff + phnum * phentsize > bytes.length) throw new VmmError('invalid ELF: program headers lie beyond the end of the file');
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (dv.getUint32(o, true) !== PT_LOAD) continue;
    const flags = dv.getUint32(o + 4, true);
    const offset = num(dv.getBigUint64(o + 8, true), `segment ${i} p_offset`);
    const vaddr = dv.getBigUint64(o + 16, true);
    const paddr = num(dv.getBigUint64(o + 24, true), `segment ${i} p_paddr`);
    const filesz = num(dv.getBigUint64(o + 32, true), `segment ${i} p_filesz`);
    const memsz = num(dv.getBigUint64(o + 40, true), `segment ${i} p_memsz`);
    if (filesz > memsz) throw new VmmError(`invalid ELF: segment ${i} has p_filesz ${hex(filesz)} > p_memsz ${hex(memsz)}`);
    if (offset + filesz > bytes.length) throw new VmmError(`invalid ELF: segment ${i} lies beyond the end of the file`);
    if (memsz === 0) continue;
    segments.push({ paddr, vaddr, data: bytes.subarray(offset, offset + filesz), memsz, flags });
  }
  if (segments.length === 0) throw new VmmError('invalid ELF: no loadable (PT_LOAD) segments');
  return { entry, segments };
}
