/**
 * SYS (the "System instructions" class, op0 = 01): cache maintenance (DC, IC), address translation (AT) and TLB
 * maintenance (TLBI). The aliases the model implements are data below; any other SYS encoding is UNDEFINED (or
 * trapped by HCR_EL2.TIDCP when IMPLEMENTATION DEFINED), and SYSL has no allocated encoding here.
 *
 * There is no cache model: DC and IC operations by VA, by set/way and IC IALLU* complete without effect on data (and
 * without a translation check: a DC CIVAC or IC IVAU to an unmapped address does not fault, as in QEMU 10); IC
 * operations re-check translated blocks (code-cache.ts). Their access rules and traps
 * are modelled: EL0 use of DC CVAC/CVAU/CIVAC/CVAP/CVADP and IC IVAU needs SCTLR_EL1.UCI, DC ZVA needs
 * SCTLR_EL1.DZE (else trapped to EL1, EC 0x18); DC IVAC, set/way operations, IC IALLU*, AT and TLBI are UNDEFINED at
 * EL0; HCR_EL2.TSW/TPCP/TPU/TDZ/TTLB trap to EL2.
 * DC GVA/GZVA (FEAT_MTE, present per CPU by ID_AA64PFR1_EL1.MTE) set allocation tags: see insn/mte.ts. The tag
 * cache maintenance operations (DC CGVAC ... CIGDVAC with FEAT_MTE, DC IGVAC, IGDVAC and the tag set/way forms with
 * FEAT_MTE2) complete without effect, like the other cache maintenance.
 */
import type { Cpu } from '../cpu.js';
import { DCZVA_BLOCK_BYTES, FEAT, ICACHE_LINE_BYTES } from '../impl-defined.js';
import { Acc, MemoryFault } from '../ports.js';
import { mteLevel } from '../mte.js';
import { HCR, SCTLR, SysReg, sysRegKey } from '../sysregs.js';
import { trapSysToEl1, trapSysToEl2, undef } from './branches-exceptions-system-common.js';
import { unimplementedSys } from './branches-exceptions-system-sysreg.js';
import { dcGva } from './mte.js';

type SysKind = 'dc-va' | 'dc-sw' | 'dc-zva' | 'dc-gva' | 'dc-gzva' | 'ic' | 'at' | 'tlbi';

interface SysOp {
  readonly name: string;
  readonly kind: SysKind;
  /** 0: EL0 may execute it (subject to `el0Gate`); 1: UNDEFINED at EL0. */
  readonly minEl: 0 | 1;
  /** SCTLR_EL1 bit that must be 1 for EL0 execution, else trapped to EL1. */
  readonly el0Gate?: bigint;
  /** HCR_EL2 bits that trap it to EL2 from EL0/EL1. */
  readonly hcr: bigint;
  /** Present only when the ID registers advertise it. */
  readonly present?: boolean;
  /** Present only when this CPU's ID_AA64PFR1_EL1.MTE is at least this (checked at run time, per CPU). */
  readonly mte?: number;
  /** AT: the access flags the translation is checked for. */
  readonly atFlags?: number;
}

const OPS = new Map<number, SysOp>();
function op(name: string, op1: number, crn: number, crm: number, op2: number, kind: SysKind, minEl: 0 | 1, hcr: bigint,
  extra: Partial<SysOp> = {}): void {
  const key = sysRegKey(1, op1, crn, crm, op2);
  if (OPS.has(key)) throw new Error(`SYS ${name} reuses an encoding`);
  OPS.set(key, { name, kind, minEl, hcr, ...extra });
}

