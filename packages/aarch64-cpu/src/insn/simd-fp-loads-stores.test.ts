import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { runProgram } from '../testing/flat-memory.js';
import { BASE, VBAR } from '../testing/insn-harness.js';

const NOP = 0xd503201f;
const FPEN = 3n << 20n;
const BUF_AT = BASE + 0x8000n;

interface Vector {
  word: string; x1: number; seed: number; undef?: true;
  x0?: number; x1After?: number; v?: [number, string][]; mem?: [number, string][];
}
const data = JSON.parse(readFileSync(new URL('./simd-fp-loads-stores.vectors.json', import.meta.url), 'utf8')) as
  { baseOffset: number; buffer: number; vectors: Vector[] };

/** The buffer and V0-V7 bytes of a case (as scripts/record-simd-ldst.mjs `caseBytes`). */
function caseBytes(seed: number, n: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    b[i] = s & 0xff;
  }
  return b;
}

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Replay one vector on the model; returns a description of the first difference, or undefined. */
function replay(vec: Vector): string | undefined {
  const bytes = caseBytes(vec.seed, data.buffer + 128);
  const word = parseInt(vec.word, 16);
  const { cpu, mem, stop } = runProgram([word, NOP, NOP, NOP, NOP, NOP, NOP, NOP], (c, m) => {
    c.sys[SysReg.VBAR_EL1] = VBAR;
    c.sys[SysReg.CPACR_EL1] = FPEN;
    m.bytes.set(bytes.subarray(0, data.buffer), Number(BUF_AT) - m.base);
    cpu0v(c).set(bytes.subarray(data.buffer));
    c.x[0] = BUF_AT + BigInt(data.baseOffset);
    c.x[1] = BigInt.asUintN(64, BigInt(vec.x1));
  }, 1);
  if (stop !== Stop.Budget) return `stop ${stop}`;
  if (vec.undef) {
    return cpu.pc === VBAR + 0x200n && cpu.sys[SysReg.ESR_EL1]! >> 26n === 0n ? undefined : 'expected UNDEFINED';
  }
  if (cpu.pc !== BASE + 4n) return `pc ${cpu.pc.toString(16)} ESR ${cpu.sys[SysReg.ESR_EL1]!.toString(16)}`;
  const v = bytes.slice(data.buffer);
  for (const [off, hex] of vec.v!) v.set(Buffer.from(hex, 'hex'), off);
  const buf = bytes.slice(0, data.buffer);
  for (const [off, hex] of vec.mem!) buf.set(Buffer.from(hex, 'hex'), off);
  if (toHex(cpu0v(cpu)) !== toHex(v)) return `V0-V7 ${toHex(cpu0v(cpu))} expected ${toHex(v)}`;
  const x0 = Number(BigInt.asIntN(64, cpu.x[0]! - BUF_AT));
  if (x0 !== vec.x0 || Number(BigInt.asIntN(64, cpu.x[1]!)) !== vec.x1After) return `X0/X1 ${x0} ${cpu.x[1]}`;
  const got = mem.bytes.subarray(Number(BUF_AT) - mem.base, Number(BUF_AT) - mem.base + data.buffer);
  if (toHex(got) !== toHex(buf)) return 'memory differs';
  return undefined;
}

const cpu0v = (c: { v: Uint8Array }): Uint8Array => c.v.subarray(0, 128);

