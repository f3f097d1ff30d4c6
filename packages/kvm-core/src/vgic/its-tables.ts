/**
 * Save and restore of an ITS's translations through guest memory, in the table layout of KVM's ABI revision 0
 * (Documentation/virt/kvm/devices/arm-vgic-its.rst): KVM_DEV_ARM_ITS_SAVE_TABLES writes the device table
 * (GITS_BASER0), each device's interrupt translation table (at its ITT address) and the collection table
 * (GITS_BASER1); KVM_DEV_ARM_ITS_RESTORE_TABLES reads them back into a fresh ITS whose registers the VMM has
 * restored. Every entry is 8 bytes, little-endian:
 *
 * - device table entry (indexed by DeviceID): Valid [63], Next [62:49] (DeviceID offset to the next valid entry,
 *   0: the last), ITT_addr [48:5] (address >> 8), Size [4:0] (EventID bits - 1);
 * - ITT entry (indexed by EventID): Next [63:48], pINTID [47:16] (0: invalid), ICID [15:0];
 * - collection table entry (in order, up to the first invalid one): Valid [63], RDBase [51:16] (the vCPU index, or
 *   0xffffffff for a collection not mapped yet), ICID [15:0].
 *
 * Errors as KVM's: EFAULT when a table is not RAM, EINVAL for an entry that cannot be (an ID beyond its table, an
 * LPI INTID below 8192, an unknown collection, a vCPU that does not exist), EEXIST for a collection listed twice.
 */
import { fail } from '../errors.js';
import { FIRST_LPI } from './constants.js';
import { tableEntryAddress } from './its-commands.js';
import { readU64, writeU64 } from './its-guest-memory.js';
import type { Its, ItsDeviceEntry } from './its.js';
import type { Lpis } from './its-lpis.js';
import {
  BASER, baserAddress, baserBytes, COLLECTION_NOT_MAPPED, ITS_ABI0_ENTRY_SIZE, MAX_ITES,
} from './its-registers.js';

const ESZ = ITS_ABI0_ENTRY_SIZE;
/** The largest Next field of a device table entry (14 bits) and of an ITT entry (16 bits). */
const DTE_MAX_NEXT = 2 ** 14 - 1;
const ITE_MAX_NEXT = 2 ** 16 - 1;
const PAGE_64K = 0x1_0000;

function write(its: Its, ipa: bigint, value: bigint, what: string): void {
  if (!writeU64(its.host.memory, ipa, value)) fail('EFAULT', `ITS save: ${what} at 0x${ipa.toString(16)} is not RAM`);
}

function read(its: Its, ipa: bigint, what: string): bigint {
  const v = readU64(its.host.memory, ipa);
  if (v === undefined) fail('EFAULT', `ITS restore: ${what} at 0x${ipa.toString(16)} is not RAM`);
  return v;
}

/** KVM_DEV_ARM_ITS_SAVE_TABLES: write the device table, the ITTs and the collection table into guest memory. */
export function saveItsTables(its: Its): void {
  if ((its.baserDevice & BASER.VALID) !== 0n) {
    const devices = [...its.devices.values()].sort((a, b) => a.id - b.id);
    devices.forEach((dev, i) => {
      const at = tableEntryAddress(its, its.baserDevice, dev.id);
      if (at === undefined) fail('EINVAL', `ITS save: device ${dev.id} has no entry in the device table`);
      saveItt(its, dev);
      const next = i + 1 < devices.length ? Math.min(devices[i + 1]!.id - dev.id, DTE_MAX_NEXT) : 0;
      write(its, at, (1n << 63n) | (BigInt(next) << 49n) | ((dev.ittAddr >> 8n) << 5n) | BigInt(dev.eventIdBits - 1), 'device table entry');
    });
  }
  if ((its.baserCollection & BASER.VALID) === 0n) return;
  // A collection an ITE still names after MAPC V=0 forgot it is saved as not mapped, so that the ITE restores.
  const ids = new Map<number, number>([...its.collections.values()].map((c) => [c.id, c.target]));
  for (const dev of its.devices.values()) for (const ite of dev.ites.values()) if (!ids.has(ite.icid)) ids.set(ite.icid, COLLECTION_NOT_MAPPED);
  const base = baserAddress(its.baserCollection);
  const max = baserBytes(its.baserCollection) / ESZ;
  let n = 0;
  for (const [id, target] of ids) {
    if (n === max) return;
    write(its, base + BigInt(n++ * ESZ), (1n << 63n) | (BigInt(target) << 16n) | BigInt(id), 'collection table entry');
  }
  if (n < max) write(its, base + BigInt(n * ESZ), 0n, 'collection table end');
}

function saveItt(its: Its, dev: ItsDeviceEntry): void {
  const ites = [...dev.ites.values()].sort((a, b) => a.eventId - b.eventId);
  ites.forEach((ite, i) => {
    const next = i + 1 < ites.length ? Math.min(ites[i + 1]!.eventId - ite.eventId, ITE_MAX_NEXT) : 0;
    write(its, dev.ittAddr + BigInt(ite.eventId * ESZ), (BigInt(next) << 48n) | (BigInt(ite.irq.intid) << 16n) | BigInt(ite.icid), 'ITT entry');
  });
}

