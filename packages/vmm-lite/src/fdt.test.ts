import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FdtBuilder } from './fdt.js';
import { findNode, parseFdt, propCells, propString, propStrings } from './testing/fdt-reader.js';
import { buildVirtDeviceTree } from './virt-dt.js';

describe('FdtBuilder', () => {
  it('writes a v17 header, the reservation map, the structure and strings blocks', () => {
    const blob = new FdtBuilder()
      .reserve(0x4000_0000, 0x1000)
      .beginNode('')
      .prop('compatible', 'x,y')
      .prop('empty')
      .beginNode('child@10').prop('reg', { cells: [0x10] }).prop('compatible', ['a', 'bc']).endNode()
      .endNode()
      .finish(3);
    const f = parseFdt(blob);
    expect(f.header).toMatchObject({ magic: 0xd00dfeed, totalsize: blob.length, version: 17, lastCompVersion: 16, bootCpuidPhys: 3, offMemRsvmap: 40 });
    expect(f.header.offDtStruct % 4).toBe(0);
    expect(f.header.offDtStrings).toBe(f.header.offDtStruct + f.header.sizeDtStruct);
    expect(f.header.offDtStrings + f.header.sizeDtStrings).toBe(blob.length);
    expect(f.reservations).toEqual([{ address: 0x4000_0000n, size: 0x1000n }]);
    expect(propString(f.root.props.get('compatible'))).toBe('x,y');
    expect(f.root.props.get('empty')).toHaveLength(0);
    const child = findNode(f.root, '/child@10')!;
    expect(propCells(child.props.get('reg'))).toEqual([0x10]);
    expect(propStrings(child.props.get('compatible'))).toEqual(['a', 'bc']);
    // "compatible" is stored once in the strings block
    const strings = Buffer.from(blob.subarray(f.header.offDtStrings)).toString('latin1');
    expect(strings.split('\0').filter((s) => s === 'compatible')).toHaveLength(1);
  });

  it('refuses malformed trees', () => {
    expect(() => new FdtBuilder().beginNode('x')).toThrow(/root node/);
    expect(() => new FdtBuilder().beginNode('').finish()).toThrow(/unbalanced/);
    expect(() => new FdtBuilder().beginNode('').beginNode('a').endNode().prop('late', 'x')).toThrow(/after a child node/);
    expect(() => new FdtBuilder().beginNode('').beginNode('bad name')).toThrow(/invalid node name/);
    expect(() => new FdtBuilder().beginNode('').prop('x', { cells: [-1] })).toThrow(/not a u32/);
  });
});

const MiB = 2 ** 20;
const virt = (extra: Partial<Parameters<typeof buildVirtDeviceTree>[0]> = {}) =>
  buildVirtDeviceTree({ ramBase: 0x4000_0000, ramSize: 256 * MiB, cpuMpidrs: [0], ...extra });

