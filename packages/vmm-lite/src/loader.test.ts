import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseArm64ImageHeader } from './image.js';
import { planBoot, VIRT_RAM_BASE } from './loader.js';
import { buildElf, words } from './testing/elf-builder.js';

const MiB = 2 ** 20;
const RAM = { base: VIRT_RAM_BASE, size: 256 * MiB };
const DTB = { dtbSize: 0x800 };

/** An arm64 Image: a 64-byte header (code0 = branch over it) and `body`. */
function image(textOffset: bigint, imageSize: bigint, body = new Uint8Array(64), magic = true): Uint8Array {
  const out = new Uint8Array(64 + body.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x1400_0010, true); // b +64
  dv.setBigUint64(8, textOffset, true);
  dv.setBigUint64(16, imageSize, true);
  dv.setBigUint64(24, 0xan, true);
  if (magic) out.set([0x41, 0x52, 0x4d, 0x64], 0x38);
  out.set(body, 64);
  return out;
}

describe('arm64 Image header', () => {
  it('reads text_offset, image_size and flags behind the magic', () => {
    expect(parseArm64ImageHeader(image(0x80000n, 0x1234000n))).toEqual({ textOffset: 0x80000n, imageSize: 0x1234000n, flags: 0xan });
  });
  it('is absent without the magic or when the file is shorter than the header', () => {
    expect(parseArm64ImageHeader(image(0n, 0x1000n, undefined, false))).toBeUndefined();
    expect(parseArm64ImageHeader(new Uint8Array(0x3c))).toBeUndefined();
  });
});

// Expected addresses measured on qemu-system-aarch64 10.0.2 -M virt -m 256 (see README.md).
describe('Image and raw placement (as QEMU 10)', () => {
  it('a raw binary loads at RAM + 0x80000 with x0 = DTB at RAM + 128 MiB', () => {
    const b = planBoot(words([0xd503201f]), RAM, DTB);
    expect(b.format).toBe('raw');
    expect(b.entry).toBe(0x4008_0000);
    expect(b.dtbAddr).toBe(0x4800_0000);
    expect(b.regs).toEqual([0x4800_0000, 0, 0, 0, 0x4008_0000]);
  });
  it('with less than 256 MiB the DTB goes at half of RAM (64M: 0x42000000)', () => {
    expect(planBoot(words([0]), { base: VIRT_RAM_BASE, size: 64 * MiB }, DTB).dtbAddr).toBe(0x4200_0000);
  });
  it('with more than 256 MiB it stays at RAM + 128 MiB', () => {
    expect(planBoot(words([0]), { base: VIRT_RAM_BASE, size: 1024 * MiB }, DTB).dtbAddr).toBe(0x4800_0000);
  });
  it.each([
    [0n, 0x20_0000n, 0x4020_0000], // text_offset 0 (modern kernels): RAM + 2 MiB
    [0x80000n, 0x20_0000n, 0x4008_0000],
    [0x800n, 0x1_0000n, 0x4020_0800], // below the 4 KiB boot stub: moved up 2 MiB
    [0x1000n, 0x1_0000n, 0x4000_1000],
    [0n, 0n, 0x4008_0000], // image_size 0 (before Linux 3.17): text_offset ignored
  ])('Image with text_offset %s, image_size %s loads at %s', (textOffset, imageSize, addr) => {
    const b = planBoot(image(textOffset, imageSize), RAM, DTB);
    expect(b.format).toBe('image');
    expect(b.entry).toBe(addr);
    expect(b.chunks[0]!.addr).toBe(addr);
    expect(b.regs[0]).toBe(0x4800_0000);
  });
  it('a kernel whose image_size reaches past RAM + 128 MiB pushes the DTB after it, 2 MiB aligned', () => {
    const b = planBoot(image(0n, 0x900_0000n), RAM, DTB); // ends at 0x49200000
    expect(b.kernelEnd).toBe(0x4920_0000);
    expect(b.dtbAddr).toBe(0x4920_0000);
  });
  it('an initrd goes at RAM + 128 MiB and the DTB at the next 2 MiB boundary after it', () => {
    const b = planBoot(words([0]), RAM, { ...DTB, initrdSize: 100_000 });
    expect(b.initrd).toEqual({ start: 0x4800_0000, end: 0x4800_0000 + 100_000 });
    expect(b.dtbAddr).toBe(0x4820_0000);
  });
  it('a gzip-compressed Image is decompressed first', () => {
    const b = planBoot(gzipSync(image(0x80000n, 0x1000n)), RAM, DTB);
    expect(b).toMatchObject({ format: 'image', gzip: true, entry: 0x4008_0000 });
    expect(b.chunks[0]!.data.length).toBe(128);
  });
  it('rejects what does not fit', () => {
    const small = { base: VIRT_RAM_BASE, size: 512 * 1024 };
    expect(() => planBoot(new Uint8Array(0x80000), small, DTB)).toThrow(/^the kernel \(524288 bytes at 0x40080000\) does not fit in 512K of RAM at 0x40000000$/);
    expect(() => planBoot(words([0]), RAM, { ...DTB, initrdSize: 200 * MiB })).toThrow(/the initrd .* does not fit/);
    expect(() => planBoot(image(0x1_0000_0000n, 0x1000n), RAM, DTB)).toThrow(/text_offset 0x100000000/);
    expect(() => planBoot(new Uint8Array(0), RAM, DTB)).toThrow('the kernel image is empty');
    expect(() => planBoot(Uint8Array.of(0x1f, 0x8b, 1, 2, 3), RAM, DTB)).toThrow(/^invalid gzip-compressed kernel/);
  });
});

