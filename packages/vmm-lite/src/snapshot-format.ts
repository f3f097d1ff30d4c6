/**
 * The vmm-lite snapshot file format (version 1): container, checksums and validation. Everything here is pure
 * (bytes in, bytes out); snapshot.ts takes a machine's state into and out of it. A file may be larger than one
 * buffer (4 GiB of non-zero RAM): it is written as a list of parts and read by position (snapshot-source.ts).
 *
 * ```
 * offset  size  field
 * 0       8     magic "VMMLSNAP"
 * 8       4     format version (u32 LE) = 2
 * 12      4     header length H (u32 LE)
 * 16      H     header: UTF-8 JSON, the machine config (SnapshotHeader)
 * 16+H    4     CRC-32 of the header bytes
 * 20+H    4     section count S
 *         ...   S sections, each: kind (4 ASCII bytes), index (u32), payload length (u64: u32 low, u32 high),
 *               CRC-32 of the payload (u32), payload
 * end-32  32    SHA-256 of every byte before it
 * ```
 *
 * Sections: `VCPU` (index = vCPU id), `DEVS`, `MEM ` and `TAGS` (index 0), in that order. Payloads:
 * - VCPU: u32 id, u32 mp_state, u32 register count n, then n × (u64 ONE_REG id, value): the value takes the id's
 *   KVM_REG_SIZE, at least 8 bytes (8 for 32- and 64-bit registers, 16 for the 128-bit V registers), little-endian.
 *   Version 1 files (before the V registers) hold only 8-byte values, so they read the same way.
 * - DEVS: UTF-8 JSON `{ devices: { [name]: state }, machine: { instructions } }`.
 * - MEM: u32 page size (4096), u32 page count, a bitmap (ceil(count / 8) bytes, bit i = page i is not all zero,
 *   LSB first), then every non-zero page's bytes in page order.
 * - TAGS: u32 page count, u32 tagged-page count t, then t entries in increasing page order: u32 page index, u8 form
 *   (0: one 64-bit run-length word of @kvm-mte/mte-tags' compression, 8 bytes LE; 1: the 128 packed tag bytes).
 *   Pages whose tags are all zero (and untagged pages) are omitted.
 *
 * SHA-256 comes from the platform (platform.ts: node:crypto on Node, sha256.ts in a browser); the functions that hash
 * take it as an optional last argument, default defaultPlatform().
 */
import { defaultPlatform, type Platform, type Sha256Hash } from './platform.js';
import { bytesSource, type SnapshotSource } from './snapshot-source.js';

export const SNAPSHOT_MAGIC = 'VMMLSNAP';
/** The version written; versions 1 (before FP/SIMD registers) and 2 are read. */
export const SNAPSHOT_VERSION = 2;
const OLDEST_READ_VERSION = 1;
export const SNAPSHOT_PAGE = 4096;
const TRAILER = 32;
const SECTION_HEAD = 20;

export type SectionKind = 'VCPU' | 'DEVS' | 'MEM ' | 'TAGS';
export const SECTION_KINDS: readonly SectionKind[] = ['VCPU', 'DEVS', 'MEM ', 'TAGS'];

export type PolicyName = 'transparent-upgrade' | 'enforce-prot-mte' | 'mte-allowed' | 'no-tag-access';
export const POLICY_NAMES: readonly PolicyName[] = ['transparent-upgrade', 'enforce-prot-mte', 'mte-allowed', 'no-tag-access'];
export type MemBackend = 'anonymous' | 'shared';
export const MEM_BACKENDS: readonly MemBackend[] = ['anonymous', 'shared'];
export type TagsVia = 'copy-tags' | 'mapping';

/** The header: what machine the snapshot needs, and how it was taken. */
export interface SnapshotHeader {
  /** Guest RAM bytes. */
  memory: number;
  smp: number;
  mte: boolean;
  policy: PolicyName;
  memBackend: MemBackend;
  protMte: boolean;
  /** SHA-256 (hex) of the kernel file that was booted. */
  kernelSha256: string;
  /** How tags were saved: KVM_ARM_MTE_COPY_TAGS, or the VMM's own mapping (zeros without PROT_MTE). */
  tagsVia: TagsVia;
  /** Guest instructions retired when the machine stopped, all vCPUs. */
  instructions: number;
  ramBase: number;
}

/** A section to write: its payload in one piece or as parts written one after the other (never joined). */
export interface Section {
  kind: SectionKind;
  index: number;
  payload: Uint8Array | readonly Uint8Array[];
}

/** A section found in a file: where its payload lies (read it from the file's source when needed). */
export interface StoredSection {
  kind: SectionKind;
  index: number;
  /** Offset of the payload in the file. */
  offset: number;
  length: number;
}

/** A snapshot refused: the message is one line. */
export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

// ---- checksums ----

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb8_8320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib's crc32). `crc` continues a CRC over earlier bytes: crc32(b, crc32(a)) = crc32(a + b). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffff_ffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffff_ffff) >>> 0;
}

export function sha256(data: Uint8Array, platform: Platform = defaultPlatform()): Uint8Array {
  const h = platform.createSha256();
  h.update(data);
  return h.digest();
}

