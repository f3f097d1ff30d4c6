/**
 * Every implementation-defined choice of the modelled CPU, in one place: identification registers, cache and block
 * geometry, reset values. The profile: ARMv8.5-A base, AArch64 only at EL0 and EL1, 4 KiB/16 KiB/64 KiB granules,
 * 48-bit physical addresses, FP/AdvSIMD with half precision and the cryptographic extension, no SVE, no SME, no
 * pointer authentication, no BTI.
 *
 * The ID registers advertise exactly what the model implements; {@link FEAT} derives the feature flags the
 * instruction handlers test from these same values, so changing an ID field here switches the behaviour with it.
 * Fields not described are 0 (not implemented).
 */
export const IMPL = {
  /** Implementer 0x41 (Arm), variant 0, architecture 0xF (ID registers), part 0xD0F (not a real core), rev 0. */
  MIDR_EL1: 0x410f_d0f0n,
  /** MPIDR_EL1: bit 31 RES1, U = 0 (multiprocessor), MT = 0, affinity 0.0.0. VMPIDR_EL2 resets to this. */
  MPIDR_EL1: 0x8000_0000n,
  REVIDR_EL1: 0n,
  AIDR_EL1: 0n,
  /**
   * PFR0: EL0 [3:0] = EL1 [7:4] = EL2 [11:8] = 1 (AArch64 only); EL3 [15:12] = 0 (absent); FP [19:16] and
   * AdvSIMD [23:20] = 1 (implemented, with half-precision arithmetic: FEAT_FP16); GIC [27:24] = 0 (no system register interface of its own: kvm-core
   * sets 1 for a VM with a vGICv3, whose ICC_* registers it implements through `cpu.sysRegPort`); RAS, SVE, SEL2, MPAM,
   * AMU = 0; DIT [51:48] = 1 (PSTATE.DIT); CSV2 [59:56] = 1 and CSV3 [63:60] = 1 (the model does not speculate, so
   * neither branch-target nor faulting-load speculation can leak).
   */
  ID_AA64PFR0_EL1: 0x1101_0000_0011_0111n,
  /**
   * PFR1: BT [3:0] = 0 (no BTI); SSBS [7:4] = 2 (PSTATE.SSBS with MSR/MRS SSBS); MTE [11:8] = 3 (FEAT_MTE3) by
   * default, MTE_frac [43:40] = 0 (asynchronous tag check faults supported). The MTE field is per CPU: this is the
   * reset value, `new Cpu(mem, { mte })` / setMteLevel (mte.ts) or a hypervisor change it; FEAT.MTE/MTE2 below
   * describe only this default and must not gate behaviour (use mteLevel(cpu)).
   */
  ID_AA64PFR1_EL1: 0x320n,
  /**
   * DFR0: DebugVer [3:0] = 6 (Armv8 debug); PMUVer [11:8] = 0 (no PMU: PMU registers are UNDEFINED; kvm-core
   * sets 6, PMUv3p5, for a vCPU with KVM_ARM_VCPU_PMU_V3 and gives its CPU a `pmuPort`);
   * BRPs [15:12] = 5 and WRPs [23:20] = 3 (six breakpoints, four watchpoints, as QEMU's `-cpu max`: debug.ts);
   * CTX_CMPs [31:28] = 1 (two context-aware breakpoints, the last two); DoubleLock [39:36] = 0 (OSDLR_EL1 exists).
   */
  ID_AA64DFR0_EL1: 0x0000_0000_1030_5006n,
  /**
   * ISAR0: AES [7:4] = 2 (AESE/AESD/AESMC/AESIMC and PMULL/PMULL2 of 64-bit lanes), SHA1 [11:8] = 1, SHA2 [15:12] = 2
   * (SHA256 and SHA512), CRC32 [19:16] = 1, atomics (LSE) [23:20] = 2, RDM [31:28] = 1 (SQRDMLAH/SQRDMLSH), SHA3
   * [35:32] = 1 (EOR3, RAX1, XAR, BCAX), DP [47:44] = 1 (SDOT/UDOT), FHM [51:48] = 1 (FMLAL/FMLSL). No SM3/SM4, no
   * FlagM (TS = 0), no TLBI OS/range (TLB = 0), no RNDR.
   */
  ID_AA64ISAR0_EL1: 0x0001_1001_1021_2120n,
  /**
   * ISAR1: DPB [3:0] = 2 (DC CVAP and DC CVADP); JSCVT [15:12] = 1 (FJCVTZS); FCMA [19:16] = 1 (FCMLA, FCADD);
   * LRCPC [23:20] = 2 (LDAPR, LDAPUR, STLUR); FRINTTS [35:32] = 1 (FRINT32/64); SB [39:36] = 1 (the SB barrier);
   * BF16 [47:44] = 1 (BFCVT, BFDOT, BFMMLA, BFMLAL; not FEAT_EBF16); I8MM [55:52] = 1 (SMMLA, UMMLA, USMMLA, USDOT,
   * SUDOT). No pointer authentication (APA/API/GPA/GPI = 0), no SPECRES, no XS. MMFR1.AFP = 0: FPCR.AH/FIZ/NEP are
   * not modelled.
   */
  ID_AA64ISAR1_EL1: 0x0010_1011_0021_1002n,
  /** ISAR2: nothing (no WFxT, no HBC, no CLRBHB, no MOPS). */
  ID_AA64ISAR2_EL1: 0n,
  /** MMFR0: PARange 48 bits (5), ASIDBits 16 (2), 16 KiB granule supported (TGran16 = 1), 64 KiB and 4 KiB supported (0). */
  ID_AA64MMFR0_EL1: 0x0000_0000_0010_0025n,
  /**
   * MMFR1: PAN [23:20] = 1 (FEAT_PAN; not PAN2, so no AT S1E1RP/WP); LO [19:16] = 1 (FEAT_LOR: LDLAR/STLLR and the
   * LOR registers, with no LORegions: LORID_EL1 = 0).
   */
  ID_AA64MMFR1_EL1: 0x0000_0000_0011_0000n,
  /**
   * MMFR2: UAO [7:4] = 1 (FEAT_UAO: PSTATE.UAO makes LDTR/STTR at EL1 privileged); E0PD [63:60] = 1 (FEAT_E0PD:
   * TCR_EL1.E0PD0/E0PD1 make every unprivileged access to that half of the address space a level 0 Translation
   * fault, as QEMU 10 `-cpu max` has it; with it Linux does not force kernel page-table isolation for KASLR);
   * everything else 0.
   */
  ID_AA64MMFR2_EL1: 0x1000_0000_0000_0010n,
  /**
   * CTR_EL0, as QEMU 10 `-cpu max` reports it: DminLine = IminLine = 4 (64-byte lines), ERG = CWG = 4, L1Ip = PIPT
   * (3), IDC = 1 and DIC = 1: no cache maintenance is needed for instruction/data coherence, which is true of the
   * model (no caches, and a store to a page with translated code drops that code at once, for every vCPU sharing
   * the code cache: code-cache.ts), so Linux skips DC CVAU and IC IVAU when it patches code.
   */
  CTR_EL0: 0xb444_c004n,
  /** DCZID_EL0: BS = 4 (64 bytes), DZP = 0 (DZP is computed on read from SCTLR_EL1.DZE and HCR_EL2.TDZ). */
  DCZID_EL0: 0x4n,
  /** GMID_EL1: BS = 6 (256-byte LDGM/STGM block), as QEMU. */
  GMID_EL1: 0x6n,
  /** CLIDR_EL1: L1 separate I and D (Ctype1 = 3), L2 unified (Ctype2 = 4), LoUIS = 1, LoC = 2, LoUU = 1. */
  CLIDR_EL1: 0x0a20_0023n,
  /** CCSIDR_EL1 (no FEAT_CCIDX) for L1 D and L1 I: 32 KiB, 4-way, 64-byte lines (NumSets-1 = 127). */
  CCSIDR_L1: (127n << 13n) | (3n << 3n) | 2n,
  /** CCSIDR_EL1 for the unified L2: 1 MiB, 16-way, 64-byte lines (NumSets-1 = 1023). */
  CCSIDR_L2: (1023n << 13n) | (15n << 3n) | 2n,
  /** CNTFRQ_EL0 as firmware would program it: 1 GHz, what QEMU's virt board gives `-cpu max`. */
  CNTFRQ_EL0: 1_000_000_000n,
  /** OSLSR_EL1 at cold reset: OSLM = 0b10 (bit 3), OS lock locked (OSLK, bit 1). */
  OSLSR_EL1_RESET: 0xan,
  /** DBGAUTHSTATUS_EL1: non-secure invasive and non-invasive debug implemented and enabled (no Secure state). */
  DBGAUTHSTATUS_EL1: 0xfn,
  /** SCTLR_EL1 reset: the RES1 bits (29, 28, 23, 22, 20, 11) set, MMU and caches off. */
  SCTLR_EL1_RESET: 0x30d0_0800n,
  /** CNTHCTL_EL2 reset (architecturally UNKNOWN): EL1PCTEN and EL1PCEN set, so EL1 physical timer accesses do not trap. */
  CNTHCTL_EL2_RESET: 0x3n,
  /** CPTR_EL2 reset (architecturally UNKNOWN): its RES1 bits [13:12] and [9:0] (TSM and TZ among them: no SME, no SVE); TFP = 0. */
  CPTR_EL2_RESET: 0x33ffn,
} as const;

