/**
 * The device tree of the virt board as vmm-lite builds it: what a guest (Linux, firmware, bare-metal code) reads to
 * find RAM, the CPUs, PSCI, the interrupt controller, the generic timer, the virtio-mmio transports (the virtio
 * devices, when there are some, are on the last ones: their nodes are the same as empty ones', as in QEMU's tree),
 * the console, the RTC and the PCIe host bridge. Node names, compatibles and property values follow what QEMU's virt board generates under
 * KVM (`qemu-system-aarch64 -M virt,dumpdtb=...`), for the devices vmm-lite has.
 */
import { FdtBuilder } from './fdt.js';
import type { FramebufferDescription } from './framebuffer.js';
import { PL011_BASE, PL011_SIZE } from './pl011.js';
import { PL031_BASE, PL031_SIZE } from './pl031.js';
import {
  PCIE_ECAM_BASE, PCIE_ECAM_SIZE, PCIE_FIRST_SPI, PCIE_MMIO_BASE, PCIE_MMIO_HIGH_BASE, PCIE_MMIO_HIGH_SIZE, PCIE_MMIO_SIZE,
  PCIE_NODE, PCIE_PIO_BASE, PCIE_PIO_SIZE,
} from './pcie-host.js';
import { VIRTIO_MMIO_BASE, VIRTIO_MMIO_COUNT, VIRTIO_MMIO_FIRST_SPI, VIRTIO_MMIO_STRIDE } from './virtio-mmio-empty.js';
import {
  GIC_CPU_BASE, GIC_CPU_SIZE, GIC_DIST_BASE, GIC_DIST_SIZE, GIC_ITS_BASE, GIC_ITS_SIZE, GIC_REDIST_BASE, GIC_REDIST_SIZE,
  PL011_SPI, PL031_SPI,
  type GicVersion,
} from './gic.js';

/** The PL011's fixed reference clock on the virt board (QEMU's "apb-pclk": 24 MHz). */
export const APB_PCLK_HZ = 24_000_000;

/** PSCI 0.1 function ids QEMU's /psci node lists for old kernels (the 0.2+ ids are standard). */
const PSCI_0_1_IDS = { cpu_suspend: 0xc400_0001, cpu_off: 0x8400_0002, cpu_on: 0xc400_0003, migrate: 0xc400_0005 };

/** Phandles: fixed numbers so the blob is deterministic. */
const PHANDLE_APB_PCLK = 0x8000;
const PHANDLE_CPU0 = 0x8100;
/** The interrupt controller's phandle: QEMU's virt gives it 0x8003. */
const PHANDLE_GIC = 0x8003;
/** The ITS's phandle (the PCIe host's msi-map names it). */
const PHANDLE_ITS = 0x8004;
/** The GIC binding's level-high trigger type. */
const IRQ_TYPE_LEVEL_HIGH = 4;
/** The PMU's PPI in the GIC binding's numbering: 7, INTID 23 (QEMU virt's VIRTUAL_PMU_IRQ). */
export const PMU_DT_PPI = 7;
/** The timer PPIs in the GIC binding's PPI numbering (INTID - 16). */
export const TIMER_PPIS = { secure: 13, physical: 14, virtual: 11, hyp: 10 } as const;
/** An `interrupts` specifier of the GIC binding: SPI (0), the SPI number, IRQ_TYPE_LEVEL_HIGH (4). */
const spiCells = (spi: number): { cells: number[] } => ({ cells: [0, spi, 4] });

