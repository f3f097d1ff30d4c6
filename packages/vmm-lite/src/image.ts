/**
 * The arm64 Linux `Image` header (Documentation/arch/arm64/booting.rst): 64 bytes at the start of the file,
 *   0x00 code0, 0x04 code1, 0x08 text_offset (u64 LE), 0x10 image_size (u64 LE), 0x18 flags (u64 LE),
 *   0x20..0x37 reserved, 0x38 magic "ARM\x64", 0x3c reserved (PE offset).
 * text_offset is only meaningful when image_size is non-zero (kernels before 3.17 left both zero).
 */
import { PlatformError, VmmError } from './errors.js';
import { defaultPlatform, gunzipOf, type Platform } from './platform.js';

export const ARM64_IMAGE_MAGIC = 0x644d_5241; // "ARM\x64" read little-endian
export const ARM64_IMAGE_MAGIC_OFFSET = 0x38;
export const ARM64_IMAGE_HEADER_SIZE = 0x40;

export interface Arm64ImageHeader {
  readonly textOffset: bigint;
  readonly imageSize: bigint;
  readonly flags: bigint;
}

/** The Image header, or undefined when the file does not carry the magic (a raw binary or a very old kernel). */
export function parseArm64ImageHeader(bytes: Uint8Array): Arm64ImageHeader | undefined {
  if (bytes.length < ARM64_IMAGE_HEADER_SIZE) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(ARM64_IMAGE_MAGIC_OFFSET, true) !== ARM64_IMAGE_MAGIC) return undefined;
  return {
    textOffset: dv.getBigUint64(0x08, true),
    imageSize: dv.getBigUint64(0x10, true),
    flags: dv.getBigUint64(0x18, true),
  };
}

/** Whether `bytes` starts with the gzip magic (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The most a gzip-compressed kernel may expand to (QEMU's limit is the same 256 MiB). */
export const MAX_GUNZIP_BYTES = 256 * 1024 * 1024;

/**
 * Decompress a gzip-compressed kernel, as QEMU does for arm64 (the bootloader's job on real hardware), with the
 * platform's gunzip (platform.ts; a PlatformError on one without, such as the web platform).
 */
export function gunzipKernel(bytes: Uint8Array, platform: Platform = defaultPlatform()): Uint8Array {
  const gunzip = gunzipOf(platform);
  try {
    return gunzip(bytes, MAX_GUNZIP_BYTES);
  } catch (e) {
    if (e instanceof PlatformError) throw e;
    throw new VmmError(`invalid gzip-compressed kernel: ${e instanceof Error ? e.message : String(e)}`);
  }
}
