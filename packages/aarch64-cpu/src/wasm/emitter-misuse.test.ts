// Misuse of the builders throws WasmBuildError naming the problem, at the call that commits it; and a builder
// reused after reset() or abandonFunction() produces exactly what a fresh one does.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from './module-builder.js';
import type { FunctionBuilder } from './function-builder.js';
import { MemOp, Op, SimdLaneOp, SimdMemLaneOp, type MemOpcode, type Opcode } from './opcodes.js';
import { ValType, WasmBuildError, type BlockType } from './types.js';
import { wasm } from './testing/wasm-api.js';

const { i32, i64 } = ValType;

/** A module with an imported memory and a table, and a started body of `(i32) -> i32`. */
function started(): { m: ModuleBuilder; f: FunctionBuilder } {
  const m = new ModuleBuilder();
  m.importMemory('env', 'mem', { min: 1 });
  m.defineTable({ min: 1 });
  m.importGlobal('env', 'k', i32, false);
  const f = m.beginFunction({ typeIndex: m.type([i32], [i32]) });
  return { m, f };
}

function expectBuildError(action: () => unknown, message: RegExp): void {
  let caught: unknown;
  try {
    action();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(WasmBuildError);
  expect((caught as Error).message).toMatch(message);
}

describe('function builder misuse', () => {
  const cases: Array<[string, (f: FunctionBuilder, m: ModuleBuilder) => unknown, RegExp]> = [
    ['end without a matching block', (f) => f.end(), /end without a matching block/],
    ['end after all blocks are closed', (f) => f.block().end().end(), /end without a matching block/],
    ['else without if', (f) => f.block().else(), /else without a matching if \(the innermost block is block\)/],
    ['a second else', (f) => f.i32Const(1).if().else().else(), /else without a matching if \(the innermost block is else\)/],
    ['if with a result and no else', (f) => f.i32Const(1).if(i32).i32Const(2).end(), /has a result but no else/],
    ['br beyond the function body', (f) => f.block().br(2), /br 2: only 2 label\(s\)/],
    ['br_if with a negative label', (f) => f.brIf(-1), /br_if -1/],
    ['br_table with a bad label', (f) => f.block().brTable([0, 1, 2], 0), /br_table 2/],
    ['br_table with a bad default', (f) => f.brTable([0], 1), /br_table \(default\) 1/],
    ['local.get past the locals', (f) => f.localGet(1), /local.get 1: function 0 has 1 locals/],
    ['local.set of a fractional index', (f) => f.localSet(0.5), /local.set 0.5/],
    ['local.tee past added locals', (f) => { f.addLocals(i64, 2); return f.localTee(3); }, /local.tee 3: function 0 has 3 locals/],
    ['global.get of an undeclared global', (f) => f.globalGet(1), /global.get 1: the module has 1 globals/],
    ['global.set of an immutable global', (f) => f.i32Const(0).globalSet(0), /immutable/],
    ['call of an undeclared function', (f) => f.call(1), /call 1: the module has 1 functions/],
    ['return_call of an undeclared function', (f) => f.returnCall(7), /return_call 7/],
    ['call_indirect of an undeclared type', (f) => f.callIndirect(5), /call_indirect: type index 5/],
    ['call_indirect of a missing table', (f) => f.callIndirect(0, 1), /call_indirect: table 1 is not declared/],
    ['alignment above the access width', (f) => f.i32Const(0).mem(MemOp.i32_load, 0, 3), /alignment 2\^3 is more than the access width 2\^2/],
    ['offset above 2^32-1', (f) => f.i32Const(0).mem(MemOp.i64_load, 2 ** 32), /offset 4294967296/],
    ['negative offset', (f) => f.i32Const(0).mem(MemOp.i64_load, -1), /offset -1/],
    ['a non-memory opcode to mem', (f) => f.mem(Op.i32_add as unknown as MemOpcode), /not in MemOp/],
    ['a memory opcode to op', (f) => f.op(MemOp.i32_load as unknown as Opcode), /0x28 is not an instruction without immediates/],
    ['a block opcode to op', (f) => f.op(0x02 as Opcode), /0x2 is not an instruction without immediates/],
    ['a lane index out of range', (f) => f.simdLane(SimdLaneOp.i64x2_extract_lane, 2), /lane index 2 is not in \[0, 1\]/],
    ['a memory lane index out of range', (f) => f.simdMemLane(SimdMemLaneOp.v128_load32_lane, 0, 4), /lane index 4 is not in \[0, 3\]/],
    ['a shuffle lane of 32', (f) => f.i8x16Shuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32]), /lane index 32/],
    ['a short shuffle', (f) => f.i8x16Shuffle([0, 1]), /needs 16 lane indices, got 2/],
    ['a short v128.const', (f) => f.v128Const([1, 2, 3]), /needs 16 bytes, got 3/],
    ['i32.const out of range', (f) => f.i32Const(2 ** 32), /i32.const 4294967296/],
    ['i32.const not an integer', (f) => f.i32Const(1.5), /i32.const 1.5/],
    ['i64.const of an unsafe Number', (f) => f.i64Const(2 ** 60), /safe integer/],
    ['i64.const of a bigint out of range', (f) => f.i64Const(1n << 64n), /outside \[-2\^63, 2\^64-1\]/],
    ['a bad block type', (f) => f.block(0x12 as BlockType), /0x12 is not a block type/],
    ['a typed block of an undeclared type', (f) => f.blockWithType(9), /type index 9 is not declared/],
    ['a local of a bad type', (f) => f.addLocals(0x55 as ValType), /0x55 is not a value type/],
    ['a typed select of a bad type', (f) => f.selectTyped(0x01 as ValType), /select: 0x1 is not a value type/],
  ];
  it.each(cases)('%s', (_, action, message) => {
    const { f, m } = started();
    expectBuildError(() => action(f, m), message);
  });

  it('memory instructions without a memory', () => {
    const m = new ModuleBuilder();
    const f = m.beginFunction({ typeIndex: m.type([], []) });
    expectBuildError(() => f.i32Const(0).mem(MemOp.i32_load), /load\/store: the module has no memory/);
    expectBuildError(() => f.memorySize(), /memory.size: the module has no memory/);
    expectBuildError(() => f.memoryFill(), /memory.fill/);
    expectBuildError(() => f.memoryCopy(), /memory.copy/);
  });

  it('instructions with no body being built', () => {
    const m = new ModuleBuilder();
    const f = m.beginFunction({ typeIndex: m.type([], []) });
    m.endFunction();
    expectBuildError(() => f.nop(), /no function body is being built/);
    expectBuildError(() => f.i32Const(1), /no function body is being built/);
  });
});

