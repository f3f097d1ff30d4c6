/**
 * WebAssembly translations of hand-written handler rows (rows without a specification) that the Linux boot runs
 * millions of times and whose common case needs no call, keyed by the decode table's row names:
 * - MRS of a register whose read is its state block slot (or SP_EL0, DAIF, DCZID_EL0), with the handler's access
 *   checks that can apply to it (EL, SPSel, an EL0 gate, HCR_EL2 and CNTHCTL_EL2 trap bits, the MTE level and
 *   HCR_EL2.ATA: a kernel reads TFSRE0_EL1 on every entry from EL0;
 *   insn/branches-exceptions-system-sysreg.ts `mrsChecks`) tested inline; when one fails, or for any other register,
 *   the handler runs (UNDEFINED, traps, computed values). The generic timer's counts, TVALs and CTLs too, while the
 *   count is a linear function of the retired count (the deterministic VM clock: state-layout.ts COUNTER_BASE and
 *   COUNTER_SCALE, ports.ts CounterPort.linear): a guest's delay loop reads them millions of times;
 * - MSR (register) of a register whose write only stores the value in its slot (SP_EL0, ELR_EL1, SPSR_EL1,
 *   TPIDR_EL1, TFSRE0_EL1, GCR_EL1, ...: `msrChecks` in the same file, which also gives the mask of the bits kept),
 *   with the handler's checks (EL, SPSel, HCR_EL2 trap bits, the MTE level, HCR_EL2.ATA) tested inline; it ends its
 *   block (a system instruction), which then exits directly to the next instruction, so it chains: a kernel's
 *   exception entry and return write several of these each time;
 * - the PSTATE writes a kernel makes around every exception and critical section: MSR DAIF, DAIFSet and DAIFClr at
 *   EL1 while no debug event is configured (the block mode's DEBUG bit: PSTATE.D then decides nothing), and MSR TCO
 *   while checks are off whatever TCO (the mode's TCF_OFF bit: the mode stays what it was); the same direct exit,
 *   whose chain leaves for the run loop when the IRQ line is high, so an interrupt DAIFClr unmasks is taken before
 *   the next instruction. Otherwise the handler runs (a TCO write that may turn checking on then leaves for the run
 *   loop, which computes the mode again);
 * - YIELD (a spin loop's hint): nothing, and a direct exit to the next instruction, unless the CPU stops on YIELD
 *   (state-layout.ts STOP_ON_YIELD), when its handler ends the run;
 * - the prefetch hints PRFM/PRFUM (every form): their handler does nothing (no access, no fault), so nothing is
 *   emitted;
 * - DC ZVA (the SYS row): the handler's traps (EL0, HCR_EL2.TDZ) tested inline, then the block's zeroing through the
 *   arena data TLB when the MMU's own fast path would do it (BlockEmitter.zeroBlockCheck), else the handler; the
 *   data cache maintenance operations the model does not model beyond their traps (DC CVAU, CIVAC, ...): the traps
 *   only. Both end their block (system instructions), which then exits directly to the next instruction;
 * - LDAR/STLR and LDLAR/STLLR (every size): the access of LDR/STR (immediate, unsigned offset) with offset 0, whose
 *   specification's translation (translate-mem.ts) is emitted for the equivalent word. The handler (acquireRelease in
 *   insn/loads-and-stores.ts) does exactly that access with a natural alignment requirement, tag checked unless the
 *   base is SP as the LDR/STR form: the inline path applies only to naturally aligned accesses (the TLB key compare;
 *   BlockEmitter.alignedOnly keeps the plain form's unaligned check out), stores only without open reservations, and the vCPUs of a VM run interleaved on one thread, so acquire and
 *   release order hold already. Whatever misses runs LDAR's or STLR's own handler (its syndrome, alignment fault).
 * - CAS (every size, A/L): translate-mem.ts's compareAndSwapTranslation, from the tier's own specification of it.
 * They are not specifications (spec/): the system register file and the exclusive monitor are outside spec/sem.ts's
 * operations; each translation's checks are the handler's, as data where the handler keeps them as data.
 */
