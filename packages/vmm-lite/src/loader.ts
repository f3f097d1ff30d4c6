/**
 * Where the kernel, initrd and device tree go in guest RAM, and the registers the boot CPU starts with: QEMU 10's
 * `-kernel` rules for the virt board, as measured on qemu-system-aarch64 10.0.2 (see README.md, "Loading").
 *
 * - ELF64 AArch64 executable: each PT_LOAD segment at its p_paddr; PC = e_entry; x0..x3 = 0 (QEMU does not pass a
 *   device tree pointer to an ELF). The device tree goes at the start of RAM only when the ELF leaves the first
 *   1 MiB of RAM free (QEMU reserves its 1 MiB device-tree buffer there); otherwise the guest gets none.
 *   An initrd is refused (QEMU ignores -initrd for an ELF; vmm-lite says so instead).
 * - Anything else is a Linux arm64 Image or a raw binary (gzip-compressed ones are decompressed first):
 *   - with the Image magic and image_size != 0: at RAM + text_offset, or RAM + 2 MiB + text_offset when
 *     text_offset < 4 KiB (QEMU keeps the bottom page for its boot stub);
 *   - otherwise (raw binary, or an Image from before Linux 3.17): at RAM + 0x80000.
 *   PC = the load address, x0 = the device tree's address, x1 = x2 = x3 = 0, x4 = the entry (QEMU's boot stub
 *   leaves it there). The kernel is taken to end at load + image_size (or + the file size without one); the initrd
 *   starts at the first page at or above max(RAM + min(RAM size / 2, 128 MiB), kernel end); the device tree at the
 *   first 2 MiB boundary at or after the initrd's end (or that start, without an initrd).
 */
import { hex, MiB, VmmError } from './errors.js';
import { isElf, parseElf } from './elf.js';
import { gunzipKernel, isGzip, parseArm64ImageHeader } from './image.js';
import type { Platform } from './platform.js';
import { formatSize } from './size.js';

export type KernelFormat = 'elf' | 'image' | 'raw';

/** A block of guest RAM to fill: `data` at `addr`, then zeroes up to `size` bytes. */
export interface LoadChunk {
  readonly addr: number;
  readonly data: Uint8Array;
  readonly size: number;
}

export interface RamRange {
  readonly base: number;
  readonly size: number;
}

export interface BootLayout {
  readonly format: KernelFormat;
  /** The kernel file was gzip-compressed. */
  readonly gzip: boolean;
  /** Where the boot CPU starts. */
  readonly entry: number;
  /** The kernel's bytes to place in RAM. */
  readonly chunks: readonly LoadChunk[];
  /** End of the kernel as the placement rules see it (load + image_size, or the last segment's end). */
  readonly kernelEnd: number;
  /** The initrd's place, when one was given. */
  readonly initrd: { readonly start: number; readonly end: number } | undefined;
  /** The device tree's address, or undefined when the guest gets none (an ELF that leaves no room below it). */
  readonly dtbAddr: number | undefined;
  /** x0..x4 at entry. */
  readonly regs: readonly [number, number, number, number, number];
}

/** Start of RAM on the virt board. */
export const VIRT_RAM_BASE = 0x4000_0000;
/** Where a raw binary (or an Image without image_size) goes: RAM + 512 KiB (QEMU's KERNEL64_LOAD_ADDR). */
export const RAW_LOAD_OFFSET = 0x8_0000;
/** QEMU keeps RAM's first 4 KiB for its boot stub: an Image asking for a smaller text_offset moves up 2 MiB. */
export const BOOT_STUB_RESERVED = 4096;
/** The space QEMU's device tree buffer takes (its totalsize): an ELF must leave this much free at RAM's start. */
export const QEMU_DTB_RESERVED = 1 * MiB;
/** Alignment of the device tree after a Linux kernel / initrd (QEMU: 2 MiB for AArch64). */
export const DTB_ALIGN = 2 * MiB;
/** The initrd goes at most this far into RAM (or at half of RAM, if less). */
export const INITRD_MAX_OFFSET = 128 * MiB;
const PAGE = 4096;

const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

function ramText(ram: RamRange): string {
  return `${formatSize(ram.size)} of RAM at ${hex(ram.base)}`;
}

