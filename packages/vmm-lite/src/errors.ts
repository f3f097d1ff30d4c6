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

/**
 * The host vmm-lite runs on lacks something an operation needs (platform.ts): a `gunzip` for a gzip-compressed
 * kernel or a `deflate` for a PNG in a browser, Node's file system for `FileSource`. One line, naming what is
 * missing (`capability`), on which platform, and what to do instead.
 */
export class PlatformError extends VmmError {
  constructor(readonly capability: string, readonly platform: string, remedy: string) {
    super(`${capability} is not available on the ${platform} platform: ${remedy}`);
    this.name = 'PlatformError';
  }
}

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** `0x` + lower-case hex, for messages. */
export function hex(v: number | bigint): string {
  return `0x${v.toString(16)}`;
}