/** The instruction cache line IC IVAU maintains, in bytes, derived from CTR_EL0.IminLine (log2 of words). */
export const ICACHE_LINE_BYTES = 4 << Number(IMPL.CTR_EL0 & 0xfn);

/** DC ZVA block size in bytes, derived from DCZID_EL0.BS. */
export const DCZVA_BLOCK_BYTES = 4 << Number(IMPL.DCZID_EL0 & 0xfn);

const idField = (reg: bigint, lsb: number): number => Number((reg >> BigInt(lsb)) & 0xfn);

/** Architectural features the handlers test, derived from the ID registers above (never set independently). */
export const FEAT = {
  /** PSTATE.PAN, MSR PAN, MRS/MSR PAN. */
  PAN: idField(IMPL.ID_AA64MMFR1_EL1, 20) >= 1,
  /** AT S1E1RP/S1E1WP. */
  PAN2: idField(IMPL.ID_AA64MMFR1_EL1, 20) >= 2,
  /** PSTATE.UAO, MSR UAO, MRS/MSR UAO; LDTR/STTR at EL1 are privileged accesses while PSTATE.UAO = 1. */
  UAO: idField(IMPL.ID_AA64MMFR2_EL1, 4) >= 1,
  /** LDLAR/STLLR and LORSA/LOREA/LORN/LORC/LORID_EL1 (no LORegions implemented). */
  LOR: idField(IMPL.ID_AA64MMFR1_EL1, 16) >= 1,
  DIT: idField(IMPL.ID_AA64PFR0_EL1, 48) >= 1,
  /** PSTATE.SSBS and MSR SSBS, #imm. */
  SSBS: idField(IMPL.ID_AA64PFR1_EL1, 4) >= 1,
  /** MRS/MSR SSBS (register). */
  SSBS2: idField(IMPL.ID_AA64PFR1_EL1, 4) >= 2,
  /** EL0 MTE instructions and PSTATE.TCO, for the default level only: behaviour is gated by mteLevel(cpu). */
  MTE: idField(IMPL.ID_AA64PFR1_EL1, 8) >= 1,
  /** Full MTE: tag checks, GCR_EL1, RGSR_EL1, TFSR*_EL1, GMID_EL1, DC G*VA. */
  MTE2: idField(IMPL.ID_AA64PFR1_EL1, 8) >= 2,
  BTI: idField(IMPL.ID_AA64PFR1_EL1, 0) >= 1,
  SB: idField(IMPL.ID_AA64ISAR1_EL1, 36) >= 1,
  /** DC CVAP. */
  DPB: idField(IMPL.ID_AA64ISAR1_EL1, 0) >= 1,
  /** DC CVADP. */
  DPB2: idField(IMPL.ID_AA64ISAR1_EL1, 0) >= 2,
  /** CFINV, and with FlagM2 XAFLAG/AXFLAG. */
  FlagM: idField(IMPL.ID_AA64ISAR0_EL1, 52) >= 1,
  FlagM2: idField(IMPL.ID_AA64ISAR0_EL1, 52) >= 2,
  /** TLBI ...OS operations. */
  TLBIOS: idField(IMPL.ID_AA64ISAR0_EL1, 56) >= 1,
  /** BC.cond. */
  HBC: idField(IMPL.ID_AA64ISAR2_EL1, 20) >= 1,
  /** Pointer authentication (any algorithm). */
  PAuth:
    idField(IMPL.ID_AA64ISAR1_EL1, 4) + idField(IMPL.ID_AA64ISAR1_EL1, 8) + idField(IMPL.ID_AA64ISAR2_EL1, 12) !== 0,
} as const;
