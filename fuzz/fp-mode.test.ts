// FP mode (`--mode fp`, README.md "FP mode"): the generator's SIMD&FP share, its exclusions and FPCR values, the
// FP-aware value distribution, and the harness's V0-V31/FPCR/FPSR load-and-print round trip on vmm-lite (no QEMU
// needed). The differential run against QEMU is in fuzz.test.ts (seed 105).
import { findEncoding, IMPL } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { makeSequence, sequenceSeed } from './src/batch';
import { DOUBLE, exactValue, FPCR_FUZZ_MASK, fpValue, HALF, SINGLE, type FpFormat } from './src/fp-values';
import { fpDecodedOnly, generateSequence, layout, type Sequence } from './src/generator';
import { buildBinary } from './src/harness';
import { runVmmLite, splitBlocks } from './src/oracle';
import { Prng } from './src/prng';

/** SIMD&FP data processing (op0 = x111) or a SIMD&FP load/store (op0 = x1x0 with V, bit 26, set). */
const isSimdFp = (w: number): boolean => ((w >>> 25) & 7) === 7 || ((w >>> 25) & 5) === 4 && ((w >>> 26) & 1) === 1;
const isMsrFpcr = (w: number): boolean => (w & 0xffffffe0) >>> 0 === 0xd51b4400;

/** The value MOVZ/MOVN/MOVK words leave in register `rd` (the set-up of an item), or undefined if none sets it. */
function movValue(words: readonly number[], rd: number): bigint | undefined {
  let v: bigint | undefined;
  for (const w of words) {
    if ((w & 31) !== rd || ((w >>> 23) & 0x3f) !== 0b100101 || (w >>> 31) !== 1) continue;
    const opc = (w >>> 29) & 3;
    const sh = BigInt(16 * ((w >>> 21) & 3));
    const imm = BigInt((w >>> 5) & 0xffff) << sh;
    if (opc === 2) v = imm; // MOVZ
    else if (opc === 0) v = BigInt.asUintN(64, ~imm); // MOVN
    else if (opc === 3 && v !== undefined) v = (v & ~(0xffffn << sh)) | imm; // MOVK
  }
  return v;
}

const fpSeqs = (seed: number, n: number, fpAllEncodings: boolean): Sequence[] =>
  Array.from({ length: n }, (_, i) => generateSequence(sequenceSeed(seed, i, 'fp'), { mode: 'fp', fpAllEncodings }));

describe('FP mode generator', () => {
  it('is deterministic and gives every sequence V0-V31, FPCR (bits 0x07ff0000 only) and FPSR', () => {
    for (let i = 0; i < 30; i++) {
      const a = makeSequence(5, i, 'fp');
      const b = makeSequence(5, i, 'fp');
      expect(layout(a)).toEqual(layout(b));
      expect(a.init).toEqual(b.init);
      expect(a.init.fp!.v).toHaveLength(32);
      expect(a.init.fp!.fpcr & ~FPCR_FUZZ_MASK).toBe(0);
    }
    expect(layout(makeSequence(5, 0, 'fp'))).not.toEqual(layout(makeSequence(5, 0, 'mmu-on')));
  });

  it('every RMode/FZ/DN/FZ16/AHP combination comes up in the initial FPCRs', () => {
    const combos = new Set<number>();
    for (const s of fpSeqs(21, 1200, true)) combos.add(s.init.fp!.fpcr & 0x07c8_0000);
    expect(combos.size).toBe(64);
  });

  it('about 70% of the items are SIMD&FP; the other modes emit none', () => {
    let items = 0;
    let simd = 0;
    for (const s of fpSeqs(22, 300, true)) {
      for (const it of s.items) {
        items++;
        if (it.words.some(isSimdFp)) simd++;
      }
    }
    expect(simd / items).toBeGreaterThan(0.62);
    expect(simd / items).toBeLessThan(0.78);
    for (const mode of ['mmu-off', 'mmu-on', 'mte'] as const) {
      for (let i = 0; i < 100; i++) expect(layout(makeSequence(22, i, mode)).filter(isSimdFp)).toEqual([]);
    }
  });

  it('excludes SM3/SM4 and the SVE/SME spaces (FEAT_FHM only while not advertised); MSR FPCR/FPSR only with values set right before', () => {
    const sm3sm4 = (w: number): boolean =>
      (w & 0xffe0c000) >>> 0 === 0xce408000 || // SM3TT1A..SM3TT2B
      (w & 0xffe0f000) >>> 0 === 0xce60c000 || // SM3PARTW1/2, SM4EKEY (three-register SHA512, O = 1)
      (w & 0xfffffc00) >>> 0 === 0xcec08400 || // SM4E
      (w & 0xffe08000) >>> 0 === 0xce400000; // SM3SS1
    const fhm = (w: number): boolean =>
      (w & 0xbf60fc00) >>> 0 === 0x0e20ec00 || (w & 0xbf60fc00) >>> 0 === 0x2e20cc00 || // FMLAL/FMLSL(2) (vector)
      ((w & 0xbfc00400) >>> 0 === 0x0f800000 && [0, 4].includes((w >>> 12) & 0xf)) || // FMLAL/FMLSL (by element)
      ((w & 0xbfc00400) >>> 0 === 0x2f800000 && [8, 12].includes((w >>> 12) & 0xf)); // FMLAL2/FMLSL2 (by element)
    const sveSme = (w: number): boolean => ((w >>> 25) & 0xf) === 0b0010 || ((w >>> 25) & 0xf) === 0b0000;
    const fhmAdvertised = ((IMPL.ID_AA64ISAR0_EL1 >> 48n) & 0xfn) !== 0n;
    let msr = 0;
    let fhmSeen = 0;
    for (const s of fpSeqs(23, 800, true)) {
      for (const it of s.items) {
        for (const w of it.words) {
          expect(sm3sm4(w), w.toString(16)).toBe(false);
          if (fhm(w)) fhmSeen++;
          expect(sveSme(w) && (w >>> 16) !== 0, w.toString(16)).toBe(false); // UDF #imm16 (0000 0000 0000 0000 imm16) is integer
        }
        const at = it.words.findIndex((w) => (w & 0xffffffc0) >>> 0 === 0xd51b4400); // MSR FPCR/FPSR, Xt
        if (at < 0) continue;
        msr++;
        const w = it.words[at]!;
        const rt = w & 31;
        const v = rt === 31 ? 0n : movValue(it.words.slice(0, at), rt);
        expect(v, `MSR ${w.toString(16)} with Xt not set`).toBeDefined();
        expect(v! & ~BigInt(isMsrFpcr(w) ? FPCR_FUZZ_MASK : 0xf800_009f)).toBe(0n);
      }
    }
    expect(msr).toBeGreaterThan(20);
    if (fhmAdvertised) expect(fhmSeen).toBeGreaterThan(0);
    else expect(fhmSeen).toBe(0);
  });

  it('FCMP + B.cond: the B.cond (after the FCMP) branches forward, to an item start or the end', () => {
    let seen = 0;
    for (const s of fpSeqs(25, 300, true)) {
      const words = layout(s);
      const starts = new Set<number>([words.length]);
      let at = 0;
      s.items.forEach((it, k) => {
        starts.add(at);
        if (it.cls === 'fcmp + b.cond') {
          const w = words[at + 1]!;
          expect((w & 0xff000010) >>> 0).toBe(0x54000000);
          const off = (w << 8) >> 13;
          expect(off).toBeGreaterThan(0);
          expect(s.items[k]!.branch!.target).toBeGreaterThan(k);
          seen++;
        }
        at += it.words.length;
      });
      at = 0;
      for (const it of s.items) {
        if (it.cls === 'fcmp + b.cond') expect(starts.has(at + 1 + ((words[at + 1]! << 8) >> 13))).toBe(true);
        at += it.words.length;
      }
    }
    expect(seen).toBeGreaterThan(50);
  });

  it('fuzzes every SIMD&FP word once the model advertises FP/AdvSIMD, before that only the words it decodes', () => {
    expect(fpDecodedOnly({ mode: 'fp', fpAllEncodings: true })).toBe(false);
    const advertised = ((IMPL.ID_AA64PFR0_EL1 >> 16n) & 0xfn) !== 0xfn;
    expect(fpDecodedOnly({ mode: 'fp', fpAllEncodings: false })).toBe(!advertised);
    if (advertised) return; // every word is fuzzed (seeds 105 and 106 check them against QEMU)
    let simd = 0;
    for (const s of fpSeqs(24, 100, false)) {
      for (const w of layout(s).filter(isSimdFp)) {
        simd++;
        expect(findEncoding(w), w.toString(16)).toBeDefined();
      }
    }
    expect(simd).toBeGreaterThan(300);
  });
});

