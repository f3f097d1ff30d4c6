/**
 * The ITS commands (IHI 0069 §5.3) as KVM's vgic-its.c carries them out, each returning 0 or the ITS error code
 * (E_ITS_*, IHI 0069's command error encoding) that KVM gives for it; the caller ignores the command on error. Commands KVM does
 * not know (the GICv4 ones, VMAPP and the like, or any other number) do nothing. SYNC does nothing: every command
 * has taken effect when it returns.
 *
 * Fields: DeviceID [63:32] of word 0; EventID [31:0] and pINTID [63:32] of word 1; Size [4:0] of word 1 (EventID
 * bits - 1); ICID [15:0], RDbase [47:16] (a vCPU index: PTA = 0), ITT address [51:8] and Valid [63] of word 2;
 * MOVALL's second RDbase [47:16] of word 3.
 */
import type { Its, ItsCollection, ItsDeviceEntry, ItsIte } from './its.js';
import {
  BASER, baserAddress, baserBytes, COLLECTION_NOT_MAPPED, ITS_COLLECTION_ID_BITS, ITS_DEVICE_ID_BITS, ITS_EVENT_ID_BITS,
  MAX_ITES,
} from './its-registers.js';
import { readU64 } from './its-guest-memory.js';

/** ITS command numbers. */
export const ITS_CMD = {
  MOVI: 0x01, INT: 0x03, CLEAR: 0x04, SYNC: 0x05, MAPD: 0x08, MAPC: 0x09, MAPTI: 0x0a, MAPI: 0x0b, INV: 0x0c,
  INVALL: 0x0d, MOVALL: 0x0e, DISCARD: 0x0f,
} as const;

/** The ITS error codes KVM returns (IHI 0069 command errors). */
export const E_ITS = {
  MOVI_UNMAPPED_INTERRUPT: 0x01_0107,
  MOVI_UNMAPPED_COLLECTION: 0x01_0109,
  INT_UNMAPPED_INTERRUPT: 0x01_0307,
  CLEAR_UNMAPPED_INTERRUPT: 0x01_0507,
  MAPD_DEVICE_OOR: 0x01_0801,
  MAPD_ITTSIZE_OOR: 0x01_0802,
  MAPC_PROCNUM_OOR: 0x01_0902,
  MAPC_COLLECTION_OOR: 0x01_0903,
  MAPTI_UNMAPPED_DEVICE: 0x01_0a04,
  MAPTI_ID_OOR: 0x01_0a05,
  MAPTI_PHYSICALID_OOR: 0x01_0a06,
  INV_UNMAPPED_INTERRUPT: 0x01_0c07,
  INVALL_UNMAPPED_COLLECTION: 0x01_0d09,
  MOVALL_PROCNUM_OOR: 0x01_0e01,
  DISCARD_UNMAPPED_INTERRUPT: 0x01_0f07,
  /** Not an architected code: the model's bound on translations (MAX_ITES) or an unreadable LPI table. */
  OUT_OF_RESOURCES: 0x01_ff00,
} as const;

const bits = (w: bigint, shift: number, n: number): number => Number((w >> BigInt(shift)) & ((1n << BigInt(n)) - 1n));

/** Carry out one command (four 64-bit words); 0 or an E_ITS code. */
export function handleCommand(its: Its, w: readonly bigint[]): number {
  const [w0, w1, w2, w3] = w as [bigint, bigint, bigint, bigint];
  const deviceId = bits(w0, 32, 32);
  const eventId = bits(w1, 0, 32);
  const icid = bits(w2, 0, 16);
  switch (bits(w0, 0, 8)) {
    case ITS_CMD.MAPD:
      return mapd(its, deviceId, bits(w1, 0, 5) + 1, BigInt(bits(w2, 8, 44)) << 8n, bits(w2, 63, 1) === 1);
    case ITS_CMD.MAPC:
      return mapc(its, icid, bits(w2, 16, 32), bits(w2, 63, 1) === 1);
    case ITS_CMD.MAPTI:
      return mapti(its, deviceId, eventId, bits(w1, 32, 32), icid);
    case ITS_CMD.MAPI:
      return mapti(its, deviceId, eventId, eventId, icid);
    case ITS_CMD.MOVI:
      return movi(its, deviceId, eventId, icid);
    case ITS_CMD.DISCARD:
      return discard(its, deviceId, eventId);
    case ITS_CMD.CLEAR:
      return clear(its, deviceId, eventId);
    case ITS_CMD.INV:
      return inv(its, deviceId, eventId);
    case ITS_CMD.INVALL:
      return invall(its, icid);
    case ITS_CMD.MOVALL:
      return movall(its, bits(w2, 16, 32), bits(w3, 16, 32));
    case ITS_CMD.INT: {
      const r = its.trigger(deviceId, eventId);
      return r < 0 ? 0 : r; // a disabled target drops the interrupt without an ITS error
    }
    default:
      return 0; // SYNC, and commands KVM ignores
  }
}

