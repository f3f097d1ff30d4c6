/**
 * A virtio device's view of guest memory (its DMA): ranges of guest RAM by guest physical address. Every access is
 * bounds-checked: a range that is not wholly inside RAM gives `undefined`/false, never a throw or a host access
 * elsewhere. Writes are reported to kvm-core (`Vm.hostWrote`: translated code of those pages is dropped, exclusive
 * reservations on them cleared), and pages the host swapped out are brought back first.
 */
import type { HostMapping, Vm } from '@kvm-mte/kvm-core';

export interface GuestMemory {
  /**
   * A view of guest RAM [gpa, gpa + len) (read it, or write it and then call `wrote`), or undefined when the range
   * is not wholly inside RAM. Valid until the guest runs again.
   */
  range(gpa: number, len: number): Uint8Array | undefined;
  /** The bytes of `range(gpa, len)` were written by the device. */
  wrote(gpa: number, len: number): void;
}

/** Guest RAM of a VirtMachine: `ram` mapped at guest physical `base`. */
export function ramGuestMemory(vm: Vm, ram: HostMapping, base: number): GuestMemory {
  const size = ram.size;
  return {
    range(gpa, len) {
      const off = gpa - base;
      if (!Number.isSafeInteger(off) || off < 0 || len < 0 || off + len > size) return undefined;
      if (ram.swappedPages > 0) ram.swapIn(off, len);
      return ram.bytes.subarray(off, off + len);
    },
    wrote(gpa, len) {
      if (len > 0) vm.hostWrote(ram, gpa - base, len);
    },
  };
}

/** Guest memory as plain bytes at `base` (unit tests). */
export function bytesGuestMemory(bytes: Uint8Array, base: number): GuestMemory {
  return {
    range(gpa, len) {
      const off = gpa - base;
      if (!Number.isSafeInteger(off) || off < 0 || len < 0 || off + len > bytes.length) return undefined;
      return bytes.subarray(off, off + len);
    },
    wrote() {},
  };
}
