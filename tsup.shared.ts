import type { Options } from 'tsup';

/**
 * Declaration build options: `stripInternal` leaves every member marked `@internal` out of the published `.d.ts`
 * (scripts/check-packages.mjs checks that none is left).
 */
export const dtsCompilerOptions = { stripInternal: true };

/** The build every package shares: ESM with type declarations and source maps, for Node 20. */
export function packageBuild(entry: string[] = ['src/index.ts']): Options {
  return { entry, format: ['esm'], dts: { compilerOptions: dtsCompilerOptions }, clean: true, sourcemap: true, target: 'node20' };
}
