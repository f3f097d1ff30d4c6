import { describe, expect, it } from 'vitest';
import { PmuKey, pmevcntrKey, pmevtyperKey } from '@kvm-mte/aarch64-cpu';
import {
  arm64SysReg, CoreReg, KVM_ARM_VCPU_PMU_V3, KVM_EXIT_SYSTEM_EVENT, type KvmExit, type Vcpu,
  KVM_ARM_VCPU_PMU_V3_CTRL, KVM_ARM_VCPU_PMU_V3_INIT, KVM_ARM_VCPU_PMU_V3_IRQ,
} from '../index.js';
import { A64 } from '../testing/a64.js';
import { ERET, GICD_BASE, GICR_BASE, mrsIcc, msrIcc, RAM, setVbar, systemOff, UNMASK_IRQ, VBAR, vgicGuest } from '../testing/vgic-guest.js';
import { GICR } from '../vgic/registers-v3.js';
import { PMU_PPI } from './constants.js';

const key = (k: number) => ({ op0: k >> 14, op1: (k >> 11) & 7, crn: (k >> 7) & 15, crm: (k >> 3) & 15, op2: k & 7 });
const mrs = (t: number, k: number) => { const e = key(k); return A64.mrs(t, e.op0, e.op1, e.crn, e.crm, e.op2); };
const msr = (k: number, t: number) => { const e = key(k); return A64.msr(t, e.op0, e.op1, e.crn, e.crm, e.op2); };
const oneReg = (k: number) => { const e = key(k); return arm64SysReg(e.op0, e.op1, e.crn, e.crm, e.op2); };
const x = (v: Vcpu, n: number) => v.getOneReg(CoreReg.x(n));
const DFR0 = arm64SysReg(3, 0, 0, 5, 0);
const ESR_EL1 = arm64SysReg(3, 0, 5, 2, 0);
const PMU = 1 << KVM_ARM_VCPU_PMU_V3;
const attr = (a: number, value?: number) => ({ group: KVM_ARM_VCPU_PMU_V3_CTRL, attr: a, ...(value !== undefined && { value }) });
const NOP = 0xd503201f;
/** PMCR_EL0 with E (1) and, optionally, LP (bit 7). */
const E = 1;

function expectShutdown(exit: KvmExit): void {
  expect(exit).toMatchObject({ reason: 'system-event', exitReason: KVM_EXIT_SYSTEM_EVENT });
}

/** A VM with a vGICv3, one vCPU with a PMU (IRQ PPI 23, initialised) running `code` at RAM. */
function pmuGuest(code: number[], irqHandler: number[] = [A64.self()], init = true) {
  const g = vgicGuest({ version: 3, code: { 0: [...setVbar(), ...code] }, irqHandler, features: PMU });
  const v = g.vcpus[0]!;
  if (init) {
    v.setDeviceAttr(attr(KVM_ARM_VCPU_PMU_V3_IRQ, PMU_PPI));
    v.setDeviceAttr(attr(KVM_ARM_VCPU_PMU_V3_INIT));
  }
  v.runBudget = 100_000;
  return { ...g, v };
}

