// Execution tests: integer and float instructions emitted by the builder, run by the host, against JS-computed
// expectations (BigInt for 64-bit), including the 64-bit edge cases.
import { describe, expect, it } from 'vitest';
import { MiscOp, Op, type MiscOpcode, type Opcode } from './opcodes.js';
import { ValType } from './types.js';
import { wasmFunction } from './testing/build.js';

const { i32, i64, f32, f64 } = ValType;
const M64 = (1n << 64n) - 1n;
const s64 = (v: bigint) => BigInt.asIntN(64, v);
const u64 = (v: bigint) => BigInt.asUintN(64, v);
const u32 = (v: number) => v >>> 0;

const I32_VALUES = [0, 1, -1, 2, 7, 31, 32, 33, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678, 0x80, 0xff];
const I64_VALUES = [
  0n, 1n, -1n, 2n, 63n, 64n, 65n, (1n << 63n) - 1n, -(1n << 63n), 1n << 32n, (1n << 32n) - 1n, 0x0123_4567_89ab_cdefn,
  -0x0123_4567_89ab_cdefn, 0x80n, 0x8000n, 0x8000_0000n,
];

const TRAP = Symbol('trap');
type I32Ref = (a: number, b: number) => number | boolean | typeof TRAP;
type I64Ref = (a: bigint, b: bigint) => bigint | boolean | typeof TRAP;

const clz64 = (a: bigint) => { let n = 0; for (let bit = 63n; bit >= 0n && ((u64(a) >> bit) & 1n) === 0n; bit--) n++; return BigInt(n); };
const ctz64 = (a: bigint) => { let n = 0; while (n < 64 && ((u64(a) >> BigInt(n)) & 1n) === 0n) n++; return BigInt(n); };
const popcnt64 = (a: bigint) => BigInt([...u64(a).toString(2)].filter((c) => c === '1').length);
const ctz32 = (a: number) => (a === 0 ? 32 : 31 - Math.clz32(a & -a));
const popcnt32 = (a: number) => [...u32(a).toString(2)].filter((c) => c === '1').length;

const I32_BINARY: Array<[keyof typeof Op, I32Ref]> = [
  ['i32_add', (a, b) => (a + b) | 0], ['i32_sub', (a, b) => (a - b) | 0], ['i32_mul', (a, b) => Math.imul(a, b)],
  ['i32_div_s', (a, b) => (b === 0 || (a === -0x80000000 && b === -1) ? TRAP : (a / b) | 0)],
  ['i32_div_u', (a, b) => (b === 0 ? TRAP : (u32(a) / u32(b)) | 0)],
  ['i32_rem_s', (a, b) => (b === 0 ? TRAP : (a % b) | 0)],
  ['i32_rem_u', (a, b) => (b === 0 ? TRAP : (u32(a) % u32(b)) | 0)],
  ['i32_and', (a, b) => a & b], ['i32_or', (a, b) => a | b], ['i32_xor', (a, b) => a ^ b],
  ['i32_shl', (a, b) => a << b], ['i32_shr_s', (a, b) => a >> b], ['i32_shr_u', (a, b) => (a >>> b) | 0],
  ['i32_rotl', (a, b) => (a << (b & 31)) | (a >>> ((32 - (b & 31)) & 31))],
  ['i32_rotr', (a, b) => (a >>> (b & 31)) | (a << ((32 - (b & 31)) & 31))],
  ['i32_eq', (a, b) => a === b], ['i32_ne', (a, b) => a !== b],
  ['i32_lt_s', (a, b) => a < b], ['i32_lt_u', (a, b) => u32(a) < u32(b)],
  ['i32_gt_s', (a, b) => a > b], ['i32_gt_u', (a, b) => u32(a) > u32(b)],
  ['i32_le_s', (a, b) => a <= b], ['i32_le_u', (a, b) => u32(a) <= u32(b)],
  ['i32_ge_s', (a, b) => a >= b], ['i32_ge_u', (a, b) => u32(a) >= u32(b)],
];
const I32_UNARY: Array<[keyof typeof Op, (a: number) => number | boolean]> = [
  ['i32_eqz', (a) => a === 0], ['i32_clz', (a) => Math.clz32(a)], ['i32_ctz', ctz32], ['i32_popcnt', popcnt32],
  ['i32_extend8_s', (a) => (a << 24) >> 24], ['i32_extend16_s', (a) => (a << 16) >> 16],
];

