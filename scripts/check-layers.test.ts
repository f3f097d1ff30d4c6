import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { checkLayers, importsOf, LAYERS } from './check-layers.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const left = (layer: string) => LAYERS.slice(0, LAYERS.indexOf(layer)) as string[];

/** A minimal, valid five-layer monorepo in a temp dir; `mutate` then breaks it. */
function fixture(mutate: (write: (path: string, text: string) => void) => void): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  const write = (p: string, text: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  write('package.json', JSON.stringify({ name: 'root', devDependencies: { vitest: '4' } }));
  for (const layer of LAYERS as string[]) {
    const deps = Object.fromEntries(left(layer).map((l) => [`@kvm-mte/${l}`, 'workspace:^']));
    write(`packages/${layer}/package.json`, JSON.stringify({ name: `@kvm-mte/${layer}`, dependencies: deps }));
    const below = left(layer).at(-1);
    write(`packages/${layer}/src/index.ts`, below ? `import { x } from '@kvm-mte/${below}';\nexport const y = x;\n` : 'export const x = 1;\n');
    write(`packages/${layer}/src/index.test.ts`, `import { it } from 'vitest';\nit('ok', () => {});\n`);
  }
  mutate(write);
  roots.push(root);
  return root;
}
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('layer check', () => {
  it('passes on this repository', () => {
    expect(checkLayers(repoRoot)).toEqual([]);
  });

  it('passes on a valid fixture', () => {
    expect(checkLayers(fixture(() => {}))).toEqual([]);
  });

  it('catches an import against the direction', () => {
    const root = fixture((w) => w('packages/mmu/src/bad.ts', "import { Vm } from '@kvm-mte/kvm-core';\n"));
    expect(checkLayers(root)).toEqual([expect.stringMatching(/mmu\/src\/bad\.ts imports @kvm-mte\/kvm-core, which is not to the left/)]);
  });

  it('catches a dynamic import and a re-export against the direction', () => {
    const root = fixture((w) => {
      w('packages/aarch64-cpu/src/dyn.ts', "export const m = () => import('@kvm-mte/mmu');\n");
      w('packages/mte-tags/src/re.ts', "export { Vm } from '@kvm-mte/vmm-lite';\n");
    });
    expect(checkLayers(root)).toHaveLength(2);
  });

  it('catches a declared dependency against the direction, and the cycle it makes', () => {
    const root = fixture((w) => w('packages/aarch64-cpu/package.json',
      JSON.stringify({ name: '@kvm-mte/aarch64-cpu', dependencies: { '@kvm-mte/mmu': 'workspace:^' } })));
    const problems = checkLayers(root);
    expect(problems).toContainEqual(expect.stringMatching(/aarch64-cpu declares a dependency on @kvm-mte\/mmu/));
    expect(problems).toContainEqual(expect.stringMatching(/dependency cycle: .*aarch64-cpu.*mmu/));
  });

  it('catches an import of an undeclared package', () => {
    const root = fixture((w) => w('packages/kvm-core/src/x.ts', "import leftPad from 'left-pad';\nexport { leftPad };\n"));
    expect(checkLayers(root)).toEqual([expect.stringMatching(/imports left-pad, which @kvm-mte\/kvm-core does not declare/)]);
  });

  it('allows root dev dependencies in tests only', () => {
    const root = fixture((w) => w('packages/mmu/src/prod.ts', "import { it } from 'vitest';\nexport { it };\n"));
    expect(checkLayers(root)).toEqual([expect.stringMatching(/mmu\/src\/prod\.ts imports vitest/)]);
  });

  it('catches a layer skipping its declaration (importing a lower layer it did not declare)', () => {
    const root = fixture((w) => w('packages/mmu/package.json', JSON.stringify({ name: '@kvm-mte/mmu' })));
    expect(checkLayers(root)).toEqual([expect.stringMatching(/mmu\/src\/index\.ts imports @kvm-mte\/aarch64-cpu, which @kvm-mte\/mmu does not declare/)]);
  });

  it('catches a relative import that reaches into another package', () => {
    const root = fixture((w) => w('packages/mmu/src/deep.ts', "export * from '../../kvm-core/src/index.js';\n"));
    expect(checkLayers(root)).toEqual([expect.stringMatching(/leaves package @kvm-mte\/mmu/)]);
  });

  it('catches a cycle among non-layer workspace packages', () => {
    const root = fixture((w) => {
      w('examples/a/package.json', JSON.stringify({ name: 'ex-a', dependencies: { 'ex-b': 'workspace:^' } }));
      w('examples/b/package.json', JSON.stringify({ name: 'ex-b', dependencies: { 'ex-a': 'workspace:^' } }));
    });
    expect(checkLayers(root)).toContainEqual(expect.stringMatching(/dependency cycle: ex-a -> ex-b -> ex-a/));
  });

  it('reads every import form and ignores comments', () => {
    const src = `import a from 'a';\nimport type { B } from "b";\nimport 'c';\nexport * from 'd';\nconst e = await import('e');\n// import x from 'commented';\n/* import y from 'block'; */\nconst f = require('f');`;
    expect(importsOf(src)).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });
});
