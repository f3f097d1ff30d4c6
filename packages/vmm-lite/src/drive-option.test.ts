// --drive FILE[,ro] and raw image files (openDiskFile): parsing, the one-line refusals, reads, writes, read-only.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDrive } from './drive-option.js';
import { openDiskFile } from './virtio-blk-disk.js';
import { VmmError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-drive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--drive and disk image files', () => {
  it('parses FILE and FILE,ro, refuses an empty name', () => {
    expect(parseDrive('a.img')).toEqual({ path: 'a.img', readOnly: false });
    expect(parseDrive('a.img,ro')).toEqual({ path: 'a.img', readOnly: true });
    expect(() => parseDrive(',ro')).toThrow(VmmError);
  });

  it('refuses a missing file, a directory, or a size that is not whole sectors, in one line', () => {
    expect(() => openDiskFile(join(dir, 'none.img'))).toThrow(/^cannot open drive .*none\.img for writing: ENOENT$/);
    expect(() => openDiskFile(dir, { readOnly: true })).toThrow(/is not a regular file/);
    writeFileSync(join(dir, 'odd.img'), new Uint8Array(1000));
    expect(() => openDiskFile(join(dir, 'odd.img'))).toThrow(/1000 bytes: a raw image must be a positive multiple of 512 bytes/);
  });

  it('writes through to the file and flushes; a read-only drive is never written', () => {
    const path = join(dir, 'a.img');
    writeFileSync(path, new Uint8Array(4096));
    const d = openDiskFile(path);
    d.write(512, new Uint8Array([1, 2, 3]));
    d.flush();
    expect([...readFileSync(path).subarray(512, 515)]).toEqual([1, 2, 3]);
    const back = new Uint8Array(3);
    d.read(512, back);
    expect([...back]).toEqual([1, 2, 3]);
    d.close();
    const ro = openDiskFile(path, { readOnly: true });
    expect(ro.readOnly).toBe(true);
    expect(() => ro.write(0, new Uint8Array([9]))).toThrow(/read-only/);
    ro.close();
    expect(readFileSync(path)[0]).toBe(0);
  });
});
