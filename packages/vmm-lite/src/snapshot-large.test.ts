import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { joinParts, MAX_BUFFER_BYTES, sha256Hex, SnapshotError } from './snapshot-format.js';
import { FileSource, writeSnapshotFile } from './snapshot-source.js';
import { MAX_RAM_BYTES } from './size.js';

const guest = (name: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../guests/bin/${name}.elf`, import.meta.url))));
const dec = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

describe('snapshots of the largest guest run accepts (MAX_RAM_BYTES, 3.5 GiB)', () => {
  it('save, write to a file in parts, read it back by position, restore, and the guest finishes as one run does', async () => {
    const kernel = guest('hello');
    const whole = new VirtMachine({ memory: MAX_RAM_BYTES });
    whole.load({ kernel });
    const w = await whole.run({ maxInstructions: 1_000_000 });
    expect(w.outcome).toBe('shutdown');

    const m = new VirtMachine({ memory: MAX_RAM_BYTES });
    m.load({ kernel });
    const r1 = await m.run({ maxInstructions: 1000 });
    expect(r1.outcome).toBe('instruction-limit');
    const saved = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
    expect(saved.sizes.memoryRaw).toBe(MAX_RAM_BYTES);
    expect(saved.sizes.nonZeroPages).toBeLessThan(16);

    const dir = mkdtempSync(join(tmpdir(), 'vmm-lite-snap-'));
    try {
      const path = join(dir, 'big.snap');
      writeSnapshotFile(path, saved.parts);
      expect(statSync(path).size).toBe(saved.sizes.file);
      expect(new Uint8Array(readFileSync(path))).toEqual(saved.file);
      const src = new FileSource(path);
      let r2;
      try {
        const snap = decodeSnapshot(src);
        expect(snap.header.memory).toBe(MAX_RAM_BYTES);
        expect(snap.memory.size).toBe(saved.sizes.nonZeroPages);
        const m2 = new VirtMachine(restoreMachineOptions(snap));
        restoreSnapshot(m2, snap);
        r2 = await m2.run({ maxInstructions: 1_000_000 });
      } finally {
        src.close();
      }
      expect(r2.outcome).toBe('shutdown');
      expect(dec(r1.serial) + dec(r2.serial)).toBe(dec(w.serial));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a file larger than one buffer is refused as one buffer, with a message, not a RangeError', () => {
    const parts = [new Uint8Array(16)];
    expect(() => joinParts(parts, MAX_BUFFER_BYTES + 1)).toThrow(SnapshotError);
    expect(() => joinParts(parts, MAX_BUFFER_BYTES + 1)).toThrow(/write its parts to a file/);
  });
});
