#!/usr/bin/env node
// The layer check: packages depend only on packages to their left in
//   aarch64-cpu ← mmu ← mte-tags ← kvm-core ← vmm-lite
// It fails on (1) a declared dependency against that direction, (2) an import of a workspace package against it,
// (3) an import of a package the importing package does not declare, (4) a relative import that leaves the package,
// and (5) a cycle among the workspace's declared dependencies.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve, dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LAYERS = ['aarch64-cpu', 'mmu', 'mte-tags', 'kvm-core', 'vmm-lite'];
const SCOPE = '@kvm-mte/';
const BUILTINS = new Set(builtinModules);

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

function listFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listFiles(p, out);
    else if (/\.(m?[jt]sx?|cts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier a source file imports, statically or dynamically. */
export function importsOf(source) {
  const specs = [];
  const re = /(?:\bimport\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?|\bexport\s+(?:type\s+)?[^'";]*?\sfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g;
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(re)) specs.push(m[1]);
  return specs;
}

const packageOf = (spec) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
const isTestFile = (p) => /\.test\.[jt]s$/.test(p) || p.split(sep).includes('testing') || p.split(sep).includes('test');

/** Workspace packages: name → { dir, pkg }. */
function workspacePackages(root) {
  const found = new Map();
  for (const group of ['packages', 'examples']) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const pj = join(base, name, 'package.json');
      if (existsSync(pj)) found.set(readJson(pj).name, { dir: join(base, name), pkg: readJson(pj) });
    }
  }
  for (const extra of ['guests', 'fuzz']) {
    const pj = join(root, extra, 'package.json');
    if (existsSync(pj)) found.set(readJson(pj).name, { dir: join(root, extra), pkg: readJson(pj) });
  }
  return found;
}

export function checkLayers(root) {
  const problems = [];
  const rootPkg = readJson(join(root, 'package.json'));
  const rootDev = new Set(Object.keys({ ...rootPkg.dependencies, ...rootPkg.devDependencies }));
  const ws = workspacePackages(root);
  const rank = (name) => (name.startsWith(SCOPE) ? LAYERS.indexOf(name.slice(SCOPE.length)) : -1);

  for (const [name, { dir, pkg }] of ws) {
    const r = rank(name);
    const deps = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }));
    const devDeps = new Set(Object.keys({ ...pkg.devDependencies }));
    // (1) declared dependencies against the direction
    if (r >= 0) {
      for (const d of [...deps, ...devDeps]) {
        const dr = rank(d);
        if (dr >= r) problems.push(`${name} declares a dependency on ${d}, which is not to its left (${LAYERS.join(' <- ')})`);
        else if (d.startsWith(SCOPE) && dr < 0 && ws.has(d)) problems.push(`${name} declares a dependency on ${d}, which is not a layer`);
      }
    }
    for (const file of listFiles(join(dir, 'src')).concat(listFiles(join(dir, 'test')))) {
      const rel = relative(root, file);
      const test = isTestFile(file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) {
          const target = resolve(dirname(file), spec);
          if (!target.startsWith(dir + sep)) problems.push(`${rel} imports ${spec}, which leaves package ${name}`);
          continue;
        }
        if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(packageOf(spec))) continue;
        const dep = packageOf(spec);
        if (dep === name) { problems.push(`${rel} imports its own package ${spec} by name`); continue; }
        const dr = rank(dep);
        if (r >= 0 && dep.startsWith(SCOPE) && dr >= r) {
          problems.push(`${rel} imports ${dep}, which is not to the left of ${name} (${LAYERS.join(' <- ')})`);
          continue;
        }
        const declared = deps.has(dep) || (test && (devDeps.has(dep) || rootDev.has(dep)));
        if (!declared) problems.push(`${rel} imports ${dep}, which ${name} does not declare${test ? '' : ' in dependencies'}`);
      }
    }
  }

  // (5) cycles among declared workspace dependencies
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    const { pkg } = ws.get(n);
    for (const d of Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies })) {
      if (!ws.has(d)) continue;
      if (state.get(d) === 1) problems.push(`dependency cycle: ${[...stack.slice(stack.indexOf(d)), d].join(' -> ')}`);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of ws.keys()) if (!state.has(n)) visit(n);

  for (const layer of LAYERS) if (!ws.has(SCOPE + layer)) problems.push(`missing layer package ${SCOPE}${layer}`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = checkLayers(root);
  if (problems.length) {
    for (const p of problems) console.error(`layer check: ${p}`);
    process.exit(1);
  }
  console.log(`layer check: ${LAYERS.join(' <- ')}: no violations`);
}
