/**
 * Test support for the loads-and-stores tests (not exported from the package): run a few instruction words on the
 * flat test memory (as `runProgram` does, but stopping when an exception is taken), and record every data access
 * the CPU makes with its flags and the `cpu.dabtIss` the instruction had set at that moment.
 */
import { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { Acc, MemoryFault, type MemoryPort } from '../ports.js';
import { FlatMemory } from '../testing/flat-memory.js';

export const BASE = 0x4000_0000n;
/** A data area well past the program. */
export const DATA = BASE + 0x8000n;
/** VBAR_EL1 for the tests. */
export const VBAR = BASE + 0x1_0000n;
/** Top of the 1 MiB test memory (SP_EL1 starts 16 bytes below it). */
export const TOP = BASE + 0x10_0000n;

export interface Access {
  readonly write: boolean;
  readonly va: bigint;
  readonly size: number;
  readonly flags: number;
  readonly value: bigint;
  /** cpu.dabtIss when the access was made. */
  readonly iss: number;
}

/** A MemoryPort that forwards to the flat memory and records accesses; `stage2` addresses fault at stage 2. */
export class RecordingPort implements MemoryPort {
  readonly accesses: Access[] = [];
  /** Page-granular IPAs (identity) that take a stage-2 translation fault, as unmapped MMIO would. */
  readonly stage2 = new Set<bigint>();
  /** The CPU whose `dabtIss` is recorded; set once the CPU exists. */
  cpu: Cpu | undefined;
  constructor(readonly inner: FlatMemory) {}
  private check(va: bigint, write: boolean): void {
    if (this.stage2.has(va >> 12n)) throw new MemoryFault(2, 0x07, va, write, va);
  }
  read(va: bigint, size: number, flags: number): bigint {
    this.check(va, false);
    const value = this.inner.read(va, size, flags);
    this.accesses.push({ write: false, va, size, flags, value, iss: this.cpu?.dabtIss ?? 0 });
    return value;
  }
  write(va: bigint, size: number, value: bigint, flags: number): void {
    this.check(va, true);
    this.inner.write(va, size, value, flags);
    this.accesses.push({ write: true, va, size, flags, value, iss: this.cpu?.dabtIss ?? 0 });
  }
  fetch(va: bigint): number {
    return this.inner.fetch(va);
  }
  controlChanged(): void {}
  tlbi(): void {}
  zeroBlock(va: bigint, size: number): void {
    this.inner.zeroBlock(va, size);
  }
  readTag(va: bigint, flags: number): number {
    return this.inner.readTag(va, flags);
  }
  writeTag(va: bigint, tag: number, flags: number): void {
    this.inner.writeTag(va, tag, flags);
  }
}

export type Setup = (cpu: Cpu, mem: FlatMemory, port: RecordingPort) => void;

export interface Exception {
  readonly ec: number;
  readonly iss: number;
  readonly esr: bigint;
  readonly far: bigint;
  readonly elr: bigint;
}

export interface Run {
  readonly cpu: Cpu;
  readonly mem: FlatMemory;
  readonly port: RecordingPort;
  readonly stop: number;
  /** The synchronous exception taken to EL1, if the CPU ended up parked in the vector table. */
  readonly exception: Exception | undefined;
  /** Data accesses (fetches are not recorded). */
  readonly accesses: Access[];
}

/**
 * Run `words` at BASE on a fresh CPU at EL1 (SP_EL1 = TOP - 16), one instruction at a time, until it runs past
 * them, takes an exception to EL1 (the PC lands in the vector table, which is left empty: the tests must not depend
 * on the branch group), or stops. `setup` can set registers and memory.
 */
export function exec(words: readonly number[], setup?: Setup): Run {
  const mem = new FlatMemory();
  mem.load(mem.base, words);
  const port = new RecordingPort(mem);
  const cpu = new Cpu(port);
  port.cpu = cpu;
  cpu.pc = BASE;
  cpu.spEl[1] = TOP - 16n;
  cpu.sys[SysReg.VBAR_EL1] = VBAR;
  setup?.(cpu, mem, port);
  const end = BASE + BigInt(4 * words.length);
  let stop: number = Stop.Budget;
  let exception: Exception | undefined;
  for (let n = 0; n < words.length + 4 && cpu.pc !== end; n++) {
    stop = cpu.run(1);
    if (stop !== Stop.Budget) break;
    if (cpu.pc >= VBAR && cpu.pc < VBAR + 0x800n) {
      const esr = cpu.sys[SysReg.ESR_EL1]!;
      exception = {
        ec: Number((esr >> 26n) & 0x3fn),
        iss: Number(esr & 0x1ff_ffffn),
        esr,
        far: cpu.sys[SysReg.FAR_EL1]!,
        elr: cpu.sys[SysReg.ELR_EL1]!,
      };
      break;
    }
  }
  return { cpu, mem, port, stop, exception, accesses: port.accesses };
}

/** Read `size` bytes little-endian from the flat memory. */
export function peek(mem: FlatMemory, addr: bigint, size = 8): bigint {
  return mem.read(addr, size, 0);
}

/** Write `size` bytes little-endian to the flat memory. */
export function poke(mem: FlatMemory, addr: bigint, value: bigint, size = 8): void {
  mem.write(addr, size, BigInt.asUintN(size * 8, value), 0);
}

/** Set X registers from an object { 1: v, 2: v }. */
export function setRegs(cpu: Cpu, regs: Readonly<Record<number, bigint>>): void {
  for (const [k, v] of Object.entries(regs)) cpu.x[Number(k)] = BigInt.asUintN(64, v);
}

export { Acc };

/** Set bits in SCTLR_EL1 (8n: SA, 16n: SA0). */
export function sctlrSet(cpu: Cpu, bits: bigint): void {
  cpu.sys[SysReg.SCTLR_EL1] = cpu.sys[SysReg.SCTLR_EL1]! | bits;
}
