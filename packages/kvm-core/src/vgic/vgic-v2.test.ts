import { describe, expect, it } from 'vitest';
import { KvmError } from '../errors.js';
import { GICC, GICD_V2 } from './registers-v2.js';
import { VgicV2 } from './vgic-v2.js';

type Event = [vcpu: number, line: 'irq' | 'fiq', level: boolean];

function make(nrVcpus = 2, nrIrqs = 128) {
  const events: Event[] = [];
  const gic = new VgicV2({
    nrVcpus, nrIrqs,
    onIrqLine: (v, l) => events.push([v, 'irq', l]),
    onFiqLine: (v, l) => events.push([v, 'fiq', l]),
  });
  return { gic, events };
}

const rd = (gic: VgicV2, v: number, off: number) => Number(gic.distRead(v, off, 4));
const wd = (gic: VgicV2, v: number, off: number, x: number) => gic.distWrite(v, off, 4, BigInt(x >>> 0));
const rc = (gic: VgicV2, v: number, off: number) => Number(gic.cpuRead(v, off, 4));
const wc = (gic: VgicV2, v: number, off: number, x: number) => gic.cpuWrite(v, off, 4, BigInt(x >>> 0));

/** kvm-unit-tests' gicv2 enable defaults: distributor and CPU interfaces on, PMR 0xf0. */
function enableDefaults(gic: VgicV2) {
  wd(gic, 0, GICD_V2.CTLR, 1);
  for (let v = 0; v < gic.nrVcpus; v++) {
    wc(gic, v, GICC.PMR, 0xf0);
    wc(gic, v, GICC.CTLR, 1);
  }
}

/** kvm-unit-tests' test_readonly_32 with razwi: true when the register ignores three patterns. */
function readOnly(gic: VgicV2, off: number, razwi: boolean): boolean {
  const orig = rd(gic, 0, off);
  if (razwi && orig !== 0) return false;
  for (const p of [0xffff_ffff, 0xa5a5_5a5a, 0]) {
    wd(gic, 0, off, p);
    if (rd(gic, 0, off) !== orig) return false;
  }
  return true;
}

