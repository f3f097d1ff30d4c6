/**
 * A block's fast program (spec/fast-ops.ts) from its words' recorded programs (spec/fast-sem.ts records one per
 * word, whatever its address): each instruction after an Insn, or a Call of the word's BigInt handler where the word
 * has no program, with what the block knows filled in.
 *
 * - Values the instruction's address gives (branch targets, ADR, ADRP, a BL's return address) are constants the
 *   recorder left as offsets (`FastProgram.pcPatches`): the address is added here.
 * - The block's last instruction's branch to a constant target (B, BL, B.cond, CBZ, TBZ) becomes BranchTaken or
 *   BranchIfTaken when the target is the block's fixed taken target: the next PC is the block's own BigInt for it
 *   (nothing made from the offset, and the run loop's exit compare finds the same value).
 * - A word whose program starts with its data abort syndrome gets InsnIss (one operation instead of two), and a word
 *   with an empty program (a hint or barrier that does nothing here) no operation at all unless it is the last.
 *
 * Why: less work an instruction (a Linux boot's fast programs went from 4.1 operations an instruction to 3.3, and
 * direct branches no longer make BigInts: docs/performance.md, twenty-first session), while building a block's
 * program stays cheap (a boot builds about 35,000: this only copies the words' programs and patches a few fields).
 */
import { add64Into, FastOp, halvesOf, relative, type FastFn } from './fast-ops.js';
import { PcPatch, type FastProgram } from './fast-sem.js';

/**
 * Fill in `p`'s address-dependent fields, copied to `ops` at `base` (where p.ops[0] would be), for its instruction at
 * `pc`; `taken`: the block's taken target when a branch of this word to it may become BranchTaken.
 */
function patch(ops: Int32Array, base: number, p: FastProgram, pc: bigint, taken: bigint | undefined): void {
  const [lo, hi] = halvesOf(pc);
  const pp = p.pcPatches;
  for (let j = 0; j < pp.length; j += 2) {
    const at = base + pp[j]!;
    switch (pp[j + 1] as PcPatch) {
      case PcPatch.Pc:
        add64Into(ops, at + 2, at + 2, lo, hi);
        break;
      case PcPatch.Page:
        add64Into(ops, at + 2, at + 2, lo & ~0xfff, hi);
        break;
      case PcPatch.Branch: {
        const rel = ops[at] === FastOp.BranchRel;
        const f = rel ? at + 1 : at + 2; // the offset's fields
        if (taken !== undefined && relative(pc, ops[f]!, ops[f + 1]!) === taken) {
          ops[at] = rel ? FastOp.BranchTaken : FastOp.BranchIfTaken;
        }
        break;
      }
    }
  }
}

/**
 * The fast program of a block at `pc` whose word k has the recorded program `programs[k]` (undefined: none, a Call
 * of its handler), and whose last instruction's fixed taken target is `taken` (if it has one). Undefined when no
 * word has a program.
 */
export function blockFastProgram(
  programs: readonly (FastProgram | undefined)[], pc: bigint, taken: bigint | undefined,
): { ops: Int32Array; refs: FastFn[] } | undefined {
  let size = 0;
  let any = false;
  const last = programs.length - 1;
  programs.forEach((p, k) => {
    if (p === undefined) size += 4;
    else {
      any = true;
      if (p.ops.length !== 0 || k === last) size += 2 + p.ops.length - (p.ops[0] === FastOp.Syndrome ? 1 : 0);
    }
  });
  if (!any) return undefined;
  const ops = new Int32Array(size);
  const refs: FastFn[] = [];
  let at = 0;
  for (let k = 0; k <= last; k++) {
    const p = programs[k];
    if (p === undefined) {
      ops[at] = FastOp.Insn;
      ops[at + 1] = k;
      ops[at + 2] = FastOp.Call;
      ops[at + 3] = k;
      at += 4;
      continue;
    }
    const src = p.ops;
    // (A word that does nothing needs no Insn either, but the last: the run's end reads its addresses.)
    if (src.length === 0 && k !== last) continue;
    let from = 0;
    if (src[0] === FastOp.Syndrome) {
      ops[at] = FastOp.InsnIss;
      ops[at + 1] = k;
      ops[at + 2] = src[1]!;
      at += 3;
      from = 2;
    } else {
      ops[at] = FastOp.Insn;
      ops[at + 1] = k;
      at += 2;
    }
    const base = at - from;
    ops.set(from === 0 ? src : src.subarray(from), at);
    at += src.length - from;
    for (const r of p.refAt) ops[base + r] = ops[base + r]! + refs.length;
    if (p.refs.length !== 0) refs.push(...p.refs);
    if (p.pcPatches.length !== 0) patch(ops, base, p, pc + BigInt(4 * k), k === last ? taken : undefined);
  }
  return { ops, refs };
}

/** `p` for its instruction at `pc` alone (no block: branches stay BranchRel), as a block would hold it. */
export function wordFastProgram(p: FastProgram, pc: bigint): Int32Array {
  const ops = p.ops.slice();
  patch(ops, 0, p, pc, undefined);
  return ops;
}
