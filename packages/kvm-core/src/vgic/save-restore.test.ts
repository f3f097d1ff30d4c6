import { describe, expect, it } from 'vitest';
import { mpidrForVcpuId } from '../psci.js';
import { ICC_REGISTERS, sysregId, type IccRegName } from './cpu-interface-v3.js';
import { GICC, GICD_V2 } from './registers-v2.js';
import { GICD, GICR } from './registers-v3.js';
import { VgicV2 } from './vgic-v2.js';
import { VgicV3 } from './vgic-v3.js';

const NR_IRQS = 128;

/** A GICv3 with state built through guest accesses only: pending, active, levels, priorities, routing, CPU state. */
function busyV3(): VgicV3 {
  const gic = new VgicV3({ nrVcpus: 3, nrIrqs: NR_IRQS });
  gic.distWrite(GICD.CTLR, 4, 0x3n);
  for (let v = 0; v < 3; v++) {
    gic.iccWrite(v, 'ICC_PMR_EL1', 0xe8n);
    gic.iccWrite(v, 'ICC_IGRPEN1_EL1', 1n);
    gic.iccWrite(v, 'ICC_IGRPEN0_EL1', BigInt(v & 1));
    gic.iccWrite(v, 'ICC_BPR1_EL1', BigInt(3 + v));
    gic.iccWrite(v, 'ICC_BPR0_EL1', BigInt(2 + v));
    gic.redistWrite(v, GICR.IPRIORITYR0 + 4, 4, BigInt(0x10203040 + v * 0x08080808));
    gic.redistWrite(v, GICR.ISENABLER0, 4, BigInt((0x0800_0000 | (1 << (20 + v))) >>> 0));
    gic.redistWrite(v, GICR.ICENABLER0, 4, BigInt(1 << (v + 10)));
    gic.redistWrite(v, GICR.IGROUPR0, 4, BigInt(~(1 << (v + 4)) >>> 0));
  }
  gic.iccWrite(1, 'ICC_CTLR_EL1', 2n); // EOImode 1 on vCPU 1
  gic.iccWrite(2, 'ICC_CTLR_EL1', 1n); // CBPR on vCPU 2
  gic.redistWrite(2, GICR.WAKER, 4, 2n);
  for (let i = 32; i < NR_IRQS; i++) {
    gic.distWrite(GICD.IPRIORITYR + i, 1, BigInt((i * 13) & 0xff));
    gic.distWrite(GICD.IROUTER + 8 * i, 8, mpidrForVcpuId(i % 4) & 0xff_ffffn); // i % 4 == 3: no such vCPU
  }
  gic.distWrite(GICD.ICFGR + 8, 4, 0xa0a0_8822n);
  gic.distWrite(GICD.ISENABLER + 4, 4, 0xffff_0f0fn);
  gic.distWrite(GICD.ISENABLER + 8, 4, 0x1234_5678n);
  gic.distWrite(GICD.IGROUPR + 8, 4, 0x00ff_00ffn);
  gic.distWrite(GICD.ISPENDR + 8, 4, 0x0000_f000n);
  gic.distWrite(GICD.ISACTIVER + 12, 4, 0x8000_0001n);
  for (const intid of [33, 36, 40, 70, 77, 100]) gic.setLevel(intid, 0, true);
  gic.setLevel(27, 1, true);
  gic.setLevel(23, 2, true);
  gic.iccWrite(0, 'ICC_SGI1R_EL1', (3n << 24n) | 0b110n);
  gic.iccWrite(2, 'ICC_SGI1R_EL1', (1n << 40n) | (9n << 24n));
  for (let v = 0; v < 3; v++) gic.iccRead(v, 'ICC_IAR1_EL1'); // some become active
  gic.iccRead(1, 'ICC_IAR0_EL1');
  gic.iccWrite(1, 'ICC_EOIR1_EL1', 3n); // EOImode 1: priority dropped, still active
  return gic;
}

