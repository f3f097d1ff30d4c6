// The virtio-blk device behind its legacy virtio-mmio transport, driven the way Linux's legacy virtio_mmio and
// virtio_blk drivers drive it (registers, a split ring laid out by QueuePFN), on guest memory of plain bytes.
import { describe, expect, it } from 'vitest';
import { VirtioMmioTransport } from './virtio-mmio.js';
import { VirtioBlk, VIRTIO_BLK_S, VIRTIO_BLK_T } from './virtio-blk.js';
import { memoryDisk, type BlockDisk } from './virtio-blk-disk.js';
import { bytesGuestMemory } from './virtio-dma.js';

const BASE = 0x4000_0000;
const RING = BASE + 0x1_0000;
const NUM = 8;
const DESC = RING;
const AVAIL = DESC + 16 * NUM;
const USED = RING + 0x1000; // the next 4 KiB boundary after the available ring
const HDR = BASE + 0x2_0000;
const DATA = BASE + 0x3_0000;
const STATUS = BASE + 0x4_0000;
const INDIRECT = BASE + 0x5_0000;
const EVENT_IDX = 29;
const INDIRECT_DESC = 28;

type Desc = { addr: number; len: number; write?: boolean; next?: number; flags?: number };

/** A disk in memory that logs its calls, and what the used ring said at each call (durability order). */
function loggingDisk(bytes: Uint8Array, readOnly = false): { disk: BlockDisk; log: string[] } {
  const inner = memoryDisk(bytes, { readOnly });
  const log: string[] = [];
  return {
    log,
    disk: {
      ...inner,
      read: (o, d) => { log.push('read'); inner.read(o, d); },
      write: (o, s) => { log.push('write'); inner.write(o, s); },
      flush: () => { log.push('flush'); },
    },
  };
}

class Driver {
  readonly mem = new Uint8Array(0x6_0000);
  readonly view = new DataView(this.mem.buffer);
  readonly disk: Uint8Array;
  readonly log: string[];
  readonly t: VirtioMmioTransport;
  irq = false;
  private avail = 0;

  constructor(opts: { readOnly?: boolean; features?: number[]; diskBytes?: number } = {}) {
    this.disk = new Uint8Array(opts.diskBytes ?? 64 * 1024);
    const d = loggingDisk(this.disk, opts.readOnly);
    this.log = d.log;
    this.t = new VirtioMmioTransport(new VirtioBlk(d.disk), bytesGuestMemory(this.mem, BASE), (l) => { this.irq = l; }, 'legacy');
    this.setup(opts.features ?? []);
  }

  reg(off: number): number {
    return Number(this.t.read(off, 4));
  }
  set(off: number, v: number): void {
    this.t.write(off, 4, BigInt(v >>> 0));
  }
  private at(gpa: number): number {
    return gpa - BASE;
  }

  setup(features: number[]): void {
    this.set(0x028, 4096); // GuestPageSize (Linux writes it at probe)
    this.set(0x070, 0); // reset
    this.set(0x070, 1 | 2); // ACKNOWLEDGE | DRIVER
    const offered = this.reg(0x010);
    this.set(0x020, features.reduce((a, b) => a | (1 << b), 0) & offered);
    this.set(0x030, 0);
    this.set(0x038, NUM);
    this.set(0x03c, 4096);
    this.set(0x040, RING / 4096);
    this.set(0x070, 1 | 2 | 4);
    this.avail = 0;
  }

  writeDesc(table: number, i: number, d: Desc): void {
    const o = this.at(table) + 16 * i;
    this.view.setBigUint64(o, BigInt(d.addr), true);
    this.view.setUint32(o + 8, d.len, true);
    this.view.setUint16(o + 12, d.flags ?? ((d.write === true ? 2 : 0) | (d.next !== undefined ? 1 : 0)), true);
    this.view.setUint16(o + 14, d.next ?? 0, true);
  }

  /** Make chain `head` available (`count` entries: the index moves by that much) and notify. */
  kick(head = 0, count = 1): void {
    for (let k = 0; k < count; k++) this.view.setUint16(this.at(AVAIL) + 4 + 2 * ((this.avail + k) % NUM), head, true);
    this.avail = (this.avail + count) & 0xffff;
    this.view.setUint16(this.at(AVAIL) + 2, this.avail, true);
    this.set(0x050, 0);
  }

  usedIdx(): number {
    return this.view.getUint16(this.at(USED) + 2, true);
  }
  used(i: number): { id: number; len: number } {
    const o = this.at(USED) + 4 + 8 * (i % NUM);
    return { id: this.view.getUint32(o, true), len: this.view.getUint32(o + 4, true) };
  }

