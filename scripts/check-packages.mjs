#!/usr/bin/env node
// The packaging check: what an npm user of one @kvm-mte package gets.
//
//   node scripts/check-packages.mjs [--no-build] [--keep]      (also: pnpm check:packages)
//
// 1. Manifests (no build, no network; also run by scripts/check-packages.test.ts): every package has a description,
//    keywords, the MIT license, the project's repository/homepage/bugs URLs, the root's engines, a LICENSE file equal
//    to the root's, every dependency it declares imported by its sources, and a README that says the package is
//    ESM-only, names the minimum TypeScript version and marks at least one example for this check.
// 2. Builds the packages (`pnpm -r build`), packs each with `pnpm pack` into a temporary directory, and installs the
//    tarballs with npm into a scratch project in os.tmpdir() (package.json "type": "module"), together with
//    typescript@MIN_TYPESCRIPT and the workspace's @types/node.
// 3. Checks the installed packages: LICENSE and README in each tarball, no `@internal` left in the declarations,
//    `require()` refused (ESM-only, as the READMEs say), `import` works, the vmm-lite bin runs a guest.
// 4. Every README example marked `<!-- example: ... -->` (the ```ts block right after the marker) is written to its own
//    file, type-checked with strict settings against the packed declarations by TypeScript MIN_TYPESCRIPT and by the
//    workspace's TypeScript, compiled to JavaScript and run with node (cwd: the repository, so guests/bin/... paths
//    resolve). A failure names the package, the README line of the example and the compiler's or node's message.
// The scratch directory is removed at the end (--keep leaves it and prints where); nothing is written to the
// repository but the packages' dist/ (the build).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importsOf, LAYERS } from './check-layers.mjs';

/** The oldest TypeScript the published declarations support (the READMEs say so). */
export const MIN_TYPESCRIPT = '5.0';
export const REPO_URL = 'git+https://github.com/kvm-mte/kvm-mte.git';
export const HOMEPAGE = (name) => `https://github.com/kvm-mte/kvm-mte/tree/main/packages/${name}#readme`;
export const BUGS_URL = 'https://github.com/kvm-mte/kvm-mte/issues';
const SCOPE = '@kvm-mte/';
/** The line that marks the ```ts block after it as a checked example. */
const EXAMPLE_MARKER = /^<!--\s*example\b.*-->\s*$/;

const readJson = (p) => JSON.parse(readFileSync(p, 'utf8'));

/** The examples a README marks: `{ line, code }` with `line` the README line (1-based) of the first code line. */
export function readmeExamples(markdown) {
  const lines = markdown.split('\n');
  const examples = [];
  for (let i = 0; i < lines.length; i++) {
    if (!EXAMPLE_MARKER.test(lines[i])) continue;
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    if (!/^```ts\s*$/.test(lines[j] ?? '')) throw new Error(`line ${i + 1}: an example marker must be followed by a \`\`\`ts block`);
    const end = lines.findIndex((l, k) => k > j && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`line ${j + 1}: the example's \`\`\`ts block is not closed`);
    examples.push({ line: j + 2, code: lines.slice(j + 1, end).join('\n') + '\n' });
    i = end;
  }
  return examples;
}

function sourceFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'testing') sourceFiles(p, out);
    } else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) out.push(p);
  }
  return out;
}

/** Step 1: the problems with every package's manifest, LICENSE and README (an empty list when all is well). */
export function checkManifests(root) {
  const problems = [];
  const rootPkg = readJson(join(root, 'package.json'));
  const rootLicense = existsSync(join(root, 'LICENSE')) ? readFileSync(join(root, 'LICENSE'), 'utf8') : undefined;
  if (rootLicense === undefined) problems.push('the repository has no LICENSE');
  else if (!/^MIT License\b/.test(rootLicense) || !rootLicense.includes('the kvm-mte authors')) {
    problems.push('LICENSE is not the MIT license of "the kvm-mte authors"');
  }
  for (const name of LAYERS) {
    const dir = join(root, 'packages', name);
    const pkg = readJson(join(dir, 'package.json'));
    const say = (what) => problems.push(`${SCOPE}${name}: ${what}`);
    if (pkg.name !== SCOPE + name) say(`package.json names it ${pkg.name}`);
    if (typeof pkg.description !== 'string' || pkg.description.length < 20) say('no description');
    if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0) say('no keywords');
    if (pkg.license !== 'MIT') say(`license is ${pkg.license}, not MIT`);
    const repo = pkg.repository ?? {};
    if (repo.type !== 'git' || repo.url !== REPO_URL || repo.directory !== `packages/${name}`) {
      say(`repository must be { type: 'git', url: '${REPO_URL}', directory: 'packages/${name}' }`);
    }
    if (pkg.homepage !== HOMEPAGE(name)) say(`homepage must be ${HOMEPAGE(name)}`);
    if (pkg.bugs?.url !== BUGS_URL) say(`bugs.url must be ${BUGS_URL}`);
    if (JSON.stringify(pkg.engines) !== JSON.stringify(rootPkg.engines)) say(`engines ${JSON.stringify(pkg.engines)} differ from the root's ${JSON.stringify(rootPkg.engines)}`);
    if (pkg.type !== 'module') say('is not "type": "module"');
    if (!Array.isArray(pkg.files) || !pkg.files.includes('LICENSE')) say('"files" does not list LICENSE');
    const license = join(dir, 'LICENSE');
    if (!existsSync(license)) say('has no LICENSE file');
    else if (rootLicense !== undefined && readFileSync(license, 'utf8') !== rootLicense) say('LICENSE differs from the root LICENSE');

    const imported = new Set();
    for (const file of sourceFiles(join(dir, 'src'))) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
    }
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
      if (!imported.has(dep)) say(`declares a dependency on ${dep}, which its sources never import`);
    }

    const readme = existsSync(join(dir, 'README.md')) ? readFileSync(join(dir, 'README.md'), 'utf8') : '';
    if (!readme) { say('has no README.md'); continue; }
    if (!/ESM-only/.test(readme)) say('README does not say the package is ESM-only');
    if (!readme.includes(`TypeScript ${MIN_TYPESCRIPT}`)) say(`README does not name the minimum TypeScript (${MIN_TYPESCRIPT})`);
    try {
      if (readmeExamples(readme).length === 0) say('README marks no example for this check (<!-- example: ... --> before a ```ts block)');
    } catch (e) {
      say(`README: ${e.message}`);
    }
  }
  return problems;
}