describe('module builder misuse', () => {
  it('ending a function with open blocks names the innermost', () => {
    const { m, f } = started();
    f.block().loop();
    expectBuildError(() => m.endFunction(), /2 block\(s\) still open at the end \(innermost: loop\)/);
  });

  it('starting a body while another is open, or twice, or of an import', () => {
    const m = new ModuleBuilder();
    const t = m.type([], []);
    const imp = m.importFunction('env', 'f', t);
    m.beginFunction({ typeIndex: t });
    expectBuildError(() => m.beginFunction({ typeIndex: t }), /function 1 is still being built/);
    const done = m.endFunction();
    expectBuildError(() => m.beginFunction(done), /body is already defined/);
    expectBuildError(() => m.beginFunction(imp), /not a declared \(non-imported\) function/);
    expectBuildError(() => m.beginFunction(5), /not a declared/);
    expectBuildError(() => m.endFunction(), /no function body is being built/);
  });

  it('finishing with a declared function that has no body, or with a body open', () => {
    const m = new ModuleBuilder();
    const t = m.type([], []);
    m.declareFunction(t);
    expectBuildError(() => m.finish(), /function 0 is declared but has no body/);
    m.beginFunction(0);
    expectBuildError(() => m.finish(), /function 0 is still being built/);
  });

  it('imports after definitions, a second memory or table, bad limits', () => {
    const m = new ModuleBuilder();
    const t = m.type([], []);
    m.declareFunction(t);
    expectBuildError(() => m.importFunction('env', 'late', t), /must be imported before any is declared/);
    m.addGlobal(i32, false, 1);
    expectBuildError(() => m.importGlobal('env', 'late', i32, false), /must be imported before any is defined/);
    expectBuildError(() => m.importMemory('env', 'm', { min: 1, shared: true }), /shared memory needs a maximum/);
    expectBuildError(() => m.importMemory('env', 'm', { min: 2, max: 1 }), /maximum 1 is not an integer in \[2, 65536\]/);
    expectBuildError(() => m.defineMemory({ min: 65537 }), /minimum 65537/);
    m.importMemory('env', 'm', { min: 1 });
    expectBuildError(() => m.defineMemory({ min: 1 }), /already has a memory/);
    m.defineTable({ min: 1 });
    expectBuildError(() => m.importTable('env', 't', { min: 1 }), /already has a table/);
  });

  it('bad indices and values at module level', () => {
    const m = new ModuleBuilder();
    expectBuildError(() => m.declareFunction(0), /type index 0 is not declared \(0 types\)/);
    expectBuildError(() => m.type([0x42 as ValType], []), /0x42 is not a value type/);
    expectBuildError(() => m.addElements(0, [0]), /no table/);
    expectBuildError(() => m.addData(0, Uint8Array.of(1)), /no memory/);
    m.defineTable({ min: 1 });
    expectBuildError(() => m.addElements(0, [3]), /function 3 is not declared/);
    expectBuildError(() => m.exportFunction('f', 0), /function 0 is not declared/);
    expectBuildError(() => m.exportGlobal('g', 0), /global 0 is not declared/);
    expectBuildError(() => m.exportMemory('mem'), /no memory/);
    expectBuildError(() => m.addGlobal(i32, false, 2 ** 32), /initial value 4294967296/);
    expectBuildError(() => m.addGlobal(i64, false, 2 ** 60), /safe integer or a bigint/);
    expectBuildError(() => m.addGlobal(ValType.v128, false, 0), /type v128 is not i32, i64, f32 or f64/);
    m.exportTable('t');
    expectBuildError(() => m.exportTable('t'), /export name "t" is used twice/);
    // The rejected calls left nothing behind: the module still validates.
    expect(wasm.validate(m.finish())).toBe(true);
  });
});

