/**
 * GICv3 register offsets (IHI 0069 §12.8 distributor, §12.10-12.11 redistributor): frame-relative byte offsets.
 * The redistributor's SGI_base frame follows RD_base, so its offsets here include the 64 KiB step.
 */

/** The distributor frame (64 KiB). */
export const GICD = {
  CTLR: 0x0000,
  TYPER: 0x0004,
  IIDR: 0x0008,
  TYPER2: 0x000c,
  STATUSR: 0x0010,
  SETSPI_NSR: 0x0040,
  CLRSPI_NSR: 0x0048,
  IGROUPR: 0x0080,
  ISENABLER: 0x0100,
  ICENABLER: 0x0180,
  ISPENDR: 0x0200,
  ICPENDR: 0x0280,
  ISACTIVER: 0x0300,
  ICACTIVER: 0x0380,
  IPRIORITYR: 0x0400,
  ITARGETSR: 0x0800,
  ICFGR: 0x0c00,
  IGRPMODR: 0x0d00,
  NSACR: 0x0e00,
  SGIR: 0x0f00,
  CPENDSGIR: 0x0f10,
  SPENDSGIR: 0x0f20,
  IROUTER: 0x6000,
  PIDR2: 0xffe8,
  /** The identification registers (PIDR4..CIDR3), 0xFFD0..0xFFFC. */
  IDREGS: 0xffd0,
} as const;
export const GICD_FRAME_SIZE = 0x10000;

/** GICD_CTLR bits with GICD_CTLR.DS = 1. */
export const GICD_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICD_CTLR_ENABLE_GRP1 = 1 << 1;
export const GICD_CTLR_ARE = 1 << 4;
export const GICD_CTLR_DS = 1 << 6;
export const GICD_CTLR_RWP = 1 << 31;

/** The redistributor: RD_base then SGI_base, 64 KiB each. */
export const GICR = {
  CTLR: 0x0000,
  IIDR: 0x0004,
  TYPER: 0x0008,
  STATUSR: 0x0010,
  WAKER: 0x0014,
  PROPBASER: 0x0070,
  PENDBASER: 0x0078,
  INVLPIR: 0x00a0,
  INVALLR: 0x00b0,
  SYNCR: 0x00c0,
  PIDR2: 0xffe8,
  IDREGS: 0xffd0,
  SGI_BASE: 0x10000,
  IGROUPR0: 0x10080,
  ISENABLER0: 0x10100,
  ICENABLER0: 0x10180,
  ISPENDR0: 0x10200,
  ICPENDR0: 0x10280,
  ISACTIVER0: 0x10300,
  ICACTIVER0: 0x10380,
  IPRIORITYR0: 0x10400,
  ICFGR0: 0x10c00,
  ICFGR1: 0x10c04,
  IGRPMODR0: 0x10d00,
  NSACR: 0x10e00,
} as const;
export const GICR_FRAME_SIZE = 0x20000;

/** GICR_CTLR: CES (bit 1, EnableLPIs may be cleared) and IR (bit 2), which KVM's revision 3 reports. */
export const GICR_CTLR_CES = 1 << 1;
export const GICR_CTLR_IR = 1 << 2;
/** GICR_WAKER.ProcessorSleep (bit 1) and ChildrenAsleep (bit 2). */
export const GICR_WAKER_PROCESSOR_SLEEP = 1 << 1;
export const GICR_WAKER_CHILDREN_ASLEEP = 1 << 2;
/** GICR_TYPER.Last (bit 4). */
export const GICR_TYPER_LAST = 1 << 4;

/** GICD_PIDR2 / GICR_PIDR2: ArchRev 3 in [7:4], JEP106 bits [3:0] = 0xB (KVM's 0x3b). */
export const PIDR2_V3 = 0x3b;
