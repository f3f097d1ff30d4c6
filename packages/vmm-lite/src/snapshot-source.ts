/**
 * Where a snapshot is read from and written to without ever holding the whole file in one buffer: a snapshot of a
 * 4 GiB guest can be larger than the biggest Uint8Array (2^32 bytes) and than `readFileSync` reads (2 GiB), so the
 * reader reads by position and the writer writes a list of parts.
 *
 * `bytesSource` works anywhere. `FileSource` and `writeSnapshotFile` are Node only: they take node:fs from the host
 * when used (platform-node.ts), so this module imports no `node:` module and the library still bundles for a
 * browser; there they throw a PlatformError.
 */
import { nodeBuiltin, type NodeFs } from './platform-node.js';

function fs(): NodeFs {
  return nodeBuiltin('node:fs', 'snapshot files need Node: in a browser keep the snapshot in memory (saved.file, bytesSource)');
}

/** Random access to the bytes of a snapshot file. */
export interface SnapshotSource {
  /** Bytes in the file. */
  readonly size: number;
  /** `length` bytes at `offset` (a view or a copy: do not write to it). The range must lie inside the file. */
  read(offset: number, length: number): Uint8Array;
  /** Fill `dest` with the bytes at `offset` (the range must lie inside the file). */
  readInto(offset: number, dest: Uint8Array): void;
}

/** A snapshot already in memory. */
export function bytesSource(bytes: Uint8Array): SnapshotSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
    readInto: (offset, dest) => dest.set(bytes.subarray(offset, offset + dest.length)),
  };
}

/** At most this many bytes per read/write system call (Node refuses more than 2^31 - 1). */
const IO_CHUNK = 1 << 30;

/** A snapshot file read by position (pread). Close it when done; errors are Node's (`code` ENOENT, EISDIR, ...). */
export class FileSource implements SnapshotSource {
  readonly size: number;
  private fd: number | undefined;
  private readonly fs: NodeFs;

  constructor(path: string) {
    const { openSync, fstatSync, closeSync } = (this.fs = fs());
    const fd = openSync(path, 'r');
    try {
      const st = fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read '${path}'`), { code: 'EISDIR' });
      this.size = st.size;
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    this.fd = fd;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.readInto(offset, out);
    return out;
  }

  readInto(offset: number, dest: Uint8Array): void {
    const fd = this.fd;
    if (fd === undefined) throw new Error('snapshot file is closed');
    let done = 0;
    while (done < dest.length) {
      const n = this.fs.readSync(fd, dest, done, Math.min(IO_CHUNK, dest.length - done), offset + done);
      if (n === 0) throw new Error(`snapshot file ended early at byte ${offset + done}`);
      done += n;
    }
  }

  close(): void {
    if (this.fd !== undefined) this.fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Write a snapshot given as parts (see `encodeSnapshotParts`) to `path`, part by part. */
export function writeSnapshotFile(path: string, parts: readonly Uint8Array[]): void {
  const { openSync, writeSync, closeSync } = fs();
  const fd = openSync(path, 'w');
  try {
    for (const part of parts) {
      let done = 0;
      while (done < part.length) done += writeSync(fd, part, done, Math.min(IO_CHUNK, part.length - done));
    }
  } finally {
    closeSync(fd);
  }
}
