/**
 * Test support (not exported): the committed guest binaries, and runCli with in-memory files and captured output.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCli, type CliIo } from '../cli-core.js';

const GUESTS = fileURLToPath(new URL('../../../../guests/bin/', import.meta.url));

/** A guest from guests/bin by name (e.g. 'hello'). */
export const guest = (name: string): Uint8Array => new Uint8Array(readFileSync(`${GUESTS}${name}.elf`));

export const dec = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

/**
 * runCli with in-memory files: `files` first, then any `<name>.elf` from guests/bin; writes land in `files`, or
 * with `disk: true` on the real file system (with its checks of output paths, as the real program).
 * `request: true` makes the snapshot stop trigger fire at once; `input` feeds the guest's UART.
 */
export async function cli(argv: string[], files: Map<string, Uint8Array>, extra: { request?: boolean; input?: CliIo['input']; disk?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const status = await runCli(argv, {
    stdout: (b) => { stdout += dec(b); },
    stderr: (t) => { stderr += t; },
    readFile: (p) => {
      const f = files.get(p) ?? (p.endsWith('.elf') ? guest(p.replace(/\.elf$/, '')) : undefined);
      if (f === undefined) throw Object.assign(new Error('no'), { code: 'ENOENT' });
      return f;
    },
    ...(extra.disk !== true && { writeFile: (p: string, b: Uint8Array) => { files.set(p, b.slice()); } }),
    onStopRequest: (request) => {
      if (extra.request === true) request();
      return () => {};
    },
    ...(extra.input !== undefined && { input: extra.input }),
  });
  return { status, stdout, stderr };
}
