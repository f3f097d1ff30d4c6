import { describe, expect, it } from 'vitest';
import { ARENA_CODE_MAP, ARENA_NO_TLB, ArenaFullError, GuestArena, WASM_PAGE_BYTES } from './arena.js';
import { Cpu } from './cpu.js';
import type { MemoryPort } from './ports.js';
import { CPU_STATE_BYTES, St } from './state-layout.js';
import { SysReg } from './sysregs.js';

const NO_MEM = {} as MemoryPort;

describe('the guest arena', () => {
  it('hands out zeroed, aligned, disjoint blocks after the header and the code map, growing as needed', () => {
    const a = new GuestArena({ maxBytes: 4 * WASM_PAGE_BYTES });
    expect(a.codeMap.length).toBe(a.maxBytes / 4096);
    const p = a.alloc(100, 64);
    expect(p % 64).toBe(0);
    expect(p).toBeGreaterThanOrEqual(ARENA_CODE_MAP + a.codeMap.length);
    const q = a.alloc(3 * WASM_PAGE_BYTES - p - 200, 16); // past the first page: the memory grows
    expect(q).toBeGreaterThanOrEqual(p + 100);
    expect(a.memory.buffer.byteLength).toBeGreaterThanOrEqual(q + 16);
    expect(a.bytes(q, 16).every((b) => b === 0)).toBe(true);
  });

  it('views made before a growth stay valid (the memory is shared)', () => {
    const a = new GuestArena({ maxBytes: 8 * WASM_PAGE_BYTES });
    expect(a.shared).toBe(true);
    const p = a.alloc(16);
    const v = a.bytes(p, 16);
    a.alloc(5 * WASM_PAGE_BYTES);
    v[3] = 42;
    expect(a.bytes(p, 16)[3]).toBe(42);
  });

  it('refuses to go past its maximum with ArenaFullError, and bad sizes with RangeError', () => {
    const a = new GuestArena({ maxBytes: 2 * WASM_PAGE_BYTES });
    expect(() => a.alloc(2 * WASM_PAGE_BYTES)).toThrow(ArenaFullError);
    expect(() => a.alloc(0)).toThrow(RangeError);
    expect(() => a.alloc(16, 3)).toThrow(RangeError);
    expect(() => new GuestArena({ maxBytes: 5 * 2 ** 30 })).toThrow(RangeError);
  });

  it('reuses a freed block of the same size, zeroed', () => {
    const a = new GuestArena({ maxBytes: 4 * WASM_PAGE_BYTES });
    const p = a.alloc(256);
    a.bytes(p, 256).fill(7);
    a.free(p, 256);
    expect(a.alloc(256)).toBe(p);
    expect(a.bytes(p, 256).every((b) => b === 0)).toBe(true);
  });

  it('a plain (unshared) arena is its full size from the start', () => {
    const a = new GuestArena({ maxBytes: 2 * WASM_PAGE_BYTES, unshared: true });
    expect(a.shared).toBe(false);
    expect(a.memory.buffer.byteLength).toBe(2 * WASM_PAGE_BYTES);
  });
});

describe('the CPU state block', () => {
  it('the registers are views at the layout offsets of one block in the arena', () => {
    const arena = new GuestArena({ maxBytes: 16 * WASM_PAGE_BYTES });
    const cpu = new Cpu(NO_MEM, { arena });
    const dv = new DataView(arena.memory.buffer, cpu.stateOffset, CPU_STATE_BYTES);
    cpu.x[5] = 0x1122_3344_5566_7788n;
    expect(dv.getBigUint64(St.X + 5 * 8, true)).toBe(0x1122_3344_5566_7788n);
    cpu.spEl[1] = 0xabcn;
    expect(dv.getBigUint64(St.SP_EL1, true)).toBe(0xabcn);
    cpu.nzcv = 0b1010;
    expect(dv.getInt32(St.NZCV, true)).toBe(0b1010);
    cpu.insnCount = 12345;
    expect(dv.getFloat64(St.INSN_COUNT, true)).toBe(12345);
    cpu.irqLine = true;
    expect(dv.getInt32(St.IRQ_LINE, true)).toBe(1);
    cpu.sys[SysReg.TPIDR_EL0] = 99n;
    expect(dv.getBigUint64(St.SYS + 8 * SysReg.TPIDR_EL0, true)).toBe(99n);
    cpu.v[16] = 0x5a; // V1's first byte
    expect(dv.getUint8(St.V + 16)).toBe(0x5a);
    expect(cpu.stateBytes().byteOffset).toBe(cpu.stateOffset);
    expect(dv.getInt32(St.TLB_BASE, true)).toBe(ARENA_NO_TLB); // no memory port TLB yet
  });

  it('lazy flags pending in the block are computed by the nzcv getter', () => {
    const cpu = new Cpu(NO_MEM);
    const dv = new DataView(cpu.arena.memory.buffer, cpu.stateOffset, CPU_STATE_BYTES);
    dv.setBigUint64(St.FLAG_A, 5n, true);
    dv.setBigUint64(St.FLAG_B, 5n, true);
    dv.setInt32(St.FLAG_OP, 1, true); // Sub64: 5 - 5
    expect(cpu.nzcv).toBe(0b0110); // Z and C
    expect(dv.getInt32(St.FLAG_OP, true)).toBe(0);
  });

  it('two CPUs in one arena have disjoint blocks; a released block is reused by the next CPU', () => {
    const arena = new GuestArena({ maxBytes: 16 * WASM_PAGE_BYTES });
    const a = new Cpu(NO_MEM, { arena });
    const b = new Cpu(NO_MEM, { arena });
    expect(Math.abs(a.stateOffset - b.stateOffset)).toBeGreaterThanOrEqual(CPU_STATE_BYTES);
    a.x[0] = 1n;
    expect(b.x[0]).toBe(0n);
    const off = b.stateOffset;
    b.release();
    const c = new Cpu(NO_MEM, { arena });
    expect(c.stateOffset).toBe(off);
    expect(c.x[0]).toBe(0n);
    expect(c.sys[SysReg.SCTLR_EL1]).toBe(a.sys[SysReg.SCTLR_EL1]); // reset values again
  });
});
