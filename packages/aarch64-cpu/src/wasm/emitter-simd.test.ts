// Lane-wise execution tests of the SIMD arithmetic, compare and bitwise opcodes against a JS reference written from
// the instructions' names. Validation alone cannot tell apart two ops of one signature (i8x16.min_s vs max_s, f64x2
// ceil vs floor); this does.
import { describe, expect, it } from 'vitest';
import { ModuleBuilder } from './module-builder.js';
import { SimdMemOp, SimdOp, type SimdOpcode } from './opcodes.js';
import { instantiate, type WasmMemory } from './testing/wasm-api.js';

const A = [0, 1, -1, 127, -128, 0x7fff, -0x8000, 5, 200, 0x55, -3, 64, 100, 255, 17, -77].map((v) => v & 0xff);
const B = [0, 2, 1, 1, 127, -2, 0x40, 250, 199, 0xaa, -3, 65, 27, 1, 200, 77].map((v) => v & 0xff);
const F32 = [1.5, -2.25, 0, -0, 3.75, -1e30, 0.1, 7];
const F32B = [-0.5, -2.25, -0, 0, 1e-3, 1e30, 0.3, -7];
const F64 = [2.5, -0, -1.75, 1e300];
const F64B = [-2.5, 0, -1.75, -3];

const m = new ModuleBuilder();

/** Runs `op` on v128 constants `a` (and `b`, or an i32 shift count) and returns the 16 result bytes. */
function run(op: SimdOpcode, a: Uint8Array, b: Uint8Array | number | undefined): Uint8Array {
  m.reset();
  m.defineMemory({ min: 1 });
  m.exportMemory('memory');
  const f = m.beginFunction({ typeIndex: m.type([], []) });
  f.i32Const(0).v128Const(a);
  if (typeof b === 'number') f.i32Const(b);
  else if (b !== undefined) f.v128Const(b);
  f.simd(op).simdMem(SimdMemOp.v128_store);
  m.exportFunction('f', m.endFunction());
  const x = instantiate(m.finish());
  (x.f as () => void)();
  return new Uint8Array((x.memory as WasmMemory).buffer, 0, 16).slice();
}

const SHAPES: Record<string, [bytes: number, kind: 'i' | 'f']> = {
  i8x16: [1, 'i'], i16x8: [2, 'i'], i32x4: [4, 'i'], i64x2: [8, 'i'], f32x4: [4, 'f'], f64x2: [8, 'f'], v128: [1, 'i'],
};

function lanesInt(bytes: Uint8Array, w: number): bigint[] {
  const out: bigint[] = [];
  for (let k = 0; k < 16; k += w) {
    let v = 0n;
    for (let j = w - 1; j >= 0; j--) v = (v << 8n) | BigInt(bytes[k + j]!);
    out.push(v);
  }
  return out;
}
function fromLanesInt(lanes: bigint[], w: number): Uint8Array {
  const out = new Uint8Array(16);
  lanes.forEach((v, i) => { for (let j = 0; j < w; j++) out[i * w + j] = Number((BigInt.asUintN(w * 8, v) >> BigInt(8 * j)) & 0xffn); });
  return out;
}
function floatBytes(values: number[], w: number): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => (w === 4 ? dv.setFloat32(i * 4, v, true) : dv.setFloat64(i * 8, v, true)));
  return out;
}
function lanesFloat(bytes: Uint8Array, w: number): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return Array.from({ length: 16 / w }, (_, i) => (w === 4 ? dv.getFloat32(i * 4, true) : dv.getFloat64(i * 8, true)));
}

type IntRef = (a: bigint, b: bigint, sa: bigint, sb: bigint, bits: number) => bigint | boolean | undefined;
const sat = (v: bigint, lo: bigint, hi: bigint) => (v < lo ? lo : v > hi ? hi : v);
const popcount = (v: bigint) => BigInt([...v.toString(2)].filter((c) => c === '1').length);
const INT_OPS: Record<string, IntRef> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b,
  min_s: (_a, _b, sa, sb) => (sa < sb ? sa : sb), min_u: (a, b) => (a < b ? a : b),
  max_s: (_a, _b, sa, sb) => (sa > sb ? sa : sb), max_u: (a, b) => (a > b ? a : b),
  avgr_u: (a, b) => (a + b + 1n) >> 1n,
  add_sat_s: (_a, _b, sa, sb, w) => sat(sa + sb, -(1n << BigInt(w - 1)), (1n << BigInt(w - 1)) - 1n),
  add_sat_u: (a, b, _sa, _sb, w) => sat(a + b, 0n, (1n << BigInt(w)) - 1n),
  sub_sat_s: (_a, _b, sa, sb, w) => sat(sa - sb, -(1n << BigInt(w - 1)), (1n << BigInt(w - 1)) - 1n),
  sub_sat_u: (a, b, _sa, _sb, w) => sat(a - b, 0n, (1n << BigInt(w)) - 1n),
  eq: (a, b) => a === b, ne: (a, b) => a !== b,
  lt_s: (_a, _b, sa, sb) => sa < sb, lt_u: (a, b) => a < b, gt_s: (_a, _b, sa, sb) => sa > sb, gt_u: (a, b) => a > b,
  le_s: (_a, _b, sa, sb) => sa <= sb, le_u: (a, b) => a <= b, ge_s: (_a, _b, sa, sb) => sa >= sb, ge_u: (a, b) => a >= b,
  and: (a, b) => a & b, or: (a, b) => a | b, xor: (a, b) => a ^ b, andnot: (a, b) => a & ~b,
  not: (a) => ~a, abs: (_a, _b, sa) => (sa < 0n ? -sa : sa), neg: (_a, _b, sa) => -sa, popcnt: (a) => popcount(a),
};
const SHIFTS: Record<string, (a: bigint, sa: bigint, n: bigint) => bigint> = {
  shl: (a, _sa, n) => a << n, shr_s: (_a, sa, n) => sa >> n, shr_u: (a, _sa, n) => a >> n,
};

