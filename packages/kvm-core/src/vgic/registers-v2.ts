/** GICv2 register offsets (IHI 0048B §4.1): distributor (4 KiB) and CPU interface (8 KiB), frame-relative. */

export const GICD_V2 = {
  CTLR: 0x000,
  TYPER: 0x004,
  IIDR: 0x008,
  IGROUPR: 0x080,
  ISENABLER: 0x100,
  ICENABLER: 0x180,
  ISPENDR: 0x200,
  ICPENDR: 0x280,
  ISACTIVER: 0x300,
  ICACTIVER: 0x380,
  IPRIORITYR: 0x400,
  ITARGETSR: 0x800,
  ICFGR: 0xc00,
  SGIR: 0xf00,
  CPENDSGIR: 0xf10,
  SPENDSGIR: 0xf20,
  /** ICPIDR2. */
  PIDR2: 0xfe8,
  IDREGS: 0xfd0,
} as const;
export const GICD_V2_FRAME_SIZE = 0x1000;

/** ICPIDR2: ArchRev 2 in [7:4], JEP106 bits [3:0] = 0xB. */
export const PIDR2_V2 = 0x2b;

export const GICC = {
  CTLR: 0x00,
  PMR: 0x04,
  BPR: 0x08,
  IAR: 0x0c,
  EOIR: 0x10,
  RPR: 0x14,
  HPPIR: 0x18,
  ABPR: 0x1c,
  AIAR: 0x20,
  AEOIR: 0x24,
  AHPPIR: 0x28,
  APR0: 0xd0,
  NSAPR0: 0xe0,
  IIDR: 0xfc,
  DIR: 0x1000,
} as const;
export const GICC_FRAME_SIZE = 0x2000;

/** GICC_CTLR bits KVM keeps (GICH_VMCR): EnableGrp0, EnableGrp1, AckCtl, FIQEn, CBPR, EOImode. */
export const GICC_CTLR = {
  ENABLE_GRP0: 1 << 0,
  ENABLE_GRP1: 1 << 1,
  ACK_CTL: 1 << 2,
  FIQ_EN: 1 << 3,
  CBPR: 1 << 4,
  EOI_MODE: 1 << 9,
} as const;

/** GICC_IIDR KVM reports: ProductID 0x4b [31:20], ArchVersion 2 [19:16], Implementer Arm [11:0]. */
export const GICC_IIDR_VALUE = ((0x4b << 20) | (2 << 16) | 0x43b) >>> 0;
