// Execution tests of whole modules: control flow (a br_table dispatch loop), memory with offsets into an imported
// memory, bulk memory, imported JS functions, globals, call_indirect through a table, tail calls, and SIMD lanes.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from './module-builder.js';
import { MemOp, Op, SimdLaneOp, SimdMemOp, SimdOp } from './opcodes.js';
import { ValType } from './types.js';
import { wasmFunction } from './testing/build.js';
import { instantiate, wasm, type WasmGlobal, type WasmMemory } from './testing/wasm-api.js';

const { i32, i64, f64, v128 } = ValType;
type Fn<A extends unknown[], R> = (...args: A) => R;

describe('control flow', () => {
  // A three-state machine driven by br_table inside a loop:
  //   state 0: acc += i; state 1: acc = acc * 3 ^ i; state 2: i -= 1, back to 0 unless i == 0 (then exit).
  function reference(n: number): number {
    let acc = 0;
    let i = n;
    let state = 0;
    for (;;) {
      if (state === 0) { acc = (acc + i) | 0; state = 1; }
      else if (state === 1) { acc = Math.imul(acc, 3) ^ i; state = 2; }
      else if (state === 2) { i = (i - 1) | 0; state = i === 0 ? 3 : 0; }
      else return acc;
    }
  }

  it('a loop dispatching on a state local with br_table computes what the JS reference computes', () => {
    const run = wasmFunction<Fn<[number], number>>([i32], [i32], (f) => {
      const acc = f.addLocals(i32);
      const state = f.addLocals(i32);
      const i = 0;
      f.loop(); // label $loop
      f.block(); // $exit
      f.block(); // $c2
      f.block(); // $c1
      f.block(); // $c0
      f.localGet(state).brTable([0, 1, 2], 3); // state 0/1/2 to its case, anything else to $exit
      f.end(); // case 0: depth now $c1, $c2, $exit, $loop
      f.localGet(acc).localGet(i).op(Op.i32_add).localSet(acc).i32Const(1).localSet(state).br(3);
      f.end(); // case 1: $c2, $exit, $loop
      f.localGet(acc).i32Const(3).op(Op.i32_mul).localGet(i).op(Op.i32_xor).localSet(acc).i32Const(2).localSet(state).br(2);
      f.end(); // case 2: $exit, $loop
      f.localGet(i).i32Const(1).op(Op.i32_sub).localTee(i).op(Op.i32_eqz).if();
      f.i32Const(3).localSet(state).br(2); // from inside the if: $exit is 1, $loop 2; set state 3 and loop to exit
      f.end();
      f.i32Const(0).localSet(state).br(1);
      f.end(); // $exit
      f.end(); // $loop
      f.localGet(acc);
    });
    for (const n of [1, 2, 5, 17, 100, 1000]) expect(run(n)).toBe(reference(n));
  });

  it('if/else with a result, br_if out of a block with a value, and select', () => {
    const sign = wasmFunction<Fn<[number], number>>([i32], [i32], (f) => {
      f.block(i32);
      f.i32Const(0).localGet(0).op(Op.i32_eqz).brIf(0).op(Op.drop);
      f.localGet(0).i32Const(0).op(Op.i32_lt_s).if(i32).i32Const(-1).else().i32Const(1).end();
      f.end();
    });
    expect([sign(-5), sign(0), sign(9)]).toEqual([-1, 0, 1]);
    const max = wasmFunction<Fn<[bigint, bigint], bigint>>([i64, i64], [i64], (f) => {
      f.localGet(0).localGet(1).localGet(0).localGet(1).op(Op.i64_gt_s).op(Op.select);
    });
    expect(max(-(1n << 63n), 5n)).toBe(5n);
    expect(max(1n << 40n, -1n)).toBe(1n << 40n);
  });

  it('unreachable traps and return leaves early', () => {
    const f = wasmFunction<Fn<[number], number>>([i32], [i32], (b) => {
      b.localGet(0).if().unreachable().end().i32Const(42).return();
    });
    expect(f(0)).toBe(42);
    expect(() => f(1)).toThrow(/unreachable/);
  });
});

