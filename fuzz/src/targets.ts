/**
 * Memory targets for generated loads and stores: the sandbox (most of the time), or deliberately out of range, and
 * the set-up words that put a base address in a register.
 */
import * as A from './a64.js';
import { RAM_END, SANDBOX, SANDBOX_SIZE } from './harness.js';
import type { Prng } from './prng.js';

/**
 * Set while a sequence is generated: `mte` in MTE mode (memItem tags the base register); `maxCpu` in the modes run on
 * QEMU `-cpu max` (MTE and FP: `target` keeps to the sandbox and past the end of RAM, aligned, since `max` has
 * FEAT_LSE2).
 */
export const genState = { mte: false, maxCpu: false };

export interface Target {
  addr: bigint;
}

/**
 * An address for an access of `span` bytes: inside the sandbox (whole access inside it), or just past the end of RAM
 * (nothing there: synchronous External abort with the MMU off, translation fault with it on), or in the hole at
 * 0x0B00_0000 of the virt board (Device memory, External abort). `align` is the natural alignment; 70% of the
 * sandbox and past-RAM addresses respect it.
 *
 * Addresses in the 0x0B00_0000 hole are always aligned: an unaligned access to Device memory must take an Alignment
 * fault, which the pseudocode (AArch64.S1HasAlignmentFault before the permission check) ranks above a Permission
 * fault (LDTR/STTR there) and which comes before the External abort of the access. QEMU 10 with the MMU on checks
 * neither (see guests/README.md) and reports the Permission fault or the External abort instead.
 * `opts.aligned` forces an aligned address; `opts.noDevice` keeps out of the Device hole.
 */
export function target(r: Prng, span: number, align: number,
  opts: { aligned?: boolean; noDevice?: boolean; mte?: boolean; mayMisalign?: boolean } = {}): Target {
  // MTE and FP modes (`-cpu max`): the sandbox or past the end of RAM only, aligned. Not the Device hole or the far
  // addresses: with TBI0 on, 0xff00_0000_0000_0000 + x is address x (flash, Device memory); and `-cpu max` has
  // FEAT_LSE2. `opts.mayMisalign` (SIMD&FP loads and stores, which LSE2 does not change) lets 30% be unaligned.
  const mte = opts.mte ?? genState.maxCpu;
  const where = mte ? r.weighted([[85, 0], [15, 1]] as const) : r.weighted([[85, 0], [10, 1], [opts.noDevice ? 0 : 5, 2], [3, 3]] as const);
  const aligned = opts.aligned || (mte && !opts.mayMisalign) || where >= 2 || r.chance(0.7);
  const pickIn = (lo: number, size: number): number => {
    let off = r.below(Math.max(1, size - span + 1));
    if (aligned) off -= off % align;
    // MTE mode: a pair inside one 16-byte granule (aligned to its whole size), so a tag check fault never comes after
    // part of it was done (memory and registers are UNKNOWN after a partially faulting access).
    if (mte && aligned && span <= 16) off -= off % span;
    return lo + off;
  };
  if (where === 0) return { addr: BigInt(pickIn(SANDBOX, SANDBOX_SIZE)) };
  if (where === 1) return { addr: BigInt(pickIn(RAM_END, 0x1000)) };
  if (where === 2) return { addr: BigInt(pickIn(0x0b00_0000, 0x1000)) };
  // Beyond the 48-bit physical address range (MMU off: Address size fault) and the 39-bit VA range (MMU on:
  // Translation fault at level 0, or through TTBR1 with EPD1 = 1). Aligned, for the same priority reason as Device
  // memory. Not 2^39 itself: with the MMU off that is QEMU virt's high PCIe MMIO window (reads all ones), which
  // vmm-lite does not model.
  return { addr: r.pick([1n << 48n, 1n << 52n, 0xffff_ff80_0000_0000n, 0xff00_0000_0000_0000n]) + BigInt(pickIn(0, 0x1000)) };
}

/** Set-up words that put `value` in base register n (31 = SP, through a scratch register that is not in `avoid`). */
export function setBase(r: Prng, n: number, value: bigint, avoid: number[]): number[] {
  if (n !== 31) return A.mov64(n, value);
  let tmp: number;
  do tmp = r.below(31);
  while (avoid.includes(tmp));
  return [...A.mov64(tmp, value), A.addImm(31, tmp, 0)];
}