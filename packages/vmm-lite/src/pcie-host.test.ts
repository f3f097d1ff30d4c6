import { describe, expect, it } from 'vitest';
import { MmioBus } from './bus.js';
import {
  PcieHost, PCIE_ECAM_BASE, PCIE_MMIO_BASE, PCIE_MMIO_HIGH_BASE, PCIE_PIO_BASE, PCI_TESTDEV_DEVFN, pcieStateHasTestdev,
} from './pcie-host.js';
import { buildVirtDeviceTree } from './virt-dt.js';
import { findNode, parseFdt, propCells, propString } from './testing/fdt-reader.js';
import { VirtMachine } from './machine.js';
import { Pl031, RTC } from './pl031.js';

const cfg = (devfn: number, reg: number, bus = 0): number => PCIE_ECAM_BASE + (bus << 20) + (devfn << 12) + reg;

function hostOnBus(testdev = false): { host: PcieHost; bus: MmioBus } {
  const bus = new MmioBus();
  const host = new PcieHost({ testdev });
  host.mapOn(bus);
  return { host, bus };
}

describe('PCIe host bridge: ECAM configuration space', () => {
  it('00:00.0 is the Red Hat PCIe host bridge as QEMU 10 presents it (Linux sysfs config dump)', () => {
    const { bus } = hostOnBus();
    expect(bus.read(cfg(0, 0x00), 4)).toBe(0x0008_1b36n);
    expect(bus.read(cfg(0, 0x02), 2)).toBe(0x0008n);
    expect(bus.read(cfg(0, 0x08), 4)).toBe(0x0600_0000n); // revision 0, class 0x060000
    expect(bus.read(cfg(0, 0x0b), 1)).toBe(0x06n);
    expect(bus.read(cfg(0, 0x0e), 1)).toBe(0n); // header type 0, single function
    expect(bus.read(cfg(0, 0x2c), 4)).toBe(0x1100_1af4n);
    expect(bus.read(cfg(0, 0x34), 1)).toBe(0n); // no capabilities
    for (let r = 0x10; r < 0x28; r += 4) expect(bus.read(cfg(0, r), 4)).toBe(0n); // no BARs
    expect(bus.read(cfg(0, 0x3c), 4)).toBe(0n);
  });

  it('every other function and bus reads all ones and ignores writes; extended space reads all ones', () => {
    const { bus } = hostOnBus();
    for (const a of [cfg(1 << 3, 0), cfg(0x1f << 3, 0), cfg(1, 0), cfg(0, 0, 1), cfg(0, 0, 255)]) {
      expect(bus.read(a, 4)).toBe(0xffff_ffffn);
      expect(bus.read(a, 2)).toBe(0xffffn);
      expect(bus.read(a, 1)).toBe(0xffn);
      expect(bus.write(a + 4, 2, 0x7n)).toBe(true);
      expect(bus.read(a + 4, 2)).toBe(0xffffn);
    }
    expect(bus.read(cfg(0, 0x100), 4)).toBe(0xffff_ffffn);
    expect(bus.read(cfg(0, 0xffc), 4)).toBe(0xffff_ffffn);
  });

  it('keeps only the writable Command bits, Cache Line Size and Interrupt Line; identity and BARs are read-only', () => {
    const { bus } = hostOnBus();
    bus.write(cfg(0, 0x04), 4, 0xffff_ffffn);
    expect(bus.read(cfg(0, 0x04), 2)).toBe(0x0547n); // IO, MEM, MASTER, PARITY, SERR, INTX_DISABLE
    expect(bus.read(cfg(0, 0x06), 2)).toBe(0n); // Status unchanged
    bus.write(cfg(0, 0x05), 1, 0n);
    expect(bus.read(cfg(0, 0x04), 2)).toBe(0x0047n);
    bus.write(cfg(0, 0x00), 4, 0n);
    expect(bus.read(cfg(0, 0x00), 4)).toBe(0x0008_1b36n);
    bus.write(cfg(0, 0x10), 4, 0xffff_ffffn);
    expect(bus.read(cfg(0, 0x10), 4)).toBe(0n);
    bus.write(cfg(0, 0x0c), 4, 0xffff_ffffn);
    expect(bus.read(cfg(0, 0x0c), 4)).toBe(0xffn);
    bus.write(cfg(0, 0x3c), 2, 0xffffn);
    expect(bus.read(cfg(0, 0x3c), 2)).toBe(0x00ffn); // Interrupt Pin stays 0
  });

  it('a 64-bit ECAM access is two 32-bit ones', () => {
    const { bus } = hostOnBus();
    expect(bus.read(cfg(0, 0x08), 8)).toBe(0x0600_0000n);
    expect(bus.read(cfg(0, 0x00), 8)).toBe(0x0000_0000_0008_1b36n);
  });

  it('the windows answer accesses no BAR decodes with all ones and ignore writes', () => {
    const { bus } = hostOnBus();
    for (const a of [PCIE_PIO_BASE, PCIE_MMIO_BASE, PCIE_MMIO_BASE + 0x1000_0000, PCIE_MMIO_HIGH_BASE]) {
      expect(bus.read(a, 4)).toBe(0xffff_ffffn);
      expect(bus.write(a, 4, 0n)).toBe(true);
    }
  });
});