describe('ELF placement (as QEMU 10)', () => {
  const elfAt = (addr: number, extra: Partial<Parameters<typeof buildElf>[0]> = {}) =>
    buildElf({ entry: addr, segments: [{ paddr: addr, data: words([1, 2]), memsz: 0x20 }], ...extra });

  it('loads segments at p_paddr with zero fill, PC = e_entry, x0..x4 = 0', () => {
    const b = planBoot(elfAt(0x4008_0000), RAM, DTB);
    expect(b.format).toBe('elf');
    expect(b.entry).toBe(0x4008_0000);
    expect(b.chunks).toEqual([{ addr: 0x4008_0000, data: words([1, 2]), size: 0x20 }]);
    expect(b.regs).toEqual([0, 0, 0, 0, 0]);
  });
  it('gives no DTB when the ELF starts within 1 MiB of RAM (QEMU: no room for its 1 MiB blob)', () => {
    expect(planBoot(elfAt(0x4008_0000), RAM, DTB).dtbAddr).toBeUndefined();
    expect(planBoot(elfAt(0x4000_0000), RAM, DTB).dtbAddr).toBeUndefined();
  });
  it('puts the DTB at the start of RAM when the ELF leaves 1 MiB free', () => {
    expect(planBoot(elfAt(0x4010_0000), RAM, DTB).dtbAddr).toBe(0x4000_0000);
    expect(planBoot(elfAt(0x4800_0000), RAM, DTB).dtbAddr).toBe(0x4000_0000);
  });
  it('rejects segments or an entry point outside RAM, and an initrd', () => {
    expect(() => planBoot(elfAt(0x3fff_f000), RAM, DTB)).toThrow('ELF segment 0 (0x3ffff000..0x3ffff020) lies outside RAM (256M of RAM at 0x40000000)');
    expect(() => planBoot(elfAt(0x4fff_fff0), RAM, DTB)).toThrow('ELF segment 0 (0x4ffffff0..0x50000010) lies outside RAM (256M of RAM at 0x40000000)');
    expect(() => planBoot(elfAt(0x4008_0000, { entry: 0x1000 }), RAM, DTB)).toThrow('ELF entry point 0x1000 lies outside RAM (256M of RAM at 0x40000000)');
    expect(() => planBoot(elfAt(0x4008_0000), RAM, { ...DTB, initrdSize: 10 })).toThrow(/an initrd needs a Linux Image or raw kernel/);
  });
});
