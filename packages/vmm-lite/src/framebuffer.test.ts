import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { Kvm, PagePolicies, type PageUpgradePolicy } from '@kvm-mte/kvm-core';
import { describe, expect, it } from 'vitest';
import { Framebuffer, FramebufferRefusedError, FRAMEBUFFER_BASE, parseFramebufferSize } from './framebuffer.js';
import { crc32, encodePng } from './framebuffer-png.js';
import { VirtMachine } from './machine.js';
import { findNode, parseFdt, propCells, propString } from './testing/fdt-reader.js';
import { buildVirtDeviceTree } from './virt-dt.js';

const FB_ELF = new Uint8Array(readFileSync(new URL('../../../guests/bin/fb.elf', import.meta.url)));

/** Decode a PNG written by encodePng (RGBA 8-bit, filter 0) independently: chunks, CRCs, inflate. */
function decodePng(png: Uint8Array): { width: number; height: number; rgba: Uint8Array; chunks: string[] } {
  expect(Array.from(png.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const v = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let o = 8;
  let width = 0;
  let height = 0;
  const idat: Uint8Array[] = [];
  const chunks: string[] = [];
  while (o < png.length) {
    const len = v.getUint32(o);
    const type = Buffer.from(png.subarray(o + 4, o + 8)).toString('latin1');
    const data = png.subarray(o + 8, o + 8 + len);
    expect(v.getUint32(o + 8 + len), `CRC of ${type}`).toBe(crc32(png.subarray(o + 4, o + 8 + len)));
    chunks.push(type);
    if (type === 'IHDR') {
      width = v.getUint32(o + 8);
      height = v.getUint32(o + 12);
      expect(Array.from(data.subarray(8))).toEqual([8, 6, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe((width * 4 + 1) * height);
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (width * 4 + 1)]).toBe(0); // filter None
    rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, rgba, chunks };
}

describe('PNG encoder', () => {
  it('CRC-32 of the standard check string is 0xcbf43926', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf4_3926);
  });

  it('round-trips pixels through an independent decoder (inflateSync)', () => {
    const w = 7;
    const h = 3;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 37) & 0xff);
    const d = decodePng(encodePng(w, h, rgba));
    expect(d.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect([d.width, d.height]).toEqual([w, h]);
    expect(d.rgba).toEqual(rgba);
  });

  it('rejects a wrong data length or size', () => {
    expect(() => encodePng(2, 2, new Uint8Array(15))).toThrow(RangeError);
    expect(() => encodePng(0, 2, new Uint8Array(0))).toThrow(RangeError);
  });
});