  /** A request: header, data (out or in), status; returns the status byte. */
  request(type: number, sector: number, data?: { len: number; write: boolean }): number {
    this.view.setUint32(this.at(HDR), type, true);
    this.view.setUint32(this.at(HDR) + 4, 0, true);
    this.view.setBigUint64(this.at(HDR) + 8, BigInt(sector), true);
    this.mem[this.at(STATUS)] = 0xee;
    if (data === undefined) {
      this.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 2 });
    } else {
      this.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 1 });
      this.writeDesc(DESC, 1, { addr: DATA, len: data.len, write: data.write, next: 2 });
    }
    this.writeDesc(DESC, 2, { addr: STATUS, len: 1, write: true });
    this.kick(0);
    return this.mem[this.at(STATUS)]!;
  }
}

describe('virtio-blk on the legacy virtio-mmio transport', () => {
  it('presents what QEMU 10 presents: version 1, device 2, its features and configuration space', () => {
    const d = new Driver();
    expect([d.reg(0x000), d.reg(0x004), d.reg(0x008), d.reg(0x00c)]).toEqual([0x7472_6976, 1, 2, 0x554d_4551]);
    d.set(0x014, 0);
    expect(d.reg(0x010)).toBe(0x3100_6ed4);
    d.set(0x014, 1);
    expect(d.reg(0x010)).toBe(0); // legacy: no second word
    d.set(0x030, 0);
    expect(d.reg(0x034)).toBe(1024);
    d.set(0x030, 1);
    expect(d.reg(0x034)).toBe(0); // no queue 1
    expect(d.reg(0x100)).toBe(64 * 1024 / 512); // capacity
    expect([d.reg(0x10c), d.reg(0x110), d.reg(0x114), d.reg(0x120), d.reg(0x134), d.reg(0x138)])
      .toEqual([254, 0x3f10_0010, 512, 0x0001_0001, 1, 0xffff_ffff]);
    expect(Number(d.t.read(0x120, 1))).toBe(1); // writeback, a byte read
    expect(Number(d.t.read(0x008, 2))).toBe(0); // a register read that is not 32 bits wide reads 0
    expect(new Driver({ readOnly: true }).reg(0x010)).toBe(0x3100_6ef4);
  });

  it('writes and reads sectors, completes each with the used length, and interrupts until acknowledged', () => {
    const d = new Driver();
    d.mem.fill(0x5a, DATA - BASE, DATA - BASE + 1024);
    expect(d.request(VIRTIO_BLK_T.OUT, 3, { len: 1024, write: false })).toBe(VIRTIO_BLK_S.OK);
    expect(d.disk.subarray(3 * 512, 5 * 512).every((b) => b === 0x5a)).toBe(true);
    expect(d.usedIdx()).toBe(1);
    expect(d.used(0)).toEqual({ id: 0, len: 1 });
    expect(d.irq).toBe(true);
    expect(d.reg(0x060)).toBe(1);
    d.set(0x064, 1);
    expect([d.irq, d.reg(0x060)]).toEqual([false, 0]);
    d.mem.fill(0, DATA - BASE, DATA - BASE + 1024);
    expect(d.request(VIRTIO_BLK_T.IN, 3, { len: 512, write: true })).toBe(VIRTIO_BLK_S.OK);
    expect(d.mem.subarray(DATA - BASE, DATA - BASE + 512).every((b) => b === 0x5a)).toBe(true);
    expect(d.used(1)).toEqual({ id: 0, len: 513 });
  });

  it('completes a write after the disk wrote it and a FLUSH after the disk flushed', () => {
    const d = new Driver();
    const usedAt: number[] = [];
    const disk = (d.t.device as VirtioBlk).disk;
    const { write, flush } = disk;
    Object.assign(disk, {
      write: (o: number, s: Uint8Array) => { usedAt.push(d.usedIdx()); write(o, s); },
      flush: () => { usedAt.push(d.usedIdx()); flush(); },
    });
    expect(d.request(VIRTIO_BLK_T.OUT, 0, { len: 512, write: false })).toBe(VIRTIO_BLK_S.OK);
    expect(d.request(VIRTIO_BLK_T.FLUSH, 0)).toBe(VIRTIO_BLK_S.OK);
    expect(d.log).toEqual(['write', 'flush']);
    expect(usedAt).toEqual([0, 1]); // each before its request was completed
    expect(d.usedIdx()).toBe(2);
  });

  it('flushes every write once the driver turns the write cache off (CONFIG_WCE)', () => {
    const d = new Driver({ features: [11] });
    d.t.write(0x120, 1, 0n);
    d.request(VIRTIO_BLK_T.OUT, 0, { len: 512, write: false });
    expect(d.log).toEqual(['write', 'flush']);
  });

  it('answers a read-only disk, a request outside the disk or not whole sectors with IOERR, others with UNSUPP', () => {
    const ro = new Driver({ readOnly: true });
    expect(ro.request(VIRTIO_BLK_T.OUT, 0, { len: 512, write: false })).toBe(VIRTIO_BLK_S.IOERR);
    expect(ro.request(VIRTIO_BLK_T.FLUSH, 0)).toBe(VIRTIO_BLK_S.OK);
    expect(ro.log).toEqual([]); // never written, never flushed
    const d = new Driver();
    expect(d.request(VIRTIO_BLK_T.IN, 128, { len: 512, write: true })).toBe(VIRTIO_BLK_S.IOERR);
    expect(d.request(VIRTIO_BLK_T.IN, 127, { len: 1024, write: true })).toBe(VIRTIO_BLK_S.IOERR);
    expect(d.request(VIRTIO_BLK_T.IN, 2 ** 52, { len: 512, write: true })).toBe(VIRTIO_BLK_S.IOERR);
    expect(d.request(VIRTIO_BLK_T.OUT, 0, { len: 100, write: false })).toBe(VIRTIO_BLK_S.IOERR);
    expect(d.request(VIRTIO_BLK_T.SCSI_CMD, 0, { len: 512, write: true })).toBe(VIRTIO_BLK_S.UNSUPP);
    expect(d.request(77, 0)).toBe(VIRTIO_BLK_S.UNSUPP);
    d.mem.fill(0xff, DATA - BASE, DATA - BASE + 64);
    expect(d.request(VIRTIO_BLK_T.GET_ID, 0, { len: 64, write: true })).toBe(VIRTIO_BLK_S.OK);
    expect([...d.mem.subarray(DATA - BASE, DATA - BASE + 21)]).toEqual([...new Array<number>(20).fill(0), 0xff]);
    expect(d.log).toEqual([]);
  });

  it('WRITE_ZEROES writes zeros; DISCARD is accepted and leaves the data', () => {
    const d = new Driver();
    d.disk.fill(7);
    d.view.setBigUint64(DATA - BASE, 2n, true);
    d.view.setUint32(DATA - BASE + 8, 3, true);
    d.view.setUint32(DATA - BASE + 12, 0, true);
    expect(d.request(VIRTIO_BLK_T.WRITE_ZEROES, 0, { len: 16, write: false })).toBe(VIRTIO_BLK_S.OK);
    expect([d.disk[2 * 512 - 1], d.disk[2 * 512], d.disk[5 * 512 - 1], d.disk[5 * 512]]).toEqual([7, 0, 0, 7]);
    expect(d.request(VIRTIO_BLK_T.DISCARD, 0, { len: 16, write: false })).toBe(VIRTIO_BLK_S.OK);
    d.view.setUint32(DATA - BASE + 12, 1, true); // UNMAP: not for DISCARD
    expect(d.request(VIRTIO_BLK_T.DISCARD, 0, { len: 16, write: false })).toBe(VIRTIO_BLK_S.UNSUPP);
    d.view.setUint32(DATA - BASE + 8, 1000, true);
    d.view.setUint32(DATA - BASE + 12, 0, true);
    expect(d.request(VIRTIO_BLK_T.WRITE_ZEROES, 0, { len: 16, write: false })).toBe(VIRTIO_BLK_S.IOERR);
  });

  it('takes indirect descriptor tables when INDIRECT_DESC is negotiated', () => {
    const d = new Driver({ features: [INDIRECT_DESC] });
    d.view.setUint32(HDR - BASE, VIRTIO_BLK_T.OUT, true);
    d.view.setBigUint64(HDR - BASE + 8, 1n, true);
    d.mem.fill(0x33, DATA - BASE, DATA - BASE + 512);
    d.writeDesc(INDIRECT, 0, { addr: HDR, len: 16, next: 1 });
    d.writeDesc(INDIRECT, 1, { addr: DATA, len: 512, next: 2 });
    d.writeDesc(INDIRECT, 2, { addr: STATUS, len: 1, write: true });
    d.writeDesc(DESC, 0, { addr: INDIRECT, len: 48, flags: 4 });
    d.kick(0);
    expect(d.t.broken).toBeUndefined();
    expect(d.mem[STATUS - BASE]).toBe(VIRTIO_BLK_S.OK);
    expect(d.disk[512]).toBe(0x33);
  });

  it('with EVENT_IDX interrupts only when the used index passes used_event, and publishes avail_event', () => {
    const d = new Driver({ features: [EVENT_IDX] });
    d.view.setUint16(AVAIL - BASE + 4 + 2 * NUM, 5, true); // used_event: interrupt once entry 5 is used
    d.request(VIRTIO_BLK_T.FLUSH, 0);
    expect(d.irq).toBe(false);
    expect(d.view.getUint16(USED - BASE + 4 + 8 * NUM, true)).toBe(1); // avail_event
    d.view.setUint16(AVAIL - BASE + 4 + 2 * NUM, 1, true);
    d.request(VIRTIO_BLK_T.FLUSH, 0);
    expect(d.irq).toBe(true);
  });

  describe('hostile descriptors break the device (QEMU virtio_error), never the host', () => {
    const cases: [string, (d: Driver) => void][] = [
      ['a loop', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 1 }); d.writeDesc(DESC, 1, { addr: STATUS, len: 1, write: true, next: 0 }); d.kick(0); }],
      ['a self loop', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 0 }); d.kick(0); }],
      ['a head outside the table', (d) => d.kick(NUM)],
      ['a next outside the table', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 200 }); d.kick(0); }],
      ['a buffer outside RAM', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 1 }); d.writeDesc(DESC, 1, { addr: 0x1000, len: 1, write: true }); d.kick(0); }],
      ['a buffer running past the end of RAM', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16, next: 1 }); d.writeDesc(DESC, 1, { addr: BASE + 0x6_0000 - 4, len: 0xffff_ffff, write: true }); d.kick(0); }],
      ['a zero-length buffer', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 0, next: 1 }); d.writeDesc(DESC, 1, { addr: STATUS, len: 1, write: true }); d.kick(0); }],
      ['a readable buffer after a writable one', (d) => { d.writeDesc(DESC, 0, { addr: STATUS, len: 1, write: true, next: 1 }); d.writeDesc(DESC, 1, { addr: HDR, len: 16 }); d.kick(0); }],
      ['no status buffer', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16 }); d.kick(0); }],
      ['a short header', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 8, next: 1 }); d.writeDesc(DESC, 1, { addr: STATUS, len: 1, write: true }); d.kick(0); }],
      ['the available index moved by more than the ring', (d) => { d.writeDesc(DESC, 0, { addr: HDR, len: 16 }); d.kick(0, NUM + 1); }],
      ['an indirect table not negotiated', (d) => { d.writeDesc(DESC, 0, { addr: INDIRECT, len: 32, flags: 4 }); d.kick(0); }],
      ['a ring outside RAM', (d) => { d.set(0x040, 0x10); d.kick(0); }],
    ];
    for (const [what, act] of cases) {
      it(what, () => {
        const d = new Driver();
        expect(() => act(d)).not.toThrow();
        expect(d.t.broken).toMatch(/^virtio-blk: /);
        expect(d.usedIdx()).toBe(0);
        expect(d.log).toEqual([]);
        // Broken until reset; after one, the device works again.
        d.setup([]);
        expect(d.t.broken).toBeUndefined();
        expect(d.request(VIRTIO_BLK_T.IN, 0, { len: 512, write: true })).toBe(VIRTIO_BLK_S.OK);
      });
    }

    it('a nested or oversized indirect table', () => {
      for (const [len, inner] of [[32, 4], [16 * 2048, 0]] as const) {
        const d = new Driver({ features: [INDIRECT_DESC] });
        d.writeDesc(INDIRECT, 0, { addr: INDIRECT, len: 16, flags: inner });
        d.writeDesc(DESC, 0, { addr: INDIRECT, len, flags: 4 });
        expect(() => d.kick(0)).not.toThrow();
        expect(d.t.broken).toMatch(/indirect/);
      }
    });
  });

  it('saves and restores the transport and device state (queues, features, status, write cache)', () => {
    const a = new Driver({ features: [11] });
    a.t.write(0x120, 1, 0n);
    a.request(VIRTIO_BLK_T.OUT, 0, { len: 512, write: false });
    const saved = JSON.parse(JSON.stringify(a.t.saveState())) as unknown;
    const b = new Driver();
    b.mem.set(a.mem);
    b.t.loadState(saved);
    expect(b.t.saveState()).toEqual(a.t.saveState());
    expect(b.reg(0x070)).toBe(7);
    expect(b.reg(0x120) & 0xff).toBe(0);
    // The restored device goes on from the saved ring position (Driver b's own index starts at 0: mirror a's).
    (b as unknown as { avail: number }).avail = 1;
    expect(b.request(VIRTIO_BLK_T.FLUSH, 0)).toBe(VIRTIO_BLK_S.OK);
    expect(b.usedIdx()).toBe(2);
    const other = new VirtioMmioTransport(new VirtioBlk(memoryDisk(new Uint8Array(1024))), bytesGuestMemory(b.mem, BASE), () => {}, 'legacy');
    expect(() => other.loadState(saved)).toThrow(/65536/);
  });
});
