/** The example: run guests/bin/tagsum.elf under the custom policy, then try to add a device framebuffer. */
import { readFileSync } from 'node:fs';
import { FramebufferRefusedError, VirtMachine } from '@kvm-mte/vmm-lite';
import { auditedUpgrade } from './policy.js';

export interface CustomPolicyResult {
  serial: string;
  outcome: string;
  upgrades: number;
  taggedUpgrades: number;
  firstUpgrades: string[];
  framebufferError: string | undefined;
}

export async function runCustomPolicyExample(): Promise<CustomPolicyResult> {
  const policy = auditedUpgrade();
  const m = new VirtMachine({ memory: 64 << 20, pagePolicy: policy });
  m.load({ kernel: new Uint8Array(readFileSync(new URL('../../../guests/bin/tagsum.elf', import.meta.url))) });
  const r = await m.run({ maxInstructions: 50_000_000 });

  let framebufferError: string | undefined;
  try {
    new VirtMachine({ memory: 64 << 20, pagePolicy: auditedUpgrade(), framebuffer: { width: 64, height: 48 } });
  } catch (e) {
    if (!(e instanceof FramebufferRefusedError)) throw e;
    framebufferError = e.kvmError.code;
  }
  return {
    serial: new TextDecoder().decode(r.serial),
    outcome: r.outcome,
    upgrades: policy.log.length,
    taggedUpgrades: policy.log.filter((e) => e.decision === 'tagged').length,
    firstUpgrades: policy.log.slice(0, 3).map((e) => `slot ${e.slot} ipa 0x${e.ipa.toString(16)} → ${e.decision}`),
    framebufferError,
  };
}
