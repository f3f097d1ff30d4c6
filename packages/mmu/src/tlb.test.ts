import { Acc, MemoryFault, SysReg } from '@kvm-mte/aarch64-cpu';
import { describe, expect, it } from 'vitest';
import { Ap, s1PageDesc, s2BlockDesc, s2PageDesc } from './descriptors.js';
import { Hcr } from './access.js';
import { Attr, enableS1, makeEnv, RAM_BASE, RAM_SIZE, rng, SCTLR, TCR, TCR_48_4K, type Env } from './test-env.js';

const DATA = RAM_BASE + 0x10_0000;
const VA = 0x1000_0000n;

function remapEnv(tlb: boolean): Env {
  const e = makeEnv({ tlb });
  e.ram.view.setUint32(DATA - RAM_BASE, 0xaaaa, true);
  e.ram.view.setUint32(DATA + 0x1000 - RAM_BASE, 0xbbbb, true);
  e.t.map(e.root0, VA, s1PageDesc(DATA, { attrIndx: Attr.WB }));
  enableS1(e);
  return e;
}

describe('software TLB', () => {
  it('a hit needs no walk; the TLB-off path walks every time', () => {
    const on = remapEnv(true);
    const off = remapEnv(false);
    for (const e of [on, off]) {
      e.mmu.read(VA, 4, 0);
      const walks = e.mmu.stats.walks;
      for (let i = 0; i < 10; i++) {
        e.mmu.write(VA + BigInt(8 * i), 8, BigInt(i), 0);
        e.mmu.read(VA + BigInt(8 * i), 8, 0);
        e.mmu.fetch(VA + BigInt(4 * i));
      }
      e.mmu.zeroBlock(VA + 0x40n, 64);
      expect(e.mmu.stats.walks - walks).toBe(e === on ? 0 : 31);
    }
    expect(on.mmu.tlbEntry(VA + 0x10n)).toMatchObject({ pa: DATA });
    expect(off.mmu.tlbEntry(VA)).toBeUndefined();
  });

  it('high (TTBR1) and tagged addresses hit too', () => {
    const e = makeEnv({ tlb: true });
    const va = 0xffff_8000_0000_4000n;
    e.t.map(e.root1, va, s1PageDesc(DATA, { attrIndx: Attr.WB }));
    e.set('TCR_EL1', TCR_48_4K | TCR.TBI1);
    enableS1(e);
    e.mmu.write(va, 8, 5n, 0);
    const walks = e.mmu.stats.walks;
    const tagged = (va & ~(0xffn << 56n)) | (0x0fn << 56n);
    expect(e.mmu.read(tagged, 8, 0)).toBe(5n);
    expect(e.mmu.read(va + 8n, 8, 0)).toBe(0n);
    expect(e.mmu.stats.walks).toBe(walks);
  });

  for (const [what, invalidate] of [
    ['tlbi vae1', (e: Env) => e.mmu.tlbi('vae1', VA >> 12n)],
    ['tlbi vmalle1is', (e: Env) => e.mmu.tlbi('vmalle1is', 0n)],
    ['tlbi vale1os', (e: Env) => e.mmu.tlbi('vale1os', VA >> 12n)],
    ['tlbi vaae1', (e: Env) => e.mmu.tlbi('vaae1', VA >> 12n)],
    ['tlbi vaale1is', (e: Env) => e.mmu.tlbi('vaale1is', VA >> 12n)],
    ['tlbi ipas2e1', (e: Env) => e.mmu.tlbi('ipas2e1', 0n)],
    ['tlbi vmalls12e1', (e: Env) => e.mmu.tlbi('vmalls12e1', 0n)],
    ['tlbi alle1', (e: Env) => e.mmu.tlbi('alle1', 0n)],
    ['controlChanged', (e: Env) => e.mmu.controlChanged()],
  ] as const) {
    it(`a changed descriptor is used after ${what}, and not before`, () => {
      const on = remapEnv(true);
      const off = remapEnv(false);
      for (const e of [on, off]) {
        expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan);
        e.t.map(e.root0, VA, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.WB }));
      }
      expect(on.mmu.read(VA, 4, 0)).toBe(0xaaaan); // stale until invalidated, as a real TLB may be
      expect(off.mmu.read(VA, 4, 0)).toBe(0xbbbbn);
      invalidate(on);
      expect(on.mmu.read(VA, 4, 0)).toBe(0xbbbbn);
    });
  }

  it('a register change takes effect at controlChanged (SCTLR_EL1.M off)', () => {
    const e = remapEnv(true);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan);
    e.set('SCTLR_EL1', e.cpu.sys[SysReg.SCTLR_EL1]! & ~SCTLR.M);
    expect(e.mmu.read(BigInt(DATA + 0x1000), 4, 0)).toBe(0xbbbbn);
  });

  it('controlWritten (MSR) flushes when a bit the walk uses changed, not for SCTLR_EL1 bits it ignores', () => {
    const e = remapEnv(true);
    const sctlr = e.cpu.sys[SysReg.SCTLR_EL1]!;
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan);
    e.t.map(e.root0, VA, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.WB }));
    const gen = e.mmu.tlbGeneration;
    // TCF0 (bits 39:38), ATA0 (42) and EnIA (31): the TLB is kept, so the stale entry still answers.
    e.cpu.sys[SysReg.SCTLR_EL1] = sctlr | (1n << 38n) | (1n << 42n) | (1n << 31n);
    e.mmu.controlWritten();
    expect(e.mmu.tlbGeneration).toBe(gen);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan);
    // WXN (19) changes what a walk gives: a flush, and the new descriptor is read.
    e.cpu.sys[SysReg.SCTLR_EL1] = sctlr | (1n << 19n);
    e.mmu.controlWritten();
    expect(e.mmu.tlbGeneration).not.toBe(gen);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xbbbbn);
    // The same TTBR0 value written again keeps the TLB; another one flushes it.
    const gen2 = e.mmu.tlbGeneration;
    e.cpu.sys[SysReg.TTBR0_EL1] = e.cpu.sys[SysReg.TTBR0_EL1]!;
    e.mmu.controlWritten();
    expect(e.mmu.tlbGeneration).toBe(gen2);
    e.cpu.sys[SysReg.TTBR0_EL1] = e.cpu.sys[SysReg.TTBR0_EL1]! | (5n << 48n); // another ASID
    e.mmu.controlWritten();
    expect(e.mmu.tlbGeneration).not.toBe(gen2);
    // controlChanged always flushes (a hypervisor's register load, a restore).
    const gen3 = e.mmu.tlbGeneration;
    e.mmu.controlChanged();
    expect(e.mmu.tlbGeneration).not.toBe(gen3);
  });

  it('runStarting notices translation registers the host wrote between runs; elChanged (exception entry, return) keeps everything', () => {
    const e = remapEnv(true);
    const sctlr = e.cpu.sys[SysReg.SCTLR_EL1]!;
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan);
    e.t.map(e.root0, VA, s1PageDesc(DATA + 0x1000, { attrIndx: Attr.WB }));
    const gen = e.mmu.tlbGeneration;
    // Nothing written: the TLB stays (the stale entry answers).
    e.mmu.runStarting();
    e.mmu.elChanged();
    expect(e.mmu.tlbGeneration).toBe(gen);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xaaaan);
    // The host sets WXN behind the MMU's back (ONE_REG): an exception entry keeps the TLB, the next run reloads.
    e.cpu.sys[SysReg.SCTLR_EL1] = sctlr | (1n << 19n);
    e.mmu.elChanged();
    expect(e.mmu.tlbGeneration).toBe(gen);
    e.mmu.runStarting();
    expect(e.mmu.tlbGeneration).not.toBe(gen);
    expect(e.mmu.read(VA, 4, 0)).toBe(0xbbbbn);
  });

  it('Cpu.run and Cpu.interpret tell the port a run starts', () => {
    const e = remapEnv(true);
    let starts = 0;
    const inner = e.mmu.runStarting.bind(e.mmu);
    e.mmu.runStarting = () => {
      starts++;
      inner();
    };
    e.cpu.pc = BigInt(DATA);
    e.cpu.run(0);
    expect(starts).toBe(1);
    e.cpu.interpret(0);
    expect(starts).toBe(2);
  });

  it('permission changes of the CPU (EL, PAN, UAO) apply to cached entries without a flush', () => {
    const e = makeEnv({ tlb: true });
    e.t.map(e.root0, VA, s1PageDesc(DATA, { attrIndx: Attr.WB, ap: Ap.RwAll, pxn: true }));
    enableS1(e);
    expect(e.mmu.read(VA, 4, 0)).toBe(0n);
    e.cpu.pan = 1;
    expect(() => e.mmu.read(VA, 4, 0)).toThrow(MemoryFault);
    expect(e.mmu.read(VA, 4, Acc.Unpriv)).toBe(0n);
    e.cpu.el = 0;
    expect(e.mmu.read(VA, 4, 0)).toBe(0n);
  });
});

