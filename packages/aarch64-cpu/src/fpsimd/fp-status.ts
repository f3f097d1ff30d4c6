/**
 * FPCR and FPSR: the bits the model implements and the FPSR cumulative flags. MSR FPCR/FPSR and KVM's ONE_REG
 * writes store only the implemented bits (the rest are RES0 or belong to features the ID registers do not advertise).
 */

/** FPCR bits stored: AHP [26], DN [25], FZ [24], RMode [23:22], Stride [21:20], FZ16 [19], Len [18:16]. */
export const FPCR_IMPLEMENTED = 0x07ff_0000;
/** FPSR bits stored: NZCV [31:28] (AArch32's), QC [27], IDC [7], IXC, UFC, OFC, DZC, IOC [4:0]. */
export const FPSR_IMPLEMENTED = 0xf800_009f | 0;

/** FPSR cumulative flags (OR them into cpu.fpsr). */
export const FpFlag = {
  IOC: 1,
  DZC: 2,
  OFC: 4,
  UFC: 8,
  IXC: 16,
  IDC: 128,
  QC: 1 << 27,
} as const;

/** FPCR control fields. */
export const Fpcr = {
  AHP: 1 << 26,
  DN: 1 << 25,
  FZ: 1 << 24,
  RMODE_SHIFT: 22,
  FZ16: 1 << 19,
} as const;
