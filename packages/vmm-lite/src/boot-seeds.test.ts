import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { findNode, parseFdt } from './testing/fdt-reader.js';

/** Boot an Image-less raw kernel (one `b .`) and read /chosen's seeds from the device tree in RAM. */
function seeds(clock: 'host' | 'deterministic'): { rng: string; kaslr: string } {
  const m = new VirtMachine({ memory: 64 << 20, clock });
  const layout = m.load({ kernel: new Uint8Array([0, 0, 0, 0x14]) });
  const off = layout.dtbAddr! - m.ramBase;
  const chosen = findNode(parseFdt(m.ram.bytes.subarray(off, off + 0x10000)).root, '/chosen')!;
  const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');
  return { rng: hex(chosen.props.get('rng-seed')), kaslr: hex(chosen.props.get('kaslr-seed')) };
}

describe('/chosen/rng-seed and kaslr-seed (as QEMU virt gives them)', () => {
  it('are 32 and 8 bytes, different every boot with the host clock', () => {
    const a = seeds('host');
    const b = seeds('host');
    expect(a.rng).toHaveLength(64);
    expect(a.kaslr).toHaveLength(16);
    expect(a.rng).not.toBe(b.rng);
    expect(a.kaslr).not.toBe(b.kaslr);
  });

  it('are the same every boot with the deterministic clock, so runs repeat', () => {
    expect(seeds('deterministic')).toEqual(seeds('deterministic'));
    expect(seeds('deterministic').rng).not.toBe('0'.repeat(64));
  });
});
