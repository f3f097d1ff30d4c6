import { describe, expect, it } from 'vitest';
import { CoreReg, KVM_REG_ARM_TIMER_CNT, KVM_REG_ARM_TIMER_CVAL } from '@kvm-mte/kvm-core';
import { VirtMachine, type VirtMachineOptions } from './machine.js';
import { decodeSnapshot, restoreMachineOptions, restoreSnapshot, saveSnapshot } from './snapshot.js';
import { sha256Hex } from './snapshot-format.js';
import { A64 } from './testing/a64.js';
import { findNode, parseFdt, propCells, propStrings } from './testing/fdt-reader.js';
import { buildVirtDeviceTree } from './virt-dt.js';

const MEM = 16 * 2 ** 20;
const CNTVCT = [3, 3, 14, 0, 2];
const CNTV_TVAL = [3, 3, 14, 3, 0];
const CNTV_CTL = [3, 3, 14, 3, 1];
const ICC_PMR = [3, 0, 4, 6, 0];
const ICC_IAR1 = [3, 0, 12, 12, 0];
const ICC_EOIR1 = [3, 0, 12, 12, 1];
const ICC_IGRPEN1 = [3, 0, 12, 12, 7];
const VBAR_EL1 = [3, 0, 12, 0, 0];
const UNMASK_IRQ = 0xd50342ff;
const ERET = 0xd69f03e0;
/** CBZ Xt, by `words` instructions. */
const cbz = (t: number, words: number) => (0xb4000000 | ((words & 0x7ffff) << 5) | t) >>> 0;
/** Where the vector table lies in the image (VBAR_EL1 needs 2 KiB alignment; the image is at RAM + 0x80000). */
const VECTORS = 0x800;

/**
 * A raw kernel: the vGICv3 on with PPI 27 enabled, IRQs unmasked, the virtual timer armed `tval` ticks ahead; then
 * it waits for the IRQ handler's count in x11, in WFI or spinning (counting x20); then prints 'T' and powers off.
 * The handler reads CNTVCT into x14, acknowledges, disables the timer, ends the interrupt, counts.
 */
