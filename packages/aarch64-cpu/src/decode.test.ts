import { describe, expect, it } from 'vitest';
import { compileTable, indexTable, matchIndexed, matchRow, type EncodingRow } from './decode.js';
import { SIMD_FP_DATA_PROCESSING } from './insn/simd-fp-table.js';

describe('indexTable', () => {
  it('puts each row in every bucket its fixed key bits allow, in table order', () => {
    const h = () => undefined;
    const rows: EncodingRow[] = [
      { name: 'a', exec: h, pattern: '1xxxxxxx xxxxxxxx xxxxxxxx xxxxxxx0' },
      { name: 'b', exec: h, pattern: 'xxxxxxxx xxxxxxxx xxxxxxxx xxxxxxx1' },
      { name: 'c', exec: h, pattern: 'xxxxxxxx xxxxxxxx xxxxxxxx xxxxxxxx' },
    ];
    const t = indexTable(compileTable(rows), [31, 0]);
    // Bucket k: bit 31 is k's high bit, bit 0 its low bit.
    expect(t.buckets.map((b) => b.map((r) => r.name).join(''))).toEqual(['c', 'bc', 'ac', 'bc']);
  });

  it('finds the row the flat scan finds (the SIMD&FP table, with its index bits)', () => {
    const table = compileTable(SIMD_FP_DATA_PROCESSING);
    const indexed = indexTable(table, [29, 28, 24, 23, 22, 21, 15, 14, 13, 12, 11, 10]);
    let seed = 0x1234_5678;
    const next = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0);
    let matched = 0;
    for (let i = 0; i < 20_000; i++) {
      // Words of the group (bits 27:25 = 111) with the rest random, and every row's own value.
      const w = i < table.length ? table[i]!.value : ((next() & ~0x0e00_0000) | 0x0e00_0000) >>> 0;
      const want = matchRow(table, w);
      if (want !== undefined) matched++;
      expect(matchIndexed(indexed, w)).toBe(want);
    }
    expect(matched).toBeGreaterThan(table.length);
  });
});