// ---------------------------------------------------------------- TLB on / off equivalence

const PAGES_LO = 12;
const PAGES_HI = 4;
const VA_HI = 0xffff_8000_0040_0000n;
const RO_XN_BLOCK = RAM_BASE + 0x20_0000;

function pageVa(k: number): bigint {
  return k < PAGES_LO ? VA + BigInt(k * 0x1000) : VA_HI + BigInt((k - PAGES_LO) * 0x1000);
}

/** A random stage-1 page descriptor (sometimes invalid, without AF, or to a PA with no memory). */
function randomDesc(r: (n: number) => number): bigint {
  if (r(12) === 0) return 0n;
  const where = r(12);
  // Mostly RAM; sometimes no memory; sometimes the block stage 2 maps read-only and execute-never.
  const pa = where === 0 ? 0x2000_0000 : where < 3 ? RO_XN_BLOCK + r(4) * 0x1000 : DATA + r(8) * 0x1000;
  return s1PageDesc(pa, {
    attrIndx: [Attr.WB, Attr.WB, Attr.WB, Attr.NC, Attr.Device, Attr.Tagged][r(6)]!,
    ap: [Ap.RwAll, Ap.RwAll, Ap.RwEl1, Ap.RwEl1, Ap.RoAll, Ap.RoEl1][r(6)]!,
    pxn: r(5) === 0, uxn: r(5) === 0, af: r(16) !== 0,
  });
}