describe('vGICv2 distributor (the checks of kvm-unit-tests gicv2-mmio)', () => {
  for (const nrVcpus of [1, 2, 3]) {
    it(`TYPER, IIDR, ICPIDR2 read-only; priorities; ITARGETSR with ${nrVcpus} vCPUs`, () => {
      const { gic } = make(nrVcpus, 96);
      const typer = rd(gic, 0, GICD_V2.TYPER);
      const nrIrqs = ((typer & 0x1f) + 1) * 32;
      expect(nrIrqs).toBe(96);
      expect(((typer >> 5) & 7) + 1).toBe(nrVcpus);
      expect(readOnly(gic, GICD_V2.TYPER, false)).toBe(true);
      expect(readOnly(gic, GICD_V2.IIDR, false)).toBe(true);
      expect(rd(gic, 0, GICD_V2.IIDR)).toBe(0x4b00243b);
      expect(readOnly(gic, GICD_V2.PIDR2, false)).toBe(true);
      expect((rd(gic, 0, GICD_V2.PIDR2) >> 4) & 0xf).toBe(2);

      // IPRIORITYR
      const firstSpi = GICD_V2.IPRIORITYR + 32;
      wd(gic, 0, firstSpi, 0xffff_ffff);
      const priMask = rd(gic, 0, firstSpi);
      expect(priMask).toBe(0xf8f8_f8f8);
      expect(readOnly(gic, GICD_V2.IPRIORITYR + nrIrqs, true)).toBe(true);
      wd(gic, 0, GICD_V2.IPRIORITYR + nrIrqs - 4, 0);
      expect(rd(gic, 0, GICD_V2.IPRIORITYR + nrIrqs - 4)).toBe(0);
      wd(gic, 0, firstSpi, 0xff7f_bf3f);
      expect(rd(gic, 0, firstSpi)).toBe((0xff7f_bf3f & priMask) >>> 0);
      expect(Number(gic.distRead(0, firstSpi + 1, 1))).toBe((0xff7f_bf3f >>> 8) & 0xff & (priMask >>> 8));
      gic.distWrite(0, firstSpi + 2, 1, 0x1fn);
      expect(rd(gic, 0, firstSpi)).toBe((0xff1f_bf3f & priMask) >>> 0);

      // ITARGETSR
      const targets = GICD_V2.ITARGETSR + 32;
      let cpuMask = (1 << nrVcpus) - 1;
      cpuMask |= cpuMask << 8;
      cpuMask |= cpuMask << 16;
      wd(gic, 0, targets, 0xffff_ffff);
      expect(rd(gic, 0, targets) & ~cpuMask).toBe(0);
      expect(readOnly(gic, GICD_V2.ITARGETSR + nrIrqs, true)).toBe(true);
      wd(gic, 0, targets, 0x0103_020f);
      expect(rd(gic, 0, targets)).toBe((0x0103_020f & cpuMask) >>> 0);
      expect(Number(gic.distRead(0, targets + 1, 1))).toBe((0x0103_020f >>> 8) & 0xff & (cpuMask >>> 8));
      gic.distWrite(0, targets + 2, 1, 0x1fn);
      expect(rd(gic, 0, targets)).toBe((0x011f_020f & cpuMask) >>> 0);
    });
  }

  it('ITARGETSR0-7 are read-only and read as the reading CPU in every byte', () => {
    const { gic } = make(3);
    for (let v = 0; v < 3; v++) {
      for (let off = 0; off < 32; off += 4) {
        wd(gic, v, GICD_V2.ITARGETSR + off, 0);
        expect(rd(gic, v, GICD_V2.ITARGETSR + off)).toBe(0x0101_0101 * (1 << v));
      }
    }
  });

  it('an SPI goes to the CPUs of its targets; with no target it reaches no CPU', () => {
    const { gic } = make(3);
    enableDefaults(gic);
    wd(gic, 0, GICD_V2.ISENABLER + 4, 1 << 8);
    wd(gic, 0, GICD_V2.ISPENDR + 4, 1 << 8);
    expect([0, 1, 2].map((v) => gic.irqLine(v))).toEqual([false, false, false]);
    gic.distWrite(0, GICD_V2.ITARGETSR + 40, 1, 0b110n);
    expect([0, 1, 2].map((v) => gic.irqLine(v))).toEqual([false, true, true]);
    expect(rc(gic, 2, GICC.IAR)).toBe(40); // the first CPU to acknowledge takes it
    expect(gic.irqLine(1)).toBe(false);
    expect(rc(gic, 1, GICC.IAR)).toBe(1023);
  });

  it('GICD_ISPENDR0/ICPENDR0 SGI bits are WI; SPENDSGIR/CPENDSGIR set and clear per source', () => {
    const { gic } = make(3);
    wd(gic, 1, GICD_V2.ISPENDR, 0xffff);
    expect(rd(gic, 1, GICD_V2.ISPENDR)).toBe(0);
    gic.distWrite(1, GICD_V2.SPENDSGIR + 5, 1, 0xffn);
    expect(Number(gic.distRead(1, GICD_V2.SPENDSGIR + 5, 1))).toBe(0b111);
    expect(rd(gic, 1, GICD_V2.ISPENDR)).toBe(1 << 5);
    wd(gic, 1, GICD_V2.ICPENDR, 1 << 5);
    expect(rd(gic, 1, GICD_V2.ISPENDR)).toBe(1 << 5);
    gic.distWrite(1, GICD_V2.CPENDSGIR + 5, 1, 0b011n);
    expect(Number(gic.distRead(1, GICD_V2.CPENDSGIR + 5, 1))).toBe(0b100);
    gic.distWrite(1, GICD_V2.CPENDSGIR + 5, 1, 0b100n);
    expect(rd(gic, 1, GICD_V2.ISPENDR)).toBe(0);
    expect(rd(gic, 0, GICD_V2.SPENDSGIR + 4)).toBe(0);
  });
});