describe('PMU registers: hidden without KVM_ARM_VCPU_PMU_V3, reset values with it', () => {
  it('without the feature PMUVer reads 0, the registers are not ONE_REG state and MRS PMCR_EL0 is UNDEFINED', () => {
    const { vcpus } = vgicGuest({ version: 3, code: { 0: [...setVbar(), mrs(19, PmuKey.PMCR_EL0), ...systemOff()] }, irqHandler: [A64.self()] });
    const v = vcpus[0]!;
    expect((v.getOneReg(DFR0) >> 8n) & 0xfn).toBe(0n);
    expect(v.getRegList()).not.toContain(oneReg(PmuKey.PMCR_EL0));
    v.runBudget = 1000;
    v.run();
    expect(v.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x200)); // the synchronous exception, current EL
    expect(v.getOneReg(ESR_EL1) >> 26n).toBe(0n); // EC 0: UNDEFINED
  });

  it('with it PMUVer reads 6 (PMUv3p5) and the registers read their reset values', () => {
    const { v } = pmuGuest([
      mrs(19, PmuKey.PMCR_EL0), mrs(20, PmuKey.PMCEID0_EL0), mrs(21, PmuKey.PMCEID1_EL0), mrs(22, PmuKey.PMCNTENSET_EL0),
      mrs(23, PmuKey.PMUSERENR_EL0), mrs(24, pmevtyperKey(5)), ...systemOff(),
    ]);
    expect((v.getOneReg(DFR0) >> 8n) & 0xfn).toBe(6n);
    expectShutdown(v.run());
    expect(x(v, 19)).toBe(0x4101_3040n); // IMP 'A', IDCODE 1, N = 6, LC (RES1)
    expect(x(v, 20)).toBe((1n << 0x00n) | (1n << 0x08n) | (1n << 0x11n) | (1n << 0x13n) | (1n << 0x1en));
    expect(x(v, 21)).toBe((1n << 3n) | (1n << 4n)); // STALL_FRONTEND, STALL_BACKEND
    expect([x(v, 22), x(v, 23), x(v, 24)]).toEqual([0n, 0n, 0n]);
  });

  it('writes keep the implemented bits only; P and C clear the counters and read 0; counter 6 does not exist', () => {
    const { v } = pmuGuest([
      ...A64.mov64(9, 0xffff_ffffn), msr(PmuKey.PMCNTENSET_EL0, 9), mrs(19, PmuKey.PMCNTENSET_EL0),
      msr(pmevtyperKey(0), 9), mrs(20, pmevtyperKey(0)),
      ...A64.mov64(10, 0x1234n), msr(pmevcntrKey(3), 10), msr(PmuKey.PMCCNTR_EL0, 10),
      A64.movz(11, 0b110), msr(PmuKey.PMCR_EL0, 11), mrs(21, PmuKey.PMCR_EL0), mrs(22, pmevcntrKey(3)), mrs(23, PmuKey.PMCCNTR_EL0),
      mrs(24, pmevcntrKey(6)), ...systemOff(),
    ]);
    v.runBudget = 1000;
    v.run();
    expect(x(v, 19)).toBe(0x8000_003fn);
    expect(x(v, 20)).toBe(0xc800_ffffn);
    expect(x(v, 21)).toBe(0x4101_3040n);
    expect([x(v, 22), x(v, 23)]).toEqual([0n, 0n]);
    expect(v.getOneReg(CoreReg.PC)).toBe(BigInt(VBAR + 0x200)); // PMEVCNTR6_EL0: UNDEFINED (N = 6)
  });
});

describe('PMU EL0 access under PMUSERENR_EL0', () => {
  /** Run `insn` at EL0 (EL0t) with PMUSERENR_EL0 = `userenr`: where the vCPU ends (the loop after it, or a vector) and ESR_EL1.EC. */
  function atEl0(insn: number, userenr: number): { pc: bigint; ec: bigint; x1: bigint } {
    const { v } = pmuGuest([insn, A64.self()]);
    v.setOneReg(oneReg(PmuKey.PMUSERENR_EL0), BigInt(userenr));
    v.setOneReg(arm64SysReg(3, 0, 12, 0, 0), BigInt(VBAR)); // VBAR_EL1 (the guest's own setting needs EL1)
    v.setOneReg(CoreReg.PC, BigInt(RAM + 4 * setVbar().length));
    v.setOneReg(CoreReg.PSTATE, 0n); // EL0t
    v.runBudget = 200;
    v.run();
    return { pc: v.getOneReg(CoreReg.PC), ec: v.getOneReg(ESR_EL1) >> 26n, x1: x(v, 19) };
  }
  const TRAP = BigInt(VBAR + 0x400); // synchronous exception from a lower EL

  it('PMCCNTR_EL0 reads trap to EL1 (EC 0x18) unless EN or CR', () => {
    expect(atEl0(mrs(19, PmuKey.PMCCNTR_EL0), 0)).toMatchObject({ pc: TRAP, ec: 0x18n });
    expect(atEl0(mrs(19, PmuKey.PMCCNTR_EL0), 4).pc).not.toBe(TRAP);
    expect(atEl0(mrs(19, PmuKey.PMCCNTR_EL0), 1).pc).not.toBe(TRAP);
    expect(atEl0(mrs(19, PmuKey.PMCR_EL0), 4)).toMatchObject({ pc: TRAP, ec: 0x18n }); // CR allows PMCCNTR only
  });

  it('PMSWINC_EL0 needs SW or EN, event counter reads ER; PMUSERENR_EL0 is read-only and PMINTENSET_EL1 EL1-only', () => {
    expect(atEl0(msr(PmuKey.PMSWINC_EL0, 1), 0)).toMatchObject({ pc: TRAP, ec: 0x18n });
    expect(atEl0(msr(PmuKey.PMSWINC_EL0, 1), 2).pc).not.toBe(TRAP);
    expect(atEl0(mrs(19, pmevcntrKey(0)), 8).pc).not.toBe(TRAP);
    expect(atEl0(msr(pmevcntrKey(0), 1), 8)).toMatchObject({ pc: TRAP, ec: 0x18n }); // ER: reads only
    expect(atEl0(mrs(19, PmuKey.PMUSERENR_EL0), 0).x1).toBe(0n);
    expect(atEl0(msr(PmuKey.PMUSERENR_EL0, 1), 1)).toMatchObject({ pc: TRAP, ec: 0n }); // UNDEFINED
    expect(atEl0(mrs(19, PmuKey.PMINTENSET_EL1), 1)).toMatchObject({ pc: TRAP, ec: 0n });
  });
});