import { findEncoding } from '../decode-a64.js';
import { DCZVA_BLOCK_BYTES, IMPL } from '../impl-defined.js';
import { noOpSysTraps } from '../insn/branches-exceptions-system-sys.js';
import { COMPUTED_READS, mrsChecks, msrChecks, type AccessChecks } from '../insn/branches-exceptions-system-sysreg.js';
import { MTE_BITS, PFR1_MTE_SHIFT } from '../mte.js';
import { St } from '../state-layout.js';
import { HCR, SysReg, sysRegByKey, sysRegKey } from '../sysregs.js';
import { MemOp, Op } from '../wasm/opcodes.js';
import { VOID_BLOCK } from '../wasm/types.js';
import type { BlockEmitter, Translator } from './block-emitter.js';
import { MODE_DEBUG, MODE_TCF_OFF, P_MODE, P_ST } from './protocol.js';
import { compareAndSwapTranslation, memoryTranslation } from './translate-mem.js';

/** The mode argument's EL field (block-emitter.ts blockMode: bits [5:4]) and its SP bit (bit 0: SP_EL1 in use). */
const MODE_EL = 0x30;
const MODE_SP = 1;

/** Branch to depth 0 (the slow path of withSlowPath) when the block runs at EL0. */
function missAtEl0(e: BlockEmitter): void {
  e.f.localGet(P_MODE).i32Const(MODE_EL).op(Op.i32_and).op(Op.i32_eqz).brIf(0);
}

/** Branch to depth 0 when the CPU's MTE level (ID_AA64PFR1_EL1.MTE) is below `level`. */
function missBelowMteLevel(e: BlockEmitter, level: number): void {
  e.f.localGet(P_ST).mem(MemOp.i32_load, St.SYS + 8 * SysReg.ID_AA64PFR1_EL1).i32Const(Number(PFR1_MTE_SHIFT))
    .op(Op.i32_shr_u).i32Const(0xf).op(Op.i32_and).i32Const(level).op(Op.i32_lt_u).brIf(0);
}

/**
 * The MTE rules of an MRS or MSR: branch to depth 0 when the CPU's MTE level is below `mteMin` (UNDEFINED) or, for
 * a register HCR_EL2.ATA = 0 traps, when ATA is 0.
 */
function missOnMteRules(e: BlockEmitter, checks: AccessChecks): void {
  if (checks.mteMin !== 0) missBelowMteLevel(e, checks.mteMin);
  if (checks.ataTrap) {
    e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * SysReg.HCR_EL2).i64Const(MTE_BITS.HCR_ATA).op(Op.i64_and)
      .op(Op.i64_eqz).brIf(0);
  }
}

/** Branch to depth 0 when any of HCR_EL2's bits `mask` is set. */
function missOnHcr(e: BlockEmitter, mask: bigint): void {
  e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * SysReg.HCR_EL2).i64Const(mask).op(Op.i64_and)
    .i64Const(0).op(Op.i64_ne).brIf(0);
}

/** Push (i32) 1 when none of register `id`'s bits `mask` is set (a gate closed), else 0. */
function gateClosed(e: BlockEmitter, id: number, mask: bigint): void {
  e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * id).i64Const(mask).op(Op.i64_and).op(Op.i64_eqz);
}

/** Branch to depth 0 when none of register `id`'s bits `mask` is set (a gate closed). */
function missUnlessAny(e: BlockEmitter, id: number, mask: bigint): void {
  gateClosed(e, id, mask);
  e.f.brIf(0);
}

/** Whether register `id` is one of the generic timer's whose reads compute the count (readSysReg: counterTicks). */
function isCounterRead(id: number): boolean {
  return id === SysReg.CNTPCT_EL0 || id === SysReg.CNTVCT_EL0 || id === SysReg.CNTP_TVAL_EL0 ||
    id === SysReg.CNTV_TVAL_EL0 || id === SysReg.CNTP_CTL_EL0 || id === SysReg.CNTV_CTL_EL0;
}

