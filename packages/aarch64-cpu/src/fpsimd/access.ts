/**
 * Access to SIMD&FP state (Arm ARM CheckFPAdvSIMDEnabled64 / CheckFPEnabled64): every SIMD&FP instruction, and MRS
 * and MSR of FPCR and FPSR, checks CPACR_EL1.FPEN first (after its decode, so an UNDEFINED encoding stays UNDEFINED):
 * FPEN = 0b00 or 0b10 traps EL0 and EL1 to EL1, 0b01 traps EL0 only, 0b11 traps nothing. Then, as AArch64.CheckFPEnabled
 * orders them, the hypervisor's CPTR_EL2.TFP (HCR_EL2.E2H = 0: this model has no E2H or TGE, and the guest runs at
 * EL0/EL1 with EL2 enabled) traps EL0 and EL1 to EL2, which stops the run ({@link El2Trap}, `Stop.TrapEl2`) with the
 * PC on the instruction. Both traps are EC 0x07 with ISS CV = 1, COND = 0b1110 (an exception from AArch64 state), as
 * QEMU reports them.
 *
 * The rows of the SIMD&FP tables are built with {@link fpRow}, which puts the check in front of the handler, so no
 * handler can forget it. Handlers must therefore find no UNDEFINED encodings themselves: a row's pattern matches
 * only allocated words, or the row gives an `allocated` predicate.
 */
import type { Cpu } from '../cpu.js';
import type { EncodingRow, Handler } from '../decode.js';
import { El2Trap, GuestException } from '../exceptions.js';
import { Ec } from '../exits.js';
import { SysReg } from '../sysregs.js';
import { sysWord } from '../state-layout.js';
import { undefinedInstruction } from '../undefined.js';

/** ESR_ELx.ISS of a SIMD&FP access trap from AArch64 state: CV [24] = 1, COND [23:20] = 0b1110. */
export const FP_TRAP_ISS = 0x1e0_0000;

/**
 * The 32-bit word of the state block holding CPACR_EL1's low half (FPEN is bits [21:20]): read as a Number, since
 * this check runs before every SIMD&FP instruction (as a BigInt it cost about 40 ns, half of a vector ADD).
 */
const CPACR_LOW_WORD = sysWord(SysReg.CPACR_EL1);
/** The word of the state block holding CPTR_EL2's low half (TFP is bit 10), read as a Number for the same reason. */
const CPTR_EL2_LOW_WORD = sysWord(SysReg.CPTR_EL2);
/** CPTR_EL2.TFP in the low word. */
const TFP_BIT = 1 << 10;

/** Byte offsets in the state block of the two words the check reads, for the WebAssembly tier's inline check. */
export const FP_ACCESS_WORDS = { cpacrLow: CPACR_LOW_WORD * 4, cptrLow: CPTR_EL2_LOW_WORD * 4, tfpBit: TFP_BIT } as const;

/**
 * Raise the SIMD&FP access trap when CPACR_EL1.FPEN disables SIMD&FP at the current EL (to EL1), else when
 * CPTR_EL2.TFP is set (to EL2).
 */
export function checkFpAccess(cpu: Cpu): void {
  const st32 = cpu.st32;
  const fpen = (st32[CPACR_LOW_WORD]! >>> 20) & 3;
  if (fpen !== 3 && (fpen !== 1 || cpu.el === 0)) throw new GuestException(Ec.FpAccess, FP_TRAP_ISS);
  if ((st32[CPTR_EL2_LOW_WORD]! & TFP_BIT) !== 0) throw new El2Trap(Ec.FpAccess, FP_TRAP_ISS, false);
}

/**
 * A row of a SIMD&FP table: the access check, then `handler`. A row whose pattern also matches unallocated words
 * (field values the pattern cannot exclude) gives `allocated`, which is asked first, so that such a word is
 * UNDEFINED (not trapped) whatever CPACR_EL1.FPEN says, as the Arm ARM decodes before it checks access.
 * A data-processing row (`memory` false: no access to memory, so no exception once the check passed; decode.ts
 * `FpData`) also carries its parts, so that the WebAssembly tier can check access inline and call `handler` itself.
 */
export function fpRow(name: string, pattern: string, handler: Handler, allocated?: (insn: number) => boolean,
  memory = false): EncodingRow {
  const exec: Handler = allocated === undefined
    ? (cpu, insn) => {
      checkFpAccess(cpu);
      handler(cpu, insn);
    }
    : (cpu, insn) => {
      if (!allocated(insn)) undefinedInstruction();
      checkFpAccess(cpu);
      handler(cpu, insn);
    };
  if (memory) return { name, pattern, exec };
  return { name, pattern, exec, fpData: allocated === undefined ? { handler } : { handler, allocated } };
}
