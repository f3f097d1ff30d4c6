// The CLI's launcher (relaunch.ts) with a stand-in for spawn and for process: what it starts, what it passes on,
// how it ends. (cli-sigint.test.ts runs the built CLI both ways.)
import type { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FORWARDED_SIGNALS, RELAUNCHED_ENV, relaunchWithPool, type LauncherProcess } from './relaunch.js';

class FakeChild extends EventEmitter {
  readonly killed: string[] = [];
  kill(signal: string): boolean {
    this.killed.push(signal);
    return true;
  }
}

class Exited extends Error {}

function fakes() {
  const child = new FakeChild();
  const started: { file: string; args: readonly string[]; options: Record<string, unknown> }[] = [];
  const listeners = new Map<string, () => void>();
  const ends: (string | number)[] = [];
  const proc: LauncherProcess = {
    execPath: '/usr/bin/node', execArgv: ['--enable-source-maps'], argv: ['/usr/bin/node', '/x/cli.js', 'run', '--kernel', 'k.elf'],
    env: { HOME: '/root' }, pid: 4242,
    on: (s, l) => listeners.set(s, l),
    off: (s, l) => { if (listeners.get(s) === l) listeners.delete(s); },
    kill: (pid, s) => ends.push(`kill ${pid} ${s}`),
    exit: (code) => {
      ends.push(code);
      throw new Exited();
    },
  };
  const start = ((file: string, args: readonly string[], options: Record<string, unknown>) => {
    started.push({ file, args, options });
    return child;
  }) as unknown as typeof spawn;
  return { child, started, listeners, ends, proc, start };
}

describe('the CLI launcher', () => {
  it('starts Node again with the pool size, the same options, script and arguments, stdio inherited and an IPC channel', () => {
    const f = fakes();
    void relaunchWithPool(1, f.proc, f.start);
    expect(f.started).toHaveLength(1);
    const { file, args, options } = f.started[0]!;
    expect(file).toBe('/usr/bin/node');
    expect(args).toEqual(['--enable-source-maps', '--v8-pool-size=1', '/x/cli.js', 'run', '--kernel', 'k.elf']);
    expect(options.stdio).toEqual(['inherit', 'inherit', 'inherit', 'ipc']);
    expect(options.env).toEqual({ HOME: '/root', [RELAUNCHED_ENV]: '1' });
  });

  it('passes its signals on, and ends with the child\'s status', () => {
    const f = fakes();
    void relaunchWithPool(2, f.proc, f.start);
    expect([...f.listeners.keys()].sort()).toEqual([...FORWARDED_SIGNALS].sort());
    f.listeners.get('SIGINT')!();
    f.listeners.get('SIGUSR1')!();
    f.listeners.get('SIGTERM')!();
    expect(f.child.killed).toEqual(['SIGINT', 'SIGUSR1', 'SIGTERM']);
    expect(() => f.child.emit('exit', 6, null)).toThrow(Exited);
    expect(f.ends).toEqual([6]);
    expect(f.listeners.size).toBe(0);
  });

  it('ends by the signal that ended the child (or with 128 + its number should that not end it)', () => {
    const f = fakes();
    void relaunchWithPool(1, f.proc, f.start);
    expect(() => f.child.emit('exit', null, 'SIGTERM')).toThrow(Exited);
    expect(f.ends).toEqual(['kill 4242 SIGTERM', 128 + 15]);
    expect(f.listeners.size).toBe(0);
  });

  it('after the child started, an error (a signal it could not pass on) changes nothing', async () => {
    const f = fakes();
    let resolved = false;
    void relaunchWithPool(1, f.proc, f.start).then(() => { resolved = true; });
    f.child.emit('spawn');
    f.child.emit('error', new Error('kill ESRCH'));
    await new Promise((r) => setTimeout(r, 10));
    expect(resolved).toBe(false);
    expect(f.listeners.size).toBe(FORWARDED_SIGNALS.length);
    expect(() => f.child.emit('exit', 0, null)).toThrow(Exited);
    expect(f.ends).toEqual([0]);
  });

  it('resolves with the error when the child cannot be started, its listeners removed', async () => {
    const f = fakes();
    const done = relaunchWithPool(1, f.proc, f.start);
    f.child.emit('error', new Error('spawn ENOMEM'));
    expect((await done).message).toBe('spawn ENOMEM');
    expect(f.listeners.size).toBe(0);
    expect(f.ends).toEqual([]);
  });
});