/** SHA-256 of `data` as 64 lower-case hex digits. */
export function sha256Hex(data: Uint8Array, platform: Platform = defaultPlatform()): string {
  return Array.from(sha256(data, platform), (b) => b.toString(16).padStart(2, '0')).join('');
}

// ---- writing ----

/** Parts handed to the hash and the file at most this long (hashing is chunked; a RAM run may be gigabytes). */
const PART_MAX = 64 << 20;

function partsOf(payload: Uint8Array | readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const p of payload instanceof Uint8Array ? [payload] : payload) {
    for (let o = 0; o < p.length; o += PART_MAX) out.push(p.subarray(o, Math.min(p.length, o + PART_MAX)));
  }
  return out;
}

/**
 * Assemble a snapshot file from its header and sections as a list of parts whose concatenation is the file (its
 * size may exceed what one Uint8Array holds). Payload parts are not copied: write the parts out before the memory
 * they view changes (writeSnapshotFile, or {@link joinParts} for a small file).
 */
export function encodeSnapshotParts(header: SnapshotHeader, sections: readonly Section[], platform: Platform = defaultPlatform()): { parts: Uint8Array[]; size: number } {
  const hash = platform.createSha256();
  const parts: Uint8Array[] = [];
  let size = 0;
  const emit = (b: Uint8Array): void => {
    if (b.length === 0) return;
    hash.update(b);
    parts.push(b);
    size += b.length;
  };
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(16 + headerBytes.length + 8);
  const v = new DataView(head.buffer);
  head.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  v.setUint32(8, SNAPSHOT_VERSION, true);
  v.setUint32(12, headerBytes.length, true);
  head.set(headerBytes, 16);
  v.setUint32(16 + headerBytes.length, crc32(headerBytes), true);
  v.setUint32(20 + headerBytes.length, sections.length, true);
  emit(head);
  for (const s of sections) {
    const payload = partsOf(s.payload);
    let length = 0;
    let crc = 0;
    for (const p of payload) {
      length += p.length;
      crc = crc32(p, crc);
    }
    const sh = new Uint8Array(SECTION_HEAD);
    const w = new DataView(sh.buffer);
    sh.set(new TextEncoder().encode(s.kind), 0);
    w.setUint32(4, s.index, true);
    w.setUint32(8, length >>> 0, true);
    w.setUint32(12, Math.floor(length / 2 ** 32), true);
    w.setUint32(16, crc, true);
    emit(sh);
    for (const p of payload) emit(p);
  }
  const digest = hash.digest();
  parts.push(digest);
  size += digest.length;
  return { parts, size };
}

/** The most bytes one Uint8Array may hold here. */
export const MAX_BUFFER_BYTES = 2 ** 32 - 1;

