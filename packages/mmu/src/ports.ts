/**
 * The physical address space the MMU reaches after translation. Declared here, implemented by an upper layer:
 * kvm-core gives it host-physical addresses (RAM regions and its own stage-2 table pages).
 * Physical addresses are Numbers: every modelled PA is below 2^48, which a Number holds exactly.
 */
export interface PhysRegion {
  /** The physical address of `bytes[0]`; page aligned. */
  readonly base: number;
  readonly bytes: Uint8Array;
  /** A little-endian view over the same bytes. */
  readonly view: DataView;
}

export interface PhysicalMemory {
  /** The RAM region containing `pa`, or undefined when nothing is there (an access is a synchronous external abort). */
  region(pa: number): PhysRegion | undefined;
}
