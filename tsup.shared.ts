import type { Options } from 'tsup';

/** The build every package shares: ESM with type declarations and source maps, for Node 20. */
export function packageBuild(entry: string[] = ['src/index.ts']): Options {
  return { entry, format: ['esm'], dts: true, clean: true, sourcemap: true, target: 'node20' };
}
