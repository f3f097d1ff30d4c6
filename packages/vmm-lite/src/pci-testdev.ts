/**
 * QEMU's "pci-testdev" (vendor 0x1b36, device 0x0005, class 0x00ff00), the PCI device kvm-unit-tests' arm/run adds
 * to every test (`-device pci-testdev`) and its pci-test drives. Written from what the test reads and writes (its
 * lib/pci-testdev.c) and QEMU's observable behaviour, not from QEMU's source.
 *
 * Two BARs, each holding three tests: BAR 0, 4 KiB of memory ("mmio-..." tests), BAR 1, 256 bytes of I/O space
 * ("portio-..." tests). Each BAR starts with a header:
 *
 *   0x00 u8 test (write: select test N; a number past the last selects none)  0x01 u8 width
 *   0x04 u32 offset   0x08 u32 data   0x0c u32 count   0x10 name (NUL-terminated)
 *
 * The selected test asks the guest to write `data`, `width` bytes wide, at `offset` in the same BAR; `count` counts
 * those writes (with "datamatch", only writes of `data`). QEMU counts them through ioeventfds under KVM; here every
 * write is seen by the model, so the three tests of a BAR behave alike. Selecting a test clears its count; with no
 * test selected the header reads 0 (width 0 ends the guest's walk through the tests).
 */
import type { AccessSize } from './bus.js';
import { PciFunction, type PciBarRegion } from './pci-function.js';

interface TestDef { readonly name: string; readonly width: 1 | 2 | 4; readonly offset: number; readonly data: number; readonly matchData: boolean }

const HEADER = { TEST: 0x00, WIDTH: 0x01, OFFSET: 0x04, DATA: 0x08, COUNT: 0x0c, NAME: 0x10 } as const;
/** Where the tests' target registers start in a BAR (past the header and its name). */
const TARGETS = 0x80;

const tests = (prefix: string): TestDef[] => [
  { name: `${prefix}-no-eventfd`, width: 4, offset: TARGETS, data: 0, matchData: false },
  { name: `${prefix}-wildcard-eventfd`, width: 4, offset: TARGETS + 4, data: 0, matchData: false },
  { name: `${prefix}-datamatch-eventfd`, width: 4, offset: TARGETS + 8, data: 0x1234_5678, matchData: true },
];

/** One BAR's tests and header. */
class TestRegion implements PciBarRegion {
  current = -1;
  count = 0;

  constructor(private readonly defs: readonly TestDef[]) {}

  read(offset: number, size: AccessSize): number {
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | this.readByte(offset + i);
    return v >>> 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (offset === HEADER.TEST) {
      const n = value & 0xff;
      this.current = n < this.defs.length ? n : -1;
      this.count = 0;
      return;
    }
    const t = this.defs[this.current];
    if (t === undefined || offset !== t.offset || size !== t.width) return;
    const mask = size === 4 ? 0xffff_ffff : (1 << (8 * size)) - 1;
    if (!t.matchData || ((value ^ t.data) & mask) === 0) this.count = (this.count + 1) >>> 0;
  }

  private readByte(offset: number): number {
    const t = this.defs[this.current];
    if (t === undefined) return 0;
    const u32 = (v: number, at: number): number => (v >>> (8 * (offset - at))) & 0xff;
    if (offset === HEADER.TEST) return this.current;
    if (offset === HEADER.WIDTH) return t.width;
    if (offset >= HEADER.OFFSET && offset < HEADER.OFFSET + 4) return u32(t.offset, HEADER.OFFSET);
    if (offset >= HEADER.DATA && offset < HEADER.DATA + 4) return u32(t.data, HEADER.DATA);
    if (offset >= HEADER.COUNT && offset < HEADER.COUNT + 4) return u32(this.count, HEADER.COUNT);
    const i = offset - HEADER.NAME;
    if (i >= 0 && i < t.name.length) return t.name.charCodeAt(i);
    return 0;
  }
}

/** The pci-testdev's own state for snapshots: the selected test and count of each BAR. */
export interface PciTestdevState { mem: { current: number; count: number }; io: { current: number; count: number } }

export class PciTestdev {
  readonly function: PciFunction;
  private readonly mem = new TestRegion(tests('mmio'));
  private readonly io = new TestRegion(tests('portio'));

  constructor() {
    this.function = new PciFunction('pci-testdev', {
      vendorId: 0x1b36, deviceId: 0x0005, revision: 0, classCode: 0x00_ff_00,
      subsystemVendorId: 0x1af4, subsystemId: 0x1100, interruptPin: 0,
    }, [{ kind: 'mem32', size: 0x1000, region: this.mem }, { kind: 'io', size: 0x100, region: this.io }]);
  }

  saveState(): PciTestdevState {
    return { mem: { current: this.mem.current, count: this.mem.count }, io: { current: this.io.current, count: this.io.count } };
  }

  /** Throws a RangeError unless `s` is a well-formed {@link PciTestdevState}. */
  checkState(s: unknown): asserts s is PciTestdevState {
    const o = s as Record<string, { current?: unknown; count?: unknown } | undefined> | null;
    for (const k of ['mem', 'io'] as const) {
      const cur = o?.[k]?.current;
      const count = o?.[k]?.count;
      if (typeof cur !== 'number' || !Number.isInteger(cur) || cur < -1 || cur > 2) throw new RangeError(`pci-testdev state: bad ${k}.current`);
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 0 || count > 0xffff_ffff) throw new RangeError(`pci-testdev state: bad ${k}.count`);
    }
  }

  loadState(s: unknown): void {
    this.checkState(s);
    this.mem.current = s.mem.current; this.mem.count = s.mem.count;
    this.io.current = s.io.current; this.io.count = s.io.count;
  }
}
