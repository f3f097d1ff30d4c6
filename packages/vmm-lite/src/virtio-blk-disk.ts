/**
 * What a virtio-blk device reads and writes: a `BlockDisk`. `memoryDisk` (bytes in memory) works anywhere;
 * `openDiskFile` (a raw image file, read by position and written through) is Node only: it takes node:fs from the
 * host when called (platform-node.ts), like the snapshot files, so the library still bundles for a browser, where it
 * throws a PlatformError.
 *
 * Durability: `write` returns only after the bytes are handed to the host kernel (pwrite), `flush` only after they
 * are on stable storage (fdatasync). virtio-blk completes a guest's write request after `write` and its FLUSH after
 * `flush`, so what a guest has flushed is in the image file even if the VMM process is killed right after.
 */
import { VmmError } from './errors.js';
import { nodeBuiltin, type NodeFs } from './platform-node.js';

/** A block device's backing store: a fixed number of bytes, read and written by position. */
export interface BlockDisk {
  /** What to call it in messages and snapshots (a file's path). */
  readonly name: string;
  /** Bytes. Fixed for the disk's life. */
  readonly size: number;
  /** Never written: `write` and `flush` are not called on a read-only disk. */
  readonly readOnly: boolean;
  /** Fill `dest` with the bytes at `offset` (inside the disk). Throws on an I/O error. */
  read(offset: number, dest: Uint8Array): void;
  /** Write `src` at `offset` (inside the disk); returns once the host has the data (pwrite). Throws on an I/O error. */
  write(offset: number, src: Uint8Array): void;
  /** Returns once every write so far is on stable storage (fdatasync). Throws on an I/O error. */
  flush(): void;
  /** Release the file. The disk is unusable afterwards. */
  close(): void;
}

/** A disk held in memory (tests, a browser): `bytes` is the disk, read and written in place. */
export function memoryDisk(bytes: Uint8Array, opts: { readOnly?: boolean; name?: string } = {}): BlockDisk {
  return {
    name: opts.name ?? 'memory',
    size: bytes.length,
    readOnly: opts.readOnly ?? false,
    read: (offset, dest) => dest.set(bytes.subarray(offset, offset + dest.length)),
    write: (offset, src) => bytes.set(src, offset),
    flush: () => {},
    close: () => {},
  };
}

/** At most this many bytes per read/write system call (Node refuses more than 2^31 - 1). */
const IO_CHUNK = 1 << 30;

/**
 * Open a raw disk image file. Its size must be a positive multiple of 512 bytes (virtio-blk counts 512-byte
 * sectors). A VmmError naming the file and the problem when it cannot be opened or is not a usable image.
 */
export function openDiskFile(path: string, opts: { readOnly?: boolean } = {}): BlockDisk {
  const readOnly = opts.readOnly ?? false;
  const fs: NodeFs = nodeBuiltin('node:fs', 'a disk image file needs Node: in a browser give the machine a memoryDisk');
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, readOnly ? 'r' : 'r+');
  } catch (e) {
    throw new VmmError(`cannot open drive ${path}${readOnly ? '' : ' for writing'}: ${(e as { code?: string }).code ?? (e as Error).message}`);
  }
  let size: number;
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new VmmError(`drive ${path} is not a regular file`);
    size = st.size;
    if (size === 0 || size % 512 !== 0) throw new VmmError(`drive ${path} is ${size} bytes: a raw image must be a positive multiple of 512 bytes`);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  const open = (): number => {
    if (fd === undefined) throw new Error(`drive ${path} is closed`);
    return fd;
  };
  return {
    name: path,
    size,
    readOnly,
    read(offset, dest) {
      const f = open();
      let done = 0;
      while (done < dest.length) {
        const n = fs.readSync(f, dest, done, Math.min(IO_CHUNK, dest.length - done), offset + done);
        if (n === 0) throw new Error(`drive ${path} ended early at byte ${offset + done} (was it truncated?)`);
        done += n;
      }
    },
    write(offset, src) {
      if (readOnly) throw new Error(`drive ${path} is read-only`);
      const f = open();
      let done = 0;
      while (done < src.length) done += fs.writeSync(f, src, done, Math.min(IO_CHUNK, src.length - done), offset + done);
    },
    flush() {
      if (readOnly) return;
      fs.fdatasyncSync(open());
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
  };
}
