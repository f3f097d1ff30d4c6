// vCPUs that spin on each other (a YIELD or WFE in the wait loop, as kvm-unit-tests' cpu_relax and Linux's locks):
// the spinning vCPU's turn ends at once when another vCPU can run, so a handoff costs a few instructions, not a turn
// of a million (micro-bench's IPI test made 65,536 of them). A machine that only spins still stalls.
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { A64, PSCI_CPU_ON64, PSCI_SYSTEM_OFF, printCode, psciCode } from './testing/a64.js';
import { buildElf, words } from './testing/elf-builder.js';

const LOAD = 0x4008_0000;
const SECONDARY = LOAD + 0x1000;
const FLAG = LOAD + 0x2000;
const HANDOFFS = 2000;
const YIELD = 0xd503203f;
const WFE = 0xd503205f;
/** CBZ / CBNZ Xt, #offset (bytes) */
const cbz = (t: number, offset: number): number => (0xb4000000 | (((offset / 4) & 0x7ffff) << 5) | t) >>> 0;
const cbnz = (t: number, offset: number): number => (0xb5000000 | (((offset / 4) & 0x7ffff) << 5) | t) >>> 0;
/** SUBS X6, X6, #1 */
const SUBS_X6 = 0xf10004c6;

/**
 * vCPU 0 starts vCPU 1, then HANDOFFS times sets FLAG and waits (spinning on `spin`) until vCPU 1 clears it; vCPU 1
 * waits (spinning) for FLAG set and clears it. Then vCPU 0 prints 'D' and powers off.
 */
function pingPong(spin: number): Uint8Array {
  const setup = [
    ...A64.mov64(1, 1), ...A64.mov64(2, SECONDARY), ...A64.mov64(3, 0), ...psciCode(PSCI_CPU_ON64),
    ...A64.mov64(5, FLAG), ...A64.mov64(6, HANDOFFS),
  ];
  const loop = [
    A64.movz(4, 1),
    A64.strx(4, 5), // ping
    spin, // wait:
    A64.ldrx(3, 5),
    cbnz(3, -8), // still set: back to the spin
    SUBS_X6,
    A64.bne(-24), // the next ping
  ];
  const primary = [...setup, ...loop, ...printCode('D'), ...psciCode(PSCI_SYSTEM_OFF)];
  const secondary = [...A64.mov64(5, FLAG), spin, A64.ldrx(3, 5), cbz(3, -8), A64.strx(31, 5), A64.b(-16)];
  return buildElf({ entry: LOAD, segments: [{ paddr: LOAD, data: words(primary) }, { paddr: SECONDARY, data: words(secondary) }] });
}

describe('vCPUs spinning on each other give way at once', () => {
  it.each([['YIELD', YIELD], ['WFE', WFE]])('%s: 2,000 handoffs through memory take a few instructions each', async (_, spin) => {
    const m = new VirtMachine({ smp: 2 });
    m.load({ kernel: pingPong(spin) });
    const r = await m.run({ maxInstructions: 50_000_000 });
    expect(r.outcome).toBe('shutdown');
    expect(Buffer.from(r.serial).toString('latin1')).toBe('D');
    expect(r.instructions).toBeLessThan(HANDOFFS * 40);
  }, 30_000);

  it('two vCPUs that only spin on YIELD are found stalled (the rounds they make still reach a boundary)', async () => {
    const spinForever = [YIELD, A64.b(-4)];
    const primary = [...A64.mov64(1, 1), ...A64.mov64(2, SECONDARY), ...A64.mov64(3, 0), ...psciCode(PSCI_CPU_ON64), ...spinForever];
    const kernel = buildElf({ entry: LOAD, segments: [{ paddr: LOAD, data: words(primary) }, { paddr: SECONDARY, data: words(spinForever) }] });
    const m = new VirtMachine({ smp: 2 });
    m.load({ kernel });
    const r = await m.run({ maxInstructions: 50_000_000 });
    expect(r.outcome).toBe('stalled');
  }, 30_000);

  it('a vCPU alone keeps its turn: YIELD is no exit then (its spin is a NOP inside the run)', async () => {
    const m = new VirtMachine({ smp: 1 });
    m.load({ kernel: buildElf({ entry: LOAD, segments: [{ paddr: LOAD, data: words([...A64.mov64(6, 100_000), YIELD, SUBS_X6, A64.bne(-8), ...psciCode(PSCI_SYSTEM_OFF)]) }] }) });
    const r = await m.run();
    expect(r.outcome).toBe('shutdown');
    expect(m.vcpus[0]!.yieldExits).toBe(false);
  }, 30_000);
});
