// The VMM's side of two CPU rules: translated code stays within the VM's code cache budget (`codeCacheBytes`)
// whatever the guest runs, and an entry point that is not 4-byte aligned takes a PC alignment fault (as QEMU 10).
import { arm64SysReg, CoreReg } from '@kvm-mte/kvm-core';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { A64, printCode, psciCode, PSCI_SYSTEM_OFF, SYS } from './testing/a64.js';
import { CODE_FLOOD_FIRST, CODE_FLOOD_LOAD, codeFloodCode } from './testing/code-flood.js';
import { buildElf, codeElf, words } from './testing/elf-builder.js';

const MIB = 1024 * 1024;

describe('the code cache budget (codeCacheBytes)', () => {
  it('the code flood guest (a branch on every page of RAM) never takes translated code over the budget', async () => {
    const memory = 16 * MIB;
    const budget = 512 * 1024;
    const m = new VirtMachine({ memory, codeCacheBytes: budget });
    m.load({ kernel: codeElf(codeFloodCode(memory), CODE_FLOOD_LOAD) });
    const pages = (0x4000_0000 + memory - CODE_FLOOD_FIRST) / 0x1000;
    let limit = 0;
    let max = 0;
    for (let slice = 0; slice < 12; slice++) {
      limit += 5_000;
      const r = await m.run({ maxInstructions: limit, detectLoops: false });
      expect(r.outcome).toBe('instruction-limit');
      max = Math.max(max, m.vm.codeCache.stats().bytes);
    }
    const s = m.vm.codeCache.stats();
    expect(s.budget).toBe(budget);
    expect(max).toBeLessThanOrEqual(budget);
    expect(s.flushes).toBeGreaterThan(0);
    expect(s.built).toBeGreaterThan(pages); // the guest ran every page at least once (and some again)
  });

  it('refuses a budget that is not a positive integer with a one-line error', () => {
    for (const bad of [0, -5, 1.5, Number.NaN]) {
      expect(() => new VirtMachine({ memory: 16 * MIB, codeCacheBytes: bad })).toThrow(/^invalid code cache size .*positive/);
    }
  });
});

describe('an entry point that is not 4-byte aligned', () => {
  const LOAD = 0x4008_0000;
  const VBAR = LOAD + 0x800;

  /**
   * `main` at LOAD, then a vector table at LOAD + 0x800 whose current-EL synchronous entry (+0x200) copies ESR_EL1,
   * FAR_EL1 and ELR_EL1 to x10..x12 and powers off. VBAR_EL1 is set through ONE_REG before the run (at reset it is
   * 0, where QEMU has flash and vmm-lite nothing: the first exception is what both must agree on).
   */
  async function runFrom(entry: number, main: number[], setPc?: bigint) {
    const code = new Array<number>((VBAR + 0x200 - LOAD) / 4).fill(A64.nop());
    main.forEach((w, i) => (code[i] = w));
    code.push(A64.mrs(10, SYS.ESR_EL1), A64.mrs(11, SYS.FAR_EL1), A64.mrs(12, SYS.ELR_EL1), ...psciCode(PSCI_SYSTEM_OFF));
    const m = new VirtMachine({ memory: 16 * MIB });
    m.load({ kernel: buildElf({ entry, segments: [{ paddr: LOAD, data: words(code) }] }) });
    const v = m.vcpus[0]!;
    v.setOneReg(arm64SysReg(3, 0, 12, 0, 0), BigInt(VBAR));
    if (setPc !== undefined) v.setOneReg(CoreReg.PC, setPc);
    const r = await m.run({ maxInstructions: 1_000 });
    const reg = (n: number) => v.getOneReg(CoreReg.x(n));
    return { outcome: r.outcome, serial: Buffer.from(r.serial).toString('latin1'), esr: reg(10), far: reg(11), elr: reg(12) };
  }

  // The code at LOAD would print "A" and power off if it ran from there.
  const PRINT_A = [...printCode('A'), ...psciCode(PSCI_SYSTEM_OFF), A64.self()];

  it('an ELF entry of 0x4008_0002: a PC alignment fault at the entry (EC 0x22, FAR = ELR = the PC), as QEMU 10', async () => {
    // QEMU 10 (-d int) on the same ELF: "Taking exception 3 [Prefetch Abort] ... with ESR 0x22/0x8a000000, with FAR
    // 0x40080002, with ELR 0x40080002".
    const a = await runFrom(0x4008_0002, PRINT_A);
    expect(a).toEqual({ outcome: 'shutdown', serial: '', esr: 0x8a00_0000n, far: 0x4008_0002n, elr: 0x4008_0002n });
  });

  it('a PC the VMM sets through ONE_REG is checked too', async () => {
    const a = await runFrom(LOAD, PRINT_A, 0x4008_0007n);
    expect(a).toEqual({ outcome: 'shutdown', serial: '', esr: 0x8a00_0000n, far: 0x4008_0007n, elr: 0x4008_0007n });
  });

  it('an aligned entry runs (the same guest)', async () => {
    const a = await runFrom(LOAD, PRINT_A);
    expect([a.outcome, a.serial]).toEqual(['shutdown', 'A']);
  });
});
