import { describe, expect, it } from 'vitest';
import { currentV8PoolSize, MAX_V8_POOL_SIZE, NODE_V8_POOL_SIZE, planV8Pool, v8PoolSizeFor } from './v8-pool.js';

describe('the size of V8\'s worker pool', () => {
  it('is every CPU but the vCPU thread\'s, at least one, at most Node\'s default', () => {
    expect([0, 1, 2, 3, 4, 5, 8, 64, Number.NaN].map(v8PoolSizeFor)).toEqual([1, 1, 1, 2, 3, 4, 4, 4, 1]);
    expect(NODE_V8_POOL_SIZE).toBe(4);
  });

  it('relaunches when the plan differs from Node\'s default, and only then', () => {
    expect(planV8Pool({ execArgv: [], cpus: 2 })).toEqual({ relaunch: true, size: 1 });
    expect(planV8Pool({ execArgv: ['--enable-source-maps'], cpus: 3 })).toEqual({ relaunch: true, size: 2 });
    expect(planV8Pool({ execArgv: [], cpus: 5 })).toMatchObject({ relaunch: false });
    expect(planV8Pool({ execArgv: [], cpus: 32 })).toMatchObject({ relaunch: false });
  });

  it('keeps a pool size the process was started with', () => {
    expect(planV8Pool({ execArgv: ['--v8-pool-size=1'], cpus: 2 })).toEqual({ relaunch: false, why: 'the command line sets --v8-pool-size' });
    expect(planV8Pool({ execArgv: ['--v8-pool-size', '2'], cpus: 2 })).toMatchObject({ relaunch: false });
    expect(planV8Pool({ execArgv: [], nodeOptions: '--max-old-space-size=4096 --v8-pool-size=8', cpus: 2 }))
      .toEqual({ relaunch: false, why: 'NODE_OPTIONS sets --v8-pool-size' });
    expect(planV8Pool({ execArgv: [], nodeOptions: '--max-old-space-size=4096', cpus: 2 })).toEqual({ relaunch: true, size: 1 });
    expect(planV8Pool({ execArgv: ['--inspect-brk=9230'], cpus: 2 })).toEqual({ relaunch: false, why: 'the command line starts the inspector' });
  });

  it('follows KVM_MTE_V8_POOL_SIZE: a number of workers, or node for Node\'s default in one process', () => {
    expect(planV8Pool({ execArgv: [], cpus: 2, setting: '3' })).toEqual({ relaunch: true, size: 3 });
    expect(planV8Pool({ execArgv: [], cpus: 64, setting: '1' })).toEqual({ relaunch: true, size: 1 });
    expect(planV8Pool({ execArgv: [], cpus: 2, setting: ' 4 ' })).toMatchObject({ relaunch: false });
    expect(planV8Pool({ execArgv: [], cpus: 2, setting: 'node' })).toEqual({ relaunch: false, why: 'KVM_MTE_V8_POOL_SIZE=node' });
    expect(planV8Pool({ execArgv: [], cpus: 2, setting: '' })).toEqual({ relaunch: true, size: 1 });
    expect(planV8Pool({ execArgv: [], cpus: 2, setting: String(MAX_V8_POOL_SIZE) })).toEqual({ relaunch: true, size: MAX_V8_POOL_SIZE });
  });

  it('reads the pool a process has from its command line, then NODE_OPTIONS, else Node\'s default', () => {
    expect(currentV8PoolSize([])).toBe(4);
    expect(currentV8PoolSize(['--v8-pool-size=1'], '--v8-pool-size=3')).toBe(1);
    expect(currentV8PoolSize(['--v8-pool-size', '2'])).toBe(2);
    expect(currentV8PoolSize(['--enable-source-maps'], '--max-old-space-size=64 --v8-pool-size=3')).toBe(3);
  });

  it('rejects any other setting with a message naming the variable', () => {
    for (const bad of ['0', '-1', '1.5', 'two', '65', '0x2', 'auto']) {
      expect(() => planV8Pool({ execArgv: [], cpus: 2, setting: bad }), bad)
        .toThrow(new RangeError(`invalid KVM_MTE_V8_POOL_SIZE '${bad}': expected node or a number of workers from 1 to 64`));
    }
  });
});