/**
 * Push the physical count as the counter port would give it now: COUNTER_BASE + retired × COUNTER_SCALE (mod 2^64;
 * state-layout.ts, ports.ts CounterPort.linear), with the retired count a handler called here would see.
 */
function physicalCount(e: BlockEmitter): void {
  e.f.localGet(P_ST).mem(MemOp.i64_load, St.COUNTER_BASE);
  e.pushRetired();
  e.f.localGet(P_ST).mem(MemOp.i64_load, St.COUNTER_SCALE).op(Op.i64_mul).op(Op.i64_add);
}

/** Push the virtual count: the physical count less CNTVOFF_EL2 (mod 2^64). */
function virtualCount(e: BlockEmitter): void {
  physicalCount(e);
  e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * SysReg.CNTVOFF_EL2).op(Op.i64_sub);
}

/** Push a timer's CTL as readSysReg's timerCtl gives it: ENABLE and IMASK, with ISTATUS = ENABLE && count >= CVAL. */
function timerCtl(e: BlockEmitter, ctl: number, cval: number, count: (e: BlockEmitter) => void): void {
  const f = e.f;
  f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * ctl).i64Const(3n).op(Op.i64_and);
  f.localGet(P_ST).mem(MemOp.i32_load, St.SYS + 8 * ctl).i32Const(1).op(Op.i32_and);
  count(e);
  f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * cval).op(Op.i64_ge_u).op(Op.i32_and);
  f.op(Op.i64_extend_i32_u).i64Const(2n).op(Op.i64_shl).op(Op.i64_or);
}

/** Push a timer's TVAL: (CVAL - count) mod 2^32. */
function timerTval(e: BlockEmitter, cval: number, count: (e: BlockEmitter) => void): void {
  e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * cval);
  count(e);
  e.f.op(Op.i64_sub).i64Const(0xffff_ffffn).op(Op.i64_and);
}

/**
 * How an inline MRS computes the value readSysReg gives register `id` (pushes an i64), or undefined when only the
 * handler can: a register's slot; SP_EL0's slot; DAIF from PSTATE's DAIF word; DCZID_EL0 at EL1 and above, where
 * DZP is HCR_EL2.TDZ (dczvaProhibited; the caller adds the EL0 check); the generic timer's counts, TVALs and CTLs
 * from the counter's linear form (the caller adds the check that there is one: {@link isCounterRead}).
 */
function readValue(id: number): ((e: BlockEmitter) => void) | undefined {
  if (!COMPUTED_READS.has(id)) return (e) => void e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * id);
  switch (id) {
    case SysReg.CNTPCT_EL0: return physicalCount;
    case SysReg.CNTVCT_EL0: return virtualCount;
    case SysReg.CNTP_TVAL_EL0: return (e) => timerTval(e, SysReg.CNTP_CVAL_EL0, physicalCount);
    case SysReg.CNTV_TVAL_EL0: return (e) => timerTval(e, SysReg.CNTV_CVAL_EL0, virtualCount);
    case SysReg.CNTP_CTL_EL0: return (e) => timerCtl(e, SysReg.CNTP_CTL_EL0, SysReg.CNTP_CVAL_EL0, physicalCount);
    case SysReg.CNTV_CTL_EL0: return (e) => timerCtl(e, SysReg.CNTV_CTL_EL0, SysReg.CNTV_CVAL_EL0, virtualCount);
    case SysReg.SP_EL0: return (e) => void e.f.localGet(P_ST).mem(MemOp.i64_load, St.SP_EL0);
    case SysReg.DAIF:
      return (e) => void e.f.localGet(P_ST).mem(MemOp.i32_load, St.DAIF).op(Op.i64_extend_i32_u).i64Const(6)
        .op(Op.i64_shl);
    case SysReg.DCZID_EL0:
      // IMPL.DCZID_EL0 | (HCR_EL2.TDZ (bit 28) ? DZP (bit 4) : 0)
      return (e) => void e.f.localGet(P_ST).mem(MemOp.i64_load, St.SYS + 8 * SysReg.HCR_EL2).i64Const(24)
        .op(Op.i64_shr_u).i64Const(0x10).op(Op.i64_and).i64Const(IMPL.DCZID_EL0).op(Op.i64_or);
    default: return undefined;
  }
}