describe('SIMD&FP loads and stores against QEMU 10', () => {
  it(`replays ${data.vectors.length} recorded vectors`, () => {
    expect(data.vectors.length).toBeGreaterThan(2000);
    const failures: string[] = [];
    for (const vec of data.vectors) {
      const d = replay(vec);
      if (d !== undefined) failures.push(`${vec.word} (seed ${vec.seed}): ${d}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
  });
});

describe('SIMD&FP access control (CPACR_EL1.FPEN)', () => {
  const LDR_Q0 = 0x3dc00000; // ldr q0, [x0]
  const MRS_X1_FPCR = 0xd53b4401; // mrs x1, fpcr
  /** Run `word` at EL1 with CPACR_EL1 = cpacr; returns ESR_EL1 if it trapped, else undefined. */
  function trapOf(word: number, cpacr: bigint, el = 1): bigint | undefined {
    const { cpu } = runProgram([word], (c) => {
      c.sys[SysReg.VBAR_EL1] = VBAR;
      c.sys[SysReg.CPACR_EL1] = cpacr;
      c.x[0] = BUF_AT;
      if (el === 0) c.el = 0;
    }, 1);
    return cpu.pc === BASE + 4n ? undefined : cpu.sys[SysReg.ESR_EL1];
  }
  it('traps with EC 0x07, ISS CV=1 COND=0xE, when FPEN is 00 or 10, at EL1 and EL0', () => {
    for (const fpen of [0n, 2n]) {
      expect(trapOf(LDR_Q0, fpen << 20n)).toBe((0x07n << 26n) | (1n << 25n) | 0x1e0_0000n);
      expect(trapOf(MRS_X1_FPCR, fpen << 20n)).toBe((0x07n << 26n) | (1n << 25n) | 0x1e0_0000n);
      expect(trapOf(LDR_Q0, fpen << 20n, 0)! >> 26n).toBe(0x07n);
    }
  });
  it('FPEN = 01 traps EL0 only; 11 traps nothing', () => {
    expect(trapOf(LDR_Q0, 1n << 20n)).toBeUndefined();
    expect(trapOf(LDR_Q0, 1n << 20n, 0)! >> 26n).toBe(0x07n);
    expect(trapOf(LDR_Q0, 3n << 20n, 0)).toBeUndefined();
  });
  it('an unallocated SIMD&FP load is UNDEFINED, not trapped, whatever FPEN says', () => {
    const ldtrB = 0x3c400800; // the unprivileged form with V = 1: unallocated
    expect(trapOf(ldtrB, 0n)! >> 26n).toBe(0n);
  });
});

describe('FPCR and FPSR', () => {
  it('store the bits QEMU 10 -cpu max keeps, less those of features the model does not implement', () => {
    // msr fpcr, x0; mrs x1, fpcr; msr fpsr, x0; mrs x2, fpsr
    const { cpu } = runProgram([0xd51b4400, 0xd53b4401, 0xd51b4420, 0xd53b4422], (c) => {
      c.sys[SysReg.CPACR_EL1] = FPEN;
      c.x[0] = 2n ** 64n - 1n;
    }, 4);
    expect(cpu.x[1]).toBe(0x07ff_0000n); // AHP DN FZ RMode Stride FZ16 Len (QEMU adds AFP and EBF16: 0x07ff2007)
    expect(cpu.x[2]).toBe(0xf800_009fn); // as QEMU
  });
});

describe('alignment', () => {
  it('a Q access must be 16-byte aligned when SCTLR_EL1.A = 1', () => {
    const { cpu } = runProgram([0x3dc00000], (c) => { // ldr q0, [x0]
      c.sys[SysReg.VBAR_EL1] = VBAR;
      c.sys[SysReg.CPACR_EL1] = FPEN;
      c.sys[SysReg.SCTLR_EL1] = c.sys[SysReg.SCTLR_EL1]! | 2n;
      c.x[0] = BUF_AT + 8n;
    }, 1);
    expect(cpu.sys[SysReg.ESR_EL1]! >> 26n).toBe(0x25n);
    expect(cpu.sys[SysReg.ESR_EL1]! & 0x3fn).toBe(0x21n); // alignment fault
    expect(cpu.sys[SysReg.FAR_EL1]).toBe(BUF_AT + 8n);
  });
});

describe('LD1/ST1 (multiple structures) of byte, halfword and word lanes', () => {
  /** Run one word with x0 = `at`, counting the memory port's accesses; V0-V3 and the memory filled with patterns. */
  function run(word: number, at: bigint) {
    let accesses = 0;
    const out = runProgram([word], (c, m) => {
      c.sys[SysReg.VBAR_EL1] = VBAR;
      c.sys[SysReg.CPACR_EL1] = FPEN;
      for (let i = 0; i < 64; i++) c.v[i] = 0xa0 + i;
      for (let i = 0; i < 0x100; i++) m.bytes[Number(BUF_AT) - m.base + i] = i;
      c.x[0] = at;
      const read = m.read.bind(m);
      const write = m.write.bind(m);
      m.read = (va, size, flags) => { accesses++; return read(va, size, flags); };
      m.write = (va, size, v, flags) => { accesses++; write(va, size, v, flags); };
    }, 1);
    return { ...out, accesses };
  }
  const LD1_4x16B = 0x4c40_2000; // ld1 {v0.16b-v3.16b}, [x0]
  const ST1_2x8H = 0x4c00_a400; // st1 {v0.8h, v1.8h}, [x0]
  const LD1_8B = 0x0c40_7000; // ld1 {v0.8b}, [x0]

  it('from an 8-byte aligned address: one access per 8 bytes, the same lanes as element by element', () => {
    const ld = run(LD1_4x16B, BUF_AT + 0x18n);
    expect(ld.accesses).toBe(8);
    expect([...ld.cpu.v.subarray(0, 64)]).toEqual(Array.from({ length: 64 }, (_, i) => 0x18 + i));
    const st = run(ST1_2x8H, BUF_AT + 0x40n);
    expect(st.accesses).toBe(4);
    expect([...st.mem.bytes.subarray(Number(BUF_AT) - st.mem.base + 0x40, Number(BUF_AT) - st.mem.base + 0x60)])
      .toEqual(Array.from({ length: 32 }, (_, i) => 0xa0 + i));
    const d = run(LD1_8B, BUF_AT + 0x8n);
    expect(d.accesses).toBe(1);
    expect([...d.cpu.v.subarray(0, 16)]).toEqual([...Array.from({ length: 8 }, (_, i) => 8 + i), 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('from a misaligned address: naturally aligned pieces of up to 8 bytes in each 8 bytes of the registers, the same bytes', () => {
    // 0x13: each 8 bytes of the registers from an address ending in 3 is 1 + 4 + 2 + 1 bytes (Sem.loadElems).
    const ld = run(LD1_4x16B, BUF_AT + 0x13n);
    expect(ld.accesses).toBe(8 * 4);
    expect([...ld.cpu.v.subarray(0, 64)]).toEqual(Array.from({ length: 64 }, (_, i) => 0x13 + i));
    const st = run(ST1_2x8H, BUF_AT + 0x42n);
    expect(st.accesses).toBe(4 * 3); // 2 + 4 + 2 bytes in each 8
    expect([...st.mem.bytes.subarray(Number(BUF_AT) - st.mem.base + 0x40, Number(BUF_AT) - st.mem.base + 0x64)])
      .toEqual([0x40, 0x41, ...Array.from({ length: 32 }, (_, i) => 0xa0 + i), 0x62, 0x63]);
  });

  it('halfword lanes at an odd address: element by element', () => {
    const st = run(ST1_2x8H, BUF_AT + 0x41n);
    expect(st.accesses).toBe(16);
    expect([...st.mem.bytes.subarray(Number(BUF_AT) - st.mem.base + 0x41, Number(BUF_AT) - st.mem.base + 0x61)])
      .toEqual(Array.from({ length: 32 }, (_, i) => 0xa0 + i));
  });

  it('a fault at the end of memory leaves the registers before it written, as element by element', () => {
    // x0 = 24 bytes below the end: V0 and the low half of V1 load, the high half of V1 faults.
    const end = BASE + 0x10_0000n; // the end of runProgram's 1 MiB FlatMemory
    const f = run(LD1_4x16B, end - 24n);
    expect(f.cpu.sys[SysReg.ESR_EL1]! >> 26n).toBe(0x25n);
    expect(f.cpu.sys[SysReg.FAR_EL1]).toBe(end);
    expect([...f.cpu.v.subarray(0, 16)]).toEqual(Array.from({ length: 16 }, (_, i) => f.mem.bytes[f.mem.bytes.length - 24 + i]));
    expect([...f.cpu.v.subarray(16, 24)]).toEqual(Array.from({ length: 8 }, (_, i) => f.mem.bytes[f.mem.bytes.length - 8 + i]));
    expect([...f.cpu.v.subarray(24, 32)]).toEqual(Array.from({ length: 8 }, (_, i) => 0xa0 + 24 + i));
  });
});
