/**
 * A flattened device tree (FDT / DTB) writer, version 17 (last compatible version 16), written from the
 * Devicetree Specification, chapter 5:
 *
 *   header (40 bytes, big-endian u32s) | memory reservation map (u64 address, u64 size pairs ending in 0, 0)
 *   | structure block (FDT_BEGIN_NODE name, FDT_PROP len nameoff value, FDT_END_NODE, ..., FDT_END)
 *   | strings block (NUL-terminated property names, shared)
 *
 * Every token and value is padded to 4 bytes; the reservation map is 8-byte aligned.
 */

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;
const HEADER_SIZE = 40;

const utf8 = new TextEncoder();

/** A property value: raw bytes, a string, a list of strings (stringlist), or u32 cells. */
export type FdtValue = Uint8Array | string | readonly string[] | { readonly cells: readonly number[] } | { readonly u64: readonly (bigint | number)[] };

/** Encode u32 cells big-endian. */
export function cells(...values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff_ffff) throw new RangeError(`FDT cell ${v} is not a u32`);
    dv.setUint32(i * 4, v);
  });
  return out;
}

/** Encode 64-bit values as pairs of big-endian cells (#address-cells / #size-cells = 2). */
export function cells64(...values: readonly (bigint | number)[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigUint64(i * 8, BigInt(v)));
  return out;
}

function encodeValue(v: FdtValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return utf8.encode(`${v}\0`);
  if (Array.isArray(v)) return utf8.encode((v as string[]).map((s) => `${s}\0`).join(''));
  if ('cells' in v) return cells(...v.cells);
  return cells64(...(v as { u64: readonly (bigint | number)[] }).u64);
}

/** Valid node names: 1..31 characters of the spec's set, with an optional @unit-address. */
const NODE_NAME = /^[A-Za-z0-9,._+-]{1,31}(@[A-Za-z0-9,._+-]+)?$/;
const PROP_NAME = /^[A-Za-z0-9,._+?#-]{1,31}$/;

/**
 * Builds a device tree in one pass: `beginNode` / `prop` / `endNode` in document order (the root node is
 * `beginNode('')`), then `finish()`.
 */
export class FdtBuilder {
  private struct: number[] = [];
  private readonly strings: number[] = [];
  private readonly stringOffsets = new Map<string, number>();
  private readonly reservations: { address: bigint; size: bigint }[] = [];
  private depth = 0;
  private rootDone = false;
  private nodeHasChildren: boolean[] = [];

  /** Add a memory reservation map entry. */
  reserve(address: bigint | number, size: bigint | number): this {
    this.reservations.push({ address: BigInt(address), size: BigInt(size) });
    return this;
  }

  beginNode(name: string): this {
    if (this.depth === 0) {
      if (name !== '') throw new Error('the first node must be the root node (name "")');
      if (this.rootDone) throw new Error('the tree has only one root node');
    } else if (!NODE_NAME.test(name)) {
      throw new Error(`invalid node name '${name}'`);
    }
    if (this.depth > 0) this.nodeHasChildren[this.depth - 1] = true;
    this.token(FDT_BEGIN_NODE);
    this.bytes(utf8.encode(`${name}\0`));
    this.depth++;
    this.nodeHasChildren[this.depth - 1] = false;
    return this;
  }

  endNode(): this {
    if (this.depth === 0) throw new Error('endNode without beginNode');
    this.token(FDT_END_NODE);
    this.depth--;
    if (this.depth === 0) this.rootDone = true;
    return this;
  }

  /** Add a property to the current node. Properties must come before the node's children. */
  prop(name: string, value: FdtValue = new Uint8Array(0)): this {
    if (this.depth === 0) throw new Error(`property '${name}' outside a node`);
    if (this.nodeHasChildren[this.depth - 1]) throw new Error(`property '${name}' after a child node`);
    if (!PROP_NAME.test(name)) throw new Error(`invalid property name '${name}'`);
    const data = encodeValue(value);
    this.token(FDT_PROP);
    this.token(data.length);
    this.token(this.stringOffset(name));
    this.bytes(data);
    return this;
  }

  /** Build the blob. `bootCpuId` is the header's boot_cpuid_phys. */
  finish(bootCpuId = 0): Uint8Array {
    if (this.depth !== 0 || !this.rootDone) throw new Error('unbalanced device tree: close every node first');
    this.token(FDT_END);
    const rsvOff = HEADER_SIZE; // already 8-byte aligned
    const rsvSize = (this.reservations.length + 1) * 16;
    const structOff = rsvOff + rsvSize;
    const structSize = this.struct.length;
    const stringsOff = structOff + structSize;
    const stringsSize = this.strings.length;
    const total = stringsOff + stringsSize;
    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    const header = [FDT_MAGIC, total, structOff, stringsOff, rsvOff, FDT_VERSION, FDT_LAST_COMP_VERSION, bootCpuId, stringsSize, structSize];
    header.forEach((v, i) => dv.setUint32(i * 4, v));
    this.reservations.forEach((r, i) => {
      dv.setBigUint64(rsvOff + i * 16, r.address);
      dv.setBigUint64(rsvOff + i * 16 + 8, r.size);
    });
    out.set(this.struct, structOff);
    out.set(this.strings, stringsOff);
    return out;
  }

  private token(v: number): void {
    this.struct.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }

  private bytes(b: Uint8Array): void {
    for (const x of b) this.struct.push(x);
    while (this.struct.length % 4 !== 0) this.struct.push(0);
  }

  private stringOffset(name: string): number {
    let off = this.stringOffsets.get(name);
    if (off === undefined) {
      off = this.strings.length;
      for (const x of utf8.encode(`${name}\0`)) this.strings.push(x);
      this.stringOffsets.set(name, off);
    }
    return off;
  }
}
