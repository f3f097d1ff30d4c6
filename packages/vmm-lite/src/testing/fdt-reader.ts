/** Test support: a small flattened-device-tree reader, written independently of the builder it checks. */

export interface FdtNode {
  name: string;
  props: Map<string, Uint8Array>;
  children: FdtNode[];
}

export interface ParsedFdt {
  header: {
    magic: number; totalsize: number; offDtStruct: number; offDtStrings: number; offMemRsvmap: number;
    version: number; lastCompVersion: number; bootCpuidPhys: number; sizeDtStrings: number; sizeDtStruct: number;
  };
  reservations: { address: bigint; size: bigint }[];
  root: FdtNode;
}

export function parseFdt(blob: Uint8Array): ParsedFdt {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const u32 = (o: number) => dv.getUint32(o);
  const header = {
    magic: u32(0), totalsize: u32(4), offDtStruct: u32(8), offDtStrings: u32(12), offMemRsvmap: u32(16),
    version: u32(20), lastCompVersion: u32(24), bootCpuidPhys: u32(28), sizeDtStrings: u32(32), sizeDtStruct: u32(36),
  };
  if (header.magic !== 0xd00dfeed) throw new Error(`bad magic 0x${header.magic.toString(16)}`);
  const reservations: { address: bigint; size: bigint }[] = [];
  for (let o = header.offMemRsvmap; ; o += 16) {
    const address = dv.getBigUint64(o);
    const size = dv.getBigUint64(o + 8);
    if (address === 0n && size === 0n) break;
    reservations.push({ address, size });
  }
  const str = (o: number): string => {
    let end = o;
    while (blob[end] !== 0) end++;
    return Buffer.from(blob.subarray(o, end)).toString('latin1');
  };
  let p = header.offDtStruct;
  const end = header.offDtStruct + header.sizeDtStruct;
  const stack: FdtNode[] = [];
  let root: FdtNode | undefined;
  for (;;) {
    if (p >= end) throw new Error('structure block ended without FDT_END');
    const token = u32(p);
    p += 4;
    if (token === 1) {
      const name = str(p);
      p += (name.length + 1 + 3) & ~3;
      const node: FdtNode = { name, props: new Map(), children: [] };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(node);
      else root = node;
      stack.push(node);
    } else if (token === 3) {
      const len = u32(p);
      const nameoff = u32(p + 4);
      p += 8;
      if (nameoff >= header.sizeDtStrings) throw new Error('property name outside the strings block');
      stack[stack.length - 1]!.props.set(str(header.offDtStrings + nameoff), blob.slice(p, p + len));
      p += (len + 3) & ~3;
    } else if (token === 2) {
      stack.pop();
    } else if (token === 4) {
      // NOP
    } else if (token === 9) {
      break;
    } else {
      throw new Error(`unknown token ${token} at ${p - 4}`);
    }
  }
  if (stack.length !== 0 || root === undefined) throw new Error('unbalanced structure block');
  return { header, reservations, root };
}

/** The node at `path` ("/cpus/cpu@0"). */
export function findNode(root: FdtNode, path: string): FdtNode | undefined {
  let n: FdtNode | undefined = root;
  for (const part of path.split('/').filter((s) => s !== '')) n = n?.children.find((c) => c.name === part);
  return n;
}

export const propString = (v: Uint8Array | undefined): string | undefined =>
  v === undefined ? undefined : Buffer.from(v).toString('latin1').replace(/\0$/, '');
export const propStrings = (v: Uint8Array | undefined): string[] | undefined =>
  v === undefined ? undefined : Buffer.from(v).toString('latin1').replace(/\0$/, '').split('\0');
export const propCells = (v: Uint8Array | undefined): number[] | undefined => {
  if (v === undefined) return undefined;
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length / 4 }, (_, i) => dv.getUint32(i * 4));
};
