// SIMD&FP loads and stores in WebAssembly blocks (aarch64-cpu spec/simd-fp-loads-stores.ts, emitted inline by the
// tier's spec-wasm.ts) against the interpreter: LDR/STR of B, H, S, D and Q registers in every addressing form and
// LDP/STP/LDNP/STNP of S, D and Q, LD1/ST1 (multiple structures) and LD1R, on mapped, read-only, unmapped and Device pages, page crossings, SP bases,
// SCTLR_EL1.A and SA, TBI, and CPACR_EL1.FPEN settings that trap, and the hypervisor's trap (CPTR_EL2.TFP). Registers (X and V), FPSR, PC, the exception
// registers and memory must agree; most accesses must stay inline (not through the memory port).
import { CPTR, IMPL, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { arenaEnv, loadWords, onPortAccess, stateOf, type ArenaEnv, type Engine } from './arena-test-env.js';
import { Ap, s1PageDesc } from './descriptors.js';
import { B_SELF, rng } from './random-code.js';
import { Attr, RAM_BASE, SCTLR, TCR, TCR_48_4K } from './test-env.js';

const CODE = RAM_BASE + 0x10_0000;
const D = RAM_BASE + 0x20_0000;
const SCTLR_SA = 1n << 3n;
const FPEN_SHIFT = 20n;

const MAP: readonly (readonly [bigint, number, { attrIndx: number; ap?: number }])[] = [
  [0x1000n, CODE, { attrIndx: Attr.WB, ap: Ap.RoEl1 }],
  [0x10000n, D, { attrIndx: Attr.WB }],
  [0x11000n, D + 0x1000, { attrIndx: Attr.WB }],
  [0x12000n, D + 0x2000, { attrIndx: Attr.WB, ap: Ap.RoEl1 }], // read-only
  // 0x13000: unmapped
  [0x14000n, D + 0x3000, { attrIndx: Attr.Device }], // Device-nGnRnE: misaligned accesses fault
];
/** Base addresses, mostly inside the two RW pages; some near the ends of the others. */
const BASES = [0x10000n, 0x10100n, 0x10800n, 0x10f80n, 0x11000n, 0x11800n, 0x11f80n, 0x12000n, 0x12f80n, 0x13000n,
  0x14000n, 0x14f80n, 0x10ff0n, 0x11ff0n];

/** A random SIMD&FP load/store word of the specified forms; Rt/Rt2 V0-V7, base x20-x23 or SP, index x24/x25. */
function vWord(r: () => number): number {
  const int = (n: number): number => Math.floor(r() * n);
  const base = r() < 0.2 ? 31 : 20 + int(4);
  const t = int(8);
  const l = int(2);
  if (r() < 0.08) {
    // LD1R, any size and Q; no offset, post-index by the element size (Rm = 31) or by x24/x25; now and then LD2R or
    // S = 1 (handlers; S = 1 is UNDEFINED).
    const post = int(3);
    const rm = post === 0 ? 0 : post === 1 ? 31 : 24 + int(2);
    const other = r() < 0.1 ? (r() < 0.5 ? 1 << 21 : 1 << 12) : 0;
    return ((int(2) << 30) | 0x0d40_c000 | ((post === 0 ? 0 : 1) << 23) | (rm << 16) | other | (int(4) << 10) | (base << 5) | t) >>> 0;
  }
  if (r() < 0.15) {
    // LD1/ST1 (multiple structures) of 1-4 registers (opcode 0111, 1010, 0110, 0010), any size and Q; no offset,
    // post-index by the bytes transferred (Rm = 31) or by x24/x25.
    const opcode = [0b0111, 0b1010, 0b0110, 0b0010][int(4)]!;
    const post = int(3);
    const rm = post === 0 ? 0 : post === 1 ? 31 : 24 + int(2);
    return ((int(2) << 30) | 0x0c00_0000 | ((post === 0 ? 0 : 1) << 23) | (l << 22) | (rm << 16) | (opcode << 12) |
      (int(4) << 10) | (base << 5) | t) >>> 0;
  }
  if (r() < 0.35) {
    // LDP/STP/LDNP/STNP: opc 00 S, 01 D, 10 Q (11 unallocated now and then); mode 0..3.
    const opc = r() < 0.97 ? int(3) : 3;
    const imm7 = (r() < 0.3 ? 0 : r() < 0.8 ? int(16) - 8 : int(128)) & 0x7f;
    return ((opc << 30) | 0x2c00_0000 | (int(4) << 23) | (l << 22) | (imm7 << 15) | (int(8) << 10) | (base << 5) | t) >>> 0;
  }
  // size:opc<1>: B, H, S, D, or Q (size 00, opc<1> 1).
  const q = r() < 0.35;
  const size = q ? 0 : int(4);
  const opc = (q ? 2 : 0) | l;
  const scale = q ? 4 : size;
  const imm9 = (r() < 0.75 ? (int(16) - 8) << scale : int(512) - 256) & 0x1ff;
  switch (int(4)) {
    case 0: // unsigned offset
      return ((size << 30) | 0x3d00_0000 | (opc << 22) | (int(32) << 10) | (base << 5) | t) >>> 0;
    case 1: // unscaled, post-index, pre-index
      return ((size << 30) | 0x3c00_0000 | (opc << 22) | (imm9 << 12) | ([0, 1, 3][int(3)]! << 10) | (base << 5) | t) >>> 0;
    default: { // register offset, every option (option<1> = 0 is UNDEFINED)
      const option = r() < 0.95 ? [2, 3, 6, 7][int(4)]! : int(8);
      return ((size << 30) | 0x3c20_0800 | (opc << 22) | ((24 + int(2)) << 16) | (option << 13) | (int(2) << 12) |
        (base << 5) | t) >>> 0;
    }
  }
}

interface Case {
  words: number[]; x: bigint[]; sp: bigint; v: Uint8Array; fpen: bigint; sctlr: bigint; tbi: boolean; tfp: boolean;
}

function randomCase(r: () => number): Case {
  const int = (n: number): number => Math.floor(r() * n);
  const words = Array.from({ length: 2 + int(10) }, () => vWord(r));
  words.push(B_SELF);
  const base = (): bigint => {
    const mis = r() < 0.15 ? BigInt(1 + int(15)) : 0n;
    const tag = r() < 0.1 ? BigInt(1 + int(255)) << 56n : 0n;
    return (BASES[int(r() < 0.7 ? 7 : BASES.length)]! + BigInt(16 * int(8)) + mis) | tag;
  };
  const x = [base(), base(), base(), base(), [0n, 16n, 8n, 0xffff_fff0n][int(4)]!, [0n, 32n, 0x100n, 0xffff_ffff_ffff_fff0n][int(4)]!];
  const sp = r() < 0.7 ? base() & ~15n : base();
  const v = new Uint8Array(8 * 16);
  for (let i = 0; i < v.length; i++) v[i] = int(256);
  // FPEN: mostly 0b11; 0b01 (EL1 runs); 0b00 and 0b10 trap.
  const fpen = r() < 0.85 ? 3n : BigInt(int(3));
  const sctlr = (r() < 0.5 ? SCTLR_SA : 0n) | (r() < 0.15 ? SCTLR.A : 0n);
  return { words, x, sp, v, fpen, sctlr, tbi: r() < 0.5, tfp: r() < 0.1 };
}

/** Memory port accesses (MemoryPort.read/write) per engine. */
const port = { wasm: 0, interp: 0 };

function runCase(engine: Engine, c: Case) {
  const e: ArenaEnv = arenaEnv(engine);
  loadWords(e, CODE, c.words);
  loadWords(e, CODE + 0x800, [B_SELF]);
  loadWords(e, CODE + 0xa00, [B_SELF]);
  for (const [va, pa, o] of MAP) e.t.map(e.root0, va, s1PageDesc(pa, o));
  for (let pa = D; pa < D + 0x4000; pa += 8) e.ram.view.setBigUint64(pa - RAM_BASE, BigInt(pa) * 0x9e37_79b9n, true);
  e.set('TCR_EL1', TCR_48_4K | (c.tbi ? TCR.TBI0 | TCR.TBI1 : 0n));
  e.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | c.sctlr);
  e.cpu.sys[SysReg.VBAR_EL1] = 0x1800n;
  e.cpu.sys[SysReg.CPACR_EL1] = c.fpen << FPEN_SHIFT;
  if (c.tfp) e.cpu.sys[SysReg.CPTR_EL2] = e.cpu.sys[SysReg.CPTR_EL2]! | CPTR.TFP;
  // Warm the TLB so that the first accesses can take the inline path.
  for (const [va] of MAP) if (va >= 0x10000n && va !== 0x12000n) e.mmu.read(va, 8, 0);
  c.x.forEach((v, k) => (e.cpu.x[20 + k] = v));
  e.cpu.spEl[1] = c.sp;
  e.cpu.spsel = 1;
  e.cpu.v.set(c.v);
  e.cpu.pc = 0x1000n;
  const counted = engine === 'wasm' ? 'wasm' : 'interp';
  onPortAccess(e.mmu, () => port[counted]++);
  const stops = [e.cpu.run(c.words.length + 3)];
  return {
    ...stateOf(e, stops, [[D, 0x4000]]), v: Buffer.from(e.cpu.v.subarray(0, 8 * 16)).toString('hex'), fpsr: e.cpu.fpsr,
    el2: e.cpu.el2.esr,
  };
}

describe('WebAssembly SIMD&FP loads and stores agree with the interpreter', () => {
  it('on 600 random blocks (B/H/S/D/Q, pairs, every form, faults, SA, A, TBI, FPEN and TFP traps), most accesses inline', () => {
    const r = rng(4242);
    port.wasm = 0;
    port.interp = 0;
    for (let round = 0; round < 600; round++) {
      const c = randomCase(r);
      const label = `round ${round}: ${c.words.map((w) => w.toString(16)).join(' ')} x ${c.x.map((v) => v.toString(16)).join(' ')} ` +
        `sp ${c.sp.toString(16)} fpen ${c.fpen} sctlr ${c.sctlr} tbi ${c.tbi} tfp ${c.tfp}`;
      expect(runCase('wasm', c), label).toEqual(runCase('interp', c));
    }
    // The inline path (no memory port call) took most accesses: the WebAssembly blocks went through the port for
    // well under half of what the interpreter did.
    expect(port.interp).toBeGreaterThan(2000);
    expect(port.wasm).toBeLessThan(port.interp * 0.4);
  });
});
