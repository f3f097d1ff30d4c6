/**
 * WebAssembly translations of the branches that end a block (insn/branches-exceptions-system.ts): B, BL, B.cond,
 * CBZ/CBNZ, TBZ/TBNZ leave through direct exits (their targets are fixed when the block is compiled); BR, BLR and RET
 * leave with the target in the state block when it is canonical and aligned, else their handler runs (BranchAddr's
 * TBI rule and the PC alignment check are the handler's). Every other block end is a handler call.
 */
import { directBranchTarget } from '../branch-targets.js';
import { Op } from '../wasm/opcodes.js';
import { VOID_BLOCK } from '../wasm/types.js';
import type { BlockEmitter } from './block-emitter.js';

/** What a block-ending branch translation emitted: the targets of exits 0 and 1 (undefined where unused). */
export interface BranchExits {
  readonly taken: bigint | undefined;
  readonly fall: bigint | undefined;
}

/**
 * Emit the block's last instruction `w` at `e.pc` (index n - 1) as a branch with its exits; undefined (nothing
 * emitted) when it is not one of the translated branches. `blockPc` is the block's start (an exit there loops).
 */
export function emitBranch(e: BlockEmitter, name: string, w: number, n: number, blockPc: bigint): BranchExits | undefined {
  const f = e.f;
  const pc = e.pc;
  const direct = (exit: number, t: bigint, loopDepth: number): void => {
    e.exitTo(exit, t, n, t === blockPc, loopDepth);
  };
  switch (name) {
    case 'B':
    case 'BL': {
      const t = directBranchTarget(w, pc); // undefined: BranchAddr's TBI rule applies (the handler)
      if (t === undefined) return undefined;
      if (name === 'BL') e.setX(30, 64, () => f.i64Const(BigInt.asUintN(64, pc + 4n)));
      direct(0, t, 0);
      return { taken: t, fall: undefined };
    }
    case 'B.cond':
    case 'CBZ/CBNZ':
    case 'TBZ/TBNZ': {
      const t = directBranchTarget(w, pc);
      if (t === undefined) return undefined;
      const fall = BigInt.asUintN(64, pc + 4n);
      if (name === 'B.cond') {
        e.cond(w & 0xf);
      } else if (name === 'CBZ/CBNZ') {
        e.xb(w & 31, w >>> 31 !== 0 ? 64 : 32);
        f.op(Op.i64_eqz);
        if ((w & (1 << 24)) !== 0) f.op(Op.i32_eqz);
      } else {
        const bit = ((w >>> 26) & 0x20) | ((w >>> 19) & 0x1f);
        e.x(w & 31);
        f.i64Const(bit).op(Op.i64_shr_u).i64Const(1).op(Op.i64_and).op(Op.i64_eqz);
        if ((w & (1 << 24)) !== 0) f.op(Op.i32_eqz); // TBNZ: taken when the bit is 1
      }
      f.if(VOID_BLOCK);
      direct(0, t, 1);
      f.end();
      direct(1, fall, 0);
      return { taken: t, fall };
    }
    case 'BR':
    case 'BLR':
    case 'RET': {
      const n5 = (w >>> 5) & 31;
      // target = Xn; canonical (bits [63:55] all equal) and 4-byte aligned: leave for it; else the handler.
      e.x(n5);
      f.localSet(e.a);
      f.localGet(e.a).i64Const(55).op(Op.i64_shr_s).i64Const(1).op(Op.i64_add).i64Const(1).op(Op.i64_le_u)
        .localGet(e.a).i64Const(3).op(Op.i64_and).op(Op.i64_eqz).op(Op.i32_and);
      f.if(VOID_BLOCK);
      const regs = e.saveRegs(); // this arm leaves: its X30 write must not reach the handler's path
      if (name === 'BLR') e.setX(30, 64, () => f.i64Const(BigInt.asUintN(64, pc + 4n)));
      e.exitIndirect(e.a, n);
      e.restoreRegs(regs);
      f.end();
      e.callHandler();
      e.exitHandler(n);
      return { taken: undefined, fall: undefined };
    }
    default:
      return undefined;
  }
}