describe('FP-aware values', () => {
  it('builds exact bit patterns', () => {
    expect(exactValue(SINGLE, 0, 1n, 0)).toBe(0x3f80_0000n);
    expect(exactValue(HALF, 1, 3n, -1)).toBe(0xbe00n); // -1.5
    expect(exactValue(DOUBLE, 0, 1n, 63)).toBe(0x43e0_0000_0000_0000n); // 2^63
    expect(exactValue(HALF, 0, 1n, 16)).toBe(0x7c00n); // 2^16 is beyond half precision: infinity
    expect(exactValue(DOUBLE, 1, 0n, 5)).toBe(1n << 63n); // -0
  });

  it.each([['half', HALF], ['single', SINGLE], ['double', DOUBLE]] as const)(
    '%s: NaNs (quiet and signalling), infinities, zeros, denormals and normals all come up', (_name, f: FpFormat) => {
      const r = new Prng(99);
      const seen = new Set<string>();
      const expMax = (1n << BigInt(f.ebits)) - 1n;
      for (let i = 0; i < 2000; i++) {
        const v = fpValue(r, f);
        expect(v >> BigInt(f.bits)).toBe(0n);
        const exp = (v >> BigInt(f.fbits)) & expMax;
        const frac = v & ((1n << BigInt(f.fbits)) - 1n);
        const quiet = (frac >> BigInt(f.fbits - 1)) === 1n;
        seen.add(exp === expMax ? (frac === 0n ? 'inf' : quiet ? 'qnan' : 'snan') : exp === 0n ? (frac === 0n ? 'zero' : 'denormal') : 'normal');
      }
      expect([...seen].sort()).toEqual(['denormal', 'inf', 'normal', 'qnan', 'snan', 'zero']);
    });
});

describe('FP mode harness', () => {
  it('loads V0-V31, FPCR and FPSR from the descriptor and prints them back (vmm-lite)', async () => {
    const s = makeSequence(5, 3, 'fp');
    const init = { ...s.init, fp: { ...s.init.fp!, fpcr: 0x0540_0000, fpsr: 0x0800_0011 } };
    const { elf } = buildBinary([{ words: [0xd503201f], init }], 'fp'); // one NOP
    const out = await runVmmLite(elf);
    expect(out.ok, out.detail).toBe(true);
    const lines = splitBlocks(out.text).blocks.get(0)!;
    const vLines = lines.filter((l) => l.startsWith('v'));
    expect(vLines).toEqual(init.fp.v.map((v, r) => `v${r.toString().padStart(2, '0')} ${v.toString(16).padStart(32, '0')}`));
    expect(lines).toContain('fpsr 0000000008000011');
    expect(lines).toContain('fpcr 0000000005400000');
  });
});