const I64_BINARY: Array<[keyof typeof Op, I64Ref]> = [
  ['i64_add', (a, b) => s64(a + b)], ['i64_sub', (a, b) => s64(a - b)], ['i64_mul', (a, b) => s64(a * b)],
  ['i64_div_s', (a, b) => (b === 0n || (a === -(1n << 63n) && b === -1n) ? TRAP : s64(a / b))],
  ['i64_div_u', (a, b) => (b === 0n ? TRAP : s64(u64(a) / u64(b)))],
  ['i64_rem_s', (a, b) => (b === 0n ? TRAP : s64(a % b))],
  ['i64_rem_u', (a, b) => (b === 0n ? TRAP : s64(u64(a) % u64(b)))],
  ['i64_and', (a, b) => a & b], ['i64_or', (a, b) => a | b], ['i64_xor', (a, b) => a ^ b],
  ['i64_shl', (a, b) => s64(a << (u64(b) & 63n))], ['i64_shr_s', (a, b) => a >> (u64(b) & 63n)],
  ['i64_shr_u', (a, b) => s64(u64(a) >> (u64(b) & 63n))],
  ['i64_rotl', (a, b) => { const n = u64(b) & 63n; return s64((u64(a) << n) | (u64(a) >> ((64n - n) & 63n))); }],
  ['i64_rotr', (a, b) => { const n = u64(b) & 63n; return s64((u64(a) >> n) | (u64(a) << ((64n - n) & 63n))); }],
  ['i64_eq', (a, b) => a === b], ['i64_ne', (a, b) => a !== b],
  ['i64_lt_s', (a, b) => a < b], ['i64_lt_u', (a, b) => u64(a) < u64(b)],
  ['i64_gt_s', (a, b) => a > b], ['i64_gt_u', (a, b) => u64(a) > u64(b)],
  ['i64_le_s', (a, b) => a <= b], ['i64_le_u', (a, b) => u64(a) <= u64(b)],
  ['i64_ge_s', (a, b) => a >= b], ['i64_ge_u', (a, b) => u64(a) >= u64(b)],
];
const I64_UNARY: Array<[keyof typeof Op, (a: bigint) => bigint | boolean]> = [
  ['i64_eqz', (a) => a === 0n], ['i64_clz', clz64], ['i64_ctz', ctz64], ['i64_popcnt', popcnt64],
  ['i64_extend8_s', (a) => BigInt.asIntN(8, a)], ['i64_extend16_s', (a) => BigInt.asIntN(16, a)],
  ['i64_extend32_s', (a) => BigInt.asIntN(32, a)],
];

const isCompare = (name: string) => /_(eqz|eq|ne|[lg][te](_[su])?)$/.test(name);

function expectOutcome(call: () => unknown, want: unknown): void {
  if (want === TRAP) expect(call).toThrow(/divi|remainder|overflow|unrepresentable/i);
  else expect(call()).toBe(want);
}

describe('i32 arithmetic against JS', () => {
  it.each(I32_BINARY)('%s', (name, ref) => {
    const f = wasmFunction<(a: number, b: number) => number>([i32, i32], [i32], (b) => b.localGet(0).localGet(1).op(Op[name] as Opcode));
    for (const a of I32_VALUES) for (const b of I32_VALUES) {
      const want = ref(a, b);
      expectOutcome(() => f(a, b), typeof want === 'boolean' ? Number(want) : want);
    }
  });
  it.each(I32_UNARY)('%s', (name, ref) => {
    const f = wasmFunction<(a: number) => number>([i32], [i32], (b) => b.localGet(0).op(Op[name] as Opcode));
    for (const a of I32_VALUES) expect(f(a)).toBe(Number(ref(a)));
  });
});

