/**
 * Test support (not exported from the package): the environment of test-env.ts with guest RAM in the CPU's guest
 * arena, so translated WebAssembly code reaches it inline through the arena data TLB (memory outside the arena
 * always takes the handler), and the CPU's engine chosen: `'wasm'` compiles every block to WebAssembly before its
 * first run (a code cache with `hotRuns: 0`), `'handlers'` keeps every block a handler block (`wasm: false`: what a
 * host without WebAssembly runs) that runs its fast interpreter program from its first run (`fastAfterRuns: 1`, so
 * that blocks run once are the fast interpreter's too), `'interp'` is the interpreter (`translate: false`), the reference of the
 * differential tests.
 *
 * Tag storage (MTE): `tags` attaches any TagStore to the RAM (the MMU's handlers check tags through it, so Tagged
 * pages never take the inline path: their arena TLB entries never hit); `denseTags` puts the RAM's allocation tags
 * in the arena, packed as kvm-core's tag-capable mappings keep them (HostPhysicalMemory.mmap: `size / 32` bytes,
 * page p's 128 bytes at `tagOffset + 128 p`, the even granule in the low nibble), so translated loads and stores
 * compare tags inline (block-emitter.ts fastCheck). {@link DenseTags} stands in for @kvm-mte/mte-tags' TagStorage
 * with such a backing: mte-tags is a layer above this package, which must not import it (scripts/check-layers.mjs).
 */
import { createHash } from 'node:crypto';
import { CodeCache, Cpu, GuestArena, SysReg, type MemoryPort, type StopCode, type WasmTierOptions } from '@kvm-mte/aarch64-cpu';
import { Mmu, type MmuOptions } from './mmu.js';
import type { PhysicalMemory, PhysRegion, TagStore } from './ports.js';
import { MAIR, RAM_BASE, Tables, TCR_48_4K } from './test-env.js';

export type Engine = 'wasm' | 'handlers' | 'interp';

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
  /** Allocation tag storage of the RAM (MTE), outside the arena (the inline path never hits Tagged pages). */
  tags?: TagStore;
  /** Allocation tags of the RAM dense in the arena ({@link DenseTags}, the region's `arena.tagOffset`). */
  denseTags?: boolean;
  /** When translated blocks become WebAssembly (the code cache's option). Default `{ hotRuns: 0 }`. */
  wasmTier?: WasmTierOptions;
}

/**
 * Call `count` on every load and store that reaches `m` through its MemoryPort entries: read and write, and the fast
 * interpreter's readHalves and writeHalves (what translated code did not do inline).
 */
export function onPortAccess(m: Mmu, count: () => void): void {
  const read = m.read.bind(m);
  const write = m.write.bind(m);
  const readHalves = m.readHalves.bind(m);
  const writeHalves = m.writeHalves.bind(m);
  m.read = (va, size, flags) => {
    count();
    return read(va, size, flags);
  };
  m.write = (va, size, v, flags) => {
    count();
    write(va, size, v, flags);
  };
  m.readHalves = (s, d, x, size, flags) => {
    count();
    readHalves(s, d, x, size, flags);
  };
  m.writeHalves = (s, x, y, size, flags) => {
    count();
    writeHalves(s, x, y, size, flags);
  };
}

/** A CPU and MMU over RAM in their arena; MAIR/TCR/TTBRs as test-env.ts `makeEnv` sets them (the MMU off). */
export function arenaEnv(engine: Engine, o: ArenaEnvOptions = {}): ArenaEnv {
  const size = o.ramBytes ?? 4 << 20;
  const arena = new GuestArena({ maxBytes: size + (4 << 20) });
  const offset = arena.alloc(size, 4096);
  const bytes = arena.bytes(offset, size);
  if (o.denseTags === true && o.tags !== undefined) throw new Error('arenaEnv: both tags and denseTags');
  // Dense tags: 4 bits per 16-byte granule, size / 32 bytes (as HostPhysicalMemory.mmap allocates them).
  const tagOffset = o.denseTags === true ? arena.alloc(size / 32, 16) : undefined;
  const tags = tagOffset !== undefined ? new DenseTags(RAM_BASE, arena.bytes(tagOffset, size / 32)) : o.tags;
  const ram: PhysRegion = {
    base: RAM_BASE, bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    arena: tagOffset === undefined ? { arena, offset } : { arena, offset, tagOffset },
    ...(tags !== undefined && { tags }),
  };
  const phys: PhysicalMemory = { region: (pa) => (pa >= RAM_BASE && pa < RAM_BASE + size ? ram : undefined) };
  const cpu = new Cpu({} as MemoryPort, engine === 'interp' ? { arena, translate: false }
    : { arena, wasm: engine === 'wasm', codeCache: new CodeCache(undefined, o.wasmTier ?? { hotRuns: 0 }), fastAfterRuns: 1 });
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

/**
 * Allocation tags packed two a byte over a backing array (the layout of @kvm-mte/mte-tags' TagStorage with a dense
 * backing: granule g's tag in byte g >> 1, the even granule in the low nibble), for RAM starting at `base`.
 */
export class DenseTags implements TagStore {
  /** getTag calls (the MMU's tag checks and tag reads). */
  reads = 0;
  constructor(readonly base: number, readonly packed: Uint8Array) {}
  getTag(pa: number): number {
    this.reads++;
    const g = (pa - this.base) >>> 4;
    return (this.packed[g >>> 1]! >>> ((g & 1) << 2)) & 0xf;
  }
  setTag(pa: number, tag: number): void {
    const g = (pa - this.base) >>> 4;
    const shift = (g & 1) << 2;
    this.packed[g >>> 1] = (this.packed[g >>> 1]! & ~(0xf << shift)) | ((tag & 0xf) << shift);
  }
  /** Set the tags of [pa, pa + bytes) to `tag`. */
  fill(pa: number, bytes: number, tag: number): void {
    for (let a = pa; a < pa + bytes; a += 16) this.setTag(a, tag);
  }
}

/** Write instruction words at physical address `pa`. */
export function loadWords(e: { ram: PhysRegion }, pa: number, words: readonly number[]): void {
  words.forEach((w, i) => e.ram.view.setUint32(pa - e.ram.base + 4 * i, w >>> 0, true));
}

/** SHA-256 of RAM [pa, pa + n). */
export const digest = (e: ArenaEnv, pa: number, n: number): string =>
  createHash('sha256').update(e.ram.bytes.subarray(pa - RAM_BASE, pa - RAM_BASE + n)).digest('hex');

/** Everything the two engines must agree on after a run, with digests of the memory ranges [pa, bytes). */
export function stateOf(e: ArenaEnv, stops: StopCode[], ranges: readonly (readonly [number, number])[], trace?: unknown) {
  const c = e.cpu;
  const s = c.sys;
  return {
    stops, trace, x: [...c.x.slice(0, 31)], sp: [c.spEl[0], c.spEl[1]], pc: c.pc, nzcv: c.nzcv, n: c.insnCount,
    pstate: [c.el, c.spsel, c.daif, c.pan, c.tco, c.il], esr: s[SysReg.ESR_EL1], far: s[SysReg.FAR_EL1], elr: s[SysReg.ELR_EL1],
    spsr: s[SysReg.SPSR_EL1], mem: ranges.map(([pa, n]) => digest(e, pa, n)),
  };
}

export type State = ReturnType<typeof stateOf>;