/** MRS <Xt>, <systemreg>: inline for the registers above, with the handler's checks; false otherwise (a call). */
function mrs(e: BlockEmitter, w: number): boolean {
  const id = sysRegByKey((w >>> 5) & 0xffff);
  if (id < 0) return false;
  const checks = mrsChecks(id);
  const value = readValue(id);
  if (checks === undefined || value === undefined) return false;
  const t = w & 31;
  const gate = checks.el0Gate;
  e.withSlowPath(() => {
    if (checks.minEl > 0 || id === SysReg.DCZID_EL0) missAtEl0(e);
    else if (gate !== undefined) {
      // At EL0 (the mode's EL field 0), a closed gate traps the read to EL1.
      e.f.localGet(P_MODE).i32Const(MODE_EL).op(Op.i32_and).op(Op.i32_eqz);
      gateClosed(e, gate.id, gate.mask);
      e.f.op(Op.i32_and).brIf(0);
    }
    // SP_EL0 is UNDEFINED while PSTATE.SP = 0; at EL1 and above (checked above: its minimum EL is 1) the mode's bit 0
    // is PSTATE.SP.
    if (checks.spSel) e.f.localGet(P_MODE).i32Const(MODE_SP).op(Op.i32_and).op(Op.i32_eqz).brIf(0);
    if (checks.hcrMask !== 0n) missOnHcr(e, checks.hcrMask);
    missOnMteRules(e, checks);
    if (checks.cnthctlGate !== 0n) missUnlessAny(e, SysReg.CNTHCTL_EL2, checks.cnthctlGate);
    // The count only when it is linear in the retired count this run (COUNTER_SCALE non-zero).
    if (isCounterRead(id)) e.f.localGet(P_ST).mem(MemOp.i64_load, St.COUNTER_SCALE).op(Op.i64_eqz).brIf(0);
    e.setX(t, 64, () => value(e));
  }, [t]);
  return true;
}

/**
 * MSR <systemreg>, <Xt>: for the registers msrChecks answers, the handler's checks and `Xt & mask` stored in the
 * register's slot (SP_EL0's own); false otherwise (a call).
 */
function msr(e: BlockEmitter, w: number): boolean {
  const id = sysRegByKey((w >>> 5) & 0xffff);
  if (id === SysReg.DAIF) {
    // DAIF = Xt[9:6]: at EL1 (EL0's access depends on SCTLR_EL1.UMA: the handler's), no trap bit applies.
    writeDaif(e, () => e.x(w & 31).f.i64Const(6).op(Op.i64_shr_u).op(Op.i32_wrap_i64).i32Const(0xf).op(Op.i32_and));
    return true;
  }
  const checks = id < 0 ? undefined : msrChecks(id);
  if (checks === undefined) return false;
  const f = e.f;
  e.withSlowPath(() => {
    if (checks.minEl > 0) missAtEl0(e);
    // SP_EL0 is UNDEFINED while PSTATE.SP = 0 (at EL1 and above, the mode's bit 0).
    if (checks.spSel) f.localGet(P_MODE).i32Const(MODE_SP).op(Op.i32_and).op(Op.i32_eqz).brIf(0);
    if (checks.hcrMask !== 0n) missOnHcr(e, checks.hcrMask);
    missOnMteRules(e, checks);
    f.localGet(P_ST);
    e.x(w & 31);
    if (checks.mask !== -1n) f.i64Const(checks.mask).op(Op.i64_and);
    f.mem(MemOp.i64_store, id === SysReg.SP_EL0 ? St.SP_EL0 : St.SYS + 8 * id);
  }, []);
  return true;
}

/**
 * When the block mode's bit `bit` is `set` (true: 1, false: 0): the handler, then leave for the run loop (the
 * instruction may change what the mode says, which the run loop computes again, or what it checks before a block:
 * Cpu.debugActive).
 */
