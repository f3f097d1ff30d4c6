/**
 * Test support for MTE (not exported from the package): a simple TagStore (one tag per granule in a Uint8Array,
 * standing in for @kvm-mte/mte-tags, which is a layer above), and an environment with Tagged and untagged views of
 * two data pages and the CPU's MTE controls set for synchronous checks at EL1.
 */
import { SysReg } from '@kvm-mte/aarch64-cpu';
import { s1PageDesc, s2BlockDesc, s2PageDesc, type S2LeafOptions } from './descriptors.js';
import { Hcr } from './access.js';
import type { MmuOptions } from './mmu.js';
import type { TagStore } from './ports.js';
import { Attr, enableS1, makeEnv, RAM_BASE, RAM_SIZE, TCR, TCR_48_4K, type Env } from './test-env.js';

export class TestTags implements TagStore {
  readonly t: Uint8Array;
  reads = 0;
  constructor(readonly base: number, size: number) {
    this.t = new Uint8Array(size / 16);
  }
  getTag(pa: number): number {
    this.reads++;
    return this.t[(pa - this.base) >>> 4]!;
  }
  setTag(pa: number, tag: number): void {
    this.t[(pa - this.base) >>> 4] = tag;
  }
  /** Set the tags of [pa, pa + bytes) to `tag`. */
  fill(pa: number, bytes: number, tag: number): void {
    const i = (pa - this.base) >>> 4;
    this.t.fill(tag, i, i + Math.ceil(bytes / 16));
  }
}

/** Two data pages: PA DATA and DATA + 0x1000. */
export const DATA = RAM_BASE + 0x10_0000;
/** VA of the two data pages as Tagged Normal (MAIR 0xF0). */
export const TAGGED = 0x1000_0000n;
/** VA of the same two pages as Normal Write-Back (untagged). */
export const PLAIN = 0x2000_0000n;
/** VA of the first page as Tagged Normal but EL1 read-only. */
export const TAGGED_RO = 0x3000_0000n;
/** IPA window for stage-2 tests (mapped page by page). */
export const IPA = 0x8000_0000n;

export const SCTLR_MTE = {
  TCF: (v: number) => BigInt(v) << 40n,
  TCF0: (v: number) => BigInt(v) << 38n,
  ATA: 1n << 43n,
  ATA0: 1n << 42n,
  ITFSB: 1n << 37n,
} as const;
export const HCR_ATA = 1n << 56n;
export const TCR_MTE = { TCMA0: 1n << 57n, TCMA1: 1n << 58n } as const;

/** `va` with logical tag `tag` in bits [59:56] (other top bits kept). */
export function withTag(va: bigint, tag: number): bigint {
  return (va & ~(0xfn << 56n)) | (BigInt(tag) << 56n);
}

export interface MteEnv extends Env {
  tags: TestTags;
  /** Set SCTLR_EL1 = reset | M | `extra` (e.g. ATA and a TCF). */
  sctlr(extra: bigint): void;
}

/**
 * An environment with tag storage on RAM, stage 1 on, TBI0/TBI1 on, HCR_EL2.ATA = 1 and SCTLR_EL1.ATA/ATA0 = 1
 * with TCF = `tcf` (1 synchronous by default) and TCF0 = `tcf0`.
 */
export function mteEnv(options: MmuOptions = {}, tcf = 1, tcf0 = 1): MteEnv {
  const tags = new TestTags(RAM_BASE, RAM_SIZE);
  const e = makeEnv(options, undefined, tags);
  for (const off of [0, 0x1000]) {
    e.t.map(e.root0, TAGGED + BigInt(off), s1PageDesc(DATA + off, { attrIndx: Attr.Tagged, ap: 1 }));
    e.t.map(e.root0, PLAIN + BigInt(off), s1PageDesc(DATA + off, { attrIndx: Attr.WB, ap: 1 }));
  }
  e.t.map(e.root0, TAGGED_RO, s1PageDesc(DATA, { attrIndx: Attr.Tagged, ap: 2 }));
  e.cpu.sys[SysReg.TCR_EL1] = TCR_48_4K | TCR.TBI0 | TCR.TBI1;
  e.cpu.sys[SysReg.HCR_EL2] = HCR_ATA;
  const env = Object.assign(e, {
    tags,
    sctlr(extra: bigint) {
      enableS1(e, extra);
    },
  });
  env.sctlr(SCTLR_MTE.ATA | SCTLR_MTE.ATA0 | SCTLR_MTE.TCF(tcf) | SCTLR_MTE.TCF0(tcf0));
  return env;
}

/** VTCR_EL2: 40-bit IPA, start level 1, 4 KiB granule, PS 40 bits. */
export const VTCR_4K = 24n | (1n << 6n) | (2n << 16n);

export interface S2MteEnv extends MteEnv {
  s2root: number;
  /** Map one stage-2 page of IPA → PA. */
  s2map(ipa: bigint, pa: number, o?: S2LeafOptions): void;
  /** Map stage 1 VA → IPA as Tagged Normal (or with the given MAIR index). */
  s1map(va: bigint, ipa: bigint, attrIndx?: number): void;
}

/** {@link mteEnv} plus stage 2 (HCR_EL2.VM, ATA, and `hcr`): RAM identity mapped with 2 MiB blocks. */
export function s2MteEnv(options: MmuOptions = {}, hcr = 0n): S2MteEnv {
  const e = mteEnv(options);
  const s2root = e.t.alloc(8192);
  const o = { start: 1, inputSize: 40 };
  for (let off = 0; off < RAM_SIZE; off += 0x20_0000) {
    e.t.map(s2root, BigInt(RAM_BASE + off), s2BlockDesc(RAM_BASE + off, { fwb: (hcr & Hcr.FWB) !== 0n,
      memAttr: (hcr & Hcr.FWB) !== 0n ? 0b0111 : 0b1111 }), { ...o, leafLevel: 2 });
  }
  e.cpu.sys[SysReg.VTCR_EL2] = VTCR_4K;
  e.cpu.sys[SysReg.VTTBR_EL2] = BigInt(s2root);
  e.set('HCR_EL2', Hcr.VM | HCR_ATA | hcr);
  return Object.assign(e, {
    s2root,
    s2map(ipa: bigint, pa: number, so: S2LeafOptions = {}) {
      e.t.map(s2root, ipa, s2PageDesc(pa, so), o);
      e.mmu.tlbi('vmalls12e1', 0n);
    },
    s1map(va: bigint, ipa: bigint, attrIndx: number = Attr.Tagged) {
      e.t.map(e.root0, va, s1PageDesc(ipa, { attrIndx, ap: 1 }));
      e.mmu.tlbi('vmalle1', 0n);
    },
  });
}
