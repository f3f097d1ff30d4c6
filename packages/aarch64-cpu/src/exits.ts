/** Why `Cpu.run` returned. A number, not an object: the run loop is a hot path. */
export const Stop = {
  /** The instruction budget ran out. */
  Budget: 0,
  /** The guest trapped to EL2: read `cpu.el2` for ESR_EL2, FAR_EL2, HPFAR_EL2. */
  TrapEl2: 1,
  /** WFI/WFE with nothing pending and no trap configured: the vCPU would idle. */
  Idle: 2,
  /** The model itself failed (a bug): `cpu.internalError` holds the cause. The guest is left at the instruction. */
  InternalError: 3,
  /**
   * An MSR to a generic-timer register completed and the CPU's counter port asked to end the run
   * (`CounterPort.timerWritten`): the PC is the next instruction.
   */
  TimerWrite: 4,
  /**
   * A YIELD, or a WFE that would wait (no event pending, no trap), completed while `cpu.stopOnYield` is set: the
   * guest is spinning on something only another PE can change, so its host may run another one. The PC is the next
   * instruction (the instruction retired).
   */
  Yield: 5,
} as const;
export type StopCode = (typeof Stop)[keyof typeof Stop];

/** Exception classes (ESR.EC). */
export const Ec = {
  Unknown: 0x00,
  Wfx: 0x01,
  /** SIMD&FP access trapped by CPACR_EL1.FPEN (fpsimd/access.ts). */
  FpAccess: 0x07,
  IllegalState: 0x0e,
  Svc64: 0x15,
  Hvc64: 0x16,
  Smc64: 0x17,
  SysReg: 0x18,
  InsnAbortLower: 0x20,
  InsnAbortSame: 0x21,
  PcAlign: 0x22,
  DataAbortLower: 0x24,
  DataAbortSame: 0x25,
  SpAlign: 0x26,
  Serror: 0x2f,
  Brk: 0x3c,
} as const;

/**
 * What a trap to EL2 reports to the hypervisor, as the hardware's EL2 syndrome registers would.
 * `cpu.pc` holds the preferred return address (ELR_EL2): the trapping instruction for aborts, system register traps
 * and WFx, the next instruction for HVC/SMC.
 */
export class El2Syndrome {
  esr = 0n;
  far = 0n;
  /** HPFAR_EL2: IPA[47:12] in bits [43:4]. */
  hpfar = 0n;
}