const V3_DIST_SAVED: number[] = (() => {
  const offs: number[] = [GICD.CTLR, GICD.IIDR];
  for (const base of [GICD.IGROUPR, GICD.ISENABLER, GICD.ISPENDR, GICD.ISACTIVER]) {
    for (let i = 1; i < NR_IRQS / 32; i++) offs.push(base + 4 * i);
  }
  for (let i = 32; i < NR_IRQS; i += 4) offs.push(GICD.IPRIORITYR + i);
  for (let i = 2; i < NR_IRQS / 16; i++) offs.push(GICD.ICFGR + 4 * i);
  for (let i = 32; i < NR_IRQS; i++) offs.push(GICD.IROUTER + 8 * i, GICD.IROUTER + 8 * i + 4);
  return offs;
})();
const V3_REDIST_SAVED = [
  GICR.WAKER, GICR.IGROUPR0, GICR.ISENABLER0, GICR.ISPENDR0, GICR.ISACTIVER0, GICR.ICFGR0, GICR.ICFGR1,
  ...Array.from({ length: 8 }, (_, i) => GICR.IPRIORITYR0 + 4 * i),
];
const V3_SYSREGS: IccRegName[] = [
  'ICC_SRE_EL1', 'ICC_CTLR_EL1', 'ICC_PMR_EL1', 'ICC_BPR0_EL1', 'ICC_BPR1_EL1', 'ICC_AP0R0_EL1', 'ICC_AP1R0_EL1',
  'ICC_IGRPEN0_EL1', 'ICC_IGRPEN1_EL1',
];
/** Where a set register needs its clear twin written first in a restore. */
const CLEAR_TWIN = new Map<number, number>([
  [GICD.ISENABLER, GICD.ICENABLER], [GICD.ISACTIVER, GICD.ICACTIVER],
  [GICR.ISENABLER0, GICR.ICENABLER0], [GICR.ISACTIVER0, GICR.ICACTIVER0],
]);

function twin(offset: number, bases: number[]): number | undefined {
  for (const base of bases) {
    if (offset >= base && offset < base + 0x80) return CLEAR_TWIN.get(base)! + (offset - base);
  }
  return undefined;
}

/** Every guest-visible register of a GICv3, read without side effects. */
function guestViewV3(gic: VgicV3): Record<string, bigint | boolean> {
  const view: Record<string, bigint | boolean> = {};
  for (let off = 0; off < 0x10000; off += 4) {
    const x = gic.distRead(off, 4);
    if (x !== 0n) view[`GICD+0x${off.toString(16)}`] = x;
  }
  for (let v = 0; v < gic.nrVcpus; v++) {
    for (let off = 0; off < 0x20000; off += 4) {
      const x = gic.redistRead(v, off, 4);
      if (x !== 0n) view[`GICR${v}+0x${off.toString(16)}`] = x;
    }
    for (const name of Object.keys(ICC_REGISTERS) as IccRegName[]) {
      if (ICC_REGISTERS[name].access === 'w' || name.startsWith('ICC_IAR')) continue;
      view[`${name}/${v}`] = gic.iccRead(v, name);
    }
    view[`irq/${v}`] = gic.irqLine(v);
    view[`fiq/${v}`] = gic.fiqLine(v);
  }
  return view;
}

