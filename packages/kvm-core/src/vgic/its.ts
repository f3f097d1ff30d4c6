/**
 * The GICv3 ITS as KVM emulates it (KVM_DEV_TYPE_ARM_VGIC_ITS): its register frame, the command queue in guest
 * memory, and its translation state — devices (DeviceID → ITT address, EventID bits), their interrupt translation
 * entries (EventID → LPI, collection) and collections (ICID → target vCPU index, PTA = 0). The tables the guest
 * gives GITS_BASER<n> are only checked (an ID must fall in RAM the table covers) until a save writes them
 * (its-tables.ts); the state lives here, as in KVM.
 *
 * Commands (its-commands.ts) run when the guest writes GITS_CWRITER or enables the ITS, all of them at once, so
 * GITS_CREADR has caught up when the write completes. A command that fails (an ID out of range, a device or
 * collection not mapped) is ignored, as KVM does: the queue never stalls; `lastError` keeps the failure's ITS
 * error code (IHI 0069's encoding) for tests. A command that cannot be read (not RAM) is skipped.
 *
 * The guest cannot write GITS_TRANSLATER here (KVM leaves the second frame without registers: RAZ/WI); MSIs come
 * from the VMM through `signalMsi` (KVM_SIGNAL_MSI), with the DeviceID its device model knows.
 *
 * Bounds: 2^16 devices, 2^16 collections and at most `MAX_ITES` translations per ITS, so that no guest can make
 * the host allocate without limit.
 */
import type { GuestMemory } from './its-guest-memory.js';
import type { LpiIrq, Lpis } from './its-lpis.js';
import { handleCommand } from './its-commands.js';
import {
  BASER, CBASER_VALID, cbaserAddress, COLLECTION_NOT_MAPPED, cbaserBytes, cmdOffset, GITS, GITS_BASER_COUNT, GITS_CTLR_ENABLED,
  GITS_CTLR_QUIESCENT, GITS_FRAME_SIZE, GITS_IDREG_VALUES, GITS_TYPER_VALUE, gitsIidr, half, initialBaser,
  ITS_CMD_SIZE, sanitiseBaser, sanitiseCbaser, updateHalf,
} from './its-registers.js';
import type { AccessClass, RegisterFrame } from './mmio.js';
import { mmioRead, mmioWrite } from './mmio.js';

/** A collection: its ICID and target vCPU index (`COLLECTION_NOT_MAPPED` when created by MAPTI without MAPC). */
export interface ItsCollection {
  readonly id: number;
  target: number;
}

/** An interrupt translation entry: EventID → LPI in collection `icid`. */
export interface ItsIte {
  readonly eventId: number;
  icid: number;
  readonly irq: LpiIrq;
}

/** A mapped device: its ITT address and EventID bits, and its ITEs by EventID. */
export interface ItsDeviceEntry {
  readonly id: number;
  readonly ittAddr: bigint;
  readonly eventIdBits: number;
  readonly ites: Map<number, ItsIte>;
}


/** What the ITS needs of the VM: its vCPUs and the vGIC's LPIs (undefined until the vGICv3 is initialised). */
export interface ItsHost {
  readonly memory: GuestMemory;
  nrVcpus(): number;
  lpis(): Lpis | undefined;
}

/** One ITS. */
export class Its {
  /** GITS_CTLR.Enabled. */
  enabled = false;
  cbaser = 0n;
  creadr = 0;
  cwriter = 0;
  /** GITS_BASER0 (device table) and GITS_BASER1 (collection table); BASER2-7 are RAZ/WI. */
  baserDevice = initialBaser(BASER.TYPE_DEVICE);
  baserCollection = initialBaser(BASER.TYPE_COLLECTION);
  /** The table ABI revision (GITS_IIDR.Revision): 0. */
  abiRevision = 0;
  readonly devices = new Map<number, ItsDeviceEntry>();
  readonly collections = new Map<number, ItsCollection>();
  /** The ITS error code of the last command that failed (model-specific, for tests), or undefined. */
  lastError: number | undefined;
  /** Translations held, all devices together (bounded by MAX_ITES). */
  iteCount = 0;

  constructor(readonly host: ItsHost) {}

  /** The collection `icid` if it is mapped to a vCPU (its_is_collection_mapped). */
  mappedCollection(icid: number): ItsCollection | undefined {
    const c = this.collections.get(icid);
    return c !== undefined && c.target !== COLLECTION_NOT_MAPPED ? c : undefined;
  }

