import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { checkManifests, HOMEPAGE, MIN_TYPESCRIPT, readmeExamples, REPO_URL, BUGS_URL } from './check-packages.mjs';
// @ts-expect-error: a plain .mjs script without type declarations
import { LAYERS } from './check-layers.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const LICENSE = 'MIT License\n\nCopyright (c) 2026 the kvm-mte authors\n';
const README = (name: string) =>
  `# @kvm-mte/${name}\n\nESM-only. TypeScript ${MIN_TYPESCRIPT} or later.\n\n<!-- example: checked -->\n\`\`\`ts\nimport '@kvm-mte/${name}';\n\`\`\`\n`;

/** Five valid packages in a temp dir; `mutate` then breaks one thing. */
function fixture(mutate: (write: (path: string, text: string) => void) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'packages-'));
  roots.push(root);
  const write = (p: string, text: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  write('package.json', JSON.stringify({ name: 'root', engines: { node: '>=20.19' } }));
  write('LICENSE', LICENSE);
  (LAYERS as string[]).forEach((name, i) => {
    const below = (LAYERS as string[]).slice(0, i).map((l) => `@kvm-mte/${l}`);
    write(`packages/${name}/package.json`, JSON.stringify({
      name: `@kvm-mte/${name}`, description: `the ${name} layer of the fixture`, keywords: ['x'], license: 'MIT',
      repository: { type: 'git', url: REPO_URL, directory: `packages/${name}` }, homepage: HOMEPAGE(name),
      bugs: { url: BUGS_URL }, engines: { node: '>=20.19' }, type: 'module', files: ['dist', 'README.md', 'LICENSE'],
      dependencies: Object.fromEntries(below.map((d) => [d, 'workspace:^'])),
    }));
    write(`packages/${name}/LICENSE`, LICENSE);
    write(`packages/${name}/README.md`, README(name));
    write(`packages/${name}/src/index.ts`, below.map((d) => `import '${d}';\n`).join('') + 'export const x = 1;\n');
  });
  mutate(write);
  return root;
}
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

const editJson = (root: string, p: string, edit: (j: Record<string, unknown>) => void) => {
  const j = JSON.parse(readFileSync(join(root, p), 'utf8'));
  edit(j);
  return JSON.stringify(j);
};

describe('package check (manifests, LICENSE, READMEs)', () => {
  it('passes on this repository', () => {
    expect(checkManifests(repoRoot)).toEqual([]);
  });

  it('passes on a valid fixture', () => {
    expect(checkManifests(fixture(() => {}))).toEqual([]);
  });

  it('catches missing or inconsistent repository, homepage, bugs, engines and description', () => {
    let root = '';
    root = fixture((w) => w('packages/mmu/package.json', editJson(root, 'packages/mmu/package.json', (j) => {
      j.repository = { type: 'git', url: REPO_URL, directory: 'packages/kvm-core' };
      j.homepage = 'https://example.com';
      delete j.bugs;
      j.engines = { node: '>=18' };
      delete j.description;
    })));
    const problems = checkManifests(root);
    expect(problems).toEqual([
      '@kvm-mte/mmu: no description',
      expect.stringMatching(/^@kvm-mte\/mmu: repository must be .*directory: 'packages\/mmu'/),
      expect.stringMatching(/^@kvm-mte\/mmu: homepage must be/),
      expect.stringMatching(/^@kvm-mte\/mmu: bugs\.url must be/),
      expect.stringMatching(/^@kvm-mte\/mmu: engines .* differ from the root's/),
    ]);
  });

  it('catches a package without LICENSE (file, files entry, or a different text)', () => {
    let root = '';
    root = fixture((w) => {
      w('packages/kvm-core/LICENSE', 'ISC\n');
      w('packages/vmm-lite/package.json', editJson(root, 'packages/vmm-lite/package.json', (j) => { j.files = ['dist']; }));
    });
    rmSync(join(root, 'packages/mte-tags/LICENSE'));
    expect(checkManifests(root)).toEqual([
      '@kvm-mte/mte-tags: has no LICENSE file',
      '@kvm-mte/kvm-core: LICENSE differs from the root LICENSE',
      '@kvm-mte/vmm-lite: "files" does not list LICENSE',
    ]);
  });

  it('catches a declared dependency the sources never import', () => {
    const root = fixture((w) => w('packages/mte-tags/src/index.ts', "import '@kvm-mte/aarch64-cpu';\nexport const x = 1;\n"));
    expect(checkManifests(root)).toEqual(['@kvm-mte/mte-tags: declares a dependency on @kvm-mte/mmu, which its sources never import']);
  });

  it('does not count an import in a test file as a use', () => {
    const root = fixture((w) => {
      w('packages/mmu/src/index.ts', 'export const x = 1;\n');
      w('packages/mmu/src/index.test.ts', "import '@kvm-mte/aarch64-cpu';\n");
    });
    expect(checkManifests(root)).toEqual(['@kvm-mte/mmu: declares a dependency on @kvm-mte/aarch64-cpu, which its sources never import']);
  });

  it('catches a README without the ESM-only note, the TypeScript minimum or a checked example', () => {
    const root = fixture((w) => w('packages/kvm-core/README.md', '# @kvm-mte/kvm-core\n\n```ts\nnew Kvm();\n```\n'));
    expect(checkManifests(root)).toEqual([
      '@kvm-mte/kvm-core: README does not say the package is ESM-only',
      `@kvm-mte/kvm-core: README does not name the minimum TypeScript (${MIN_TYPESCRIPT})`,
      expect.stringMatching(/^@kvm-mte\/kvm-core: README marks no example/),
    ]);
  });

  it('extracts the marked examples with their README line numbers', () => {
    const md = ['# x', '<!-- example: a -->', '', '```ts', 'const a = 1;', 'const b = 2;', '```', '```ts', 'unmarked', '```',
      '<!-- example -->', '```ts', 'const c = 3;', '```'].join('\n');
    expect(readmeExamples(md)).toEqual([
      { line: 5, code: 'const a = 1;\nconst b = 2;\n' },
      { line: 13, code: 'const c = 3;\n' },
    ]);
    expect(() => readmeExamples('<!-- example -->\n```sh\nls\n```\n')).toThrow(/line 1: an example marker must be followed by a ```ts block/);
  });
});