export interface VirtDeviceTreeOptions {
  ramBase: number;
  ramSize: number;
  /** The vCPUs' MPIDR affinity values (Aff2.Aff1.Aff0), one per CPU, in order. */
  cpuMpidrs: readonly number[];
  /** /chosen/bootargs (omitted when undefined). */
  bootargs?: string | undefined;
  /** /chosen linux,initrd-start / linux,initrd-end. */
  initrd?: { start: number; end: number } | undefined;
  /** A simple-framebuffer node under /chosen (framebuffer.ts). */
  framebuffer?: FramebufferDescription | undefined;
  /** The interrupt controller (gic.ts); default 'v3'. With 'none', no intc node and no `interrupts`. */
  gic?: GicVersion | undefined;
  /** A PMUv3 node (with a GIC only, as QEMU's virt); default false. */
  pmu?: boolean | undefined;
  /**
   * /chosen/rng-seed (32 bytes) and /chosen/kaslr-seed (a u64), as QEMU's virt gives them (dtb-randomness): the
   * kernel seeds its random number generator from the first (without it, early user space can wait for entropy) and
   * randomises its own addresses with the second. Omitted when undefined.
   */
  seeds?: { readonly rng: Uint8Array; readonly kaslr: bigint } | undefined;
  /** The generic PCIe host bridge node (pcie-host.ts), as QEMU's virt gives it; default false. */
  pcie?: boolean | undefined;
}

export const PL011_NODE = `/pl011@${PL011_BASE.toString(16)}`;
export const PL031_NODE = `/pl031@${PL031_BASE.toString(16)}`;

