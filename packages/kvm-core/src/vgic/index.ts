/**
 * The vGIC: KVM's in-kernel interrupt controller as a deterministic state machine. `VgicV3` (distributor,
 * redistributors, ICC_* system registers) and `VgicV2` (distributor, GICC frames), each with the guest's register
 * accesses, the user-space save/restore accessors of KVM's device attributes, interrupt lines in and IRQ/FIQ
 * outputs through callbacks; the GICv3's LPIs (its-lpis.ts) and ITS (its.ts). `Vm.createDevice` wires them to the VM
 * (../vgic-device.ts, ../vgic-its-device.ts, ../vgic-guest.ts).
 */
export { VgicModel, type Acknowledged, type VgicOptions } from './vgic-model.js';
export { VgicV3, type VgicV3Options } from './vgic-v3.js';
export { VgicV2 } from './vgic-v2.js';
export {
  ICC_CTLR, ICC_REGISTERS, ICC_SRE_VALUE, iccByEncoding, iccBySysregId, sysregId, type IccRegDef, type IccRegName,
} from './cpu-interface-v3.js';
export { GICD, GICD_FRAME_SIZE, GICR, GICR_FRAME_SIZE } from './registers-v3.js';
export { GICC, GICC_FRAME_SIZE, GICD_V2, GICD_V2_FRAME_SIZE } from './registers-v2.js';
export {
  INTID_SPURIOUS, INTID_SPURIOUS_GROUP1, MAX_NR_IRQS, MIN_NR_IRQS, PRIORITY_BITS, PRIORITY_MASK,
} from './constants.js';
export { IrqState } from './irq-state.js';
export { CpuInterfaceState } from './cpu-interface-state.js';
export { Its, type ItsCollection, type ItsDeviceEntry, type ItsHost, type ItsIte } from './its.js';
export { E_ITS, ITS_CMD } from './its-commands.js';
export { GITS, GITS_FRAME_SIZE, GITS_TYPER_VALUE } from './its-registers.js';
export { LpiIrq, Lpis } from './its-lpis.js';
export type { GuestMemory } from './its-guest-memory.js';
export { FIRST_LPI } from './constants.js';
