// Tag compression on real guest workloads: runs each MTE guest (guests/bin/mte*.elf) on vmm-lite, then compresses
// the allocation tags of every tagged page the VM ended with (the RAM mapping's TagStorage, what swap-out and
// KVM_ARM_MTE_COPY_TAGS see) with @kvm-mte/mte-tags' compressTags, and prints pages, raw and compressed bytes and the
// ratio per guest. The numbers are recorded in packages/mte-tags/README.md ("Measured on guest workloads").
//   npx vitest run guests/tag-compression.test.ts
import { compressTags, decompressTags, TagCompressionStats } from '@kvm-mte/mte-tags';
import { VirtMachine } from '@kvm-mte/vmm-lite';
import { describe, expect, it } from 'vitest';
import { GUEST_RAM_BYTES, MAX_INSTRUCTIONS, guestNames, readGuest } from './harness';

const mteGuests = guestNames().filter((n) => n === 'mte' || n.startsWith('mte-'));

/** Runs a guest on vmm-lite and compresses its VM's tagged pages. */
async function measure(name: string): Promise<ReturnType<TagCompressionStats['snapshot']> & { nonZeroPages: number }> {
  const machine = new VirtMachine({ memory: GUEST_RAM_BYTES, mte: true });
  machine.load({ kernel: readGuest(name) });
  const r = await machine.run({ maxInstructions: MAX_INSTRUCTIONS });
  expect(r.outcome, `${name} on vmm-lite`).toBe('shutdown');
  const storage = machine.ram.tagStorage;
  expect(storage, 'the RAM mapping holds tags').toBeDefined();
  const stats = new TagCompressionStats();
  let nonZeroPages = 0;
  for (const offset of storage!.taggedPages()) {
    const packed = storage!.pageTags(offset)!;
    const c = compressTags(packed);
    expect(decompressTags(c)).toEqual(packed); // lossless on every real page
    stats.add(c);
    if (packed.some((b) => b !== 0)) nonZeroPages++;
  }
  return { ...stats.snapshot(), nonZeroPages };
}

describe('tag compression on the MTE guests (vmm-lite)', () => {
  it('compresses every tagged page losslessly and prints the numbers', async () => {
    expect(mteGuests.length).toBeGreaterThan(0);
    const total = new TagCompressionStats();
    const rows: string[] = ['| guest | tagged pages | pages with non-zero tags | RLE pages | raw pages | raw bytes | compressed bytes | ratio |', '|---|---:|---:|---:|---:|---:|---:|---:|'];
    for (const name of mteGuests) {
      const s = await measure(name);
      total.pages += s.pages;
      total.rlePages += s.rlePages;
      total.rawPages += s.rawPages;
      total.rawBytes += s.rawBytes;
      total.storedBytes += s.storedBytes;
      rows.push(`| ${name} | ${s.pages} | ${s.nonZeroPages} | ${s.rlePages} | ${s.rawPages} | ${s.rawBytes} | ${s.storedBytes} | ${s.ratio.toFixed(2)} |`);
    }
    const t = total.snapshot();
    rows.push(`| all | ${t.pages} | | ${t.rlePages} | ${t.rawPages} | ${t.rawBytes} | ${t.storedBytes} | ${t.ratio.toFixed(2)} |`);
    console.log(rows.join('\n'));
  }, 300_000);
});