/** Build the virt board's device tree blob. */
export function buildVirtDeviceTree(o: VirtDeviceTreeOptions): Uint8Array {
  const gic = o.gic ?? 'v3';
  const fdt = new FdtBuilder();
  fdt.beginNode('')
    .prop('compatible', 'linux,dummy-virt')
    .prop('model', 'linux,dummy-virt')
    .prop('#address-cells', { cells: [2] })
    .prop('#size-cells', { cells: [2] });
  if (gic !== 'none') fdt.prop('interrupt-parent', { cells: [PHANDLE_GIC] });

  fdt.beginNode('psci')
    .prop('compatible', ['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci'])
    .prop('method', 'hvc')
    .prop('cpu_suspend', { cells: [PSCI_0_1_IDS.cpu_suspend] })
    .prop('cpu_off', { cells: [PSCI_0_1_IDS.cpu_off] })
    .prop('cpu_on', { cells: [PSCI_0_1_IDS.cpu_on] })
    .prop('migrate', { cells: [PSCI_0_1_IDS.migrate] })
    .endNode();

  fdt.beginNode(`memory@${o.ramBase.toString(16)}`)
    .prop('device_type', 'memory')
    .prop('reg', { u64: [o.ramBase, o.ramSize] })
    .endNode();

  fdt.beginNode('cpus').prop('#address-cells', { cells: [1] }).prop('#size-cells', { cells: [0] });
  o.cpuMpidrs.forEach((mpidr, i) => {
    fdt.beginNode(`cpu@${mpidr.toString(16)}`)
      .prop('device_type', 'cpu')
      .prop('compatible', 'arm,arm-v8')
      .prop('reg', { cells: [mpidr] });
    // QEMU gives an enable-method only when there are secondary CPUs to start.
    if (o.cpuMpidrs.length > 1) fdt.prop('enable-method', 'psci');
    fdt.prop('phandle', { cells: [PHANDLE_CPU0 + i] }).endNode();
  });
  fdt.endNode();

  // The generic timer as QEMU's virt gives it: the secure and non-secure physical, virtual and hypervisor timers'
  // PPIs (13, 14, 11, 10: INTIDs 29, 30, 27, 26), level-high; with a GICv2 the flags also name the CPUs each PPI
  // reaches (bits [15:8], one per CPU). kvm-core raises the virtual (27) and non-secure physical (30) ones.
  if (gic !== 'none') {
    const flags = IRQ_TYPE_LEVEL_HIGH | (gic === 'v2' ? ((1 << o.cpuMpidrs.length) - 1) << 8 : 0);
    fdt.beginNode('timer')
      .prop('interrupts', { cells: [TIMER_PPIS.secure, TIMER_PPIS.physical, TIMER_PPIS.virtual, TIMER_PPIS.hyp].flatMap((ppi) => [1, ppi, flags]) })
      .prop('always-on', { cells: [] })
      .prop('compatible', ['arm,armv8-timer', 'arm,armv7-timer'])
      .endNode();
    // The PMU as QEMU's virt gives it with an in-kernel GIC: PPI 7 (INTID 23), level-high, the same flags.
    if (o.pmu === true) {
      fdt.beginNode('pmu')
        .prop('compatible', 'arm,armv8-pmuv3')
        .prop('interrupts', { cells: [1, PMU_DT_PPI, flags] })
        .endNode();
    }
  }

  fdt.beginNode('apb-pclk')
    .prop('compatible', 'fixed-clock')
    .prop('#clock-cells', { cells: [0] })
    .prop('clock-frequency', { cells: [APB_PCLK_HZ] })
    .prop('clock-output-names', 'clk24mhz')
    .prop('phandle', { cells: [PHANDLE_APB_PCLK] })
    .endNode();

  // The interrupt controller as QEMU's virt describes it under KVM; a GICv3 with its ITS as a child node (an MSI
  // controller, one cell: the DeviceID), a GICv2 without a GICv2m frame (vmm-lite has none).
  if (gic !== 'none') {
    fdt.beginNode(`intc@${GIC_DIST_BASE.toString(16)}`)
      .prop('compatible', gic === 'v3' ? 'arm,gic-v3' : 'arm,cortex-a15-gic')
      .prop('#interrupt-cells', { cells: [3] })
      .prop('interrupt-controller', { cells: [] })
      .prop('#address-cells', { cells: [2] })
      .prop('#size-cells', { cells: [2] })
      .prop('ranges', { cells: [] });
    if (gic === 'v3') {
      fdt.prop('reg', { u64: [GIC_DIST_BASE, GIC_DIST_SIZE, GIC_REDIST_BASE, GIC_REDIST_SIZE] })
        .prop('#redistributor-regions', { cells: [1] });
    } else {
      fdt.prop('reg', { u64: [GIC_DIST_BASE, GIC_DIST_SIZE, GIC_CPU_BASE, GIC_CPU_SIZE] });
    }
    fdt.prop('phandle', { cells: [PHANDLE_GIC] });
    if (gic === 'v3') {
      fdt.beginNode(`its@${GIC_ITS_BASE.toString(16)}`)
        .prop('compatible', 'arm,gic-v3-its')
        .prop('msi-controller', { cells: [] })
        .prop('#msi-cells', { cells: [1] })
        .prop('reg', { u64: [GIC_ITS_BASE, GIC_ITS_SIZE] })
        .prop('phandle', { cells: [PHANDLE_ITS] })
        .endNode();
    }
    fdt.endNode();
  }

  // QEMU virt's 32 virtio-mmio transports (virtio-mmio-empty.ts), edge-triggered SPIs 16..47, lowest address first.
  for (let i = 0; i < VIRTIO_MMIO_COUNT; i++) {
    const base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_STRIDE;
    fdt.beginNode(`virtio_mmio@${base.toString(16)}`).prop('dma-coherent', { cells: [] });
    if (gic !== 'none') fdt.prop('interrupts', { cells: [0, VIRTIO_MMIO_FIRST_SPI + i, 1] });
    fdt.prop('reg', { u64: [base, VIRTIO_MMIO_STRIDE] }).prop('compatible', 'virtio,mmio').endNode();
  }

  fdt.beginNode(PL011_NODE.slice(1))
    .prop('compatible', ['arm,pl011', 'arm,primecell'])
    .prop('reg', { u64: [PL011_BASE, PL011_SIZE] });
  if (gic !== 'none') fdt.prop('interrupts', spiCells(PL011_SPI));
  fdt.prop('clocks', { cells: [PHANDLE_APB_PCLK, PHANDLE_APB_PCLK] })
    .prop('clock-names', ['uartclk', 'apb_pclk'])
    .endNode();

  // The RTC (pl031.ts): its interrupt output drives SPI 2, as QEMU's virt.
  fdt.beginNode(PL031_NODE.slice(1))
    .prop('compatible', ['arm,pl031', 'arm,primecell'])
    .prop('reg', { u64: [PL031_BASE, PL031_SIZE] });
  if (gic !== 'none') fdt.prop('interrupts', spiCells(PL031_SPI));
  fdt.prop('clocks', { cells: [PHANDLE_APB_PCLK] })
    .prop('clock-names', 'apb_pclk')
    .endNode();

  if (o.pcie === true) pcieNode(fdt, gic);

  fdt.beginNode('aliases').prop('serial0', PL011_NODE).endNode();

  fdt.beginNode('chosen');
  if (o.bootargs !== undefined) fdt.prop('bootargs', o.bootargs);
  fdt.prop('stdout-path', PL011_NODE);
  if (o.seeds !== undefined) fdt.prop('rng-seed', o.seeds.rng).prop('kaslr-seed', { u64: [o.seeds.kaslr] });
  if (o.initrd !== undefined) {
    fdt.prop('linux,initrd-start', { u64: [o.initrd.start] }).prop('linux,initrd-end', { u64: [o.initrd.end] });
  }
  if (o.framebuffer !== undefined) {
    // Linux's simple-framebuffer binding; under /chosen, where a boot loader or VMM describes the framebuffer it
    // set up (Linux creates platform devices for /chosen/framebuffer* nodes). /chosen has no #address-cells, so
    // reg uses the root's 2 + 2 cells.
    const f = o.framebuffer;
    fdt.beginNode(`framebuffer@${f.base.toString(16)}`)
      .prop('compatible', 'simple-framebuffer')
      .prop('reg', { u64: [f.base, f.size] })
      .prop('width', { cells: [f.width] })
      .prop('height', { cells: [f.height] })
      .prop('stride', { cells: [f.stride] })
      .prop('format', f.format)
      .prop('status', 'okay')
      .endNode();
  }
  fdt.endNode();

  fdt.endNode();
  return fdt.finish();
}