function handlerExitIfMode(e: BlockEmitter, bit: number, set: boolean): void {
  const f = e.f;
  f.localGet(P_MODE).i32Const(bit).op(Op.i32_and);
  if (!set) f.op(Op.i32_eqz);
  f.if(VOID_BLOCK);
  const saved = e.saveRegs();
  e.callHandler().exitHandler(e.k + 1); // (the instruction ends its block: k + 1 instructions)
  e.restoreRegs(saved);
  f.end();
}

/**
 * PSTATE.DAIF = the i32 `value` pushes (from the old DAIF word, which it may read), at EL1 (EL0: the handler, which
 * traps unless SCTLR_EL1.UMA). While a debug event is configured (the mode's DEBUG bit) a change of D may make
 * debug exceptions possible, which only the run loop checks: the handler, then the run loop.
 */
function writeDaif(e: BlockEmitter, value: () => void): void {
  const f = e.f;
  handlerExitIfMode(e, MODE_DEBUG, true);
  e.withSlowPath(() => {
    missAtEl0(e);
    f.localGet(P_ST);
    value();
    f.mem(MemOp.i32_store, St.DAIF);
  }, []);
}

/** MSR (immediate)'s PSTATE field: op1:op2 (insn/branches-exceptions-system-sysreg.ts msrImmediate). */
const pstateField = (w: number): number => ((((w >>> 16) & 7) << 3) | ((w >>> 5) & 7));
const DAIF_SET = 0o036;
const DAIF_CLR = 0o037;
const TCO_FIELD = 0o034;

/**
 * MSR DAIFSet/DAIFClr, #imm (writeDaif) and MSR TCO, #imm: inline while the block mode says checks are off whatever
 * TCO (so the mode stays right) and the CPU has FEAT_MTE2 (TCO is RAZ/WI with FEAT_MTE only, UNDEFINED without
 * MTE: the handler's); a mode that may change leaves for the run loop after the handler. False for other fields.
 */
function msrImmediate(e: BlockEmitter, w: number): boolean {
  const field = pstateField(w);
  const crm = (w >>> 8) & 0xf;
  const f = e.f;
  if (field === DAIF_SET || field === DAIF_CLR) {
    writeDaif(e, () => {
      f.localGet(P_ST).mem(MemOp.i32_load, St.DAIF);
      if (field === DAIF_SET) f.i32Const(crm).op(Op.i32_or);
      else f.i32Const(~crm & 0xf).op(Op.i32_and);
    });
    return true;
  }
  if (field !== TCO_FIELD) return false;
  // (Checking may be off only because TCO is 1: the handler, then the run loop, which computes the mode again.)
  handlerExitIfMode(e, MODE_TCF_OFF, false);
  e.withSlowPath(() => {
    missBelowMteLevel(e, 2);
    f.localGet(P_ST).i32Const(crm & 1).mem(MemOp.i32_store, St.TCO);
  }, []);
  return true;
}

/** SYS's encoding key of DC ZVA (op1 3, C7, C4, op2 1: insn/branches-exceptions-system-sys.ts). */
const DC_ZVA_KEY = sysRegKey(1, 3, 7, 4, 1);

/**
 * SYS: DC ZVA inline (see the file comment); the data cache maintenance operations the model implements as no
 * operation (DC CVAC, CVAU, CIVAC, IVAC, ISW, ...: noOpSysTraps) as their checks only, at EL1 and above without
 * their HCR_EL2 trap bits (EL0, with its SCTLR_EL1.UCI gate, and a trap run the handler); every other SYS operation
 * is a call.
 */
function sys(e: BlockEmitter, w: number): boolean {
  const key = (w >>> 5) & 0xffff;
  const traps = noOpSysTraps(key);
  if (traps !== undefined) {
    e.withSlowPath(() => {
      missAtEl0(e);
      if (traps !== 0n) missOnHcr(e, traps);
    }, []);
    return true;
  }
  if (key !== DC_ZVA_KEY) return false;
  const t = w & 31;
  const f = e.f;
  e.withSlowPath(() => {
    // The handler's traps: UNDEFINED-or-trapped at EL0 unless SCTLR_EL1.DZE (left to it), HCR_EL2.TDZ to EL2.
    missAtEl0(e);
    missOnHcr(e, HCR.TDZ);
    e.x(t).f.i64Const(BigInt(-DCZVA_BLOCK_BYTES)).op(Op.i64_and).localSet(e.va);
    e.zeroBlockCheck(e.va, DCZVA_BLOCK_BYTES, e.ha, 0);
    for (let o = 0; o < DCZVA_BLOCK_BYTES; o += 8) f.localGet(e.ha).i64Const(0).mem(MemOp.i64_store, o);
  }, []);
  return true;
}

