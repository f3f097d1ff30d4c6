import { describe, expect, it } from 'vitest';
import { GICD, GICR } from './registers-v3.js';
import { VgicV3 } from './vgic-v3.js';
import { Its } from './its.js';
import { E_ITS, ITS_CMD } from './its-commands.js';
import type { GuestMemory } from './its-guest-memory.js';
import { GITS, GITS_TYPER_VALUE } from './its-registers.js';
import { restoreItsTables, saveItsTables } from './its-tables.js';

/** Guest RAM at 0x4000_0000 (1 MiB) as the vGIC sees it. */
const RAM = 0x4000_0000n;
const PROP = RAM + 0x1_0000n;
const PEND = (v: number) => RAM + 0x2_0000n + BigInt(v) * 0x1_0000n;
const DEV_TABLE = RAM + 0x8_0000n;
const COLL_TABLE = RAM + 0x9_0000n;
const CMDQ = RAM + 0xa_0000n;
const ITT = (d: number) => RAM + 0xb_0000n + BigInt(d) * 0x1000n;

function ramMemory(bytes = new Uint8Array(0x10_0000)): GuestMemory & { bytes: Uint8Array } {
  const off = (ipa: bigint, len: number) => (ipa >= RAM && ipa + BigInt(len) <= RAM + BigInt(bytes.length) ? Number(ipa - RAM) : -1);
  return {
    bytes,
    read: (ipa, len) => (off(ipa, len) < 0 ? undefined : bytes.slice(off(ipa, len), off(ipa, len) + len)),
    write: (ipa, b) => {
      const o = off(ipa, b.length);
      if (o < 0) return false;
      bytes.set(b, o);
      return true;
    },
  };
}

/** A vGICv3 with an ITS over `mem`, LPIs set up as kvm-unit-tests does (PROPBASER IDbits 13, EnableLPIs, ITS on). */
function machine(nrVcpus = 4, mem = ramMemory()) {
  const irq: boolean[] = new Array<boolean>(nrVcpus).fill(false);
  const gic = new VgicV3({ nrVcpus, memory: mem, onIrqLine: (v, l) => { irq[v] = l; } });
  gic.hasLpis = true;
  const its = new Its({ memory: mem, nrVcpus: () => nrVcpus, lpis: () => gic.lpis });
  gic.distWrite(GICD.CTLR, 4, 0x12n);
  for (let v = 0; v < nrVcpus; v++) {
    gic.iccWrite(v, 'ICC_PMR_EL1', 0xf0n);
    gic.iccWrite(v, 'ICC_IGRPEN1_EL1', 1n);
    gic.redistWrite(v, GICR.PROPBASER, 8, PROP | 13n);
    gic.redistWrite(v, GICR.PENDBASER, 8, PEND(v));
  }
  return { gic, its, mem, irq };
}

function enable(m: ReturnType<typeof machine>) {
  const { gic, its } = m;
  for (let v = 0; v < gic.nrVcpus; v++) gic.redistWrite(v, GICR.CTLR, 4, 1n);
  its.write(GITS.BASER, 8, its.read(GITS.BASER, 8) | DEV_TABLE | (1n << 63n));
  its.write(GITS.BASER + 8, 8, its.read(GITS.BASER + 8, 8) | COLL_TABLE | (1n << 63n));
  its.write(GITS.CBASER, 8, CMDQ | 15n | (1n << 63n)); // 64 KiB queue
  its.write(GITS.CWRITER, 8, 0n);
  its.write(GITS.CTLR, 4, 1n);
}

/** Queue commands (each [w0, w1, w2, w3]) at CWRITER and post them. */
function send(m: ReturnType<typeof machine>, ...cmds: bigint[][]) {
  let at = Number(m.its.read(GITS.CWRITER, 8));
  for (const c of cmds) {
    for (let w = 0; w < 4; w++) {
      for (let i = 0; i < 8; i++) m.mem.bytes[Number(CMDQ - RAM) + at + w * 8 + i] = Number(((c[w] ?? 0n) >> BigInt(8 * i)) & 0xffn);
    }
    at = (at + 32) % 0x1_0000;
  }
  m.its.write(GITS.CWRITER, 8, BigInt(at));
}

