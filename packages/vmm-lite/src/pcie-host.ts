/**
 * QEMU virt's generic PCIe host bridge (QEMU's "gpex", Linux's "pci-host-ecam-generic") as a guest sees it with
 * highmem on (QEMU 10's default for `-M virt`, whatever the RAM size):
 *
 * - ECAM configuration space at 0x40_1000_0000 (256 MiB: buses 0..255). Offset = bus << 20 | device << 15 |
 *   function << 12 | register. Bus 0 holds the host bridge at 00:00.0 (QEMU's "Red Hat PCIe host bridge": vendor
 *   0x1b36, device 0x0008, class 0x060000, subsystem 0x1af4:0x1100, no BARs, no interrupt pin) and, when asked for,
 *   QEMU's pci-testdev at 00:01.0 (pci-testdev.ts). Every other function, and every other bus, reads all ones and
 *   ignores writes (as a PCIe root complex answers a configuration request nothing claims).
 * - Windows through which the CPU reaches the BARs: PCI I/O space 0..0xffff at 0x3eff_0000, 32-bit memory at
 *   0x1000_0000..0x3efe_ffff (PCI address = CPU address), 64-bit memory at 0x80_0000_0000 (512 GiB, identity too).
 *   An access inside a window that no enabled BAR decodes reads all ones and is ignored (QEMU's default for virt's
 *   gpex windows), never an abort.
 * - INTx: the device tree's interrupt-map sends INTA..INTD of slot s to SPIs 3 + (s + pin) % 4 (SPIs 3..6), MSIs go
 *   to the ITS (msi-map). The functions modelled here raise no interrupt.
 *
 * Accesses are 1, 2 or 4 bytes (64-bit ones are split by the bus), at any offset within a dword.
 */
import type { AccessSize, MmioBus, MmioDevice } from './bus.js';
import { checkPciFunctionState, PciFunction, type PciFunctionState } from './pci-function.js';
import { PciTestdev } from './pci-testdev.js';

/** The ECAM window with highmem on (QEMU virt's VIRT_HIGH_PCIE_ECAM). */
export const PCIE_ECAM_BASE = 0x40_1000_0000;
export const PCIE_ECAM_SIZE = 0x1000_0000;
/** PCI I/O space (64 KiB, PCI addresses from 0) at this CPU address (QEMU virt's VIRT_PCIE_PIO). */
export const PCIE_PIO_BASE = 0x3eff_0000;
export const PCIE_PIO_SIZE = 0x1_0000;
/** The 32-bit memory window (QEMU virt's VIRT_PCIE_MMIO), identity-mapped. */
export const PCIE_MMIO_BASE = 0x1000_0000;
export const PCIE_MMIO_SIZE = 0x2eff_0000;
/** The 64-bit memory window (QEMU virt's VIRT_HIGH_PCIE_MMIO with highmem), identity-mapped. */
export const PCIE_MMIO_HIGH_BASE = 0x80_0000_0000;
export const PCIE_MMIO_HIGH_SIZE = 0x80_0000_0000;
/** The first of the four SPIs INTA..INTD are swizzled onto (QEMU virt's VIRT_PCIE: SPIs 3..6). */
export const PCIE_FIRST_SPI = 3;
/** The device tree node's name: QEMU names it after the 32-bit MMIO window, not the ECAM. */
export const PCIE_NODE = `/pcie@${PCIE_MMIO_BASE.toString(16)}`;
/** devfn (device << 3 | function) of pci-testdev when present: 00:01.0. */
export const PCI_TESTDEV_DEVFN = 1 << 3;

const ALL_ONES = (size: AccessSize): bigint => (1n << BigInt(8 * size)) - 1n;

/** The host bridge at 00:00.0, as QEMU's gpex-root presents it. */
function hostBridge(): PciFunction {
  return new PciFunction('host bridge', {
    vendorId: 0x1b36, deviceId: 0x0008, revision: 0, classCode: 0x06_00_00,
    subsystemVendorId: 0x1af4, subsystemId: 0x1100, interruptPin: 0,
  });
}

/** The PCIe host's state for snapshots: each function's writable registers and its own state, by devfn. */
export interface PcieHostState {
  functions: Record<string, { config: PciFunctionState; device?: unknown }>;
}

/** A function behind the host and, optionally, its own device state (for snapshots). */
interface Slot {
  fn: PciFunction;
  device?: { saveState(): unknown; checkState(s: unknown): void; loadState(s: unknown): void };
}

export interface PcieHostOptions {
  /** QEMU's pci-testdev at 00:01.0 (what kvm-unit-tests' arm/run adds to every test). Default false. */
  testdev?: boolean;
}

/** The ECAM window: the device a snapshot names `pcie@4010000000`. */
export class PcieHost implements MmioDevice {
  readonly name = 'pcie';
  readonly maxAccessSize = 4;
  private readonly slots = new Map<number, Slot>();

  constructor(options: PcieHostOptions = {}) {
    this.slots.set(0, { fn: hostBridge() });
    if (options.testdev === true) {
      const t = new PciTestdev();
      this.slots.set(PCI_TESTDEV_DEVFN, { fn: t.function, device: t });
    }
  }

