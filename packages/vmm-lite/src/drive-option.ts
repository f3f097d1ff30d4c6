/**
 * The CLI's `--drive FILE[,ro]`: a raw disk image for the virtio-blk device, read-write, or read-only with `,ro`
 * (then the file is opened read-only and never written). Also what a restore does with the drive a snapshot names.
 */
import { VmmError } from './errors.js';
import type { DecodedSnapshot } from './snapshot.js';
import { openDiskFile, type BlockDisk } from './virtio-blk-disk.js';
import { checkVirtioBlkState } from './virtio-blk.js';

export interface DriveArg {
  path: string;
  readOnly: boolean;
}

/** Parse the value of --drive; a VmmError for an empty name. */
export function parseDrive(text: string): DriveArg {
  const readOnly = text.endsWith(',ro');
  const path = readOnly ? text.slice(0, -3) : text;
  if (path === '') throw new VmmError('--drive needs a file name (FILE, or FILE,ro for read-only)');
  return { path, readOnly };
}

/** Open the drive a --drive names (a VmmError naming the file when it cannot be used). */
export function openDrive(d: DriveArg): BlockDisk {
  return openDiskFile(d.path, { readOnly: d.readOnly });
}

/** The snapshot's virtio-blk entry (`virtio-blk@<base>` in its devices), if it has a drive. */
function savedDrive(snap: DecodedSnapshot): { name: string; size: number; readOnly: boolean } | undefined {
  const e = Object.entries(snap.devices).find(([k]) => k.startsWith('virtio-blk@'));
  if (e === undefined) return undefined;
  const dev = (e[1] as { device?: unknown } | null)?.device;
  checkVirtioBlkState(dev);
  return dev.disk;
}

/**
 * The drive to restore a snapshot with: the image file the snapshot names, or `--drive` instead (the snapshot does
 * not hold the disk's contents, only the device's state). Its size must be the size the snapshot recorded; a
 * snapshot of a read-only drive reopens it read-only. A VmmError when the snapshot has no drive and one is given,
 * or the file cannot be opened or has another size.
 */
export function restoreDrive(snap: DecodedSnapshot, given: DriveArg | undefined): BlockDisk | undefined {
  const saved = savedDrive(snap);
  if (saved === undefined) {
    if (given !== undefined) throw new VmmError('--drive: the snapshot has no virtio-blk drive');
    return undefined;
  }
  const disk = openDrive(given ?? { path: saved.name, readOnly: saved.readOnly });
  if (disk.size !== saved.size) {
    disk.close();
    throw new VmmError(`drive ${disk.name} is ${disk.size} bytes, but the snapshot's drive (${saved.name}) was ${saved.size} bytes`);
  }
  return disk;
}
