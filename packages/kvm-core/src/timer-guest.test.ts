import { describe, expect, it } from 'vitest';
import {
  CoreReg, KVM_EXIT_SYSTEM_EVENT, KVM_REG_ARM_TIMER_CVAL, KVM_SYSTEM_EVENT_SHUTDOWN,
  type KvmExit, type VmOptions,
} from './index.js';
import { A64 } from './testing/a64.js';
import { ERET, GICD_BASE, GICR_BASE, mrsIcc, msrIcc, setVbar, systemOff, UNMASK_IRQ, vgicGuest } from './testing/vgic-guest.js';
import { GICR } from './vgic/registers-v3.js';
import { VTIMER_PPI } from './timer.js';

const reg = (v: { getOneReg(id: bigint): bigint }, n: number) => v.getOneReg(CoreReg.x(n));
const mrsCntvct = (t: number) => A64.mrs(t, 3, 3, 14, 0, 2);
const msrCntvTval = (t: number) => A64.msr(t, 3, 3, 14, 3, 0);
const msrCntvCtl = (t: number) => A64.msr(t, 3, 3, 14, 3, 1);
/** CBZ Xt, by `words` instructions. */
const cbz = (t: number, words: number) => (0xb4000000 | ((words & 0x7ffff) << 5) | t) >>> 0;

function expectShutdown(exit: KvmExit): void {
  expect(exit).toMatchObject({ reason: 'system-event', exitReason: KVM_EXIT_SYSTEM_EVENT, type: KVM_SYSTEM_EVENT_SHUTDOWN });
}

/**
 * The guest: the vGICv3 on (Group 1, PMR 0xff, PPI 27 enabled), IRQs unmasked, the virtual timer armed `tval`
 * ticks ahead, then it waits for the handler's count in x11: in WFI (`wfi`) or spinning. Then x12 = 0x77 and
 * SYSTEM_OFF. The handler reads CNTVCT into x14 first, acknowledges (x10), disables the timer, ends it, counts.
 */
function timerGuest(tval: number, wait: 'wfi' | 'spin', vmOptions?: VmOptions) {
  const code = [
    ...setVbar(),
    ...A64.mov64(1, BigInt(GICD_BASE)), A64.movz(2, 0x12), A64.strw(2, 1), // GICD_CTLR: ARE, EnableGrp1
    ...A64.mov64(5, BigInt(GICR_BASE + GICR.ISENABLER0)), ...A64.mov64(6, 1n << BigInt(VTIMER_PPI)), A64.strw(6, 5),
    A64.movz(3, 0xff), msrIcc('ICC_PMR_EL1', 3),
    A64.movz(3, 1), msrIcc('ICC_IGRPEN1_EL1', 3),
    UNMASK_IRQ,
    ...A64.mov64(9, BigInt(tval)),
  ];
  /** Instructions before the TVAL write (straight-line code: its count is 8 times this, deterministic shift 3). */
  const armedAt = code.length;
  code.push(
    msrCntvTval(9), A64.movz(3, 1), msrCntvCtl(3),
    ...(wait === 'wfi' ? [A64.wfi(), cbz(11, -1)] : [cbz(11, 0)]),
    A64.movz(12, 0x77), ...systemOff(),
  );
  const handler = [mrsCntvct(14), mrsIcc(10, 'ICC_IAR1_EL1'), msrCntvCtl(31), msrIcc('ICC_EOIR1_EL1', 10), A64.addi(11, 11, 1), ERET];
  return { armedAt, ...vgicGuest({ version: 3, code: { 0: code }, irqHandler: handler, ...(vmOptions !== undefined && { vmOptions }) }) };
}

