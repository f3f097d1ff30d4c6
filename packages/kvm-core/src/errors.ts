/**
 * Errors as the KVM ioctls report them: an errno name and number. Every `KvmError` leaves the object it was raised on
 * unchanged and usable, as a failed ioctl does.
 */

/** The errno values this API raises (Linux asm-generic numbering). */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  ENXIO: 6,
  E2BIG: 7,
  ENOEXEC: 8,
  ENOMEM: 12,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ENOSYS: 38,
} as const;
export type ErrnoName = keyof typeof Errno;

export class KvmError extends Error {
  /** The errno number, e.g. 22 for EINVAL. */
  readonly errno: number;
  constructor(
    /** The errno name, e.g. 'EINVAL'. */
    readonly code: ErrnoName,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'KvmError';
    this.errno = Errno[code];
  }
}

/** Throw a {@link KvmError}. */
export function fail(code: ErrnoName, message: string): never {
  throw new KvmError(code, message);
}