describe('vGICv3 save and restore through the user-space accessors', () => {
  it('round trip: every guest-visible register of a fresh model equals the original', () => {
    const src = busyV3();
    const dist = V3_DIST_SAVED.map((off) => [off, src.userDistRead(off)] as const);
    const redist = [0, 1, 2].map((v) => V3_REDIST_SAVED.map((off) => [off, src.userRedistRead(v, off)] as const));
    const sys = [0, 1, 2].map((v) => V3_SYSREGS.map((n) => [n, src.userCpuSysregRead(v, sysregId(ICC_REGISTERS[n]))] as const));
    const levels = [0, 1, 2].map((v) =>
      Array.from({ length: NR_IRQS / 32 }, (_, i) => src.userLevelInfoRead(v, 32 * i)));

    const dst = new VgicV3({ nrVcpus: 3, nrIrqs: NR_IRQS });
    for (const [off, value] of dist) {
      const clear = twin(off, [GICD.ISENABLER, GICD.ISACTIVER]);
      if (clear !== undefined) dst.userDistWrite(clear, ~value);
      dst.userDistWrite(off, value);
    }
    for (let v = 0; v < 3; v++) {
      for (const [n, value] of sys[v]!) dst.userCpuSysregWrite(v, sysregId(ICC_REGISTERS[n]), value);
      for (const [off, value] of redist[v]!) {
        const clear = twin(off, [GICR.ISENABLER0, GICR.ISACTIVER0]);
        if (clear !== undefined) dst.userRedistWrite(v, clear, ~value);
        dst.userRedistWrite(v, off, value);
      }
      levels[v]!.forEach((value, i) => dst.userLevelInfoWrite(v, 32 * i, value));
    }
    const before = guestViewV3(src);
    expect(Object.keys(before).length).toBeGreaterThan(100);
    expect(guestViewV3(dst)).toEqual(before);
    // and the restored model behaves the same from here: the same acknowledges
    for (let v = 0; v < 3; v++) expect(dst.iccRead(v, 'ICC_IAR1_EL1')).toBe(src.iccRead(v, 'ICC_IAR1_EL1'));
  });

  it('user ISPENDR reads and writes the latch, not the line level; ICPENDR is RAZ/WI; level info carries the line', () => {
    const gic = new VgicV3({ nrVcpus: 1, nrIrqs: 64 });
    gic.distWrite(GICD.ISENABLER + 4, 4, 1n);
    gic.setLevel(32, 0, true);
    expect(gic.distRead(GICD.ISPENDR + 4, 4)).toBe(1n); // the guest sees it pending
    expect(gic.userDistRead(GICD.ISPENDR + 4)).toBe(0); // user space: no latch
    expect(gic.userLevelInfoRead(0, 32)).toBe(1);
    gic.userDistWrite(GICD.ISPENDR + 4, 2); // sets 33's latch, clears 32's (none)
    gic.userDistWrite(GICD.ICPENDR + 4, 0xffff_ffff);
    expect(gic.userDistRead(GICD.ICPENDR + 4)).toBe(0);
    gic.setLevel(32, 0, false);
    expect(gic.distRead(GICD.ISPENDR + 4, 4)).toBe(2n);
    gic.setLevel(21, 0, true); // a PPI: the redistributor's user view is the latch too
    expect(gic.redistRead(0, GICR.ISPENDR0, 4)).toBe(BigInt(1 << 21));
    expect(gic.userRedistRead(0, GICR.ISPENDR0)).toBe(0);
    expect(gic.userLevelInfoRead(0, 0)).toBe(1 << 21);
    gic.setLevel(21, 0, false);
    gic.userRedistWrite(0, GICR.ISPENDR0, 1 << 20);
    gic.userRedistWrite(0, GICR.ICPENDR0, 1 << 20);
    expect(gic.redistRead(0, GICR.ISPENDR0, 4)).toBe(BigInt(1 << 20));
  });

  it('read-only fields: GICD_IIDR, ICC_CTLR_EL1 PRIbits/IDbits/SEIS/A3V, ICC_SRE_EL1.SRE refuse other values', () => {
    const gic = new VgicV3({ nrVcpus: 1 });
    expect(() => gic.userDistWrite(GICD.IIDR, 0)).toThrow(/EINVAL/);
    gic.userDistWrite(GICD.IIDR, gic.userDistRead(GICD.IIDR));
    const ctlr = sysregId(ICC_REGISTERS.ICC_CTLR_EL1);
    expect(() => gic.userCpuSysregWrite(0, ctlr, 0n)).toThrow(/EINVAL/);
    gic.userCpuSysregWrite(0, ctlr, gic.userCpuSysregRead(0, ctlr) | 2n);
    expect(gic.iccRead(0, 'ICC_CTLR_EL1') & 2n).toBe(2n);
    expect(() => gic.userCpuSysregWrite(0, sysregId(ICC_REGISTERS.ICC_SRE_EL1), 0n)).toThrow(/EINVAL/);
    expect(() => gic.userCpuSysregRead(0, sysregId(ICC_REGISTERS.ICC_IAR1_EL1))).toThrow(/ENXIO/);
    expect(() => gic.userDistRead(0x10000)).toThrow(/ENXIO/);
    expect(() => gic.userRedistRead(0, 0x6)).toThrow(/ENXIO/);
  });
});

function busyV2(): VgicV2 {
  const gic = new VgicV2({ nrVcpus: 3, nrIrqs: NR_IRQS });
  gic.distWrite(0, GICD_V2.CTLR, 4, 3n);
  for (let v = 0; v < 3; v++) {
    gic.cpuWrite(v, GICC.PMR, 4, 0xf0n);
    gic.cpuWrite(v, GICC.CTLR, 4, BigInt(1 | (v === 1 ? 0x200 : 0) | (v === 2 ? 0x1e : 0)));
    gic.cpuWrite(v, GICC.BPR, 4, BigInt(2 + v));
    gic.cpuWrite(v, GICC.ABPR, 4, BigInt(3 + v));
    gic.distWrite(v, GICD_V2.IPRIORITYR + 24, 4, BigInt(0x10203040 + v * 0x08080808));
    gic.distWrite(v, GICD_V2.ISENABLER, 4, BigInt(1 << (25 + v)));
    gic.distWrite(v, GICD_V2.ICENABLER, 4, BigInt(1 << (v + 10)));
    gic.distWrite(v, GICD_V2.IGROUPR, 4, BigInt(1 << (v + 4)));
  }
  for (let i = 32; i < NR_IRQS; i++) {
    gic.distWrite(0, GICD_V2.IPRIORITYR + i, 1, BigInt((i * 13) & 0xff));
    gic.distWrite(0, GICD_V2.ITARGETSR + i, 1, BigInt(i % 8));
  }
  gic.distWrite(0, GICD_V2.ICFGR + 8, 4, 0xa0a0_8822n);
  gic.distWrite(0, GICD_V2.ISENABLER + 4, 4, 0xffff_0f0fn);
  gic.distWrite(0, GICD_V2.ISPENDR + 8, 4, 0x0000_f000n);
  gic.distWrite(0, GICD_V2.ISACTIVER + 12, 4, 0x8000_0001n);
  for (const intid of [33, 36, 40, 70]) gic.setLevel(intid, 0, true);
  gic.setLevel(26, 1, true);
  gic.distWrite(0, GICD_V2.SGIR, 4, (0b110n << 16n) | 3n);
  gic.distWrite(2, GICD_V2.SGIR, 4, (1n << 24n) | 9n);
  gic.distWrite(1, GICD_V2.SGIR, 4, (1n << 24n) | 9n);
  for (let v = 0; v < 3; v++) gic.cpuRead(v, GICC.IAR, 4);
  gic.cpuWrite(1, GICC.EOIR, 4, 3n);
  return gic;
}