/** The parts of a file as one buffer; a SnapshotError when it cannot be one (write the parts to a file instead). */
export function joinParts(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (size > MAX_BUFFER_BYTES) throw new SnapshotError(`the snapshot is ${size} bytes, more than one buffer holds (${MAX_BUFFER_BYTES}): write its parts to a file`);
  const out = new Uint8Array(size);
  let p = 0;
  for (const b of parts) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/** Assemble a snapshot file from its header and sections, in one buffer (see {@link encodeSnapshotParts}). */
export function encodeSnapshot(header: SnapshotHeader, sections: readonly Section[], platform?: Platform): Uint8Array {
  const { parts, size } = encodeSnapshotParts(header, sections, platform);
  return joinParts(parts, size);
}

/** Where each part of a file lies: for tests (corrupting every section) and `inspect`. */
export interface SnapshotLayout {
  header: { offset: number; length: number };
  sections: { kind: string; index: number; offset: number; payloadOffset: number; length: number }[];
  trailer: number;
}

// ---- reading ----

function fail(msg: string): never {
  throw new SnapshotError(msg);
}

/** Bytes hashed and CRC-checked per read while validating a file. */
const CHECK_CHUNK = 16 << 20;

/**
 * Reads a source front to back, feeding every byte to the file's SHA-256 exactly once (the sections lie one after
 * the other), so a file of any size is checked in one pass without holding it.
 */
class SequentialReader {
  pos = 0;
  constructor(private readonly src: SnapshotSource, private readonly hash: Sha256Hash) {}

  /** The next `length` bytes (small reads: fixed fields, the header). */
  take(length: number): Uint8Array {
    const b = this.src.read(this.pos, length);
    this.hash.update(b);
    this.pos += length;
    return b;
  }

  /** CRC-32 of the next `length` bytes, read in chunks. */
  crcOf(length: number): number {
    let crc = 0;
    for (let done = 0; done < length;) {
      const n = Math.min(CHECK_CHUNK, length - done);
      crc = crc32(this.take(n), crc);
      done += n;
    }
    return crc;
  }

  digest(): Uint8Array {
    return this.hash.digest();
  }
}

/**
 * Check the container (magic, version, bounds, every CRC, the file's SHA-256) and return the header and where each
 * section lies. `file` is the whole file in memory or a source read by position (a file of any size). Nothing about
 * the machine is checked here (see snapshot.ts). `platform` computes the SHA-256.
 */
export function decodeContainer(file: Uint8Array | SnapshotSource, platform: Platform = defaultPlatform()): { header: SnapshotHeader; sections: StoredSection[]; layout: SnapshotLayout; source: SnapshotSource } {
  const src = file instanceof Uint8Array ? bytesSource(file) : file;
  const size = src.size;
  if (size < 8) fail(`not a vmm-lite snapshot: the file is only ${size} bytes`);
  const r = new SequentialReader(src, platform.createSha256());
  const fixed = r.take(Math.min(size, 16));
  const magic = new TextDecoder('latin1').decode(fixed.subarray(0, 8));
  if (magic !== SNAPSHOT_MAGIC) fail('not a vmm-lite snapshot (bad magic)');
  if (size < 16) fail(`snapshot is truncated: ${size} bytes, the fixed header alone is 16`);
  const v = new DataView(fixed.buffer, fixed.byteOffset, fixed.byteLength);
  const version = v.getUint32(8, true);
  if (version < OLDEST_READ_VERSION || version > SNAPSHOT_VERSION) {
    fail(`unsupported snapshot format version ${version} (this vmm-lite reads versions ${OLDEST_READ_VERSION} to ${SNAPSHOT_VERSION})`);
  }
  const hlen = v.getUint32(12, true);
  if (16 + hlen + 8 + TRAILER > size) fail(`snapshot is truncated: the header (${hlen} bytes) runs past the end of the file (${size} bytes)`);
  const headerBytes = r.take(hlen).slice();
  const hv = dataView(r.take(8));
  if (hv.getUint32(0, true) !== crc32(headerBytes)) fail('snapshot is corrupt: header checksum mismatch');
  const count = hv.getUint32(4, true);
  const layout: SnapshotLayout = { header: { offset: 16, length: hlen }, sections: [], trailer: 0 };
  const sections: StoredSection[] = [];
  for (let i = 0; i < count; i++) {
    const p = r.pos;
    if (p + SECTION_HEAD > size - TRAILER) fail(`snapshot is truncated: section ${i + 1} of ${count} is missing`);
    const head = r.take(SECTION_HEAD);
    const sv = dataView(head);
    const kind = new TextDecoder('latin1').decode(head.subarray(0, 4));
    const index = sv.getUint32(4, true);
    const len = sv.getUint32(8, true) + sv.getUint32(12, true) * 2 ** 32;
    const crc = sv.getUint32(16, true);
    const name = JSON.stringify(kind.trimEnd());
    if (!(SECTION_KINDS as readonly string[]).includes(kind)) fail(`snapshot is corrupt: unknown section kind ${name}`);
    if (p + SECTION_HEAD + len > size - TRAILER) fail(`snapshot is truncated: section ${name} ${index} (${len} bytes) runs past the end of the file`);
    if (r.crcOf(len) !== crc) fail(`snapshot is corrupt: section ${name} ${index} checksum mismatch`);
    layout.sections.push({ kind, index, offset: p, payloadOffset: p + SECTION_HEAD, length: len });
    sections.push({ kind: kind as SectionKind, index, offset: p + SECTION_HEAD, length: len });
  }
  const p = r.pos;
  if (p + TRAILER < size) fail(`snapshot is corrupt: ${size - p - TRAILER} unexpected bytes after the last section`);
  layout.trailer = p;
  const want = r.digest();
  const got = src.read(p, TRAILER);
  if (!want.every((b, i) => b === got[i])) fail('snapshot is corrupt: file checksum (SHA-256) mismatch');

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    fail('snapshot is corrupt: the header is not valid JSON');
  }
  return { header: checkHeader(header), sections, layout, source: src };
}

function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function checkHeader(h: unknown): SnapshotHeader {
  const o = h as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) fail('snapshot is corrupt: the header is not an object');
  const int = (k: string, min: number, max: number): void => {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < min || x > max) fail(`snapshot header: bad ${k} ${JSON.stringify(x)}`);
  };
  int('memory', SNAPSHOT_PAGE, 2 ** 32);
  if ((o.memory as number) % SNAPSHOT_PAGE !== 0) fail('snapshot header: memory is not a multiple of 4 KiB');
  int('smp', 1, 512);
  int('instructions', 0, Number.MAX_SAFE_INTEGER);
  int('ramBase', 0, 2 ** 48);
  for (const k of ['mte', 'protMte']) if (typeof o[k] !== 'boolean') fail(`snapshot header: bad ${k}`);
  if (!(POLICY_NAMES as readonly unknown[]).includes(o.policy)) fail(`snapshot header: unknown policy ${JSON.stringify(o.policy)}`);
  if (!(MEM_BACKENDS as readonly unknown[]).includes(o.memBackend)) fail(`snapshot header: unknown memory backend ${JSON.stringify(o.memBackend)}`);
  if (o.tagsVia !== 'copy-tags' && o.tagsVia !== 'mapping') fail(`snapshot header: bad tagsVia ${JSON.stringify(o.tagsVia)}`);
  if (typeof o.kernelSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.kernelSha256)) fail('snapshot header: bad kernelSha256');
  return o as unknown as SnapshotHeader;
}
