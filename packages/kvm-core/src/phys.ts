/**
 * The MMU's physical-memory interface (declared by @kvm-mte/mmu in src/ports.ts). Restated structurally here
 * until @kvm-mte/mmu exports it from its index; TypeScript's structural typing makes the two interchangeable.
 */
export interface PhysRegion {
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

export interface PhysicalMemory {
  region(pa: number): PhysRegion | undefined;
}
