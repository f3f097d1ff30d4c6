#!/usr/bin/env node
// The vmm-lite executable: `vmm-lite run|snapshot|restore|inspect ...` (cli-main.ts, cli-core.ts, README.md).
//
// First the size of V8's worker pool (v8-pool.ts): when the plan for this host differs from what Node started with,
// Node is started again with it (relaunch.ts) and this process only waits for that one; otherwise, or should the
// start fail, the CLI runs here.
import { availableParallelism } from 'node:os';
import { relaunchWithPool } from './relaunch.js';
import { planV8Pool, V8_POOL_ENV, type V8PoolPlan } from './v8-pool.js';

const plan = ((): V8PoolPlan => {
  try {
    return planV8Pool({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, cpus: availableParallelism(), setting: process.env[V8_POOL_ENV] });
  } catch (e) {
    process.stderr.write(`vmm-lite: ${(e as Error).message}\n`);
    process.exit(1);
  }
})();
if (plan.relaunch && process.platform !== 'win32') {
  const failed = await relaunchWithPool(plan.size);
  process.stderr.write(`vmm-lite: could not start Node with --v8-pool-size=${plan.size} (${failed.message}); running with Node's default pool\n`);
}
await import('./cli-main.js');
