/**
 * Control flow for architectural exceptions raised while an instruction executes. Handlers throw these; the run
 * loop catches them and performs exception entry (to EL1 in the guest) or stops with a trap to EL2.
 * They are thrown only on the exceptional path, so allocation here is fine.
 */
export class GuestException {
  constructor(
    /** ESR.EC */
    readonly ec: number,
    /** ESR.ISS (bits [24:0]) */
    readonly iss: number,
    /** ELR is the next instruction (SVC, HVC at EL1 → EL1 not possible, BRK is the instruction itself). */
    readonly returnNext = false,
    /** FAR to record, for aborts and PC alignment faults. */
    readonly far: bigint | undefined = undefined,
    /** ESR.IL: 1 for 32-bit instructions (all A64), 0 for some EL2-only classes. */
    readonly il = 1,
    /** ESR ISS2 (bits [55:32]). */
    readonly iss2 = 0,
  ) {}
}

/** A trap to EL2: the instruction (or its access) is handled by the hypervisor. */
export class El2Trap {
  constructor(
    readonly ec: number,
    readonly iss: number,
    readonly returnNext: boolean,
    readonly far = 0n,
    readonly hpfar = 0n,
    readonly iss2 = 0,
  ) {}
}

/**
 * Thrown by a handler after its instruction completed, to end the run there (`Cpu.run` returns `stop`, the PC is
 * the next instruction and the instruction counts as retired): an MSR to a timer register whose counter port asks
 * for it (ports.ts `CounterPort.timerWritten`). Not an exception the guest sees.
 */
export class EndRun {
  constructor(readonly stop: number) {}
}
