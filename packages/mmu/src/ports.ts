/**
 * The physical address space the MMU reaches after translation. Declared here, implemented by an upper layer:
 * kvm-core gives it host-physical addresses (RAM regions and its own stage-2 table pages).
 * Physical addresses are Numbers: every modelled PA is below 2^48, which a Number holds exactly.
 */
import type { GuestArena } from '@kvm-mte/aarch64-cpu';

export interface PhysRegion {
  /** The physical address of `bytes[0]`; page aligned. */
  readonly base: number;
  readonly bytes: Uint8Array;
  /** A little-endian view over the same bytes. */
  readonly view: DataView;
  /**
   * The region's allocation tag storage, when the memory can hold tags (MTE). Absent: the memory is not
   * tag-capable, so tagged accesses to it read tag 0 and tag writes are ignored (or fault, with NoTagAccess).
   */
  readonly tags?: TagStore;
  /**
   * Where `bytes` live in a guest arena (`@kvm-mte/aarch64-cpu`'s GuestArena), when they do: the arena, the byte
   * offset of `bytes[0]` in it and, for tag-capable memory whose tag storage is dense in the arena, the offset of the
   * packed tags of its first page (page p's 128 bytes follow at `tagOffset + 128 p`, untagged pages reading zero).
   * Translated WebAssembly code reaches such memory (and checks such tags) inline through the data TLB; memory
   * outside the CPU's arena is always reached through the memory port.
   */
  readonly arena?: { readonly arena: GuestArena; readonly offset: number; readonly tagOffset?: number };
}

/**
 * Allocation tags of physical memory: one 4-bit tag per 16-byte granule. Declared here, implemented by
 * `@kvm-mte/mte-tags`, attached to regions by kvm-core. Addresses are physical; any address inside the granule works.
 */
export interface TagStore {
  getTag(pa: number): number;
  setTag(pa: number, tag: number): void;
}

export interface PhysicalMemory {
  /** The RAM region containing `pa`, or undefined when nothing is there (an access is a synchronous external abort). */
  region(pa: number): PhysRegion | undefined;
}