/** LDAR/STLR/LDLAR/STLLR: the translation of LDR/STR (immediate, unsigned offset) #0 of the same size and registers. */
function ordered(e: BlockEmitter, w: number): boolean {
  // size [31:30] 111 0 01 opc [23:22] (00 STR, 01 LDR) imm12 = 0, Rn, Rt; L is bit 22 of the ordered forms.
  const plain = ((w & 0xc000_0000) | 0x3900_0000 | (w & (1 << 22)) | (w & 0x3ff)) >>> 0;
  const row = findEncoding(plain);
  const t = row === undefined ? undefined : memoryTranslation(row.name);
  if (t === undefined) return false;
  // LDAR/STLR need alignment (an alignment fault otherwise): the plain form's unaligned check must not apply.
  e.alignedOnly = true;
  try {
    return t(e, plain);
  } finally {
    e.alignedOnly = false;
  }
}

/**
 * YIELD: nothing, unless the CPU ends its run at a YIELD (STOP_ON_YIELD, `Cpu.stopOnYield`): then its handler, which
 * ends the run. It ends its block, which then exits directly to the next instruction, so a spin loop chains.
 */
const yieldHint: Translator = (e) => {
  e.withSlowPath(() => void e.f.localGet(P_ST).mem(MemOp.i32_load, St.STOP_ON_YIELD).brIf(0), []);
  return true;
};

/** Nothing: a prefetch hint has no effect in this model (its handler is empty). */
const prefetch: Translator = () => true;

const SIZES = ['B', 'H', ' (32-bit)', ' (64-bit)'];

const SYSTEM_TRANSLATIONS: ReadonlyMap<string, Translator> = new Map<string, Translator>([
  ['MRS', mrs],
  ['MSR (register)', msr],
  ['MSR (immediate)', msrImmediate],
  ['SYS', sys],
  ['YIELD', yieldHint],
  ['PRFM (immediate, unsigned offset)', prefetch],
  ['PRFUM (unscaled)', prefetch],
  ['PRFM (register)', prefetch],
  ['PRFM (literal)', prefetch],
  ...SIZES.flatMap((s) => ['LDAR', 'STLR', 'LDLAR', 'STLLR'].map((n): [string, Translator] => [`${n}${s}`, ordered])),
]);

/**
 * Whether word `w` of the row named `name`, which ends a block (a system instruction), has a translation here that
 * continues to the next instruction (DC ZVA, the data cache maintenance operations that are no operation here, MSR
 * of a register msrChecks answers, of DAIF, DAIFSet, DAIFClr, TCO, YIELD): the tier emits it and a direct exit to
 * the next instruction.
 */
export function endsInline(name: string, w: number): boolean {
  if (name === 'MSR (register)') {
    const id = sysRegByKey((w >>> 5) & 0xffff);
    return id === SysReg.DAIF || (id >= 0 && msrChecks(id) !== undefined);
  }
  if (name === 'MSR (immediate)') {
    const field = pstateField(w);
    return field === DAIF_SET || field === DAIF_CLR || field === TCO_FIELD;
  }
  if (name === 'YIELD') return true;
  if (name !== 'SYS') return false;
  const key = (w >>> 5) & 0xffff;
  return key === DC_ZVA_KEY || noOpSysTraps(key) !== undefined;
}

/** The translation of a handler row (one without a specification) by its name, or undefined (a call). */
export function handlerRowTranslation(name: string): Translator | undefined {
  return SYSTEM_TRANSLATIONS.get(name) ?? compareAndSwapTranslation(name);
}
