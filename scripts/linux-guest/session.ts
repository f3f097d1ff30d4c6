/**
 * The Linux guest tests' console sessions: a VMM process driven like one (its output, stdout and stderr together, as
 * it arrives, waits for a pattern in it, typing on its stdin, signals, and its exit status), and what user space
 * printed in a transcript.
 */
import { spawn } from 'node:child_process';

export interface Session {
  output: () => string;
  /** Resolves when the output so far matches `re` (rejects when the VMM exits first). */
  waitFor: (re: RegExp) => Promise<void>;
  type: (s: string) => void;
  signal: (sig: NodeJS.Signals) => void;
  exit: Promise<number | null>;
}

/** Runs `argv` with piped stdio (environment `env` added to this process's), collecting its output. */
export function session(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Session {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const waiters: { re: RegExp; ok: () => void; fail: (e: Error) => void }[] = [];
  const check = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.re.test(out)) waiters.splice(i, 1)[0]!.ok();
    }
  };
  child.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); check(); });
  child.stderr.on('data', (d: Buffer) => { out += d.toString('latin1'); check(); });
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => {
    for (const w of waiters.splice(0)) w.fail(new Error(`the VMM exited (${code}) first; output:\n${out.slice(-3000)}`));
    res(code);
  }));
  return {
    output: () => out,
    waitFor: (re) => new Promise((ok, fail) => { waiters.push({ re, ok, fail }); check(); }),
    type: (s) => child.stdin.write(s),
    signal: (sig) => child.kill(sig),
    exit,
  };
}

/** The lines user space printed in a console transcript (the kernel's own start with '['), from init's first line. */
export function userLines(out: string): string[] {
  const lines = out.replace(/\r/g, '').split('\n').filter((l) => !l.startsWith('[') && l.trim() !== '');
  const first = lines.findIndex((l) => l.startsWith('init: up'));
  return first < 0 ? lines : lines.slice(first);
}