  /** The ITE of (`deviceId`, `eventId`), if mapped. */
  findIte(deviceId: number, eventId: number): ItsIte | undefined {
    return this.devices.get(deviceId)?.ites.get(eventId);
  }

  /** Forget one ITE (its LPI loses a reference). */
  freeIte(dev: ItsDeviceEntry, ite: ItsIte): void {
    dev.ites.delete(ite.eventId);
    this.iteCount--;
    this.host.lpis()?.put(ite.irq);
  }

  /** Forget a device and every ITE it has. */
  freeDevice(dev: ItsDeviceEntry): void {
    for (const ite of [...dev.ites.values()]) this.freeIte(dev, ite);
    this.devices.delete(dev.id);
  }

  /**
   * Make the LPI of (`deviceId`, `eventId`) pending (vgic_its_trigger_msi). Returns 0, an ITS error code when the
   * pair is not mapped to a mapped collection, or -1 when the ITS is disabled or the target has LPIs disabled
   * (KVM's -EBUSY: the MSI is dropped).
   */
  trigger(deviceId: number, eventId: number): number {
    if (!this.enabled) return -1;
    const ite = this.findIte(deviceId, eventId);
    const coll = ite === undefined ? undefined : this.mappedCollection(ite.icid);
    const lpis = this.host.lpis();
    if (ite === undefined || coll === undefined || coll.target >= this.host.nrVcpus() || lpis === undefined) {
      return 0x01_0307; // E_ITS_INT_UNMAPPED_INTERRUPT
    }
    if (lpis.enabled[coll.target] !== true) return -1;
    lpis.setPending(ite.irq, true);
    return 0;
  }

  /**
   * KVM_SIGNAL_MSI to this ITS: 1 when the MSI became a pending LPI, 0 when the guest's tables drop it (not
   * mapped, ITS or LPIs disabled), as KVM's return value.
   */
  signalMsi(deviceId: number, eventId: number): number {
    return this.trigger(deviceId >>> 0, eventId >>> 0) === 0 ? 1 : 0;
  }

  /** Run the queued commands (vgic_its_process_commands); nothing while the ITS is disabled. */
  processCommands(): void {
    if (!this.enabled) return;
    const size = cbaserBytes(this.cbaser);
    const base = cbaserAddress(this.cbaser);
    // The ring holds at most size / 32 commands: this loop ends after at most that many.
    while (this.cwriter !== this.creadr) {
      const cmd = this.host.memory.read(base + BigInt(this.creadr), ITS_CMD_SIZE);
      if (cmd !== undefined) {
        const error = handleCommand(this, commandWords(cmd));
        if (error !== 0) this.lastError = error;
      }
      this.creadr += ITS_CMD_SIZE;
      if (this.creadr >= size) this.creadr = 0;
    }
  }

  /** GITS_CTLR write: enabling needs valid BASER0/1 and CBASER (else ignored), then runs queued commands. */
  writeCtlr(value: number): void {
    const enable = (value & GITS_CTLR_ENABLED) !== 0;
    if (!this.enabled && enable && ((this.baserDevice & BASER.VALID) === 0n ||
      (this.baserCollection & BASER.VALID) === 0n || (this.cbaser & CBASER_VALID) === 0n)) return;
    this.enabled = enable;
    this.processCommands();
  }

  /** GITS_CBASER write (32 bits at `offset`): ignored while enabled; empties the queue (CREADR = CWRITER = 0). */
  writeCbaser(offset: number, value: number): void {
    if (this.enabled) return;
    this.cbaser = sanitiseCbaser(updateHalf(this.cbaser, offset, value));
    this.creadr = 0;
    this.cwriter = 0;
  }

  /** GITS_CWRITER write: an offset beyond the queue is ignored; else the commands up to it run. */
  writeCwriter(offset: number, value: number): void {
    const reg = cmdOffset(updateHalf(BigInt(this.cwriter), offset, value));
    if (reg >= cbaserBytes(this.cbaser)) return;
    this.cwriter = reg;
    this.processCommands();
  }

  /**
   * GITS_BASER<n> write (32 bits at `offset` in the 0x100 block): ignored while enabled; BASER2-7 are RAZ/WI. Type
   * and Entry_Size are read-only, the collection table is never indirect, pages are 64 KiB; clearing Valid forgets
   * every device (BASER0) or collection (BASER1).
   */
  writeBaser(offset: number, value: number): void {
    if (this.enabled) return;
    const index = (offset - GITS.BASER) >> 3;
    if (index > 1) return;
    const old = index === 0 ? this.baserDevice : this.baserCollection;
    let reg = updateHalf(old, offset, value) & ~BASER.RO_MASK;
    if (index === 1) reg &= ~BASER.INDIRECT;
    reg = sanitiseBaser(reg | (old & BASER.RO_MASK));
    if (index === 0) this.baserDevice = reg;
    else this.baserCollection = reg;
    if ((reg & BASER.VALID) !== 0n) return;
    if (index === 0) for (const dev of [...this.devices.values()]) this.freeDevice(dev);
    else this.collections.clear();
  }

