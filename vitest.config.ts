import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests run against the TypeScript sources of every package, so `pnpm test` needs no build step.
export default defineConfig({
  resolve: {
    alias: {
      '@kvm-mte/aarch64-cpu': pkg('aarch64-cpu'),
      '@kvm-mte/mmu': pkg('mmu'),
      '@kvm-mte/mte-tags': pkg('mte-tags'),
      '@kvm-mte/kvm-core': pkg('kvm-core'),
      '@kvm-mte/vmm-lite': pkg('vmm-lite'),
    },
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'guests/**/*.test.ts', 'fuzz/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
