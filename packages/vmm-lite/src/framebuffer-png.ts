/**
 * A minimal PNG encoder for screenshots: 8-bit RGBA (colour type 6), no interlace, one IDAT chunk holding the
 * zlib stream of the scanlines (the platform's deflate: node:zlib's deflateSync on Node, see platform.ts), each with
 * filter type 0 (None). Chunks carry their CRC-32 (ISO 3309 / ITU-T V.42, the polynomial 0xEDB88320 reflected),
 * computed over the chunk type and data.
 */
import { defaultPlatform, deflateOf, type Platform } from './platform.js';

const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

let crcTable: Uint32Array | undefined;

/** CRC-32 as PNG chunks use it. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb8_8320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encode `rgba` (width × height × 4 bytes, rows top to bottom) as a PNG file, compressed with `platform`'s deflate (a
 * PlatformError on a platform without one, such as the web platform).
 */
export function encodePng(width: number, height: number, rgba: Uint8Array, platform: Platform = defaultPlatform()): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new RangeError(`bad PNG size ${width}x${height}`);
  if (rgba.length !== width * height * 4) throw new RangeError(`PNG data is ${rgba.length} bytes, expected ${width * height * 4}`);
  const deflate = deflateOf(platform);
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  // compression 0 (deflate), filter method 0, interlace 0
  const row = width * 4;
  const raw = new Uint8Array((row + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * row, (y + 1) * row), y * (row + 1) + 1); // filter byte 0
  const idat = deflate(raw);
  const parts = [PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
