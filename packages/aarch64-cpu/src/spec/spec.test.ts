/**
 * The instruction specification's own checks: patterns parse as declared; each row's decode reads exactly the
 * fields its pattern names, and every bit of every field can change what it decodes (so a field name and the bits
 * the semantics use agree); every row is reachable in the A64 decoder; the lazy flags both backends use agree with
 * AddWithCarry written over Sem; the WebAssembly backend refuses a specification that breaks spec/sem.ts's rules.
 * (That the backends compute the same thing is the differential tests' job: packages/mmu/src/wasm-tier.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { FlatMemory } from '../testing/flat-memory.js';
import { rng } from '../testing/rng.js';
import { findEncoding } from '../decode-a64.js';
import { ModuleBuilder } from '../wasm/module-builder.js';
import { ValType } from '../wasm/types.js';
import { BlockEmitter } from '../wasm-jit/block-emitter.js';
import { specTranslations } from '../wasm-jit/spec-wasm.js';
import { DP_IMMEDIATE_SPECS } from './dp-immediate.js';
import { DP_REGISTER_SPECS } from './dp-register.js';
import { LOAD_STORE_SPECS } from './loads-stores.js';
import { SIMD_FP_LOAD_STORE_SPECS } from './simd-fp-loads-stores.js';
import { SIMD_CRYPTO_AES_SPECS } from './simd-crypto-aes.js';
import { SIMD_INT_SPECS } from './simd-int.js';
import { SIMD_MOVE_SPECS } from './simd-moves.js';
import { FP_ARITH_SPECS } from './fp-arith.js';
import { FP_MOVE_SPECS } from './fp-moves.js';
import { FP_COMPARE_SPECS } from './fp-compare.js';
import { FP_INT_CONVERT_SPECS } from './fp-int-convert.js';
import { SIMD_SHIFT_SPECS } from './simd-shift.js';
import { BRANCH_SPECS } from './branches.js';
import { ATOMIC_SPECS } from './atomics.js';
import { BigOps } from './interp-sem.js';
import { fieldValues, parsePattern } from './pattern.js';
import { addWithCarryFlags } from './shared.js';
import type { Sem } from './sem.js';
import { insn, type AnyInsnSpec } from './spec.js';

const ALL: readonly AnyInsnSpec[] = [
  ...DP_IMMEDIATE_SPECS, ...Object.values(DP_REGISTER_SPECS).flat(), ...LOAD_STORE_SPECS.pairs,
  ...LOAD_STORE_SPECS.single.flat(2), ...BRANCH_SPECS.direct, ...BRANCH_SPECS.register,
  ...SIMD_FP_LOAD_STORE_SPECS.pairs, ...SIMD_FP_LOAD_STORE_SPECS.single, ...SIMD_FP_LOAD_STORE_SPECS.ld1,
  ...SIMD_FP_LOAD_STORE_SPECS.ld1r,
  ...SIMD_CRYPTO_AES_SPECS, ...SIMD_INT_SPECS, ...SIMD_MOVE_SPECS, ...FP_ARITH_SPECS, ...FP_MOVE_SPECS,
  ...FP_COMPARE_SPECS, ...FP_INT_CONVERT_SPECS, ...SIMD_SHIFT_SPECS, ...ATOMIC_SPECS.flat(),
];

/** Random words matching a pattern's fixed bits. */
function samples(pattern: string, count: number, seed: number): number[] {
  const { mask, value } = parsePattern(pattern);
  const next = rng(seed);
  return Array.from({ length: count }, () => ((next() & ~mask) | value) >>> 0);
}

