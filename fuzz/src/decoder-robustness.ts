/**
 * Decoder robustness: any 32-bit word, executed at EL1 on the modelled CPU, either executes or raises a guest
 * exception (or a typed stop such as a trap to EL2): the host never sees a throw and `run` never reports
 * Stop.InternalError. One CPU is reused; its state is reset before every word (registers, PSTATE, the whole system
 * register file), so words cannot influence each other.
 */
import { Acc, Cpu, Fsc, MemoryFault, Stop, SysReg, type MemoryPort } from '@kvm-mte/aarch64-cpu';
import { Prng } from './prng.js';

const BASE = 0x4000_0000n;
const SIZE = 0x1_0000;
const PC = BASE + 0x8000n;

/** A flat 64 KiB of memory at 0x4000_0000; the fetch at PC returns the word under test. */
class WordPort implements MemoryPort {
  word = 0;
  readonly bytes = new Uint8Array(SIZE);
  private off(va: bigint, size: number, flags: number): number {
    const o = Number(BigInt.asIntN(64, va - BASE));
    if (!(o >= 0 && o + size <= SIZE)) throw new MemoryFault(1, Fsc.SyncExternal, va, (flags & Acc.Write) !== 0);
    if ((flags & Acc.Aligned) !== 0 && o % size !== 0) throw new MemoryFault(1, Fsc.Alignment, va, (flags & Acc.Write) !== 0);
    return o;
  }
  read(va: bigint, size: number, flags: number): bigint {
    const o = this.off(va, size, flags);
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(this.bytes[o + i]!);
    return v;
  }
  write(va: bigint, size: number, value: bigint, flags: number): void {
    const o = this.off(va, size, flags | Acc.Write);
    for (let i = 0; i < size; i++) this.bytes[o + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }
  fetch(va: bigint): number {
    if (va === PC) return this.word;
    throw new MemoryFault(1, Fsc.SyncExternal, va, false);
  }
  controlChanged(): void {}
  tlbi(): void {}
  zeroBlock(va: bigint, size: number): void {
    const o = this.off(va, size, Acc.Write);
    this.bytes.fill(0, o, o + size);
  }
  readTag(va: bigint, flags: number): number {
    this.off(va, 1, flags);
    return 0;
  }
  writeTag(va: bigint, _tag: number, flags: number): void {
    this.off(va, 1, flags | Acc.Write);
  }
}

export interface RobustnessFailure {
  word: number;
  problem: string;
}

export interface RobustnessResult {
  words: number;
  executed: number;
  exceptions: number;
  otherStops: number;
  failures: RobustnessFailure[];
}

/** Run `count` random words (from `seed`); every failure is collected (up to `maxFailures`). */
export function checkDecoder(seed: number, count: number, maxFailures = 20, mte = 3): RobustnessResult {
  const r = new Prng(seed);
  const port = new WordPort();
  const cpu = new Cpu(port, { mte });
  const ESR_SENTINEL = 0xdead_beefn;
  cpu.sys[SysReg.ESR_EL1] = ESR_SENTINEL;
  const sysReset = cpu.sys.slice();
  const regs = Array.from({ length: 31 }, (_, i) => (i % 3 === 0 ? BASE + BigInt(0x100 * i) : r.u64()));
  const res: RobustnessResult = { words: count, executed: 0, exceptions: 0, otherStops: 0, failures: [] };
  for (let k = 0; k < count; k++) {
    const word = r.u32();
    cpu.sys.set(sysReset);
    for (let i = 0; i < 31; i++) cpu.x[i] = regs[i]!;
    cpu.spEl[0] = BASE + 0x4000n;
    cpu.spEl[1] = BASE + 0x6000n;
    cpu.pc = PC;
    cpu.nzcv = k & 15;
    cpu.el = 1;
    cpu.spsel = 1;
    cpu.daif = 0xf;
    cpu.pan = cpu.uao = cpu.ssbs = cpu.dit = cpu.tco = cpu.il = 0;
    cpu.exclAddr = -1n;
    cpu.checkPcAlign = false;
    cpu.irqLine = false;
    cpu.internalError = undefined;
    port.word = word;
    let stop: number;
    try {
      stop = cpu.run(1);
    } catch (e) {
      if (res.failures.length < maxFailures) res.failures.push({ word, problem: `threw: ${e instanceof Error ? e.stack ?? e.message : String(e)}` });
      continue;
    }
    if (stop === Stop.InternalError) {
      const e = cpu.internalError;
      if (res.failures.length < maxFailures) res.failures.push({ word, problem: `Stop.InternalError: ${e instanceof Error ? e.stack ?? e.message : String(e)}` });
    } else if (stop !== Stop.Budget) {
      res.otherStops++;
    } else if (cpu.sys[SysReg.ESR_EL1] !== ESR_SENTINEL) {
      res.exceptions++;
    } else {
      res.executed++;
    }
  }
  return res;
}