describe('i64 arithmetic against JS BigInt, 64-bit edge cases included', () => {
  it.each(I64_BINARY)('%s', (name, ref) => {
    const result = isCompare(name) ? i32 : i64;
    const f = wasmFunction<(a: bigint, b: bigint) => bigint | number>([i64, i64], [result], (b) => b.localGet(0).localGet(1).op(Op[name] as Opcode));
    for (const a of I64_VALUES) for (const b of I64_VALUES) {
      const want = ref(a, b);
      expectOutcome(() => f(a, b), typeof want === 'boolean' ? Number(want) : want);
    }
  });
  it.each(I64_UNARY)('%s', (name, ref) => {
    const result = isCompare(name) ? i32 : i64;
    const f = wasmFunction<(a: bigint) => bigint | number>([i64], [result], (b) => b.localGet(0).op(Op[name] as Opcode));
    for (const a of I64_VALUES) {
      const want = ref(a);
      expect(f(a)).toBe(typeof want === 'boolean' ? Number(want) : want);
    }
  });

  it('extend/wrap between i32 and i64', () => {
    const ext = (op: Opcode) => wasmFunction<(a: number) => bigint>([i32], [i64], (b) => b.localGet(0).op(op));
    const wrap = wasmFunction<(a: bigint) => number>([i64], [i32], (b) => b.localGet(0).op(Op.i32_wrap_i64));
    for (const a of I32_VALUES) {
      expect(ext(Op.i64_extend_i32_s)(a)).toBe(BigInt(a));
      expect(ext(Op.i64_extend_i32_u)(a)).toBe(BigInt(u32(a)));
    }
    for (const a of I64_VALUES) expect(wrap(a)).toBe(Number(BigInt.asIntN(32, a)));
  });

  it('i64.const round-trips edge values given as bigint, Number and halves', () => {
    for (const v of [...I64_VALUES, M64, 1n << 63n, -(1n << 53n) + 1n, (1n << 53n) - 1n]) {
      expect(wasmFunction<() => bigint>([], [i64], (b) => b.i64Const(v))()).toBe(s64(v));
      const lo = Number(BigInt.asUintN(32, v));
      const hi = Number(BigInt.asIntN(32, v >> 32n));
      expect(wasmFunction<() => bigint>([], [i64], (b) => b.i64ConstParts(lo, hi))()).toBe(s64(v));
      if (s64(v) >= -(1n << 53n) + 1n && s64(v) <= (1n << 53n) - 1n) {
        expect(wasmFunction<() => bigint>([], [i64], (b) => b.i64Const(Number(s64(v))))()).toBe(s64(v));
      }
    }
  });

  it('i32.const takes signed and unsigned forms of one bit pattern', () => {
    for (const v of [0, -1, 0xffff_ffff, 0x8000_0000, -0x8000_0000, 0x7fff_ffff]) {
      expect(wasmFunction<() => number>([], [i32], (b) => b.i32Const(v))()).toBe(v | 0);
    }
  });
});

/** Round to nearest, ties to even (wasm `nearest`; JS Math.round breaks ties upward). */
const roundEven = (x: number) => {
  if (!Number.isFinite(x) || x === 0) return x;
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  return r === 0 ? (x < 0 ? -0 : 0) : r;
};
const isNegative = (b: number) => b < 0 || Object.is(b, -0);
const F64_VALUES = [0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 1e300, -1e-300, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 63];