describe('PMU counting', () => {
  /** Counter 0 counts `event` (its PMEVTYPER0 = `type`), counter 1 INST_RETIRED, and the cycle counter, over `n` NOPs. */
  function countNops(n: number, type0: number, pmcrExtra = 0) {
    const { v } = pmuGuest([
      ...A64.mov64(9, BigInt(type0)), msr(pmevtyperKey(0), 9), A64.movz(9, 0x08), msr(pmevtyperKey(1), 9),
      ...A64.mov64(9, 0x8000_0003n), msr(PmuKey.PMCNTENSET_EL0, 9),
      A64.movz(9, E | pmcrExtra), msr(PmuKey.PMCR_EL0, 9),
      ...new Array<number>(n).fill(NOP),
      msr(PmuKey.PMCR_EL0, 31),
      mrs(19, pmevcntrKey(0)), mrs(20, pmevcntrKey(1)), mrs(21, PmuKey.PMCCNTR_EL0), mrs(22, PmuKey.PMOVSSET_EL0), ...systemOff(),
    ]);
    expectShutdown(v.run());
    return { c0: x(v, 19), c1: x(v, 20), cycles: x(v, 21), ovs: x(v, 22) };
  }

  it('INST_RETIRED and CPU_CYCLES count exactly the instructions between the PMCR writes (CPI 1)', () => {
    // The enabling MSR and the NOPs count; the disabling MSR does not.
    expect(countNops(300, 0x11)).toEqual({ c0: 301n, c1: 301n, cycles: 301n, ovs: 0n });
  });

  it('PMEVTYPER.P (exclude EL1) stops counting at EL1', () => {
    expect(countNops(50, 0x8000_0011).c0).toBe(0n);
  });

  it('an event counter overflows at 32 bits (the 64-bit value goes on) and CHAIN counts its overflows; not with LP', () => {
    const run = (lp: boolean) => {
      const { v } = pmuGuest([
        A64.movz(9, 0x08), msr(pmevtyperKey(0), 9), A64.movz(9, 0x1e), msr(pmevtyperKey(1), 9),
        ...A64.mov64(9, 0xffff_fff0n), msr(pmevcntrKey(0), 9), A64.movz(9, 3), msr(PmuKey.PMCNTENSET_EL0, 9),
        A64.movz(9, E | (lp ? 0x80 : 0)), msr(PmuKey.PMCR_EL0, 9),
        ...new Array<number>(40).fill(NOP),
        msr(PmuKey.PMCR_EL0, 31), mrs(19, pmevcntrKey(0)), mrs(20, pmevcntrKey(1)), mrs(22, PmuKey.PMOVSSET_EL0), ...systemOff(),
      ]);
      expectShutdown(v.run());
      return [x(v, 19), x(v, 20), x(v, 22)];
    };
    expect(run(false)).toEqual([0x1_0000_0019n, 1n, 1n]); // 41 counted from 0xfffffff0
    expect(run(true)).toEqual([0x1_0000_0019n, 0n, 0n]); // 64-bit overflow: none, and no CHAIN
  });

  it('SW_INCR counts PMSWINC_EL0 writes only while PMCR_EL0.E is set', () => {
    const { v } = pmuGuest([
      msr(pmevtyperKey(0), 31), A64.movz(9, 1), msr(PmuKey.PMCNTENSET_EL0, 9),
      msr(PmuKey.PMSWINC_EL0, 9), // E clear: not counted
      msr(PmuKey.PMCR_EL0, 9), msr(PmuKey.PMSWINC_EL0, 9), msr(PmuKey.PMSWINC_EL0, 9),
      mrs(19, pmevcntrKey(0)), ...systemOff(),
    ]);
    expectShutdown(v.run());
    expect(x(v, 19)).toBe(2n);
  });

  it('MEM_ACCESS counts each data load and store', () => {
    const { v } = pmuGuest([
      A64.movz(9, 0x13), msr(pmevtyperKey(0), 9), A64.movz(9, 1), msr(PmuKey.PMCNTENSET_EL0, 9),
      ...A64.mov64(5, BigInt(RAM + 0x4000)), msr(PmuKey.PMCR_EL0, 9),
      A64.ldrx(6, 5), A64.strx(6, 5), A64.ldrw(6, 5), NOP,
      msr(PmuKey.PMCR_EL0, 31), mrs(19, pmevcntrKey(0)), ...systemOff(),
    ]);
    expectShutdown(v.run());
    expect(x(v, 19)).toBe(3n);
  });

  it('the overflow interrupt (PPI 23, through the vGIC) is taken right after the instruction that overflowed', () => {
    const PMOVSCLR = PmuKey.PMOVSCLR_EL0;
    const code = [
      ...A64.mov64(1, BigInt(GICD_BASE)), A64.movz(2, 0x12), A64.strw(2, 1), // GICD_CTLR: ARE, EnableGrp1
      ...A64.mov64(5, BigInt(GICR_BASE + GICR.ISENABLER0)), ...A64.mov64(6, 1n << BigInt(PMU_PPI)), A64.strw(6, 5),
      A64.movz(3, 0xff), msrIcc('ICC_PMR_EL1', 3), A64.movz(3, 1), msrIcc('ICC_IGRPEN1_EL1', 3), UNMASK_IRQ,
      A64.movz(9, 0x08), msr(pmevtyperKey(0), 9), ...A64.mov64(9, 0xffff_fff0n), msr(pmevcntrKey(0), 9),
      A64.movz(9, 1), msr(PmuKey.PMCNTENSET_EL0, 9), msr(PmuKey.PMINTENSET_EL1, 9),
      A64.movz(2, 0), msr(PmuKey.PMCR_EL0, 9),
      ...new Array<number>(40).fill(A64.addi(2, 2, 1)),
      ...systemOff(),
    ];
    const handler = [
      A64.mov(14, 2), mrsIcc(10, 'ICC_IAR1_EL1'), A64.movz(15, 1), msr(PmuKey.PMCNTENCLR_EL0, 15), msr(PMOVSCLR, 15),
      msrIcc('ICC_EOIR1_EL1', 10), A64.addi(11, 11, 1), ERET,
    ];
    const { v } = pmuGuest(code, handler);
    expectShutdown(v.run());
    // The enabling MSR counts 1, so the 15th ADD makes 0xfffffff0 + 16 wrap: the interrupt comes after it.
    expect(x(v, 14)).toBe(15n);
    expect(x(v, 11)).toBe(1n);
    expect(x(v, 10) & 0xffffffn).toBe(BigInt(PMU_PPI));
  });
});

