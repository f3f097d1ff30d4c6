// The whole machine in a browser (issue 11): vmm-lite and, through it, every package bundled with esbuild for the
// browser (ESM), refused if anything in it imports a Node module, then run in a V8 context with only a browser
// worker's globals (testing/browser-sandbox.mjs: no process, require, Buffer or setImmediate; no eval or new
// Function, only WebAssembly may be compiled), where it boots hand-assembled guests, takes and restores a snapshot,
// and refuses what the web platform lacks with PlatformErrors.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import type { BrowserRunInput, BrowserRunResult } from './testing/browser-driver.js';
import { A64, PSCI_SYSTEM_OFF, printCode, psciCode } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const LAYERS = ['aarch64-cpu', 'mmu', 'mte-tags', 'kvm-core', 'vmm-lite'];
const SANDBOX = fileURLToPath(new URL('./testing/browser-sandbox.mjs', import.meta.url));
/** `node:anything`, or a bare Node built-in (`fs`, `zlib`, `fs/promises`, ...). */
const NODE_BUILTIN = new RegExp(`^(?:node:.*|(?:${builtinModules.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})(?:/.*)?)$`);

interface Bundle {
  code: string;
  /** `importer imports 'module' (kind)` for every Node module the bundle would need. */
  nodeImports: string[];
  /** Imports left in the output (a browser bundle has none). */
  outputImports: string[];
  /** Source files bundled, relative to the repository. */
  inputs: string[];
}

/**
 * Bundle `entry` (TypeScript, as if it were packages/vmm-lite/src/entry.ts) for the browser as a web app would:
 * esbuild, platform 'browser', format 'esm', the workspace packages from their TypeScript sources (as
 * vitest.config.ts resolves them). Node modules are recorded and left external, so a failure lists every one of
 * them and who imports it.
 */
async function bundleForBrowser(entry: string): Promise<Bundle> {
  const nodeImports: string[] = [];
  const r = await esbuild.build({
    stdin: { contents: entry, loader: 'ts', resolveDir: `${ROOT}packages/vmm-lite/src`, sourcefile: 'entry.ts' },
    bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent',
    plugins: [{
      name: 'workspace-sources-and-node-builtins',
      setup(b) {
        b.onResolve({ filter: /^@kvm-mte\/[\w-]+$/ }, (a) => ({ path: `${ROOT}packages/${a.path.slice('@kvm-mte/'.length)}/src/index.ts` }));
        b.onResolve({ filter: NODE_BUILTIN }, (a) => {
          nodeImports.push(`${relative(ROOT, a.importer) || a.importer} imports '${a.path}' (${a.kind})`);
          return { path: a.path, external: true };
        });
      },
    }],
  });
  const out = Object.values(r.metafile.outputs)[0]!;
  return {
    code: r.outputFiles[0]!.text,
    nodeImports,
    outputImports: out.imports.map((i) => `${i.path} (${i.kind})`),
    inputs: Object.keys(r.metafile.inputs),
  };
}

const HELLO = 'Hello from a browser worker\n';

/** Run `bundle`'s runInBrowser in the sandbox (a child node: vm modules need --experimental-vm-modules). */
function runInSandbox(bundle: string, data: BrowserRunInput): BrowserRunResult {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, ['--experimental-vm-modules', '--no-warnings', SANDBOX], {
    input: JSON.stringify({ bundle, call: 'runInBrowser', data }), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, env,
  });
  if (r.status !== 0) throw new Error(`the sandbox failed (${r.error?.message ?? (r.signal !== null ? `signal ${r.signal}` : `status ${r.status}`)}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as BrowserRunResult;
}

describe('vmm-lite in a browser', () => {
  it('every package bundles for the browser with no Node module, and the bundle boots guests with only web globals', async () => {
    // The library's entry, and the code that runs in the sandbox (it imports the library's exports from index.ts).
    const b = await bundleForBrowser("export * from './index.js';\nexport { runInBrowser } from './testing/browser-driver.js';\n");
    expect(b.nodeImports, 'library modules importing Node modules (use the Platform, platform.ts)').toEqual([]);
    expect(b.outputImports).toEqual([]);
    for (const layer of LAYERS) expect(b.inputs.some((f) => f.startsWith(`packages/${layer}/src/`)), layer).toBe(true);

    const hello = codeElf([...printCode(HELLO), ...psciCode(PSCI_SYSTEM_OFF)]);
    const loop = codeElf([A64.addi(0, 0, 1), A64.b(-4)]);
    const split = 20; // instructions: part of the greeting is printed before the snapshot, the rest after it
    const r = runInSandbox(b.code, { hello: [...hello], loop: [...loop], split });

    expect(r.globals).toEqual({ process: 'undefined', require: 'undefined', Buffer: 'undefined', setImmediate: 'undefined', global: 'undefined', module: 'undefined', __dirname: 'undefined' });
    expect(r.platform).toBe('web');
    expect(r.run).toEqual({ outcome: 'shutdown', serial: HELLO, streamed: HELLO });
    // Three rounds of 1,000,000 instructions, a yield (a MessageChannel message) after each but the last.
    expect(r.loop).toEqual({ outcome: 'instruction-limit', instructions: 2_500_001, channels: 2 });

    expect(r.snapshot.first).toBe('instruction-limit');
    expect(r.snapshot.rest).toBe('shutdown');
    expect(r.snapshot.firstSerial.length).toBeGreaterThan(0);
    expect(r.snapshot.firstSerial.length).toBeLessThan(HELLO.length);
    expect(r.snapshot.firstSerial + r.snapshot.restSerial).toBe(HELLO);
    // The JavaScript SHA-256 agrees with node:crypto.
    expect(r.snapshot.kernelSha256).toBe(createHash('sha256').update(hello).digest('hex'));

    expect(r.refused.gzip).toBe('PlatformError: gunzip is not available on the web platform: a gzip-compressed kernel needs it: decompress the kernel first, or give the machine a platform with gunzip');
    expect(r.refused.png).toBe('PlatformError: deflate is not available on the web platform: a PNG screenshot needs it: give the machine a platform with deflate, or use framebuffer.toRgba()');
    expect(r.refused.nodePlatform).toMatch(/^PlatformError: node:zlib is not available on the web platform: nodePlatform\(\) needs Node/);
    expect(r.refused.fileSource).toMatch(/^PlatformError: node:fs is not available on the web platform: snapshot files need Node/);
    // The sandbox refuses code generation from strings (a CSP with 'wasm-unsafe-eval' only): the machine needs none.
    expect(r.evalRefused).toBe('EvalError');
  });

  it('the check names every Node module a bundled file imports, statically, dynamically or with require', async () => {
    const b = await bundleForBrowser(
      `import { deflateSync } from 'node:zlib';\nimport * as fs from 'fs';\nexport const f = () => [deflateSync, fs, import('node:crypto'), require('path')];\n`,
    );
    expect(b.nodeImports).toEqual([
      "packages/vmm-lite/src/entry.ts imports 'node:zlib' (import-statement)",
      "packages/vmm-lite/src/entry.ts imports 'fs' (import-statement)",
      "packages/vmm-lite/src/entry.ts imports 'node:crypto' (dynamic-import)",
      "packages/vmm-lite/src/entry.ts imports 'path' (require-call)",
    ]);
  });
});
