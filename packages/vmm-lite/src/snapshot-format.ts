/**
 * The vmm-lite snapshot file format (version 1): container, checksums and validation. Everything here is pure
 * (bytes in, bytes out); snapshot.ts takes a machine's state into and out of it.
 *
 * ```
 * offset  size  field
 * 0       8     magic "VMMLSNAP"
 * 8       4     format version (u32 LE) = 1
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
 * - VCPU: u32 id, u32 mp_state, u32 register count n, then n × (u64 ONE_REG id, u64 value).
 * - DEVS: UTF-8 JSON `{ devices: { [name]: state }, machine: { instructions } }`.
 * - MEM: u32 page size (4096), u32 page count, a bitmap (ceil(count / 8) bytes, bit i = page i is not all zero,
 *   LSB first), then every non-zero page's bytes in page order.
 * - TAGS: u32 page count, u32 tagged-page count t, then t entries in increasing page order: u32 page index, u8 form
 *   (0: one 64-bit run-length word of @kvm-mte/mte-tags' compression, 8 bytes LE; 1: the 128 packed tag bytes).
 *   Pages whose tags are all zero (and untagged pages) are omitted.
 */
import { createHash } from 'node:crypto';

export const SNAPSHOT_MAGIC = 'VMMLSNAP';
export const SNAPSHOT_VERSION = 1;
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

export interface Section {
  kind: SectionKind;
  index: number;
  payload: Uint8Array;
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

/** CRC-32 (IEEE 802.3, as zlib's crc32). */
export function crc32(data: Uint8Array): number {
  let c = 0xffff_ffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffff_ffff) >>> 0;
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

// ---- writing ----

/** Assemble a snapshot file from its header and sections. */
export function encodeSnapshot(header: SnapshotHeader, sections: readonly Section[]): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  let size = 16 + headerBytes.length + 8 + TRAILER;
  for (const s of sections) size += SECTION_HEAD + s.payload.length;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set(new TextEncoder().encode(SNAPSHOT_MAGIC), 0);
  v.setUint32(8, SNAPSHOT_VERSION, true);
  v.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, 16);
  let p = 16 + headerBytes.length;
  v.setUint32(p, crc32(headerBytes), true);
  v.setUint32(p + 4, sections.length, true);
  p += 8;
  for (const s of sections) {
    out.set(new TextEncoder().encode(s.kind), p);
    v.setUint32(p + 4, s.index, true);
    v.setUint32(p + 8, s.payload.length >>> 0, true);
    v.setUint32(p + 12, Math.floor(s.payload.length / 2 ** 32), true);
    v.setUint32(p + 16, crc32(s.payload), true);
    out.set(s.payload, p + SECTION_HEAD);
    p += SECTION_HEAD + s.payload.length;
  }
  out.set(sha256(out.subarray(0, p)), p);
  return out;
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

/**
 * Check the container (magic, version, bounds, every CRC, the file's SHA-256) and return the header and sections.
 * Nothing about the machine is checked here (see snapshot.ts).
 */
export function decodeContainer(file: Uint8Array): { header: SnapshotHeader; sections: Section[]; layout: SnapshotLayout } {
  if (file.length < 8) fail(`not a vmm-lite snapshot: the file is only ${file.length} bytes`);
  const magic = new TextDecoder('latin1').decode(file.subarray(0, 8));
  if (magic !== SNAPSHOT_MAGIC) fail('not a vmm-lite snapshot (bad magic)');
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < 16) fail(`snapshot is truncated: ${file.length} bytes, the fixed header alone is 16`);
  const version = v.getUint32(8, true);
  if (version !== SNAPSHOT_VERSION) fail(`unsupported snapshot format version ${version} (this vmm-lite reads version ${SNAPSHOT_VERSION})`);
  const hlen = v.getUint32(12, true);
  if (16 + hlen + 8 + TRAILER > file.length) fail(`snapshot is truncated: the header (${hlen} bytes) runs past the end of the file (${file.length} bytes)`);
  const headerBytes = file.subarray(16, 16 + hlen);
  let p = 16 + hlen;
  if (v.getUint32(p, true) !== crc32(headerBytes)) fail('snapshot is corrupt: header checksum mismatch');
  const count = v.getUint32(p + 4, true);
  p += 8;
  const layout: SnapshotLayout = { header: { offset: 16, length: hlen }, sections: [], trailer: 0 };
  const sections: Section[] = [];
  for (let i = 0; i < count; i++) {
    if (p + SECTION_HEAD > file.length - TRAILER) fail(`snapshot is truncated: section ${i + 1} of ${count} is missing`);
    const kind = new TextDecoder('latin1').decode(file.subarray(p, p + 4));
    const index = v.getUint32(p + 4, true);
    const len = v.getUint32(p + 8, true) + v.getUint32(p + 12, true) * 2 ** 32;
    const crc = v.getUint32(p + 16, true);
    const name = JSON.stringify(kind.trimEnd());
    if (!(SECTION_KINDS as readonly string[]).includes(kind)) fail(`snapshot is corrupt: unknown section kind ${name}`);
    if (p + SECTION_HEAD + len > file.length - TRAILER) fail(`snapshot is truncated: section ${name} ${index} (${len} bytes) runs past the end of the file`);
    const payload = file.subarray(p + SECTION_HEAD, p + SECTION_HEAD + len);
    if (crc32(payload) !== crc) fail(`snapshot is corrupt: section ${name} ${index} checksum mismatch`);
    layout.sections.push({ kind, index, offset: p, payloadOffset: p + SECTION_HEAD, length: len });
    sections.push({ kind: kind as SectionKind, index, payload });
    p += SECTION_HEAD + len;
  }
  if (p + TRAILER < file.length) fail(`snapshot is corrupt: ${file.length - p - TRAILER} unexpected bytes after the last section`);
  layout.trailer = p;
  const want = sha256(file.subarray(0, p));
  const got = file.subarray(p, p + TRAILER);
  if (!want.every((b, i) => b === got[i])) fail('snapshot is corrupt: file checksum (SHA-256) mismatch');

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch {
    fail('snapshot is corrupt: the header is not valid JSON');
  }
  return { header: checkHeader(header), sections, layout };
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
