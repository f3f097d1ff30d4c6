/**
 * Page-upgrade policies: how a VM's guest memory becomes MTE memory. One interface, chosen per VM
 * (`vm.setPagePolicy(policy)` before any memslot, or `kvm.createVm(type, { pagePolicy })`), consulted at two points:
 *
 * - `onMemslot`: KVM_SET_USER_MEMORY_REGION (create, move or flag change; not delete). Throw a `KvmError` (EINVAL,
 *   as Linux does) to refuse the memslot; the VM is left unchanged.
 * - `onStage2Fault`: the lazy stage-2 fill, when a guest access reaches a memslot page that stage 2 does not map
 *   (not on the permission faults of dirty logging, which only re-enable writes). The decision says how to map it.
 *   It runs inside KVM_RUN (Vcpu.run): a policy that writes guest memory must say so with `vm.hostWrote` (as the
 *   vGIC's writes do), or translated code of those bytes would not be checked again until the next KVM_RUN.
 *
 * kvm-core applies a decision as follows:
 * - 'tagged': Normal write-back; the page's tags are sanitised if it was not tagged yet (zero tags, the sticky
 *   tagged flag set); tags already there (a PROT_MTE writer, COPY_TAGS, a swap-in) are kept. In a VM without MTE it
 *   is treated as 'untagged' (a non-MTE VM never tags anything). On memory that cannot hold tags (a 'device'
 *   mapping) the fault fails: `run()` throws EFAULT, as Linux before 6.2 did.
 * - 'untagged': Normal write-back, no tag handling.
 * - 'device': Device-nGnRE at stage 2 (what KVM does for VM_PFNMAP memory).
 * - 'no-tag-access': Normal write-back with FEAT_MTE_PERM's NoTagAccess attribute: any guest tag access to the page
 *   is a stage-2 permission fault with ISS2.TagAccess, which `run()` reports as an 'arm-tag-access' exit.
 * - 'refuse': `run()` throws a KvmError with the given errno (the vCPU stays on the access and usable).
 */
import type { ErrnoName } from './errors.js';
import { fail } from './errors.js';
import type { HostMapping } from './host-memory.js';
import type { Memslot, Vm } from './kvm.js';

/** What KVM_SET_USER_MEMORY_REGION is about to install. */
export interface MemslotRequest {
  readonly slot: number;
  readonly flags: number;
  readonly guestPhysAddr: number;
  readonly memorySize: number;
  readonly mappingOffset: number;
}

export interface MemslotContext {
  readonly vm: Vm;
  readonly slot: MemslotRequest;
  readonly mapping: HostMapping;
  /** Whether the VM has MTE (KVM_CAP_ARM_MTE or KVM_ARM_VCPU_MTE) at this point. */
  readonly mte: boolean;
}

export interface Stage2FaultContext {
  readonly vm: Vm;
  readonly slot: Memslot;
  readonly mapping: HostMapping;
  /** The faulting IPA, page aligned. */
  readonly ipa: number;
  /** The page's offset in `mapping`. */
  readonly offset: number;
  /** Whether the page is already tagged (its tags are kept whatever the decision). */
  readonly tagged: boolean;
  readonly write: boolean;
  readonly mte: boolean;
}

export type Stage2Decision =
  | { readonly kind: 'tagged' }
  | { readonly kind: 'untagged' }
  | { readonly kind: 'device' }
  | { readonly kind: 'no-tag-access' }
  | { readonly kind: 'refuse'; readonly errno: ErrnoName; readonly message?: string };

export interface PageUpgradePolicy {
  /** What messages print. kvm-core's own policies use the kebab-case names vmm-lite's `--policy` takes. */
  readonly name: string;
  /** Accept (return) or refuse (throw a KvmError) a memslot. */
  onMemslot(ctx: MemslotContext): void;
  onStage2Fault(ctx: Stage2FaultContext): Stage2Decision;
}