function timerKernel(tval: number, wait: 'wfi' | 'spin', enablePpi = true): Uint8Array {
  const code = [
    A64.adr(0, VECTORS), A64.msr(VBAR_EL1, 0),
    ...A64.mov64(1, 0x0800_0000), A64.movz(2, 0x12), A64.strw(2, 1), // GICD_CTLR: ARE, EnableGrp1
    ...A64.mov64(5, 0x080a_0000 + 0x1_0100), ...A64.mov64(6, 1 << 27), enablePpi ? A64.strw(6, 5) : A64.nop(), // GICR_ISENABLER0: PPI 27
    A64.movz(3, 0xff), A64.msr(ICC_PMR, 3), A64.movz(3, 1), A64.msr(ICC_IGRPEN1, 3), UNMASK_IRQ,
    ...A64.mov64(9, tval), A64.msr(CNTV_TVAL, 9), A64.movz(3, 1), A64.msr(CNTV_CTL, 3),
    ...(wait === 'wfi' ? [A64.wfi(), cbz(11, -1)] : [A64.addi(20, 20, 1), cbz(11, -1)]),
    ...A64.mov64(1, 0x0900_0000), A64.movz(2, 0x54), A64.strw(2, 1), // 'T' on the PL011
    ...A64.mov64(0, 0x8400_0008), A64.hvc(), // PSCI SYSTEM_OFF
  ];
  const handler = [A64.mrs(14, CNTVCT), A64.mrs(10, ICC_IAR1), A64.msr(CNTV_CTL, 31), A64.msr(ICC_EOIR1, 10), A64.addi(11, 11, 1), ERET];
  const image = new Uint8Array(VECTORS + 0x800);
  const v = new DataView(image.buffer);
  for (let off = 0; off < 0x800; off += 0x80) v.setUint32(VECTORS + off, A64.self(), true);
  code.forEach((w, i) => v.setUint32(4 * i, w, true));
  handler.forEach((w, i) => v.setUint32(VECTORS + 0x280 + 4 * i, w, true));
  return image;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const x = (m: VirtMachine, n: number) => m.vcpus[0]!.getOneReg(CoreReg.x(n));

function machine(kernel: Uint8Array, options: VirtMachineOptions = {}): VirtMachine {
  const m = new VirtMachine({ memory: MEM, mte: false, ...options });
  m.load({ kernel });
  return m;
}

describe('the generic timer node in the device tree (as QEMU 10 virt has it)', () => {
  const timerNode = (gic: 'v2' | 'v3', cpus: number) => {
    const dt = parseFdt(buildVirtDeviceTree({ ramBase: 0x4000_0000, ramSize: MEM, cpuMpidrs: [...Array(cpus).keys()], gic }));
    return findNode(dt.root, '/timer')!;
  };

  it('lists the secure, non-secure physical, virtual and hypervisor PPIs, level-high, always-on', () => {
    const t = timerNode('v3', 2);
    expect(propStrings(t.props.get('compatible'))).toEqual(['arm,armv8-timer', 'arm,armv7-timer']);
    expect(propCells(t.props.get('interrupts'))).toEqual([1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]);
    expect(t.props.get('always-on')).toHaveLength(0);
  });

  it('with a GICv2 the flags name the CPUs (bits [15:8]), as QEMU gives them (0x104 for one CPU, 0x704 for three)', () => {
    expect(propCells(timerNode('v2', 1).props.get('interrupts'))).toEqual([1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104]);
    expect(propCells(timerNode('v2', 3).props.get('interrupts'))).toEqual([1, 13, 0x704, 1, 14, 0x704, 1, 11, 0x704, 1, 10, 0x704]);
  });
});

describe('the run loop waits for a timer when every vCPU is idle', () => {
  it('host clock: a guest waiting in WFI for a 3 ms timer is woken, not reported stalled', async () => {
    const m = machine(timerKernel(3_000_000, 'wfi'));
    expect(m.vm.clock.mode).toBe('host');
    const t0 = performance.now();
    const r = await m.run();
    expect(r.outcome).toBe('shutdown');
    expect(text(r.serial)).toBe('T');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(2);
    expect(x(m, 14)).toBeGreaterThanOrEqual(m.vcpus[0]!.getOneReg(KVM_REG_ARM_TIMER_CVAL));
  });

  it('deterministic clock: the clock jumps to the deadline, so the handler reads CVAL exactly, run after run', async () => {
    const once = async () => {
      const m = machine(timerKernel(10_000_000, 'wfi'), { clock: 'deterministic' });
      const r = await m.run();
      expect(r.outcome).toBe('shutdown');
      return { serial: text(r.serial), instructions: r.instructions, x14: x(m, 14), cval: m.vcpus[0]!.getOneReg(KVM_REG_ARM_TIMER_CVAL), now: m.vm.clock.now() };
    };
    const a = await once();
    expect(a.serial).toBe('T');
    expect(a.x14).toBe(a.cval);
    expect(a.now).toBeGreaterThanOrEqual(10_000_000n); // the jump: far more than 8 ns x the instructions retired
    expect(a.instructions).toBeLessThan(200);
    expect(await once()).toEqual(a);
  });
});

describe('a snapshot round trip with the timer armed', () => {
  it('deterministic clock: the restored guest takes the IRQ at the same instruction and count as a straight run', async () => {
    const kernel = timerKernel(100_000, 'spin');
    const straight = machine(kernel, { clock: 'deterministic' });
    expect((await straight.run()).outcome).toBe('shutdown');
    const want = { x14: x(straight, 14), x20: x(straight, 20), cval: straight.vcpus[0]!.getOneReg(KVM_REG_ARM_TIMER_CVAL) };
    expect(want.x14).toBe(want.cval);
    expect(want.x20).toBeGreaterThan(10_000n / 2n); // spun for the 12,500 instructions of 100,000 ticks

    const first = machine(kernel, { clock: 'deterministic' });
    expect((await first.run({ maxInstructions: 5000 })).outcome).toBe('instruction-limit');
    expect(first.vcpus[0]!.timerDeadline()).toBe(want.cval); // armed, not yet fired
    const { file } = saveSnapshot(first, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: sha256Hex(kernel) } });
    const snap = decodeSnapshot(file);
    const restored = new VirtMachine({ ...restoreMachineOptions(snap), clock: 'deterministic' });
    restoreSnapshot(restored, snap);
    expect(restored.vcpus[0]!.getOneReg(KVM_REG_ARM_TIMER_CVAL)).toBe(want.cval);
    expect(restored.vcpus[0]!.timerDeadline()! - restored.vm.clock.now()).toBe(want.cval - 8n * 5000n); // the count went on
    expect((await restored.run()).outcome).toBe('shutdown');
    expect({ x14: x(restored, 14), x20: x(restored, 20), cval: want.cval }).toEqual(want);
    expect(text(restored.serialOutput())).toBe('T');
  });

  it('host clock: the restored virtual count goes on from the saved one (no jump back to 0)', async () => {
    const first = machine(timerKernel(1_000_000_000, 'spin'));
    first.vcpus[0]!.setOneReg(KVM_REG_ARM_TIMER_CNT, 1n << 50n); // a VM that has been up for 13 days
    await first.run({ maxInstructions: 5000 });
    const { file } = saveSnapshot(first, { config: { policy: 'mte-allowed', memBackend: 'anonymous', protMte: false, kernelSha256: '0'.repeat(64) } });
    const snap = decodeSnapshot(file);
    const saved = snap.vcpus[0]!.regs.find(([id]) => id === KVM_REG_ARM_TIMER_CNT)![1];
    expect(saved).toBeGreaterThan(1n << 50n);
    const restored = new VirtMachine(restoreMachineOptions(snap));
    restoreSnapshot(restored, snap);
    const now = restored.vcpus[0]!.getOneReg(KVM_REG_ARM_TIMER_CNT);
    expect(now).toBeGreaterThanOrEqual(saved);
    expect(now - saved).toBeLessThan(1_000_000_000n); // less than a second of host time since
    // The deadline in the new machine's clock: CVAL less the virtual count, from now.
    expect(restored.vcpus[0]!.timerDeadline()).toBe(BigInt.asUintN(64, first.vcpus[0]!.getOneReg(KVM_REG_ARM_TIMER_CVAL) + restored.vm.timers.voffset));
  });
});

describe('a timer that fires without waking its vCPU', () => {
  it('is no event to wait for: a guest in WFI with the timer\'s PPI disabled at the GIC is stalled, not spun on', async () => {
    const m = machine(timerKernel(1000, 'wfi', false), { clock: 'deterministic' });
    const v = m.vcpus[0]!;
    const r = await m.run({ maxInstructions: 1_000_000 });
    expect(r.outcome).toBe('stalled');
    expect(v.timerDeadline()! <= m.vm.clock.now()).toBe(true);
  });
});
