/**
 * Test support (not exported from the package): a flat little-endian memory with identity addressing, so
 * instruction tests can run without an MMU. Accesses outside [base, base + size) fault as stage-1 external aborts;
 * accesses that need alignment fault when unaligned.
 */
import { Cpu } from '../cpu.js';
import { Stop } from '../exits.js';
import { Acc, Fsc, MemoryFault, type MemoryPort } from '../ports.js';

export class FlatMemory implements MemoryPort {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  constructor(readonly base = 0x4000_0000, size = 1 << 20) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }
  private offset(va: bigint, size: number, flags: number): number {
    const off = Number(va - BigInt(this.base));
    if (off < 0 || off + size > this.bytes.length) throw new MemoryFault(1, Fsc.SyncExternal, va, (flags & Acc.Write) !== 0);
    if ((flags & Acc.Aligned) !== 0 && off % size !== 0) throw new MemoryFault(1, Fsc.Alignment, va, (flags & Acc.Write) !== 0);
    return off;
  }
  read(va: bigint, size: number, flags: number): bigint {
    const o = this.offset(va, size, flags);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[o + i]!);
    return v;
  }
  write(va: bigint, size: number, value: bigint, flags: number): void {
    const o = this.offset(va, size, flags | Acc.Write);
    for (let i = 0; i < size; i++) this.bytes[o + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }
  fetch(va: bigint): number {
    return this.view.getUint32(this.offset(va, 4, Acc.Fetch), true);
  }
  controlChanged(): void {}
  tlbi(): void {}
  zeroBlock(va: bigint, size: number): void {
    this.bytes.fill(0, this.offset(va, size, Acc.Write), this.offset(va, size, Acc.Write) + size);
  }
  /** Allocation tags by granule index: the flat memory is all Tagged Normal. */
  readonly tags = new Map<number, number>();
  readTag(va: bigint, flags: number): number {
    return this.tags.get(this.offset(va & ~0xfn, 1, flags) >> 4) ?? 0;
  }
  writeTag(va: bigint, tag: number, flags: number): void {
    this.tags.set(this.offset(va & ~0xfn, 1, flags | Acc.Write) >> 4, tag & 0xf);
  }
  probe(va: bigint, flags: number): void {
    this.offset(va, 1, flags);
  }
  /** Place instruction words at `addr`. */
  load(addr: number, words: readonly number[]): void {
    words.forEach((w, i) => this.view.setUint32(addr - this.base + 4 * i, w >>> 0, true));
  }
}

/**
 * Run `words` as a program at `base` on a fresh CPU (EL1, SP_EL1 = top of memory) until it executes an instruction
 * at the address just after the program, traps to EL2, or `maxInsns` pass. Returns the CPU for inspection.
 */
export function runProgram(words: readonly number[], setup?: (cpu: Cpu, mem: FlatMemory) => void, maxInsns = 10_000):
  { cpu: Cpu; mem: FlatMemory; stop: number } {
  const mem = new FlatMemory();
  mem.load(mem.base, words);
  const cpu = new Cpu(mem);
  cpu.pc = BigInt(mem.base);
  cpu.spEl[1] = BigInt(mem.base + mem.bytes.length - 16);
  setup?.(cpu, mem);
  const end = BigInt(mem.base + 4 * words.length);
  let stop: number = Stop.Budget;
  for (let n = 0; n < maxInsns && cpu.pc !== end; n++) {
    stop = cpu.run(1);
    if (stop !== Stop.Budget) break;
  }
  return { cpu, mem, stop };
}