const roundEven = (x: number) => {
  if (!Number.isFinite(x) || x === 0) return x;
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  return r === 0 ? (x < 0 ? -0 : 0) : r;
};
type FloatRef = (a: number, b: number) => number | boolean;
const FLOAT_OPS: Record<string, FloatRef> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b,
  min: (a, b) => Math.min(a, b), max: (a, b) => Math.max(a, b), pmin: (a, b) => (b < a ? b : a), pmax: (a, b) => (a < b ? b : a),
  abs: (a) => Math.abs(a), neg: (a) => -a, sqrt: (a) => Math.sqrt(a), ceil: (a) => Math.ceil(a), floor: (a) => Math.floor(a),
  trunc: (a) => Math.trunc(a), nearest: roundEven,
  eq: (a, b) => a === b, ne: (a, b) => a !== b, lt: (a, b) => a < b, gt: (a, b) => a > b, le: (a, b) => a <= b, ge: (a, b) => a >= b,
};
const UNARY = new Set(['not', 'abs', 'neg', 'popcnt', 'sqrt', 'ceil', 'floor', 'trunc', 'nearest']);

const covered = Object.entries(SimdOp).filter(([name]) => {
  const [shape, ...rest] = name.split('_');
  const op = rest.join('_');
  const kind = SHAPES[shape!]?.[1];
  return (kind === 'i' && (op in INT_OPS || op in SHIFTS)) || (kind === 'f' && op in FLOAT_OPS);
});

describe('SIMD ops compute what their names say', () => {
  it('covers the arithmetic, compare, shift and bitwise ops', () => {
    expect(covered.length).toBeGreaterThan(120);
  });

  it.each(covered)('%s', (name, code) => {
    const [shape, ...rest] = name.split('_');
    const op = rest.join('_');
    const [w, kind] = SHAPES[shape!]!;
    const bits = w * 8;
    if (kind === 'i') {
      const a = Uint8Array.from(A);
      const b = Uint8Array.from(B);
      const la = lanesInt(a, w);
      const lb = lanesInt(b, w);
      if (op in SHIFTS) {
        for (const n of [0, 1, bits - 1, bits + 3]) {
          const want = la.map((x) => SHIFTS[op]!(x, BigInt.asIntN(bits, x), BigInt(n % bits)));
          expect([...run(code as SimdOpcode, a, n)]).toEqual([...fromLanesInt(want, w)]);
        }
        return;
      }
      const unary = UNARY.has(op);
      const want = la.map((x, i) => {
        const r = INT_OPS[op]!(x, lb[i]!, BigInt.asIntN(bits, x), BigInt.asIntN(bits, lb[i]!), bits)!;
        return typeof r === 'boolean' ? (r ? -1n : 0n) : r;
      });
      expect([...run(code as SimdOpcode, a, unary ? undefined : b)]).toEqual([...fromLanesInt(want, w)]);
    } else {
      const lanes = 16 / w;
      const round = w === 4 ? Math.fround : (x: number) => x;
      const allA = w === 4 ? F32 : F64;
      const allB = w === 4 ? F32B : F64B;
      for (let c = 0; c < allA.length; c += lanes) { // the values, one vector at a time
        const av = allA.slice(c, c + lanes);
        const bv = allB.slice(c, c + lanes);
        const got = run(code as SimdOpcode, floatBytes(av, w), UNARY.has(op) ? undefined : floatBytes(bv, w));
        if (typeof FLOAT_OPS[op]!(1, 2) === 'boolean') {
          const want = av.map((x, i) => (FLOAT_OPS[op]!(round(x), round(bv[i]!)) ? -1n : 0n));
          expect([...got]).toEqual([...fromLanesInt(want, w)]);
        } else {
          const want = av.map((x, i) => round(FLOAT_OPS[op]!(round(x), round(bv[i]!)) as number));
          expect(lanesFloat(got, w)).toEqual(want);
        }
      }
    }
  });
});
