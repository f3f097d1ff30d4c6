/**
 * The loads-and-stores decode table: rows do not overlap, representative words decode to the right row, every
 * encoding the model does not implement is UNDEFINED, and no word of the group makes the model fail on the host.
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../cpu.js';
import { compileTable } from '../decode.js';
import { findEncoding } from '../decode-a64.js';
import { Ec, Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { FlatMemory } from '../testing/flat-memory.js';
import { LOADS_AND_STORES } from './loads-and-stores.js';
import { SIMD_FP_LOADS_STORES } from './simd-fp-loads-stores.js';
import { BASE, DATA, exec, setRegs } from './loads-and-stores-testkit.js';
import { rng } from '../testing/rng.js';

describe('decode table', () => {
  it('no two rows match the same word, and every row is in the loads-and-stores space (op0 = x1x0)', () => {
    const rows = compileTable(LOADS_AND_STORES);
    for (let i = 0; i < rows.length; i++) {
      const a = rows[i]!;
      expect((a.mask & 0x0a00_0000) >>> 0, a.name).toBe(0x0a00_0000);
      expect((a.value & 0x0a00_0000) >>> 0, a.name).toBe(0x0800_0000);
      for (let j = i + 1; j < rows.length; j++) {
        const b = rows[j]!;
        const overlap = (((a.value ^ b.value) & a.mask & b.mask) >>> 0) === 0;
        expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
      }
    }
  });

  const names: [number, string][] = [
    [0x39800c44, 'LDRSB (64-bit) (immediate, unsigned offset)'], // ldrsb x4, [x2, #3]
    [0x78dfe047, 'LDURSH (32-bit) (unscaled)'], // ldursh w7, [x2, #-2]
    [0xf89ff040, 'PRFUM (unscaled)'], // prfum pldl1keep, [x2, #-1]
    [0xb8804c41, 'LDRSW (immediate, pre-index)'], // ldrsw x1, [x2, #4]!
    [0x78802441, 'LDRSH (64-bit) (immediate, post-index)'], // ldrsh x1, [x2], #2
    [0xf8a36840, 'PRFM (register)'], // prfm pldl1keep, [x2, x3]
    [0x38801841, 'LDTRSB (64-bit) (unprivileged)'], // ldtrsb x1, [x2, #1]
    [0xc8df7c20, 'LDLAR (64-bit)'], // ldlar x0, [x1] (FEAT_LOR)
    [0x889f7c20, 'STLLR (32-bit)'], // stllr w0, [x1]
    [0x089f7c20, 'STLLRB'], // stllrb w0, [x1]
    [0x78002841, 'STTRH (unprivileged)'], // sttrh w1, [x2, #2]
    [0x98000081, 'LDRSW (literal)'], // ldrsw x1, <lit>
    [0xd8000060, 'PRFM (literal)'], // prfm pldl1keep, <lit>
    [0x69c11444, 'LDPSW (pre-index)'], // ldpsw x4, x5, [x2, #8]!
    [0x28010c41, 'STNP (no-allocate, 32-bit)'], // stnp w1, w3, [x2, #8]
    [0xa9bf7bfd, 'STP (pre-index, 64-bit)'], // stp x29, x30, [sp, #-16]!
    [0x885ffc41, 'LDXR/LDAXR (32-bit)'], // ldaxr w1, [x2]
    [0xc8259c46, 'STXP/STLXP (64-bit)'], // stlxp w5, x6, x7, [x2]
    [0x489ffc41, 'STLRH'], // stlrh w1, [x2]
    [0x08a17c43, 'CASB'], // casb w1, w3, [x2]
    [0x4860fc44, 'CASP (64-bit)'], // caspal x0, x1, x4, x5, [x2]
    [0xf8e10043, 'LDADD (64-bit)'], // ldaddal x1, x3, [x2]
    [0x78215043, 'LDSMINH'], // ldsminh w1, w3, [x2]
    [0xb8e18043, 'SWP (32-bit)'], // swpal w1, w3, [x2]
  ];
  it.each([
    ['ldxr x1, [x2] with Rs = 0', 0xc8407c41, 'LDXR/LDAXR (64-bit)'],
    ['ldxr x1, [x2] with Rt2 = 0', 0xc85f0041, 'LDXR/LDAXR (64-bit)'],
    ['stxr w3, x1, [x2] with Rt2 = 0', 0xc8030041, 'STXR/STLXR (64-bit)'],
    ['ldxp x1, x3, [x2] with Rs = 0', 0xc8600c41, 'LDXP/LDAXP (64-bit)'],
  ])('should-be-one fields of exclusives are ignored: %s', (_asm, word, name) => {
    expect(findEncoding(word)?.name).toBe(name);
  });

  it.each(names)('%s decodes as %s', (word, name) => {
    expect(findEncoding(word)?.name).toBe(name);
  });
});

describe('UNDEFINED encodings', () => {
  const undef: [string, number][] = [
    // SIMD&FP: insn/simd-fp-loads-stores.ts (tested in insn/simd-fp-loads-stores.test.ts); its unallocated forms:
    ['ldtrb with V = 1 (unprivileged SIMD&FP)', 0x3c400800],
    ['ldr q0, [x0, #8]! with size 01 opc 1x', 0x7cc08c00],
    // MTE: insn/mte.ts (tested in insn/mte.test.ts)
    // Features not advertised
    ['ldraa x0, [x1] (PAuth)', 0xf8200420],
    ['ldrab x0, [x1, #8]! (PAuth)', 0xf8a01c20],
    ['ld64b x0, [x1] (LS64)', 0xf83fd020],
    ['st64b x0, [x1] (LS64)', 0xf83f9020],
    ['st64bv x2, x0, [x1] (LS64)', 0xf822b020],
    ['cpyfp [x0]!, [x1]!, x2! (MOPS)', 0x19010440],
    ['setp [x0]!, x1!, x2 (MOPS)', 0x19c20420],
    ['ldsetp x0, x1, [x2] (LSE128)', 0x19213040],
    ['rcwclr x1, x0, [x2] (THE)', 0x38219040],
    // Unallocated combinations
    ['LDR size=10 opc=11 (unsigned offset)', 0xb9c00041],
    ['LDR size=11 opc=11 (unsigned offset)', 0xf9c00041],
    ['PRFM post-index (size=11 opc=10)', 0xf8800441],
    ['PRFM pre-index (size=11 opc=10)', 0xf8800c41],
    ['LDTR size=10 opc=11', 0xb8c00841],
    ['LDTR size=11 opc=10', 0xf8800841],
    ['LDUR size=10 opc=11', 0xb8c00041],
    ['LDR (register) size=11 opc=11', 0xf8e36841],
    ['LDNP opc=01', 0x68401444],
    ['STNP opc=01', 0x68000c41],
    ['LDP opc=11', 0xe9411444],
    ['STP opc=11', 0xe9010c41],
    ['CAS with Rt2 != 11111', 0xc8a17843],
    ['CASP with Rt2 != 11111', 0x48207844],
    ['LDAR with Rs != 11111', 0xc8c0fc41],
    ['LDAR with Rt2 != 11111', 0xc8df8041],
    ['STLR with Rs != 11111', 0xc880fc41],
  ];
  it.each(undef)('%s', (_asm, word) => {
    const r = exec([word], (cpu) => setRegs(cpu, { 0: DATA, 1: DATA, 2: DATA, 3: DATA }));
    expect(r.exception?.ec).toBe(Ec.Unknown);
    expect(r.exception?.elr).toBe(BASE);
    expect(r.accesses).toHaveLength(0);
    expect(findEncoding(word)).toBeUndefined();
  });
});

describe('robustness', () => {

  it('every SIMD&FP word (op0 = x1x0, bit 26 = 1) is UNDEFINED or a SIMD&FP row', () => {
    const simd = new Set(SIMD_FP_LOADS_STORES.map((r) => r.name));
    const next = rng(1234);
    for (let i = 0; i < 20000; i++) {
      const w = ((next() & ~0x0e00_0000) | 0x0c00_0000 | (next() & 0x1000_0000)) >>> 0; // bits 27, 26 = 1; 25 = 0
      const row = findEncoding(w);
      if (row !== undefined) expect(simd.has(row.name), w.toString(16)).toBe(true);
    }
  });

  it('no word of the group makes the model fail on the host', () => {
    const mem = new FlatMemory();
    const cpu = new Cpu(mem);
    const next = rng(42);
    const stops = new Set<number>();
    for (let i = 0; i < 30000; i++) {
      const w = ((next() & ~0x0a00_0000) | 0x0800_0000) >>> 0; // bits 27 = 1, 25 = 0
      mem.load(mem.base, [w]);
      cpu.pc = BASE;
      cpu.el = i & 1;
      cpu.exclAddr = (i & 2) !== 0 ? DATA : -1n;
      cpu.exclSize = 8;
      cpu.sys[SysReg.SCTLR_EL1] = (i & 4) !== 0 ? 0x30d0_0818n : 0x30d0_0800n;
      for (let r = 0; r < 31; r++) {
        const k = next() & 3;
        cpu.x[r] = k === 0 ? DATA + BigInt(next() & 0xfff) : k === 1 ? BigInt(next()) << 32n | BigInt(next()) : k === 2 ? DATA : 0n;
      }
      cpu.spEl[0] = DATA + BigInt(next() & 0xff);
      cpu.spEl[1] = DATA + BigInt(next() & 0xff);
      const stop = cpu.run(1);
      stops.add(stop);
      if (stop === Stop.InternalError) throw new Error(`host failure on ${w.toString(16)}: ${String(cpu.internalError)}`);
    }
    expect(stops).toEqual(new Set([Stop.Budget]));
  });
});
