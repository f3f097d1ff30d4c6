// `--virtio-console stdio|FILE`: parsing, and the output file (written as the guest writes, a failure remembered).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openConsoleOutput, parseVirtioConsole } from './virtio-console-option.js';

describe('--virtio-console', () => {
  it('parses stdio or a file name', () => {
    expect(parseVirtioConsole('stdio')).toEqual({ kind: 'stdio' });
    expect(parseVirtioConsole('out.txt')).toEqual({ kind: 'file', path: 'out.txt' });
    expect(() => parseVirtioConsole('')).toThrow('--virtio-console needs stdio or a file name');
  });

  it('stdio: hands the bytes to stdout', () => {
    const got: number[] = [];
    const o = openConsoleOutput({ kind: 'stdio' }, (b) => got.push(...b));
    o.write(Uint8Array.of(1, 2));
    expect([got, o.error]).toEqual([[1, 2], undefined]);
  });

  it('FILE: truncates it, writes each chunk at once, and says why it cannot open or write one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-hvc-'));
    try {
      const path = join(dir, 'hvc.out');
      const o = openConsoleOutput({ kind: 'file', path }, () => { throw new Error('not stdout'); });
      o.write(new TextEncoder().encode('one '));
      expect(readFileSync(path, 'utf8')).toBe('one '); // on disk before the next write: nothing buffered
      o.write(new TextEncoder().encode('two'));
      o.close();
      expect(readFileSync(path, 'utf8')).toBe('one two');
      const again = openConsoleOutput({ kind: 'file', path }, () => {});
      again.close();
      expect(readFileSync(path, 'utf8')).toBe('');
      expect(() => openConsoleOutput({ kind: 'file', path: dir }, () => {})).toThrow(`cannot open virtio-console output ${dir}: EISDIR`);
      const full = openConsoleOutput({ kind: 'file', path: '/dev/full' }, () => {});
      full.write(Uint8Array.of(1));
      full.write(Uint8Array.of(2));
      expect(full.error).toBe('cannot write virtio-console output /dev/full: ENOSPC');
      full.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
