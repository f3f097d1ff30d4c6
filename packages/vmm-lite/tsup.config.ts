import { defineConfig } from 'tsup';
import { dtsCompilerOptions, packageBuild } from '../../tsup.shared.js';

// Two entries: the library (src/index.ts, with type declarations) and the CLI (src/cli.ts → dist/cli.js; tsup keeps
// its #! line and makes the file executable).
export default defineConfig({ ...packageBuild(['src/index.ts', 'src/cli.ts']), dts: { entry: 'src/index.ts', compilerOptions: dtsCompilerOptions } });