describe('named-field patterns', () => {
  it('parse fixed bits and fields, most significant first', () => {
    const p = parsePattern('sf:1 0 0 100010 sh:1 imm12:12 Rn:5 Rd:5');
    expect(p.mask).toBe(0x7f80_0000);
    expect(p.value).toBe(0x1100_0000);
    expect(p.fields).toEqual([
      { name: 'sf', lsb: 31, width: 1 }, { name: 'sh', lsb: 22, width: 1 }, { name: 'imm12', lsb: 10, width: 12 },
      { name: 'Rn', lsb: 5, width: 5 }, { name: 'Rd', lsb: 0, width: 5 },
    ]);
    expect(fieldValues(p.fields, 0x9144_0441)).toEqual({ sf: 1, sh: 1, imm12: 0x101, Rn: 2, Rd: 1 });
  });

  it('refuse malformed patterns with a message naming the problem', () => {
    expect(() => parsePattern('sf:1 0')).toThrow(/has 2 bits, not 32/);
    expect(() => parsePattern('a:16 a:16')).toThrow(/field a appears twice/);
    expect(() => parsePattern('x:33')).toThrow(/more than 32 bits/);
    expect(() => parsePattern('x:0 y:32')).toThrow(/bad token "x:0"/);
    expect(() => parsePattern(`${'0'.repeat(31)} q:2`)).toThrow(/more than 32 bits/);
    expect(() => parsePattern(`${'0'.repeat(30)} 2a`)).toThrow(/bad token "2a"/);
  });
});

