// The run loop can never hang: loops that retire nothing (a fault on its own exception vector, through kvm-core
// or through an exit to the VMM) count against the limit, yield to the event loop, and are found stalled when the
// machine state repeats; loops that poll a device are stalled only when nothing could ever change what they read.
import { CoreReg } from '@kvm-mte/kvm-core';
import { describe, expect, it } from 'vitest';
import { VirtMachine } from './machine.js';
import { A64, PSCI_SYSTEM_OFF, printCode, psciCode, SYS, UART_BASE } from './testing/a64.js';
import { codeElf } from './testing/elf-builder.js';

const LOAD = 0x4008_0000;
const VBAR = LOAD + 0x800;
/** Where a synchronous exception from EL1h lands: VBAR_EL1 + 0x200. */
const SYNC_VECTOR = VBAR + 0x200;
const MiB = 2 ** 20;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** LDADD Xs, Xt, [Xn] (an LSE atomic: no syndrome for MMIO). */
const ldadd = (s: number, t: number, n: number) => (0xf8200000 | (s << 16) | (n << 5) | t) >>> 0;
/** LDR Xt, [Xn], #imm (post-index writeback: no syndrome for MMIO). */
const ldrPost = (t: number, n: number, imm: number) => (0xf8400400 | ((imm & 0x1ff) << 12) | (n << 5) | t) >>> 0;

/**
 * x2 = `addr`, VBAR_EL1 = VBAR, then a branch to the synchronous vector, which holds `access`: an access that faults
 * takes its exception on itself, forever, without retiring an instruction.
 */
function vectorLoop(access: number, addr: number): Uint8Array {
  const code = new Array<number>((SYNC_VECTOR + 4 - LOAD) / 4).fill(A64.nop());
  const prologue = [...A64.mov64(2, addr), ...A64.mov64(9, VBAR), A64.msr(SYS.VBAR_EL1, 9), A64.isb()];
  prologue.forEach((w, i) => (code[i] = w));
  code[prologue.length] = A64.b(SYNC_VECTOR - (LOAD + prologue.length * 4));
  code[(SYNC_VECTOR - LOAD) / 4] = access;
  return codeElf(code);
}

function machine(kernel: Uint8Array, memory = 4 * MiB): VirtMachine {
  const m = new VirtMachine({ memory });
  m.load({ kernel });
  return m;
}

const NO_SYNDROME = [
  ['LDP', A64.ldp(0, 1, 2)],
  ['LDADD (LSE atomic)', ldadd(1, 0, 2)],
  ['LDR with writeback', ldrPost(0, 2, 8)],
] as const;

describe('a fault taken on its own exception vector (nothing retires)', () => {
  it.each(NO_SYNDROME)('an access without a syndrome (%s) to no memslot, aborted on its own vector, is stalled', async (_, access) => {
    const m = machine(vectorLoop(access, 0x1000));
    const r = await m.run();
    expect(r.outcome).toBe('stalled');
    expect(r.message).toBe('guest stalled: it is looping through exits to the VMM and the machine state (registers, devices and RAM) repeats exactly, so it can never make progress');
    expect(m.vcpus[0]!.getOneReg(CoreReg.PC)).toBe(BigInt(SYNC_VECTOR));
  }, 20_000);

  it('without loop detection the same loop stops at the instruction limit', async () => {
    const m = machine(vectorLoop(A64.ldp(0, 1, 2), 0x1000));
    const r = await m.run({ detectLoops: false, maxInstructions: 5000 });
    expect(r.outcome).toBe('instruction-limit');
    expect(r.message).toMatch(/^instruction limit reached \(5000 steps that retired no instruction, .*after \d+ instructions\)$/);
    expect(r.instructions).toBeLessThan(20); // the prologue only: the aborted accesses retire nothing
  }, 20_000);

  it('and with neither, it still yields to the event loop every round (a stop request is seen)', async () => {
    const m = machine(vectorLoop(A64.ldp(0, 1, 2), 0x1000));
    let stop = false;
    setTimeout(() => { stop = true; }, 50);
    const r = await m.run({ detectLoops: false, shouldStop: () => stop });
    expect(r.outcome).toBe('stop-requested');
  }, 20_000);

  it('a load with a syndrome from no memslot (the VMM aborts it) on its own vector: stalled, or stopped at the limit', async () => {
    const r = await machine(vectorLoop(A64.ldrx(0, 2), 0x1000)).run();
    expect(r.outcome).toBe('stalled');
    const limited = await machine(vectorLoop(A64.ldrx(0, 2), 0x1000)).run({ detectLoops: false, maxInstructions: 3000 });
    expect(limited.outcome).toBe('instruction-limit');
  }, 20_000);

  it('a fault kvm-core answers itself (fetch from I/O, VBAR_EL1 = 0) stops at the limit without loop detection', async () => {
    const m = machine(new Uint8Array(64)); // raw zeroes: UDF, then the vector at 0x200 is outside RAM
    const r = await m.run({ detectLoops: false, maxInstructions: 100_000 });
    expect(r.outcome).toBe('instruction-limit');
    expect(r.instructions).toBe(0);
  }, 20_000);

  it('an exception the CPU takes on its own vector (UDF at the vector, in RAM) stops at the limit too', async () => {
    const m = machine(vectorLoop(0 /* UDF #0 */, 0));
    const r = await m.run({ detectLoops: false, maxInstructions: 200_000 });
    expect(r.outcome).toBe('instruction-limit');
    expect(r.instructions).toBeLessThan(20);
  }, 20_000);
});