class CheckFailed extends Error {}

/** Run a command; on failure throw with `what` and its output. Returns stdout. */
function run(what, cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw new CheckFailed(`${what}: ${cmd} could not run: ${r.error.message}`);
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    throw new CheckFailed(`${what} failed (${r.signal ? `signal ${r.signal}` : `exit status ${r.status}`}):\n${out}`);
  }
  return r.stdout;
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', lib: ['ES2022'], module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'],
    strict: true, noUncheckedIndexedAccess: true, skipLibCheck: false, rootDir: 'examples', outDir: 'out',
  },
  include: ['examples'],
};

/** Rewrite tsc's `examples/<file>.ts(L,C)` locations into the README they came from. */
function locate(output, origin) {
  return output.replace(/examples\/([\w.-]+)\.ts\((\d+),(\d+)\)/g, (all, file, l, c) => {
    const o = origin.get(file);
    return o ? `${o.pkg} README.md:${o.line + Number(l) - 1}:${c} (example at line ${o.line})` : all;
  });
}

function checkPackages(root, { build, keep }) {
  const log = (s) => console.log(`check:packages: ${s}`);
  const t0 = Date.now();
  const manifestProblems = checkManifests(root);
  if (manifestProblems.length) throw new CheckFailed(manifestProblems.join('\n'));
  log(`manifests, LICENSE files and READMEs of ${LAYERS.length} packages: ok`);

  if (build) {
    run('pnpm -r build (the packages)', 'pnpm', ['-r', '--filter', './packages/*', 'build'], { cwd: root });
    log(`built (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }

  const scratch = mkdtempSync(join(tmpdir(), 'kvm-mte-packages-'));
  try {
    const tarballs = join(scratch, 'tarballs');
    mkdirSync(tarballs);
    for (const name of LAYERS) {
      const dir = join(root, 'packages', name);
      if (!existsSync(join(dir, 'dist', 'index.d.ts'))) throw new CheckFailed(`${SCOPE}${name}: no dist/index.d.ts (build first, or drop --no-build)`);
      run(`pnpm pack of ${SCOPE}${name}`, 'pnpm', ['pack', '--pack-destination', tarballs], { cwd: dir });
    }
    const packed = readdirSync(tarballs).filter((f) => f.endsWith('.tgz')).map((f) => join(tarballs, f));
    if (packed.length !== LAYERS.length) throw new CheckFailed(`expected ${LAYERS.length} tarballs, found ${packed.length}`);

    const project = join(scratch, 'project');
    mkdirSync(join(project, 'examples'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'kvm-mte-package-check', private: true, type: 'module' }, null, 2));
    const typesNode = readJson(join(root, 'node_modules', '@types', 'node', 'package.json')).version;
    run('npm install of the tarballs', 'npm', [
      'install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error',
      ...packed, `typescript@${MIN_TYPESCRIPT}`, `@types/node@${typesNode}`,
    ], { cwd: project });
    log(`packed and installed into ${project} with typescript@${MIN_TYPESCRIPT}, @types/node@${typesNode} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

    // 3. What each tarball holds.
    const problems = [];
    for (const name of LAYERS) {
      const installed = join(project, 'node_modules', '@kvm-mte', name);
      for (const f of ['LICENSE', 'README.md', 'dist/index.js', 'dist/index.d.ts']) {
        if (!existsSync(join(installed, f))) problems.push(`${SCOPE}${name}: the tarball has no ${f}`);
      }
      if (existsSync(join(installed, 'src'))) problems.push(`${SCOPE}${name}: the tarball ships src/`);
      const deps = readJson(join(installed, 'package.json')).dependencies ?? {};
      for (const [d, v] of Object.entries(deps)) if (String(v).startsWith('workspace:')) problems.push(`${SCOPE}${name}: packed dependency ${d}@${v}`);
      for (const f of readdirSync(join(installed, 'dist')).filter((f) => f.endsWith('.d.ts'))) {
        const text = readFileSync(join(installed, 'dist', f), 'utf8');
        const at = text.split('\n').findIndex((l) => l.includes('@internal'));
        if (at >= 0) problems.push(`${SCOPE}${name}: dist/${f}:${at + 1} still has an @internal member (stripInternal)`);
      }
    }
    // ESM-only, as the READMEs say: require() is refused, import works.
    writeFileSync(join(project, 'esm-only.cjs'), [
      `const names = ${JSON.stringify(LAYERS.map((n) => SCOPE + n))};`,
      'const bad = [];',
      'for (const n of names) {',
      "  try { require(n); bad.push(n + ': require() loaded it'); } catch (e) { if (e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') bad.push(n + ': require() failed with ' + e.code); }",
      '}',
      'Promise.all(names.map((n) => import(n).then((m) => { if (Object.keys(m).length === 0) bad.push(n + ": import() gave no exports"); })))',
      "  .then(() => { if (bad.length) { console.error(bad.join('\\n')); process.exit(1); } });",
    ].join('\n'));
    try { run('the ESM-only check', process.execPath, ['esm-only.cjs'], { cwd: project }); } catch (e) { problems.push(e.message); }
    // The vmm-lite bin, as `npx vmm-lite` would run it.
    const hello = join(root, 'guests', 'bin', 'hello.elf');
    try {
      const out = run('the installed vmm-lite bin', join(project, 'node_modules', '.bin', 'vmm-lite'), ['run', '--kernel', hello], { cwd: project, timeout: 60_000 });
      if (out.length === 0) problems.push('the installed vmm-lite bin ran hello.elf but the guest printed nothing');
    } catch (e) {
      problems.push(e.message);
    }
    if (problems.length) throw new CheckFailed(problems.join('\n'));
    log('tarballs: LICENSE, README and dist in each, no @internal in the declarations, ESM-only, the vmm-lite bin runs');

    // 4. The README examples.
    const origin = new Map();
    for (const name of LAYERS) {
      readmeExamples(readFileSync(join(root, 'packages', name, 'README.md'), 'utf8')).forEach((ex, i) => {
        const file = `${name}-${i + 1}`;
        origin.set(file, { pkg: SCOPE + name, line: ex.line });
        writeFileSync(join(project, 'examples', `${file}.ts`), ex.code);
      });
    }
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG, null, 2));
    const compilers = [
      { version: MIN_TYPESCRIPT, tsc: join(project, 'node_modules', 'typescript', 'bin', 'tsc'), args: ['--noEmit'] },
      { version: readJson(join(root, 'node_modules', 'typescript', 'package.json')).version, tsc: join(root, 'node_modules', 'typescript', 'bin', 'tsc'), args: [] },
    ];
    for (const { version, tsc, args } of compilers) {
      const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', ...args], { cwd: project, encoding: 'utf8' });
      if (r.status !== 0) throw new CheckFailed(`README examples do not compile with TypeScript ${version}:\n${locate(`${r.stdout}${r.stderr}`.trim(), origin)}`);
      log(`${origin.size} README examples type-check with TypeScript ${version}`);
    }
    for (const [file, o] of origin) {
      const r = spawnSync(process.execPath, [join(project, 'out', `${file}.js`)], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) {
        const why = r.error ? r.error.message : r.signal ? `signal ${r.signal}` : `exit status ${r.status}`;
        problems.push(`${o.pkg} README.md example at line ${o.line} failed when run (${why}):\n${`${r.stdout}${r.stderr}`.trim()}`);
      }
    }
    if (problems.length) throw new CheckFailed(problems.join('\n'));
    log(`${origin.size} README examples run (${((Date.now() - t0) / 1000).toFixed(1)} s in all)`);
  } finally {
    if (keep) log(`kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--no-build' && a !== '--keep');
  if (unknown.length) {
    console.error(`check:packages: unknown option ${unknown[0]} (options: --no-build, --keep)`);
    process.exit(2);
  }
  try {
    checkPackages(root, { build: !args.includes('--no-build'), keep: args.includes('--keep') });
  } catch (e) {
    if (!(e instanceof CheckFailed)) throw e;
    for (const line of e.message.split('\n')) console.error(`check:packages: ${line}`);
    console.error(`check:packages: FAILED (${relative(process.cwd(), root) || '.'})`);
    process.exit(1);
  }
}