const mapd = (dev: number, bits: number, valid = true) => [BigInt(ITS_CMD.MAPD) | (BigInt(dev) << 32n), BigInt(bits - 1), ITT(dev) | (valid ? 1n << 63n : 0n)];
const mapc = (icid: number, target: number, valid = true) => [BigInt(ITS_CMD.MAPC), 0n, BigInt(icid) | (BigInt(target) << 16n) | (valid ? 1n << 63n : 0n)];
const mapti = (dev: number, ev: number, intid: number, icid: number) => [BigInt(ITS_CMD.MAPTI) | (BigInt(dev) << 32n), BigInt(ev) | (BigInt(intid) << 32n), BigInt(icid)];
const devev = (cmd: number, dev: number, ev: number, w2 = 0n) => [BigInt(cmd) | (BigInt(dev) << 32n), BigInt(ev), w2];
const invall = (icid: number) => [BigInt(ITS_CMD.INVALL), 0n, BigInt(icid)];
const setConfig = (m: ReturnType<typeof machine>, intid: number, prop: number) => { m.mem.bytes[Number(PROP - RAM) + intid - 8192] = prop; };

/** kvm-unit-tests' its_setup1: dev 2 event 20 → LPI 8195 on collection 3 (vCPU 3), dev 7 event 255 → 8196 on 2. */
function setup1(m: ReturnType<typeof machine>) {
  setConfig(m, 8195, 0xa3);
  setConfig(m, 8196, 0xa3);
  send(m, mapd(2, 8), mapd(7, 8), mapc(3, 3), mapc(2, 2), invall(2), invall(3), mapti(2, 20, 8195, 3), mapti(7, 255, 8196, 2));
}

describe('ITS registers', () => {
  it('GITS_TYPER and IIDR are KVM\'s and read-only; BASER0/1 name the device and collection tables, 8-byte entries, 64 KiB pages', () => {
    const { its } = machine();
    expect(its.read(GITS.TYPER, 8)).toBe(GITS_TYPER_VALUE);
    expect(its.read(GITS.IIDR, 4)).toBe(0x4b00_043bn);
    its.write(GITS.TYPER, 4, 0n);
    its.write(GITS.IIDR, 4, 0n);
    expect([its.read(GITS.TYPER, 8), its.read(GITS.IIDR, 4)]).toEqual([GITS_TYPER_VALUE, 0x4b00_043bn]);
    const b0 = its.read(GITS.BASER, 8);
    const b1 = its.read(GITS.BASER + 8, 8);
    expect([(b0 >> 56n) & 7n, (b1 >> 56n) & 7n]).toEqual([1n, 4n]);
    expect([(b0 >> 48n) & 0x1fn, (b0 >> 8n) & 3n]).toEqual([7n, 2n]);
    its.write(GITS.BASER + 8, 8, (7n << 56n) | (1n << 62n) | (0n << 8n)); // type RO, no indirect collections, 64K forced
    const w = its.read(GITS.BASER + 8, 8);
    expect([(w >> 56n) & 7n, (w >> 62n) & 1n, (w >> 8n) & 3n]).toEqual([4n, 0n, 2n]);
    expect(its.read(GITS.BASER + 16, 8)).toBe(0n);
  });

  it('GITS_CTLR stays disabled without valid tables and queue; GITS_CBASER resets CREADR and CWRITER', () => {
    const m = machine();
    m.its.write(GITS.CTLR, 4, 1n);
    expect(m.its.read(GITS.CTLR, 4)).toBe(0x8000_0000n); // Quiescent, not enabled
    enable(m);
    expect(m.its.read(GITS.CTLR, 4)).toBe(0x8000_0001n);
    m.its.write(GITS.CBASER, 8, 0n); // ignored while enabled
    expect(m.its.read(GITS.CBASER, 8) >> 63n).toBe(1n);
  });
});

