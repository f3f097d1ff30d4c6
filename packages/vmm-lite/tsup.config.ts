import { defineConfig } from 'tsup';

// Two entries: the library (src/index.ts, with type declarations) and the CLI (src/cli.ts → dist/cli.js; tsup keeps
// its #! line and makes the file executable).
export default defineConfig({
  entry: ['src/index.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  clean: true,
  sourcemap: true,
  target: 'node20',
});
