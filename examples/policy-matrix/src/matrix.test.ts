// The policy matrix, cell by cell, against what each kvm-core policy defines (packages/kvm-core/README.md).
import { describe, expect, it } from 'vitest';
import { formatMatrix, runMatrix, type Matrix } from './matrix.js';

let matrix: Matrix;
const cell = (row: string, policy: string) => matrix.rows.find((r) => r.id === row)!.cells[matrix.policies.indexOf(policy)]!;
const ALL = ['transparent-upgrade', 'enforce-prot-mte', 'mte-allowed', 'no-tag-access'];

describe('policy matrix', () => {
  it('runs every scenario under every policy', async () => {
    matrix = await runMatrix();
    expect(matrix.policies).toEqual(ALL);
    expect(matrix.rows.map((r) => r.id)).toEqual(['plain', 'snapshot-mapping', 'snapshot-copy-tags', 'framebuffer', 'swap', 'no-mte']);
    expect(formatMatrix(matrix).split('\n')[0]).toMatch(/^\| scenario +\| transparent-upgrade +\| enforce-prot-mte +\| mte-allowed +\| no-tag-access +\|$/);
  }, 300_000);

  it('a plain MTE guest keeps its tags under every policy', () => {
    for (const p of ALL) expect(cell('plain', p).kind, p).toBe('tags-intact');
  });

  it('saving tags through a non-PROT_MTE mapping loses them (RAZ) — except under enforce-prot-mte, whose VMM has PROT_MTE', () => {
    expect(cell('snapshot-mapping', 'enforce-prot-mte').kind).toBe('tags-intact');
    for (const p of ['transparent-upgrade', 'mte-allowed', 'no-tag-access']) {
      const c = cell('snapshot-mapping', p);
      expect(c.kind, p).toBe('tags-lost');
      expect(c.text).toBe('TAGS LOST (512/8192 intact)'); // the pattern's tag-0 granules only
    }
  });

  it('COPY_TAGS saves and restores the tags under every policy', () => {
    for (const p of ALL) expect(cell('snapshot-copy-tags', p).kind, p).toBe('tags-intact');
  });

  it('the device framebuffer: refused (EINVAL) by enforce-prot-mte and mte-allowed, Device under transparent-upgrade, exits under no-tag-access', () => {
    for (const p of ['enforce-prot-mte', 'mte-allowed']) {
      expect(cell('framebuffer', p)).toMatchObject({ kind: 'vmm-refused', errno: 'EINVAL' });
    }
    const t = cell('framebuffer', 'transparent-upgrade');
    expect(t).toMatchObject({ kind: 'tags-dropped', exits: 0 });
    expect(t.serial).toContain('fb: pixels drawn, checksum=f003c31fe08da000');
    const n = cell('framebuffer', 'no-tag-access');
    expect(n).toMatchObject({ kind: 'exit-taken', exits: 3 });
    expect(n.serial).toContain('fb: pixels drawn, checksum=f003c31fe08da000');
  });

  it('host swap under a 16-page budget swaps tagged pages out and back with their tags, under every policy', () => {
    for (const p of ALL) {
      const c = cell('swap', p);
      expect(c.kind, p).toBe('tags-intact');
      expect(c.swapOuts!).toBeGreaterThan(32);
    }
  });

  it('a VM without MTE: GCR_EL1 is UNDEFINED to the guest (MRS and MSR), whatever the policy', () => {
    for (const p of ALL) {
      const c = cell('no-mte', p);
      expect(c.kind, p).toBe('guest-fault');
      expect(c.text).toBe('guest UNDEF x2 (EC 0x00)');
    }
  });
});
