import { describe, expect, it } from 'vitest';
import { CoreReg } from '@kvm-mte/kvm-core';
import { VirtMachine } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex, SnapshotError } from './snapshot-format.js';
import { A64 } from './testing/a64.js';

const MEM = 16 * 2 ** 20;
/** Where the data lies: in the kernel's first page. */
const DATA = 0x100;
const ldxr = (t: number, n: number): number => (0xc85f7c00 | (n << 5) | t) >>> 0;
const stxr = (s: number, t: number, n: number): number => (0xc8007c00 | (s << 16) | (n << 5) | t) >>> 0;
const SEVL = 0xd50320bf;

/**
 * SEVL; x1 = the data; LDXR x2, [x1] (the snapshot is taken here); STR x2, [x1, #8]; x3 = 5; STXR w4, x3, [x1];
 * spin. The STR, to the next doubleword, leaves the reservation and has the page mapped writable at stage 2 in the
 * restored machine (a store-exclusive whose write faults fails when retried, as after a real host's exception
 * return, which clears the local monitor).
 */
function kernel(): Uint8Array {
  const words = [SEVL, A64.adr(1, DATA - 4), ldxr(2, 1), A64.strx(2, 1, 8), A64.movz(3, 5), stxr(4, 3, 1), A64.self()];
  const b = new Uint8Array(DATA + 16);
  const v = new DataView(b.buffer);
  words.forEach((w, i) => v.setUint32(i * 4, w, true));
  v.setBigUint64(DATA, 7n, true);
  return b;
}

/** A snapshot taken with the reservation of the LDXR open and the event register set, and a fresh machine for it. */
async function snapshotWithReservation() {
  const m = new VirtMachine({ memory: MEM });
  const k = kernel();
  m.load({ kernel: k });
  const r = await m.run({ maxInstructions: 3 });
  expect(r.outcome).toBe('instruction-limit');
  const before = m.vcpus[0]!.getMonitorState();
  const ipa = before.exclusive?.ipa ?? 0n;
  expect(before).toEqual({ event: true, exclusive: { va: ipa, size: 8, ipa } });
  const dataOff = Number(ipa) - m.ramBase;
  expect(m.ram.view.getBigUint64(dataOff, true)).toBe(7n);
  const { file } = saveSnapshot(m, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(k) } });
  const snap = decodeSnapshot(file);
  const m2 = new VirtMachine(restoreMachineOptions(snap));
  restoreSnapshot(m2, snap);
  return { m, before, snap, m2, dataOff, file };
}

describe('snapshots keep the exclusive monitor and the event register', () => {
  it('a reservation open at the snapshot is open after the restore: the STXR succeeds, as in the original', async () => {
    const { m, before, m2, dataOff } = await snapshotWithReservation();
    expect(m2.vcpus[0]!.getMonitorState()).toEqual(before);
    for (const machine of [m, m2]) {
      await machine.run({ maxInstructions: 10 });
      expect(machine.vcpus[0]!.getOneReg(CoreReg.x(4))).toBe(0n);
      expect(machine.ram.view.getBigUint64(dataOff, true)).toBe(5n);
    }
  });

  it('the restored reservation is global: a VMM store clears it and the STXR fails', async () => {
    const { m2, dataOff } = await snapshotWithReservation();
    m2.ram.view.setBigUint64(dataOff, 99n, true);
    m2.vm.hostWrote(m2.ram, dataOff, 8);
    expect(m2.vcpus[0]!.getMonitorState()).toEqual({ event: true });
    await m2.run({ maxInstructions: 10 });
    expect(m2.vcpus[0]!.getOneReg(CoreReg.x(4))).toBe(1n);
    expect(m2.ram.view.getBigUint64(dataOff, true)).toBe(99n);
  });

  it('a corrupt monitor state is refused when the snapshot is decoded', async () => {
    const { snap, file } = await snapshotWithReservation();
    expect(snap.monitors).toHaveLength(1);
    const text = new TextDecoder('latin1').decode(file);
    const at = text.indexOf('"size":8');
    expect(at).toBeGreaterThan(0);
    const bad = file.slice();
    bad[at + 7] = '3'.charCodeAt(0); // "size":3
    expect(() => decodeSnapshot(bad)).toThrow(SnapshotError);
  });
});
