/**
 * A block's fast program (fast-block.ts): the address-dependent values the block fills in and the branches it makes
 * BranchTaken, against the BigInt interpreter, at addresses where the halves carry and where a branch target is not
 * canonical; and the operations a block's common instructions come to (so the rewriting cannot silently stop).
 */
import { describe, expect, it } from 'vitest';
import { directBranchTarget } from '../branch-targets.js';
import { Cpu } from '../cpu.js';
import { FlatMemory } from '../testing/flat-memory.js';
import { rng } from '../testing/rng.js';
import { blockFastProgram } from './fast-block.js';
import { FastOp, runFast } from './fast-ops.js';

const WORDS: Readonly<Record<string, number>> = {
  'b +64': 0x1400_0010,
  'b -64': 0x17ff_fff0,
  'bl +0x100': 0x9400_0040,
  'b.eq +8': 0x5400_0040,
  'b.ne -8': 0x54ff_ffc1,
  'cbz w3 +12': 0x3400_0063,
  'cbnz x3 +16': 0xb500_0083,
  'tbz x3, #5, +8': 0x3628_0043,
  'tbnz w3, #0, -4': 0x3707_ffe3,
  'adr x1, +9': 0x3000_0041,
  'adr x1, -12': 0x10ff_ffa1,
  'adrp x2, +1 page': 0xb000_0002,
  'adrp x2, -2 pages': 0xf0ff_fff2,
};

const PCS = [
  0x4000_8000n,
  0xffff_8000_0800_1ffcn, // the last word of a page
  0xffff_8000_ffff_f004n, // ADRP's next page crosses into the high word
  0x0000_0000_ffff_fff8n, // a branch forward carries into the high word
  0x007f_ffff_ffff_ffc0n, // forward targets are not canonical: no taken target
];

/** Run word `w` at `pc` through its BigInt handler (a) and as a one-word block's fast program (b). */
function run(w: number, pc: bigint, seed: number): { a: Cpu; b: Cpu; ops: Int32Array } {
  const cpus = [0, 1].map(() => {
    const next = rng(seed);
    const cpu = new Cpu(new FlatMemory(0x1000, 0x1000), { wasm: false });
    for (let n = 0; n < 31; n++) cpu.x[n] = (BigInt(next() >>> 0) << 32n) | BigInt(next() >>> 0);
    cpu.x[3] = BigInt(next() % 4); // CBZ/TBZ both ways
    cpu.nzcv = next() & 15;
    cpu.pc = pc;
    cpu.nextPc = pc + 4n;
    return cpu;
  });
  const [a, b] = cpus as [Cpu, Cpu];
  const handler = a.decoder.decode(w);
  handler(a, w, a.decoder.argsOf(w));
  const taken = directBranchTarget(w, pc);
  const program = blockFastProgram([b.decoder.decodeFast(w)], pc, taken)!;
  runFast(b, {
    ...program, pcs: [pc, pc + 4n], handlers: [handler], words: Uint32Array.of(w), args: [b.decoder.argsOf(w)], taken,
  });
  return { a, b, ops: program.ops };
}

describe('a block\'s fast program against the interpreter', () => {
  for (const [name, w] of Object.entries(WORDS)) {
    it(name, () => {
      for (const pc of PCS) {
        for (let seed = 1; seed <= 8; seed++) {
          const { a, b } = run(w, pc, seed);
          const what = `${name} at ${pc.toString(16)} seed ${seed}`;
          expect(b.nextPc, what).toBe(a.nextPc);
          expect([...b.x], what).toEqual([...a.x]);
          expect(b.checkPcAlign, what).toBe(a.checkPcAlign);
        }
      }
    });
  }
});

