/**
 * Sized MMIO access to a register frame, as KVM's vgic-mmio dispatch does it: each offset has an access class;
 * 32-bit accesses work everywhere, 8-bit accesses only where the registers are byte-accessible (IPRIORITYR,
 * ITARGETSR, CPENDSGIR/SPENDSGIR), 64-bit accesses only on 64-bit registers (IROUTER, GICR_TYPER). Every other
 * access (16-bit, misaligned, outside the frame, a width the register does not take) reads as zero and ignores
 * writes; the spec makes these UNPREDICTABLE or RAZ/WI, and KVM ignores them the same way.
 */
import { fail } from '../errors.js';

/** How the register at an offset may be accessed. */
export type AccessClass = 'word' | 'byte' | 'dword';

/** One register frame: the offset map and the accessors it dispatches to. Offsets are frame-relative. */
export interface RegisterFrame {
  /** The frame's size in bytes. */
  readonly size: number;
  /** The access class of the 32-bit word containing `offset`. */
  access(offset: number): AccessClass;
  /** Read the 32-bit word at `offset` (4-aligned). */
  read32(offset: number): number;
  /** Write the 32-bit word at `offset` (4-aligned). */
  write32(offset: number, value: number): void;
  /** Read one byte (only called for 'byte' offsets). */
  read8(offset: number): number;
  /** Write one byte (only called for 'byte' offsets). */
  write8(offset: number, value: number): void;
}

function inFrame(frame: RegisterFrame, offset: number, size: number): boolean {
  return Number.isInteger(offset) && offset >= 0 && offset + size <= frame.size && offset % size === 0;
}

/** A guest read of `size` bytes at `offset`: the value, zero-extended (RAZ for an access the frame refuses). */
export function mmioRead(frame: RegisterFrame, offset: number, size: number): bigint {
  if (!inFrame(frame, offset, size)) return 0n;
  const access = frame.access(offset);
  switch (size) {
    case 1:
      return access === 'byte' ? BigInt(frame.read8(offset) & 0xff) : 0n;
    case 4:
      if (access !== 'byte') return BigInt(frame.read32(offset) >>> 0);
      return BigInt(
        (frame.read8(offset) | (frame.read8(offset + 1) << 8) | (frame.read8(offset + 2) << 16) |
          (frame.read8(offset + 3) << 24)) >>> 0,
      );
    case 8:
      if (access !== 'dword') return 0n;
      return BigInt(frame.read32(offset) >>> 0) | (BigInt(frame.read32(offset + 4) >>> 0) << 32n);
    default:
      return 0n;
  }
}

/** A guest write of `size` bytes at `offset` (WI for an access the frame refuses). */
export function mmioWrite(frame: RegisterFrame, offset: number, size: number, value: bigint): void {
  if (!inFrame(frame, offset, size)) return;
  const access = frame.access(offset);
  const lo = Number(value & 0xffff_ffffn);
  switch (size) {
    case 1:
      if (access === 'byte') frame.write8(offset, lo & 0xff);
      return;
    case 4:
      if (access !== 'byte') {
        frame.write32(offset, lo);
        return;
      }
      for (let i = 0; i < 4; i++) frame.write8(offset + i, (lo >>> (8 * i)) & 0xff);
      return;
    case 8:
      if (access !== 'dword') return;
      frame.write32(offset, lo);
      frame.write32(offset + 4, Number((value >> 32n) & 0xffff_ffffn));
      return;
    default:
      return;
  }
}

/**
 * Check a user-space (KVM_{GET,SET}_DEVICE_ATTR) register offset: 32-bit aligned and inside the frame. ENXIO
 * otherwise, as KVM refuses such an attribute.
 */
export function checkUserOffset(frame: RegisterFrame, offset: number, what: string): void {
  if (!inFrame(frame, offset, 4)) {
    fail('ENXIO', `${what}: offset ${offset} is not a 32-bit register offset inside the ${frame.size}-byte frame`);
  }
}

/** A user-space (KVM_GET_DEVICE_ATTR) read of the 32-bit register at `offset` of `frame` (ENXIO: see checkUserOffset). */
export function userRead(frame: RegisterFrame, offset: number, what: string): number {
  checkUserOffset(frame, offset, what);
  return Number(mmioRead(frame, offset, 4));
}

/** A user-space (KVM_SET_DEVICE_ATTR) write of the 32-bit register at `offset` of `frame`. */
export function userWrite(frame: RegisterFrame, offset: number, what: string, value: number): void {
  checkUserOffset(frame, offset, what);
  mmioWrite(frame, offset, 4, BigInt(value >>> 0));
}
