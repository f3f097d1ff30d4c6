/**
 * FEAT_FCMA: FCMLA and FCADD (AdvSIMD three same extra, `0 Q 1 01110 size 0 Rm 1 opcode 1 Rn Rd`, Arm ARM
 * C4.1.96), and the FCMLA (by element) handler its rows in simd-fp-by-element.ts use. Lanes come in (real,
 * imaginary) pairs. Sizes: 01 half, 10 single (either Q), 11 double (Q = 1); size 00 and 2D with Q = 0 match no
 * row (UNDEFINED).
 */
import type { EncodingRow, Handler } from '../decode.js';
import { D, type FpFormat, H, S, fpAdd, fpMulAdd } from '../fp/index.js';
import { fpRow } from '../fpsimd/access.js';
import { begin, commit } from './fp-common.js';
import { rd, rm, rn } from './simd-int-common.js';
import { finish, laneHi, laneLo, pattern, setLane } from './simd-fp-lanes.js';

/** The sign bits of a lane's high and low words. */
const signHi = (f: FpFormat): number => (f.n === 64 ? 0x8000_0000 : 0);
const signLo = (f: FpFormat): number => (f.n === 64 ? 0 : f.n === 32 ? 0x8000_0000 : 0x8000);

/**
 * FCMLA (vector, or by element when `byElement`: the pair H:L (half) or H (single) of Vm for every pair of Vn):
 * rotation `rot` (0, 90, 180, 270 degrees as 0-3) of Vm's pair multiplied by Vn's real (rot 0, 2) or imaginary
 * (rot 1, 3) lane, accumulated into Vd's pair with one rounding per lane (FPMulAdd(Vd, Vn, Vm')).
 */
export function fcmla(f: FpFormat, q: number, rot: number, byElement: boolean): Handler {
  const pairs = (q ? 64 : 32) / f.n;
  const bytes = q ? 16 : 8;
  const sh = signHi(f);
  const sl = signLo(f);
  const neg1 = rot === 1 || rot === 2;
  const neg3 = rot === 2 || rot === 3;
  const odd = rot & 1;
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = rm(insn);
    const index = f.n === 16 ? ((insn >>> 10) & 2) | ((insn >>> 21) & 1) : (insn >>> 11) & 1;
    const ctx = begin(cpu);
    // Vm's pair is read before any lane of Vd is written (by element, Vd may be Vm).
    let k = byElement ? 2 * index : 0;
    let mrh = laneHi(vr, f, m, k);
    let mrl = laneLo(vr, f, m, k);
    let mih = laneHi(vr, f, m, k + 1);
    let mil = laneLo(vr, f, m, k + 1);
    for (let p = 0; p < pairs; p++) {
      if (!byElement) {
        k = 2 * p;
        mrh = laneHi(vr, f, m, k);
        mrl = laneLo(vr, f, m, k);
        mih = laneHi(vr, f, m, k + 1);
        mil = laneLo(vr, f, m, k + 1);
      }
      const nh = laneHi(vr, f, n, 2 * p + odd);
      const nl = laneLo(vr, f, n, 2 * p + odd);
      let e1h = odd ? mih : mrh;
      let e1l = odd ? mil : mrl;
      let e3h = odd ? mrh : mih;
      let e3l = odd ? mrl : mil;
      if (neg1) {
        e1h = (e1h ^ sh) >>> 0;
        e1l = (e1l ^ sl) >>> 0;
      }
      if (neg3) {
        e3h = (e3h ^ sh) >>> 0;
        e3l = (e3l ^ sl) >>> 0;
      }
      const rl = fpMulAdd(ctx, f, laneHi(vr, f, d, 2 * p), laneLo(vr, f, d, 2 * p), nh, nl, e1h, e1l);
      const rh = ctx.hi;
      const il = fpMulAdd(ctx, f, laneHi(vr, f, d, 2 * p + 1), laneLo(vr, f, d, 2 * p + 1), nh, nl, e3h, e3l);
      setLane(vr, f, d, 2 * p, rl, rh);
      setLane(vr, f, d, 2 * p + 1, il, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

/** FCADD: Vn's pairs plus Vm's pairs rotated by 90 (`rot` 0) or 270 (`rot` 1) degrees. */
function fcadd(f: FpFormat, q: number, rot: number): Handler {
  const pairs = (q ? 64 : 32) / f.n;
  const bytes = q ? 16 : 8;
  const sh = signHi(f);
  const sl = signLo(f);
  return (cpu, insn) => {
    const vr = cpu.vr;
    const d = rd(insn);
    const n = rn(insn);
    const m = rm(insn);
    const ctx = begin(cpu);
    for (let p = 0; p < pairs; p++) {
      // rot 90: (re - im', im + re'); rot 270: (re + im', im - re').
      let e1h = laneHi(vr, f, m, 2 * p + 1);
      let e1l = laneLo(vr, f, m, 2 * p + 1);
      let e3h = laneHi(vr, f, m, 2 * p);
      let e3l = laneLo(vr, f, m, 2 * p);
      if (rot === 0) {
        e1h = (e1h ^ sh) >>> 0;
        e1l = (e1l ^ sl) >>> 0;
      } else {
        e3h = (e3h ^ sh) >>> 0;
        e3l = (e3l ^ sl) >>> 0;
      }
      const rl = fpAdd(ctx, f, laneHi(vr, f, n, 2 * p), laneLo(vr, f, n, 2 * p), e1h, e1l);
      const rh = ctx.hi;
      const il = fpAdd(ctx, f, laneHi(vr, f, n, 2 * p + 1), laneLo(vr, f, n, 2 * p + 1), e3h, e3l);
      setLane(vr, f, d, 2 * p, rl, rh);
      setLane(vr, f, d, 2 * p + 1, il, ctx.hi);
    }
    finish(vr, d, bytes);
    commit(cpu, ctx);
  };
}

const MASK = 0xffe0_fc00;
const extra = (q: number, size: number, opcode: number): number =>
  (q << 30) | (1 << 29) | (0b01110 << 24) | (size << 22) | (1 << 15) | (opcode << 11) | (1 << 10);
const FORMATS: readonly [number, FpFormat][] = [[1, H], [2, S], [3, D]];

function buildRows(): EncodingRow[] {
  const rows: EncodingRow[] = [];
  for (const [size, f] of FORMATS) {
    for (const q of size === 3 ? [1] : [0, 1]) {
      for (let rot = 0; rot < 4; rot++) {
        rows.push(fpRow('FCMLA (vector)', pattern(extra(q, size, 0b1000 | rot), MASK), fcmla(f, q, rot, false)));
      }
      for (const rot of [0, 1]) {
        rows.push(fpRow('FCADD', pattern(extra(q, size, 0b1100 | (rot << 1)), MASK), fcadd(f, q, rot)));
      }
    }
  }
  return rows;
}

/** The rows of FCMLA (vector) and FCADD. */
export const SIMD_FP_COMPLEX: readonly EncodingRow[] = buildRows();
