// Ctrl-C (SIGINT) ends `vmm-lite run` promptly whatever the guest does: the CLI, bundled from the sources here,
// runs in a child process on a guest that faults on its own exception vector forever (an access without a
// syndrome, aborted every time) with stdin left open, so loop detection stays off and only the signal can end it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vmm-lite run and SIGINT', () => {
  it('a guest faulting on its own vector with live stdin is interrupted within two seconds, with one line', async () => {
    const child = spawn(process.execPath, [join(dir, 'cli.js'), 'run', '--kernel', join(dir, 'loop.elf')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.on('exit', (code) => resolve({ code, at: performance.now() })));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // started and deep in the loop
    expect(child.exitCode).toBeNull();
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
