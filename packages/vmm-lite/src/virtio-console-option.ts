/**
 * The CLI's `--virtio-console stdio|FILE`: where the virtio-console's port 0 (the guest's hvc0) is connected.
 * - `stdio`: its output to stdout, beside the UART's; in a plain `run`, stdin goes to it instead of to the UART (as
 *   with a console=hvc0 guest one expects to type into the console the kernel uses).
 * - `FILE`: its output written to FILE (created or truncated before the guest runs), each write handed to the host
 *   kernel before the guest sees it complete; no input.
 * A write to FILE that fails (a full device) stops further writes; the CLI reports it when the run ends (status 7).
 */
import { VmmError } from './errors.js';
import { nodeBuiltin, type NodeFs } from './platform-node.js';

export type ConsoleArg = { kind: 'stdio' } | { kind: 'file'; path: string };

/** Parse the value of --virtio-console; a VmmError for an empty one. */
export function parseVirtioConsole(text: string): ConsoleArg {
  if (text === '') throw new VmmError('--virtio-console needs stdio or a file name');
  return text === 'stdio' ? { kind: 'stdio' } : { kind: 'file', path: text };
}

/** An open console output: `write` each chunk the guest writes; `error` is the first failure, if any. */
export interface ConsoleOutput {
  write(bytes: Uint8Array): void;
  close(): void;
  readonly error: string | undefined;
}

/**
 * Open where `arg` sends the console's output: stdout through `stdout`, or the file (a VmmError naming it when it
 * cannot be created).
 */
export function openConsoleOutput(arg: ConsoleArg, stdout: (b: Uint8Array) => void): ConsoleOutput {
  if (arg.kind === 'stdio') return { write: stdout, close: () => {}, error: undefined };
  const fs: NodeFs = nodeBuiltin('node:fs', 'a virtio-console output file needs Node');
  let fd: number | undefined;
  try {
    fd = fs.openSync(arg.path, 'w');
  } catch (e) {
    throw new VmmError(`cannot open virtio-console output ${arg.path}: ${(e as { code?: string }).code ?? (e as Error).message}`);
  }
  let error: string | undefined;
  return {
    write(bytes) {
      if (fd === undefined || error !== undefined) return;
      try {
        for (let p = 0; p < bytes.length;) p += fs.writeSync(fd, bytes, p, bytes.length - p);
      } catch (e) {
        error = `cannot write virtio-console output ${arg.path}: ${(e as { code?: string }).code ?? (e as Error).message}`;
      }
    },
    close() {
      if (fd !== undefined) fs.closeSync(fd);
      fd = undefined;
    },
    get error() {
      return error;
    },
  };
}