describe('a guest takes the virtual timer\'s PPI 27 through the vGIC', () => {
  it('host clock: WFI exits while the deadline is ahead; once host time reaches it the vCPU is woken', () => {
    const host = { t: 0n };
    const { vm, vcpus } = timerGuest(50_000, 'wfi', { clock: { mode: 'host', nowNs: () => host.t } });
    const v = vcpus[0]!;
    expect(v.run()).toMatchObject({ reason: 'intr', cause: 'wfi' });
    const cval = v.getOneReg(KVM_REG_ARM_TIMER_CVAL);
    expect(cval).toBe(50_000n); // armed at count 0: host time has not moved
    expect(v.timerDeadline()).toBe(50_000n);
    expect(v.irqPending).toBe(false);
    host.t = 49_999n;
    expect(v.irqPending).toBe(false);
    expect(v.run()).toMatchObject({ reason: 'intr', cause: 'wfi' }); // woken by nothing yet: back to WFI
    host.t = 50_000n;
    expect(v.irqPending).toBe(true);
    expect(vm.vgic!.model!.irqs.get(0, VTIMER_PPI)!.lineLevel).toBe(true); // level-sensitive: the line is high
    expectShutdown(v.run());
    expect([reg(v, 10), reg(v, 11), reg(v, 12), reg(v, 14)]).toEqual([27n, 1n, 0x77n, 50_000n]);
    expect(v.timerDeadline()).toBeUndefined(); // the handler disabled it
    expect(vm.clock.mode).toBe('host');
  });

  it('deterministic clock, WFI: the clock jumps to the deadline when the VMM advances it; exact counts', () => {
    const { vm, vcpus, armedAt } = timerGuest(4000, 'wfi', { clock: { mode: 'deterministic' }, translate: false });
    const v = vcpus[0]!;
    expect(v.run()).toMatchObject({ reason: 'intr', cause: 'wfi' });
    // The interpreter counts each instruction: the TVAL write reads the count 8 x (instructions before it).
    const cval = v.getOneReg(KVM_REG_ARM_TIMER_CVAL);
    expect(cval).toBe(BigInt(8 * armedAt + 4000));
    const deadline = v.timerDeadline()!;
    expect(deadline).toBe(cval);
    expect(vm.clock.now()).toBe(8n * BigInt(v.instructionsRetired)); // WFI retired; nothing else moved it
    vm.clock.advanceTo(deadline);
    expect(v.irqPending).toBe(true);
    expectShutdown(v.run());
    expect([reg(v, 10), reg(v, 11), reg(v, 12), reg(v, 14)]).toEqual([27n, 1n, 0x77n, cval]);
  });

  for (const translate of [false, true]) {
    it(`deterministic clock, spinning (${translate ? 'translated blocks' : 'interpreter'}): the IRQ comes exactly at the deadline, in the same run that armed it`, () => {
      const once = () => {
        const { vcpus } = timerGuest(800, 'spin', { clock: { mode: 'deterministic' }, translate });
        const v = vcpus[0]!;
        v.runBudget = 1_000_000;
        expectShutdown(v.run()); // one run(): the MSR that armed the timer ended the CPU's run, the next was bounded
        return { cval: v.getOneReg(KVM_REG_ARM_TIMER_CVAL), x: [reg(v, 10), reg(v, 11), reg(v, 12), reg(v, 14)], n: v.instructionsRetired };
      };
      const a = once();
      expect(a.x).toEqual([27n, 1n, 0x77n, a.cval]); // CNTVCT at the handler's first instruction is CVAL exactly
      expect(once()).toEqual(a); // and a second run is identical
    });
  }

  it('IMASK holds the line low; unmasking raises it', () => {
    const { vcpus } = timerGuest(100, 'wfi', { clock: { mode: 'deterministic' } });
    const v = vcpus[0]!;
    expect(v.run()).toMatchObject({ reason: 'intr', cause: 'wfi' });
    v.setOneReg(0x6030_0000_0013_df19n /* KVM_REG_ARM_TIMER_CTL */, 3n); // ENABLE | IMASK
    v.vm.clock.advanceTo(v.vm.clock.now() + 1000n);
    expect(v.irqPending).toBe(false);
    expect(v.timerDeadline()).toBeUndefined();
    v.setOneReg(0x6030_0000_0013_df19n, 1n);
    expect(v.irqPending).toBe(true);
  });
});
