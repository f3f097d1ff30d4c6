// Snapshot round trips of a running two-vCPU guest with interrupts in flight: gic-smp (guests/machines.json) runs
// on vmm-lite under the deterministic clock, stops at points spread over its run (timers armed, SGIs and SPIs
// pending or active, CPU 1 powered on or off), is saved with saveSnapshot, restored into a fresh machine and run to
// the end. The output before the stop plus the output after the restore must be QEMU 10's recorded output, and a
// second restore of the same snapshot must run exactly as the first (same output, same instruction count). It need
// not take as many instructions as the run without a stop: the run loop's round-robin position and the vCPUs' idle
// set are scheduling, not machine state, so the two vCPUs' spin-waits interleave differently after a restore.
import { beforeAll, describe, expect, it } from 'vitest';
import { asText, guestMachine, loadRunVirt, MAX_INSTRUCTIONS, readExpected, readGuest } from './harness';

type VmmLite = typeof import('@kvm-mte/vmm-lite');
let vmm: VmmLite | null = null;
let problem = '';
beforeAll(async () => {
  const r = await loadRunVirt();
  if (r.runVirt) vmm = (await import('@kvm-mte/vmm-lite')) as VmmLite;
  else problem = r.reason;
});

const NAME = 'gic-smp';
const STOPS = 12;

describe(`${NAME}: snapshot and restore at ${STOPS} points of the run`, () => {
  it('prints the recorded output, and a second restore runs exactly as the first', async () => {
    if (!vmm) throw new Error(`vmm-lite cannot run guests: ${problem}`);
    const { VirtMachine, saveSnapshot, decodeSnapshot, restoreMachineOptions, restoreSnapshot } = vmm;
    const { GICR, KVM_DEV_ARM_VGIC_GRP_REDIST_REGS } = await import('@kvm-mte/kvm-core');
    /** SGIs and PPIs pending or active on any vCPU of `m` (the redistributors' ISPENDR0 | ISACTIVER0). */
    const inFlight = (m: InstanceType<typeof VirtMachine>) => m.vcpus.some((_, i) => [GICR.ISPENDR0, GICR.ISACTIVER0]
      .some((o) => m.gic!.getAttr({ group: KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, attr: (BigInt(i) << 32n) | BigInt(o) }) !== 0n));
    let stopsWithInterrupts = 0;
    const machine = guestMachine(NAME)!;
    const options = { memory: 256 << 20, mte: true, smp: machine.smp, gic: 'v3' as const, clock: 'deterministic' as const };
    const kernel = readGuest(NAME);
    const expected = asText(readExpected(NAME)!);

    const whole = new VirtMachine(options);
    whole.load({ kernel });
    const full = await whole.run({ maxInstructions: MAX_INSTRUCTIONS });
    expect(full.outcome).toBe('shutdown');
    expect(asText(full.serial)).toBe(expected);

    for (let k = 1; k <= STOPS; k++) {
      const stopAt = Math.floor((full.instructions * k) / (STOPS + 1)) + 7 * k;
      const a = new VirtMachine(options);
      a.load({ kernel });
      const first = await a.run({ maxInstructions: stopAt, detectLoops: false });
      expect(first.outcome, `stop ${k}`).toBe('instruction-limit');
      if (inFlight(a)) stopsWithInterrupts++;
      const file = saveSnapshot(a, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: '0'.repeat(64) } }).file;
      const snap = decodeSnapshot(file);
      const resume = async () => {
        const b = new VirtMachine({ ...restoreMachineOptions(snap), clock: 'deterministic' });
        restoreSnapshot(b, snap);
        return b.run({ maxInstructions: MAX_INSTRUCTIONS });
      };
      const rest = await resume();
      expect(rest.outcome, `stop ${k} at ${first.instructions}`).toBe('shutdown');
      expect(asText(first.serial) + asText(rest.serial), `stop ${k} at ${first.instructions}`).toBe(expected);
      const again = await resume();
      expect(asText(again.serial), `stop ${k}: second restore`).toBe(asText(rest.serial));
      expect(again.instructions, `stop ${k}: second restore`).toBe(rest.instructions);
    }
    expect(stopsWithInterrupts, 'stops at which an interrupt was pending or active').toBeGreaterThan(0);
  }, 300_000);
});
