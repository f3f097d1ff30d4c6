/**
 * Constants of the vGIC model: the identification values KVM reports, the interrupt-ID ranges and the priority
 * implementation (5 bits, as KVM's VGIC_PRI_BITS). Plain values only; no state.
 */

/** SGIs are INTIDs 0-15, PPIs 16-31 (both banked per vCPU), SPIs from 32. */
export const NR_SGIS = 16;
export const NR_PRIVATE_IRQS = 32;
/** The first SPI. */
export const FIRST_SPI = 32;
/** INTID 1023: no interrupt to acknowledge (spurious). */
export const INTID_SPURIOUS = 1023;
/** INTID 1022: GICv2's answer when the highest priority pending interrupt is Group 1 and GICC_CTLR.AckCtl is 0. */
export const INTID_SPURIOUS_GROUP1 = 1022;

/** Implemented priority bits: KVM's VGIC_PRI_BITS. Priority bits [2:0] read as zero and ignore writes. */
export const PRIORITY_BITS = 5;
/** The bits of an 8-bit priority field that hold state (0xf8). */
export const PRIORITY_MASK = (0xff << (8 - PRIORITY_BITS)) & 0xff;
/** The lowest binary point value of Group 0 (ICC_BPR0_EL1, GICC_BPR) with 5 priority bits: group priority [7:3]. */
export const MIN_BPR0 = 7 - PRIORITY_BITS;
/** The lowest binary point value of Group 1 (ICC_BPR1_EL1, GICC_ABPR): one more than Group 0's. */
export const MIN_BPR1 = MIN_BPR0 + 1;
/** A running priority above every real one: no interrupt is active. Read back as 0xff. */
export const IDLE_PRIORITY = 0x100;

/** JEP106 code of Arm in the GIC's IIDR layout (GICD_IIDR.Implementer). */
export const IMPLEMENTER_ARM = 0x43b;
/** KVM's ProductID in GICD_IIDR / GICR_IIDR ('K'). */
export const PRODUCT_ID_KVM = 0x4b;
/** GICD_IIDR.Revision KVM reports for a GICv3 (3: GICR_CTLR.{IR,CES} implemented). */
export const V3_IMPLEMENTATION_REV = 3;
/** GICD_IIDR.Revision KVM reports for a GICv2 (2: interrupt groups are guest-configurable). */
export const V2_IMPLEMENTATION_REV = 2;

/** GICD_IIDR and GICR_IIDR layout: ProductID [31:24], Revision [15:12], Implementer [11:0]. */
export function iidr(revision: number): number {
  return ((PRODUCT_ID_KVM << 24) | ((revision & 0xf) << 12) | IMPLEMENTER_ARM) >>> 0;
}

/** Limits on the number of interrupts a vGIC is created with (KVM_DEV_ARM_VGIC_GRP_NR_IRQS). */
export const MIN_NR_IRQS = 64;
export const MAX_NR_IRQS = 1024;
/** A GICv2 has at most 8 CPU interfaces (ITARGETSR and GICD_SGIR hold 8-bit CPU masks). */
export const V2_MAX_VCPUS = 8;
/** A GICv3 model here: KVM's limit of vCPUs per VM (KVM_CAP_MAX_VCPUS). */
export const V3_MAX_VCPUS = 512;

/** The first LPI (IHI 0069 §1.2.1): INTIDs 8192 and up, delivered through the redistributors and an ITS. */
export const FIRST_LPI = 8192;
/** INTID bits with an ITS (KVM's INTERRUPT_ID_BITS_ITS): LPIs 8192..65535. */
export const LPI_ID_BITS = 16;
