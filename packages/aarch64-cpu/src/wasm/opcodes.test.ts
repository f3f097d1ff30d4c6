// Every opcode in every table, emitted through its helper with operand types inferred from its text-format name,
// must give a module the host's WebAssembly.validate accepts. The inference is independent of the tables' numbers,
// so a wrong number usually lands on an instruction of another type and fails validation; same-type mix-ups are
// caught by the execution tests in emitter.test.ts.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from './module-builder.js';
import type { FunctionBuilder } from './function-builder.js';
import {
  MemOp, MiscOp, Op, SimdLaneOp, SimdMemLaneOp, SimdMemOp, SimdOp,
  type MemOpcode, type MiscOpcode, type Opcode, type SimdLaneOpcode, type SimdMemLaneOpcode, type SimdMemOpcode,
  type SimdOpcode,
} from './opcodes.js';
import { ValType } from './types.js';
import { compileError, wasm } from './testing/wasm-api.js';

type T = ValType;
const { i32, i64, f32, f64, v128 } = ValType;
const SCALAR: Record<string, T> = { i32, i64, f32, f64 };
const LANE_SCALAR: Record<string, T> = { i8x16: i32, i16x8: i32, i32x4: i32, i64x2: i64, f32x4: f32, f64x2: f64 };

interface Sig { params: T[]; results: T[] }
const sig = (params: T[], results: T[]): Sig => ({ params, results });

/** Operand types of a one-byte `Op` from its name. */
function opSig(name: string): Sig {
  const conv = /^(i32|i64|f32|f64)_[a-z_]+?_(i32|i64|f32|f64)(_[su])?$/.exec(name);
  if (conv) return sig([SCALAR[conv[2]!]!], [SCALAR[conv[1]!]!]);
  const m = /^(i32|i64|f32|f64)_(.+)$/.exec(name);
  if (!m) throw new Error(`no signature rule for ${name}`);
  const t = SCALAR[m[1]!]!;
  const op = m[2]!;
  if (op === 'eqz') return sig([t], [i32]);
  if (/^(clz|ctz|popcnt|abs|neg|ceil|floor|trunc|nearest|sqrt|extend(8|16|32)_s)$/.test(op)) return sig([t], [t]);
  if (/^(eq|ne|lt|gt|le|ge)(_[su])?$/.test(op)) return sig([t, t], [i32]);
  return sig([t, t], [t]);
}

/** Operand types of a `SimdOp` from its name. */
function simdSig(name: string): Sig {
  const [shape, ...rest] = name.split('_');
  const op = rest.join('_');
  if (op === 'splat') return sig([LANE_SCALAR[shape!]!], [v128]);
  if (/^(all_true|any_true|bitmask)$/.test(op)) return sig([v128], [i32]);
  if (/^(shl|shr_s|shr_u)$/.test(op)) return sig([v128, i32], [v128]);
  if (op === 'bitselect') return sig([v128, v128, v128], [v128]);
  if (/^(not|abs|neg|popcnt|sqrt|ceil|floor|trunc|nearest)$|^(extend|convert|trunc_sat|demote|promote)_/.test(op)) return sig([v128], [v128]);
  return sig([v128, v128], [v128]);
}

const memType = (name: string): T => (name.startsWith('v128') ? v128 : SCALAR[name.slice(0, 3)]!);

const m = new ModuleBuilder(); // one builder for all of them: also exercises reset()

/** A module with one exported function of `s` that pushes its parameters, runs `emit`, and returns. */
function moduleFor(s: Sig, emit: (f: FunctionBuilder) => void, withMemory = false): Uint8Array {
  m.reset();
  if (withMemory) m.importMemory('env', 'mem', { min: 1 });
  const f = m.beginFunction({ typeIndex: m.type(s.params, s.results) });
  for (let i = 0; i < s.params.length; i++) f.localGet(i);
  emit(f);
  m.exportFunction('f', m.endFunction());
  return m.finish();
}

function expectValid(name: string, bytes: Uint8Array): void {
  const error = compileError(bytes);
  expect(error === undefined ? name : `${name}: ${error}`).toBe(name);
  expect(wasm.validate(bytes)).toBe(true);
}

const SPECIAL_OPS: Record<string, Sig> = {
  unreachable: sig([], [i32]), nop: sig([], []), return: sig([i32], [i32]), drop: sig([i32], []), select: sig([i32, i32, i32], [i32]),
};

describe('opcode tables', () => {
  it.each([['Op', Op], ['MemOp', MemOp], ['MiscOp', MiscOp], ['SimdOp', SimdOp], ['SimdMemOp', SimdMemOp], ['SimdLaneOp', SimdLaneOp], ['SimdMemLaneOp', SimdMemLaneOp]] as const)(
    '%s has no two names for one number',
    (_, table) => {
      const codes = Object.values(table as Record<string, number>);
      expect(new Set(codes).size).toBe(codes.length);
    },
  );
});

