/**
 * Test support (not exported from the package): the environment of test-env.ts with guest RAM in the CPU's guest
 * arena, so translated WebAssembly code reaches it inline through the arena data TLB (memory outside the arena
 * always takes the handler), and the CPU's engine chosen: `'wasm'` compiles every translated block to WebAssembly
 * before its first run (a code cache with `hotRuns: 0`), `'js'` keeps translated blocks JavaScript, `'interp'` is
 * the interpreter (`translate: false`), the reference of the differential tests.
 */
import { CodeCache, Cpu, GuestArena, SysReg, type MemoryPort, type WasmTierOptions } from '@kvm-mte/aarch64-cpu';
import { Mmu, type MmuOptions } from './mmu.js';
import type { PhysicalMemory, PhysRegion, TagStore } from './ports.js';
import { MAIR, RAM_BASE, Tables, TCR_48_4K } from './test-env.js';

export type Engine = 'wasm' | 'js' | 'interp';

export interface ArenaEnv {
  engine: Engine;
  cpu: Cpu;
  mmu: Mmu;
  phys: PhysicalMemory;
  ram: PhysRegion;
  t: Tables;
  root0: number;
  root1: number;
  set(reg: keyof typeof SysReg, v: bigint): void;
}

export interface ArenaEnvOptions {
  mmu?: MmuOptions;
  /** RAM at RAM_BASE, in bytes (default 4 MiB). */
  ramBytes?: number;
  /** Allocation tag storage of the RAM (MTE). */
  tags?: TagStore;
  /** When translated blocks become WebAssembly (the code cache's option). Default `{ hotRuns: 0 }`. */
  wasmTier?: WasmTierOptions;
}

/** A CPU and MMU over RAM in their arena; MAIR/TCR/TTBRs as test-env.ts `makeEnv` sets them (the MMU off). */
export function arenaEnv(engine: Engine, o: ArenaEnvOptions = {}): ArenaEnv {
  const size = o.ramBytes ?? 4 << 20;
  const arena = new GuestArena({ maxBytes: size + (4 << 20) });
  const offset = arena.alloc(size, 4096);
  const bytes = arena.bytes(offset, size);
  const ram: PhysRegion = {
    base: RAM_BASE, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    arena: { arena, offset }, ...(o.tags !== undefined && { tags: o.tags }),
  };
  const phys: PhysicalMemory = { region: (pa) => (pa >= RAM_BASE && pa < RAM_BASE + size ? ram : undefined) };
  const cpu = new Cpu({} as MemoryPort, engine === 'interp' ? { arena, translate: false }
    : { arena, wasm: engine === 'wasm', codeCache: new CodeCache(undefined, o.wasmTier ?? { hotRuns: 0 }) });
  const mmu = new Mmu(cpu, phys, o.mmu ?? {});
  cpu.mem = mmu;
  const t = new Tables(ram);
  const root0 = t.alloc();
  const root1 = t.alloc();
  cpu.sys[SysReg.MAIR_EL1] = MAIR;
  cpu.sys[SysReg.TCR_EL1] = TCR_48_4K;
  cpu.sys[SysReg.TTBR0_EL1] = BigInt(root0);
  cpu.sys[SysReg.TTBR1_EL1] = BigInt(root1);
  mmu.controlChanged();
  return {
    engine, cpu, mmu, phys, ram, t, root0, root1,
    set(reg, v) {
      cpu.sys[SysReg[reg]] = v;
      mmu.controlChanged();
    },
  };
}

/** Write instruction words at physical address `pa`. */
export function loadWords(e: { ram: PhysRegion }, pa: number, words: readonly number[]): void {
  words.forEach((w, i) => e.ram.view.setUint32(pa - e.ram.base + 4 * i, w >>> 0, true));
}