/** Detect the kernel's format (after decompressing a gzip file with `platform`'s gunzip: see platform.ts). */
export function detectKernel(kernel: Uint8Array, platform?: Platform): { format: KernelFormat; bytes: Uint8Array; gzip: boolean } {
  if (kernel.length === 0) throw new VmmError('the kernel image is empty');
  if (isElf(kernel)) return { format: 'elf', bytes: kernel, gzip: false };
  const gzip = isGzip(kernel);
  const bytes = gzip ? gunzipKernel(kernel, platform) : kernel;
  if (gzip && bytes.length === 0) throw new VmmError('the kernel image is empty after decompression');
  return { format: parseArm64ImageHeader(bytes) ? 'image' : 'raw', bytes, gzip };
}

/**
 * Plan the boot: parse the kernel and place it, the initrd (`initrdSize` bytes, if given) and the device tree
 * (`dtbSize` bytes). Throws {@link VmmError} when the kernel is invalid or something does not fit in RAM. A gzip file
 * is decompressed with `platform`'s gunzip (default: defaultPlatform(), see platform.ts).
 */
export function planBoot(kernel: Uint8Array, ram: RamRange, opts: { dtbSize: number; initrdSize?: number; platform?: Platform }): BootLayout {
  const ramEnd = ram.base + ram.size;
  const { format, bytes, gzip } = detectKernel(kernel, opts.platform);
  if (format === 'elf') {
    const elf = parseElf(bytes);
    let low = Infinity;
    let high = 0;
    elf.segments.forEach((s, i) => {
      if (s.paddr < ram.base || s.paddr + s.memsz > ramEnd) {
        throw new VmmError(`ELF segment ${i} (${hex(s.paddr)}..${hex(s.paddr + s.memsz)}) lies outside RAM (${ramText(ram)})`);
      }
      low = Math.min(low, s.paddr);
      high = Math.max(high, s.paddr + s.memsz);
    });
    if (elf.entry < ram.base || elf.entry >= ramEnd) throw new VmmError(`ELF entry point ${hex(elf.entry)} lies outside RAM (${ramText(ram)})`);
    if (opts.initrdSize !== undefined) {
      throw new VmmError('an initrd needs a Linux Image or raw kernel, not an ELF (QEMU ignores -initrd for ELF kernels)');
    }
    const dtbFits = low - ram.base >= QEMU_DTB_RESERVED && opts.dtbSize <= low - ram.base;
    return {
      format, gzip, entry: elf.entry, kernelEnd: high, initrd: undefined,
      chunks: elf.segments.map((s) => ({ addr: s.paddr, data: s.data, size: s.memsz })),
      dtbAddr: dtbFits ? ram.base : undefined,
      regs: [0, 0, 0, 0, 0],
    };
  }

  const hdr = format === 'image' ? parseArm64ImageHeader(bytes)! : undefined;
  let offset = RAW_LOAD_OFFSET;
  let kernelSize = bytes.length;
  if (hdr !== undefined && hdr.imageSize !== 0n) {
    if (hdr.textOffset >= BigInt(ram.size) || hdr.imageSize > BigInt(ram.size)) {
      throw new VmmError(`the Image's text_offset ${hex(hdr.textOffset)} / image_size ${hex(hdr.imageSize)} do not fit in ${ramText(ram)}`);
    }
    offset = Number(hdr.textOffset);
    if (offset < BOOT_STUB_RESERVED) offset += 2 * MiB;
    kernelSize = Number(hdr.imageSize);
  }
  const entry = ram.base + offset;
  if (entry + bytes.length > ramEnd) {
    throw new VmmError(`the kernel (${bytes.length} bytes at ${hex(entry)}) does not fit in ${ramText(ram)}`);
  }
  const kernelEnd = entry + kernelSize;
  let initrdStart = alignUp(Math.max(ram.base + Math.min(ram.size / 2, INITRD_MAX_OFFSET), kernelEnd), PAGE);
  let initrd: BootLayout['initrd'];
  if (opts.initrdSize !== undefined) {
    if (initrdStart + opts.initrdSize > ramEnd) {
      throw new VmmError(`the initrd (${opts.initrdSize} bytes at ${hex(initrdStart)}) does not fit in ${ramText(ram)}`);
    }
    initrd = { start: initrdStart, end: initrdStart + opts.initrdSize };
    initrdStart = initrd.end;
  }
  const dtbAddr = alignUp(initrdStart, DTB_ALIGN);
  if (dtbAddr + opts.dtbSize > ramEnd) {
    throw new VmmError(`no room for the device tree at ${hex(dtbAddr)} after the kernel${initrd ? ' and initrd' : ''} in ${ramText(ram)}`);
  }
  return {
    format, gzip, entry, kernelEnd, initrd, dtbAddr,
    chunks: [{ addr: entry, data: bytes, size: bytes.length }],
    regs: [dtbAddr, 0, 0, 0, entry],
  };
}