describe('framebuffer device', () => {
  it('parses WxH', () => {
    expect(parseFramebufferSize('640x480')).toEqual({ width: 640, height: 480 });
    expect(() => parseFramebufferSize('640')).toThrow(/WIDTHxHEIGHT/);
  });

  it('is a simple-framebuffer node under /chosen with reg, width, height, stride and format', () => {
    const m = new VirtMachine({ mte: false, framebuffer: { width: 64, height: 48 } });
    const dtb = buildVirtDeviceTree({ ramBase: m.ramBase, ramSize: m.ramSize, cpuMpidrs: m.cpuMpidrs(), framebuffer: m.framebuffer!.describe() });
    const n = findNode(parseFdt(dtb).root, '/chosen/framebuffer@f000000')!;
    expect(n).toBeDefined();
    expect(propString(n.props.get('compatible'))).toBe('simple-framebuffer');
    expect(propCells(n.props.get('reg'))).toEqual([0, FRAMEBUFFER_BASE, 0, 0x3000]);
    expect(propCells(n.props.get('width'))).toEqual([64]);
    expect(propCells(n.props.get('height'))).toEqual([48]);
    expect(propCells(n.props.get('stride'))).toEqual([256]);
    expect(propString(n.props.get('format'))).toBe('a8r8g8b8');
    // r5g6b5: 2 bytes a pixel
    const k2 = new Kvm();
    const fb = new Framebuffer(k2, k2.createVm(), { width: 10, height: 10, format: 'r5g6b5' });
    expect(fb.describe()).toMatchObject({ stride: 20, size: 4096, format: 'r5g6b5' });
  });

  it('is its own memslot; without --framebuffer the DT has no node', () => {
    const m = new VirtMachine({ mte: false, framebuffer: { width: 64, height: 48 } });
    expect(m.vm.memslots().map((s) => [s.slot, Number(s.guestPhysAddr)])).toContainEqual([1, FRAMEBUFFER_BASE]);
    const dtb = buildVirtDeviceTree({ ramBase: m.ramBase, ramSize: m.ramSize, cpuMpidrs: m.cpuMpidrs() });
    expect(findNode(parseFdt(dtb).root, '/chosen/framebuffer@f000000')).toBeUndefined();
  });

  it('rejects a framebuffer larger than the 16 MiB hole, and PROT_MTE on a device backing', () => {
    expect(() => new VirtMachine({ mte: false, framebuffer: { width: 4096, height: 4096 } })).toThrow(/does not fit/);
    expect(() => new VirtMachine({ mte: false, framebuffer: { width: 8, height: 8, protMte: true } })).toThrow(/PROT_MTE/);
  });

  it('converts r5g6b5 and a8r8g8b8 pixels to RGBA', () => {
    const kvm = new Kvm();
    const a = new Framebuffer(kvm, kvm.createVm(), { width: 2, height: 1 });
    a.mapping.view.setUint32(0, 0xff11_2233, true);
    a.mapping.view.setUint32(4, 0x00ff_8000, true);
    expect(Array.from(a.toRgba())).toEqual([0x11, 0x22, 0x33, 255, 0xff, 0x80, 0x00, 255]);
    const b = new Framebuffer(kvm, kvm.createVm(), { width: 2, height: 1, format: 'r5g6b5' });
    b.mapping.view.setUint16(0, 0xf800, true); // red
    b.mapping.view.setUint16(2, 0x07e0, true); // green
    expect(Array.from(b.toRgba())).toEqual([255, 0, 0, 255, 0, 255, 0, 255]);
  });
});

/** Run guests/bin/fb.elf with a 64x48 framebuffer under a policy. */
async function runFb(pagePolicy: PageUpgradePolicy, opts: { backing?: 'device' | 'memfd'; onTagAccess?: 'abort' | 'stop'; mte?: boolean } = {}) {
  const m = new VirtMachine({
    memory: 64 << 20, mte: opts.mte ?? true, pagePolicy, protMte: pagePolicy === PagePolicies.enforceProtMte,
    framebuffer: { width: 64, height: 48, ...(opts.backing && { backing: opts.backing }) },
    ...(opts.onTagAccess && { onTagAccess: opts.onTagAccess }),
  });
  m.load({ kernel: FB_ELF });
  const r = await m.run({ maxInstructions: 20_000_000 });
  return { m, r, text: new TextDecoder().decode(r.serial) };
}

const CHECKSUM = 'fb: pixels drawn, checksum=f003c31fe08da000';