describe('reuse', () => {
  function build(m: ModuleBuilder, n: number): Uint8Array {
    const t = m.type([i32, i32], [i32]);
    for (let k = 0; k < n; k++) {
      const f = m.beginFunction({ typeIndex: t });
      const tmp = f.addLocals(i64, k % 3);
      if (k % 3 !== 0) f.i64Const(k).localSet(tmp);
      f.localGet(0).localGet(1).op(k % 2 === 0 ? Op.i32_add : Op.i32_xor).i32Const(k).op(Op.i32_mul);
      m.exportFunction(`f${k}`, m.endFunction());
    }
    return m.finish();
  }

  it('signatures are deduplicated', () => {
    const m = new ModuleBuilder();
    const a = m.type([i32, i64], [i32]);
    expect(m.type([i32, i64], [i32])).toBe(a);
    expect(m.type([i64, i32], [i32])).not.toBe(a);
    expect(m.type([i32], [i64, i32])).not.toBe(m.type([i32, i64], [i32])); // the split between params and results counts
  });

  it('one builder, reset between modules, emits the same bytes as fresh builders', () => {
    const reused = new ModuleBuilder();
    const first = build(reused, 7);
    reused.reset();
    const second = build(reused, 12);
    expect(first).toEqual(build(new ModuleBuilder(), 7));
    expect(second).toEqual(build(new ModuleBuilder(), 12));
    expect(wasm.validate(second)).toBe(true);
  });

  it('abandonFunction drops a half-built body; the function can be started again', () => {
    const m = new ModuleBuilder();
    const t = m.type([], [i32]);
    const f = m.beginFunction({ typeIndex: t });
    f.block().i32Const(1);
    expectBuildError(() => f.localGet(3), /local.get 3/);
    m.abandonFunction();
    m.beginFunction(f.funcIndex).i32Const(9);
    m.exportFunction('nine', m.endFunction());
    expect(wasm.validate(m.finish())).toBe(true);
  });
});