describe('every opcode helper emits a module WebAssembly.validate accepts', () => {
  it.each(Object.entries(Op))('Op.%s', (name, code) => {
    expectValid(name, moduleFor(SPECIAL_OPS[name] ?? opSig(name), (f) => f.op(code as Opcode)));
  });

  it.each(Object.entries(MiscOp))('MiscOp.%s', (name, code) => {
    expectValid(name, moduleFor(opSig(name.replace('trunc_sat', 'truncsat')), (f) => f.misc(code as MiscOpcode)));
  });

  it.each(Object.entries(SimdOp))('SimdOp.%s', (name, code) => {
    expectValid(name, moduleFor(simdSig(name), (f) => f.simd(code as SimdOpcode)));
  });

  it.each(Object.entries(MemOp))('MemOp.%s (offset 2^32-1, natural and byte alignment)', (name, code) => {
    const t = memType(name);
    const s = name.includes('load') ? sig([i32], [t]) : sig([i32, t], []);
    expectValid(name, moduleFor(s, (f) => f.mem(code as MemOpcode, 0xffff_ffff), true));
    expectValid(name, moduleFor(s, (f) => f.mem(code as MemOpcode, 8, 0), true));
  });

  it.each(Object.entries(SimdMemOp))('SimdMemOp.%s', (name, code) => {
    const s = name.includes('load') ? sig([i32], [v128]) : sig([i32, v128], []);
    expectValid(name, moduleFor(s, (f) => f.simdMem(code as SimdMemOpcode, 16), true));
  });

  it.each(Object.entries(SimdMemLaneOp))('SimdMemLaneOp.%s (last lane)', (name, code) => {
    const lanes = 16 / (Number(/(\d+)_lane/.exec(name)![1]) / 8);
    const s = name.includes('load') ? sig([i32, v128], [v128]) : sig([i32, v128], []);
    expectValid(name, moduleFor(s, (f) => f.simdMemLane(code as SimdMemLaneOpcode, 4, lanes - 1), true));
  });

  it.each(Object.entries(SimdLaneOp))('SimdLaneOp.%s (last lane)', (name, code) => {
    const shape = name.slice(0, name.indexOf('_'));
    const scalar = LANE_SCALAR[shape]!;
    const lanes = Number(shape.split('x')[1]);
    const s = name.includes('extract') ? sig([v128], [scalar]) : sig([v128, scalar], [v128]);
    expectValid(name, moduleFor(s, (f) => f.simdLane(code as SimdLaneOpcode, lanes - 1)));
  });

  it('the signature inference can fail: i32.add on i64 operands, i64.load into an i32 result do not validate', () => {
    expect(wasm.validate(moduleFor(sig([i64, i64], [i64]), (f) => f.op(Op.i32_add)))).toBe(false);
    expect(wasm.validate(moduleFor(sig([i32], [i32]), (f) => f.mem(MemOp.i64_load), true))).toBe(false);
    expect(wasm.validate(moduleFor(sig([v128], [v128]), (f) => f.simd(SimdOp.i8x16_all_true)))).toBe(false);
  });
});

describe('the helpers with immediates validate', () => {
  const cases: Array<[string, Sig, (f: FunctionBuilder) => void, boolean?]> = [
    ['i32/i64/f32/f64 constants', sig([], [i32]), (f) => {
      f.i64Const(-(2n ** 63n)).i64Const(2n ** 64n - 1n).i64ConstParts(0, -1).i64Const(2 ** 53 - 1).op(Op.drop).op(Op.drop).op(Op.drop).op(Op.drop);
      f.f32Const(1.5).f32ConstBits(0x7fc0_0001).op(Op.drop).op(Op.drop).f64Const(-0).f64ConstBits(1, 0x7ff8_0000).op(Op.drop).op(Op.drop);
      f.i32Const(0xffff_ffff);
    }],
    ['v128.const and i8x16.shuffle', sig([], [v128]), (f) => {
      f.v128Const([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]).v128ConstI32x4(-1, 0, 0xffff_ffff, 7);
      f.i8x16Shuffle([0, 31, 1, 30, 2, 29, 3, 28, 4, 27, 5, 26, 6, 25, 7, 24]);
    }],
    ['block/loop/if/else/end/br/br_if/br_table/return/unreachable', sig([i32], [i32]), (f) => {
      f.block(i32).loop(i32).localGet(0).brIf(0).localGet(0).if(i32).i32Const(1).else().i32Const(2).end().br(1).end().end();
      f.block().localGet(0).brTable([0, 0], 0).end();
      f.localGet(0).if().unreachable().end().return();
    }],
    ['typed blocks (multi-value)', sig([i32], [i32]), (f) => {
      const t = m.type([i32], [i32, i32]);
      f.blockWithType(t).localGet(0).end().op(Op.i32_add);
      f.localGet(0).ifWithType(m.type([i32], [i32])).i32Const(1).op(Op.i32_add).end(); // params == results: no else needed
      f.localGet(0).loopWithType(m.type([i32, i32], [i32])).op(Op.i32_add).end();
    }],
    ['locals (grouped), local.tee, typed select', sig([i32], [v128]), (f) => {
      const a = f.addLocals(i64, 3);
      const b = f.addLocals(v128, 2);
      f.addLocals(i64); // a new group of an earlier type
      f.op(Op.drop).i64Const(5).localTee(a + 2).localSet(a).v128ConstI32x4(1, 2, 3, 4).localSet(b + 1);
      f.localGet(b).localGet(b + 1).localGet(0).selectTyped(v128);
    }],
    ['memory.size/grow/fill/copy', sig([], [i32]), (f) => {
      f.i32Const(0).i32Const(0xaa).i32Const(16).memoryFill();
      f.i32Const(16).i32Const(0).i32Const(16).memoryCopy();
      f.i32Const(1).memoryGrow().op(Op.drop).memorySize();
    }, true],
  ];
  it.each(cases)('%s', (name, s, emit, withMemory) => {
    expectValid(name, moduleFor(s, emit, withMemory === true));
  });
});
