/**
 * The arena jump cache: per CPU, a table in the guest arena that translated code looks up itself when a block leaves
 * for a target outside its module (a direct exit to any page, a register branch to a block on another page outside
 * its candidates, or a dispatch branch's target on its own page), so that chains cross modules and pages without
 * returning to JavaScript. (Other register branch targets on the block's own page go through the run loop, which
 * learns from them what to compile together: block-emitter.ts exitIndirect.)
 *
 * An entry is keyed by the target PC (both halves), the TLB generation of the translation the run loop found the
 * target through (jit.ts JumpCache.entryGen: the same physical page is behind the PC while that generation is live,
 * that is equals the state block's TLB_GEN or TLB_GEN_GLOBAL word, which the MMU mirrors whenever its generations
 * change) and the block function's `mode` argument (EL, SPSel, the data TLB's permission class, whether tags are checked:
 * what the run loop computes per entry, block-emitter.ts blockMode), and holds the target block's BlockTable slot,
 * the arena offset of its validity word and its instruction count. Translated code takes an entry only when all
 * three keys match, the budget it has left covers the target's instructions, the IRQ line is low and the
 * target's validity word holds this run's epoch (arena.ts ARENA_RUN_EPOCH: the run loop entered and checked it in
 * this run; 0 once it died or was invalidated): everything the run loop checks before it enters a block, or that
 * forces it to leave one (block-emitter.ts exitDirect and exitIndirect emit the lookup).
 *
 * The run loop's tier fills an entry each time it enters a WebAssembly block (WasmTier.runWasm; an entry that already
 * names the block is left as it is). The cache is the tier's per CPU; every entry is cleared when the tier gives
 * BlockTable slots or validity words back (their numbers and offsets may then name another block), and a CPU's table
 * is freed when the CPU is released.
 */

/**
 * Entries of a CPU's arena jump cache (a power of two; 2 MiB of the arena per CPU). With 4,096, a minute of the MTE
 * selftests missed 0.36 M lookups of register branches to another page on an entry holding another PC; with 16,384,
 * a minute of their system call loop still left for the run loop 0.49 M times by direct exits whose entry held
 * another PC (the kernel's hot code spans megabytes, indexed by PC bits [17:2] now), 0.17 M with 65,536.
 */
export const AJC_ENTRIES = 65536;
/** Bytes of one entry. */
export const AJC_ENTRY_BYTES = 32;
/** Bytes of a CPU's arena jump cache. */
export const AJC_BYTES = AJC_ENTRIES * AJC_ENTRY_BYTES;

/**
 * Byte offsets within an entry. PC: the target PC (i64; -1 in an empty entry, which no target equals: targets are
 * aligned). GEN: the TLB generation. MODE: the `mode` argument. VALID: the arena offset of the target's validity
 * word. SLOT: its BlockTable slot. N: its instruction count.
 */
export const Ajc = { PC: 0, GEN: 8, MODE: 12, VALID: 16, SLOT: 20, N: 24 } as const;

/** The entry index of target PC whose low half is `pcLo` (bits [15:2]). */
export function ajcIndex(pcLo: number): number {
  return (pcLo >>> 2) & (AJC_ENTRIES - 1);
}
