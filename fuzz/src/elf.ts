/**
 * A minimal ELF64 little-endian AArch64 executable writer: one PT_LOAD segment (RWX) holding the whole image at its
 * link address, no sections. QEMU's `-kernel` and vmm-lite both load such a file at its physical address and enter
 * at e_entry.
 */
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const EM_AARCH64 = 183;
const PT_LOAD = 1;
const PF_RWX = 7;

export function writeElf(image: Uint8Array, loadAddr: number, entry: number): Uint8Array {
  const dataOff = 0x1000; // page-aligned file offset, congruent with the load address modulo the page size
  const out = new Uint8Array(dataOff + image.length);
  const v = new DataView(out.buffer);
  // e_ident
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* ELFCLASS64 */, 1 /* LSB */, 1 /* EV_CURRENT */, 0 /* SYSV */], 0);
  v.setUint16(16, 2, true); // e_type = ET_EXEC
  v.setUint16(18, EM_AARCH64, true);
  v.setUint32(20, 1, true); // e_version
  v.setBigUint64(24, BigInt(entry), true); // e_entry
  v.setBigUint64(32, BigInt(EHDR_SIZE), true); // e_phoff
  v.setBigUint64(40, 0n, true); // e_shoff
  v.setUint32(48, 0, true); // e_flags
  v.setUint16(52, EHDR_SIZE, true); // e_ehsize
  v.setUint16(54, PHDR_SIZE, true); // e_phentsize
  v.setUint16(56, 1, true); // e_phnum
  v.setUint16(58, 64, true); // e_shentsize
  v.setUint16(60, 0, true); // e_shnum
  v.setUint16(62, 0, true); // e_shstrndx
  // program header
  const p = EHDR_SIZE;
  v.setUint32(p + 0, PT_LOAD, true);
  v.setUint32(p + 4, PF_RWX, true);
  v.setBigUint64(p + 8, BigInt(dataOff), true); // p_offset
  v.setBigUint64(p + 16, BigInt(loadAddr), true); // p_vaddr
  v.setBigUint64(p + 24, BigInt(loadAddr), true); // p_paddr
  v.setBigUint64(p + 32, BigInt(image.length), true); // p_filesz
  v.setBigUint64(p + 40, BigInt(image.length), true); // p_memsz
  v.setBigUint64(p + 48, 0x1000n, true); // p_align
  out.set(image, dataOff);
  return out;
}