  /** GITS_BASER<n> as read. */
  readBaser(offset: number): number {
    const index = (offset - GITS.BASER) >> 3;
    return index === 0 ? half(this.baserDevice, offset) : index === 1 ? half(this.baserCollection, offset) : 0;
  }

  /** KVM_DEV_ARM_ITS_CTRL_RESET: tables invalid, queue and registers reset, every mapping forgotten. */
  reset(): void {
    this.baserDevice &= ~BASER.VALID;
    this.baserCollection &= ~BASER.VALID;
    this.cbaser = 0n;
    this.creadr = 0;
    this.cwriter = 0;
    this.enabled = false;
    for (const dev of [...this.devices.values()]) this.freeDevice(dev);
    this.collections.clear();
  }

  /** A guest read of `size` bytes at `offset` of the ITS frames. */
  read(offset: number, size: number): bigint {
    return mmioRead(itsFrame(this), offset, size);
  }

  /** A guest write of `size` bytes at `offset` of the ITS frames. */
  write(offset: number, size: number, value: bigint): void {
    mmioWrite(itsFrame(this), offset, size, value);
  }
}

/** A command's four little-endian 64-bit words. */
function commandWords(b: Uint8Array): bigint[] {
  const words: bigint[] = [];
  for (let w = 0; w < 4; w++) {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[w * 8 + i]!);
    words.push(v);
  }
  return words;
}

function inRange(offset: number, base: number, length: number): boolean {
  return offset >= base && offset < base + length;
}

/** Whether `offset` is a 64-bit register of the ITS (TYPER, CBASER, CWRITER, CREADR, BASER<n>). */
export function isItsDword(offset: number): boolean {
  return inRange(offset, GITS.TYPER, 8) || inRange(offset, GITS.CBASER, 0x18) || inRange(offset, GITS.BASER, 8 * GITS_BASER_COUNT);
}

/** Whether the ITS has a register at `offset` (KVM's its_registers regions); TRANSLATER is not one. */
export function isItsRegister(offset: number): boolean {
  return offset === GITS.CTLR || offset === GITS.IIDR || isItsDword(offset) || inRange(offset, GITS.IDREGS, 0x30);
}

/** The ITS frames as the guest accesses them: 32- and 64-bit registers as KVM's regions allow. */
export function itsFrame(its: Its): RegisterFrame {
  return {
    size: GITS_FRAME_SIZE,
    access(offset: number): AccessClass {
      return isItsDword(offset) ? 'dword' : 'word';
    },
    read32(offset: number): number {
      if (offset === GITS.CTLR) {
        return ((its.creadr === its.cwriter ? GITS_CTLR_QUIESCENT : 0) | (its.enabled ? GITS_CTLR_ENABLED : 0)) >>> 0;
      }
      if (offset === GITS.IIDR) return gitsIidr(its.abiRevision);
      if (inRange(offset, GITS.TYPER, 8)) return half(GITS_TYPER_VALUE, offset);
      if (inRange(offset, GITS.CBASER, 8)) return half(its.cbaser, offset);
      if (inRange(offset, GITS.CWRITER, 8)) return half(BigInt(its.cwriter), offset);
      if (inRange(offset, GITS.CREADR, 8)) return half(BigInt(its.creadr), offset);
      if (inRange(offset, GITS.BASER, 8 * GITS_BASER_COUNT)) return its.readBaser(offset);
      return GITS_IDREG_VALUES.get(offset) ?? 0;
    },
    write32(offset: number, value: number): void {
      if (offset === GITS.CTLR) its.writeCtlr(value);
      else if (inRange(offset, GITS.CBASER, 8)) its.writeCbaser(offset, value);
      else if (inRange(offset, GITS.CWRITER, 8)) its.writeCwriter(offset, value);
      else if (inRange(offset, GITS.BASER, 8 * GITS_BASER_COUNT)) its.writeBaser(offset, value);
      // IIDR, TYPER, CREADR, the ID registers and GITS_TRANSLATER: read-only or not there for the guest.
    },
    read8: () => 0,
    write8: () => undefined,
  };
}