/**
 * KVM_DEV_ARM_ITS_RESTORE_TABLES: rebuild the collections, devices and translations from guest memory (the
 * collection table first: ITEs name collections). The vGICv3 must be initialised and its GICR_PROPBASER and
 * PENDBASERs restored: each LPI reads its configuration and pending bit as it is mapped.
 */
export function restoreItsTables(its: Its): void {
  const lpis = its.host.lpis();
  if (lpis === undefined) fail('EBUSY', 'ITS restore: the vGICv3 is not initialised');
  restoreCollections(its);
  if ((its.baserDevice & BASER.VALID) === 0n) return;
  const base = baserAddress(its.baserDevice);
  const size = baserBytes(its.baserDevice);
  if ((its.baserDevice & BASER.INDIRECT) === 0n) {
    scan(its, base, size, 0, (id, e) => restoreDte(its, lpis, id, e), 'device table entry');
    return;
  }
  const perPage = PAGE_64K / ESZ;
  scan(its, base, size, 0, (index, l1) => {
    if ((l1 >> 63n) === 0n) return 1;
    const found = scan(its, l1 & 0x000f_ffff_ffff_0000n, PAGE_64K, index * perPage, (id, e) => restoreDte(its, lpis, id, e), 'device table entry');
    return found ? 0 : 1;
  }, 'level-1 device table entry');
}

/**
 * Walk a table of 8-byte entries from `base` (`size` bytes, first ID `firstId`): `fn` gives the ID offset to the
 * next entry to read, or 0 when the entry was the last. Returns whether a last entry was found.
 */
function scan(its: Its, base: bigint, size: number, firstId: number, fn: (id: number, entry: bigint) => number, what: string): boolean {
  let offset = 0;
  let id = firstId;
  while (offset < size) {
    const step = fn(id, read(its, base + BigInt(offset), what));
    if (step === 0) return true;
    id += step;
    offset += step * ESZ;
  }
  return false;
}

function restoreCollections(its: Its): void {
  if ((its.baserCollection & BASER.VALID) === 0n) return;
  const base = baserAddress(its.baserCollection);
  const max = baserBytes(its.baserCollection) / ESZ;
  for (let i = 0; i < max; i++) {
    const e = read(its, base + BigInt(i * ESZ), 'collection table entry');
    if ((e >> 63n) === 0n) return;
    const target = Number((e >> 16n) & 0xffff_ffffn);
    const id = Number(e & 0xffffn);
    if (target !== COLLECTION_NOT_MAPPED && target >= its.host.nrVcpus()) fail('EINVAL', `ITS restore: collection ${id} targets vCPU ${target}, which does not exist`);
    if (its.collections.has(id)) fail('EEXIST', `ITS restore: collection ${id} is listed twice`);
    if (tableEntryAddress(its, its.baserCollection, id) === undefined) fail('EINVAL', `ITS restore: collection ${id} is beyond the collection table`);
    its.collections.set(id, { id, target });
  }
}

function restoreDte(its: Its, lpis: Lpis, id: number, e: bigint): number {
  if ((e >> 63n) === 0n) return 1;
  const next = Number((e >> 49n) & 0x3fffn);
  const dev: ItsDeviceEntry = { id, ittAddr: ((e >> 5n) & 0xff_ffff_ffffn) << 8n, eventIdBits: Number(e & 0x1fn) + 1, ites: new Map() };
  its.devices.set(id, dev);
  try {
    scan(its, dev.ittAddr, 2 ** dev.eventIdBits * ESZ, 0, (eventId, ite) => restoreIte(its, lpis, dev, eventId, ite), 'ITT entry');
  } catch (err) {
    its.freeDevice(dev);
    throw err;
  }
  return next;
}

function restoreIte(its: Its, lpis: Lpis, dev: ItsDeviceEntry, eventId: number, e: bigint): number {
  const intid = Number((e >> 16n) & 0xffff_ffffn);
  if (intid === 0) return 1;
  if (intid < FIRST_LPI) fail('EINVAL', `ITS restore: device ${dev.id} event ${eventId} maps INTID ${intid}, not an LPI`);
  const next = Number(e >> 48n);
  if (eventId + next >= 2 ** dev.eventIdBits) fail('EINVAL', `ITS restore: device ${dev.id} event ${eventId}: next entry beyond the ITT`);
  const icid = Number(e & 0xffffn);
  const coll = its.collections.get(icid);
  if (coll === undefined) fail('EINVAL', `ITS restore: device ${dev.id} event ${eventId} names collection ${icid}, which is not in the table`);
  if (its.iteCount >= MAX_ITES) fail('ENOMEM', `ITS restore: more than ${MAX_ITES} translations`);
  const irq = lpis.add(intid, coll.target === COLLECTION_NOT_MAPPED ? undefined : coll.target);
  if (irq === undefined) fail('EFAULT', `ITS restore: the configuration of LPI ${intid} is not in RAM`);
  dev.ites.set(eventId, { eventId, icid, irq });
  its.iteCount++;
  return next;
}