describe('vGICv2 SGIs and the CPU interface', () => {
  it('GICD_SGIR target list, "all but self" and "self"; GICC_IAR reports the source CPU', () => {
    const { gic } = make(4);
    enableDefaults(gic);
    wd(gic, 1, GICD_V2.SGIR, (0b1010 << 16) | 2); // CPUs 1 and 3
    expect([0, 1, 2, 3].map((v) => gic.irqLine(v))).toEqual([false, true, false, true]);
    expect(rc(gic, 3, GICC.IAR)).toBe((1 << 10) | 2);
    expect(rc(gic, 1, GICC.IAR)).toBe((1 << 10) | 2);
    wc(gic, 1, GICC.EOIR, (1 << 10) | 2);
    wc(gic, 3, GICC.EOIR, (1 << 10) | 2);

    wd(gic, 2, GICD_V2.SGIR, (1 << 24) | 7); // broadcast
    expect([0, 1, 2, 3].map((v) => gic.irqLine(v))).toEqual([true, true, false, true]);
    for (const v of [0, 1, 3]) expect(rc(gic, v, GICC.IAR)).toBe((2 << 10) | 7);

    wd(gic, 2, GICD_V2.SGIR, (2 << 24) | 4); // self
    expect(rc(gic, 2, GICC.IAR)).toBe((2 << 10) | 4);
    wd(gic, 2, GICD_V2.SGIR, (3 << 24) | 4); // reserved filter: nothing
    expect(gic.irqLine(2)).toBe(false);
  });

  it('an SGI from two sources is taken once per source, the second after the first is deactivated', () => {
    const { gic } = make(3);
    enableDefaults(gic);
    wd(gic, 2, GICD_V2.SGIR, (1 << 16) | 9);
    wd(gic, 1, GICD_V2.SGIR, (1 << 16) | 9);
    expect(rc(gic, 0, GICC.HPPIR)).toBe((1 << 10) | 9);
    expect(rc(gic, 0, GICC.IAR)).toBe((1 << 10) | 9);
    expect(Number(gic.distRead(0, GICD_V2.SPENDSGIR + 9, 1))).toBe(0b100);
    expect(rc(gic, 0, GICC.IAR)).toBe(1023); // active and pending: not taken again yet
    wc(gic, 0, GICC.EOIR, (1 << 10) | 9);
    expect(rc(gic, 0, GICC.IAR)).toBe((2 << 10) | 9);
    wc(gic, 0, GICC.EOIR, (2 << 10) | 9);
    expect(rc(gic, 0, GICC.IAR)).toBe(1023);
  });

  it('GICC_PMR, RPR, BPR/ABPR minimums, APR and IIDR', () => {
    const { gic } = make(1);
    enableDefaults(gic);
    wc(gic, 0, GICC.PMR, 0xff);
    expect(rc(gic, 0, GICC.PMR)).toBe(0xf8);
    wc(gic, 0, GICC.BPR, 0);
    wc(gic, 0, GICC.ABPR, 0);
    expect([rc(gic, 0, GICC.BPR), rc(gic, 0, GICC.ABPR)]).toEqual([2, 3]);
    expect(rc(gic, 0, GICC.RPR)).toBe(0xff);
    expect(rc(gic, 0, GICC.IIDR)).toBe(0x04b2043b);
    wd(gic, 0, GICD_V2.ISENABLER + 4, 1);
    gic.distWrite(0, GICD_V2.IPRIORITYR + 32, 1, 0x30n);
    gic.distWrite(0, GICD_V2.ITARGETSR + 32, 1, 1n);
    gic.setLevel(32, 0, true);
    expect(rc(gic, 0, GICC.IAR)).toBe(32);
    expect(rc(gic, 0, GICC.RPR)).toBe(0x30);
    expect(rc(gic, 0, GICC.APR0)).toBe(1 << 6);
    wc(gic, 0, GICC.EOIR, 32);
    expect(rc(gic, 0, GICC.APR0)).toBe(0);
  });

  it('Group 1 needs AckCtl for GICC_IAR (1022 otherwise); GICC_AIAR takes it; Group 0 is FIQ with FIQEn', () => {
    const { gic, events } = make(1);
    wd(gic, 0, GICD_V2.CTLR, 3);
    wc(gic, 0, GICC.PMR, 0xff);
    wc(gic, 0, GICC.CTLR, 0b11);
    wd(gic, 0, GICD_V2.IGROUPR, 1 << 3);
    wd(gic, 0, GICD_V2.SGIR, (2 << 24) | 3);
    expect(events).toEqual([[0, 'irq', true]]);
    expect(rc(gic, 0, GICC.HPPIR)).toBe(1022);
    expect(rc(gic, 0, GICC.IAR)).toBe(1022);
    expect(rc(gic, 0, GICC.AHPPIR)).toBe(3);
    expect(rc(gic, 0, GICC.AIAR)).toBe(3);
    wc(gic, 0, GICC.AEOIR, 3);
    wc(gic, 0, GICC.CTLR, 0b111);
    wd(gic, 0, GICD_V2.SGIR, (2 << 24) | 3);
    expect(rc(gic, 0, GICC.IAR)).toBe(3);
    wc(gic, 0, GICC.EOIR, 3);
    events.length = 0;
    wc(gic, 0, GICC.CTLR, 0b1011); // FIQEn
    wd(gic, 0, GICD_V2.SGIR, (2 << 24) | 4); // SGI 4 is Group 0
    expect(events).toEqual([[0, 'fiq', true]]);
    expect(rc(gic, 0, GICC.AIAR)).toBe(1023);
    expect(rc(gic, 0, GICC.IAR)).toBe(4);
  });

  it('EOImode: GICC_EOIR drops the priority only, GICC_DIR deactivates', () => {
    const { gic } = make(1);
    enableDefaults(gic);
    wc(gic, 0, GICC.CTLR, 1 | (1 << 9));
    wd(gic, 0, GICD_V2.SGIR, (2 << 24) | 1);
    expect(rc(gic, 0, GICC.IAR)).toBe(1);
    wc(gic, 0, GICC.EOIR, 1);
    expect(rc(gic, 0, GICC.RPR)).toBe(0xff);
    expect(rd(gic, 0, GICD_V2.ISACTIVER)).toBe(2);
    wc(gic, 0, GICC.DIR, 1);
    expect(rd(gic, 0, GICD_V2.ISACTIVER)).toBe(0);
  });

  it('more than 8 vCPUs, or a CPU interface offset outside the frame from user space, are refused', () => {
    expect(() => new VgicV2({ nrVcpus: 9 })).toThrow(KvmError);
    const { gic } = make(1);
    expect(() => gic.userCpuRead(0, 0x2000)).toThrow(/ENXIO/);
    expect(() => gic.userDistRead(0, 2)).toThrow(/ENXIO/);
    expect(gic.cpuRead(0, 0x2000, 4)).toBe(0n);
  });
});
