import { describe, expect, it } from 'vitest';
import { VmmError } from './errors.js';
import { checkRamSize, formatSize, parseSize } from './size.js';

describe('parseSize', () => {
  it.each([
    ['256M', 256 * 2 ** 20], ['1G', 2 ** 30], ['512K', 512 * 1024], ['512k', 512 * 1024], ['2g', 2 * 2 ** 30],
    ['1.5G', 1.5 * 2 ** 30], ['256', 256 * 2 ** 20], ['1T', 2 ** 40], ['0.5M', 512 * 1024], [' 64M ', 64 * 2 ** 20],
  ])('%s = %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each(['', 'M', '12Q', '-1M', '1e3', '0x100', '1.M', '1,5G', '256MB', '1 G'])('rejects %j with a one-line message', (text) => {
    expect(() => parseSize(text)).toThrow(VmmError);
    try {
      parseSize(text);
    } catch (e) {
      expect((e as Error).message).toMatch(/^invalid size '.*': /);
      expect((e as Error).message).not.toContain('\n');
    }
  });

  it('rejects fractions that are not whole bytes', () => {
    expect(() => parseSize('0.0001K')).toThrow(/not a whole number of bytes/);
  });
});

describe('checkRamSize', () => {
  it('accepts page multiples up to 3.5G', () => {
    expect(checkRamSize(4096)).toBe(4096);
    expect(checkRamSize(3.5 * 2 ** 30)).toBe(3.5 * 2 ** 30);
    expect(() => checkRamSize(4 * 2 ** 30, '4G')).toThrow('invalid memory size 4G: at most 3.5G is supported');
  });
  it('rejects zero, non-page sizes and more than 3.5G', () => {
    expect(() => checkRamSize(0, '0')).toThrow('invalid memory size 0: must be a positive number of bytes');
    expect(() => checkRamSize(parseSize('1000K'), '1000K')).not.toThrow();
    expect(() => checkRamSize(1234, '1234')).toThrow('invalid memory size 1234: must be a multiple of 4K');
    expect(() => checkRamSize(parseSize('5G'), '5G')).toThrow('invalid memory size 5G: at most 3.5G is supported');
  });
});

it('formatSize', () => {
  expect(formatSize(256 * 2 ** 20)).toBe('256M');
  expect(formatSize(2 ** 30)).toBe('1G');
  expect(formatSize(512 * 1024)).toBe('512K');
  expect(formatSize(1000)).toBe('1000');
});
