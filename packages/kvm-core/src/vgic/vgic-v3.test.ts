import { describe, expect, it } from 'vitest';
import { KvmError } from '../errors.js';
import { mpidrForVcpuId } from '../psci.js';
import { GICD, GICR } from './registers-v3.js';
import { iccByEncoding, ICC_REGISTERS } from './cpu-interface-v3.js';
import { VgicV3 } from './vgic-v3.js';

type Event = [vcpu: number, line: 'irq' | 'fiq', level: boolean];

function make(nrVcpus = 2, nrIrqs = 128) {
  const events: Event[] = [];
  const gic = new VgicV3({
    nrVcpus, nrIrqs,
    onIrqLine: (v, l) => events.push([v, 'irq', l]),
    onFiqLine: (v, l) => events.push([v, 'fiq', l]),
  });
  return { gic, events };
}

const rd32 = (gic: VgicV3, off: number) => Number(gic.distRead(off, 4));
const wd32 = (gic: VgicV3, off: number, v: number) => gic.distWrite(off, 4, BigInt(v >>> 0));
const rr32 = (gic: VgicV3, rd: number, off: number) => Number(gic.redistRead(rd, off, 4));
const wr32 = (gic: VgicV3, rd: number, off: number, v: number) => gic.redistWrite(rd, off, 4, BigInt(v >>> 0));

/** Enable Group 1 in the distributor and the CPU interfaces, PMR open, as kvm-unit-tests' gic_enable_defaults. */
function enableDefaults(gic: VgicV3) {
  wd32(gic, GICD.CTLR, 0x12);
  for (let v = 0; v < gic.nrVcpus; v++) {
    gic.iccWrite(v, 'ICC_PMR_EL1', 0xf0n);
    gic.iccWrite(v, 'ICC_IGRPEN1_EL1', 1n);
  }
}

/** Make SPI `intid` edge-triggered, enabled, with `priority`, routed to `vcpu`. */
function setupSpi(gic: VgicV3, intid: number, priority: number, vcpu = 0) {
  const cfgOff = GICD.ICFGR + 4 * (intid >> 4);
  wd32(gic, cfgOff, rd32(gic, cfgOff) | (2 << (2 * (intid & 15))));
  gic.distWrite(GICD.IPRIORITYR + intid, 1, BigInt(priority));
  gic.distWrite(GICD.IROUTER + 8 * intid, 8, mpidrForVcpuId(vcpu) & 0xff_ffffn);
  wd32(gic, GICD.ISENABLER + 4 * (intid >> 5), 1 << (intid & 31));
}

