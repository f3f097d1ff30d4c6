/**
 * The memory port of a CPU whose PMU counts: a MemoryPort that passes everything to the CPU's own port (the MMU)
 * and tells the PMU of every data read and write that completed, for MEM_ACCESS (a faulting access counts nothing;
 * an access a stage-2 fill retries counts once). The PMU puts it in `cpu.mem` only while a counter counts
 * (vcpu-pmu.ts): it has no `fetchPage`, so the CPU interprets meanwhile (exact retired counts at every
 * instruction; translated code's inline loads and stores would bypass it) and every other run pays nothing.
 *
 * What counts: `read` and `write` other than instruction fetches and cache maintenance (one per call: a pair is
 * two accesses, an atomic's read-modify-write two), and DC ZVA (`zeroBlock`, one write). Allocation tag accesses
 * and translation table walks do not.
 */
import { Acc, type CodePage, type MemoryPort } from '@kvm-mte/aarch64-cpu';

/** What the port tells of each counted access. */
export interface MemAccessSink {
  memAccess(): void;
}

export class MemAccessPort implements MemoryPort {
  readonly elChanged?: () => void;
  readonly runStarting?: () => void;
  readonly controlWritten?: () => void;
  readonly stage2Relaxed?: (ipaPage: number) => void;
  readonly probe?: (va: bigint, flags: number) => void;
  readonly translateForAt?: (va: bigint, flags: number) => bigint;
  readonly invalidateCode?: (va: bigint, size: number) => void;
  readonly physicalAddress?: (va: bigint, flags: number) => number | undefined;
  readonly release?: () => void;
  /** No code pages: the CPU interprets while this port is in place (see the file comment). */
  readonly fetchPage?: (va: bigint) => CodePage | undefined = undefined;

  constructor(readonly inner: MemoryPort, private readonly sink: MemAccessSink) {
    // The optional members exist exactly when the inner port has them (callers test for them).
    if (inner.elChanged !== undefined) this.elChanged = () => inner.elChanged!();
    if (inner.runStarting !== undefined) this.runStarting = () => inner.runStarting!();
    if (inner.controlWritten !== undefined) this.controlWritten = () => inner.controlWritten!();
    if (inner.stage2Relaxed !== undefined) this.stage2Relaxed = (ipaPage) => inner.stage2Relaxed!(ipaPage);
    if (inner.probe !== undefined) this.probe = (va, flags) => inner.probe!(va, flags);
    if (inner.translateForAt !== undefined) this.translateForAt = (va, flags) => inner.translateForAt!(va, flags);
    if (inner.invalidateCode !== undefined) this.invalidateCode = (va, size) => inner.invalidateCode!(va, size);
    if (inner.physicalAddress !== undefined) this.physicalAddress = (va, flags) => inner.physicalAddress!(va, flags);
    if (inner.release !== undefined) this.release = () => inner.release!();
  }

  get tlbGeneration(): number | undefined {
    return this.inner.tlbGeneration;
  }

  read(va: bigint, size: number, flags: number): bigint {
    const v = this.inner.read(va, size, flags);
    if ((flags & (Acc.Fetch | Acc.CacheMaint)) === 0) this.sink.memAccess();
    return v;
  }

  write(va: bigint, size: number, value: bigint, flags: number): void {
    this.inner.write(va, size, value, flags);
    if ((flags & Acc.CacheMaint) === 0) this.sink.memAccess();
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

  zeroBlock(va: bigint, size: number): void {
    this.inner.zeroBlock(va, size);
    this.sink.memAccess();
  }

  readTag(va: bigint, flags: number): number {
    return this.inner.readTag(va, flags);
  }

  writeTag(va: bigint, tag: number, flags: number): void {
    this.inner.writeTag(va, tag, flags);
  }
}