describe('memory', () => {
  function memoryModule(memory: { min: number; max?: number; shared?: boolean }) {
    const m = new ModuleBuilder();
    m.importMemory('env', 'mem', memory);
    const add = (name: string, params: ValType[], results: ValType[], emit: (f: ReturnType<ModuleBuilder['beginFunction']>) => void) => {
      const f = m.beginFunction({ typeIndex: m.type(params, results) });
      emit(f);
      m.exportFunction(name, m.endFunction());
    };
    add('load8s', [i32], [i32], (f) => f.localGet(0).mem(MemOp.i32_load8_s, 3));
    add('load16u', [i32], [i32], (f) => f.localGet(0).mem(MemOp.i32_load16_u, 0x101, 0)); // unaligned hint
    add('load32s64', [i32], [i64], (f) => f.localGet(0).mem(MemOp.i64_load32_s, 4));
    add('load64', [i32], [i64], (f) => f.localGet(0).mem(MemOp.i64_load, 8));
    add('loadf64', [i32], [f64], (f) => f.localGet(0).mem(MemOp.f64_load, 16));
    add('store64', [i32, i64], [], (f) => f.localGet(0).localGet(1).mem(MemOp.i64_store, 8));
    add('store16', [i32, i32], [], (f) => f.localGet(0).localGet(1).mem(MemOp.i32_store16, 1, 0));
    add('store8of64', [i32, i64], [], (f) => f.localGet(0).localGet(1).mem(MemOp.i64_store8, 0xfff0));
    add('farLoad', [i32], [i32], (f) => f.localGet(0).mem(MemOp.i32_load8_u, 0xffff_ffff));
    add('grow', [i32], [i32], (f) => f.localGet(0).memoryGrow());
    add('size', [], [i32], (f) => f.memorySize());
    add('fill', [i32, i32, i32], [], (f) => f.localGet(0).localGet(1).localGet(2).memoryFill());
    add('copy', [i32, i32, i32], [], (f) => f.localGet(0).localGet(1).localGet(2).memoryCopy());
    add('v128copy', [i32, i32], [], (f) => f.localGet(0).localGet(1).simdMem(SimdMemOp.v128_load, 32).simdMem(SimdMemOp.v128_store, 48));
    return m.finish();
  }

  it.each([
    ['non-shared', { min: 1, max: 4 }],
    ['shared', { min: 1, max: 4, shared: true }],
  ] as const)('loads and stores with offsets into an imported %s memory agree with a DataView', (_, limits) => {
    const mem: WasmMemory = new wasm.Memory({ initial: limits.min, maximum: limits.max, shared: 'shared' in limits });
    const x = instantiate(memoryModule(limits), { env: { mem } }) as Record<string, Fn<unknown[], unknown>>;
    const view = () => new DataView(mem.buffer);
    const base = 0x200;
    for (let k = 0; k < 64; k++) view().setUint8(base + k, (k * 37 + 11) & 0xff);
    expect(x.load8s!(base)).toBe(view().getInt8(base + 3));
    expect(x.load16u!(base - 0x100)).toBe(view().getUint16(base + 1, true));
    expect(x.load32s64!(base)).toBe(BigInt(view().getInt32(base + 4, true)));
    expect(x.load64!(base)).toBe(view().getBigInt64(base + 8, true));
    view().setFloat64(base + 16, -1.25, true);
    expect(x.loadf64!(base)).toBe(-1.25);

    x.store64!(0x300, -0x0123_4567_89ab_cdefn);
    expect(view().getBigInt64(0x308, true)).toBe(-0x0123_4567_89ab_cdefn);
    x.store16!(0x400, 0x1_beef);
    expect(view().getUint16(0x401, true)).toBe(0xbeef);
    x.store8of64!(5, 0x1234n);
    expect(view().getUint8(0xfff5)).toBe(0x34);

    // The offset is unsigned 32-bit and added without wrapping: address 1 + 0xffffffff is out of bounds.
    expect(() => x.farLoad!(1)).toThrow(/out of bounds/);

    x.fill!(0x500, 0xab, 32);
    expect([...new Uint8Array(mem.buffer, 0x4ff, 34)]).toEqual([0, ...new Array(32).fill(0xab), 0]);
    x.copy!(0x508, 0x200, 8); // overlapping-safe copy
    expect([...new Uint8Array(mem.buffer, 0x508, 8)]).toEqual([...new Uint8Array(mem.buffer, 0x200, 8)]);
    x.v128copy!(0x600, 0x600);
    expect([...new Uint8Array(mem.buffer, 0x630, 16)]).toEqual([...new Uint8Array(mem.buffer, 0x620, 16)]);

    expect(x.size!()).toBe(1);
    expect(x.grow!(2)).toBe(1);
    expect(x.size!()).toBe(3);
    expect(x.grow!(2)).toBe(-1); // beyond the maximum of 4
  });

  it('a defined, exported memory receives active data segments', () => {
    const m = new ModuleBuilder();
    m.defineMemory({ min: 1 });
    m.addData(0x10, Uint8Array.of(1, 2, 3));
    m.addData(0xfffd, Uint8Array.of(7, 8, 9));
    m.exportMemory('memory');
    const mem = instantiate(m.finish()).memory as WasmMemory;
    expect([...new Uint8Array(mem.buffer, 0x0f, 5)]).toEqual([0, 1, 2, 3, 0]);
    expect([...new Uint8Array(mem.buffer, 0xfffd, 3)]).toEqual([7, 8, 9]);
  });
});

