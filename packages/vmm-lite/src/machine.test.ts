// End to end: hand-encoded guests in ELF files built here, run on the virt machine over kvm-core, the MMU and the
// CPU model.
import { CoreReg } from '@kvm-mte/kvm-core';
import { describe, expect, it } from 'vitest';
import { defaultCodeCacheBytes, VirtMachine } from './machine.js';
import { runVirt } from './run.js';
import { A64, PSCI_CPU_ON64, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, printCode, psciCode, SYS } from './testing/a64.js';
import { buildElf, codeElf, words } from './testing/elf-builder.js';
import { parseFdt } from './testing/fdt-reader.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const LOAD = 0x4008_0000;

describe('runVirt', () => {
  it('runs a guest that prints on the PL011 and powers off with PSCI SYSTEM_OFF', async () => {
    const chunks: string[] = [];
    const r = await runVirt({ kernel: codeElf([...printCode('Hi!\n'), ...psciCode(PSCI_SYSTEM_OFF)]), onSerial: (b) => chunks.push(text(b)) });
    expect(r.outcome).toBe('shutdown');
    expect(text(r.serial)).toBe('Hi!\n');
    expect(chunks.join('')).toBe('Hi!\n'); // delivered as written
    expect(r.message).toBeUndefined();
    expect(r.instructions).toBeGreaterThan(5);
    expect(r.instructions).toBeLessThan(30);
  });

  it('codeCacheBytes reaches the VM (and an invalid budget is refused before anything runs)', async () => {
    await expect(runVirt({ kernel: codeElf(psciCode(PSCI_SYSTEM_OFF)), codeCacheBytes: 0 })).rejects.toThrow('invalid code cache size 0');
    const m = new VirtMachine({ codeCacheBytes: 123_456 });
    expect(m.vm.codeCache.stats().budget).toBe(123_456);
  });

  it('without codeCacheBytes the budget follows the guest RAM: half of it, 64 MiB to 256 MiB', () => {
    const MiB = 1024 * 1024;
    expect([32, 128, 256, 400, 512, 2048].map((m) => defaultCodeCacheBytes(m * MiB) / MiB)).toEqual([64, 64, 128, 200, 256, 256]);
    for (const memory of [64 * MiB, 512 * MiB]) {
      expect(new VirtMachine({ memory }).vm.codeCache.stats().budget).toBe(defaultCodeCacheBytes(memory));
    }
  });

  it('serial output is byte exact (all 256 byte values)', async () => {
    const code = A64.mov64(0, 0x0900_0000);
    for (let b = 0; b < 256; b++) code.push(A64.movz(1, b), A64.strb(1, 0));
    const r = await runVirt({ kernel: codeElf([...code, ...psciCode(PSCI_SYSTEM_OFF)]), mte: false });
    expect([...r.serial]).toEqual(Array.from({ length: 256 }, (_, i) => i));
  });

  it('reports a reset (PSCI SYSTEM_RESET) without rebooting', async () => {
    const r = await runVirt({ kernel: codeElf(psciCode(PSCI_SYSTEM_RESET)) });
    expect(r.outcome).toBe('reset');
  });

  it('a guest idle in WFI with nothing to wake it has stalled', async () => {
    const r = await runVirt({ kernel: codeElf([...printCode('z'), A64.wfi(), A64.self()]) });
    expect(r.outcome).toBe('stalled');
    expect(r.message).toBe('guest stalled: the vCPU is idle in WFI with no interrupt source that could wake it');
    expect(text(r.serial)).toBe('z');
  });

  it('an endless loop stops at maxInstructions, exactly', async () => {
    // x0 counts up: the state never repeats, so only the limit stops it (`b .` is now found stalled in two rounds).
    const r = await runVirt({ kernel: codeElf([A64.addi(0, 0, 1), A64.b(-4)]), maxInstructions: 2_500_001 });
    expect(r.outcome).toBe('instruction-limit');
    expect(r.instructions).toBe(2_500_001);
    expect(r.message).toBe('instruction limit reached (2500001 instructions)');
  });

  it('a guest looping without exits whose state repeats has stalled (b .)', async () => {
    const r = await runVirt({ kernel: codeElf([...printCode('end'), A64.self()]) });
    expect(r.outcome).toBe('stalled');
    expect(r.message).toBe('guest stalled: it is looping without exits and its state (registers and RAM) repeats exactly, so it can never make progress');
    expect(text(r.serial)).toBe('end');
  });

  it('so has one that faults on its own exception vector (a raw file of zeroes: UDF, VBAR_EL1 = 0)', async () => {
    const m = new VirtMachine({ memory: 4 * 2 ** 20 });
    m.load({ kernel: new Uint8Array(64) });
    const r = await m.run({ slice: 10_000 }); // each fault is a trip through kvm-core: keep the turns short
    expect(r.outcome).toBe('stalled');
  });

  it('loop detection can be turned off', async () => {
    const m = new VirtMachine({ memory: 2 ** 20 });
    m.load({ kernel: codeElf([A64.self()]) });
    expect((await m.run({ detectLoops: false, maxInstructions: 5_000_000 })).outcome).toBe('instruction-limit');
  });

  it('a loop whose registers repeat but which progresses through memory is not a stall', async () => {
    // counter at 0x40090000; loop: x2 = [x1] + 1; [x1] = x2; compare with x3; x2 = 0; b.ne loop. Six instructions, so
    // with a slice of 6000 every turn ends at the loop head with the same registers; only RAM differs.
    const code = [
      ...A64.mov64(1, 0x4009_0000), ...A64.mov64(3, 20_000), A64.movz(2, 0),
      A64.ldrx(2, 1), A64.addi(2, 2, 1), A64.strx(2, 1), A64.cmp(2, 3), A64.movz(2, 0), A64.bne(-20),
      ...printCode('done'), ...psciCode(PSCI_SYSTEM_OFF),
    ];
    const m = new VirtMachine({ memory: 2 ** 20 });
    m.load({ kernel: codeElf(code) });
    const r = await m.run({ slice: 6000 });
    expect(text(r.serial)).toBe('done');
    expect(r.outcome).toBe('shutdown');
  });

  it('rejects an invalid kernel or option with a VmmError', async () => {
    await expect(runVirt({ kernel: Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 1) })).rejects.toThrow('invalid ELF: file is shorter than the ELF header');
    await expect(runVirt({ kernel: codeElf([0]), memory: 1000 })).rejects.toThrow('must be a multiple of 4K');
    await expect(runVirt({ kernel: codeElf([0]), smp: 9 })).rejects.toThrow('invalid CPU count 9: must be 1..8');
    await expect(runVirt({ kernel: codeElf([0]), maxInstructions: 0 })).rejects.toThrow('invalid instruction limit 0');
  });

  it('starts a secondary vCPU with PSCI CPU_ON; the primary idling does not stall the machine', async () => {
    const secondary = 0x4009_0000;
    const primary = [
      ...printCode('A'),
      ...A64.mov64(1, 1), // target MPIDR: vCPU 1
      ...A64.mov64(2, secondary), // entry
      ...A64.mov64(3, 0x77), // context id
      ...psciCode(PSCI_CPU_ON64), // sets x0 only
      A64.wfi(), A64.self(),
    ];
    const second = [A64.mov(20, 0), ...printCode('B'), ...psciCode(PSCI_SYSTEM_OFF)];
    const elf = buildElf({ entry: LOAD, segments: [{ paddr: LOAD, data: words(primary) }, { paddr: secondary, data: words(second) }] });
    const m = new VirtMachine({ smp: 2 });
    m.load({ kernel: elf });
    const r = await m.run();
    expect(text(r.serial)).toBe('AB');
    expect(r.outcome).toBe('shutdown');
    expect(m.vcpus[1]!.getOneReg(CoreReg.x(20))).toBe(0x77n); // the context id arrived in x0
  });

  it('a two-vCPU guest whose secondaries never start and whose primary idles has stalled', async () => {
    const r = await runVirt({ kernel: codeElf([A64.wfi()]), smp: 2 });
    expect(r.outcome).toBe('stalled');
    expect(r.message).toBe('guest stalled: 1 vCPU(s) are idle in WFI with no interrupt source that could wake it, the other 1 powered off');
  });
});

