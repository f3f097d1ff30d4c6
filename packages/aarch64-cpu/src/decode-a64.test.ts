/**
 * The decode cache (decode-a64.ts): the arguments from `argsOf`, passed to the word's handler, run that word as it
 * was decoded after the cache has given the word's slot to another word (what a handler block relies on).
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from './cpu.js';
import { DecodeCache, findEncoding } from './decode-a64.js';
import { FlatMemory } from './testing/flat-memory.js';

/** ADD Xd, Xn, #imm12 (64-bit, no shift). */
const addImm = (rd: number, rn: number, imm: number): number => (0x91000000 | (imm << 10) | (rn << 5) | rd) >>> 0;
const slotOf = (w: number): number => (w ^ (w >>> 13) ^ (w >>> 26)) & 8191;

describe('DecodeCache.argsOf', () => {
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
    const args = cache.argsOf(first);
    const h = cache.decode(first);
    expect(args).toBeDefined();
    cache.decode(other); // evicts `first`
    expect(cache.cachedArgs(first)).toBeUndefined();
    cpu.x[1] = 100n;
    cpu.x[2] = 7n;
    h(cpu, first, args);
    expect(cpu.x[1]).toBe(105n);
    // Without them the handler decodes again (the slot now holds `other`'s arguments, not `first`'s).
    h(cpu, first);
    expect(cpu.x[1]).toBe(110n);
    // The arguments passed are what runs: `other`'s (X2 + its immediate into its Rd), whatever word comes with them.
    const rd = other & 31;
    h(cpu, first, cache.argsOf(other));
    expect(cpu.x[rd]).toBe(7n + BigInt((other >>> 10) & 0xfff));
  });

  it('gives the row\'s handler for words of rows outside the specification, and UNDEFINED stays UNDEFINED', () => {
    const cache = new DecodeCache();
    const nop = 0xd503201f;
    expect(cache.decode(nop)).toBe(findEncoding(nop)!.exec);
    expect(cache.argsOf(nop)).toBeUndefined();
    const cpu = new Cpu(new FlatMemory());
    expect(cache.argsOf(0)).toBeUndefined();
    expect(() => cache.decode(0)(cpu, 0, cache.argsOf(0))).toThrow();
  });
});
