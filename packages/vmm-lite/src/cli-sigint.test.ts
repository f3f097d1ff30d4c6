// Ctrl-C (SIGINT) ends `vmm-lite run` promptly whatever the guest does: the CLI, bundled from the sources here,
// runs in a child process on a guest that faults on its own exception vector forever (an access without a
// syndrome, aborted every time) with stdin left open, so loop detection stays off and only the signal can end it.
// Both with the launcher starting Node again for V8's worker pool (cli.ts) and without; and a launcher killed
// outright does not leave the VMM it started running.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { A64, SYS } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vmm-lite-sigint-'));
  await build({
    entry: { cli: src('./cli.ts') }, outDir: dir, format: ['esm'], platform: 'node', target: 'node20',
    noExternal: [/^@kvm-mte\//], tsconfig: src('../tsconfig.json'), config: false, dts: false, silent: true, sourcemap: false, splitting: false,
  });
  const vbar = 0x4008_0800;
  const code = new Array<number>(0xa04 / 4).fill(A64.nop());
  [...A64.mov64(2, 0x1000), ...A64.mov64(9, vbar), A64.msr(SYS.VBAR_EL1, 9), A64.isb()].forEach((w, i) => (code[i] = w));
  code[8] = A64.b(vbar + 0x200 - (0x4008_0000 + 32));
  code[0xa00 / 4] = A64.ldp(0, 1, 2); // the synchronous vector: faults on itself
  writeFileSync(join(dir, 'loop.elf'), codeElf(code));
  // A loop that counts in X0 forever: never the same state twice, so loop detection never ends it, stdin or not.
  writeFileSync(join(dir, 'count.elf'), codeElf([A64.addi(0, 0, 1), A64.b(-4)]));
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The fields of /proc/PID/stat after the command name (state, ppid, ...), or undefined for a process that is gone.
 * The name may hold spaces and parentheses, so the fields start after the last ')'.
 */
function procStat(pid: number | string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The pids of `pid`'s children (Linux /proc; empty elsewhere). */
function childrenOf(pid: number): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e) && Number(procStat(e)?.[1]) === pid).map(Number);
}

/** Whether `pid` runs (not gone, not a zombie). */
const alive = (pid: number): boolean => {
  const state = procStat(pid)?.[0];
  return state !== undefined && state !== 'Z';
};

/** CPU time `pid` has used (user + system), in clock ticks; undefined when it is gone. */
const cpuTicks = (pid: number): number | undefined => {
  const f = procStat(pid);
  return f === undefined ? undefined : Number(f[11]) + Number(f[12]);
};

/**
 * Waits until the VMM has run its guest for a while: the process `vmmOf` names has used `ticks` clock ticks of CPU
 * (Node's start-up takes a few), or, without /proc, 1.5 s. CPU time, not a fixed delay, so that a loaded machine's
 * slow start (two Node processes when relaunched) is waited for; at most 30 s.
 */
async function runningGuest(vmmOf: () => number | undefined, ticks = 50): Promise<void> {
  if (!existsSync('/proc/self/stat')) {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return;
  }
  for (const t0 = performance.now(); performance.now() - t0 < 30_000;) {
    const pid = vmmOf();
    if (pid !== undefined && (cpuTicks(pid) ?? 0) >= ticks) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the VMM did not use ${ticks} ticks of CPU within 30 s`);
}

// KVM_MTE_V8_POOL_SIZE=1: the launcher starts Node again with --v8-pool-size=1 (cli.ts, relaunch.ts) and the signal
// reaches the VMM through it; node: one process, as Node started it.
describe.each([['relaunched with --v8-pool-size=1', '1'], ['in one process', 'node']])('vmm-lite run and SIGINT, %s', (_what, pool) => {
  it('a guest faulting on its own vector with live stdin is interrupted within two seconds, with one line', async () => {
    const child = spawn(process.execPath, [join(dir, 'cli.js'), 'run', '--kernel', join(dir, 'loop.elf')],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KVM_MTE_V8_POOL_SIZE: pool } });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
    await runningGuest(() => (pool === '1' ? childrenOf(child.pid!)[0] : child.pid)); // started and deep in the loop
    expect(child.exitCode).toBeNull();
    if (existsSync('/proc/self/stat')) {
      const kids = childrenOf(child.pid!).map((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0'));
      expect(kids.filter((argv) => argv.includes('--v8-pool-size=1'))).toHaveLength(pool === '1' ? 1 : 0);
    }
    const sent = performance.now();
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const { code, at } = await exited;
    clearTimeout(timer);
    expect(code).toBe(130);
    expect(at - sent).toBeLessThan(2000);
    expect(stderr.trim()).toBe('vmm-lite: interrupted');
  }, 30_000);
});

describe.skipIf(!existsSync('/proc/self/stat'))('the CLI launcher killed with SIGKILL', () => {
  it('takes the VMM it started with it: the VMM sees its IPC channel close and ends', async () => {
    const child = spawn(process.execPath, [join(dir, 'cli.js'), 'run', '--kernel', join(dir, 'count.elf')],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KVM_MTE_V8_POOL_SIZE: '1' } });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await runningGuest(() => childrenOf(child.pid!)[0]);
    const vmm = childrenOf(child.pid!);
    expect(vmm).toHaveLength(1);
    expect(alive(vmm[0]!)).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const t0 = performance.now();
    while (alive(vmm[0]!) && performance.now() - t0 < 5000) await new Promise((resolve) => setTimeout(resolve, 50));
    const orphaned = alive(vmm[0]!);
    if (orphaned) process.kill(vmm[0]!, 'SIGKILL'); // (not left running by a failing test)
    expect(orphaned).toBe(false);
  }, 30_000);
});