describe('vGICv3 distributor registers', () => {
  it('GICD_CTLR keeps EnableGrp0/EnableGrp1, reads ARE and DS as one and RWP as zero', () => {
    const { gic } = make();
    expect(rd32(gic, GICD.CTLR)).toBe(0x50);
    wd32(gic, GICD.CTLR, 0xffff_ffff);
    expect(rd32(gic, GICD.CTLR)).toBe(0x53);
    wd32(gic, GICD.CTLR, 0);
    expect(rd32(gic, GICD.CTLR)).toBe(0x50);
  });

  it('GICD_TYPER: ITLinesNumber from nrIrqs, CPUNumber, IDbits 9, no LPIs, No1N; TYPER, IIDR and PIDR2 are read-only', () => {
    const { gic } = make(3, 256);
    const typer = rd32(gic, GICD.TYPER);
    expect(typer & 0x1f).toBe(7);
    expect((typer >> 5) & 7).toBe(2);
    expect((typer >> 19) & 0x1f).toBe(9);
    expect((typer >> 17) & 1).toBe(0); // LPIS
    expect((typer >> 25) & 1).toBe(1);
    expect(rd32(gic, GICD.IIDR)).toBe(0x4b00343b);
    expect(rd32(gic, GICD.PIDR2)).toBe(0x3b);
    for (const off of [GICD.TYPER, GICD.IIDR, GICD.PIDR2]) {
      const before = rd32(gic, off);
      wd32(gic, off, 0xa5a55a5a);
      expect(rd32(gic, off)).toBe(before);
    }
  });

  it('set/clear pairs: ISENABLER/ICENABLER, ISPENDR/ICPENDR, ISACTIVER/ICACTIVER, and both read the state', () => {
    const { gic } = make();
    for (const [set, clr] of [
      [GICD.ISENABLER, GICD.ICENABLER], [GICD.ISPENDR, GICD.ICPENDR], [GICD.ISACTIVER, GICD.ICACTIVER],
    ] as const) {
      wd32(gic, set + 4, 0x0000_f00f);
      expect(rd32(gic, set + 4)).toBe(0xf00f);
      expect(rd32(gic, clr + 4)).toBe(0xf00f);
      wd32(gic, set + 4, 0x0000_0100); // a set only sets
      expect(rd32(gic, set + 4)).toBe(0xf10f);
      wd32(gic, clr + 4, 0x0000_000f); // a clear only clears
      expect(rd32(gic, set + 4)).toBe(0xf100);
    }
  });

  it('bank 0 (SGIs, PPIs), ITARGETSR, IGRPMODR, NSACR, SGIR are RAZ/WI in the distributor', () => {
    const { gic } = make();
    for (const off of [GICD.ISENABLER, GICD.ISPENDR, GICD.ISACTIVER, GICD.IGROUPR, GICD.IPRIORITYR, GICD.ICFGR,
      GICD.ITARGETSR + 32, GICD.IGRPMODR + 4, GICD.NSACR + 8, GICD.SGIR, GICD.STATUSR, GICD.IROUTER]) {
      wd32(gic, off, 0xffff_ffff);
      expect(rd32(gic, off), `offset 0x${off.toString(16)}`).toBe(0);
    }
    expect(rr32(gic, 0, GICR.ISENABLER0)).toBe(0xffff); // the redistributor's SGI enables are untouched
  });

  it('IPRIORITYR keeps 5 bits, is byte accessible, and is RAZ/WI past the last interrupt', () => {
    const { gic } = make(1, 64);
    wd32(gic, GICD.IPRIORITYR + 32, 0xffff_ffff);
    expect(rd32(gic, GICD.IPRIORITYR + 32)).toBe(0xf8f8_f8f8);
    wd32(gic, GICD.IPRIORITYR + 32, 0xff7f_bf3f);
    expect(rd32(gic, GICD.IPRIORITYR + 32)).toBe(0xf878_b838);
    expect(gic.distRead(GICD.IPRIORITYR + 33, 1)).toBe(0xb8n);
    gic.distWrite(GICD.IPRIORITYR + 34, 1, 0x1fn);
    expect(rd32(gic, GICD.IPRIORITYR + 32)).toBe(0xf818_b838);
    wd32(gic, GICD.IPRIORITYR + 64, 0xffff_ffff);
    expect(rd32(gic, GICD.IPRIORITYR + 64)).toBe(0);
    wd32(gic, GICD.IPRIORITYR + 60, 0);
    expect(rd32(gic, GICD.IPRIORITYR + 60)).toBe(0);
  });

  it('ICFGR: SPIs switch between level (0) and edge (0b10); bit 0 of each field reads 0', () => {
    const { gic } = make();
    wd32(gic, GICD.ICFGR + 8, 0xffff_ffff);
    expect(rd32(gic, GICD.ICFGR + 8)).toBe(0xaaaa_aaaa);
    wd32(gic, GICD.ICFGR + 8, 0x0000_0008);
    expect(rd32(gic, GICD.ICFGR + 8)).toBe(0x8);
  });

  it('IROUTER: 64-bit and 32-bit accesses; Aff2.Aff1.Aff0 kept, IRM and Aff3 RAZ/WI', () => {
    const { gic } = make();
    gic.distWrite(GICD.IROUTER + 8 * 40, 8, 0xff_0000_0000n | (1n << 31n) | 0x01_0203n);
    expect(gic.distRead(GICD.IROUTER + 8 * 40, 8)).toBe(0x01_0203n);
    expect(rd32(gic, GICD.IROUTER + 8 * 40 + 4)).toBe(0);
    wd32(gic, GICD.IROUTER + 8 * 40, 1);
    expect(gic.distRead(GICD.IROUTER + 8 * 40, 8)).toBe(1n);
  });

  it('bad accesses read as zero and change nothing: 16-bit, misaligned, byte access to a word register, outside the frame', () => {
    const { gic } = make();
    wd32(gic, GICD.ISENABLER + 4, 0x1);
    gic.distWrite(GICD.ISENABLER + 4, 2, 0xffffn);
    gic.distWrite(GICD.ISENABLER + 4, 1, 0xffn);
    gic.distWrite(GICD.ISENABLER + 5, 4, 0xffff_ffffn);
    gic.distWrite(GICD.ISENABLER + 4, 8, -1n & 0xffff_ffff_ffff_ffffn);
    gic.distWrite(0x10000, 4, 1n);
    gic.distWrite(-4, 4, 1n);
    expect(rd32(gic, GICD.ISENABLER + 4)).toBe(1);
    expect(gic.distRead(GICD.ISENABLER + 4, 2)).toBe(0n);
    expect(gic.distRead(GICD.ISENABLER + 4, 1)).toBe(0n);
    expect(gic.distRead(GICD.CTLR + 1, 4)).toBe(0n);
    expect(gic.distRead(0x10000, 4)).toBe(0n);
    expect(gic.distRead(3.5, 4)).toBe(0n);
  });
});

