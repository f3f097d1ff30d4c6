/**
 * Guest memory as the vGIC reads and writes it itself (KVM's kvm_read_guest / kvm_write_guest): the LPI
 * configuration and pending tables, the ITS command queue and, on save and restore, the ITS tables. kvm-core's
 * VM implements it over its memslots (../vgic-guest-memory.ts); the model only sees this interface.
 */

/** Guest physical memory, by IPA. */
export interface GuestMemory {
  /** `len` bytes at `ipa`, or undefined when they are not all RAM of one memslot (KVM's -EFAULT). */
  read(ipa: bigint, len: number): Uint8Array | undefined;
  /** Write `bytes` at `ipa`; false (nothing written) when they are not all writable RAM of one memslot. */
  write(ipa: bigint, bytes: Uint8Array): boolean;
}

/** A little-endian u64 of guest memory, or undefined (not RAM). */
export function readU64(mem: GuestMemory, ipa: bigint): bigint | undefined {
  const b = mem.read(ipa, 8);
  if (b === undefined) return undefined;
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** Write a little-endian u64 to guest memory; false when not RAM. */
export function writeU64(mem: GuestMemory, ipa: bigint, value: bigint): boolean {
  const b = new Uint8Array(8);
  for (let i = 0; i < 8; i++) b[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return mem.write(ipa, b);
}

/** One byte of guest memory, or undefined (not RAM). */
export function readU8(mem: GuestMemory, ipa: bigint): number | undefined {
  return mem.read(ipa, 1)?.[0];
}
