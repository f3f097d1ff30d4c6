import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { SNAPSHOT_PAGE, sha256Hex, SnapshotError } from './snapshot-format.js';

const guest = (name: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../guests/bin/${name}.elf`, import.meta.url))));
const MEM = 256 * 2 ** 20;
const SENTINEL = 0xa5;

async function smallSnapshotOfLargeGuest() {
  const kernel = guest('mte');
  const m = new VirtMachine({ memory: MEM });
  m.load({ kernel });
  await m.run({ maxInstructions: 150_000 });
  const { file } = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
  return { m, snap: decodeSnapshot(file) };
}

describe('restore writes only the pages the snapshot holds', () => {
  it('a small snapshot of a 256 MiB guest: the other pages are not written, the held ones are', async () => {
    const { m, snap } = await smallSnapshotOfLargeGuest();
    const pages = MEM / SNAPSHOT_PAGE;
    expect(snap.memory.size).toBeLessThan(64);
    expect(snap.tags.size).toBeGreaterThan(0);
    const m2 = new VirtMachine(restoreMachineOptions(snap));
    // Mark one byte in every page the snapshot does not hold: a restore that wrote those pages (even zeros,
    // which makes the host commit them) would erase the marks.
    const ram = m2.ram.bytes;
    for (let p = 0; p < pages; p++) if (!snap.memory.has(p)) ram[p * SNAPSHOT_PAGE + 123] = SENTINEL;
    const counts = restoreSnapshot(m2, snap);
    let untouched = 0;
    for (let p = 0; p < pages; p++) if (!snap.memory.has(p) && ram[p * SNAPSHOT_PAGE + 123] === SENTINEL) untouched++;
    expect(untouched).toBe(pages - snap.memory.size);
    expect(counts).toEqual({ memoryPages: snap.memory.size, tagPages: snap.tags.size });
    for (const [p, data] of snap.memory) {
      expect(ram.subarray(p * SNAPSHOT_PAGE, (p + 1) * SNAPSHOT_PAGE)).toEqual(data);
      expect(data).toEqual(m.ram.bytes.subarray(p * SNAPSHOT_PAGE, (p + 1) * SNAPSHOT_PAGE));
    }
    // Tag storage: only the snapshot's tagged pages got any.
    expect(m2.ram.tagStorage!.taggedPageCount).toBe(snap.tags.size);
  });

  it('refuses a machine that is not fresh (a kernel loaded, or it has run): its RAM may hold stale pages', async () => {
    const { snap } = await smallSnapshotOfLargeGuest();
    const loaded = new VirtMachine(restoreMachineOptions(snap));
    loaded.load({ kernel: guest('hello') });
    expect(() => restoreSnapshot(loaded, snap)).toThrow(SnapshotError);
    expect(() => restoreSnapshot(loaded, snap)).toThrow(/fresh machine/);
  });
});