describe('f32/f64 arithmetic and conversions against JS', () => {
  const F64_BINARY: Array<[keyof typeof Op, (a: number, b: number) => number]> = [
    ['f64_add', (a, b) => a + b], ['f64_sub', (a, b) => a - b], ['f64_mul', (a, b) => a * b], ['f64_div', (a, b) => a / b],
    ['f64_min', (a, b) => Math.min(a, b)], ['f64_max', (a, b) => Math.max(a, b)],
    ['f64_copysign', (a, b) => (isNegative(b) ? -Math.abs(a) : Math.abs(a))],
  ];
  const F32_OF = (name: string) => name.replace('f64_', 'f32_') as keyof typeof Op;
  it.each(F64_BINARY)('%s and its f32 twin', (name, ref) => {
    for (const [t, opName, round] of [[f64, name, (x: number) => x], [f32, F32_OF(name), Math.fround]] as const) {
      const f = wasmFunction<(a: number, b: number) => number>([t, t], [t], (b) => b.localGet(0).localGet(1).op(Op[opName] as Opcode));
      for (const a of F64_VALUES) for (const b of F64_VALUES) {
        if (name === 'f64_copysign' && Number.isNaN(b)) continue; // the sign of a NaN is not observable from JS
        expect(f(a, b)).toBe(round(ref(round(a), round(b))));
      }
    }
  });

  const F64_UNARY: Array<[keyof typeof Op, (a: number) => number]> = [
    ['f64_abs', Math.abs], ['f64_neg', (a) => -a], ['f64_sqrt', Math.sqrt], ['f64_ceil', Math.ceil],
    ['f64_floor', Math.floor], ['f64_trunc', Math.trunc], ['f64_nearest', roundEven],
  ];
  it.each(F64_UNARY)('%s and its f32 twin', (name, ref) => {
    for (const [t, opName, round] of [[f64, name, (x: number) => x], [f32, F32_OF(name), Math.fround]] as const) {
      const f = wasmFunction<(a: number) => number>([t], [t], (b) => b.localGet(0).op(Op[opName] as Opcode));
      for (const a of F64_VALUES) expect(f(a)).toBe(round(ref(round(a))));
    }
  });

  const INT_TO_FLOAT: Array<[keyof typeof Op, ValType, ValType, (a: number | bigint) => number]> = [
    ['f64_convert_i32_s', i32, f64, (a) => Number(a)], ['f64_convert_i32_u', i32, f64, (a) => u32(Number(a))],
    ['f64_convert_i64_s', i64, f64, (a) => Number(a)], ['f64_convert_i64_u', i64, f64, (a) => Number(u64(BigInt(a)))],
    ['f32_convert_i32_s', i32, f32, (a) => Math.fround(Number(a))], ['f32_convert_i32_u', i32, f32, (a) => Math.fround(u32(Number(a)))],
    ['f32_convert_i64_s', i64, f32, (a) => Math.fround(Number(a))], ['f32_convert_i64_u', i64, f32, (a) => Math.fround(Number(u64(BigInt(a))))],
  ];
  it.each(INT_TO_FLOAT)('%s', (name, from, to, ref) => {
    const f = wasmFunction<(a: number | bigint) => number>([from], [to], (b) => b.localGet(0).op(Op[name] as Opcode));
    // Values exactly representable on the way (so double rounding through Number cannot differ from the op's).
    const values = from === i32 ? [0, 1, -1, -0x8000_0000, 0x7fff_ff80] : [0n, 1n, -1n, -(1n << 63n), 1n << 40n, -(1n << 52n)];
    for (const a of values) expect(f(a)).toBe(ref(a));
  });

  const FLOAT_TO_INT: Array<[keyof typeof Op, ValType, ValType, number[], (a: number) => number | bigint]> = [
    ['i32_trunc_f64_s', f64, i32, [-3.9, 2147483647.5, -2147483648.9], (a) => Math.trunc(a) | 0],
    ['i32_trunc_f64_u', f64, i32, [3.9, 4294967295.5, -0.9], (a) => Math.trunc(a) | 0],
    ['i32_trunc_f32_s', f32, i32, [-3.5, 2147483520], (a) => Math.trunc(a) | 0],
    ['i32_trunc_f32_u', f32, i32, [3.5, 4294967040], (a) => Math.trunc(a) | 0],
    ['i64_trunc_f64_s', f64, i64, [-3.9, -(2 ** 63), 2 ** 62], (a) => BigInt(Math.trunc(a))],
    ['i64_trunc_f64_u', f64, i64, [3.9, 2 ** 63, 2 ** 64 - 2048], (a) => s64(BigInt(Math.trunc(a)))],
    ['i64_trunc_f32_s', f32, i64, [-3.5, -(2 ** 63)], (a) => BigInt(Math.trunc(a))],
    ['i64_trunc_f32_u', f32, i64, [3.5, 2 ** 63], (a) => s64(BigInt(Math.trunc(a)))],
  ];
  it.each(FLOAT_TO_INT)('%s (and it traps on NaN)', (name, from, to, values, ref) => {
    const f = wasmFunction<(a: number) => number | bigint>([from], [to], (b) => b.localGet(0).op(Op[name] as Opcode));
    for (const a of values) expect(f(a)).toBe(ref(a));
    expect(() => f(NaN)).toThrow(/unrepresentable|invalid|float/i);
  });

  it('f32 arithmetic rounds to single precision', () => {
    const add = wasmFunction<(a: number, b: number) => number>([f32, f32], [f32], (b) => b.localGet(0).localGet(1).op(Op.f32_add));
    const div = wasmFunction<(a: number, b: number) => number>([f32, f32], [f32], (b) => b.localGet(0).localGet(1).op(Op.f32_div));
    for (const [a, b] of [[0.1, 0.2], [1e30, 1e30], [3, 7], [-1.5, 1e-8]] as const) {
      expect(add(a, b)).toBe(Math.fround(Math.fround(a) + Math.fround(b)));
      expect(div(a, b)).toBe(Math.fround(Math.fround(a) / Math.fround(b)));
    }
  });

  it('conversions, reinterpretation and float constants with exact bits', () => {
    const cvt = wasmFunction<(a: bigint) => number>([i64], [f64], (b) => b.localGet(0).op(Op.f64_convert_i64_u));
    expect(cvt(-1n)).toBe(2 ** 64);
    const bits = wasmFunction<(a: number) => bigint>([f64], [i64], (b) => b.localGet(0).op(Op.i64_reinterpret_f64));
    expect(bits(1.5)).toBe(0x3ff8_0000_0000_0000n);
    expect(bits(-0)).toBe(-(1n << 63n));
    const nanBits = wasmFunction<() => bigint>([], [i64], (b) => b.f64ConstBits(0x1234_5678, 0x7ff0_0001).op(Op.i64_reinterpret_f64));
    expect(nanBits()).toBe(0x7ff0_0001_1234_5678n); // a signalling NaN's payload survives
    const f32bits = wasmFunction<() => number>([], [i32], (b) => b.f32ConstBits(0xff80_0001).op(Op.i32_reinterpret_f32));
    expect(u32(f32bits())).toBe(0xff80_0001);
    const f32c = wasmFunction<() => number>([], [f32], (b) => b.f32Const(0.1));
    expect(f32c()).toBe(Math.fround(0.1));
    const promote = wasmFunction<(a: number) => number>([f32], [f64], (b) => b.localGet(0).op(Op.f64_promote_f32));
    expect(promote(0.1)).toBe(Math.fround(0.1));
    const trunc = wasmFunction<(a: number) => number>([f64], [i32], (b) => b.localGet(0).op(Op.i32_trunc_f64_s));
    expect(trunc(-3.9)).toBe(-3);
    expect(() => trunc(NaN)).toThrow(/unrepresentable|invalid|float/i);
  });

  it.each([
    ['i32_trunc_sat_f64_s', [[NaN, 0], [1e10, 0x7fff_ffff], [-1e10, -0x8000_0000], [-3.9, -3]]],
    ['i32_trunc_sat_f64_u', [[NaN, 0], [1e10, -1], [-5, 0], [3.9, 3]]],
  ] as const)('%s saturates instead of trapping', (name, cases) => {
    const f = wasmFunction<(a: number) => number>([f64], [i32], (b) => b.localGet(0).misc(MiscOp[name] as MiscOpcode));
    for (const [a, want] of cases) expect(f(a)).toBe(want);
  });

  it('i64.trunc_sat_f64_s saturates to the 64-bit limits', () => {
    const f = wasmFunction<(a: number) => bigint>([f64], [i64], (b) => b.localGet(0).misc(MiscOp.i64_trunc_sat_f64_s));
    expect(f(1e300)).toBe((1n << 63n) - 1n);
    expect(f(-1e300)).toBe(-(1n << 63n));
    expect(f(-(2 ** 40) - 0.5)).toBe(-(2n ** 40n));
  });
});