describe('every specification row', () => {
  it.each(ALL.map((s) => [s.name, s.pattern, s] as const))('%s (%s): decode reads exactly the pattern\'s fields, each bit of them matters', (_n, _p, spec) => {
    const { fields, read: readWord } = parsePattern(spec.pattern);
    const declared = new Set(fields.map((f) => f.name));
    const read = new Set<string>();
    const unknown = new Set<string>();
    const decodeRecording = (w: number): string => {
      const values = readWord(w);
      expect({ ...Object.fromEntries(fields.map((f) => [f.name, values[f.name]])) }).toEqual(fieldValues(fields, w));
      const proxy = new Proxy(values, {
        get(target, prop: string) {
          if (declared.has(prop)) read.add(prop);
          else unknown.add(prop);
          return target[prop];
        },
      });
      return JSON.stringify(spec.decode(proxy), (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? 'UNDEFINED';
    };
    const words = samples(spec.pattern, 400, 0x5eed ^ spec.pattern.length);
    for (const w of words) decodeRecording(w);
    expect([...unknown], 'fields decode reads that the pattern does not name').toEqual([]);
    expect([...read].sort(), 'fields the pattern names that decode never reads').toEqual([...declared].sort());
    // Each bit of each field changes the decoded arguments (or whether the word is UNDEFINED) for some word.
    for (const f of fields) {
      for (let bit = 0; bit < f.width; bit++) {
        const flip = 1 << (f.lsb + bit);
        const matters = words.some((w) => decodeRecording(w) !== decodeRecording((w ^ flip) >>> 0));
        expect(matters, `bit ${bit} of field ${f.name} never changes what ${spec.name} decodes`).toBe(true);
      }
    }
  });

  it('is the row the A64 decoder finds for its words (no row shadows another)', () => {
    for (const spec of ALL) {
      for (const w of samples(spec.pattern, 64, 77)) {
        const row = findEncoding(w);
        if (row?.spec === spec) continue;
        // A word another row takes must be one an earlier, more specific row owns by design (the MTE rows, which
        // sit in encodings these classes leave unallocated, never overlap them).
        expect.fail(`0x${w.toString(16)} matches ${spec.name} but decodes as ${row?.name ?? 'UNDEFINED'}`);
      }
    }
  });
});

describe('flags', () => {
  it('the lazy ADDS/SUBS flags agree with AddWithCarry written over Sem', () => {
    const cpu = new Cpu(new FlatMemory());
    const next = rng(99);
    const edge = [0n, 1n, 0x7fff_ffffn, 0x8000_0000n, 0xffff_ffffn, 0x7fff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n,
      0xffff_ffff_ffff_ffffn];
    const values = [...edge, ...Array.from({ length: 24 }, () => (BigInt(next()) << 32n) | BigInt(next()))];
    let checked = 0;
    for (const w of [32, 64] as const) {
      for (const x of values) {
        for (const y of values) {
          const a = BigOps.zext(x, w);
          const b = BigOps.zext(y, w);
          for (const sub of [false, true]) {
            if (sub) cpu.sem.flagsSub(a, b, w);
            else cpu.sem.flagsAdd(a, b, w);
            const lazy = cpu.nzcv;
            addWithCarryFlags(cpu.sem, a, sub ? BigOps.not(b, w) : b, sub ? 1n : 0n, w);
            expect(lazy, `${sub ? 'SUBS' : 'ADDS'} ${w} 0x${a.toString(16)} 0x${b.toString(16)}`).toBe(cpu.nzcv);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(2 * 32 * 32 * 2);
  });
});

describe('the WebAssembly backend enforces the rules of spec/sem.ts', () => {
  function translate(spec: AnyInsnSpec, word: number): void {
    const m = new ModuleBuilder();
    m.importMemory('env', 'memory', { min: 1 });
    const t = m.type([ValType.i32, ValType.i32, ValType.i32], [ValType.i32]);
    const fn = m.declareFunction(t);
    const f = m.beginFunction(fn);
    const e = new BlockEmitter(f, 0, 0, 0, 0);
    specTranslations([spec]).get(spec.name)!(e, word);
  }

  it('a register value used after the register was written throws at translation', () => {
    const bad = insn<'Rn' | 'Rd', { n: number; d: number }>('BAD', '0000000000000000000000 Rn:5 Rd:5',
      (f) => ({ n: f.Rn, d: f.Rd }),
      (s, a) => {
        const v = s.x(a.n);
        s.setX(a.n, s.c(1n), 64);
        s.setX(a.d, v, 64);
      });
    expect(() => translate(bad, (3 << 5) | 4)).toThrow(/X\d+ used after it was written/);
    // let() fixes the value before the write: allowed.
    const good = insn<'Rn' | 'Rd', { n: number; d: number }>('GOOD', '0000000000000000000000 Rn:5 Rd:5',
      (f) => ({ n: f.Rn, d: f.Rd }),
      (s, a) => {
        const v = s.let(s.x(a.n));
        s.setX(a.n, s.c(1n), 64);
        s.setX(a.d, v, 64);
      });
    expect(() => translate(good, (3 << 5) | 4)).not.toThrow();
  });

  it('a register written inside when() throws at translation', () => {
    const bad = insn<'Rd', { d: number }>('BAD', '000000000000000000000000000 Rd:5', (f) => ({ d: f.Rd }),
      (s, a) => s.when(s.cond(0), () => s.setX(a.d, s.c(1n), 64), () => s.setNzcv(0)));
    expect(() => translate(bad, 5)).toThrow(/register written inside when/);
  });

  it('a V register value used after the register was written throws at translation; let() fixes it first', () => {
    const exec = (fix: boolean) => <V, B>(s: Sem<V, B>, a: { n: number; d: number }): void => {
      s.fpCheck();
      const v = fix ? s.let(s.vget(a.n, 0)) : s.vget(a.n, 0);
      s.vset(a.n, 0, s.c(1n));
      s.vset(a.d, 0, v);
    };
    const row = (fix: boolean) => insn<'Rn' | 'Rd', { n: number; d: number }>('V', '0000000000000000000000 Rn:5 Rd:5',
      (f) => ({ n: f.Rn, d: f.Rd }), exec(fix), { fp: true });
    expect(() => translate(row(false), (3 << 5) | 4)).toThrow(/V\d+ used after it was written/);
    expect(() => translate(row(true), (3 << 5) | 4)).not.toThrow();
  });

  it('a V register written before a memory access by an instruction that reads one throws at translation', () => {
    const bad = insn<'Rn' | 'Rd', { n: number; d: number }>('BADV', '0000000000000000000000 Rn:5 Rd:5',
      (f) => ({ n: f.Rn, d: f.Rd }),
      (s, a) => {
        s.fpCheck();
        const v = s.let(s.vget(a.n, 0));
        s.vset(a.d, 0, v);
        s.vset(a.d, 1, s.load(s.x(a.n), 3, 0));
      }, { memory: true });
    expect(() => translate(bad, (3 << 5) | 4)).toThrow(/after a V register write/);
  });

  it('vget and vset need fpCheck first', () => {
    const bad = insn<'Rd', { d: number }>('NOFP', '000000000000000000000000000 Rd:5', (f) => ({ d: f.Rd }),
      (s, a) => s.vset(a.d, 0, s.c(0n)), { fp: true });
    expect(() => translate(bad, 5)).toThrow(/vset before fpCheck/);
  });
});