describe('ITS commands and LPI delivery', () => {
  it('INT delivers the mapped LPI to its collection\'s vCPU, acknowledged with its INTID and no active state', () => {
    const m = machine();
    enable(m);
    setup1(m);
    expect(m.its.read(GITS.CREADR, 8)).toBe(m.its.read(GITS.CWRITER, 8));
    expect(m.its.lastError).toBeUndefined();
    send(m, devev(ITS_CMD.INT, 2, 20));
    expect(m.irq).toEqual([false, false, false, true]);
    expect(m.gic.iccRead(3, 'ICC_HPPIR1_EL1')).toBe(8195n);
    expect(m.gic.iccRead(3, 'ICC_IAR1_EL1')).toBe(8195n);
    expect(m.irq[3]).toBe(false);
    send(m, devev(ITS_CMD.INT, 2, 20)); // pending again while the first is being handled: waits for the priority drop
    expect(m.irq[3]).toBe(false);
    m.gic.iccWrite(3, 'ICC_EOIR1_EL1', 8195n);
    expect(m.irq[3]).toBe(true);
    expect(m.gic.iccRead(3, 'ICC_IAR1_EL1')).toBe(8195n);
    m.gic.iccWrite(3, 'ICC_EOIR1_EL1', 8195n);
    send(m, devev(ITS_CMD.INT, 7, 255));
    expect(m.irq).toEqual([false, false, true, false]);
    expect(m.gic.iccRead(2, 'ICC_IAR1_EL1')).toBe(8196n);
  });

  it('a configuration change is seen after INV or INVALL; a disabled LPI stays pending, unsignalled', () => {
    const m = machine();
    enable(m);
    setup1(m);
    setConfig(m, 8195, 0xa2); // disabled
    send(m, devev(ITS_CMD.INV, 2, 20), devev(ITS_CMD.INT, 2, 20));
    expect(m.irq[3]).toBe(false);
    setConfig(m, 8195, 0xa3);
    expect(m.irq[3]).toBe(false); // not yet invalidated
    send(m, invall(3));
    expect(m.irq[3]).toBe(true);
    expect(m.gic.iccRead(3, 'ICC_IAR1_EL1')).toBe(8195n);
  });

  it('a failing command is ignored with KVM\'s error and the queue goes on; MAPD V=0 unmaps the device\'s events', () => {
    const m = machine();
    enable(m);
    setup1(m);
    send(m, mapti(9, 0, 8200, 3)); // device 9 not mapped
    expect(m.its.lastError).toBe(E_ITS.MAPTI_UNMAPPED_DEVICE);
    send(m, mapti(2, 256, 8200, 3)); // event beyond 8 bits
    expect(m.its.lastError).toBe(E_ITS.MAPTI_ID_OOR);
    send(m, mapti(2, 1, 0x4000, 3)); // beyond PROPBASER.IDbits (14 bits)
    expect(m.its.lastError).toBe(E_ITS.MAPTI_PHYSICALID_OOR);
    send(m, mapc(1, 4)); // no vCPU 4
    expect(m.its.lastError).toBe(E_ITS.MAPC_PROCNUM_OOR);
    send(m, mapd(0x1_0000, 4)); // DeviceID beyond 16 bits
    expect(m.its.lastError).toBe(E_ITS.MAPD_DEVICE_OOR);
    send(m, devev(ITS_CMD.INT, 2, 20));
    expect(m.irq[3]).toBe(true);
    expect(m.its.read(GITS.CREADR, 8)).toBe(m.its.read(GITS.CWRITER, 8));
    m.gic.iccRead(3, 'ICC_IAR1_EL1');
    m.gic.iccWrite(3, 'ICC_EOIR1_EL1', 8195n);
    send(m, mapd(2, 8, false), devev(ITS_CMD.INT, 2, 20));
    expect(m.its.lastError).toBe(E_ITS.INT_UNMAPPED_INTERRUPT);
    expect(m.irq[3]).toBe(false);
    expect(m.gic.lpis.table.has(8195)).toBe(false);
  });

  it('MOVI and MOVALL move LPIs, CLEAR drops a pending one, DISCARD forgets the translation', () => {
    const m = machine();
    enable(m);
    setup1(m);
    send(m, mapc(1, 1), devev(ITS_CMD.MOVI, 2, 20, 1n), devev(ITS_CMD.INT, 2, 20));
    expect(m.irq).toEqual([false, true, false, false]);
    send(m, devev(ITS_CMD.CLEAR, 2, 20));
    expect(m.irq[1]).toBe(false);
    send(m, devev(ITS_CMD.INT, 7, 255), [BigInt(ITS_CMD.MOVALL), 0n, 2n << 16n, 0n << 16n]);
    expect(m.irq).toEqual([true, false, false, false]);
    send(m, devev(ITS_CMD.DISCARD, 2, 20), devev(ITS_CMD.INT, 2, 20));
    expect(m.its.lastError).toBe(E_ITS.INT_UNMAPPED_INTERRUPT);
  });

  it('a CWRITER beyond the queue is ignored; commands wrap at its end', () => {
    const m = machine();
    enable(m);
    m.its.write(GITS.CWRITER, 8, 0x1_0000n);
    expect(m.its.read(GITS.CWRITER, 8)).toBe(0n);
    m.its.write(GITS.CWRITER, 8, 0xffe0n); // 2047 SYNC-less zero commands (command 0: ignored)
    expect(m.its.read(GITS.CREADR, 8)).toBe(0xffe0n);
    setup1(m); // wraps
    send(m, devev(ITS_CMD.INT, 2, 20));
    expect(m.irq[3]).toBe(true);
  });
});

