/**
 * The PMUv3 kvm-core gives a vCPU with KVM_ARM_VCPU_PMU_V3: its identification, counters and events.
 */

/** ID_AA64DFR0_EL1.PMUVer [11:8]: 6, FEAT_PMUv3p5 (64-bit event counters, PMCR_EL0.LP), as KVM (which caps it there) and QEMU's -cpu max. */
export const PMU_VERSION = 6n;
export const DFR0_PMUVER_SHIFT = 8n;
export const DFR0_PMUVER_MASK = 0xfn << DFR0_PMUVER_SHIFT;

/** Event counters (PMCR_EL0.N): 6, as QEMU's -cpu max (PMCR 0x41013000) and a typical KVM host. */
export const PMU_COUNTERS = 6;
/** The cycle counter's index in the PMCNTEN/PMOVS/PMINTEN masks (and PMSELR_EL0.SEL for PMXEVTYPER/PMXEVCNTR). */
export const CYCLE_INDEX = 31;

/** PMCR_EL0 bits. */
export const PMCR = {
  E: 1 << 0,
  P: 1 << 1,
  C: 1 << 2,
  D: 1 << 3,
  X: 1 << 4,
  DP: 1 << 5,
  LC: 1 << 6,
  LP: 1 << 7,
} as const;
/** PMCR_EL0 bits a write keeps (P and C act and read 0; LC is RES1: no AArch32 EL0, as KVM makes it then). */
export const PMCR_WRITABLE = PMCR.E | PMCR.D | PMCR.X | PMCR.DP | PMCR.LP;
/** The read-only part of PMCR_EL0: IMP 0x41 ('A'), IDCODE 0x01, N, and LC (RES1); QEMU's -cpu max reads 0x41013000. */
export const PMCR_FIXED = ((0x41 << 24) | (0x01 << 16) | (PMU_COUNTERS << 11) | PMCR.LC) >>> 0;

/** PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 bits: P excludes EL1, U excludes EL0 (NSK, NSU need EL3; NSH, M need EL2/EL3). */
export const EVTYPER_P = 1 << 31;
export const EVTYPER_U = 1 << 30;
/** The bits a PMEVTYPER write keeps: P, U, NSH and the 16-bit event number (KVM's mask for PMUv3p1 and later). */
export const EVTYPER_WRITABLE = (EVTYPER_P | EVTYPER_U | (1 << 27) | 0xffff) >>> 0;
/** PMCCFILTR_EL0 keeps the filter bits only (its event field is RES0). */
export const CCFILTR_WRITABLE = (EVTYPER_P | EVTYPER_U | (1 << 27)) >>> 0;

/** Architectural event numbers the model counts. */
export const PmuEvent = {
  /** A write of 1 to the counter's bit of PMSWINC_EL0. */
  SW_INCR: 0x00,
  /** An instruction retired (the vCPU's retired-instruction count). */
  INST_RETIRED: 0x08,
  /** A cycle: one per instruction retired (the model's CPI is 1). */
  CPU_CYCLES: 0x11,
  /** A data memory read or write (each `read`/`write` of the memory port, and DC ZVA). */
  MEM_ACCESS: 0x13,
  /** The preceding even counter overflowed (odd counters, 32-bit overflows). */
  CHAIN: 0x1e,
  /** Cycles with no operation issued for a front-end (0x23) or back-end (0x24) reason: always 0 at CPI 1. */
  STALL_FRONTEND: 0x23,
  STALL_BACKEND: 0x24,
} as const;

/** PMCEID0_EL0 (events 0x00-0x1f) and PMCEID1_EL0 (0x20-0x3f): the events of {@link PmuEvent}. */
export const PMCEID0 = (1n << 0x00n) | (1n << 0x08n) | (1n << 0x11n) | (1n << 0x13n) | (1n << 0x1en);
export const PMCEID1 = (1n << (0x23n - 32n)) | (1n << (0x24n - 32n));

/** The PPI QEMU's virt board gives the PMU (PPI 7 in the device tree's numbering). */
export const PMU_PPI = 23;