function build(tlb: boolean, ram: Uint8Array, stage2: boolean): Env {
  const e = makeEnv({ tlb }, ram.slice());
  if (stage2) {
    const s2root = RAM_BASE + 0x7e_0000;
    // Identity map RAM at stage 2 except one 2 MiB block, which stage 2 maps read-only and execute-never.
    for (let off = 0; off < RAM_SIZE; off += 0x20_0000) {
      const desc = RAM_BASE + off === RO_XN_BLOCK ? s2BlockDesc(RAM_BASE + off, { s2ap: 1, xn: true }) : s2BlockDesc(RAM_BASE + off);
      e.t.map(s2root, BigInt(RAM_BASE + off), desc, { start: 1, inputSize: 40, leafLevel: 2 });
    }
    e.t.map(s2root, 0x9000_0000n, s2PageDesc(DATA + 0x2000, { memAttr: 0b0001 }), { start: 1, inputSize: 40 });
    e.cpu.sys[SysReg.VTCR_EL2] = 24n | (1n << 6n) | (2n << 16n);
    e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(s2root);
    e.cpu.sys[SysReg.HCR_EL2] = Hcr.VM;
  }
  return e;
}

function outcome(fn: () => bigint | number | void): string {
  try {
    const v = fn();
    return `ok ${String(v)}`;
  } catch (e) {
    if (!(e instanceof MemoryFault)) throw e;
    return `fault s${e.stage} fsc=${e.fsc.toString(16)} va=${e.va.toString(16)} w=${e.write} ipa=${e.ipa.toString(16)} ` +
      `ptw=${e.s1ptw} cm=${e.cm}`;
  }
}

