import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex } from './snapshot-format.js';

const guest = (name: string): Uint8Array => new Uint8Array(readFileSync(fileURLToPath(new URL(`../../../guests/bin/${name}.elf`, import.meta.url))));
const MEM = 16 * 2 ** 20;
const dec = (b: Uint8Array): string => new TextDecoder('latin1').decode(b);

async function full(name: string) {
  const m = new VirtMachine({ memory: MEM });
  m.load({ kernel: guest(name) });
  const r = await m.run({ maxInstructions: 50_000_000 });
  return { outcome: r.outcome, serial: dec(r.serial), instructions: r.instructions };
}

async function split(name: string, n: number) {
  const kernel = guest(name);
  const m = new VirtMachine({ memory: MEM });
  m.load({ kernel });
  const r1 = await m.run({ maxInstructions: n });
  const { file, sizes } = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
  const snap = decodeSnapshot(file);
  const m2 = new VirtMachine(restoreMachineOptions(snap));
  restoreSnapshot(m2, snap);
  const r2 = await m2.run({ maxInstructions: 50_000_000 });
  return { first: r1, outcome: r2.outcome, serial: dec(r1.serial) + dec(r2.serial), sizes, instructions: r1.instructions + r2.instructions };
}

describe('snapshot round trip', () => {
  for (const name of ['hello', 'arith', 'loadstore', 'el0', 'mmu', 'mte', 'svc', 'atomics']) {
    it(name, async () => {
      const f = await full(name);
      console.log(name, f.outcome, f.instructions);
      for (const n of [1, 7, 100, 1000, Math.floor(f.instructions / 3), Math.floor(f.instructions / 2) + 1, f.instructions - 5]) {
        if (n < 1 || n >= f.instructions) continue;
        const s = await split(name, n);
        expect(s.first.outcome).toBe('instruction-limit');
        expect({ n, serial: s.serial, outcome: s.outcome }).toEqual({ n, serial: f.serial, outcome: f.outcome });
      }
    });
  }
});
