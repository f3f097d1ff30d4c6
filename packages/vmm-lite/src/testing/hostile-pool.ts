/**
 * Test support: run hostile cases each in its own child process, under a hard wall-clock bound and an RSS bound, so
 * that a guest which hangs the run loop (no yield, so no timer in that process could fire) or makes the model
 * allocate without bound is killed and reported instead of hanging or exhausting the test host.
 *
 * The tests run against the TypeScript sources, which plain `node` cannot load; `prepareChildModules` transpiles the
 * five packages' sources (TypeScript's transpileModule, no type check) into a scratch node_modules/@kvm-mte tree
 * once per test file, and each child runs testing/hostile-child.js from there.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { ChildMessage } from './hostile-child.js';
import type { HostileCase } from './hostile-gen.js';
import type { HostileRunResult } from './hostile-run.js';

const PACKAGES = ['aarch64-cpu', 'mmu', 'mte-tags', 'kvm-core', 'vmm-lite'];

export interface ChildModules {
  /** The child's entry point (hostile-child.js). */
  entry: string;
  /** Remove the scratch tree. */
  dispose(): void;
}

/** Transpile every package's non-test sources into a scratch directory runnable by plain `node`. */
export function prepareChildModules(): ChildModules {
  const packagesDir = fileURLToPath(new URL('../../../', import.meta.url));
  const root = mkdtempSync(join(tmpdir(), 'kvm-mte-hostile-'));
  for (const name of PACKAGES) {
    const src = join(packagesDir, name, 'src');
    const out = join(root, 'node_modules', '@kvm-mte', name);
    const walk = (dir: string): void => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts')) {
          const js = ts.transpileModule(readFileSync(p, 'utf8'), {
            compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: true },
            fileName: p,
          }).outputText;
          const target = join(out, p.slice(src.length + 1).replace(/\.ts$/, '.js'));
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, js);
        }
      }
    };
    walk(src);
    writeFileSync(join(out, 'package.json'), JSON.stringify({ name: `@kvm-mte/${name}`, type: 'module', main: 'index.js' }));
  }
  return {
    entry: join(root, 'node_modules', '@kvm-mte', 'vmm-lite', 'testing', 'hostile-child.js'),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface CaseBounds {
  /** Kill the child after this many milliseconds. */
  timeoutMs: number;
  /** Kill the child when its resident set exceeds this many bytes. */
  rssLimit: number;
}

export type CaseReport = { peakRss: number; wallMs: number } & (
  | { kind: 'ok'; result: HostileRunResult }
  | { kind: 'threw'; error: string }
  | { kind: 'timeout' }
  | { kind: 'rss-limit' }
  | { kind: 'died'; code: number | null; signal: string | null; stderr: string }
);

/** A process's resident set in bytes from /proc (Linux), or undefined elsewhere or once it is gone. */
function residentBytes(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Run `c` (a case, or a self-test of these bounds) in a fresh child process under `bounds`. Never rejects. */
export function runCaseInChild(entry: string, c: ChildMessage, bounds: CaseBounds): Promise<CaseReport> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = fork(entry, [], { execArgv: ['--max-old-space-size=2048'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
    let peakRss = 0;
    let verdict: 'timeout' | 'rss-limit' | undefined;
    let reply: { result?: HostileRunResult; error?: string; peakRss: number } | undefined;
    const kill = (why: 'timeout' | 'rss-limit') => {
      verdict ??= why;
      child.kill('SIGKILL');
    };
    const sample = () => {
      const rss = child.pid === undefined ? undefined : residentBytes(child.pid);
      if (rss !== undefined) peakRss = Math.max(peakRss, rss);
      if (peakRss > bounds.rssLimit) kill('rss-limit');
    };
    const poll = setInterval(sample, 25);
    const timer = setTimeout(() => kill('timeout'), bounds.timeoutMs);
    child.on('message', (m) => { reply = m as typeof reply; });
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const base = { peakRss: Math.max(peakRss, reply?.peakRss ?? 0), wallMs: performance.now() - t0 };
      if (verdict === undefined && base.peakRss > bounds.rssLimit) verdict = 'rss-limit';
      if (verdict !== undefined) resolve({ ...base, kind: verdict });
      else if (reply?.result !== undefined) resolve({ ...base, kind: 'ok', result: reply.result });
      else if (reply?.error !== undefined) resolve({ ...base, kind: 'threw', error: reply.error });
      else resolve({ ...base, kind: 'died', code, signal, stderr });
    });
    child.send(c);
  });
}

/** Run `cases` with at most `jobs` children at a time; `bounds` per case. Reports in case order. */
export async function runCasesInChildren(entry: string, cases: readonly HostileCase[], jobs: number, bounds: (c: HostileCase) => CaseBounds,
  onReport?: (c: HostileCase, r: CaseReport) => void): Promise<CaseReport[]> {
  const reports = new Array<CaseReport>(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      reports[i] = await runCaseInChild(entry, c, bounds(c));
      onReport?.(c, reports[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, cases.length)) }, worker));
  return reports;
}