// Instruction cache maintenance.
op('ic ialluis', 0, 7, 1, 0, 'ic', 1, HCR.TPU);
op('ic iallu', 0, 7, 5, 0, 'ic', 1, HCR.TPU);
op('ic ivau', 3, 7, 5, 1, 'ic', 0, HCR.TPU, { el0Gate: SCTLR.UCI });
// Data cache maintenance.
op('dc ivac', 0, 7, 6, 1, 'dc-va', 1, HCR.TPCP);
op('dc isw', 0, 7, 6, 2, 'dc-sw', 1, HCR.TSW);
op('dc csw', 0, 7, 10, 2, 'dc-sw', 1, HCR.TSW);
op('dc cisw', 0, 7, 14, 2, 'dc-sw', 1, HCR.TSW);
op('dc zva', 3, 7, 4, 1, 'dc-zva', 0, HCR.TDZ, { el0Gate: SCTLR.DZE });
// FEAT_MTE: set the tags of (and for GZVA zero) a DC ZVA-sized block, with DC ZVA's EL0 and EL2 controls.
op('dc gva', 3, 7, 4, 3, 'dc-gva', 0, HCR.TDZ, { el0Gate: SCTLR.DZE, mte: 1 });
op('dc gzva', 3, 7, 4, 4, 'dc-gzva', 0, HCR.TDZ, { el0Gate: SCTLR.DZE, mte: 1 });
// Tag cache maintenance (no cache model: no effect), with the traps of their data-only counterparts: the by-VA
// forms exist with FEAT_MTE (EL0 with SCTLR_EL1.UCI), the invalidate and set/way forms with FEAT_MTE2 (EL1 only).
for (const [name, crm, op2, dpb] of [['cgvac', 10, 3, true], ['cgdvac', 10, 5, true], ['cgvap', 12, 3, FEAT.DPB],
  ['cgdvap', 12, 5, FEAT.DPB], ['cgvadp', 13, 3, FEAT.DPB2], ['cgdvadp', 13, 5, FEAT.DPB2], ['cigvac', 14, 3, true],
  ['cigdvac', 14, 5, true]] as const) {
  op(`dc ${name}`, 3, 7, crm, op2, 'dc-va', 0, HCR.TPCP, { el0Gate: SCTLR.UCI, present: dpb, mte: 1 });
}
op('dc igvac', 0, 7, 6, 3, 'dc-va', 1, HCR.TPCP, { mte: 2 });
op('dc igdvac', 0, 7, 6, 5, 'dc-va', 1, HCR.TPCP, { mte: 2 });
for (const [name, crm, op2] of [['igsw', 6, 4], ['igdsw', 6, 6], ['cgsw', 10, 4], ['cgdsw', 10, 6], ['cigsw', 14, 4],
  ['cigdsw', 14, 6]] as const) {
  op(`dc ${name}`, 0, 7, crm, op2, 'dc-sw', 1, HCR.TSW, { mte: 2 });
}
op('dc cvac', 3, 7, 10, 1, 'dc-va', 0, HCR.TPCP, { el0Gate: SCTLR.UCI });
op('dc cvau', 3, 7, 11, 1, 'dc-va', 0, HCR.TPU, { el0Gate: SCTLR.UCI });
op('dc cvap', 3, 7, 12, 1, 'dc-va', 0, HCR.TPCP, { el0Gate: SCTLR.UCI, present: FEAT.DPB });
op('dc cvadp', 3, 7, 13, 1, 'dc-va', 0, HCR.TPCP, { el0Gate: SCTLR.UCI, present: FEAT.DPB2 });
op('dc civac', 3, 7, 14, 1, 'dc-va', 0, HCR.TPCP, { el0Gate: SCTLR.UCI });
// Address translation, stage 1 of the EL1&0 regime (S1E1RP/S1E1WP need FEAT_PAN2; S12* and S1E2/3 are EL2/EL3).
op('at s1e1r', 0, 7, 8, 0, 'at', 1, 0n, { atFlags: 0 });
op('at s1e1w', 0, 7, 8, 1, 'at', 1, 0n, { atFlags: Acc.Write });
op('at s1e0r', 0, 7, 8, 2, 'at', 1, 0n, { atFlags: Acc.Unpriv });
op('at s1e0w', 0, 7, 8, 3, 'at', 1, 0n, { atFlags: Acc.Unpriv | Acc.Write });
// TLB maintenance for the EL1&0 regime: Inner Shareable (CRm = 3) and local (CRm = 7). The Outer Shareable and
// range forms need FEAT_TLBIOS/FEAT_TLBIRANGE (not advertised); the nXS forms FEAT_XS; op1 = 4/6 are EL2/EL3.
for (const [crm, suffix] of [[3, 'is'], [7, '']] as const) {
  op(`vmalle1${suffix}`, 0, 8, crm, 0, 'tlbi', 1, HCR.TTLB);
  op(`vae1${suffix}`, 0, 8, crm, 1, 'tlbi', 1, HCR.TTLB);
  op(`aside1${suffix}`, 0, 8, crm, 2, 'tlbi', 1, HCR.TTLB);
  op(`vaae1${suffix}`, 0, 8, crm, 3, 'tlbi', 1, HCR.TTLB);
  op(`vale1${suffix}`, 0, 8, crm, 5, 'tlbi', 1, HCR.TTLB);
  op(`vaale1${suffix}`, 0, 8, crm, 7, 'tlbi', 1, HCR.TTLB);
}

