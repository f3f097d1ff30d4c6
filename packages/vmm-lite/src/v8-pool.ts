/**
 * The size of V8's worker pool for a vmm-lite process (`node --v8-pool-size`): the threads that compile hot
 * WebAssembly with TurboFan, optimise JavaScript and run the garbage collector's concurrent and parallel work.
 *
 * vmm-lite runs every vCPU on the process's main thread. Node starts 4 workers whatever the host has, so on a host
 * with 2 CPUs five threads contend for two, and the vCPU thread loses time to workers that only help it: a Linux boot
 * took 8.4 s against 7.2 s with one worker (nine runs each, alternating; docs/performance.md, eighteenth session).
 * The plan here gives the workers every CPU but the vCPU thread's, at least one and at most Node's default. The pool
 * is fixed when a process starts, so the CLI (cli.ts) starts Node again with the flag when the plan says so; this
 * module only decides, and has no Node imports (the library is bundled for browsers too).
 *
 * `KVM_MTE_V8_POOL_SIZE` overrides the plan: a number of workers (1-64), or `node` to keep Node's default and run
 * in one process. A `--v8-pool-size` the process already has (on its command line or in NODE_OPTIONS) is kept, and
 * so is a process started with `--inspect*` (a debugger attached to it would otherwise see only the launcher).
 */

/** Node's worker pool size when `--v8-pool-size` is not given. */
export const NODE_V8_POOL_SIZE = 4;

/** The largest pool size KVM_MTE_V8_POOL_SIZE may ask for. */
export const MAX_V8_POOL_SIZE = 64;

/** The environment variable that overrides the plan. */
export const V8_POOL_ENV = 'KVM_MTE_V8_POOL_SIZE';

/** Workers for a host with `cpus` CPUs: all but the vCPU thread's, at least 1, at most Node's default. */
export function v8PoolSizeFor(cpus: number): number {
  if (!Number.isFinite(cpus) || cpus < 2) return 1;
  return Math.min(NODE_V8_POOL_SIZE, Math.floor(cpus) - 1);
}

/** What to do about the pool: start Node again with `--v8-pool-size=size`, or keep this process (`why`). */
export type V8PoolPlan = { readonly relaunch: true; readonly size: number } | { readonly relaunch: false; readonly why: string };

export interface V8PoolHost {
  /** The process's Node options (process.execArgv). */
  readonly execArgv: readonly string[];
  /** NODE_OPTIONS, if set. */
  readonly nodeOptions?: string | undefined;
  /** The host's CPUs (os.availableParallelism()). */
  readonly cpus: number;
  /** KVM_MTE_V8_POOL_SIZE, if set. */
  readonly setting?: string | undefined;
}

/** The `--v8-pool-size` among Node options `args` (`=N` or a separate N), or undefined. */
function poolFlag(args: readonly string[]): number | undefined {
  const at = args.findIndex((a) => a === '--v8-pool-size' || a.startsWith('--v8-pool-size='));
  if (at < 0) return undefined;
  return Number(args[at] === '--v8-pool-size' ? args[at + 1] : args[at]!.slice('--v8-pool-size='.length));
}

/** The pool size a process has: the `--v8-pool-size` on its command line or in NODE_OPTIONS, else Node's default. */
export function currentV8PoolSize(execArgv: readonly string[], nodeOptions?: string): number {
  return poolFlag(execArgv) ?? poolFlag((nodeOptions ?? '').split(/\s+/)) ?? NODE_V8_POOL_SIZE;
}

/**
 * The plan for a process (see the file comment). Throws a RangeError naming the variable for a setting that is
 * neither `node` nor a whole number from 1 to MAX_V8_POOL_SIZE.
 */
export function planV8Pool(host: V8PoolHost): V8PoolPlan {
  const setting = host.setting?.trim();
  let size: number;
  if (setting === undefined || setting === '') size = v8PoolSizeFor(host.cpus);
  else if (setting === 'node') return { relaunch: false, why: `${V8_POOL_ENV}=node` };
  else if (/^\d+$/.test(setting) && Number(setting) >= 1 && Number(setting) <= MAX_V8_POOL_SIZE) size = Number(setting);
  else throw new RangeError(`invalid ${V8_POOL_ENV} '${setting}': expected node or a number of workers from 1 to ${MAX_V8_POOL_SIZE}`);
  if (poolFlag(host.execArgv) !== undefined) return { relaunch: false, why: 'the command line sets --v8-pool-size' };
  // (A debugger attached to this process should see the VMM run, not a launcher waiting for it.)
  if (host.execArgv.some((a) => a.startsWith('--inspect'))) return { relaunch: false, why: 'the command line starts the inspector' };
  if (poolFlag((host.nodeOptions ?? '').split(/\s+/)) !== undefined) return { relaunch: false, why: 'NODE_OPTIONS sets --v8-pool-size' };
  if (size === NODE_V8_POOL_SIZE) return { relaunch: false, why: `Node's default pool (${NODE_V8_POOL_SIZE}) is the plan's` };
  return { relaunch: true, size };
}
