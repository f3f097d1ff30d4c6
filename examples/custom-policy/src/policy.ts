/**
 * A user-defined page-upgrade policy, written only against kvm-core's public `PageUpgradePolicy` interface:
 * "audited upgrade" — tag-capable memory is upgraded as Linux does (tagged on first touch in an MTE VM), every
 * upgrade is logged, and device memory (a framebuffer, a PCI BAR) is refused outright with EPERM at memslot time
 * instead of Linux's EINVAL, so a VMM can tell "the policy forbids it" from "the request is malformed".
 */
import { Decision, KvmError, type PageUpgradePolicy, type Stage2Decision } from '@kvm-mte/kvm-core';

export interface UpgradeLogEntry {
  ipa: number;
  slot: number;
  decision: Stage2Decision['kind'];
  /** Whether the page already carried tags (a swap-in or COPY_TAGS kept them). */
  wasTagged: boolean;
}

export function auditedUpgrade(log: UpgradeLogEntry[] = []): PageUpgradePolicy & { readonly log: UpgradeLogEntry[] } {
  return {
    name: 'auditedUpgrade',
    log,
    onMemslot({ mapping, slot }) {
      if (!mapping.tagCapable) throw new KvmError('EPERM', `memslot ${slot.slot}: auditedUpgrade does not allow device memory in any VM`);
    },
    onStage2Fault({ mte, ipa, slot, tagged }) {
      const d = mte ? Decision.tagged : Decision.untagged;
      log.push({ ipa, slot: slot.slot, decision: d.kind, wasTagged: tagged });
      return d;
    },
  };
}
