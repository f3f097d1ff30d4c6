/**
 * Test support: the child process of the hostile-guest test. Receives one HostileCase over IPC, runs it, sends back
 * { result } or { error } with the process's peak RSS, and exits. The parent (hostile-pool.ts) enforces the wall-clock
 * and RSS bounds, so a guest that hangs the run loop is killed there, not waited for.
 *
 * Two messages test the parent's bounds themselves: { selfTest: 'hang' } spins without yielding, as a run loop that
 * never returns would; { selfTest: 'allocate' } touches memory until it is killed.
 */
import type { HostileCase } from './hostile-gen.js';
import { runHostileCase } from './hostile-run.js';

export type ChildMessage = HostileCase | { selfTest: 'hang' | 'allocate' };

function selfTest(kind: 'hang' | 'allocate'): void {
  const held: Uint8Array[] = [];
  for (let i = 0; ; i++) {
    if (kind === 'allocate' && held.length < 64) held.push(new Uint8Array(16 * 1024 * 1024).fill(i & 0xff));
  }
}

process.once('message', (msg: unknown) => {
  const m = msg as ChildMessage;
  if ('selfTest' in m) return selfTest(m.selfTest);
  const peak = () => process.resourceUsage().maxRSS * 1024;
  runHostileCase(m).then(
    (result) => process.send!({ result, peakRss: peak() }, () => process.exit(0)),
    (e: unknown) => process.send!({ error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e), peakRss: peak() }, () => process.exit(0)),
  );
});
