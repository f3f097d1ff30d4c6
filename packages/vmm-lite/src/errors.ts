/**
 * The one error type vmm-lite raises for a problem the user can fix (a bad option, file, image or size). Its
 * message is a single line without the `vmm-lite:` prefix; the CLI prints `vmm-lite: <message>`.
 */
export class VmmError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VmmError';
  }
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** `0x` + lower-case hex, for messages. */
export function hex(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}