/**
 * Whether `id` has an entry in the table GITS_BASER value `baser` describes, in RAM (vgic_its_check_id): within
 * the ID width, within a flat table, or through a valid level-1 entry of an indirect one.
 */
export function tableEntryAddress(its: Its, baser: bigint, id: number): bigint | undefined {
  const type = (baser >> BASER.TYPE_SHIFT) & 7n;
  const maxBits = type === BASER.TYPE_DEVICE ? ITS_DEVICE_ID_BITS : type === BASER.TYPE_COLLECTION ? ITS_COLLECTION_ID_BITS : 0;
  if (maxBits === 0 || id >= 2 ** maxBits) return undefined;
  const esz = Number((baser >> BASER.ENTRY_SIZE_SHIFT) & 0x1fn) + 1;
  const size = baserBytes(baser);
  const base = baserAddress(baser);
  let addr: bigint;
  if ((baser & BASER.INDIRECT) === 0n) {
    if (id >= Math.floor(size / esz)) return undefined;
    addr = base + BigInt(id * esz);
  } else {
    const perPage = Math.floor(0x1_0000 / esz);
    const index = Math.floor(id / perPage);
    if (index >= size / 8) return undefined;
    const l1 = readU64(its.host.memory, base + BigInt(index * 8));
    if (l1 === undefined || (l1 >> 63n) === 0n) return undefined;
    addr = (l1 & 0x000f_ffff_ffff_0000n) + BigInt((id % perPage) * esz);
  }
  return its.host.memory.read(addr, esz) === undefined ? undefined : addr;
}

function mapd(its: Its, deviceId: number, eventIdBits: number, ittAddr: bigint, valid: boolean): number {
  if (tableEntryAddress(its, its.baserDevice, deviceId) === undefined) return E_ITS.MAPD_DEVICE_OOR;
  if (valid && eventIdBits > ITS_EVENT_ID_BITS) return E_ITS.MAPD_ITTSIZE_OOR;
  const old = its.devices.get(deviceId);
  // Mapping a mapped device again drops its translations, as KVM does.
  if (old !== undefined) its.freeDevice(old);
  if (valid) its.devices.set(deviceId, { id: deviceId, ittAddr, eventIdBits, ites: new Map() });
  return 0;
}

/** A new collection `icid`, if its table has room for it (vgic_its_alloc_collection). */
function allocCollection(its: Its, icid: number, target: number): ItsCollection | undefined {
  if (tableEntryAddress(its, its.baserCollection, icid) === undefined) return undefined;
  const c = { id: icid, target };
  its.collections.set(icid, c);
  return c;
}

function mapc(its: Its, icid: number, target: number, valid: boolean): number {
  if (target >= its.host.nrVcpus()) return E_ITS.MAPC_PROCNUM_OOR;
  if (!valid) {
    // As KVM: the collection is forgotten; its LPIs keep their target but translate no more.
    its.collections.delete(icid);
    return 0;
  }
  const existing = its.collections.get(icid);
  if (existing === undefined) return allocCollection(its, icid, target) === undefined ? E_ITS.MAPC_COLLECTION_OOR : 0;
  existing.target = target;
  const lpis = its.host.lpis();
  for (const dev of its.devices.values()) {
    for (const ite of dev.ites.values()) if (ite.icid === icid) lpis?.retarget(ite.irq, target);
  }
  return 0;
}

