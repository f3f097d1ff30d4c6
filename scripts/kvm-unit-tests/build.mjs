// vmm-lite's built entry point for the kvm-unit-tests runner: the packages' dist/ (built by `pnpm build`, which is
// run first when one of them is missing; a stale dist/ is used as it is, so rebuild after changing a package).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES = ['aarch64-cpu', 'mmu', 'mte-tags', 'kvm-core', 'vmm-lite'];

/**
 * The path of packages/vmm-lite/dist/index.js under `root`, building every package first when a dist/ is missing.
 * Throws when the build fails.
 * @param {string} root  the repository
 * @returns {string}
 */
export function builtVmmLite(root) {
  const missing = PACKAGES.filter((p) => !existsSync(join(root, 'packages', p, 'dist', 'index.js')));
  if (missing.length > 0) {
    process.stderr.write(`kvm-unit-tests: no dist/ for ${missing.join(', ')}: running pnpm build\n`);
    const b = spawnSync('pnpm', ['build'], { cwd: root, stdio: ['ignore', 2, 2] });
    if (b.status !== 0) throw new Error(`pnpm build failed (${b.error?.message ?? `status ${b.status}`})`);
  }
  return join(root, 'packages', 'vmm-lite', 'dist', 'index.js');
}
