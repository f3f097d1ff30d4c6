// QEMU virt's 32 empty virtio-mmio transports: what a guest reads from them (measured on QEMU 10 with the monitor's
// `xp`, legacy by default and modern with -global virtio-mmio.force-legacy=false), and their device tree nodes.
import { describe, expect, it } from 'vitest';
import { buildVirtDeviceTree } from './virt-dt.js';
import { EmptyVirtioMmio, VIRTIO_MMIO_BASE, VIRTIO_MMIO_COUNT, VIRTIO_MMIO_STRIDE } from './virtio-mmio-empty.js';
import { findNode, parseFdt, propCells, propString } from './testing/fdt-reader.js';

describe('the empty virtio-mmio transports', () => {
  it.each([['legacy', 1n], ['modern', 2n]] as const)('%s: read the magic, version %d, device ID 0 and QEMU\'s vendor ID, and 0 elsewhere, in each of the 32', (version, number) => {
    const d = new EmptyVirtioMmio(version);
    for (const t of [0, 1, 31]) {
      const at = (o: number) => d.read(t * VIRTIO_MMIO_STRIDE + o, 4);
      expect([at(0), at(4), at(8), at(0xc)]).toEqual([0x7472_6976n, number, 0n, 0x554d_4551n]);
      for (let o = 0x10; o < VIRTIO_MMIO_STRIDE; o += 4) expect(at(o), `transport ${t} offset ${o}`).toBe(0n);
    }
  });

  it('ignore writes, and answer accesses that are not 32-bit with 0', () => {
    const d = new EmptyVirtioMmio();
    d.write();
    expect(d.read(0, 4)).toBe(0x7472_6976n);
    expect([d.read(0, 1), d.read(0, 2), d.read(2, 2), d.read(1, 4)]).toEqual([0n, 0n, 0n, 0n]);
    expect(d.maxAccessSize).toBe(4);
  });

  it('are in the device tree as QEMU lists them: virtio,mmio, dma-coherent, edge SPIs 16..47', () => {
    const { root } = parseFdt(buildVirtDeviceTree({ ramBase: 0x4000_0000, ramSize: 256 << 20, cpuMpidrs: [0] }));
    for (let i = 0; i < VIRTIO_MMIO_COUNT; i++) {
      const base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;
      const n = findNode(root, `/virtio_mmio@${base.toString(16)}`)!;
      expect(n, `transport ${i}`).toBeDefined();
      expect(propString(n.props.get('compatible'))).toBe('virtio,mmio');
      expect(n.props.has('dma-coherent')).toBe(true);
      expect(propCells(n.props.get('interrupts'))).toEqual([0, 16 + i, 1]);
      expect(propCells(n.props.get('reg'))).toEqual([0, base, 0, VIRTIO_MMIO_STRIDE]);
    }
  });
});
