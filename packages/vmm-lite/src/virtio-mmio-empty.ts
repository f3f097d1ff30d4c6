/**
 * The 32 virtio-mmio transports of QEMU's virt board with nothing plugged into them (QEMU creates them whatever
 * devices are given, at 0x0a00_0000 + 0x200 i, SPI 16 + i, and lists them all in the device tree): a guest probing
 * them finds the virtio magic, the version, device ID 0 (no device) and QEMU's vendor ID, and zeros everywhere else;
 * writes are ignored. The version is the board's: 1 with legacy transports (QEMU's
 * default), 2 with modern ones (`-global virtio-mmio.force-legacy=false`; vmm-lite's default). Measured on QEMU 10 (monitor `xp` of the frames).
 * Linux's virtio_mmio driver skips a transport with device ID 0; kvm-unit-tests' micro-bench reads one as its
 * cheapest MMIO exit. Registers are 32-bit: an access of another size reads 0, as QEMU's virtio_mmio_read answers
 * one (it logs a guest error); 64-bit accesses are two 32-bit ones (MmioBus).
 */
import type { AccessSize, MmioDevice } from './bus.js';
import type { VirtioMmioVersion } from './virtio-device.js';

export const VIRTIO_MMIO_BASE = 0x0a00_0000;
/** Bytes of one transport's register frame. */
export const VIRTIO_MMIO_STRIDE = 0x200;
export const VIRTIO_MMIO_COUNT = 32;
/** The SPI of transport 0 (transport i: this + i). */
export const VIRTIO_MMIO_FIRST_SPI = 16;

/** Register offsets an empty transport answers with something other than 0. */
const MAGIC = 0x000;
const VERSION = 0x004;
const VENDOR_ID = 0x00c;
const MAGIC_VALUE = 0x7472_6976; // "virt"
const QEMU_VENDOR_ID = 0x554d_4551; // "QEMU"

export class EmptyVirtioMmio implements MmioDevice {
  readonly name = 'virtio-mmio (empty)';
  readonly maxAccessSize = 4 as const;

  constructor(readonly version: VirtioMmioVersion = 'modern') {}

  read(offset: number, size: AccessSize): bigint {
    if (size !== 4 || (offset & 3) !== 0) return 0n;
    switch (offset % VIRTIO_MMIO_STRIDE) {
      case MAGIC: return BigInt(MAGIC_VALUE);
      case VERSION: return this.version === 'modern' ? 2n : 1n;
      case VENDOR_ID: return BigInt(QEMU_VENDOR_ID);
      default: return 0n;
    }
  }

  write(): void {
    // Nothing is plugged in: every register write is ignored.
  }
}