  /** Whether a function exists at bus 0, `devfn`. */
  has(devfn: number): boolean {
    return this.slots.has(devfn);
  }

  /** Map the ECAM and the three windows on `bus`. */
  mapOn(bus: MmioBus): void {
    bus.map(PCIE_ECAM_BASE, PCIE_ECAM_SIZE, this);
    bus.map(PCIE_PIO_BASE, PCIE_PIO_SIZE, this.window('pcie-pio', 'io', 0));
    bus.map(PCIE_MMIO_BASE, PCIE_MMIO_SIZE, this.window('pcie-mmio', 'mem', PCIE_MMIO_BASE));
    bus.map(PCIE_MMIO_HIGH_BASE, PCIE_MMIO_HIGH_SIZE, this.window('pcie-mmio-high', 'mem', PCIE_MMIO_HIGH_BASE));
  }

  read(offset: number, size: AccessSize): bigint {
    const f = this.function(offset);
    return f === undefined ? ALL_ONES(size) : BigInt(f.readConfig(offset & 0xfff, size));
  }

  write(offset: number, size: AccessSize, value: bigint): void {
    const f = this.function(offset);
    if (f === undefined) return;
    f.writeConfig(offset & 0xfff, size, Number(value & 0xffff_ffffn));
  }

  saveState(): PcieHostState {
    const functions: PcieHostState['functions'] = {};
    for (const [devfn, s] of this.slots) {
      functions[String(devfn)] = { config: s.fn.saveState(), ...(s.device !== undefined && { device: s.device.saveState() }) };
    }
    return { functions };
  }

  /**
   * Throws a RangeError unless `s` can be loaded here: well-formed, and naming exactly this host's functions (a
   * snapshot with pci-testdev needs a machine with one). Changes nothing.
   */
  checkState(s: unknown): asserts s is PcieHostState {
    checkPcieHostState(s);
    const saved = Object.keys(s.functions).map(Number).sort((a, b) => a - b).join(',');
    const here = [...this.slots.keys()].sort((a, b) => a - b).join(',');
    if (saved !== here) throw new RangeError(`PCIe functions (devfn ${saved}) differ from this machine's (devfn ${here})`);
    for (const [devfn, f] of Object.entries(s.functions)) {
      const slot = this.slots.get(Number(devfn))!;
      checkPciFunctionState(f.config, `PCIe function devfn ${devfn}`);
      slot.device?.checkState(f.device);
    }
  }

  /** Put back a state from {@link saveState} (checked first with {@link checkState}: nothing changes on error). */
  loadState(s: PcieHostState): void {
    this.checkState(s);
    for (const [devfn, f] of Object.entries(s.functions)) {
      const slot = this.slots.get(Number(devfn))!;
      slot.fn.loadState(f.config);
      if (slot.device !== undefined) slot.device.loadState(f.device);
    }
  }

  /**
   * For the loop detector: the functions' state. Reads change nothing, so a guest polling configuration space or a
   * window with nothing to change it is rightly taken for a stalled one.
   */
  loopState(): string {
    return JSON.stringify(this.saveState());
  }

  // ---- internals ----

  /** The function an ECAM offset addresses: bus 0 only. */
  private function(offset: number): PciFunction | undefined {
    if (offset >= 1 << 20) return undefined; // buses 1..255: nothing behind the root bus
    return this.slots.get(offset >>> 12)?.fn;
  }

  /** A window of the CPU's address space onto PCI memory or I/O space (`pciBase`: the PCI address at its start). */
  private window(name: string, space: 'mem' | 'io', pciBase: number): MmioDevice {
    const decode = (offset: number): ReturnType<PciFunction['decode']> => {
      for (const s of this.slots.values()) {
        const hit = s.fn.decode(space, pciBase + offset);
        if (hit !== undefined) return hit;
      }
      return undefined;
    };
    return {
      name, maxAccessSize: 4,
      read: (offset, size) => {
        const hit = decode(offset);
        return hit === undefined ? ALL_ONES(size) : BigInt(hit.region.read(hit.offset, size) >>> 0);
      },
      write: (offset, size, value) => {
        const hit = decode(offset);
        hit?.region.write(hit.offset, size, Number(value & 0xffff_ffffn));
      },
    };
  }
}

/** Throws a RangeError unless `s` is shaped as a {@link PcieHostState} (each function's state is checked on load). */
export function checkPcieHostState(s: unknown): asserts s is PcieHostState {
  const o = s as { functions?: unknown } | null;
  if (typeof o !== 'object' || o === null || typeof o.functions !== 'object' || o.functions === null) throw new RangeError('PCIe state: no functions');
  for (const [k, f] of Object.entries(o.functions)) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(k) || Number(k) > 255) throw new RangeError(`PCIe state: bad devfn ${k}`);
    if (typeof f !== 'object' || f === null || !('config' in f)) throw new RangeError(`PCIe state: function ${k} has no config`);
  }
}

/** Whether a snapshot's PCIe state (devices section) has QEMU's pci-testdev: the machine to restore it needs one. */
export function pcieStateHasTestdev(s: unknown): boolean {
  const f = (s as { functions?: Record<string, unknown> } | null)?.functions;
  return typeof f === 'object' && f !== null && String(PCI_TESTDEV_DEVFN) in f;
}
