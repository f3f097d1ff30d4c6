// The run loop vouches for the VMM (Vcpu.hostUnchanged) for every run of a vCPU but its first in a `run()` call:
// everything of vmm-lite's that writes guest memory while the machine runs (the virtio devices' DMA) reports it
// through Vm.hostWrote, so kvm-core keeps its translated code's checks and chains across exits and rounds.
import type { KvmExit } from '@kvm-mte/kvm-core';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { A64, PSCI_SYSTEM_OFF, printCode, psciCode, UART_BASE } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const CODE_AT = 0x4008_0000;
const RAM_BASE = 0x4000_0000;

describe('VirtMachine: Vcpu.hostUnchanged', () => {
  it('is set for every run of a run() call but the first, across budget exits, MMIO exits and rounds', async () => {
    // Three rounds of a 300,000-iteration loop (many budget exits), each followed by a UART store (an MMIO exit).
    const round = [...A64.mov64(2, 300_000), A64.addi(3, 3, 1), 0xf1000442 /* subs x2, x2, #1 */, A64.bne(-8), ...printCode('.')];
    const m = new VirtMachine({ mte: false });
    m.load({ kernel: codeElf([...round, ...round, ...round, ...psciCode(PSCI_SYSTEM_OFF)]) });
    const v = m.vcpus[0]!;
    const run = v.run.bind(v);
    const calls: { vouched: boolean; exit: KvmExit }[] = [];
    v.run = () => {
      const vouched = v.hostUnchanged;
      const exit = run();
      calls.push({ vouched, exit });
      return exit;
    };
    // Small slices: many rounds, the event loop between them.
    const r = await m.run({ slice: 50_000 });
    expect(r.outcome).toBe('shutdown');
    expect(Buffer.from(r.serial).toString('latin1')).toBe('...');
    expect(calls[0]!.vouched).toBe(false);
    expect(calls.slice(1).every((c) => c.vouched)).toBe(true);
    expect(calls.filter((c) => c.exit.reason === 'mmio').length).toBe(3);
    expect(calls.length).toBeGreaterThan(10);
  });

  it('is not set for the first run of the next run() call (the caller may have written guest memory)', async () => {
    const m = new VirtMachine({ mte: false });
    m.load({ kernel: codeElf([...A64.mov64(2, 3_000_000), 0xf1000442 /* subs x2, x2, #1 */, A64.bne(-4), ...psciCode(PSCI_SYSTEM_OFF)]) });
    const v = m.vcpus[0]!;
    const run = v.run.bind(v);
    const vouched: boolean[] = [];
    v.run = () => {
      vouched.push(v.hostUnchanged);
      return run();
    };
    expect((await m.run({ maxInstructions: 1_000_000 })).outcome).toBe('instruction-limit');
    const first = vouched.length;
    expect((await m.run({})).outcome).toBe('shutdown');
    expect(vouched[0]).toBe(false);
    expect(vouched[first]).toBe(false);
    expect(vouched.slice(1, first).every(Boolean)).toBe(true);
    expect(vouched.slice(first + 1).every(Boolean)).toBe(true);
  });

  it('a host write of code the guest is running, reported between rounds, is what the guest runs next', async () => {
    // A hot loop (translated, and compiled to WebAssembly) loads 'a' into x4 3,000,000 times, then prints x4. Between
    // two rounds the host rewrites the loop's first instruction to load 'b' and reports it (Vm.hostWrote), as a
    // device's DMA does.
    const loop = [A64.movz(4, 0x61), 0xf1000442 /* subs x2, x2, #1 */, A64.bne(-8)];
    const code = [...A64.mov64(2, 3_000_000), ...loop, ...A64.mov64(0, UART_BASE), A64.strb(4, 0), ...psciCode(PSCI_SYSTEM_OFF)];
    const m = new VirtMachine({ mte: false });
    m.load({ kernel: codeElf(code, CODE_AT) });
    const at = CODE_AT - RAM_BASE + 4 * A64.mov64(2, 3_000_000).length;
    const view = new DataView(m.ram.bytes.buffer, m.ram.bytes.byteOffset);
    expect(view.getUint32(at, true)).toBe(A64.movz(4, 0x61));
    let patched = false;
    const r = await m.run({
      slice: 100_000,
      shouldStop: () => {
        if (!patched && m.instructions > 1_000_000) {
          view.setUint32(at, A64.movz(4, 0x62), true);
          m.vm.hostWrote(m.ram, at, 4);
          patched = true;
        }
        return false;
      },
    });
    expect(patched).toBe(true);
    expect(r.outcome).toBe('shutdown');
    expect(Buffer.from(r.serial).toString('latin1')).toBe('b');
  });
});
