// The differential fuzzer's CI test (see README.md):
//  - decoder robustness: 2,000,000 random words (FUZZ_DECODER_WORDS to change) never make the modelled CPU throw or
//    stop with Stop.InternalError; runs everywhere.
//  - a fixed seed set (3 seeds x 300 sequences, MMU off and on) against QEMU 10 when it is installed; skipped with the
//    reason otherwise, and a failure instead of a skip with KVM_MTE_REQUIRE_QEMU=1.
//  - the generator is deterministic and the harness ELF is well formed.
import { describe, expect, it } from 'vitest';
import { makeSequence, runBatch, type BatchSpec } from './src/batch';
import { checkDecoder } from './src/decoder-robustness';
import { layout } from './src/generator';
import { buildBinary } from './src/harness';
import { formatMismatch } from './src/cli';
import { qemuStatus } from './src/oracle';

const qemu = qemuStatus();
const requireQemu = process.env.KVM_MTE_REQUIRE_QEMU === '1';
const DECODER_WORDS = Number(process.env.FUZZ_DECODER_WORDS ?? 2_000_000);

describe('decoder robustness', () => {
  it(`${DECODER_WORDS} random words: executed or a guest exception, never a host throw or Stop.InternalError`, () => {
    const r = checkDecoder(0x5eed, DECODER_WORDS);
    const shown = r.failures.map((f) => `${f.word.toString(16).padStart(8, '0')}: ${f.problem}`).join('\n');
    expect(shown).toBe('');
    expect(r.executed + r.exceptions + r.otherStops).toBe(DECODER_WORDS);
    expect(r.executed).toBeGreaterThan(0);
    expect(r.exceptions).toBeGreaterThan(0);
  }, 120_000);

  it('also on a CPU without MTE (the tag instructions are UNDEFINED there)', () => {
    const r = checkDecoder(0x5eed + 1, 200_000, 20, 0);
    expect(r.failures.map((f) => `${f.word.toString(16)}: ${f.problem}`).join('\n')).toBe('');
  });
});

describe('generator and harness', () => {
  it('the same seed gives the same program', () => {
    for (const mode of ['mmu-off', 'mmu-on'] as const) {
      for (let i = 0; i < 50; i++) {
        const a = makeSequence(7, i, mode);
        const b = makeSequence(7, i, mode);
        expect(layout(a)).toEqual(layout(b));
        expect(a.init).toEqual(b.init);
      }
    }
    expect(layout(makeSequence(7, 0, 'mmu-on'))).not.toEqual(layout(makeSequence(8, 0, 'mmu-on')));
  });

  it('branches only go forward, inside the sequence or to its end, also after items are dropped', () => {
    for (let i = 0; i < 200; i++) {
      const s = makeSequence(3, i, 'mmu-on');
      const keep = s.items.map((_, k) => k).filter((k) => k % 3 !== 1);
      for (const words of [layout(s), layout(s, keep)]) {
        for (let k = 0; k < words.length; k++) {
          const w = words[k]!;
          let off: number | null = null;
          if ((w & 0x7c000000) === 0x14000000) off = (w << 6) >> 6; // B, BL
          else if ((w & 0xff000010) === 0x54000000 || (w & 0x7e000000) === 0x34000000) off = (w << 8) >> 13; // B.cond, CB(N)Z
          else if ((w & 0x7e000000) === 0x36000000) off = (w << 13) >> 18; // TB(N)Z
          if (off === null) continue;
          // An unallocated random word may look like a branch only if the model rejects it; generated ones must fit.
          if (off > 0) expect(k + off).toBeLessThanOrEqual(words.length);
        }
      }
    }
  });

  it('buildBinary writes an ELF64 AArch64 executable entered at 0x4008_0000', () => {
    const s = makeSequence(1, 0, 'mmu-off');
    const { elf, seqAddrs } = buildBinary([{ words: layout(s), init: s.init }], 'mmu-off');
    const v = new DataView(elf.buffer, elf.byteOffset);
    expect([...elf.subarray(0, 4)]).toEqual([0x7f, 0x45, 0x4c, 0x46]);
    expect(v.getUint16(18, true)).toBe(183);
    expect(v.getBigUint64(24, true)).toBe(0x4008_0000n);
    expect(seqAddrs[0]! % 4).toBe(0);
  });
});

describe('QEMU 10 requirement', () => {
  it.runIf(requireQemu)('QEMU 10 is installed (KVM_MTE_REQUIRE_QEMU=1)', () => {
    expect(qemu.usable, qemu.reason).toBe(true);
  });
});

const SPECS: BatchSpec[] = [
  { seed: 101, start: 0, count: 300, mode: 'mmu-off' },
  { seed: 102, start: 0, count: 300, mode: 'mmu-on' },
  { seed: 103, start: 0, count: 300, mode: 'mmu-on' },
];

describe.skipIf(!qemu.usable)(`differential fuzzing against QEMU ${qemu.version ?? ''}${qemu.usable ? '' : ` (skipped: ${qemu.reason})`}`, () => {
  for (const spec of SPECS) {
    it(`seed ${spec.seed}: ${spec.count} sequences, ${spec.mode}: vmm-lite prints what QEMU prints`, async () => {
      const r = await runBatch(spec);
      expect(r.problems).toEqual([]);
      expect(r.mismatches.map((m) => formatMismatch(m)).join('\n\n')).toBe('');
      expect(r.sequences).toBe(spec.count);
    }, 60_000);
  }
});
