/**
 * Detecting a guest that can never make progress without exiting: the whole machine state repeats.
 *
 * The machine is deterministic and, today, nothing outside the vCPUs can change guest-visible state between exits
 * (no interrupt sources, no device input, no DMA). So if, at two consecutive turn boundaries where no vCPU exited
 * for anything but its budget, every vCPU has exactly the same registers (every ONE_REG register: general purpose,
 * PC, PSTATE, SPs, ELR/SPSR and every system register KVM lists) and mp_state, and RAM holds exactly the same
 * bytes, the guest is in a cycle it cannot leave: `b .`, a fault taken on its own vector with VBAR_EL1 unset, a
 * polling loop on memory nothing else writes. Registers are compared first (cheap); RAM is hashed only when they
 * match, which a guest that is making progress practically never produces.
 *
 * Not covered by the comparison: MTE allocation tags, the exclusive monitor and TLB contents (state a loop would
 * have to change while leaving every register and RAM byte as it was). Must be disabled once something outside
 * the vCPUs can change the machine (an interrupt source, UART input).
 */
import type { Vcpu } from '@kvm-mte/kvm-core';

export class LoopDetector {
  private lastRegs: string | undefined;
  private lastRamHash: string | undefined;
  private regIds: bigint[][] | undefined;

  constructor(private readonly vcpus: readonly Vcpu[], private readonly ram: Uint8Array) {}

  /** Forget the history: call after any exit that is not a budget exit (the machine did something). */
  reset(): void {
    this.lastRegs = undefined;
    this.lastRamHash = undefined;
  }

  /** At a quiet turn boundary: true when the machine is in exactly the state it was in at the previous one. */
  repeats(): boolean {
    const regs = this.snapshot();
    if (regs !== this.lastRegs) {
      this.lastRegs = regs;
      this.lastRamHash = undefined;
      return false;
    }
    const h = hashBytes(this.ram);
    const same = h === this.lastRamHash;
    this.lastRamHash = h;
    return same;
  }

  private snapshot(): string {
    this.regIds ??= this.vcpus.map((v) => v.getRegList());
    const parts: string[] = [];
    this.vcpus.forEach((v, i) => {
      parts.push(`${v.getMpState()}`);
      for (const id of this.regIds![i]!) parts.push(v.getOneReg(id).toString(16));
    });
    return parts.join(',');
  }
}

/** Two independent 32-bit FNV-1a-style lanes over 32-bit words (and the tail bytes): a 64-bit digest. */
export function hashBytes(bytes: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ bytes.length;
  const words = bytes.length >>> 2;
  const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteOffset % 4 === 0 ? words : 0);
  if (w.length === words) {
    for (let i = 0; i < words; i++) {
      const x = w[i]!;
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul(b ^ x ^ (b >>> 15), 0x2c1b3c6d);
    }
  }
  for (let i = w.length * 4; i < bytes.length; i++) {
    a = Math.imul(a ^ bytes[i]!, 0x01000193);
    b = Math.imul(b ^ bytes[i]! ^ (b >>> 15), 0x2c1b3c6d);
  }
  return `${(a >>> 0).toString(16)}:${(b >>> 0).toString(16)}`;
}
