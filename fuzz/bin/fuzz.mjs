#!/usr/bin/env node
// Launcher for the fuzzer CLI (fuzz/src/cli.ts): bundles it with esbuild against the TypeScript sources of every
// @kvm-mte package (so a fix in packages/*/src is fuzzed without `pnpm build`) into fuzz/.build/, then runs it.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, '..', '.build', 'cli.mjs');
mkdirSync(dirname(out), { recursive: true });
const pkg = (name) => join(root, 'packages', name, 'src', 'index.ts');
await build({
  entryPoints: [join(here, '..', 'src', 'cli.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'inline',
  logLevel: 'warning',
  // vmm-lite: only runVirt is used, so bundle run.ts and what it imports rather than the whole package index.
  alias: {
    ...Object.fromEntries(['aarch64-cpu', 'mmu', 'mte-tags', 'kvm-core'].map((n) => [`@kvm-mte/${n}`, pkg(n)])),
    '@kvm-mte/vmm-lite': join(root, 'packages', 'vmm-lite', 'src', 'run.ts'),
  },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
const { main } = await import(pathToFileURL(out).href);
process.exitCode = await main(process.argv.slice(2));