function guestViewV2(gic: VgicV2): Record<string, bigint | boolean> {
  const view: Record<string, bigint | boolean> = {};
  for (let v = 0; v < gic.nrVcpus; v++) {
    for (let off = 0; off < 0x1000; off += 4) {
      const x = gic.distRead(v, off, 4);
      if (x !== 0n) view[`GICD${v}+0x${off.toString(16)}`] = x;
    }
    for (const off of [GICC.CTLR, GICC.PMR, GICC.BPR, GICC.ABPR, GICC.RPR, GICC.HPPIR, GICC.AHPPIR, GICC.APR0, GICC.IIDR]) {
      view[`GICC${v}+0x${off.toString(16)}`] = gic.cpuRead(v, off, 4);
    }
    view[`irq/${v}`] = gic.irqLine(v);
    view[`fiq/${v}`] = gic.fiqLine(v);
  }
  return view;
}

describe('vGICv2 save and restore through the user-space accessors', () => {
  it('round trip: every guest-visible register of a fresh model equals the original', () => {
    const src = busyV2();
    const perCpu = [0, 1, 2].map((v) => {
      const dist: Array<readonly [number, number]> = [];
      const push = (off: number) => dist.push([off, src.userDistRead(v, off)]);
      push(GICD_V2.CTLR);
      push(GICD_V2.IIDR);
      for (const base of [GICD_V2.IGROUPR, GICD_V2.ISENABLER, GICD_V2.ISPENDR, GICD_V2.ISACTIVER]) {
        for (let i = 0; i < NR_IRQS / 32; i++) push(base + 4 * i);
      }
      for (let i = 0; i < NR_IRQS; i += 4) push(GICD_V2.IPRIORITYR + i);
      for (let i = 0; i < NR_IRQS; i += 4) push(GICD_V2.ITARGETSR + i);
      for (let i = 0; i < NR_IRQS / 16; i++) push(GICD_V2.ICFGR + 4 * i);
      for (let i = 0; i < 16; i += 4) push(GICD_V2.SPENDSGIR + i);
      const cpu = [GICC.CTLR, GICC.PMR, GICC.BPR, GICC.ABPR, GICC.APR0].map((off) => [off, src.userCpuRead(v, off)] as const);
      return { dist, cpu };
    });
    const dst = new VgicV2({ nrVcpus: 3, nrIrqs: NR_IRQS });
    for (let v = 0; v < 3; v++) {
      for (const [off, value] of perCpu[v]!.dist) {
        const clear = twin(off, [GICD_V2.ISENABLER, GICD_V2.ISACTIVER]);
        if (clear !== undefined) dst.userDistWrite(v, clear, ~value);
        if (off >= GICD_V2.SPENDSGIR && off < GICD_V2.SPENDSGIR + 16) {
          dst.userDistWrite(v, off - 0x10, 0xffff_ffff); // CPENDSGIR: drop the sources ISPENDR guessed
        }
        dst.userDistWrite(v, off, value);
      }
      for (const [off, value] of perCpu[v]!.cpu) dst.userCpuWrite(v, off, value);
    }
    const before = guestViewV2(src);
    expect(Object.keys(before).length).toBeGreaterThan(60);
    expect(guestViewV2(dst)).toEqual(before);
    for (let v = 0; v < 3; v++) expect(dst.cpuRead(v, GICC.IAR, 4)).toBe(src.cpuRead(v, GICC.IAR, 4));
  });

  it('user GICC_PMR is the 5 implemented bits, as KVM\'s ABI', () => {
    const gic = new VgicV2({ nrVcpus: 1 });
    gic.cpuWrite(0, GICC.PMR, 4, 0xa8n);
    expect(gic.userCpuRead(0, GICC.PMR)).toBe(0x15);
    gic.userCpuWrite(0, GICC.PMR, 0x1f);
    expect(gic.cpuRead(0, GICC.PMR, 4)).toBe(0xf8n);
    expect(gic.userCpuRead(0, GICC.IAR)).toBe(0); // not a saved register: RAZ/WI to user space
  });
});
