#!/usr/bin/env node
// The vmm-lite executable: `vmm-lite run --kernel FILE ...` (see cli-core.ts and README.md).
import { EXIT, runCli } from './cli-core.js';

process.on('SIGINT', () => {
  process.stderr.write('\nvmm-lite: interrupted\n');
  process.exit(EXIT.INTERRUPTED);
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: (bytes) => process.stdout.write(bytes),
  stderr: (text) => process.stderr.write(text),
});
