/** Test support: build small ELF64 files by hand (little-endian AArch64 unless told otherwise). */

export interface TestSegment {
  type?: number;
  paddr: number;
  vaddr?: number | bigint;
  data: Uint8Array;
  memsz?: number;
  flags?: number;
}

export interface TestElfOptions {
  entry: number;
  segments: TestSegment[];
  /** Header overrides, to build invalid files. */
  cls?: number;
  dataEncoding?: number;
  machine?: number;
  type?: number;
  phentsize?: number;
}

/** An ELF64 executable with one program header per segment, segment data after the headers. */
export function buildElf(o: TestElfOptions): Uint8Array {
  const phoff = 64;
  const phentsize = o.phentsize ?? 56;
  let dataOff = phoff + o.segments.length * phentsize;
  const offsets = o.segments.map((s) => {
    const off = dataOff;
    dataOff += s.data.length;
    return off;
  });
  const out = new Uint8Array(dataOff);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, o.cls ?? 2, o.dataEncoding ?? 1, 1, 0]);
  dv.setUint16(16, o.type ?? 2, true); // ET_EXEC
  dv.setUint16(18, o.machine ?? 183, true); // EM_AARCH64
  dv.setUint32(20, 1, true);
  dv.setBigUint64(24, BigInt(o.entry), true);
  dv.setBigUint64(32, BigInt(phoff), true);
  dv.setBigUint64(40, 0n, true);
  dv.setUint16(52, 64, true);
  dv.setUint16(54, phentsize, true);
  dv.setUint16(56, o.segments.length, true);
  o.segments.forEach((s, i) => {
    const p = phoff + i * phentsize;
    dv.setUint32(p, s.type ?? 1, true);
    dv.setUint32(p + 4, s.flags ?? 5, true);
    dv.setBigUint64(p + 8, BigInt(offsets[i]!), true);
    dv.setBigUint64(p + 16, BigInt(s.vaddr ?? s.paddr), true);
    dv.setBigUint64(p + 24, BigInt(s.paddr), true);
    dv.setBigUint64(p + 32, BigInt(s.data.length), true);
    dv.setBigUint64(p + 40, BigInt(s.memsz ?? s.data.length), true);
    dv.setBigUint64(p + 48, 0x1000n, true);
    out.set(s.data, offsets[i]!);
  });
  return out;
}

/** Instruction words as little-endian bytes. */
export function words(ws: readonly number[]): Uint8Array {
  const out = new Uint8Array(ws.length * 4);
  const dv = new DataView(out.buffer);
  ws.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}

/** An ELF whose single segment holds `code` at `addr` (default 0x4008_0000), entry at its start. */
export function codeElf(code: readonly number[], addr = 0x4008_0000): Uint8Array {
  return buildElf({ entry: addr, segments: [{ paddr: addr, data: words(code) }] });
}
