/**
 * Start this Node script again in a child process with `--v8-pool-size=N` (v8-pool.ts says why and when), and
 * stand in for it: the child inherits stdin, stdout and stderr (the guest's console works as in one process), the
 * signals the launcher receives go on to it, and the launcher ends as it ends (its exit status, or the signal that
 * ended it). The child learns from RELAUNCHED_ENV that it was started so, and watches the IPC channel opened for it:
 * a launcher killed with SIGKILL cannot pass that on, and its channel closing ends the child (cli-main.ts).
 *
 * Node only: the CLI's launcher (cli.ts) uses it; the library does not export it.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** Set in the child's environment. */
export const RELAUNCHED_ENV = 'KVM_MTE_V8_POOL_CHILD';

/**
 * Signals passed on. SIGINT and SIGQUIT typed on a terminal reach both processes (one process group), so the child
 * may see them twice; its handlers act once (cli-main.ts).
 */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** What the launcher needs of `process` (a parameter, for tests). */
export interface LauncherProcess {
  readonly execPath: string;
  readonly execArgv: readonly string[];
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number;
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  exit(code: number): never;
}

/**
 * Run the script again with `--v8-pool-size=size` and end as the child ends. Resolves (with the error) only when the
 * child could not be started, so the caller can go on in this process instead.
 */
export function relaunchWithPool(size: number, p: LauncherProcess = process, start = spawn): Promise<Error> {
  return new Promise((resolve) => {
    const child = start(p.execPath, [...p.execArgv, `--v8-pool-size=${size}`, ...p.argv.slice(1)], {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...p.env, [RELAUNCHED_ENV]: String(size) },
    });
    const listeners = FORWARDED_SIGNALS.map((signal) => {
      const pass = (): void => {
        child.kill(signal);
      };
      p.on(signal, pass);
      return [signal, pass] as const;
    });
    const detach = (): void => {
      for (const [signal, pass] of listeners) p.off(signal, pass);
    };
    let started = false;
    child.once('spawn', () => {
      started = true;
    });
    child.on('error', (e) => {
      // Before 'spawn': not started, nothing ran yet. After it (a signal that could not be passed on): the child runs
      // on, and ends as it will.
      if (started) return;
      detach();
      resolve(e);
    });
    child.once('exit', (code, signal) => {
      detach();
      if (signal !== null) {
        // Ended by a signal: end by the same one (its default action now that no listener is left), or with the
        // shell's status for it should that not end this process (SIGUSR1 starts Node's inspector instead).
        p.kill(p.pid, signal);
        p.exit(128 + (constants.signals[signal] ?? 0));
      }
      p.exit(code ?? 1);
    });
  });
}