/** The high and low 32-bit cells of a number below 2^53. */
const split = (v: number): [number, number] => [Math.floor(v / 2 ** 32), v >>> 0];

/**
 * The PCIe host bridge (pcie-host.ts) as QEMU's virt describes it with highmem on: ECAM `reg`, the I/O, 32-bit and
 * 64-bit memory windows in `ranges` (3 PCI address cells: space code in the first, then the 64-bit PCI address),
 * INTx of slot s, pin p (1..4) to SPI 3 + (s + p - 1) % 4, level-high, over slot bits [12:11] and the pin; MSIs to the
 * ITS with a GICv3 (a GICv2 has no MSI frame here: QEMU's GICv2m is not modelled).
 */
function pcieNode(fdt: FdtBuilder, gic: GicVersion): void {
  fdt.beginNode(PCIE_NODE.slice(1));
  if (gic !== 'none') {
    const map: number[] = [];
    for (let slot = 0; slot < 4; slot++) {
      for (let pin = 1; pin <= 4; pin++) {
        map.push(slot << 11, 0, 0, pin, PHANDLE_GIC, 0, 0, 0, PCIE_FIRST_SPI + ((slot + pin - 1) % 4), IRQ_TYPE_LEVEL_HIGH);
      }
    }
    fdt.prop('interrupt-map-mask', { cells: [0x1800, 0, 0, 7] })
      .prop('interrupt-map', { cells: map })
      .prop('#interrupt-cells', { cells: [1] });
  }
  fdt.prop('ranges', {
    cells: [
      0x0100_0000, 0, 0, ...split(PCIE_PIO_BASE), ...split(PCIE_PIO_SIZE),
      0x0200_0000, ...split(PCIE_MMIO_BASE), ...split(PCIE_MMIO_BASE), ...split(PCIE_MMIO_SIZE),
      0x0300_0000, ...split(PCIE_MMIO_HIGH_BASE), ...split(PCIE_MMIO_HIGH_BASE), ...split(PCIE_MMIO_HIGH_SIZE),
    ],
  })
    .prop('reg', { u64: [PCIE_ECAM_BASE, PCIE_ECAM_SIZE] });
  if (gic === 'v3') fdt.prop('msi-map', { cells: [0, PHANDLE_ITS, 0, 0x1_0000] });
  fdt.prop('dma-coherent', { cells: [] })
    .prop('bus-range', { cells: [0, 0xff] })
    .prop('linux,pci-domain', { cells: [0] })
    .prop('#size-cells', { cells: [2] })
    .prop('#address-cells', { cells: [3] })
    .prop('device_type', 'pci')
    .prop('compatible', 'pci-host-ecam-generic')
    .endNode();
}