describe('vGICv3 redistributor', () => {
  it('GICR_TYPER: affinity from the MPIDR, Processor_Number, Last on the last redistributor; 64-bit readable', () => {
    const { gic } = make(18);
    expect(gic.redistRead(0, GICR.TYPER, 8)).toBe(0n);
    expect(gic.redistRead(17, GICR.TYPER, 8)).toBe((0x0101n << 32n) | (17n << 8n) | 0x10n);
    expect(rr32(gic, 16, GICR.TYPER + 4)).toBe(0x0100);
    expect(rr32(gic, 16, GICR.TYPER)).toBe(16 << 8);
    expect(rr32(gic, 0, GICR.IIDR)).toBe(0x4b00043b);
    expect(rr32(gic, 0, GICR.PIDR2)).toBe(0x3b);
    expect(rr32(gic, 0, GICR.CTLR)).toBe(0x6);
  });

  it('GICR_TYPER follows given MPIDRs', () => {
    const gic = new VgicV3({ nrVcpus: 2, mpidrs: [0x8000_0000n | 0x030201n, 0x8000_0000n | 0x030202n] });
    expect(rr32(gic, 1, GICR.TYPER + 4)).toBe(0x030202);
    expect(() => new VgicV3({ nrVcpus: 2, mpidrs: [0n] })).toThrow(KvmError);
  });

  it('GICR_WAKER: ProcessorSleep is kept and ChildrenAsleep follows it', () => {
    const { gic } = make();
    expect(rr32(gic, 1, GICR.WAKER)).toBe(0);
    wr32(gic, 1, GICR.WAKER, 0x2);
    expect(rr32(gic, 1, GICR.WAKER)).toBe(0x6);
    expect(rr32(gic, 0, GICR.WAKER)).toBe(0);
    wr32(gic, 1, GICR.WAKER, 0x4);
    expect(rr32(gic, 1, GICR.WAKER)).toBe(0);
  });

  it('SGI_base registers are banked per vCPU; SGIs reset enabled and edge, PPIs level and read-only config', () => {
    const { gic } = make();
    expect(rr32(gic, 0, GICR.ISENABLER0)).toBe(0xffff);
    expect(rr32(gic, 0, GICR.ICFGR0)).toBe(0xaaaa_aaaa);
    expect(rr32(gic, 0, GICR.ICFGR1)).toBe(0);
    wr32(gic, 0, GICR.ICFGR1, 0xffff_ffff);
    wr32(gic, 0, GICR.ICFGR0, 0);
    expect(rr32(gic, 0, GICR.ICFGR1)).toBe(0);
    expect(rr32(gic, 0, GICR.ICFGR0)).toBe(0xaaaa_aaaa);
    wr32(gic, 1, GICR.ISENABLER0, 1 << 27);
    expect(rr32(gic, 1, GICR.ISENABLER0)).toBe(0x0800_ffff);
    expect(rr32(gic, 0, GICR.ISENABLER0)).toBe(0xffff);
    gic.redistWrite(1, GICR.IPRIORITYR0 + 27, 1, 0xa7n);
    expect(gic.redistRead(1, GICR.IPRIORITYR0 + 27, 1)).toBe(0xa0n);
    expect(gic.redistRead(0, GICR.IPRIORITYR0 + 27, 1)).toBe(0n);
    expect(rr32(gic, 0, GICR.IGROUPR0)).toBe(0xffff_ffff); // KVM resets GICv3 interrupts to Group 1
    expect(() => gic.redistRead(2, 0, 4)).toThrow(KvmError);
  });
});