describe('PMU ONE_REG state', () => {
  it('the registers are in the register list and round-trip; the set registers take the whole mask', () => {
    const { v } = pmuGuest([...systemOff()]);
    const ids = v.getRegList();
    for (const k of [PmuKey.PMCR_EL0, PmuKey.PMCCNTR_EL0, pmevcntrKey(5), pmevtyperKey(5)]) expect(ids).toContain(oneReg(k));
    expect(ids).not.toContain(oneReg(pmevcntrKey(6)));
    v.setOneReg(oneReg(PmuKey.PMCNTENSET_EL0), 0x8000_0001n);
    v.setOneReg(oneReg(PmuKey.PMCNTENSET_EL0), 0x2n);
    expect(v.getOneReg(oneReg(PmuKey.PMCNTENSET_EL0))).toBe(0x2n);
    v.setOneReg(oneReg(pmevcntrKey(2)), 0x1_2345_6789n);
    expect(v.getOneReg(oneReg(pmevcntrKey(2)))).toBe(0x1_2345_6789n);
    v.setOneReg(oneReg(PmuKey.PMCR_EL0), 0xffn);
    expect(v.getOneReg(oneReg(PmuKey.PMCR_EL0))).toBe(0x4101_30f9n); // P and C neither act nor stick
  });
});
