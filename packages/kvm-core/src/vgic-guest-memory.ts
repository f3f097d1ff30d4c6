/**
 * The vGIC's view of guest memory (vgic/its-guest-memory.ts) over a VM's memslots, as KVM's kvm_read_guest and
 * kvm_write_guest: an access must lie in RAM of one memslot (not beyond its mapping); swapped-out pages are
 * swapped in; a write fails on a read-only memslot, and otherwise is seen by the vCPUs as any other observer's
 * store (their exclusive reservations on the bytes clear, translated code of the page is dropped) and is logged
 * dirty where dirty logging is on.
 */
import type { Vm } from './kvm.js';
import { KVM_MEM_READONLY } from './uapi.js';
import type { GuestMemory } from './vgic/its-guest-memory.js';

/** The guest memory of `vm`, for its vGIC and ITS. */
export function vmGuestMemory(vm: Vm): GuestMemory {
  const locate = (ipa: bigint, len: number) => {
    if (ipa < 0n || ipa + BigInt(len) > 1n << 52n || len <= 0) return undefined;
    const s = vm.findSlot(Number(ipa));
    if (s === undefined) return undefined;
    const offset = s.mappingOffset + (Number(ipa) - s.guestPhysAddr);
    if (Number(ipa) + len > s.guestPhysAddr + s.memorySize || offset + len > s.mapping.size) return undefined;
    s.mapping.swapIn(offset, len);
    return { s, offset };
  };
  return {
    read(ipa, len) {
      const at = locate(ipa, len);
      return at === undefined ? undefined : at.s.mapping.bytes.slice(at.offset, at.offset + len);
    },
    write(ipa, bytes) {
      const at = locate(ipa, bytes.length);
      if (at === undefined || (at.s.flags & KVM_MEM_READONLY) !== 0) return false;
      at.s.mapping.bytes.set(bytes, at.offset);
      vm.hostWrote(at.s.mapping, at.offset, bytes.length);
      vm.markGuestDirty(at.s, Number(ipa), bytes.length);
      return true;
    },
  };
}