function mapti(its: Its, deviceId: number, eventId: number, intid: number, icid: number): number {
  const dev = its.devices.get(deviceId);
  if (dev === undefined) return E_ITS.MAPTI_UNMAPPED_DEVICE;
  if (eventId >= 2 ** dev.eventIdBits) return E_ITS.MAPTI_ID_OOR;
  const lpis = its.host.lpis();
  if (lpis === undefined || !lpis.inRange(intid)) return E_ITS.MAPTI_PHYSICALID_OOR;
  if (dev.ites.has(eventId)) return 0; // an existing mapping: UNPREDICTABLE, KVM keeps the old one
  if (its.iteCount >= MAX_ITES) return E_ITS.OUT_OF_RESOURCES;
  let coll = its.collections.get(icid);
  const created = coll === undefined;
  if (coll === undefined) coll = allocCollection(its, icid, COLLECTION_NOT_MAPPED);
  if (coll === undefined) return E_ITS.MAPC_COLLECTION_OOR;
  const target = coll.target === COLLECTION_NOT_MAPPED ? undefined : coll.target;
  const irq = lpis.add(intid, target);
  if (irq === undefined) {
    if (created) its.collections.delete(icid);
    return E_ITS.OUT_OF_RESOURCES;
  }
  dev.ites.set(eventId, { eventId, icid, irq });
  its.iteCount++;
  return 0;
}

/** The ITE of the pair with its device, or undefined. */
function entry(its: Its, deviceId: number, eventId: number): { dev: ItsDeviceEntry; ite: ItsIte } | undefined {
  const dev = its.devices.get(deviceId);
  const ite = dev?.ites.get(eventId);
  return dev === undefined || ite === undefined ? undefined : { dev, ite };
}

function movi(its: Its, deviceId: number, eventId: number, icid: number): number {
  const e = entry(its, deviceId, eventId);
  if (e === undefined) return E_ITS.MOVI_UNMAPPED_INTERRUPT;
  const to = its.mappedCollection(icid);
  if (its.mappedCollection(e.ite.icid) === undefined || to === undefined) return E_ITS.MOVI_UNMAPPED_COLLECTION;
  e.ite.icid = icid;
  its.host.lpis()?.retarget(e.ite.irq, to.target);
  return 0;
}

function discard(its: Its, deviceId: number, eventId: number): number {
  const e = entry(its, deviceId, eventId);
  if (e === undefined || its.mappedCollection(e.ite.icid) === undefined) return E_ITS.DISCARD_UNMAPPED_INTERRUPT;
  its.freeIte(e.dev, e.ite);
  return 0;
}

function clear(its: Its, deviceId: number, eventId: number): number {
  const e = entry(its, deviceId, eventId);
  if (e === undefined) return E_ITS.CLEAR_UNMAPPED_INTERRUPT;
  its.host.lpis()?.setPending(e.ite.irq, false);
  return 0;
}

function inv(its: Its, deviceId: number, eventId: number): number {
  const e = entry(its, deviceId, eventId);
  if (e === undefined) return E_ITS.INV_UNMAPPED_INTERRUPT;
  its.host.lpis()?.readConfig(e.ite.irq);
  return 0;
}

function invall(its: Its, icid: number): number {
  const c = its.mappedCollection(icid);
  if (c === undefined) return E_ITS.INVALL_UNMAPPED_COLLECTION;
  its.host.lpis()?.invalidateAll(c.target);
  return 0;
}

function movall(its: Its, from: number, to: number): number {
  const n = its.host.nrVcpus();
  if (from >= n || to >= n) return E_ITS.MOVALL_PROCNUM_OOR;
  const lpis = its.host.lpis();
  if (from === to || lpis === undefined) return 0;
  // Every LPI of the VM targeting `from`, whichever ITS maps it (KVM moves the redistributor's whole list).
  for (const irq of [...lpis.table.values()]) if (irq.target === from) lpis.retarget(irq, to);
  return 0;
}