/** Decision constants and a constructor for refusals. */
export const Decision = {
  tagged: { kind: 'tagged' } as Stage2Decision,
  untagged: { kind: 'untagged' } as Stage2Decision,
  device: { kind: 'device' } as Stage2Decision,
  noTagAccess: { kind: 'no-tag-access' } as Stage2Decision,
  refuse: (errno: ErrnoName, message?: string): Stage2Decision =>
    message === undefined ? { kind: 'refuse', errno } : { kind: 'refuse', errno, message },
} as const;

/** RAM that can hold tags is tagged in MTE VMs; device memory is mapped as Device. The common fault rule. */
function defaultFault(ctx: Stage2FaultContext): Stage2Decision {
  if (!ctx.mapping.tagCapable) return Decision.device;
  return ctx.mte ? Decision.tagged : Decision.untagged;
}

/**
 * The 2020 RFC: any memory is accepted; the first stage-2 fault of a tag-capable page tags and sanitises it; the
 * VMM needs no PROT_MTE (so without it, a VMM reading tags for save/restore reads zeros — the RFC's catch).
 * Device memory is mapped as Device, untagged.
 */
export const transparentUpgrade: PageUpgradePolicy = {
  name: 'transparent-upgrade',
  onMemslot() {},
  onStage2Fault: defaultFault,
};

/**
 * The RFC's alternative: every memslot of an MTE VM must come from a PROT_MTE mapping (EINVAL otherwise), so the
 * VMM can always read the guest's tags. A device mapping can never be PROT_MTE, so device memory is refused too.
 * If MTE is enabled after the memslots were created, a fault on a non-PROT_MTE page fails with EFAULT.
 */
export const enforceProtMte: PageUpgradePolicy = {
  name: 'enforce-prot-mte',
  onMemslot({ mte, mapping, slot }) {
    if (mte && !mapping.protMte) fail('EINVAL', `memslot ${slot.slot}: an MTE VM under enforce-prot-mte needs a PROT_MTE mapping`);
  },
  onStage2Fault(ctx) {
    if (ctx.mte && !ctx.mapping.protMte) return Decision.refuse('EFAULT', 'guest memory of an MTE VM is not PROT_MTE');
    return defaultFault(ctx);
  },
};

/**
 * What Linux ships (5.14+, memslot check since 6.2): no PROT_MTE needed, but in an MTE VM the backing must be
 * tag-capable (VM_MTE_ALLOWED: anonymous, shared/memfd); a device mapping is EINVAL at memslot creation (EFAULT at
 * fault time if MTE was enabled after the memslot existed). The first fault tags and sanitises. The default policy.
 */
export const mteAllowed: PageUpgradePolicy = {
  name: 'mte-allowed',
  onMemslot({ mte, mapping, slot }) {
    if (mte && !mapping.tagCapable) fail('EINVAL', `memslot ${slot.slot}: an MTE VM needs tag-capable memory (not a device mapping)`);
  },
  onStage2Fault(ctx) {
    if (ctx.mte && !ctx.mapping.tagCapable) return Decision.refuse('EFAULT', 'memory that cannot hold tags in an MTE VM');
    return defaultFault(ctx);
  },
};

/**
 * FEAT_MTE_PERM: any memory is accepted; tag-capable RAM is tagged as under mteAllowed; memory that cannot hold
 * tags (a device mapping: a framebuffer, a PCI BAR) is mapped as Normal write-back with the NoTagAccess stage-2
 * attribute in MTE VMs, so guest data accesses work and a guest tag access exits to the VMM ('arm-tag-access').
 * Without MTE, device memory is mapped as Device.
 */
export const noTagAccess: PageUpgradePolicy = {
  name: 'no-tag-access',
  onMemslot() {},
  onStage2Fault(ctx) {
    if (ctx.mte && !ctx.mapping.tagCapable) return Decision.noTagAccess;
    return defaultFault(ctx);
  },
};

/** The policies kvm-core ships, by identifier (each one's `name` is the kebab-case form: `transparent-upgrade`, ...). */
export const PagePolicies = { transparentUpgrade, enforceProtMte, mteAllowed, noTagAccess } as const;
