// The virtio devices on the virt machine: which transports they take (QEMU's order, from 0x0a003e00 down), the
// transports' interface (modern by default, legacy on request, the empty ones too), snapshots of a machine with all
// three (the interface and each device's state come back; a machine of another shape is refused before any write),
// and the CLI's one-line errors for the new options.
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { memoryDisk } from './virtio-blk-disk.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { parseCli } from './cli-core.js';

const MEM = 16 * 2 ** 20;
const CONFIG = { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: '0'.repeat(64) } as const;
/** Version and device ID of the transport at `base`, through the machine's bus. */
const probe = (m: VirtMachine, base: number): [number, number] => [Number(m.bus.read(base + 4, 4)), Number(m.bus.read(base + 8, 4))];

describe('virtio devices on the virt machine', () => {
  it('take transports from 0x0a003e00 down in the order drive, rng, console, with the modern interface by default', () => {
    const m = new VirtMachine({ memory: MEM, drive: memoryDisk(new Uint8Array(4096)), virtioRng: true, virtioConsole: {} });
    expect([probe(m, 0x0a00_3e00), probe(m, 0x0a00_3c00), probe(m, 0x0a00_3a00), probe(m, 0x0a00_3800), probe(m, 0x0a00_0000)])
      .toEqual([[2, 2], [2, 4], [2, 3], [2, 0], [2, 0]]);
    expect(m.virtioMmio).toBe('modern');
    expect(m.virtioRng?.device.saveState()).toEqual({ source: 'host' });
    const lone = new VirtMachine({ memory: MEM, virtioConsole: {}, virtioMmio: 'legacy' });
    expect([probe(lone, 0x0a00_3e00), probe(lone, 0x0a00_3c00), probe(lone, 0x0a00_0000)]).toEqual([[1, 3], [1, 0], [1, 0]]);
    expect(() => new VirtMachine({ memory: MEM, virtioMmio: 'v3' as 'legacy' })).toThrow(/invalid virtio-mmio version v3/);
  });

  it('gives the rng a seeded stream with the deterministic clock or a seed', () => {
    expect(new VirtMachine({ memory: MEM, virtioRng: true, clock: 'deterministic' }).virtioRng?.device.saveState()).toMatchObject({ source: 'seeded' });
    expect(new VirtMachine({ memory: MEM, virtioRng: { seed: 3 } }).virtioRng?.device.saveState()).toEqual({ source: 'seeded', seed: 3, position: 0 });
  });

  it('snapshots keep the interface and every device\'s state; a restore needs the same devices', () => {
    const m = new VirtMachine({ memory: MEM, virtioMmio: 'legacy', drive: memoryDisk(new Uint8Array(4096)), virtioRng: { seed: 11 }, virtioConsole: {} });
    m.console!.input(new TextEncoder().encode('typed ahead'));
    const snap = decodeSnapshot(saveSnapshot(m, { config: CONFIG }).file);
    const opts = restoreMachineOptions(snap);
    expect(opts).toMatchObject({ virtioMmio: 'legacy', virtioRng: { seed: 11 }, virtioConsole: {} });
    const m2 = new VirtMachine({ ...opts, drive: memoryDisk(new Uint8Array(4096)) });
    restoreSnapshot(m2, snap);
    expect(m2.console!.pendingInput).toBe(11);
    for (const k of ['virtioBlk', 'virtioRng', 'virtioConsole'] as const) expect(m2[k]!.saveState()).toEqual(m[k]!.saveState());
    // Another shape: refused before anything is written.
    expect(() => restoreSnapshot(new VirtMachine({ ...opts, drive: memoryDisk(new Uint8Array(4096)), virtioConsole: undefined }), snap))
      .toThrow(/device virtio-console@a003a00 does not exist/);
    expect(() => restoreSnapshot(new VirtMachine({ ...opts, drive: memoryDisk(new Uint8Array(4096)), virtioMmio: 'modern' }), snap))
      .toThrow(/virtio-mmio transports are legacy, this machine's modern/);
    const bigger = new VirtMachine({ ...opts, drive: memoryDisk(new Uint8Array(8192)) });
    expect(() => restoreSnapshot(bigger, snap)).toThrow(/disk memory was 4096 bytes/);
    expect(bigger.console!.pendingInput).toBe(0);
    const plain = decodeSnapshot(saveSnapshot(new VirtMachine({ memory: MEM }), { config: CONFIG }).file);
    expect(restoreMachineOptions(plain)).toMatchObject({ virtioMmio: 'modern' });
    expect(() => restoreSnapshot(new VirtMachine({ ...restoreMachineOptions(plain), virtioRng: true }), plain)).toThrow(/this machine has virtio-rng@a003e00, the snapshot does not/);
  });

  it('CLI: the options, and a one-line error for each bad value or misplaced option', () => {
    expect(parseCli(['run', '--kernel', 'k', '--virtio-rng', '--virtio-console', 'stdio', '--virtio-mmio', 'legacy']))
      .toMatchObject({ options: { virtioRng: true, virtioConsole: { kind: 'stdio' }, virtioMmio: 'legacy' } });
    expect(parseCli(['run', '--kernel', 'k', '--virtio-console', 'out.txt'])).toMatchObject({ options: { virtioConsole: { kind: 'file', path: 'out.txt' } } });
    expect(parseCli(['restore', 's', '--virtio-console', 'o'])).toMatchObject({ options: { virtioConsole: { kind: 'file', path: 'o' } } });
    expect(() => parseCli(['run', '--kernel', 'k', '--virtio-mmio', 'v1'])).toThrow("invalid --virtio-mmio 'v1': expected modern or legacy");
    expect(() => parseCli(['run', '--kernel', 'k', '--virtio-console', ''])).toThrow('--virtio-console needs stdio or a file name');
    expect(() => parseCli(['restore', 's', '--virtio-rng'])).toThrow("option '--virtio-rng' does not apply to restore");
    expect(() => parseCli(['restore', 's', '--virtio-mmio', 'modern'])).toThrow("option '--virtio-mmio' does not apply to restore");
    expect(() => parseCli(['run', '--kernel', 'k', '--virtio-rng', '--virtio-rng'])).toThrow("option '--virtio-rng' is given more than once");
  });
});