describe('calls', () => {
  it('calls imported JS functions with i32 and i64 arguments', () => {
    const m = new ModuleBuilder();
    const seen: unknown[] = [];
    const log = m.importFunction('env', 'log', m.type([i32, i64], [i64]));
    const tSum = m.type([i32, i32, i32], [i32]);
    const sum3 = m.importFunction('env', 'sum3', tSum);
    const f = m.beginFunction({ typeIndex: m.type([i32], [i64]) });
    f.localGet(0).i32Const(10).i32Const(100).call(sum3);
    f.i64Const(-(1n << 63n)).call(log);
    m.exportFunction('run', m.endFunction());
    const x = instantiate(m.finish(), {
      env: {
        log: (a: number, b: bigint) => { seen.push(a, b); return b + 1n; },
        sum3: (a: number, b: number, c: number) => a + b + c,
      },
    });
    expect((x.run as Fn<[number], bigint>)(1)).toBe(-(1n << 63n) + 1n);
    expect(seen).toEqual([111, -(1n << 63n)]);
  });

  it('call_indirect through a table of functions, with bounds and signature checks', () => {
    const m = new ModuleBuilder();
    const unary = m.type([i32], [i32]);
    const other = m.type([i64], [i64]);
    m.defineTable({ min: 4 });
    const double = m.beginFunction({ typeIndex: unary });
    double.localGet(0).i32Const(1).op(Op.i32_shl);
    const fDouble = m.endFunction();
    const sq = m.beginFunction({ typeIndex: unary });
    sq.localGet(0).localGet(0).op(Op.i32_mul);
    const fSquare = m.endFunction();
    const neg = m.beginFunction({ typeIndex: other });
    neg.i64Const(0).localGet(0).op(Op.i64_sub);
    const fNeg = m.endFunction();
    m.addElements(0, [fDouble, fSquare]);
    m.addElements(3, [fNeg]);
    const d = m.beginFunction({ typeIndex: m.type([i32, i32], [i32]) });
    d.localGet(1).localGet(0).callIndirect(unary);
    m.exportFunction('dispatch', m.endFunction());
    m.exportTable('table');
    const x = instantiate(m.finish());
    const dispatch = x.dispatch as Fn<[number, number], number>;
    expect(dispatch(0, 21)).toBe(42);
    expect(dispatch(1, 12)).toBe(144);
    expect(() => dispatch(2, 1)).toThrow(/null|uninitialized/i); // empty slot
    expect(() => dispatch(3, 1)).toThrow(/signature/i); // wrong type
    expect(() => dispatch(4, 1)).toThrow(/table index is out of bounds|out of bounds/i);
  });

  it('bodies may be defined out of declaration order; calls reach forward-declared functions', () => {
    const m = new ModuleBuilder();
    const t = m.type([i32], [i32]);
    const first = m.declareFunction(t);
    const second = m.declareFunction(t);
    const s = m.beginFunction(second);
    s.localGet(0).i32Const(7).op(Op.i32_add);
    m.endFunction();
    const f = m.beginFunction(first);
    f.localGet(0).call(second).i32Const(2).op(Op.i32_mul);
    m.endFunction();
    m.exportFunction('first', first);
    expect((instantiate(m.finish()).first as Fn<[number], number>)(1)).toBe(16);
  });

  it('return_call and return_call_indirect are real tail calls (a million-deep recursion does not overflow)', () => {
    const m = new ModuleBuilder();
    const t = m.type([i32, i64], [i64]);
    m.defineTable({ min: 1, max: 1 });
    const count = m.declareFunction(t);
    const countIndirect = m.declareFunction(t);
    m.addElements(0, [countIndirect]);
    for (const [self, indirect] of [[count, false], [countIndirect, true]] as const) {
      const f = m.beginFunction(self);
      f.localGet(0).op(Op.i32_eqz).if().localGet(1).return().end();
      f.localGet(0).i32Const(1).op(Op.i32_sub).localGet(1).localGet(0).op(Op.i64_extend_i32_u).op(Op.i64_add);
      if (indirect) f.i32Const(0).returnCallIndirect(t);
      else f.returnCall(self);
      m.endFunction();
    }
    m.exportFunction('count', count);
    m.exportFunction('countIndirect', countIndirect);
    const x = instantiate(m.finish());
    const n = 1_000_000;
    const want = (BigInt(n) * BigInt(n + 1)) / 2n;
    expect((x.count as Fn<[number, bigint], bigint>)(n, 0n)).toBe(want);
    expect((x.countIndirect as Fn<[number, bigint], bigint>)(n, 0n)).toBe(want);
  });
});

