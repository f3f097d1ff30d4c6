import { describe, expect, it } from 'vitest';
import { MmioBus, type AccessSize } from './bus.js';
import { deterministicClock, hostClock } from './clock.js';
import { checkPl031State, Pl031, PL031_BASE, PL031_SIZE, RTC } from './pl031.js';

/** A PL031 on a bus, on a host clock whose time (ms since the epoch) the test sets. */
function rtc(startMs = 1_700_000_000_000) {
  const clock = { ms: startMs };
  const dev = new Pl031(hostClock(() => clock.ms));
  const bus = new MmioBus();
  bus.map(PL031_BASE, PL031_SIZE, dev);
  const r = (off: number, size: AccessSize = 4) => Number(bus.read(PL031_BASE + off, size));
  const w = (off: number, v: number | bigint, size: AccessSize = 4) => bus.write(PL031_BASE + off, size, BigInt(v));
  return { dev, clock, r, w };
}

describe('PL031', () => {
  it('RTCDR counts the host clock in seconds; RTCCR reads 1 and ignores writes; writes to RTCDR are ignored', () => {
    const { clock, r, w } = rtc(1_700_000_000_999);
    expect(r(RTC.DR)).toBe(1_700_000_000);
    clock.ms += 1;
    expect(r(RTC.DR)).toBe(1_700_000_001);
    w(RTC.DR, 5);
    expect(r(RTC.DR)).toBe(1_700_000_001);
    expect(r(RTC.CR)).toBe(1);
    w(RTC.CR, 0);
    expect(r(RTC.CR)).toBe(1);
    for (const off of [RTC.MR, RTC.LR, RTC.IMSC, RTC.RIS, RTC.MIS, RTC.ICR, 0x20, 0xfdc]) expect(r(off), `offset ${off.toString(16)}`).toBe(0);
  });

  it('a write to RTCLR loads the counter, which counts on from it keeping the sub-second phase; RTCLR reads it back', () => {
    const { clock, r, w } = rtc(1_700_000_000_600);
    w(RTC.LR, 1000);
    expect(r(RTC.LR)).toBe(1000);
    expect(r(RTC.DR)).toBe(1000);
    clock.ms += 399;
    expect(r(RTC.DR)).toBe(1000);
    clock.ms += 1;
    expect(r(RTC.DR)).toBe(1001);
    w(RTC.LR, 0xffff_ffff);
    clock.ms += 1000;
    expect(r(RTC.DR)).toBe(0); // wraps modulo 2^32
  });

  it('has the PrimeCell and peripheral ID registers of QEMU (any byte of the word)', () => {
    const { r } = rtc();
    expect([0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc].map((o) => r(o))).toEqual([0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
    expect(r(0xfe1, 1)).toBe(0x31);
    expect(r(0xffe, 2)).toBe(0xb1);
  });

  it('decodes accesses by exact offset; narrow reads give the low bytes; 64-bit accesses are two 32-bit ones', () => {
    const { r, w } = rtc(0x1234_5678_000);
    const dr = r(RTC.DR);
    expect(r(RTC.DR, 1)).toBe(dr & 0xff);
    expect(r(RTC.DR, 2)).toBe(dr & 0xffff);
    expect(r(RTC.DR + 1, 1)).toBe(0); // no register at 0x01
    w(RTC.MR + 2, 0xabcd, 2); // no register at 0x06: ignored
    expect(r(RTC.MR)).toBe(0);
    w(RTC.MR, 0x1_0000_00ab_cdefn, 4);
    expect(r(RTC.MR)).toBe(0xab_cdef);
    w(RTC.MR, (0x77n << 32n) | 0x55n, 8); // RTCMR = 0x55, RTCLR = 0x77
    expect(r(RTC.MR)).toBe(0x55);
    expect(r(RTC.LR)).toBe(0x77);
    expect(Number(BigInt(r(RTC.MR, 8)))).toBe(0x55 + 0x77 * 2 ** 32);
  });

  it('the alarm sets RTCRIS when the counter reaches RTCMR; RTCIMSC masks RTCMIS; RTCICR clears', () => {
    const { dev, clock, r, w } = rtc(2_000_000_000_250);
    w(RTC.MR, 2_000_000_003);
    clock.ms += 2999;
    expect(r(RTC.RIS)).toBe(0);
    clock.ms += 1; // three whole seconds after the write
    expect(r(RTC.RIS)).toBe(1);
    expect(r(RTC.MIS)).toBe(0);
    expect(dev.interrupt).toBe(false);
    w(RTC.IMSC, 0xff);
    expect(r(RTC.IMSC)).toBe(1);
    expect(r(RTC.MIS)).toBe(1);
    expect(dev.interrupt).toBe(true);
    w(RTC.ICR, 1);
    expect([r(RTC.RIS), r(RTC.MIS)]).toEqual([0, 0]);
    clock.ms += 10_000;
    expect(r(RTC.RIS)).toBe(0); // fires once
    w(RTC.RIS, 1); // read-only
    expect(r(RTC.RIS)).toBe(0);
  });

  it('a match equal to the counter raises at once; a match in the past waits for the counter to wrap', () => {
    const { clock, r, w } = rtc(1_000_000);
    w(RTC.MR, 1000);
    expect(r(RTC.RIS)).toBe(1);
    w(RTC.ICR, 1);
    w(RTC.MR, 999);
    clock.ms += 1e9;
    expect(r(RTC.RIS)).toBe(0);
    w(RTC.LR, 998); // re-arms: one second to go
    expect(r(RTC.RIS)).toBe(0);
    clock.ms += 1000;
    expect(r(RTC.RIS)).toBe(1);
  });

  it('a deterministic clock: the counter follows instructions retired (2^shift ns each)', () => {
    const count = { n: 0 };
    const dev = new Pl031(deterministicClock(() => count.n, 10));
    expect(Number(dev.read(RTC.DR, 4))).toBe(0);
    count.n = Math.ceil(1e9 / 1024) - 1;
    expect(Number(dev.read(RTC.DR, 4))).toBe(0);
    count.n += 1;
    expect(Number(dev.read(RTC.DR, 4))).toBe(1);
    expect(() => deterministicClock(() => 0, 31)).toThrow('invalid clock shift 31');
  });

  it('state round trip: deterministic time goes on from the saved time; host time keeps the offset; the alarm stays ahead', () => {
    const a = { n: 5_000_000 };
    const src = new Pl031(deterministicClock(() => a.n, 10));
    src.write(RTC.LR, 4, 100n);
    src.write(RTC.MR, 4, 103n);
    src.write(RTC.IMSC, 4, 1n);
    a.n += 500_000; // half a second on
    const s = src.saveState();
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const b = { n: 0 }; // a fresh machine: its count starts again
    const dst = new Pl031(deterministicClock(() => b.n, 10));
    dst.loadState(s);
    for (const step of [0, 400_000, 100_000, 2_000_000]) {
      a.n += step;
      b.n += step;
      expect(dst.read(RTC.DR, 4)).toBe(src.read(RTC.DR, 4));
      expect(dst.read(RTC.RIS, 4)).toBe(src.read(RTC.RIS, 4));
    }
    expect(src.read(RTC.RIS, 4)).toBe(1n);
    expect([dst.read(RTC.MR, 4), dst.read(RTC.LR, 4), dst.read(RTC.IMSC, 4)]).toEqual([103n, 100n, 1n]);

    const h = rtc(1_000_000_000_000);
    h.w(RTC.LR, 50); // the guest set its RTC 999,999,950 s back
    const later = rtc(1_000_000_500_000);
    later.dev.loadState(h.dev.saveState());
    expect(later.r(RTC.DR)).toBe(550);
  });

  it('refuses a malformed state', () => {
    const good = new Pl031(hostClock(() => 0)).saveState();
    expect(() => checkPl031State(good)).not.toThrow();
    expect(() => checkPl031State(null)).toThrow('PL031 state is not an object');
    expect(() => checkPl031State({ ...good, mr: -1 })).toThrow('PL031 state: bad mr');
    expect(() => checkPl031State({ ...good, is: 2 })).toThrow('PL031 state: bad is');
    expect(() => checkPl031State({ ...good, timeNs: '1e9' })).toThrow('PL031 state: bad timeNs');
    expect(() => checkPl031State({ ...good, offsetNs: (2n ** 32n * 1_000_000_000n).toString() })).toThrow('PL031 state: bad offsetNs');
    expect(() => checkPl031State({ ...good, alarmNs: 5 })).toThrow('PL031 state: bad alarmNs');
  });
});