describe('LPIs in the redistributors', () => {
  it('GICD_TYPER reports LPIs and 16 ID bits, GICR_TYPER PLPIS; PROPBASER and PENDBASER ignore writes while EnableLPIs is set', () => {
    const m = machine();
    const typer = Number(m.gic.distRead(GICD.TYPER, 4));
    expect([(typer >> 17) & 1, (typer >> 19) & 0x1f]).toEqual([1, 15]);
    expect(m.gic.redistRead(0, GICR.TYPER, 8) & 1n).toBe(1n);
    enable(m);
    expect(m.gic.redistRead(0, GICR.CTLR, 4) & 1n).toBe(1n);
    m.gic.redistWrite(0, GICR.PROPBASER, 8, 0n);
    m.gic.redistWrite(0, GICR.PENDBASER, 8, 0n);
    expect(m.gic.redistRead(0, GICR.PROPBASER, 8) & 0xffff_ffff_f01fn).toBe(PROP | 13n);
    expect(m.gic.redistRead(0, GICR.PENDBASER, 8) & 0xffff_ffff_0000n).toBe(PEND(0));
  });

  it('enabling LPIs reads the pending table (unless PTZ); disabling drops pending LPIs', () => {
    const m = machine();
    enable(m);
    setup1(m);
    m.gic.redistWrite(3, GICR.CTLR, 4, 0n);
    m.mem.bytes[Number(PEND(3) - RAM) + (8195 >> 3)]! |= 1 << (8195 & 7);
    m.gic.redistWrite(3, GICR.PENDBASER, 8, PEND(3) | (1n << 62n)); // PTZ: the table is taken as zero
    m.gic.redistWrite(3, GICR.CTLR, 4, 1n);
    expect(m.irq[3]).toBe(false);
    m.gic.redistWrite(3, GICR.CTLR, 4, 0n);
    m.gic.redistWrite(3, GICR.PENDBASER, 8, PEND(3));
    m.gic.redistWrite(3, GICR.CTLR, 4, 1n);
    expect(m.irq[3]).toBe(true);
    m.gic.redistWrite(3, GICR.CTLR, 4, 0n);
    expect(m.irq[3]).toBe(false);
    m.gic.redistWrite(3, GICR.PENDBASER, 8, PEND(3) | (1n << 62n));
    m.gic.redistWrite(3, GICR.CTLR, 4, 1n);
    expect(m.irq[3]).toBe(false);
  });
});

describe('ITS save and restore (ABI 0)', () => {
  it('tables and pending LPIs written to guest memory come back in a fresh vGIC and ITS', () => {
    const m = machine();
    enable(m);
    setup1(m);
    // A collection MAPTI created but nobody mapped yet (kvm-unit-tests' its-migrate-unmapped-collection).
    setConfig(m, 8192, 0xa3);
    send(m, mapti(2, 0, 8192, 0));
    send(m, devev(ITS_CMD.INT, 7, 255)); // pending on vCPU 2 at the save
    expect(m.gic.lpis.savePendingTables()).toBe(true);
    saveItsTables(m.its);
    const regs = [GITS.CBASER, GITS.CREADR, GITS.CWRITER, GITS.BASER, GITS.BASER + 8].map((o) => [o, m.its.read(o, 8)] as const);

    const n = machine(4, ramMemory(m.mem.bytes.slice()));
    for (let v = 0; v < 4; v++) n.gic.redistWrite(v, GICR.CTLR, 4, 1n);
    for (const [o, value] of regs) n.its.write(o, 8, value);
    n.its.creadr = Number(regs[1]![1]); // the VMM's GITS_CREADR write (the guest's is ignored)
    restoreItsTables(n.its);
    n.its.write(GITS.CTLR, 4, 1n);
    expect([...n.its.devices.keys()].sort()).toEqual([2, 7]);
    expect(n.its.collections.get(0)?.target).toBe(0xffff_ffff);
    expect(n.irq).toEqual([false, false, true, false]);
    expect(n.gic.iccRead(2, 'ICC_IAR1_EL1')).toBe(8196n);
    send(n, devev(ITS_CMD.INT, 2, 20));
    expect(n.gic.iccRead(3, 'ICC_IAR1_EL1')).toBe(8195n);
    send(n, mapc(0, 0), invall(0), devev(ITS_CMD.INT, 2, 0));
    expect(n.gic.iccRead(0, 'ICC_IAR1_EL1')).toBe(8192n);
  });
});