/**
 * For the WebAssembly tier (wasm-jit/translate-sys.ts): the HCR_EL2 bits that trap SYS operation `key` when it is a
 * data cache maintenance operation by VA or set/way that this model implements as no operation and that exists on
 * every CPU (its feature advertised, no per-CPU MTE level), so that at EL1 only those bits decide between doing
 * nothing and the handler; undefined for every other operation.
 */
export function noOpSysTraps(key: number): bigint | undefined {
  const o = OPS.get(key);
  if (o === undefined || (o.kind !== 'dc-va' && o.kind !== 'dc-sw') || o.present === false || o.mte !== undefined) {
    return undefined;
  }
  return o.hcr;
}

/** The SYS operation names the model implements (for tests and tools). */
export function sysOpNames(): string[] {
  return [...OPS.values()].map((o) => o.name);
}

/** SYS #op1, Cn, Cm, #op2{, Xt}: `1101010100 0 01 op1 CRn CRm op2 Rt`. */
export function sysInstruction(cpu: Cpu, insn: number): void {
  const key = (insn >>> 5) & 0xffff;
  const rt = insn & 31;
  const o = OPS.get(key);
  if (o === undefined || o.present === false || (o.mte !== undefined && mteLevel(cpu) < o.mte)) {
    unimplementedSys(cpu, key, rt, false);
  }
  const sys = cpu.sys;
  if (cpu.el < o.minEl) undef();
  if (cpu.el === 0 && o.el0Gate !== undefined && (sys[SysReg.SCTLR_EL1]! & o.el0Gate) === 0n) trapSysToEl1(key, rt, false);
  const hcr = sys[SysReg.HCR_EL2]!;
  if ((hcr & o.hcr) !== 0n) trapSysToEl2(key, rt, false);
  switch (o.kind) {
    case 'dc-zva': {
      // Zero the naturally aligned block containing Xt. A fault reports Xt itself, not the block's address
      // (AArch64.DataMemZero aborts with the register value; FAR_ELx: "the address specified in the register
      // argument of the instruction"), as QEMU 10 does.
      const xt = cpu.xr(rt);
      try {
        cpu.mem.zeroBlock(xt & ~BigInt(DCZVA_BLOCK_BYTES - 1), DCZVA_BLOCK_BYTES);
      } catch (e) {
        if (!(e instanceof MemoryFault)) throw e;
        throw new MemoryFault(e.stage, e.fsc, xt, e.write, e.ipa, e.s1ptw, e.cm, e.iss2);
      }
      return;
    }
    case 'dc-gva':
    case 'dc-gzva':
      dcGva(cpu, cpu.xr(rt), o.kind === 'dc-gzva');
      return;
    case 'at': {
      const va = cpu.xr(rt);
      // Without a translateForAt port the result is PAR_EL1.F = 1 with FST = 0: a port that cannot translate for AT
      // reports every translation as failed. TODO: remove once every MemoryPort implements translateForAt.
      sys[SysReg.PAR_EL1] = cpu.mem.translateForAt ? cpu.mem.translateForAt(va, o.atFlags ?? 0) : 1n;
      return;
    }
    case 'tlbi': {
      // HCR_EL2.FB forces broadcast: EL1 executions of the local forms behave as the Inner Shareable ones.
      // The Inner Shareable forms reach every PE of the domain (the vCPUs of the VM, which share its VMID).
      const broadcast = o.name.endsWith('is') || (hcr & HCR.FB) !== 0n;
      const name = broadcast && !o.name.endsWith('is') ? `${o.name}is` : o.name;
      if (broadcast) cpu.smp.tlbiBroadcast(cpu, name, cpu.xr(rt));
      else cpu.mem.tlbi(name, cpu.xr(rt));
      return;
    }
    case 'ic': {
      // No instruction cache model, but the translated blocks are one (code-cache.ts). IC IALLU/IALLUIS: every block
      // is compared with memory before it runs again; the vCPUs of a VM share the cache, so IALLUIS reaches all of
      // them. IC IVAU: only the blocks holding an instruction of Xt's line (CTR_EL0.IminLine), found through the
      // port's translation of Xt, which never faults (as QEMU 10); stores to code pages already dropped their blocks.
      const mem = cpu.mem;
      if (o.name !== 'ic ivau' || mem.invalidateCode === undefined) {
        cpu.codeCache.invalidateAll();
        return;
      }
      mem.invalidateCode(cpu.xr(rt) & ~BigInt(ICACHE_LINE_BYTES - 1), ICACHE_LINE_BYTES);
      return;
    }
    default:
      // dc-va, dc-sw: no caches to maintain.
      return;
  }
}
