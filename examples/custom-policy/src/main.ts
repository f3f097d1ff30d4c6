import { runCustomPolicyExample } from './example.js';

const r = await runCustomPolicyExample();
process.stdout.write(r.serial);
process.stdout.write(`\nguest outcome: ${r.outcome}\nauditedUpgrade logged ${r.upgrades} stage-2 upgrades (${r.taggedUpgrades} tagged), first:\n`);
for (const l of r.firstUpgrades) process.stdout.write(`  ${l}\n`);
process.stdout.write(`a device framebuffer memslot under auditedUpgrade: ${r.framebufferError ?? 'accepted'}\n`);
