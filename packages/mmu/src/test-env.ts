/**
 * Test support (not exported from the package): a CPU for register state, RAM at 0x4000_0000, a page-table builder,
 * and helpers to configure stage 1 and stage 2 and to catch faults.
 */
import { Cpu, IMPL, MemoryFault, SysReg, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { Mmu, type MmuOptions } from './mmu.js';
import { RegionList } from './phys.js';
import type { PhysRegion, TagStore } from './ports.js';
import { tableDesc, type GranuleBits, type TableOptions } from './descriptors.js';

export const RAM_BASE = 0x4000_0000;
export const RAM_SIZE = 8 << 20;

/** MAIR_EL1 used by the tests: 0 Device-nGnRnE, 1 Normal WB, 2 Normal NC, 3 Tagged, 4 Device-nGnRE, 5 Normal WT. */
export const MAIR = 0x0000_bb04_f044_ff00n;
export const Attr = { Device: 0, WB: 1, NC: 2, Tagged: 3, DeviceNGnRE: 4, WT: 5 } as const;

/** TCR_EL1: 48-bit VAs in both halves, 4 KiB granules, IPS 48 bits. */
export const TCR_48_4K = 16n | (16n << 16n) | (2n << 30n) | (5n << 32n);
export const TCR = {
  EPD0: 1n << 7n,
  EPD1: 1n << 23n,
  TBI0: 1n << 37n,
  TBI1: 1n << 38n,
  E0PD0: 1n << 55n,
  E0PD1: 1n << 56n,
} as const;

export const SCTLR = { M: 1n, A: 2n, WXN: 1n << 19n } as const;

/** Allocates table pages from RAM and writes descriptors. */
export class Tables {
  private next: number;
  constructor(readonly ram: PhysRegion, start = RAM_BASE) {
    this.next = start;
  }
  alloc(size = 4096): number {
    const pa = Math.ceil(this.next / size) * size;
    this.next = pa + size;
    this.ram.bytes.fill(0, pa - this.ram.base, pa - this.ram.base + size);
    return pa;
  }
  write(pa: number, desc: bigint): void {
    this.ram.view.setBigUint64(pa - this.ram.base, desc, true);
  }
  read(pa: number): bigint {
    return this.ram.view.getBigUint64(pa - this.ram.base, true);
  }
  /** The address of the descriptor for `ia` at `leafLevel`, creating tables from `root` (at `start`) as needed. */
  slot(root: number, ia: bigint, o: { start?: number; leafLevel?: number; granule?: GranuleBits; inputSize?: number;
    tableOpts?: TableOptions } = {}): number {
    const g = o.granule ?? 12;
    const stride = g - 3;
    const inputSize = o.inputSize ?? 48;
    const start = o.start ?? 0;
    const leaf = o.leafLevel ?? 3;
    let table = root;
    for (let level = start; ; level++) {
      const lsb = g + (3 - level) * stride;
      const nbits = level === start ? inputSize - lsb : stride;
      const idx = Number((ia >> BigInt(lsb)) & ((1n << BigInt(nbits)) - 1n));
      const at = table + idx * 8;
      if (level === leaf) return at;
      let d = this.read(at);
      if ((d & 3n) !== 3n) {
        d = tableDesc(this.alloc(2 ** g), o.tableOpts);
        this.write(at, d);
      }
      table = Number(d & 0xffff_ffff_f000n) - (Number(d & 0xffff_ffff_f000n) % 2 ** g);
    }
  }
  map(root: number, ia: bigint, desc: bigint, o: Parameters<Tables['slot']>[2] = {}): number {
    const at = this.slot(root, ia, o);
    this.write(at, desc);
    return at;
  }
}

export interface Env {
  cpu: Cpu;
  mmu: Mmu;
  phys: RegionList;
  ram: PhysRegion;
  t: Tables;
  root0: number;
  root1: number;
  set(reg: keyof typeof SysReg, v: bigint): void;
}

export function makeEnv(options: MmuOptions = {}, ram?: Uint8Array, tags?: TagStore): Env {
  const phys = new RegionList();
  const region = phys.add(RAM_BASE, ram ?? RAM_SIZE, tags);
  // Handler blocks only (no WebAssembly tier): the tests on this environment are about the MMU, the run loop and
  // the block cache, not generated code, and this RAM is outside the CPU's arena, where WebAssembly code could not
  // reach it inline anyway. arena-test-env.ts runs both block engines with RAM in the arena.
  const cpu = new Cpu({} as MemoryPort, { wasm: false });
  const mmu = new Mmu(cpu, phys, options);
  cpu.mem = mmu;
  const t = new Tables(region);
  const root0 = t.alloc();
  const root1 = t.alloc();
  const env: Env = {
    cpu, mmu, phys, ram: region, t, root0, root1,
    set(reg, v) {
      cpu.sys[SysReg[reg]] = v;
      mmu.controlChanged();
    },
  };
  cpu.sys[SysReg.MAIR_EL1] = MAIR;
  cpu.sys[SysReg.TCR_EL1] = TCR_48_4K;
  cpu.sys[SysReg.TTBR0_EL1] = BigInt(root0);
  cpu.sys[SysReg.TTBR1_EL1] = BigInt(root1);
  mmu.controlChanged();
  return env;
}

export function enableS1(env: Pick<Env, 'set'>, extra = 0n): void {
  env.set('SCTLR_EL1', IMPL.SCTLR_EL1_RESET | SCTLR.M | extra);
}

/** Run `fn`, expect a MemoryFault, return it. */
export function faultOf(fn: () => unknown): MemoryFault {
  try {
    fn();
  } catch (e) {
    if (e instanceof MemoryFault) return e;
    throw e;
  }
  throw new Error('expected a MemoryFault, the access succeeded');
}

/** A small deterministic PRNG for tests (xorshift32): each call gives a number in [0, n). */
export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}