describe('globals', () => {
  it('reads and writes an imported mutable global and exports a defined one', () => {
    const m = new ModuleBuilder();
    const g = m.importGlobal('env', 'counter', i64, true);
    const k = m.importGlobal('env', 'step', i32, false);
    const mine = m.addGlobal(i64, true, -(1n << 63n));
    const f = m.beginFunction({ typeIndex: m.type([], []) });
    f.globalGet(g).globalGet(k).op(Op.i64_extend_i32_s).op(Op.i64_add).globalSet(g);
    f.globalGet(mine).i64Const(1).op(Op.i64_add).globalSet(mine);
    m.exportFunction('tick', m.endFunction());
    m.exportGlobal('mine', mine);
    const counter: WasmGlobal = new wasm.Global({ value: 'i64', mutable: true }, 5n);
    const step: WasmGlobal = new wasm.Global({ value: 'i32' }, -2);
    const x = instantiate(m.finish(), { env: { counter, step } });
    (x.tick as Fn<[], void>)();
    (x.tick as Fn<[], void>)();
    expect(counter.value).toBe(1n);
    expect((x.mine as WasmGlobal).value).toBe(-(1n << 63n) + 2n);
  });
});

describe('SIMD', () => {
  it('v128.const, i8x16.shuffle, lane extract/replace, arithmetic and bitwise ops', () => {
    // lanes of a: 0..15; b: 16..31 (bytes)
    const a = Array.from({ length: 16 }, (_, k) => k);
    const b = Array.from({ length: 16 }, (_, k) => 16 + k);
    const shuffle = [31, 0, 30, 1, 29, 2, 28, 3, 27, 4, 26, 5, 25, 6, 24, 7];
    const lane = (k: number) => wasmFunction<Fn<[], number>>([], [i32], (f) => {
      f.v128Const(a).v128Const(b).i8x16Shuffle(shuffle).simdLane(SimdLaneOp.i8x16_extract_lane_u, k);
    });
    for (const k of [0, 1, 7, 15]) expect(lane(k)()).toBe(shuffle[k]);

    const add = wasmFunction<Fn<[number, number], number>>([i32, i32], [i32], (f) => {
      f.localGet(0).simd(SimdOp.i32x4_splat).v128ConstI32x4(1, 2, 3, 0x7fff_ffff);
      f.simd(SimdOp.i32x4_add);
      f.localGet(1).simdLane(SimdLaneOp.i32x4_replace_lane, 2);
      f.v128ConstI32x4(-1, -1, 0, -1).simd(SimdOp.v128_and);
      const t = f.addLocals(v128);
      f.localTee(t).simdLane(SimdLaneOp.i32x4_extract_lane, 3);
      f.localGet(t).simdLane(SimdLaneOp.i32x4_extract_lane, 0).op(Op.i32_xor);
      f.localGet(t).simdLane(SimdLaneOp.i32x4_extract_lane, 2).op(Op.i32_add); // lane 2 was replaced, then masked to 0
    });
    expect(add(10, 99)).toBe((((10 + 0x7fff_ffff) | 0) ^ 11) | 0);

    const i64lanes = wasmFunction<Fn<[bigint], bigint>>([i64], [i64], (f) => {
      f.localGet(0).simd(SimdOp.i64x2_splat).localGet(0).simdLane(SimdLaneOp.i64x2_replace_lane, 1);
      f.v128ConstI32x4(0, 1, 0, 0).simd(SimdOp.i64x2_sub).simdLane(SimdLaneOp.i64x2_extract_lane, 0);
    });
    expect(i64lanes(5n)).toBe(5n - (1n << 32n));
  });
});
