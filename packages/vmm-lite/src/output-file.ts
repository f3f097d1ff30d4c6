/**
 * Files the CLI writes (`--snapshot-out`, `--screenshot`): checked before the guest runs, so a path that can never
 * be written (a directory, a missing directory, no permission) is refused up front; and written after the run with
 * a failure (a full device, an I/O error) reported as one line naming the file and the OS error.
 */
import { accessSync, constants, lstatSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { VmmError } from './errors.js';

/** The exit status of a run whose output file could not be written (the guest itself ran). */
export const OUTPUT_ERROR_STATUS = 7;

/** A file the run produced could not be written: exit status {@link OUTPUT_ERROR_STATUS}. One-line message. */
export class OutputFileError extends VmmError {
  constructor(message: string) {
    super(message);
    this.name = 'OutputFileError';
  }
}

const OS_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
};

/** A Node file-system error as `what it means (CODE)`, one line. */
export function describeOsError(e: unknown): string {
  const code = codeOf(e);
  const known = code === undefined ? undefined : OS_ERRORS[code];
  if (known !== undefined) return `${known} (${code})`;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

function codeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Refuse (a {@link VmmError}, exit status 1) an output path that cannot be written: an existing directory, a
 * parent directory that is missing or not a directory, or no write permission. Writes nothing. What it cannot
 * know (a device that fills up, an I/O error) is reported when the file is written.
 */
export function checkOutputPath(what: string, path: string): void {
  const refuse = (why: string): never => {
    throw new VmmError(`cannot write ${what} '${path}': ${why}`);
  };
  let exists = true;
  try {
    if (statSync(path).isDirectory()) refuse('is a directory');
  } catch (e) {
    if (e instanceof VmmError) throw e;
    // ENOTDIR: a component of the directory part is a file; the directory check below says which.
    if (codeOf(e) !== 'ENOENT' && codeOf(e) !== 'ENOTDIR') refuse(describeOsError(e));
    exists = false;
  }
  if (exists) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      refuse(describeOsError(e));
    }
    return;
  }
  const dir = dirname(path);
  try {
    if (!statSync(dir).isDirectory()) refuse(`'${dir}' is not a directory`);
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (e) {
    if (e instanceof VmmError) throw e;
    refuse(codeOf(e) === 'ENOENT' ? `directory '${dir}' does not exist` : `directory '${dir}': ${describeOsError(e)}`);
  }
}

/** Errors that happen after the file was opened (and truncated): what is left of it is removed. */
const MID_WRITE = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EIO']);

/**
 * Run `write` (which writes `path`); a failure becomes an {@link OutputFileError} naming the file and the OS error.
 * With `removePartial`, a regular file left half-written by a failure during the write is removed.
 */
export function writeOutputFile(what: string, path: string, write: () => void, removePartial = false): void {
  try {
    write();
  } catch (e) {
    if (removePartial && MID_WRITE.has(codeOf(e) ?? '')) {
      try {
        if (lstatSync(path).isFile()) unlinkSync(path);
      } catch {
        // Nothing to remove, or it cannot be: the message below still says the write failed.
      }
    }
    throw new OutputFileError(`cannot write ${what} '${path}': ${describeOsError(e)}`);
  }
}