describe('vGICv3 CPU interface: acknowledge, priorities, EOI', () => {
  it('IRQ line rises on a pending enabled interrupt, IAR1 acknowledges it, EOIR1 ends it (EOImode 0)', () => {
    const { gic, events } = make();
    enableDefaults(gic);
    setupSpi(gic, 40, 0x80);
    expect(events).toEqual([]);
    gic.setLevel(40, 0, true);
    expect(events).toEqual([[0, 'irq', true]]);
    expect(gic.iccRead(0, 'ICC_HPPIR1_EL1')).toBe(40n);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(40n);
    expect(events).toEqual([[0, 'irq', true], [0, 'irq', false]]);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0x80n);
    expect(gic.iccRead(0, 'ICC_AP1R0_EL1')).toBe(1n << 16n);
    expect(rd32(gic, GICD.ISACTIVER + 4)).toBe(1 << 8);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(1023n); // nothing else pending
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 40n);
    expect(rd32(gic, GICD.ISACTIVER + 4)).toBe(0);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0xffn);
    expect(gic.iccRead(0, 'ICC_AP1R0_EL1')).toBe(0n);
  });

  it('a level-sensitive interrupt stays pending while its line is high, and is taken again after EOI', () => {
    const { gic, events } = make();
    enableDefaults(gic);
    gic.distWrite(GICD.IPRIORITYR + 33, 1, 0x40n);
    wd32(gic, GICD.ISENABLER + 4, 1 << 1);
    gic.setLevel(33, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(33n);
    expect(rd32(gic, GICD.ISPENDR + 4)).toBe(1 << 1); // active and pending
    expect(gic.irqLine(0)).toBe(false);
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 33n);
    expect(gic.irqLine(0)).toBe(true);
    gic.setLevel(33, 0, false);
    expect(gic.irqLine(0)).toBe(false);
    expect(rd32(gic, GICD.ISPENDR + 4)).toBe(0);
    expect(events.map((e) => e[2])).toEqual([true, false, true, false]);
  });

  it('an edge-triggered interrupt latches on a rising edge only', () => {
    const { gic } = make();
    enableDefaults(gic);
    setupSpi(gic, 50, 0x10);
    gic.setLevel(50, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(50n);
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 50n);
    gic.setLevel(50, 0, true); // still high: no new edge
    expect(gic.irqLine(0)).toBe(false);
    gic.setLevel(50, 0, false);
    gic.setLevel(50, 0, true);
    expect(gic.irqLine(0)).toBe(true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(50n);
  });

  it('PMR masks interrupts of equal or lower priority; its low 3 bits are RAZ/WI', () => {
    const { gic } = make();
    enableDefaults(gic);
    setupSpi(gic, 40, 0x80);
    gic.iccWrite(0, 'ICC_PMR_EL1', 0x87n);
    expect(gic.iccRead(0, 'ICC_PMR_EL1')).toBe(0x80n);
    wd32(gic, GICD.ISPENDR + 4, 1 << 8);
    expect(gic.irqLine(0)).toBe(false);
    expect(gic.iccRead(0, 'ICC_HPPIR1_EL1')).toBe(40n); // HPPIR ignores the mask
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(1023n);
    gic.iccWrite(0, 'ICC_PMR_EL1', 0x88n);
    expect(gic.irqLine(0)).toBe(true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(40n);
  });

  it('preemption follows the group priority of BPR1: same group priority does not preempt', () => {
    const { gic } = make();
    enableDefaults(gic);
    setupSpi(gic, 40, 0x80);
    setupSpi(gic, 41, 0x70);
    setupSpi(gic, 42, 0x40);
    gic.iccWrite(0, 'ICC_BPR1_EL1', 5n); // group priority [7:5]: 0x80 and 0x70 -> 0x80 and 0x60
    gic.iccWrite(0, 'ICC_BPR1_EL1', 6n); // [7:6]: 0x80 -> 0x80, 0x70 -> 0x40, 0x40 -> 0x40
    expect(gic.iccRead(0, 'ICC_BPR1_EL1')).toBe(6n);
    gic.setLevel(40, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(40n);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0x80n);
    gic.setLevel(41, 0, true); // 0x70: group priority 0x40 < 0x80: preempts
    expect(gic.irqLine(0)).toBe(true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(41n);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0x40n);
    gic.setLevel(42, 0, true); // 0x40: group priority 0x40, not below the running 0x40
    expect(gic.irqLine(0)).toBe(false);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(1023n);
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 41n); // running priority back to 0x80
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0x80n);
    expect(gic.irqLine(0)).toBe(true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(42n);
  });

  it('with CBPR, Group 1 preempts by BPR0: group priority [7:BPR0+1]', () => {
    const { gic } = make();
    enableDefaults(gic);
    gic.iccWrite(0, 'ICC_CTLR_EL1', 1n); // CBPR
    gic.iccWrite(0, 'ICC_BPR0_EL1', 4n); // group priority [7:5]
    setupSpi(gic, 40, 0x90);
    setupSpi(gic, 41, 0x88);
    setupSpi(gic, 42, 0x78);
    gic.setLevel(40, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(40n);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0x80n);
    gic.setLevel(41, 0, true); // group priority 0x80: no preemption
    expect(gic.irqLine(0)).toBe(false);
    gic.setLevel(42, 0, true); // group priority 0x60: preempts
    expect(gic.irqLine(0)).toBe(true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(42n);
  });

  it('an active and pending interrupt is not signalled again after its priority drop (EOImode 1) until DIR', () => {
    const { gic } = make();
    enableDefaults(gic);
    gic.iccWrite(0, 'ICC_CTLR_EL1', 2n);
    gic.distWrite(GICD.IPRIORITYR + 33, 1, 0x40n);
    wd32(gic, GICD.ISENABLER + 4, 1 << 1);
    gic.setLevel(33, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(33n);
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 33n);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0xffn);
    expect(gic.irqLine(0)).toBe(false);
    expect(gic.iccRead(0, 'ICC_HPPIR1_EL1')).toBe(1023n);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(1023n);
    gic.iccWrite(0, 'ICC_DIR_EL1', 33n);
    expect(gic.irqLine(0)).toBe(true);
  });

  it('BPR values below the minimum read as the minimum (2 for BPR0, 3 for BPR1); CBPR makes BPR1 read BPR0+1', () => {
    const { gic } = make();
    gic.iccWrite(0, 'ICC_BPR0_EL1', 0n);
    gic.iccWrite(0, 'ICC_BPR1_EL1', 0n);
    expect(gic.iccRead(0, 'ICC_BPR0_EL1')).toBe(2n);
    expect(gic.iccRead(0, 'ICC_BPR1_EL1')).toBe(3n);
    gic.iccWrite(0, 'ICC_BPR0_EL1', 4n);
    gic.iccWrite(0, 'ICC_CTLR_EL1', 1n);
    expect(gic.iccRead(0, 'ICC_BPR1_EL1')).toBe(5n);
    gic.iccWrite(0, 'ICC_BPR1_EL1', 7n); // ignored with CBPR
    gic.iccWrite(0, 'ICC_CTLR_EL1', 0n);
    expect(gic.iccRead(0, 'ICC_BPR1_EL1')).toBe(3n);
  });

  it('EOImode 1: EOIR only drops the priority, DIR deactivates; with EOImode 0 DIR is ignored', () => {
    const { gic } = make();
    enableDefaults(gic);
    setupSpi(gic, 40, 0x80);
    gic.iccWrite(0, 'ICC_CTLR_EL1', 2n);
    expect(gic.iccRead(0, 'ICC_CTLR_EL1') & 2n).toBe(2n);
    gic.setLevel(40, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(40n);
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 40n);
    expect(gic.iccRead(0, 'ICC_RPR_EL1')).toBe(0xffn);
    expect(rd32(gic, GICD.ISACTIVER + 4)).toBe(1 << 8);
    gic.iccWrite(0, 'ICC_DIR_EL1', 40n);
    expect(rd32(gic, GICD.ISACTIVER + 4)).toBe(0);

    gic.iccWrite(0, 'ICC_CTLR_EL1', 0n);
    gic.setLevel(40, 0, false);
    gic.setLevel(40, 0, true);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(40n);
    gic.iccWrite(0, 'ICC_DIR_EL1', 40n);
    expect(rd32(gic, GICD.ISACTIVER + 4)).toBe(1 << 8);
  });

  it('Group 0 is signalled as FIQ and acknowledged through IAR0; IAR1 reads 1023 while Group 0 is highest', () => {
    const { gic, events } = make();
    enableDefaults(gic);
    wd32(gic, GICD.CTLR, 0x13);
    gic.iccWrite(0, 'ICC_IGRPEN0_EL1', 1n);
    setupSpi(gic, 40, 0x80);
    wd32(gic, GICD.IGROUPR + 4, ~(1 << 8));
    gic.setLevel(40, 0, true);
    expect(events).toEqual([[0, 'fiq', true]]);
    expect(gic.iccRead(0, 'ICC_HPPIR1_EL1')).toBe(1023n);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(1023n);
    expect(gic.iccRead(0, 'ICC_HPPIR0_EL1')).toBe(40n);
    expect(gic.iccRead(0, 'ICC_IAR0_EL1')).toBe(40n);
    expect(gic.iccRead(0, 'ICC_AP0R0_EL1')).toBe(1n << 16n);
    gic.iccWrite(0, 'ICC_EOIR1_EL1', 40n); // the active priority is Group 0's: ignored
    expect(gic.iccRead(0, 'ICC_AP0R0_EL1')).toBe(1n << 16n);
    gic.iccWrite(0, 'ICC_EOIR0_EL1', 40n);
    expect(gic.iccRead(0, 'ICC_AP0R0_EL1')).toBe(0n);
  });

  it('group enables gate signalling: GICD_CTLR.EnableGrp1 and ICC_IGRPEN1_EL1', () => {
    const { gic, events } = make();
    setupSpi(gic, 40, 0x80);
    gic.iccWrite(0, 'ICC_PMR_EL1', 0xffn);
    gic.setLevel(40, 0, true);
    expect(gic.irqLine(0)).toBe(false);
    gic.iccWrite(0, 'ICC_IGRPEN1_EL1', 1n);
    expect(gic.irqLine(0)).toBe(false);
    wd32(gic, GICD.CTLR, 0x2);
    expect(gic.irqLine(0)).toBe(true);
    gic.iccWrite(0, 'ICC_IGRPEN1_EL1', 0n);
    expect(gic.irqLine(0)).toBe(false);
    expect(events).toEqual([[0, 'irq', true], [0, 'irq', false]]);
  });

  it('SPIs reach only the vCPU IROUTER names; re-routing moves the pending interrupt', () => {
    const { gic } = make();
    enableDefaults(gic);
    setupSpi(gic, 40, 0x80, 1);
    gic.setLevel(40, 0, true);
    expect([gic.irqLine(0), gic.irqLine(1)]).toEqual([false, true]);
    gic.distWrite(GICD.IROUTER + 8 * 40, 8, 0n);
    expect([gic.irqLine(0), gic.irqLine(1)]).toEqual([true, false]);
    gic.distWrite(GICD.IROUTER + 8 * 40, 8, 0x99n); // no such vCPU: nowhere
    expect([gic.irqLine(0), gic.irqLine(1)]).toEqual([false, false]);
  });

  it('ICACTIVER from the handler, as kvm-unit-tests gicv3-active does, deactivates the SGI', () => {
    const { gic } = make();
    enableDefaults(gic);
    gic.iccWrite(0, 'ICC_SGI1R_EL1', (0n << 24n) | 1n); // SGI 0 to Aff0 0
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(0n);
    expect(rr32(gic, 0, GICR.ISACTIVER0)).toBe(1);
    wr32(gic, 0, GICR.ICACTIVER0, 1);
    expect(rr32(gic, 0, GICR.ISACTIVER0)).toBe(0);
    expect(gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(1023n);
  });

  it('ICC_SRE_EL1 reads SRE, DFB, DIB set and ignores writes; ICC_CTLR_EL1 reports 5 priority bits, A3V', () => {
    const { gic } = make();
    gic.iccWrite(0, 'ICC_SRE_EL1', 0n);
    expect(gic.iccRead(0, 'ICC_SRE_EL1')).toBe(7n);
    const ctlr = gic.iccRead(0, 'ICC_CTLR_EL1');
    expect((ctlr >> 8n) & 7n).toBe(4n);
    expect((ctlr >> 11n) & 7n).toBe(0n);
    expect((ctlr >> 14n) & 1n).toBe(0n);
    expect((ctlr >> 15n) & 1n).toBe(1n);
    gic.iccWrite(0, 'ICC_CTLR_EL1', 0xffff_ffffn);
    expect(gic.iccRead(0, 'ICC_CTLR_EL1')).toBe(ctlr | 3n);
  });

  it('names map to their encodings and back', () => {
    expect(iccByEncoding(3, 0, 4, 6, 0)).toBe('ICC_PMR_EL1');
    expect(iccByEncoding(3, 0, 12, 12, 0)).toBe('ICC_IAR1_EL1');
    expect(iccByEncoding(3, 0, 12, 11, 5)).toBe('ICC_SGI1R_EL1');
    expect(iccByEncoding(3, 0, 12, 8, 5)).toBeUndefined(); // ICC_AP0R1_EL1: not with 5 priority bits
    for (const [name, d] of Object.entries(ICC_REGISTERS)) {
      expect(iccByEncoding(d.op0, d.op1, d.crn, d.crm, d.op2)).toBe(name);
    }
  });
});

