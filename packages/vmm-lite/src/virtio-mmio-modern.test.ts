// The modern (version 2) virtio-mmio transport, driven as Linux's virtio_mmio driver drives it (testing/virtio-driver.ts),
// with the devices behind it: registers, 64-bit feature negotiation, FEATURES_OK, queue set-up, reset, interrupts,
// NEEDS_RESET, QueueReset, snapshots. The legacy interface is virtio-blk.test.ts's.
import { describe, expect, it } from 'vitest';
import { VirtioMmioTransport, VIRTIO_MMIO_REG as R, VIRTIO_STATUS as S } from './virtio-mmio.js';
import { VirtioBlk, VIRTIO_BLK_S, VIRTIO_BLK_T } from './virtio-blk.js';
import { memoryDisk } from './virtio-blk-disk.js';
import { VirtioRng } from './virtio-rng.js';
import { VirtioConsole } from './virtio-console.js';
import { bytesGuestMemory } from './virtio-dma.js';
import { BASE, BUFFERS, ModernDriver } from './testing/virtio-driver.js';

const VERSION_1 = 1n << 32n;
const RING_RESET = 1n << 40n;
const seeded = (): VirtioRng => new VirtioRng({ kind: 'seeded', seed: 1 });

describe('the modern virtio-mmio transport', () => {
  it('presents version 2 and 64 feature bits: the device\'s, VERSION_1 and RING_RESET, without the legacy-only ones', () => {
    const d = new ModernDriver(seeded(), { driverOk: false });
    expect([d.reg(R.magic), d.reg(R.version), d.reg(R.deviceId), d.reg(R.vendorId)]).toEqual([0x7472_6976, 2, 4, 0x554d_4551]);
    // virtio-rng: INDIRECT_DESC, EVENT_IDX (QEMU's info virtio-status also lists NOTIFY_ON_EMPTY and ANY_LAYOUT, hidden).
    expect(d.deviceFeatures()).toBe((1n << 28n) | (1n << 29n) | VERSION_1 | RING_RESET);
    d.set(R.deviceFeaturesSel, 2);
    expect(d.reg(R.deviceFeatures)).toBe(0);
    // Legacy: the 32 bits as QEMU's legacy transport shows them, NOTIFY_ON_EMPTY and ANY_LAYOUT included.
    const legacy = new VirtioMmioTransport(seeded(), bytesGuestMemory(new Uint8Array(16), BASE), () => {}, 'legacy');
    expect([legacy.read(R.version, 4), legacy.read(R.deviceFeatures, 4)]).toEqual([1n, 0x3900_0000n]);
    // virtio-blk: SCSI only behind the legacy transport (as QEMU).
    const blk = new ModernDriver(new VirtioBlk(memoryDisk(new Uint8Array(4096))), { driverOk: false });
    expect(blk.deviceFeatures()).toBe(0x3000_6e54n | VERSION_1 | RING_RESET);
    // virtio-console: EMERG_WRITE.
    expect(new ModernDriver(new VirtioConsole(), { driverOk: false }).deviceFeatures()).toBe(0x3000_0004n | VERSION_1 | RING_RESET);
  });

  it('accepts FEATURES_OK only with VERSION_1, and fixes the features then', () => {
    const d = new ModernDriver(seeded(), { features: 1n << 28n, driverOk: false });
    expect(d.reg(R.status) & S.FEATURES_OK).toBe(0); // refused: no VERSION_1
    expect(d.t.negotiated).toBe(0n);
    const ok = new ModernDriver(seeded(), { features: VERSION_1 | (1n << 28n) | (1n << 60n), driverOk: false });
    expect(ok.reg(R.status)).toBe(S.ACKNOWLEDGE | S.DRIVER | S.FEATURES_OK);
    expect(ok.t.negotiated).toBe(VERSION_1 | (1n << 28n)); // bit 60 is not offered
    ok.set(R.driverFeaturesSel, 0);
    ok.set(R.driverFeatures, 0);
    ok.set(R.status, S.ACKNOWLEDGE | S.DRIVER | S.FEATURES_OK | S.DRIVER_OK);
    expect(ok.t.negotiated).toBe(VERSION_1 | (1n << 28n));
  });

  it('sets up queues by QueueNum, QueueDesc/Driver/Device and QueueReady; ignores them while ready; reads 0 from write-only registers', () => {
    const d = new ModernDriver(new VirtioConsole(), { driverOk: false });
    d.set(R.queueSel, 1);
    expect([d.reg(R.queueNumMax), d.reg(R.queueReady)]).toEqual([1024, 1]);
    for (const r of [R.queueNum, R.queueDescLow, R.queueDriverLow, R.queueDeviceLow, R.queuePfn, R.queueReset]) expect(d.reg(r), `0x${r.toString(16)}`).toBe(0);
    d.set(R.queueDescLow, 0x1234_0000); // ignored: the queue is ready
    expect((d.t.saveState().queues[1] as { desc: number[] }).desc).toEqual([BASE + 0x2_0000, 0]);
    d.set(R.queueReady, 0);
    expect(d.reg(R.queueReady)).toBe(0);
    d.set(R.queueDescLow, 0x1234_0000);
    expect((d.t.saveState().queues[1] as { desc: number[] }).desc).toEqual([0x1234_0000, 0]);
    d.set(R.queueSel, 2); // the console has two queues
    expect([d.reg(R.queueNumMax), d.reg(R.queueReady)]).toEqual([0, 0]);
    d.set(R.queueReady, 1);
    expect(d.reg(R.queueReady)).toBe(0);
    // No shared memory regions; ConfigGeneration starts at 0.
    expect([d.reg(R.shmLenLow), d.reg(R.shmLenHigh), d.reg(R.shmBaseLow), d.reg(R.configGeneration)]).toEqual([0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0]);
    // Accesses that are not 32 bits wide read 0.
    expect(d.t.read(R.version, 2)).toBe(0n);
  });

  it('handles requests on its rings (virtio-blk read and write), interrupts, and acknowledges', () => {
    const disk = new Uint8Array(8192).map((_, i) => i & 0xff);
    const d = new ModernDriver(new VirtioBlk(memoryDisk(disk)));
    const hdr = BUFFERS;
    const data = BUFFERS + 0x1000;
    const status = BUFFERS + 0x2000;
    d.view.setUint32(d.at(hdr), VIRTIO_BLK_T.IN, true);
    d.view.setBigUint64(d.at(hdr) + 8, 1n, true);
    // A three-descriptor chain by hand: header (readable) -> data (writable) -> status (writable).
    const desc = d.at(BASE + 0x1_0000);
    const put = (i: number, addr: number, len: number, flags: number, next: number): void => {
      d.view.setBigUint64(desc + 16 * i, BigInt(addr), true);
      d.view.setUint32(desc + 16 * i + 8, len, true);
      d.view.setUint16(desc + 16 * i + 12, flags, true);
      d.view.setUint16(desc + 16 * i + 14, next, true);
    };
    put(0, hdr, 16, 1, 1);
    put(1, data, 512, 3, 2);
    put(2, status, 1, 2, 0);
    const av = d.at(BASE + 0x1_0800);
    d.view.setUint16(av + 4, 0, true);
    d.view.setUint16(av + 2, 1, true);
    d.notify(0);
    expect(d.takeUsed(0)).toEqual([{ id: 0, len: 513 }]);
    expect(d.mem[d.at(status)]).toBe(VIRTIO_BLK_S.OK);
    expect(d.bytes(data, 4)).toEqual(disk.slice(512, 516));
    expect([d.irq, d.reg(R.interruptStatus)]).toEqual([true, 1]);
    d.set(R.interruptAck, 1);
    expect([d.irq, d.reg(R.interruptStatus)]).toEqual([false, 0]);
  });

  it('resets on Status 0: queues, features, interrupt', () => {
    const d = new ModernDriver(seeded());
    d.offer(0, 0, BUFFERS, 16, true);
    d.notify(0);
    expect(d.irq).toBe(true);
    d.set(R.status, 0);
    expect([d.irq, d.reg(R.status), d.reg(R.interruptStatus)]).toEqual([false, 0, 0]);
    expect(d.t.negotiated).toBe(0n);
    d.set(R.queueSel, 0);
    expect(d.reg(R.queueReady)).toBe(0);
  });

  it('breaks on a protocol error: NEEDS_RESET, a configuration change interrupt, ConfigGeneration + 1; a reset repairs it', () => {
    const d = new ModernDriver(seeded());
    d.offer(0, 0, 0x1000, 16, true); // outside guest RAM
    d.notify(0);
    expect(d.t.broken).toMatch(/outside guest RAM/);
    expect(d.reg(R.status) & S.NEEDS_RESET).toBe(S.NEEDS_RESET);
    expect([d.irq, d.reg(R.interruptStatus), d.reg(R.configGeneration)]).toEqual([true, 2, 1]);
    d.set(R.status, S.ACKNOWLEDGE | S.DRIVER | S.FEATURES_OK | S.DRIVER_OK); // the driver cannot clear it but by a reset
    expect(d.reg(R.status) & S.NEEDS_RESET).toBe(S.NEEDS_RESET);
    const again = new ModernDriver(seeded());
    again.offer(0, 0, BUFFERS, 8, true);
    again.notify(0);
    expect(again.t.broken).toBeUndefined();
    d.set(R.status, 0);
    expect([d.t.broken, d.reg(R.status)]).toEqual([undefined, 0]);
  });

  it('resets one queue by QueueReset once RING_RESET is negotiated', () => {
    const d = new ModernDriver(seeded());
    d.offer(0, 0, BUFFERS, 8, true);
    d.notify(0);
    d.set(R.queueSel, 0);
    d.set(R.queueReset, 1);
    expect([d.reg(R.queueReady), d.reg(R.queueReset)]).toEqual([0, 0]);
    expect((d.t.saveState().queues[0] as { usedIdx: number }).usedIdx).toBe(0);
    const without = new ModernDriver(seeded(), { features: VERSION_1 });
    without.set(R.queueSel, 0);
    without.set(R.queueReset, 1); // not negotiated: ignored
    expect(without.reg(R.queueReady)).toBe(1);
  });

  it('saves and restores its state (queues, features, status); refuses a legacy transport\'s state', () => {
    const a = new ModernDriver(new VirtioRng({ kind: 'seeded', seed: 7 }));
    a.offer(0, 0, BUFFERS, 16, true);
    a.notify(0);
    const saved = JSON.parse(JSON.stringify(a.t.saveState())) as unknown;
    const b = new ModernDriver(new VirtioRng({ kind: 'seeded', seed: 7 }), { driverOk: false });
    b.mem.set(a.mem);
    b.t.loadState(saved);
    expect(b.t.saveState()).toEqual(a.t.saveState());
    // Driver b's own ring indexes start at 0: mirror a's.
    Object.assign(b as unknown as object, { avail: [1], seenUsed: [1] });
    // Both go on from the same ring position with the same stream.
    for (const x of [a, b]) {
      x.offer(0, 1, BUFFERS + 0x100, 16, true);
      x.notify(0);
    }
    expect(b.bytes(BUFFERS + 0x100, 16)).toEqual(a.bytes(BUFFERS + 0x100, 16));
    expect(b.usedIdx(0)).toBe(2);
    const legacy = new VirtioMmioTransport(new VirtioRng({ kind: 'seeded', seed: 7 }), bytesGuestMemory(b.mem, BASE), () => {}, 'legacy');
    expect(() => legacy.loadState(saved)).toThrow(/modern, this machine's is legacy/);
    expect(() => b.t.loadState({ ...(saved as object), queues: [] })).toThrow(/bad queues/);
  });
});
