import { describe, expect, it } from 'vitest';
import { VirtMachine, type VirtMachineOptions } from './machine.js';
import { PL031_BASE } from './pl031.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { decodeContainer, encodeSnapshot, sha256Hex } from './snapshot-format.js';
import { A64, psciCode, PSCI_SYSTEM_OFF, UART_BASE } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const MEM = 16 * 2 ** 20;
/** RTCDR after `n` instructions on a deterministic clock of 2^shift ns per instruction, started at 0. */
const seconds = (n: number, shift: number): number => Math.floor((n * 2 ** shift) / 1e9);

function machine(kernel: Uint8Array, clock: VirtMachineOptions['clock']): VirtMachine {
  const m = new VirtMachine({ memory: MEM, clock });
  m.load({ kernel });
  return m;
}

describe('the PL031 on the virt board', () => {
  it('a guest reading RTCDR twice on the deterministic clock gets the time of its instruction count', async () => {
    const shift = 30; // ~1.07 s per instruction
    const code = [
      ...A64.mov64(0, PL031_BASE), ...A64.mov64(3, UART_BASE), // 4 instructions: movz, movk, movz, movk
      A64.ldrw(1, 0), // 4 retired before it
      ...Array.from({ length: 7 }, () => A64.nop()),
      A64.ldrw(2, 0), // 4 + 1 + 7 = 12 retired before it
      A64.strb(1, 3), A64.strb(2, 3), // print the low bytes
      ...psciCode(PSCI_SYSTEM_OFF),
    ];
    for (let run = 0; run < 2; run++) {
      const r = await machine(codeElf(code), { mode: 'deterministic', shift }).run({ maxInstructions: 1000 });
      expect(r.outcome).toBe('shutdown');
      expect([...r.serial]).toEqual([seconds(4, shift), seconds(12, shift)]);
    }
  });

  it('is in the device tree and on the bus at 0x0901_0000 whatever the clock', () => {
    const m = machine(codeElf([A64.self()]), 'host');
    expect(m.bus.find(PL031_BASE, 4)?.device).toBe(m.rtc);
    expect(m.clock.mode).toBe('host');
    expect(new TextDecoder('latin1').decode(m.dtb)).toContain('pl031@9010000');
    expect(() => new VirtMachine({ memory: MEM, clock: 'sundial' as 'host' })).toThrow('invalid clock sundial');
  });

  it('a guest polling RTCDR until the second changes is not taken for a stalled one', async () => {
    const code = [
      ...A64.mov64(0, PL031_BASE),
      A64.ldrw(1, 0),
      A64.ldrw(2, 0), // poll:
      A64.cmp(2, 1),
      A64.bne(8),
      A64.b(-12),
      ...psciCode(PSCI_SYSTEM_OFF),
    ];
    const m = machine(codeElf(code), { mode: 'deterministic', shift: 12 }); // a second is ~244,000 instructions
    const r = await m.run({ maxInstructions: 5_000_000 });
    expect(r.message).toBeUndefined();
    expect(r.outcome).toBe('shutdown');
  });

  describe('snapshots (deterministic clock)', () => {
    const shift = 24; // ~16.8 ms per instruction: RTCDR steps every ~12 iterations of the loop below
    // Print the low byte of RTCDR 200 times.
    const kernel = codeElf([
      ...A64.mov64(0, PL031_BASE), ...A64.mov64(3, UART_BASE), A64.movz(4, 0), A64.movz(5, 200),
      A64.ldrw(1, 0), A64.strb(1, 3), A64.addi(4, 4, 1), A64.cmp(4, 5), A64.bne(-16),
      ...psciCode(PSCI_SYSTEM_OFF),
    ]);
    const config = { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } as const;

    async function split(n: number, edit: (devices: Record<string, unknown>) => void = () => {}) {
      const m = machine(kernel, { mode: 'deterministic', shift });
      const r1 = await m.run({ maxInstructions: n });
      expect(r1.outcome).toBe('instruction-limit');
      const snap = decodeSnapshot(saveSnapshot(m, { config }).file);
      edit(snap.devices);
      const m2 = new VirtMachine({ ...restoreMachineOptions(snap), clock: { mode: 'deterministic', shift } });
      restoreSnapshot(m2, snap);
      const r2 = await m2.run({ maxInstructions: 1_000_000 });
      expect(r2.outcome).toBe('shutdown');
      return [...r1.serial, ...r2.serial];
    }

    it('a round trip reads the same times as a straight run', async () => {
      const full = await machine(kernel, { mode: 'deterministic', shift }).run({ maxInstructions: 1_000_000 });
      expect(full.outcome).toBe('shutdown');
      const bytes = [...full.serial];
      expect(bytes).toHaveLength(200);
      // 6 instructions before the first read, 5 a loop iteration.
      expect(bytes).toEqual(Array.from({ length: 200 }, (_, i) => seconds(6 + 5 * i, shift)));
      for (const n of [9, 333, 707]) expect(await split(n), `split at ${n}`).toEqual(bytes);
    });

    it('a snapshot without a PL031 entry (older vmm-lite) restores the RTC fresh; a bad one is refused', async () => {
      const bytes = await split(503, (d) => { delete d['pl031@9010000']; });
      // Up to the snapshot the times of a straight run; after it the fresh machine's clock counts from 0.
      const at = (i: number) => 6 + i * 5; // instructions retired before the i-th read
      const first = bytes.findIndex((_, i) => at(i) >= 503);
      expect(bytes.slice(0, first)).toEqual(Array.from({ length: first }, (_, i) => seconds(at(i), shift)));
      expect(bytes[first]).toBe(seconds(at(first) - 503, shift));

      const m = machine(kernel, { mode: 'deterministic', shift });
      await m.run({ maxInstructions: 100 });
      // Re-encode the file with a bad RTCMR in the devices section (checksums right).
      const { header, sections, source } = decodeContainer(saveSnapshot(m, { config }).file);
      const resealed = sections.map((x) => {
        let payload = source.read(x.offset, x.length);
        if (x.kind === 'DEVS') {
          const d = JSON.parse(new TextDecoder().decode(payload)) as { devices: Record<string, { mr: number }> };
          d.devices['pl031@9010000']!.mr = -1;
          payload = new TextEncoder().encode(JSON.stringify(d));
        }
        return { kind: x.kind, index: x.index, payload };
      });
      expect(() => decodeSnapshot(encodeSnapshot(header, resealed))).toThrow('snapshot is corrupt: PL031 state: bad mr');
    });
  });
});