describe('the framebuffer under each page policy (an MTE VM running guests/bin/fb.elf)', () => {
  for (const p of [PagePolicies.mteAllowed, PagePolicies.enforceProtMte]) {
    it(`${p.name}: the device framebuffer's memslot is refused with EINVAL`, () => {
      let err: unknown;
      try {
        new VirtMachine({ memory: 64 << 20, pagePolicy: p, protMte: p === PagePolicies.enforceProtMte, framebuffer: { width: 64, height: 48 } });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FramebufferRefusedError);
      expect((err as FramebufferRefusedError).kvmError.code).toBe('EINVAL');
    });
  }

  it('mteAllowed accepts a memfd framebuffer (tag-capable); enforceProtMte only with PROT_MTE', () => {
    expect(() => new VirtMachine({ memory: 64 << 20, framebuffer: { width: 8, height: 8, backing: 'memfd' } })).not.toThrow();
    const enforce = { memory: 64 << 20, pagePolicy: PagePolicies.enforceProtMte, protMte: true };
    expect(() => new VirtMachine({ ...enforce, framebuffer: { width: 8, height: 8, backing: 'memfd' } })).toThrow(FramebufferRefusedError);
    expect(() => new VirtMachine({ ...enforce, framebuffer: { width: 8, height: 8, backing: 'memfd', protMte: true } })).not.toThrow();
  });

  it('transparentUpgrade: accepted; mapped Device at stage 2, so pixels work, STG is dropped, LDG reads 0, no tag check', async () => {
    const { m, r, text } = await runFb(PagePolicies.transparentUpgrade);
    expect(r.outcome).toBe('shutdown');
    expect(text).toContain(CHECKSUM);
    expect(text).toContain('fb: LDG reads tag=0000000000000000');
    expect(text).not.toContain('EXC');
    expect(m.tagAccessExits).toEqual([]);
    // the screenshot shows what the guest drew: pixel (1, 2) = 0xff000000 | (1*4) << 16 | (2*5) << 8 | 0x30
    const png = decodePng(m.framebuffer!.toPng());
    expect([png.width, png.height]).toEqual([64, 48]);
    const o = (2 * 64 + 1) * 4;
    expect(Array.from(png.rgba.subarray(o, o + 4))).toEqual([4, 10, 0x30, 255]);
    const o2 = (9 * 64 + 0) * 4; // x ^ y = 9: bit 3 set → blue 0xc0
    expect(Array.from(png.rgba.subarray(o2, o2 + 4))).toEqual([0, 45, 0xc0, 255]);
  });

  it('transparentUpgrade with a memfd framebuffer: tagged on first touch (STG/LDG work, a wrong pointer tag faults)', async () => {
    const { m, text } = await runFb(PagePolicies.transparentUpgrade, { backing: 'memfd' });
    expect(text).toContain('fb: LDG reads tag=0000000000000003');
    expect(text).toMatch(/EXC EL1 EC=25 IL=1 ISS=0000011/); // synchronous tag check fault
    expect(m.framebuffer!.mapping.tagStorage!.getTag(0)).toBe(3); // the display's buffer now carries tags
  });

  it('noTagAccess: pixels work; STG, LDG and the checked load each exit (arm-tag-access) and get an External abort', async () => {
    const { m, r, text } = await runFb(PagePolicies.noTagAccess);
    expect(r.outcome).toBe('shutdown');
    expect(text).toContain(CHECKSUM);
    expect(m.tagAccessExits.map((e) => [e.ipa, e.isWrite])).toEqual([[0x0f00_0000n, true], [0x0f00_0000n, false], [0x0f00_0000n, false]]);
    expect(text.match(/EXC EL1 EC=25 IL=1 ISS=00000[15]0/g)).toHaveLength(3);
    expect(text).toContain('fb: done');
  });

  it("noTagAccess with onTagAccess 'stop': the run ends at the first tag access with a clear message", async () => {
    const { r, text } = await runFb(PagePolicies.noTagAccess, { onTagAccess: 'stop' });
    expect(r.outcome).toBe('guest-error');
    expect(r.message).toMatch(/tag access .*NoTagAccess.* 0xf000000/);
    expect(text).toContain(CHECKSUM);
    expect(text).not.toContain('fb: done');
  });

  it('a VM without MTE: every policy accepts the device framebuffer and the guest just draws', async () => {
    for (const p of Object.values(PagePolicies)) {
      const { r, text } = await runFb(p, { mte: false });
      expect(r.outcome, p.name).toBe('shutdown');
      expect(text).toContain(CHECKSUM);
      expect(text).toContain('fb: no MTE');
    }
  });
});
