import { defineConfig } from 'tsup';

export default defineConfig({ entry: ['src/main.ts', 'src/linux-worker.ts'], format: ['esm'], clean: true, sourcemap: true, target: 'node20' });