describe('loops that exit to the VMM', () => {
  /** Poll UARTFR until RXFE clears, read UARTDR, print it back, power off. */
  const echoOne = [
    ...A64.mov64(0, UART_BASE),
    A64.ldrw(1, 0, 0x18), // poll: x1 = UARTFR
    0x37200001 | (((-4 >> 2) & 0x3fff) << 5), // TBNZ w1, #4 (RXFE), poll
    A64.ldrw(3, 0, 0), A64.strb(3, 0),
    ...psciCode(PSCI_SYSTEM_OFF),
  ];

  it('a guest polling the UART for input that can never come is stalled', async () => {
    const m = machine(codeElf(echoOne));
    const r = await m.run({ maxInstructions: 50_000_000 });
    expect(r.outcome).toBe('stalled');
    expect(r.message).toContain('looping through exits to the VMM');
  }, 30_000);

  it('but not while live input may still arrive (detectLoops false until it ends): it gets its byte', async () => {
    const m = machine(codeElf(echoOne));
    setTimeout(() => m.input.push(Uint8Array.of(0x41)), 200);
    const r = await m.run({ detectLoops: () => m.input.ended, maxInstructions: 500_000_000 });
    expect(r.outcome).toBe('shutdown');
    expect(text(r.serial)).toBe('A');
  }, 30_000);

  it('nor when its input is queued but has not reached the UART yet', async () => {
    const m = machine(codeElf(echoOne));
    m.input.push(Uint8Array.of(0x5a));
    m.input.end();
    const r = await m.run({ maxInstructions: 50_000_000 });
    expect(r.outcome).toBe('shutdown');
    expect(text(r.serial)).toBe('Z');
  }, 30_000);

  it('a poll loop that keeps storing the same value to RAM is stalled; one that counts in RAM is not', async () => {
    // x3 = a RAM word; loop: [x3] = x5; x1 = UARTFR; x4 = [x3] ... ; b loop.
    const poll = (body: number[]) => [
      ...A64.mov64(0, UART_BASE), ...A64.mov64(3, 0x4010_0000), ...A64.mov64(5, 7), ...A64.mov64(6, 30_000),
      ...body,
    ];
    const same = poll([A64.strx(5, 3), A64.ldrw(1, 0, 0x18), A64.b(-8)]);
    const r1 = await machine(codeElf(same), 8 * MiB).run({ maxInstructions: 50_000_000 });
    expect(r1.outcome).toBe('stalled');
    // [x3] += 1 with a UART poll in each iteration, until it reaches x6: registers repeat at the loop head, RAM
    // does not.
    const counting = poll([
      A64.ldrx(4, 3), A64.addi(4, 4, 1), A64.strx(4, 3), A64.ldrw(1, 0, 0x18), A64.cmp(4, 6), A64.movz(4, 0), A64.bne(-24),
      ...printCode('done'), ...psciCode(PSCI_SYSTEM_OFF),
    ]);
    const r2 = await machine(codeElf(counting), 8 * MiB).run({ maxInstructions: 50_000_000 });
    expect(text(r2.serial)).toBe('done');
    expect(r2.outcome).toBe('shutdown');
  }, 60_000);
});

describe('stall detection cost does not grow with RAM', () => {
  // Hashing all of RAM took 15 to 30 s here; reading the dirty log takes well under a second. The timeout is a
  // generous hang guard, not a benchmark.
  it('a 3.5 GiB guest doing `b .` is reported stalled (RAM is not hashed: dirty logging)', async () => {
    const m = machine(codeElf([...printCode('x'), ...A64.mov64(2, 0x4010_0000), A64.strx(0, 2), A64.self()]), 3584 * MiB);
    const r = await m.run();
    expect(r.outcome).toBe('stalled');
    expect(text(r.serial)).toBe('x');
  }, 15_000);
});

describe('the budget of each vcpu.run() call (RUN_CHUNK_MIN .. RUN_CHUNK_MAX)', () => {
  /** The budget of every vcpu.run() call of `m`'s vCPU 0 during a run of `max` instructions. */
  async function budgets(m: VirtMachine, max: number): Promise<number[]> {
    const v = m.vcpus[0]!;
    const seen: number[] = [];
    const run = v.run.bind(v);
    v.run = () => {
      seen.push(v.runBudget);
      return run();
    };
    await m.run({ maxInstructions: max, detectLoops: false });
    return seen;
  }

  it('grows while the calls retire instructions, up to 131,072', async () => {
    const m = machine(codeElf([A64.nop(), A64.b(-4)])); // nop; b .-4: instructions only, no exits
    const seen = await budgets(m, 2_000_000);
    expect(seen.slice(0, 4)).toEqual([16_384, 32_768, 65_536, 131_072]);
    expect(Math.max(...seen)).toBe(131_072);
  });

  it('stays at most 16,384 while the calls only take exceptions (UDF on its own vector)', async () => {
    const m = machine(vectorLoop(0x0000_0000, 0x1000)); // udf #0, taken in the CPU: every step an exception
    const seen = await budgets(m, 200_000);
    expect(seen.length).toBeGreaterThan(8);
    expect(Math.max(...seen.slice(2))).toBe(16_384);
  });
});
