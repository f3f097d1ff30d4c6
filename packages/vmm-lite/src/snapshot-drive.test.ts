// Snapshots of a machine with a virtio-blk drive: the disk is not copied, its SHA-256 is recorded
// (machine.drive.sha256), and a restore refuses a disk whose contents differ (drive-digest.ts, snapshot.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './testing/cli.js';
import { driveSha256 } from './drive-digest.js';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { decodeContainer, encodeSnapshot, sha256Hex, SnapshotError } from './snapshot-format.js';
import { A64 } from './testing/a64.js';
import { memoryDisk } from './virtio-blk-disk.js';

const MEM = 16 * 2 ** 20;
const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-snap-drive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KERNEL = (() => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, A64.self(), true);
  return b;
})();
const config = { policy: 'mte-allowed' as const, memBackend: 'anonymous' as const, protMte: false, kernelSha256: sha256Hex(KERNEL) };

/** A disk of `sectors` sectors whose bytes count up (so a hash covers every byte). */
function disk(sectors: number): Uint8Array {
  return Uint8Array.from({ length: sectors * 512 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
}

/** Run a spinning guest (with a drive) for a few instructions and take a snapshot: the file. */
async function snapshotFile(bytes: Uint8Array | undefined): Promise<Uint8Array> {
  const m = new VirtMachine({ memory: MEM, ...(bytes !== undefined && { drive: memoryDisk(bytes, { name: 'disk.img' }) }) });
  m.load({ kernel: KERNEL });
  expect((await m.run({ maxInstructions: 10 })).outcome).toBe('instruction-limit');
  return saveSnapshot(m, { config }).file;
}

async function snapshotWithDrive(bytes: Uint8Array) {
  return decodeSnapshot(await snapshotFile(bytes));
}

/** The file re-encoded (checksums right) with `edit` applied to the devices section's JSON. */
function withDevices(file: Uint8Array, edit: (d: { devices: Record<string, unknown>; machine: Record<string, unknown> }) => void): Uint8Array {
  const { header, sections, source } = decodeContainer(file);
  return encodeSnapshot(header, sections.map((x) => {
    let payload = source.read(x.offset, x.length);
    if (x.kind === 'DEVS') {
      const d = JSON.parse(new TextDecoder().decode(payload)) as Parameters<typeof edit>[0];
      edit(d);
      payload = new TextEncoder().encode(JSON.stringify(d));
    }
    return { kind: x.kind, index: x.index, payload };
  }));
}

describe('snapshots with a virtio-blk drive', () => {
  it('hash the whole disk, in chunks, as SHA-256 over its bytes', () => {
    const bytes = disk(2048 + 3); // 1 MiB and three sectors: more than one chunk
    expect(driveSha256(memoryDisk(bytes))).toBe(sha256Hex(bytes));
  });

  it('record the disk\'s SHA-256, and restore onto the same contents', async () => {
    const bytes = disk(64);
    const snap = await snapshotWithDrive(bytes);
    expect(snap.driveSha256).toBe(sha256Hex(bytes));
    expect(Object.keys(snap.devices)).toContain('virtio-blk@a003e00');
    const b = new VirtMachine({ ...restoreMachineOptions(snap), drive: memoryDisk(bytes.slice(), { name: 'copy.img' }) });
    expect(restoreSnapshot(b, snap).memoryPages).toBeGreaterThan(0);
  });

  it('refuse, naming the drive, a disk written since the snapshot, before changing the machine', async () => {
    const bytes = disk(64);
    const snap = await snapshotWithDrive(bytes);
    const changed = bytes.slice();
    changed[12345] = changed[12345]! ^ 1;
    const b = new VirtMachine({ ...restoreMachineOptions(snap), drive: memoryDisk(changed, { name: 'changed.img' }) });
    let err: unknown;
    try {
      restoreSnapshot(b, snap);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SnapshotError);
    expect((err as Error).message).toBe('snapshot is incompatible: drive changed.img is not the disk the snapshot was taken with (its contents\' SHA-256 differs: written or replaced since); a restore needs the image as it was at the snapshot');
    expect(b.vcpus[0]!.getOneReg(0x6030_0000_0010_0040n)).toBe(0n); // PC untouched: nothing was written
    expect(b.ram.bytes.every((x) => x === 0)).toBe(true);
  });

  it('refuse a snapshot whose drive hash is malformed, or has no drive to go with it; none without a drive', async () => {
    const file = await snapshotFile(disk(8));
    expect(() => decodeSnapshot(withDevices(file, (d) => { d.machine.drive = { sha256: 'abc' }; }))).toThrow('snapshot is corrupt: machine.drive.sha256 is not a SHA-256');
    expect(() => decodeSnapshot(withDevices(file, (d) => { d.machine.drive = 7; }))).toThrow('snapshot is corrupt: machine.drive.sha256 is not a SHA-256');
    expect(() => decodeSnapshot(withDevices(file, (d) => { delete d.devices['virtio-blk@a003e00']; }))).toThrow('snapshot is corrupt: a drive hash without a virtio-blk device');
    // A snapshot from before the hash was recorded restores without the check.
    const old = decodeSnapshot(withDevices(file, (d) => { delete d.machine.drive; }));
    expect(old.driveSha256).toBeUndefined();
    const b = new VirtMachine({ ...restoreMachineOptions(old), drive: memoryDisk(disk(8).fill(1)) });
    expect(() => restoreSnapshot(b, old)).not.toThrow();
    expect(decodeSnapshot(await snapshotFile(undefined)).driveSha256).toBeUndefined();
  });

  it('vmm-lite snapshot --drive hashes the open disk; restore runs on the same image and refuses it in one line once written', async () => {
    const img = join(dir, 'd.img');
    const bytes = disk(16);
    writeFileSync(img, bytes);
    const files = new Map<string, Uint8Array>();
    const a = await cli(['snapshot', '--kernel', 'hello.elf', '--drive', img, '--stop-after', '1000', '--snapshot-out', 'd.snap'], files);
    expect(a.status, a.stderr).toBe(0);
    expect(decodeSnapshot(files.get('d.snap')!).driveSha256).toBe(sha256Hex(bytes));
    const b = await cli(['restore', '--snapshot', 'd.snap'], files);
    expect(b.status, b.stderr).toBe(0);
    bytes[5000] = bytes[5000]! ^ 0xff;
    writeFileSync(img, bytes);
    const c = await cli(['restore', '--snapshot', 'd.snap'], files);
    expect(c).toEqual({ status: 1, stdout: '', stderr: `vmm-lite: cannot restore 'd.snap': snapshot is incompatible: drive ${img} is not the disk the snapshot was taken with (its contents' SHA-256 differs: written or replaced since); a restore needs the image as it was at the snapshot\n` });
  });
});
