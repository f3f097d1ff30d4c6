import { describe, expect, it } from 'vitest';
import {
  attrByte, attrToString, combineS1S2, decodeMair, decodeS2MemAttr, isDevice, isNormalWriteBack, isTagged, MemAttr,
  shareability, withShareability,
} from './attrs.js';

const S1 = (byte: number, sh = 3): number => withShareability(decodeMair(byte), sh);

describe('MAIR decoding', () => {
  it('decodes Device, Normal (with hints normalised) and Tagged bytes', () => {
    expect(decodeMair(0x00)).toBe(MemAttr.DeviceNGnRnE);
    expect(decodeMair(0x04)).toBe(MemAttr.DeviceNGnRE);
    expect(decodeMair(0x0c)).toBe(MemAttr.DeviceGRE);
    expect(decodeMair(0xff)).toBe(MemAttr.NormalWB);
    expect(decodeMair(0xee)).toBe(MemAttr.NormalWB); // WB non-transient RA
    expect(decodeMair(0x77)).toBe(MemAttr.NormalWB); // WB transient
    expect(decodeMair(0xaa)).toBe(MemAttr.NormalWT);
    expect(decodeMair(0x33)).toBe(MemAttr.NormalWT); // WT transient
    expect(decodeMair(0x44)).toBe(MemAttr.NormalNC);
    expect(decodeMair(0x4f)).toBe(0x4f); // outer NC, inner WB
    expect(decodeMair(0xf0)).toBe(MemAttr.NormalWB | MemAttr.Tagged);
    expect(decodeMair(0x40)).toBe(MemAttr.NormalNC);
  });
  it('Device and all-NC memory are Outer Shareable', () => {
    expect(shareability(S1(0x00, 3))).toBe(2);
    expect(shareability(S1(0x44, 0))).toBe(2);
    expect(shareability(S1(0xff, 3))).toBe(3);
    expect(shareability(S1(0xff, 0))).toBe(0);
  });
});

describe('stage-1 / stage-2 combination', () => {
  it('FWB = 0: Device wins; the more restrictive Device type wins; Normal takes the less cacheable', () => {
    expect(attrByte(combineS1S2(S1(0xff), 0b0000, 3, false))).toBe(MemAttr.DeviceNGnRnE);
    expect(attrByte(combineS1S2(S1(0x0c), 0b0001, 3, false))).toBe(MemAttr.DeviceNGnRE);
    expect(attrByte(combineS1S2(S1(0x04), 0b0011, 3, false))).toBe(MemAttr.DeviceNGnRE);
    expect(attrByte(combineS1S2(S1(0x08), 0b1111, 3, false))).toBe(MemAttr.DeviceNGRE);
    expect(attrByte(combineS1S2(S1(0xff), 0b1111, 3, false))).toBe(MemAttr.NormalWB);
    expect(attrByte(combineS1S2(S1(0xff), 0b1110, 3, false))).toBe(0xfb);
    expect(attrByte(combineS1S2(S1(0xff), 0b0111, 3, false))).toBe(0x4f);
    expect(attrByte(combineS1S2(S1(0xbb), 0b1111, 3, false))).toBe(MemAttr.NormalWT);
    expect(attrByte(combineS1S2(S1(0x44), 0b1111, 3, false))).toBe(MemAttr.NormalNC);
  });
  it('FWB = 1: 0b0xx Device, 0b111 stage 1, 0b110 forced Write-Back, 0b101 Non-cacheable unless stage-1 Device', () => {
    expect(attrByte(combineS1S2(S1(0xff), 0b0001, 3, true))).toBe(MemAttr.DeviceNGnRE);
    expect(attrByte(combineS1S2(S1(0x00), 0b0011, 3, true))).toBe(MemAttr.DeviceNGnRnE);
    expect(attrByte(combineS1S2(S1(0x44), 0b0111, 3, true))).toBe(MemAttr.NormalNC);
    expect(attrByte(combineS1S2(S1(0x04), 0b0111, 3, true))).toBe(MemAttr.DeviceNGnRE);
    expect(attrByte(combineS1S2(S1(0x00), 0b0110, 3, true))).toBe(MemAttr.NormalWB);
    expect(attrByte(combineS1S2(S1(0xff), 0b0101, 3, true))).toBe(MemAttr.NormalNC);
    expect(attrByte(combineS1S2(S1(0x04), 0b0101, 3, true))).toBe(MemAttr.DeviceNGnRE);
  });
  it('Tagged survives only into Normal Inner/Outer Write-Back', () => {
    const t = S1(0xf0);
    expect(isTagged(combineS1S2(t, 0b1111, 3, false))).toBe(true);
    expect(isTagged(combineS1S2(t, 0b1101, 3, false))).toBe(false);
    expect(isTagged(combineS1S2(t, 0b0000, 3, false))).toBe(false);
    expect(isTagged(combineS1S2(t, 0b0110, 3, true))).toBe(true);
    expect(isTagged(combineS1S2(t, 0b0111, 3, true))).toBe(true);
    expect(isTagged(combineS1S2(t, 0b0101, 3, true))).toBe(false);
    expect(isTagged(combineS1S2(S1(0xff), 0b1111, 3, false))).toBe(false);
  });
  it('isNormalWriteBack, isDevice, shareability combination, S2 decode, strings', () => {
    expect(isNormalWriteBack(combineS1S2(S1(0xff), 0b1111, 3, false))).toBe(true);
    expect(isNormalWriteBack(combineS1S2(S1(0xff), 0b1011, 3, false))).toBe(false);
    expect(isNormalWriteBack(combineS1S2(S1(0x4f), 0b1111, 3, false))).toBe(false);
    expect(isDevice(combineS1S2(S1(0xff), 0b0010, 3, false))).toBe(true);
    expect(shareability(combineS1S2(S1(0xff, 3), 0b1111, 2, false))).toBe(2);
    expect(shareability(combineS1S2(S1(0xff, 0), 0b1111, 3, false))).toBe(3);
    expect(shareability(combineS1S2(S1(0xff, 0), 0b1111, 0, false))).toBe(0);
    expect(decodeS2MemAttr(0b1111)).toBe(MemAttr.NormalWB);
    expect(decodeS2MemAttr(0b0010)).toBe(MemAttr.DeviceNGRE);
    expect(decodeS2MemAttr(0b1000)).toBe(0xb4); // reserved inner 00 → NC
    expect(attrToString(S1(0xf0))).toBe('Normal-WB/WB tagged ISH');
    expect(attrToString(S1(0x04))).toBe('Device-nGnRE OSH');
  });
});