describe('TLB on and TLB off give identical results', () => {
  for (const [seed, stage2] of [[1, false], [2, false], [3, true], [4, true], [5, false], [6, true]] as const) {
    it(`random accesses, seed ${seed}${stage2 ? ', with stage 2' : ''}`, () => {
      const r = rng(seed * 7919);
      // Tables are built once in a scratch environment, then both MMUs get identical RAM.
      const proto = makeEnv({ tlb: false });
      const envs = [build(true, proto.ram.bytes, stage2), build(false, proto.ram.bytes, stage2)] as const;
      const descs: bigint[] = [];
      for (let k = 0; k < PAGES_LO + PAGES_HI; k++) descs.push(randomDesc(r));
      for (const e of envs) {
        descs.forEach((d, k) => e.t.map(k < PAGES_LO ? e.root0 : e.root1, pageVa(k), d));
        if (stage2) e.t.map(e.root0, 0x5000_0000n, s1PageDesc(0x9000_0000, { attrIndx: Attr.WB }));
        e.ram.bytes.fill(0x5a, DATA - RAM_BASE, DATA - RAM_BASE + 0x8000);
        e.cpu.sys[SysReg.TCR_EL1] = TCR_48_4K | TCR.TBI0;
        enableS1(e);
      }
      const log: string[][] = [[], []];
      for (let step = 0; step < 3000; step++) {
        const kind = r(100);
        if (kind < 1) {
          // Change a descriptor, then invalidate its VA, or everything (in both: the TLB-off MMU ignores it).
          const k = r(PAGES_LO + PAGES_HI);
          const d = randomDesc(r);
          const op = ['vae1is', 'vmalle1', 'vale1', 'vaale1os'][r(4)]!;
          for (const e of envs) {
            e.t.map(k < PAGES_LO ? e.root0 : e.root1, pageVa(k), d);
            e.mmu.tlbi(op, op === 'vmalle1' ? 0n : BigInt.asUintN(44, pageVa(k) >> 12n));
          }
          continue;
        }
        if (kind < 3) {
          // PSTATE changes. The CPU calls controlChanged on EL changes; PAN and UAO changes need no call.
          const which = r(3);
          const v = r(2);
          for (const e of envs) {
            if (which === 0) {
              e.cpu.el = v;
              e.mmu.controlChanged();
            } else if (which === 1) e.cpu.pan = v;
            else e.cpu.uao = v;
          }
          continue;
        }
        if (kind < 4) {
          const sctlr = envs[0].cpu.sys[SysReg.SCTLR_EL1]! ^ (r(2) === 0 ? SCTLR.A : SCTLR.WXN);
          const tcr = envs[0].cpu.sys[SysReg.TCR_EL1]! ^ (r(4) === 0 ? TCR.TBI1 : 0n);
          for (const e of envs) {
            e.cpu.sys[SysReg.SCTLR_EL1] = sctlr;
            e.cpu.sys[SysReg.TCR_EL1] = tcr;
            e.mmu.controlChanged();
          }
          continue;
        }
        // An access.
        const k = r(PAGES_LO + PAGES_HI + (stage2 ? 1 : 0));
        const base = k === PAGES_LO + PAGES_HI ? 0x5000_0000n : pageVa(k);
        const size = [1, 2, 4, 8][r(4)]!;
        const off = r(4) === 0 ? 0x1000 - r(8) - 1 : r(2) === 0 ? r(0x200) * 8 : r(0x1000);
        let va = base + BigInt(off);
        if (r(6) === 0) va |= BigInt(r(256)) << 56n;
        const flags = [0, 0, 0, 0, 0, 0, Acc.Aligned, Acc.Unpriv, Acc.ReadWrite | Acc.Aligned, Acc.CacheMaint][r(10)]!;
        const op = r(10);
        const value = (BigInt(r(0x1_0000)) << 48n) | BigInt(r(0x7fff_ffff)) | 1n;
        for (let i = 0; i < 2; i++) {
          const m = envs[i]!.mmu;
          log[i]!.push(outcome(() =>
            op < 4 ? m.read(va, size, flags)
              : op < 7 ? m.write(va, size, value, flags)
                : op < 9 ? m.fetch(va & ~3n)
                  : m.zeroBlock(va & ~63n, 64)));
        }
        expect(log[0]![log[0]!.length - 1], `step ${step}`).toBe(log[1]![log[1]!.length - 1]);
      }
      expect(Buffer.from(envs[0].ram.bytes).equals(Buffer.from(envs[1].ram.bytes))).toBe(true);
      // The run exercised both outcomes.
      const oks = log[0]!.filter((s) => s.startsWith('ok')).length;
      expect(oks).toBeGreaterThan(200);
      expect(log[0]!.length - oks).toBeGreaterThan(200);
      expect(envs[1].mmu.stats.slow - envs[0].mmu.stats.slow).toBeGreaterThan(200); // TLB hits happened
    });
  }
});