describe('unclaimed MMIO: a synchronous External abort, as QEMU virt', () => {
  /**
   * x5 = sentinel, x6 = `addr`, VBAR_EL1 = a table at LOAD + 0x800 whose 16 entries branch to a handler at
   * LOAD + 0x1000; then `access`. The handler copies ESR/FAR/ELR to x10..x12 and powers off.
   */
  async function abortOn(access: number, addr: number) {
    const vbar = LOAD + 0x800;
    const handlerAt = LOAD + 0x1000;
    const prologue = [...A64.mov64(5, 0x1234_5678_9abc_def0n), ...A64.mov64(6, addr), ...A64.mov64(9, vbar), A64.msr(SYS.VBAR_EL1, 9), A64.isb()];
    const accessAddr = BigInt(LOAD + prologue.length * 4);
    const code = new Array<number>((handlerAt - LOAD) / 4).fill(A64.nop());
    [...prologue, access, ...printCode('no abort'), ...psciCode(PSCI_SYSTEM_OFF)].forEach((w, i) => (code[i] = w));
    for (let v = 0; v < 16; v++) code[(vbar - LOAD) / 4 + v * 32] = A64.b(handlerAt - (vbar + v * 0x80));
    code.push(A64.mrs(10, SYS.ESR_EL1), A64.mrs(11, SYS.FAR_EL1), A64.mrs(12, SYS.ELR_EL1), ...psciCode(PSCI_SYSTEM_OFF));
    const m = new VirtMachine();
    m.load({ kernel: codeElf(code) });
    const r = await m.run({ maxInstructions: 10_000 });
    const reg = (n: number) => m.vcpus[0]!.getOneReg(CoreReg.x(n));
    return { r, esr: reg(10), far: reg(11), elr: reg(12), x5: reg(5), accessAddr };
  }

  it('a load from nothing: EC 0x25, DFSC 0x10, FAR = the address, ELR = the load, destination untouched', async () => {
    const a = await abortOn(A64.ldrx(5, 6), 0x0c00_0000);
    expect(a.r.outcome).toBe('shutdown');
    expect(text(a.r.serial)).toBe('');
    expect(a.esr).toBe(0x9600_0010n);
    expect(a.far).toBe(0x0c00_0000n);
    expect(a.elr).toBe(a.accessAddr);
    expect(a.x5).toBe(0x1234_5678_9abc_def0n);
  });

  it('a store: WnR set', async () => {
    const a = await abortOn(A64.strw(5, 6), 0x0b00_0010);
    expect(a.esr).toBe(0x9600_0050n);
    expect(a.far).toBe(0x0b00_0010n);
  });

  it('just past the end of RAM', async () => {
    const a = await abortOn(A64.ldrw(5, 6), 0x5000_0000);
    expect(a.esr).toBe(0x9600_0010n);
    expect(a.far).toBe(0x5000_0000n);
    expect(a.x5).toBe(0x1234_5678_9abc_def0n);
  });

  it('an access without a syndrome (LDP), even to the UART, is aborted the same way (QEMU under KVM does so)', async () => {
    const a = await abortOn(A64.ldp(5, 7, 6), 0x0900_0000);
    expect(a.r.outcome).toBe('shutdown');
    expect(a.esr).toBe(0x9600_0010n);
    expect(a.far).toBe(0x0900_0000n);
    expect(a.x5).toBe(0x1234_5678_9abc_def0n);
  });
});

