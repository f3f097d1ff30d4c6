// The differential fuzzer's CI test (see README.md):
//  - decoder robustness: 2,000,000 random words (FUZZ_DECODER_WORDS to change) never make the modelled CPU throw or
//    stop with Stop.InternalError; runs everywhere.
//  - a fixed seed set (3 seeds x 300 sequences, MMU off and on, and 200 sequences each in MTE and FP mode) against QEMU 10 when it is
//    installed; skipped with the reason otherwise, and a failure instead of a skip with KVM_MTE_REQUIRE_QEMU=1.
//    (FP mode's own generator and harness tests are in fp-mode.test.ts.)
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

  it('MTE mode: deterministic, emits tag instructions, sets RGSR_EL1/GCR_EL1; other modes emit none', () => {
    const isTagInsn = (w: number): boolean =>
      (w & 0xff200000) >>> 0 === 0xd9200000 || // STG/STZG/ST2G/STZ2G/LDG
      (w & 0xfe400000) >>> 0 === 0x68000000 || // STGP
      (w & 0xdfe0fc00) >>> 0 === 0x9ac00000 || (w & 0xffe0f800) >>> 0 === 0x9ac01000 || // SUBP(S), IRG, GMI
      (w & 0xbfc00000) >>> 0 === 0x91800000; // ADDG/SUBG
    let tagInsns = 0;
    for (let i = 0; i < 50; i++) {
      const a = makeSequence(9, i, 'mte');
      expect(layout(a)).toEqual(layout(makeSequence(9, i, 'mte')));
      expect(a.init.mteRegs).toBeDefined();
      expect((a.init.mteRegs! >> 8n) & 0xffffn).not.toBe(0n); // RGSR_EL1.SEED non-zero
      tagInsns += layout(a).filter(isTagInsn).length;
      expect(layout(makeSequence(9, i, 'mmu-on')).filter(isTagInsn)).toEqual([]);
    }
    expect(tagInsns).toBeGreaterThan(100);
  });

  it('emits the PSTATE writes (MSR UAO/PAN/SSBS/DAIF), the LOR registers and LDLAR/STLLR', () => {
    const count = (pred: (w: number) => boolean): number => {
      let n = 0;
      for (let i = 0; i < 300; i++) n += layout(makeSequence(11, i, i % 2 === 0 ? 'mmu-off' : 'mmu-on')).filter(pred).length;
      return n;
    };
    expect(count((w) => (w & 0xfffff0ff) >>> 0 === 0xd500407f)).toBeGreaterThan(0); // MSR UAO, #imm
    expect(count((w) => (w & 0xffdfffe0) >>> 0 === 0xd5184280)).toBeGreaterThan(0); // MRS/MSR UAO
    expect(count((w) => (w & 0xffdfff00) >>> 0 === 0xd518a400)).toBeGreaterThan(0); // MRS/MSR LORSA..LORID
    expect(count((w) => (w & 0x3fbf8000) >>> 0 === 0x089f0000)).toBeGreaterThan(0); // LDLAR/STLLR
  });

  it('branches only go forward, inside the sequence or to its end, also after items are dropped', () => {
    for (let i = 0; i < 400; i++) {
      const s = makeSequence(3, i, i % 2 === 0 ? 'mmu-on' : 'fp'); // FP mode: FCMP + B.cond items too
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
  // MTE mode: QEMU -M virt,mte=on -cpu max, vmm-lite mte: true; tag instructions and tag-checked accesses.
  { seed: 104, start: 0, count: 200, mode: 'mte' },
  // FP mode: QEMU -M virt -cpu max; SIMD&FP instructions, V0-V31/FPCR/FPSR compared (only the SIMD&FP words the model
  // decodes while it does not advertise FP/AdvSIMD: README.md, "FP mode").
  { seed: 105, start: 0, count: 200, mode: 'fp' },
  // The same with every block WebAssembly before it first runs, so the SIMD&FP handler rows are called out of
  // translated code (a handler row named as an integer instruction was once translated as that instruction).
  { seed: 106, start: 0, count: 200, mode: 'fp', wasmHotRuns: 0 },
  // The fast interpreter (handler blocks recording their programs at the first run): the default engine runs code
  // met once through the BigInt handlers, so the sequences would never reach it.
  { seed: 107, start: 0, count: 300, mode: 'mmu-on', fastInterpreter: true },
  { seed: 108, start: 0, count: 200, mode: 'mte', fastInterpreter: true },
  // And through the WebAssembly tier, whose loads and stores compare allocation tags inline.
  { seed: 109, start: 0, count: 300, mode: 'mmu-on', wasmHotRuns: 0 },
  { seed: 110, start: 0, count: 200, mode: 'mte', wasmHotRuns: 0 },
];

describe.skipIf(!qemu.usable)(`differential fuzzing against QEMU ${qemu.version ?? ''}${qemu.usable ? '' : ` (skipped: ${qemu.reason})`}`, () => {
  for (const spec of SPECS) {
    const engine = spec.wasmHotRuns === 0 ? ' (WebAssembly tier)' : spec.fastInterpreter === true ? ' (fast interpreter)' : '';
    it(`seed ${spec.seed}: ${spec.count} sequences, ${spec.mode}${engine}: vmm-lite prints what QEMU prints`, async () => {
      const r = await runBatch(spec);
      expect(r.problems).toEqual([]);
      expect(r.mismatches.map((m) => formatMismatch(m)).join('\n\n')).toBe('');
      expect(r.sequences).toBe(spec.count);
    }, 60_000);
  }
});
