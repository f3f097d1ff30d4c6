/**
 * Watchpoints on the data access path: a {@link MemoryPort} that checks every data access against the watchpoints
 * (debug.ts `watchpointHit`) before passing it to the CPU's port. The interpreter puts it in `cpu.mem` for the one
 * instruction it executes while debug exceptions are enabled and a watchpoint is (cpu.ts `debugInstruction`), so
 * the port itself (the MMU) and every other engine never pay for watchpoints.
 *
 * A hit is the Watchpoint exception (EC 0x34 from EL0, 0x35 from EL1; ISS: WnR, DFSC 0x22; FAR the lowest address
 * of the access a matching watchpoint watches; a trap to EL2 with EC 0x34 and FAR_EL2 while the hypervisor debugs:
 * `cpu.hostDebug`), taken before the access changes anything. Priority (Arm ARM: a
 * synchronous Data Abort on the access is taken rather than the watchpoint): the port's `probe` first translates
 * the access, so a translation, access flag or permission fault is taken instead; alignment and tag check faults,
 * which `probe` does not check, come after the watchpoint here.
 *
 * Which accesses are watched: loads and stores of data (`read`, `write`; an atomic's read-modify-write matches as a
 * load and as a store, and reports WnR = 1 when a matching watchpoint watches stores), and DC ZVA (`zeroBlock`, a
 * store of the whole block). Allocation tag accesses (`readTag`, `writeTag`, `probe`), instruction fetches and the
 * other cache maintenance instructions are not watched.
 */
import type { CodePage } from './code-cache.js';
import type { Cpu } from './cpu.js';
import { DEBUG_FSC, DebugEc, watchpointHit } from './debug.js';
import { GuestException } from './exceptions.js';
import { Acc, type MemoryPort } from './ports.js';
import { SysReg } from './sysregs.js';

const TCR_TBI0 = 1n << 37n;
const TCR_TBI1 = 1n << 38n;
const BIT55 = 1n << 55n;

/** The CPU's memory port with watchpoint checks on data accesses (see the file comment). */
export class WatchpointPort implements MemoryPort {
  readonly elChanged?: () => void;
  readonly runStarting?: () => void;
  readonly controlWritten?: () => void;
  readonly stage2Relaxed?: (ipaPage: number) => void;
  readonly probe?: (va: bigint, flags: number) => void;
  readonly translateForAt?: (va: bigint, flags: number) => bigint;
  readonly fetchPage?: (va: bigint) => CodePage | undefined;
  readonly invalidateCode?: (va: bigint, size: number) => void;
  readonly physicalAddress?: (va: bigint, flags: number) => number | undefined;
  readonly release?: () => void;

  /** `inner`: the CPU's own port, which performs every access. */
  constructor(readonly inner: MemoryPort, private readonly cpu: Cpu) {
    // The optional members exist exactly when the inner port has them (callers test for them).
    if (inner.elChanged !== undefined) this.elChanged = () => inner.elChanged!();
    if (inner.runStarting !== undefined) this.runStarting = () => inner.runStarting!();
    if (inner.controlWritten !== undefined) this.controlWritten = () => inner.controlWritten!();
    if (inner.stage2Relaxed !== undefined) this.stage2Relaxed = (ipaPage) => inner.stage2Relaxed!(ipaPage);
    if (inner.probe !== undefined) this.probe = (va, flags) => inner.probe!(va, flags);
    if (inner.translateForAt !== undefined) this.translateForAt = (va, flags) => inner.translateForAt!(va, flags);
    if (inner.fetchPage !== undefined) this.fetchPage = (va) => inner.fetchPage!(va);
    if (inner.invalidateCode !== undefined) this.invalidateCode = (va, size) => inner.invalidateCode!(va, size);
    if (inner.physicalAddress !== undefined) this.physicalAddress = (va, flags) => inner.physicalAddress!(va, flags);
    if (inner.release !== undefined) this.release = () => inner.release!();
  }

  get arenaTlb(): boolean | undefined {
    return this.inner.arenaTlb;
  }
  get tlbGeneration(): number | undefined {
    return this.inner.tlbGeneration;
  }
  get tlbGlobalGeneration(): number | undefined {
    return this.inner.tlbGlobalGeneration;
  }
  get fetchGeneration(): number | undefined {
    return this.inner.fetchGeneration;
  }

  read(va: bigint, size: number, flags: number): bigint {
    if ((flags & (Acc.Fetch | Acc.CacheMaint)) === 0) this.check(va, size, flags, true, (flags & Acc.ReadWrite) !== 0);
    return this.inner.read(va, size, flags);
  }
  write(va: bigint, size: number, value: bigint, flags: number): void {
    if ((flags & Acc.CacheMaint) === 0) this.check(va, size, flags, (flags & Acc.ReadWrite) !== 0, true);
    this.inner.write(va, size, value, flags);
  }
  zeroBlock(va: bigint, size: number): void {
    this.check(va, size, Acc.Write, false, true);
    this.inner.zeroBlock(va, size);
  }
  fetch(va: bigint): number {
    return this.inner.fetch(va);
  }
  controlChanged(): void {
    this.inner.controlChanged();
  }
  tlbi(op: string, arg: bigint): void {
    this.inner.tlbi(op, arg);
  }
  readTag(va: bigint, flags: number): number {
    return this.inner.readTag(va, flags);
  }
  writeTag(va: bigint, tag: number, flags: number): void {
    this.inner.writeTag(va, tag, flags);
  }

  /** Throw the Watchpoint exception when a watchpoint matches (after the access's own translation faults). */
  private check(va: bigint, size: number, flags: number, read: boolean, write: boolean): void {
    const cpu = this.cpu;
    const tcr = cpu.sys[SysReg.TCR_EL1]!;
    const tbi = (tcr & ((va & BIT55) !== 0n ? TCR_TBI1 : TCR_TBI0)) !== 0n;
    const hit = watchpointHit(cpu.sys, va, size, read, write, cpu.el, (flags & Acc.Unpriv) === 0, tbi, cpu.debugRegisters);
    if (hit === undefined) return;
    this.inner.probe?.(va, write ? flags | Acc.Write : flags);
    const ec = DebugEc.Watchpoint + (cpu.el === 0 ? 0 : 1);
    throw new GuestException(ec, (hit.write ? 1 << 6 : 0) | DEBUG_FSC, false, hit.far);
  }
}