describe('what a block\'s common instructions come to', () => {
  const cpu = new Cpu(new FlatMemory(), { wasm: false });
  /** The opcodes of a one-word block at 0x4000_8000. */
  const opcodes = (w: number): string[] => {
    const { ops } = blockFastProgram([cpu.decoder.decodeFast(w)], 0x4000_8000n, directBranchTarget(w, 0x4000_8000n))!;
    const shapes: ReadonlyArray<readonly [FastOp, string, number]> = [
      [FastOp.Insn, 'Insn', 2], [FastOp.InsnIss, 'InsnIss', 3], [FastOp.Const, 'Const', 4], [FastOp.Cond, 'Cond', 3],
      [FastOp.Load, 'Load', 5], [FastOp.Store, 'Store', 5], [FastOp.AddI64, 'AddI64', 5], [FastOp.Flags, 'Flags', 4],
      [FastOp.Branch, 'Branch', 2], [FastOp.BranchTaken, 'BranchTaken', 3], [FastOp.BranchIfTaken, 'BranchIfTaken', 4],
      [FastOp.BranchRel, 'BranchRel', 3], [FastOp.BranchIfRel, 'BranchIfRel', 4], [FastOp.Zext, 'Zext', 4],
      [FastOp.NeI, 'NeI', 5], [FastOp.EqI, 'EqI', 5], [FastOp.LoadI, 'LoadI', 8], [FastOp.StoreI, 'StoreI', 8],
      [FastOp.Flags32, 'Flags32', 4], [FastOp.FlagsI32, 'FlagsI32', 4], [FastOp.Add32, 'Add32', 4],
    ];
    const out: string[] = [];
    for (let i = 0; i < ops.length;) {
      const shape = shapes.find(([op]) => op === ops[i]);
      if (shape === undefined) throw new Error(`opcode ${ops[i]} at ${i}`);
      out.push(shape[1]);
      i += shape[2];
    }
    return out;
  };

  it('branches to the taken target use the block\'s BigInt; PC-relative values are constants', () => {
    expect(opcodes(0x1400_0010)).toEqual(['Insn', 'BranchTaken']); // b
    expect(opcodes(0x9400_0040)).toEqual(['Insn', 'BranchTaken', 'Const']); // bl: and X30
    expect(opcodes(0x5400_0040)).toEqual(['Insn', 'Cond', 'BranchIfTaken']); // b.eq
    expect(opcodes(0xb500_0083)).toEqual(['Insn', 'NeI', 'BranchIfTaken']); // cbnz x3
    expect(opcodes(0xb000_0002)).toEqual(['Insn', 'Const']); // adrp
  });

  it('a load or store starts with InsnIss and adds its offset itself, its result straight into the register', () => {
    expect(opcodes(0xf940_0420)).toEqual(['InsnIss', 'LoadI']); // ldr x0, [x1, #8]
    expect(opcodes(0xf900_0420)).toEqual(['InsnIss', 'StoreI']); // str x0, [x1, #8]
    expect(opcodes(0xb940_0020)).toEqual(['InsnIss', 'Load']); // ldr w0, [x1]
  });

  it('operations read registers in place: 32-bit ones their low words, with no zero-extension', () => {
    expect(opcodes(0xeb02_003f)).toEqual(['Insn', 'Flags']); // cmp x1, x2
    expect(opcodes(0x9100_2020)).toEqual(['Insn', 'AddI64']); // add x0, x1, #8
    expect(opcodes(0x6b02_003f)).toEqual(['Insn', 'Flags32']); // cmp w1, w2
    expect(opcodes(0x7100_041f)).toEqual(['Insn', 'FlagsI32']); // cmp w0, #1
    expect(opcodes(0x0b02_0020)).toEqual(['Insn', 'Add32']); // add w0, w1, w2
  });

  it('a word with no operations (a hint that does nothing here) takes none, unless it is the block\'s last', () => {
    const none = { ops: new Int32Array(0), refs: [], refAt: [], pcPatches: [] };
    const add = cpu.decoder.decodeFast(0x9100_0400)!; // add x0, x0, #1
    const { ops } = blockFastProgram([none, none, add, none], 0x4000_8000n, 0x4000_8010n)!;
    expect([...ops]).toEqual([FastOp.Insn, 2, ...add.ops, FastOp.Insn, 3]);
  });

  it('a branch becomes BranchTaken only when its target is the taken target the block gives', () => {
    const w = 0x1400_0010; // b +64
    const other = blockFastProgram([cpu.decoder.decodeFast(w)], 0x4000_8000n, 0x4000_8044n)!;
    expect(other.ops[2]).toBe(FastOp.BranchRel);
    const same = blockFastProgram([cpu.decoder.decodeFast(w)], 0x4000_8000n, 0x4000_8040n)!;
    expect(same.ops[2]).toBe(FastOp.BranchTaken);
  });

  it('a branch whose target is not canonical stays BranchRel (the block has no taken target)', () => {
    const { ops } = run(0x1400_0010, 0x007f_ffff_ffff_ffc0n, 1);
    expect(ops[2]).toBe(FastOp.BranchRel);
  });
});