describe('the virt board device tree', () => {
  it('has the root, memory, cpus, psci, pl011 and pl031 with their clock, aliases and chosen nodes', () => {
    const { root } = parseFdt(virt({ bootargs: 'console=ttyAMA0 earlycon' }));
    expect(propString(root.props.get('compatible'))).toBe('linux,dummy-virt');
    expect(propCells(root.props.get('#address-cells'))).toEqual([2]);
    expect(propCells(root.props.get('#size-cells'))).toEqual([2]);

    const mem = findNode(root, '/memory@40000000')!;
    expect(propString(mem.props.get('device_type'))).toBe('memory');
    expect(propCells(mem.props.get('reg'))).toEqual([0, 0x4000_0000, 0, 0x1000_0000]);

    const cpus = findNode(root, '/cpus')!;
    expect(propCells(cpus.props.get('#address-cells'))).toEqual([1]);
    expect(propCells(cpus.props.get('#size-cells'))).toEqual([0]);
    const cpu0 = findNode(root, '/cpus/cpu@0')!;
    expect(propString(cpu0.props.get('device_type'))).toBe('cpu');
    expect(propString(cpu0.props.get('compatible'))).toBe('arm,arm-v8');
    expect(propCells(cpu0.props.get('reg'))).toEqual([0]);
    expect(cpu0.props.has('enable-method')).toBe(false); // one CPU: nothing to start

    const psci = findNode(root, '/psci')!;
    expect(propStrings(psci.props.get('compatible'))).toEqual(['arm,psci-1.0', 'arm,psci-0.2', 'arm,psci']);
    expect(propString(psci.props.get('method'))).toBe('hvc');

    const uart = findNode(root, '/pl011@9000000')!;
    expect(propStrings(uart.props.get('compatible'))).toEqual(['arm,pl011', 'arm,primecell']);
    expect(propCells(uart.props.get('reg'))).toEqual([0, 0x0900_0000, 0, 0x1000]);
    expect(propStrings(uart.props.get('clock-names'))).toEqual(['uartclk', 'apb_pclk']);
    const clk = findNode(root, '/apb-pclk')!;
    const phandle = propCells(clk.props.get('phandle'))![0]!;
    expect(propCells(uart.props.get('clocks'))).toEqual([phandle, phandle]);
    expect(propString(clk.props.get('compatible'))).toBe('fixed-clock');
    expect(propCells(clk.props.get('#clock-cells'))).toEqual([0]);
    expect(propCells(clk.props.get('clock-frequency'))).toEqual([24_000_000]);

    // As QEMU's virt (dumpdtb), with its SPI 2 (gic.test.ts checks the interrupts); after the UART, as QEMU
    // creates them.
    const rtc = findNode(root, '/pl031@9010000')!;
    expect([...rtc.props.keys()]).toEqual(['compatible', 'reg', 'interrupts', 'clocks', 'clock-names']);
    expect(propStrings(rtc.props.get('compatible'))).toEqual(['arm,pl031', 'arm,primecell']);
    expect(propCells(rtc.props.get('reg'))).toEqual([0, 0x0901_0000, 0, 0x1000]);
    expect(propCells(rtc.props.get('clocks'))).toEqual([phandle]);
    expect(propStrings(rtc.props.get('clock-names'))).toEqual(['apb_pclk']);
    const names = root.children.map((c) => c.name);
    expect(names.indexOf('pl031@9010000')).toBe(names.indexOf('pl011@9000000') + 1);

    expect(propString(findNode(root, '/aliases')!.props.get('serial0'))).toBe('/pl011@9000000');
    const chosen = findNode(root, '/chosen')!;
    expect(propString(chosen.props.get('stdout-path'))).toBe('/pl011@9000000');
    expect(propString(chosen.props.get('bootargs'))).toBe('console=ttyAMA0 earlycon');
    expect(chosen.props.has('linux,initrd-start')).toBe(false);
  });

  it('lists every CPU with enable-method psci when there are several, and the initrd in /chosen', () => {
    const { root } = parseFdt(virt({ cpuMpidrs: [0, 1, 2], initrd: { start: 0x4800_0000, end: 0x4801_86a0 } }));
    const cpus = findNode(root, '/cpus')!.children;
    expect(cpus.map((c) => c.name)).toEqual(['cpu@0', 'cpu@1', 'cpu@2']);
    for (const c of cpus) expect(propString(c.props.get('enable-method'))).toBe('psci');
    const chosen = findNode(root, '/chosen')!;
    expect(chosen.props.has('bootargs')).toBe(false);
    expect(propCells(chosen.props.get('linux,initrd-start'))).toEqual([0, 0x4800_0000]);
    expect(propCells(chosen.props.get('linux,initrd-end'))).toEqual([0, 0x4801_86a0]);
  });

  it('a large memory size uses both cells', () => {
    const { root } = parseFdt(virt({ ramSize: 4 * 1024 * MiB }));
    expect(propCells(findNode(root, '/memory@40000000')!.props.get('reg'))).toEqual([0, 0x4000_0000, 1, 0]);
  });

  const dtc = spawnSync('dtc', ['--version'], { encoding: 'utf8' });
  const dtcMissing = dtc.error !== undefined || dtc.status !== 0;
  it.skipIf(dtcMissing)(`dtc -I dtb -O dts decompiles it without warnings${dtcMissing ? ' (skipped: dtc is not installed; apt-get install device-tree-compiler)' : ''}`, () => {
    const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', '-o', '-', '-'], { input: virt({ cpuMpidrs: [0, 1], bootargs: 'a b', initrd: { start: 0x4800_0000, end: 0x4800_1000 } }), encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('compatible = "linux,dummy-virt";');
    expect(r.stdout).toContain('pl011@9000000 {');
    expect(r.stdout).toContain('pl031@9010000 {');
    expect(r.stdout).toContain('reg = <0x00 0x40000000 0x00 0x10000000>;');
    expect(r.stdout).toContain('compatible = "arm,psci-1.0\\0arm,psci-0.2\\0arm,psci";');
    expect(r.stdout).toContain('bootargs = "a b";');
    expect(r.stdout).toContain('linux,initrd-start = <0x00 0x48000000>;');
  });
});
