/**
 * Every implementation-defined choice of the modelled CPU, in one place: identification registers, cache and block
 * geometry, reset values. The profile: ARMv8.5-A, AArch64 only at EL0 and EL1, 4 KiB/16 KiB/64 KiB granules,
 * 48-bit physical addresses, no FP/AdvSIMD yet, no SVE, no SME, no pointer authentication.
 */
export const IMPL = {
  /** Implementer 0x41 (Arm), variant 0, architecture 0xF (ID registers), part 0xD0F (not a real core), rev 0. */
  MIDR_EL1: 0x410f_d0f0n,
  /** EL0 and EL1 AArch64 only (bits [3:0] = 1, [7:4] = 1); EL2 = 1 (present, used by the hypervisor); no EL3. FP and AdvSIMD not implemented (0xF). */
  ID_AA64PFR0_EL1: 0x0000_0000_00ff_0111n,
  /** MTE field [11:8] is set by the MTE issue; everything else 0. */
  ID_AA64PFR1_EL1: 0n,
  ID_AA64DFR0_EL1: 0x0000_0000_0000_0006n,
  /** ISAR0: CRC32 [19:16] = 1, atomics (LSE) [23:20] = 2. */
  ID_AA64ISAR0_EL1: 0x0000_0000_0021_0000n,
  ID_AA64ISAR1_EL1: 0n,
  /** MMFR0: PARange 48 bits (5), ASIDBits 16 (2), 16 KiB granule supported (TGran16 = 1), 64 KiB and 4 KiB supported (0). */
  ID_AA64MMFR0_EL1: 0x0000_0000_0010_0025n,
  /** MMFR1: PAN = 1 [23:20]. */
  ID_AA64MMFR1_EL1: 0x0000_0000_0010_0000n,
  ID_AA64MMFR2_EL1: 0n,
  /** CTR_EL0: DminLine = IminLine = 4 (64-byte lines), L1Ip = PIPT (3), IDC=0, DIC=0. */
  CTR_EL0: 0x8444_c004n,
  /** DCZID_EL0: BS = 4 (64 bytes), DZP = 0. Matches QEMU -cpu max. */
  DCZID_EL0: 0x4n,
  /** GMID_EL1: BS = 6 (256-byte LDGM/STGM block), as QEMU. */
  GMID_EL1: 0x6n,
  /** SCTLR_EL1 reset: the RES1 bits (29, 28, 23, 22, 20, 11) set, MMU and caches off. */
  SCTLR_EL1_RESET: 0x30d0_0800n,
} as const;

/** DC ZVA block size in bytes, derived from DCZID_EL0.BS. */
export const DCZVA_BLOCK_BYTES = 4 << Number(IMPL.DCZID_EL0 & 0xfn);
