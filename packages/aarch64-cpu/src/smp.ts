/**
 * The coherence domain of PEs that share memory ({@link SmpPort}): the global exclusive monitor, TLBI broadcast and
 * SEV. A Cpu made without one gets a domain of its own (a uniprocessor); kvm-core gives all vCPUs of a VM one.
 *
 * The global monitor (Arm ARM B2.9) is keyed by the physical address the memory port names
 * ({@link MemoryPort.physicalAddress}): each PE holds at most one reservation, `cpu.exclPa` for `cpu.exclSize` bytes,
 * and a store by another observer to any byte of it clears it, the exact range (the architecture allows a wider
 * granule; QEMU 10 compares the stored value instead, so a store of the same value does not clear there). A PE's
 * own ordinary stores leave its reservation (IMPLEMENTATION DEFINED; QEMU does the same). Clearing a reservation
 * this way also sets the PE's event register: the Exclusive-to-Open transition of its global monitor is a WFE
 * wake-up event.
 */
import type { Cpu } from './cpu.js';
import type { SmpPort } from './ports.js';
import { St } from './state-layout.js';

export class SmpDomain implements SmpPort {
  /** The PEs of the domain, in attach order. */
  readonly cpus: Cpu[] = [];
  openReservations = 0;

  attach(cpu: Cpu): void {
    if (!this.cpus.includes(cpu)) this.cpus.push(cpu);
    this.mirror();
  }

  detach(cpu: Cpu): void {
    const i = this.cpus.indexOf(cpu);
    if (i < 0) return;
    cpu.clearExclusive();
    this.cpus.splice(i, 1);
  }

  opened(_cpu: Cpu): void {
    this.openReservations++;
    this.mirror();
  }

  closed(_cpu: Cpu): void {
    this.openReservations--;
    this.mirror();
  }

  /** Copy the count into every PE's state block, where translated WebAssembly stores read it. */
  private mirror(): void {
    const n = this.openReservations;
    for (const c of this.cpus) c.st32[St.OPEN_RESERVATIONS >> 2] = n;
  }

  stored(by: Cpu | undefined, pa: number, size: number): void {
    const end = pa + size;
    for (const c of this.cpus) {
      if (c === by || c.exclPa < 0) continue;
      if (c.exclPa < end && pa < c.exclPa + c.exclSize) {
        c.clearExclusive();
        c.eventRegister = true;
      }
    }
  }

  tlbiBroadcast(_by: Cpu, op: string, arg: bigint): void {
    for (const c of this.cpus) c.mem.tlbi(op, arg);
  }

  sendEvent(_by: Cpu): void {
    for (const c of this.cpus) c.eventRegister = true;
  }
}