describe('vGICv3 SGIs', () => {
  it('ICC_SGI1R_EL1 delivers to the target list within Aff3.Aff2.Aff1', () => {
    const { gic } = make(20);
    enableDefaults(gic);
    // Aff1 = 1 (vCPUs 16..19), Aff0 bits 0 and 2: vCPUs 16 and 18.
    gic.iccWrite(3, 'ICC_SGI1R_EL1', (5n << 24n) | (1n << 16n) | 0b101n);
    const lines = Array.from({ length: 20 }, (_, v) => gic.irqLine(v));
    expect(lines.flatMap((l, v) => (l ? [v] : []))).toEqual([16, 18]);
    expect(gic.iccRead(16, 'ICC_IAR1_EL1')).toBe(5n);
    // Aff0 list with Aff1 = 0: vCPUs 1 and 15.
    gic.iccWrite(3, 'ICC_SGI1R_EL1', (5n << 24n) | (1n << 1n) | (1n << 15n));
    expect(gic.irqLine(1) && gic.irqLine(15) && !gic.irqLine(3)).toBe(true);
  });

  it('IRM broadcast reaches every vCPU but the sender', () => {
    const { gic } = make(4);
    enableDefaults(gic);
    gic.iccWrite(2, 'ICC_SGI1R_EL1', (1n << 40n) | (3n << 24n));
    expect([0, 1, 2, 3].map((v) => gic.irqLine(v))).toEqual([true, true, false, true]);
    for (const v of [0, 1, 3]) expect(gic.iccRead(v, 'ICC_IAR1_EL1')).toBe(3n);
  });

  it('SGI0R and ASGI1R pend only Group 0 SGIs; SGI1R pends either group', () => {
    const { gic } = make(2);
    enableDefaults(gic);
    gic.iccWrite(0, 'ICC_SGI0R_EL1', (1n << 24n) | 2n);
    gic.iccWrite(0, 'ICC_ASGI1R_EL1', (1n << 24n) | 2n);
    expect(rr32(gic, 1, GICR.ISPENDR0)).toBe(0); // SGI 1 is Group 1
    wr32(gic, 1, GICR.IGROUPR0, ~(1 << 1));
    gic.iccWrite(0, 'ICC_SGI0R_EL1', (1n << 24n) | 2n);
    expect(rr32(gic, 1, GICR.ISPENDR0)).toBe(1 << 1);
    wr32(gic, 1, GICR.ICPENDR0, 1 << 1);
    gic.iccWrite(0, 'ICC_SGI1R_EL1', (1n << 24n) | 2n);
    expect(rr32(gic, 1, GICR.ISPENDR0)).toBe(1 << 1);
  });
});

describe('vGICv3 API misuse', () => {
  it('throws KvmError EINVAL for bad sizes, vCPU indices and interrupt lines', () => {
    const bad = [
      () => new VgicV3({ nrVcpus: 1, nrIrqs: 48 }),
      () => new VgicV3({ nrVcpus: 1, nrIrqs: 32 }),
      () => new VgicV3({ nrVcpus: 1, nrIrqs: 1056 }),
      () => new VgicV3({ nrVcpus: 0 }),
      () => new VgicV3({ nrVcpus: 513 }),
      () => make().gic.setLevel(5, 0, true),
      () => make().gic.setLevel(128, 0, true),
      () => make().gic.setLevel(20, 2, true),
      () => make().gic.iccRead(-1, 'ICC_PMR_EL1'),
      () => make().gic.userLevelInfoRead(0, 40),
    ];
    for (const f of bad) {
      expect(f).toThrow(KvmError);
      try {
        f();
      } catch (e) {
        expect((e as KvmError).code).toBe('EINVAL');
      }
    }
  });
});
