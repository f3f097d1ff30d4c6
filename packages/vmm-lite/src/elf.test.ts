import { describe, expect, it } from 'vitest';
import { isElf, parseElf } from './elf.js';
import { buildElf, words } from './testing/elf-builder.js';

const code = words([0xd503201f, 0xd503201f]);

describe('parseElf', () => {
  it('reads the entry point and PT_LOAD segments (p_paddr, p_filesz bytes, p_memsz)', () => {
    const elf = buildElf({
      entry: 0x4008_0004,
      segments: [
        { paddr: 0x4008_0000, vaddr: 0xffff_0000_0008_0000n, data: code, flags: 5 },
        { type: 4, paddr: 0, data: new Uint8Array(4) }, // PT_NOTE: ignored
        { paddr: 0x4009_0000, data: Uint8Array.of(1, 2, 3), memsz: 0x100, flags: 6 },
        { paddr: 0x400a_0000, data: new Uint8Array(0), memsz: 0 }, // empty: skipped
      ],
    });
    expect(isElf(elf)).toBe(true);
    const img = parseElf(elf);
    expect(img.entry).toBe(0x4008_0004);
    expect(img.segments).toHaveLength(2);
    expect(img.segments[0]).toMatchObject({ paddr: 0x4008_0000, vaddr: 0xffff_0000_0008_0000n, memsz: 8, flags: 5 });
    expect([...img.segments[0]!.data]).toEqual([...code]);
    expect(img.segments[1]).toMatchObject({ paddr: 0x4009_0000, memsz: 0x100, flags: 6 });
    expect([...img.segments[1]!.data]).toEqual([1, 2, 3]);
  });

  const base = { entry: 0x4008_0000, segments: [{ paddr: 0x4008_0000, data: code }] };
  it.each([
    ['not ELF', new Uint8Array([1, 2, 3, 4, 5]), 'not an ELF file'],
    ['ELF32', buildElf({ ...base, cls: 1 }), 'unsupported ELF: ELF32, expected ELF64 (AArch64)'],
    ['big-endian', buildElf({ ...base, dataEncoding: 2 }), 'unsupported ELF: big-endian, expected little-endian'],
    ['x86-64', buildElf({ ...base, machine: 62 }), 'unsupported ELF: machine 62, expected AArch64 (183)'],
    ['a shared object', buildElf({ ...base, type: 3 }), 'unsupported ELF: type 3, expected an executable (ET_EXEC)'],
    ['no loadable segment', buildElf({ ...base, segments: [{ type: 4, paddr: 0, data: code }] }), 'invalid ELF: no loadable (PT_LOAD) segments'],
    ['truncated header', buildElf(base).subarray(0, 40), 'invalid ELF: file is shorter than the ELF header'],
    ['truncated program headers', buildElf(base).subarray(0, 80), 'invalid ELF: program headers lie beyond the end of the file'],
    ['p_filesz > p_memsz', buildElf({ ...base, segments: [{ paddr: 0x4008_0000, data: code, memsz: 4 }] }), 'invalid ELF: segment 0 has p_filesz 0x8 > p_memsz 0x4'],
  ])('rejects %s', (_what, bytes, message) => {
    expect(() => parseElf(bytes)).toThrow(message);
  });

  it('rejects a segment whose bytes lie beyond the end of the file', () => {
    const elf = buildElf(base);
    expect(() => parseElf(elf.subarray(0, elf.length - 4))).toThrow('invalid ELF: segment 0 lies beyond the end of the file');
  });
});
