/**
 * The SHA-256 of a virtio-blk disk's whole contents, which a snapshot records (`machine.drive.sha256` in its devices
 * section) and a restore compares: a snapshot holds the device's state but not the disk, so a restore onto an image
 * that was written or replaced after the snapshot would give the guest a disk that disagrees with its own page cache
 * and file system state. Read in chunks through the disk's own `read` (an image of any size, never all in memory).
 */
import type { BlockDisk } from './virtio-blk-disk.js';
import { defaultPlatform, type Platform } from './platform.js';

/** Bytes read at a time. */
const CHUNK = 1 << 20;

/** SHA-256 of every byte of `disk`, as 64 lower-case hex digits. */
export function driveSha256(disk: BlockDisk, platform: Platform = defaultPlatform()): string {
  const h = platform.createSha256();
  const buf = new Uint8Array(Math.min(CHUNK, disk.size));
  for (let off = 0; off < disk.size; off += buf.length) {
    const part = buf.subarray(0, Math.min(buf.length, disk.size - off));
    disk.read(off, part);
    h.update(part);
  }
  return Array.from(h.digest(), (b) => b.toString(16).padStart(2, '0')).join('');
}
