import { describe, expect, it } from 'vitest';
import { runCustomPolicyExample } from './example.js';

describe('custom policy example', () => {
  it('runs tagsum with every upgrade logged and tagged, and refuses a device framebuffer with EPERM', async () => {
    const r = await runCustomPolicyExample();
    expect(r.outcome).toBe('shutdown');
    expect(r.serial).toContain('tagsum: TAGS OK');
    expect(r.upgrades).toBeGreaterThan(32); // 32 buffer pages + image, stack, tables
    expect(r.taggedUpgrades).toBe(r.upgrades);
    expect(r.firstUpgrades[0]).toMatch(/^slot 0 ipa 0x4008/);
    expect(r.framebufferError).toBe('EPERM');
  }, 120_000);
});