describe('pci-testdev at 00:01.0', () => {
  const D = PCI_TESTDEV_DEVFN;

  it('has QEMU\'s identity and two BARs that size as 4 KiB memory and 256 bytes of I/O', () => {
    const { bus } = hostOnBus(true);
    expect(bus.read(cfg(D, 0x00), 4)).toBe(0x0005_1b36n);
    expect(bus.read(cfg(D, 0x08), 4)).toBe(0x00ff_0000n);
    expect(bus.read(cfg(D, 0x10), 4)).toBe(0n);
    expect(bus.read(cfg(D, 0x14), 4)).toBe(1n);
    bus.write(cfg(D, 0x10), 4, 0xffff_ffffn);
    bus.write(cfg(D, 0x14), 4, 0xffff_ffffn);
    expect(bus.read(cfg(D, 0x10), 4)).toBe(0xffff_f000n);
    expect(bus.read(cfg(D, 0x14), 4)).toBe(0xffff_ff01n);
    expect(bus.read(cfg(D, 0x18), 4)).toBe(0n);
  });

  it('its tests run through the memory and I/O windows once the BARs are placed and enabled', () => {
    const { bus } = hostOnBus(true);
    bus.write(cfg(D, 0x10), 4, BigInt(PCIE_MMIO_BASE));
    bus.write(cfg(D, 0x14), 4, 0x1000n);
    // Not decoded before the Command register enables them.
    expect(bus.read(PCIE_MMIO_BASE + 1, 1)).toBe(0xffn);
    bus.write(cfg(D, 0x04), 2, 3n);
    for (const [base, prefix] of [[PCIE_MMIO_BASE, 'mmio'], [PCIE_PIO_BASE + 0x1000, 'portio']] as const) {
      const names: string[] = [];
      for (let t = 0; ; t++) {
        bus.write(base, 1, BigInt(t));
        expect(bus.read(base + 0x0c, 4)).toBe(0n);
        const width = Number(bus.read(base + 1, 1));
        if (width === 0) break;
        const off = Number(bus.read(base + 4, 4));
        const data = bus.read(base + 8, 4)!;
        for (let i = 0; i < 16; i++) bus.write(base + off, width as 4, data);
        bus.write(base + off, width as 4, data ^ 1n); // counts only without datamatch
        const count = Number(bus.read(base + 0x0c, 4));
        expect(count === 16 || count === 17).toBe(true);
        let name = '';
        for (let i = 0x10; ; i++) {
          const c = Number(bus.read(base + i, 1));
          if (c === 0) break;
          name += String.fromCharCode(c);
        }
        names.push(name);
      }
      expect(names).toEqual([`${prefix}-no-eventfd`, `${prefix}-wildcard-eventfd`, `${prefix}-datamatch-eventfd`]);
    }
  });

  it('snapshot state: saved and loaded exactly; another set of functions is refused without a change', () => {
    const { host, bus } = hostOnBus(true);
    bus.write(cfg(D, 0x10), 4, 0x1234_5000n);
    bus.write(cfg(D, 0x04), 2, 2n);
    bus.write(PCIE_MMIO_BASE, 1, 0n); // outside BAR 0 (at 0x1234_5000): ignored
    bus.write(0x1234_5000, 1, 2n);
    const saved = host.saveState();
    expect(pcieStateHasTestdev(saved)).toBe(true);
    const copy = new PcieHost({ testdev: true });
    copy.loadState(JSON.parse(JSON.stringify(saved)));
    expect(copy.saveState()).toEqual(saved);
    const plain = new PcieHost();
    expect(pcieStateHasTestdev(plain.saveState())).toBe(false);
    expect(() => plain.loadState(saved)).toThrow(/functions \(devfn 0,8\) differ from this machine's \(devfn 0\)/);
    expect(() => copy.loadState({ functions: { 0: { config: { command: 0 } }, 8: saved.functions['8']! } } as never)).toThrow(RangeError);
    expect(copy.saveState()).toEqual(saved);
  });
});

describe('the PCIe host in the device tree', () => {
  const dt = (gic: 'v2' | 'v3'): ReturnType<typeof parseFdt> =>
    parseFdt(buildVirtDeviceTree({ ramBase: 0x4000_0000, ramSize: 128 << 20, cpuMpidrs: [0], gic, pcie: true }));

  it('matches QEMU 10 virt\'s pcie@10000000 node (gic-version=3: msi-map to the ITS)', () => {
    const { root } = dt('v3');
    const n = findNode(root, '/pcie@10000000')!;
    expect(propString(n.props.get('compatible'))).toBe('pci-host-ecam-generic');
    expect(propString(n.props.get('device_type'))).toBe('pci');
    expect(propCells(n.props.get('reg'))).toEqual([0x40, 0x1000_0000, 0, 0x1000_0000]);
    expect(propCells(n.props.get('ranges'))).toEqual([
      0x0100_0000, 0, 0, 0, 0x3eff_0000, 0, 0x1_0000,
      0x0200_0000, 0, 0x1000_0000, 0, 0x1000_0000, 0, 0x2eff_0000,
      0x0300_0000, 0x80, 0, 0x80, 0, 0x80, 0,
    ]);
    expect(propCells(n.props.get('bus-range'))).toEqual([0, 0xff]);
    expect(propCells(n.props.get('#address-cells'))).toEqual([3]);
    expect(propCells(n.props.get('#size-cells'))).toEqual([2]);
    expect(propCells(n.props.get('#interrupt-cells'))).toEqual([1]);
    expect(propCells(n.props.get('linux,pci-domain'))).toEqual([0]);
    expect(n.props.get('dma-coherent')?.length).toBe(0);
    expect(propCells(n.props.get('interrupt-map-mask'))).toEqual([0x1800, 0, 0, 7]);
    const its = findNode(root, '/intc@8000000/its@8080000')!;
    const itsPhandle = propCells(its.props.get('phandle'))![0]!;
    expect(propCells(n.props.get('msi-map'))).toEqual([0, itsPhandle, 0, 0x1_0000]);
    const gic = propCells(findNode(root, '/intc@8000000')!.props.get('phandle'))![0]!;
    const map = propCells(n.props.get('interrupt-map'))!;
    expect(map.length).toBe(16 * 10);
    // QEMU's table, row by row: slot s, pin p -> SPI 3 + (s + p - 1) % 4, level-high.
    const spis = [3, 4, 5, 6, 4, 5, 6, 3, 5, 6, 3, 4, 6, 3, 4, 5];
    for (let r = 0; r < 16; r++) {
      expect(map.slice(r * 10, r * 10 + 10)).toEqual([(r >> 2) << 11, 0, 0, (r & 3) + 1, gic, 0, 0, 0, spis[r], 4]);
    }
  });

  it('with a GICv2 (no MSI frame modelled) has no msi-map; a machine always has the node', () => {
    expect(findNode(dt('v2').root, '/pcie@10000000')!.props.has('msi-map')).toBe(false);
    const m = new VirtMachine({ memory: 16 << 20 });
    m.load({ kernel: new Uint8Array(8) });
    expect(findNode(parseFdt(m.dtb!).root, '/pcie@10000000')).toBeDefined();
    expect(m.bus.read(cfg(0, 0), 4)).toBe(0x0008_1b36n);
    expect(m.bus.read(cfg(D0, 0), 4)).toBe(0xffff_ffffn); // no pci-testdev unless asked for
    expect(new VirtMachine({ memory: 16 << 20, pciTestdev: true }).bus.read(cfg(D0, 0), 4)).toBe(0x0005_1b36n);
  });
});
const D0 = PCI_TESTDEV_DEVFN;

describe('the PL031 interrupt output drives SPI 2 (INTID 34) as a level', () => {
  it('Pl031 reports RTCMIS changes to its onInterrupt', () => {
    let now = 1_000;
    const levels: boolean[] = [];
    const rtc = new Pl031({ mode: 'deterministic', nowNs: () => BigInt(now) * 1_000_000_000n }, (l) => levels.push(l));
    rtc.write(RTC.MR, 4, BigInt(now + 2));
    expect(rtc.nsUntilAlarm()).toBeUndefined(); // masked: nothing to wait for
    rtc.write(RTC.IMSC, 4, 1n);
    expect(rtc.nsUntilAlarm()).toBe(2_000_000_000n);
    now += 2;
    rtc.update();
    expect(levels).toEqual([true]);
    rtc.write(RTC.ICR, 4, 1n);
    expect(levels).toEqual([true, false]);
    rtc.write(RTC.MR, 4, BigInt(now)); // a match now: at once
    rtc.write(RTC.IMSC, 4, 0n);
    expect(levels).toEqual([true, false, true, false]);
  });

  it('the machine raises and lowers the vGIC line of SPI 2', () => {
    const m = new VirtMachine({ memory: 16 << 20, clock: 'deterministic' });
    const lines: [number, boolean][] = [];
    const vm = m.vm as unknown as { irqLine(irq: number, level: boolean): void };
    const real = vm.irqLine.bind(vm);
    vm.irqLine = (irq, level) => { lines.push([irq, level]); real(irq, level); };
    const rtc = 0x0901_0000;
    m.bus.write(rtc + RTC.IMSC, 4, 1n);
    m.bus.write(rtc + RTC.MR, 4, m.bus.read(rtc + RTC.DR, 4)!);
    m.bus.write(rtc + RTC.ICR, 4, 1n);
    expect(lines).toEqual([[(1 << 24) | 34, true], [(1 << 24) | 34, false]]);
  });
});