describe('boot conventions', () => {
  it('an ELF starts at e_entry with x0 = 0, as on QEMU', async () => {
    const m = new VirtMachine();
    const layout = m.load({ kernel: codeElf([A64.self()]) });
    expect(layout.dtbAddr).toBeUndefined();
    expect(m.vcpus[0]!.getOneReg(CoreReg.PC)).toBe(BigInt(LOAD));
    expect(m.vcpus[0]!.getOneReg(CoreReg.x(0))).toBe(0n);
  });

  it('a raw kernel finds the device tree at x0 (RAM + 128 MiB), with bootargs', async () => {
    // x20 = x0; x21 = the word at x0 (the FDT magic, read little-endian); power off
    const code = [A64.mov(20, 0), A64.ldrw(21, 0), ...psciCode(PSCI_SYSTEM_OFF)];
    const m = new VirtMachine({ memory: 256 * 2 ** 20 });
    const layout = m.load({ kernel: words(code), append: 'console=ttyAMA0' });
    expect(layout.format).toBe('raw');
    const r = await m.run();
    expect(r.outcome).toBe('shutdown');
    expect(m.vcpus[0]!.getOneReg(CoreReg.x(20))).toBe(0x4800_0000n);
    expect(m.vcpus[0]!.getOneReg(CoreReg.x(21))).toBe(0xedfe_0dd0n);
    const off = 0x800_0000;
    const dtb = parseFdt(m.ram.bytes.subarray(off, off + m.dtb!.length));
    expect(dtb.header.totalsize).toBe(m.dtb!.length);
  });

  it('an initrd is copied into RAM and named in /chosen', () => {
    const m = new VirtMachine();
    const initrd = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const layout = m.load({ kernel: words([A64.self()]), initrd });
    expect(layout.initrd).toEqual({ start: 0x4800_0000, end: 0x4800_0000 + 5000 });
    expect([...m.ram.bytes.subarray(0x800_0000, 0x800_0000 + 5000)]).toEqual([...initrd]);
    expect(layout.dtbAddr).toBe(0x4820_0000);
  });

  it('with MTE off the VM has no KVM_CAP_ARM_MTE', () => {
    expect(new VirtMachine({ mte: false }).vm.mteEnabled).toBe(false);
    expect(new VirtMachine().vm.mteEnabled).toBe(true);
  });
});
