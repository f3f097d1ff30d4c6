/**
 * The decode cache (decode-a64.ts): a handler from `decodeBound` runs its own word with the arguments decoded when
 * it was made, after the cache has given the word's slot to another word (what a handler block relies on).
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { DecodeCache, findEncoding } from './decode-a64.js';
import { FlatMemory } from './testing/flat-memory.js';

/** ADD Xd, Xn, #imm12 (64-bit, no shift). */
const addImm = (rd: number, rn: number, imm: number): number => (0x91000000 | (imm << 10) | (rn << 5) | rd) >>> 0;
const slotOf = (w: number): number => (w ^ (w >>> 13) ^ (w >>> 26)) & 8191;

describe('DecodeCache.decodeBound', () => {
  it('keeps a specification row\'s arguments when the word leaves the cache', () => {
    const first = addImm(1, 1, 5);
    expect(findEncoding(first)?.spec).toBeDefined();
    // Another ADD (immediate) with the same cache slot.
    let other = 0;
    for (let imm = 6; imm < 4096 && other === 0; imm++) {
      for (let rd = 0; rd < 31 && other === 0; rd++) if (slotOf(addImm(rd, 2, imm)) === slotOf(first)) other = addImm(rd, 2, imm);
    }
    expect(other).not.toBe(0);
    const cpu = new Cpu(new FlatMemory());
    const cache = new DecodeCache();
    const bound = cache.decodeBound(first);
    const plain = cache.decode(first);
    expect(bound).not.toBe(plain); // bound to its arguments, not the row's handler that looks them up
    cache.decode(other); // evicts `first`
    expect(cache.cachedArgs(first)).toBeUndefined();
    cpu.x[1] = 100n;
    cpu.x[2] = 7n;
    bound(cpu, first);
    expect(cpu.x[1]).toBe(105n);
    // The row's own handler decodes again (the slot now holds `other`'s arguments, not `first`'s).
    plain(cpu, first);
    expect(cpu.x[1]).toBe(110n);
  });

  it('gives the row\'s handler for words of rows outside the specification, and UNDEFINED stays UNDEFINED', () => {
    const cache = new DecodeCache();
    const nop = 0xd503201f;
    expect(cache.decodeBound(nop)).toBe(findEncoding(nop)!.exec);
    const cpu = new Cpu(new FlatMemory());
    expect(() => cache.decodeBound(0)(cpu, 0)).toThrow();
  });
});
